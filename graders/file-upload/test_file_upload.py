"""Grader for file-upload: multipart POST /uploads stores a file in UPLOAD_DIR.

All checks share one server, so every check uploads the files it needs, with random
names and contents. MAX_UPLOAD_BYTES is random for each run. The files stay small, because
UPLOAD_DIR has a size cap. The restart check comes last, so that a server that does not
come back costs its points alone.
"""

from __future__ import annotations

import json
import random
import secrets
from urllib.parse import quote

import httpx
import pytest

from hubgrade.grading import expect
from hubgrade.grading.curl import as_curl
from hubgrade.grading.expect import CheckFailed

rng = random.SystemRandom()

UPLOAD_FIELDS = ("id", "name", "size", "type")
WORDS = ("invoice", "notes", "holiday", "budget", "draft", "scan", "summary", "photo", "backup", "letter")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def max_bytes(injected: dict[str, str]) -> int:
    return int(injected["MAX_UPLOAD_BYTES"])


def random_name(extension: str, space: bool = False) -> str:
    separator = " " if space else "-"
    return f"{rng.choice(WORDS)}{separator}{secrets.token_hex(3)}{extension}"


def random_text(size: int) -> bytes:
    words = []
    while sum(len(word) + 1 for word in words) < size:
        words.append(rng.choice(WORDS))
    return " ".join(words).encode()[:size]


def random_binary(size: int) -> bytes:
    """Return ``size`` random bytes, with every byte value among the first 256."""
    values = list(range(256))
    rng.shuffle(values)
    return (bytes(values) + secrets.token_bytes(max(size - 256, 0)))[:size]


def random_png() -> bytes:
    return PNG_SIGNATURE + random_binary(rng.randint(1_000, 8_000))


def random_pdf() -> bytes:
    """Return bytes that start like a PDF file; only the bytes matter, not a valid document."""
    return b"%PDF-1.4\n" + random_binary(rng.randint(500, 3_000))


def upload_url(upload_id: object) -> str:
    return f"/uploads/{quote(str(upload_id), safe='')}"


def post_parts(client, files: dict[str, tuple]) -> httpx.Response:
    """POST /uploads as multipart/form-data; ``files`` maps a field to (name, content, type) or (None, text)."""
    return client.post("/uploads", files=files)


def post_file(client, name: str, content: bytes, media_type: str) -> httpx.Response:
    return post_parts(client, {"file": (name, content, media_type)})


def describe_file(response: httpx.Response) -> str:
    """Describe a response's status and headers, and its body size; binary bodies shown as text are noise."""
    lines = [f"status {response.status_code} {response.reason_phrase}".rstrip()]
    for header in ("content-type", "content-length"):
        if header in response.headers:
            lines.append(f"{header}: {response.headers[header]}")
    lines.append(f"body: {len(response.content)} bytes")
    return "\n  ".join(lines)


def fail_file(message: str, response: httpx.Response) -> None:
    raise CheckFailed(f"{message}\nrequest: {as_curl(response.request)}\nresponse: {describe_file(response)}")


def expect_valid_id(upload: dict, response: httpx.Response) -> None:
    upload_id = upload["id"]
    expect.that(
        (isinstance(upload_id, int) and not isinstance(upload_id, bool))
        or (isinstance(upload_id, str) and upload_id != ""),
        f"id: expected an integer or a non-empty string, got {json.dumps(upload_id)}",
        response,
    )


def expect_upload(response: httpx.Response, name: str, content: bytes, media_type: str) -> dict:
    """Check that the body describes this file and return it."""
    upload = expect.json_object(response, *UPLOAD_FIELDS)
    expect_valid_id(upload, response)
    expect.equal(upload["name"], name, "name", response)
    expect.equal(upload["size"], len(content), "size (the file's length in bytes)", response)
    expect.equal(upload["type"], media_type, "type", response)
    return upload


def create_upload(client, name: str, content: bytes, media_type: str) -> dict:
    """Upload a file and return the server's object for it.

    This checks only what later steps rely on, so that a wrong success status costs the
    points of test_upload_returns_metadata alone.
    """
    response = post_file(client, name, content, media_type)
    expect.status(response, {200, 201}, reason=f"{name!r} is a valid upload of {len(content)} bytes")
    upload = expect.json_object(response, "id")
    expect_valid_id(upload, response)
    return upload


def fetch(client, upload: dict) -> httpx.Response:
    response = client.get(upload_url(upload["id"]))
    expect.status(response, 200, reason=f"the upload {upload['id']!r} exists")
    return response


