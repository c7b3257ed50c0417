# Shared by the hooks_*.sh tests: feed a captured payload to `agate hook`
# exactly as the clients do (one compact line, no trailing newline, then
# EOF), decide it from the outside like a console would, read the answer.
. "$(dirname "$0")/lib.sh"
FIX="$AGATE_SRCDIR/tests/fixtures/hooks"
[ -d "$FIX" ] || fail "no fixtures at $FIX"

# compact FILE: the fixture as the client sends it (the stdin fixtures are
# pretty-printed; their strings hold no newlines or runs of blanks).
compact() {
	tr -d '\n' <"$1" | sed -e 's/^ *//' -e 's/": /":/g' -e 's/,  */,/g' -e 's/{  */{/g' \
		-e 's/  *}/}/g' -e 's/\[  */[/g' -e 's/  *\]/]/g'
}

# hook_bg CLIENT FILE OUT [ARGS...]: runs the hook in the background on a
# fixture, compacted as the client sends it.
hook_bg() {
	local client=$1 file=$2 out=$3
	shift 3
	compact "$file" >"$out.in"
	hook_bg_raw "$client" "$out.in" "$out" "$@"
}
# hook_bg_raw CLIENT INFILE OUT [ARGS...]: the same on a payload as it is.
hook_bg_raw() {
	local client=$1 in=$2 out=$3
	shift 3
	agate hook "$client" "$@" <"$in" >"$out" 2>"$out.err" &
	HOOK_PID=$!
}

# hook_wait: waits for the last hook, fails on a non-zero exit.
hook_wait() {
	wait "$HOOK_PID"
	local rc=$?
	[ $rc -eq 0 ] || fail "agate hook exited $rc: $(cat "$1.err")"
}

# pending_for TEXT: the id of the pending request whose JSON holds TEXT.
pending_for() {
	local id
	wait_for pending_id "$1" || fail "no pending request with $1"
	pending_id "$1"
}

# expect_out OUT STRING: the answer contains STRING (compact JSON).
expect_out() {
	grep -qF -- "$2" "$1" || fail "answer $(cat "$1") lacks $2"
}
expect_empty() {
	[ ! -s "$1" ] || fail "expected no output, got $(cat "$1")"
}
