#!/usr/bin/env bash
# Build local stand-ins for the official redis:7, postgres:16 and mysql:8 images, which
# hubgrade runs for an assignment's services by default, and tag them with those names so
# that Docker finds them locally and never tries to pull. These machines reach no image
# registry: each root file system comes from Debian bookworm (debootstrap), and each
# entrypoint from .ci/images/. An image that is already present is left as it is.
#
# HUBGRADE_REDIS_IMAGE, HUBGRADE_POSTGRES_IMAGE and HUBGRADE_MYSQL_IMAGE change the tags,
# as they change the images hubgrade runs. Needs a running Docker engine and root.
set -euo pipefail
cd "$(dirname "$0")/.."

redis_image=${HUBGRADE_REDIS_IMAGE:-redis:7}
postgres_image=${HUBGRADE_POSTGRES_IMAGE:-postgres:16}
mysql_image=${HUBGRADE_MYSQL_IMAGE:-mysql:8}
sources=.ci/images
entrypoint=/usr/local/bin/docker-entrypoint.sh
path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if ! docker info >/dev/null 2>&1; then
    echo "service images: no Docker engine responds; start one with .ci/start-docker.sh" >&2
    exit 1
fi

if ! command -v debootstrap >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

work=$(mktemp -d)
# --one-file-system keeps rm out of anything that a failed debootstrap left mounted.
trap 'rm -rf --one-file-system "$work"' EXIT
# The three builds share one download cache, so the base system is downloaded once.
mkdir "$work/debs"

# Create a minimal bookworm root file system in $1 with the packages $2... and their
# dependencies, without documentation, translations or package lists.
bootstrap() {
    local rootfs=$1 packages
    packages=$(IFS=,; echo "${*:2}")
    echo "  debootstrap bookworm with $packages"
    if ! debootstrap --variant=minbase --include="$packages" --cache-dir="$work/debs" \
        bookworm "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1; then
        tail -n 30 "$work/debootstrap.log" >&2
        exit 1
    fi
    rm -rf "$rootfs"/usr/share/{doc,man,info}/* "$rootfs"/var/lib/apt/lists/* \
        "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin \
        "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*
    find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
}

# Import the root file system $1 as image $2, with the Dockerfile instructions $3... .
import_rootfs() {
    local rootfs=$1 image=$2 instruction
    local changes=()
    for instruction in "${@:3}"; do
        changes+=(--change "$instruction")
    done
    tar -C "$rootfs" --numeric-owner -c . | docker import "${changes[@]}" - "$image" >/dev/null
}

build_redis() {
    local rootfs=$work/redis
    bootstrap "$rootfs" redis-server
    chroot "$rootfs" install -d -o redis -g redis /data
    install -m 0755 "$sources/redis-entrypoint.sh" "$rootfs$entrypoint"

    import_rootfs "$rootfs" "$redis_image" \
        "ENV PATH=$path" \
        "WORKDIR /data" \
        "VOLUME /data" \
        "EXPOSE 6379" \
        "ENTRYPOINT [\"$entrypoint\"]" \
        'CMD ["redis-server"]'
}

build_postgres() {
    local rootfs=$work/postgres version
    bootstrap "$rootfs" postgresql
    version=$(ls "$rootfs/usr/lib/postgresql")
    # Debian's package creates a cluster named main, but the entrypoint creates its own.
    rm -rf "$rootfs/etc/postgresql/$version" "$rootfs/var/lib/postgresql/$version"
    # NOTE: JIT compilation is removed, because LLVM, Z3 and the bitcode files take about
    # 150 MB. PostgreSQL 15 checks for llvmjit.so before loading it and runs every query
    # without JIT when it is missing.
    rm -rf "$rootfs/usr/lib/postgresql/$version/lib/"{bitcode,llvmjit.so,llvmjit_types.bc} \
        "$rootfs"/usr/lib/*-linux-gnu/libLLVM-* "$rootfs"/usr/lib/*-linux-gnu/libz3.so*
    chroot "$rootfs" install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data
    chroot "$rootfs" install -d -o postgres -g postgres -m 2775 /run/postgresql
    install -m 0755 "$sources/postgres-entrypoint.sh" "$rootfs$entrypoint"

    import_rootfs "$rootfs" "$postgres_image" \
        "ENV PATH=/usr/lib/postgresql/$version/bin:$path" \
        "ENV PGDATA=/var/lib/postgresql/data" \
        "ENV LANG=C.UTF-8" \
        "VOLUME /var/lib/postgresql/data" \
        "EXPOSE 5432" \
        "ENTRYPOINT [\"$entrypoint\"]" \
        'CMD ["postgres"]'
    # On SIGTERM postgres makes a smart shutdown, which waits for every client to
    # disconnect, and SIGINT requests a fast shutdown. docker import (Docker 20.10) rejects
    # STOPSIGNAL, so a one-line build adds it.
    # Its output is shown only on failure, because the legacy builder always prints a
    # deprecation warning.
    if ! printf 'FROM %s\nSTOPSIGNAL SIGINT\n' "$postgres_image" \
        | DOCKER_BUILDKIT=0 docker build --quiet --tag "$postgres_image" - >"$work/build.log" 2>&1; then
        cat "$work/build.log" >&2
        exit 1
    fi
}

build_mysql() {
    local rootfs=$work/mysql
    bootstrap "$rootfs" mariadb-server
    # Debian's package created system tables with its own accounts. The entrypoint creates
    # them on the first start with the passwords it is given.
    rm -rf "${rootfs:?}"/var/lib/mysql/*
    chroot "$rootfs" install -d -o mysql -g mysql /run/mysqld
    install -m 0644 "$sources/mysql-server.cnf" "$rootfs/etc/mysql/mariadb.conf.d/90-container.cnf"
    install -m 0755 "$sources/mysql-entrypoint.sh" "$rootfs$entrypoint"

    import_rootfs "$rootfs" "$mysql_image" \
        "ENV PATH=$path" \
        "VOLUME /var/lib/mysql" \
        "EXPOSE 3306" \
        "ENTRYPOINT [\"$entrypoint\"]" \
        'CMD ["mysqld"]'
}

# Build image $1 with the function $2 unless the image is present.
build_unless_present() {
    local image=$1 build=$2 started=$SECONDS
    if docker image inspect "$image" >/dev/null 2>&1; then
        echo "service images: $image already present"
        return
    fi
    echo "service images: building $image"
    "$build"
    echo "service images: $image built in $((SECONDS - started)) s" \
        "($(docker image inspect --format '{{.Size}}' "$image" | numfmt --to=iec))"
}

build_unless_present "$redis_image" build_redis
build_unless_present "$postgres_image" build_postgres
build_unless_present "$mysql_image" build_mysql
