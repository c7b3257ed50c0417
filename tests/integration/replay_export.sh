#!/bin/sh
# agate export / agate import on a journal built by real bus runs (human,
# policy, session-grant, Guardian and timeout decisions, a review, an
# abandoned and a pending request): a fresh journal that imports the export
# shows the same `agate log`, table and JSON, and exports the same lines
# again; a truncated or doctored file imports nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/replay_lib.sh"
. "$(dirname "$0")/guardian_lib.sh"

mkdir -p "$XDG_CONFIG_HOME/agate"
printf 'deny exec sudo *\n' >"$XDG_CONFIG_HOME/agate/rules"
start_hub
decided e1 s-exp approve --exec "git status" --justification "look first"
decided e2 s-exp deny --exec "rm -rf ~/.ssh"
decided e3 s-exp approve_session --exec "make test" --cwd /home/dev/repo
agate ask --id e4 --session s-exp --exec "make test" --cwd /home/dev/repo >"$T/e4" \
	|| fail "the session grant did not approve e4: $(cat "$T/e4")"
grep -q '"by":"session"' "$T/e4" || fail "e4: $(cat "$T/e4")"
agate ask --id e5 --session s-exp --exec "sudo rm -rf /var" >/dev/null && fail "e5 approved"
agate ask --id e6 --session s-exp --timeout 300 --host example.com --port 443 >/dev/null
"$AGATE_BIN" ask --id e7 --session s-exp --exec "sleep 100" >/dev/null 2>&1 &
pid=$!
wait_for is_state e7 pending || fail "e7 not pending"
kill -9 $pid
wait_for is_state e7 abandoned || fail "e7 not abandoned"
# A Guardian review, journaled by the hub from `agate review`.
export EXPORT_TEST_KEY="sk-export-6b1e0c"
start_model --key "$EXPORT_TEST_KEY" --step "$(verdict medium low allow 'a package install')"
start_review --headless --provider openai --base-url "$FM_URL" --model fake-1 \
	--api-key-env EXPORT_TEST_KEY --timeout 5s
agate ask --id e8 --session s-exp2 --exec "apt-get install jq" >"$T/e8" || fail "e8: $(cat "$T/e8")"
stop_review
stop_model
ask_bg e9 s-exp2 --exec "make deploy" --timeout 600000
E9=$LAST
# Its publisher would restart a hub that cleanup stops: it goes first.
trap 'kill $E9 2>/dev/null; wait $E9 2>/dev/null; cleanup' EXIT
wait_for is_state e9 pending || fail "e9 not pending"
[ "$(agate log --json | wc -l)" = 7 ] || fail "history: $(agate log)"
ok "history: human, policy, session, timeout and guardian decisions, a review, abandoned, pending"

# 1. Round trip into a fresh journal.
agate export --pending -o "$T/all.ndjson" 2>/dev/null || fail "export"
head -1 "$T/all.ndjson" | grep -q '"type":"export"' || fail "no header"
tail -1 "$T/all.ndjson" | grep -q '"type":"export_end","requests":9,"decisions":7,"reviews":1,"abandoned":1,"grants":1' \
	|| fail "closing line: $(tail -1 "$T/all.ndjson")"
grep -q '"type":"review","id":"e8","review":{' "$T/all.ndjson" || fail "no review line"
grep -q '"type":"decision","id":"e2","decision":"deny","by":"human","reason":"recorded deny of e2"' \
	"$T/all.ndjson" || fail "decision line shape: $(grep '"id":"e2"' "$T/all.ndjson")"
FRESH="$T/fresh.db"
AGATE_JOURNAL="$FRESH" "$AGATE_BIN" import "$T/all.ndjson" 2>"$T/imp.err" \
	|| fail "import: $(cat "$T/imp.err")"
for args in "" "--json" "--json --pending" "--pending --session s-exp" "--json --by guardian"; do
	# shellcheck disable=SC2086
	agate log --no-pager $args >"$T/log.a"
	# shellcheck disable=SC2086
	AGATE_JOURNAL="$FRESH" "$AGATE_BIN" log --no-pager $args >"$T/log.b"
	cmp -s "$T/log.a" "$T/log.b" || fail "agate log $args differs after import:
$(diff "$T/log.a" "$T/log.b")"
	[ -s "$T/log.a" ] || fail "agate log $args is empty"
