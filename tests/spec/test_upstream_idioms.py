"""Idioms from upstream's command line: ``delete -f``, the ``ig`` alias, ``completion powershell``."""

from __future__ import annotations

import json
import os
import subprocess

import yaml

from ..conftest import KOPS

SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxHHZtXaQsXz/ml1k2q5vQYqzCR5qF6pVbOdQvJQq7N me@host"


def _groups(kops, cluster):
    found = json.loads(kops("get", "ig", "--name", cluster, "-o", "json").out)
    return sorted(g["metadata"]["name"] for g in (found if isinstance(found, list) else [found]))  # one: an object


def test_delete_f_deletes_the_instance_groups_a_manifest_names(kops, cluster, tmp_path):
    docs = list(yaml.safe_load_all(kops("get", "ig", "nodes-us-east-1a", "nodes-us-east-1b", "--name", cluster,
                                        "-o", "yaml").out))
    manifest = tmp_path / "nodes.yaml"
    manifest.write_text(yaml.safe_dump_all(docs))
    dry = kops("delete", "-f", str(manifest))
    assert dry.code == 0, dry.err
    assert "--yes" in dry.out
    assert _groups(kops, cluster) == ["control-plane-us-east-1a", "nodes-us-east-1a", "nodes-us-east-1b"]
    r = kops("delete", "-f", str(manifest), "--yes")
    assert r.code == 0, r.err
    assert _groups(kops, cluster) == ["control-plane-us-east-1a"]
    # A manifest already applied names groups that are gone: an error naming the group.
    again = kops("delete", "-f", str(manifest), "--yes")
    assert again.code == 1 and "instance group 'nodes-us-east-1a' not found" in again.err


def test_delete_f_reads_stdin_and_ssh_credentials(kops, cluster, tmp_path):
    key = tmp_path / "id.pub"
    key.write_text(SSH_KEY + "\n")
    assert kops("create", "sshpublickey", cluster, "-i", str(key)).code == 0
    manifest = kops("get", "sshpublickeys", cluster, "-o", "yaml").out
    r = kops("delete", "-f", "-", "-y", input=manifest)
    assert r.code == 0, r.err
    assert kops("get", "sshpublickeys", cluster).out.count("admin") == 0


def test_delete_f_checks_every_document_before_deleting(kops, cluster, tmp_path):
    group = kops("get", "ig", "nodes-us-east-1a", "--name", cluster, "-o", "yaml").out
    manifest = tmp_path / "mixed.yaml"
    manifest.write_text(group + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    r = kops("delete", "-f", str(manifest), "--yes")
    assert r.code == 1 and "ConfigMap" in r.err
    assert "nodes-us-east-1a" in _groups(kops, cluster)
    unlabeled = yaml.safe_load(group)
    del unlabeled["metadata"]["labels"]
    manifest.write_text(yaml.safe_dump(unlabeled))
    r = kops("delete", "-f", str(manifest), "--yes")
    assert r.code == 1 and "kops.k8s.io/cluster" in r.err
    # Without the label, --name says which cluster, as for every other command.
    assert kops("delete", "-f", str(manifest), "--yes", "--name", cluster).code == 0
    assert kops("delete").code == 1


def test_ig_is_an_alias_wherever_upstream_has_it(kops, cluster):
    r = kops("create", "ig", "extra", "--name", cluster, "--subnet", "us-east-1a", "--edit=false")
    assert r.code == 0, r.err
    assert kops("create", "instancegroups", "extra2", "--name", cluster, "--edit=false").code == 0
    assert "extra" in _groups(kops, cluster)
    assert kops("edit", "ig", "extra", "--name", cluster, "--set", "spec.maxSize=3").code == 0
    spec = yaml.safe_load(kops("get", "ig", "extra", "--name", cluster, "-o", "yaml").out)["spec"]
    assert spec["maxSize"] == 3
    assert kops("delete", "ig", "extra", "--name", cluster, "--yes").code == 0
    assert kops("delete", "instancegroups", "extra2", "--name", cluster, "--yes").code == 0
    assert "extra" not in _groups(kops, cluster)
    assert kops("get", "ssh", cluster).code == 0


def _complete(kops_env, line: str) -> list[str]:
    """What kops answers PowerShell's completer for the command line ``line`` (cursor at its end)."""
    word = "" if line.endswith(" ") else line.split()[-1]
    env = {**kops_env, "_KOPS_COMPLETE": "powershell_complete", "COMP_LINE": line, "COMP_WORD": word}
    p = subprocess.run([KOPS], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.splitlines()


def test_completion_powershell(kops, kops_env):
    r = kops("completion", "powershell")
    assert r.code == 0, r.err
    assert "Register-ArgumentCompleter -Native -CommandName 'kops'" in r.out
    assert "_KOPS_COMPLETE = 'powershell_complete'" in r.out
    assert "powershell" in kops("completion", "--help").out
    assert _complete(kops_env, "kops tr") == ["plain\ttrust\tTrust a resource."]
    subcommands = [line.split("\t")[1] for line in _complete(kops_env, "kops get ")]
    assert {"clusters", "instancegroups", "ig", "all"} <= set(subcommands)
    assert [line.split("\t")[1] for line in _complete(kops_env, "kops get clusters -o y")] == ["yaml"]
    # A file argument answers "file", which the script skips so that PowerShell completes paths itself.
    assert _complete(kops_env, "kops create -f ")[0].split("\t")[0] == "file"
    assert os.environ.get("_KOPS_COMPLETE") is None
