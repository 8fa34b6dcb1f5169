/* fluxscope core: status codes, user-facing errors, allocation, addresses, time. */
#ifndef FLUXSCOPE_FS_H
#define FLUXSCOPE_FS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define FS_VERSION "0.1.0"

/* One status enum for the whole core (ldns style); fs_status_str() gives its text. */
typedef enum fs_status {
	FS_OK = 0,
	FS_E_NOMEM,
	FS_E_IO,          /* read/write/open failed (errno-based) */
	FS_E_FORMAT,      /* input is not in the expected format */
	FS_E_TRUNCATED,   /* input ends early */
	FS_E_ARG,         /* bad option or argument */
	FS_E_NOTFOUND,
	FS_E_PERM,
	FS_E_UNSUPPORTED,
	FS_E_INTERNAL
} fs_status;

const char *fs_status_str(fs_status st);

/* A failure a user will read: one sentence naming the file, interface or option at fault
 * (tmux's `cause`). Embedded by value; no ownership. */
struct fs_err {
	fs_status status;
	char msg[512];
};

/* Fill err (may be NULL) with status and a printf-formatted sentence; returns status. */
fs_status fs_err_set(struct fs_err *err, fs_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void fs_err_clear(struct fs_err *err);

/* Allocation that never returns NULL: on OOM the registered fatal hook runs (the UI uses it
 * to restore the terminal) and the process aborts. Any thread. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fs_set_fatal_hook(void (*hook)(void));
_Noreturn void fs_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An IPv4 or IPv6 address by value. IPv4 uses bytes[0..3], the rest zero. */
typedef struct fs_addr {
	uint8_t family; /* 4 or 6; 0 = none */
	uint8_t bytes[16];
} fs_addr;

#define FS_ADDR_STRLEN 46
/* Presentation form (inet_ntop); returns buf. */
const char *fs_addr_str(const fs_addr *a, char *buf, size_t len);
/* Parse dotted-quad or IPv6 text; 0 on success, -1 if not an address. */
int fs_addr_parse(const char *s, fs_addr *out);
int fs_addr_cmp(const fs_addr *a, const fs_addr *b);
uint32_t fs_addr_hash(const fs_addr *a);

/* Capture time: microseconds since the Unix epoch. */
typedef int64_t fs_time;
#define FS_USEC 1000000LL

/* Monotonic clock (CLOCK_MONOTONIC) for rates, timeouts and pacing; never capture time. */
double fs_mono_ms(void);
fs_time fs_mono_us(void);

/* Hash of a byte string (FNV-1a 64 folded); used by interning tables. */
uint64_t fs_hash_bytes(const void *p, size_t n);

/* Write `len` bytes to path atomically: temp file in the same folder, fsync, rename.
 * On failure nothing at path changes and err names the path. */
fs_status fs_write_atomic(const char *path, const void *data, size_t len, struct fs_err *err);

#endif
