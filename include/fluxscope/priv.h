/* Dropping root privileges once the capture handle is open, as tcpdump -Z does.
 *
 * Started as root, fluxscope switches to -Z USER (default "nobody") after opening the capture
 * interface, the -w file and every database it reads: supplementary groups to USER's
 * (initgroups), then the group, then the user, real, effective and saved alike, and then it
 * checks that none of it can be undone (setuid(0) must fail). "-Z root" keeps root, on
 * purpose. Started as another user (with file capabilities CAP_NET_RAW/CAP_NET_ADMIN, say),
 * there is nobody to switch to: the capabilities are cleared instead, once the handle is open.
 *
 * Threads: call priv_drop() before any other thread starts (the ids are per process in glibc,
 * but a thread that already opened files keeps them). */
#ifndef FLUXSCOPE_PRIV_H
#define FLUXSCOPE_PRIV_H

#include <stdbool.h>
#include <sys/types.h>

#include "fluxscope/fs.h"

#define PRIV_DEFAULT_USER "nobody"

struct priv_plan {
	bool switch_user;          /* change to uid/gid below */
	bool clear_caps;           /* drop every capability (non-root start) */
	char user[64];             /* the user switched to, or the current one */
	uid_t uid;
	gid_t gid;
};

/* Decide what to do for -Z user_opt (NULL = not given) when running with effective user
 * euid: as root, switch to user_opt or PRIV_DEFAULT_USER ("root" keeps root); as another
 * user, -Z may only name that same user. Errors (FS_E_ARG, one sentence naming -Z): an
 * unknown user, -Z naming someone else without root. Reads the password database only. */
fs_status priv_plan_make(const char *user_opt, uid_t euid, struct priv_plan *out,
                         struct fs_err *err);

/* Carry the plan out and verify it: afterwards the real, effective and saved ids are the
 * user's, the supplementary groups are the user's, setuid(0)/setgid(0) fail, no capability is
 * left, and no new privileges can be gained (PR_SET_NO_NEW_PRIVS). Any failure is FS_E_PERM
 * with one sentence; the caller must then stop (the process may be half-dropped). */
fs_status priv_drop(const struct priv_plan *p, struct fs_err *err);

#endif
