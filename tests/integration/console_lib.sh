# Shared setup for the console's end-to-end tests: the real console in a
# detached tmux server of its own (a private socket in the test's temporary
# directory), with TERM, the locale, the size and the clock pinned, on a
# private bus and journal (lib.sh). Skips (77) when tmux is missing; kills
# its tmux server whatever happens.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null 2>&1 || { echo "SKIP: tmux is not installed"; exit 77; }
locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' || { echo "SKIP: no C.UTF-8 locale"; exit 77; }

unset TMUX TMUX_PANE
PUBLISHERS=""
export AGATE_FAKE_NOW_MS=1790000000000
TMUX_SOCK="$T/tmux.sock"
tm() { tmux -S "$TMUX_SOCK" -f /dev/null "$@"; }
console_cleanup() {
	# Publishers first: a waiting one would restart the hub cleanup stops.
	[ -n "$PUBLISHERS" ] && kill $PUBLISHERS 2>/dev/null
	tm kill-server 2>/dev/null
	# The console reconnects (and restarts a hub) when the hub goes:
	# let it see its SIGHUP first, so cleanup's hub stays dead.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		pgrep -f -- "console --bus $AGATE_BUS" >/dev/null || break
		sleep 0.2
	done
	cleanup
}
trap console_cleanup EXIT

# start_console COLS ROWS [ENV=VALUE...] [-- CONSOLE ARGS...]: runs the
# console as the only pane of a detached session, logging everything it
# writes to the terminal in $T/pty.log.
start_console() {
	local cols=$1 rows=$2 envs="" args=""
	shift 2
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs="$envs $1"
		shift
	done
	[ $# -gt 0 ] && shift
	args="$*"
	cat >"$T/run-console" <<EOF
#!/bin/sh
exec env TERM=xterm-256color LC_ALL=C.UTF-8 AGATE_BUS='$AGATE_BUS' \
	AGATE_JOURNAL='$AGATE_JOURNAL' AGATE_CONFIG='$AGATE_CONFIG' \
	XDG_CONFIG_HOME='$XDG_CONFIG_HOME' XDG_STATE_HOME='$XDG_STATE_HOME' \
	AGATE_FAKE_NOW_MS='$AGATE_FAKE_NOW_MS' AGATE_THEME_DIR='$AGATE_SRCDIR/themes' \
	$envs '$AGATE_BIN' console --bus '$AGATE_BUS' $args 2>'$T/console.err'
EOF
	chmod +x "$T/run-console"
	tm new-session -d -x "$cols" -y "$rows" -s agate "$T/run-console" ||
		fail "cannot start tmux"
	tm pipe-pane -o -t agate 'cat >>'"$T/pty.log"
	wait_screen "pending" || fail "the console did not start: $(cat "$T/console.err")"
}

screen() { tm capture-pane -p -t agate; }
# The screen with its attributes and colours as escape sequences.
screen_e() { tm capture-pane -p -e -t agate; }
on_screen() { screen | grep -qF -- "$1"; }
wait_screen() { wait_for on_screen "$1"; }
not_on_screen() { ! on_screen "$1"; }
keys() { tm send-keys -t agate "$@"; }
# The line the selection marker is on.
selected_line() { screen | grep '^>' | head -1; }
# resize COLS ROWS, then wait for the console to redraw at that size (tmux
# delivers SIGWINCH a little later than it answers): the status line ends
# in "?" (its help hint) at the last column but one.
status_width_is() {
	local last
	last=$(screen | tail -1 | sed 's/ *$//')
	[ "$(printf '%s' "$last" | LC_ALL=C.UTF-8 wc -m)" -eq "$1" ]
}
resize() {
	tm resize-window -t agate -x "$1" -y "$2"
	wait_for status_width_is $(($1 - 1)) || { dump; fail "no redraw at $1x$2"; }
}
dump() { echo "--- screen ($(tm display -p -t agate "window #{window_width}x#{window_height} pane #{pane_width}x#{pane_height}")):"; screen; echo "--- console.err:"; cat "$T/console.err"; }

# ask_bg ID OUTFILE ARGS...: a publisher waiting for a decision. The
# binary itself is the background job (not a shell function), so $LAST is
# its pid and cleanup can end it.
ask_bg() {
	local id=$1 out=$2
	shift 2
	"$AGATE_BIN" ask --id "$id" "$@" >"$out" 2>"$out.err" &
	LAST=$!
	PUBLISHERS="$PUBLISHERS $LAST"
}
