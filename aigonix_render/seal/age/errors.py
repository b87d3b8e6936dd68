"""The errors of in-process SOPS: two the caller sees, two raised deep inside.

``Unsupported`` and ``NoKeyError`` reach ``aigonix_render.seal.sops``, which then runs the sops
binary or reports the missing key. ``Rejected`` and ``Tampered`` are raised where the
problem is found (a YAML constructor, a regex, a value) and become a ``SopsError`` that
names the file in ``encrypt`` and ``decrypt``, the only places that know the name.
"""

from __future__ import annotations

from aigonix_render.foundation import SopsError


class NoKeyError(SopsError):
    """No identity at hand opens the data key (if ``Identities.complete`` is false, sops might)."""


class Unsupported(SopsError):
    """The file is valid for sops but needs the sops binary (a YAML tag, a 64-bit overflow...)."""


class Rejected(Exception):
    """Raised deep inside (YAML constructors, regexes); turned into ``Unsupported`` with a name."""


class Tampered(Exception):
    """A value or the MAC does not verify."""
