/* Atomic file replacement: a temporary file beside the final target, fsync, rename; the
 * target's mode and owner kept, symlinks written through, temporary files removed on
 * SIGINT/SIGTERM/SIGHUP and, after a SIGKILL, by the next writer of the same target. */
#include "fluxscope/fs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- The registry of live temporary files (read by the signal handler) --------------------
 * A slot is claimed (1) while its path is copied, then published (2); the handler unlinks the
 * path of every published slot. Only lock-free atomics and unlink(): async-signal-safe. A slot
 * is published before the file is created and released after the rename or unlink, so a
 * signal at any moment leaves no temporary file behind. */

#define REG_SLOTS 16
#define REG_PATH 4096

enum { SLOT_FREE, SLOT_CLAIMED, SLOT_LIVE };

static struct {
	atomic_int state;
	char path[REG_PATH];
} reg[REG_SLOTS];

static int
reg_add(const char *path)
{
	size_t n = strlen(path);

	if (n >= REG_PATH)
		return -1;
	for (int i = 0; i < REG_SLOTS; i++) {
		int expect = SLOT_FREE;
		if (atomic_compare_exchange_strong(&reg[i].state, &expect, SLOT_CLAIMED)) {
			memcpy(reg[i].path, path, n + 1);
			atomic_store(&reg[i].state, SLOT_LIVE);
			return i;
		}
	}
	return -1;
}

static void
reg_del(int slot)
{
	if (slot >= 0)
		atomic_store(&reg[slot].state, SLOT_FREE);
}

static void
on_fatal_signal(int sig)
{
	int saved = errno;

	for (int i = 0; i < REG_SLOTS; i++)
		if (atomic_load(&reg[i].state) == SLOT_LIVE)
			(void)unlink(reg[i].path);
	/* SA_RESETHAND made the disposition the default again: the signal, delivered once this
	 * handler returns, ends the process as it would have without us. */
	(void)raise(sig);
	errno = saved;
}

void
fs_atomic_install_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		/* Only where the default (ending the process) applies: an ignored SIGHUP (nohup) stays
		 * ignored, and a handler someone else installed stays theirs. */
		if (sigaction(sigs[i], NULL, &old) != 0)
			continue;
		if (!(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL)
			(void)sigaction(sigs[i], &sa, NULL);
	}
}

/* ---- Names ----------------------------------------------------------------------------------- */

/* The final name behind path: symbolic links followed one by one (a link relative to its own
 * folder), stopping at the first name that does not exist or is not a link. NULL with errno
 * set on a link loop or an unreadable link. */
static char *
resolve_links(const char *path)
{
	char *p = xstrdup(path);

	for (int hops = 0;; hops++) {
		struct stat st;
		char *link, *slash;
		ssize_t n;

		if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode))
			return p;  /* missing (created there) or not a link: the target */
		if (hops == 40) {
			free(p);
			errno = ELOOP;
			return NULL;
		}
		size_t cap = st.st_size > 0 && st.st_size < 65536 ? (size_t)st.st_size + 1 : 4096;
		link = xmalloc(cap);
		n = readlink(p, link, cap);
		if (n < 0 || (size_t)n >= cap) {
			int e = n < 0 ? errno : ENAMETOOLONG;
			free(link);
			free(p);
			errno = e;
			return NULL;
		}
		link[n] = '\0';
		if (link[0] == '/' || (slash = strrchr(p, '/')) == NULL) {
			free(p);
			p = link;
		} else {
			char *q = xasprintf("%.*s/%s", (int)(slash - p), p, link);
			free(link);
			free(p);
			p = q;
		}
	}
}

/* Folder and base name of path (no trailing slash handling needed: a target is a file). */
static void
split_path(const char *path, char **dir, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*dir = xstrdup(".");
		*base = path;
	} else {
		*dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
		*base = slash + 1;
	}
}

static void
random_suffix(char out[7])
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static atomic_uint counter;
	struct timespec t;
	uint64_t v[3];

	clock_gettime(CLOCK_REALTIME, &t);
	v[0] = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
	v[1] = atomic_fetch_add(&counter, 1);
	v[2] = (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)out;
	uint64_t h = fs_hash_bytes(v, sizeof v);
	for (int i = 0; i < 6; i++) {
		out[i] = abc[h % 62];
		h /= 62;
	}
	out[6] = '\0';
}

