"""Reading and writing kops manifests: multi-document YAML in, typed objects out, and back.

Cluster and InstanceGroup documents become models; documents of other kinds are carried along unchanged as
:class:`AdditionalObject`. Every problem is reported as a one-line error naming the source, the document
and the field path.
"""

from collections.abc import Iterable
from typing import Any

import yaml
from kops.errors import KopsError
from pydantic import ValidationError

from .additional import AdditionalObject
from .base import KopsModel
from .cluster import Cluster
from .errors import ManifestError, describe, from_validation_error
from .instancegroup import InstanceGroup
from .meta import API_VERSION, GROUP

KopsObject = Cluster | InstanceGroup | AdditionalObject

MODELS: dict[str, type[Cluster] | type[InstanceGroup]] = {"Cluster": Cluster, "InstanceGroup": InstanceGroup}
# Other kinds of the kops group that upstream reads from the same manifests; kept as additional objects.
OTHER_KOPS_KINDS = frozenset({"Keyset", "SSHCredential", "Host"})

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe YAML with the rules upstream's parser applies: timestamps stay strings, duplicate keys are errors."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                continue  # unhashable keys are reported by the base constructor
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


class _Dumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """Block-style YAML like upstream prints it: multi-line strings (scripts, manifests) as ``|`` blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _document_label(doc: dict[str, Any], index: int | None) -> str:
    """``Kind/name`` when both are known, otherwise the document's position."""
    kind = doc.get("kind")
    metadata = doc.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    position = f"document {index}" if index is not None else "document"
    if isinstance(kind, str) and kind:
        return f"{kind}/{name}" if isinstance(name, str) and name else f"{kind} ({position})"
    return position


def from_dict(doc: Any, source: str = "<input>", index: int | None = None) -> KopsObject:
    """Turn one parsed document into a Cluster, InstanceGroup or AdditionalObject.

    ``index`` (1-based position in the file) is only used to name the document in errors.
    """
    if not isinstance(doc, dict):
        position = f"document {index}" if index is not None else "document"
        raise KopsError(f"{source}: {position}: expected an object with apiVersion and kind, got {describe(doc)}")
    label = _document_label(doc, index)
    kind = doc.get("kind")
    api_version = doc.get("apiVersion")
    for field, value in (("kind", kind), ("apiVersion", api_version)):
        if value is None:
            raise ManifestError(field, "required field is missing", document=label, source=source)
        if not isinstance(value, str) or not value:
            raise ManifestError(
                field, f"expected a non-empty string, got {describe(value)}", document=label, source=source
            )
    assert isinstance(kind, str) and isinstance(api_version, str)  # checked just above
    model = MODELS.get(kind)
    if model is None:
        if api_version.split("/")[0] == GROUP and kind not in OTHER_KOPS_KINDS:
            known = ", ".join(sorted([*MODELS, *OTHER_KOPS_KINDS]))
            raise ManifestError(
                "kind", f"unknown kind {kind!r} in {GROUP} (known kinds: {known})", document=label, source=source
            )
        return AdditionalObject(doc)
    if api_version != API_VERSION:
        raise ManifestError(
            "apiVersion",
            f"unsupported apiVersion {api_version!r} for {kind}: expected {API_VERSION}",
            document=label,
            source=source,
        )
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        raise from_validation_error(model, exc, document=label, source=source) from None


def load_objects(text: str, source: str = "<input>") -> list[KopsObject]:
    """Parse a multi-document YAML manifest; empty documents are skipped."""
    objects: list[KopsObject] = []
    try:
        for index, doc in enumerate(yaml.load_all(text, Loader=_Loader), start=1):
            if doc is not None:
                objects.append(from_dict(doc, source=source, index=index))
    except yaml.YAMLError as exc:
        raise KopsError(f"{source}: {_yaml_problem(exc)}") from None
    return objects


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML syntax error on one line: position first, then what is wrong."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}invalid YAML: {problem}"


def to_dict(obj: KopsObject) -> dict[str, Any]:
    """The object as a plain tree with upstream's field names (unset fields omitted, empty objects kept)."""
    return obj.to_dict()


def dump_yaml(objs: KopsObject | Iterable[KopsObject]) -> str:
    """Multi-document YAML, ``---`` between documents, keys sorted as upstream prints them."""
    if isinstance(objs, KopsModel | AdditionalObject):
        objs = [objs]
    docs = [
        yaml.dump(
            to_dict(obj), Dumper=_Dumper, sort_keys=True, default_flow_style=False, allow_unicode=True, width=1 << 20
        )
        for obj in objs
    ]
    return "---\n".join(docs)
