/* Theme files: parsing (pure), finding files, colour arithmetic, and
 * handing the result to curses (tui_theme_apply, the only curses code). */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include "tui/theme.h"

#include <ctype.h>
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hex.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"

#ifndef AGATE_DATADIR
#define AGATE_DATADIR "/usr/local/share/agate"
#endif

#define TUI_EL_NAME(name, str, help) str,
static const char *const element_names[] = {TUI_ELEMENTS(TUI_EL_NAME)};
#undef TUI_EL_NAME
#define TUI_EL_HELP(name, str, help) help,
static const char *const element_helps[] = {TUI_ELEMENTS(TUI_EL_HELP)};
#undef TUI_EL_HELP

const char *
tui_element_name(enum tui_element el)
{
	return (unsigned)el < TUI_EL_COUNT ? element_names[el] : "?";
}

const char *
tui_element_help(enum tui_element el)
{
	return (unsigned)el < TUI_EL_COUNT ? element_helps[el] : "?";
}

int
tui_element_parse(const char *name)
{
	for (int i = 0; i < TUI_EL_COUNT; i++)
		if (strcmp(name, element_names[i]) == 0)
			return i;
	return -1;
}

/* The built-in themes, in the file format, so that they go through the
 * same parser as a user's file. themes/default.theme and themes/mono.theme
 * are the same text (a unit test holds them to it). */
static const char builtin_default[] = "color default          default   default\n"
                                      "color status           color252  color236\n"
                                      "color title            color231  color24   bold\n"
                                      "color border           color240  default\n"
                                      "color cursor           color231  color25   bold\n"
                                      "color cursor-blur      default   color238\n"
                                      "color age              color245  default\n"
                                      "color agent            color110  default\n"
                                      "color kind             color180  default\n"
                                      "color summary          default   default\n"
                                      "color risk-low         color16   color71   bold\n"
                                      "color risk-medium      color16   color179  bold\n"
                                      "color risk-high        color16   color208  bold\n"
                                      "color risk-critical    color231  color160  bold\n"
                                      "color badge            color16   color213\n"
                                      "color label            color245  default\n"
                                      "color text             color252  default\n"
                                      "color sh-command       color81   default   bold\n"
                                      "color sh-option        color180  default\n"
                                      "color sh-string        color114  default\n"
                                      "color sh-variable      color176  default\n"
                                      "color sh-operator      color203  default   bold\n"
                                      "color sh-comment       color244  default\n"
                                      "color flagged          color231  color124  bold underline\n"
                                      "color reason           color216  default\n"
                                      "color diff-header      color244  default   bold\n"
                                      "color diff-file        color231  default   bold\n"
                                      "color diff-hunk        color75   default\n"
                                      "color diff-add         color114  default\n"
                                      "color diff-del         color203  default\n"
                                      "color diff-context     default   default\n"
                                      "color lineno           color240  default\n"
                                      "color diff-flagged     color231  color160  bold\n"
                                      "color json-key         color110  default\n"
                                      "color json-string      color114  default\n"
                                      "color json-number      color180  default\n"
                                      "color json-literal     color176  default\n"
                                      "color guardian-allow   color114  default   bold\n"
                                      "color guardian-deny    color203  default   bold\n"
                                      "color guardian-failed  color16   color214  bold\n"
                                      "color guardian-pending color245  default\n"
                                      "color approved         color114  default\n"
                                      "color denied           color203  default\n"
                                      "color notice           color16   color150\n"
                                      "color error            color231  color124  bold\n"
                                      "color prompt           color231  color24   bold\n"
                                      "color help-key         color81   default   bold\n"
                                      "color search           color16   color220\n";

