/* Every subcommand, enumerated once: name, entry point, one-line summary.
 * main.c builds dispatch and `agate --help` from this table. To add a
 * command: one line here, one cmd/NAME.c, one entry in cmd/local.mk.
 *
 * X marks a command linked into `agate`; N one that lives in `agate-net`
 * (cmd/net_main.c), the program that links libcurl: `agate NAME ARGS`
 * execs `agate-net NAME ARGS`, so the console and every other command
 * never map libcurl's dependency chain (as git keeps libcurl in
 * git-remote-https). A command that calls reviewer/guardian_http.c or
 * libcurl, directly or through anything it links, must be an N. */
#ifndef AGATE_CMD_COMMANDS_H
#define AGATE_CMD_COMMANDS_H

#define AG_COMMANDS(X, N)                                                                      \
	X(hub, "run the bus hub in the foreground (started on demand otherwise)")              \
	X(ask, "publish one approval request and print the decision")                          \
	X(exec, "ask, then run a command only if it is approved")                              \
	X(decide, "decide a pending request: approve, approve_session, deny, abort")           \
	X(log, "past decisions from the journal, then (-f) live events")                       \
	N(replay, "judge recorded requests again: flip report, or --feed them onto the bus")   \
	X(export, "write journaled sessions as NDJSON (request, review, decision lines)")      \
	X(import, "read an agate export into the journal, all or nothing")                     \
	X(gc, "delete settled requests older than --older-than AGE and compact the journal")   \
	N(telemetry, "export decisions (logs) and requests (spans) to an OTLP/HTTP collector") \
	X(status, "the hub's pid, uptime, clients and pending requests")                       \
	X(config, "print the default configuration, or check a config file")                   \
	X(hook, "answer a Claude Code or Codex hook from the bus (see agate init)")            \
	X(init, "install agate as the approval hook of claude or codex")                       \
	X(doctor, "check the agents' agate hooks (trusted, untrusted, modified) and the bus")  \
	X(console, "the approval console (what `agate` alone opens)")                          \
	X(demo, "play a sample agent session on the bus, to watch in the console")             \
	X(tmux, "open the console in a side pane of the current tmux window")                  \
	X(score, "score requests (NDJSON on stdin) with the risk engine and rules, no bus")    \
	X(rules, "check rule files, or explain how a command would be judged")                 \
	N(review, "run the Guardian: a model reviews requests (advise, auto, --headless)")

#define AG_COMMAND_DECL(name, summary) int cmd_##name(int argc, char **argv);
AG_COMMANDS(AG_COMMAND_DECL, AG_COMMAND_DECL)
#undef AG_COMMAND_DECL

#endif
