// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_CAP_DISABLE_QUIRKS2: the KVM_X86_QUIRK_* bits okvm honours in both
 * states, and the behaviour they choose between.
 *
 * MWAIT_NEVER_UD_FAULTS: on (the default), MONITOR and MWAIT are NOPs;
 * off, they raise #UD unless the guest's CPUID.01H:ECX has MONITOR.
 *
 * MISC_ENABLE_NO_MWAIT: on, MSR_IA32_MISC_ENABLE's ENABLE_MWAIT bit is
 * only stored; off, it decides CPUID.01H:ECX.MONITOR, and changing it
 * needs SSE3 in the guest's CPUID.
 *
 * FIX_HYPERCALL_INSN (hypercall.c): on, the other vendor's hypercall
 * instruction is rewritten into this vendor's; off, it raises #UD.
 */
#include <linux/kvm.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>

#include "kvm_core.h"
#include "vendor.h"

#define OKVM_CPUID1_ECX_SSE3	BIT(0)
#define OKVM_CPUID1_ECX_MWAIT	BIT(3)

/* Is the quirk on (KVM's behaviour by default) in this VM? */
bool okvm_has_quirk(struct okvm_vm *vm, u64 quirk)
{
	return !(READ_ONCE(vm->arch.disabled_quirks) & quirk);
}

/* What KVM_CHECK_EXTENSION(KVM_CAP_DISABLE_QUIRKS2) reports. */
u64 okvm_quirks_supported(void)
{
	u64 q = KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT |
		KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS;

	if (okvm_vendor->hypercall_insn)
		q |= KVM_X86_QUIRK_FIX_HYPERCALL_INSN;
	return q;
}

/* KVM_ENABLE_CAP(KVM_CAP_DISABLE_QUIRKS2): the mask replaces the last. */
long okvm_vm_disable_quirks(struct okvm_vm *vm, u64 mask)
{
	if (mask & ~okvm_quirks_supported())
		return -EINVAL;
	WRITE_ONCE(vm->arch.disabled_quirks, mask);
	return 0;
}

/* CPUID.01H:ECX as stored, before okvm_cpuid_mwait(). */
static u32 okvm_cpuid1_ecx(struct okvm_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e = okvm_find_cpuid(vcpu, 1, 0);

	return e ? e->ecx : 0;
}

/* CPUID.01H:ECX.MONITOR follows MISC_ENABLE when that quirk is off. */
void okvm_cpuid_mwait(struct okvm_vcpu *vcpu, u32 *ecx)
{
	if (okvm_has_quirk(vcpu->vm, KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT))
		return;
	*ecx &= ~OKVM_CPUID1_ECX_MWAIT;
	if (vcpu->arch.msrs.misc_enable & MSR_IA32_MISC_ENABLE_MWAIT)
		*ecx |= OKVM_CPUID1_ECX_MWAIT;
}

/* MSR_IA32_MISC_ENABLE: 0 written, 1 refused (#GP or a failed SET_MSRS). */
int okvm_set_misc_enable(struct okvm_vcpu *vcpu, u64 data)
{
	u64 old = vcpu->arch.msrs.misc_enable;

	if (!okvm_has_quirk(vcpu->vm, KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT) &&
	    ((old ^ data) & MSR_IA32_MISC_ENABLE_MWAIT) &&
	    !(okvm_cpuid1_ecx(vcpu) & OKVM_CPUID1_ECX_SSE3))
		return 1;
	vcpu->arch.msrs.misc_enable = data;
	return 0;
}

/* An intercepted MONITOR or MWAIT: a NOP, or #UD without the feature. */
int okvm_emulate_monitor_mwait(struct okvm_vcpu *vcpu, u64 next_rip)
{
	u32 ecx = okvm_cpuid1_ecx(vcpu);

	okvm_cpuid_mwait(vcpu, &ecx);
	if (!okvm_has_quirk(vcpu->vm, KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS) &&
	    !(ecx & OKVM_CPUID1_ECX_MWAIT)) {
		okvm_queue_exception(vcpu, X86_TRAP_UD, false, 0);
		return 1;
	}
	return okvm_skip_instruction(vcpu, next_rip);
}
