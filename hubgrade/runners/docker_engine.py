"""The module that calls the Docker SDK, except for the one-off containers of sandbox.py.

Docker errors are translated here: an engine that does not respond or a missing image
becomes ``EnvironmentProblem`` (exit code 3) with the fix in the message.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import docker
import docker.errors
from docker.models.containers import Container
from docker.types import LogConfig

from hubgrade import labels
from hubgrade.errors import EnvironmentProblem
from hubgrade.limits import Limits
from hubgrade.runners import container_log, image_build
from hubgrade.runners.image_build import BuildOutcome

logger = logging.getLogger(__name__)

API_TIMEOUT_SECONDS = 120
PING_TIMEOUT_SECONDS = 3
# Set (to any value) to never pull a missing image, for machines with no registry.
NO_PULL_VARIABLE = "HUBGRADE_NO_PULL"
# The container runtime of the learner's server, for example runsc (gVisor) when the engine has it.
RUNTIME_VARIABLE = "HUBGRADE_RUNTIME"


@dataclass(frozen=True)
class ResourceLimits:
    """Limits applied to the learner's server container."""

    memory_mib: int = 512
    cpus: float = 1.0
    pids: int = 256
    log_max_mib: int = 20
    # The size of each folder the server may write to (/tmp and the assignment's own);
    # everything else in the container is read-only.
    disk_mib: int = 64
    # Each image build: the dependency install, `npm run build`, a learner's Dockerfile.
    build_seconds: float = 300.0

    @classmethod
    def from_limits(cls, limits: Limits) -> ResourceLimits:
        return cls(
            memory_mib=limits.memory_mib, cpus=limits.cpus, pids=limits.pids, log_max_mib=limits.log_mib,
            disk_mib=limits.disk_mib, build_seconds=limits.build_seconds,
        )


# Passes each connection on a listed port through to the same port of the target host.
# Arguments: the target host, then the ports. An unreachable target closes the connection.
RELAY_SCRIPT = """
const net = require("node:net");
const [target, ...ports] = process.argv.slice(1);
for (const port of ports.map(Number)) {
  net.createServer((inbound) => {
    const outbound = net.connect(port, target);
    const close = () => { inbound.destroy(); outbound.destroy(); };
    inbound.on("error", close);
    outbound.on("error", close);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  }).listen(port);
}
"""


def engine_available() -> bool:
    """Return whether a Docker engine responds to a ping within a few seconds."""
    try:
        client = docker.from_env(timeout=PING_TIMEOUT_SECONDS)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except docker.errors.DockerException:
        return False
    except OSError:
        return False


