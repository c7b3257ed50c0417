#!/bin/sh
# agate replay --feed: a recorded session re-published onto a live bus as a
# publisher, at its recorded pacing or --speed N, under a new session name
# and new ids; a human deciding the fed requests is told where they agreed
# with the recording; --speed 0 as a load test; --max-gap shortens pauses.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/replay_lib.sh"

mkdir -p "$XDG_CONFIG_HOME/agate"
printf 'allow exec echo *\n' >"$XDG_CONFIG_HOME/agate/rules"
start_hub
decided r1 s-rec approve --exec "git status" --agent claude-code
sleep 1.2
decided r2 s-rec deny --exec "rm -rf build" --agent claude-code
sleep 0.6
decided r3 s-rec approve --exec "make test" --agent claude-code
created() { # SESSION: created_ms of its requests, in order
	agate log --pending --json --session "$1" | sed -n 's/.*"created_ms":\([0-9]*\).*/\1/p'
}
set -- $(created s-rec)
g1=$(($2 - $1)) g2=$(($3 - $2))
ok "recorded s-rec: 3 decisions, gaps of $g1 and $g2 ms"

# 1. Fed at twice the speed; a human decides as the requests come in.
agate replay --feed --session s-rec --speed 2 --as-session fed1 >"$T/feed1" 2>"$T/feed1.err" &
FEED=$!
for want in approve deny deny; do
	wait_for sh -c "'$AGATE_BIN' log --pending --json --session fed1 | grep -q '\"state\":\"pending\"'" \
		|| fail "no fed request pending: $(cat "$T/feed1.err")"
	id=$("$AGATE_BIN" log --pending --json --session fed1 | grep '"state":"pending"' |
		sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | head -1)
	agate decide "$id" $want || fail "decide $id"
done
wait $FEED || fail "feed exited $?: $(cat "$T/feed1" "$T/feed1.err")"
agate log --json --session fed1 >"$T/fed1.log"
for cmd in "git status" "rm -rf build" "make test"; do
	grep -q "\"command\":\"$cmd\"" "$T/fed1.log" || fail "$cmd not fed: $(cat "$T/fed1.log")"
done
grep -q '"id":"r[123]"' "$T/fed1.log" && fail "fed with the recorded ids"
grep -c '"agent":"claude-code"' "$T/fed1.log" | grep -qx 3 || fail "agent not kept"
set -- $(created fed1)
f1=$(($2 - $1)) f2=$(($3 - $2))
# Each fed gap is half the recorded one (a human's decide adds latency, so
# allow it to be later, never much earlier).
[ "$f1" -ge $((g1 / 2 - 150)) ] && [ "$f1" -le $((g1 / 2 + 1500)) ] \
	&& [ "$f2" -ge $((g2 / 2 - 150)) ] || fail "pacing: recorded $g1/$g2 ms, fed $f1/$f2 ms"
grep -q "fed 3 requests" "$T/feed1" && grep -q "3 decided" "$T/feed1" || fail "$(cat "$T/feed1")"
grep -q "agreed with the recorded decision (approved or not): 2 of 3" "$T/feed1" \
	|| fail "agreement: $(cat "$T/feed1")"
[ "$(grep -c differs "$T/feed1")" = 1 ] || fail "differs lines: $(cat "$T/feed1")"
ok "fed at --speed 2 under session fed1 (gaps $f1/$f2 ms for $g1/$g2), new ids; the trainee agreed 2 of 3"

# 2. --max-gap: a long pause in the recording is cut short.
agate ask --id m1 --session s-gap --exec "echo one" >/dev/null || fail "m1"
sleep 3
agate ask --id m2 --session s-gap --exec "echo two" >/dev/null || fail "m2"
start=$(date +%s%N)
agate replay --feed --session s-gap --max-gap 200ms --as-session fed2 >"$T/feed2" \
	|| fail "feed2: $(cat "$T/feed2")"
el=$((($(date +%s%N) - start) / 1000000))
[ "$el" -lt 2500 ] || fail "--max-gap: the feed took $el ms"
grep -q "fed 2 requests" "$T/feed2" || fail "$(cat "$T/feed2")"
ok "--max-gap 200ms: a 3 s pause replayed in $el ms"

# 3. --speed 0: as fast as the bus takes them (a load test).
i=0
while [ $i -lt 40 ]; do
	agate ask --id "l$i" --session s-load --exec "echo $i" >/dev/null || fail "l$i"
	i=$((i + 1))
done
agate replay --feed --session s-load --speed 0 --json >"$T/feed3" || fail "feed3"
grep -q '"type":"feed","sent":40,"acked":40,"decided":40,"refused":0,"agreed":40,"compared":40' \
	"$T/feed3" || fail "load feed: $(cat "$T/feed3")"
ok "--speed 0: $(cat "$T/feed3")"

# 4. Nothing to feed is an error, not a silent success.
agate replay --feed --session no-such >/dev/null 2>"$T/none.err" && fail "fed nothing"
grep -q "no recorded request matches" "$T/none.err" || fail "$(cat "$T/none.err")"
ok "feeding an unknown session fails with a message"

# 5. A recorded guard check (Codex PreToolUse) is fed with its hook, so the
# rules answer it at once as they did, instead of it waiting for a human.
agate hook codex <"$AGATE_SRCDIR/tests/fixtures/hooks/codex/pretooluse-exec.json" \
	>"$T/guard.out" 2>"$T/guard.err" || fail "the codex guard hook: $(cat "$T/guard.err")"
rec=01a21b74-7604-7932-ae7a-cdb6ee1bd883
agate log --json --session "$rec" | grep -q '"guard":true' ||
	fail "the guard check was not recorded with its hook: $(agate log --json --session "$rec")"
start=$(date +%s%N)
agate replay --feed --session "$rec" --speed 0 --timeout 20s --as-session fed-guard \
	>"$T/feed5" 2>&1 || fail "feed5: $(cat "$T/feed5")"
el=$((($(date +%s%N) - start) / 1000000))
agate log --json --session fed-guard >"$T/fed5.log"
grep -q '"hook":{[^}]*"guard":true' "$T/fed5.log" || fail "fed without its hook: $(cat "$T/fed5.log")"
grep -q '"by":"policy"' "$T/fed5.log" || fail "the fed guard check was not decided by policy: $(cat "$T/fed5.log")"
[ "$el" -lt 10000 ] || fail "the fed guard check waited $el ms"
ok "a recorded guard check is fed with its hook and answered at once ($el ms)"
