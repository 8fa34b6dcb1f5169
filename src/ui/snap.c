/* Snapshot rows, their cached column orders (radix sort) and registrable-domain groups. */
#include "ui/snap.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fluxscope/model.h"
#include "util/hidx.h"

static struct snap_col_info col_info[SNAP_COL_MAX];
static int n_cols;
static pthread_once_t cols_once = PTHREAD_ONCE_INIT;

static void
cols_init(void)
{
	size_t n = model_field_count();
	if (n > SNAP_COL_MAX)
		n = SNAP_COL_MAX;
	for (size_t i = 0; i < n; i++) {
		const struct model_field *f = model_field(i);
		col_info[i] = (struct snap_col_info){ f->key, f->title, f->width, f->right, f->prio };
	}
	n_cols = (int)n;
}

int
snap_col_count(void)
{
	pthread_once(&cols_once, cols_init);
	return n_cols;
}

const struct snap_col_info *
snap_col_info(int c)
{
	return c >= 0 && c < snap_col_count() ? &col_info[c] : NULL;
}

int
snap_col_find(const char *name)
{
	const struct model_field *f = model_field_find(name, strlen(name));
	int i = model_field_index(f);
	return i >= 0 && i < snap_col_count() ? i : -1;
}

/* mr->r may point into *buf (det_view: a cell of every row keeps nothing). */
static bool
row_model(const struct snap_table *t, const struct snap_row *r, struct model_row *mr,
          struct det_result *buf)
{
	const struct det_result *d = t->det != NULL ? det_view_domain(t->det, r->id, buf) : NULL;
	if (d == NULL)
		return false;
	model_row_init(mr, d, NULL);
	return true;
}

char *
snap_cell_text(const struct snap_table *t, const struct snap_row *r, int col, char *buf,
               size_t len)
{
	struct model_row mr;
	struct det_result res;

	if (len > 0)
		buf[0] = '\0';
	if (col >= 0 && col < snap_col_count() && row_model(t, r, &mr, &res))
		model_format(model_field((size_t)col), &mr, buf, len);
	return buf;
}

struct snap *
snap_new(uint32_t n)
{
	struct snap *s = xcalloc(1, sizeof *s);
	s->dom.rows = xcalloc(n ? n : 1, sizeof *s->dom.rows);
	s->dom.n = n;
	for (uint32_t i = 0; i < n; i++)
		s->dom.rows[i].group = UINT32_MAX;
	return s;
}

static void
table_fini(struct snap_table *t)
{
	for (int c = 0; c < SNAP_COL_MAX; c++)
		for (int d = 0; d < 2; d++)
			free(t->perm[c][d]);
	for (int c = 0; c < SNAP_COL_COUNT; c++)
		free(t->key[c]);
	free(t->visible);
	free(t->flagged);
	free(t->rows);
	memset(t, 0, sizeof *t);
}

void
snap_free(struct snap *s)
{
	if (s == NULL)
		return;
	table_fini(&s->dom);
	table_fini(&s->grp);
	free(s->grp_members);
	free(s->pool);
	free(s->npool);
	free(s);
}

/* LSD radix sort, 8 bits a pass; passes whose byte is the same in every key are skipped, so
 * small values (counts, ranks below 2^24) cost three to five passes. */
