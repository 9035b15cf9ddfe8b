// SPDX-License-Identifier: GPL-2.0-only
/*
 * Turn an SVM #VMEXIT into a vendor-neutral struct okvm_exit, and keep an
 * event whose delivery the exit cut off so it is injected again.
 */
#include <asm/svm.h>
#include <asm/trapnr.h>
#include <asm/cpufeature.h>

#include "svm.h"

/*
 * EXITINTINFO's type.  Exceptions have vectors below 32: an "exception"
 * above is an external interrupt, as QEMU labels a virtual interrupt
 * (V_IRQ) whose delivery an exit cut off.
 */
u32 svm_cut_event_type(u32 info)
{
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK;

	if (type == SVM_EXITINTINFO_TYPE_EXEPT &&
	    (info & SVM_EXITINTINFO_VEC_MASK) >= 32)
		return SVM_EXITINTINFO_TYPE_INTR;
	return type;
}

/* An event that was being delivered when the exit happened. */
static void svm_save_cut_event(struct okvm_vcpu *vcpu, u32 info, u32 err)
{
	struct okvm_event *ev = &vcpu->arch.event;
	u8 vector = info & SVM_EXITINTINFO_VEC_MASK;

	if (!(info & SVM_EXITINTINFO_VALID))
		return;
	switch (svm_cut_event_type(info)) {
	case SVM_EXITINTINFO_TYPE_EXEPT:
		/* INT3/INTO restart from their instruction. */
		if (vector == X86_TRAP_BP || vector == X86_TRAP_OF)
			return;
		ev->type = OKVM_EVENT_EXCEPTION;
		break;
	case SVM_EXITINTINFO_TYPE_INTR:
		ev->type = OKVM_EVENT_INTR;
		break;
	case SVM_EXITINTINFO_TYPE_NMI:
		ev->type = OKVM_EVENT_NMI;
		break;
	default:
		return;	/* INTn: re-executed */
	}
	ev->pending = true;
	ev->vector = vector;
	ev->has_error = info & SVM_EXITINTINFO_VALID_ERR;
	ev->error = err;
}

static void svm_decode_io(struct okvm_exit *exit, u64 info)
{
	exit->code = OKVM_X_IO;
	exit->io.in = info & SVM_IOIO_TYPE_MASK;
	exit->io.string = info & SVM_IOIO_STR_MASK;
	exit->io.rep = info & SVM_IOIO_REP_MASK;
	exit->io.size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
	exit->io.addr_size = 2 * ((info & SVM_IOIO_ASIZE_MASK) >>
				  SVM_IOIO_ASIZE_SHIFT);
	exit->io.seg = (info >> 10) & 7;
	exit->io.port = info >> 16;
}

static enum okvm_exit_code svm_exit_code(u32 code)
{
	if (code >= SVM_EXIT_READ_DR0 && code <= SVM_EXIT_WRITE_DR7)
		return OKVM_X_DR_ACCESS;
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_FERR_FREEZE:
	case SVM_EXIT_EXCP_BASE + X86_TRAP_MC:
		return OKVM_X_EXTINT;
	case SVM_EXIT_HLT:		return OKVM_X_HLT;
	case SVM_EXIT_VINTR:		return OKVM_X_IRQ_WINDOW;
	case SVM_EXIT_IRET:		return OKVM_X_IRET;
	case SVM_EXIT_CPUID:		return OKVM_X_CPUID;
	case SVM_EXIT_XSETBV:		return OKVM_X_XSETBV;
	case SVM_EXIT_SHUTDOWN:		return OKVM_X_SHUTDOWN;
	case (u32)SVM_EXIT_ERR:		return OKVM_X_ENTRY_FAILED;
	case SVM_EXIT_RDPMC:		return OKVM_X_GP;
	case SVM_EXIT_INVD:		return OKVM_X_NOP;
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
		return OKVM_X_MONITOR_MWAIT;
	case SVM_EXIT_VMMCALL:		return OKVM_X_HYPERCALL;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_UD:	return OKVM_X_UD_FAULT;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_RDPRU:
		return OKVM_X_UD;
	default:
		return OKVM_X_UNKNOWN;
	}
}

