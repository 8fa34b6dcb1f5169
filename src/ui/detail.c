/* Lines of the domain-detail tabs, built from the store (under its read lock), the detector's
 * result for the domain and the UI's geo handle; and the domain lists behind pivots. */
#include "ui/detail.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/model.h"
#include "fluxscope/store.h"
#include "ui/app.h"
#include "ui/canvas.h"

static const char *const tab_names[DTAB_COUNT] = {
	"Summary", "Timeline", "Spread", "Nameservers", "Related"
};

/* Role changes inside a line: M then MR(role) switches, MEND returns to the line's role. */
#define M "\x01%c"
#define MR(role) ((char)((role) + 2))
#define MEND "\x01\x01"

#define TIMELINE_MAX 20000     /* responses listed; the rest are counted */
#define RELATED_MAX 500        /* related domains listed */

const char *
detail_tab_name(int tab)
{
	return tab >= 0 && tab < DTAB_COUNT ? tab_names[tab] : "?";
}

void
dlines_add(struct dlines *d, int kind, uint32_t key, int role, const char *fmt, ...)
{
	va_list ap;
	char *text;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	text = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->l = xreallocarray(d->l, (size_t)d->cap, sizeof *d->l);
	}
	d->l[d->n++] = (struct dline){ text, (uint8_t)kind, (uint16_t)role, key, 0, 0 };
}

void
dlines_clear(struct dlines *d)
{
	for (int i = 0; i < d->n; i++)
		free(d->l[i].text);
	free(d->l);
	memset(d, 0, sizeof *d);
}

/* Strings from databases or the wire may carry control bytes (and the mark byte): show '?'. */
static const char *
clean(const char *s, char *buf, size_t len)
{
	size_t o = 0;
	for (; s != NULL && *s != '\0' && o + 1 < len; s++)
		buf[o++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	buf[o] = '\0';
	return buf;
}

/* A growable text buffer for composing one line. */
struct sbuf {
	char *b;
	size_t n, cap;
};

static void
sb_addf(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
sb_addf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (s->n + (size_t)n + 1 > s->cap) {
		s->cap = (s->n + (size_t)n + 1) * 2;
		s->b = xrealloc(s->b, s->cap);
	}
	va_start(ap, fmt);
	vsnprintf(s->b + s->n, s->cap - s->n, fmt, ap);
	va_end(ap);
	s->n += (size_t)n;
}

static bool
span_days(const struct detail_ctx *ctx, fs_time a, fs_time b)
{
	(void)ctx;
	return b - a >= 86400 * FS_USEC;
}

static const char *
fmt_dur(fs_time d, char *buf, size_t len)
{
	int64_t s = d / FS_USEC;
	if (s < 120)
		snprintf(buf, len, "%lld s", (long long)s);
	else if (s < 7200)
		snprintf(buf, len, "%lld min", (long long)(s / 60));
	else if (s < 172800)
		snprintf(buf, len, "%.1f h", (double)s / 3600);
	else
		snprintf(buf, len, "%.1f days", (double)s / 86400);
	return buf;
}

static const char *
addr_str(const struct store *st, store_addr_id id, char *buf, size_t len)
{
	const struct store_addr *a = store_addr(st, id);
	if (a == NULL) {
		snprintf(buf, len, "?");
		return buf;
	}
	return fs_addr_str(&a->addr, buf, len);
}

static void sb_col(struct sbuf *sb, const char *text, int w, bool right, bool unicode);

/* ---- Summary ------------------------------------------------------------------------------ */

static void
summary_from_row(const struct detail_ctx *ctx, const struct snap_row *r, struct dlines *out)
{
	char t1[32], t2[32], ttl[16];
	bool wd = span_days(ctx, ctx->snap->t_min, ctx->snap->t_max);

	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Verdict      " M "%s" MEND,
	           MR(app_verdict_role(r->verdict)), det_verdict_name((enum det_verdict)r->verdict));
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Score        " M "%.1f" MEND " / 100",
	           MR(UI_ROLE_VALUE), r->score);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Seen         " M "%s" MEND " to " M "%s" MEND
	           " UTC, %u responses", MR(UI_ROLE_VALUE),
	           app_fmt_time(r->first_seen, wd, t1, sizeof t1), MR(UI_ROLE_VALUE),
	           app_fmt_time(r->last_seen, wd, t2, sizeof t2), r->n_responses);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Spread       %u addresses, %u ASNs, %u countries; "
	           "min TTL %s; %u NS changes", r->n_addrs, r->n_asns, r->n_countries,
	           app_fmt_ttl(r->ttl_min, ttl, sizeof ttl), r->n_ns_changes);
}

/* The analyst's notes on the domain and its registrable domain (zone), first. */
static void
summary_notes(const struct detail_ctx *ctx, const char *name, const char *zone, struct dlines *out)
{
	char cbuf[1100];
	const struct note *n;

	if (ctx->notes == NULL || name == NULL)
		return;
	if ((n = notes_lookup(ctx->notes, NOTE_DOMAIN, name)) != NULL)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Note         " M "%s%s" MEND, MR(UI_ROLE_MARK),
		           n->marked ? "[marked] " : "", n->text ? clean(n->text, cbuf, sizeof cbuf) : "");
	if (zone != NULL && strcmp(zone, name) != 0 && (n = notes_lookup(ctx->notes, NOTE_ZONE, zone)) != NULL)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Zone note    " M "%s: %s%s" MEND, MR(UI_ROLE_MARK), n->key,
		           n->marked ? "[marked] " : "", n->text ? clean(n->text, cbuf, sizeof cbuf) : "");
}

