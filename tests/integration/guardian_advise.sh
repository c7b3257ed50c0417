#!/bin/sh
# advise mode, as a human at the console sees it: verdicts arrive as review
# events and the human decides; low risk costs no call unless the human
# presses g; a failing model opens the circuit breaker, which the console
# is told about in every failed review.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guardian_lib.sh"

export GUARDIAN_TEST_KEY="sk-advise-1234abcd5678ef90"
start_hub
start_model \
	--step '{"when_action":"broken-endpoint","status":500}' \
	--step "$(verdict medium low allow 'installs one package')"
start_console
start_review --mode advise --base-url "$FM_URL" --model fake-1 --api-key-env GUARDIAN_TEST_KEY \
	--timeout 5s

reviews_for() { grep -c "\"event\":\"review\",\"id\":\"$1\"" "$T/console.jsonl"; }

# 1. Medium: the verdict reaches the console; nobody but the human decides.
agate ask --id a1 --exec "sudo apt-get install jq" >"$T/a1" &
ASK=$!
wait_for has_reviews a1 1 || fail "no verdict for a1: $(cat "$T/review.err")"
grep '"event":"review","id":"a1"' "$T/console.jsonl" | grep -q '"outcome":"allow"' \
	|| fail "a1 verdict: $(grep '"id":"a1"' "$T/console.jsonl")"
sleep 0.5
is_state a1 pending || fail "advise mode decided a1"
agate decide --reason "not on this machine" a1 deny >/dev/null || fail "human decide"
wait "$ASK"
grep -q '"by":"human"' "$T/a1" && grep -q '"review":{' "$T/a1" || fail "a1: $(cat "$T/a1")"
ok "advise: the verdict is shown and travels with the human's decision"

# 2. Low: no model call, until the human asks with g.
calls=$(model_calls)
agate ask --id a2 --exec "ls -la" >"$T/a2" &
ASK=$!
wait_for is_state a2 pending || fail "a2 not pending"
sleep 0.5
[ "$(model_calls)" -eq "$calls" ] && [ "$(reviews_for a2)" -eq 0 ] || fail "a low request was reviewed unasked"
"$GUARDIAN_CONSOLE" --review a2 --for 100 >/dev/null 2>&1
wait_for has_reviews a2 1 || fail "g did not bring a review"
[ "$(model_calls)" -eq $((calls + 1)) ] || fail "g made $(($(model_calls) - calls)) calls"
agate decide a2 approve >/dev/null
wait "$ASK" || fail "a2 not approved"
ok "advise: low risk costs no call; the g key asks for one"

# 3. The breaker: five failed reviews open it; the sixth fails at once,
# without a call, and says so.
calls=$(model_calls)
for i in 1 2 3 4 5 6; do
	agate ask --id "b$i" --timeout 60000 --exec "sudo make broken-endpoint-$i" >/dev/null &
	wait_for has_reviews "b$i" 1 || fail "no review for b$i"
done
for i in 1 2 3 4 5; do
	grep "\"event\":\"review\",\"id\":\"b$i\"" "$T/console.jsonl" | grep -q 'review failed: HTTP 500' \
		|| fail "b$i: $(grep "\"id\":\"b$i\"" "$T/console.jsonl")"
done
grep '"event":"review","id":"b6"' "$T/console.jsonl" | grep -q 'circuit open after 5 consecutive failed reviews' \
	|| fail "b6: $(grep '"id":"b6"' "$T/console.jsonl")"
grep '"event":"review","id":"b6"' "$T/console.jsonl" | grep -q '"circuit":"open"' || fail "no circuit field"
# Each failed review made 3 attempts; the sixth none.
[ "$(model_calls)" -eq $((calls + 15)) ] || fail "calls during the outage: $(($(model_calls) - calls))"
ok "a failing model opens the circuit; the console is told ('circuit open')"
for i in 1 2 3 4 5 6; do agate decide "b$i" deny >/dev/null; done
