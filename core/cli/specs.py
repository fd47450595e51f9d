"""Shared pieces of the spec commands: validate, render, read files, open the registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kops.errors import KopsError


def registry(settings: Any) -> Any:
    from kops.registry import Registry

    return Registry(settings.state_store())


def completed_cluster(reg: Any, name: str) -> Any:
    """The cluster as the next ``kops update cluster`` completes it (every default filled in), computed offline
    and stored nowhere."""
    from kops import api, plugins
    from kops.channels import load_channel
    from kops.inference.completion import complete_cluster

    state = reg.get(name)
    cloud_name = state.cluster.spec.cloudProvider or ""
    if not cloud_name:
        raise KopsError(f"Cluster/{name}: spec.cloudProvider: required")
    cloud = plugins.load_driver("cloud", cloud_name)()
    groups = sorted(state.instance_groups, key=lambda g: g.metadata.name)
    tree = api.to_dict(state.cluster)
    # Where the cluster's files live, as the update derives it for manifests that do not say.
    tree["spec"].setdefault("configBase", reg.store.url.rstrip("/") + "/" + name)
    tree = complete_cluster(tree, [api.to_dict(g) for g in groups], cloud,
                            load_channel(state.cluster.spec.channel or "stable"), [])
    return api.from_dict(tree, source=f"Cluster/{name} (completed)")


def finish(cluster: dict[str, Any], groups: list[dict[str, Any]]) -> tuple[Any, list[Any]]:
    """Turn built spec trees into API objects and validate them together; errors name the field."""
    from kops import api
    from kops.validation import check

    c = api.from_dict(cluster, source="cluster spec")
    gs = [api.from_dict(g, source="instance group spec") for g in groups]
    check(c, gs)
    return c, gs


def render(objs: list[Any], output: str, ssh_key: str | None = None) -> str:
    """Objects as YAML (``---`` separated) or JSON (one object, or a list), as ``kops get -o`` prints them."""
    from kops import api

    return render_trees([api.to_dict(o) for o in objs], output, ssh_key)


def render_trees(trees: list[dict[str, Any]], output: str, ssh_key: str | None = None) -> str:
    """:func:`render` for objects already turned into plain trees; ``ssh_key`` adds the admin SSHCredential of the
    first (the cluster)."""
    from kops import manifests

    extra = []
    if ssh_key:
        extra.append({"apiVersion": manifests.API_VERSION, "kind": "SSHCredential",
                      "metadata": {"name": "admin", "labels": {"kops.k8s.io/cluster": trees[0]["metadata"]["name"]}},
                      "spec": {"publicKey": ssh_key.strip()}})
    if output.lower() == "json":
        docs = trees + extra
        return json.dumps(docs[0] if len(docs) == 1 else docs, indent=2, sort_keys=True) + "\n"
    text = manifests.dump_all(trees)
    if extra:
        import yaml

        text += "".join("---\n" + yaml.safe_dump(doc, sort_keys=True) for doc in extra)
    return text


#: The most kops reads from one input file: a manifest of 1,000 instance groups is about 0.3 MiB, so anything near
#: this (``-f /dev/zero``) is a mistake, refused rather than read until memory runs out.
MAX_INPUT_BYTES = 64 * 1024 * 1024


def read_bytes(path: str, what: str) -> bytes:
    """The bytes of an input file (``-`` for standard input), at most :data:`MAX_INPUT_BYTES` of them."""
    import sys

    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            with open(Path(path).expanduser(), "rb") as f:
                data = f.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise KopsError(f"{what} {path}: cannot read it: {exc.strerror}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise KopsError(f"{what} {path}: larger than {MAX_INPUT_BYTES // 2**20} MiB, which no kops input is")
    return data


def read_text(path: str, what: str) -> str:
    try:
        return read_bytes(path, what).decode()
    except UnicodeDecodeError:
        raise KopsError(f"{what} {path}: not a text (UTF-8) file") from None


def read_ssh_public_key(path: str) -> str:
    from kops.registry import ssh_fingerprint

    text = read_text(str(Path(path).expanduser()), "--ssh-public-key").strip()
    if "PRIVATE KEY" in text:
        raise KopsError(f"--ssh-public-key {path}: this is a private key; give the .pub file")
    ssh_fingerprint(text)  # rejects what is not an OpenSSH public key
    return text
