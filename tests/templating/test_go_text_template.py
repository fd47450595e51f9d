"""Go's ``text/template`` semantics, case by case (many taken from Go's own ``exec_test.go``)."""

from __future__ import annotations

import pytest
from kops.templating import ExecError, ParseError, render

DATA = {
    "s": "hello", "i": 17, "f": 1.5, "zero": 0, "empty": "", "t": True, "no": False, "nil": None,
    "si": [3, 4, 5], "sempty": [], "msi": {"one": 1, "two": 2, "three": 3}, "mempty": {},
    "nested": {"a": {"b": {"c": "deep"}}}, "nulls": [None, "x"],
    "people": [{"name": "ann", "age": 31}, {"name": "bob", "age": 25}],
}


def go(template: str, data=DATA, fail_on_missing: bool = False) -> str:
    return render(template, data, name="t", fail_on_missing=fail_on_missing)


@pytest.mark.parametrize(("template", "expected"), [
    # text, comments, trimming
    ("plain text", "plain text"),
    ("a{{/* a comment */}}b", "ab"),
    ("a {{- /* trimmed comment */ -}} b", "ab"),
    ("x \r\n\t{{- 3 -}} \n\t\ry", "x3y"),
    ("{{-3}}", "-3"),
    ("a  {{- .s}}  b", "ahello  b"),
    ("a  {{.s -}}  \n b", "a  hellob"),
    ("{{ .s }}\n{{- /* multi\nline */ -}}\n!", "hello!"),
    # fields and map keys
    ("{{.s}} {{.i}} {{.f}}", "hello 17 1.5"),
    ("{{.nested.a.b.c}}", "deep"),
    ("{{.msi}}", "map[one:1 three:3 two:2]"),
    ("{{.si}}", "[3 4 5]"),
    ("{{.people}}", "[map[age:31 name:ann] map[age:25 name:bob]]"),
    ("{{.missing}}", "<no value>"),
    ("{{.nil}}", "<no value>"),
    ("{{.missing.deeper}}", "<no value>"),
    ("{{print .nulls}}", "[<nil> x]"),
    ("{{$}}", str(None) if False else "map[empty: f:1.5 i:17 mempty:map[] msi:map[one:1 three:3 two:2] "
     "nested:map[a:map[b:map[c:deep]]] nil:<nil> no:false nulls:[<nil> x] people:[map[age:31 name:ann] "
     "map[age:25 name:bob]] s:hello sempty:[] si:[3 4 5] t:true zero:0]"),
    # literals
    ("{{1}} {{-1}} {{0x10}} {{0o17}} {{0b101}} {{1_000}} {{010}}", "1 -1 16 15 5 1000 8"),
    ("{{1.5}} {{1e3}} {{1e21}} {{.5}} {{0x1p-2}}", "1.5 1000 1e+21 0.5 0.25"),
    ("{{'a'}} {{'\\n'}} {{'\\x41'}}", "97 10 65"),
    ('{{"a\\tb\\u00e9\\x41"}}', "a\tbéA"),
    ("{{`raw\\n`}}", "raw\\n"),
    ("{{true}} {{false}}", "true false"),
    ("{{printf `%T %T %T %T` 1 1.0 'x' 0xef}}", "int float64 int int"),
    # if / else if / else
    ("{{if true}}T{{end}}", "T"),
    ("{{if false}}T{{else}}F{{end}}", "F"),
    ("{{if 1}}NZ{{else}}Z{{end}} {{if 0}}NZ{{else}}Z{{end}} {{if 1.5}}NZ{{end}}", "NZ Z NZ"),
    ("{{if ``}}NE{{else}}E{{end}} {{if .si}}NE{{end}} {{if .sempty}}NE{{else}}E{{end}}", "E NE E"),
    ("{{if .mempty}}NE{{else}}E{{end}} {{if .msi}}NE{{end}} {{if .missing}}X{{else}}none{{end}}", "E NE none"),
    ("{{if eq 1 3}}1{{else if eq 2 3}}2{{else if eq 3 3}}3{{end}}", "3"),
    ("{{if false}}a{{else if false}}b{{else}}c{{end}}", "c"),
    ("{{with .missing}}x{{else with .s}}{{.}}{{end}}", "hello"),
    ("{{if $x := true}}{{with $x := .i}}{{$x}},{{end}}{{$x}}{{end}}", "17,true"),
    # with
    ("{{with .nested.a}}{{.b.c}}{{end}}", "deep"),
    ("{{with 0}}{{.}}{{else}}ZERO{{end}} {{with 1.5i}}{{.}}{{end}}", "ZERO (0+1.5i)"),
    ("{{with $x := .msi}}{{$x.two}}{{end}}", "2"),
    # range
    ("{{range .si}}-{{.}}-{{end}}", "-3--4--5-"),
    ("{{range .sempty}}-{{.}}-{{else}}EMPTY{{end}}", "EMPTY"),
    ("{{range .missing}}x{{else}}nothing{{end}}", "nothing"),
    ("{{range .msi}}-{{.}}-{{end}}", "-1--3--2-"),
    ("{{range $k, $v := .msi}}{{$k}}={{$v}};{{end}}", "one=1;three=3;two=2;"),
    ("{{range $x := .si}}<{{$x}}>{{end}}", "<3><4><5>"),
    ("{{range $i, $x := .si}}<{{$i}}={{$x}}>{{end}}", "<0=3><1=4><2=5>"),
    ("{{range $x := .si}}<{{$foo := $x}}{{$x}}>{{end}}", "<3><4><5>"),
    ("{{range .si}}{{if eq . 4}}{{continue}}{{end}}{{.}}{{end}}", "35"),
    ("{{range .si}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}", "3"),
    ("{{range 3}}{{.}}{{end}}", "012"),
    ("{{range $i := 2}}[{{$i}}]{{end}}", "[0][1]"),
    ("{{range .people}}{{.name}}:{{$.s}} {{end}}", "ann:hello bob:hello "),
    ("{{$n := 0}}{{range .si}}{{$n = .}}{{end}}{{$n}}", "5"),
    ("{{range $i, $e := .si}}{{end}}{{$x := 1}}{{$x}}", "1"),
    ("{{range .nulls}}[{{.}}]{{end}}", "[<no value>][x]"),
    # variables
    ("{{$x := 1}}{{$x}}{{$x = 2}}{{$x}}", "12"),
    ("{{$x := .s}}{{with .i}}{{$x}}{{.}}{{end}}", "hello17"),
    ("{{$.s}} {{$.nested.a.b.c}}", "hello deep"),
    ("{{if true}}{{$x := 1}}{{end}}{{$x := 2}}{{$x}}", "2"),
    # templates
    ('{{define "T"}}[{{.}}]{{end}}{{template "T" .s}}{{template "T"}}', "[hello][<no value>]"),
    ('{{block "B" .i}}b{{.}}{{end}}', "b17"),
    ('{{define "T"}}{{$}}{{end}}{{$x := 1}}{{template "T" 5}}', "5"),
    ('{{define "R"}}{{if .}}{{.}}{{template "R" (slice . 1)}}{{end}}{{end}}{{template "R" .si}}', "[3 4 5][4 5][5]"),
    # pipelines and parentheses
    ("{{printf `%d %d %d` (1) (2 | add 3) (add 4 (add 5 6))}}", "1 5 15"),
    ("{{.s | printf `%s!`}}", "hello!"),
    ("{{(dict `up` `down` `left` `right`).left}}", "right"),
    ("{{($).s}}", "hello"),
    ("{{print (.msi).two}}", "2"),
    # builtins
    ("{{and false 0}} {{and 1 0}} {{and 0 true}} {{and 1 1}}", "false 0 0 1"),
    ("{{or 0 0}} {{or 1 0}} {{or 0 true}} {{or 1 1}}", "0 1 true 1"),
    ("{{or .sempty `slice is empty`}}", "slice is empty"),
    ("{{and .missing .fails.badly}}", "<no value>"),
    ("{{not true}} {{not false}} {{not .sempty}}", "false true true"),
    ("{{len .si}} {{len .msi}} {{len .s}} {{len `héllo`}}", "3 3 5 6"),
    ("{{index .si 1}} {{index .msi `two`}} {{index .msi `XXX`}} {{index .nested `a` `b` `c`}}", "4 2 <no value> deep"),
    ("{{index `abc` 1}}", "98"),
    ("{{eq 1 1}} {{eq 1 2 3 1}} {{eq `a` `a`}} {{eq .missing nil}} {{ne 1 2}}", "true true true true true"),
    ("{{lt 1 2}} {{le 2 2}} {{gt 3 2}} {{ge 2 3}} {{lt `a` `b`}} {{lt 1.5 2.5}}", "true true true false true true"),
    ("{{eq .s `hello`}} {{eq .missing `x`}}", "true false"),
    ('{{print "a" 1 2 "b"}}|{{print 1 2 3}}|{{print nil}}', "a1 2b|1 2 3|<nil>"),
    ("{{println 1 2 3}}", "1 2 3\n"),
    ('{{html "<script>alert(\\"XSS\\");</script>"}}', "&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;"),
    ("{{js `It'd be nice.`}} {{js `<a=b&c>`}}", "It\\'d be nice. \\u003Ca\\u003Db\\u0026c\\u003E"),
    ('{{"http://www.example.org/"|urlquery}}', "http%3A%2F%2Fwww.example.org%2F"),
])
def test_renders_as_go_does(template, expected):
    assert go(template) == expected


