#!/bin/sh
# Promise 1, nothing is lost: 20 publishers with 1,000 requests in flight;
# the hub is killed with SIGKILL twice (once with everything pending, once
# while decisions flow); every request is decided exactly once, by the
# pattern the deciding subscriber follows, and the journal is intact.
. "$(dirname "$0")/lib.sh"
BUSLOAD="$AGATE_BUILDDIR/tests/integration/busload"
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 CLI not installed"; exit 77; }

start_hub
"$BUSLOAD" publish --bus "$AGATE_BUS" --journal "$AGATE_JOURNAL" --publishers 20 \
	--requests 50 --prefix dur >"$T/decisions" 2>"$T/publish.err" &
PUB=$!
wait_for pending_is 1000 \
	|| fail "1000 requests never became pending (have $(pending_count))"
ok "1000 requests in flight"

kill -9 "$(hub_pid)"
sleep 0.2
# The decider's connection autostarts a fresh hub, which reloads the journal.
"$BUSLOAD" decide --bus "$AGATE_BUS" --journal "$AGATE_JOURNAL" --count 1000 \
	>/dev/null 2>"$T/decide.err" &
DEC=$!
# Kill the new hub again while decisions are flowing.
wait_for lines_at_least "$T/decisions" 200 || fail "decisions did not start flowing"
kill -9 "$(hub_pid)"
ok "hub killed with SIGKILL twice"

wait $PUB || fail "publishers failed: $(tail -5 "$T/publish.err")"
kill $DEC 2>/dev/null

total=$(wc -l < "$T/decisions")
unique=$(cut -d' ' -f1 "$T/decisions" | sort -u | wc -l)
[ "$total" -eq 1000 ] || fail "expected 1000 decisions received, got $total"
[ "$unique" -eq 1000 ] || fail "expected 1000 distinct ids, got $unique (duplicates!)"
ok "1000 decisions received, none duplicated"

wrong=$(awk '{ split($1, a, "-r"); want = (a[2] % 2 == 0) ? "approve" : "deny";
	if ($2 != want) print }' "$T/decisions" | head -5)
[ -z "$wrong" ] || fail "decisions that break the pattern: $wrong"
ok "every decision matches the decider's pattern"

# The journal agrees: every request decided once, none pending, intact.
q() { sqlite3 "$AGATE_JOURNAL" "$1"; }
[ "$(q "select count(*) from requests where id like 'dur-%'")" = 1000 ] \
	|| fail "journal does not hold 1000 requests"
[ "$(q "select count(*) from decisions where request_id like 'dur-%'")" = 1000 ] \
	|| fail "journal does not hold exactly 1000 decisions"
[ "$(q "pragma integrity_check")" = ok ] || fail "integrity_check failed"
ok "journal: 1000 requests, 1000 decisions, integrity ok"
