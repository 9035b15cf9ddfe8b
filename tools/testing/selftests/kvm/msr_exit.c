// SPDX-License-Identifier: GPL-2.0
/*
 * msr_exit: KVM_CAP_X86_USER_SPACE_MSR (guest RDMSR/WRMSR that would raise
 * #GP exit to userspace as KVM_EXIT_X86_RDMSR/WRMSR) and
 * KVM_X86_SET_MSR_FILTER (KVM_CAP_X86_MSR_FILTER).
 *
 *   caps        both capabilities report 1; KVM_ENABLE_CAP takes any mix
 *               of the three KVM_MSR_EXIT_REASON_* bits, EINVAL for others
 *   bad_filter  EINVAL for unknown filter flags, DEFAULT_DENY without
 *               ranges, a range with no or unknown flags, a bitmap over
 *               KVM_MSR_FILTER_MAX_BITMAP_SIZE; EFAULT for an unreadable
 *               bitmap; a range with nmsrs 0 is ignored whatever its flags
 *   unknown     RDMSR/WRMSR of an MSR nobody implements exit with reason
 *               UNKNOWN (data 0 for a read, EDX:EAX for a write); the
 *               read's answer lands in EDX:EAX, msr.error raises #GP(0) on
 *               the instruction
 *   inval       an invalid PAT value exits with reason INVAL and the
 *               write is not done; without INVAL in the mask it is #GP(0)
 *   filter      a READ range denying STAR exits with reason FILTER while
 *               WRMSR of STAR works; KVM_GET/SET_MSRS ignore the filter;
 *               DEFAULT_DENY lets only the allowed ranges through; an
 *               empty filter turns filtering off; a denied access with
 *               FILTER not in the mask is #GP(0)
 *   x2apic      the x2APIC MSRs are never filtered: under a DEFAULT_DENY
 *               filter, RDMSR of 0x802 without an in-kernel LAPIC exits
 *               with reason INVAL, not FILTER
 */
#include <string.h>
#include <sys/ioctl.h>

#include "x86.h"

#define BOGUS_MSR	0xdeadbeef
#define MSR_IA32_CR_PAT	0x277
#define RD_DATA		0x1122334455667788
#define WR_EAX		0xaabbccdd
#define WR_EDX		0x01020304
#define STAR_GUEST	0x0023001000000000
#define CSTAR_USER	0x0000000700000007

#define ALL_REASONS	(KVM_MSR_EXIT_REASON_INVAL | \
			 KVM_MSR_EXIT_REASON_UNKNOWN | \
			 KVM_MSR_EXIT_REASON_FILTER)

static int kvm_fd;
static uint8_t bitmap[KVM_MSR_FILTER_MAX_BITMAP_SIZE];

static void enable_reasons(struct kvm_vm *vm, uint64_t mask)
{
	TEST_ASSERT_OK(vm_enable_cap(vm, KVM_CAP_X86_USER_SPACE_MSR, mask));
}

static void test_caps(struct kvm_vm *vm)
{
	TEST_ASSERT_EQ(kvm_check_cap(kvm_fd, KVM_CAP_X86_USER_SPACE_MSR), 1);
	TEST_ASSERT_EQ(kvm_check_cap(kvm_fd, KVM_CAP_X86_MSR_FILTER), 1);
	TEST_ASSERT_ERRNO(vm_enable_cap(vm, KVM_CAP_X86_USER_SPACE_MSR,
					1 << 3), EINVAL);
	TEST_ASSERT_ERRNO(vm_enable_cap(vm, KVM_CAP_X86_USER_SPACE_MSR,
					ALL_REASONS | (1ULL << 32)), EINVAL);
	enable_reasons(vm, 0);
	enable_reasons(vm, ALL_REASONS);
	enable_reasons(vm, KVM_MSR_EXIT_REASON_FILTER);
}

static void set_range(struct kvm_msr_filter *f, int i, uint32_t flags,
		      uint32_t base, uint32_t nmsrs, uint8_t *bm)
{
	f->ranges[i].flags = flags;
	f->ranges[i].base = base;
	f->ranges[i].nmsrs = nmsrs;
	f->ranges[i].bitmap = bm;
}

