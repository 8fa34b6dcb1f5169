/* Unit tests for util's containers: vector, u64 map, string arena and interner,
 * hash index. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/hidx.h"
#include "util/intern.h"
#include "util/map.h"
#include "util/vec.h"

struct pair { int a; double b; };

static void
test_vec(void **state)
{
	FS_VEC(uint32_t) v = { 0 };
	FS_VEC(struct pair) p = { 0 };
	(void)state;

	for (uint32_t i = 0; i < 100000; i++)
		fs_vec_push(&v, i * 3);
	assert_int_equal(v.n, 100000);
	assert_true(v.cap >= v.n);
	for (uint32_t i = 0; i < v.n; i++)
		assert_int_equal(v.v[i], i * 3);
	fs_vec_clear(&v);
	assert_int_equal(v.n, 0);
	fs_vec_push(&v, 7);
	assert_int_equal(v.v[0], 7);
	fs_vec_free(&v);
	assert_null(v.v);
	assert_int_equal(v.cap, 0);

	struct pair *e = fs_vec_grow1(&p);
	assert_int_equal(e->a, 0);
	e->a = 5;
	e->b = 2.5;
	fs_vec_push(&p, ((struct pair){ 6, 3.5 }));
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[0].a, 5);
	assert_true(p.v[1].b == 3.5);
	fs_vec_reserve(&p, 1000);
	assert_true(p.cap >= 1000);
	assert_int_equal(p.n, 2);
	fs_vec_free(&p);
}

static void
test_map(void **state)
{
	struct fs_map m;
	bool fresh;
	(void)state;

	fs_map_init(&m);
	assert_null(fs_map_get(&m, 1));
	/* keys that collide in the low bits, and 0 */
	for (uint64_t i = 0; i < 50000; i++) {
		uint32_t *v = fs_map_put(&m, i << 20, &fresh);
		assert_true(fresh);
		*v = (uint32_t)i + 1;
	}
	assert_int_equal(m.n, 50000);
	for (uint64_t i = 0; i < 50000; i++) {
		const uint32_t *v = fs_map_get(&m, i << 20);
		assert_non_null(v);
		assert_int_equal(*v, i + 1);
	}
	assert_null(fs_map_get(&m, 3));
	/* a second put finds the entry */
	uint32_t *v = fs_map_put(&m, 5 << 20, &fresh);
	assert_false(fresh);
	assert_int_equal(*v, 6);
	/* insertion order */
	for (uint32_t j = 0; j < m.n; j++) {
		assert_int_equal(fs_map_key_at(&m, j), (uint64_t)j << 20);
		assert_int_equal(fs_map_val_at(&m, j), j + 1);
	}
	assert_true(fs_map_bytes(&m) >= (size_t)m.n * 16);
	/* clear of a big, sparse table frees it; a dense one is emptied in place */
	fs_map_clear(&m);
	assert_int_equal(m.n, 0);
	assert_null(fs_map_get(&m, 0));
	for (uint64_t i = 0; i < 10; i++)
		*fs_map_put(&m, UINT64_MAX - 1 - i, &fresh) = 9;
	assert_int_equal(m.n, 10);
	assert_int_equal(*fs_map_get(&m, UINT64_MAX - 5), 9);
	fs_map_clear(&m);
	assert_int_equal(m.n, 0);
	assert_null(fs_map_get(&m, UINT64_MAX - 5));
	fs_map_fini(&m);
	assert_int_equal(m.cap, 0);
	assert_true(fs_hash64(1) != fs_hash64(2));
}

