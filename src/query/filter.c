/* The filter language: a pure parser into an expression tree of comparisons and a predicate
 * over a model row (no I/O, no globals). Its fields are the model's field table
 * (fluxscope/model.h). */
#include "fluxscope/query.h"
#include "query/expr.h"

#include <ctype.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fluxscope/model.h"

enum fop { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_HAS, OP_HASNOT };

static bool
is_numeric(enum model_type t)
{
	return t == MT_INT || t == MT_FLOAT || t == MT_TIME;
}

static bool
is_text(enum model_type t)
{
	return t == MT_STRING || t == MT_COUNTRY || t == MT_ADDR;
}

struct term {
	const struct model_field *f;
	enum fop op;
	double *nums;           /* numbers, times, booleans, ASNs (any of them for =, !=) */
	char **strs;            /* text and address values */
	fs_addr *nets;          /* MT_ADDR with =, !=: networks (plen in plens) */
	uint8_t *plens;
	int n;
	unsigned verdicts;      /* MT_ENUM: bitmask of enum det_verdict */
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
		free(f->t[i].nets);
		free(f->t[i].plens);
	}
	free(f->t);
	qx_free(&f->tree);
	free(f->text);
	free(f);
}

/* A time: epoch seconds, or an ISO date YYYY-MM-DD[THH:MM[:SS]][Z] in UTC. */
static int
parse_time(const char *s, double *out)
{
	static const char *const fmts[] = { "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S",
	                                    "%Y-%m-%d %H:%M", "%Y-%m-%d" };
	struct tm tm;
	char *end;
	double v = strtod(s, &end);

	if (end != s && *end == '\0' && isfinite(v)) {
		*out = v * FS_USEC;
		return 0;
	}
	for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
		memset(&tm, 0, sizeof tm);
		const char *e = strptime(s, fmts[i], &tm);
		if (e != NULL && (*e == '\0' || (e[0] == 'Z' && e[1] == '\0'))) {
			*out = (double)timegm(&tm) * FS_USEC;
			return 0;
		}
	}
	return -1;
}

