"""The command line's contract: help, versions, plugins, completion, exit codes, global settings."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.conftest import KOPS

CLOUD_SDKS = ("boto3", "botocore", "google.cloud", "openstack", "pyVmomi", "digitalocean", "kubernetes")


def test_help_lists_builtin_and_plugin_commands(kops):
    r = kops("--help")
    assert r.code == 0
    for command in ("create", "get", "version", "plugins", "completion", "example-greet"):
        assert f"  {command} " in r.out


def test_plugin_command_runs(kops):
    r = kops("example-greet", "ops")
    assert r.code == 0
    assert r.out.strip() == "hello, ops, from the example plugin"


def test_version_names_core_and_each_plugin(kops):
    r = kops("version", "-o", "json")
    data = json.loads(r.out)
    assert data["kops-core"]
    assert {"kops-aws", "kops-example-plugin"} <= set(data["plugins"])
    assert data["plugins"]["kops-example-plugin"] == "0.3.1"


def test_plugins_list_shows_name_distribution_version_and_what_it_provides(kops):
    r = kops("plugins", "list", "-o", "json")
    plugins = {p["name"]: p for p in json.loads(r.out)}
    assert plugins["aws"]["distribution"] == "kops-aws"
    assert "cloud:aws" in plugins["aws"]["provides"]
    assert "hook:kops_inference_rules" in plugins["aws"]["provides"]
    example = plugins["example"]
    assert example["distribution"] == "kops-example-plugin"
    assert {"hook:kops_cli_commands", "hook:kops_addons", "hook:kops_inference_rules"} <= set(example["provides"])
    table = kops("plugins", "list").out
    assert table.splitlines()[0].split() == ["NAME", "DISTRIBUTION", "VERSION", "PROVIDES"]
    assert any(line.split()[:2] == ["aws", "kops-aws"] for line in table.splitlines())


def test_usage_errors_exit_1_not_2(kops):
    for args in (["no-such-command"], ["get", "clusters", "--no-such-flag"], ["completion", "tcsh"]):
        r = kops(*args)
        assert r.code == 1, args
        assert "Traceback" not in r.err


def test_completion_scripts(kops):
    assert "_KOPS_COMPLETE" in kops("completion", "bash").out
    assert "compdef" in kops("completion", "zsh").out
    assert "complete" in kops("completion", "fish").out
    words = subprocess.run([KOPS], env={"_KOPS_COMPLETE": "bash_complete", "COMP_WORDS": "kops cre", "COMP_CWORD": "1",
                                        "PATH": "/usr/bin:/bin"}, capture_output=True, text=True).stdout
    assert "create" in words


def test_help_and_version_import_no_cloud_sdk(kops_env):
    for args in (["--help"], ["version"]):
        p = subprocess.run([sys.executable, "-X", "importtime", KOPS, *args], env=kops_env, capture_output=True,
                           text=True)
        assert p.returncode == 0
        imported = {line.split("|")[-1].strip() for line in p.stderr.splitlines() if line.startswith("import time:")}
        leaked = sorted(m for m in imported if m.split(".")[0] in {s.split(".")[0] for s in CLOUD_SDKS}
                        and any(m == s or m.startswith(s + ".") for s in CLOUD_SDKS))
        assert not leaked, f"kops {' '.join(args)} imported {leaked}"


def test_state_store_from_flag_env_and_home_config(kops, kops_env, tmp_path):
    # env (from the fixture): the store is empty, so no clusters and exit 0
    assert kops("get", "clusters").code == 0
    missing = kops("get", "cluster", "nope.example.com")
    assert missing.code == 1 and str(tmp_path / "store") in missing.err
    # flag wins over env
    flagged = kops("--state", f"file://{tmp_path}/other", "get", "cluster", "nope.example.com")
    assert f"{tmp_path}/other" in flagged.err
    # the flag may also follow the command, as upstream's persistent flags
    after = kops("get", "cluster", "nope.example.com", "--state", f"file://{tmp_path}/after")
    assert f"{tmp_path}/after" in after.err
    # $HOME/.kops.yaml when neither is set
    (tmp_path / "home" / ".kops.yaml").write_text(f"kops_state_store: file://{tmp_path}/fromconfig\n")
    r = kops("get", "cluster", "nope.example.com", env={"KOPS_STATE_STORE": ""})
    assert f"{tmp_path}/fromconfig" in r.err


def test_no_state_store_uses_a_local_default_and_says_so(kops):
    r = kops("get", "clusters", env={"KOPS_STATE_STORE": ""})
    assert r.code == 0
    assert "Using the local state store file://" in r.err


def test_broken_plugin_is_named_and_the_rest_works(kops, tmp_path):
    site = tmp_path / "site"
    dist = site / "kops_broken-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: kops-broken\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[kops.plugins]\nbroken = kops_broken_plugin\n")
    (site / "kops_broken_plugin.py").write_text(textwrap.dedent("""
        raise RuntimeError("this plugin is broken on purpose")
    """))
    r = kops("--help", env={"PYTHONPATH": str(site)})
    assert r.code == 0
    assert "broken" in r.err and "kops-broken" in r.err
    assert "example-greet" in r.out
    listed = kops("plugins", "list", env={"PYTHONPATH": str(site)})
    assert "failed" in listed.out and "kops-broken" in listed.out
