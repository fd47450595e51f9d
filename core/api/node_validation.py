"""Checks of values that a node (kubelet, systemd) or the cloud's API would refuse only later: refused when the
spec is written, with the field that holds them, rather than found on a machine that never joins.

The checks walk the spec as upstream writes it (a tree of dicts and lists), so every error names the path the
user wrote: taints, feature gates, eviction thresholds, node labels, values that end up on a unit file's command
line, and integers the cloud's APIs hold in 32 bits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

#: A Kubernetes qualified name: an optional DNS-subdomain prefix and ``/``, then a name of at most 63 characters.
_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$")
_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
#: The signals kubelet evicts on.
EVICTION_SIGNALS = ("memory.available", "nodefs.available", "nodefs.inodesFree", "imagefs.available",
                    "imagefs.inodesFree", "containerfs.available", "containerfs.inodesFree", "pid.available",
                    "allocatableMemory.available")
_QUANTITY = re.compile(r"^([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$")
_PERCENT = re.compile(r"^([0-9]+(\.[0-9]*)?|\.[0-9]+)%$")
_DURATION = re.compile(r"^(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$")
_GATE = re.compile(r"^[A-Za-z0-9]+$")
_BOOL_STRINGS = ("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False")
#: Spec sections whose values become flags on a unit's command line or lines of a configuration file.
COMPONENT_SECTIONS = ("kubelet", "masterKubelet", "kubeAPIServer", "kubeControllerManager", "kubeScheduler",
                      "kubeProxy", "cloudControllerManager", "containerd", "docker", "nodeLabels", "taints",
                      "cloudLabels", "etcdClusters")
#: Multi-line documents inside those sections (a containerd configuration), which are written to files whole.
DOCUMENTS = ("configOverride", "configAdditions")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
INT32 = (-(2**31), 2**31 - 1)
#: Integer fields that count or size something: never negative.
_NON_NEGATIVE = re.compile(r"(^minSize$|^maxSize$|Size$|^size$|Count$|Iops$|^iops$|Throughput$|^throughput$|"
                           r"^maxPods$|Replicas$|^replicas$)")


def qualified_name_problem(key: str) -> str | None:
    """Why ``key`` is not a Kubernetes label key (qualified name), or None."""
    prefix, _, name = key.rpartition("/")
    if "/" in prefix or (key.count("/") and not prefix):
        return f"{key!r} is not a qualified name: at most one '/', after a DNS prefix"
    if prefix and (len(prefix) > 253 or not _PREFIX.match(prefix)):
        return f"the prefix of {key!r} must be a lowercase DNS subdomain"
    if not name or len(name) > 63 or not _NAME.match(name):
        return (f"{key!r} is not a qualified name: at most 63 letters, digits, '-', '_' and '.', starting and "
                "ending with a letter or digit")
    return None


def label_value_problem(value: str) -> str | None:
    if value and (len(value) > 63 or not _NAME.match(value)):
        return (f"{value!r} is not a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending "
                "with a letter or digit")
    return None


def taint_problem(taint: str) -> str | None:
    """Why ``taint`` (``key[=value]:Effect``) would be refused by kubelet, or None."""
    head, colon, effect = taint.rpartition(":")
    if not colon or effect not in TAINT_EFFECTS:
        return f"{taint!r} is not a taint: expected key[=value]:Effect, Effect one of {', '.join(TAINT_EFFECTS)}"
    key, _, value = head.partition("=")
    return qualified_name_problem(key) or label_value_problem(value)


def _thresholds(text: str, separator: str, check: Any) -> str | None:
    for item in text.split(","):
        signal, sep, amount = item.strip().partition(separator)
        if not sep:
            return f"{item.strip()!r} is not signal{separator}value"
        if signal not in EVICTION_SIGNALS:
            return f"{signal!r} is not an eviction signal (one of {', '.join(EVICTION_SIGNALS)})"
        problem = check(amount)
        if problem:
            return f"{item.strip()!r}: {problem}"
    return None


def _amount(value: str) -> str | None:
    if _PERCENT.match(value):
        return None if float(value[:-1]) <= 100 else "a percentage is at most 100%"
    return None if _QUANTITY.match(value) else "expected a quantity (100Mi) or a percentage (10%)"


def _duration(value: str) -> str | None:
    return None if _DURATION.match(value) else "expected a duration such as 1m30s"


def eviction_problem(field: str, value: str) -> str | None:
    """Why kubelet would refuse one of its eviction settings, or None."""
    if field in ("evictionHard", "evictionSoft"):
        return _thresholds(value, "<", _amount)
    if field == "evictionSoftGracePeriod":
        return _thresholds(value, "=", _duration)
    if field == "evictionMinimumReclaim":
        return _thresholds(value, "=", _amount)
    return None


def _walk(value: Any, path: str, field: str = "") -> Iterator[tuple[str, str, str, Any]]:
    """Every (path, field name, parent's field name, value) in a tree, depth first; list items carry their list's
    field name."""
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            yield child, str(key), field, item
            yield from _walk(item, child, str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield f"{path}[{i}]", field, field, item
            yield from _walk(item, f"{path}[{i}]", field)


def problems(tree: dict[str, Any]) -> list[tuple[str, str]]:
    """``(path, reason)`` for every value in a Cluster's or InstanceGroup's tree that a node or the cloud would
    refuse."""
    found: list[tuple[str, str]] = []
    for path, field, parent, value in _walk(tree, ""):
        found += [(path, reason) for reason in _value_problems(path, field, parent, value) if reason]
    return found


def _value_problems(path: str, field: str, parent: str, value: Any) -> Iterator[str | None]:
    if parent == "featureGates" and not isinstance(value, dict | list):
        if not _GATE.match(field):
            yield f"{field!r} is not a feature gate's name (letters and digits)"
        elif not isinstance(value, bool) and str(value) not in _BOOL_STRINGS:
            yield f"{value!r} is not true or false"
        return
    if parent == "nodeLabels" and isinstance(value, str):
        yield qualified_name_problem(field) or label_value_problem(value)
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not INT32[0] <= value <= INT32[1]:
            yield f"{value} is out of range: at most {INT32[1]}"
        elif value < 0 and _NON_NEGATIVE.search(field):
            yield f"must not be negative (it is {value})"
        return
    if field == "taints" and isinstance(value, str):
        yield taint_problem(value)
    elif isinstance(value, str):
        if field.startswith("eviction"):
            yield eviction_problem(field, value)
        section = path.split(".")[1].split("[")[0] if path.startswith("spec.") and "." in path else ""
        if section in COMPONENT_SECTIONS and field not in DOCUMENTS and _CONTROL.search(value):
            yield ("holds a control character (a line break?): it would be written into a unit file or a flag, "
                   "where it ends the line")
