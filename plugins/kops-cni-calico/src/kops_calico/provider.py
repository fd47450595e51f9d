"""The ``calico`` networking provider chosen by ``kops create cluster --networking calico``."""

from __future__ import annotations

from kops.networking import NetworkingProvider


class Calico(NetworkingProvider):
    """Upstream writes an empty ``calico: {}``; every option is defaulted when the spec is completed."""

    spec_key = "calico"
