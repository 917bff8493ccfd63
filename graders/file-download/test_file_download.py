"""Grader for file-download: GET /files lists FILES_DIR and GET /files/:name downloads a file.

The files come from data.py and are new on every run. Path traversal requests are sent
with their path exactly as written (``..`` segments included), the way
``curl --path-as-is`` sends them, because httpx would otherwise remove the dot segments.
"""

from __future__ import annotations

import json
import posixpath
import random
import re
import secrets
from urllib.parse import quote, unquote

import httpx
import pytest

from hubgrade.grading import expect
from hubgrade.grading.curl import as_curl
from hubgrade.grading.expect import CheckFailed

rng = random.SystemRandom()

FILES_PREFIX = "files/"
SECRET_PATH = "secret.txt"
SIBLING_SECRET_PATH = "files-private/keys.txt"
# The start of root's line in /etc/passwd on Debian, the base of the grading image.
PASSWD_MARKER = b"root:x:0:0"
MEDIA_TYPES = {
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".json": "application/json",
    ".png": "image/png",
    ".bin": "application/octet-stream",
}
TEXT_EXTENSIONS = (".txt", ".json")
BINARY_EXTENSIONS = (".png", ".bin")


@pytest.fixture(scope="module")
def served_files(data_files: dict[str, bytes]) -> dict[str, bytes]:
    """The files inside FILES_DIR, by name."""
    return {path.removeprefix(FILES_PREFIX): content for path, content in data_files.items()
            if path.startswith(FILES_PREFIX)}


@pytest.fixture(scope="module")
def secrets_outside(data_files: dict[str, bytes]) -> dict[str, bytes]:
    """The text that identifies each file outside FILES_DIR, by a description of the file."""
    return {
        f"{SECRET_PATH}, beside FILES_DIR": data_files[SECRET_PATH].strip(),
        f"{SIBLING_SECRET_PATH}, in a sibling folder of FILES_DIR": data_files[SIBLING_SECRET_PATH].strip(),
        "/etc/passwd": PASSWD_MARKER,
    }


@pytest.fixture(scope="module")
def data_root(injected: dict[str, str]) -> str:
    """The folder that contains FILES_DIR, as a path in the server's file system."""
    return posixpath.dirname(injected["FILES_DIR"].rstrip("/"))


def file_url(name: str) -> str:
    return f"/files/{quote(name, safe='')}"


def names_with(served_files: dict[str, bytes], extensions: tuple[str, ...]) -> list[str]:
    return sorted(name for name in served_files if name.endswith(extensions))


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def disposition_filename(value: str) -> tuple[str, str | None]:
    """Return the disposition type and the file name a browser would save under.

    ``filename*`` (RFC 5987, percent-encoded UTF-8) wins over ``filename``, as RFC 6266 (section 4.3) recommends.
    """
    disposition, _, parameters = value.partition(";")
    extended = re.search(r"filename\*\s*=\s*([^;]+)", parameters, re.IGNORECASE)
    if extended:
        charset, _, rest = extended.group(1).strip().partition("'")
        _, _, encoded = rest.partition("'")
        try:
            filename = unquote(encoded, encoding=charset or "utf-8", errors="replace")
        except LookupError:
            filename = unquote(encoded, errors="replace")
        return disposition.strip().lower(), filename
    quoted = re.search(r'filename\s*=\s*"((?:[^"\\]|\\.)*)"', parameters, re.IGNORECASE)
    if quoted:
        return disposition.strip().lower(), re.sub(r"\\(.)", r"\1", quoted.group(1))
    token = re.search(r"filename\s*=\s*([^;\s]+)", parameters, re.IGNORECASE)
    return disposition.strip().lower(), token.group(1) if token else None


def describe_download(response: httpx.Response) -> str:
    """Describe a download's status, headers and body size; a binary body shown as text is noise."""
    lines = [f"status {response.status_code} {response.reason_phrase}".rstrip()]
    for name in ("content-type", "content-length", "content-disposition"):
        if name in response.headers:
            lines.append(f"{name}: {response.headers[name]}")
    lines.append(f"body: {len(response.content)} bytes")
    return "\n  ".join(lines)


