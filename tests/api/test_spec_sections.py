"""Plugins' own sections of the Cluster spec: typed by the plugin's model, strict like built-in fields, written back
as they were read, exported in the JSON Schema; unknown and contested names refused.

A throwaway plugin is registered in this process for each test, so the mechanism is tested without depending on
what else is installed."""

from __future__ import annotations

import logging
import textwrap
from typing import Literal

import jsonschema
import pytest
import yaml
from kops import hookimpl
from kops.api import KopsModel, SpecSection, dump_yaml, json_schema, load_objects, spec_section
from kops.api.base import Quantity
from kops.errors import KopsError
from kops.plugins import plugin_manager, spec_sections
from pydantic import Field

CLUSTER = """\
apiVersion: kops.k8s.io/v1alpha2
kind: Cluster
metadata:
  name: foo.example.com
spec:
  kubernetesVersion: 1.32.0
"""


class Limits(KopsModel):
    cpu: Quantity | None = None
    class_: str | None = Field(None, alias="class")


class Widgets(KopsModel):
    replicas: int | None = None
    tier: Literal["gold", "silver"] | None = None
    limits: Limits | None = None
    tags: dict[str, str] | None = None


class Sections:
    """A plugin whose ``kops_spec_sections`` hook returns what it was given (or raises it, if an exception)."""

    def __init__(self, *sections: object):
        self.sections = sections
        self.calls = 0

    @hookimpl
    def kops_spec_sections(self) -> list:
        self.calls += 1
        for item in self.sections:
            if isinstance(item, Exception):
                raise item
        return list(self.sections)


@pytest.fixture
def install():
    """``install(name, plugin)``: register a plugin for the test; the lookup of sections starts afresh both ways."""
    pm = plugin_manager()
    names = []

    def register(name: str, plugin: Sections) -> Sections:
        pm.register(plugin, name=name)
        names.append(name)
        spec_sections.cache_clear()
        return plugin

    yield register
    for name in names:
        pm.unregister(name=name)
    spec_sections.cache_clear()


@pytest.fixture
def widgets(install):
    return install("widgets", Sections(SpecSection("widgets", Widgets)))


def cluster_with(spec_yaml: str) -> str:
    return CLUSTER + textwrap.indent(textwrap.dedent(spec_yaml), "  ")


def load_error(text: str) -> KopsError:
    with pytest.raises(KopsError) as info:
        load_objects(text, source="in.yaml")
    assert "\n" not in str(info.value)
    return info.value


def test_a_section_is_read_as_its_model(widgets):
    (cluster,) = load_objects(cluster_with("widgets: {replicas: 3, limits: {cpu: 500m}}\n"))
    assert isinstance(cluster.spec.widgets, Widgets)
    assert cluster.spec.widgets.limits.cpu == "500m"
    assert spec_section(cluster, "widgets") is cluster.spec.widgets
    assert cluster.copy().spec.widgets == cluster.spec.widgets


def test_an_absent_or_null_section_reads_as_none(widgets):
    (absent,) = load_objects(CLUSTER)
    assert spec_section(absent, "widgets") is None
    with pytest.raises(AttributeError):
        _ = absent.spec.widgets
    (null,) = load_objects(cluster_with("widgets: null\n"))
    assert spec_section(null, "widgets") is None
    assert "widgets" not in dump_yaml(null)


