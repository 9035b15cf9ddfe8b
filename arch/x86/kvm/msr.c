// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest MSR accesses (RDMSR/WRMSR exits).  An MSR nobody implements raises
 * #GP in the guest, as KVM does by default.
 */
#include <linux/kvm.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include <uapi/asm/kvm_para.h>
#include <asm/trapnr.h>

#include "kvm_core.h"
#include "vendor.h"
#include "irqchip.h"
#include "trace_x86.h"

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
	if ((old ^ efer) & (EFER_NX | EFER_LMA))
		okvm_mmu_reset_context(vcpu);
	return 0;
}

/* The slot of an MTRR MSR in the store, or NULL. */
static u64 *okvm_mtrr_slot(struct okvm_msr_store *m, u32 index)
{
	static const u32 fixed[11] = {
		MSR_MTRRfix64K_00000, MSR_MTRRfix16K_80000,
		MSR_MTRRfix16K_A0000, MSR_MTRRfix4K_C0000,
		MSR_MTRRfix4K_C8000, MSR_MTRRfix4K_D0000,
		MSR_MTRRfix4K_D8000, MSR_MTRRfix4K_E0000,
		MSR_MTRRfix4K_E8000, MSR_MTRRfix4K_F0000,
		MSR_MTRRfix4K_F8000,
	};
	int i;

	if (index == MSR_MTRRdefType)
		return &m->mtrr_def_type;
	if (index >= 0x200 && index < 0x200 + 2 * OKVM_NR_VAR_MTRR)
		return &m->mtrr_var[index - 0x200];
	for (i = 0; i < ARRAY_SIZE(fixed); i++)
		if (fixed[i] == index)
			return &m->mtrr_fixed[i];
	return NULL;
}

/* MSRs that are only remembered: 0 handled, 1 not one of them. */
static u64 *okvm_stored_msr(struct okvm_vcpu *vcpu, u32 index)
{
	struct okvm_msr_store *m = &vcpu->arch.msrs;

	switch (index) {
	case MSR_IA32_MISC_ENABLE: return &m->misc_enable;
	case MSR_TSC_AUX: return &m->tsc_aux;
	case MSR_K7_HWCR: return &m->hwcr;
	case MSR_AMD64_DE_CFG: return &m->de_cfg;
	case MSR_IA32_POWER_CTL: return &m->power_ctl;
	default: return okvm_mtrr_slot(m, index);
	}
}

#define OKVM_MTRRCAP	(BIT(10) | BIT(8) | OKVM_NR_VAR_MTRR) /* WC, FIX, 8 var */

enum { OKVM_MSR_CONST = 1, OKVM_MSR_DROPS_WRITES };

/*
 * MSRs that read as a constant (MTRRcap's, else 0): OKVM_MSR_CONST when
 * the guest may write only that value, OKVM_MSR_DROPS_WRITES when any
 * write is dropped, as in KVM (AMD configuration registers a guest kernel
 * sets bits in: NB_CFG's extended PCI config space access at every CPU's
 * bring-up, erratum workarounds in the others); 0 for the other MSRs.
 */
static int okvm_const_msr(u32 index)
{
	switch (index) {
	case MSR_MTRRcap:
	case MSR_IA32_UCODE_REV:
	case MSR_AMD64_SYSCFG:
	case MSR_IA32_TSC_DEADLINE:	/* without an in-kernel LAPIC */
	case MSR_FAM10H_MMIO_CONF_BASE:
		return OKVM_MSR_CONST;
	case MSR_AMD64_NB_CFG:
	case MSR_AMD64_BU_CFG2:
	case MSR_AMD64_DC_CFG:
	case MSR_AMD64_TW_CFG:
	case MSR_F15H_EX_CFG:
		return OKVM_MSR_DROPS_WRITES;
	default:
		return 0;
	}
}

static u64 okvm_const_msr_val(u32 index)
{
	return index == MSR_MTRRcap ? OKVM_MTRRCAP : 0;
}

/*
 * The machine-check MSRs okvm emulates (mce.c): a refused access there is
 * a known MSR refused (#GP, exit reason INVAL), never an unknown one.
 */
static bool okvm_is_mce_msr(u32 index)
{
	switch (index) {
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
	case MSR_IA32_MCG_CTL:
		return true;
	}
	return index >= MSR_IA32_MC0_CTL &&
	       index < MSR_IA32_MC0_CTL + 4 * OKVM_MAX_MCE_BANKS;
}

/*
 * 0 with *data set; 1 when the guest may not read it (#GP),
 * OKVM_MSR_UNKNOWN when okvm has no such MSR.
 */
