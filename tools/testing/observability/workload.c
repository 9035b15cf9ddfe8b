// SPDX-License-Identifier: GPL-2.0
/*
 * A guest workload with known exit counts, for the tracing checks
 * (trace-check) and the exit round-trip timing: N CPUIDs (handled in the
 * kernel), N OUTs to port 0x80 (KVM_EXIT_IO) and N 4-byte MMIO writes to
 * an unbacked GPA (KVM_EXIT_MMIO), in that order.  Prints one line per
 * phase: "<phase> <N> <ns per iteration>".
 *
 *   workload [N] [REPS]   defaults 10000, 1: REPS runs of the three phases
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kvm_util.h"

#define WORK_PORT	0x80

GUEST_CODE(guest_work, 64,
	"\tmov %r15, %r14\n"
	"1:\txor %eax, %eax\n\txor %ecx, %ecx\n\tcpuid\n"
	"\tdec %r14\n\tjnz 1b\n"
	G_SYNC(1)
	"\tmov %r15, %r14\n\tmov $" STR(WORK_PORT) ", %dx\n"
	"2:\tout %al, %dx\n\tdec %r14\n\tjnz 2b\n"
	G_SYNC(2)
	"\tmov %r15, %r14\n\tmov $" STR(LONG_MMIO_GPA) ", %r12d\n"
	"3:\tmovl $1, (%r12)\n\tdec %r14\n\tjnz 3b\n"
	G_DONE);

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Run until the next ucall, counting the exits of @reason on the way. */
static unsigned long run_phase(struct kvm_vcpu *vcpu, uint32_t reason,
			       uint64_t cmd, uint64_t stage)
{
	unsigned long n = 0;
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		if (vcpu_get_ucall(vcpu, &uc))
			break;
		TEST_ASSERT(vcpu->run->exit_reason == reason,
			    "exit %s, expected %s",
			    exit_reason_str(vcpu->run->exit_reason),
			    exit_reason_str(reason));
		n++;
	}
	ucall_check(&uc);
	/* DONE carries no stage (%rbx still holds the last SYNC's). */
	TEST_ASSERT(uc.cmd == cmd && (cmd == UCALL_DONE || uc.arg0 == stage),
		    "ucall %llu(%llu)", (unsigned long long)uc.cmd,
		    (unsigned long long)uc.arg0);
	return n;
}

static void one_rep(struct kvm_vm *vm, uint64_t entry, unsigned long n)
{
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_regs regs;
	double t0, t1, t2, t3;

	vcpu_setup_long(vcpu, entry);
	vcpu_get_regs(vcpu, &regs);
	regs.r15 = n;
	vcpu_set_regs(vcpu, &regs);
	t0 = now_ns();
	TEST_ASSERT_EQ(run_phase(vcpu, KVM_EXIT_IO, UCALL_SYNC, 1), 0);
	t1 = now_ns();
	TEST_ASSERT_EQ(run_phase(vcpu, KVM_EXIT_IO, UCALL_SYNC, 2), n);
	t2 = now_ns();
	TEST_ASSERT_EQ(run_phase(vcpu, KVM_EXIT_MMIO, UCALL_DONE, 0), n);
	t3 = now_ns();
	printf("cpuid %lu %.0f\npio %lu %.0f\nmmio %lu %.0f\n",
	       n, (t1 - t0) / n, n, (t2 - t1) / n, n, (t3 - t2) / n);
	fflush(stdout);
	vcpu_free(vcpu);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 10000;
	int reps = argc > 2 ? atoi(argv[2]) : 1;
	struct kvm_vm *vm;
	uint64_t entry;

	test_init("workload");
	TEST_ASSERT(n > 0, "N must be positive");
	vm = vm_create();
	entry = LOAD_GUEST(vm, guest_work);
	while (reps-- > 0)
		one_rep(vm, entry, n);
	vm_destroy(vm);
	test_done();
}
