#!/bin/sh
# An ask rule makes a request a human's, in a real hub with the Guardian in
# auto mode and a model that allows everything: with nobody attached it is
# denied (no model call can approve it); with a console attached the model
# is asked but its allow is only advice; a human's approve needs the
# confirmation a critical request needs, and then approves; a session grant
# for it does not approve the next one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guardian_lib.sh"

mkdir -p "$XDG_CONFIG_HOME/agate"
rules="$XDG_CONFIG_HOME/agate/rules"
printf 'ask exec git push *\n' > "$rules"
export GUARDIAN_TEST_KEY="sk-ask-3b9d0c7e51a24f86"
start_hub
start_model --key "$GUARDIAN_TEST_KEY" --step "$(verdict low high allow 'looks fine to me')"
start_review --mode auto --provider openai --base-url "$FM_URL" --model fake-1 \
	--api-key-env GUARDIAN_TEST_KEY --timeout 5s

ask() { agate ask --session s-ask --cwd "$T" "$@"; }

# The engine scores this push low: only the rule makes it a human's.
printf '{"v":1,"type":"request","action":{"kind":"exec","command":"git push origin main"}}\n' |
	agate score --system '' --user "$rules" --project '' >"$T/score.out"
grep -q '"level":"low".*"rule":"ask exec git push \* ' "$T/score.out" ||
	fail "the push is not a low with the ask rule: $(cat "$T/score.out")"

# Control: the Guardian in auto mode does approve what no rule holds.
ask --id k0 --timeout 10000 --exec 'sudo apt-get install jq' >"$T/k0" ||
	fail "the model's allow did not approve a medium request: $(cat "$T/k0")"
grep -q '"by":"guardian"' "$T/k0" || fail "k0 not by guardian: $(cat "$T/k0")"
agate rules explain --system '' --user "$rules" --project '' -- git push origin main >"$T/explain" ||
	fail "rules explain: $(cat "$T/explain")"
grep -q "only a human may approve" "$T/explain" ||
	fail "rules explain does not say an ask rule is a human's: $(cat "$T/explain")"
ok "control: with no rule, the Guardian approves on the model's allow"

# 1. Nobody attached: denied, never approved on the model's say-so.
ask --id k1 --timeout 10000 --exec 'git push origin main' >"$T/k1"; rc=$?
[ $rc -eq 1 ] || fail "ask rule, no human: rc=$rc $(cat "$T/k1")"
grep -q '"decision":"deny"' "$T/k1" || fail "not denied: $(cat "$T/k1")"
grep -q '"decision":"approve' "$T/k1" && fail "approved: $(cat "$T/k1")"
ok "ask rule with no human attached: denied although the model allows it"

# 2. A console attached: the model is asked, its allow is advice; the
# request waits for the human, whose approve needs --confirm.
start_console
ask --id k2 --timeout 20000 --exec 'git push origin main' >"$T/k2" &
ASK=$!
wait_for has_reviews k2 1 || fail "no review of k2 reached the console"
grep '"event":"review","id":"k2"' "$T/console.jsonl" | grep -q '"outcome":"allow"' ||
	fail "the review of k2: $(grep '"id":"k2"' "$T/console.jsonl")"
grep '"event":"review","id":"k2"' "$T/console.jsonl" | grep -q 'an ask rule leaves the approval to a human' ||
	fail "the review does not say why it is not acted on: $(grep '"id":"k2"' "$T/console.jsonl")"
grep '"event":"request"' "$T/console.jsonl" | grep '"id":"k2"' | grep -q '"needs_human":true' ||
	fail "k2 not marked needs_human: $(grep '"id":"k2"' "$T/console.jsonl")"
sleep 0.5
kill -0 "$ASK" 2>/dev/null || fail "k2 was decided without the human: $(cat "$T/k2")"
agate decide k2 approve 2>"$T/decide.err" && fail "a human approve without --confirm was taken"
grep -qi "confirm" "$T/decide.err" || fail "the refusal does not ask for --confirm: $(cat "$T/decide.err")"
grep -q "matched an ask rule" "$T/decide.err" ||
	fail "the refusal does not name the ask rule: $(cat "$T/decide.err")"
agate decide --confirm k2 approve || fail "the confirmed approve was refused"
wait "$ASK"; rc=$?
[ $rc -eq 0 ] || fail "k2 after the confirmed approve: rc=$rc $(cat "$T/k2")"
grep -q '"by":"human"' "$T/k2" || fail "k2 not by human: $(cat "$T/k2")"
ok "ask rule with a console: the model's allow is advice, a confirmed human approve decides"

# 3. A session grant does not cover it: the next push waits again.
ask --id k3 --timeout 20000 --exec 'git push origin main' >"$T/k3" &
ASK=$!
wait_for has_reviews k3 1 || fail "no review of k3"
agate decide --confirm k3 approve_session || fail "approve_session refused"
wait "$ASK" || fail "k3: $(cat "$T/k3")"
ask --id k4 --timeout 3000 --exec 'git push origin main' >"$T/k4"; rc=$?
[ $rc -ne 0 ] || fail "a session grant approved an ask-rule request: $(cat "$T/k4")"
grep -q '"by":"session"' "$T/k4" && fail "decided by the session grant: $(cat "$T/k4")"
ok "a session grant does not approve an ask-rule request"
stop_console
stop_review
stop_model