class Engine:
    def __init__(self, client: docker.DockerClient) -> None:
        self.client = client

    @classmethod
    def connect(cls) -> Engine:
        try:
            client = docker.from_env(timeout=API_TIMEOUT_SECONDS)
            client.ping()
        except (docker.errors.DockerException, OSError) as exc:
            raise EnvironmentProblem(
                f"no Docker engine responded ({exc}); start one (for example `sudo systemctl start docker`, "
                "or `dockerd &` as root), or grade without isolation with --runner local"
            ) from exc
        return cls(client)

    def close(self) -> None:
        self.client.close()

    def version(self) -> str:
        return str(self.client.version().get("Version", "unknown"))

    def has_image(self, name: str) -> bool:
        try:
            self.client.images.get(name)
        except docker.errors.ImageNotFound:
            return False
        except docker.errors.APIError as exc:
            raise EnvironmentProblem(f"could not look up image {name}: {exc}") from exc
        return True

    def ensure_image(self, name: str) -> None:
        """Pull ``name`` unless it is present; raise ``EnvironmentProblem`` when that fails."""
        if self.has_image(name):
            return
        if os.environ.get(NO_PULL_VARIABLE):
            raise EnvironmentProblem(
                f"image {name} is not present, and {NO_PULL_VARIABLE} is set, so it was not pulled; "
                f"build or load it, or choose another with --image"
            )
        logger.info("pulling image %s", name)
        try:
            self.client.images.pull(name)
        except docker.errors.DockerException as exc:
            raise EnvironmentProblem(
                f"image {name} is not present and could not be pulled ({_short(exc)}); "
                f"pull or build it (`docker pull {name}`), or choose another with --image"
            ) from exc

    def build(
        self, context_tar: bytes, dockerfile: str, tag: str, image_labels: dict[str, str], timeout_seconds: float
    ) -> BuildOutcome:
        """Build an image; a failing step or running out of time is an outcome, not an exception."""
        return image_build.build(context_tar, dockerfile, tag, image_labels, timeout_seconds)

    def create_network(self, name: str, network_labels: dict[str, str], *, internal: bool = False) -> None:
        """Create a bridge network; an ``internal`` one reaches neither the outside nor the host.

        Docker keeps internal networks from routing out, and without an address on the
        host's side of the bridge (``inhibit_ipv4``) the host's own ports are out of reach too.
        """
        options = {"com.docker.network.bridge.inhibit_ipv4": "true"} if internal else None
        try:
            self.client.networks.create(
                name, driver="bridge", labels=network_labels, internal=internal, options=options
            )
        except docker.errors.APIError as exc:
            raise EnvironmentProblem(f"could not create network {name}: {_short(exc)}") from exc

    def run_server(
        self, *, image: str, name: str, environment: dict[str, str], ports: list[int], network: str,
        run_labels: dict[str, str], limits: ResourceLimits, user: str, writable: list[str] | None = None,
        aliases: list[str] | None = None, volumes: dict[str, str] | None = None,
    ) -> Container:
        """Start the server with a read-only root file system; ``writable`` folders are size-capped tmpfs.

        ``aliases`` are extra names of the container on ``network``; ``volumes`` maps
        volume names to the folders they are mounted on, writable.
        """
        memory = f"{limits.memory_mib}m"
        tmpfs = {folder: f"size={limits.disk_mib}m,mode=1777" for folder in writable or ["/tmp"]}
        endpoints = {network: self.client.api.create_endpoint_config(aliases=aliases)} if aliases else None
        runtime = os.environ.get(RUNTIME_VARIABLE) or None
        try:
            container = self.client.containers.run(
                image, detach=True, name=name, labels=run_labels, environment=environment, user=user,
                ports={f"{port}/tcp": ("127.0.0.1", None) for port in ports}, network=network,
                networking_config=endpoints,
                mem_limit=memory, memswap_limit=memory, nano_cpus=int(limits.cpus * 1e9),
                pids_limit=limits.pids, security_opt=["no-new-privileges"], cap_drop=["ALL"], init=True,
                read_only=True, tmpfs=tmpfs, runtime=runtime,
                volumes={name: {"bind": folder, "mode": "rw"} for name, folder in (volumes or {}).items()},
                log_config=LogConfig(type="json-file", config=container_log.log_options(limits.log_max_mib)),
            )
        except docker.errors.DockerException as exc:
            hint = (
                f"; {RUNTIME_VARIABLE}={runtime} names a runtime the engine must know (see `docker info`)"
                if runtime else ""
            )
            raise EnvironmentProblem(f"could not start container {name}: {_short(exc)}{hint}") from exc
        return container

    def create_volume(self, name: str, volume_labels: dict[str, str], size_mib: int) -> None:
        """Create a tmpfs volume of ``size_mib``; its files last while a container mounts it."""
        try:
            self.client.volumes.create(
                name, driver="local", labels=volume_labels,
                driver_opts={"type": "tmpfs", "device": "tmpfs", "o": f"size={size_mib}m,mode=1777"},
            )
        except docker.errors.APIError as exc:
            raise EnvironmentProblem(f"could not create volume {name}: {_short(exc)}") from exc

    def run_relay(
        self, *, image: str, name: str, target: str, ports: list[int], edge_network: str, network: str,
        run_labels: dict[str, str], held_volumes: list[str] | None = None,
    ) -> Container:
        """Start the relay that publishes ``ports`` of ``target`` on 127.0.0.1.

        The server sits on an internal network, which cannot publish ports. The relay is on
        that network and on ``edge_network``, and passes TCP connections through. It runs
        hubgrade's own code, locked down like the server. It also mounts ``held_volumes``
        (read-only, unused), which keeps their tmpfs mounted while the server restarts.
        """
        command = ["node", "-e", RELAY_SCRIPT, target, *(str(port) for port in ports)]
        try:
            container = self.client.containers.create(
                image, command=command, name=name, labels=run_labels, user="1000:1000",
                ports={f"{port}/tcp": ("127.0.0.1", None) for port in ports}, network=edge_network,
                mem_limit="128m", memswap_limit="128m", pids_limit=64, read_only=True, init=True,
                volumes={volume: {"bind": f"/held/{volume}", "mode": "ro"} for volume in held_volumes or []},
                security_opt=["no-new-privileges"], cap_drop=["ALL"],
                log_config=LogConfig(type="json-file", config={"max-size": "1m"}),
            )
            self.client.networks.get(network).connect(container)
            container.start()
        except docker.errors.DockerException as exc:
            raise EnvironmentProblem(f"could not start container {name} from {image}: {_short(exc)}") from exc
        return container

    def run_service(
        self, *, image: str, name: str, alias: str, network: str | None, environment: dict[str, str],
        command: list[str] | None, container_port: int, host_port: int, run_labels: dict[str, str],
        publish_network: str | None = None,
    ) -> Container:
        """Start a service container, named ``alias`` on ``network``, published on 127.0.0.1:``host_port``.

        An internal ``network`` cannot publish ports: the container is then created on
        ``publish_network`` and joins ``network`` as a second one.
        """
        try:
            container = self.client.containers.create(
                image, command=command, name=name, labels=run_labels, environment=environment,
                ports={f"{container_port}/tcp": ("127.0.0.1", host_port)}, network=publish_network or network,
                mem_limit="512m", log_config=LogConfig(type="json-file", config={"max-size": "10m"}),
            )
            if network is not None and publish_network is not None:
                self.client.networks.get(network).connect(container, aliases=[alias])
            elif network is not None:
                # Reconnect under the service name, which the server uses as the host name.
                connected = self.client.networks.get(network)
                connected.disconnect(container)
                connected.connect(container, aliases=[alias])
            container.start()
        except docker.errors.DockerException as exc:
            raise EnvironmentProblem(f"could not start service container {name} from {image}: {_short(exc)}") from exc
        return container

    def reap_orphans(self) -> int:
        """Remove containers, networks and images left by hubgrade runs that were killed."""
        removed = 0
        selector = {"label": labels.RUN_LABEL}
        with _tolerant("listing leftover containers"):
            # Without ignore_removed, a container of another run removed during the listing
            # raises NotFound, which ends the whole listing.
            for container in self.client.containers.list(all=True, filters=selector, ignore_removed=True):
                if labels.is_orphan(container.labels):
                    removed += self._remove_container(container)
        with _tolerant("listing leftover networks"):
            for network in self.client.networks.list(filters=selector):
                if labels.is_orphan(network.attrs.get("Labels") or {}):
                    removed += self._remove_network(network)
        with _tolerant("listing leftover images"):
            for image in self.client.images.list(filters=selector):
                if labels.is_orphan(image.labels):
                    removed += self._remove_image(image.id)
        with _tolerant("listing leftover volumes"):
            for volume in self.client.volumes.list(filters=selector):
                if labels.is_orphan(volume.attrs.get("Labels") or {}):
                    removed += self._remove_volume(volume)
        if removed:
            logger.info("removed %d objects left behind by earlier runs", removed)
        return removed

    def remove_run(self, run_id: str) -> int:
        """Remove every container, network and image labelled with ``run_id``."""
        removed = 0
        selector = {"label": f"{labels.RUN_LABEL}={run_id}"}
        with _tolerant(f"removing containers of {run_id}"):
            for container in self.client.containers.list(all=True, filters=selector, ignore_removed=True):
                removed += self._remove_container(container)
        with _tolerant(f"removing networks of {run_id}"):
            for network in self.client.networks.list(filters=selector):
                removed += self._remove_network(network)
        with _tolerant(f"removing images of {run_id}"):
            for image in self.client.images.list(filters=selector):
                removed += self._remove_image(image.id)
        with _tolerant(f"removing volumes of {run_id}"):
            for volume in self.client.volumes.list(filters=selector):
                removed += self._remove_volume(volume)
        logger.info("removed %d objects of run %s", removed, run_id)
        return removed

    def count_run_objects(self, label_filter: str) -> int:
        selector = {"label": label_filter}
        return (
            len(self.client.containers.list(all=True, filters=selector))
            + len(self.client.networks.list(filters=selector))
            + len(self.client.images.list(filters=selector))
            + len(self.client.volumes.list(filters=selector))
        )

    def _remove_container(self, container: Container) -> int:
        with _tolerant(f"removing container {container.name}"):
            container.remove(force=True, v=True)
            logger.info("removed container %s", container.name)
            return 1
        return 0

    def _remove_volume(self, volume: Any) -> int:
        with _tolerant(f"removing volume {volume.name}"):
            volume.remove(force=True)
            logger.info("removed volume %s", volume.name)
            return 1
        return 0

    def _remove_network(self, network: Any) -> int:
        with _tolerant(f"removing network {network.name}"):
            network.remove()
            logger.info("removed network %s", network.name)
            return 1
        return 0

    def _remove_image(self, image_id: str) -> int:
        with _tolerant(f"removing image {image_id}"):
            self.client.images.remove(image_id, force=True)
            logger.info("removed image %s", image_id)
            return 1
        return 0


