/* Benchmark seed: write a pcap of at least N DNS packets (default 1,000,000) that looks like a
 * resolver's traffic: query/response pairs from a few hundred clients over IPv4 and IPv6,
 * answers with A, AAAA, CNAME chains, NS referrals with glue, NXDOMAIN, EDNS, compression
 * pointers, and about 2% of transactions over TCP (handshake, length-prefixed messages, some
 * responses split over two segments, FIN). Deterministic (fixed seed).
 *
 * usage: gen_capture [-n PACKETS] [-o FILE]   (default build/bench/dns-1m.pcap) */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_DOMAINS 50000
#define N_CLIENTS 400

static uint64_t rs = 0x853c49e6748fea9bull;

static uint32_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs >> 11);
}

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void u8(struct buf *b, uint8_t v) { b->b[b->n++] = v; }
static void u16(struct buf *b, uint16_t v) { u8(b, (uint8_t)(v >> 8)); u8(b, (uint8_t)v); }
static void u32(struct buf *b, uint32_t v) { u16(b, (uint16_t)(v >> 16)); u16(b, (uint16_t)v); }
static void bytes(struct buf *b, const void *p, size_t n) { if (n) memcpy(b->b + b->n, p, n); b->n += n; }

/* A dotted name in wire format; returns its offset. */
static size_t
name(struct buf *b, const char *s)
{
	size_t at = b->n;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		u8(b, (uint8_t)l);
		bytes(b, s, l);
		s += l + (dot != NULL);
	}
	u8(b, 0);
	return at;
}

static void
ptr(struct buf *b, size_t off)
{
	u16(b, (uint16_t)(0xc000 | off));
}

enum kind { K_A, K_AAAA, K_CNAME, K_NS, K_NX };

struct domain {
	char name[64];
	enum kind kind;
	uint8_t n_addr;
	uint32_t ttl;
};

static struct domain *doms;

static void
make_domains(void)
{
	static const char *tld[] = { "com", "net", "org", "io", "de", "ru", "info", "xyz" };
	doms = calloc(N_DOMAINS, sizeof *doms);
	for (int i = 0; i < N_DOMAINS; i++) {
		struct domain *d = &doms[i];
		uint32_t r = rnd();
		snprintf(d->name, sizeof d->name, "%s%x.site%u.%s", (r & 1) ? "www." : "api-", rnd() & 0xfffff,
		         rnd() % 9000, tld[rnd() % 8]);
		uint32_t k = rnd() % 100;
		d->kind = k < 55 ? K_A : k < 70 ? K_AAAA : k < 85 ? K_CNAME : k < 95 ? K_NS : K_NX;
		d->n_addr = (uint8_t)(1 + (rnd() % 100 < 20 ? rnd() % 8 : 0));
		static const uint32_t ttls[] = { 30, 60, 120, 300, 600, 3600, 86400 };
		d->ttl = ttls[rnd() % 7];
	}
}

