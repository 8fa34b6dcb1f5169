/* Finding and opening the enrichment databases, and saying which are in use. */
#include "enrich/enrich_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define GEO_MAX_DBS 64         /* geo_info indexes databases in an int8_t */

static const char *const libloc_default[] = {
	"/var/lib/location/database.db",        /* `location update` keeps this one current */
	"/usr/share/libloc-location/location.db", /* libloc-database */
};

const char *
geo_kind_name(enum geo_kind k)
{
	switch (k) {
	case GEO_KIND_ASN: return "asn";
	case GEO_KIND_CITY: return "city";
	case GEO_KIND_COUNTRY: return "country";
	case GEO_KIND_OTHER: return "other";
	case GEO_KIND_LIBLOC: return "libloc";
	}
	return "?";
}

/* What a database carries, from its database_type metadata (never the file name):
 * GeoLite2-ASN, GeoIP2-ISP, "DBIP-ASN-Lite (compat=GeoLite2-ASN)" → ASN;
 * GeoLite2-City, GeoIP2-City(-*), GeoIP2-Enterprise, DBIP-City-Lite, "DBIP-Location (compat=City)"
 * → City; GeoLite2-Country, GeoIP2-Country, DBIP-Country-Lite → Country; anything else → other
 * (used for whatever fields it has, after the known kinds). */
static enum geo_kind
kind_of(const char *type)
{
	if (type == NULL)
		return GEO_KIND_OTHER;
	if (strstr(type, "ASN") != NULL || strstr(type, "-ISP") != NULL)
		return GEO_KIND_ASN;
	if (strstr(type, "City") != NULL || strstr(type, "Location") != NULL ||
	    strstr(type, "Enterprise") != NULL)
		return GEO_KIND_CITY;
	if (strstr(type, "Country") != NULL)
		return GEO_KIND_COUNTRY;
	return GEO_KIND_OTHER;
}

/* MaxMind products that carry none of the fields fluxscope uses (geoipupdate fetches them
 * into the same folder): passed over with a note rather than counted as a source. */
static bool
no_useful_fields(const char *type)
{
	static const char *const useless[] = { "Anonymous-IP", "Anonymous-Plus", "Connection-Type",
	                                       "-Domain", "IP-Risk", "Static-IP-Score" };

	for (size_t i = 0; type != NULL && i < sizeof useless / sizeof useless[0]; i++)
		if (strstr(type, useless[i]) != NULL)
			return true;
	return false;
}