void
snap_radix_sort(uint64_t *keys, uint32_t *idx, size_t n)
{
	uint64_t *k2;
	uint32_t *i2;
	size_t count[8][256];
	uint64_t *ka = keys, *kb;
	uint32_t *ia = idx, *ib;

	if (n < 2)
		return;
	memset(count, 0, sizeof count);
	for (size_t i = 0; i < n; i++) {
		uint64_t k = keys[i];
		for (int b = 0; b < 8; b++)
			count[b][(k >> (8 * b)) & 0xff]++;
	}
	k2 = xreallocarray(NULL, n, sizeof *k2);
	i2 = xreallocarray(NULL, n, sizeof *i2);
	kb = k2;
	ib = i2;
	for (int b = 0; b < 8; b++) {
		size_t pos[256], sum = 0;
		bool trivial = false;
		for (int v = 0; v < 256; v++) {
			if (count[b][v] == n)
				trivial = true;
			pos[v] = sum;
			sum += count[b][v];
		}
		if (trivial)
			continue;
		for (size_t i = 0; i < n; i++) {
			size_t p = pos[(ka[i] >> (8 * b)) & 0xff]++;
			kb[p] = ka[i];
			ib[p] = ia[i];
		}
		uint64_t *kt = ka; ka = kb; kb = kt;
		uint32_t *it = ia; ia = ib; ib = it;
	}
	if (ka != keys) {
		memcpy(keys, ka, n * sizeof *keys);
		memcpy(idx, ia, n * sizeof *idx);
	}
	free(k2);
	free(i2);
}

/* The same on packed items: a 32-bit key in the high half, the row in the low half; only the
 * key's bytes are sorted (LSD, stable), so equal keys keep their input order. Half the memory
 * traffic of separate key and index arrays. */
void
snap_radix_sort_packed(uint64_t *kv, size_t n)
{
	size_t count[4][256];
	uint64_t *a = kv, *b, *tmp;

	if (n < 2)
		return;
	memset(count, 0, sizeof count);
	for (size_t i = 0; i < n; i++) {
		uint32_t k = (uint32_t)(kv[i] >> 32);
		count[0][k & 0xff]++;
		count[1][(k >> 8) & 0xff]++;
		count[2][(k >> 16) & 0xff]++;
		count[3][k >> 24]++;
	}
	tmp = xreallocarray(NULL, n, sizeof *tmp);
	b = tmp;
	for (int p = 0; p < 4; p++) {
		size_t pos[256], sum = 0;
		bool trivial = false;
		int shift = 32 + 8 * p;
		for (int v = 0; v < 256; v++) {
			if (count[p][v] == n)
				trivial = true;
			pos[v] = sum;
			sum += count[p][v];
		}
		if (trivial)
			continue;
		for (size_t i = 0; i < n; i++)
			b[pos[(a[i] >> shift) & 0xff]++] = a[i];
		uint64_t *t = a; a = b; b = t;
	}
	if (a != kv)
		memcpy(kv, a, n * sizeof *kv);
	free(tmp);
}

/* Multikey quicksort (Bentley & Sedgewick) of row indices by name: a million domain names
 * sharing long prefixes ("www.") sort in a fraction of what qsort(strcmp) takes. */
static inline int
ch_at(const char *const *names, uint32_t i, size_t d)
{
	return (unsigned char)names[i][d];
}

static void
mkqsort(const char *const *names, uint32_t *a, size_t n, size_t d)
{
	while (n > 1) {
		if (n < 12) {
			/* insertion sort on the suffixes */
			for (size_t i = 1; i < n; i++)
				for (size_t j = i; j > 0 && strcmp(names[a[j - 1]] + d, names[a[j]] + d) > 0; j--) {
					uint32_t t = a[j]; a[j] = a[j - 1]; a[j - 1] = t;
				}
			return;
		}
		int pv = ch_at(names, a[n / 2], d);
		size_t lt = 0, gt = n, i = 0;
		while (i < gt) {
			int c = ch_at(names, a[i], d);
			if (c < pv) {
				uint32_t t = a[lt]; a[lt] = a[i]; a[i] = t;
				lt++; i++;
			} else if (c > pv) {
				gt--;
				uint32_t t = a[gt]; a[gt] = a[i]; a[i] = t;
			} else
				i++;
		}
		mkqsort(names, a, lt, d);
		mkqsort(names, a + gt, n - gt, d);
		if (pv == 0)
			return;
		/* tail-iterate on the equal part, one character deeper */
		a += lt;
		n = gt - lt;
		d++;
	}
}

