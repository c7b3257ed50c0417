#!/bin/sh
# A long request (a diff of hundreds of KB) reaches a subscriber byte for
# byte, even one that reads it only after the request was decided and
# another long one published in its place (the hub hands such texts to the
# pipe by reference; see tests/integration/longframe.c).
. "$(dirname "$0")/lib.sh"

start_hub
"$AGATE_BUILDDIR/tests/integration/longframe" --bus "$AGATE_BUS" >"$T/out" 2>&1 ||
	fail "$(cat "$T/out")"
grep -q "arrived intact" "$T/out" || fail "longframe said: $(cat "$T/out")"
ok "a long request read late still arrives as it was sent; previews only to those who ask"
agate status >/dev/null || fail "the hub is gone: $(cat "$T/hub.log")"
ok "the hub is still up"
