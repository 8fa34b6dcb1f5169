/* Ageing a live store under a memory budget without losing flagged or marked domains, and
 * without holding the store's write lock for more than one expiry step at a time. */
#include "fluxscope/watch.h"
#include "fluxscope/log.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct watch {
	struct store *s;
	struct detector *det;
	struct watch_config cfg;
	uint64_t msgs;                 /* writer thread */
	size_t next_at;                /* writer thread: the total that starts the next run */
	struct watch_flagged fl;       /* writer thread: the flagged set of a run */
	pthread_mutex_t mu;            /* guards st */
	struct watch_stats st;
	double step_max_ms;            /* writer thread, during a run */
	uint64_t steps;
};

/* What the budget is compared with: the store and what the domains cost elsewhere. Writer
 * thread: the only one that changes what store_get_stats() reads (other threads take the write
 * lock only to set marks), so no lock is needed. */
static size_t
total_bytes(const struct watch *w)
{
	struct store_stats ss;
	store_get_stats(w->s, &ss);
	size_t bare = ss.domains_bare <= ss.domains ? ss.domains_bare : ss.domains;
	return ss.bytes + (ss.domains - bare) * w->cfg.extra_per_domain +
	       bare * w->cfg.extra_per_bare_domain + ss.addrs * w->cfg.extra_per_addr;
}

struct watch *
watch_new(struct store *s, struct detector *det, const struct watch_config *cfg)
{
	struct watch *w = xcalloc(1, sizeof *w);

	w->s = s;
	w->det = det;
	if (cfg != NULL)
		w->cfg = *cfg;
	if (w->cfg.low_water <= 0 || w->cfg.low_water > 1)
		w->cfg.low_water = 0.6;
	if (w->cfg.check_every == 0)
		w->cfg.check_every = 1024;
	w->next_at = w->cfg.budget;
	w->st.budget = w->cfg.budget;
	w->st.extra_per_domain = w->cfg.extra_per_domain;
	w->st.extra_per_bare_domain = w->cfg.extra_per_bare_domain;
	/* Pinned domains trimmed under pressure keep enough of their timeline to stay flagged. */
	store_write_lock(s);
	store_set_pinned_keep(s, STORE_PINNED_KEEP);
	store_write_unlock(s);
	pthread_mutex_init(&w->mu, NULL);
	return w;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	if (w->det != NULL && !w->cfg.borrow_det)
		det_free(w->det);
	watch_flagged_free(&w->fl);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

struct detector *
watch_detector(struct watch *w)
{
	return w->det;
}

/* One step of a run: the write lock for one store_expire() and nothing else. hold > 0 holds
 * (STORE_PIN_AGEING) every domain with more evidence than hold - 1 for the step: more
 * responses, more addresses than one more, or NS data (double flux shows there first). */
static void
step(struct watch *w, fs_time cut, unsigned flags, uint32_t hold, fs_time hold_seen)
{
	struct store *s = w->s;
	double t0;

	store_write_lock(s);
	t0 = fs_mono_ms();
	for (store_dom_id id = 1; (hold > 0 || hold_seen > 0) && id <= store_domain_count(s); id++) {
		const struct store_domain *d = store_domain(s, id);
		uint32_t thr = hold > 0 ? hold - 1 : 0;
		if (d != NULL && ((hold > 0 && (d->n_responses > thr || d->ext->n_addrs > thr + 1 || d->ext->n_ns > 0)) ||
		                  (hold_seen > 0 && d->last_seen >= hold_seen)))
			store_domain_set_pins(s, id, d->pins | STORE_PIN_AGEING);
	}
	store_expire(s, cut, flags);
	for (store_dom_id id = 1; (hold > 0 || hold_seen > 0) && id <= store_domain_count(s); id++) {
		const struct store_domain *d = store_domain(s, id);
		if (d != NULL && (d->pins & STORE_PIN_AGEING))
			store_domain_set_pins(s, id, d->pins & ~(uint32_t)STORE_PIN_AGEING);
	}
	double ms = fs_mono_ms() - t0;
	store_write_unlock(s);
	if (ms > w->step_max_ms)
		w->step_max_ms = ms;
	w->steps++;
}

/* The observed time range, oldest first_seen to newest last_seen (last_seen only: by_seen). */
static bool
range(const struct store *s, bool by_seen, fs_time *lo, fs_time *hi)
{
	bool any = false;

	for (store_dom_id id = 1; id <= store_domain_count(s); id++) {
		const struct store_domain *d = store_domain(s, id);
		fs_time a;
		if (d == NULL)
			continue;
		a = by_seen ? d->last_seen : d->first_seen;
		if (!any || a < *lo)
			*lo = a;
		if (!any || d->last_seen > *hi)
			*hi = d->last_seen;
		any = true;
	}
	return any;
}

/* Move a cut-off forward through the observed range, oldest data first, one step (one write
 * lock) at a time, until the total fits `target`: tenths of the range up to nine tenths, then
 * with `fine` hundredths up to 99/100. Returns the last cut-off used, 0 if none. */
static fs_time
sweep(struct watch *w, size_t target, unsigned flags, uint32_t hold, bool fine)
{
	fs_time lo = 0, hi = 0, cut = 0;

	if (total_bytes(w) <= target || !range(w->s, false, &lo, &hi))
		return 0;
	for (int k = 10; k <= (fine ? 99 : 90); k += k < 90 ? 10 : 1) {
		cut = lo + (hi - lo) / 100 * k;
		if (cut <= lo)
			cut = lo + 1;
		step(w, cut, flags, hold, 0);
		if (total_bytes(w) <= target)
			break;
	}
	return cut;
}

/* Drop the unpinned domains not seen since a cut-off moving forward a tenth of the last-seen
 * range at a time, holding every domain seen since (store_expire() would trim their older
 * entries too). Returns the last cut-off. */
static fs_time
drop_idle(struct watch *w, size_t target)
{
	fs_time lo = 0, hi = 0, cut = 0;

	if (!range(w->s, true, &lo, &hi))
		return 0;
	for (int k = 1; k <= 9 && total_bytes(w) > target; k++) {
		cut = lo + (hi - lo) / 10 * k;
		step(w, cut, 0, 0, cut);
	}
	return cut;
}

/* Newest last_seen less a hundredth of the observed range (capture time). */
static fs_time
newest(const struct store *s)
{
	fs_time lo = 0, hi = 0;

	if (!range(s, false, &lo, &hi))
		return 0;
	return hi - (hi - lo) / 100;
}

static void
push_id(struct watch_flagged *out, store_dom_id id, uint32_t rank)
{
	if (id == 0)
		return;
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 256;
		out->ids = xreallocarray(out->ids, out->cap, sizeof *out->ids);
		out->rank = xreallocarray(out->rank, out->cap, sizeof *out->rank);
	}
	out->ids[out->n] = id;
	out->rank[out->n++] = rank;
}