/* One DNS message (query or response) for domain d. */
static void
dns_msg(struct buf *b, uint16_t id, const struct domain *d, bool resp, uint16_t qtype, bool edns)
{
	uint16_t an = 0, ns = 0, ar = edns;
	b->n = 0;
	u16(b, id);
	u16(b, resp ? (d->kind == K_NX ? 0x8183 : 0x8180) : 0x0100);
	u16(b, 1);
	size_t counts = b->n;
	u16(b, 0);
	u16(b, 0);
	u16(b, 0);
	size_t q = name(b, d->name);
	u16(b, qtype);
	u16(b, 1);
	if (resp) {
		switch (d->kind) {
		case K_A:
		case K_AAAA:
			for (int i = 0; i < d->n_addr; i++, an++) {
				ptr(b, q);
				u16(b, qtype);
				u16(b, 1);
				u32(b, d->ttl);
				if (qtype == 1) {
					u16(b, 4);
					u32(b, 0xc6330000u | (rnd() & 0xffff));
				} else {
					u16(b, 16);
					u32(b, 0x20010db8);
					u32(b, rnd());
					u32(b, rnd());
					u32(b, rnd());
				}
			}
			break;
		case K_CNAME: {
			char tgt[64];
			snprintf(tgt, sizeof tgt, "e%u.cdn%u.net", rnd() % 5000, rnd() % 8);
			ptr(b, q);
			u16(b, 5);
			u16(b, 1);
			u32(b, d->ttl);
			size_t rdl = b->n;
			u16(b, 0);
			size_t t = name(b, tgt);
			b->b[rdl + 1] = (uint8_t)(b->n - rdl - 2);
			an++;
			for (int i = 0; i < d->n_addr; i++, an++) {
				ptr(b, t);
				u16(b, 1);
				u16(b, 1);
				u32(b, 20);
				u16(b, 4);
				u32(b, 0x17000000u | (rnd() & 0xffffff));
			}
			break;
		}
		case K_NS: {
			size_t nsn[2];
			for (int i = 0; i < 2; i++, ns++) {
				char n[80];
				snprintf(n, sizeof n, "ns%d.%s", i + 1, d->name);
				ptr(b, q);
				u16(b, 2);
				u16(b, 1);
				u32(b, 172800);
				size_t rdl = b->n;
				u16(b, 0);
				nsn[i] = name(b, n);
				b->b[rdl + 1] = (uint8_t)(b->n - rdl - 2);
			}
			for (int i = 0; i < 2; i++, ar++) {
				ptr(b, nsn[i]);
				u16(b, 1);
				u16(b, 1);
				u32(b, 172800);
				u16(b, 4);
				u32(b, 0xcb007100u | (rnd() & 0xff));
			}
			break;
		}
		case K_NX:
			/* SOA in authority */
			ptr(b, q);
			u16(b, 6);
			u16(b, 1);
			u32(b, 900);
			u16(b, 2 + 2 + 20);
			u8(b, 1);
			u8(b, 'a');
			u8(b, 0);
			u8(b, 1);
			u8(b, 'h');
			u8(b, 0);
			u32(b, 2024010101);
			u32(b, 7200);
			u32(b, 900);
			u32(b, 1209600);
			u32(b, 300);
			ns++;
			break;
		}
	}
	if (edns) {
		u8(b, 0);
		u16(b, 41);
		u16(b, 1232);
		u32(b, 0);
		u16(b, 0);
	}
	b->b[counts] = (uint8_t)(an >> 8);
	b->b[counts + 1] = (uint8_t)an;
	b->b[counts + 2] = (uint8_t)(ns >> 8);
	b->b[counts + 3] = (uint8_t)ns;
	b->b[counts + 4] = (uint8_t)(ar >> 8);
	b->b[counts + 5] = (uint8_t)ar;
}

static FILE *out;
static uint64_t n_pkts, n_msgs, n_tcp_msgs;
static uint64_t ts_us = 1700000000ull * 1000000;

struct host {
	bool v6;
	uint8_t a[16];
};

static void
put32le(uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	fwrite(b, 1, 4, out);
}

/* Ethernet + IPv4/IPv6 + UDP or TCP header around payload, written as one pcap record. */
static void
emit(const struct host *src, const struct host *dst, bool tcp, uint16_t sport, uint16_t dport,
     uint32_t seq, uint8_t flags, const uint8_t *payload, size_t plen)
{
	static struct buf f;
	size_t l4 = (tcp ? 20 : 8) + plen;

	f.n = 0;
	static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	bytes(&f, mac, 12);
	if (!src->v6) {
		u16(&f, 0x0800);
		u8(&f, 0x45);
		u8(&f, 0);
		u16(&f, (uint16_t)(20 + l4));
		u16(&f, (uint16_t)rnd());
		u16(&f, 0x4000);
		u8(&f, 64);
		u8(&f, tcp ? 6 : 17);
		u16(&f, 0);
		bytes(&f, src->a, 4);
		bytes(&f, dst->a, 4);
	} else {
		u16(&f, 0x86dd);
		u32(&f, 0x60000000);
		u16(&f, (uint16_t)l4);
		u8(&f, tcp ? 6 : 17);
		u8(&f, 64);
		bytes(&f, src->a, 16);
		bytes(&f, dst->a, 16);
	}
	u16(&f, sport);
	u16(&f, dport);
	if (tcp) {
		u32(&f, seq);
		u32(&f, 0);
		u8(&f, 0x50);
		u8(&f, flags);
		u16(&f, 65535);
		u16(&f, 0);
		u16(&f, 0);
	} else {
		u16(&f, (uint16_t)l4);
		u16(&f, 0);
	}
	bytes(&f, payload, plen);
	ts_us += 20 + rnd() % 60;
	put32le((uint32_t)(ts_us / 1000000));
	put32le((uint32_t)(ts_us % 1000000));
	put32le((uint32_t)f.n);
	put32le((uint32_t)f.n);
	fwrite(f.b, 1, f.n, out);
	n_pkts++;
}

#define SYN 0x02
#define ACK 0x10
#define PSH 0x08
#define FIN 0x01

