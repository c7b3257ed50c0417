/* Patch risk: what a diff would change, read from the diff itself.
 *
 * Two passes over one parse. While the diff is read, each added or removed
 * line is checked as it goes by (secrets, TLS and auth switches, skipped or
 * removed tests, install hooks, script lines scored as commands); then the
 * file table is checked (sensitive and escaping paths, binaries, symlinks,
 * mass deletion). Every reason names its 1-based diff line.
 *
 * Reasons are capped per check (a 1 MiB diff of fixture keys must not make a
 * thousand reasons) and the cap itself is reported. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "reviewer/diff.h"
#include "reviewer/engine.h"
#include "reviewer/secrets.h"
#include "reviewer/sensitive.h"

#define DESTRUCTIVE AG_CATEGORY(DESTRUCTIVE)
#define EXFIL       AG_CATEGORY(DATA_EXFILTRATION)
#define CREDENTIAL  AG_CATEGORY(CREDENTIAL_PROBING)
#define WEAKENING   AG_CATEGORY(SECURITY_WEAKENING)

/* The longest part of a line the keyword checks look at; minified lines can
 * be megabytes, and a TLS switch is never that far in. */
#define SCAN_MAX 8192
/* Script lines longer than this are not handed to the exec scorer. */
#define SCRIPT_MAX 4096
#define PER_CHECK  3
#define SHOW_PATH  160
#define BUCKET     16

enum check {
	CK_SECRET,
	CK_TLS,
	CK_AUTH,
	CK_SKIP,
	CK_HOOK,
	CK_LOCK,
	CK_CI,
	CK_SCRIPT,
	CK_PATH,
	CK_BINARY,
	CK_SYMLINK,
	CK_COUNT
};

/* File traits, computed once per file when its first body line arrives. */
#define T_TEST    0x01
#define T_SCRIPT  0x02 /* every added line is a shell command */
#define T_PACKAGE 0x04
#define T_LOCK    0x08
#define T_CI      0x10
#define T_MAKE    0x20 /* recipe lines (tab) are commands */
#define T_DOCKER  0x40 /* RUN lines are commands */
#define T_DOC     0x80 /* prose: a TLS switch named in a document switches nothing */

struct scan {
	const struct ag_request *req;
	struct ag_risk *out;
	int file; /* file whose traits are cached */
	unsigned traits;
	size_t counts[CK_COUNT];
	size_t tests_removed, tests_added;
	size_t first_test_removed;
	size_t symlink_line; /* first added line of a symlink file: its target */
	const char *symlink_target;
	size_t symlink_len;
	unsigned char bucket[256][BUCKET]; /* keyword indexes by first byte */
	unsigned char nbucket[256];
	unsigned char keylen[64]; /* strlen of each keyword */
};

