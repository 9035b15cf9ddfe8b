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

/* KVM_GET_MSR_FEATURE_INDEX_LIST: nmsrs is written back even on E2BIG. */
long okvm_dev_get_msr_feature_list(void __user *argp)
{
	struct kvm_msr_list __user *ul = argp;
	u32 list[ARRAY_SIZE(okvm_feature_msrs)];
	u32 i, n, count = 0;
	u64 val;

	for (i = 0; i < ARRAY_SIZE(okvm_feature_msrs); i++)
		if (!okvm_get_msr_feature(okvm_feature_msrs[i], &val))
			list[count++] = okvm_feature_msrs[i];
	if (get_user(n, &ul->nmsrs))
		return -EFAULT;
	if (put_user(count, &ul->nmsrs))
		return -EFAULT;
	if (n < count)
		return -E2BIG;
	if (copy_to_user(ul->indices, list, count * sizeof(u32)))
		return -EFAULT;
	return 0;
}

/* KVM_GET_MSRS on /dev/kvm: the number read before an unknown index. */
long okvm_dev_get_msrs(void __user *argp)
{
	struct kvm_msrs __user *um = argp;
	struct kvm_msr_entry e;
	struct kvm_msrs hdr;
	u32 i;

	if (copy_from_user(&hdr, um, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nmsrs >= OKVM_MAX_IO_MSRS)
		return -E2BIG;
	for (i = 0; i < hdr.nmsrs; i++) {
		if (copy_from_user(&e, &um->entries[i], sizeof(e)))
			return -EFAULT;
		if (okvm_get_msr_feature(e.index, &e.data))
			break;
		if (copy_to_user(&um->entries[i], &e, sizeof(e)))
			return -EFAULT;
	}
	return i;
}
