#!/bin/sh
# agate score and agate rules through the real binary: what a script or a
# person at a terminal sees (exit statuses, one output line per request,
# every rule error with file:line:column, no raw escape bytes echoed back).
. "$(dirname "$0")/lib.sh"

export HOME="$T/home"
mkdir -p "$HOME"

# --- rules check -------------------------------------------------------------
cat > "$T/good.rules" <<'R'
# comments and blank lines are fine

allow exec git status
deny  exec rm -rf /*
allow network host:*.github.com:443
R
out=$(agate rules check "$T/good.rules") || fail "rules check refused a valid file"
[ "$out" = "$T/good.rules: 3 rules, ok" ] || fail "rules check said: $out"
ok "rules check accepts a valid file"

printf 'allow exec ls\nallow exe rm\ndeny patch src/**\nask\n' > "$T/bad.rules"
agate rules check "$T/good.rules" "$T/bad.rules" > "$T/check.out" 2> "$T/check.err"
rc=$?
[ $rc -eq 1 ] || fail "rules check exit $rc on a bad file (want 1)"
grep -qx "agate rules: $T/bad.rules:2:7: unknown kind 'exe' (expected exec, patch, network, mcp, permission)" \
	"$T/check.err" || fail "no line:column for the bad kind: $(cat "$T/check.err")"
grep -q "bad.rules:3:12: expected path:GLOB" "$T/check.err" || fail "second error not listed"
grep -q "bad.rules:4:5: missing kind" "$T/check.err" || fail "third error not listed"
grep -q "bad.rules: 3 errors" "$T/check.err" || fail "no error count"
grep -q "good.rules: 3 rules, ok" "$T/check.out" || fail "the good file was not reported"
ok "rules check lists every error with file:line:column"

agate rules check "$T/missing.rules" 2>/dev/null && fail "a missing file passed"
ok "rules check refuses a missing file"

# --- rules explain -----------------------------------------------------------
agate rules explain --system "$T/good.rules" --user '' --project '' \
	-- 'git status && sudo rm -rf /' > "$T/explain.out" || fail "explain failed"
grep -q "deny exec rm -rf /\*  ($T/good.rules:4)  \[system\]" "$T/explain.out" ||
	fail "explain did not name the deny rule: $(cat "$T/explain.out")"
grep -q "allow exec git status" "$T/explain.out" || fail "explain did not show the allow match"
grep -q "denied at once by policy" "$T/explain.out" || fail "explain did not give the outcome"
ok "rules explain names the rule, layer and outcome"

esc=$(printf 'echo \033]0;pwned\007 \033[2J')
agate rules explain --system '' --user '' --project '' -- "$esc" > "$T/esc.out" ||
	fail "explain failed on escapes"
if LC_ALL=C grep -q "$(printf '\033')" "$T/esc.out"; then
	fail "explain echoed a raw ESC byte"
fi
grep -q '\^\[' "$T/esc.out" || fail "escape not shown as a badge: $(cat "$T/esc.out")"
ok "rules explain sanitizes the command"

agate rules explain --system '' --user '' --project '' \
	--action '{"kind":"network","host":"webhook.site","port":443,"protocol":"https","method":"POST"}' \
	> "$T/net.out" || fail "explain --action failed"
grep -q "risk     critical" "$T/net.out" || fail "network risk not shown: $(cat "$T/net.out")"
ok "rules explain takes an action for other kinds"

# --- score -------------------------------------------------------------------
cat > "$T/in.ndjson" <<'J'
{"v":1,"type":"request","id":"a1","cwd":"/home/dev/repo","action":{"kind":"network","host":"localhost","port":3000,"protocol":"http"}}

{"v":1,"type":"request","id":"a2","cwd":"/home/dev/repo","action":{"kind":"permission","paths":[{"path":"/","access":"write"}]}}
not json
{"v":1,"type":"status"}
{"v":1,"type":"request","id":"a3","action":{"kind":"network","host":"api.github.com","port":443,"protocol":"https"}}
J
agate score --system "$T/good.rules" --user '' --project '' < "$T/in.ndjson" > "$T/score.out"
rc=$?
[ $rc -eq 1 ] || fail "score exit $rc with bad lines (want 1)"
[ "$(wc -l < "$T/score.out")" -eq 5 ] || fail "want 5 output lines: $(cat "$T/score.out")"
sed -n 1p "$T/score.out" | grep -q '^{"id":"a1","risk":{"score":0,"level":"low"' ||
	fail "line 1: $(sed -n 1p "$T/score.out")"
sed -n 2p "$T/score.out" | grep -q '"id":"a2".*"level":"critical"' || fail "line 2"
sed -n 3p "$T/score.out" | grep -q '^{"line":4,"error":"frame: ' || fail "line 3: $(sed -n 3p "$T/score.out")"
sed -n 4p "$T/score.out" | grep -q '^{"line":5,"error":"type: expected' || fail "line 4"
sed -n 5p "$T/score.out" | grep -q "\"rule\":\"allow network host:\*.github.com:443 ($T/good.rules:5)\",\"decision\":\"approve\"" ||
	fail "line 5: $(sed -n 5p "$T/score.out")"
ok "score writes one line per request and names bad lines"

agate score --system "$T/good.rules" --user '' --project '' < "$T/in.ndjson" > "$T/score2.out"
cmp -s "$T/score.out" "$T/score2.out" || fail "score is not deterministic"
ok "score is deterministic"

head -1 "$T/in.ndjson" | agate score --no-rules --fail-at medium >/dev/null ||
	fail "a low request reached --fail-at medium"
sed -n 3p "$T/in.ndjson" | agate score --no-rules --fail-at high >/dev/null
[ $? -eq 3 ] || fail "a critical request did not trip --fail-at high"
ok "score --fail-at gates on the level"

agate score --help | grep -q "usage: agate score" || fail "score --help"
agate rules --help | grep -q "agate rules check FILE" || fail "rules --help"
agate score --ceiling extreme </dev/null 2>/dev/null
[ $? -eq 2 ] || fail "a bad --ceiling was accepted"
ok "help and usage errors"
