#!/bin/sh
# make check-agents: the real Claude Code and Codex, installed from the npm
# registry into a temporary folder, driven by a scripted model on 127.0.0.1
# (mock_model.js) that asks for one shell command, with agate's hook
# installed by `agate init`. Shows, for each client:
#   - an approval in agate lets the command run;
#   - a denial stops it and the model receives the reason;
#   - a hub that cannot start yields a deny, not a run.
# Skips (exit 77, with the reason) when npm or the registry is not there.
# Versions: those the fixtures were captured with, unless overridden.
. "$(dirname "$0")/../lib.sh"

CODEX_VERSION=${AGATE_CODEX_VERSION:-0.169.0}
CLAUDE_VERSION=${AGATE_CLAUDE_VERSION:-2.1.197}
HERE=$(cd "$(dirname "$0")" && pwd)
skip() { echo "SKIP: check-agents: $*"; exit 77; }

command -v node >/dev/null 2>&1 || skip "node is not installed"
command -v npm >/dev/null 2>&1 || skip "npm is not installed"
command -v git >/dev/null 2>&1 || skip "git is not installed"
timeout 60 npm view "@openai/codex@$CODEX_VERSION" version >/dev/null 2>&1 ||
	skip "the npm registry does not answer (npm view @openai/codex)"

NPM="$T/npm"
mkdir -p "$NPM"
echo "installing @openai/codex@$CODEX_VERSION @anthropic-ai/claude-code@$CLAUDE_VERSION into $NPM"
timeout 600 npm install --no-audit --no-fund --loglevel=error --prefix "$NPM" \
	"@openai/codex@$CODEX_VERSION" "@anthropic-ai/claude-code@$CLAUDE_VERSION" >"$T/npm.log" 2>&1 ||
	skip "npm install failed: $(tail -3 "$T/npm.log")"
CODEX="$NPM/node_modules/.bin/codex"
CLAUDE="$NPM/node_modules/.bin/claude"
"$CODEX" --version >/dev/null 2>&1 || fail "codex does not run"
"$CLAUDE" --version >/dev/null 2>&1 || fail "claude does not run"

CMD='echo hello > out.txt'
MODEL_PID=
stop_model() {
	[ -n "$MODEL_PID" ] && kill "$MODEL_PID" 2>/dev/null && wait "$MODEL_PID" 2>/dev/null
	MODEL_PID=
}
# The model servers are ours to stop, whatever happens (lib.sh's cleanup
# handles hubs and the temporary folder).
trap 'stop_model; cleanup' EXIT

# setup NAME: a fresh project, agent homes and model server for one run.
setup() {
	R="$T/$1"
	mkdir -p "$R/log" "$R/proj" "$R/home/.claude" "$R/home/.codex"
	git -C "$R/proj" init -q
	stop_model
	node "$HERE/mock_model.js" "$R/port" "$R/log" "$CMD" >"$R/model.out" 2>"$R/model.err" &
	MODEL_PID=$!
	wait_for test -s "$R/port" || fail "the mock model did not start: $(cat "$R/model.err")"
	PORT=$(cat "$R/port")
}

# decider DECISION REASON: decides the first request that reaches the bus.
decider() {
	(
		for i in $(seq 1 600); do
			id=$(pending_id 'out.txt' 2>/dev/null) && {
				agate decide --reason "$2" "$id" "$1" >/dev/null
				exit 0
			}
			sleep 0.1
		done
	) >/dev/null 2>&1 &
}

# model_saw TEXT: some request to the model carried TEXT (a tool result).
model_saw() { grep -rqF -- "$1" "$R/log"; }

