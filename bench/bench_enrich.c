/* bench_enrich: geo_lookup() speed over one million answer records, cold and cached.
 *
 * The records are addresses drawn with realistic repetition from a pool of distinct ones
 * (log-uniform popularity: a few addresses — CDN edges, popular resolvers — answer most
 * queries, a long tail answers once or twice, as flux agents do). 85% IPv4 (public space),
 * 15% IPv6 (inside the /16s real traffic comes from). For each database set:
 *   cold      a fresh handle over the records: every first sight is a database lookup
 *   cached    the same records again on the warm handle: hash-table hits only
 *   uncached  each distinct address once on a fresh handle: the database lookup alone
 * Times are process CPU time (other jobs on a shared machine do not count).
 *
 *   bench_enrich [-n RECORDS] [-u DISTINCT] [-s SEED] SET...
 *   SET = label=PATH[,PATH...]   MaxMind-format files or a libloc database, as with --geoip */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fluxscope/enrich.h"

static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static bool
public_v4(uint32_t a)
{
	uint8_t o1 = (uint8_t)(a >> 24), o2 = (uint8_t)(a >> 16);

	return !(o1 == 0 || o1 == 10 || o1 == 127 || o1 >= 224 || (o1 == 100 && (o2 & 0xc0) == 64) ||
	         (o1 == 169 && o2 == 254) || (o1 == 172 && (o2 & 0xf0) == 16) ||
	         (o1 == 192 && o2 == 168));
}

static void
make_pool(fs_addr *pool, uint32_t n)
{
	static const uint16_t v6_16[] = { 0x2001, 0x2400, 0x2403, 0x2600, 0x2602, 0x2604, 0x2606,
	                                  0x2607, 0x2620, 0x2800, 0x2a00, 0x2a01, 0x2a02, 0x2a03,
	                                  0x2a04, 0x2a05, 0x2c0f };

	for (uint32_t i = 0; i < n; i++) {
		fs_addr *a = &pool[i];
		memset(a, 0, sizeof *a);
		if (rnd() % 100 < 85) {
			uint32_t v;
			do
				v = (uint32_t)rnd();
			while (!public_v4(v));
			a->family = 4;
			a->bytes[0] = (uint8_t)(v >> 24);
			a->bytes[1] = (uint8_t)(v >> 16);
			a->bytes[2] = (uint8_t)(v >> 8);
			a->bytes[3] = (uint8_t)v;
		} else {
			uint16_t p = v6_16[rnd() % (sizeof v6_16 / sizeof v6_16[0])];
			uint64_t hi = rnd(), lo = rnd();
			a->family = 6;
			a->bytes[0] = (uint8_t)(p >> 8);
			a->bytes[1] = (uint8_t)p;
			for (int b = 2; b < 8; b++)
				a->bytes[b] = (uint8_t)(hi >> (8 * b));
			for (int b = 8; b < 16; b++)
				a->bytes[b] = (uint8_t)(lo >> (8 * (b - 8)));
		}
	}
}

struct set {
	const char *label;
	const char *paths[16];
	int n;
};

