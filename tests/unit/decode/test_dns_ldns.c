/* ldns as the reference for dns_parse: every DNS message of every capture in tests/data/pcaps,
 * as the decoder's own packet path extracts it (fragments reassembled, TCP streams joined),
 * is parsed by both, and they must agree on the header, the counts and every entry's owner,
 * type, class, TTL and data. ldns_wire2pkt drops a whole message at the first fault; the test
 * walks ldns_wire2rr entry by entry instead and asserts what fluxscope does at each fault
 * (expect_rejects lists every message of the test data that ldns rejects). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ctype.h>
#include <dirent.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "decode/decode_int.h"
#include "fluxscope/capture.h"

#define PCAP_DIR "tests/data/pcaps"

struct tally {
	unsigned files, messages, records, ldns_rejects, partial_agree, skipped_entries, raw_rdata;
};

struct ctx {
	struct dns_scratch sc;
	struct tally t;
	const char *file;
	long frame;
	char *big;       /* presentation buffers */
	char *big2;
};

#define BIG (1 << 20)

/* --- the ldns side ------------------------------------------------------------------------ */

/* ldns's name in fluxscope's normal form: lower case, no trailing dot, root ".". */
static void
ldns_name_norm(const ldns_rdf *rdf, char *out, size_t len)
{
	char *s = ldns_rdf2str(rdf);
	size_t n;

	assert_non_null(s);
	n = strlen(s);
	if (n > 1 && s[n - 1] == '.')
		s[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	snprintf(out, len, "%s", s);
	free(s);
}

/* RFC 3597 generic form from raw RDATA octets. */
static void
generic(const uint8_t *p, size_t n, char *out, size_t len)
{
	size_t o = (size_t)snprintf(out, len, "\\# %zu", n);
	if (n > 0)
		o += (size_t)snprintf(out + o, len - o, " ");
	for (size_t i = 0; i < n && o + 3 < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%02x", p[i]);
}

/* What the data of an ldns record should print as: its fields joined by spaces, names in
 * normal form; the generic form when ldns holds fewer fields than the type needs, or cannot
 * print one. */
static void
ldns_data_norm(const ldns_rr *rr, const uint8_t *wire, size_t rdata_off, size_t rdlength,
               char *out, size_t len)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(ldns_rr_get_type(rr));
	size_t n = ldns_rr_rd_count(rr), o = 0;

	if (n == 0 || (d != NULL && n < ldns_rr_descriptor_minimum(d))) {
		generic(wire + rdata_off, rdlength, out, len);
		return;
	}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);
		char name[1100];
		char *s = NULL;
		const char *p;
		if (ldns_rdf_get_type(f) == LDNS_RDF_TYPE_DNAME) {
			ldns_name_norm(f, name, sizeof name);
			p = name;
		} else {
			ldns_buffer *b = ldns_buffer_new(256);
			if (ldns_rdf2buffer_str(b, f) != LDNS_STATUS_OK) {
				ldns_buffer_free(b);
				generic(wire + rdata_off, rdlength, out, len);
				return;
			}
			s = ldns_buffer_export2str(b);
			ldns_buffer_free(b);
			p = s;
		}
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? " " : "", p);
		free(s);
	}
}

/* --- comparison --------------------------------------------------------------------------- */

static void
mismatch(struct ctx *c, const char *what, const char *ours, const char *theirs)
{
	print_error("%s frame %ld: %s differs: fluxscope \"%s\", ldns \"%s\"\n", c->file, c->frame,
	            what, ours, theirs);
	fail();
}

/* Independent framing: the offset after the entry at pos (its name's in-place labels up to the
 * root octet or the first pointer, then the fixed fields and RDATA), or 0 when the entry does
 * not fit the message or uses a reserved label type in place. */
static size_t
skip_entry(const uint8_t *msg, size_t len, size_t pos, bool question)
{
	for (;;) {
		if (pos >= len)
			return 0;
		uint8_t l = msg[pos];
		if (l == 0) {
			pos += 1;
			break;
		}
		if ((l & 0xc0) == 0xc0) {
			pos += 2;
			break;
		}
		if (l & 0xc0)
			return 0;
		pos += 1 + (size_t)l;
	}
	if (question)
		return pos + 4 <= len ? pos + 4 : 0;
	if (pos + 10 > len)
		return 0;
	size_t rdlen = (size_t)msg[pos + 8] << 8 | msg[pos + 9];
	return pos + 10 + rdlen <= len ? pos + 10 + rdlen : 0;
}

