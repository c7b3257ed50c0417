#!/bin/sh
# The console's screen compared with golden files, as tmux's regress tests
# do: a 60x20 pane (stacked) and a 110x16 pane (side by side) showing one
# pinned request (fixed id, cwd and clock). A difference is printed as a
# diff, so a change to what users see is always a deliberate one.
# AGATE_UPDATE_GOLDEN=1 rewrites the files.
. "$(dirname "$0")/console_lib.sh"

golden() { # NAME
	local want="$AGATE_SRCDIR/tests/integration/golden/$1.txt"
	screen >"$T/$1.txt"
	if [ "${AGATE_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$T/$1.txt" "$want"
		return 0
	fi
	diff -u "$want" "$T/$1.txt" || fail "screen $1 differs from its golden file"
}

start_console 60 20
ask_bg g1 "$T/g1" --session s-7 --agent claude-code --cwd /home/dev/webshop \
	--justification "check the working tree before committing" --exec "git status --short"
wait_screen "git status" || { dump; fail "the request never appeared"; }
sleep 0.5 # let the notice-free status line settle
golden console-60x20
ok "60x20 screen matches its golden file"

resize 110 16
golden console-110x16
ok "110x16 screen matches its golden file"