static void add(struct scan *sc, enum check ck, int score, unsigned cats, size_t line,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void
add(struct scan *sc, enum check ck, int score, unsigned cats, size_t line, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	if (sc->counts[ck]++ >= PER_CHECK) {
		/* Still raise the score: the cap hides text, not risk. */
		if (score > sc->out->score) {
			sc->out->score = score;
			sc->out->level = ag_risk_level_for_score(score);
		}
		sc->out->categories |= cats;
		return;
	}
	size_t at = 0;
	if (line > 0)
		at = (size_t)snprintf(text, sizeof text, "line %zu ", line);
	va_start(ap, fmt);
	vsnprintf(text + at, sizeof text - at, fmt, ap);
	va_end(ap);
	ag_risk_add(sc->out, score, cats, -1, -1, line > (size_t)INT32_MAX ? 0 : (int)line, text);
}

/* A path for a reason: at most SHOW_PATH bytes. Raw text; the console
 * sanitizes reasons before drawing them. */
static void
show(char *buf, size_t size, const char *path)
{
	size_t n = strlen(path);
	if (n < SHOW_PATH || size < SHOW_PATH + 4) {
		snprintf(buf, size, "%s", path);
		return;
	}
	snprintf(buf, size, "%.*s...", SHOW_PATH, path);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static const char *
basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash != NULL ? slash + 1 : path;
}

static int
test_path(const char *path)
{
	const char *b = basename_of(path);
	if (strncmp(b, "test_", 5) == 0 || strstr(b, "_test.") != NULL ||
	    strstr(b, ".test.") != NULL || strstr(b, ".spec.") != NULL ||
	    strstr(b, "_spec.") != NULL || strstr(b, "Test.") != NULL ||
	    strstr(b, "Tests.") != NULL)
		return 1;
	for (const char *p = path; (p = strstr(p, "test")) != NULL; p++) {
		/* a directory named test, tests, __tests__, testing */
		int start = p == path || p[-1] == '/' || p[-1] == '_';
		const char *e = p + 4;
		while (*e == 's' || *e == '_' || (*e >= 'a' && *e <= 'z'))
			e++;
		if (start && *e == '/')
			return 1;
	}
	return strncmp(path, "spec/", 5) == 0 || strstr(path, "/spec/") != NULL;
}

static unsigned
traits_of(const char *path)
{
	const char *b = basename_of(path);
	unsigned t = 0;
	if (test_path(path))
		t |= T_TEST;
	if (ends_with(b, ".md") || ends_with(b, ".rst") || ends_with(b, ".txt") ||
	    ends_with(b, ".adoc") || ends_with(b, ".markdown") || ends_with(b, ".org"))
		t |= T_DOC;
	if (ends_with(b, ".sh") || ends_with(b, ".bash") || ends_with(b, ".zsh") ||
	    ends_with(b, ".ksh") || strcmp(b, ".envrc") == 0 || strcmp(b, ".bashrc") == 0 ||
	    strcmp(b, ".zshrc") == 0 || strcmp(b, ".profile") == 0 ||
	    strcmp(b, ".bash_profile") == 0 || strstr(path, ".git/hooks/") != NULL ||
	    strstr(path, ".husky/") != NULL)
		t |= T_SCRIPT;
	if (strcmp(b, "Makefile") == 0 || strcmp(b, "GNUmakefile") == 0 || ends_with(b, ".mk") ||
	    strcmp(b, "justfile") == 0)
		t |= T_MAKE;
	if (strcmp(b, "Dockerfile") == 0 || strncmp(b, "Dockerfile.", 11) == 0 ||
	    ends_with(b, ".dockerfile") || strcmp(b, "Containerfile") == 0)
		t |= T_DOCKER;
	if (strcmp(b, "package.json") == 0 || strcmp(b, "composer.json") == 0)
		t |= T_PACKAGE;
	if (strcmp(b, "package-lock.json") == 0 || strcmp(b, "yarn.lock") == 0 ||
	    strcmp(b, "pnpm-lock.yaml") == 0 || strcmp(b, "npm-shrinkwrap.json") == 0 ||
	    strcmp(b, "poetry.lock") == 0 || strcmp(b, "Pipfile.lock") == 0 ||
	    strcmp(b, "uv.lock") == 0 || strcmp(b, "Cargo.lock") == 0 ||
	    strcmp(b, "Gemfile.lock") == 0 || strcmp(b, "composer.lock") == 0 ||
	    strcmp(b, "requirements.txt") == 0)
		t |= T_LOCK;
	if (strstr(path, ".github/workflows/") != NULL ||
	    strstr(path, ".github/actions/") != NULL || strcmp(b, ".gitlab-ci.yml") == 0 ||
	    strstr(path, ".circleci/") != NULL || strcmp(b, "azure-pipelines.yml") == 0 ||
	    strcmp(b, "bitbucket-pipelines.yml") == 0 || strcmp(b, ".travis.yml") == 0 ||
	    strcmp(b, ".drone.yml") == 0)
		t |= T_CI;
	return t;
}

/* memmem bounded to the scanned prefix. */
static const char *
find(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle));
}

static int
ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* After a key: skips quotes, spaces, '=', ':', '>', ',' (at most 8 bytes) and
 * reads the value word. want: 'f' falsy, 't' truthy. */
