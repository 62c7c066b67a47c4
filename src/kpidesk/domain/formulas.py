"""Calculated KPIs: a formula over other KPIs' codes, such as ``(PROM - DETR) / RESP * 100``.

The language is small and read by a parser of its own (nothing is handed to Python's
``eval``):

- numbers with a dot for decimals (``12.5``, ``.5``, ``1e6``); a decimal comma is refused with
  a hint, since the comma separates a function's values;
- KPI codes: a letter or ``_`` followed by letters, digits and ``_``, matched to the stored
  upper-case codes regardless of case;
- ``+ - * /``, unary minus and plus, parentheses (also the signs ``−``, ``×`` and ``÷``);
- the functions in :data:`FUNCTIONS`: ``min``, ``max``, ``sum``, ``avg`` (one or more values),
  ``abs(x)``, ``round(x)``, ``round(x, n)`` and ``if_zero(x, y)`` (``y`` where ``x`` is 0,
  else ``x``), in any case. A name is a function only when ``(`` follows it, so a KPI may be
  called ``SUM``.

Evaluating never fails: a missing input, a division by zero, or a result too large to hold
gives None ("no value"), and None passes through every operation and function.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_


class FormulaError(DomainError):
    """A formula that cannot be read, or that does not fit the workspace's KPIs."""


# The node tree -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Number:
    value: float


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to another KPI by its (upper-case) code."""

    code: str


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Node


@dataclass(frozen=True, slots=True)
class Chain:
    """Terms of one precedence level, left to right: ``first (op term)*``.

    Kept flat rather than nested so a long sum does not make a deep tree.
    """

    first: Node
    rest: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]


type Node = Number | Ref | Negate | Chain | Call


@dataclass(frozen=True, slots=True)
class Formula:
    text: str
    root: Node
    references: frozenset[str]

    def __str__(self) -> str:
        return self.text


# Functions ---------------------------------------------------------------------------------


def _avg(*values: float) -> float:
    return math.fsum(values) / len(values)


def _round(x: float, n: float = 0) -> float:
    return float(round(x, max(-15, min(15, round(n)))))


def _if_zero(x: float, y: float) -> float:
    return y if x == 0 else x


# name: (function, fewest values, most values or None for any number)
_FUNCTIONS: dict[str, tuple[Callable[..., float], int, int | None]] = {
    "min": (min, 1, None),
    "max": (max, 1, None),
    "sum": (lambda *values: math.fsum(values), 1, None),
    "avg": (_avg, 1, None),
    "abs": (abs, 1, 1),
    "round": (_round, 1, 2),
    "if_zero": (_if_zero, 2, 2),
}

#: The functions a formula may use, for help texts and error messages.
FUNCTIONS: tuple[str, ...] = tuple(_FUNCTIONS)

_MAX_DEPTH = 50
_MAX_LENGTH = 2000


# Reading -----------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[^\W\d]\w*)
  | (?P<op>[-+*/(),])
    """,
    re.VERBOSE,
)
_SIGNS = str.maketrans({"−": "-", "–": "-", "×": "*", "÷": "/", "·": "*"})


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number", "name", "op" or "end"
    text: str
    position: int  # 0-based index in the text


def _near(text: str, position: int) -> str:
    """A short piece of the text from ``position``, to point at in a message."""
    piece = text[position:].strip()
    word = re.match(r"\w+|\S", piece)
    return word.group() if word else piece[:1]


def _tokenize(text: str) -> list[_Token]:
    normalised = text.translate(_SIGNS)
    tokens: list[_Token] = []
    position = 0
    while position < len(normalised):
        match = _TOKEN.match(normalised, position)
        if match is None:
            char = text[position]
            if char in "\"'":
                raise FormulaError(
                    N_("A formula cannot hold text in quotes (character {position})."),
                    position=position + 1,
                )
            if char == "%":
                raise FormulaError(
                    N_("A formula cannot use “%” (character {position}): divide by 100 instead."),
                    position=position + 1,
                )
            raise _unreadable(text, position)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    _check_numbers(text, tokens)
    return tokens


def _check_numbers(text: str, tokens: list[_Token]) -> None:
    for index, token in enumerate(tokens):
        if token.kind != "number":
            continue
        following = tokens[index + 1]
        if following.kind == "name" and following.position == token.position + len(token.text):
            raise _unreadable(text, token.position)  # 2x, 3abc
        if not math.isfinite(float(token.text)):
            raise FormulaError(
                N_("The number “{near}” in the formula is too large."), near=token.text
            )


def _unreadable(text: str, position: int) -> FormulaError:
    return FormulaError(
        N_("The formula cannot be read at “{near}” (character {position})."),
        near=_near(text, position),
        position=position + 1,
    )


