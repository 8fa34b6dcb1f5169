/* :probe in the TUI: the probe runs on its own thread; the UI thread only polls its progress
 * (a mutex held for a copy) and never waits on the network. */
#include "ui/probe_ui.h"

#include <stdio.h>
#include <string.h>

#include "fluxscope/probe.h"
#include "fluxscope/store.h"
#include "ui/app.h"

/* The name under the cursor: a list row's name (a registrable-domain group row names the
 * group), else the domain the view shows. */
static bool
current_name(struct app *a, char *buf, size_t len)
{
	struct view *v = app_top(a);
	uint32_t dom;

	if (v == NULL)
		return false;
	if (v->ops->list != NULL) {
		struct dlist *l = v->ops->list(v);
		const struct snap_row *r = l != NULL ? dlist_current(l) : NULL;
		if (r != NULL && r->name != NULL && l->grouped) {
			snprintf(buf, len, "%s", r->name);
			return true;
		}
	}
	dom = v->ops->current_dom != NULL ? v->ops->current_dom(v) : 0;
	if (dom == 0 || a->cfg.store == NULL || !app_store_read(a))
		return false;
	const struct store_domain *d = store_domain(a->cfg.store, dom);
	if (d != NULL)
		snprintf(buf, len, "%s", store_name_str(a->cfg.store, d->name));
	app_store_done(a);
	return d != NULL && buf[0] != '\0';
}

int
app_probe(struct app *a, const char *name)
{
	char nb[1100] = "";
	struct fs_err err = { 0 };
	struct probe_config pc;

	if (a->cfg.probe == NULL)
		return app_message(a, true, "probing is turned off (--no-probe)");
	if (a->cfg.store == NULL)
		return app_message(a, true, "no store to probe into");
	if (a->probe != NULL && !probe_done(a->probe))
		return app_message(a, true, "a probe is running (:probe stop ends it)");
	if (name == NULL) {
		if (!current_name(a, nb, sizeof nb))
			return app_message(a, true, "no domain under the cursor to probe (or :probe NAME)");
		name = nb;
	}
	if (a->probe != NULL) {
		probe_free(a->probe);
		a->probe = NULL;
	}
	pc = *a->cfg.probe;
	pc.name = name;
	if (probe_new(&pc, a->cfg.store, &a->probe, &err) != FS_OK ||
	    probe_start(a->probe, &err) != FS_OK) {
		probe_free(a->probe);
		a->probe = NULL;
		return app_message(a, true, "%s", err.msg);
	}
	a->probe_announced = false;
	return app_message(a, false, "probing %s: queries go to its resolver and nameservers "
	                   "(:probe stop ends it)", name);
}

int
app_probe_stop(struct app *a)
{
	if (a->probe == NULL || probe_done(a->probe))
		return app_message(a, true, "no probe is running");
	probe_stop(a->probe);
	return app_message(a, false, "stopping the probe (after the query in flight)");
}

int
app_probe_tick(struct app *a)
{
	struct probe_progress pg;

	if (a->probe == NULL || a->probe_announced || !probe_done(a->probe))
		return a->probe != NULL && !a->probe_announced ? UI_REDRAW : UI_OK;
	a->probe_announced = true;
	probe_progress(a->probe, &pg);
	const struct fs_err *e = probe_error(a->probe);
	if (e->status != FS_OK)
		return app_message(a, true, "%s", e->msg);
	/* what the servers did, in one line: the ones that did not answer by name */
	char tail[320] = "";
	size_t n = probe_n_servers(a->probe), bad = 0;
	for (size_t i = 0; i < n; i++) {
		const struct probe_server *s = probe_server(a->probe, i);
		if (s->state == PROBE_SRV_OK || s->state == PROBE_SRV_PENDING)
			continue;
		char ab[FS_ADDR_STRLEN];
		size_t l = strlen(tail);
		if (l < sizeof tail - 1)
			snprintf(tail + l, sizeof tail - l, "%s %s %s", bad ? "," : ";",
			         fs_addr_str(&s->addr, ab, sizeof ab), probe_state_name(s->state));
		bad++;
	}
	return app_message(a, false, "%s%s", pg.status, tail);
}

bool
app_probe_status(const struct app *a, char *buf, size_t len)
{
	struct probe_progress pg;

	if (a->probe == NULL || probe_done(a->probe))
		return false;
	probe_progress(a->probe, &pg);
	snprintf(buf, len, "%s", pg.status);
	return true;
}

void
app_probe_fini(struct app *a)
{
	if (a->probe != NULL)
		probe_free(a->probe);   /* stops and joins */
	a->probe = NULL;
}
