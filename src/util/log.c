/* The --log sink: a file (or standard error) written line by line under a mutex. */
#include "fluxscope/log.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_fp;                 /* under log_mu */
static atomic_bool log_on;           /* read without the lock: the fast "off" path */
static double log_t0;

fs_status
fs_log_open(const char *path, struct fs_err *err)
{
	FILE *fp = strcmp(path, "-") == 0 ? stderr : fopen(path, "a");

	if (fp == NULL)
		return fs_err_set(err, FS_E_IO, "cannot write the log file %s: %s", path, strerror(errno));
	setvbuf(fp, NULL, _IOLBF, 0);
	pthread_mutex_lock(&log_mu);
	if (log_fp != NULL && log_fp != stderr)
		fclose(log_fp);
	log_fp = fp;
	log_t0 = fs_mono_ms();
	atomic_store(&log_on, true);
	pthread_mutex_unlock(&log_mu);
	return FS_OK;
}

void
fs_log_close(void)
{
	pthread_mutex_lock(&log_mu);
	atomic_store(&log_on, false);
	if (log_fp != NULL && log_fp != stderr)
		fclose(log_fp);
	log_fp = NULL;
	pthread_mutex_unlock(&log_mu);
}

bool
fs_log_enabled(void)
{
	return atomic_load_explicit(&log_on, memory_order_relaxed);
}

void
fs_log(const char *topic, const char *fmt, ...)
{
	char ts[32];
	struct tm tm;
	time_t now;
	va_list ap;

	if (!fs_log_enabled())
		return;
	now = time(NULL);
	if (gmtime_r(&now, &tm) == NULL || strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		ts[0] = '\0';
	pthread_mutex_lock(&log_mu);
	if (log_fp != NULL) {
		fprintf(log_fp, "%s +%.3f %s: ", ts, (fs_mono_ms() - log_t0) / 1000.0, topic);
		va_start(ap, fmt);
		vfprintf(log_fp, fmt, ap);
		va_end(ap);
		fputc('\n', log_fp);
	}
	pthread_mutex_unlock(&log_mu);
}

/* VmRSS and VmHWM of /proc/self/status in KiB (0 when unknown). */
static void
proc_rss(unsigned long *rss, unsigned long *hwm)
{
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");

	*rss = *hwm = 0;
	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			(void)sscanf(line + 6, "%lu", rss);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			(void)sscanf(line + 6, "%lu", hwm);
	}
	fclose(f);
}

void
fs_log_memory(const char *when)
{
	unsigned long rss, hwm;

	if (!fs_log_enabled())
		return;
	proc_rss(&rss, &hwm);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	struct mallinfo2 mi = mallinfo2();
	fs_log("memory", "%s: resident %.1f MiB (peak %.1f), heap %.1f MiB in use of %.1f held "
	       "(%.1f mapped)", when, rss / 1024.0, hwm / 1024.0,
	       (double)(mi.uordblks + mi.hblkhd) / 1048576.0,
	       (double)(mi.arena + mi.hblkhd) / 1048576.0, (double)mi.hblkhd / 1048576.0);
#else
	fs_log("memory", "%s: resident %.1f MiB (peak %.1f)", when, rss / 1024.0, hwm / 1024.0);
#endif
}
