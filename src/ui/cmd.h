/* The command table (tmux's cmd_entry): every action of the TUI is a command with a name,
 * usage and help; keys are bound to command strings, the `:` prompt runs them, and the help
 * overlay and docs are generated from this table. UI thread only. */
#ifndef FLUXSCOPE_UI_CMD_H
#define FLUXSCOPE_UI_CMD_H

#include <stddef.h>

#include "fluxscope/fs.h"

struct app;

#define CMD_MAX_ARGS 16

struct cmd_entry {
	const char *name;
	const char *alias;         /* may be NULL */
	int min_args, max_args;    /* max -1 = no limit */
	const char *usage;         /* arguments, e.g. "[COLUMN|next|reverse] [asc|desc]" */
	const char *help;          /* one line */
	/* Returns a reaction; on failure fills err and returns -1. */
	int (*exec)(struct app *a, int argc, char **argv, struct fs_err *err);
};

const struct cmd_entry *cmd_table(size_t *n);
/* By name, alias or unique prefix; NULL if none or ambiguous. */
const struct cmd_entry *cmd_find(const char *name);

/* Split a command line into words: blanks separate, '…' and "…" quote, \ escapes. Words point
 * into buf. Returns the word count, or -1 with err set (unterminated quote, too many words). */
int cmd_split(const char *line, char **argv, int max, char *buf, size_t buflen, struct fs_err *err);

/* Parse and run one command line. Returns its reaction, or -1 with err set. */
int cmd_exec(struct app *a, const char *line, struct fs_err *err);

#endif
