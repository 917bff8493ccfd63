from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from hubgrade.runners import docker_image
from hubgrade.submission import inspect


def _project(tmp_path: Path, lock: str | None = None) -> Path:
    root = tmp_path / "project"
    root.mkdir(parents=True)
    (root / "package.json").write_text(json.dumps({"scripts": {"start": "node server.js"}, "dependencies": {"express": "^5.1.0"}}))
    (root / "server.js").write_text("// server\n")
    if lock is not None:
        (root / "package-lock.json").write_text(lock)
    (root / "node_modules" / "express").mkdir(parents=True)
    (root / "node_modules" / "express" / "index.js").write_text("")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref")
    (root / ".dockerignore").write_text("*.js\n")
    return root


def test_dependency_tag_follows_the_lockfile(tmp_path: Path) -> None:
    first = inspect(_project(tmp_path / "a", lock='{"v": 1}'))
    same = inspect(_project(tmp_path / "b", lock='{"v": 1}'))
    other = inspect(_project(tmp_path / "c", lock='{"v": 2}'))
    tag = docker_image.dependency_tag(docker_image.dependency_context(first, "node:24", None))
    assert tag == docker_image.dependency_tag(docker_image.dependency_context(same, "node:24", None))
    assert tag != docker_image.dependency_tag(docker_image.dependency_context(other, "node:24", None))
    assert tag != docker_image.dependency_tag(docker_image.dependency_context(first, "node:22", None))


def test_ca_bundle_goes_into_the_dependency_image(tmp_path: Path) -> None:
    submission = inspect(_project(tmp_path))
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    context = docker_image.dependency_context(submission, "node:24", bundle)
    assert context.files["hubgrade-ca.pem"] == bundle.read_bytes()
    assert f"ENV NODE_EXTRA_CA_CERTS={docker_image.CA_PATH_IN_IMAGE}" in context.dockerfile
    assert context.dockerfile.index("NODE_EXTRA_CA_CERTS") < context.dockerfile.index("RUN npm install")


def test_run_context_leaves_out_installed_and_vcs_files(tmp_path: Path) -> None:
    submission = inspect(_project(tmp_path))
    context = docker_image.run_context(submission, "hubgrade-deps:abc", 3000)
    assert sorted(context.files) == ["project/package.json", "project/server.js"]
    with tarfile.open(fileobj=io.BytesIO(context.tar())) as archive:
        names = archive.getnames()
    assert docker_image.DOCKERFILE_NAME in names
    assert 'CMD ["sh", "-c", "npm start"]' in context.dockerfile


def test_failed_step_output_keeps_only_the_step() -> None:
    output = (
        "Step 8/9 : COPY a b\n ---> Using cache\n ---> 123\nStep 9/9 : RUN npm ci\n ---> Running in 456\n"
        "\x1b[91mnpm error code E404\n\x1b[0mRemoving intermediate container 456\n"
    )
    assert docker_image.failed_step_output(output) == "npm error code E404"
    assert docker_image.failed_step_exit_code("The command '/bin/sh -c npm ci' returned a non-zero code: 1") == 1
