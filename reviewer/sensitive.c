/* Paths are split into components once and then asked simple questions
 * (basename, "has .ssh", "starts with etc"), so "/home/u/./.ssh//id_rsa",
 * "~/.ssh/id_rsa" and "a/../.ssh/id_rsa" all read the same. Hosts are
 * matched on themselves and every parent domain. */
#include "reviewer/sensitive.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/hash.h"
#include "core/model.h"

#define MAX_COMPS      256
#define MAX_PATH_BYTES 4096

struct comp {
	const char *s;
	size_t len;
};

struct path {
	struct comp c[MAX_COMPS];
	size_t n;
	int absolute; /* began with '/' */
	int home;     /* began with ~, $HOME, /home/USER, /root, /Users/USER */
	size_t base;  /* components of the prefix (home or nothing) */
	int escapes;  /* a ".." climbed above the start */
};

/* Most components differ from most names at the first byte: that is
 * compared before the name's length is taken. */
static int
comp_is(const struct comp *c, const char *name)
{
	if (c->len == 0)
		return name[0] == '\0';
	if (c->s[0] != name[0])
		return 0;
	size_t n = strlen(name);
	return c->len == n && memcmp(c->s, name, n) == 0;
}

static int
comp_prefix(const struct comp *c, const char *prefix)
{
	size_t n = strlen(prefix);
	return c->len >= n && memcmp(c->s, prefix, n) == 0;
}

static int
comp_suffix(const struct comp *c, const char *suffix)
{
	size_t n = strlen(suffix);
	return c->len >= n && memcmp(c->s + c->len - n, suffix, n) == 0;
}

static void
split(const char *s, size_t len, struct path *p)
{
	/* Only c[0, n) is ever read: the 4 KiB of components are not cleared. */
	p->n = 0;
	p->absolute = p->home = p->escapes = 0;
	p->base = 0;
	if (len > MAX_PATH_BYTES)
		len = MAX_PATH_BYTES;
	p->absolute = len > 0 && s[0] == '/';
	for (size_t i = 0; i < len;) {
		while (i < len && s[i] == '/')
			i++;
		size_t start = i;
		while (i < len && s[i] != '/')
			i++;
		struct comp c = {s + start, i - start};
		if (c.len == 0 || comp_is(&c, "."))
			continue;
		if (comp_is(&c, "..")) {
			if (p->n > 0)
				p->n--;
			else
				p->escapes = 1;
			continue;
		}
		if (p->n < MAX_COMPS)
			p->c[p->n++] = c;
	}
	if (p->n == 0)
		return;
	if (!p->absolute && (comp_is(&p->c[0], "~") || comp_is(&p->c[0], "$HOME") ||
	                     comp_is(&p->c[0], "${HOME}"))) {
		p->home = 1;
		p->base = 1;
	} else if (p->absolute && p->n >= 2 &&
	           (comp_is(&p->c[0], "home") || comp_is(&p->c[0], "Users"))) {
		p->home = 1;
		p->base = 2;
	} else if (p->absolute && comp_is(&p->c[0], "root")) {
		p->home = 1;
		p->base = 1;
	}
}

static int
has(const struct path *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (comp_is(&p->c[i], name))
			return 1;
	return 0;
}

/* Index of the first component equal to name, or -1. */
static int
find(const struct path *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (comp_is(&p->c[i], name))
			return (int)i;
	return -1;
}

/* Adjacent components a/b anywhere. */
static int
pair(const struct path *p, const char *a, const char *b)
{
	for (size_t i = 0; i + 1 < p->n; i++)
		if (comp_is(&p->c[i], a) && comp_is(&p->c[i + 1], b))
			return 1;
	return 0;
}

static const struct comp *
base(const struct path *p)
{
	static const struct comp empty = {"", 0};
	return p->n > 0 ? &p->c[p->n - 1] : &empty;
}

static int
root_is(const struct path *p, const char *name)
{
	return p->absolute && p->n > 0 && comp_is(&p->c[0], name);
}

static int
base_in(const struct path *p, const char *const *names)
{
	for (size_t i = 0; names[i] != NULL; i++)
		if (comp_is(base(p), names[i]))
			return 1;
	return 0;
}

struct verdict {
	int read, write;
	unsigned rcat, wcat;
	const char *what;
};

#define DESTRUCTIVE AG_CATEGORY(DESTRUCTIVE)
#define CREDENTIAL  AG_CATEGORY(CREDENTIAL_PROBING)
#define WEAKENING   AG_CATEGORY(SECURITY_WEAKENING)

