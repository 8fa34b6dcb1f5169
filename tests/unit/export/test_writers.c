/* Export: the indicator set and every writer's output, escaping, atomic writes, preview. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fluxscope/notes.h"
#include "fluxscope/export.h"

#define NOW ((time_t)1767225600)   /* 2026-01-01T00:00:00Z */

static bool
allow(void *ctx, const char *name)
{
	int *calls = ctx;
	(*calls)++;
	return strcmp(name, "cdn.example") != 0 && strstr(name, ".cdn.example") == NULL;
}

static struct export_set *
sample(int *calls)
{
	struct export_set *s = export_set_new(allow, calls);
	static const char *const r2[] = { "37 addresses in 21 ASNs", "TTL 120 s" };
	struct export_ind d = { .kind = EXPORT_DOMAIN, .name = "flux.example", .subdomains = true,
	                        .score = 91.25, .verdict = "single-flux", .reasons = r2, .n_reasons = 2,
	                        .first_seen = 1767225600LL * 1000000, .last_seen = 1767229200LL * 1000000 };
	export_set_add(s, &d);
	export_set_add_domain(s, "dbl.example", false, 80, "double-flux", "NS set changed 6 times");
	export_set_add_addr(s, EXPORT_ADDR, "192.0.2.1", 91.25, "single-flux", "agent", "flux.example");
	export_set_add_addr(s, EXPORT_ADDR, "2001:db8::1", 91.25, "single-flux", "agent", "flux.example");
	export_set_add_addr(s, EXPORT_CIDR, "198.51.100.9/24", 70, "single-flux", "net", "flux.example");
	struct export_ind ns = { .kind = EXPORT_NSNAME, .name = "ns1.dbl.example", .score = 80,
	                         .verdict = "double-flux", .reason = "rotating NS" };
	export_set_add(s, &ns);
	export_set_add_addr(s, EXPORT_NSADDR, "203.0.113.53", 80, "double-flux", "NS address", "dbl.example");
	return s;
}

static char *
render(const char *fmt, const struct export_set *s, struct export_opts *o, struct export_report *rep)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	struct fs_err err = { 0 };
	const struct export_writer *w = export_writer_find(fmt);

	assert_non_null(w);
	assert_int_equal(export_write_stream(w, s, o, f, rep, &err), FS_OK);
	fclose(f);
	return mem;
}

static struct export_opts
opts(void)
{
	struct export_opts o;
	export_opts_init(&o);
	o.now = NOW;
	return o;
}

static void
test_set_merge_allowlist(void **state)
{
	int calls = 0;
	struct export_set *s = sample(&calls);
	struct export_set_stats st;
	(void)state;

	assert_int_equal(export_set_count(s), 7);
	/* Allowlisted names never enter, whatever the score. */
	assert_int_equal(export_set_add_domain(s, "cdn.example", true, 99, "single-flux", NULL), 0);
	assert_int_equal(export_set_add_domain(s, "edge.cdn.example", true, 99, "single-flux", NULL), 0);
	/* Duplicates merge: higher score wins, subdomains are OR-ed. */
	assert_int_equal(export_set_add_domain(s, "DBL.example.", true, 85, "double-flux", "later"), 1);
	export_set_add_addr(s, EXPORT_ADDR, "192.0.2.1", 10, "suspicious", "weak", "x.example");
	/* Invalid names and addresses are refused and counted with a warning. */
	assert_int_equal(export_set_add_domain(s, "bad..name", false, 50, "single-flux", NULL), 0);
	assert_int_equal(export_set_add_addr(s, EXPORT_ADDR, "300.1.2.3", 50, NULL, NULL, NULL), 0);
	assert_int_equal(export_set_add_addr(s, EXPORT_CIDR, "10.0.0.0/33", 50, NULL, NULL, NULL), 0);
	assert_int_equal(export_set_add_addr(s, EXPORT_CIDR, "0.0.0.0/0", 50, NULL, NULL, NULL), 0);
	export_set_get_stats(s, &st);
	assert_int_equal(st.n_allowlisted, 2);
	assert_int_equal(st.n_invalid, 4);
	assert_int_equal(st.n_merged, 2);
	assert_int_equal(export_set_warning_count(s), 4);
	assert_non_null(strstr(export_set_warning(s, 0), "bad..name"));
	assert_int_equal(export_set_count(s), 7);
	/* Stable order: kind, then value. */
	assert_string_equal(export_set_get(s, 0)->name, "dbl.example");
	assert_true(export_set_get(s, 0)->subdomains);
	assert_true(export_set_get(s, 0)->score == 85);
	assert_string_equal(export_set_get(s, 0)->reason, "later");
	assert_string_equal(export_set_get(s, 1)->name, "flux.example");
	assert_int_equal(export_set_get(s, 2)->kind, EXPORT_ADDR);
	assert_true(export_set_get(s, 2)->score == 91.25);   /* the weaker duplicate did not win */
	/* CIDR host bits are cleared. */
	const struct export_ind *c = export_set_get(s, 4);
	assert_int_equal(c->kind, EXPORT_CIDR);
	assert_int_equal(c->plen, 24);
	assert_int_equal(c->addr.bytes[3], 0);
	assert_true(calls > 0);
	export_set_free(s);
}

