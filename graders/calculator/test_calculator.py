"""Grader for calculator: GET /calculate?a=&b=&op= returns {"result": number} or 400 {"error"}."""

import json
import math
import random
import string

import pytest

from hubgrade.grading import expect

rng = random.SystemRandom()

OPERATIONS = {
    "add": lambda a, b: a + b,
    "subtract": lambda a, b: a - b,
    "multiply": lambda a, b: a * b,
    "divide": lambda a, b: a / b,
}


def random_integer(low: int = -1000, high: int = 1000) -> str:
    """Return a non-zero integer in decimal, as the query string carries it."""
    value = 0
    while value == 0:
        value = rng.randint(low, high)
    return str(value)


def random_decimal() -> str:
    """Return a number with a non-zero fractional part, such as "-12.75" or "0.4"."""
    hundredths = 0
    while hundredths % 100 == 0:
        hundredths = rng.randint(-50000, 50000)
    return f"{hundredths / 100:.2f}".rstrip("0")


def random_word() -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 7)))


def json_kind(value: object) -> str:
    kinds = {str: "a string", bool: "a boolean", type(None): "null", list: "an array", dict: "an object"}
    return kinds.get(type(value), "a number")


def format_number(value: float) -> str:
    """Format a float as JSON.stringify does for common values: 3.0 as 3, 0.1 as 0.1."""
    return str(int(value)) if value.is_integer() else repr(value)


def calculate(client, **params: str):
    return client.get("/calculate", params=params)


def expect_result(client, a: str, b: str, op: str) -> None:
    """Request a calculation and check that the result is a number close to the exact one."""
    response = calculate(client, a=a, b=b, op=op)
    expect.status(response, 200)
    body = expect.json_object(response, "result")
    result = body["result"]
    expect.that(
        isinstance(result, (int, float)) and not isinstance(result, bool),
        f"result: expected a JSON number, got {json_kind(result)} {json.dumps(result)}",
        response,
    )
    expected = OPERATIONS[op](float(a), float(b))
    # math.isclose raises OverflowError on an integer beyond the float range, so such a result fails first.
    expect.that(
        abs(result) < 1e308 and math.isclose(result, expected, rel_tol=1e-9, abs_tol=1e-9),
        f"result: expected {format_number(expected)} for a={a}, b={b}, op={op}, got {json.dumps(result)}",
        response,
    )


def expect_error(response, reason: str) -> None:
    """Check for status 400 and a JSON object whose error field is a non-empty string.

    ``reason`` explains why the input is invalid. It goes into the message when the status is wrong.
    """
    if response.status_code != 400:
        where = f"{response.request.method} {response.request.url.path}"
        expect.fail(f"{where}: {reason}, so expected status 400, got {response.status_code}", response)
    body = expect.json_object(response, "error")
    message = body["error"]
    expect.that(
        isinstance(message, str) and message.strip() != "",
        f"error: expected a non-empty string that explains the problem, got {message!r}",
        response,
    )


def integer_pairs() -> list[tuple[str, str]]:
    """Return two pairs of integers: both positive, then at least one negative."""
    return [
        (random_integer(1, 1000), random_integer(1, 1000)),
        (random_integer(-1000, -1), random_integer(-1000, 1000)),
    ]


@pytest.mark.points(10)
def test_add_integers(client):
    """op=add returns the sum of two integers"""
    for a, b in integer_pairs():
        expect_result(client, a, b, "add")


@pytest.mark.points(10)
def test_subtract_integers(client):
    """op=subtract returns the difference of two integers"""
    for a, b in integer_pairs():
        expect_result(client, a, b, "subtract")


@pytest.mark.points(10)
def test_multiply_integers(client):
    """op=multiply returns the product of two integers"""
    for a, b in integer_pairs():
        expect_result(client, a, b, "multiply")


@pytest.mark.points(10)
def test_divide_integers(client):
    """op=divide returns the quotient of two integers"""
    for a, b in integer_pairs():
        expect_result(client, a, b, "divide")


@pytest.mark.points(10)
def test_decimal_operands(client):
    """All four operations accept decimal operands"""
    for op in OPERATIONS:
        expect_result(client, random_decimal(), random_decimal(), op)


@pytest.mark.points(10)
def test_non_numeric_operand(client):
    """A non-numeric operand returns 400 with an error"""
    op = rng.choice(list(OPERATIONS))
    word = random_word()
    expect_error(calculate(client, a=word, b=random_integer(), op=op), f"a={word} is not a number")
    word = random_word()
    expect_error(calculate(client, a=random_integer(), b=word, op=op), f"b={word} is not a number")


@pytest.mark.points(8)
def test_operand_trailing_characters(client):
    """An operand with trailing characters returns 400 with an error"""
    op = rng.choice(list(OPERATIONS))
    a = random_integer(1, 99) + random_word()
    expect_error(calculate(client, a=a, b=random_integer(), op=op), f"a={a} has characters after the number")
    b = f"{random_decimal()}.{rng.randint(1, 9)}"
    expect_error(calculate(client, a=random_integer(), b=b, op=op), f"b={b} has characters after the number")


@pytest.mark.points(10)
def test_missing_parameter(client):
    """A missing parameter returns 400 with an error"""
    full = {"a": random_integer(), "b": random_integer(), "op": rng.choice(list(OPERATIONS))}
    for missing in ("a", "b", "op"):
        params = {name: value for name, value in full.items() if name != missing}
        expect_error(calculate(client, **params), f"the query has no {missing} parameter")


@pytest.mark.points(6)
def test_empty_operand(client):
    """An empty operand returns 400 with an error"""
    op = rng.choice(["add", "subtract", "multiply"])
    expect_error(calculate(client, a="", b=random_integer(), op=op), "a is empty")
    expect_error(calculate(client, a=random_integer(), b="", op=op), "b is empty")


@pytest.mark.points(8)
def test_unknown_operation(client):
    """An unknown operation returns 400 with an error"""
    for op in (rng.choice(["power", "modulo", "sqrt", "concat"]), random_word() + "x"):
        response = calculate(client, a=random_integer(), b=random_integer(), op=op)
        expect_error(response, f"op={op} is not add, subtract, multiply or divide")


@pytest.mark.points(8)
def test_division_by_zero(client):
    """Division by zero returns 400 with an error"""
    for zero in ("0", "0.0"):
        response = calculate(client, a=random_integer(), b=zero, op="divide")
        expect_error(response, f"b={zero} with op=divide is a division by zero")
