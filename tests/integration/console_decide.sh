#!/bin/sh
# Deciding in the console, as a user does: a request appears with its risk
# badge; y approves (the waiting publisher exits 0 with "approve"); n takes a
# reason that reaches the publisher; a critical request needs y twice; a
# decision made elsewhere leaves with a notice; the pane title counts
# pending requests and carries no agent text; a new request rings the bell.
. "$(dirname "$0")/console_lib.sh"

start_console 120 30

# 1. A request appears with its badge and summary; y approves it.
ask_bg c1 "$T/c1" --session s-console --agent claude-code --exec "make test"
wait_screen "make test" || { dump; fail "request c1 never appeared"; }
selected_line | grep -q "LOW .*exec .*make test" || { dump; fail "no LOW badge on c1's line"; }
on_screen "claude-code" || fail "agent not shown"
keys y
wait $LAST; rc=$?
[ $rc -eq 0 ] || fail "approved publisher exited $rc: $(cat "$T/c1" "$T/c1.err")"
grep -q '"decision":"approve"' "$T/c1" && grep -q '"by":"human"' "$T/c1" ||
	fail "publisher got: $(cat "$T/c1")"
wait_screen "0 pending" || { dump; fail "c1 still listed after approval"; }
ok "a request shows its badge; y approves; the publisher exits 0 with approve"

# 2. n asks for a reason, which reaches the publisher.
ask_bg c2 "$T/c2" --session s-console --exec "git push --force origin main"
wait_screen "git push" || { dump; fail "c2 never appeared"; }
keys n
wait_screen "deny reason:" || { dump; fail "n did not prompt for a reason"; }
keys -l "rebase first, then push"
keys Enter
wait $LAST; rc=$?
[ $rc -eq 1 ] || fail "denied publisher exited $rc"
grep -q '"decision":"deny"' "$T/c2" || fail "publisher got: $(cat "$T/c2")"
grep -q 'rebase first, then push' "$T/c2" || fail "the reason did not reach the publisher"
ok "n with a reason: deny and the reason reach the publisher"

# 3. A critical request: the first y only asks; another key cancels; y y approves.
ask_bg c3 "$T/c3" --session s-console --exec "rm -rf ~/ /tmp/cache"
wait_screen "rm -rf" || { dump; fail "c3 never appeared"; }
selected_line | grep -q "CRIT" || { dump; fail "rm -rf ~/ is not shown as critical"; }
keys y
wait_screen "press y again" || { dump; fail "no confirmation for a critical request"; }
keys j
wait_screen "not approved" || { dump; fail "another key did not cancel"; }
kill -0 $LAST 2>/dev/null || fail "the publisher got an answer after one y"
keys y
wait_screen "press y again" || fail "no confirmation the second time"
keys y
wait $LAST; rc=$?
[ $rc -eq 0 ] || fail "confirmed critical approval exited $rc: $(cat "$T/c3" "$T/c3.err")"
ok "critical: y asks for a second y, any other key cancels, y y approves"

# 4. Decided elsewhere: the request leaves with a notice.
ask_bg c4 "$T/c4" --session s-other --exec "npm install left-pad"
wait_screen "left-pad" || { dump; fail "c4 never appeared"; }
agate decide --reason "not today" c4 deny >/dev/null || fail "agate decide c4"
wait_screen "c4 decided elsewhere: deny by human" || { dump; fail "no decided-elsewhere notice"; }
not_on_screen "left-pad" || { dump; fail "c4 still listed"; }
wait $LAST
ok "a decision made elsewhere removes the request with a notice"

# 5. Attention: the pane title counts pending requests and never shows
#    agent text; a new request rings the bell.
: >"$T/pty.log.mark"
bells_before=$(tr -cd '\007' <"$T/pty.log" | wc -c)
ask_bg c5 "$T/c5" --session s-title --agent 'title-injection' --exec "echo title-injection"
wait_screen "echo title-injection" || { dump; fail "c5 never appeared"; }
wait_for sh -c "tmux -S '$TMUX_SOCK' display -p -t agate '#{pane_title}' | grep -q 'agate: 1 pending'" ||
	fail "pane title is '$(tm display -p -t agate '#{pane_title}')'"
tm display -p -t agate '#{pane_title}' | grep -q injection && fail "agent text in the pane title"
bells_after=$(tr -cd '\007' <"$T/pty.log" | wc -c)
[ "$bells_after" -gt "$bells_before" ] || fail "no bell for a new request"
keys x
wait $LAST; rc=$?
[ $rc -eq 1 ] || fail "aborted publisher exited $rc"
grep -q '"decision":"abort"' "$T/c5" || fail "x did not abort: $(cat "$T/c5")"
ok "pane title 'agate: N pending' without agent text; bell on arrival; x aborts"

# 5b. A long diff (the hub sends a preview of its first lines, then the
#     whole): it shows, its totals come when the whole has arrived, and y
#     approves it, so the whole request replaced the preview.
{
	echo "--- a/big.c"
	echo "+++ b/big.c"
	echo "@@ -0,0 +1,3000 @@"
	seq 1 3000 | sed 's/^/+int line_/; s/$/ = 0; \/\* padding to make the diff long \*\//'
} >"$T/big.diff"
[ "$(wc -c <"$T/big.diff")" -gt 70000 ] || fail "the test diff is too short"
ask_bg c7 "$T/c7" --session s-big --patch "$T/big.diff"
wait_screen "int line_1 = 0" || { dump; fail "the long diff never appeared"; }
wait_screen "1 file, +3000 -0" || { dump; fail "the whole diff never replaced its preview"; }
not_on_screen "receiving" || { dump; fail "still receiving after the totals"; }
keys y
wait $LAST; rc=$?
[ $rc -eq 0 ] || fail "approved long diff exited $rc: $(cat "$T/c7" "$T/c7.err")"
grep -q '"decision":"approve"' "$T/c7" || fail "publisher got: $(cat "$T/c7")"
ok "a long diff shows from its preview, then whole, and y approves it"

# 6. The help overlay lists every key.
keys '?'
wait_screen "approve once" || { dump; fail "no help overlay"; }
for k in "deny" "abort" "Guardian" "journal" "quit"; do
	on_screen "$k" || { dump; fail "help does not mention $k"; }
done
keys Escape
wait_screen "pending" || fail "help did not close"
ok "? lists the keys"

# 7. q quits and leaves pending requests pending on the hub.
ask_bg c6 "$T/c6" --session s-quit --exec "make bench"
wait_for pending_is 1 || fail "c6 not pending"
keys q
wait_for sh -c "! tmux -S '$TMUX_SOCK' has-session -t agate 2>/dev/null" || fail "q did not quit"
pending_is 1 || fail "quitting the console decided something"
kill $LAST 2>/dev/null # a waiting publisher would restart the hub during cleanup
wait $LAST 2>/dev/null
ok "q quits; the request stays pending"