static void
check_message(struct ctx *c, const uint8_t *msg, uint32_t len)
{
	struct dns_msg m;
	ldns_pkt *pkt = NULL;
	ldns_status pst;
	size_t pos = LDNS_HEADER_SIZE;
	uint16_t counts[4];
	uint32_t idx = 0;
	bool ldns_failed = false;
	char a[256], b[1100];

	c->t.messages++;
	memset(&m, 0, sizeof m);
	pst = ldns_wire2pkt(&pkt, msg, len);
	if (!dns_parse(&c->sc, msg, len, &m)) {
		/* fewer than 12 octets: ldns refuses the header too */
		assert_int_equal(pst, LDNS_STATUS_WIRE_INCOMPLETE_HEADER);
		return;
	}
	assert_true(pst != LDNS_STATUS_WIRE_INCOMPLETE_HEADER);

	/* header fields, straight from the octets as ldns reads them */
	assert_int_equal(m.id, LDNS_ID_WIRE(msg));
	assert_int_equal(m.qr, LDNS_QR_WIRE(msg) != 0);
	assert_int_equal(m.opcode, LDNS_OPCODE_WIRE(msg));
	assert_int_equal(m.aa, LDNS_AA_WIRE(msg) != 0);
	assert_int_equal(m.tc, LDNS_TC_WIRE(msg) != 0);
	assert_int_equal(m.rd, LDNS_RD_WIRE(msg) != 0);
	assert_int_equal(m.ra, LDNS_RA_WIRE(msg) != 0);
	assert_int_equal(m.ad, LDNS_AD_WIRE(msg) != 0);
	assert_int_equal(m.cd, LDNS_CD_WIRE(msg) != 0);
	assert_int_equal(m.rcode & 0xf, LDNS_RCODE_WIRE(msg));
	counts[0] = LDNS_QDCOUNT(msg);
	counts[1] = LDNS_ANCOUNT(msg);
	counts[2] = LDNS_NSCOUNT(msg);
	counts[3] = LDNS_ARCOUNT(msg);
	assert_int_equal(m.qdcount, counts[0]);
	assert_int_equal(m.ancount, counts[1]);
	assert_int_equal(m.nscount, counts[2]);
	assert_int_equal(m.arcount, counts[3]);

	/* walk the records the way ldns_wire2pkt does, one ldns_wire2rr at a time */
	bool seen_opt = false;
	unsigned skipped = 0, raw = 0, entry = 0, stop_entry = 0;
	ldns_status first_err = LDNS_STATUS_OK, stop_err = LDNS_STATUS_OK;
	for (int s = 0; s < 4 && !ldns_failed; s++) {
		for (uint32_t i = 0; i < counts[s]; i++, entry++) {
			ldns_rr *rr = NULL;
			size_t start = pos;
			ldns_status st = ldns_wire2rr(&rr, msg, len, &pos, (ldns_pkt_section)s);
			if (st != LDNS_STATUS_OK) {
				if (first_err == LDNS_STATUS_OK)
					first_err = st;
				/* ldns_wire2pkt gives up on the whole message here. If the entry is
				 * framed all the same (its name's extent and RDLENGTH are in the
				 * message), fluxscope leaves it out and reads on; the walk goes on
				 * after it to check the rest. Otherwise both stop. */
				size_t next = skip_entry(msg, len, start, s == 0);
				if (next == 0) {
					ldns_failed = true;
					stop_entry = entry;
					stop_err = st;
					break;
				}
				pos = next;
				if (s != 0 && idx < m.n_rr && m.rr[idx].section == s &&
				    (size_t)m.rr[idx].rdata_off + m.rr[idx].rdlength == next) {
					/* the owner is fine and ldns fails inside the RDATA: fluxscope
					 * keeps the record, without a decoded target or address, and
					 * shows its octets in the generic form */
					const struct dns_rr *r = &m.rr[idx];
					dns_rdata_str(&m, r, c->big, BIG);
					generic(msg + r->rdata_off, r->rdlength, c->big2, BIG);
					assert_string_equal(c->big, c->big2);
					assert_null(r->target);
					assert_int_equal(r->addr.family, 0);
					c->t.raw_rdata++;
					raw++;
					idx++;
					continue;
				}
				c->t.skipped_entries++;
				skipped++;
				continue;
			}
			if (idx >= m.n_rr) {
				print_error("%s frame %ld: ldns reads record %u, fluxscope stopped at %u\n",
				            c->file, c->frame, idx, m.n_rr);
				fail();
			}
			const struct dns_rr *r = &m.rr[idx];
			assert_int_equal(r->section, s);
			ldns_name_norm(ldns_rr_owner(rr), b, sizeof b);
			if (strcmp(r->name, b) != 0)
				mismatch(c, "owner", r->name, b);
			assert_int_equal(r->type, ldns_rr_get_type(rr));
			assert_int_equal(r->rclass, ldns_rr_get_class(rr));
			if (s == 0 && i == 0)
				assert_ptr_equal(m.qname, r->name);
			if (s != 0) {
				assert_int_equal(r->ttl, ldns_rr_ttl(rr));
				/* ldns reads RDATA by field descriptors and must end where RDLENGTH says */
				assert_int_equal(pos, (size_t)r->rdata_off + r->rdlength);
				dns_rdata_str(&m, r, c->big, BIG);
				ldns_data_norm(rr, msg, r->rdata_off, r->rdlength, c->big2, BIG);
				if (strcmp(c->big, c->big2) != 0)
					mismatch(c, "data", c->big, c->big2);
				/* the decoded fields the store uses, against ldns's own fields */
				int t = r->type, fi = -1;
				if (t == DNS_TYPE_CNAME || t == DNS_TYPE_NS || t == DNS_TYPE_PTR ||
				    t == DNS_TYPE_DNAME)
					fi = 0;
				else if (t == DNS_TYPE_MX)
					fi = 1;
				else if (t == DNS_TYPE_SRV)
					fi = 3;
				if (fi >= 0 && ldns_rr_rd_count(rr) > (size_t)fi) {
					ldns_name_norm(ldns_rr_rdf(rr, (size_t)fi), b, sizeof b);
					assert_non_null(r->target);
					if (strcmp(r->target, b) != 0)
						mismatch(c, "target", r->target, b);
				}
				if ((t == DNS_TYPE_A || t == DNS_TYPE_AAAA) && ldns_rr_rd_count(rr) == 1) {
					char *s2 = ldns_rdf2str(ldns_rr_rdf(rr, 0));
					fs_addr_str(&r->addr, a, sizeof a);
					if (strcmp(a, s2) != 0)
						mismatch(c, "address", a, s2);
					free(s2);
				}
				if (t == DNS_TYPE_OPT && s == 3 && !seen_opt) {
					seen_opt = true;
					assert_int_equal(m.rcode >> 4, ldns_rr_ttl(rr) >> 24);
				}
			}
			c->t.records++;
			idx++;
			ldns_rr_free(rr);
		}
	}
	assert_int_equal(m.has_opt, seen_opt);
	if (!seen_opt)
		assert_int_equal(m.rcode >> 4, 0);

	if (first_err != LDNS_STATUS_OK) {
		/* ldns rejects the whole message; fluxscope flags it and keeps every entry that
		 * ldns could read one by one */
		c->t.ldns_rejects++;
		assert_true(pst != LDNS_STATUS_OK);
		assert_int_equal(pst == LDNS_STATUS_OK, 0);
		assert_null(pkt);
		if (!m.malformed || m.n_rr != idx) {
			print_error("%s frame %ld: ldns reads %u entries one by one, fluxscope %u "
			            "(malformed=%d)\n", c->file, c->frame, idx, m.n_rr, m.malformed);
			fail();
		}
		if (idx > 0)
			c->t.partial_agree++;
		printf("  %s frame %ld: ldns rejects the message (%s); fluxscope flags it malformed and "
		       "keeps %u entries: %u with invalid owner names left out, %u kept with raw RDATA, ",
		       c->file, c->frame, ldns_get_errorstr_by_id(first_err), idx, skipped, raw);
		if (ldns_failed)
			printf("stops at entry %u of %u (%s)\n", stop_entry,
			       (unsigned)counts[0] + counts[1] + counts[2] + counts[3],
			       ldns_get_errorstr_by_id(stop_err));
		else
			printf("reads to the end\n");
	} else {
		assert_int_equal(pst, LDNS_STATUS_OK);
		if (m.malformed || m.n_rr != idx) {
			print_error("%s frame %ld: ldns reads all %u records, fluxscope %u (malformed=%d)\n",
			            c->file, c->frame, idx, m.n_rr, m.malformed);
			fail();
		}
		ldns_pkt_free(pkt);
	}
}

