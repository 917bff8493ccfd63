"""Grader for search-filter: GET /products with q, category, minPrice, maxPrice and sort.

data.py writes a new catalog for every run. The checks read the same file through the
``data_files`` fixture, pick their search terms, categories and bounds from it, and
compute every expected result with the rules of the spec.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import pytest

from hubgrade.grading import expect

rng = random.SystemRandom()

SORTS = ("price_asc", "price_desc", "name_asc", "name_desc")
FILTERS = ("q", "category", "minPrice", "maxPrice", "sort")
# Name searches use slices of the letters of a name, so no character can be read as a pattern.
LETTERS = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")


@pytest.fixture
def products(data_files) -> list[dict]:
    return json.loads(data_files["products.json"])


# Expected results, computed from the catalog with the rules of the spec.

def search(products: list[dict], text: str) -> list[dict]:
    needle = text.lower()
    return [p for p in products if needle in p["name"].lower() or needle in p["description"].lower()]


def in_category(products: list[dict], category: str) -> list[dict]:
    return [p for p in products if p["category"] == category]


def in_price_range(products: list[dict], low: float | None = None, high: float | None = None) -> list[dict]:
    return [p for p in products if (low is None or p["price"] >= low) and (high is None or p["price"] <= high)]


def sorted_by(products: list[dict], sort: str) -> list[dict]:
    """Sort by the rules of the spec. Python's sort is stable, also with ``reverse=True``."""
    if sort.startswith("price"):
        return sorted(products, key=lambda p: p["price"], reverse=sort.endswith("desc"))
    return sorted(products, key=lambda p: p["name"].lower(), reverse=sort.endswith("desc"))


# Choosing inputs from the catalog.

def price_text(price: float) -> str:
    """Write a price as the query string carries it: ``25`` for 25.0, ``19.99`` or ``7.5`` otherwise."""
    return str(int(price)) if float(price).is_integer() else repr(price)


def between_prices(cents: int) -> str:
    """Return a bound half a cent above ``cents``, which can never equal a price in the file."""
    return f"{cents // 100}.{cents % 100:02d}5"


def shared_price(products: list[dict]) -> float:
    """Return a random price that two or more products have."""
    counts = Counter(p["price"] for p in products)
    return rng.choice([price for price, count in counts.items() if count > 1])


def mixed_case(word: str, existing: set[str]) -> str:
    """Return the word in a random mix of cases that is not in ``existing``, if one exists."""
    for _ in range(50):
        spelled = "".join(char.upper() if rng.random() < 0.5 else char.lower() for char in word)
        if spelled not in existing:
            return spelled
    return word.swapcase()


def name_marker(products: list[dict]) -> str:
    """Return the adjective that starts names in three or more spellings (Eco, eco, ECO)."""
    spellings: dict[str, set[str]] = {}
    for product in products:
        first = product["name"].split(" ")[0]
        spellings.setdefault(first.lower(), set()).add(first)
    return max(spellings, key=lambda word: len(spellings[word]))


def description_words(products: list[dict]) -> list[str]:
    """Return the description words of 4 or more letters that no name contains."""
    words = {word for p in products for word in p["description"].split(" ") if len(word) >= 4}
    names = [p["name"].lower() for p in products]
    return sorted(word for word in words if not any(word in name for name in names))


# Requests and expectations.

def get_products(client, params: dict[str, str]):
    return client.get("/products", params=params)


def describe_query(params: dict[str, str]) -> str:
    if not params:
        return "GET /products without parameters"
    return "GET /products?" + "&".join(f"{name}={value}" for name, value in params.items())


def describe_ids(ids: list[object], limit: int = 10) -> str:
    """List up to ``limit`` ids, so a long result reads as a short list."""
    listed = json.dumps(ids[:limit])
    return listed if len(ids) <= limit else f"{listed[:-1]}, ... {len(ids) - limit} more]"


def describe_product(item: object) -> str:
    if not isinstance(item, dict):
        return json.dumps(item)[:80]
    return f"id {json.dumps(item.get('id'))} ({json.dumps(item.get('name'))}, price {json.dumps(item.get('price'))})"


