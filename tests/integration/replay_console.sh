#!/bin/sh
# agate replay --console: a session recorded by real bus runs — decided by a
# rule, by a human after a pause, by a human on a hostile command, by a
# timeout, and by the Guardian after its review against a real HTTP model
# server — stepped through in the real console in a detached tmux server.
# Each request appears before its decision, which says who decided, how
# long after the request and why; stepping back undoes exactly one event;
# y is refused as read-only and nothing reaches a bus; hostile text shows
# as placeholders and never reaches the terminal raw; q exits 0.
. "$(dirname "$0")/console_lib.sh"
. "$(dirname "$0")/replay_lib.sh"
. "$(dirname "$0")/guardian_lib.sh"
trap 'tm kill-server 2>/dev/null; guardian_cleanup' EXIT

# The recording needs real time between events: the console's pinned clock
# is only for the replay's screen.
unset AGATE_FAKE_NOW_MS
mkdir -p "$XDG_CONFIG_HOME/agate"
printf 'allow exec echo *\n' >"$XDG_CONFIG_HOME/agate/rules"
start_hub

# p1: a rule decides at once.
agate ask --id p1 --session s-rec --exec "echo hello" >"$T/p1" || fail "p1: $(cat "$T/p1")"
grep -q '"by":"policy"' "$T/p1" || fail "p1 not decided by policy: $(cat "$T/p1")"
# h1: a human approves 1.3 s after it arrived.
ask_bg h1 s-rec --exec "make test" --agent claude-code
wait_for is_state h1 pending || fail "h1 never pending: $(cat "$T/h1.err")"
sleep 1.3
agate decide --reason "ship it" h1 approve >/dev/null || fail "decide h1"
wait $LAST || fail "h1 was not approved: $(cat "$T/h1")"
# x1: a hostile command (JSON \u escapes keep this file ASCII), denied.
cat >"$T/x1.json" <<'EOF'
{"v":1,"type":"request","id":"x1","session":"s-rec","agent":"agent\u001b[31m",
 "justification":"fine\r\u001b[1Aoverwritten",
 "action":{"kind":"exec","command":"echo ok\u001b[2J\u001b]0;pwned\u0007 \u202eevil\u202c rm -rf ~ \rls -la"}}
EOF
"$AGATE_BIN" ask <"$T/x1.json" >"$T/x1" 2>&1 &
LAST=$!
wait_for is_state x1 pending || fail "x1 never pending: $(cat "$T/x1")"
agate decide --reason "no thanks" x1 deny >/dev/null || fail "decide x1"
wait $LAST
# t1: nobody answers; the hub's timeout denies it.
agate ask --id t1 --session s-rec --timeout 1500 --exec "npm publish" >"$T/t1"
grep -q '"by":"timeout"' "$T/t1" || fail "t1 did not time out: $(cat "$T/t1")"
# g1: the Guardian reviews (a real HTTP model server) and approves.
export REPLAY_TEST_KEY="sk-replay-console-4b1e"
start_model --key "$REPLAY_TEST_KEY" --step "$(verdict medium low allow 'installs a package')"
start_review --headless --provider openai --base-url "$FM_URL" --model fake-1 \
	--api-key-env REPLAY_TEST_KEY --timeout 5s
agate ask --id g1 --session s-rec --exec "sudo apt-get install jq" >"$T/g1" ||
	fail "the Guardian did not approve g1: $(cat "$T/g1")"
grep -q '"by":"guardian"' "$T/g1" || fail "g1: $(cat "$T/g1")"
stop_review
stop_model
# Another session after it, so that "the most recent" is a real choice.
agate ask --id o1 --session s-later --exec "echo later" >/dev/null || fail "o1"
ok "recorded s-rec through the bus: policy, human (after 1.3 s), hostile, timeout, guardian"

# The replay needs no hub: stop it, and see that none comes back.
kill "$(hub_pid)" 2>/dev/null
wait_for sh -c "! kill -0 $(hub_pid) 2>/dev/null" || fail "the hub did not stop"
agate log --json >"$T/log.before"

