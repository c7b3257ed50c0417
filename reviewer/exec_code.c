/* Interpreter one-liners: python -c, node -e, perl -e, ruby -e, php -r,
 * awk programs, and code fed to an interpreter on stdin.
 *
 * Not a parser for five languages: a lexer for their string literals and a
 * table of API names. What it looks for:
 *   - shell commands handed to system()/subprocess/child_process/backticks:
 *     the call's literals are joined (an expression in between stands for
 *     an unknown argument) and parsed again as shell, so os.system("rm -rf
 *     ~") is judged exactly like rm -rf ~;
 *   - deletion APIs (shutil.rmtree, fs.rmSync, FileUtils.rm_rf, unlink) on
 *     literal paths or the home directory;
 *   - literal paths that are secrets (read) or start-up files (written);
 *   - the environment dumped, and the network used, for the flow rules;
 *   - reverse shells (a socket and a process), decoded or downloaded code
 *     handed to exec/eval. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem, strcasestr */
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reviewer/exec.h"

#define D AG_CATEGORY(DESTRUCTIVE)
#define X AG_CATEGORY(DATA_EXFILTRATION)
#define C AG_CATEGORY(CREDENTIAL_PROBING)
#define W AG_CATEGORY(SECURITY_WEAKENING)

#define MAX_LITERALS 128

/* The needle lists of the API table below, as bits (see scan_needles). */
enum {
	N_EXEC_CALLS = 1u << 0,
	N_NETWORK = 1u << 1,
	N_PROCESSES = 1u << 2,
	N_DECODERS = 1u << 3,
	N_CODE_EXECS = 1u << 4,
	N_FETCHERS = 1u << 5,
	N_DELETE = 1u << 6,
	N_RECURSIVE = 1u << 7,
	N_WRITE = 1u << 8,
	N_HOME = 1u << 9,
	N_ENV_DUMPS = 1u << 10,
	N_SOCKET = 1u << 11, /* "socket" or "Socket" */
	N_RUNS = 1u << 12,   /* exec( eval( Function( system( | sh |sh */
	N_ALL = (1u << 13) - 1,
};

struct lit {
	size_t start, end; /* content, without the quotes */
	char quote;
};

struct code {
	struct ag_exec_ctx *x;
	int ci;
	enum ag_exec_lang lang;
	int word;
	size_t off;
	const char *text;
	size_t len;
	int start, end;
	struct lit lits[MAX_LITERALS];
	size_t nlits;
	unsigned found; /* which needle lists occur in the text (see scan_needles) */
};

/* Root span of code bytes [a, b). */
static void
span(const struct code *c, size_t a, size_t b, int *s, int *e)
{
	if (c->word >= 0) {
		const struct ag_sh_word *w = &c->x->sh.words[c->word];
		if (w->src_base >= 0) {
			*s = w->src_base + (int)(c->off + a);
			*e = w->src_base + (int)(c->off + b);
			return;
		}
	}
	*s = c->start;
	*e = c->end;
}

/* Finds string literals ('…', "…", `…`, '''…''', """…"""), skipping
 * python and ruby comments. */
static void
lex(struct code *c)
{
	// cppcheck-suppress ctuuninitvar ; every field but lits[] is set (ag_exec_code)
	const char *t = c->text;
	size_t n = c->len;
	for (size_t i = 0; i < n && c->nlits < MAX_LITERALS;) {
		char q = t[i];
		if (q == '#' && (c->lang == AG_LANG_PYTHON || c->lang == AG_LANG_RUBY)) {
			while (i < n && t[i] != '\n')
				i++;
			continue;
		}
		if (q != '\'' && q != '"' && q != '`') {
			i++;
			continue;
		}
		int triple =
		    i + 2 < n && t[i + 1] == q && t[i + 2] == q && c->lang == AG_LANG_PYTHON;
		size_t k = i + (triple ? 3 : 1), start = k;
		while (k < n) {
			if (t[k] == '\\') {
				k += 2;
				continue;
			}
			if (t[k] == q && (!triple || (k + 2 < n && t[k + 1] == q && t[k + 2] == q)))
				break;
			k++;
		}
		if (k > n)
			k = n;
		c->lits[c->nlits++] = (struct lit){start, k, q};
		i = k + (triple ? 3 : 1);
	}
}