static void
summary(const struct detail_ctx *ctx, uint32_t dom, const struct snap_row *row, struct dlines *out)
{
	const struct det_result *r = ctx->det != NULL ? det_for_domain(ctx->det, dom) : NULL;
	const struct store_domain *d = ctx->store != NULL ? store_domain(ctx->store, dom) : NULL;
	char t1[32], t2[32], b1[64], b2[64], cbuf[512];
	bool wd;

	summary_notes(ctx, row->name, r != NULL ? r->registrable : NULL, out);
	if (r == NULL || d == NULL) {
		summary_from_row(ctx, row, out);
		if (r == NULL)
			dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "(not scored yet)");
		return;
	}
	wd = span_days(ctx, d->first_seen, d->last_seen);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
	           "Verdict      " M "%s" MEND "%s%s%s%s",
	           MR(app_verdict_role((int)r->verdict)), det_verdict_name(r->verdict),
	           r->guard != NULL ? "   (guard: " : "", r->guard != NULL ? clean(r->guard, cbuf, sizeof cbuf) : "",
	           r->guard != NULL ? ")" : "", r->allowlisted ? "   allowlisted" : "");
	if (r->holz_available)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
		           "Score        " M "%.1f" MEND " / 100 (logit %.2f)   Holz flux-score " M "%.1f"
		           MEND " (first lookups; %s), %.1f over all addresses",
		           MR(UI_ROLE_VALUE), r->score, r->logit, MR(UI_ROLE_VALUE), r->holz_score,
		           r->holz_score > 0 ? "> 0: flux by Holz et al." : "not flux by Holz et al.",
		           r->holz_score_all);
	else
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
		           "Score        " M "%.1f" MEND " / 100 (logit %.2f)   Holz flux-score: %s",
		           MR(UI_ROLE_VALUE), r->score, r->logit,
		           r->n_addrs == 0 ? "no addresses (only NXDOMAIN/NODATA answers)" : "needs ASN data");
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Registrable  " M "%s" MEND "%s",
	           MR(UI_ROLE_VALUE), clean(r->registrable, cbuf, sizeof cbuf),
	           r->cluster != 0 ? "" : "   no cluster");
	if (r->cluster != 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
		           "Cluster      " M "#%u" MEND ": " M "%u" MEND " domains, this one included, linked by "
		           "shared addresses or nameservers (Related tab)",
		           MR(UI_ROLE_VALUE), r->cluster, MR(UI_ROLE_VALUE), r->cluster_size);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
	           "Shared       " M "%u" MEND " other flagged domains shared addresses or fluxing nameservers "
	           "with it when it was scored", MR(UI_ROLE_VALUE), r->n_shared_flagged);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
	           "Seen         " M "%s" MEND " to " M "%s" MEND " UTC (%s), %u responses, %u NXDOMAIN",
	           MR(UI_ROLE_VALUE), app_fmt_time(d->first_seen, wd, t1, sizeof t1),
	           MR(UI_ROLE_VALUE), app_fmt_time(d->last_seen, wd, t2, sizeof t2),
	           fmt_dur(d->last_seen - d->first_seen, b1, sizeof b1), d->n_responses, d->n_nxdomain);
	if (r->max_distance_km >= 0)
		snprintf(b2, sizeof b2, "; %.0f km apart at most", r->max_distance_km);
	else
		b2[0] = '\0';
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
	           "Spread       " M "%u" MEND " addresses (%u IPv6) in " M "%u" MEND " ASNs and " M "%u"
	           MEND " countries; %u /16s, %u /24s%s",
	           MR(UI_ROLE_VALUE), r->n_addrs, r->n_addrs_v6, MR(UI_ROLE_VALUE), r->n_asns,
	           MR(UI_ROLE_VALUE), r->n_countries, r->n_prefixes16, r->n_prefixes24, b2);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
	           "TTL          estimate " M "%u s" MEND ", lowest seen %u s; %u answer-set changes over %u sets",
	           MR(UI_ROLE_VALUE), r->ttl, r->ttl_min, r->n_rrset_changes, r->n_rrsets);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
	           "Nameservers  %u names, %u addresses, " M "%u" MEND " NS-set changes%s%s",
	           r->n_ns_names, r->n_ns_addrs, MR(UI_ROLE_VALUE), r->n_ns_changes,
	           r->ns_ttl > 0 ? ", NS TTL " : "", r->ns_ttl > 0 ? app_fmt_ttl(r->ns_ttl, b1, sizeof b1) : "");
	if (r->intel_hit)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Intel        " M "listed in %s" MEND,
		           MR(UI_ROLE_V_SINGLE_FLUX), clean(r->intel_feed, cbuf, sizeof cbuf));
	if (r->first_flagged != 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
		           "Detected     flagged at %s after %u responses (%.1f TTL periods)",
		           app_fmt_time(r->first_flagged, wd, t1, sizeof t1), r->first_flagged_resp,
		           r->first_flagged_ttls);
	if (r->first_flux != 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
		           "             flux at %s after %u responses (%.1f TTL periods)",
		           app_fmt_time(r->first_flux, wd, t1, sizeof t1), r->first_flux_resp, r->first_flux_ttls);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
	dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "Reasons");
	if (r->n_reasons == 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  (none)");
	for (int i = 0; i < r->n_reasons; i++)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "  - %s", clean(r->reasons[i], cbuf, sizeof cbuf));
	if (r->cluster != 0)   /* the detector's cluster, as Summary, Related and --report give it */
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "  - in cluster #%u of %u domains linked by shared "
		           "addresses or nameservers (Related tab)", r->cluster, r->cluster_size);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
	dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "Score terms (value in its own units; contribution to the logit)");
	{
		double maxc = 0;
		int barw = ctx->width - 64;
		if (barw > 30)
			barw = 30;
		struct det_term tb;
		for (int i = 0; r->terms != NULL && i < r->n_terms; i++)
			if (fabs(det_term_at(r, i, &tb)->contribution) > maxc)
				maxc = fabs(tb.contribution);
		for (int i = 0; r->terms != NULL && i < r->n_terms; i++) {
			const struct det_term *t = det_term_at(r, i, &tb);
			char bar[128] = "";
			int n = 0;
			if (!t->available) {
				dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  %-20s %12s %-10s   n/a (no data)",
				           t->name, "", t->unit != NULL ? t->unit : "");
				continue;
			}
			if (barw > 0 && maxc > 0)
				n = (int)(fabs(t->contribution) / maxc * barw + 0.5);
			for (int k = 0; k < n && k < (int)sizeof bar / 3 - 1; k++)
				strcat(bar, ctx->unicode ? "\xe2\x96\x88" : "#");
			char raw[32];
			if (fabs(t->raw) >= 100 || t->raw == floor(t->raw))
				snprintf(raw, sizeof raw, "%.0f", t->raw);
			else
				snprintf(raw, sizeof raw, "%.3g", t->raw);
			dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "  %-20s %12s %-10s " M "%+7.2f" MEND " " M "%s" MEND,
			           t->name, raw, t->unit != NULL ? t->unit : "",
			           MR(t->contribution > 0 ? UI_ROLE_TERM_UP : t->contribution < 0 ? UI_ROLE_TERM_DOWN
			                                                                       : UI_ROLE_DIM),
			           t->contribution,
			           MR(t->contribution >= 0 ? UI_ROLE_TERM_UP : UI_ROLE_TERM_DOWN), bar);
		}
	}
}

