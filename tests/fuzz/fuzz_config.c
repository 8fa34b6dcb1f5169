/* libFuzzer target for the configuration file (~/.config/fluxscope/config, --config FILE):
 * config_parse from memory (what config_load runs on the file's bytes), then lookups and path
 * values. Build: make fuzz. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fluxscope/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c;
	struct fs_err err;
	const char *vals[4];
	volatile size_t sink = 0;

	if (config_parse((const char *)data, size, "/etc/fluxscope/config", &c, &err) != FS_OK)
		return 0;
	sink += config_get_all(c, "geoip", vals, 4);
	sink += config_get(c, "theme") != NULL;
	for (size_t i = 0; i < c->n_entries; i++) {
		char *p = config_path_value(c, c->entries[i].value);
		if (config_get(c, c->entries[i].key) == NULL)
			abort();   /* every key read is found again */
		sink += strlen(p);
		free(p);
	}
	(void)sink;
	config_free(c);
	return 0;
}
