// SPDX-License-Identifier: GPL-2.0
/*
 * msrs: KVM_GET_MSR_INDEX_LIST, KVM_SET_MSRS/KVM_GET_MSRS and guest
 * RDMSR/WRMSR/RDTSC/RDTSCP.
 *
 *   index_list  E2BIG (with the real count written back) for a small list,
 *               then the list, which holds STAR and IA32_TSC
 *   host_rw     round trips for the syscall/sysenter MSRs, PAT, MISC_ENABLE,
 *               TSC_AUX and MTRRdefType; KVM_SET/GET_MSRS return how many
 *               MSRs they processed and stop at an unknown index; an invalid
 *               PAT is refused; >= 1000 entries: E2BIG
 *   guest_rw    a 64-bit guest reads the values the host set and writes new
 *               ones that the host reads back
 *   guest_gp    RDMSR/WRMSR of an unknown MSR and WRMSR of an invalid PAT
 *               raise #GP(0) in the guest
 *   platform    as in KVM: the AMD configuration MSRs a guest kernel sets
 *               bits in (NB_CFG at every CPU's bring-up, BU_CFG2, DC_CFG,
 *               TW_CFG, EX_CFG) read as 0 and drop writes, MMIO_CONF_BASE
 *               reads as 0 and takes 0; RDMSR of UCODE_WRITE and WRMSR of a
 *               non-zero MMIO_CONF_BASE raise #GP(0)
 *   tsc         a TSC written by the host reads back close to the value, the
 *               guest's RDTSC lies between host reads, RDTSCP returns the
 *               TSC_AUX set by the host
 *   platform_info  KVM_CAP_MSR_PLATFORM_INFO: PLATFORM_INFO starts with bit
 *               31 (CPUID faulting), the host writes any value, the guest
 *               reads it while the cap is enabled and gets #GP(0) after
 *               KVM_ENABLE_CAP with 0, and for WRMSR always; the host still
 *               reads it.  MISC_FEATURES_ENABLES takes only bit 0, and only
 *               while PLATFORM_INFO has bit 31; with faulting on, CPUID at
 *               CPL 0 still works and PLATFORM_INFO cannot lose bit 31
 *   tsc_adjust  IA32_TSC_ADJUST is in the index list and in
 *               KVM_GET_SUPPORTED_CPUID (7.0:EBX bit 1); without that bit
 *               writes are dropped; the host's writes of TSC_ADJUST leave
 *               the TSC alone and its writes of the TSC leave TSC_ADJUST
 *               alone; a guest write of TSC_ADJUST moves the TSC by the
 *               change, a guest write of the TSC moves TSC_ADJUST by the
 *               TSC's jump
 *   features    KVM_CAP_GET_MSR_FEATURES: KVM_GET_MSR_FEATURE_INDEX_LIST
 *               (E2BIG with the count written back) lists UCODE_REV,
 *               ARCH_CAPABILITIES, PERF_CAPABILITIES and, on AMD, DE_CFG;
 *               KVM_GET_MSRS on /dev/kvm reads each (ARCH_CAPABILITIES has
 *               PSCHANGE_MC_NO, PERF_CAPABILITIES is 0 on AMD), stops at
 *               STAR (not a feature MSR), E2BIG for 1000 entries
 */
#include <sys/ioctl.h>

#include "x86.h"

#define BOGUS_MSR	0xdeadbeef

struct msr_val {
	uint32_t index;
	uint64_t host, guest;	/* set by the host, then by the guest */
};

/*
 * SYSENTER_ESP/EIP stay within 32 bits: KVM keeps only the low half for a
 * guest with an AMD vendor.  MISC_ENABLE keeps bits 11/12 (read-only to the
 * guest).
 */
