"""Stage 6, sealing: rendered Secrets in plaintext → SOPS-encrypted files, and back.

It takes the ``PendingSecret`` values render made and returns ``OutputFile`` values whose
Secrets are encrypted to their environment's age recipients; a Secret whose sources did
not change keeps its previous file byte for byte (``fingerprint``). ``sealing`` decides
what to seal and reveals decrypted values for ``generate``; ``sops`` runs SOPS, in-process
through ``age`` (the format of github.com/getsops/sops, for age-only files) or the sops
binary; ``format`` holds what every sealed file has in common. ``age`` loads cryptography
and pyrage, so it is imported only when a value is really sealed or opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aigonix_render.foundation import lazy_exports

if TYPE_CHECKING:
    from aigonix_render.seal.sealing import (
        Fingerprinted,
        decrypt_sources,
        fingerprint,
        fingerprint_files,
        previous_fingerprint,
        reveal,
        seal,
        secret_text,
    )
    from aigonix_render.seal.sops import DEFAULT_TIMEOUT, SOPS_BINARY_VARIABLE, Sops, with_tree_key

# Lazy (``foundation.lazy``): the command line reads ``sops``'s defaults at start-up, and
# ``sealing`` loads render; each is imported when a name of it is first used.
HOMES = {
    "sealing": (
        "Fingerprinted",
        "decrypt_sources",
        "fingerprint",
        "fingerprint_files",
        "previous_fingerprint",
        "reveal",
        "seal",
        "secret_text",
    ),
    "sops": ("DEFAULT_TIMEOUT", "SOPS_BINARY_VARIABLE", "Sops", "with_tree_key"),
}
__getattr__ = lazy_exports(__name__, HOMES)

__all__ = [
    "DEFAULT_TIMEOUT",
    "SOPS_BINARY_VARIABLE",
    "Fingerprinted",
    "Sops",
    "decrypt_sources",
    "fingerprint",
    "fingerprint_files",
    "previous_fingerprint",
    "reveal",
    "seal",
    "secret_text",
    "with_tree_key",
]
