/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vendor ops table: everything kvm.ko asks of kvm-amd.ko (SVM) or
 * kvm-intel.ko (VMX).  Each hook states its context, the locks held, whether
 * it may sleep and what it returns.  SVM and VMX implement the hooks in this
 * order, in files named alike.
 */
#ifndef OKVM_VENDOR_H
#define OKVM_VENDOR_H

#include <linux/kvm.h>
#include "x86.h"

struct module;

struct okvm_x86_ops {
	const char *name;

	/* --- Hardware ------------------------------------------------- */
	/* On the CPU being brought up, preemption off, no locks; may not
	 * sleep.  0 or -errno (e.g. -EBUSY: someone else owns the CPU). */
	int (*hardware_enable)(void);
	/* On the CPU going down (or every CPU at unload); may not sleep. */
	void (*hardware_disable)(void);

	/* --- VM ------------------------------------------------------- */
	/* KVM_CREATE_VM, process context, no locks; may sleep. 0/-errno. */
	int (*vm_init)(struct okvm_vm *vm);
	/* Last reference gone, no vCPUs left; may sleep. */
	void (*vm_destroy)(struct okvm_vm *vm);

	/* --- vCPU lifecycle --------------------------------------------- */
	/* KVM_CREATE_VCPU, vm->lock held; may sleep.  Allocates the control
	 * block into vcpu->arch.vendor.  0/-errno. */
	int (*vcpu_create)(struct okvm_vcpu *vcpu);
	/* vCPU teardown, no locks; may sleep. */
	void (*vcpu_free)(struct okvm_vcpu *vcpu);
	/* Power-on (init=false) or INIT (init=true) state of everything the
	 * control block holds; vcpu->mutex held or vCPU not yet visible. */
	void (*vcpu_reset)(struct okvm_vcpu *vcpu, bool init);

	/* --- Register state: vcpu->mutex held, may not sleep ----------- */
	void (*get_segment)(struct okvm_vcpu *vcpu, struct kvm_segment *var,
			    int seg);
	void (*set_segment)(struct okvm_vcpu *vcpu,
			    const struct kvm_segment *var, int seg);
	void (*get_dtable)(struct okvm_vcpu *vcpu, struct kvm_dtable *dt,
			   bool idt);
	void (*set_dtable)(struct okvm_vcpu *vcpu,
			   const struct kvm_dtable *dt, bool idt);
	/* cr is 0, 2, 3 or 4; returns the guest-visible value. */
	u64 (*get_cr)(struct okvm_vcpu *vcpu, int cr);
	void (*set_cr)(struct okvm_vcpu *vcpu, int cr, u64 val);
	u64 (*get_efer)(struct okvm_vcpu *vcpu);
	void (*set_efer)(struct okvm_vcpu *vcpu, u64 efer);
	/* dr is 6 or 7 (DR0-3 live in vcpu->arch.debug_regs). */
	u64 (*get_dr)(struct okvm_vcpu *vcpu, int dr);
	void (*set_dr)(struct okvm_vcpu *vcpu, int dr, u64 val);
	int (*get_cpl)(struct okvm_vcpu *vcpu);
	/* MSRs whose value lives in the control block.  0 if handled, 1 if
	 * the MSR is not the vendor's. */
	int (*get_msr)(struct okvm_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct okvm_vcpu *vcpu, u32 index, u64 data);
	/*
	 * A feature MSR only this vendor has (KVM_GET_MSRS on /dev/kvm):
	 * 0 with *data set, 1 if none.  Any context.
	 */
	int (*get_msr_feature)(u32 index, u64 *data);
	/* Stop intercepting debug-register accesses (guest owns DR0-7). */
	void (*open_debug_regs)(struct okvm_vcpu *vcpu);
	/* CR8/TPR as the guest sees it (0-15). */
	u8 (*get_tpr)(struct okvm_vcpu *vcpu);
	void (*set_tpr)(struct okvm_vcpu *vcpu, u8 tpr);

