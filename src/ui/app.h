/* The TUI application state: the view stack (breadcrumb trail), the current snapshot, prompt,
 * overlays, messages and the loading status. Handlers change this state and return a reaction
 * bitmask (htop's Htop_Reaction); only app_draw() renders, into a canvas. Nothing here calls
 * curses, so the whole key → state → canvas path is unit-tested headless; draw.c does the
 * terminal and app_run() the loop.
 *
 * Threads: UI thread only. Data arrives through the feed (struct app_feed_ops), which hides the
 * ingest and detection threads behind poll/take/release calls. */
#ifndef FLUXSCOPE_UI_APP_H
#define FLUXSCOPE_UI_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "fluxscope/fs.h"
#include "fluxscope/notes.h"
#include "ui/canvas.h"
#include "ui/dlist.h"
#include "ui/keys.h"
#include "ui/keymap.h"
#include "ui/snap.h"
#include "ui/theme.h"

/* Reactions: what a handler needs the loop to do. */
enum {
	UI_OK = 0x00,
	UI_REDRAW = 0x01,     /* draw the canvas again */
	UI_CLEAR = 0x03,      /* repaint the whole terminal (C-l, theme change) */
	UI_THEME = 0x07,      /* the theme changed: reload terminal colours, repaint */
	UI_QUIT = 0x10
};

struct app;
struct store;
struct geo;
struct probe;
struct probe_config;

/* Loading and capture status, polled from the feed. */
struct app_progress {
	char source[256];          /* "flux-demo.pcap", "2 files", "eth0" */
	bool loading;              /* the ingest thread is still reading */
	bool live;
	bool stopped;              /* stopped by the user before the end of input */
	bool scoring;              /* detection is running or pending on newer data */
	uint64_t bytes_read, bytes_total;
	uint64_t packets, dns_messages;
	uint64_t kernel_drops, iface_drops;
	uint64_t app_drops;        /* live: captured, but the analysis could not take them in time */
	double pkt_rate, dns_rate; /* live: packets and DNS messages per second, last second or so */
	double elapsed;            /* seconds since loading started */
	char error[512];           /* ingest error sentence, "" when none */
	/* live dnstap: each resolver feed, "IDENTITY RATE/s" with "eN" errors and "down" when
	 * disconnected; feeds_warn when any feed has errors or drops, or is down */
	char feeds[256];
	bool feeds_warn;
};

/* Where the data comes from. All calls on the UI thread; none blocks for long. */
struct app_feed_ops {
	void (*progress)(void *ctx, struct app_progress *out);
	/* A snapshot newer than the last one taken, or NULL. The UI owns it until release(). */
	struct snap *(*take)(void *ctx);
	void (*release)(void *ctx, struct snap *s);
	void (*stop)(void *ctx);                       /* stop loading, keep what was read */
	/* Persist a mark in the store (its user_flags), at once when the store is free, else
	 * queued for the feed's worker: never a wait on the UI thread. May be NULL. */
	void (*set_mark)(void *ctx, uint32_t dom, bool on);
	/* Marks given to set_mark that are not in the store yet (0 when none). May be NULL. */
	size_t (*marks_pending)(void *ctx);
	/* A ClickHouse window (--source): fetch the rows of a domain the window left out (its full
	 * history in the window and its zone's NS rows) on a thread of the feed, into the store
	 * (fluxscope/chouse.h, drill-down). 1 queued, 0 asked before, -1 nothing to fetch from
	 * (another source). May be NULL. */
	int (*history)(void *ctx, const char *name);
	/* The state of name's fetch (APP_HIST_*), the rows added so far and, failed, the
	 * sentence. May be NULL. */
	int (*history_state)(void *ctx, const char *name, uint64_t *rows, char *err, size_t err_len);
	/* :open — read another capture into the same store on a thread of the feed, its messages
	 * numbered src_index; err names the file. May be NULL (not available). */
	fs_status (*open)(void *ctx, const char *path, int src_index, struct fs_err *err);
	/* Whether captures given to open are still being read (frames read so far). May be NULL. */
	bool (*open_busy)(void *ctx, uint64_t *frames);
};
enum { APP_HIST_NONE = 0, APP_HIST_RUNNING, APP_HIST_DONE, APP_HIST_FAILED };

/* The UI thread and the store lock (issue 16): it waits at most APP_LOCK_WAIT_MS (about a
 * frame) for the read lock, which a long writer (an ageing step) or a long reader ahead of a
 * waiting writer (a detection pass: the lock prefers writers) may hold; when it cannot get it
 * the view keeps what it shows, the status bar says "updating" and the view tries again at the
 * next tick. app_store_read() returns true with the read lock held (app_store_done() releases
 * it); false when the lock was busy (and with no store). Every wait is timed:
 * app_lock_stats() has the longest (what make bench reports) and the longest time the UI went
 * on showing "updating" before the data came. */
