/* The schema (--sink-init) and the SQL of the workstation's window. docs/scale.md explains
 * both. Written for ClickHouse 18.16 (Debian's) and current releases: no DateTime64 (seconds
 * plus a UInt32 of microseconds), no IPv4/IPv6 column types (FixedString(16), IPv4 mapped
 * into IPv6 as ClickHouse's own IPv6 type does), no LowCardinality. */
#include "chouse/ch_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ch_schema_sql[] = {
	"CREATE DATABASE IF NOT EXISTS {db}",
	"CREATE TABLE IF NOT EXISTS {db}." CH_TABLE " (\n"
	"  ts DateTime,                 -- capture time, seconds (UTC)\n"
	"  us UInt32,                   -- and microseconds\n"
	"  sensor String,               -- --sensor NAME\n"
	"  batch UInt64,                -- sensor run id << 32 | batch number: replays are checked by it\n"
	"  seq UInt32,                  -- row in its batch\n"
	"  vantage UInt8,               -- 1 recursive answer (client side), 2 authoritative/referral (upstream);\n"
	"                               -- declared by the feed when flags has 256, else inferred\n"
	"  client FixedString(16),      -- message destination, IPv4 as ::ffff:a.b.c.d\n"
	"  resolver FixedString(16),    -- message source\n"
	"  qname String,\n"
	"  registrable String,          -- eTLD+1 of qname (libpsl at the sensor), '' if none\n"
	"  qtype UInt16,\n"
	"  rcode UInt16,                -- extended with OPT's upper bits\n"
	"  flags UInt16,                -- 1 AA, 2 TC, 4 RD, 8 RA, 16 AD, 32 CD, 64 TCP, 128 malformed, 256 view declared\n"
	"  rr_section Array(UInt8),     -- 1 answer, 2 authority (NS), 3 additional (A/AAAA glue)\n"
	"  rr_type Array(UInt16),\n"
	"  rr_ttl Array(UInt32),\n"
	"  rr_name Array(String),       -- owner\n"
	"  rr_data Array(String),       -- presentation form: addresses, target names, other RDATA\n"
	"  feed String DEFAULT ''       -- a feed's vantage (resolver identity, dnstap message type), '' for packets\n"
	") ENGINE = MergeTree\n"
	"PARTITION BY toYYYYMMDD(ts)\n"
	"ORDER BY (registrable, qname, ts)\n"
	"SETTINGS index_granularity = 8192",
};
const size_t ch_n_schema_sql = sizeof ch_schema_sql / sizeof ch_schema_sql[0];

char *
ch_sql_db(const char *sql, const char *db)
{
	struct ch_buf b = { 0 };
	const char *p = sql, *q;

	while ((q = strstr(p, "{db}")) != NULL) {
		ch_buf_add(&b, p, (size_t)(q - p));
		ch_buf_add(&b, db, strlen(db));
		p = q + 4;
	}
	ch_buf_add(&b, p, strlen(p) + 1);
	return (char *)b.p;
}

fs_status
ch_schema_init(const struct ch_url *u, struct fs_err *err)
{
	struct ch_url base = *u;
	struct ch_http *h;
	fs_status st = FS_OK;
	enum ch_fail fail;

	/* the database may not exist yet: run in "default" */
	snprintf(base.db, sizeof base.db, "default");
	h = ch_http_new(&base);
	ch_http_set_timeout(h, 3000, 60000);
	for (size_t i = 0; i < ch_n_schema_sql && st == FS_OK; i++) {
		char *sql = ch_sql_db(ch_schema_sql[i], u->db);
		struct ch_buf out = { 0 };
		st = ch_http_query(h, sql, NULL, 0, &out, 1 << 20, NULL, &fail, err);
		ch_buf_fini(&out);
		free(sql);
	}
	/* A table made before the feed column (18.16 has no ADD COLUMN IF NOT EXISTS): add it */
	if (st == FS_OK) {
		struct ch_buf out = { 0 };
		char *sql = xasprintf("SELECT count() FROM system.columns WHERE database = '%s' AND "
		                      "table = '" CH_TABLE "' AND name = 'feed' FORMAT TSV", u->db);
		st = ch_http_query(h, sql, NULL, 0, &out, 64, NULL, &fail, err);
		free(sql);
		if (st == FS_OK && out.len > 0 && out.p[0] == '0') {
			sql = xasprintf("ALTER TABLE %s." CH_TABLE " ADD COLUMN feed String DEFAULT ''", u->db);
			out.len = 0;
			st = ch_http_query(h, sql, NULL, 0, &out, 1 << 20, NULL, &fail, err);
			free(sql);
		}
		ch_buf_fini(&out);
	}
	ch_http_free(h);
	return st;
}

/* The window: whole seconds first (partition and index pruning), then microseconds. */
static char *
window(fs_time since, fs_time until)
{
	int64_t s = since < 0 ? 0 : since / FS_USEC, u = until < 0 ? 0 : until / FS_USEC + 1;
	if (u > UINT32_MAX)
		u = UINT32_MAX;
	if (s > UINT32_MAX)
		s = UINT32_MAX;
	return xasprintf("ts >= toDateTime(%" PRId64 ") AND ts <= toDateTime(%" PRId64 ") AND "
	                 "toUInt64(ts) * 1000000 + us >= %" PRId64 " AND "
	                 "toUInt64(ts) * 1000000 + us < %" PRId64,
	                 s, u, since < 0 ? (int64_t)0 : (int64_t)since, until < 0 ? (int64_t)0 : (int64_t)until);
}

#define ANSWER_ADDRS "arrayFilter((d, t, s) -> s = 1 AND (t = 1 OR t = 28), rr_data, rr_type, rr_section)"
#define NS_NAMES "arrayFilter((d, t) -> t = 2, rr_data, rr_type)"

