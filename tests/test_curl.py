from __future__ import annotations

import io
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from hubgrade.grading.curl import FormPart, as_curl, multipart_form, parse_multipart

SERVER_URL = "http://127.0.0.1:41234"
FileTuple = tuple[str, bytes, str]


def _upload(files: dict[str, FileTuple | tuple[None, str]], method: str = "POST") -> httpx.Request:
    return httpx.Request(method, f"{SERVER_URL}/uploads", files=files)


def test_multipart_upload_shows_form_option() -> None:
    request = _upload({"file": ("notes-3fa9c1.txt", b"birch cedar", "text/plain")})

    command = as_curl(request)

    assert command == (
        "curl -i -F 'file=@notes-3fa9c1.txt;type=text/plain' http://localhost:3000/uploads\n"
        "  (notes-3fa9c1.txt is a file of 11 bytes)"
    )


def test_multipart_hides_boundary_header() -> None:
    command = as_curl(_upload({"file": ("a.bin", b"\x00\xff", "application/octet-stream")}))

    assert "boundary" not in command
    assert "content-type" not in command.lower()
    assert "--data-raw" not in command


def test_multipart_text_field_and_other_file_field() -> None:
    request = httpx.Request(
        "POST", f"{SERVER_URL}/uploads", data={"note": "no file here"},
        files={"attachment": ("scan 1a2b.pdf", b"%PDF-1.4\n", "application/pdf")},
    )

    command = as_curl(request)

    assert command == (
        "curl -i -F 'note=no file here' -F 'attachment=@scan 1a2b.pdf;type=application/pdf' "
        "http://localhost:3000/uploads\n  (scan 1a2b.pdf is a file of 9 bytes)"
    )


def test_multipart_with_only_text_field() -> None:
    command = as_curl(_upload({"note": (None, "note 3fa9c1")}))

    assert command == "curl -i -F 'note=note 3fa9c1' http://localhost:3000/uploads"


def test_multipart_sizes_of_several_files() -> None:
    request = httpx.Request("POST", f"{SERVER_URL}/uploads", files=[
        ("file", ("a.txt", b"abc", "text/plain")),
        ("file", ("b.png", b"\x89PNG\r\n\x1a\n", "image/png")),
    ])

    command = as_curl(request)

    assert command.endswith("\n  (a.txt is a file of 3 bytes; b.png is a file of 8 bytes)")


def test_multipart_put_keeps_method() -> None:
    command = as_curl(_upload({"file": ("a.txt", b"abc", "text/plain")}, method="PUT"))

    assert command.startswith("curl -i -X PUT -F 'file=@a.txt;type=text/plain' ")


def test_multipart_quotes_special_file_names() -> None:
    request = _upload({"file": ('semi;colon,"quoted".txt', b"abc", "text/plain")})

    command = as_curl(request)

    assert "-F 'file=@\"semi;colon,\\\"quoted\\\".txt\";type=text/plain'" in command


def test_multipart_file_name_with_folder() -> None:
    command = as_curl(_upload({"file": ("../server.js", b"x", "text/javascript")}))

    assert "-F 'file=@server.js;filename=../server.js;type=text/javascript'" in command
    assert "(server.js is a file of 1 bytes)" in command


def test_multipart_text_value_like_file_reference() -> None:
    command = as_curl(_upload({"note": (None, "@/etc/passwd;type=text/plain")}))

    assert "--form-string 'note=@/etc/passwd;type=text/plain'" in command
    assert " -F " not in command


def test_multipart_read_request_gives_same_command() -> None:
    streamed = _upload({"file": ("a.txt", b"abc", "text/plain")})
    read = _upload({"file": ("a.txt", b"abc", "text/plain")})
    read.read()

    assert as_curl(read) == as_curl(streamed)


def test_multipart_file_object_is_not_read_again() -> None:
    upload = io.BytesIO(b"abc")
    request = _upload({"file": ("a.txt", upload, "text/plain")})  # type: ignore[dict-item]
    upload.seek(2)

    command = as_curl(request)

    assert upload.tell() == 2
    assert "-F" not in command
    assert "--data-raw" not in command
    assert "multipart/form-data; boundary=" in command
    assert command.endswith("\n  (the request body was streamed, so this command does not show it)")


def test_streamed_body_is_not_shown_as_data() -> None:
    def chunks() -> Iterator[bytes]:
        yield b"part"

    request = httpx.Request("POST", f"{SERVER_URL}/upload", content=chunks())

    command = as_curl(request)

    assert "--data-raw" not in command
    assert "(streamed body)" not in command
    assert command.startswith("curl -i -X POST ")
    assert command.endswith("\n  (the request body was streamed, so this command does not show it)")


def test_malformed_multipart_falls_back_to_data() -> None:
    request = httpx.Request(
        "POST", f"{SERVER_URL}/uploads", content=b"not multipart at all",
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )

    command = as_curl(request)

    assert "-H 'content-type: multipart/form-data; boundary=xyz' --data-raw 'not multipart at all'" in command


