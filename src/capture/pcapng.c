/* The project's own pcapng reader: a bounds-checked block walker (pcapng draft, IETF
 * opsawg-pcapng) used where libpcap refuses a file, above all when its interfaces have
 * different link types. Every frame carries the link type of its own interface. */
#include "capture/cap_int.h"
#include "decode/wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NG_BT_SHB 0x0A0D0D0Au
#define NG_BT_IDB 1u
#define NG_BT_OPB 2u   /* obsolete Packet Block */
#define NG_BT_SPB 3u
#define NG_BT_EPB 6u
#define NG_BOM 0x1A2B3C4Du

#define NG_OPT_END 0
#define NG_OPT_TSRESOL 9
#define NG_OPT_TSOFFSET 14

#define NG_READ_CHUNK (256u * 1024)
#define NG_MAX_BLOCK (64u * 1024 * 1024)   /* larger "blocks" are corruption, not packets */
#define NG_MAX_IFACES 65536u

struct ng_iface {
	int linktype;
	uint64_t units;     /* timestamp units per second */
	int64_t offset_s;   /* if_tsoffset, seconds */
};

struct ng_reader {
	int fd;
	bool own_fd;
	const _Atomic bool *stop;
	uint8_t *buf;
	size_t cap, start, end;    /* unread bytes are buf[start, end) */
	uint64_t offset;           /* file offset of buf[start] */
	bool le;                   /* current section is little-endian */
	bool in_section;
	struct ng_iface *ifs;
	size_t n_if, cap_if;
};

enum ng_fill { NG_FILL_OK, NG_FILL_SHORT, NG_FILL_IOERR };

/* Checked reads over one block: every access is tested against the block length. */
struct ng_blk {
	const uint8_t *p;
	size_t len;
	bool le;
};

static bool
blk_u16(const struct ng_blk *b, size_t off, uint16_t *v)
{
	return wire_at_u16(b->p, b->len, off, b->le, v);
}

static bool
blk_u32(const struct ng_blk *b, size_t off, uint32_t *v)
{
	return wire_at_u32(b->p, b->len, off, b->le, v);
}

static bool
blk_u64(const struct ng_blk *b, size_t off, uint64_t *v)
{
	uint32_t a, c;
	if (!blk_u32(b, off, &a) || !blk_u32(b, off + 4, &c))
		return false;
	/* A 64-bit option value is stored in the section's byte order as a whole. */
	*v = b->le ? ((uint64_t)c << 32 | a) : ((uint64_t)a << 32 | c);
	return true;
}

/* Make at least n unread bytes available in buf. */
static enum ng_fill
ng_fill(struct ng_reader *r, size_t n)
{
	if (r->end - r->start >= n)
		return NG_FILL_OK;
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->cap < n) {
		size_t nc = r->cap;
		while (nc < n)
			nc *= 2;
		r->buf = xrealloc(r->buf, nc);
		r->cap = nc;
	}
	while (r->end < n) {
		if (r->stop != NULL && !cap_wait_readable(r->fd, r->stop))
			return NG_FILL_SHORT;   /* asked to stop: the caller reports the end */
		ssize_t got = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return NG_FILL_IOERR;
		}
		if (got == 0)
			return NG_FILL_SHORT;
		r->end += (size_t)got;
	}
	return NG_FILL_OK;
}

struct ng_reader *
ng_open(int fd, bool own_fd, const uint8_t *prefix, size_t prefix_len, const _Atomic bool *stop)
{
	struct ng_reader *r = xcalloc(1, sizeof *r);

	r->fd = fd;
	r->stop = stop;
	r->own_fd = own_fd;
	r->cap = NG_READ_CHUNK;
	while (r->cap < prefix_len)
		r->cap *= 2;
	r->buf = xmalloc(r->cap);
	if (prefix_len > 0)
		memcpy(r->buf, prefix, prefix_len);
	r->end = prefix_len;
	return r;
}

void
ng_close(struct ng_reader *r)
{
	if (r == NULL)
		return;
	if (r->own_fd)
		close(r->fd);
	free(r->buf);
	free(r->ifs);
	free(r);
}

uint64_t
ng_offset(const struct ng_reader *r)
{
	return r->offset;
}

/* Options of an IDB: only the timestamp resolution and offset matter here. Malformed options
 * end the walk (the interface keeps its defaults), as libpcap and Wireshark tolerate. */
