// SPDX-License-Identifier: GPL-2.0-only
/*
 * Handling of vendor-neutral exits.  Vendor code says what happened
 * (struct okvm_exit); this file decides what to do about it.
 */
#include <linux/kvm.h>
#include <asm/trapnr.h>

#include "kvm_core.h"
#include "vendor.h"
#include "emulate.h"
#include "mmu/mmu.h"
#include "mmu/walk.h"
#include "irqchip.h"
#include "run_hooks.h"

/*
 * Advance RIP past the intercepted instruction.  next_rip comes from the
 * hardware when it knows it (NRIP-save, VMX's exit instruction length);
 * otherwise the decoder reads the instruction, which must be one of the
 * operand-less ones skipped on an intercept (HLT, CPUID, RDMSR, ...).
 * 1 on success (or when fetching it faulted into the guest), 0 after an
 * internal-error exit.
 */
/*
 * The guest's instruction is done: RIP moves past it and an STI or MOV SS
 * shadow it was in has ended, as after any instruction.
 */
void okvm_retire_insn(struct okvm_vcpu *vcpu, u64 rip)
{
	vcpu->arch.rip = rip;
	okvm_vendor->set_interrupt_shadow(vcpu, false);
	okvm_debug_retired(vcpu);
}

int okvm_skip_instruction(struct okvm_vcpu *vcpu, u64 next_rip)
{
	struct x86_emu_info info;
	struct x86_emu emu;

	if (next_rip) {
		okvm_retire_insn(vcpu, next_rip);
		return 1;
	}
	if (okvm_decode_at_rip(vcpu, &emu, &info))
		return 1;
	if (info.kind != X86_EMU_INFO_BARE)
		return okvm_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
					   1, vcpu->arch.rip, 0);
	if (emu.mode == X86_EMU_PROT64)
		okvm_retire_insn(vcpu, vcpu->arch.rip + info.len);
	else
		okvm_retire_insn(vcpu, (u32)(vcpu->arch.rip + info.len));
	return 1;
}

static int okvm_handle_hlt(struct okvm_vcpu *vcpu, struct okvm_exit *exit)
{
	int r = okvm_skip_instruction(vcpu, exit->next_rip);

	if (r <= 0)
		return r;
	if (okvm_irqchip_in_kernel(vcpu->vm)) {
		vcpu->arch.mp_state = KVM_MP_STATE_HALTED;
		return 1;	/* the run loop sleeps until an event */
	}
	return okvm_exit_to_user(vcpu, OKVM_USER_HLT);
}

/*
 * A vCPU shut down (triple fault): one dmesg line with where it was, so a
 * guest that vanishes can be told from one that reset itself.  The state
 * the CPU left is as good as the vendor makes it.
 */
__cold void okvm_report_shutdown(struct okvm_vcpu *vcpu, const char *why)
{
	pr_info_ratelimited("okvm: vCPU %d shut down (%s): rip %#llx cr0 %#llx cr2 %#llx cr3 %#llx cr4 %#llx efer %#llx\n",
			    vcpu->vcpu_id, why, vcpu->arch.rip,
			    okvm_vendor->get_cr(vcpu, 0),
			    okvm_vendor->get_cr(vcpu, 2),
			    okvm_vendor->get_cr(vcpu, 3),
			    okvm_vendor->get_cr(vcpu, 4),
			    okvm_vendor->get_efer(vcpu));
}

/* Triple fault.  The vendor state is undefined now: INIT the vCPU. */
static int okvm_handle_shutdown(struct okvm_vcpu *vcpu)
{
	okvm_report_shutdown(vcpu, "by the CPU");
	okvm_mmu_explain_shutdown(vcpu);
	okvm_vcpu_reset_state(vcpu);
	return okvm_exit_to_user(vcpu, OKVM_USER_SHUTDOWN);
}

static int okvm_handle_dr_access(struct okvm_vcpu *vcpu)
{
	vcpu->arch.debug_live = true;
	okvm_vendor->open_debug_regs(vcpu);
	return 1;	/* the instruction runs again, natively */
}