int okvm_get_msr(struct okvm_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	u64 *slot;
	int r;

	if (!okvm_pv_msr_allowed(vcpu, index))
		return 1;
	r = okvm_lapic_get_msr(vcpu, index, data);
	if (r >= 0)
		return r;
	if (okvm_is_x2apic_msr(index))
		return 1;	/* no in-kernel LAPIC: a #GP, as in KVM */
	switch (index) {
	case MSR_EFER:
		*data = okvm_vendor->get_efer(vcpu);
		return 0;
	case MSR_IA32_TSC:
		*data = rdtsc() + vcpu->arch.tsc_offset;
		return 0;
	case MSR_IA32_TSC_ADJUST:
		*data = vcpu->arch.msrs.tsc_adjust;
		return 0;
	case MSR_IA32_APICBASE:
		*data = vcpu->arch.apic_base;
		return 0;
	case MSR_PLATFORM_INFO:
	case MSR_MISC_FEATURES_ENABLES:
		return okvm_platform_get_msr(vcpu, index, data, host);
	case MSR_KVM_STEAL_TIME:
		if (!okvm_steal_time_supported())
			return 1;
		*data = okvm_steal_time_get_msr(vcpu);
		return 0;
	case MSR_KVM_PV_EOI_EN:
		*data = vcpu->arch.pv_eoi.msr;
		return 0;
	}
	slot = okvm_stored_msr(vcpu, index);
	if (slot) {
		*data = *slot;
		return 0;
	}
	if (okvm_is_mce_msr(index))
		return okvm_mce_get_msr(vcpu, index, data, host);
	if (okvm_const_msr(index)) {
		*data = okvm_const_msr_val(index);
		return 0;
	}
	if (!okvm_kvmclock_get_msr(vcpu, index, data))
		return 0;
	return okvm_vendor->get_msr(vcpu, index, data) ? OKVM_MSR_UNKNOWN : 0;
}

/*
 * 0 when written, 1 when the value is not acceptable (#GP),
 * OKVM_MSR_UNKNOWN when okvm has no such MSR.
 */
int okvm_set_msr(struct okvm_vcpu *vcpu, u32 index, u64 data, bool host)
{
	u64 *slot;
	int r;

	if (!okvm_pv_msr_allowed(vcpu, index))
		return 1;
	r = okvm_lapic_set_msr(vcpu, index, data, host);
	if (r >= 0)
		return r;
	if (okvm_is_x2apic_msr(index))
		return 1;
	switch (index) {
	case MSR_EFER:
		return okvm_set_efer(vcpu, data, host);
	case MSR_IA32_TSC:
		okvm_write_tsc(vcpu, data, host);
		return 0;
	case MSR_IA32_TSC_ADJUST:
		okvm_write_tsc_adjust(vcpu, data, host);
		return 0;
	case MSR_IA32_APICBASE:
		if (!okvm_apic_base_valid(data))
			return 1;
		vcpu->arch.apic_base = data;
		return 0;
	case MSR_IA32_CR_PAT:
		if (!okvm_pat_valid(data))
			return 1;
		return okvm_vendor->set_msr(vcpu, index, data);
	case MSR_TSC_AUX:
		if (data >> 32)
			return 1;
		break;
	case MSR_IA32_MISC_ENABLE:
		return okvm_set_misc_enable(vcpu, data);
	case MSR_PLATFORM_INFO:
	case MSR_MISC_FEATURES_ENABLES:
		return okvm_platform_set_msr(vcpu, index, data, host);
	case MSR_KVM_STEAL_TIME:
		return okvm_steal_time_set_msr(vcpu, data);
	case MSR_KVM_PV_EOI_EN:
		return okvm_pv_eoi_set_msr(vcpu, data);
	}
	slot = okvm_stored_msr(vcpu, index);
	if (slot) {
		*slot = data;
		return 0;
	}
	r = okvm_const_msr(index);
	if (r)
		return r == OKVM_MSR_DROPS_WRITES || host ||
		       data == okvm_const_msr_val(index) ? 0 : 1;
	if (!okvm_kvmclock_set_msr(vcpu, index, data))
		return 0;
	if (okvm_is_mce_msr(index))
		return okvm_mce_set_msr(vcpu, index, data, host);
	return okvm_vendor->set_msr(vcpu, index, data) ? OKVM_MSR_UNKNOWN : 0;
}

/*
 * The guest's RDMSR: through the VMM's filter, then okvm's MSRs; a refusal
 * goes to userspace if the VMM asked for its reason, else raises #GP.
 */
