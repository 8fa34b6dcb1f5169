/* Home views of the other objects (`:view clusters|addresses|asns|nameservers`): every cluster
 * with its members, shared agents and nameservers; every answer address, every ASN and every
 * nameserver with the domains using it. Each line is a starting point: Enter on a cluster
 * lists its members, on a domain opens its detail, on an address, ASN or nameserver lists the
 * domains using it (the detail's pivots, detail_pivot). Built once when opened and again when a
 * new snapshot arrives, under the store read lock. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fluxscope/detect.h"
#include "fluxscope/enrich.h"
#include "fluxscope/model.h"
#include "fluxscope/store.h"
#include "ui/app.h"
#include "ui/detail.h"

enum { OV_CLUSTERS, OV_ADDRS, OV_ASNS, OV_NS, OV_COUNT };
static const char *const ov_names[OV_COUNT] = { "clusters", "addresses", "asns", "nameservers" };

enum { OL_TITLE = 100, OL_CLUSTER };  /* line kinds beside detail.h's DL_ADDR, DL_ASN, … */

struct oline {
	char *text;
	int kind;                  /* DL_ADDR, DL_ASN, DL_NS, DL_DOMAIN, OL_CLUSTER, OL_TITLE */
	uint32_t key;
	uint32_t n;                /* OL_CLUSTER: members (the list's cluster size) */
	enum ui_role role;
};

struct view_objects {
	struct view v;
	int what;
	struct oline *l;
	uint32_t n, cap;
	int64_t cursor, top;
	const struct snap *built;
	char info[128];
};

static void
add(struct view_objects *o, int kind, uint32_t key, enum ui_role role, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void
add(struct view_objects *o, int kind, uint32_t key, enum ui_role role, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->l = xreallocarray(o->l, o->cap, sizeof *o->l);
	}
	o->l[o->n++] = (struct oline){ xstrdup(buf), kind, key, 0, role };
}

static void
clear(struct view_objects *o)
{
	for (uint32_t i = 0; i < o->n; i++)
		free(o->l[i].text);
	o->n = 0;
}

static enum ui_role
vrole(enum det_verdict v)
{
	/* flagged verdicts in their colour, the others plain */
	return det_is_flagged(v) ? app_verdict_role((int)v) : UI_ROLE_DEFAULT;
}

/* Every cluster (model_clusters): members (in rank order), then the addresses and
 * nameservers two or more members share. The member count is the clustersize field of each
 * member. */
static void
build_clusters(struct view_objects *o, struct app *a, const struct store *st,
               const struct detector *det)
{
	struct model_cluster *c;
	size_t nc = model_clusters(st, det, &c);
	char ab[FS_ADDR_STRLEN];

	for (size_t j = 0; j < nc; j++) {
		const struct model_cluster *x = &c[j];
		size_t idx = o->n;
		add(o, OL_CLUSTER, x->id, UI_ROLE_TITLE, "Cluster #%u: %u domains (%u flagged), %u shared "
		    "addresses, %u shared nameservers", x->id, x->n_members, x->n_flagged, x->n_addrs, x->n_ns);
		o->l[idx].n = x->n_members;
		for (uint32_t i = 0; i < x->n_members; i++) {
			const struct det_result *r = x->members[i];
			add(o, DL_DOMAIN, r->dom, vrole(r->verdict), "    %-11s %6.1f  %s",
			    det_verdict_name(r->verdict), r->logit, r->name ? r->name : "?");
		}
		for (uint32_t k = 0; k < x->n_addrs; k++) {
			const struct store_addr *sa = store_addr(st, x->addrs[k].key);
			if (sa == NULL)
				continue;
			const struct geo_info *g = a->cfg.geo ? geo_lookup(a->cfg.geo, &sa->addr) : NULL;
			char asn[16] = "";
			if (g != NULL && g->asn)
				snprintf(asn, sizeof asn, "AS%u", g->asn);
			add(o, DL_ADDR, x->addrs[k].key, UI_ROLE_DEFAULT, "    agent %-39s %u members  %s %s",
			    fs_addr_str(&sa->addr, ab, sizeof ab), x->addrs[k].n, asn, g && g->as_org ? g->as_org : "");
		}
		for (uint32_t k = 0; k < x->n_ns; k++)
			add(o, DL_NS, x->ns[k].key, UI_ROLE_DEFAULT, "    NS    %-39s %u members",
			    store_name_str(st, x->ns[k].key), x->ns[k].n);
	}
	snprintf(o->info, sizeof o->info, "%zu clusters", nc);
	if (nc == 0)
		add(o, OL_TITLE, 0, UI_ROLE_DIM, "no clusters: no two flagged domains share addresses or "
		    "nameservers");
	model_clusters_free(c, nc);
}

