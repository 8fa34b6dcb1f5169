/* fluxscope --dump: decoded DNS messages as JSON Lines, one object per message, records of
 * the answer, authority and additional sections with their RDATA in presentation form. */
#include "cli/dump.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/geo_cli.h"
#include "cli/pipeline.h"

#define DUMP_FLUSH_AT (1 << 16)
#define DUMP_RDATA_MAX (64u << 20)   /* an NSEC bitmap of 64 KiB prints to a few MiB at most */

void
dump_init(struct dump *d, FILE *out)
{
	memset(d, 0, sizeof *d);
	d->out = out;
	json_buf_init(&d->jb);
	d->rd_cap = 4096;
	d->rd = xmalloc(d->rd_cap);
}

void
dump_set_addr_hook(struct dump *d, dump_addr_fn fn, void *ctx)
{
	d->addr_fn = fn;
	d->addr_ctx = ctx;
}

int
dump_flush(struct dump *d)
{
	if (json_buf_flush(&d->jb, d->out) != 0 && d->write_error == 0)
		d->write_error = errno ? errno : EIO;
	if (fflush(d->out) != 0 && d->write_error == 0)
		d->write_error = errno ? errno : EIO;
	return d->write_error ? -1 : 0;
}

void
dump_fini(struct dump *d)
{
	json_buf_fini(&d->jb);
	free(d->rd);
	d->rd = NULL;
}

/* The record's RDATA in presentation form; the buffer grows until it holds all of it. */
static const char *
dump_rdata(struct dump *d, const struct dns_msg *m, const struct dns_rr *rr)
{
	for (;;) {
		dns_rdata_str(m, rr, d->rd, d->rd_cap);
		if (strlen(d->rd) + 1 < d->rd_cap || d->rd_cap >= DUMP_RDATA_MAX)
			return d->rd;
		d->rd_cap *= 2;
		d->rd = xrealloc(d->rd, d->rd_cap);
	}
}

static void
dump_section(struct dump *d, const struct dns_msg *m, const char *key, enum dns_section sec)
{
	struct json_buf *jb = &d->jb;
	char tb[16];
	bool first = true;

	json_lit(jb, key);
	json_char(jb, '[');
	for (uint32_t i = 0; i < m->n_rr; i++) {
		const struct dns_rr *rr = &m->rr[i];
		if (rr->section != sec)
			continue;
		/* OPT is message metadata (EDNS), not a record of the zone (RFC 6891 §6.1.1) */
		if (sec == DNS_SEC_ADDITIONAL && rr->type == DNS_TYPE_OPT)
			continue;
		if (!first)
			json_char(jb, ',');
		first = false;
		json_lit(jb, "{\"name\":");
		json_str(jb, rr->name);
		json_lit(jb, ",\"type\":");
		json_str(jb, dns_type_name(rr->type, tb));
		json_lit(jb, ",\"ttl\":");
		json_u64(jb, rr->ttl);
		json_lit(jb, ",\"data\":");
		json_str(jb, dump_rdata(d, m, rr));
		if (d->addr_fn != NULL && rr->addr.family != 0)
			d->addr_fn(d->addr_ctx, &rr->addr, jb);
		json_char(jb, '}');
	}
	json_char(jb, ']');
}

static void
dump_flag(struct json_buf *jb, int *n, bool set, const char *name)
{
	if (!set)
		return;
	if ((*n)++ > 0)
		json_char(jb, ',');
	json_str(jb, name);
}

void
dump_msg(void *ctx, const struct dns_msg *m)
{
	struct dump *d = ctx;
	struct json_buf *jb = &d->jb;
	char ab[FS_ADDR_STRLEN], nb[16];
	int nflags = 0;

	json_lit(jb, "{\"ts\":");
	json_ts(jb, m->ts);
	json_lit(jb, ",\"src\":");
	json_str(jb, fs_addr_str(&m->src, ab, sizeof ab));
	json_lit(jb, ",\"dst\":");
	json_str(jb, fs_addr_str(&m->dst, ab, sizeof ab));
	json_lit(jb, ",\"sport\":");
	json_u64(jb, m->sport);
	json_lit(jb, ",\"dport\":");
	json_u64(jb, m->dport);
	json_lit(jb, m->transport == 6 ? ",\"transport\":\"tcp\"" : ",\"transport\":\"udp\"");
	json_lit(jb, ",\"id\":");
	json_u64(jb, m->id);
	json_lit(jb, m->qr ? ",\"qr\":1" : ",\"qr\":0");
	json_lit(jb, ",\"opcode\":");
	json_str(jb, dns_opcode_name(m->opcode, nb));
	json_lit(jb, ",\"rcode\":");
	json_str(jb, dns_rcode_name(m->rcode, nb));
	json_lit(jb, ",\"flags\":[");
	dump_flag(jb, &nflags, m->aa, "aa");
	dump_flag(jb, &nflags, m->tc, "tc");
	dump_flag(jb, &nflags, m->rd, "rd");
	dump_flag(jb, &nflags, m->ra, "ra");
	dump_flag(jb, &nflags, m->ad, "ad");
	dump_flag(jb, &nflags, m->cd, "cd");
	json_char(jb, ']');
	json_lit(jb, ",\"qname\":");
	json_str(jb, m->qname);
	json_lit(jb, ",\"qtype\":");
	if (m->qname != NULL)
		json_str(jb, dns_type_name(m->qtype, nb));
	else
		json_lit(jb, "null");
	dump_section(d, m, ",\"answers\":", DNS_SEC_ANSWER);
	dump_section(d, m, ",\"authority\":", DNS_SEC_AUTHORITY);
	dump_section(d, m, ",\"additional\":", DNS_SEC_ADDITIONAL);
	json_lit(jb, m->malformed ? ",\"malformed\":true}\n" : ",\"malformed\":false}\n");
	d->messages++;
	if (jb->len >= DUMP_FLUSH_AT && json_buf_flush(jb, d->out) != 0 && d->write_error == 0)
		d->write_error = errno ? errno : EIO;
}

int
cli_dump(const struct opts *o)
{
	struct dump d;
	struct ingest *in;
	struct fs_err err = { 0 };
	struct geo *geo;
	int rc;

	/* A/AAAA records carry "asn" and "country"; a bad database given explicitly stops here */
	if (cli_geo_open(o, &geo, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		return 1;
	}
	dump_init(&d, stdout);
	dump_set_addr_hook(&d, cli_geo_dump_members, geo);
	if (cli_ingest_open(o, dump_msg, &d, &in, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		dump_fini(&d);
		geo_free(geo);
		return 1;
	}
	cli_geo_print_warnings(stderr, geo);   /* stale databases; after the input opened */
	(void)ingest_run(in, NULL);   /* source failures are reported below */
	rc = cli_report_source_errors(in);
	if (dump_flush(&d) != 0) {
		fprintf(stderr, "fluxscope: cannot write the dump to standard output: %s\n",
		        strerror(d.write_error));
		rc = 1;
	}
	ingest_free(in);
	dump_fini(&d);
	geo_free(geo);
	return rc;
}
