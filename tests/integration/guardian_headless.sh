#!/bin/sh
# agate review --headless against the fake model, as an operator runs it:
# the engine settles lows without a model call, the model decides medium,
# what only a human may approve is denied with nobody attached, failures
# are "review failed" denials, repeats come from the cache, one JSON line
# per decision, and SIGTERM loses no decision in flight.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guardian_lib.sh"

export GUARDIAN_TEST_KEY="sk-headless-5f0c2a9e81d34b7c"
start_hub
start_model --key "$GUARDIAN_TEST_KEY" \
	--step '{"when":"slow-target","delay_ms":1500,"verdict":{"risk_level":"medium","user_authorization":"low","outcome":"allow","rationale":"slow but fine","categories":[]}}' \
	--step '{"when":"terraform","status":503,"retry_after":"0"}' \
	--step '{"when":"apt-get remove","verdict":{"risk_level":"medium","user_authorization":"unknown","outcome":"deny","rationale":"removes system packages","categories":["destructive"]}}' \
	--step "$(verdict medium low allow 'installs a package')"
start_review --headless --provider openai --base-url "$FM_URL" --model fake-1 \
	--api-key-env GUARDIAN_TEST_KEY --timeout 5s

ask() { agate ask --session s-head --cwd /home/dev/repo "$@"; }

# 1. A low-risk read: the engine settles it; the model is not asked.
ask --id h1 --exec "ls -la" >"$T/h1"; rc=$?
[ $rc -eq 0 ] && grep -q '"by":"guardian"' "$T/h1" || fail "ls: rc=$rc $(cat "$T/h1")"
[ "$(model_calls)" -eq 0 ] || fail "the model was asked about ls"
line_for h1 | grep -q '"stage":"engine"' || fail "log line for h1: $(line_for h1)"
ok "low risk: approved by the engine, no model call"

# 2. Medium: the model decides; its verdict travels with the decision.
ask --id h2 --exec "sudo apt-get install jq" >"$T/h2"; rc=$?
[ $rc -eq 0 ] || fail "medium allowed by the model: rc=$rc $(cat "$T/h2")"
grep -q '"review":{' "$T/h2" && grep -q '"outcome":"allow"' "$T/h2" \
	|| fail "no verdict with the decision: $(cat "$T/h2")"
[ "$(model_calls)" -eq 1 ] || fail "model calls after h2: $(model_calls)"
line_for h2 | grep -q '"stage":"guardian"' && line_for h2 | grep -q '"model_called":true' \
	|| fail "log line for h2: $(line_for h2)"
ok "medium risk: the model allows it, approve by guardian"

# 3. The same action again: from the cache.
ask --id h3 --exec "sudo apt-get install jq" >"$T/h3" || fail "h3 not approved"
[ "$(model_calls)" -eq 1 ] || fail "the cache did not spare a call: $(model_calls)"
line_for h3 | grep -q '"cached":true' || fail "log line for h3: $(line_for h3)"
ok "a repeated action comes from the cache"

# 4. The model denies.
ask --id h4 --exec "sudo apt-get remove jq" >"$T/h4"; rc=$?
[ $rc -eq 1 ] && grep -q 'removes system packages' "$T/h4" || fail "deny: rc=$rc $(cat "$T/h4")"
ok "the model's deny is a deny by guardian, with its rationale"

# 5. Critical, and high with nobody attached: denied without asking the model.
calls=$(model_calls)
ask --id h5 --exec "rm -rf /" >"$T/h5"; rc=$?
[ $rc -eq 1 ] && grep -q 'only a human may approve it' "$T/h5" || fail "critical: rc=$rc $(cat "$T/h5")"
ask --id h6 --exec "git push --force" >"$T/h6"; rc=$?
[ $rc -eq 1 ] && grep -q 'decides only low and medium' "$T/h6" || fail "high: rc=$rc $(cat "$T/h6")"
[ "$(model_calls)" -eq "$calls" ] || fail "the model was asked about what it cannot approve"
ok "critical and high with no human attached: denied, no model call"

