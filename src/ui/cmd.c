/* Commands of the TUI prompt and key bindings, one row of data plus one exec function each. */
#include "ui/session_ui.h"
#include "ui/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ui/app.h"
#include "ui/probe_ui.h"

static int
need_list(struct app *a, struct dlist **l, struct fs_err *err)
{
	struct view *v = app_top(a);
	*l = v != NULL && v->ops->list != NULL ? v->ops->list(v) : NULL;
	if (*l == NULL) {
		fs_err_set(err, FS_E_ARG, "this works in a domain list (press h to go back)");
		return -1;
	}
	return 0;
}

static int
c_quit(struct app *a, int argc, char **argv, struct fs_err *err)
{
	(void)err;
	if (argc > 1 && strcmp(argv[1], "-f") == 0) {
		a->quit = true;
		return UI_QUIT;
	}
	/* Marks kept in a saved session are not lost by quitting. */
	if (a->marks_unsaved && a->n_marks > 0 && (a->session == NULL || a->session->path == NULL)) {
		char q[160];
		snprintf(q, sizeof q, "%u marked domain%s not exported or saved. Quit anyway? (y/n)",
		         a->n_marks, a->n_marks == 1 ? "" : "s");
		return app_confirm(a, q, "quit -f");
	}
	a->quit = true;
	return UI_QUIT;
}

static int
c_close(struct app *a, int argc, char **argv, struct fs_err *err)
{
	(void)argc; (void)argv;
	if (a->prog.loading && a->feed != NULL && a->feed->stop != NULL) {
		a->feed->stop(a->feed_ctx);
		a->prog.loading = false;
		a->prog.stopped = true;
		return app_message(a, false, "Loading stopped; keeping what was read. q again quits.");
	}
	if (a->depth > 1)
		return app_back(a);
	char qn[] = "quit";
	char *qv[] = { qn, NULL };
	return c_quit(a, 1, qv, err);
}

static int
c_stop(struct app *a, int argc, char **argv, struct fs_err *err)
{
	(void)argc; (void)argv;
	if (!a->prog.loading || a->feed == NULL || a->feed->stop == NULL) {
		fs_err_set(err, FS_E_ARG, "nothing is loading");
		return -1;
	}
	a->feed->stop(a->feed_ctx);
	a->prog.loading = false;
	a->prog.stopped = true;
	return app_message(a, false, "Loading stopped; keeping what was read.");
}

static int
c_back(struct app *a, int argc, char **argv, struct fs_err *err)
{
	(void)argc; (void)argv; (void)err;
	return app_back(a);
}

static int
c_open(struct app *a, int argc, char **argv, struct fs_err *err)
{
	struct view *v = app_top(a);
	(void)argc; (void)argv; (void)err;
	return v != NULL && v->ops->open != NULL ? v->ops->open(a, v) : UI_OK;
}

static int
c_copy(struct app *a, int argc, char **argv, struct fs_err *err)
{
	(void)argc; (void)argv; (void)err;
	return view_detail_copy(a, app_top(a));
}

static int
c_packet(struct app *a, int argc, char **argv, struct fs_err *err)
{
	(void)argc; (void)argv; (void)err;
	return view_detail_packet(a, app_top(a));
}

static int
c_collapse(struct app *a, int argc, char **argv, struct fs_err *err)
{
	(void)argc; (void)argv; (void)err;
	return view_detail_collapse(a, app_top(a));
}

static int
c_move(struct app *a, int argc, char **argv, struct fs_err *err)
{
	static const struct { const char *n; int how; } moves[] = {
		{ "up", MOVE_UP }, { "down", MOVE_DOWN }, { "pgup", MOVE_PGUP }, { "pgdn", MOVE_PGDN },
		{ "halfup", MOVE_HALFUP }, { "halfdown", MOVE_HALFDOWN }, { "top", MOVE_TOP },
		{ "bottom", MOVE_BOTTOM },
	};
	struct view *v = app_top(a);
	int64_t n = 1;

	if (argc > 2) {
		char *end;
		n = strtoll(argv[2], &end, 10);
		if (*end != '\0' || n < 1) {
			fs_err_set(err, FS_E_ARG, "move: '%s' is not a count", argv[2]);
			return -1;
		}
	}
	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
		if (strcmp(argv[1], moves[i].n) == 0)
			return v != NULL && v->ops->move != NULL ? v->ops->move(a, v, moves[i].how, n) : UI_OK;
	fs_err_set(err, FS_E_ARG, "move: unknown direction '%s' (up down pgup pgdn halfup halfdown top bottom)",
	           argv[1]);
	return -1;
}

