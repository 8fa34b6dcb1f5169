/* Capture files: every real capture opens with its known frame count; the own pcapng reader
 * agrees with libpcap frame for frame; pcapng files mixing link types (written here) keep each
 * frame's link type through the libpcap fallback; truncation at every byte offset yields what
 * came before and says so; garbage, missing files and pipes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <unistd.h>

#include "capture/cap_int.h"
#include "fluxscope/ingest.h"
#include "unit/decode/pktbuild.h"
#include "unit/tmpdir.h"

#define PCAPS "tests/data/pcaps/"

static uint8_t *
read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(*n + 1);
	assert_int_equal(fread(b, 1, *n, f), *n);
	fclose(f);
	return b;
}

/* ---- a small pcapng writer ---- */

struct ngw {
	uint8_t b[1 << 16];
	size_t len;
	bool be;
	size_t blk;             /* start of the open block */
	size_t ends[256];       /* end offset of every block */
	bool is_pkt[256];
	int nblk;
};

static void
w8(struct ngw *w, uint8_t v)
{
	w->b[w->len++] = v;
}

static void
w16(struct ngw *w, uint16_t v)
{
	if (w->be) {
		w8(w, (uint8_t)(v >> 8));
		w8(w, (uint8_t)v);
	} else {
		w8(w, (uint8_t)v);
		w8(w, (uint8_t)(v >> 8));
	}
}

static void
w32(struct ngw *w, uint32_t v)
{
	if (w->be) {
		w16(w, (uint16_t)(v >> 16));
		w16(w, (uint16_t)v);
	} else {
		w16(w, (uint16_t)v);
		w16(w, (uint16_t)(v >> 16));
	}
}

static void
blk_open(struct ngw *w, uint32_t type)
{
	w->blk = w->len;
	w32(w, type);
	w32(w, 0);      /* length, patched */
}

static void
blk_close(struct ngw *w, bool pkt)
{
	while (w->len % 4)
		w8(w, 0);
	uint32_t total = (uint32_t)(w->len + 4 - w->blk);
	w32(w, total);
	size_t save = w->len;
	w->len = w->blk + 4;
	w32(w, total);
	w->len = save;
	w->ends[w->nblk] = w->len;
	w->is_pkt[w->nblk++] = pkt;
}

static void
ng_shb(struct ngw *w)
{
	blk_open(w, 0x0A0D0D0A);
	w32(w, 0x1A2B3C4D);
	w16(w, 1);
	w16(w, 0);
	w32(w, 0xffffffff);
	w32(w, 0xffffffff);
	blk_close(w, false);
}

/* tsresol < 0: no option */
static void
ng_idb(struct ngw *w, uint16_t lt, int tsresol, int64_t tsoffset)
{
	blk_open(w, 1);
	w16(w, lt);
	w16(w, 0);
	w32(w, 65535);
	if (tsresol >= 0) {
		w16(w, 9);
		w16(w, 1);
		w8(w, (uint8_t)tsresol);
		w8(w, 0);
		w8(w, 0);
		w8(w, 0);
	}
	if (tsoffset != 0) {
		w16(w, 14);
		w16(w, 8);
		if (w->be) {
			w32(w, (uint32_t)((uint64_t)tsoffset >> 32));
			w32(w, (uint32_t)tsoffset);
		} else {
			w32(w, (uint32_t)tsoffset);
			w32(w, (uint32_t)((uint64_t)tsoffset >> 32));
		}
	}
	w16(w, 0);
	w16(w, 0);
	blk_close(w, false);
}

static void
ng_epb(struct ngw *w, uint32_t ifid, uint64_t ts, const uint8_t *data, uint32_t len)
{
	blk_open(w, 6);
	w32(w, ifid);
	w32(w, (uint32_t)(ts >> 32));
	w32(w, (uint32_t)ts);
	w32(w, len);
	w32(w, len);
	memcpy(w->b + w->len, data, len);
	w->len += len;
	blk_close(w, true);
}

static void
ng_other(struct ngw *w, uint32_t type, size_t body)
{
	blk_open(w, type);
	for (size_t i = 0; i < body; i++)
		w8(w, (uint8_t)i);
	blk_close(w, false);
}