static int
path_like(const char *s, size_t len)
{
	if (len == 0 || len > 4096)
		return 0;
	if (memchr(s, ' ', len) != NULL || memchr(s, '\n', len) != NULL)
		return 0;
	return s[0] == '/' || s[0] == '~' || s[0] == '.' || memchr(s, '/', len) != NULL;
}

/* Queues shell text made of code bytes [a, b) or of synthetic text. */
static void
reparse_slice(struct code *c, size_t a, size_t b)
{
	if (c->word >= 0 && c->x->sh.words[c->word].len >= c->off + b) {
		struct ag_reparse r = {c->ci, c->word, c->off + a, b - a, NULL, -1, -1};
		ag_exec_queue(c->x, &r);
		return;
	}
	int s, e;
	span(c, a, b, &s, &e);
	struct ag_reparse r = {c->ci, -1, 0, b - a, ag_exec_strdup(c->x, c->text + a, b - a), s, e};
	ag_exec_queue(c->x, &r);
}

static void
reparse_text(struct code *c, const char *text, size_t len, size_t a, size_t b)
{
	int s, e;
	span(c, a, b, &s, &e);
	struct ag_reparse r = {c->ci, -1, 0, len, ag_exec_strdup(c->x, text, len), s, e};
	ag_exec_queue(c->x, &r);
}

/* The index just past the ')' matching the '(' at i, literal-aware. */
static size_t
call_end(const struct code *c, size_t i)
{
	int depth = 0;
	size_t li = 0;
	for (size_t k = i; k < c->len; k++) {
		while (li < c->nlits && c->lits[li].end < k)
			li++;
		if (li < c->nlits && k >= c->lits[li].start - 1 && k <= c->lits[li].end) {
			k = c->lits[li].end;
			continue;
		}
		char ch = c->text[k];
		if (ch == '(' || ch == '[' || ch == '{')
			depth++;
		else if (ch == ')' || ch == ']' || ch == '}') {
			if (--depth == 0)
				return k + 1;
		}
	}
	return c->len;
}

/* The shell command a call's arguments spell: literals joined by spaces,
 * "$ARG" for an expression in between (rm -rf + path: a target decided at
 * run time), keyword arguments (check=True) dropped. */
static size_t
join_call(const struct code *c, size_t from, size_t to, char *buf, size_t size)
{
	size_t n = 0;
	size_t k = from;
	int joined_any = 0;
	while (k < to && n + 8 < size) {
		const struct lit *l = NULL;
		for (size_t i = 0; i < c->nlits; i++)
			if (c->lits[i].start - 1 == k ||
			    (c->lits[i].start >= 3 && c->lits[i].start - 3 == k &&
			     c->lang == AG_LANG_PYTHON))
				l = &c->lits[i];
		if (l != NULL) {
			size_t len = l->end - l->start;
			if (n > 0 && buf[n - 1] != ' ' && !joined_any)
				buf[n++] = ' ';
			if (n + len + 1 >= size)
				break;
			memcpy(buf + n, c->text + l->start, len);
			n += len;
			joined_any = 0;
			k = l->end + 1;
			/* a literal followed by + continues the same word */
			size_t j = k;
			while (j < to && (c->text[j] == ' ' || c->text[j] == '\t'))
				j++;
			if (j < to && (c->text[j] == '+' || c->text[j] == '.'))
				joined_any = 1;
			else if (n + 1 < size)
				buf[n++] = ' ';
			continue;
		}
		char ch = c->text[k];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
		    ch == '$') {
			size_t e = k;
			while (e < to &&
			       ((c->text[e] >= 'a' && c->text[e] <= 'z') ||
			        (c->text[e] >= 'A' && c->text[e] <= 'Z') ||
			        (c->text[e] >= '0' && c->text[e] <= '9') || c->text[e] == '_' ||
			        c->text[e] == '.' || c->text[e] == '$' || c->text[e] == '[' ||
			        c->text[e] == ']'))
				e++;
			size_t j = e;
			while (j < to && c->text[j] == ' ')
				j++;
			int kwarg =
			    j < to && c->text[j] == '=' && (j + 1 >= to || c->text[j + 1] != '=');
			if (!kwarg) {
				if (n > 0 && buf[n - 1] != ' ' && !joined_any)
					buf[n++] = ' ';
				memcpy(buf + n, "$ARG", 4);
				n += 4;
				buf[n++] = ' ';
				joined_any = 0;
			} else {
				/* skip the keyword argument's value */
				e = j + 1;
				while (e < to && c->text[e] != ',' && c->text[e] != ')')
					e++;
			}
			k = e;
			continue;
		}
		k++;
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	return n;
}