/* --- capture walking: the decoder's own packet path ------------------------------------- */

/* Every DNS payload the link/IP/UDP/TCP layers extract (fragments reassembled, TCP streams
 * put together, tunnels opened), on the DNS ports, mDNS and LLMNR included. */
static void
on_payload(void *ctx, const struct dec_payload *p)
{
	struct ctx *c = ctx;

	check_message(c, p->data, p->len);
}

static void
walk_file(struct ctx *c, const char *path)
{
	struct cap_source *src;
	struct cap_frame fr;
	struct fs_err err = { 0 };
	struct dec_config cfg;
	struct decoder *d;
	enum cap_next r;

	dec_config_default(&cfg);
	assert_int_equal(dec_config_set_ports(&cfg, "53,5353,5355", &err), FS_OK);
	d = dec_new(&cfg);
	dec_set_payload_hook(d, on_payload, c);
	if (cap_open_file(path, &src, &err) != FS_OK) {
		print_error("%s\n", err.msg);
		fail();
	}
	c->frame = 0;
	while ((r = cap_source_next(src, &fr, &err)) == CAP_FRAME) {
		c->frame++;
		dec_packet(d, fr.linktype, fr.ts, fr.data, fr.caplen, fr.wirelen, 0, NULL, NULL);
	}
	c->frame = -1;   /* whatever the flush delivers has no frame of its own */
	dec_flush(d, NULL, NULL);
	cap_source_close(src);
	dec_free(d);
}