static void
ng_idb_options(const struct ng_blk *b, size_t off, struct ng_iface *ifc)
{
	uint16_t code, olen;

	while (blk_u16(b, off, &code) && blk_u16(b, off + 2, &olen)) {
		size_t vo = off + 4;
		if (code == NG_OPT_END || olen > b->len - vo)
			break;
		if (code == NG_OPT_TSRESOL && olen >= 1) {
			uint8_t v = b->p[vo];
			unsigned e = v & 0x7f;
			uint64_t u = 1;
			if (v & 0x80) {
				if (e <= 63)
					u = (uint64_t)1 << e;
			} else if (e <= 19) {
				for (unsigned i = 0; i < e; i++)
					u *= 10;
			}
			ifc->units = u;
		} else if (code == NG_OPT_TSOFFSET && olen == 8) {
			uint64_t v;
			if (blk_u64(b, vo, &v))
				ifc->offset_s = (int64_t)v;
		}
		off = vo + (((size_t)olen + 3) & ~(size_t)3);
	}
}

static fs_time
ng_time(const struct ng_iface *ifc, uint32_t hi, uint32_t lo)
{
	uint64_t t = (uint64_t)hi << 32 | lo;
	uint64_t u = ifc->units ? ifc->units : 1000000;
	uint64_t sec = t / u, frac = t % u;
	/* frac < u <= 2^63: the product needs 128 bits. */
	uint64_t us = (uint64_t)(((unsigned __int128)frac * 1000000u) / u);
	__int128 s = (__int128)sec + ifc->offset_s;
	if (s > CAP_MAX_SEC)
		s = CAP_MAX_SEC;
	return cap_time((int64_t)s, (int64_t)us);
}

/* The fill failed: the sentence, and whether the file was cut (rather than unreadable). */
static enum cap_next
ng_fill_error(enum ng_fill f, const char *cut_msg, const char **msg, bool *truncated)
{
	if (f == NG_FILL_IOERR) {
		*msg = "reading it failed";
		return CAP_ERROR;
	}
	*msg = cut_msg;
	*truncated = true;
	return CAP_ERROR;
}

/* The next whole block in buf at r->start: its type and total length, header and trailer
 * checked (a section header also sets the byte order). CAP_FRAME = a block is there. */
static enum cap_next
ng_block(struct ng_reader *r, uint32_t *type, uint32_t *len, const char **msg, bool *truncated)
{
	enum ng_fill f = ng_fill(r, 12);
	if (f == NG_FILL_SHORT && r->end == r->start)
		return CAP_EOF;
	if (f != NG_FILL_OK)
		return ng_fill_error(f, "it ends in the middle of a block header", msg, truncated);
	struct ng_blk h = { r->buf + r->start, r->end - r->start, r->le };
	*type = *len = 0;
	(void)blk_u32(&h, 0, type);
	if (*type == NG_BT_SHB) {
		uint32_t bom = 0;
		h.le = true;
		(void)blk_u32(&h, 8, &bom);
		if (bom == NG_BOM)
			r->le = true;
		else if (bom == __builtin_bswap32(NG_BOM))
			r->le = false;
		else {
			*msg = "a section header has a bad byte-order magic";
			return CAP_ERROR;
		}
		h.le = r->le;
	} else if (!r->in_section) {
		*msg = "it does not start with a pcapng section header";
		return CAP_ERROR;
	}
	(void)blk_u32(&h, 4, len);
	if (*len < 12 || *len % 4 != 0 || *len > NG_MAX_BLOCK) {
		*msg = "a block has an impossible length";
		return CAP_ERROR;
	}
	f = ng_fill(r, *len);
	if (f != NG_FILL_OK)
		return ng_fill_error(f, "it ends in the middle of a block", msg, truncated);
	struct ng_blk blk = { r->buf + r->start, *len, r->le };
	uint32_t trailer = 0;
	(void)blk_u32(&blk, *len - 4, &trailer);
	if (trailer != *len) {
		*msg = "a block's trailing length does not match its header";
		return CAP_ERROR;
	}
	return CAP_FRAME;
}

/* Section header body: a new section, its interface numbering starts again. */
static bool
ng_section(struct ng_reader *r, const struct ng_blk *b, const char **msg)
{
	uint16_t major;

	if (!blk_u16(b, 4, &major)) {
		*msg = "a section header is too short";
		return false;
	}
	if (major != 1) {
		*msg = "it uses an unsupported pcapng major version";
		return false;
	}
	r->in_section = true;
	r->n_if = 0;   /* interface ids are per section */
	return true;
}

