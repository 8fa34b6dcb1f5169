/* Status texts, user-facing errors, allocation, addresses, hashing and clocks (atomic file
 * writes are in atomic.c). */
#include "fluxscope/fs.h"

#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*fatal_hook)(void);

const char *
fs_status_str(fs_status st)
{
	static const char *const text[] = {
		[FS_OK] = "success",
		[FS_E_NOMEM] = "out of memory",
		[FS_E_IO] = "input/output error",
		[FS_E_FORMAT] = "bad format",
		[FS_E_TRUNCATED] = "truncated input",
		[FS_E_ARG] = "bad argument",
		[FS_E_NOTFOUND] = "not found",
		[FS_E_PERM] = "permission denied",
		[FS_E_UNSUPPORTED] = "unsupported",
		[FS_E_INTERNAL] = "internal error",
	};
	if ((unsigned)st < sizeof text / sizeof text[0] && text[st] != NULL)
		return text[st];
	return "unknown status";
}

fs_status
fs_err_set(struct fs_err *err, fs_status status, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return status;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return status;
}

void
fs_err_clear(struct fs_err *err)
{
	if (err != NULL) {
		err->status = FS_OK;
		err->msg[0] = '\0';
	}
}

void
fs_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

_Noreturn void
fs_fatal(const char *fmt, ...)
{
	va_list ap;

	if (fatal_hook != NULL)
		fatal_hook();
	fputs("fluxscope: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		fs_fatal("out of memory allocating %zu bytes", n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (p == NULL)
		fs_fatal("out of memory allocating %zu x %zu bytes", nmemb, size);
	return p;
}

void *
xzalloc(size_t nmemb, size_t size)
{
	void *p = xreallocarray(NULL, nmemb ? nmemb : 1, size ? size : 1);

	memset(p, 0, (nmemb ? nmemb : 1) * (size ? size : 1));
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		fs_fatal("out of memory reallocating %zu bytes", n);
	return q;
}

void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		fs_fatal("allocation overflow (%zu x %zu)", nmemb, size);
	return xrealloc(p, nmemb * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fs_fatal("out of memory formatting a string");
	va_end(ap);
	return s;
}

/* Dotted-quad text of 4 bytes at p, by hand (inet_ntop formats it through sprintf); returns
 * the end (not terminated). */
static char *
put_ip4(char *p, const uint8_t *b)
{
	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];
		if (i)
			*p++ = '.';
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
	}
	return p;
}

/* IPv6 text by hand, byte for byte what glibc's inet_ntop gives (RFC 5952's form: the first
 * longest run of two or more zero groups as "::", lower-case hex without leading zeros; the
 * last 32 bits as dotted IPv4 after ::ffff: and after 96 zero bits, but for :: and ::1 and
 * their like, as glibc does); inet_ntop goes through sprintf for every group, which the
 * report's and --dump's AAAA rows feel. buf holds FS_ADDR_STRLEN. */
static void
addr6_str(const uint8_t *b, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;
	char *p = buf;

	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0)
				cur = i, cur_len = 0;
			cur_len++;
		} else if (cur >= 0) {
			if (best < 0 || cur_len > best_len)
				best = cur, best_len = cur_len;
			cur = -1;
		}
	}
	if (cur >= 0 && (best < 0 || cur_len > best_len))
		best = cur, best_len = cur_len;
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i != 0)
			*p++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
			*put_ip4(p, b + 12) = '\0';
			return;
		}
		int shift = w[i] >= 0x1000 ? 12 : w[i] >= 0x100 ? 8 : w[i] >= 0x10 ? 4 : 0;
		for (; shift >= 0; shift -= 4)
			*p++ = hex[(w[i] >> shift) & 0xf];
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	*p = '\0';
}

const char *
fs_addr_str(const fs_addr *a, char *buf, size_t len)
{
	if (a->family == 4 && len >= 16)
		*put_ip4(buf, a->bytes) = '\0';   /* the report's rows and --dump feel sprintf */
	else if (a->family == 4)
		inet_ntop(AF_INET, a->bytes, buf, (socklen_t)len);
	else if (a->family == 6 && len >= FS_ADDR_STRLEN)
		addr6_str(a->bytes, buf);
	else if (a->family == 6)
		inet_ntop(AF_INET6, a->bytes, buf, (socklen_t)len);
	else
		snprintf(buf, len, "-");
	return buf;
}

int
fs_addr_parse(const char *s, fs_addr *out)
{
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, s, out->bytes) == 1) {
		out->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->bytes) == 1) {
		out->family = 6;
		return 0;
	}
	return -1;
}

uint64_t
fs_hash_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 32);
}

uint32_t
fs_addr_hash(const fs_addr *a)
{
	return (uint32_t)fs_hash_bytes(a->bytes, a->family == 4 ? 4 : 16) ^ a->family;
}

double
fs_mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int
fs_threads(void)
{
	const char *e = getenv("FLUXSCOPE_THREADS");
	long n;

	if (e != NULL && *e != '\0') {
		n = strtol(e, NULL, 10);
		return n < 1 ? 1 : n > 64 ? 64 : (int)n;
	}
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

fs_time
fs_mono_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (fs_time)t.tv_sec * FS_USEC + t.tv_nsec / 1000;
}
