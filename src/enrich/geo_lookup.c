/* Address lookups: the per-address cache, string interning and the field extraction from
 * MaxMind-format records (GeoLite2/GeoIP2, DB-IP lite) and libloc. */
#include "enrich/enrich_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A resolution's strings: interned in the handle, or for a read-only lookup's miss
 * (geo_lookup_ro) the handle's copy where it has one (equal text, equal pointer: the spread's
 * tallies compare cities and networks by pointer), else the reader's own copy. */
static const char *
gstr(struct geo *g, struct geo_ro *ro, const char *s, size_t len)
{
	const char *p;

	if (ro == NULL)
		return fs_intern_str(&g->strs, s, len);
	if ((p = fs_intern_find(&g->strs, s, len)) != NULL)
		return p;
	return fs_intern_str(&ro->strs, s, len);
}

/* ---- MaxMind-format records ------------------------------------------------------------ */

static const char *const P_ASN[] = { "autonomous_system_number", NULL };
static const char *const P_ASORG[] = { "autonomous_system_organization", NULL };
static const char *const P_CC[] = { "country", "iso_code", NULL };
/* MaxMind leaves `country` out for anycast and satellite networks and keeps the country the
 * block is registered in; that is the best country there is for such an address. */
static const char *const P_REG_CC[] = { "registered_country", "iso_code", NULL };
static const char *const P_FLAT_CC[] = { "country_code", NULL };   /* ip-location-db layout */
static const char *const P_CITY[] = { "city", "names", "en", NULL };
static const char *const P_LAT[] = { "location", "latitude", NULL };
static const char *const P_LON[] = { "location", "longitude", NULL };

static bool
get(MMDB_entry_s *e, const char *const *path, MMDB_entry_data_s *d)
{
	return MMDB_aget_value(e, d, path) == MMDB_SUCCESS && d->has_data;
}

static bool
get_uint(MMDB_entry_s *e, const char *const *path, uint32_t *out)
{
	MMDB_entry_data_s d;

	if (!get(e, path, &d))
		return false;
	switch (d.type) {
	case MMDB_DATA_TYPE_UINT16: *out = d.uint16; return true;
	case MMDB_DATA_TYPE_UINT32: *out = d.uint32; return true;
	case MMDB_DATA_TYPE_INT32: if (d.int32 < 0) return false; *out = (uint32_t)d.int32; return true;
	case MMDB_DATA_TYPE_UINT64:
		if (d.uint64 > UINT32_MAX) return false;
		*out = (uint32_t)d.uint64;
		return true;
	}
	return false;
}

