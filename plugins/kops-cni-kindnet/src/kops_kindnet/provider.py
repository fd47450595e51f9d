"""The ``--networking kindnet`` choice."""

from __future__ import annotations

from kops.networking import NetworkingProvider


class Kindnet(NetworkingProvider):
    """kindnet: upstream creates an empty ``kindnet`` section; the defaults come at completion."""

    spec_key = "kindnet"
