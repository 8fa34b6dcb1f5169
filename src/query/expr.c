/* The filter language's grammar (see expr.h): a recursive-descent parser with a depth limit,
 * so hostile input (a prompt, a --filter argument, a session file) cannot exhaust the stack. */
#include "query/expr.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fluxscope/fs.h"

#define QX_MAX_DEPTH 64
#define QX_MAX_NODES 4096

struct qx_parser {
	const char *s;
	size_t p;
	struct qx_tree *t;
	int cap;
	int depth;
	char *msg;
	size_t msglen;
	size_t err_pos;
	bool failed;
};

static const char *const op_text[] = { "=", "!=", "<", "<=", ">", ">=", "~", "!~" };

const char *
qx_op_text(enum qx_op op)
{
	return (unsigned)op < sizeof op_text / sizeof op_text[0] ? op_text[op] : "?";
}

static bool
fail(struct qx_parser *ps, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool
fail(struct qx_parser *ps, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (ps->failed)
		return false;
	ps->failed = true;
	ps->err_pos = pos;
	va_start(ap, fmt);
	vsnprintf(ps->msg, ps->msglen, fmt, ap);
	va_end(ap);
	return false;
}

static void
skip_space(struct qx_parser *ps)
{
	while (isspace((unsigned char)ps->s[ps->p]))
		ps->p++;
}

static int
new_node(struct qx_parser *ps, enum qx_kind kind)
{
	struct qx_tree *t = ps->t;

	if (t->count >= QX_MAX_NODES) {
		fail(ps, ps->p, "the expression is too long (more than %d parts)", QX_MAX_NODES);
		return -1;
	}
	if (t->count == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 16;
		t->n = xreallocarray(t->n, (size_t)ps->cap, sizeof *t->n);
	}
	memset(&t->n[t->count], 0, sizeof t->n[t->count]);
	t->n[t->count].kind = kind;
	t->n[t->count].a = t->n[t->count].b = -1;
	return t->count++;
}

/* A keyword at the cursor, followed by a non-word character. */
static bool
at_word(const struct qx_parser *ps, const char *kw)
{
	size_t n = strlen(kw);
	unsigned char c;

	if (strncasecmp(ps->s + ps->p, kw, n) != 0)
		return false;
	c = (unsigned char)ps->s[ps->p + n];
	return !(isalnum(c) || c == '_' || c == '.' || c == '=' || c == '<' || c == '>' || c == '~' ||
	         c == '!');
}

static bool
is_field_start(unsigned char c)
{
	return isalpha(c) || c == '_';
}

static bool
is_field_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-';
}

static int parse_or(struct qx_parser *ps);

