#!/bin/sh
# Every captured stdin fixture through the real `agate hook` and a real
# hub: the request that reaches the bus, and the answer for approve,
# approve_session, deny and defer in the shape that client and event take
# (tests/fixtures/hooks/README.md).
. "$(dirname "$0")/hooks_lib.sh"

agate hook --help | grep -q "usage: agate hook" || fail "agate hook --help"

CLAUDE_ALLOW='{"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"allow"}}}'
[ "$(compact "$FIX/claude/outputs/permissionrequest-allow.json")" = "$CLAUDE_ALLOW" ] ||
	fail "fixture compaction"

n=0
# roundtrip CLIENT FIXTURE DECISION TEXT-ON-BUS EXPECTED-ANSWER|EMPTY
roundtrip() {
	local client=$1 fixture=$2 decision=$3 text=$4 want=$5 out id
	n=$((n + 1))
	out="$T/rt$n"
	# A session of its own, so that one round trip's approve_session (a
	# grant the hub remembers) cannot decide the next.
	compact "$FIX/$fixture" | sed "s/\"session_id\":\"[^\"]*\"/\"session_id\":\"rt-$n\"/" \
		>"$out.in"
	hook_bg_raw "$client" "$out.in" "$out"
	id=$(pending_for "$text")
	case "$id" in hk-*) ;; *) fail "$fixture: request id $id" ;; esac
	# What reached the bus: agent, session, cwd, and the action itself.
	agate log --pending --json --id "$id" >"$out.req"
	expect_out "$out.req" "\"agent\":\"$([ "$client" = claude ] && echo claude-code || echo codex)\""
	expect_out "$out.req" '"cwd":"/home/user/project"'
	expect_out "$out.req" "\"session\":\"rt-$n\""
	agate decide --reason "rt $n" "$id" "$decision" >/dev/null || fail "decide $id"
	hook_wait "$out"
	if [ "$want" = EMPTY ]; then
		expect_empty "$out"
	else
		expect_out "$out" "$want"
		[ "$(wc -l <"$out")" -eq 1 ] || fail "$fixture: answer is not one line"
	fi
}

P='"hookEventName":"PreToolUse","permissionDecision"'
# Claude PreToolUse: the main path; allow / deny with reason / defer -> ask.
for f in pretooluse-bash pretooluse-bash-tui pretooluse-bash-bypasspermissions; do
	roundtrip claude claude/$f.json approve '"command":"echo hello > out.txt"' "{$P:\"allow\""
	roundtrip claude claude/$f.json approve_session 'echo hello > out.txt' "{$P:\"allow\""
	roundtrip claude claude/$f.json deny 'echo hello > out.txt' "{$P:\"deny\",\"permissionDecisionReason\":\"agate: denied by a human reviewer: rt $((n + 1))"
	roundtrip claude claude/$f.json defer 'echo hello > out.txt' "{$P:\"ask\""
done
roundtrip claude claude/pretooluse-bash-readonly-cmd.json deny '"command":"echo hello"' "{$P:\"deny\""
roundtrip claude claude/pretooluse-write.json approve '"kind":"patch"' "{$P:\"allow\""
grep -qF '+hello from Write' "$T/rt$n.req" || fail "Write did not reach the bus as a diff"
ok "claude PreToolUse: allow, session, deny with reason, defer -> ask"

# Claude PermissionRequest: allow exactly as accepted, session rule, deny
# message, abort -> interrupt, defer -> no output (the dialog decides).
for f in permissionrequest-bash permissionrequest-bash-tui; do
	roundtrip claude claude/$f.json approve 'echo hello > out.txt' "$CLAUDE_ALLOW"
	roundtrip claude claude/$f.json approve_session 'echo hello > out.txt' '"updatedPermissions":[{"type":"addRules","rules":[{"toolName":"Bash","ruleContent":"echo hello > out.txt"}],"behavior":"allow","destination":"session"}]'
	roundtrip claude claude/$f.json deny 'echo hello > out.txt' '"decision":{"behavior":"deny","message":"agate: denied by a human reviewer'
	roundtrip claude claude/$f.json abort 'echo hello > out.txt' '"interrupt":true'
	roundtrip claude claude/$f.json defer 'echo hello > out.txt' EMPTY