class _Parser:
    """Recursive descent over the tokens: expression, term, factor, atom."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0
        self.open_parens = 0
        self.references: set[str] = set()

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.token
        self.index += 1
        return token

    def parse(self) -> Node:
        node = self.expression()
        if self.token.kind != "end":
            raise self.error_here()
        return node

    def error_here(self) -> FormulaError:
        token = self.token
        if token.kind == "end":
            return FormulaError(N_("The formula ends too soon: a value is missing at the end."))
        if token.text == ")" and self.open_parens:
            return FormulaError(
                N_("A value is missing before “)” (character {position})."),
                position=token.position + 1,
            )
        if token.text == ")":
            return FormulaError(
                N_("The formula has a “)” without a matching “(” (character {position})."),
                position=token.position + 1,
            )
        if token.text == "," and self._looks_like_decimal_comma():
            previous, following = self.tokens[self.index - 1], self.tokens[self.index + 1]
            return FormulaError(
                N_("Formulas write decimals with a dot: write “{suggestion}”, not “{near}”."),
                near=f"{previous.text},{following.text}",
                suggestion=f"{previous.text}.{following.text}",
            )
        return _unreadable(self.text, token.position)

    def _looks_like_decimal_comma(self) -> bool:
        if self.index == 0 or self.index + 1 >= len(self.tokens):
            return False
        previous, comma, following = self.tokens[self.index - 1 : self.index + 2]
        return (
            previous.kind == "number"
            and following.kind == "number"
            and previous.position + len(previous.text) == comma.position
            and comma.position + 1 == following.position
        )

    def enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise FormulaError(
                N_("The formula is nested too deeply (more than {limit} levels)."),
                limit=_MAX_DEPTH,
            )

    def expression(self) -> Node:
        first = self.term()
        rest: list[tuple[str, Node]] = []
        while self.token.text in ("+", "-"):
            operator = self.advance().text
            rest.append((operator, self.term()))
        return Chain(first, tuple(rest)) if rest else first

    def term(self) -> Node:
        first = self.factor()
        rest: list[tuple[str, Node]] = []
        while self.token.text in ("*", "/"):
            operator = self.advance().text
            rest.append((operator, self.factor()))
        return Chain(first, tuple(rest)) if rest else first

    def factor(self) -> Node:
        if self.token.text in ("-", "+"):
            sign = self.advance().text
            self.enter()
            operand = self.factor()
            self.depth -= 1
            return Negate(operand) if sign == "-" else operand
        return self.atom()

    def atom(self) -> Node:
        token = self.token
        if token.kind == "number":
            self.advance()
            return Number(float(token.text))
        if token.kind == "name":
            self.advance()
            if self.token.text == "(":
                return self.call(token)
            code = token.text.upper()
            self.references.add(code)
            return Ref(code)
        if token.text == "(":
            self.advance()
            self.enter()
            self.open_parens += 1
            node = self.expression()
            self.open_parens -= 1
            self.depth -= 1
            if self.token.text != ")":
                if self.token.kind == "end":
                    raise FormulaError(
                        N_("The formula has a “(” without a matching “)” (character {position})."),
                        position=token.position + 1,
                    )
                raise self.error_here()
            self.advance()
            return node
        raise self.error_here()

    def call(self, name_token: _Token) -> Call:
        name = name_token.text.lower()
        if name not in _FUNCTIONS:
            raise FormulaError(
                N_("“{name}” is not a function a formula can use; it can use {functions}."),
                name=name_token.text,
                functions=", ".join(FUNCTIONS),
            )
        opening = self.advance()
        self.enter()
        self.open_parens += 1
        args: list[Node] = []
        if self.token.text != ")":
            args.append(self.expression())
            while self.token.text == ",":
                self.advance()
                args.append(self.expression())
        self.open_parens -= 1
        self.depth -= 1
        if self.token.text != ")":
            if self.token.kind == "end":
                raise FormulaError(
                    N_("The formula has a “(” without a matching “)” (character {position})."),
                    position=opening.position + 1,
                )
            raise self.error_here()
        self.advance()
        _function, fewest, most = _FUNCTIONS[name]
        if len(args) < fewest or (most is not None and len(args) > most):
            raise FormulaError(
                N_("The function “{name}” cannot take {count} values here."),
                name=name,
                count=len(args),
            )
        return Call(name, tuple(args))


def parse_formula(text: str) -> Formula:
    """Read a formula; raises :class:`FormulaError` naming what and where it cannot read.

    Codes are not checked here: :func:`validate_formula` checks them against the workspace.
    """
    if not text or not text.strip():
        raise FormulaError(N_("The formula is empty."))
    if len(text) > _MAX_LENGTH:
        raise FormulaError(
            N_("The formula is too long (at most {limit} characters)."), limit=_MAX_LENGTH
        )
    parser = _Parser(text)
    root = parser.parse()
    return Formula(text.strip(), root, frozenset(parser.references))


# Evaluating --------------------------------------------------------------------------------


def _finite(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return value


def _evaluate(node: Node, values: Mapping[str, float | None]) -> float | None:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Ref):
        value = values.get(node.code)
        return None if value is None else _finite(float(value))
    if isinstance(node, Negate):
        operand = _evaluate(node.operand, values)
        return None if operand is None else -operand
    if isinstance(node, Chain):
        result = _evaluate(node.first, values)
        for operator, operand_node in node.rest:
            operand = _evaluate(operand_node, values)
            if result is None or operand is None:
                return None
            if operator == "+":
                result = result + operand
            elif operator == "-":
                result = result - operand
            elif operator == "*":
                result = result * operand
            else:  # division: by zero gives no value
                if operand == 0:
                    return None
                result = result / operand
            result = _finite(result)
        return result
    arguments = [_evaluate(argument, values) for argument in node.args]
    if any(argument is None for argument in arguments):
        return None
    function = _FUNCTIONS[node.name][0]
    try:
        return _finite(float(function(*arguments)))
    except (OverflowError, ValueError):
        return None


def evaluate(formula: Formula, values: Mapping[str, float | None]) -> float | None:
    """The formula's value; None where an input is missing or the result is not a number.

    ``values`` maps KPI codes (any case) to their values for one period and unit.
    """
    lookup = {str(code).upper(): value for code, value in values.items()}
    try:
        return _finite(_evaluate(formula.root, lookup))
    except (OverflowError, ZeroDivisionError, ValueError, TypeError):
        return None


def evaluate_all(
    formulas: Mapping[str, Formula], values: Mapping[str, float | None]
) -> dict[str, float | None]:
    """Every calculated KPI's value, in :func:`evaluation_order`, from the other KPIs' values.

    Returns ``values`` (codes upper-cased) with the calculated codes added or replaced.
    """
    result = {str(code).upper(): value for code, value in values.items()}
    normalised = {code.upper(): formula for code, formula in formulas.items()}
    for code in evaluation_order(normalised):
        result[code] = evaluate(normalised[code], result)
    return result


# Checking against the workspace -----------------------------------------------------------


def validate_formula(
    code: str,
    formula: Formula,
    known_codes: Set[str],
    formulas: Mapping[str, Formula],
) -> None:
    """Check ``formula`` as the formula of KPI ``code`` in a workspace.

    ``known_codes`` are every KPI's code; ``formulas`` the other calculated KPIs' formulas
    (an entry for ``code`` itself is replaced by ``formula``). Raises :class:`FormulaError`
    for codes no KPI has, and for a loop, named from ``code`` back to it (``NPS → PROM → NPS``).
    """
    code = code.upper()
    known = {known_code.upper() for known_code in known_codes} | {code}
    unknown = sorted(formula.references - known)
    if len(unknown) == 1:
        raise FormulaError(N_("The formula has an unknown name “{name}”."), name=unknown[0])
    if unknown:
        raise FormulaError(
            N_("The formula has unknown names: {names}."),
            names=", ".join(f"“{name}”" for name in unknown),
        )
    graph = {other.upper(): other_formula for other, other_formula in formulas.items()}
    graph[code] = formula
    cycle = _cycle_through(code, graph)
    if cycle:
        raise FormulaError(N_("The formula makes a loop: {cycle}."), cycle=" → ".join(cycle))


def _cycle_through(start: str, graph: Mapping[str, Formula]) -> list[str] | None:
    """The shortest path ``start → … → start`` along references, or None (breadth first)."""
    previous: dict[str, str] = {}
    frontier = [start]
    seen = {start}
    while frontier:
        next_frontier = []
        for node in frontier:
            for reference in sorted(graph[node].references):
                if reference == start:
                    path = [start]
                    current = node
                    while current != start:
                        path.append(current)
                        current = previous[current]
                    path.append(start)
                    return [path[0], *reversed(path[1:-1]), start]
                if reference in graph and reference not in seen:
                    seen.add(reference)
                    previous[reference] = node
                    next_frontier.append(reference)
        frontier = next_frontier
    return None


def evaluation_order(formulas: Mapping[str, Formula]) -> list[str]:
    """The calculated KPIs' codes so that each comes after the calculated KPIs it uses.

    Ties are broken alphabetically. Raises :class:`FormulaError` naming a loop if there is one.
    """
    graph = {code.upper(): formula for code, formula in formulas.items()}
    order: list[str] = []
    state: dict[str, int] = {}  # 1: being visited, 2: done

    for start in sorted(graph):
        if state.get(start):
            continue
        # An explicit stack: (code, its remaining dependencies).
        stack: list[tuple[str, list[str]]] = [(start, _dependencies(start, graph))]
        state[start] = 1
        while stack:
            code, pending = stack[-1]
            if not pending:
                stack.pop()
                state[code] = 2
                order.append(code)
                continue
            dependency = pending.pop(0)
            if state.get(dependency) == 2:
                continue
            if state.get(dependency) == 1:
                cycle = _cycle_through(dependency, graph) or [dependency, dependency]
                raise FormulaError(
                    N_("The formula makes a loop: {cycle}."), cycle=" → ".join(cycle)
                )
            state[dependency] = 1
            stack.append((dependency, _dependencies(dependency, graph)))
    return order


def _dependencies(code: str, graph: Mapping[str, Formula]) -> list[str]:
    return sorted(reference for reference in graph[code].references if reference in graph)
