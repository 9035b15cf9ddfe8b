// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_IRQFD: signalling an eventfd raises an edge on a GSI of the
 * in-kernel irqchip (an MSI when the GSI routes to one), so vhost, VFIO
 * or another thread of the VMM interrupt the guest without a VM ioctl.
 *
 * An irqfd sits on its eventfd's wait queue.  The wake-up (any context,
 * the eventfd's queue lock held) takes the count and raises the edge right
 * there, as KVM does for MSIs: the irqchip's and the LAPICs' locks take
 * IRQs off and a vCPU kick works from any context, so the signaller (a
 * vhost worker, the VMM's thread) interrupts the guest without waking a
 * kworker first.  A resample irqfd's level is queued on the system
 * workqueue instead; a hang-up (the eventfd's file is released) or
 * a deassign takes the irqfd off vm->irqfds and queues its shutdown on the
 * VM's irqfd workqueue, which leaves the wait queue, waits for a queued
 * injection and frees it.  VM teardown shuts every irqfd down and drains
 * that workqueue before anything an injection touches goes away.
 *
 * With KVM_IRQFD_FLAG_RESAMPLE the irqfd drives a level instead: a signal
 * asserts the GSI (its own source, ORed with the others), and the irqchip's
 * acknowledgement of the interrupt (an EOI) lowers it and signals the
 * resamplefd, so the VMM checks its device and signals again if the line is
 * still up.  The irqfds of one GSI share an okvm_resampler.  The arch's
 * EOI path lowers the level of each GSI okvm_irqfd_resampled() names, under
 * its irqchip lock, and calls okvm_irqfd_resample_notify() after dropping
 * it.
 *
 * Locks: the eventfd's wait-queue lock, then vm->irqfd_lock (spinlock,
 * IRQs off: the list).  vm->lock creates the workqueue.
 * vm->resampler_lock (mutex) serialises changes of the resamplers and of
 * their irqfd lists; the acknowledgement walks both under RCU.
 * vm->irqfd_ioctl_lock (mutex) serialises KVM_IRQFD itself, so that a
 * deassign never meets an irqfd whose assignment is still under way.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "kvm_core.h"

/* The resample irqfds of one GSI. */
struct okvm_resampler {
	u32 gsi;
	struct list_head link;		/* vm->resamplers */
	struct list_head irqfds;	/* okvm_irqfd.rs_link */
};

struct okvm_irqfd {
	struct okvm_vm *vm;
	struct list_head link;		/* vm->irqfds; empty once deactivated */
	struct eventfd_ctx *ctx;
	u32 gsi;
	struct okvm_resampler *rs;	/* NULL: edge-triggered */
	struct eventfd_ctx *resamplefd;
	struct list_head rs_link;	/* rs->irqfds */
	wait_queue_entry_t wait;
	poll_table pt;
	struct work_struct inject;
	struct work_struct shutdown;
};

static void okvm_irqfd_inject(struct work_struct *work)
{
	struct okvm_irqfd *f = container_of(work, struct okvm_irqfd, inject);

	okvm_arch_irqfd_inject(f->vm, f->gsi, f->rs != NULL);
}

/* --- Resampling ---------------------------------------------------------- */

/* @gsi's resampler or NULL; RCU read side or vm->resampler_lock held. */
static struct okvm_resampler *okvm_resampler_find(struct okvm_vm *vm, u32 gsi)
{
	struct okvm_resampler *rs;

	list_for_each_entry_rcu(rs, &vm->resamplers, link,
				lockdep_is_held(&vm->resampler_lock))
		if (rs->gsi == gsi)
			return rs;
	return NULL;
}

/* Join (or start) the resampler of @f's GSI.  Process context. */
static int okvm_resampler_attach(struct okvm_vm *vm, struct okvm_irqfd *f)
{
	struct okvm_resampler *rs;

	mutex_lock(&vm->resampler_lock);
	rs = okvm_resampler_find(vm, f->gsi);
	if (rs)
		goto found;
	rs = kzalloc(sizeof(*rs), GFP_KERNEL_ACCOUNT);
	if (!rs) {
		mutex_unlock(&vm->resampler_lock);
		return -ENOMEM;
	}
	rs->gsi = f->gsi;
	INIT_LIST_HEAD(&rs->irqfds);
	list_add_rcu(&rs->link, &vm->resamplers);
found:
	f->rs = rs;
	list_add_rcu(&f->rs_link, &rs->irqfds);
	mutex_unlock(&vm->resampler_lock);
	return 0;
}

/*
 * Leave the resampler; the last irqfd out lowers the GSI and frees it.
 * Process context (the shutdown work or a failed assign); may sleep.
 */
static void okvm_resampler_detach(struct okvm_irqfd *f)
{
	struct okvm_resampler *rs = f->rs;
	struct okvm_vm *vm = f->vm;
	bool last;

	mutex_lock(&vm->resampler_lock);
	list_del_rcu(&f->rs_link);
	last = list_empty(&rs->irqfds);
	if (last) {
		list_del_rcu(&rs->link);
		okvm_arch_irqfd_lower(vm, rs->gsi);
	}
	mutex_unlock(&vm->resampler_lock);
	/* No acknowledgement walks @f, or @rs when it was the last. */
	synchronize_rcu();
	if (last)
		kfree(rs);
	eventfd_ctx_put(f->resamplefd);
	f->rs = NULL;
}

/* Whether an EOI may concern a resample irqfd (any context, racy). */
bool okvm_irqfd_has_resamplers(struct okvm_vm *vm)
{
	return !list_empty(&vm->resamplers);
}

/* Whether @gsi has resample irqfds.  Any context (the arch's lock held). */
bool okvm_irqfd_resampled(struct okvm_vm *vm, u32 gsi)
{
	bool found;

	rcu_read_lock();
	found = okvm_resampler_find(vm, gsi) != NULL;
	rcu_read_unlock();
	return found;
}

/*
 * The irqchip acknowledged @gsi's interrupt, and has lowered the resample
 * level: signal the resamplefds of its irqfds.  Any context, but no
 * irqchip lock held (the eventfds' waiters run from here).
 */
void okvm_irqfd_resample_notify(struct okvm_vm *vm, u32 gsi)
{
	struct okvm_resampler *rs;
	struct okvm_irqfd *f;

	rcu_read_lock();
	rs = okvm_resampler_find(vm, gsi);
	if (rs)
		list_for_each_entry_rcu(f, &rs->irqfds, rs_link)
			okvm_eventfd_signal(f->resamplefd);
	rcu_read_unlock();
}

/* Runs on vm->irqfd_wq once the irqfd is off the list. */
static void okvm_irqfd_shutdown(struct work_struct *work)
{
	struct okvm_irqfd *f = container_of(work, struct okvm_irqfd, shutdown);
	u64 cnt;

	eventfd_ctx_remove_wait_queue(f->ctx, &f->wait, &cnt);
	flush_work(&f->inject);
	if (f->rs)
		okvm_resampler_detach(f);
	eventfd_ctx_put(f->ctx);
	kfree(f);
}

/* Take @f off the list and queue its shutdown; vm->irqfd_lock held. */
static void okvm_irqfd_deactivate(struct okvm_irqfd *f)
{
	lockdep_assert_held(&f->vm->irqfd_lock);
	if (list_empty(&f->link))
		return;
	list_del_init(&f->link);
	queue_work(f->vm->irqfd_wq, &f->shutdown);
}

/* The eventfd's wait-queue callback: its lock held, any context. */
static int okvm_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			     int sync, void *key)
{
	struct okvm_irqfd *f = container_of(wait, struct okvm_irqfd, wait);
	__poll_t events = key_to_poll(key);
	unsigned long flags;
	u64 cnt;

	if (events & EPOLLIN) {
		eventfd_ctx_do_read(f->ctx, &cnt);
		/* An edge needs no sleeping lock: raise it here. */
		if (f->rs)
			schedule_work(&f->inject);
		else
			okvm_arch_irqfd_inject(f->vm, f->gsi, false);
	}
	if (events & EPOLLHUP) {
		spin_lock_irqsave(&f->vm->irqfd_lock, flags);
		okvm_irqfd_deactivate(f);
		spin_unlock_irqrestore(&f->vm->irqfd_lock, flags);
	}
	return 0;
}

