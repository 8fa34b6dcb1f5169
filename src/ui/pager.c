/* The pager overlay: the output of an outside program (tshark on one frame) in a scrollable box
 * over the views. The program runs as a child process writing into a pipe the UI thread reads
 * without waiting (at each tick), so the screen never stalls on it; closing the pager ends the
 * child if it still runs. */
#include "ui/pager.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ui/canvas.h"

#define PAGER_MAX_BYTES (4u << 20)   /* output kept; the rest is read and dropped */

struct pager {
	struct overlay o;
	char title[256];
	char *buf;                 /* output so far */
	size_t n, cap;
	bool cut;                  /* over PAGER_MAX_BYTES */
	int fd;                    /* read end, -1 when done */
	pid_t pid;                 /* the child, 0 when reaped */
	int status;                /* its wait status once reaped */
	bool failed;               /* could not be started (errbuf says why) */
	char errbuf[256];
	int top;                   /* first line shown */
	int lines;                 /* lines in buf */
};

static void
count_lines(struct pager *p)
{
	p->lines = 0;
	for (size_t i = 0; i < p->n; i++)
		p->lines += p->buf[i] == '\n';
	if (p->n > 0 && p->buf[p->n - 1] != '\n')
		p->lines++;
}

/* Read what the child wrote; reap it when the pipe is closed. Returns true when something
 * changed. */
static bool
pump(struct pager *p)
{
	bool changed = false;
	char tmp[8192];

	while (p->fd >= 0) {
		ssize_t k = read(p->fd, tmp, sizeof tmp);
		if (k > 0) {
			size_t take = (size_t)k;
			if (p->n + take > PAGER_MAX_BYTES) {
				take = PAGER_MAX_BYTES - p->n;
				p->cut = true;
			}
			if (p->n + take + 1 > p->cap) {
				p->cap = (p->n + take + 1) * 2;
				p->buf = xrealloc(p->buf, p->cap);
			}
			memcpy(p->buf + p->n, tmp, take);
			p->n += take;
			p->buf[p->n] = '\0';
			changed = true;
			continue;
		}
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (k < 0 && errno == EINTR)
			continue;
		close(p->fd);   /* end of output or an error */
		p->fd = -1;
		changed = true;
	}
	if (p->fd < 0 && p->pid > 0) {
		pid_t w = waitpid(p->pid, &p->status, WNOHANG);
		if (w == p->pid || (w < 0 && errno == ECHILD)) {
			p->pid = 0;
			changed = true;
		}
	}
	if (changed)
		count_lines(p);
	return changed;
}

static int
pager_tick(struct app *a, struct overlay *o)
{
	(void)a;
	return pump((struct pager *)o) ? UI_REDRAW : UI_OK;
}

static void
pager_free(struct overlay *o)
{
	struct pager *p = (struct pager *)o;
	if (p->fd >= 0)
		close(p->fd);
	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		waitpid(p->pid, NULL, 0);
	}
	free(p->buf);
	free(p);
}

static int
pager_key(struct app *a, struct overlay *o, ui_key k)
{
	struct pager *p = (struct pager *)o;
	int h = a->h - 6;

	switch (k) {
	case 'q':
	case KEY_ESC_C:
	case KEY_CTRL('c'):
		return app_close_overlay(a);
	case 'j':
	case KEYC_DOWN:
		p->top++;
		break;
	case 'k':
	case KEYC_UP:
		p->top--;
		break;
	case ' ':
	case KEYC_NPAGE:
	case KEY_CTRL('f'):
		p->top += h > 1 ? h - 1 : 1;
		break;
	case 'b':
	case KEYC_PPAGE:
	case KEY_CTRL('b'):
		p->top -= h > 1 ? h - 1 : 1;
		break;
	case 'g':
	case KEYC_HOME:
		p->top = 0;
		break;
	case 'G':
	case KEYC_END:
		p->top = p->lines;
		break;
	default:
		return UI_OK;
	}
	if (p->top > p->lines - h)
		p->top = p->lines - h;
	if (p->top < 0)
		p->top = 0;
	return UI_REDRAW;
}