static bool
get_str(MMDB_entry_s *e, const char *const *path, const char **s, size_t *len)
{
	MMDB_entry_data_s d;

	if (!get(e, path, &d) || d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return false;
	*s = d.utf8_string;
	*len = d.data_size;
	return true;
}

static bool
get_double(MMDB_entry_s *e, const char *const *path, double *out)
{
	MMDB_entry_data_s d;

	if (!get(e, path, &d))
		return false;
	if (d.type == MMDB_DATA_TYPE_DOUBLE)
		*out = d.double_value;
	else if (d.type == MMDB_DATA_TYPE_FLOAT)
		*out = d.float_value;
	else
		return false;
	return true;
}

static bool
get_cc(MMDB_entry_s *e, const char *const *path, char cc[3])
{
	const char *s;
	size_t len;

	if (!get_str(e, path, &s, &len) || len != 2)
		return false;
	cc[0] = s[0];
	cc[1] = s[1];
	cc[2] = '\0';
	return true;
}

/* The network of a record as "address/prefix", prefix counted in the address's own bits. */
static const char *
network_str(struct geo *g, struct geo_ro *ro, const fs_addr *a, unsigned prefix)
{
	uint8_t b[16] = { 0 };
	char txt[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 8];
	unsigned bits = a->family == 4 ? 32 : 128;
	int n;

	if (prefix > bits)
		prefix = bits;
	memcpy(b, a->bytes, bits / 8);
	for (unsigned i = prefix; i < bits; i++)
		b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	inet_ntop(a->family == 4 ? AF_INET : AF_INET6, b, txt, sizeof txt);
	n = snprintf(buf, sizeof buf, "%s/%u", txt, prefix);
	return gstr(g, ro, buf, (size_t)n);
}

static void
resolve_mmdb(struct geo *g, struct geo_ro *ro, int idx, const fs_addr *a, struct geo_info *info,
             bool *want_asn, bool *want_geo, const char **asn_net, uint8_t *asn_pfx, const char **geo_net,
             uint8_t *geo_pfx)
{
	struct geo_db *db = &g->dbs[idx];
	struct sockaddr_storage ss;
	MMDB_lookup_result_s r;
	int gai = 0, mmerr = 0;
	unsigned prefix;
	bool take_asn = *want_asn && (db->info.kind == GEO_KIND_ASN || db->info.kind == GEO_KIND_OTHER);
	bool take_geo = *want_geo && db->info.kind != GEO_KIND_ASN;

	if (!take_asn && !take_geo)
		return;
	if (a->family == 6 && !db->info.ipv6)
		return;                /* an IPv4-only database knows no IPv6 address */
	memset(&ss, 0, sizeof ss);
	if (a->family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a->bytes, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a->bytes, 16);
	}
	r = MMDB_lookup_sockaddr(&db->mmdb, (struct sockaddr *)&ss, &mmerr);
	(void)gai;
	if (mmerr != MMDB_SUCCESS || !r.found_entry)
		return;
	/* An IPv4 address in an IPv6 tree sits under ::/96: its netmask counts those 96 bits. */
	prefix = r.netmask;
	if (a->family == 4 && db->info.ipv6)
		prefix = prefix > 96 ? prefix - 96 : 0;

	if (take_asn) {
		uint32_t asn;
		if (get_uint(&r.entry, P_ASN, &asn) && asn != 0) {
			const char *s;
			size_t len;
			info->asn = asn;
			if (get_str(&r.entry, P_ASORG, &s, &len))
				info->as_org = gstr(g, ro, s, len);
			info->asn_db = (int8_t)idx;
			*asn_net = network_str(g, ro, a, prefix);
			*asn_pfx = (uint8_t)prefix;
			*want_asn = false;
		}
	}
	if (take_geo) {
		char cc[3] = "";
		double lat, lon;
		const char *s;
		size_t len;
		bool any = false;

		if (get_cc(&r.entry, P_CC, cc) || get_cc(&r.entry, P_REG_CC, cc) ||
		    get_cc(&r.entry, P_FLAT_CC, cc)) {
			memcpy(info->country, cc, 3);
			any = true;
		}
		if (get_str(&r.entry, P_CITY, &s, &len)) {
			info->city = gstr(g, ro, s, len);
			any = true;
		}
		if (get_double(&r.entry, P_LAT, &lat) && get_double(&r.entry, P_LON, &lon)) {
			info->lat = lat;
			info->lon = lon;
			info->has_location = true;
			any = true;
		}
		if (any) {
			info->geo_db = (int8_t)idx;
			*geo_net = network_str(g, ro, a, prefix);
			*geo_pfx = (uint8_t)prefix;
			*want_geo = false;
		}
	}
}

static const char *
libloc_as_name(struct geo *g, struct geo_ro *ro, struct geoloc *loc, uint32_t asn)
{
	char name[256];
	bool fresh;

	if (ro != NULL) {
		const uint32_t *known = fs_map_get(&g->as_index, asn);
		if (known != NULL)
			return g->as_names.v[*known];
		geoloc_as_name(loc, asn, name, sizeof name);
		return gstr(g, ro, name, strlen(name));
	}
	uint32_t *slot = fs_map_put(&g->as_index, asn, &fresh);

	if (!fresh)
		return g->as_names.v[*slot];
	*slot = (uint32_t)g->as_names.n;
	geoloc_as_name(loc, asn, name, sizeof name);
	fs_vec_push(&g->as_names, fs_intern_str(&g->strs, name, strlen(name)));
	return g->as_names.v[*slot];
}

