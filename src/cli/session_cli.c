/* --session PATH (see session_cli.h). */
#include "cli/session_cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fluxscope/session.h"

int
cli_session_open(struct opts *o)
{
	struct session *s = NULL;
	struct fs_err err = { 0 };
	fs_status st = session_load(o->session_path, &s, &err);

	if (st == FS_E_NOTFOUND)
		s = session_new(o->session_path);        /* a new investigation, saved there */
	else if (st != FS_OK) {
		fprintf(stderr, "fluxscope: option --session: %s; the file was left as it is\n", err.msg);
		return -1;
	}
	/* The session's captures first (in their order), then -r files it does not hold. */
	const char *given[OPTS_MAX_LIST];
	int n_given = o->n_files;
	memcpy(given, o->files, sizeof given);
	o->n_files = 0;
	for (size_t i = 0; i < s->n_caps && o->n_files < OPTS_MAX_LIST; i++) {
		if (session_check_capture(&s->caps[i], &err) != FS_OK)
			fprintf(stderr, "fluxscope: session %s: %s\n", o->session_path, err.msg);
		o->files[o->n_files++] = s->caps[i].path;
	}
	for (int i = 0; i < n_given; i++) {
		char abs[PATH_MAX];
		const char *p = realpath(given[i], abs) != NULL ? abs : given[i];
		bool have = false;
		for (size_t k = 0; k < s->n_caps; k++)
			have |= strcmp(s->caps[k].path, p) == 0;
		if (have)
			continue;
		size_t idx;
		if (session_add_capture(s, given[i], &idx, &err) != FS_OK) {
			fprintf(stderr, "fluxscope: %s\n", err.msg);
			session_free(s);
			return -1;
		}
		if (o->n_files < OPTS_MAX_LIST)
			o->files[o->n_files++] = s->caps[idx].path;
	}
	o->session = s;
	return 0;
}