/* ---- Timeline ----------------------------------------------------------------------------- */

static const char *const spark_u[8] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"
};
static const char spark_a[8] = { '.', ':', '-', '=', '+', '*', '#', '@' };

static void
sparkline(const struct detail_ctx *ctx, const uint32_t *v, int n, struct sbuf *sb)
{
	uint32_t max = 0;
	for (int i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (int i = 0; i < n; i++) {
		int lvl = max == 0 ? 0 : (int)((uint64_t)v[i] * 7 / max);
		if (v[i] == 0) {
			sb_addf(sb, " ");
			continue;
		}
		if (ctx->unicode)
			sb_addf(sb, "%s", spark_u[lvl]);
		else
			sb_addf(sb, "%c", spark_a[lvl]);
	}
}

/* The CNAME chains as a tree of the alternatives answered (model_cname_tree), each branch with
 * when it was first and last seen and how often. */
static void
cname_tree(const struct detail_ctx *ctx, uint32_t dom, bool wd, struct dlines *out)
{
	const struct store *st = ctx->store;
	const struct store_domain *d = store_domain(st, dom);
	struct model_cname_node *v = NULL;
	size_t n = model_cname_tree(st, dom, &v);
	bool open[32] = { false };
	char cb[512], t1[32], t2[32];
	struct sbuf sb = { 0 };
	uint32_t branches = 0;

	if (n == 0) {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "CNAME chain  (none: answered directly)");
		return;
	}
	for (size_t i = 0; i < n; i++)
		branches += v[i].depth > 0 && !v[i].last;
	dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "CNAME chains  %s",
	           branches > 0 ? "(alternatives answered: each branch with when it was seen)"
	                        : "(one chain)");
	for (size_t i = 0; i < n; i++) {
		const struct model_cname_node *x = &v[i];
		sb.n = 0;
		sb_addf(&sb, "  ");
		for (int k = 1; k < x->depth && k < 32; k++)
			sb_addf(&sb, "%s", open[k] ? (ctx->unicode ? "\xe2\x94\x82  " : "|  ") : "   ");
		if (x->depth > 0)
			sb_addf(&sb, "%s", x->last ? (ctx->unicode ? "\xe2\x94\x94\xe2\x94\x80 " : "`- ")
			                           : (ctx->unicode ? "\xe2\x94\x9c\xe2\x94\x80 " : "|- "));
		if (x->depth < 32)
			open[x->depth] = !x->last;
		sb_addf(&sb, M "%s" MEND, MR(x->depth == 0 ? UI_ROLE_VALUE : UI_ROLE_DEFAULT),
		        clean(store_name_str(st, x->name), cb, sizeof cb));
		if (x->loop)
			sb_addf(&sb, M " (loop: already on this chain)" MEND, MR(UI_ROLE_DIM));
		if (x->link != NULL)
			sb_addf(&sb, M "  %s to %s, %u response%s" MEND, MR(UI_ROLE_DIM),
			        app_fmt_time(x->link->first_seen, wd, t1, sizeof t1),
			        app_fmt_time(x->link->last_seen, wd, t2, sizeof t2), x->link->count,
			        x->link->count == 1 ? "" : "s");
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", sb.b);
	}
	if (d != NULL && d->ext->n_clinks_over > 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  (%u more CNAME links not kept)", d->ext->n_clinks_over);
	free(v);
	free(sb.b);
}

/* Pad or cut text (display width, UTF-8) to exactly w cells, with an ellipsis where cut. */
static void
sb_col(struct sbuf *sb, const char *text, int w, bool right, bool unicode)
{
	int tw = canvas_text_width(text);
	if (w <= 0)
		return;
	if (tw > w) {
		size_t k = canvas_fit(text, w - 1);
		int kw;
		char tmp[1024];
		snprintf(tmp, sizeof tmp, "%.*s", (int)k, text);
		kw = canvas_text_width(tmp);
		sb_addf(sb, "%s%s%*s", tmp, unicode ? "\xe2\x80\xa6" : "~", w - 1 - kw, "");
		return;
	}
	if (right)
		sb_addf(sb, "%*s%s", w - tw, "", text);
	else
		sb_addf(sb, "%s%*s", text, w - tw, "");
}

static const char *
src_name(const struct detail_ctx *ctx, int idx)
{
	const char *p;
	if (ctx->sources == NULL || idx < 0 || idx >= ctx->n_sources || ctx->sources[idx] == NULL)
		return NULL;
	p = strrchr(ctx->sources[idx], '/');
	return p != NULL ? p + 1 : ctx->sources[idx];
}

/* Sparklines: distinct addresses per interval and in total, across the domain's time
 * (model_tl_spark), with the first and last times under them. */
static void
timeline_sparklines(const struct detail_ctx *ctx, uint32_t dom, const struct store_domain *d,
                    bool wd, struct sbuf *sb, struct dlines *out)
{
	int buckets = ctx->width - 50;   /* the label and "distinct per interval (max N)" fit beside */
	uint32_t mx = 0;
	char t1[32], t2[32];

	if (buckets > 80)
		buckets = 80;
	if (buckets < 8)
		buckets = 8;
	uint32_t *per = xcalloc((size_t)buckets, sizeof *per);
	uint32_t *cum = xcalloc((size_t)buckets, sizeof *cum);
	uint32_t total = model_tl_spark(ctx->store, dom, buckets, per, cum);
	for (int b = 0; b < buckets; b++)
		if (per[b] > mx)
			mx = per[b];
	sb->n = 0;
	sb_addf(sb, "Addresses    " M, MR(UI_ROLE_SPARK));
	sparkline(ctx, per, buckets, sb);
	sb_addf(sb, MEND " distinct per interval (max %u)", mx);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "%s", sb->b);
	sb->n = 0;
	sb_addf(sb, "             " M, MR(UI_ROLE_SPARK));
	sparkline(ctx, cum, buckets, sb);
	sb_addf(sb, MEND " seen so far (%u in all)", total);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "%s", sb->b);
	sb->n = 0;
	sb_addf(sb, "             %s", app_fmt_time(d->first_seen, wd, t1, sizeof t1));
	app_fmt_time(d->last_seen, wd, t2, sizeof t2);
	int pad = buckets - (int)strlen(t1) - (int)strlen(t2);
	sb_addf(sb, "%*s%s", pad > 1 ? pad : 1, "", t2);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "%s", sb->b);
	free(per);
	free(cum);
}

