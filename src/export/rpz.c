/* RPZ zone writer: a complete zone (BIND, Unbound, Knot, PowerDNS response policy zones).
 * Trigger encodings follow the RPZ draft (draft-vixie-dnsop-dns-rpz) and BIND's canonical
 * forms, so BIND loads every owner without "invalid rpz IP address" complaints. */
#include "export/export_int.h"

#include <string.h>

/* Wire length of the origin name (with the root byte), or 0 if invalid. */
static size_t
origin_wire_len(const char *origin)
{
	uint8_t wire[256];
	size_t wl;
	return export_name_to_wire(origin, wire, &wl, NULL, NULL) == 0 ? wl : 0;
}

/* Would "<name>[.<extra label>].<origin>" (plus "*." when wild) fit in 255 bytes? */
static bool
fits(const char *name, size_t extra_label, bool wild, size_t origin_len)
{
	uint8_t wire[256];
	size_t wl;
	if (export_name_to_wire(name, wire, &wl, NULL, NULL) != 0)
		return false;
	size_t total = wl - 1 + origin_len + (extra_label ? extra_label + 1 : 0) + (wild ? 2 : 0);
	return total <= 255;
}

/* The last label of a QNAME trigger must not be one of the RPZ special subtrees, or a crafted
 * observed name (e.g. "32.1.2.0.10.rpz-ip") would turn into an address trigger. */
static bool
special_suffix(const char *name)
{
	static const char *const sfx[] = { "rpz-ip", "rpz-nsip", "rpz-nsdname", "rpz-client-ip" };
	const char *last = strrchr(name, '.');
	last = last ? last + 1 : name;
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++)
		if (strcmp(last, sfx[i]) == 0)
			return true;
	return false;
}

static void
action_rdata(const struct export_opts *o, char *buf, size_t len)
{
	fs_addr a;

	switch (o->action) {
	case EXPORT_RPZ_NXDOMAIN: snprintf(buf, len, "CNAME\t."); break;
	case EXPORT_RPZ_NODATA: snprintf(buf, len, "CNAME\t*."); break;
	case EXPORT_RPZ_DROP: snprintf(buf, len, "CNAME\trpz-drop."); break;
	case EXPORT_RPZ_PASSTHRU: snprintf(buf, len, "CNAME\trpz-passthru."); break;
	case EXPORT_RPZ_SINKHOLE:
		if (fs_addr_parse(o->sinkhole, &a) == 0) {
			char t[FS_ADDR_STRLEN];
			snprintf(buf, len, "%s\t%s", a.family == 4 ? "A" : "AAAA", fs_addr_str(&a, t, sizeof t));
		} else {
			/* export_opts_check made sure it is a plain host name. */
			size_t n = strlen(o->sinkhole);
			snprintf(buf, len, "CNAME\t%s%s", o->sinkhole,
			         n && o->sinkhole[n - 1] == '.' ? "" : ".");
		}
		break;
	}
}

static void
comment(FILE *out, const struct export_ind *x)
{
	char clean[512];
	const char *v = x->verdict[0] ? x->verdict : "unscored";

	if (x->kind == EXPORT_PASSTHRU) {
		fprintf(out, "; allowlisted: never blocked (%s)\n",
		        export_clean_text(x->reason, clean, sizeof clean));
		return;
	}
	fprintf(out, "; score %.1f %s", x->score, v);
	if (x->reason != NULL && x->reason[0])
		fprintf(out, ": %s", export_clean_text(x->reason, clean, sizeof clean));
	if (x->kind != EXPORT_DOMAIN && x->source != NULL && x->source[0])
		fprintf(out, " [via %s]", export_clean_text(x->source, clean, sizeof clean));
	if (x->note != NULL)
		fprintf(out, " | note: %s", export_clean_text(x->note, clean, sizeof clean));
	fputc('\n', out);
}