static void
resolve_libloc(struct geo *g, struct geo_ro *ro, int idx, const fs_addr *a, struct geo_info *info,
               bool *want_asn, bool *want_geo, const char **asn_net, uint8_t *asn_pfx, const char **geo_net,
               uint8_t *geo_pfx)
{
	struct geoloc_result lr;
	const char *net;

	geoloc_lookup(g->dbs[idx].loc, a, &lr);
	if (!lr.found)
		return;
	net = gstr(g, ro, lr.network, strlen(lr.network));
	if (*want_asn && lr.asn != 0) {
		info->asn = lr.asn;
		info->as_org = libloc_as_name(g, ro, g->dbs[idx].loc, lr.asn);
		info->asn_db = (int8_t)idx;
		*asn_net = net;
		*asn_pfx = lr.prefix_len;
		*want_asn = false;
	}
	if (*want_geo && lr.country[0] != '\0') {
		memcpy(info->country, lr.country, 3);
		info->geo_db = (int8_t)idx;
		*geo_net = net;
		*geo_pfx = lr.prefix_len;
		*want_geo = false;
	}
}

/* ro == NULL: strings interned in g; otherwise g is only read (see gstr). */
static void
resolve(struct geo *g, struct geo_ro *ro, const fs_addr *a, struct geo_info *info)
{
	bool want_asn = true, want_geo = true;
	const char *asn_net = NULL, *geo_net = NULL;
	uint8_t asn_pfx = 0, geo_pfx = 0;

	memset(info, 0, sizeof *info);
	info->as_org = "";
	info->city = "";
	info->network = "";
	info->asn_db = info->geo_db = -1;
	for (int i = 0; i < g->n_dbs && (want_asn || want_geo); i++) {
		if (g->dbs[i].is_libloc)
			resolve_libloc(g, ro, i, a, info, &want_asn, &want_geo, &asn_net, &asn_pfx,
			               &geo_net, &geo_pfx);
		else
			resolve_mmdb(g, ro, i, a, info, &want_asn, &want_geo, &asn_net, &asn_pfx,
			             &geo_net, &geo_pfx);
	}
	info->found = info->asn_db >= 0 || info->geo_db >= 0;
	/* The ASN record's prefix is the routed block; a City record's is often finer. */
	if (asn_net != NULL) {
		info->network = asn_net;
		info->prefix_len = asn_pfx;
	} else if (geo_net != NULL) {
		info->network = geo_net;
		info->prefix_len = geo_pfx;
	}
}

void
geo_resolve(struct geo *g, const fs_addr *a, struct geo_info *info)
{
	resolve(g, NULL, a, info);
}

/* ---- the cache ------------------------------------------------------------------------- */

static inline uint32_t
addr_hash(const fs_addr *k)
{
	uint64_t x, y;

	memcpy(&x, k->bytes, 8);
	memcpy(&y, k->bytes + 8, 8);
	x ^= y * 0x9e3779b97f4a7c15ULL + k->family;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

/* IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address: one cache entry, IPv4 lookups. */
static inline void
normalise(const fs_addr *a, fs_addr *k)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(k, 0, sizeof *k);
	if (a->family == 4) {
		k->family = 4;
		memcpy(k->bytes, a->bytes, 4);
	} else if (a->family == 6) {
		if (memcmp(a->bytes, mapped, 12) == 0) {
			k->family = 4;
			memcpy(k->bytes, a->bytes + 12, 4);
		} else {
			k->family = 6;
			memcpy(k->bytes, a->bytes, 16);
		}
	}
}

static inline struct geo_entry *
entry_at(const struct geo *g, uint32_t idx)
{
	idx--;
	return &g->chunks[idx >> GEO_CHUNK_SHIFT][idx & (GEO_CHUNK - 1)];
}

static struct geo_entry *
cache_new_entry(struct geo *g, uint32_t *idx)
{
	size_t c = g->n >> GEO_CHUNK_SHIFT;

	if (c == g->n_chunks) {
		g->chunks = xreallocarray(g->chunks, g->n_chunks + 1, sizeof *g->chunks);
		g->chunks[g->n_chunks++] = xmalloc(GEO_CHUNK * sizeof **g->chunks);
	}
	*idx = (uint32_t)++g->n;
	return entry_at(g, *idx);
}