def expect_bytes(response: httpx.Response, name: str, content: bytes) -> None:
    body = response.content
    if body == content:
        return
    if len(body) != len(content):
        fail_file(f"the body of {name!r}: expected the uploaded {len(content)} bytes, got {len(body)} bytes", response)
    first = next(index for index, (got, want) in enumerate(zip(body, content)) if got != want)
    fail_file(
        f"the body of {name!r}: has the right length but differs from the upload at byte {first} "
        f"(expected 0x{content[first]:02x}, got 0x{body[first]:02x}); store and send the bytes unchanged, "
        "without decoding them as text",
        response,
    )


def expect_error(response: httpx.Response, status: int, reason: str) -> None:
    """Check the status and that the body is a JSON object with a non-empty error string."""
    expect.status(response, status, reason=reason)
    body = expect.json_object(response, "error")
    message = body["error"]
    expect.that(
        isinstance(message, str) and message.strip() != "",
        f"error: expected a non-empty string that explains the problem, got {message!r}",
        response,
    )


def listed_uploads(client) -> tuple[httpx.Response, dict[str, dict]]:
    """GET /uploads and return the response and its objects by id, as text."""
    response = client.get("/uploads")
    expect.status(response, 200)
    listed = expect.json_list(response)
    by_id = {}
    for entry in listed:
        expect.that(
            isinstance(entry, dict) and all(field in entry for field in UPLOAD_FIELDS),
            f"every entry must be an object with {', '.join(UPLOAD_FIELDS)}, got {json.dumps(entry)[:200]}",
            response,
        )
        by_id[str(entry["id"])] = entry
    return response, by_id


@pytest.mark.points(12)
def test_upload_returns_metadata(client):
    """POST /uploads returns 201 with the file's name, size and type"""
    name = random_name(".txt")
    content = random_text(rng.randint(200, 4_000))
    response = post_file(client, name, content, "text/plain")
    expect.status(response, 201, reason=f"{name!r} is a valid upload of {len(content)} bytes")
    first = expect_upload(response, name, content, "text/plain")
    second = create_upload(client, random_name(".png"), random_png(), "image/png")
    expect.that(
        str(first["id"]) != str(second["id"]),
        f"id: two uploads both got the id {first['id']!r}, but each upload needs its own id",
    )


@pytest.mark.points(10)
def test_download_text(client):
    """GET /uploads/:id returns a text file's exact bytes"""
    name = random_name(".txt")
    content = random_text(rng.randint(200, 4_000))
    upload = create_upload(client, name, content, "text/plain")
    expect_bytes(fetch(client, upload), name, content)


@pytest.mark.points(8)
def test_download_binary(client):
    """GET /uploads/:id returns a binary file byte for byte"""
    for name, content, media_type in (
        (random_name(".bin"), random_binary(rng.randint(2_000, 8_000)), "application/octet-stream"),
        (random_name(".png"), random_png(), "image/png"),
    ):
        upload = create_upload(client, name, content, media_type)
        expect_bytes(fetch(client, upload), name, content)


@pytest.mark.points(6)
def test_download_content_type(client):
    """GET /uploads/:id sends the upload's type as Content-Type"""
    files = (
        (".txt", random_text(rng.randint(100, 1_000)), "text/plain"),
        (".png", random_png(), "image/png"),
        (".pdf", random_pdf(), "application/pdf"),
    )
    for extension, content, media_type in files:
        name = random_name(extension)
        upload = create_upload(client, name, content, media_type)
        response = fetch(client, upload)
        value = response.headers.get("content-type")
        if value is None:
            fail_file(f"GET {upload_url(upload['id'])}: expected the header Content-Type: {media_type}, "
                      "but the response has none", response)
        if value.split(";", 1)[0].strip().lower() != media_type:
            fail_file(f"Content-Type of {name!r}: expected {media_type}, the type it was uploaded with, got {value!r}",
                      response)


@pytest.mark.points(10)
def test_list_uploads(client):
    """GET /uploads lists every upload"""
    files = [
        (random_name(".txt"), random_text(rng.randint(100, 2_000)), "text/plain"),
        (random_name(".pdf", space=True), random_pdf(), "application/pdf"),
        (random_name(".png"), random_png(), "image/png"),
    ]
    uploads = [(create_upload(client, *file), file) for file in files]
    response, by_id = listed_uploads(client)
    for upload, (name, content, media_type) in uploads:
        entry = by_id.get(str(upload["id"]))
        expect.that(entry is not None, f"the upload {upload['id']!r} ({name!r}) is missing from the list", response)
        expect.equal(entry["name"], name, f"name of the upload {upload['id']!r}", response)
        expect.equal(entry["size"], len(content), f"size of the upload {upload['id']!r}", response)
        expect.equal(entry["type"], media_type, f"type of the upload {upload['id']!r}", response)


