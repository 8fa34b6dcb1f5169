/* Ageing a live store under a memory budget without losing flagged or marked domains. */
#include "fluxscope/watch.h"

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
	pthread_mutex_t mu;            /* guards st */
	struct watch_stats st;
};

/* What the budget is compared with: the store and what the domains cost elsewhere. */
static size_t
total_bytes(const struct watch *w)
{
	struct store_stats ss;
	store_get_stats(w->s, &ss);
	return ss.bytes + ss.domains * w->cfg.extra_per_domain;
}

/* The store size that leaves room for `total` with the current bytes per domain. */
static size_t
store_share(const struct watch *w, size_t total)
{
	struct store_stats ss;
	store_get_stats(w->s, &ss);
	size_t all = ss.bytes + ss.domains * w->cfg.extra_per_domain;
	if (all == 0)
		return total;
	return (size_t)((double)total * (double)ss.bytes / (double)all);
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
	/* Pinned domains trimmed under pressure keep enough of their timeline to stay flagged. */
	store_set_pinned_keep(s, STORE_PINNED_KEEP);
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
	pthread_mutex_destroy(&w->mu);
	free(w);
}

struct detector *
watch_detector(struct watch *w)
{
	return w->det;
}

/* Score the store and pin exactly the domains whose verdict is flagged now (a pin from an
 * earlier run goes when the verdict did: a name that looked suspicious on little data and is a
 * CDN pool on more is not kept for ever). Returns the number of pins set. */
static uint64_t
pin_flagged(struct watch *w, uint64_t *now)
{
	uint64_t n = 0;

	*now = 0;
	if (w->det == NULL)
		return 0;
	det_run(w->det, w->s);
	for (size_t i = 0, k = det_count(w->det); i < k; i++) {
		const struct det_result *r = det_get(w->det, i);
		const struct store_domain *d = store_domain(w->s, r->dom);
		bool flag = det_is_flagged(r->verdict);

		if (d == NULL || flag == ((d->pins & STORE_PIN_FLAGGED) != 0)) {
			*now += flag && d != NULL;
			continue;
		}
		if (flag) {
			store_domain_set_pins(w->s, r->dom, d->pins | STORE_PIN_FLAGGED);
			n++;
			(*now)++;
		} else
			store_domain_set_pins(w->s, r->dom, d->pins & ~(uint32_t)STORE_PIN_FLAGGED);
	}
	return n;
}

static size_t total_bytes(const struct watch *w);

/* Hold (or release) for one step every domain with more evidence than `thr`: more than thr
 * responses, more than thr + 1 addresses, or NS data (double flux shows there first). */
static void
hold_histories(struct store *s, bool on, uint32_t thr)
{
	for (store_dom_id id = 1; id <= store_domain_count(s); id++) {
		const struct store_domain *d = store_domain(s, id);
		if (d == NULL)
			continue;
		if (on && (d->n_responses > thr || d->n_addrs > thr + 1 || d->n_ns > 0))
			store_domain_set_pins(s, id, d->pins | STORE_PIN_AGEING);
		else if (!on && (d->pins & STORE_PIN_AGEING))
			store_domain_set_pins(s, id, d->pins & ~(uint32_t)STORE_PIN_AGEING);
	}
}

/* Drop the unpinned domains not seen since a cut-off moving forward a tenth of the observed
 * range at a time, holding every domain seen since (store_expire() would trim their older
 * entries too). Returns the last cut-off. */