static int
value_is(const char *s, size_t len, char want)
{
	static const char *const falsy[] = {"False", "false", "FALSE", "0",   "no",  "No", "NO",
	                                    "None",  "nil",   "off",   "Off", "OFF", "0L", NULL};
	static const char *const truthy[] = {"True", "true", "TRUE", "1",  "yes", "Yes",
	                                     "YES",  "on",   "On",   "ON", NULL};
	size_t i = 0;
	while (i < len && i < 8 && strchr(" \t\"'=:>,", s[i]) != NULL)
		i++;
	if (i == 0 && want != 0)
		return 0; /* "verify_foo" is another word */
	size_t w = i;
	while (w < len && ident_char(s[w]))
		w++;
	const char *const *set = want == 'f' ? falsy : truthy;
	for (size_t k = 0; set[k] != NULL; k++)
		if (strlen(set[k]) == w - i && memcmp(s + i, set[k], w - i) == 0)
			return 1;
	return 0;
}

struct keyword {
	const char *key;
	char want; /* 'f' falsy value follows, 't' truthy, 0 the word alone */
	enum check ck;
	int score;
	const char *what;
};

static const struct keyword keywords[] = {
    {"verify", 'f', CK_TLS, 65, "turns TLS certificate verification off"},
    {"rejectUnauthorized", 'f', CK_TLS, 65, "turns TLS certificate verification off"},
    {"InsecureSkipVerify", 't', CK_TLS, 65, "turns TLS certificate verification off"},
    {"NODE_TLS_REJECT_UNAUTHORIZED", 'f', CK_TLS, 65, "turns TLS certificate verification off"},
    {"PYTHONHTTPSVERIFY", 'f', CK_TLS, 65, "turns TLS certificate verification off"},
    {"GIT_SSL_NO_VERIFY", 't', CK_TLS, 65, "turns TLS certificate verification off"},
    {"CURLOPT_SSL_VERIFYPEER", 'f', CK_TLS, 65, "turns TLS certificate verification off"},
    {"CURLOPT_SSL_VERIFYHOST", 'f', CK_TLS, 65, "turns TLS host name verification off"},
    {"sslVerify", 'f', CK_TLS, 65, "turns TLS certificate verification off"},
    {"ssl_verify", 'f', CK_TLS, 65, "turns TLS certificate verification off"},
    {"verify_ssl", 'f', CK_TLS, 65, "turns TLS certificate verification off"},
    {"VERIFY_SSL", 'f', CK_TLS, 65, "turns TLS certificate verification off"},
    {"strict-ssl", 'f', CK_TLS, 65, "turns TLS certificate verification off"},
    {"strict_ssl", 'f', CK_TLS, 65, "turns TLS certificate verification off"},
    {"check_hostname", 'f', CK_TLS, 65, "turns TLS host name verification off"},
    {"verify_peer", 'f', CK_TLS, 65, "turns TLS certificate verification off"},
    {"StrictHostKeyChecking", 'f', CK_TLS, 60, "turns SSH host key checking off"},
    {"CERT_NONE", 0, CK_TLS, 65, "turns TLS certificate verification off"},
    {"_create_unverified_context", 0, CK_TLS, 65, "turns TLS certificate verification off"},
    {"--insecure", 0, CK_TLS, 65, "turns TLS certificate verification off (--insecure)"},
    {"--no-check-certificate", 0, CK_TLS, 65, "turns TLS certificate verification off"},
    {"trustAllCerts", 0, CK_TLS, 65, "trusts every TLS certificate"},
    {"NoopHostnameVerifier", 0, CK_TLS, 65, "turns TLS host name verification off"},
    {"csrf_exempt", 0, CK_AUTH, 55, "turns CSRF protection off"},
    {"csrf().disable()", 0, CK_AUTH, 55, "turns CSRF protection off"},
    {"AllowAny", 0, CK_AUTH, 50, "lets anyone through an authorization check"},
    {"permitAll()", 0, CK_AUTH, 50, "lets anyone through an authorization check"},
    {"verify_authenticity_token", 0, CK_AUTH, 55, "skips an authenticity check"},
    {"DISABLE_AUTH", 't', CK_AUTH, 55, "turns authentication off"},
    {"AUTH_DISABLED", 't', CK_AUTH, 55, "turns authentication off"},
    {"setenforce 0", 0, CK_AUTH, 65, "turns SELinux enforcement off"},
    {"ufw disable", 0, CK_AUTH, 65, "turns the firewall off"},
    {"ACTIONS_ALLOW_UNSECURE_COMMANDS", 0, CK_CI, 60, "re-enables insecure workflow commands"},
    {"pull_request_target", 0, CK_CI, 60,
     "runs a workflow with secrets on code from forks (pull_request_target)"},
    {"write-all", 0, CK_CI, 55, "grants a workflow write access to everything"},
    {"@pytest.mark.skip", 0, CK_SKIP, 50, "skips a test"},
    {"@pytest.mark.xfail", 0, CK_SKIP, 50, "marks a test as expected to fail"},
    {"@unittest.skip", 0, CK_SKIP, 50, "skips a test"},
    {"pytest.skip(", 0, CK_SKIP, 50, "skips a test"},
    {"skipTest(", 0, CK_SKIP, 50, "skips a test"},
    {".skip(", 0, CK_SKIP, 50, "skips a test"},
    {".only(", 0, CK_SKIP, 50, "focuses one test, skipping the others"},
    {"t.Skip(", 0, CK_SKIP, 50, "skips a test"},
    {"t.SkipNow(", 0, CK_SKIP, 50, "skips a test"},
    {"#[ignore", 0, CK_SKIP, 50, "skips a test"},
    {"@Ignore", 0, CK_SKIP, 50, "skips a test"},
    {"@Disabled", 0, CK_SKIP, 50, "skips a test"},
    {"xit(", 0, CK_SKIP, 50, "skips a test"},
    {"xdescribe(", 0, CK_SKIP, 50, "skips a test"},
    {"xtest(", 0, CK_SKIP, 50, "skips a test"},
};

