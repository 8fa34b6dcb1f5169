/* Privilege drop after opening the capture: tcpdump's droproot(), plus a check that it holds. */
#include "fluxscope/priv.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static fs_status
lookup(const char *name, struct passwd *pw, char *buf, size_t len, struct fs_err *err)
{
	struct passwd *res = NULL;
	int r = getpwnam_r(name, pw, buf, len, &res);

	if (r != 0)
		return fs_err_set(err, FS_E_ARG, "option -Z: cannot look up user '%s': %s", name,
		                  strerror(r));
	if (res == NULL)
		return fs_err_set(err, FS_E_ARG, "option -Z: there is no user named '%s'", name);
	return FS_OK;
}

fs_status
priv_plan_make(const char *user_opt, uid_t euid, struct priv_plan *out, struct fs_err *err)
{
	struct passwd pw;
	char buf[4096];
	fs_status st;

	memset(out, 0, sizeof *out);
	out->uid = euid;
	out->gid = getegid();
	if (user_opt != NULL && user_opt[0] == '\0')
		return fs_err_set(err, FS_E_ARG, "option -Z needs a user name");
	if (euid != 0) {
		/* Nothing to switch to; what can still be given up are capabilities. */
		if (user_opt != NULL) {
			if ((st = lookup(user_opt, &pw, buf, sizeof buf, err)) != FS_OK)
				return st;
			if (pw.pw_uid != euid)
				return fs_err_set(err, FS_E_ARG, "option -Z %s needs fluxscope to start as root "
				                  "(it runs as uid %u)", user_opt, (unsigned)euid);
		}
		snprintf(out->user, sizeof out->user, "%s", user_opt != NULL ? user_opt : "");
		out->clear_caps = true;
		return FS_OK;
	}
	const char *name = user_opt != NULL ? user_opt : PRIV_DEFAULT_USER;
	if ((st = lookup(name, &pw, buf, sizeof buf, err)) != FS_OK) {
		if (user_opt == NULL)
			return fs_err_set(err, FS_E_ARG, "there is no user '%s' to drop root privileges to: "
			                  "name one with -Z USER (or -Z root to keep them)", name);
		return st;
	}
	snprintf(out->user, sizeof out->user, "%s", pw.pw_name);
	out->uid = pw.pw_uid;
	out->gid = pw.pw_gid;
	out->switch_user = pw.pw_uid != 0;
	return FS_OK;
}

/* Clear every capability set (reducing them needs no privilege). */
static int
caps_clear(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof d);
	return (int)syscall(SYS_capset, &h, d);
}

static int
caps_any(bool *any)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof d);
	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	*any = (d[0].effective | d[0].permitted | d[0].inheritable | d[1].effective | d[1].permitted |
	        d[1].inheritable) != 0;
	return 0;
}

fs_status
priv_drop(const struct priv_plan *p, struct fs_err *err)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	bool any;

	if (p->switch_user) {
		if (initgroups(p->user, p->gid) != 0)
			return fs_err_set(err, FS_E_PERM, "cannot set the groups of user '%s' (-Z): %s",
			                  p->user, strerror(errno));
		if (setresgid(p->gid, p->gid, p->gid) != 0)
			return fs_err_set(err, FS_E_PERM, "cannot change to the group of user '%s' (-Z): %s",
			                  p->user, strerror(errno));
		if (setresuid(p->uid, p->uid, p->uid) != 0)
			return fs_err_set(err, FS_E_PERM, "cannot change to user '%s' (-Z): %s", p->user,
			                  strerror(errno));
		/* Verify: all three ids changed, and root cannot come back. */
		if (getresuid(&ru, &eu, &su) != 0 || ru != p->uid || eu != p->uid || su != p->uid ||
		    getresgid(&rg, &eg, &sg) != 0 || rg != p->gid || eg != p->gid || sg != p->gid)
			return fs_err_set(err, FS_E_PERM, "the switch to user '%s' (-Z) did not take",
			                  p->user);
		if (setuid(0) == 0 || seteuid(0) == 0)
			return fs_err_set(err, FS_E_PERM, "after switching to user '%s' (-Z), root could "
			                  "still be regained", p->user);
		if (p->gid != 0 && (setgid(0) == 0 || setegid(0) == 0))
			return fs_err_set(err, FS_E_PERM, "after switching to user '%s' (-Z), group 0 could "
			                  "still be regained", p->user);
	}
	if (p->switch_user || p->clear_caps) {
		if (caps_clear() != 0)
			return fs_err_set(err, FS_E_PERM, "cannot clear the process capabilities: %s",
			                  strerror(errno));
		if (caps_any(&any) != 0 || any)
			return fs_err_set(err, FS_E_PERM, "capabilities are left after dropping privileges");
		/* execve of a set-uid or file-capability program cannot bring anything back. */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			return fs_err_set(err, FS_E_PERM, "cannot set no_new_privs: %s", strerror(errno));
	}
	return FS_OK;
}
