/* A JSON reader for files the tool reads back (sessions) and other hostile JSON: a strict
 * RFC 8259 parser into a small tree, bounded in depth (64) and checked at every byte; strings
 * are unescaped to UTF-8 (\u escapes and surrogate pairs included; a NUL from \u0000 or an
 * unpaired surrogate is refused). Numbers are doubles. Pure; any thread; the tree is owned by
 * the caller (jv_free). */
#ifndef FLUXSCOPE_UTIL_JSONR_H
#define FLUXSCOPE_UTIL_JSONR_H

#include <stdbool.h>
#include <stddef.h>

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
