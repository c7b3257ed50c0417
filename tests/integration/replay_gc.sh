#!/bin/sh
# agate gc on a journal built by real bus runs, part of it 40 days old (the
# hub's clock pinned with AGATE_FAKE_NOW_MS): old settled requests go with
# their decisions, reasons, reviews, sessions and grants; pending ones and
# everything recent stay; decisions stay final for everyone else; a running
# hub keeps working; the file shrinks, once by VACUUM, then incrementally.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/replay_lib.sh"
command -v sqlite3 >/dev/null 2>&1 || { echo "skip: no sqlite3 CLI"; exit 77; }

mkdir -p "$XDG_CONFIG_HOME/agate"
printf 'allow exec echo *\n' >"$XDG_CONFIG_HOME/agate/rules"
printf 'orphan_grace = 1h\n' >"$AGATE_CONFIG"
q() { sqlite3 "$AGATE_JOURNAL" "$1"; }
size() { stat -c %s "$AGATE_JOURNAL"; }
stop_hub() {
	kill "$(hub_pid)" 2>/dev/null
	wait_for sh -c "! '$AGATE_BIN' status >/dev/null 2>&1" || fail "hub did not stop"
}

# Forty days ago.
OLD=$(($(date +%s) * 1000 - 40 * 86400000))
AGATE_FAKE_NOW_MS=$OLD "$AGATE_BIN" hub >"$T/hub-old.log" 2>&1 &
wait_for agate status || fail "old hub"
decided o1 s-old approve --exec "git status"
decided o2 s-old deny --exec "rm -rf build"
decided o3 s-gone approve_session --exec "make test"
"$AGATE_BIN" ask --id o4 --session s-old --exec "sleep 100" >/dev/null 2>&1 &
pid=$!
wait_for is_state o4 pending || fail "o4"
kill -9 $pid
wait_for is_state o4 abandoned || fail "o4 not abandoned"
pad=$(head -c 3000 /dev/zero | tr '\0' x)
i=0
while [ $i -lt 150 ]; do
	agate ask --id "bulk$i" --session s-bulk --exec "echo $i" --justification "$pad" >/dev/null \
		|| fail "bulk $i not approved by the rule"
	i=$((i + 1))
done
# o5 stays pending: its publisher frozen while the hub stops, then gone.
ask_bg o5 s-old --exec "make deploy" --timeout 600000
wait_for is_state o5 pending || fail "o5"
kill -STOP $LAST
stop_hub
kill -9 $LAST
kill -CONT $LAST 2>/dev/null
wait $LAST 2>/dev/null
before=$(size)
ok "155 requests journaled 40 days ago (human, policy, grant, abandoned, one left pending)"

# 1. Dry run: counts, changes nothing.
agate gc --older-than 30d --dry-run >"$T/dry"
grep -q "would delete 154 requests created before .*; 1 pending ones would stay" "$T/dry" \
	|| fail "dry run: $(cat "$T/dry")"
[ "$(q 'select count(*) from requests')" = 155 ] || fail "dry run deleted"
ok "dry run: $(cat "$T/dry")"

# 2. The real thing (no hub; space left for later).
agate gc --older-than 30d --vacuum none >"$T/gc1" 2>&1 || fail "gc: $(cat "$T/gc1")"
grep -q "deleted 154 requests .*(153 decisions, 0 reviews, [0-9]* risk reasons), 2 sessions, 1 session grants" \
	"$T/gc1" || fail "gc report: $(cat "$T/gc1")"
grep -q "kept 1 pending" "$T/gc1" && grep -q "integrity and foreign key checks: ok" "$T/gc1" \
	|| fail "gc report: $(cat "$T/gc1")"
[ "$(agate log --pending --json | sed -n 's/.*"id":"\([^"]*\)".*"state":"\([a-z]*\)".*/\1 \2/p')" = "o5 pending" ] \
	|| fail "log after gc: $(agate log --pending)"
[ "$(q "select requests from sessions where id='s-old'")" = 1 ] \
	|| fail "s-old counter: $(q "select * from sessions where id='s-old'")"
[ -z "$(q "select id from sessions where id in ('s-gone','s-bulk')")" ] || fail "empty sessions kept"
[ "$(q 'select count(*) from risk r left join requests q on q.id = r.request_id where q.id is null')" = 0 ] \
	|| fail "orphan risk rows"
ok "gc: 154 old settled requests gone with their rows, sessions and grant; pending o5 kept"

# 3. With a hub running: o5 expires on reload (deny by timeout), gc takes it.
start_hub
wait_for is_state o5 decided || fail "o5 did not expire"
decided n1 s-old approve --exec "git log"
decided n2 s-new deny --exec "curl evil.example"
agate gc --older-than 30d >"$T/gc2" 2>&1 || fail "gc2: $(cat "$T/gc2")"
grep -q "deleted 1 requests" "$T/gc2" || fail "gc2: $(cat "$T/gc2")"
[ "$(agate log --json | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | tr '\n' ' ')" = "n1 n2 " ] \
	|| fail "log after gc2: $(agate log)"
ok "gc with the hub running: the expired o5 goes, n1 and n2 stay"

# 3b. Decisions are still final for everyone else, and the hub still works.
q "delete from decisions where request_id='n1'" 2>"$T/del.err" && fail "a decision was deletable"
grep -q "decisions are final" "$T/del.err" || fail "trigger: $(cat "$T/del.err")"
decided n3 s-new approve --exec "ls"
agate ask --id n4 --session s-gone --timeout 300 --exec "make test" >"$T/n4"
grep -q '"by":"timeout"' "$T/n4" || fail "the deleted grant still approves: $(cat "$T/n4")"
ok "the final-decision trigger is back; the hub decides on; the old session grant is gone"

# 4. Space: no VACUUM under a running hub; once it stops, one VACUUM, then
#    incremental from then on.
grep -q "free pages stay in the file (the hub is using it)" "$T/gc2" \
	|| fail "vacuum with a hub: $(cat "$T/gc2")"
stop_hub
agate gc --older-than 30d >"$T/gc3" 2>&1 || fail "gc3: $(cat "$T/gc3")"
grep -q "(vacuum: full)" "$T/gc3" || fail "gc3: $(cat "$T/gc3")"
after=$(size)
[ "$after" -lt $((before / 2)) ] || fail "journal $before -> $after bytes"
[ "$(q 'pragma auto_vacuum')" = 2 ] || fail "incremental vacuum not turned on"
start_hub
i=0
while [ $i -lt 40 ]; do
	agate ask --id "later$i" --session s-later --exec "echo $i" --justification "$pad" >/dev/null
	i=$((i + 1))
done
agate gc --older-than 0s >"$T/gc4" 2>&1 || fail "gc4: $(cat "$T/gc4")"
grep -q "(vacuum: incremental)" "$T/gc4" || fail "gc4: $(cat "$T/gc4")"
[ "$(q 'pragma freelist_count')" -lt 8 ] || fail "free pages left: $(q 'pragma freelist_count')"
ok "journal $before -> $after bytes by one VACUUM (no hub); later gc runs compact incrementally with the hub up"
