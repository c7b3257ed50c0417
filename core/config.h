/* Configuration: $XDG_CONFIG_HOME/agate/config, `key = value` lines, `#`
 * comments. Keys are declared once in a table (name, type, default, help);
 * a bad line is an error naming file:line. Environment and flags override
 * the file: callers apply ag_config_set() after ag_config_load(). */
#ifndef AGATE_CORE_CONFIG_H
#define AGATE_CORE_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"

struct ag_config;

struct ag_config *ag_config_new(void); /* all keys at their defaults */
void ag_config_free(struct ag_config **cfg);

/* $XDG_CONFIG_HOME/agate/config (or ~/.config/agate/config); caller frees. */
char *ag_config_default_path(void);
/* Loads a file. A missing file is not an error when missing_ok. */
int ag_config_load(struct ag_config *cfg, const char *path, int missing_ok, struct ag_error *err);
/* Sets one key from text, validating it ("timeout: expected a duration like 30s"). */
int ag_config_set(struct ag_config *cfg, const char *key, const char *value, struct ag_error *err);

const char *ag_config_str(const struct ag_config *cfg, const char *key);
int64_t ag_config_int(const struct ag_config *cfg, const char *key);
/* Durations are stored in milliseconds ("30s", "10m", "500ms", "2h"). */
int64_t ag_config_ms(const struct ag_config *cfg, const char *key);
int ag_config_bool(const struct ag_config *cfg, const char *key);

/* Writes every key with its default and help, for `agate config --defaults`. */
void ag_config_print_defaults(FILE *out);

#endif
