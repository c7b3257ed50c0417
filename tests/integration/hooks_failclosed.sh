#!/bin/sh
# Both clients let a tool run when its hook crashes, prints nonsense or
# times out, so agate's hook must never do any of that: every failure of
# agate is an explicit deny in the client's format, exit 0.
. "$(dirname "$0")/hooks_lib.sh"

PRE_DENY='"permissionDecision":"deny","permissionDecisionReason":"agate: denied by agate: agate could not decide'
PERM_DENY='"decision":{"behavior":"deny","message":"agate: denied by agate: agate could not decide'

# each_event ENVSETUP: runs the four events and checks each is a deny.
check_all_deny() {
	local what=$1 c f out
	shift
	for cf in claude:claude/pretooluse-bash claude:claude/permissionrequest-bash \
		codex:codex/pretooluse-exec codex:codex/permissionrequest-exec; do
		c=${cf%%:*}
		f=${cf#*:}
		out="$T/fc-$what-$c-$(basename "$f")"
		compact "$FIX/$f.json" | "$@" "$AGATE_BIN" hook "$c" --deadline 4s >"$out" 2>"$out.err"
		rc=$?
		[ $rc -eq 0 ] || fail "$what: $f exited $rc"
		case $f in
		*pretooluse*) expect_out "$out" "$PRE_DENY" ;;
		*) expect_out "$out" "$PERM_DENY" ;;
		esac
		expect_out "$out" "failed closed"
	done
}

# 1. No hub and none can start: the bus directory cannot be made.
: >"$T/not-a-dir"
check_all_deny nodir env AGATE_BUS="$T/not-a-dir/bus"
ok "bus directory impossible: deny in all four event formats"

# 2. A bus directory others can write to is refused (as tmux refuses its
# socket directory): deny, not a run.
mkdir -p "$T/open" && chmod 0777 "$T/open"
check_all_deny openbus env AGATE_BUS="$T/open"
ok "unsafe bus directory: deny"

# 3. The hub cannot start (its journal cannot be created).
check_all_deny nohub env AGATE_BUS="$T/bus3" AGATE_JOURNAL=/proc/agate-none/journal.db
[ -p "$T/bus3/hub.fifo" ] && agate status --bus "$T/bus3" >/dev/null 2>&1 &&
	fail "a hub is running on bus3"
ok "hub that cannot start: deny"

# 4. Payloads refused, not coerced: a command that is not a string is a
# deny in the event's own format, exit 0.
printf '%s' '{"session_id":"s","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":["rm","-rf","/"]}}' |
	agate hook claude >"$T/bad1" 2>&1 || fail "bad payload: exit $?"
expect_out "$T/bad1" '"permissionDecision":"deny"'
expect_out "$T/bad1" 'tool_input.command: expected a string, got an array'
printf '%s' '{"session_id":"s","cwd":"/tmp","hook_event_name":"PermissionRequest","tool_name":"Bash","tool_input":{"command":42}}' |
	agate hook codex >"$T/bad2" 2>&1 || fail "bad payload: exit $?"
expect_out "$T/bad2" '"hookEventName":"PermissionRequest","decision":{"behavior":"deny"'
# Unreadable at all: exit 2 with the reason on stderr (a deny for
# PreToolUse in both clients); nothing on stdout.
printf 'not json' | agate hook codex >"$T/bad3" 2>"$T/bad3.err"
[ $? -eq 2 ] || fail "garbage payload: expected exit 2"
expect_empty "$T/bad3"
grep -q "failed closed" "$T/bad3.err" || fail "garbage payload: no reason on stderr"
agate hook claude </dev/null >"$T/bad4" 2>"$T/bad4.err"
[ $? -eq 2 ] || fail "empty payload: expected exit 2"
agate hook gemini </dev/null >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown client: expected exit 2"
ok "bad payloads: refused with a deny naming the field; unreadable -> exit 2"

# 5. Nobody decides: the answer comes before the deadline, and is a deny.
start=$(date +%s)
hook_bg claude "$FIX/claude/pretooluse-bash.json" "$T/late" --deadline 3s
hook_wait "$T/late"
[ $(($(date +%s) - start)) -le 5 ] || fail "deadline not kept"
expect_out "$T/late" '"permissionDecision":"deny"'
ok "deadline: deny before the client's timeout"

