/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm-amd.ko internals: per-CPU and per-vCPU SVM state.
 */
#ifndef OKVM_SVM_H
#define OKVM_SVM_H

#include <linux/types.h>
#include <asm/svm.h>

#include "kvm_core.h"

/* VM_CR (MSR_VM_CR) bit 4, SVMDIS: the firmware disabled SVM. */
#define SVM_VM_CR_SVMDIS	BIT_ULL(4)
/* VMCB offset 0x90, bit 0: nested paging on (OKVM_VMCB_NP_CTL()). */
#define SVM_VMCB_NP_ENABLE	BIT_ULL(0)

/* Per host CPU. */
struct svm_cpu {
	struct page *hsave;		/* VM_HSAVE_PA: VMRUN's host save area */
	struct page *host_vmsave;	/* our VMSAVE/VMLOAD of host state */
	u64 host_vmsave_pa;
	u64 host_tsc_aux;		/* the kernel's per-CPU value */
	u64 asid_generation;
	u32 next_asid;
	bool enabled;
};

/* Per vCPU. */
struct svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u64 asid_generation;		/* of the CPU it last ran on */
	u32 asid;
	/* Without NPT: the guest's view of CR0/CR3/CR4/EFER. */
	u64 cr0, cr3, cr4, efer;
	bool state_lost;		/* see svm_check_saved_state() */
	u32 entry_event;		/* EVENTINJ of the last VMRUN */
};

static inline struct svm_vcpu *to_svm(struct okvm_vcpu *vcpu)
{
	return vcpu->arch.vendor;
}

static inline struct vmcb *to_vmcb(struct okvm_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb;
}

static inline void svm_set_intercept(struct vmcb *vmcb, int bit)
{
	vmcb->control.intercepts[bit / 32] |= 1u << (bit % 32);
}

static inline void svm_clr_intercept(struct vmcb *vmcb, int bit)
{
	vmcb->control.intercepts[bit / 32] &= ~(1u << (bit % 32));
}

/* svm.c */
extern u32 svm_max_asid;
extern bool svm_has_flush_by_asid;
extern bool svm_has_tsc_aux;
extern bool svm_npt;
extern u64 svm_iopm_pa, svm_msrpm_pa;
DECLARE_PER_CPU(struct svm_cpu, svm_cpus);

/* vmcb.c */
void svm_vcpu_reset(struct okvm_vcpu *vcpu, bool init);
void svm_get_segment(struct okvm_vcpu *vcpu, struct kvm_segment *var,
		     int seg);
void svm_set_segment(struct okvm_vcpu *vcpu, const struct kvm_segment *var,
		     int seg);
void svm_get_dtable(struct okvm_vcpu *vcpu, struct kvm_dtable *dt, bool idt);
void svm_set_dtable(struct okvm_vcpu *vcpu, const struct kvm_dtable *dt,
		    bool idt);
u64 svm_get_cr(struct okvm_vcpu *vcpu, int cr);
void svm_set_cr(struct okvm_vcpu *vcpu, int cr, u64 val);
u64 svm_get_efer(struct okvm_vcpu *vcpu);
void svm_set_efer(struct okvm_vcpu *vcpu, u64 efer);
u64 svm_get_dr(struct okvm_vcpu *vcpu, int dr);
void svm_set_dr(struct okvm_vcpu *vcpu, int dr, u64 val);
int svm_get_cpl(struct okvm_vcpu *vcpu);
int svm_get_msr(struct okvm_vcpu *vcpu, u32 index, u64 *data);
int svm_set_msr(struct okvm_vcpu *vcpu, u32 index, u64 data);
int svm_get_msr_feature(u32 index, u64 *data);
void svm_open_debug_regs(struct okvm_vcpu *vcpu);
void svm_set_db_intercept(struct okvm_vcpu *vcpu, bool on);
void svm_set_mmu_root(struct okvm_vcpu *vcpu, u64 root_pa);
u8 svm_get_tpr(struct okvm_vcpu *vcpu);
void svm_set_tpr(struct okvm_vcpu *vcpu, u8 tpr);
bool svm_get_interrupt_shadow(struct okvm_vcpu *vcpu);
void svm_set_interrupt_shadow(struct okvm_vcpu *vcpu, bool shadow);
void svm_set_irq_window(struct okvm_vcpu *vcpu, bool on);
bool svm_set_virq(struct okvm_vcpu *vcpu, u8 vector);
bool svm_virq_taken(struct okvm_vcpu *vcpu);
u32 svm_cut_event_type(u32 info);
void svm_set_nmi_mask(struct okvm_vcpu *vcpu, bool masked);
bool svm_interrupt_allowed(struct okvm_vcpu *vcpu);
bool svm_nmi_allowed(struct okvm_vcpu *vcpu);
void svm_update_cr8_intercept(struct okvm_vcpu *vcpu, int prio);

/* run.c */
void svm_run(struct okvm_vcpu *vcpu, bool flush_tlb, bool moved);

/* exit.c */
void svm_decode_exit(struct okvm_vcpu *vcpu, struct okvm_exit *exit);
int svm_exit_repeats(struct okvm_vcpu *vcpu, u64 hw_reason);

/* vmenter.S */
void __svm_vcpu_run(u64 vmcb_pa, u64 *regs, u64 host_vmsave_pa);
extern const u8 __svm_vmrun_return[];	/* the instruction after VMRUN */

#endif /* OKVM_SVM_H */
