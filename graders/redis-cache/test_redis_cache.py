"""Grader for redis-cache: GET /products/:id cached in Redis in front of a slow store.

All checks share one server and one Redis, so every check creates the products it needs.
The run's SLOW_MS and CACHE_TTL_SECONDS are random. Timings are compared with wide
margins: a miss must take at least 90% of SLOW_MS (the server's timer cannot fire early),
and the fastest of a few hits must take less than half of it.
"""

from __future__ import annotations

import itertools
import json
import random
import secrets
import time
from urllib.parse import quote

import pytest

from hubgrade.grading import expect

rng = random.SystemRandom()

PRODUCTS = (
    "Desk lamp", "Coffee grinder", "Trail shoes", "Notebook", "Wool scarf",
    "Kettle", "Bike light", "Yoga mat", "Headphones", "Plant pot",
)
PRODUCT_FIELDS = ("id", "name", "price")
# How many hits the speed check sends at most; the fastest one counts.
HIT_TRIES = 3
# How far below CACHE_TTL_SECONDS a fresh key's TTL may be, for the seconds a check takes.
TTL_MARGIN_SECONDS = 5


def random_product() -> dict:
    return {"name": f"{rng.choice(PRODUCTS)} {secrets.token_hex(3)}", "price": rng.randint(1, 99_999) / 100}


def unknown_id() -> str:
    """Return a large random integer, an id that a server is very unlikely to have assigned."""
    return str(rng.randint(900_000_000, 999_999_999))


def product_url(product_id: object) -> str:
    return f"/products/{quote(str(product_id), safe='')}"


def cache_key(product: dict) -> str:
    return f"product:{product['id']}"


@pytest.fixture
def slow_ms(injected) -> int:
    return int(injected["SLOW_MS"])


@pytest.fixture
def ttl_seconds(injected) -> int:
    return int(injected["CACHE_TTL_SECONDS"])


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def expect_product(response, name: str, price: float, product_id: object = None) -> dict:
    """Check that the body is a product with these values and return it."""
    product = expect.json_object(response, *PRODUCT_FIELDS)
    if product_id is not None:
        expect.equal(product["id"], product_id, "id", response)
    expect.equal(product["name"], name, "name", response)
    expect.that(
        is_number(product["price"]) and product["price"] == price,
        f"price: expected {price}, got {json.dumps(product['price'])}",
        response,
    )
    return product


def expect_valid_id(product: dict, response) -> None:
    product_id = product["id"]
    expect.that(
        (isinstance(product_id, int) and not isinstance(product_id, bool))
        or (isinstance(product_id, str) and product_id != ""),
        f"id: expected an integer or a non-empty string, got {product_id!r}",
        response,
    )


def expect_error(response, status: int, reason: str) -> None:
    """Check the status and that the body is a JSON object with a non-empty error string.

    ``reason`` explains why the request must fail. It goes into the message when the status is wrong.
    """
    if response.status_code != status:
        where = f"{response.request.method} {response.request.url.path}"
        expect.fail(f"{where}: {reason}, so expected status {status}, got {response.status_code}", response)
    body = expect.json_object(response, "error")
    message = body["error"]
    expect.that(
        isinstance(message, str) and message.strip() != "",
        f"error: expected a non-empty string that explains the problem, got {message!r}",
        response,
    )


def expect_cache_header(response, expected: str, reason: str) -> None:
    """Check that X-Cache is exactly ``expected``; ``reason`` explains why it must be."""
    where = f"{response.request.method} {response.request.url.path}"
    value = response.headers.get("x-cache")
    expect.that(
        value is not None,
        f"{where}: {reason}, so expected the header X-Cache: {expected}, but the response has no X-Cache header",
        response,
    )
    expect.that(value == expected, f"{where}: {reason}, so expected X-Cache: {expected}, got {value!r}", response)


def create_product(client) -> dict:
    """Create a product with a random name and price and return it.

    This checks only what later steps rely on, so a wrong success status costs the
    points of test_create_product alone.
    """
    fields = random_product()
    response = client.post("/products", json=fields)
    expect.status(response, {200, 201}, reason="the name and the price are valid")
    product = expect_product(response, fields["name"], fields["price"])
    expect_valid_id(product, response)
    return product


def timed_get(client, product: dict):
    """Send GET /products/:id and return the response and how long it took, in milliseconds."""
    started = time.perf_counter()
    response = client.get(product_url(product["id"]))
    return response, (time.perf_counter() - started) * 1000


def get_product(client, product: dict):
    """GET the product, check the status and the body, and return the response."""
    response = client.get(product_url(product["id"]))
    expect.status(response, 200)
    expect_product(response, product["name"], product["price"], product["id"])
    return response


def similar_keys(redis_client) -> list[str]:
    """Return up to 10 keys that contain "product", to show what the server stored instead."""
    return sorted(itertools.islice(redis_client.scan_iter(match="*product*", count=100), 10))


