"""Plans: what a run would change, for people (Terraform-like text) and for machines (JSON).

A plan holds plain values only (see :mod:`kops.engine.values`): references by label, secrets as
``(sensitive)``. It also carries a digest of the state each resource was observed in, so a plan saved with
``--plan-out`` can be refused at ``--plan FILE --yes`` time when the cloud or the configuration has moved on.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from kops.engine.values import digest, display, from_json, to_json
from kops.errors import KopsError

SAVED_PLAN_FORMAT = 1


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"
    NONE = "none"


# symbol, sentence ending, legend; in the order Terraform lists them
_SHOWN = {
    Action.CREATE: ("+", "will be created", "create"),
    Action.UPDATE: ("~", "will be updated in-place", "update in-place"),
    Action.DELETE: ("-", "will be destroyed", "destroy"),
    Action.REPLACE: ("-/+", "must be replaced", "destroy and then create replacement"),
}


@dataclasses.dataclass(frozen=True)
class Change:
    """What happens to one resource; ``fields`` maps each field to ``(old, new)`` as plain values."""

    type: str
    name: str
    action: Action
    fields: Mapping[str, tuple[Any, Any]] = dataclasses.field(default_factory=dict)
    #: For a replace: the immutable fields whose change forces it.
    forces_replacement: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.type}/{self.name}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "name": self.name, "action": self.action.value,
                               "fields": {f: {"old": old, "new": new} for f, (old, new) in self.fields.items()}}
        if self.forces_replacement:
            out["forces_replacement"] = list(self.forces_replacement)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        fields = {f: (from_json(v["old"]), from_json(v["new"])) for f, v in data["fields"].items()}
        return cls(data["type"], data["name"], Action(data["action"]), fields,
                   tuple(data.get("forces_replacement", ())))

    def text_lines(self) -> list[str]:
        symbol, ending, _ = _SHOWN[self.action]
        lines = [f"{symbol:>3} {self.label} {ending}"]
        for name, (old, new) in self.fields.items():
            if self.action == Action.CREATE:
                lines.append(f"      + {name} = {display(new)}")
            elif self.action == Action.DELETE:
                lines.append(f"      - {name} = {display(old)}")
            else:
                forced = " # forces replacement" if name in self.forces_replacement else ""
                lines.append(f"      ~ {name} = {display(old)} -> {display(new)}{forced}")
        return lines


@dataclasses.dataclass(frozen=True)
class Plan:
    """The changes of a run, with warnings about shared resources and the observed state's digests."""

    changes: tuple[Change, ...]
    warnings: tuple[str, ...] = ()
    #: Resource label -> digest of its desired and observed state when the plan was made.
    resources: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def __init__(self, changes: Iterable[Change], warnings: Iterable[str] = (),
                 resources: Mapping[str, str] | None = None):
        object.__setattr__(self, "changes", tuple(changes))
        object.__setattr__(self, "warnings", tuple(warnings))
        object.__setattr__(self, "resources", dict(resources or {}))

    @property
    def has_changes(self) -> bool:
        return any(c.action != Action.NONE for c in self.changes)

    def counts(self) -> tuple[int, int, int]:
        """(to add, to change, to destroy), counting a replace as one add and one destroy."""
        actions = [c.action for c in self.changes]
        replaced = actions.count(Action.REPLACE)
        return (actions.count(Action.CREATE) + replaced, actions.count(Action.UPDATE),
                actions.count(Action.DELETE) + replaced)

    def summary(self) -> str:
        if not self.has_changes:
            return "No changes."
        add, change, destroy = self.counts()
        return f"Plan: {add} to add, {change} to change, {destroy} to destroy."

    def render_text(self) -> str:
        """The plan as Terraform prints one: a legend, each change with its fields, warnings, a summary."""
        lines: list[str] = []
        shown = [c for c in self.changes if c.action != Action.NONE]
        if shown:
            used = {c.action for c in shown}
            lines.append("Resource actions are indicated with the following symbols:")
            lines.extend(f"{symbol:>3} {legend}" for action, (symbol, _, legend) in _SHOWN.items() if action in used)
            lines.append("")
            lines.append("kops will perform the following actions:")
            for change in shown:
                lines.append("")
                lines.extend(change.text_lines())
            lines.append("")
        for warning in self.warnings:
            lines.append(f"Warning: {warning}")
        if self.warnings:
            lines.append("")
        lines.append(self.summary())
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        return {"changes": [c.to_dict() for c in self.changes], "warnings": list(self.warnings),
                "fingerprint": self.fingerprint()}

    def to_json(self) -> str:
        """The plan for people and scripts (``-o json``): only what would change, with the fingerprint."""
        shown = {**self.to_dict(), "changes": [c.to_dict() for c in self.changes if c.action != Action.NONE]}
        return to_json(shown, indent=2) + "\n"

    def fingerprint(self) -> str:
        """A digest of the desired and observed state behind the plan; equal plans of equal states match."""
        return digest({"resources": dict(sorted(self.resources.items())),
                       "changes": [c.to_dict() for c in self.changes]})


class StalePlanError(KopsError):
    """A saved plan was made against a state that no longer holds."""


def save_plan(path: str | Path, plan: Plan) -> None:
    """Write ``plan`` to ``path`` (``--plan-out``): changes, warnings, per-resource digests, fingerprint."""
    data = {"format": SAVED_PLAN_FORMAT, **plan.to_dict(), "resources": dict(sorted(plan.resources.items()))}
    Path(path).write_text(to_json(data, indent=2) + "\n", encoding="utf-8")


def load_plan(path: str | Path) -> Plan:
    """Read a plan written by :func:`save_plan`; a file that is not one is a :class:`KopsError`."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != SAVED_PLAN_FORMAT:
            raise ValueError(f"unknown format {data.get('format')!r}")
        plan = Plan([Change.from_dict(c) for c in data["changes"]], data["warnings"], data["resources"])
    except OSError as exc:
        raise KopsError(f"cannot read the saved plan {path}: {exc.strerror or exc}") from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KopsError(f"{path} is not a saved kops plan: {exc}") from exc
    if plan.fingerprint() != data.get("fingerprint"):
        raise KopsError(f"{path} has been edited since it was saved (its fingerprint does not match)")
    return plan


def verify_plan(saved: Plan, current: Plan) -> None:
    """Refuse (:class:`StalePlanError`) to apply ``saved`` unless ``current``, planned now, matches it."""
    if saved.fingerprint() == current.fingerprint():
        return
    labels = sorted(label for label in saved.resources.keys() | current.resources.keys()
                    if saved.resources.get(label) != current.resources.get(label))
    moved = f" (changed since: {', '.join(labels)})" if labels else ""
    raise StalePlanError(f"the saved plan no longer matches the cloud and the configuration{moved}; "
                         "make a new plan and review it")