#define NKEYWORDS (sizeof keywords / sizeof keywords[0])
_Static_assert(NKEYWORDS <= 64, "struct scan's keylen holds 64 keywords");

/* Keywords by first byte, so most positions cost one table look-up. Built
 * per call (a few dozen stores) rather than in shared static state. */
static void
init_buckets(struct scan *sc)
{
	memset(sc->nbucket, 0, sizeof sc->nbucket);
	for (size_t i = 0; i < NKEYWORDS; i++) {
		sc->keylen[i] = strlen(keywords[i].key);
		unsigned char c = (unsigned char)keywords[i].key[0];
		if (sc->nbucket[c] < BUCKET)
			sc->bucket[c][sc->nbucket[c]++] = (unsigned char)i;
	}
}

/* ".skip(" and ".only(" mean a test only after a test function's name. */
static int
test_receiver(const char *s, size_t i)
{
	static const char *const names[] = {"it",    "test",    "describe",  "context",
	                                    "suite", "specify", "Deno.test", NULL};
	size_t e = i, b = i;
	while (b > 0 && (ident_char(s[b - 1]) || s[b - 1] == '.'))
		b--;
	for (size_t k = 0; names[k] != NULL; k++)
		if (strlen(names[k]) == e - b && memcmp(s + b, names[k], e - b) == 0)
			return 1;
	return 0;
}