	/* --- Events: vcpu->mutex held, may not sleep ------------------- */
	/* The STI/MOV SS interrupt shadow at the current RIP. */
	bool (*get_interrupt_shadow)(struct okvm_vcpu *vcpu);
	void (*set_interrupt_shadow)(struct okvm_vcpu *vcpu, bool shadow);
	/* Exit (OKVM_X_IRQ_WINDOW) as soon as the guest can take an
	 * interrupt; on=false cancels. */
	void (*set_irq_window)(struct okvm_vcpu *vcpu, bool on);
	/* Instead of the window: the CPU delivers @vector itself once the
	 * guest sets IF, no exit; CR8 writes exit meanwhile.  False if it
	 * cannot for this vector; NULL if never (VMX without APICv). */
	bool (*set_virq)(struct okvm_vcpu *vcpu, u8 vector);
	/* After the exit (or an entry called off): cancel set_virq(); true
	 * if the guest took the vector. */
	bool (*virq_taken)(struct okvm_vcpu *vcpu);
	/* NMIs blocked: exit (OKVM_X_IRET) at the guest's next IRET. */
	void (*set_nmi_mask)(struct okvm_vcpu *vcpu, bool masked);
	/* The guest would take an external interrupt now: RFLAGS.IF, no
	 * STI/MOV SS shadow (and GIF on SVM). */
	bool (*interrupt_allowed)(struct okvm_vcpu *vcpu);
	/* An NMI could be injected now: no shadow blocking it (and GIF on
	 * SVM); NMI masking itself is tracked by the caller. */
	bool (*nmi_allowed)(struct okvm_vcpu *vcpu);
	/* Intercept #DB (OKVM_X_DB) from the next entry on, or stop. */
	void (*set_db_intercept)(struct okvm_vcpu *vcpu, bool on);
	/* In-kernel LAPIC, after set_irq_window()/set_virq(): exit when the
	 * guest lowers CR8 below @prio (1-15, the class of an interrupt only
	 * the TPR holds back; SVM: at any CR8 write); 0: no need. */
	void (*update_cr8_intercept)(struct okvm_vcpu *vcpu, int prio);

	/* --- Run ------------------------------------------------------ */
	/* Enter the guest once.  IRQs and preemption off; may not sleep.
	 * flush_tlb: drop this vCPU's guest TLB; moved: first entry on this
	 * CPU since it last ran elsewhere.  Loads vcpu->arch.regs/rip/rflags
	 * and the pending event, stores them back after the exit. */
	void (*run)(struct okvm_vcpu *vcpu, bool flush_tlb, bool moved);
	/* Turn the last hardware exit into a vendor-neutral one.  Preemption
	 * on, vcpu->mutex held; may not sleep. */
	void (*decode_exit)(struct okvm_vcpu *vcpu, struct okvm_exit *exit);
	/* Entry floor (floor.c), after a run() without decode_exit(): 1 if
	 * the exit was @hw_reason again with no event cut off, 0 a host
	 * interrupt or NMI, -1 anything else.  Preemption on, vcpu->mutex. */
	int (*exit_repeats)(struct okvm_vcpu *vcpu, u64 hw_reason);
	/* The MMU's root for this vCPU's next entries (TDP root, or the
	 * shadow table the hardware CR3 points to); may not sleep. */
	void (*set_mmu_root)(struct okvm_vcpu *vcpu, u64 root_pa);

	/* --- Facts ------------------------------------------------------ */
	u32 trace_isa;			/* kvm_exit's isa: OKVM_ISA_* */
	const struct okvm_pte_fmt *tdp_fmt;	/* NULL: no TDP */
	int tdp_levels;
	/*
	 * The vendor's own hypercall instruction (3 bytes), when it
	 * intercepts #UD so that kvm.ko can put it in place of the other
	 * vendor's (KVM_X86_QUIRK_FIX_HYPERCALL_INSN); NULL otherwise.
	 */
	const u8 *hypercall_insn;
};

/* vendor.c: the registered vendor's ops, NULL while /dev/kvm is absent. */
extern const struct okvm_x86_ops *okvm_vendor;
int okvm_x86_register(const struct okvm_x86_ops *ops, struct module *owner);
void okvm_x86_unregister(const struct okvm_x86_ops *ops);

#endif /* OKVM_VENDOR_H */
