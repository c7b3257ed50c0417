#!/bin/sh
# The bus as a user meets it: ask/decide/exec/log/status against a hub that
# the first client starts by itself.
. "$(dirname "$0")/lib.sh"

# ask blocks until decided; the background job's output is its answer.
ask_bg() { # ID OUTFILE ARGS...
	local id=$1 out=$2
	shift 2
	agate ask --id "$id" --session s-basic "$@" >"$out" 2>"$out.err" &
	LAST=$!
}
wait_pending() { wait_for is_state "$1" pending; }

for cmd in hub ask exec decide log status; do
	agate "$cmd" --help | grep -q "usage: agate $cmd" || fail "agate $cmd --help"
done
agate --help | grep -q "Commands:" || fail "agate --help"
ok "--help on every command"

# 1. The first client starts the hub; a human approves.
ask_bg a1 "$T/a1" --exec "make test"
wait_pending a1 || fail "request a1 never became pending: $(cat "$T/a1.err")"
[ -p "$AGATE_BUS/hub.fifo" ] || fail "no hub was started on demand"
agate decide a1 approve || fail "decide a1"
wait $LAST; rc=$?
[ $rc -eq 0 ] || fail "approved ask exited $rc"
grep -q '"decision":"approve"' "$T/a1" && grep -q '"by":"human"' "$T/a1" \
	|| fail "approved ask printed: $(cat "$T/a1")"
ok "ask autostarts the hub; approve -> exit 0 with the decision JSON"

# 2. Deny with a reason: exit 1, the reason reaches the publisher.
ask_bg a2 "$T/a2" --exec "rm -rf build"
wait_pending a2 || fail "a2 not pending"
agate decide --reason "use make clean instead" a2 deny || fail "decide a2"
wait $LAST; rc=$?
[ $rc -eq 1 ] || fail "denied ask exited $rc"
grep -q 'use make clean instead' "$T/a2" || fail "reason did not reach the publisher"
ok "deny with a reason -> exit 1, reason delivered"

# 3. defer -> exit 3; a second decision is refused, naming the first.
ask_bg a3 "$T/a3" --exec "git push"
wait_pending a3 || fail "a3 not pending"
agate decide a3 defer || fail "decide a3"
wait $LAST; rc=$?
[ $rc -eq 3 ] || fail "deferred ask exited $rc"
agate decide a3 approve 2>"$T/second" && fail "a second decision was accepted"
grep -q "already decided by human (defer)" "$T/second" \
	|| fail "second decision error: $(cat "$T/second")"
ok "defer -> exit 3; a second decision is refused: $(cat "$T/second")"

# 4. Asking again with a decided id returns that decision, not a new request.
agate ask --id a2 --exec "rm -rf build" >"$T/again"; rc=$?
[ $rc -eq 1 ] && grep -q 'use make clean instead' "$T/again" \
	|| fail "re-asking a2 gave rc=$rc $(cat "$T/again")"
ok "re-asking a decided id returns the same decision"

# 5. Timeout fails closed.
agate ask --id a5 --timeout 300 --exec "curl example.com" >"$T/a5"; rc=$?
[ $rc -eq 1 ] && grep -q '"by":"timeout"' "$T/a5" && grep -q '"decision":"deny"' "$T/a5" \
	|| fail "timeout: rc=$rc $(cat "$T/a5")"
ok "no decision within the timeout -> deny by timeout"

# 6. exec runs the command only when approved, with its exit status.
agate exec --session s-basic -- sh -c 'touch "$0"; exit 7' "$T/ran" &
LAST=$!
wait_for pending_id touch || fail "exec not pending"
id=$(pending_id touch)
agate decide "$id" approve
wait $LAST; rc=$?
[ $rc -eq 7 ] && [ -e "$T/ran" ] || fail "approved exec: rc=$rc, ran=$(ls "$T/ran" 2>&1)"
rm -f "$T/ran"
agate exec -- sh -c 'touch "$0"' "$T/ran" 2>"$T/exec.err" &
LAST=$!
wait_for pending_id touch || fail "exec 2 not pending"
id=$(pending_id touch)
agate decide --reason "not now" "$id" deny
wait $LAST; rc=$?
[ $rc -eq 126 ] && [ ! -e "$T/ran" ] || fail "denied exec: rc=$rc ran=$(ls "$T/ran" 2>&1)"
grep -q "not now" "$T/exec.err" || fail "denied exec did not say why"
ok "exec: approved runs with the command's status (7); denied does not run (126)"

# 7. A publisher that dies leaves its request abandoned, gone from the queue.
"$AGATE_BIN" ask --id a7 --exec "sleep 1" >/dev/null 2>&1 &
pid=$!
wait_pending a7 || fail "a7 not pending"
kill -9 $pid
wait_for is_state a7 abandoned \
	|| fail "a7 was not marked abandoned"
agate decide a7 approve 2>"$T/a7.err" && fail "an abandoned request was approved"
grep -q abandoned "$T/a7.err" || fail "deciding a7: $(cat "$T/a7.err")"
ok "a publisher killed with -9 leaves its request abandoned"

# 8. status and log.
agate status | grep -q "^pending *0" || fail "status: $(agate status)"
agate log >"$T/log"
grep -q "use make clean instead" "$T/log" && grep -q "timeout" "$T/log" \
	|| fail "log lacks decisions: $(cat "$T/log")"
