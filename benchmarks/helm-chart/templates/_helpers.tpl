{{/*
The metadata block of an object: annotations (optional), labels, name, namespace.
Takes a dict with name, namespace, labels and annotations.
*/}}
{{- define "bench.metadata" -}}
metadata:
  {{- with .annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  labels:
    {{- toYaml .labels | nindent 4 }}
  name: {{ .name }}
  namespace: {{ .namespace }}
{{- end }}

{{/* A Runtime JSON file as aigonix-render writes it: two-space indent, sorted keys, final newline. */}}
{{- define "bench.json" -}}
{{ toPrettyJson . }}
{{ end }}

{{/* The resources of one container: limits and requests. */}}
{{- define "bench.resources" -}}
{{- toYaml . }}
{{- end }}