void
geo_prefetch(const struct geo *g, const fs_addr *addr, int stage)
{
	fs_addr k;
	uint32_t h, s;

	if (g == NULL || g->index.s == NULL)
		return;
	normalise(addr, &k);
	if (k.family == 0)
		return;
	h = addr_hash(&k);
	if (stage == 0) {
		__builtin_prefetch(&g->index.s[h & g->index.mask]);
		return;
	}
	if ((s = fs_hidx_first(&g->index, h)) != FS_HIDX_END)
		__builtin_prefetch(entry_at(g, fs_hidx_item(&g->index, s) + 1));
}

uint32_t
geo_lookup_entry(struct geo *g, const fs_addr *addr)
{
	fs_addr k;
	struct geo_entry *e;
	uint32_t idx, h;

	g->lookups++;
	normalise(addr, &k);
	if (k.family == 0 || g->n_dbs == 0)
		return 0;
	h = addr_hash(&k);
	for (uint32_t s = fs_hidx_first(&g->index, h); s != FS_HIDX_END; s = fs_hidx_next(&g->index, h, s)) {
		idx = fs_hidx_item(&g->index, s) + 1;
		if (memcmp(&entry_at(g, idx)->key, &k, sizeof k) == 0)
			return idx;
	}
	g->misses++;
	e = cache_new_entry(g, &idx);
	e->key = k;
	geo_resolve(g, &k, &e->info);
	fs_hidx_add(&g->index, h, idx - 1);
	return idx;
}

const struct geo_info *
geo_entry_info(const struct geo *g, uint32_t idx)
{
	return idx != 0 ? &entry_at(g, idx)->info : &g->none;
}

const struct geo_info *
geo_lookup(struct geo *g, const fs_addr *addr)
{
	return geo_entry_info(g, geo_lookup_entry(g, addr));
}

uint64_t
geo_cache_generation(const struct geo *g)
{
	return g != NULL ? g->generation : 0;
}

void
geo_by_id_reset(struct geo *g)
{
	free(g->by_id);
	g->by_id = NULL;
	g->cap_by_id = 0;
	g->by_id_store = NULL;
}

/* ---- read-only lookups (geo_lookup_ro) ---------------------------------------------------- */

/* Resolutions by readers: libloc's lookups are not safe on several threads at once (its
 * objects count references), so one reader at a time resolves; the cache is not touched. */
static pthread_mutex_t ro_mu = PTHREAD_MUTEX_INITIALIZER;

struct geo_ro *
geo_ro_new(struct geo *g)
{
	struct geo_ro *ro = xcalloc(1, sizeof *ro);

	ro->g = g;
	fs_map_init(&ro->index);
	return ro;
}

void
geo_ro_free(struct geo_ro *ro)
{
	if (ro == NULL)
		return;
	for (size_t i = 0; i < ro->n_chunks; i++)
		free(ro->chunks[i]);
	free(ro->chunks);
	fs_map_fini(&ro->index);
	fs_intern_free(&ro->strs);
	free(ro);
}

uint64_t
geo_ro_misses(const struct geo_ro *ro)
{
	return ro != NULL ? ro->misses : 0;
}

static struct geo_entry *
ro_entry(const struct geo_ro *ro, uint32_t idx)
{
	idx--;
	return &ro->chunks[idx >> GEO_CHUNK_SHIFT][idx & (GEO_CHUNK - 1)];
}

