/* Semantic colour roles of the TUI: one X-macro list generates the role enum, the role names
 * used in themes/NAME.theme and the compiled-in default (dark) theme (ncdu's UI_COLORS). Views name
 * roles, never colours; only draw.c turns roles into terminal attributes. The verdicts' roles
 * (`verdict.NAME`, UI_ROLE_V_<ID>) come from detect's verdict table (DET_VERDICTS), in its
 * order: app_verdict_role(v) is UI_ROLE_V_FIRST + v. */
#ifndef FLUXSCOPE_UI_ROLES_H
#define FLUXSCOPE_UI_ROLES_H

#include "fluxscope/detect.h"

/* X(id, "name", "default style", "what it colours"); V(ID, "verdict", "default style") for each
 * verdict of DET_VERDICTS */
#define UI_ROLES(X, V)                                                                            \
	X(DEFAULT, "default", "fg=default,bg=default", "everything not named below")               \
	X(TITLE, "title", "fg=black,bg=cyan", "top line: program name and breadcrumb trail")        \
	X(CRUMB, "crumb", "fg=black,bg=cyan,bold", "the current (last) step of the breadcrumb")     \
	X(HEADER, "header", "fg=black,bg=green", "column headers")                                  \
	X(HEADER_SORT, "header.sort", "fg=black,bg=green,bold,underscore", "the sorted column")     \
	X(CURSOR, "cursor", "fg=black,bg=cyan", "the row under the cursor")                        \
	X(MARK, "mark", "fg=yellow,bold", "the mark of a marked domain")                            \
	X(MATCH, "match", "fg=black,bg=yellow", "search match in a row")                            \
	X(DIM, "dim", "fg=brightblack", "secondary text: times, units, empty values")               \
	X(LABEL, "label", "fg=cyan", "field labels in the detail views")                            \
	X(VALUE, "value", "fg=default,bold", "field values in the detail views")                    \
	DET_VERDICTS(V)                                                                             \
	X(TAB, "tab", "fg=default,bg=brightblack", "detail tabs")                                   \
	X(TAB_ACTIVE, "tab.active", "fg=black,bg=cyan,bold", "the active detail tab")              \
	X(NEW, "new", "fg=green,bold", "addresses never seen before in a timeline")                 \
	X(CHANGE, "change", "fg=yellow,bold", "nameserver changes")                                 \
	X(TERM_UP, "term.up", "fg=red", "score terms that raise the score")                         \
	X(TERM_DOWN, "term.down", "fg=green", "score terms that lower the score")                   \
	X(SPARK, "spark", "fg=cyan", "sparklines")                                                  \
	X(BAR, "bar", "fg=cyan", "aggregate bars")                                                  \
	X(STATUS, "status", "fg=black,bg=cyan", "status bar")                                       \
	X(STATUS_WARN, "status.warn", "fg=white,bg=red,bold", "warnings in the status bar (drops)") \
	X(MESSAGE, "message", "fg=default", "message line")                                         \
	X(ERROR, "error", "fg=red,bold", "error messages")                                          \
	X(PROMPT, "prompt", "fg=default,bold", "command, search and filter prompts")               \
	X(PROGRESS, "progress", "fg=black,bg=green", "done part of the progress bar")               \
	X(PROGRESS_TODO, "progress.todo", "fg=default,bg=brightblack", "rest of the progress bar")  \
	X(DIALOG, "dialog", "fg=default,bg=blue", "help overlay and dialogs")                       \
	X(DIALOG_TITLE, "dialog.title", "fg=yellow,bg=blue,bold", "titles in overlays and dialogs") \
	X(DIALOG_KEY, "dialog.key", "fg=cyan,bg=blue,bold", "key names in the help overlay")

enum ui_role {
#define X(id, name, style, text) UI_ROLE_##id,
#define V(id, name, style) UI_ROLE_V_##id,
	UI_ROLES(X, V)
#undef V
#undef X
	UI_ROLE_COUNT,
	UI_ROLE_V_FIRST = UI_ROLE_V_BENIGN   /* the verdicts' roles, in DET_VERDICTS order */
};

#endif
