/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Force-included (gcc -include, via EXTRA_CFLAGS) into every file of the
 * Linux 6.1 KVM selftests when tools/testing/upstream-selftests/build
 * compiles them from Debian's linux-source-6.1.  It papers over two stable
 * backports whose dependencies were not backported, so that their files
 * build unmodified:
 *
 *  - dirty_log_test.c calls TEST_ASSERT_EQ(), which 6.1's test_util.h does
 *    not have (without it the call is an implicit function declaration and
 *    the link fails);
 *  - steal_time.c includes <asm/kvm.h> before <linux/kvm.h>, and 6.1.192's
 *    <asm/kvm.h> uses __DECLARE_FLEX_ARRAY without including
 *    <linux/stddef.h>, which defines it.
 *
 * The file is also force-included into the selftests' assembler sources,
 * hence the __ASSEMBLER__ guard.
 */
#ifndef OKVM_UPSTREAM_SELFTESTS_COMPAT_H
#define OKVM_UPSTREAM_SELFTESTS_COMPAT_H

#ifndef __ASSEMBLER__

/* The installed uapi header (usr/include), found through -I. */
#include <linux/stddef.h>

/*
 * Compare two integer expressions, each evaluated once, and fail the test
 * through the selftests' own TEST_ASSERT() (from test_util.h, which every
 * user includes before expanding this) printing both sides.
 */
#ifndef TEST_ASSERT_EQ
#define TEST_ASSERT_EQ(a, b)						\
do {									\
	__typeof__(a) okvm_eq_left = (a);				\
	__typeof__(b) okvm_eq_right = (b);				\
									\
	TEST_ASSERT(okvm_eq_left == okvm_eq_right,			\
		    "%s == %s failed: %#lx != %#lx", #a, #b,		\
		    (unsigned long)okvm_eq_left,			\
		    (unsigned long)okvm_eq_right);			\
} while (0)
#endif

#endif /* !__ASSEMBLER__ */

#endif /* OKVM_UPSTREAM_SELFTESTS_COMPAT_H */
