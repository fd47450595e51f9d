"""Small facts about the spec several add-ons share."""

from __future__ import annotations

from typing import Any


def is_enabled(section: Any) -> bool:
    """Whether an add-on's spec section is present with ``enabled: true`` (upstream's opt-in rule)."""
    return section is not None and bool(section.enabled)


def cert_manager_enabled(cluster: Any) -> bool:
    """Whether cert-manager runs in the cluster, which webhooks and secure metrics-server rely on."""
    return is_enabled(cluster.spec.certManager)


def aws_region(cluster: Any) -> str:
    """The AWS region of the cluster's subnets' zones (empty when no subnet names a zone)."""
    from kops_aws.cloud import AWSCloud

    zones = sorted({s.zone for s in cluster.spec.subnets or [] if s.zone})
    return AWSCloud().region_for_zone(zones[0]) if zones else ""