@pytest.mark.parametrize(("template", "message"), [
    ("{{.s.x}}", "can't evaluate field x in type interface {}"),
    ("{{$x := .s}}{{$x.y}}", "can't evaluate field y in type string"),
    ("{{.nil.x}}", "nil pointer evaluating interface {}.x"),
    ("{{range .nulls}}{{.x}}{{end}}", "nil pointer evaluating interface {}.x"),
    ("{{.s 1}}", "s is not a method but has arguments"),
    ("{{3 2}}", "can't give argument to non-function 3"),
    ("{{$x := 1}}{{$x 2}}", "can't give argument to non-function $x"),
    ("{{(nil).True}}", "nil is not a command"),
    ("{{len 3}}", "error calling len: len of type int"),
    ("{{index .si 10}}", "error calling index: index out of range: 10"),
    ("{{index .si `hello`}}", "cannot index slice/array with type string"),
    ("{{index .msi 10}}", "value has type int; should be string"),
    ("{{index nil 1}}", "index of untyped nil"),
    ("{{eq .f 3}}", "incompatible types for comparison: float64 and int"),
    ("{{lt true false}}", "invalid type for comparison"),
    ("{{eq .si .si}}", "non-comparable type [3 4 5]: []interface {}"),
    ("{{eq 1}}", "missing argument for comparison"),
    ("{{upper 3}}", "expected string; found 3"),
    ("{{upper .i}}", "wrong type for value; expected string; got int"),
    ("{{upper .missing}}", "invalid value; expected string"),
    ("{{upper}}", "wrong number of args for upper: want 1 got 0"),
    ("{{and}}", "wrong number of args for and: want at least 1 got 0"),
    ("{{true|printf}}", "wrong type for value; expected string; got bool"),
    ("{{range .s}}{{end}}", "range can't iterate over hello"),
    ("{{range $i, $e := 3}}{{end}}", "can't use 3 to iterate over more than one variable"),
    ('{{template "nope"}}', 'template "nope" not defined'),
    ("{{fail `boom`}}", "error calling fail: boom"),
])
def test_execution_errors(template, message):
    with pytest.raises(ExecError) as info:
        go(template)
    if message:
        assert message in str(info.value)


