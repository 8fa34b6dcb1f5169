/* Lines of the domain-detail tabs. */
#include "ui/detail.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/app.h"
#include "ui/canvas.h"

static const char *const tab_names[DTAB_COUNT] = {
	"Summary", "Timeline", "Spread", "Nameservers", "Related"
};

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
	d->l[d->n++] = (struct dline){ text, (uint8_t)kind, (uint16_t)role, key };
}

void
dlines_clear(struct dlines *d)
{
	for (int i = 0; i < d->n; i++)
		free(d->l[i].text);
	free(d->l);
	memset(d, 0, sizeof *d);
}

/* Marks for role changes inside a line. */
#define M "\x01%c"
#define MR(role) ((char)((role) + 2))
#define MEND "\x01\x01"

static void
summary_from_row(const struct detail_ctx *ctx, const struct snap_row *r, struct dlines *out)
{
	char t1[32], t2[32], ttl[16];
	bool with_date = ctx->snap->t_max - ctx->snap->t_min >= 86400 * FS_USEC;

	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Verdict     " M "%s" MEND,
	           MR(app_verdict_role(r->verdict)), snap_verdict_name(r->verdict));
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
	           "Score       " M "%.1f" MEND " / 100   Holz flux-score " M "%.2f" MEND "%s",
	           MR(UI_ROLE_VALUE), r->score, MR(UI_ROLE_VALUE), r->holz,
	           r->holz > 0 ? " (> 0: flux by Holz et al.)" : "");
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Seen        " M "%s" MEND " to " M "%s" MEND
	           "  (UTC), %u responses", MR(UI_ROLE_VALUE),
	           app_fmt_time(r->first_seen, with_date, t1, sizeof t1), MR(UI_ROLE_VALUE),
	           app_fmt_time(r->last_seen, with_date, t2, sizeof t2), r->n_responses);
	dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL,
	           "Spread      " M "%u" MEND " addresses, " M "%u" MEND " ASNs, " M "%u" MEND
	           " countries; min TTL " M "%s" MEND "; %u NS changes",
	           MR(UI_ROLE_VALUE), r->n_addrs, MR(UI_ROLE_VALUE), r->n_asns, MR(UI_ROLE_VALUE),
	           r->n_countries, MR(UI_ROLE_VALUE), app_fmt_ttl(r->ttl_min, ttl, sizeof ttl),
	           r->n_ns_changes);
	if (r->cluster != 0)
		dlines_add(out, DL_TEXT, 0, UI_ROLE_LABEL, "Cluster     " M "#%u" MEND,
		           MR(UI_ROLE_VALUE), r->cluster);
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
		summary_from_row(ctx, &ctx->snap->dom.rows[ri], out);
		return;
	}
	dlines_add(out, DL_TEXT, 0, UI_ROLE_DIM, "The %s tab reads the observation store, which this build does not have yet.",
	           detail_tab_name(tab));
}

uint32_t
detail_pivot(const struct detail_ctx *ctx, int kind, uint32_t key, uint32_t **ids, char *label,
             size_t len)
{
	(void)ctx; (void)kind; (void)key;
	*ids = NULL;
	snprintf(label, len, "?");
	return 0;
}
