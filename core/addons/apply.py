"""Applying a cluster's bootstrap channel to the running cluster, as upstream's ``channels`` tool does.

The cluster records which version of each add-on it runs in annotations on the ``kube-system``
namespace, ``addons.k8s.io/<name>``, holding JSON (``{"version", "channel", "id", "manifestHash",
"systemGeneration"}``). An add-on is applied when its channel entry differs from that record in
version, id or manifest hash (or was recorded by an older generation of this mechanism); each of its
objects is sent with server-side apply under the field manager ``kops``, taking over fields another
manager set; then the objects the add-on no longer ships are pruned, and only then is the new record
written, so an interrupted apply is redone next time. Add-ons that match their record are not touched.

Pruning follows the entry's ``prune`` section (see :mod:`kops.addons.channel`), as upstream's tool does: for
each listed kind, the objects matching its ``labelSelector`` are listed (in each of its ``namespaces`` when
the kind is namespaced and some are given, across the cluster otherwise) and every one that is not in the
new manifest (same group, kind, namespace and name) is deleted. Unlike upstream, an object is deleted only
when it carries the add-on's own labels (``addon.kops.k8s.io/name: <add-on>`` and
``app.kubernetes.io/managed-by: kops``), whatever the selector says, and a kind the cluster does not serve
(a custom resource whose definition is not installed) is skipped rather than failing the add-on. An entry
without ``prune`` (a channel written by an older kops) prunes nothing.

The ``kubernetes`` client is imported by callers (who build the ``ApiClient``); this module only uses
what it is given, so importing it costs nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from kops.addons.channel import ADDON_LABEL, ADDONS_FOLDER, CHANNEL_PATH, MANAGED_BY_LABEL
from kops.errors import KopsError

ANNOTATION_PREFIX = "addons.k8s.io/"
RECORD_NAMESPACE = "kube-system"
FIELD_MANAGER = "kops"
#: Bumped when applying changes in a way that must reach add-ons whose manifests did not change.
SYSTEM_GENERATION = 1
APPLY_PATCH = "application/apply-patch+yaml"


@dataclass
class Result:
    """What happened to one add-on."""

    name: str
    version: str
    #: ``applied`` or ``unchanged``.
    action: str
    #: How many objects were sent (0 when unchanged).
    objects: int = 0
    #: The objects deleted because the manifest no longer holds them, as ``Kind[.group] [namespace/]name``.
    pruned: list[str] = field(default_factory=list)


def apply_channel(store: Any, cluster_name: str, api_client: Any) -> list[Result]:
    """Apply every add-on of ``cluster_name``'s bootstrap channel in ``store`` whose record differs, pruning
    the objects each applied add-on no longer ships."""
    entries = read_channel(store, cluster_name)
    cluster = Cluster(api_client)
    installed = cluster.installed()
    channel_url = f"{store.url.rstrip('/')}/{cluster_name}/{CHANNEL_PATH}"
    results = []
    for entry in entries:
        name, version = str(entry["name"]), str(entry.get("version") or "")
        wanted = {"version": version, "channel": channel_url, "id": str(entry.get("id") or ""),
                  "manifestHash": str(entry.get("manifestHash") or ""), "systemGeneration": SYSTEM_GENERATION}
        if not replaces(wanted, installed.get(name)):
            results.append(Result(name, version, "unchanged"))
            continue
        objects = _manifest_objects(store, cluster_name, entry)
        for obj in objects:
            cluster.apply(obj, name)
        pruned = cluster.prune(name, objects, entry.get("prune"))
        cluster.record(name, wanted)
        results.append(Result(name, version, "applied", len(objects), pruned))
    return results


def read_channel(store: Any, cluster_name: str) -> list[dict[str, Any]]:
    """The entries of the cluster's stored bootstrap channel."""
    import yaml

    found = store.read(f"{cluster_name}/{CHANNEL_PATH}")
    if found is None:
        raise KopsError(f"cluster {cluster_name}: no add-on channel in {store.url} (kops update cluster writes it)")
    doc = yaml.safe_load(found.data) or {}
    if doc.get("kind") != "Addons":
        raise KopsError(f"{store.url}/{cluster_name}/{CHANNEL_PATH}: not an add-on channel (kind: Addons)")
    return list((doc.get("spec") or {}).get("addons") or [])


def replaces(wanted: dict[str, Any], current: dict[str, Any] | None) -> bool:
    """Whether the channel entry ``wanted`` must be applied over what the cluster records (``current``)."""
    if current is None:
        return True
    if any(str(current.get(key) or "") != wanted[key] for key in ("version", "id", "manifestHash")):
        return True
    # A record from a newer kops is left alone; one from an older generation is redone.
    return int(current.get("systemGeneration") or 0) < SYSTEM_GENERATION


