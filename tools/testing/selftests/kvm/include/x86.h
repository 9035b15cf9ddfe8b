/* SPDX-License-Identifier: GPL-2.0 */
/*
 * okvm selftests: x86 helpers on top of kvm_util.h: CPUID tables, MSRs and
 * a guest IDT whose every vector reports itself to the host.
 *
 * vm_setup_idt() loads 256 small 64-bit handler stubs into the code area
 * and writes an IDT of interrupt gates (selector GDT_CODE64_SEL) at
 * IDT_GPA, the first page of the scratch area.  vcpu_use_idt() points a
 * vCPU (already in 64-bit mode) at it.  A stub for vector V does the ucall
 *
 *   UCALL_VECTOR: rbx = V, rcx = error code (0 if none),
 *                 rsi = RIP of the interrupted/faulting instruction,
 *                 rdi = CR2
 *
 * and then parks in a hlt loop with IF = 0: the guest never returns from
 * it, the host sets the vCPU up again for whatever comes next.
 */
#ifndef OKVM_X86_H
#define OKVM_X86_H

#include "kvm_util.h"

#define IDT_GPA			SCRATCH_GPA
#define UCALL_VECTOR		0x20

#define X86_CR0_PE		(1UL << 0)
#define X86_CR0_MP		(1UL << 1)
#define X86_CR0_EM		(1UL << 2)
#define X86_CR0_TS		(1UL << 3)
#define X86_CR0_WP		(1UL << 16)
#define X86_CR0_PG		(1UL << 31)
#define X86_CR4_PAE		(1UL << 5)
#define X86_CR4_PGE		(1UL << 7)
#define X86_CR4_OSFXSR		(1UL << 9)
#define X86_CR4_OSXMMEXCPT	(1UL << 10)
#define X86_CR4_OSXSAVE		(1UL << 18)

#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_TSC_AUX		0xc0000103
#define MSR_IA32_TSC		0x10
#define MSR_IA32_TSC_ADJUST	0x3b
#define MSR_PLATFORM_INFO	0xce
#define MSR_MISC_FEATURES_ENABLES 0x140
#define MSR_IA32_MCG_CAP	0x179
#define MSR_IA32_MCG_STATUS	0x17a
#define MSR_IA32_MCG_CTL	0x17b
#define MSR_IA32_SYSENTER_CS	0x174
#define MSR_IA32_SYSENTER_ESP	0x175
#define MSR_IA32_SYSENTER_EIP	0x176
#define MSR_IA32_MISC_ENABLE	0x1a0
#define MSR_IA32_CR_PAT		0x277
#define MSR_MTRR_DEF_TYPE	0x2ff
#define MSR_IA32_MC0_CTL	0x400
#define MSR_KVM_WALL_CLOCK_NEW	0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01
#define MSR_KVM_PV_EOI_EN	0x4b564d04

#define KVM_CPUID_SIGNATURE	0x40000000
#define KVM_CPUID_FEATURES	0x40000001
#define KVM_FEATURE_NOP_IO_DELAY 1
#define KVM_FEATURE_CLOCKSOURCE2 3
#define KVM_FEATURE_PV_EOI	6

/* CPUID tables (always allocated for KVM_MAX_CPUID_ENTRIES == 256). */
#define MAX_CPUID_ENTRIES	256
struct kvm_cpuid2 *cpuid_alloc(uint32_t nent);
struct kvm_cpuid2 *kvm_get_supported_cpuid(int kvm_fd);
struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t function,
				    uint32_t index);
void vcpu_set_cpuid(struct kvm_vcpu *vcpu, struct kvm_cpuid2 *c);
/* Give the vCPU KVM_GET_SUPPORTED_CPUID's table, as a VMM would. */
void vcpu_set_supported_cpuid(struct kvm_vcpu *vcpu);
void host_cpuid(uint32_t function, uint32_t index, uint32_t regs[4]);
/* The host CPU is an Intel one (VMX, kvm-intel) rather than AMD. */
bool host_is_intel(void);

/* MSRs */
struct kvm_msrs *msrs_alloc(uint32_t nmsrs);
int vcpu_set_msr_raw(struct kvm_vcpu *vcpu, uint32_t index, uint64_t value);
void vcpu_set_msr(struct kvm_vcpu *vcpu, uint32_t index, uint64_t value);
uint64_t vcpu_get_msr(struct kvm_vcpu *vcpu, uint32_t index);
/* KVM_X86_SET_MSR_FILTER: 0, or -1 with errno. */
int vm_set_msr_filter(struct kvm_vm *vm, const struct kvm_msr_filter *f);
/*
 * Run until the next exit; it must be KVM_EXIT_X86_RDMSR (write false) or
 * KVM_EXIT_X86_WRMSR for MSR @index with run->msr.reason @reason.
 */
void __vcpu_expect_msr_exit(const char *file, int line,
			    struct kvm_vcpu *vcpu, bool write, uint32_t index,
			    uint32_t reason);
#define vcpu_expect_msr_exit(vcpu, write, index, reason) \
	__vcpu_expect_msr_exit(__FILE__, __LINE__, vcpu, write, index, reason)

/* Guest IDT */
void vm_setup_idt(struct kvm_vm *vm);
void vm_set_idt_gate(struct kvm_vm *vm, uint32_t vector, uint64_t handler);
void vcpu_use_idt(struct kvm_vcpu *vcpu);
/* vCPU @id with the supported CPUID, in long mode at @entry, on the IDT. */
struct kvm_vcpu *vcpu_add_long(struct kvm_vm *vm, uint32_t id, uint64_t entry);
/* Run until the next ucall; it must be UCALL_VECTOR for "vector". */
void __vcpu_expect_vector(const char *file, int line, struct kvm_vcpu *vcpu,
			  uint32_t vector, struct ucall *uc);
#define vcpu_expect_vector(vcpu, vector, uc) \
	__vcpu_expect_vector(__FILE__, __LINE__, vcpu, vector, uc)

/* The default xAPIC page and IOAPIC window. */
#define APIC_GPA	0xfee00000
#define IOAPIC_GPA	0xfec00000

/* %rdi = the xAPIC page; software-enable the APIC, TPR 0. */
#define G_APIC_ON							\
	"\tmov $" STR(APIC_GPA) ", %edi\n"				\
	"\tmovl $0x1ff, 0xf0(%rdi)\n"					\
	"\tmovl $0, 0x80(%rdi)\n"

/* IOAPIC pin 17 at vector 0x73 (edge, APIC 0), sync 1, then sti; hlt. */
#define G_WAIT_PIN17							\
	G_APIC_ON							\
	"\tmov $" STR(IOAPIC_GPA) ", %esi\n"				\
	"\tmovl $0x32, (%rsi)\n\tmovl $0x73, 0x10(%rsi)\n"		\
	"\tmovl $0x33, (%rsi)\n\tmovl $0, 0x10(%rsi)\n"		\
	G_SYNC(1)							\
	"\tsti\n"							\
	"1:\thlt\n\tjmp 1b\n"

#endif
