/* The domain-list view model: sorting, filtering, flagged/grouped toggles, subsets (pivots),
 * search, cursor movement and keeping the cursor across snapshots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "ui/dlist.h"

/* The visible names joined by spaces. */
static const char *
names(const struct dlist *l)
{
	static char buf[1024];
	buf[0] = '\0';
	for (uint32_t i = 0; i < l->n; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, dlist_row(l, i)->name);
	}
	return buf;
}

static void
test_sort_columns(void **state)
{
	struct snap *s = fx_snap(0);
	struct dlist l;
	(void)state;

	dlist_init(&l, s);
	assert_int_equal(l.n, FX_N);
	assert_string_equal(names(&l), "evil-flux.example.net ns-rotate.badzone.ru odd.example.net "
	                               "www.cdn-site.com pool.ntp.org mail.example.net a.b.c.benign.org");
	dlist_set_sort(&l, SNAP_COL_DOMAIN, false);
	assert_string_equal(names(&l), "a.b.c.benign.org evil-flux.example.net mail.example.net "
	                               "ns-rotate.badzone.ru odd.example.net pool.ntp.org www.cdn-site.com");
	dlist_set_sort(&l, SNAP_COL_DOMAIN, true);
	assert_string_equal(dlist_row(&l, 0)->name, "www.cdn-site.com");
	/* ties (ttl 300) break by name, ascending, in both directions */
	dlist_set_sort(&l, SNAP_COL_TTL, false);
	assert_string_equal(names(&l), "www.cdn-site.com evil-flux.example.net pool.ntp.org "
	                               "ns-rotate.badzone.ru odd.example.net mail.example.net a.b.c.benign.org");
	dlist_set_sort(&l, SNAP_COL_TTL, true);
	assert_string_equal(names(&l), "a.b.c.benign.org mail.example.net ns-rotate.badzone.ru "
	                               "odd.example.net pool.ntp.org evil-flux.example.net www.cdn-site.com");
	dlist_set_sort(&l, SNAP_COL_VERDICT, true);
	assert_string_equal(dlist_row(&l, 0)->name, "ns-rotate.badzone.ru");
	assert_string_equal(dlist_row(&l, 1)->name, "evil-flux.example.net");
	dlist_set_sort(&l, SNAP_COL_LAST_SEEN, true);
	assert_string_equal(dlist_row(&l, 0)->name, "ns-rotate.badzone.ru");
	dlist_set_sort(&l, SNAP_COL_ASNS, true);
	assert_string_equal(dlist_row(&l, 0)->name, "pool.ntp.org");
	dlist_set_sort(&l, SNAP_COL_HOLZ, false); /* negative values sort below positive */
	assert_string_equal(dlist_row(&l, 0)->name, "a.b.c.benign.org");
	/* orders are cached per column and direction */
	assert_ptr_equal(snap_order(&s->dom, SNAP_COL_TTL, true), snap_order(&s->dom, SNAP_COL_TTL, true));
	dlist_fini(&l);
	snap_free(s);
}

static bool
score_at_least(void *ctx, const struct snap *s, const struct snap_row *r, bool grouped)
{
	(void)grouped;
	(void)s;
	return r->score >= *(float *)ctx;
}

static void
test_filters_and_toggles(void **state)
{
	struct snap *s = fx_snap(0);
	struct dlist l;
	float min = 50;
	uint32_t ids[] = { 5, 1, 99 };
	(void)state;

	dlist_init(&l, s);
	l.flagged_only = true;
	dlist_refresh(&l);
	assert_string_equal(names(&l), "evil-flux.example.net ns-rotate.badzone.ru odd.example.net");
	l.flagged_only = false;
	l.pred = score_at_least;
	l.pred_ctx = &min;
	min = 80;
	dlist_refresh(&l);
	assert_string_equal(names(&l), "evil-flux.example.net ns-rotate.badzone.ru");
	l.pred = NULL;
	dlist_set_subset(&l, ids, 3); /* unknown ids are ignored */
	assert_string_equal(names(&l), "evil-flux.example.net mail.example.net");
	dlist_set_subset(&l, NULL, 0); /* a pivot with no domains is empty, not everything */
	assert_int_equal(l.n, 0);
	assert_null(dlist_current(&l));
	dlist_clear_subset(&l);
	assert_int_equal(l.n, FX_N);
	dlist_set_grouped(&l, true);
	assert_string_equal(names(&l), "example.net badzone.ru cdn-site.com ntp.org benign.org");
	{
		const struct snap_row *g = dlist_row(&l, 0);
		assert_int_equal(g->n_members, 3);
		assert_int_equal(g->verdict, DET_SINGLE_FLUX);
		assert_int_equal(g->n_responses, 48);
		assert_int_equal(g->ttl_min, 120);
		assert_true(g->score > 92 && g->score < 93);
		/* members in row order */
		assert_string_equal(s->dom.rows[s->grp_members[g->group]].name, "evil-flux.example.net");
		assert_string_equal(s->dom.rows[s->grp_members[g->group + 2]].name, "odd.example.net");
	}
	l.flagged_only = true;
	dlist_refresh(&l);
	assert_string_equal(names(&l), "example.net badzone.ru");
	/* a grouped pivot shows the groups of its members */
	l.flagged_only = false;
	dlist_set_subset(&l, ids, 2);
	assert_string_equal(names(&l), "example.net");
	dlist_fini(&l);
	snap_free(s);
}