#define APP_LOCK_WAIT_MS 15
bool app_store_read(struct app *a);
void app_store_done(struct app *a);
struct app_lock_stats {
	uint64_t tries;            /* lock attempts */
	uint64_t busy;             /* attempts that gave up after APP_LOCK_WAIT_MS */
	double max_wait_ms;        /* the longest wait for the lock, taken or not */
	double total_wait_ms;
	double max_stale_ms;       /* the longest stretch from a first busy attempt to the next
	                            * attempt that got the lock (what the user saw as "updating") */
	uint64_t keys;             /* key presses handled (loop.c) */
	double max_key_ms;         /* the longest from a key's arrival to the frame drawn after it
	                            * (an upper bound: a key that came while the loop was busy
	                            * counts from the moment the loop last looked at the input) */
};
void app_lock_stats(struct app_lock_stats *out);   /* UI thread, or after the UI ended */
void app_key_stats_note(double ms);                /* UI thread (loop.c) */

/* Views: the list (home and pivots) and the domain detail; one instance per breadcrumb step. */
enum { MOVE_UP, MOVE_DOWN, MOVE_PGUP, MOVE_PGDN, MOVE_HALFUP, MOVE_HALFDOWN, MOVE_TOP,
       MOVE_BOTTOM, MOVE_WHEEL };

struct view;
struct view_ops {
	const char *name;          /* also the name of its key table */
	void (*free)(struct view *v);
	void (*draw)(struct app *a, struct view *v, struct ui_canvas *c, int y0, int h);
	int (*mouse)(struct app *a, struct view *v, const struct ui_event *ev, int y0, int h);
	void (*set_snap)(struct app *a, struct view *v);   /* a new snapshot arrived */
	void (*crumb)(const struct view *v, char *buf, size_t len);
	void (*info)(const struct app *a, const struct view *v, char *buf, size_t len); /* title, right */
	int (*move)(struct app *a, struct view *v, int how, int64_t n);
	int (*open)(struct app *a, struct view *v);
	int (*tab)(struct app *a, struct view *v, int tab, int delta); /* NULL: no tabs */
	uint32_t (*current_dom)(const struct view *v);     /* domain under the cursor, 0 = none */
	struct dlist *(*list)(struct view *v);             /* list view model, NULL for others */
	/* Search: the first item (row or line) at or after `from` (wrapping; backwards when
	 * !forward) containing text, or -1; the item under the cursor; move to an item; save and
	 * restore the view position (cursor and scroll) around an incremental search. */
	int64_t (*find)(struct view *v, const char *text, uint64_t from, bool forward);
	uint64_t (*cur_item)(const struct view *v);
	void (*goto_item)(struct view *v, uint64_t item);
	uint64_t (*save_pos)(const struct view *v);
	void (*restore_pos)(struct view *v, uint64_t pos);
	/* The keys of this view for the footer (NULL: the list's). */
	const char *(*hint)(const struct app *a, const struct view *v);
	/* Long work done in slices between keys (a filter over a million rows): whether some is
	 * pending, and do up to budget_ms of it; returns a reaction. May be NULL. */
	bool (*busy)(const struct view *v);
	int (*work)(struct app *a, struct view *v, double budget_ms);
};

struct view {
	const struct view_ops *ops;
	int last_h;                /* content height at the last draw (for paging) */
};

/* Overlays sit above the views and take the keys first (help, confirmation, export dialog). */
struct overlay;
struct overlay_ops {
	int (*key)(struct app *a, struct overlay *o, ui_key k);
	int (*mouse)(struct app *a, struct overlay *o, const struct ui_event *ev);
	void (*draw)(struct app *a, struct overlay *o, struct ui_canvas *c);
	void (*free)(struct overlay *o);
	int (*tick)(struct app *a, struct overlay *o);   /* at each tick; may be NULL */
};
struct overlay {
	const struct overlay_ops *ops;
};

/* Filters in the query language: compiled into a row predicate by the filter hook. */
struct app_filter_ops {
	/* Compile text; on success pred and ctx are set (ctx freed by free_ctx). */
	/* On error *err_col is the 1-based column where text went wrong (0: unknown). */
	fs_status (*compile)(struct app *a, const char *text, dlist_pred *pred, void **ctx,
	                     struct fs_err *err, size_t *err_col);
	void (*free_ctx)(void *ctx);
	dlist_bulk bulk;           /* optional: the filter over every domain row at once */
};
/* The query language of fluxscope/query.h (qfilter.c). */
extern const struct app_filter_ops query_filter_ops;

