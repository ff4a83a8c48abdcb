/*
 * bench/qtime: how long a command takes, process start included.
 *
 *   qtime [-n RUNS] [-w WARMUP] -- COMMAND [ARGS...]
 *
 * Runs the command RUNS times (after WARMUP untimed runs, so the page cache
 * is warm), its standard output read through a pipe and thrown away, and
 * prints one line:
 *
 *   median_ms p95_ms first_median_ms first_p95_ms lines exit
 *
 * where "first" is the time from fork to the first byte of output (process
 * start to first result), lines counts the newlines of the last run's
 * output and exit is its exit status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "timing.h"

/* Nearest-rank percentile of a sorted array. */
static double pct(const double *v, int n, double p)
{
	int k = (int)(p * n + 0.999999) - 1;
	if (k < 0)
		k = 0;
	if (k >= n)
		k = n - 1;
	return v[k];
}

static int run(char **cmd, double *total, double *first, long *lines)
{
	int fd[2];
	if (pipe(fd) < 0)
		return -1;
	double t0 = bench_now_ms();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(fd[1]);
	char buf[65536];
	ssize_t n;
	*first = -1;
	*lines = 0;
	while ((n = read(fd[0], buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (*first < 0)
			*first = bench_now_ms() - t0;
		for (ssize_t i = 0; i < n; i++)
			*lines += buf[i] == '\n';
	}
	close(fd[0]);
	int status;
	waitpid(pid, &status, 0);
	*total = bench_now_ms() - t0;
	if (*first < 0)
		*first = *total;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	int runs = 10, warm = 2, i = 1;
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc)
			warm = atoi(argv[++i]);
		else
			break;
	}
	if (i >= argc - 1 || strcmp(argv[i], "--") != 0 || runs < 1 || warm < 0) {
		fprintf(stderr, "usage: qtime [-n RUNS] [-w WARMUP] -- COMMAND [ARGS...]\n");
		return 2;
	}
	char **cmd = argv + i + 1;
	double *tot = calloc((size_t)runs, sizeof(double)), *fst = calloc((size_t)runs, sizeof(double));
	double t, f;
	long lines = 0;
	int st = 0;
	if (!tot || !fst)
		return 5;
	for (int k = 0; k < warm; k++)
		run(cmd, &t, &f, &lines);
	for (int k = 0; k < runs; k++) {
		st = run(cmd, &tot[k], &fst[k], &lines);
		if (st < 0) {
			perror("qtime");
			return 5;
		}
	}
	qsort(tot, (size_t)runs, sizeof(double), bench_cmp_double);
	qsort(fst, (size_t)runs, sizeof(double), bench_cmp_double);
	printf("%.3f %.3f %.3f %.3f %ld %d\n", pct(tot, runs, 0.5), pct(tot, runs, 0.95), pct(fst, runs, 0.5),
	       pct(fst, runs, 0.95), lines, st);
	free(tot);
	free(fst);
	return 0;
}