/* A DNS query with the given id over IPv4/UDP, framed for the link type. */
static size_t
frame_for(int lt, uint16_t id, uint8_t *out)
{
	static struct pb p;
	uint8_t q[128];
	size_t qn = dns_query(q, id, "mixed.example");

	pb_reset(&p);
	switch (lt) {
	case 1:
		pb_eth(&p, 0x0800);
		break;
	case 113:
		pb_u16(&p, 0);
		pb_u16(&p, 1);
		pb_u16(&p, 6);
		pb_zero(&p, 8);
		pb_u16(&p, 0x0800);
		break;
	case 0:
		pb_u32le(&p, 2);
		break;
	default:
		break;
	}
	pb_ip4(&p, "10.1.1.1", "10.1.1.2", 17, (uint16_t)(8 + qn), id, 0);
	pb_udp(&p, 33333, 53, (uint16_t)qn);
	pb_bytes(&p, q, qn);
	memcpy(out, p.b, p.len);
	return p.len;
}

static const int mixed_lt[4] = { 1, 101, 113, 0 };

/* Four interfaces of four link types; 12 packets cycling over them. If late_idb, the second
 * and later interfaces are described only after three packets (libpcap fails mid-file). */
static void
build_mixed(struct ngw *w, bool late_idb, bool be)
{
	uint8_t fr[256];

	memset(w, 0, sizeof *w);
	w->be = be;
	ng_shb(w);
	ng_idb(w, 1, -1, 0);
	if (late_idb) {
		for (uint16_t i = 1; i <= 3; i++)
			ng_epb(w, 0, (uint64_t)i * 1000000, fr, (uint32_t)frame_for(1, i, fr));
	}
	ng_idb(w, 101, -1, 0);
	ng_idb(w, 113, 9, 0);            /* nanoseconds */
	ng_idb(w, 0, 0x80 | 10, 100);    /* 2^-10 s, offset +100 s */
	ng_other(w, 4, 12);              /* name resolution block: skipped */
	for (uint16_t i = late_idb ? 4 : 1; i <= 12; i++) {
		uint32_t ifc = (uint32_t)(i % 4);
		uint64_t ts = ifc == 2 ? (uint64_t)i * 1000000000ull + 123456789 :
		              ifc == 3 ? (uint64_t)i * 1024 + 512 : (uint64_t)i * 1000000 + 7;
		ng_epb(w, ifc, ts, fr, (uint32_t)frame_for(mixed_lt[ifc], i, fr));
		if (i == 6)
			ng_other(w, 5, 20);      /* interface statistics: skipped */
	}
}

static fs_time
expect_ts(uint16_t i, uint32_t ifc)
{
	switch (ifc) {
	case 2:
		return (fs_time)i * FS_USEC + 123456;
	case 3:
		return (fs_time)(i + 100) * FS_USEC + 500000;
	default:
		return (fs_time)i * FS_USEC + 7;
	}
}

static int
count_frames(const char *path, struct fs_err *err, fs_status *last, struct cap_stats *cs)
{
	struct cap_source *s;
	struct cap_frame f;
	int n = 0;

	*last = cap_open_file(path, &s, err);
	if (*last != FS_OK)
		return -1;
	for (;;) {
		enum cap_next r = cap_source_next(s, &f, err);
		if (r == CAP_FRAME) {
			n++;
			continue;
		}
		*last = r == CAP_EOF ? FS_OK : err->status;
		break;
	}
	cap_source_stats(s, cs);
	cap_source_close(s);
	return n;
}

/* ---- tests ---- */

