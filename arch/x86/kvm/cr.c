// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest control registers, when their writes must be seen (shadow paging):
 * MOV to/from CR0/CR3/CR4 and CLTS, decoded by the emulator's decoder
 * (SVM without decode assists says only which CR was touched), and INVLPG.
 * A change that affects address translation resets the MMU context.
 */
#include <linux/kvm.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>

#include "kvm_core.h"
#include "vendor.h"
#include "emulate.h"
#include "irqchip.h"

#define OKVM_CR0_PAGING_BITS	(X86_CR0_PG | X86_CR0_PE | X86_CR0_WP)
#define OKVM_CR4_PAGING_BITS	(X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE | \
				 X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PKE | \
				 X86_CR4_LA57 | X86_CR4_PCIDE)

/* 0 done, 1 #GP. */
int okvm_set_cr0(struct okvm_vcpu *vcpu, u64 val)
{
	const struct okvm_x86_ops *ops = okvm_vendor;
	u64 old = ops->get_cr(vcpu, 0), efer = ops->get_efer(vcpu);

	val |= X86_CR0_ET;
	if ((val >> 32) || ((val & X86_CR0_NW) && !(val & X86_CR0_CD)) ||
	    ((val & X86_CR0_PG) && !(val & X86_CR0_PE)))
		return 1;
	if (!(old & X86_CR0_PG) && (val & X86_CR0_PG) && (efer & EFER_LME)) {
		if (!(ops->get_cr(vcpu, 4) & X86_CR4_PAE))
			return 1;
		ops->set_efer(vcpu, efer | EFER_LMA);
	} else if ((old & X86_CR0_PG) && !(val & X86_CR0_PG) &&
		   (efer & EFER_LMA)) {
		ops->set_efer(vcpu, efer & ~EFER_LMA);
	}
	ops->set_cr(vcpu, 0, val);
	if ((old ^ val) & OKVM_CR0_PAGING_BITS)
		okvm_mmu_reset_context(vcpu);
	return 0;
}

int okvm_set_cr3(struct okvm_vcpu *vcpu, u64 val)
{
	if (okvm_is_long_mode(vcpu))
		val &= ~BIT_ULL(63);	/* PCID "no flush": we flush anyway */
	else
		val = (u32)val;
	okvm_vendor->set_cr(vcpu, 3, val);
	okvm_mmu_new_cr3(vcpu);
	return 0;
}

int okvm_set_cr4(struct okvm_vcpu *vcpu, u64 val)
{
	u64 old = okvm_vendor->get_cr(vcpu, 4);

	if (val & ~okvm_cr4_supported())
		return 1;
	if (okvm_is_long_mode(vcpu) && !(val & X86_CR4_PAE))
		return 1;
	okvm_vendor->set_cr(vcpu, 4, val);
	if ((old ^ val) & OKVM_CR4_PAGING_BITS)
		okvm_mmu_reset_context(vcpu);
	return 0;
}

/*
 * MOV to CR8, the TPR's priority class: intercepted only while the CPU
 * holds a virtual interrupt for the guest (events.c, okvm_arm_virq()).
 */
static int okvm_set_cr8(struct okvm_vcpu *vcpu, u64 val)
{
	if (val & ~0xfULL)
		return 1;
	okvm_lapic_write_cr8(vcpu, val);
	return 0;
}

static int okvm_write_cr(struct okvm_vcpu *vcpu, int cr, u64 val)
{
	switch (cr) {
	case 0: return okvm_set_cr0(vcpu, val);
	case 3: return okvm_set_cr3(vcpu, val);
	case 4: return okvm_set_cr4(vcpu, val);
	case 8: return okvm_set_cr8(vcpu, val);
	default: return 1;
	}
}

/* An intercepted MOV to or from a control register. */
int okvm_handle_cr_access(struct okvm_vcpu *vcpu)
{
	struct x86_emu_info info;
	struct x86_emu emu;
	u64 *gpr;

	if (okvm_decode_at_rip(vcpu, &emu, &info))
		return 1;
	if (info.kind == X86_EMU_INFO_CLTS) {
		okvm_vendor->set_cr(vcpu, 0,
				    okvm_vendor->get_cr(vcpu, 0) & ~X86_CR0_TS);
		vcpu->arch.rip += info.len;
		return 1;
	}
	if (info.kind != X86_EMU_INFO_MOV_CR)
		return okvm_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
					   1, vcpu->arch.rip, 0);
	gpr = &vcpu->arch.regs[info.ctl_gpr];
	if (info.ctl_write) {
		u64 val = emu.mode == X86_EMU_PROT64 ? *gpr : (u32)*gpr;

		if (okvm_write_cr(vcpu, info.ctl_reg, val)) {
			okvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
			return 1;
		}
	} else {
		u64 val = okvm_vendor->get_cr(vcpu, info.ctl_reg);

		*gpr = emu.mode == X86_EMU_PROT64 ? val : (u32)val;
	}
	vcpu->arch.rip += info.len;
	return 1;
}

/* INVLPG m: the decoder finds the linear address. */
int okvm_handle_invlpg(struct okvm_vcpu *vcpu)
{
	struct x86_emu_info info;
	struct x86_emu emu;

	if (okvm_decode_at_rip(vcpu, &emu, &info))
		return 1;
	if (info.kind != X86_EMU_INFO_INVLPG)
		return okvm_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
					   1, vcpu->arch.rip, 0);
	okvm_mmu_invlpg(vcpu, info.mem_la);
	vcpu->arch.rip += info.len;
	return 1;
}