/* The exits the statistics count by kind. */
static void okvm_count_exit(struct okvm_vcpu *vcpu, int code)
{
	switch (code) {
	case OKVM_X_EXTINT:
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_IRQ_EXITS);
		break;
	case OKVM_X_IO:
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_IO_EXITS);
		break;
	case OKVM_X_HLT:
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_HALT_EXITS);
		break;
	case OKVM_X_IRQ_WINDOW:
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_IRQ_WINDOW_EXITS);
		break;
	case OKVM_X_HYPERCALL:
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_HYPERCALLS);
		break;
	case OKVM_X_IRET:
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_NMI_WINDOW_EXITS);
		break;
	case OKVM_X_INVLPG:
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_INVLPG);
		break;
	case OKVM_X_NPF:
	case OKVM_X_GUEST_PF:
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_PF_TAKEN);
		break;
	}
}

/* 1: re-enter the guest; 0: exit to userspace; <0: KVM_RUN error. */
int okvm_handle_exit(struct okvm_vcpu *vcpu, struct okvm_exit *exit)
{
	okvm_count_exit(vcpu, exit->code);
	switch (exit->code) {
	case OKVM_X_NONE:
	case OKVM_X_EXTINT:
		return 1;
	case OKVM_X_IO:
		return okvm_emulate_pio(vcpu, exit);
	case OKVM_X_NPF:
		return okvm_mmu_page_fault(vcpu, exit->npf.gpa, exit->npf.error);
	case OKVM_X_HLT:
		return okvm_handle_hlt(vcpu, exit);
	case OKVM_X_CPUID:
		return okvm_emulate_cpuid(vcpu);
	case OKVM_X_RDMSR:
		return okvm_emulate_rdmsr(vcpu);
	case OKVM_X_WRMSR:
		return okvm_emulate_wrmsr(vcpu);
	case OKVM_X_XSETBV:
		return okvm_emulate_xsetbv(vcpu);
	case OKVM_X_SHUTDOWN:
		return okvm_handle_shutdown(vcpu);
	case OKVM_X_ENTRY_FAILED:
		return okvm_exit_to_user(vcpu, OKVM_USER_FAIL_ENTRY);
	case OKVM_X_UD:
		okvm_queue_exception(vcpu, X86_TRAP_UD, false, 0);
		return 1;
	case OKVM_X_GP:
		okvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	case OKVM_X_NOP:
		return okvm_skip_instruction(vcpu, exit->next_rip);
	case OKVM_X_MONITOR_MWAIT:
		return okvm_emulate_monitor_mwait(vcpu, exit->next_rip);
	case OKVM_X_HYPERCALL:
		return okvm_emulate_hypercall(vcpu, exit->next_rip);
	case OKVM_X_UD_FAULT:
		return okvm_handle_ud(vcpu);
	case OKVM_X_PAUSE:
		okvm_vcpu_on_spin(vcpu);
		return okvm_skip_instruction(vcpu, exit->next_rip);
	case OKVM_X_DR_ACCESS:
		return okvm_handle_dr_access(vcpu);
	case OKVM_X_IRQ_WINDOW:
		return okvm_handle_irq_window(vcpu);
	case OKVM_X_IRET:
		return okvm_handle_iret(vcpu);
	case OKVM_X_CR_ACCESS:
		return okvm_handle_cr_access(vcpu);
	case OKVM_X_INVLPG:
		return okvm_handle_invlpg(vcpu);
	case OKVM_X_GUEST_PF:
		return okvm_mmu_guest_page_fault(vcpu, exit->pf.la,
						 exit->pf.error);
	case OKVM_X_DB:
		return okvm_handle_db(vcpu, exit);
	case OKVM_X_STATE_LOST:
		vcpu->arch.state_lost = true;
		pr_err_ratelimited("okvm: pid %d vCPU %d: the CPU stored the host's state as the guest's at exit %#llx; the vCPU is stopped for good\n",
				   task_tgid_nr(current), vcpu->vcpu_id,
				   exit->hw_reason);
		return okvm_internal_error(vcpu,
			KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, 2,
			exit->hw_reason, vcpu->cpu);
	default:
		return okvm_internal_error(vcpu,
			KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, 2,
			exit->hw_reason, vcpu->cpu);
	}
}
