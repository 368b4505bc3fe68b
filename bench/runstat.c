// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runstat: run one command, print "WALL_S<TAB>MAXRSS_KB<TAB>STATUS" for the
 * benchmark. Wall time is CLOCK_MONOTONIC around fork..reap; peak RSS comes
 * from wait4()'s rusage. A run past the time limit is killed (its whole
 * process group) and reported as "timeout". No dependency on GNU time.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void redirect(const char *path, int target)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0 || dup2(fd, target) < 0) {
		perror(path);
		_exit(127);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: runstat [-t SECONDS] [-o STDOUT] [-e STDERR] -- CMD [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *out = "/dev/null", *err = "/dev/null";
	double limit = 120, t0, left;
	int opt, status, timed_out = 0;
	struct timespec ts;
	struct rusage ru;
	sigset_t chld;
	char *end;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+t:o:e:")) != -1) {
		switch (opt) {
		case 't':
			errno = 0;
			limit = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(limit > 0 && limit <= 86400))
				usage();
			break;
		case 'o':
			out = optarg;
			break;
		case 'e':
			err = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();

	/* SIGCHLD stays blocked so sigtimedwait() can wait for it with a deadline. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);

	t0 = now_s();
	pid = fork();
	if (pid < 0) {
		perror("runstat: fork");
		return 2;
	}
	if (pid == 0) {
		sigprocmask(SIG_UNBLOCK, &chld, NULL);
		setpgid(0, 0);	/* so a timeout can kill helpers the tool forked */
		redirect(out, STDOUT_FILENO);
		redirect(err, STDERR_FILENO);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "runstat: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	for (;;) {
		if (wait4(pid, &status, WNOHANG, &ru) == pid)
			break;
		left = limit - (now_s() - t0);
		if (left <= 0) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			wait4(pid, &status, 0, &ru);
			break;
		}
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		sigtimedwait(&chld, NULL, &ts);
	}
	printf("%.6f\t%ld\t", now_s() - t0, ru.ru_maxrss);
	if (timed_out)
		printf("timeout\n");
	else if (WIFEXITED(status))
		printf("exit:%d\n", WEXITSTATUS(status));
	else
		printf("signal:%d\n", WTERMSIG(status));
	return 0;
}
