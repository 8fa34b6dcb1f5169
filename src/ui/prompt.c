/* Readline in callback mode, driven key by key from the UI loop. */
#include "ui/prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "fluxscope/bgwrite.h"
#include "ui/cmd.h"

static struct app *cur;            /* the app whose prompt readline is editing */
static unsigned char inq[64];      /* bytes waiting for rl_getc */
static int inq_len, inq_pos;
static bool rl_ready;
static char *pending;              /* line delivered by readline, handled after it returns */
static bool pending_eof;
static HISTORY_STATE *hist[PROMPT_TEXT + 1];
static char hist_path[4096];       /* "" = history not kept across runs */

#define HIST_MAX 500
static const char *const hist_kind[] = {
	[PROMPT_COMMAND] = "command", [PROMPT_SEARCH] = "search", [PROMPT_FILTER] = "filter",
};

static int
getc_cb(FILE *f)
{
	(void)f;
	if (inq_pos >= inq_len)
		return EOF; /* not reached: we only call readline with bytes queued */
	return inq[inq_pos++];
}

static int
avail_cb(void)
{
	return inq_pos < inq_len;
}

static void
redisplay_cb(void)
{
	if (cur == NULL)
		return;
	snprintf(cur->prompt.line, sizeof cur->prompt.line, "%s", rl_line_buffer ? rl_line_buffer : "");
	cur->prompt.point = rl_point < (int)sizeof cur->prompt.line ? rl_point : 0;
	if ((size_t)cur->prompt.point > strlen(cur->prompt.line))
		cur->prompt.point = (int)strlen(cur->prompt.line);
}

static void
prep_cb(int meta)
{
	(void)meta;
}

static void
deprep_cb(void)
{
}

static void
line_cb(char *line)
{
	free(pending);
	pending = line != NULL ? xstrdup(line) : NULL;
	pending_eof = line == NULL;
	free(line);
	rl_callback_handler_remove();
}

/* Completion from the command table, theme names and column names. */
static char **comp_list;
static int comp_n;

static char *
comp_gen(const char *text, int state)
{
	static int i;
	size_t len = strlen(text);
	if (state == 0)
		i = 0;
	while (i < comp_n) {
		const char *s = comp_list[i++];
		if (strncmp(s, text, len) == 0)
			return strdup(s);
	}
	return NULL;
}

static void
comp_reset(void)
{
	for (int i = 0; i < comp_n; i++)
		free(comp_list[i]);
	free(comp_list);
	comp_list = NULL;
	comp_n = 0;
}

static void
comp_add(const char *s)
{
	comp_list = xreallocarray(comp_list, (size_t)comp_n + 1, sizeof *comp_list);
	comp_list[comp_n++] = xstrdup(s);
}

static char **
complete_cb(const char *text, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1;
	if (cur == NULL || cur->prompt.kind != PROMPT_COMMAND)
		return NULL;
	comp_reset();
	if (start == 0) {
		size_t n;
		const struct cmd_entry *t = cmd_table(&n);
		for (size_t i = 0; i < n; i++)
			comp_add(t[i].name);
	} else {
		char first[32];
		size_t k = strcspn(rl_line_buffer, " ");
		snprintf(first, sizeof first, "%.*s", (int)(k < 31 ? k : 31), rl_line_buffer);
		if (strcmp(first, "theme") == 0) {
			char *names[64];
			int n = theme_list(cur->cfg.theme_dirs, cur->cfg.n_theme_dirs, names, 64);
			for (int i = 0; i < n; i++) {
				comp_add(names[i]);
				free(names[i]);
			}
		} else if (strcmp(first, "sort") == 0) {
			for (int i = 0; i < snap_col_count(); i++)
				comp_add(snap_col_info(i)->name);
			comp_add("next");
			comp_add("reverse");
		} else if (strcmp(first, "show") == 0) {
			comp_add("all");
			comp_add("flagged");
		} else if (strcmp(first, "tab") == 0) {
			comp_add("summary"); comp_add("timeline"); comp_add("spread");
			comp_add("nameservers"); comp_add("related");
		} else if (strcmp(first, "move") == 0) {
			comp_add("up"); comp_add("down"); comp_add("top"); comp_add("bottom");
			comp_add("pgup"); comp_add("pgdn");
		}
	}
	return rl_completion_matches(text, comp_gen);
}

/* Several completions: list them on the message line instead of readline's output stream. */
static void
display_matches_cb(char **matches, int n, int maxlen)
{
	char buf[512] = "";
	(void)maxlen;
	if (cur == NULL)
		return;
	for (int i = 1; i <= n && strlen(buf) < sizeof buf - 2; i++) {
		strncat(buf, matches[i], sizeof buf - strlen(buf) - 2);
		strncat(buf, " ", sizeof buf - strlen(buf) - 1);
	}
	app_message(cur, false, "%s", buf);
}

