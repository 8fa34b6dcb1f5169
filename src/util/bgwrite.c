/* Background atomic writes (see fluxscope/bgwrite.h). */
#include "fluxscope/bgwrite.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct bg_job {
	struct bg_job *next;
	char *path;
	void *data;
	size_t len;
};

static pthread_mutex_t bg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bg_cond = PTHREAD_COND_INITIALIZER;   /* work queued, or stop */
static pthread_cond_t bg_done = PTHREAD_COND_INITIALIZER;   /* a job finished */
static struct bg_job *bg_head;
static pthread_t bg_thread;
static bool bg_running, bg_stop;
static unsigned long bg_queued, bg_finished;                 /* tickets, for flush */
static char bg_error[512];

fs_status
fs_mkdir_parents(const char *path, struct fs_err *err)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n >= sizeof buf)
		return fs_err_set(err, FS_E_ARG, "%s: path too long", path);
	memcpy(buf, path, n + 1);
	char *slash = strrchr(buf, '/');
	if (slash == NULL || slash == buf)
		return FS_OK;
	*slash = '\0';
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, 0700) != 0 && errno != EEXIST)
				return fs_err_set(err, FS_E_IO, "cannot create folder %s: %s", buf, strerror(errno));
			if (c == '\0')
				break;
			*p = c;
		}
	}
	return FS_OK;
}

bool
fs_state_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, len, "%s/fluxscope", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, len, "%s/.local/state/fluxscope", home);
	else
		return false;
	return n > 0 && (size_t)n < len;
}

static void *
bg_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&bg_lock);
	for (;;) {
		while (bg_head == NULL && !bg_stop)
			pthread_cond_wait(&bg_cond, &bg_lock);
		if (bg_head == NULL && bg_stop)
			break;
		struct bg_job *j = bg_head;
		bg_head = j->next;
		pthread_mutex_unlock(&bg_lock);

		struct fs_err err = { 0 };
		if (fs_mkdir_parents(j->path, &err) != FS_OK ||
		    fs_write_atomic(j->path, j->data, j->len, &err) != FS_OK) {
			pthread_mutex_lock(&bg_lock);
			snprintf(bg_error, sizeof bg_error, "%s", err.msg);
			pthread_mutex_unlock(&bg_lock);
		}
		free(j->path);
		free(j->data);
		free(j);

		pthread_mutex_lock(&bg_lock);
		bg_finished++;
		pthread_cond_broadcast(&bg_done);
	}
	pthread_mutex_unlock(&bg_lock);
	return NULL;
}

void
fs_bg_write(const char *path, const void *data, size_t len)
{
	struct bg_job *j = xcalloc(1, sizeof *j);

	j->path = xstrdup(path);
	j->data = xmalloc(len ? len : 1);
	memcpy(j->data, data, len);
	j->len = len;
	pthread_mutex_lock(&bg_lock);
	if (!bg_running) {
		bg_stop = false;
		if (pthread_create(&bg_thread, NULL, bg_main, NULL) != 0) {
			/* No thread: write here, synchronously, rather than lose the data. */
			pthread_mutex_unlock(&bg_lock);
			struct fs_err err = { 0 };
			if (fs_mkdir_parents(path, &err) != FS_OK || fs_write_atomic(path, data, len, &err) != FS_OK) {
				pthread_mutex_lock(&bg_lock);
				snprintf(bg_error, sizeof bg_error, "%s", err.msg);
				pthread_mutex_unlock(&bg_lock);
			}
			free(j->path);
			free(j->data);
			free(j);
			return;
		}
		bg_running = true;
	}
	/* A newer version replaces the one waiting for the same path (it counts as finished). */
	struct bg_job **pp = &bg_head;
	while (*pp != NULL) {
		if (strcmp((*pp)->path, path) == 0) {
			struct bg_job *old = *pp;
			*pp = old->next;
			free(old->path);
			free(old->data);
			free(old);
			bg_finished++;
			continue;
		}
		pp = &(*pp)->next;
	}
	*pp = j;
	bg_queued++;
	pthread_cond_signal(&bg_cond);
	pthread_mutex_unlock(&bg_lock);
}

void
fs_bg_flush(void)
{
	pthread_mutex_lock(&bg_lock);
	unsigned long want = bg_queued;
	while (bg_running && bg_finished < want)
		pthread_cond_wait(&bg_done, &bg_lock);
	pthread_mutex_unlock(&bg_lock);
}

bool
fs_bg_take_error(char *buf, size_t len)
{
	bool any;

	pthread_mutex_lock(&bg_lock);
	any = bg_error[0] != '\0';
	if (any && len > 0)
		snprintf(buf, len, "%s", bg_error);
	bg_error[0] = '\0';
	pthread_mutex_unlock(&bg_lock);
	return any;
}

void
fs_bg_shutdown(void)
{
	pthread_mutex_lock(&bg_lock);
	if (!bg_running) {
		pthread_mutex_unlock(&bg_lock);
		return;
	}
	bg_stop = true;
	pthread_cond_signal(&bg_cond);
	pthread_mutex_unlock(&bg_lock);
	pthread_join(bg_thread, NULL);
	pthread_mutex_lock(&bg_lock);
	bg_running = false;
	pthread_mutex_unlock(&bg_lock);
}
