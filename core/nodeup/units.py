"""systemd units: kubelet's and containerd's, and the spec's hooks (``spec.hooks``, ``spec.hooks`` of the group).

A hook is a raw unit (``manifest`` with ``useRawManifest``), a ``[Service]`` section (``manifest``), or a
container run with containerd's ``ctr`` (``execContainer``); one named nowhere is ``kops-hook-<n>`` (``-ig``
for the group's). The group's hooks come first and a later hook with a name already used is skipped, as
upstream does; a ``disabled`` hook is written masked-off (not started).
"""

from __future__ import annotations

import logging
import shlex
from typing import Any

from kops.errors import KopsError

log = logging.getLogger(__name__)

UNIT_SUFFIXES = (".service", ".socket", ".device", ".mount", ".automount", ".swap", ".target", ".path",
                 ".timer", ".slice", ".scope")


def render(sections: list[tuple[str, list[tuple[str, str]]]]) -> str:
    """A unit file from (section, [(key, value)...]) in order; keys may repeat (``Requires``, ``ExecStartPre``)."""
    blocks = []
    for section, entries in sections:
        blocks.append(f"[{section}]\n" + "".join(f"{k}={v}\n" for k, v in entries))
    return "\n".join(blocks)


def kubelet_unit(binary: str) -> str:
    return render([
        ("Unit", [("Description", "Kubernetes Kubelet Server"),
                  ("Documentation", "https://github.com/kubernetes/kubernetes"),
                  ("After", "containerd.service")]),
        ("Service", [("EnvironmentFile", "/etc/sysconfig/kubelet"),
                     ("ExecStart", f'{binary} "$DAEMON_ARGS"'),
                     ("Restart", "always"), ("RestartSec", "2s"), ("StartLimitInterval", "0"),
                     ("KillMode", "process"), ("User", "root"),
                     ("CPUAccounting", "true"), ("MemoryAccounting", "true")]),
        ("Install", [("WantedBy", "multi-user.target")]),
    ])


def containerd_unit(binary: str, config_path: str) -> str:
    return render([
        ("Unit", [("Description", "containerd container runtime"), ("Documentation", "https://containerd.io"),
                  ("After", "network.target dbus.service")]),
        ("Service", [("EnvironmentFile", "/etc/sysconfig/containerd"),
                     ("EnvironmentFile", "-/etc/environment"),
                     ("ExecStartPre", "-/sbin/modprobe overlay"),
                     ("ExecStart", f'{binary} -c {config_path} "$CONTAINERD_OPTS"'),
                     ("Type", "notify"), ("Delegate", "yes"), ("KillMode", "process"),
                     ("Restart", "always"), ("RestartSec", "5"),
                     ("LimitNPROC", "infinity"), ("LimitCORE", "infinity"), ("LimitNOFILE", "1048576"),
                     ("TasksMax", "infinity"), ("OOMScoreAdjust", "-999")]),
        ("Install", [("WantedBy", "multi-user.target")]),
    ])


def credential_service_unit(kops: str, cluster_name: str, state_url: str, port: int) -> str:
    """The node credential service on a control-plane machine (upstream runs kops-controller as a pod; here it is
    kops itself, from the node bundle, so it runs before the cluster does)."""
    return render([
        ("Unit", [("Description", "kops node credential service (kops-controller)"),
                  ("Documentation", "https://kops.sigs.k8s.io/"),
                  ("After", "network-online.target"), ("Wants", "network-online.target")]),
        ("Service", [("ExecStart", f"{kops} controller serve {cluster_name} --state {state_url} --listen :{port}"),
                     ("Restart", "always"), ("RestartSec", "5s"), ("User", "root")]),
        ("Install", [("WantedBy", "multi-user.target")]),
    ])


def hook_units(hooks: list[list[dict[str, Any]]], ctr: str) -> list[tuple[str, str | None]]:
    """(unit name, definition) per hook; definition None for a disabled hook (nothing to start)."""
    seen: set[str] = set()
    out: list[tuple[str, str | None]] = []
    for level, specs in enumerate(hooks):
        for n, hook in enumerate(specs or []):
            name = hook.get("name") or f"kops-hook-{n}" + ("-ig" if level == 0 else "")
            if not name.endswith(UNIT_SUFFIXES):
                name += ".service"
            if name in seen:
                log.info("hook %s: a hook of that name was already written; skipping this one", name)
                continue
            seen.add(name)
            if hook.get("disabled"):
                out.append((name, None))
                continue
            out.append((name, _hook_definition(name, hook, ctr)))
    return out


def _hook_definition(name: str, hook: dict[str, Any], ctr: str) -> str:
    container = hook.get("execContainer")
    manifest = hook.get("manifest") or ""
    if container is None and not manifest:
        raise KopsError(f"hook {name}: set manifest (a unit) or execContainer (an image to run)")
    if hook.get("useRawManifest"):
        return manifest if manifest.endswith("\n") else manifest + "\n"
    unit = [("Description", f"Kops Hook {name}")]
    unit += [("Requires", r) for r in hook.get("requires") or []]
    unit += [("Before", b) for b in hook.get("before") or []]
    if container is None:
        return render([("Unit", unit)]) + "\n[Service]\n" + manifest.strip() + "\n"
    image = str(container.get("image") or "").strip()
    if not image:
        raise KopsError(f"hook {name}: execContainer.image is required")
    if "/" not in image:
        image = "docker.io/library/" + image
    if ":" not in image.rsplit("/", 1)[-1]:
        image += ":latest"
    env = [arg for k, v in sorted((container.get("environment") or {}).items()) for arg in ("--env", f"{k}={v}")]
    run = [ctr, "--namespace", "k8s.io", "run", "--rm",
           "--mount", "type=bind,src=/,dst=/rootfs,options=rbind:rslave",
           "--mount", "type=bind,src=/var/run/dbus,dst=/var/run/dbus,options=rbind:rprivate",
           "--mount", "type=bind,src=/run/systemd,dst=/run/systemd,options=rbind:rprivate",
           "--net-host", "--privileged", *env, image, name.rsplit(".", 1)[0], *(container.get("command") or [])]
    return render([
        ("Unit", [*unit, ("Requires", "containerd.service")]),
        ("Service", [("ExecStartPre", shlex.join([ctr, "--namespace", "k8s.io", "image", "pull", image])),
                     ("ExecStart", shlex.join(run)), ("Type", "oneshot")]),
        ("Install", [("WantedBy", "multi-user.target")]),
    ])