static void
build_addrs(struct view_objects *o, struct app *a, const struct store *st, const struct detector *det)
{
	struct model_addr_obj *v;
	size_t m = model_addr_objs(st, det, &v);
	char ab[FS_ADDR_STRLEN];

	add(o, OL_TITLE, 0, UI_ROLE_HEADER, "%-39s %7s %7s  %-8s %-3s %s", "address", "domains",
	    "flagged", "ASN", "cc", "AS organisation");
	for (size_t i = 0; i < m; i++) {
		const struct store_addr *sa = store_addr(st, v[i].id);
		const struct geo_info *g = a->cfg.geo ? geo_lookup(a->cfg.geo, &sa->addr) : NULL;
		char asn[16] = "-";
		if (g != NULL && g->asn)
			snprintf(asn, sizeof asn, "AS%u", g->asn);
		add(o, DL_ADDR, v[i].id, v[i].n_flagged ? UI_ROLE_V_SUSPICIOUS : UI_ROLE_DEFAULT,
		    "%-39s %7u %7u  %-8s %-3s %s", fs_addr_str(&sa->addr, ab, sizeof ab), v[i].n_domains,
		    v[i].n_flagged, asn, g && g->country[0] ? g->country : "-", g && g->as_org ? g->as_org : "");
	}
	snprintf(o->info, sizeof o->info, "%zu addresses", m);
	free(v);
}

/* ASNs: distinct domains and flagged domains per ASN (each domain once per ASN). */
static void
build_asns(struct view_objects *o, struct app *a, const struct store *st, const struct detector *det)
{
	struct model_asn_obj *v;
	size_t nr;

	if (a->cfg.geo == NULL) {
		add(o, OL_TITLE, 0, UI_ROLE_DIM, "no ASN data: no GeoIP/libloc database is loaded");
		snprintf(o->info, sizeof o->info, "no ASN data");
		return;
	}
	nr = model_asn_objs(a->cfg.geo, st, det, &v);
	add(o, OL_TITLE, 0, UI_ROLE_HEADER, "%-10s %9s %7s %7s  %s", "ASN", "addresses", "domains",
	    "flagged", "AS organisation");
	for (size_t i = 0; i < nr; i++) {
		const struct model_asn_obj *r = &v[i];
		char asn[16];
		snprintf(asn, sizeof asn, "AS%u", r->asn);
		add(o, DL_ASN, r->asn, r->n_flagged ? UI_ROLE_V_SUSPICIOUS : UI_ROLE_DEFAULT,
		    "%-10s %9u %7u %7u  %s", asn, r->n_addrs, r->n_domains, r->n_flagged, r->org ? r->org : "");
	}
	snprintf(o->info, sizeof o->info, "%zu ASNs", nr);
	free(v);
}

static void
build_ns(struct view_objects *o, const struct store *st, const struct detector *det)
{
	struct model_ns_obj *v;
	size_t m = model_ns_objs(st, det, &v);

	add(o, OL_TITLE, 0, UI_ROLE_HEADER, "%-40s %5s %7s %7s %9s", "nameserver", "zones", "domains",
	    "flagged", "addresses");
	for (size_t i = 0; i < m; i++)
		add(o, DL_NS, v[i].name, v[i].n_flagged ? UI_ROLE_V_SUSPICIOUS : UI_ROLE_DEFAULT,
		    "%-40s %5u %7u %7u %9u", store_name_str(st, v[i].name), v[i].n_zones, v[i].n_domains,
		    v[i].n_flagged, v[i].n_addrs);
	snprintf(o->info, sizeof o->info, "%zu nameservers", m);
	free(v);
}

