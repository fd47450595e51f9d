"""The ``--networking amazonvpc`` choice."""

from __future__ import annotations

from kops.networking import NetworkingProvider


class AmazonVPC(NetworkingProvider):
    """The AWS VPC CNI: upstream creates an empty ``amazonvpc`` section, and only on AWS."""

    spec_key = "amazonvpc"
    clouds = ("aws",)
