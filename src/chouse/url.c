/* clickhouse://HOST[:PORT]/DB, and the times of --since/--until. */
#include "chouse/ch_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

fs_status
ch_url_parse(const char *s, const char *opt, struct ch_url *out, struct fs_err *err)
{
	static const char scheme[] = "clickhouse://";
	const char *p, *slash, *hend;
	size_t hl;

	memset(out, 0, sizeof *out);
	out->port = 8123;
	if (strncmp(s, scheme, sizeof scheme - 1) != 0)
		return fs_err_set(err, FS_E_ARG, "option %s needs clickhouse://HOST[:PORT]/DATABASE, not '%s'",
		                  opt, s);
	p = s + sizeof scheme - 1;
	if ((slash = strchr(p, '/')) == NULL)
		return fs_err_set(err, FS_E_ARG, "option %s: '%s' names no database "
		                  "(clickhouse://HOST[:PORT]/DATABASE)", opt, s);
	if (*p == '[') {
		if ((hend = memchr(p, ']', (size_t)(slash - p))) == NULL)
			return fs_err_set(err, FS_E_ARG, "option %s: '%s' has an unclosed [ in its host", opt, s);
		hl = (size_t)(hend - p - 1);
		if (hl == 0 || hl >= sizeof out->host)
			return fs_err_set(err, FS_E_ARG, "option %s: '%s' has no usable host", opt, s);
		memcpy(out->host, p + 1, hl);
		p = hend + 1;
	} else {
		const char *colon = memchr(p, ':', (size_t)(slash - p));
		hend = colon ? colon : slash;
		hl = (size_t)(hend - p);
		if (hl == 0 || hl >= sizeof out->host)
			return fs_err_set(err, FS_E_ARG, "option %s: '%s' has no usable host", opt, s);
		memcpy(out->host, p, hl);
		p = hend;
	}
	for (const char *h = out->host; *h; h++)
		if (!isalnum((unsigned char)*h) && *h != '.' && *h != '-' && *h != ':' && *h != '_')
			return fs_err_set(err, FS_E_ARG, "option %s: '%s' has a character that is not "
			                  "allowed in a host name", opt, s);
	if (*p == ':') {
		char *end;
		long port = strtol(p + 1, &end, 10);
		if (end != slash || end == p + 1 || port < 1 || port > 65535)
			return fs_err_set(err, FS_E_ARG, "option %s: '%s' needs a port from 1 to 65535", opt, s);
		out->port = (unsigned)port;
	} else if (p != slash)
		return fs_err_set(err, FS_E_ARG, "option %s: '%s' is not clickhouse://HOST[:PORT]/DATABASE",
		                  opt, s);
	p = slash + 1;
	size_t dl = strlen(p);
	if (dl > 0 && p[dl - 1] == '/')
		dl--;
	if (dl == 0 || dl >= sizeof out->db)
		return fs_err_set(err, FS_E_ARG, "option %s: '%s' names no database "
		                  "(clickhouse://HOST[:PORT]/DATABASE)", opt, s);
	for (size_t i = 0; i < dl; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_')
			return fs_err_set(err, FS_E_ARG, "option %s: the database name in '%s' may hold only "
			                  "letters, digits and _", opt, s);
	memcpy(out->db, p, dl);
	return FS_OK;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

fs_status
ch_parse_when(const char *s, const char *opt, fs_time now, fs_time *out, struct fs_err *err)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, se = 0;
	char *end;

	/* a duration back from now */
	if (isdigit((unsigned char)*s)) {
		double v = strtod(s, &end);
		int64_t mul = 0;
		if (end != s && end[0] != '\0' && end[1] == '\0' && end[0] != '-') {
			switch (*end) {
			case 's': mul = 1; break;
			case 'm': mul = 60; break;
			case 'h': mul = 3600; break;
			case 'd': mul = 86400; break;
			case 'w': mul = 7 * 86400; break;
			}
			if (mul != 0 && v >= 0 && v <= 1e5 * 86400.0 / (double)mul) {
				*out = now - (fs_time)(v * (double)mul * (double)FS_USEC);
				return FS_OK;
			}
		}
	}
	/* ISO 8601: YYYY-MM-DD[(T| )HH:MM[:SS[.frac]]][Z|±HH[:]MM] */
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		goto bad;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			goto bad;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &se))
				goto bad;
			if (*p == '.' || *p == ',') {
				p++;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
	}
	int64_t off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
		if (digits(&p, 2, &oh))
			goto bad;
		if (*p == ':')
			p++;
		if (*p != '\0' && digits(&p, 2, &om))
			goto bad;
		if (oh > 23 || om > 59)
			goto bad;
		off = sign * (oh * 3600 + om * 60);
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		goto bad;
	int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - off;
	*out = (fs_time)t * FS_USEC;
	return FS_OK;
bad:
	return fs_err_set(err, FS_E_ARG, "option %s needs a duration back from now (24h, 90m, 7d, "
	                  "3600s) or an ISO 8601 time (2025-11-18T10:00:00Z), not '%s'", opt, s);
}