char *
ch_sql_candidates(const char *db, fs_time since, fs_time until)
{
	char *w = window(since, until);
	/* Per name: distinct answer addresses, their /16 prefixes (IPv6: the first 32 bits),
	 * distinct answer sets, distinct non-empty NS sets and the smallest answer TTL; per zone
	 * (registrable domain): distinct addresses over all its names. A name is a candidate when
	 * it had two addresses, two answer sets or two NS sets in the window, or its zone had two
	 * addresses (random-subdomain flux asks each name once). One address for ever cannot be
	 * flux. */
	char *sql = xasprintf(
	    "SELECT name, reg, addrs, ns, sets, nssets, p16, ttl_min, zaddrs FROM (\n"
	    "  SELECT qname AS name, any(registrable) AS reg,\n"
	    "    groupUniqArrayArray(" ANSWER_ADDRS ") AS addrs,\n"
	    "    uniqExact(arraySort(" ANSWER_ADDRS ")) AS sets,\n"
	    "    uniqExactIf(arraySort(" NS_NAMES "), has(rr_type, 2)) AS nssets,\n"
	    "    groupUniqArrayArray(" NS_NAMES ") AS ns,\n"
	    "    length(groupUniqArrayArray(arrayMap(d -> if(position(d, ':') > 0, substring(d, 1, 9),\n"
	    "      toString(intDiv(IPv4StringToNum(d), 65536))), " ANSWER_ADDRS "))) AS p16,\n"
	    "    minIf(arrayReduce('min', arrayFilter((x, t, s) -> s = 1 AND (t = 1 OR t = 28), rr_ttl, rr_type, rr_section)),\n"
	    "      notEmpty(" ANSWER_ADDRS ")) AS ttl_min\n"
	    "  FROM %s." CH_TABLE " WHERE %s GROUP BY qname\n"
	    ") ANY LEFT JOIN (\n"
	    "  SELECT registrable AS reg, length(groupUniqArrayArray(" ANSWER_ADDRS ")) AS zaddrs\n"
	    "  FROM %s." CH_TABLE " WHERE %s AND registrable != '' GROUP BY registrable\n"
	    ") USING reg\n"
	    "WHERE length(addrs) >= 2 OR sets >= 2 OR nssets >= 2 OR zaddrs >= 2\n"
	    "FORMAT RowBinary", db, w, db, w);
	free(w);
	return sql;
}

char *
ch_sql_rows(const char *db, fs_time since, fs_time until, bool all)
{
	char *w = window(since, until);
	/* The rows of the selected names (query name or the owner of any record: CNAME targets,
	 * NS names with their glue) and every row that answered one of their addresses (the
	 * neighbours that share infrastructure); external table sel(k, v): k 0 names, 1 addresses. */
	char *sql = xasprintf(
	    "SELECT ts, us, sensor, batch, seq, vantage, client, resolver, qname, registrable, qtype,\n"
	    "  rcode, flags, rr_section, rr_type, rr_ttl, rr_name, rr_data, feed\n"
	    "FROM %s." CH_TABLE " WHERE %s%s\n"
	    "ORDER BY ts, us, sensor, batch, seq\n"
	    "FORMAT RowBinary", db, w,
	    all ? "" : " AND (qname IN (SELECT v FROM sel WHERE k = 0)\n"
	               "  OR arrayExists(x -> x IN (SELECT v FROM sel WHERE k = 0), rr_name)\n"
	               "  OR arrayExists((d, t) -> (t = 1 OR t = 28) AND d IN (SELECT v FROM sel WHERE k = 1), rr_data, rr_type))");
	free(w);
	return sql;
}

/* The rows of a selection (k_name: names as query name or record owner; k_zone: zones whose
 * NS records a row carries; k_addr: addresses answered, or -1). */
static char *
sel_pred(int k_name, int k_zone, int k_addr)
{
	char zone[160] = "", addr[200] = "";
	if (k_zone >= 0)
		snprintf(zone, sizeof zone, "\n  OR arrayExists((n, t) -> t = 2 AND n IN (SELECT v FROM sel WHERE k = %d), rr_name, rr_type)", k_zone);
	if (k_addr >= 0)
		snprintf(addr, sizeof addr, "\n  OR arrayExists((d, t) -> (t = 1 OR t = 28) AND d IN (SELECT v FROM sel WHERE k = %d), rr_data, rr_type)", k_addr);
	return xasprintf("(qname IN (SELECT v FROM sel WHERE k = %d)\n"
	                 "  OR arrayExists(x -> x IN (SELECT v FROM sel WHERE k = %d), rr_name)%s%s)",
	                 k_name, k_name, zone, addr);
}

char *
ch_sql_history(const char *db, fs_time since, fs_time until)
{
	char *w = window(since, until);
	/* One name's rows in the window (k 4: as query name or the owner of any record) and its
	 * zone's NS rows (k 5), less the rows the window loaded (the row step's selection, k 0
	 * and 1) and those earlier drill-downs fetched (k 2 names, k 3 zones): nothing twice. */
	char *want = sel_pred(4, 5, -1), *win = sel_pred(0, -1, 1), *done = sel_pred(2, 3, -1);
	char *sql = xasprintf(
	    "SELECT ts, us, sensor, batch, seq, vantage, client, resolver, qname, registrable, qtype,\n"
	    "  rcode, flags, rr_section, rr_type, rr_ttl, rr_name, rr_data, feed\n"
	    "FROM %s." CH_TABLE " WHERE %s\n AND %s\n AND NOT %s\n AND NOT %s\n"
	    "ORDER BY ts, us, sensor, batch, seq\n"
	    "FORMAT RowBinary", db, w, want, win, done);
	free(w);
	free(want);
	free(win);
	free(done);
	return sql;
}
