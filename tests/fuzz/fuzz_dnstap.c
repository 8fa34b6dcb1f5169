/* libFuzzer target for dnstap: the input as a dnstap file (Frame Streams + protobuf, through
 * feed_open_mem and the decoder), and the same bytes fed to the Frame Streams parser in pieces
 * as a socket delivers them (the live path's framing, handshake frames and protobuf decoding).
 * Asserts that every frame handed out is a feed frame within its bounds and that the parser
 * never consumes more than it was given. Build: make fuzz. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "capture/feed_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
read_all(struct cap_source *s, struct decoder *d)
{
	struct cap_frame f;
	struct fs_err err;

	while (cap_source_next(s, &f, &err) == CAP_FRAME) {
		assert(f.linktype == DEC_LINKTYPE_FEED && f.caplen > 0);
		dec_packet(d, f.linktype, f.ts, f.data, f.caplen, f.wirelen, 0, NULL, NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dnstap_dec *dd;
	static struct decoder *dec;
	static uint8_t out[65536 + DEC_FEED_HDR_MAX];
	struct cap_source *s;
	struct fs_err err;

	if (dd == NULL) {
		dd = dnstap_dec_new();
		dec = dec_new(NULL);
	}
	/* as a file (recognised by content, like -r) */
	if (feed_open_mem("fuzz.dnstap", data, size, &s, &err) == FS_OK) {
		read_all(s, dec);
		cap_source_close(s);
	}
	/* as a socket: pieces of up to 7 bytes through the incremental parser */
	struct fstrm_parser p = { 0 };
	uint8_t buf[4096];
	size_t have = 0, pos = 0;
	while (pos < size || have > 0) {
		size_t k = size - pos < 7 ? size - pos : 7;
		if (k > sizeof buf - have)
			k = sizeof buf - have;
		memcpy(buf + have, data + pos, k);
		have += k;
		pos += k;
		const uint8_t *payload;
		uint32_t plen, ctype;
		size_t used;
		enum fstrm_ev ev = fstrm_parse(&p, buf, have, &used, &payload, &plen, &ctype);
		assert(used <= have);
		if (ev == FEV_BAD)
			break;
		if (ev == FEV_DATA) {
			size_t flen;
			fs_time ts;
			assert(payload >= buf && payload + plen <= buf + have);
			if (dnstap_to_frame(dd, payload, plen, "fuzz", out, sizeof out, &flen, &ts) == DT_OK)
				assert(flen > 0 && flen <= sizeof out);
		}
		memmove(buf, buf + used, have - used);
		have -= used;
		if (k == 0 && used == 0)
			break;   /* input ended inside a frame */
	}
	return 0;
}
