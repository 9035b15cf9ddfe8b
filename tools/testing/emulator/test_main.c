// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for arch/x86/kvm/emulate.c and arch/x86/kvm/mmu/walk.c.
 * Prints one line per failure and a final "N passed, N failed" line.
 */
#include "harness.h"

int main(void)
{
	struct env e;

	env_init(&e);
	run_walk_tests(&e);
	run_emulator_tests(&e);
	run_flags_tests(&e);
	env_free(&e);
	printf("%u passed, %u failed\n", tests_passed, tests_failed);
	return tests_failed ? 1 : 0;
}
