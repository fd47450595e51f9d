"""Sprig's functions and kOps' own, as upstream's templates use them."""

from __future__ import annotations

import re

import pytest
from kops.templating import ExecError, render

DATA = {"list": ["b", "a", "c", "a"], "n": 3.0, "m": {"a": 1.0, "b": {"c": 2.0}}, "s": "Hello World", "nil": None,
        "ips": ["1.2.3.4/32", "4.3.2.1/32"]}


def go(template: str, data=DATA, fail_on_missing: bool = False) -> str:
    return render(template, data, name="t", fail_on_missing=fail_on_missing)


@pytest.mark.parametrize(("template", "expected"), [
    # strings
    ('{{ trim "  x  " }}|{{ upper "a" }}|{{ lower "A" }}|{{ title "hello wide-world" }}|{{ untitle "Hello World" }}',
     "x|A|a|Hello Wide-World|hello world"),
    ('{{ "foobar" | substr 1 4 }}|{{ trunc 3 "abcdef" }}|{{ trunc -2 "abcdef" }}', "oob|abc|ef"),
    ('{{ "ab" | repeat 3 }}|{{ nospace "a b\tc" }}|{{ initials "Hello World" }}', "ababab|abc|HW"),
    ('{{ replace "a" "b" "aaa" }}|{{ "x-y" | trimPrefix "x-" }}|{{ "y.txt" | trimSuffix ".txt" }}|'
     '{{ trimAll "$" "$5.00$" }}', "bbb|y|y|5.00"),
    ('{{ contains "ell" .s }} {{ hasPrefix "He" .s }} {{ hasSuffix "x" .s }}', "true true false"),
    ('{{ quote "a" 1 nil }}|{{ squote "a" 2 }}|{{ cat "a" nil 1 2.5 }}', "\"a\" \"1\"|'a' '2'|a 1 2.5"),
    ('{{ "a\\nb" | indent 2 }}|{{ "a\\nb" | nindent 2 }}', "a\n  b|\n  a\n  b"),
    ('{{ "a\\n\\nb" | indent 2 }}|{{ "a\\n\\nb" | nindent 2 }}', "a\n\n  b|\n  a\n  \n  b"),
    ('{{ b64enc "kops" }}|{{ b64dec "a29wcw==" }}|{{ b64dec "!!" }}|{{ b32enc "k" }}',
     "a29wcw==|kops|illegal base64 data at input byte 0|NM======"),
    ('{{ sha256sum "kops" }}', "c8ca50efca01f4fc8b84bb66fb3413ea8d46022d169804686b8f49aadcda8009"),
    ('{{ sha1sum "kops" | trunc 8 }}|{{ adler32sum "kops" }}', None),
    ('{{ "a,b,c" | splitList "," }}|{{ (split "," "a,b")._1 }}|{{ splitn "," 2 "a,b,c" }}',
     "[a b c]|b|map[_0:a _1:b,c]"),
    ('{{ join "-" .list }}|{{ .list | sortAlpha }}|{{ toStrings (list 1 "a" nil) }}', "b-a-c-a|[a a b c]|[1 a]"),
    ('{{ regexMatch "^[a-z]+$" "abc" }} {{ regexMatch "^[a-z]+$" "abc\\n" }} {{ regexFind "[0-9]+" "a12b3" }}',
     "true false 12"),
    ('{{ regexFindAll "[0-9]+" "a1b22c333" 2 }}|{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}|'
     '{{ regexReplaceAllLiteral "a(x*)b" "-ab-" "$1" }}|{{ regexSplit "z+" "pizza" -1 }}|{{ regexQuoteMeta "1.2" }}',
     "[1 22]|-W-xxW-|-$1-|[pi a]|1\\.2"),
    ('{{ regexReplaceAll "x*" "abxd" "-" }}', "-a-b-d-"),
    ('{{ snakecase "FirstName" }} {{ camelcase "http_server" }} {{ kebabcase "FirstName" }} {{ swapcase "aB" }}',
     "first_name HttpServer first-name Ab"),
    ('{{ plural "one" "many" 1 }} {{ plural "one" "many" 2 }} {{ abbrev 5 "hello world" }}', "one many he..."),
    ('{{ wrap 5 "aaa bbb ccc" }}', "aaa\nbbb\nccc"),
    # numbers
    ("{{ add 1 2 3 }} {{ add1 .n }} {{ sub 5 2 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }} {{ div -7 2 }}",
     "6 4 3 24 3 1 -3"),
    ("{{ max 1 5 3 }} {{ min 4 2 8 }} {{ maxf 1.5 2.5 }} {{ minf 1.5 2.5 }} {{ ceil 1.2 }} {{ floor 1.8 }}",
     "5 2 2.5 1.5 2 1"),
    ("{{ round 3.14159 2 }} {{ addf 0.1 0.2 }} {{ subf 1.5 0.5 }} {{ mulf 1.1 3 }} {{ divf 1 4 }} {{ add1f 1.5 }}",
     "3.14 0.3 1 3.3 0.25 2.5"),
    ('{{ int "42" }} {{ int 3.9 }} {{ int64 "0x1F" }} {{ float64 "2.5" }} {{ atoi "12" }} {{ atoi "x" }} '
     '{{ int .nil }} {{ int "1.5" }}', "42 3 31 2.5 12 0 0 1"),
    ("{{ until 3 }} {{ untilStep 0 10 4 }} {{ until -2 }} {{ seq 3 }} {{ seq 2 4 }} {{ seq 5 -2 1 }} {{ seq 3 1 }}",
     "[0 1 2] [0 4 8] [0 -1] 1 2 3 2 3 4 5 3 1 3 2 1"),
    ("{{ typeOf (add 1 1) }} {{ typeOf (int 1) }} {{ typeOf (until 2) }} {{ typeOf (splitList `,` `a`) }}",
     "int64 int []int []string"),
    ("{{ toString 1.5 }} {{ toString .list }} {{ toDecimal 777 }}", "1.5 [b a c a] 511"),
    # lists
    ("{{ list 1 `a` 2.5 }} {{ first .list }} {{ last .list }} {{ rest .list }} {{ initial .list }}",
     "[1 a 2.5] b a [a c a] [b a c]"),
    ("{{ append .list `z` }} {{ prepend .list `z` }} {{ concat .list (list 1) }} {{ reverse .list }}",
     "[b a c a z] [z b a c a] [b a c a 1] [a c a b]"),
    ("{{ uniq .list }} {{ without .list `a` }} {{ has `c` .list }} {{ has 1 (list 1.0) }} {{ compact (list 0 `` `x`) }}",
     "[b a c] [b c] true false [x]"),
    ("{{ slice .list 1 3 }} {{ slice .list 2 }} {{ chunk 3 (list 1 2 3 4) }} {{ first (list) }}",
     "[a c] [c a] [[1 2 3] [4]] <no value>"),
    # dicts
    ('{{ $d := dict "b" 2 "a" 1 }}{{ $d }} {{ get $d "a" }} {{ get $d "zz" }} {{ hasKey $d "b" }} {{ keys $d }} '
     '{{ values $d }}', "map[a:1 b:2] 1  true [a b] [1 2]"),
    ('{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $_ := unset $d "a" }}{{ $d }}', "map[b:2]"),
    ('{{ pick .m "a" }} {{ omit .m "a" }} {{ dig "b" "c" "none" .m }} {{ dig "x" "y" "none" .m }}',
     "map[a:1] map[b:map[c:2]] 2 none"),
    ('{{ merge (dict "a" 1 "n" (dict "x" 1)) (dict "a" 2 "b" 3 "n" (dict "y" 2)) }}', "map[a:1 b:3 n:map[x:1 y:2]]"),
    ('{{ mergeOverwrite (dict "a" 1 "k" "keep") (dict "a" 2 "k" "") }}', "map[a:2 k:keep]"),
    ('{{ pluck "a" (dict "a" 1) (dict "b" 2) (dict "a" 3) }} {{ deepCopy .m }}', "[1 3] map[a:1 b:map[c:2]]"),
    # defaults and flow
    ('{{ default "d" "" }} {{ default "d" "x" }} {{ default "d" 0 }} {{ default "d" .nil }} {{ default "d" false }}',
     "d x d d d"),
    ("{{ empty `` }} {{ empty 0 }} {{ empty .list }} {{ empty (dict) }} {{ empty .nil }} {{ empty 1.5 }}",
     "true true false true true false"),
    ('{{ coalesce 0 "" "z" }} {{ ternary "y" "n" true }} {{ ternary "y" "n" false }} {{ all 1 "a" }} {{ any 0 "" }}',
     "z y n true false"),
    # conversions
    ("{{ .ips | toJson }}", '["1.2.3.4/32","4.3.2.1/32"]'),
    ('{{ toJson .m }} {{ toJson "<&>" }} {{ toRawJson "<&>" }} {{ toJson 1e-7 }} {{ toJson nil }}',
     '{"a":1,"b":{"c":2}} "\\u003c\\u0026\\u003e" "<&>" 1e-7 null'),
    ("{{ toPrettyJson .m }}", '{\n  "a": 1,\n  "b": {\n    "c": 2\n  }\n}'),
    ('{{ (fromJson `{"a": [1, 2]}`).a }} {{ fromJson `not json` }}', "[1 2] <no value>"),
    ("{{ toYaml .m }}", "a: 1\nb:\n  c: 2"),
    ('{{ (fromYaml "a: 1\\nb: [x]").b }}', "[x]"),
    # types
    ("{{ kindOf 1 }} {{ kindOf .list }} {{ kindOf .m }} {{ kindIs `string` `x` }} {{ typeOf .m }} {{ typeIs `int` 1 }}",
     "int slice map true map[string]interface {} true"),
    ("{{ deepEqual (list 1 2) (list 1 2) }} {{ deepEqual 1 1.0 }}", "true false"),
    # paths, urls, semver
    ('{{ base "a/b/c.txt" }} {{ dir "a/b/c.txt" }} {{ ext "c.tar.gz" }} {{ clean "a//b/../c" }} {{ isAbs "/x" }}',
     "c.txt a/b .gz a/c true"),
    ('{{ (urlParse "https://u@h:8080/p?q=1#f").hostname }} {{ urlJoin (dict "scheme" "https" "host" "h" "path" "/p") }}',
     "h https://h/p"),
    ('{{ semverCompare ">=1.27.0-0" "1.28.3" }} {{ semverCompare "~1.27" "1.28.0" }} {{ semver "v1.2" }}',
     "true false 1.2.0"),
    # dates (fixed instants, UTC)
    ('{{ dateInZone "2006-01-02T15:04:05Z07:00 Mon Jan _2 3PM .000" 0 "UTC" }}',
     "1970-01-01T00:00:00Z Thu Jan  1 12AM .000"),
    ('{{ htmlDateInZone 86400 "UTC" }} {{ unixEpoch (toDate "2006-01-02" "2024-03-05") | len }}', "1970-01-02 10"),
    ("{{ duration 3725 }} {{ duration `90` }}", "1h2m5s 1m30s"),
    ("{{ hello }}", "Hello!"),
])
def test_functions(template, expected):
    result = go(template)
    if expected is not None:
        assert result == expected