static void
rank_names(struct snap_table *t)
{
	const char **names;
	uint32_t *ord;

	if (t->n == 0)
		return;
	names = xreallocarray(NULL, t->n, sizeof *names);
	ord = xreallocarray(NULL, t->n, sizeof *ord);
	for (uint32_t i = 0; i < t->n; i++) {
		names[i] = t->rows[i].name != NULL ? t->rows[i].name : "";
		ord[i] = i;
	}
	mkqsort(names, ord, t->n, 0);
	for (uint32_t r = 0; r < t->n; r++)
		t->rows[ord[r]].name_rank = r;
	free(names);
	/* the alphabetical order is the domain column's ascending order */
	free(t->perm[SNAP_COL_DOMAIN][0]);
	t->perm[SNAP_COL_DOMAIN][0] = ord;
}

/* Groups: a hash index (util/hidx.h) from registrable name to group index. */
static uint32_t
hash_str(const char *s)
{
	return (uint32_t)fs_hash_bytes(s, strlen(s));
}

static void
build_groups(struct snap *s, const char *const *reg)
{
	uint32_t n = s->dom.n, ng = 0;
	uint32_t *first, *next, *count;
	size_t poolcap = 0;
	const char **gname;
	struct fs_hidx index = { 0 };
	first = xreallocarray(NULL, n ? n : 1, sizeof *first);
	count = xcalloc(n ? n : 1, sizeof *count);
	next = xreallocarray(NULL, n ? n : 1, sizeof *next);
	gname = xreallocarray(NULL, n ? n : 1, sizeof *gname);
	/* Rows without a registrable domain (bare TLDs, IP literals) form a group of their own name. */
	for (uint32_t i = 0; i < n; i++) {
		const char *r = reg != NULL && reg[i] != NULL && reg[i][0] != '\0' ? reg[i]
		                                                                  : s->dom.rows[i].name;
		uint32_t h, g = UINT32_MAX;
		if (s->dom.rows[i].flags & SNAP_HIDDEN) {
			s->dom.rows[i].group = UINT32_MAX;
			continue;
		}
		if (r == NULL)
			r = "";
		h = hash_str(r);
		for (uint32_t j = fs_hidx_first(&index, h); j != FS_HIDX_END; j = fs_hidx_next(&index, h, j))
			if (strcmp(gname[fs_hidx_item(&index, j)], r) == 0) {
				g = fs_hidx_item(&index, j);
				break;
			}
		if (g == UINT32_MAX) {
			g = ng++;
			fs_hidx_add(&index, h, g);
			gname[g] = r;
			first[g] = UINT32_MAX;
			poolcap += strlen(r) + 1;
		}
		s->dom.rows[i].group = g;
		next[i] = first[g];
		first[g] = i;
		count[g]++;
	}
	s->pool = xmalloc(poolcap ? poolcap : 1);
	s->pool_len = 0;
	s->grp.rows = xcalloc(ng ? ng : 1, sizeof *s->grp.rows);
	s->grp.n = ng;
	s->grp_members = xreallocarray(NULL, n ? n : 1, sizeof *s->grp_members);
	uint32_t slot = 0;
	for (uint32_t g = 0; g < ng; g++) {
		struct snap_row *gr = &s->grp.rows[g];
		size_t len = strlen(gname[g]) + 1;
		memcpy(s->pool + s->pool_len, gname[g], len);
		gr->name = s->pool + s->pool_len;
		s->pool_len += len;
		gr->id = g + 1;
		gr->group = slot;
		gr->n_members = count[g];
		gr->ttl_min = UINT32_MAX;
		/* members in row order: the chain was built backwards */
		uint32_t k = slot + count[g];
		for (uint32_t i = first[g]; i != UINT32_MAX; i = next[i])
			s->grp_members[--k] = i;
		bool firstm = true;
		for (uint32_t m = slot; m < slot + count[g]; m++) {
			const struct snap_row *r = &s->dom.rows[s->grp_members[m]];
			if (firstm || r->score > gr->score || (r->score == gr->score && r->logit > gr->logit)) {
				gr->score = r->score;
				gr->logit = r->logit;
				gr->holz = r->holz;
			}
			if (r->rank != 0 && (gr->rank == 0 || r->rank < gr->rank))
				gr->rank = r->rank;
			if (firstm || r->verdict > gr->verdict)
				gr->verdict = r->verdict;
			gr->flags |= r->flags;
			if (r->n_addrs > gr->n_addrs) gr->n_addrs = r->n_addrs;
			if (r->n_asns > gr->n_asns) gr->n_asns = r->n_asns;
			if (r->n_countries > gr->n_countries) gr->n_countries = r->n_countries;
			if (r->n_ns_changes > gr->n_ns_changes) gr->n_ns_changes = r->n_ns_changes;
			if (r->ttl_min < gr->ttl_min && r->n_addrs > 0) gr->ttl_min = r->ttl_min;
			if (r->cluster != 0 && gr->cluster == 0) gr->cluster = r->cluster;
			gr->n_responses += r->n_responses;
			if (firstm || r->first_seen < gr->first_seen) gr->first_seen = r->first_seen;
			if (firstm || r->last_seen > gr->last_seen) gr->last_seen = r->last_seen;
			firstm = false;
		}
		if (gr->ttl_min == UINT32_MAX)
			gr->ttl_min = 0;
		/* the zone's own verdict: random names asked once each add up to a flux zone */
		struct snap_row z;
		memset(&z, 0, sizeof z);
		if (s->zone_of != NULL && s->zone_of(s->zone_ctx, gr->name, &z)) {
			if (z.verdict > gr->verdict)
				gr->verdict = z.verdict;
			if (z.score > gr->score)
				gr->score = z.score;
			if (z.logit > gr->logit)
				gr->logit = z.logit;
			if (z.n_addrs > gr->n_addrs) gr->n_addrs = z.n_addrs;
			if (z.n_asns > gr->n_asns) gr->n_asns = z.n_asns;
			if (z.n_countries > gr->n_countries) gr->n_countries = z.n_countries;
		}
		slot += count[g];
	}
	s->grp.names = s->pool;
	s->grp.names_len = s->pool_len;
	fs_hidx_fini(&index);
	free(first);
	free(count);
	free(next);
	free(gname);
}