static void
tcp_transaction(const struct host *c, const struct host *s, uint16_t port, const struct buf *q,
                const struct buf *r)
{
	uint32_t cs = rnd(), ss = rnd();
	uint8_t pl[4200];

	emit(c, s, true, port, 53, cs, SYN, NULL, 0);
	emit(s, c, true, 53, port, ss, SYN | ACK, NULL, 0);
	emit(c, s, true, port, 53, cs + 1, ACK, NULL, 0);
	pl[0] = (uint8_t)(q->n >> 8);
	pl[1] = (uint8_t)q->n;
	memcpy(pl + 2, q->b, q->n);
	emit(c, s, true, port, 53, cs + 1, PSH | ACK, pl, q->n + 2);
	pl[0] = (uint8_t)(r->n >> 8);
	pl[1] = (uint8_t)r->n;
	memcpy(pl + 2, r->b, r->n);
	if (rnd() & 1) {                  /* the response split over two segments */
		size_t cut = 1 + rnd() % (r->n + 1);
		emit(s, c, true, 53, port, ss + 1, ACK, pl, cut);
		emit(s, c, true, 53, port, ss + 1 + (uint32_t)cut, PSH | ACK, pl + cut, r->n + 2 - cut);
	} else {
		emit(s, c, true, 53, port, ss + 1, PSH | ACK, pl, r->n + 2);
	}
	emit(c, s, true, port, 53, cs + 1 + (uint32_t)q->n + 2, FIN | ACK, NULL, 0);
	emit(s, c, true, 53, port, ss + 1 + (uint32_t)r->n + 2, FIN | ACK, NULL, 0);
	n_msgs += 2;
	n_tcp_msgs += 2;
}

int
main(int argc, char **argv)
{
	uint64_t want = 1000000;
	const char *path = "build/bench/dns-1m.pcap";
	int c;

	while ((c = getopt(argc, argv, "n:o:")) != -1) {
		if (c == 'n')
			want = strtoull(optarg, NULL, 10);
		else if (c == 'o')
			path = optarg;
		else {
			fprintf(stderr, "usage: gen_capture [-n PACKETS] [-o FILE]\n");
			return 2;
		}
	}
	out = fopen(path, "wb");
	if (out == NULL) {
		perror(path);
		return 1;
	}
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	put32le(0xa1b2c3d4);
	put32le(0x00040002);
	put32le(0);
	put32le(0);
	put32le(65535);
	put32le(1);

	make_domains();
	struct host clients[N_CLIENTS], res4 = { false, { 10, 0, 0, 53 } }, res6 = { true, { 0 } };
	static const uint8_t r6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x53 };
	memcpy(res6.a, r6, 16);
	for (int i = 0; i < N_CLIENTS; i++) {
		clients[i].v6 = i % 10 == 0;
		memset(clients[i].a, 0, 16);
		if (clients[i].v6) {
			memcpy(clients[i].a, r6, 16);
			clients[i].a[14] = (uint8_t)(i >> 8);
			clients[i].a[15] = (uint8_t)i;
		} else {
			clients[i].a[0] = 10;
			clients[i].a[1] = 1;
			clients[i].a[2] = (uint8_t)(i >> 8);
			clients[i].a[3] = (uint8_t)i;
		}
	}
	static struct buf q, r;
	while (n_pkts < want) {
		/* Popular names are asked more often (a rough Zipf by squaring). */
		uint32_t x = rnd() % 1000;
		const struct domain *d = &doms[(x * x * (N_DOMAINS / 1000)) / 1000 % N_DOMAINS];
		const struct host *cl = &clients[rnd() % N_CLIENTS];
		const struct host *sv = cl->v6 ? &res6 : &res4;
		uint16_t qtype = d->kind == K_AAAA ? 28 : d->kind == K_NS ? 2 : 1;
		uint16_t id = (uint16_t)rnd();
		bool edns = rnd() % 100 < 40;
		uint16_t port = (uint16_t)(1024 + rnd() % 60000);
		dns_msg(&q, id, d, false, qtype, edns);
		dns_msg(&r, id, d, true, qtype, edns);
		if (rnd() % 100 < 2) {
			tcp_transaction(cl, sv, port, &q, &r);
		} else {
			emit(cl, sv, false, port, 53, 0, 0, q.b, q.n);
			emit(sv, cl, false, 53, port, 0, 0, r.b, r.n);
			n_msgs += 2;
		}
	}
	if (fclose(out) != 0) {
		perror(path);
		return 1;
	}
	printf("wrote %s: %llu packets, %llu DNS messages (%llu over TCP)\n", path,
	       (unsigned long long)n_pkts, (unsigned long long)n_msgs, (unsigned long long)n_tcp_msgs);
	return 0;
}
