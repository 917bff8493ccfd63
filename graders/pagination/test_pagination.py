"""Grader for pagination: GET /products?page=&limit= over the catalog in PRODUCTS_FILE.

data.py writes a new catalog for every run. The checks read the same file through the
``data_files`` fixture and compute every expected page from it.
"""

from __future__ import annotations

import json
import math
import random

import pytest

from hubgrade.grading import expect

rng = random.SystemRandom()

DEFAULT_PAGE = 1
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
PAGE_FIELDS = ("items", "page", "limit", "totalItems", "totalPages")


@pytest.fixture
def products(data_files) -> list[dict]:
    return json.loads(data_files["products.json"])


def page_slice(products: list[dict], page: int, limit: int) -> list[dict]:
    return products[(page - 1) * limit : page * limit]


def page_count(products: list[dict], limit: int) -> int:
    return math.ceil(len(products) / limit)


def partial_limit(products: list[dict], low: int = 3, high: int = 20) -> int:
    """Return a random limit that does not divide the catalog, so its last page is partial.

    With at least 41 products and a limit of at most 20, the catalog has at least 3 pages.
    """
    choices = [limit for limit in range(low, high + 1) if len(products) % limit != 0]
    return rng.choice(choices)


def get_page(client, **params: object):
    return client.get("/products", params={name: str(value) for name, value in params.items()})


def describe_query(params: dict[str, object]) -> str:
    if not params:
        return "GET /products without parameters"
    return "GET /products?" + "&".join(f"{name}={value}" for name, value in params.items())


def json_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def expect_integer_field(body: dict, field: str, expected: int, query: str, response) -> None:
    value = body[field]
    expect.that(
        json_integer(value),
        f"{query}: {field}: expected the integer {expected}, got {json.dumps(value)}",
        response,
    )
    expect.equal(value, expected, f"{query}: {field}", response)


def describe_items(items: list[object], limit: int = MAX_LIMIT) -> str:
    """Name up to ``limit`` listed products by id, so a wrong page reads as a short list."""
    ids = [item.get("id") if isinstance(item, dict) else json.dumps(item)[:40] for item in items[:limit]]
    listed = json.dumps(ids)
    return listed if len(items) <= limit else f"{listed[:-1]}, ... {len(items) - limit} more]"


def expect_items(body: dict, expected: list[dict], query: str, response) -> None:
    """Check that ``items`` contains exactly the expected products, fields and order included."""
    items = body["items"]
    if not isinstance(items, list):
        expect.fail(f"{query}: items: expected an array of products, got {json.dumps(items)[:200]}", response)
    if [item.get("id") if isinstance(item, dict) else None for item in items] != [item["id"] for item in expected]:
        expect.fail(
            f"{query}: items: expected the {len(expected)} products with ids {describe_items(expected)} "
            f"in this order, got {len(items)} with ids {describe_items(items)}",
            response,
        )
    for item, product in zip(items, expected):
        expect.equal(item, product, f"{query}: the product with id {product['id']}", response)


def fetch_page(client, products: list[dict], **params: int):
    """Request a page, check its status, items, page and limit, and return the body and response.

    The totals have their own check, so a wrong total costs its points only.
    """
    response = get_page(client, **params)
    query = describe_query(params)
    page = params.get("page", DEFAULT_PAGE)
    limit = params.get("limit", DEFAULT_LIMIT)
    if response.status_code != 200:
        expect.fail(f"{query}: page {page} with limit {limit} is valid, so expected status 200, "
                    f"got {response.status_code}", response)
    body = expect.json_object(response, *PAGE_FIELDS)
    expect_items(body, page_slice(products, page, limit), query, response)
    expect_integer_field(body, "page", page, query, response)
    expect_integer_field(body, "limit", limit, query, response)
    return body, response


def expect_totals(body: dict, products: list[dict], limit: int, query: str, response) -> None:
    expect_integer_field(body, "totalItems", len(products), query, response)
    expect_integer_field(body, "totalPages", page_count(products, limit), query, response)


def expect_error(response, reason: str) -> None:
    """Check for status 400 and a JSON object whose error field is a non-empty string.

    ``reason`` explains why the query is invalid. It goes into the message when the status is wrong.
    """
    if response.status_code != 400:
        query = response.request.url.query.decode("ascii", "replace")
        expect.fail(f"GET /products?{query}: {reason}, so expected status 400, got {response.status_code}", response)
    body = expect.json_object(response, "error")
    message = body["error"]
    expect.that(
        isinstance(message, str) and message.strip() != "",
        f"error: expected a non-empty string that explains the problem, got {message!r}",
        response,
    )


@pytest.mark.points(10)
def test_default_page(client, products):
    """GET /products without parameters returns page 1 of 10 products"""
    fetch_page(client, products)


@pytest.mark.points(6)
def test_single_default(client, products):
    """page or limit alone takes the other's default"""
    page = rng.randint(2, page_count(products, DEFAULT_LIMIT))
    fetch_page(client, products, page=page)
    fetch_page(client, products, limit=partial_limit(products))


