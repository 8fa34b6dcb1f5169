/* gen_subdomains: a pcap of a random-subdomain flood as a resolver sees it: N responses, each
 * for a name asked once (a random 12-character label under one of a few victim zones),
 * NXDOMAIN with the zone's SOA in the authority section, from one resolver to a few thousand
 * clients, spread evenly over DURATION seconds of capture time from START. What makes an
 * unbounded store grow without end (issue 16: --max-memory must hold for --export too), and,
 * merged by time with a labelled capture (-r both), the churn that forces ageing runs while
 * the flux names are there. Deterministic (fixed seed; -S changes it). Written to a file or to
 * standard output ("-"), about 100 bytes a response, a million in well under a second.
 *
 * usage: gen_subdomains [-n RESPONSES] [-s START_EPOCH] [-d DURATION_S] [-z ZONES] [-S SEED]
 *                       [-o FILE|-] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rs = 0x2545f4914f6cdd1dull;

static uint32_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs >> 11);
}

struct buf {
	uint8_t b[1024];
	size_t n;
};

static void u8(struct buf *b, uint8_t v) { b->b[b->n++] = v; }
static void u16(struct buf *b, uint16_t v) { u8(b, (uint8_t)(v >> 8)); u8(b, (uint8_t)v); }
static void u32(struct buf *b, uint32_t v) { u16(b, (uint16_t)(v >> 16)); u16(b, (uint16_t)v); }
static void le32(struct buf *b, uint32_t v)
{
	u8(b, (uint8_t)v); u8(b, (uint8_t)(v >> 8)); u8(b, (uint8_t)(v >> 16)); u8(b, (uint8_t)(v >> 24));
}

static void
name(struct buf *b, const char *s)
{
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		u8(b, (uint8_t)l);
		memcpy(b->b + b->n, s, l);
		b->n += l;
		s += l + (dot != NULL);
	}
	u8(b, 0);
}

int
main(int argc, char **argv)
{
	unsigned long long n = 1000000;
	double start = 1800000000.0, duration = 3600;
	unsigned zones = 8;
	const char *out = "-";
	int c;

	while ((c = getopt(argc, argv, "n:s:d:z:S:o:")) != -1) {
		switch (c) {
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 's': start = atof(optarg); break;
		case 'd': duration = atof(optarg); break;
		case 'z': zones = (unsigned)atoi(optarg); break;
		case 'S': rs ^= strtoull(optarg, NULL, 10) * 0x9e3779b97f4a7c15ull; break;
		case 'o': out = optarg; break;
		default:
			fprintf(stderr, "usage: gen_subdomains [-n RESPONSES] [-s START_EPOCH] [-d DURATION_S] "
			        "[-z ZONES] [-S SEED] [-o FILE|-]\n");
			return 2;
		}
	}
	if (zones == 0 || duration <= 0 || rs == 0) {
		fprintf(stderr, "gen_subdomains: -z and -d must be positive\n");
		return 2;
	}
	FILE *f = strcmp(out, "-") == 0 ? stdout : fopen(out, "wb");
	if (f == NULL) {
		perror(out);
		return 1;
	}
	static char iobuf[1 << 20];
	setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
	struct buf h = { .n = 0 };
	le32(&h, 0xa1b2c3d4);
	u8(&h, 2); u8(&h, 0); u8(&h, 4); u8(&h, 0);   /* version 2.4 */
	le32(&h, 0);
	le32(&h, 0);
	le32(&h, 65535);
	le32(&h, 1);                                   /* Ethernet */
	fwrite(h.b, 1, h.n, f);

	int64_t t0 = (int64_t)(start * 1e6), span = (int64_t)(duration * 1e6);
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	for (unsigned long long i = 0; i < n; i++) {
		char zone[64], qn[128], label[13];
		unsigned z = rnd() % zones;

		for (int k = 0; k < 12; k++)
			label[k] = alnum[rnd() % 36];
		label[12] = '\0';
		snprintf(zone, sizeof zone, "victim%u.example", z);
		snprintf(qn, sizeof qn, "%s.%s", label, zone);

		struct buf p = { .n = 0 };
		static const uint8_t eth[14] = { 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 8, 0 };
		memcpy(p.b, eth, 14);
		p.n = 14;
		size_t ip = p.n;
		u8(&p, 0x45); u8(&p, 0); u16(&p, 0); u16(&p, (uint16_t)i); u16(&p, 0);
		u8(&p, 64); u8(&p, 17); u16(&p, 0);
		u32(&p, 0x0a000035);                       /* resolver 10.0.0.53 */
		u32(&p, 0x0a020000 | (uint32_t)(i % 3000)); /* clients 10.2.x.x */
		size_t udp = p.n;
		u16(&p, 53); u16(&p, (uint16_t)(1024 + i % 60000)); u16(&p, 0); u16(&p, 0);
		size_t dns = p.n;
		u16(&p, (uint16_t)rnd()); u16(&p, 0x8183); u16(&p, 1); u16(&p, 0);   /* NXDOMAIN */
		u16(&p, 1); u16(&p, 0);
		name(&p, qn);
		u16(&p, 1); u16(&p, 1);
		/* authority: the zone's SOA (owner = the zone, a pointer into the question) */
		u16(&p, (uint16_t)(0xc000 | (12 + 13)));
		u16(&p, 6); u16(&p, 1); u32(&p, 900);
		size_t rdlen = p.n;
		u16(&p, 0);
		u8(&p, 3); memcpy(p.b + p.n, "ns1", 3); p.n += 3; u16(&p, (uint16_t)(0xc000 | (12 + 13)));
		u8(&p, 10); memcpy(p.b + p.n, "hostmaster", 10); p.n += 10; u16(&p, (uint16_t)(0xc000 | (12 + 13)));
		u32(&p, 2026111801); u32(&p, 7200); u32(&p, 900); u32(&p, 1209600); u32(&p, 900);
		size_t rl = p.n - rdlen - 2;
		p.b[rdlen] = (uint8_t)(rl >> 8);
		p.b[rdlen + 1] = (uint8_t)rl;
		size_t dlen = p.n - dns;
		p.b[udp + 4] = (uint8_t)((8 + dlen) >> 8);
		p.b[udp + 5] = (uint8_t)(8 + dlen);
		p.b[ip + 2] = (uint8_t)((20 + 8 + dlen) >> 8);
		p.b[ip + 3] = (uint8_t)(20 + 8 + dlen);

		int64_t ts = t0 + (int64_t)((double)span * (double)i / (double)n);
		struct buf r = { .n = 0 };
		le32(&r, (uint32_t)(ts / 1000000));
		le32(&r, (uint32_t)(ts % 1000000));
		le32(&r, (uint32_t)p.n);
		le32(&r, (uint32_t)p.n);
		fwrite(r.b, 1, r.n, f);
		fwrite(p.b, 1, p.n, f);
	}
	if (fflush(f) != 0 || (f != stdout && fclose(f) != 0)) {
		perror(out);
		return 1;
	}
	fprintf(stderr, "gen_subdomains: %llu NXDOMAIN responses for names asked once, under %u zones, "
	        "over %.0f s\n", n, zones, duration);
	return 0;
}
