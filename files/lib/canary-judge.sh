# canary_judge OLD_FROM OLD_TO NEW_FROM NEW_TO MIN_REQUESTS MAX_5XX_POINTS MAX_P99_RATIO P99_SLACK_MS CHECKER_PREFIX
# Judges a canary from nginx's JSON access log lines on stdin (files/nginx-site.conf, ha_web_json):
# the old colour's requests are those logged in [OLD_FROM, OLD_TO), the new colour's in [NEW_FROM,
# NEW_TO). Times are the host's local time as nginx writes it, YYYY-MM-DDTHH:MM:SS. Between OLD_TO
# (the switch) and NEW_FROM both colours serve (nginx's kept connections), so that time counts for neither.
# Only requests nginx handed to the app count (a non-empty upstream), never the load balancer's own
# health checks (User-Agent starting CHECKER_PREFIX): they are not users' traffic.
#
# Prints one line: `<verdict> <why>`, the verdict being
#
# | verdict | when                                                                                  |
# |---------|---------------------------------------------------------------------------------------|
# | too-few | either colour has fewer than MIN_REQUESTS requests: no judgement (the caller decides)  |
# | worse   | the new 5xx share is more than MAX_5XX_POINTS percentage points above the old one      |
# | worse   | the new p99 is above MAX_P99_RATIO x the old p99 and more than P99_SLACK_MS above it   |
# | fine    | none of the above                                                                     |
#
# The 5xx share is checked first: a release that fails fast is often faster too. POSIX awk and sort
# only (mawk on Debian), so the same program runs on every host and in the tests.
canary_judge() {
  local old_from="$1" old_to="$2" new_from="$3" new_to="$4" min_requests="$5" max_points="$6" max_ratio="$7" slack_ms="$8" checker="$9"
  awk -v old_from="$old_from" -v old_to="$old_to" -v new_from="$new_from" -v new_to="$new_to" -v checker="\"user_agent\":\"${checker}" '
    function field(pattern, prefix_length,   found) {
      if (!match($0, pattern)) return ""
      found = substr($0, RSTART + prefix_length, RLENGTH - prefix_length)
      sub(/"$/, "", found)
      return found
    }
    {
      # escape=json writes every quote inside a value as \", so these patterns match only the fields.
      time = substr(field("\"time\":\"[^\"]*\"", 8), 1, 19)
      if (time < old_from || time >= new_to || (time >= old_to && time < new_from)) next
      if (field("\"upstream\":\"[^\"]*\"", 12) == "") next
      if (index($0, checker) > 0) next
      window = time < new_from ? "old" : "new"
      print window, field("\"seconds\":[0-9.]+", 10) * 1000, field("\"status\":[0-9]+", 9)
    }' | sort -k1,1 -k2,2n | awk -v min_requests="$min_requests" -v max_points="$max_points" \
    -v max_ratio="$max_ratio" -v slack_ms="$slack_ms" '
    { count[$1]++; ms[$1, count[$1]] = $2; if ($3 >= 500) errors[$1]++ }
    function p99(window,   rank) {
      rank = int(count[window] * 0.99)
      if (rank < count[window] * 0.99) rank++
      return ms[window, rank]
    }
    function share(window) { return 100 * errors[window] / count[window] }
    END {
      old = count["old"] + 0; new = count["new"] + 0
      if (old < min_requests || new < min_requests) {
        printf "too-few %d requests to the old colour and %d to the new one, fewer than the %d each needs to judge\n", old, new, min_requests
        exit
      }
      counts = sprintf("(%d requests to the old colour, %d to the new one)", old, new)
      if (share("new") - share("old") > max_points) {
        printf "worse 5xx share %.1f%% on the new colour against %.1f%% on the old one: +%.1f points, the limit is +%s %s\n", \
          share("new"), share("old"), share("new") - share("old"), max_points, counts
      } else if (p99("new") > max_ratio * p99("old") && p99("new") - p99("old") > slack_ms) {
        printf "worse p99 latency %d ms on the new colour against %d ms on the old one: %.1fx, the limit is %sx %s\n", \
          p99("new"), p99("old"), p99("new") / (p99("old") > 0 ? p99("old") : 1), max_ratio, counts
      } else {
        printf "fine 5xx share %.1f%% against %.1f%%, p99 %d ms against %d ms %s\n", share("new"), share("old"), p99("new"), p99("old"), counts
      }
    }'
}
