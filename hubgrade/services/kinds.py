"""Service kinds and their differences: image, configuration, variables, readiness.

Each kind is configured the way its official image is, so that the official images work
unchanged and the local stand-ins built by ``.ci/build-service-images.sh`` behave the
same. Readiness is a real client round trip from the host, not an open port.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

KINDS = ("redis", "postgres", "mysql", "mongodb")


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    database: str

    @classmethod
    def fresh(cls) -> Credentials:
        return cls(user=f"u{secrets.token_hex(4)}", password=secrets.token_hex(16), database=f"db{secrets.token_hex(3)}")


@dataclass(frozen=True)
class Kind:
    name: str
    default_image: str
    port: int
    container_environment: Callable[[Credentials], dict[str, str]]
    command: Callable[[Credentials], list[str] | None]
    url: Callable[[Credentials, str, int], str]
    variables: Callable[[Credentials, str, int], dict[str, str]]
    ping: Callable[[Credentials, str, int, float], None]

    @property
    def image_variable(self) -> str:
        return f"HUBGRADE_{self.name.upper()}_IMAGE"

    def image(self) -> str:
        return os.environ.get(self.image_variable) or self.default_image


def _redis_url(credentials: Credentials, host: str, port: int) -> str:
    return f"redis://:{credentials.password}@{host}:{port}/0"


def _redis_variables(credentials: Credentials, host: str, port: int) -> dict[str, str]:
    return {
        "REDIS_URL": _redis_url(credentials, host, port),
        "REDIS_HOST": host, "REDIS_PORT": str(port), "REDIS_PASSWORD": credentials.password,
    }


def _redis_ping(credentials: Credentials, host: str, port: int, timeout: float) -> None:
    import redis

    client = redis.Redis(host=host, port=port, password=credentials.password, socket_timeout=timeout,
                         socket_connect_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


def _postgres_url(credentials: Credentials, host: str, port: int) -> str:
    return f"postgres://{credentials.user}:{credentials.password}@{host}:{port}/{credentials.database}"


def _postgres_variables(credentials: Credentials, host: str, port: int) -> dict[str, str]:
    return {
        "DATABASE_URL": _postgres_url(credentials, host, port),
        "PGHOST": host, "PGPORT": str(port), "PGUSER": credentials.user,
        "PGPASSWORD": credentials.password, "PGDATABASE": credentials.database,
    }


def _postgres_ping(credentials: Credentials, host: str, port: int, timeout: float) -> None:
    import psycopg

    with psycopg.connect(_postgres_url(credentials, host, port), connect_timeout=max(1, int(timeout))) as connection:
        connection.execute("SELECT 1")


def _mysql_url(credentials: Credentials, host: str, port: int) -> str:
    return f"mysql://{credentials.user}:{credentials.password}@{host}:{port}/{credentials.database}"


def _mysql_variables(credentials: Credentials, host: str, port: int) -> dict[str, str]:
    url = _mysql_url(credentials, host, port)
    return {
        "MYSQL_URL": url, "DATABASE_URL": url,
        "MYSQL_HOST": host, "MYSQL_PORT": str(port), "MYSQL_USER": credentials.user,
        "MYSQL_PASSWORD": credentials.password, "MYSQL_DATABASE": credentials.database,
    }


def _mysql_ping(credentials: Credentials, host: str, port: int, timeout: float) -> None:
    import pymysql

    connection = pymysql.connect(host=host, port=port, user=credentials.user, password=credentials.password,
                                 database=credentials.database, connect_timeout=timeout)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()


def _mongodb_url(credentials: Credentials, host: str, port: int) -> str:
    return f"mongodb://{credentials.user}:{credentials.password}@{host}:{port}/{credentials.database}?authSource=admin"


def _mongodb_variables(credentials: Credentials, host: str, port: int) -> dict[str, str]:
    url = _mongodb_url(credentials, host, port)
    return {"MONGODB_URI": url, "MONGO_URL": url, "DATABASE_URL": url}


def _mongodb_ping(credentials: Credentials, host: str, port: int, timeout: float) -> None:
    import pymongo

    milliseconds = int(timeout * 1000)
    client: Any = pymongo.MongoClient(_mongodb_url(credentials, host, port), serverSelectionTimeoutMS=milliseconds,
                                      connectTimeoutMS=milliseconds)
    try:
        client.admin.command("ping")
    finally:
        client.close()


REGISTRY: dict[str, Kind] = {
    "redis": Kind(
        "redis", "redis:7", 6379, lambda c: {},
        lambda c: ["redis-server", "--requirepass", c.password, "--appendonly", "no"],
        _redis_url, _redis_variables, _redis_ping,
    ),
    "postgres": Kind(
        "postgres", "postgres:16", 5432,
        lambda c: {"POSTGRES_USER": c.user, "POSTGRES_PASSWORD": c.password, "POSTGRES_DB": c.database},
        lambda c: None, _postgres_url, _postgres_variables, _postgres_ping,
    ),
    "mysql": Kind(
        "mysql", "mysql:8", 3306,
        lambda c: {
            "MYSQL_ROOT_PASSWORD": secrets.token_hex(16), "MYSQL_USER": c.user,
            "MYSQL_PASSWORD": c.password, "MYSQL_DATABASE": c.database,
        },
        lambda c: None, _mysql_url, _mysql_variables, _mysql_ping,
    ),
    "mongodb": Kind(
        "mongodb", "mongo:7", 27017,
        lambda c: {"MONGO_INITDB_ROOT_USERNAME": c.user, "MONGO_INITDB_ROOT_PASSWORD": c.password},
        lambda c: None, _mongodb_url, _mongodb_variables, _mongodb_ping,
    ),
}
