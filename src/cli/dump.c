/* fluxscope --dump: decoded DNS messages as JSON Lines, one object per message, records of
 * the answer, authority and additional sections with their RDATA in presentation form. */
#include "cli/dump.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/geo_cli.h"
#include "cli/live.h"
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

void
dump_set_prefetch_hook(struct dump *d, dump_prefetch_fn fn)
{
	d->prefetch_fn = fn;
}

static void
dump_prefetch(struct dump *d, const struct dns_msg *m, int stage)
{
	if (d->prefetch_fn == NULL || d->addr_fn == NULL)
		return;
	for (uint32_t i = 0; i < m->n_rr; i++)
		if (m->rr[i].addr.family != 0)
			d->prefetch_fn(d->addr_ctx, &m->rr[i].addr, stage);
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

/* The record's RDATA in presentation form into d->rd, which grows until it holds all of it;
 * returns its length. */
static size_t
dump_rdata(struct dump *d, const struct dns_msg *m, const struct dns_rr *rr)
{
	for (;;) {
		dns_rdata_str(m, rr, d->rd, d->rd_cap);
		size_t n = strlen(d->rd);
		if (n + 1 < d->rd_cap || d->rd_cap >= DUMP_RDATA_MAX)
			return n;
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
		JSON_LIT(jb, "{\"name\":");
		json_str(jb, rr->name);
		JSON_LIT(jb, ",\"type\":");
		json_str(jb, dns_type_name(rr->type, tb));
		JSON_LIT(jb, ",\"ttl\":");
		json_u64(jb, rr->ttl);
		JSON_LIT(jb, ",\"data\":");
		size_t n = dump_rdata(d, m, rr);
		json_strn(jb, d->rd, n);
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
	char nb[16];
	int nflags = 0;

	dump_prefetch(d, m, 0);
	JSON_LIT(jb, "{\"ts\":");
	json_ts(jb, m->ts);
	JSON_LIT(jb, ",\"src\":");
	json_addr(jb, &m->src);
	JSON_LIT(jb, ",\"dst\":");
	json_addr(jb, &m->dst);
	JSON_LIT(jb, ",\"sport\":");
	json_u64(jb, m->sport);
	JSON_LIT(jb, ",\"dport\":");
	json_u64(jb, m->dport);
	if (m->transport == 6)
		JSON_LIT(jb, ",\"transport\":\"tcp\"");
	else
		JSON_LIT(jb, ",\"transport\":\"udp\"");
	JSON_LIT(jb, ",\"id\":");
	json_u64(jb, m->id);
	if (m->qr)
		JSON_LIT(jb, ",\"qr\":1");
	else
		JSON_LIT(jb, ",\"qr\":0");
	JSON_LIT(jb, ",\"opcode\":");
	json_str(jb, dns_opcode_name(m->opcode, nb));
	JSON_LIT(jb, ",\"rcode\":");
	json_str(jb, dns_rcode_name(m->rcode, nb));
	dump_prefetch(d, m, 1);
	JSON_LIT(jb, ",\"flags\":[");
	dump_flag(jb, &nflags, m->aa, "aa");
	dump_flag(jb, &nflags, m->tc, "tc");
	dump_flag(jb, &nflags, m->rd, "rd");
	dump_flag(jb, &nflags, m->ra, "ra");
	dump_flag(jb, &nflags, m->ad, "ad");
	dump_flag(jb, &nflags, m->cd, "cd");
	json_char(jb, ']');
	JSON_LIT(jb, ",\"qname\":");
	json_str(jb, m->qname);
	JSON_LIT(jb, ",\"qtype\":");
	if (m->qname != NULL)
		json_str(jb, dns_type_name(m->qtype, nb));
	else
		JSON_LIT(jb, "null");
	dump_section(d, m, ",\"answers\":", DNS_SEC_ANSWER);
	dump_section(d, m, ",\"authority\":", DNS_SEC_AUTHORITY);
	dump_section(d, m, ",\"additional\":", DNS_SEC_ADDITIONAL);
	if (m->malformed)
		JSON_LIT(jb, ",\"malformed\":true}\n");
	else
		JSON_LIT(jb, ",\"malformed\":false}\n");
	d->messages++;
	if (jb->len >= DUMP_FLUSH_AT && json_buf_flush(jb, d->out) != 0 && d->write_error == 0)
		d->write_error = errno ? errno : EIO;
}

/* --dump under --max-memory: nothing is kept from one message to the next but the enrichment
 * cache, which is emptied whenever it passes the budget (between two messages: no geo_info is
 * held then). */
struct dump_bounded {
	struct dump *d;
	struct geo *geo;
	size_t budget;
	uint64_t n;
};

static void
dump_bounded_msg(void *ctx, const struct dns_msg *m)
{
	struct dump_bounded *b = ctx;

	dump_msg(b->d, m);
	if (++b->n % 1024 == 0)
		geo_cache_trim(b->geo, b->budget);
}

int
cli_dump(const struct opts *o)
{
	struct dump d;
	struct ingest *in;
	struct fs_err err = { 0 };
	struct geo *geo;
	struct dump_bounded b = { .d = &d };
	int rc;

	/* A/AAAA records carry "asn" and "country"; a bad database given explicitly stops here */
	if (cli_geo_open(o, &geo, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		return 1;
	}
	/* the same check of --max-memory as every mode (too small for the fixed costs) */
	if (cli_live_budget(o, cli_geo_mapped_bytes(geo), &b.budget, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		geo_free(geo);
		return 1;
	}
	b.geo = geo;
	dump_init(&d, stdout);
	dump_set_addr_hook(&d, cli_geo_dump_members, geo);
	dump_set_prefetch_hook(&d, cli_geo_dump_prefetch);
	if (cli_ingest_open(o, b.budget > 0 ? dump_bounded_msg : dump_msg,
	                    b.budget > 0 ? (void *)&b : (void *)&d, &in, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		dump_fini(&d);
		geo_free(geo);
		return 1;
	}
	cli_geo_print_warnings(stderr, geo);   /* stale databases; after the input opened */
	/* source failures are reported below; a live capture runs until --duration or a signal */
	if (cli_ingest_run(o, in, &err) != FS_OK && ingest_n_errors(in) == 0) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		ingest_free(in);
		dump_fini(&d);
		geo_free(geo);
		return 1;
	}
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
