/* Hand-built struct dns_msg values for store tests (no decoder involved). Strings are borrowed:
 * pass literals or buffers that outlive the store_add_msg() call. */
#ifndef TESTS_UNIT_STORE_MSGBUILD_H
#define TESTS_UNIT_STORE_MSGBUILD_H

#include <string.h>

#include "fluxscope/decode.h"
#include "fluxscope/fs.h"
#include "fluxscope/store.h"

#define MB_MAX_RR 256

struct mb {
	struct dns_msg m;
	struct dns_rr rr[MB_MAX_RR];
};

static inline fs_addr
mb_addr(const char *text)
{
	fs_addr a;

	if (fs_addr_parse(text, &a) != 0)
		fail_msg("bad test address %s", text);
	return a;
}

/* A response (qr=1, NOERROR) for qname/qtype at ts seconds, from 192.0.2.53 to 192.0.2.10. */
static inline struct dns_msg *
mb_resp(struct mb *b, const char *qname, uint16_t qtype, double ts_sec)
{
	memset(b, 0, sizeof *b);
	b->m.ts = (fs_time)(ts_sec * FS_USEC);
	b->m.src = mb_addr("192.0.2.53");
	b->m.dst = mb_addr("192.0.2.10");
	b->m.sport = 53;
	b->m.dport = 40000;
	b->m.transport = 17;
	b->m.qr = true;
	b->m.rd = b->m.ra = true;
	b->m.qname = qname;
	b->m.qtype = qtype;
	b->m.qclass = 1;
	b->m.qdcount = 1;
	b->m.rr = b->rr;
	return &b->m;
}

static inline struct dns_rr *
mb_rr(struct mb *b, int section, const char *owner, uint16_t type, uint32_t ttl)
{
	struct dns_rr *rr;

	if (b->m.n_rr >= MB_MAX_RR)
		fail_msg("too many records in a test message");
	rr = &b->rr[b->m.n_rr++];
	memset(rr, 0, sizeof *rr);
	rr->name = owner;
	rr->type = type;
	rr->rclass = 1;
	rr->ttl = ttl;
	rr->section = (uint8_t)section;
	switch (section) {
	case DNS_SEC_ANSWER: b->m.ancount++; break;
	case DNS_SEC_AUTHORITY: b->m.nscount++; break;
	case DNS_SEC_ADDITIONAL: b->m.arcount++; break;
	}
	return rr;
}

/* A or AAAA by the address text. */
static inline void
mb_addr_rr(struct mb *b, int section, const char *owner, const char *addr, uint32_t ttl)
{
	fs_addr a = mb_addr(addr);
	struct dns_rr *rr = mb_rr(b, section, owner, a.family == 4 ? DNS_TYPE_A : DNS_TYPE_AAAA, ttl);

	rr->addr = a;
	rr->rdlength = a.family == 4 ? 4 : 16;
}

static inline void
mb_target_rr(struct mb *b, int section, const char *owner, uint16_t type, const char *target,
             uint32_t ttl)
{
	struct dns_rr *rr = mb_rr(b, section, owner, type, ttl);

	rr->target = target;
}

#define MB_A(b, owner, addr, ttl) mb_addr_rr((b), DNS_SEC_ANSWER, (owner), (addr), (ttl))
#define MB_CNAME(b, owner, target, ttl) mb_target_rr((b), DNS_SEC_ANSWER, (owner), DNS_TYPE_CNAME, (target), (ttl))
#define MB_NS_AUTH(b, owner, target, ttl) mb_target_rr((b), DNS_SEC_AUTHORITY, (owner), DNS_TYPE_NS, (target), (ttl))
#define MB_NS_ANS(b, owner, target, ttl) mb_target_rr((b), DNS_SEC_ANSWER, (owner), DNS_TYPE_NS, (target), (ttl))
#define MB_GLUE(b, owner, addr, ttl) mb_addr_rr((b), DNS_SEC_ADDITIONAL, (owner), (addr), (ttl))

/* Address id of a text address in the store (0 if absent). */
static inline store_addr_id
mb_find_addr(const struct store *s, const char *text)
{
	fs_addr a = mb_addr(text);

	return store_addr_find(s, &a);
}

/* Whether set `id` has exactly the listed address texts (NULL-terminated). */
static inline bool
mb_set_is_addrs(const struct store *s, store_set_id id, const char *const *texts)
{
	uint32_t n, want = 0;
	const uint32_t *m = store_set_members(s, id, &n);

	for (; texts[want] != NULL; want++) {
		store_addr_id a = mb_find_addr(s, texts[want]);
		bool found = false;

		for (uint32_t i = 0; i < n; i++)
			found |= m[i] == a;
		if (a == 0 || !found)
			return false;
	}
	return want == n;
}

#endif