def fail_download(message: str, response: httpx.Response) -> None:
    """Fail with the request as curl and the download described without binary noise."""
    raise CheckFailed(f"{message}\nrequest: {as_curl(response.request)}\nresponse: {describe_download(response)}")


def download(client, name: str) -> httpx.Response:
    """GET /files/:name and check the status, so later checks report a failed download first."""
    response = client.get(file_url(name))
    expect.status(response, 200, reason=f"{name!r} is a file in FILES_DIR")
    return response


def expect_bytes(response: httpx.Response, name: str, content: bytes) -> None:
    body = response.content
    if body == content:
        return
    if len(body) != len(content):
        fail_download(f"the body of {name!r}: expected the file's {len(content)} bytes, got {len(body)} bytes", response)
    first = next(index for index, (got, want) in enumerate(zip(body, content)) if got != want)
    fail_download(
        f"the body of {name!r}: has the right length but differs from the file at byte {first} "
        f"(expected 0x{content[first]:02x}, got 0x{body[first]:02x}); send the file's bytes unchanged, "
        "without decoding them as text",
        response,
    )


def raw_get(client, target: str) -> httpx.Response:
    """Send GET with ``target`` as the request path, exactly as written, dot segments included."""
    return client.get(target, extensions={"target": target.encode("ascii")})


def expect_error_object(response: httpx.Response, target: str) -> None:
    """Check that the body is a JSON object with a non-empty error string."""
    problem = None
    if "json" not in response.headers.get("content-type", "").lower():
        problem = "expected a JSON body with an error field (Content-Type: application/json)"
    else:
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        message = body.get("error") if isinstance(body, dict) else None
        if not (isinstance(message, str) and message.strip()):
            problem = 'expected a JSON object with a non-empty "error" string that explains the problem'
    if problem:
        raise CheckFailed(f"GET {target}: {problem}", response)


@pytest.mark.points(12)
def test_list_files(client, served_files):
    """GET /files lists every file with its name and size"""
    response = client.get("/files")
    expect.status(response, 200)
    listed = expect.json_list(response)
    seen: dict[str, object] = {}
    for entry in listed:
        expect.that(
            isinstance(entry, dict) and isinstance(entry.get("name"), str) and "size" in entry,
            f'every entry must be an object with "name" (a string) and "size", got {json.dumps(entry)[:200]}',
            response,
        )
        expect.that(entry["name"] not in seen, f"{entry['name']!r} is listed more than once", response)
        seen[entry["name"]] = entry["size"]
    for name, content in sorted(served_files.items()):
        expect.that(name in seen, f"the file {name!r} is missing from the list", response)
        expect.equal(seen[name], len(content), f"the size of {name!r} in bytes", response)
    extra = sorted(set(seen) - set(served_files))
    expect.that(not extra, f"the list has entries that are not files in FILES_DIR: {extra}", response)


@pytest.mark.points(10)
def test_download_text(client, served_files):
    """GET /files/:name returns a text file's exact bytes"""
    for name in names_with(served_files, TEXT_EXTENSIONS):
        expect_bytes(download(client, name), name, served_files[name])


@pytest.mark.points(10)
def test_download_binary(client, served_files):
    """GET /files/:name returns a binary file byte for byte"""
    for name in names_with(served_files, BINARY_EXTENSIONS):
        expect_bytes(download(client, name), name, served_files[name])


@pytest.mark.points(6)
def test_download_name_with_space(client, served_files):
    """A file name with a space can be downloaded"""
    for name in sorted(name for name in served_files if " " in name):
        expect_bytes(download(client, name), name, served_files[name])


@pytest.mark.points(10)
def test_content_disposition(client, served_files):
    """Downloads are attachments named after the file"""
    for name in sorted(served_files):
        response = download(client, name)
        value = response.headers.get("content-disposition")
        if value is None:
            fail_download(
                f'GET {file_url(name)}: expected the header Content-Disposition: attachment; filename="{name}", '
                "but the response has none",
                response,
            )
        disposition, filename = disposition_filename(value)
        if disposition != "attachment":
            fail_download(f"Content-Disposition of {name!r}: expected the type attachment, got {value!r}", response)
        if filename != name:
            fail_download(f'Content-Disposition of {name!r}: expected filename="{name}", got {value!r}', response)