def test_execution_errors_name_template_line_column_and_node():
    with pytest.raises(ExecError) as info:
        go("line one\nline two {{ .s.nope }}")
    assert str(info.value) == ('template: t:2:12: executing "t" at <.s.nope>: '
                               "can't evaluate field nope in type interface {}")
    with pytest.raises(ExecError) as info:
        go('{{define "T"}}\n  {{ fail "inside" }}{{end}}\n{{template "T"}}')
    assert str(info.value) == 'template: t:2:5: executing "T" at <fail "inside">: error calling fail: inside'


def test_long_node_text_is_cut_to_twenty_characters():
    with pytest.raises(ExecError) as info:
        go('{{ fail "a message longer than twenty characters" }}')
    assert 'at <fail "a message long...>: error calling fail: a message longer' in str(info.value)


def test_missing_key_error_mode():
    assert go("{{.missing}}") == "<no value>"
    with pytest.raises(ExecError, match='at <.missing>: map has no entry for key "missing"'):
        go("{{.missing}}", fail_on_missing=True)
    with pytest.raises(ExecError, match='map has no entry for key "b"'):
        go("{{.nested.a.b.x.b}}", {"nested": {"a": {"b": {"x": {}}}}}, fail_on_missing=True)
    with pytest.raises(ExecError, match='nil data; no entry for key "y"'):
        go("{{$x := .nil}}{{$x.y}}", fail_on_missing=True)
    assert go("{{.nil}}", fail_on_missing=True) == "<no value>"  # present, but null