def test_random_and_time_functions_have_the_expected_shape():
    assert re.fullmatch(r"[A-Za-z0-9]{12}", go("{{ randAlphaNum 12 }}"))
    assert re.fullmatch(r"[0-9]{5}", go("{{ randNumeric 5 }}"))
    assert re.fullmatch(r"[0-9a-f-]{36}", go("{{ uuidv4 }}"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", go('{{ now | date "2006-01-02" }}'))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \S+", go("{{ now }}"))


@pytest.mark.parametrize(("template", "message"), [
    ('{{ fail "stop here" }}', "error calling fail: stop here"),
    ("{{ first `abc` }}", "error calling first: Cannot find first on type string"),
    ("{{ div 1 0 }}", "error calling div: runtime error: integer divide by zero"),
    ("{{ repeat .n `x` }}", "wrong type for value; expected int; got float64"),
    ('{{ substr 5 2 "abc" }}', "slice bounds out of range"),
    ('{{ required "name is required" "" }}', "error calling required: name is required"),
    ("{{ mustToJson .bad }}", None),
    ('{{ genCA "x" 365 }}', "genCA is not supported"),
    ('{{ include "x" "not a map" }}', 'can\'t handle "not a map" for arg of type map[string]interface {}'),
    ('{{ include "x" .list }}', "wrong type for value; expected map[string]interface {}; got []interface {}"),
    ('{{ include "nope" . }}', 'snippet: nope, issue: template: no template "nope" associated with template "t"'),
])
def test_function_errors(template, message):
    with pytest.raises(ExecError) as info:
        go(template, {**DATA, "bad": float("nan")})
    if message:
        assert message in str(info.value)
