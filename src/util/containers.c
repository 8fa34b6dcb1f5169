/* util containers: the vector's growth, the u64 map, the string arena and interner, the hash index. */
#include "util/hidx.h"
#include "util/intern.h"
#include "util/map.h"
#include "util/vec.h"

#include <string.h>

#include "fluxscope/fs.h"

void
fs_vec_reserve_(void **v, size_t *cap, size_t need, size_t elem)
{
	size_t nc;

	if (need <= *cap)
		return;
	nc = *cap ? *cap * 2 : 8;
	while (nc < need)
		nc *= 2;
	*v = xreallocarray(*v, nc, elem);
	*cap = nc;
}

/* ---- map ------------------------------------------------------------------------------------- */

void
fs_map_init(struct fs_map *m)
{
	memset(m, 0, sizeof *m);
}

void
fs_map_fini(struct fs_map *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof *m);
}

void
fs_map_clear(struct fs_map *m)
{
	if (m->n == 0)
		return;
	if (m->cap > 4096 && m->n * 16 < m->cap) {
		fs_map_fini(m);
		return;
	}
	for (uint32_t j = 0; j < m->n; j++)
		m->keys[m->used[j]] = FS_MAP_EMPTY;
	m->n = 0;
}

void
fs_map_grow(struct fs_map *m)
{
	uint32_t on = m->n;
	uint64_t *okeys = m->keys;
	uint32_t *ovals = m->vals, *oused = m->used;
	uint32_t ncap = m->cap ? m->cap * 2 : 64;

	m->keys = xreallocarray(NULL, ncap, sizeof *m->keys);
	m->vals = xreallocarray(NULL, ncap, sizeof *m->vals);
	m->used = xreallocarray(NULL, ncap, sizeof *m->used);
	memset(m->keys, 0xff, (size_t)ncap * sizeof *m->keys);
	m->cap = ncap;
	m->n = 0;
	for (uint32_t j = 0; j < on; j++) {       /* keeps the insertion order */
		bool fresh;
		*fs_map_put(m, okeys[oused[j]], &fresh) = ovals[oused[j]];
	}
	free(okeys);
	free(ovals);
	free(oused);
}

/* ---- arena and interner ------------------------------------------------------------------------ */

#define ARENA_BLOCK 65536

