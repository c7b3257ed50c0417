#!/bin/sh
# The judge inside a real hub: a user rules file denies at once by policy
# (with the rule named in the decision), allows a low-risk command at once,
# holds an allowed but critical request for a human, and picks up an edit
# to the rules file without a restart.
. "$(dirname "$0")/lib.sh"

mkdir -p "$XDG_CONFIG_HOME/agate"
rules="$XDG_CONFIG_HOME/agate/rules"
cat > "$rules" <<'R'
deny  exec git push --force *
allow exec git status
allow network host:*
R
start_hub

out=$(agate ask --timeout 5000 --cwd "$T" --exec 'git push --force origin main')
rc=$?
[ $rc -eq 1 ] || fail "denied request exit $rc: $out"
echo "$out" | grep -q '"decision":"deny"' || fail "not denied: $out"
echo "$out" | grep -q '"by":"policy"' || fail "not by policy: $out"
echo "$out" | grep -qF "deny exec git push --force * ($rules:1)" || fail "rule not named: $out"
ok "a deny rule decides at once, by policy"

out=$(agate ask --timeout 5000 --cwd "$T" --exec 'git status') ||
	fail "allowed command not approved: $out"
echo "$out" | grep -q '"decision":"approve"' || fail "not approved: $out"
echo "$out" | grep -q '"by":"policy"' || fail "not by policy: $out"
ok "an allow rule decides a low-risk request at once"

# Critical: the allow rule does not decide; it waits (and times out denied).
out=$(agate ask --timeout 1500 --cwd "$T" --host 169.254.169.254 --port 80 --protocol http)
echo "$out" | grep -q '"by":"timeout"' || fail "critical request was decided by a rule: $out"
ok "an allow rule does not approve a critical request"

# Edit the file: the hub follows without a restart.
printf 'deny exec git status\n' > "$rules"
out=$(agate ask --timeout 5000 --cwd "$T" --exec 'git status')
echo "$out" | grep -q '"decision":"deny"' || fail "edited rules not applied: $out"
ok "the hub picks up an edited rules file"
