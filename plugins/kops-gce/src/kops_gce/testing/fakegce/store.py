"""The fake's state: projects, the resources in each by scope (``global``, ``regions/R``, ``zones/Z``) and
collection, their numeric IDs and links, and operations.

Resources are kept in their JSON form. Keys starting with ``_`` are the fake's own bookkeeping and never leave
it. Links are written as Google writes them, ``https://www.googleapis.com/compute/v1/projects/...``, whatever
address the fake listens on; references arrive as full URLs (any host), partial URLs (``projects/P/...``,
``global/networks/N``) or, where the API allows, bare names.
"""

from __future__ import annotations

import base64
import copy
import datetime
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from kops_gce.testing.fakegce.errors import not_found

BASE = "https://www.googleapis.com/compute/v1/"
_REF = re.compile(r"(?:^|/)projects/(?P<project>[^/]+)/(?P<scope>global|regions/[^/]+|zones/[^/]+)/"
                  r"(?P<collection>[A-Za-z]+)/(?P<name>[^/]+)(?P<rest>/.*)?$")
_SCOPED = re.compile(r"^(?P<scope>global|regions/[^/]+|zones/[^/]+)/(?P<collection>[A-Za-z]+)/(?P<name>[^/]+)$")
# Pacific time, as Compute stamps its resources.
_PACIFIC = datetime.timezone(datetime.timedelta(hours=-7))


def now() -> str:
    return datetime.datetime.now(_PACIFIC).isoformat(timespec="milliseconds")


def fingerprint() -> str:
    return base64.b64encode(secrets.token_bytes(8)).decode()


def path(project: str, scope: str, collection: str, name: str) -> str:
    return f"projects/{project}/{scope}/{collection}/{name}"


def link(project: str, scope: str, collection: str, name: str) -> str:
    return BASE + path(project, scope, collection, name)


def scope_link(project: str, scope: str) -> str:
    return f"{BASE}projects/{project}/{scope}"


@dataclass(frozen=True)
class Ref:
    project: str
    scope: str
    collection: str
    name: str

    @property
    def path(self) -> str:
        return path(self.project, self.scope, self.collection, self.name)

    @property
    def link(self) -> str:
        return BASE + self.path


def parse_ref(value: Any, project: str, scope: str | None = None, collection: str | None = None) -> Ref | None:
    """A reference as the API accepts it, resolved against the caller's project (and, for a bare name, the
    given scope and collection); None if it is no reference."""
    if not isinstance(value, str) or not value:
        return None
    m = _REF.search(value)
    if m and not m.group("rest"):
        return Ref(m.group("project"), m.group("scope"), m.group("collection"), m.group("name"))
    m = _SCOPED.match(value)
    if m:
        return Ref(project, m.group("scope"), m.group("collection"), m.group("name"))
    if "/" not in value and scope is not None and collection is not None:
        return Ref(project, scope, collection, value)
    return None


@dataclass
class Project:
    name: str
    number: str
    # (scope, collection) -> name -> resource
    resources: dict[tuple[str, str], dict[str, dict[str, Any]]] = field(default_factory=dict)
    # scope -> operation name -> operation
    operations: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    created: str = field(default_factory=now)