void
export_write_rpz(struct export_ctx *cx, FILE *out)
{
	const struct export_set *s = export_ctx_set(cx);
	const struct export_opts *o = export_ctx_opts(cx);
	const char *origin = o->origin;
	size_t olen = origin_wire_len(origin);
	char rdata[300], ipn[80], stamp[32];
	uint32_t serial = export_rpz_next_serial(o->prev_serial, export_now(o));
	size_t n = export_set_count(s);
	size_t olen_dot = strlen(origin);
	bool odot = olen_dot > 0 && origin[olen_dot - 1] == '.';
	fs_addr sa;
	bool local_addr = o->action == EXPORT_RPZ_SINKHOLE && o->sinkhole != NULL &&
	                  fs_addr_parse(o->sinkhole, &sa) == 0;

	cx->rep->serial = serial;
	action_rdata(o, rdata, sizeof rdata);
	fprintf(out, "; fluxscope %s response policy zone, written %s\n", FS_VERSION,
	        export_iso_time((fs_time)export_now(o) * FS_USEC, false, stamp, sizeof stamp));
	fprintf(out, "; %zu domains, %zu addresses, %zu networks, %zu nameservers, %zu nameserver addresses;"
	        " action %s\n",
	        export_set_count_kind(s, EXPORT_DOMAIN), export_set_count_kind(s, EXPORT_ADDR),
	        export_set_count_kind(s, EXPORT_CIDR), export_set_count_kind(s, EXPORT_NSNAME),
	        export_set_count_kind(s, EXPORT_NSADDR), export_rpz_action_name(o->action));
	fprintf(out, "$TTL 300\n");
	fprintf(out, "$ORIGIN %s%s\n", origin, odot ? "" : ".");
	fprintf(out, "@\tIN\tSOA\tlocalhost. hostmaster.%s%s %u 3600 600 2419200 300\n", origin,
	        odot ? "" : ".", serial);
	fprintf(out, "@\tIN\tNS\tlocalhost.\n");
	for (size_t i = 0; i < n && !export_ctx_full(cx); i++) {
		const struct export_ind *x = export_set_get(s, i);
		bool wild = x->kind == EXPORT_DOMAIN && (x->subdomains || o->subdomains);

		switch (x->kind) {
		case EXPORT_DOMAIN:
		case EXPORT_PASSTHRU:
			if (export_name_has_star_label(x->name)) {
				export_ctx_refuse(cx, x, "a '*' label is a wildcard on the wire");
				continue;
			}
			if (special_suffix(x->name)) {
				export_ctx_refuse(cx, x, "its last label is an RPZ trigger keyword");
				continue;
			}
			if (!fits(x->name, 0, wild, olen)) {
				export_ctx_refuse(cx, x, "too long once the RPZ origin is appended");
				continue;
			}
			if (local_addr && x->kind == EXPORT_DOMAIN && !export_name_hostname(x->name)) {
				/* BIND's check-names (fail for primary zones) refuses an A/AAAA owner that is
				 * not a host name, and then the whole policy zone fails to load. */
				export_ctx_refuse(cx, x, "not a host name: an A/AAAA sinkhole record there "
				                  "stops BIND from loading the zone");
				continue;
			}
			if (!export_name_plain(x->name))
				export_ctx_escaped(cx);
			comment(out, x);
			if (x->kind == EXPORT_PASSTHRU) {
				fprintf(out, "%s\tCNAME\trpz-passthru.\n", x->name);
			} else {
				fprintf(out, "%s\t%s\n", x->name, rdata);
				/* "*.d" does not match "d" itself: both lines. */
				if (wild)
					fprintf(out, "*.%s\t%s\n", x->name, rdata);
			}
			break;
		case EXPORT_NSNAME:
			if (local_addr && !export_name_hostname(x->name)) {
				export_ctx_refuse(cx, x, "not a host name: an A/AAAA sinkhole record there "
				                  "stops BIND from loading the zone");
				continue;
			}
			if (export_name_has_star_label(x->name)) {
				export_ctx_refuse(cx, x, "a '*' label is a wildcard on the wire");
				continue;
			}
			if (!fits(x->name, 11, false, olen)) {
				export_ctx_refuse(cx, x, "too long once .rpz-nsdname and the origin are appended");
				continue;
			}
			if (!export_name_plain(x->name))
				export_ctx_escaped(cx);
			comment(out, x);
			fprintf(out, "%s.rpz-nsdname\t%s\n", x->name, rdata);
			break;
		case EXPORT_ADDR:
		case EXPORT_CIDR:
		case EXPORT_NSADDR:
			comment(out, x);
			/* Unbound refuses local data of the other family for an address trigger
			 * ("response-ip data" error): such a trigger gets NXDOMAIN instead. */
			fprintf(out, "%s.%s\t%s\n", export_rpz_ip_name(&x->addr, x->plen, ipn, sizeof ipn),
			        x->kind == EXPORT_NSADDR ? "rpz-nsip" : "rpz-ip",
			        local_addr && sa.family != x->addr.family && x->kind != EXPORT_NSADDR
			        ? "CNAME\t." : rdata);
			break;
		default:
			continue;
		}
		export_ctx_entry(cx);
	}
}