static int
set(struct verdict *v, int read, unsigned rcat, int write, unsigned wcat, const char *what)
{
	v->read = read;
	v->rcat = rcat;
	v->write = write;
	v->wcat = wcat;
	v->what = what;
	return 1;
}

static int
env_file(const struct comp *b)
{
	if (!comp_is(b, ".env") && !comp_prefix(b, ".env."))
		return 0;
	return !comp_suffix(b, ".example") && !comp_suffix(b, ".sample") &&
	       !comp_suffix(b, ".template") && !comp_suffix(b, ".dist") &&
	       !comp_suffix(b, ".defaults");
}

static int
system_path(const struct path *p, struct verdict *v)
{
	const struct comp *b = base(p);
	if (root_is(p, "etc")) {
		if (has(p, "sudoers") || has(p, "sudoers.d"))
			return set(v, 40, CREDENTIAL, 95, WEAKENING, "sudoers");
		if (p->n == 2 && (comp_is(b, "shadow") || comp_is(b, "gshadow")))
			return set(v, 90, CREDENTIAL, 95, WEAKENING, "password hashes");
		if (p->n == 2 && (comp_is(b, "passwd") || comp_is(b, "group")))
			return set(v, 5, 0, 95, WEAKENING, "account database");
		if (p->n == 2 && comp_is(b, "ld.so.preload"))
			return set(v, 5, 0, 95, WEAKENING, "preloaded libraries");
		if (p->n >= 2 && comp_is(&p->c[1], "pam.d"))
			return set(v, 5, 0, 90, WEAKENING, "PAM configuration");
		if (p->n >= 2 && comp_is(&p->c[1], "ssh"))
			return set(v,
			           comp_prefix(b, "ssh_host_") && !comp_suffix(b, ".pub") ? 85 : 10,
			           CREDENTIAL, 85, WEAKENING, "SSH daemon configuration");
		if (p->n >= 2 && (comp_prefix(&p->c[1], "cron") || comp_is(&p->c[1], "systemd") ||
		                  comp_is(&p->c[1], "init.d") || comp_is(&p->c[1], "rc.local") ||
		                  comp_is(&p->c[1], "profile") || comp_is(&p->c[1], "profile.d") ||
		                  comp_is(&p->c[1], "bash.bashrc") || comp_is(&p->c[1], "zsh") ||
		                  comp_is(&p->c[1], "environment")))
			return set(v, 5, 0, 85, WEAKENING, "system start-up configuration");
		return set(v, 5, 0, 65, WEAKENING, "system configuration in /etc");
	}
	if (root_is(p, "var") && p->n >= 3 && comp_is(&p->c[1], "spool") &&
	    comp_is(&p->c[2], "cron"))
		return set(v, 10, 0, 85, WEAKENING, "crontab");
	if (root_is(p, "var") && p->n >= 2 && comp_is(&p->c[1], "log"))
		return set(v, 10, 0, 60, WEAKENING, "system logs");
	if (root_is(p, "dev") && p->n >= 2 &&
	    (comp_prefix(b, "sd") || comp_prefix(b, "nvme") || comp_prefix(b, "hd") ||
	     comp_prefix(b, "vd") || comp_prefix(b, "xvd") || comp_prefix(b, "mmcblk") ||
	     comp_is(b, "mem") || comp_is(b, "kmem") || comp_prefix(b, "disk")))
		return set(v, 70, CREDENTIAL, 95, DESTRUCTIVE, "raw disk or memory device");
	if (root_is(p, "boot") || root_is(p, "bin") || root_is(p, "sbin") || root_is(p, "usr") ||
	    root_is(p, "lib") || root_is(p, "lib64") || root_is(p, "sys") ||
	    (root_is(p, "proc") && has(p, "sys")) || root_is(p, "System"))
		return set(v, 0, 0, 80, DESTRUCTIVE, "system files");
	return 0;
}

static int
sockets(const struct path *p, struct verdict *v)
{
	const struct comp *b = base(p);
	if (comp_is(b, "docker.sock") || comp_is(b, "containerd.sock") || comp_is(b, "podman.sock"))
		return set(v, 90, WEAKENING, 90, WEAKENING,
		           "container runtime socket (root access)");
	return 0;
}

