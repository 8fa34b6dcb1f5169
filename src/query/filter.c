/* The filter language: a pure parser into a list of terms and a predicate over a detection
 * result and its store record (no I/O, no globals). */
#include "fluxscope/query.h"
#include "query/expr.h"

#include <ctype.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum ftype { F_NUM, F_TTL, F_BOOL, F_STR, F_VERDICT, F_REASON };
enum fop { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_HAS, OP_HASNOT };

enum fid {
	FD_VERDICT, FD_SCORE, FD_HOLZ, FD_ADDRS, FD_ADDRS6, FD_ASNS, FD_COUNTRIES, FD_P16, FD_P24,
	FD_TTL, FD_MINTTL, FD_CHANGES, FD_RRSETS, FD_RESPONSES, FD_NXDOMAIN, FD_NS, FD_NSADDRS,
	FD_NSCHANGES, FD_NSTTL, FD_CLUSTER, FD_CLUSTERSIZE, FD_DISTANCE, FD_INTEL, FD_ALLOW,
	FD_MARKED, FD_NAME, FD_REG, FD_REASON
};

static const struct field {
	const char *name;
	const char *alias;
	enum fid id;
	enum ftype type;
	const char *help;
} fields[] = {
	{ "verdict", NULL, FD_VERDICT, F_VERDICT, "single-flux, double-flux, suspicious, cdn, pool, benign; flux; flagged" },
	{ "score", NULL, FD_SCORE, F_NUM, "fluxscope score, 0..100" },
	{ "holz", NULL, FD_HOLZ, F_NUM, "Holz et al. flux-score (> 0 means flux)" },
	{ "addrs", "addresses", FD_ADDRS, F_NUM, "distinct addresses" },
	{ "addrs6", NULL, FD_ADDRS6, F_NUM, "distinct IPv6 addresses" },
	{ "asns", NULL, FD_ASNS, F_NUM, "distinct ASNs" },
	{ "countries", NULL, FD_COUNTRIES, F_NUM, "distinct countries" },
	{ "prefixes16", NULL, FD_P16, F_NUM, "distinct /16 prefixes" },
	{ "prefixes24", "prefixes", FD_P24, F_NUM, "distinct /24 prefixes" },
	{ "ttl", NULL, FD_TTL, F_TTL, "authoritative TTL estimate (s; 5m, 1h allowed)" },
	{ "minttl", NULL, FD_MINTTL, F_TTL, "smallest TTL seen" },
	{ "changes", NULL, FD_CHANGES, F_NUM, "answer-set changes" },
	{ "rrsets", NULL, FD_RRSETS, F_NUM, "distinct answer sets" },
	{ "responses", NULL, FD_RESPONSES, F_NUM, "responses seen" },
	{ "nxdomain", NULL, FD_NXDOMAIN, F_NUM, "NXDOMAIN responses" },
	{ "ns", "nsnames", FD_NS, F_NUM, "distinct NS names" },
	{ "nsaddrs", NULL, FD_NSADDRS, F_NUM, "distinct NS addresses" },
	{ "nschanges", NULL, FD_NSCHANGES, F_NUM, "NS-set changes" },
	{ "nsttl", NULL, FD_NSTTL, F_TTL, "smallest NS TTL" },
	{ "cluster", NULL, FD_CLUSTER, F_NUM, "cluster number (0 = none)" },
	{ "clustersize", NULL, FD_CLUSTERSIZE, F_NUM, "domains in the cluster" },
	{ "distance", "km", FD_DISTANCE, F_NUM, "greatest distance between addresses, km" },
	{ "intel", NULL, FD_INTEL, F_BOOL, "matched an intel feed (yes/no)" },
	{ "allowlisted", NULL, FD_ALLOW, F_BOOL, "covered by the allowlist (yes/no)" },
	{ "marked", NULL, FD_MARKED, F_BOOL, "marked in the TUI (yes/no)" },
	{ "name", "domain", FD_NAME, F_STR, "the domain (= exact or glob, ~ contains)" },
	{ "registrable", "reg", FD_REG, F_STR, "registrable domain (eTLD+1)" },
	{ "reason", "reasons", FD_REASON, F_REASON, "any reason contains (~) the text" },
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

static const char *const verdict_names[DET_VERDICT_COUNT] = {
	[DET_BENIGN] = "benign", [DET_CDN] = "cdn", [DET_POOL] = "pool",
	[DET_SUSPICIOUS] = "suspicious", [DET_SINGLE_FLUX] = "single-flux",
	[DET_DOUBLE_FLUX] = "double-flux",
};

struct term {
	const struct field *f;
	enum fop op;
	double *nums;           /* F_NUM/F_TTL/F_BOOL values (any of them for =, !=) */
	char **strs;            /* F_STR/F_REASON values */
	int n;
	unsigned verdicts;      /* F_VERDICT: bitmask of enum det_verdict */
};

struct query_filter {
	struct qx_tree tree;
	struct term *t;         /* indexed like tree.n; only leaves are filled */
	int n;                  /* comparisons */
	char *text;
};

static const char *const op_text[] = { "=", "!=", "<", "<=", ">", ">=", "~", "!~" };

void
query_filter_free(struct query_filter *f)
{
	if (f == NULL)
		return;
	for (int i = 0; f->t != NULL && i < f->tree.count; i++) {
		for (int j = 0; j < f->t[i].n; j++)
			if (f->t[i].strs)
				free(f->t[i].strs[j]);
		free(f->t[i].strs);
		free(f->t[i].nums);
	}
	free(f->t);
	qx_free(&f->tree);
	free(f->text);
	free(f);
}

static const struct field *
field_find(const char *name, size_t len)
{
	for (size_t i = 0; i < N_FIELDS; i++) {
		if (strlen(fields[i].name) == len && strncasecmp(fields[i].name, name, len) == 0)
			return &fields[i];
		if (fields[i].alias && strlen(fields[i].alias) == len &&
		    strncasecmp(fields[i].alias, name, len) == 0)
			return &fields[i];
	}
	return NULL;
}

static int
parse_num(const char *s, enum ftype t, double *out)
{
	char *end;
	double v;

	if (t == F_BOOL) {
		if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") || !strcmp(s, "1"))
			*out = 1;
		else if (!strcasecmp(s, "no") || !strcasecmp(s, "false") || !strcmp(s, "0"))
			*out = 0;
		else
			return -1;
		return 0;
	}
	v = strtod(s, &end);
	if (end == s || !isfinite(v))
		return -1;
	if (t == F_TTL && *end) {
		switch (tolower((unsigned char)*end)) {
		case 's': break;
		case 'm': v *= 60; break;
		case 'h': v *= 3600; break;
		case 'd': v *= 86400; break;
		default: return -1;
		}
		end++;
	}
	*out = v;
	return *end == '\0' ? 0 : -1;
}

/* Split a value on commas (for = and !=) into t. */
static fs_status
parse_values(struct term *t, const char *val, struct fs_err *err, const char *termtxt)
{
	bool list = t->op == OP_EQ || t->op == OP_NE;
	char *copy = xstrdup(val);
	char *save = NULL;
	int cap = 4;

	if (t->f->type == F_STR || t->f->type == F_REASON)
		t->strs = xcalloc((size_t)cap, sizeof *t->strs);
	else
		t->nums = xcalloc((size_t)cap, sizeof *t->nums);
	for (char *v = list ? strtok_r(copy, ",", &save) : copy; v != NULL;
	     v = list ? strtok_r(NULL, ",", &save) : NULL) {
		if (*v == '\0')
			continue;
		if (t->n == cap) {
			cap *= 2;
			if (t->strs)
				t->strs = xreallocarray(t->strs, (size_t)cap, sizeof *t->strs);
			else
				t->nums = xreallocarray(t->nums, (size_t)cap, sizeof *t->nums);
		}
		switch (t->f->type) {
		case F_VERDICT: {
			int k = -1;
			for (int i = 0; i < DET_VERDICT_COUNT; i++)
				if (strcasecmp(v, verdict_names[i]) == 0)
					k = i;
			if (k >= 0)
				t->verdicts |= 1u << k;
			else if (strcasecmp(v, "flux") == 0)
				t->verdicts |= 1u << DET_SINGLE_FLUX | 1u << DET_DOUBLE_FLUX;
			else if (strcasecmp(v, "flagged") == 0)
				t->verdicts |= 1u << DET_SINGLE_FLUX | 1u << DET_DOUBLE_FLUX | 1u << DET_SUSPICIOUS;
			else {
				fs_err_set(err, FS_E_ARG,
				           "in '%s': unknown verdict '%s' (single-flux, double-flux, "
				           "suspicious, cdn, pool, benign, flux, flagged)", termtxt, v);
				free(copy);
				return FS_E_ARG;
			}
			t->n++;
			break;
		}
		case F_STR:
		case F_REASON:
			t->strs[t->n++] = xstrdup(v);
			break;
		default:
			if (parse_num(v, t->f->type, &t->nums[t->n]) != 0) {
				fs_err_set(err, FS_E_ARG, "in '%s': field %s needs %s, not '%s'",
				           termtxt, t->f->name,
				           t->f->type == F_BOOL ? "yes or no" :
				           t->f->type == F_TTL ? "a duration (300, 5m, 1h)" : "a number", v);
				free(copy);
				return FS_E_ARG;
			}
			t->n++;
		}
	}
	free(copy);
	if (t->n == 0)
		return fs_err_set(err, FS_E_ARG, "'%s' has no value", termtxt);
	return FS_OK;
}

/* Compile one comparison of the tree into t (its node index k). */
static fs_status
compile_leaf(struct term *t, const struct qx_node *nd, struct fs_err *err, size_t *err_pos)
{
	const struct field *fd = field_find(nd->field, strlen(nd->field));
	char term[512];

	snprintf(term, sizeof term, "%s%s%s", nd->field, qx_op_text(nd->op), nd->value);
	memset(t, 0, sizeof *t);
	if (fd == NULL) {
		char names[1200];
		size_t o = 0;
		for (size_t i = 0; i < N_FIELDS && o < sizeof names; i++)
			o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", i ? ", " : "", fields[i].name);
		*err_pos = nd->field_pos;
		return fs_err_set(err, FS_E_ARG, "unknown field '%s' (fields: %s)", nd->field, names);
	}
	t->f = fd;
	t->op = (enum fop)nd->op;     /* same order: = != < <= > >= ~ !~ */
	bool numeric = fd->type == F_NUM || fd->type == F_TTL;
	if ((t->op == OP_HAS || t->op == OP_HASNOT) && numeric) {
		*err_pos = nd->op_pos;
		return fs_err_set(err, FS_E_ARG, "in '%s': ~ and !~ apply to text fields, not %s", term, fd->name);
	}
	if (t->op >= OP_LT && t->op <= OP_GE && !numeric) {
		*err_pos = nd->op_pos;
		return fs_err_set(err, FS_E_ARG, "in '%s': < and > apply to numbers, not %s", term, fd->name);
	}
	if (fd->type == F_REASON && (t->op == OP_EQ || t->op == OP_NE))
		t->op = t->op == OP_EQ ? OP_HAS : OP_HASNOT;   /* reasons are sentences */
	*err_pos = nd->value_pos;
	return parse_values(t, nd->value, err, term);
}

/* The normalised text of node k (fields by their canonical names). */
static void
print_node(const struct query_filter *f, int k, char **buf, size_t *len, size_t *cap)
{
	const struct qx_node *nd = &f->tree.n[k];
	char tmp[1024];
	int n = 0;

	switch (nd->kind) {
	case QX_LEAF: {
		const struct term *t = &f->t[k];
		bool q = strpbrk(nd->value, " \t()\"") != NULL || nd->value[0] == '\0';
		n = snprintf(tmp, sizeof tmp, "%s%s%s%s%s", t->f->name, op_text[t->op], q ? "\"" : "",
		             nd->value, q ? "\"" : "");
		break;
	}
	case QX_NOT: {
		bool par = f->tree.n[nd->a].kind == QX_AND || f->tree.n[nd->a].kind == QX_OR;
		n = snprintf(tmp, sizeof tmp, "not %s", par ? "(" : "");
		break;
	}
	default:
		break;
	}
	if (n > 0) {
		if (*len + (size_t)n + 1 > *cap)
			*buf = xrealloc(*buf, *cap = (*len + (size_t)n + 1) * 2);
		memcpy(*buf + *len, tmp, (size_t)n + 1);
		*len += (size_t)n;
	}
	if (nd->kind == QX_LEAF)
		return;
	if (nd->kind == QX_NOT) {
		bool par = f->tree.n[nd->a].kind == QX_AND || f->tree.n[nd->a].kind == QX_OR;
		print_node(f, nd->a, buf, len, cap);
		if (par) {
			if (*len + 2 > *cap)
				*buf = xrealloc(*buf, *cap = (*len + 2) * 2);
			(*buf)[(*len)++] = ')';
			(*buf)[*len] = '\0';
		}
		return;
	}
	for (int side = 0; side < 2; side++) {
		int c = side ? nd->b : nd->a;
		bool par = nd->kind == QX_AND && f->tree.n[c].kind == QX_OR;
		const char *pre = side == 0 ? (par ? "(" : "") :
		                  nd->kind == QX_OR ? (par ? " or (" : " or ") : (par ? " (" : " ");
		size_t pl = strlen(pre);
		if (*len + pl + 1 > *cap)
			*buf = xrealloc(*buf, *cap = (*len + pl + 1) * 2);
		memcpy(*buf + *len, pre, pl + 1);
		*len += pl;
		print_node(f, c, buf, len, cap);
		if (par) {
			if (*len + 2 > *cap)
				*buf = xrealloc(*buf, *cap = (*len + 2) * 2);
			(*buf)[(*len)++] = ')';
			(*buf)[*len] = '\0';
		}
	}
}

fs_status
query_filter_parse_at(const char *expr, struct query_filter **out, struct fs_err *err, size_t *err_col)
{
	struct query_filter *f = xcalloc(1, sizeof *f);
	char msg[400];
	size_t pos = 0, len = 0, cap = 64;
	const char *text = expr ? expr : "";

	*out = NULL;
	if (err_col)
		*err_col = 0;
	if (!qx_parse(text, &f->tree, msg, sizeof msg, &pos)) {
		fs_err_set(err, FS_E_ARG, "filter: %s (column %zu)", msg, qx_column(text, pos));
		goto fail;
	}
	f->t = xcalloc(f->tree.count ? (size_t)f->tree.count : 1, sizeof *f->t);
	for (int k = 0; k < f->tree.count; k++) {
		if (f->tree.n[k].kind != QX_LEAF)
			continue;
		if (compile_leaf(&f->t[k], &f->tree.n[k], err, &pos) != FS_OK) {
			char m[sizeof err->msg];
			snprintf(m, sizeof m, "%s", err ? err->msg : "");
			fs_err_set(err, FS_E_ARG, "filter: %s (column %zu)", m, qx_column(text, pos));
			goto fail;
		}
		f->n++;
	}
	f->text = xmalloc(cap);
	f->text[0] = '\0';
	if (f->tree.root >= 0)
		print_node(f, f->tree.root, &f->text, &len, &cap);
	*out = f;
	return FS_OK;
fail:
	if (err_col)
		*err_col = qx_column(text, pos);
	query_filter_free(f);
	return FS_E_ARG;
}

fs_status
query_filter_parse(const char *expr, struct query_filter **out, struct fs_err *err)
{
	return query_filter_parse_at(expr, out, err, NULL);
}

static bool
has_ci(const char *hay, const char *needle)
{
	return hay != NULL && strcasestr(hay, needle) != NULL;
}

static bool
str_eq(const char *v, const char *pat)
{
	if (v == NULL)
		return false;
	if (strpbrk(pat, "*?[") != NULL)
		return fnmatch(pat, v, FNM_CASEFOLD) == 0;
	return strcasecmp(v, pat) == 0;
}

static double
num_value(enum fid id, const struct det_result *r, const struct store_domain *d)
{
	switch (id) {
	case FD_SCORE: return r->score;
	case FD_HOLZ: return r->holz_score;
	case FD_ADDRS: return r->n_addrs;
	case FD_ADDRS6: return r->n_addrs_v6;
	case FD_ASNS: return r->n_asns;
	case FD_COUNTRIES: return r->n_countries;
	case FD_P16: return r->n_prefixes16;
	case FD_P24: return r->n_prefixes24;
	case FD_TTL: return r->ttl;
	case FD_MINTTL: return r->ttl_min;
	case FD_CHANGES: return r->n_rrset_changes;
	case FD_RRSETS: return r->n_rrsets;
	case FD_RESPONSES: return d ? d->n_responses : r->n_responses;
	case FD_NXDOMAIN: return d ? d->n_nxdomain : 0;
	case FD_NS: return r->n_ns_names;
	case FD_NSADDRS: return r->n_ns_addrs;
	case FD_NSCHANGES: return r->n_ns_changes;
	case FD_NSTTL: return r->ns_ttl;
	case FD_CLUSTER: return r->cluster;
	case FD_CLUSTERSIZE: return r->cluster_size;
	case FD_DISTANCE: return r->max_distance_km;
	case FD_INTEL: return r->intel_hit;
	case FD_ALLOW: return r->allowlisted;
	case FD_MARKED: return d ? d->user_flags != 0 : 0;
	default: return 0;
	}
}

static bool
term_match(const struct term *t, const struct det_result *r, const struct store_domain *d)
{
	switch (t->f->type) {
	case F_VERDICT: {
		bool in = (unsigned)r->verdict < DET_VERDICT_COUNT && (t->verdicts & (1u << r->verdict));
		return t->op == OP_NE ? !in : in;
	}
	case F_REASON: {
		bool any = false;
		for (int j = 0; j < t->n && !any; j++)
			for (int i = 0; i < r->n_reasons && !any; i++)
				any = has_ci(r->reasons[i], t->strs[j]);
		return t->op == OP_HASNOT ? !any : any;
	}
	case F_STR: {
		const char *v = t->f->id == FD_NAME ? r->name : r->registrable;
		bool any = false;
		for (int j = 0; j < t->n && !any; j++)
			any = (t->op == OP_HAS || t->op == OP_HASNOT) ? has_ci(v, t->strs[j]) : str_eq(v, t->strs[j]);
		return (t->op == OP_NE || t->op == OP_HASNOT) ? !any : any;
	}
	default: {
		double v = num_value(t->f->id, r, d);
		switch (t->op) {
		case OP_EQ:
		case OP_NE: {
			bool any = false;
			for (int j = 0; j < t->n && !any; j++)
				any = fabs(v - t->nums[j]) < 1e-9;
			return t->op == OP_NE ? !any : any;
		}
		case OP_LT: return v < t->nums[0];
		case OP_LE: return v <= t->nums[0];
		case OP_GT: return v > t->nums[0];
		case OP_GE: return v >= t->nums[0];
		default: return false;
		}
	}
	}
}

struct match_ctx {
	const struct query_filter *f;
	const struct det_result *r;
	const struct store_domain *d;
};

static bool
leaf_match(void *ctx, int k)
{
	const struct match_ctx *c = ctx;
	return term_match(&c->f->t[k], c->r, c->d);
}

bool
query_filter_match(const struct query_filter *f, const struct det_result *r,
                   const struct store_domain *d)
{
	struct match_ctx c = { f, r, d };

	if (f == NULL)
		return true;
	return qx_eval(&f->tree, leaf_match, &c);
}

const char *
query_filter_text(const struct query_filter *f)
{
	return f ? f->text : "";
}

int
query_filter_terms(const struct query_filter *f)
{
	return f ? f->n : 0;
}

const char *
query_filter_help(void)
{
	static char buf[4096];
	if (buf[0] == '\0') {
		size_t o = 0;
		for (size_t i = 0; i < N_FIELDS && o < sizeof buf; i++)
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%-12s %s\n", fields[i].name, fields[i].help);
	}
	return buf;
}