# 6. fallback = defer: agate's failure hands the call back to the client's
# own prompt (Claude's ask; no output for PermissionRequest).
echo "fallback = defer" >"$AGATE_CONFIG"
compact "$FIX/claude/pretooluse-bash.json" |
	AGATE_BUS="$T/not-a-dir/bus" agate hook claude --deadline 3s >"$T/fb1" || fail "fb1"
expect_out "$T/fb1" '"permissionDecision":"ask"'
compact "$FIX/codex/permissionrequest-exec.json" |
	AGATE_BUS="$T/not-a-dir/bus" agate hook codex --deadline 3s >"$T/fb2" || fail "fb2"
expect_empty "$T/fb2"
# A bad payload stays a deny whatever the fallback.
printf '%s' '{"session_id":"s","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":1}}' |
	agate hook claude >"$T/fb3" || fail "fb3"
expect_out "$T/fb3" '"permissionDecision":"deny"'
: >"$AGATE_CONFIG"
ok "fallback = defer: the client's own prompt decides; bad payloads still denied"

# 7. The hook killed (the user answered Claude's dialog first): the request
# leaves the consoles, marked abandoned.
hook_bg claude "$FIX/claude/permissionrequest-bash-tui.json" "$T/killed"
id=$(pending_for 11fb58dc-bd38-449f-83b2-cd33db0e0fac)
kill "$HOOK_PID"
wait "$HOOK_PID" 2>/dev/null
wait_for is_state "$id" abandoned || fail "killed hook: $id not abandoned"
ok "hook killed: request abandoned"

# 8. The client stopped reading (its end of our stdout closed): the hook
# notices, gives up, and the request is abandoned.
compact "$FIX/claude/pretooluse-bash-tui.json" >"$T/gone.in"
( agate hook claude <"$T/gone.in" 2>"$T/gone.err"; echo "exit $?" >"$T/gone.rc" ) | head -c 0
id=$(pending_id 11fb58dc || true)
wait_for test -s "$T/gone.rc" || fail "hook did not notice its reader left"
ok "client gone: the hook stops waiting"

# 9. PostToolUse and Stop: no output, exit 0, and no hub started for them.
for ev in PostToolUse Stop; do
	printf '{"session_id":"s9","cwd":"/tmp","hook_event_name":"%s","tool_name":"Bash","tool_input":{"command":"ls"}}' "$ev" |
		AGATE_BUS="$T/bus9" agate hook claude >"$T/ev9" || fail "$ev exit"
	expect_empty "$T/ev9"
done
[ -p "$T/bus9/hub.fifo" ] && AGATE_BUS="$T/bus9" agate status >/dev/null 2>&1 &&
	fail "PostToolUse started a hub"
ok "PostToolUse / Stop: silent, start nothing"

# 10. A Write whose diff is too large for a frame (2 MB replaced by 2 MB):
# refused by the bus, so denied with the reason, promptly.
yes aaaaaaaaaaaaaaa | head -c 2200000 >"$T/old.txt"
{
	printf '{"session_id":"s10","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"%s","content":"' "$T/old.txt"
	yes bbbbbbbbbbbbbbb | head -c 2200000 | sed 's/$/\\n/' | tr -d '\n'
	printf '"}}'
} >"$T/big.json"
start=$(date +%s)
agate hook claude --deadline 20s <"$T/big.json" >"$T/big.out" 2>&1 || fail "big payload: exit $?"
expect_out "$T/big.out" '"permissionDecision":"deny"'
expect_out "$T/big.out" 'frame too large'
[ $(($(date +%s) - start)) -lt 15 ] || fail "big payload: answered only at the deadline"
# A payload over 4 MiB is refused before it reaches the bus.
{
	printf '{"session_id":"s10","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"'
	head -c 4300000 /dev/zero | tr '\0' 'x'
	printf '"}}'
} | agate hook claude >"$T/huge.out" 2>&1 || fail "huge payload: exit $?"
expect_out "$T/huge.out" '"permissionDecision":"deny"'
ok "too large for the bus, or for a payload: deny with the reason, promptly"
