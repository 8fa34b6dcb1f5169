/* bench_store: nanoseconds per DNS response ingested into the store, and memory per domain.
 *
 * Messages are generated in memory (a resolver's client side: Zipf-popular names, CNAMEs into
 * CDNs, NXDOMAINs, flux domains rotating their answers, NS and glue in some responses) so the
 * figure is the store's own cost. The generator runs once alone and once feeding the store;
 * the difference is the ingest cost.
 *
 *   bench_store [-n MESSAGES] [-d DOMAINS] [-u UNIQUE_DOMAINS] [-r CAPTURE]...
 * -n/-d: the mixed workload (default 1000000 responses over 200000 names);
 * -u: a second run with that many distinct names seen once each (default 1000000), the
 *     worst case for memory per domain (the TUI's one-million-domain case);
 * -r: also a real capture, read and decoded twice through the ingest driver, once without
 *     and once with the store: the difference per DNS message is the store's cost.
 * Times are CPU time of this process, so other jobs on the machine count less. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fluxscope/ingest.h"
#include "fluxscope/store.h"

struct gen {
	uint32_t n_domains;
	char *names;          /* n_domains × 3 names of NAME_LEN: qname, zone, cdn target */
	uint64_t rng;
	uint32_t seq;
	struct dns_msg m;
	struct dns_rr rr[16];
	char ns_names[2000][32];
	fs_addr resolver, clients[64];
};

#define NAME_LEN 40

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: other jobs on the machine do not count */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
rnd(struct gen *g)
{
	/* xorshift64*: fast and good enough for a workload */
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 0x2545f4914f6cdd1dULL;
}

static uint32_t
hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	x ^= x >> 16;
	return x;
}

static const char *
name_of(const struct gen *g, uint32_t d, int which)
{
	return g->names + ((size_t)d * 3 + (size_t)which) * NAME_LEN;
}

static void
gen_init(struct gen *g, uint32_t n_domains, uint64_t seed)
{
	memset(g, 0, sizeof *g);
	g->n_domains = n_domains;
	g->rng = seed;
	g->names = malloc((size_t)n_domains * 3 * NAME_LEN);
	if (g->names == NULL) {
		fprintf(stderr, "bench_store: out of memory\n");
		exit(1);
	}
	for (uint32_t d = 0; d < n_domains; d++) {
		char *p = g->names + (size_t)d * 3 * NAME_LEN;

		snprintf(p, NAME_LEN, "www.d%u.bench.test", d);
		snprintf(p + NAME_LEN, NAME_LEN, "d%u.bench.test", d);
		snprintf(p + 2 * NAME_LEN, NAME_LEN, "e%u.cdn%u.edge.test", hash32(d) % 5000, d % 7);
	}
	for (int i = 0; i < 2000; i++)
		snprintf(g->ns_names[i], sizeof g->ns_names[i], "ns%d.host%d.test", i % 2, i / 2);
	fs_addr_parse("192.0.2.53", &g->resolver);
	for (int i = 0; i < 64; i++) {
		char buf[32];

		snprintf(buf, sizeof buf, "10.9.0.%d", i + 1);
		fs_addr_parse(buf, &g->clients[i]);
	}
}

static struct dns_rr *
add_rr(struct gen *g, uint8_t section, const char *owner, uint16_t type, uint32_t ttl)
{
	struct dns_rr *rr = &g->rr[g->m.n_rr++];

	memset(rr, 0, sizeof *rr);
	rr->name = owner;
	rr->type = type;
	rr->rclass = 1;
	rr->ttl = ttl;
	rr->section = section;
	return rr;
}

static void
set_v4(fs_addr *a, uint32_t v)
{
	memset(a, 0, sizeof *a);
	a->family = 4;
	a->bytes[0] = (uint8_t)(v >> 24);
	a->bytes[1] = (uint8_t)(v >> 16);
	a->bytes[2] = (uint8_t)(v >> 8);
	a->bytes[3] = (uint8_t)v;
}

