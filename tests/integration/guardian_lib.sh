# Shared setup for the Guardian's end-to-end tests (sourced after lib.sh):
# the fake model server, the reviewer, and a stand-in console, each started
# in the background and stopped by its pid.
FAKE_MODEL="${AGATE_FAKE_MODEL:-$AGATE_BUILDDIR/tests/fake_model/fake_model}"
GUARDIAN_CONSOLE="${AGATE_GUARDIAN_CONSOLE:-$AGATE_BUILDDIR/tests/integration/guardian_console}"
[ -x "$FAKE_MODEL" ] || fail "no fake model server at $FAKE_MODEL"

# start_model ARGS...: FM_PID, FM_URL (the /v1 base), $T/model.jsonl records.
start_model() {
	: > "$T/model.port"
	"$FAKE_MODEL" --record "$T/model.jsonl" "$@" >"$T/model.port" 2>"$T/model.err" &
	FM_PID=$!
	wait_for test -s "$T/model.port" || fail "the fake model did not start: $(cat "$T/model.err")"
	FM_URL="http://127.0.0.1:$(cat "$T/model.port")/v1"
}
stop_model() { kill "$FM_PID" 2>/dev/null; wait "$FM_PID" 2>/dev/null; }
model_calls() { if [ -f "$T/model.jsonl" ]; then wc -l < "$T/model.jsonl"; else echo 0; fi; }

# start_review ARGS...: REVIEW_PID; stdout in $T/review.out, stderr in $T/review.err.
start_review() {
	"$AGATE_BIN" review "$@" >"$T/review.out" 2>"$T/review.err" &
	REVIEW_PID=$!
	wait_for grep -q "mode on bus" "$T/review.err" || fail "agate review did not start: $(cat "$T/review.err")"
	# It plans nothing until the hub has said who is attached.
	sleep 0.3
}
stop_review() { kill "$REVIEW_PID" 2>/dev/null; wait "$REVIEW_PID"; }

# start_console ARGS...: a subscriber named "console", as a human's would be.
start_console() {
	: > "$T/console.ready"
	"$GUARDIAN_CONSOLE" --record "$T/console.jsonl" "$@" >"$T/console.ready" 2>&1 &
	CONSOLE_PID=$!
	wait_for grep -q ready "$T/console.ready" || fail "console stand-in: $(cat "$T/console.ready")"
	sleep 2.5 # the reviewer asks the hub who is attached every 2 s
}
stop_console() { kill "$CONSOLE_PID" 2>/dev/null; wait "$CONSOLE_PID" 2>/dev/null; }

# A verdict step for the fake model.
verdict() { # LEVEL AUTH OUTCOME [RATIONALE]
	printf '{"verdict":{"risk_level":"%s","user_authorization":"%s","outcome":"%s","rationale":"%s","categories":[]}}' \
		"$1" "$2" "$3" "${4:-scripted}"
}
# line_for ID: the headless log line of request ID.
line_for() { grep -F "\"id\":\"$1\"" "$T/review.out"; }

# Stop what this file started (by pid), then the common cleanup.
guardian_cleanup() {
	[ -n "${CONSOLE_PID:-}" ] && kill "$CONSOLE_PID" 2>/dev/null
	[ -n "${REVIEW_PID:-}" ] && kill "$REVIEW_PID" 2>/dev/null
	[ -n "${FM_PID:-}" ] && kill "$FM_PID" 2>/dev/null
	cleanup
}
trap guardian_cleanup EXIT

# has_reviews ID N: the stand-in console received at least N reviews of ID
# (a function, so wait_for re-counts on every try).
has_reviews() {
	[ "$(grep -c "\"event\":\"review\",\"id\":\"$1\"" "$T/console.jsonl" 2>/dev/null)" -ge "$2" ]
}
