/* TUI mode: theme search path, NO_COLOR, the data feed, then the UI loop. */
#include "cli/tui.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/pipeline.h"
#include "ui/app.h"
#include "ui/loader.h"

#define MAX_DIRS 8

/* Where NAME.theme is looked for, in order: $FLUXSCOPE_THEMES, the user's config folder, the
 * themes/ folder next to the binary (a source tree) or in ../share/fluxscope/themes (an
 * install), and ./themes. */
static int
theme_dirs(char dirs[MAX_DIRS][PATH_MAX])
{
	const char *env = getenv("FLUXSCOPE_THEMES"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char exe[PATH_MAX];
	ssize_t n;
	int k = 0;

	if (env != NULL && env[0] != '\0')
		snprintf(dirs[k++], PATH_MAX, "%s", env);
	if (xdg != NULL && xdg[0] != '\0')
		snprintf(dirs[k++], PATH_MAX, "%s/fluxscope/themes", xdg);
	else if (home != NULL && home[0] != '\0')
		snprintf(dirs[k++], PATH_MAX, "%s/.config/fluxscope/themes", home);
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		char *slash;
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			snprintf(dirs[k++], PATH_MAX, "%.*s/themes", PATH_MAX - 8, exe);
			/* build/fluxscope in a source tree */
			snprintf(dirs[k++], PATH_MAX, "%.*s/../themes", PATH_MAX - 11, exe);
			snprintf(dirs[k++], PATH_MAX, "%.*s/../share/fluxscope/themes", PATH_MAX - 28, exe);
		}
	}
	snprintf(dirs[k++], PATH_MAX, "themes");
	return k;
}

int
tui_main(const struct opts *o)
{
	static char dirbuf[MAX_DIRS][PATH_MAX];
	const char *dirs[MAX_DIRS];
	struct app_config cfg;
	struct fs_err err = { 0 };
	struct app a;
	const char *nc = getenv("NO_COLOR");
	struct loader *ld;
	struct loader_config lc = { 0 };
	struct ingest *in;
	char source[256];
	int nd;

	/* Open every input first: a missing file is one sentence on stderr, before the screen. */
	ld = loader_alloc();
	if (cli_ingest_open(o, loader_msg_cb, ld, &in, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		free(ld);
		return 1;
	}
	if (o->iface != NULL)
		snprintf(source, sizeof source, "%s", o->iface);
	else if (o->n_files == 1)
		snprintf(source, sizeof source, "%s", o->files[0]);
	else
		snprintf(source, sizeof source, "%s +%d", o->files[0], o->n_files - 1);
	lc.in = in;
	lc.source = source;
	lc.live = o->iface != NULL;
	loader_init(ld, &lc);

	/* Only the character type: LC_NUMERIC must stay "C" so numbers print with a dot. */
	setlocale(LC_CTYPE, "");
	nd = theme_dirs(dirbuf);
	for (int i = 0; i < nd; i++)
		dirs[i] = dirbuf[i];
	memset(&cfg, 0, sizeof cfg);
	cfg.theme_dirs = dirs;
	cfg.n_theme_dirs = nd;
	cfg.no_color = nc != NULL && nc[0] != '\0';
	cfg.theme = o->theme != NULL ? o->theme : cfg.no_color ? "mono" : NULL;
	if (loader_start(ld, &err) != FS_OK) {
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		loader_free(ld);
		return 1;
	}
	app_init(&a, &cfg, &loader_feed_ops, ld);
	if (app_run(&a, &err) != FS_OK) {
		app_fini(&a);
		loader_free(ld);
		fprintf(stderr, "fluxscope: %s\n", err.msg);
		return 1;
	}
	app_fini(&a);
	loader_free(ld);
	return 0;
}
