#!/bin/sh
# agate and agate-net (issue 4): the console's binary maps no libcurl, the
# network commands still answer as `agate NAME` through an exec of the
# agate-net beside it (same process, so exit statuses and signals are its
# own), a hub agate-net starts is agate's, and an agate installed without
# agate-net says what is missing instead of failing obscurely.
. "$(dirname "$0")/lib.sh"

NET="$(dirname "$AGATE_BIN")/agate-net"
[ -x "$NET" ] || fail "no agate-net beside $AGATE_BIN"

# --- no libcurl in agate ---------------------------------------------------
# What the binary asks for (NEEDED), and what the loader maps in the end
# (ldd: transitively, through ncurses, sqlite, cJSON).
if command -v readelf >/dev/null 2>&1; then
	readelf -d "$AGATE_BIN" > "$T/needed" || fail "readelf -d agate"
	grep -q 'NEEDED.*libc\.so' "$T/needed" || fail "readelf shows no NEEDED entries: $(cat "$T/needed")"
	grep -q 'NEEDED.*libcurl' "$T/needed" && fail "agate NEEDs libcurl: $(grep NEEDED "$T/needed")"
	# The check can fail: agate-net is the one that links it.
	readelf -d "$NET" | grep -q 'NEEDED.*libcurl' || fail "agate-net does not link libcurl"
	ok "agate has no NEEDED libcurl (agate-net has)"
fi
if command -v ldd >/dev/null 2>&1; then
	ldd "$AGATE_BIN" > "$T/ldd" 2>&1 || fail "ldd agate: $(cat "$T/ldd")"
	grep -Eq 'libcurl|libgnutls|libssl|libcrypto|libgssapi|libldap|libp11-kit' "$T/ldd" &&
		fail "agate maps libcurl's chain: $(cat "$T/ldd")"
	ok "agate loads none of libcurl, gnutls, openssl, krb5, ldap, p11-kit"
fi

# --- every command is still an agate command ---------------------------------
agate --help > "$T/help" || fail "agate --help"
for c in hub console review telemetry replay score; do
	grep -Eq "^  $c +[a-z]" "$T/help" || fail "agate --help does not list $c"
done
ok "agate --help lists the network commands with the rest"

"$NET" --help > "$T/nethelp" || fail "agate-net --help"
for c in review telemetry replay; do
	grep -Eq "^  $c +[a-z]" "$T/nethelp" || fail "agate-net --help does not list $c"
done
grep -Eq "^  (hub|console|score) " "$T/nethelp" && fail "agate-net --help lists agate's own commands"
ok "agate-net --help lists its three commands"

agate review --help > "$T/review.help" || fail "agate review --help exit $?"
head -n 1 "$T/review.help" | grep -q '^usage: agate review ' ||
	fail "agate review --help said: $(head -n 3 "$T/review.help")"
agate telemetry --help | grep -q '^usage: agate telemetry' || fail "agate telemetry --help"
agate replay --help | grep -q '^usage: agate replay' || fail "agate replay --help"
ok "agate review|telemetry|replay --help answer through agate-net"

# A usage error keeps its status through the exec.
agate review --no-such-flag > /dev/null 2>"$T/bad.err"
rc=$?
"$NET" review --no-such-flag > /dev/null 2>&1
want=$?
[ $want -ne 0 ] || fail "agate-net review accepted --no-such-flag"
[ $rc -eq $want ] || fail "agate review --no-such-flag exit $rc, agate-net's is $want"
grep -q "no-such-flag" "$T/bad.err" || fail "the error did not name the flag: $(cat "$T/bad.err")"
ok "agate review's exit status is agate-net's ($rc)"

# --- execv, not fork: the Guardian is the process we started -----------------
"$AGATE_BIN" review --provider openai --base-url http://127.0.0.1:9/v1 --model m --no-api-key \
	--mode advise > "$T/review.out" 2> "$T/review.err" &
rpid=$!
exe_is() { [ "$(readlink "/proc/$1/exe")" = "$(readlink -f "$2")" ]; }
wait_for exe_is $rpid "$NET" || fail "pid $rpid never became agate-net (exe $(readlink /proc/$rpid/exe))"
# It started the hub on demand; the hub is agate's, not agate-net's.
wait_for test -s "$AGATE_BUS/hub.pid" || fail "agate review started no hub: $(cat "$T/review.err")"
hp=$(hub_pid)
wait_for exe_is "$hp" "$AGATE_BIN" || fail "the hub (pid $hp) runs $(readlink /proc/$hp/exe), not agate"
wait_for sh -c "\"$AGATE_BIN\" status | grep -q guardian" ||
	fail "the Guardian is not on the bus: $(agate status 2>&1) $(cat "$T/review.err")"
kill -TERM $rpid
wait $rpid
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 143 ] || fail "agate review ended with $rc on SIGTERM: $(cat "$T/review.err")"
kill -0 $rpid 2>/dev/null && fail "agate review outlived SIGTERM"
ok "agate review runs as agate-net in the same process, its hub is agate"

# agate-net hands agate's commands back to agate.
"$NET" status > "$T/net.status" || fail "agate-net status exit $?"
grep -q "^hub *pid $hp," "$T/net.status" || fail "agate-net status said: $(cat "$T/net.status")"
ok "agate-net status runs agate's status"

# doctor finds agate-net beside agate.
agate doctor > "$T/doc" 2>&1
grep -q "^agate-net: $(dirname "$AGATE_BIN")/agate-net\$" "$T/doc" || fail "doctor: $(cat "$T/doc")"
ok "doctor finds agate-net next to agate"

# --- agate without agate-net -----------------------------------------------
mkdir "$T/lone"
cp "$AGATE_BIN" "$T/lone/agate"
if [ -n "${AGATE_BINDIR:-}" ] && [ -e "$AGATE_BINDIR/agate-net" ]; then
	echo "skip: $AGATE_BINDIR/agate-net is installed, so a lone agate finds it"
else
	"$T/lone/agate" review --help > "$T/lone.out" 2> "$T/lone.err"
	rc=$?
	[ $rc -eq 2 ] || fail "a lone agate review --help exit $rc (want 2): $(cat "$T/lone.out" "$T/lone.err")"
	[ -s "$T/lone.out" ] && fail "a lone agate review printed: $(cat "$T/lone.out")"
	grep -q "^agate review needs agate-net (not found next to $T/lone/agate or in ${AGATE_BINDIR:-/}.*): reinstall agate\$" \
		"$T/lone.err" || fail "a lone agate review said: $(cat "$T/lone.err")"
	"$T/lone/agate" telemetry 2>&1 | grep -q "^agate telemetry needs agate-net" ||
		fail "a lone agate telemetry did not name agate-net"
	# Everything else still works without it.
	"$T/lone/agate" --help | grep -q "^  review " || fail "a lone agate --help"
	"$T/lone/agate" status > /dev/null || fail "a lone agate status"
	# doctor says so before the Guardian is first needed.
	"$T/lone/agate" doctor > "$T/lone.doc" 2>&1 && fail "doctor found no problem: $(cat "$T/lone.doc")"
	grep -q "PROBLEM: agate-net not found (next to $T/lone/agate or in .*): agate review, telemetry and replay cannot run" \
		"$T/lone.doc" || fail "doctor on a lone agate: $(cat "$T/lone.doc")"
	ok "agate without agate-net: a clear error, exit 2; doctor names it; the rest works"
fi
