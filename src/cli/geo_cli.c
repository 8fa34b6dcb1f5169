/* Enrichment on the command line: database selection from options and the config file,
 * --stats lines, the --dump fields and the --lookup mode. */
#include "cli/geo_cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fluxscope/config.h"

#define CLI_GEO_MAX_PATHS 64

fs_status
cli_geo_open(const struct opts *o, struct geo **out, struct fs_err *err)
{
	struct geo_config gc = { 0 };
	struct config *cfg = NULL;
	const char *vals[CLI_GEO_MAX_PATHS];
	char *owned[CLI_GEO_MAX_PATHS];
	const char *paths[CLI_GEO_MAX_PATHS];
	size_t n_owned = 0;
	fs_status st;

	*out = NULL;
	if (o->no_geoip) {
		gc.disabled = true;
		return geo_open(&gc, out, err);
	}
	if ((st = config_load(o->config, &cfg, err)) != FS_OK)
		return st;
	if (o->n_geoip > 0) {
		for (int i = 0; i < o->n_geoip; i++)
			paths[i] = o->geoip[i];
		gc.n_paths = o->n_geoip;
	} else {
		size_t n = config_get_all(cfg, "geoip", vals, CLI_GEO_MAX_PATHS);
		if (n > CLI_GEO_MAX_PATHS) {
			st = fs_err_set(err, FS_E_ARG, "%s: more than %d 'geoip' entries", cfg->path,
			                CLI_GEO_MAX_PATHS);
			config_free(cfg);
			return st;
		}
		for (size_t i = 0; i < n; i++)
			paths[i] = owned[n_owned++] = config_path_value(cfg, vals[i]);
		gc.n_paths = (int)n;
	}
	gc.paths = paths;
	st = geo_open(&gc, out, err);
	for (size_t i = 0; i < n_owned; i++)
		free(owned[i]);
	config_free(cfg);
	return st;
}

size_t
cli_geo_mapped_bytes(const struct geo *g)
{
	size_t total = 0;
	struct stat st;

	for (int i = 0; g != NULL && i < geo_db_count(g); i++) {
		const struct geo_db_info *d = geo_db(g, i);
		if (d != NULL && d->path != NULL && stat(d->path, &st) == 0 && st.st_size > 0)
			total += (size_t)st.st_size;
	}
	return total;
}

void
cli_geo_print_warnings(FILE *f, const struct geo *g)
{
	for (int i = 0; i < geo_warning_count(g); i++)
		fprintf(f, "fluxscope: warning: %s\n", geo_warning(g, i));
}

void
cli_geo_print_stats(FILE *f, const struct geo *g)
{
	char buf[4096];

	/* "key value" lines like the rest of --stats */
	if (!geo_enabled(g)) {
		fprintf(f, "%-28s %s\n", "geoip", geo_describe(g, buf, sizeof buf));
		return;
	}
	for (int i = 0; i < geo_db_count(g); i++) {
		const struct geo_db_info *d = geo_db(g, i);
		char day[16];
		time_t t = (time_t)(d->built / FS_USEC);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(day, sizeof day, "%Y-%m-%d", &tm);
		fprintf(f, "%-28s %s%s%s built %s (%d days ago)%s %s\n", "geoip-db",
		        geo_kind_name(d->kind), d->kind == GEO_KIND_LIBLOC ? "" : " ",
		        d->kind == GEO_KIND_LIBLOC ? "" : d->type, day, d->age_days,
		        d->stale ? " STALE (over 60 days)" : "", d->path);
	}
	for (int i = 0; i < geo_warning_count(g); i++)
		fprintf(f, "%-28s %s\n", "geoip-warning", geo_warning(g, i));
}

/* JSON string body with the escapes RFC 8259 requires. */
static size_t
json_utf8(char *buf, size_t len, const char *s)
{
	size_t n = 0;

#define PUT(c) do { if (n + 1 < len) buf[n] = (c); n++; } while (0)
	PUT('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			PUT('\\');
			PUT((char)c);
		} else if (c < 0x20) {
			char e[8];
			snprintf(e, sizeof e, "\\u%04x", c);
			for (char *p = e; *p; p++)
				PUT(*p);
		} else
			PUT((char)c);
	}
	PUT('"');
