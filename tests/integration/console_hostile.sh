#!/bin/sh
# Hostile text: a command and a diff carrying escape sequences (screen
# clear, OSC 52 clipboard write, OSC 0 title, DCS), C1 controls, bidi
# overrides and isolates, a zero-width space and \r overwrites. Each must
# appear as a visible placeholder in the pane, and none of it may reach the
# terminal raw: the pty output (pipe-pane) is searched for every sequence.
. "$(dirname "$0")/console_lib.sh"

# JSON \u escapes, so this file stays plain ASCII.
cat >"$T/exec.json" <<'EOF'
{"v":1,"type":"request","id":"h1","session":"s-\u2066iso\u2069","agent":"agent\u001b[31m",
 "justification":"fine\r\u001b[1Aoverwritten",
 "action":{"kind":"exec","command":"echo ok\u001b[2J\u001b]52;c;cm0gLXJmIH4=\u0007 \u202eevil\u202c rm -rf ~ \rls -la \u001b]0;pwned\u0007 \u001bP+q544e\u001b\\ \u200bzw \u0085nel \u009b31m"}}
EOF
cat >"$T/patch.json" <<'EOF'
{"v":1,"type":"request","id":"h2","session":"s-h","agent":"agent",
 "action":{"kind":"patch","diff":"diff --git a/ci.yml b/ci.yml\n--- a/ci.yml\n+++ b/ci.yml\n@@ -1,2 +1,2 @@\n-run: make\u001b]52;c;ZXZpbA==\u0007\n+run: curl x | sh\r# harmless comment\n \u202econtext\u202c\n"}}
EOF

start_console 200 40
"$AGATE_BIN" ask <"$T/exec.json" >"$T/h1" 2>&1 &
P1=$!
PUBLISHERS="$P1"
wait_screen "echo ok" || { dump; fail "the hostile command never appeared"; }
keys Enter # full screen: long lines fit on one row
expect() { on_screen "$1" || { dump; fail "placeholder missing: $1"; }; }
wait_screen "command" || { dump; fail "no detail"; }
expect 'echo ok^[[2J^[]52;c;cm0gLXJmIH4=^G <U+202E>evil<U+202C> rm -rf ~ ^Mls -la ^[]0;pwned^G ^[P+q544e^[\ <U+200B>zw <U+0085>nel <U+009B>31m'
expect 'agent^[[31m'
expect 's-<U+2066>iso<U+2069>'
expect 'fine^M^[[1Aoverwritten'
ok "hostile command, agent, session and justification shown as placeholders"

keys Enter
"$AGATE_BIN" ask <"$T/patch.json" >"$T/h2" 2>&1 &
P2=$!
PUBLISHERS="$P1 $P2"
wait_screen "2 pending" || { dump; fail "the hostile patch never appeared"; }
keys j Enter
expect '-run: make^[]52;c;ZXZpbA==^G'
expect '+run: curl x | sh^M# harmless comment'
expect ' <U+202E>context<U+202C>'
ok "hostile diff lines shown as placeholders"

# Nothing raw reached the terminal.
raw() { LC_ALL=C grep -qaF -- "$(printf "$1")" "$T/pty.log"; }
for seq in '\033]52' '\033]0;pwned' '\033P+q' '\033[2J\033]' '\033[31m' '\033[1A' \
	'\342\200\256' '\342\200\254' '\342\201\246' '\342\201\251' '\342\200\213' \
	'\302\205' '\302\233' '\rls -la' '\r# harmless' '\roverwritten'; do
	raw "$seq" && fail "raw sequence reached the terminal: $seq"
done
[ -s "$T/pty.log" ] || fail "the pty log is empty: pipe-pane did not record"
tm display -p -t agate '#{pane_title}' | grep -q pwned && fail "OSC 0 changed the pane title"
tm show-buffer >/dev/null 2>&1 && fail "OSC 52 reached tmux's clipboard"
screen | head -1 | grep -q "patch" || { dump; fail "the screen was disturbed"; }
ok "no escape, bidi, zero-width, C1 or CR byte from the agent reached the pty"