static void
test_rpz(void **state)
{
	int calls = 0;
	struct export_set *s = sample(&calls);
	struct export_opts o = opts();
	struct export_report rep;
	char *z;
	(void)state;

	o.prev_serial = 2026010103;
	z = render("rpz", s, &o, &rep);
	assert_non_null(strstr(z, "$TTL 300\n$ORIGIN rpz.fluxscope.local.\n"));
	assert_non_null(strstr(z, "@\tIN\tSOA\tlocalhost. hostmaster.rpz.fluxscope.local. 2026010104 "));
	assert_int_equal(rep.serial, 2026010104);
	assert_non_null(strstr(z, "@\tIN\tNS\tlocalhost.\n"));
	assert_non_null(strstr(z, "; score 91.2 single-flux: 37 addresses in 21 ASNs\n"
	                          "flux.example\tCNAME\t.\n*.flux.example\tCNAME\t.\n"));
	/* No wildcard without the subdomains flag. */
	assert_non_null(strstr(z, "dbl.example\tCNAME\t.\n"));
	assert_null(strstr(z, "*.dbl.example"));
	assert_non_null(strstr(z, "\n32.1.2.0.192.rpz-ip\tCNAME\t.\n"));
	assert_non_null(strstr(z, "\n128.1.zz.db8.2001.rpz-ip\tCNAME\t.\n"));
	assert_non_null(strstr(z, "\n24.0.100.51.198.rpz-ip\tCNAME\t.\n"));
	assert_non_null(strstr(z, "\nns1.dbl.example.rpz-nsdname\tCNAME\t.\n"));
	assert_non_null(strstr(z, "\n32.53.113.0.203.rpz-nsip\tCNAME\t.\n"));
	assert_int_equal(rep.entries, 7);
	free(z);

	/* Each action's RDATA. */
	static const struct { enum export_rpz_action a; const char *sink, *want; } acts[] = {
		{ EXPORT_RPZ_NODATA, NULL, "flux.example\tCNAME\t*.\n" },
		{ EXPORT_RPZ_DROP, NULL, "flux.example\tCNAME\trpz-drop.\n" },
		{ EXPORT_RPZ_PASSTHRU, NULL, "flux.example\tCNAME\trpz-passthru.\n" },
		{ EXPORT_RPZ_SINKHOLE, "192.0.2.250", "flux.example\tA\t192.0.2.250\n" },
		{ EXPORT_RPZ_SINKHOLE, "2001:db8::250", "flux.example\tAAAA\t2001:db8::250\n" },
		{ EXPORT_RPZ_SINKHOLE, "walled.example", "flux.example\tCNAME\twalled.example.\n" },
	};
	for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
		o = opts();
		o.action = acts[i].a;
		o.sinkhole = acts[i].sink;
		o.origin = "block.corp";
		z = render("rpz", s, &o, &rep);
		assert_non_null(strstr(z, acts[i].want));
		assert_non_null(strstr(z, "$ORIGIN block.corp.\n"));
		free(z);
	}
	/* A sinkhole address of the other family: that address trigger gets NXDOMAIN. */
	o = opts();
	o.action = EXPORT_RPZ_SINKHOLE;
	o.sinkhole = "192.0.2.250";
	z = render("rpz", s, &o, &rep);
	assert_non_null(strstr(z, "\n128.1.zz.db8.2001.rpz-ip\tCNAME\t.\n"));
	assert_non_null(strstr(z, "\n32.1.2.0.192.rpz-ip\tA\t192.0.2.250\n"));
	free(z);
	export_set_free(s);
}