def test_parse_multipart_reads_parts() -> None:
    body = (
        b"--xyz\r\n"
        b'Content-Disposition: form-data; name="note"\r\n\r\n'
        b"line one\r\nline two\r\n"
        b"--xyz\r\n"
        b'Content-Disposition: form-data; name="file"; filename="a%22b.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
        b"\x00\r\n\xff\r\n"
        b"--xyz--\r\n"
    )

    parts = parse_multipart('multipart/form-data; boundary="xyz"', body)

    assert parts == [
        FormPart(name="note", filename=None, content_type=None, content=b"line one\r\nline two"),
        FormPart(name="file", filename='a"b.bin', content_type="application/octet-stream", content=b"\x00\r\n\xff"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nno closing delimiter',
        b"--xyz\r\nContent-Disposition: attachment\r\n\r\nx\r\n--xyz--\r\n",
        b"--xyz\r\nContent-Type: text/plain\r\n\r\nx\r\n--xyz--\r\n",
    ],
    ids=["unterminated", "not-form-data", "no-disposition"],
)
def test_parse_multipart_rejects_malformed(body: bytes) -> None:
    assert parse_multipart("multipart/form-data; boundary=xyz", body) is None


def test_multipart_form_ignores_other_types() -> None:
    request = httpx.Request("POST", f"{SERVER_URL}/todos", json={"title": "a"})

    assert multipart_form(request) is None


def test_raw_target_is_shown_with_path_as_is() -> None:
    target = "/files/..%2fsecret.txt"
    request = httpx.Request("GET", f"{SERVER_URL}{target}", extensions={"target": target.encode("ascii")})

    command = as_curl(request)

    assert command == "curl -i --path-as-is http://localhost:3000/files/..%2fsecret.txt"


def test_raw_target_keeps_dot_segments() -> None:
    target = "/files/../secret.txt"
    request = httpx.Request("GET", f"{SERVER_URL}{target}", extensions={"target": target.encode("ascii")})

    command = as_curl(request)

    assert request.url.path == "/secret.txt"
    assert command == "curl -i --path-as-is http://localhost:3000/files/../secret.txt"


def test_target_without_slash_uses_request_target() -> None:
    request = httpx.Request("OPTIONS", f"{SERVER_URL}/", extensions={"target": b"*"})

    command = as_curl(request)

    assert command == "curl -i --request-target '*' -X OPTIONS http://localhost:3000/"


def test_brackets_in_url_turn_globbing_off() -> None:
    target = "/items/[1]"
    request = httpx.Request("GET", f"{SERVER_URL}{target}", extensions={"target": target.encode("ascii")})

    command = as_curl(request)

    assert command == "curl -i --path-as-is --globoff 'http://localhost:3000/items/[1]'"


def test_request_without_target_has_no_path_as_is() -> None:
    command = as_curl(httpx.Request("GET", f"{SERVER_URL}/files/a.txt"))

    assert command == "curl -i http://localhost:3000/files/a.txt"


class _RecordingHandler(BaseHTTPRequestHandler):
    """Record each request's target, headers and body on the server, and respond with 204."""

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        recorded = self.server.recorded  # type: ignore[attr-defined]
        recorded.append((self.path, dict(self.headers), self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    do_GET = do_POST

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recording_server() -> Iterator[tuple[str, list[tuple[str, dict[str, str], bytes]]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
    server.recorded = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.recorded  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


def _run_command(command: str, base_url: str, folder: Path, files: dict[str, bytes]) -> None:
    """Run the first line of an as_curl command against ``base_url``, with ``files`` in ``folder``."""
    for name, content in files.items():
        (folder / name).write_bytes(content)
    line = command.split("\n", 1)[0].replace("http://localhost:3000", base_url)
    completed = subprocess.run(
        ["bash", "-c", line], cwd=folder, capture_output=True, text=True, timeout=20, check=False
    )
    assert completed.returncode == 0, completed.stderr


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize(
    "files",
    [
        {"file": ("notes-3fa9c1.txt", b"birch cedar", "text/plain")},
        {"file": ('semi;colon,"quoted" name.bin', bytes(range(256)), "application/octet-stream")},
        {"file": ("../server.js", b"console.log(1)", "text/javascript")},
        {"note": (None, "@/etc/passwd;type=text/plain"), "attachment": ("a b.txt", b"x", "text/plain")},
        {"note": (None, "plain value")},
    ],
    ids=["text", "special-name", "folder-in-name", "file-like-text", "text-only"],
)
def test_curl_sends_same_multipart_form(
    files: dict[str, FileTuple | tuple[None, str]],
    recording_server: tuple[str, list[tuple[str, dict[str, str], bytes]]],
    tmp_path: Path,
) -> None:
    base_url, recorded = recording_server
    request = _upload(files)
    local_files = {
        part.filename.rsplit("/", 1)[-1]: part.content
        for part in multipart_form(request) or []
        if part.filename is not None
    }

    _run_command(as_curl(request), base_url, tmp_path, local_files)

    _, headers, body = recorded[0]
    sent = parse_multipart(headers["Content-Type"], body)
    assert sent == multipart_form(request)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_sends_raw_target(
    recording_server: tuple[str, list[tuple[str, dict[str, str], bytes]]], tmp_path: Path
) -> None:
    base_url, recorded = recording_server
    target = "/files/../%2e%2e/secret.txt"
    request = httpx.Request("GET", f"{SERVER_URL}{target}", extensions={"target": target.encode("ascii")})

    _run_command(as_curl(request), base_url, tmp_path, {})

    assert recorded[0][0] == target


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_sends_bracketed_target(
    recording_server: tuple[str, list[tuple[str, dict[str, str], bytes]]], tmp_path: Path
) -> None:
    base_url, recorded = recording_server
    target = "/items/[1]?tags={a}"
    request = httpx.Request("GET", f"{SERVER_URL}{target}", extensions={"target": target.encode("ascii")})

    _run_command(as_curl(request), base_url, tmp_path, {})

    assert recorded[0][0] == target
