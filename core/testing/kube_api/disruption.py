"""PodDisruptionBudgets and the Eviction API, with the rules of the real disruption controller and eviction handler.

A budget's status is computed from the pods its selector matches in its namespace: ``currentHealthy`` counts those
that are Ready and not being deleted; ``desiredHealthy`` is ``minAvailable`` (an integer, or a percentage of the
expected pods) or the expected pods less ``maxUnavailable``; ``expectedPods`` is the number of matching pods for an
integer ``minAvailable`` and otherwise the sum of the scales of their controllers (a Deployment's or StatefulSet's
replicas; a DaemonSet has no scale, so a percentage budget over its pods fails safe and allows no disruption, as the
real controller does). ``disruptionsAllowed`` is ``currentHealthy - desiredHealthy``, never negative, and zero while
no pods are expected.

An eviction deletes the pod (honouring its grace period) unless a budget forbids it: 429 ``TooManyRequests`` with the
real message and a ``DisruptionBudget`` cause naming the budget and its counts. Pods that are pending, finished or
already being deleted are evicted without looking at budgets; an unready pod is evicted when its budget is otherwise
satisfied (or says ``unhealthyPodEvictionPolicy: AlwaysAllow``). A pod matched by two budgets cannot be evicted (500).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from . import errors, pods
from .errors import ApiError
from .selectors import label_selector_matches

if TYPE_CHECKING:
    from .server import FakeKubeAPI

REFUSED = "Cannot evict pod as it would violate the pod's disruption budget."
TWO_BUDGETS = "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."


class _NoController(Exception):
    """A percentage budget over a pod whose controller has no scale: the controller fails safe."""


def budgets_for(api: FakeKubeAPI, pod: dict[str, Any]) -> list[dict[str, Any]]:
    """The budgets in the pod's namespace whose selector matches it."""
    labels = pod["metadata"].get("labels") or {}
    return [b for b in api._items(api.kind("policy/v1", "PodDisruptionBudget"), pod["metadata"]["namespace"])
            if label_selector_matches((b.get("spec") or {}).get("selector"), labels)]


def pods_for(api: FakeKubeAPI, budget: dict[str, Any]) -> list[dict[str, Any]]:
    selector = (budget.get("spec") or {}).get("selector")
    return [p for p in api._items(api.kind("v1", "Pod"), budget["metadata"]["namespace"])
            if label_selector_matches(selector, p["metadata"].get("labels") or {})]


def status(api: FakeKubeAPI, budget: dict[str, Any]) -> dict[str, Any]:
    """The status the disruption controller would write for ``budget`` now."""
    spec = budget.get("spec") or {}
    matched = pods_for(api, budget)
    generation = budget["metadata"].get("generation", 1)
    try:
        expected, desired = _expected_and_desired(api, spec, matched)
    except _NoController as exc:
        failed = dict(budget.get("status") or {})
        failed.update(disruptionsAllowed=0, observedGeneration=generation)
        failed["conditions"] = [_condition(False, "SyncFailed", str(exc), generation, budget)]
        return failed
    healthy = sum(1 for p in matched if pods.is_ready(p) and not pods.is_terminating(p))
    allowed = healthy - desired if expected > 0 and healthy > desired else 0
    reason = "SufficientPods" if allowed > 0 else "InsufficientPods"
    return {"observedGeneration": generation, "disruptionsAllowed": allowed, "currentHealthy": healthy,
            "desiredHealthy": desired, "expectedPods": expected,
            "conditions": [_condition(allowed > 0, reason, "", generation, budget)]}


def _condition(allowed: bool, reason: str, message: str, generation: int, budget: dict[str, Any]) -> dict[str, Any]:
    """The ``DisruptionAllowed`` condition, keeping its transition time while its status stays the same."""
    value = "True" if allowed else "False"
    old = next((c for c in (budget.get("status") or {}).get("conditions") or []
                if c.get("type") == "DisruptionAllowed"), None)
    since = old["lastTransitionTime"] if old and old.get("status") == value else pods.rfc3339()
    return {"type": "DisruptionAllowed", "status": value, "reason": reason, "message": message,
            "observedGeneration": generation, "lastTransitionTime": since}


def _scaled(value: int | str, total: int) -> int:
    """An integer, or a percentage of ``total`` rounded up."""
    if isinstance(value, str):
        return math.ceil(int(value.rstrip("%")) * total / 100)
    return int(value)


def _expected_and_desired(api: FakeKubeAPI, spec: dict[str, Any], matched: list[dict[str, Any]]) -> tuple[int, int]:
    if spec.get("maxUnavailable") is not None:
        expected = _expected_scale(api, matched)
        return expected, max(expected - _scaled(spec["maxUnavailable"], expected), 0)
    minimum = spec.get("minAvailable")
    if minimum is None:
        return 0, 0
    if isinstance(minimum, int):
        return len(matched), minimum
    expected = _expected_scale(api, matched)
    return expected, _scaled(minimum, expected)