static void
build(struct app *a, struct view_objects *o)
{
	const struct store *st = a->cfg.store;
	const struct detector *det = a->snap != NULL ? a->snap->det : NULL;

	o->built = a->snap;
	clear(o);
	if (st == NULL || det == NULL) {
		add(o, OL_TITLE, 0, UI_ROLE_DIM, "nothing scored yet");
		return;
	}
	if (!app_store_read(a)) {
		o->built = NULL;          /* again at the next draw */
		add(o, OL_TITLE, 0, UI_ROLE_DIM, "Updating: the store is busy…");
		return;
	}
	if (a->snap->epoch != store_epoch(st))
		add(o, OL_TITLE, 0, UI_ROLE_DIM, "updating after an ageing run…");
	else if (o->what == OV_CLUSTERS)
		build_clusters(o, a, st, det);
	else if (o->what == OV_ADDRS)
		build_addrs(o, a, st, det);
	else if (o->what == OV_ASNS)
		build_asns(o, a, st, det);
	else
		build_ns(o, st, det);
	app_store_done(a);
	if (o->cursor >= o->n)
		o->cursor = o->n ? o->n - 1 : 0;
	while (o->cursor + 1 < o->n && o->l[o->cursor].kind == OL_TITLE)
		o->cursor++;
}

static void
vo_draw(struct app *a, struct view *v, struct ui_canvas *c, int y0, int h)
{
	struct view_objects *o = (struct view_objects *)v;

	if (o->built != a->snap)
		build(a, o);
	v->last_h = h;
	if (o->cursor < o->top)
		o->top = o->cursor;
	if (o->cursor >= o->top + h)
		o->top = o->cursor - h + 1;
	for (int y = 0; y < h && o->top + y < o->n; y++) {
		const struct oline *l = &o->l[o->top + y];
		bool cur = o->top + y == o->cursor;
		if (cur)
			canvas_fill(c, 0, y0 + y, c->w, 1, ' ', UI_ROLE_CURSOR);
		canvas_put_ellip(c, 1, y0 + y, c->w - 2, cur ? UI_ROLE_CURSOR : l->role, l->text);
	}
}

static int
vo_move(struct app *a, struct view *v, int how, int64_t n)
{
	struct view_objects *o = (struct view_objects *)v;
	int64_t page = v->last_h > 1 ? v->last_h - 1 : 1, c = o->cursor;
	(void)a;
	switch (how) {
	case MOVE_UP: c -= n; break;
	case MOVE_DOWN: case MOVE_WHEEL: c += n; break;
	case MOVE_PGUP: c -= page * n; break;
	case MOVE_PGDN: c += page * n; break;
	case MOVE_HALFUP: c -= page / 2 * n; break;
	case MOVE_HALFDOWN: c += page / 2 * n; break;
	case MOVE_TOP: c = 0; break;
	case MOVE_BOTTOM: c = (int64_t)o->n - 1; break;
	}
	if (c < 0)
		c = 0;
	if (c >= (int64_t)o->n)
		c = (int64_t)o->n - 1;
	if (c < 0)
		c = 0;
	o->cursor = c;
	return UI_REDRAW;
}

