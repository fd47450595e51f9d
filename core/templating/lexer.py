"""The lexer of Go's ``text/template``: template text in, a list of tokens out.

It follows Go's ``text/template/parse`` lexer rule for rule, because its corner cases are visible to
users: ``{{- `` trims only when a space follows the dash (``{{-3}}`` is the number -3), a comment must
touch its delimiters, identifiers must end at a terminator (``.a!`` is "bad character"), and numbers
use Go's literal syntax (``0x1F``, ``1_000``, ``'a'``, ``1e3``).

Positions are character offsets into the text; the parser turns them into lines and columns for errors.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: A lexer state: a method that scans one thing and returns the next state, None at the end.
_State = Callable[[], Any] | None

LEFT_DELIM = "{{"
RIGHT_DELIM = "}}"
LEFT_COMMENT = "/*"
RIGHT_COMMENT = "*/"
SPACE_CHARS = " \t\r\n"

KEYWORDS = {
    "block", "break", "continue", "define", "else", "end", "if", "range", "nil", "template", "with",
}

# Token kinds.
BOOL = "bool"
CHAR = "char"              # a printable ASCII character such as ',' inside an action
CHAR_CONSTANT = "charconst"
COMMENT = "comment"
COMPLEX = "complex"
ASSIGN = "="
DECLARE = ":="
EOF = "EOF"
ERROR = "error"
FIELD = "field"
IDENTIFIER = "identifier"
LEFT_DELIM_T = "leftDelim"
LEFT_PAREN = "("
NUMBER = "number"
PIPE = "|"
RAW_STRING = "rawString"
RIGHT_DELIM_T = "rightDelim"
RIGHT_PAREN = ")"
SPACE = "space"
STRING = "string"
TEXT = "text"
VARIABLE = "variable"
DOT = "."


@dataclass
class Token:
    kind: str
    val: str
    pos: int
    line: int

    def __str__(self) -> str:
        """How Go's parser names a token in "unexpected X in Y" errors."""
        if self.kind == EOF:
            return "EOF"
        if self.kind == ERROR:
            return self.val
        if self.kind in KEYWORDS or self.kind == DOT:
            return f"<{self.val}>"
        if len(self.val) > 10:
            return _go_quote(self.val[:10]) + "..."
        return _go_quote(self.val)


def _go_quote(s: str) -> str:
    from kops.templating.gofmt import quote

    return quote(s)


def is_space(ch: str) -> bool:
    return ch != "" and ch in SPACE_CHARS


def is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or ch.isdigit()


def has_left_trim_marker(text: str, pos: int) -> bool:
    return text.startswith("-", pos) and is_space(text[pos + 1:pos + 2])


def has_right_trim_marker(text: str, pos: int) -> bool:
    return is_space(text[pos:pos + 1]) and text.startswith("-", pos + 1)


