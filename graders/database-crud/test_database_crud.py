"""Grader for database-crud: a REST API on /users kept in PostgreSQL, MySQL or MongoDB.

All checks share one server and one database, so every check creates the users it needs,
with random names and emails, and GET /users may list other checks' users too. The checks
that look into the database use the `users` table (or collection) that the spec fixes.
The restart check comes last, so that a server that does not come back costs its points
alone.
"""

from __future__ import annotations

import json
import random
import secrets
from typing import Any
from urllib.parse import quote

import pytest

from hubgrade.grading import expect

rng = random.SystemRandom()

FIRST_NAMES = (
    "Ada", "Alan", "Barbara", "Dennis", "Edsger", "Frances", "Grace", "Ken", "Margaret", "Radia",
)
LAST_NAMES = (
    "Allen", "Hamilton", "Hopper", "Kay", "Knuth", "Liskov", "Perlman", "Ritchie", "Thompson", "Turing",
)
USER_FIELDS = ("id", "name", "email")


def random_name() -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {secrets.token_hex(2)}"


def random_email() -> str:
    """Return a new lower-case email address, so that no two checks collide."""
    return f"{rng.choice(FIRST_NAMES).lower()}.{secrets.token_hex(5)}@example.com"


def unknown_ids() -> tuple[str, str]:
    """Return two ids that no user has: one in the form of a SQL id, one of a MongoDB ObjectId.

    The ObjectId form starts with a letter, so that a server that parses ids with
    parseInt() cannot read a number from it.
    """
    return str(rng.randint(900_000_000, 999_999_999)), "f" + secrets.token_hex(12)[1:]


def user_url(user_id: object) -> str:
    return f"/users/{quote(str(user_id), safe='')}"


def expect_field(actual: object, expected: object, what: str, response) -> None:
    """Check a JSON value for equality and type, so that 1 does not pass for "1"."""
    expect.equal(actual, expected, what, response)
    expect.that(
        type(actual) is type(expected),
        f"{what}: expected {json.dumps(expected)}, got {json.dumps(actual)}",
        response,
    )


def expect_user(response, name: str, email: str, user_id: object = None) -> dict:
    """Check that the body is a user with these values and return it."""
    user = expect.json_object(response, *USER_FIELDS)
    if user_id is not None:
        expect_field(user["id"], user_id, "id", response)
    expect_field(user["name"], name, "name", response)
    expect_field(user["email"], email, "email", response)
    return user


