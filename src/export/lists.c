/* Line-oriented blocklists: plain domains, hosts, dnsmasq, Unbound local-zone, Pi-hole/AdGuard.
 * None of these formats can carry an escaped name, so only plain host names ([a-z0-9_-]
 * labels) are written; any other name is left out with a counted warning. */
#include "export/export_int.h"

#include <string.h>

/* Iterate the domains a line format carries; returns NULL at the end (or when the preview is
 * full). Non-plain names are refused here. */
static const struct export_ind *
next_kind(struct export_ctx *cx, size_t *i, enum export_kind kind)
{
	const struct export_set *s = export_ctx_set(cx);

	while (*i < export_set_count(s) && !export_ctx_full(cx)) {
		const struct export_ind *x = export_set_get(s, (*i)++);
		if (x->kind != kind)
			continue;
		if (!export_name_plain(x->name)) {
			export_ctx_refuse(cx, x, "not a plain host name (this format cannot escape it)");
			continue;
		}
		return x;
	}
	return NULL;
}

static const struct export_ind *
next_domain(struct export_ctx *cx, size_t *i)
{
	return next_kind(cx, i, EXPORT_DOMAIN);
}

/* Allowlisted names that a line below would otherwise cover (these formats always block the
 * subdomains of a listed domain): each gets the format's exception. */
static const struct export_ind *
next_exception(struct export_ctx *cx, size_t *i)
{
	return next_kind(cx, i, EXPORT_PASSTHRU);
}

static void
header(struct export_ctx *cx, FILE *out, const char *c, const char *what)
{
	const struct export_opts *o = export_ctx_opts(cx);
	char stamp[32];

	fprintf(out, "%s fluxscope %s %s, written %s\n", c, FS_VERSION, what,
	        export_iso_time((fs_time)export_now(o) * FS_USEC, false, stamp, sizeof stamp));
	fprintf(out, "%s %zu domains selected\n", c, export_set_count_kind(export_ctx_set(cx), EXPORT_DOMAIN));
}

void
export_write_domains(struct export_ctx *cx, FILE *out)
{
	const struct export_ind *x;
	size_t i = 0;

	/* No header: a plain list is read by tools that know no comment syntax. */
	while ((x = next_domain(cx, &i)) != NULL) {
		fprintf(out, "%s\n", x->name);
		export_ctx_entry(cx);
	}
}

void
export_write_hosts(struct export_ctx *cx, FILE *out)
{
	char clean[1100];
	const struct export_opts *o = export_ctx_opts(cx);
	const struct export_ind *x;
	char addr[FS_ADDR_STRLEN] = "0.0.0.0";
	fs_addr a;
	size_t i = 0;

	if (o->action == EXPORT_RPZ_SINKHOLE && o->sinkhole != NULL && fs_addr_parse(o->sinkhole, &a) == 0)
		fs_addr_str(&a, addr, sizeof addr);
	header(cx, out, "#", "hosts blocklist (subdomains need their own lines)");
	while ((x = next_domain(cx, &i)) != NULL) {
		fprintf(out, "%s %s # score %.0f %s%s%s\n", addr, x->name, x->score,
		        x->verdict[0] ? x->verdict : "unscored", x->note ? " | note: " : "",
		        x->note ? export_clean_text(x->note, clean, sizeof clean) : "");
		export_ctx_entry(cx);
	}
}

