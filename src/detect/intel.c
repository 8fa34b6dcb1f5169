/* Intel feeds: known-bad domains, addresses, CIDRs and ASNs from plain lists, hosts files, CSV
 * or JSON lines (Spamhaus ASN-DROP's `{"asn":…}` records).
 * Lines that hold no indicator are counted and skipped (real feeds carry headers, dates and
 * notes); a file without a single indicator is an error. */
#include "detect/detect_int.h"
#include "decode/json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
det_intel_init(struct det_intel *t)
{
	memset(t, 0, sizeof *t);
	fs_map_init(&t->name_idx);
	fs_map_init(&t->cidr_idx);
	fs_map_init(&t->asn_idx);
}

void
det_intel_fini(struct det_intel *t)
{
	for (uint32_t i = 0; i < t->n_feeds; i++)
		free(t->feeds[i]);
	free(t->feeds);
	for (size_t i = 0; i < t->n_names; i++)
		free(t->names[i].name);
	free(t->names);
	free(t->cidrs);
	fs_map_fini(&t->name_idx);
	fs_map_fini(&t->cidr_idx);
	fs_map_fini(&t->asn_idx);
	memset(t, 0, sizeof *t);
}

static uint64_t
key_of_name(const char *s)
{
	uint64_t h = fs_hash_bytes(s, strlen(s));
	return h == FS_MAP_EMPTY ? h - 1 : h;
}