static int
c_tab(struct app *a, int argc, char **argv, struct fs_err *err)
{
	static const char *const names[] = { "summary", "timeline", "spread", "nameservers", "related" };
	struct view *v = app_top(a);
	(void)argc;

	if (v == NULL || v->ops->tab == NULL) {
		fs_err_set(err, FS_E_ARG, "tabs are in the domain detail (press Enter on a domain)");
		return -1;
	}
	if (strcmp(argv[1], "next") == 0)
		return v->ops->tab(a, v, -1, 1);
	if (strcmp(argv[1], "prev") == 0)
		return v->ops->tab(a, v, -1, -1);
	if (argv[1][0] >= '1' && argv[1][0] <= '5' && argv[1][1] == '\0')
		return v->ops->tab(a, v, argv[1][0] - '1', 0);
	for (int i = 0; i < 5; i++)
		if (strncasecmp(argv[1], names[i], strlen(argv[1])) == 0)
			return v->ops->tab(a, v, i, 0);
	fs_err_set(err, FS_E_ARG, "tab: '%s' is not a tab (1-5, next, prev, summary, timeline, spread, nameservers, related)",
	           argv[1]);
	return -1;
}

static int
c_sort(struct app *a, int argc, char **argv, struct fs_err *err)
{
	struct dlist *l;
	int col;
	bool desc;

	if (need_list(a, &l, err) != 0)
		return -1;
	if (argc == 1)
		return app_message(a, false, "sorted by %s, %s", snap_col_info(l->sort)->name,
		                   l->desc ? "descending" : "ascending");
	if (strcmp(argv[1], "reverse") == 0) {
		dlist_set_sort(l, l->sort, !l->desc);
		return UI_REDRAW;
	}
	if (strcmp(argv[1], "next") == 0) {
		col = l->sort;
		do
			col = (col + 1) % snap_col_count();
		while (snap_col_info(col)->prio >= 9);
	} else if ((col = snap_col_find(argv[1])) < 0) {
		char names[1024] = "";
		for (int i = 0; i < snap_col_count(); i++) {
			strncat(names, " ", sizeof names - strlen(names) - 1);
			strncat(names, snap_col_info(i)->name, sizeof names - strlen(names) - 1);
		}
		fs_err_set(err, FS_E_ARG, "sort: unknown column '%s' (one of:%s)", argv[1], names);
		return -1;
	}
	/* Text sorts A→Z first; numbers, times and verdicts largest first. */
	desc = col != SNAP_COL_DOMAIN;
	if (argc > 2) {
		if (strcmp(argv[2], "asc") == 0)
			desc = false;
		else if (strcmp(argv[2], "desc") == 0)
			desc = true;
		else {
			fs_err_set(err, FS_E_ARG, "sort: order must be asc or desc, not '%s'", argv[2]);
			return -1;
		}
	}
	dlist_set_sort(l, (enum snap_col)col, desc);
	return UI_REDRAW;
}

static int
need_find(struct app *a, struct view **v, struct fs_err *err)
{
	*v = app_top(a);
	if (*v == NULL || (*v)->ops->find == NULL) {
		fs_err_set(err, FS_E_ARG, "nothing to search here");
		return -1;
	}
	return 0;
}

static int
search_step(struct app *a, bool forward, struct fs_err *err)
{
	struct view *v;
	uint64_t cur;
	int64_t i;

	if (need_find(a, &v, err) != 0)
		return -1;
	if (a->search[0] == '\0')
		return app_message(a, false, "no search yet: press / to search");
	cur = v->ops->cur_item(v);
	i = v->ops->find(v, a->search, forward ? cur + 1 : (cur > 0 ? cur - 1 : UINT64_MAX), forward);
	if (i < 0)
		return app_message(a, true, "nothing matches '%s'", a->search);
	if (forward ? (uint64_t)i <= cur : (uint64_t)i >= cur)
		app_message(a, false, "search wrapped");
	v->ops->goto_item(v, (uint64_t)i);
	return UI_REDRAW;
}

