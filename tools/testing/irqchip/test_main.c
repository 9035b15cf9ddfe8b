// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the freestanding device models of arch/x86/kvm/dev (PIC,
 * IOAPIC, LAPIC, PIT).  Prints one line per failure and a final
 * "N passed, N failed" line.  A model not written yet has a weak empty
 * runner, so each model's tests join as it lands.
 */
#include "check.h"

unsigned int tests_passed, tests_failed;

__attribute__((weak)) void run_pic_tests(void) {}
__attribute__((weak)) void run_ioapic_tests(void) {}
__attribute__((weak)) void run_lapic_tests(void) {}
__attribute__((weak)) void run_pit_tests(void) {}

int main(void)
{
	run_pic_tests();
	run_ioapic_tests();
	run_lapic_tests();
	run_pit_tests();
	printf("%u passed, %u failed\n", tests_passed, tests_failed);
	return tests_failed || !tests_passed ? 1 : 0;
}
