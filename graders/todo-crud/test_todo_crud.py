"""Grader for todo-crud: an in-memory REST API on /todos.

Every check creates the todos it needs, because all checks share one server and other
checks' todos may be listed too.
"""

import json
import random
import secrets
from urllib.parse import quote

import pytest

from hubgrade.grading import expect

rng = random.SystemRandom()

TASKS = (
    "Buy milk", "Call the dentist", "Water the plants", "Renew passport", "Book train tickets",
    "Fix the bike", "Write the report", "Pay rent", "Clean the garage", "Read chapter 4",
)
TODO_FIELDS = ("id", "title", "completed")


def random_title() -> str:
    return f"{rng.choice(TASKS)} #{secrets.token_hex(3)}"


def unknown_id() -> str:
    """Return a large random integer, an id that a server is very unlikely to have assigned."""
    return str(rng.randint(900_000_000, 999_999_999))


def todo_url(todo_id: object) -> str:
    return f"/todos/{quote(str(todo_id), safe='')}"


def expect_field(actual: object, expected: object, what: str, response) -> None:
    """Check a JSON value for equality and type, so that 1 does not pass for true."""
    expect.equal(actual, expected, what, response)
    expect.that(
        type(actual) is type(expected),
        f"{what}: expected {json.dumps(expected)}, got {json.dumps(actual)}",
        response,
    )


def expect_todo(response, title: str, completed: bool, todo_id: object = None) -> dict:
    """Check that the body is a todo with these values and return it."""
    todo = expect.json_object(response, *TODO_FIELDS)
    if todo_id is not None:
        expect_field(todo["id"], todo_id, "id", response)
    expect_field(todo["title"], title, "title", response)
    expect_field(todo["completed"], completed, "completed", response)
    return todo


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


def expect_valid_id(todo: dict, response) -> None:
    todo_id = todo["id"]
    expect.that(
        (isinstance(todo_id, int) and not isinstance(todo_id, bool)) or (isinstance(todo_id, str) and todo_id != ""),
        f"id: expected an integer or a non-empty string, got {todo_id!r}",
        response,
    )


def create_todo(client) -> dict:
    """Create a todo with a random title and return it.

    This checks only what later steps rely on, so a wrong success status costs the
    points of test_create_todo alone.
    """
    response = client.post("/todos", json={"title": random_title()})
    expect.status(response, {200, 201})
    todo = expect.json_object(response, *TODO_FIELDS)
    expect_valid_id(todo, response)
    return todo


def expect_stored(client, todo_id: object, title: str, completed: bool) -> None:
    """Check that GET /todos/:id returns the todo with these values."""
    response = client.get(todo_url(todo_id))
    expect.status(response, 200)
    expect_todo(response, title, completed, todo_id)


@pytest.mark.points(10)
def test_create_todo(client):
    """POST /todos returns 201 and the new todo"""
    title = random_title()
    response = client.post("/todos", json={"title": title})
    expect.status(response, 201)
    first = expect_todo(response, title, False)
    expect_valid_id(first, response)
    second = create_todo(client)
    expect.that(
        first["id"] != second["id"],
        f"id: two POST /todos requests both got the id {first['id']!r}, but each todo needs its own id",
    )


@pytest.mark.points(6)
def test_create_missing_title(client):
    """POST /todos without a title returns 400 with an error"""
    for body in ({}, {"name": random_title()}):
        expect_error(client.post("/todos", json=body), 400, "the body has no title")


@pytest.mark.points(5)
def test_create_empty_title(client):
    """POST /todos with an empty title returns 400 with an error"""
    expect_error(client.post("/todos", json={"title": ""}), 400, "the title is empty")


@pytest.mark.points(5)
def test_create_non_string_title(client):
    """POST /todos with a non-string title returns 400 with an error"""
    for title in (rng.randint(1, 9999), True, None, [random_title()], {"text": random_title()}):
        response = client.post("/todos", json={"title": title})
        expect_error(response, 400, f"the title {json.dumps(title)} is not a string")


@pytest.mark.points(8)
def test_list_todos(client):
    """GET /todos lists every todo in creation order"""
    created = [create_todo(client) for _ in range(3)]
    response = client.get("/todos")
    expect.status(response, 200)
    listed = expect.json_list(response)
    positions = {}
    for position, item in enumerate(listed):
        if isinstance(item, dict) and "id" in item:
            positions.setdefault(str(item["id"]), (position, item))

    for todo in created:
        found = positions.get(str(todo["id"]))
        expect.that(found is not None, f"the list has no todo with id {todo['id']!r}, created just before", response)
        item = found[1]
        for field in TODO_FIELDS:
            expect.that(field in item, f"the listed todo {todo['id']!r} has no {field} field", response)
        expect_field(item["title"], todo["title"], f"title of the listed todo {todo['id']!r}", response)
        expect_field(item["completed"], False, f"completed of the listed todo {todo['id']!r}", response)
    order = [positions[str(todo["id"])][0] for todo in created]
    expect.that(
        order == sorted(order),
        f"expected the todos {[todo['id'] for todo in created]} in the order they were created, "
        f"found them at positions {order} of the list",
        response,
    )


