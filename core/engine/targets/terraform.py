"""The terraform target: write the tasks as a Terraform configuration instead of calling the cloud.

Tasks describe themselves to a :class:`TerraformWriter`; the target writes ``kubernetes.tf`` (HCL2, in the
layout upstream kOps uses: locals, outputs, providers, resources, data sources, then the ``terraform``
block, each sorted by type then name) and the large values under ``data/``. No cloud API is called: a
lookup such as an image by name becomes a data source. Terraform removes what the configuration no longer
holds, so this target ignores deletions.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kops.engine import hcl
from kops.engine.context import Context
from kops.engine.graph import TaskGraph
from kops.engine.hcl import Expr
from kops.engine.lifecycle import Lifecycle
from kops.engine.task import Task
from kops.errors import KopsError

MAIN_FILE = "kubernetes.tf"


class TerraformError(KopsError):
    """Two tasks wrote the same Terraform name, or a task put a secret into the configuration."""


class TerraformWriter:
    """Collects resources, data sources, outputs, locals, providers and data files; renders them stably.

    Safe to call from several threads. Names are given as kOps names (``minimal.example.com``) and
    written as Terraform names (``minimal-example-com``).
    """

    def __init__(self, required_version: str = ">= 0.15.0"):
        self.required_version = required_version
        self._lock = threading.Lock()
        self._resources: dict[tuple[str, str], Mapping[str, Any]] = {}
        self._data_sources: dict[tuple[str, str], Mapping[str, Any]] = {}
        self._locals: dict[str, Any] = {}
        self._variables: dict[str, str] = {}
        self._outputs: dict[str, Any] = {}
        self._output_lists: dict[str, list[Any]] = {}
        self._providers: list[tuple[str, dict[str, Any]]] = []
        self._required: dict[str, dict[str, Any]] = {}
        self._files: dict[str, bytes] = {}

    def add_resource(self, type_: str, name: str, attrs: Mapping[str, Any]) -> None:
        """``resource "type_" "name" { attrs }``; see :mod:`kops.engine.hcl` for how values are written."""
        key = (hcl.identifier(type_), hcl.resource_name(name))
        with self._lock:
            if key in self._resources:
                raise TerraformError(f"two tasks write the Terraform resource {'.'.join(key)}")
            self._resources[key] = attrs

    def add_data_source(self, type_: str, name: str, attrs: Mapping[str, Any]) -> Expr:
        """``data "type_" "name" { attrs }``; returns the data source's ``id`` for use in attributes.

        Several tasks may add the same lookup (one image for many instance groups) if they agree on it.
        """
        key = (hcl.identifier(type_), hcl.resource_name(name))
        with self._lock:
            if self._data_sources.get(key, attrs) != attrs:
                raise TerraformError(f"two tasks write the Terraform data source {'.'.join(key)} differently")
            self._data_sources[key] = attrs
        return Expr(f"data.{type_}.{hcl.resource_name(name)}.id")

    def add_output(self, name: str, value: Any, *, local: bool = True) -> None:
        """An output (and, as upstream writes them, a local of the same name unless ``local`` is False)."""
        key = hcl.resource_name(name)
        with self._lock:
            if key in self._outputs or key in self._output_lists:
                raise TerraformError(f"two tasks write the Terraform output {key!r}")
            self._outputs[key] = value
            if local:
                self._set_local(key, value)

    def add_output_item(self, name: str, value: Any) -> None:
        """Add ``value`` to a list output (``node_subnet_ids``); items are de-duplicated and sorted."""
        key = hcl.resource_name(name)
        with self._lock:
            if key not in self._output_lists:
                if key in self._outputs or key in self._locals:
                    raise TerraformError(f"the Terraform output {key!r} is both a list and a single value")
                self._output_lists[key] = []
            self._output_lists[key].append(value)

    def add_variable(self, name: str, description: str) -> Expr:
        """An input variable (a string) the user supplies, for a value no data source can look up;
        returns the expression that reads it."""
        key = hcl.identifier(name)
        with self._lock:
            self._variables[key] = description
        return Expr(f"var.{key}")

    def add_local(self, name: str, value: Any) -> None:
        with self._lock:
            self._set_local(hcl.identifier(name), value)

    def add_provider(self, name: str, attrs: Mapping[str, Any] | None = None, *, alias: str | None = None,
                     source: str | None = None, version: str | None = None) -> None:
        """A ``provider`` block, written in the order added (the cloud's own provider first, as upstream).

        ``source`` and ``version`` go to ``required_providers``; aliases become its ``configuration_aliases``.
        """
        body = dict(attrs or {})
        if alias:
            body["alias"] = alias
        with self._lock:
            self._providers.append((hcl.identifier(name), body))
            if source:
                self._required[name] = {"source": source, "version": version}

    def file_ref(self, resource_type: str, resource_name: str, field: str, content: str | bytes, *,
                 base64: bool = False) -> Expr:
        """Store a large value as ``data/<type>_<name>_<field>``; returns ``file("${path.module}/data/...")``.

        With ``base64`` the expression is ``filebase64(...)``, for binary values such as user data.
        """
        path = "data/" + f"{resource_type}_{resource_name}_{field}".replace("/", "--").replace("\\", "--")
        data = content.encode() if isinstance(content, str) else content
        with self._lock:
            if self._files.setdefault(path, data) != data:
                raise TerraformError(f"two tasks write the Terraform data file {path} with different contents")
        module_path = hcl.quote(path)[1:-1]
        return Expr(f'{"filebase64" if base64 else "file"}("${{path.module}}/{module_path}")')

    def template_ref(self, resource_type: str, resource_name: str, field: str, content: str | bytes,
                     variables: Mapping[str, Expr]) -> Expr:
        """Like :meth:`file_ref`, for a file holding ``${name}`` placeholders that Terraform fills in.

        Returns ``templatefile(path, { name = expression, ... })``. Every other ``${`` and ``%{`` in the
        content is escaped (``$${``, ``%%{``), so only the named placeholders are template syntax: a shell
        script's ``${HOME}`` in a manifest reaches the file unchanged.
        """
        text = content.decode() if isinstance(content, bytes) else content
        text = text.replace("${", "$${").replace("%{", "%%{")
        for name in variables:
            text = text.replace("$${" + name + "}", "${" + name + "}")
        path = self.file_ref(resource_type, resource_name, field, text).text.removeprefix("file(")[:-1]
        args = ", ".join(f"{hcl.identifier(name)} = {expr.text}" for name, expr in sorted(variables.items()))
        return Expr(f"templatefile({path}, {{ {args} }})")

    def render(self) -> dict[str, bytes]:
        """Every file of the configuration by relative path: ``kubernetes.tf`` and the ``data/`` files."""
        with self._lock:
            sections = [hcl.block("variable", [name], {"type": Expr("string"), "description": description})
                        for name, description in sorted(self._variables.items())]
            if self._locals:
                sections.append(hcl.block("locals", [], self._locals_with_lists()))
            outputs = {**self._outputs, **{k: self._list(v) for k, v in self._output_lists.items()}}
            sections.extend(hcl.block("output", [name], {"value": outputs[name]}) for name in sorted(outputs))
            sections.extend(hcl.block("provider", [name], body) for name, body in self._providers)
            for keyword, blocks in (("resource", self._resources), ("data", self._data_sources)):
                sections.extend(hcl.block(keyword, [type_, name], blocks[type_, name]) for type_, name in sorted(blocks))
            sections.append(self._terraform_block())
            files = {MAIN_FILE: "\n".join(sections).encode()}
            files.update(sorted(self._files.items()))
        return files


    def _set_local(self, key: str, value: Any) -> None:
        if key in self._locals or key in self._output_lists:
            raise TerraformError(f"two tasks write the Terraform local {key!r}")
        self._locals[key] = value

    def _locals_with_lists(self) -> dict[str, Any]:
        return {**self._locals, **{k: self._list(v) for k, v in self._output_lists.items()}}

    @staticmethod
    def _list(items: list[Any]) -> list[Any]:
        unique = {hcl.inline(v): v for v in items}
        return [unique[text] for text in sorted(unique)]

    def _terraform_block(self) -> str:
        lines = ["terraform {", f"  required_version = {hcl.quote(self.required_version)}"]
        if self._required:
            providers: dict[str, Any] = {}
            for name, req in self._required.items():
                aliases = [Expr(f"{name}.{body['alias']}") for n, body in self._providers if n == name and "alias" in body]
                providers[name] = {**req, "configuration_aliases": aliases}
            lines.extend(hcl.body_lines({"required_providers": hcl.Block(providers)}))
        return "\n".join([*lines, "}"]) + "\n"


class TerraformTarget:
    """Renders every task as Terraform, in dependency order; shared tasks may add data sources only."""

    name = "terraform"

    def __init__(self, out_dir: str | Path | None = None, writer: TerraformWriter | None = None):
        """``writer`` may come with providers already added (the cloud plugin does that); ``out_dir`` is
        where the files are written (none: only returned)."""
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.writer = writer or TerraformWriter()

    def run(self, ctx: Context, tasks: Iterable[Task], deletions: Iterable[Task] = ()) -> dict[str, bytes]:
        graph = TaskGraph(tasks)
        ctx = dataclasses.replace(ctx, target=self)
        for task in graph:
            if task.lifecycle == Lifecycle.IGNORE:
                continue
            if task.lifecycle.shared:
                task.render_terraform_shared(ctx, self.writer)
            else:
                task.render_terraform(ctx, self.writer)
        files = self.writer.render()
        _refuse_secrets(graph, files)
        if self.out_dir is not None:
            for rel, data in files.items():
                path = self.out_dir / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        return files


def _refuse_secrets(graph: TaskGraph, files: Mapping[str, bytes]) -> None:
    """Fail if any task's secret field value ended up in a file, as written or as an HCL string."""
    for task in graph:
        for field in sorted(task.field_spec().secrets):
            value = getattr(task, field)
            if not isinstance(value, str | bytes) or not value:
                continue
            raw = value.encode() if isinstance(value, str) else value
            forms = {raw}
            if isinstance(value, str):
                forms.add(hcl.quote(value)[1:-1].encode())
            for rel, data in files.items():
                if any(form in data for form in forms):
                    raise TerraformError(f"{task}: the secret field {field!r} was written to the Terraform file "
                                         f"{rel}; secrets must stay out of the configuration")
