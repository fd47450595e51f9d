"""How planning and applying scale with the number of instance groups, on the AWS emulator.

For clusters of 5 and 50 node groups: the wall time of ``kops update cluster --yes`` with a fixed
delay added to every AWS call (a real region's round trip), and the number of AWS calls a re-plan
makes. Discovery lists each resource type once, so re-plan calls should barely grow with the
number of groups; the executor runs independent resources in parallel, so apply time should grow
far slower than the number of resources.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

KOPS = str(Path(sys.executable).with_name("kops"))
ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
LATENCY = 0.040


def manifest(name: str, groups: int) -> str:
    """A minimal public cluster with ``groups`` node groups spread over three zones."""
    subnets = [{"name": z, "zone": z, "type": "Public", "cidr": f"172.20.{32 * i}.0/19"} for i, z in enumerate(ZONES)]
    cluster = {
        "apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": name},
        "spec": {
            "cloudProvider": "aws", "kubernetesVersion": "v1.32.0", "networkCIDR": "172.20.0.0/16",
            "nonMasqueradeCIDR": "100.64.0.0/10", "networking": {"cni": {}}, "channel": "stable",
            "api": {"loadBalancer": {"type": "Public", "class": "Network"}}, "topology": {"dns": {"type": "None"}},
            "kubernetesApiAccess": ["0.0.0.0/0"], "sshAccess": ["0.0.0.0/0"], "iam": {"legacy": False},
            "subnets": subnets,
            "etcdClusters": [{"name": n, "etcdMembers": [{"name": "a", "instanceGroup": "control-plane-us-east-1a"}]}
                             for n in ("main", "events")],
        },
    }
    docs = [cluster, _group(name, "control-plane-us-east-1a", "Master", ZONES[0])]
    docs += [_group(name, f"nodes-{i}", "Node", ZONES[i % 3]) for i in range(groups)]
    return yaml.safe_dump_all(docs)


def _group(cluster: str, name: str, role: str, zone: str) -> dict:
    return {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "InstanceGroup",
            "metadata": {"name": name, "labels": {"kops.k8s.io/cluster": cluster}},
            "spec": {"role": role, "minSize": 1, "maxSize": 1, "machineType": "t3.medium", "subnets": [zone],
                     "image": "099720109477/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20260714"}}


def kops(env: dict[str, str], *args: str) -> None:
    p = subprocess.run([KOPS, *args], env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"kops {' '.join(args)} failed: {p.stderr.strip()}")


def scale(groups: int, tmp: Path, endpoint: str) -> tuple[float, int]:
    from kops_aws.testing.faults import FaultyProxy

    name = f"bench{groups}.example.com"
    (tmp / f"{name}.yaml").write_text(manifest(name, groups))
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KOPS_", "AWS_"))}
    base.update(HOME=str(tmp), KOPS_STATE_STORE=f"file://{tmp}/state", AWS_ACCESS_KEY_ID="bench",
                AWS_SECRET_ACCESS_KEY="bench", AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1")
    kops({**base, "AWS_ENDPOINT_URL": endpoint}, "create", "-f", str(tmp / f"{name}.yaml"))
    with FaultyProxy(endpoint, fail_rate=0.0, latency=LATENCY) as slow:
        start = time.perf_counter()
        kops({**base, "AWS_ENDPOINT_URL": slow.endpoint_url}, "update", "cluster", name, "--yes")
        apply_seconds = time.perf_counter() - start
    with FaultyProxy(endpoint, fail_rate=0.0) as counting:
        kops({**base, "AWS_ENDPOINT_URL": counting.endpoint_url}, "update", "cluster", name)
        replan_calls = counting.passed
    return apply_seconds, replan_calls


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kops-bench-") as tmp:
        from kops_aws.testing.amis import write_channel_amis

        os.environ["MOTO_AMIS_PATH"] = str(write_channel_amis(Path(tmp) / "amis.json"))
        from kops_aws.testing import moto_gaps
        from kops_aws.testing.moto_server import MotoServer

        moto_gaps.fill()
        with MotoServer() as aws:
            results = {n: scale(n, Path(tmp), aws.endpoint_url) for n in (5, 50)}
    for n, (seconds, calls) in results.items():
        print(f"scale: {n:>2} node groups: apply {seconds:6.1f} s with {LATENCY * 1000:.0f} ms per AWS call; "
              f"re-plan {calls} AWS calls")
    (a5, c5), (a50, c50) = results[5], results[50]
    print(f"scale: 50 vs 5 groups: re-plan calls x{c50 / c5:.2f}, apply time x{a50 / a5:.2f}")


if __name__ == "__main__":
    main()
