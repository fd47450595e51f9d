"""Complete-stage rules for the etcd clusters: their etcd version and what etcd-manager needs."""

from __future__ import annotations

from kops.inference.base import InferenceContext, rule
from kops.inference.completion.facts import join_path, require_version
from kops.inference.versions_data import ETCD_BY_MINOR, by_minor


@rule("complete", 10)
def etcd_versions(ctx: InferenceContext) -> None:
    """Each Kubernetes release is tested against one etcd minor; clusters without a pinned version get it."""
    version = by_minor(ETCD_BY_MINOR, require_version(ctx).minor)
    for cluster in ctx.spec.get("etcdClusters") or []:
        if not cluster.get("version"):
            cluster["version"] = version


@rule("complete", 11)
def etcd_backups(ctx: InferenceContext) -> None:
    """etcd-manager backs each cluster up under ``backups/etcd/<name>`` next to the cluster's configuration."""
    base = ctx.spec.get("configBase")
    if not base:
        return
    for cluster in ctx.spec.get("etcdClusters") or []:
        backups = cluster.get("backups")
        if backups is None:
            backups = cluster["backups"] = {}
        if not backups.get("backupStore"):
            backups["backupStore"] = join_path(base, "backups", "etcd", str(cluster.get("name")))


@rule("complete", 11)
def etcd_image_volumes(ctx: InferenceContext) -> None:
    """etcd-manager mounts the etcd image as a volume: control-plane kubelets from 1.32 need the ImageVolume
    feature gate until it is on by default (1.36)."""
    version = require_version(ctx)
    if not version.is_lt("1.32.0") and version.is_lt("1.36.0"):
        ctx.default("spec.masterKubelet.featureGates.ImageVolume", "true")
