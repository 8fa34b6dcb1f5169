/* Capture files: pcap and pcapng through libpcap ("-" = stdin); pcapng files libpcap refuses
 * (interfaces with different link types, odd blocks) go to the project's own reader. */
#include "capture/cap_int.h"
#include "capture/feed_int.h"
#include "decode/wire.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC_PCAP_US 0xa1b2c3d4u
#define MAGIC_PCAP_NS 0xa1b23c4du
#define MAGIC_PCAP_KUZ 0xa1b2cd34u   /* Kuznetzov's modified pcap, read by libpcap */
#define MAGIC_PCAPNG 0x0a0d0d0au

/* Progress from libpcap's FILE position is refreshed every this many pcapng frames (ftell is a
 * system call; pcap sizes are computed exactly instead). */
#define NG_PROGRESS_EVERY 512

struct cap_file {
	struct cap_counters c;
	_Atomic bool stop;       /* set by file_breakloop from any thread */
	pcap_t *p;               /* libpcap reader, or NULL */
	struct ng_reader *ng;    /* own pcapng reader, or NULL */
	int linktype;            /* libpcap's (one per file) */
	bool pcapng;
	bool seekable;
	bool done;
	uint64_t yielded;        /* frames handed out, to skip them after a fallback */
	uint64_t bytes;          /* exact byte count for pcap format */
};

/* A FILE over a pipe that first returns the magic bytes already read from it, so libpcap sees
 * the whole stream (fopencookie, glibc). */
struct prefixed {
	int fd;
	const _Atomic bool *stop;
	uint8_t pre[4];
	size_t n, pos;
};

static ssize_t
prefixed_read(void *cookie, char *buf, size_t size)
{
	struct prefixed *pf = cookie;

	if (pf->pos < pf->n) {
		size_t k = pf->n - pf->pos < size ? pf->n - pf->pos : size;
		memcpy(buf, pf->pre + pf->pos, k);
		pf->pos += k;
		return (ssize_t)k;
	}
	for (;;) {
		if (!cap_wait_readable(pf->fd, pf->stop))
			return 0;   /* asked to stop: end of input for libpcap */
		ssize_t got = read(pf->fd, buf, size);
		if (got < 0 && errno == EINTR)
			continue;
		return got;
	}
}

static int
prefixed_close(void *cookie)
{
	struct prefixed *pf = cookie;

	close(pf->fd);
	free(pf);
	return 0;
}

