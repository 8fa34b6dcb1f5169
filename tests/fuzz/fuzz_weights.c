/* libFuzzer target for the detector's weights file (share/detect.conf, --weights FILE):
 * det_weights_parse from memory over the compiled-in defaults. Build: make fuzz. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct det_weights w;
	struct fs_err err;
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	det_weights_default(&w);
	if (det_weights_parse(&w, s, "fuzz.conf", &err) == FS_OK) {
		/* accepted weights are numbers the model can use */
		if (!isfinite(w.bias) || !isfinite(w.flux_score) || !isfinite(w.suspicious_score))
			abort();
		for (int i = 0; i < DET_N_TERMS; i++)
			if (!isfinite(w.w[i]))
				abort();
	}
	free(s);
	return 0;
}
