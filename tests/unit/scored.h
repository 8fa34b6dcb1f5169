/* A scored store shared by the unit tests that need real detection results: a capture read
 * through the ingest driver into a store, the demo GeoIP databases that go with the samples,
 * and a detector run over it (and, for the UI tests, the loader's snapshot of the results).
 * Header-only; include after cmocka.h. */
#ifndef FLUXSCOPE_TEST_SCORED_H
#define FLUXSCOPE_TEST_SCORED_H

#include <stdio.h>

#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/ingest.h"
#include "fluxscope/store.h"

struct scored {
	struct store *st;
	struct geo *geo;
	struct detector *det;
};

static inline void
scored_add(void *ctx, const struct dns_msg *m)
{
	store_add_msg(ctx, m);
}

/* The demo databases (ASN and city); NULL with the sentence on stderr. */
static inline struct geo *
scored_demo_geo(void)
{
	static const char *const paths[] = { "samples/demo-asn.mmdb", "samples/demo-geo.mmdb" };
	struct geo_config gc = { .paths = paths, .n_paths = 2, .no_default_search = true,
	                         .no_libloc = true };
	struct fs_err err = { 0 };
	struct geo *g = NULL;

	if (geo_open(&gc, &g, &err) != FS_OK)
		fprintf(stderr, "%s\n", err.msg);
	return g;
}

/* A detector with the default configuration; NULL with the sentence on stderr. */
static inline struct detector *
scored_detector(struct geo *g)
{
	struct det_config dc = { 0 };
	struct fs_err err = { 0 };
	struct detector *d = NULL;

	if (det_new(&dc, g, &d, &err) != FS_OK)
		fprintf(stderr, "%s\n", err.msg);
	return d;
}

/* The same inside a test: a missing database or detector fails the test. */
static inline struct geo *
scored_must_geo(void)
{
	struct geo *g = scored_demo_geo();

	if (g == NULL)
		fail_msg("the demo databases did not open");
	return g;
}

static inline struct detector *
scored_must_detector(struct geo *g)
{
	struct detector *d = scored_detector(g);

	if (d == NULL)
		fail_msg("no detector");
	return d;
}

/* Read a capture into st; 0, or -1 with the sentence on stderr. */
static inline int
scored_ingest(struct store *st, const char *capture)
{
	struct fs_err err = { 0 };
	struct ingest *in = ingest_new(NULL, scored_add, st);
	int rc = 0;

	if (ingest_add_file(in, capture, &err) != FS_OK || ingest_run(in, &err) != FS_OK) {
		fprintf(stderr, "%s: %s\n", capture, err.msg);
		rc = -1;
	}
	ingest_free(in);
	return rc;
}

/* The capture in a new store, the demo databases, one detection run; 0 or -1 (a cmocka
 * group setup's answer). scored_close frees what was made, also after a failure. */
static inline int
scored_open(struct scored *s, const char *capture)
{
	s->st = store_new(NULL);
	s->geo = NULL;
	s->det = NULL;
	if (scored_ingest(s->st, capture) != 0 || (s->geo = scored_demo_geo()) == NULL ||
	    (s->det = scored_detector(s->geo)) == NULL)
		return -1;
	det_run(s->det, s->st);
	return 0;
}

static inline void
scored_close(struct scored *s)
{
	if (s->det != NULL)
		det_free(s->det);
	if (s->geo != NULL)
		geo_free(s->geo);
	store_free(s->st);
	s->st = NULL;
	s->geo = NULL;
	s->det = NULL;
}

#endif