static void
test_rpz_injection(void **state)
{
	struct export_set *s = export_set_new(NULL, NULL);
	struct export_opts o = opts();
	struct export_report rep;
	char *z;
	(void)state;

	export_set_add_domain(s, "evil\\032IN\\032A\\0321.2.3.4.example", false, 90, "single-flux",
	                      "reason with\nnewline $ORIGIN evil.");
	export_set_add_domain(s, "x\\;y.example", false, 90, "single-flux", NULL);
	export_set_add_domain(s, "\\*.wild.example", true, 90, "single-flux", NULL);
	export_set_add_domain(s, "1.2.3.4.32.rpz-ip", false, 90, "single-flux", NULL);
	export_set_add_domain(s, "q\"uote.example", false, 90, "single-flux", NULL);
	z = render("rpz", s, &o, &rep);
	/* Escaped, on one line, never syntax. */
	assert_non_null(strstr(z, "\nevil\\032in\\032a\\0321.2.3.4.example\tCNAME\t.\n"));
	assert_non_null(strstr(z, "\nx\\059y.example\tCNAME\t.\n"));
	assert_non_null(strstr(z, "\nq\\034uote.example\tCNAME\t.\n"));
	assert_non_null(strstr(z, "; score 90.0 single-flux: reason with newline $ORIGIN evil.\n"));
	assert_null(strstr(z, "\n$ORIGIN evil"));
	/* Refused: a '*' label and a name ending in an RPZ keyword. */
	assert_null(strstr(z, "wild.example"));
	assert_null(strstr(z, "rpz-ip\tCNAME"));
	assert_int_equal(rep.refused, 2);
	assert_int_equal(rep.escaped, 3);
	assert_int_equal(rep.n_warnings, 2);
	free(z);

	/* Line formats refuse what they cannot escape. */
	z = render("hosts", s, &o, &rep);
	assert_int_equal(rep.entries, 1);   /* only 1.2.3.4.32.rpz-ip is a plain host name */
	assert_int_equal(rep.refused, 4);
	assert_null(strstr(z, "evil"));
	free(z);
	export_set_free(s);
}

static void
test_line_formats(void **state)
{
	int calls = 0;
	struct export_set *s = sample(&calls);
	struct export_opts o = opts();
	struct export_report rep;
	char *z;
	(void)state;

	z = render("domains", s, &o, &rep);
	assert_string_equal(z, "dbl.example\nflux.example\n");
	assert_int_equal(rep.skipped_kind, 5);
	free(z);
	z = render("hosts", s, &o, &rep);
	assert_non_null(strstr(z, "\n0.0.0.0 dbl.example # score 80 double-flux\n0.0.0.0 flux.example # score 91 single-flux\n"));
	free(z);
	z = render("dnsmasq", s, &o, &rep);
	assert_non_null(strstr(z, "\nserver=/dbl.example/\n"));
	free(z);
	o.action = EXPORT_RPZ_DROP;
	z = render("dnsmasq", s, &o, &rep);
	assert_non_null(strstr(z, "\naddress=/flux.example/#\n"));
	free(z);
	o.action = EXPORT_RPZ_SINKHOLE;
	o.sinkhole = "192.0.2.250";
	z = render("dnsmasq", s, &o, &rep);
	assert_non_null(strstr(z, "\naddress=/flux.example/192.0.2.250\n"));
	free(z);
	z = render("hosts", s, &o, &rep);
	assert_non_null(strstr(z, "\n192.0.2.250 flux.example"));
	free(z);
	z = render("unbound", s, &o, &rep);
	assert_non_null(strstr(z, "\tlocal-zone: \"flux.example.\" redirect\n"
	                          "\tlocal-data: \"flux.example. 300 IN A 192.0.2.250\"\n"));
	free(z);
	o = opts();
	z = render("unbound", s, &o, &rep);
	assert_non_null(strstr(z, "server:\n"));
	assert_non_null(strstr(z, "\tlocal-zone: \"dbl.example.\" always_nxdomain\n"));
	free(z);
	z = render("pihole", s, &o, &rep);
	assert_non_null(strstr(z, "\n||dbl.example^\n||flux.example^\n"));
	assert_int_equal(z[0], '!');
	free(z);
	export_set_free(s);
}