struct member {
	uintptr_t zone;                /* the zone row it belongs to */
	fs_time last_seen;
	store_dom_id dom;
};

static int
cmp_member(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	if (x->zone != y->zone)
		return x->zone < y->zone ? -1 : 1;
	if (x->last_seen != y->last_seen)
		return x->last_seen > y->last_seen ? -1 : 1;   /* newest first */
	return x->dom < y->dom ? -1 : x->dom > y->dom;
}

void
watch_flagged_collect(const struct detector *det, uint32_t epoch, struct watch_flagged *out)
{
	struct member *m = NULL;
	size_t nm = 0, cap = 0;

	out->n = 0;
	out->n_zones = 0;
	out->epoch = epoch;
	/* Zone rows: a flagged zone's verdict adds up the evidence of its names (and may hand it
	 * to them, via_zone): its apex is kept, and its newest names besides those flagged on
	 * their own (a random-subdomain zone may bring new names without end, each flagged
	 * through the zone; the newest carry the evidence), ranked for the watch to take as many
	 * as the budget holds. */
	for (size_t i = 0, k = det_zone_count(det); i < k; i++) {
		const struct det_result *z = det_zone_get(det, i);
		if (det_is_flagged(z->verdict)) {
			push_id(out, z->dom, 0);
			out->n_zones++;
		}
	}
	struct det_result buf;
	for (size_t i = 0, k = det_count(det); i < k; i++) {
		const struct det_result *r = det_view(det, i, &buf);
		const struct det_result *z;
		if (det_is_flagged(r->verdict) && !r->via_zone)
			push_id(out, r->dom, 0);
		else if (out->n_zones > 0 && r->zone != NULL && (z = det_zone_find(det, r->zone)) != NULL &&
		         det_is_flagged(z->verdict) && r->dom != 0) {
			if (nm == cap) {
				cap = cap ? cap * 2 : 256;
				m = xreallocarray(m, cap, sizeof *m);
			}
			m[nm++] = (struct member){ (uintptr_t)z, r->last_seen, r->dom };
		}
	}
	if (nm > 0)
		qsort(m, nm, sizeof *m, cmp_member);
	for (size_t i = 0, run = 0; i < nm; i++) {
		run = i > 0 && m[i].zone == m[i - 1].zone ? run + 1 : 0;
		if (run < WATCH_ZONE_KEEP)
			push_id(out, m[i].dom, (uint32_t)run + 1);
	}
	free(m);
}

