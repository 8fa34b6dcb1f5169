/* pcap2dnstap: write the DNS messages of a capture as a dnstap file (Frame Streams, written by
 * libfstrm's file writer, messages packed by the protobuf-c code generated from Debian's
 * dnstap.proto), as a resolver logging its client side would have: every query a CLIENT_QUERY,
 * every response a CLIENT_RESPONSE, with the capture's addresses, ports, transport and time and
 * the message's own bytes. The capture is read by fluxscope's decoder (IP reassembly, DNS over
 * TCP), so the file holds exactly the messages `fluxscope -r CAPTURE` decodes.
 * For tests/e2e/clickhouse.sh: one half of the flux sample written by a sensor reading dnstap.
 *
 * usage: pcap2dnstap [-i IDENTITY] CAPTURE OUT.dnstap */
#include <fstrm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnstap.pb-c.h"
#include "fluxscope/ingest.h"

struct ctx {
	struct fstrm_writer *w;
	const char *identity;
	unsigned long n, failed;
};

static void
on_msg(void *arg, const struct dns_msg *m)
{
	struct ctx *c = arg;
	Dnstap__Dnstap d = DNSTAP__DNSTAP__INIT;
	Dnstap__Message mm = DNSTAP__MESSAGE__INIT;
	/* the client asked (query_address), the resolver answered (response_address) */
	const fs_addr *client = m->qr ? &m->dst : &m->src, *server = m->qr ? &m->src : &m->dst;
	uint16_t cport = m->qr ? m->dport : m->sport, sport = m->qr ? m->sport : m->dport;
	size_t alen = client->family == 6 ? 16 : 4;
	uint8_t *buf;
	size_t len;

	if (m->wire == NULL || (client->family != 4 && client->family != 6))
		return;
	d.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
	d.has_identity = c->identity != NULL;
	if (c->identity != NULL) {
		d.identity.data = (uint8_t *)c->identity;
		d.identity.len = strlen(c->identity);
	}
	d.message = &mm;
	mm.type = m->qr ? DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE : DNSTAP__MESSAGE__TYPE__CLIENT_QUERY;
	mm.has_socket_family = mm.has_socket_protocol = true;
	mm.socket_family = client->family == 6 ? DNSTAP__SOCKET_FAMILY__INET6 : DNSTAP__SOCKET_FAMILY__INET;
	mm.socket_protocol = m->transport == 6 ? DNSTAP__SOCKET_PROTOCOL__TCP : DNSTAP__SOCKET_PROTOCOL__UDP;
	mm.has_query_address = mm.has_response_address = true;
	mm.query_address.data = (uint8_t *)client->bytes;
	mm.query_address.len = alen;
	mm.response_address.data = (uint8_t *)server->bytes;
	mm.response_address.len = alen;
	mm.has_query_port = mm.has_response_port = true;
	mm.query_port = cport;
	mm.response_port = sport;
	if (m->qr) {
		mm.has_response_time_sec = mm.has_response_time_nsec = mm.has_response_message = true;
		mm.response_time_sec = (uint64_t)(m->ts / FS_USEC);
		mm.response_time_nsec = (uint32_t)(m->ts % FS_USEC) * 1000u;
		mm.response_message.data = (uint8_t *)m->wire;
		mm.response_message.len = m->wire_len;
	} else {
		mm.has_query_time_sec = mm.has_query_time_nsec = mm.has_query_message = true;
		mm.query_time_sec = (uint64_t)(m->ts / FS_USEC);
		mm.query_time_nsec = (uint32_t)(m->ts % FS_USEC) * 1000u;
		mm.query_message.data = (uint8_t *)m->wire;
		mm.query_message.len = m->wire_len;
	}
	len = dnstap__dnstap__get_packed_size(&d);
	buf = malloc(len ? len : 1);
	if (buf == NULL) {
		c->failed++;
		return;
	}
	dnstap__dnstap__pack(&d, buf);
	if (fstrm_writer_write(c->w, buf, len) != fstrm_res_success)
		c->failed++;
	else
		c->n++;
	free(buf);
}

int
main(int argc, char **argv)
{
	static const char ct[] = "protobuf:dnstap.Dnstap";
	struct ctx c = { 0 };
	struct fs_err err = { 0 };
	int opt;

	while ((opt = getopt(argc, argv, "i:")) != -1) {
		if (opt == 'i')
			c.identity = optarg;
		else
			return 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: pcap2dnstap [-i IDENTITY] CAPTURE OUT.dnstap\n");
		return 2;
	}
	struct fstrm_file_options *fo = fstrm_file_options_init();
	struct fstrm_writer_options *wo = fstrm_writer_options_init();
	fstrm_file_options_set_file_path(fo, argv[optind + 1]);
	fstrm_writer_options_add_content_type(wo, ct, sizeof ct - 1);
	c.w = fstrm_file_writer_init(fo, wo);
	fstrm_file_options_destroy(&fo);
	fstrm_writer_options_destroy(&wo);
	if (c.w == NULL) {
		fprintf(stderr, "pcap2dnstap: cannot write %s\n", argv[optind + 1]);
		return 1;
	}
	struct ingest *in = ingest_new(NULL, on_msg, &c);
	if (ingest_add_file(in, argv[optind], &err) != FS_OK || ingest_run(in, &err) != FS_OK) {
		fprintf(stderr, "pcap2dnstap: %s\n", err.msg);
		ingest_free(in);
		fstrm_writer_destroy(&c.w);
		return 1;
	}
	ingest_free(in);
	if (fstrm_writer_destroy(&c.w) != fstrm_res_success || c.failed > 0) {
		fprintf(stderr, "pcap2dnstap: writing %s failed (%lu messages)\n", argv[optind + 1], c.failed);
		return 1;
	}
	fprintf(stderr, "pcap2dnstap: %lu messages\n", c.n);
	return 0;
}