static int
c_search(struct app *a, int argc, char **argv, struct fs_err *err)
{
	struct view *v;
	int64_t i;

	if (need_find(a, &v, err) != 0)
		return -1;
	if (argc == 1)
		return app_prompt_open(a, PROMPT_SEARCH, "");
	snprintf(a->search, sizeof a->search, "%s", argv[1]);
	i = v->ops->find(v, a->search, v->ops->cur_item(v), true);
	if (i < 0)
		return app_message(a, true, "nothing matches '%s'", a->search);
	v->ops->goto_item(v, (uint64_t)i);
	return UI_REDRAW;
}

static int
c_search_next(struct app *a, int argc, char **argv, struct fs_err *err)
{
	(void)argc; (void)argv;
	return search_step(a, true, err);
}

static int
c_search_prev(struct app *a, int argc, char **argv, struct fs_err *err)
{
	(void)argc; (void)argv;
	return search_step(a, false, err);
}

static int
c_filter(struct app *a, int argc, char **argv, struct fs_err *err)
{
	struct view *v = app_top(a);
	char text[1024] = "";
	struct dlist *l;

	if (need_list(a, &l, err) != 0)
		return -1;
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			strncat(text, " ", sizeof text - strlen(text) - 1);
		strncat(text, argv[i], sizeof text - strlen(text) - 1);
	}
	return view_list_set_filter(a, v, text);
}

static int
c_show(struct app *a, int argc, char **argv, struct fs_err *err)
{
	struct dlist *l;

	if (need_list(a, &l, err) != 0)
		return -1;
	if (argc == 1 || strcmp(argv[1], "toggle") == 0)
		l->flagged_only = !l->flagged_only;
	else if (strcmp(argv[1], "all") == 0)
		l->flagged_only = false;
	else if (strcmp(argv[1], "flagged") == 0)
		l->flagged_only = true;
	else {
		fs_err_set(err, FS_E_ARG, "show: all, flagged or toggle, not '%s'", argv[1]);
		return -1;
	}
	dlist_refresh(l);
	return app_message(a, false, "showing %s domains", l->flagged_only ? "flagged" : "all");
}

static int
c_group(struct app *a, int argc, char **argv, struct fs_err *err)
{
	struct dlist *l;

	if (need_list(a, &l, err) != 0)
		return -1;
	if (argc == 1 || strcmp(argv[1], "toggle") == 0)
		dlist_set_grouped(l, !l->grouped);
	else if (strcmp(argv[1], "on") == 0)
		dlist_set_grouped(l, true);
	else if (strcmp(argv[1], "off") == 0)
		dlist_set_grouped(l, false);
	else {
		fs_err_set(err, FS_E_ARG, "group: on, off or toggle, not '%s'", argv[1]);
		return -1;
	}
	return app_message(a, false, "%s", l->grouped ? "grouped by registrable domain"
	                                                : "one row per domain name");
}

static int
c_mark(struct app *a, int argc, char **argv, struct fs_err *err)
{
	struct view *v = app_top(a);
	uint32_t dom;
	int how = -1;

	if (argc == 3)
		return session_cmd_mark_object(a, argv[1], argv[2], true, err);
	if (argc > 1) {
		if (strcmp(argv[1], "all") == 0)
			return session_cmd_mark_all(a, err);
		if (strcmp(argv[1], "on") == 0)
			how = 1;
		else if (strcmp(argv[1], "off") == 0)
			how = 0;
		else if (strcmp(argv[1], "clear") == 0)
			return app_set_mark(a, 0, 0);
		else if (strcmp(argv[1], "toggle") != 0) {
			fs_err_set(err, FS_E_ARG, "mark: toggle, on, off, clear, all or KIND KEY, not '%s'", argv[1]);
			return -1;
		}
	}
	if (v != NULL && v->ops->list != NULL) {
		struct dlist *l = v->ops->list(v);
		const struct snap_row *r = dlist_current(l);
		if (l->grouped && r != NULL) {
			/* A registrable-domain row marks or unmarks every name under it. */
			bool on = how == 1 || (how == -1 && !(r->flags & SNAP_MARKED));
			char key[300];
			struct fs_err e2 = { 0 };
			if (notes_canon(NOTE_ZONE, r->name, key, sizeof key, &e2) == FS_OK)
				notes_mark(a->notes, NOTE_ZONE, key, on);
			for (uint32_t i = 0; i < r->n_members; i++)
				app_set_mark(a, l->snap->dom.rows[l->snap->grp_members[r->group + i]].id, on);
			return UI_REDRAW;
		}
	}
	/* In the detail, a line with an address, ASN or nameserver marks that object. */
	if (v != NULL && v->ops->list == NULL) {
		enum note_kind k;
		char key[300];
		if (session_ui_current(a, &k, key, sizeof key) && k != NOTE_DOMAIN) {
			const struct note *n = notes_find(a->notes, k, key);
			bool on = how == 1 || (how == -1 && (n == NULL || !n->marked));
			notes_mark(a->notes, k, key, on);
			return app_message(a, false, "%s %s %s", notes_kind_name(k), key, on ? "marked" : "unmarked");
		}
	}
	dom = v != NULL && v->ops->current_dom != NULL ? v->ops->current_dom(v) : 0;
	if (dom == 0) {
		fs_err_set(err, FS_E_ARG, "no domain under the cursor to mark");
		return -1;
	}
	return app_set_mark(a, dom, how);
}

