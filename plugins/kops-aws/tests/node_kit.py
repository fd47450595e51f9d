"""Helpers for tests of machines joining a cluster on the AWS emulator: a cluster updated with an ``s3://`` store,
the node credential service run as machines run it (``kops controller serve``), and the emulator's STS making
the instance roles' sessions that machines sign with."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cli_kit import KOPS, ZONES

ACCOUNT = "123456789012"


@dataclass
class Joined:
    """A cluster updated on the emulator, with its state store in the emulator's S3."""

    env: dict[str, str]
    name: str
    bucket: str
    #: Instance group -> the ID of its running instance.
    instances: dict[str, str]
    moto_server: Any = None
    service_url: str = ""
    service_log: list[str] = field(default_factory=list)

    def update(self) -> None:
        """Apply the cluster, and note each group's running instance."""
        self.kops("update", "cluster", self.name, "--yes")
        owned = [{"Name": f"tag:kubernetes.io/cluster/{self.name}", "Values": ["owned"]},
                 {"Name": "instance-state-name", "Values": ["running"]}]
        for reservation in client(self.moto_server, "ec2").describe_instances(Filters=owned)["Reservations"]:
            for instance in reservation["Instances"]:
                tags = {t["Key"]: t["Value"] for t in instance["Tags"]}
                self.instances[tags["kops.k8s.io/instancegroup"]] = instance["InstanceId"]

    def user_data(self, group: str) -> str:
        """The user data of the group's launch template, as EC2 has it."""
        import base64

        ec2 = client(self.moto_server, "ec2")
        owned = [{"Name": f"tag:kubernetes.io/cluster/{self.name}", "Values": ["owned"]}]
        for template in ec2.describe_launch_templates(Filters=owned)["LaunchTemplates"]:
            if template["LaunchTemplateName"].startswith(group + "."):
                version = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"],
                                                                Versions=["$Latest"])["LaunchTemplateVersions"][0]
                return base64.b64decode(version["LaunchTemplateData"]["UserData"]).decode()
        raise AssertionError(f"no launch template for {group}")

    @property
    def store(self) -> str:
        return f"s3://{self.bucket}"

    def config_url(self, group: str) -> str:
        role = "control-plane" if group.startswith("control-plane") else "node"
        return f"{self.store}/{self.name}/igconfig/{role}/{group}/nodeupconfig.yaml"

    def kops(self, *args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
        p = subprocess.run([KOPS, *args], env={**self.env, **(env or {})}, capture_output=True, text=True, timeout=600)
        if check:
            assert p.returncode == 0, f"kops {' '.join(args)}: {p.stderr}"
        return p

    def logged(self, text: str, timeout: float = 10) -> str:
        """The service's first log line holding ``text`` (waiting for it to be written)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in list(self.service_log) if text in line]
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"the service logged no line with {text!r}:\n" + "".join(self.service_log))


def create_cluster(moto_server, home: Path, *extra: str) -> Joined:
    """Create a cluster (a control plane and one node group in one zone) with an ``s3://`` store in the emulator."""
    import boto3
    from kops_aws.testing import moto_gaps

    moto_gaps.fill()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KOPS_", "AWS_"))}
    base.update(moto_server.environ(), HOME=str(home))
    bucket = f"kops-state-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=moto_server.endpoint_url, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    s3.create_bucket(Bucket=bucket)
    ec2 = client(moto_server, "ec2")
    image = ec2.register_image(Name=f"kops-test-{uuid.uuid4().hex[:8]}", RootDeviceName="/dev/sda1",
                               Architecture="x86_64")["ImageId"]
    joined = Joined({**base, "KOPS_STATE_STORE": f"s3://{bucket}"}, f"c{uuid.uuid4().hex[:8]}.example.com", bucket,
                    {}, moto_server)
    joined.kops("create", "cluster", joined.name, "--cloud", "aws", "--zones", ZONES.split(",")[0],
                "--networking", "calico", "--image", image, *extra)
    return joined


def update_cluster(moto_server, home: Path, *extra: str) -> Joined:
    """:func:`create_cluster`, applied."""
    joined = create_cluster(moto_server, home, *extra)
    joined.update()
    return joined


def client(moto_server, service: str):
    import boto3

    return boto3.client(service, endpoint_url=moto_server.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def role_session(moto_server, role: str, session: str) -> dict[str, str]:
    """The credentials of an instance role's session (what the instance metadata gives an instance), as the
    environment variables a machine's code reads."""
    creds = client(moto_server, "sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{role}",
                                                   RoleSessionName=session)["Credentials"]
    return {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
            "AWS_SESSION_TOKEN": creds["SessionToken"]}


class Service:
    """``kops controller serve`` in a child process on a free port of 127.0.0.1, its log collected."""

    def __init__(self, joined: Joined):
        self.joined = joined
        self.process = subprocess.Popen([KOPS, "controller", "serve", joined.name, "--listen", "127.0.0.1:0"],
                                        env=joined.env, stderr=subprocess.PIPE, text=True)
        found = None
        while found is None:  # the label loop may log before the server listens
            line = self.process.stderr.readline()
            assert line, "".join(joined.service_log) + "the service stopped before it listened"
            joined.service_log.append(line)
            found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        joined.service_url = f"https://127.0.0.1:{found.group(1)}"
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        for line in self.process.stderr:
            self.joined.service_log.append(line)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