char *
fs_arena_strndup(struct fs_arena *a, const char *s, size_t len)
{
	char *p;

	if (len + 1 > ARENA_BLOCK / 4 || a->cur == NULL || a->used + len + 1 > ARENA_BLOCK) {
		/* A long string gets a block of its own; the current block keeps filling. */
		size_t sz = len + 1 > ARENA_BLOCK / 4 ? len + 1 : ARENA_BLOCK;
		a->blocks = xreallocarray(a->blocks, a->n_blocks + 1, sizeof *a->blocks);
		p = a->blocks[a->n_blocks++] = xmalloc(sz);
		a->bytes += sz;
		if (sz == ARENA_BLOCK) {
			a->cur = p;
			a->used = len + 1;
		}
	} else {
		p = a->cur + a->used;
		a->used += len + 1;
	}
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void
fs_arena_free(struct fs_arena *a)
{
	for (size_t i = 0; i < a->n_blocks; i++)
		free(a->blocks[i]);
	free(a->blocks);
	memset(a, 0, sizeof *a);
}

static uint32_t
str_hash(const char *s, size_t len)
{
	return (uint32_t)fs_hash_bytes(s, len) | 1u;   /* never 0: 0 marks an empty slot */
}

static void
intern_grow(struct fs_intern *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 256;
	const char **slots = xzalloc(ncap, sizeof *slots);
	uint32_t *hashes = xcalloc(ncap, sizeof *hashes);   /* written, never probed */

	for (size_t i = 0; i < t->cap; i++) {
		size_t j;
		if (t->slots[i] == NULL)
			continue;
		for (j = t->hashes[i] & (ncap - 1); slots[j] != NULL; j = (j + 1) & (ncap - 1))
			;
		slots[j] = t->slots[i];
		hashes[j] = t->hashes[i];
	}
	free(t->slots);
	free(t->hashes);
	t->slots = slots;
	t->hashes = hashes;
	t->cap = ncap;
}

/* The slot holding s[0, len) (hash h), or the empty slot where it would go; cap > 0. */
static size_t
intern_probe(const struct fs_intern *t, const char *s, size_t len, uint32_t h)
{
	size_t i;
	for (i = h & (t->cap - 1); t->slots[i] != NULL; i = (i + 1) & (t->cap - 1))
		if (t->hashes[i] == h && strncmp(t->slots[i], s, len) == 0 && t->slots[i][len] == '\0')
			break;
	return i;
}

const char *
fs_intern_str(struct fs_intern *t, const char *s, size_t len)
{
	uint32_t h;
	size_t i;

	if (len == 0)
		return "";
	if (2 * (t->n + 1) > t->cap)
		intern_grow(t);
	h = str_hash(s, len);
	i = intern_probe(t, s, len, h);
	if (t->slots[i] != NULL)
		return t->slots[i];
	t->slots[i] = fs_arena_strndup(&t->arena, s, len);
	t->hashes[i] = h;
	t->n++;
	t->bytes = t->arena.bytes + t->cap * (sizeof *t->slots + sizeof *t->hashes);
	return t->slots[i];
}

const char *
fs_intern_find(const struct fs_intern *t, const char *s, size_t len)
{
	uint32_t h;

	if (len == 0)
		return "";
	if (t->cap == 0)
		return NULL;
	h = str_hash(s, len);
	return t->slots[intern_probe(t, s, len, h)];
}

void
fs_intern_free(struct fs_intern *t)
{
	fs_arena_free(&t->arena);
	free(t->slots);
	free(t->hashes);
	memset(t, 0, sizeof *t);
}

/* ---- hash index -------------------------------------------------------------------------------- */

void
fs_hidx_fini(struct fs_hidx *x)
{
	free(x->s);
	memset(x, 0, sizeof *x);
}

static void
hidx_resize(struct fs_hidx *x, uint32_t ncap)
{
	struct fs_hidx_slot *old = x->s;
	uint32_t ocap = old != NULL ? x->mask + 1 : 0;

	/* calloc, not xzalloc: fs_hidx_reserve sizes a table for the most it may hold, and the
	 * pages never used are never touched */
	x->s = xcalloc(ncap, sizeof *x->s);
	x->mask = ncap - 1;
	for (uint32_t i = 0; i < ocap; i++) {
		if (old[i].item1 == 0)
			continue;
		uint32_t j = old[i].hash & x->mask;
		while (x->s[j].item1 != 0)
			j = (j + 1) & x->mask;
		x->s[j] = old[i];
	}
	free(old);
}

void
fs_hidx_reserve(struct fs_hidx *x, uint32_t n)
{
	uint32_t cap = x->s != NULL ? x->mask + 1 : 0, want = 16;

	while (want < 2 * (uint64_t)n)
		want *= 2;
	if (want > cap)
		hidx_resize(x, want);
}

void
fs_hidx_add(struct fs_hidx *x, uint32_t h, uint32_t item)
{
	if (x->s == NULL || 2 * ((uint64_t)x->n + 1) > (uint64_t)x->mask + 1)
		hidx_resize(x, x->s != NULL ? 2 * (x->mask + 1) : 16);
	uint32_t i = h & x->mask;
	while (x->s[i].item1 != 0)
		i = (i + 1) & x->mask;
	x->s[i].hash = h;
	x->s[i].item1 = item + 1;
	x->n++;
}

bool
fs_hidx_del(struct fs_hidx *x, uint32_t h, uint32_t item)
{
	uint32_t i;

	for (i = fs_hidx_first(x, h); i != FS_HIDX_END; i = fs_hidx_next(x, h, i))
		if (x->s[i].item1 == item + 1)
			break;
	if (i == FS_HIDX_END)
		return false;
	/* Backward shift: move later entries of the run into the hole when their home slot
	 * is not between the hole and them. */
	for (uint32_t j = (i + 1) & x->mask; x->s[j].item1 != 0; j = (j + 1) & x->mask) {
		uint32_t home = x->s[j].hash & x->mask;
		if (((j - home) & x->mask) >= ((j - i) & x->mask)) {
			x->s[i] = x->s[j];
			i = j;
		}
	}
	x->s[i].item1 = 0;
	x->s[i].hash = 0;
	x->n--;
	return true;
}

void
fs_hidx_clear(struct fs_hidx *x)
{
	if (x->s != NULL)
		memset(x->s, 0, ((size_t)x->mask + 1) * sizeof *x->s);
	x->n = 0;
}
