"""``kops toolbox template``: render cluster manifests from Go templates and values, as upstream does.

    kops toolbox template --values values.yaml --values=prod.yaml \\
        --set kubernetesVersion=1.32.4 --set-string zone=1 \\
        --snippets snippets/ --template cluster.yaml --template instancegroups/ --out cluster.yaml
    kops create -f cluster.yaml

Templates are Go ``text/template`` files with sprig's and kOps' functions (see ``kops.templating``); a
template whose name ends in ``.j2`` is rendered with Jinja2 instead, with the same values. The rendered
documents of all templates are joined with ``---``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from kops.cli.flags import list_option
from kops.cli.settings import Settings, global_options
from kops.cli.toolbox_cmd import toolbox
from kops.errors import KopsError


@toolbox.command("template")
@click.argument("cluster", required=False)
@list_option("--values", help="Path to a configuration file (or folder of them) containing values to include in "
                              "the template; later files win, maps merge.", metavar="PATHS")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
              help="Set values on the command line (repeatable, or comma-separated: key1=val1,key2=val2).")
@click.option("--set-string", "string_sets", multiple=True, metavar="KEY=VALUE",
              help="Set STRING values on the command line (repeatable, or comma-separated: key1=val1,key2=val2).")
@list_option("--template", "templates", help="Path to template file or directory of templates to render.",
             metavar="PATHS")
@list_option("--snippets", help="Path to directory containing snippets used for templating.", metavar="PATHS")
@click.option("--channel", default="stable", show_default=True, help="Channel to use for the channel* functions.")
@click.option("--out", "out", metavar="PATH", help="Path to output file. Defaults to stdout.")
@click.option("--output", "deprecated_output", metavar="PATH", hidden=True, help="Use --out instead.")
@click.option("--config-value", metavar="KEY", help="Show the value of a specific configuration value.")
@click.option("--fail-on-missing/--no-fail-on-missing", default=True, show_default=True,
              help="Fail on referencing unset variables in templates.")
@click.option("--format-yaml", is_flag=True, help="Attempt to format the generated yaml content before output.")
@global_options
@click.pass_obj
def template(settings: Settings, cluster: str | None, values: list[str] | None, sets: tuple[str, ...],
             string_sets: tuple[str, ...], templates: list[str] | None, snippets: list[str] | None, channel: str,
             out: str | None, deprecated_output: str | None, config_value: str | None, fail_on_missing: bool,
             format_yaml: bool) -> None:
    """Generate cluster.yaml from a template and values.

    \b
    kops toolbox template --values values.yaml --template cluster.tmpl.yaml --out cluster.yaml
    """
    from kops.templating.gofmt import value_string
    from kops.templating.values import build_context

    if deprecated_output:
        click.echo("Flag --output has been deprecated, use --out instead", err=True)
        out = out or deprecated_output
    context = build_context(values or [], list(sets), list(string_sets))
    if isinstance(context.get("clusterName"), str):
        cluster = context["clusterName"]
    else:
        context["clusterName"] = settings.cluster_name(cluster, required=False) or ""

    if config_value:
        click.echo(value_string(context[config_value]) if config_value in context else "null")
        return

    content = render_templates(templates or [], snippets or [], context, channel, fail_on_missing, format_yaml)
    if out:
        path = Path(os.path.expanduser(out))
        try:
            fd = os.open(path, os.O_RDWR | os.O_TRUNC | os.O_CREAT, 0o660)
            with os.fdopen(fd, "w") as f:
                f.write(content)
        except OSError as exc:
            raise KopsError(f"unable to open file: {out}, error: {exc.strerror}") from None
    else:
        click.echo(content, nl=False)


def render_templates(templates: list[str], snippet_paths: list[str], context: dict[str, Any], channel_name: str,
                     fail_on_missing: bool, format_yaml: bool) -> str:
    """Every template rendered, its documents (re-formatted, with ``format_yaml``) joined with ``---``."""
    from kops.channels import load_channel
    from kops.templating.values import expand_files

    files: list[Path] = []
    for path in templates:
        try:
            files.extend(expand_files(path))
        except KopsError as exc:
            raise KopsError(f"unable to expand the template: {path}, error: {exc}") from None
    snippets: dict[str, str] = {}
    for path in snippet_paths:
        try:
            found = expand_files(path)
        except KopsError as exc:
            raise KopsError(f"unable to expand the snippets: {path}, error: {exc}") from None
        for file in found:
            snippets[file.name] = _read(file, "snippet")
    try:
        channel = load_channel(channel_name)
    except KopsError as exc:
        raise KopsError(f"error loading channel {channel_name!r}: {exc}") from None

    documents: list[str] = []
    for file in files:
        text = _read(file, "template")
        rendered = _render_one(str(file), text, context, snippets, fail_on_missing, channel)
        if not rendered:
            continue
        if not format_yaml:
            documents.extend(rendered.split("---\n"))
            continue
        for doc in rendered.split("---\n"):
            formatted = _format_document(str(file), doc)
            if formatted:
                documents.append(formatted)
    return "---\n".join(documents)


def _read(file: Path, what: str) -> str:
    from kops.cli.specs import read_text

    return read_text(str(file), what)


def _one_line(message: str) -> str:
    return message.replace("\n", "\\n")


def _render_one(name: str, text: str, context: dict[str, Any], snippets: dict[str, str], fail_on_missing: bool,
                channel: Any) -> str:
    from kops.templating import TemplateError, render

    try:
        if name.endswith(".j2"):
            return _render_jinja(name, text, context, snippets, fail_on_missing, channel)
        return render(text, context, name=name, snippets=snippets, fail_on_missing=fail_on_missing, channel=channel)
    except TemplateError as exc:
        raise KopsError(_one_line(f"unable to render template: {name}, error: {exc}")) from None


def _render_jinja(name: str, text: str, context: dict[str, Any], snippets: dict[str, str], fail_on_missing: bool,
                  channel: Any) -> str:
    """A ``.j2`` template: Jinja2 with the same values, the channel helpers as globals, and the snippets
    available to ``{% include %}``; undefined names are errors when ``fail_on_missing``."""
    import jinja2
    from kops.templating.errors import FuncError, TemplateError
    from kops.templating.templater import ChannelHelpers

    helpers = ChannelHelpers(channel)
    sources = {**snippets, name: text}

    def load(source_name: str) -> tuple[str, str, Any] | None:
        # The name doubles as the file name, so errors can be traced to a template line.
        return (sources[source_name], source_name, lambda: True) if source_name in sources else None

    env = jinja2.Environment(loader=jinja2.FunctionLoader(load), keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined if fail_on_missing else jinja2.Undefined)
    env.globals.update(ChannelRecommendedKubernetesUpgradeVersion=helpers.recommended_upgrade,
                       ChannelRecommendedKopsKubernetesVersion=helpers.recommended_kubernetes,
                       ChannelRecommendedImage=helpers.recommended_image)
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template: {exc.filename or name}:{exc.lineno}: {exc.message}") from None
    except (jinja2.TemplateError, FuncError) as exc:
        line = _jinja_line(exc, name)
        raise TemplateError(f"template: {name}:{line}: {exc}" if line else f"template: {name}: {exc}") from None


def _jinja_line(exc: BaseException, name: str) -> int | None:
    """The template line an error was raised at: Jinja2 maps its frames back to the template file."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _format_document(name: str, doc: str) -> str:
    """One rendered document read as YAML and written back, keys sorted (``--format-yaml``); empty ones drop."""
    from kops.templating import yamlio

    try:
        data = yamlio.load(doc)
    except Exception as exc:  # noqa: BLE001 - PyYAML raises several types; all mean "not YAML"
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise KopsError(f"unable to unmarshall content from template: {name}, error: yaml: {where}"
                        f"{getattr(exc, 'problem', None) or exc}") from None
    if data is None:
        return ""
    if not isinstance(data, dict):
        raise KopsError(f"unable to unmarshall content from template: {name}, error: a document is a "
                        f"{type(data).__name__}, not a map")
    if not data:
        return ""
    return yamlio.dump(yamlio.integral_floats_as_ints(yamlio.json_numbers(data)))