# start_replay ARGS...: agate replay --console in a 160x40 pane; its exit
# status lands in $T/replay.rc.
start_replay() {
	cat >"$T/run-replay" <<EOF
#!/bin/sh
env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC AGATE_BUS='$AGATE_BUS' \
	AGATE_JOURNAL='$AGATE_JOURNAL' AGATE_CONFIG='$AGATE_CONFIG' \
	XDG_CONFIG_HOME='$XDG_CONFIG_HOME' XDG_STATE_HOME='$XDG_STATE_HOME' \
	AGATE_THEME_DIR='$AGATE_SRCDIR/themes' \
	'$AGATE_BIN' replay --console $* 2>'$T/replay.err'
echo \$? >'$T/replay.rc'
EOF
	chmod +x "$T/run-replay"
	rm -f "$T/replay.rc"
	tm new-session -d -x 160 -y 40 -s agate "$T/run-replay" || fail "cannot start tmux"
	tm pipe-pane -o -t agate 'cat >>'"$T/pty.log"
	wait_screen "REPLAY" || { dump; cat "$T/replay.err"; fail "the replay did not start"; }
}
dump() { echo "--- screen:"; screen; echo "--- replay.err:"; cat "$T/replay.err" 2>/dev/null; }
# step TEXT: one event forward, then TEXT must be on screen.
step() { keys .; wait_screen "$1" || { dump; fail "after a step, no '$1'"; }; }

start_replay --session s-rec
on_screen "event 0 of 11" || { dump; fail "not at event 0 of 11"; }
on_screen "before the first event" || { dump; fail "no start line"; }
on_screen "paused" || { dump; fail "not paused at the start"; }
not_on_screen "echo hello" || { dump; fail "a request shown before any step"; }
on_screen "nothing pending at this point of the recording" || { dump; fail "empty list text"; }
ok "opens paused before the first of 11 events"

# 1. Each request, then its decision, in recorded order.
step "event 1 of 11"
on_screen "p1 arrives: exec, low" && on_screen "echo hello" || { dump; fail "p1 did not arrive"; }
step "p1: approve by policy after 0.0s"
step "h1 arrives: exec"
on_screen "make test" || { dump; fail "h1's command not shown"; }
on_screen "1 pending" || { dump; fail "h1 not listed as pending"; }
# g is "first event" here: the detail must not offer it for the Guardian.
on_screen "not reviewed (so far in the recording)" && not_on_screen "g asks the Guardian" ||
	{ dump; fail "the detail offers a Guardian review in a replay"; }
keys .
wait_for sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t agate | grep -Eq 'h1: approve by human after 1\.[3-9]s: ship it'" ||
	{ dump; fail "no 'h1: approve by human after 1.3s: ship it'"; }
on_screen "0 pending" || { dump; fail "h1 still pending after its decision"; }
ok "p1 then 'approve by policy'; h1 then 'approve by human after 1.3s: ship it'"

# 2. Hostile text in the replayed journal: placeholders, nothing raw.
step "x1 arrives"
keys Enter # full screen: the long lines fit
expect() { on_screen "$1" || { dump; fail "placeholder missing: $1"; }; }
expect 'echo ok^[[2J^[]0;pwned^G <U+202E>evil<U+202C> rm -rf ~ ^Mls -la'
expect 'agent^[[31m'
expect 'fine^M^[[1Aoverwritten'
keys Enter
step "x1: deny by human after"
raw() { LC_ALL=C grep -qaF -- "$(printf "$1")" "$T/pty.log"; }
for seq in '\033]0;pwned' '\033[2J\033]' '\033[31m' '\033[1A' '\342\200\256' '\342\200\254' \
	'\rls -la' '\roverwritten'; do
	raw "$seq" && fail "raw sequence reached the terminal: $seq"
done
[ -s "$T/pty.log" ] || fail "the pty log is empty"
ok "a hostile replayed command, agent and justification show as placeholders only"

# 3. Step back: exactly one event undone; forward again: the same.
keys ,
wait_screen "event 5 of 11" || { dump; fail "back did not go to event 5"; }
on_screen "x1 arrives" && on_screen "1 pending" || { dump; fail "x1 is not pending again"; }
keys Left
wait_screen "event 4 of 11" || { dump; fail "Left did not step back"; }
on_screen "h1: approve by human after" && on_screen "0 pending" || { dump; fail "state at 4"; }
keys Right
wait_screen "event 5 of 11" || { dump; fail "Right did not step forward"; }
ok ", and Left step back one event (x1 pending again), Right steps forward"

