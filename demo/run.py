"""``make demo``: the main job on an embedded default, with a local state store in a temporary folder.

Each step is a real ``kops`` command, printed before it runs, so the output reads as a session.
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


def run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    print(f"\n$ kops {shlex.join(args)}", flush=True)
    p = subprocess.run([KOPS, *args], env=env, text=True, capture_output=True)
    sys.stdout.write(p.stdout)
    sys.stdout.write(p.stderr)
    if check and p.returncode != 0:
        sys.exit(f"demo step failed with exit code {p.returncode}")
    return p


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kops-demo-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KOPS_", "AWS_"))}
        env.update(HOME=tmp, KOPS_STATE_STORE=f"file://{tmp}/state")
        print(f"State store: {env['KOPS_STATE_STORE']}")
        ha = ["--cloud", "aws", "--zones", "eu-west-1a,eu-west-1b,eu-west-1c",
              "--control-plane-zones", "eu-west-1a,eu-west-1b,eu-west-1c", "--topology", "private", "--bastion",
              "--networking", "cni", "--dns", "none"]
        run(env, "version")
        run(env, "plugins", "list")
        run(env, "create", "cluster", CLUSTER, *ha, "--dry-run", "-o", "yaml")
        run(env, "create", "cluster", CLUSTER, *ha)
        run(env, "get", "clusters")
        run(env, "get", "instancegroups", "--name", CLUSTER)
        run(env, "edit", "instancegroup", "--name", CLUSTER, "nodes-eu-west-1a", "--set", "spec.maxSize=3")
        run(env, "get", "instancegroups", "--name", CLUSTER, "nodes-eu-west-1a", "-o", "yaml")
        bad = run(env, "create", "cluster", "Bad_Name", "--cloud", "aws", "--zones", "eu-west-1a", check=False)
        print(f"(exit code {bad.returncode}: bad input is refused with a one-line error)")


if __name__ == "__main__":
    main()
