// SPDX-License-Identifier: GPL-2.0-only
/*
 * Handling of vendor-neutral exits.  Vendor code says what happened
 * (struct okvm_exit); this file decides what to do about it.
 */
#include <linux/kvm.h>
#include <linux/mm.h>
#include <asm/trapnr.h>

#include "kvm_core.h"
#include "vendor.h"
#include "emulate.h"
#include "mmu/walk.h"

/*
 * Length of the operand-less instructions SVM intercepts (HLT, CPUID,
 * RDMSR/WRMSR, INVD, MONITOR/MWAIT, XSETBV...): prefixes, then F4, 0F xx or
 * 0F 01 xx.  0 when the bytes are none of those.
 */
static unsigned int okvm_intercepted_insn_len(const u8 *insn, bool rex_ok)
{
	unsigned int i;

	for (i = 0; i < 14; i++) {
		u8 b = insn[i];

		if (b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 ||
		    b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e ||
		    b == 0x64 || b == 0x65 || (rex_ok && (b & 0xf0) == 0x40))
			continue;
		if (b == 0xf4)
			return i + 1;
		if (b != 0x0f)
			return 0;
		if (insn[i + 1] == 0x01)
			return i + 3 <= 15 ? i + 3 : 0;
		return i + 2;
	}
	return 0;
}

/*
 * Length of the intercepted instruction at RIP, 0 if unreadable or not one
 * of those.  Bytes are fetched up to the end of RIP's page first, and from
 * the next page only when the instruction goes on there, so that one at
 * the end of the last mapped page does not fail on bytes past it.
 */
static unsigned int okvm_intercepted_insn_at_rip(struct okvm_vcpu *vcpu,
						 bool lm)
{
	u64 la = okvm_seg_base(vcpu, OKVM_SEG_CS) + vcpu->arch.rip;
	unsigned int n = min_t(u64, 15, PAGE_SIZE - offset_in_page(la));
	struct x86_fault fault;
	u8 insn[16] = { 0 };
	unsigned int len;

	if (!lm)
		la = (u32)la;
	if (okvm_access_linear(vcpu, la, insn, n, X86_WALK_FETCH, &fault))
		return 0;
	len = okvm_intercepted_insn_len(insn, lm);
	if (len <= n && (len || n == 15))
		return len;
	if (okvm_access_linear(vcpu, la + n, insn + n, 15 - n,
			       X86_WALK_FETCH, &fault))
		return 0;
	return okvm_intercepted_insn_len(insn, lm);
}

/*
 * Advance RIP past the intercepted instruction.  next_rip comes from the
 * hardware when it knows it (NRIP-save); otherwise we read the instruction.
 * 1 on success, 0 after an internal-error exit.
 */
int okvm_skip_instruction(struct okvm_vcpu *vcpu, u64 next_rip)
{
	bool lm = okvm_cpu_mode(vcpu) == X86_EMU_PROT64;
	unsigned int len;

	if (next_rip) {
		vcpu->arch.rip = next_rip;
		return 1;
	}
	len = okvm_intercepted_insn_at_rip(vcpu, lm);
	if (!len)
		return okvm_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
					   1, vcpu->arch.rip, 0);
	vcpu->arch.rip += len;
	if (!lm)
		vcpu->arch.rip = (u32)vcpu->arch.rip;
	return 1;
}

static int okvm_handle_hlt(struct okvm_vcpu *vcpu, struct okvm_exit *exit)
{
	int r = okvm_skip_instruction(vcpu, exit->next_rip);

	if (r <= 0)
		return r;
	return okvm_exit_to_user(vcpu, OKVM_USER_HLT);
}

/* Triple fault.  The vendor state is undefined now: INIT the vCPU. */
static int okvm_handle_shutdown(struct okvm_vcpu *vcpu)
{
	okvm_vcpu_reset_state(vcpu);
	return okvm_exit_to_user(vcpu, OKVM_USER_SHUTDOWN);
}

static int okvm_handle_dr_access(struct okvm_vcpu *vcpu)
{
	vcpu->arch.debug_live = true;
	okvm_vendor->open_debug_regs(vcpu);
	return 1;	/* the instruction runs again, natively */
}

/* 1: re-enter the guest; 0: exit to userspace; <0: KVM_RUN error. */
int okvm_handle_exit(struct okvm_vcpu *vcpu, struct okvm_exit *exit)
{
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
	default:
		return okvm_internal_error(vcpu,
			KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, 2,
			exit->hw_reason, vcpu->cpu);
	}
}
