"""Small facts about the spec several add-ons share."""

from __future__ import annotations

from typing import Any


def is_enabled(section: Any) -> bool:
    """Whether an add-on's spec section is present with ``enabled: true`` (upstream's opt-in rule)."""
    return section is not None and bool(section.enabled)


def cert_manager_enabled(cluster: Any) -> bool:
    """Whether cert-manager runs in the cluster, which webhooks and secure metrics-server rely on."""
    return is_enabled(cluster.spec.certManager)
