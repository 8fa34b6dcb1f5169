/* Export: DNS name validation and escaping, and rpz-ip owner encodings (BIND's canonical form). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fluxscope/export.h"

static const char *
zone_form(const char *name, bool *plain)
{
	static char buf[EXPORT_MAX_NAME];
	uint8_t wire[256];
	size_t wl;
	const char *why;

	if (export_name_to_wire(name, wire, &wl, plain, &why) != 0)
		return NULL;
	assert_true(export_name_zone(wire, wl, buf, sizeof buf) >= 0);
	return buf;
}

static void
test_plain_names(void **state)
{
	bool plain = false;
	uint8_t wire[256];
	size_t wl;
	(void)state;

	assert_string_equal(zone_form("evil.example", &plain), "evil.example");
	assert_true(plain);
	assert_string_equal(zone_form("Evil.EXAMPLE.", &plain), "evil.example");
	assert_true(plain);
	assert_string_equal(zone_form("_dmarc.xn--bcher-kva.example", &plain), "_dmarc.xn--bcher-kva.example");
	assert_true(plain);
	assert_int_equal(export_name_to_wire("ab.c", wire, &wl, NULL, NULL), 0);
	assert_int_equal(wl, 1 + 2 + 1 + 1 + 1);
	assert_memory_equal(wire, "\002ab\001c\000", 6);
}

static void
test_escaped_names(void **state)
{
	bool plain = true;
	(void)state;

	/* Bytes that are syntax in a zone file become \DDD; escapes in the input are decoded. */
	assert_string_equal(zone_form("a\\032b.example", &plain), "a\\032b.example");
	assert_false(plain);
	assert_string_equal(zone_form("a\\;b.example", &plain), "a\\059b.example");
	assert_string_equal(zone_form("q\\\"x.example", &plain), "q\\034x.example");
	assert_string_equal(zone_form("dot\\.inside.example", &plain), "dot\\046inside.example");
	assert_string_equal(zone_form("back\\\\slash.example", &plain), "back\\092slash.example");
	assert_string_equal(zone_form("nl\\010x.example", &plain), "nl\\010x.example");
	assert_string_equal(zone_form("$origin.example", &plain), "\\036origin.example");
	assert_string_equal(zone_form("@.example", &plain), "\\064.example");
	assert_string_equal(zone_form("(x).example", &plain), "\\040x\\041.example");
	/* A literal '*' label observed on the wire must not become a wildcard owner. */
	assert_string_equal(zone_form("*.example", &plain), "\\042.example");
	assert_false(plain);
	/* Raw (unescaped) unsafe bytes are escaped too. */
	assert_string_equal(zone_form("a b;c.example", &plain), "a\\032b\\059c.example");
	assert_string_equal(zone_form("\xc3\xa9.example", &plain), "\\195\\169.example");
}

static void
test_invalid_names(void **state)
{
	uint8_t wire[256];
	size_t wl;
	const char *why = NULL;
	char label63[64], label64[65], longname[300];
	(void)state;

	assert_int_equal(export_name_to_wire("", wire, &wl, NULL, &why), -1);
	assert_int_equal(export_name_to_wire(".", wire, &wl, NULL, &why), -1);
	assert_int_equal(export_name_to_wire("a..b", wire, &wl, NULL, &why), -1);
	assert_string_equal(why, "empty label");
	assert_int_equal(export_name_to_wire(".a", wire, &wl, NULL, &why), -1);
	assert_int_equal(export_name_to_wire("a\\25", wire, &wl, NULL, &why), -1);
	assert_int_equal(export_name_to_wire("a\\300.b", wire, &wl, NULL, &why), -1);
	assert_int_equal(export_name_to_wire("a\\", wire, &wl, NULL, &why), -1);
	memset(label63, 'a', 63);
	label63[63] = '\0';
	memset(label64, 'a', 64);
	label64[64] = '\0';
	assert_int_equal(export_name_to_wire(label63, wire, &wl, NULL, &why), 0);
	assert_int_equal(export_name_to_wire(label64, wire, &wl, NULL, &why), -1);
	assert_string_equal(why, "label longer than 63 bytes");
	/* 4 labels of 63 = 4*64 + 1 = 257 wire bytes: too long; 3 labels + 61 fits (255). */
	snprintf(longname, sizeof longname, "%s.%s.%s.%s", label63, label63, label63, label63);
	assert_int_equal(export_name_to_wire(longname, wire, &wl, NULL, &why), -1);
	snprintf(longname, sizeof longname, "%s.%s.%s.%.61s", label63, label63, label63, label63);
	assert_int_equal(export_name_to_wire(longname, wire, &wl, NULL, &why), 0);
	assert_int_equal(wl, 255);
	snprintf(longname, sizeof longname, "%s.%s.%s.%.62s", label63, label63, label63, label63);
	assert_int_equal(export_name_to_wire(longname, wire, &wl, NULL, &why), -1);
}

static const char *
ipname(const char *text, unsigned plen)
{
	static char buf[80];
	fs_addr a;
	assert_int_equal(fs_addr_parse(text, &a), 0);
	return export_rpz_ip_name(&a, plen, buf, sizeof buf);
}

/* Parse an rpz-ip owner back the way BIND's name2ipkey does (lib/dns/rpz.c): used to check
 * that every name we generate round-trips to the same address and prefix. */