const struct geo_info *
geo_lookup_ro(struct geo_ro *ro, const fs_addr *addr)
{
	struct geo *g = ro->g;
	fs_addr k;
	uint32_t h;

	normalise(addr, &k);
	if (k.family == 0 || g->n_dbs == 0)
		return &g->none;
	h = addr_hash(&k);
	for (uint32_t s = fs_hidx_first(&g->index, h); s != FS_HIDX_END; s = fs_hidx_next(&g->index, h, s)) {
		const struct geo_entry *e = entry_at(g, fs_hidx_item(&g->index, s) + 1);
		if (memcmp(&e->key, &k, sizeof k) == 0)
			return &e->info;
	}
	/* Not in the handle's cache: the reader's own, else resolved into it. */
	uint64_t x, y, key;
	memcpy(&x, k.bytes, 8);
	memcpy(&y, k.bytes + 8, 8);
	key = fs_hash64(x ^ fs_hash64(y + k.family));
	if (key == FS_MAP_EMPTY)
		key = 0;
	bool fresh;
	uint32_t *slot = fs_map_put(&ro->index, key, &fresh);
	if (!fresh && memcmp(&ro_entry(ro, *slot)->key, &k, sizeof k) == 0)
		return &ro_entry(ro, *slot)->info;
	if (ro->n >> GEO_CHUNK_SHIFT == ro->n_chunks) {
		ro->chunks = xreallocarray(ro->chunks, ro->n_chunks + 1, sizeof *ro->chunks);
		ro->chunks[ro->n_chunks++] = xmalloc(GEO_CHUNK * sizeof **ro->chunks);
	}
	uint32_t idx = (uint32_t)++ro->n;
	struct geo_entry *e = ro_entry(ro, idx);
	if (fresh)
		*slot = idx;   /* a colliding key keeps the first: the other is resolved each time */
	e->key = k;
	ro->misses++;
	pthread_mutex_lock(&ro_mu);
	resolve(g, ro, &k, &e->info);
	pthread_mutex_unlock(&ro_mu);
	return &e->info;
}

void
geo_cache_free(struct geo *g)
{
	for (size_t i = 0; i < g->n_chunks; i++)
		free(g->chunks[i]);
	free(g->chunks);
	fs_hidx_fini(&g->index);
	fs_map_fini(&g->as_index);
	fs_vec_free(&g->as_names);
	fs_intern_free(&g->strs);
	g->chunks = NULL;
	g->n_chunks = g->n = 0;
	geo_by_id_reset(g);
}

bool
geo_cache_trim(struct geo *g, size_t max_bytes)
{
	struct geo_cache_stats st;

	geo_cache_stats(g, &st);
	if (st.bytes - g->strs.bytes <= max_bytes)
		return false;
	/* The entries go; the interned strings and AS names stay (pointers to them are kept). */
	for (size_t i = 0; i < g->n_chunks; i++)
		free(g->chunks[i]);
	free(g->chunks);
	fs_hidx_fini(&g->index);
	g->chunks = NULL;
	g->n_chunks = g->n = 0;
	geo_by_id_reset(g);
	g->generation++;
	return true;
}

void
geo_cache_stats(const struct geo *g, struct geo_cache_stats *out)
{
	out->lookups = g->lookups;
	out->misses = g->misses;
	out->entries = g->n;
	out->bytes = fs_hidx_bytes(&g->index) + g->n_chunks * GEO_CHUNK * sizeof(struct geo_entry) +
	             g->strs.bytes + g->cap_by_id * sizeof *g->by_id;
}

bool
geo_residential_looking(const struct geo_info *g)
{
	static const char *const access[] = { "telecom", "telekom", "broadband", "cable", "dsl",
	                                      "fiber", "fibre", "mobile", "cellular", "wireless",
	                                      "communications", "online", "residential", "dynamic",
	                                      "dial" };
	static const char *const hosting[] = { "hosting", "host", "cloud", "data center",
	                                       "datacenter", "server", "vps", "colo", "cdn" };
	char low[256];
	size_t n = 0;

	if (g == NULL || g->as_org == NULL || g->as_org[0] == '\0')
		return false;
	for (const char *p = g->as_org; *p != '\0' && n + 1 < sizeof low; p++)
		low[n++] = (char)tolower((unsigned char)*p);
	low[n] = '\0';
	for (size_t i = 0; i < sizeof hosting / sizeof hosting[0]; i++)
		if (strstr(low, hosting[i]) != NULL)
			return false;
	for (size_t i = 0; i < sizeof access / sizeof access[0]; i++)
		if (strstr(low, access[i]) != NULL)
			return true;
	return false;
}
