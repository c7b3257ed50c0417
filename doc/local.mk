# doc/: man pages.
dist_man_MANS += doc/agate.1 doc/agate-protocol.7
dist_man_MANS += doc/agate-rules.5
dist_man_MANS += doc/agate-hook.1 doc/agate-net.1
dist_man_MANS += doc/agate-review.1
dist_man_MANS += doc/agate-theme.5
dist_man_MANS += doc/agate-replay.1 doc/agate-export.1 doc/agate-gc.1 doc/agate-telemetry.1