static void test_bad_filter(struct kvm_vm *vm)
{
	struct kvm_msr_filter f;

	memset(&f, 0, sizeof(f));
	f.flags = 2;
	TEST_ASSERT_ERRNO(vm_set_msr_filter(vm, &f), EINVAL);
	f.flags = KVM_MSR_FILTER_DEFAULT_DENY;
	TEST_ASSERT_ERRNO(vm_set_msr_filter(vm, &f), EINVAL);
	f.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
	TEST_ASSERT_OK(vm_set_msr_filter(vm, &f));

	set_range(&f, 0, 0, 0, 1, bitmap);
	TEST_ASSERT_ERRNO(vm_set_msr_filter(vm, &f), EINVAL);
	set_range(&f, 0, KVM_MSR_FILTER_READ | 4, 0, 1, bitmap);
	TEST_ASSERT_ERRNO(vm_set_msr_filter(vm, &f), EINVAL);
	set_range(&f, 0, KVM_MSR_FILTER_READ, 0,
		  KVM_MSR_FILTER_MAX_BITMAP_SIZE * 8 + 1, bitmap);
	TEST_ASSERT_ERRNO(vm_set_msr_filter(vm, &f), EINVAL);
	set_range(&f, 0, KVM_MSR_FILTER_READ, 0, 0xffffffff, bitmap);
	TEST_ASSERT_ERRNO(vm_set_msr_filter(vm, &f), EINVAL);
	set_range(&f, 0, KVM_MSR_FILTER_READ, 0, 1, (uint8_t *)8);
	TEST_ASSERT_ERRNO(vm_set_msr_filter(vm, &f), EFAULT);
	/* The bad range is the second one: the first does not save it. */
	set_range(&f, 0, KVM_MSR_FILTER_WRITE, 0, 64, bitmap);
	set_range(&f, 1, 8, 0x100, 1, bitmap);
	TEST_ASSERT_ERRNO(vm_set_msr_filter(vm, &f), EINVAL);

	/* Empty ranges are skipped without a look at their flags. */
	set_range(&f, 0, 8, 0, 0, NULL);
	set_range(&f, 1, KVM_MSR_FILTER_READ, 0,
		  KVM_MSR_FILTER_MAX_BITMAP_SIZE * 8, bitmap);
	TEST_ASSERT_OK(vm_set_msr_filter(vm, &f));
	memset(&f, 0, sizeof(f));
	TEST_ASSERT_OK(vm_set_msr_filter(vm, &f));
}

GUEST_CODE(unk, 64,
	"\tmov $" STR(BOGUS_MSR) ", %ecx\n\trdmsr\n"
	"\tshl $32, %rdx\n\tor %rdx, %rax\n"
	G64_ASSERT_EQ("%rax", RD_DATA)
	"\tmov $" STR(BOGUS_MSR) ", %ecx\n"
	"\tmov $" STR(WR_EAX) ", %eax\n\tmov $" STR(WR_EDX) ", %edx\n"
	"\twrmsr\n"
	G_SYNC(1)
	"\tmov $" STR(BOGUS_MSR) ", %ecx\n"
	G_LABEL(unk_gp_insn)
	"\trdmsr\n"
	G_DONE);
extern const uint8_t unk_gp_insn[];

static void expect_gp_at(struct kvm_vcpu *vcpu, uint64_t rip)
{
	struct ucall uc;

	vcpu_expect_vector(vcpu, 13, &uc);
	TEST_ASSERT_EQ(uc.arg1, 0);
	TEST_ASSERT_EQ(uc.line, rip);
}

