/* Fuzz target: the theme parser takes a user's file, so any bytes must give
 * a theme or errors, never a crash, an overread or an unbounded loop. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tui/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tui_theme theme;
	struct tui_theme_errors errs;

	memset(&errs, 0, sizeof errs);
	tui_theme_builtin("default", &theme);
	tui_theme_parse(&theme, (const char *)data, size, "fuzz", &errs);
	/* Every message is bounded and NUL-terminated. */
	for (int i = 0; i < errs.n; i++)
		if (strlen(errs.msg[i]) >= sizeof errs.msg[i])
			__builtin_trap();
	return 0;
}
