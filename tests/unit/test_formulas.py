import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpidesk.domain.formulas import (
    FUNCTIONS,
    FormulaError,
    evaluate,
    evaluate_all,
    evaluation_order,
    parse_formula,
    validate_formula,
)


def calc(text, **values):
    return evaluate(parse_formula(text), values)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),
        ("100 / 10 / 5", 2),
        ("2 * 3 / 4", 1.5),
        ("-2 * 3", -6),
        ("-(2 + 3)", -5),
        ("--4", 4),
        ("+4 - -1", 5),
        ("1.5 + .5", 2),
        ("1e3 / 4", 250),
        ("8 − 3 × 2 ÷ 4", 6.5),
        ("min(4, 2, 9)", 2),
        ("MAX(4, 2, 9)", 9),
        ("sum(1, 2, 3)", 6),
        ("avg(1, 2, 6)", 3),
        ("abs(-3.5)", 3.5),
        ("round(2.345, 2)", 2.35),
        ("round(7.6)", 8),
        ("if_zero(0, 5)", 5),
        ("if_zero(3, 5)", 3),
        ("max(1, 2) * -min(3, 4)", -6),
    ],
)
def test_arithmetic_and_precedence(text, expected):
    assert calc(text) == pytest.approx(expected)


def test_the_nps_example_and_case_insensitive_codes():
    formula = parse_formula("(promoters - Detractors) / RESPONSES * 100")
    assert formula.references == frozenset({"PROMOTERS", "DETRACTORS", "RESPONSES"})
    values = {"PROMOTERS": 120, "DETRACTORS": 30, "RESPONSES": 200}
    assert evaluate(formula, values) == pytest.approx(45.0)
    assert evaluate(formula, {"promoters": 120, "detractors": 30, "responses": 200}) == 45.0


def test_a_kpi_may_be_called_like_a_function():
    formula = parse_formula("sum - MAX + sum(1, 2)")
    assert formula.references == {"SUM", "MAX"}
    assert evaluate(formula, {"SUM": 10, "MAX": 4}) == 9


def test_rev_minus_cost():
    assert calc("REV - COST", REV=500, COST=320.5) == pytest.approx(179.5)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("REV - COST", {"REV": 500}),
        ("REV - COST", {"REV": 500, "COST": None}),
        ("A / B", {"A": 1, "B": 0}),
        ("A / (B - B)", {"A": 1, "B": 3}),
        ("max(A, B)", {"A": 1}),
        ("round(A, B)", {"A": 1.5}),
        ("A * A * A", {"A": 1e200}),
        ("A", {"A": math.nan}),
        ("A + 1", {"A": math.inf}),
        ("abs(A) * 1e308 * 10", {"A": -5}),
    ],
)
def test_missing_input_division_by_zero_and_overflow_give_no_value(text, values):
    assert evaluate(parse_formula(text), values) is None


@pytest.mark.parametrize(
    ("text", "template_part", "params"),
    [
        ("", "empty", {}),
        ("   ", "empty", {}),
        ("A +", "ends too soon", {}),
        ("A * (B + 1", "without a matching “)”", {"position": 5}),
        ("A + 1)", "without a matching “(”", {"position": 6}),
        ("A B", "cannot be read", {"near": "B", "position": 3}),
        ("A ** 2", "cannot be read", {"near": "*", "position": 4}),
        ("A ^ 2", "cannot be read", {"near": "^", "position": 3}),
        ("2A", "cannot be read", {"near": "2A", "position": 1}),
        ("A = 1", "cannot be read", {"near": "=", "position": 3}),
        ("1,5 * A", "decimals with a dot", {"near": "1,5", "suggestion": "1.5"}),
        ("A * (0,25 + B)", "decimals with a dot", {"near": "0,25", "suggestion": "0.25"}),
        ("A % 2", "“%”", {"position": 3}),
        ("1e999", "too large", {"near": "1e999"}),
        ("round(A, 1, 2)", "cannot take", {"name": "round", "count": 3}),
        ("abs()", "cannot take", {"name": "abs", "count": 0}),
        ("if_zero(A)", "cannot take", {"name": "if_zero", "count": 1}),
        ("min(A, )", "missing before “)”", {"position": 8}),
        ("(A - )", "missing before “)”", {"position": 6}),
        ("()", "missing before “)”", {"position": 2}),
        ("-" * 80 + "1", "nested too deeply", {}),
        ("(" * 80 + "1" + ")" * 80, "nested too deeply", {}),
        ("A + " * 600 + "1", "too long", {}),
    ],
)
def test_syntax_errors_say_what_and_where(text, template_part, params):
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    assert template_part in caught.value.template
    for key, value in params.items():
        assert caught.value.params[key] == value
    assert str(caught.value)  # the message can be shown


@pytest.mark.parametrize(
    "text",
    [
        "A.real",
        "A.__class__",
        "__import__('os')",
        "__import__(os)",
        "eval(A)",
        "exec(A)",
        "pow(A, 2)",
        "open(A)",
        "lambda: 1",
        "lambda x: x",
        "[x for x in A]",
        "(x for x in A)",
        "{A: 1}",
        "A[0]",
        "'text'",
        '"text"',
        "A if B else C",
        "A and B",
        "not A",
        "A < B",
        "A; B",
        "f'{A}'",
        "A @ B",
        "1j",
        "0x10",
        "A := 1",
    ],
)
def test_anything_beyond_the_small_language_is_refused(text):
    with pytest.raises(FormulaError):
        parse_formula(text)


def test_unknown_functions_are_named_with_the_allowed_ones():
    with pytest.raises(FormulaError) as caught:
        parse_formula("pow(A, 2)")
    assert caught.value.params["name"] == "pow"
    assert caught.value.params["functions"] == ", ".join(FUNCTIONS)