static void test_unknown(struct kvm_vcpu *vcpu)
{
	uint64_t gpa = LOAD_GUEST(vcpu->vm, unk);
	struct kvm_run *run = vcpu->run;

	enable_reasons(vcpu->vm, KVM_MSR_EXIT_REASON_UNKNOWN);
	vcpu_setup_long(vcpu, gpa);
	vcpu_use_idt(vcpu);
	vcpu_expect_msr_exit(vcpu, false, BOGUS_MSR,
			     KVM_MSR_EXIT_REASON_UNKNOWN);
	TEST_ASSERT_EQ(run->msr.data, 0);
	run->msr.data = RD_DATA;
	vcpu_expect_msr_exit(vcpu, true, BOGUS_MSR,
			     KVM_MSR_EXIT_REASON_UNKNOWN);
	TEST_ASSERT_EQ(run->msr.data, (uint64_t)WR_EDX << 32 | WR_EAX);
	vcpu_expect_sync(vcpu, 1);
	vcpu_expect_msr_exit(vcpu, false, BOGUS_MSR,
			     KVM_MSR_EXIT_REASON_UNKNOWN);
	run->msr.error = 1;
	expect_gp_at(vcpu, gpa + BLOB_OFFSET(unk, unk_gp_insn));
}

#define G_BAD_PAT							\
	"\tmov $" STR(MSR_IA32_CR_PAT) ", %ecx\n"			\
	"\tmov $2, %eax\n\txor %edx, %edx\n"

GUEST_CODE(inval, 64,
	G_BAD_PAT
	"\twrmsr\n"
	G_SYNC(1)
	G_BAD_PAT
	G_LABEL(inval_gp_insn)
	"\twrmsr\n"
	G_DONE);
extern const uint8_t inval_gp_insn[];

static void test_inval(struct kvm_vcpu *vcpu)
{
	uint64_t gpa = LOAD_GUEST(vcpu->vm, inval);
	uint64_t pat = vcpu_get_msr(vcpu, MSR_IA32_CR_PAT);

	enable_reasons(vcpu->vm, KVM_MSR_EXIT_REASON_INVAL);
	vcpu_setup_long(vcpu, gpa);
	vcpu_use_idt(vcpu);
	vcpu_expect_msr_exit(vcpu, true, MSR_IA32_CR_PAT,
			     KVM_MSR_EXIT_REASON_INVAL);
	TEST_ASSERT_EQ(vcpu->run->msr.data, 2);
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_CR_PAT), pat);
	enable_reasons(vcpu->vm, KVM_MSR_EXIT_REASON_UNKNOWN |
				 KVM_MSR_EXIT_REASON_FILTER);
	expect_gp_at(vcpu, gpa + BLOB_OFFSET(inval, inval_gp_insn));
}

#define G_RDMSR64(msr)							\
	"\tmov $" STR(msr) ", %ecx\n\trdmsr\n"				\
	"\tshl $32, %rdx\n\tor %rdx, %rax\n"

GUEST_CODE(filt, 64,
	G_RDMSR64(MSR_STAR)
	G64_ASSERT_EQ("%rax", RD_DATA)
	"\tmov $" STR(MSR_STAR) ", %ecx\n"
	"\tmovabs $" STR(STAR_GUEST) ", %rax\n"
	"\tmov %rax, %rdx\n\tshr $32, %rdx\n\twrmsr\n"
	G_SYNC(1)
	G_RDMSR64(MSR_LSTAR)
	G_RDMSR64(MSR_CSTAR)
	G64_ASSERT_EQ("%rax", CSTAR_USER)
	G_SYNC(2)
	G_RDMSR64(MSR_STAR)
	G64_ASSERT_EQ("%rax", STAR_GUEST)
	G_SYNC(3)
	"\tmov $" STR(MSR_STAR) ", %ecx\n"
	G_LABEL(filt_gp_insn)
	"\trdmsr\n"
	G_DONE);
extern const uint8_t filt_gp_insn[];

/* Phase 2: only LSTAR may be read or written, nothing else. */
static void set_deny_filter(struct kvm_vm *vm)
{
	static uint8_t lstar_ok = 1;
	struct kvm_msr_filter f;

	memset(&f, 0, sizeof(f));
	f.flags = KVM_MSR_FILTER_DEFAULT_DENY;
	set_range(&f, 0, KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE,
		  MSR_LSTAR, 1, &lstar_ok);
	TEST_ASSERT_OK(vm_set_msr_filter(vm, &f));
}

