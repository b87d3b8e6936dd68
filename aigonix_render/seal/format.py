"""What every sealed file has in common, whichever SOPS seals it (in-process or the binary)."""

from __future__ import annotations

# The keys whose values SOPS encrypts in a rendered Secret: ``data`` and ``stringData``;
# ``metadata`` (name, namespace, labels) stays readable for kustomize, Argo CD and Flux.
ENCRYPTED_REGEX = "^(data|stringData)$"
