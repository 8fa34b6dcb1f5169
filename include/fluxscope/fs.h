/* fluxscope core: status codes, user-facing errors, allocation, addresses, time. */
#ifndef FLUXSCOPE_FS_H
#define FLUXSCOPE_FS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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
/* Zeroed like xcalloc, but by writing: for hash tables probed (read) before they are written.
 * calloc's fresh pages are first mapped to the shared zero page on a read and faulted again,
 * with a TLB shootdown across the threads' cores, on the first write. */
void *xzalloc(size_t nmemb, size_t size);
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
/* Family, then bytes: IPv4 before IPv6. Inline: the spread rows sort by it. */
static inline int
fs_addr_cmp(const fs_addr *a, const fs_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16);
}
uint32_t fs_addr_hash(const fs_addr *a);

/* Capture time: microseconds since the Unix epoch. */
typedef int64_t fs_time;
#define FS_USEC 1000000LL

/* Monotonic clock (CLOCK_MONOTONIC) for rates, timeouts and pacing; never capture time. */
double fs_mono_ms(void);
fs_time fs_mono_us(void);

/* Worker threads the core may use for one job (ingest pipeline, sharded detection): the
 * FLUXSCOPE_THREADS environment variable when set (1 = everything on the calling thread),
 * else the online CPUs, at most 8. Results never depend on it. */
int fs_threads(void);

/* Hash of a byte string (FNV-1a 64 folded); used by interning tables. */
uint64_t fs_hash_bytes(const void *p, size_t n);

/* ---- Files the tool writes (src/util/atomic.c) ------------------------------------------
 * Every file is replaced atomically: written to TARGET.tmp.PID.XXXXXX in the target's folder,
 * fsync'ed, renamed over TARGET (and the folder fsync'ed). So a reader sees the old file or the
 * new one, never a part, and on any failure the old file is untouched.
 *  - An existing target keeps its permission bits, and as root its owner and group (a user
 *    keeps the group where they may); a new file gets 0666 less the umask.
 *  - A symbolic link is written through: the temporary file goes beside the link's final
 *    target, which the rename replaces; the link stays. An existing device or FIFO
 *    (/dev/null, a named pipe) is written directly; a folder is refused.
 *  - While a temporary file exists its path is in a registry the SIGINT/SIGTERM/SIGHUP handler
 *    of fs_atomic_install_signals() unlinks before the signal's default action; the file holds
 *    an flock. Before writing, the leftover temporary files of the same target whose process is
 *    gone (a SIGKILL, a crash, a power cut) and whose lock is free are removed.
 * Any thread; one struct fs_atomic per write. Errors are one sentence naming the path (and the
 * link's target when they differ). */
struct fs_atomic {
	char *path;                /* as given */
	char *target;              /* the name replaced: path with symlinks followed */
	char *tmp;                 /* temporary file; NULL when a device or FIFO is written directly */
	int fd;                    /* the temporary file (locked), or the device */
	int slot;                  /* signal registry slot, -1 = none (path too long, registry full) */
	FILE *f;                   /* fs_atomic_stream(), NULL until asked */
	unsigned stale_removed;    /* leftover temporary files of dead writers removed by begin */
	char warning[256];         /* "" or one sentence: the old owner or mode could not be kept */
};

/* Create the temporary file (after removing stale ones). On failure nothing was created and
 * w needs no abort. */
fs_status fs_atomic_begin(struct fs_atomic *w, const char *path, struct fs_err *err);
/* A stdio stream on the temporary file (owned by w: closed by commit or abort). Mix it with
 * fs_atomic_write() only after fflush(). */
FILE *fs_atomic_stream(struct fs_atomic *w, struct fs_err *err);
fs_status fs_atomic_write(struct fs_atomic *w, const void *data, size_t len, struct fs_err *err);
/* Flush, fsync, rename over the target. On failure the temporary file is removed and the
 * target untouched. Either way w is finished. */
fs_status fs_atomic_commit(struct fs_atomic *w, struct fs_err *err);
/* Remove the temporary file, leave the target untouched. Safe on a finished w. */
void fs_atomic_abort(struct fs_atomic *w);
/* Install the handler for SIGINT, SIGTERM and SIGHUP where their disposition is the default
 * (an ignored signal stays ignored): it unlinks the live temporary files, then the default
 * action ends the process. Front ends call it once at start; later handlers of their own
 * (the TUI, a live capture) replace it while they run and put it back. */
void fs_atomic_install_signals(void);
/* Remove TARGET.tmp.PID.XXXXXX files beside target whose process PID no longer exists and
 * whose lock is free; returns how many. (fs_atomic_begin calls it; exposed for tests.) */
unsigned fs_atomic_clean_stale(const char *target);

/* Write `len` bytes to path with the above. */
fs_status fs_write_atomic(const char *path, const void *data, size_t len, struct fs_err *err);

#endif
