/* What the console and the replay do alike with a key or the mouse:
 * moving in the list and in the detail, focus, full screen, wrap and
 * sideways scrolling, flagged lines, the search and session filters, the
 * text typed at a prompt, and scrolling the help overlay. Deciding, the
 * bus and the replay's clock stay with their programs. */
#ifndef AGATE_TUI_NAV_H
#define AGATE_TUI_NAV_H

#include <wchar.h>

#include "tui/keys.h"
#include "tui/view.h"

/* Does a navigation action; 0 when a is not one (a decision, the history
 * toggle, help, quit: the caller's). */
int tui_nav_action(struct tui_ui *ui, enum tui_action a);
/* A mouse event: a click selects a list row or focuses the detail, the
 * wheel scrolls what is under it. */
void tui_nav_mouse(struct tui_ui *ui);
/* A key while the help overlay is open: scrolls it, any other closes it. */
void tui_nav_help_key(struct tui_ui *ui, int fkey, wint_t ch);

/* Same search and session filter in both lists. */
void tui_nav_set_filters(struct tui_ui *ui, const char *search, const char *session);
/* Opens prompt p with initial text, on the selected request. */
void tui_nav_start_prompt(struct tui_ui *ui, enum tui_prompt p, const char *initial);

enum tui_edit { TUI_EDIT_CHANGED, TUI_EDIT_ENTER, TUI_EDIT_ESCAPE, TUI_EDIT_IGNORED };
/* Edits ui->input with a key: a character, Backspace (a whole UTF-8
 * character), ^U (all). Enter and Esc are reported, not applied. */
enum tui_edit tui_nav_edit(struct tui_ui *ui, int fkey, wint_t ch);
/* A key at the search prompt: the filter follows the text as it is typed;
 * Enter keeps it, Esc puts back the one from before. */
void tui_nav_search_key(struct tui_ui *ui, int fkey, wint_t ch);

#endif