static void set_star_read_filter(struct kvm_vm *vm)
{
	struct kvm_msr_filter f;

	memset(bitmap, 0, sizeof(bitmap));
	memset(&f, 0, sizeof(f));
	set_range(&f, 0, KVM_MSR_FILTER_READ, MSR_STAR, 1, bitmap);
	TEST_ASSERT_OK(vm_set_msr_filter(vm, &f));
}

static void test_filter(struct kvm_vcpu *vcpu)
{
	uint64_t gpa = LOAD_GUEST(vcpu->vm, filt);
	struct kvm_msr_filter none;

	enable_reasons(vcpu->vm, ALL_REASONS);
	set_star_read_filter(vcpu->vm);
	vcpu_setup_long(vcpu, gpa);
	vcpu_use_idt(vcpu);
	vcpu_expect_msr_exit(vcpu, false, MSR_STAR,
			     KVM_MSR_EXIT_REASON_FILTER);
	vcpu->run->msr.data = RD_DATA;
	vcpu_expect_sync(vcpu, 1);
	/* The host's accesses are never filtered. */
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_STAR), STAR_GUEST);
	vcpu_set_msr(vcpu, MSR_STAR, STAR_GUEST);

	set_deny_filter(vcpu->vm);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_STAR), STAR_GUEST);
	vcpu_expect_msr_exit(vcpu, false, MSR_CSTAR,
			     KVM_MSR_EXIT_REASON_FILTER);
	vcpu->run->msr.data = CSTAR_USER;
	vcpu_expect_sync(vcpu, 2);

	memset(&none, 0, sizeof(none));
	TEST_ASSERT_OK(vm_set_msr_filter(vcpu->vm, &none));
	vcpu_expect_sync(vcpu, 3);

	set_star_read_filter(vcpu->vm);
	enable_reasons(vcpu->vm, KVM_MSR_EXIT_REASON_UNKNOWN |
				 KVM_MSR_EXIT_REASON_INVAL);
	expect_gp_at(vcpu, gpa + BLOB_OFFSET(filt, filt_gp_insn));
	TEST_ASSERT_OK(vm_set_msr_filter(vcpu->vm, &none));
}

GUEST_CODE(x2apic, 64,
	G_RDMSR64(0x802)
	G64_ASSERT_EQ("%rax", RD_DATA)
	G_DONE);

static void test_x2apic(struct kvm_vcpu *vcpu)
{
	struct kvm_msr_filter none;

	memset(&none, 0, sizeof(none));
	enable_reasons(vcpu->vm, ALL_REASONS);
	set_deny_filter(vcpu->vm);
	vcpu_setup_long(vcpu, LOAD_GUEST(vcpu->vm, x2apic));
	vcpu_expect_msr_exit(vcpu, false, 0x802, KVM_MSR_EXIT_REASON_INVAL);
	vcpu->run->msr.data = RD_DATA;
	vcpu_expect_done(vcpu);
	TEST_ASSERT_OK(vm_set_msr_filter(vcpu->vm, &none));
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	test_init("msr_exit");
	kvm_fd = kvm_open();
	if (!kvm_check_cap(kvm_fd, KVM_CAP_X86_USER_SPACE_MSR) ||
	    !kvm_check_cap(kvm_fd, KVM_CAP_X86_MSR_FILTER))
		test_skip("KVM_CAP_X86_USER_SPACE_MSR or _MSR_FILTER missing");
	vm = vm_create();
	vcpu = vcpu_add(vm, 0);
	vcpu_set_supported_cpuid(vcpu);
	vm_setup_idt(vm);
	RUN_SUBTEST("caps", test_caps(vm));
	RUN_SUBTEST("bad_filter", test_bad_filter(vm));
	RUN_SUBTEST("unknown", test_unknown(vcpu));
	RUN_SUBTEST("inval", test_inval(vcpu));
	RUN_SUBTEST("filter", test_filter(vcpu));
	RUN_SUBTEST("x2apic", test_x2apic(vcpu));
	vcpu_free(vcpu);
	vm_destroy(vm);
	test_done();
}
