"""``kops toolbox template`` run as a user runs it: values files, --set, snippets, formatting, errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

CLUSTER = """\
apiVersion: kops.k8s.io/v1alpha2
kind: Cluster
metadata:
  name: {{ .clusterName }}.{{ .dnsZone }}
spec:
  api:
    loadBalancer:
      class: Network
      type: Public
  authorization:
    rbac: {}
  channel: stable
  cloudProvider: aws
  etcdClusters:
{{- range $name := list "main" "events" }}
  - name: {{ $name }}
    etcdMembers:
{{- range $.zones }}
    - instanceGroup: control-plane-{{ $.awsRegion }}{{ . }}
      name: {{ . }}
{{- end }}
{{- end }}
  kubernetesApiAccess: {{ .allowedIPs | toJson }}
  kubernetesVersion: {{ .kubernetesVersion }}
  networkCIDR: 172.20.0.0/16
  networking:
    cilium: {}
  nonMasqueradeCIDR: 100.64.0.0/10
  sshAccess: {{ .allowedIPs | toJson }}
  subnets:
{{- range $i, $z := .zones }}
  - cidr: 172.20.{{ mul $i 32 }}.0/19
    name: {{ $.awsRegion }}{{ $z }}
    type: Public
    zone: {{ $.awsRegion }}{{ $z }}
{{- end }}
  topology:
    dns:
      type: None
"""

CONTROL_PLANE = """\
{{- range $i, $zone := .zones }}
{{- if $i }}
---
{{- end }}
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  labels:
    kops.k8s.io/cluster: {{ $.clusterName }}.{{ $.dnsZone }}
  name: control-plane-{{ $.awsRegion }}{{ $zone }}
spec:
  image: {{ ChannelRecommendedImage "aws" $.kubernetesVersion "amd64" }}
  machineType: {{ $.controlPlane.machineType }}
  maxSize: 1
  minSize: 1
  role: Master
  subnets:
  - {{ $.awsRegion }}{{ $zone }}
{{- end }}
"""

NODES = """\
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  labels:
    kops.k8s.io/cluster: {{ .clusterName }}.{{ .dnsZone }}
  name: nodes
spec:
  image: {{ ChannelRecommendedImage "aws" .kubernetesVersion "amd64" }}
  machineType: {{ default "t3.medium" .nodes.machineType }}
  maxSize: {{ .nodes.maxSize }}
  minSize: {{ .nodes.minSize }}
  {{- with .nodes.labels }}
  nodeLabels:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  role: Node
  subnets:
  {{- range .zones }}
  - {{ $.awsRegion }}{{ . }}
  {{- end }}
"""

VALUES = """\
clusterName: dev
dnsZone: k8s.example.com
awsRegion: us-east-1
kubernetesVersion: 1.34.2
zones: [a, b, c]
allowedIPs:
- 1.2.3.4/32
- 4.3.2.1/32
controlPlane:
  machineType: t3.large
nodes:
  machineType: m5.large
  minSize: 2
  maxSize: 20
  labels:
    team: platform
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def cluster_files(root: Path) -> tuple[Path, Path, Path]:
    values = write(root / "values.yaml", VALUES)
    template = write(root / "cluster.yaml", CLUSTER)
    groups = root / "instancegroups"
    write(groups / "control-plane.yaml", CONTROL_PLANE)
    write(groups / "nodes.yaml", NODES)
    return values, template, groups


def test_a_cluster_template_renders_manifests_that_kops_create_accepts(kops, tmp_path):
    values, template, groups = cluster_files(tmp_path)
    out = tmp_path / "rendered.yaml"
    r = kops("toolbox", "template", "--values", str(values), "--set", "nodes.maxSize=5",
             "--template", f"{template},{groups}", "--out", str(out))
    assert r.code == 0, r.err
    docs = [d for d in yaml.safe_load_all(out.read_text()) if d]
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("Cluster", "dev.k8s.example.com"),
        ("InstanceGroup", "control-plane-us-east-1a"), ("InstanceGroup", "control-plane-us-east-1b"),
        ("InstanceGroup", "control-plane-us-east-1c"), ("InstanceGroup", "nodes")]
    cluster, nodes = docs[0], docs[-1]
    assert cluster["spec"]["kubernetesApiAccess"] == ["1.2.3.4/32", "4.3.2.1/32"]
    assert [s["cidr"] for s in cluster["spec"]["subnets"]] == ["172.20.0.0/19", "172.20.32.0/19", "172.20.64.0/19"]
    assert [m["instanceGroup"] for m in cluster["spec"]["etcdClusters"][1]["etcdMembers"]] == [
        "control-plane-us-east-1a", "control-plane-us-east-1b", "control-plane-us-east-1c"]
    assert nodes["spec"]["maxSize"] == 5 and nodes["spec"]["minSize"] == 2
    assert nodes["spec"]["nodeLabels"] == {"team": "platform"}
    assert nodes["spec"]["image"].startswith("099720109477/ubuntu/images/")

    created = kops("create", "-f", str(out))
    assert created.code == 0, created.err
    got = kops("get", "instancegroups", "--name", "dev.k8s.example.com", "-o", "yaml")
    assert got.code == 0, got.err
    assert {d["metadata"]["name"] for d in yaml.safe_load_all(got.out) if d} == {
        "control-plane-us-east-1a", "control-plane-us-east-1b", "control-plane-us-east-1c", "nodes"}