static void
test_search(void **state)
{
	struct snap *s = fx_snap(0);
	struct dlist l;
	(void)state;

	dlist_init(&l, s); /* by score: evil ns-rotate odd www pool mail a.b.c */
	assert_int_equal(dlist_search(&l, "example", 0, true), 0);
	assert_int_equal(dlist_search(&l, "example", 1, true), 2);
	assert_int_equal(dlist_search(&l, "EXAMPLE.NET", 3, true), 5);
	assert_int_equal(dlist_search(&l, "example", 6, true), 0); /* wraps */
	assert_int_equal(dlist_search(&l, "example", 4, false), 2);
	assert_int_equal(dlist_search(&l, "example", 0, false), 0);
	assert_int_equal(dlist_search(&l, "zzz", 0, true), -1);
	assert_int_equal(dlist_search(&l, "", 3, true), 3);
	assert_int_equal(dlist_find_id(&l, 7), 6);
	assert_int_equal(dlist_find_id(&l, 70), -1);
	dlist_fini(&l);
	snap_free(s);
}

static void
test_movement(void **state)
{
	struct snap *s = fx_snap(0);
	struct dlist l;
	(void)state;

	dlist_init(&l, s);
	dlist_set_height(&l, 3);
	dlist_move(&l, 1);
	assert_int_equal(l.cursor, 1);
	assert_int_equal(l.top, 0);
	dlist_move(&l, 3);
	assert_int_equal(l.cursor, 4);
	assert_int_equal(l.top, 2);
	dlist_move(&l, 100);
	assert_int_equal(l.cursor, 6);
	assert_int_equal(l.top, 4);
	dlist_move(&l, -100);
	assert_int_equal(l.cursor, 0);
	assert_int_equal(l.top, 0);
	dlist_scroll(&l, 2); /* the wheel moves the view; the cursor stays inside */
	assert_int_equal(l.top, 2);
	assert_int_equal(l.cursor, 2);
	dlist_scroll(&l, 100);
	assert_int_equal(l.top, 4);
	dlist_set_height(&l, 50);
	assert_int_equal(l.top, 0);
	dlist_fini(&l);
	snap_free(s);
}

static void
test_new_snapshot_keeps_cursor(void **state)
{
	struct snap *s1 = fx_snap(0), *s2 = fx_snap(95); /* mail.example.net jumps to the top */
	struct dlist l;
	(void)state;

	dlist_init(&l, s1);
	dlist_goto(&l, 5);
	assert_string_equal(dlist_current(&l)->name, "mail.example.net");
	dlist_set_snap(&l, s2);
	assert_string_equal(dlist_current(&l)->name, "mail.example.net");
	assert_int_equal(l.cursor, 0);
	/* grouped lists follow the group by name */
	dlist_set_grouped(&l, true);
	dlist_goto(&l, (uint32_t)dlist_search(&l, "ntp.org", 0, true));
	dlist_set_snap(&l, s1);
	assert_string_equal(dlist_current(&l)->name, "ntp.org");
	dlist_fini(&l);
	snap_free(s1);
	snap_free(s2);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void
test_radix_sort_matches_qsort(void **state)
{
	size_t n = 100000;
	uint64_t *k = malloc(n * sizeof *k), *ref = malloc(n * sizeof *ref);
	uint32_t *idx = malloc(n * sizeof *idx);
	uint64_t x = 88172645463325252ull;
	(void)state;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		/* few distinct high bytes, like real keys */
		k[i] = (i % 3 == 0) ? x : (x & 0xffff) << 32 | (x >> 40);
		ref[i] = k[i];
		idx[i] = (uint32_t)i;
	}
	uint64_t *orig = malloc(n * sizeof *orig);
	memcpy(orig, k, n * sizeof *k);
	snap_radix_sort(k, idx, n);
	qsort(ref, n, sizeof *ref, cmp_u64);
	assert_memory_equal(k, ref, n * sizeof *k);
	for (size_t i = 0; i < n; i++)
		assert_true(orig[idx[i]] == k[i]);
	/* the packed form sorts the same keys (high half) stably */
	{
		uint64_t *kv = malloc(n * sizeof *kv);
		for (size_t i = 0; i < n; i++)
			kv[i] = (uint64_t)(uint32_t)(orig[i] >> 17) << 32 | (uint32_t)i;
		snap_radix_sort_packed(kv, n);
		for (size_t i = 1; i < n; i++) {
			assert_true(kv[i - 1] >> 32 <= kv[i] >> 32);
			if (kv[i - 1] >> 32 == kv[i] >> 32)
				assert_true((uint32_t)kv[i - 1] < (uint32_t)kv[i]);
		}
		free(kv);
	}
	/* stable: equal keys keep their input order */
	uint64_t eq[6] = { 5, 1, 5, 1, 5, 0 };
	uint32_t ei[6] = { 0, 1, 2, 3, 4, 5 };
	snap_radix_sort(eq, ei, 6);
	assert_int_equal(ei[0], 5);
	assert_int_equal(ei[1], 1);
	assert_int_equal(ei[2], 3);
	assert_int_equal(ei[3], 0);
	assert_int_equal(ei[5], 4);
	free(k); free(ref); free(idx); free(orig);
}

