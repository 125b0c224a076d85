# Keeps the root disk from filling with old releases: each deploy records its image, and everything
# of the app's repositories but the last KEEP_RELEASES images deployed here (enough to roll back)
# and whatever a container uses is removed, as is build cache unused for BUILD_CACHE_HOURS.
# The including script sets RELEASES_FILE, KEEP_RELEASES, BUILD_CACHE_HOURS and log().

# The repository of an image reference: without @digest, and without :tag (a : after the last /).
repository_of() {
  local reference="${1%%@*}"
  if [[ "${reference##*/}" == *:* ]]; then reference="${reference%:*}"; fi
  echo "$reference"
}

# Appends IMAGE to the record of deployed images (once, newest last), keeping the last KEEP_RELEASES.
record_release() {
  local image="$1" kept
  mkdir -p "$(dirname "$RELEASES_FILE")"
  touch "$RELEASES_FILE"
  kept="$(grep -vxF -- "$image" "$RELEASES_FILE" || true)"
  printf '%s\n%s\n' "$kept" "$image" | sed '/^$/d' | tail -n "$KEEP_RELEASES" >"${RELEASES_FILE}.new"
  mv "${RELEASES_FILE}.new" "$RELEASES_FILE"
}

# Removes the app's images that are neither among the kept releases nor used by any container, then
# old build cache. Prints what it removed.
prune_images() {
  local -A keep=() repositories=()
  local image id repository
  while IFS= read -r image; do
    [[ -n "$image" ]] || continue
    repositories["$(repository_of "$image")"]=1
    if id="$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null)"; then keep["$id"]=1; fi
  done <"$RELEASES_FILE"
  local container
  while IFS= read -r container; do
    [[ -n "$container" ]] || continue
    if id="$(docker inspect --format '{{.Image}}' "$container" 2>/dev/null)"; then keep["$id"]=1; fi
  done < <(docker ps --all --quiet --no-trunc)
  while read -r id repository; do
    [[ -n "${repositories[$repository]:-}" && -z "${keep[$id]:-}" ]] || continue
    # Removed by id only once: an image with several tags is listed once per tag.
    keep["$id"]=1
    if docker image rm --force "$id" >/dev/null; then
      log "removed ${repository} image ${id#sha256:} (older than the last ${KEEP_RELEASES} releases)"
    fi
  done < <(docker image ls --no-trunc --format '{{.ID}} {{.Repository}}')
  docker builder prune --force --filter "until=${BUILD_CACHE_HOURS}h" >/dev/null
}
