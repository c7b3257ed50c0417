#!/bin/sh
# The console at the sizes and settings a user meets: a readable 40x15
# pane, resizing without losing the selection, NO_COLOR, search and
# session filters, and a restarted hub that the console reconnects to.
. "$(dirname "$0")/console_lib.sh"

start_console 120 30
ask_bg l1 "$T/l1" --session s-alpha --agent claude-code --exec "make -j8"
P1=$LAST
wait_screen "make -j8" || { dump; fail "l1 never appeared"; }
ask_bg l2 "$T/l2" --session s-beta --agent codex --exec "cargo test --workspace"
P2=$LAST
wait_screen "cargo test" || { dump; fail "l2 never appeared"; }
ask_bg l3 "$T/l3" --session s-alpha --agent claude-code --exec "rm -rf ~/ /tmp/x"
P3=$LAST
wait_screen "3 pending" || { dump; fail "l3 never appeared"; }

# 1. Select the middle request, then resize: wide -> narrow -> tiny -> wide.
keys j
wait_for sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t agate | grep '^>' | grep -q 'cargo test'" ||
	{ dump; fail "j did not select the second request"; }
for size in "60 20" "40 15" "100 25" "150 40"; do
	resize $size
	wait_for sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t agate | grep '^>' | grep -q 'cargo'" ||
		{ dump; fail "selection lost after resizing to $size"; }
	on_screen "codex" || { dump; fail "detail of the selection lost after resizing to $size"; }
done
ok "resizing (120x30 -> 60x20 -> 40x15 -> 100x25 -> 150x40) keeps the selection"

# 2. A 40x15 pane is readable: every list line keeps its badge and kind,
#    the detail shows the command, the status line the count.
resize 40 15
wait_for sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t agate | grep -q 'CRIT exec'" ||
	{ dump; fail "40 columns: no badge and kind"; }
screen | grep -q "LOW  exec make -j8" || { dump; fail "40 columns: first line unreadable"; }
screen | grep -q "command  \$ cargo test" || { dump; fail "40 columns: no command in the detail"; }
screen | tail -1 | grep -q "3 pending" || { dump; fail "40 columns: no status line"; }
screen >"$T/narrow.txt"
while IFS= read -r line; do
	[ "$(printf '%s' "$line" | LC_ALL=C.UTF-8 wc -m)" -le 40 ] || fail "wider than the pane: $line"
done <"$T/narrow.txt"
ok "40x15 is readable: badge, kind, summary, command and status all visible"
resize 120 30

# 3. Search and session filter.
keys /
keys -l "cargo"
wait_screen "search: cargo" || { dump; fail "no search prompt"; }
keys Enter
wait_screen "1 pending" || true
screen | grep -q "make -j8" && { dump; fail "search did not filter"; }
on_screen "/cargo" || { dump; fail "status line does not show the search"; }
keys Escape
wait_screen "make -j8" || { dump; fail "Esc did not clear the search"; }
keys k f
wait_for sh -c "tmux -S '$TMUX_SOCK' capture-pane -p -t agate | tail -1 | grep -q 'session s-alpha'" ||
	{ dump; fail "f did not filter by session"; }
screen | grep -q "cargo test" && { dump; fail "session filter shows another session"; }
keys f
wait_screen "cargo test" || { dump; fail "f again did not clear the session filter"; }
ok "/ searches, f filters by session, both shown in the status line and cleared"

# 4. The hub dies and comes back: the console says so and reconnects by
#    itself, and the pending requests are back (reloaded from the journal).
kill -9 "$(hub_pid)"
wait_for on_screen "reconnect" || { dump; fail "the console did not say it lost the hub"; }
wait_for on_screen "hub up" || { dump; fail "the console did not reconnect"; }
wait_screen "3 pending" || { dump; fail "pending requests not back after the restart"; }
ok "a killed hub: the console says so, reconnects and shows the reloaded requests"

# 5. NO_COLOR: a monochrome screen (attributes only); the default theme is
#    coloured (so the check can fail).
sgr_colours() { screen_e | LC_ALL=C grep -c -- "$(printf '\033')\[[0-9;]*\(38;5;\|48;5;\|3[0-7]m\|4[0-7]m\|3[0-7];\|4[0-7];\|9[0-7]\)"; }
[ "$(sgr_colours)" -gt 0 ] || { screen_e | head -3 | od -c | head; fail "the default theme shows no colour"; }
keys q
wait_for sh -c "! tmux -S '$TMUX_SOCK' has-session -t agate 2>/dev/null" || fail "q did not quit"
start_console 120 30 NO_COLOR=1
wait_screen "3 pending" || { dump; fail "NO_COLOR console shows no requests"; }
[ "$(sgr_colours)" -eq 0 ] || { screen_e | head -5; fail "NO_COLOR screen has colours"; }
screen_e | LC_ALL=C grep -q "$(printf '\033')\[[0-9;]*7m" || fail "NO_COLOR: no reverse video cursor"
ok "NO_COLOR gives a monochrome screen (reverse video for the selection)"

# 6. A bad theme: errors with line numbers, and the built-in default.
keys q
wait_for sh -c "! tmux -S '$TMUX_SOCK' has-session -t agate 2>/dev/null" || fail "q did not quit"
printf 'color status red blue\ncolor nonsense red blue\n' >"$T/bad.theme"
start_console 120 30 -- --theme "$T/bad.theme"
wait_screen "3 pending" || { dump; fail "console with a bad theme did not start"; }
grep -q "bad.theme:2:7: unknown element 'nonsense'" "$T/console.err" ||
	fail "no line:column error for the bad theme: $(cat "$T/console.err")"
[ "$(sgr_colours)" -gt 0 ] || fail "bad theme: no fallback to the coloured default"
ok "a bad theme reports file:line:col and falls back to the default"

