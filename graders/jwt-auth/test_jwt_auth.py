"""Grader for jwt-auth: register, log in for an HS256 JWT, and a route that verifies it.

All checks share one server, so every check registers the users it needs under fresh
random names. The grader reads the run's JWT_SECRET from the injected environment. It
verifies the login token's signature with the standard library's hmac, and it signs tokens
of its own, both valid ones and ones that the server must reject (another secret, an
altered payload, expired, alg none).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import random
import re
import secrets
import time
from dataclasses import dataclass

import httpx
import pytest

from hubgrade.grading import expect

rng = random.SystemRandom()

NAMES = ("ada", "grace", "linus", "margaret", "alan", "barbara", "dennis", "frances", "ken", "radia")
# A bcrypt hash anywhere in a text, to catch a stored hash leaking into a response or token.
BCRYPT_HASH = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")
# How far the token's iat may be from the grader's clock, in seconds. Server and grader
# run on one machine, so this only allows for the time a request takes.
CLOCK_SKEW_SECONDS = 60
# How long before now the grader's expired tokens expired, in seconds.
EXPIRED_AGO_SECONDS = 300


def random_username() -> str:
    return f"{rng.choice(NAMES)}-{secrets.token_hex(4)}"


def random_password() -> str:
    return secrets.token_urlsafe(12)


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded Base64url, raising ValueError when ``text`` is not Base64url."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("it contains characters outside the Base64url alphabet")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError(str(exc)) from exc


def hs256_signature(signing_input: str, secret: str) -> str:
    """Return the Base64url HMAC-SHA256 of ``signing_input``, keyed with the secret's UTF-8 bytes."""
    digest = hmac.new(secret.encode("utf-8"), signing_input.encode("ascii"), hashlib.sha256).digest()
    return b64url_encode(digest)


def encode_part(value: dict) -> str:
    return b64url_encode(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def sign_token(payload: dict, secret: str, header: dict | None = None) -> str:
    """Return a compact JWT with this payload, signed with HS256 and ``secret``."""
    signing_input = f"{encode_part(header or {'alg': 'HS256', 'typ': 'JWT'})}.{encode_part(payload)}"
    return f"{signing_input}.{hs256_signature(signing_input, secret)}"


def valid_payload(username: str) -> dict:
    now = int(time.time())
    return {"sub": username, "iat": now, "exp": now + 600}


def other_secret(secret: str) -> str:
    candidate = secrets.token_hex(32)
    while candidate == secret:
        candidate = secrets.token_hex(32)
    return candidate


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def jwt_secret(injected) -> str:
    return injected["JWT_SECRET"]


@pytest.fixture
def expires_seconds(injected) -> int:
    return int(injected["JWT_EXPIRES_SECONDS"])


@dataclass
class Token:
    """A login token split into its parts, with the header and payload decoded."""

    text: str
    header: dict
    payload: dict
    signing_input: str
    signature: str


def parse_token(token: object, response: httpx.Response) -> Token:
    """Split and decode a compact JWT, failing the check with the reason when it is malformed."""
    expect.that(
        isinstance(token, str) and token != "",
        f"token: expected a JWT as a string, got {json.dumps(token)[:200]}",
        response,
    )
    parts = token.split(".")
    expect.that(
        len(parts) == 3,
        f"token: expected three Base64url parts separated by dots, got {len(parts)} part(s) in {token[:200]!r}",
        response,
    )
    decoded = []
    for name, part in (("header", parts[0]), ("payload", parts[1])):
        try:
            value = json.loads(b64url_decode(part).decode("utf-8"))
        except ValueError as exc:
            expect.fail(f"token: the {name} is not Base64url-encoded JSON ({exc})", response)
        expect.that(
            isinstance(value, dict),
            f"token: the {name} must decode to a JSON object, got {json.dumps(value)[:200]}",
            response,
        )
        decoded.append(value)
    return Token(token, decoded[0], decoded[1], f"{parts[0]}.{parts[1]}", parts[2])


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


def expect_no_secrets(text: str, password: str, where: str, response: httpx.Response) -> None:
    """Check that ``text`` shows neither the password nor a bcrypt hash."""
    expect.that(password not in text, f"{where} contains the password {password!r}", response)
    expect.that(BCRYPT_HASH.search(text) is None, f"{where} contains a bcrypt hash", response)


def expect_user_body(response: httpx.Response, username: str, password: str) -> None:
    """Check that the body is {"username": ...} and shows neither the password nor a hash."""
    body = expect.json_object(response, "username")
    expect.equal(body["username"], username, "username", response)
    where = f"{response.request.method} {response.request.url.path}"
    for field in ("password", "passwordHash"):
        expect.that(field not in body, f"{where}: the body MUST NOT have a {field} field", response)
    expect_no_secrets(response.text, password, f"{where}: the body", response)


def register(client, username: str, password: str) -> None:
    """Register a user as a step of a check. Only the success status is checked here."""
    response = client.post("/register", json={"username": username, "password": password})
    expect.status(response, {200, 201}, reason=f"the username {username} is new and the password valid")


def new_user(client) -> tuple[str, str]:
    username, password = random_username(), random_password()
    register(client, username, password)
    return username, password


def login(client, username: str, password: str) -> tuple[Token, httpx.Response]:
    """Log in as a step of a check and return the parsed token, without verifying it."""
    response = client.post("/login", json={"username": username, "password": password})
    expect.status(response, 200, reason=f"the password is the one {username} registered with")
    body = expect.json_object(response, "token")
    return parse_token(body["token"], response), response


def expect_rejected(client, token: str, reason: str) -> None:
    expect_error(client.get("/me", headers=bearer(token)), 401, reason)


@pytest.mark.points(8)
def test_register_user(client):
    """POST /register returns 201 and the username without the password"""
    username, password = random_username(), random_password()
    response = client.post("/register", json={"username": username, "password": password})
    expect.status(response, 201, reason=f"the username {username} is new and the password valid")
    expect_user_body(response, username, password)


@pytest.mark.points(6)
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
        ({"username": username, "password": [password]}, "the password is an array, not a string"),
    )
    for body, reason in cases:
        expect_error(client.post("/register", json=body), 400, reason)


