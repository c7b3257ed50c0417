# Shared setup for the shell end-to-end tests: a private bus and journal in
# a temporary directory, the binary under test, and cleanup of every hub
# this test started, whatever happens.
set -u
: "${AGATE_BIN:?run through make check (AGATE_BIN unset)}"
: "${AGATE_BUILDDIR:=$(dirname "$AGATE_BIN")}"
: "${AGATE_SRCDIR:=$AGATE_BUILDDIR}"
T=$(mktemp -d "${TMPDIR:-/tmp}/agate-test.XXXXXX")
export AGATE_BUS="$T/bus"
export AGATE_JOURNAL="$T/journal.db"
export AGATE_CONFIG="$T/config"
export XDG_CONFIG_HOME="$T/xdg-config"
export XDG_STATE_HOME="$T/xdg-state"
: > "$AGATE_CONFIG"
agate() { "$AGATE_BIN" "$@"; }

hub_pid() { cat "$AGATE_BUS/hub.pid" 2>/dev/null; }
# Every process this test started (publishers, consoles, hubs they spawned)
# inherited our private AGATE_BUS; kill those, except this shell.
kill_ours() {
	local f pid found=1
	for f in /proc/[0-9]*/environ; do
		pid=${f#/proc/}
		pid=${pid%/environ}
		[ "$pid" = $$ ] && continue
		if grep -qzx "AGATE_BUS=$AGATE_BUS" "$f" 2>/dev/null; then
			kill "$pid" 2>/dev/null
			found=0
		fi
	done
	return $found
}
cleanup() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		kill_ours || break
		sleep 0.2
	done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# wait_for CMD...: retries for up to 20 s.
wait_for() {
	local i
	for i in $(seq 1 200); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

start_hub() {
	"$AGATE_BIN" hub >"$T/hub.log" 2>&1 &
	wait_for test -p "$AGATE_BUS/hub.fifo" || fail "hub did not start: $(cat "$T/hub.log")"
	wait_for agate status || fail "hub does not answer status"
}

pending_count() {
	agate status --json 2>/dev/null | sed -n 's/.*"pending":\([0-9]*\).*/\1/p'
}

# pending_id TEXT: prints the id of a pending request whose JSON contains
# TEXT; fails when there is none (so it works with wait_for).
pending_id() {
	"$AGATE_BIN" log --pending --json | grep -F -- "$1" | grep -F '"state":"pending"' |
		sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | head -1 | grep .
}
# is_state ID STATE: the journal holds request ID in STATE.
is_state() {
	"$AGATE_BIN" log --pending --json --id "$1" | grep -qF "\"state\":\"$2\""
}
pending_is() { [ "$(pending_count)" = "$1" ]; }
lines_at_least() { [ "$(wc -l < "$1")" -ge "$2" ]; }
