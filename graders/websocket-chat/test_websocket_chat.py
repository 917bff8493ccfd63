"""Grader for websocket-chat: socket.io rooms, chat messages, and join and leave events.

Every check connects its own Socket.IO clients with room and user names that are random
per run, so checks do not see each other's traffic. An event that must come is awaited
for up to 2 s. To show that an event does not come, the clients listen for 0.5 s,
starting once the acknowledgements and events that must come first have arrived.
"""

from __future__ import annotations

import random
import re
import secrets
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from hubgrade.grading import expect
from hubgrade.grading.realtime import SILENCE_SECONDS, SocketClient, SocketClients, show

rng = random.SystemRandom()

ROOM_WORDS = ("lobby", "general", "random", "support", "backend", "design", "music", "games", "books", "travel")
USER_WORDS = ("ana", "bo", "chen", "dara", "eli", "femi", "gus", "hana", "ivo", "jun", "kai", "lea")
PHRASES = ("hello there", "who is online?", "see you soon", "lunch at noon", "the build is green", "good morning")
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
# How far the time of a chat-message may be from the grader's clock, in seconds.
CLOCK_TOLERANCE_SECONDS = 60


@pytest.fixture
def sockets(server) -> Iterator[SocketClients]:
    clients = SocketClients(server.base_url)
    yield clients
    clients.close()


def room_name() -> str:
    return f"{rng.choice(ROOM_WORDS)}-{secrets.token_hex(3)}"


def user_names(count: int) -> list[str]:
    return [f"{word}-{secrets.token_hex(3)}" for word in rng.sample(USER_WORDS, count)]


def message_text() -> str:
    return f"{rng.choice(PHRASES)} {secrets.token_hex(3)}"


def label(user: str, room: str | None) -> str:
    return f"the client of {user} in room {room}" if room else f"the client of {user} (in no room)"


def has_fields(**fields: Any) -> Callable[[Any], bool]:
    """Return a test for an event payload: a JSON object with these field values."""
    def matches(payload: Any) -> bool:
        return isinstance(payload, dict) and all(payload.get(key) == value for key, value in fields.items())

    return matches


def with_text(text: str) -> str:
    return f"with text {show(text)}"


def expect_reply(reply: Any, ok: bool, sent: str) -> dict[str, Any]:
    """Check an acknowledgement: a JSON object whose ok is ``ok``, with an error message when it is false."""
    expected_reply = '{"ok": true, ...}' if ok else '{"ok": false, "error": "..."}'
    expect.that(
        isinstance(reply, dict),
        f"{sent}: expected the acknowledgement {expected_reply}, got {show(reply)}",
    )
    expect.that(
        reply.get("ok") is ok,
        f"{sent}: expected the acknowledgement {expected_reply}, got {show(reply)}",
    )
    if not ok:
        error = reply.get("error")
        expect.that(
            isinstance(error, str) and error.strip() != "",
            f"{sent}: error: expected a non-empty string that explains the problem, got {show(error)}",
        )
    return reply


def expect_same_users(actual: Any, expected: list[str], sent: str) -> None:
    expect.that(
        isinstance(actual, list) and sorted(map(str, actual)) == sorted(expected) and len(actual) == len(expected),
        f"{sent}: users: expected the names {show(sorted(expected))} in any order, got {show(actual)}",
    )


def join(sockets: SocketClients, room: str, user: str) -> SocketClient:
    """Connect a client, join it to ``room`` as ``user`` and return it.

    This checks only that the join succeeded, so a wrong reply shape costs the points of
    test_join_acknowledged alone.
    """
    client = sockets.connect(label(user, room))
    payload = {"room": room, "user": user}
    reply = client.call("join", payload)
    expect.that(
        isinstance(reply, dict) and reply.get("ok") is True,
        f"{client.label} sent join {show(payload)}: expected the acknowledgement "
        f'{{"ok": true, ...}}, got {show(reply)}',
    )
    return client


def sent_join(room: str, user: str) -> str:
    return f"join {show({'room': room, 'user': user})}"


def check_event(payload: Any, expected: dict[str, str], event: str, receiver: SocketClient) -> None:
    """Check that an event's payload is a JSON object with the expected field values."""
    expect.that(
        isinstance(payload, dict),
        f"{receiver.label} received {event} {show(payload)}: expected a JSON object like {show(expected)}",
    )
    for key, value in expected.items():
        expect.that(
            key in payload,
            f"{receiver.label} received {event} {show(payload)}: the object has no {key} field",
        )
        expect.equal(payload[key], value, f"{receiver.label} received {event} {show(payload)}: {key}")