/* Calls that run shell commands; their literal arguments are shell. */
static const char *const exec_calls[] = {"os.system(",
                                         "os.popen(",
                                         "subprocess.run(",
                                         "subprocess.call(",
                                         "subprocess.Popen(",
                                         "subprocess.check_output(",
                                         "subprocess.check_call(",
                                         "subprocess.getoutput(",
                                         "subprocess.getstatusoutput(",
                                         "commands.getoutput(",
                                         "pty.spawn(",
                                         "os.execv(",
                                         "os.execvp(",
                                         "os.execl(",
                                         "os.execlp(",
                                         "os.spawnl(",
                                         "os.spawnlp(",
                                         "Popen(",
                                         "check_output(",
                                         "execSync(",
                                         "exec(",
                                         "spawnSync(",
                                         "spawn(",
                                         "execFileSync(",
                                         "execFile(",
                                         "system(",
                                         "popen(",
                                         "IO.popen(",
                                         "Kernel.exec(",
                                         "Open3.capture2(",
                                         "Open3.capture3(",
                                         "Open3.popen3(",
                                         "shell_exec(",
                                         "passthru(",
                                         "proc_open(",
                                         "pcntl_exec(",
                                         "Deno.run(",
                                         "new Deno.Command(",
                                         "Bun.spawn(",
                                         "Bun.spawnSync(",
                                         "qx(",
                                         "do shell script ",
                                         "system ",
                                         "exec ",
                                         "spawn ",
                                         "%x(",
                                         "qx{",
                                         NULL};

static void
shell_calls(struct code *c)
{
	/* one pass to learn whether any call is there before looking for each */
	int any = (c->found & N_EXEC_CALLS) != 0;
	for (size_t e = 0; any && exec_calls[e] != NULL; e++) {
		const char *needle = exec_calls[e];
		size_t nl = strlen(needle);
		const char *p = c->text, *end = c->text + c->len;
		int count = 0;
		while (p < end && count < 16 &&
		       (p = memmem(p, (size_t)(end - p), needle, nl)) != NULL) {
			size_t at = (size_t)(p - c->text);
			/* "exec(" inside "os.execv(" or "execSync(" was found by its own entry */
			if (at > 0 && nl < 8 &&
			    ((c->text[at - 1] >= 'a' && c->text[at - 1] <= 'z') ||
			     c->text[at - 1] == '_' ||
			     (c->text[at - 1] >= 'A' && c->text[at - 1] <= 'Z'))) {
				p += nl;
				continue;
			}
			count++;
			size_t open = at + nl - 1;
			size_t close;
			if (needle[nl - 1] == ' ') {
				/* without parentheses (ruby/perl system "…", osascript's
				 * do shell script "…"): up to the end of the statement */
				close = at + nl;
				while (close < c->len && c->text[close] != '\n' &&
				       c->text[close] != ';')
					close++;
				if (close < c->len)
					close++;
			} else {
				close = call_end(c, open);
			}
			char buf[4096];
			size_t n =
			    join_call(c, open + 1, close > 0 ? close - 1 : close, buf, sizeof buf);
			/* python's exec() and node's eval() take code, not shell */
			int is_code_exec =
			    strcmp(needle, "exec(") == 0 && c->lang == AG_LANG_PYTHON;
			if (n > 0 && !is_code_exec)
				reparse_text(c, buf, n, open, close);
			p += nl;
		}
	}
	/* `cmd` in perl, ruby, php, and %x(cmd) */
	if (c->lang == AG_LANG_PERL || c->lang == AG_LANG_RUBY || c->lang == AG_LANG_PHP)
		for (size_t i = 0; i < c->nlits; i++)
			if (c->lits[i].quote == '`' && c->lits[i].end > c->lits[i].start)
				reparse_slice(c, c->lits[i].start, c->lits[i].end);
}

