#!/bin/sh
# The hooks with the real judge: rules decide at once, with nobody
# attached. Codex's PreToolUse guard denies what a deny rule or a critical
# score forbids (its only verdict) and says nothing otherwise; Claude's
# PreToolUse is allowed at once by an allow rule.
. "$(dirname "$0")/hooks_lib.sh"

mkdir -p "$XDG_CONFIG_HOME/agate"
cat >"$XDG_CONFIG_HOME/agate/rules" <<'R'
deny  exec git push --force *
allow exec git status
R

# payload CLIENT-FIXTURE COMMAND: the fixture with its command replaced.
payload() {
	compact "$FIX/$1" | sed "s|\"command\":\"echo hello > out.txt\"|\"command\":\"$2\"|"
}

payload codex/pretooluse-exec.json 'git push --force origin main' | agate hook codex >"$T/g1" ||
	fail "guard exit"
expect_out "$T/g1" '"permissionDecision":"deny","permissionDecisionReason":"agate: denied by a policy rule'
ok "codex PreToolUse: a deny rule denies at once"

payload codex/pretooluse-exec.json 'rm -rf / --no-preserve-root' | agate hook codex >"$T/g2" ||
	fail "guard exit"
expect_out "$T/g2" '"permissionDecision":"deny"'
ok "codex PreToolUse: a critical command is denied without waiting for anyone"

payload codex/pretooluse-exec.json 'git status' | agate hook codex >"$T/g3" || fail "guard exit"
expect_empty "$T/g3"
payload codex/pretooluse-exec.json 'make test' | agate hook codex >"$T/g4" || fail "guard exit"
expect_empty "$T/g4"
[ "$(pending_count)" = 0 ] || fail "the guard left requests pending"
ok "codex PreToolUse: allowed or undecided -> no output, nothing pending"

# The same deny rule in Codex's PermissionRequest and Claude's PreToolUse.
payload codex/permissionrequest-exec.json 'git push --force origin main' |
	agate hook codex >"$T/p1" || fail "exit"
expect_out "$T/p1" '"decision":{"behavior":"deny","message":"agate: denied by a policy rule'
payload claude/pretooluse-bash.json 'git status' | agate hook claude >"$T/c1" || fail "exit"
expect_out "$T/c1" '"permissionDecision":"allow","permissionDecisionReason":"agate: approved by a policy rule"'
ok "rules decide Codex PermissionRequest and Claude PreToolUse at once"

# agate-hook, the small program agate init installs, answers the same and
# starts the agate beside it as the hub when none runs.
SMALL="$(dirname "$AGATE_BIN")/agate-hook"
if [ -x "$SMALL" ]; then
	export AGATE_BUS="$T/bus-small"
	payload claude/pretooluse-bash.json 'git status' | "$SMALL" claude >"$T/s1" || fail "agate-hook exit"
	expect_out "$T/s1" '"permissionDecision":"allow","permissionDecisionReason":"agate: approved by a policy rule"'
	payload codex/pretooluse-exec.json 'git push --force origin main' | "$SMALL" codex >"$T/s2" ||
		fail "agate-hook exit"
	expect_out "$T/s2" '"permissionDecision":"deny"'
	[ -s "$AGATE_BUS/hub.pid" ] || fail "agate-hook did not start a hub"
	kill "$(cat "$AGATE_BUS/hub.pid")" 2>/dev/null
	ok "agate-hook: same answers, starts agate's hub"
fi
