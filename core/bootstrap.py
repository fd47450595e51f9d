"""What a new instance boots with: its user data, and the files it reads from the state store.

Every instance runs the same small script: install kops, then ``kops nodeup --config URL`` with the
URL of its instance group's nodeup configuration in the state store. Everything else a node needs
(certificates, component configuration, static pods) nodeup reads from there, so user data stays
small and the same across clusters.
"""

from __future__ import annotations

from typing import Any

from kops.model import BootstrapFile, ModelContext

CONTROL_PLANE_ROLES = ("Master", "ControlPlane", "APIServer")


def role_folder(group: Any) -> str:
    return "control-plane" if group.spec.role in CONTROL_PLANE_ROLES else "node"


def nodeup_config_path(group: Any) -> str:
    """Upstream's location of a group's nodeup configuration, relative to the cluster's folder."""
    return f"igconfig/{role_folder(group)}/{group.metadata.name}/nodeupconfig.yaml"


def user_data(model: ModelContext, group: Any) -> str:
    """The boot script of a group's instances; bastions are plain SSH hosts and run no nodeup."""
    from kops import __version__

    if group.spec.role == "Bastion":
        return ""

    config_url = f"{model.config_base}/{nodeup_config_path(group)}"
    return (
        "#!/bin/bash\n"
        "# kops bootstrap: install kops, then let nodeup configure this machine from the state store.\n"
        "set -o errexit -o nounset -o pipefail\n"
        f"export KOPS_CLUSTER_NAME={model.cluster_name}\n"
        f"NODEUP_CONFIG={config_url}\n"
        "python3 -m venv /opt/kops\n"
        f"/opt/kops/bin/pip install --quiet 'kops-core=={__version__}' "
        f"'kops-{model.cloud.name}=={__version__}'\n"
        'exec /opt/kops/bin/kops nodeup --config "$NODEUP_CONFIG"\n'
    )


def bootstrap_files(model: ModelContext, completed_yaml: str) -> list[BootstrapFile]:
    """The files ``kops update cluster`` writes to the state store for nodes and add-ons to read."""
    from kops import __version__
    from kops.addons.channel import channel_files
    from kops.nodeup.publish import node_files

    return [
        BootstrapFile("cluster-completed.spec", completed_yaml.encode()),
        BootstrapFile("kops-version.txt", __version__.encode()),
        # The bootstrap channel: every add-on's manifest, and the channel that lists them.
        *(BootstrapFile(path, data) for path, data in channel_files(model.cluster).items()),
        # What each group's machines read at boot: nodeup configurations and the etcd-manager pods.
        *node_files(model),
    ]


def placeholder(fact: str) -> bytes:
    """How a boot file marks where a cloud account fact goes: ``${aws_account_id}``."""
    return b"${" + fact.encode() + b"}"


def files_naming(files: list[BootstrapFile], facts: tuple[str, ...]) -> list[BootstrapFile]:
    """The boot files that hold a placeholder for any of ``facts``."""
    marks = [placeholder(f) for f in facts]
    return [f for f in files if any(m in f.content for m in marks)]


def fill_account_facts(files: list[BootstrapFile], values: dict[str, str]) -> list[BootstrapFile]:
    """``files`` with each ``${fact}`` placeholder replaced by its value."""
    filled = []
    for f in files:
        content = f.content
        for fact, value in values.items():
            content = content.replace(placeholder(fact), value.encode())
        filled.append(BootstrapFile(f.path, content, f.private))
    return filled


class BootFilesBuilder:
    """The boot files as :class:`kops.tasks.managed_file.ManagedFile` tasks, so plans show them and applies write
    what changed. Terraform output holds none: ``kops update cluster --target terraform`` stores them itself."""

    def build(self, model: ModelContext) -> list[Any]:
        from kops.tasks.managed_file import ManagedFile, PrivateManagedFile

        if model.target == "terraform":
            return []
        return [(PrivateManagedFile if f.private else ManagedFile)(
                    name=f.path, location=f"{model.cluster_name}/{f.path}", content=f.content)
                for f in model.bootstrap_files]
