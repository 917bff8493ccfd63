"""Grader for rate-limiting: a fixed-window limit per client on GET and POST /api/echo.

All requests come from one address, so the server counts them as one client with one
counter, and the checks share it. Before each burst the grader waits until more than
RATE_WINDOW_SECONDS have passed since its last request, so the burst starts a new window
under any fixed-window counting. The first six checks read one shared burst:
RATE_LIMIT requests, then one more.

Time bounds come from the grader's clock: a window starts after its first request was
sent and before that request's response came back, so the seconds left in it at any
response lie between two known values. ``TIME_MARGIN_SECONDS`` absorbs clock jitter.
"""

from __future__ import annotations

import math
import random
import re
import secrets
import time
from dataclasses import dataclass, field

import httpx
import pytest

from hubgrade.grading import expect

rng = random.SystemRandom()

WORDS = ("hello", "ping", "marco", "echo", "testing", "sunrise", "kettle", "orbit", "maple", "harbor")
# Slack for comparing the server's timer with the grader's clock.
TIME_MARGIN_SECONDS = 0.05
# How much longer than a window the grader waits before it counts on the window being over.
WINDOW_END_MARGIN_SECONDS = 0.2
WHOLE_NUMBER = re.compile(r"\d+")

# Monotonic time of the grader's last request. Set at import, because the server may also
# have counted hubgrade's start-up probe (GET /).
last_request_at = time.monotonic()


@dataclass
class Burst:
    """RATE_LIMIT requests to GET /api/echo in one new window, then one more."""

    messages: list[str]
    within: list[httpx.Response]
    over: httpx.Response
    first_sent_at: float
    # Monotonic time at which each response of ``within``, then ``over``, came back.
    received_at: list[float] = field(default_factory=list)


burst_cache: dict[str, Burst] = {}


@pytest.fixture
def limit(injected) -> int:
    return int(injected["RATE_LIMIT"])


@pytest.fixture
def window(injected) -> int:
    return int(injected["RATE_WINDOW_SECONDS"])


def random_message() -> str:
    return f"{rng.choice(WORDS)} {secrets.token_hex(3)}"


def send(client, method: str, url: str, **kwargs) -> httpx.Response:
    """Send one request and note when it came back."""
    global last_request_at
    try:
        return client.request(method, url, **kwargs)
    finally:
        last_request_at = time.monotonic()


def echo(client, message: str, method: str = "GET") -> httpx.Response:
    if method == "GET":
        return send(client, "GET", "/api/echo", params={"message": message})
    return send(client, "POST", "/api/echo", json={"message": message})


def wait_for_new_window(window: int) -> None:
    """Sleep until the window of the grader's last request has surely ended."""
    remaining = last_request_at + window + WINDOW_END_MARGIN_SECONDS - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


def sleep_until(moment: float) -> None:
    remaining = moment - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


def get_burst(client, limit: int, window: int) -> Burst:
    """Return the shared burst, sending it on first use."""
    if "burst" in burst_cache:
        return burst_cache["burst"]
    wait_for_new_window(window)
    messages = [random_message() for _ in range(limit + 1)]
    first_sent_at = time.monotonic()
    responses = []
    received_at = []
    for message in messages:
        responses.append(echo(client, message))
        received_at.append(time.monotonic())
    burst = Burst(messages[:limit], responses[:limit], responses[limit], first_sent_at, received_at)
    burst_cache["burst"] = burst
    return burst


def where(response: httpx.Response) -> str:
    return f"{response.request.method} {response.request.url.path}"


def whole_number_header(response: httpx.Response, name: str, context: str) -> int:
    """Return a header that must be a whole number in decimal; ``context`` names the request."""
    value = expect.header(response, name).strip()
    expect.that(
        WHOLE_NUMBER.fullmatch(value) is not None,
        f"{context}: {name} must be a whole number of seconds or requests, such as 4, got {value!r}",
        response,
    )
    return int(value)