# 6. A failing model: retried, then "review failed", never an approval.
calls=$(model_calls)
ask --id h7 --exec "terraform apply" >"$T/h7"; rc=$?
[ $rc -eq 1 ] || fail "a failing model led to rc=$rc $(cat "$T/h7")"
grep -q 'review failed: HTTP 503' "$T/h7" || fail "no 'review failed' reason: $(cat "$T/h7")"
[ "$(model_calls)" -eq $((calls + 3)) ] || fail "expected 3 attempts, got $(($(model_calls) - calls))"
grep -q '"error":"review failed: HTTP 503' "$T/h7" || fail "the review frame has no error: $(cat "$T/h7")"
ok "model failure: 3 attempts, then denied as 'review failed: HTTP 503 ...'"

# 7. The journal holds the reviews with model, tokens and latency.
if command -v sqlite3 >/dev/null 2>&1; then
	n=$(sqlite3 "$AGATE_JOURNAL" "select count(*) from reviews where model='fake-1'")
	[ "$n" -ge 4 ] || fail "reviews journaled: $n"
	t=$(sqlite3 "$AGATE_JOURNAL" "select tokens_in from reviews where request_id='h2'")
	[ "${t:-0}" -gt 0 ] || fail "no tokens journaled for h2"
	ok "reviews journaled ($n) with tokens"
fi

# 8. The hub is killed: the reviewer connects again (starting a hub) and
# goes on deciding.
kill -9 "$(hub_pid)"
wait_for grep -q "lost the hub" "$T/review.err" || fail "the reviewer did not notice"
ask --id h9 --exec "sudo apt-get install jq" >"$T/h9"; rc=$?
[ $rc -eq 0 ] && grep -q '"by":"guardian"' "$T/h9" || fail "after a hub restart: rc=$rc $(cat "$T/h9")"
grep -q "connected again" "$T/review.err" || fail "no reconnection: $(cat "$T/review.err")"
ok "a killed hub: the reviewer reconnects and keeps deciding"

# 9. SIGTERM while a review is in flight: its decision is still made,
# delivered and logged; then a clean exit.
ask --id h8 --exec "sudo make slow-target" >"$T/h8" &
ASK=$!
wait_for grep -q slow-target "$T/model.jsonl" || fail "the slow review never reached the model"
kill -TERM "$REVIEW_PID"
wait "$REVIEW_PID"; rc=$?
[ $rc -eq 0 ] || fail "agate review exited $rc on SIGTERM: $(cat "$T/review.err")"
wait "$ASK"; rc=$?
[ $rc -eq 0 ] && grep -q '"by":"guardian"' "$T/h8" || fail "in-flight decision lost: rc=$rc $(cat "$T/h8")"
line_for h8 | grep -q '"decision":"approve"' || fail "h8 not logged"
tail -1 "$T/review.out" | grep -q '"type":"summary"' || fail "no summary line"
ok "SIGTERM: the review in flight is decided and logged, exit 0"

# Every line is JSON, one per decision seen.
n=$(grep -c '"type":"decision"' "$T/review.out")
[ "$n" -eq 9 ] || fail "expected 9 decision lines, got $n"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/review.out" \
		|| fail "a log line is not JSON"
fi
ok "one JSON line per decision"

# The key is nowhere but the header the server received.
grep -rlaF --exclude=model.jsonl -e "$GUARDIAN_TEST_KEY" "$T" >"$T/leaks"
case $? in
0) fail "the API key leaked into: $(cat "$T/leaks")" ;;
1) ;;
*) fail "grep failed" ;;
esac
grep -qF -e "$GUARDIAN_TEST_KEY" "$T/model.jsonl" || fail "the server never saw the key (test broken)"
ok "the API key is in no journal, log or output"
stop_model