@pytest.mark.points(8)
def test_get_todo(client):
    """GET /todos/:id returns the todo"""
    todos = [create_todo(client) for _ in range(2)]
    for todo in reversed(todos):
        expect_stored(client, todo["id"], todo["title"], False)


@pytest.mark.points(6)
def test_get_unknown_todo(client):
    """GET /todos/:id with an unknown id returns 404 with an error"""
    todo_id = unknown_id()
    expect_error(client.get(todo_url(todo_id)), 404, f"no todo has the id {todo_id}")


@pytest.mark.points(6)
def test_patch_title(client):
    """PATCH /todos/:id changes the title and keeps completed"""
    todo = create_todo(client)
    title = random_title()
    response = client.patch(todo_url(todo["id"]), json={"title": title})
    expect.status(response, 200)
    expect_todo(response, title, False, todo["id"])
    expect_stored(client, todo["id"], title, False)


@pytest.mark.points(6)
def test_patch_completed(client):
    """PATCH /todos/:id sets completed and keeps the title"""
    todo = create_todo(client)
    for completed in (True, False, False):
        response = client.patch(todo_url(todo["id"]), json={"completed": completed})
        expect.status(response, 200)
        expect_todo(response, todo["title"], completed, todo["id"])
        expect_stored(client, todo["id"], todo["title"], completed)


@pytest.mark.points(4)
def test_patch_both_fields(client):
    """PATCH /todos/:id changes both fields at once"""
    todo = create_todo(client)
    title = random_title()
    response = client.patch(todo_url(todo["id"]), json={"title": title, "completed": True})
    expect.status(response, 200)
    expect_todo(response, title, True, todo["id"])
    expect_stored(client, todo["id"], title, True)


@pytest.mark.points(6)
def test_patch_invalid_fields(client):
    """PATCH /todos/:id with an invalid field returns 400 with an error"""
    todo = create_todo(client)
    number = rng.randint(1, 9999)
    cases = (
        ({"title": ""}, "the title is empty"),
        ({"title": number}, f"the title {number} is not a string"),
        ({"completed": "true"}, 'completed "true" is a string, not a boolean'),
        ({"completed": 1}, "completed 1 is a number, not a boolean"),
    )
    for body, reason in cases:
        response = client.patch(todo_url(todo["id"]), json=body)
        expect_error(response, 400, reason)


@pytest.mark.points(4)
def test_rejected_patch_keeps_todo(client):
    """A rejected PATCH leaves the todo unchanged"""
    todo = create_todo(client)
    response = client.patch(todo_url(todo["id"]), json={"title": random_title(), "completed": "yes"})
    expect_error(response, 400, 'completed "yes" is not a boolean')
    expect_stored(client, todo["id"], todo["title"], False)


@pytest.mark.points(4)
def test_patch_unknown_todo(client):
    """PATCH /todos/:id with an unknown id returns 404 with an error"""
    todo_id = unknown_id()
    response = client.patch(todo_url(todo_id), json={"title": random_title()})
    expect_error(response, 404, f"no todo has the id {todo_id}")


@pytest.mark.points(6)
def test_delete_returns_204(client):
    """DELETE /todos/:id returns 204 with an empty body"""
    todo = create_todo(client)
    response = client.delete(todo_url(todo["id"]))
    expect.status(response, 204)
    expect.that(
        response.content == b"",
        f"DELETE {todo_url(todo['id'])}: expected an empty body with status 204, got {len(response.content)} bytes",
        response,
    )


@pytest.mark.points(6)
def test_deleted_todo_is_gone(client):
    """A deleted todo is gone from GET /todos/:id and GET /todos"""
    todo = create_todo(client)
    # Only the removal counts here, because the status of the DELETE has its own check.
    response = client.delete(todo_url(todo["id"]))
    expect.status(response, {200, 204})

    expect_error(client.get(todo_url(todo["id"])), 404, f"todo {todo['id']!r} was deleted")
    response = client.get("/todos")
    expect.status(response, 200)
    listed = expect.json_list(response)
    remaining = [item for item in listed if isinstance(item, dict) and str(item.get("id")) == str(todo["id"])]
    expect.that(not remaining, f"GET /todos still lists the deleted todo {todo['id']!r}", response)


@pytest.mark.points(4)
def test_delete_unknown_todo(client):
    """DELETE /todos/:id with an unknown id returns 404 with an error"""
    todo_id = unknown_id()
    expect_error(client.delete(todo_url(todo_id)), 404, f"no todo has the id {todo_id}")


@pytest.mark.points(6)
def test_ids_not_reused(client):
    """Ids are not reused after a delete"""
    first = create_todo(client)
    second = create_todo(client)
    response = client.delete(todo_url(first["id"]))
    expect.status(response, {200, 204})
    third = create_todo(client)
    expect.that(
        str(third["id"]) != str(first["id"]),
        f"id: after todo {first['id']!r} was deleted, a new todo got the same id {third['id']!r}",
    )
    expect.that(
        str(third["id"]) != str(second["id"]),
        f"id: after todo {first['id']!r} was deleted, a new todo got the id {third['id']!r}, "
        "which an existing todo already has",
    )
    expect_stored(client, second["id"], second["title"], False)
