"""Small facts about the spec several add-ons share."""

from __future__ import annotations

from typing import Any

from kops.addons.facts import section_enabled


def cert_manager_enabled(cluster: Any) -> bool:
    """Whether cert-manager runs in the cluster, which webhooks and secure metrics-server rely on."""
    return section_enabled(cluster.spec.certManager)