done
AGATE_JOURNAL="$FRESH" "$AGATE_BIN" export --pending -o "$T/again.ndjson" 2>/dev/null
sed 1d "$T/all.ndjson" >"$T/x1"
sed 1d "$T/again.ndjson" >"$T/x2"
cmp -s "$T/x1" "$T/x2" || fail "re-export differs: $(diff "$T/x1" "$T/x2")"
ok "import into a fresh journal: agate log (table, --json, --pending, filters) identical; re-export identical"

# 2. The grant came along: the imported journal approves the same action.
agate ask --journal "$FRESH" --id x1 --bus "$T/bus2" --session s-exp --exec "make test" \
	--cwd /home/dev/repo >"$T/x1" || fail "grant not imported: $(cat "$T/x1")"
grep -q '"by":"session"' "$T/x1" || fail "x1: $(cat "$T/x1")"
kill "$(cat "$T/bus2/hub.pid")" 2>/dev/null
ok "the session grant travels: a hub on the imported journal approves by session"

# 3. Truncated or doctored files import nothing.
head -n -1 "$T/all.ndjson" >"$T/cut.ndjson"
AGATE_JOURNAL="$T/cut.db" "$AGATE_BIN" import "$T/cut.ndjson" 2>"$T/cut.err"
[ $? -eq 1 ] && grep -q "no export_end line" "$T/cut.err" || fail "truncated: $(cat "$T/cut.err")"
[ -z "$(AGATE_JOURNAL="$T/cut.db" "$AGATE_BIN" log --pending --json)" ] \
	|| fail "a truncated import left rows behind"
sed 's/"requests":9,/"requests":8,/' "$T/all.ndjson" >"$T/count.ndjson"
AGATE_JOURNAL="$T/count.db" "$AGATE_BIN" import "$T/count.ndjson" 2>"$T/count.err" \
	&& fail "a wrong count was accepted"
grep -q "export_end: requests: the file says 8, it holds 9" "$T/count.err" \
	|| fail "count error: $(cat "$T/count.err")"
sed 's/"command":"git status"/"command":42/' "$T/all.ndjson" >"$T/bad.ndjson"
AGATE_JOURNAL="$T/bad.db" "$AGATE_BIN" import "$T/bad.ndjson" 2>"$T/bad.err" && fail "bad accepted"
grep -q "bad.ndjson:2: action.command" "$T/bad.err" || fail "bad line error: $(cat "$T/bad.err")"
ok "truncated, miscounted or invalid exports import nothing and say where: $(cat "$T/bad.err")"

# 4. Importing twice: refused whole, or --skip-existing.
AGATE_JOURNAL="$FRESH" "$AGATE_BIN" log --json --pending >"$T/log.before"
AGATE_JOURNAL="$FRESH" "$AGATE_BIN" import "$T/all.ndjson" 2>"$T/twice.err" && fail "twice"
grep -q "already journaled" "$T/twice.err" || fail "twice: $(cat "$T/twice.err")"
AGATE_JOURNAL="$FRESH" "$AGATE_BIN" import --skip-existing "$T/all.ndjson" 2>"$T/skip.err" \
	|| fail "--skip-existing: $(cat "$T/skip.err")"
grep -q "0 requests (9 already there)" "$T/skip.err" || fail "skip: $(cat "$T/skip.err")"
AGATE_JOURNAL="$FRESH" "$AGATE_BIN" log --json --pending >"$T/log.c"
cmp -s "$T/log.before" "$T/log.c" || fail "a refused or skipping import changed the journal"
ok "a second import is refused; --skip-existing leaves the journal as it was"

# 5. Filters: one session only.
agate export --pending --session s-exp2 | grep -c '"type":"request"' | grep -qx 2 \
	|| fail "export --session: $(agate export --pending --session s-exp2)"
ok "export --session S exports that session only"

# 6. agate log pages through \$PAGER on a terminal, not into a pipe.
if command -v script >/dev/null 2>&1; then
	PAGER='sed s/^/PAGED:/' script -qc "$AGATE_BIN log" /dev/null >"$T/paged" </dev/null
	grep -q "^PAGED:TIME" "$T/paged" && grep -q "^PAGED:.*git status" "$T/paged" \
		|| fail "not paged on a tty: $(cat "$T/paged")"
	PAGER='sed s/^/PAGED:/' agate log >"$T/piped"
	grep -q PAGED "$T/piped" && fail "paged into a pipe"
	PAGER='sed s/^/PAGED:/' script -qc "$AGATE_BIN log --no-pager" /dev/null >"$T/nopager" </dev/null
	grep -q PAGED "$T/nopager" && fail "--no-pager paged"
	ok "agate log pages on a terminal only (and not with --no-pager)"
fi
