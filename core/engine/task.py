"""The task: one cloud resource, described by what it should look like.

A cloud plugin writes one subclass per resource type. Subclasses are dataclasses without being decorated
(``Task`` does it for them, keyword-only and compared by identity), so a task file holds only its fields,
a few class-level declarations and its render methods::

    class Subnet(Task):
        network: Network                 # a reference: Subnet now depends on Network
        cidr: str | None = None          # None means "not specified": never compared
        zone: str | None = None
        id: str | None = None

        immutable_fields = {"cidr", "zone"}
        output_fields = {"id"}           # set by the cloud; copied from what find() returns

        def find(self, ctx): ...
        def render_direct(self, ctx, actual, changes): ...
        def delete_direct(self, ctx): ...
        def render_terraform(self, ctx, tf): ...

Dependencies come from the fields: every task found in a field, directly or inside lists, tuples, sets and
dict values, must be done before this one; ``depends_on`` adds others. Comparison is field by field:
references match when they name the same task (type and name) or carry the same ID.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self, dataclass_transform

from kops.engine.hcl import Expr, resource_name
from kops.engine.lifecycle import Lifecycle

if TYPE_CHECKING:  # pragma: no cover - typing only
    from kops.engine.context import Context
    from kops.engine.targets.terraform import TerraformWriter

#: A task's identity in a run: (type name, resource name).
TaskKey = tuple[str, str]

#: What ``render_direct`` is told changed: field -> (actual value, desired value).
Changes = Mapping[str, tuple[Any, Any]]

#: What plans, logs and reprs show in place of a secret field's value.
SENSITIVE = "(sensitive)"

#: Fields every task has; they say which resource and how to treat it, not what it looks like.
BASE_FIELDS = ("name", "lifecycle", "depends_on")


def key_label(key: TaskKey) -> str:
    """How a task is named in plans, errors and logs: ``Subnet/us-test-1a.example.com``."""
    return f"{key[0]}/{key[1]}"


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """A task class's fields, sorted by role; computed once per class."""

    compared: tuple[str, ...]
    outputs: tuple[str, ...]
    secrets: frozenset[str]
    immutable: frozenset[str]


@dataclass_transform(kw_only_default=True, eq_default=False)
@dataclasses.dataclass(kw_only=True, eq=False, repr=False)
class Task:
    """One cloud resource. Subclass it; see the module docstring for a complete example."""

    #: The type part of the key; defaults to the class name.
    type_name: ClassVar[str] = ""
    #: Fields that cannot change in place: a difference there is a replace or an error.
    immutable_fields: ClassVar[Collection[str]] = frozenset()
    #: Whether a difference in an immutable field may be fixed by deleting and re-creating the resource.
    replace_on_immutable_change: ClassVar[bool] = False
    #: Advice appended to the error when an immutable field differs and replacing is not allowed.
    immutable_advice: ClassVar[str] = "delete the resource, or undo the change, and run the update again"
    #: Fields never compared (values the cloud normalises, timestamps).
    ignored_fields: ClassVar[Collection[str]] = frozenset()
    #: Fields the cloud assigns (``id``): never compared, copied from the actual resource when found.
    output_fields: ClassVar[Collection[str]] = frozenset()
    #: Fields whose values never appear in plans, logs or Terraform files.
    secret_fields: ClassVar[Collection[str]] = frozenset()
    #: The field holding the cloud's ID; references with equal IDs are the same resource.
    id_field: ClassVar[str] = "id"
    #: The Terraform resource type (``aws_vpc``) for references and the terraform target.
    terraform_type: ClassVar[str] = ""
    #: The attribute other resources reference by default (``id``; GCE often uses ``self_link``).
    terraform_id_attr: ClassVar[str] = "id"

    name: str
    lifecycle: Lifecycle = Lifecycle.SYNC
    #: Extra dependencies that no field expresses.
    depends_on: list[Task] = dataclasses.field(default_factory=list)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("type_name"):
            cls.type_name = cls.__name__
        dataclasses.dataclass(cls, kw_only=True, eq=False, repr=False)

    def __str__(self) -> str:
        return key_label(self.task_key)

    def __repr__(self) -> str:
        """Fields with references shortened to their labels and secrets hidden, so logging a task is safe."""
        secrets = set(self.secret_fields)  # not field_spec(): a repr must not raise on a misdeclared class
        parts = [f"name={self.name!r}"]
        for f in _own_fields(type(self)):
            value = getattr(self, f.name)
            shown = SENSITIVE if f.name in secrets and value is not None else _short(value)
            parts.append(f"{f.name}={shown}")
        return f"{type(self).__name__}({', '.join(parts)})"

    @property
    def task_key(self) -> TaskKey:
        return (self.type_name, self.name)

    @property
    def cloud_id(self) -> Any:
        """The value of the ID field, or None when the class has none or it is not known yet."""
        return getattr(self, self.id_field, None) if self.id_field else None

    # --- what the engine asks of every task -------------------------------------------------------

    def find(self, ctx: Context) -> Self | None:
        """The resource as the cloud has it (a task of the same class), or None if it does not exist.

        Look in ``ctx.snapshot`` rather than calling the cloud: it lists each type once per run.
        """
        raise NotImplementedError(f"{self.type_name} cannot look itself up (find is not implemented)")

    def render_direct(self, ctx: Context, actual: Self | None, changes: Changes) -> None:
        """Create the resource (``actual`` is None) or change the fields in ``changes`` through the cloud API.

        Set output fields (``id``) on ``self``: tasks that depend on this one run afterwards and read them.
        """
        raise NotImplementedError(f"{self.type_name} cannot be created or updated through the cloud API")

    def delete_direct(self, ctx: Context) -> None:
        """Delete the resource; called on the task ``find`` returned, so output fields are filled in."""
        raise NotImplementedError(f"{self.type_name} cannot be deleted through the cloud API")

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        """Add this resource to the Terraform configuration (``tf.add_resource(...)``); no cloud calls."""
        raise NotImplementedError(f"{self.type_name} cannot be written as Terraform")

    def render_terraform_shared(self, ctx: Context, tf: TerraformWriter) -> None:
        """Called instead of :meth:`render_terraform` for a shared resource, which Terraform must not own.

        Nothing by default; override to add a data source when dependents read attributes of it.
        """

    def terraform_ref(self, attr: str | None = None) -> Any:
        """How other resources refer to this one in Terraform: ``aws_vpc.main-example-com.id``.

        A shared resource is not a Terraform resource: its known ID is used as is, other attributes come
        from a data source of the same type and name (see :meth:`render_terraform_shared`).
        """
        if not self.terraform_type:
            raise NotImplementedError(f"{self.type_name} has no terraform_type")
        attr = attr or self.terraform_id_attr
        prefix = ""
        if self.lifecycle.shared:
            if attr == self.terraform_id_attr and self.cloud_id is not None:
                return self.cloud_id
            prefix = "data."
        return Expr(f"{prefix}{self.terraform_type}.{resource_name(self.name)}.{attr}")

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        """Whether a field already has its desired value; override to normalise a field (case, order)."""
        return values_equal(desired, actual)

    # --- what the engine does with them -----------------------------------------------------------

    @classmethod
    def field_spec(cls) -> FieldSpec:
        """The class's fields by role, checked against its declarations (computed once per class)."""
        spec = _specs.get(cls)
        if spec is None:
            spec = _specs[cls] = _field_spec(cls)
        return spec

    def dependencies(self) -> list[Task]:
        """Every task this one needs first, without duplicates, in field order."""
        seen: dict[TaskKey, Task] = {}
        for value in [*(getattr(self, f.name) for f in _own_fields(type(self))), self.depends_on]:
            for task in _tasks_in(value):
                seen.setdefault(task.task_key, task)
        return list(seen.values())

    def diff(self, actual: Self) -> dict[str, tuple[Any, Any]]:
        """The compared fields whose desired value is set and differs from ``actual``: field -> (old, new)."""
        changes = {}
        for name in self.field_spec().compared:
            want = getattr(self, name)
            if want is None:
                continue
            have = getattr(actual, name)
            if not self.field_equal(name, want, have):
                changes[name] = (have, want)
        return changes

    def desired_fields(self) -> dict[str, tuple[Any, Any]]:
        """Every compared field that is set, as changes from nothing: what creating the resource sets."""
        return {name: (None, getattr(self, name)) for name in self.field_spec().compared
                if getattr(self, name) is not None}

    def adopt_outputs(self, actual: Task) -> None:
        """Copy the cloud-assigned fields (``id``) of the found resource, so dependents can use them."""
        for name in self.field_spec().outputs:
            value = getattr(actual, name)
            if value is not None:
                setattr(self, name, value)


