"""What a new instance boots with: its user data, and the files it reads from the state store.

Every instance runs the same small script: install the node bundle (:mod:`kops.nodeup.bundle`: the exact kops
that wrote its configuration) from the state store with the image's ``python3``, every file checked against the
SHA-256 the script pins, then ``kops nodeup --config URL`` with the URL of its instance group's nodeup
configuration. Everything else a node needs (component configuration, static pods, the control plane's
certificates) nodeup reads from there, and workers get their credentials from the node credential service.

Outside an instance (a test root, a machine of another cloud), environment variables stand in for the instance
metadata: the state store's reader takes its credentials, region and endpoints as the cloud's SDK would
(on AWS: ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``, ``AWS_REGION``,
``AWS_ENDPOINT_URL``), and ``KOPS_BOOTSTRAP_SERVER`` replaces the node credential service's URL.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from typing import Any

from kops.errors import KopsError
from kops.model import BootstrapFile, ModelContext

CONTROL_PLANE_ROLES = ("Master", "ControlPlane", "APIServer")
#: Where machines install the node bundle (``/opt/kops/lib``, and the ``kops`` command in ``/opt/kops/bin``).
INSTALL_PREFIX = "/opt/kops"
#: The line that ends the boot program in the user data.
_END = "KOPS_BOOT_PROGRAM"


def role_folder(group: Any) -> str:
    return "control-plane" if group.spec.role in CONTROL_PLANE_ROLES else "node"


def nodeup_config_path(group: Any) -> str:
    """Upstream's location of a group's nodeup configuration, relative to the cluster's folder."""
    return f"igconfig/{role_folder(group)}/{group.metadata.name}/nodeupconfig.yaml"


def user_data(model: ModelContext, group: Any) -> str:
    """The boot script of a group's instances; bastions are plain SSH hosts and run no nodeup. The group's nodeup
    configuration must be among ``model.bootstrap_files`` (its hash is pinned here)."""
    from kops.nodeup.bundle import node_bundle

    if group.spec.role == "Bastion":
        return ""
    bundle = node_bundle(type(model.cloud).__module__)
    config = nodeup_config_path(group)
    found = [f for f in model.bootstrap_files if f.path == config]
    if not found:
        raise KopsError(f"instance group {group.metadata.name}: no nodeup configuration among the boot files")
    return (
        "#!/bin/bash\n"
        f"# kops bootstrap: install kops {bundle.version} from the state store, each file checked against the\n"
        "# manifest pinned here, then let nodeup configure this machine as a node of its instance group.\n"
        "set -o errexit -o nounset -o pipefail\n"
        f"export KOPS_CLUSTER_NAME={model.cluster_name}\n"
        f"NODEUP_CONFIG={model.config_base}/{config}\n"
        # The configuration's hash makes every change to it a change of the user data, so the group's machines
        # launched before it need an update; nodeup refuses a configuration that is not this one.
        f"NODEUP_CONFIG_SHA256={hashlib.sha256(found[0].content).hexdigest()}\n"
        f"KOPS_BUNDLE={model.config_base}/{bundle.manifest_path}\n"
        f"KOPS_BUNDLE_SHA256={bundle.digest}\n"
        f"python3 - \"$KOPS_BUNDLE\" \"$KOPS_BUNDLE_SHA256\" {INSTALL_PREFIX} <<'{_END}'\n"
        f"{boot_program(model.state_url)}"
        f"{_END}\n"
        f"exec {INSTALL_PREFIX}/bin/kops nodeup --config \"$NODEUP_CONFIG\""
        ' --config-sha256 "$NODEUP_CONFIG_SHA256"'
        ' ${KOPS_BOOTSTRAP_SERVER:+--bootstrap-server "$KOPS_BOOTSTRAP_SERVER"}\n'
    )


