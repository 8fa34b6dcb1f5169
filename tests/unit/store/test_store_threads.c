/* One writer, two readers, the store's lock: readers always see a consistent store (every
 * domain's addresses index back to it), the generation only moves forward, and pinned domains
 * survive store_expire() runs made by the writer while readers come and go. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fluxscope/store.h"
#include "unit/store/msgbuild.h"

#define N_MSGS 30000
#define BATCH 1000

struct shared {
	struct store *s;
	atomic_bool done;
	atomic_uint_fast64_t reads;
	atomic_bool bad;
};

static void *
reader(void *arg)
{
	struct shared *sh = arg;
	uint64_t last_gen = 0;

	while (!atomic_load(&sh->done)) {
		uint64_t g = store_generation(sh->s);

		if (g < last_gen)
			atomic_store(&sh->bad, true);
		last_gen = g;
		store_read_lock(sh->s);
		for (store_dom_id id = 1; id <= store_domain_count(sh->s); id++) {
			const struct store_domain *d = store_domain(sh->s, id);

			if (d == NULL)
				continue;
			for (uint32_t i = 0; i < d->ext->n_addrs; i++) {
				const struct store_addr *a = store_addr(sh->s, d->ext->addrs[i].addr);
				bool found = false;

				if (a == NULL) {
					atomic_store(&sh->bad, true);
					continue;
				}
				for (uint32_t k = 0; k < a->n_domains && !found; k++)
					found = a->domains[k] == id;
				if (!found)
					atomic_store(&sh->bad, true);
			}
			if (d->n_resp > 0 && store_set_size(sh->s, d->resp[d->n_resp - 1].aset) == 0)
				atomic_store(&sh->bad, true);
		}
		store_read_unlock(sh->s);
		atomic_fetch_add(&sh->reads, 1);
		sched_yield();
	}
	return NULL;
}

static void
test_writer_and_readers(void **state)
{
	struct shared sh = { .s = store_new(NULL) };
	pthread_t rd[2];
	static char names[2000][32];
	struct mb b;
	store_dom_id pinned;

	(void)state;
	atomic_init(&sh.done, false);
	atomic_init(&sh.reads, 0);
	atomic_init(&sh.bad, false);
	for (int i = 0; i < 2000; i++)
		snprintf(names[i], sizeof names[i], "t%d.threads.example", i);
	store_write_lock(sh.s);
	mb_resp(&b, "pinned.threads.example", DNS_TYPE_A, 0);
	MB_A(&b, "pinned.threads.example", "192.0.2.1", 60);
	store_add_msg(sh.s, &b.m);
	pinned = store_domain_find(sh.s, "pinned.threads.example");
	store_domain_set_flags(sh.s, pinned, 1);
	store_write_unlock(sh.s);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&rd[i], NULL, reader, &sh), 0);

	for (int i = 0; i < N_MSGS; i += BATCH) {
		store_write_lock(sh.s);
		for (int j = i; j < i + BATCH; j++) {
			char addr[32];

			snprintf(addr, sizeof addr, "10.3.%d.%d", (j / 7) % 200, j % 7);
			/* the second half of the names goes idle halfway through */
			const char *name = names[j < N_MSGS / 2 ? j % 2000 : j % 1000];

			mb_resp(&b, name, DNS_TYPE_A, 1 + j);
			MB_A(&b, name, addr, 60);
			store_add_msg(sh.s, &b.m);
		}
		if (i % 5000 == 0 && i > 0)
			store_expire(sh.s, (fs_time)(i - 2000) * FS_USEC, 0);
		store_write_unlock(sh.s);
	}
	atomic_store(&sh.done, true);
	for (int i = 0; i < 2; i++)
		pthread_join(rd[i], NULL);
	assert_false(atomic_load(&sh.bad));
	assert_true(atomic_load(&sh.reads) > 0);
	assert_true(store_epoch(sh.s) > 0);
	assert_non_null(store_domain(sh.s, pinned));
	assert_int_equal(store_domain(sh.s, pinned)->n_resp, 1);
	assert_int_equal(store_domain_count(sh.s), 2001);
	assert_null(store_domain(sh.s, store_domain_find(sh.s, names[1999])));
	assert_non_null(store_domain(sh.s, store_domain_find(sh.s, names[999])));
	store_free(sh.s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_and_readers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
