// SPDX-License-Identifier: GPL-2.0-only
/*
 * Turn a VMX exit into a vendor-neutral struct okvm_exit (the codes
 * kvm-amd produces for the same events), and keep an event whose delivery
 * the exit cut off so it is injected again.
 */
#include <asm/vmx.h>
#include <asm/trapnr.h>

#include "vmx.h"

/* An event that was being delivered when the exit happened. */
static void vmx_save_cut_event(struct okvm_vcpu *vcpu, u32 info, u32 err)
{
	struct okvm_event *ev = &vcpu->arch.event;

	if (!(info & VECTORING_INFO_VALID_MASK))
		return;
	switch (info & VECTORING_INFO_TYPE_MASK) {
	case INTR_TYPE_HARD_EXCEPTION:
		ev->type = OKVM_EVENT_EXCEPTION;
		break;
	case INTR_TYPE_EXT_INTR:
		ev->type = OKVM_EVENT_INTR;
		break;
	case INTR_TYPE_NMI_INTR:
		ev->type = OKVM_EVENT_NMI;
		break;
	default:
		return;	/* INTn, INT3, INTO, INT1: RIP is on the instruction */
	}
	ev->pending = true;
	ev->vector = info & VECTORING_INFO_VECTOR_MASK;
	ev->has_error = info & VECTORING_INFO_DELIVER_CODE_MASK;
	ev->error = err;
}

/*
 * An IRET that faulted (EPT violation, #PF intercept) had already
 * unblocked NMIs; it will run again, so block them again meanwhile.
 */
static void vmx_reblock_nmi(struct okvm_vcpu *vcpu, bool unblocked)
{
	if (unblocked && vcpu->arch.nmi_masked &&
	    !(to_vmx(vcpu)->exit.idt_info & VECTORING_INFO_VALID_MASK))
		to_vmx(vcpu)->intr_state |= GUEST_INTR_STATE_NMI;
}

/* RIP after the intercepted instruction (the exit gives its length). */
static u64 vmx_next_rip(struct okvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 rip = vcpu->arch.rip + vmx->exit.insn_len;

	if ((vmx->efer & EFER_LMA) &&
	    (vmx->seg[OKVM_SEG_CS].ar & VMX_AR_L_MASK))
		return rip;
	return (u32)rip;
}

/* Exit qualification and instruction information of IN/OUT/INS/OUTS. */
static void vmx_decode_io(struct okvm_vcpu *vcpu, struct okvm_exit *exit)
{
	const struct vmx_exit_info *e = &to_vmx(vcpu)->exit;
	u64 q = e->qual;

	exit->code = OKVM_X_IO;
	exit->io.size = (q & 7) + 1;
	exit->io.in = q & BIT(3);
	exit->io.string = q & BIT(4);
	exit->io.rep = q & BIT(5);
	exit->io.port = q >> 16;
	/* For INS/OUTS; io.c checks both against the instruction bytes. */
	exit->io.addr_size = 2 << ((e->insn_info >> 7) & 3);
	exit->io.seg = vmx_caps.inout ? (e->insn_info >> 15) & 7 :
					OKVM_SEG_DS;
	exit->next_rip = vmx_next_rip(vcpu);
}

/* Exception or NMI exits: only #PF (shadow paging) is for kvm.ko. */
static void vmx_decode_exception(struct okvm_vcpu *vcpu,
				 struct okvm_exit *exit)
{
	const struct vmx_exit_info *e = &to_vmx(vcpu)->exit;
	u32 type = e->intr_info & INTR_INFO_INTR_TYPE_MASK;
	u8 vector = e->intr_info & INTR_INFO_VECTOR_MASK;

	if (type == INTR_TYPE_NMI_INTR || vector == X86_TRAP_MC) {
		exit->code = OKVM_X_EXTINT;	/* vmx_run() handled it */
		return;
	}
	if (type == INTR_TYPE_HARD_EXCEPTION && vector == X86_TRAP_DB) {
		/* The qualification holds DR6's B0-3, BD and BS bits. */
		exit->code = OKVM_X_DB;
		exit->db.dr6 = 0xffff0ff0ULL | (e->qual & 0x600f);
		return;
	}
	if (type == INTR_TYPE_HARD_EXCEPTION && vector == X86_TRAP_PF) {
		vmx_reblock_nmi(vcpu, e->intr_info & INTR_INFO_UNBLOCK_NMI);
		exit->code = OKVM_X_GUEST_PF;
		exit->pf.la = e->qual;
		exit->pf.error = e->intr_error;
		return;
	}
	exit->code = OKVM_X_UNKNOWN;
}