static fs_time
drop_idle(struct watch *w, size_t target)
{
	fs_time lo = 0, hi = 0, cut = 0;
	bool any = false;

	for (store_dom_id id = 1; id <= store_domain_count(w->s); id++) {
		const struct store_domain *d = store_domain(w->s, id);
		if (d == NULL)
			continue;
		if (!any || d->last_seen < lo)
			lo = d->last_seen;
		if (!any || d->last_seen > hi)
			hi = d->last_seen;
		any = true;
	}
	for (int step = 1; any && step <= 9 && total_bytes(w) > target; step++) {
		cut = lo + (hi - lo) / 10 * step;
		for (store_dom_id id = 1; id <= store_domain_count(w->s); id++) {
			const struct store_domain *d = store_domain(w->s, id);
			if (d != NULL && d->last_seen >= cut)
				store_domain_set_pins(w->s, id, d->pins | STORE_PIN_AGEING);
		}
		store_expire(w->s, cut, 0);
		hold_histories(w->s, false, 0);
	}
	return cut;
}

/* Newest last_seen over the domains (capture time). */
static fs_time
newest(const struct store *s)
{
	fs_time hi = 0, lo = 0;
	bool any = false;

	for (store_dom_id id = 1; id <= store_domain_count(s); id++) {
		const struct store_domain *d = store_domain(s, id);
		if (d == NULL)
			continue;
		if (!any || d->first_seen < lo)
			lo = d->first_seen;
		if (!any || d->last_seen > hi)
			hi = d->last_seen;
		any = true;
	}
	if (!any)
		return 0;
	return hi - (hi - lo) / 100;
}

bool
watch_age(struct watch *w, bool force)
{
	size_t budget = w->cfg.budget, target, before, after;
	double t0 = fs_mono_ms(), ms;
	fs_time cut;
	uint64_t pins, pinned_now;

	before = total_bytes(w);
	if (!force && (budget == 0 || before <= budget))
		return false;
	target = (size_t)((double)budget * w->cfg.low_water);
	pins = pin_flagged(w, &pinned_now);
	/* Least evidence first: names seen in one response (most of a resolver's names), then in
	 * a few, go before anything with a longer history, which may be slow flux not flagged
	 * yet; each step oldest first. */
	static const uint32_t thr[] = { 1, 3, 10 };
	cut = 0;
	for (size_t i = 0; i < sizeof thr / sizeof thr[0] && total_bytes(w) > target; i++) {
		hold_histories(w->s, true, thr[i]);
		fs_time c0 = store_expire_to_budget(w->s, store_share(w, target), 0);
		hold_histories(w->s, false, 0);
		if (c0 > cut)
			cut = c0;
	}
	if (budget > 0 && total_bytes(w) > target) {
		/* Then any name gone quiet, oldest first, while the active ones keep all they have. */
		fs_time c = drop_idle(w, target);
		if (c > cut)
			cut = c;
	}
	if (budget > 0 && total_bytes(w) > target) {
		/* Then cap the timelines of names with a history at their newest pinned_keep
		 * responses, keeping their answer sets and addresses whole: a rotating pool judged
		 * on a short window of its answers looks like flux; on its answer sets it does not. */
		hold_histories(w->s, true, 1);
		fs_time c1 = store_expire_to_budget(w->s, store_share(w, target), STORE_EXPIRE_TRIM_PINNED);
		hold_histories(w->s, false, 0);
		if (c1 > cut)
			cut = c1;
	}
	if (budget > 0 && total_bytes(w) > target) {
		fs_time c1 = store_expire_to_budget(w->s, store_share(w, target), 0);
		if (c1 > cut)
			cut = c1;
	}
	if (budget > 0 && total_bytes(w) > target) {
		fs_time c2 = store_expire_to_budget(w->s, store_share(w, target), STORE_EXPIRE_TRIM_PINNED);
		if (c2 > cut)
			cut = c2;
	}
	if (budget > 0 && total_bytes(w) > budget) {
		/* The newest tenth alone is too big (a burst of new names): keep only the newest
		 * hundredth of the time range of unpinned data. */
		fs_time c3 = newest(w->s);
		if (c3 > 0) {
			store_expire(w->s, c3, STORE_EXPIRE_TRIM_PINNED);
			if (c3 > cut)
				cut = c3;
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
	if (cut > w->st.last_cutoff)
		w->st.last_cutoff = cut;
	pthread_mutex_unlock(&w->mu);

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