/*
 * A shutdown: what okvm injected and what the CPU was delivering
 * (EVENTINJ/EXITINTINFO), and the stack; okvm_mmu_explain_shutdown()
 * then checks what delivery needs (IDT, TSS) in the guest's tables.
 */
static __cold void svm_report_shutdown(struct okvm_vcpu *vcpu)
{
	struct vmcb *vmcb = to_vmcb(vcpu);

	pr_info_ratelimited("okvm: vCPU %d shutdown: event %#x/%#x error %#x rsp %#llx\n",
			    vcpu->vcpu_id, to_svm(vcpu)->entry_event,
			    vmcb->control.exit_int_info,
			    vmcb->control.exit_int_info_err, vmcb->save.rsp);
}

void svm_decode_exit(struct okvm_vcpu *vcpu, struct okvm_exit *exit)
{
	struct vmcb_control_area *c = &to_vmcb(vcpu)->control;
	/* exit_code_hi is not reliable (QEMU leaves it 0 for VMEXIT_INVALID). */
	u32 code = c->exit_code;

	memset(exit, 0, sizeof(*exit));
	exit->hw_reason = code;
	exit->trace.info1 = c->exit_info_1;
	exit->trace.info2 = c->exit_info_2;
	exit->trace.intr_info = c->exit_int_info;
	exit->trace.error_code = c->exit_int_info_err;
	if (to_svm(vcpu)->state_lost) {
		exit->code = OKVM_X_STATE_LOST;
		return;
	}
	if (code != (u32)SVM_EXIT_ERR && code != SVM_EXIT_SHUTDOWN)
		svm_save_cut_event(vcpu, c->exit_int_info,
				   c->exit_int_info_err);
	if (code == SVM_EXIT_SHUTDOWN)
		svm_report_shutdown(vcpu);
	/* Reported because QEMU's SVM drops it on VMRUN (events.c). */
	exit->shadow = c->int_state & SVM_INTERRUPT_SHADOW_MASK;
	if (boot_cpu_has(X86_FEATURE_NRIPS))
		exit->next_rip = c->next_rip;

	switch (code) {
	case SVM_EXIT_IOIO:
		svm_decode_io(exit, c->exit_info_1);
		exit->next_rip = c->exit_info_2;
		break;
	case SVM_EXIT_NPF:
		exit->code = OKVM_X_NPF;
		exit->npf.gpa = c->exit_info_2;
		exit->npf.error = c->exit_info_1;
		break;
	case SVM_EXIT_MSR:
		exit->code = c->exit_info_1 ? OKVM_X_WRMSR : OKVM_X_RDMSR;
		break;
	case SVM_EXIT_READ_CR0 ... SVM_EXIT_READ_CR0 + 0x1f:
		exit->code = OKVM_X_CR_ACCESS;	/* decoded by cr.c */
		break;
	case SVM_EXIT_INVLPG:
		exit->code = OKVM_X_INVLPG;
		break;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_PF:
		exit->code = OKVM_X_GUEST_PF;
		exit->pf.la = c->exit_info_2;
		exit->pf.error = c->exit_info_1;
		break;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_DB:
		exit->code = OKVM_X_DB;
		exit->db.dr6 = to_vmcb(vcpu)->save.dr6;
		break;
	default:
		exit->code = svm_exit_code(code);
		break;
	}
}

/* The entry floor's question (vendor.h): the same exit again? */
int svm_exit_repeats(struct okvm_vcpu *vcpu, u64 hw_reason)
{
	struct vmcb_control_area *c = &to_vmcb(vcpu)->control;
	u32 code = c->exit_code;

	if (to_svm(vcpu)->state_lost)
		return -1;
	if (code == SVM_EXIT_INTR || code == SVM_EXIT_NMI)
		return 0;
	if (code == (u32)hw_reason && !(c->exit_int_info & SVM_EXITINTINFO_VALID))
		return 1;
	return -1;
}
