// SPDX-License-Identifier: GPL-2.0
/*
 * guest_debug: KVM_SET_GUEST_DEBUG single-stepping and the single-step
 * trap after instructions the hypervisor intercepts.
 *
 *   caps       KVM_CAP_SET_GUEST_DEBUG and KVM_CAP_X86_ROBUST_SINGLESTEP
 *              are 1; KVM_CAP_SET_GUEST_DEBUG2 includes ENABLE and
 *              SINGLESTEP (what other bits do is not asserted: 6.1
 *              ignores unknown ones, later kernels and okvm refuse them)
 *   step       with ENABLE | SINGLESTEP each KVM_RUN executes one guest
 *              instruction and exits KVM_EXIT_DEBUG (vector 1, DR6.BS,
 *              pc at the next instruction), also after CPUID, which the
 *              hypervisor intercepts and retires itself, and after an OUT
 *              that first exits to userspace; KVM_GET_REGS never shows
 *              the TF the hypervisor sets; with the control cleared the
 *              guest runs on to its end
 *   guest_tf   the guest sets RFLAGS.TF itself: its #DB handler sees a
 *              trap after each instruction, CPUID included
 */
#include <sys/ioctl.h>

#include "x86.h"

#define TF	0x100ULL
#define BS	0x4000ULL
#define PORT	0xe0

GUEST_CODE(g_step, 64,
	G_LABEL(step0)
	"\tnop\n"
	G_LABEL(step1)
	"\tinc %eax\n"
	G_LABEL(step2)
	"\tcpuid\n"
	G_LABEL(step3)
	"\tout %al, $" STR(PORT) "\n"
	G_LABEL(step4)
	"\tnop\n"
	G_LABEL(step5)
	"\tnop\n"
	G_DONE);
extern const uint8_t step1[], step2[], step3[], step4[], step5[];

/* #DB handler: record the return RIP; after three, clear TF. */
GUEST_CODE(g_db_handler, 64,
	"\tpush %rax\n\tpush %rbx\n\tpush %rcx\n"
	"\tmov $" STR(DATA_GPA) ", %eax\n"
	"\tmov (%rax), %rbx\n"
	"\tmov 24(%rsp), %rcx\n"
	"\tmov %rcx, 8(%rax,%rbx,8)\n"
	"\tinc %rbx\n"
	"\tmov %rbx, (%rax)\n"
	"\tcmp $3, %rbx\n"
	"\tjb 1f\n"
	"\tandq $~0x100, 40(%rsp)\n"
	"1:\tpop %rcx\n\tpop %rbx\n\tpop %rax\n"
	"\tiretq\n");

GUEST_CODE(g_tf, 64,
	"\tmovq $0, " STR(DATA_GPA) "\n"
	"\tpushfq\n"
	"\torq $0x100, (%rsp)\n"
	"\tpopfq\n"
	"\tnop\n"
	G_LABEL(tf1)
	"\tcpuid\n"
	G_LABEL(tf2)
	"\tnop\n"
	G_LABEL(tf3)
	"\tnop\n"
	G_DONE);
extern const uint8_t tf1[], tf2[], tf3[];

static int set_debug(struct kvm_vcpu *vcpu, uint32_t control)
{
	struct kvm_guest_debug dbg = { .control = control };

	return ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg);
}

static void test_caps(struct kvm_vm *vm)
{
	long dbg2 = kvm_check_cap(vm->kvm_fd, KVM_CAP_SET_GUEST_DEBUG2);
	uint32_t want = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;

	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd, KVM_CAP_SET_GUEST_DEBUG), 1);
	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd,
				     KVM_CAP_X86_ROBUST_SINGLESTEP), 1);
	TEST_ASSERT((dbg2 & want) == want, "GUEST_DEBUG2 0x%lx", dbg2);
}

/* One step: KVM_EXIT_DEBUG at @pc, TF hidden from KVM_GET_REGS. */
static void expect_step(struct kvm_vcpu *vcpu, uint64_t pc)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_DEBUG);
	TEST_ASSERT(run->debug.arch.exception == 1 &&
		    run->debug.arch.pc == pc && (run->debug.arch.dr6 & BS),
		    "debug exit: vector %u pc 0x%llx dr6 0x%llx, want pc 0x%llx",
		    run->debug.arch.exception,
		    (unsigned long long)run->debug.arch.pc,
		    (unsigned long long)run->debug.arch.dr6,
		    (unsigned long long)pc);
	vcpu_get_regs(vcpu, &regs);
	TEST_ASSERT_EQ(regs.rip, pc);
	TEST_ASSERT_EQ(regs.rflags & TF, 0);
}

static void test_step(struct kvm_vm *vm)
{
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t base = LOAD_GUEST(vm, g_step);
	struct kvm_run *run = vcpu->run;

	vcpu_set_supported_cpuid(vcpu);
	vcpu_setup_long(vcpu, base);
	test_caps(vm);
	TEST_ASSERT_OK(set_debug(vcpu, KVM_GUESTDBG_ENABLE |
				 KVM_GUESTDBG_SINGLESTEP));
	expect_step(vcpu, base + BLOB_OFFSET(g_step, step1));
	expect_step(vcpu, base + BLOB_OFFSET(g_step, step2));
	expect_step(vcpu, base + BLOB_OFFSET(g_step, step3));
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_IO);
	TEST_ASSERT(run->io.port == PORT && run->io.direction ==
		    KVM_EXIT_IO_OUT, "io port 0x%x", run->io.port);
	expect_step(vcpu, base + BLOB_OFFSET(g_step, step4));
	expect_step(vcpu, base + BLOB_OFFSET(g_step, step5));
	TEST_ASSERT_OK(set_debug(vcpu, 0));
	vcpu_expect_done(vcpu);
	vcpu_free(vcpu);
}

static void test_guest_tf(struct kvm_vm *vm)
{
	struct kvm_vcpu *vcpu = vcpu_add(vm, 1);
	uint64_t base = LOAD_GUEST(vm, g_tf);
	uint64_t *rec = gpa2hva(vm, DATA_GPA);

	vm_set_idt_gate(vm, 1, LOAD_GUEST(vm, g_db_handler));
	vcpu_set_supported_cpuid(vcpu);
	vcpu_setup_long(vcpu, base);
	vcpu_use_idt(vcpu);
	vcpu_expect_done(vcpu);
	TEST_ASSERT_EQ(rec[0], 3);
	TEST_ASSERT_EQ(rec[1], base + BLOB_OFFSET(g_tf, tf1));
	TEST_ASSERT_EQ(rec[2], base + BLOB_OFFSET(g_tf, tf2));
	TEST_ASSERT_EQ(rec[3], base + BLOB_OFFSET(g_tf, tf3));
	vcpu_free(vcpu);
}

int main(void)
{
	struct kvm_vm *vm;

	test_init("guest_debug");
	vm = vm_create();
	if (!kvm_check_cap(vm->kvm_fd, KVM_CAP_SET_GUEST_DEBUG))
		test_skip("no KVM_CAP_SET_GUEST_DEBUG");
	vm_setup_idt(vm);
	RUN_SUBTEST("step", test_step(vm));
	RUN_SUBTEST("guest_tf", test_guest_tf(vm));
	vm_destroy(vm);
	test_done();
}
