/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm-intel.ko internals: capabilities, per-CPU and per-vCPU VMX state, and
 * the VMX instructions.
 *
 * The VMCS is current on a CPU only inside vmx_run(): it is loaded with
 * VMPTRLD before the entry and VMCLEARed after the exit, with preemption
 * off throughout.  Everything else (the register accessors kvm.ko calls
 * with preemption on) works on a software copy of the guest state in
 * struct vmx_vcpu, written to the VMCS before each entry and read back
 * after each exit.  A vCPU can therefore move between CPUs freely, and no
 * VMCS is ever active on a CPU outside vmx_run().
 */
#ifndef OKVM_VMX_H
#define OKVM_VMX_H

#include <linux/types.h>
#include <asm/vmx.h>

#include "kvm_core.h"

/* IA32_VMX_BASIC bits 53:50: the memory type of VMCS accesses; 6 is WB. */
#define VMX_BASIC_VMCS_MEMTYPE(basic)	(((basic) >> 50) & 0xf)
#define VMX_MEMTYPE_WB			6
/* TSC_MULTIPLIER is a 16.48 fixed-point ratio. */
#define VMX_TSC_RATIO_ONE		(1ULL << 48)
/* EPT violation exit qualification bits 5:3: the page was R, W, X. */
#define VMX_EPT_QUAL_PRESENT		(7UL << 3)

/* What the CPU offers, computed once at module load (vmx.c). */
struct vmx_caps {
	u32 revision;
	u32 pin, cpu, cpu2, exit, entry;	/* the controls we run with */
	u32 cpu_may1, entry_may1;		/* allowed-1 settings */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid;				/* IA32_VMX_EPT_VPID_CAP */
	bool ept, vpid, ug;			/* in use */
	bool inout;				/* INS/OUTS exit information */
	bool rdtscp;
	bool tsc_scaling;			/* TSC_MULTIPLIER at 1.0 */
	u32 ple_gap, ple_window;		/* 0: no pause-loop exiting */
	bool debugctl;				/* the host has IA32_DEBUGCTL */
	u64 host_efer, host_pat;
};

/* Per host CPU. */
struct vmx_cpu {
	struct page *vmxon;
	bool enabled;
	/* MSRs VM exits do not restore, as the kernel set them. */
	u64 star, lstar, cstar, sfmask, tsc_aux;
};

/* A guest segment in VMCS form (access rights with the unusable bit). */
struct vmx_seg {
	u64 base;
	u32 limit;
	u32 ar;
	u16 sel;
};

/* Why the last run did not reach (or return from) the guest. */
enum vmx_entry_result {
	VMX_ENTERED,		/* a VM exit (possibly a failed VM entry) */
	VMX_VMFAIL,		/* VMLAUNCH failed: vm_insn_error says why */
	VMX_REFUSED,		/* real mode without unrestricted guest */
};

/* The last exit, read from the VMCS before it was cleared. */
struct vmx_exit_info {
	enum vmx_entry_result result;
	u32 reason;
	u32 intr_info, intr_error;
	u32 idt_info, idt_error;
	u32 insn_len, insn_info;
	u32 vm_insn_error;
	u64 qual;
	u64 gpa;
};

/* Per vCPU. */
struct vmx_vcpu {
	void *vmcs;
	u64 vmcs_pa;
	u8 *vapic;			/* virtual-APIC page: TPR shadow */
	u16 vpid;			/* 0: no VPID */

	bool fresh;			/* controls not yet in the VMCS */
	bool dirty;			/* guest state changed outside */
	int host_cpu;			/* CPU whose host state the VMCS has */
	u64 host_cr3, host_cr4;

	/* Controls that change at run time. */
	u32 cpu_ctl, entry_ctl;
	u32 exceptions;			/* the exception bitmap */
	u64 mmu_root;			/* EPT root, or shadow table (CR3) */

	/* Guest state: what the guest sees (CR0/CR4 are not the hw ones). */
	struct vmx_seg seg[8];		/* indexed by enum okvm_seg */
	struct vmx_seg gdtr, idtr;
	u64 cr0, cr2, cr3, cr4, efer;
	u64 dr6, dr7, pat;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 pdptr[4];
	u32 intr_state;			/* GUEST_INTERRUPTIBILITY_INFO */
	u32 tpr_threshold;		/* TPR_THRESHOLD of the next entry */

	struct vmx_exit_info exit;
};

static inline struct vmx_vcpu *to_vmx(struct okvm_vcpu *vcpu)
{
	return vcpu->arch.vendor;
}

/* --- VMX instructions --------------------------------------------------- */

void vmx_insn_failed(const char *insn, u64 arg);

static __always_inline void vmcs_write(unsigned long field, u64 val)
{
	asm goto("vmwrite %[val], %[field]\n\t"
		 "jbe %l[fail]"
		 : : [field] "r" (field), [val] "rm" (val) : "cc" : fail);
	return;
fail:
	vmx_insn_failed("vmwrite", field);
}

