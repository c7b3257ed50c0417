#!/bin/sh
# The first five minutes of a newcomer: `agate tmux` outside tmux says so;
# inside, it opens the console in a side pane of the width asked for; and
# `agate demo` feeds it a session whose requests are decided from the
# console until the demo reports that all were decided.
. "$(dirname "$0")/console_lib.sh"

# 1. Outside tmux: a clear error, exit 1.
env -u TMUX "$AGATE_BIN" tmux >"$T/out" 2>&1 && fail "agate tmux succeeded outside tmux"
grep -q "not inside tmux" "$T/out" || fail "agate tmux outside tmux said: $(cat "$T/out")"
ok "agate tmux outside tmux: a clear error"

# 2. Inside tmux: a shell pane runs `agate tmux`, which splits the window.
cat >"$T/run-shell" <<EOF
#!/bin/sh
export TERM=xterm-256color LC_ALL=C.UTF-8 AGATE_BUS='$AGATE_BUS' AGATE_JOURNAL='$AGATE_JOURNAL'
export AGATE_CONFIG='$AGATE_CONFIG' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' XDG_STATE_HOME='$XDG_STATE_HOME'
export AGATE_FAKE_NOW_MS='$AGATE_FAKE_NOW_MS' PS1='$ '
exec sh
EOF
chmod +x "$T/run-shell"
tm new-session -d -x 140 -y 35 -s agate "$T/run-shell" || fail "cannot start tmux"
tm send-keys -t agate "'$AGATE_BIN' tmux --width 60 >'$T/tmux.out' 2>&1" Enter
wait_for sh -c "[ \$(tmux -S '$TMUX_SOCK' list-panes -t agate | wc -l) -eq 2 ]" ||
	fail "agate tmux did not split the window: $(cat "$T/tmux.out")"
wait_screen "pending" || { dump; fail "the side pane does not run the console"; }
width=$(tm display -p -t agate '#{pane_width}')
[ "$width" -eq 60 ] || fail "side pane is $width columns wide, asked for 60"
ok "agate tmux opens the console in a 60-column side pane"

# 3. agate demo in the other pane: eight requests appear in the console.
"$AGATE_BIN" demo --delay 100 >"$T/demo.out" 2>&1 &
DEMO=$!
PUBLISHERS=$DEMO
wait_screen "8 pending" || { dump; fail "the demo's requests did not all appear: $(cat "$T/demo.out")"; }
for what in "sed -n 1,80p" "make -j8" "rm -rf ~/" "aws/credentials" "mcp github/delete_repo" \
	"api.github.com" "patch"; do
	on_screen "$what" || { dump; fail "demo request '$what' not listed"; }
done
ok "agate demo publishes its eight requests; the console lists them"

# 4. Decide them all from the console (x aborts: no confirmation needed).
keys '<'
for n in 7 6 5 4 3 2 1 0; do
	keys x
	wait_screen "$n pending" || { dump; fail "x did not decide one (expected $n left)"; }
done
wait $DEMO; rc=$?
[ $rc -eq 0 ] || fail "demo exited $rc: $(cat "$T/demo.out")"
grep -q "all 8 requests decided" "$T/demo.out" || fail "demo said: $(cat "$T/demo.out")"
[ "$(grep -c 'decided  abort' "$T/demo.out")" -eq 8 ] || fail "demo did not print 8 aborts"
ok "every demo request decided in the console; the demo reports them and exits 0"
