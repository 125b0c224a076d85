# The release's image, checked on this host before anything runs it: every host of a release runs the
# image built once, identified by its image id (the sha256 of the image's configuration, the same on
# every host that holds those bytes: components/plan/releaseImage.ts). The including script calls this
# with the image reference it pulled and the id the build recorded.

# require_release_image IMAGE EXPECTED_ID WHO: returns when IMAGE is EXPECTED_ID here (or EXPECTED_ID is
# empty: an image the stack did not build, such as appImage, is trusted by its digest alone);
# otherwise says which image this host holds, which the release was built as, and exits 1.
require_release_image() {
  local image="$1" expected="$2" who="$3" actual here
  [[ -n "$expected" ]] || return 0
  here="$(hostname)"
  if ! actual="$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null)"; then
    echo "${who}: refused on ${here}: ${image} is not on this host; nothing switched. Pull it again (re-run the rollout)" >&2
    exit 1
  fi
  if [[ "$actual" != "$expected" ]]; then
    echo "${who}: refused on ${here}: ${image} is image ${actual} here, but the release was built as ${expected};" \
      "this host does not switch to it. The registry holds other content under the release's name: list the releases" \
      "(docs/releases.md) and roll out one whose image is the one built, or build the release again under a new label" >&2
    exit 1
  fi
  echo "${who}: ${here} holds ${image} as ${actual}, the image the release was built as"
}