static void
test_exceptions(void **state)
{
	struct export_set *s = export_set_new(NULL, NULL);
	struct export_opts o = opts();
	struct export_report rep;
	struct export_ind pt = { .kind = EXPORT_PASSTHRU, .name = "safe.flux.example",
	                         .reason = "allowlisted; under the exported flux.example" };
	char *z;
	(void)state;

	export_set_add_domain(s, "flux.example", true, 90, "single-flux", NULL);
	export_set_add(s, &pt);
	z = render("rpz", s, &o, &rep);
	assert_non_null(strstr(z, "; allowlisted: never blocked (allowlisted; under the exported flux.example)\n"
	                          "safe.flux.example\tCNAME\trpz-passthru.\n"));
	free(z);
	z = render("dnsmasq", s, &o, &rep);
	assert_non_null(strstr(z, "\nserver=/flux.example/\n"));
	assert_non_null(strstr(z, "\nserver=/safe.flux.example/#\n"));
	free(z);
	z = render("unbound", s, &o, &rep);
	assert_non_null(strstr(z, "\tlocal-zone: \"safe.flux.example.\" transparent\n"));
	free(z);
	z = render("pihole", s, &o, &rep);
	assert_non_null(strstr(z, "\n||flux.example^\n@@||safe.flux.example^\n"));
	free(z);
	/* Formats of exact names carry no exception, and never the allowlisted name itself. */
	z = render("hosts", s, &o, &rep);
	assert_null(strstr(z, "safe"));
	assert_int_equal(rep.skipped_kind, 1);
	free(z);
	z = render("csv", s, &o, &rep);
	assert_null(strstr(z, "safe"));
	free(z);
	export_set_free(s);
}

static void
test_csv_json(void **state)
{
	struct export_set *s = export_set_new(NULL, NULL);
	struct export_opts o = opts();
	struct export_report rep;
	char *z;
	(void)state;

	export_set_add_domain(s, "a\\,b.example", true, 60, "suspicious", "=HYPERLINK(\"x\"), evil");
	export_set_add_addr(s, EXPORT_ADDR, "2001:db8::7", 60, "suspicious", "plain", "a.example");
	z = render("csv", s, &o, &rep);
	assert_string_equal(z,
		"kind,value,subdomains,score,verdict,first_seen,last_seen,source,reason,reasons,note\n"
		"domain,a\\044b.example,yes,60.0,suspicious,,,,\"'=HYPERLINK(\"\"x\"\"), evil\",\"'=HYPERLINK(\"\"x\"\"), evil\",\n"
		"address,2001:db8::7,no,60.0,suspicious,,,a.example,plain,plain,\n");
	free(z);
	/* The analyst's notes: on the address, and on the domain's zone (no note of its own). */
	{
		struct notes *nt = notes_new();
		notes_set_text(nt, NOTE_ADDR, "2001:db8::7", "bulletproof host, =cmd");
		notes_set_text(nt, NOTE_ZONE, "a\\,b.example", "unused: names differ");
		assert_int_equal(export_set_notes(s, nt), 1);
		z = render("csv", s, &o, &rep);
		assert_non_null(strstr(z, "a.example,plain,plain,\"bulletproof host, =cmd\"\n"));
		free(z);
		z = render("rpz", s, &o, &rep);
		assert_non_null(strstr(z, "| note: bulletproof host, =cmd"));
		free(z);
		notes_free(nt);
	}
	z = NULL;
	free(z);
	z = render("json", s, &o, &rep);
	assert_non_null(strstr(z, "\"value\": \"a\\\\044b.example\""));
	assert_non_null(strstr(z, "\"reason\": \"=HYPERLINK(\\\"x\\\"), evil\""));
	assert_non_null(strstr(z, "\"address\": \"2001:db8::7\", \"prefix_len\": 128"));
	assert_non_null(strstr(z, "\"count\": 2\n}\n"));
	assert_non_null(strstr(z, "\"generated\": \"2026-01-01T00:00:00Z\""));
	free(z);
	export_set_free(s);
}

