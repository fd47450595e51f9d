"""Upstream kOps' templater tests (``pkg/util/templater``): the same templates, values and expected output."""

from __future__ import annotations

from pathlib import Path

import pytest
from kops.channels import load_channel
from kops.templating import TemplateError, render

CHANNEL = load_channel(str(Path(__file__).parent / "data" / "simple-channel.yaml"))


def run(template: str, context: dict | None = None, snippets: dict | None = None, fail_on_missing: bool = True) -> str:
    return render(template, context or {}, snippets=snippets, fail_on_missing=fail_on_missing, channel=CHANNEL)


@pytest.mark.parametrize(("template", "context", "expected"), [
    ("hello", {}, "hello"),
    ('{{ lower "Hello" }}', {}, "hello"),
    ('{{ upper "Hello" }}', {}, "HELLO"),
    ('{{ .list | join "," }}', {"list": ["a", "b", "c"]}, "a,b,c"),
])
def test_general(template, context, expected):
    assert run(template, context) == expected


def test_missing_values_fail_by_default_even_inside_snippets():
    assert run("{{ .missing  }}", {"missing": "no"}) == "no"
    with pytest.raises(TemplateError, match='map has no entry for key "missing"'):
        run("{{ .missing  }}", {"is_missing": "no"})
    with pytest.raises(TemplateError, match=r'error calling include: snippet: snip, issue: .*"is_missing"'):
        run('{{ .missing  }}{{ include "snip" . }}', {"missing": "no"}, {"snip": "{{ .is_missing }}"})


def test_indent_leaves_the_first_line_alone():
    assert run("{{ .line | indent 2 }}", {"line": "this is a line of\ntext"}) == "this is a line of\n  text"


@pytest.mark.parametrize(("template", "expected"), [
    ("{{ ChannelRecommendedKopsKubernetesVersion }}", "1.5.2"),
    ('{{ ChannelRecommendedKubernetesUpgradeVersion "1.4.2" }}', "1.4.8"),
    ('{{ ChannelRecommendedImage "aws" "1.19.2" "amd64" }}',
     "099720109477/ubuntu/images/hvm-ssd-gp3/ubuntu-resolute-26.04-amd64-server-20210315"),
    ('{{ ChannelRecommendedImage "aws" "1.20.2" "arm64" }}',
     "099720109477/ubuntu/images/hvm-ssd-gp3/ubuntu-resolute-26.04-arm64-server-20210315"),
])
def test_channel_functions(template, expected):
    assert run(template) == expected


def test_channel_upgrade_from_the_recommended_version_is_an_error():
    with pytest.raises(TemplateError, match="recommends no upgrade from Kubernetes 1.5.2"):
        run('{{ ChannelRecommendedKubernetesUpgradeVersion "1.5.2" }}')


def test_snippets():
    assert run('this should say {{ include "snip" . }}', {"name": "world"},
               {"snip": "hello world"}) == "this should say hello world"
    assert run('this should say {{ include "one" . }} {{ include "two" . }}', {"name": "world"},
               {"one": "hello world", "two": "hello everyone"}) == "this should say hello world hello everyone"


@pytest.mark.parametrize(("template", "context", "expected"), [
    ("hello {{ .name }}", {"name": "world"}, "hello world"),
    ("hello {{ .name }} {{.id}}", {"name": "world", "id": 99}, "hello world 99"),
    ("hello {{ .struct.name }} {{ .struct.id }}", {"struct": {"id": 1, "name": "test"}}, "hello test 1"),
    ("{{ range .members }}{{ .Name }},{{ end }}",
     {"members": [{"Name": "etcd0", "Members": ["1", "2"]}, {"Name": "etcd1", "Members": ["1", "2"]}]},
     "etcd0,etcd1,"),
])
def test_context(template, context, expected):
    assert run(template, context) == expected


def test_default_needs_fail_on_missing_off():
    assert run('{{ default "is missing" .name }}', fail_on_missing=False) == "is missing"
    with pytest.raises(TemplateError):
        run('{{ default "is missing" .name }}')


# pkg/util/templater/integration_tests.yml
INTEGRATION = [
    ({"hello": "world"}, {}, "hello {{ .hello }}\n", "hello world\n"),
    ({}, {}, '{{ upper "hello" }} world its {{ lower "Me" }}\n', "HELLO world its me\n"),
    ({"etcd": [{"name": "main", "members": ["a1", "b1"]}, {"name": "events", "members": ["a1", "b1"]}]},
     {"cluster": '{{- range .etcd -}}\n- name: {{ .name }}\n  members: {{ .members | join "," }}\n{{ end -}}\n'},
     'cluster:\n{{ include "cluster" . -}}\n',
     "cluster:\n- name: main\n  members: a1,b1\n- name: events\n  members: a1,b1\n"),
    ({}, {"unit": "[Unit]\nName: somename\n\n[Service]\nThis is a service\n"},
     'hooks:\n  name: myservice.service\n  manifest: |\n    {{ include "unit" . | indent 4 -}}\n',
     "hooks:\n  name: myservice.service\n  manifest: |\n    [Unit]\n    Name: somename\n\n    [Service]\n"
     "    This is a service\n"),
    ({"etcd": [{"name": "main", "members": ["a1", "b1"]}, {"name": "events", "members": ["a1", "b1"]}]}, {},
     "cluster:\n{{- range .etcd }}\n- name: {{ .name }}\n  members: {{ .members -}}\n{{ end }}\n",
     "cluster:\n- name: main\n  members: [a1 b1]\n- name: events\n  members: [a1 b1]\n"),
]


@pytest.mark.parametrize(("context", "snippets", "template", "expected"), INTEGRATION)
def test_integration(context, snippets, template, expected):
    assert run(template, context, snippets) == expected
