"""A small in-memory Kubernetes API server on loopback, for testing what kops sends to a cluster.

It speaks enough of the real API for clients such as the official ``kubernetes`` package: discovery
(``/version``, ``/api``, ``/apis``, one resource list per group version), reading objects and lists (lists
filtered by an equality-based ``labelSelector`` such as ``a=b,c!=d`` when one is given), server-side apply
(``PATCH`` with ``application/apply-patch+yaml``, which needs a ``fieldManager``) of any namespaced or
cluster-scoped kind it knows, merge patches of existing objects (how namespace annotations are set) and
``DELETE`` of one object. Applying a CustomResourceDefinition teaches it the new kind, as a real server
would. Namespaced objects need their namespace to exist; ``default``, ``kube-system`` and ``kube-public`` do.

It is not a real server: nothing is validated against schemas, a repeated apply merges the new
configuration into the stored object (fields the manager dropped are kept rather than removed), and a
delete removes just that object at once (no finalizers, no garbage collection of what it owned).

Every request is recorded (:attr:`FakeKubeAPI.requests`) so a test can assert exactly what was sent::

    with FakeKubeAPI() as api:
        do_something(api.api_client())
        assert [r.path for r in api.applies()] == [...]
"""

from __future__ import annotations

import copy
import json
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

APPLY = "application/apply-patch+yaml"
MERGE_PATCHES = ("application/merge-patch+json", "application/strategic-merge-patch+json")

#: The built-in kinds served: (group, version, kind, plural, namespaced).
BUILTIN_KINDS = [
    ("", "v1", "Namespace", "namespaces", False),
    ("", "v1", "ServiceAccount", "serviceaccounts", True),
    ("", "v1", "ConfigMap", "configmaps", True),
    ("", "v1", "Secret", "secrets", True),
    ("", "v1", "Service", "services", True),
    ("", "v1", "Endpoints", "endpoints", True),
    ("", "v1", "LimitRange", "limitranges", True),
    ("", "v1", "ResourceQuota", "resourcequotas", True),
    ("", "v1", "Pod", "pods", True),
    ("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True),
    ("apps", "v1", "Deployment", "deployments", True),
    ("apps", "v1", "DaemonSet", "daemonsets", True),
    ("apps", "v1", "StatefulSet", "statefulsets", True),
    ("apps", "v1", "ReplicaSet", "replicasets", True),
    ("batch", "v1", "Job", "jobs", True),
    ("batch", "v1", "CronJob", "cronjobs", True),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False),
    ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False),
    ("rbac.authorization.k8s.io", "v1", "Role", "roles", True),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", True),
    ("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", True),
    ("storage.k8s.io", "v1", "StorageClass", "storageclasses", False),
    ("storage.k8s.io", "v1", "CSIDriver", "csidrivers", False),
    ("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", False),
    ("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", True),
    ("networking.k8s.io", "v1", "IngressClass", "ingressclasses", False),
    ("coordination.k8s.io", "v1", "Lease", "leases", True),
    ("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False),
    ("apiregistration.k8s.io", "v1", "APIService", "apiservices", False),
    ("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", False),
    ("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations",
     False),
]
INITIAL_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


@dataclass(frozen=True)
class Kind:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


@dataclass
class Request:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    content_type: str
    body: Any
    status: int = 0


class ApiError(Exception):
    def __init__(self, status: int, reason: str, message: str):
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message