/* Every capture in SOURCES.md opens and yields its "pkts" count. */
static void
test_real_frame_counts(void **state)
{
	size_t n;
	char *md = (char *)read_file(PCAPS "SOURCES.md", &n);
	int files = 0;
	(void)state;

	md[n] = '\0';
	for (char *line = strtok(md, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		char name[128], path[256];
		long pkts = -1;
		if (strncmp(line, "| `", 3) != 0 || sscanf(line, "| `%127[^`]`", name) != 1)
			continue;
		/* columns: file | origin | license | format | pkts | ... */
		char *c = line;
		for (int k = 0; k < 4 && c != NULL; k++)
			c = strchr(c + 1, '|');
		if (c == NULL)
			continue;
		pkts = strtol(c + 1, NULL, 10);
		snprintf(path, sizeof path, PCAPS "%s", name);
		struct fs_err err = { 0 };
		fs_status st;
		struct cap_stats cs;
		int got = count_frames(path, &err, &st, &cs);
		if (st != FS_OK || got != pkts)
			fail_msg("%s: %d frames (%s), SOURCES.md says %ld", name, got, err.msg, pkts);
		assert_false(cs.truncated);
		assert_int_equal(cs.bytes_read, cs.bytes_total);
		files++;
	}
	free(md);
	assert_true(files >= 38);
}

/* The own pcapng reader and libpcap agree on every frame of the real pcapng files. */
static void
test_own_reader_agrees_with_libpcap(void **state)
{
	static const char *files[] = { "ndpi-alexa-app.pcapng", "ndpi-tls-heur-trojan-sll.pcapng" };
	(void)state;

	for (size_t k = 0; k < 2; k++) {
		char path[256], errbuf[PCAP_ERRBUF_SIZE];
		snprintf(path, sizeof path, PCAPS "%s", files[k]);
		pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
		assert_non_null(p);
		int fd = open(path, O_RDONLY);
		assert_true(fd >= 0);
		struct ng_reader *r = ng_open(fd, true, NULL, 0, NULL);
		struct pcap_pkthdr *h;
		const u_char *data;
		struct cap_frame f;
		const char *msg;
		bool trunc;
		int n = 0;
		while (pcap_next_ex(p, &h, &data) == 1) {
			assert_int_equal(ng_next(r, &f, &msg, &trunc), CAP_FRAME);
			assert_int_equal(f.linktype, pcap_datalink(p));
			assert_int_equal(f.ts, (fs_time)h->ts.tv_sec * FS_USEC + h->ts.tv_usec);
			assert_int_equal(f.caplen, h->caplen);
			assert_int_equal(f.wirelen, h->len);
			assert_memory_equal(f.data, data, h->caplen);
			n++;
		}
		assert_int_equal(ng_next(r, &f, &msg, &trunc), CAP_EOF);
		assert_true(n > 0);
		pcap_close(p);
		ng_close(r);
	}
}

static void
check_mixed(const char *path, bool late)
{
	struct cap_source *s;
	struct cap_frame f;
	struct fs_err err = { 0 };

	assert_int_equal(cap_open_file(path, &s, &err), FS_OK);
	for (uint16_t i = 1; i <= 12; i++) {
		assert_int_equal(cap_source_next(s, &f, &err), CAP_FRAME);
		uint32_t ifc = i % 4;
		if (late && i <= 3) {
			assert_int_equal(f.linktype, 1);
			assert_int_equal(f.ts, (fs_time)i * FS_USEC);
		} else {
			assert_int_equal(f.linktype, mixed_lt[ifc]);
			assert_int_equal(f.ts, expect_ts(i, ifc));
		}
			uint8_t fr[256];
		size_t n = frame_for(f.linktype, i, fr);
		assert_int_equal(f.caplen, n);
		assert_memory_equal(f.data, fr, n);
	}
	assert_int_equal(cap_source_next(s, &f, &err), CAP_EOF);
	cap_source_close(s);

	/* Through the decoder: one query per frame, ids 1..12 in order, none twice. */
	struct ingest *in = ingest_new(NULL, NULL, NULL);
	assert_int_equal(ingest_add_file(in, path, &err), FS_OK);
	assert_int_equal(ingest_run(in, &err), FS_OK);
	struct dec_stats st;
	ingest_dec_stats(in, &st);
	assert_int_equal(st.packets, 12);
	assert_int_equal(st.dns_messages, 12);
	assert_int_equal(st.skipped[DEC_SKIP_LINKTYPE], 0);
	ingest_free(in);
}

static void
test_mixed_linktypes(void **state)
{
	static struct ngw w;
	(void)state;

	/* All interfaces up front (libpcap refuses before the first packet). */
	build_mixed(&w, false, false);
	write_file(tmp("mixed.pcapng"), w.b, w.len);
	check_mixed(tmp("mixed.pcapng"), false);
	/* A new interface after three packets (libpcap refuses mid-file: the own reader takes
	 * over without repeating or losing a frame). */
	build_mixed(&w, true, false);
	write_file(tmp("mixed-late.pcapng"), w.b, w.len);
	check_mixed(tmp("mixed-late.pcapng"), true);
	/* Big-endian section. */
	build_mixed(&w, true, true);
	write_file(tmp("mixed-be.pcapng"), w.b, w.len);
	check_mixed(tmp("mixed-be.pcapng"), true);
}

/* A second section redefines interface 0. */
static void
test_sections(void **state)
{
	static struct ngw w;
	uint8_t fr[256];
	struct cap_source *s;
	struct cap_frame f;
	struct fs_err err;
	(void)state;

	memset(&w, 0, sizeof w);
	ng_shb(&w);
	ng_idb(&w, 1, -1, 0);
	ng_epb(&w, 0, 5000000, fr, (uint32_t)frame_for(1, 1, fr));
	ng_shb(&w);
	ng_idb(&w, 101, 6, 0);
	ng_epb(&w, 0, 6000000, fr, (uint32_t)frame_for(101, 2, fr));
	/* Simple Packet Block: interface 0 of the section, no time stamp. */
	blk_open(&w, 3);
	size_t n = frame_for(101, 3, fr);
	w32(&w, (uint32_t)n);
	memcpy(w.b + w.len, fr, n);
	w.len += n;
	blk_close(&w, true);
	write_file(tmp("sections.pcapng"), w.b, w.len);

	assert_int_equal(cap_open_file(tmp("sections.pcapng"), &s, &err), FS_OK);
	assert_int_equal(cap_source_next(s, &f, &err), CAP_FRAME);
	assert_int_equal(f.linktype, 1);
	assert_int_equal(f.ts, 5 * FS_USEC);
	assert_int_equal(cap_source_next(s, &f, &err), CAP_FRAME);
	assert_int_equal(f.linktype, 101);
	assert_int_equal(f.ts, 6 * FS_USEC);
	assert_int_equal(cap_source_next(s, &f, &err), CAP_FRAME);
	assert_int_equal(f.linktype, 101);
	assert_int_equal(f.caplen, n);
	assert_int_equal(cap_source_next(s, &f, &err), CAP_EOF);
	cap_source_close(s);
}

/* Offsets where pcap records end, from the file itself. */
static int
pcap_boundaries(const uint8_t *b, size_t n, size_t *ends, int max)
{
	int k = 0;
	size_t off = 24;
	while (off + 16 <= n && k < max) {
		uint32_t cap = (uint32_t)b[off + 8] | (uint32_t)b[off + 9] << 8 |
		               (uint32_t)b[off + 10] << 16 | (uint32_t)b[off + 11] << 24;
		off += 16 + cap;
		if (off > n)
			break;
		ends[k++] = off;
	}
	return k;
}

static void
test_truncated_pcap_every_offset(void **state)
{
	size_t n, ends[64];
	uint8_t *b = read_file(PCAPS "dnscap-dns6.pcap", &n);
	int nb = pcap_boundaries(b, n, ends, 64);
	(void)state;

	assert_int_equal(nb, 2);
	assert_int_equal(ends[nb - 1], n);
	for (size_t cut = 0; cut < n; cut++) {
		struct fs_err err = { 0 };
		struct cap_stats cs;
		fs_status st;
		write_file(tmp("cut.pcap"), b, cut);
		int got = count_frames(tmp("cut.pcap"), &err, &st, &cs);
		if (cut < 4) {
			assert_int_equal(got, -1);
			assert_int_equal(st, FS_E_FORMAT);
			assert_non_null(strstr(err.msg, "cut.pcap"));
			continue;
		}
		if (cut < 24) {
			assert_int_equal(got, -1);
			assert_int_equal(st, FS_E_TRUNCATED);
			assert_non_null(strstr(err.msg, "cut.pcap"));
			continue;
		}
		int whole = 0;
		bool boundary = cut == 24;
		for (int k = 0; k < nb; k++) {
			whole += ends[k] <= cut;
			boundary |= ends[k] == cut;
		}
		assert_int_equal(got, whole);
		assert_int_equal(st, boundary ? FS_OK : FS_E_TRUNCATED);
		assert_int_equal(cs.truncated, !boundary);
		if (!boundary)
			assert_non_null(strstr(err.msg, "truncated"));
	}
	free(b);
}

static void
test_truncated_pcapng_every_offset(void **state)
{
	static struct ngw w;
	(void)state;

	build_mixed(&w, true, false);
	for (size_t cut = 0; cut < w.len; cut++) {
		struct fs_err err = { 0 };
		struct cap_stats cs = { 0 };
		fs_status st;
		write_file(tmp("cut.pcapng"), w.b, cut);
		int got = count_frames(tmp("cut.pcapng"), &err, &st, &cs);
		int whole = 0;
		bool boundary = cut == 0;
		for (int k = 0; k < w.nblk; k++) {
			whole += w.is_pkt[k] && w.ends[k] <= cut;
			boundary |= w.ends[k] == cut;
		}
		if (cut < 4) {
			assert_int_equal(got, -1);
			assert_int_equal(st, FS_E_FORMAT);
			continue;
		}
		if (got < 0) {
			/* Refused at open: only a cut inside the header blocks may do that. */
			assert_int_equal(whole, 0);
			assert_int_equal(st, FS_E_TRUNCATED);
			continue;
		}
		if (got != whole || st != (boundary ? FS_OK : FS_E_TRUNCATED))
			fail_msg("cut at %zu: %d frames (want %d), status %d (%s)", cut, got, whole, st, err.msg);
		assert_int_equal(cs.truncated, !boundary);
	}
}

static void
test_garbage_and_errors(void **state)
{
	static uint8_t g[20000];
	uint64_t x = 0x2545F4914F6CDD1Dull;
	struct fs_err err = { 0 };
	struct cap_stats cs;
	fs_status st;
	(void)state;

	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof g; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			g[i] = (uint8_t)x;
		}
		/* pcap and pcapng magics in front of random bytes; pcapng with a sane first header. */
		static const uint8_t m_pcap[4] = { 0xd4, 0xc3, 0xb2, 0xa1 };
		static const uint8_t m_ng[12] = { 0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a };
		if (round % 2)
			memcpy(g, m_pcap, 4);
		else
			memcpy(g, m_ng, 12);
		size_t len = 24 + (size_t)(x % (sizeof g - 24));
		write_file(tmp("garbage"), g, len);
		(void)count_frames(tmp("garbage"), &err, &st, &cs);
	}

	/* A block that claims more than the sanity bound is corruption, not a short file. */
	static struct ngw w;
	memset(&w, 0, sizeof w);
	ng_shb(&w);
	ng_idb(&w, 1, -1, 0);
	w32(&w, 6);
	w32(&w, 0x7ffffff0);
	w32(&w, 0);
	write_file(tmp("huge.pcapng"), w.b, w.len);
	assert_int_equal(count_frames(tmp("huge.pcapng"), &err, &st, &cs), 0);
	assert_int_equal(st, FS_E_FORMAT);
	assert_non_null(strstr(err.msg, "huge.pcapng"));
	assert_non_null(strstr(err.msg, "corrupt"));

	/* A packet on an interface that was never described. */
	memset(&w, 0, sizeof w);
	uint8_t fr[256];
	ng_shb(&w);
	ng_idb(&w, 101, -1, 0);
	ng_idb(&w, 1, -1, 0);
	ng_epb(&w, 7, 0, fr, (uint32_t)frame_for(1, 1, fr));
	write_file(tmp("noif.pcapng"), w.b, w.len);
	assert_int_equal(count_frames(tmp("noif.pcapng"), &err, &st, &cs), 0);
	assert_int_equal(st, FS_E_FORMAT);

	/* Missing file, a folder, a text file. */
	struct cap_source *s;
	assert_int_equal(cap_open_file(tmp("absent.pcap"), &s, &err), FS_E_NOTFOUND);
	assert_null(s);
	assert_non_null(strstr(err.msg, "absent.pcap"));
	assert_int_equal(cap_open_file(tmpdir, &s, &err), FS_E_FORMAT);
	assert_non_null(strstr(err.msg, "directory"));
	write_file(tmp("text.pcap"), "not a capture at all\n", 21);
	assert_int_equal(cap_open_file(tmp("text.pcap"), &s, &err), FS_E_FORMAT);
	assert_non_null(strstr(err.msg, "text.pcap' is not a capture file"));
}