#define V_STAR		0x0013000800000000, 0x001b001000000000
#define V_LSTAR		0xffffffff81000000, 0xffffffff82000000
#define V_CSTAR		0xffffffff81100000, 0x0000700000001000
#define V_SFMASK	0x0000000000047700, 0x0000000000000700
#define V_KGSBASE	0xffff888000001000, 0x00007fff00002000
#define V_SE_CS		0x0000000000000010, 0x0000000000000023
#define V_SE_ESP	0x0000000012345678, 0x0000000023456789
#define V_SE_EIP	0x0000000087654321, 0x0000000076543210
#define V_PAT		0x0007050600070106, 0x0007040600070406
#define V_MISC		0x0000000000001801, 0x0000000000001800
#define V_TSC_AUX	0x0000000000001234, 0x0000000000005678
#define V_MTRR_DEF	0x0000000000000c06, 0x0000000000000806

#define HOST_(h, g)	h
#define GUEST_(h, g)	g
#define HOST(v)		HOST_(v)
#define GUEST(v)	GUEST_(v)

static const struct msr_val msrs[] = {
	{ MSR_STAR, V_STAR },
	{ MSR_LSTAR, V_LSTAR },
	{ MSR_CSTAR, V_CSTAR },
	{ MSR_SFMASK, V_SFMASK },
	{ MSR_KERNEL_GS_BASE, V_KGSBASE },
	{ MSR_IA32_SYSENTER_CS, V_SE_CS },
	{ MSR_IA32_SYSENTER_ESP, V_SE_ESP },
	{ MSR_IA32_SYSENTER_EIP, V_SE_EIP },
	{ MSR_IA32_CR_PAT, V_PAT },
	{ MSR_IA32_MISC_ENABLE, V_MISC },
	{ MSR_TSC_AUX, V_TSC_AUX },
	{ MSR_MTRR_DEF_TYPE, V_MTRR_DEF },
};

static int kvm_fd;

static void test_index_list(void)
{
	struct kvm_msr_list *l = calloc(1, sizeof(*l) + 4096 * 4);
	uint32_t n, i;
	bool star = false, tsc = false, lstar = false;

	TEST_ASSERT(l, "calloc");
	l->nmsrs = 0;
	TEST_ASSERT_ERRNO(ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, l), E2BIG);
	n = l->nmsrs;
	TEST_ASSERT(n >= 3 && n < 4096, "nmsrs %u", n);
	l->nmsrs = n - 1;
	TEST_ASSERT_ERRNO(ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, l), E2BIG);
	TEST_ASSERT_EQ(l->nmsrs, n);
	l->nmsrs = 4096;
	TEST_ASSERT_OK(ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, l));
	TEST_ASSERT_EQ(l->nmsrs, n);
	for (i = 0; i < n; i++) {
		star |= l->indices[i] == MSR_STAR;
		lstar |= l->indices[i] == MSR_LSTAR;
		tsc |= l->indices[i] == MSR_IA32_TSC;
	}
	TEST_ASSERT(star && lstar && tsc, "STAR %d LSTAR %d IA32_TSC %d",
		    star, lstar, tsc);
	test_note("%u MSRs in the index list", n);
	free(l);
}