static int
parse_comparison(struct qx_parser *ps)
{
	const char *s = ps->s;
	size_t fstart = ps->p, fend, opos;
	enum qx_op op;
	int k;

	if (s[ps->p] == '\0')
		return fail(ps, ps->p, "the expression ends where a comparison (field, operator, value) was expected"), -1;
	if (s[ps->p] == ')')
		return fail(ps, ps->p, "unexpected ')' where a comparison was expected"), -1;
	if (!is_field_start((unsigned char)s[ps->p]))
		return fail(ps, ps->p, "expected a field name (such as score, asns, verdict, name), not '%c'",
		            s[ps->p]), -1;
	if (at_word(ps, "and") || at_word(ps, "or"))
		return fail(ps, ps->p, "expected a comparison (field, operator, value) before '%.*s'",
		            tolower((unsigned char)s[ps->p]) == 'o' ? 2 : 3, s + ps->p), -1;
	/* A field name; '-' is allowed inside ("first-seen"). */
	while (is_field_char((unsigned char)s[ps->p]))
		ps->p++;
	fend = ps->p;
	skip_space(ps);
	opos = ps->p;
	if (!strncmp(s + ps->p, "!=", 2)) { op = QX_NE; ps->p += 2; }
	else if (!strncmp(s + ps->p, "!~", 2)) { op = QX_HASNOT; ps->p += 2; }
	else if (!strncmp(s + ps->p, "<=", 2)) { op = QX_LE; ps->p += 2; }
	else if (!strncmp(s + ps->p, ">=", 2)) { op = QX_GE; ps->p += 2; }
	else if (!strncmp(s + ps->p, "==", 2)) { op = QX_EQ; ps->p += 2; }
	else if (!strncmp(s + ps->p, "<>", 2)) { op = QX_NE; ps->p += 2; }
	else if (s[ps->p] == '=') { op = QX_EQ; ps->p++; }
	else if (s[ps->p] == '<') { op = QX_LT; ps->p++; }
	else if (s[ps->p] == '>') { op = QX_GT; ps->p++; }
	else if (s[ps->p] == '~') { op = QX_HAS; ps->p++; }
	else
		return fail(ps, opos, "expected an operator (= != < <= > >= ~ !~) after '%.*s'",
		            (int)(fend - fstart), s + fstart), -1;
	skip_space(ps);
	size_t vpos = ps->p;
	char *val;
	bool quoted = false;
	if (s[ps->p] == '"') {
		const char *q = strchr(s + ps->p + 1, '"');
		if (q == NULL)
			return fail(ps, ps->p, "unterminated quote"), -1;
		size_t n = (size_t)(q - (s + ps->p + 1));
		val = xmalloc(n + 1);
		memcpy(val, s + ps->p + 1, n);
		val[n] = '\0';
		ps->p = (size_t)(q - s) + 1;
		quoted = true;
	} else {
		size_t cap = 32, n = 0;
		val = xmalloc(cap);
		for (;;) {
			unsigned char c = (unsigned char)s[ps->p];
			if (c == '\0' || c == ')' || isspace(c)) {
				/* "a, b": a comma list may continue after spaces. */
				if (n > 0 && val[n - 1] == ',' && isspace(c)) {
					size_t q = ps->p;
					while (isspace((unsigned char)s[q]))
						q++;
					if (s[q] != '\0' && s[q] != ')') {
						ps->p = q;
						continue;
					}
				}
				break;
			}
			if (c == '"') {      /* a quoted part inside a word: verdict="a b",c */
				const char *q = strchr(s + ps->p + 1, '"');
				if (q == NULL) {
					free(val);
					return fail(ps, ps->p, "unterminated quote"), -1;
				}
				for (const char *x = s + ps->p + 1; x < q; x++) {
					if (n + 2 > cap)
						val = xrealloc(val, cap *= 2);
					val[n++] = *x;
				}
				ps->p = (size_t)(q - s) + 1;
				continue;
			}
			if (n + 2 > cap)
				val = xrealloc(val, cap *= 2);
			val[n++] = (char)c;
			ps->p++;
		}
		val[n] = '\0';
	}
	if (val[0] == '\0' && !quoted) {
		free(val);
		return fail(ps, vpos, "'%.*s%s' has no value", (int)(fend - fstart), s + fstart,
		            op_text[op]), -1;
	}
	if ((k = new_node(ps, QX_LEAF)) < 0) {
		free(val);
		return -1;
	}
	struct qx_node *nd = &ps->t->n[k];
	nd->field = xmalloc(fend - fstart + 1);
	memcpy(nd->field, s + fstart, fend - fstart);
	nd->field[fend - fstart] = '\0';
	nd->op = op;
	nd->value = val;
	nd->quoted = quoted;
	nd->field_pos = fstart;
	nd->op_pos = opos;
	nd->value_pos = vpos;
	return k;
}

static int
parse_unary(struct qx_parser *ps)
{
	int k, a;

	skip_space(ps);
	if (++ps->depth > QX_MAX_DEPTH) {
		fail(ps, ps->p, "the expression nests deeper than %d levels", QX_MAX_DEPTH);
		return -1;
	}
	if (at_word(ps, "not") || (ps->s[ps->p] == '!' && ps->s[ps->p + 1] != '=' && ps->s[ps->p + 1] != '~')) {
		ps->p += ps->s[ps->p] == '!' ? 1 : 3;
		if ((a = parse_unary(ps)) < 0)
			return -1;
		if ((k = new_node(ps, QX_NOT)) < 0)
			return -1;
		ps->t->n[k].a = a;
	} else if (ps->s[ps->p] == '(') {
		size_t open = ps->p++;
		if ((k = parse_or(ps)) < 0)
			return -1;
		skip_space(ps);
		if (ps->s[ps->p] != ')')
			return fail(ps, ps->s[ps->p] ? ps->p : open,
			            ps->s[ps->p] ? "expected ')' here" : "this '(' is never closed"), -1;
		ps->p++;
	} else
		k = parse_comparison(ps);
	ps->depth--;
	return k;
}

