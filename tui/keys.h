/* Keys, enumerated once: the actions (name and help text) and the keys
 * bound to them. The `?` overlay and agate(1)'s key list are generated from
 * these two tables, so a key cannot exist without its help line. */
#ifndef AGATE_TUI_KEYS_H
#define AGATE_TUI_KEYS_H

/* X(ENUM, "name", "help") — in the order the help overlay lists them. */
#define TUI_ACTIONS(X)                                                                           \
	X(APPROVE, "approve", "approve once")                                                    \
	X(APPROVE_SESSION, "approve-session", "approve this action for the rest of the session") \
	X(DENY, "deny", "deny, with an optional reason that goes back to the agent")             \
	X(ABORT, "abort", "abort: deny and tell the agent to stop its turn")                     \
	X(GUARDIAN, "guardian", "ask the Guardian to review the request")                        \
	X(DOWN, "down", "next request (list) or scroll down (detail)")                           \
	X(UP, "up", "previous request (list) or scroll up (detail)")                             \
	X(PAGE_DOWN, "page-down", "scroll the detail down a page")                               \
	X(PAGE_UP, "page-up", "scroll the detail up a page")                                     \
	X(TOP, "top", "first request, or top of the detail")                                     \
	X(BOTTOM, "bottom", "last request, or end of the detail")                                \
	X(LEFT, "left", "scroll the detail left (when not wrapping)")                            \
	X(RIGHT, "right", "scroll the detail right (when not wrapping)")                         \
	X(NEXT_FLAG, "next-flagged", "jump to the next flagged diff line")                       \
	X(PREV_FLAG, "prev-flagged", "jump to the previous flagged diff line")                   \
	X(FOCUS, "focus", "move the focus between the list and the detail")                      \
	X(FULLSCREEN, "fullscreen", "show the detail full screen, or go back")                   \
	X(WRAP, "wrap", "wrap long lines, or scroll them sideways")                              \
	X(SEARCH, "search", "search: show only requests containing a text")                      \
	X(SESSION, "session", "show only the selected request's session; again for all")         \
	X(HISTORY, "history", "decided requests from the journal, or back to pending")           \
	X(CANCEL, "cancel", "leave full screen, else clear the search and session filter")       \
	X(REDRAW, "redraw", "redraw the screen")                                                 \
	X(HELP, "help", "this help")                                                             \
	X(QUIT, "quit", "quit; pending requests stay pending on the hub")

#define TUI_ACTION_ENUM(name, str, help) TUI_ACT_##name,
enum tui_action { TUI_ACT_NONE, TUI_ACTIONS(TUI_ACTION_ENUM) TUI_ACT_COUNT };
#undef TUI_ACTION_ENUM

/* X(key, ACTION): key is a character or a curses KEY_* code. */
#define TUI_BINDINGS(X)          \
	X('y', APPROVE)          \
	X('s', APPROVE_SESSION)  \
	X('n', DENY)             \
	X('x', ABORT)            \
	X('g', GUARDIAN)         \
	X(KEY_DOWN, DOWN)        \
	X('j', DOWN)             \
	X(KEY_UP, UP)            \
	X('k', UP)               \
	X(KEY_NPAGE, PAGE_DOWN)  \
	X(' ', PAGE_DOWN)        \
	X(KEY_PPAGE, PAGE_UP)    \
	X('b', PAGE_UP)          \
	X(KEY_HOME, TOP)         \
	X('<', TOP)              \
	X(KEY_END, BOTTOM)       \
	X('>', BOTTOM)           \
	X('G', BOTTOM)           \
	X(KEY_LEFT, LEFT)        \
	X('h', LEFT)             \
	X(KEY_RIGHT, RIGHT)      \
	X('l', RIGHT)            \
	X(']', NEXT_FLAG)        \
	X('[', PREV_FLAG)        \
	X('\t', FOCUS)           \
	X('\r', FULLSCREEN)      \
	X(KEY_ENTER, FULLSCREEN) \
	X('z', FULLSCREEN)       \
	X('w', WRAP)             \
	X('/', SEARCH)           \
	X('f', SESSION)          \
	X('H', HISTORY)          \
	X(27, CANCEL)            \
	X(12, REDRAW)            \
	X('?', HELP)             \
	X('q', QUIT)

/* The action bound to a key (TUI_ACT_NONE when unbound). */
enum tui_action tui_key_action(int key);
const char *tui_action_name(enum tui_action action);
const char *tui_action_help(enum tui_action action);
/* A key's printable name: "y", "Down", "PgDn", "Space", "Tab", "Esc", "^L". */
const char *tui_key_name(int key, char *buf, unsigned size);
/* The keys bound to an action, as "j Down" (for the help), into buf. */
const char *tui_action_keys(enum tui_action action, char *buf, unsigned size);

#endif
