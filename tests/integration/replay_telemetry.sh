#!/bin/sh
# Telemetry against a real OTLP/HTTP receiver on 127.0.0.1 that checks
# every payload: each decision arrives as a log record and each request as
# a span from arrival to decision, with the promised attributes; a failing
# collector is retried and counted in agate status; a collector that is
# down delays no decision and loses nothing it can queue; past the queue's
# bound, records are dropped and counted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/replay_lib.sh"
RECEIVER="$AGATE_BUILDDIR/tests/integration/otlp_receiver"
[ -x "$RECEIVER" ] || fail "no receiver at $RECEIVER"

start_receiver() { # ARGS...
	rm -f "$T/port"
	"$RECEIVER" --out "$T/recv" --port-file "$T/port" "$@" 2>>"$T/recv.err" &
	RECV=$!
	wait_for test -s "$T/port" || fail "receiver: $(cat "$T/recv.err")"
	PORT=$(cat "$T/port")
}
stop_receiver() { kill "$RECV" 2>/dev/null; wait "$RECV" 2>/dev/null; }
trap 'stop_receiver; cleanup' EXIT
now_ms() { echo $(($(date +%s%N) / 1000000)); }
tele() { agate status --json | sed -n 's/.*"telemetry":{\(.*\)}.*/\1/p'; }
tele_num() { tele | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
has_line() { grep -q "$1" "$T/recv"; }

: >"$T/recv"
start_receiver --fail-first 1
cat >"$AGATE_CONFIG" <<CFG
telemetry_endpoint = http://127.0.0.1:$PORT
telemetry_interval = 200ms
CFG
start_hub
wait_for sh -c "'$AGATE_BIN' status | grep -q 'subscriber telemetry'" \
	|| fail "the hub did not start telemetry: $(agate status; cat "$T/hub.log")"
ok "the hub starts agate telemetry when telemetry_endpoint is set"

# 1. Decisions of every kind, made through the bus.
ask_bg t1 s-tel --exec "make test"
wait_for is_state t1 pending || fail "t1"
sleep 0.6
agate decide t1 approve
wait $LAST
decided t2 s-tel deny --exec "rm -rf ~"
agate ask --id t3 --session s-tel --timeout 300 --host example.com --port 443 >/dev/null
"$AGATE_BIN" ask --id t4 --session s-tel --exec "sleep 100" >/dev/null 2>&1 &
pid=$!
wait_for is_state t4 pending || fail "t4"
kill -9 $pid
wait_for is_state t4 abandoned || fail "t4 not abandoned"
wait_for has_line "^log t3 " && wait_for has_line "^span t4 " || fail "records missing: $(cat "$T/recv")"
grep -q "^invalid" "$T/recv" && fail "the receiver refused a payload: $(grep invalid "$T/recv")"
grep -q "^log t1 approve human s-tel exec [0-9]* low [0-9]* summary=no$" "$T/recv" \
	|| fail "t1 log: $(grep t1 "$T/recv")"
grep -q "^log t2 deny human s-tel exec [0-9]* critical " "$T/recv" || fail "t2 log: $(grep t2 "$T/recv")"
grep -q "^log t3 deny timeout s-tel network " "$T/recv" || fail "t3 log: $(grep t3 "$T/recv")"
grep -q "^log t4 " "$T/recv" && fail "an abandoned request has no decision to log"
grep -q "^span t4 abandoned [0-9]* [0-9]* 2$" "$T/recv" || fail "t4 span: $(grep t4 "$T/recv")"
set -- $(grep "^span t1 " "$T/recv")
[ "$3" = approve ] && [ $(($5 - $4)) -ge 500 ] && [ "$6" = 0 ] \
	|| fail "t1 span must last from arrival to decision (>= 600 ms waited): $*"
# Its log record is stamped with the decision time, the span's end.
[ "$(grep "^log t1 " "$T/recv" | cut -d' ' -f9)" = "$5" ] || fail "log time != span end"
[ "$(grep -c "^log t1 " "$T/recv")" = 1 ] || fail "t1 logged twice (a retry duplicated it)"
ok "decisions as log records, requests as spans (arrival to decision), checked by the receiver"

# 2. The first POST got 503: retried, and counted.
wait_for sh -c "'$AGATE_BIN' status | grep -q 'sent 3 logs, 4 spans; 1 failed posts, 0 dropped'" \
	|| fail "agate status: $(agate status)"
agate status >"$T/status"
grep -q "last error: .*HTTP 503" "$T/status" || fail "last error: $(cat "$T/status")"
ok "a 503 is retried and counted: $(grep 'sent [0-9]* logs' "$T/status" | sed 's/^ *//')"

# 3. The collector goes down: decisions are as fast, journaled, and queued.
stop_receiver
failed=$(tele_num failed_posts)
ask_bg t5 s-tel --exec "make lint"
wait_for is_state t5 pending || fail "t5"
t0=$(now_ms)
agate decide t5 approve
wait $LAST
dt=$(($(now_ms) - t0))
[ "$dt" -lt 2000 ] || fail "a decision took $dt ms with the collector down"
is_state t5 decided || fail "t5 not journaled"
wait_for sh -c "[ \"\$('$AGATE_BIN' status --json | sed -n 's/.*\"failed_posts\":\([0-9]*\).*/\1/p')\" -gt $failed ]" \
	|| fail "no failure counted while down: $(tele)"
[ "$(tele_num queued_logs)" -ge 1 ] || fail "t5 not queued: $(tele)"
ok "collector down: decide took $dt ms, t5 journaled, its records queued ($(tele_num failed_posts) failed posts)"

# 4. It comes back on the same port: the queue drains, nothing lost.
start_receiver --port "$PORT"
wait_for has_line "^log t5 approve human" || fail "t5 never delivered: $(tele)"
wait_for has_line "^span t5 approve" || fail "t5 span never delivered"
wait_for sh -c "[ \"\$('$AGATE_BIN' status --json | sed -n 's/.*\"queued_logs\":\([0-9]*\).*/\1/p')\" = 0 ]" \
	|| fail "queue not drained: $(tele)"
# A request with no session or agent still makes a valid record.
agate ask --id t6 --timeout 300 --exec "true" >/dev/null
wait_for has_line "^log t6 deny timeout" || fail "t6: $(tail -3 "$T/recv")"
grep -q "^invalid" "$T/recv" && fail "the receiver refused a payload: $(grep invalid "$T/recv")"
ok "collector back: the queued records arrive, the queue drains"

# 5. Past its bound the queue drops, and says so; decisions never wait.
kill "$(hub_pid)"
wait_for sh -c "! '$AGATE_BIN' status >/dev/null 2>&1" || fail "hub did not stop"
: >"$AGATE_CONFIG"
start_hub
stop_receiver
agate telemetry --endpoint "http://127.0.0.1:$PORT" --queue 2 --interval 100ms \
	2>"$T/tele.err" &
TPID=$!
wait_for sh -c "'$AGATE_BIN' status | grep -q 'subscriber telemetry'" || fail "manual telemetry"
for i in 1 2 3 4; do
	decided "d$i" s-drop approve --exec "true $i"
done
wait_for sh -c "'$AGATE_BIN' status | grep -q '4 dropped'" || fail "drops: $(agate status)"
kill $TPID
wait $TPID
ok "a queue of 2 with the collector away: 4 records dropped and counted, decisions unaffected"