/* Whether name is BASE.tmp.PID.XXXXXX; the pid goes to *pid. */
static bool
parse_temp_name(const char *name, const char *base, long *pid)
{
	size_t bl = strlen(base);
	const char *p;
	long v = 0;
	int digits = 0;

	if (strncmp(name, base, bl) != 0 || strncmp(name + bl, ".tmp.", 5) != 0)
		return false;
	p = name + bl + 5;
	while (isdigit((unsigned char)*p) && digits < 10) {
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0 || v <= 0 || v > INT_MAX || *p++ != '.')
		return false;
	for (int i = 0; i < 6; i++)
		if (!isalnum((unsigned char)p[i]))
			return false;
	if (p[6] != '\0')
		return false;
	*pid = v;
	return true;
}

unsigned
fs_atomic_clean_stale(const char *target)
{
	char *dir;
	const char *base;
	DIR *d;
	struct dirent *de;
	unsigned removed = 0;

	split_path(target, &dir, &base);
	if (base[0] == '\0' || (d = opendir(dir)) == NULL) {
		free(dir);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		long pid;
		int fd;

		if (!parse_temp_name(de->d_name, base, &pid) || pid == (long)getpid())
			continue;
		/* The writer's process must be gone: alive (or not ours to signal) means keep. */
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		/* ... and its lock free: a writer whose pid this process cannot see (another pid
		 * namespace sharing the folder) still holds the lock on its file. */
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			removed++;
		close(fd);
	}
	closedir(d);
	free(dir);
	return removed;
}

/* ---- Writing ------------------------------------------------------------------------------- */

static fs_status
fail_errno(struct fs_atomic *w, struct fs_err *err, int e)
{
	if (strcmp(w->path, w->target) != 0)
		return fs_err_set(err, FS_E_IO, "cannot write %s (a link to %s): %s", w->path, w->target,
		                  strerror(e));
	return fs_err_set(err, FS_E_IO, "cannot write %s: %s", w->path, strerror(e));
}

static void
release(struct fs_atomic *w)
{
	free(w->path);
	free(w->target);
	free(w->tmp);
	w->path = w->target = w->tmp = NULL;
	w->fd = -1;
	w->slot = -1;
	w->f = NULL;
}

/* The existing target's owner and mode on the temporary file, before any byte is written. */
static void
keep_owner_and_mode(struct fs_atomic *w, const struct stat *st)
{
	mode_t mode = st->st_mode & 07777;
	int e = 0;

	if (geteuid() == 0) {
		if (fchown(w->fd, st->st_uid, st->st_gid) != 0)
			e = errno;
	} else if (st->st_gid != getegid()) {
		/* a user may hand the file to any group they belong to; otherwise it is theirs */
		(void)!fchown(w->fd, (uid_t)-1, st->st_gid);
	}
	if (e != 0)
		snprintf(w->warning, sizeof w->warning, "%s: could not keep the owner %u:%u (%s)",
		         w->path, (unsigned)st->st_uid, (unsigned)st->st_gid, strerror(e));
	/* after fchown, which clears set-id bits */
	if (fchmod(w->fd, mode) != 0 && w->warning[0] == '\0')
		snprintf(w->warning, sizeof w->warning, "%s: could not keep the mode %04o (%s)", w->path,
		         (unsigned)mode, strerror(errno));
}