static uint32_t primary_key(const struct snap_row *r, enum snap_col col);

/* Key columns and bitmaps: one sequential pass over the rows. */
static void
table_index(struct snap_table *t)
{
	size_t words = ((size_t)t->n + 63) / 64;

	for (int c = 0; c < SNAP_COL_COUNT; c++) {
		free(t->key[c]);
		t->key[c] = xreallocarray(NULL, t->n ? t->n : 1, sizeof *t->key[c]);
	}
	free(t->visible);
	free(t->flagged);
	t->visible = xcalloc(words ? words : 1, sizeof *t->visible);
	t->flagged = xcalloc(words ? words : 1, sizeof *t->flagged);
	for (uint32_t i = 0; i < t->n; i++) {
		const struct snap_row *r = &t->rows[i];
		for (int c = 0; c < SNAP_COL_COUNT; c++)
			t->key[c][i] = c == SNAP_COL_DOMAIN ? r->name_rank : primary_key(r, (enum snap_col)c);
		if (!(r->flags & SNAP_HIDDEN))
			t->visible[i >> 6] |= 1ull << (i & 63);
		if (det_is_flagged((enum det_verdict)r->verdict))
			t->flagged[i >> 6] |= 1ull << (i & 63);
	}
}

void
snap_finish(struct snap *s, const char *const *registrable)
{
	bool any = false;

	s->n_flagged = 0;
	for (uint32_t i = 0; i < s->dom.n; i++) {
		const struct snap_row *r = &s->dom.rows[i];
		if (det_is_flagged((enum det_verdict)r->verdict) && !(r->flags & SNAP_HIDDEN))
			s->n_flagged++;
		if ((r->n_responses == 0 && r->first_seen == 0) || (r->flags & SNAP_HIDDEN))
			continue;
		if (!any || r->first_seen < s->t_min)
			s->t_min = r->first_seen;
		if (!any || r->last_seen > s->t_max)
			s->t_max = r->last_seen;
		any = true;
	}
	s->dom.det = s->det;
	rank_names(&s->dom);
	build_groups(s, registrable);
	rank_names(&s->grp);
	table_index(&s->dom);
	table_index(&s->grp);
}

