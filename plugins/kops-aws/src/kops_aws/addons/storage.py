"""``storage-aws.addons.k8s.io``: the cluster's EBS storage classes.

``kops-csi-1-21`` (encrypted gp3 through the EBS CSI driver, bound where the pod lands) is the default;
the in-tree-named classes (``default``, ``gp2``, ``kops-ssd-1-17``) stay for claims made by name on
clusters that had them, and the CSI migration serves them. Written only while
``spec.cloudConfig.manageStorageClasses`` is on, so users may manage their own.
"""

from __future__ import annotations

from typing import Any

from kops.addons import Addon
from kops.addons.render import render

NAME = "storage-aws.addons.k8s.io"
VERSION = "1.15.0"


def applies(cluster: Any) -> bool:
    config = cluster.spec.cloudConfig
    return bool(config is not None and config.manageStorageClasses)


def addon(cluster: Any) -> Addon:
    return Addon(name=NAME, version=VERSION, manifest=render("kops_aws.addons", "storage-aws.yaml.j2", {}))