class State:
    """Everything the fake holds, behind one lock (handlers run on many threads)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.projects: dict[str, Project] = {}
        self._ids: set[str] = set()
        #: Polls an operation answers RUNNING before DONE (0: operations are done when returned).
        self.operation_polls = 0

    def new_id(self) -> str:
        while True:
            value = str(secrets.randbelow(9 * 10**18) + 10**18)
            if value not in self._ids:
                self._ids.add(value)
                return value

    def add_project(self, name: str) -> Project:
        if name not in self.projects:
            self.projects[name] = Project(name, str(secrets.randbelow(9 * 10**11) + 10**11))
        return self.projects[name]

    def project(self, name: str) -> Project:
        found = self.projects.get(name)
        if found is None:
            raise not_found(f"projects/{name}")
        return found

    # --- resources ---

    def table(self, project: str, scope: str, collection: str) -> dict[str, dict[str, Any]]:
        return self.project(project).resources.setdefault((scope, collection), {})

    def find(self, ref: Ref) -> dict[str, Any] | None:
        """The resource a reference names (by name, or by numeric ID as the API also accepts), or None."""
        project = self.projects.get(ref.project)
        if project is None:
            return None
        table = project.resources.get((ref.scope, ref.collection), {})
        if ref.name in table:
            return table[ref.name]
        if ref.name.isdigit():
            return next((r for r in table.values() if r.get("id") == ref.name), None)
        return None

    def get(self, ref: Ref) -> dict[str, Any]:
        found = self.find(ref)
        if found is None:
            self.project(ref.project)
            raise not_found(ref.path)
        return found

    def put(self, ref: Ref, resource: dict[str, Any]) -> None:
        self.table(ref.project, ref.scope, ref.collection)[ref.name] = resource

    def remove(self, ref: Ref) -> None:
        resource = self.get(ref)
        del self.table(ref.project, ref.scope, ref.collection)[resource["name"]]

    def each(self, project: str, collection: str) -> list[tuple[str, dict[str, Any]]]:
        """Every (scope, resource) of a collection in a project, across scopes."""
        found = []
        for (scope, coll), table in self.project(project).resources.items():
            if coll == collection:
                found.extend((scope, r) for r in table.values())
        return found

    def stamp(self, ref: Ref, resource: dict[str, Any], kind: str) -> dict[str, Any]:
        """Give a new resource what the API adds to every resource: kind, ID, creation time, links, scope."""
        resource.update(kind=kind, id=self.new_id(), creationTimestamp=now(), name=ref.name, selfLink=ref.link)
        if ref.scope.startswith("zones/"):
            resource["zone"] = scope_link(ref.project, ref.scope)
        elif ref.scope.startswith("regions/"):
            resource["region"] = scope_link(ref.project, ref.scope)
        return resource

    # --- operations ---

    def operation(self, project: str, scope: str, op_type: str, target: Ref | None,
                  target_id: str | None = None, failure: dict[str, Any] | None = None) -> dict[str, Any]:
        """Record an operation on ``target`` (done, or running for ``operation_polls`` polls) and return it."""
        name = f"operation-{int(time.time() * 1000)}-{secrets.token_hex(7)[:13]}-{secrets.token_hex(4)}-" \
               f"{secrets.token_hex(4)}"
        op_id = self.new_id()
        stamp = now()
        op: dict[str, Any] = {
            "kind": "compute#operation", "id": op_id, "name": name, "operationType": op_type,
            "status": "DONE", "user": "anonymous", "progress": 100, "insertTime": stamp, "startTime": stamp,
            "endTime": stamp,
            "selfLink": link(project, scope, "operations", name),
            "selfLinkWithId": link(project, scope, "operations", op_id),
        }
        if target is not None:
            op["targetLink"] = target.link
        if target_id:
            op["targetId"] = target_id
        if scope.startswith("zones/"):
            op["zone"] = scope_link(project, scope)
        elif scope.startswith("regions/"):
            op["region"] = scope_link(project, scope)
        if failure:
            op.update(failure)
        self.project(project).operations.setdefault(scope, {})[name] = op
        if self.operation_polls:
            op["_polls_left"] = self.operation_polls
        return self.view_operation(op, polled=False)

    def view_operation(self, op: dict[str, Any], polled: bool) -> dict[str, Any]:
        """The operation as a caller sees it now; a poll brings a running one closer to done."""
        if polled and op.get("_polls_left"):
            op["_polls_left"] -= 1
        shown = public(op)
        if op.get("_polls_left"):
            shown.update(status="RUNNING", progress=0)
            for key in ("endTime", "error", "httpErrorStatusCode", "httpErrorMessage"):
                shown.pop(key, None)
        return shown


def public(resource: Any) -> Any:
    """A deep copy without the fake's own ``_`` keys."""
    if isinstance(resource, dict):
        return {k: public(v) for k, v in resource.items() if not k.startswith("_")}
    if isinstance(resource, list):
        return [public(v) for v in resource]
    return copy.copy(resource)
