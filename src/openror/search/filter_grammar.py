"""Parser for the FHIR search ``_filter`` grammar (R4, search_filter.html) as the ROR uses it.

``parse_filter(text)`` turns a ``_filter`` value into a tree of ``Comparison``, ``And``, ``Or``
and ``Not``, and raises ``FilterSyntaxError`` (a ``ValueError`` with a position) for anything
else. ``and`` binds tighter than ``or``; nested ``and``/``or`` of the same kind are flattened.
Besides the FHIR grammar it accepts two shorthands of the ROR developer documentation:

* a bare value after ``or``/``and`` repeats the previous comparison's path and operator:
  ``specialty eq S|005 or S|481``, ``address-postalcode eq "22" or "29"``;
* ``path=value`` means ``path eq value``: ``_content=cardio``.

Not supported: the ``[filter]`` sub-expressions of FHIR paths (``related[type eq x].target``).
What the parameters mean and how values compare is left to the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias

__all__ = ["And", "Comparison", "Filter", "FilterSyntaxError", "Not", "Or", "parse_filter"]


@dataclass(frozen=True)
class Comparison:
    """``path op value``; ``path`` is split on '.', each part keeping its ``:modifier``."""

    path: tuple[str, ...]
    op: str
    value: str


@dataclass(frozen=True)
class And:
    items: tuple[Filter, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Filter, ...]


@dataclass(frozen=True)
class Not:
    item: Filter


Filter: TypeAlias = Comparison | And | Or | Not


class FilterSyntaxError(ValueError):
    """A ``_filter`` that cannot be read; ``position`` is a 0-based index into the text."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, position)  # both in args, so that the error pickles
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} at position {self.position}"


_OPERATORS = ("eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le", "ap", "sa", "eb", "pr",
              "po", "ss", "sb", "in", "ni", "re")
_NAME = r"[A-Za-z0-9_-]+(?::[A-Za-z0-9_-]+)?"
_PATH = re.compile(rf"{_NAME}(?:\.{_NAME})*")
# A bare token also stops at '"', so that `name="saint x"` reads as `name=` then a string.
_TOKEN = re.compile(r'(?P<paren>[()])|"(?P<string>(?:[^"\\]|\\.)*)"|(?P<word>[^\s()"]+)',
                    re.DOTALL)
_ESCAPE = re.compile(r'\\(["\\])')
# Deep enough for any real filter, shallow enough to stay far from Python's recursion limit.
_MAX_DEPTH = 100


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "word" or "string"
    value: str  # a string's content, quotes removed and escapes resolved
    start: int
    end: int


def parse_filter(text: str) -> Filter:
    """Parse a ``_filter`` value; raise ``FilterSyntaxError`` if it is not one."""
    return _Parser(text).parse()


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        match = _TOKEN.match(text, pos)
        if match is None:  # every other character starts a token: this is a lone '"'
            raise FilterSyntaxError("unterminated string: no closing '\"'", pos)
        kind = match.lastgroup or ""
        if kind == "paren":
            tokens.append(_Token(match.group(), match.group(), pos, match.end()))
        elif kind == "string":
            value = _ESCAPE.sub(r"\1", match.group("string"))
            tokens.append(_Token("string", value, pos, match.end()))
        else:
            tokens.append(_Token("word", match.group(), pos, match.end()))
        pos = match.end()
    return tokens


def _split_path(text: str) -> tuple[str, ...] | None:
    return tuple(text.split(".")) if _PATH.fullmatch(text) else None


def _combine(kind: type[And] | type[Or], items: list[Filter]) -> Filter:
    if len(items) == 1:
        return items[0]
    flat: list[Filter] = []
    for item in items:
        flat.extend(item.items if isinstance(item, kind) else (item,))
    return kind(tuple(flat))


