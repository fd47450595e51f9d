"""Sections of the Cluster spec that plugins own: ``spec.<name>``, typed by the plugin's own model.

The API is closed, so that a misspelt field is reported instead of silently dropped. A plugin that needs
settings of its own declares a section through the ``kops_spec_sections`` hook; ``spec.<name>`` is then
validated against the plugin's model, its errors named by their full path like a built-in field's, and
kept in the spec as that model's instance. Any other key the core does not know is still an error.

The installed sections are looked up (:func:`kops.plugins.spec_sections`) only when a spec carries a key
the core does not know, or when the JSON Schema is exported, so specs without sections cost nothing.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import GetJsonSchemaHandler, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_core.core_schema import ErrorType

from .base import KopsModel
from .errors import field_path

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .cluster import Cluster

_NAME = re.compile(r"^[a-z][A-Za-z0-9]*$")
# Error types pydantic can rebuild from their context; any other (a custom one) is carried by its message.
_KNOWN_ERRORS = frozenset(typing.get_args(ErrorType))


@dataclass(frozen=True)
class SpecSection:
    """``spec.<name>``, owned by the plugin whose ``kops_spec_sections`` hook returns it."""

    #: The key under ``spec``, camelCase like the API's own (``acmeAuditAgent``): inference rules and error
    #: messages address it with dotted paths, so it cannot hold a dot.
    name: str
    #: The section's model. A :class:`KopsModel` subclass, so the section is as strict and closed as the rest
    #: of the API and round-trips through YAML unchanged.
    model: type[KopsModel]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ValueError(f"spec section name {self.name!r}: expected a camelCase key such as acmeAuditAgent")
        if not (isinstance(self.model, type) and issubclass(self.model, KopsModel)):
            raise TypeError(f"spec section {self.name!r}: its model must be a kops.api.KopsModel subclass")


def spec_section(cluster: Cluster, name: str) -> Any:
    """``spec.<name>`` of ``cluster`` as its plugin model's instance, or None when the spec has no such section.

    Attribute access (``cluster.spec.acmeAuditAgent``) works too, but raises AttributeError when the section
    is absent; this is the way to read a section that is optional.
    """
    return (cluster.spec.model_extra or {}).get(name)


def validate_sections(values: dict[str, Any]) -> None:
    """Replace each value of ``values`` (a ClusterSpec's keys the core does not know) by its section's model
    instance, in place.

    Raises one :class:`ValidationError` holding every problem, each located under its key as pydantic
    locates a built-in field's, so the message reads ``spec.acmeAuditAgent.endpoint: ...``. A key that no
    installed plugin declares is an unknown field, as a misspelt built-in one is, and the message says that no
    plugin provides it, since installing one is a fix.
    """
    from kops.plugins import spec_sections

    installed = spec_sections()
    problems: list[InitErrorDetails] = []
    for key, value in values.items():
        section = installed.get(key)
        if section is None:
            unclaimed = PydanticCustomError("unclaimed_field", "unknown field (no installed plugin provides it)")
            problems.append(InitErrorDetails(type=unclaimed, loc=(key,), input=value))
            continue
        if value is None:  # ``name: null`` leaves a section unset, as it does a built-in field
            continue
        try:
            values[key] = section.model.model_validate(value)
        except ValidationError as exc:
            problems.extend(_located(key, section.model, exc))
    if problems:
        raise ValidationError.from_exception_data("ClusterSpec", problems)


def _located(key: str, model: type[KopsModel], exc: ValidationError) -> list[InitErrorDetails]:
    """``exc``'s errors moved under ``key``, with the type and context that :mod:`kops.api.errors` words them by.

    The path inside the section is rendered here, with the section's model: the ClusterSpec does not know that
    model, so it could not tell a map key (``tags[team]``) from a field as it does for built-in fields.
    """
    located = []
    for error in exc.errors(include_url=False):
        inner = field_path(model, error["loc"])
        details = InitErrorDetails(type=error["type"], loc=(key, inner) if inner else (key,), input=error["input"])
        if error["type"] not in _KNOWN_ERRORS:
            details["type"] = PydanticCustomError(error["type"], error["msg"])
        elif "ctx" in error:
            details["ctx"] = error["ctx"]
        located.append(details)
    return located


def add_section_schemas(json_schema: dict[str, Any], handler: GetJsonSchemaHandler) -> None:
    """Add the installed sections to the ClusterSpec's JSON Schema as properties, still refusing any other."""
    from kops.plugins import spec_sections

    target = handler.resolve_ref_schema(json_schema)
    target["additionalProperties"] = False
    for name, section in spec_sections().items():
        target["properties"][name] = handler(section.model.__pydantic_core_schema__)
