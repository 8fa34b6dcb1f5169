/* Benchmark seed for the live soak (scripts/bench.sh): a pcap of DNS responses whose capture
 * time spans SECONDS (default one hour) at RATE responses per second, shaped like a busy
 * resolver's day for the store: popular names asked again and again (Zipf-like, stable
 * answers), a long tail of names seen once (random labels: the churn that makes an unbounded
 * store grow), CDN-style names rotating inside one /24, and 20 fast-flux names answering four
 * fresh addresses from all over the address space with a 60 s TTL (what must survive ageing).
 * Written to a file or to standard output ("-"), so a long soak needs no disk. Deterministic.
 *
 * usage: gen_soak [-s SECONDS] [-r RATE] [-o FILE|-] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_POPULAR 20000
#define N_CDN 200
#define N_FLUX 20

static uint64_t rs = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs >> 11);
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

struct buf {
	uint8_t b[2048];
	size_t n;
};

static void u8(struct buf *b, uint8_t v) { b->b[b->n++] = v; }
static void u16(struct buf *b, uint16_t v) { u8(b, (uint8_t)(v >> 8)); u8(b, (uint8_t)v); }
static void u32(struct buf *b, uint32_t v) { u16(b, (uint16_t)(v >> 16)); u16(b, (uint16_t)v); }
static void le32(struct buf *b, uint32_t v) { u8(b, (uint8_t)v); u8(b, (uint8_t)(v >> 8)); u8(b, (uint8_t)(v >> 16)); u8(b, (uint8_t)(v >> 24)); }

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

/* A public-looking unicast IPv4 address (first octet 1..223, not 10/127/172.16/192.168). */
static uint32_t
public_addr(uint32_t h)
{
	uint32_t a = 1 + h % 223;
	if (a == 10 || a == 127 || a == 172 || a == 192)
		a++;
	return a << 24 | (hash32(h) & 0xffffff);
}

int
main(int argc, char **argv)
{
	double seconds = 3600, rate = 500;
	const char *out = "-";
	int c;

	while ((c = getopt(argc, argv, "s:r:o:")) != -1) {
		switch (c) {
		case 's': seconds = atof(optarg); break;
		case 'r': rate = atof(optarg); break;
		case 'o': out = optarg; break;
		default:
			fprintf(stderr, "usage: gen_soak [-s SECONDS] [-r RATE] [-o FILE|-]\n");
			return 2;
		}
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
	u8(&h, 2); u8(&h, 0); u8(&h, 4); u8(&h, 0);   /* version 2.4, little-endian */
	le32(&h, 0);
	le32(&h, 0);
	le32(&h, 65535);
	le32(&h, 1);                                   /* Ethernet */
	fwrite(h.b, 1, h.n, f);

	uint64_t n = (uint64_t)(seconds * rate);
	int64_t t0 = 1800000000LL * 1000000, step = (int64_t)(1e6 / rate);
	uint32_t churn = 0;
	for (uint64_t i = 0; i < n; i++) {
		char qn[128];
		uint32_t addrs[4], ttl;
		int na;
		uint32_t kind = rnd() % 100;

		if (kind < 60) {               /* popular: skewed towards the first names */
			double u = (double)(rnd() % 1000000) / 1e6;
			uint32_t k = (uint32_t)(N_POPULAR * u * u * u);
			snprintf(qn, sizeof qn, "www%u.popular%u.example", k, k % 97);
			na = 1 + (hash32(k) % 10 == 0);
			addrs[0] = public_addr(hash32(k * 2 + 1));
			addrs[1] = public_addr(hash32(k * 2 + 2));
			ttl = 300;
		} else if (kind < 90) {        /* seen once */
			churn++;
			snprintf(qn, sizeof qn, "q%08x.churn%u.example", hash32(churn), churn % 53);
			na = 1;
			addrs[0] = public_addr(hash32(churn) ^ 0x5bd1e995);
			ttl = 60;
		} else if (kind < 98) {        /* CDN: rotating inside one /24 per name */
			uint32_t k = rnd() % N_CDN;
			snprintf(qn, sizeof qn, "img%u.cdnbench.example", k);
			uint32_t net = public_addr(hash32(k + 77777)) & 0xffffff00u;
			na = 2;
			addrs[0] = net | (1 + rnd() % 8);
			addrs[1] = net | (9 + rnd() % 8);
			ttl = 20;
		} else {                       /* fast flux: fresh addresses anywhere */
			uint32_t k = rnd() % N_FLUX;
			snprintf(qn, sizeof qn, "login%u.fluxbench%u.example", k, k);
			na = 4;
			for (int a = 0; a < 4; a++)
				addrs[a] = public_addr(rnd());
			ttl = 60;
		}

		struct buf p = { .n = 0 };
		/* Ethernet, IPv4, UDP headers; lengths patched below */
		static const uint8_t eth[14] = { 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 8, 0 };
		memcpy(p.b, eth, 14);
		p.n = 14;
		size_t ip = p.n;
		u8(&p, 0x45); u8(&p, 0); u16(&p, 0); u16(&p, (uint16_t)i); u16(&p, 0);
		u8(&p, 64); u8(&p, 17); u16(&p, 0);
		u32(&p, 0x0a000035);                       /* resolver 10.0.0.53 */
		u32(&p, 0x0a010000 | (i % 4000));          /* clients 10.1.x.x */
		size_t udp = p.n;
		u16(&p, 53); u16(&p, (uint16_t)(1024 + i % 60000)); u16(&p, 0); u16(&p, 0);
		size_t dns = p.n;
		u16(&p, (uint16_t)rnd()); u16(&p, 0x8180); u16(&p, 1); u16(&p, (uint16_t)na);
		u16(&p, 0); u16(&p, 0);
		name(&p, qn);
		u16(&p, 1); u16(&p, 1);
		for (int a = 0; a < na; a++) {
			u16(&p, 0xc00c); u16(&p, 1); u16(&p, 1); u32(&p, ttl); u16(&p, 4); u32(&p, addrs[a]);
		}
		size_t dlen = p.n - dns;
		p.b[udp + 4] = (uint8_t)((8 + dlen) >> 8);
		p.b[udp + 5] = (uint8_t)(8 + dlen);
		p.b[ip + 2] = (uint8_t)((20 + 8 + dlen) >> 8);
		p.b[ip + 3] = (uint8_t)(20 + 8 + dlen);

		int64_t ts = t0 + (int64_t)i * step + (int64_t)(rnd() % (uint32_t)(step > 1 ? step : 1));
		struct buf r = { .n = 0 };
		le32(&r, (uint32_t)(ts / 1000000));
		le32(&r, (uint32_t)(ts % 1000000));
		le32(&r, (uint32_t)p.n);
		le32(&r, (uint32_t)p.n);
		fwrite(r.b, 1, r.n, f);
		fwrite(p.b, 1, p.n, f);
	}
	if (fflush(f) != 0) {
		perror(out);
		return 1;
	}
	if (f != stdout)
		fclose(f);
	fprintf(stderr, "gen_soak: %llu responses over %.0f s (%u names seen once, %d flux names)\n",
	        (unsigned long long)n, seconds, churn, N_FLUX);
	return 0;
}
