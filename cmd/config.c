/* agate config: print the defaults, or check a configuration file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common.h"
#include "core/config.h"
#include "core/xmalloc.h"

static void
config_usage(FILE *out)
{
	fprintf(out, "usage: agate config --defaults\n"
	             "       agate config --check [FILE]\n\n"
	             "--defaults prints every key with its default and meaning, as a config\n"
	             "file with each line commented out. --check validates FILE (default:\n"
	             "$AGATE_CONFIG, else $XDG_CONFIG_HOME/agate/config) and names the line\n"
	             "of each problem.\n\n"
	             "Exit status: 0 valid, 1 invalid, 2 usage.\n");
}

int
cmd_config(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"defaults", no_argument, NULL, 'd'},
	    {"check", no_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int mode = 0, c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
		case 'c': mode = c; break;
		case 'h': config_usage(stdout); return 0;
		default: config_usage(stderr); return 2;
		}
	}
	if (mode == 'd' && optind == argc) {
		ag_config_print_defaults(stdout);
		return 0;
	}
	if (mode != 'c' || argc - optind > 1) {
		config_usage(stderr);
		return 2;
	}
	const char *env = getenv("AGATE_CONFIG");
	char *path = optind < argc ? xstrdup(argv[optind])
	             : env && *env ? xstrdup(env)
	                           : ag_config_default_path();
	struct ag_config *cfg = ag_config_new();
	struct ag_error err;
	int rc = ag_config_load(cfg, path, 0, &err);
	if (rc == 0)
		printf("%s: ok\n", path);
	else
		fprintf(stderr, "agate config: %s\n", err.msg);
	ag_config_free(&cfg);
	free(path);
	return rc == 0 ? 0 : 1;
}
