#!/bin/bash
# Entrypoint of the local stand-in for the official redis:7 image, built from Debian
# bookworm's redis-server (Redis 7.0) by .ci/build-service-images.sh.
#
# Arguments that start with "-", or a first argument ending in .conf, are arguments for
# redis-server, so `docker run redis:7 --requirepass SECRET` and
# `docker run redis:7 redis-server --requirepass SECRET` do the same. Any other command
# runs as given. redis-server runs as the redis user, in /data, as PID 1.
set -euo pipefail

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
    set -- redis-server "$@"
fi
if [ "$1" != redis-server ]; then
    exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
    # A bind mount over /data may belong to root, and redis-server writes its dump there.
    chown redis:redis /data
    exec setpriv --reuid=redis --regid=redis --init-groups -- "$0" "$@"
fi

shift
# redis-server reads these options only as its first argument.
case "${1:-}" in
    -v | --version | -h | --help | --test-memory | --check-system)
        exec redis-server "$@"
        ;;
esac

config_file=()
if [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ]; then
    config_file=("$1")
    shift
fi

# Without a config file Redis starts in protected mode, which rejects clients from other
# containers unless a password is set. The official image turns protected mode off, so
# turn it off here, before the caller's options, which can turn it back on.
# A config file that sets protected-mode keeps its own value.
if [ "${#config_file[@]}" -gt 0 ] && grep -qE '^[[:space:]]*protected-mode[[:space:]]' "${config_file[0]}"; then
    exec redis-server "${config_file[@]}" "$@"
fi
exec redis-server "${config_file[@]}" --protected-mode no "$@"