static void
mask_addr(fs_addr *a, int len)
{
	int bytes = a->family == 4 ? 4 : 16;
	for (int i = 0; i < bytes; i++) {
		int keep = len - 8 * i;
		if (keep >= 8)
			continue;
		a->bytes[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

static uint64_t
key_of_net(const fs_addr *net, int len)
{
	uint8_t buf[18];
	buf[0] = net->family;
	buf[1] = (uint8_t)len;
	memcpy(buf + 2, net->bytes, 16);
	uint64_t h = fs_hash_bytes(buf, sizeof buf);
	return h == FS_MAP_EMPTY ? h - 1 : h;
}

static void
add_net(struct det_intel *t, const fs_addr *a, int len, uint32_t feed)
{
	fs_addr net = *a;
	bool fresh;

	mask_addr(&net, len);
	uint32_t *slot = fs_map_put(&t->cidr_idx, key_of_net(&net, len), &fresh);
	if (!fresh)
		return;
	if (t->n_cidrs == t->cap_cidrs) {
		t->cap_cidrs = t->cap_cidrs ? t->cap_cidrs * 2 : 64;
		t->cidrs = xreallocarray(t->cidrs, t->cap_cidrs, sizeof *t->cidrs);
	}
	t->cidrs[t->n_cidrs] = (struct det_intel_cidr){ .net = net, .len = (uint8_t)len, .feed = feed };
	*slot = (uint32_t)++t->n_cidrs;
	if (a->family == 4)
		t->v4_lens[len] = 1;
	else
		t->v6_lens[len] = 1;
}

static void
add_name(struct det_intel *t, const char *name, uint32_t feed)
{
	bool fresh;
	uint32_t *slot = fs_map_put(&t->name_idx, key_of_name(name), &fresh);
	if (!fresh)
		return;
	if (t->n_names == t->cap_names) {
		t->cap_names = t->cap_names ? t->cap_names * 2 : 64;
		t->names = xreallocarray(t->names, t->cap_names, sizeof *t->names);
	}
	t->names[t->n_names] = (struct det_intel_name){ .name = xstrdup(name), .feed = feed };
	*slot = (uint32_t)++t->n_names;
}

#define ASN_KEY(a) ((UINT64_C(1) << 40) | (uint64_t)(a))

static void
add_asn(struct det_intel *t, uint32_t asn, uint32_t feed)
{
	bool fresh;
	uint32_t *slot = fs_map_put(&t->asn_idx, ASN_KEY(asn), &fresh);
	if (!fresh)
		return;
	*slot = feed + 1;
	t->n_asns++;
}

/* "AS64500", "as64500", "ASN64500" (or bare digits where a column is named asn): the number,
 * 0 when it is not one (ASN 0 is reserved and never listed). */
static uint32_t
parse_asn(const char *v, bool bare)
{
	if (strncasecmp(v, "asn", 3) == 0)
		v += 3;
	else if (strncasecmp(v, "as", 2) == 0)
		v += 2;
	else if (!bare)
		return 0;
	if (*v < '0' || *v > '9')
		return 0;
	uint64_t n = 0;
	for (; *v >= '0' && *v <= '9'; v++)
		if ((n = n * 10 + (uint64_t)(*v - '0')) > UINT32_MAX)
			return 0;
	return *v == '\0' ? (uint32_t)n : 0;
}

/* A JSON-lines record (read by the one JSON reader, decode/json.h): its indicator — an "asn"
 * member (Spamhaus ASN-DROP: a number or "AS64500"), else a "cidr" (DROP), "ip" or "domain"
 * string. False for a record without one (ASN-DROP's metadata line) or a line that is not
 * JSON. */
static bool add_value(struct det_intel *t, char *v, uint32_t feed);

static bool
add_json_record(struct det_intel *t, struct jdoc *doc, const char *line, uint32_t feed)
{
	static const char *const keys[] = { "cidr", "ip", "domain" };
	char v[96];
	uint32_t tok, asn;

	if (!json_parse(doc, line, strlen(line)) || doc->tok[1].type != JT_OBJ)
		return false;
	if ((tok = json_get(doc, 0, "asn")) != 0 && json_str_at(doc, tok, v, sizeof v) &&
	    (asn = parse_asn(v, true)) != 0) {
		add_asn(t, asn, feed);
		return true;
	}
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if ((tok = json_get(doc, 0, keys[i])) != 0 && doc->tok[tok].type == JT_STR &&
		    json_str_at(doc, tok, v, sizeof v) && v[0] != '\0')
			return add_value(t, v, feed);
	return false;
}

/* Undo common defanging and URL wrapping: hxxp://evil[.]example:8080/x → evil.example. */
static void
clean_value(char *s)
{
	char *p, *q;

	/* strip quotes and surrounding space */
	while (*s == '"' || *s == '\'' || *s == ' ' || *s == '\t')
		memmove(s, s + 1, strlen(s));
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '"' || s[n - 1] == '\'' || s[n - 1] == ' ' || s[n - 1] == '\t' ||
	                 s[n - 1] == '\r'))
		s[--n] = '\0';
	/* [.] and (.) → . */
	for (p = s, q = s; *p != '\0'; ) {
		if ((p[0] == '[' || p[0] == '(') && p[1] == '.' && (p[2] == ']' || p[2] == ')')) {
			*q++ = '.';
			p += 3;
		} else
			*q++ = *p++;
	}
	*q = '\0';
	p = strstr(s, "://");
	if (p != NULL)
		memmove(s, p + 3, strlen(p + 3) + 1);
	p = strchr(s, '@');                   /* user@host */
	if (p != NULL && strchr(s, '/') > p)
		memmove(s, p + 1, strlen(p + 1) + 1);
}

/* Classify and add one candidate value; true if it was an indicator. */
static bool
add_value(struct det_intel *t, char *v, uint32_t feed)
{
	fs_addr a;
	char *slash;

	clean_value(v);
	if (*v == '\0')
		return false;
	uint32_t asn = parse_asn(v, false);
	if (asn != 0) {
		add_asn(t, asn, feed);
		return true;
	}
	if (v[0] == '[') {                     /* [2001:db8::1]:443 */
		char *rb = strchr(v, ']');
		if (rb == NULL)
			return false;
		*rb = '\0';
		memmove(v, v + 1, strlen(v + 1) + 1);
	}
	slash = strchr(v, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (fs_addr_parse(v, &a) == 0) {
			char *end;
			long len = strtol(slash + 1, &end, 10);
			int max = a.family == 4 ? 32 : 128;
			if (slash[1] != '\0' && *end == '\0' && len >= 0 && len <= max) {
				add_net(t, &a, (int)len, feed);
				return true;
			}
			return false;
		}
		/* a URL path after the host: keep the host */
	}
	if (fs_addr_parse(v, &a) == 0) {
		add_net(t, &a, a.family == 4 ? 32 : 128, feed);
		return true;
	}
	char *colon = strrchr(v, ':');        /* host:port */
	if (colon != NULL && strchr(v, ':') == colon)
		*colon = '\0';
	if (fs_addr_parse(v, &a) == 0) {
		add_net(t, &a, a.family == 4 ? 32 : 128, feed);
		return true;
	}
	if (strchr(v, '.') == NULL || !det_normalise_name(v))
		return false;
	/* a name needs a letter somewhere (dates and version numbers are not names) */
	bool alpha = false;
	for (const char *c = v; *c && !alpha; c++)
		alpha = isalpha((unsigned char)*c) != 0;
	if (!alpha)
		return false;
	add_name(t, v, feed);
	return true;
}

static const char *const header_words[] = {
	"domain", "domains", "domain_name", "fqdn", "hostname", "host", "indicator", "ioc", "value",
	"observable", "ip", "ip_address", "ipaddress", "address", "addr", "cidr", "network", "url",
	"dst_ip", "dest_ip", "query", "qname", "name", "asn", "as",
};

static bool
is_header_word(const char *s)
{
	char w[64];
	size_t n = 0;
	for (; *s && n + 1 < sizeof w; s++)
		if (*s != '"' && *s != '\'' && *s != ' ' && *s != '\r')
			w[n++] = (char)tolower((unsigned char)*s);
	w[n] = '\0';
	for (size_t i = 0; i < sizeof header_words / sizeof header_words[0]; i++)
		if (strcmp(w, header_words[i]) == 0)
			return true;
	return false;
}

/* Split a CSV line in place on `sep`, honouring double quotes; returns the field count. */
static int
split_csv(char *line, char sep, char **fields, int max)
{
	int n = 0;
	char *p = line;

	while (n < max) {
		fields[n++] = p;
		bool quoted = false;
		for (; *p != '\0'; p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (*p == sep && !quoted)
				break;
		}
		if (*p == '\0')
			break;
		*p++ = '\0';
	}
	return n;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

#define MAX_FIELDS 64

fs_status
det_intel_parse(struct det_intel *t, const char *text, const char *fname, struct fs_err *err)
{
	char *buf = xstrdup(text);
	uint32_t feed = t->n_feeds;
	size_t before = t->n_entries;
	bool cols[MAX_FIELDS] = { false }, asn_col[MAX_FIELDS] = { false }, have_header = false,
	     first = true;
	int lineno = 0;
	char sep = 0;
	struct jdoc doc;
	bool doc_ready = false;

	t->feeds = xreallocarray(t->feeds, t->n_feeds + 1, sizeof *t->feeds);
	t->feeds[t->n_feeds++] = xstrdup(base_name(fname));
	for (char *cur = buf; cur != NULL; ) {
		char *nl = strchr(cur, '\n'), *line = cur;
		if (nl != NULL)
			*nl = '\0';
		cur = nl ? nl + 1 : NULL;
		if (nl == NULL && *line == '\0')
			break;                          /* after the final newline */
		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		/* '#' or ';' comments at the start, or '#' after white space */
		if (*line == '#' || *line == ';' || (line[0] == '/' && line[1] == '/'))
			continue;
		for (char *h = line; (h = strchr(h, '#')) != NULL; h++)
			if (h > line && (h[-1] == ' ' || h[-1] == '\t')) {
				*h = '\0';
				break;
			}
		size_t len = strlen(line);
		while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		if (len == 0)
			continue;

		if (first) {
			/* The first data line decides CSV (',' or ';' or tab separated) and the header. */
			first = false;
			if (strchr(line, ','))
				sep = ',';
			else if (strchr(line, '\t'))
				sep = '\t';
			else if (strchr(line, ';'))
				sep = ';';
			if (sep) {
				char *tmp = xstrdup(line), *f[MAX_FIELDS];
				int nf = split_csv(tmp, sep, f, MAX_FIELDS);
				for (int i = 0; i < nf; i++)
					if (is_header_word(f[i])) {
						cols[i] = have_header = true;
						char *h = f[i];
						while (*h == '"' || *h == ' ')
							h++;
						asn_col[i] = strncasecmp(h, "asn", 3) == 0 ||
						             (strncasecmp(h, "as", 2) == 0 &&
						              (h[2] == '\0' || h[2] == '"'));
					}
				free(tmp);
				if (have_header)
					continue;
			}
		}

		bool got = false;
		if (line[0] == '{') {
			/* JSON lines: an ASN record ({"asn":64500,…}: ASN-DROP) or a network
			 * ({"cidr":"192.0.2.0/24",…}: DROP); other records are skipped */
			if (!doc_ready) {
				json_doc_init(&doc, JSON_LOG, JSON_LOG_DEPTH, JSON_LOG_TOKENS);
				doc_ready = true;
			}
			got = add_json_record(t, &doc, line, feed);
		} else if (sep && strchr(line, sep)) {
			char *f[MAX_FIELDS];
			int nf = split_csv(line, sep, f, MAX_FIELDS);
			for (int i = 0; i < nf; i++) {
				if (have_header && !cols[i])
					continue;
				uint32_t an;
				if (have_header && asn_col[i] && (an = parse_asn(f[i], true)) != 0) {
					add_asn(t, an, feed);
					got = true;
				} else if (add_value(t, f[i], feed)) {
					got = true;
					if (!have_header)
						break;   /* headerless CSV: the first field that is an indicator */
				}
			}
		} else {
			char *save = NULL, *tok = strtok_r(line, " \t", &save);
			char *next = strtok_r(NULL, " \t", &save);
			fs_addr sink;
			/* hosts file: "0.0.0.0 evil.example [more names]" */
			if (next != NULL && fs_addr_parse(tok, &sink) == 0 &&
			    (strcmp(tok, "0.0.0.0") == 0 || strcmp(tok, "127.0.0.1") == 0 ||
			     strcmp(tok, "::") == 0 || strcmp(tok, "::1") == 0)) {
				for (char *n = next; n != NULL; n = strtok_r(NULL, " \t", &save))
					got |= add_value(t, n, feed);
			} else
				got = add_value(t, tok, feed);
		}
		if (got)
			t->n_entries++;
		else
			t->n_skipped++;
	}
	free(buf);
	if (doc_ready)
		json_doc_fini(&doc);
	if (t->n_entries == before)
		return fs_err_set(err, FS_E_FORMAT,
		                  "intel feed %s holds no domain, address, CIDR or ASN (%d lines read)", fname,
		                  lineno);
	return FS_OK;
}

fs_status
det_intel_load(struct det_intel *t, const char *path, struct fs_err *err)
{
	char *text = det_read_file(path, "intel feed", err);
	if (text == NULL)
		return err ? err->status : FS_E_IO;
	fs_status st = det_intel_parse(t, text, path, err);
	free(text);
	return st;
}

const char *
det_intel_match_name(const struct det_intel *t, const char *name, const char **matched)
{
	if (t->n_names == 0 || name == NULL)
		return NULL;
	for (const char *p = name; p != NULL && *p != '\0'; ) {
		const uint32_t *v = fs_map_get(&t->name_idx, key_of_name(p));
		if (v != NULL && strcmp(t->names[*v - 1].name, p) == 0) {
			if (matched != NULL)
				*matched = t->names[*v - 1].name;
			return t->feeds[t->names[*v - 1].feed];
		}
		p = strchr(p, '.');
		if (p != NULL)
			p++;
	}
	return NULL;
}

const char *
det_intel_match_addr(const struct det_intel *t, const fs_addr *a)
{
	const uint8_t *lens;
	int max;

	if (t->n_cidrs == 0 || (a->family != 4 && a->family != 6))
		return NULL;
	lens = a->family == 4 ? t->v4_lens : t->v6_lens;
	max = a->family == 4 ? 32 : 128;
	for (int len = max; len >= 0; len--) {
		if (!lens[len])
			continue;
		fs_addr net = *a;
		mask_addr(&net, len);
		const uint32_t *v = fs_map_get(&t->cidr_idx, key_of_net(&net, len));
		if (v == NULL)
			continue;
		const struct det_intel_cidr *c = &t->cidrs[*v - 1];
		if (c->len == len && fs_addr_cmp(&c->net, &net) == 0)
			return t->feeds[c->feed];
	}
	return NULL;
}

const char *
det_intel_match_asn(const struct det_intel *t, uint32_t asn)
{
	if (asn == 0 || t->n_asns == 0)
		return NULL;
	const uint32_t *v = fs_map_get(&t->asn_idx, ASN_KEY(asn));
	return v ? t->feeds[*v - 1] : NULL;
}