/* Nanosecond pcap: time stamps come out in microseconds. */
static void
test_nanosecond_pcap(void **state)
{
	static struct pb p;
	uint8_t fr[256];
	size_t n = frame_for(101, 1, fr);
	struct cap_source *s;
	struct cap_frame f;
	struct fs_err err;
	(void)state;

	pb_reset(&p);
	pb_u32le(&p, 0xa1b23c4d);
	pb_u16le(&p, 2);
	pb_u16le(&p, 4);
	pb_u32le(&p, 0);
	pb_u32le(&p, 0);
	pb_u32le(&p, 65535);
	pb_u32le(&p, 101);
	pb_u32le(&p, 1700000000);
	pb_u32le(&p, 123456789);
	pb_u32le(&p, (uint32_t)n);
	pb_u32le(&p, (uint32_t)n);
	pb_bytes(&p, fr, n);
	write_file(tmp("nsec.pcap"), p.b, p.len);
	assert_int_equal(cap_open_file(tmp("nsec.pcap"), &s, &err), FS_OK);
	assert_int_equal(cap_source_next(s, &f, &err), CAP_FRAME);
	assert_int_equal(f.ts, 1700000000LL * FS_USEC + 123456);
	assert_int_equal(f.linktype, 12);     /* libpcap maps LINKTYPE_RAW to DLT_RAW */
	cap_source_close(s);
}