static int
c_theme(struct app *a, int argc, char **argv, struct fs_err *err)
{
	(void)err;
	if (argc == 1) {
		char *names[64];
		char list[512] = "";
		int n = theme_list(a->cfg.theme_dirs, a->cfg.n_theme_dirs, names, 64);
		for (int i = 0; i < n; i++) {
			strncat(list, " ", sizeof list - strlen(list) - 1);
			strncat(list, names[i], sizeof list - strlen(list) - 1);
			free(names[i]);
		}
		return app_message(a, false, "theme %s; available:%s", a->theme.name,
		                   n ? list : " (no theme files found; built-in dark)");
	}
	return app_set_theme(a, argv[1]);
}

static int
c_export(struct app *a, int argc, char **argv, struct fs_err *err)
{
	if (argc == 2) {
		fs_err_set(err, FS_E_ARG, "usage: export [FORMAT PATH] (no arguments: the dialog)");
		return -1;
	}
	return app_export(a, argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL);
}

static int
c_view(struct app *a, int argc, char **argv, struct fs_err *err)
{
	struct view *v;
	(void)argc;
	if (strcmp(argv[1], "time") == 0) {
		if (a->snap == NULL || a->snap->dom.n == 0) {
			fs_err_set(err, FS_E_ARG, "view time: nothing loaded yet");
			return -1;
		}
		return app_push(a, view_time_new(a));
	}
	if (a->snap == NULL || a->snap->det == NULL) {
		fs_err_set(err, FS_E_ARG, "view: nothing scored yet");
		return -1;
	}
	if ((v = view_objects_new(a, argv[1])) == NULL) {
		fs_err_set(err, FS_E_ARG, "view: '%s' is not a view (time, %s)", argv[1], view_objects_names());
		return -1;
	}
	return app_push(a, v);
}

static int
c_range(struct app *a, int argc, char **argv, struct fs_err *err)
{
	(void)argc; (void)err;
	return view_time_range(a, app_top(a), argv[1]);
}

static int
c_help(struct app *a, int argc, char **argv, struct fs_err *err)
{
	(void)argc; (void)argv; (void)err;
	return app_open_help(a);
}

static int
c_prompt(struct app *a, int argc, char **argv, struct fs_err *err)
{
	struct dlist *l;

	if (argc == 1 || strcmp(argv[1], "command") == 0)
		return app_prompt_open(a, PROMPT_COMMAND, argc > 2 ? argv[2] : "");
	if (strcmp(argv[1], "search") == 0) {
		struct view *v;
		if (need_find(a, &v, err) != 0)
			return -1;
		return app_prompt_open(a, PROMPT_SEARCH, "");
	}
	if (strcmp(argv[1], "filter") == 0) {
		if (need_list(a, &l, err) != 0)
			return -1;
		/* A rejected filter comes back for editing; otherwise the one in force. */
		return app_prompt_open(a, PROMPT_FILTER, a->filter_retry[0] ? a->filter_retry
		                                                             : view_list_filter(app_top(a)));
	}
	fs_err_set(err, FS_E_ARG, "prompt: command, search or filter, not '%s'", argv[1]);
	return -1;
}

static int
c_bind(struct app *a, int argc, char **argv, struct fs_err *err)
{
	const char *table = "global";
	char cmd[1024] = "";
	int i = 1;

	if (argc > 3 && strcmp(argv[1], "-T") == 0) {
		table = argv[2];
		i = 3;
	}
	if (argc - i < 2) {
		fs_err_set(err, FS_E_ARG, "usage: bind [-T TABLE] KEY COMMAND...");
		return -1;
	}
	for (int j = i + 1; j < argc; j++) {
		if (j > i + 1)
			strncat(cmd, " ", sizeof cmd - strlen(cmd) - 1);
		strncat(cmd, argv[j], sizeof cmd - strlen(cmd) - 1);
	}
	if (keymap_bind(&a->keys, table, argv[i], cmd, NULL, err) != FS_OK)
		return -1;
	return app_message(a, false, "%s in %s now runs: %s", argv[i], table, cmd);
}

