/* Strings kept for the life of a table: an arena of 64 KiB blocks (a long string gets a block
 * of its own) and an interner over it, so equal strings share one copy and compare by
 * pointer. The enrichment cache keeps its AS names, cities and networks in one.
 * Threads: one thread at a time per arena or interner; the strings stay valid (and may be
 * read by any thread) until it is freed. */
#ifndef FLUXSCOPE_UTIL_INTERN_H
#define FLUXSCOPE_UTIL_INTERN_H

#include <stddef.h>
#include <stdint.h>

struct fs_arena {
	char **blocks;
	size_t n_blocks;
	char *cur;                 /* the block being filled */
	size_t used;               /* bytes of cur in use */
	size_t bytes;              /* bytes of every block */
};

/* A NUL-terminated copy of s[0, len) in the arena. */
char *fs_arena_strndup(struct fs_arena *a, const char *s, size_t len);
void fs_arena_free(struct fs_arena *a);

struct fs_intern {
	struct fs_arena arena;
	const char **slots;        /* NULL = empty */
	uint32_t *hashes;
	size_t cap, n;
	size_t bytes;              /* arena and table together */
};

/* The one copy of s[0, len) ("" for len 0, not stored). */
const char *fs_intern_str(struct fs_intern *t, const char *s, size_t len);
/* The one copy of s[0, len) if the table has it, else NULL ("" for len 0); never writes the
 * table, so any number of threads may call it while none interns. */
const char *fs_intern_find(const struct fs_intern *t, const char *s, size_t len);
void fs_intern_free(struct fs_intern *t);

#endif
