/* Registrable domains over the Public Suffix List (decode.h): the one user of libpsl. */
#include "fluxscope/decode.h"

#include <libpsl.h>

struct dns_psl *
dns_psl_open(void)
{
	return (struct dns_psl *)psl_latest(NULL);
}

void
dns_psl_free(struct dns_psl *p)
{
	if (p != NULL)
		psl_free((psl_ctx_t *)p);
}

const char *
dns_psl_registrable(const struct dns_psl *p, const char *name)
{
	return p != NULL && name != NULL ? psl_registrable_domain((const psl_ctx_t *)p, name) : NULL;
}

bool
dns_psl_public_suffix(const struct dns_psl *p, const char *name)
{
	return p != NULL && name != NULL && psl_is_public_suffix((const psl_ctx_t *)p, name) != 0;
}