@pytest.mark.points(4)
def test_connect(sockets):
    """A Socket.IO client connects over WebSocket"""
    (user,) = user_names(1)
    sockets.connect(label(user, None))


@pytest.mark.points(10)
def test_join_acknowledged(sockets):
    """join is acknowledged with ok, the room and its users"""
    room = room_name()
    first, second = user_names(2)

    client = sockets.connect(label(first, room))
    sent = f"{client.label} sent {sent_join(room, first)}"
    reply = expect_reply(client.call("join", {"room": room, "user": first}), True, sent)
    expect.equal(reply.get("room"), room, f"{sent}: room in the acknowledgement")
    expect_same_users(reply.get("users"), [first], sent)

    client = sockets.connect(label(second, room))
    sent = f"{client.label} sent {sent_join(room, second)}"
    reply = expect_reply(client.call("join", {"room": room, "user": second}), True, sent)
    expect.equal(reply.get("room"), room, f"{sent}: room in the acknowledgement")
    expect_same_users(reply.get("users"), [first, second], sent)


@pytest.mark.points(10)
def test_user_joined(sockets):
    """The other members get user-joined, the new member does not"""
    room = room_name()
    first, second = user_names(2)
    member = join(sockets, room, first)
    newcomer = join(sockets, room, second)

    payload = member.wait_for("user-joined", reason=f"after {second} joined room {room}")
    check_event(payload, {"room": room, "user": second}, "user-joined", member)
    sockets.expect_silence(
        [newcomer], "user-joined", reason="user-joined goes to the other members of the room, not to the one who joined"
    )


@pytest.mark.points(12)
def test_message_reaches_room(sockets):
    """A chat-message reaches every member of the room, the sender included"""
    room = room_name()
    users = user_names(3)
    sender, *others = [join(sockets, room, user) for user in users]
    text = message_text()

    sender.emit("chat-message", {"text": text})
    after = f"after {users[0]} sent chat-message {show({'text': text})} in room {room}"
    for member in others:
        member.wait_for("chat-message", has_fields(text=text), matching=with_text(text), reason=after)
    sender.wait_for(
        "chat-message", has_fields(text=text), matching=with_text(text),
        reason=f"{after}, and the sender gets its own messages too",
    )


@pytest.mark.points(4)
def test_message_acknowledged(sockets):
    """chat-message is acknowledged with ok"""
    room = room_name()
    (user,) = user_names(1)
    client = join(sockets, room, user)
    payload = {"text": message_text()}
    expect_reply(client.call("chat-message", payload), True, f"{client.label} sent chat-message {show(payload)}")


@pytest.mark.points(10)
def test_message_fields(sockets):
    """A chat-message event has the room, the user, the text and the time"""
    room = room_name()
    sender_name, reader_name = user_names(2)
    sender = join(sockets, room, sender_name)
    reader = join(sockets, room, reader_name)
    text = message_text()

    sender.emit("chat-message", {"text": text})
    payload = reader.wait_for(
        "chat-message",
        lambda value: isinstance(value, dict) and text in value.values(),
        matching=f"with {show(text)} in a field",
        reason=f"after {sender_name} sent chat-message {show({'text': text})} in room {room}",
    )
    check_event(payload, {"room": room, "user": sender_name, "text": text}, "chat-message", reader)
    expect.that(
        "time" in payload, f"{reader.label} received chat-message {show(payload)}: the object has no time field"
    )
    stamp = payload["time"]
    problem = f"{reader.label} received chat-message {show(payload)}: time: expected an ISO 8601 UTC time"
    expect.that(
        isinstance(stamp, str) and ISO_UTC.match(stamp) is not None,
        f"{problem} such as \"2026-12-04T22:31:05.123Z\", got {show(stamp)}",
    )
    try:
        sent_at = datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        expect.fail(f"{problem}, got {show(stamp)}, which is not a valid date and time")
    expect.that(
        abs(sent_at - time.time()) <= CLOCK_TOLERANCE_SECONDS,
        f"{reader.label} received chat-message {show(payload)}: time: expected the time the server "
        f"received the message, within {CLOCK_TOLERANCE_SECONDS} s of now, got {stamp}",
    )