def _expected_scale(api: FakeKubeAPI, matched: list[dict[str, Any]]) -> int:
    """The sum of the scales of the matched pods' controllers (pods with no controller are left out)."""
    scales: dict[str, int] = {}
    for pod in matched:
        ref = pods.controller_of(pod)
        if ref is None:
            continue
        found = _scale_of(api, pod["metadata"]["namespace"], ref)
        if found is None:
            raise _NoController(f'found no controllers for pod "{pod["metadata"]["name"]}"')
        scales[found[0]] = found[1]
    return sum(scales.values())


def _scale_of(api: FakeKubeAPI, namespace: str, ref: dict[str, Any]) -> tuple[str, int] | None:
    """(uid, replicas) of the controller with a scale behind ``ref``: a bare ReplicaSet, the Deployment owning a
    ReplicaSet, or a StatefulSet."""
    kinds = {"ReplicaSet": "ReplicaSet", "StatefulSet": "StatefulSet"}
    if ref.get("kind") not in kinds:
        return None
    owner = api._find(api.kind("apps/v1", kinds[ref["kind"]]), namespace, ref.get("name", ""))
    if owner is None or owner["metadata"]["uid"] != ref.get("uid"):
        return None
    above = pods.controller_of(owner)
    if ref["kind"] == "ReplicaSet" and above is not None and above.get("kind") == "Deployment":
        deployment = api._find(api.kind("apps/v1", "Deployment"), namespace, above.get("name", ""))
        if deployment is None or deployment["metadata"]["uid"] != above.get("uid"):
            return None
        owner = deployment
    return owner["metadata"]["uid"], int((owner.get("spec") or {}).get("replicas", 1))


def note_lost_health(api: FakeKubeAPI, pod: dict[str, Any], cause: str) -> None:
    """A healthy pod just stopped counting: record each budget it leaves below its desired healthy count."""
    for budget in budgets_for(api, pod):
        now = status(api, budget)
        if now.get("currentHealthy", 0) < now.get("desiredHealthy", 0):
            api._record("budget-violated", pod, f"{budget['metadata']['name']}: {now['currentHealthy']} healthy, "
                                                f"{now['desiredHealthy']} desired, after {cause}")


def evict(api: FakeKubeAPI, namespace: str, name: str, body: Any) -> tuple[int, dict[str, Any]]:
    """``POST .../pods/NAME/eviction``."""
    pod_kind = api.kind("v1", "Pod")
    if not isinstance(body, dict):
        raise errors.bad_request("the body of the request is not an object")
    if body.get("kind") != "Eviction" or body.get("apiVersion") not in ("policy/v1", "policy/v1beta1"):
        raise errors.bad_request(f"the body of the request is a {body.get('apiVersion')} {body.get('kind')}, not a "
                                 f"policy/v1 Eviction")
    metadata = body.get("metadata") or {}
    if metadata.get("namespace", namespace) != namespace:
        raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the "
                                 "request")
    if metadata.get("name") != name:
        raise errors.bad_request("name in URL does not match name in Eviction object")
    pod = api._find(pod_kind, namespace, name)
    if pod is None:
        raise errors.not_found(pod_kind, name)
    options = body.get("deleteOptions") or {}
    if options.get("dryRun"):
        raise errors.bad_request("dryRun is not supported by this fake API server")
    errors.check_preconditions(pod_kind, pod, options.get("preconditions") or {})
    phase = (pod.get("status") or {}).get("phase")
    if phase not in ("Succeeded", "Failed", "Pending") and not pods.is_terminating(pod):
        budgets = budgets_for(api, pod)
        if len(budgets) > 1:
            api._record("eviction-refused", pod, TWO_BUDGETS)
            return 500, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                         "message": TWO_BUDGETS, "code": 500}
        if budgets:
            _check_budget(api, pod, budgets[0])
    grace = options.get("gracePeriodSeconds")
    api._record("evicted", pod)
    evicted = api._modify(pod_kind, namespace, name, pods.set_condition, "DisruptionTarget", "True",
                          "EvictionByEvictionAPI", "Eviction API: evicting")
    api._delete_pod(evicted, None if grace is None else int(grace), "eviction")
    return 201, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


def _check_budget(api: FakeKubeAPI, pod: dict[str, Any], budget: dict[str, Any]) -> None:
    """Raise the 429 the real handler answers when ``budget`` allows no disruption of ``pod``."""
    now = status(api, budget)
    if not pods.is_ready(pod):
        always = (budget.get("spec") or {}).get("unhealthyPodEvictionPolicy") == "AlwaysAllow"
        if always or now.get("desiredHealthy", 0) > 0 and now.get("currentHealthy", 0) >= now["desiredHealthy"]:
            return
    if now.get("disruptionsAllowed", 0) > 0:
        return
    cause = (f"The disruption budget {budget['metadata']['name']} needs {now.get('desiredHealthy', 0)} healthy pods "
             f"and has {now.get('currentHealthy', 0)} currently")
    api._record("eviction-refused", pod, cause)
    raise ApiError(429, "TooManyRequests", REFUSED, {"causes": [{"reason": "DisruptionBudget", "message": cause}]})
