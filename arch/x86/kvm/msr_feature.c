// SPDX-License-Identifier: GPL-2.0-only
/*
 * Feature MSRs (KVM_CAP_GET_MSR_FEATURES): KVM_GET_MSR_FEATURE_INDEX_LIST
 * and KVM_GET_MSRS on /dev/kvm.  They tell a VMM what the host lets its
 * guests see in MSRs that describe the CPU, before any VM exists.  The
 * list is the one KVM has for the same vendor: DE_CFG (SVM only),
 * UCODE_REV, ARCH_CAPABILITIES and PERF_CAPABILITIES (0: no vPMU).
 */
#include <linux/kvm.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/msr-index.h>

#include "kvm_core.h"
#include "vendor.h"

/*
 * ARCH_CAPABILITIES bits passed through from the host: RDCL_NO, IBRS_ALL,
 * RSBA, SKIP_VMENTRY_L1DFLUSH, SSB_NO, MDS_NO, PSCHANGE_MC_NO, TSX_CTRL,
 * TAA_NO (0-8), SBDR_SSDP_NO, FBSDP_NO, PSDP_NO (13-15), FB_CLEAR (17),
 * RRSBA, BHI_NO (19-20), PBRSB_NO (24), GDS_NO, RFDS_NO, RFDS_CLEAR
 * (26-28), ITS_NO (62).  The others need MSRs okvm does not offer.
 */
#define OKVM_ARCH_CAP_PASS	(0x1ffULL | (7ULL << 13) | BIT_ULL(17) | \
				 (3ULL << 19) | BIT_ULL(24) | (7ULL << 26) | \
				 BIT_ULL(62))

static const u32 okvm_feature_msrs[] = {
	MSR_AMD64_DE_CFG, MSR_IA32_UCODE_REV, MSR_IA32_ARCH_CAPABILITIES,
	MSR_IA32_PERF_CAPABILITIES,
};

/* The "not affected" bits the host's bug flags allow. */
static u64 okvm_arch_cap_not_affected(void)
{
	u64 data = BIT_ULL(6);				/* PSCHANGE_MC_NO */

	if (!boot_cpu_has_bug(X86_BUG_L1TF))
		data |= BIT_ULL(3);		/* no L1D flush needed */
	if (!boot_cpu_has_bug(X86_BUG_CPU_MELTDOWN))
		data |= BIT_ULL(0);
	if (!boot_cpu_has_bug(X86_BUG_SPEC_STORE_BYPASS))
		data |= BIT_ULL(4);
	if (!boot_cpu_has_bug(X86_BUG_MDS))
		data |= BIT_ULL(5);
#ifdef X86_BUG_RFDS
	if (!boot_cpu_has_bug(X86_BUG_RFDS))
		data |= BIT_ULL(27);
#endif
#ifdef X86_BUG_ITS
	if (!boot_cpu_has_bug(X86_BUG_ITS))
		data |= BIT_ULL(62);
#endif
	if (!boot_cpu_has_bug(X86_BUG_GDS))
		data |= BIT_ULL(26);
	return data;
}

/* What the guests may see in IA32_ARCH_CAPABILITIES. */
static u64 okvm_arch_capabilities(void)
{
	u64 data = 0;

	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES)) {
		rdmsrl(MSR_IA32_ARCH_CAPABILITIES, data);
		data &= OKVM_ARCH_CAP_PASS;
	}
	data |= okvm_arch_cap_not_affected();
	/* TAA_NO only with TSX; without it the guest has no RTM anyway. */
	if (!boot_cpu_has(X86_FEATURE_RTM))
		data &= ~BIT_ULL(8);
	else if (!boot_cpu_has_bug(X86_BUG_TAA))
		data |= BIT_ULL(8);
	return data;
}

/* 0 with *data set, 1 when @index is not a feature MSR here. */
static int okvm_get_msr_feature(u32 index, u64 *data)
{
	*data = 0;
	switch (index) {
	case MSR_IA32_ARCH_CAPABILITIES:
		*data = okvm_arch_capabilities();
		return 0;
	case MSR_IA32_UCODE_REV:
		if (rdmsrl_safe(index, data))
			*data = 0;
		return 0;
	case MSR_IA32_PERF_CAPABILITIES:
		return 0;
	default:
		return okvm_vendor->get_msr_feature(index, data);
	}
}

/* KVM_GET_MSR_FEATURE_INDEX_LIST: the ones this vendor has. */
long okvm_dev_get_msr_feature_list(void __user *argp)
{
	u32 list[ARRAY_SIZE(okvm_feature_msrs)];
	u32 i, count = 0;
	u64 val;

	for (i = 0; i < ARRAY_SIZE(okvm_feature_msrs); i++)
		if (!okvm_get_msr_feature(okvm_feature_msrs[i], &val))
			list[count++] = okvm_feature_msrs[i];
	return okvm_put_msr_list(argp, list, count);
}

static int okvm_feature_entry(void *unused, struct kvm_msr_entry *e)
{
	return okvm_get_msr_feature(e->index, &e->data);
}

/* KVM_GET_MSRS on /dev/kvm: the number read before an unknown index. */
long okvm_dev_get_msrs(void __user *argp)
{
	return okvm_msr_entries(argp, NULL, true, okvm_feature_entry);
}