/* The table's title: responses, rows, and the answer-set changes when detection ran. */
static void
timeline_title(const struct detail_ctx *ctx, const struct store_domain *d,
               const struct det_result *res, const struct model_timeline *tl, struct dlines *out)
{
	if (res != NULL)
		dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL,
		           "%u responses in %u rows%s; %u answer-set changes over %u sets (per resolver, "
		           "as in Summary)%s", d->n_resp, tl->n_rows,
		           tl->collapsed ? " (identical consecutive ones folded: c shows each)" :
		           ctx->collapse ? "" : " (c folds identical ones)",
		           res->n_rrset_changes, res->n_rrsets,
		           d->n_resp_expired ? "; older ones aged out" : "");
	else
		dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "%u responses in %u rows%s%s", d->n_resp,
		           tl->n_rows, tl->collapsed ? " (identical consecutive ones folded: c shows each)" : "",
		           d->n_resp_expired ? "; older ones aged out" : "");
}

/* One row of the table: time, count, qtype, rcode, TTL, frame, then the answers (those new in
 * the timeline marked), the CNAME, who saw it and the file. */
static void
timeline_row(const struct detail_ctx *ctx, const struct store_domain *d,
             const struct model_timeline *tl, const struct model_tl_row *row, bool wd, int tw,
             struct sbuf *sb, struct dlines *out)
{
	const struct store *st = ctx->store;
	const struct store_response *r = &d->resp[row->first];
	const uint32_t *m;
	uint32_t n, shown = 0;
	int used;
	char t1[32], a1[FS_ADDR_STRLEN], rc[16], cb[512], qt[16], ttl[32], cnt[16], fr[16];
	const char *file = src_name(ctx, r->src_index);

	m = store_set_members(st, r->aset, &n);
	if (n == 0)
		snprintf(ttl, sizeof ttl, "-");
	else if (row->ttl_min == row->ttl_max)
		snprintf(ttl, sizeof ttl, "%u", row->ttl_min);
	else
		snprintf(ttl, sizeof ttl, "%u-%u", row->ttl_min, row->ttl_max);
	if (row->count > 1)
		snprintf(cnt, sizeof cnt, "x%u", row->count);
	else
		cnt[0] = '\0';
	if (r->frame != 0)
		snprintf(fr, sizeof fr, "#%u", r->frame);
	else
		snprintf(fr, sizeof fr, "-");
	sb->n = 0;
	sb_addf(sb, "%-*s %5s %-5s %-8s %7s %7s  ", tw, app_fmt_time(r->ts, wd, t1, sizeof t1), cnt,
	        dns_type_name(r->qtype, qt), dns_rcode_name(r->rcode, rc), ttl, fr);
	used = (int)sb->n + 2;
	if (n == 0)
		sb_addf(sb, M "(%s)" MEND " ", MR(UI_ROLE_DIM),
		        r->flags & STORE_RESP_REFERRAL ? "referral" :
		        r->rcode == 3 ? "NXDOMAIN" :
		        r->flags & STORE_RESP_NODATA ? "no data" :
		        r->rcode != 0 ? "error" : "no addresses");
	for (uint32_t j = 0; j < n; j++) {
		bool isnew = tl->is_new[row->new_off + j];
		addr_str(st, m[j], a1, sizeof a1);
		if (used + (int)strlen(a1) + 14 > ctx->width && shown > 0)
			continue;
		if (isnew)
			sb_addf(sb, M "%s" MEND " ", MR(UI_ROLE_NEW), a1);
		else
			sb_addf(sb, "%s ", a1);
		used += (int)strlen(a1) + 1;
		shown++;
	}
	if (shown < n)
		sb_addf(sb, M "+%u more (%u new) " MEND, MR(UI_ROLE_DIM), n - shown, row->n_new);
	if (r->cname != 0 && n > 0)
		sb_addf(sb, M "via %s " MEND, MR(UI_ROLE_DIM), clean(store_name_str(st, r->cname), cb, sizeof cb));
	if (r->vantage != 0)   /* a feed's message: who saw it (resolver identity, type) */
		sb_addf(sb, M " seen by %s" MEND, MR(UI_ROLE_DIM),
		        clean(store_vantage(st, r->vantage, NULL), cb, sizeof cb));
	else
		sb_addf(sb, M " from %s" MEND, MR(UI_ROLE_DIM), addr_str(st, r->resolver, a1, sizeof a1));
	if (file != NULL)
		sb_addf(sb, M " %s" MEND, MR(UI_ROLE_DIM), clean(file, cb, sizeof cb));
	dlines_add(out, DL_RESP, row->first, UI_ROLE_DEFAULT, "%s", sb->b);
	out->l[out->n - 1].aux = r->frame;
	out->l[out->n - 1].aux2 = r->vantage != 0 ? 0xffff : r->src_index;
}

/* What the rows without addresses mean, once each. */
static void
timeline_empty_rows(const struct store_domain *d, const struct model_timeline *tl,
                    struct dlines *out)
{
	const char *said[8];
	int ns = 0;

	for (uint32_t ri = 0; ri < tl->n_rows; ri++) {
		const struct store_response *r = &d->resp[tl->rows[ri].first];
		const char *why;
		int k;
		if (r->aset != 0)
			continue;
		why = model_resp_empty_why(r);
		for (k = 0; k < ns && said[k] != why; k++)
			;
		if (k < ns || ns == 8)
			continue;
		said[ns++] = why;
	}
	if (ns > 0) {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
		dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "Rows without addresses");
		for (int k = 0; k < ns; k++)
			dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  %s", said[k]);
	}
}