int okvm_emulate_rdmsr(struct okvm_vcpu *vcpu)
{
	u64 *regs = vcpu->arch.regs;
	u32 index = regs[OKVM_RCX];
	u64 data;
	int r;

	r = OKVM_MSR_FILTERED;
	if (okvm_msr_allowed(vcpu, index, false))
		r = okvm_get_msr(vcpu, index, &data, false);
	if (r) {
		if (!okvm_msr_to_user(vcpu, index, false, 0, r))
			return 0;
		trace_kvm_msr(0, index, 0, true);
		okvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	}
	trace_kvm_msr(0, index, data, false);
	regs[OKVM_RAX] = (u32)data;
	regs[OKVM_RDX] = data >> 32;
	return okvm_skip_instruction(vcpu, vcpu->arch.exit.next_rip);
}

int okvm_emulate_wrmsr(struct okvm_vcpu *vcpu)
{
	u64 *regs = vcpu->arch.regs;
	u64 data = (u32)regs[OKVM_RAX] | (regs[OKVM_RDX] << 32);
	u32 index = regs[OKVM_RCX];
	int r;

	r = OKVM_MSR_FILTERED;
	if (okvm_msr_allowed(vcpu, index, true))
		r = okvm_set_msr(vcpu, index, data, false);
	if (r) {
		if (!okvm_msr_to_user(vcpu, index, true, data, r))
			return 0;
		trace_kvm_msr(1, index, data, true);
		okvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	}
	trace_kvm_msr(1, index, data, false);
	return okvm_skip_instruction(vcpu, vcpu->arch.exit.next_rip);
}

/* Every MSR KVM_GET_MSRS/KVM_SET_MSRS can save and restore. */
static const u32 okvm_msrs_to_save[] = {
	MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_KERNEL_GS_BASE, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
	MSR_IA32_SYSENTER_EIP, MSR_IA32_TSC, MSR_IA32_TSC_ADJUST,
	MSR_IA32_CR_PAT,
	MSR_IA32_APICBASE, MSR_IA32_MISC_ENABLE, MSR_TSC_AUX,
	MSR_KVM_SYSTEM_TIME, MSR_KVM_WALL_CLOCK,
	MSR_KVM_SYSTEM_TIME_NEW, MSR_KVM_WALL_CLOCK_NEW, MSR_IA32_TSC_DEADLINE,
	MSR_KVM_STEAL_TIME, MSR_KVM_PV_EOI_EN,
	MSR_MTRRcap, MSR_MTRRdefType, MSR_IA32_MCG_CAP, MSR_IA32_MCG_STATUS,
	MSR_IA32_MCG_CTL, MSR_PLATFORM_INFO, MSR_MISC_FEATURES_ENABLES,
	MSR_IA32_POWER_CTL,
};

/* A struct kvm_msr_list answer: nmsrs is written back even on E2BIG. */
__cold long okvm_put_msr_list(void __user *argp, const u32 *list, u32 count)
{
	struct kvm_msr_list __user *ul = argp;
	u32 n;

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

/* KVM_GET_MSR_INDEX_LIST */
__cold long okvm_dev_get_msr_index_list(void __user *argp)
{
	return okvm_put_msr_list(argp, okvm_msrs_to_save,
				 ARRAY_SIZE(okvm_msrs_to_save));
}

/*
 * The entries of a KVM_GET_MSRS or KVM_SET_MSRS: @do_msr on each in turn
 * (0: done, e->data filled for a read), each written back when @read.
 * Returns the number handled before the first refusal.
 */
__cold long okvm_msr_entries(void __user *argp, void *ctx, bool read,
		      int (*do_msr)(void *ctx, struct kvm_msr_entry *e))
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
		if (do_msr(ctx, &e))
			break;
		if (read && copy_to_user(&um->entries[i], &e, sizeof(e)))
			return -EFAULT;
	}
	return i;
}

static __cold int okvm_host_get_msr(void *vcpu, struct kvm_msr_entry *e)
{
	return okvm_get_msr(vcpu, e->index, &e->data, true);
}

static __cold int okvm_host_set_msr(void *vcpu, struct kvm_msr_entry *e)
{
	return okvm_set_msr(vcpu, e->index, e->data, true);
}

__cold long okvm_ioctl_get_msrs(struct okvm_vcpu *vcpu, void __user *argp)
{
	return okvm_msr_entries(argp, vcpu, true, okvm_host_get_msr);
}

__cold long okvm_ioctl_set_msrs(struct okvm_vcpu *vcpu, void __user *argp)
{
	return okvm_msr_entries(argp, vcpu, false, okvm_host_set_msr);
}
