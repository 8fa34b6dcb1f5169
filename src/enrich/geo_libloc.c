/* Debian's libloc database (libloc-database) as the out-of-the-box source: ASN, AS name,
 * country and network for real addresses, offline. */
#include "decode/wire.h"
#include "enrich/enrich_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libloc/as.h>
#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>

struct geoloc {
	struct loc_ctx *ctx;
	struct loc_database *db;
	FILE *f;
};

/* libloc logs to stderr by default; fluxscope reports through fs_err and geo_warning instead,
 * and the TUI owns the terminal. */
static void
geoloc_quiet(struct loc_ctx *ctx, int priority, const char *file, int line, const char *fn,
             const char *format, va_list args)
{
	(void)ctx; (void)priority; (void)file; (void)line; (void)fn; (void)format; (void)args;
}

bool
geoloc_is_libloc_file(const char *path)
{
	char magic[7];
	FILE *f = fopen(path, "rb");
	bool yes;

	if (f == NULL)
		return false;
	yes = fread(magic, 1, sizeof magic, f) == sizeof magic && memcmp(magic, "LOCDBXX", 7) == 0;
	fclose(f);
	return yes;
}

void
geoloc_free(struct geoloc *l)
{
	if (l == NULL)
		return;
	if (l->db != NULL)
		loc_database_unref(l->db);
	if (l->ctx != NULL)
		loc_unref(l->ctx);
	if (l->f != NULL)
		fclose(l->f);
	free(l);
}

/* libloc trusts the header it maps: check that every section it names lies inside the file and
 * the creation time is plausible before handing the file over (a damaged or foreign file must
 * be an error, never a crash). Layout: "LOCDBXX", version 1, then big-endian created_at (u64),
 * vendor, description, license (u32 string-pool offsets), then offset/length pairs for ASes,
 * network data, network tree, countries and the string pool, then two u16 signature lengths. */
static fs_status
geoloc_check_header(const char *path, FILE *f, struct fs_err *err)
{
	uint8_t h[8 + 8 + 13 * 4 + 4];
	struct stat sb;
	uint64_t created = 0, size;
	static const char *const section[] = { "AS", "network data", "network tree", "country",
	                                       "string pool" };

	if (fstat(fileno(f), &sb) != 0 || fread(h, 1, sizeof h, f) != sizeof h)
		return fs_err_set(err, FS_E_FORMAT, "%s is too short for a libloc database", path);
	rewind(f);
	size = (uint64_t)sb.st_size;
	if (memcmp(h, "LOCDBXX", 7) != 0 || h[7] != 1)
		return fs_err_set(err, FS_E_FORMAT, "%s is not a libloc database of version 1", path);
	struct wire w;
	wire_init(&w, h, sizeof h);
	(void)wire_seek(&w, 8);
	created = wire_u64be(&w);
	/* libloc databases exist since 2017; allow a day of clock skew into the future */
	if (created < 1483228800ULL || created > (uint64_t)time(NULL) + 86400)
		return fs_err_set(err, FS_E_FORMAT, "%s: implausible libloc creation time %llu", path,
		                  (unsigned long long)created);
	for (int s = 0; s < 5; s++) {
		uint32_t off32 = 0, len32 = 0;
		(void)wire_at_u32(h, sizeof h, 28 + 8 * (size_t)s, false, &off32);
		(void)wire_at_u32(h, sizeof h, 32 + 8 * (size_t)s, false, &len32);
		uint64_t off = off32, len = len32;
		if (off + len > size || (s < 3 && len == 0))
			return fs_err_set(err, FS_E_FORMAT, "%s: libloc %s section outside the file "
			                  "(damaged or truncated)", path, section[s]);
	}
	uint16_t sig1 = 0, sig2 = 0;
	(void)wire_at_u16(h, sizeof h, 68, false, &sig1);
	(void)wire_at_u16(h, sizeof h, 70, false, &sig2);
	if (sig1 > 2048 || sig2 > 2048)
		return fs_err_set(err, FS_E_FORMAT, "%s: bad libloc signature length", path);
	return FS_OK;
}

fs_status
geoloc_open(const char *path, struct geoloc **out, fs_time *created, struct fs_err *err)
{
	struct geoloc *l = xcalloc(1, sizeof *l);
	int r;

	*out = NULL;
	l->f = fopen(path, "rb");
	if (l->f == NULL) {
		fs_err_set(err, FS_E_IO, "cannot read libloc database %s: %s", path, strerror(errno));
		geoloc_free(l);
		return FS_E_IO;
	}
	fs_status st = geoloc_check_header(path, l->f, err);
	if (st != FS_OK) {
		geoloc_free(l);
		return st;
	}
	if (loc_new(&l->ctx) < 0) {
		l->ctx = NULL;
		fs_err_set(err, FS_E_INTERNAL, "cannot initialise libloc for %s", path);
		geoloc_free(l);
		return FS_E_INTERNAL;
	}
	loc_set_log_fn(l->ctx, geoloc_quiet);
	r = loc_database_new(l->ctx, &l->db, l->f);
	if (r != 0 || l->db == NULL) {
		l->db = NULL;
		fs_err_set(err, FS_E_FORMAT, "%s is not a readable libloc database (libloc error %d)",
		           path, r);
		geoloc_free(l);
		return FS_E_FORMAT;
	}
	*created = (fs_time)loc_database_created_at(l->db) * FS_USEC;
	*out = l;
	return FS_OK;
}

void
geoloc_lookup(struct geoloc *l, const fs_addr *a, struct geoloc_result *out)
{
	struct loc_network *net = NULL;
	struct in6_addr in6;
	const char *cc, *str;
	unsigned prefix;
	int r;

	memset(out, 0, sizeof *out);
	/* libloc keeps IPv4 as IPv4-mapped IPv6. */
	memset(&in6, 0, sizeof in6);
	if (a->family == 4) {
		in6.s6_addr[10] = 0xff;
		in6.s6_addr[11] = 0xff;
		memcpy(&in6.s6_addr[12], a->bytes, 4);
	} else
		memcpy(in6.s6_addr, a->bytes, 16);
	r = loc_database_lookup(l->db, &in6, &net);
	if (r != 0 || net == NULL) {
		if (net != NULL)
			loc_network_unref(net);
		return;
	}
	out->found = true;
	out->asn = loc_network_get_asn(net);
	cc = loc_network_get_country_code(net);
	if (cc != NULL && strlen(cc) == 2) {
		out->country[0] = cc[0];
		out->country[1] = cc[1];
	}
	str = loc_network_str(net);
	prefix = loc_network_prefix(net);
	/* Older libloc releases count IPv4 prefixes in 128 bits. */
	if (a->family == 4 && prefix > 32)
		prefix -= 96;
	out->prefix_len = (uint8_t)prefix;
	if (str != NULL)
		snprintf(out->network, sizeof out->network, "%s", str);
	loc_network_unref(net);
}

const char *
geoloc_as_name(struct geoloc *l, uint32_t asn, char *buf, size_t len)
{
	struct loc_as *as = NULL;
	const char *name;

	buf[0] = '\0';
	if (asn == 0 || loc_database_get_as(l->db, &as, asn) != 0 || as == NULL)
		return buf;
	name = loc_as_get_name(as);
	if (name != NULL)
		snprintf(buf, len, "%s", name);
	loc_as_unref(as);
	return buf;
}