@functools.lru_cache(maxsize=8)
def boot_program(state_url: str) -> str:
    """The Python program the user data runs to install the bundle: the state store's reader
    (:meth:`kops.state.StateStore.boot_reader`), then :mod:`kops.nodeup.install` (made once per run: every group's
    user data holds it)."""
    import inspect
    import re

    from kops.nodeup import install
    from kops.plugins import load_driver

    scheme = state_url.split("://", 1)[0].lower()
    reader = load_driver("state_store", scheme).boot_reader() or (
        f"def read(url):\n    raise OSError('machines cannot read {scheme}:// state stores')\n")
    future = re.compile(r"^from __future__ import annotations\n", re.MULTILINE)
    program = "from __future__ import annotations\n" + future.sub("", _compact(reader)) + "\n\n" + \
        future.sub("", _compact(inspect.getsource(install))) + "\n\nmain(read, sys.argv[1:])\n"
    if f"\n{_END}\n" in program:
        raise KopsError(f"the boot program holds the line {_END}, which ends it in the user data")
    return program


def _compact(source: str) -> str:
    """``source`` without its docstrings, comment lines and blank lines: AWS allows 16 KiB of user data. Whole lines
    are dropped from the text as written, so the result is the same on every Python version (and so is the user
    data, whose changes replace instances)."""
    import ast

    drop: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and len(body) > 1 and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            drop.update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    lines = source.splitlines()
    return "".join(line + "\n" for n, line in enumerate(lines, 1)
                   if n not in drop and line.strip() and not line.lstrip().startswith("#"))


def bootstrap_files(model: ModelContext, completed_yaml: str) -> list[BootstrapFile]:
    """The files ``kops update cluster`` writes to the state store for nodes and add-ons to read."""
    from kops import __version__
    from kops.addons.channel import boot_files
    from kops.nodeup.bundle import node_bundle
    from kops.nodeup.publish import node_files

    bundle = node_bundle(type(model.cloud).__module__)
    return [
        BootstrapFile("cluster-completed.spec", completed_yaml.encode()),
        BootstrapFile("kops-version.txt", __version__.encode()),
        # The node bundle machines install at boot (the user data pins its manifest).
        BootstrapFile(bundle.manifest_path, bundle.manifest, verbatim=True),
        BootstrapFile(bundle.archive_path, bundle.archive, verbatim=True),
        # The bootstrap channel: every add-on's manifest, and the channel that lists them.
        # A manifest holding secret material (a Secret made from the cluster's stored secrets) is private.
        *boot_files(model.cluster, model.secrets),
        # What each group's machines read at boot: nodeup configurations and the etcd-manager pods.
        *node_files(model),
    ]


def placeholder(fact: str) -> bytes:
    """How a boot file marks where a cloud account fact goes: ``${aws_account_id}``."""
    return b"${" + fact.encode() + b"}"


def files_naming(files: list[BootstrapFile], facts: tuple[str, ...]) -> list[BootstrapFile]:
    """The boot files that hold a placeholder for any of ``facts``."""
    marks = [placeholder(f) for f in facts]
    return [f for f in files if not f.verbatim and any(m in f.content for m in marks)]


def fill_account_facts(files: list[BootstrapFile], values: dict[str, str]) -> list[BootstrapFile]:
    """``files`` with each ``${fact}`` placeholder replaced by its value (verbatim files as they are)."""
    filled = []
    for f in files:
        content = f.content
        for fact, value in values.items() if not f.verbatim else ():
            content = content.replace(placeholder(fact), value.encode())
        filled.append(dataclasses.replace(f, content=content))
    return filled


class BootFilesBuilder:
    """The boot files as :class:`kops.tasks.managed_file.ManagedFile` tasks, so plans show them and applies write
    what changed. Terraform output holds none: ``kops update cluster --target terraform`` stores them itself."""

    def build(self, model: ModelContext) -> list[Any]:
        from kops.tasks.managed_file import ManagedFile, PrivateManagedFile

        if model.target == "terraform":
            return []
        tasks = [(PrivateManagedFile if f.private else ManagedFile)(
                     name=f.path, location=f"{model.cluster_name}/{f.path}", content=f.content)
                 for f in model.bootstrap_files]
        # A group's nodeup configuration is its own, like its launch configuration whose user data pins it: an update
        # limited to other groups must not change it under machines that check it at boot.
        by_path = {t.name: t for t in tasks}
        for group in model.instance_groups:
            if (found := by_path.get(nodeup_config_path(group))) is not None:
                model.of_group(group, [found])
        return tasks