def expect_error_body(response: httpx.Response) -> None:
    body = expect.json_object(response, "error")
    message = body["error"]
    expect.that(
        isinstance(message, str) and message.strip() != "",
        f"error: expected a non-empty string that explains the problem, got {message!r}",
        response,
    )


def expect_echo(response: httpx.Response, message: str, reason: str) -> None:
    expect.status(response, 200, reason=reason)
    body = expect.json_object(response, "message")
    expect.equal(body["message"], message, "message", response)


def seconds_left_bounds(burst: Burst, index: int, window: int) -> tuple[float, float]:
    """Return the min and max seconds the window can have left at response ``index``.

    The request was sent after the previous response came back (or at the start), and the
    window began between the first request's sending and its response.
    """
    sent_at = burst.first_sent_at if index == 0 else burst.received_at[index - 1]
    min_left = burst.first_sent_at + window - burst.received_at[index]
    max_left = burst.received_at[0] + window - sent_at
    return min_left, min(max_left, window)


def expect_seconds_left(value: int, bounds: tuple[float, float], window: int, name: str, context: str,
                        response) -> None:
    min_left, max_left = bounds
    low = max(0, math.ceil(min_left - TIME_MARGIN_SECONDS))
    high = min(window, math.ceil(max_left + TIME_MARGIN_SECONDS))
    expect.that(
        low <= value <= high,
        f"{context}: {name} must be the seconds left in the window, rounded up; "
        f"the window had between {max(min_left, 0):.2f} and {max_left:.2f} s left, "
        f"so expected {low if low == high else f'{low} to {high}'}, got {value}",
        response,
    )


def request_label(index: int, limit: int) -> str:
    if index < limit:
        return f"request {index + 1} of {limit} in a new window"
    return f"request {limit + 1} in a window with a limit of {limit}"


@pytest.mark.points(12)
def test_within_limit_ok(client, limit, window):
    """Requests within the limit return 200 with the echoed message"""
    burst = get_burst(client, limit, window)
    for index, (message, response) in enumerate(zip(burst.messages, burst.within)):
        expect_echo(response, message, f"this is {request_label(index, limit)}")


@pytest.mark.points(8)
def test_limit_header(client, limit, window):
    """Every /api/echo response has the three RateLimit headers"""
    burst = get_burst(client, limit, window)
    # POST shares the counter, so in the burst's window this one is over the limit too.
    post = echo(client, random_message(), "POST")
    labelled = [(response, request_label(index, limit)) for index, response in enumerate([*burst.within, burst.over])]
    labelled.append((post, "a request after the burst"))
    for response, label in labelled:
        context = f"{where(response)}, {label}"
        for name in ("RateLimit-Remaining", "RateLimit-Reset"):
            whole_number_header(response, name, context)
        value = whole_number_header(response, "RateLimit-Limit", context)
        expect.that(
            value == limit,
            f"{context}: RateLimit-Limit must be RATE_LIMIT, which is {limit} in this run, got {value}",
            response,
        )


@pytest.mark.points(12)
def test_remaining_header(client, limit, window):
    """RateLimit-Remaining counts down to 0"""
    burst = get_burst(client, limit, window)
    for index, response in enumerate([*burst.within, burst.over]):
        context = f"{where(response)}, {request_label(index, limit)}"
        expected = max(limit - index - 1, 0)
        value = whole_number_header(response, "RateLimit-Remaining", context)
        expect.that(
            value == expected,
            f"{context}: expected RateLimit-Remaining: {expected} "
            f"({limit} minus the {index + 1} requests counted so far, and never below 0), got {value}",
            response,
        )