static const char builtin_mono[] = "color default          default default\n"
                                   "color status           default default reverse\n"
                                   "color title            default default bold underline\n"
                                   "color border           default default dim\n"
                                   "color cursor           default default reverse bold\n"
                                   "color cursor-blur      default default underline\n"
                                   "color age              default default dim\n"
                                   "color agent            default default\n"
                                   "color kind             default default\n"
                                   "color summary          default default\n"
                                   "color risk-low         default default\n"
                                   "color risk-medium      default default bold\n"
                                   "color risk-high        default default bold underline\n"
                                   "color risk-critical    default default reverse bold\n"
                                   "color badge            default default reverse\n"
                                   "color label            default default dim\n"
                                   "color text             default default\n"
                                   "color sh-command       default default bold\n"
                                   "color sh-option        default default\n"
                                   "color sh-string        default default\n"
                                   "color sh-variable      default default\n"
                                   "color sh-operator      default default bold\n"
                                   "color sh-comment       default default dim\n"
                                   "color flagged          default default reverse underline\n"
                                   "color reason           default default\n"
                                   "color diff-header      default default bold\n"
                                   "color diff-file        default default bold\n"
                                   "color diff-hunk        default default underline\n"
                                   "color diff-add         default default bold\n"
                                   "color diff-del         default default dim\n"
                                   "color diff-context     default default\n"
                                   "color lineno           default default dim\n"
                                   "color diff-flagged     default default reverse bold\n"
                                   "color json-key         default default bold\n"
                                   "color json-string      default default\n"
                                   "color json-number      default default\n"
                                   "color json-literal     default default\n"
                                   "color guardian-allow   default default bold\n"
                                   "color guardian-deny    default default bold underline\n"
                                   "color guardian-failed  default default reverse\n"
                                   "color guardian-pending default default dim\n"
                                   "color approved         default default\n"
                                   "color denied           default default bold\n"
                                   "color notice           default default bold\n"
                                   "color error            default default reverse bold\n"
                                   "color prompt           default default bold\n"
                                   "color help-key         default default bold\n"
                                   "color search           default default reverse\n";

int
tui_theme_builtin(const char *name, struct tui_theme *out)
{
	const char *text;

	if (strcmp(name, "default") == 0)
		text = builtin_default;
	else if (strcmp(name, "mono") == 0)
		text = builtin_mono;
	else
		return -1;
	memset(out, 0, sizeof *out);
	if (tui_theme_parse(out, text, strlen(text), name, NULL) != 0)
		abort(); /* a broken built-in is a bug the unit tests catch */
	return 0;
}

static const char *const colour_words[] = {"black", "red",     "green", "yellow",
                                           "blue",  "magenta", "cyan",  "white"};

static int
parse_index(const char *s, uint32_t *out)
{
	if (*s == '\0' || strlen(s) > 3)
		return -1;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	long v = strtol(s, NULL, 10);
	if (v > 255)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* A word from a file, made safe and short for an error message. */
static char *
quote_word(const char *word)
{
	size_t n = strlen(word);
	char *s = ag_sanitize_line(word, n > 40 ? 40 : n);
	if (n > 40) {
		char *t = xasprintf("%s...", s);
		free(s);
		s = t;
	}
	return s;
}

int
tui_color_parse(const char *word, struct tui_color *out, struct ag_error *err)
{
	const char *num = NULL;

	if (strcmp(word, "default") == 0) {
		out->type = TUI_COLOR_DEFAULT;
		out->value = 0;
		return 0;
	}
	for (int bright = 0; bright < 2; bright++) {
		const char *name = word;
		if (bright) {
			if (strncmp(word, "bright-", 7) == 0)
				name = word + 7;
			else if (strncmp(word, "bright", 6) == 0)
				name = word + 6;
			else
				break;
		}
		for (int i = 0; i < 8; i++) {
			if (strcmp(name, colour_words[i]) == 0) {
				out->type = TUI_COLOR_INDEX;
				out->value = (uint32_t)(i + 8 * bright);
				return 0;
			}
		}
	}
	if (word[0] == '#') {
		if (strlen(word) != 7)
			goto bad_rgb;
		uint32_t v = 0;
		for (int i = 1; i < 7; i++) {
			int h = ag_hex_digit((unsigned char)word[i]);
			if (h < 0)
				goto bad_rgb;
			v = v << 4 | (uint32_t)h;
		}
		out->type = TUI_COLOR_RGB;
		out->value = v;
		return 0;
	}
	if (strncmp(word, "colour", 6) == 0)
		num = word + 6;
	else if (strncmp(word, "color", 5) == 0)
		num = word + 5;
	else if (isdigit((unsigned char)word[0]))
		num = word;
	if (num != NULL) {
		if (parse_index(num, &out->value) != 0) {
			char *q = quote_word(word);
			ag_fail(err, "colour number out of range in '%s' (expected 0 to 255)", q);
			free(q);
			return -1;
		}
		out->type = TUI_COLOR_INDEX;
		return 0;
	}
	char *q = quote_word(word);
	ag_fail(err,
	        "unknown colour '%s' (expected default, a name like red or bright-blue, "
	        "color0..color255, or #rrggbb)",
	        q);
	free(q);
	return -1;
bad_rgb:;
	char *q2 = quote_word(word);
	ag_fail(err, "bad colour '%s' (expected #rrggbb with six hex digits)", q2);
	free(q2);
	return -1;
}

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
    {"normal", 0},
    {"bold", TUI_ATTR_BOLD},
    {"dim", TUI_ATTR_DIM},
    {"italic", TUI_ATTR_ITALIC},
    {"underline", TUI_ATTR_UNDERLINE},
    {"reverse", TUI_ATTR_REVERSE},
    {"standout", TUI_ATTR_STANDOUT},
    {"blink", TUI_ATTR_BLINK},
};

