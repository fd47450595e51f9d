"""The files ``kops update cluster`` stores for nodes: each group's nodeup configuration and etcd-manager pods.

CA certificates go into the configurations, so the CA keysets must exist: an apply or a Terraform run creates
the missing ones first (:func:`kops.pki.ensure_cluster_pki`). A dry run only previews and never writes to the
store: it uses the keysets that exist, and when the keystore cannot be read at all (a model built without a
reachable store) it previews the configurations without certificates and says so in a warning.
"""

from __future__ import annotations

import logging
from typing import Any

from kops.errors import KopsError
from kops.model import BootstrapFile, ModelContext
from kops.nodeup import etcd
from kops.nodeup.assets import node_assets
from kops.nodeup.config import BASTION, build_config, is_control_plane
from kops.nodeup.yamlio import dump

log = logging.getLogger(__name__)


def node_files(model: ModelContext) -> list[BootstrapFile]:
    """Every non-bastion group's ``igconfig/<role>/<group>/nodeupconfig.yaml``, the control plane's
    ``manifests/etcd/<etcd>-<group>.yaml`` and each etcd cluster's ``control/etcd-cluster-spec``."""
    from kops import api
    from kops.assets import load_catalog
    from kops.bootstrap import nodeup_config_path

    cluster = api.to_dict(model.cluster)
    spec = cluster["spec"]
    assets = node_assets(spec, load_catalog())
    keysets, strict = _keysets(model)
    members = etcd.members_by_group(spec)
    etcd_clusters = {e["name"]: e for e in spec.get("etcdClusters") or []}
    files: list[BootstrapFile] = []
    for group in model.instance_groups:
        tree = api.to_dict(group)
        if tree["spec"].get("role") == BASTION:
            continue
        manifests, disks = [], []
        if is_control_plane(tree):
            for etcd_name in members.get(group.metadata.name, []):
                path = etcd.manifest_path(etcd_name, group.metadata.name)
                volumes = model.cloud.etcd_volumes(model.cluster, etcd_name)
                if volumes is None:
                    raise KopsError(f"cloud {model.cloud.name}: its plugin does not say how etcd-manager finds its "
                                    "volumes, so kops cannot run etcd there")
                files.append(BootstrapFile(path, dump(etcd.etcd_manager_pod(cluster, etcd_clusters[etcd_name],
                                                                            volumes))))
                manifests.append(f"{model.config_base}/{path}")
                if volumes.node_disks:
                    disks += [volumes.node_disks + m["name"] for m in etcd_clusters[etcd_name]["etcdMembers"]
                              if m.get("instanceGroup") == group.metadata.name]
        config = build_config(cluster, tree, config_base=model.config_base, assets=assets, keysets=keysets,
                              etcd_manifests=manifests, strict=strict, api_addresses=model.api_addresses,
                              etcd_disks=disks)
        files.append(BootstrapFile(nodeup_config_path(group), dump(config)))
    files += _etcd_cluster_specs(model, etcd_clusters.values())
    return files


def _keysets(model: ModelContext) -> tuple[dict[str, Any], bool]:
    """The cluster's CA keysets by name, and whether every one a group needs must be there."""
    from kops.pki import Keystore, cluster_ca_keysets, ensure_cluster_pki
    from kops.state import open_store

    store = open_store(model.state_url)
    names = cluster_ca_keysets(model.cluster)
    if model.target != "dryrun":
        ensure_cluster_pki(store, model.cluster_name)
    keystore = Keystore(store, model.cluster_name)
    try:
        found = {name: keyset for name in names if (keyset := keystore.find(name)) is not None}
    except KopsError as exc:
        if model.target != "dryrun":
            raise
        log.warning("previewing nodeup configurations without CA certificates: %s", exc)
        return {}, False
    return found, model.target != "dryrun"


def _etcd_cluster_specs(model: ModelContext, etcd_clusters: Any) -> list[BootstrapFile]:
    """``control/etcd-cluster-spec`` in each backup store inside the cluster's folder; a backup store elsewhere
    is the user's to seed (kops writes only under the cluster's folder), which a warning says."""
    prefix = model.config_base + "/"
    out = []
    for spec in etcd_clusters:
        store = str((spec.get("backups") or {}).get("backupStore") or "").rstrip("/")
        if store.startswith(prefix):
            out.append(BootstrapFile(f"{store[len(prefix):]}/control/etcd-cluster-spec", etcd.cluster_spec_file(spec)))
        elif store:
            log.warning("etcd cluster %s backs up to %s, outside %s: write control/etcd-cluster-spec there "
                        "before the first control plane boots", spec["name"], store, model.config_base)
    return out
