#!/bin/sh
# agate init writes the hook configuration of each agent, merged into what
# is there and idempotent; for Codex with the trust entries Codex needs,
# checked here against the README's recipe computed by sha256sum; agate
# doctor reports trusted / modified / untrusted as Codex's hooks/list does.
. "$(dirname "$0")/hooks_lib.sh"

export HOME="$T/home"
export CLAUDE_CONFIG_DIR="$HOME/.claude" CODEX_HOME="$HOME/.codex"
mkdir -p "$CLAUDE_CONFIG_DIR" "$CODEX_HOME" "$T/proj"
HOOK="$(realpath "$AGATE_BIN")"
# init prefers the small agate-hook beside agate.
if [ -x "$(dirname "$HOOK")/agate-hook" ]; then
	CMD_CLAUDE="$(dirname "$HOOK")/agate-hook claude"
	CMD_CODEX="$(dirname "$HOOK")/agate-hook codex"
else
	CMD_CLAUDE="$HOOK hook claude"
	CMD_CODEX="$HOOK hook codex"
fi

# --- Claude -----------------------------------------------------------------
cat >"$CLAUDE_CONFIG_DIR/settings.json" <<'JSON'
{
  "model": "opus",
  "permissions": { "allow": ["Bash(ls)"] },
  "hooks": { "Stop": [ { "hooks": [ { "type": "command", "command": "notify-send done" } ] } ] }
}
JSON
cp "$CLAUDE_CONFIG_DIR/settings.json" "$T/claude.orig"
agate init claude --dry-run >"$T/dry" || fail "init --dry-run"
cmp -s "$CLAUDE_CONFIG_DIR/settings.json" "$T/claude.orig" || fail "--dry-run wrote the file"
grep -qF "+      \"PreToolUse\": [" "$T/dry" || grep -qF '"PreToolUse"' "$T/dry" || fail "dry run shows no change"
grep -q '^--- ' "$T/dry" || fail "dry run is not a diff: $(cat "$T/dry")"
agate init claude >"$T/init1" || fail "init claude"
S="$CLAUDE_CONFIG_DIR/settings.json"
for want in '"model": "opus"' '"Bash(ls)"' '"notify-send done"' '"PreToolUse"' '"PermissionRequest"' \
	"\"command\": \"$CMD_CLAUDE\"" '"timeout": 600' '"matcher": "*"'; do
	grep -qF -- "$want" "$S" || fail "settings.json lacks $want: $(cat "$S")"
done
cp "$S" "$T/claude.once"
agate init claude >"$T/init2" || fail "init claude again"
cmp -s "$S" "$T/claude.once" || fail "second init changed settings.json"
grep -q unchanged "$T/init2" || fail "second init did not say unchanged"
agate init claude --project "$T/proj" >/dev/null || fail "init --project"
grep -qF "$CMD_CLAUDE" "$T/proj/.claude/settings.local.json" || fail "project settings"
# A shorter timeout gets a deadline below it.
agate init claude --project "$T/proj" --timeout 60 >/dev/null || fail "init --timeout"
grep -qF "$CMD_CLAUDE --deadline 45s" "$T/proj/.claude/settings.local.json" ||
	fail "no deadline below the timeout"
# What we cannot read, we do not overwrite.
echo '{ "broken": ' >"$T/proj/.claude/settings.local.json"
agate init claude --project "$T/proj" 2>"$T/err" && fail "init accepted broken JSON"
grep -q "not valid JSON" "$T/err" || fail "no reason for refusing broken JSON"
grep -qF '"broken"' "$T/proj/.claude/settings.local.json" || fail "broken file overwritten"
rm "$T/proj/.claude/settings.local.json"
ok "init claude: merged, idempotent, --dry-run, --project, --timeout, refuses broken JSON"

# --- Codex ------------------------------------------------------------------
printf 'model = "gpt-5"\n\n[profiles.fast]\nmodel = "o4-mini"\n' >"$CODEX_HOME/config.toml"
agate init codex >"$T/cx1" || fail "init codex: $(cat "$T/cx1")"
grep -qF "\"command\": \"$CMD_CODEX\"" "$CODEX_HOME/hooks.json" || fail "hooks.json"
grep -q '"matcher"' "$CODEX_HOME/hooks.json" && fail "codex hooks got a matcher"
C="$CODEX_HOME/config.toml"
grep -qF '[profiles.fast]' "$C" && grep -qF 'model = "o4-mini"' "$C" || fail "config.toml lost content"
# The README's recipe, computed here without agate's code.
for label in pre_tool_use permission_request; do
	json=$(printf '{"event_name":"%s","hooks":[{"async":false,"command":"%s","timeout":600,"type":"command"}]}' \
		"$label" "$CMD_CODEX")
	hash=$(printf '%s' "$json" | sha256sum | cut -d' ' -f1)
	key="$CODEX_HOME/hooks.json:$label:0:0"
	grep -qxF "[hooks.state.\"$key\"]" "$C" || fail "no trust table for $key: $(cat "$C")"
	grep -qxF "trusted_hash = \"sha256:$hash\"" "$C" || fail "wrong or missing hash for $label"
done
cp "$C" "$T/toml.once"
cp "$CODEX_HOME/hooks.json" "$T/hooks.once"
agate init codex >/dev/null || fail "init codex again"
cmp -s "$C" "$T/toml.once" && cmp -s "$CODEX_HOME/hooks.json" "$T/hooks.once" ||
	fail "second init codex changed something"
ok "init codex: hooks.json, trust hashes per the recipe, config.toml kept, idempotent"

# --- doctor -----------------------------------------------------------------
agate doctor --project "$T/proj" >"$T/doc1" || fail "doctor: $(cat "$T/doc1")"
grep -q "pre_tool_use:0:0 .*: trusted" "$T/doc1" || fail "doctor: $(cat "$T/doc1")"
grep -q "permission_request:0:0 .*: trusted" "$T/doc1" || fail "doctor: $(cat "$T/doc1")"
grep -q "all good" "$T/doc1" || fail "doctor not happy: $(cat "$T/doc1")"
# Changed by hand: Codex would skip it as modified.
sed -i 's/"timeout": 600/"timeout": 601/' "$CODEX_HOME/hooks.json"
agate doctor >"$T/doc2" && fail "doctor accepted a modified hook"
grep -q ": modified" "$T/doc2" || fail "doctor: $(cat "$T/doc2")"
# No trust at all.
cp "$T/hooks.once" "$CODEX_HOME/hooks.json"
: >"$C"
agate doctor >"$T/doc3" && fail "doctor accepted an untrusted hook"
grep -q ": untrusted" "$T/doc3" || fail "doctor: $(cat "$T/doc3")"
agate init codex >/dev/null && agate doctor >/dev/null || fail "init did not repair trust"
ok "doctor: trusted / modified / untrusted, repaired by init"
