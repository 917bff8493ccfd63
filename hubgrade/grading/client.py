"""The HTTP client graders use to talk to the learner's server."""

from __future__ import annotations

import functools
import logging
import ssl
from typing import Any

import httpx

from hubgrade.grading.curl import as_curl, describe_response
from hubgrade.grading.expect import CheckFailed

logger = logging.getLogger(__name__)

MAX_BODY_MIB = 16
MAX_BODY_BYTES = MAX_BODY_MIB * 1024 * 1024


class GraderClient(httpx.Client):
    """An ``httpx.Client`` bound to the learner's server.

    Connection errors and time-outs become ``CheckFailed`` with the request as curl, so a
    grader never ends in a Python traceback because the server misbehaved. Every exchange
    is appended to ``transcript``, which becomes the check's output.
    """

    def __init__(self, base_url: str, timeout: float, transcript: list[str]) -> None:
        super().__init__(base_url=base_url, timeout=timeout, follow_redirects=False, verify=_tls_context())
        self.transcript = transcript
        self.timeout_seconds = timeout

    def request(self, method: str, url: httpx.URL | str, *args: Any, **kwargs: Any) -> httpx.Response:
        where = f"{method} {url}"
        try:
            response = super().request(method, url, *args, **kwargs)
        except httpx.TimeoutException as exc:
            self.transcript.append(f"> {as_curl(exc.request)}\n< (no response within {self.timeout_seconds:g} s)")
            raise CheckFailed(
                f"{_target(exc.request)}: the server did not respond within {self.timeout_seconds:g} s",
                request=exc.request,
            ) from exc
        except httpx.TransportError as exc:
            request = _request_of(exc)
            where = _target(request) if request else where
            self.transcript.append(f"> {as_curl(request) if request else where}\n< ({type(exc).__name__}: {exc})")
            raise CheckFailed(
                f"{where}: the connection failed ({type(exc).__name__}: {exc or 'no details'}); "
                "did the server crash? See its log below",
                request=request,
            ) from exc
        self.transcript.append(f"> {as_curl(response.request)}\n< " + describe_response(response).replace("\n", "\n< "))
        return response

    def send(self, request: httpx.Request, *, stream: bool = False, **kwargs: Any) -> httpx.Response:
        """Send the request and read the body, failing the check past ``MAX_BODY_BYTES``.

        The grader's memory must stay bounded whatever the server sends back.
        """
        response = super().send(request, stream=True, **kwargs)
        if stream:
            return response
        raw = bytearray()
        try:
            for chunk in response.iter_raw():
                raw += chunk
                if len(raw) > MAX_BODY_BYTES:
                    self.transcript.append(f"> {as_curl(request)}\n< (body larger than {MAX_BODY_MIB} MiB)")
                    raise CheckFailed(
                        f"{_target(request)}: the response body is larger than {MAX_BODY_MIB} MiB, "
                        "so the grader stopped reading it",
                        request=request,
                    )
        finally:
            response.close()
        # The headers still name any Content-Encoding, so the new response decodes the raw bytes.
        return httpx.Response(
            response.status_code, headers=response.headers, content=bytes(raw), request=request,
            extensions=response.extensions,
        )


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Return one TLS context for every client: httpx builds one per client otherwise, about 20 ms each."""
    return ssl.create_default_context()


def _target(request: httpx.Request) -> str:
    """Return the method and target of ``request`` as sent, query string included."""
    return f"{request.method} {request.url.raw_path.decode('ascii', errors='replace')}"


def _request_of(exc: httpx.TransportError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:
        return None