static void
timeline(const struct detail_ctx *ctx, uint32_t dom, struct dlines *out)
{
	const struct store *st = ctx->store;
	const struct store_domain *d = store_domain(st, dom);
	const struct det_result *res = ctx->det != NULL ? det_for_domain(ctx->det, dom) : NULL;
	struct model_timeline tl;
	struct sbuf sb = { 0 };

	if (d == NULL)
		return;
	bool wd = span_days(ctx, d->first_seen, d->last_seen);
	int tw = wd ? 14 : 8;

	cname_tree(ctx, dom, wd, out);
	timeline_sparklines(ctx, dom, d, wd, &sb, out);
	model_timeline(st, dom, ctx->collapse, TIMELINE_MAX, &tl);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
	timeline_title(ctx, d, res, &tl, out);
	sb.n = 0;
	sb_addf(&sb, "%-*s %5s %-5s %-8s %7s %7s  %s", tw, "time (UTC)", "n", "qtype", "rcode", "TTL",
	        "frame", "answers, server, file");
	dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "%s", sb.b);
	for (uint32_t ri = 0; ri < tl.n_rows; ri++)
		timeline_row(ctx, d, &tl, &tl.rows[ri], wd, tw, &sb, out);
	if (tl.n_more > 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "(%u more responses not listed)", tl.n_more);
	timeline_empty_rows(d, &tl, out);
	model_timeline_free(&tl);
	free(sb.b);
}

/* ---- Spread ------------------------------------------------------------------------------- */

/* The tallies as bars (the model sorted them: most addresses first). */
static void
bars(const struct detail_ctx *ctx, struct dlines *out, const struct model_tally *a, size_t n,
     uint32_t total, bool by_asn)
{
	int barw = ctx->width - 60;
	char cb[256];
	if (barw > 40)
		barw = 40;
	if (barw < 4)
		barw = 4;
	for (size_t i = 0; i < n && i < 10; i++) {
		char bar[200] = "";
		int len = total ? (int)((double)a[i].n / a[0].n * barw + 0.5) : 0;
		for (int k = 0; k < len && k < 60; k++)
			strcat(bar, ctx->unicode ? "\xe2\x96\x88" : "#");
		if (by_asn) {
			char as[16];
			snprintf(as, sizeof as, a[i].asn ? "AS%u" : "unknown", a[i].asn);
			dlines_add(out, a[i].asn ? DL_ASN : DL_TEXT, a[i].asn, UI_ROLE_DEFAULT,
			           "  %-9s %-24.24s %5u %5.1f%% " M "%s" MEND, as,
			           a[i].asn ? clean(a[i].label, cb, sizeof cb) : "", a[i].n,
			           100.0 * a[i].n / total, MR(UI_ROLE_BAR), bar);
		} else
			dlines_add(out, a[i].country[0] ? DL_COUNTRY : DL_TEXT,
			           a[i].country[0] ? (uint32_t)((unsigned char)a[i].country[0] << 8 | (unsigned char)a[i].country[1]) : 0,
			           UI_ROLE_DEFAULT, "  %-9s %5u %5.1f%% " M "%s" MEND,
			           a[i].country[0] ? a[i].country : "unknown", a[i].n, 100.0 * a[i].n / total,
			           MR(UI_ROLE_BAR), bar);
	}
	if (n > 10)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  … and %zu more", n - 10);
}

static void
spread(const struct detail_ctx *ctx, uint32_t dom, struct dlines *out)
{
	struct model_spread sp;
	const struct geo_spread *sum = &sp.sum;
	char a1[FS_ADDR_STRLEN], t1[32], t2[32], cb[256], cb2[256];
	bool wd;

	model_spread(ctx->geo, ctx->store, dom, &sp);
	wd = span_days(ctx, sp.first_seen, sp.last_seen);
	if (!sp.enriched)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "No enrichment (--no-geoip): addresses only.");
	else {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
		           M "%u" MEND " addresses, " M "%u" MEND " ASNs, " M "%u" MEND " countries, %u cities, "
		           "%u networks",
		           MR(UI_ROLE_VALUE), sum->n_addrs, MR(UI_ROLE_VALUE), sum->n_asns, MR(UI_ROLE_VALUE),
		           sum->n_countries, sum->n_cities, sum->n_networks);
		if (sum->n_located >= 2)
			dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
			           "ASN entropy %.2f bits, country entropy %.2f bits, %.0f km between the farthest two",
			           sum->asn_entropy, sum->country_entropy, sum->max_km);
		else
			dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "ASN entropy %.2f bits, country entropy %.2f bits",
			           sum->asn_entropy, sum->country_entropy);
	}
	if (sp.enriched && sp.n_addrs > 0) {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
		dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "By ASN (Enter: every domain in that ASN)");
		bars(ctx, out, sp.by_asn, sp.n_by_asn, sp.n_addrs, true);
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
		dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "By country");
		bars(ctx, out, sp.by_country, sp.n_by_country, sp.n_addrs, false);
	}
	dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
	dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "Addresses (Enter: the domains using it)");
	/* the address column is as wide as the longest address (IPv4 only: 15) */
	int aw = 7;
	for (uint32_t i = 0; i < sp.n_addrs; i++) {
		int w = (int)strlen(fs_addr_str(&sp.addrs[i].addr, a1, sizeof a1));
		if (w > aw)
			aw = w;
	}
	/* organisation and city take what the terminal width leaves (at least 22 and 14 cells,
	 * at most their longest value), measured in display cells (UTF-8: accented city names
	 * stay aligned); a cut value ends in an ellipsis */
	int ow = 22, cw = 14, olong = 12, clong = 4;
	{
		int fixed = 2 + aw + 1 + 9 + 1 + 1 + 2 + 1 + 1 + 2 * ((wd ? 14 : 8) + 1) + 6 + 2;
		int spare = ctx->width - fixed - ow - cw;
		for (size_t i = 0; sp.enriched && i < sp.n_addrs; i++) {
			const struct geo_info *g = sp.addrs[i].info;
			int w1 = canvas_text_width(clean(g->as_org, cb, sizeof cb));
			int w2 = canvas_text_width(clean(g->city, cb2, sizeof cb2));
			if (w1 > olong)
				olong = w1;
			if (w2 > clong)
				clong = w2;
		}
		if (spare > 0 && olong > ow) {
			int add = olong - ow < spare ? olong - ow : spare;
			ow += add;
			spare -= add;
		}
		if (spare > 0 && clong > cw)
			cw += clong - cw < spare ? clong - cw : spare;
	}
	{
		struct sbuf hb = { 0 };
		sb_addf(&hb, "  %-*s %-9s ", aw, "address", "ASN");
		sb_col(&hb, "organisation", ow, false, ctx->unicode);
		sb_addf(&hb, " %-2s ", "cc");
		sb_col(&hb, "city", cw, false, ctx->unicode);
		sb_addf(&hb, " %-*s %-*s %6s", wd ? 14 : 8, "first", wd ? 14 : 8, "last", "count");
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "%s", hb.b);
		free(hb.b);
	}
	for (size_t i = 0; i < sp.n_addrs; i++) {
		const struct model_addr_row *r = &sp.addrs[i];
		const struct geo_info *g = r->info;
		char as[16];
		struct sbuf lb = { 0 };
		if (g == NULL) {
			dlines_add(out, DL_ADDR, r->id, UI_ROLE_DEFAULT, "  %-*s %-9s %-22s %-2s %-14s %s %s %6u",
			           aw, fs_addr_str(&r->addr, a1, sizeof a1), "-", "-", "-", "-",
			           app_fmt_time(r->first_seen, wd, t1, sizeof t1),
			           app_fmt_time(r->last_seen, wd, t2, sizeof t2), r->count);
			continue;
		}
		snprintf(as, sizeof as, g->asn ? "AS%u" : "-", g->asn);
		sb_addf(&lb, "  %-*s %-9s ", aw, fs_addr_str(&r->addr, a1, sizeof a1), as);
		sb_col(&lb, g->as_org[0] ? clean(g->as_org, cb, sizeof cb) : "-", ow, false, ctx->unicode);
		sb_addf(&lb, " %-2s ", g->country[0] ? g->country : "-");
		sb_col(&lb, g->city[0] ? clean(g->city, cb2, sizeof cb2) : "-", cw, false, ctx->unicode);
		sb_addf(&lb, " %s %s %6u", app_fmt_time(r->first_seen, wd, t1, sizeof t1),
		        app_fmt_time(r->last_seen, wd, t2, sizeof t2), r->count);
		dlines_add(out, DL_ADDR, r->id, UI_ROLE_DEFAULT, "%s", lb.b);
		free(lb.b);
	}
	if (sp.n_addrs == 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  (no addresses)");
	model_spread_free(&sp);
}

