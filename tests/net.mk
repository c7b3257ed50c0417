# agate and agate-net (issue 4): no libcurl in agate, the network commands
# through agate-net, a clear error when it is missing. The test needs the
# configured bindir to know whether an installed agate-net would be found.
AM_TESTS_ENVIRONMENT += AGATE_BINDIR='$(bindir)'; export AGATE_BINDIR;
TESTS += tests/integration/net_split.sh
EXTRA_DIST += tests/integration/net_split.sh