static void
test_stix(void **state)
{
	int calls = 0;
	struct export_set *s = sample(&calls);
	struct export_opts o = opts();
	struct export_report rep;
	char *z, *z2;
	(void)state;

	z = render("stix", s, &o, &rep);
	assert_non_null(strstr(z, "\"type\": \"bundle\""));
	assert_non_null(strstr(z, "\"pattern\": \"[domain-name:value = 'flux.example' OR domain-name:value LIKE '%.flux.example']\""));
	assert_non_null(strstr(z, "\"pattern\": \"[domain-name:value = 'dbl.example']\""));
	assert_non_null(strstr(z, "\"pattern\": \"[ipv4-addr:value = '192.0.2.1']\""));
	assert_non_null(strstr(z, "\"pattern\": \"[ipv6-addr:value = '2001:db8::1']\""));
	assert_non_null(strstr(z, "\"pattern\": \"[ipv4-addr:value ISSUBSET '198.51.100.0/24']\""));
	assert_non_null(strstr(z, "\"valid_from\": \"2026-01-01T00:00:00.000Z\""));
	assert_non_null(strstr(z, "\"description\": \"Score 91.2 (single-flux). 37 addresses in 21 ASNs; TTL 120 s.\""));
	assert_non_null(strstr(z, "\"labels\": [\"fast-flux\", \"single-flux\"]"));
	assert_int_equal(rep.entries, 7);
	/* Indicator ids are UUIDv5: the same on every export; the bundle id is v4. */
	z2 = render("stix", s, &o, &rep);
	const char *i1 = strstr(z, "indicator--"), *i2 = strstr(z2, "indicator--");
	assert_non_null(i1);
	assert_memory_equal(i1, i2, 47);
	assert_int_equal(i1[11 + 14], '5');
	const char *b1 = strstr(z, "bundle--"), *b2 = strstr(z2, "bundle--");
	assert_int_equal(b1[8 + 14], '4');
	assert_memory_not_equal(b1, b2, 44);
	free(z);
	free(z2);
	export_set_free(s);
}

static void
test_suricata_nft(void **state)
{
	int calls = 0;
	struct export_set *s = sample(&calls);
	struct export_opts o = opts();
	struct export_report rep;
	char *z;
	(void)state;

	o.sid_base = 5000;
	z = render("suricata", s, &o, &rep);
	assert_non_null(strstr(z, "alert dns any any -> any any (msg:\"fluxscope double-flux domain dbl.example score 80\"; "
	                          "dns.query; content:\"dbl.example\"; nocase; bsize:11; sid:5000; rev:1;)\n"));
	assert_non_null(strstr(z, "dns.query; dotprefix; content:\".flux.example\"; nocase; endswith; sid:5001; rev:1;)\n"));
	assert_non_null(strstr(z, "content:\"ns1.dbl.example\"; nocase; bsize:15; sid:5002;"));
	assert_int_equal(rep.entries, 3);
	free(z);
	z = render("nft", s, &o, &rep);
	assert_non_null(strstr(z, "table inet fluxscope {\n}\ndelete table inet fluxscope\n"));
	assert_non_null(strstr(z, "\tset flux_ipv4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\tauto-merge\n"
	                          "\t\telements = {\n\t\t\t192.0.2.1,\n\t\t\t198.51.100.0/24,\n\t\t\t203.0.113.53\n\t\t}\n"));
	assert_non_null(strstr(z, "\t\t\t2001:db8::1\n"));
	assert_int_equal(rep.entries, 4);
	free(z);
	export_set_free(s);
	/* No addresses: no empty element list (a syntax error for nft). */
	s = export_set_new(NULL, NULL);
	export_set_add_domain(s, "only.example", false, 60, "single-flux", NULL);
	z = render("nft", s, &o, &rep);
	assert_null(strstr(z, "elements"));
	free(z);
	export_set_free(s);
}