static void okvm_irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh,
				  poll_table *pt)
{
	struct okvm_irqfd *f = container_of(pt, struct okvm_irqfd, pt);

	add_wait_queue(wqh, &f->wait);
}

/* The VM's shutdown workqueue, made on first use; NULL without memory. */
static struct workqueue_struct *okvm_irqfd_wq(struct okvm_vm *vm)
{
	mutex_lock(&vm->lock);
	if (!vm->irqfd_wq)
		vm->irqfd_wq = alloc_workqueue("okvm-irqfd", WQ_UNBOUND, 0);
	mutex_unlock(&vm->lock);
	return vm->irqfd_wq;
}

/* Put @f on the list unless its eventfd already has an irqfd (EBUSY). */
static int okvm_irqfd_add(struct okvm_vm *vm, struct okvm_irqfd *f)
{
	struct okvm_irqfd *t;
	int r = 0;

	spin_lock_irq(&vm->irqfd_lock);
	list_for_each_entry(t, &vm->irqfds, link)
		if (t->ctx == f->ctx)
			r = -EBUSY;
	if (!r)
		list_add_tail(&f->link, &vm->irqfds);
	spin_unlock_irq(&vm->irqfd_lock);
	return r;
}

/* A new irqfd of @args->gsi, not on any list yet. */
static struct okvm_irqfd *okvm_irqfd_alloc(struct okvm_vm *vm,
					   const struct kvm_irqfd *args)
{
	struct okvm_irqfd *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return NULL;
	f->vm = vm;
	f->gsi = args->gsi;
	INIT_LIST_HEAD(&f->link);
	INIT_WORK(&f->inject, okvm_irqfd_inject);
	INIT_WORK(&f->shutdown, okvm_irqfd_shutdown);
	init_waitqueue_func_entry(&f->wait, okvm_irqfd_wakeup);
	init_poll_funcptr(&f->pt, okvm_irqfd_queue_proc);
	return f;
}