@pytest.mark.points(6)
def test_unknown_upload(client):
    """GET /uploads/:id with an unknown id returns 404 with an error"""
    for upload_id in (f"missing-{secrets.token_hex(4)}", str(rng.randint(900_000_000, 999_999_999))):
        expect_error(client.get(upload_url(upload_id)), 404, "no upload has this id")


@pytest.mark.points(8)
def test_upload_without_file(client):
    """POST /uploads without a file returns 400 with an error"""
    note = f"note {secrets.token_hex(3)}"
    multipart = (
        ("the multipart body has a text field but no file", {"note": (None, note)}),
        ('the file is in the field "attachment", not "file"',
         {"attachment": (random_name(".txt"), random_text(100), "text/plain")}),
    )
    for reason, files in multipart:
        expect_error(post_parts(client, files), 400, reason)
    expect_error(client.post("/uploads", json={"file": note}), 400, "the body is JSON, not multipart")
    expect_error(client.post("/uploads"), 400, "the request has no body")


@pytest.mark.points(12)
def test_upload_too_large(client, max_bytes):
    """A file over MAX_UPLOAD_BYTES returns 413 with an error"""
    for size in (max_bytes + 1, max_bytes + rng.randint(1_000, 10_000)):
        response = post_file(client, random_name(".bin"), random_binary(size), "application/octet-stream")
        expect_error(response, 413, f"the file has {size} bytes and MAX_UPLOAD_BYTES is {max_bytes}")


@pytest.mark.points(6)
def test_too_large_not_stored(client, max_bytes):
    """A file over the limit is not stored"""
    name = random_name(".bin")
    size = max_bytes + rng.randint(1, 5_000)
    rejected = post_file(client, name, random_binary(size), "application/octet-stream")
    expect.that(
        rejected.status_code not in range(200, 300),
        f"POST /uploads: a file of {size} bytes is over MAX_UPLOAD_BYTES ({max_bytes}), so it must be rejected, "
        f"got status {rejected.status_code}",
        rejected,
    )
    response, by_id = listed_uploads(client)
    stored = [entry for entry in by_id.values() if entry.get("name") == name]
    expect.that(not stored, f"GET /uploads lists {name!r}, a file that was rejected as too large", response)


@pytest.mark.points(6)
def test_upload_at_limit(client, max_bytes):
    """A file of exactly MAX_UPLOAD_BYTES is accepted"""
    name = random_name(".bin")
    content = random_binary(max_bytes)
    response = post_file(client, name, content, "application/octet-stream")
    expect.status(response, 201, reason=f"the file has {max_bytes} bytes, exactly MAX_UPLOAD_BYTES, which is allowed")
    upload = expect_upload(response, name, content, "application/octet-stream")
    expect_bytes(fetch(client, upload), name, content)


@pytest.mark.points(6)
def test_same_name_twice(client):
    """Each upload gets its own id, even with the same name"""
    name = random_name(".txt")
    contents = (random_text(rng.randint(100, 1_000)), random_text(rng.randint(1_001, 2_000)))
    uploads = [create_upload(client, name, content, "text/plain") for content in contents]
    expect.that(
        str(uploads[0]["id"]) != str(uploads[1]["id"]),
        f"id: two uploads named {name!r} both got the id {uploads[0]['id']!r}; the second must not replace the first",
    )
    for upload, content in zip(uploads, contents):
        expect_bytes(fetch(client, upload), name, content)


@pytest.mark.points(10)
def test_uploads_survive_restart(client, server):
    """Uploads survive a server restart"""
    files = [
        (random_name(".txt"), random_text(rng.randint(100, 2_000)), "text/plain"),
        (random_name(".png"), random_png(), "image/png"),
    ]
    uploads = [(create_upload(client, *file), file) for file in files]

    server.restart()

    response, by_id = listed_uploads(client)
    for upload, (name, content, media_type) in uploads:
        entry = by_id.get(str(upload["id"]))
        expect.that(
            entry is not None,
            f"GET /uploads after the restart misses the upload {upload['id']!r} ({name!r}), which was stored "
            "before it; keep the files and the upload objects in UPLOAD_DIR, not in memory",
            response,
        )
        expect.equal(entry["name"], name, f"name of the upload {upload['id']!r} after the restart", response)
        expect.equal(entry["size"], len(content), f"size of the upload {upload['id']!r} after the restart", response)
        expect.equal(entry["type"], media_type, f"type of the upload {upload['id']!r} after the restart", response)
    for upload, (name, content, _) in uploads:
        response = client.get(upload_url(upload["id"]))
        expect.status(response, 200, reason=f"the upload {upload['id']!r} was stored before the restart")
        expect_bytes(response, name, content)