static int
parse_attr(const char *word, unsigned *attrs)
{
	for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++) {
		if (strcmp(word, attr_names[i].name) == 0) {
			if (attr_names[i].bit == 0)
				*attrs = 0;
			else
				*attrs |= attr_names[i].bit;
			return 0;
		}
	}
	return -1;
}

/* Edit distance, for "did you mean". Inputs are short (bounded by the line
 * length) and the table is small. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (up + 1 < best)
				best = up + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static void
add_error(struct tui_theme_errors *errs, const char *file, size_t line, size_t col, const char *msg)
{
	if (errs == NULL)
		return;
	if (errs->n < TUI_THEME_ERRORS_MAX)
		snprintf(errs->msg[errs->n++], AG_ERROR_MAX, "%.200s:%zu:%zu: %.280s", file, line,
		         col, msg);
	errs->total++;
}

#define THEME_LINE_MAX  1024
#define THEME_WORDS_MAX 16

/* Parses one line (already known to be shorter than THEME_LINE_MAX and
 * free of NUL bytes). Returns 0, or -1 after reporting. */
static int
parse_line(struct tui_theme *theme, char *buf, const char *file, size_t lineno,
           struct tui_theme_errors *errs)
{
	char *words[THEME_WORDS_MAX];
	size_t cols[THEME_WORDS_MAX];
	int n = 0;
	struct ag_error err;
	char *p = buf;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (n == THEME_WORDS_MAX) {
			add_error(errs, file, lineno, (size_t)(p - buf) + 1, "too many words");
			return -1;
		}
		cols[n] = (size_t)(p - buf) + 1;
		words[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	if (n == 0 || words[0][0] == '#')
		return 0;
	if (strcmp(words[0], "color") != 0 && strcmp(words[0], "colour") != 0) {
		char *q = quote_word(words[0]);
		snprintf(err.msg, sizeof err.msg, "unknown command '%s' (expected 'color')", q);
		free(q);
		add_error(errs, file, lineno, cols[0], err.msg);
		return -1;
	}
	if (n < 4) {
		add_error(errs, file, lineno, cols[0], "expected: color ELEMENT FG BG [ATTR...]");
		return -1;
	}
	int el = tui_element_parse(words[1]);
	if (el < 0) {
		const char *best = NULL;
		size_t bestd = 4;
		for (int i = 0; i < TUI_EL_COUNT; i++) {
			size_t d = distance(words[1], element_names[i]);
			if (d < bestd) {
				bestd = d;
				best = element_names[i];
			}
		}
		char *q = quote_word(words[1]);
		if (best != NULL)
			snprintf(err.msg, sizeof err.msg,
			         "unknown element '%s' (did you mean '%s'?)", q, best);
		else
			snprintf(err.msg, sizeof err.msg,
			         "unknown element '%s' (agate-theme(5) lists them)", q);
		free(q);
		add_error(errs, file, lineno, cols[1], err.msg);
		return -1;
	}
	struct tui_style style = {0};
	if (tui_color_parse(words[2], &style.fg, &err) != 0) {
		add_error(errs, file, lineno, cols[2], err.msg);
		return -1;
	}
	if (tui_color_parse(words[3], &style.bg, &err) != 0) {
		add_error(errs, file, lineno, cols[3], err.msg);
		return -1;
	}
	for (int i = 4; i < n; i++) {
		if (parse_attr(words[i], &style.attrs) != 0) {
			char *q = quote_word(words[i]);
			snprintf(err.msg, sizeof err.msg,
			         "unknown attribute '%s' (expected bold, dim, italic, underline, "
			         "reverse, standout, blink or normal)",
			         q);
			free(q);
			add_error(errs, file, lineno, cols[i], err.msg);
			return -1;
		}
	}
	theme->el[el] = style;
	return 0;
}

int
tui_theme_parse(struct tui_theme *theme, const char *text, size_t len, const char *filename,
                struct tui_theme_errors *errs)
{
	size_t pos = 0, linelen, lineno = 0;
	const char *line;
	int nerr = 0;
	char buf[THEME_LINE_MAX];

