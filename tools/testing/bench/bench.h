/* SPDX-License-Identifier: GPL-2.0 */
/*
 * okvm-bench: micro-benchmarks of a KVM implementation, run inside the
 * nested bench VM by tools/testing/bench/inside.sh against whichever kvm
 * modules are loaded.  Each benchmark prints one line "ROW VALUE" on
 * stdout (VALUE in the row's unit, lower is better); the driver collects
 * the lines of both sides and summarises them.
 *
 * Guest programs read their iteration count from DATA_GPA and count
 * interrupts in COUNT_GPA; they end with a DONE ucall.
 */
#ifndef OKVM_BENCH_H
#define OKVM_BENCH_H

#include "kvm_util.h"
#include "x86.h"

#define ITERS_GPA	DATA_GPA		/* u64: iterations to run */
#define COUNT_GPA	(DATA_GPA + 8)		/* u64: interrupts seen */
#define READY_GPA	(DATA_GPA + 16)		/* u64: second vCPU is up */

/* The 1 GiB test slot: inside the identity map, clear of everything. */
#define BIG_SLOT	1
#define BIG_GPA		0x40000000UL
#define BIG_SIZE	0x40000000UL
#define BIG_PAGES	(BIG_SIZE / PAGE_SIZE)

struct bench {
	const char *name;
	const char *unit;
	void (*run)(unsigned long scale);
	/*
	 * 1: run() once.  More: run() that many times and print the median of the
	 * values it reports (rows with one value per run only).
	 */
	unsigned int runs;
};

extern const struct bench exit_benches[];
extern const struct bench mem_benches[];

/* Print "name value" for the row being measured. */
void bench_report(const char *name, double value);
/* u64 at a guest physical address of the VM's tracked slots. */
volatile uint64_t *guest_u64(struct kvm_vm *vm, uint64_t gpa);

#endif
