"""The values of a route: a host with its TLS secret, and a route (an Ingress or HTTPRoute)
with its name, the tenant it sends in ``Tenant-ID`` and its hosts (``routes`` makes them)."""

from __future__ import annotations

from aigonix_render.foundation import names, record


@record
class Host:
    """A host of a tenant and the TLS Secret of its certificate (its own ``secretName``, or
    one derived from the host name)."""

    host: str
    secret_name: str | None

    @property
    def tls_secret(self) -> str:
        return names.tls_secret(self.host, self.secret_name)


@record
class Route:
    """One route: its object name, the tenant its ``Tenant-ID`` header names, its hosts."""

    name: str
    tenant: str
    hosts: tuple[Host, ...]