	while (ag_line_next(text, len, &pos, &line, &linelen)) {
		lineno++;
		if (linelen > 0 && line[linelen - 1] == '\r')
			linelen--;
		if (linelen >= THEME_LINE_MAX) {
			add_error(errs, filename, lineno, THEME_LINE_MAX, "line too long");
			nerr++;
			continue;
		}
		if (memchr(line, '\0', linelen) != NULL) {
			add_error(errs, filename, lineno,
			          (size_t)((const char *)memchr(line, '\0', linelen) - line) + 1,
			          "NUL byte in a theme file");
			nerr++;
			continue;
		}
		memcpy(buf, line, linelen);
		buf[linelen] = '\0';
		if (parse_line(theme, buf, filename, lineno, errs) != 0)
			nerr++;
	}
	return nerr;
}

static int
valid_name(const char *name)
{
	if (*name == '\0' || strlen(name) > 64)
		return 0;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return 0;
	return name[0] != '.';
}

/* Reads a whole (small) file. 0, 1 when it does not exist, -1 on error. */
static int
read_small_file(const char *path, char **text, size_t *len, struct ag_error *err)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		if (errno == ENOENT)
			return 1;
		return ag_fail(err, "%s: %s", path, strerror(errno));
	}
	char *buf = xmalloc(TUI_THEME_FILE_MAX + 1);
	size_t n = fread(buf, 1, TUI_THEME_FILE_MAX + 1, f);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return ag_fail(err, "%s: read error", path);
	}
	if (n > TUI_THEME_FILE_MAX) {
		free(buf);
		return ag_fail(err, "%s: larger than %d KiB, not a theme file", path,
		               TUI_THEME_FILE_MAX / 1024);
	}
	*text = buf;
	*len = n;
	return 0;
}

/* The file a theme name stands for, or NULL. Caller frees. */
static char *
find_theme(const char *name)
{
	char *candidates[3] = {NULL, NULL, NULL};
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	const char *dir = getenv("AGATE_THEME_DIR");
	char *found = NULL;

	if (xdg != NULL && *xdg == '/')
		candidates[0] = xasprintf("%s/agate/themes/%s.theme", xdg, name);
	else if (home != NULL && *home == '/')
		candidates[0] = xasprintf("%s/.config/agate/themes/%s.theme", home, name);
	if (dir != NULL && *dir != '\0')
		candidates[1] = xasprintf("%s/%s.theme", dir, name);
	candidates[2] = xasprintf("%s/themes/%s.theme", AGATE_DATADIR, name);
	for (int i = 0; i < 3; i++) {
		if (found == NULL && candidates[i] != NULL && access(candidates[i], R_OK) == 0)
			found = candidates[i];
		else
			free(candidates[i]);
	}
	return found;
}

