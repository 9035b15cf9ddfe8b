// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_SET_GUEST_DEBUG (single-step only) and the single-step trap after
 * instructions okvm retires itself.
 *
 * While the VMM single-steps (KVM_GUESTDBG_SINGLESTEP) okvm sets RFLAGS.TF
 * for each entry, unless the guest had it set already, and takes it off
 * again after the exit, so KVM_GET_REGS never shows it; #DB is intercepted
 * and a trap after one instruction exits as KVM_EXIT_DEBUG.  Instructions
 * that okvm intercepts and retires (CPUID, port I/O, MSRs, MMIO...) never
 * trap in hardware: okvm_debug_retired() reports the step itself, and when
 * the guest's own TF is set it raises the #DB the CPU would have (the
 * "robust" single-step of KVM_CAP_X86_ROBUST_SINGLESTEP).  Hardware
 * breakpoints and software breakpoints (USE_HW_BP, USE_SW_BP) are not
 * offered: KVM_CAP_SET_GUEST_DEBUG2 lists what is.
 */
#include <linux/kvm.h>
#include <linux/uaccess.h>
#include <asm/traps.h>

#include "kvm_core.h"
#include "vendor.h"
#include "run_hooks.h"

#define OKVM_DR6_FIXED	0xffff0ff0ULL	/* DR6's bits that read as 1 */
#define OKVM_DR6_BS	(1ULL << 14)	/* single step */

/* Flags of KVM_SET_GUEST_DEBUG okvm implements (KVM_CAP_SET_GUEST_DEBUG2). */
u32 okvm_guest_debug_flags(void)
{
	return KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP |
	       KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP |
	       KVM_GUESTDBG_BLOCKIRQ;
}

/* The VMM single-steps the vCPU (KVM_GUESTDBG_SINGLESTEP). */
/* KVM_SET_GUEST_DEBUG: EFAULT, EINVAL (flags), EBUSY (INJECT_* while an
 * exception is pending).  vcpu->mutex held. */
long okvm_vcpu_set_guest_debug(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct okvm_exception *ex = &vcpu->arch.exception;
	struct kvm_guest_debug dbg;

	if (copy_from_user(&dbg, argp, sizeof(dbg)))
		return -EFAULT;
	if (dbg.control & ~okvm_guest_debug_flags())
		return -EINVAL;
	if (dbg.control & (KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP)) {
		if (ex->pending || ex->injected)
			return -EBUSY;
		okvm_queue_exception(vcpu, dbg.control & KVM_GUESTDBG_INJECT_DB ?
				     X86_TRAP_DB : X86_TRAP_BP, false, 0);
	}
	if (!(dbg.control & KVM_GUESTDBG_ENABLE))
		dbg.control = 0;
	vcpu->arch.guest_debug = dbg.control;
	vcpu->arch.debug_step_done = false;
	okvm_vendor->set_db_intercept(vcpu, okvm_single_stepping(vcpu));
	return 0;
}

/* Report one step to the VMM: KVM_EXIT_DEBUG, vector 1. */
static int okvm_debug_exit_to_user(struct okvm_vcpu *vcpu, u64 dr6)
{
	struct kvm_debug_exit_arch *d = &vcpu->arch.debug_exit;
	struct kvm_segment cs;

	okvm_vendor->get_segment(vcpu, &cs, OKVM_SEG_CS);
	d->exception = X86_TRAP_DB;
	d->pc = cs.base + vcpu->arch.rip;
	d->dr6 = dr6 | OKVM_DR6_FIXED;
	d->dr7 = okvm_vendor->get_dr(vcpu, 7);
	return okvm_exit_to_user(vcpu, OKVM_USER_DEBUG);
}

/*
 * okvm retired the instruction at the old RIP itself: what a CPU does at
 * its end when stepping.  Called by okvm_retire_insn().
 */
void __okvm_debug_retired(struct okvm_vcpu *vcpu)
{
	u64 dr6;

	if (okvm_single_stepping(vcpu)) {
		vcpu->arch.debug_step_done = true;
		return;
	}
	if (!(vcpu->arch.rflags & X86_EFLAGS_TF))
		return;
	dr6 = okvm_vendor->get_dr(vcpu, 6);
	okvm_vendor->set_dr(vcpu, 6, dr6 | OKVM_DR6_BS);
	okvm_queue_exception(vcpu, X86_TRAP_DB, false, 0);
}

/* Before an entry: 1 go on, 0 the last step exits to the VMM first. */
int __okvm_debug_entry(struct okvm_vcpu *vcpu)
{
	if (vcpu->arch.debug_step_done) {
		vcpu->arch.debug_step_done = false;
		return okvm_debug_exit_to_user(vcpu, OKVM_DR6_BS);
	}
	if (!okvm_single_stepping(vcpu))
		return 1;
	/* Again at each entry: a vCPU reset (INIT) rewrites the intercepts. */
	okvm_vendor->set_db_intercept(vcpu, true);
	/* A shadow would hold the step back one instruction (and VMX
	 * refuses TF with a shadow but no pending #DB): end it, as KVM. */
	okvm_vendor->set_interrupt_shadow(vcpu, false);
	if (!(vcpu->arch.rflags & X86_EFLAGS_TF)) {
		vcpu->arch.rflags |= X86_EFLAGS_TF;
		vcpu->arch.debug_tf = true;
	}
	return 1;
}

/*
 * An intercepted #DB: the VMM's step, or the guest's own (its TF or debug
 * registers), which goes back to the guest with DR6 as the CPU set it.
 */
int okvm_handle_db(struct okvm_vcpu *vcpu, const struct okvm_exit *exit)
{
	u64 dr6 = exit->db.dr6;

	if (okvm_single_stepping(vcpu) && (dr6 & OKVM_DR6_BS)) {
		okvm_vendor->set_dr(vcpu, 6, dr6 & ~OKVM_DR6_BS);
		return okvm_debug_exit_to_user(vcpu, dr6);
	}
	okvm_vendor->set_dr(vcpu, 6, dr6);
	okvm_queue_exception(vcpu, X86_TRAP_DB, false, 0);
	return 1;
}