static void test_host_rw(struct kvm_vcpu *vcpu)
{
	struct kvm_msrs *m = msrs_alloc(1000);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(msrs); i++)
		vcpu_set_msr(vcpu, msrs[i].index, msrs[i].host);
	for (i = 0; i < ARRAY_SIZE(msrs); i++)
		TEST_ASSERT(vcpu_get_msr(vcpu, msrs[i].index) == msrs[i].host,
			    "MSR 0x%x: 0x%llx != 0x%llx", msrs[i].index,
			    (unsigned long long)vcpu_get_msr(vcpu,
							     msrs[i].index),
			    (unsigned long long)msrs[i].host);

	/* All at once, in one KVM_GET_MSRS. */
	m->nmsrs = ARRAY_SIZE(msrs);
	for (i = 0; i < ARRAY_SIZE(msrs); i++)
		m->entries[i].index = msrs[i].index;
	TEST_ASSERT_EQ(ioctl(vcpu->fd, KVM_GET_MSRS, m), ARRAY_SIZE(msrs));
	for (i = 0; i < ARRAY_SIZE(msrs); i++)
		TEST_ASSERT_EQ(m->entries[i].data, msrs[i].host);

	/* Processing stops at an unknown MSR. */
	m->nmsrs = 4;
	m->entries[0] = (struct kvm_msr_entry){ .index = MSR_STAR,
						.data = 0x11 };
	m->entries[1] = (struct kvm_msr_entry){ .index = MSR_LSTAR,
						.data = 0x22 };
	m->entries[2] = (struct kvm_msr_entry){ .index = BOGUS_MSR };
	m->entries[3] = (struct kvm_msr_entry){ .index = MSR_CSTAR,
						.data = 0x33 };
	TEST_ASSERT_EQ(ioctl(vcpu->fd, KVM_SET_MSRS, m), 2);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_STAR), 0x11);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_LSTAR), 0x22);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_CSTAR), HOST(V_CSTAR));
	m->entries[0].data = m->entries[1].data = m->entries[3].data = 0;
	TEST_ASSERT_EQ(ioctl(vcpu->fd, KVM_GET_MSRS, m), 2);
	TEST_ASSERT_EQ(m->entries[0].data, 0x11);
	TEST_ASSERT_EQ(m->entries[1].data, 0x22);
	m->entries[0].index = BOGUS_MSR;
	TEST_ASSERT_EQ(ioctl(vcpu->fd, KVM_GET_MSRS, m), 0);
	TEST_ASSERT_EQ(ioctl(vcpu->fd, KVM_SET_MSRS, m), 0);
	m->nmsrs = 0;
	TEST_ASSERT_EQ(ioctl(vcpu->fd, KVM_SET_MSRS, m), 0);
	TEST_ASSERT_EQ(ioctl(vcpu->fd, KVM_GET_MSRS, m), 0);

	/* A PAT with memory type 2 (reserved) is refused. */
	TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, MSR_IA32_CR_PAT, 0x2), 0);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_CR_PAT), HOST(V_PAT));

	/* Too many entries. */
	m->nmsrs = 1000;
	for (i = 0; i < 1000; i++)
		m->entries[i].index = MSR_STAR;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_MSRS, m), E2BIG);
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_GET_MSRS, m), E2BIG);

	/* Put the values of the guest test back. */
	vcpu_set_msr(vcpu, MSR_STAR, HOST(V_STAR));
	vcpu_set_msr(vcpu, MSR_LSTAR, HOST(V_LSTAR));
	free(m);
}

#define G_RDMSR_EQ(msr, val)						\
	"\tmov $" STR(msr) ", %ecx\n\trdmsr\n"				\
	"\tshl $32, %rdx\n\tor %rdx, %rax\n\tmov %rax, %rdi\n"		\
	G64_ASSERT_EQ("%rdi", val)

#define G_WRMSR(msr, val)						\
	"\tmov $" STR(msr) ", %ecx\n"					\
	"\tmovabs $" STR(val) ", %rax\n"				\
	"\tmov %rax, %rdx\n\tshr $32, %rdx\n\twrmsr\n"

#define G_CHECK_ALL(which)						\
	G_RDMSR_EQ(MSR_STAR, which(V_STAR))				\
	G_RDMSR_EQ(MSR_LSTAR, which(V_LSTAR))				\
	G_RDMSR_EQ(MSR_CSTAR, which(V_CSTAR))				\
	G_RDMSR_EQ(MSR_SFMASK, which(V_SFMASK))				\
	G_RDMSR_EQ(MSR_KERNEL_GS_BASE, which(V_KGSBASE))		\
	G_RDMSR_EQ(MSR_IA32_SYSENTER_CS, which(V_SE_CS))		\
	G_RDMSR_EQ(MSR_IA32_SYSENTER_ESP, which(V_SE_ESP))		\
	G_RDMSR_EQ(MSR_IA32_SYSENTER_EIP, which(V_SE_EIP))		\
	G_RDMSR_EQ(MSR_IA32_CR_PAT, which(V_PAT))			\
	G_RDMSR_EQ(MSR_IA32_MISC_ENABLE, which(V_MISC))			\
	G_RDMSR_EQ(MSR_TSC_AUX, which(V_TSC_AUX))			\
	G_RDMSR_EQ(MSR_MTRR_DEF_TYPE, which(V_MTRR_DEF))