/* "-" reads standard input, also from a pipe (no seeking): pcap through libpcap, pcapng
 * through the own reader. */
struct feeder {
	int fd;
	const uint8_t *b;
	size_t n;
};

static void *
feed_pipe(void *arg)
{
	struct feeder *f = arg;
	size_t off = 0;
	while (off < f->n) {
		ssize_t w = write(f->fd, f->b + off, f->n - off > 1000 ? 1000 : f->n - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(f->fd);
	return NULL;
}

static int
frames_from_stdin_pipe(const uint8_t *b, size_t n, struct fs_err *err, fs_status *st)
{
	int fds[2], saved = dup(0);
	pthread_t t;
	struct cap_stats cs;

	assert_int_equal(pipe(fds), 0);
	struct feeder f = { fds[1], b, n };
	assert_int_equal(pthread_create(&t, NULL, feed_pipe, &f), 0);
	dup2(fds[0], 0);
	close(fds[0]);
	int got = count_frames("-", err, st, &cs);
	pthread_join(t, NULL);
	dup2(saved, 0);
	close(saved);
	return got;
}

static void
test_stdin_pipe(void **state)
{
	static struct ngw w;
	struct fs_err err = { 0 };
	fs_status st;
	size_t n;
	(void)state;

	uint8_t *b = read_file(PCAPS "dnscap-dns.pcap", &n);
	assert_int_equal(frames_from_stdin_pipe(b, n, &err, &st), 133);
	assert_int_equal(st, FS_OK);
	/* A cut pipe is truncated like a cut file. */
	assert_int_equal(frames_from_stdin_pipe(b, n - 10, &err, &st), 132);
	assert_int_equal(st, FS_E_TRUNCATED);
	free(b);
	build_mixed(&w, true, false);
	assert_int_equal(frames_from_stdin_pipe(w.b, w.len, &err, &st), 12);
	assert_int_equal(st, FS_OK);
	b = read_file(PCAPS "ndpi-alexa-app.pcapng", &n);
	assert_int_equal(frames_from_stdin_pipe(b, n, &err, &st), 3103);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_frame_counts),
		cmocka_unit_test(test_own_reader_agrees_with_libpcap),
		cmocka_unit_test(test_mixed_linktypes),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_truncated_pcap_every_offset),
		cmocka_unit_test(test_truncated_pcapng_every_offset),
		cmocka_unit_test(test_garbage_and_errors),
		cmocka_unit_test(test_nanosecond_pcap),
		cmocka_unit_test(test_stdin_pipe),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