def read_key(redis_client, key: str) -> str | None:
    """Return the string value of a key, or None when it does not exist."""
    kind = redis_client.type(key)
    if kind == "none":
        return None
    expect.that(
        kind == "string",
        f"the key {key} is a Redis {kind}, expected a string with the product as JSON (set it with SET)",
    )
    return redis_client.get(key)


def read_cached_product(redis_client, key: str, after: str) -> dict:
    """Return the product that a key contains, failing when the key is missing or not a JSON object."""
    value = read_key(redis_client, key)
    if value is None:
        found = similar_keys(redis_client)
        listing = ", ".join(found) if found else "none"
        expect.fail(f"Redis has no key {key} {after}; keys that contain 'product': {listing}")
    try:
        cached = json.loads(value)
    except ValueError:
        cached = None
    expect.that(
        isinstance(cached, dict),
        f"the key {key} contains {value[:200]!r}, expected the product as a JSON object",
    )
    return cached


@pytest.mark.points(6)
def test_create_product(client):
    """POST /products returns 201 and the new product"""
    fields = random_product()
    response = client.post("/products", json=fields)
    expect.status(response, 201)
    first = expect_product(response, fields["name"], fields["price"])
    expect_valid_id(first, response)
    second = create_product(client)
    expect.that(
        str(first["id"]) != str(second["id"]),
        f"id: two POST /products requests both got the id {first['id']!r}, but each product needs its own id",
    )


@pytest.mark.points(4)
def test_create_invalid_product(client):
    """POST /products with a missing or invalid field returns 400 with an error"""
    name, price = random_product().values()
    cases = (
        ({"price": price}, "the body has no name"),
        ({"name": "", "price": price}, "the name is empty"),
        ({"name": rng.randint(1, 999), "price": price}, "the name is a number, not a string"),
        ({"name": name}, "the body has no price"),
        ({"name": name, "price": str(price)}, f'the price "{price}" is a string, not a number'),
        ({"name": name, "price": -price}, f"the price {-price} is negative"),
        ({"name": name, "price": None}, "the price is null, not a number"),
    )
    for body, reason in cases:
        expect_error(client.post("/products", json=body), 400, reason)


@pytest.mark.points(6)
def test_get_product(client):
    """GET /products/:id returns the product"""
    products = [create_product(client) for _ in range(2)]
    for product in reversed(products):
        get_product(client, product)


@pytest.mark.points(4)
def test_get_unknown_product(client):
    """GET /products/:id with an unknown id returns 404 with an error"""
    product_id = unknown_id()
    expect_error(client.get(product_url(product_id)), 404, f"no product has the id {product_id}")


@pytest.mark.points(8)
def test_first_get_is_miss(client, slow_ms):
    """The first GET /products/:id is a MISS that reads the slow store"""
    product = create_product(client)
    response, elapsed = timed_get(client, product)
    expect.status(response, 200)
    expect_product(response, product["name"], product["price"], product["id"])
    expect_cache_header(response, "MISS", "the product was never read before")
    expect.that(
        elapsed >= 0.9 * slow_ms,
        f"GET {product_url(product['id'])}: the MISS took {elapsed:.0f} ms, but a read from the store "
        f"takes SLOW_MS={slow_ms} ms; read the product with loadProduct and keep its delay",
        response,
    )


@pytest.mark.points(10)
def test_repeated_get_is_fast_hit(client, slow_ms):
    """A repeated GET /products/:id is a HIT well within SLOW_MS"""
    product = create_product(client)
    get_product(client, product)

    timings = []
    for _ in range(HIT_TRIES):
        response, elapsed = timed_get(client, product)
        expect.status(response, 200)
        expect_product(response, product["name"], product["price"], product["id"])
        expect_cache_header(response, "HIT", "the product was read just before")
        timings.append(elapsed)
        if elapsed < slow_ms / 2:
            return
    expect.fail(
        f"GET {product_url(product['id'])}: the fastest of {HIT_TRIES} HITs took {min(timings):.0f} ms, "
        f"expected less than {slow_ms / 2:.0f} ms (half of SLOW_MS={slow_ms}); a HIT must not read the store",
        response,
    )


@pytest.mark.points(10)
def test_miss_stores_json(client, redis_client):
    """A MISS stores the product as JSON under product:<id>"""
    product = create_product(client)
    get_product(client, product)
    key = cache_key(product)
    cached = read_cached_product(redis_client, key, f"after GET {product_url(product['id'])}")
    for field in PRODUCT_FIELDS:
        expect.that(field in cached, f"the product in the key {key} has no {field} field: {cached}")
    expect.that(
        str(cached["id"]) == str(product["id"]),
        f"id in the key {key}: expected {product['id']!r}, got {cached['id']!r}",
    )
    expect.equal(cached["name"], product["name"], f"name in the key {key}")
    expect.that(
        is_number(cached["price"]) and cached["price"] == product["price"],
        f"price in the key {key}: expected {product['price']}, got {json.dumps(cached['price'])}",
    )


