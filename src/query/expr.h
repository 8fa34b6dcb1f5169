/* The filter language's grammar: boolean expressions over comparisons, parsed into a small
 * tree whose leaves are "FIELD OP VALUE" comparisons. The meaning of fields and values is
 * the caller's (src/query/filter.c compiles each leaf against the field table); this module
 * only knows the syntax and where in the input each piece starts, for errors with a caret.
 *
 *   expr   = or
 *   or     = and { ("or" | "||") and }
 *   and    = unary { ["and" | "&&"] unary }       juxtaposition means "and"
 *   unary  = ("not" | "!") unary | "(" expr ")" | comparison
 *   comparison = FIELD OP VALUE                    spaces around OP are optional
 *   FIELD  = letter { letter | digit | "_" | "." }
 *   OP     = "=" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "~" | "!~"
 *   VALUE  = "quoted text" | word, where a word runs to a space or ")" and a comma list may
 *            continue after a space that follows a comma ("verdict = single-flux, double-flux")
 *
 * Keywords are case-insensitive. Pure functions; no globals; any thread. */
#ifndef FLUXSCOPE_QUERY_EXPR_H
#define FLUXSCOPE_QUERY_EXPR_H

#include <stdbool.h>
#include <stddef.h>

enum qx_op { QX_EQ, QX_NE, QX_LT, QX_LE, QX_GT, QX_GE, QX_HAS, QX_HASNOT };
enum qx_kind { QX_LEAF, QX_AND, QX_OR, QX_NOT };

struct qx_node {
	enum qx_kind kind;
	int a, b;               /* children (node indices); NOT uses a; LEAF uses neither */
	/* LEAF only */
	char *field;            /* as written (owned) */
	enum qx_op op;
	char *value;            /* without quotes (owned) */
	size_t field_pos;       /* byte offsets into the input, for errors */
	size_t op_pos;
	size_t value_pos;
	bool quoted;
};

struct qx_tree {
	struct qx_node *n;      /* owned; n[root] is the whole expression */
	int count;
	int root;               /* -1: empty expression (matches everything) */
};

/* Parse text. On error returns false, fills msg (one sentence without the position) and
 * *err_pos (byte offset where it went wrong; may be strlen(text) for "ended early"). The tree
 * is freed with qx_free() in both cases. */
bool qx_parse(const char *text, struct qx_tree *t, char *msg, size_t msglen, size_t *err_pos);
void qx_free(struct qx_tree *t);

/* Evaluate: leaf(ctx, node index) decides each comparison; and/or short-circuit. */
bool qx_eval(const struct qx_tree *t, bool (*leaf)(void *ctx, int node), void *ctx);

/* Operator text ("=", "!=", ...). */
const char *qx_op_text(enum qx_op op);

/* Display column (1-based, counting UTF-8 characters) of byte offset pos in text. */
size_t qx_column(const char *text, size_t pos);

#endif
