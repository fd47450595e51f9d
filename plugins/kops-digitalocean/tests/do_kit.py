"""Helpers for the DigitalOcean plugin's tests: SSH keys with known fingerprints, and Droplets made the way
a cloud plugin makes them."""

from __future__ import annotations

from typing import Any

import digitalocean

#: An ed25519 key and the MD5 fingerprint ``ssh-keygen -l -E md5`` prints for it.
PUBLIC_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKM+CM7VLUz6XKRJuSeGBDjHeVdTBdR7b1ZnNpoTcHMu "
              "kops@example.com")
FINGERPRINT = "d3:34:94:47:7e:d9:30:91:1d:f6:1c:12:38:ab:1f:36"
OTHER_PUBLIC_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDVt2AYLoWsBlEWXUMtaVMjDq9ZTt9OsAyv7z6JGTW1O "
                    "other@example.com")

CLUSTER_TAG = "KubernetesCluster:dev-example-com"


def droplet(name: str = "nodes-nyc1.dev.example.com", **fields: Any) -> digitalocean.Droplet:
    """Create a Droplet (Ubuntu 24.04, s-2vcpu-4gb-amd in nyc1 unless ``fields`` say otherwise)."""
    made = digitalocean.Droplet(**{"name": name, "region": "nyc1", "size_slug": "s-2vcpu-4gb-amd",
                                   "image": "ubuntu-24-04-x64", **fields})
    made.create()
    return made


def loaded(made: Any) -> Any:
    """The resource read back from the API (``load()`` re-reads it)."""
    made.load()
    return made