static int
vo_open(struct app *a, struct view *v)
{
	struct view_objects *o = (struct view_objects *)v;
	const struct oline *l;
	struct detail_ctx ctx;
	uint32_t *ids = NULL, n;
	char label[128];

	if (o->cursor < 0 || o->cursor >= o->n || (l = &o->l[o->cursor])->kind == OL_TITLE)
		return UI_OK;
	if (l->kind == DL_DOMAIN) {
		struct view *nv = view_detail_new(a, l->key);
		return nv != NULL ? app_push(a, nv) : UI_REDRAW;
	}
	if (l->kind == OL_CLUSTER) {
		const struct detector *det = a->snap->det;
		uint32_t cap = l->n ? l->n : 1;
		ids = xreallocarray(NULL, cap, sizeof *ids);
		n = 0;
		struct det_result buf;
		for (size_t i = 0; det != NULL && i < det_count(det) && n < cap; i++)
			if (det_view(det, i, &buf)->cluster == l->key)
				ids[n++] = det_view(det, i, &buf)->dom;
		snprintf(label, sizeof label, "cluster #%u", l->key);
		app_push(a, view_list_new(a, LIST_CLUSTER, label, ids, n));
		free(ids);
		return app_message(a, false, "%u domain%s in cluster #%u", n, n == 1 ? "" : "s", l->key);
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.store = a->cfg.store;
	ctx.geo = a->cfg.geo;
	ctx.det = a->snap->det;
	ctx.snap = a->snap;
	ctx.notes = a->notes;
	if (ctx.store == NULL || !app_store_read(a))
		return app_message(a, false, "the data is updating: Enter again in a moment");
	n = detail_pivot(&ctx, l->kind, l->key, &ids, label, sizeof label);
	app_store_done(a);
	app_push(a, view_list_new(a, l->kind == DL_ASN ? LIST_ASN : l->kind == DL_NS ? LIST_NS : LIST_ADDR,
	                          label, ids, n));
	free(ids);
	return app_message(a, false, "%u domain%s use %s", n, n == 1 ? "" : "s", label);
}

static int64_t
vo_find(struct view *v, const char *text, uint64_t from, bool forward)
{
	struct view_objects *o = (struct view_objects *)v;
	if (o->n == 0 || text[0] == '\0')
		return o->n ? (int64_t)from : -1;
	if (from >= o->n)
		from = forward ? 0 : o->n - 1;
	for (uint32_t k = 0; k < o->n; k++) {
		uint32_t i = forward ? (uint32_t)((from + k) % o->n) : (uint32_t)((from + o->n - k) % o->n);
		if (o->l[i].kind != OL_TITLE && strcasestr(o->l[i].text, text) != NULL)
			return i;
	}
	return -1;
}

static uint64_t vo_cur(const struct view *v) { return (uint64_t)((const struct view_objects *)v)->cursor; }
static void vo_goto(struct view *v, uint64_t i)
{
	struct view_objects *o = (struct view_objects *)v;
	if (i < o->n)
		o->cursor = (int64_t)i;
}
static uint64_t vo_save(const struct view *v)
{
	const struct view_objects *o = (const struct view_objects *)v;
	return (uint64_t)o->top << 32 | (uint32_t)o->cursor;
}
static void vo_restore(struct view *v, uint64_t p)
{
	struct view_objects *o = (struct view_objects *)v;
	o->top = (int64_t)(p >> 32);
	o->cursor = (int64_t)(uint32_t)p;
}

static void
vo_crumb(const struct view *v, char *buf, size_t len)
{
	snprintf(buf, len, "%s", ov_names[((const struct view_objects *)v)->what]);
}

static void
vo_info(const struct app *a, const struct view *v, char *buf, size_t len)
{
	const struct view_objects *o = (const struct view_objects *)v;
	(void)a;
	snprintf(buf, len, "%s  %lld/%u", o->info, (long long)o->cursor + (o->n ? 1 : 0), o->n);
}

static uint32_t
vo_current_dom(const struct view *v)
{
	const struct view_objects *o = (const struct view_objects *)v;
	return o->cursor < o->n && o->l[o->cursor].kind == DL_DOMAIN ? o->l[o->cursor].key : 0;
}

static void
vo_set_snap(struct app *a, struct view *v)
{
	(void)a;
	((struct view_objects *)v)->built = NULL;
}

static void
vo_free(struct view *v)
{
	struct view_objects *o = (struct view_objects *)v;
	clear(o);
	free(o->l);
	free(o);
}

static const struct view_ops objects_ops = {
	.name = "objects",
	.free = vo_free,
	.draw = vo_draw,
	.set_snap = vo_set_snap,
	.crumb = vo_crumb,
	.info = vo_info,
	.move = vo_move,
	.open = vo_open,
	.current_dom = vo_current_dom,
	.find = vo_find,
	.cur_item = vo_cur,
	.goto_item = vo_goto,
	.save_pos = vo_save,
	.restore_pos = vo_restore,
};

const char *
view_objects_names(void)
{
	return "clusters, addresses, asns, nameservers";
}

struct view *
view_objects_new(struct app *a, const char *what)
{
	struct view_objects *o;
	int w = -1;

	for (int i = 0; i < OV_COUNT; i++)
		if (strcasecmp(what, ov_names[i]) == 0 ||
		    (strlen(what) >= 2 && strncasecmp(what, ov_names[i], strlen(what)) == 0))
			w = i;
	if (strcasecmp(what, "ns") == 0)
		w = OV_NS;
	if (w < 0)
		return NULL;
	o = xcalloc(1, sizeof *o);
	o->v.ops = &objects_ops;
	o->what = w;
	build(a, o);
	return &o->v;
}
