#!/bin/sh
# The mouse, end to end: tmux cannot synthesize a click into a detached
# pane (send-keys -M only forwards a real client's mouse event), so the
# test writes what a terminal writes — SGR mouse reports (ESC [ < b;x;y M
# for a press, m for a release; b 0 is the left button, 64/65 the wheel),
# which the console's TERM (xterm-256color: kmous=\E[<, XM turns on mode
# 1006) tells ncurses to read — as raw bytes with send-keys -H. Asserts
# that clicking the third list row selects that request (the detail pane
# shows it) and that the wheel over the detail scrolls it.
. "$(dirname "$0")/console_lib.sh"

# sgr BUTTON X Y M|m: one report; X and Y are 1-based screen cells.
sgr() {
	local hex=""
	for c in $(printf '\033[<%s;%s;%s%s' "$1" "$2" "$3" "$4" | od -An -tx1); do
		hex="$hex $c"
	done
	keys -H $hex
}
# The 1-based screen row holding TEXT.
row_of() { screen | grep -nF -- "$1" | head -1 | cut -d: -f1; }
# The detail's position, from its title (" 1/130 ": first line of 130).
detail_pos() { screen | head -1 | grep -o ' [0-9]*/[0-9]* *$' | tr -d ' '; }

start_console 100 30
ask_bg m1 "$T/m1" --session s-one --agent claude-code --exec "make -j8"
wait_screen "make -j8" || { dump; fail "m1 never appeared"; }
ask_bg m2 "$T/m2" --session s-two --agent codex --exec "cargo test"
wait_screen "cargo test" || { dump; fail "m2 never appeared"; }
# The third: a patch longer than the pane, for the wheel, and than a
# paint indexes (16 KB at a time).
{
	printf 'diff --git a/notes.txt b/notes.txt\n--- a/notes.txt\n+++ b/notes.txt\n'
	printf '@@ -0,0 +1,2000 @@\n'
	seq 1 2000 | sed 's/^/+note number /'
} >"$T/p.diff"
ask_bg m3 "$T/m3" --session s-three --agent claude-code --patch "$T/p.diff"
wait_screen "3 pending" || { dump; fail "m3 never appeared"; }
selected_line | grep -q "make -j8" || { dump; fail "the first request is not selected at start"; }
on_screen "note number" && { dump; fail "the patch shows before it is selected"; }

# 1. Click (press, release) on the third row of the list.
y=$(row_of "patch 1 file")
[ -n "$y" ] || { dump; fail "no list row for the patch"; }
sgr 0 10 "$y" M
sgr 0 10 "$y" m
wait_for sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t agate | grep '^>' | grep -q 'patch 1 file'" ||
	{ dump; fail "clicking the third row did not select it"; }
wait_screen "note number 1" || { dump; fail "the detail does not show the clicked request"; }
screen | head -1 | grep -q "patch · claude-code · s-three" ||
	{ dump; fail "the detail title is not the clicked request's"; }
ok "a click on the third list row selects that request and the detail shows it"
# A paint indexes only the diff lines it shows; the rest, and the totals,
# follow before any key.
wait_screen "1 file, +2000 -0, 0 lines flagged" ||
	{ dump; fail "the patch's totals never showed (its index was left unfinished)"; }

# 2. The wheel over the detail scrolls it, down then up.
before=$(detail_pos)
case "$before" in 1/*) ;; *) dump; fail "the detail does not start at its top: '$before'" ;; esac
ny=$(row_of "note number 1")
sgr 65 60 15 M
wait_for sh -c "! tmux -S '$TMUX_SOCK' capture-pane -p -t agate | head -1 | grep -q ' 1/[0-9]* *\$'" ||
	{ dump; fail "the wheel did not scroll the detail"; }
after=$(detail_pos)
[ "$(row_of "note number 1")" != "$ny" ] || { dump; fail "the diff did not move with the wheel"; }
selected_line | grep -q "patch 1 file" || { dump; fail "the wheel over the detail moved the selection"; }
sgr 64 60 15 M
wait_for sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t agate | head -1 | grep -q ' 1/[0-9]* *\$'" ||
	{ dump; fail "the wheel up did not scroll back to the top"; }
ok "the wheel scrolls the detail ($before -> $after -> back), the selection stays"

# 3. The wheel over the list moves the selection.
sgr 64 10 3 M
wait_for sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t agate | grep '^>' | grep -q 'make -j8'" ||
	{ dump; fail "the wheel over the list did not move the selection up"; }
ok "the wheel over the list moves the selection"

# 4. --no-mouse leaves the mouse to the terminal: a click selects nothing.
keys q
wait_for sh -c "! tmux -S '$TMUX_SOCK' has-session -t agate 2>/dev/null" || fail "q did not quit"
start_console 100 30 -- --no-mouse
wait_screen "3 pending" || { dump; fail "the --no-mouse console shows no requests"; }
y=$(row_of "patch 1 file")
sgr 0 10 "$y" M
sgr 0 10 "$y" m
keys j
wait_for sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t agate | grep '^>' | grep -q 'cargo test'" ||
	{ dump; fail "--no-mouse: j after a click did not select the second request"; }
ok "--no-mouse: a click is not taken as a selection"
exit 0
