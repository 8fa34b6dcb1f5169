/* Suricata dns.query rules and nftables address sets. */
#include "export/export_int.h"

#include <string.h>

void
export_write_suricata(struct export_ctx *cx, FILE *out)
{
	const struct export_set *s = export_ctx_set(cx);
	const struct export_opts *o = export_ctx_opts(cx);
	long sid = o->sid_base;
	char clean[400], stamp[32];

	fprintf(out, "# fluxscope %s Suricata rules, written %s; sids from %ld\n", FS_VERSION,
	        export_iso_time((fs_time)export_now(o) * FS_USEC, false, stamp, sizeof stamp), sid);
	for (size_t i = 0; i < export_set_count(s) && !export_ctx_full(cx); i++) {
		const struct export_ind *x = export_set_get(s, i);
		bool wild = x->kind == EXPORT_DOMAIN && (x->subdomains || o->subdomains);

		if (x->kind != EXPORT_DOMAIN && x->kind != EXPORT_NSNAME)
			continue;
		/* Only [a-z0-9_.-]: nothing that could close the content string or the option list. */
		if (!export_name_plain(x->name)) {
			export_ctx_refuse(cx, x, "not a plain host name (rule content)");
			continue;
		}
		if (x->reason != NULL && x->reason[0])
			fprintf(out, "# %s\n", export_clean_text(x->reason, clean, sizeof clean));
		fprintf(out, "alert dns any any -> any any (msg:\"fluxscope %s %s %s score %.0f\"; dns.query; ",
		        x->verdict[0] ? x->verdict : "flagged",
		        x->kind == EXPORT_NSNAME ? "nameserver" : "domain", x->name, x->score);
		if (wild)
			/* dotprefix makes ".d" match d itself and every name under it, never "xd". */
			fprintf(out, "dotprefix; content:\".%s\"; nocase; endswith; ", x->name);
		else
			fprintf(out, "content:\"%s\"; nocase; bsize:%zu; ", x->name, strlen(x->name));
		fprintf(out, "sid:%ld; rev:1;)\n", sid++);
		export_ctx_entry(cx);
	}
}

static void
nft_set(struct export_ctx *cx, FILE *out, int family)
{
	const struct export_set *s = export_ctx_set(cx);
	char a[FS_ADDR_STRLEN + 8];
	size_t n = 0;

	fprintf(out, "\tset flux_%s {\n\t\ttype %s\n\t\tflags interval\n\t\tauto-merge\n",
	        family == 4 ? "ipv4" : "ipv6", family == 4 ? "ipv4_addr" : "ipv6_addr");
	for (size_t i = 0; i < export_set_count(s) && !export_ctx_full(cx); i++) {
		const struct export_ind *x = export_set_get(s, i);
		if ((x->kind != EXPORT_ADDR && x->kind != EXPORT_CIDR && x->kind != EXPORT_NSADDR) ||
		    x->addr.family != family)
			continue;
		/* An empty "elements = { }" is a syntax error: open the list at the first element. */
		fprintf(out, "%s%s", n ? ",\n\t\t\t" : "\t\telements = {\n\t\t\t", export_addr_text(x, a, sizeof a));
		n++;
		export_ctx_entry(cx);
	}
	if (n)
		fprintf(out, "\n\t\t}\n");
	fprintf(out, "\t}\n");
}

void
export_write_nft(struct export_ctx *cx, FILE *out)
{
	const struct export_opts *o = export_ctx_opts(cx);
	char stamp[32];

	fprintf(out, "#!/usr/sbin/nft -f\n# fluxscope %s nftables sets of flux addresses, written %s\n",
	        FS_VERSION, export_iso_time((fs_time)export_now(o) * FS_USEC, false, stamp, sizeof stamp));
	fprintf(out, "# Use them from your own chains, e.g.\n"
	        "#   ip daddr @flux_ipv4 drop\n#   ip6 daddr @flux_ipv6 drop\n");
	/* Declare, delete and recreate: loading the file again replaces the sets atomically. */
	fprintf(out, "table inet fluxscope {\n}\ndelete table inet fluxscope\n");
	fprintf(out, "table inet fluxscope {\n");
	nft_set(cx, out, 4);
	nft_set(cx, out, 6);
	fprintf(out, "}\n");
}
