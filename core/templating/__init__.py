"""Go templates, as upstream kOps renders them for ``kops toolbox template``.

Upstream users write cluster manifests as Go ``text/template`` files with sprig's functions and kOps'
own; this package runs those templates unchanged: a lexer (``lexer``), a parser to a small tree
(``parser``, ``nodes``), an executor (``executor``, with Go's builtins in ``builtins``), Go's printing of
values (``gofmt``, ``gojson``, ``gotime``) and the function set (``functions`` for sprig, ``templater``
for kOps' additions and the entry point).

    from kops.templating import render
    render("name: {{ .name | upper }}", {"name": "x"})   # "name: X"
"""

from kops.templating.errors import ExecError, ParseError, TemplateError
from kops.templating.templater import render

__all__ = ["ExecError", "ParseError", "TemplateError", "render"]