@pytest.mark.points(12)
def test_message_stays_in_room(sockets):
    """A chat-message never reaches a client outside the room"""
    room, other_room = room_name(), room_name()
    sender_name, reader_name, outsider_name, roomless_name = user_names(4)
    sender = join(sockets, room, sender_name)
    reader = join(sockets, room, reader_name)
    outsider = join(sockets, other_room, outsider_name)
    roomless = sockets.connect(label(roomless_name, None))
    text = message_text()

    sender.emit("chat-message", {"text": text})
    reader.wait_for(
        "chat-message", has_fields(text=text), matching=with_text(text),
        reason=f"after {sender_name} sent chat-message {show({'text': text})} in room {room}",
    )
    until = time.monotonic() + SILENCE_SECONDS
    outsider.expect_no(
        "chat-message", until=until,
        reason=f"the message was sent in room {room}, and this client is in room {other_room}",
    )
    roomless.expect_no(
        "chat-message", until=until,
        reason=f"the message was sent in room {room}, and this client joined no room",
    )


@pytest.mark.points(10)
def test_leave(sockets):
    """leave is acknowledged, and the other members get user-left"""
    room = room_name()
    users = user_names(3)
    leaver, *others = [join(sockets, room, user) for user in users]

    reply = expect_reply(leaver.call("leave"), True, f"{leaver.label} sent leave")
    expect.equal(reply.get("room"), room, f"{leaver.label} sent leave: room in the acknowledgement")
    for member in others:
        payload = member.wait_for("user-left", reason=f"after {users[0]} sent leave")
        check_event(payload, {"room": room, "user": users[0]}, "user-left", member)


@pytest.mark.points(6)
def test_no_message_after_leave(sockets):
    """A client that left gets no more messages of the room"""
    room = room_name()
    users = user_names(3)
    leaver, sender, reader = [join(sockets, room, user) for user in users]
    leaver.call("leave")
    text = message_text()

    sender.emit("chat-message", {"text": text})
    reader.wait_for(
        "chat-message", has_fields(text=text), matching=with_text(text),
        reason=f"after {users[1]} sent chat-message {show({'text': text})} in room {room}",
    )
    sockets.expect_silence(
        [leaver], "chat-message",
        reason=f"{users[0]} sent leave before the message was sent, so it is no longer in room {room}",
    )


@pytest.mark.points(10)
def test_disconnect(sockets):
    """A disconnect sends user-left to the other members and removes the user"""
    room = room_name()
    users = user_names(4)
    gone, *others = [join(sockets, room, user) for user in users[:3]]

    gone.disconnect()
    for member in others:
        payload = member.wait_for("user-left", reason=f"after the client of {users[0]} disconnected")
        check_event(payload, {"room": room, "user": users[0]}, "user-left", member)

    latecomer = sockets.connect(label(users[3], room))
    sent = f"{latecomer.label} sent {sent_join(room, users[3])} after {users[0]} disconnected"
    reply = expect_reply(latecomer.call("join", {"room": room, "user": users[3]}), True, sent)
    expect_same_users(reply.get("users"), users[1:], sent)


@pytest.mark.points(6)
def test_join_invalid(sockets):
    """join with a missing, empty or non-string room or user is acknowledged with an error"""
    room = room_name()
    member_name, newcomer_name = user_names(2)
    member = join(sockets, room, member_name)
    newcomer = sockets.connect(label(newcomer_name, None))

    for payload in ({"room": room}, {"room": "", "user": newcomer_name}, {"room": room, "user": rng.randint(1, 999)}):
        expect_reply(newcomer.call("join", payload), False, f"{newcomer.label} sent join {show(payload)}")
    sockets.expect_silence(
        [member], "user-joined", reason="every join that the other client sent was invalid, so nobody joined"
    )


@pytest.mark.points(6)
def test_message_invalid(sockets):
    """chat-message with invalid text or before join gets an error and reaches no one"""
    room = room_name()
    sender_name, reader_name, roomless_name = user_names(3)
    sender = join(sockets, room, sender_name)
    reader = join(sockets, room, reader_name)
    roomless = sockets.connect(label(roomless_name, None))

    for payload in ({"text": ""}, {}, {"text": rng.randint(1, 999)}):
        expect_reply(sender.call("chat-message", payload), False, f"{sender.label} sent chat-message {show(payload)}")
    payload = {"text": message_text()}
    expect_reply(roomless.call("chat-message", payload), False, f"{roomless.label} sent chat-message {show(payload)}")
    sockets.expect_silence(
        [reader], "chat-message",
        reason="every chat-message sent in this check was invalid or came from a client in no room",
    )