def _manifest_objects(store: Any, cluster_name: str, entry: dict[str, Any]) -> list[dict[str, Any]]:
    import yaml

    path = f"{cluster_name}/{ADDONS_FOLDER}/{entry['manifest']}"
    found = store.read(path)
    if found is None:
        raise KopsError(f"add-on {entry['name']}: its manifest {store.url}/{path} is missing")
    digest = hashlib.sha256(found.data).hexdigest()
    if entry.get("manifestHash") and digest != entry["manifestHash"]:
        raise KopsError(f"add-on {entry['name']}: {store.url}/{path} does not match the channel's manifestHash "
                        "(changed since kops update cluster wrote it); run kops update cluster again")
    return [doc for doc in yaml.safe_load_all(found.data) if doc]


class Cluster:
    """The running cluster, through an official ``kubernetes`` ``ApiClient``."""

    def __init__(self, api_client: Any):
        self.api_client = api_client
        #: Resource lists by group version (``v1``, ``apps/v1``), fetched when first needed.
        self._resources: dict[str, list[dict[str, Any]]] = {}
        #: Served versions by API group (preferred first), fetched when first needed.
        self._groups: dict[str, list[str]] | None = None

    def installed(self) -> dict[str, dict[str, Any]]:
        """The add-on records on the record namespace, by add-on name."""
        namespace = self._call("GET", f"/api/v1/namespaces/{RECORD_NAMESPACE}", what=f"namespace {RECORD_NAMESPACE}")
        records = {}
        for key, value in ((namespace.get("metadata") or {}).get("annotations") or {}).items():
            if key.startswith(ANNOTATION_PREFIX):
                try:
                    records[key.removeprefix(ANNOTATION_PREFIX)] = json.loads(value)
                except ValueError:
                    continue  # not ours to read; the add-on is applied and the record rewritten
        return records

    def record(self, name: str, version: dict[str, Any]) -> None:
        patch = {"metadata": {"annotations": {ANNOTATION_PREFIX + name: json.dumps(version, sort_keys=True)}}}
        self._call("PATCH", f"/api/v1/namespaces/{RECORD_NAMESPACE}", body=patch,
                   content_type="application/merge-patch+json", what=f"the record of add-on {name}")

    def apply(self, obj: dict[str, Any], addon: str) -> None:
        """Server-side apply of one object, as field manager ``kops``."""
        metadata = obj.get("metadata") or {}
        what = f"add-on {addon}: {obj.get('kind')} {metadata.get('name')}"
        if not obj.get("apiVersion") or not obj.get("kind") or not metadata.get("name"):
            raise KopsError(f"{what}: an object needs an apiVersion, a kind and a name")
        self._call("PATCH", self._path(obj, what), body=obj, content_type=APPLY_PATCH, what=what,
                   query=[("fieldManager", FIELD_MANAGER), ("force", "true")])

    def prune(self, addon: str, objects: list[dict[str, Any]], spec: dict[str, Any] | None) -> list[str]:
        """Delete the objects of ``addon`` that ``spec`` (an entry's ``prune``) finds and ``objects`` (the
        manifest just applied) no longer holds; returns them, as ``Kind[.group] [namespace/]name``."""
        pruned = []
        for kind_spec in (spec or {}).get("kinds") or []:
            group, kind = str(kind_spec.get("group") or ""), str(kind_spec.get("kind") or "")
            served = self._served(group, kind) if kind else None
            if served is not None:  # nothing of a kind the cluster does not serve can be left behind
                pruned += self._prune_kind(addon, objects, kind_spec, group, kind, *served)
        return pruned

    def _prune_kind(self, addon: str, objects: list[dict[str, Any]], kind_spec: dict[str, Any], group: str,
                    kind: str, api_version: str, resource: dict[str, Any]) -> list[str]:
        namespaced = bool(resource.get("namespaced"))

        def key(metadata: dict[str, Any], default_namespace: str) -> tuple[str, str]:
            namespace = (metadata.get("namespace") or default_namespace) if namespaced else ""
            return namespace, str(metadata.get("name") or "")

        keep = {key(obj.get("metadata") or {}, "default") for obj in objects
                if obj.get("kind") == kind and str(obj.get("apiVersion") or "").rpartition("/")[0] == group}
        query = [(name, str(kind_spec[name])) for name in ("labelSelector", "fieldSelector") if kind_spec.get(name)]
        shown_kind = f"{kind}.{group}" if group else kind
        pruned = []
        for namespace in (kind_spec.get("namespaces") or [""]) if namespaced else [""]:
            what = f"add-on {addon}: the {resource['name']}" + (f" in {namespace}" if namespace else "")
            listed = self._call("GET", _resource_path(api_version, resource["name"], str(namespace)), query=query,
                                what=what)
            for item in listed.get("items") or []:
                metadata = item.get("metadata") or {}
                labels = metadata.get("labels") or {}
                found = key(metadata, "")
                # Only what carries the add-on's own labels, whatever the selector matched.
                if not found[1] or found in keep or \
                        (labels.get(ADDON_LABEL), labels.get(MANAGED_BY_LABEL)) != (addon, "kops"):
                    continue
                shown = f"{shown_kind} {found[0] + '/' if found[0] else ''}{found[1]}"
                if self._delete(_resource_path(api_version, resource["name"], *found), f"add-on {addon}: {shown}"):
                    pruned.append(shown)
        return pruned

    def _delete(self, path: str, what: str) -> bool:
        """Delete one object (its dependents in the background); False when it was already gone."""
        from kubernetes.client.exceptions import ApiException

        try:
            self._call("DELETE", path, what=what, query=[("propagationPolicy", "Background")], raw_errors=True)
        except ApiException as exc:
            if exc.status == 404:
                return False
            raise _error(what, exc) from exc
        return True

    def _served(self, group: str, kind: str) -> tuple[str, dict[str, Any]] | None:
        """The group version (the preferred one first) and resource serving ``kind`` of ``group``, if any."""
        for version in self._group_versions(group):
            api_version = f"{group}/{version}" if group else version
            resource = self._resource(api_version, kind)
            if resource is not None:
                return api_version, resource
        return None

    def _group_versions(self, group: str) -> list[str]:
        """The versions the cluster serves of ``group``, preferred first; asked again once when unknown."""
        if not group:
            return ["v1"]
        for refresh in (False, True):
            if refresh or self._groups is None:
                listed = self._call("GET", "/apis", what="the API groups").get("groups") or []
                self._groups = {}
                for found in listed:
                    versions = [str(v.get("version")) for v in found.get("versions") or []]
                    preferred = str((found.get("preferredVersion") or {}).get("version") or "")
                    self._groups[str(found.get("name"))] = [preferred] * bool(preferred) + \
                        [v for v in versions if v != preferred]
            if group in self._groups:
                return self._groups[group]
        return []

    def _path(self, obj: dict[str, Any], what: str) -> str:
        api_version, kind = obj["apiVersion"], obj["kind"]
        resource = self._resource(api_version, kind)
        if resource is None:
            raise KopsError(f"{what}: the cluster serves no {kind} in {api_version}")
        namespace = (obj["metadata"].get("namespace") or "default") if resource.get("namespaced") else ""
        return _resource_path(api_version, resource["name"], namespace, obj["metadata"]["name"])

    def _resource(self, api_version: str, kind: str) -> dict[str, Any] | None:
        """The resource serving ``kind``; asked again once when unknown, for kinds a definition just added."""
        for refresh in (False, True):
            if refresh or api_version not in self._resources:
                self._resources[api_version] = self._resource_list(api_version)
            for resource in self._resources[api_version]:
                if resource.get("kind") == kind and "/" not in resource.get("name", ""):
                    return resource
        return None

    def _resource_list(self, api_version: str) -> list[dict[str, Any]]:
        from kubernetes.client.exceptions import ApiException

        path = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
        try:
            return list(self._call("GET", path, what=f"API {api_version}", raw_errors=True).get("resources") or [])
        except ApiException as exc:
            if exc.status == 404:
                return []
            raise _error(f"API {api_version}", exc) from exc

    def _call(self, method: str, path: str, *, what: str, body: Any = None, content_type: str | None = None,
              query: list[tuple[str, str]] | None = None, raw_errors: bool = False) -> Any:
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            # The raw response, read here: how the client deserialises has changed between its releases.
            response = self.api_client.call_api(path, method, query_params=query or [], header_params=headers,
                                                body=body, auth_settings=["BearerToken"], _preload_content=False,
                                                _return_http_data_only=True)
            return json.loads(response.data or b"{}")
        except ApiException as exc:
            if raw_errors:
                raise
            raise _error(what, exc) from exc
        except HTTPError as exc:
            host = self.api_client.configuration.host
            raise KopsError(f"{what}: cannot reach the cluster's API server at {host}: {exc}") from exc


def _resource_path(api_version: str, plural: str, namespace: str = "", name: str = "") -> str:
    """The path of a collection (no ``name``; across namespaces when ``namespace`` is empty) or of one object."""
    prefix = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
    return prefix + (f"/namespaces/{namespace}" if namespace else "") + f"/{plural}" + (f"/{name}" if name else "")


def _error(what: str, exc: Any) -> KopsError:
    message = exc.reason
    try:
        message = json.loads(exc.body).get("message") or message
    except (TypeError, ValueError, AttributeError):
        pass
    return KopsError(f"{what}: the cluster answered {exc.status}: {message}")
