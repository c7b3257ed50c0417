/* The curses screen the two full-screen programs share (the console and
 * the replay): the theme with its NO_COLOR and fallback rules, the
 * terminal modes, and signals kept as flags for the loop to read (tmux's
 * way), with resizes read there rather than left to curses' own SIGWINCH
 * handling, which can lose one that lands between its check and a poll(). */
#ifndef AGATE_TUI_SCREEN_H
#define AGATE_TUI_SCREEN_H

#include <stddef.h>

#include "tui/theme.h"

/* Loads the theme called name (NULL: "default"), or "mono" when NO_COLOR
 * is set. A theme with errors lists them on stderr and is replaced by the
 * built-in default; first_error then holds a line for the status bar
 * (else ""), and -1 is returned. */
int tui_screen_theme(const char *name, struct tui_theme *theme, int *no_color, char *first_error,
                     size_t size);

/* Starts curses: keys one at a time without echo, no cursor, the mouse
 * when asked, the theme's colours (none when no_color or the terminal has
 * none). */
void tui_screen_start(const struct tui_theme *theme, int no_color, int mouse);
/* Clears the screen and leaves curses, the terminal as it was. */
void tui_screen_end(void);

/* SIGTERM, SIGINT and SIGHUP end the loop; SIGWINCH marks a resize;
 * SIGPIPE is ignored (a hub gone is an error to read, not a death). */
void tui_screen_signals(void);
/* The ending signal caught so far, or 0. */
int tui_screen_stopped(void);
/* After a SIGWINCH, or always when force is set: reads the terminal's size
 * and resizes curses to it. 1 when the size changed (redraw). */
int tui_screen_check_size(int force);

#endif
