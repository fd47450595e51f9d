"""ACME's audit agent, installed on the clusters that ask for it.

The cluster API refuses spec fields it does not know, so an organisation's add-on takes its settings from
annotations on the Cluster under its own domain::

    metadata:
      annotations:
        audit.acme.example.com/enabled: "true"
        audit.acme.example.com/endpoint: https://audit.acme.example.com/ingest

Annotations are kept by the state store and survive ``kops replace``; ``kops update cluster`` puts the
add-on in the bootstrap channel while the switch is on and takes it out once it is off.
"""

from __future__ import annotations

from typing import Any

from kops import hookimpl

NAME = "audit-agent.acme.example.com"
VERSION = "1.4.2"
IMAGE = f"registry.acme.example.com/audit-agent:v{VERSION}"
SWITCH = "audit.acme.example.com/enabled"
ENDPOINT = "audit.acme.example.com/endpoint"
DEFAULT_ENDPOINT = "https://audit.acme.example.com/ingest"


def _annotations(cluster: Any) -> dict[str, str]:
    return dict(cluster.metadata.annotations or {})


def enabled(cluster: Any) -> bool:
    return _annotations(cluster).get(SWITCH, "").lower() == "true"


@hookimpl
def kops_validate(cluster: Any, instance_groups: list[Any]) -> list:
    from kops.errors import FieldError

    annotations = _annotations(cluster)
    errors = []
    if annotations.get(SWITCH, "true").lower() not in ("true", "false"):
        errors.append(FieldError(f"metadata.annotations[{SWITCH}]", "must be \"true\" or \"false\""))
    if enabled(cluster) and not annotations.get(ENDPOINT, DEFAULT_ENDPOINT).startswith("https://"):
        errors.append(FieldError(f"metadata.annotations[{ENDPOINT}]", "must be an https:// URL"))
    return errors


@hookimpl
def kops_addons(cluster: Any) -> list:
    if not enabled(cluster):
        return []
    from kops.addons import Addon
    from kops.addons.render import render

    values = {"image": IMAGE, "cluster": cluster.metadata.name,
              "endpoint": _annotations(cluster).get(ENDPOINT, DEFAULT_ENDPOINT)}
    return [Addon(name=NAME, version=VERSION, manifest=render("kops_acme_addon", "audit-agent.yaml.j2", values))]
