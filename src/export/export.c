/* The indicator set, name and address encodings, the writer table and atomic writes. */
#include "fluxscope/notes.h"
#include "export/export_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/hidx.h"
#include "util/json.h"

#define MAX_WARNINGS 32

struct export_set {
	struct export_ind *items;
	size_t n, cap;
	size_t *order;               /* items sorted by kind then value; rebuilt when dirty */
	bool dirty;
	struct fs_hidx index;        /* items by value (ind_hash, ind_cmp_value) */
	export_allow_fn allow;
	void *allow_ctx;
	struct export_set_stats stats;
	char *warnings[MAX_WARNINGS];
	int n_warnings;
	size_t n_kind[EXPORT_KIND_COUNT];
};

const char *
export_kind_name(enum export_kind k)
{
	static const char *const names[EXPORT_KIND_COUNT] = {
		[EXPORT_DOMAIN] = "domain", [EXPORT_ADDR] = "address", [EXPORT_CIDR] = "cidr",
		[EXPORT_NSNAME] = "nsname", [EXPORT_NSADDR] = "nsaddress", [EXPORT_PASSTHRU] = "passthru",
	};
	return (unsigned)k < EXPORT_KIND_COUNT ? names[k] : "unknown";
}

bool
export_kind_is_name(enum export_kind k)
{
	return k == EXPORT_DOMAIN || k == EXPORT_NSNAME || k == EXPORT_PASSTHRU;
}

/* ---- Names ---------------------------------------------------------------------------------- */

