// SPDX-License-Identifier: GPL-2.0
/*
 * okvm-bench [-s SCALE] [ROW...]: run the named benchmarks (all without
 * arguments), or list them with -l.  SCALE multiplies the iteration counts
 * (default 1) so that a slow machine can trade precision for time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static const struct bench *const tables[] = { exit_benches, mem_benches };

#define MAX_RUNS	9
/* While a row of several runs is measured: the values reported so far. */
static double runs_val[MAX_RUNS];
static unsigned int runs_n;
static bool collecting;

void bench_report(const char *name, double value)
{
	if (collecting) {
		if (runs_n < MAX_RUNS)
			runs_val[runs_n++] = value;
		return;
	}
	printf("%s %.6g\n", name, value);
	fflush(stdout);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Run row @b once, or b->runs times and report the median. */
static void run_row(const struct bench *b, unsigned long scale)
{
	unsigned int i, runs = b->runs < MAX_RUNS ? b->runs : MAX_RUNS;

	if (runs <= 1) {
		b->run(scale);
		return;
	}
	collecting = true;
	runs_n = 0;
	for (i = 0; i < runs; i++)
		b->run(scale);
	collecting = false;
	TEST_ASSERT_EQ(runs_n, runs);
	qsort(runs_val, runs_n, sizeof(runs_val[0]), cmp_double);
	bench_report(b->name, runs_val[runs_n / 2]);
}

volatile uint64_t *guest_u64(struct kvm_vm *vm, uint64_t gpa)
{
	return (volatile uint64_t *)gpa2hva(vm, gpa);
}

static const struct bench *find(const char *name)
{
	const struct bench *b;
	size_t t;

	for (t = 0; t < ARRAY_SIZE(tables); t++)
		for (b = tables[t]; b->name; b++)
			if (!strcmp(b->name, name))
				return b;
	return NULL;
}

static void list(void)
{
	const struct bench *b;
	size_t t;

	for (t = 0; t < ARRAY_SIZE(tables); t++)
		for (b = tables[t]; b->name; b++)
			printf("%s %s\n", b->name, b->unit);
}

int main(int argc, char **argv)
{
	unsigned long scale = 1;
	const struct bench *b;
	size_t t;
	int opt;

	while ((opt = getopt(argc, argv, "ls:")) != -1) {
		switch (opt) {
		case 'l':
			list();
			return 0;
		case 's':
			scale = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: okvm-bench [-l] [-s SCALE] [ROW...]\n");
			return 2;
		}
	}
	test_init("okvm-bench");
	if (optind == argc) {
		for (t = 0; t < ARRAY_SIZE(tables); t++)
			for (b = tables[t]; b->name; b++)
				run_row(b, scale);
		return 0;
	}
	for (; optind < argc; optind++) {
		b = find(argv[optind]);
		if (!b) {
			fprintf(stderr, "okvm-bench: no row '%s'\n", argv[optind]);
			return 2;
		}
		run_row(b, scale);
	}
	return 0;
}