static void
pager_draw(struct app *a, struct overlay *o, struct ui_canvas *c)
{
	struct pager *p = (struct pager *)o;
	int x0 = 1, y0 = 1, w = c->w - 2, h = c->h - 3, body = h - 3;
	const char *s = p->buf != NULL ? p->buf : "";
	char foot[256];
	(void)a;

	canvas_fill(c, x0, y0, w, h, ' ', UI_ROLE_DEFAULT);
	canvas_fill(c, x0, y0, w, 1, ' ', UI_ROLE_TAB_ACTIVE);
	canvas_put_ellip(c, x0 + 1, y0, w - 2, UI_ROLE_TAB_ACTIVE, p->title);
	/* skip to the first line shown */
	for (int i = 0; i < p->top && *s != '\0'; i++) {
		const char *nl = strchr(s, '\n');
		s = nl != NULL ? nl + 1 : s + strlen(s);
	}
	for (int i = 0; i < body && *s != '\0'; i++) {
		const char *nl = strchr(s, '\n');
		size_t len = nl != NULL ? (size_t)(nl - s) : strlen(s);
		char line[1024];
		size_t o2 = 0;
		for (size_t k = 0; k < len && o2 + 1 < sizeof line; k++)
			line[o2++] = s[k] == '\t' ? ' ' : s[k];
		line[o2] = '\0';
		canvas_put_ellip(c, x0 + 1, y0 + 1 + i, w - 2, UI_ROLE_DEFAULT, line);
		s = nl != NULL ? nl + 1 : s + len;
	}
	if (p->failed)
		snprintf(foot, sizeof foot, "%s", p->errbuf);
	else if (p->pid > 0 || p->fd >= 0)
		snprintf(foot, sizeof foot, "running…  %d lines  (q: close and stop it)", p->lines);
	else if (WIFEXITED(p->status) && WEXITSTATUS(p->status) != 0)
		snprintf(foot, sizeof foot, "exited with status %d  %d lines%s  q close",
		         WEXITSTATUS(p->status), p->lines, p->cut ? " (cut at 4 MiB)" : "");
	else
		snprintf(foot, sizeof foot, "%d lines%s  j/k Space/b g/G scroll  q close", p->lines,
		         p->cut ? " (cut at 4 MiB)" : "");
	canvas_fill(c, x0, y0 + h - 1, w, 1, ' ', UI_ROLE_STATUS);
	canvas_put_ellip(c, x0 + 1, y0 + h - 1, w - 2,
	                 p->failed ? UI_ROLE_ERROR : UI_ROLE_STATUS, foot);
}

static const struct overlay_ops pager_ops = {
	.key = pager_key,
	.draw = pager_draw,
	.free = pager_free,
	.tick = pager_tick,
};

struct overlay *
pager_overlay_run(const char *title, char *const argv[])
{
	struct pager *p = xcalloc(1, sizeof *p);
	int fds[2];

	p->o.ops = &pager_ops;
	p->fd = -1;
	snprintf(p->title, sizeof p->title, "%s", title);
	if (pipe(fds) != 0) {
		p->failed = true;
		snprintf(p->errbuf, sizeof p->errbuf, "could not make a pipe for %s: %s", argv[0],
		         strerror(errno));
		return &p->o;
	}
	p->pid = fork();
	if (p->pid < 0) {
		p->failed = true;
		p->pid = 0;
		snprintf(p->errbuf, sizeof p->errbuf, "could not start %s: %s", argv[0], strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return &p->o;
	}
	if (p->pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		dprintf(1, "could not run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	p->fd = fds[0];
	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
	fcntl(p->fd, F_SETFD, FD_CLOEXEC);
	return &p->o;
}

struct overlay *
pager_overlay_text(const char *title, const char *text)
{
	struct pager *p = xcalloc(1, sizeof *p);

	p->o.ops = &pager_ops;
	p->fd = -1;
	snprintf(p->title, sizeof p->title, "%s", title);
	p->buf = xstrdup(text);
	p->n = strlen(text);
	p->cap = p->n + 1;
	count_lines(p);
	return &p->o;
}

bool
pager_running(const struct overlay *o)
{
	const struct pager *p = (const struct pager *)o;
	return o->ops == &pager_ops && (p->pid > 0 || p->fd >= 0);
}

const char *
pager_text(const struct overlay *o)
{
	const struct pager *p = (const struct pager *)o;
	return o->ops == &pager_ops && p->buf != NULL ? p->buf : "";
}