def values_equal(desired: Any, actual: Any) -> bool:
    """Structural equality where a task reference matches the same task (key) or the same cloud ID.

    ``actual`` may hold a bare ID where the desired value holds a task: a cloud often reports only that.
    """
    if isinstance(desired, Task):
        if isinstance(actual, Task):
            return desired.task_key == actual.task_key or (desired.cloud_id is not None and desired.cloud_id == actual.cloud_id)
        return actual is not None and desired.cloud_id == actual
    if isinstance(desired, Mapping):
        return (isinstance(actual, Mapping) and desired.keys() == actual.keys()
                and all(values_equal(v, actual[k]) for k, v in desired.items()))
    if isinstance(desired, list | tuple):
        return (isinstance(actual, list | tuple) and len(desired) == len(actual)
                and all(values_equal(d, a) for d, a in zip(desired, actual, strict=True)))
    return bool(desired == actual)


def _short(value: Any) -> str:
    if isinstance(value, Task):
        return f"<{value}>"
    if isinstance(value, list | tuple) and any(isinstance(v, Task) for v in value):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return repr(value)


def _own_fields(cls: type[Task]) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if f.name not in BASE_FIELDS]


def _tasks_in(value: Any) -> Iterator[Task]:
    if isinstance(value, Task):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _tasks_in(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _tasks_in(item)


_specs: dict[type[Task], FieldSpec] = {}


def _field_spec(cls: type[Task]) -> FieldSpec:
    names = [f.name for f in _own_fields(cls)]
    shadowing = sorted(set(names) & set(dir(Task)))
    if shadowing:
        raise TypeError(f"{cls.__name__} has fields named like Task attributes: {', '.join(shadowing)}; rename them")
    declared = {"immutable_fields": cls.immutable_fields, "ignored_fields": cls.ignored_fields,
                "output_fields": cls.output_fields, "secret_fields": cls.secret_fields}
    for attr, fields in declared.items():
        unknown = sorted(set(fields) - set(names))
        if unknown:
            raise TypeError(f"{cls.__name__}.{attr} names fields it does not have: {', '.join(unknown)}")
    skipped = set(cls.ignored_fields) | set(cls.output_fields)
    return FieldSpec(
        compared=tuple(n for n in names if n not in skipped),
        outputs=tuple(n for n in names if n in cls.output_fields),
        secrets=frozenset(cls.secret_fields),
        immutable=frozenset(cls.immutable_fields),
    )
