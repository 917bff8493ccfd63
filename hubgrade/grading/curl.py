"""Format HTTP requests and responses for people reading a failed check."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

import httpx

# NOTE: a private module of httpx, read in httpx 0.29. tests/test_curl.py fails if an
# upgrade changes it, rather than multipart requests silently losing their -F options.
from httpx._multipart import DataField, MultipartStream

BODY_EXCERPT_CHARS = 400
LEARNER_PORT = 3000
# The largest multipart body that as_curl renders again to show its parts.
MAX_FORM_BYTES = 16 * 1024 * 1024
_SHOWN_RESPONSE_HEADERS = ("content-type", "location", "retry-after", "www-authenticate")
_SKIPPED_REQUEST_HEADERS = frozenset(
    {"host", "accept", "accept-encoding", "connection", "user-agent", "content-length"}
)
# Characters that curl's -F reads as separators or quotes inside a file name or type.
_FORM_SPECIAL_CHARACTERS = frozenset(';,"\\')
_HEADER_PARAMETER = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
# httpx and browsers (WHATWG HTML) percent-encode '"' and control characters in the
# name and filename parameters.
_ENCODED_FORM_CHARACTER = re.compile(r"%(22|[01][0-9A-Fa-f])")


@dataclass(frozen=True)
class FormPart:
    """One part of a multipart/form-data body: a file when ``filename`` is set, else a text field."""

    name: str
    filename: str | None
    content_type: str | None
    content: bytes


def as_curl(request: httpx.Request) -> str:
    """Return a curl command that sends the same request to the learner's own server.

    The grader reached the server through a temporary port; the command names
    ``localhost:3000`` instead, where the learner's ``npm start`` listens by default.
    A multipart body becomes one -F option for each part, and a request sent with
    httpx's ``target`` extension keeps that raw target, with ``--path-as-is``. When the
    command cannot show everything (the size of each uploaded file, a streamed body),
    a second line in brackets adds it.
    """
    parts = ["curl", "-i"]
    url = str(request.url.copy_with(scheme="http", host="localhost", port=LEARNER_PORT))
    target = request.extensions.get("target")
    if isinstance(target, bytes) and target:
        # NOTE: bytes that are not UTF-8 show as U+FFFD, so such a target is not sent as written.
        raw_target = target.decode("utf-8", errors="replace")
        if raw_target.startswith("/"):
            parts.append("--path-as-is")
            url = f"http://localhost:{LEARNER_PORT}{raw_target}"
        else:
            parts += ["--request-target", raw_target]
    if any(character in url for character in "[]{}"):
        parts.append("--globoff")

    form = multipart_form(request)
    # -F makes curl send POST by itself.
    implied_method = "POST" if form is not None else "GET"
    if request.method != implied_method:
        parts += ["-X", request.method]
    for name, value in request.headers.items():
        lowered = name.lower()
        if lowered in _SKIPPED_REQUEST_HEADERS:
            continue
        if form is not None and lowered in ("content-type", "transfer-encoding"):
            continue
        parts += ["-H", f"{name}: {value}"]

    notes = []
    if form is not None:
        for part in form:
            option, note = _form_option(part)
            parts += option
            if note:
                notes.append(note)
    else:
        body = _request_body(request)
        if body is None:
            notes.append("the request body was streamed, so this command does not show it")
        elif body:
            parts += ["--data-raw", body]
    parts.append(url)
    command = " ".join(shlex.quote(part) for part in parts)
    return f"{command}\n  ({'; '.join(notes)})" if notes else command


def multipart_form(request: httpx.Request) -> list[FormPart] | None:
    """Return the parts of a multipart/form-data request, or None when the body cannot be read or parsed."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";", 1)[0].strip().lower() != "multipart/form-data":
        return None
    body = _multipart_bytes(request)
    if body is None:
        return None
    return parse_multipart(content_type, body)


def parse_multipart(content_type: str, body: bytes) -> list[FormPart] | None:
    """Split a multipart/form-data ``body`` (RFC 7578) into its parts; None when it is malformed."""
    boundary = _header_parameter(content_type, "boundary")
    if not boundary:
        return None
    # Each delimiter starts with CRLF, the first one too once the body gets a CRLF in front.
    segments = (b"\r\n" + body).split(b"\r\n--" + boundary.encode("latin-1", errors="replace"))
    parts: list[FormPart] = []
    for segment in segments[1:]:
        if segment.startswith(b"--"):
            return parts
        line_end = segment.find(b"\r\n")
        if line_end == -1 or segment[:line_end].strip(b" \t"):
            return None
        rest = segment[line_end + 2:]
        if rest.startswith(b"\r\n"):
            header_block, content = b"", rest[2:]
        else:
            header_block, separator, content = rest.partition(b"\r\n\r\n")
            if not separator:
                return None
        part = _form_part(header_block, content)
        if part is None:
            return None
        parts.append(part)
    # The body ended without the closing delimiter.
    return None


