// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMM's say over guest MSR accesses: KVM_X86_SET_MSR_FILTER (bitmaps of
 * MSRs the guest may not read or write) and KVM_CAP_X86_USER_SPACE_MSR
 * (RDMSR/WRMSR that would raise #GP go to userspace as KVM_EXIT_X86_RDMSR
 * and KVM_EXIT_X86_WRMSR instead, answered on the next KVM_RUN).
 *
 * SVM and VMX intercept every guest MSR access (no MSR is passed through
 * by the permission bitmaps), so a filter needs no vendor work: the next
 * RDMSR/WRMSR exit sees it.  Host accesses (KVM_GET/SET_MSRS) are never
 * filtered; okvm's instruction emulator does not execute RDMSR/WRMSR.
 */
#include <linux/kvm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/trapnr.h>

#include "kvm_core.h"

#define OKVM_MSR_EXIT_REASONS	(KVM_MSR_EXIT_REASON_INVAL | \
				 KVM_MSR_EXIT_REASON_UNKNOWN | \
				 KVM_MSR_EXIT_REASON_FILTER)
#define OKVM_MSR_FILTER_RW	(KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE)

struct okvm_msr_range {
	u32 flags;		/* KVM_MSR_FILTER_READ/WRITE */
	u32 base;
	u32 nmsrs;
	unsigned long *bitmap;	/* a set bit allows the access */
};

/* Read under RCU; replaced whole, never changed in place. */
struct okvm_msr_filter {
	bool default_allow;
	u32 count;
	struct okvm_msr_range ranges[KVM_MSR_FILTER_MAX_RANGES];
};

/* KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR): the reasons that exit. */
long okvm_vm_enable_user_space_msr(struct okvm_vm *vm, u64 mask)
{
	if (mask & ~(u64)OKVM_MSR_EXIT_REASONS)
		return -EINVAL;
	WRITE_ONCE(vm->arch.user_space_msr_mask, (u32)mask);
	return 0;
}

/* --- The filter ------------------------------------------------------- */

static void okvm_msr_filter_free(struct okvm_msr_filter *f)
{
	u32 i;

	if (!f)
		return;
	for (i = 0; i < f->count; i++)
		kfree(f->ranges[i].bitmap);
	kfree(f);
}

/*
 * One range of the VMM's filter into @f; an empty one (nmsrs 0) is left
 * out without looking at its other fields.  The bitmap is copied in whole
 * longs, as KVM does.
 */
static int okvm_msr_filter_add(struct okvm_msr_filter *f,
			       const struct kvm_msr_filter_range *ur)
{
	struct okvm_msr_range *r;
	u64 size;
	void *bitmap;

	if (!ur->nmsrs)
		return 0;
	if (!ur->flags || (ur->flags & ~OKVM_MSR_FILTER_RW))
		return -EINVAL;
	size = BITS_TO_LONGS((u64)ur->nmsrs) * sizeof(long);
	if (size > KVM_MSR_FILTER_MAX_BITMAP_SIZE)
		return -EINVAL;
	bitmap = memdup_user((const void __user *)ur->bitmap, size);
	if (IS_ERR(bitmap))
		return PTR_ERR(bitmap);
	r = &f->ranges[f->count++];
	r->flags = ur->flags;
	r->base = ur->base;
	r->nmsrs = ur->nmsrs;
	r->bitmap = bitmap;
	return 0;
}

/* The filter a struct kvm_msr_filter describes, or an ERR_PTR. */
static struct okvm_msr_filter *
okvm_msr_filter_build(const struct kvm_msr_filter *uf)
{
	struct okvm_msr_filter *f;
	bool empty = true;
	int i, r;

	if (uf->flags & ~KVM_MSR_FILTER_DEFAULT_DENY)
		return ERR_PTR(-EINVAL);
	for (i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++)
		if (uf->ranges[i].nmsrs)
			empty = false;
	/* No ranges means "no filter", which cannot deny by default. */
	if (empty && (uf->flags & KVM_MSR_FILTER_DEFAULT_DENY))
		return ERR_PTR(-EINVAL);
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return ERR_PTR(-ENOMEM);
	f->default_allow = !(uf->flags & KVM_MSR_FILTER_DEFAULT_DENY);
	for (i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++) {
		r = okvm_msr_filter_add(f, &uf->ranges[i]);
		if (r) {
			okvm_msr_filter_free(f);
			return ERR_PTR(r);
		}
	}
	return f;
}

/*
 * Swap the new filter in.  vm->lock orders the writers; vCPUs read the
 * pointer under RCU, so each access sees the old filter or the new one,
 * and the old one is freed only when no reader can hold it any more.
 */
static long okvm_msr_filter_install(struct okvm_vm *vm,
				    const struct kvm_msr_filter *uf)
{
	struct okvm_msr_filter *f, *old;

	f = okvm_msr_filter_build(uf);
	if (IS_ERR(f))
		return PTR_ERR(f);
	mutex_lock(&vm->lock);
	old = rcu_dereference_protected(vm->arch.msr_filter,
					lockdep_is_held(&vm->lock));
	rcu_assign_pointer(vm->arch.msr_filter, f);
	mutex_unlock(&vm->lock);
	synchronize_rcu();
	okvm_msr_filter_free(old);
	return 0;
}

