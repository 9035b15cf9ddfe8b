// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_CAP_ENFORCE_PV_FEATURE_CPUID: with it enabled on a vCPU, the KVM
 * paravirtual MSRs and hypercalls are there only if the vCPU's CPUID
 * advertises them in the KVM features leaf (EAX of signature base + 1).
 * Without it everything okvm implements works, whatever the CPUID says.
 *
 * The feature word is sampled, as in KVM, when the CPUID table is set and
 * when enforcement is turned on; a table without the KVM signature, or
 * without the features leaf, leaves the last sampled word in force.
 */
#include <linux/kvm.h>
#include <asm/msr-index.h>
#include <uapi/asm/kvm_para.h>
#include <uapi/linux/kvm_para.h>

#include "kvm_core.h"

#define OKVM_HV_BASE_FIRST	0x40000000u
#define OKVM_HV_BASE_LAST	0x4000ff00u
#define OKVM_HV_BASE_STEP	0x100u
/* "KVMKVMKVM\0\0\0" in EBX, ECX, EDX */
#define OKVM_SIG_EBX		0x4b4d564bu
#define OKVM_SIG_ECX		0x564b4d56u
#define OKVM_SIG_EDX		0x0000004du

/* Resample the features word from the vCPU's CPUID table. */
void okvm_pv_cpuid_update(struct okvm_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e;
	u32 base;

	for (base = OKVM_HV_BASE_FIRST; base <= OKVM_HV_BASE_LAST;
	     base += OKVM_HV_BASE_STEP) {
		e = okvm_find_cpuid(vcpu, base, 0);
		if (e && e->ebx == OKVM_SIG_EBX && e->ecx == OKVM_SIG_ECX &&
		    e->edx == OKVM_SIG_EDX)
			break;
	}
	if (base > OKVM_HV_BASE_LAST)
		return;
	e = okvm_find_cpuid(vcpu, base | KVM_CPUID_FEATURES, 0);
	if (e)
		vcpu->arch.pv_cpuid.features = e->eax;
}

/* vCPU KVM_ENABLE_CAP(KVM_CAP_ENFORCE_PV_FEATURE_CPUID): args[0] != 0 on. */
long okvm_pv_cpuid_enforce(struct okvm_vcpu *vcpu, u64 on)
{
	vcpu->arch.pv_cpuid.enforce = !!on;
	if (on)
		okvm_pv_cpuid_update(vcpu);
	return 0;
}

bool okvm_guest_pv_has(struct okvm_vcpu *vcpu, unsigned int feature)
{
	return !vcpu->arch.pv_cpuid.enforce ||
	       (vcpu->arch.pv_cpuid.features & BIT(feature));
}

/*
 * May this vCPU (guest or VMM) touch MSR @index?  False only for a KVM PV
 * MSR okvm implements whose feature is withheld; the unimplemented ones
 * (async PF, poll control) are refused anyway.
 */
bool okvm_pv_msr_allowed(struct okvm_vcpu *vcpu, u32 index)
{
	switch (index) {
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_WALL_CLOCK:
		return okvm_guest_pv_has(vcpu, KVM_FEATURE_CLOCKSOURCE);
	case MSR_KVM_SYSTEM_TIME_NEW:
	case MSR_KVM_WALL_CLOCK_NEW:
		return okvm_guest_pv_has(vcpu, KVM_FEATURE_CLOCKSOURCE2);
	case MSR_KVM_STEAL_TIME:
		return okvm_guest_pv_has(vcpu, KVM_FEATURE_STEAL_TIME);
	case MSR_KVM_PV_EOI_EN:
		return okvm_guest_pv_has(vcpu, KVM_FEATURE_PV_EOI);
	default:
		return true;
	}
}

/* May the guest make hypercall @nr?  If not, it gets -KVM_ENOSYS. */
bool okvm_pv_hypercall_allowed(struct okvm_vcpu *vcpu, u64 nr)
{
	switch (nr) {
	case KVM_HC_KICK_CPU:
		return okvm_guest_pv_has(vcpu, KVM_FEATURE_PV_UNHALT);
	case KVM_HC_SEND_IPI:
		return okvm_guest_pv_has(vcpu, KVM_FEATURE_PV_SEND_IPI);
	case KVM_HC_SCHED_YIELD:
		return okvm_guest_pv_has(vcpu, KVM_FEATURE_PV_SCHED_YIELD);
	default:
		return true;
	}
}
