"""Per-kind rules applied to what clients write, like the real registry's strategies: the defaults a created object
is given, and the validation that refuses it with 422 ``Invalid``. Only the rules a client of the workloads and
budgets this fake simulates could trip over; everything else is stored as sent."""

from __future__ import annotations

import re
from typing import Any

from . import pods
from .kinds import Kind
from .selectors import label_selector_matches

WORKLOADS = ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet")
Problem = tuple[str, str, str]


def prepare(kind: Kind, obj: dict[str, Any]) -> None:
    """Defaults of a created object."""
    if kind.kind == "Namespace":
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        obj["status"] = {"phase": "Active"}
    elif kind.kind == "Pod":
        pods.default_pod(obj)
    elif kind.kind in WORKLOADS:
        spec = obj.setdefault("spec", {})
        if kind.kind == "DaemonSet":
            spec.setdefault("updateStrategy", {"type": "RollingUpdate",
                                               "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
        else:
            spec.setdefault("replicas", 1)
        if kind.kind == "Deployment":
            spec.setdefault("strategy", {"type": "RollingUpdate",
                                         "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
            spec.setdefault("progressDeadlineSeconds", 600)
        if kind.kind in ("Deployment", "DaemonSet"):
            spec.setdefault("revisionHistoryLimit", 10)


def problems(kind: Kind, obj: dict[str, Any]) -> list[Problem]:
    """What validation refuses in an object about to be stored, as (field, cause, message)."""
    if kind.kind == "Pod":
        return pods.pod_problems(obj)
    if kind.kind in WORKLOADS and kind.group == "apps":
        return _workload_problems(obj.get("spec") or {})
    if kind.kind == "PodDisruptionBudget":
        return _budget_problems(obj.get("spec") or {})
    return []


def _workload_problems(spec: dict[str, Any]) -> list[Problem]:
    selector = spec.get("selector")
    if selector is None:
        return [("spec.selector", "FieldValueRequired", "Required value")]
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        return [("spec.selector", "FieldValueInvalid", "Invalid value: v1.LabelSelector{MatchLabels:map[string]"
                                                       "string(nil), MatchExpressions:[]v1.LabelSelectorRequirement"
                                                       "(nil)}: empty selector is invalid for deployment")]
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if not label_selector_matches(selector, labels):
        return [("spec.template.metadata.labels", "FieldValueInvalid",
                 f"Invalid value: {_go_map(labels)}: `selector` does not match template `labels`")]
    return []


def _go_map(labels: dict[str, str]) -> str:
    return "map[string]string{" + ", ".join(f'"{k}":"{v}"' for k, v in sorted(labels.items())) + "}"


def _budget_problems(spec: dict[str, Any]) -> list[Problem]:
    found = []
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        found.append(("spec", "FieldValueInvalid", "Invalid value: ...: minAvailable and maxUnavailable cannot be "
                                                   "both set"))
    for field in ("minAvailable", "maxUnavailable"):
        value = spec.get(field)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int):
            if value < 0:
                found.append((f"spec.{field}", "FieldValueInvalid",
                              f"Invalid value: {value}: must be greater than or equal to 0"))
        elif not isinstance(value, str) or not re.fullmatch(r"[0-9]+%", value):
            found.append((f"spec.{field}", "FieldValueInvalid",
                          f"Invalid value: \"{value}\": must be an integer or percentage (e.g '5%')"))
        elif int(value[:-1]) > 100:
            found.append((f"spec.{field}", "FieldValueInvalid",
                          f"Invalid value: \"{value}\": must not be greater than 100%"))
    return found