#undef PUT
	if (len > 0)
		buf[n < len ? n : len - 1] = '\0';
	return n;
}

void
cli_geo_dump_members(void *geo, const fs_addr *addr, struct json_buf *jb)
{
	const struct geo_info *gi = geo_lookup(geo, addr);

	json_lit(jb, ",\"asn\":");
	if (gi->asn != 0)
		json_u64(jb, gi->asn);
	else
		json_lit(jb, "null");
	json_lit(jb, ",\"country\":");
	if (gi->country[0] != '\0')
		json_str(jb, gi->country);
	else
		json_lit(jb, "null");
}

void
cli_geo_dump_prefetch(void *geo, const fs_addr *addr, int stage)
{
	geo_prefetch(geo, addr, stage);
}

static void
print_lookup(FILE *f, struct geo *g, const char *text, const fs_addr *a)
{
	const struct geo_info *gi = geo_lookup(g, a);
	const struct geo_db_info *adb = geo_db(g, gi->asn_db), *gdb = geo_db(g, gi->geo_db);
	char s[1024];

	json_utf8(s, sizeof s, text);
	fprintf(f, "{\"address\":%s,\"found\":%s", s, gi->found ? "true" : "false");
	if (gi->asn != 0) {
		json_utf8(s, sizeof s, gi->as_org);
		fprintf(f, ",\"asn\":%u,\"as_org\":%s", gi->asn, gi->as_org[0] ? s : "null");
	} else
		fprintf(f, ",\"asn\":null,\"as_org\":null");
	if (gi->country[0] != '\0')
		fprintf(f, ",\"country\":\"%s\"", gi->country);
	else
		fprintf(f, ",\"country\":null");
	json_utf8(s, sizeof s, gi->city);
	fprintf(f, ",\"city\":%s", gi->city[0] ? s : "null");
	if (gi->has_location)
		fprintf(f, ",\"lat\":%.6f,\"lon\":%.6f", gi->lat, gi->lon);
	else
		fprintf(f, ",\"lat\":null,\"lon\":null");
	if (gi->network[0] != '\0')
		fprintf(f, ",\"network\":\"%s\",\"prefix_len\":%u", gi->network, gi->prefix_len);
	else
		fprintf(f, ",\"network\":null,\"prefix_len\":null");
	if (adb != NULL) {
		json_utf8(s, sizeof s, adb->type);
		fprintf(f, ",\"asn_source\":%s", s);
	} else
		fprintf(f, ",\"asn_source\":null");
	if (gdb != NULL) {
		json_utf8(s, sizeof s, gdb->type);
		fprintf(f, ",\"geo_source\":%s", s);
	} else
		fprintf(f, ",\"geo_source\":null");
	fprintf(f, "}\n");
}

static int
lookup_one(struct geo *g, const char *text, const char *where)
{
	fs_addr a;

	if (fs_addr_parse(text, &a) != 0) {
		fprintf(stderr, "fluxscope: %s%s'%s' is not an IPv4 or IPv6 address\n",
		        where ? where : "", where ? ": " : "", text);
		return 1;
	}
	print_lookup(stdout, g, text, &a);
	return 0;
}

int
cli_lookup_main(const struct opts *o)
{
	struct geo *g;
	struct fs_err err = { 0 };
	int rc = 0;

	if (cli_geo_open(o, &g, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		return 1;
	}
	cli_geo_print_warnings(stderr, g);
	if (!geo_enabled(g)) {
		char buf[2048];
		fprintf(stderr, "fluxscope: %s\n", geo_describe(g, buf, sizeof buf));
	}
	for (int i = 0; i < o->n_lookup; i++) {
		if (strcmp(o->lookup[i], "-") == 0) {
			char line[512];
			unsigned long lineno = 0;
			while (fgets(line, sizeof line, stdin) != NULL) {
				char *p = line, *e, where[32];
				lineno++;
				while (*p == ' ' || *p == '\t')
					p++;
				e = p + strcspn(p, " \t\r\n#");
				*e = '\0';
				if (*p == '\0')
					continue;
				snprintf(where, sizeof where, "stdin:%lu", lineno);
				rc |= lookup_one(g, p, where);
			}
		} else
			rc |= lookup_one(g, o->lookup[i], NULL);
	}
	geo_free(g);
	return rc;
}