@pytest.mark.points(8)
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


@pytest.mark.points(14)
def test_login_token(client, jwt_secret):
    """POST /login returns a JWT signed with JWT_SECRET using HS256"""
    username, password = new_user(client)
    token, response = login(client, username, password)
    expect_no_secrets(response.text, password, "POST /login: the body", response)

    expect.equal(token.header.get("alg"), "HS256", "token header alg", response)
    expected_signature = hs256_signature(token.signing_input, jwt_secret)
    expect.that(
        hmac.compare_digest(token.signature, expected_signature),
        "token: the signature does not match the HMAC-SHA256 of header.payload with the key JWT_SECRET. "
        "Sign with process.env.JWT_SECRET as it is",
        response,
    )
    expect.equal(token.payload.get("sub"), username, "token payload sub", response)
    for field in ("password", "passwordHash"):
        expect.that(field not in token.payload, f"token: the payload MUST NOT have a {field} field", response)
    expect_no_secrets(json.dumps(token.payload), password, "token: the payload", response)


@pytest.mark.points(8)
def test_token_expiry(client, expires_seconds):
    """The login token expires JWT_EXPIRES_SECONDS after it is issued"""
    username, password = new_user(client)
    before = time.time()
    token, response = login(client, username, password)
    after = time.time()

    times = {}
    for field in ("iat", "exp"):
        expect.that(field in token.payload, f"token: the payload has no {field} field", response)
        value = token.payload[field]
        expect.that(
            isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer(),
            f"token payload {field}: expected a whole number of seconds since 1970, got {json.dumps(value)}",
            response,
        )
        times[field] = int(value)
    expect.that(
        before - CLOCK_SKEW_SECONDS <= times["iat"] <= after + CLOCK_SKEW_SECONDS,
        f"token payload iat: expected the time of the login, about {int(before)}, got {times['iat']} "
        f"({times['iat'] - int(before)} s off)",
        response,
    )
    lifetime = times["exp"] - times["iat"]
    expect.that(
        lifetime == expires_seconds,
        f"token payload exp: expected iat + JWT_EXPIRES_SECONDS = {times['iat']} + {expires_seconds} = "
        f"{times['iat'] + expires_seconds}, got {times['exp']} (a lifetime of {lifetime} s)",
        response,
    )


@pytest.mark.points(8)
def test_login_rejected(client):
    """POST /login with a wrong password or an unknown username returns 401 with an error"""
    username, password = new_user(client)
    cases = (
        ({"username": username, "password": random_password()}, f"the password is not the one of {username}"),
        ({"username": username, "password": password + "x"}, f"the password is not the one of {username}"),
        ({"username": random_username(), "password": password}, "no user has this username"),
    )
    for body, reason in cases:
        expect_error(client.post("/login", json=body), 401, reason)


