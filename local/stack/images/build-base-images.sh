#!/usr/bin/env bash
# Builds the base images this machine cannot pull (no registry is reachable here):
#   ha-web/debian:12                Debian 12 minbase with ca-certificates (debootstrap + docker import)
#   ha-web/node:20-bookworm-slim    the same rootfs plus this machine's Node.js 20 and npm, user node (uid 1000)
# Idempotent: an image that already exists is left alone. The debootstrap result is cached as a
# tarball under /var/cache/ha-web, so rebuilding an image after `docker rmi` takes seconds.
set -euo pipefail

readonly DEBIAN_IMAGE="ha-web/debian:12"
readonly NODE_IMAGE="ha-web/node:20-bookworm-slim"
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

build_node_image() {
  if image_exists "$NODE_IMAGE"; then
    log "${NODE_IMAGE} already exists"
    return
  fi
  local node_bin version prefix
  node_bin="$(readlink -f "$(command -v node)")" || fail "node is not installed on this machine"
  version="$("$node_bin" -v)"
  [[ "$version" == v20.* ]] || fail "the image needs Node.js 20, but ${node_bin} is ${version}; install Node.js 20 here first"
  # Where the running node was installed (/usr or /usr/local): npm sits in <prefix>/lib/node_modules.
  prefix="$(dirname "$(dirname "$node_bin")")"
  [[ -f "${prefix}/lib/node_modules/npm/bin/npm-cli.js" ]] || fail "npm not found under ${prefix}/lib/node_modules/npm"

  ensure_rootfs_tarball
  new_work_dir
  local rootfs="${work_dir}/rootfs"
  mkdir -p "$rootfs"
  tar -C "$rootfs" -xf "$ROOTFS_TARBALL"
  install -D -m 0755 "$node_bin" "${rootfs}/usr/local/bin/node"
  mkdir -p "${rootfs}/usr/local/lib/node_modules"
  cp -a "${prefix}/lib/node_modules/npm" "${rootfs}/usr/local/lib/node_modules/npm"
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
