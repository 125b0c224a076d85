# Reads the step's `NAME=value` stdin lines into the variables named as arguments. Only those names
# are accepted and values are assigned with printf -v, never evaluated, so a value cannot run code.
# Error messages name the input, never its value: values may be passwords.
read_inputs() {
  local line name wanted seen=" " count=0
  while IFS= read -r line || [[ -n "$line" ]]; do
    count=$((count + 1))
    name="${line%%=*}"
    if [[ "$line" != *=* || " $* " != *" ${name} "* ]]; then
      echo "${0}: stdin line ${count} is not one of: $* (expected NAME=value lines)" >&2
      exit 2
    fi
    printf -v "$name" '%s' "${line#*=}"
    seen+="${name} "
  done
  for wanted in "$@"; do
    if [[ "$seen" != *" ${wanted} "* ]]; then
      echo "${0}: missing ${wanted}=... on stdin (this step needs: $*)" >&2
      exit 2
    fi
  done
}