static bool
plain_byte(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
export_name_to_wire(const char *name, uint8_t wire[256], size_t *wire_len, bool *plain,
                    const char **why)
{
	size_t n = 0, lab = 0;    /* lab: offset of the current label's length byte */
	const char *p = name;
	bool pl = true;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (name == NULL || *name == '\0' || strcmp(name, ".") == 0) {
		*why = "empty name";
		return -1;
	}
	wire[n++] = 0;
	for (;;) {
		int c = (unsigned char)*p;
		if (c == '\0' || (c == '.' && p[1] == '\0')) {
			break;
		}
		if (c == '.') {
			if (wire[lab] == 0) {
				*why = "empty label";
				return -1;
			}
			if (n >= 255) {
				*why = "name longer than 255 bytes";
				return -1;
			}
			lab = n;
			wire[n++] = 0;
			p++;
			continue;
		}
		if (c == '\\') {
			p++;
			if (p[0] >= '0' && p[0] <= '9') {
				if (!(p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9')) {
					*why = "bad \\DDD escape";
					return -1;
				}
				c = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
				if (c > 255) {
					*why = "bad \\DDD escape";
					return -1;
				}
				p += 3;
			} else if (p[0] == '\0') {
				*why = "name ends in a backslash";
				return -1;
			} else {
				c = (unsigned char)*p++;
			}
		} else {
			p++;
		}
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';   /* DNS names compare case-insensitively */
		if (!plain_byte((uint8_t)c))
			pl = false;
		if (wire[lab] == 63) {
			*why = "label longer than 63 bytes";
			return -1;
		}
		if (n >= 254) {
			*why = "name longer than 255 bytes";
			return -1;
		}
		wire[lab]++;
		wire[n++] = (uint8_t)c;
	}
	if (wire[lab] == 0) {
		*why = "empty label";
		return -1;
	}
	wire[n++] = 0;    /* root */
	*wire_len = n;
	if (plain != NULL)
		*plain = pl;
	return 0;
}

int
export_name_zone(const uint8_t *wire, size_t wire_len, char *buf, size_t len)
{
	size_t o = 0, i = 0;

	while (i < wire_len && wire[i] != 0) {
		size_t l = wire[i++];
		if (o > 0) {
			if (o + 1 >= len)
				return -1;
			buf[o++] = '.';
		}
		for (size_t j = 0; j < l && i < wire_len; j++, i++) {
			uint8_t c = wire[i];
			if (plain_byte(c)) {
				if (o + 1 >= len)
					return -1;
				buf[o++] = (char)c;
			} else {
				/* \DDD for everything else: never syntax in a zone file, a CSV cell or a
				 * rule, and the same bytes on the wire. */
				if (o + 4 >= len)
					return -1;
				snprintf(buf + o, len - o, "\\%03u", c);
				o += 4;
			}
		}
	}
	if (o >= len)
		return -1;
	buf[o] = '\0';
	return (int)o;
}

bool
export_name_plain(const char *name)
{
	/* Host-name rules on top of the byte set: no label starts or ends with '-'. */
	for (const char *p = name; *p; p++) {
		if (*p == '.')
			continue;
		if (!plain_byte((uint8_t)*p))
			return false;
		if (*p == '-' && (p == name || p[-1] == '.' || p[1] == '.' || p[1] == '\0'))
			return false;
	}
	return *name != '\0';
}

bool
export_name_hostname(const char *name)
{
	return export_name_plain(name) && strchr(name, '_') == NULL;
}

bool
export_name_has_star_label(const char *name)
{
	/* Canonical names write '*' as \042; a label that is exactly that byte is a wildcard
	 * on the wire, whatever the escaping. */
	for (const char *p = strstr(name, "\\042"); p != NULL; p = strstr(p + 1, "\\042"))
		if ((p == name || p[-1] == '.') && (p[4] == '.' || p[4] == '\0'))
			return true;
	return false;
}

/* ---- rpz-ip owner names ---------------------------------------------------------------------- */

static void
mask_bits(uint8_t *b, unsigned nbytes, unsigned plen)
{
	for (unsigned i = 0; i < nbytes; i++) {
		unsigned bit0 = i * 8;
		if (plen <= bit0)
			b[i] = 0;
		else if (plen < bit0 + 8)
			b[i] &= (uint8_t)(0xff << (8 - (plen - bit0)));
	}
}

static bool
is_v4mapped(const uint8_t *b)
{
	static const uint8_t pre[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return memcmp(b, pre, 12) == 0;
}

const char *
export_rpz_ip_name(const fs_addr *a, unsigned plen, char *buf, size_t len)
{
	uint8_t b[16];
	unsigned w[8];
	int best_first = -1, best_len = 0, cur_first = -1, cur_len = 0;
	size_t o;

	memcpy(b, a->bytes, 16);
	if (a->family == 6 && is_v4mapped(b) && plen >= 96) {
		/* BIND keeps IPv4 as ::ffff:0:0/96 inside its tree and names it in IPv4 form. */
		memmove(b, b + 12, 4);
		plen -= 96;
		return export_rpz_ip_name(&(fs_addr){ .family = 4,
		        .bytes = { b[0], b[1], b[2], b[3] } }, plen, buf, len);
	}
	if (a->family == 4) {
		if (plen > 32)
			plen = 32;
		mask_bits(b, 4, plen);
		snprintf(buf, len, "%u.%u.%u.%u.%u", plen, b[3], b[2], b[1], b[0]);
		return buf;
	}
	if (plen > 128)
		plen = 128;
	mask_bits(b, 16, plen);
	/* Words in reverse order (w[0] is the last 16-bit group). The zero run to compress is
	 * chosen as BIND's ip2name does, so the name is its canonical form: only runs of two or
	 * more words, and among equal runs the last in this reversed order. */
	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)b[14 - 2 * i] << 8 | b[15 - 2 * i];
	for (int n = 0; n < 8; n++) {
		if (w[n] != 0) {
			cur_len = 0;
			cur_first = -1;
		} else {
			cur_len++;
			if (cur_first < 0) {
				cur_first = n;
			} else if (cur_len >= best_len) {
				best_first = cur_first;
				best_len = cur_len;
			}
		}
	}
	o = (size_t)snprintf(buf, len, "%u", plen);
	for (int n = 0; n < 8 && o < len; n++) {
		if (n == best_first) {
			o += (size_t)snprintf(buf + o, len - o, ".zz");
			n += best_len - 1;
		} else {
			o += (size_t)snprintf(buf + o, len - o, ".%x", w[n]);
		}
	}
	return buf;
}

/* ---- The set --------------------------------------------------------------------------------- */

static void
set_warn(struct export_set *s, const char *fmt, ...)
{
	va_list ap;
	char *m;

	if (s->n_warnings >= MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		fs_fatal("out of memory formatting a warning");
	va_end(ap);
	s->warnings[s->n_warnings++] = m;
}

struct export_set *
export_set_new(export_allow_fn allow, void *allow_ctx)
{
	struct export_set *s = xcalloc(1, sizeof *s);
	s->allow = allow;
	s->allow_ctx = allow_ctx;
	return s;
}

/* The set owns every string of its indicators (the public struct shows them const). */
static void
xfree(const void *p)
{
	free((void *)(uintptr_t)p);
}

static void
free_reasons(struct export_ind *x)
{
	for (int i = 0; i < x->n_reasons; i++)
		xfree(x->reasons[i]);
	xfree(x->reasons);
	x->reasons = NULL;
	x->n_reasons = 0;
}

static const char *const *
dup_reasons(const char *const *r, int n)
{
	char **d;
	if (n <= 0)
		return NULL;
	d = xcalloc((size_t)n, sizeof *d);
	for (int i = 0; i < n; i++)
		d[i] = xstrdup(r[i] != NULL ? r[i] : "");
	return (const char *const *)d;
}

static void
ind_free(struct export_ind *x)
{
	xfree(x->name);
	xfree(x->reason);
	free_reasons(x);
	xfree(x->source);
	xfree(x->note);
}

void
export_set_free(struct export_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		ind_free(&s->items[i]);
	free(s->items);
	free(s->order);
	fs_hidx_fini(&s->index);
	for (int i = 0; i < s->n_warnings; i++)
		free(s->warnings[i]);
	free(s);
}

static uint32_t
ind_hash(const struct export_ind *x)
{
	uint64_t h;
	if (export_kind_is_name(x->kind))
		h = fs_hash_bytes(x->name, strlen(x->name));
	else
		h = fs_hash_bytes(x->addr.bytes, 16) ^ ((uint64_t)x->plen << 8) ^ x->addr.family;
	return (uint32_t)(h * 31 + (uint64_t)x->kind);
}

static int
ind_cmp_value(const struct export_ind *a, const struct export_ind *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (export_kind_is_name(a->kind))
		return strcmp(a->name, b->name);
	int c = fs_addr_cmp(&a->addr, &b->addr);
	if (c != 0)
		return c;
	return a->plen == b->plen ? 0 : (a->plen < b->plen ? -1 : 1);
}

/* The item holding x's value, or NULL. */
static struct export_ind *
ind_find(const struct export_set *s, const struct export_ind *x, uint32_t h)
{
	for (uint32_t j = fs_hidx_first(&s->index, h); j != FS_HIDX_END; j = fs_hidx_next(&s->index, h, j)) {
		struct export_ind *e = &s->items[fs_hidx_item(&s->index, j)];
		if (ind_cmp_value(e, x) == 0)
			return e;
	}
	return NULL;
}

static char *
dup_clean(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

static void
merge(struct export_ind *dst, const struct export_ind *src)
{
	if (src->score > dst->score) {
		dst->score = src->score;
		memcpy(dst->verdict, src->verdict, sizeof dst->verdict);
		xfree(dst->reason);
		free_reasons(dst);
		dst->reason = dup_clean(src->reason != NULL && src->reason[0] ? src->reason
		                        : src->n_reasons > 0 ? src->reasons[0] : "");
		dst->reasons = dup_reasons(src->reasons, src->n_reasons);
		dst->n_reasons = src->n_reasons > 0 ? src->n_reasons : 0;
		if (dst->n_reasons == 0 && dst->reason[0]) {
			dst->reasons = dup_reasons(&dst->reason, 1);
			dst->n_reasons = 1;
		}
	}
	if (src->first_seen != 0 && (dst->first_seen == 0 || src->first_seen < dst->first_seen))
		dst->first_seen = src->first_seen;
	if (src->last_seen > dst->last_seen)
		dst->last_seen = src->last_seen;
	dst->subdomains = dst->subdomains || src->subdomains;
	if (dst->note == NULL && src->note != NULL)
		dst->note = xstrdup(src->note);
	if ((dst->source == NULL || dst->source[0] == '\0') && src->source != NULL && src->source[0]) {
		xfree(dst->source);
		dst->source = xstrdup(src->source);
	}
}

int
export_set_add(struct export_set *s, const struct export_ind *in)
{
	struct export_ind x = *in;
	char canon[EXPORT_MAX_NAME];

	if ((unsigned)x.kind >= EXPORT_KIND_COUNT) {
		s->stats.n_invalid++;
		set_warn(s, "indicator of unknown kind %d refused", (int)x.kind);
		return 0;
	}
	if (export_kind_is_name(x.kind)) {
		uint8_t wire[256];
		size_t wl;
		const char *why;
		if (export_name_to_wire(in->name, wire, &wl, NULL, &why) != 0 ||
		    export_name_zone(wire, wl, canon, sizeof canon) < 0) {
			char clean[128];
			s->stats.n_invalid++;
			set_warn(s, "%s '%s' refused: %s", export_kind_name(x.kind),
			         export_clean_text(in->name ? in->name : "", clean, sizeof clean),
			         why ? why : "name too long");
			return 0;
		}
		if (x.kind != EXPORT_PASSTHRU && s->allow != NULL && !s->allow(s->allow_ctx, canon)) {
			s->stats.n_allowlisted++;
			return 0;
		}
		x.name = canon;
	} else {
		unsigned full = x.addr.family == 4 ? 32 : 128;
		if (x.addr.family != 4 && x.addr.family != 6) {
			s->stats.n_invalid++;
			set_warn(s, "%s indicator without an address refused", export_kind_name(x.kind));
			return 0;
		}
		if (x.kind != EXPORT_CIDR) {
			x.plen = (uint8_t)full;
		} else if (x.plen == 0) {
			s->stats.n_invalid++;
			set_warn(s, "CIDR with prefix length 0 refused (it would block everything)");
			return 0;
		} else if (x.plen > full) {
			x.plen = (uint8_t)full;
		}
		mask_bits(x.addr.bytes, x.addr.family == 4 ? 4 : 16, x.plen);
		if (x.addr.family == 4)
			memset(x.addr.bytes + 4, 0, 12);
		x.name = NULL;
	}
	uint32_t h = ind_hash(&x);
	struct export_ind *e = ind_find(s, &x, h);
	if (e != NULL) {
		merge(e, &x);
		s->stats.n_merged++;
		return 1;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->items = xreallocarray(s->items, s->cap, sizeof *s->items);
	}
	struct export_ind *d = &s->items[s->n];
	*d = x;
	d->name = x.name ? xstrdup(x.name) : NULL;
	d->reason = dup_clean(in->n_reasons > 0 && (in->reason == NULL || !in->reason[0])
	                      ? in->reasons[0] : in->reason);
	d->n_reasons = in->n_reasons > 0 ? in->n_reasons : 0;
	d->reasons = dup_reasons(in->reasons, d->n_reasons);
	if (d->n_reasons == 0 && d->reason[0]) {
		/* One reason given: it is also the whole list. */
		d->reasons = dup_reasons(&d->reason, 1);
		d->n_reasons = 1;
	}
	d->source = dup_clean(in->source);
	d->note = in->note != NULL ? xstrdup(in->note) : NULL;
	d->verdict[sizeof d->verdict - 1] = '\0';
	fs_hidx_add(&s->index, h, (uint32_t)s->n++);
	s->n_kind[x.kind]++;
	s->dirty = true;
	return 1;
}

int
export_set_add_domain(struct export_set *s, const char *name, bool subdomains, double score,
                      const char *verdict, const char *reason)
{
	struct export_ind x = { .kind = EXPORT_DOMAIN, .name = name, .subdomains = subdomains,
	                        .score = score, .reason = reason };
	snprintf(x.verdict, sizeof x.verdict, "%s", verdict ? verdict : "");
	return export_set_add(s, &x);
}

int
export_set_add_addr(struct export_set *s, enum export_kind kind, const char *text, double score,
                    const char *verdict, const char *reason, const char *source)
{
	struct export_ind x = { .kind = kind, .score = score, .reason = reason, .source = source };
	char buf[64];
	const char *slash = strchr(text, '/');
	long plen = -1;

	snprintf(x.verdict, sizeof x.verdict, "%s", verdict ? verdict : "");
	if (slash != NULL) {
		char *end;
		size_t n = (size_t)(slash - text);
		if (n >= sizeof buf)
			n = sizeof buf - 1;
		memcpy(buf, text, n);
		buf[n] = '\0';
		errno = 0;
		plen = strtol(slash + 1, &end, 10);
		if (*end != '\0' || slash[1] == '\0' || plen < 0 || plen > 128)
			plen = -2;
	} else {
		snprintf(buf, sizeof buf, "%s", text);
	}
	if (plen == -2 || fs_addr_parse(buf, &x.addr) != 0 ||
	    (plen >= 0 && x.addr.family == 4 && plen > 32)) {
		char clean[96];
		s->stats.n_invalid++;
		set_warn(s, "'%s' is not an address or CIDR; refused",
		         export_clean_text(text, clean, sizeof clean));
		return 0;
	}
	if (plen >= 0) {
		x.plen = (uint8_t)plen;
		if (kind == EXPORT_ADDR && (unsigned)plen != (x.addr.family == 4 ? 32u : 128u))
			x.kind = EXPORT_CIDR;
	}
	return export_set_add(s, &x);
}

static const struct export_set *sort_set;

static int
order_cmp(const void *a, const void *b)
{
	const struct export_ind *x = &sort_set->items[*(const size_t *)a];
	const struct export_ind *y = &sort_set->items[*(const size_t *)b];
	return ind_cmp_value(x, y);
}

static void
set_sort(const struct export_set *cs)
{
	struct export_set *s = (struct export_set *)(uintptr_t)cs;
	if (!s->dirty)
		return;
	s->order = xreallocarray(s->order, s->n ? s->n : 1, sizeof *s->order);
	for (size_t i = 0; i < s->n; i++)
		s->order[i] = i;
	/* qsort has no context argument in C11; the set is single-threaded by contract, and
	 * the pointer is only read inside this call. */
	sort_set = s;
	qsort(s->order, s->n, sizeof *s->order, order_cmp);
	sort_set = NULL;
	s->dirty = false;
}

bool
export_set_has_name(const struct export_set *s, enum export_kind k, const char *name)
{
	struct export_ind x = { .kind = k, .name = name };

	return export_kind_is_name(k) && ind_find(s, &x, ind_hash(&x)) != NULL;
}

size_t
export_set_count(const struct export_set *s)
{
	return s->n;
}

const struct export_ind *
export_set_get(const struct export_set *s, size_t i)
{
	if (i >= s->n)
		return NULL;
	set_sort(s);
	return &s->items[s->order[i]];
}

size_t
export_set_count_kind(const struct export_set *s, enum export_kind k)
{
	return (unsigned)k < EXPORT_KIND_COUNT ? s->n_kind[k] : 0;
}

void
export_set_get_stats(const struct export_set *s, struct export_set_stats *out)
{
	*out = s->stats;
}

int
export_set_warning_count(const struct export_set *s)
{
	return s->n_warnings;
}

const char *
export_set_warning(const struct export_set *s, int i)
{
	return i >= 0 && i < s->n_warnings ? s->warnings[i] : NULL;
}

/* ---- Options --------------------------------------------------------------------------------- */

static const char *const action_names[] = { "nxdomain", "nodata", "drop", "passthru", "sinkhole" };

int
export_rpz_action_parse(const char *s)
{
	for (size_t i = 0; i < sizeof action_names / sizeof action_names[0]; i++)
		if (strcasecmp(s, action_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
export_rpz_action_name(enum export_rpz_action a)
{
	return (unsigned)a < sizeof action_names / sizeof action_names[0] ? action_names[a] : "?";
}

void
export_opts_init(struct export_opts *o)
{
	memset(o, 0, sizeof *o);
	o->action = EXPORT_RPZ_NXDOMAIN;
	o->origin = EXPORT_DEFAULT_ORIGIN;
	o->sid_base = EXPORT_DEFAULT_SID_BASE;
}

fs_status
export_opts_check(const struct export_opts *o, struct fs_err *err)
{
	uint8_t wire[256];
	size_t wl;
	bool plain;
	const char *why;
	fs_addr a;

	if (o->origin != NULL) {
		if (export_name_to_wire(o->origin, wire, &wl, &plain, &why) != 0)
			return fs_err_set(err, FS_E_ARG, "option --rpz-origin '%s' is not a valid zone name (%s)",
			                  o->origin, why);
		if (!plain)
			return fs_err_set(err, FS_E_ARG,
			                  "option --rpz-origin '%s' must be a plain host name (letters, digits, '-', '_')",
			                  o->origin);
	}
	if (o->sinkhole != NULL && fs_addr_parse(o->sinkhole, &a) != 0) {
		if (export_name_to_wire(o->sinkhole, wire, &wl, &plain, &why) != 0 || !plain)
			return fs_err_set(err, FS_E_ARG,
			                  "option --sinkhole '%s' is neither an address nor a plain host name",
			                  o->sinkhole);
	}
	if (o->action == EXPORT_RPZ_SINKHOLE && o->sinkhole == NULL)
		return fs_err_set(err, FS_E_ARG, "option --rpz-action sinkhole needs --sinkhole ADDR|NAME");
	if ((unsigned)o->action > EXPORT_RPZ_SINKHOLE)
		return fs_err_set(err, FS_E_ARG, "option --rpz-action has an unknown value");
	if (o->sid_base < 0 || o->sid_base > 2000000000L)
		return fs_err_set(err, FS_E_ARG, "option --sid-base must be from 1 to 2000000000");
	return FS_OK;
}

/* ---- Writer table ---------------------------------------------------------------------------- */

#define K(k) (1u << (k))
static const struct export_writer writers[] = {
	{ "rpz", "rpz", "RPZ zone (BIND, Unbound, Knot, PowerDNS)",
	  K(EXPORT_DOMAIN) | K(EXPORT_ADDR) | K(EXPORT_CIDR) | K(EXPORT_NSNAME) | K(EXPORT_NSADDR) |
	  K(EXPORT_PASSTHRU), export_write_rpz },
	{ "domains", "txt", "plain domain list, one per line", K(EXPORT_DOMAIN), export_write_domains },
	{ "hosts", "hosts", "hosts file (0.0.0.0 or the sinkhole address)", K(EXPORT_DOMAIN),
	  export_write_hosts },
	{ "dnsmasq", "conf", "dnsmasq address=/d/# (or the sinkhole)", K(EXPORT_DOMAIN) | K(EXPORT_PASSTHRU),
	  export_write_dnsmasq },
	{ "unbound", "conf", "Unbound local-zone always_nxdomain", K(EXPORT_DOMAIN) | K(EXPORT_PASSTHRU),
	  export_write_unbound },
	{ "pihole", "txt", "Pi-hole/AdGuard adblock-style list (||d^)", K(EXPORT_DOMAIN) | K(EXPORT_PASSTHRU),
	  export_write_pihole },
	{ "csv", "csv", "CSV with every field", ~0u & ~K(EXPORT_PASSTHRU), export_write_csv },
	{ "json", "json", "JSON with every field", ~0u & ~K(EXPORT_PASSTHRU), export_write_json },
	{ "stix", "json", "STIX 2.1 bundle of indicators",
	  K(EXPORT_DOMAIN) | K(EXPORT_ADDR) | K(EXPORT_CIDR) | K(EXPORT_NSNAME) | K(EXPORT_NSADDR),
	  export_write_stix },
	{ "suricata", "rules", "Suricata dns.query rules", K(EXPORT_DOMAIN) | K(EXPORT_NSNAME),
	  export_write_suricata },
	{ "nft", "nft", "nftables sets of addresses (ipv4, ipv6)",
	  K(EXPORT_ADDR) | K(EXPORT_CIDR) | K(EXPORT_NSADDR), export_write_nft },
};
#undef K

const struct export_writer *
export_writers(size_t *n)
{
	*n = sizeof writers / sizeof writers[0];
	return writers;
}

const struct export_writer *
export_writer_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++)
		if (strcasecmp(name, writers[i].name) == 0)
			return &writers[i];
	return NULL;
}

const char *
export_writer_names(char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof writers / sizeof writers[0] && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", writers[i].name);
	return buf;
}

/* ---- Write context --------------------------------------------------------------------------- */

void
export_ctx_refuse(struct export_ctx *cx, const struct export_ind *ind, const char *why)
{
	struct export_report *r = cx->rep;
	char val[96], clean[96];

	r->refused++;
	if (r->n_warnings >= (int)(sizeof r->warnings / sizeof r->warnings[0]))
		return;
	if (export_kind_is_name(ind->kind))
		export_clean_text(ind->name, clean, sizeof clean);
	else
		export_addr_text(ind, clean, sizeof clean);
	snprintf(val, sizeof val, "%s", clean);
	snprintf(r->warnings[r->n_warnings++], sizeof r->warnings[0], "%s: %s '%s' left out: %s",
	         cx->w->name, export_kind_name(ind->kind), val, why);
}

bool
export_ctx_full(const struct export_ctx *cx)
{
	return cx->opts->max_items != 0 && cx->rep->entries >= cx->opts->max_items;
}

void
export_ctx_entry(struct export_ctx *cx)
{
	cx->rep->entries++;
}

void
export_ctx_escaped(struct export_ctx *cx)
{
	cx->rep->escaped++;
}

time_t
export_now(const struct export_opts *o)
{
	return o->now != 0 ? o->now : time(NULL);
}

const char *
export_addr_text(const struct export_ind *ind, char *buf, size_t len)
{
	char a[FS_ADDR_STRLEN];
	unsigned full = ind->addr.family == 4 ? 32 : 128;

	fs_addr_str(&ind->addr, a, sizeof a);
	if (ind->plen != 0 && ind->plen != full)
		snprintf(buf, len, "%s/%u", a, ind->plen);
	else
		snprintf(buf, len, "%s", a);
	return buf;
}

const char *
export_clean_text(const char *s, char *buf, size_t len)
{
	size_t o = 0;
	if (len == 0)
		return buf;
	for (; s != NULL && *s && o + 1 < len; s++) {
		unsigned char c = (unsigned char)*s;
		buf[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	buf[o] = '\0';
	return buf;
}

void
export_json_str(FILE *out, const char *s)
{
	json_fput_str(out, s != NULL ? s : "", true);   /* UTF-8 passes through */
}

const char *
export_iso_time(fs_time t, bool millis, char *buf, size_t len)
{
	time_t sec = (time_t)(t / FS_USEC);
	struct tm tm;

	gmtime_r(&sec, &tm);
	if (millis)
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		         (int)((t % FS_USEC) / 1000));
	else
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}

/* ---- RPZ serial ------------------------------------------------------------------------------ */

uint32_t
export_rpz_next_serial(uint32_t prev, time_t now)
{
	struct tm tm;
	uint32_t base;

	gmtime_r(&now, &tm);
	base = (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday) * 100u;
	if (prev >= base + 1 && prev < UINT32_MAX)
		return prev + 1;
	return base + 1;
}

uint32_t
export_rpz_read_serial(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	bool after_soa = false;
	int field = 0;

	if (f == NULL)
		return 0;
	/* Tokens after "SOA": mname, rname, serial; comments and parentheses may intervene. */
	while (fgets(line, sizeof line, f) != NULL) {
		char *semi = strchr(line, ';');
		if (semi != NULL)
			*semi = '\0';
		for (char *tok = strtok(line, " \t\r\n()"); tok; tok = strtok(NULL, " \t\r\n()")) {
			if (!after_soa) {
				if (strcasecmp(tok, "SOA") == 0)
					after_soa = true;
				continue;
			}
			if (++field == 3) {
				char *end;
				unsigned long v = strtoul(tok, &end, 10);
				fclose(f);
				return *end == '\0' && v <= UINT32_MAX ? (uint32_t)v : 0;
			}
		}
	}
	fclose(f);
	return 0;
}

/* ---- Running a writer ------------------------------------------------------------------------ */

static void
run_writer(const struct export_writer *w, const struct export_set *s, const struct export_opts *o,
           FILE *out, struct export_report *rep)
{
	struct export_ctx cx = { .set = s, .opts = o, .rep = rep, .w = w };
	memset(rep, 0, sizeof *rep);
	for (size_t i = 0; i < export_set_count(s); i++)
		if (!(w->kinds & (1u << export_set_get(s, i)->kind)))
			rep->skipped_kind++;
	w->write(&cx, out);
}

fs_status
export_write_stream(const struct export_writer *w, const struct export_set *s,
                    const struct export_opts *o, FILE *out, struct export_report *rep,
                    struct fs_err *err)
{
	struct export_report local;
	struct export_opts oo = *o;

	if (rep == NULL)
		rep = &local;
	if (oo.origin == NULL)
		oo.origin = EXPORT_DEFAULT_ORIGIN;
	if (oo.sid_base == 0)
		oo.sid_base = EXPORT_DEFAULT_SID_BASE;
	if (export_opts_check(&oo, err) != FS_OK)
		return FS_E_ARG;
	run_writer(w, s, &oo, out, rep);
	if (fflush(out) != 0 || ferror(out))
		return fs_err_set(err, FS_E_IO, "cannot write the %s export: %s", w->name, strerror(errno));
	return FS_OK;
}

fs_status
export_write_file(const struct export_writer *w, const struct export_set *s,
                  const struct export_opts *o, const char *path, struct export_report *rep,
                  struct fs_err *err)
{
	struct export_opts oo = *o;
	struct export_report local;
	struct fs_err e2 = { 0 };
	struct fs_atomic aw;
	unsigned stale;
	char warning[sizeof aw.warning];
	FILE *f;
	int saved;

	if (rep == NULL)
		rep = &local;
	if (strcmp(path, "-") == 0)
		return export_write_stream(w, s, o, stdout, rep, err);
	if (w->write == export_write_rpz && oo.prev_serial == 0)
		oo.prev_serial = export_rpz_read_serial(path);
	if (oo.origin == NULL)
		oo.origin = EXPORT_DEFAULT_ORIGIN;
	if (export_opts_check(&oo, err) != FS_OK)
		return FS_E_ARG;
	/* Temp file beside the (symlink-resolved) target, its mode and owner kept, removed on a
	 * signal (fs.h). */
	if (fs_atomic_begin(&aw, path, err) != FS_OK)
		return FS_E_IO;
	stale = aw.stale_removed;
	snprintf(warning, sizeof warning, "%s", aw.warning);
	if ((f = fs_atomic_stream(&aw, err)) == NULL) {
		fs_atomic_abort(&aw);
		return FS_E_IO;
	}
	errno = 0;
	if (export_write_stream(w, s, &oo, f, rep, &e2) != FS_OK) {
		saved = errno ? errno : EIO;
		fs_atomic_abort(&aw);
		return fs_err_set(err, FS_E_IO, "cannot write %s: %s", path, strerror(saved));
	}
	if (fs_atomic_commit(&aw, err) != FS_OK)
		return FS_E_IO;
	rep->stale_removed = stale;
	if (warning[0] != '\0' && rep->n_warnings < (int)(sizeof rep->warnings / sizeof rep->warnings[0]))
		snprintf(rep->warnings[rep->n_warnings++], sizeof rep->warnings[0], "%.*s",
		         (int)sizeof rep->warnings[0] - 1, warning);
	return FS_OK;
}

static ssize_t
null_write(void *c, const char *buf, size_t n)
{
	(void)c;
	(void)buf;
	return (ssize_t)n;
}

size_t
export_count(const struct export_writer *w, const struct export_set *s, const struct export_opts *o)
{
	cookie_io_functions_t io = { .write = null_write };
	struct export_report rep;
	struct export_opts oo = *o;
	FILE *f = fopencookie(NULL, "w", io);

	if (f == NULL)
		return 0;
	oo.max_items = 0;
	if (oo.origin == NULL)
		oo.origin = EXPORT_DEFAULT_ORIGIN;
	run_writer(w, s, &oo, f, &rep);
	fclose(f);
	return rep.entries;
}

int
export_preview(const struct export_writer *w, const struct export_set *s,
               const struct export_opts *o, int max_lines, char *buf, size_t len,
               size_t *total_entries)
{
	struct export_report rep;
	struct export_opts oo = *o;
	char *mem = NULL;
	size_t memlen = 0, o2 = 0;
	int lines = 0;
	FILE *f;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (total_entries != NULL)
		*total_entries = export_count(w, s, o);
	f = open_memstream(&mem, &memlen);
	if (f == NULL)
		return 0;
	/* Every entry takes at least one line, so max_lines entries fill the preview. */
	oo.max_items = max_lines > 0 ? (size_t)max_lines : 1;
	if (oo.origin == NULL)
		oo.origin = EXPORT_DEFAULT_ORIGIN;
	run_writer(w, s, &oo, f, &rep);
	fclose(f);
	for (size_t i = 0; i < memlen && lines < max_lines && o2 + 1 < len; i++) {
		buf[o2++] = mem[i];
		if (mem[i] == '\n')
			lines++;
	}
	buf[o2] = '\0';
	if (o2 > 0 && buf[o2 - 1] != '\n' && lines < max_lines)
		lines++;
	free(mem);
	return lines;
}

size_t
export_set_notes(struct export_set *s, const struct notes *n)
{
	size_t got = 0;

	if (n == NULL || notes_count(n) == 0)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		struct export_ind *x = &s->items[i];
		const struct note *nt = NULL;
		char addr[FS_ADDR_STRLEN];
		switch (x->kind) {
		case EXPORT_DOMAIN:
			if ((nt = notes_lookup(n, NOTE_DOMAIN, x->name)) == NULL || nt->text == NULL)
				nt = notes_lookup(n, NOTE_ZONE, x->name);
			break;
		case EXPORT_NSNAME:
			nt = notes_lookup(n, NOTE_NS, x->name);
			break;
		case EXPORT_ADDR:
		case EXPORT_NSADDR:
			nt = notes_find(n, NOTE_ADDR, fs_addr_str(&x->addr, addr, sizeof addr));
			break;
		default:
			break;
		}
		if (nt == NULL || nt->text == NULL)
			continue;
		xfree((char *)x->note);
		x->note = xstrdup(nt->text);
		got++;
	}
	return got;
}
