{{/*
The metadata block of an object: annotations (optional), labels, name, namespace (optional:
a Namespace has none). Takes a dict with name, namespace, labels and annotations.
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
  {{- with .namespace }}
  namespace: {{ . }}
  {{- end }}
{{- end }}

{{/*
"true" where an application environment has the event store: a microservice runs the
Runtime, or the application keeps the store always; else empty. Takes a dict with app and env.
*/}}
{{- define "bench.eventStore" -}}
{{- $found := .app.eventStore.always }}
{{- range .env.microservices }}{{ if .runtime }}{{ $found = true }}{{ end }}{{ end }}
{{- if $found }}true{{ end }}
{{- end }}

{{/*
The Dolittle Runtime's JSON files, as the platform wrote them (Go's json.MarshalIndent with
two spaces): fields in the order of its structs, map keys sorted, no final newline.
*/}}

{{/* tenants.json: the sorted list of tenant ids given, each an empty object. */}}
{{- define "bench.json.tenants" -}}
{{- if not . }}{}{{ else }}{
{{- range $i, $id := . }}{{ if $i }},{{ end }}
  {{ toJson $id }}: {}
{{- end }}
}
{{- end }}
{{- end }}

{{/* appsettings.json: the logging settings, and the event store's version when given. */}}
{{- define "bench.json.appsettings" -}}
{
  "Logging": {
    "IncludeScopes": false,
    "LogLevel": {
      "Default": "Debug",
      "System": "Information",
      "Microsoft": "Information"
    },
    "Console": {
      "IncludeScopes": true,
      "TimestampFormat": "[yyyy-MM-dd HH:mm:ss] "
    }
  }
{{- if . }},
  "dolittle": {
    "runtime": {
      "eventstore": {
        "backwardscompatibility": {
          "version": {{ toJson . }}
        }
      }
    }
  }
{{- end }}
}
{{- end }}

{{/* endpoints.json: public and private, and management when given true. */}}
{{- define "bench.json.endpoints" -}}
{
  "public": {
    "port": 50052
  },
  "private": {
    "port": 50053
  }
{{- if . }},
  "management": {
    "port": 51052
  }
{{- end }}
}
{{- end }}

{{- define "bench.json.metrics" -}}
{
  "port": 9700
}
{{- end }}

{{/* platform.json. Takes a dict with app, env, ms, customer and customerLabel. */}}
{{- define "bench.json.platform" -}}
{
  "applicationName": {{ toJson .app.name }},
  "applicationID": {{ toJson .app.id }},
  "microserviceName": {{ toJson .ms.name }},
  "microserviceID": {{ toJson .ms.id }},
  "customerName": {{ toJson .customerLabel }},
  "customerID": {{ toJson .customer.id }},
  "environment": {{ toJson .env.name }}
}
{{- end }}

{{/*
resources.json: the databases of each tenant, named by the first 7 characters of the
microservice's and the tenant's ids. Takes a dict with id, tenants (sorted ids) and host.
*/}}
{{- define "bench.json.resources" -}}
{{- $id := .id }}
{{- $host := toJson .host }}
{{- $url := printf "mongodb://%s:27017" .host | toJson }}
{{- if not .tenants }}{}{{ else }}{
{{- range $i, $tenant := .tenants }}{{ if $i }},{{ end }}
{{- $prefix := lower (printf "%s_%s" (substr 0 7 $id) (substr 0 7 $tenant)) }}
  {{ toJson $tenant }}: {
    "readModels": {
      "host": {{ $url }},
      "database": {{ printf "%s_readmodels" $prefix | toJson }},
      "useSSL": false
    },
    "eventStore": {
      "servers": [
        {{ $host }}
      ],
      "database": {{ printf "%s_eventstore" $prefix | toJson }}
    },
    "projections": {
      "servers": [
        {{ $host }}
      ],
      "database": {{ printf "%s_projections" $prefix | toJson }}
    },
    "embeddings": {
      "servers": [
        {{ $host }}
      ],
      "database": {{ printf "%s_embeddings" $prefix | toJson }}
    }
  }
{{- end }}
}
{{- end }}
{{- end }}

{{/* event-horizon-consents.json: the consents given, by producer tenant. */}}
{{- define "bench.json.consents" -}}
{{- if not . }}{}{{ else }}{
{{- range $i, $tenant := keys . | sortAlpha }}{{ if $i }},{{ end }}
  {{ toJson $tenant }}: [
  {{- range $j, $e := index $ $tenant }}{{ if $j }},{{ end }}
    {
      "microservice": {{ toJson $e.microservice }},
      "tenant": {{ toJson $e.tenant }},
      "stream": {{ toJson $e.stream }},
      "partition": {{ toJson $e.partition }},
      "consent": {{ toJson $e.consent }}
    }
  {{- end }}
  ]
{{- end }}
}
{{- end }}
{{- end }}

{{/* event-horizons.json: the subscriptions given, by consumer tenant. */}}
{{- define "bench.json.horizons" -}}
{{- if not . }}{}{{ else }}{
{{- range $i, $tenant := keys . | sortAlpha }}{{ if $i }},{{ end }}
  {{ toJson $tenant }}: [
  {{- range $j, $e := index $ $tenant }}{{ if $j }},{{ end }}
    {
      "scope": {{ toJson $e.scope }},
      "microservice": {{ toJson $e.microservice }},
      "tenant": {{ toJson $e.tenant }},
      "stream": {{ toJson $e.stream }},
      "partition": {{ toJson $e.partition }}
    }
  {{- end }}
  ]
{{- end }}
}
{{- end }}
{{- end }}

{{/* microservices.json: the Runtime of each producer read from, by the producer's id. */}}
{{- define "bench.json.microservices" -}}
{{- if not . }}{}{{ else }}{
{{- range $i, $id := keys . | sortAlpha }}{{ if $i }},{{ end }}
{{- $p := index $ $id }}
  {{ toJson $id }}: {
    "host": {{ printf "%s-%s.application-%s.svc.cluster.local" (lower $p.environment) (lower $p.name) $p.application | toJson }},
    "port": 50052
  }
{{- end }}
}
{{- end }}
{{- end }}
