/* libFuzzer target for the command splitter of the TUI's `:` prompt and key bindings
 * (cmd_split: blanks, '…' and "…" quotes, \ escapes) with the buffer cmd_exec gives it and with
 * small ones, then the command lookup (cmd_find) of the first word. Build: make fuzz. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui/cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
split(const char *line, size_t buflen, int max)
{
	char *buf = malloc(buflen);
	char *argv[CMD_MAX_ARGS + 1];
	struct fs_err err;
	volatile size_t sink = 0;
	int argc = cmd_split(line, argv, max, buf, buflen, &err);

	if (argc > max)
		abort();
	for (int i = 0; i < argc; i++) {
		/* every word is a string inside buf */
		if (argv[i] < buf || argv[i] >= buf + buflen ||
		    memchr(argv[i], '\0', buflen - (size_t)(argv[i] - buf)) == NULL)
			abort();
		sink += strlen(argv[i]);
	}
	if (argc > 0)
		sink += cmd_find(argv[0]) != NULL;
	(void)sink;
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	split(s, 2048, CMD_MAX_ARGS);                       /* as cmd_exec calls it */
	split(s, 1 + data[0] % 64, 1 + data[0] / 64 % CMD_MAX_ARGS);
	free(s);
	return 0;
}