enum { PROMPT_COMMAND = 1, PROMPT_SEARCH, PROMPT_FILTER, PROMPT_TEXT };

struct app_prompt {
	bool active;
	int kind;
	char label[64];
	char line[1024];           /* what the user has typed so far (readline's buffer) */
	int point;                 /* cursor, byte offset into line */
	uint64_t origin;           /* search: view position when the prompt opened (save_pos) */
	uint64_t origin_item;      /* search: item under the cursor then */
	/* PROMPT_TEXT: called with the line and the context given to prompt_text() */
	void (*done)(struct app *a, void *ctx, const char *line);
	void *done_ctx;
};

#define APP_MAX_DEPTH 64

struct app_config {
	const char *theme;                     /* NAME or PATH, NULL = dark */
	const char *const *theme_dirs;         /* searched for NAME.theme */
	int n_theme_dirs;
	bool no_color;                         /* NO_COLOR: attributes only */
	struct store *store;                   /* borrowed; NULL in view-model tests */
	struct geo *geo;                       /* borrowed; UI thread's own handle, may be NULL */
	const char *db_names;                  /* enrichment databases for the status bar */
	bool db_stale;                         /* one of them is older than 60 days */
	bool home_all;                         /* the home list starts with every domain, not
	                                        * only the flagged ones */
	const struct probe_config *probe;      /* :probe's settings (name unset); NULL: off */
	const char *const *sources;            /* input files by source index (Timeline: the
	                                        * packet of a row); NULL when not files */
	int n_sources;
	const char *tshark;                    /* program for a row's packet; NULL = "tshark" */
};

struct app {
	struct app_config cfg;
	struct keymap keys;
	struct ui_theme theme;
	struct view *stack[APP_MAX_DEPTH];
	int depth;
	struct snap *snap;                     /* current snapshot, from the feed (may be NULL) */
	const struct app_feed_ops *feed;
	void *feed_ctx;
	const struct app_filter_ops *filter;
	struct app_progress prog;
	struct app_prompt prompt;
	struct overlay *ov;
	char msg[512];
	bool msg_error;
	/* A rejected expression shown above the message with a caret under caret_col (1-based,
	 * characters), while msg holds the error; `f` offers it again for editing. */
	char caret_text[512];
	int caret_col;
	char filter_retry[512];
	/* The column chooser (:columns): per list column 1 shown, -1 hidden, 0 the default (shown
	 * unless its priority says "sortable only", dropped first when the terminal is narrow). */
	int8_t col_choice[SNAP_COL_MAX];
	/* Input files by source index: the configured ones, then those :open added (owned). */
	const char *srcs[96];
	int n_srcs, n_srcs_cfg;                /* srcs[n_srcs_cfg..] are owned */
	bool opening;                          /* a capture given to :open is being read */
	/* Marks and notes on every kind of object (domain marks mirror markbits); owned by the
	 * session when one is attached (session_ui.c), else by the app. */
	struct notes *notes;
	bool notes_owned;
	struct session *session;               /* borrowed; NULL = none */
	bool session_restore;                  /* apply the session's state when rows arrive */
	bool session_views_pending;            /* reopen the session's detail views once the
	                                        * capture is loaded and scored (live: at once) */
	char search[1024];                     /* last search text, for n/N */
	uint32_t n_marks;                      /* marked domains */
	bool marks_unsaved;                    /* marked since the last export */
	/* The export dialog's last choices (kept across openings; a session saves them) */
	char export_format[32];
	char export_path[1024];
	int w, h;
	bool quit;
	bool load_announced;                   /* the end of loading was reported */
	bool updating;                         /* a view could not get the store lock: it
	                                        * shows older data and tries again */
	double stale_since;                    /* fs_mono_ms() of the first busy attempt, 0 */
	struct snap *empty;                    /* owned: shown until the first snapshot */
	uint8_t *markbits;                     /* owned: marked domain ids */
	size_t n_markbits;                     /* bytes */
	int crumb_x[APP_MAX_DEPTH + 1];        /* breadcrumb positions at the last draw */
	struct probe *probe;                   /* owned: the last :probe (ui/probe_ui.c) */
	bool probe_announced;                  /* its end was put on the message line */
	char *clip;                            /* owned: text for the terminal's clipboard (OSC 52),
	                                        * sent by the loop after the next draw */
	/* Drill-down fetches watched (ui/history_ui.c): a ClickHouse window's rows of a domain */
	struct app_hist {
		char name[256];
		bool open;                     /* push its detail when its rows are in */
		char tab[16];                  /* on this tab ("" the first) */
		bool announced;                /* finished, the message given */
		uint64_t rows;
		double done_ms;
	} hist[8];
	int n_hist;
};

