// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_CAP_SYNC_REGS: the general registers, the special registers and the
 * vCPU events travel in kvm_run->s.regs, so that a VMM reads and changes
 * them around KVM_RUN without an ioctl for each.  On entry to KVM_RUN the
 * sets named in kvm_run->kvm_dirty_regs are loaded, through the checks of
 * KVM_SET_REGS, KVM_SET_SREGS and KVM_SET_VCPU_EVENTS, and their bits are
 * cleared; whenever KVM_RUN returns, the sets named in kvm_valid_regs are
 * stored.
 *
 * kvm_run is mapped into userspace, which may write it at any moment: each
 * mask is read once, and a set is copied out before it is checked, so that
 * what is checked is what gets loaded.
 */
#include <linux/kvm.h>
#include <linux/compiler.h>
#include <linux/string.h>

#include "kvm_core.h"

/* Copy a set out of kvm_run; the barrier keeps the compiler from reading
 * kvm_run again in place of the copy. */
#define okvm_sync_copy(dst, src)			\
	do {						\
		memcpy(&(dst), &(src), sizeof(dst));	\
		barrier();				\
	} while (0)

static int okvm_sync_load_set(struct okvm_vcpu *vcpu, u64 set)
{
	struct kvm_sync_regs *s = &vcpu->run->s.regs;
	union {
		struct kvm_regs regs;
		struct kvm_sregs sregs;
		struct kvm_vcpu_events events;
	} u;

	switch (set) {
	case KVM_SYNC_X86_REGS:
		okvm_sync_copy(u.regs, s->regs);
		okvm_set_regs(vcpu, &u.regs);
		return 0;
	case KVM_SYNC_X86_SREGS:
		okvm_sync_copy(u.sregs, s->sregs);
		return okvm_set_sregs(vcpu, &u.sregs);
	default:
		okvm_sync_copy(u.events, s->events);
		/* Any refusal is EINVAL here, as upstream. */
		return okvm_set_vcpu_events(vcpu, &u.events) ? -EINVAL : 0;
	}
}

/*
 * KVM_RUN's first step: 0, or -EINVAL for an unknown bit in either mask or
 * a set that its ioctl would refuse (the sets before it stay loaded, and
 * their bits cleared).
 */
int okvm_sync_regs_load(struct okvm_vcpu *vcpu)
{
	static const u64 order[] = {
		KVM_SYNC_X86_REGS, KVM_SYNC_X86_SREGS, KVM_SYNC_X86_EVENTS,
	};
	struct kvm_run *run = vcpu->run;
	u64 valid = READ_ONCE(run->kvm_valid_regs);
	u64 dirty = READ_ONCE(run->kvm_dirty_regs);
	int i, r;

	if ((valid | dirty) & ~(u64)KVM_SYNC_X86_VALID_FIELDS)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (!(dirty & order[i]))
			continue;
		r = okvm_sync_load_set(vcpu, order[i]);
		if (r)
			return r;
		dirty &= ~order[i];
		WRITE_ONCE(run->kvm_dirty_regs, dirty);
	}
	return 0;
}

/* Every return from KVM_RUN: the sets userspace asked to see. */
void okvm_sync_regs_store(struct okvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	u64 valid = READ_ONCE(run->kvm_valid_regs);

	if (valid & KVM_SYNC_X86_REGS)
		okvm_get_regs(vcpu, &run->s.regs.regs);
	if (valid & KVM_SYNC_X86_SREGS)
		okvm_get_sregs(vcpu, &run->s.regs.sregs);
	if (valid & KVM_SYNC_X86_EVENTS)
		okvm_get_vcpu_events(vcpu, &run->s.regs.events);
}
