"""JSON Schema (draft 2020-12) for the kops kinds, for editors and yaml-language-server.

Generated from the same models that load manifests, so the schema accepts exactly what ``load_objects``
accepts: properties by their JSON names, no unknown properties, int-or-string fields as either.
"""

from typing import Any

from kops.errors import KopsError
from pydantic.json_schema import GenerateJsonSchema

from .codec import MODELS

DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Generator(GenerateJsonSchema):
    """Leaves out per-field titles (they would only repeat the field name) and ``default: null``."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: Any) -> dict[str, Any]:
        generated = super().default_schema(schema)
        if generated.get("default", ...) is None:
            del generated["default"]
        return generated


def _kind_schema(kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The schema of one kind without its ``$defs``, and those ``$defs``."""
    model = MODELS.get(kind)
    if model is None:
        raise KopsError(f"no schema for kind {kind!r}: expected one of {', '.join(sorted(MODELS))}")
    schema = model.model_json_schema(by_alias=True, mode="validation", schema_generator=_Generator)
    defs = schema.pop("$defs", {})
    # A manifest document must say what it is; the models default these only for objects built in code.
    schema["required"] = [
        "apiVersion",
        "kind",
        *[name for name in schema.get("required", []) if name not in ("apiVersion", "kind")],
    ]
    return schema, defs


def json_schema(kind: str) -> dict[str, Any]:
    """The schema of one kind (``Cluster`` or ``InstanceGroup``)."""
    schema, defs = _kind_schema(kind)
    return {"$schema": DIALECT, **schema, "$defs": defs}


def manifest_schema() -> dict[str, Any]:
    """One schema for every document of a multi-document manifest.

    A document is checked against the Cluster or InstanceGroup schema according to its ``kind``; documents of
    other kinds (additional objects) are not constrained.
    """
    branches, defs = [], {}
    for kind in sorted(MODELS):
        schema, kind_defs = _kind_schema(kind)
        defs.update(kind_defs)
        defs[kind] = schema
        branches.append(
            {"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]}, "then": {"$ref": f"#/$defs/{kind}"}}
        )
    return {"$schema": DIALECT, "title": "kops manifest document", "type": "object", "allOf": branches, "$defs": defs}
