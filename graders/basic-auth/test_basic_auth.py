"""Grader for basic-auth: register, log in, HTTP Basic on GET /me, bcrypt-hashed passwords.

All checks share one server, so every check registers the users it needs under fresh
random names. The stored hashes are read through GET /admin/users with the run's
ADMIN_TOKEN. Python's standard library has no bcrypt, so the hash checks look at the
hash's form, cost and salt, and the login checks show that the server can verify it.
"""

from __future__ import annotations

import base64
import json
import random
import re
import secrets

import httpx
import pytest

from hubgrade.grading import expect

rng = random.SystemRandom()

NAMES = ("ada", "grace", "linus", "margaret", "alan", "barbara", "dennis", "frances", "ken", "radia")
# A bcrypt hash in modular crypt format: version, two-digit cost, 22 characters of salt
# and 31 of hash from bcrypt's own Base64 alphabet.
BCRYPT_HASH = re.compile(r"\$(2[aby])\$(\d\d)\$([./A-Za-z0-9]{53})")
MIN_BCRYPT_COST = 10
# A Basic challenge with a non-empty realm, among other challenges and parameters or alone.
# Scheme and parameter names are case-insensitive (RFC 7235).
BASIC_CHALLENGE = re.compile(r'(?:^|,)\s*basic\s+(?:.*?,\s*)?realm\s*=\s*(?:"[^"]+"|[^\s",]+)', re.IGNORECASE)


def random_username() -> str:
    return f"{rng.choice(NAMES)}-{secrets.token_hex(4)}"


def random_password() -> str:
    """Return a password without a colon, because only the colon check uses one."""
    return secrets.token_urlsafe(12)