static int
ssh_path(const struct path *p, struct verdict *v)
{
	int i = find(p, ".ssh");
	if (i < 0)
		return 0;
	const struct comp *b = base(p);
	if ((size_t)i + 1 == p->n)
		return set(v, 75, CREDENTIAL, 85, WEAKENING, "SSH directory");
	if (comp_prefix(b, "authorized_keys"))
		return set(v, 20, CREDENTIAL, 92, WEAKENING, "SSH authorized_keys");
	if (comp_is(b, "known_hosts"))
		return set(v, 15, CREDENTIAL, 50, WEAKENING, "SSH known_hosts");
	if (comp_is(b, "config") || comp_prefix(b, "rc"))
		return set(v, 40, CREDENTIAL, 85, WEAKENING, "SSH client configuration");
	if (comp_suffix(b, ".pub"))
		return set(v, 15, CREDENTIAL, 70, WEAKENING, "SSH public key");
	return set(v, 90, CREDENTIAL, 85, WEAKENING, "SSH private key");
}

static int
shell_rc(const struct path *p, struct verdict *v)
{
	static const char *const rc[] = {
	    ".bashrc",   ".bash_profile", ".bash_login", ".bash_logout", ".profile",    ".zshrc",
	    ".zprofile", ".zshenv",       ".zlogin",     ".zlogout",     ".cshrc",      ".tcshrc",
	    ".kshrc",    ".mkshrc",       ".xprofile",   ".xinitrc",     ".xsessionrc", ".inputrc",
	    NULL};
	if (base_in(p, rc) || comp_is(base(p), "config.fish") ||
	    (pair(p, "fish", "conf.d") && comp_suffix(base(p), ".fish")))
		return set(v, 5, 0, 75, WEAKENING, "shell start-up file");
	if (pair(p, ".config", "autostart") || pair(p, "Library", "LaunchAgents") ||
	    pair(p, "Library", "LaunchDaemons") || (pair(p, "systemd", "user") && p->home))
		return set(v, 5, 0, 80, WEAKENING, "login start-up item");
	return 0;
}

static int
git_path(const struct path *p, struct verdict *v)
{
	int i = find(p, ".git");
	if (i >= 0) {
		if ((size_t)i + 1 < p->n && comp_is(&p->c[i + 1], "hooks"))
			return set(v, 5, 0, 85, WEAKENING, "git hook");
		if ((size_t)i + 2 == p->n && comp_is(base(p), "config"))
			return set(v, 5, 0, 70, WEAKENING,
			           "git configuration (hooksPath, fsmonitor)");
		return set(v, 5, 0, 60, DESTRUCTIVE, "git internals");
	}
	if (has(p, ".husky") && p->n > 1)
		return set(v, 5, 0, 60, WEAKENING, "git hook (husky)");
	if (comp_is(base(p), ".gitconfig") || pair(p, "git", "config"))
		return set(v, 20, CREDENTIAL, 70, WEAKENING,
		           "git configuration (hooksPath, fsmonitor)");
	if (comp_is(base(p), ".git-credentials"))
		return set(v, 90, CREDENTIAL, 60, WEAKENING, "git credentials");
	return 0;
}

static int
agent_config(const struct path *p, struct verdict *v)
{
	static const char *const dirs[] = {".codex",  ".claude",   ".agents", ".agate", ".cursor",
	                                   ".gemini", ".continue", ".aider",  NULL};
	const struct comp *b = base(p);
	for (size_t i = 0; dirs[i] != NULL; i++) {
		int k = find(p, dirs[i]);
		if (k < 0 || (size_t)k + 1 == p->n)
			continue;
		/* Settings, hooks, permissions and MCP servers change what the agent
		 * may do unasked; commands and notes only change what it is told. */
		if (comp_prefix(b, "settings") || comp_prefix(b, "config") ||
		    comp_is(&p->c[k + 1], "hooks") || comp_is(b, "rules") ||
		    comp_suffix(b, ".toml") || comp_suffix(b, ".json") || comp_is(b, "auth.json"))
			return set(
			    v, comp_is(b, "auth.json") || comp_prefix(b, ".credentials") ? 85 : 20,
			    CREDENTIAL, 75, WEAKENING, "coding agent configuration");
		return set(v, 10, 0, 45, WEAKENING, "coding agent files");
	}
	if (comp_is(b, ".mcp.json") || comp_is(b, ".claude.json"))
		return set(v, 20, CREDENTIAL, 70, WEAKENING, "coding agent configuration");
	return 0;
}

