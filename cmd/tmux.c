/* agate tmux: open the console in a side pane of the current tmux window.
 *
 * The pane runs this same executable with arguments of our own; tmux gets
 * them as an argument vector (more than one argument: tmux executes them
 * without a shell), and nothing an agent wrote is ever passed to tmux. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "core/xmalloc.h"

static void
tmux_usage(FILE *out)
{
	fprintf(out, "usage: agate tmux [--width N|N%%] [--left] [--stay] [--theme NAME]\n"
	             "                  [--bus DIR] [--journal FILE]\n\n"
	             "Split the current tmux window and run the console in the new side pane.\n\n"
	             "  --width N|N%%   pane width in columns or percent (config key tmux_width,\n"
	             "                 default 60)\n"
	             "  --left         put the pane on the left\n"
	             "  --stay         keep the focus in the current pane\n");
}

/* "60" or "40%": digits, optionally a percent sign; bounded. */
static int
valid_width(const char *w)
{
	size_t n = strlen(w);
	if (n == 0 || n > 5)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)w[i]))
			continue;
		if (w[i] == '%' && i == n - 1 && i > 0)
			continue;
		return 0;
	}
	long v = strtol(w, NULL, 10);
	return w[n - 1] == '%' ? v >= 10 && v <= 90 : v >= 20 && v <= 1000;
}

int
cmd_tmux(int argc, char **argv)
{
	static const struct option longopts[] = {
	    AG_CMD_COMMON_OPTS,
	    {"width", required_argument, NULL, 'w'},
	    {"theme", required_argument, NULL, 't'},
	    {"left", no_argument, NULL, 'l'},
	    {"stay", no_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	const char *bus = NULL, *journal = NULL, *width = NULL, *theme = NULL;
	int left = 0, stay = 0, c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'B': bus = optarg; break;
		case 'J': journal = optarg; break;
		case 'w': width = optarg; break;
		case 't': theme = optarg; break;
		case 'l': left = 1; break;
		case 's': stay = 1; break;
		case 'h': tmux_usage(stdout); return 0;
		default: tmux_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		tmux_usage(stderr);
		return 2;
	}
	const char *inside = getenv("TMUX");
	if (inside == NULL || *inside == '\0') {
		fprintf(stderr, "agate tmux: not inside tmux ($TMUX is not set).\n"
		                "Start tmux first, or run 'agate' to open the console here.\n");
		return 1;
	}
	struct ag_cmd_env env;
	if (ag_cmd_env_load(&env, bus, journal) != 0)
		return 2;
	char wbuf[16];
	if (width == NULL) {
		snprintf(wbuf, sizeof wbuf, "%lld",
		         (long long)ag_config_int(env.cfg, "tmux_width"));
		width = wbuf;
	}
	if (!valid_width(width)) {
		fprintf(stderr, "agate tmux: --width: expected 20..1000 columns or 10%%..90%%\n");
		ag_cmd_env_free(&env);
		return 2;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0) {
		fprintf(stderr, "agate tmux: cannot find this executable: %s\n", strerror(errno));
		ag_cmd_env_free(&env);
		return 1;
	}
	exe[n] = '\0';

	const char *args[24];
	int k = 0;
	args[k++] = "tmux";
	args[k++] = "split-window";
	args[k++] = "-h";
	if (left)
		args[k++] = "-b";
	if (stay)
		args[k++] = "-d";
	args[k++] = "-l";
	args[k++] = width;
	/* The new pane gets the tmux server's environment, not ours: say
	 * explicitly what this console should use. */
	const char *nc = getenv("NO_COLOR");
	if (nc != NULL && *nc != '\0') {
		args[k++] = "-e";
		args[k++] = "NO_COLOR=1";
	}
	args[k++] = "--";
	args[k++] = exe;
	args[k++] = "console";
	args[k++] = "--bus";
	args[k++] = env.bus;
	args[k++] = "--journal";
	args[k++] = env.journal;
	if (theme != NULL) {
		args[k++] = "--theme";
		args[k++] = theme;
	}
	args[k] = NULL;
	fflush(NULL);
	execvp("tmux", (char *const *)args);
	fprintf(stderr, "agate tmux: cannot run tmux: %s\n", strerror(errno));
	ag_cmd_env_free(&env);
	return 1;
}