class _Parser:
    """Recursive descent over the tokens: or-expression > and-expression > operand."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._tokens = _tokenize(text)
        self._index = 0
        self._depth = 0
        # The comparison a bare value after and/or continues; None after a parenthesis, so
        # that a group never borrows from, nor lends to, what is outside it.
        self._template: Comparison | None = None

    def parse(self) -> Filter:
        if not self._tokens:
            raise FilterSyntaxError("expected a filter expression, found an empty filter", 0)
        result = self._or()
        token = self._peek()
        if token is not None and token.kind == ")":
            raise FilterSyntaxError("found ')' with no matching '('", token.start)
        if token is not None:
            raise self._error("expected 'and', 'or' or the end of the filter", token)
        return result

    # -- token helpers

    def _peek(self, ahead: int = 0) -> _Token | None:
        index = self._index + ahead
        return self._tokens[index] if index < len(self._tokens) else None

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token.kind == "word" and token.value.lower() == word:
            self._index += 1
            return True
        return False

    def _source(self, token: _Token) -> str:
        text = self._text[token.start:token.end]
        return text if len(text) <= 40 else text[:37] + "..."

    def _previous(self) -> str:
        return self._source(self._tokens[self._index - 1])

    def _error(self, expected: str, found: _Token | None) -> FilterSyntaxError:
        if found is None:
            return FilterSyntaxError(f"{expected}, found the end of the filter", len(self._text))
        return FilterSyntaxError(f"{expected}, found '{self._source(found)}'", found.start)

    # -- grammar

    def _or(self) -> Filter:
        items = [self._and()]
        while self._keyword("or"):
            items.append(self._and())
        return _combine(Or, items)

    def _and(self) -> Filter:
        items = [self._operand()]
        while self._keyword("and"):
            items.append(self._operand())
        return _combine(And, items)

    def _operand(self) -> Filter:
        token = self._peek()
        if token is None or token.kind == ")":
            after = f" after '{self._previous()}'" if self._index else ""
            raise self._error(f"expected a comparison, '(' or 'not'{after}", token)
        if token.kind == "(":
            return self._group()
        if token.kind == "word" and token.value.lower() == "not":
            self._index += 1
            following = self._peek()
            if following is None or following.kind != "(":
                raise self._error("expected '(' after 'not'", following)
            return Not(self._group())
        if self._template is not None and not self._starts_comparison():
            template = self._template
            return self._make(template.path, template.op, self._value("a comparison or a value"))
        return self._comparison()

    def _group(self) -> Filter:
        opening = self._tokens[self._index]
        self._index += 1
        self._depth += 1
        if self._depth > _MAX_DEPTH:
            message = f"parentheses nested more than {_MAX_DEPTH} levels deep"
            raise FilterSyntaxError(message, opening.start)
        self._template = None
        inner = self._or()
        closing = self._peek()
        if closing is None or closing.kind != ")":
            expected = f"expected 'and', 'or' or ')' to close the '(' at position {opening.start}"
            raise self._error(expected, closing)
        self._index += 1
        self._depth -= 1
        self._template = None
        return inner

    def _starts_comparison(self) -> bool:
        """Is the next token a path followed by an operator (or a `path=value`)?"""
        token = self._peek()
        if token is None or token.kind != "word":
            return False
        head, equals, _ = token.value.partition("=")
        if _split_path(head) is None:
            return False
        following = self._peek(1)
        return bool(equals) or (
            following is not None and following.kind == "word"
            and (following.value.lower() in _OPERATORS or following.value.startswith("=")))

    def _comparison(self) -> Comparison:
        token = self._tokens[self._index]
        head, equals, rest = token.value.partition("=")
        path = _split_path(head) if token.kind == "word" else None
        if path is None:
            raise FilterSyntaxError(
                f"expected a parameter name (letters, digits, '_' or '-', with an optional "
                f"':modifier', joined by '.'), found '{self._source(token)}'", token.start)
        self._index += 1
        following = self._peek()
        if not equals and following is not None and following.kind == "word" and (
                following.value.startswith("=")):  # `path =value` or `path = value`
            self._index += 1
            equals, rest = "=", following.value[1:]
        if not equals:
            op = self._operator(head)
            return self._make(path, op, self._value())
        if rest:
            value_start = token.start + len(head) + 1
            return self._make(path, "eq", _Token("word", rest, value_start, token.end))
        return self._make(path, "eq", self._value())

    def _operator(self, path: str) -> str:
        token = self._peek()
        word = token.value.lower() if token is not None and token.kind == "word" else ""
        if word in _OPERATORS:
            self._index += 1
            return word
        # Two letters look like a mistyped operator ('or' there is rather a missing one).
        if token is not None and re.fullmatch("[a-z]{2}", word) and word != "or":
            raise FilterSyntaxError(f"unknown operator '{token.value}' after '{path}' (expected "
                                    f"one of {', '.join(_OPERATORS)})", token.start)
        raise self._error(f"expected an operator (eq, ne, co, ...) after '{path}'", token)

    def _value(self, expected: str = "a value") -> _Token:
        token = self._peek()
        # A bare 'and'/'or' here is a missing value, not a value: quote it to mean the word.
        if token is None or token.kind in ("(", ")") or (
                token.kind == "word" and token.value.lower() in ("and", "or")):
            raise self._error(f"expected {expected} after '{self._previous()}'", token)
        self._index += 1
        return token

    def _make(self, path: tuple[str, ...], op: str, value: _Token) -> Comparison:
        text = value.value
        if op == "pr":
            if text.lower() not in ("true", "false"):
                raise self._error("expected true or false after 'pr'", value)
            text = text.lower()
        self._template = Comparison(path, op, text)
        return self._template