@pytest.mark.points(14)
def test_page_and_limit(client, products):
    """page and limit select the matching slice of products"""
    for _ in range(3):
        limit = rng.randint(2, 20)
        last = page_count(products, limit)
        # A page with a full page before and after it, so an off-by-one slice shows.
        page = rng.randint(2, last - 1)
        fetch_page(client, products, page=page, limit=limit)
    fetch_page(client, products, page=1, limit=rng.randint(1, 9))


@pytest.mark.points(8)
def test_last_page(client, products):
    """The last page contains the remaining products"""
    limit = partial_limit(products)
    body, response = fetch_page(client, products, page=page_count(products, limit), limit=limit)
    remaining = len(products) % limit
    expect.that(
        len(body["items"]) == remaining,
        f"the last page of size {limit} should contain the {remaining} products that remain "
        f"of {len(products)}, got {len(body['items'])}",
        response,
    )


@pytest.mark.points(8)
def test_every_page(client, products):
    """Reading every page returns each product once, in file order"""
    limit = partial_limit(products, 8, 20)
    # Each page is compared with its slice of the file, so together they cover every product once.
    for page in range(1, page_count(products, limit) + 1):
        fetch_page(client, products, page=page, limit=limit)


@pytest.mark.points(12)
def test_totals(client, products):
    """Every page reports totalItems and totalPages"""
    limit = partial_limit(products)
    last = page_count(products, limit)
    queries: list[dict[str, int]] = [{}, {"page": 1, "limit": limit}, {"page": rng.randint(2, last - 1), "limit": limit},
                                     {"page": last, "limit": limit}]
    divisors = [size for size in range(2, MAX_LIMIT + 1) if len(products) % size == 0 and size < len(products)]
    if divisors:
        # A limit that divides the catalog, so the last page is full and no page is added for it.
        size = rng.choice(divisors)
        queries.append({"page": page_count(products, size), "limit": size})
    for params in queries:
        response = get_page(client, **params)
        if response.status_code != 200:
            expect.fail(f"{describe_query(params)}: the page and limit are valid, so expected status 200, "
                        f"got {response.status_code}", response)
        body = expect.json_object(response, "totalItems", "totalPages")
        expect_totals(body, products, params.get("limit", DEFAULT_LIMIT), describe_query(params), response)


@pytest.mark.points(6)
def test_max_limit(client, products):
    """limit=50 returns up to 50 products"""
    for page in range(1, page_count(products, MAX_LIMIT) + 1):
        fetch_page(client, products, page=page, limit=MAX_LIMIT)


@pytest.mark.points(8)
def test_past_end(client, products):
    """A page past the last one returns 200 with an empty items array"""
    limit = partial_limit(products)
    last = page_count(products, limit)
    for page in (last + 1, last + rng.randint(2, 500)):
        params = {"page": page, "limit": limit}
        query = describe_query(params)
        response = get_page(client, **params)
        if response.status_code != 200:
            expect.fail(f"{query}: page {page} is past the last page {last}, which is not an error, "
                        f"so expected status 200, got {response.status_code}", response)
        body = expect.json_object(response, *PAGE_FIELDS)
        expect.equal(body["items"], [], f"{query}: items", response)
        expect_integer_field(body, "page", page, query, response)
        expect_integer_field(body, "limit", limit, query, response)
        expect_totals(body, products, limit, query, response)


@pytest.mark.points(7)
def test_page_not_positive(client):
    """page=0 or a negative page returns 400 with an error"""
    negative = -rng.randint(1, 99)
    expect_error(get_page(client, page=0), "page=0 is below 1")
    expect_error(get_page(client, page=negative, limit=rng.randint(1, MAX_LIMIT)), f"page={negative} is negative")


@pytest.mark.points(7)
def test_limit_not_positive(client):
    """limit=0 or a negative limit returns 400 with an error"""
    negative = -rng.randint(1, 99)
    expect_error(get_page(client, limit=0), "limit=0 is below 1")
    expect_error(get_page(client, page=1, limit=negative), f"limit={negative} is negative")


@pytest.mark.points(6)
def test_limit_over_max(client):
    """limit above 50 returns 400 with an error"""
    for limit in (MAX_LIMIT + 1, rng.randint(MAX_LIMIT + 2, 10_000)):
        expect_error(get_page(client, limit=limit), f"limit={limit} is above the maximum of {MAX_LIMIT}")


@pytest.mark.points(8)
def test_not_whole_number(client):
    """A page or limit that is not a whole number returns 400 with an error"""
    whole = rng.randint(2, 5)
    fraction = f"{whole}.{rng.randint(1, 9)}"
    trailing = f"{whole}{rng.choice(('x', 'abc', 'px', 'nd'))}"
    word = rng.choice(("abc", "ten", "first", "last", "all"))
    cases = (
        ("page", "", "page is empty"),
        ("limit", "", "limit is empty"),
        ("page", word, f"page={word} is not a number"),
        ("limit", word, f"limit={word} is not a number"),
        ("page", fraction, f"page={fraction} has a fraction"),
        ("limit", fraction, f"limit={fraction} has a fraction"),
        ("page", trailing, f"page={trailing!r} has characters after the digits"),
        ("limit", trailing, f"limit={trailing!r} has characters after the digits"),
    )
    for name, value, reason in cases:
        expect_error(get_page(client, **{name: value}), reason)
