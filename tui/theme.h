/* Themes: what colour and attributes each element of the console gets.
 *
 * A theme file is a list of lines (agate-theme(5)):
 *
 *     # comment
 *     color ELEMENT FG BG [ATTR...]
 *
 * FG and BG are `default`, a name (`red`, `bright-blue`), `colorN` or `N`
 * (0..255), or `#rrggbb`. ATTRs are bold, dim, italic, underline, reverse,
 * standout, blink, normal. Elements are enumerated once below; the parser,
 * the manual page's list and the built-in themes all come from this table.
 *
 * The parser is pure (no curses) so that it can be unit-tested and fuzzed;
 * tui_theme_apply() is the only function here that talks to the terminal. */
#ifndef AGATE_TUI_THEME_H
#define AGATE_TUI_THEME_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* X(ENUM, "name", "what it colours") */
#define TUI_ELEMENTS(X)                                                                          \
	X(DEFAULT, "default", "ordinary text and the background of every pane")                  \
	X(STATUS, "status", "the status line at the bottom")                                     \
	X(TITLE, "title", "pane titles")                                                         \
	X(BORDER, "border", "the line between the list and the detail pane")                     \
	X(CURSOR, "cursor", "the selected request when the list has the focus")                  \
	X(CURSOR_BLUR, "cursor-blur", "the selected request when the detail pane has the focus") \
	X(AGE, "age", "the age column of the list")                                              \
	X(AGENT, "agent", "agent and session names")                                             \
	X(KIND, "kind", "the action kind (exec, patch, network, mcp, permission)")               \
	X(SUMMARY, "summary", "the one-line summary of a request")                               \
	X(RISK_LOW, "risk-low", "the badge of a low-risk request")                               \
	X(RISK_MEDIUM, "risk-medium", "the badge of a medium-risk request")                      \
	X(RISK_HIGH, "risk-high", "the badge of a high-risk request")                            \
	X(RISK_CRITICAL, "risk-critical", "the badge of a critical request")                     \
	X(BADGE, "badge", "placeholders for control, escape, bidi and invalid characters")       \
	X(LABEL, "label", "field names in the detail pane")                                      \
	X(TEXT, "text", "agent-written prose: the justification")                                \
	X(SH_COMMAND, "sh-command", "the command word of a shell command")                       \
	X(SH_OPTION, "sh-option", "options such as -rf or --force")                              \
	X(SH_STRING, "sh-string", "quoted strings")                                              \
	X(SH_VARIABLE, "sh-variable", "$VARIABLES and $(substitutions)")                         \
	X(SH_OPERATOR, "sh-operator", "pipes, redirections, ; && ||")                            \
	X(SH_COMMENT, "sh-comment", "# comments")                                                \
	X(FLAGGED, "flagged", "the text a risk reason points at")                                \
	X(REASON, "reason", "the risk engine's reasons")                                         \
	X(DIFF_HEADER, "diff-header", "diff --git, index and mode lines")                        \
	X(DIFF_FILE, "diff-file", "--- and +++ file lines")                                      \
	X(DIFF_HUNK, "diff-hunk", "@@ hunk headers")                                             \
	X(DIFF_ADD, "diff-add", "added lines")                                                   \
	X(DIFF_DEL, "diff-del", "removed lines")                                                 \
	X(DIFF_CONTEXT, "diff-context", "context lines")                                         \
	X(LINENO, "lineno", "line numbers")                                                      \
	X(DIFF_FLAGGED, "diff-flagged", "the marker of a diff line a risk reason points at")     \
	X(JSON_KEY, "json-key", "keys of MCP arguments")                                         \
	X(JSON_STRING, "json-string", "string values of MCP arguments")                          \
	X(JSON_NUMBER, "json-number", "numbers of MCP arguments")                                \
	X(JSON_LITERAL, "json-literal", "true, false and null in MCP arguments")                 \
	X(GUARDIAN_ALLOW, "guardian-allow", "a Guardian verdict that allows")                    \
	X(GUARDIAN_DENY, "guardian-deny", "a Guardian verdict that denies")                      \
	X(GUARDIAN_FAILED, "guardian-failed", "\"review failed\" and why")                       \
	X(GUARDIAN_PENDING, "guardian-pending", "a review that was asked for and not yet given") \
	X(APPROVED, "approved", "approve decisions in the history view")                         \
	X(DENIED, "denied", "deny, abort and timeout decisions in the history view")             \
	X(NOTICE, "notice", "short notices (decided elsewhere, reconnected)")                    \
	X(ERROR, "error", "errors and the hub-down warning")                                     \
	X(PROMPT, "prompt", "prompts: deny reason, search, confirmations")                       \
	X(HELP_KEY, "help-key", "keys in the help overlay")                                      \
	X(SEARCH, "search", "text matching the active search")