int
tui_theme_load(const char *name, struct tui_theme *out, struct tui_theme_errors *errs)
{
	struct ag_error err;
	char *path, *text = NULL;
	size_t len = 0;

	tui_theme_builtin("default", out);
	if (strchr(name, '/') != NULL) {
		path = xstrdup(name);
	} else {
		if (!valid_name(name)) {
			char *q = quote_word(name);
			snprintf(err.msg, sizeof err.msg,
			         "bad theme name '%s' (a name is letters, digits, - _ .; or give a "
			         "path)",
			         q);
			free(q);
			add_error(errs, "theme", 0, 0, err.msg);
			return -1;
		}
		path = find_theme(name);
		if (path == NULL) {
			struct tui_theme builtin;
			if (tui_theme_builtin(name, &builtin) == 0) {
				*out = builtin;
				return 0;
			}
			char *q = quote_word(name);
			snprintf(err.msg, sizeof err.msg,
			         "no theme '%s' in ~/.config/agate/themes or %s/themes", q,
			         AGATE_DATADIR);
			free(q);
			add_error(errs, "theme", 0, 0, err.msg);
			return -1;
		}
	}
	int rc = read_small_file(path, &text, &len, &err);
	if (rc != 0) {
		if (rc > 0)
			snprintf(err.msg, sizeof err.msg, "%s: no such file", path);
		add_error(errs, "theme", 0, 0, err.msg);
		free(path);
		return -1;
	}
	struct tui_theme theme = *out;
	int nerr = tui_theme_parse(&theme, text, len, path, errs);
	free(text);
	free(path);
	if (nerr != 0)
		return -1; /* *out stays the built-in default */
	*out = theme;
	return 0;
}

/* xterm's default palette for 0..15 (what most terminals approximate). */
static const uint32_t ansi16[16] = {
    0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
    0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
};
static const int cube_levels[6] = {0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff};

uint32_t
tui_color_index_rgb(int index)
{
	if (index < 0 || index > 255)
		return 0;
	if (index < 16)
		return ansi16[index];
	if (index < 232) {
		int i = index - 16;
		return (uint32_t)cube_levels[i / 36] << 16 |
		       (uint32_t)cube_levels[(i / 6) % 6] << 8 | (uint32_t)cube_levels[i % 6];
	}
	uint32_t g = (uint32_t)(8 + 10 * (index - 232));
	return g << 16 | g << 8 | g;
}

static int
dist2(uint32_t a, uint32_t b)
{
	int dr = (int)(a >> 16 & 0xff) - (int)(b >> 16 & 0xff);
	int dg = (int)(a >> 8 & 0xff) - (int)(b >> 8 & 0xff);
	int db = (int)(a & 0xff) - (int)(b & 0xff);
	return dr * dr + dg * dg + db * db;
}

static int
to_cube(int v)
{
	if (v < 48)
		return 0;
	if (v < 114)
		return 1;
	return (v - 35) / 40;
}

int
tui_color_rgb_to_256(uint32_t rgb)
{
	int r = rgb >> 16 & 0xff, g = rgb >> 8 & 0xff, b = rgb & 0xff;
	int qr = to_cube(r), qg = to_cube(g), qb = to_cube(b);
	int cube = 16 + 36 * qr + 6 * qg + qb;

	if (tui_color_index_rgb(cube) == rgb)
		return cube;
	/* The nearest grey on the ramp, against the nearest cube colour. */
	int avg = (r + g + b) / 3;
	int gi = avg > 238 ? 23 : (avg - 3) / 10;
	if (gi < 0)
		gi = 0;
	int grey = 232 + gi;
	return dist2(tui_color_index_rgb(grey), rgb) < dist2(tui_color_index_rgb(cube), rgb) ? grey
	                                                                                     : cube;
}