static void
scan_keywords(struct scan *sc, size_t lineno, const char *s, size_t len)
{
	unsigned seen = 0; /* one reason per check per line */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		/* Keywords that begin with a letter begin a word: skip the rest of
		 * a word in one go (most bytes of code are inside words). */
		if (ident_char((char)c) && i > 0 && ident_char(s[i - 1])) {
			while (i + 1 < len && ident_char(s[i + 1]))
				i++;
			continue;
		}
		for (size_t b = 0; b < sc->nbucket[c]; b++) {
			size_t k = sc->bucket[c][b];
			const struct keyword *kw = &keywords[k];
			size_t n = sc->keylen[k];
			if (n > len - i || s[i + 1] != kw->key[1] || memcmp(s + i, kw->key, n) != 0)
				continue;
			/* Identifiers must stand alone: "xit(" is not "exit(". */
			if (ident_char(kw->key[0]) && i > 0 && ident_char(s[i - 1]))
				continue;
			if (ident_char(kw->key[n - 1]) && i + n < len && ident_char(s[i + n]))
				continue;
			if (kw->want != 0 && !value_is(s + i + n, len - i - n, kw->want))
				continue;
			if (kw->key[0] == '.' && !test_receiver(s, i))
				continue; /* "rows.skip(3)" is not a test */
			if (kw->ck == CK_CI && !(sc->traits & T_CI))
				continue;
			if (seen & (1u << kw->ck))
				continue;
			seen |= 1u << kw->ck;
			add(sc, kw->ck, kw->score, WEAKENING, lineno, "%s", kw->what);
		}
	}
	/* curl -k / -sk / -kL in a script line. */
	if (!(seen & (1u << CK_TLS)) && find(s, len, "curl") != NULL) {
		for (size_t i = 1; i + 1 < len; i++) {
			if (s[i] != '-' || s[i - 1] != ' ' || s[i + 1] == '-')
				continue;
			size_t w = i + 1;
			int k = 0;
			while (w < len &&
			       ((s[w] >= 'a' && s[w] <= 'z') || (s[w] >= 'A' && s[w] <= 'Z'))) {
				k |= s[w] == 'k';
				w++;
			}
			if (k && w - i <= 8 && (w == len || s[w] == ' ')) {
				add(sc, CK_TLS, 65, WEAKENING, lineno,
				    "turns TLS certificate verification off (curl -k)");
				break;
			}
		}
	}
}

static void
scan_secrets(struct scan *sc, size_t lineno, const char *s, size_t len)
{
	struct ag_secret_hit hits[4];
	size_t n = ag_secrets_scan(s, len, hits, 4);
	for (size_t i = 0; i < n; i++) {
		/* Name the shape, never echo the secret: reasons are journaled. */
		add(sc, CK_SECRET, hits[i].score, EXFIL, lineno, "adds a secret: %s", hits[i].what);
	}
}

/* "postinstall": "...": scripts npm (or composer) runs on every install of
 * the package; "prepare" runs only in the developer's own checkout and is
 * usually a hook manager, so it is worth a look rather than an alarm. */
static void
scan_package(struct scan *sc, size_t lineno, const char *s, size_t len)
{
	static const struct {
		const char *key;
		int score;
	} hooks[] = {
	    {"\"preinstall\"", 65},   {"\"install\"", 65},          {"\"postinstall\"", 65},
	    {"\"preuninstall\"", 65}, {"\"post-install-cmd\"", 65}, {"\"post-update-cmd\"", 65},
	    {"\"prepare\"", 35},      {"\"prepublish\"", 35},
	};
	for (size_t i = 0; i < sizeof hooks / sizeof hooks[0]; i++) {
		const char *k = find(s, len, hooks[i].key);
		if (k == NULL || memchr(k, ':', (size_t)(s + len - k)) == NULL)
			continue;
		add(sc, CK_HOOK, hooks[i].score, WEAKENING, lineno,
		    "adds a package lifecycle script %s", hooks[i].key);
		return;
	}
}

/* A lockfile entry resolved from somewhere other than a known registry. */
static void
scan_lock(struct scan *sc, size_t lineno, const char *s, size_t len)
{
	const char *u = find(s, len, "://");
	if (u == NULL || u - s < 4)
		return;
	int plain = memcmp(u - 4, "http", 4) == 0 && (u - s < 5 || u[-5] != 'h');
	int https = u - s >= 5 && memcmp(u - 5, "https", 5) == 0;
	if (!plain && !https && !(u - s >= 7 && memcmp(u - 7, "git+ssh", 7) == 0) &&
	    !(u - s >= 3 && memcmp(u - 3, "git", 3) == 0))
		return;
	const char *h = u + 3, *end = s + len;
	const char *he = h;
	while (he < end && *he != '/' && *he != ':' && *he != '"' && *he != '\'' && *he != ' ' &&
	       *he != '#' && *he != '@')
		he++;
	if (he < end && *he == '@') { /* user@host */
		h = he + 1;
		for (he = h; he < end && *he != '/' && *he != ':' && *he != '"' && *he != ' '; he++)
			;
	}
	if (he == h)
		return;
	if (plain)
		add(sc, CK_LOCK, 55, WEAKENING, lineno,
		    "resolves a dependency over plain http from %.*s",
		    (int)(he - h > 80 ? 80 : he - h), h);
	else if (!ag_trusted_host(h, (size_t)(he - h)))
		add(sc, CK_LOCK, 55, WEAKENING, lineno,
		    "resolves a dependency from an unknown host %.*s",
		    (int)(he - h > 80 ? 80 : he - h), h);
}