/* awk: system("…") and "…" | getline, print > "file" */
static void
awk_program(struct code *c)
{
	for (size_t i = 0; i < c->nlits; i++) {
		const struct lit *l = &c->lits[i];
		size_t after = l->end + 1;
		while (after < c->len && c->text[after] == ' ')
			after++;
		size_t before = l->start >= 2 ? l->start - 2 : 0;
		while (before > 0 && c->text[before] == ' ')
			before--;
		int piped = after < c->len && c->text[after] == '|';
		int redirected = l->start >= 2 && c->text[before] == '>';
		if (piped)
			reparse_slice(c, l->start, l->end);
		if (redirected) {
			int s, e;
			span(c, l->start, l->end, &s, &e);
			ag_exec_write_path(c->x, c->text + l->start, l->end - l->start, s, e,
			                   "awk writes");
		}
	}
}

static const char *const delete_apis[] = {"rmtree",         "os.remove(",
                                          "os.unlink(",     "os.rmdir(",
                                          "os.removedirs(", ".unlink(",
                                          "unlinkSync(",    "rmSync(",
                                          "rmdirSync(",     "fs.rm(",
                                          "fs.rmdir(",      "fs.unlink(",
                                          "rm_rf",          "rm_r(",
                                          "FileUtils.rm",   "File.delete(",
                                          "remove_dir_all", "RemoveAll(",
                                          "rimraf",         "unlink(",
                                          "rmdir(",         "fs.promises.rm(",
                                          "shutil.move(",   "Remove-Item",
                                          "remove_file(",   NULL};
static const char *const recursive_apis[] = {
    "rmtree",          "rm_rf",          "rm_r(",    "remove_dir_all", "RemoveAll(", "rimraf",
    "recursive: true", "recursive:true", "-Recurse", "removedirs",     NULL};
static const char *const home_markers[] = {"expanduser(",
                                           "Path.home()",
                                           "homedir()",
                                           "process.env.HOME",
                                           "ENV['HOME']",
                                           "ENV[\"HOME\"]",
                                           "environ['HOME']",
                                           "environ[\"HOME\"]",
                                           "getenv('HOME')",
                                           "getenv(\"HOME\")",
                                           "$ENV{HOME}",
                                           "Dir.home",
                                           NULL};
static const char *const write_apis[] = {"'w'",
                                         "\"w\"",
                                         "'a'",
                                         "\"a\"",
                                         "'wb'",
                                         "\"wb\"",
                                         "'ab'",
                                         "\"ab\"",
                                         "'w+'",
                                         "writeFileSync(",
                                         "appendFileSync(",
                                         "writeFile(",
                                         "appendFile(",
                                         "write_text(",
                                         "write_bytes(",
                                         "File.write(",
                                         "file_put_contents(",
                                         ">>",
                                         "open(my",
                                         "open(FH",
                                         "createWriteStream(",
                                         NULL};
static const char *const network_apis[] = {"requests.",
                                           "urllib",
                                           "http.client",
                                           "httpx",
                                           "socket",
                                           "fetch(",
                                           "axios",
                                           "http.request(",
                                           "https.request(",
                                           "http.get(",
                                           "https.get(",
                                           "net.connect",
                                           "net.Socket",
                                           "net.createConnection",
                                           "Net::HTTP",
                                           "IO::Socket",
                                           "LWP",
                                           "open-uri",
                                           "URI.open",
                                           "curl_exec",
                                           "fsockopen",
                                           "smtplib",
                                           "ftplib",
                                           "paramiko",
                                           "XMLHttpRequest",
                                           "WebSocket",
                                           "aiohttp",
                                           "urlopen",
                                           "TCPSocket",
                                           "HTTP::Tiny",
                                           "Socket.tcp",
                                           "dgram",
                                           NULL};
