#include "tui/screen.h"

#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static volatile sig_atomic_t got_signal;
static volatile sig_atomic_t got_winch;

int
tui_screen_theme(const char *name, struct tui_theme *theme, int *no_color, char *first_error,
                 size_t size)
{
	struct tui_theme_errors errs;
	const char *nc = getenv("NO_COLOR");

	memset(&errs, 0, sizeof errs);
	first_error[0] = '\0';
	*no_color = nc != NULL && *nc != '\0';
	if (*no_color) {
		tui_theme_builtin("mono", theme);
		return 0;
	}
	if (tui_theme_load(name ? name : "default", theme, &errs) == 0)
		return 0;
	for (int i = 0; i < errs.n; i++)
		fprintf(stderr, "agate: theme: %s\n", errs.msg[i]);
	if (errs.total > errs.n)
		fprintf(stderr, "agate: theme: ... and %d more errors\n", errs.total - errs.n);
	fprintf(stderr, "agate: using the built-in default theme\n");
	snprintf(first_error, size, "theme: %s (using the default)", errs.n ? errs.msg[0] : "?");
	return -1;
}

void
tui_screen_start(const struct tui_theme *theme, int no_color, int mouse)
{
	initscr();
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (mouse)
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED,
		          NULL);
	tui_theme_apply(theme, no_color || !has_colors());
	unsigned long attrs;
	short pair;
	tui_theme_attr(TUI_EL_DEFAULT, &attrs, &pair);
	bkgdset((chtype)(COLOR_PAIR(pair) | (attr_t)attrs | ' '));
	/* Until the screen has been suspended once, ncurses (6.4) flushes its
	 * output at every cursor move: its mvcur cannot tell a program that
	 * only uses terminfo from one past initscr, whose state stays
	 * "initial". Each paint then went out as a write per line (80 for a
	 * diff screen), each one woken and parsed by tmux on its own: the
	 * first screen of a diff reached the pane over a millisecond. One
	 * suspend and resume, before anything is drawn, and every paint is
	 * a single write. */
	endwin();
	refresh();
}

void
tui_screen_end(void)
{
	erase();
	refresh();
	endwin();
}

static void
on_signal(int sig)
{
	got_signal = sig;
}

static void
on_winch(int sig)
{
	(void)sig;
	got_winch = 1;
}

void
tui_screen_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int
tui_screen_stopped(void)
{
	return got_signal;
}

int
tui_screen_check_size(int force)
{
	struct winsize ws;

	if (!got_winch && !force)
		return 0;
	got_winch = 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0)
		return 0;
	if (ws.ws_row == LINES && ws.ws_col == COLS)
		return 0;
	resizeterm(ws.ws_row, ws.ws_col);
	return 1;
}
