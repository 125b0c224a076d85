# efs-utils (mount.efs and its watchdog) from AWS's source, built into a .deb on the host: Debian 12
# has no amazon-efs-utils package. v1.36.0 is the last release without the Rust efs-proxy, so it
# builds with what a host has (its build-deb.sh needs only a shell, tar and binutils' ar) and mounts
# through stunnel4. Its `tls,iam` mount is what the file-system policy asks for
# (components/plan/sharedStoragePolicy.ts): mount_efs/__init__.py write_stunnel_config_file verifies
# the server (verify=2 with efs-utils' CA, checkHost on the file system's name), and with `iam`
# create_certificate signs a client certificate with the instance role's credentials (extension
# 1.3.6.1.4.1.4843.7.2, efs_client_auth_builder: a SigV4 signature of the key), which the watchdog
# renews before the credentials expire. Without it a client is anonymous to EFS, and the policy gives
# an anonymous client nothing.
readonly EFS_UTILS_REPO="https://github.com/aws/efs-utils.git"
readonly EFS_UTILS_TAG="v1.36.0"
# The tag's commit: a moved or replaced tag is refused instead of built and run as root.
readonly EFS_UTILS_COMMIT="c87d19f3e1db26532f09a7fed338347aacb90e10"
readonly EFS_UTILS_VERSION="1.36.0"

install_efs_utils() {
  if [[ "$(dpkg-query -W -f='${Version}' amazon-efs-utils 2>/dev/null)" == "${EFS_UTILS_VERSION}"* ]]; then
    return
  fi
  local work
  # Only hosts that mount EFS need them (the local stack's /shared is a bind mount): installed here, not by bootstrap.
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends stunnel4 binutils
  work="$(mktemp -d -t ha-web-efs-utils.XXXXXX)"
  git clone --quiet --depth 1 --branch "$EFS_UTILS_TAG" "$EFS_UTILS_REPO" "${work}/src"
  if [[ "$(git -C "${work}/src" rev-parse HEAD)" != "$EFS_UTILS_COMMIT" ]]; then
    echo "${0}: efs-utils ${EFS_UTILS_TAG} is commit $(git -C "${work}/src" rev-parse HEAD), not ${EFS_UTILS_COMMIT}: refusing to build it; check the tag upstream, then re-run" >&2
    rm -rf "$work"
    exit 1
  fi
  if ! (cd "${work}/src" && ./build-deb.sh >"${work}/build.log" 2>&1); then
    cat "${work}/build.log" >&2
    echo "${0}: building efs-utils ${EFS_UTILS_TAG} failed (above); fix what it names, then re-run" >&2
    rm -rf "$work"
    exit 1
  fi
  apt-get -o DPkg::Lock::Timeout=600 install -y -q "${work}"/src/build/amazon-efs-utils-*.deb
  rm -rf "$work"
  echo "${0}: installed amazon-efs-utils ${EFS_UTILS_VERSION}, built from ${EFS_UTILS_TAG} (${EFS_UTILS_COMMIT})"
}