/* KVM_X86_SET_MSR_FILTER */
long okvm_vm_set_msr_filter(struct okvm_vm *vm, void __user *argp)
{
	struct kvm_msr_filter uf;

	if (copy_from_user(&uf, argp, sizeof(uf)))
		return -EFAULT;
	return okvm_msr_filter_install(vm, &uf);
}

#ifdef CONFIG_COMPAT
/* KVM_X86_SET_MSR_FILTER of a 32-bit process. */
long okvm_vm_set_msr_filter_compat(struct okvm_vm *vm, void __user *argp)
{
	struct okvm_msr_filter32 uf32;
	struct kvm_msr_filter uf;
	int i;

	if (copy_from_user(&uf32, argp, sizeof(uf32)))
		return -EFAULT;
	uf.flags = uf32.flags;
	for (i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++) {
		uf.ranges[i].flags = uf32.ranges[i].flags;
		uf.ranges[i].nmsrs = uf32.ranges[i].nmsrs;
		uf.ranges[i].base = uf32.ranges[i].base;
		/* uapi types it as a plain pointer; it is a user address. */
		uf.ranges[i].bitmap = (u8 *)(unsigned long)uf32.ranges[i].bitmap;
	}
	return okvm_msr_filter_install(vm, &uf);
}
#else
long okvm_vm_set_msr_filter_compat(struct okvm_vm *vm, void __user *argp)
{
	return -ENOTTY;
}
#endif

/* VM teardown: no vCPU is left to read the filter. */
void okvm_msr_filter_destroy(struct okvm_vm *vm)
{
	okvm_msr_filter_free(rcu_dereference_protected(vm->arch.msr_filter,
						       true));
}

/* May the guest itself read (write=false) or write MSR @index? */
bool okvm_msr_allowed(struct okvm_vcpu *vcpu, u32 index, bool write)
{
	u32 type = write ? KVM_MSR_FILTER_WRITE : KVM_MSR_FILTER_READ;
	const struct okvm_msr_filter *f;
	const struct okvm_msr_range *r;
	bool allowed = true;
	u32 i;

	if (okvm_is_x2apic_msr(index))
		return true;
	rcu_read_lock();
	f = rcu_dereference(vcpu->vm->arch.msr_filter);
	if (f) {
		allowed = f->default_allow;
		for (i = 0; i < f->count; i++) {
			r = &f->ranges[i];
			/* base + nmsrs wraps to "no match", as in KVM. */
			if (!(r->flags & type) || index < r->base ||
			    index >= (u32)(r->base + r->nmsrs))
				continue;
			allowed = test_bit(index - r->base, r->bitmap);
			break;
		}
	}
	rcu_read_unlock();
	return allowed;
}

/* --- Exits to userspace ----------------------------------------------- */

static u32 okvm_msr_exit_reason(int r)
{
	switch (r) {
	case OKVM_MSR_UNKNOWN:
		return KVM_MSR_EXIT_REASON_UNKNOWN;
	case OKVM_MSR_FILTERED:
		return KVM_MSR_EXIT_REASON_FILTER;
	default:
		return KVM_MSR_EXIT_REASON_INVAL;
	}
}

/*
 * A guest RDMSR/WRMSR failed with @r (1, OKVM_MSR_UNKNOWN or _FILTERED).
 * 0: the VMM asked for this reason, the exit is set up (the caller exits
 * to userspace); 1: it did not, the caller raises #GP.
 */
int okvm_msr_to_user(struct okvm_vcpu *vcpu, u32 index, bool write,
		     u64 data, int r)
{
	struct okvm_msr_exit *m = &vcpu->arch.msr_exit;
	u32 reason = okvm_msr_exit_reason(r);

	if (!(READ_ONCE(vcpu->vm->arch.user_space_msr_mask) & reason))
		return 1;
	m->index = index;
	m->reason = reason;
	m->data = write ? data : 0;
	m->next_rip = vcpu->arch.exit.next_rip;
	vcpu->arch.completion = write ? OKVM_COMPLETE_WRMSR :
					OKVM_COMPLETE_RDMSR;
	return okvm_exit_to_user(vcpu, write ? OKVM_USER_WRMSR :
					       OKVM_USER_RDMSR);
}

/*
 * KVM_RUN after a KVM_EXIT_X86_RDMSR/WRMSR: run->msr.error raises #GP on
 * the instruction; otherwise a read's data goes to EDX:EAX and the
 * instruction retires.  1 on success, 0 after an internal-error exit.
 */
int okvm_complete_msr(struct okvm_vcpu *vcpu, bool write)
{
	struct kvm_run *run = vcpu->run;
	u64 data;

	if (READ_ONCE(run->msr.error)) {
		okvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	}
	if (!write) {
		data = READ_ONCE(run->msr.data);
		vcpu->arch.regs[OKVM_RAX] = (u32)data;
		vcpu->arch.regs[OKVM_RDX] = data >> 32;
	}
	return okvm_skip_instruction(vcpu, vcpu->arch.msr_exit.next_rip);
}