def test_a_long_flat_sum_does_not_recurse_deeply():
    formula = parse_formula(" + ".join(["A"] * 450))
    assert evaluate(formula, {"A": 1}) == 450


# Validation against the workspace ---------------------------------------------------------


def test_unknown_codes_are_named():
    formula = parse_formula("rev - cost")
    validate_formula("MARGIN", formula, {"REV", "COST"}, {})
    with pytest.raises(FormulaError) as caught:
        validate_formula("MARGIN", formula, {"REV"}, {})
    assert caught.value.template == "The formula has an unknown name “{name}”."
    assert caught.value.params == {"name": "COST"}
    with pytest.raises(FormulaError) as caught:
        validate_formula("MARGIN", parse_formula("X + Y + REV"), {"REV"}, {})
    assert caught.value.params == {"names": "“X”, “Y”"}


def test_known_codes_match_regardless_of_case():
    validate_formula("margin", parse_formula("REV - cost"), {"rev", "Cost"}, {})


def test_self_reference_is_a_loop():
    with pytest.raises(FormulaError) as caught:
        validate_formula("NPS", parse_formula("nps + 1"), {"NPS"}, {})
    assert caught.value.template == "The formula makes a loop: {cycle}."
    assert caught.value.params["cycle"] == "NPS → NPS"


def test_a_two_step_loop_is_named_in_order():
    formulas = {"PROM": parse_formula("NPS * 2")}
    with pytest.raises(FormulaError) as caught:
        validate_formula("NPS", parse_formula("PROM - DETR"), {"NPS", "PROM", "DETR"}, formulas)
    assert caught.value.params["cycle"] == "NPS → PROM → NPS"


def test_a_three_step_loop_is_named_in_order():
    formulas = {"B": parse_formula("C + 1"), "C": parse_formula("a * 2"), "D": parse_formula("1")}
    with pytest.raises(FormulaError) as caught:
        validate_formula("A", parse_formula("B + D"), {"A", "B", "C", "D"}, formulas)
    assert caught.value.params["cycle"] == "A → B → C → A"


def test_a_new_formula_replaces_the_old_one_of_the_same_code():
    formulas = {"A": parse_formula("B"), "B": parse_formula("X")}
    validate_formula("A", parse_formula("X * 2"), {"A", "B", "X"}, formulas)
    validate_formula("B", parse_formula("X"), {"A", "B", "X"}, formulas)
    with pytest.raises(FormulaError):
        validate_formula("B", parse_formula("A"), {"A", "B", "X"}, formulas)


def test_evaluation_order_puts_dependencies_first():
    formulas = {
        "NPS": parse_formula("PROM_SHARE - DETR_SHARE"),
        "PROM_SHARE": parse_formula("PROM / RESP * 100"),
        "DETR_SHARE": parse_formula("DETR / RESP * 100"),
        "GAP": parse_formula("100 - NPS"),
    }
    order = evaluation_order(formulas)
    assert sorted(order) == sorted(formulas)
    assert order.index("NPS") > order.index("PROM_SHARE")
    assert order.index("NPS") > order.index("DETR_SHARE")
    assert order.index("GAP") > order.index("NPS")
    values = evaluate_all(formulas, {"PROM": 60, "DETR": 20, "RESP": 100})
    assert values["NPS"] == pytest.approx(40)
    assert values["GAP"] == pytest.approx(60)


def test_evaluation_order_refuses_a_loop():
    formulas = {"A": parse_formula("B"), "B": parse_formula("C"), "C": parse_formula("A")}
    with pytest.raises(FormulaError) as caught:
        evaluation_order(formulas)
    assert caught.value.params["cycle"] == "A → B → C → A"


def test_evaluate_all_passes_no_value_along():
    formulas = {"X": parse_formula("A / B"), "Y": parse_formula("X + 1")}
    assert evaluate_all(formulas, {"A": 1, "B": 0}) == {"A": 1, "B": 0, "X": None, "Y": None}


# Property: nothing but a float, None or a FormulaError -----------------------------------

CODES = ["A", "b", "Rev", "COST"]

leaves = st.one_of(
    st.sampled_from(CODES),
    st.integers(min_value=0, max_value=10**6).map(str),
    st.floats(min_value=0, max_value=1e300, allow_nan=False).map(repr),
)


def _combine(children):
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
            lambda t: f"{t[0]} {t[1]} {t[2]}"
        ),
        children.map(lambda c: f"-{c}"),
        children.map(lambda c: f"({c})"),
        st.tuples(st.sampled_from(FUNCTIONS), st.lists(children, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
    )


expressions = st.recursive(leaves, _combine, max_leaves=12)
values = st.fixed_dictionaries(
    {},
    optional={
        code.upper(): st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True))
        for code in CODES
    },
)


@settings(max_examples=300, deadline=None)
@given(expressions, values)
def test_random_expressions_evaluate_to_a_float_or_nothing(text, inputs):
    try:
        formula = parse_formula(text)
    except FormulaError:
        return  # a function with the wrong number of values, for instance
    result = evaluate(formula, inputs)
    assert result is None or (isinstance(result, float) and math.isfinite(result))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="AbC_1 0.,+-*/()%^e'\"[]{}:=<>!x" + "".join(FUNCTIONS), max_size=40))
def test_random_text_parses_or_raises_a_formula_error(text):
    try:
        formula = parse_formula(text)
    except FormulaError:
        return
    result = evaluate(formula, {"A": 1.0, "B": 0.0, "C": None})
    assert result is None or math.isfinite(result)
