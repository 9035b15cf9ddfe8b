// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest MSR accesses (RDMSR/WRMSR exits).  An MSR nobody implements raises
 * #GP in the guest, as KVM does by default.
 */
#include <linux/kvm.h>
#include <linux/uaccess.h>
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

/* Every MSR KVM_GET_MSRS/KVM_SET_MSRS can save and restore. */
static const u32 okvm_msrs_to_save[] = {
	MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_KERNEL_GS_BASE, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
	MSR_IA32_SYSENTER_EIP, MSR_IA32_TSC, MSR_IA32_CR_PAT,
	MSR_IA32_APICBASE,
};

/* KVM_GET_MSR_INDEX_LIST: nmsrs is written back even on E2BIG. */
long okvm_dev_get_msr_index_list(void __user *argp)
{
	struct kvm_msr_list __user *ul = argp;
	u32 n, count = ARRAY_SIZE(okvm_msrs_to_save);

	if (get_user(n, &ul->nmsrs))
		return -EFAULT;
	if (put_user(count, &ul->nmsrs))
		return -EFAULT;
	if (n < count)
		return -E2BIG;
	if (copy_to_user(ul->indices, okvm_msrs_to_save, sizeof(okvm_msrs_to_save)))
		return -EFAULT;
	return 0;
}

#define OKVM_MAX_IO_MSRS	1000

/* Run do_msr over the entries; the number handled before a failure. */
static long okvm_msrs_loop(struct okvm_vcpu *vcpu, void __user *argp,
			   bool set)
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
		if (set) {
			if (okvm_set_msr(vcpu, e.index, e.data, true))
				break;
			continue;
		}
		if (okvm_get_msr(vcpu, e.index, &e.data, true))
			break;
		if (copy_to_user(&um->entries[i], &e, sizeof(e)))
			return -EFAULT;
	}
	return i;
}

long okvm_ioctl_get_msrs(struct okvm_vcpu *vcpu, void __user *argp)
{
	return okvm_msrs_loop(vcpu, argp, false);
}

long okvm_ioctl_set_msrs(struct okvm_vcpu *vcpu, void __user *argp)
{
	return okvm_msrs_loop(vcpu, argp, true);
}
