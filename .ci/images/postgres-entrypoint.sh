#!/bin/bash
# Entrypoint of the local stand-in for the official postgres:16 image, built from Debian
# bookworm's PostgreSQL 15 by .ci/build-service-images.sh (bookworm ships no 16).
#
# When $PGDATA contains no cluster yet, it creates one: superuser POSTGRES_USER (default
# postgres) with password POSTGRES_PASSWORD (required), database POSTGRES_DB (default: the
# user name), encoding UTF8 with locale C.UTF-8. Clients on any host must authenticate with
# scram-sha-256, and clients on the Unix socket inside the container are trusted. Later
# starts reuse the cluster. Arguments that start with "-" are options for postgres, and
# any other command runs as given. postgres runs in the foreground as the postgres user,
# as PID 1. The image sets STOPSIGNAL SIGINT, so `docker stop` makes a fast shutdown.
set -euo pipefail

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
    set -- postgres "$@"
fi
if [ "$1" != postgres ]; then
    exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
    # A bind mount over $PGDATA may belong to root, and postgres requires mode 0700 or 0750.
    mkdir -p "$PGDATA" /run/postgresql
    chown postgres:postgres "$PGDATA" /run/postgresql
    chmod 0700 "$PGDATA"
    export HOME=/var/lib/postgresql
    exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$0" "$@"
fi

initialize_cluster() {
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
        echo "postgres: POSTGRES_PASSWORD is missing or empty, so no cluster was created in $PGDATA." \
            "Start the container with -e POSTGRES_PASSWORD=..." >&2
        exit 1
    fi
    local user=${POSTGRES_USER:-postgres}
    local database=${POSTGRES_DB:-$user}

    echo "postgres: creating a cluster in $PGDATA with superuser $user and database $database"
    initdb --pgdata="$PGDATA" --username="$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
        --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
        --no-instructions
    echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"

    if [ "$database" != postgres ]; then
        # This server listens on the Unix socket only, so no client reaches port 5432
        # before the database exists.
        pg_ctl --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait --silent start
        psql --username="$user" --dbname=postgres --no-psqlrc --quiet --set=ON_ERROR_STOP=1 \
            --set=name="$database" <<<'CREATE DATABASE :"name";'
        pg_ctl --pgdata="$PGDATA" --mode=fast --wait --silent stop
    fi
}

# Options that only print information need no cluster.
for argument in "${@:2}"; do
    case "$argument" in
        -V | --version | -\? | --help | --describe-config) exec "$@" ;;
    esac
done

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    initialize_cluster
fi
exec "$@"