uint32_t
snap_find_dom(const struct snap *s, uint32_t dom_id)
{
	if (dom_id == 0)
		return UINT32_MAX;
	if (dom_id - 1 < s->dom.n && s->dom.rows[dom_id - 1].id == dom_id)
		return dom_id - 1;
	for (uint32_t i = 0; i < s->dom.n; i++)
		if (s->dom.rows[i].id == dom_id)
			return i;
	return UINT32_MAX;
}

/* Map a float onto uint32 so that unsigned order is numeric order. */
static uint32_t
float_key(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return (u & 0x80000000u) ? ~u : u | 0x80000000u;
}

static uint32_t
time_key(fs_time t)
{
	int64_t s = t / FS_USEC;
	if (s < 0)
		return 0;
	if (s > UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)s;
}

static uint32_t
primary_key(const struct snap_row *r, enum snap_col col)
{
	switch (col) {
	case SNAP_COL_VERDICT: return r->verdict;
	case SNAP_COL_SCORE:
	case SNAP_COL_LOGIT:
		/* the shared ranking (rank 1 largest); rows without one by their score, below */
		return r->rank != 0 ? UINT32_MAX - r->rank : float_key(r->score) >> 1;
	case SNAP_COL_DOMAIN: return 0;
	case SNAP_COL_ADDRS: return r->n_addrs;
	case SNAP_COL_ASNS: return r->n_asns;
	case SNAP_COL_COUNTRIES: return r->n_countries;
	case SNAP_COL_TTL: return r->ttl_min;
	case SNAP_COL_NS_CHANGES: return r->n_ns_changes;
	case SNAP_COL_RESPONSES: return r->n_responses;
	case SNAP_COL_LAST_SEEN: return time_key(r->last_seen);
	case SNAP_COL_FIRST_SEEN: return time_key(r->first_seen);
	case SNAP_COL_HOLZ: return float_key(r->holz);
	default: break;
	}
	return 0;
}

