/* What results share (detect_int.h, "shared result parts"): identical term vectors and
 * identical reason sentences are kept once per run. A flood of names asked once (random
 * subdomains, NXDOMAIN) gives hundreds of thousands of results whose 27 terms and reasons
 * are the same; each then costs a pointer instead of 450 bytes of terms and its own strings.
 * Interned parts live until the next run (det_share_clear) or det_free. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"

#define TERM_CHUNK 256   /* term vectors per chunk (pointers into a chunk stay valid) */

/* A new slot for a term vector (caller holds the lock). */
static struct det_terms *
term_slot(struct det_shared *sh)
{
	size_t c = sh->n_terms / TERM_CHUNK, k = sh->n_terms % TERM_CHUNK;

	if (c == sh->n_chunks) {
		sh->chunks = xreallocarray(sh->chunks, sh->n_chunks + 1, sizeof *sh->chunks);
		sh->chunks[sh->n_chunks++] = xreallocarray(NULL, TERM_CHUNK, sizeof(struct det_terms));
	}
	sh->n_terms++;
	return &sh->chunks[c][k];
}

static struct det_terms *
term_at(struct det_shared *sh, uint32_t i)
{
	return &sh->chunks[i / TERM_CHUNK][i % TERM_CHUNK];
}

void
det_share_init(struct det_shared *sh)
{
	memset(sh, 0, sizeof *sh);
	pthread_mutex_init(&sh->mu, NULL);
	fs_map_init(&sh->term_idx);
	fs_map_init(&sh->str_idx);
}

const struct det_terms *
det_share_terms(struct det_shared *sh, const struct det_terms *t)
{
	uint64_t h = fs_hash_bytes(t, sizeof *t);   /* no padding (detect_int.h) */
	struct det_terms *out;
	bool fresh;

	if (h == FS_MAP_EMPTY)
		h = 0;
	pthread_mutex_lock(&sh->mu);
	uint32_t *v = fs_map_put(&sh->term_idx, h, &fresh);
	if (!fresh && memcmp(term_at(sh, *v - 1), t, sizeof *t) == 0) {
		out = term_at(sh, *v - 1);
	} else {
		/* new, or a hash collision (then kept apart, the map keeps the first) */
		uint32_t idx = (uint32_t)sh->n_terms;
		out = term_slot(sh);
		memcpy(out, t, sizeof *t);
		if (fresh)
			*v = idx + 1;
	}
	pthread_mutex_unlock(&sh->mu);
	return out;
}

char *
det_share_str(struct det_shared *sh, char *s)
{
	uint64_t h = fs_hash_bytes(s, strlen(s));
	bool fresh;
	char *out;

	if (h == FS_MAP_EMPTY)
		h = 0;
	pthread_mutex_lock(&sh->mu);
	uint32_t *v = fs_map_put(&sh->str_idx, h, &fresh);
	if (!fresh && strcmp(sh->strs[*v - 1], s) == 0) {
		out = sh->strs[*v - 1];
		free(s);
	} else {
		if (sh->n_strs == sh->cap_strs) {
			sh->cap_strs = sh->cap_strs ? sh->cap_strs * 2 : 256;
			sh->strs = xreallocarray(sh->strs, sh->cap_strs, sizeof *sh->strs);
		}
		sh->strs[sh->n_strs++] = s;
		if (fresh)
			*v = (uint32_t)sh->n_strs;
		out = s;
	}
	pthread_mutex_unlock(&sh->mu);
	return out;
}

#define BLOCK_BYTES (64u << 10)

void *
det_share_alloc(struct det_shared *sh, size_t n)
{
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (n > BLOCK_BYTES)
		fs_fatal("detect: det_share_alloc of %zu bytes", n);
	pthread_mutex_lock(&sh->mu);
	if (sh->n_blocks == 0 || sh->block_used + n > BLOCK_BYTES) {
		sh->blocks = xreallocarray(sh->blocks, sh->n_blocks + 1, sizeof *sh->blocks);
		sh->blocks[sh->n_blocks++] = xmalloc(BLOCK_BYTES);
		sh->block_used = 0;
	}
	p = sh->blocks[sh->n_blocks - 1] + sh->block_used;
	sh->block_used += n;
	pthread_mutex_unlock(&sh->mu);
	return p;
}

void
det_share_clear(struct det_shared *sh)
{
	for (size_t i = 0; i < sh->n_blocks; i++)
		free(sh->blocks[i]);
	free(sh->blocks);
	sh->blocks = NULL;
	sh->n_blocks = 0;
	sh->block_used = 0;
	for (size_t i = 0; i < sh->n_strs; i++)
		free(sh->strs[i]);
	sh->n_strs = 0;
	for (size_t i = 0; i < sh->n_chunks; i++)
		free(sh->chunks[i]);
	free(sh->chunks);
	sh->chunks = NULL;
	sh->n_chunks = 0;
	sh->n_terms = 0;
	fs_map_clear(&sh->term_idx);
	fs_map_clear(&sh->str_idx);
}

void
det_share_fini(struct det_shared *sh)
{
	det_share_clear(sh);
	free(sh->strs);
	fs_map_fini(&sh->term_idx);
	fs_map_fini(&sh->str_idx);
	pthread_mutex_destroy(&sh->mu);
}