static int
nearest_of(uint32_t rgb, int n)
{
	int best = 0, bestd = dist2(ansi16[0], rgb);

	for (int i = 1; i < n; i++) {
		int d = dist2(ansi16[i], rgb);
		if (d < bestd) {
			bestd = d;
			best = i;
		}
	}
	return best;
}

int
tui_color_to_term(struct tui_color c, int ncolors, int direct)
{
	if (c.type == TUI_COLOR_DEFAULT || ncolors < 8)
		return -1;
	if (direct) {
		/* Direct-colour terminals keep 0..7 as the palette; anything
		 * else is sent as RGB (avoiding the values 0..7 themselves). */
		if (c.type == TUI_COLOR_INDEX && c.value < 8)
			return (int)c.value;
		uint32_t rgb =
		    c.type == TUI_COLOR_RGB ? c.value : tui_color_index_rgb((int)c.value);
		return rgb < 8 ? 8 : (int)rgb;
	}
	int index = c.type == TUI_COLOR_RGB ? tui_color_rgb_to_256(c.value) : (int)c.value;
	if (index < ncolors)
		return index;
	uint32_t rgb = tui_color_index_rgb(index);
	return nearest_of(rgb, ncolors >= 16 ? 16 : 8);
}

static attr_t el_attrs[TUI_EL_COUNT];
static short el_pairs[TUI_EL_COUNT];

static attr_t
curses_attrs(unsigned attrs)
{
	attr_t a = A_NORMAL;

	if (attrs & TUI_ATTR_BOLD)
		a |= A_BOLD;
	if (attrs & TUI_ATTR_DIM)
		a |= A_DIM;
	if (attrs & TUI_ATTR_ITALIC)
		a |= A_ITALIC;
	if (attrs & TUI_ATTR_UNDERLINE)
		a |= A_UNDERLINE;
	if (attrs & TUI_ATTR_REVERSE)
		a |= A_REVERSE;
	if (attrs & TUI_ATTR_STANDOUT)
		a |= A_STANDOUT;
	if (attrs & TUI_ATTR_BLINK)
		a |= A_BLINK;
	return a;
}

void
tui_theme_apply(const struct tui_theme *theme, int no_color)
{
	int colors = 0, direct = 0;

	if (!no_color && has_colors() && start_color() == OK) {
		use_default_colors();
		colors = COLORS;
		direct = tigetflag("RGB") > 0 || COLORS >= 0x1000000;
	}
	for (int i = 0; i < TUI_EL_COUNT; i++) {
		const struct tui_style *s = &theme->el[i];
		el_attrs[i] = curses_attrs(s->attrs);
		el_pairs[i] = 0;
		if (colors == 0 || i + 1 >= COLOR_PAIRS)
			continue;
		int fg = tui_color_to_term(s->fg, colors, direct);
		int bg = tui_color_to_term(s->bg, colors, direct);
		/* Unset parts fall back to the default element's colours, so
		 * that a light theme's background shows behind every element. */
		if (s->fg.type == TUI_COLOR_DEFAULT)
			fg = tui_color_to_term(theme->el[TUI_EL_DEFAULT].fg, colors, direct);
		if (s->bg.type == TUI_COLOR_DEFAULT)
			bg = tui_color_to_term(theme->el[TUI_EL_DEFAULT].bg, colors, direct);
		if (fg == -1 && bg == -1)
			continue;
		if (init_extended_pair(i + 1, fg, bg) == OK)
			el_pairs[i] = (short)(i + 1);
	}
}

void
tui_theme_attr(enum tui_element el, unsigned long *attrs, short *pair)
{
	if ((unsigned)el >= TUI_EL_COUNT)
		el = TUI_EL_DEFAULT;
	*attrs = el_attrs[el];
	*pair = el_pairs[el];
}
