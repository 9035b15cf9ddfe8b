// SPDX-License-Identifier: GPL-2.0-only
/*
 * PV end of interrupt (MSR_KVM_PV_EOI_EN, KVM_FEATURE_PV_EOI).  The guest
 * names a zeroed u32 in its memory; while bit 0 of it is set, the guest
 * may clear the bit instead of writing the LAPIC's EOI register, and
 * saves that exit.
 *
 * Before an entry okvm sets the bit when the guest's next EOI would do
 * nothing but retire the vector in service (okvm_lapic_eoi_is_silent()),
 * or the one lent to the CPU, which the guest may take and end without an
 * exit; it clears the bit again when that stops being so.  After each
 * exit (the loan settled first: a vector taken is in service then), a bit
 * the guest cleared is its EOI, done there.  'pending' is "set by us and
 * not cleared by the guest as of the last exit": only the vCPU's thread
 * touches the word on the host side and the guest is not running while
 * it does, so the flag cannot go stale.
 *
 * When KVM_RUN returns the word is settled (okvm_pv_eoi_leave()): what
 * the VMM sees, and may save and restore elsewhere, has the bit clear,
 * as KVM leaves it; the next entry offers it again.  A guest that turns
 * PV EOI off or moves the word while a bit is set finds it cleared, so
 * it does not skip an EOI nobody tracks any more.
 *
 * Without an in-kernel LAPIC the MSR is kept but the bit is never set,
 * so the guest always writes its EOI, which the protocol allows.
 */
#include <linux/kvm.h>
#include <uapi/asm/kvm_para.h>

#include "kvm_core.h"
#include "irqchip.h"
#include "run_hooks.h"

#define OKVM_PV_EOI_BIT		1u
/* The area is 4-byte aligned: bit 1 of the MSR is reserved. */
#define OKVM_PV_EOI_RESERVED	2ull

static u64 okvm_pv_eoi_gpa(u64 msr)
{
	return msr & ~(u64)(KVM_MSR_ENABLED | OKVM_PV_EOI_RESERVED);
}

/* Take back a bit we set and the guest has not cleared. */
static void okvm_pv_eoi_withdraw(struct okvm_vcpu *vcpu)
{
	struct okvm_pv_eoi *pe = &vcpu->arch.pv_eoi;
	u32 word = 0;

	if (!okvm_write_guest(vcpu->vm, okvm_pv_eoi_gpa(pe->msr), &word,
			      sizeof(word)))
		pe->pending = false;
}

/* Guest or VMM write: 0 taken, 1 refused (#GP). */
int okvm_pv_eoi_set_msr(struct okvm_vcpu *vcpu, u64 data)
{
	struct okvm_pv_eoi *pe = &vcpu->arch.pv_eoi;
	u32 word = 0;

	if (data & OKVM_PV_EOI_RESERVED)
		return 1;
	if ((data & KVM_MSR_ENABLED) &&
	    okvm_read_guest(vcpu->vm, okvm_pv_eoi_gpa(data), &word,
			    sizeof(word)))
		return 1;
	if (pe->pending)
		okvm_pv_eoi_withdraw(vcpu);
	pe->msr = data;
	/*
	 * KVM_RUN leaves the bit clear, so a set one is a word the guest did
	 * not zero: count it as an offer, so that an EOI the guest skips on
	 * it is still done.
	 */
	pe->pending = word & OKVM_PV_EOI_BIT;
	return 0;
}

/*
 * Power-on and INIT turn it off: the code after an INIT never asked.  A
 * bit still set is left alone: that memory may belong to other code now.
 */
void okvm_pv_eoi_reset(struct okvm_vcpu *vcpu)
{
	vcpu->arch.pv_eoi = (struct okvm_pv_eoi){};
}

/* Before an entry, after injection, PV EOI on and a LAPIC in the kernel;
 * may sleep (guest memory). */
void __okvm_pv_eoi_offer(struct okvm_vcpu *vcpu)
{
	struct okvm_pv_eoi *pe = &vcpu->arch.pv_eoi;
	bool want;
	u32 word;

	want = okvm_lapic_eoi_is_silent(vcpu);
	if (want == pe->pending)
		return;
	word = want ? OKVM_PV_EOI_BIT : 0;
	if (!okvm_write_guest(vcpu->vm, okvm_pv_eoi_gpa(pe->msr), &word,
			      sizeof(word)))
		pe->pending = want;
}

/* After an exit with a bit offered: a bit the guest cleared is its EOI.
 * May sleep. */
void __okvm_pv_eoi_check(struct okvm_vcpu *vcpu)
{
	struct okvm_pv_eoi *pe = &vcpu->arch.pv_eoi;
	u32 word;

	if (okvm_read_guest(vcpu->vm, okvm_pv_eoi_gpa(pe->msr), &word,
			    sizeof(word)) ||
	    (word & OKVM_PV_EOI_BIT))
		return;
	pe->pending = false;
	if (vcpu->arch.lapic)
		okvm_lapic_guest_eoi(vcpu);
}

/* KVM_RUN returns to the VMM: an EOI the guest gave is done, a bit it
 * has not taken is cleared.  May sleep. */
void okvm_pv_eoi_leave(struct okvm_vcpu *vcpu)
{
	okvm_pv_eoi_check(vcpu);
	if (vcpu->arch.pv_eoi.pending)
		okvm_pv_eoi_withdraw(vcpu);
}
