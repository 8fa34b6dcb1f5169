/* Privilege drop: what -Z means for root and for other users (priv_plan_make), and, when the
 * tests run as root, the drop itself in a child process: ids changed for good, groups,
 * capabilities cleared, no_new_privs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fluxscope/priv.h"

static const struct passwd *
nobody(void)
{
	const struct passwd *pw = getpwnam(PRIV_DEFAULT_USER);
	if (pw == NULL)
		fail_msg("this system has no user '%s'", PRIV_DEFAULT_USER);
	return pw;
}

static void
test_plan_root_default(void **state)
{
	(void)state;
	struct priv_plan p;
	struct fs_err err = { 0 };
	const struct passwd *pw = nobody();
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;

	assert_int_equal(priv_plan_make(NULL, 0, &p, &err), FS_OK);
	assert_true(p.switch_user);
	assert_string_equal(p.user, PRIV_DEFAULT_USER);
	assert_int_equal(p.uid, uid);
	assert_int_equal(p.gid, gid);
	assert_int_not_equal(p.uid, 0);
}

static void
test_plan_root_named(void **state)
{
	(void)state;
	struct priv_plan p;
	struct fs_err err = { 0 };

	/* -Z root keeps root, on purpose */
	assert_int_equal(priv_plan_make("root", 0, &p, &err), FS_OK);
	assert_false(p.switch_user);
	assert_false(p.clear_caps);
	assert_int_equal(p.uid, 0);
	/* a user that does not exist: one sentence naming -Z and the user */
	assert_int_equal(priv_plan_make("no-such-user-fluxscope", 0, &p, &err), FS_E_ARG);
	assert_non_null(strstr(err.msg, "-Z"));
	assert_non_null(strstr(err.msg, "no-such-user-fluxscope"));
	assert_int_equal(priv_plan_make("", 0, &p, &err), FS_E_ARG);
	assert_non_null(strstr(err.msg, "-Z"));
}

static void
test_plan_not_root(void **state)
{
	(void)state;
	struct priv_plan p;
	struct fs_err err = { 0 };
	const struct passwd *pw = nobody();
	uid_t uid = pw->pw_uid;

	/* as an ordinary user: nobody to switch to, capabilities to clear */
	assert_int_equal(priv_plan_make(NULL, uid, &p, &err), FS_OK);
	assert_false(p.switch_user);
	assert_true(p.clear_caps);
	/* -Z naming that same user is fine */
	assert_int_equal(priv_plan_make(PRIV_DEFAULT_USER, uid, &p, &err), FS_OK);
	assert_false(p.switch_user);
	/* -Z naming someone else needs root */
	assert_int_equal(priv_plan_make("root", uid, &p, &err), FS_E_ARG);
	assert_non_null(strstr(err.msg, "-Z root"));
	assert_non_null(strstr(err.msg, "needs fluxscope to start as root"));
	assert_int_equal(priv_plan_make("no-such-user-fluxscope", uid, &p, &err), FS_E_ARG);
	assert_non_null(strstr(err.msg, "no-such-user-fluxscope"));
}

static bool
caps_empty(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0xff, sizeof d);
	if (syscall(SYS_capget, &h, d) != 0)
		return false;
	return (d[0].effective | d[0].permitted | d[0].inheritable | d[1].effective | d[1].permitted |
	        d[1].inheritable) == 0;
}

/* In a child (the test process keeps root): drop to nobody and check everything from the
 * outside of priv_drop's own checks. Exit code = the first failed check. */
static int
child_drop(void)
{
	struct priv_plan p;
	struct fs_err err = { 0 };
	uid_t r, e, s;
	gid_t rg, eg, sg, groups[64];
	const struct passwd *pw = getpwnam(PRIV_DEFAULT_USER);
	int n;

	if (pw == NULL || priv_plan_make(NULL, geteuid(), &p, &err) != FS_OK)
		return 10;
	if (priv_drop(&p, &err) != FS_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 11;
	}
	if (getresuid(&r, &e, &s) != 0 || r != pw->pw_uid || e != pw->pw_uid || s != pw->pw_uid)
		return 12;
	if (getresgid(&rg, &eg, &sg) != 0 || rg != pw->pw_gid || eg != pw->pw_gid || sg != pw->pw_gid)
		return 13;
	if (setuid(0) == 0 || seteuid(0) == 0 || setreuid(0, 0) == 0 || setresuid(0, 0, 0) == 0)
		return 14;
	if (setgid(0) == 0 || setgroups(0, NULL) == 0)
		return 15;
	n = getgroups(64, groups);
	for (int i = 0; i < n; i++)
		if (groups[i] == 0)
			return 16;   /* root's groups are gone (nobody is not in group 0) */
	if (!caps_empty())
		return 17;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 18;
	/* files only root may read stay closed to us */
	if (access("/etc/shadow", R_OK) == 0)
		return 19;
	return 0;
}

static void
test_drop_as_root(void **state)
{
	(void)state;
	int status;
	pid_t pid;

	if (geteuid() != 0) {
		skip();
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_drop());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* and the parent is untouched */
	assert_int_equal(geteuid(), 0);
}

/* Not root: the plan clears capabilities, which an ordinary process may always do. */
static int
child_clear_caps(void)
{
	struct priv_plan p;
	struct fs_err err = { 0 };
	const struct passwd *pw = getpwnam(PRIV_DEFAULT_USER);

	if (pw == NULL)
		return 10;
	if (geteuid() == 0) {
		/* become nobody by hand first, then act as a non-root start */
		if (setgroups(0, NULL) != 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0)
			return 11;
	}
	if (priv_plan_make(NULL, geteuid(), &p, &err) != FS_OK || p.switch_user || !p.clear_caps)
		return 12;
	if (priv_drop(&p, &err) != FS_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 13;
	}
	if (!caps_empty())
		return 14;
	return 0;
}

static void
test_clear_caps(void **state)
{
	(void)state;
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_clear_caps());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_root_default),
		cmocka_unit_test(test_plan_root_named),
		cmocka_unit_test(test_plan_not_root),
		cmocka_unit_test(test_drop_as_root),
		cmocka_unit_test(test_clear_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