/* One response of the mixed workload. */
static const struct dns_msg *
gen_next(struct gen *g)
{
	uint32_t d, h, kind, ttl;
	double u = (double)(rnd(g) >> 11) / 9007199254740992.0;
	const char *q, *owner;

	/* Zipf(1) by inverse transform: rank = N^u */
	d = (uint32_t)pow((double)g->n_domains, u) - 1;
	if (d >= g->n_domains)
		d = g->n_domains - 1;
	h = hash32(d);
	kind = h % 100;
	g->seq++;
	memset(&g->m, 0, sizeof g->m);
	g->m.ts = 1700000000LL * FS_USEC + (fs_time)g->seq * 1000; /* 1000 responses/s */
	g->m.src = g->resolver;
	g->m.dst = g->clients[h % 64];
	g->m.sport = 53;
	g->m.dport = 30000;
	g->m.transport = 17;
	g->m.qr = g->m.rd = g->m.ra = true;
	g->m.qtype = DNS_TYPE_A;
	g->m.qclass = 1;
	g->m.rr = g->rr;
	q = name_of(g, d, 0);
	g->m.qname = q;
	owner = q;
	ttl = 300 - (g->seq % 300); /* a cache counting down */

	if (kind < 8) {                          /* NXDOMAIN */
		g->m.rcode = 3;
		add_rr(g, DNS_SEC_AUTHORITY, "bench.test", DNS_TYPE_SOA, 900);
		return &g->m;
	}
	if (kind < 33) {                         /* CNAME into a CDN, two rotating edge addresses */
		struct dns_rr *c = add_rr(g, DNS_SEC_ANSWER, q, DNS_TYPE_CNAME, 3600);

		owner = name_of(g, d, 2);
		c->target = owner;
		for (int i = 0; i < 2; i++)
			set_v4(&add_rr(g, DNS_SEC_ANSWER, owner, DNS_TYPE_A, 20)->addr,
			    0x17000000u + (hash32(d) % 5000) * 16 + (uint32_t)((g->seq + (uint32_t)i) % 8));
	} else if (kind < 36) {                  /* flux: 5 of 500 addresses, new set each time */
		for (int i = 0; i < 5; i++)
			set_v4(&add_rr(g, DNS_SEC_ANSWER, q, DNS_TYPE_A, 120)->addr,
			    0x2d000000u + (h % 64) * 1024 + (uint32_t)(rnd(g) % 500));
	} else {                                 /* stable: one or two addresses */
		int n = 1 + (int)(h >> 8) % 2;

		for (int i = 0; i < n; i++)
			set_v4(&add_rr(g, DNS_SEC_ANSWER, q, DNS_TYPE_A, ttl)->addr,
			    0x0a000000u + d * 2 + (uint32_t)i);
	}
	if ((h >> 12) % 100 < 15) {              /* authority NS, glue for one in three */
		const char *zone = name_of(g, d, 1);
		uint32_t host = (h >> 4) % 1000;

		if (kind == 35)                      /* double flux: NS hosts rotate */
			host = (uint32_t)(rnd(g) % 1000);
		for (int i = 0; i < 2; i++)
			add_rr(g, DNS_SEC_AUTHORITY, zone, DNS_TYPE_NS, 86400)->target =
			    g->ns_names[host * 2 + (uint32_t)i];
		if ((h >> 20) % 3 == 0)
			for (int i = 0; i < 2; i++)
				set_v4(&add_rr(g, DNS_SEC_ADDITIONAL, g->ns_names[host * 2 + (uint32_t)i],
				    DNS_TYPE_A, 86400)->addr, 0xc6336400u + host * 2 + (uint32_t)i);
	}
	(void)owner;
	return &g->m;
}

/* One response for distinct name i (the memory worst case). */
static const struct dns_msg *
gen_unique(struct gen *g, uint32_t i, char *name)
{
	snprintf(name, NAME_LEN, "u%u.once.test", i);
	memset(&g->m, 0, sizeof g->m);
	g->m.ts = 1700000000LL * FS_USEC + (fs_time)i * 1000;
	g->m.src = g->resolver;
	g->m.dst = g->clients[i % 64];
	g->m.transport = 17;
	g->m.qr = true;
	g->m.qtype = DNS_TYPE_A;
	g->m.qname = name;
	g->m.rr = g->rr;
	set_v4(&add_rr(g, DNS_SEC_ANSWER, name, DNS_TYPE_A, 300)->addr, 0x0b000000u + i);
	return &g->m;
}

