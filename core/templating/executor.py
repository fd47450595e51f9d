"""Executing parsed Go templates: walking the tree, evaluating pipelines, calling functions.

The rules are Go's ``text/template`` (``exec.go``), kept close because templates written for upstream
kOps depend on them: which values are true, how ``range`` orders a map (sorted keys) and scopes its
variables, how a missing map key prints (``<no value>``) or fails (``missingkey=error``), how a
function's declared parameter types decide what may be passed to it (a number read from YAML is a
``float64`` and cannot be passed where an ``int`` is expected), and the exact wording of each error.

Functions are ``GoFunc``s: a Python callable plus its Go signature. Values flow through the executor
as Python values, ``INVALID`` (Go's zero ``reflect.Value``) or ``Boxed`` (a value still behind an
``interface{}``); functions only ever see plain Python values, except builtins declared with
``reflect.Value`` parameters, which see them raw as Go's do.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kops.templating import gofmt
from kops.templating.errors import ExecError, FuncError
from kops.templating.gotypes import (
    ANY,
    INVALID,
    REFLECT,
    Boxed,
    GoTime,
    Int64,
    assignable,
    can_be_nil,
    element_is_interface,
    is_int,
    type_name,
    unbox,
    zero,
)
from kops.templating.nodes import (
    ActionNode,
    BoolNode,
    BreakNode,
    ChainNode,
    CommandNode,
    CommentNode,
    ContinueNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    IfNode,
    ListNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    RangeNode,
    StringNode,
    TemplateNode,
    TextNode,
    Tree,
    VariableNode,
    WithNode,
)
from kops.templating.parser import location

#: How deep ``{{template}}`` calls may nest before a runaway recursion is reported.
MAX_EXEC_DEPTH = 200


@dataclass(frozen=True)
class GoFunc:
    """A template function: the callable and its Go parameter types (``variadic``: the ``...T`` element)."""

    fn: Callable[..., Any]
    params: tuple[str, ...] = ()
    variadic: str | None = None


def go_func(*params: str, variadic: str | None = None) -> Callable[[Callable[..., Any]], GoFunc]:
    """Declare a Python function's Go signature: ``@go_func("string", "int")``."""

    def wrap(fn: Callable[..., Any]) -> GoFunc:
        return GoFunc(fn, params, variadic)

    return wrap


class _Missing:
    """No value from a previous pipeline stage (Go's ``missingVal``): not the same as a nil one."""


MISSING: Any = _Missing()


class DepthError(ExecError):
    """Templates calling themselves without end; reported once, not wrapped by every level."""


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


def indirect_interface(value: Any) -> Any:
    """The value behind an interface; a nil interface is a missing value."""
    if isinstance(value, Boxed):
        return INVALID if value.value is None else value.value
    return value


def is_true(value: Any) -> tuple[bool, bool]:
    """Go's truth: the zero value of a type is false. The second result is False for values with no truth."""
    value = indirect_interface(value)
    if value is INVALID or value is None:
        return False, True
    if isinstance(value, bool):
        return value, True
    if isinstance(value, int | float | complex):
        return value != 0, True
    if isinstance(value, str | list | tuple | dict | bytes):
        return len(value) > 0, True
    if isinstance(value, GoTime):
        return True, True
    return False, False