/* ---- Nameservers -------------------------------------------------------------------------- */

static void
nameservers(const struct detail_ctx *ctx, uint32_t dom, struct dlines *out)
{
	const struct store *st = ctx->store;
	struct model_nameservers ns;
	char t1[32], a1[FS_ADDR_STRLEN], cb[512];
	struct sbuf sb = { 0 };
	bool wd;

	model_nameservers(ctx->geo, st, dom, &ns);
	wd = span_days(ctx, ns.first_seen, ns.last_seen);
	if (ns.n_current > 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Delegated by " M "%s" MEND " to %u nameservers; "
		           M "%u" MEND " NS-set changes seen", MR(UI_ROLE_VALUE),
		           clean(store_name_str(st, ns.zone), cb, sizeof cb), ns.n_current,
		           MR(UI_ROLE_VALUE), ns.n_changes);
	else
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM,
		           "No NS records for this name or its zones in the capture (a client-side capture "
		           "sees them only when resolvers add an authority section).");
	if (ns.n_obs > 0) {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
		dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "NS sets over time%s (names new to the zone highlighted)",
		           ns.enclosing ? " of the enclosing zone" : "");
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  * the set changed  +name: new in this set  "
		           "-name: gone since the zone's previous set");
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  %-*s %-24s %7s  %s", wd ? 14 : 10, "time (UTC)", "zone",
		           "TTL", "nameservers");
	}
	for (uint32_t i = 0; i < ns.n_obs; i++) {
		const struct model_ns_obs *o = &ns.obs[i];
		sb.n = 0;
		/* "*" marks an observation that changed the zone's NS set */
		if (o->changed)
			sb_addf(&sb, M "*" MEND " ", MR(UI_ROLE_CHANGE));
		else
			sb_addf(&sb, "  ");
		sb_addf(&sb, "%-*s %-24.24s %7u  ", wd ? 14 : 10, app_fmt_time(o->ts, wd, t1, sizeof t1),
		        clean(store_name_str(st, o->zone), cb, sizeof cb), o->ttl);
		for (uint32_t j = 0; j < o->n_members; j++) {
			if (o->added[j])
				sb_addf(&sb, M "+%s" MEND " ", MR(UI_ROLE_CHANGE), clean(store_name_str(st, o->members[j]), cb, sizeof cb));
			else
				sb_addf(&sb, "%s ", clean(store_name_str(st, o->members[j]), cb, sizeof cb));
		}
		for (uint32_t j = 0; j < o->n_removed; j++)
			sb_addf(&sb, M "-%s" MEND " ", MR(UI_ROLE_DIM), clean(store_name_str(st, o->removed[j]), cb, sizeof cb));
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", sb.b);
	}
	if (ns.n_names > 0) {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
		dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "Nameservers with their addresses (Enter: the domains they serve)");
	}
	for (uint32_t i = 0; i < ns.n_names; i++) {
		const struct model_ns_name *nm = &ns.names[i];
		sb.n = 0;
		sb_addf(&sb, "  %-32s", clean(store_name_str(st, nm->name), cb, sizeof cb));
		if (nm->n_addrs == 0)
			sb_addf(&sb, M " no address seen" MEND, MR(UI_ROLE_DIM));
		else
			sb_addf(&sb, " %u address%s, serves %u domain%s", nm->n_addrs, nm->n_addrs == 1 ? "" : "es",
			        nm->n_domains, nm->n_domains == 1 ? "" : "s");
		dlines_add(out, DL_NS, nm->name, UI_ROLE_DEFAULT, "%s", sb.b);
		for (uint32_t j = 0; j < nm->n_addrs && j < 50; j++) {
			const struct model_ns_addr *g = &nm->addrs[j];
			const struct geo_info *gi = g->info;
			char as[96];
			if (gi != NULL && gi->asn)
				snprintf(as, sizeof as, "AS%u %.40s %s", gi->asn, clean(gi->as_org, cb, sizeof cb), gi->country);
			else
				snprintf(as, sizeof as, "%s", gi != NULL && gi->country[0] ? gi->country : "");
			fs_addr_str(&g->addr, a1, sizeof a1);
			dlines_add(out, DL_ADDR, g->id, UI_ROLE_DEFAULT, "      %-*s %-50s %s",
			           (int)strlen(a1) > 15 ? 39 : 15, a1, as,
			           app_fmt_time(g->last_seen, wd, t1, sizeof t1));
		}
		if (nm->n_addrs > 50)
			dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "      … %u more addresses", nm->n_addrs - 50);
	}
	model_nameservers_free(&ns);
	free(sb.b);
}

