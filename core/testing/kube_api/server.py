"""The fake API server itself: HTTP on loopback, routing, storage with resource versions, and the generic verbs
(create, get, list, update, the three patches and server-side apply, delete) with the real server's answers.

Every write goes through :meth:`FakeKubeAPI._write`, which bumps the cluster's revision only when the object really
changed (a no-op patch keeps its ``resourceVersion``, as etcd-backed storage does). After each request, and on
:meth:`FakeKubeAPI.tick`, the controller simulation (:mod:`.controllers`) runs until nothing changes, so what a
client reads next is what a settled cluster would show.
"""

from __future__ import annotations

import base64
import copy
import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import disruption, errors, pods, strategies
from .controllers import Controllers
from .errors import ApiError
from .history import Entry, History
from .kinds import (
    BUILTIN_KINDS,
    HAS_GENERATION,
    INITIAL_NAMESPACES,
    RETURNS_DELETED_OBJECT,
    STATUS_SUBRESOURCE,
    SUBRESOURCES,
    VERBS,
    Kind,
)
from .patches import JSON_PATCH, MERGE, STRATEGIC, json_patch, merge_patch, strategic_merge_patch
from .selectors import parse_field_selector, parse_label_selector

APPLY = "application/apply-patch+yaml"
MERGE_PATCHES = (MERGE, STRATEGIC)
#: Characters of generated name suffixes, as the real server picks them (no vowels, no look-alikes).
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


@dataclass
class Request:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    content_type: str
    body: Any
    status: int = 0


@dataclass(frozen=True)
class Target:
    """What a request path addresses: a kind, a namespace (empty when cluster-wide), a name (empty for the
    collection) and a subresource (``status``, ``eviction``) or empty."""

    kind: Kind
    namespace: str
    name: str
    subresource: str