GUEST_CODE(guest_rw, 64,
	G_CHECK_ALL(HOST)
	G_SYNC(1)
	G_WRMSR(MSR_STAR, GUEST(V_STAR))
	G_WRMSR(MSR_LSTAR, GUEST(V_LSTAR))
	G_WRMSR(MSR_CSTAR, GUEST(V_CSTAR))
	G_WRMSR(MSR_SFMASK, GUEST(V_SFMASK))
	G_WRMSR(MSR_KERNEL_GS_BASE, GUEST(V_KGSBASE))
	G_WRMSR(MSR_IA32_SYSENTER_CS, GUEST(V_SE_CS))
	G_WRMSR(MSR_IA32_SYSENTER_ESP, GUEST(V_SE_ESP))
	G_WRMSR(MSR_IA32_SYSENTER_EIP, GUEST(V_SE_EIP))
	G_WRMSR(MSR_IA32_CR_PAT, GUEST(V_PAT))
	G_WRMSR(MSR_IA32_MISC_ENABLE, GUEST(V_MISC))
	G_WRMSR(MSR_TSC_AUX, GUEST(V_TSC_AUX))
	G_WRMSR(MSR_MTRR_DEF_TYPE, GUEST(V_MTRR_DEF))
	/* The guest reads its own values back, too. */
	G_CHECK_ALL(GUEST)
	G_SYNC(2)
	G_DONE);

static void test_guest_rw(struct kvm_vcpu *vcpu)
{
	unsigned int i;

	vcpu_setup_long(vcpu, LOAD_GUEST(vcpu->vm, guest_rw));
	vcpu_expect_sync(vcpu, 1);
	vcpu_expect_sync(vcpu, 2);
	for (i = 0; i < ARRAY_SIZE(msrs); i++)
		TEST_ASSERT(vcpu_get_msr(vcpu, msrs[i].index) == msrs[i].guest,
			    "MSR 0x%x after the guest's WRMSR: 0x%llx != 0x%llx",
			    msrs[i].index,
			    (unsigned long long)vcpu_get_msr(vcpu,
							     msrs[i].index),
			    (unsigned long long)msrs[i].guest);
	vcpu_expect_done(vcpu);
}

GUEST_CODE(gp_rdmsr, 64,
	"\tmov $" STR(BOGUS_MSR) ", %ecx\n"
	G_LABEL(gp_rdmsr_insn)
	"\trdmsr\n"
	G_DONE);
GUEST_CODE(gp_wrmsr, 64,
	"\tmov $" STR(BOGUS_MSR) ", %ecx\n\txor %eax, %eax\n\txor %edx, %edx\n"
	G_LABEL(gp_wrmsr_insn)
	"\twrmsr\n"
	G_DONE);
GUEST_CODE(gp_pat, 64,
	"\tmov $" STR(MSR_IA32_CR_PAT) ", %ecx\n"
	"\tmov $2, %eax\n\txor %edx, %edx\n"
	G_LABEL(gp_pat_insn)
	"\twrmsr\n"
	G_DONE);
extern const uint8_t gp_rdmsr_insn[], gp_wrmsr_insn[], gp_pat_insn[];

static void expect_gp(struct kvm_vcpu *vcpu, const uint8_t *start,
		      const uint8_t *end, const uint8_t *insn)
{
	uint64_t gpa = vm_load_code(vcpu->vm, start, end);
	struct ucall uc;

	vcpu_setup_long(vcpu, gpa);
	vcpu_use_idt(vcpu);
	vcpu_expect_vector(vcpu, 13, &uc);
	TEST_ASSERT_EQ(uc.arg1, 0);
	TEST_ASSERT_EQ(uc.line, gpa + (insn - start));
}