/* ---- Related ------------------------------------------------------------------------------ */

static void
related_line(const struct detail_ctx *ctx, const struct model_rel *r, uint32_t dom, struct dlines *out)
{
	const struct store *st = ctx->store;
	uint32_t ri = snap_find_dom(ctx->snap, dom);
	const struct snap_row *row = ri != UINT32_MAX ? &ctx->snap->dom.rows[ri] : NULL;
	const struct store_domain *od = store_domain(st, dom);
	struct sbuf sb = { 0 };
	char a1[FS_ADDR_STRLEN], cb[512], cb2[512];
	int nw = ctx->width - 28 > 36 ? 36 : 24;

	if (od == NULL)
		return;
	sb_addf(&sb, "  " M "%-11s" MEND " %6.1f ", MR(app_verdict_role(row != NULL ? row->verdict : 0)),
	        row != NULL ? det_verdict_name((enum det_verdict)row->verdict) : "-", row != NULL ? row->score : 0.0);
	sb_col(&sb, clean(store_name_str(st, od->name), cb, sizeof cb), nw, false, ctx->unicode);
	sb_addf(&sb, " ");
	if (r != NULL && r->n_addr > 0)
		sb_addf(&sb, "%u address%s (%s%s)", r->n_addr, r->n_addr == 1 ? "" : "es",
		        addr_str(st, r->first_addr, a1, sizeof a1), r->n_addr > 1 ? ", …" : "");
	if (r != NULL && r->n_ns > 0)
		sb_addf(&sb, "%s%u nameserver%s (%s%s)", r->n_addr ? "; " : "", r->n_ns,
		        r->n_ns == 1 ? "" : "s", clean(store_name_str(st, r->first_ns), cb2, sizeof cb2),
		        r->n_ns > 1 ? ", …" : "");
	if (r == NULL)
		sb_addf(&sb, M "linked through other members" MEND, MR(UI_ROLE_DIM));
	dlines_add(out, DL_DOMAIN, dom, UI_ROLE_DEFAULT, "%s", sb.b);
	free(sb.b);
}

static void
related(const struct detail_ctx *ctx, uint32_t dom, struct dlines *out)
{
	const struct store *st = ctx->store;
	const struct store_domain *d = store_domain(st, dom);
	struct model_related rel;
	char cb[512];
	uint32_t limit = ctx->expand & DLX_RELATED ? UINT32_MAX : RELATED_MAX, listed = 0;

	if (d == NULL)
		return;
	model_related(st, ctx->det, dom, &rel);
	clean(store_name_str(st, d->name), cb, sizeof cb);
	/* the cluster first: the figure Summary, Reasons and --report give */
	if (rel.cluster != 0) {
		dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL,
		           "Cluster " M "#%u" MEND ": " M "%u" MEND " domains, this one included, linked "
		           "by shared addresses or nameservers", MR(UI_ROLE_VALUE), rel.cluster,
		           MR(UI_ROLE_VALUE), rel.cluster_size);
		for (uint32_t i = 0; i < rel.n_members && listed < limit; i++) {
			const struct model_rel *r = NULL;
			if (rel.members[i] == dom)
				continue;
			for (uint32_t k = 0; k < rel.n_rel; k++)
				if (rel.rel[k].dom == rel.members[i]) {
					r = &rel.rel[k];
					break;
				}
			related_line(ctx, r, rel.members[i], out);
			listed++;
		}
	} else
		dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL, "Not in a cluster (no other high-scoring "
		           "domain shares enough addresses or nameservers with it)");
	dlines_add(out, DL_TEXT, 0, UI_ROLE_DEFAULT, "%s", "");
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
	           M "%u" MEND " other flagged domains shared addresses or fluxing nameservers with it "
	           "when it was scored (Reasons)", MR(UI_ROLE_VALUE), rel.n_shared_flagged);
	dlines_add(out, DL_TITLE, 0, UI_ROLE_LABEL,
	           M "%u" MEND " domains share at least one address or nameserver with %s (%u flagged "
	           "now)%s", MR(UI_ROLE_VALUE), rel.n_rel, cb, rel.n_rel_flagged,
	           rel.truncated ? " (widely shared items read in part)" : "");
	if (rel.n_rel > 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "  %-11s %6s %-*s %s", "verdict", "score",
		           ctx->width - 28 > 36 ? 36 : 24, "domain", "shared");
	listed = 0;
	for (uint32_t i = 0; i < rel.n_rel; i++) {
		if (rel.rel[i].in_cluster)
			continue;   /* listed above */
		if (listed == limit) {
			dlines_add(out, DL_MORE, DLX_RELATED, UI_ROLE_DIM, "  … and %u more (Enter: show all)",
			           rel.n_rel - i);
			break;
		}
		related_line(ctx, &rel.rel[i], rel.rel[i].dom, out);
		listed++;
	}
	model_related_free(&rel);
}

/* Wrap the text lines of a tab at word boundaries to width cells: continuation lines are
 * indented like the text after the line's label ("Verdict      ") or bullet ("  - "), and a
 * role change in force at the break is opened again. Lines that can be opened stay whole. */
