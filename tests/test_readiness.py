from __future__ import annotations

import pytest

from hubgrade.runners.readiness import Listener, crash_hint, parse_proc_net_tcp

PROC_NET_TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0B00007F:A1B2 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
   1: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2 1
   2: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 3 1
   3: 0100007F:0BB8 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 4 1
  sl  local_address                         remote_address                        st
   0: 00000000000000000000000000000000:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000
   1: 00000000000000000000000001000000:2382 00000000000000000000000000000000:0000 0A 00000000:00000000
"""


def test_parse_listening_sockets() -> None:
    listeners = parse_proc_net_tcp(PROC_NET_TCP)
    assert listeners == [
        Listener("127.0.0.11", 41394),
        Listener("127.0.0.1", 3000),
        Listener("0.0.0.0", 8080),
        Listener("::", 3000),
        Listener("::1", 9090),
    ]
    assert [listener.loopback_only for listener in listeners] == [True, True, False, False, True]


def test_parse_ignores_garbage() -> None:
    assert parse_proc_net_tcp("not a table\n\n  0: zz:yy 0 0A\n") == []


@pytest.mark.parametrize(
    ("log", "hint"),
    [
        (
            "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'express' imported from /app/server.js",
            "; it imports express, which is not installed: add it to dependencies with `npm install express`",
        ),
        (
            "Error: Cannot find module '@fastify/cors/lib/x'",
            "; it imports @fastify/cors, which is not installed: add it to dependencies with `npm install @fastify/cors`",
        ),
        (
            "Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/app/routes' imported from /app/server.js",
            "; it imports /app/routes, which is not there: check the path and the file extension",
        ),
        ("TypeError: app.listen is not a function", ""),
    ],
)
def test_crash_hint_names_missing_import(log: str, hint: str) -> None:
    assert crash_hint(log) == hint