fs_status
fs_atomic_begin(struct fs_atomic *w, const char *path, struct fs_err *err)
{
	struct stat st;
	bool exists;
	int e;

	memset(w, 0, sizeof *w);
	w->fd = -1;
	w->slot = -1;
	w->path = xstrdup(path);
	w->target = resolve_links(path);
	if (w->target == NULL) {
		e = errno;
		w->target = xstrdup(path);
		fail_errno(w, err, e);
		release(w);
		return FS_E_IO;
	}
	exists = stat(w->target, &st) == 0;
	if (exists && S_ISDIR(st.st_mode)) {
		fail_errno(w, err, EISDIR);
		release(w);
		return FS_E_IO;
	}
	if (exists && !S_ISREG(st.st_mode)) {
		/* A device or FIFO (/dev/null, a named pipe) cannot be replaced: written directly. */
		if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) {
			fs_err_set(err, FS_E_IO, "cannot write %s: not a regular file, device or FIFO", path);
			release(w);
			return FS_E_IO;
		}
		w->fd = open(w->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (w->fd < 0) {
			fail_errno(w, err, errno);
			release(w);
			return FS_E_IO;
		}
		return FS_OK;
	}
	w->stale_removed = fs_atomic_clean_stale(w->target);
	for (int tries = 0;; tries++) {
		char sfx[7];
		random_suffix(sfx);
		w->tmp = xasprintf("%s.tmp.%ld.%s", w->target, (long)getpid(), sfx);
		/* published before it exists: a signal from here on removes it */
		w->slot = reg_add(w->tmp);
		/* An existing target's data may be private: 0600 until its own mode is set below. A
		 * new file gets 0666 less the umask, as a shell redirection would. */
		w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
		             exists ? 0600 : 0666);
		if (w->fd >= 0)
			break;
		e = errno;
		reg_del(w->slot);
		w->slot = -1;
		free(w->tmp);
		w->tmp = NULL;
		if (e != EEXIST || tries == 100) {
			fail_errno(w, err, e);
			release(w);
			return FS_E_IO;
		}
	}
	/* Held until the rename: tells the next writer's clean-up that this file is alive. */
	(void)flock(w->fd, LOCK_EX | LOCK_NB);
	if (exists)
		keep_owner_and_mode(w, &st);
	return FS_OK;
}

FILE *
fs_atomic_stream(struct fs_atomic *w, struct fs_err *err)
{
	int fd;

	if (w->f != NULL)
		return w->f;
	/* a second descriptor: closing the stream must not drop the lock of w->fd */
	if ((fd = dup(w->fd)) < 0 || (w->f = fdopen(fd, "w")) == NULL) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		fail_errno(w, err, e);
		return NULL;
	}
	return w->f;
}

fs_status
fs_atomic_write(struct fs_atomic *w, const void *data, size_t len, struct fs_err *err)
{
	const uint8_t *p = data;

	while (len > 0) {
		ssize_t n = write(w->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail_errno(w, err, n < 0 ? errno : EIO);
		p += n;
		len -= (size_t)n;
	}
	return FS_OK;
}

static void
sync_dir(const char *target)
{
	char *dir;
	const char *base;
	int fd;

	split_path(target, &dir, &base);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);   /* the rename itself reaches the disk; best effort */
		close(fd);
	}
	free(dir);
}

fs_status
fs_atomic_commit(struct fs_atomic *w, struct fs_err *err)
{
	int e = 0;

	if (w->f != NULL) {
		errno = 0;
		if (fflush(w->f) != 0 || ferror(w->f))
			e = errno ? errno : EIO;
		if (fclose(w->f) != 0 && e == 0)
			e = errno;
		w->f = NULL;
	}
	if (w->tmp == NULL) {            /* a device or FIFO written directly */
		if (close(w->fd) != 0 && e == 0 && errno != EINTR)
			e = errno;
		w->fd = -1;
		if (e != 0) {
			fail_errno(w, err, e);
			release(w);
			return FS_E_IO;
		}
		release(w);
		return FS_OK;
	}
	if (e == 0 && fsync(w->fd) != 0)
		e = errno;
	if (e == 0 && rename(w->tmp, w->target) != 0)
		e = errno;
	if (e != 0) {
		fail_errno(w, err, e);
		fs_atomic_abort(w);
		return FS_E_IO;
	}
	reg_del(w->slot);
	close(w->fd);                    /* the lock goes with it */
	sync_dir(w->target);
	release(w);
	return FS_OK;
}

void
fs_atomic_abort(struct fs_atomic *w)
{
	if (w->path == NULL)
		return;
	if (w->f != NULL)
		fclose(w->f);
	if (w->tmp != NULL)
		(void)unlink(w->tmp);
	reg_del(w->slot);
	if (w->fd >= 0)
		close(w->fd);
	release(w);
}

fs_status
fs_write_atomic(const char *path, const void *data, size_t len, struct fs_err *err)
{
	struct fs_atomic w;
	fs_status st;

	if ((st = fs_atomic_begin(&w, path, err)) != FS_OK)
		return st;
	if ((st = fs_atomic_write(&w, data, len, err)) != FS_OK) {
		fs_atomic_abort(&w);
		return st;
	}
	return fs_atomic_commit(&w, err);
}
