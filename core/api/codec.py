"""Reading and writing kops manifests: multi-document YAML in, typed objects out, and back.

Cluster and InstanceGroup documents become models; documents of other kinds are carried along unchanged as
:class:`AdditionalObject`. Every problem is reported as a one-line error naming the source, the document
and the field path.
"""

from collections.abc import Iterable
from typing import Any

import yaml
from kops import manifests
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
        for index, doc in enumerate(yaml.load_all(text, Loader=manifests.Loader), start=1):  # noqa: S506 - safe
            if doc is not None:
                objects.append(from_dict(doc, source=source, index=index))
    except yaml.YAMLError as exc:
        raise KopsError(f"{source}: {manifests.problem(exc)}") from None
    return objects


def to_dict(obj: KopsObject) -> dict[str, Any]:
    """The object as a plain tree with upstream's field names (unset fields omitted, empty objects kept)."""
    return obj.to_dict()


def dump_yaml(objs: KopsObject | Iterable[KopsObject]) -> str:
    """Multi-document YAML, ``---`` between documents, keys sorted as upstream prints them."""
    if isinstance(objs, KopsModel | AdditionalObject):
        objs = [objs]
    return manifests.dump_all([to_dict(obj) for obj in objs])
