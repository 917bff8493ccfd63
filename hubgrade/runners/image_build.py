"""Image builds with a time limit: a build that runs past it is cancelled on the engine.

A build step can run forever: an install script that waits, ``tsc --watch`` as the build
script, or ``RUN node server.js`` in a learner's Dockerfile. The engine's build API has
no time limit of its own, and it streams its output with no read time-out. But the
engine cancels a build when its client disconnects, and removes the step's container.
So when the time is up, a timer shuts the connection's socket down.
"""

from __future__ import annotations

import io
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import docker
import docker.errors
import requests
import urllib3.exceptions

from hubgrade.interrupts import keep_signals_off_this_thread

logger = logging.getLogger(__name__)

# The image a step of the classic builder ends with: " ---> 0123456789ab".
_STEP_IMAGE = re.compile(r"^ ---> ([0-9a-f]{12})$", re.MULTILINE)
# After a cancelled build the engine still removes the step's container for a moment,
# and until then that container keeps its image in use.
IN_USE_WAIT_SECONDS = 10


@dataclass(frozen=True)
class BuildOutcome:
    ok: bool
    output: str
    error: str = ""
    timed_out: bool = False


class _Cutter:
    """The build's HTTP response, kept so that the timer thread can cut its connection."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._response: requests.Response | None = None
        self.fired = False

    def on_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        with self._lock:
            self._response = response
            if self.fired:
                _shut_down(response)
        return response

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            if self._response is not None:
                _shut_down(self._response)


class _Timer(threading.Timer):
    def run(self) -> None:
        keep_signals_off_this_thread()
        super().run()


def _shut_down(response: requests.Response) -> None:
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is None:
        logger.warning("could not stop the image build: its connection has no socket")
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError as exc:
        logger.warning("could not stop the image build: %s", exc)


def build(
    context_tar: bytes, dockerfile: str, tag: str, image_labels: dict[str, str], timeout_seconds: float
) -> BuildOutcome:
    """Build an image within ``timeout_seconds``; a failing step or the time limit is an outcome."""
    # A client of its own, so that its response hook receives this build's response only.
    try:
        client = docker.from_env()
    except docker.errors.DockerException as exc:
        return BuildOutcome(False, "", f"could not reach the Docker engine: {_short(exc)}")
    cutter = _Cutter()
    client.api.hooks["response"].append(cutter.on_response)
    timer = _Timer(timeout_seconds, cutter.fire)
    timer.daemon = True

    lines: list[str] = []
    error = ""
    try:
        timer.start()
        stream = client.api.build(
            fileobj=io.BytesIO(context_tar), custom_context=True, dockerfile=dockerfile, tag=tag,
            labels=image_labels, rm=True, forcerm=True, pull=False, decode=True,
        )
        for chunk in stream:
            if "stream" in chunk:
                lines.append(str(chunk["stream"]))
            if "error" in chunk:
                error = str(chunk["error"]).strip()
                break
    except (docker.errors.DockerException, requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
        error = _short(exc)
    finally:
        timer.cancel()
        client.close()

    output = "".join(lines)
    if cutter.fired or error:
        _remove_step_images(output)
    if cutter.fired:
        return BuildOutcome(False, output, f"did not finish within {timeout_seconds:g} s", timed_out=True)
    if error:
        return BuildOutcome(False, output, error)
    return BuildOutcome(True, output)


def _remove_step_images(output: str) -> None:
    """Remove the images the steps of a failed build left, which carry none of the run's labels.

    A successful build's step images are parents of its tagged image and go with it. A
    failed build leaves them untagged. The newest is removed first, as each older one is
    the parent of the next. Tagged images (the base image, a cached dependency image)
    and images that other images still build on are kept: the engine refuses to remove
    those without force, which is never used here.
    """
    client = docker.from_env()
    deadline = time.monotonic() + IN_USE_WAIT_SECONDS
    try:
        for image_id in reversed(_STEP_IMAGE.findall(output)):
            _remove_untagged(client, image_id, deadline)
    except (docker.errors.DockerException, requests.RequestException) as exc:
        logger.warning("could not remove the images of a failed build: %s", _short(exc))
    finally:
        client.close()


def _remove_untagged(client: docker.DockerClient, image_id: str, deadline: float) -> None:
    while True:
        try:
            if client.images.get(image_id).tags:
                return
            client.images.remove(image_id)
            logger.info("removed image %s left by a failed build", image_id)
            return
        except docker.errors.ImageNotFound:
            return
        except docker.errors.APIError as exc:
            if "container" not in _short(exc) or time.monotonic() > deadline:
                logger.info("kept image %s of a failed build: %s", image_id, _short(exc))
                return
        time.sleep(0.2)


def _short(exc: Exception) -> str:
    explanation = getattr(exc, "explanation", None)
    return str(explanation or exc).strip()