static void
warn(struct geo *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
warn(struct geo *g, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fs_fatal("out of memory formatting a warning");
	va_end(ap);
	g->warnings = xreallocarray(g->warnings, (size_t)g->n_warnings + 1, sizeof *g->warnings);
	g->warnings[g->n_warnings++] = s;
}

static const char *
day_str(fs_time t, char *buf, size_t len)
{
	time_t s = (time_t)(t / FS_USEC);
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
	return buf;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static struct geo_db *
add_db(struct geo *g)
{
	struct geo_db *db;

	g->dbs = xreallocarray(g->dbs, (size_t)g->n_dbs + 1, sizeof *g->dbs);
	db = &g->dbs[g->n_dbs];
	memset(db, 0, sizeof *db);
	db->order = g->n_dbs++;
	return db;
}

static void
close_db(struct geo_db *db)
{
	if (db->is_libloc)
		geoloc_free(db->loc);
	else
		MMDB_close(&db->mmdb);
	free((char *)db->info.path);
	free((char *)db->info.type);
}

static bool
already_open(const struct geo *g, const struct stat *st)
{
	for (int i = 0; i < g->n_dbs; i++)
		if (g->dbs[i].dev == (unsigned long long)st->st_dev &&
		    g->dbs[i].ino == (unsigned long long)st->st_ino)
			return true;
	return false;
}

static void
set_age(struct geo_db *db, fs_time now)
{
	fs_time age = now - db->info.built;

	db->info.age_days = age > 0 ? (int)(age / (86400 * FS_USEC)) : 0;
	db->info.stale = db->info.age_days > GEO_STALE_DAYS;
}

/* Open one file as a MaxMind-format or libloc database. Returns FS_OK, or an error in err
 * (naming the file) that the caller turns into a failure or a warning. */
static fs_status
open_file(struct geo *g, const char *path, const struct stat *st, fs_time now, struct fs_err *err)
{
	struct geo_db *db;
	int r;

	if (already_open(g, st))
		return FS_OK;
	if (g->n_dbs >= GEO_MAX_DBS)
		return fs_err_set(err, FS_E_ARG, "too many GeoIP databases (at most %d); %s not opened",
		                  GEO_MAX_DBS, path);
	if (geoloc_is_libloc_file(path)) {
		struct geoloc *loc;
		fs_time created;
		fs_status st2 = geoloc_open(path, &loc, &created, err);
		if (st2 != FS_OK)
			return st2;
		db = add_db(g);
		db->is_libloc = true;
		db->loc = loc;
		db->info.type = xstrdup("libloc");
		db->info.kind = GEO_KIND_LIBLOC;
		db->info.built = created;
		db->info.ipv6 = true;
	} else {
		MMDB_s mmdb;
		if (st->st_size == 0)
			return fs_err_set(err, FS_E_FORMAT, "GeoIP database %s is empty", path);
		errno = 0;
		r = MMDB_open(path, MMDB_MODE_MMAP, &mmdb);
		if (r != MMDB_SUCCESS) {
			if (r == MMDB_FILE_OPEN_ERROR || r == MMDB_IO_ERROR)
				return fs_err_set(err, FS_E_IO, "cannot read GeoIP database %s: %s", path,
				                  errno ? strerror(errno) : MMDB_strerror(r));
			return fs_err_set(err, FS_E_FORMAT,
			                  "%s is not a usable GeoIP database (MaxMind DB or libloc): %s",
			                  path, MMDB_strerror(r));
		}
		if (mmdb.metadata.ip_version != 4 && mmdb.metadata.ip_version != 6) {
			MMDB_close(&mmdb);
			return fs_err_set(err, FS_E_FORMAT, "%s: unsupported ip_version %u in its metadata",
			                  path, mmdb.metadata.ip_version);
		}
		if (no_useful_fields(mmdb.metadata.database_type)) {
			warn(g, "not using %s: a %s database has no ASN, country or location", path,
			     mmdb.metadata.database_type);
			MMDB_close(&mmdb);
			return FS_OK;
		}
		db = add_db(g);
		db->mmdb = mmdb;
		db->info.type = xstrdup(mmdb.metadata.database_type != NULL ?
		                        mmdb.metadata.database_type : "unknown");
		db->info.kind = kind_of(mmdb.metadata.database_type);
		db->info.built = (fs_time)mmdb.metadata.build_epoch * FS_USEC;
		db->info.ipv6 = mmdb.metadata.ip_version == 6;
	}
	db->info.path = xstrdup(path);
	db->dev = (unsigned long long)st->st_dev;
	db->ino = (unsigned long long)st->st_ino;
	set_age(db, now);
	return FS_OK;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every database in a folder, in name order. In a folder given explicitly a file named *.mmdb
 * that does not open is an error; elsewhere it is a warning. Other files that are not
 * databases (README, legacy GeoIP.dat…) are passed over in silence. */
static fs_status
scan_dir(struct geo *g, const char *dir, bool explicit, fs_time now, struct fs_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	fs_status st = FS_OK;

	if (d == NULL) {
		if (explicit)
			return fs_err_set(err, FS_E_IO, "cannot read GeoIP folder %s: %s", dir,
			                  strerror(errno));
		if (errno != ENOENT && errno != ENOTDIR)
			warn(g, "skipped GeoIP folder %s: %s", dir, strerror(errno));
		return FS_OK;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, name_cmp);
	for (size_t i = 0; i < n && st == FS_OK; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		struct stat sb;
		struct fs_err e = { 0 };
		bool mmdb_name = ends_with(names[i], ".mmdb");

		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			free(path);
			continue;
		}
		if (ends_with(names[i], ".mmdb.gz") || ends_with(names[i], ".tar.gz")) {
			warn(g, "skipped %s: compressed; unpack it (gunzip/tar xzf) into %s", path, dir);
			free(path);
			continue;
		}
		if (!mmdb_name && !geoloc_is_libloc_file(path)) {
			/* Only *.mmdb names are worth the MaxMind metadata search through a file. */
			free(path);
			continue;
		}
		if (open_file(g, path, &sb, now, &e) != FS_OK) {
			if (explicit)
				st = fs_err_set(err, e.status, "%s", e.msg);
			else
				warn(g, "skipped %s", e.msg);
		}
		free(path);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return st;
}

static fs_status
open_explicit(struct geo *g, const char *path, fs_time now, struct fs_err *err)
{
	struct stat sb;
	int before = g->n_dbs;
	fs_status st;

	if (stat(path, &sb) != 0)
		return fs_err_set(err, FS_E_IO, "cannot read GeoIP database %s: %s", path,
		                  strerror(errno));
	if (S_ISDIR(sb.st_mode)) {
		st = scan_dir(g, path, true, now, err);
		if (st == FS_OK && g->n_dbs == before)
			warn(g, "no GeoIP database in folder %s", path);
		return st;
	}
	if (!S_ISREG(sb.st_mode))
		return fs_err_set(err, FS_E_ARG, "GeoIP path %s is neither a file nor a folder", path);
	return open_file(g, path, &sb, now, err);
}

static int
rank(enum geo_kind k)
{
	switch (k) {
	case GEO_KIND_ASN: return 0;
	case GEO_KIND_CITY: return 1;
	case GEO_KIND_COUNTRY: return 2;
	case GEO_KIND_OTHER: return 3;
	case GEO_KIND_LIBLOC: return 4;
	}
	return 5;
}

static int
db_cmp(const struct geo_db *a, const struct geo_db *b, bool newest_first)
{
	if (rank(a->info.kind) != rank(b->info.kind))
		return rank(a->info.kind) - rank(b->info.kind);
	/* Found by the search, two of a kind (an old copy left in another folder): newest wins.
	 * Given explicitly: the order given. */
	if (newest_first && a->info.built != b->info.built)
		return a->info.built > b->info.built ? -1 : 1;
	return a->order - b->order;
}

/* Insertion sort: at most GEO_MAX_DBS entries, and no global to pass the flag to qsort. */
static void
sort_dbs(struct geo *g, bool newest_first)
{
	for (int i = 1; i < g->n_dbs; i++) {
		struct geo_db t = g->dbs[i];
		int j = i;
		for (; j > 0 && db_cmp(&g->dbs[j - 1], &t, newest_first) > 0; j--)
			g->dbs[j] = g->dbs[j - 1];
		g->dbs[j] = t;
	}
}

static void
add_searched(struct geo *g, const char *dir)
{
	char *s = g->searched ? xasprintf("%s, %s", g->searched, dir) : xstrdup(dir);
	free(g->searched);
	g->searched = s;
}

static void
default_search(struct geo *g, const struct geo_config *cfg, fs_time now)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_DATA_HOME");
	char *dirs[4];
	int n = 0;

	if (cfg->search_dirs != NULL) {
		for (int i = 0; i < cfg->n_search_dirs; i++) {
			add_searched(g, cfg->search_dirs[i]);
			scan_dir(g, cfg->search_dirs[i], false, now, NULL);
		}
		return;
	}
	dirs[n++] = xstrdup("/usr/share/GeoIP");
	dirs[n++] = xstrdup("/var/lib/GeoIP");
	if (xdg != NULL && xdg[0] == '/')
		dirs[n++] = xasprintf("%s/fluxscope", xdg);
	else if (home != NULL)
		dirs[n++] = xasprintf("%s/.local/share/fluxscope", home);
	if (home != NULL)
		dirs[n++] = xasprintf("%s/.local/share/GeoIP", home);
	for (int i = 0; i < n; i++) {
		add_searched(g, dirs[i]);
		scan_dir(g, dirs[i], false, now, NULL);
		free(dirs[i]);
	}
}

static void
libloc_fallback(struct geo *g, const struct geo_config *cfg, fs_time now)
{
	const char *const *paths = cfg->libloc_paths ? cfg->libloc_paths : libloc_default;
	int n = cfg->libloc_paths ? cfg->n_libloc_paths :
	                            (int)(sizeof libloc_default / sizeof libloc_default[0]);

	for (int i = 0; i < n; i++) {
		struct stat sb;
		struct fs_err e = { 0 };

		add_searched(g, paths[i]);
		if (stat(paths[i], &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (open_file(g, paths[i], &sb, now, &e) == FS_OK)
			return;         /* the first that opens: they are copies of one another */
		warn(g, "skipped %s", e.msg);
	}
}

static bool
covers(const struct geo *g, bool want_asn)
{
	for (int i = 0; i < g->n_dbs; i++) {
		enum geo_kind k = g->dbs[i].info.kind;
		if (k == GEO_KIND_OTHER || k == GEO_KIND_LIBLOC)
			return true;
		if (want_asn ? k == GEO_KIND_ASN : k != GEO_KIND_ASN)
			return true;
	}
	return false;
}

bool geo_has_asn(const struct geo *g) { return covers(g, true); }
bool geo_has_country(const struct geo *g) { return covers(g, false); }
bool geo_enabled(const struct geo *g) { return g->n_dbs > 0; }

bool
geo_has_location(const struct geo *g)
{
	for (int i = 0; i < g->n_dbs; i++)
		if (g->dbs[i].info.kind == GEO_KIND_CITY || g->dbs[i].info.kind == GEO_KIND_OTHER)
			return true;
	return false;
}

fs_status
geo_open(const struct geo_config *cfg, struct geo **out, struct fs_err *err)
{
	static const struct geo_config defaults;
	struct geo *g = xcalloc(1, sizeof *g);
	fs_time now;
	fs_status st = FS_OK;
	char day[16];

	if (cfg == NULL)
		cfg = &defaults;
	now = cfg->now ? cfg->now : (fs_time)time(NULL) * FS_USEC;
	g->none.as_org = g->none.city = g->none.network = "";
	g->none.asn_db = g->none.geo_db = -1;
	*out = NULL;
	if (cfg->disabled) {
		g->disabled = true;
		*out = g;
		return FS_OK;
	}
	g->explicit_paths = cfg->n_paths > 0;
	for (int i = 0; i < cfg->n_paths && st == FS_OK; i++)
		st = open_explicit(g, cfg->paths[i], now, err);
	if (st != FS_OK) {
		geo_free(g);
		return st;
	}
	if (!g->explicit_paths && !cfg->no_default_search)
		default_search(g, cfg, now);
	/* libloc covers what the MaxMind-format databases leave out (all of it when there are
	 * none); with explicit paths the user chose the sources. */
	if (!g->explicit_paths && !cfg->no_libloc && (!geo_has_asn(g) || !geo_has_country(g)))
		libloc_fallback(g, cfg, now);
	sort_dbs(g, !g->explicit_paths);
	for (int i = 0; i < g->n_dbs; i++) {
		const struct geo_db_info *d = &g->dbs[i].info;
		if (!d->stale)
			continue;
		if (d->kind == GEO_KIND_LIBLOC)
			warn(g, "libloc database %s was created %s, %d days ago (over %d): networks that "
			     "moved since are misattributed; update it with `location update` or a newer "
			     "libloc-database package", d->path, day_str(d->built, day, sizeof day),
			     d->age_days, GEO_STALE_DAYS);
		else
			warn(g, "GeoIP database %s (%s) was built %s, %d days ago (over %d): networks that "
			     "moved since are misattributed; update it (geoipupdate, or a new DB-IP lite "
			     "download)", d->path, d->type, day_str(d->built, day, sizeof day), d->age_days,
			     GEO_STALE_DAYS);
	}
	*out = g;
	return FS_OK;
}

void
geo_free(struct geo *g)
{
	if (g == NULL)
		return;
	for (int i = 0; i < g->n_dbs; i++)
		close_db(&g->dbs[i]);
	free(g->dbs);
	for (int i = 0; i < g->n_warnings; i++)
		free(g->warnings[i]);
	free(g->warnings);
	free(g->searched);
	geo_cache_free(g);
	free(g);
}

int geo_db_count(const struct geo *g) { return g->n_dbs; }

const struct geo_db_info *
geo_db(const struct geo *g, int i)
{
	return i >= 0 && i < g->n_dbs ? &g->dbs[i].info : NULL;
}

int geo_warning_count(const struct geo *g) { return g->n_warnings; }

const char *
geo_warning(const struct geo *g, int i)
{
	return i >= 0 && i < g->n_warnings ? g->warnings[i] : NULL;
}

static void
append(char *buf, size_t len, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used = *used + (size_t)n < len ? *used + (size_t)n : len - 1;
}

static const char *
fields_of(enum geo_kind k)
{
	switch (k) {
	case GEO_KIND_ASN: return "ASN, organisation, network";
	case GEO_KIND_CITY: return "country, city, coordinates";
	case GEO_KIND_COUNTRY: return "country";
	case GEO_KIND_OTHER: return "whatever fields it has";
	case GEO_KIND_LIBLOC: return "ASN, AS name, country, network";
	}
	return "";
}

const char *
geo_describe(const struct geo *g, char *buf, size_t len)
{
	size_t used = 0;
	char day[16];

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (g->disabled) {
		append(buf, len, &used, "GeoIP disabled (--no-geoip): no ASN, country or city; "
		       "detection uses prefix diversity instead.");
		return buf;
	}
	if (g->n_dbs == 0) {
		if (g->searched != NULL)
			append(buf, len, &used, "No GeoIP database found (looked in %s): ", g->searched);
		else
			append(buf, len, &used, "No GeoIP database found: ");
		append(buf, len, &used, "%s",
		       "ASNs, countries and cities are unavailable and detection falls back to prefix "
		       "diversity. Get one of: the offline ASN and country database Debian ships "
		       "(`apt-get install libloc-database`); MaxMind GeoLite2 ASN and City through "
		       "geoipupdate (free account, files in /var/lib/GeoIP); DB-IP lite ASN and City "
		       ".mmdb files (https://db-ip.com/db/lite.php, no account) placed in "
		       "~/.local/share/fluxscope; or pass --geoip PATH.");
		return buf;
	}
	for (int i = 0; i < g->n_dbs; i++) {
		const struct geo_db_info *d = &g->dbs[i].info;
		append(buf, len, &used, "%s%s built %s (%d days ago%s) %s: %s%s", i ? "\n" : "",
		       d->type, day_str(d->built, day, sizeof day), d->age_days,
		       d->stale ? ", STALE: older than 60 days" : "", d->path, fields_of(d->kind),
		       d->kind == GEO_KIND_LIBLOC && g->n_dbs > 1 ?
		               " (for what the MaxMind-format databases lack)" : "");
	}
	return buf;
}

const char *
geo_describe_short(const struct geo *g, char *buf, size_t len)
{
	size_t used = 0;
	char day[16];

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (g->disabled || g->n_dbs == 0) {
		append(buf, len, &used, "%s", g->disabled ? "GeoIP off" : "no GeoIP");
		return buf;
	}
	for (int i = 0; i < g->n_dbs; i++) {
		const struct geo_db_info *d = &g->dbs[i].info;
		append(buf, len, &used, "%s%s %s%s", i ? ", " : "", d->type,
		       day_str(d->built, day, sizeof day), d->stale ? " (stale)" : "");
	}
	return buf;
}