static int
ci_path(const struct path *p, struct verdict *v)
{
	static const char *const files[] = {".gitlab-ci.yml",
	                                    "Jenkinsfile",
	                                    ".travis.yml",
	                                    "azure-pipelines.yml",
	                                    "bitbucket-pipelines.yml",
	                                    ".drone.yml",
	                                    "cloudbuild.yaml",
	                                    "cloudbuild.yml",
	                                    NULL};
	if (pair(p, ".github", "workflows") || pair(p, ".github", "actions") ||
	    has(p, ".circleci") || has(p, ".buildkite") || base_in(p, files))
		return set(v, 0, 0, 40, WEAKENING, "CI pipeline");
	if (pair(p, ".github", "CODEOWNERS") || comp_is(base(p), "CODEOWNERS"))
		return set(v, 0, 0, 45, WEAKENING, "code owners (review requirements)");
	return 0;
}

static int
dev_tooling(const struct path *p, struct verdict *v)
{
	const struct comp *b = base(p);
	if (comp_is(b, ".envrc"))
		return set(v, 30, CREDENTIAL, 60, WEAKENING, "direnv script (runs on cd)");
	if (pair(p, ".vscode", "tasks.json") || pair(p, ".vscode", "settings.json") ||
	    pair(p, ".vscode", "launch.json") || has(p, ".devcontainer"))
		return set(v, 0, 0, 45, WEAKENING, "editor configuration that runs commands");
	if (comp_is(b, ".pre-commit-config.yaml"))
		return set(v, 0, 0, 40, WEAKENING, "pre-commit hooks");
	if (comp_is(b, ".npmrc") || comp_is(b, ".yarnrc") || comp_is(b, ".yarnrc.yml") ||
	    comp_is(b, "pip.conf") || comp_is(b, ".pypirc") || comp_is(b, "bunfig.toml"))
		return set(v, 65, CREDENTIAL, 50, WEAKENING, "package manager configuration");
	return 0;
}

static int
credentials(const struct path *p, struct verdict *v)
{
	static const char *const secret_files[] = {
	    ".netrc",       "_netrc", ".pgpass", ".my.cnf", ".vault-token", "credentials.tfrc.json",
	    ".terraformrc", ".boto",  ".s3cfg",  NULL};
	const struct comp *b = base(p);
	if (has(p, ".aws") && p->n > 1)
		return set(v, 85, CREDENTIAL, 60, WEAKENING, "AWS credentials");
	if (base_in(p, secret_files))
		return set(v, 85, CREDENTIAL, 60, WEAKENING, "credential file");
	if (pair(p, ".docker", "config.json") || pair(p, ".kube", "config") || has(p, ".azure") ||
	    pair(p, ".config", "gcloud") || pair(p, ".config", "gh") ||
	    pair(p, ".cargo", "credentials") || pair(p, ".cargo", "credentials.toml") ||
	    pair(p, ".m2", "settings.xml") || pair(p, ".gem", "credentials"))
		return set(v, 80, CREDENTIAL, 60, WEAKENING, "cloud or registry credentials");
	if (has(p, ".gnupg") || has(p, ".password-store") || pair(p, "Library", "Keychains") ||
	    has(p, "keyrings"))
		return set(v, 90, CREDENTIAL, 70, WEAKENING, "keychain or key ring");
	if (env_file(b))
		return set(v, 60, CREDENTIAL, 25, 0, "environment file with secrets");
	if (comp_suffix(b, ".pem") || comp_suffix(b, ".key") || comp_suffix(b, ".p12") ||
	    comp_suffix(b, ".pfx") || comp_suffix(b, ".jks") || comp_suffix(b, ".keystore") ||
	    comp_prefix(b, "id_rsa") || comp_prefix(b, "id_ed25519") ||
	    comp_prefix(b, "id_ecdsa") || comp_prefix(b, "id_dsa"))
		return set(v, comp_suffix(b, ".pub") ? 10 : 75, CREDENTIAL, 30, 0,
		           "private key file");
	return 0;
}

