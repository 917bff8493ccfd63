"""The Dockerfiles and build contexts for a submission.

Two images per submission. The dependency image holds ``node_modules`` and is tagged
by a digest of everything that goes into it (base image, CA bundle, package.json,
lockfile), so an unchanged dependency set is found by tag and never installed again.
The run image adds the project's code on top of it and runs ``npm run build`` when
there is a build script. It belongs to one run and is removed with it.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path

from hubgrade.errors import UsageError
from hubgrade.submission import IGNORED_DIRS, Submission

logger = logging.getLogger(__name__)

APP_DIR = "/app"
CA_PATH_IN_IMAGE = "/etc/hubgrade/ca-certificates.pem"
# The official node images have this user; a base image without it still works,
# because only the numeric ids are used.
SERVER_USER = "1000:1000"
DEPS_REPOSITORY = "hubgrade-deps"
MAX_CONTEXT_BYTES = 200 * 1024 * 1024
# The run's generated files (owned by root, so the server cannot change them), and the
# mount points of the folders it may write to.
DATA_DIR = "/hubgrade/data"
WORK_DIR = "/hubgrade/work"
# Folders of the run image's build context.
PROJECT_PREFIX = "project/"
DATA_PREFIX = "data/"
# Our Dockerfile's name in the build context; a learner's own Dockerfile stays as it is.
DOCKERFILE_NAME = ".hubgrade.Dockerfile"


@dataclass(frozen=True)
class BuildContext:
    dockerfile: str
    files: dict[str, bytes]

    def tar(self) -> bytes:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            _add_bytes(archive, DOCKERFILE_NAME, self.dockerfile.encode())
            for name, content in sorted(self.files.items()):
                _add_bytes(archive, name, content)
        return buffer.getvalue()


def host_ca_bundle() -> Path | None:
    """Return the CA bundle the host's Node.js and npm trust beyond the defaults, if any.

    Behind a TLS-intercepting proxy, npm inside the container needs it to reach the
    registry. Looks at NODE_EXTRA_CA_CERTS, then npm's ``cafile`` setting.
    """
    candidates = [os.environ.get("NODE_EXTRA_CA_CERTS"), os.environ.get("npm_config_cafile")]
    candidates.append(_npmrc_cafile(Path.home() / ".npmrc"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _npmrc_cafile(npmrc: Path) -> str | None:
    try:
        lines = npmrc.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        key, _, value = line.partition("=")
        if key.strip() == "cafile" and value.strip():
            return value.strip()
    return None


def dependency_context(submission: Submission, base_image: str, ca_bundle: Path | None) -> BuildContext:
    files = {name: (submission.path / name).read_bytes() for name in submission.dependency_files()}
    lines = [f"FROM {base_image}"]
    if ca_bundle is not None:
        files["hubgrade-ca.pem"] = ca_bundle.read_bytes()
        lines += [f"COPY hubgrade-ca.pem {CA_PATH_IN_IMAGE}", f"ENV NODE_EXTRA_CA_CERTS={CA_PATH_IN_IMAGE}"]
    copied = " ".join(json.dumps(name) for name in submission.dependency_files())
    lines += [
        "ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false "
        "NPM_CONFIG_CACHE=/tmp/.npm",
        f"RUN mkdir -p {APP_DIR} && chown {SERVER_USER} {APP_DIR}",
        f"WORKDIR {APP_DIR}",
        f"USER {SERVER_USER}",
        f"COPY --chown={SERVER_USER} [{copied.replace(' ', ', ')}, \"./\"]",
        f"RUN {submission.install_command} && rm -rf /tmp/.npm",
    ]
    return BuildContext("\n".join(lines) + "\n", files)


def dependency_tag(context: BuildContext) -> str:
    """Return the tag that names this exact dependency set: equal inputs, equal tag."""
    digest = hashlib.sha256(context.dockerfile.encode())
    for name, content in sorted(context.files.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return f"{DEPS_REPOSITORY}:{digest.hexdigest()[:20]}"


def run_context(submission: Submission, dependency_image: str, port: int, data: dict[str, bytes] | None = None) -> BuildContext:
    """Return the run image's build context: the project in /app, the generated files read-only in DATA_DIR."""
    files = {f"{PROJECT_PREFIX}{name}": content for name, content in project_files(submission.path).items()}
    lines = [
        f"FROM {dependency_image}",
        f"COPY --chown={SERVER_USER} {PROJECT_PREFIX} {APP_DIR}/",
    ]
    if data:
        files.update({f"{DATA_PREFIX}{name}": content for name, content in data.items()})
        lines.append(f"COPY {DATA_PREFIX} {DATA_DIR}/")
    if submission.has_build:
        lines.append("RUN npm run build")
    lines += [
        f"ENV PORT={port}",
        f"CMD [\"sh\", \"-c\", {json.dumps(submission.start_command)}]",
    ]
    return BuildContext("\n".join(lines) + "\n", files)


def project_files(root: Path) -> dict[str, bytes]:
    """Return the project's files by relative path, without node_modules and VCS folders."""
    files: dict[str, bytes] = {}
    total = 0
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name not in IGNORED_DIRS)
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            relative = path.relative_to(root).as_posix()
            if relative in (DOCKERFILE_NAME, ".dockerignore"):
                # The build follows our Dockerfile and our file selection, not the learner's.
                continue
            content = path.read_bytes()
            total += len(content)
            if total > MAX_CONTEXT_BYTES:
                raise UsageError(
                    f"{root}: the project is larger than {MAX_CONTEXT_BYTES // (1024 * 1024)} MiB without "
                    "node_modules; remove build output or data files from it"
                )
            files[relative] = content
    return files


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(content))


_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
_EXIT_CODE = re.compile(r"returned a non-zero code: (\d+)")


def without_colours(build_output: str) -> str:
    """Return build output without the terminal colour codes npm and Docker put in it."""
    return _ANSI_ESCAPE.sub("", build_output)


def failed_step_output(build_output: str) -> str:
    """Return what the failing step printed, without Docker's own step lines and colours."""
    text = _ANSI_ESCAPE.sub("", build_output)
    last_step = text.rfind("\nStep ")
    lines = text[last_step + 1 :].splitlines()[1:] if last_step >= 0 else text.splitlines()
    kept = [
        line for line in lines
        if not line.startswith((" ---> ", "Removing intermediate container"))
    ]
    return "\n".join(kept).strip()


def failed_step_exit_code(error: str) -> int | None:
    match = _EXIT_CODE.search(error)
    return int(match.group(1)) if match else None
