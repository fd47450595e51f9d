"""``make demo``: a cluster's whole lifecycle on an embedded default.

An AWS emulator (moto) runs on loopback, seeded with the machine images the release channel names,
and an S3 bucket in it is the state store. Each step is a real ``kops`` command, printed before it
runs, so the output reads as a session; the same commands work against a real AWS account.

``make demo CLOUD=NAME`` (the ``CLOUD`` variable) runs a shorter session on another cloud's stand-in
(:mod:`kops.testing.testbed`), as far as that cloud's plugin goes.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

KOPS = str(Path(sys.executable).with_name("kops"))
CLUSTER = "demo.example.com"
ZONES = "us-east-1a,us-east-1b,us-east-1c"
BUCKET = "kops-demo-state"
SHOWN_LINES = 40


def run(env: dict[str, str], *args: str, check: bool = True, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    print(f"\n$ kops {shlex.join(args)}", flush=True)
    p = subprocess.run([KOPS, *args], env=env, text=True, capture_output=True)
    lines = p.stdout.splitlines(keepends=True)
    if len(lines) > SHOWN_LINES:  # a plan of a hundred resources: show its start and its summary
        hidden = len(lines) - SHOWN_LINES
        lines = lines[:SHOWN_LINES - 4] + [f"   ... {hidden} more lines ...\n"] + lines[-4:]
    sys.stdout.write("".join(lines))
    sys.stdout.write(p.stderr)
    if check and p.returncode not in ok:
        sys.exit(f"demo step failed with exit code {p.returncode}")
    return p


def main() -> None:
    cloud = os.environ.get("CLOUD") or "aws"
    if cloud != "aws":
        on_testbed(cloud)
        return
    with tempfile.TemporaryDirectory(prefix="kops-demo-") as tmp:
        from kops_aws.testing.amis import write_channel_amis

        os.environ["MOTO_AMIS_PATH"] = str(write_channel_amis(Path(tmp) / "amis.json"))
        from kops_aws.testing import moto_gaps
        from kops_aws.testing.moto_server import MotoServer

        moto_gaps.fill()
        with MotoServer() as aws:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("KOPS_", "AWS_"))}
            env.update(aws.environ(), HOME=tmp, KOPS_STATE_STORE=f"s3://{BUCKET}")
            import boto3

            boto3.client("s3", endpoint_url=aws.endpoint_url, region_name="us-east-1",
                         aws_access_key_id="demo", aws_secret_access_key="demo").create_bucket(Bucket=BUCKET)
            print(f"AWS emulator on {aws.endpoint_url}; state store s3://{BUCKET}")
            ha = ["--cloud", "aws", "--zones", ZONES, "--control-plane-zones", ZONES, "--topology", "private",
                  "--bastion", "--networking", "calico", "--dns", "none", "--node-count", "3"]
            run(env, "version")
            run(env, "create", "cluster", CLUSTER, *ha)
            run(env, "get", "instancegroups", "--name", CLUSTER)
            run(env, "update", "cluster", CLUSTER)
            run(env, "update", "cluster", CLUSTER, "--yes")
            run(env, "get", "instances", CLUSTER)
            replan = run(env, "update", "cluster", CLUSTER, "--detailed-exitcode")
            print(f"(re-plan exit code {replan.returncode}: 0 means nothing left to change)")
            day_two(env, Path(tmp), aws.endpoint_url)
            run(env, "update", "cluster", CLUSTER, "--target", "terraform", "--out", f"{tmp}/terraform")
            run(env, "delete", "cluster", CLUSTER, "--yes")
        print(textwrap_real_aws())


def on_testbed(cloud: str) -> None:
    """Create, plan, apply, list and delete a small cluster on the stand-in the cloud's plugin registers; a cloud
    whose plugin cannot create resources yet stops after its plan, with its own one-line reason."""
    from kops.errors import KopsError
    from kops.testing import testbed

    try:
        bed_class = testbed.load(cloud)
    except KopsError as exc:
        sys.exit(f"make demo CLOUD={cloud}: {exc}")
    with tempfile.TemporaryDirectory(prefix="kops-demo-") as tmp:
        bed = bed_class(Path(tmp))
        try:
            print(f"Starting the {cloud} stand-in" + (" (this takes minutes)" if bed.slow else ""), flush=True)
            started = bed.start()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("KOPS_", "AWS_", "GOOGLE_", "OS_",
                                                                            "DIGITALOCEAN_", "VSPHERE_"))}
            env.update(started, HOME=tmp)
            print(f"{cloud} stand-in up; state store {env.get('KOPS_STATE_STORE')}")
            run(env, "create", "cluster", CLUSTER, "--cloud", cloud, *bed.demo_flags(started))
            run(env, "get", "instancegroups", "--name", CLUSTER)
            plan = run(env, "update", "cluster", CLUSTER, check=False)
            if plan.returncode != 0:
                print(f"(the {cloud} plugin stops here: it does not create cloud resources yet)")
                return
            run(env, "update", "cluster", CLUSTER, "--yes", "--create-kube-config=false")
            run(env, "get", "instances", CLUSTER)
            replan = run(env, "update", "cluster", CLUSTER, "--detailed-exitcode", check=False, ok=(0, 2))
            print(f"(re-plan exit code {replan.returncode}: 0 means nothing left to change)")
            run(env, "delete", "cluster", CLUSTER, "--yes")
        finally:
            bed.stop()


def day_two(env: dict[str, str], tmp: Path, endpoint_url: str) -> None:
    """The second half of a life: a change reaches the running machines. The cluster's Kubernetes API is a small
    stand-in whose kubelets follow the emulator's instances (a real cluster's nodes would boot from their user
    data), so the rolling update drains nodes and validates the cluster as it would for real."""
    import boto3
    import yaml
    from kops.testing.kube_api import FakeKubeAPI, Kubelets
    from kops_aws.testing.kubelets import instances

    ec2 = boto3.client("ec2", endpoint_url=endpoint_url, region_name="us-east-1", aws_access_key_id="demo",
                       aws_secret_access_key="demo")
    with FakeKubeAPI() as api, Kubelets(api, instances(CLUSTER, ec2), interval=0.2,
                                        node_name=lambda i: f"ip-{i['internalIP'].replace('.', '-')}.ec2.internal"):
        kubeconfig = tmp / "kubeconfig"
        kubeconfig.write_text(yaml.safe_dump(api.kubeconfig(CLUSTER)))
        print(f"\n(The cluster's Kubernetes API: a stand-in on {api.url}, in {kubeconfig})")
        stand_in = ("--kubeconfig", str(kubeconfig), "--use-kubeconfig")
        run(env, "validate", "cluster", CLUSTER, *stand_in, "--wait", "1m")
        run(env, "edit", "ig", "nodes-us-east-1a", "--name", CLUSTER, "--set", "spec.machineType=t3.large")
        run(env, "update", "cluster", CLUSTER, "--yes")
        run(env, "get", "instances", CLUSTER, *stand_in)
        run(env, "rolling-update", "cluster", CLUSTER, *stand_in)
        run(env, "rolling-update", "cluster", CLUSTER, "--yes", *stand_in, "--node-interval", "1s",
            "--post-drain-delay", "1s")
        run(env, "get", "instances", CLUSTER, *stand_in)
        run(env, "validate", "cluster", CLUSTER, *stand_in)


def textwrap_real_aws() -> str:
    return f"""
The same against a real AWS account (credentials in your environment or ~/.aws):
  aws s3 mb s3://my-kops-state
  export KOPS_STATE_STORE=s3://my-kops-state
  kops create cluster {CLUSTER} {' '.join(['--cloud', 'aws', '--zones', ZONES, '--control-plane-zones', ZONES,
                                           '--topology', 'private', '--bastion', '--networking', 'calico'])}
  kops update cluster {CLUSTER}          # review the plan
  kops update cluster {CLUSTER} --yes    # create it
  kops get instances {CLUSTER}
  kops validate cluster {CLUSTER} --wait 10m
  kops edit ig nodes-us-east-1a --name {CLUSTER}      # a change...
  kops update cluster {CLUSTER} --yes
  kops rolling-update cluster {CLUSTER} --yes         # ...reaches the machines
  kops delete cluster {CLUSTER} --yes
"""


if __name__ == "__main__":
    main()
