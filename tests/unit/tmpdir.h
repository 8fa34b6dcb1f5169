/* A scratch folder for a group of unit tests: group_setup makes it under /tmp, group_teardown
 * removes it with everything in it, tmp(name) names a file in it (four names live at once),
 * write_file fills one. Header-only; include after cmocka.h. */
#ifndef FLUXSCOPE_TEST_TMPDIR_H
#define FLUXSCOPE_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

static char tmpdir[] = "/tmp/fluxscope-testXXXXXX";

static inline int
group_setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static inline int
group_teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static inline const char *
tmp(const char *name)
{
	static char path[4][256];
	static int k;
	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", tmpdir, name);
	return path[k];
}

static inline void
write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

#endif