/* Orders made by a sort and orders derived from the other direction agree, ties in name order. */
static void
test_orders_both_ways(void **state)
{
	uint32_t n = 5000;
	struct snap *a = snap_new(n), *b = snap_new(n);
	char *names = malloc((size_t)n * 16);
	uint64_t x = 12345;
	(void)state;

	for (uint32_t i = 0; i < n; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		snprintf(names + (size_t)i * 16, 16, "n%07u.x", (uint32_t)(x % 9000000));
		for (int k = 0; k < 2; k++) {
			struct snap_row *r = &(k ? b : a)->dom.rows[i];
			r->id = i + 1;
			r->name = names + (size_t)i * 16;
			r->n_addrs = (uint32_t)(x >> 20) % 7;      /* many ties */
			r->score = (float)((x >> 30) % 1000) / 10;
		}
	}
	snap_finish(a, NULL);
	snap_finish(b, NULL);
	for (int c = 0; c < SNAP_COL_COUNT; c++) {
		const uint32_t *made = snap_order(&a->dom, (enum snap_col)c, true);
		snap_order(&b->dom, (enum snap_col)c, false);
		const uint32_t *derived = snap_order(&b->dom, (enum snap_col)c, true);
		assert_memory_equal(made, derived, n * sizeof *made);
		/* sorted, and ties by name */
		for (uint32_t i = 1; i < n; i++) {
			uint32_t p = made[i - 1], q = made[i];
			assert_true(a->dom.key[c][p] >= a->dom.key[c][q]);
			if (c != SNAP_COL_DOMAIN && a->dom.key[c][p] == a->dom.key[c][q])
				assert_true(strcmp(a->dom.rows[p].name, a->dom.rows[q].name) <= 0);
		}
	}
	snap_free(a);
	snap_free(b);
	free(names);
}

static void
test_match_names_pool(void **state)
{
	const char *names[] = { "www.example.com", "", "mail.example.net", "example", "xample.org",
	                        "a.b", "ex", "zz.example.com" };
	const char *needles[] = { "example", "ex", "x", "com", "a.b", "e.c", "zz", "nomatch", "m" };
	uint32_t n = (uint32_t)(sizeof names / sizeof names[0]);
	struct snap *s = snap_new(n);
	char pool[256];
	size_t off = 0;
	(void)state;

	for (uint32_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]) + 1;
		memcpy(pool + off, names[i], len);
		s->dom.rows[i].id = i + 1;
		s->dom.rows[i].name = pool + off;
		off += len;
	}
	s->dom.names = pool;
	s->dom.names_len = off;
	snap_finish(s, NULL);
	/* the pool scan agrees with strstr on every row, for every needle */
	for (size_t k = 0; k < sizeof needles / sizeof needles[0]; k++) {
		uint32_t cnt, want = 0;
		uint64_t *bits = snap_match_names(&s->dom, needles[k], &cnt);
		for (uint32_t i = 0; i < n; i++) {
			bool m = strstr(names[i], needles[k]) != NULL;
			want += m;
			assert_int_equal(SNAP_BIT(bits, i), m);
		}
		assert_int_equal(cnt, want);
		free(bits);
	}
	snap_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_columns),
		cmocka_unit_test(test_filters_and_toggles),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_movement),
		cmocka_unit_test(test_new_snapshot_keeps_cursor),
		cmocka_unit_test(test_radix_sort_matches_qsort),
		cmocka_unit_test(test_match_names_pool),
		cmocka_unit_test(test_orders_both_ways),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