class ServerContainer:
    """The learner's server container: state, logs, listening sockets, restart."""

    def __init__(self, container: Container, container_port: int) -> None:
        self.container = container
        self.container_port = container_port

    @property
    def name(self) -> str:
        return str(self.container.name)

    def host_port(self, container_port: int) -> int:
        self.container.reload()
        bindings = (self.container.ports or {}).get(f"{container_port}/tcp") or []
        if not bindings:
            raise EnvironmentProblem(f"container {self.name} has no published port for {container_port}")
        return int(bindings[0]["HostPort"])

    def exit_code(self) -> int | None:
        try:
            self.container.reload()
        except docker.errors.NotFound:
            return -1
        if self.container.status in ("exited", "dead"):
            return int(self.container.attrs["State"].get("ExitCode", -1))
        return None

    def oom_killed(self) -> bool:
        with _tolerant(f"inspecting {self.name}"):
            self.container.reload()
        return bool(self.container.attrs.get("State", {}).get("OOMKilled"))

    def process_count(self) -> int | None:
        """Return how many processes and threads run in the container now, if it runs."""
        try:
            stats = self.container.stats(stream=False, one_shot=True)
        except docker.errors.DockerException:
            return None
        current = (stats.get("pids_stats") or {}).get("current")
        return int(current) if current is not None else None

    def full_folders(self, folders: list[str]) -> list[str]:
        """Return those of ``folders`` (tmpfs mounts) that are full, while the container runs."""
        try:
            result = self.container.exec_run(["df", "-P", *folders], user="1000:1000")
        except docker.errors.DockerException:
            return []
        full = []
        for line in bytes(result.output or b"").decode("utf-8", errors="replace").splitlines()[1:]:
            columns = line.split()
            if len(columns) >= 6 and columns[4].rstrip("%").isdigit() and int(columns[4].rstrip("%")) >= 99:
                full.append(columns[5])
        return full

    def logs(self) -> str:
        try:
            raw = self.container.logs(stdout=True, stderr=True)
        except docker.errors.DockerException as exc:
            logger.warning("could not read the log of %s: %s", self.name, exc)
            return ""
        return bytes(raw).decode("utf-8", errors="replace")

    def proc_net_tcp(self) -> str:
        """Return /proc/net/tcp and tcp6 as seen inside the container, or '' if it stopped."""
        try:
            result = self.container.exec_run(["cat", "/proc/net/tcp", "/proc/net/tcp6"], user="1000:1000")
        except docker.errors.DockerException:
            return ""
        return bytes(result.output or b"").decode("ascii", errors="replace")

    def restart(self, timeout_seconds: int) -> None:
        try:
            self.container.restart(timeout=timeout_seconds)
        except docker.errors.DockerException as exc:
            raise EnvironmentProblem(f"could not restart container {self.name}: {_short(exc)}") from exc


@contextmanager
def _tolerant(action: str) -> Iterator[None]:
    """Log and swallow Docker errors during clean-up, so one failure does not stop the rest."""
    try:
        yield
    except docker.errors.NotFound:
        pass
    except docker.errors.DockerException as exc:
        logger.warning("%s failed: %s", action, _short(exc))


def _short(exc: Exception) -> str:
    explanation = getattr(exc, "explanation", None)
    return str(explanation or exc).strip()