def expect_valid_id(user: dict, response) -> None:
    user_id = user["id"]
    expect.that(
        (isinstance(user_id, int) and not isinstance(user_id, bool)) or (isinstance(user_id, str) and user_id != ""),
        f"id: expected an integer or a non-empty string, got {user_id!r}",
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


def create_user(client, name: str | None = None, email: str | None = None) -> dict:
    """Create a user with a random name and email and return it.

    This checks only what later steps rely on, so a wrong success status costs the
    points of test_create_user alone.
    """
    body = {"name": name or random_name(), "email": email or random_email()}
    response = client.post("/users", json=body)
    expect.status(response, {200, 201}, reason=f"the name and the email {body['email']} are valid and new")
    user = expect_user(response, body["name"], body["email"])
    expect_valid_id(user, response)
    return user


def expect_stored(client, user: dict) -> None:
    """Check that GET /users/:id returns the user with these values."""
    response = client.get(user_url(user["id"]))
    expect.status(response, 200)
    expect_user(response, user["name"], user["email"], user["id"])


def listed_users(client) -> tuple[list[Any], Any]:
    """Return the body of GET /users, checked to be an array, and the response."""
    response = client.get("/users")
    expect.status(response, 200)
    return expect.json_list(response), response


def find_listed(listed: list[Any], user_id: object) -> list[tuple[int, dict]]:
    """Return (position, user) for every listed user with this id, compared as text."""
    return [
        (position, item) for position, item in enumerate(listed)
        if isinstance(item, dict) and "id" in item and str(item["id"]) == str(user_id)
    ]


class SqlUsers:
    """The `users` table of PostgreSQL or MySQL, seen through a DB-API connection."""

    def __init__(self, connection: Any, kind: str) -> None:
        self.connection = connection
        self.kind = kind
        if kind == "postgres":
            import psycopg

            self.errors: type[Exception] = psycopg.Error
        else:
            import pymysql

            self.errors = pymysql.MySQLError

    def find(self, email: str) -> list[dict]:
        """Return the name and email of every row with this email."""
        rows, _ = self._execute("SELECT name, email FROM users WHERE email = %s", (email,))
        return [{"name": name, "email": stored_email} for name, stored_email in rows]

    def set_name(self, email: str, name: str) -> int:
        """Change the name of the rows with this email; return how many rows changed."""
        _, count = self._execute("UPDATE users SET name = %s WHERE email = %s", (name, email))
        return count

    def _execute(self, statement: str, parameters: tuple) -> tuple[list[tuple], int]:
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(statement, parameters)
                rows = list(cursor.fetchall()) if cursor.description else []
                return rows, cursor.rowcount
        except self.errors as exc:
            # PostgreSQL errors go on with a LINE 1: excerpt that only repeats the statement.
            error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise expect.CheckFailed(
                f"the grader's query `{statement}` failed in {self.kind}: {error}; "
                "create a table named users with the columns id, name and email when the server starts"
            ) from exc


class MongoUsers:
    """The `users` collection of MongoDB, seen through pymongo."""

    kind = "mongodb"

    def __init__(self, database: Any) -> None:
        import pymongo.errors

        self.collection = database["users"]
        self.errors: type[Exception] = pymongo.errors.PyMongoError

    def find(self, email: str) -> list[dict]:
        """Return the name and email of every document with this email."""
        try:
            documents = list(self.collection.find({"email": email}, {"_id": 0, "name": 1, "email": 1}))
        except self.errors as exc:
            raise expect.CheckFailed(f"the grader could not read the users collection in mongodb: {exc}") from exc
        return [{"name": document.get("name"), "email": document.get("email")} for document in documents]

    def set_name(self, email: str, name: str) -> int:
        """Change the name of the documents with this email; return how many matched."""
        try:
            result = self.collection.update_many({"email": email}, {"$set": {"name": name}})
        except self.errors as exc:
            raise expect.CheckFailed(f"the grader could not change the users collection in mongodb: {exc}") from exc
        return int(result.matched_count)


@pytest.fixture
def stored_users(services, request) -> SqlUsers | MongoUsers:
    """The users as the database stores them, whichever kind the learner picked."""
    kind = services["database"].kind
    if kind == "mongodb":
        return MongoUsers(request.getfixturevalue("mongo_database"))
    return SqlUsers(request.getfixturevalue("sql_connection"), kind)


def where_stored(stored_users: SqlUsers | MongoUsers) -> str:
    if stored_users.kind == "mongodb":
        return "the users collection of mongodb"
    return f"the users table of {stored_users.kind}"


def expect_one_stored(stored_users: SqlUsers | MongoUsers, user: dict, after: str) -> None:
    """Check that exactly one row (or document) has the user's email, with the user's name."""
    where = where_stored(stored_users)
    found = stored_users.find(user["email"])
    expect.that(
        found,
        f"{where} has no user with the email {user['email']!r} {after}; "
        "store users in the database, not in the server's memory",
    )
    expect.that(
        len(found) == 1,
        f"{where} has {len(found)} users with the email {user['email']!r} {after}, expected exactly one",
    )
    expect.equal(found[0]["name"], user["name"], f"the name stored in {where}")


@pytest.mark.points(8)
def test_create_user(client):
    """POST /users returns 201 and the new user"""
    name, email = random_name(), random_email()
    response = client.post("/users", json={"name": name, "email": email})
    expect.status(response, 201)
    first = expect_user(response, name, email)
    expect_valid_id(first, response)
    second = create_user(client)
    expect.that(
        str(first["id"]) != str(second["id"]),
        f"id: two POST /users requests both got the id {first['id']!r}, but each user needs its own id",
    )


@pytest.mark.points(5)
def test_create_invalid_name(client):
    """POST /users with a missing or invalid name returns 400 with an error"""
    cases = (
        ({"email": random_email()}, "the body has no name"),
        ({"name": "", "email": random_email()}, "the name is empty"),
        ({"name": rng.randint(1, 9999), "email": random_email()}, "the name is a number, not a string"),
        ({"name": None, "email": random_email()}, "the name is null, not a string"),
    )
    for body, reason in cases:
        expect_error(client.post("/users", json=body), 400, reason)


@pytest.mark.points(7)
def test_create_invalid_email(client):
    """POST /users with a missing or invalid email returns 400 with an error"""
    local = f"{rng.choice(FIRST_NAMES).lower()}{secrets.token_hex(2)}"
    cases = (
        ({"name": random_name()}, "the body has no email"),
        ({"name": random_name(), "email": ""}, "the email is empty"),
        ({"name": random_name(), "email": rng.randint(1, 9999)}, "the email is a number, not a string"),
        ({"name": random_name(), "email": f"{local}.example.com"}, f"the email {local}.example.com has no @"),
        ({"name": random_name(), "email": f"{local}@example"}, f"the domain of {local}@example has no dot"),
        ({"name": random_name(), "email": f"{local} x@example.com"}, f"the email '{local} x@example.com' has a space"),
        ({"name": random_name(), "email": f"{local}@@example.com"}, f"the email {local}@@example.com has two @"),
    )
    for body, reason in cases:
        expect_error(client.post("/users", json=body), 400, reason)


@pytest.mark.points(8)
def test_create_taken_email(client):
    """POST /users with a taken email returns 409 and creates no user"""
    user = create_user(client)
    response = client.post("/users", json={"name": random_name(), "email": user["email"]})
    expect_error(response, 409, f"user {user['id']!r} already has the email {user['email']}")

    listed, response = listed_users(client)
    same_email = [item for item in listed if isinstance(item, dict) and item.get("email") == user["email"]]
    expect.that(
        len(same_email) == 1,
        f"GET /users lists {len(same_email)} users with the email {user['email']!r} "
        "after a rejected POST, expected exactly one",
        response,
    )
    expect_stored(client, user)


@pytest.mark.points(6)
def test_list_users(client):
    """GET /users lists every user in creation order"""
    created = [create_user(client) for _ in range(3)]
    listed, response = listed_users(client)

    positions = []
    for user in created:
        found = find_listed(listed, user["id"])
        expect.that(found, f"the list has no user with id {user['id']!r}, created just before", response)
        expect.that(len(found) == 1, f"the list has user {user['id']!r} {len(found)} times", response)
        position, item = found[0]
        for field in USER_FIELDS:
            expect.that(field in item, f"the listed user {user['id']!r} has no {field} field", response)
        expect_field(item["name"], user["name"], f"name of the listed user {user['id']!r}", response)
        expect_field(item["email"], user["email"], f"email of the listed user {user['id']!r}", response)
        positions.append(position)
    expect.that(
        positions == sorted(positions),
        f"expected the users {[user['id'] for user in created]} in the order they were created, "
        f"found them at positions {positions} of the list",
        response,
    )


@pytest.mark.points(6)
def test_get_user(client):
    """GET /users/:id returns the user"""
    users = [create_user(client) for _ in range(2)]
    for user in reversed(users):
        expect_stored(client, user)


@pytest.mark.points(5)
def test_get_unknown_user(client):
    """GET /users/:id with an unknown id returns 404 with an error"""
    for user_id in unknown_ids():
        expect_error(client.get(user_url(user_id)), 404, f"no user has the id {user_id}")


@pytest.mark.points(7)
def test_patch_fields(client):
    """PATCH /users/:id changes only the fields sent"""
    user = create_user(client)

    name = random_name()
    response = client.patch(user_url(user["id"]), json={"name": name})
    expect.status(response, 200)
    user = expect_user(response, name, user["email"], user["id"])
    expect_stored(client, user)

    email = random_email()
    response = client.patch(user_url(user["id"]), json={"email": email})
    expect.status(response, 200)
    user = expect_user(response, name, email, user["id"])
    expect_stored(client, user)

    name, email = random_name(), random_email()
    response = client.patch(user_url(user["id"]), json={"name": name, "email": email})
    expect.status(response, 200)
    user = expect_user(response, name, email, user["id"])
    expect_stored(client, user)


@pytest.mark.points(5)
def test_patch_invalid_field(client):
    """PATCH /users/:id with an invalid field returns 400 and changes nothing"""
    user = create_user(client)
    local = f"{rng.choice(FIRST_NAMES).lower()}{secrets.token_hex(2)}"
    cases = (
        ({"name": ""}, "the name is empty"),
        ({"name": rng.randint(1, 9999)}, "the name is a number, not a string"),
        ({"email": None}, "the email is null, not a string"),
        ({"email": f"{local}.example.com"}, f"the email {local}.example.com has no @"),
        ({"name": random_name(), "email": f"{local}@example"}, f"the domain of {local}@example has no dot"),
    )
    for body, reason in cases:
        expect_error(client.patch(user_url(user["id"]), json=body), 400, reason)
        expect_stored(client, user)


@pytest.mark.points(5)
def test_patch_taken_email(client):
    """PATCH /users/:id with a taken email returns 409 and changes nothing"""
    first = create_user(client)
    second = create_user(client)
    response = client.patch(user_url(second["id"]), json={"name": random_name(), "email": first["email"]})
    expect_error(response, 409, f"user {first['id']!r} already has the email {first['email']}")
    expect_stored(client, second)
    expect_stored(client, first)


@pytest.mark.points(3)
def test_patch_unknown_user(client):
    """PATCH /users/:id with an unknown id returns 404 with an error"""
    for user_id in unknown_ids():
        response = client.patch(user_url(user_id), json={"name": random_name()})
        expect_error(response, 404, f"no user has the id {user_id}")


@pytest.mark.points(6)
def test_delete_user(client):
    """DELETE /users/:id returns 204 and the user is gone"""
    user = create_user(client)
    response = client.delete(user_url(user["id"]))
    expect.status(response, 204)
    expect.that(
        response.content == b"",
        f"DELETE {user_url(user['id'])}: expected an empty body with status 204, got {len(response.content)} bytes",
        response,
    )

    expect_error(client.get(user_url(user["id"])), 404, f"user {user['id']!r} was deleted")
    listed, response = listed_users(client)
    expect.that(
        not find_listed(listed, user["id"]),
        f"GET /users still lists the deleted user {user['id']!r}",
        response,
    )


@pytest.mark.points(3)
def test_delete_unknown_user(client):
    """DELETE /users/:id with an unknown id returns 404 with an error"""
    for user_id in unknown_ids():
        expect_error(client.delete(user_url(user_id)), 404, f"no user has the id {user_id}")


@pytest.mark.points(8)
def test_user_stored_in_database(client, stored_users):
    """POST /users stores the user in the users table or collection"""
    user = create_user(client)
    expect_one_stored(stored_users, user, f"after POST /users created user {user['id']!r}")


@pytest.mark.points(6)
def test_get_reads_database(client, stored_users):
    """GET /users/:id returns a name changed in the database"""
    user = create_user(client)
    where = where_stored(stored_users)
    name = random_name()
    changed = stored_users.set_name(user["email"], name)
    expect.that(
        changed == 1,
        f"the grader found {changed} users with the email {user['email']!r} in {where} to change, "
        "expected exactly one; store users in the database, not in the server's memory",
    )

    response = client.get(user_url(user["id"]))
    expect.status(response, 200)
    body = expect.json_object(response, *USER_FIELDS)
    expect.that(
        body["name"] == name,
        f"name: the grader changed it to {name!r} in {where}, but GET returned {body['name']!r}; "
        "read the user from the database on every request",
        response,
    )


@pytest.mark.points(4)
def test_delete_removes_row(client, stored_users):
    """DELETE /users/:id removes the user from the database"""
    user = create_user(client)
    expect_one_stored(stored_users, user, f"after POST /users created user {user['id']!r}")
    response = client.delete(user_url(user["id"]))
    expect.status(response, {200, 204})
    left = stored_users.find(user["email"])
    expect.that(
        not left,
        f"{where_stored(stored_users)} still has the user with the email {user['email']!r} "
        f"after DELETE {user_url(user['id'])}",
    )


@pytest.mark.points(8)
def test_users_survive_restart(client, server):
    """Users survive a server restart"""
    unchanged = create_user(client)
    changed = create_user(client)
    deleted = create_user(client)
    changed["name"] = random_name()
    response = client.patch(user_url(changed["id"]), json={"name": changed["name"]})
    expect.status(response, 200)
    expect_user(response, changed["name"], changed["email"], changed["id"])
    response = client.delete(user_url(deleted["id"]))
    expect.status(response, {200, 204})

    server.restart()

    for user in (unchanged, changed):
        response = client.get(user_url(user["id"]))
        expect.status(response, 200, reason=f"user {user['id']!r} was created before the restart")
        expect_user(response, user["name"], user["email"], user["id"])
    expect_error(
        client.get(user_url(deleted["id"])), 404, f"user {deleted['id']!r} was deleted before the restart"
    )
    listed, response = listed_users(client)
    unchanged_at = find_listed(listed, unchanged["id"])
    changed_at = find_listed(listed, changed["id"])
    expect.that(unchanged_at and changed_at, "GET /users after the restart misses users created before it", response)
    expect.that(
        unchanged_at[0][0] < changed_at[0][0],
        f"GET /users after the restart lists user {changed['id']!r} before user {unchanged['id']!r}, "
        "which was created first",
        response,
    )
    expect.that(
        not find_listed(listed, deleted["id"]),
        f"GET /users after the restart lists user {deleted['id']!r}, which was deleted before it",
        response,
    )