static void test_guest_gp(struct kvm_vcpu *vcpu)
{
	vm_setup_idt(vcpu->vm);
	expect_gp(vcpu, gp_rdmsr_start, gp_rdmsr_end, gp_rdmsr_insn);
	expect_gp(vcpu, gp_wrmsr_start, gp_wrmsr_end, gp_wrmsr_insn);
	expect_gp(vcpu, gp_pat_start, gp_pat_end, gp_pat_insn);
	/* The refused WRMSR left PAT alone. */
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_CR_PAT), GUEST(V_PAT));
}

#define MSR_UCODE_WRITE		0x79
#define MSR_NB_CFG		0xc001001f
#define MSR_MMIO_CONF_BASE	0xc0010058
#define MSR_BU_CFG2		0xc001102a
#define MSR_DC_CFG		0xc0011022
#define MSR_TW_CFG		0xc0011023
#define MSR_EX_CFG		0xc001102c

GUEST_CODE(guest_platform, 64,
	G_RDMSR_EQ(MSR_NB_CFG, 0)
	G_WRMSR(MSR_NB_CFG, 0x400000000000)	/* EnableCf8ExtCfg */
	G_RDMSR_EQ(MSR_NB_CFG, 0)
	G_WRMSR(MSR_BU_CFG2, 0x8000000)
	G_RDMSR_EQ(MSR_BU_CFG2, 0)
	G_WRMSR(MSR_DC_CFG, 0x10)
	G_RDMSR_EQ(MSR_DC_CFG, 0)
	G_WRMSR(MSR_TW_CFG, 0x4000)
	G_RDMSR_EQ(MSR_TW_CFG, 0)
	G_WRMSR(MSR_EX_CFG, 0x1)
	G_RDMSR_EQ(MSR_EX_CFG, 0)
	G_RDMSR_EQ(MSR_MMIO_CONF_BASE, 0)
	G_WRMSR(MSR_MMIO_CONF_BASE, 0)
	G_DONE);
GUEST_CODE(gp_ucode_write, 64,
	"\tmov $" STR(MSR_UCODE_WRITE) ", %ecx\n"
	G_LABEL(gp_ucode_write_insn)
	"\trdmsr\n"
	G_DONE);
GUEST_CODE(gp_mmio_conf, 64,
	G_WRMSR(MSR_MMIO_CONF_BASE, 0)
	"\tmov $" STR(MSR_MMIO_CONF_BASE) ", %ecx\n"
	"\tmov $0xe0000021, %eax\n\txor %edx, %edx\n"
	G_LABEL(gp_mmio_conf_insn)
	"\twrmsr\n"
	G_DONE);
extern const uint8_t gp_ucode_write_insn[], gp_mmio_conf_insn[];

static void test_platform(struct kvm_vcpu *vcpu)
{
	vcpu_setup_long(vcpu, LOAD_GUEST(vcpu->vm, guest_platform));
	vcpu_expect_done(vcpu);
	vm_setup_idt(vcpu->vm);
	expect_gp(vcpu, gp_ucode_write_start, gp_ucode_write_end,
		  gp_ucode_write_insn);
	expect_gp(vcpu, gp_mmio_conf_start, gp_mmio_conf_end,
		  gp_mmio_conf_insn);
}

GUEST_CODE(guest_tsc, 64,
	"\tlfence\n\trdtsc\n\tshl $32, %rdx\n\tor %rdx, %rax\n"
	"\tmov %rax, %r12\n"
	"\trdtscp\n\tmov %ecx, %r13d\n"
	"\tshl $32, %rdx\n\tor %rdx, %rax\n\tmov %rax, %r14\n"
	G_SYNC(1)
	G_DONE);

