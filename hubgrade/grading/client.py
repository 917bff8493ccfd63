"""The HTTP client graders use to talk to the learner's server."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from hubgrade.grading.curl import as_curl, describe_response
from hubgrade.grading.expect import CheckFailed

logger = logging.getLogger(__name__)


class GraderClient(httpx.Client):
    """An ``httpx.Client`` bound to the learner's server.

    Connection errors and time-outs become ``CheckFailed`` with the request as curl, so a
    grader never ends in a Python traceback because the server misbehaved. Every exchange
    is appended to ``transcript``, which becomes the check's output.
    """

    def __init__(self, base_url: str, timeout: float, transcript: list[str]) -> None:
        super().__init__(base_url=base_url, timeout=timeout, follow_redirects=False)
        self.transcript = transcript
        self.timeout_seconds = timeout

    def request(self, method: str, url: httpx.URL | str, *args: Any, **kwargs: Any) -> httpx.Response:
        where = f"{method} {url}"
        try:
            response = super().request(method, url, *args, **kwargs)
        except httpx.TimeoutException as exc:
            self.transcript.append(f"> {as_curl(exc.request)}\n< (no response within {self.timeout_seconds:g} s)")
            raise CheckFailed(
                f"{where}: the server did not respond within {self.timeout_seconds:g} s", request=exc.request
            ) from exc
        except httpx.TransportError as exc:
            request = _request_of(exc)
            self.transcript.append(f"> {as_curl(request) if request else where}\n< ({type(exc).__name__}: {exc})")
            raise CheckFailed(
                f"{where}: the connection failed ({type(exc).__name__}: {exc or 'no details'}); "
                "did the server crash? See its log below",
                request=request,
            ) from exc
        self.transcript.append(f"> {as_curl(response.request)}\n< " + describe_response(response).replace("\n", "\n< "))
        return response


def _request_of(exc: httpx.TransportError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:
        return None