def test_the_section_is_written_back_as_it_was_read(widgets):
    text = cluster_with("""\
    widgets:
      limits:
        class: burst
        cpu: 1
      tags:
        team: blue
      tier: gold
    """)
    written = dump_yaml(load_objects(text))
    assert written == text
    assert yaml.safe_load(written)["spec"]["widgets"] == {"limits": {"class": "burst", "cpu": 1}, "tags": {"team": "blue"},
                                                          "tier": "gold"}


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("widgets: {replicas: '3'}", "spec.widgets.replicas: expected an integer, got a string"),
        ("widgets: {replica: 3}", "spec.widgets.replica: unknown field"),
        ("widgets: {tier: bronze}", "spec.widgets.tier: must be 'gold' or 'silver'"),
        ("widgets: {limits: {cpu: lots}}", "spec.widgets.limits.cpu: invalid quantity 'lots'"),
        ("widgets: {tags: {team: [a]}}", "spec.widgets.tags[team]: expected a string, got a list"),
        ("widgets: 3", "spec.widgets: expected an object, got an integer"),
        ("gadgets: {replicas: 3}", "spec.gadgets: unknown field (no installed plugin provides it)"),
    ],
)
def test_problems_name_the_full_path(widgets, snippet, message):
    error = load_error(cluster_with(snippet + "\n"))
    assert str(error).startswith(f"in.yaml: Cluster/foo.example.com: {message}")


def test_every_problem_is_counted(widgets):
    error = load_error(cluster_with("widgets: {replicas: x, tier: y}\ngadgets: {}\n"))
    assert str(error).endswith("(and 2 more problems)")


def test_a_spec_without_unknown_keys_never_asks_the_plugins(install):
    plugin = install("widgets", Sections(SpecSection("widgets", Widgets)))
    load_objects(cluster_with("networking: {cni: {}}\n"))
    assert plugin.calls == 0
    load_objects(cluster_with("widgets: {}\n"))
    load_objects(cluster_with("widgets: {}\n"))
    assert plugin.calls == 1


def test_a_name_two_plugins_declare_is_refused_with_both_named(install, caplog):
    install("widgets", Sections(SpecSection("widgets", Widgets)))
    install("rival", Sections(SpecSection("widgets", Limits)))
    with caplog.at_level(logging.WARNING, logger="kops.plugins"):
        error = load_error(cluster_with("widgets: {}\n"))
    assert "spec.widgets: unknown field" in str(error)
    (warning,) = [r.getMessage() for r in caplog.records if "spec.widgets" in r.getMessage()]
    assert "'rival'" in warning and "'widgets'" in warning


def test_a_built_in_name_stays_built_in(install, caplog):
    install("shadow", Sections(SpecSection("networking", Widgets)))
    with caplog.at_level(logging.WARNING, logger="kops.plugins"):
        assert "networking" not in spec_sections()
    (cluster,) = load_objects(cluster_with("networking: {cni: {}}\n"))
    assert cluster.spec.networking.cni is not None
    assert any("spec.networking" in r.getMessage() and "'shadow'" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "bad",
    [RuntimeError("broken on purpose"), "widgets"],
    ids=["raises", "not-a-section"],
)
def test_a_plugin_with_broken_sections_is_named_and_the_others_still_work(install, widgets, caplog, bad):
    install("broken", Sections(bad))
    with caplog.at_level(logging.WARNING, logger="kops.plugins"):
        (cluster,) = load_objects(cluster_with("widgets: {replicas: 1}\n"))
    assert cluster.spec.widgets.replicas == 1
    assert any("'broken'" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("name", "model"),
    [("acme.agent", Widgets), ("AcmeAgent", Widgets), ("", Widgets), ("widgets", dict)],
)
def test_a_section_needs_a_camel_case_name_and_a_kops_model(name, model):
    with pytest.raises((TypeError, ValueError)):
        SpecSection(name, model)


def test_the_json_schema_lists_installed_sections(widgets):
    schema = json_schema("Cluster")
    check = jsonschema.Draft202012Validator(schema)
    doc = yaml.safe_load(cluster_with("widgets: {replicas: 3, limits: {class: burst}}\n"))
    assert list(check.iter_errors(doc)) == []
    for bad in ({"replicas": "3"}, {"replica": 3}, {"limits": {"klass": "x"}}):
        doc["spec"]["widgets"] = bad
        assert list(check.iter_errors(doc)) != [], bad
    doc["spec"] = {"gadgets": {}}
    assert list(check.iter_errors(doc)) != []