class FakeKubeAPI:
    """The server and its objects. Start it with ``with`` (or :meth:`start`); it listens on 127.0.0.1."""

    def __init__(self, kubernetes_version: str = "1.35.0"):
        self.kubernetes_version = kubernetes_version
        self.kinds: dict[tuple[str, str, str], Kind] = {}
        for entry in BUILTIN_KINDS:
            self._learn(Kind(*entry))
        #: Objects by (group, plural, namespace or "", name).
        self.objects: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self.requests: list[Request] = []
        self._lock = threading.RLock()
        self._revision = 0
        self._server: ThreadingHTTPServer | None = None
        for name in INITIAL_NAMESPACES:
            self._store(self.kinds["", "v1", "Namespace"], "", {"apiVersion": "v1", "kind": "Namespace",
                                                                  "metadata": {"name": name}})

    # --- running ------------------------------------------------------------------------------------

    def start(self) -> FakeKubeAPI:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-kube-api", daemon=True).start()
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

    # --- what tests look at ---------------------------------------------------------------------------

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        """The stored object, or None."""
        group, _, version = api_version.rpartition("/")
        found = self.kinds.get((group, version, kind))
        if found is None:
            return None
        with self._lock:
            obj = self.objects.get((group, found.plural, (namespace or "") if found.namespaced else "", name))
            return copy.deepcopy(obj)

    def applies(self) -> list[Request]:
        """The server-side apply requests received, in order."""
        return [r for r in self.requests if r.method == "PATCH" and r.content_type == APPLY]

    def deletes(self) -> list[Request]:
        """The delete requests received, in order."""
        return [r for r in self.requests if r.method == "DELETE"]

    # --- the API --------------------------------------------------------------------------------------

    def _learn(self, kind: Kind) -> None:
        self.kinds[kind.group, kind.version, kind.kind] = kind

    def _kind_for(self, group: str, version: str, plural: str) -> Kind:
        for kind in self.kinds.values():
            if (kind.group, kind.version, kind.plural) == (group, version, plural):
                return kind
        raise ApiError(404, "NotFound", f"the server could not find the requested resource ({plural})")

    def handle(self, method: str, path: str, query: dict[str, list[str]], content_type: str,
               body: Any) -> tuple[int, Any]:
        with self._lock:
            if method == "GET":
                discovered = self._discovery(path)
                if discovered is not None:
                    return 200, discovered
            kind, namespace, name = self._parse(path)
            if method == "GET":
                return 200, self._read(kind, namespace, name, query)
            if method == "DELETE" and name:
                return 200, self._delete(kind, namespace, name)
            if method == "PATCH" and name:
                if content_type == APPLY:
                    return self._apply(kind, namespace, name, query, body)
                if content_type in MERGE_PATCHES:
                    return 200, self._merge(kind, namespace, name, body)
                raise ApiError(415, "UnsupportedMediaType", f"the body of the request was in an unknown format - "
                                                            f"accepted media types include: {APPLY}, "
                                                            f"{', '.join(MERGE_PATCHES)}")
            raise ApiError(405, "MethodNotAllowed", f"the server does not allow this method on the requested "
                                                    f"resource ({method} {path})")

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
        resources = [{"name": k.plural, "singularName": k.kind.lower(), "namespaced": k.namespaced, "kind": k.kind,
                      "verbs": VERBS} for k in self.kinds.values() if k.group_version == group_version]
        if not resources:
            raise ApiError(404, "NotFound", f"the server could not find the requested resource ({path})")
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}

    def _parse(self, path: str) -> tuple[Kind, str, str]:
        """The kind, namespace and name a resource path addresses (name empty for a collection)."""
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "v1"]:
            group, version, rest = "", "v1", parts[2:]
        elif parts[0] == "apis" and len(parts) >= 4:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise ApiError(404, "NotFound", f"the server could not find the requested resource ({path})")
        namespace = ""
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 2:
            raise ApiError(404, "NotFound", f"the server could not find the requested resource ({path})")
        kind = self._kind_for(group, version, rest[0])
        if kind.namespaced != bool(namespace) and not (kind.namespaced and len(rest) == 1):
            raise ApiError(404, "NotFound", f"the server could not find the requested resource ({path})")
        return kind, namespace, rest[1] if len(rest) == 2 else ""

    def _read(self, kind: Kind, namespace: str, name: str, query: dict[str, list[str]]) -> Any:
        if name:
            obj = self.objects.get((kind.group, kind.plural, namespace, name))
            if obj is None:
                raise _not_found(kind, name)
            return obj
        matches = _label_selector((query.get("labelSelector") or [""])[0])
        items = [o for (g, p, ns, _), o in sorted(self.objects.items())
                 if (g, p) == (kind.group, kind.plural) and (not namespace or ns == namespace)
                 and matches((o.get("metadata") or {}).get("labels") or {})]
        return {"kind": f"{kind.kind}List", "apiVersion": kind.group_version,
                "metadata": {"resourceVersion": str(self._revision)}, "items": items}

    def _delete(self, kind: Kind, namespace: str, name: str) -> Any:
        obj = self.objects.pop((kind.group, kind.plural, namespace, name), None)
        if obj is None:
            raise _not_found(kind, name)
        self._revision += 1
        return obj

    def _apply(self, kind: Kind, namespace: str, name: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        manager = (query.get("fieldManager") or [""])[0]
        if not manager:
            raise ApiError(400, "BadRequest", "PATCH with apply requires a fieldManager")
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", "the apply configuration is not an object")
        metadata = body.get("metadata") or {}
        if (body.get("apiVersion"), body.get("kind")) != (kind.group_version, kind.kind):
            raise ApiError(400, "BadRequest", f"apply configuration is {body.get('apiVersion')} {body.get('kind')}, "
                                              f"the request is for {kind.group_version} {kind.kind}")
        if metadata.get("name") != name or metadata.get("namespace", namespace) != namespace:
            raise ApiError(400, "BadRequest", "the name or namespace of the object does not match the request")
        if namespace and ("", "namespaces", "", namespace) not in self.objects:
            raise ApiError(404, "NotFound", f'namespaces "{namespace}" not found')
        existing = self.objects.get((kind.group, kind.plural, namespace, name))
        merged = _merge(copy.deepcopy(existing), body) if existing is not None else copy.deepcopy(body)
        merged["metadata"]["managedFields"] = [
            *(f for f in (existing or {}).get("metadata", {}).get("managedFields", []) if f["manager"] != manager),
            {"manager": manager, "operation": "Apply", "apiVersion": kind.group_version}]
        stored = self._store(kind, namespace, merged)
        if kind.kind == "CustomResourceDefinition":
            self._learn_definition(body)
        return (201 if existing is None else 200), stored

    def _merge(self, kind: Kind, namespace: str, name: str, patch: Any) -> Any:
        existing = self.objects.get((kind.group, kind.plural, namespace, name))
        if existing is None:
            raise _not_found(kind, name)
        if not isinstance(patch, dict):
            raise ApiError(400, "BadRequest", "a merge patch must be an object")
        return self._store(kind, namespace, _merge(copy.deepcopy(existing), patch))

    def _store(self, kind: Kind, namespace: str, obj: dict[str, Any]) -> dict[str, Any]:
        self._revision += 1
        metadata = obj.setdefault("metadata", {})
        metadata.setdefault("uid", str(uuid.uuid4()))
        metadata.setdefault("creationTimestamp", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        metadata["resourceVersion"] = str(self._revision)
        if namespace:
            metadata["namespace"] = namespace
        self.objects[kind.group, kind.plural, namespace, metadata["name"]] = obj
        return obj

    def _learn_definition(self, crd: dict[str, Any]) -> None:
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        for version in spec.get("versions") or []:
            if version.get("served", True):
                self._learn(Kind(spec["group"], version["name"], names["kind"], names["plural"],
                                 spec.get("scope") == "Namespaced"))


def _merge(target: Any, patch: Any) -> Any:
    """A JSON merge patch (RFC 7386): objects merge key by key, ``null`` removes, anything else replaces."""
    if not isinstance(patch, dict) or not isinstance(target, dict):
        return copy.deepcopy(patch)
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = _merge(target.get(key), value)
    return target


def _label_selector(selector: str) -> Any:
    """A test of an object's labels for an equality-based selector: ``a=b``, ``a==b``, ``a!=b``, ``a``, ``!a``,
    comma-separated, all of which must hold (an empty selector matches everything)."""
    tests = []
    for requirement in filter(None, (part.strip() for part in selector.split(","))):
        key, operator, value = requirement, "", ""
        for candidate in ("!=", "==", "="):
            if candidate in requirement:
                key, _, value = (part.strip() for part in requirement.partition(candidate))
                operator = candidate
                break
        if not operator and key.startswith("!"):
            key, operator = key[1:].strip(), "!"
        if not key or any(c in key + value for c in " ()"):
            raise ApiError(400, "BadRequest", f"unable to parse requirement: {requirement!r} (only equality-based "
                                              "selectors are supported)")
        tests.append((key, operator, value))

    def matches(labels: dict[str, str]) -> bool:
        for key, operator, value in tests:
            if operator in ("=", "==") and labels.get(key) != value:
                return False
            if (operator == "!=" and labels.get(key) == value) or (operator == "!" and key in labels):
                return False
            if not operator and key not in labels:
                return False
        return True

    return matches


def _not_found(kind: Kind, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{kind.plural} "{name}" not found')


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
            request = Request(self.command, parts.path, parse_qs(parts.query), content_type, None)
            try:
                request.body = _decode(raw, content_type)
                status, payload = api.handle(self.command, parts.path, request.query, content_type, request.body)
            except ApiError as exc:
                status, payload = exc.status, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                               "message": exc.message, "reason": exc.reason, "code": exc.status}
            request.status = status
            with api._lock:
                api.requests.append(request)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PATCH = do_POST = do_PUT = do_DELETE = _serve

    return Handler


def _decode(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    import yaml

    try:
        # YAML reads JSON too; an apply body may be either.
        return yaml.safe_load(raw) if content_type == APPLY else json.loads(raw)
    except (ValueError, yaml.YAMLError) as exc:
        raise ApiError(400, "BadRequest", f"the request body is not valid: {exc}") from exc
