#!/bin/bash
# Entrypoint of the local stand-in for the official mysql:8 image, built from Debian
# bookworm's MariaDB 10.11 by .ci/build-service-images.sh (Debian ships no MySQL server).
#
# When /var/lib/mysql contains no system tables yet, it creates them and then:
# - It gives 'root'@'localhost' and 'root'@'%' the password MYSQL_ROOT_PASSWORD, or an
#   empty one when MYSQL_ALLOW_EMPTY_PASSWORD is set. It drops every other account except
#   'mariadb.sys'@'localhost', which owns MariaDB's system views.
# - It creates the database MYSQL_DATABASE when that is set.
# - It creates MYSQL_USER@'%' with MYSQL_PASSWORD and all privileges on MYSQL_DATABASE.
# Passwords use MariaDB's default plugin, mysql_native_password. Later starts reuse the
# data. Arguments that start with "-" are options for mysqld, and any other command runs
# as given. The server runs in the foreground as the mysql user, as PID 1.
set -euo pipefail

datadir=/var/lib/mysql
socket=/run/mysqld/mysqld.sock

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
    set -- mysqld "$@"
fi
case "$1" in
    mysqld | mariadbd) ;;
    *) exec "$@" ;;
esac

if [ "$(id -u)" = 0 ]; then
    # A bind mount over the data directory may belong to root.
    mkdir -p "$datadir" /run/mysqld
    chown mysql:mysql "$datadir" /run/mysqld
    exec setpriv --reuid=mysql --regid=mysql --init-groups -- "$0" "$@"
fi

fail() {
    echo "mysql: $*" >&2
    exit 1
}

# Quote a value as an SQL string literal. MariaDB's default sql_mode lets a backslash
# escape the next character, so backslashes are doubled too.
sql_string() {
    local value=${1//\\/\\\\}
    printf "'%s'" "${value//\'/\'\'}"
}

sql_identifier() {
    printf '`%s`' "${1//\`/\`\`}"
}

check_environment() {
    if [ -z "${MYSQL_ROOT_PASSWORD:-}" ] && [ -z "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" ]; then
        fail "MYSQL_ROOT_PASSWORD is missing or empty, so no database was created in $datadir." \
            "Start the container with -e MYSQL_ROOT_PASSWORD=... (or -e MYSQL_ALLOW_EMPTY_PASSWORD=yes)."
    fi
    if [ "${MYSQL_USER:-}" = root ]; then
        fail "MYSQL_USER must not be root: set root's password with MYSQL_ROOT_PASSWORD."
    fi
    if [ -n "${MYSQL_USER:-}" ] && [ -z "${MYSQL_PASSWORD:-}" ]; then
        fail "MYSQL_USER is set but MYSQL_PASSWORD is missing or empty."
    fi
}

# Wait up to 30 s until the server started by initialize responds on the socket.
wait_for_server() {
    local pid=$1
    for _ in $(seq 1 300); do
        if mariadb-admin --socket="$socket" --user=root ping --silent >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || fail "the server exited during initialization; its log is above."
        sleep 0.1
    done
    fail "the server did not answer on $socket within 30 s during initialization."
}

# Print the SQL that sets up the accounts and the database from the environment.
setup_sql() {
    local account
    # mariadb-install-db also creates root accounts for 127.0.0.1, ::1 and the host name.
    while read -r account; do
        echo "DROP USER $account;"
    done < <(mariadb --socket="$socket" --user=root --batch --skip-column-names --execute \
        "SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.user
         WHERE NOT (User = 'root' AND Host = 'localhost') AND User <> 'mariadb.sys'")

    local root_password
    root_password=$(sql_string "${MYSQL_ROOT_PASSWORD:-}")
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $root_password;"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY $root_password;"
    echo "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;"

    if [ -n "${MYSQL_DATABASE:-}" ]; then
        echo "CREATE DATABASE IF NOT EXISTS $(sql_identifier "$MYSQL_DATABASE");"
    fi
    if [ -n "${MYSQL_USER:-}" ]; then
        local user
        user="$(sql_string "$MYSQL_USER")@'%'"
        echo "CREATE USER $user IDENTIFIED BY $(sql_string "$MYSQL_PASSWORD");"
        if [ -n "${MYSQL_DATABASE:-}" ]; then
            echo "GRANT ALL PRIVILEGES ON $(sql_identifier "$MYSQL_DATABASE").* TO $user;"
        fi
    fi
}

# Create the system tables, then set up accounts and the database on a server that
# listens on the socket only, so no client reaches port 3306 before they exist.
initialize() {
    check_environment
    echo "mysql: creating the system tables in $datadir"
    local log
    log=$(mktemp)
    if ! mariadb-install-db --datadir="$datadir" --auth-root-authentication-method=normal \
        --skip-test-db --skip-name-resolve >"$log" 2>&1; then
        cat "$log" >&2
        fail "mariadb-install-db failed; its output is above."
    fi
    rm -f "$log"

    "$@" --skip-networking --socket="$socket" &
    local pid=$!
    wait_for_server "$pid"
    local sql
    sql=$(setup_sql)
    mariadb --socket="$socket" --user=root --batch <<<"$sql"
    kill -TERM "$pid"
    wait "$pid"
    echo "mysql: initialization done"
}

# Options that only print information need no data directory.
for argument in "${@:2}"; do
    case "$argument" in
        -V | --version | -\? | --help) exec "$@" ;;
    esac
done

if [ ! -d "$datadir/mysql" ]; then
    initialize "$@"
fi
exec "$@"