static void
wrap_lines(struct dlines *d, int width, bool titles_only)
{
	struct dlines out = { 0 };

	if (width < 30)
		return;
	for (int i = 0; i < d->n; i++) {
		struct dline *l = &d->l[i];
		char *own, *t;
		int indent = 0;
		bool first = true;
		if ((l->kind != DL_TEXT && l->kind != DL_TITLE) || (titles_only && l->text[0] == ' ') ||
		    canvas_marked_width(l->text) <= width) {
			dlines_add(&out, l->kind, l->key, l->role, "%s", l->text);
			out.l[out.n - 1].aux = l->aux;
			out.l[out.n - 1].aux2 = l->aux2;
			continue;
		}
		if (strncmp(l->text, "  - ", 4) == 0)
			indent = 4;
		else if (strlen(l->text) > 13 && l->text[0] != ' ' && strncmp(l->text + 11, "  ", 2) == 0)
			indent = 13;
		own = xstrdup(l->text);
		t = own;
		for (;;) {
			/* walk cells; remember the last space that fits */
			int w = first ? 0 : indent, role = -1, brk_role = -1;
			const char *p = t, *brk = NULL;
			while (*p != '\0') {
				uint32_t cp;
				int k;
				if (*p == CANVAS_MARK) {
					role = p[1] == CANVAS_MARK ? -1 : (unsigned char)p[1] - 2;
					p += p[1] != '\0' ? 2 : 1;
					continue;
				}
				k = canvas_utf8_decode(p, strlen(p), &cp);
				w += canvas_cp_width(cp);
				if (w > width)
					break;
				if (*p == ' ' && p > t) {
					brk = p;
					brk_role = role;
				}
				p += k;
			}
			if (*p == '\0' || brk == NULL) {
				dlines_add(&out, first ? l->kind : DL_TEXT, 0, l->role, "%*s%s", first ? 0 : indent,
				           "", t);
				break;
			}
			dlines_add(&out, first ? l->kind : DL_TEXT, 0, l->role, "%*s%.*s%s", first ? 0 : indent,
			           "", (int)(brk - t), t, brk_role >= 0 ? MEND : "");
			first = false;
			{
				/* the rest, with the role in force at the break opened again */
				const char *rest = brk + 1;
				size_t rl = strlen(rest);
				char *next = xmalloc(rl + 3), *o = next;
				if (brk_role >= 0) {
					*o++ = CANVAS_MARK;
					*o++ = (char)(brk_role + 2);
				}
				memcpy(o, rest, rl + 1);
				free(own);
				own = t = next;
			}
		}
		free(own);
	}
	dlines_clear(d);
	*d = out;
}

void
detail_build(const struct detail_ctx *ctx, uint32_t dom, int tab, struct dlines *out)
{
	uint32_t ri = snap_find_dom(ctx->snap, dom);

	dlines_clear(out);
	if (ri == UINT32_MAX) {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "This domain is not in the current data.");
		return;
	}
	if (tab == DTAB_SUMMARY) {
		summary(ctx, dom, &ctx->snap->dom.rows[ri], out);
		wrap_lines(out, ctx->width - 2, false);
		return;
	}
	if (ctx->store == NULL || store_domain(ctx->store, dom) == NULL) {
		dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "No observations for this domain in the store.");
		return;
	}
	switch (tab) {
	case DTAB_TIMELINE: timeline(ctx, dom, out); break;
	case DTAB_SPREAD: spread(ctx, dom, out); break;
	case DTAB_NS: nameservers(ctx, dom, out); break;
	case DTAB_RELATED: related(ctx, dom, out); break;
	}
	wrap_lines(out, ctx->width - 2, tab != DTAB_RELATED);
}

/* ---- Pivots ------------------------------------------------------------------------------- */

/* The domains behind a line's item (model_pivot) and the label of the list. */
uint32_t
detail_pivot(const struct detail_ctx *ctx, int kind, uint32_t key, uint32_t **ids, char *label,
             size_t len)
{
	const struct store *st = ctx->store;
	struct model_pivot_key k = { 0 };
	const char *org = "";
	char a1[FS_ADDR_STRLEN], cb[256];
	uint32_t n;

	*ids = NULL;
	snprintf(label, len, "?");
	if (st == NULL)
		return 0;
	switch (kind) {
	case DL_ADDR: {
		const struct store_addr *a = store_addr(st, key);
		if (a == NULL)
			return 0;
		k.kind = MODEL_PIVOT_ADDR;
		k.addr = key;
		snprintf(label, len, "%s", fs_addr_str(&a->addr, a1, sizeof a1));
		break;
	}
	case DL_NS:
		k.kind = MODEL_PIVOT_NS;
		k.ns = key;
		snprintf(label, len, "NS %s", clean(store_name_str(st, key), cb, sizeof cb));
		break;
	case DL_ASN:
		if (ctx->geo == NULL)
			return 0;
		k.kind = MODEL_PIVOT_ASN;
		k.asn = key;
		break;
	case DL_COUNTRY:
		if (ctx->geo == NULL)
			return 0;
		k.kind = MODEL_PIVOT_COUNTRY;
		k.country[0] = (char)(key >> 8);
		k.country[1] = (char)(key & 0xff);
		snprintf(label, len, "country %s", k.country);
		break;
	default:
		return 0;
	}
	n = model_pivot(ctx->geo, st, &k, ids, &org);
	if (kind == DL_ASN)
		snprintf(label, len, "AS%u%s%.40s", key, org[0] ? " " : "", clean(org, cb, sizeof cb));
	return n;
}

uint32_t
detail_resp_pivot(const struct detail_ctx *ctx, uint32_t dom, uint32_t idx, uint32_t **ids,
                  char *label, size_t len)
{
	const struct store *st = ctx->store;
	const struct store_domain *d = st != NULL ? store_domain(st, dom) : NULL;
	uint32_t k = 0;
	char t1[32];

	*ids = NULL;
	snprintf(label, len, "?");
	if (d == NULL || idx >= d->n_resp)
		return 0;
	store_set_members(st, d->resp[idx].aset, &k);
	snprintf(label, len, "answer of %s (%u address%s)", app_fmt_time(d->resp[idx].ts, false, t1, sizeof t1),
	         k, k == 1 ? "" : "es");
	return model_resp_pivot(st, dom, idx, ids);
}

char *
dline_plain(const struct dline *l, char *buf, size_t len)
{
	size_t o = 0;
	for (const char *p = l->text; *p != '\0' && o + 1 < len; p++) {
		if (*p == CANVAS_MARK) {
			if (p[1] != '\0')
				p++;
			continue;
		}
		buf[o++] = *p;
	}
	while (o > 0 && buf[o - 1] == ' ')
		o--;
	buf[o] = '\0';
	return buf;
}