int
ag_sensitive_path(const char *path, size_t len, unsigned access, struct ag_path_hit *hit)
{
	struct path p;
	struct verdict v = {0};
	split(path, len, &p);
	if (p.n == 0)
		return 0;
	if (!(system_path(&p, &v) || sockets(&p, &v) || ssh_path(&p, &v) || shell_rc(&p, &v) ||
	      git_path(&p, &v) || agent_config(&p, &v) || credentials(&p, &v) || ci_path(&p, &v) ||
	      dev_tooling(&p, &v)))
		return 0;
	int score = 0;
	unsigned cats = 0;
	if ((access & AG_ACCESS_READ) && v.read > score) {
		score = v.read;
		cats = v.rcat;
	}
	if ((access & AG_ACCESS_WRITE) && v.write > score) {
		score = v.write;
		cats = v.wcat;
	}
	if (score == 0)
		return 0;
	hit->score = score;
	hit->categories = cats;
	hit->what = v.what;
	return 1;
}

int
ag_path_escapes(const char *path, size_t len)
{
	struct path p;
	split(path, len, &p);
	return p.escapes || p.absolute || p.home;
}

/* host (lowercased, no trailing dot) equals suffix or ends with "." suffix. */
static int
domain_match(const char *host, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	if (len < n || strncasecmp(host + len - n, suffix, n) != 0)
		return 0;
	return len == n || host[len - n - 1] == '.';
}

struct host_entry {
	const char *domain;
	const char *what;
};

static const struct host_entry exfil_hosts[] = {
    {"pastebin.com", "paste site"},
    {"pastebin.pl", "paste site"},
    {"paste.ee", "paste site"},
    {"hastebin.com", "paste site"},
    {"hastebin.skyra.pw", "paste site"},
    {"ghostbin.co", "paste site"},
    {"termbin.com", "paste site"},
    {"ix.io", "paste site"},
    {"sprunge.us", "paste site"},
    {"dpaste.com", "paste site"},
    {"dpaste.org", "paste site"},
    {"rentry.co", "paste site"},
    {"paste.rs", "paste site"},
    {"privatebin.net", "paste site"},
    {"controlc.com", "paste site"},
    {"justpaste.it", "paste site"},
    {"transfer.sh", "file drop"},
    {"file.io", "file drop"},
    {"0x0.st", "file drop"},
    {"temp.sh", "file drop"},
    {"bashupload.com", "file drop"},
    {"oshi.at", "file drop"},
    {"catbox.moe", "file drop"},
    {"litterbox.catbox.moe", "file drop"},
    {"gofile.io", "file drop"},
    {"anonfiles.com", "file drop"},
    {"filebin.net", "file drop"},
    {"wetransfer.com", "file drop"},
    {"uguu.se", "file drop"},
    {"keep.sh", "file drop"},
    {"webhook.site", "webhook catcher"},
    {"requestbin.com", "webhook catcher"},
    {"requestbin.net", "webhook catcher"},
    {"requestcatcher.com", "webhook catcher"},
    {"pipedream.net", "webhook catcher"},
    {"beeceptor.com", "webhook catcher"},
    {"mockbin.org", "webhook catcher"},
    {"hookbin.com", "webhook catcher"},
    {"postb.in", "webhook catcher"},
    {"ptsv2.com", "webhook catcher"},
    {"ptsv3.com", "webhook catcher"},
    {"interact.sh", "out-of-band catcher"},
    {"oast.fun", "out-of-band catcher"},
    {"oast.live", "out-of-band catcher"},
    {"oast.me", "out-of-band catcher"},
    {"oast.online", "out-of-band catcher"},
    {"oast.pro", "out-of-band catcher"},
    {"oast.site", "out-of-band catcher"},
    {"burpcollaborator.net", "out-of-band catcher"},
    {"oastify.com", "out-of-band catcher"},
    {"canarytokens.com", "out-of-band catcher"},
    {"dnslog.cn", "out-of-band catcher"},
    {"ngrok.io", "tunnel"},
    {"ngrok.app", "tunnel"},
    {"ngrok-free.app", "tunnel"},
    {"ngrok.dev", "tunnel"},
    {"trycloudflare.com", "tunnel"},
    {"serveo.net", "tunnel"},
    {"localtunnel.me", "tunnel"},
    {"loca.lt", "tunnel"},
    {"localhost.run", "tunnel"},
    {"lhr.life", "tunnel"},
    {"pagekite.me", "tunnel"},
    {"bore.pub", "tunnel"},
    {"telebit.cloud", "tunnel"},
    {"tunnelto.dev", "tunnel"},
    {"discord.com", "chat webhook"},
    {"discordapp.com", "chat webhook"},
    {"hooks.slack.com", "chat webhook"},
    {"api.telegram.org", "chat webhook"},
    {"outlook.office.com", "chat webhook"},
    {"webhook.office.com", "chat webhook"},
};