/* Scores a script line as the command it will be, capped at high: it is
 * written now and runs later. */
static void
scan_command(struct scan *sc, size_t lineno, const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	if (len == 0 || len > SCRIPT_MAX || *s == '#')
		return;
	char *cmd = xstrndup(s, len);
	struct ag_request sub;
	struct ag_risk r;
	memset(&sub, 0, sizeof sub);
	sub.kind = AG_KIND_EXEC;
	sub.session = sub.agent = sub.justification = (char *)"";
	sub.cwd = sc->req->cwd != NULL ? sc->req->cwd : (char *)"";
	sub.u.exec.command = cmd;
	ag_risk_init(&r);
	ag_risk_exec(&sub, &r);
	if (r.score >= 50) {
		const char *why = r.nreasons > 0 ? r.reasons[0].text : "a risky command";
		add(sc, CK_SCRIPT, r.score > 75 ? 75 : r.score, r.categories, lineno,
		    "writes a risky command into a script: %s", why);
	}
	ag_risk_clear(&r);
	free(cmd);
}

static int
test_definition(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	return (len > 9 && memcmp(s, "def test", 8) == 0) ||
	       (len > 15 && memcmp(s, "async def test", 14) == 0) ||
	       (len > 9 && memcmp(s, "func Test", 9) == 0) ||
	       (len > 3 && memcmp(s, "it(", 3) == 0) || (len > 5 && memcmp(s, "test(", 5) == 0) ||
	       (len >= 5 && memcmp(s, "@Test", 5) == 0) ||
	       (len >= 7 && memcmp(s, "#[test]", 7) == 0) ||
	       (len > 7 && memcmp(s, "TEST_F(", 7) == 0) || (len > 5 && memcmp(s, "TEST(", 5) == 0);
}

static void
on_line(void *ctx, const struct ag_diff *diff, size_t lineno, enum ag_diff_kind kind, int file,
        const char *text, size_t len)
{
	struct scan *sc = ctx;
	if (kind != AG_DIFF_ADD && kind != AG_DIFF_DEL)
		return;
	if (file != sc->file) {
		sc->file = file;
		sc->traits = file >= 0 ? traits_of(ag_diff_file_path(&diff->files[file])) : 0;
	}
	const char *s = text + 1;
	size_t n = len - 1;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (file >= 0 && (diff->files[file].flags & AG_DIFF_F_SYMLINK) && kind == AG_DIFF_ADD &&
	    sc->symlink_line == 0) {
		sc->symlink_line = lineno;
		sc->symlink_target = s;
		sc->symlink_len = n;
	}
	if (kind == AG_DIFF_DEL) {
		if ((sc->traits & T_TEST) && test_definition(s, n)) {
			if (sc->tests_removed++ == 0)
				sc->first_test_removed = lineno;
		}
		return;
	}
	if ((sc->traits & T_TEST) && test_definition(s, n))
		sc->tests_added++;
	size_t scan_len = n > SCAN_MAX ? SCAN_MAX : n;
	scan_secrets(sc, lineno, s, n);
	if (!(sc->traits & T_DOC))
		scan_keywords(sc, lineno, s, scan_len);
	if (sc->traits & T_PACKAGE)
		scan_package(sc, lineno, s, scan_len);
	if (sc->traits & T_LOCK)
		scan_lock(sc, lineno, s, scan_len);
	if (sc->traits & T_SCRIPT)
		scan_command(sc, lineno, s, n);
	else if ((sc->traits & T_MAKE) && n > 0 && s[0] == '\t')
		scan_command(sc, lineno, s, n);
	else if ((sc->traits & T_DOCKER) && n > 4 && memcmp(s, "RUN ", 4) == 0)
		scan_command(sc, lineno, s + 4, n - 4);
	else if (sc->traits & T_CI) {
		const char *run = find(s, scan_len, "run:");
		if (run != NULL && (run == s || run[-1] == ' ' || run[-1] == '-'))
			scan_command(sc, lineno, run + 4, (size_t)(s + n - run - 4));
		if (find(s, scan_len, "secrets.") != NULL &&
		    (find(s, scan_len, "curl") != NULL || find(s, scan_len, "wget") != NULL ||
		     find(s, scan_len, "nc ") != NULL))
			add(sc, CK_CI, 75, EXFIL, lineno, "sends a CI secret over the network");
	}
}

