/* libFuzzer target for capture files: the input is written to a temporary file and read with
 * cap_open_file (libpcap, with the own pcapng reader as fallback), then through a pipe as
 * standard input would be. Build: make fuzz. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/cap_int.h"

static void
drain(struct cap_source *s)
{
	struct cap_frame f;
	struct fs_err err;
	volatile uint32_t x = 0;

	while (cap_source_next(s, &f, &err) == CAP_FRAME)
		if (f.caplen > 0)
			x += f.data[0] + f.data[f.caplen - 1];
	(void)x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fluxscope-fuzz-XXXXXX";
	struct cap_source *s;
	struct fs_err err;
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	if (cap_open_file(path, &s, &err) == FS_OK) {
		drain(s);
		cap_source_close(s);
	}
	unlink(path);

	/* The own reader straight over a pipe (no libpcap, no seeking). */
	int p[2];
	if (size <= 60000 && pipe(p) == 0) {
		if (write(p[1], data, size) == (ssize_t)size) {
			close(p[1]);
			struct ng_reader *r = ng_open(p[0], true, NULL, 0, NULL);
			struct cap_frame f;
			const char *msg;
			bool trunc;
			while (ng_next(r, &f, &msg, &trunc) == CAP_FRAME)
				;
			ng_close(r);
		} else {
			close(p[0]);
			close(p[1]);
		}
	}
	return 0;
}
