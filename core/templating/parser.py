"""The parser of Go's ``text/template``: tokens in, named trees out.

It is a recursive-descent parser shaped like Go's ``text/template/parse``, with the same checks at the
same moments, because users meet them as errors: functions must exist when the template is parsed,
variables must be declared before use, ``{{break}}`` only inside ``{{range}}``, ``{{define}}`` only at
the top level, and a second stage of a pipeline must be callable. ``{{else if}}`` and ``{{else with}}``
are parsed as an ``else`` holding a nested ``if``/``with``, as Go does.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kops.templating import lexer as lx
from kops.templating.errors import ParseError
from kops.templating.nodes import (
    ActionNode,
    BoolNode,
    BranchNode,
    BreakNode,
    ChainNode,
    CommandNode,
    CommentNode,
    ContinueNode,
    DotNode,
    ElseNode,
    EndNode,
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
    is_empty_tree,
)


def location(text: str, pos: int) -> tuple[int, int]:
    """The 1-based line and the 0-based byte column of a position, as Go's ``ErrorContext`` counts them."""
    before = text[:pos]
    line_start = before.rfind("\n") + 1
    return before.count("\n") + 1, len(before[line_start:].encode())


class _TreeParser:
    """Parses one template body; ``{{define}}`` and ``{{block}}`` bodies get parsers of their own."""

    def __init__(self, name: str, parse_name: str, text: str, tokens: list[lx.Token], state: dict[str, int],
                 has_function: Callable[[str], bool], tree_set: dict[str, Tree]):
        self.name = name
        self.parse_name = parse_name
        self.text = text
        self.tokens = tokens
        self.state = state  # the token index, shared by nested parsers of one text
        self.has_function = has_function
        self.tree_set = tree_set
        self.vars = ["$"]
        self.range_depth = 0
        self.action_line = 0
        self.current: lx.Token | None = None

    # -- tokens --------------------------------------------------------------------------------------
    def next(self) -> lx.Token:
        i = self.state["i"]
        token = self.tokens[min(i, len(self.tokens) - 1)]
        self.state["i"] = i + 1
        self.current = token
        return token

    def backup(self, n: int = 1) -> None:
        self.state["i"] -= n

    def peek(self) -> lx.Token:
        token = self.next()
        self.backup()
        return token

    def next_non_space(self) -> lx.Token:
        token = self.next()
        while token.kind == lx.SPACE:
            token = self.next()
        return token

    def peek_non_space(self) -> lx.Token:
        token = self.next_non_space()
        self.backup()
        return token

    # -- errors ----------------------------------------------------------------------------------------
    def error(self, message: str, token: lx.Token | None = None) -> ParseError:
        token = token or self.current or self.tokens[0]
        line, col = location(self.text, token.pos)
        return ParseError(f"template: {self.parse_name}:{line}:{col}: {message}")

    def expect(self, kind: str, context: str) -> lx.Token:
        token = self.next_non_space()
        if token.kind != kind:
            raise self.unexpected(token, context)
        return token

    def unexpected(self, token: lx.Token, context: str) -> ParseError:
        if token.kind == lx.ERROR:
            extra = ""
            if self.action_line and self.action_line != token.line:
                extra = f" in action started at {self.parse_name}:{self.action_line}"
                if token.val.endswith(" action"):  # not "action in action"
                    extra = extra[len(" in action"):]
            return self.error(f"{token}{extra}", token)
        return self.error(f"unexpected {token} in {context}", token)

    # -- structure --------------------------------------------------------------------------------------
    def parse(self) -> ListNode:
        """The top level: text and actions, with ``{{define}}`` allowed here only."""
        root = ListNode(self.peek().pos)
        while self.peek().kind != lx.EOF:
            if self.peek().kind == lx.LEFT_DELIM_T:
                start = self.state["i"]
                self.next()
                if self.next_non_space().kind == "define":
                    self.parse_definition()
                    continue
                self.state["i"] = start
            node = self.text_or_action()
            if isinstance(node, EndNode | ElseNode):
                raise self.error(f"unexpected {node}")
            root.nodes.append(node)
        return root

    def sub_parser(self, name: str) -> _TreeParser:
        return _TreeParser(name, self.parse_name, self.text, self.tokens, self.state, self.has_function,
                           self.tree_set)

    def parse_definition(self) -> None:
        context = "define clause"
        token = self.next_non_space()
        if token.kind not in (lx.STRING, lx.RAW_STRING):
            raise self.unexpected(token, context)
        name = self.unquote(token)
        self.expect(lx.RIGHT_DELIM_T, context)
        sub = self.sub_parser(name)
        body, end = sub.item_list()
        if not isinstance(end, EndNode):
            raise sub.error(f"unexpected {end} in {context}")
        sub.add(body)

    def add(self, root: ListNode) -> None:
        """Enter this tree in the set; a second non-empty definition in one text is an error."""
        existing = self.tree_set.get(self.name)
        if existing is None or is_empty_tree(existing.root):
            self.tree_set[self.name] = Tree(self.name, self.parse_name, self.text, root)
            return
        if not is_empty_tree(root):
            raise self.error(f"template: multiple definition of template {lx._go_quote(self.name)}")

    def item_list(self) -> tuple[ListNode, Node]:
        """Nodes up to the ``{{end}}`` or ``{{else}}`` that closes them, which is returned too."""
        nodes = ListNode(self.peek_non_space().pos)
        while self.peek_non_space().kind != lx.EOF:
            node = self.text_or_action()
            if isinstance(node, EndNode | ElseNode):
                return nodes, node
            nodes.nodes.append(node)
        raise self.error("unexpected EOF", self.peek_non_space())

    def text_or_action(self) -> Node:
        token = self.next_non_space()
        if token.kind == lx.TEXT:
            return TextNode(token.pos, token.val)
        if token.kind == lx.LEFT_DELIM_T:
            self.action_line = token.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        if token.kind == lx.COMMENT:
            return CommentNode(token.pos, token.val)
        raise self.unexpected(token, "input")

    def action(self) -> Node:
        token = self.next_non_space()
        handlers: dict[str, Callable[[], Node]] = {
            "block": self.block_control, "else": self.else_control, "end": self.end_control,
            "if": lambda: self.control(IfNode, "if"), "range": lambda: self.control(RangeNode, "range"),
            "template": self.template_control, "with": lambda: self.control(WithNode, "with"),
        }
        if token.kind in handlers:
            return handlers[token.kind]()
        if token.kind in ("break", "continue"):
            return self.loop_control(token)
        self.backup()
        token = self.peek()
        return ActionNode(token.pos, token.line, self.pipeline("command", lx.RIGHT_DELIM_T))

    def loop_control(self, token: lx.Token) -> Node:
        word = token.kind
        following = self.next_non_space()
        if following.kind != lx.RIGHT_DELIM_T:
            raise self.unexpected(following, "{{" + word + "}}")
        if self.range_depth == 0:
            raise self.error("{{" + word + "}} outside {{range}}", token)
        return BreakNode(token.pos, token.line) if word == "break" else ContinueNode(token.pos, token.line)

    def control(self, cls: type[BranchNode], context: str) -> BranchNode:
        mark = len(self.vars)
        try:
            pipe = self.pipeline(context, lx.RIGHT_DELIM_T)
            if context == "range":
                self.range_depth += 1
            body, following = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list: ListNode | None = None
            if isinstance(following, ElseNode):
                # {{else if x}} is {{else}}{{if x}}...{{end}}{{end}}, and so for with, sharing the last {{end}}.
                if context in ("if", "with") and self.peek().kind == context:
                    self.next()
                    else_list = ListNode(following.pos, [self.control(cls, context)])
                else:
                    else_list, following = self.item_list()
                    if not isinstance(following, EndNode):
                        raise self.error(f"expected end; found {following}")
            return cls(pipe.pos, pipe.line, pipe, body, else_list)
        finally:
            del self.vars[mark:]

    def else_control(self) -> Node:
        peek = self.peek_non_space()
        if peek.kind in ("if", "with"):
            # Leave the "if"/"with" for the enclosing control to read.
            return ElseNode(peek.pos, peek.line)
        token = self.expect(lx.RIGHT_DELIM_T, "else")
        return ElseNode(token.pos, token.line)

    def end_control(self) -> Node:
        return EndNode(self.expect(lx.RIGHT_DELIM_T, "end").pos)

    def template_name(self, token: lx.Token, context: str) -> str:
        if token.kind in (lx.STRING, lx.RAW_STRING):
            return self.unquote(token)
        raise self.unexpected(token, context)

    def template_control(self) -> Node:
        context = "template clause"
        token = self.next_non_space()
        name = self.template_name(token, context)
        pipe = None
        if self.next_non_space().kind != lx.RIGHT_DELIM_T:
            self.backup()
            pipe = self.pipeline(context, lx.RIGHT_DELIM_T)
        return TemplateNode(token.pos, token.line, name, pipe)

    def block_control(self) -> Node:
        context = "block clause"
        token = self.next_non_space()
        name = self.template_name(token, context)
        pipe = self.pipeline(context, lx.RIGHT_DELIM_T)
        sub = self.sub_parser(name)
        body, end = sub.item_list()
        if not isinstance(end, EndNode):
            raise self.error(f"unexpected {end} in {context}")
        sub.add(body)
        return TemplateNode(token.pos, token.line, name, pipe)

    # -- pipelines --------------------------------------------------------------------------------------
    def pipeline(self, context: str, end: str) -> PipeNode:
        token = self.peek_non_space()
        pipe = PipeNode(token.pos, token.line)
        while True:  # declarations: $x := / $x = / $i, $e :=
            variable = self.peek_non_space()
            if variable.kind != lx.VARIABLE:
                break
            at_variable = self.state["i"]
            self.next()
            following = self.peek_non_space()
            if following.kind in (lx.ASSIGN, lx.DECLARE):
                pipe.is_assign = following.kind == lx.ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(variable.pos, [variable.val]))
                self.vars.append(variable.val)
                break
            if following.kind == lx.CHAR and following.val == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(variable.pos, [variable.val]))
                self.vars.append(variable.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().kind in (lx.VARIABLE, lx.RIGHT_DELIM_T, lx.RIGHT_PAREN):
                        continue
                    raise self.error("range can only initialize variables")
                raise self.error(f"too many declarations in {context}")
            self.state["i"] = at_variable
            break
        while True:
            token = self.next_non_space()
            if token.kind == end:
                self.check_pipeline(pipe, context)
                return pipe
            if token.kind in (lx.BOOL, lx.CHAR_CONSTANT, lx.COMPLEX, lx.DOT, lx.FIELD, lx.IDENTIFIER, lx.NUMBER,
                              "nil", lx.RAW_STRING, lx.STRING, lx.VARIABLE, lx.LEFT_PAREN):
                self.backup()
                pipe.cmds.append(self.command())
            else:
                raise self.unexpected(token, context)

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            raise self.error(f"missing value for {context}")
        for i, cmd in enumerate(pipe.cmds[1:]):
            first = cmd.args[0]
            if isinstance(first, BoolNode | DotNode | NilNode | NumberNode | StringNode):
                raise self.error(f"non executable command in pipeline stage {i + 2}",
                                 lx.Token(lx.NUMBER, "", first.pos, 0))

    def command(self) -> CommandNode:
        cmd = CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            token = self.next()
            if token.kind == lx.SPACE:
                continue
            if token.kind in (lx.RIGHT_DELIM_T, lx.RIGHT_PAREN):
                self.backup()
            elif token.kind != lx.PIPE:
                raise self.unexpected(token, "operand")
            break
        if not cmd.args:
            raise self.error("empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().kind == lx.FIELD:
            fields = []
            chain_pos = self.peek().pos
            while self.peek().kind == lx.FIELD:
                fields.append(self.next().val[1:])
            if isinstance(node, FieldNode):
                return FieldNode(node.pos, node.ident + fields)
            if isinstance(node, VariableNode):
                return VariableNode(node.pos, node.ident + fields)
            if isinstance(node, BoolNode | StringNode | NumberNode | NilNode | DotNode):
                raise self.error(f"unexpected . after term {lx._go_quote(str(node))}")
            return ChainNode(chain_pos, node, fields)
        return node

    def term(self) -> Node | None:
        token = self.next_non_space()
        kind = token.kind
        if kind == lx.IDENTIFIER:
            if not self.has_function(token.val):
                raise self.error(f"function {lx._go_quote(token.val)} not defined", token)
            return IdentifierNode(token.pos, token.val)
        if kind == lx.DOT:
            return DotNode(token.pos)
        if kind == "nil":
            return NilNode(token.pos)
        if kind == lx.VARIABLE:
            return self.use_var(token)
        if kind == lx.FIELD:
            return FieldNode(token.pos, [token.val[1:]])
        if kind == lx.BOOL:
            return BoolNode(token.pos, token.val == "true")
        if kind in (lx.CHAR_CONSTANT, lx.COMPLEX, lx.NUMBER):
            try:
                return parse_number(token)
            except ValueError as exc:
                raise self.error(str(exc), token) from None
        if kind == lx.LEFT_PAREN:
            return self.pipeline("parenthesized pipeline", lx.RIGHT_PAREN)
        if kind in (lx.STRING, lx.RAW_STRING):
            return StringNode(token.pos, token.val, self.unquote(token))
        self.backup()
        return None

    def use_var(self, token: lx.Token) -> VariableNode:
        parts = token.val.split(".")
        if parts[0] not in self.vars:
            raise self.error(f"undefined variable {lx._go_quote(parts[0])}", token)
        return VariableNode(token.pos, parts)

    def unquote(self, token: lx.Token) -> str:
        try:
            return unquote(token.val)
        except ValueError as exc:
            raise self.error(str(exc), token) from None


_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _unquote_char(s: str, i: int, quote: str) -> tuple[str, int]:
    """One character of a Go quoted literal starting at ``s[i]``: the character and the next index."""
    ch = s[i]
    if ch != "\\":
        if ch == quote:
            raise ValueError("invalid syntax")
        return ch, i + 1
    i += 1
    if i >= len(s):
        raise ValueError("invalid syntax")
    ch = s[i]
    if ch in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[ch], i + 1
    if ch == quote:
        return ch, i + 1
    if ch in "xuU":
        size = {"x": 2, "u": 4, "U": 8}[ch]
        digits = s[i + 1:i + 1 + size]
        if len(digits) != size or not re.fullmatch(r"[0-9a-fA-F]+", digits):
            raise ValueError("invalid syntax")
        code = int(digits, 16)
        if ch != "x" and (code > 0x10FFFF or 0xD800 <= code <= 0xDFFF):
            raise ValueError("invalid syntax")
        if ch == "x" and quote == "'" and code > 0x7F:
            return chr(code), i + 1 + size
        return chr(code), i + 1 + size
    if "0" <= ch <= "7":
        digits = s[i:i + 3]
        if len(digits) != 3 or not re.fullmatch(r"[0-7]{3}", digits) or int(digits, 8) > 255:
            raise ValueError("invalid syntax")
        return chr(int(digits, 8)), i + 3
    raise ValueError("invalid syntax")


def unquote(text: str) -> str:
    """Go's ``strconv.Unquote`` for a ``"..."`` or raw ``\\`...\\``` literal.

    ``\\x`` escapes are bytes in Go; a run of them forming UTF-8 is decoded as such."""
    if len(text) < 2 or text[0] != text[-1] or text[0] not in "\"`'":
        raise ValueError("invalid syntax")
    body = text[1:-1]
    if text[0] == "`":
        if "`" in body:
            raise ValueError("invalid syntax")
        return body.replace("\r", "")
    if text[0] == "'":
        ch, i = _unquote_char(body, 0, "'") if body else ("", 0)
        if not body or i != len(body):
            raise ValueError("invalid syntax")
        return ch
    out = bytearray()
    i = 0
    while i < len(body):
        is_byte = body[i] == "\\" and (body[i + 1:i + 2] == "x" or "0" <= body[i + 1:i + 2] <= "7")
        ch, i = _unquote_char(body, i, '"')
        out += bytes([ord(ch)]) if is_byte else ch.encode()
    return out.decode("utf-8", "replace")


_INT_LITERAL = re.compile(r"[+-]?(0[xX](_?[0-9a-fA-F])+|0[oO](_?[0-7])+|0[bB](_?[01])+|0(_?[0-7])*|[1-9](_?[0-9])*)")


def parse_go_int(text: str) -> int | None:
    """``strconv.ParseInt(text, 0, 64)`` without the range check: None when not an integer literal."""
    if not _INT_LITERAL.fullmatch(text):
        return None
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-").replace("_", "")
    if body[:2].lower() in ("0x", "0o", "0b"):
        return sign * int(body[2:], {"x": 16, "o": 8, "b": 2}[body[1].lower()])
    if len(body) > 1 and body[0] == "0":
        return sign * int(body[1:], 8)
    return sign * int(body)


def parse_go_float(text: str) -> float | None:
    """``strconv.ParseFloat(text, 64)`` for Go literals: decimal or hexadecimal, underscores allowed."""
    body = text.replace("_", "")
    sign = -1.0 if body.startswith("-") else 1.0
    unsigned = body.lstrip("+-")
    try:
        if unsigned[:2].lower() == "0x":
            mantissa = unsigned if "p" in unsigned.lower() else None
            return sign * float.fromhex(mantissa) if mantissa else None
        if not re.fullmatch(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", unsigned):
            return None
        return sign * float(unsigned)
    except (ValueError, OverflowError):
        return None


def parse_number(token: lx.Token) -> NumberNode:
    """A number token as Go types it: ``1`` is int and float, ``1.0`` float and int, ``1.5`` only float."""
    text = token.val
    node = NumberNode(token.pos, text)
    if token.kind == lx.CHAR_CONSTANT:
        try:
            value = ord(unquote(text))
        except (ValueError, TypeError):
            raise ValueError(f"malformed character constant: {text}") from None
        node.is_int = node.is_uint = node.is_float = True
        node.int_value, node.float_value = value, float(value)
        return node
    if token.kind == lx.COMPLEX or text.endswith("i"):
        real_text, imag_text = _split_complex(text)
        real = parse_go_float(real_text) if real_text else 0.0
        imag = parse_go_float(imag_text) if imag_text else None
        if real is None or imag is None:
            raise ValueError(f"illegal number syntax: {lx._go_quote(text)}")
        node.is_complex, node.complex_value = True, complex(real, imag)
        if imag == 0:  # Go's simplifyComplex: a complex with no imaginary part is also a float (and int)
            node.is_float, node.float_value = True, real
            if real == int(real):
                node.is_int, node.int_value = True, int(real)
                node.is_uint = real >= 0
        return node
    as_int = parse_go_int(text)
    if as_int is not None and -(1 << 63) <= as_int < (1 << 63):
        node.is_int, node.int_value = True, as_int
        node.is_uint = as_int >= 0
        node.is_float, node.float_value = True, float(as_int)
    elif as_int is not None and 0 <= as_int < (1 << 64):
        node.is_uint = True
        node.is_float, node.float_value = True, float(as_int)
    else:
        as_float = parse_go_float(text)
        if as_float is not None:
            if not any(c in text for c in ".eEpP"):
                raise ValueError(f"integer overflow: {lx._go_quote(text)}")
            node.is_float, node.float_value = True, as_float
            if as_float == int(as_float) and -(1 << 63) <= as_float < (1 << 63):
                node.is_int, node.int_value = True, int(as_float)
                node.is_uint = as_float >= 0
    if not (node.is_int or node.is_uint or node.is_float):
        raise ValueError(f"illegal number syntax: {lx._go_quote(text)}")
    return node


def _split_complex(text: str) -> tuple[str, str]:
    """``1+2i`` into ``("1", "+2")``; ``2i`` into ``("", "2")``."""
    body = text[:-1]
    for i in range(len(body) - 1, 0, -1):
        if body[i] in "+-" and body[i - 1] not in "eEpP":
            return body[:i], body[i:]
    return "", body


def parse(name: str, text: str, has_function: Callable[[str], bool]) -> dict[str, Tree]:
    """All the trees one text defines: its own body under ``name``, and each ``{{define}}``/``{{block}}``."""
    tokens = lx.tokenize(text)
    tree_set: dict[str, Tree] = {}
    top = _TreeParser(name, name, text, tokens, {"i": 0}, has_function, tree_set)
    root = top.parse()
    top.add(root)
    return tree_set
