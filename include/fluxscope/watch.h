/* A long live watch under a memory budget (--max-memory): the store ages out old domains and
 * timelines (store_expire) so it never grows without bound, and the domains detection has
 * flagged are pinned first, so ageing never loses them nor what their verdicts rest on (the
 * store keeps a pinned domain's NS layer: its zone's records, the NS names and all their
 * addresses).
 *
 * When the store holds more than the budget, an ageing run (1) takes the flagged set: it scores
 * the store with its own detector under the read lock, or (the TUI) takes the latest results
 * of a detector that runs anyway (watch_config.flagged), and pins every domain whose verdict is
 * suspicious, single-flux or double-flux (STORE_PIN_FLAGGED; the pins follow the latest
 * verdicts: a name that looked suspicious on little data and turns out a CDN pool loses its
 * pin), (2) ages out, oldest first, the names seen in a single response (most of what a
 * resolver sees, and the least evidence; even recent ones, before any history), then those seen
 * in up to 3, then up to 10, down to the low-water mark, (3) if that is not enough, any name
 * gone quiet, oldest first, (4) then trims the response timelines of pinned domains to their
 * newest STORE_PINNED_KEEP responses (answer sets, addresses and NS history stay), (5) then any
 * unpinned data oldest first, and (6) if still over, drops every unpinned domain not seen in the
 * newest hundredth of the observed time. Domains the analyst marked (user_flags) are never
 * dropped either. Every drop is counted (store_stats expired_*, per-domain *_expired); runs
 * that cannot get under the budget because pinned data alone exceeds it are counted too, never
 * hidden.
 *
 * Locking (issue 16): a run never holds the write lock for a detection pass. Scoring takes the
 * read lock (readers such as the UI and the TUI's detection worker go on); pinning is one
 * write-locked pass over the domains; each expiry step (one store_expire() call, about 100 ms
 * on a 250 MB store) takes the write lock on its own, so readers get in between two steps.
 *
 * Runs are paced by the data, not the clock, so the same capture and budget always give the same
 * result headless: a run starts when the total passes the budget, and after a run that could
 * not get under the low-water mark (pinned data), only once the total has grown by another tenth
 * of the budget. (With a provider the pins are as fresh as its last results, which depends on
 * timing.)
 *
 * Threads: the store's writer thread calls watch_tick() after each message, holding no store
 * lock (the watch takes the locks it needs; the store is only changed on this thread, so
 * nothing changes under a run but marks); watch_get_stats() from any thread. */
#ifndef FLUXSCOPE_WATCH_H
#define FLUXSCOPE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxscope/detect.h"
#include "fluxscope/fs.h"
#include "fluxscope/store.h"

/* The domains a detector that runs anyway (the TUI's loader) flagged in its latest results:
 * the provider fills the set (watch_flagged_collect, or watch_flagged_copy of one it kept),
 * with the store_epoch() those results were computed under (ids of another epoch may have been
 * reused: they are not applied). Returns false when it has no results yet. Called on the writer
 * thread with no store lock held. */
struct watch_flagged {
	store_dom_id *ids;
	uint32_t *rank;            /* per id: 0 = flagged on its own or a flagged zone's apex; k =
	                            * the k-th newest other name of a flagged zone */
	size_t n, cap;
	size_t n_zones;            /* flagged zone rows */
	uint32_t epoch;
};
typedef bool (*watch_flagged_fn)(void *ctx, struct watch_flagged *out);

/* The set to pin from a detector's fresh results (computed under store epoch `epoch`): every
 * domain flagged on its own, and, for a flagged zone row (det_zone_get), its apex and its
 * newest WATCH_ZONE_KEEP other names, those flagged only through the zone (via_zone) among
 * them, ranked newest first (the zone's verdict adds up their evidence; a random-subdomain zone
 * may bring new names without end). The watch pins as many of each zone's names as a quarter
 * of the budget holds, at least WATCH_ZONE_MIN. Replaces out's content (the buffers grow as
 * needed). Caller holds the store read lock. */