static void
run_set(const struct set *s, const fs_addr *pool, uint32_t n_pool, const uint32_t *recs,
        uint32_t n_recs)
{
	struct geo_config c = { .paths = s->paths, .n_paths = s->n, .no_default_search = true,
	                        .no_libloc = true };
	struct geo *g;
	struct fs_err err = { 0 };
	struct geo_cache_stats cs;
	double t0, t_cold, t_warm, t_unc;
	uint64_t found = 0, sink = 0;
	char desc[256];

	if (geo_open(&c, &g, &err) != FS_OK) {
		printf("%-14s skipped: %s\n", s->label, err.msg);
		return;
	}
	geo_describe_short(g, desc, sizeof desc);

	t0 = cpu_s();
	for (uint32_t i = 0; i < n_recs; i++) {
		const struct geo_info *gi = geo_lookup(g, &pool[recs[i]]);
		found += gi->found;
		sink += gi->asn;
	}
	t_cold = cpu_s() - t0;
	geo_cache_stats(g, &cs);

	t0 = cpu_s();
	for (uint32_t i = 0; i < n_recs; i++)
		sink += geo_lookup(g, &pool[recs[i]])->asn;
	t_warm = cpu_s() - t0;
	geo_free(g);

	if (geo_open(&c, &g, &err) != FS_OK)
		return;
	t0 = cpu_s();
	for (uint32_t i = 0; i < n_pool; i++)
		sink += geo_lookup(g, &pool[i])->asn;
	t_unc = cpu_s() - t0;
	geo_free(g);

	printf("%-14s %s\n", s->label, desc);
	printf("  cold      %8.2f M records/s  (%u records, %llu database lookups, %.1f%% found, %.3f s)\n",
	       n_recs / t_cold / 1e6, n_recs, (unsigned long long)cs.misses,
	       100.0 * (double)found / n_recs, t_cold);
	printf("  cached    %8.2f M records/s  (%.1f ns per record, %.3f s)\n", n_recs / t_warm / 1e6,
	       t_warm * 1e9 / n_recs, t_warm);
	printf("  uncached  %8.2f M lookups/s  (%.0f ns per database lookup, %u distinct)\n",
	       n_pool / t_unc / 1e6, t_unc * 1e9 / n_pool, n_pool);
	printf("  cache     %zu entries, %.1f MiB (%.0f bytes per address)\n", cs.entries,
	       (double)cs.bytes / (1 << 20), cs.entries ? (double)cs.bytes / cs.entries : 0.0);
	if (sink == 42)
		printf(" ");   /* keep the loops from being optimised away */
}

int
main(int argc, char **argv)
{
	uint32_t n_recs = 1000000, n_pool = 100000;
	uint64_t seed = 20250403;
	struct set sets[16];
	int n_sets = 0, c;
	fs_addr *pool;
	uint32_t *recs;
	uint32_t distinct = 0;
	uint8_t *seen;

	while ((c = getopt(argc, argv, "n:u:s:")) != -1) {
		switch (c) {
		case 'n': n_recs = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'u': n_pool = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: bench_enrich [-n RECORDS] [-u DISTINCT] [-s SEED] "
			                "label=PATH[,PATH...]...\n");
			return 2;
		}
	}
	for (int i = optind; i < argc && n_sets < 16; i++) {
		char *spec = strdup(argv[i]), *eq = strchr(spec, '='), *p, *save = NULL;
		struct set *s = &sets[n_sets];
		if (eq == NULL || n_pool == 0 || n_recs == 0) {
			fprintf(stderr, "bench_enrich: bad set '%s' (label=PATH[,PATH...])\n", argv[i]);
			return 2;
		}
		*eq = '\0';
		s->label = spec;
		s->n = 0;
		for (p = strtok_r(eq + 1, ",", &save); p != NULL && s->n < 16; p = strtok_r(NULL, ",", &save))
			s->paths[s->n++] = p;
		n_sets++;
	}
	rng_state = seed | 1;
	pool = calloc(n_pool, sizeof *pool);
	recs = calloc(n_recs, sizeof *recs);
	seen = calloc(n_pool, 1);
	if (pool == NULL || recs == NULL || seen == NULL)
		return 1;
	make_pool(pool, n_pool);
	for (uint32_t i = 0; i < n_recs; i++) {
		/* log-uniform over ranks: rank r drawn with density ∝ 1/r */
		double u = (double)(rnd() >> 11) / 9007199254740992.0;
		uint32_t r = (uint32_t)pow((double)n_pool, u) - 1;
		if (r >= n_pool)
			r = n_pool - 1;
		/* scatter ranks over the pool so popularity is not tied to address order */
		recs[i] = (uint32_t)(((uint64_t)r * 2654435761u) % n_pool);
		if (!seen[recs[i]]) {
			seen[recs[i]] = 1;
			distinct++;
		}
	}
	printf("%u answer records over %u distinct addresses (pool %u; 85%% IPv4, 15%% IPv6; seed %llu)\n",
	       n_recs, distinct, n_pool, (unsigned long long)seed);
	for (int i = 0; i < n_sets; i++)
		run_set(&sets[i], pool, n_pool, recs, n_recs);
	free(pool);
	free(recs);
	free(seen);
	return 0;
}