/* Set up with the configured theme (a bad theme file → default theme and a message). Takes no
 * ownership of cfg strings. */
void app_init(struct app *a, const struct app_config *cfg, const struct app_feed_ops *feed,
              void *feed_ctx);
void app_fini(struct app *a);

/* Input and time. Each returns a reaction. */
int app_event(struct app *a, const struct ui_event *ev);
int app_tick(struct app *a);                /* poll the feed: progress, new snapshots */
void app_resize(struct app *a, int w, int h);
/* Sliced work of the views: whether any is pending; do up to budget_ms of it. The loop gives
 * APP_SLICE_MS between two looks at the keyboard. */
#define APP_SLICE_MS 15
bool app_busy(const struct app *a);
int app_work(struct app *a, double budget_ms);
/* Render everything into c (resized to a->w × a->h). */
void app_draw(struct app *a, struct ui_canvas *c);
/* Drive the terminal until quit: the only function that reaches draw.c. */
fs_status app_run(struct app *a, struct fs_err *err);

/* Operations for commands and views. */
int app_run_command(struct app *a, const char *line);  /* errors go to the message line */
int app_message(struct app *a, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
struct view *app_top(const struct app *a);
int app_push(struct app *a, struct view *v);
int app_back(struct app *a);
int app_pop_to(struct app *a, int depth);
int app_set_theme(struct app *a, const char *name_or_path);
int app_set_mark(struct app *a, uint32_t dom, int how);  /* how: 1 on, 0 off, -1 toggle */
int app_open_help(struct app *a);
int app_close_overlay(struct app *a);
int app_confirm(struct app *a, const char *question, const char *yes_cmd);
int app_prompt_open(struct app *a, int kind, const char *initial);
/* The export dialog (format NULL), or a direct write of FORMAT to PATH (view_export.c). */
int app_export(struct app *a, const char *format, const char *path);

/* Views (view_list.c, view_detail.c). */
enum list_kind { LIST_HOME, LIST_ADDR, LIST_ASN, LIST_NS, LIST_GROUP, LIST_CLUSTER };
struct view *view_list_new(struct app *a, enum list_kind kind, const char *label,
                           const uint32_t *doms, uint32_t n);
struct view *view_detail_new(struct app *a, uint32_t dom);
/* The capture-wide time view (view_time.c): responses and flagged domains per time bin, a
 * cursor and a range that becomes the list's filter. view_time_range: start, end, clear,
 * apply (a reaction; a message outside the time view). */
struct view *view_time_new(struct app *a);
bool view_is_time(const struct view *v);
int view_time_range(struct app *a, struct view *v, const char *what);
/* `:view clusters|addresses|asns|nameservers` (view_objects.c): every cluster with its
 * members, shared agents and nameservers; every address, ASN or nameserver with the domains
 * using it, each line a pivot. NULL for an unknown name. */
struct view *view_objects_new(struct app *a, const char *what);
const char *view_objects_names(void);
/* The detail's tab (0-4) and the line under its cursor (NULL: none). */
int view_detail_tab(const struct view *v);
const struct dline *view_detail_line(const struct view *v);
/* Actions on the detail's line under the cursor: copy its text (OSC 52), open a Timeline row's
 * packet in tshark (a pager overlay; the program runs without blocking), fold or unfold
 * identical Timeline rows. Each returns a reaction. */
int view_detail_copy(struct app *a, struct view *v);
int view_detail_packet(struct app *a, struct view *v);
int view_detail_collapse(struct app *a, struct view *v);
bool view_is_list(const struct view *v);
/* Text of a list's filter (for the status bar), "" when none. */
const char *view_list_filter(const struct view *v);
int view_list_set_filter(struct app *a, struct view *v, const char *text);

/* Overlays (view_help.c). */
struct overlay *help_overlay_new(struct app *a);
struct overlay *confirm_overlay_new(const char *question, const char *yes_cmd);

/* Formatting helpers shared by the views. */
const char *app_fmt_count(uint64_t n, char *buf, size_t len);       /* 12,345 */
const char *app_fmt_bytes(uint64_t n, char *buf, size_t len);       /* 12.3 MB */
const char *app_fmt_time(fs_time t, bool with_date, char *buf, size_t len); /* UTC */
const char *app_fmt_ttl(uint32_t ttl, char *buf, size_t len);        /* 300, 1h, 2d */
enum ui_role app_verdict_role(int verdict);

#endif
