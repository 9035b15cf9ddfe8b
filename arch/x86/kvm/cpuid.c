// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUID and XSETBV exits.  Until userspace installs a CPUID table the guest
 * sees all-zero leaves, as with KVM.
 */
#include <linux/kvm.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/trapnr.h>

#include "kvm_core.h"
#include "vendor.h"

static const struct kvm_cpuid_entry2 *okvm_find_cpuid(struct okvm_vcpu *vcpu,
						      u32 fn, u32 idx)
{
	int i;

	for (i = 0; i < vcpu->arch.ncpuid; i++) {
		const struct kvm_cpuid_entry2 *e = &vcpu->arch.cpuid[i];

		if (e->function != fn)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) &&
		    e->index != idx)
			continue;
		return e;
	}
	return NULL;
}

int okvm_emulate_cpuid(struct okvm_vcpu *vcpu)
{
	u64 *regs = vcpu->arch.regs;
	const struct kvm_cpuid_entry2 *e;

	e = okvm_find_cpuid(vcpu, (u32)regs[OKVM_RAX], (u32)regs[OKVM_RCX]);
	regs[OKVM_RAX] = e ? e->eax : 0;
	regs[OKVM_RBX] = e ? e->ebx : 0;
	regs[OKVM_RCX] = e ? e->ecx : 0;
	regs[OKVM_RDX] = e ? e->edx : 0;
	return okvm_skip_instruction(vcpu, vcpu->arch.exit.next_rip);
}

/* XSETBV: only XCR0, only at CPL 0, only features the host enabled. */
int okvm_emulate_xsetbv(struct okvm_vcpu *vcpu)
{
	u64 *regs = vcpu->arch.regs;
	u64 val = (u32)regs[OKVM_RAX] | (regs[OKVM_RDX] << 32);
	u64 host = boot_cpu_has(X86_FEATURE_XSAVE) ?
		   xgetbv(XCR_XFEATURE_ENABLED_MASK) : 0;

	if ((u32)regs[OKVM_RCX] != 0 || okvm_vendor->get_cpl(vcpu) ||
	    !(val & XFEATURE_MASK_FP) || (val & ~host) ||
	    ((val & XFEATURE_MASK_YMM) && !(val & XFEATURE_MASK_SSE))) {
		okvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	}
	vcpu->arch.xcr0 = val;
	return okvm_skip_instruction(vcpu, vcpu->arch.exit.next_rip);
}
