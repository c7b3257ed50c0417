/* Shell and JSON colouring (see syntax.h). Not a parser: a lexer good
 * enough to tell the command word, options, strings, variables, operators
 * and comments apart, which is what a reader scanning for danger needs. */
#include "tui/syntax.h"

#include <string.h>

#include "tui/theme.h"

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int
is_operator_char(char c)
{
	return c == '|' || c == '&' || c == ';' || c == '(' || c == ')' || c == '<' || c == '>';
}

/* Words after which the next word is a command again. */
static int
is_prefix_word(const char *w, size_t n)
{
	static const char *const words[] = {
	    "sudo", "doas", "env", "exec",  "time",  "nohup", "xargs",   "nice",    "then",
	    "do",   "else", "if",  "while", "until", "!",     "command", "builtin", "timeout"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i]) == n && memcmp(words[i], w, n) == 0)
			return 1;
	return 0;
}

static int
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Marks a $-expansion starting at s[i] ('$'); returns the index after it. */
static size_t
variable(const char *s, size_t len, size_t i, unsigned char *cls)
{
	size_t j = i + 1;
	if (j < len && (s[j] == '{' || s[j] == '(')) {
		char open = s[j], close = open == '{' ? '}' : ')';
		int depth = 0;
		for (; j < len; j++) {
			if (s[j] == open)
				depth++;
			else if (s[j] == close && --depth == 0) {
				j++;
				break;
			}
		}
	} else if (j < len && !is_name_char(s[j])) {
		j++; /* $?, $$, $1, $@ */
	} else {
		while (j < len && is_name_char(s[j]))
			j++;
	}
	memset(cls + i, TUI_EL_SH_VARIABLE, j - i);
	return j;
}

void
tui_syntax_shell(const char *s, size_t len, unsigned char *cls)
{
	size_t i = 0;
	int cmd_start = 1;

	memset(cls, TUI_EL_DEFAULT, len);
	while (i < len) {
		char c = s[i];
		if (is_space(c)) {
			i++;
			continue;
		}
		if (c == '\n') {
			cmd_start = 1;
			i++;
			continue;
		}
		if (c == '#') {
			while (i < len && s[i] != '\n')
				cls[i++] = TUI_EL_SH_COMMENT;
			continue;
		}
		/* A redirection keeps the command position: its target is a file. */
		size_t r = i;
		while (r < len && s[r] >= '0' && s[r] <= '9')
			r++;
		if (r < len && (s[r] == '<' || s[r] == '>')) {
			while (r < len && (s[r] == '<' || s[r] == '>' || s[r] == '&'))
				r++;
			memset(cls + i, TUI_EL_SH_OPERATOR, r - i);
			i = r;
			continue;
		}
		if (is_operator_char(c)) {
			while (i < len && is_operator_char(s[i]) && s[i] != '<' && s[i] != '>')
				cls[i++] = TUI_EL_SH_OPERATOR;
			cmd_start = 1;
			continue;
		}
		/* A word: up to unquoted blank or operator. */
		size_t start = i;
		int assignment = 0, quoted_parts = 0;
		while (i < len && !is_space(s[i]) && s[i] != '\n' && !is_operator_char(s[i])) {
			if (s[i] == '\\') {
				i += i + 1 < len ? 2 : 1;
			} else if (s[i] == '\'') {
				size_t q = i++;
				while (i < len && s[i] != '\'')
					i++;
				if (i < len)
					i++;
				memset(cls + q, TUI_EL_SH_STRING, i - q);
				quoted_parts = 1;
			} else if (s[i] == '"') {
				size_t q = i++;
				cls[q] = TUI_EL_SH_STRING;
				while (i < len && s[i] != '"') {
					if (s[i] == '\\' && i + 1 < len) {
						cls[i] = cls[i + 1] = TUI_EL_SH_STRING;
						i += 2;
					} else if (s[i] == '$') {
						i = variable(s, len, i, cls);
					} else {
						cls[i++] = TUI_EL_SH_STRING;
					}
				}
				if (i < len)
					cls[i++] = TUI_EL_SH_STRING;
				quoted_parts = 1;
			} else if (s[i] == '$') {
				i = variable(s, len, i, cls);
				quoted_parts = 1;
			} else {
				if (s[i] == '=' && i > start && !quoted_parts)
					assignment = 1;
				i++;
			}
		}
		size_t n = i - start;
		unsigned char word_class = TUI_EL_DEFAULT;
		if (cmd_start && assignment) {
			word_class = TUI_EL_SH_VARIABLE; /* FOO=bar cmd: still before the command */
		} else if (cmd_start) {
			word_class = TUI_EL_SH_COMMAND;
			cmd_start = is_prefix_word(s + start, n);
		} else if (s[start] == '-') {
			word_class = TUI_EL_SH_OPTION;
		}
		for (size_t k = start; k < i; k++)
			if (cls[k] == TUI_EL_DEFAULT)
				cls[k] = word_class;
	}
}

void
tui_syntax_json(const char *s, size_t len, unsigned char *cls)
{
	size_t i = 0;

	memset(cls, TUI_EL_DEFAULT, len);
	while (i < len) {
		char c = s[i];
		if (c == '"') {
			size_t q = i++;
			while (i < len && s[i] != '"')
				i += s[i] == '\\' && i + 1 < len ? 2 : 1;
			if (i < len)
				i++;
			/* A key is a string followed by a colon. */
			size_t k = i;
			while (k < len && is_space(s[k]))
				k++;
			memset(cls + q,
			       k < len && s[k] == ':' ? TUI_EL_JSON_KEY : TUI_EL_JSON_STRING,
			       i - q);
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t q = i;
			while (i < len &&
			       (s[i] == '-' || s[i] == '+' || s[i] == '.' || s[i] == 'e' ||
			        s[i] == 'E' || (s[i] >= '0' && s[i] <= '9')))
				i++;
			memset(cls + q, TUI_EL_JSON_NUMBER, i - q);
		} else if (c >= 'a' && c <= 'z') {
			size_t q = i;
			while (i < len && s[i] >= 'a' && s[i] <= 'z')
				i++;
			memset(cls + q, TUI_EL_JSON_LITERAL, i - q);
		} else {
			i++;
		}
	}
}

void
tui_syntax_flag_spans(const struct ag_risk *risk, size_t len, unsigned char *cls)
{
	for (size_t i = 0; risk != NULL && i < risk->nreasons; i++) {
		const struct ag_reason *r = &risk->reasons[i];
		if (r->start < 0 || r->end <= r->start || (size_t)r->start >= len)
			continue;
		size_t end = (size_t)r->end < len ? (size_t)r->end : len;
		memset(cls + r->start, TUI_EL_FLAGGED, end - (size_t)r->start);
	}
}
