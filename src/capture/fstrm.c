/* Frame Streams, the framing of dnstap (files and sockets): a data frame is a 32-bit big-endian
 * length and that many bytes; a zero length escapes a control frame (its own 32-bit length, at
 * most 512, then the control payload: type and fields such as the content type). The framing
 * is read here through wire.h, incrementally (a socket delivers bytes in any pieces); control
 * payloads are decoded and encoded with libfstrm's control-frame codec, which is what its
 * own readers and writers (and fstrm_capture) use. libfstrm's reader itself is not used: it
 * gives up at the first oversized frame, cannot say where a file was cut, and has no
 * server side for the bidirectional handshake resolvers use. */
#include "capture/feed_int.h"

#include <fstrm.h>
#include <string.h>

#include "decode/wire.h"

enum fstrm_ev
fstrm_parse(struct fstrm_parser *p, const uint8_t *buf, size_t len, size_t *used,
            const uint8_t **payload, uint32_t *plen, uint32_t *ctype)
{
	struct wire w;

	*used = 0;
	if (p->skip > 0) {
		size_t k = p->skip < len ? (size_t)p->skip : len;
		p->skip -= k;
		*used = k;
		return p->skip == 0 ? FEV_SKIPPED : FEV_NEED;
	}
	wire_init(&w, buf, len);
	uint32_t l = wire_u32be(&w);
	if (!wire_ok(&w))
		return FEV_NEED;
	if (l != 0) {
		if (l > FSTRM_MAX_FRAME) {
			p->skip = l;   /* discarded as it comes, never held */
			*used = 4;
			return FEV_NEED;
		}
		const uint8_t *d = wire_ptr(&w, l);
		if (d == NULL)
			return FEV_NEED;
		*payload = d;
		*plen = l;
		*used = 4 + (size_t)l;
		return FEV_DATA;
	}
	uint32_t cl = wire_u32be(&w);
	if (!wire_ok(&w))
		return FEV_NEED;
	if (cl < 4 || cl > FSTRM_MAX_CONTROL) {
		p->why = "a control frame of impossible length";
		return FEV_BAD;
	}
	if (wire_ptr(&w, cl) == NULL)
		return FEV_NEED;
	struct fstrm_control *c = fstrm_control_init();
	fstrm_control_type t;
	if (fstrm_control_decode(c, buf, 8 + (size_t)cl, FSTRM_CONTROL_FLAG_WITH_HEADER) != fstrm_res_success ||
	    fstrm_control_get_type(c, &t) != fstrm_res_success) {
		fstrm_control_destroy(&c);
		p->why = "a control frame that does not decode";
		return FEV_BAD;
	}
	if (t == FSTRM_CONTROL_START || t == FSTRM_CONTROL_READY || t == FSTRM_CONTROL_ACCEPT) {
		size_t n = 0;
		fstrm_control_get_num_field_content_type(c, &n);
		/* no content type at all is accepted (old writers); otherwise dnstap must be named */
		p->ct_ok = n == 0 || fstrm_control_match_field_content_type(c,
		    (const uint8_t *)FSTRM_CT_DNSTAP, strlen(FSTRM_CT_DNSTAP)) == fstrm_res_success;
	}
	fstrm_control_destroy(&c);
	*ctype = (uint32_t)t;
	*used = 8 + (size_t)cl;
	return FEV_CONTROL;
}

size_t
fstrm_control_frame(uint8_t *buf, size_t cap, uint32_t ctype, bool ct)
{
	struct fstrm_control *c = fstrm_control_init();
	size_t len = cap;

	if (fstrm_control_set_type(c, (fstrm_control_type)ctype) != fstrm_res_success ||
	    (ct && fstrm_control_add_field_content_type(c, (const uint8_t *)FSTRM_CT_DNSTAP,
	                                                strlen(FSTRM_CT_DNSTAP)) != fstrm_res_success) ||
	    fstrm_control_encode(c, buf, &len, FSTRM_CONTROL_FLAG_WITH_HEADER) != fstrm_res_success)
		len = 0;
	fstrm_control_destroy(&c);
	return len;
}