static bool
at_and(struct qx_parser *ps)
{
	if (at_word(ps, "and")) {
		ps->p += 3;
		return true;
	}
	if (!strncmp(ps->s + ps->p, "&&", 2)) {
		ps->p += 2;
		return true;
	}
	return false;
}

static bool
at_or(struct qx_parser *ps)
{
	if (at_word(ps, "or")) {
		ps->p += 2;
		return true;
	}
	if (!strncmp(ps->s + ps->p, "||", 2)) {
		ps->p += 2;
		return true;
	}
	return false;
}

static int
parse_and(struct qx_parser *ps)
{
	int left = parse_unary(ps);

	while (left >= 0) {
		skip_space(ps);
		char c = ps->s[ps->p];
		if (c == '\0' || c == ')' || at_word(ps, "or") || !strncmp(ps->s + ps->p, "||", 2))
			break;
		at_and(ps);            /* explicit or implied */
		int right = parse_unary(ps);
		if (right < 0)
			return -1;
		int k = new_node(ps, QX_AND);
		if (k < 0)
			return -1;
		ps->t->n[k].a = left;
		ps->t->n[k].b = right;
		left = k;
	}
	return left;
}

static int
parse_or(struct qx_parser *ps)
{
	int left;

	if (++ps->depth > QX_MAX_DEPTH) {
		fail(ps, ps->p, "the expression nests deeper than %d levels", QX_MAX_DEPTH);
		return -1;
	}
	left = parse_and(ps);
	while (left >= 0) {
		skip_space(ps);
		if (!at_or(ps))
			break;
		int right = parse_and(ps);
		if (right < 0)
			return -1;
		int k = new_node(ps, QX_OR);
		if (k < 0)
			return -1;
		ps->t->n[k].a = left;
		ps->t->n[k].b = right;
		left = k;
	}
	ps->depth--;
	return left;
}

void
qx_free(struct qx_tree *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->count; i++) {
		free(t->n[i].field);
		free(t->n[i].value);
	}
	free(t->n);
	t->n = NULL;
	t->count = 0;
	t->root = -1;
}

bool
qx_parse(const char *text, struct qx_tree *t, char *msg, size_t msglen, size_t *err_pos)
{
	char dummy[8];
	struct qx_parser ps = {
		.s = text ? text : "", .t = t, .msg = msg ? msg : dummy,
		.msglen = msg ? msglen : sizeof dummy,
	};

	memset(t, 0, sizeof *t);
	t->root = -1;
	if (msglen > 0 && msg)
		msg[0] = '\0';
	skip_space(&ps);
	if (ps.s[ps.p] == '\0')
		return true;
	t->root = parse_or(&ps);
	if (t->root >= 0) {
		skip_space(&ps);
		if (ps.s[ps.p] == ')')
			fail(&ps, ps.p, "this ')' has no matching '('");
		else if (ps.s[ps.p] != '\0')
			fail(&ps, ps.p, "unexpected text here");
	}
	if (ps.failed || t->root < 0) {
		if (!ps.failed)
			fail(&ps, ps.p, "not a filter expression");
		if (err_pos)
			*err_pos = ps.err_pos;
		t->root = -1;
		return false;
	}
	return true;
}

static bool
eval_node(const struct qx_tree *t, int k, bool (*leaf)(void *, int), void *ctx)
{
	const struct qx_node *n = &t->n[k];

	switch (n->kind) {
	case QX_LEAF: return leaf(ctx, k);
	case QX_NOT: return !eval_node(t, n->a, leaf, ctx);
	case QX_AND: return eval_node(t, n->a, leaf, ctx) && eval_node(t, n->b, leaf, ctx);
	case QX_OR: return eval_node(t, n->a, leaf, ctx) || eval_node(t, n->b, leaf, ctx);
	}
	return false;
}

bool
qx_eval(const struct qx_tree *t, bool (*leaf)(void *ctx, int node), void *ctx)
{
	if (t == NULL || t->root < 0)
		return true;
	return eval_node(t, t->root, leaf, ctx);
}

size_t
qx_column(const char *text, size_t pos)
{
	size_t col = 1;

	for (size_t i = 0; text && i < pos && text[i]; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			col++;
	return col;
}