static int
inside_cwd(const char *path, const char *cwd)
{
	size_t n = cwd != NULL ? strlen(cwd) : 0;
	while (n > 1 && cwd[n - 1] == '/')
		n--;
	return n > 1 && strncmp(path, cwd, n) == 0 && (path[n] == '/' || path[n] == '\0') &&
	       strstr(path + n, "/../") == NULL;
}

static void
check_path(struct scan *sc, const char *path, size_t line, int deleted)
{
	struct ag_path_hit hit;
	char shown[SHOW_PATH + 8];
	show(shown, sizeof shown, path);
	if (ag_sensitive_path(path, strlen(path), AG_ACCESS_WRITE, &hit)) {
		add(sc, CK_PATH, hit.score, hit.categories, line, "%s %s: %s",
		    deleted ? "deletes" : "modifies", hit.what, shown);
		return;
	}
	if (ag_path_escapes(path, strlen(path)) && !inside_cwd(path, sc->req->cwd) &&
	    strncmp(path, "/tmp/", 5) != 0)
		add(sc, CK_PATH, 60, DESTRUCTIVE, line, "writes outside the workspace: %s", shown);
}

static int
executable_name(const char *path)
{
	static const char *const exts[] = {".exe",  ".dll",   ".so",  ".dylib", ".bin", ".elf",
	                                   ".jar",  ".class", ".pyc", ".o",     ".a",   ".node",
	                                   ".wasm", ".msi",   ".com", ".scr",   NULL};
	for (size_t i = 0; exts[i] != NULL; i++)
		if (ends_with(path, exts[i]))
			return 1;
	return strstr(basename_of(path), ".so.") != NULL;
}

