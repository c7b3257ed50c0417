/* The key tables (see keys.h). */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include "tui/keys.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

struct binding {
	int key;
	enum tui_action action;
};

#define TUI_BINDING_ENTRY(key, action) {key, TUI_ACT_##action},
static const struct binding bindings[] = {TUI_BINDINGS(TUI_BINDING_ENTRY)};
#undef TUI_BINDING_ENTRY

#define TUI_ACTION_NAME(name, str, help) str,
static const char *const action_names[] = {"none", TUI_ACTIONS(TUI_ACTION_NAME)};
#undef TUI_ACTION_NAME
#define TUI_ACTION_HELP(name, str, help) help,
static const char *const action_helps[] = {"", TUI_ACTIONS(TUI_ACTION_HELP)};
#undef TUI_ACTION_HELP

enum tui_action
tui_key_action(int key)
{
	for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
		if (bindings[i].key == key)
			return bindings[i].action;
	if (key == '\n')
		return TUI_ACT_FULLSCREEN;
	return TUI_ACT_NONE;
}

const char *
tui_action_name(enum tui_action action)
{
	return (unsigned)action < TUI_ACT_COUNT ? action_names[action] : "?";
}

const char *
tui_action_help(enum tui_action action)
{
	return (unsigned)action < TUI_ACT_COUNT ? action_helps[action] : "";
}

const char *
tui_key_name(int key, char *buf, unsigned size)
{
	static const struct {
		int key;
		const char *name;
	} names[] = {
	    {KEY_DOWN, "Down"},   {KEY_UP, "Up"},      {KEY_LEFT, "Left"}, {KEY_RIGHT, "Right"},
	    {KEY_NPAGE, "PgDn"},  {KEY_PPAGE, "PgUp"}, {KEY_HOME, "Home"}, {KEY_END, "End"},
	    {KEY_ENTER, "Enter"}, {'\r', "Enter"},     {'\t', "Tab"},      {' ', "Space"},
	    {27, "Esc"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].key == key)
			return names[i].name;
	if (key > 0 && key < 32)
		snprintf(buf, size, "^%c", key + 64);
	else if (key > 32 && key < 127)
		snprintf(buf, size, "%c", key);
	else
		snprintf(buf, size, "#%d", key);
	return buf;
}

const char *
tui_action_keys(enum tui_action action, char *buf, unsigned size)
{
	size_t used = 0;
	char last[16] = "";

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++) {
		char tmp[16];
		if (bindings[i].action != action)
			continue;
		const char *name = tui_key_name(bindings[i].key, tmp, sizeof tmp);
		if (strcmp(last, name) == 0)
			continue; /* \r and KEY_ENTER are both "Enter" */
		int n = snprintf(buf + used, size - used, "%s%s", used ? " " : "", name);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
		snprintf(last, sizeof last, "%s", name);
	}
	return buf;
}