void
watch_flagged_copy(struct watch_flagged *dst, const struct watch_flagged *src)
{
	if (src->n > dst->cap) {
		dst->cap = src->n;
		dst->ids = xreallocarray(dst->ids, dst->cap, sizeof *dst->ids);
		dst->rank = xreallocarray(dst->rank, dst->cap, sizeof *dst->rank);
	}
	if (src->n > 0) {
		memcpy(dst->ids, src->ids, src->n * sizeof *dst->ids);
		memcpy(dst->rank, src->rank, src->n * sizeof *dst->rank);
	}
	dst->n = src->n;
	dst->n_zones = src->n_zones;
	dst->epoch = src->epoch;
}

void
watch_flagged_free(struct watch_flagged *f)
{
	free(f->ids);
	free(f->rank);
	memset(f, 0, sizeof *f);
}

/* The flagged set: scored by the watch's own detector under the read lock (ingest waits, the
 * UI and other readers do not), or taken from the provider (a detector that runs anyway).
 * Returns false when there is none to go by (pins then stay as they are). */
static bool
flagged_now(struct watch *w, double *det_ms)
{
	*det_ms = 0;
	w->fl.n = 0;
	if (w->det != NULL || w->cfg.det_cfg != NULL) {
		double t0 = fs_mono_ms();
		struct detector *det = w->det;
		struct fs_err err = { 0 };
		/* A detector for this run only: its memory (sized by the store now) goes back when
		 * it is freed, instead of staying as capacity between runs. */
		if (det == NULL && det_new(w->cfg.det_cfg, w->cfg.det_geo, &det, &err) != FS_OK)
			return false;
		if (det != w->det)
			det_set_incremental(det, false);   /* freed after this run */
		store_read_lock(w->s);
		det_run(det, w->s);
		watch_flagged_collect(det, store_epoch(w->s), &w->fl);
		store_read_unlock(w->s);
		if (det != w->det)
			det_free(det);
		*det_ms = fs_mono_ms() - t0;
		return true;
	}
	if (w->cfg.flagged != NULL)
		return w->cfg.flagged(w->cfg.flagged_ctx, &w->fl);
	return false;
}

/* Pin exactly the flagged domains (a pin from an earlier run goes when the verdict did: a name
 * that looked suspicious on little data and is a CDN pool on more is not kept for ever). One
 * write-locked pass over the domains. Results of an older epoch (ids since reused) are not
 * applied. Returns the pins set; *now counts the domains pinned as flagged after it. */
static uint64_t
pin_flagged(struct watch *w, uint64_t *now)
{
	struct store *s = w->s;
	uint64_t n = 0;
	uint8_t *flag;
	size_t nd;

	*now = 0;
	store_write_lock(s);
	nd = store_domain_count(s);
	if (w->fl.epoch != store_epoch(s)) {
		for (store_dom_id id = 1; id <= nd; id++) {
			const struct store_domain *d = store_domain(s, id);
			*now += d != NULL && (d->pins & STORE_PIN_FLAGGED);
		}
		store_write_unlock(s);
		return 0;
	}
	/* The names of flagged zones: as many of each zone's newest as a quarter of the budget
	 * holds at the current cost per domain, WATCH_ZONE_MIN to WATCH_ZONE_KEEP. */
	uint32_t keep = WATCH_ZONE_KEEP;
	if (w->fl.n_zones > 0 && w->cfg.budget > 0) {
		struct store_stats ss;
		store_get_stats(s, &ss);
		size_t per = ss.domains > 0 ? total_bytes(w) / ss.domains : 1;
		size_t fit = w->cfg.budget / 4 / (per > 0 ? per : 1) / w->fl.n_zones;
		keep = fit < WATCH_ZONE_MIN ? WATCH_ZONE_MIN : fit > WATCH_ZONE_KEEP ? WATCH_ZONE_KEEP
		                                                                     : (uint32_t)fit;
	}
	flag = xcalloc(nd + 1, 1);
	for (size_t i = 0; i < w->fl.n; i++)
		if (w->fl.ids[i] <= nd && w->fl.rank[i] <= keep)
			flag[w->fl.ids[i]] = 1;
	for (store_dom_id id = 1; id <= nd; id++) {
		const struct store_domain *d = store_domain(s, id);
		if (d == NULL)
			continue;
		*now += flag[id];
		if (flag[id] == ((d->pins & STORE_PIN_FLAGGED) != 0))
			continue;
		if (flag[id]) {
			store_domain_set_pins(s, id, d->pins | STORE_PIN_FLAGGED);
			n++;
		} else
			store_domain_set_pins(s, id, d->pins & ~(uint32_t)STORE_PIN_FLAGGED);
	}
	store_write_unlock(s);
	free(flag);
	return n;
}

