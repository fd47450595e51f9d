"""How long a rolling update takes, on the AWS emulator with a Kubernetes API stand-in whose machines take 2 s to
boot (from their instance's launch to a Ready node) and whose pods take 1 s to leave.

Three runs of ``kops rolling-update cluster --yes`` after a machine type change, with upstream's default waits:
a group of one node; a group of 10 with the defaults (on AWS, ``maxSurge: 1``); and the same with
``maxSurge: 10``, which should take little longer than one node (everything is replaced in one wave).
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
BOOT_SECONDS = 2.0
POD_STOP_SECONDS = 1.0


def kops(env: dict[str, str], *args: str) -> None:
    p = subprocess.run([KOPS, *args], env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"kops {' '.join(args)} failed: {p.stderr.strip()}")


def roll(nodes: int, max_surge: int | None, tmp: Path, endpoint: str, image: str) -> float:
    """Seconds ``rolling-update cluster --yes`` takes to replace a group of ``nodes``."""
    import boto3
    from kops.testing.kube_api import FakeKubeAPI, Kubelets
    from kops_aws.testing.kubelets import instances

    name = f"roll{nodes}-{max_surge or 'default'}.example.com"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOPS_", "AWS_"))}
    env.update(HOME=str(tmp), KOPS_STATE_STORE=f"file://{tmp}/state", AWS_ACCESS_KEY_ID="bench",
               AWS_SECRET_ACCESS_KEY="bench", AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1",
               AWS_ENDPOINT_URL=endpoint, KUBECONFIG=str(tmp / f"{name}.kubeconfig"))
    kops(env, "create", "cluster", name, "--cloud", "aws", "--zones", "us-east-1a", "--node-count", str(nodes),
         "--networking", "calico", "--dns", "none", "--image", image)
    kops(env, "update", "cluster", name, "--yes", "--create-kube-config=false")
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                       aws_secret_access_key="bench")
    with FakeKubeAPI(pod_stop_delay=POD_STOP_SECONDS) as api, \
            Kubelets(api, instances(name, ec2), boot_delay=BOOT_SECONDS, interval=0.1):
        Path(env["KUBECONFIG"]).write_text(yaml.safe_dump(api.kubeconfig(name)))
        from kubernetes import client

        client.AppsV1Api(api.api_client()).create_namespaced_deployment("default", {
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": nodes, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": "web:1"}]}}}})
        change = ["--set", "spec.machineType=t3.large"]
        if max_surge is not None:
            change += ["--set", f"spec.rollingUpdate.maxSurge={max_surge}"]
        kops(env, "edit", "ig", "nodes-us-east-1a", "--name", name, *change)
        kops(env, "update", "cluster", name, "--yes", "--create-kube-config=false")
        kops(env, "validate", "cluster", name, "--use-kubeconfig", "--wait", "2m")
        start = time.perf_counter()
        kops(env, "rolling-update", "cluster", name, "--yes", "--use-kubeconfig")
        return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kops-bench-") as tmp:
        from kops_aws.testing.amis import write_channel_amis

        os.environ["MOTO_AMIS_PATH"] = str(write_channel_amis(Path(tmp) / "amis.json"))
        from kops_aws.testing import moto_gaps
        from kops_aws.testing.moto_server import MotoServer

        moto_gaps.fill()
        with MotoServer() as aws:
            import boto3

            image = boto3.client("ec2", endpoint_url=aws.endpoint_url, region_name="us-east-1",
                                 aws_access_key_id="bench", aws_secret_access_key="bench").register_image(
                Name="bench", RootDeviceName="/dev/sda1", Architecture="x86_64")["ImageId"]
            one = roll(1, None, Path(tmp), aws.endpoint_url, image)
            default = roll(10, None, Path(tmp), aws.endpoint_url, image)
            surge = roll(10, 10, Path(tmp), aws.endpoint_url, image)
    print(f"rolling update: 1 node {one:6.1f} s; 10 nodes with the defaults {default:6.1f} s; 10 nodes with maxSurge 10 "
          f"{surge:6.1f} s (x{surge / one:.2f} one node), machines booting in {BOOT_SECONDS:.0f} s, pods leaving in "
          f"{POD_STOP_SECONDS:.0f} s")


if __name__ == "__main__":
    main()