#define TUI_EL_ENUM(name, str, help) TUI_EL_##name,
enum tui_element { TUI_ELEMENTS(TUI_EL_ENUM) TUI_EL_COUNT };
#undef TUI_EL_ENUM

const char *tui_element_name(enum tui_element el);
const char *tui_element_help(enum tui_element el);
int tui_element_parse(const char *name); /* -1 when unknown */

enum tui_color_type { TUI_COLOR_DEFAULT, TUI_COLOR_INDEX, TUI_COLOR_RGB };
struct tui_color {
	enum tui_color_type type;
	uint32_t value; /* INDEX: 0..255; RGB: 0xrrggbb */
};

#define TUI_ATTR_BOLD      0x01u
#define TUI_ATTR_DIM       0x02u
#define TUI_ATTR_ITALIC    0x04u
#define TUI_ATTR_UNDERLINE 0x08u
#define TUI_ATTR_REVERSE   0x10u
#define TUI_ATTR_STANDOUT  0x20u
#define TUI_ATTR_BLINK     0x40u

struct tui_style {
	struct tui_color fg, bg;
	unsigned attrs;
};

struct tui_theme {
	struct tui_style el[TUI_EL_COUNT];
};

/* Errors of one parse: every bad line is reported (up to a bound), each
 * as "FILE:LINE:COL: what", so a user fixes a file in one go. */
#define TUI_THEME_ERRORS_MAX 8
struct tui_theme_errors {
	char msg[TUI_THEME_ERRORS_MAX][AG_ERROR_MAX];
	int n;     /* kept */
	int total; /* seen */
};

/* The themes compiled in: "default" (dark) and "mono" (attributes only).
 * Returns -1 for another name. */
int tui_theme_builtin(const char *name, struct tui_theme *out);

/* Applies the lines of text (len bytes) over *theme. Lines that fail are
 * skipped and reported in errs. Returns the number of errors (0: clean). */
int tui_theme_parse(struct tui_theme *theme, const char *text, size_t len, const char *filename,
                    struct tui_theme_errors *errs);

/* Parses one colour word. 0, or -1 with a message in err. */
int tui_color_parse(const char *word, struct tui_color *out, struct ag_error *err);

#define TUI_THEME_FILE_MAX (64 * 1024)
/* Loads a theme by name or path. A name is looked for as NAME.theme in
 * $XDG_CONFIG_HOME/agate/themes, then in the installed themes directory
 * (or $AGATE_THEME_DIR), then among the built-ins; a path (containing '/')
 * is read as is. Starts from the built-in default, so unset elements keep
 * it. On any error *out is the built-in default and errs says why (-1). */
int tui_theme_load(const char *name, struct tui_theme *out, struct tui_theme_errors *errs);

/* Colour arithmetic, pure so that it can be tested: the xterm palette's
 * RGB value of index 0..255, the nearest 256-colour index of an RGB value
 * (cube or grey ramp, as tmux's colour_find_rgb), and a colour as the
 * terminal's number for ncolors colours (-1: the terminal's default).
 * direct: the terminal takes 24-bit RGB colour numbers. */
uint32_t tui_color_index_rgb(int index);
int tui_color_rgb_to_256(uint32_t rgb);
int tui_color_to_term(struct tui_color c, int ncolors, int direct);

/* Sets up curses colour pairs and attributes for every element. With
 * no_color (NO_COLOR set, or a terminal without colours) only attributes
 * are used. Call after initscr(). */
void tui_theme_apply(const struct tui_theme *theme, int no_color);
/* The curses attributes and pair of an element, after tui_theme_apply. */
void tui_theme_attr(enum tui_element el, unsigned long *attrs, short *pair);

#endif