def basic_header(username: str, password: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


@pytest.fixture
def admin_header(injected) -> dict[str, str]:
    return {"Authorization": f"Bearer {injected['ADMIN_TOKEN']}"}


def expect_error(response: httpx.Response, status: int, reason: str) -> None:
    """Check the status and that the body is a JSON object with a non-empty error string.

    ``reason`` explains why the request must fail. It goes into the message when the status is wrong.
    """
    expect.status(response, status, reason=reason)
    body = expect.json_object(response, "error")
    message = body["error"]
    expect.that(
        isinstance(message, str) and message.strip() != "",
        f"error: expected a non-empty string that explains the problem, got {message!r}",
        response,
    )


def expect_user_body(response: httpx.Response, username: str, password: str) -> None:
    """Check that the body is {"username": ...} and shows neither the password nor a hash."""
    body = expect.json_object(response, "username")
    expect.equal(body["username"], username, "username", response)
    where = f"{response.request.method} {response.request.url.path}"
    for field in ("password", "passwordHash"):
        expect.that(field not in body, f"{where}: the body MUST NOT have a {field} field", response)
    text = response.text
    expect.that(password not in text, f"{where}: the body contains the password {password!r}", response)
    expect.that(BCRYPT_HASH.search(text) is None, f"{where}: the body contains a bcrypt hash", response)


def expect_basic_challenge(response: httpx.Response, reason: str) -> None:
    """Check a 401 with a JSON error and a WWW-Authenticate header that requests Basic with a realm."""
    expect_error(response, 401, reason)
    challenge = expect.header(response, "www-authenticate")
    expect.that(
        BASIC_CHALLENGE.search(challenge) is not None,
        f'WWW-Authenticate: expected a Basic challenge with a realm, such as Basic realm="api", got {challenge!r}',
        response,
    )


def register(client, username: str, password: str) -> None:
    """Register a user as a step of a check. Only the success status is checked here."""
    response = client.post("/register", json={"username": username, "password": password})
    expect.status(response, {200, 201}, reason=f"the username {username} is new and the password valid")


def new_user(client) -> tuple[str, str]:
    username, password = random_username(), random_password()
    register(client, username, password)
    return username, password


def stored_hashes(client, admin_header: dict[str, str]) -> dict[str, object]:
    """Return the username-to-passwordHash map from GET /admin/users."""
    response = client.get("/admin/users", headers=admin_header)
    expect.status(response, 200, reason="the request carries the admin token from ADMIN_TOKEN")
    listed = expect.json_list(response)
    hashes: dict[str, object] = {}
    for position, record in enumerate(listed):
        expect.that(
            isinstance(record, dict) and "username" in record and "passwordHash" in record,
            f"GET /admin/users: item {position} of the array is not an object with username and passwordHash, "
            f"got {json.dumps(record)[:200]}",
            response,
        )
        hashes[str(record["username"])] = record["passwordHash"]
    return hashes


def expect_listed_hash(hashes: dict[str, object], username: str) -> str:
    """Return the passwordHash that GET /admin/users lists for this user."""
    expect.that(username in hashes, f"GET /admin/users: the user {username}, registered just before, is not listed")
    password_hash = hashes[username]
    expect.that(
        isinstance(password_hash, str),
        f"GET /admin/users: passwordHash of {username}: expected a string, got {json.dumps(password_hash)}",
    )
    return password_hash


@pytest.mark.points(10)
def test_register_user(client):
    """POST /register returns 201 and the username without the password"""
    username, password = random_username(), random_password()
    response = client.post("/register", json={"username": username, "password": password})
    expect.status(response, 201, reason=f"the username {username} is new and the password valid")
    expect_user_body(response, username, password)


@pytest.mark.points(8)
def test_register_invalid(client):
    """POST /register with a missing or invalid field returns 400 with an error"""
    username, password = random_username(), random_password()
    number = rng.randint(1, 99_999)
    cases = (
        ({}, "the body has neither username nor password"),
        ({"password": password}, "the body has no username"),
        ({"username": username}, "the body has no password"),
        ({"username": "", "password": password}, "the username is empty"),
        ({"username": username, "password": ""}, "the password is empty"),
        ({"username": number, "password": password}, f"the username {number} is not a string"),
        ({"username": username, "password": number}, f"the password {number} is not a string"),
        ({"username": f"{username}:x", "password": password}, "the username contains a colon"),
    )
    for body, reason in cases:
        expect_error(client.post("/register", json=body), 400, reason)


@pytest.mark.points(10)
def test_register_duplicate(client):
    """POST /register with a taken username returns 409 and keeps the first user"""
    username, password = new_user(client)
    other_password = random_password()
    response = client.post("/register", json={"username": username, "password": other_password})
    expect_error(response, 409, f"the username {username} is taken")

    response = client.post("/login", json={"username": username, "password": password})
    expect.status(response, 200, reason="this is the password of the first registration, which must still work")
    response = client.post("/login", json={"username": username, "password": other_password})
    expect.status(response, 401, reason="this is the password of the rejected registration, which must not work")


@pytest.mark.points(10)
def test_login(client):
    """POST /login with the right password returns 200 and the username"""
    users = [new_user(client) for _ in range(2)]
    for username, password in reversed(users):
        response = client.post("/login", json={"username": username, "password": password})
        expect.status(response, 200, reason=f"the password is the one {username} registered with")
        expect_user_body(response, username, password)


@pytest.mark.points(10)
def test_login_wrong_password(client):
    """POST /login with a wrong password returns 401 with an error"""
    username, password = new_user(client)
    for wrong in (random_password(), password[:-1], password + "x", password.upper()):
        if wrong == password:
            continue
        response = client.post("/login", json={"username": username, "password": wrong})
        expect_error(response, 401, f"{wrong!r} is not the password of {username}")


@pytest.mark.points(6)
def test_login_unknown_user(client):
    """POST /login with an unknown username returns 401 with an error"""
    username, password = new_user(client)
    unknown = random_username()
    response = client.post("/login", json={"username": unknown, "password": password})
    expect_error(response, 401, f"no user has the username {unknown}")


@pytest.mark.points(10)
def test_me_valid(client):
    """GET /me with valid Basic credentials returns the user"""
    users = [new_user(client) for _ in range(2)]
    for username, password in reversed(users):
        response = client.get("/me", headers=basic_header(username, password))
        expect.status(response, 200, reason=f"the Basic credentials are those of {username}")
        expect_user_body(response, username, password)


@pytest.mark.points(8)
def test_me_no_credentials(client):
    """GET /me without credentials returns 401 with a Basic challenge"""
    expect_basic_challenge(client.get("/me"), "the request has no Authorization header")


@pytest.mark.points(8)
def test_me_bad_credentials(client):
    """GET /me with wrong or malformed credentials returns 401 with a Basic challenge"""
    username, password = new_user(client)
    no_colon = base64.b64encode(f"{username}{password}".encode()).decode()
    cases = (
        (basic_header(username, random_password()), "the password is wrong"),
        (basic_header(random_username(), password), "no user has this username"),
        ({"Authorization": f"Bearer {secrets.token_hex(16)}"}, "the header uses the Bearer scheme, not Basic"),
        ({"Authorization": f"Basic {no_colon}"}, "the decoded credentials have no colon"),
        ({"Authorization": "Basic"}, "the header has no credentials after Basic"),
        ({"Authorization": f"{username}:{password}"}, "the header has no scheme and is not Base64"),
    )
    for headers, reason in cases:
        expect_basic_challenge(client.get("/me", headers=headers), reason)


@pytest.mark.points(4)
def test_me_colon_password(client):
    """GET /me accepts a password that contains a colon"""
    username = random_username()
    password = f"{secrets.token_urlsafe(6)}:{secrets.token_urlsafe(6)}:{secrets.token_hex(2)}"
    register(client, username, password)
    response = client.get("/me", headers=basic_header(username, password))
    expect.status(
        response,
        200,
        reason=f"the password {password!r} is everything after the first colon of the decoded credentials",
    )
    expect_user_body(response, username, password)


@pytest.mark.points(4)
def test_admin_requires_token(client, injected):
    """GET /admin/users without the admin token returns 401 with an error"""
    username, password = new_user(client)
    wrong_token = secrets.token_hex(16)
    while wrong_token == injected["ADMIN_TOKEN"]:
        wrong_token = secrets.token_hex(16)
    cases = (
        ({}, "the request has no Authorization header"),
        ({"Authorization": f"Bearer {wrong_token}"}, "the Bearer token is not ADMIN_TOKEN"),
        (basic_header(username, password), "a user's Basic credentials are not the admin token"),
    )
    for headers, reason in cases:
        expect_error(client.get("/admin/users", headers=headers), 401, reason)


@pytest.mark.points(8)
def test_hashes_are_bcrypt(client, admin_header):
    """GET /admin/users shows every password as a bcrypt hash"""
    users = [new_user(client) for _ in range(2)]
    hashes = stored_hashes(client, admin_header)
    for username, password in users:
        password_hash = expect_listed_hash(hashes, username)
        expect.that(
            password not in password_hash,
            f"GET /admin/users: the passwordHash of {username} contains the password itself",
        )
        match = BCRYPT_HASH.fullmatch(password_hash)
        expect.that(
            match is not None,
            f"GET /admin/users: the passwordHash of {username} is not a bcrypt hash: expected $2b$, a cost "
            f"factor, $ and 53 characters of salt and hash (60 characters in all), got {password_hash[:80]!r}",
        )
        cost = int(match.group(2))
        expect.that(
            cost >= MIN_BCRYPT_COST,
            f"GET /admin/users: the bcrypt hash of {username} has the cost factor {cost}, "
            f"expected at least {MIN_BCRYPT_COST}",
        )


@pytest.mark.points(4)
def test_hashes_salted(client, admin_header):
    """Two users with the same password get different hashes"""
    password = random_password()
    usernames = [random_username() for _ in range(2)]
    for username in usernames:
        register(client, username, password)
    hashes = stored_hashes(client, admin_header)
    first, second = (expect_listed_hash(hashes, username) for username in usernames)
    expect.that(
        first != second,
        f"GET /admin/users: {usernames[0]} and {usernames[1]} have the same password and the same hash "
        f"{first[:80]!r}; a hash with a random salt differs every time",
    )