[ "$(agate log --json --decision deny --by human | wc -l)" -ge 2 ] || fail "log filters"
ok "status and log show what happened"

# 9. Agent text with escape sequences never reaches the terminal raw.
ask_bg a9 "$T/a9" --exec "$(printf 'ls\033]52;c;ZXZpbA==\007\r\033[2Jrm -rf ~')"
wait_pending a9 || fail "a9 not pending"
agate decide a9 deny
wait $LAST
agate log --id a9 >"$T/log9"
if grep -q "$(printf '\033')" "$T/log9" || grep -q "$(printf '\r')" "$T/log9"; then
	fail "raw control characters in agate log output"
fi
grep -q '\^\[' "$T/log9" || fail "escape not shown as a badge: $(cat "$T/log9")"
ok "escape sequences and CR in a command are shown as badges in agate log"

# 10. An unsafe bus directory is refused with a fix.
mkdir -m 755 "$T/openbus"
AGATE_BUS="$T/openbus" agate status 2>"$T/open.err"
grep -q "chmod 700" "$T/open.err" || fail "open bus dir: $(cat "$T/open.err")"
ln -s "$T/bus" "$T/linkbus"
AGATE_BUS="$T/linkbus" agate status 2>"$T/link.err"
grep -q "symlink" "$T/link.err" || fail "symlinked bus dir: $(cat "$T/link.err")"
ok "a bus directory open to others or behind a symlink is refused with a fix"

# 11. agate ask outlives its hub: SIGKILL the hub while ask waits; the next
# client restarts it, the pending request is reloaded, ask reattaches and
# receives the one decision.
ask_bg a11 "$T/a11" --exec "make release"
wait_pending a11 || fail "a11 not pending"
old=$(hub_pid)
kill -9 "$old"
wait_for agate decide --reason "after the crash" a11 approve \
	|| fail "could not decide a11 after the hub was killed"
wait $LAST; rc=$?
[ $rc -eq 0 ] && grep -q "after the crash" "$T/a11" || fail "a11: rc=$rc $(cat "$T/a11" "$T/a11.err")"
[ "$(hub_pid)" != "$old" ] || fail "no new hub"
[ "$(agate log --json --id a11 | wc -l)" -eq 1 ] || fail "a11 journaled more than once"
ok "ask survives a SIGKILLed hub and gets the decision made on the new one"

# 12. A hook's guard check is answered at once by the rules and the engine
# (defer when nothing objects, deny when critical) and never shown.
BUSLOAD="$AGATE_BUILDDIR/tests/integration/busload"
guard() { # ID COMMAND
	printf '{"v":1,"type":"request","id":"%s","session":"s-hook","action":{"kind":"exec","command":"%s"},"hook":{"client":"codex","call":"k-%s","guard":true}}' \
		"$1" "$2" "$1" | agate ask
}
guard g1 "ls -la" >"$T/g1"; rc=$?
[ $rc -eq 3 ] && grep -q '"by":"policy"' "$T/g1" || fail "guard g1: rc=$rc $(cat "$T/g1")"
guard g2 "rm -rf ~" >"$T/g2"; rc=$?
[ $rc -eq 1 ] && grep -q '"by":"policy"' "$T/g2" || fail "guard g2: rc=$rc $(cat "$T/g2")"
ok "guard checks: defer by policy when nothing objects, deny when critical"

# 13. abandon: the hook says the call is over; the waiting publisher fails
# closed and the request leaves the queue.
printf '{"v":1,"type":"request","id":"ab1","session":"s-ab","action":{"kind":"exec","command":"make"},"hook":{"client":"claude","call":"k-ab1"}}' \
	| agate ask >"$T/ab1" 2>"$T/ab1.err" &
LAST=$!
wait_pending ab1 || fail "ab1 not pending"
"$BUSLOAD" send --bus "$AGATE_BUS" \
	'{"v":1,"type":"abandon","session":"s-ab","call":"k-ab1","reason":"the tool ran"}' >"$T/abr"
grep -q '"count":1' "$T/abr" || fail "abandon reply: $(cat "$T/abr")"
wait $LAST; rc=$?
[ $rc -eq 2 ] && grep -q "abandoned" "$T/ab1.err" || fail "abandoned publisher: rc=$rc $(cat "$T/ab1.err")"
is_state ab1 abandoned || fail "ab1 not journaled as abandoned"
ok "abandon: the waiting publisher fails closed (exit 2), the journal says abandoned"

# 14. A hub whose bus directory is removed (a user cleaning /tmp) cannot be
# reached by any client again: it stops by itself instead of lingering.
gone="$T/gone-bus"
AGATE_BUS="$gone" "$AGATE_BIN" hub --journal "$T/gone.db" >"$T/gone.log" 2>&1 &
GONE=$!
wait_for test -p "$gone/hub.fifo" || fail "second hub did not start: $(cat "$T/gone.log")"
rm -rf "$gone"
i=0
while kill -0 "$GONE" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 "$GONE" 2>/dev/null && fail "the hub outlived its bus directory by 5 s"
wait "$GONE"; rc=$?
[ $rc -eq 0 ] || fail "the hub exited $rc: $(cat "$T/gone.log")"
grep -q "hub.fifo was removed or replaced" "$T/gone.log" || fail "no reason logged: $(cat "$T/gone.log")"
ok "a hub whose bus directory is removed stops within $((i * 100)) ms and says why"