# --- Claude Code: claude -p, PreToolUse is the path ---------------------------
claude_run() { # NAME DECISION REASON [ENV...]
	local name=$1 decision=$2 reason=$3
	shift 3
	setup "claude-$name"
	HOME="$R/home" CLAUDE_CONFIG_DIR="$R/home/.claude" agate init claude --project "$R/proj" \
		>/dev/null || fail "agate init claude"
	[ "$decision" = none ] || decider "$decision" "$reason"
	(cd "$R/proj" && env HOME="$R/home" CLAUDE_CONFIG_DIR="$R/home/.claude" \
		ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" ANTHROPIC_API_KEY=sk-agate-test \
		CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 "$@" \
		timeout 300 "$CLAUDE" -p "run the command" --output-format json \
		>"$R/out" 2>"$R/err") || fail "claude $name: exit $?: $(tail -3 "$R/err")"
}

claude_run approve approve "fine"
[ -f "$R/proj/out.txt" ] || fail "claude: approved in agate, but the command did not run: $(cat "$R/out")"
ok "claude -p: approved in agate -> the command ran"

claude_run deny deny "writes outside the plan"
[ -f "$R/proj/out.txt" ] && fail "claude: denied in agate, but the command ran"
model_saw "agate: denied by a human reviewer: writes outside the plan" ||
	fail "claude: the model did not receive the reason"
ok "claude -p: denied in agate -> not run, the model got the reason"

claude_run nohub none "" AGATE_BUS="$T/not-a-dir/bus"
[ -f "$R/proj/out.txt" ] && fail "claude: no hub, but the command ran"
model_saw "failed closed" || fail "claude: no hub, and the model was not told why"
ok "claude -p: hub cannot start -> deny, not a run"

# --- Codex: exec --approve-for-me, PermissionRequest is the path -----------------
codex_run() { # NAME DECISION REASON [ENV...]
	local name=$1 decision=$2 reason=$3
	shift 3
	setup "codex-$name"
	cat >"$R/home/.codex/config.toml" <<TOML
model = "gpt-5.5"
model_provider = "mock"
approval_policy = "on-request"
sandbox_mode = "workspace-write"

[model_providers.mock]
name = "mock"
base_url = "http://127.0.0.1:$PORT/v1"
env_key = "PROVIDER_API_KEY"
wire_api = "responses"
TOML
	HOME="$R/home" CODEX_HOME="$R/home/.codex" agate init codex >/dev/null ||
		fail "agate init codex"
	HOME="$R/home" CODEX_HOME="$R/home/.codex" agate doctor >"$R/doctor" ||
		fail "agate doctor after init codex: $(cat "$R/doctor")"
	[ "$decision" = none ] || decider "$decision" "$reason"
	(cd "$R/proj" && env HOME="$R/home" CODEX_HOME="$R/home/.codex" PROVIDER_API_KEY=sk-agate-test \
		"$@" timeout 300 "$CODEX" exec --approve-for-me --skip-git-repo-check "run the command" \
		>"$R/out" 2>"$R/err") || fail "codex $name: exit $?: $(tail -3 "$R/err")"
	grep -q "hook: PreToolUse" "$R/err" || fail "codex $name: the hook did not run (trust?)"
}

codex_run approve approve "fine"
[ -f "$R/proj/out.txt" ] || fail "codex: approved in agate, but the command did not run: $(tail "$R/err")"
grep -q "hook: PermissionRequest Completed" "$R/err" || fail "codex: no PermissionRequest"
ok "codex exec --approve-for-me: approved in agate -> the command ran"

codex_run deny deny "writes outside the plan"
[ -f "$R/proj/out.txt" ] && fail "codex: denied in agate, but the command ran"
model_saw "agate: denied by a human reviewer: writes outside the plan" ||
	fail "codex: the model did not receive the reason"
ok "codex exec --approve-for-me: denied in agate -> not run, the model got the reason"

codex_run nohub none "" AGATE_BUS="$T/not-a-dir/bus"
[ -f "$R/proj/out.txt" ] && fail "codex: no hub, but the command ran"
model_saw "failed closed" || fail "codex: no hub, and the model was not told why"
ok "codex exec --approve-for-me: hub cannot start -> deny, not a run"
stop_model
echo "6 passed, 0 failed"
