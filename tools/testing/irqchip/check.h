/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tiny test framework of the device-model unit tests: CHECK() counts a
 * pass or prints the failure with its location.  Each test_<dev>.c defines
 * run_<dev>_tests(), listed in test_main.c.
 */
#ifndef IRQTEST_CHECK_H
#define IRQTEST_CHECK_H

#include <stdio.h>
#include <inttypes.h>

extern unsigned int tests_passed, tests_failed;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		tests_passed++;						\
	} else {							\
		tests_failed++;						\
		printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);	\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

/* Equality of two integers, printing both on failure. */
#define CHECK_EQ(a, b, what) do {					\
	unsigned long long a_ = (a), b_ = (b);				\
	CHECK(a_ == b_, "%s: got %#llx, want %#llx", what, a_, b_);	\
} while (0)

void run_pic_tests(void);
void run_ioapic_tests(void);
void run_lapic_tests(void);
void run_pit_tests(void);

#endif /* IRQTEST_CHECK_H */
