// SPDX-License-Identifier: GPL-2.0
/*
 * quirks: KVM_CAP_DISABLE_QUIRKS2 and the quirks it switches off.
 *
 *   cap         KVM_CHECK_EXTENSION reports MISC_ENABLE_NO_MWAIT and
 *               MWAIT_NEVER_UD_FAULTS (and FIX_HYPERCALL_INSN on AMD);
 *               KVM_ENABLE_CAP with an undefined bit or with flags is
 *               EINVAL, with the reported mask 0, and with 0 again 0
 *   mwait       MONITOR and MWAIT (CPUID without MONITOR) are NOPs while
 *               MWAIT_NEVER_UD_FAULTS is on, #UD when it is off; with
 *               MISC_ENABLE_NO_MWAIT off too, MISC_ENABLE.ENABLE_MWAIT
 *               (bit 18) sets CPUID.01H:ECX.MONITOR (KVM_GET_CPUID2 shows
 *               it) and both are NOPs again; clearing it brings the #UD
 *               back; with that quirk on, the MSR bit changes nothing
 *   hypercall   the native hypercall (VMMCALL on AMD) returns 0 for
 *               KVM_HC_SCHED_YIELD and -KVM_ENOSYS (-1000) for an unknown
 *               number; on AMD, VMCALL is rewritten in guest memory into
 *               VMMCALL and returns 0 while FIX_HYPERCALL_INSN is on, and
 *               raises #UD, bytes untouched, when it is off
 */
#include <string.h>
#include <sys/ioctl.h>

#include "x86.h"

#define QUIRK_MISC_ENABLE_NO_MWAIT	(1u << 4)
#define QUIRK_FIX_HYPERCALL_INSN	(1u << 5)
#define QUIRK_MWAIT_NEVER_UD_FAULTS	(1u << 6)
#define MISC_ENABLE_MWAIT		(1ull << 18)
#define CPUID1_ECX_MWAIT		(1u << 3)
#define UD_VECTOR			6

static void test_cap(struct kvm_vm *vm)
{
	long q = kvm_check_cap(vm->kvm_fd, KVM_CAP_DISABLE_QUIRKS2);
	struct kvm_enable_cap c = { .cap = KVM_CAP_DISABLE_QUIRKS2,
				    .flags = 1 };
	uint64_t want = QUIRK_MISC_ENABLE_NO_MWAIT |
			QUIRK_MWAIT_NEVER_UD_FAULTS;

	if (!host_is_intel())
		want |= QUIRK_FIX_HYPERCALL_INSN;
	TEST_ASSERT_EQ(q & want, want);
	TEST_ASSERT_ERRNO(vm_enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2,
					1ull << 63), EINVAL);
	TEST_ASSERT_ERRNO(vm_enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2,
					~(uint64_t)q), EINVAL);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_ENABLE_CAP, &c), EINVAL);
	TEST_ASSERT_OK(vm_enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2, q));
	TEST_ASSERT_OK(vm_enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2, 0));
}

/* MONITOR then MWAIT, each followed by a sync (1, 2). */
GUEST_CODE(g_mwait, 64,
	"\tlea 0(%rip), %rax\n\txor %ecx, %ecx\n\txor %edx, %edx\n"
	G_LABEL(g_mwait_monitor)
	"\tmonitor\n"
	G_SYNC(1)
	"\txor %eax, %eax\n\txor %ecx, %ecx\n"
	G_LABEL(g_mwait_mwait)
	"\tmwait\n"
	G_SYNC(2)
	G_DONE);
extern const uint8_t g_mwait_monitor[], g_mwait_mwait[];

static uint32_t guest_cpuid1_ecx(struct kvm_vcpu *vcpu)
{
	struct kvm_cpuid2 *c = cpuid_alloc(MAX_CPUID_ENTRIES);
	uint32_t ecx;

	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_CPUID2, c));
	ecx = cpuid_find(c, 1, 0)->ecx;
	free(c);
	return ecx;
}

/* Run g_mwait once: both NOPs, or #UD at MONITOR and at MWAIT. */
static void run_mwait(struct kvm_vcpu *vcpu, uint64_t gpa, bool ud)
{
	struct ucall uc;

	vcpu_setup_long(vcpu, gpa);
	vcpu_use_idt(vcpu);
	if (!ud) {
		vcpu_expect_sync(vcpu, 1);
		vcpu_expect_sync(vcpu, 2);
		vcpu_expect_done(vcpu);
		return;
	}
	vcpu_expect_vector(vcpu, UD_VECTOR, &uc);
	TEST_ASSERT_EQ(uc.line, gpa + BLOB_OFFSET(g_mwait, g_mwait_monitor));
	vcpu_setup_long(vcpu, gpa + BLOB_OFFSET(g_mwait, g_mwait_mwait));
	vcpu_use_idt(vcpu);
	vcpu_expect_vector(vcpu, UD_VECTOR, &uc);
	TEST_ASSERT_EQ(uc.line, gpa + BLOB_OFFSET(g_mwait, g_mwait_mwait));
}