/* EPT violation: a #PF-style error code for the MMU. */
static void vmx_decode_ept_violation(struct okvm_vcpu *vcpu,
				     struct okvm_exit *exit)
{
	const struct vmx_exit_info *e = &to_vmx(vcpu)->exit;
	u64 q = e->qual;

	vmx_reblock_nmi(vcpu, q & INTR_INFO_UNBLOCK_NMI);
	exit->code = OKVM_X_NPF;
	exit->npf.gpa = e->gpa;
	if (q & EPT_VIOLATION_ACC_WRITE)
		exit->npf.error |= OKVM_PF_WRITE;
	if (q & EPT_VIOLATION_ACC_INSTR)
		exit->npf.error |= OKVM_PF_FETCH;
	if (q & VMX_EPT_QUAL_PRESENT)
		exit->npf.error |= OKVM_PF_PRESENT;
	if (q & EPT_VIOLATION_GVA_TRANSLATED)
		exit->npf.error |= OKVM_PF_FINAL;
}

static enum okvm_exit_code vmx_exit_code(u16 reason)
{
	switch (reason) {
	case EXIT_REASON_EXTERNAL_INTERRUPT:	return OKVM_X_EXTINT;
	case EXIT_REASON_TRIPLE_FAULT:		return OKVM_X_SHUTDOWN;
	case EXIT_REASON_INTERRUPT_WINDOW:	return OKVM_X_IRQ_WINDOW;
	case EXIT_REASON_NMI_WINDOW:		return OKVM_X_IRET;
	case EXIT_REASON_HLT:			return OKVM_X_HLT;
	case EXIT_REASON_CPUID:			return OKVM_X_CPUID;
	case EXIT_REASON_MSR_READ:		return OKVM_X_RDMSR;
	case EXIT_REASON_MSR_WRITE:		return OKVM_X_WRMSR;
	case EXIT_REASON_XSETBV:		return OKVM_X_XSETBV;
	case EXIT_REASON_CR_ACCESS:		return OKVM_X_CR_ACCESS;
	case EXIT_REASON_DR_ACCESS:		return OKVM_X_DR_ACCESS;
	case EXIT_REASON_INVLPG:		return OKVM_X_INVLPG;
	case EXIT_REASON_RDPMC:			return OKVM_X_GP;
	case EXIT_REASON_TPR_BELOW_THRESHOLD:	return OKVM_X_NONE;
	case EXIT_REASON_INVD:			return OKVM_X_NOP;
	case EXIT_REASON_MWAIT_INSTRUCTION:
	case EXIT_REASON_MONITOR_INSTRUCTION:
		return OKVM_X_MONITOR_MWAIT;
	case EXIT_REASON_PAUSE_INSTRUCTION:	/* pause-loop exiting */
		return OKVM_X_PAUSE;
	case EXIT_REASON_VMCALL:		return OKVM_X_HYPERCALL;
	case EXIT_REASON_VMCLEAR ... EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
	case 11:	/* GETSEC */
		return OKVM_X_UD;
	default:
		return OKVM_X_UNKNOWN;
	}
}

/* Instruction exits whose length the CPU reports. */
static bool vmx_has_next_rip(u16 reason)
{
	switch (reason) {
	case EXIT_REASON_HLT:
	case EXIT_REASON_CPUID:
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
	case EXIT_REASON_XSETBV:
	case EXIT_REASON_INVD:
	case EXIT_REASON_MWAIT_INSTRUCTION:
	case EXIT_REASON_MONITOR_INSTRUCTION:
	case EXIT_REASON_PAUSE_INSTRUCTION:
	case EXIT_REASON_VMCALL:
		return true;
	default:
		return false;
	}
}

