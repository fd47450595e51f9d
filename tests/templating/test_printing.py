"""Go's printing of values: what ``{{ . }}``, ``print`` and ``printf`` write."""

from __future__ import annotations

import pytest
from kops.templating import render


def go(template: str, data=None) -> str:
    return render(template, data or {}, name="t", fail_on_missing=False)


@pytest.mark.parametrize(("template", "expected"), [
    ("{{printf `%s|%v|%q` `x` `x` `x`}}", 'x|x|"x"'),
    ("{{printf `%d|%5d|%-5d|%05d|%+d|% d` 42 42 42 -42 42 42}}", "42|   42|42   |-0042|+42| 42"),
    ("{{printf `%x|%X|%o|%O|%b|%#x|%#o|%#b` 255 255 8 8 5 255 8 5}}", "ff|FF|10|0o10|101|0xff|010|0b101"),
    ("{{printf `%c|%q|%U|%#U` 65 65 65 0x1F600}}", "A|'A'|U+0041|U+1F600 '😀'"),
    ("{{printf `%f|%.2f|%8.3f|%-8.2f|%e|%E|%g|%G` 3.14159 3.14159 3.14159 3.14159 1234.5678 1234.5678 "
     "0.000012345 1e21}}", "3.141590|3.14|   3.142|3.14    |1.234568e+03|1.234568E+03|1.2345e-05|1E+21"),
    ("{{printf `%.3g|%.10g|%g|%g` 1234.5678 100000.0 100000.0 1000000.0}}", "1.23e+03|100000|100000|1e+06"),
    ("{{printf `%t|%v` true false}}", "true|false"),
    ("{{printf `%5s|%-5s|%.2s|%q|%+q|%#q` `ab` `ab` `abc` `é\\n` `é` `a`}}", '   ab|ab   |ab|"é\\\\n"|"\\u00e9"|`a`'),
    ("{{printf `%x|% x|%X` `hi` `hi` `hi`}}", "6869|68 69|6869"),
    ("{{printf `%v|%d|%q` .l .n .s}}", '[1 a <nil>]|[1 2]|["a" "b"]'),
    ("{{printf `%v` .m}}", "map[a:1 b:[x y] c:map[d:<nil>]]"),
    ("{{printf `%T|%T|%T|%T|%T|%T` .l .m 1 1.5 `s` nil}}", "[]interface {}|map[string]interface {}|int|float64|string|<nil>"),
    ("{{printf `%d` `x`}}", "%!d(string=x)"),
    ("{{printf `%s` 3}}", "%!s(int=3)"),
    ("{{printf `%d`}}", "%!d(MISSING)"),
    ("{{printf `%d` 1 2 `x`}}", "1%!(EXTRA int=2, string=x)"),
    ("{{printf `100%%`}}", "100%"),
    ("{{printf `%`}}", "%!(NOVERB)"),
    ("{{printf `%*d|%-*d|%.*f` 5 1 4 2 2 3.14159}}", "    1|2   |3.14"),
    ("{{printf `%[2]d %[1]d` 1 2}}", "2 1"),
    ("{{printf `%d` nil}}", "%!d(<nil>)"),
    ("{{printf `%v|%v|%v` 1e6 1e-5 123456789.0}}", "1e+06|1e-05|1.23456789e+08"),
    ("{{printf `%g` 1+7i}}", "(1+7i)"),
    ("{{.big}} {{.small}} {{.int}} {{.neg}}", "1e+06 1e-05 3 -0.5"),
])
def test_printf(template, expected):
    data = {"l": [1, "a", None], "n": [1, 2], "s": ["a", "b"], "m": {"b": ["x", "y"], "a": 1, "c": {"d": None}},
            "big": 1000000.0, "small": 0.00001, "int": 3.0, "neg": -0.5}
    assert go(template, data) == expected