static __always_inline u64 vmcs_read(unsigned long field)
{
	u64 val;

	asm volatile("vmread %[field], %[val]"
		     : [val] "=rm" (val) : [field] "r" (field) : "cc");
	return val;
}

static __always_inline int vmx_vmclear(u64 pa)
{
	asm goto("vmclear %[pa]\n\t"
		 "jbe %l[fail]"
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

static __always_inline int vmx_vmptrld(u64 pa)
{
	asm goto("vmptrld %[pa]\n\t"
		 "jbe %l[fail]"
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

struct vmx_inv_desc {
	u64 a, b;
};

static __always_inline void vmx_invept(unsigned long type, u64 eptp)
{
	struct vmx_inv_desc d = { eptp, 0 };

	asm volatile("invept %[d], %[type]"
		     : : [d] "m" (d), [type] "r" (type) : "cc", "memory");
}

static __always_inline void vmx_invvpid(unsigned long type, u16 vpid)
{
	struct vmx_inv_desc d = { vpid, 0 };

	asm volatile("invvpid %[d], %[type]"
		     : : [d] "m" (d), [type] "r" (type) : "cc", "memory");
}

/* vmx.c */
extern struct vmx_caps vmx_caps;
DECLARE_PER_CPU(struct vmx_cpu, vmx_cpus);

/* vmcs.c */
extern const struct okvm_pte_fmt vmx_ept_fmt;
void vmx_vcpu_reset(struct okvm_vcpu *vcpu, bool init);
void vmx_get_segment(struct okvm_vcpu *vcpu, struct kvm_segment *var,
		     int seg);
void vmx_set_segment(struct okvm_vcpu *vcpu, const struct kvm_segment *var,
		     int seg);
void vmx_get_dtable(struct okvm_vcpu *vcpu, struct kvm_dtable *dt, bool idt);
void vmx_set_dtable(struct okvm_vcpu *vcpu, const struct kvm_dtable *dt,
		    bool idt);
u64 vmx_get_cr(struct okvm_vcpu *vcpu, int cr);
void vmx_set_cr(struct okvm_vcpu *vcpu, int cr, u64 val);
u64 vmx_get_efer(struct okvm_vcpu *vcpu);
void vmx_set_efer(struct okvm_vcpu *vcpu, u64 efer);
u64 vmx_get_dr(struct okvm_vcpu *vcpu, int dr);
void vmx_set_dr(struct okvm_vcpu *vcpu, int dr, u64 val);
int vmx_get_cpl(struct okvm_vcpu *vcpu);
int vmx_get_msr(struct okvm_vcpu *vcpu, u32 index, u64 *data);
int vmx_set_msr(struct okvm_vcpu *vcpu, u32 index, u64 data);
int vmx_get_msr_feature(u32 index, u64 *data);
void vmx_open_debug_regs(struct okvm_vcpu *vcpu);
void vmx_set_db_intercept(struct okvm_vcpu *vcpu, bool on);
void vmx_set_mmu_root(struct okvm_vcpu *vcpu, u64 root_pa);
u8 vmx_get_tpr(struct okvm_vcpu *vcpu);
void vmx_set_tpr(struct okvm_vcpu *vcpu, u8 tpr);
bool vmx_get_interrupt_shadow(struct okvm_vcpu *vcpu);
void vmx_set_interrupt_shadow(struct okvm_vcpu *vcpu, bool shadow);
void vmx_set_irq_window(struct okvm_vcpu *vcpu, bool on);
void vmx_set_nmi_mask(struct okvm_vcpu *vcpu, bool masked);
bool vmx_interrupt_allowed(struct okvm_vcpu *vcpu);
bool vmx_nmi_allowed(struct okvm_vcpu *vcpu);
void vmx_update_cr8_intercept(struct okvm_vcpu *vcpu, int prio);
bool vmx_pae_paging(struct okvm_vcpu *vcpu);
void vmx_write_controls(struct okvm_vcpu *vcpu);
void vmx_write_guest_state(struct okvm_vcpu *vcpu);
void vmx_read_guest_state(struct okvm_vcpu *vcpu);

/* run.c */
void vmx_run(struct okvm_vcpu *vcpu, bool flush_tlb, bool moved);

/* exit.c */
void vmx_decode_exit(struct okvm_vcpu *vcpu, struct okvm_exit *exit);
int vmx_exit_repeats(struct okvm_vcpu *vcpu, u64 hw_reason);

/* vmenter.S: 0 after a VM exit, 1 when VMLAUNCH failed. */
int __vmx_vcpu_run(u64 *regs);
extern const char __vmx_vmexit[];

#endif /* OKVM_VMX_H */
