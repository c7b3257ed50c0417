#!/bin/sh
# agate replay on a journal built by real bus runs: no flip under the rules
# that made it; a planted rule change is found, reported with its rule and
# exits non-zero under --fail-on; another journal file; a model change
# found with --review against a real HTTP model server.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/replay_lib.sh"

# The installed rules the history was made under (the user layer).
mkdir -p "$XDG_CONFIG_HOME/agate"
cat >"$XDG_CONFIG_HOME/agate/rules" <<'RULES'
allow exec ls *
deny  exec sudo *
RULES

start_hub
decided h1 s-hist approve --exec "git status"
decided h2 s-hist approve --exec "git push origin main"     # the planted flip
decided h3 s-hist deny --exec "rm -rf build"
decided h4 s-other approve --exec "make test"
agate ask --id p1 --session s-hist --exec "ls -la" >"$T/p1" || fail "allow rule: $(cat "$T/p1")"
agate ask --id p2 --session s-hist --exec "sudo reboot" >"$T/p2" && fail "deny rule approved"
grep -q '"by":"policy"' "$T/p1" && grep -q '"by":"policy"' "$T/p2" || fail "policy decisions"
# A flip whose text is hostile: it must reach the terminal defused.
decided h5 s-hist approve --exec "$(printf 'git push \033[2J\033]0;pwned\007--tags')"
agate log --json | grep -c '"decision"' | grep -qx 7 || fail "journal: $(agate log)"
ok "a journal of 7 decisions made through the bus (human and policy)"

# 1. Today's rules are the rules it was made under: nothing flips.
out=$(agate replay --json --fail-on any) || fail "replay under the same rules exited $?: $out"
sum=$(printf '%s\n' "$out" | tail -1)
[ "$(summary_field "$sum" unchanged)" = 7 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] \
	|| fail "unchanged history: $out"
ok "same rules: 7 unchanged, no flip, exit 0 under --fail-on any"

# 2. A candidate rules file that denies pushes and drops the sudo rule.
cat >"$T/cand.rules" <<'RULES'
allow exec ls *
deny  exec git push *
RULES
agate replay --rules "$T/cand.rules" --fail-on tightened --json >"$T/r2" 2>"$T/r2.err"
rc=$?
[ $rc -eq 1 ] || fail "--fail-on tightened exited $rc: $(cat "$T/r2" "$T/r2.err")"
grep -q '"id":"h2","group":"approve->deny"' "$T/r2" || fail "h2 not reported: $(cat "$T/r2")"
grep '"id":"h2"' "$T/r2" | grep -q "deny exec git push \* ($T/cand.rules:2)" \
	|| fail "the flip does not name the rule and its line: $(grep h2 "$T/r2")"
grep -q '"id":"h5","group":"approve->deny"' "$T/r2" || fail "h5 not reported"
grep -q '"id":"p2","group":"deny->ask"' "$T/r2" || fail "dropping a deny rule is not a loosening"
for id in h1 h3 h4 p1; do
	grep -q "\"id\":\"$id\"" "$T/r2" && fail "$id flipped: $(grep "$id" "$T/r2")"
done
sum=$(tail -1 "$T/r2")
[ "$(summary_field "$sum" tightened)" = 2 ] && [ "$(summary_field "$sum" loosened)" = 1 ] \
	|| fail "summary: $sum"
grep -q "2 tightened, 1 loosened" "$T/r2.err" || fail "no reason on stderr: $(cat "$T/r2.err")"
ok "planted flip found: h2 approve->deny by 'deny exec git push *' (cand.rules:2), exit 1"

# --fail-on picks the direction: tightened-only candidates pass loosened.
printf 'allow exec ls *\ndeny exec sudo *\ndeny exec git push *\n' >"$T/tight.rules"
agate replay --rules "$T/tight.rules" --fail-on loosened >/dev/null 2>&1 \
	|| fail "--fail-on loosened failed on a tightening-only change"
agate replay --rules "$T/tight.rules" --fail-on any >/dev/null 2>&1 \
	&& fail "--fail-on any passed a tightening"