def excerpt(text: str, limit: int = BODY_EXCERPT_CHARS) -> str:
    """Return at most ``limit`` characters of ``text``, saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def describe_response(response: httpx.Response) -> str:
    """Return the status, the headers a learner needs, and a body excerpt, one per line."""
    lines = [f"status {response.status_code} {response.reason_phrase}".rstrip()]
    for name in _SHOWN_RESPONSE_HEADERS:
        if name in response.headers:
            lines.append(f"{name}: {response.headers[name]}")
    lines.append("body: " + (repr(excerpt(body_text(response))) if response.content else "(empty)"))
    return "\n".join(lines)


def body_text(response: httpx.Response) -> str:
    try:
        return response.content.decode(response.encoding or "utf-8", errors="replace")
    except LookupError:
        return response.content.decode("utf-8", errors="replace")


def _request_body(request: httpx.Request) -> str | None:
    """Return the body as text for --data-raw, or None when it was streamed and never read."""
    try:
        content = request.content
    except httpx.RequestNotRead:
        return None
    if not content:
        return ""
    return excerpt(content.decode("utf-8", errors="replace"), 2000)


def _multipart_bytes(request: httpx.Request) -> bytes | None:
    """Return the request body, rendering httpx's multipart stream again if its parts are all in memory."""
    try:
        return request.content
    except httpx.RequestNotRead:
        pass
    stream = request.stream
    if not isinstance(stream, MultipartStream):
        return None
    # A file object may be closed by now or unable to seek, so only bytes and str contents are read again.
    if not all(isinstance(field, DataField) or isinstance(field.file, (bytes, str)) for field in stream.fields):
        return None
    length = stream.get_content_length()
    if length is None or length > MAX_FORM_BYTES:
        return None
    return b"".join(stream.iter_chunks())


def _form_part(header_block: bytes, content: bytes) -> FormPart | None:
    headers: dict[str, str] = {}
    for line in header_block.decode("utf-8", errors="replace").split("\r\n"):
        header, separator, value = line.partition(":")
        if not separator:
            return None
        headers[header.strip().lower()] = value.strip()
    disposition = headers.get("content-disposition", "")
    if disposition.split(";", 1)[0].strip().lower() != "form-data":
        return None
    name = _header_parameter(disposition, "name")
    if name is None:
        return None
    filename = _header_parameter(disposition, "filename")
    return FormPart(
        name=_decode_form_parameter(name),
        filename=None if filename is None else _decode_form_parameter(filename),
        content_type=headers.get("content-type"),
        content=content,
    )


def _header_parameter(header: str, parameter: str) -> str | None:
    """Return the value of ``parameter`` in a header value such as Content-Disposition, unquoted."""
    for match in _HEADER_PARAMETER.finditer(header):
        if match.group(1).lower() != parameter:
            continue
        value = match.group(2).strip()
        if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
            return re.sub(r"\\(.)", r"\1", value[1:-1])
        return value
    return None


def _decode_form_parameter(value: str) -> str:
    # NOTE: a name that really contains "%22" is shown with '"', because the encoding is not reversible.
    return _ENCODED_FORM_CHARACTER.sub(lambda match: chr(int(match.group(1), 16)), value)


def _form_option(part: FormPart) -> tuple[list[str], str]:
    """Return the curl option for one part, and a note with the file's size for a file part."""
    if part.filename is None:
        return _form_text_option(part), ""
    # curl sends the base name of the local file, so a name with a folder in it needs filename=.
    local_name = re.split(r"[/\\]", part.filename)[-1] or "upload"
    value = f"{part.name}=@{_form_word(local_name)}"
    if local_name != part.filename:
        value += f";filename={_form_word(part.filename)}"
    if part.content_type:
        value += f";type={_form_word(part.content_type)}"
    return ["-F", value], f"{local_name} is a file of {len(part.content)} bytes"


def _form_text_option(part: FormPart) -> list[str]:
    """Return -F for a text field, or --form-string when -F would read the value as a file or parameters."""
    value = excerpt(part.content.decode("utf-8", errors="replace"), 2000)
    plain = not value.startswith(("@", "<")) and not any(character in value for character in ';"')
    if not plain:
        # NOTE: --form-string cannot set a part's type, so a text part's own Content-Type is not shown here.
        return ["--form-string", f"{part.name}={value}"]
    if part.content_type:
        return ["-F", f"{part.name}={value};type={_form_word(part.content_type)}"]
    return ["-F", f"{part.name}={value}"]


def _form_word(text: str) -> str:
    """Quote ``text`` for curl's -F parameters when it contains a separator, a quote or outer spaces."""
    if text and text == text.strip() and not any(character in _FORM_SPECIAL_CHARACTERS for character in text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
