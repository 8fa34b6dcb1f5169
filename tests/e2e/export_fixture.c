/* A hand-made indicator set written through the real export writers, for the e2e checks with
 * named-checkzone, named, unbound, dnsmasq, nft and the STIX schema.
 *
 * usage: export_fixture FORMAT PATH [action=A] [origin=N] [sinkhole=X] [sid=N] [subdomains=1]
 *                       [set=basic|nasty|both]
 * The allowlist of this fixture covers "allowed.test" and its subdomains. Prints the report
 * ("entries N refused N escaped N serial N") on stdout, warnings on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fluxscope/export.h"

static bool
allow(void *ctx, const char *name)
{
	size_t n = strlen(name);
	(void)ctx;
	if (strcmp(name, "allowed.test") == 0)
		return false;
	return !(n > 13 && strcmp(name + n - 13, ".allowed.test") == 0);
}

static void
basic(struct export_set *s)
{
	static const char *const reasons[] = { "23 addresses in 11 /16 prefixes in 40 min; TTL 60 s",
	                           "9 of 10 answers changed" };
	struct export_ind d = { .kind = EXPORT_DOMAIN, .name = "evil-flux.test", .subdomains = true,
	                        .score = 93.5, .verdict = "single-flux", .reasons = reasons,
	                        .n_reasons = 2, .first_seen = 1735689600LL * 1000000,
	                        .last_seen = 1735693200LL * 1000000 };
	export_set_add(s, &d);
	export_set_add_domain(s, "dbl-flux.test", false, 88, "double-flux",
	                      "NS set changed 6 times in 1 h; NS TTL 300 s");
	export_set_add_domain(s, "allowed.test", true, 99, "single-flux", "must never be exported");
	export_set_add_domain(s, "cdn.allowed.test", true, 99, "single-flux", "must never be exported");
	export_set_add_addr(s, EXPORT_ADDR, "192.0.2.66", 93.5, "single-flux", "flux agent",
	                    "evil-flux.test");
	export_set_add_addr(s, EXPORT_ADDR, "192.0.2.67", 93.5, "single-flux", "flux agent",
	                    "evil-flux.test");
	export_set_add_addr(s, EXPORT_ADDR, "2001:db8::66", 93.5, "single-flux", "flux agent",
	                    "evil-flux.test");
	export_set_add_addr(s, EXPORT_ADDR, "2001:db8:0:0:1:0:0:1", 93.5, "single-flux", "flux agent",
	                    "evil-flux.test");
	export_set_add_addr(s, EXPORT_ADDR, "2001:db8:abcd:12::ff", 80, "single-flux", "flux agent",
	                    "evil-flux.test");
	export_set_add_addr(s, EXPORT_CIDR, "198.51.100.77/24", 70, "single-flux",
	                    "flux agents packed in one network", "evil-flux.test");
	export_set_add_addr(s, EXPORT_CIDR, "2001:db8:aaaa::/48", 70, "single-flux",
	                    "flux agents packed in one network", "evil-flux.test");
	struct export_ind ns = { .kind = EXPORT_NSNAME, .name = "ns1.dbl-flux.test", .score = 88,
	                         .verdict = "double-flux", .reason = "rotating nameserver",
	                         .source = "dbl-flux.test" };
	export_set_add(s, &ns);
	export_set_add_addr(s, EXPORT_NSADDR, "203.0.113.53", 88, "double-flux",
	                    "nameserver address rotates", "dbl-flux.test");
	export_set_add_addr(s, EXPORT_NSADDR, "2001:db8:53::53", 88, "double-flux",
	                    "nameserver address rotates", "dbl-flux.test");
	struct export_ind pt = { .kind = EXPORT_PASSTHRU, .name = "shared.allowed.test",
	                         .reason = "allowlisted; shares 192.0.2.66",
	                         .source = "evil-flux.test" };
	export_set_add(s, &pt);
	struct export_ind pt2 = { .kind = EXPORT_PASSTHRU, .name = "safe.evil-flux.test",
	                          .reason = "allowlisted; under the exported evil-flux.test",
	                          .source = "evil-flux.test" };
	export_set_add(s, &pt2);
}

/* Names an attacker controls on the wire: each must come out escaped or be refused. */
static void
nasty(struct export_set *s)
{
	static const char *const names[] = {
		"a\\032b.test",              /* space */
		"semi\\;colon.test",
		"q\\\"uote.test",
		"paren\\(.test",
		"new\\010line.test",
		"\\$origin.test",
		"at\\@.test",
		"\\*.star.test",
		"back\\\\slash.test",
		"comma\\,cell.test",
		"apos\\'stix.test",
		"dot\\.inlabel.test",
		"32.4.3.2.1.rpz-ip",          /* would become an address trigger */
		"x.rpz-nsdname",
		"-dash.test",
		"_under.score.test",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		export_set_add_domain(s, names[i], true, 77, "single-flux",
		                      "crafted; \"quoted\"\nsecond line $TTL 0");
}

int
main(int argc, char **argv)
{
	struct export_opts o;
	struct export_report rep;
	struct fs_err err = { 0 };
	const char *set = "basic";
	const struct export_writer *w;
	struct export_set *s;

	if (argc < 3) {
		fprintf(stderr, "usage: export_fixture FORMAT PATH [key=value ...]\n");
		return 2;
	}
	export_opts_init(&o);
	for (int i = 3; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (eq == NULL)
			return 2;
		*eq++ = '\0';
		if (strcmp(argv[i], "action") == 0) {
			int a = export_rpz_action_parse(eq);
			if (a < 0)
				return 2;
			o.action = (enum export_rpz_action)a;
		} else if (strcmp(argv[i], "origin") == 0) {
			o.origin = eq;
		} else if (strcmp(argv[i], "sinkhole") == 0) {
			o.sinkhole = eq;
		} else if (strcmp(argv[i], "sid") == 0) {
			o.sid_base = atol(eq);
		} else if (strcmp(argv[i], "subdomains") == 0) {
			o.subdomains = atoi(eq) != 0;
		} else if (strcmp(argv[i], "set") == 0) {
			set = eq;
		} else {
			return 2;
		}
	}
	w = export_writer_find(argv[1]);
	if (w == NULL) {
		fprintf(stderr, "export_fixture: unknown format %s\n", argv[1]);
		return 2;
	}
	s = export_set_new(allow, NULL);
	if (strcmp(set, "basic") == 0 || strcmp(set, "both") == 0)
		basic(s);
	if (strcmp(set, "nasty") == 0 || strcmp(set, "both") == 0)
		nasty(s);
	if (export_write_file(w, s, &o, argv[2], &rep, &err) != FS_OK) {
		fprintf(stderr, "export_fixture: %s\n", err.msg);
		export_set_free(s);
		return 1;
	}
	for (int i = 0; i < rep.n_warnings; i++)
		fprintf(stderr, "warning: %s\n", rep.warnings[i]);
	printf("entries %zu refused %zu escaped %zu serial %u\n", rep.entries, rep.refused,
	       rep.escaped, rep.serial);
	export_set_free(s);
	return 0;
}
