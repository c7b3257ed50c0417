/* Colouring for the detail pane: a light shell lexer and a JSON line
 * lexer. Each fills one theme element per input byte; the drawing code
 * looks the class up by a cell's source offset, so the colouring never
 * touches the text itself (the sanitizer still does all the escaping).
 * Both are total: any bytes give some colouring, never an error. */
#ifndef AGATE_TUI_SYNTAX_H
#define AGATE_TUI_SYNTAX_H

#include <stddef.h>

#include "core/risk.h"

/* cls[i] = a TUI_EL_* value for s[i]. */
void tui_syntax_shell(const char *s, size_t len, unsigned char *cls);
/* One line of pretty-printed JSON: keys, strings, numbers, literals. */
void tui_syntax_json(const char *s, size_t len, unsigned char *cls);
/* Marks the reasons' byte ranges [start, end) as TUI_EL_FLAGGED. */
void tui_syntax_flag_spans(const struct ag_risk *risk, size_t len, unsigned char *cls);

#endif