static void
rl_setup(void)
{
	static FILE *devnull;

	if (rl_ready)
		return;
	rl_ready = true;
	rl_readline_name = "fluxscope";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = prep_cb;
	rl_deprep_term_function = deprep_cb;
	rl_getc_function = getc_cb;
	rl_input_available_hook = avail_cb;
	rl_redisplay_function = redisplay_cb;
	rl_attempted_completion_function = complete_cb;
	rl_completion_display_matches_hook = display_matches_cb;
	if (devnull == NULL)
		devnull = fopen("/dev/null", "w");
	rl_outstream = devnull;
	rl_initialize();
	rl_variable_bind("bell-style", "none");
	rl_variable_bind("enable-bracketed-paste", "off");
	using_history();
}

static void
hist_switch(int kind)
{
	static HISTORY_STATE empty;
	if (hist[kind] != NULL)
		history_set_history_state(hist[kind]);
	else
		history_set_history_state(&empty);
}

static void
hist_save(int kind)
{
	free(hist[kind]);
	hist[kind] = history_get_history_state();
}

/* Write every kind's history (dialog text excluded) to hist_path, in the background. */
static void
hist_persist(void)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (hist_path[0] == '\0')
		return;
	FILE *m = open_memstream(&buf, &cap);
	if (m == NULL)
		return;
	fputs("# fluxscope prompt history 1\n", m);
	for (int k = 0; k < PROMPT_TEXT; k++) {
		if (hist[k] == NULL || hist_kind[k] == NULL)
			continue;
		int from = hist[k]->length > HIST_MAX ? hist[k]->length - HIST_MAX : 0;
		for (int i = from; i < hist[k]->length; i++)
			if (hist[k]->entries[i] != NULL && hist[k]->entries[i]->line != NULL &&
			    strchr(hist[k]->entries[i]->line, '\n') == NULL)
				fprintf(m, "%s\t%s\n", hist_kind[k], hist[k]->entries[i]->line);
	}
	fclose(m);
	len = strlen(buf);
	fs_bg_write(hist_path, buf, len);
	free(buf);
}