static fs_time
later(fs_time a, fs_time b)
{
	return a > b ? a : b;
}

bool
watch_age(struct watch *w, bool force)
{
	size_t budget = w->cfg.budget, target, before, after;
	double t0 = fs_mono_ms(), ms, det_ms;
	fs_time cut = 0;
	uint64_t pins = 0, pinned_now = 0;

	before = total_bytes(w);
	if (!force && (budget == 0 || before <= budget))
		return false;
	target = (size_t)((double)budget * w->cfg.low_water);
	w->step_max_ms = 0;
	w->steps = 0;
	if (!flagged_now(w, &det_ms))
		w->fl.epoch = store_epoch(w->s) + 1;   /* matches no epoch: the pins stay, counted */
	pins = pin_flagged(w, &pinned_now);
	/* Least evidence first: names seen in one response (most of a resolver's names, and pure
	 * churn: even recent ones go before any history), then in a few, go before anything with a
	 * longer history, which may be slow flux not flagged yet; each step oldest first. */
	if (budget > 0 || force) {
		cut = later(cut, sweep(w, target, 0, 2, true));
		cut = later(cut, sweep(w, target, 0, 4, false));
		cut = later(cut, sweep(w, target, 0, 11, false));
	}
	if (budget > 0 && total_bytes(w) > target)
		/* Then any name gone quiet, oldest first, while the active ones keep all they have. */
		cut = later(cut, drop_idle(w, target));
	if (budget > 0 && total_bytes(w) > target)
		/* Then cap the timelines of names with a history at their newest pinned_keep
		 * responses, keeping their answer sets and addresses whole: a rotating pool judged
		 * on a short window of its answers looks like flux; on its answer sets it does not. */
		cut = later(cut, sweep(w, target, STORE_EXPIRE_TRIM_PINNED, 2, false));
	if (budget > 0 && total_bytes(w) > target)
		cut = later(cut, sweep(w, target, 0, 0, false));
	if (budget > 0 && total_bytes(w) > target)
		cut = later(cut, sweep(w, target, STORE_EXPIRE_TRIM_PINNED, 0, false));
	if (budget > 0 && total_bytes(w) > budget) {
		/* The newest tenth alone is too big (a burst of new names): keep only the newest
		 * hundredth of the time range of unpinned data. */
		fs_time c3 = newest(w->s);
		if (c3 > 0) {
			step(w, c3, STORE_EXPIRE_TRIM_PINNED, 0, 0);
			cut = later(cut, c3);
		}
	}
	/* Hand freed pages back (glibc): with a million names churning through an hour, peak RSS
	 * was 174 MiB without this and 158 MiB with it under --max-memory 128 (make bench). */
	malloc_trim(0);
	after = total_bytes(w);
	ms = fs_mono_ms() - t0;

	pthread_mutex_lock(&w->mu);
	w->st.runs++;
	w->st.pinned += pins;
	w->st.pinned_now = pinned_now;
	if (budget > 0 && after > budget)
		w->st.over_budget++;
	w->st.bytes_before = before;
	w->st.bytes_after = after;
	w->st.last_ms = ms;
	w->st.total_ms += ms;
	if (ms > w->st.max_ms)
		w->st.max_ms = ms;
	if (det_ms > w->st.det_ms_max)
		w->st.det_ms_max = det_ms;
	if (w->step_max_ms > w->st.lock_ms_max)
		w->st.lock_ms_max = w->step_max_ms;
	w->st.steps += w->steps;
	if (cut > w->st.last_cutoff)
		w->st.last_cutoff = cut;
	pthread_mutex_unlock(&w->mu);
	fs_log("ageing", "run: %zu -> %zu bytes (budget %zu), %llu pins, %u write-locked steps "
	       "(longest %.1f ms), detection %.1f ms, %.1f ms in all", before, after, budget,
	       (unsigned long long)pinned_now, (unsigned)w->steps, w->step_max_ms, det_ms, ms);

	/* Under the low-water mark: the next run at the budget. Not (pinned data fills it): only
	 * after another tenth of growth, not at every look. */
	w->next_at = after <= target ? budget : after + budget / 10;
	if (w->next_at < budget)
		w->next_at = budget;
	return true;
}

bool
watch_tick(struct watch *w)
{
	if (w == NULL || w->cfg.budget == 0 || ++w->msgs % w->cfg.check_every != 0)
		return false;
	if (total_bytes(w) <= w->next_at)
		return false;
	return watch_age(w, false);
}

void
watch_get_stats(struct watch *w, struct watch_stats *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->st;
	pthread_mutex_unlock(&w->mu);
}
