// SPDX-License-Identifier: GPL-2.0
/*
 * mce: machine-check setup of a vCPU.
 *
 *   caps   KVM_CAP_MCE (the maximum number of banks) > 0,
 *          KVM_X86_GET_MCE_CAP_SUPPORTED reports MCG_CTL_P
 *   setup  KVM_X86_SETUP_MCE with 0 banks, too many banks or an unsupported
 *          MCG_CAP bit: EINVAL; with N banks it works and MCG_CAP reads back
 *          through KVM_GET_MSRS
 *   banks  MCi_CTL of the N banks take 0 and all ones from the host and
 *          nothing else; MCi_STATUS/ADDR/MISC round trip; MCG_CTL takes 0 and
 *          all ones; bank N does not exist
 *   no_ctl_p  without KVM_X86_SETUP_MCE (no MCG_CTL_P) the host reads
 *          MCG_CTL as 0 and may write back 0 (a VMM restoring the MSR
 *          list), but not all ones
 */
#include <sys/ioctl.h>

#include "x86.h"

#define MCG_CTL_P	(1ULL << 8)
#define NBANKS		4

static long max_banks;
static uint64_t mce_cap_supported;

static void test_caps(int kvm_fd)
{
	max_banks = kvm_check_cap(kvm_fd, KVM_CAP_MCE);
	TEST_ASSERT(max_banks > 0, "KVM_CAP_MCE %ld", max_banks);
	TEST_ASSERT(max_banks <= 255, "KVM_CAP_MCE %ld", max_banks);
	TEST_ASSERT_OK(ioctl(kvm_fd, KVM_X86_GET_MCE_CAP_SUPPORTED,
			     &mce_cap_supported));
	TEST_ASSERT(mce_cap_supported & MCG_CTL_P,
		    "supported MCG_CAP 0x%llx without MCG_CTL_P",
		    (unsigned long long)mce_cap_supported);
	test_note("%ld banks, MCG_CAP bits 0x%llx", max_banks,
		  (unsigned long long)mce_cap_supported);
}

static void test_setup(struct kvm_vcpu *vcpu)
{
	uint64_t cap = MCG_CTL_P, bit;

	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap), EINVAL);
	cap = MCG_CTL_P | (max_banks + 1);
	if (max_banks < 255)
		TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap),
				  EINVAL);
	/* The first of bits 9..15, 24..63 that KVM does not support. */
	for (bit = 9; bit < 64; bit++)
		if ((bit < 16 || bit >= 24) &&
		    !(mce_cap_supported & (1ULL << bit)))
			break;
	if (bit < 64) {
		cap = MCG_CTL_P | NBANKS | (1ULL << bit);
		TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap),
				  EINVAL);
	}

	cap = MCG_CTL_P | NBANKS;
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap));
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCG_CAP), cap);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCG_CAP) & 0xff, NBANKS);
}

static void test_banks(struct kvm_vcpu *vcpu)
{
	uint32_t i, ctl;

	for (i = 0; i < NBANKS; i++) {
		ctl = MSR_IA32_MC0_CTL + 4 * i;
		/* Reset value: all ones. */
		TEST_ASSERT_EQ(vcpu_get_msr(vcpu, ctl), ~0ULL);
		vcpu_set_msr(vcpu, ctl, 0);
		TEST_ASSERT_EQ(vcpu_get_msr(vcpu, ctl), 0);
		vcpu_set_msr(vcpu, ctl, ~0ULL);
		TEST_ASSERT_EQ(vcpu_get_msr(vcpu, ctl), ~0ULL);
		TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, ctl, 0x1234), 0);
		TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, ctl, 0xffffffff), 0);
		TEST_ASSERT_EQ(vcpu_get_msr(vcpu, ctl), ~0ULL);

		/* STATUS, ADDR, MISC: any value from the host. */
		vcpu_set_msr(vcpu, ctl + 1, 0x8000000000000001ULL + i);
		vcpu_set_msr(vcpu, ctl + 2, 0x12345000 + i);
		vcpu_set_msr(vcpu, ctl + 3, 0x86 + i);
		TEST_ASSERT_EQ(vcpu_get_msr(vcpu, ctl + 1),
			       0x8000000000000001ULL + i);
		TEST_ASSERT_EQ(vcpu_get_msr(vcpu, ctl + 2), 0x12345000 + i);
		TEST_ASSERT_EQ(vcpu_get_msr(vcpu, ctl + 3), 0x86 + i);
		vcpu_set_msr(vcpu, ctl + 1, 0);
		TEST_ASSERT_EQ(vcpu_get_msr(vcpu, ctl + 1), 0);
	}
	/* Bank NBANKS does not exist. */
	ctl = MSR_IA32_MC0_CTL + 4 * NBANKS;
	TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, ctl, 0), 0);

	/* MCG_CTL exists with MCG_CTL_P: 0 or all ones. */
	vcpu_set_msr(vcpu, MSR_IA32_MCG_CTL, 0);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCG_CTL), 0);
	vcpu_set_msr(vcpu, MSR_IA32_MCG_CTL, ~0ULL);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCG_CTL), ~0ULL);
	TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, MSR_IA32_MCG_CTL, 0x55), 0);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCG_CTL), ~0ULL);

	vcpu_set_msr(vcpu, MSR_IA32_MCG_STATUS, 0x5);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCG_STATUS), 0x5);
	vcpu_set_msr(vcpu, MSR_IA32_MCG_STATUS, 0);
}

static void test_no_ctl_p(struct kvm_vcpu *vcpu)
{
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCG_CAP) & MCG_CTL_P, 0);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCG_CTL), 0);
	vcpu_set_msr(vcpu, MSR_IA32_MCG_CTL, 0);
	TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, MSR_IA32_MCG_CTL, ~0ULL), 0);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_MCG_CTL), 0);
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	test_init("mce");
	vm = vm_create();
	vcpu = vcpu_add(vm, 0);
	vcpu_set_supported_cpuid(vcpu);
	RUN_SUBTEST("caps", test_caps(vm->kvm_fd));
	RUN_SUBTEST("setup", test_setup(vcpu));
	RUN_SUBTEST("banks", test_banks(vcpu));
	vcpu_free(vcpu);
	vcpu = vcpu_add(vm, 1);
	RUN_SUBTEST("no_ctl_p", test_no_ctl_p(vcpu));
	vcpu_free(vcpu);
	vm_destroy(vm);
	test_done();
}
