# What a deploy cut off at any moment (kill -9 of its step, a lost host) leaves behind, and how the
# next ha-web-deploy finishes it. The including script defines log, compose, compose_project,
# other_colour, colour_containers and stop_colour, and sets HOST_NAME, IMAGE and SETTLE_SECONDS.
#
# | cut while ...                              | the host is left with                      | the next deploy                          |
# |--------------------------------------------|--------------------------------------------|------------------------------------------|
# | the new colour starts or gets healthy      | old colour live, new one half-started      | removes the new one, starts it again     |
# | the live port moves (ha-web-live set)      | the rule on old or new (record goes first) | takes as live the colour the rule reaches|
# | the settle wait, or the old colour's drain | new colour live, old one up, stopping, exited | waits a settle time, removes the old one |
# | the history commit                         | git's index.lock in {{configsDir}}         | removes it under the deploy lock         |
# | a migration (its container outlives it)    | the migration container, maybe still running | waits for it, reports it, removes it   |
# The deploy lock itself is a flock: released when its holder dies (a lost host's, by the NFS server
# once that host's lease lapses).

# Removes whatever runs (or stopped) as the colour that is not live. nginx may still hold keep-alive
# connections to it, should the interrupted deploy have just moved the live port: a settle time first.
retire_other_colour() {
  local live="$1" other
  other="$(other_colour "$live")"
  [[ -n "$(colour_containers "$other")" ]] || return 0
  log "${other} is still there beside live ${live} (an interrupted deploy's); removing it after the settle time, ${SETTLE_SECONDS}s"
  sleep "$SETTLE_SECONDS"
  stop_colour "$other"
}

# A migration's container belongs to dockerd, not to the step that started it: it runs on to its end
# when the step is killed. The next migration waits for it and removes it, so two never overlap (the
# sample's tool also takes a database lock) and none is cut half-way through its DDL.
reap_interrupted_migration() {
  local id status
  for id in $(colour_containers migrate); do
    log "a migration container an interrupted step left (${id}) is still there; waiting for it to end"
    status="$(docker wait "$id")"
    log "it ended with exit ${status}; its last lines:"
    docker logs --tail 20 "$id" 2>&1 || true
    docker rm --force "$id" >/dev/null
  done
}
