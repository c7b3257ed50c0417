/* Network risk: where the connection goes and what it carries.
 *
 * The host is classified first (loopback, private, cloud metadata, public
 * raw IP, named host; paste sites, webhook catchers and tunnels), the URL's
 * own host too when it differs, then port, protocol and method raise the
 * score: a POST to a webhook catcher is the shape of exfiltration, a GET of
 * a package index is routine. IPv4 is parsed with inet_aton as well as
 * inet_pton, because curl and browsers accept "2130706433" and "0x7f.1",
 * and an agent hiding an address that way is itself a signal. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "reviewer/engine.h"
#include "reviewer/secrets.h"
#include "reviewer/sensitive.h"

#define DESTRUCTIVE AG_CATEGORY(DESTRUCTIVE)
#define EXFIL       AG_CATEGORY(DATA_EXFILTRATION)
#define CREDENTIAL  AG_CATEGORY(CREDENTIAL_PROBING)
#define WEAKENING   AG_CATEGORY(SECURITY_WEAKENING)

#define HOST_MAX 256
#define SHOW     120

enum host_class {
	H_NONE,      /* no host given */
	H_LOOPBACK,  /* 127/8, ::1, localhost */
	H_PRIVATE,   /* RFC 1918, CGNAT, ULA, link-local, .local/.internal names */
	H_METADATA,  /* cloud instance metadata services */
	H_PUBLIC_IP, /* a literal public address */
	H_NAME,      /* a public-looking name */
};

struct host_info {
	enum host_class cls;
	int obfuscated; /* an IPv4 literal only inet_aton reads (decimal, hex, octal, short) */
	const char *exfil;
	int trusted;
	char name[HOST_MAX];
};

