# Returns once cloud-init has finished (on AWS it may still be running apt and writing users while
# SSH already answers); machines without cloud-init (the local stack's containers) are ready at once.
wait_for_boot() {
  if ! command -v cloud-init >/dev/null; then
    echo "${0}: no cloud-init on this machine: nothing to wait for"
    return
  fi
  # Exit 2 means cloud-init finished with recoverable errors: the machine is still usable.
  if ! cloud-init status --wait >/dev/null; then
    echo "${0}: cloud-init finished with errors (see: cloud-init status --long); continuing"
  fi
}