static void test_tsc(struct kvm_vcpu *vcpu)
{
	const uint64_t t0 = 1ULL << 40;
	uint64_t khz, t1, t2, window;
	struct ucall uc;

	khz = TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_TSC_KHZ, 0));
	TEST_ASSERT(khz >= 1000, "TSC %llu kHz", (unsigned long long)khz);
	window = khz * 1000 * 30;	/* 30 s: TCG is slow */

	vcpu_set_msr(vcpu, MSR_IA32_TSC, t0);
	t1 = vcpu_get_msr(vcpu, MSR_IA32_TSC);
	TEST_ASSERT(t1 >= t0 && t1 - t0 < window,
		    "TSC set to 0x%llx reads 0x%llx", (unsigned long long)t0,
		    (unsigned long long)t1);

	vcpu_set_msr(vcpu, MSR_TSC_AUX, 0xabcd);
	vcpu_setup_long(vcpu, LOAD_GUEST(vcpu->vm, guest_tsc));
	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT(uc.cmd == UCALL_SYNC && uc.arg0 == 1, "ucall %llu",
		    (unsigned long long)uc.cmd);
	t2 = vcpu_get_msr(vcpu, MSR_IA32_TSC);
	TEST_ASSERT(uc.regs.r12 >= t1 && uc.regs.r12 <= uc.regs.r14 &&
		    uc.regs.r14 <= t2 && t2 - t0 < window,
		    "host 0x%llx, guest rdtsc 0x%llx rdtscp 0x%llx, host 0x%llx",
		    (unsigned long long)t1, (unsigned long long)uc.regs.r12,
		    (unsigned long long)uc.regs.r14, (unsigned long long)t2);
	TEST_ASSERT_EQ(uc.regs.r13, 0xabcd);
	vcpu_expect_done(vcpu);
}

#define PLATFORM_VAL	0x8000ff00

GUEST_CODE(rd_platform, 64,
	G_RDMSR_EQ(MSR_PLATFORM_INFO, PLATFORM_VAL)
	"\tmov $1, %eax\n\txor %ecx, %ecx\n\tcpuid\n"
	G_SYNC(1)
	G_DONE);
GUEST_CODE(gp_platform, 64,
	"\tmov $" STR(MSR_PLATFORM_INFO) ", %ecx\n"
	G_LABEL(gp_platform_insn)
	"\trdmsr\n"
	G_DONE);
GUEST_CODE(gp_wrplatform, 64,
	"\tmov $" STR(MSR_PLATFORM_INFO) ", %ecx\n"
	"\txor %eax, %eax\n\txor %edx, %edx\n"
	G_LABEL(gp_wrplatform_insn)
	"\twrmsr\n"
	G_DONE);
extern const uint8_t gp_platform_insn[], gp_wrplatform_insn[];

static void test_misc_features(struct kvm_vcpu *vcpu)
{
	const uint32_t mfe = MSR_MISC_FEATURES_ENABLES;

	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, mfe), 0);
	TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, mfe, 2), 0);
	vcpu_set_msr(vcpu, MSR_PLATFORM_INFO, 0);
	TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, mfe, 1), 0);
	vcpu_set_msr(vcpu, MSR_PLATFORM_INFO, PLATFORM_VAL);
	vcpu_set_msr(vcpu, mfe, 1);
	TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, MSR_PLATFORM_INFO, 0xff00), 0);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, mfe), 1);
}

static void test_platform_info(struct kvm_vcpu *vcpu)
{
	struct kvm_vm *vm = vcpu->vm;

	TEST_ASSERT_EQ(kvm_check_cap(kvm_fd, KVM_CAP_MSR_PLATFORM_INFO), 1);
	TEST_ASSERT(vcpu_get_msr(vcpu, MSR_PLATFORM_INFO) & (1ULL << 31),
		    "PLATFORM_INFO without CPUID faulting");
	test_misc_features(vcpu);
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, rd_platform));
	vcpu_expect_sync(vcpu, 1);
	vcpu_expect_done(vcpu);

	TEST_ASSERT_OK(vm_enable_cap(vm, KVM_CAP_MSR_PLATFORM_INFO, 0));
	vm_setup_idt(vm);
	expect_gp(vcpu, gp_platform_start, gp_platform_end, gp_platform_insn);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_PLATFORM_INFO), PLATFORM_VAL);
	TEST_ASSERT_OK(vm_enable_cap(vm, KVM_CAP_MSR_PLATFORM_INFO, 1));
	expect_gp(vcpu, gp_wrplatform_start, gp_wrplatform_end,
		  gp_wrplatform_insn);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_PLATFORM_INFO), PLATFORM_VAL);
}

