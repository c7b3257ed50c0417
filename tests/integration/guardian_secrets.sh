#!/bin/sh
# The API key: where it may come from, what happens without one, and a grep
# of everything agate wrote — journal, logs, outputs — that finds it nowhere.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guardian_lib.sh"

KEY="sk-secret-0d1e2f3a4b5c6d7e8f9a"
start_hub

# 1. Mode off: says so, exits 0.
agate review >"$T/off.out" 2>"$T/off.err"; rc=$?
[ $rc -eq 0 ] && grep -q "the Guardian is off (guardian_mode = off)" "$T/off.err" \
	|| fail "mode off: rc=$rc $(cat "$T/off.err")"
ok "guardian_mode off: says so and exits"

# 2. A key file others can read is refused, without a byte of the key.
printf '%s\n' "$KEY" > "$T/key.loose"
chmod 644 "$T/key.loose"
agate review --mode advise --model m --api-key-file "$T/key.loose" >"$T/loose.out" 2>"$T/loose.err"; rc=$?
[ $rc -eq 1 ] && grep -q "mode 0644 lets others read it" "$T/loose.err" || fail "0644 key file: rc=$rc $(cat "$T/loose.err")"
ln -s "$T/key.loose" "$T/key.link"
agate review --mode advise --model m --api-key-file "$T/key.link" >/dev/null 2>"$T/link.err" \
	&& fail "a symlinked key file was accepted"
grep -q "symlink" "$T/link.err" || fail "symlink: $(cat "$T/link.err")"
ok "key files: 0644 and symlinks refused ($(cat "$T/loose.err"))"

# 3. No key: the Guardian says so and approves nothing, not even a read.
unset OPENAI_API_KEY
start_model --key "$KEY"
start_review --headless --base-url "$FM_URL" --model fake-1
grep -q 'the Guardian is off: no API key: \$OPENAI_API_KEY is unset' "$T/review.err" \
	|| fail "no key: $(cat "$T/review.err")"
agate ask --id n1 --exec "ls" >"$T/n1"; rc=$?
[ $rc -eq 1 ] && grep -q 'review failed: the Guardian is off: no API key' "$T/n1" \
	|| fail "no key, ls: rc=$rc $(cat "$T/n1")"
[ "$(model_calls)" -eq 0 ] || fail "a model was called without a key"
stop_review
ok "no key: 'the Guardian is off', every request denied as review failed"

# 4. The key from a 0600 file reaches the server, in its header only.
printf '%s\n' "$KEY" > "$T/key.ok"
chmod 600 "$T/key.ok"
start_review --headless --base-url "$FM_URL" --model fake-1 --api-key-file "$T/key.ok"
agate ask --id k1 --exec "sudo apt-get install jq" >"$T/k1" || fail "k1: $(cat "$T/k1")"
grep -q '"authorization":"Bearer '"$KEY"'"' "$T/model.jsonl" || fail "the key did not reach the server"
stop_review
ok "a 0600 key file works"

# 5. A wrong key: the server echoes it in its 401; our error does not.
export WRONG_KEY="sk-wrong-9a8b7c6d5e4f3a2b1c0d"
start_review --headless --base-url "$FM_URL" --model fake-1 --api-key-env WRONG_KEY
agate ask --id k2 --exec "sudo apt-get install curl" >"$T/k2"; rc=$?
[ $rc -eq 1 ] && grep -q 'review failed: HTTP 401: Incorrect API key provided: \[redacted\]' "$T/k2" \
	|| fail "wrong key: rc=$rc $(cat "$T/k2")"
grep -q "$WRONG_KEY" "$T/model.jsonl" || fail "the server never saw the wrong key (test broken)"
stop_review
ok "a 401 that echoes the key is reported scrubbed"

# 6. Everything agate wrote, the journal's pages included: no key.
stop_model
agate log --json --pending >"$T/log.json" 2>&1
for k in "$KEY" "$WRONG_KEY" "0d1e2f3a4b5c" "9a8b7c6d5e4f"; do
	grep -rlaF --exclude=model.jsonl --exclude='key.*' -e "$k" "$T" >"$T/leaks"
	case $? in
	0) fail "the key ($k) leaked into: $(cat "$T/leaks")" ;;
	1) ;;
	*) fail "grep failed" ;;
	esac
done
ls "$AGATE_JOURNAL"* >/dev/null || fail "no journal was written (test broken)"
grep -rlaF -e "$KEY" "$T" | grep -q model.jsonl || fail "the grep cannot find the key where it is (test broken)"
[ -s "$T/log.json" ] || fail "empty log (test broken)"
ok "grep of journal, logs and outputs: no key"