# 4. Read-only: y, n, x are refused and nothing reaches a bus.
keys y
wait_screen "replay: read-only" || { dump; fail "y did not say read-only"; }
keys n
on_screen "deny reason" && { dump; fail "n prompted for a reason"; }
keys x
sleep 0.3
on_screen "1 pending" || { dump; fail "x1 left the list"; }
[ -e "$AGATE_BUS/hub.pid" ] && kill -0 "$(hub_pid)" 2>/dev/null && fail "a hub was started"
[ -z "$(ls -A "$AGATE_BUS/clients" 2>/dev/null)" ] || fail "a bus client appeared: $(ls "$AGATE_BUS/clients")"
agate log --json >"$T/log.after"
cmp -s "$T/log.before" "$T/log.after" || fail "the journal changed during the replay"
ok "y says 'replay: read-only'; no hub, no bus client, the journal unchanged"

# 5. The timeout and the Guardian, with its review.
step "x1: deny by human"
step "t1 arrives"
keys .
wait_for sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t agate | grep -Eq 't1: deny by timeout after 1\.[5-9]s'" ||
	{ dump; fail "no 't1: deny by timeout after 1.5s'"; }
step "g1 arrives"
step "g1: Guardian review after"
on_screen "g1: Guardian review after" && on_screen ": allow" || { dump; fail "no allow review"; }
on_screen "installs a package" || { dump; fail "the review's rationale is not in the detail"; }
step "g1: approve by guardian after"
step "event 11 of 11"
on_screen "end x1" || { dump; fail "the bar does not say end"; }
ok "t1 'deny by timeout after 1.5s'; g1 review 'allow' then 'approve by guardian'"

# 6. H lists what was decided so far; g and G jump; + and - change speed.
keys H
wait_screen "5 decided" || { dump; fail "H did not show 5 decided"; }
keys H g
wait_screen "event 0 of 11" || { dump; fail "g did not go to the start"; }
on_screen "0 pending" || { dump; fail "requests left over at the start"; }
keys G
wait_screen "event 11 of 11" || { dump; fail "G did not go to the end"; }
keys + +
wait_screen "x4 " || { dump; fail "+ + did not make x4"; }
keys - - -
wait_screen "x0.5 " || { dump; fail "- - - did not make x0.5"; }
keys '?'
wait_screen "step forward one event" || { dump; fail "no help"; }
on_screen "read-only" || { dump; fail "the help does not say read-only"; }
keys Escape
ok "H: 5 decided so far; g/G first/last; + - speed x4 .. x0.5; ? help"

# 7. Playing: at x64 the session plays to its end by itself.
keys g + + + + + + + ' '
wait_screen "x64 " || { dump; fail "not x64"; }
wait_screen "event 11 of 11" || { dump; fail "playing did not reach the end"; }
ok "space plays at x64 through to the end"

# 8. q quits with status 0.
keys q
wait_for test -s "$T/replay.rc" || { dump; fail "q did not quit"; }
[ "$(cat "$T/replay.rc")" = 0 ] || fail "exit status $(cat "$T/replay.rc"): $(cat "$T/replay.err")"
ok "q exits 0"

# 9. Without --session: the most recent session; an unknown one: an error.
start_replay
wait_screen "session s-later" || { dump; fail "did not pick the most recent session"; }
on_screen "event 0 of 2" || { dump; fail "s-later is not 2 events"; }
keys q
wait_for test -s "$T/replay.rc" || fail "q did not quit"
agate replay --console --session no-such </dev/null >/dev/null 2>"$T/none.err" && fail "no-such replayed"
grep -q "session 'no-such' has no recorded request" "$T/none.err" || fail "$(cat "$T/none.err")"
agate replay --console --session s-rec --speed 100 >/dev/null 2>"$T/speed.err" && fail "--speed 100"
grep -q "expected 0.5 to 64" "$T/speed.err" || fail "$(cat "$T/speed.err")"
ok "no --session: the most recent (s-later); unknown session and bad --speed: clear errors"
