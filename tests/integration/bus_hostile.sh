#!/bin/sh
# Bad input is a first-class user: a hostile client sends 60 malformed
# frames and hellos while good clients publish and decide; each bad frame is
# answered with an error naming the problem, the hub stays up, and the good
# clients' requests are all decided by their pattern.
. "$(dirname "$0")/lib.sh"
BUSLOAD="$AGATE_BUILDDIR/tests/integration/busload"
HOSTILE="$AGATE_BUILDDIR/tests/integration/hostile"

start_hub
HUB=$(hub_pid)
"$BUSLOAD" decide --bus "$AGATE_BUS" >/dev/null 2>"$T/decide.err" &
"$BUSLOAD" publish --bus "$AGATE_BUS" --publishers 4 --requests 50 --prefix good \
	>"$T/good" 2>"$T/good.err" &
GOOD=$!
"$HOSTILE" "$AGATE_BUS" >"$T/hostile.out" 2>&1
HRC=$?
cat "$T/hostile.out"
[ $HRC -eq 0 ] || fail "hostile cases failed"
wait $GOOD || fail "good publishers failed: $(tail -3 "$T/good.err")"
[ "$(wc -l < "$T/good")" -eq 200 ] || fail "good clients got $(wc -l < "$T/good") of 200 decisions"
wrong=$(awk '{ split($1, a, "-r"); want = (a[2] % 2 == 0) ? "approve" : "deny";
	if ($2 != want) print }' "$T/good" | head -3)
[ -z "$wrong" ] || fail "good clients got wrong decisions: $wrong"
ok "good clients: 200 requests decided by pattern while the hostile client ran"
[ "$(hub_pid)" = "$HUB" ] && kill -0 "$HUB" || fail "the hub did not survive"
agate status >/dev/null || fail "hub does not answer status after the attack"
ok "the same hub (pid $HUB) is still up and answering"