const uint32_t *
snap_order(struct snap_table *t, enum snap_col col, bool desc)
{
	const uint32_t *by_name = t->perm[SNAP_COL_DOMAIN][0];
	uint32_t *idx;

	if ((int)col < 0 || (int)col >= snap_col_count())
		col = SNAP_COL_SCORE;
	/* rank ascending is the ranking, as the score column descending */
	if (col == (enum snap_col)snap_col_find("rank") && t->key[SNAP_COL_SCORE] != NULL) {
		col = SNAP_COL_SCORE;
		desc = !desc;
	}
	if (t->perm[col][desc] != NULL)
		return t->perm[col][desc];
	idx = xreallocarray(NULL, t->n ? t->n : 1, sizeof *idx);
	if (by_name != NULL && col >= SNAP_COL_COUNT) {
		/* A column read from the detector's results: keys made now, missing values last in
		 * either direction, ties in name order. */
		const struct model_field *f = model_field((size_t)col);
		uint64_t *kv = xreallocarray(NULL, t->n ? t->n : 1, sizeof *kv);
		for (uint32_t i = 0; i < t->n; i++) {
			uint32_t r = by_name[i], k;
			struct model_row mr;
			struct det_result res;
			if (row_model(t, &t->rows[r], &mr, &res))
				k = model_sort_key(f, &mr, desc);
			else
				k = desc ? 0 : UINT32_MAX;
			kv[i] = (uint64_t)(desc ? ~k : k) << 32 | r;
		}
		snap_radix_sort_packed(kv, t->n);
		for (uint32_t i = 0; i < t->n; i++)
			idx[i] = (uint32_t)kv[i];
		free(kv);
		t->perm[col][desc] = idx;
		return idx;
	}
	if (by_name == NULL || col >= SNAP_COL_COUNT || t->key[col] == NULL) {
		/* not finished: rows in index order */
		for (uint32_t i = 0; i < t->n; i++)
			idx[i] = i;
		t->perm[col][desc] = idx;
		return idx;
	}
	if (col == SNAP_COL_DOMAIN) {
		/* descending names: the ascending order backwards */
		for (uint32_t i = 0; i < t->n; i++)
			idx[i] = by_name[t->n - 1 - i];
		t->perm[col][desc] = idx;
		return idx;
	}
	/* The other direction of an order already made: reversed, with the runs of equal keys
	 * turned back so that ties stay in name order. O(n), no sort. */
	if (t->perm[col][!desc] != NULL) {
		const uint32_t *o = t->perm[col][!desc];
		const uint32_t *key = t->key[col];
		uint32_t n = t->n, k = 0;
		while (k < n) {
			uint32_t end = n - k, start = end; /* run [start, end) of o, taken from the back */
			while (start > 0 && key[o[start - 1]] == key[o[end - 1]])
				start--;
			for (uint32_t j = start; j < end; j++)
				idx[k++] = o[j];
		}
		t->perm[col][desc] = idx;
		return idx;
	}
	/* A stable radix sort of the column's keys taken in name order: ties stay in name order,
	 * and only the key's own bytes are sorted. */
	{
		uint64_t *kv = xreallocarray(NULL, t->n ? t->n : 1, sizeof *kv);
		for (uint32_t i = 0; i < t->n; i++) {
			uint32_t r = by_name[i], k = t->key[col][r];
			kv[i] = (uint64_t)(desc ? ~k : k) << 32 | r;
		}
		snap_radix_sort_packed(kv, t->n);
		for (uint32_t i = 0; i < t->n; i++)
			idx[i] = (uint32_t)kv[i];
		free(kv);
	}
	t->perm[col][desc] = idx;
	return idx;
}

void
snap_prepare_orders(struct snap_table *t)
{
	/* the direction `s` picks first: names A to Z, everything else largest first */
	for (int c = 0; c < SNAP_COL_COUNT; c++)
		snap_order(t, (enum snap_col)c, c != SNAP_COL_DOMAIN);
}

uint64_t *
snap_match_names(const struct snap_table *t, const char *needle, uint32_t *count)
{
	size_t words = ((size_t)t->n + 63) / 64, nlen = strlen(needle);
	uint64_t *bits = xcalloc(words ? words : 1, sizeof *bits);
	uint32_t cnt = 0;

	if (t->names != NULL && nlen > 0) {
		/* memmem over the whole pool; a match is mapped to its row by walking the NULs that
		 * precede it, which the scan passes only once in all. */
		const char *p = t->names, *end = t->names + t->names_len, *row_start = t->names;
		uint32_t row = 0;
		while (p < end && row < t->n) {
			const char *m = memmem(p, (size_t)(end - p), needle, nlen);
			const char *nul;
			if (m == NULL)
				break;
			while (row < t->n && (nul = memchr(row_start, '\0', (size_t)(end - row_start))) != NULL &&
			       nul < m) {
				row_start = nul + 1;
				row++;
			}
			if (row >= t->n)
				break;
			nul = memchr(m, '\0', (size_t)(end - m));
			if (nul == NULL || nul - m >= (ptrdiff_t)nlen) {
				bits[row >> 6] |= 1ull << (row & 63);
				cnt++;
			}
			/* next row */
			row_start = nul != NULL ? nul + 1 : end;
			row++;
			p = row_start;
		}
	} else {
		for (uint32_t i = 0; i < t->n; i++)
			if (t->rows[i].name != NULL && strstr(t->rows[i].name, needle) != NULL) {
				bits[i >> 6] |= 1ull << (i & 63);
				cnt++;
			}
	}
	if (count != NULL)
		*count = cnt;
	return bits;
}