/* Instructions that kvm.ko emulates, skips or completes, never re-runs. */
static bool vmx_insn_exit(u16 reason)
{
	switch (reason) {
	case EXIT_REASON_IO_INSTRUCTION:
	case EXIT_REASON_CR_ACCESS:
	case EXIT_REASON_INVLPG:
	case EXIT_REASON_RDPMC:
		return true;
	default:
		return vmx_has_next_rip(reason);
	}
}

/*
 * An STI or MOV SS shadow covers the one instruction that follows, and the
 * exit reports it as it was before that instruction.  When kvm.ko finishes
 * the instruction (STI; HLT, for one), the shadow is over; left in place,
 * it would make the guest look not ready for an interrupt.
 */
static void vmx_end_shadow(struct okvm_vcpu *vcpu)
{
	to_vmx(vcpu)->intr_state &= ~(GUEST_INTR_STATE_STI |
				      GUEST_INTR_STATE_MOV_SS);
}

/* What vmx_run() saw instead of a VM exit. */
static void vmx_decode_no_exit(struct vmx_exit_info *e, struct okvm_exit *exit)
{
	if (e->result == VMX_REFUSED) {
		/* Real mode without unrestricted guest: an internal error. */
		exit->code = OKVM_X_UNKNOWN;
		exit->hw_reason = VMX_EXIT_REASONS_FAILED_VMENTRY |
				  EXIT_REASON_INVALID_STATE;
		return;
	}
	/* VMLAUNCH itself failed: KVM reports the VM-instruction error. */
	pr_warn_ratelimited("kvm_intel: VMLAUNCH failed, VM-instruction error %u\n",
			    e->vm_insn_error);
	exit->code = OKVM_X_ENTRY_FAILED;
	exit->hw_reason = e->vm_insn_error;
}

void vmx_decode_exit(struct okvm_vcpu *vcpu, struct okvm_exit *exit)
{
	struct vmx_exit_info *e = &to_vmx(vcpu)->exit;
	u16 reason = e->reason;

	memset(exit, 0, sizeof(*exit));
	if (e->result != VMX_ENTERED) {
		exit->no_exit = true;
		vmx_decode_no_exit(e, exit);
		return;
	}
	exit->hw_reason = e->reason;
	exit->trace.info1 = e->qual;
	exit->trace.info2 = e->idt_info;
	exit->trace.intr_info = e->intr_info;
	exit->trace.error_code = e->intr_error;
	if (e->reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		exit->code = OKVM_X_ENTRY_FAILED;
		return;
	}
	if (reason != EXIT_REASON_TRIPLE_FAULT)
		vmx_save_cut_event(vcpu, e->idt_info, e->idt_error);
	if (vmx_has_next_rip(reason))
		exit->next_rip = vmx_next_rip(vcpu);
	if (vmx_insn_exit(reason))
		vmx_end_shadow(vcpu);

	switch (reason) {
	case EXIT_REASON_EXCEPTION_NMI:
		vmx_decode_exception(vcpu, exit);
		break;
	case EXIT_REASON_IO_INSTRUCTION:
		vmx_decode_io(vcpu, exit);
		break;
	case EXIT_REASON_EPT_VIOLATION:
		vmx_decode_ept_violation(vcpu, exit);
		break;
	case EXIT_REASON_EPT_MISCONFIG:
		exit->code = OKVM_X_NPF;
		exit->npf.gpa = e->gpa;
		exit->npf.error = OKVM_PF_PRESENT | OKVM_PF_RSVD;
		break;
	default:
		exit->code = vmx_exit_code(reason);
		break;
	}
}

/* The entry floor's question (vendor.h): the same exit again? */
int vmx_exit_repeats(struct okvm_vcpu *vcpu, u64 hw_reason)
{
	struct vmx_exit_info *e = &to_vmx(vcpu)->exit;
	u32 type = e->intr_info & INTR_INFO_INTR_TYPE_MASK;

	if (e->result != VMX_ENTERED)
		return -1;
	if ((u16)e->reason == EXIT_REASON_EXTERNAL_INTERRUPT ||
	    ((u16)e->reason == EXIT_REASON_EXCEPTION_NMI &&
	     (e->intr_info & INTR_INFO_VALID_MASK) &&
	     type == INTR_TYPE_NMI_INTR))
		return 0;
	if (e->reason == (u32)hw_reason &&
	    !(e->idt_info & VECTORING_INFO_VALID_MASK))
		return 1;
	return -1;
}