@pytest.mark.points(10)
def test_content_type(client, served_files):
    """Content-Type matches the file's extension"""
    for name in sorted(served_files):
        response = download(client, name)
        expected = MEDIA_TYPES[posixpath.splitext(name)[1]]
        value = response.headers.get("content-type")
        if value is None:
            fail_download(f"GET {file_url(name)}: expected the header Content-Type: {expected}, but the response has none",
                          response)
        if media_type(value) != expected:
            fail_download(f"Content-Type of {name!r}: expected {expected}, got {value!r}", response)


@pytest.mark.points(6)
def test_content_length(client, served_files):
    """Content-Length is the file's size in bytes"""
    for name, content in sorted(served_files.items()):
        response = download(client, name)
        value = response.headers.get("content-length")
        if value is None:
            fail_download(
                f"GET {file_url(name)}: expected the header Content-Length: {len(content)}, but the response has none",
                response,
            )
        if value.strip() != str(len(content)):
            fail_download(f"Content-Length of {name!r}: expected {len(content)}, got {value!r}", response)


@pytest.mark.points(8)
def test_unknown_file(client, served_files):
    """GET /files/:name with an unknown name returns 404 with an error"""
    known = sorted(served_files)
    for name in (f"missing-{secrets.token_hex(4)}.txt", f"{rng.choice(known)}.old"):
        response = client.get(file_url(name))
        expect.status(response, 404, reason=f"FILES_DIR has no file named {name!r}")
        body = expect.json_object(response, "error")
        expect.that(
            isinstance(body["error"], str) and body["error"].strip() != "",
            f"error: expected a non-empty string that explains the problem, got {body['error']!r}",
            response,
        )


@pytest.mark.points(12)
def test_rejects_unsafe_names(client, data_root):
    """A name with a slash or .. returns 400 with an error"""
    secret_path = f"{data_root}/{SECRET_PATH}"
    targets = (
        f"/files/..%2F{SECRET_PATH}",
        f"/files/%2e%2e%2f{SECRET_PATH}",
        "/files/%2E%2E",
        "/files/..",
        "/files/" + quote(secret_path, safe=""),
    )
    for target in targets:
        response = raw_get(client, target)
        name = unquote(target.removeprefix("/files/"))
        if response.status_code != 400:
            raise CheckFailed(
                f"GET {target}: the file name {name!r} contains a slash or is .., so expected status 400, "
                f"got {response.status_code}",
                response,
            )
        expect_error_object(response, target)


@pytest.mark.points(16)
def test_no_file_outside_folder(client, data_root, secrets_outside, served_files):
    """No request returns a file from outside FILES_DIR"""
    # A server that serves nothing leaks nothing, so the check first requires a download.
    download(client, min(served_files))
    secret_path = quote(f"{data_root}/{SECRET_PATH}", safe="")
    sibling_path = quote(f"{data_root}/{SIBLING_SECRET_PATH}", safe="")
    targets = (
        f"/files/../{SECRET_PATH}",
        f"/files/%2e%2e/{SECRET_PATH}",
        f"/files/..%2F{SECRET_PATH}",
        f"/files/%2e%2e%2f{SECRET_PATH}",
        f"/files/..%5C{SECRET_PATH}",
        f"/files/%252e%252e%252f{SECRET_PATH}",
        f"/files/{secret_path}",
        "/files/..%2F" + quote(SIBLING_SECRET_PATH, safe=""),
        f"/files/{sibling_path}",
        "/files/" + "..%2F" * 12 + "etc%2Fpasswd",
        "/files/%2Fetc%2Fpasswd",
    )
    for target in targets:
        response = raw_get(client, target)
        for description, marker in secrets_outside.items():
            if marker in response.content:
                raise CheckFailed(
                    f"GET {target}: the response contains {description}, a file outside FILES_DIR; "
                    "serve only names without / and never a resolved path outside FILES_DIR",
                    response,
                )