def test_documents_of_several_templates_are_joined_with_separators_on_stdout(kops, tmp_path):
    one = write(tmp_path / "one.yaml", "a: {{ .a }}\n")
    two = write(tmp_path / "two.yaml", "b: {{ .b }}\n---\nc: 3\n")
    empty = write(tmp_path / "empty.yaml", "{{/* renders nothing */}}")
    r = kops("toolbox", "template", "--template", str(one), "--template", str(empty), "--template", str(two),
             "--set", "a=1,b=two")
    assert r.code == 0, r.err
    assert r.out == "a: 1\n---\nb: two\n---\nc: 3\n"


def test_values_files_merge_in_order_and_set_string_keeps_strings(kops, tmp_path):
    write(tmp_path / "a.yaml", "ig:\n  foo:\n    ami: ami-1234567\n    type: m4.large\nn: 1000000\n")
    write(tmp_path / "b.yaml", "ig:\n  foo:\n    type: t2.large\n")
    template = write(tmp_path / "t.yaml", '{{ .ig.foo.ami }} {{ .ig.foo.type }} {{ .n }} {{ typeOf .n }} '
                                          '{{ .flag }} {{ typeOf .flag }} {{ .str }} {{ typeOf .str }} {{ .count }} '
                                          '{{ typeOf .count }}')
    r = kops("toolbox", "template", "--values", f"{tmp_path / 'a.yaml'},{tmp_path / 'b.yaml'}",
             "--template", str(template), "--set", "flag=true", "--set", "count=3", "--set-string", "str=true")
    assert r.code == 0, r.err
    assert r.out == "ami-1234567 t2.large 1e+06 float64 true bool true string 3 int64"


def test_snippets_are_included_by_file_name_from_folders(kops, tmp_path):
    write(tmp_path / "snippets" / "iam" / "nodes.json", '{"Statement": [{"Resource": "{{ .bucket }}"}]}')
    write(tmp_path / "snippets" / "docker", "logDriver: json-file\nlogOpt:\n- max-size=10m\n")
    template = write(tmp_path / "cluster.yaml", textwrap.dedent("""\
        spec:
          docker:
            {{ include "docker" . | indent 4 }}
          additionalPolicies:
            node: |
              {{ include "nodes.json" . | indent 6 }}
        """))
    r = kops("toolbox", "template", "--template", str(template), "--snippets", str(tmp_path / "snippets"),
             "--set", "bucket=arn:aws:s3:::b")
    assert r.code == 0, r.err
    spec = yaml.safe_load(r.out)["spec"]
    assert spec["docker"] == {"logDriver": "json-file", "logOpt": ["max-size=10m"]}
    assert spec["additionalPolicies"]["node"].strip() == '{"Statement": [{"Resource": "arn:aws:s3:::b"}]}'


def test_format_yaml_rewrites_each_document_sorted_and_drops_empty_ones(kops, tmp_path):
    template = write(tmp_path / "t.yaml", textwrap.dedent("""\
        kind: InstanceGroup
        spec:
           role:    Node
           maxPrice: "0.5"
           zones: [ {{ .z }} ]


           script: "line one\\nline two\\n"
        apiVersion: kops.k8s.io/v1alpha2
        ---
        # only a comment
        ---
        b: 1.0
        a: yes
        """))
    r = kops("toolbox", "template", "--template", str(template), "--format-yaml", "--set", "z=us-east-1a")
    assert r.code == 0, r.err
    assert r.out == textwrap.dedent("""\
        apiVersion: kops.k8s.io/v1alpha2
        kind: InstanceGroup
        spec:
          maxPrice: "0.5"
          role: Node
          script: |
            line one
            line two
          zones:
          - us-east-1a
        ---
        a: true
        b: 1
        """)