static int
bind_parse(const char *name, uint8_t out[16], unsigned *plen, int *family)
{
	char buf[128];
	char *lab[10];
	int n = 0;
	snprintf(buf, sizeof buf, "%s", name);
	for (char *t = strtok(buf, "."); t && n < 10; t = strtok(NULL, "."))
		lab[n++] = t;
	if (n < 2)
		return -1;
	*plen = (unsigned)strtoul(lab[0], NULL, 10);
	memset(out, 0, 16);
	if (n == 5 && !strchr(name, 'z')) {
		*family = 4;
		for (int i = 0; i < 4; i++)
			out[3 - i] = (uint8_t)strtoul(lab[1 + i], NULL, 10);
		return 0;
	}
	*family = 6;
	int w = 0;   /* index in reversed words */
	int words[8] = { 0 };
	int labels = n - 1;
	for (int i = 1; i < n; i++) {
		if (strcmp(lab[i], "zz") == 0) {
			int zeros = 8 - (labels - 1);
			w += zeros;
		} else {
			words[w++] = (int)strtoul(lab[i], NULL, 16);
		}
	}
	if (w != 8)
		return -1;
	for (int i = 0; i < 8; i++) {
		out[14 - 2 * i] = (uint8_t)(words[i] >> 8);
		out[15 - 2 * i] = (uint8_t)words[i];
	}
	return 0;
}

static void
test_rpz_ip_v4(void **state)
{
	(void)state;
	/* The RPZ draft's example: 192.0.2.1/32 → 32.1.2.0.192.rpz-ip. */
	assert_string_equal(ipname("192.0.2.1", 32), "32.1.2.0.192");
	assert_string_equal(ipname("10.1.2.3", 32), "32.3.2.1.10");
	/* Host bits are cleared: BIND refuses "too small prefix length" otherwise. */
	assert_string_equal(ipname("198.51.100.77", 24), "24.0.100.51.198");
	assert_string_equal(ipname("10.255.255.255", 8), "8.0.0.0.10");
	/* IPv4-mapped IPv6 is named as IPv4, as BIND's ip2name does. */
	assert_string_equal(ipname("::ffff:192.0.2.9", 128), "32.9.2.0.192");
}

static void
test_rpz_ip_v6(void **state)
{
	(void)state;
	/* 16-bit words in reverse order, "zz" for the zero run, as ip2name() in BIND lib/dns/rpz.c. */
	assert_string_equal(ipname("2001:db8::5", 128), "128.5.zz.db8.2001");
	assert_string_equal(ipname("2001:db8::1", 128), "128.1.zz.db8.2001");
	/* Equal zero runs: BIND compresses the last one in reversed order (lib/dns/rpz.c). */
	assert_string_equal(ipname("2001:db8:0:0:1:0:0:1", 128), "128.1.0.0.1.zz.db8.2001");
	/* A single zero word is never "zz". */
	assert_string_equal(ipname("2001:db8:1:0:1:1:1:1", 128), "128.1.1.1.1.0.1.db8.2001");
	/* No leading zeros in a word, lower-case hex. */
	assert_string_equal(ipname("2001:DB8:ABCD:12:0:0:0:FF", 128), "128.ff.zz.12.abcd.db8.2001");
	assert_string_equal(ipname("::1", 128), "128.1.zz");
	assert_string_equal(ipname("2001:db8::", 32), "32.zz.db8.2001");
	/* Host bits cleared before choosing the zero run. */
	assert_string_equal(ipname("2001:db8:aaaa:bbbb:1:2:3:4", 48), "48.zz.aaaa.db8.2001");
	assert_string_equal(ipname("fe80::1:2:3:4", 10), "10.zz.fe80");
	assert_string_equal(ipname("2001:db8:1:2:3:4:5:6", 128), "128.6.5.4.3.2.1.db8.2001");
}

static void
test_rpz_ip_roundtrip(void **state)
{
	uint32_t x = 12345;
	(void)state;

	for (int k = 0; k < 2000; k++) {
		fs_addr a = { .family = 6 };
		uint8_t back[16];
		unsigned plen;
		int fam;
		char buf[80];
		/* Sparse words so that zero runs of every length and position show up. */
		for (int i = 0; i < 8; i++) {
			x = x * 1103515245u + 12345u;
			uint16_t wv = (x >> 16) % 3 == 0 ? (uint16_t)(x & 0xffff) : 0;
			a.bytes[2 * i] = (uint8_t)(wv >> 8);
			a.bytes[2 * i + 1] = (uint8_t)wv;
		}
		if (a.bytes[0] == 0 && a.bytes[1] == 0)
			a.bytes[0] = 0x20;   /* keep clear of ::ffff:0:0/96 */
		export_rpz_ip_name(&a, 128, buf, sizeof buf);
		assert_int_equal(bind_parse(buf, back, &plen, &fam), 0);
		assert_int_equal(fam, 6);
		assert_int_equal(plen, 128);
		assert_memory_equal(back, a.bytes, 16);
		/* At most one zz, and only for a run of two or more words. */
		char *z = strstr(buf, "zz");
		if (z != NULL)
			assert_null(strstr(z + 2, "zz"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_names),
		cmocka_unit_test(test_escaped_names),
		cmocka_unit_test(test_invalid_names),
		cmocka_unit_test(test_rpz_ip_v4),
		cmocka_unit_test(test_rpz_ip_v6),
		cmocka_unit_test(test_rpz_ip_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
