# Shared by the journal-tool tests (replay_*.sh), sourced after lib.sh:
# building a journal the way users do, through a real hub.

# ask_bg ID SESSION ARGS...: agate ask in the background; LAST is its pid,
# its answer goes to $T/ID.
ask_bg() {
	local id=$1 session=$2
	shift 2
	"$AGATE_BIN" ask --id "$id" --session "$session" "$@" >"$T/$id" 2>"$T/$id.err" &
	LAST=$!
}

# decided ID SESSION DECISION ARGS...: asks, waits until the hub holds the
# request, decides it as a human, and waits for the publisher's answer.
decided() {
	local id=$1 session=$2 decision=$3
	shift 3
	ask_bg "$id" "$session" "$@"
	wait_for is_state "$id" pending || fail "$id never became pending: $(cat "$T/$id.err")"
	agate decide --reason "recorded $decision of $id" "$id" "$decision" || fail "decide $id"
	wait $LAST
}

# summary_field JSON-LINE KEY: a number from replay's summary line.
summary_field() {
	printf '%s\n' "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}
