/* SPDX-License-Identifier: GPL-2.0 */
/*
 * okvm selftests: assertion and reporting helpers.
 *
 * Every check goes through TEST_ASSERT*(), which counts it.  A failed check
 * prints "not ok", the source location, errno/strerror and a message, then
 * exits with KSFT_FAIL.  test_skip() exits with KSFT_SKIP.
 */
#ifndef OKVM_TEST_UTIL_H
#define OKVM_TEST_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

#define STR_(x)		#x
#define STR(x)		STR_(x)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

extern unsigned long test_nr_checks;

void test_init(const char *name);
bool test_wanted(const char *subtest);
void test_begin(const char *subtest);
void test_end(void);
void test_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test_done(void) __attribute__((noreturn));
void test_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void test_fail(const char *file, int line, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));
double test_now(void);
/* Bind thread @tid (0: the caller) to CPU @cpu alone; sched_setaffinity()'s result. */
int pin_to_cpu(int tid, int cpu);

/* Run "call" as subtest "name" unless KVM_TEST_ONLY/KVM_TEST_SKIP say no. */
#define RUN_SUBTEST(name, call)						\
do {									\
	if (test_wanted(name)) {					\
		test_begin(name);					\
		call;							\
		test_end();						\
	}								\
} while (0)

/* Generic check with a printf-style explanation. */
#define TEST_ASSERT(cond, fmt, ...)					\
do {									\
	test_nr_checks++;						\
	if (!(cond)) {							\
		int __err = errno;					\
		test_fail(__FILE__, __LINE__, __err,			\
			  "'%s': " fmt, #cond, ##__VA_ARGS__);		\
	}								\
} while (0)

/* Compare two integers, printing both on mismatch. */
#define TEST_ASSERT_EQ(a, b)						\
do {									\
	unsigned long long __a = (unsigned long long)(a);		\
	unsigned long long __b = (unsigned long long)(b);		\
	test_nr_checks++;						\
	if (__a != __b) {						\
		int __err = errno;					\
		test_fail(__FILE__, __LINE__, __err,			\
			  "%s == %s: 0x%llx != 0x%llx",			\
			  #a, #b, __a, __b);				\
	}								\
} while (0)

/* A syscall-style call must succeed (return value >= 0). */
#define TEST_ASSERT_OK(call)						\
({									\
	long __r = (long)(call);					\
	test_nr_checks++;						\
	if (__r < 0) {							\
		int __err = errno;					\
		test_fail(__FILE__, __LINE__, __err,			\
			  "%s failed, returned %ld", #call, __r);	\
	}								\
	__r;								\
})

/* A syscall-style call must fail with -1 and exactly the given errno. */
#define TEST_ASSERT_ERRNO(call, expected)				\
do {									\
	long __r;							\
	errno = 0;							\
	__r = (long)(call);						\
	test_nr_checks++;						\
	if (__r != -1 || errno != (expected)) {				\
		int __err = errno;					\
		test_fail(__FILE__, __LINE__, __err,			\
			  "%s: expected -1/%s, got %ld/%s", #call,	\
			  strerrorname(expected), __r,			\
			  __r == -1 ? strerrorname(__err) : "-");	\
	}								\
} while (0)

const char *strerrorname(int err);

#endif