static void test_mwait(void)
{
	struct kvm_vm *vm = vm_create();
	uint64_t gpa = LOAD_GUEST(vm, g_mwait);
	struct kvm_vcpu *vcpu;
	struct kvm_cpuid2 *c;

	vm_setup_idt(vm);
	vcpu = vcpu_add(vm, 0);
	c = kvm_get_supported_cpuid(vm->kvm_fd);
	cpuid_find(c, 1, 0)->ecx &= ~CPUID1_ECX_MWAIT;
	vcpu_set_cpuid(vcpu, c);
	free(c);
	run_mwait(vcpu, gpa, false);
	TEST_ASSERT_OK(vm_enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2,
				     QUIRK_MWAIT_NEVER_UD_FAULTS));
	run_mwait(vcpu, gpa, true);
	/* The MISC_ENABLE quirk on: the MSR bit does not reach CPUID. */
	vcpu_set_msr(vcpu, MSR_IA32_MISC_ENABLE, MISC_ENABLE_MWAIT);
	TEST_ASSERT_EQ(guest_cpuid1_ecx(vcpu) & CPUID1_ECX_MWAIT, 0);
	run_mwait(vcpu, gpa, true);
	TEST_ASSERT_OK(vm_enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2,
				     QUIRK_MWAIT_NEVER_UD_FAULTS |
				     QUIRK_MISC_ENABLE_NO_MWAIT));
	vcpu_set_msr(vcpu, MSR_IA32_MISC_ENABLE, 0);
	vcpu_set_msr(vcpu, MSR_IA32_MISC_ENABLE, MISC_ENABLE_MWAIT);
	TEST_ASSERT_EQ(guest_cpuid1_ecx(vcpu) & CPUID1_ECX_MWAIT,
		       CPUID1_ECX_MWAIT);
	run_mwait(vcpu, gpa, false);
	vcpu_set_msr(vcpu, MSR_IA32_MISC_ENABLE, 0);
	TEST_ASSERT_EQ(guest_cpuid1_ecx(vcpu) & CPUID1_ECX_MWAIT, 0);
	run_mwait(vcpu, gpa, true);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

/* Native hypercalls: SCHED_YIELD (to APIC ID 0), then an unknown one. */
GUEST_CODE(g_hc_native, 64,
	"\tmov $11, %eax\n\txor %ebx, %ebx\n"
	G_LABEL(g_hc_native_insn)
	"\t.byte 0xcc, 0xcc, 0xcc\n"
	G64_ASSERT_EQ("%rax", 0)
	"\tmov $0x7777, %eax\n"
	G_LABEL(g_hc_native_insn2)
	"\t.byte 0xcc, 0xcc, 0xcc\n"
	G64_ASSERT_EQ("%rax", -1000)
	G_DONE);
extern const uint8_t g_hc_native_insn[], g_hc_native_insn2[];

/* VMCALL (on AMD the other vendor's hypercall), SCHED_YIELD. */
GUEST_CODE(g_hc_other, 64,
	"\tmov $11, %eax\n\txor %ebx, %ebx\n"
	G_LABEL(g_hc_other_insn)
	"\tvmcall\n"
	G64_ASSERT_EQ("%rax", 0)
	G_DONE);
extern const uint8_t g_hc_other_insn[];

static const uint8_t vmcall[3] = { 0x0f, 0x01, 0xc1 };
static const uint8_t vmmcall[3] = { 0x0f, 0x01, 0xd9 };

static void test_hypercall(void)
{
	const uint8_t *native = host_is_intel() ? vmcall : vmmcall;
	struct kvm_vm *vm = vm_create();
	uint64_t gpa = LOAD_GUEST(vm, g_hc_native);
	uint8_t *insn = gpa2hva(vm, gpa);
	struct kvm_vcpu *vcpu;
	struct ucall uc;

	vm_setup_idt(vm);
	memcpy(insn + BLOB_OFFSET(g_hc_native, g_hc_native_insn), native, 3);
	memcpy(insn + BLOB_OFFSET(g_hc_native, g_hc_native_insn2), native, 3);
	vcpu = vcpu_add_long(vm, 0, gpa);
	vcpu_expect_done(vcpu);
	if (host_is_intel())
		goto out;	/* VMMCALL on Intel: not implemented by okvm */

	gpa = LOAD_GUEST(vm, g_hc_other);
	insn = (uint8_t *)gpa2hva(vm, gpa) +
	       BLOB_OFFSET(g_hc_other, g_hc_other_insn);
	TEST_ASSERT_OK(vm_enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2,
				     QUIRK_FIX_HYPERCALL_INSN));
	vcpu_setup_long(vcpu, gpa);
	vcpu_use_idt(vcpu);
	vcpu_expect_vector(vcpu, UD_VECTOR, &uc);
	TEST_ASSERT_EQ(uc.line, gpa + BLOB_OFFSET(g_hc_other, g_hc_other_insn));
	TEST_ASSERT(!memcmp(insn, vmcall, 3), "VMCALL was rewritten");

	TEST_ASSERT_OK(vm_enable_cap(vm, KVM_CAP_DISABLE_QUIRKS2, 0));
	vcpu_setup_long(vcpu, gpa);
	vcpu_use_idt(vcpu);
	vcpu_expect_done(vcpu);
	TEST_ASSERT(!memcmp(insn, vmmcall, 3), "VMCALL not rewritten");
out:
	vcpu_free(vcpu);
	vm_destroy(vm);
}

int main(void)
{
	struct kvm_vm *vm;

	test_init("quirks");
	vm = vm_create();
	if (!kvm_check_cap(vm->kvm_fd, KVM_CAP_DISABLE_QUIRKS2))
		test_skip("no KVM_CAP_DISABLE_QUIRKS2");
	RUN_SUBTEST("cap", test_cap(vm));
	vm_destroy(vm);
	RUN_SUBTEST("mwait", test_mwait());
	RUN_SUBTEST("hypercall", test_hypercall());
	test_done();
}