@pytest.mark.points(10)
def test_key_expires(client, redis_client, ttl_seconds):
    """The key product:<id> expires after CACHE_TTL_SECONDS"""
    product = create_product(client)
    get_product(client, product)
    key = cache_key(product)
    ttl = redis_client.ttl(key)
    expect.that(ttl != -2, f"Redis has no key {key} after GET {product_url(product['id'])}")
    expect.that(
        ttl != -1,
        f"the key {key} never expires; set it with an expiry of CACHE_TTL_SECONDS={ttl_seconds} seconds "
        "(SET key value EX seconds)",
    )
    expect.that(
        ttl_seconds - TTL_MARGIN_SECONDS <= ttl <= ttl_seconds,
        f"the key {key} expires in {ttl} seconds, expected CACHE_TTL_SECONDS={ttl_seconds} "
        f"(the grader allows down to {ttl_seconds - TTL_MARGIN_SECONDS}, for the time since it was set)",
    )


@pytest.mark.points(10)
def test_hit_reads_redis(client, redis_client):
    """A HIT returns the product stored in Redis"""
    product = create_product(client)
    get_product(client, product)
    key = cache_key(product)
    cached = read_cached_product(redis_client, key, f"after GET {product_url(product['id'])}")

    name = f"{rng.choice(PRODUCTS)} {secrets.token_hex(3)}"
    cached["name"] = name
    redis_client.set(key, json.dumps(cached), keepttl=True)

    response = client.get(product_url(product["id"]))
    expect.status(response, 200)
    expect_cache_header(response, "HIT", f"the key {key} exists")
    body = expect.json_object(response, *PRODUCT_FIELDS)
    expect.that(
        body["name"] == name,
        f"name: the grader changed it to {name!r} in the key {key}, but the HIT returned {body['name']!r}; "
        "a HIT must return the product from Redis",
        response,
    )


@pytest.mark.points(8)
def test_gone_key_is_miss(client, redis_client):
    """A GET after the key is gone is a MISS and sets the key again"""
    product = create_product(client)
    get_product(client, product)
    key = cache_key(product)
    read_cached_product(redis_client, key, f"after GET {product_url(product['id'])}")
    redis_client.delete(key)

    response = client.get(product_url(product["id"]))
    expect.status(response, 200)
    expect_cache_header(response, "MISS", f"the grader deleted the key {key}")
    expect_product(response, product["name"], product["price"], product["id"])
    read_cached_product(redis_client, key, "after the MISS that followed its deletion")


@pytest.mark.points(6)
def test_put_product(client):
    """PUT /products/:id returns 200 and the updated product"""
    product = create_product(client)
    fields = random_product()
    response = client.put(product_url(product["id"]), json=fields)
    expect.status(response, 200)
    expect_product(response, fields["name"], fields["price"], product["id"])


@pytest.mark.points(8)
def test_put_deletes_key(client, redis_client):
    """PUT /products/:id deletes the key product:<id>"""
    product = create_product(client)
    get_product(client, product)
    key = cache_key(product)
    read_cached_product(redis_client, key, f"after GET {product_url(product['id'])}")

    response = client.put(product_url(product["id"]), json=random_product())
    expect.status(response, 200)
    expect.that(
        redis_client.exists(key) == 0,
        f"the key {key} still exists after PUT {product_url(product['id'])}; delete it when the product changes",
    )


@pytest.mark.points(6)
def test_get_after_put_is_miss(client):
    """The GET after a PUT is a MISS with the new product"""
    product = create_product(client)
    get_product(client, product)
    get_product(client, product)

    changed = {"id": product["id"], **random_product()}
    response = client.put(product_url(product["id"]), json={"name": changed["name"], "price": changed["price"]})
    expect.status(response, 200)

    response = client.get(product_url(product["id"]))
    expect.status(response, 200)
    expect_cache_header(response, "MISS", "a PUT changed the product since it was cached")
    expect_product(response, changed["name"], changed["price"], product["id"])

    response = client.get(product_url(product["id"]))
    expect.status(response, 200)
    expect_cache_header(response, "HIT", "the changed product was read just before")
    expect_product(response, changed["name"], changed["price"], product["id"])


@pytest.mark.points(2)
def test_put_invalid_product(client):
    """PUT /products/:id with an invalid field returns 400 and changes nothing"""
    product = create_product(client)
    name, price = random_product().values()
    cases = (
        ({"name": "", "price": price}, "the name is empty"),
        ({"name": name}, "the body has no price"),
        ({"name": name, "price": str(price)}, f'the price "{price}" is a string, not a number'),
        ({"name": name, "price": -price}, f"the price {-price} is negative"),
    )
    for body, reason in cases:
        expect_error(client.put(product_url(product["id"]), json=body), 400, reason)
    get_product(client, product)


@pytest.mark.points(2)
def test_put_unknown_product(client):
    """PUT /products/:id with an unknown id returns 404 with an error"""
    product_id = unknown_id()
    response = client.put(product_url(product_id), json=random_product())
    expect_error(response, 404, f"no product has the id {product_id}")
