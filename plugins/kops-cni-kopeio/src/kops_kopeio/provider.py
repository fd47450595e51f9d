"""The ``--networking kopeio`` choice."""

from __future__ import annotations

from kops.networking import NetworkingProvider


class Kopeio(NetworkingProvider):
    """kopeio networking: upstream creates an empty ``kopeio`` section."""

    spec_key = "kopeio"