class FakeKubeAPI:
    """The server and its objects. Start it with ``with`` (or :meth:`start`); it listens on 127.0.0.1.

    ``controllers``: run the controller simulation (scheduler, kubelets' pod lifecycle, ReplicaSets, Deployments,
    DaemonSets, garbage collection, disruption budgets). ``pod_start_delay``: seconds from a pod's binding to a node
    until it runs and is ready. ``pod_stop_delay``: seconds a pod being deleted takes to stop, at most its grace
    period (None: the whole grace period, as for a process that ignores SIGTERM). ``clock``: monotonic seconds; pass
    one you advance by hand for tests that must not depend on timing.
    """

    def __init__(self, kubernetes_version: str = "1.35.0", *, controllers: bool = True, pod_start_delay: float = 0.0,
                 pod_stop_delay: float | None = 0.0, clock: Callable[[], float] = time.monotonic):
        self.kubernetes_version = kubernetes_version
        self.pod_start_delay, self.pod_stop_delay, self.clock = pod_start_delay, pod_stop_delay, clock
        self.kinds: dict[tuple[str, str, str], Kind] = {}
        for entry in BUILTIN_KINDS:
            self._learn(Kind(*entry))
        #: Objects by (group, plural, namespace or "", name).
        self.objects: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self.requests: list[Request] = []
        self.history = History()
        self._lock = threading.RLock()
        self._revision = 0
        self._server: ThreadingHTTPServer | None = None
        self._random = random.Random(0)
        #: When each terminating pod (by uid) will have stopped.
        self._stops: dict[str, float] = {}
        #: Static pod manifests by node name, then pod name: their mirror pods are kept by the simulated kubelet.
        self.static_pods: dict[str, dict[str, dict[str, Any]]] = {}
        self._controllers = Controllers(self) if controllers else None
        for name in INITIAL_NAMESPACES:
            self._insert(self.kind("v1", "Namespace"), "", {"apiVersion": "v1", "kind": "Namespace",
                                                            "metadata": {"name": name}})

    # --- running ------------------------------------------------------------------------------------

    def start(self) -> FakeKubeAPI:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        # A short poll interval: stopping waits for the serving loop to notice.
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-kube-api", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeKubeAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake API server is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def api_client(self) -> Any:
        """An official ``kubernetes`` client pointed at this server."""
        from kubernetes import client

        configuration = client.Configuration()
        configuration.host = self.url
        return client.ApiClient(configuration)

    def kubeconfig(self, context: str) -> dict[str, Any]:
        """A kubeconfig whose context ``context`` (also current) points at this server."""
        return {"apiVersion": "v1", "kind": "Config", "current-context": context,
                "clusters": [{"name": context, "cluster": {"server": self.url}}],
                "users": [{"name": context, "user": {"token": "fake"}}],
                "contexts": [{"name": context, "context": {"cluster": context, "user": context}}]}

    # --- what tests use -------------------------------------------------------------------------------

    def tick(self) -> None:
        """Let time-driven changes happen now (pods starting and stopping, controllers catching up); requests do
        this too, so tests need it only to look without asking over HTTP."""
        with self._lock:
            self._settle()

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        """The stored object, or None."""
        group, _, version = api_version.rpartition("/")
        found = self.kinds.get((group, version, kind))
        if found is None:
            return None
        with self._lock:
            self._settle()
            return copy.deepcopy(self._find(found, (namespace or "") if found.namespaced else "", name))

    def select(self, api_version: str, kind: str, namespace: str | None = None, label_selector: str = "",
               field_selector: str = "") -> list[dict[str, Any]]:
        """The stored objects of a kind, optionally in one namespace and filtered as a list request would be."""
        with self._lock:
            self._settle()
            target = Target(self.kind(api_version, kind), namespace or "", "", "")
            query = {"labelSelector": [label_selector], "fieldSelector": [field_selector]}
            return copy.deepcopy(self._list(target, query)["items"])

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Create an object as a POST would (defaults, validation, generated names); returns what was stored."""
        with self._lock:
            self._settle()
            kind = self.kind(obj.get("apiVersion", ""), obj.get("kind", ""))
            namespace = (obj.get("metadata") or {}).get("namespace", "default") if kind.namespaced else ""
            created = copy.deepcopy(self._create(Target(kind, namespace, "", ""), copy.deepcopy(obj)))
            self._settle()
            return created

    def set_pod_ready(self, namespace: str, name: str, ready: bool = True) -> None:
        """Make a pod's readiness probe pass or fail; it stays so until changed again."""
        with self._lock:
            self._modify(self.kind("v1", "Pod"), namespace, name, pods.set_ready, ready)
            self._settle()

    def fail_pod(self, namespace: str, name: str, reason: str = "Error") -> None:
        """Make a pod's containers exit with an error: phase ``Failed``; its controller replaces it."""
        with self._lock:
            self._modify(self.kind("v1", "Pod"), namespace, name, pods.fail, reason)
            self._settle()

    def set_node_ready(self, name: str, ready: bool = True) -> None:
        """Make a node's kubelet report Ready or stop reporting (``Unknown``), as when it dies."""
        with self._lock:
            self._modify(self.kind("v1", "Node"), "", name, pods.report_ready, ready)
            self._settle()

    def add_static_pod(self, node: str, manifest: dict[str, Any]) -> None:
        """Give a node's kubelet a static pod: its mirror pod (``NAME-NODE``) appears on the API while the node
        exists, and comes back when deleted, as a kubelet keeps it."""
        with self._lock:
            self.static_pods.setdefault(node, {})[manifest["metadata"]["name"]] = copy.deepcopy(manifest)
            self._settle()

    def applies(self) -> list[Request]:
        """The server-side apply requests received, in order."""
        return [r for r in self.requests if r.method == "PATCH" and r.content_type == APPLY]

    def deletes(self) -> list[Request]:
        """The delete requests received, in order."""
        return [r for r in self.requests if r.method == "DELETE"]

    # --- the API --------------------------------------------------------------------------------------

    def kind(self, api_version: str, kind: str) -> Kind:
        group, _, version = api_version.rpartition("/")
        found = self.kinds.get((group, version, kind))
        if found is None:
            raise ApiError(404, "NotFound", f"no kind {kind!r} is registered for version {api_version!r}")
        return found

    def _learn(self, kind: Kind) -> None:
        self.kinds[kind.group, kind.version, kind.kind] = kind

    def handle(self, method: str, path: str, query: dict[str, list[str]], content_type: str,
               body: Any) -> tuple[int, Any]:
        with self._lock:
            self._settle()
            if method == "GET":
                discovered = self._discovery(path)
                if discovered is not None:
                    return 200, discovered
            if query.get("dryRun"):
                raise errors.bad_request("dryRun is not supported by this fake API server")
            if query.get("watch") and query["watch"][0] not in ("", "0", "false"):
                raise ApiError(405, "MethodNotAllowed", "watch is not supported by this fake API server")
            if method in ("POST", "PUT") and isinstance(body, str):
                raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                                                            "accepted media types include: application/json, "
                                                            "application/yaml")
            status, payload = self._dispatch(method, self._parse(path), query, content_type, body)
            payload = copy.deepcopy(payload)
            self._settle()
            return status, payload

    def _dispatch(self, method: str, target: Target, query: dict[str, list[str]], content_type: str,
                  body: Any) -> tuple[int, Any]:
        if target.subresource == "eviction":
            if method != "POST":
                raise _not_allowed(method, target)
            return disruption.evict(self, target.namespace, target.name, body)
        if method == "GET":
            return 200, self._read(target) if target.name else self._list(target, query)
        if method == "POST" and not target.name and (target.namespace or not target.kind.namespaced):
            return 201, self._create(target, body)
        if method == "PUT" and target.name:
            return 200, self._update(target, body)
        if method == "PATCH" and target.name:
            if content_type == APPLY and not target.subresource:
                return self._apply(target, query, body)
            return 200, self._patch(target, content_type, body)
        if method == "DELETE" and target.name and not target.subresource:
            return 200, self._delete(target, query, body)
        raise _not_allowed(method, target)

    def _discovery(self, path: str) -> Any:
        if path == "/version":
            major, minor, *_ = self.kubernetes_version.split(".")
            return {"major": major, "minor": minor, "gitVersion": f"v{self.kubernetes_version}"}
        if path == "/api":
            return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}
        if path == "/apis":
            groups: dict[str, list[str]] = {}
            for kind in self.kinds.values():
                if kind.group and kind.version not in groups.setdefault(kind.group, []):
                    groups[kind.group].append(kind.version)
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": group, "versions": [{"groupVersion": f"{group}/{v}", "version": v} for v in versions],
                 "preferredVersion": {"groupVersion": f"{group}/{versions[0]}", "version": versions[0]}}
                for group, versions in sorted(groups.items())]}
        parts = path.strip("/").split("/")
        if parts == ["api", "v1"]:
            group_version = "v1"
        elif parts[0] == "apis" and len(parts) == 3:
            group_version = f"{parts[1]}/{parts[2]}"
        else:
            return None
        resources = []
        for k in self.kinds.values():
            if k.group_version != group_version:
                continue
            resources.append({"name": k.plural, "singularName": k.kind.lower(), "namespaced": k.namespaced,
                              "kind": k.kind, "verbs": VERBS})
            for plural, sub, sub_kind, verbs, group, version in SUBRESOURCES:
                if plural == k.plural and not k.custom:
                    resources.append({"name": f"{plural}/{sub}", "singularName": "", "namespaced": k.namespaced,
                                      **({"group": group, "version": version} if group else {}),
                                      "kind": sub_kind or k.kind, "verbs": verbs})
        if not resources:
            raise errors.no_such_resource(path)
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}

    def _parse(self, path: str) -> Target:
        """What a resource path addresses."""
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "v1"]:
            group, version, rest = "", "v1", parts[2:]
        elif parts[0] == "apis" and len(parts) >= 4:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise errors.no_such_resource(path)
        namespace = ""
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            raise errors.no_such_resource(path)
        kind = next((k for k in self.kinds.values() if (k.group, k.version, k.plural) == (group, version, rest[0])),
                    None)
        if kind is None:
            raise errors.no_such_resource(path)
        if kind.namespaced != bool(namespace) and not (kind.namespaced and len(rest) == 1):
            raise errors.no_such_resource(path)
        subresource = rest[2] if len(rest) == 3 else ""
        known = {sub for plural, sub, *_ in SUBRESOURCES if plural == kind.plural and not kind.custom}
        if subresource and subresource not in known:
            raise errors.no_such_resource(path)
        return Target(kind, namespace, rest[1] if len(rest) >= 2 else "", subresource)

    # --- storage --------------------------------------------------------------------------------------

    def _find(self, kind: Kind, namespace: str, name: str) -> dict[str, Any] | None:
        return self.objects.get((kind.group, kind.plural, namespace, name))

    def _items(self, kind: Kind, namespace: str | None = None) -> list[dict[str, Any]]:
        """The stored objects of a kind (in one namespace, or all), in the order the real server lists them.
        These are the stored dicts: copy before changing one."""
        return [o for (g, p, ns, _), o in sorted(self.objects.items())
                if (g, p) == (kind.group, kind.plural) and (namespace is None or ns == namespace)]

    def _uids(self) -> set[str]:
        return {o["metadata"]["uid"] for o in self.objects.values()}

    def _write(self, kind: Kind, namespace: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Store ``obj`` (a new dict, not the stored one); the revision moves on only when something changed."""
        metadata = obj["metadata"]
        key = (kind.group, kind.plural, namespace, metadata["name"])
        old = self.objects.get(key)
        if old is not None:
            metadata["resourceVersion"] = old["metadata"]["resourceVersion"]
            if old == obj:
                return old
        self._revision += 1
        metadata["resourceVersion"] = str(self._revision)
        self.objects[key] = obj
        if kind.plural == "nodes" and old is not None:
            self._node_changed(old, obj)
        return obj

    def _remove(self, kind: Kind, namespace: str, name: str) -> dict[str, Any] | None:
        obj = self.objects.pop((kind.group, kind.plural, namespace, name), None)
        if obj is not None:
            self._revision += 1
            self._stops.pop(obj["metadata"]["uid"], None)
        return obj

    def _modify(self, kind: Kind, namespace: str, name: str, change: Callable[..., Any], *args: Any) -> dict:
        """``change(copy, *args)`` on a copy of a stored object, then written, so that the write is seen as a
        change."""
        found = self._find(kind, namespace, name)
        if found is None:
            raise errors.not_found(kind, name)
        changed = copy.deepcopy(found)
        change(changed, *args)
        return self._write(kind, namespace, changed)

    def _record(self, what: str, obj: dict[str, Any], detail: str = "") -> None:
        metadata = obj.get("metadata") or {}
        kind = obj.get("kind", "")
        node = metadata.get("name", "") if kind == "Node" else (obj.get("spec") or {}).get("nodeName", "")
        self.history.append(Entry(len(self.history), what, kind, metadata.get("namespace", ""),
                                  metadata.get("name", ""), node or "", pods.owner_name(obj), detail, self.clock()))

    def _node_changed(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        was, now = (bool((node.get("spec") or {}).get("unschedulable")) for node in (old, new))
        if was != now:
            self._record("cordoned" if now else "uncordoned", new)

        def shown(node: dict[str, Any]) -> list[str]:
            return [f"{t.get('key')}{'=' + t['value'] if t.get('value') else ''}:{t.get('effect')}"
                    for t in (node.get("spec") or {}).get("taints") or []]

        before, after = shown(old), shown(new)
        for taint in after:
            if taint not in before:
                self._record("tainted", new, taint)
        for taint in before:
            if taint not in after:
                self._record("untainted", new, taint)

    def _settle(self) -> None:
        """Run the controllers until the cluster stops changing (bounded, in case two of them disagree)."""
        if self._controllers is None:
            return
        for _ in range(25):
            before = self._revision
            self._controllers.reconcile()
            if self._revision == before:
                return

    # --- verbs ----------------------------------------------------------------------------------------

    def _read(self, target: Target) -> dict[str, Any]:
        found = self._find(target.kind, target.namespace, target.name)
        if found is None:
            raise errors.not_found(target.kind, target.name)
        return found

    def _list(self, target: Target, query: dict[str, list[str]]) -> dict[str, Any]:
        labels = parse_label_selector((query.get("labelSelector") or [""])[0])
        fields = parse_field_selector((query.get("fieldSelector") or [""])[0], target.kind.plural)
        keyed = [((ns, o["metadata"]["name"]), o) for (g, p, ns, _), o in sorted(self.objects.items())
                 if (g, p) == (target.kind.group, target.kind.plural)
                 and (not target.namespace or ns == target.namespace)
                 and labels((o.get("metadata") or {}).get("labels") or {}) and fields(o)]
        continue_token = (query.get("continue") or [""])[0]
        if continue_token:
            try:
                after = tuple(json.loads(base64.urlsafe_b64decode(continue_token))["after"])
            except (ValueError, KeyError, TypeError) as exc:
                raise errors.bad_request(f"continue key is not valid: {exc}") from exc
            keyed = [(key, o) for key, o in keyed if key > after]
        metadata: dict[str, Any] = {"resourceVersion": str(self._revision)}
        try:
            limit = int((query.get("limit") or ["0"])[0] or 0)
        except ValueError as exc:
            raise errors.bad_request(f"limit: {exc}") from exc
        if 0 < limit < len(keyed):
            metadata["continue"] = base64.urlsafe_b64encode(json.dumps({"after": keyed[limit - 1][0]}).encode()
                                                            ).decode()
            metadata["remainingItemCount"] = len(keyed) - limit
            keyed = keyed[:limit]
        items = [{k: v for k, v in o.items() if k not in ("apiVersion", "kind")} for _, o in keyed]
        return {"kind": f"{target.kind.kind}List", "apiVersion": target.kind.group_version, "metadata": metadata,
                "items": items}

    def _create(self, target: Target, body: Any) -> dict[str, Any]:
        kind = target.kind
        if not isinstance(body, dict):
            raise errors.bad_request("the body of the request is not an object")
        if body.get("apiVersion") != kind.group_version:
            raise errors.bad_request(f"the API version in the data ({body.get('apiVersion')}) does not match the "
                                     f"expected API version ({kind.group_version})")
        if body.get("kind") != kind.kind:
            raise errors.bad_request(f"the kind in the data ({body.get('kind')}) does not match the expected kind "
                                     f"({kind.kind})")
        metadata = body.setdefault("metadata", {})
        if kind.namespaced and metadata.setdefault("namespace", target.namespace) != target.namespace:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent on "
                                     "the request")
        if metadata.get("resourceVersion"):
            raise errors.bad_request("resourceVersion should not be set on objects to be created")
        return self._insert(kind, target.namespace, body)

    def _insert(self, kind: Kind, namespace: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Create ``obj``: a generated name if asked, the server's fields, defaults and validation."""
        metadata = obj.setdefault("metadata", {})
        if not metadata.get("name") and metadata.get("generateName"):
            metadata["name"] = metadata["generateName"] + "".join(self._random.choice(_NAME_ALPHABET)
                                                                  for _ in range(5))
        name = metadata.get("name") or ""
        if not name:
            raise errors.invalid(kind, "", [("metadata.name", "FieldValueRequired",
                                             "Required value: name or generateName is required")])
        if namespace and ("", "namespaces", "", namespace) not in self.objects:
            raise errors.namespace_not_found(namespace)
        if self._find(kind, namespace, name) is not None:
            raise errors.already_exists(kind, name)
        for field in ("uid", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"):
            metadata.pop(field, None)
        metadata.update({"uid": str(uuid.UUID(int=self._random.getrandbits(128), version=4)),
                         "creationTimestamp": pods.rfc3339()})
        if namespace:
            metadata["namespace"] = namespace
        else:
            metadata.pop("namespace", None)
        if kind.plural in HAS_GENERATION:
            metadata["generation"] = 1
        if kind.plural in STATUS_SUBRESOURCE and kind.plural != "nodes":
            obj.pop("status", None)
        strategies.prepare(kind, obj)
        problems = strategies.problems(kind, obj)
        if problems:
            raise errors.invalid(kind, name, problems)
        stored = self._write(kind, namespace, obj)
        if kind.kind == "CustomResourceDefinition":
            self._learn_definition(obj)
        return stored

    def _update(self, target: Target, body: Any) -> dict[str, Any]:
        """A PUT: the whole object replaced, guarded by its ``resourceVersion`` when the client sends one."""
        kind, name = target.kind, target.name
        if not isinstance(body, dict):
            raise errors.bad_request("the body of the request is not an object")
        metadata = body.get("metadata") or {}
        if metadata.get("name") != name:
            raise errors.bad_request(f"the name of the object ({metadata.get('name')}) does not match the name on "
                                     f"the URL ({name})")
        old = self._read(target)
        if metadata.get("resourceVersion") and metadata["resourceVersion"] != old["metadata"]["resourceVersion"]:
            raise errors.modified(kind, name)
        return self._replace(target, old, copy.deepcopy(body))

    def _replace(self, target: Target, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        """Store ``new`` in place of ``old``, keeping what the server owns: identity, status or spec (whichever the
        request may not change), and the generation, which counts changes to the spec."""
        kind = target.kind
        if target.subresource == "status":
            status = new.get("status")
            new = copy.deepcopy(old)
            new["status"] = status
        elif kind.plural in STATUS_SUBRESOURCE:
            new["status"] = copy.deepcopy(old.get("status"))
            if new["status"] is None:
                new.pop("status")
        new["apiVersion"], new["kind"] = old["apiVersion"], old["kind"]
        metadata = new.setdefault("metadata", {})
        for field in ("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                      "deletionGracePeriodSeconds", "generation"):
            if field in old["metadata"]:
                metadata[field] = old["metadata"][field]
            else:
                metadata.pop(field, None)
        if kind.plural in HAS_GENERATION and new.get("spec") != old.get("spec"):
            metadata["generation"] = old["metadata"].get("generation", 0) + 1
        problems = strategies.problems(kind, new)
        if problems:
            raise errors.invalid(kind, target.name, problems)
        return self._write(kind, target.namespace, new)

    def _patch(self, target: Target, content_type: str, patch: Any) -> dict[str, Any]:
        kind = target.kind
        old = self._read(target)
        if content_type == MERGE:
            if not isinstance(patch, dict):
                raise errors.bad_request("json: cannot unmarshal array into Go value of type map[string]interface {}")
            new = merge_patch(copy.deepcopy(old), patch)
        elif content_type == STRATEGIC and not kind.custom:
            new = strategic_merge_patch(copy.deepcopy(old), patch)
        elif content_type == JSON_PATCH:
            new = json_patch(old, patch)
        else:
            accepted = [JSON_PATCH, MERGE, *([] if kind.custom else [STRATEGIC]), APPLY]
            raise ApiError(415, "UnsupportedMediaType", f"the body of the request was in an unknown format - "
                                                        f"accepted media types include: {', '.join(accepted)}")
        if not isinstance(new, dict):
            raise errors.bad_request("the patch did not result in an object")
        version = (new.get("metadata") or {}).get("resourceVersion")
        if version and version != old["metadata"]["resourceVersion"]:
            raise errors.modified(kind, target.name)
        return self._replace(target, old, new)

    def _apply(self, target: Target, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        """Server-side apply: creates the object, or merges the configuration into it under a field manager."""
        kind, namespace, name = target.kind, target.namespace, target.name
        manager = (query.get("fieldManager") or [""])[0]
        if not manager:
            raise errors.bad_request("PATCH with apply requires a fieldManager")
        if not isinstance(body, dict):
            raise errors.bad_request("the apply configuration is not an object")
        metadata = body.get("metadata") or {}
        if (body.get("apiVersion"), body.get("kind")) != (kind.group_version, kind.kind):
            raise errors.bad_request(f"apply configuration is {body.get('apiVersion')} {body.get('kind')}, the "
                                     f"request is for {kind.group_version} {kind.kind}")
        if metadata.get("name") != name or metadata.get("namespace", namespace) != namespace:
            raise errors.bad_request("the name or namespace of the object does not match the request")
        existing = self._find(kind, namespace, name)
        entry = {"manager": manager, "operation": "Apply", "apiVersion": kind.group_version}
        if existing is None:
            created = copy.deepcopy(body)
            created["metadata"]["managedFields"] = [entry]
            return 201, self._insert(kind, namespace, created)
        merged = merge_patch(copy.deepcopy(existing), body)
        merged["metadata"]["managedFields"] = [
            *(f for f in existing["metadata"].get("managedFields", []) if f["manager"] != manager), entry]
        stored = self._replace(target, existing, merged)
        if kind.kind == "CustomResourceDefinition":
            self._learn_definition(stored)
        return 200, stored

    def _delete(self, target: Target, query: dict[str, list[str]], body: Any) -> dict[str, Any]:
        kind, namespace, name = target.kind, target.namespace, target.name
        obj = self._read(target)
        options = dict(body) if isinstance(body, dict) else {}
        for field in ("gracePeriodSeconds", "propagationPolicy"):
            if query.get(field):
                options[field] = query[field][0]
        errors.check_preconditions(kind, obj, options.get("preconditions") or {})
        self._record("deleted", obj)
        uid = obj["metadata"]["uid"]
        if kind.plural == "pods":
            grace = options.get("gracePeriodSeconds")
            return self._delete_pod(obj, None if grace is None else int(grace), "deleted")
        if options.get("propagationPolicy") == "Orphan" or options.get("orphanDependents") in (True, "true"):
            self._orphan_dependents(uid)
        self._remove(kind, namespace, name)
        if kind.plural == "namespaces":
            for key in [k for k in self.objects if k[2] == name]:
                self._remove(self._kind_of(key[0], key[1]), key[2], key[3])
        return obj if kind.plural in RETURNS_DELETED_OBJECT else errors.success(kind, name, uid)

    def _kind_of(self, group: str, plural: str) -> Kind:
        return next(k for k in self.kinds.values() if (k.group, k.plural) == (group, plural))

    def _orphan_dependents(self, uid: str) -> None:
        for (group, plural, namespace, name), obj in list(self.objects.items()):
            references = obj["metadata"].get("ownerReferences") or []
            if any(ref.get("uid") == uid for ref in references):
                self._modify(self._kind_of(group, plural), namespace, name, _drop_owner, uid)

    def _delete_pod(self, pod: dict[str, Any], grace: int | None, cause: str) -> dict[str, Any]:
        """Delete a pod as the real server does: at once when it never ran on a node, has finished or is given no
        grace; otherwise it is marked terminating (``deletionTimestamp``) and its kubelet removes it once its
        containers stop. A second delete may shorten the grace period, never lengthen it."""
        kind = self.kind("v1", "Pod")
        metadata = pod["metadata"]
        period = grace if grace is not None else int((pod.get("spec") or {}).get("terminationGracePeriodSeconds", 30))
        if not (pod.get("spec") or {}).get("nodeName") or pods.is_terminal(pod):
            period = 0
        if pods.is_terminating(pod) and period >= int(metadata.get("deletionGracePeriodSeconds") or 0):
            return pod
        counted = pods.is_ready(pod) and not pods.is_terminating(pod)
        if period <= 0:
            self._remove(kind, metadata["namespace"], metadata["name"])
            result = pod
        else:
            result = self._modify(kind, metadata["namespace"], metadata["name"], _terminate, period)
            stopping = period if self.pod_stop_delay is None else min(period, self.pod_stop_delay)
            self._stops[metadata["uid"]] = self.clock() + stopping
        if counted:
            disruption.note_lost_health(self, pod, cause)
        return result

    def _lose_pod(self, pod: dict[str, Any], why: str) -> None:
        """Remove a pod whose node is gone, as the pod garbage collector does: at once, whatever its grace."""
        self._record("pod-lost", pod, why)
        counted = pods.is_ready(pod) and not pods.is_terminating(pod)
        self._remove(self.kind("v1", "Pod"), pod["metadata"]["namespace"], pod["metadata"]["name"])
        if counted:
            disruption.note_lost_health(self, pod, why)

    def _learn_definition(self, crd: dict[str, Any]) -> None:
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        for version in spec.get("versions") or []:
            if version.get("served", True):
                self._learn(Kind(spec["group"], version["name"], names["kind"], names["plural"],
                                 spec.get("scope") == "Namespaced", custom=True))


def _terminate(pod: dict[str, Any], period: int) -> None:
    pod["metadata"].update(deletionTimestamp=pods.rfc3339(period), deletionGracePeriodSeconds=period)


def _drop_owner(obj: dict[str, Any], uid: str) -> None:
    obj["metadata"]["ownerReferences"] = [r for r in obj["metadata"]["ownerReferences"] if r.get("uid") != uid]


def _not_allowed(method: str, target: Target) -> ApiError:
    return ApiError(405, "MethodNotAllowed", f"the server does not allow this method on the requested resource "
                                             f"({method} {target.kind.plural})")


def _handler(api: FakeKubeAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            """Quiet: tests read :attr:`FakeKubeAPI.requests` instead."""

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            request = Request(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True), content_type,
                              None)
            headers: dict[str, str] = {}
            try:
                request.body = _decode(raw, content_type)
                status, payload = api.handle(self.command, parts.path, request.query, content_type, request.body)
            except ApiError as exc:
                status, payload = exc.status, exc.body()
                retry = (exc.details or {}).get("retryAfterSeconds")
                if retry:
                    headers["Retry-After"] = str(retry)
            except Exception as exc:  # noqa: BLE001 - a fault in the fake answers 500, as a real server's would
                error = ApiError(500, "InternalError", f"Internal error occurred: {exc!r}")
                status, payload = error.status, error.body()
            request.status = status
            with api._lock:
                api.requests.append(request)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PATCH = do_POST = do_PUT = do_DELETE = _serve

    return Handler


def _decode(raw: bytes, content_type: str) -> Any:
    """The body as data; left as text when its media type is not one the server reads (it is then refused)."""
    if not raw:
        return None
    import yaml

    if content_type not in (APPLY, "application/yaml") and not content_type.endswith("json"):
        return raw.decode(errors="replace")
    try:
        # YAML reads JSON too; an apply body may be either.
        return yaml.safe_load(raw) if content_type in (APPLY, "application/yaml") else json.loads(raw)
    except (ValueError, yaml.YAMLError) as exc:
        raise errors.bad_request(f"the request body is not valid: {exc}") from exc