static int
file_reopen_fd(const char *path)
{
	int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Switch a seekable pcapng file from libpcap to the own reader, skipping the frames libpcap
 * already handed out. */
static bool
file_fallback(struct cap_source *s, struct fs_err *err)
{
	struct cap_file *f = s->impl;
	struct cap_frame fr;
	const char *msg;
	bool trunc;

	if (f->p != NULL) {
		pcap_close(f->p);
		f->p = NULL;
	}
	int fd = file_reopen_fd(s->name);
	if (fd < 0) {
		fs_err_set(err, FS_E_IO, "cannot reopen '%s': %s", s->name, strerror(errno));
		return false;
	}
	f->ng = ng_open(fd, true, NULL, 0, NULL);
	for (uint64_t i = 0; i < f->yielded; i++) {
		if (ng_next(f->ng, &fr, &msg, &trunc) != CAP_FRAME) {
			fs_err_set(err, FS_E_FORMAT, "cannot read '%s' after %llu packets: %s", s->name,
			           (unsigned long long)i, "the file changed while it was read");
			return false;
		}
	}
	return true;
}

static enum cap_next
file_fail(struct cap_source *s, bool truncated, const char *why, struct fs_err *err)
{
	struct cap_file *f = s->impl;

	f->done = true;
	if (f->c.bytes_total)
		atomic_store_explicit(&f->c.bytes_read, f->c.bytes_total, memory_order_relaxed);
	if (truncated) {
		atomic_store_explicit(&f->c.truncated, true, memory_order_relaxed);
		fs_err_set(err, FS_E_TRUNCATED,
		           "'%s' is truncated: it ends in the middle of a packet record; the %llu "
		           "packets before the cut were read", s->name, (unsigned long long)f->yielded);
	} else {
		fs_err_set(err, FS_E_FORMAT, "'%s' is corrupt after %llu packets (%s); the packets "
		           "before were read", s->name, (unsigned long long)f->yielded, why);
	}
	return CAP_ERROR;
}

static enum cap_next
file_next(struct cap_source *s, struct cap_frame *out, struct fs_err *err)
{
	struct cap_file *f = s->impl;

	if (f->done)
		return CAP_EOF;
	if (f->ng != NULL) {
		const char *msg = NULL;
		bool trunc;
		enum cap_next r = ng_next(f->ng, out, &msg, &trunc);
		if (r != CAP_FRAME && atomic_load(&f->stop)) {
			f->done = true;   /* stopped while waiting on a pipe: not a truncation */
			return CAP_EOF;
		}
		if (r == CAP_FRAME) {
			f->yielded++;
			atomic_store_explicit(&f->c.frames, f->yielded, memory_order_relaxed);
			atomic_store_explicit(&f->c.bytes_read, ng_offset(f->ng), memory_order_relaxed);
			return CAP_FRAME;
		}
		if (r == CAP_EOF) {
			f->done = true;
			atomic_store_explicit(&f->c.bytes_read, ng_offset(f->ng), memory_order_relaxed);
			return CAP_EOF;
		}
		return file_fail(s, trunc, msg, err);
	}

	struct pcap_pkthdr *h;
	const u_char *data;
	int r = pcap_next_ex(f->p, &h, &data);
	if (r == 1) {
		out->ts = cap_time(h->ts.tv_sec, h->ts.tv_usec);
		out->linktype = f->linktype;
		out->caplen = h->caplen;
		out->wirelen = h->len < h->caplen ? h->caplen : h->len;
		out->data = data;
		f->yielded++;
		atomic_store_explicit(&f->c.frames, f->yielded, memory_order_relaxed);
		if (!f->pcapng) {
			f->bytes += 16 + (uint64_t)h->caplen;
			atomic_store_explicit(&f->c.bytes_read, f->bytes, memory_order_relaxed);
		} else if (f->yielded % NG_PROGRESS_EVERY == 0) {
			long pos = ftell(pcap_file(f->p));
			if (pos > 0)
				atomic_store_explicit(&f->c.bytes_read, (uint64_t)pos, memory_order_relaxed);
		}
		return CAP_FRAME;
	}
	if (r == PCAP_ERROR_BREAK || r == 0 || atomic_load(&f->stop)) {
		f->done = true;
		if (f->c.bytes_total)
			atomic_store_explicit(&f->c.bytes_read, f->c.bytes_total, memory_order_relaxed);
		return CAP_EOF;
	}
	const char *why = pcap_geterr(f->p);
	if (strstr(why, "truncated") != NULL)
		return file_fail(s, true, why, err);
	/* libpcap refuses pcapng files whose interfaces differ in link type (and a few other
	 * things the own reader accepts): continue there from the same frame. */
	if (f->pcapng && f->seekable) {
		char saved[PCAP_ERRBUF_SIZE];
		snprintf(saved, sizeof saved, "%s", why);
		if (!file_fallback(s, err))
			return file_fail(s, false, saved, err);
		return file_next(s, out, err);
	}
	return file_fail(s, false, why, err);
}

static void
file_stats(struct cap_source *s, struct cap_stats *out)
{
	struct cap_file *f = s->impl;
	cap_counters_read(&f->c, out);
}

/* Any thread: a source blocked on a pipe returns within 100 ms; files end at the next call. */
static void
file_breakloop(struct cap_source *s)
{
	struct cap_file *f = s->impl;
	atomic_store(&f->stop, true);
}

static void
file_close(struct cap_source *s)
{
	struct cap_file *f = s->impl;

	if (f->p != NULL)
		pcap_close(f->p);
	ng_close(f->ng);
	free(f);
}

static const struct cap_source_ops file_ops = {
	.kind = "file",
	.next = file_next,
	.stats = file_stats,
	.breakloop = file_breakloop,
	.close = file_close,
};

static fs_status
file_open_error(int fd, fs_status st, struct fs_err *err, const char *fmt, const char *path,
                const char *detail)
{
	if (fd >= 0)
		close(fd);
	return fs_err_set(err, st, fmt, path, detail);
}

fs_status
cap_open_file(const char *path, struct cap_source **out, struct fs_err *err)
{
	uint8_t magic[4];
	size_t have = 0;
	struct stat sb;
	bool is_stdin = strcmp(path, "-") == 0;
	char errbuf[PCAP_ERRBUF_SIZE];

	*out = NULL;
	int fd = is_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fs_err_set(err, errno == ENOENT ? FS_E_NOTFOUND : errno == EACCES ? FS_E_PERM : FS_E_IO,
		                  "cannot open '%s': %s", is_stdin ? "standard input" : path, strerror(errno));
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode))
		return file_open_error(fd, FS_E_FORMAT, err, "'%s' is a directory, not a capture file%s",
		                       path, "");
	while (have < sizeof magic) {
		ssize_t got = read(fd, magic + have, sizeof magic - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return file_open_error(fd, FS_E_IO, err, "cannot read '%s': %s", path, strerror(errno));
		if (got == 0)
			break;
		have += (size_t)got;
	}
	if (have == 0)
		return file_open_error(fd, FS_E_FORMAT, err, "'%s' is empty, not a capture file%s", path, "");
	uint32_t le = 0, be = 0;
	(void)wire_at_u32(magic, have, 0, true, &le);
	(void)wire_at_u32(magic, have, 0, false, &be);
	bool pcapng = have == 4 && le == MAGIC_PCAPNG;
	bool pcap = have == 4 && (le == MAGIC_PCAP_US || be == MAGIC_PCAP_US || le == MAGIC_PCAP_NS ||
	                          be == MAGIC_PCAP_NS || le == MAGIC_PCAP_KUZ || be == MAGIC_PCAP_KUZ);
	if (!pcap && !pcapng) {
		/* resolver feeds: dnstap, Zeek dns.log, Suricata EVE (feed_file.c); takes the fd */
		if (err != NULL)
			err->msg[0] = '\0';
		fs_status st = feed_open_file(path, fd, magic, have,
		                              S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0, out, err);
		if (st == FS_E_FORMAT && (err == NULL || err->msg[0] == '\0'))
			return fs_err_set(err, FS_E_FORMAT, "'%s' is not a capture file or resolver log "
			                  "(pcap, pcapng, dnstap, Zeek dns.log, Suricata EVE)", path);
		return st;
	}

	struct cap_file *f = xcalloc(1, sizeof *f);
	f->pcapng = pcapng;
	f->seekable = S_ISREG(sb.st_mode) && lseek(fd, 0, SEEK_SET) == 0;
	if (S_ISREG(sb.st_mode))
		f->c.bytes_total = (uint64_t)sb.st_size;

	if (pcapng && !f->seekable) {
		/* A pipe cannot be re-read after a libpcap refusal: use the own reader throughout. */
		f->ng = ng_open(fd, true, magic, have, &f->stop);
		*out = cap_source_alloc(&file_ops, path, f);
		return FS_OK;
	}

	FILE *fp;
	if (f->seekable) {
		fp = fdopen(fd, "rb");
		if (fp != NULL)
			setvbuf(fp, NULL, _IOFBF, 1 << 18);   /* before any read, as C requires */
	} else {
		struct prefixed *pf = xcalloc(1, sizeof *pf);
		pf->fd = fd;
		pf->stop = &f->stop;
		memcpy(pf->pre, magic, have);
		pf->n = have;
		fp = fopencookie(pf, "rb", (cookie_io_functions_t){ .read = prefixed_read,
		                                                     .close = prefixed_close });
		if (fp == NULL)
			free(pf);
	}
	if (fp == NULL) {
		free(f);
		return file_open_error(fd, FS_E_IO, err, "cannot read '%s': %s", path, strerror(errno));
	}
	errbuf[0] = '\0';
	f->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (f->p == NULL) {
		fclose(fp);
		if (pcapng && f->seekable) {
			struct cap_source *s = cap_source_alloc(&file_ops, path, f);
			if (file_fallback(s, err)) {
				*out = s;
				return FS_OK;
			}
			cap_source_close(s);
			return err ? err->status : FS_E_FORMAT;
		}
		free(f);
		if (strstr(errbuf, "truncated") != NULL)
			return fs_err_set(err, FS_E_TRUNCATED, "'%s' is truncated: it ends inside its file "
			                  "header", path);
		return fs_err_set(err, FS_E_FORMAT, "cannot read '%s' as a capture file: %s", path, errbuf);
	}
	f->linktype = pcap_datalink(f->p);
	f->bytes = 24;
	*out = cap_source_alloc(&file_ops, path, f);
	return FS_OK;
}
