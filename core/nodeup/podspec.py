"""Small builders for the static pods kops writes (as plain trees, dumped to YAML)."""

from __future__ import annotations

from typing import Any


def pod(name: str, labels: dict[str, str], *, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    """A host-network pod in kube-system, critical to the cluster (it tolerates the critical-add-ons taint)."""
    metadata: dict[str, Any] = {"name": name, "namespace": "kube-system", "labels": labels}
    if annotations:
        metadata["annotations"] = annotations
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {
            "containers": [],
            "hostNetwork": True,
            "priorityClassName": "system-cluster-critical",
            "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
            "volumes": [],
        },
    }


def host_path(pod_tree: dict[str, Any], container: dict[str, Any], name: str, path: str, *,
              writable: bool = False, kind: str | None = None, mount_path: str | None = None) -> None:
    """Mount the host's ``path`` into ``container`` (read-only unless ``writable``)."""
    source: dict[str, Any] = {"path": path}
    if kind:
        source["type"] = kind
    pod_tree["spec"]["volumes"].append({"name": name, "hostPath": source})
    mount: dict[str, Any] = {"name": name, "mountPath": mount_path or path}
    if not writable:
        mount["readOnly"] = True
    container.setdefault("volumeMounts", []).append(mount)


def go_runner(binary: str, log_file: str, flags: list[str]) -> dict[str, Any]:
    """Command and args that run a component through go-runner, logging to ``log_file`` and stdout."""
    return {"command": ["/go-runner"], "args": [f"--log-file={log_file}", "--also-stdout", binary, *flags]}


def resources(config: dict[str, Any], cpu_default: str) -> dict[str, Any]:
    """Requests and limits from a component's ``cpuRequest``/``memoryRequest``/``cpuLimit``/``memoryLimit``."""
    requests = {"cpu": str(config.get("cpuRequest") or cpu_default)}
    if config.get("memoryRequest"):
        requests["memory"] = str(config["memoryRequest"])
    out: dict[str, Any] = {"requests": requests}
    limits = {k: str(config[f"{k}Limit"]) for k in ("cpu", "memory") if config.get(f"{k}Limit")}
    if limits:
        out["limits"] = limits
    return out


def proxy_env(egress: dict[str, Any] | None) -> list[dict[str, str]]:
    """The proxy environment of ``spec.egressProxy`` (empty without one)."""
    http = (egress or {}).get("httpProxy") or {}
    if not http.get("host"):
        return []
    url = f"http://{http['host']}" + (f":{http['port']}" if http.get("port") else "")
    env = [{"name": n, "value": url} for n in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")]
    excludes = (egress or {}).get("excludes")
    if excludes:
        env += [{"name": n, "value": excludes} for n in ("no_proxy", "NO_PROXY")]
    return env
