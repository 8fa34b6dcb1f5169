/* Marks and notes on the objects of an investigation: domains, zones, addresses, ASNs and
 * nameservers, keyed by their canonical text (lower-case names without the final dot, an
 * address as inet_ntop writes it, "AS" and the number). An object with neither a mark nor a
 * note is not kept. Sessions save them; the TUI, --report and exports read them.
 *
 * Threads: a set is not locked; one thread at a time (the TUI's UI thread, or the headless
 * main thread). Strings returned are owned by the set and valid until the object changes. */
#ifndef FLUXSCOPE_NOTES_H
#define FLUXSCOPE_NOTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fluxscope/fs.h"

enum note_kind { NOTE_DOMAIN, NOTE_ZONE, NOTE_ADDR, NOTE_ASN, NOTE_NS, NOTE_KIND_COUNT };

struct note {
	enum note_kind kind;
	char *key;                 /* canonical */
	bool marked;
	char *text;                /* NULL: no note */
};

struct notes;

struct notes *notes_new(void);
void notes_free(struct notes *n);

/* "domain", "zone", "address", "asn", "ns"; parse accepts those and "addr", "ip",
 * "nameserver"; -1 when unknown. */
const char *notes_kind_name(enum note_kind k);
int notes_kind_parse(const char *s);
/* The canonical key of in for kind into out; an error names what is wrong (not an address,
 * not an AS number, an empty or over-long name). */
fs_status notes_canon(enum note_kind k, const char *in, char *out, size_t len, struct fs_err *err);

/* Set or clear the mark / the note (NULL or "" clears; text is copied, control characters
 * become spaces, at most 1000 bytes kept). key must be canonical. Return whether anything
 * changed. */
bool notes_mark(struct notes *n, enum note_kind k, const char *key, bool on);
bool notes_set_text(struct notes *n, enum note_kind k, const char *key, const char *text);
/* Clear everything; returns whether anything was there. */
bool notes_clear(struct notes *n);

/* The object's entry, or NULL. */
const struct note *notes_find(const struct notes *n, enum note_kind k, const char *key);
/* The same for text in any form (canonicalised first, as notes_canon does); NULL also when
 * text is not a valid key of that kind. */
const struct note *notes_lookup(const struct notes *n, enum note_kind k, const char *text);
/* Entries in the order they were first made (an entry removed and made again goes last);
 * notes_at() returns NULL for a slot whose entry was removed: iterate i < notes_count() and
 * skip NULLs. */
size_t notes_count(const struct notes *n);
const struct note *notes_at(const struct notes *n, size_t i);
/* Marked entries of one kind. */
size_t notes_marked(const struct notes *n, enum note_kind k);
/* Bumped by every change (autosave compares it). */
uint64_t notes_generation(const struct notes *n);

#endif
