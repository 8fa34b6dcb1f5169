/* bench_export: the export indicator set's index. Adds N domains and N/4 addresses (every
 * value twice, so half the adds merge into an indicator already there), then looks each
 * domain up once present and once absent (export_set_has_name). Best of R runs, process CPU
 * time per operation.
 *
 *   bench_export [-n DOMAINS] [-r RUNS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "export/export_int.h"

static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	int n = 500000, runs = 3, c;
	double best_add = 1e9, best_hit = 1e9, best_miss = 1e9;
	char name[64];
	size_t count = 0;

	while ((c = getopt(argc, argv, "n:r:")) != -1) {
		if (c == 'n')
			n = atoi(optarg);
		else if (c == 'r')
			runs = atoi(optarg);
		else {
			fprintf(stderr, "usage: bench_export [-n DOMAINS] [-r RUNS]\n");
			return 2;
		}
	}
	for (int r = 0; r < runs; r++) {
		struct export_set *s = export_set_new(NULL, NULL);
		double t0 = cpu_s();
		for (int pass = 0; pass < 2; pass++) {
			for (int i = 0; i < n; i++) {
				snprintf(name, sizeof name, "h%d.flux%d.example", i, i % 977);
				export_set_add_domain(s, name, false, 0.5 + pass * 0.1, "single-flux", "bench");
			}
			for (int i = 0; i < n / 4; i++) {
				snprintf(name, sizeof name, "%d.%d.%d.%d", 10 + (i >> 24 & 0x7f), i >> 16 & 0xff,
				         i >> 8 & 0xff, i & 0xff);
				export_set_add_addr(s, EXPORT_ADDR, name, 0.5, "single-flux", "bench", NULL);
			}
		}
		double t1 = cpu_s();
		size_t found = 0;
		for (int i = 0; i < n; i++) {
			snprintf(name, sizeof name, "h%d.flux%d.example", i, i % 977);
			found += export_set_has_name(s, EXPORT_DOMAIN, name);
		}
		double t2 = cpu_s();
		for (int i = 0; i < n; i++) {
			snprintf(name, sizeof name, "m%d.flux%d.example", i, i % 977);
			found += export_set_has_name(s, EXPORT_DOMAIN, name);
		}
		double t3 = cpu_s();
		if (found != (size_t)n) {
			fprintf(stderr, "bench_export: %zu of %d names found\n", found, n);
			return 1;
		}
		count = export_set_count(s);
		export_set_free(s);
		if (t1 - t0 < best_add) best_add = t1 - t0;
		if (t2 - t1 < best_hit) best_hit = t2 - t1;
		if (t3 - t2 < best_miss) best_miss = t3 - t2;
	}
	double adds = 2.0 * (n + n / 4);
	printf("%zu indicators from %.0f adds (half merged), best of %d runs, CPU time\n", count, adds, runs);
	printf("export_set_add            %8.1f ns/add\n", best_add * 1e9 / adds);
	printf("export_set_has_name hit   %8.1f ns/lookup\n", best_hit * 1e9 / n);
	printf("export_set_has_name miss  %8.1f ns/lookup\n", best_miss * 1e9 / n);
	return 0;
}