static const char *const env_dumps[] = {"os.environ)",
                                        "os.environ.items",
                                        "os.environ.copy",
                                        "os.environ.keys",
                                        "environ}",
                                        "os.environ,",
                                        "JSON.stringify(process.env",
                                        "process.env)",
                                        "Object.keys(process.env",
                                        "Object.entries(process.env",
                                        "...process.env",
                                        "ENV.to_h",
                                        "ENV.to_a",
                                        "ENV.each",
                                        "%ENV",
                                        "getenv()",
                                        "$_ENV",
                                        "$_SERVER",
                                        "ENVIRON",
                                        "os.environ}",
                                        NULL};
static const char *const decoders[] = {"b64decode",     "base64",           "atob(",
                                       "Buffer.from(",  "decode('base64')", "unpack('m",
                                       "codecs.decode", "zlib.decompress",  "marshal.loads",
                                       "fromCharCode",  "bytes.fromhex",    "unhexlify",
                                       "rot13",         "decode_base64",    "gzinflate",
                                       "str_rot13",     "[::-1]",           NULL};
static const char *const code_execs[] = {
    "exec(",     "eval(",      "Function(",     "compile(",
    "system(",   "popen(",     "child_process", "subprocess",
    "execSync(", "__import__", "assert(",       "create_function(",
    NULL};
static const char *const fetchers[] = {"urlopen",
                                       "requests.get",
                                       "fetch(",
                                       "http.get(",
                                       "https.get(",
                                       "open-uri",
                                       "URI.open",
                                       "Net::HTTP",
                                       "LWP::Simple",
                                       "file_get_contents('http",
                                       "file_get_contents(\"http",
                                       "urllib.request",
                                       "httpx.get",
                                       "HTTP::Tiny",
                                       NULL};
static const char *const processes[] = {
    "subprocess", "pty.spawn", "/bin/sh", "/bin/bash", "dup2",     "child_process", "spawn(",
    "cmd.exe",    "exec(",     "system(", "popen",     "IO.popen", "proc_open",     NULL};

/* Every list above is asked about the same text, most of them every time:
 * one pass over the text answers all of them at once. Each needle carries
 * the bits of the lists it belongs to; the needles are grouped by their
 * first byte, so a byte that starts none costs one table look-up. The
 * table is built once from the lists; has_any() reads the bits. */

static const char *const socket_words[] = {"socket", "Socket", NULL};
static const char *const runs_words[] = {"exec(", "eval(", "Function(", "system(",
                                         "| sh",  "|sh",   NULL};

static const struct {
	const char *const *needles;
	unsigned bit;
} needle_lists[] = {
    {exec_calls, N_EXEC_CALLS}, {network_apis, N_NETWORK},     {processes, N_PROCESSES},
    {decoders, N_DECODERS},     {code_execs, N_CODE_EXECS},    {fetchers, N_FETCHERS},
    {delete_apis, N_DELETE},    {recursive_apis, N_RECURSIVE}, {write_apis, N_WRITE},
    {home_markers, N_HOME},     {env_dumps, N_ENV_DUMPS},      {socket_words, N_SOCKET},
    {runs_words, N_RUNS},
};

struct needle {
	const char *s;
	size_t len;
	unsigned bits;
};

#define MAX_NEEDLES 256

static struct {
	struct needle v[MAX_NEEDLES]; /* grouped by first byte */
	unsigned short first[257];    /* needles starting with byte b: [first[b], first[b+1]) */
} nt;
static pthread_once_t nt_once = PTHREAD_ONCE_INIT;

static void
nt_build(void)
{
	struct needle all[MAX_NEEDLES] = {{0}}; /* built once: clearing costs nothing */
	size_t n = 0;
	for (size_t l = 0; l < sizeof needle_lists / sizeof needle_lists[0]; l++)
		for (const char *const *p = needle_lists[l].needles; *p != NULL; p++) {
			size_t k;
			for (k = 0; k < n && strcmp(all[k].s, *p) != 0; k++)
				;
			if (k == n) {
				if (n == MAX_NEEDLES)
					abort(); /* the lists are static: caught by any test */
				all[n++] = (struct needle){*p, strlen(*p), 0};
			}
			all[k].bits |= needle_lists[l].bit;
		}
	size_t o = 0;
	for (unsigned b = 0; b < 256; b++) {
		nt.first[b] = (unsigned short)o;
		for (size_t k = 0; k < n; k++)
			if ((unsigned char)all[k].s[0] == b)
				nt.v[o++] = all[k];
	}
	nt.first[256] = (unsigned short)o;
}

