/* util/log: the --log sink's lines, and its memory line (fs_log_memory): nothing while the log
 * is closed; once open, the resident size it reports grows by what the process touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fluxscope/fs.h"
#include "fluxscope/log.h"

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);
	size_t n;

	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The resident MiB of the memory line about `when`, -1 when there is none. */
static double
resident_of(const char *text, const char *when)
{
	char key[64];
	const char *p;
	double mib;

	snprintf(key, sizeof key, "memory: %s: resident ", when);
	if ((p = strstr(text, key)) == NULL || sscanf(p + strlen(key), "%lf", &mib) != 1)
		return -1;
	return mib;
}

static void
test_memory_line(void **state)
{
	char path[] = "/tmp/fluxscope-test-log-XXXXXX";
	int fd = mkstemp(path);
	struct fs_err err = { 0 };
	(void)state;

	assert_true(fd >= 0);
	close(fd);
	fs_log_memory("closed");                  /* no log yet: nothing written anywhere */
	assert_int_equal(fs_log_open(path, &err), FS_OK);
	fs_log("test", "one line %d", 42);
	fs_log_memory("before");
	size_t n = 64u << 20;                     /* 64 MiB touched */
	unsigned char *big = malloc(n);
	assert_non_null(big);
	memset(big, 0x5a, n);
	fs_log_memory("after");
	fs_log_close();
	free(big);

	char *text = slurp(path);
	unlink(path);
	assert_non_null(strstr(text, " test: one line 42\n"));
	assert_null(strstr(text, "closed"));
	double before = resident_of(text, "before"), after = resident_of(text, "after");
	assert_true(before > 0);
	assert_true(after - before > 48);          /* MiB: most of the 64 touched */
	assert_non_null(strstr(text, "(peak "));
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_line),
	};
	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
