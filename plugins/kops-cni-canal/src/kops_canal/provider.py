"""The ``canal`` networking provider chosen by ``kops create cluster --networking canal``."""

from __future__ import annotations

from kops.networking import NetworkingProvider


class Canal(NetworkingProvider):
    """Upstream wrote an empty ``canal: {}``; the manifest supplies every default."""

    spec_key = "canal"
