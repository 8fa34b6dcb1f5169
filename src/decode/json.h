/* The one JSON reader: every JSON text the tool reads (Zeek and Suricata EVE log lines, session
 * files) goes through one tokeniser that reads each byte through wire.h, bounded in nesting
 * depth and in tokens. Two faces over it:
 *   - tokens (json_parse, json_get, json_child, json_next, json_*_at): a flat array of tokens
 *     spanning the text, no allocation once warm, for one log line at a time;
 *   - a tree (jv_parse, jv_get, jv_str...): built from the tokens, strings unescaped to
 *     NUL-terminated UTF-8 and owned by the tree, for files read back whole (sessions).
 * Two grammars:
 *   JSON_LOG     what log writers emit, read leniently: a number is a run of number characters
 *                with a digit (its value is checked when read), string bytes are not checked
 *                as UTF-8, a \u escape needs four hex digits and nothing more (an unpaired
 *                surrogate is kept as it is, \u0000 makes the string unreadable, not the line);
 *   JSON_STRICT  RFC 8259: the number grammar, valid UTF-8 (no overlong forms, no surrogates),
 *                paired surrogate escapes, no \u0000.
 * Both refuse control characters in strings, unknown escapes, bad literals and text after the
 * value. Nesting: at most max_depth arrays and objects open at once.
 * Pure; any thread, one thread at a time per jdoc; a tree is owned by its caller (jv_free). */
#ifndef FLUXSCOPE_DECODE_JSON_H
#define FLUXSCOPE_DECODE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- tokens ---- */

enum jt { JT_NONE = 0, JT_OBJ, JT_ARR, JT_STR, JT_NUM, JT_TRUE, JT_FALSE, JT_NULL };
enum json_grammar { JSON_LOG, JSON_STRICT };

struct jtok {
	uint8_t type;
	uint32_t start, end;    /* raw text span; strings: inside the quotes */
	uint32_t next;          /* index of the next sibling token (after this one's children) */
	uint32_t key;           /* object members: index of the key string token, 0 = none */
	uint32_t n;             /* objects/arrays: members */
};

#define JSON_LOG_DEPTH 32
#define JSON_LOG_TOKENS 4096    /* a log line with more is refused */

struct jdoc {
	const char *text;
	size_t len;
	struct jtok *tok;       /* tok[0] is "none"; the root value is tok[1] */
	uint32_t n, cap;
	uint32_t max_tokens;
	unsigned max_depth;
	enum json_grammar grammar;
	char err[80];           /* why the last json_parse failed ("" when it did not) */
	size_t err_off;         /* and the byte offset where it noticed */
};

void json_doc_init(struct jdoc *d, enum json_grammar g, unsigned max_depth, uint32_t max_tokens);
void json_doc_fini(struct jdoc *d);
/* Tokenise len bytes as one JSON value (white space around it allowed). False when the text is
 * not one value of the grammar or goes past the bounds (d->err says why). */
bool json_parse(struct jdoc *d, const char *text, size_t len);
/* Member `key` of object token obj (0 = the root), or 0. Keys with escapes never match. */
uint32_t json_get(const struct jdoc *d, uint32_t obj, const char *key);
/* First child of an object/array token (objects: the value of the first member), 0 = none;
 * next: json_next. */
uint32_t json_child(const struct jdoc *d, uint32_t t);
uint32_t json_next(const struct jdoc *d, uint32_t t);
/* A string token unescaped into buf (at most len-1 bytes, NUL-terminated); false when t is not
 * a string, has a bad escape or \u0000, or does not fit. Numbers are copied as text too. */
bool json_str_at(const struct jdoc *d, uint32_t t, char *buf, size_t len);
/* A number token as integer / double; false when not a number. */
bool json_i64_at(const struct jdoc *d, uint32_t t, int64_t *out);
bool json_f64_at(const struct jdoc *d, uint32_t t, double *out);

/* ---- a tree (strict grammar, depth 64) ---- */

enum jv_type { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

struct jv {
	enum jv_type t;
	bool b;
	double n;
	char *s;                  /* JV_STR: NUL-terminated UTF-8 */
	size_t len;               /* JV_STR: bytes; JV_ARR/JV_OBJ: items */
	struct jv *items;         /* JV_ARR/JV_OBJ */
	char **keys;              /* JV_OBJ: keys[i] names items[i] */
};

#define JV_MAX_DEPTH 64

/* Parse len bytes. On error returns NULL with one sentence in err and the byte offset. */
struct jv *jv_parse(const char *text, size_t len, char *err, size_t errlen, size_t *err_off);
void jv_free(struct jv *v);

/* Member of an object (the last one of that name), or NULL (also when v is not an object). */
const struct jv *jv_get(const struct jv *v, const char *key);
/* Typed reads with defaults: the value when v is of the type, else dflt. */
const char *jv_str(const struct jv *v, const char *dflt);
double jv_num(const struct jv *v, double dflt);
bool jv_bool(const struct jv *v, bool dflt);

#endif
