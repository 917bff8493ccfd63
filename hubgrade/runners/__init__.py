"""Runners start a submission's server: in Docker (isolated) or as a host process.

``selection.select_runner`` picks one; this package imports nothing eagerly, so that the
service code can use the Docker engine module without an import cycle.
"""

RUNNER_NAMES = ("auto", "docker", "local")