static void reason(struct ag_risk *out, int score, unsigned cats, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
reason(struct ag_risk *out, int score, unsigned cats, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	ag_risk_add(out, score, cats, -1, -1, 0, text);
}

static enum host_class
classify_v4(uint32_t a)
{
	if ((a >> 24) == 127 || a == 0)
		return H_LOOPBACK;
	if (a == 0xa9fea9fe /* 169.254.169.254 */ || a == 0xa9feaa02 /* 169.254.170.2, ECS */ ||
	    a == 0x646464c8 /* 100.100.100.200, Alibaba */)
		return H_METADATA;
	if ((a >> 24) == 10 || (a >> 20) == 0xac1 /* 172.16/12 */ ||
	    (a >> 16) == 0xc0a8 /* 192.168/16 */ || (a >> 16) == 0xa9fe /* 169.254/16 */ ||
	    (a >> 22) == 0x191 /* 100.64/10 */)
		return H_PRIVATE;
	return H_PUBLIC_IP;
}

static enum host_class
classify_v6(const unsigned char *b)
{
	static const unsigned char loop[16] = {[15] = 1};
	static const unsigned char any[16] = {0};
	static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
	static const unsigned char aws[16] = {0xfd, 0, 0x0e, 0xc2, [14] = 0x02, [15] = 0x54};
	if (memcmp(b, loop, 16) == 0 || memcmp(b, any, 16) == 0)
		return H_LOOPBACK;
	if (memcmp(b, aws, 16) == 0)
		return H_METADATA;
	if (memcmp(b, mapped, 12) == 0)
		return classify_v4((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
		                   (uint32_t)b[14] << 8 | b[15]);
	if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
		return H_PRIVATE;
	return H_PUBLIC_IP;
}

static int
name_ends(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	if (n < k || strcasecmp(name + n - k, suffix) != 0)
		return 0;
	return n == k || name[n - k - 1] == '.' || suffix[0] == '.';
}

static void
classify(const char *host, size_t len, struct host_info *h)
{
	struct in_addr v4;
	unsigned char v6[16];

	memset(h, 0, sizeof *h);
	if (host == NULL || len == 0) {
		h->cls = H_NONE;
		return;
	}
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len >= sizeof h->name)
		len = sizeof h->name - 1;
	for (size_t i = 0; i < len; i++)
		h->name[i] = (char)tolower((unsigned char)host[i]);
	h->name[len] = '\0';
	while (len > 0 && h->name[len - 1] == '.')
		h->name[--len] = '\0';

	if (inet_pton(AF_INET, h->name, &v4) == 1) {
		h->cls = classify_v4(ntohl(v4.s_addr));
		return;
	}
	if (inet_pton(AF_INET6, h->name, v6) == 1) {
		h->cls = classify_v6(v6);
		return;
	}
	if (len > 0 && (isdigit((unsigned char)h->name[0])) && inet_aton(h->name, &v4) != 0) {
		h->obfuscated = 1;
		h->cls = classify_v4(ntohl(v4.s_addr));
		return;
	}
	if (strcmp(h->name, "localhost") == 0 || name_ends(h->name, ".localhost") ||
	    strcmp(h->name, "ip6-localhost") == 0) {
		h->cls = H_LOOPBACK;
		return;
	}
	if (strcmp(h->name, "metadata.google.internal") == 0 || strcmp(h->name, "metadata") == 0 ||
	    strcmp(h->name, "instance-data") == 0 ||
	    name_ends(h->name, "instance-data.ec2.internal")) {
		h->cls = H_METADATA;
		return;
	}
	if (strchr(h->name, '.') == NULL || name_ends(h->name, ".local") ||
	    name_ends(h->name, ".internal") || name_ends(h->name, ".lan") ||
	    name_ends(h->name, ".home.arpa") || name_ends(h->name, ".corp") ||
	    name_ends(h->name, ".intranet")) {
		h->cls = H_PRIVATE;
		return;
	}
	h->cls = H_NAME;
	h->exfil = ag_sensitive_host(h->name, strlen(h->name));
	h->trusted = ag_trusted_host(h->name, strlen(h->name));
}

static int
is_public(const struct host_info *h)
{
	return h->cls == H_PUBLIC_IP || h->cls == H_NAME;
}

/* A label that looks like data rather than a name: long and varied. */
static void
check_labels(const struct host_info *h, struct ag_risk *out)
{
	const char *s = h->name;
	size_t total = strlen(s);
	while (*s != '\0') {
		const char *dot = strchr(s, '.');
		size_t n = dot != NULL ? (size_t)(dot - s) : strlen(s);
		if (n >= 32 && ag_entropy(s, n) >= 3.5) {
			reason(out, 65, EXFIL,
			       "host name label of %zu characters looks like encoded data", n);
			return;
		}
		if (strncmp(s, "xn--", 4) == 0) {
			reason(out, 30, 0, "internationalized host name (look-alike risk): %.*s",
			       SHOW, h->name);
			return;
		}
		s += n + (dot != NULL);
	}
	if (total > 120)
		reason(out, 55, EXFIL, "host name of %zu characters may carry data", total);
	if (name_ends(h->name, "nip.io") || name_ends(h->name, "sslip.io") ||
	    name_ends(h->name, "xip.io") || name_ends(h->name, "traefik.me"))
		reason(out, 45, WEAKENING,
		       "host name that resolves to an address of the caller's choosing");
}

static void
score_host(const struct host_info *h, const char *label, int write, struct ag_risk *out)
{
	switch (h->cls) {
	case H_NONE: return;
	case H_LOOPBACK: reason(out, 0, 0, "%s %s is this machine", label, h->name); break;
	case H_PRIVATE: reason(out, 10, 0, "%s %s is on a private network", label, h->name); break;
	case H_METADATA:
		reason(out, 90, CREDENTIAL,
		       "%s %s is a cloud metadata service (instance credentials)", label, h->name);
		break;
	case H_PUBLIC_IP:
		reason(out, 40, 0, "%s %s is a raw public IP address", label, h->name);
		break;
	case H_NAME:
		if (h->exfil != NULL)
			reason(out, write ? 85 : 60, EXFIL, "%s %.*s is a %s", label, SHOW, h->name,
			       h->exfil);
		else if (!h->trusted)
			reason(out, 10, 0, "%s %.*s is a public host", label, SHOW, h->name);
		check_labels(h, out);
		break;
	}
	if (h->obfuscated)
		reason(out, 60, WEAKENING, "%s is an IP address written to hide it (%s form)",
		       label, "numeric");
}

static int
write_method(const char *m)
{
	return m != NULL && *m != '\0' && strcasecmp(m, "GET") != 0 && strcasecmp(m, "HEAD") != 0 &&
	       strcasecmp(m, "OPTIONS") != 0 && strcasecmp(m, "CONNECT") != 0 &&
	       strcasecmp(m, "TRACE") != 0;
}

static void
score_port(const struct host_info *h, int port, struct ag_risk *out)
{
	static const int shells[] = {4444, 4445, 1337, 31337, 6666, 6667, 6697,
	                             9001, 5555, 1234, 12345, 4242, 7777, 0};
	static const int ordinary[] = {80, 443, 22, 53, 853, 9418, 8080, 8443, 0};
	if (port <= 0 || !is_public(h))
		return;
	for (size_t i = 0; shells[i] != 0; i++)
		if (port == shells[i]) {
			reason(out, 65, EXFIL, "port %d is a common reverse-shell or C2 port",
			       port);
			return;
		}
	if (port == 25 || port == 465 || port == 587) {
		reason(out, 50, EXFIL, "port %d sends mail to a public server", port);
		return;
	}
	for (size_t i = 0; ordinary[i] != 0; i++)
		if (port == ordinary[i])
			return;
	reason(out, 30, 0, "unusual port %d on a public host", port);
}

static void
score_protocol(const struct host_info *h, const char *proto, int write, struct ag_risk *out)
{
	if (proto == NULL || !is_public(h))
		return;
	if (strcasecmp(proto, "http") == 0 || strcasecmp(proto, "ws") == 0) {
		if (write)
			reason(out, 60, EXFIL, "sends data over unencrypted %s to a public host",
			       proto);
		else if (!h->trusted)
			reason(out, 20, 0, "unencrypted %s to a public host", proto);
	} else if (strcasecmp(proto, "ftp") == 0 || strcasecmp(proto, "telnet") == 0 ||
	           strcasecmp(proto, "irc") == 0 || strcasecmp(proto, "smtp") == 0 ||
	           strcasecmp(proto, "tftp") == 0) {
		reason(out, 50, EXFIL, "unencrypted %s to a public host", proto);
	} else if ((strcasecmp(proto, "tcp") == 0 || strcasecmp(proto, "udp") == 0) &&
	           !h->trusted) {
		reason(out, 35, 0, "raw %s connection to a public host", proto);
	}
}

/* Splits an URL into scheme, userinfo presence, host, port and the rest.
 * Returns 0 when it has a host. */
struct url_parts {
	char scheme[16];
	int userinfo, password;
	const char *host;
	size_t hostlen;
	int port;
	const char *rest; /* path, query, fragment */
};

static int
parse_url(const char *url, struct url_parts *u)
{
	memset(u, 0, sizeof *u);
	const char *p = strstr(url, "://");
	if (p == NULL || p == url || (size_t)(p - url) >= sizeof u->scheme)
		return -1;
	memcpy(u->scheme, url, (size_t)(p - url));
	const char *h = p + 3;
	const char *end = h + strcspn(h, "/?#");
	const char *at = NULL;
	for (const char *q = h; q < end; q++)
		if (*q == '@')
			at = q;
	if (at != NULL) {
		u->userinfo = 1;
		u->password = memchr(h, ':', (size_t)(at - h)) != NULL;
		h = at + 1;
	}
	const char *hend = end;
	if (h < end && *h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));
		hend = rb != NULL ? rb + 1 : end;
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));
		if (colon != NULL)
			hend = colon;
	}
	if (hend < end && *hend == ':') {
		int port = 0;
		for (const char *q = hend + 1;
		     q < end && isdigit((unsigned char)*q) && port < 100000; q++)
			port = port * 10 + (*q - '0');
		u->port = port;
	}
	u->host = h;
	u->hostlen = (size_t)(hend - h);
	u->rest = end;
	return u->hostlen > 0 ? 0 : -1;
}