#define ADJ_A	(1ULL << 42)
#define ADJ_T	(1ULL << 44)

GUEST_CODE(guest_tsc_adjust, 64,
	G_WRMSR(MSR_IA32_TSC_ADJUST, ADJ_A)
	G_SYNC(1)
	G_WRMSR(MSR_IA32_TSC, ADJ_T)
	G_SYNC(2)
	G_DONE);

/* @v lies in [lo, lo + window). */
#define ASSERT_NEAR(v, lo, window)					\
	TEST_ASSERT((v) - (lo) < (window), "%s 0x%llx, expected 0x%llx..",	\
		    #v, (unsigned long long)(v), (unsigned long long)(lo))

static void tsc_adjust_without_cpuid(struct kvm_vcpu *vcpu)
{
	struct kvm_cpuid2 *c = kvm_get_supported_cpuid(kvm_fd);
	struct kvm_cpuid_entry2 *e = cpuid_find(c, 7, 0);

	TEST_ASSERT(e && (e->ebx & 2), "no TSC_ADJUST in CPUID.7.0:EBX");
	e->ebx &= ~2u;
	vcpu_set_cpuid(vcpu, c);
	vcpu_set_msr(vcpu, MSR_IA32_TSC_ADJUST, 123);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_TSC_ADJUST), 0);
	free(c);
}

static void test_tsc_adjust(struct kvm_vcpu *vcpu)
{
	uint64_t khz, window, t0, t;

	khz = TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_TSC_KHZ, 0));
	window = khz * 1000 * 30;
	tsc_adjust_without_cpuid(vcpu);
	vcpu_set_supported_cpuid(vcpu);

	t0 = vcpu_get_msr(vcpu, MSR_IA32_TSC);
	vcpu_set_msr(vcpu, MSR_IA32_TSC_ADJUST, 5ULL << 40);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_TSC_ADJUST), 5ULL << 40);
	t = vcpu_get_msr(vcpu, MSR_IA32_TSC);
	ASSERT_NEAR(t, t0, window);
	vcpu_set_msr(vcpu, MSR_IA32_TSC_ADJUST, 0);
	vcpu_set_msr(vcpu, MSR_IA32_TSC, 1ULL << 40);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_TSC_ADJUST), 0);

	vcpu_setup_long(vcpu, LOAD_GUEST(vcpu->vm, guest_tsc_adjust));
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_IA32_TSC_ADJUST), ADJ_A);
	t = vcpu_get_msr(vcpu, MSR_IA32_TSC);
	ASSERT_NEAR(t, (1ULL << 40) + ADJ_A, window);
	vcpu_expect_sync(vcpu, 2);
	t = vcpu_get_msr(vcpu, MSR_IA32_TSC_ADJUST);
	ASSERT_NEAR(t, ADJ_T - (1ULL << 40) - window, window + 1);
	t = vcpu_get_msr(vcpu, MSR_IA32_TSC);
	ASSERT_NEAR(t, ADJ_T, window);
	vcpu_expect_done(vcpu);
}

static void test_index_has(uint32_t index)
{
	struct kvm_msr_list *l = calloc(1, sizeof(*l) + 4096 * 4);
	uint32_t i;
	bool found = false;

	TEST_ASSERT(l, "calloc");
	l->nmsrs = 4096;
	TEST_ASSERT_OK(ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, l));
	for (i = 0; i < l->nmsrs; i++)
		found |= l->indices[i] == index;
	TEST_ASSERT(found, "MSR 0x%x not in KVM_GET_MSR_INDEX_LIST", index);
	free(l);
}

