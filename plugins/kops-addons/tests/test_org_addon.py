"""The worked example of an organisation's own add-on (``tests/plugins/kops-acme-addon``), through the whole
path a user takes: create a cluster whose spec has the plugin's own section, update to Terraform, find the add-on
in the stored bootstrap channel, switch it off and see it leave the channel. Around it, what the section promises:
errors that name the field, the section given back as written, and the JSON Schema that lists it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from kops.testing.manifests import schema_problems

pytest.importorskip("kops_acme_addon")

CLUSTER = "acme.example.com"
NAME = "audit-agent.acme.example.com"
SECTION = "acmeAuditAgent"


def _manifest(kops, tmp_path: Path, spec: dict) -> Path:
    """A new cluster's manifest, as ``kops create cluster`` would make it, with ``spec`` laid over its spec."""
    made = kops("create", "cluster", CLUSTER, "--cloud", "aws", "--zones", "us-east-1a", "--dns", "private",
                "--dry-run", "-o", "yaml")
    assert made.returncode == 0, made.stderr
    docs = list(yaml.safe_load_all(made.stdout))
    docs[0]["spec"].update(spec)
    path = tmp_path / "cluster.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    return path


def _cluster(kops) -> dict:
    got = kops("get", "cluster", CLUSTER, "-o", "yaml")
    assert got.returncode == 0, got.stderr
    return yaml.safe_load(got.stdout)


def _replace_spec(kops, tmp_path: Path, change) -> None:
    doc = _cluster(kops)
    change(doc["spec"])
    (tmp_path / "replaced.yaml").write_text(yaml.safe_dump(doc))
    replaced = kops("replace", "-f", str(tmp_path / "replaced.yaml"))
    assert replaced.returncode == 0, replaced.stderr


def _channel(kops, tmp_path: Path) -> dict[str, dict]:
    updated = kops("update", "cluster", CLUSTER, "--target", "terraform", "--out", str(tmp_path / "tf"), "--yes")
    assert updated.returncode == 0, updated.stderr
    channel = yaml.safe_load((tmp_path / "store" / CLUSTER / "addons" / "bootstrap-channel.yaml").read_text())
    return {entry["name"]: entry for entry in channel["spec"]["addons"]}


@pytest.mark.parametrize("switch_off", [lambda spec: spec[SECTION].update(enabled=False), lambda spec: spec.pop(SECTION)],
                         ids=["enabled-false", "section-removed"])
def test_switch_on_and_off_through_update(kops, tmp_path, switch_off):
    created = kops("create", "-f", str(_manifest(kops, tmp_path, {SECTION: {"enabled": True}})))
    assert created.returncode == 0, created.stderr

    entry = _channel(kops, tmp_path)[NAME]
    manifest = (tmp_path / "store" / CLUSTER / "addons" / entry["manifest"]).read_text()
    assert schema_problems(manifest) == []
    # The plugin's inference rule filled what the user left empty, in the completed spec only.
    config = next(d for d in yaml.safe_load_all(manifest) if d["kind"] == "ConfigMap")
    assert config["data"] == {"cluster": CLUSTER, "endpoint": "https://audit.acme.example.com/ingest",
                              "logLevel": "info"}
    completed = yaml.safe_load((tmp_path / "store" / CLUSTER / "cluster-completed.spec").read_text())
    assert completed["spec"][SECTION]["endpoint"] == "https://audit.acme.example.com/ingest"
    assert _cluster(kops)["spec"][SECTION] == {"enabled": True}
    listed = kops("toolbox", "addons", "list", CLUSTER)
    assert any(line.split()[:1] == [NAME] and line.split()[-1] == "acme" for line in listed.stdout.splitlines())

    _replace_spec(kops, tmp_path, switch_off)
    assert NAME not in _channel(kops, tmp_path)