class Template:
    """A set of named templates sharing functions and options, like Go's ``*template.Template``."""

    def __init__(self, name: str, funcs: dict[str, GoFunc], missing_key_error: bool = False):
        self.name = name
        self.funcs = funcs
        self.missing_key_error = missing_key_error
        self.trees: dict[str, Tree] = {}
        self.active = 0  # executions under way: the template and the snippets it includes

    def has_function(self, name: str) -> bool:
        return name in self.funcs

    def parse(self, name: str, text: str) -> None:
        """Add the templates ``text`` defines; a body of only spaces and comments does not replace one."""
        from kops.templating.nodes import is_empty_tree
        from kops.templating.parser import parse

        for tree_name, tree in parse(name, text, self.has_function).items():
            if tree_name in self.trees and is_empty_tree(tree.root):
                continue
            self.trees[tree_name] = tree

    def execute(self, name: str, data: Any) -> str:
        """Render the template called ``name`` with ``data`` as dot."""
        tree = self.trees.get(name)
        if tree is None:
            raise ExecError(f"template: no template {gofmt.quote(name)} associated with template "
                            f"{gofmt.quote(self.name)}")
        if self.active >= MAX_EXEC_DEPTH:  # a snippet including itself, through functions such as include
            raise DepthError(f"template: {name}: exceeded maximum template depth ({MAX_EXEC_DEPTH})")
        out: list[str] = []
        state = _State(self, tree, out, [["$", data]], self.active)
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 40 * MAX_EXEC_DEPTH + 2000))
        self.active += 1
        try:
            state.walk(data, tree.root)
        except RecursionError:
            raise DepthError(f"template: {name}: exceeded maximum template depth ({MAX_EXEC_DEPTH})") from None
        finally:
            self.active -= 1
            sys.setrecursionlimit(limit)
        return "".join(out)