#define MSR_UCODE_REV		0x8b
#define MSR_ARCH_CAPABILITIES	0x10a
#define MSR_PERF_CAPABILITIES	0x345
#define MSR_DE_CFG		0xc0011029

static uint64_t feature_msr(uint32_t index, int expect)
{
	struct kvm_msrs *m = msrs_alloc(2);
	uint64_t data;

	m->nmsrs = 2;
	m->entries[0].index = index;
	m->entries[1].index = MSR_STAR;
	TEST_ASSERT_EQ(ioctl(kvm_fd, KVM_GET_MSRS, m), expect);
	data = m->entries[0].data;
	free(m);
	return data;
}

static void test_features(void)
{
	struct kvm_msr_list *l = calloc(1, sizeof(*l) + 64 * 4);
	const uint32_t want[] = { MSR_UCODE_REV, MSR_ARCH_CAPABILITIES,
				  MSR_PERF_CAPABILITIES, MSR_DE_CFG };
	uint32_t i, j, n, found = 0;
	struct kvm_msrs *m;

	TEST_ASSERT_EQ(kvm_check_cap(kvm_fd, KVM_CAP_GET_MSR_FEATURES), 1);
	TEST_ASSERT_ERRNO(ioctl(kvm_fd, KVM_GET_MSR_FEATURE_INDEX_LIST, l),
			  E2BIG);
	n = l->nmsrs;
	TEST_ASSERT(n >= 3 && n <= 64, "%u feature MSRs", n);
	TEST_ASSERT_OK(ioctl(kvm_fd, KVM_GET_MSR_FEATURE_INDEX_LIST, l));
	TEST_ASSERT_EQ(l->nmsrs, n);
	for (i = 0; i < n; i++) {
		for (j = 0; j < ARRAY_SIZE(want); j++)
			found |= (l->indices[i] == want[j]) << j;
		feature_msr(l->indices[i], 1);
	}
	TEST_ASSERT_EQ(found, host_is_intel() ? 7 : 15);
	TEST_ASSERT(feature_msr(MSR_ARCH_CAPABILITIES, 1) & (1 << 6),
		    "ARCH_CAPABILITIES without PSCHANGE_MC_NO");
	if (!host_is_intel())
		TEST_ASSERT_EQ(feature_msr(MSR_PERF_CAPABILITIES, 1), 0);
	TEST_ASSERT_EQ(feature_msr(MSR_STAR, 0), 0);
	m = msrs_alloc(1000);
	m->nmsrs = 1000;
	TEST_ASSERT_ERRNO(ioctl(kvm_fd, KVM_GET_MSRS, m), E2BIG);
	free(m);
	free(l);
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	test_init("msrs");
	kvm_fd = kvm_open();
	vm = vm_create();
	vcpu = vcpu_add(vm, 0);
	vcpu_set_supported_cpuid(vcpu);
	RUN_SUBTEST("index_list", test_index_list());
	RUN_SUBTEST("features", test_features());
	RUN_SUBTEST("host_rw", test_host_rw(vcpu));
	RUN_SUBTEST("guest_rw", test_guest_rw(vcpu));
	RUN_SUBTEST("guest_gp", test_guest_gp(vcpu));
	RUN_SUBTEST("platform", test_platform(vcpu));
	RUN_SUBTEST("tsc", test_tsc(vcpu));
	vcpu_free(vcpu);
	vcpu = vcpu_add(vm, 1);
	vcpu_set_supported_cpuid(vcpu);
	RUN_SUBTEST("platform_info", test_platform_info(vcpu));
	vcpu_free(vcpu);
	vcpu = vcpu_add(vm, 2);
	RUN_SUBTEST("tsc_adjust", test_index_has(MSR_IA32_TSC_ADJUST);
		    test_tsc_adjust(vcpu));
	vcpu_free(vcpu);
	vm_destroy(vm);
	test_done();
}