@pytest.mark.parametrize(("template", "message"), [
    ("{{foo}}", 'template: t:1:2: function "foo" not defined'),
    ("{{$y}}", 'template: t:1:2: undefined variable "$y"'),
    ("{{if}}{{end}}", "template: t:1:4: missing value for if"),
    ("{{.s | 3}}", "template: t:1:7: non executable command in pipeline stage 2"),
    ("{{break}}", "template: t:1:2: {{break}} outside {{range}}"),
    ("{{range .si}}{{else}}{{continue}}{{end}}", "{{continue}} outside {{range}}"),
    ("a\nb\n{{if .s}}c", "template: t:3:10: unexpected EOF"),
    ("{{end}}", "template: t:1:5: unexpected {{end}}"),
    ("{{else}}", "template: t:1:6: unexpected {{else}}"),
    ("{{.s", "unclosed action"),
    ("{{ .s\n\n", "unclosed action started at t:1"),
    ('{{"abc}}', "unterminated quoted string"),
    ("{{`abc}}", "unterminated raw quoted string"),
    ("{{'a}}", "unterminated character constant"),
    ("{{/* x }}", "unclosed comment"),
    ("{{/* x */ .s}}", "comment ends before closing delimiter"),
    ("{{3-}}", 'bad number syntax: "3-"'),
    ("{{.s!}}", "bad character U+0021 '!'"),
    ("{{(1}}", "unclosed left paren"),
    ("{{1)}}", "unexpected right paren"),
    ("{{99999999999999999999}}", 'integer overflow: "99999999999999999999"'),
    ('{{"\\q"}}', "invalid syntax"),
    ("{{$x, $y := 1}}", "too many declarations in command"),
    ("{{range $x, 3 := .si}}{{end}}", "range can only initialize variables"),
    ('{{define "a"}}x{{end}}{{define "a"}}y{{end}}', 'template: multiple definition of template "a"'),
    ("{{template .s}}", 'unexpected ".s" in template clause'),
    ("{{template .}}", "unexpected <.> in template clause"),
    ("{{1.s}}", 'bad number syntax: "1.s"'),
    ("{{true.s}}", 'unexpected . after term "true"'),
])
def test_parse_errors(template, message):
    with pytest.raises(ParseError) as info:
        go(template)
    assert message in str(info.value)


def test_define_may_be_redefined_empty_without_losing_the_body():
    assert go('{{define "a"}}body{{end}}{{define "a"}} {{end}}{{template "a"}}') == "body"


def test_endless_recursion_is_an_error_not_a_crash():
    with pytest.raises(ExecError, match=r"exceeded maximum template depth \(200\)"):
        go('{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}')
    with pytest.raises(ExecError) as info:
        go('{{define "r"}}{{include "r" .}}{{end}}{{template "r" .}}')
    assert str(info.value) == "template: r: exceeded maximum template depth (200)"