class Lexer:
    """Scans the whole text eagerly; an error becomes the last token, as in Go."""

    def __init__(self, text: str, break_ok: bool = True):
        self.text = text
        self.tokens: list[Token] = []
        self.pos = 0
        self.start = 0
        self.paren_depth = 0
        self.break_ok = break_ok
        self.newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        self._run()

    # -- helpers -----------------------------------------------------------------------------------
    def peek(self) -> str:
        return self.text[self.pos:self.pos + 1]

    def next(self) -> str:
        ch = self.text[self.pos:self.pos + 1]
        if ch:
            self.pos += 1
        return ch

    def backup(self) -> None:
        self.pos -= 1

    def line_of(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1

    def emit(self, kind: str, val: str | None = None) -> None:
        self.tokens.append(Token(kind, self.text[self.start:self.pos] if val is None else val, self.start,
                                 self.line_of(self.start)))
        self.start = self.pos

    def ignore(self) -> None:
        self.start = self.pos

    def skip_to(self, pos: int) -> None:
        self.pos = pos

    def error(self, message: str) -> None:
        self.tokens.append(Token(ERROR, message, self.start, self.line_of(self.start)))

    def accept(self, valid: str) -> bool:
        if self.peek() and self.peek() in valid:
            self.next()
            return True
        return False

    def accept_run(self, valid: str) -> None:
        while self.peek() and self.peek() in valid:
            self.next()

    def at_right_delim(self) -> tuple[bool, bool]:
        if has_right_trim_marker(self.text, self.pos) and self.text.startswith(RIGHT_DELIM, self.pos + 2):
            return True, True
        if self.text.startswith(RIGHT_DELIM, self.pos):
            return True, False
        return False, False

    def at_terminator(self) -> bool:
        ch = self.peek()
        if ch == "" or is_space(ch) or ch in ".,|:)(":
            return True
        return self.text.startswith(RIGHT_DELIM, self.pos)

    # -- states ------------------------------------------------------------------------------------
    def _run(self) -> None:
        state: _State = self.lex_text
        while state is not None:
            state = state()

    def lex_text(self) -> _State:
        x = self.text.find(LEFT_DELIM, self.pos)
        if x < 0:
            self.skip_to(len(self.text))
            if self.pos > self.start:
                self.emit(TEXT)
            self.emit(EOF, "")
            return None
        trim = 0
        if has_left_trim_marker(self.text, x + len(LEFT_DELIM)):
            chunk = self.text[self.start:x]
            trim = len(chunk) - len(chunk.rstrip(SPACE_CHARS))
        if x - trim > self.start:
            self.pos = x - trim
            self.emit(TEXT)
        self.pos = x
        self.ignore()
        return self.lex_left_delim

    def lex_left_delim(self) -> _State:
        self.pos += len(LEFT_DELIM)
        trim = has_left_trim_marker(self.text, self.pos)
        after_marker = 2 if trim else 0
        if self.text.startswith(LEFT_COMMENT, self.pos + after_marker):
            self.pos += after_marker
            self.ignore()
            return self.lex_comment
        self.emit(LEFT_DELIM_T, LEFT_DELIM)
        self.pos += after_marker
        self.ignore()
        self.paren_depth = 0
        return self.lex_inside_action

    def lex_comment(self) -> _State:
        self.pos += len(LEFT_COMMENT)
        x = self.text.find(RIGHT_COMMENT, self.pos)
        if x < 0:
            self.error("unclosed comment")
            return None
        self.skip_to(x + len(RIGHT_COMMENT))
        delim, trim = self.at_right_delim()
        if not delim:
            self.error("comment ends before closing delimiter")
            return None
        self.emit(COMMENT)
        if trim:
            self.pos += 2
        self.pos += len(RIGHT_DELIM)
        if trim:
            rest = self.text[self.pos:]
            self.skip_to(self.pos + len(rest) - len(rest.lstrip(SPACE_CHARS)))
        self.ignore()
        return self.lex_text

    def lex_right_delim(self) -> _State:
        _, trim = self.at_right_delim()
        if trim:
            self.pos += 2
            self.ignore()
        self.pos += len(RIGHT_DELIM)
        self.emit(RIGHT_DELIM_T)
        if trim:
            rest = self.text[self.pos:]
            self.skip_to(self.pos + len(rest) - len(rest.lstrip(SPACE_CHARS)))
            self.ignore()
        return self.lex_text

    def lex_inside_action(self) -> _State:
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim
            self.error("unclosed left paren")
            return None
        ch = self.next()
        if ch == "":
            self.error("unclosed action")
            return None
        if is_space(ch):
            self.backup()
            return self.lex_space
        if ch == "=":
            self.emit(ASSIGN)
        elif ch == ":":
            if self.next() != "=":
                self.error("expected :=")
                return None
            self.emit(DECLARE)
        elif ch == "|":
            self.emit(PIPE)
        elif ch == '"':
            return self.lex_quote
        elif ch == "`":
            return self.lex_raw_quote
        elif ch == "$":
            return self.lex_variable
        elif ch == "'":
            return self.lex_char
        elif ch == "." and not ("0" <= self.peek() <= "9" and self.peek() != ""):
            return self.lex_field
        elif ch in "+-." or "0" <= ch <= "9":
            self.backup()
            return self.lex_number
        elif is_alnum(ch):
            self.backup()
            return self.lex_identifier
        elif ch == "(":
            self.emit(LEFT_PAREN)
            self.paren_depth += 1
        elif ch == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                self.error("unexpected right paren")
                return None
            self.emit(RIGHT_PAREN)
        elif ord(ch) < 0x80 and ch.isprintable():
            self.emit(CHAR)
        else:
            self.error(f"unrecognized character in action: {_unicode_name(ch)}")
            return None
        return self.lex_inside_action

    def lex_space(self) -> _State:
        num_spaces = 0
        while is_space(self.peek()):
            self.next()
            num_spaces += 1
        # A space followed by "-}}" belongs to the trim marker.
        if has_right_trim_marker(self.text, self.pos - 1) and self.text.startswith(RIGHT_DELIM, self.pos + 1):
            self.backup()
            if num_spaces == 1:
                return self.lex_inside_action
        self.emit(SPACE)
        return self.lex_inside_action

    def lex_identifier(self) -> _State:
        while is_alnum(self.peek()):
            self.next()
        if not self.at_terminator():
            self.error(f"bad character {_unicode_name(self.peek())}")
            return None
        word = self.text[self.start:self.pos]
        if word in KEYWORDS:
            if word in ("break", "continue") and not self.break_ok:
                self.emit(IDENTIFIER)
            else:
                self.emit(word)
        elif word in ("true", "false"):
            self.emit(BOOL)
        else:
            self.emit(IDENTIFIER)
        return self.lex_inside_action

    def lex_field(self) -> _State:
        return self._field_or_variable(FIELD)

    def lex_variable(self) -> _State:
        return self._field_or_variable(VARIABLE)

    def _field_or_variable(self, kind: str) -> _State:
        if self.at_terminator():
            self.emit(DOT if kind == FIELD else VARIABLE)
            return self.lex_inside_action
        while is_alnum(self.peek()):
            self.next()
        if not self.at_terminator():
            self.error(f"bad character {_unicode_name(self.peek())}")
            return None
        self.emit(kind)
        return self.lex_inside_action

    def lex_char(self) -> _State:
        while True:
            ch = self.next()
            if ch == "\\":
                ch = self.next()
                if ch not in ("", "\n"):
                    continue
            if ch in ("", "\n"):
                self.error("unterminated character constant")
                return None
            if ch == "'":
                break
        self.emit(CHAR_CONSTANT)
        return self.lex_inside_action

    def lex_quote(self) -> _State:
        while True:
            ch = self.next()
            if ch == "\\":
                ch = self.next()
                if ch not in ("", "\n"):
                    continue
            if ch in ("", "\n"):
                self.error("unterminated quoted string")
                return None
            if ch == '"':
                break
        self.emit(STRING)
        return self.lex_inside_action

    def lex_raw_quote(self) -> _State:
        x = self.text.find("`", self.pos)
        if x < 0:
            self.error("unterminated raw quoted string")
            return None
        self.skip_to(x + 1)
        self.emit(RAW_STRING)
        return self.lex_inside_action

    def lex_number(self) -> _State:
        if not self.scan_number():
            self.error(f"bad number syntax: {_go_quote(self.text[self.start:self.pos])}")
            return None
        if self.peek() in ("+", "-") and self.peek():
            if not self.scan_number() or self.text[self.pos - 1] != "i":
                self.error(f"bad number syntax: {_go_quote(self.text[self.start:self.pos])}")
                return None
            self.emit(COMPLEX)
        else:
            self.emit(NUMBER)
        return self.lex_inside_action

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if is_alnum(self.peek()):
            self.next()
            return False
        return True


def _unicode_name(ch: str) -> str:
    """Go's ``%#U``: ``U+0021 '!'``."""
    if ch == "":
        return "U+FFFFFFFF"
    code = ord(ch)
    return f"U+{code:04X} '{ch}'" if ch.isprintable() else f"U+{code:04X}"


def tokenize(text: str) -> list[Token]:
    return Lexer(text).tokens