def test_the_section_is_given_back_as_written(kops, tmp_path):
    section = {"enabled": True, "endpoint": "https://audit.example.org/in", "logLevel": "debug"}
    assert kops("create", "-f", str(_manifest(kops, tmp_path, {SECTION: section}))).returncode == 0
    assert _cluster(kops)["spec"][SECTION] == section
    everything = kops("get", "all", CLUSTER, "-o", "yaml")
    assert everything.returncode == 0, everything.stderr
    (cluster,) = [d for d in yaml.safe_load_all(everything.stdout) if d["kind"] == "Cluster"]
    assert cluster["spec"][SECTION] == section
    _channel(kops, tmp_path)
    completed = yaml.safe_load((tmp_path / "store" / CLUSTER / "cluster-completed.spec").read_text())
    assert completed["spec"][SECTION] == section


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"acmeAuditAgnet": {"enabled": True}}, "spec.acmeAuditAgnet: unknown field (no installed plugin provides it)"),
        ({SECTION: {"enabled": True, "endpoint": "http://audit.example.org"}},
         "spec.acmeAuditAgent.endpoint: must be an https:// URL, got 'http://audit.example.org'"),
        ({SECTION: {"enabled": "yes"}}, "spec.acmeAuditAgent.enabled: expected a boolean, got a string"),
        ({SECTION: {"logLevel": "loud"}}, "spec.acmeAuditAgent.logLevel: must be 'debug', 'info', 'warning' or 'error'"),
    ],
    ids=["unknown-key", "http-endpoint", "wrong-type", "unknown-level"],
)
def test_bad_spec_is_refused_on_one_line_naming_the_field(kops, tmp_path, spec, message):
    refused = kops("create", "-f", str(_manifest(kops, tmp_path, spec)))
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [f"Error: {tmp_path / 'cluster.yaml'}: Cluster/{CLUSTER}: {message}"]
    assert kops("get", "cluster", CLUSTER).returncode == 1


def test_the_schema_lists_the_section(kops):
    import jsonschema

    exported = kops("toolbox", "schema", "cluster")
    assert exported.returncode == 0, exported.stderr
    schema = json.loads(exported.stdout)
    section = schema["$defs"]["ClusterSpec"]["properties"][SECTION]
    assert set(section["properties"]) == {"enabled", "endpoint", "logLevel"}
    doc = {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": CLUSTER},
           "spec": {SECTION: {"enabled": True, "logLevel": "debug"}}}
    jsonschema.validate(doc, schema)
    doc["spec"][SECTION]["logLevel"] = "loud"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


def test_the_cli_starts_without_the_section_model():
    # kops loads every plugin when it starts; the section's model, and the API models with it, only when a spec
    # needs them. (-X importtime cannot tell: entry points are imported through importlib, which it does not time.)
    probe = ("import atexit, sys\n"
             "atexit.register(lambda: sys.stderr.write('\\nloaded: ' + ' '.join(sys.modules)))\n"
             "sys.argv = ['kops', '--help']\n"
             "from kops.cli.main import main\n"
             "main()\n")
    started = subprocess.run([sys.executable, "-c", probe], env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"},
                             capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    loaded = set(started.stderr.rpartition("loaded: ")[2].split())
    assert "kops_acme_addon" in loaded
    assert not {"kops_acme_addon.spec", "kops.api"} & loaded


def test_set_and_unset_reach_the_section(kops, tmp_path):
    assert kops("create", "-f", str(_manifest(kops, tmp_path, {}))).returncode == 0
    assert kops("edit", "cluster", CLUSTER, "--set", f"spec.{SECTION}.enabled=true",
                "--set", f"spec.{SECTION}.logLevel=debug").returncode == 0
    assert _cluster(kops)["spec"][SECTION] == {"enabled": True, "logLevel": "debug"}
    assert NAME in _channel(kops, tmp_path)
    misspelt = kops("edit", "cluster", CLUSTER, "--set", f"spec.{SECTION}.enabeld=false")
    assert misspelt.returncode == 1 and f"{SECTION}.enabeld" in misspelt.stderr and "Traceback" not in misspelt.stderr
    assert kops("edit", "cluster", CLUSTER, "--unset", f"spec.{SECTION}.enabled").returncode == 0
    assert _cluster(kops)["spec"][SECTION] == {"logLevel": "debug"}
    assert NAME not in _channel(kops, tmp_path)