class _State:
    """One execution: the current template, the output, the variable stack and the node being evaluated."""

    def __init__(self, tmpl: Template, tree: Tree, out: list[str], variables: list[list[Any]], depth: int):
        self.tmpl = tmpl
        self.tree = tree
        self.out = out
        self.vars = variables
        self.depth = depth
        self.node: Node | None = None

    # -- errors and variables -------------------------------------------------------------------------
    def at(self, node: Node) -> None:
        self.node = node

    def error(self, message: str) -> ExecError:
        name = self.tree.name
        if self.node is None:
            return ExecError(f"template: {name}: {message}")
        line, col = location(self.tree.text, self.node.pos)
        context = str(self.node)
        if len(context) > 20:
            context = context[:20] + "..."
        return ExecError(f"template: {self.tree.parse_name}:{line}:{col}: executing {gofmt.quote(name)} at "
                         f"<{context}>: {message}")

    def push(self, name: str, value: Any) -> None:
        self.vars.append([name, value])

    def mark(self) -> int:
        return len(self.vars)

    def pop(self, mark: int) -> None:
        del self.vars[mark:]

    def set_var(self, name: str, value: Any) -> None:
        for var in reversed(self.vars):
            if var[0] == name:
                var[1] = value
                return
        raise self.error(f"undefined variable: {name}")

    def set_top_var(self, n: int, value: Any) -> None:
        self.vars[-n][1] = value

    def var_value(self, name: str) -> Any:
        for var in reversed(self.vars):
            if var[0] == name:
                return var[1]
        raise self.error(f"undefined variable: {name}")

    # -- walking ----------------------------------------------------------------------------------------
    def walk(self, dot: Any, node: Node) -> None:
        self.at(node)
        if isinstance(node, ActionNode):
            # Variables declared here persist until the enclosing control's {{end}}.
            value = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.at(node)
                self.out.append(gofmt.printable(value))
        elif isinstance(node, TextNode):
            self.out.append(node.text)
        elif isinstance(node, ListNode):
            for child in node.nodes:
                self.walk(dot, child)
        elif isinstance(node, IfNode | WithNode):
            self.walk_if_or_with(isinstance(node, WithNode), dot, node.pipe, node.list, node.else_list)
        elif isinstance(node, RangeNode):
            self.walk_range(dot, node)
        elif isinstance(node, TemplateNode):
            self.walk_template(dot, node)
        elif isinstance(node, BreakNode):
            raise _Break
        elif isinstance(node, ContinueNode):
            raise _Continue
        elif not isinstance(node, CommentNode):
            raise self.error(f"unknown node: {node}")

    def walk_if_or_with(self, is_with: bool, dot: Any, pipe: PipeNode, body: ListNode,
                        else_list: ListNode | None) -> None:
        mark = self.mark()
        try:
            value = self.eval_pipeline(dot, pipe)
            truth, ok = is_true(value)
            if not ok:
                raise self.error(f"if/with can't use {gofmt.value_string(value)}")
            if truth:
                self.walk(value if is_with else dot, body)
            elif else_list is not None:
                self.walk(dot, else_list)
        finally:
            self.pop(mark)

    def walk_range(self, dot: Any, node: RangeNode) -> None:
        self.at(node)
        outer = self.mark()
        try:
            value = indirect_interface(self.eval_pipeline(dot, node.pipe))
            mark = self.mark()
            decl = node.pipe.decl

            def iteration(index: Any, elem: Any) -> None:
                if decl:
                    if node.pipe.is_assign:
                        self.set_var(decl[0].ident[0], index if len(decl) > 1 else elem)
                    else:
                        self.set_top_var(1, elem)
                if len(decl) > 1:
                    if node.pipe.is_assign:
                        self.set_var(decl[1].ident[0], elem)
                    else:
                        self.set_top_var(2, index)
                try:
                    self.walk(elem, node.list)
                except _Continue:
                    pass
                finally:
                    self.pop(mark)

            ran = False
            try:
                if is_int(value):
                    if len(decl) > 1:
                        raise self.error(f"can't use {value} to iterate over more than one variable")
                    kind = type(value) if isinstance(value, Int64) else int
                    for i in range(value):
                        ran = True
                        iteration(INVALID, kind(i))
                elif isinstance(value, list | tuple):
                    boxed = element_is_interface(value)
                    for i, elem in enumerate(value):
                        ran = True
                        iteration(i, Boxed(elem) if boxed else elem)
                elif isinstance(value, dict):
                    boxed = element_is_interface(value)
                    for key in sorted(value, key=str):
                        ran = True
                        iteration(key, Boxed(value[key]) if boxed else value[key])
                elif value is not INVALID:
                    raise self.error(f"range can't iterate over {gofmt.value_string(value)}")
            except _Break:
                ran = True
            if not ran and node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            self.pop(outer)

    def walk_template(self, dot: Any, node: TemplateNode) -> None:
        self.at(node)
        tree = self.tmpl.trees.get(node.name)
        if tree is None:
            raise self.error(f"template {gofmt.quote(node.name)} not defined")
        if self.depth >= MAX_EXEC_DEPTH:
            raise DepthError(str(self.error(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})")))
        dot = self.eval_pipeline(dot, node.pipe)
        # No dynamic scoping: the called template sees only $, set to its dot.
        _State(self.tmpl, tree, self.out, [["$", dot]], self.depth + 1).walk(dot, tree.root)

    # -- evaluation --------------------------------------------------------------------------------------
    def eval_pipeline(self, dot: Any, pipe: PipeNode | None) -> Any:
        if pipe is None:
            return INVALID
        self.at(pipe)
        value = MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
            if isinstance(value, Boxed):  # dig down through interface{} to the thing inside
                value = indirect_interface(value)
        for variable in pipe.decl:
            if pipe.is_assign:
                self.set_var(variable.ident[0], value)
            else:
                self.push(variable.ident[0], value)
        return value

    def not_a_function(self, args: list[Node], final: Any) -> None:
        if len(args) > 1 or final is not MISSING:
            raise self.error(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: Any, cmd: CommandNode, final: Any) -> Any:
        first = cmd.args[0]
        if isinstance(first, FieldNode):
            return self.eval_field_node(dot, first, cmd.args, final)
        if isinstance(first, ChainNode):
            return self.eval_chain_node(dot, first, cmd.args, final)
        if isinstance(first, IdentifierNode):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, PipeNode):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, VariableNode):
            return self.eval_variable_node(dot, first, cmd.args, final)
        self.at(first)
        self.not_a_function(cmd.args, final)
        if isinstance(first, BoolNode):
            return first.value
        if isinstance(first, DotNode):
            return dot
        if isinstance(first, NilNode):
            raise self.error("nil is not a command")
        if isinstance(first, NumberNode):
            return self.ideal_constant(first)
        if isinstance(first, StringNode):
            return first.text
        raise self.error(f"can't evaluate command {gofmt.quote(str(first))}")

    def ideal_constant(self, node: NumberNode) -> Any:
        """A number with no type to convert to takes the type its syntax suggests: int, float64 or complex."""
        self.at(node)
        text = node.text
        if node.is_complex:
            return node.complex_value
        is_hex_int = len(text) > 2 and text[0] == "0" and text[1] in "xX" and not any(c in text for c in "pP")
        if node.is_float and not is_hex_int and not text.startswith("'") and any(c in text for c in ".eEpP"):
            return node.float_value
        if node.is_int:
            return node.int_value
        if node.is_uint:
            raise self.error(f"{text} overflows int")
        return INVALID

    def eval_field_node(self, dot: Any, node: FieldNode, args: list[Node] | None, final: Any) -> Any:
        self.at(node)
        return self.eval_field_chain(dot, dot, node, node.ident, args, final)

    def eval_chain_node(self, dot: Any, node: ChainNode, args: list[Node] | None, final: Any) -> Any:
        self.at(node)
        if isinstance(node.node, NilNode):
            raise self.error(f"indirection through explicit nil in {node}")
        receiver = self.eval_arg(dot, None, node.node)
        return self.eval_field_chain(dot, receiver, node, node.fields, args, final)

    def eval_variable_node(self, dot: Any, node: VariableNode, args: list[Node] | None, final: Any) -> Any:
        self.at(node)
        value = self.var_value(node.ident[0])
        if len(node.ident) == 1:
            self.not_a_function(args or [node], final)
            return value
        return self.eval_field_chain(dot, value, node, node.ident[1:], args, final)

    def eval_field_chain(self, dot: Any, receiver: Any, node: Node, ident: list[str], args: list[Node] | None,
                         final: Any) -> Any:
        for name in ident[:-1]:
            receiver = self.eval_field(name, None, MISSING, receiver)
        return self.eval_field(ident[-1], args, final, receiver)

    def eval_field(self, name: str, args: list[Node] | None, final: Any, receiver: Any) -> Any:
        """``.name`` of a value: a map's key (there are no struct fields or methods in template data)."""
        if receiver is INVALID:
            if self.tmpl.missing_key_error:
                raise self.error(f"nil data; no entry for key {gofmt.quote(name)}")
            return INVALID
        typ = type_name(receiver)
        if isinstance(receiver, Boxed):
            if receiver.value is None:
                raise self.error(f"nil pointer evaluating {typ}.{name}")
            receiver = receiver.value
        has_args = (args is not None and len(args) > 1) or final is not MISSING
        if isinstance(receiver, dict):
            if has_args:
                raise self.error(f"{name} is not a method but has arguments")
            if name in receiver:
                value = receiver[name]
                return Boxed(value) if element_is_interface(receiver) else value
            if self.tmpl.missing_key_error:
                raise self.error(f"map has no entry for key {gofmt.quote(name)}")
            return INVALID
        raise self.error(f"can't evaluate field {name} in type {typ}")

    def eval_function(self, dot: Any, node: IdentifierNode, cmd: Node, args: list[Node] | None, final: Any) -> Any:
        self.at(node)
        fn = self.tmpl.funcs.get(node.ident)
        if fn is None:
            raise self.error(f"{gofmt.quote(node.ident)} is not a defined function")
        return self.eval_call(dot, fn, cmd, node.ident, args, final)

    def eval_call(self, dot: Any, fn: GoFunc, node: Node, name: str, args: list[Node] | None, final: Any) -> Any:
        args = args[1:] if args is not None else []
        num_in = len(args) + (0 if final is MISSING else 1)
        num_fixed = len(args)
        if fn.variadic is not None:
            num_fixed = len(fn.params)
            if num_in < num_fixed:
                raise self.error(f"wrong number of args for {name}: want at least {num_fixed} got {len(args)}")
        elif num_in != len(fn.params):
            raise self.error(f"wrong number of args for {name}: want {len(fn.params)} got {num_in}")

        if name in ("and", "or") and fn.fn is _short_circuit:
            # Short-circuit: stop at the first false (and) or true (or) argument, which is the result.
            value: Any = INVALID
            for arg in args:
                value = self.eval_arg(dot, REFLECT, arg)
                if is_true(value)[0] == (name == "or"):
                    return value
            if final is not MISSING:
                value = final
            return value

        argv: list[Any] = []
        for i in range(min(num_fixed, len(args))):
            argv.append(self.eval_arg(dot, fn.params[i], args[i]))
        if fn.variadic is not None:
            for arg in args[len(argv):]:
                argv.append(self.eval_arg(dot, fn.variadic, arg))
        if final is not MISSING:
            if fn.variadic is not None and num_in - 1 >= num_fixed:
                final_type = fn.variadic
            else:
                final_type = fn.params[num_in - 1]
            argv.append(self.validate_type(final, final_type))

        types = list(fn.params) + [fn.variadic or ANY] * (len(argv) - len(fn.params))
        call_args = [v if t == REFLECT else unbox(v) for v, t in zip(argv, types, strict=True)]
        try:
            result = fn.fn(*call_args)
        except ExecError:
            raise
        except (FuncError, ValueError, TypeError, KeyError, IndexError, ZeroDivisionError, OverflowError) as exc:
            self.at(node)
            raise self.error(f"error calling {name}: {exc}") from None
        return Boxed(None) if result is None else result

    def validate_type(self, value: Any, typ: str | None) -> Any:
        """The value as an argument of Go type ``typ``, or Go's error for one that cannot be passed."""
        if typ is None:
            return value
        if value is INVALID:
            if can_be_nil(typ):
                return INVALID if typ == REFLECT else zero(typ)
            raise self.error(f"invalid value; expected {typ}")
        if typ == REFLECT:
            return value
        if not assignable(value, typ):
            if isinstance(value, Boxed) and value.value is not None:
                value = value.value
                if assignable(value, typ):
                    return value
            raise self.error(f"wrong type for value; expected {typ}; got {type_name(value)}")
        return value

    def eval_arg(self, dot: Any, typ: str | None, node: Node) -> Any:
        """An argument, converted to the parameter's Go type: constants take that type, values must have it."""
        self.at(node)
        if isinstance(node, DotNode):
            return self.validate_type(dot, typ)
        if isinstance(node, NilNode):
            if typ is not None and can_be_nil(typ):
                return INVALID if typ == REFLECT else zero(typ)
            raise self.error(f"cannot assign nil to {typ}")
        if isinstance(node, FieldNode):
            return self.validate_type(self.eval_field_node(dot, node, [node], MISSING), typ)
        if isinstance(node, VariableNode):
            return self.validate_type(self.eval_variable_node(dot, node, None, MISSING), typ)
        if isinstance(node, PipeNode):
            return self.validate_type(self.eval_pipeline(dot, node), typ)
        if isinstance(node, IdentifierNode):
            return self.validate_type(self.eval_function(dot, node, node, None, MISSING), typ)
        if isinstance(node, ChainNode):
            return self.validate_type(self.eval_chain_node(dot, node, None, MISSING), typ)
        if typ == "bool":
            if isinstance(node, BoolNode):
                return node.value
            raise self.error(f"expected bool; found {node}")
        if typ == "float64":
            if isinstance(node, NumberNode) and node.is_float:
                return node.float_value
            raise self.error(f"expected float; found {node}")
        if typ in ("int", "int64"):
            if isinstance(node, NumberNode) and node.is_int:
                return Int64(node.int_value) if typ == "int64" else node.int_value
            raise self.error(f"expected integer; found {node}")
        if typ == "string":
            if isinstance(node, StringNode):
                return node.text
            raise self.error(f"expected string; found {node}")
        if typ in (ANY, REFLECT):
            return self.eval_empty_interface(node)
        raise self.error(f"can't handle {node} for arg of type {typ}")

    def eval_empty_interface(self, node: Node) -> Any:
        self.at(node)
        if isinstance(node, BoolNode):
            return node.value
        if isinstance(node, NumberNode):
            return self.ideal_constant(node)
        if isinstance(node, StringNode):
            return node.text
        raise self.error(f"can't handle assignment of {node} to empty interface argument")


def _short_circuit(*args: Any) -> Any:
    """Stands for ``and``/``or``, which the executor evaluates itself so that it can stop early."""
    raise AssertionError("and/or are evaluated by the executor")


AND = GoFunc(_short_circuit, (REFLECT,), REFLECT)
OR = GoFunc(_short_circuit, (REFLECT,), REFLECT)
