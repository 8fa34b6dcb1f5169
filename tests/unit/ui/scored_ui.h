/* The scored store of unit/scored.h with the loader's snapshot of its results: the fixture of
 * the UI tests that read real detection results (test_detail, test_rank, test_lockwait). */
#ifndef FLUXSCOPE_TEST_SCORED_UI_H
#define FLUXSCOPE_TEST_SCORED_UI_H

#include "ui/loader.h"
#include "unit/scored.h"

static struct scored sc;
static struct snap *snap;

/* cmocka group setup and teardown over CAPTURE (each test file defines it). */
static int
setup(void **state)
{
	(void)state;
	if (scored_open(&sc, CAPTURE) != 0)
		return -1;
	snap = loader_build_snap(sc.st, sc.det);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	snap_free(snap);
	scored_close(&sc);
	return 0;
}

#endif