/*
 * The messages of the test captures that ldns rejects, with what fluxscope does instead.
 * Every other file must pass without a single rejection.
 *  - dpkt-truncated-dns.pcap: the frame is cut by the snap length inside the 8th record.
 *  - tcpdump-dns-udp-snaplen98.pcap: the response is cut by the snap length after its first
 *    answer; zeek-geneve-vxlan-dns-truncated.pcap: both messages are cut (the query before its
 *    OPT record, the response after its first answer). fluxscope keeps what came before.
 *  - ndpi-malformed-dns.pcap: a second question and a CNAME target longer than 255 octets
 *    (RFC 1035 §3.1); ldns drops each whole message, fluxscope leaves out the question, keeps
 *    the CNAME with its raw RDATA and the A record after it (as Wireshark shows them).
 *  - tcpdump-dns-badlabel.pcap: 336 framed entries with over-long names, then label type 01.
 */
static const struct {
	const char *file;
	unsigned rejects, left_out, raw_rdata;
} expect_rejects[] = {
	{ "dpkt-truncated-dns.pcap", 1, 0, 0 },
	{ "ndpi-malformed-dns.pcap", 4, 4, 4 },
	{ "tcpdump-dns-badlabel.pcap", 1, 336, 0 },
	{ "tcpdump-dns-udp-snaplen98.pcap", 1, 0, 0 },
	{ "zeek-geneve-vxlan-dns-truncated.pcap", 2, 0, 0 },
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_every_capture(void **state)
{
	struct ctx c;
	DIR *d;
	struct dirent *e;
	char *names[256];
	int n = 0;

	(void)state;
	memset(&c, 0, sizeof c);
	dns_scratch_init(&c.sc);
	c.big = malloc(BIG);
	c.big2 = malloc(BIG);
	d = opendir(PCAP_DIR);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL && n < 256) {
		size_t l = strlen(e->d_name);
		if ((l > 5 && strcmp(e->d_name + l - 5, ".pcap") == 0) ||
		    (l > 7 && strcmp(e->d_name + l - 7, ".pcapng") == 0))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], cmp_str);
	assert_true(n >= 38);
	for (int i = 0; i < n; i++) {
		char path[512];
		unsigned before = c.t.messages, rej = c.t.ldns_rejects, left = c.t.skipped_entries,
		         raw = c.t.raw_rdata, want_rej = 0, want_left = 0, want_raw = 0;
		snprintf(path, sizeof path, "%s/%s", PCAP_DIR, names[i]);
		c.file = names[i];
		walk_file(&c, path);
		printf("  %-48s %5u messages\n", names[i], c.t.messages - before);
		for (size_t k = 0; k < sizeof expect_rejects / sizeof expect_rejects[0]; k++) {
			if (strcmp(expect_rejects[k].file, names[i]) == 0) {
				want_rej = expect_rejects[k].rejects;
				want_left = expect_rejects[k].left_out;
				want_raw = expect_rejects[k].raw_rdata;
			}
		}
		assert_int_equal(c.t.ldns_rejects - rej, want_rej);
		assert_int_equal(c.t.skipped_entries - left, want_left);
		assert_int_equal(c.t.raw_rdata - raw, want_raw);
		c.t.files++;
		free(names[i]);
	}
	printf("ldns reference: %u files, %u messages, %u entries agree; ldns rejects %u messages "
	       "(%u of them with entries fluxscope keeps; %u framed entries left out, %u records kept "
	       "with raw RDATA)\n", c.t.files, c.t.messages, c.t.records, c.t.ldns_rejects,
	       c.t.partial_agree, c.t.skipped_entries, c.t.raw_rdata);
	assert_true(c.t.messages > 1000);
	free(c.big);
	free(c.big2);
	dns_scratch_fini(&c.sc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_capture),
	};
	return cmocka_run_group_tests_name("dns_ldns", tests, NULL, NULL);
}
