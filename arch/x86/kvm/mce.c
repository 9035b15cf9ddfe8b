// SPDX-License-Identifier: GPL-2.0-only
/*
 * Virtual machine-check architecture: KVM_X86_GET_MCE_CAP_SUPPORTED,
 * KVM_X86_SETUP_MCE and the MCG_* / MCi_* MSRs.  Nothing ever raises a
 * machine check in the guest yet; the registers exist so that a guest (and
 * a VMM restoring one) can program them.
 */
#include <linux/kvm.h>
#include <linux/uaccess.h>
#include <asm/mce.h>
#include <asm/msr-index.h>

#include "kvm_core.h"

#define OKVM_MCE_CAP_SUPPORTED	(MCG_CTL_P | MCG_SER_P)
#define OKVM_MCG_BANKS(cap)	((cap) & 0xff)

void okvm_mce_reset(struct okvm_vcpu *vcpu)
{
	struct okvm_mce *m = &vcpu->arch.mce;

	memset(m, 0, sizeof(*m));
	m->mcg_cap = OKVM_MAX_MCE_BANKS;
}

/* KVM_X86_GET_MCE_CAP_SUPPORTED on /dev/kvm. */
long okvm_dev_get_mce_cap(void __user *argp)
{
	u64 cap = OKVM_MCE_CAP_SUPPORTED | OKVM_MAX_MCE_BANKS;

	return copy_to_user(argp, &cap, sizeof(cap)) ? -EFAULT : 0;
}

/* KVM_X86_SETUP_MCE: the number of banks and the capabilities. */
long okvm_ioctl_setup_mce(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct okvm_mce *m = &vcpu->arch.mce;
	u64 cap;
	int i;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	if (!OKVM_MCG_BANKS(cap) || OKVM_MCG_BANKS(cap) > OKVM_MAX_MCE_BANKS)
		return -EINVAL;
	if (cap & ~(OKVM_MCE_CAP_SUPPORTED | 0xffULL))
		return -EINVAL;
	m->mcg_cap = cap;
	if (cap & MCG_CTL_P)
		m->mcg_ctl = ~0ULL;
	for (i = 0; i < OKVM_MCG_BANKS(cap); i++)
		m->banks[i][0] = ~0ULL;
	return 0;
}

static u64 *okvm_mce_bank_reg(struct okvm_mce *m, u32 index)
{
	u32 off = index - MSR_IA32_MC0_CTL;

	if (index < MSR_IA32_MC0_CTL || off / 4 >= OKVM_MCG_BANKS(m->mcg_cap))
		return NULL;
	return &m->banks[off / 4][off % 4];
}

/* 0 handled, 1 not an MCE MSR (or not readable). */
int okvm_mce_get_msr(struct okvm_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	struct okvm_mce *m = &vcpu->arch.mce;
	u64 *reg;

	switch (index) {
	case MSR_IA32_MCG_CAP:
		*data = m->mcg_cap;
		return 0;
	case MSR_IA32_MCG_STATUS:
		*data = m->mcg_status;
		return 0;
	case MSR_IA32_MCG_CTL:
		/* The VMM may save it (it is in the MSR list) either way. */
		if (!(m->mcg_cap & MCG_CTL_P) && !host)
			return 1;
		*data = m->mcg_ctl;
		return 0;
	}
	reg = okvm_mce_bank_reg(m, index);
	if (!reg)
		return 1;
	*data = *reg;
	return 0;
}

/* 0 written, 1 refused (#GP for the guest). */
int okvm_mce_set_msr(struct okvm_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct okvm_mce *m = &vcpu->arch.mce;
	u32 off = index - MSR_IA32_MC0_CTL;
	u64 *reg;

	switch (index) {
	case MSR_IA32_MCG_CAP:
		return host ? 0 : 1;	/* read-only for the guest */
	case MSR_IA32_MCG_STATUS:
		m->mcg_status = data;
		return 0;
	case MSR_IA32_MCG_CTL:
		/* Without MCG_CTL_P only the VMM's restore of 0 is taken. */
		if (!(m->mcg_cap & MCG_CTL_P) && (data || !host))
			return 1;
		if (data && data != ~0ULL)
			return 1;
		m->mcg_ctl = data;
		return 0;
	}
	reg = okvm_mce_bank_reg(m, index);
	if (!reg)
		return 1;
	/* MCi_CTL takes all zeros or all ones; MCi_STATUS only from the VMM. */
	if (off % 4 == 0 && data && data != ~0ULL)
		return 1;
	if (off % 4 == 1 && data && !host)
		return 1;
	*reg = data;
	return 0;
}
