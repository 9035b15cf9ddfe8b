// SPDX-License-Identifier: GPL-2.0
/*
 * okvm selftests: TAP-style reporting.
 */
#include <sched.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

unsigned long test_nr_checks;

static const char *test_name = "?";
static const char *cur_subtest;
static char subtest_buf[64];
static int nr_subtests;
static double t_start;

double test_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int pin_to_cpu(int tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set);
}

const char *strerrorname(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "E?";
}

void test_init(const char *name)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_name = name;
	t_start = test_now();
	printf("TAP version 13\n# %s\n", name);
}

void test_begin(const char *subtest)
{
	snprintf(subtest_buf, sizeof(subtest_buf), "%s", subtest);
	cur_subtest = subtest_buf;
	printf("# %s: begin\n", subtest);
}

static bool name_in_list(const char *name, const char *list)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == 0))
			return true;
	return false;
}

/*
 * KVM_TEST_ONLY / KVM_TEST_SKIP: comma-separated subtest names to run
 * exclusively / to leave out.  Returns false (and reports a skip) for a
 * subtest that should not run.
 */
bool test_wanted(const char *subtest)
{
	const char *only = getenv("KVM_TEST_ONLY");
	const char *skip = getenv("KVM_TEST_SKIP");

	if ((only && *only && !name_in_list(subtest, only)) ||
	    name_in_list(subtest, skip)) {
		printf("ok %d %s # SKIP excluded by KVM_TEST_ONLY/SKIP\n",
		       ++nr_subtests, subtest);
		return false;
	}
	return true;
}

void test_end(void)
{
	printf("ok %d %s\n", ++nr_subtests, cur_subtest ? cur_subtest : "");
	cur_subtest = NULL;
}

void test_note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void test_done(void)
{
	printf("1..%d\n# %s: %lu checks passed in %.1fs\n", nr_subtests,
	       test_name, test_nr_checks, test_now() - t_start);
	exit(KSFT_PASS);
}

void test_skip(const char *fmt, ...)
{
	va_list ap;

	printf("ok %d %s # SKIP ", ++nr_subtests,
	       cur_subtest ? cur_subtest : test_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n1..%d\n", nr_subtests);
	exit(KSFT_SKIP);
}

void test_fail(const char *file, int line, int err, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	printf("not ok %d %s\n", ++nr_subtests,
	       cur_subtest ? cur_subtest : test_name);
	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n# errno %d (%s: %s)\n", err, strerrorname(err),
	       strerror(err));
	printf("1..%d\n# %s: FAILED after %lu checks\n", nr_subtests,
	       test_name, test_nr_checks);
	fflush(stdout);
	exit(KSFT_FAIL);
}