def test_missing_values_fail_by_default_naming_file_line_and_column(kops, tmp_path):
    template = write(tmp_path / "t.yaml", "name: {{ .name }}\nzone: {{ .zone }}\n")
    r = kops("toolbox", "template", "--template", str(template), "--set", "name=x")
    assert r.code == 1
    assert "Traceback" not in r.err
    assert r.err.strip() == (f"Error: unable to render template: {template}, error: template: {template}:2:9: "
                             f'executing "{template}" at <.zone>: map has no entry for key "zone"')
    r = kops("toolbox", "template", "--template", str(template), "--set", "name=x", "--fail-on-missing=false")
    assert r.code == 0, r.err
    assert r.out == "name: x\nzone: <no value>\n"


def test_parse_errors_are_one_line_and_exit_1(kops, tmp_path):
    template = write(tmp_path / "t.yaml", "a: 1\nb: {{ if .x }}\n  c\n")
    r = kops("toolbox", "template", "--template", str(template))
    assert r.code == 1
    assert len(r.err.strip().splitlines()) == 1
    assert f"template: {template}:4:0: unexpected EOF" in r.err
    bad = write(tmp_path / "f.yaml", "{{ nosuchfunction }}")
    r = kops("toolbox", "template", "--template", str(bad))
    assert r.code == 1
    assert f'template: {bad}:1:3: function "nosuchfunction" not defined' in r.err


def test_a_missing_template_or_bad_set_is_an_error(kops, tmp_path):
    r = kops("toolbox", "template", "--template", str(tmp_path / "nope.yaml"))
    assert r.code == 1 and "unable to expand the template" in r.err and "no such file or directory" in r.err
    t = write(tmp_path / "t.yaml", "x")
    r = kops("toolbox", "template", "--template", str(t), "--set", "novalue")
    assert r.code == 1 and 'failed parsing --set data: key "novalue" has no value' in r.err


def test_j2_templates_render_with_jinja2_and_the_same_values(kops, tmp_path):
    values = write(tmp_path / "values.yaml", "zones: [a, b]\nregion: eu-west-1\n")
    template = write(tmp_path / "subnets.yaml.j2", textwrap.dedent("""\
        subnets:
        {% for z in zones %}
        - name: {{ region }}{{ z }}
        {% endfor %}
        cluster: {{ clusterName }}
        """))
    r = kops("toolbox", "template", "dev.example.com", "--values", str(values), "--template", str(template))
    assert r.code == 0, r.err
    assert yaml.safe_load(r.out) == {"subnets": [{"name": "eu-west-1a"}, {"name": "eu-west-1b"}],
                                     "cluster": "dev.example.com"}
    broken = write(tmp_path / "broken.j2", "a\n{{ missing }}\n")
    r = kops("toolbox", "template", "--template", str(broken))
    assert r.code == 1 and f"template: {broken}:2: 'missing' is undefined" in r.err


def test_cluster_name_comes_from_the_argument_unless_the_values_set_it(kops, tmp_path):
    template = write(tmp_path / "t.yaml", "{{ .clusterName }}")
    assert kops("toolbox", "template", "a.example.com", "--template", str(template)).out == "a.example.com"
    assert kops("toolbox", "template", "--name", "b.example.com", "--template", str(template)).out == "b.example.com"
    assert kops("toolbox", "template", "a.example.com", "--set", "clusterName=v.example.com",
                "--template", str(template)).out == "v.example.com"


def test_config_value_prints_one_value(kops, tmp_path):
    values = write(tmp_path / "values.yaml", "zones: [a, b]\nn: 3\n")
    assert kops("toolbox", "template", "--values", str(values), "--config-value", "zones").out == "[a b]\n"
    assert kops("toolbox", "template", "--values", str(values), "--config-value", "n").out == "3\n"
    assert kops("toolbox", "template", "--values", str(values), "--config-value", "nope").out == "null\n"


def test_channel_functions_read_the_channel_given(kops, tmp_path):
    channel = Path(__file__).parent / "data" / "simple-channel.yaml"
    template = write(tmp_path / "t.yaml", '{{ ChannelRecommendedKopsKubernetesVersion }} '
                                          '{{ ChannelRecommendedKubernetesUpgradeVersion "1.4.2" }}')
    r = kops("toolbox", "template", "--template", str(template), "--channel", str(channel))
    assert r.code == 0, r.err
    assert r.out == "1.5.2 1.4.8"
    r = kops("toolbox", "template", "--template", str(template), "--channel", str(tmp_path / "none.yaml"))
    assert r.code == 1 and "error loading channel" in r.err
