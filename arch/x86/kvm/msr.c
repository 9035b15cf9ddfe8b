// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest MSR accesses (RDMSR/WRMSR exits).  An MSR nobody implements raises
 * #GP in the guest, as KVM does by default.
 */
#include <linux/kvm.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>

#include "kvm_core.h"
#include "vendor.h"

#define OKVM_EFER_GUEST_BITS	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

static bool okvm_pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = pat >> (i * 8);

		if (type == 2 || type == 3 || type > 7)
			return false;
	}
	return true;
}

static int okvm_set_efer(struct okvm_vcpu *vcpu, u64 efer, bool host)
{
	u64 old = okvm_vendor->get_efer(vcpu);

	if (efer & ~OKVM_EFER_GUEST_BITS)
		return 1;
	if (!host) {
		/* LMA is the CPU's to change; LME is frozen while paging. */
		efer = (efer & ~EFER_LMA) | (old & EFER_LMA);
		if ((okvm_vendor->get_cr(vcpu, 0) & X86_CR0_PG) &&
		    ((efer ^ old) & EFER_LME))
			return 1;
	}
	okvm_vendor->set_efer(vcpu, efer);
	return 0;
}

/* 0 with *data set, or 1 when the MSR does not exist for this guest. */
int okvm_get_msr(struct okvm_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	switch (index) {
	case MSR_EFER:
		*data = okvm_vendor->get_efer(vcpu);
		return 0;
	case MSR_IA32_TSC:
		*data = rdtsc() + vcpu->arch.tsc_offset;
		return 0;
	case MSR_IA32_APICBASE:
		*data = vcpu->arch.apic_base;
		return 0;
	default:
		return okvm_vendor->get_msr(vcpu, index, data);
	}
}

/* 0 when written, 1 when the MSR or the value is not acceptable. */
int okvm_set_msr(struct okvm_vcpu *vcpu, u32 index, u64 data, bool host)
{
	switch (index) {
	case MSR_EFER:
		return okvm_set_efer(vcpu, data, host);
	case MSR_IA32_TSC:
		vcpu->arch.tsc_offset = data - rdtsc();
		return 0;
	case MSR_IA32_CR_PAT:
		if (!okvm_pat_valid(data))
			return 1;
		return okvm_vendor->set_msr(vcpu, index, data);
	default:
		return okvm_vendor->set_msr(vcpu, index, data);
	}
}

int okvm_emulate_rdmsr(struct okvm_vcpu *vcpu)
{
	u64 *regs = vcpu->arch.regs;
	u64 data;

	if (okvm_get_msr(vcpu, (u32)regs[OKVM_RCX], &data, false)) {
		okvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	}
	regs[OKVM_RAX] = (u32)data;
	regs[OKVM_RDX] = data >> 32;
	return okvm_skip_instruction(vcpu, vcpu->arch.exit.next_rip);
}

int okvm_emulate_wrmsr(struct okvm_vcpu *vcpu)
{
	u64 *regs = vcpu->arch.regs;
	u64 data = (u32)regs[OKVM_RAX] | (regs[OKVM_RDX] << 32);

	if (okvm_set_msr(vcpu, (u32)regs[OKVM_RCX], data, false)) {
		okvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	}
	return okvm_skip_instruction(vcpu, vcpu->arch.exit.next_rip);
}
