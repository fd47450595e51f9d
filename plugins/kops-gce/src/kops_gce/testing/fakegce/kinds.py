"""What every Compute resource type shares, and the hooks by which each type differs (:class:`Kind`).

A type names its collection, the scopes it lives in, and answers: what to check and fill in on insert
(``prepare``), what follows once it exists (``created``) or before it goes (``deleting``), which other
resources' references stop its deletion (``blockers``), what the API computes when showing it (``view``), and
its custom methods (``POST .../NAME/METHOD``, by the name in ``methods``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from kops_gce.testing.fakegce.errors import bad_reference, condition_not_met, required
from kops_gce.testing.fakegce.store import Ref, fingerprint, parse_ref
from kops_gce.testing.fakegce.validation import check_labels

if TYPE_CHECKING:
    from kops_gce.testing.fakegce.compute import Compute

#: Keys never read as references when looking for a resource's users.
_NOT_REFERENCES = frozenset({"selfLink", "selfLinkWithId", "metadata", "zone", "region", "instanceGroup"})

Body = dict[str, Any]


class Kind:
    collection: ClassVar[str] = ""
    #: The kinds of scope it lives in: "global", "regions", "zones".
    scopes: ClassVar[tuple[str, ...]] = ("global",)
    kind: ClassVar[str] = ""
    #: The word for it in "The WORD resource ... is already being used by ...".
    word: ClassVar[str] = ""
    labels: ClassVar[bool] = False
    #: Collections whose references to a resource of this type stop its deletion.
    blockers: ClassVar[tuple[str, ...]] = ()
    #: Whether that refusal comes inside the operation (as for networks) rather than as an immediate 400.
    in_use_fails_operation: ClassVar[bool] = False
    #: "patch" and/or "update" (PUT), where the API offers them.
    mutable: ClassVar[tuple[str, ...]] = ()
    #: Whether patch and update must carry the resource's current ``fingerprint`` (otherwise it is checked
    #: only when given).
    fingerprint_required: ClassVar[bool] = False
    #: Fields a caller cannot set or change.
    output_only: ClassVar[tuple[str, ...]] = ()
    #: Custom methods: API method name -> name of the method on this class, called (api, ref, resource, body,
    #: query) and returning the operation (or the answer, for reads).
    methods: ClassVar[dict[str, str]] = {}

    def prepare(self, api: Compute, ref: Ref, res: Body) -> None:
        """Check a new resource and fill in its defaults and output fields (it is not stored yet)."""

    def created(self, api: Compute, ref: Ref, res: Body) -> None:
        """What follows from the resource existing (it is stored)."""

    def deleting(self, api: Compute, ref: Ref, res: Body) -> None:
        """What goes with the resource (it is still stored, and nothing blocks its deletion)."""

    def deleted(self, api: Compute, ref: Ref, res: Body) -> None:
        """What follows from the resource being gone."""

    def updated(self, api: Compute, ref: Ref, res: Body, before: Body) -> None:
        """Check and complete a patched or updated resource (``before`` is its earlier form)."""
        self.prepare(api, ref, res)

    def view(self, api: Compute, res: Body) -> Body:
        """The resource as shown: fields the API computes from other resources filled in."""
        return res

    def in_use_subject(self, ref: Ref) -> tuple[str, str]:
        """What an in-use refusal names as the resource in use: its word and path."""
        return self.word, ref.path

    def users(self, api: Compute, ref: Ref, res: Body) -> list[str]:
        """Links of the resources whose references stop this one's deletion."""
        found = []
        for collection in self.blockers:
            for _, other in api.state.each(ref.project, collection):
                if not other.get("_system") and _refers(other, ref.link):
                    found.append(other["selfLink"])
        return found


def _refers(value: Any, target: str, key: str = "") -> bool:
    if key in _NOT_REFERENCES:
        return False
    if isinstance(value, dict):
        return any(_refers(v, target, k) for k, v in value.items())
    if isinstance(value, list):
        return any(_refers(v, target, key) for v in value)
    return isinstance(value, str) and value == target


# --- helpers for the types' hooks ---

def resolve(api: Compute, ref: Ref, value: Any, field: str, collection: str, what: str,
            scope: str | None = None) -> Ref:
    """A reference in a request, checked to name an existing resource of ``collection``: its :class:`Ref`, or
    the 400 the API answers for a reference it cannot follow."""
    target = parse_ref(value, ref.project, scope or ref.scope, collection)
    if target is None or target.collection != collection or api.state.find(target) is None:
        raise bad_reference(field, value, what)
    return target


def resolve_field(api: Compute, ref: Ref, res: Body, key: str, field: str, collection: str, what: str,
                  scope: str | None = None, default: str | None = None) -> Ref | None:
    """Resolve ``res[key]`` (or ``default`` when absent) in place to the full link; None if absent."""
    value = res.get(key) or default
    if not value:
        return None
    target = resolve(api, ref, value, field, collection, what, scope)
    res[key] = target.link
    return target


def check_fingerprint(kind: Kind, res: Body, body: Body, field: str = "fingerprint") -> None:
    given = body.get(field)
    if not given:
        if kind.fingerprint_required:
            raise required(f"resource.{field}")
        return
    if given != res.get(field):
        raise condition_not_met(f"Invalid fingerprint. The resource fingerprint '{given}' does not match the "
                                f"current fingerprint '{res.get(field)}'.")


def set_labels(res: Body, body: Body, field: str = "labels") -> None:
    """A setLabels request: the labels fingerprint must be the current one (labels changed since it was read
    are a 412, as an absent fingerprint is)."""
    if body.get("labelFingerprint") != res.get("labelFingerprint"):
        raise condition_not_met("Labels fingerprint either invalid or resource labels have changed")
    res[field] = check_labels(body.get("labels"), "labels")
    res["labelFingerprint"] = fingerprint()
