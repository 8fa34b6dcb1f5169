/* A growable vector of any element type: FS_VEC(int) v = { 0 }; fs_vec_push(&v, 3);
 * v.v[i], v.n; fs_vec_free(&v). Capacity doubles (at least 8); elements move on growth, so
 * pointers into v.v are valid until the next push or reserve. Out of memory aborts (xrealloc).
 * Threads: one thread at a time per vector. */
#ifndef FLUXSCOPE_UTIL_VEC_H
#define FLUXSCOPE_UTIL_VEC_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define FS_VEC(T) struct { T *v; size_t n, cap; }

/* Make room for need elements of size elem in *v (capacity *cap). */
void fs_vec_reserve_(void **v, size_t *cap, size_t need, size_t elem);

#define fs_vec_reserve(vec, need) \
	fs_vec_reserve_((void **)&(vec)->v, &(vec)->cap, (need), sizeof *(vec)->v)
#define fs_vec_push(vec, x) \
	(fs_vec_reserve((vec), (vec)->n + 1), (vec)->v[(vec)->n++] = (x))
/* A zeroed new element at the end; returns its address. */
#define fs_vec_grow1(vec) \
	(fs_vec_reserve((vec), (vec)->n + 1), \
	 memset(&(vec)->v[(vec)->n], 0, sizeof *(vec)->v), &(vec)->v[(vec)->n++])
#define fs_vec_clear(vec) ((void)((vec)->n = 0))
#define fs_vec_free(vec) (free((vec)->v), (vec)->v = NULL, (vec)->n = (vec)->cap = 0)

#endif