static void
test_atomic_write_and_serial(void **state)
{
	int calls = 0;
	struct export_set *s = sample(&calls);
	struct export_opts o = opts();
	struct export_report rep;
	struct fs_err err = { 0 };
	char dir[] = "/tmp/fluxscope-export-XXXXXX", path[300], bad[300];
	const struct export_writer *w = export_writer_find("rpz");
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/flux.rpz", dir);
	assert_int_equal(export_write_file(w, s, &o, path, &rep, &err), FS_OK);
	assert_int_equal(rep.serial, 2026010101);
	assert_int_equal(export_rpz_read_serial(path), 2026010101);
	assert_int_equal(export_write_file(w, s, &o, path, &rep, &err), FS_OK);
	assert_int_equal(export_rpz_read_serial(path), 2026010102);
	/* Next day: back to nn = 01. */
	o.now = NOW + 86400;
	assert_int_equal(export_write_file(w, s, &o, path, &rep, &err), FS_OK);
	assert_int_equal(export_rpz_read_serial(path), 2026010201);
	assert_int_equal(export_rpz_next_serial(2026010299, NOW + 86400), 2026010300);
	assert_int_equal(export_rpz_next_serial(0, NOW), 2026010101);

	/* An unwritable path: one sentence naming it, nothing left behind. */
	snprintf(bad, sizeof bad, "%s/missing-dir/flux.rpz", dir);
	assert_int_equal(export_write_file(w, s, &o, bad, &rep, &err), FS_E_IO);
	assert_non_null(strstr(err.msg, bad));
	assert_non_null(strstr(err.msg, "cannot write"));
	/* A directory in the way: the rename fails, the temp file is removed. */
	snprintf(bad, sizeof bad, "%s/adir", dir);
	assert_int_equal(mkdir(bad, 0755), 0);
	assert_int_equal(export_write_file(export_writer_find("hosts"), s, &o, bad, &rep, &err), FS_E_IO);
	assert_non_null(strstr(err.msg, bad));
	char cmd[400];
	snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 2", dir);   /* flux.rpz and adir */
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	export_set_free(s);
}

static void
test_preview_count_opts(void **state)
{
	int calls = 0;
	struct export_set *s = sample(&calls);
	struct export_opts o = opts();
	struct fs_err err = { 0 };
	char buf[4096];
	size_t total = 0;
	size_t n;
	const struct export_writer *ws = export_writers(&n);
	(void)state;

	assert_int_equal(n, 11);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(ws[i].name);
		assert_ptr_equal(export_writer_find(ws[i].name), &ws[i]);
	}
	assert_null(export_writer_find("nope"));
	int lines = export_preview(export_writer_find("rpz"), s, &o, 8, buf, sizeof buf, &total);
	assert_int_equal(lines, 8);
	assert_int_equal(total, 7);
	assert_non_null(strstr(buf, "$TTL 300\n"));
	assert_int_equal(buf[strlen(buf) - 1], '\n');
	lines = export_preview(export_writer_find("domains"), s, &o, 1, buf, sizeof buf, &total);
	assert_int_equal(lines, 1);
	assert_string_equal(buf, "dbl.example\n");
	assert_int_equal(total, 2);
	assert_int_equal(export_count(export_writer_find("nft"), s, &o), 4);

	o.action = EXPORT_RPZ_SINKHOLE;
	assert_int_equal(export_opts_check(&o, &err), FS_E_ARG);
	assert_non_null(strstr(err.msg, "--sinkhole"));
	o.sinkhole = "bad name;";
	assert_int_equal(export_opts_check(&o, &err), FS_E_ARG);
	o.sinkhole = "sink.example";
	assert_int_equal(export_opts_check(&o, &err), FS_OK);
	o.origin = "bad origin";
	assert_int_equal(export_opts_check(&o, &err), FS_E_ARG);
	assert_non_null(strstr(err.msg, "--rpz-origin"));
	assert_int_equal(export_rpz_action_parse("NODATA"), EXPORT_RPZ_NODATA);
	assert_int_equal(export_rpz_action_parse("block"), -1);
	export_set_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_merge_allowlist),
		cmocka_unit_test(test_rpz),
		cmocka_unit_test(test_rpz_injection),
		cmocka_unit_test(test_line_formats),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_csv_json),
		cmocka_unit_test(test_stix),
		cmocka_unit_test(test_suricata_nft),
		cmocka_unit_test(test_atomic_write_and_serial),
		cmocka_unit_test(test_preview_count_opts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