#define WATCH_ZONE_KEEP 256
#define WATCH_ZONE_MIN 32
void watch_flagged_collect(const struct detector *det, uint32_t epoch, struct watch_flagged *out);
/* Copy src into dst (dst's buffers grow as needed), and free a set's buffers. */
void watch_flagged_copy(struct watch_flagged *dst, const struct watch_flagged *src);
void watch_flagged_free(struct watch_flagged *f);

struct watch_config {
	size_t budget;             /* bytes that trigger ageing (0 = never): the store's own
	                            * (store_stats.bytes) plus extra_per_domain for each domain
	                            * with an address, RRset or CNAME, extra_per_bare_domain for
	                            * each without (store_stats.domains_bare) and extra_per_addr
	                            * for each address */
	size_t extra_per_domain;   /* what each domain costs outside the store: detection results
	                            * (0.7–1.9 KB per detector holding results, 1.7–2.9 KB with
	                            * its incremental state: docs/performance.md), UI rows */
	size_t extra_per_bare_domain; /* the same for a domain that never had an address, RRset or
	                            * CNAME: detection keeps it compact (about 130 bytes) */
	size_t extra_per_addr;     /* likewise per address (an enrichment cache entry) */
	double low_water;          /* age down to this share of the budget; 0 = 0.6 (a run costs a
	                            * detection pass over the store: the lower, the rarer) */
	unsigned check_every;      /* messages between two looks at the store size; 0 = 1024 */
	bool borrow_det;           /* the caller keeps the detector (and runs it after the watch) */
	/* Without a detector (det NULL): a configuration to make one for each run from (with
	 * det_geo), freed after it, so that its results, sized by the store at the run, do not
	 * stay allocated between runs (headless: about 2.9 KB a domain); or where the flagged
	 * set comes from; or neither (then only the marks and the pins already set are kept). */
	const struct det_config *det_cfg;
	struct geo *det_geo;
	watch_flagged_fn flagged;
	void *flagged_ctx;
};

struct watch_stats {
	uint64_t runs;             /* ageing runs */
	uint64_t pinned;           /* pins set because detection flagged a domain (over all runs) */
	uint64_t pinned_now;       /* domains pinned as flagged after the last run */
	uint64_t over_budget;      /* runs that ended above the budget: pinned data alone exceeds it */
	size_t budget;
	size_t extra_per_domain, extra_per_bare_domain;   /* the estimates counted (watch_config) */
	size_t bytes_before, bytes_after;   /* around the last run, store plus extra per domain */
	double last_ms, max_ms, total_ms;   /* wall time of the runs (detection included) */
	double det_ms_max;         /* the longest detection pass (under the read lock) */
	double lock_ms_max;        /* the longest the write lock was held in one step */
	uint64_t steps;            /* write-locked expiry steps, over all runs */
	fs_time last_cutoff;       /* capture time before which unpinned data was dropped */
};

struct watch;

/* det: the detector used to find the domains to pin (taken over and freed by watch_free,
 * unless cfg->borrow_det); NULL: one made for each run from cfg->det_cfg, or the flagged set
 * comes from cfg->flagged, or nothing but the marks is pinned. cfg->det_cfg and what it points
 * to must outlive the watch. Caller frees with watch_free(). */
struct watch *watch_new(struct store *s, struct detector *det, const struct watch_config *cfg);
void watch_free(struct watch *w);

/* Writer thread, after adding a message, holding no store lock: cheap, except every
 * check_every messages when the store is over budget and the last run is old enough; then it
 * runs the ageing. Returns true when it aged. */
bool watch_tick(struct watch *w);

/* Writer thread, holding no store lock: pin and age now, if over the budget (or always with
 * force). */
bool watch_age(struct watch *w, bool force);

/* The detector of the last run (results valid until the store changes), or NULL. */
struct detector *watch_detector(struct watch *w);

void watch_get_stats(struct watch *w, struct watch_stats *out);   /* any thread */

#endif
