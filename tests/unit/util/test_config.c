/* Unit tests for the configuration file reader (src/util/config.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fluxscope/config.h"

static char dir[600];

static const char *
write_cfg(const char *name, const char *text)
{
	static char path[700];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_parse(void **state)
{
	const char *path = write_cfg("ok", "# fluxscope\n\n  geoip = /var/lib/GeoIP  \n"
	                                   "GeoIP=\"/opt/with space/db.mmdb\"\n"
	                                   "theme = light # not a comment: values run to the end\n"
	                                   "empty =\n");
	struct config *c;
	struct fs_err err = { 0 };
	const char *v[4];
	(void)state;

	assert_int_equal(config_load(path, &c, &err), FS_OK);
	assert_int_equal(c->n_entries, 4);
	assert_int_equal(config_get_all(c, "geoip", v, 4), 2);
	assert_string_equal(v[0], "/var/lib/GeoIP");
	assert_string_equal(v[1], "/opt/with space/db.mmdb");     /* quotes removed, key folded */
	assert_int_equal(c->entries[1].line, 4);
	assert_string_equal(config_get(c, "geoip"), "/opt/with space/db.mmdb");  /* the last */
	assert_string_equal(config_get(c, "theme"), "light # not a comment: values run to the end");
	assert_string_equal(config_get(c, "empty"), "");
	assert_null(config_get(c, "missing"));
	assert_int_equal(config_get_all(c, "geoip", v, 1), 2);    /* count beyond max */
	config_free(c);
}

static void
test_errors(void **state)
{
	struct config *c = (struct config *)1;
	struct fs_err err = { 0 };
	const char *path;
	char missing[700];
	(void)state;

	path = write_cfg("bad1", "geoip = /x\nthis line has no equals sign\n");
	assert_int_equal(config_load(path, &c, &err), FS_E_FORMAT);
	assert_null(c);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, ":2:"));
	path = write_cfg("bad2", "= value\n");
	assert_int_equal(config_load(path, &c, &err), FS_E_FORMAT);
	assert_non_null(strstr(err.msg, ":1:"));
	path = write_cfg("bad3", "ge oip = x\n");
	assert_int_equal(config_load(path, &c, &err), FS_E_FORMAT);
	snprintf(missing, sizeof missing, "%s/does-not-exist", dir);
	assert_int_equal(config_load(missing, &c, &err), FS_E_IO);
	assert_non_null(strstr(err.msg, missing));
}

static void
test_parse_memory(void **state)
{
	struct config *c = (struct config *)1;
	struct fs_err err = { 0 };
	char *long_line;
	(void)state;

	/* the bytes config_load reads, from memory: no final newline needed, CRLF trimmed */
	assert_int_equal(config_parse("a = 1\r\nb=2", 10, "mem", &c, &err), FS_OK);
	assert_int_equal(c->n_entries, 2);
	assert_string_equal(config_get(c, "a"), "1");
	assert_string_equal(config_get(c, "b"), "2");
	assert_string_equal(c->path, "mem");
	config_free(c);
	/* len is honoured: the text after it is not read */
	assert_int_equal(config_parse("a = 1\nthis is no pair", 6, "mem", &c, &err), FS_OK);
	assert_int_equal(c->n_entries, 1);
	config_free(c);
	/* a NUL byte: one sentence naming the line, not a silent cut */
	assert_int_equal(config_parse("a = 1\nb = x\0y\n", 14, "mem", &c, &err), FS_E_FORMAT);
	assert_null(c);
	assert_string_equal(err.msg, "mem:2: a NUL byte (not a text file)");
	/* 4094 bytes fit in a line, 4095 do not */
	long_line = malloc(5000);
	memset(long_line, 'x', 5000);
	memcpy(long_line, "k=", 2);
	assert_int_equal(config_parse(long_line, 4094, "mem", &c, &err), FS_OK);
	assert_int_equal(strlen(config_get(c, "k")), 4092);
	config_free(c);
	assert_int_equal(config_parse(long_line, 4095, "mem", &c, &err), FS_E_FORMAT);
	assert_string_equal(err.msg, "mem:1: line longer than 4094 bytes");
	free(long_line);
	assert_int_equal(config_parse("", 0, "mem", &c, &err), FS_OK);
	assert_int_equal(c->n_entries, 0);
	config_free(c);
}

static void
test_default_and_paths(void **state)
{
	struct config *c;
	struct fs_err err = { 0 };
	char buf[800], *p;
	(void)state;

	/* no default file: an empty configuration, not an error */
	setenv("XDG_CONFIG_HOME", dir, 1);
	assert_int_equal(config_load(NULL, &c, &err), FS_OK);
	assert_int_equal(c->n_entries, 0);
	assert_null(c->path);
	p = config_path_value(c, "rel/x.mmdb");
	assert_string_equal(p, "rel/x.mmdb");
	free(p);
	config_free(c);
	snprintf(buf, sizeof buf, "%s/fluxscope/config", dir);
	assert_string_equal(config_default_path(buf, sizeof buf), buf);
	{
		char sub[700];
		snprintf(sub, sizeof sub, "%s/fluxscope", dir);
		mkdir(sub, 0755);
	}
	write_cfg("fluxscope/config", "geoip = dbs\ngeoip = ~/GeoIP\ngeoip = /abs\n");
	assert_int_equal(config_load(NULL, &c, &err), FS_OK);
	assert_int_equal(c->n_entries, 3);
	p = config_path_value(c, c->entries[0].value);            /* relative to the file */
	snprintf(buf, sizeof buf, "%s/fluxscope/dbs", dir);
	assert_string_equal(p, buf);
	free(p);
	setenv("HOME", "/home/analyst", 1);
	p = config_path_value(c, c->entries[1].value);
	assert_string_equal(p, "/home/analyst/GeoIP");
	free(p);
	p = config_path_value(c, c->entries[2].value);
	assert_string_equal(p, "/abs");
	free(p);
	config_free(c);
}

static int
setup(void **state)
{
	const char *b = getenv("BUILD");
	char cwd[256];
	(void)state;
	/* absolute: XDG_CONFIG_HOME must be (a relative one is ignored, as the spec says) */
	if (getcwd(cwd, sizeof cwd) == NULL)
		return -1;
	if (b != NULL && b[0] == '/')
		snprintf(dir, sizeof dir, "%s/tmp-config-XXXXXX", b);
	else
		snprintf(dir, sizeof dir, "%s/%s/tmp-config-XXXXXX", cwd, b != NULL && b[0] ? b : "build");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[700];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_parse_memory),
		cmocka_unit_test(test_default_and_paths),
	};
	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
