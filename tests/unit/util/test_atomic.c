/* Unit tests for atomic file replacement (src/util/atomic.c): content, mode and owner kept,
 * symlinks written through, devices written directly, folders refused, temporary files removed
 * on a signal and, after a SIGKILL, by the next writer — never another live writer's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fluxscope/fs.h"

static char dir[600];

static char *
at(const char *name)
{
	static char path[4][700];
	static int k;
	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
	return path[k];
}

static char *
slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Names in dir that contain ".tmp." */
static int
count_temp(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".tmp.") != NULL)
			n++;
	closedir(d);
	return n;
}

static void
write_ok(const char *path, const char *text)
{
	struct fs_err err = { 0 };
	fs_status st = fs_write_atomic(path, text, strlen(text), &err);
	if (st != FS_OK)
		fail_msg("%s", err.msg);
}

static void
test_write_and_mode(void **state)
{
	const char *p = at("a.txt");
	struct stat st;
	mode_t old = umask(022);
	(void)state;

	write_ok(p, "one\n");
	assert_string_equal(slurp(p), "one\n");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);     /* new: 0666 less the umask */
	assert_int_equal(chmod(p, 0600), 0);
	write_ok(p, "two\n");
	assert_string_equal(slurp(p), "two\n");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);     /* kept, not reset to 0644 */
	assert_int_equal(chmod(p, 0640), 0);
	write_ok(p, "three\n");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	umask(077);
	write_ok(at("private.txt"), "x");
	assert_int_equal(stat(at("private.txt"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	umask(old);
	assert_int_equal(count_temp(), 0);
}

static void
test_owner_kept_as_root(void **state)
{
	const char *p = at("owned.txt");
	struct stat st;
	(void)state;

	if (geteuid() != 0)
		skip();
	put(p, "old\n");
	assert_int_equal(chown(p, 65534, 65534), 0);
	assert_int_equal(chmod(p, 0640), 0);
	write_ok(p, "new\n");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_uid, 65534);
	assert_int_equal(st.st_gid, 65534);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_string_equal(slurp(p), "new\n");
}

static void
test_symlink_written_through(void **state)
{
	struct stat st;
	struct fs_err err = { 0 };
	char buf[700];
	ssize_t n;
	(void)state;

	assert_int_equal(mkdir(at("real"), 0755), 0);
	put(at("real/zone.rpz"), "old\n");
	assert_int_equal(chmod(at("real/zone.rpz"), 0600), 0);
	/* link → relative link → target in another folder */
	assert_int_equal(symlink("real/zone.rpz", at("mid.rpz")), 0);
	assert_int_equal(symlink("mid.rpz", at("link.rpz")), 0);
	write_ok(at("link.rpz"), "new\n");
	assert_int_equal(lstat(at("link.rpz"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));                /* the links stay links */
	n = readlink(at("link.rpz"), buf, sizeof buf - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "mid.rpz");
	assert_int_equal(lstat(at("mid.rpz"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(slurp(at("real/zone.rpz")), "new\n");
	assert_int_equal(stat(at("real/zone.rpz"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* A dangling link: its target is created. */
	assert_int_equal(symlink("real/created.txt", at("dangling")), 0);
	write_ok(at("dangling"), "made\n");
	assert_string_equal(slurp(at("real/created.txt")), "made\n");
	assert_int_equal(lstat(at("dangling"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	/* A loop: one sentence naming the path. */
	assert_int_equal(symlink("loop2", at("loop1")), 0);
	assert_int_equal(symlink("loop1", at("loop2")), 0);
	assert_int_equal(fs_write_atomic(at("loop1"), "x", 1, &err), FS_E_IO);
	assert_non_null(strstr(err.msg, at("loop1")));
	assert_non_null(strstr(err.msg, "cannot write"));
	/* A link into a folder that cannot be written: the error names the link and its target. */
	assert_int_equal(symlink("no-such-dir/x", at("badlink")), 0);
	assert_int_equal(fs_write_atomic(at("badlink"), "x", 1, &err), FS_E_IO);
	assert_non_null(strstr(err.msg, at("badlink")));
	assert_non_null(strstr(err.msg, "no-such-dir/x"));
	assert_int_equal(count_temp(), 0);
}

static void
test_devices_and_folders(void **state)
{
	struct fs_err err = { 0 };
	struct stat st;
	(void)state;

	/* /dev/null is written, never replaced by a regular file */
	assert_int_equal(fs_write_atomic("/dev/null", "x\n", 2, &err), FS_OK);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(mkdir(at("adir"), 0755), 0);
	assert_int_equal(fs_write_atomic(at("adir"), "x", 1, &err), FS_E_IO);
	assert_non_null(strstr(err.msg, at("adir")));
	assert_non_null(strstr(err.msg, "Is a directory"));
	assert_int_equal(fs_write_atomic(at("missing/x"), "x", 1, &err), FS_E_IO);
	assert_non_null(strstr(err.msg, at("missing/x")));
	assert_int_equal(count_temp(), 0);
}

static void
test_abort_and_stream(void **state)
{
	struct fs_atomic w;
	struct fs_err err = { 0 };
	FILE *f;
	(void)state;

	put(at("s.txt"), "old\n");
	assert_int_equal(fs_atomic_begin(&w, at("s.txt"), &err), FS_OK);
	assert_non_null(w.tmp);
	assert_int_equal(count_temp(), 1);
	f = fs_atomic_stream(&w, &err);
	assert_non_null(f);
	fputs("partial", f);
	fs_atomic_abort(&w);
	assert_int_equal(count_temp(), 0);
	assert_string_equal(slurp(at("s.txt")), "old\n");   /* untouched */
	fs_atomic_abort(&w);                                 /* a finished w: no-op */

	assert_int_equal(fs_atomic_begin(&w, at("s.txt"), &err), FS_OK);
	f = fs_atomic_stream(&w, &err);
	for (int i = 0; i < 10000; i++)
		fprintf(f, "line %d\n", i);
	assert_int_equal(fs_atomic_commit(&w, &err), FS_OK);
	assert_int_equal(strncmp(slurp(at("s.txt")), "line 0\nline 1\n", 14), 0);
	assert_int_equal(count_temp(), 0);
}

/* A pid that has just ended (and been reaped). */
static pid_t
dead_pid(void)
{
	pid_t p = fork();
	assert_true(p >= 0);
	if (p == 0)
		_exit(0);
	assert_int_equal(waitpid(p, NULL, 0), p);
	return p;
}

static void
test_stale_cleanup(void **state)
{
	char n_dead[700], n_live[700], n_locked[700], n_self[700], n_other[700], n_oldfmt[700];
	pid_t dead = dead_pid(), dead2 = dead_pid(), live;
	int lock_fd, pipefd[2];
	(void)state;

	put(at("t.rpz"), "old\n");
	/* a sleeping child stands for another live writer */
	assert_int_equal(pipe(pipefd), 0);
	live = fork();
	assert_true(live >= 0);
	if (live == 0) {
		char c;
		close(pipefd[1]);
		(void)!read(pipefd[0], &c, 1);
		_exit(0);
	}
	close(pipefd[0]);
	snprintf(n_dead, sizeof n_dead, "%s.tmp.%d.Ab12Cd", at("t.rpz"), (int)dead);
	snprintf(n_live, sizeof n_live, "%s.tmp.%d.Ab12Cd", at("t.rpz"), (int)live);
	snprintf(n_locked, sizeof n_locked, "%s.tmp.%d.Zz99Zz", at("t.rpz"), (int)dead2);
	snprintf(n_self, sizeof n_self, "%s.tmp.%d.SELFxx", at("t.rpz"), (int)getpid());
	snprintf(n_other, sizeof n_other, "%s.tmp.%d.Ab12Cd", at("other.rpz"), (int)dead);
	snprintf(n_oldfmt, sizeof n_oldfmt, "%s.tmp.Ab12Cd", at("t.rpz"));
	put(n_dead, "stale");
	put(n_live, "in progress");
	put(n_locked, "locked by a writer of another pid namespace");
	put(n_self, "ours");
	put(n_other, "another target's");
	put(n_oldfmt, "unknown owner");
	lock_fd = open(n_locked, O_RDONLY);
	assert_true(lock_fd >= 0);
	/* the lock must be held by another open file description: a child holds it */
	pid_t holder = fork();
	if (holder == 0) {
		int fd = open(n_locked, O_RDONLY);
		if (fd < 0 || flock(fd, LOCK_EX) != 0)
			_exit(1);
		pause();
		_exit(0);
	}
	for (int i = 0; i < 200 && flock(lock_fd, LOCK_EX | LOCK_NB) == 0; i++) {
		flock(lock_fd, LOCK_UN);
		usleep(10000);
	}
	assert_int_equal(flock(lock_fd, LOCK_EX | LOCK_NB), -1);

	write_ok(at("t.rpz"), "new\n");
	assert_int_equal(access(n_dead, F_OK), -1);        /* removed */
	assert_int_equal(access(n_live, F_OK), 0);         /* its process lives: kept */
	assert_int_equal(access(n_locked, F_OK), 0);       /* locked: kept */
	assert_int_equal(access(n_self, F_OK), 0);
	assert_int_equal(access(n_other, F_OK), 0);        /* another target's */
	assert_int_equal(access(n_oldfmt, F_OK), 0);       /* no pid in the name: kept */
	assert_string_equal(slurp(at("t.rpz")), "new\n");

	/* the holder gone, the locked one is stale too; the live writer ends, so is its file */
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	close(pipefd[1]);
	waitpid(live, NULL, 0);
	close(lock_fd);
	assert_int_equal(fs_atomic_clean_stale(at("t.rpz")), 2);
	assert_int_equal(access(n_locked, F_OK), -1);
	assert_int_equal(access(n_live, F_OK), -1);
	unlink(n_self);
	unlink(n_other);
	unlink(n_oldfmt);
	assert_int_equal(count_temp(), 0);
}

/* In a child: begin a write, then kill ourselves with sig; the parent checks that the child
 * died of it and that no temporary file is left. */
static void
signal_case(int sig, bool ignored)
{
	int pfd[2];
	pid_t p;
	int status;
	char c;

	assert_int_equal(pipe(pfd), 0);
	p = fork();
	assert_true(p >= 0);
	if (p == 0) {
		struct fs_atomic w;
		struct fs_err err;
		close(pfd[0]);
		/* the case's own disposition, whatever the test was started with (under nohup
		 * SIGHUP arrives ignored) */
		signal(sig, ignored ? SIG_IGN : SIG_DFL);
		fs_atomic_install_signals();
		if (fs_atomic_begin(&w, at("sig.txt"), &err) != FS_OK)
			_exit(3);
		(void)!write(w.fd, "data", 4);
		(void)!write(pfd[1], "r", 1);
		raise(sig);
		/* only reached when the signal is ignored: finish normally */
		_exit(fs_atomic_commit(&w, &err) == FS_OK ? 7 : 4);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	assert_int_equal(waitpid(p, &status, 0), p);
	if (ignored) {
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 7);
		assert_string_equal(slurp(at("sig.txt")), "data");
	} else {
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), sig);
	}
	assert_int_equal(count_temp(), 0);
}

static void
test_signals_remove_temp(void **state)
{
	(void)state;
	signal_case(SIGTERM, false);
	signal_case(SIGINT, false);
	signal_case(SIGHUP, false);
	signal_case(SIGHUP, true);      /* nohup: an ignored SIGHUP stays ignored */
}

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	(void)state;
	snprintf(dir, sizeof dir, "%s/fluxscope-atomic-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[700];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_and_mode),
		cmocka_unit_test(test_owner_kept_as_root),
		cmocka_unit_test(test_symlink_written_through),
		cmocka_unit_test(test_devices_and_folders),
		cmocka_unit_test(test_abort_and_stream),
		cmocka_unit_test(test_stale_cleanup),
		cmocka_unit_test(test_signals_remove_temp),
	};
	return cmocka_run_group_tests_name("atomic", tests, setup, teardown);
}
