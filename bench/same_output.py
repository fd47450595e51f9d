"""Prove a refactoring changed nothing a user gets: the Terraform kops writes for every upstream fixture case, and
the plans of a fresh cluster on the AWS emulator, digested so two commits can be compared.

    python bench/same_output.py save before.json      # on the commit before the change
    python bench/same_output.py check before.json     # on the commit after it: lists every difference

The state store's random ID (tags every owned resource carries) is fixed per case, so two runs of the same commit
agree byte for byte. Upstream's fixtures are found in ``KOPS_FIXTURES`` or ``../shared/fixtures/kops``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import yaml

KOPS = str(Path(sys.executable).with_name("kops"))
FIXTURES = Path(os.environ.get("KOPS_FIXTURES") or Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "kops")
#: The store ID every case is given, instead of a random one.
STORE_ID = "fixedstoreid"
#: Where every case's state store is (boot files and policies name it, so it must not vary between runs).
WORK = Path(tempfile.gettempdir()) / "kops-same-output"
#: Plans made on the emulator: (cluster name, create-cluster flags).
PLANNED = [
    ("plain.example.com", ["--zones", "us-east-1a", "--networking", "cni"]),
    ("private.example.com", ["--zones", "us-east-1a,us-east-1b", "--control-plane-zones",
                             "us-east-1a,us-east-1b,us-east-1c", "--topology", "private", "--bastion",
                             "--networking", "calico"]),
]


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KOPS, *args], env=env, capture_output=True, text=True, timeout=600)


def fix_store_id(store: Path, cluster: str) -> None:
    (store / cluster / "store-id").write_text(STORE_ID)


def terraform_digests() -> dict[str, str]:
    """Each case's Terraform files, one digest per file, keyed ``case/file``; a case kops refuses is noted."""
    out: dict[str, str] = {}
    for case in sorted((FIXTURES / "update_cluster").iterdir()):
        manifest = case / "in-v1alpha2.yaml"
        if not manifest.exists():
            continue
        docs = [d for d in yaml.safe_load_all(manifest.read_text()) if d]
        cluster = next(d["metadata"]["name"] for d in docs if d.get("kind") == "Cluster")
        with _workdir() as tmp:
            store = Path(tmp) / "store"
            env = {"PATH": os.environ.get("PATH", ""), "HOME": tmp, "KOPS_STATE_STORE": f"file://{store}"}
            steps = [("create", "-f", str(manifest))]
            if (case / "id_rsa.pub").exists():
                steps.append(("create", "sshpublickey", cluster, "-i", str(case / "id_rsa.pub")))
            failed = None
            for step in steps:
                p = run(env, *step)
                if p.returncode:
                    failed = p.stderr.strip().splitlines()[-1:]
                    break
            if failed is None:
                fix_store_id(store, cluster)
                p = run(env, "update", "cluster", cluster, "--target", "terraform", "--out", f"{tmp}/tf", "--yes")
                failed = p.stderr.strip().splitlines()[-1:] if p.returncode else None
            if failed is not None:
                out[f"{case.name}/(refused)"] = " ".join(failed)
                continue
            for f in sorted(Path(tmp, "tf").rglob("*")):
                if f.is_file():
                    out[f"{case.name}/{f.relative_to(Path(tmp, 'tf'))}"] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


@contextlib.contextmanager
def _workdir() -> Iterator[str]:
    """:data:`WORK`, empty, for one case."""
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    try:
        yield str(WORK)
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


def plans() -> dict[str, str]:
    """The JSON plan of each :data:`PLANNED` cluster on a fresh AWS emulator (its testbed)."""
    from kops.testing.testbed import _RUNNING

    out: dict[str, str] = {}
    try:
        bed = _RUNNING.start("aws")
        for cluster, flags in PLANNED:
            with _workdir() as tmp:
                store = Path(tmp) / "store"
                env = {"PATH": os.environ.get("PATH", ""), "HOME": tmp, **bed, "KOPS_STATE_STORE": f"file://{store}"}
                p = run(env, "create", "cluster", cluster, "--cloud", "aws", *flags)
                if p.returncode:
                    out[cluster] = "create failed: " + p.stderr.strip()
                    continue
                fix_store_id(store, cluster)
                p = run(env, "update", "cluster", cluster, "-o", "json")
                out[cluster] = _steady(p.stdout) if p.returncode == 0 else "plan failed: " + p.stderr.strip()
    finally:
        _RUNNING.stop_all()
    return out


def _steady(plan_json: str) -> str:
    """A plan without what differs from one cluster to its namesake: the bytes of its boot files (they hold the CA
    certificates and timestamps a new cluster gets) and the fingerprint over them."""
    plan = json.loads(plan_json)
    plan.pop("fingerprint", None)
    for change in plan["changes"]:
        if change["type"] == "ManagedFile":
            change["fields"].pop("content", None)
    return json.dumps(plan, indent=1, sort_keys=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["save", "check"])
    parser.add_argument("file")
    args = parser.parse_args()
    now = {"terraform": terraform_digests(), "plans": plans()}
    if args.action == "save":
        Path(args.file).write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        print(f"saved {len(now['terraform'])} Terraform files and {len(now['plans'])} plans to {args.file}")
        return 0
    before = json.loads(Path(args.file).read_text())
    differences = [f"{part}: {key}" for part in ("terraform", "plans")
                   for key in sorted(before[part].keys() | now[part].keys())
                   if before[part].get(key) != now[part].get(key)]
    for line in differences:
        print(f"differs: {line}")
    print("same output" if not differences else f"{len(differences)} difference(s)")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