@pytest.mark.points(10)
def test_me_login_token(client):
    """GET /me with the login token returns the user"""
    users = [new_user(client) for _ in range(2)]
    tokens = [login(client, username, password)[0] for username, password in users]
    for (username, password), token in reversed(list(zip(users, tokens))):
        response = client.get("/me", headers=bearer(token.text))
        expect.status(response, 200, reason=f"the token is the one POST /login returned for {username}")
        expect_user_body(response, username, password)


@pytest.mark.points(6)
def test_me_grader_token(client, jwt_secret):
    """GET /me accepts a token that the grader signs with JWT_SECRET"""
    username, password = new_user(client)
    token = sign_token(valid_payload(username), jwt_secret)
    response = client.get("/me", headers=bearer(token))
    expect.status(
        response,
        200,
        reason=f"the token is signed with HS256 and JWT_SECRET, has not expired, and its sub is {username}",
    )
    expect_user_body(response, username, password)


@pytest.mark.points(6)
def test_me_no_token(client, jwt_secret):
    """GET /me without a Bearer token returns 401 with an error"""
    username, password = new_user(client)
    token = sign_token(valid_payload(username), jwt_secret)
    basic = base64.b64encode(f"{username}:{password}".encode()).decode()
    cases = (
        ({}, "the request has no Authorization header"),
        ({"Authorization": "Bearer"}, "the header has no token after Bearer"),
        ({"Authorization": f"Basic {basic}"}, "the header uses the Basic scheme, not Bearer"),
        ({"Authorization": token}, "the token is sent without the Bearer scheme"),
    )
    for headers, reason in cases:
        expect_error(client.get("/me", headers=headers), 401, reason)


@pytest.mark.points(6)
def test_me_malformed(client):
    """GET /me with a malformed token returns 401 with an error"""
    not_json = ".".join(b64url_encode(secrets.token_bytes(12)) for _ in range(3))
    cases = (
        (f"not-a-jwt-{secrets.token_hex(4)}", "the token has no dots"),
        (f"{encode_part({'alg': 'HS256', 'typ': 'JWT'})}.{b64url_encode(secrets.token_bytes(16))}",
         "the token has two parts, not three"),
        (not_json, "the token's parts are random bytes, not Base64url-encoded JSON"),
        ("a.b.c.d", "the token has four parts, not three"),
    )
    for token, reason in cases:
        expect_rejected(client, token, reason)


@pytest.mark.points(8)
def test_me_bad_signature(client, jwt_secret):
    """GET /me with a wrongly signed or altered token returns 401 with an error"""
    username, password = new_user(client)
    victim, _ = new_user(client)
    signed_elsewhere = sign_token(valid_payload(username), other_secret(jwt_secret))
    expect_rejected(client, signed_elsewhere, "the token is signed with another secret than JWT_SECRET")

    token, _ = login(client, username, password)
    altered = {**token.payload, "sub": victim}
    altered_token = f"{token.text.split('.')[0]}.{encode_part(altered)}.{token.signature}"
    expect_rejected(client, altered_token, f"the payload's sub was changed to {victim} after signing")
    altered_header = encode_part({**token.header, "kid": secrets.token_hex(4)})
    altered_token = f"{altered_header}.{token.signing_input.split('.')[1]}.{token.signature}"
    expect_rejected(client, altered_token, "a kid field was added to the header after signing")

    unsigned = sign_token(valid_payload(username), jwt_secret).rsplit(".", 1)[0] + "."
    expect_rejected(client, unsigned, "the token's signature is missing")


@pytest.mark.points(6)
def test_me_expired(client, jwt_secret, expires_seconds):
    """GET /me with an expired token returns 401 with an error"""
    username, _ = new_user(client)
    expired_at = int(time.time()) - EXPIRED_AGO_SECONDS
    token = sign_token({"sub": username, "iat": expired_at - expires_seconds, "exp": expired_at}, jwt_secret)
    expect_rejected(
        client, token, f"the token is signed with JWT_SECRET but expired {EXPIRED_AGO_SECONDS} seconds ago"
    )


@pytest.mark.points(6)
def test_me_alg_none(client):
    """GET /me with an alg none token returns 401 with an error"""
    username, _ = new_user(client)
    payload = encode_part(valid_payload(username))
    for alg in ("none", "None"):
        token = f"{encode_part({'alg': alg, 'typ': 'JWT'})}.{payload}."
        expect_rejected(client, token, f'the token\'s header has "alg": "{alg}" and no signature')