@pytest.mark.points(8)
def test_reset_header(client, limit, window):
    """RateLimit-Reset gives the seconds left in the window, rounded up"""
    burst = get_burst(client, limit, window)
    for index, response in enumerate([*burst.within, burst.over]):
        context = f"{where(response)}, {request_label(index, limit)}"
        value = whole_number_header(response, "RateLimit-Reset", context)
        bounds = seconds_left_bounds(burst, index, window)
        expect_seconds_left(value, bounds, window, "RateLimit-Reset", context, response)


@pytest.mark.points(15)
def test_over_limit_429(client, limit, window):
    """The request over the limit returns 429 with a JSON error"""
    burst = get_burst(client, limit, window)
    response = burst.over
    expect.status(response, 429, reason=f"the client already sent {limit} requests (RATE_LIMIT) in this window")
    expect_error_body(response)


@pytest.mark.points(10)
def test_retry_after(client, limit, window):
    """A 429 response has Retry-After with the seconds left in the window"""
    burst = get_burst(client, limit, window)
    response = burst.over
    expect.status(response, 429, reason=f"the client already sent {limit} requests (RATE_LIMIT) in this window")
    context = f"{where(response)}, {request_label(limit, limit)}"
    value = whole_number_header(response, "Retry-After", context)
    expect_seconds_left(value, seconds_left_bounds(burst, limit, window), window, "Retry-After", context, response)
    expect.that(value >= 1, f"{context}: Retry-After must be at least 1 second, got {value}", response)


@pytest.mark.points(10)
def test_health_not_limited(client, limit, window):
    """GET /health is never limited"""
    # Use up the limit first, whatever state the window is in.
    for _ in range(limit + 1):
        echo(client, random_message())
    for attempt in range(1, limit + 2):
        response = send(client, "GET", "/health")
        reason = f"/health is never limited, and this is request {attempt} to it while /api/echo is limited"
        expect.status(response, 200, reason=reason)
        body = expect.json_object(response, "status")
        expect.equal(body["status"], "ok", "status", response)


@pytest.mark.points(15)
def test_window_resets(client, limit, window):
    """The limit resets when the window ends, even after rejected requests"""
    wait_for_new_window(window)
    first_sent_at = time.monotonic()
    echo(client, random_message())
    first_received_at = time.monotonic()
    for _ in range(limit - 1):
        echo(client, random_message())

    response = echo(client, random_message())
    expect.status(response, 429, reason=f"the client already sent {limit} requests (RATE_LIMIT) in this window")
    # A rejected request in the middle of the window must not move the window's end.
    sleep_until(first_sent_at + window / 2)
    response = echo(client, random_message())
    expect.status(
        response, 429,
        reason=f"the window of {window} s (RATE_WINDOW_SECONDS) began about {window / 2:g} s ago and is full",
    )

    sleep_until(first_received_at + window + WINDOW_END_MARGIN_SECONDS)
    waited = time.monotonic() - first_sent_at
    for index in range(limit):
        message = random_message()
        response = echo(client, message)
        expect_echo(
            response, message,
            f"the {window} s window (RATE_WINDOW_SECONDS) began {waited:.1f} s ago with its first request, "
            f"and rejected requests do not make it longer, so this is {request_label(index, limit)}",
        )


@pytest.mark.points(10)
def test_routes_share_counter(client, limit, window):
    """GET and POST /api/echo share one counter"""
    wait_for_new_window(window)
    counts = {"GET": 0, "POST": 0}
    for index in range(limit):
        method = "GET" if index % 2 == 0 else "POST"
        message = random_message()
        response = echo(client, message, method)
        counts[method] += 1
        expect_echo(response, message, f"this is {request_label(index, limit)}")

    # Send the extra request to the route with fewer requests so far, which a separate
    # counter per route would still let through.
    method = min(counts, key=lambda name: counts[name])
    response = echo(client, random_message(), method)
    expect.status(
        response, 429,
        reason=f"this window already has {counts['GET']} GET and {counts['POST']} POST requests to /api/echo, "
        f"{limit} in all, and both routes count against one limit of {limit}",
    )