#define NEXFIL      (sizeof exfil_hosts / sizeof exfil_hosts[0])
#define EXFIL_SLOTS 256 /* a power of two, over twice NEXFIL */
#define HOST_MAX    255 /* longer hosts are matched entry by entry */
_Static_assert(NEXFIL < EXFIL_SLOTS / 2 && NEXFIL < 255, "exfil_slot is too small");

/* exfil_hosts by domain: an index + 1 per slot, 0 empty. A host is looked
 * up as itself and as each parent domain (what domain_match accepts), not
 * compared with every entry. Built once, read-only after. */
static unsigned char exfil_slot[EXFIL_SLOTS];
static pthread_once_t exfil_once = PTHREAD_ONCE_INIT;

static size_t
host_hash(const char *s, size_t len)
{
	return ag_hash(s, len) & (EXFIL_SLOTS - 1);
}

static void
exfil_build(void)
{
	for (size_t i = 0; i < NEXFIL; i++) {
		const char *d = exfil_hosts[i].domain;
		size_t k = host_hash(d, strlen(d));
		while (exfil_slot[k] != 0)
			k = (k + 1) & (EXFIL_SLOTS - 1);
		exfil_slot[k] = (unsigned char)(i + 1);
	}
}

/* The first entry (in table order, as the linear match returned) that is
 * the domain d[0, n) (lowercase), or NEXFIL. */
static size_t
exfil_find(const char *d, size_t n)
{
	size_t best = NEXFIL;
	for (size_t k = host_hash(d, n); exfil_slot[k] != 0; k = (k + 1) & (EXFIL_SLOTS - 1)) {
		size_t i = exfil_slot[k] - 1u;
		const char *e = exfil_hosts[i].domain;
		if (i < best && strlen(e) == n && memcmp(e, d, n) == 0)
			best = i;
	}
	return best;
}

const char *
ag_sensitive_host(const char *host, size_t len)
{
	while (len > 0 && host[len - 1] == '.')
		len--;
	if (len > HOST_MAX) {
		for (size_t i = 0; i < NEXFIL; i++)
			if (domain_match(host, len, exfil_hosts[i].domain))
				return exfil_hosts[i].what;
		return NULL;
	}
	/* domain_match compares with strncasecmp against lowercase domains:
	 * the same as comparing the host lowered by tolower(). */
	char low[HOST_MAX];
	for (size_t i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)host[i]);
	pthread_once(&exfil_once, exfil_build);
	size_t best = NEXFIL;
	for (size_t k = 0; k < len; k++) {
		if (k > 0 && low[k - 1] != '.')
			continue;
		size_t i = exfil_find(low + k, len - k);
		if (i < best)
			best = i;
	}
	return best < NEXFIL ? exfil_hosts[best].what : NULL;
}

int
ag_trusted_host(const char *host, size_t len)
{
	static const char *const trusted[] = {
	    "github.com",
	    "githubusercontent.com",
	    "ghcr.io",
	    "gitlab.com",
	    "bitbucket.org",
	    "npmjs.org",
	    "npmjs.com",
	    "yarnpkg.com",
	    "pypi.org",
	    "pythonhosted.org",
	    "crates.io",
	    "rust-lang.org",
	    "golang.org",
	    "go.dev",
	    "rubygems.org",
	    "maven.org",
	    "apache.org",
	    "gradle.org",
	    "nuget.org",
	    "debian.org",
	    "ubuntu.com",
	    "alpinelinux.org",
	    "fedoraproject.org",
	    "docker.io",
	    "docker.com",
	    "quay.io",
	    "openai.com",
	    "anthropic.com",
	    "googleapis.com",
	    "sourceforge.net",
	    "readthedocs.io",
	    "python.org",
	    "nodejs.org",
	    "kernel.org",
	    "gnu.org",
	    "cpan.org",
	    "hex.pm",
	    "pub.dev",
	    "packagist.org",
	    "cocoapods.org",
	    "huggingface.co",
	    "stackoverflow.com",
	    "wikipedia.org",
	    "mozilla.org",
	    "jsdelivr.net",
	    "unpkg.com",
	    "cloudflare.com",
	    "microsoft.com",
	    "visualstudio.com",
	    "azureedge.net",
	    NULL,
	};
	while (len > 0 && host[len - 1] == '.')
		len--;
	for (size_t i = 0; trusted[i] != NULL; i++)
		if (domain_match(host, len, trusted[i]))
			return 1;
	return 0;
}
