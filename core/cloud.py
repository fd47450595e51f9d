"""What core asks of a cloud provider driver (entry-point group ``kops.cloud``).

A cloud plugin subclasses :class:`CloudProvider` and registers the class under its ``--cloud`` name.
Core only ever calls these methods, so inference and the CLI stay free of cloud SDKs: nothing here
may call a cloud API (``kops create cluster`` works offline).
"""

from __future__ import annotations

from kops.errors import KopsError


class CloudProvider:
    """Facts about one cloud that inference and validation need, answered offline."""

    #: The ``spec.cloudProvider`` value and ``--cloud`` name.
    name: str = ""
    #: The ``providerID`` of this cloud's images in a release channel.
    channel_provider_id: str = ""
    #: Machine types tried in order when the user names none, per role (``ControlPlane``, ``Node``,
    #: ``Bastion``) and architecture. Upstream asks the cloud which types a region offers; a
    #: preference list answers the same question offline.
    default_machine_types: dict[str, list[str]] = {}

    def region_for_zone(self, zone: str) -> str:
        """The region a zone belongs to; raise :class:`KopsError` naming the zone if it is malformed."""
        raise NotImplementedError

    def default_machine_type(self, role: str, region: str, arch: str = "amd64") -> str:
        key = "Bastion" if role == "Bastion" else "ControlPlane" if role in ("Master", "ControlPlane", "APIServer") else "Node"
        choices = self.default_machine_types.get(f"{key}/{arch}") or self.default_machine_types.get(key) or []
        if not choices:
            raise KopsError(f"cloud {self.name}: no default machine type for role {role}; set one with --node-size "
                            f"or --control-plane-size")
        return choices[0]