def expect_products(client, params: dict[str, str], expected: list[dict], reason: str = "") -> None:
    """Request the products and check the status, the products and their order.

    ``reason`` describes the expected result, for the message when it differs.
    """
    response = get_products(client, params)
    query = describe_query(params)
    if response.status_code != 200:
        expect.fail(f"{query}: the parameters are valid, so expected status 200, got {response.status_code}", response)
    items = expect.json_list(response)
    because = f" ({reason})" if reason else ""
    got_ids = [item.get("id") if isinstance(item, dict) else None for item in items]
    expected_ids = [p["id"] for p in expected]
    if got_ids != expected_ids:
        if sorted(map(json.dumps, got_ids)) == sorted(map(json.dumps, expected_ids)):
            position = next(index for index, (got, want) in enumerate(zip(got_ids, expected_ids)) if got != want)
            expect.fail(
                f"{query}: got the right {len(items)} products{because} in the wrong order: at position "
                f"{position + 1}, expected {describe_product(expected[position])}, "
                f"got {describe_product(items[position])}",
                response,
            )
        missing = [product_id for product_id in expected_ids if product_id not in got_ids]
        unexpected = [product_id for product_id in got_ids if product_id not in expected_ids]
        details = []
        if missing:
            details.append(f"missing ids {describe_ids(missing)}")
        if unexpected:
            details.append(f"unexpected ids {describe_ids(unexpected)}")
        if not details:
            details.append(f"ids {describe_ids(got_ids)} where {describe_ids(expected_ids)} were expected")
        expect.fail(
            f"{query}: expected {len(expected)} products{because}, got {len(items)}: {', '.join(details)}",
            response,
        )
    for item, product in zip(items, expected):
        expect.equal(item, product, f"{query}: the product with id {product['id']}", response)


def expect_error(client, params: dict[str, str], reason: str) -> None:
    """Check for status 400 and a JSON object whose error field is a non-empty string.

    ``reason`` explains why the query is invalid. It goes into the message when the status is wrong.
    """
    response = get_products(client, params)
    if response.status_code != 400:
        expect.fail(f"{describe_query(params)}: {reason}, so expected status 400, got {response.status_code}", response)
    body = expect.json_object(response, "error")
    message = body["error"]
    expect.that(
        isinstance(message, str) and message.strip() != "",
        f"error: expected a non-empty string that explains the problem, got {message!r}",
        response,
    )


@pytest.mark.points(8)
def test_no_filters(client, products):
    """GET /products without filters, or with empty ones, returns every product in file order"""
    expect_products(client, {}, products, "the whole catalog in file order")
    empty = {name: "" for name in FILTERS}
    expect_products(client, empty, products, "empty parameters do not filter")


@pytest.mark.points(10)
def test_search_name(client, products):
    """q matches names ignoring case"""
    marker = name_marker(products)
    spellings = {word for p in products for word in p["name"].split(" ")}
    query = mixed_case(marker, spellings)
    expect_products(client, {"q": query}, search(products, query), f"every name that contains {marker!r} in any case")

    # A slice of a name that may start or end inside a word, with every letter's case switched.
    runs = LETTERS.findall(rng.choice(products)["name"])
    run = max(runs, key=len)
    length = min(len(run), rng.randint(3, 7))
    start = rng.randint(0, len(run) - length)
    query = run[start : start + length].strip().swapcase()
    expect_products(client, {"q": query}, search(products, query), f"every name that contains {query.lower()!r} in any case")

    query = f"zq{rng.randint(1000, 9999)}"
    expect_products(client, {"q": query}, [], "no product contains this text")


@pytest.mark.points(8)
def test_search_description(client, products):
    """q matches descriptions ignoring case"""
    words = description_words(products)
    word = rng.choice(words)
    query = word.upper()
    expect_products(client, {"q": query}, search(products, query), f"every description that contains {word!r}")

    # Two neighbouring words of a description, so the search spans a space.
    sentence = rng.choice(products)["description"].split(" ")
    index = rng.randint(0, len(sentence) - 2)
    query = " ".join(sentence[index : index + 2]).title()
    expect_products(client, {"q": query}, search(products, query), f"every description that contains {query.lower()!r}")


@pytest.mark.points(6)
def test_search_literal(client, products):
    """q matches special characters literally"""
    for query in ("(2-pack", ".", "v2.0"):
        expected = search(products, query)
        expect_products(client, {"q": query}, expected, f"the products whose name contains {query!r} as plain text")


@pytest.mark.points(10)
def test_category(client, products):
    """category keeps only the products of that category"""
    categories = sorted({p["category"] for p in products})
    for category in rng.sample(categories, 2):
        expect_products(client, {"category": category}, in_category(products, category),
                        f"every product of the category {category!r}, in file order")


@pytest.mark.points(4)
def test_unknown_category(client, products):
    """An unknown category returns an empty array"""
    category = f"unknown-{rng.randint(1000, 9999)}"
    expect_products(client, {"category": category}, [], "no product has this category")