static int
c_unbind(struct app *a, int argc, char **argv, struct fs_err *err)
{
	const char *table = "global";
	int i = 1;

	if (argc > 3 && strcmp(argv[1], "-T") == 0) {
		table = argv[2];
		i = 3;
	}
	if (i >= argc) {
		fs_err_set(err, FS_E_ARG, "usage: unbind [-T TABLE] KEY");
		return -1;
	}
	if (keymap_unbind(&a->keys, table, argv[i], err) != FS_OK)
		return -1;
	return app_message(a, false, "%s unbound in %s", argv[i], table);
}

static int
c_redraw(struct app *a, int argc, char **argv, struct fs_err *err)
{
	(void)a; (void)argc; (void)argv; (void)err;
	return UI_CLEAR;
}

static int
c_probe(struct app *a, int argc, char **argv, struct fs_err *err)
{
	(void)err;
	if (argc > 1 && strcmp(argv[1], "stop") == 0)
		return app_probe_stop(a);
	return app_probe(a, argc > 1 ? argv[1] : NULL);
}

static const struct cmd_entry cmds[] = {
	{ "back", NULL, 0, 0, "", "go back one step along the breadcrumb trail", c_back },
	{ "bind", NULL, 2, -1, "[-T TABLE] KEY COMMAND...", "bind a key to a command (tables: global list detail time)", c_bind },
	{ "close", NULL, 0, 0, "", "stop loading, else go back, else quit (the q key)", c_close },
	{ "collapse", NULL, 0, 0, "", "Timeline: fold identical consecutive rows with a count, or show each", c_collapse },
	{ "copy", NULL, 0, 0, "", "copy the detail line under the cursor to the terminal's clipboard (OSC 52)", c_copy },
	{ "domain", NULL, 1, 2, "NAME [TAB]", "open the detail of a domain (tab 1-5 or its name)", session_cmd_domain },
	{ "export", NULL, 0, 2, "[FORMAT PATH]", "export the marked domains (no arguments: dialog)", c_export },
	{ "filter", NULL, 0, -1, "[EXPR]", "filter the list, e.g. verdict=single-flux score>=60 (empty: clear)", c_filter },
	{ "group", NULL, 0, 1, "[on|off|toggle]", "group the list by registrable domain", c_group },
	{ "help", NULL, 0, 0, "", "show every key and command", c_help },
	{ "mark", NULL, 0, 2, "[toggle|on|off|clear|all|KIND KEY]", "mark the domain under the cursor (clear: unmark all; all: every row listed; KIND KEY: an address, asn, ns, zone or domain)", c_mark },
	{ "move", NULL, 1, 2, "up|down|pgup|pgdn|halfup|halfdown|top|bottom [N]", "move the cursor", c_move },
	{ "note", NULL, 0, -1, "[TEXT]", "note on the object under the cursor (domain, zone, address, ASN, nameserver); no text removes it", session_cmd_note },
	{ "note-for", NULL, 2, -1, "KIND KEY [TEXT]", "note on any object: KIND is domain, zone, address, asn or ns", session_cmd_note_for },
	{ "open", NULL, 0, 0, "", "open the item under the cursor", c_open },
	{ "packet", NULL, 0, 0, "", "Timeline: show the row's packet with tshark -r FILE -Y frame.number==N -O dns", c_packet },
	{ "probe", NULL, 0, 1, "[NAME|stop]", "ask the domain's resolver and nameservers now (sends queries; stop: end it)", c_probe },
	{ "prompt", NULL, 0, 2, "[command|search|filter] [TEXT]", "open a prompt", c_prompt },
	{ "quit", "q", 0, 1, "[-f]", "quit (asks first when marks were not exported; -f: do not ask)", c_quit },
	{ "range", NULL, 1, 1, "start|end|clear|apply", "time view: mark the start or end of a time range at the cursor, clear it, or filter the list to it", c_range },
	{ "redraw", NULL, 0, 0, "", "repaint the whole screen", c_redraw },
	{ "save", NULL, 0, 1, "[PATH]", "save the session (marks, notes, filter, views, captures); then after every change", session_cmd_save },
	{ "search", NULL, 0, 1, "[TEXT]", "move to the next domain containing TEXT", c_search },
	{ "search-next", NULL, 0, 0, "", "next match of the last search", c_search_next },
	{ "search-prev", NULL, 0, 0, "", "previous match of the last search", c_search_prev },
	{ "show", NULL, 0, 1, "[all|flagged|toggle]", "show all domains or only flagged ones", c_show },
	{ "sort", NULL, 0, 2, "[COLUMN|next|reverse] [asc|desc]", "sort the list by a column", c_sort },
	{ "stop", NULL, 0, 0, "", "stop loading and keep what was read", c_stop },
	{ "tab", NULL, 1, 1, "N|next|prev|NAME", "switch detail tab", c_tab },
	{ "theme", NULL, 0, 1, "[NAME|PATH]", "switch theme (no argument: list themes)", c_theme },
	{ "unbind", NULL, 1, 3, "[-T TABLE] KEY", "remove a key binding", c_unbind },
	{ "unmark", NULL, 0, 2, "[KIND KEY]", "remove the mark of the object under the cursor, or of KIND KEY", session_cmd_unmark },
	{ "view", NULL, 1, 1, "time|clusters|addresses|asns|nameservers", "responses and flagged domains over time (a range of it filters the list); every cluster (members, shared agents and nameservers), address, ASN or nameserver (Enter lists the domains using it)", c_view },
};

