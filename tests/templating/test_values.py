"""Values for templates: ``--values`` files merged as upstream merges them, ``--set`` parsed as Helm's strvals."""

from __future__ import annotations

import pytest
from kops.errors import KopsError
from kops.templating.gotypes import Int64, type_name
from kops.templating.values import apply_set, build_context, load_values


@pytest.mark.parametrize(("text", "expected"), [
    ("foo=bar", {"foo": "bar"}),
    ("foo=42", {"foo": 42}),
    ("foo=true", {"foo": True}),
    ("foo=FALSE", {"foo": False}),
    ("foo=null", {"foo": None}),
    ("foo=0", {"foo": 0}),
    ("foo=0123", {"foo": "0123"}),
    ("foo=1.0", {"foo": "1.0"}),
    ("foo=-7", {"foo": -7}),
    ("a.b.c=v", {"a": {"b": {"c": "v"}}}),
    ("fruits={apple,banana}", {"fruits": ["apple", "banana"]}),
    ("items[0]=hi,items[1]=lo", {"items": ["hi", "lo"]}),
    ("items[2]=x", {"items": [None, None, "x"]}),
    ("list[0].name=a,list[0].size=2", {"list": [{"name": "a", "size": 2}]}),
    ("m[0][1]=x", {"m": [[None, "x"]]}),
    ("a=1,b=2", {"a": 1, "b": 2}),
    ("foo=a\\,b", {"foo": "a,b"}),
    ("a.b=x.y=z", {"a": {"b": "x.y=z"}}),
    ("empty=", {"empty": ""}),
    ("l={a,b},c=d", {"l": ["a", "b"], "c": "d"}),
])
def test_set_parses_as_helm_strvals(text, expected):
    got: dict = {}
    apply_set(text, got)
    assert got == expected


def test_set_integers_are_int64_and_set_string_keeps_strings():
    got: dict = {}
    apply_set("n=42", got)
    assert isinstance(got["n"], Int64) and type_name(got["n"]) == "int64"
    apply_set("a=42,b=true,c={1,2}", got, string_values=True)
    assert got["a"] == "42" and got["b"] == "true" and got["c"] == ["1", "2"]


def test_upstream_docs_example():
    got = build_context([], ["version=1.0,foo.bar=baz", "foo.myArray[1]=false,foo.myArray[3]=4"], ["foo.myArray={1,2,3}"])
    # --set-string runs after --set, as upstream applies them, so the list is the string one.
    assert got == {"version": "1.0", "foo": {"bar": "baz", "myArray": ["1", "2", "3"]}}
    got = build_context([], ["foo.myArray[1]=false,foo.myArray[3]=4"], [])
    assert got == {"foo": {"myArray": [None, False, None, 4]}}


@pytest.mark.parametrize(("text", "message"), [
    ("foo", 'failed parsing --set data: key "foo" has no value'),
    ("foo=v,bar", 'key "bar" has no value'),
    ("a,b=c", 'key "a" has no value (cannot end with ,)'),
    ("a[x]=1", 'error parsing index: strconv.Atoi: parsing "x": invalid syntax'),
    ("a[-1]=1", "negative -1 index not allowed"),
    ("a[70000]=1", "index of 70000 is greater than maximum supported index of 65536"),
    ("l={a,b", "list must terminate with '}'"),
    ("a.=1,b=2", 'key map "a" has no value'),
])
def test_set_errors(text, message):
    with pytest.raises(KopsError) as info:
        apply_set(text, {})
    assert message in str(info.value)


def test_values_files_merge_deeply_in_order_and_numbers_are_floats(tmp_path):
    (tmp_path / "a.yaml").write_text("instanceGroups:\n  foo:\n    ami: ami-1234567\n    type: m4.large\nn: 3\n")
    (tmp_path / "b.yaml").write_text("instanceGroups:\n  foo:\n    type: t2.large\nlist: [1, 2]\nwhen: 2024-01-02\n")
    got = load_values([str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")])
    assert got["instanceGroups"] == {"foo": {"ami": "ami-1234567", "type": "t2.large"}}
    assert type_name(got["n"]) == "float64" and got["list"] == [1.0, 2.0]
    assert got["when"] == "2024-01-02"


def test_a_values_folder_is_read_file_by_file_in_order(tmp_path):
    folder = tmp_path / "values"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.yaml").write_text("x: a\ny: a\n")
    (folder / "sub" / "c.yaml").write_text("y: c\n")
    (folder / "b.yaml").write_text("x: b\n")
    assert load_values([str(folder)]) == {"x": "b", "y": "c"}


def test_bad_values_files(tmp_path):
    (tmp_path / "list.yaml").write_text("- a\n")
    (tmp_path / "bad.yaml").write_text("a: [\n")
    with pytest.raises(KopsError, match="list.yaml, error: expected a map of values"):
        load_values([str(tmp_path / "list.yaml")])
    with pytest.raises(KopsError, match=r"unable decode the configuration file: .*bad.yaml"):
        load_values([str(tmp_path / "bad.yaml")])
    with pytest.raises(KopsError, match="no such file or directory"):
        load_values([str(tmp_path / "missing.yaml")])