static void
check_files(struct scan *sc, const struct ag_diff *d)
{
	size_t deleted = 0, deleted_tests = 0, first_deleted = 0;
	for (size_t i = 0; i < d->nfiles; i++) {
		const struct ag_diff_file *f = &d->files[i];
		const char *path = ag_diff_file_path(f);
		int del = (f->flags & AG_DIFF_F_DELETED) != 0;
		char shown[SHOW_PATH + 8];
		show(shown, sizeof shown, path);
		if (f->new_path != NULL)
			check_path(sc, f->new_path, f->line, 0);
		if (f->old_path != NULL &&
		    (f->new_path == NULL || strcmp(f->old_path, f->new_path) != 0))
			check_path(sc, f->old_path, f->line, del);
		if (del && (traits_of(path) & T_CI))
			add(sc, CK_PATH, 55, WEAKENING, f->line, "deletes a CI pipeline: %s",
			    shown);
		if (del) {
			if (deleted++ == 0)
				first_deleted = f->line;
			if (test_path(path))
				deleted_tests++;
		}
		if (f->flags & AG_DIFF_F_BINARY) {
			if (executable_name(path) || (f->flags & AG_DIFF_F_EXEC))
				add(sc, CK_BINARY, 60, WEAKENING, f->line,
				    "adds an executable binary: %s", shown);
			else
				add(sc, CK_BINARY, 30, 0, f->line, "binary content: %s", shown);
		}
		if (f->flags & AG_DIFF_F_TRUNC_PATH)
			add(sc, CK_PATH, 55, WEAKENING, f->line, "has a path longer than %d bytes",
			    AG_DIFF_MAX_PATH);
	}
	if (sc->symlink_line > 0 && ag_path_escapes(sc->symlink_target, sc->symlink_len)) {
		size_t n = sc->symlink_len > SHOW_PATH ? SHOW_PATH : sc->symlink_len;
		add(sc, CK_SYMLINK, 65, WEAKENING, sc->symlink_line,
		    "adds a symlink pointing outside the workspace: %.*s", (int)n,
		    sc->symlink_target);
	}
	/* A deleted test file counts unless its tests reappear elsewhere in the
	 * same patch (a move); one with no test we can recognise counts too. */
	if (deleted_tests > 0 && (sc->tests_removed > sc->tests_added || sc->tests_removed == 0))
		ag_risk_add(sc->out, 50, WEAKENING, -1, -1, (int)first_deleted,
		            deleted_tests == 1 ? "deletes a test file" : "deletes test files");
	if (sc->tests_removed > sc->tests_added && deleted_tests == 0) {
		char text_[128];
		snprintf(text_, sizeof text_, "line %zu removes %zu test%s", sc->first_test_removed,
		         sc->tests_removed - sc->tests_added,
		         sc->tests_removed - sc->tests_added == 1 ? "" : "s");
		ag_risk_add(sc->out, 50, WEAKENING, -1, -1, (int)sc->first_test_removed, text_);
	}
	if (deleted >= 20) {
		char t[128];
		snprintf(t, sizeof t, "deletes %zu files", deleted);
		ag_risk_add(sc->out, 60, DESTRUCTIVE, -1, -1, (int)first_deleted, t);
	} else if (deleted >= 5) {
		char t[128];
		snprintf(t, sizeof t, "deletes %zu files", deleted);
		ag_risk_add(sc->out, 35, DESTRUCTIVE, -1, -1, (int)first_deleted, t);
	}
	if (d->removed >= 1000 && d->removed >= 5 * (d->added + 1)) {
		char t[128];
		snprintf(t, sizeof t, "mass deletion: %zu lines removed, %zu added", d->removed,
		         d->added);
		ag_risk_add(sc->out, 60, DESTRUCTIVE, -1, -1, 0, t);
	}
	if (d->truncated) {
		char t[128];
		snprintf(t, sizeof t, "more than %d files: the rest were not examined",
		         AG_DIFF_MAX_FILES);
		ag_risk_add(sc->out, 60, WEAKENING, -1, -1, 0, t);
	}
}

static void
report_caps(struct scan *sc)
{
	static const char *const names[CK_COUNT] = {
	    "secret", "TLS",    "authorization", "skipped-test", "install-hook", "lockfile",
	    "CI",     "script", "path",          "binary",       "symlink"};
	for (int ck = 0; ck < CK_COUNT; ck++)
		if (sc->counts[ck] > PER_CHECK) {
			char t[128];
			snprintf(t, sizeof t, "%zu more %s findings not listed",
			         sc->counts[ck] - PER_CHECK, names[ck]);
			ag_risk_add(sc->out, 0, 0, -1, -1, 0, t);
		}
}

void
ag_risk_patch(const struct ag_request *req, struct ag_risk *out)
{
	struct scan sc;
	struct ag_diff diff;
	const char *text = req->u.patch.diff != NULL ? req->u.patch.diff : "";
	size_t len = strlen(text);

	memset(&sc, 0, sizeof sc);
	init_buckets(&sc);
	sc.req = req;
	sc.out = out;
	sc.file = -2;
	ag_diff_parse(text, len, &diff, on_line, &sc);
	check_files(&sc, &diff);
	/* Files the agent listed but the diff does not show still count. */
	for (size_t i = 0; i < req->u.patch.nfiles && req->u.patch.files != NULL; i++) {
		int seen = 0;
		for (size_t k = 0; k < diff.nfiles && !seen; k++)
			seen =
			    strcmp(ag_diff_file_path(&diff.files[k]), req->u.patch.files[i]) == 0;
		if (!seen)
			check_path(&sc, req->u.patch.files[i], 0, 0);
	}
	if (len > 0 && diff.nfiles == 0)
		ag_risk_add(out, 30, 0, -1, -1, 0,
		            "no file headers found: the diff cannot be checked");
	report_caps(&sc);
	ag_diff_clear(&diff);
}