done
roundtrip claude claude/permissionrequest-write.json approve_session '"kind":"patch"' "$CLAUDE_ALLOW"
ok "claude PermissionRequest: allow, session rule, deny, abort, defer"

# Codex PermissionRequest: where Codex approvals happen.
CODEX_ALLOW=$(compact "$FIX/codex/outputs/permissionrequest-allow.json")
for f in permissionrequest-exec permissionrequest-exec-tui; do
	roundtrip codex codex/$f.json approve '"command":"echo hello > out.txt"' "$CODEX_ALLOW"
	roundtrip codex codex/$f.json approve_session 'echo hello > out.txt' "$CODEX_ALLOW"
	roundtrip codex codex/$f.json deny 'echo hello > out.txt' '{"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"deny","message":"agate: denied'
	roundtrip codex codex/$f.json defer 'echo hello > out.txt' EMPTY
done
roundtrip codex codex/permissionrequest-exec-after-pretooluse-rewrite.json approve 'echo rewritten > out.txt' "$CODEX_ALLOW"
roundtrip codex codex/permissionrequest-apply_patch.json deny '+hello from apply_patch' '"behavior":"deny"'
grep -qF '"abort"' "$T/rt$n" && fail "codex answer carries interrupt"
roundtrip codex codex/permissionrequest-apply_patch.json abort '"kind":"patch"' '"behavior":"deny"'
grep -qF 'interrupt' "$T/rt$n" && fail "codex abort carries interrupt (Codex drops such a verdict)"
ok "codex PermissionRequest: allow, session, deny, abort (no interrupt), defer"

# Codex PreToolUse is a quick guard: nothing waits for a human, a harmless
# command gets no output (Codex cannot be told allow there) and leaves
# nothing pending.
for f in pretooluse-exec pretooluse-exec-approval-never pretooluse-apply_patch; do
	out="$T/guard-$f"
	compact "$FIX/codex/$f.json" | agate hook codex >"$out" 2>"$out.err" || fail "guard exit"
	expect_empty "$out"
done
[ "$(pending_count)" = 0 ] || fail "guard checks left requests pending"
ok "codex PreToolUse: guard only, no output, nothing left pending"

# approve_session is remembered by the hub: the same command in the same
# session is approved at once, without anyone deciding.
hook_bg codex "$FIX/codex/permissionrequest-exec.json" "$T/first"
agate decide "$(pending_for 'echo hello > out.txt')" approve_session >/dev/null || fail decide
hook_wait "$T/first"
hook_bg codex "$FIX/codex/permissionrequest-exec.json" "$T/again" --deadline 10s
hook_wait "$T/again"
grep -qF "$CODEX_ALLOW" "$T/again" || fail "session grant not applied: $(cat "$T/again")"
ok "approve_session: the next identical request is approved by the session grant"
echo "$n round trips"

# The hub dies while the hook waits: the hook starts a new one, sends the
# same id again, and takes the decision made there (nothing lost).
hook_bg claude "$FIX/claude/pretooluse-bash-tui.json" "$T/restart"
id=$(pending_for 11fb58dc-bd38-449f-83b2-cd33db0e0fac)
kill -9 "$(hub_pid)"
wait_for is_state "$id" pending || fail "request lost with the hub"
wait_for agate status || fail "no new hub"
sleep 0.5
agate decide "$id" approve >/dev/null || fail "decide after restart"
hook_wait "$T/restart"
expect_out "$T/restart" '"permissionDecision":"allow"'
ok "hub killed while the hook waits: a new hub, the same request, its decision"
