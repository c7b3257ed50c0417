#!/bin/sh
# A request from an agent hook keeps its hook object (the call key, the
# transcript path, ...) when the hub is killed with SIGKILL while it is
# pending: the restarted hub reloads it from the journal with its hook, so
# the PostToolUse that ends that tool call still finds it by its call key
# and abandons it, while another call of the same session stays pending;
# and export / import carry the hook along.
. "$(dirname "$0")/hooks_lib.sh"

start_hub
# Two tool calls of one Claude session, waiting for a human.
hook_bg claude "$FIX/claude/permissionrequest-bash.json" "$T/h1"
H1=$HOOK_PID
compact "$FIX/claude/permissionrequest-bash.json" |
	sed 's/echo hello > out.txt/echo bye > out.txt/' >"$T/h2.in"
hook_bg_raw claude "$T/h2.in" "$T/h2"
H2=$HOOK_PID
# Cleanup stops every process of this bus; a hook killed last would only
# start another hub.
trap 'kill $H1 $H2 2>/dev/null; wait $H1 $H2 2>/dev/null; cleanup' EXIT
id1=$(pending_for 'echo hello > out.txt')
id2=$(pending_for 'echo bye > out.txt')
[ "$id1" != "$id2" ] || fail "one id for two calls: $id1"
ok "two hook requests pending: $id1, $id2"

old=$(hub_pid)
kill -9 "$old"
# The hooks reconnect (starting a hub) and send their requests again; the
# new hub has them from the journal already, and keeps those.
new_hub() { [ -n "$(hub_pid)" ] && [ "$(hub_pid)" != "$old" ] && agate status; }
wait_for new_hub || fail "no new hub after SIGKILL"
wait_for pending_is 2 || fail "after the restart: $(pending_count) pending, expected 2"
ok "hub $old killed; hub $(hub_pid) reloaded both"

# The tool ran after all (the agent's own prompt allowed it): PostToolUse
# for the first call. It matches by the call key in the reloaded hook.
compact "$FIX/claude/permissionrequest-bash.json" |
	sed 's/"hook_event_name":"PermissionRequest"/"hook_event_name":"PostToolUse"/' >"$T/post.in"
grep -q '"PostToolUse"' "$T/post.in" || fail "could not make the PostToolUse payload"
agate hook claude <"$T/post.in" >"$T/post.out" 2>"$T/post.err" ||
	fail "PostToolUse hook: $(cat "$T/post.err")"
expect_empty "$T/post.out"
wait_for is_state "$id1" abandoned ||
	fail "$id1 not abandoned by its PostToolUse after the restart (hook lost?)"
is_state "$id2" pending || fail "$id2, another call, was not left pending"
wait_for pending_is 1 || fail "the hub still holds $(pending_count) pending"
ok "PostToolUse after the restart abandoned $id1 by its call key; $id2 stays"

# The journal gives the hook back in the export, and an import keeps it.
agate export --pending -o "$T/a.ndjson" 2>"$T/export.err" ||
	fail "export: $(cat "$T/export.err")"
grep -F "\"id\":\"$id2\"" "$T/a.ndjson" | grep '"type":"request"' >"$T/a.req"
[ -s "$T/a.req" ] || fail "no request line for $id2"
expect_out "$T/a.req" '"hook":{"client":"claude","event":"PermissionRequest","tool":"Bash"'
expect_out "$T/a.req" '"transcript_path":"/home/user/.claude/projects/'
grep -q '"call":"[0-9a-f]\{16,\}"' "$T/a.req" || fail "no call key in $(cat "$T/a.req")"
AGATE_JOURNAL="$T/fresh.db" "$AGATE_BIN" import "$T/a.ndjson" 2>"$T/import.err" ||
	fail "import: $(cat "$T/import.err")"
AGATE_JOURNAL="$T/fresh.db" "$AGATE_BIN" export --pending -o "$T/b.ndjson" 2>/dev/null ||
	fail "export of the imported journal"
grep '"type":"request"' "$T/a.ndjson" >"$T/a.requests"
grep '"type":"request"' "$T/b.ndjson" >"$T/b.requests"
[ "$(wc -l <"$T/a.requests")" -eq 2 ] || fail "expected 2 request lines: $(cat "$T/a.requests")"
cmp -s "$T/a.requests" "$T/b.requests" ||
	fail "request lines differ after import: $(diff "$T/a.requests" "$T/b.requests")"
ok "export carries the hook; import gives back the same request lines"

# An auditor's `agate log --json` shows the same hook, to find the call in
# the agent's transcript.
agate log --json --pending --session "$(sed -n 's/.*"session":"\([^"]*\)".*/\1/p' "$T/a.req")" \
	>"$T/log.json" 2>"$T/log.err" || fail "log --json: $(cat "$T/log.err")"
grep -F "\"id\":\"$id2\"" "$T/log.json" | grep -q '"hook":{"client":"claude"' ||
	fail "log --json has no hook for $id2: $(cat "$T/log.json")"
ok "log --json carries the hook"