static long
rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size, res = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld %ld", &size, &res) != 2)
		res = 0;
	fclose(f);
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static volatile uint64_t sink;

static void
count_msg(void *ctx, const struct dns_msg *m)
{
	(void)ctx;
	sink += m->n_rr;
}

static void
store_msg(void *ctx, const struct dns_msg *m)
{
	store_add_msg(ctx, m);
}

/* Read a capture through the ingest driver; returns CPU seconds, messages in *n. */
static double
run_capture(const char *path, ingest_msg_fn fn, void *ctx, uint64_t *n)
{
	struct fs_err err;
	struct ingest *in = ingest_new(NULL, fn, ctx);
	struct ingest_progress p;
	double t0;

	if (ingest_add_file(in, path, &err) != FS_OK) {
		fprintf(stderr, "bench_store: %s\n", err.msg);
		exit(1);
	}
	t0 = now_s();
	(void)ingest_run(in, &err);
	t0 = now_s() - t0;
	ingest_progress(in, &p);
	*n = p.messages;
	ingest_free(in);
	return t0;
}

static void
bench_capture(const char *path)
{
	uint64_t n0, n1;
	double t_bare, t_store;
	struct store *s = store_new(NULL);
	struct store_stats st;
	long rss0, rss1;

	(void)run_capture(path, count_msg, NULL, &n0); /* warm the page cache */
	t_bare = run_capture(path, count_msg, NULL, &n0);
	rss0 = rss_kb();
	t_store = run_capture(path, store_msg, s, &n1);
	rss1 = rss_kb();
	store_get_stats(s, &st);
	printf("store capture %s: %llu DNS messages; read+decode %.1f ns/msg, +store %.1f ns/msg (store %.1f ns/msg, %.2fx the decode path)\n",
	    path, (unsigned long long)n1, t_bare * 1e9 / (double)n0, t_store * 1e9 / (double)n1,
	    (t_store - t_bare) * 1e9 / (double)n1, (t_store - t_bare) / t_bare);
	{
		uint64_t rrsets = 0, daddrs = 0, resp = 0;

		for (store_dom_id id = 1; id <= store_domain_count(s); id++) {
			const struct store_domain *d = store_domain(s, id);
			if (d != NULL) {
				rrsets += d->ext->n_rrsets;
				daddrs += d->ext->n_addrs;
				resp += d->n_resp;
			}
		}
		printf("store capture %s: %llu responses (%.1f records each), %zu domains, %llu timeline entries, %llu RRsets, %llu domain addresses, %zu addresses, %zu NS names, %llu glue records, %llu referrals\n",
		    path, (unsigned long long)st.responses, (double)st.records / (double)(st.responses ? st.responses : 1),
		    st.domains, (unsigned long long)resp, (unsigned long long)rrsets,
		    (unsigned long long)daddrs, st.addrs, st.nsnames,
		    (unsigned long long)st.glue_records, (unsigned long long)st.referrals);
	}
	printf("store capture %s: store bytes %.1f MB = %.0f B/domain, %.0f B/response; RSS +%.1f MB\n",
	    path, st.bytes / 1048576.0, st.domains ? (double)st.bytes / (double)st.domains : 0.0,
	    (double)st.bytes / (double)(st.responses ? st.responses : 1), (rss1 - rss0) / 1024.0);
	/* what the report does before detection */
	double t0 = now_s();
	size_t back = store_pack(s);
	double t1 = now_s();
	long rss2 = rss_kb();
	store_get_stats(s, &st);
	printf("store capture %s: after store_pack (%.1f ms, %.1f MB given back): store bytes %.1f MB = %.0f B/domain; RSS +%.1f MB\n",
	    path, (t1 - t0) * 1e3, back / 1048576.0, st.bytes / 1048576.0,
	    st.domains ? (double)st.bytes / (double)st.domains : 0.0, (rss2 - rss0) / 1024.0);
	store_free(s);
}