static void
score_url(const char *url, const struct host_info *main_host, const char *method,
          struct ag_risk *out)
{
	struct url_parts u;
	struct host_info h;
	int write = write_method(method);

	if (parse_url(url, &u) < 0) {
		reason(out, 20, 0, "URL has no host that can be checked");
		return;
	}
	classify(u.host, u.hostlen, &h);
	if (main_host->cls != H_NONE && strcmp(h.name, main_host->name) != 0) {
		reason(out, 50, WEAKENING, "URL host %.*s differs from the requested host %.*s",
		       SHOW, h.name, SHOW, main_host->name);
		score_host(&h, "URL host", write, out);
		score_port(&h, u.port, out);
	}
	if (u.password)
		reason(out, 50, CREDENTIAL, "URL carries a user name and password");
	else if (u.userinfo)
		reason(out, 20, 0, "URL carries a user name");
	if (write &&
	    (strncasecmp(u.rest, "/gists", 6) == 0 || name_ends(h.name, "gist.github.com")))
		reason(out, 70, EXFIL, "creates a gist: a public paste");
	if (strncasecmp(u.rest, "/api/webhooks/", 14) == 0 && main_host->exfil == NULL &&
	    h.exfil == NULL)
		reason(out, 70, EXFIL, "URL is a webhook endpoint");

