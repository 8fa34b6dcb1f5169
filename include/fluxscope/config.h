/* The configuration file: `key = value` lines, `#` comments, blank lines ignored; a key may
 * repeat (`geoip = …` twice gives two paths). Default location ~/.config/fluxscope/config
 * ($XDG_CONFIG_HOME/fluxscope/config), or --config FILE.
 *
 * Threads: a loaded config is read-only; any thread. Strings are owned by the config: valid
 * until config_free(). */
#ifndef FLUXSCOPE_CONFIG_H
#define FLUXSCOPE_CONFIG_H

#include <stddef.h>

#include "fluxscope/fs.h"

struct config_entry {
	const char *key;           /* lower case as written */
	const char *value;         /* trimmed; surrounding double quotes removed */
	int line;
};

struct config {
	char *path;                /* NULL when no file was read */
	struct config_entry *entries;
	size_t n_entries;
};

/* Read path, or the default file when path is NULL. A missing default file is an empty config
 * (FS_OK); a missing or unreadable explicit file, or a line that is not `key = value`, is an
 * error naming the file and line. Caller frees with config_free(). */
fs_status config_load(const char *path, struct config **out, struct fs_err *err);
/* The same from memory (len bytes, NUL not needed); name stands for the file in errors and in
 * config_path_value(). A NUL byte or a line over 4094 bytes is an error naming the line. */
fs_status config_parse(const char *text, size_t len, const char *name, struct config **out,
                       struct fs_err *err);
void config_free(struct config *c);

/* The default path (~/.config/fluxscope/config honouring $XDG_CONFIG_HOME) into buf. */
const char *config_default_path(char *buf, size_t len);

/* The last value of key, or NULL. */
const char *config_get(const struct config *c, const char *key);
/* Every value of key in file order into vals (at most max); returns how many there are. */
size_t config_get_all(const struct config *c, const char *key, const char **vals, size_t max);

/* A path value made usable: "~/" expands to $HOME, a relative path is taken relative to the
 * config file's folder. Caller frees with free(). */
char *config_path_value(const struct config *c, const char *value);

#endif