printf 'allow exec ls *\ndeny exec sudo *\nallow exec rm -rf build\n' >"$T/loose.rules"
agate replay --rules "$T/loose.rules" --fail-on tightened --json >"$T/r3" \
	|| fail "--fail-on tightened failed on a loosening-only change"
grep -q '"id":"h3","group":"deny->approve"' "$T/r3" || fail "h3 loosening: $(cat "$T/r3")"
agate replay --rules "$T/loose.rules" --fail-on loosened >/dev/null 2>&1 \
	&& fail "--fail-on loosened passed a loosening"
ok "--fail-on tightened|loosened|any each trip only on their kind"

# 3. The people's report: grouped, with the reasons, and defused text.
agate replay --rules "$T/cand.rules" >"$T/text" 2>/dev/null
grep -q "^approve -> deny (tightened): 2" "$T/text" || fail "report groups: $(cat "$T/text")"
grep -q "recorded: approve by human" "$T/text" && grep -q "today:    deny by policy" "$T/text" \
	|| fail "report lines: $(cat "$T/text")"
if grep -q "$(printf '\033')" "$T/text" || grep -q "$(printf '\007')" "$T/text"; then
	fail "raw escape sequences in the replay report"
fi
grep -q 'git push \^\[' "$T/text" || fail "escape not shown as a badge: $(grep -A2 h5 "$T/text")"
ok "text report: grouped, recorded vs today with the rule, escapes shown as badges"

# 4. Filters and another journal file.
agate replay --rules "$T/cand.rules" --session s-other --fail-on any >/dev/null 2>&1 \
	|| fail "s-other has nothing that flips"
cp "$AGATE_JOURNAL" "$T/copy.db"
[ -f "$AGATE_JOURNAL-wal" ] && cp "$AGATE_JOURNAL-wal" "$T/copy.db-wal"
AGATE_JOURNAL=/nonexistent "$AGATE_BIN" replay --journal "$T/copy.db" --rules "$T/cand.rules" \
	--json >"$T/r4" 2>/dev/null
[ "$(tail -1 "$T/r4")" = "$(tail -1 "$T/r2")" ] || fail "--journal copy: $(tail -1 "$T/r4")"
ok "--session filters; --journal replays another file the same way"

# 5. A model change, found with --review against a real HTTP model server.
#    History: the Guardian (headless) allowed a medium-risk install.
. "$(dirname "$0")/guardian_lib.sh"
export REPLAY_TEST_KEY="sk-replay-0d9c1f7e2a"
start_model --key "$REPLAY_TEST_KEY" --step "$(verdict medium low allow 'installs a package')"
start_review --headless --provider openai --base-url "$FM_URL" --model fake-1 \
	--api-key-env REPLAY_TEST_KEY --timeout 5s
agate ask --id g1 --session s-guard --exec "apt-get install jq" >"$T/g1" \
	|| fail "the Guardian did not approve g1: $(cat "$T/g1")"
grep -q '"by":"guardian"' "$T/g1" || fail "g1: $(cat "$T/g1")"
stop_review
stop_model
#    Today the model says deny.
start_model --key "$REPLAY_TEST_KEY" --step "$(verdict medium low deny 'no new packages')"
cat >>"$AGATE_CONFIG" <<CFG
guardian_provider = openai
guardian_base_url = $FM_URL
guardian_model = fake-1
guardian_api_key_env = REPLAY_TEST_KEY
guardian_timeout = 5s
CFG
agate replay --session s-guard --json --fail-on any >"$T/r5" 2>/dev/null \
	|| fail "without --review a Guardian decision cannot flip: $(cat "$T/r5")"
agate replay --session s-guard --review --json --fail-on tightened >"$T/r5" 2>"$T/r5.err"
rc=$?
[ $rc -eq 1 ] || fail "--review exited $rc: $(cat "$T/r5" "$T/r5.err")"
grep -q '"id":"g1","group":"approve->deny"' "$T/r5" && grep -q 'no new packages' "$T/r5" \
	|| fail "model flip: $(cat "$T/r5")"
[ "$(model_calls)" -ge 1 ] || fail "the model was not asked"
ok "--review: the model's changed verdict flips g1 approve->deny (exit 1)"
stop_model