/* The resamplefd of a KVM_IRQFD_FLAG_RESAMPLE irqfd: EBADF, EINVAL. */
static int okvm_irqfd_setup_resample(struct okvm_vm *vm, struct okvm_irqfd *f,
				     const struct kvm_irqfd *args)
{
	int r;

	f->resamplefd = eventfd_ctx_fdget(args->resamplefd);
	if (IS_ERR(f->resamplefd))
		return PTR_ERR(f->resamplefd);
	r = okvm_resampler_attach(vm, f);
	if (r)
		eventfd_ctx_put(f->resamplefd);
	return r;
}

/* EINVAL (no in-kernel irqchip, not an eventfd), EBADF, EBUSY, ENOMEM. */
static int okvm_irqfd_assign(struct okvm_vm *vm, const struct kvm_irqfd *args)
{
	bool resample = args->flags & KVM_IRQFD_FLAG_RESAMPLE;
	struct okvm_irqfd *f;
	struct file *file;
	__poll_t events;
	int r;

	if (!okvm_arch_irqfd_allowed(vm, resample))
		return -EINVAL;
	if (!okvm_irqfd_wq(vm))
		return -ENOMEM;
	file = fget(args->fd);
	if (!file)
		return -EBADF;
	r = -ENOMEM;
	f = okvm_irqfd_alloc(vm, args);
	if (!f)
		goto out;
	f->ctx = eventfd_ctx_fileget(file);
	r = PTR_ERR_OR_ZERO(f->ctx);
	if (r)
		goto free;
	r = resample ? okvm_irqfd_setup_resample(vm, f, args) : 0;
	if (r)
		goto put;
	r = okvm_irqfd_add(vm, f);
	if (r)
		goto detach;
	/* Signalled before it was assigned: inject once now. */
	events = vfs_poll(file, &f->pt);
	if (events & EPOLLIN)
		schedule_work(&f->inject);
	fput(file);
	return 0;
detach:
	if (f->rs)
		okvm_resampler_detach(f);
put:
	eventfd_ctx_put(f->ctx);
free:
	kfree(f);
out:
	fput(file);
	return r;
}

/* Every irqfd of this eventfd and GSI goes; none is not an error. */
static int okvm_irqfd_deassign(struct okvm_vm *vm,
			       const struct kvm_irqfd *args)
{
	struct okvm_irqfd *f, *tmp;
	struct eventfd_ctx *ctx;

	ctx = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	spin_lock_irq(&vm->irqfd_lock);
	list_for_each_entry_safe(f, tmp, &vm->irqfds, link)
		if (f->ctx == ctx && f->gsi == args->gsi)
			okvm_irqfd_deactivate(f);
	spin_unlock_irq(&vm->irqfd_lock);
	eventfd_ctx_put(ctx);
	/* Once this returns, the eventfd injects nothing more. */
	if (vm->irqfd_wq)
		flush_workqueue(vm->irqfd_wq);
	return 0;
}

/* KVM_IRQFD: EFAULT, EINVAL for unknown flags, then assign or deassign. */
__cold long okvm_vm_ioctl_irqfd(struct okvm_vm *vm, void __user *argp)
{
	struct kvm_irqfd args;
	long r;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~(KVM_IRQFD_FLAG_DEASSIGN | KVM_IRQFD_FLAG_RESAMPLE))
		return -EINVAL;
	/* An assignment is on the list before it is on the eventfd's queue. */
	mutex_lock(&vm->irqfd_ioctl_lock);
	if (args.flags & KVM_IRQFD_FLAG_DEASSIGN)
		r = okvm_irqfd_deassign(vm, &args);
	else
		r = okvm_irqfd_assign(vm, &args);
	mutex_unlock(&vm->irqfd_ioctl_lock);
	return r;
}

/* VM teardown, before the vCPUs and the irqchip go: no ioctl can run. */
void okvm_irqfd_release_all(struct okvm_vm *vm)
{
	struct okvm_irqfd *f, *tmp;

	if (!vm->irqfd_wq)
		return;
	spin_lock_irq(&vm->irqfd_lock);
	list_for_each_entry_safe(f, tmp, &vm->irqfds, link)
		okvm_irqfd_deactivate(f);
	spin_unlock_irq(&vm->irqfd_lock);
	destroy_workqueue(vm->irqfd_wq);
	vm->irqfd_wq = NULL;
}