void
export_write_dnsmasq(struct export_ctx *cx, FILE *out)
{
	char clean[1100];
	const struct export_opts *o = export_ctx_opts(cx);
	const struct export_ind *x;
	char addr[FS_ADDR_STRLEN] = "";
	fs_addr a;
	size_t i = 0;

	if (o->sinkhole != NULL && fs_addr_parse(o->sinkhole, &a) == 0)
		fs_addr_str(&a, addr, sizeof addr);
	header(cx, out, "#", "dnsmasq blocklist (each line also covers the subdomains)");
	while ((x = next_domain(cx, &i)) != NULL) {
		fprintf(out, "# score %.0f %s%s%s\n", x->score, x->verdict[0] ? x->verdict : "unscored",
		        x->note ? " | note: " : "", x->note ? export_clean_text(x->note, clean, sizeof clean) : "");
		if (o->action == EXPORT_RPZ_SINKHOLE && addr[0])
			fprintf(out, "address=/%s/%s\n", x->name, addr);
		else if (o->action == EXPORT_RPZ_NXDOMAIN)
			/* No upstream for the domain: dnsmasq answers NXDOMAIN itself. */
			fprintf(out, "server=/%s/\n", x->name);
		else
			/* The null address: 0.0.0.0 for A and :: for AAAA. */
			fprintf(out, "address=/%s/#\n", x->name);
		export_ctx_entry(cx);
	}
	/* "#" as a server: resolve normally (the more specific domain wins in dnsmasq). */
	for (i = 0; (x = next_exception(cx, &i)) != NULL;) {
		fprintf(out, "# allowlisted: never blocked\nserver=/%s/#\n", x->name);
		export_ctx_entry(cx);
	}
}

void
export_write_unbound(struct export_ctx *cx, FILE *out)
{
	char clean[1100];
	const struct export_opts *o = export_ctx_opts(cx);
	const struct export_ind *x;
	const char *type = "always_nxdomain";
	char addr[FS_ADDR_STRLEN] = "";
	fs_addr a;
	size_t i = 0;

	switch (o->action) {
	case EXPORT_RPZ_NXDOMAIN: type = "always_nxdomain"; break;
	case EXPORT_RPZ_NODATA: type = "always_nodata"; break;
	case EXPORT_RPZ_DROP: type = "always_refuse"; break;
	case EXPORT_RPZ_PASSTHRU: type = "always_transparent"; break;
	case EXPORT_RPZ_SINKHOLE:
		if (o->sinkhole != NULL && fs_addr_parse(o->sinkhole, &a) == 0) {
			fs_addr_str(&a, addr, sizeof addr);
			type = "redirect";
		}
		break;
	}
	header(cx, out, "#", "Unbound local-zone blocklist (include it from unbound.conf)");
	/* A clause header of its own, so the file works both included inside server: and alone. */
	fprintf(out, "server:\n");
	while ((x = next_domain(cx, &i)) != NULL) {
		fprintf(out, "\t# score %.0f %s%s%s\n", x->score, x->verdict[0] ? x->verdict : "unscored",
		        x->note ? " | note: " : "", x->note ? export_clean_text(x->note, clean, sizeof clean) : "");
		fprintf(out, "\tlocal-zone: \"%s.\" %s\n", x->name, type);
		if (addr[0])
			fprintf(out, "\tlocal-data: \"%s. 300 IN %s %s\"\n", x->name,
			        a.family == 4 ? "A" : "AAAA", addr);
		export_ctx_entry(cx);
	}
	/* The most specific local-zone wins in Unbound: transparent resolves normally. */
	for (i = 0; (x = next_exception(cx, &i)) != NULL;) {
		fprintf(out, "\t# allowlisted: never blocked\n\tlocal-zone: \"%s.\" transparent\n", x->name);
		export_ctx_entry(cx);
	}
}

void
export_write_pihole(struct export_ctx *cx, FILE *out)
{
	const struct export_ind *x;
	size_t i = 0;

	header(cx, out, "!", "adblock-style list for Pi-hole and AdGuard (||d^ covers subdomains)");
	while ((x = next_domain(cx, &i)) != NULL) {
		fprintf(out, "||%s^\n", x->name);
		export_ctx_entry(cx);
	}
	for (i = 0; (x = next_exception(cx, &i)) != NULL;) {
		fprintf(out, "@@||%s^\n", x->name);
		export_ctx_entry(cx);
	}
}