@pytest.mark.points(10)
def test_price_range(client, products):
    """minPrice and maxPrice are inclusive bounds"""
    prices = sorted({p["price"] for p in products})
    low = rng.choice(prices[1 : len(prices) // 2])
    high = rng.choice(prices[len(prices) // 2 : -1])
    expect_products(client, {"minPrice": price_text(low)}, in_price_range(products, low=low),
                    f"the products that cost {price_text(low)} or more")
    expect_products(client, {"maxPrice": price_text(high)}, in_price_range(products, high=high),
                    f"the products that cost {price_text(high)} or less")
    expect_products(client, {"minPrice": price_text(low), "maxPrice": price_text(high)},
                    in_price_range(products, low, high),
                    f"the products that cost from {price_text(low)} to {price_text(high)}, both included")
    tie = shared_price(products)
    expect_products(client, {"minPrice": price_text(tie), "maxPrice": price_text(tie)},
                    in_price_range(products, tie, tie), f"every product that costs exactly {price_text(tie)}")


@pytest.mark.points(10)
def test_sort_price(client, products):
    """sort=price_asc and price_desc order by price, ties in file order"""
    for sort in ("price_asc", "price_desc"):
        expect_products(client, {"sort": sort}, sorted_by(products, sort),
                        "products with the same price stay in file order")


@pytest.mark.points(10)
def test_sort_name(client, products):
    """sort=name_asc and name_desc order by name ignoring case, ties in file order"""
    for sort in ("name_asc", "name_desc"):
        expect_products(client, {"sort": sort}, sorted_by(products, sort),
                        "names compared in lower case; products with the same name stay in file order")


@pytest.mark.points(10)
def test_combined(client, products):
    """q, category, price bounds and sort combine"""
    # All four filters around one product, with bounds that fall between two prices and a
    # search term from descriptions only, in the case the file uses.
    words = set(description_words(products))
    target = rng.choice([p for p in products if words & set(p["description"].split(" "))])
    word = rng.choice(sorted(words & set(target["description"].split(" "))))
    cents = round(target["price"] * 100)
    low_cents = max(cents - rng.randint(100, 5000), 0)
    high_cents = cents + rng.randint(100, 5000)
    params = {
        "q": word,
        "category": target["category"],
        "minPrice": between_prices(low_cents),
        "maxPrice": between_prices(high_cents),
        "sort": "price_asc",
    }
    expected = in_price_range(in_category(search(products, word), target["category"]),
                              float(params["minPrice"]), float(params["maxPrice"]))
    expect_products(client, params, sorted_by(expected, "price_asc"), "the products that match all four filters")

    category = rng.choice(sorted({p["category"] for p in products}))
    high = rng.choice(sorted({p["price"] for p in products})[5:])
    params = {"category": category, "maxPrice": price_text(high), "sort": "name_asc"}
    expected = in_price_range(in_category(products, category), high=high)
    expect_products(client, params, sorted_by(expected, "name_asc"), "the products that match both filters")


@pytest.mark.points(5)
def test_invalid_price(client):
    """An invalid minPrice or maxPrice returns 400 with an error"""
    number = rng.randint(2, 99)
    word = rng.choice(("abc", "cheap", "ten", "free"))
    cases = (
        ("minPrice", word, "is not a number"),
        ("maxPrice", word, "is not a number"),
        ("minPrice", f"-{number}", "is negative"),
        ("maxPrice", f"-{number}", "is negative"),
        ("minPrice", f"{number}abc", "has characters after the number"),
        ("maxPrice", f"{number}.5.1", "has characters after the number"),
    )
    for name, value, problem in cases:
        expect_error(client, {name: value}, f"{name}={value} {problem}")


@pytest.mark.points(4)
def test_min_above_max(client):
    """minPrice greater than maxPrice returns 400 with an error"""
    high = rng.randint(10, 90)
    low = high + rng.randint(1, 50)
    expect_error(client, {"minPrice": str(low), "maxPrice": str(high)}, f"minPrice {low} is greater than maxPrice {high}")
    expect_error(client, {"minPrice": f"{high}.01", "maxPrice": str(high)},
                 f"minPrice {high}.01 is greater than maxPrice {high}")


@pytest.mark.points(5)
def test_invalid_sort(client):
    """An unknown sort value returns 400 with an error"""
    for value in ("price", rng.choice(("rating", "newest", "popularity", "id_asc")), "name_ascending"):
        expect_error(client, {"sort": value}, f"sort={value} is not one of {', '.join(SORTS)}")