const struct cmd_entry *
cmd_table(size_t *n)
{
	*n = sizeof cmds / sizeof cmds[0];
	return cmds;
}

const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry *hit = NULL;
	size_t len = strlen(name);
	int n = 0;

	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (strcmp(cmds[i].name, name) == 0 || (cmds[i].alias && strcmp(cmds[i].alias, name) == 0))
			return &cmds[i];
		if (len > 0 && strncmp(cmds[i].name, name, len) == 0) {
			hit = &cmds[i];
			n++;
		}
	}
	return n == 1 ? hit : NULL;
}

int
cmd_split(const char *line, char **argv, int max, char *buf, size_t buflen, struct fs_err *err)
{
	const char *p = line;
	size_t o = 0;
	int argc = 0;

	for (;;) {
		char quote = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (argc >= max) {
			fs_err_set(err, FS_E_ARG, "too many words (at most %d)", max);
			return -1;
		}
		argv[argc++] = buf + o;
		while (*p != '\0' && (quote || (*p != ' ' && *p != '\t'))) {
			char c = *p++;
			if (quote && c == quote) {
				quote = 0;
				continue;
			}
			if (!quote && (c == '\'' || c == '"')) {
				quote = c;
				continue;
			}
			if (c == '\\' && quote != '\'' && *p != '\0')
				c = *p++;
			if (o + 2 >= buflen) {
				fs_err_set(err, FS_E_ARG, "command line too long");
				return -1;
			}
			buf[o++] = c;
		}
		if (quote) {
			fs_err_set(err, FS_E_ARG, "unterminated %c quote", quote);
			return -1;
		}
		/* An empty word ('' or "") adds only its NUL: checked here too (fuzz_cmd found a
		 * 2046-byte word followed by two empty ones writing past cmd_exec's buffer). */
		if (o >= buflen) {
			fs_err_set(err, FS_E_ARG, "command line too long");
			return -1;
		}
		buf[o++] = '\0';
	}
	return argc;
}

int
cmd_exec(struct app *a, const char *line, struct fs_err *err)
{
	char buf[2048];
	char *argv[CMD_MAX_ARGS + 1];
	const struct cmd_entry *e;
	int argc = cmd_split(line, argv, CMD_MAX_ARGS, buf, sizeof buf, err);

	if (argc < 0)
		return -1;
	if (argc == 0)
		return UI_OK;
	argv[argc] = NULL;
	if ((e = cmd_find(argv[0])) == NULL) {
		fs_err_set(err, FS_E_ARG, "unknown command '%s' (? lists them)", argv[0]);
		return -1;
	}
	if (argc - 1 < e->min_args || (e->max_args >= 0 && argc - 1 > e->max_args)) {
		fs_err_set(err, FS_E_ARG, "usage: %s %s", e->name, e->usage);
		return -1;
	}
	return e->exec(a, argc, argv, err);
}
