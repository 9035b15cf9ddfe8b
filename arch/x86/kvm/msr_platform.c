// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSR_PLATFORM_INFO and CPUID faulting (MSR_MISC_FEATURES_ENABLES), which
 * KVM offers on every vendor.  PLATFORM_INFO holds whatever the VMM put
 * there; the guest may only read it, and only while the VM has
 * KVM_CAP_MSR_PLATFORM_INFO enabled (the default).  Its bit 31 tells the
 * guest that CPUID faulting exists: with MISC_FEATURES_ENABLES bit 0 set,
 * CPUID outside ring 0 raises #GP.
 */
#include <linux/kvm.h>
#include <asm/msr-index.h>

#include "kvm_core.h"
#include "vendor.h"

/* A new vCPU: CPUID faulting offered, not enabled. */
void okvm_platform_msrs_init(struct okvm_vcpu *vcpu)
{
	vcpu->arch.msrs.platform_info = MSR_PLATFORM_INFO_CPUID_FAULT;
	vcpu->arch.msrs.misc_features = 0;
}

/* KVM_ENABLE_CAP(KVM_CAP_MSR_PLATFORM_INFO): any non-zero arg is "on". */
long okvm_vm_enable_platform_info(struct okvm_vm *vm, u64 arg)
{
	WRITE_ONCE(vm->arch.platform_info_readable, !!arg);
	return 0;
}

static bool okvm_cpuid_fault_on(struct okvm_vcpu *vcpu)
{
	return vcpu->arch.msrs.misc_features &
	       MSR_MISC_FEATURES_ENABLES_CPUID_FAULT;
}

/* CPUID must raise #GP instead of returning the table. */
bool okvm_cpuid_faults(struct okvm_vcpu *vcpu)
{
	return okvm_cpuid_fault_on(vcpu) && okvm_vendor->get_cpl(vcpu) > 0;
}

/* 0 with *data set, 1 when the guest may not read it. */
int okvm_platform_get_msr(struct okvm_vcpu *vcpu, u32 index, u64 *data,
			  bool host)
{
	if (index == MSR_MISC_FEATURES_ENABLES) {
		*data = vcpu->arch.msrs.misc_features;
		return 0;
	}
	if (!host && !READ_ONCE(vcpu->vm->arch.platform_info_readable))
		return 1;
	*data = vcpu->arch.msrs.platform_info;
	return 0;
}

/* 0 written, 1 refused. */
int okvm_platform_set_msr(struct okvm_vcpu *vcpu, u32 index, u64 data,
			  bool host)
{
	struct okvm_msr_store *m = &vcpu->arch.msrs;

	if (index == MSR_MISC_FEATURES_ENABLES) {
		if (data & ~MSR_MISC_FEATURES_ENABLES_CPUID_FAULT)
			return 1;
		if ((data & MSR_MISC_FEATURES_ENABLES_CPUID_FAULT) &&
		    !(m->platform_info & MSR_PLATFORM_INFO_CPUID_FAULT))
			return 1;
		m->misc_features = data;
		return 0;
	}
	/* Read-only to the guest; faulting in use cannot be withdrawn. */
	if (!host || (!(data & MSR_PLATFORM_INFO_CPUID_FAULT) &&
		      okvm_cpuid_fault_on(vcpu)))
		return 1;
	m->platform_info = data;
	return 0;
}