static void
test_intern(void **state)
{
	struct fs_intern t = { 0 };
	struct fs_arena a = { 0 };
	char buf[64], big[40000];
	const char *first[3000];
	(void)state;

	for (int i = 0; i < 3000; i++) {
		snprintf(buf, sizeof buf, "AS-name %d", i);
		first[i] = fs_intern_str(&t, buf, strlen(buf));
		assert_string_equal(first[i], buf);
	}
	assert_int_equal(t.n, 3000);
	for (int i = 0; i < 3000; i++) {
		snprintf(buf, sizeof buf, "AS-name %d", i);
		assert_ptr_equal(fs_intern_str(&t, buf, strlen(buf)), first[i]);
	}
	/* a prefix of an interned string is another string */
	const char *pre = fs_intern_str(&t, "AS-name 12", 7);
	assert_string_equal(pre, "AS-name");
	assert_ptr_not_equal(pre, first[12]);
	assert_string_equal(fs_intern_str(&t, "x", 0), "");
	/* a long string gets a block of its own and later short ones still fit */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	const char *b = fs_intern_str(&t, big, strlen(big));
	assert_int_equal(strlen(b), sizeof big - 1);
	assert_ptr_equal(fs_intern_str(&t, big, strlen(big)), b);
	assert_string_equal(first[2999], "AS-name 2999");
	assert_true(t.bytes >= t.arena.bytes);
	assert_true(t.arena.bytes >= sizeof big);
	fs_intern_free(&t);
	assert_int_equal(t.n, 0);

	char *s1 = fs_arena_strndup(&a, "hello world", 5);
	char *s2 = fs_arena_strndup(&a, "abc", 3);
	assert_string_equal(s1, "hello");
	assert_string_equal(s2, "abc");
	assert_ptr_equal(s2, s1 + 6);      /* packed in one block */
	fs_arena_free(&a);
}

/* The hash index against a plain array under random adds and removals, with hashes chosen to
 * collide heavily (runs wrap around the table's end and removal must shift them back). */
static uint32_t
hidx_find(const struct fs_hidx *x, const uint32_t *key, uint32_t h, uint32_t want)
{
	for (uint32_t s = fs_hidx_first(x, h); s != FS_HIDX_END; s = fs_hidx_next(x, h, s))
		if (key[fs_hidx_item(x, s)] == want)
			return fs_hidx_item(x, s);
	return FS_HIDX_END;
}

static void
test_hidx(void **state)
{
	enum { N = 3000 };
	static uint32_t key[N];
	static bool in[N];
	struct fs_hidx x = { 0 };
	uint32_t seed = 12345, n = 0;
	(void)state;

	assert_int_equal(fs_hidx_first(&x, 7), FS_HIDX_END);
	for (uint32_t i = 0; i < N; i++)
		key[i] = i * 7919u;
	for (int round = 0; round < 200000; round++) {
		seed = seed * 1103515245u + 12345u;
		uint32_t i = (seed >> 8) % N;
		uint32_t h = (key[i] % 61) * 0x9e3779b1u;   /* 61 distinct hashes: long runs */
		if (in[i]) {
			assert_true(fs_hidx_del(&x, h, i));
			assert_false(fs_hidx_del(&x, h, i));
			in[i] = false;
			n--;
		} else {
			assert_int_equal(hidx_find(&x, key, h, key[i]), FS_HIDX_END);
			fs_hidx_add(&x, h, i);
			in[i] = true;
			n++;
		}
		assert_int_equal(x.n, n);
		if (round % 997 == 0)
			for (uint32_t k = 0; k < N; k++) {
				uint32_t hk = (key[k] % 61) * 0x9e3779b1u;
				assert_int_equal(hidx_find(&x, key, hk, key[k]), in[k] ? k : FS_HIDX_END);
			}
	}
	assert_true(fs_hidx_bytes(&x) >= 2 * (size_t)n * sizeof(struct fs_hidx_slot));
	fs_hidx_clear(&x);
	assert_int_equal(x.n, 0);
	assert_int_equal(hidx_find(&x, key, 0, key[0]), FS_HIDX_END);
	fs_hidx_reserve(&x, 100000);
	assert_true(x.mask + 1 >= 200000);
	fs_hidx_fini(&x);
	assert_null(x.s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vec),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_hidx),
	};
	return cmocka_run_group_tests_name("containers", tests, NULL, NULL);
}