	size_t restlen = strlen(u.rest);
	struct ag_secret_hit hits[2];
	size_t n = ag_secrets_scan(u.rest, restlen, hits, 2);
	for (size_t i = 0; i < n; i++)
		reason(out, is_public(&h) ? 85 : 40, EXFIL, "URL carries a secret: %s",
		       hits[i].what);
	/* A long run of base64/hex in the path or query is data on its way out. */
	size_t runlen = 0, best = 0;
	for (size_t i = 0; i < restlen; i++) {
		unsigned char c = (unsigned char)u.rest[i];
		if (isalnum(c) || c == '+' || c == '/' || c == '=' || c == '%' || c == '-' ||
		    c == '_')
			runlen++;
		else
			runlen = 0;
		if (runlen > best)
			best = runlen;
	}
	if (best >= 120 && is_public(&h) && !h.trusted && n == 0)
		reason(out, 55, EXFIL, "URL carries %zu characters of encoded data", best);
}

void
ag_risk_network(const struct ag_request *req, struct ag_risk *out)
{
	const struct ag_action_network *a = &req->u.network;
	struct host_info h;
	int write = write_method(a->method);
	const char *proto = a->protocol;
	struct url_parts u;

	classify(a->host, a->host != NULL ? strlen(a->host) : 0, &h);
	if (h.cls == H_NONE && a->url != NULL && parse_url(a->url, &u) == 0)
		classify(u.host, u.hostlen, &h);
	if (h.cls == H_NONE) {
		reason(out, 30, 0, "no host given");
		return;
	}
	if (proto == NULL && a->url != NULL && parse_url(a->url, &u) == 0)
		proto = u.scheme;
	score_host(&h, "host", write, out);
	score_port(&h, a->port, out);
	score_protocol(&h, proto, write, out);
	if (write) {
		char m[16];
		snprintf(m, sizeof m, "%s", a->method);
		for (char *c = m; *c != '\0'; c++)
			*c = (char)toupper((unsigned char)*c);
		unsigned cats = EXFIL | (strcmp(m, "DELETE") == 0 ? DESTRUCTIVE : 0);
		if (!is_public(&h))
			reason(out, 5, 0, "%s to a local service", m);
		else if (h.trusted)
			reason(out, 30, cats, "%s to %.*s writes to a well-known service", m, SHOW,
			       h.name);
		else if (h.exfil == NULL)
			reason(out, 55, cats, "%s sends data to an unknown public host", m);
	}
	if (a->url != NULL)
		score_url(a->url, &h, a->method, out);
}