static int
parse_num(const char *s, const struct model_field *f, double *out)
{
	char *end;
	double v;

	if (f->type == MT_BOOL) {
		if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") || !strcmp(s, "1"))
			*out = 1;
		else if (!strcasecmp(s, "no") || !strcasecmp(s, "false") || !strcmp(s, "0"))
			*out = 0;
		else
			return -1;
		return 0;
	}
	if (f->type == MT_TIME)
		return parse_time(s, out);
	if (f->type == MT_ASN && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		s += 2;
	v = strtod(s, &end);
	if (end == s || !isfinite(v))
		return -1;
	if (f->unit != NULL && strcmp(f->unit, "s") == 0 && *end) {
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

/* An address or a network: "192.0.2.1", "2001:db8::/32". */
static int
parse_net(const char *s, fs_addr *a, uint8_t *plen)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	char *end;

	if (n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (fs_addr_parse(buf, a) != 0)
		return -1;
	long max = a->family == 4 ? 32 : 128, p = max;
	if (slash != NULL) {
		p = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end != '\0' || p < 0 || p > max)
			return -1;
	}
	*plen = (uint8_t)p;
	return 0;
}

/* Split a value on commas (for = and !=) into t. */
static fs_status
parse_values(struct term *t, const char *val, struct fs_err *err, const char *termtxt)
{
	bool list = t->op == OP_EQ || t->op == OP_NE;
	char *copy = xstrdup(val);
	char *save = NULL;
	int cap = 4;

	bool nets = t->f->type == MT_ADDR && list;
	if (is_text(t->f->type))
		t->strs = xcalloc((size_t)cap, sizeof *t->strs);
	else
		t->nums = xcalloc((size_t)cap, sizeof *t->nums);
	if (nets) {
		t->nets = xcalloc((size_t)cap, sizeof *t->nets);
		t->plens = xcalloc((size_t)cap, sizeof *t->plens);
	}
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
			if (nets) {
				t->nets = xreallocarray(t->nets, (size_t)cap, sizeof *t->nets);
				t->plens = xreallocarray(t->plens, (size_t)cap, sizeof *t->plens);
			}
		}
		switch (t->f->type) {
		case MT_ENUM: {
			int k = -1;
			for (int i = 0; i < DET_VERDICT_COUNT; i++)
				if (strcasecmp(v, det_verdict_name((enum det_verdict)i)) == 0)
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
		case MT_ADDR:
			if (nets && parse_net(v, &t->nets[t->n], &t->plens[t->n]) != 0) {
				fs_err_set(err, FS_E_ARG, "in '%s': field %s needs an address or a prefix "
				           "(192.0.2.0/24), not '%s'", termtxt, t->f->key, v);
				free(copy);
				return FS_E_ARG;
			}
			t->strs[t->n++] = xstrdup(v);
			break;
		case MT_STRING:
		case MT_COUNTRY:
			t->strs[t->n++] = xstrdup(v);
			break;
		default:
			if (parse_num(v, t->f, &t->nums[t->n]) != 0) {
				bool dur = t->f->unit != NULL && strcmp(t->f->unit, "s") == 0;
				fs_err_set(err, FS_E_ARG, "in '%s': field %s needs %s, not '%s'",
				           termtxt, t->f->key,
				           t->f->type == MT_BOOL ? "yes or no" :
				           t->f->type == MT_TIME ? "a time (epoch seconds or 2025-03-01T10:00)" :
				           t->f->type == MT_ASN ? "an AS number (AS12345)" :
				           dur ? "a duration (300, 5m, 1h)" : "a number", v);
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
	const struct model_field *fd = model_field_find(nd->field, strlen(nd->field));
	char term[512];

	snprintf(term, sizeof term, "%s%s%s", nd->field, qx_op_text(nd->op), nd->value);
	memset(t, 0, sizeof *t);
	if (fd == NULL) {
		*err_pos = nd->field_pos;
		/* the whole list (51 keys) would crowd out the column: the keys by their first
		 * letter when one matches, else where to find them */
		char near[200] = "";
		size_t o = 0;
		for (size_t i = 0; i < model_field_count() && o + 24 < sizeof near; i++)
			if (tolower((unsigned char)model_field(i)->key[0]) == tolower((unsigned char)nd->field[0]))
				o += (size_t)snprintf(near + o, sizeof near - o, "%s%s", o ? ", " : "",
				                      model_field(i)->key);
		return fs_err_set(err, FS_E_ARG, "unknown field '%s' (%s%s%s)", nd->field,
		                  near[0] ? "fields starting alike: " : "",
		                  near[0] ? near : "the fields are in docs/fields.md and --help", "");
	}
	/* a text match on a count that names its list (model.h: text_list; "ns~evil") reads the
	 * list */
	if ((nd->op == QX_HAS || nd->op == QX_HASNOT) && !is_text(fd->type) && fd->text_list != NULL) {
		const struct model_field *lf = model_field_find(fd->text_list, strlen(fd->text_list));
		if (lf != NULL)
			fd = lf;
	}
	t->f = fd;
	t->op = (enum fop)nd->op;     /* same order: = != < <= > >= ~ !~ */
	bool numeric = is_numeric(fd->type);
	if ((t->op == OP_HAS || t->op == OP_HASNOT) && !is_text(fd->type)) {
		*err_pos = nd->op_pos;
		return fs_err_set(err, FS_E_ARG, "in '%s': ~ and !~ apply to text fields, not %s", term, fd->key);
	}
	if (t->op >= OP_LT && t->op <= OP_GE && !numeric) {
		*err_pos = nd->op_pos;
		return fs_err_set(err, FS_E_ARG, "in '%s': < and > apply to numbers, not %s", term, fd->key);
	}
	if (strcmp(fd->key, "reason") == 0 && (t->op == OP_EQ || t->op == OP_NE))
		t->op = t->op == OP_EQ ? OP_HAS : OP_HASNOT;   /* reasons are sentences */
	*err_pos = nd->value_pos;
	return parse_values(t, nd->value, err, term);
}

/* Appends the n bytes of p to the growing text. */
static void
put_text(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
	if (*len + n + 1 > *cap)
		*buf = xrealloc(*buf, *cap = (*len + n + 1) * 2);
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
}
#define PUT_STR(buf, len, cap, s) put_text((buf), (len), (cap), (s), strlen(s))

/* The normalised text of node k (fields by their canonical names). A value is copied as it
 * is, however long (the text is grown, never cut). */
static void
print_node(const struct query_filter *f, int k, char **buf, size_t *len, size_t *cap)
{
	const struct qx_node *nd = &f->tree.n[k];

	switch (nd->kind) {
	case QX_LEAF: {
		const struct term *t = &f->t[k];
		bool q = strpbrk(nd->value, " \t()\"") != NULL || nd->value[0] == '\0';
		PUT_STR(buf, len, cap, t->f->key);
		PUT_STR(buf, len, cap, op_text[t->op]);
		PUT_STR(buf, len, cap, q ? "\"" : "");
		PUT_STR(buf, len, cap, nd->value);
		PUT_STR(buf, len, cap, q ? "\"" : "");
		break;
	}
	case QX_NOT: {
		bool par = f->tree.n[nd->a].kind == QX_AND || f->tree.n[nd->a].kind == QX_OR;
		PUT_STR(buf, len, cap, par ? "not (" : "not ");
		break;
	}
	default:
		break;
	}
	if (nd->kind == QX_LEAF)
		return;
	if (nd->kind == QX_NOT) {
		bool par = f->tree.n[nd->a].kind == QX_AND || f->tree.n[nd->a].kind == QX_OR;
		print_node(f, nd->a, buf, len, cap);
		if (par)
			PUT_STR(buf, len, cap, ")");
		return;
	}
	for (int side = 0; side < 2; side++) {
		int c = side ? nd->b : nd->a;
		bool par = nd->kind == QX_AND && f->tree.n[c].kind == QX_OR;
		const char *pre = side == 0 ? (par ? "(" : "") :
		                  nd->kind == QX_OR ? (par ? " or (" : " or ") : (par ? " (" : " ");
		PUT_STR(buf, len, cap, pre);
		print_node(f, c, buf, len, cap);
		if (par)
			PUT_STR(buf, len, cap, ")");
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

static bool
in_net(const fs_addr *a, const fs_addr *net, uint8_t plen)
{
	if (a->family != net->family)
		return false;
	size_t full = plen / 8;
	if (memcmp(a->bytes, net->bytes, full) != 0)
		return false;
	if (plen % 8 == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - plen % 8));
	return (a->bytes[full] & mask) == (net->bytes[full] & mask);
}

/* Whether one value satisfies the term's positive form (=, ~, <, …). */
static bool
value_match(const struct term *t, const struct model_value *v)
{
	char buf[FS_ADDR_STRLEN];

	switch (t->f->type) {
	case MT_ENUM: {
		int k = (int)v->num;
		return k >= 0 && k < DET_VERDICT_COUNT && (t->verdicts & (1u << k));
	}
	case MT_STRING:
	case MT_COUNTRY:
		for (int j = 0; j < t->n; j++)
			if ((t->op == OP_HAS || t->op == OP_HASNOT) ? has_ci(v->str, t->strs[j])
			                                            : str_eq(v->str, t->strs[j]))
				return true;
		return false;
	case MT_ADDR:
		if (t->op == OP_HAS || t->op == OP_HASNOT) {
			fs_addr_str(&v->addr, buf, sizeof buf);
			for (int j = 0; j < t->n; j++)
				if (has_ci(buf, t->strs[j]))
					return true;
			return false;
		}
		for (int j = 0; j < t->n; j++)
			if (in_net(&v->addr, &t->nets[j], t->plens[j]))
				return true;
		return false;
	default:
		switch (t->op) {
		case OP_EQ:
		case OP_NE:
			for (int j = 0; j < t->n; j++)
				if (fabs(v->num - t->nums[j]) < 1e-9 ||
				    (t->f->type == MT_TIME && fabs(v->num - t->nums[j]) < FS_USEC))
					return true;
			return false;
		case OP_LT: return v->num < t->nums[0];
		case OP_LE: return v->num <= t->nums[0];
		case OP_GT: return v->num > t->nums[0];
		case OP_GE: return v->num >= t->nums[0];
		default: return false;
		}
	}
}

/* A single value: missing never matches (not even != or !~). A list: = and ~ when any value
 * matches, != and !~ when none does. */
static bool
term_match(const struct term *t, const struct model_row *row)
{
	struct model_value v;
	bool negated = t->op == OP_NE || t->op == OP_HASNOT;
	bool any = false;

	for (size_t i = 0; !any; i++) {
		/* the getter sets the member its type reads (no memset: this runs per row) */
		if (!t->f->get(row, i, &v)) {
			if (i == 0 && !(t->f->flags & MF_LIST))
				return false;          /* missing */
			break;
		}
		any = value_match(t, &v);
		if (!(t->f->flags & MF_LIST))
			break;
	}
	return negated ? !any : any;
}

struct match_ctx {
	const struct query_filter *f;
	const struct model_row *row;
};

static bool
leaf_match(void *ctx, int k)
{
	const struct match_ctx *c = ctx;
	return term_match(&c->f->t[k], c->row);
}

bool
query_filter_match_row(const struct query_filter *f, const struct model_row *row)
{
	struct match_ctx c = { f, row };

	if (f == NULL)
		return true;
	return qx_eval(&f->tree, leaf_match, &c);
}

bool
query_filter_needs_lists(const struct query_filter *f)
{
	for (int i = 0; f != NULL && f->t != NULL && i < f->tree.count; i++)
		if (f->t[i].f != NULL && (f->t[i].f->flags & MF_JSON_CUSTOM) != 0)
			return true;   /* address, asn, country, nameserver */
	return false;
}

bool
query_filter_match(const struct query_filter *f, const struct det_result *r,
                   const struct store_domain *d)
{
	struct model_row row;

	if (f == NULL)
		return true;
	model_row_init(&row, r, d);
	return query_filter_match_row(f, &row);
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
	static char buf[8192];
	if (buf[0] == '\0') {
		size_t o = 0;
		for (size_t i = 0; i < model_field_count() && o < sizeof buf; i++)
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%-12s %s\n", model_field(i)->key,
			                      model_field(i)->desc);
	}
	return buf;
}
