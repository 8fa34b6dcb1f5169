/* A small synthetic snapshot shared by the UI view-model tests (no store needed). */
#ifndef FLUXSCOPE_TEST_UI_FIXTURE_H
#define FLUXSCOPE_TEST_UI_FIXTURE_H

#include "ui/snap.h"

struct fx_row {
	const char *name, *reg;
	int verdict;
	float score;
	uint32_t addrs, asns, cc, ttl, nsch, resp;
	int64_t last_min;   /* minutes after 2026-01-01 12:00 UTC */
};

static const struct fx_row fx_rows[] = {
	{ "evil-flux.example.net", "example.net", DET_SINGLE_FLUX, 92.5f, 37, 21, 14, 120, 0, 40, 40 },
	{ "www.cdn-site.com", "cdn-site.com", DET_CDN, 10.0f, 12, 1, 3, 60, 0, 100, 30 },
	{ "pool.ntp.org", "ntp.org", DET_POOL, 5.0f, 50, 40, 20, 150, 0, 30, 20 },
	{ "ns-rotate.badzone.ru", "badzone.ru", DET_DOUBLE_FLUX, 88.0f, 20, 9, 6, 300, 5, 25, 50 },
	{ "mail.example.net", "example.net", DET_BENIGN, 1.0f, 1, 1, 1, 3600, 0, 3, 10 },
	{ "odd.example.net", "example.net", DET_SUSPICIOUS, 55.0f, 8, 4, 3, 300, 1, 5, 45 },
	{ "a.b.c.benign.org", "benign.org", DET_BENIGN, 0.0f, 2, 1, 1, 86400, 0, 2, 5 },
};
#define FX_N ((uint32_t)(sizeof fx_rows / sizeof fx_rows[0]))
#define FX_T0 ((int64_t)1767268800 * FS_USEC)

/* Rows in fx_rows order, ids 1..FX_N; `bump` adds to every score (to reorder a later snapshot). */
static inline struct snap *
fx_snap(float bump)
{
	struct snap *s = snap_new(FX_N);
	const char *regs[FX_N];
	for (uint32_t i = 0; i < FX_N; i++) {
		struct snap_row *r = &s->dom.rows[i];
		const struct fx_row *f = &fx_rows[i];
		r->id = i + 1;
		r->name = f->name;
		r->verdict = (uint8_t)f->verdict;
		r->score = f->score + (i == 4 ? bump : 0);
		r->holz = f->score - 50;
		r->n_addrs = f->addrs;
		r->n_asns = f->asns;
		r->n_countries = f->cc;
		r->ttl_min = f->ttl;
		r->n_ns_changes = f->nsch;
		r->n_responses = f->resp;
		r->first_seen = FX_T0;
		r->last_seen = FX_T0 + f->last_min * 60 * FS_USEC;
		regs[i] = f->reg;
	}
	snap_finish(s, regs);
	return s;
}

#endif