/* Interface description body: one more interface of this section. */
static bool
ng_interface(struct ng_reader *r, const struct ng_blk *b, const char **msg)
{
	uint16_t lt;

	if (!blk_u16(b, 0, &lt) || b->len < 8) {
		*msg = "an interface description is too short";
		return false;
	}
	if (r->n_if >= NG_MAX_IFACES) {
		*msg = "it describes too many interfaces";
		return false;
	}
	if (r->n_if == r->cap_if) {
		r->cap_if = r->cap_if ? r->cap_if * 2 : 8;
		r->ifs = xreallocarray(r->ifs, r->cap_if, sizeof *r->ifs);
	}
	struct ng_iface *ifc = &r->ifs[r->n_if++];
	ifc->linktype = lt;
	ifc->units = 1000000;
	ifc->offset_s = 0;
	ng_idb_options(b, 8, ifc);
	return true;
}

/* What a packet block (enhanced, obsolete or simple) says of its frame. */
struct ng_pkt {
	uint32_t ifid, hi, lo, caplen, wirelen;
	size_t data_off;
};

static bool
ng_packet(uint32_t type, const struct ng_blk *b, struct ng_pkt *k, const char **msg)
{
	uint16_t id16;

	memset(k, 0, sizeof *k);
	switch (type) {
	case NG_BT_EPB:
		if (!blk_u32(b, 0, &k->ifid) || !blk_u32(b, 4, &k->hi) || !blk_u32(b, 8, &k->lo) ||
		    !blk_u32(b, 12, &k->caplen) || !blk_u32(b, 16, &k->wirelen) ||
		    k->caplen > b->len - 20) {
			*msg = "a packet block is inconsistent";
			return false;
		}
		k->data_off = 20;
		return true;
	case NG_BT_OPB:
		if (!blk_u16(b, 0, &id16) || !blk_u32(b, 4, &k->hi) || !blk_u32(b, 8, &k->lo) ||
		    !blk_u32(b, 12, &k->caplen) || !blk_u32(b, 16, &k->wirelen) ||
		    k->caplen > b->len - 20) {
			*msg = "a packet block is inconsistent";
			return false;
		}
		k->ifid = id16;
		k->data_off = 20;
		return true;
	default:
		/* Simple Packet Block: interface 0, no timestamp; captured length is what the
		 * block holds, at most the original length. */
		if (!blk_u32(b, 0, &k->wirelen)) {
			*msg = "a simple packet block is too short";
			return false;
		}
		k->caplen = (uint32_t)(b->len - 4) < k->wirelen ? (uint32_t)(b->len - 4) : k->wirelen;
		k->data_off = 4;
		return true;
	}
}

enum cap_next
ng_next(struct ng_reader *r, struct cap_frame *out, const char **msg, bool *truncated)
{
	*truncated = false;
	for (;;) {
		uint32_t type, len;
		enum cap_next got = ng_block(r, &type, &len, msg, truncated);
		if (got != CAP_FRAME)
			return got;
		/* The block body, without type, length and trailer. */
		struct ng_blk b = { r->buf + r->start + 8, len - 12, r->le };
		struct ng_pkt k;
		bool frame = type == NG_BT_EPB || type == NG_BT_OPB || type == NG_BT_SPB;

		if (type == NG_BT_SHB && !ng_section(r, &b, msg))
			return CAP_ERROR;
		if (type == NG_BT_IDB && !ng_interface(r, &b, msg))
			return CAP_ERROR;
		if (frame && !ng_packet(type, &b, &k, msg))
			return CAP_ERROR;
		/* other blocks (name resolution, statistics, custom) are not frames */
		r->start += len;
		r->offset += len;
		if (!frame)
			continue;
		if (k.ifid >= r->n_if) {
			*msg = "a packet refers to an interface that was never described";
			return CAP_ERROR;
		}
		const struct ng_iface *ifc = &r->ifs[k.ifid];
		out->ts = type == NG_BT_SPB ? 0 : ng_time(ifc, k.hi, k.lo);
		out->linktype = ifc->linktype;
		out->caplen = k.caplen;
		out->wirelen = k.wirelen < k.caplen ? k.caplen : k.wirelen;
		out->data = b.p + k.data_off;   /* stays valid: buf only moves in the next ng_fill */
		return CAP_FRAME;
	}
}