int
main(int argc, char **argv)
{
	uint32_t n = 1000000, nd = 200000, nu = 1000000;
	struct gen *g = malloc(sizeof *g);
	struct store *s;
	struct store_stats st;
	double t0, t_gen, t_all, t_exp;
	long rss0, rss1;
	char name[NAME_LEN];
	const char *caps[16];
	int c, n_caps = 0;

	while ((c = getopt(argc, argv, "n:d:u:r:")) != -1) {
		switch (c) {
		case 'n': n = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'd': nd = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'u': nu = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'r':
			if (n_caps < 16)
				caps[n_caps++] = optarg;
			break;
		default:
			fprintf(stderr, "usage: bench_store [-n MESSAGES] [-d DOMAINS] [-u UNIQUE] [-r CAPTURE]...\n");
			return 2;
		}
	}
	for (int i = 0; i < n_caps; i++)
		bench_capture(caps[i]);
	if (g == NULL || nd == 0)
		return 2;
	if (n == 0)
		goto unique;

	/* generator alone */
	gen_init(g, nd, 42);
	t0 = now_s();
	for (uint32_t i = 0; i < n; i++)
		sink += gen_next(g)->n_rr;
	t_gen = now_s() - t0;
	free(g->names);

	/* generator + store */
	gen_init(g, nd, 42);
	rss0 = rss_kb();
	s = store_new(NULL);
	t0 = now_s();
	store_write_lock(s);
	for (uint32_t i = 0; i < n; i++)
		store_add_msg(s, gen_next(g));
	store_write_unlock(s);
	t_all = now_s() - t0;
	rss1 = rss_kb();
	store_get_stats(s, &st);
	printf("store mixed: %u responses over %u names: %.1f ns/msg ingest (%.2f M msg/s; generator %.1f ns/msg subtracted)\n",
	    n, nd, (t_all - t_gen) * 1e9 / n, n / (t_all - t_gen) / 1e6, t_gen * 1e9 / n);
	printf("store mixed: %zu domains, %zu addresses, %zu NS names, %zu sets; store bytes %.1f MB = %.0f B/domain; RSS +%.1f MB = %.0f B/domain\n",
	    st.domains, st.addrs, st.nsnames, st.sets, st.bytes / 1048576.0,
	    (double)st.bytes / (double)st.domains, (rss1 - rss0) / 1024.0,
	    (rss1 - rss0) * 1024.0 / (double)st.domains);
	t0 = now_s();
	store_expire(s, 1700000000LL * FS_USEC + (fs_time)n * 500, 0);
	t_exp = now_s() - t0;
	store_get_stats(s, &st);
	printf("store mixed: store_expire of the older half: %.1f ms, %zu domains left, %.1f MB\n",
	    t_exp * 1e3, st.domains, st.bytes / 1048576.0);
	store_free(s);
	free(g->names);

unique:
	if (nu > 0) {
		gen_init(g, 1, 7);
		t0 = now_s();
		for (uint32_t i = 0; i < nu; i++)
			sink += gen_unique(g, i, name)->n_rr;
		t_gen = now_s() - t0;
		rss0 = rss_kb();
		s = store_new(NULL);
		t0 = now_s();
		for (uint32_t i = 0; i < nu; i++)
			store_add_msg(s, gen_unique(g, i, name));
		t_all = now_s() - t0;
		rss1 = rss_kb();
		store_get_stats(s, &st);
		printf("store unique: %u names seen once: %.1f ns/msg; store bytes %.1f MB = %.0f B/domain; RSS +%.1f MB = %.0f B/domain\n",
		    nu, (t_all - t_gen) * 1e9 / nu, st.bytes / 1048576.0,
		    (double)st.bytes / (double)st.domains, (rss1 - rss0) / 1024.0,
		    (rss1 - rss0) * 1024.0 / (double)st.domains);
		store_free(s);
		free(g->names);
	}
	free(g);
	return 0;
}
