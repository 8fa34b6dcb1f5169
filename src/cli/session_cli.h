/* --session PATH on the command line: load (or start) the session, merge its captures with
 * -r FILE, note captures that changed since it was saved. Main thread. */
#ifndef FLUXSCOPE_CLI_SESSION_CLI_H
#define FLUXSCOPE_CLI_SESSION_CLI_H

#include "cli/opts.h"

/* Fill o->session and extend o->files; on error print one sentence and return -1 (a session
 * file that cannot be read is left untouched). */
int cli_session_open(struct opts *o);

#endif
