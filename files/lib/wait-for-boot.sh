# Returns once cloud-init has finished (it may still be running apt and writing users while SSH
# already answers).
wait_for_boot() {
  # Exit 2 means cloud-init finished with recoverable errors: the machine is still usable.
  if ! cloud-init status --wait >/dev/null; then
    echo "${0}: cloud-init finished with errors (see: cloud-init status --long); continuing"
  fi
}