void
prompt_history_load(const char *path)
{
	FILE *f;
	char line[2048];

	rl_setup();
	snprintf(hist_path, sizeof hist_path, "%s", path ? path : "");
	if (path == NULL || (f = fopen(path, "r")) == NULL)
		return;
	/* A foreign or damaged file: lines that are not "KIND<TAB>TEXT" are skipped. */
	while (fgets(line, sizeof line, f) != NULL) {
		size_t n = strlen(line);
		if (n > 0 && line[n - 1] != '\n' && !feof(f)) {     /* over-long: skip the rest */
			int c;
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		line[strcspn(line, "\n")] = '\0';
		char *tab = strchr(line, '\t');
		if (line[0] == '#' || tab == NULL || tab[1] == '\0')
			continue;
		*tab = '\0';
		bool ctl = false;
		for (const char *q = tab + 1; *q; q++)
			ctl |= (unsigned char)*q < 0x20 || *q == 0x7f;
		if (ctl)
			continue;
		for (int k = 0; k < PROMPT_TEXT; k++)
			if (hist_kind[k] != NULL && strcmp(line, hist_kind[k]) == 0) {
				hist_switch(k);
				add_history(tab + 1);
				if (history_length > HIST_MAX)
					free_history_entry(remove_history(0));
				hist_save(k);
			}
	}
	fclose(f);
}

static const char *
label_for(int kind)
{
	switch (kind) {
	case PROMPT_COMMAND: return ":";
	case PROMPT_SEARCH: return "/";
	case PROMPT_FILTER: return "filter: ";
	default: return "> ";
	}
}

static int
begin(struct app *a, int kind, const char *label, const char *initial)
{
	struct view *v = app_top(a);

	prompt_end(a);
	rl_setup();
	cur = a;
	memset(&a->prompt, 0, sizeof a->prompt);
	a->prompt.active = true;
	a->prompt.kind = kind;
	snprintf(a->prompt.label, sizeof a->prompt.label, "%s", label);
	a->prompt.origin = v != NULL && v->ops->save_pos != NULL ? v->ops->save_pos(v) : 0;
	a->prompt.origin_item = v != NULL && v->ops->cur_item != NULL ? v->ops->cur_item(v) : 0;
	hist_switch(kind);
	inq_len = inq_pos = 0;
	rl_callback_handler_install("", line_cb);
	if (initial != NULL && initial[0] != '\0')
		rl_insert_text(initial);
	redisplay_cb();
	return UI_REDRAW;
}

int
app_prompt_open(struct app *a, int kind, const char *initial)
{
	return begin(a, kind, label_for(kind), initial);
}

int
prompt_text(struct app *a, const char *label, const char *initial,
            void (*done)(struct app *a, void *ctx, const char *line), void *ctx)
{
	begin(a, PROMPT_TEXT, label, initial);
	a->prompt.done = done;
	a->prompt.done_ctx = ctx;
	return UI_REDRAW;
}

void
prompt_end(struct app *a)
{
	if (!a->prompt.active)
		return;
	if (cur == a) {
		hist_save(a->prompt.kind);
		rl_callback_handler_remove();
		cur = NULL;
	}
	a->prompt.active = false;
	comp_reset();
}

/* Incremental search: move to the first match at or after the item where the prompt opened;
 * with no match (or no text) the view goes back to where it was. */
static int
search_update(struct app *a)
{
	struct view *v = app_top(a);
	int64_t i;

	if (v == NULL || v->ops->find == NULL)
		return UI_OK;
	v->ops->restore_pos(v, a->prompt.origin);
	snprintf(a->prompt.label, sizeof a->prompt.label, "/");
	snprintf(a->search, sizeof a->search, "%s", a->prompt.line);
	if (a->prompt.line[0] == '\0')
		return UI_REDRAW;
	i = v->ops->find(v, a->prompt.line, a->prompt.origin_item, true);
	if (i >= 0)
		v->ops->goto_item(v, (uint64_t)i);
	else
		snprintf(a->prompt.label, sizeof a->prompt.label, "(no match) /");
	return UI_REDRAW;
}

static int
finish(struct app *a, char *line)
{
	int kind = a->prompt.kind;
	void (*done)(struct app *, void *, const char *) = a->prompt.done;
	void *done_ctx = a->prompt.done_ctx;
	int r = UI_REDRAW;

	if (line[0] != '\0' && kind != PROMPT_TEXT) {
		HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
		if (last == NULL || strcmp(last->line, line) != 0)
			add_history(line);
		if (history_length > HIST_MAX)
			free_history_entry(remove_history(0));
	}
	prompt_end(a);
	if (line[0] != '\0' && kind != PROMPT_TEXT)
		hist_persist();
	switch (kind) {
	case PROMPT_COMMAND:
		r |= app_run_command(a, line);
		break;
	case PROMPT_SEARCH:
		snprintf(a->search, sizeof a->search, "%s", line);
		if (line[0] != '\0') {
			struct view *v = app_top(a);
			if (v != NULL && v->ops->find != NULL && v->ops->find(v, line, v->ops->cur_item(v), true) < 0)
				app_message(a, true, "nothing matches '%s'", line);
		}
		break;
	case PROMPT_FILTER:
		r |= view_list_set_filter(a, app_top(a), line);
		break;
	case PROMPT_TEXT:
		if (done != NULL)
			done(a, done_ctx, line);
		break;
	}
	return r;
}

static void
cancel(struct app *a)
{
	if (a->prompt.kind == PROMPT_SEARCH) {
		struct view *v = app_top(a);
		if (v != NULL && v->ops->restore_pos != NULL)
			v->ops->restore_pos(v, a->prompt.origin);
	}
	prompt_end(a);
}

static void
queue_str(const char *s)
{
	size_t n = strlen(s);
	if (inq_len + (int)n <= (int)sizeof inq) {
		memcpy(inq + inq_len, s, n);
		inq_len += (int)n;
	}
}

int
prompt_key(struct app *a, ui_key k)
{
	char enc[5] = { 0 };
	char before[sizeof a->prompt.line];

	if (!a->prompt.active || cur != a)
		return UI_OK;
	if (k == KEY_ESC_C || k == KEY_CTRL('c') || k == KEY_CTRL('g')) {
		cancel(a);
		return UI_REDRAW;
	}
	/* Backspace on an empty line closes the prompt, as in vim and less. */
	if ((k == KEY_BSPACE_C || k == KEY_CTRL('h')) && a->prompt.line[0] == '\0') {
		cancel(a);
		return UI_REDRAW;
	}
	inq_len = inq_pos = 0;
	switch (k) {
	case KEYC_LEFT: queue_str("\033[D"); break;
	case KEYC_RIGHT: queue_str("\033[C"); break;
	case KEYC_UP: queue_str("\033[A"); break;
	case KEYC_DOWN: queue_str("\033[B"); break;
	case KEYC_HOME: queue_str("\033[H"); break;
	case KEYC_END: queue_str("\033[F"); break;
	case KEYC_DC: queue_str("\033[3~"); break;
	case KEY_ENTER_C: case '\n': queue_str("\r"); break;
	default:
		if (k >= KEYC_BASE)
			return UI_OK;
		enc[canvas_utf8_encode(k, enc)] = '\0';
		if (k == 0)
			return UI_OK;
		queue_str(enc);
		break;
	}
	snprintf(before, sizeof before, "%s", a->prompt.line);
	free(pending);
	pending = NULL;
	pending_eof = false;
	while (inq_pos < inq_len && cur == a && a->prompt.active) {
		rl_callback_read_char();
		if (pending != NULL || pending_eof)
			break;
	}
	inq_len = inq_pos = 0;
	if (pending != NULL) {
		char *line = pending;
		int r;
		pending = NULL;
		/* readline removed its handler; finish() saves history and runs the line. */
		r = finish(a, line);
		free(line);
		return r;
	}
	if (pending_eof) {
		pending_eof = false;
		cancel(a);
		return UI_REDRAW;
	}
	if (a->prompt.kind == PROMPT_SEARCH && strcmp(before, a->prompt.line) != 0)
		return search_update(a);
	return UI_REDRAW;
}