/* Which lists have a needle somewhere in the text. */
static unsigned
scan_needles(const char *text, size_t len)
{
	pthread_once(&nt_once, nt_build);
	unsigned found = 0;
	for (size_t k = 0; k < len; k++) {
		unsigned char b = (unsigned char)text[k];
		for (size_t i = nt.first[b]; i < nt.first[b + 1]; i++) {
			const struct needle *nd = &nt.v[i];
			if ((nd->bits & ~found) != 0 && nd->len <= len - k &&
			    memcmp(text + k, nd->s, nd->len) == 0) {
				found |= nd->bits;
				if (found == N_ALL)
					return found;
			}
		}
	}
	return found;
}

static int
has_any(const struct code *c, unsigned list)
{
	return (c->found & list) != 0;
}

void
ag_exec_code(struct ag_exec_ctx *x, int ci, enum ag_exec_lang lang, int word, size_t off,
             const char *text, size_t len, int start, int end)
{
	struct code c;
	c.x = x;
	c.ci = ci;
	c.lang = lang;
	c.word = word;
	c.off = off;
	c.text = text;
	c.len = len;
	c.start = start;
	c.end = end;
	c.nlits = 0;
	/* lits[] is left as it is: lex() fills it up to nlits, and clearing
	 * it per call would be most of a short command's cost. */
	lex(&c);
	c.found = scan_needles(text, len);

	int network = has_any(&c, N_NETWORK);
	/* reverse shell: a socket wired to a process */
	if (has_any(&c, N_SOCKET) && has_any(&c, N_PROCESSES)) {
		ag_exec_add(x, 95, X | W, start, end,
		            "reverse shell in inline code: a socket and a process");
		ag_exec_note_send(x, start, end);
	}
	if (has_any(&c, N_DECODERS) && has_any(&c, N_CODE_EXECS))
		ag_exec_add(x, 80, W, start, end, "inline code runs decoded (obfuscated) code");
	if (has_any(&c, N_FETCHERS) && has_any(&c, N_RUNS))
		ag_exec_add(x, 85, W, start, end, "inline code runs code it downloads");

	shell_calls(&c);
	if (lang == AG_LANG_AWK)
		awk_program(&c);

	int deleting = has_any(&c, N_DELETE);
	int recursive = has_any(&c, N_RECURSIVE);
	int writing = has_any(&c, N_WRITE);
	if (deleting && has_any(&c, N_HOME)) {
		size_t mark = x->nxa;
		struct ag_xarg a = {"~", 1, start, end, -1, AG_X_SYNTH};
		ag_exec_push(x, &a);
		struct ag_xview v = {mark, 1, ci, "code", 0};
		ag_exec_delete_targets(x, &v, 0, 1, recursive, "inline code");
		x->nxa = mark;
	}
	for (size_t i = 0; i < c.nlits; i++) {
		const struct lit *l = &c.lits[i];
		const char *s = text + l->start;
		size_t n = l->end - l->start;
		if (!path_like(s, n))
			continue;
		int ss, se;
		span(&c, l->start, l->end, &ss, &se);
		ag_exec_read_path(x, s, n, ss, se, "inline code reads");
		if (writing)
			ag_exec_write_path(x, s, n, ss, se, "inline code writes");
		if (deleting) {
			size_t mark = x->nxa;
			struct ag_xarg a = {ag_exec_strdup(x, s, n), n, ss, se, -1, AG_X_SYNTH};
			ag_exec_push(x, &a);
			struct ag_xview v = {mark, 1, ci, "code", 0};
			ag_exec_delete_targets(x, &v, 0, 1, recursive, "inline code");
			x->nxa = mark;
		}
	}
	if (has_any(&c, N_ENV_DUMPS)) {
		ag_exec_add(x, 45, C, start, end, "inline code reads the whole environment");
		ag_exec_note_env(x, start, end);
	}
	if (network) {
		ag_exec_add(x, 20, X, start, end, "inline code uses the network");
		ag_exec_note_send(x, start, end);
	}
}
