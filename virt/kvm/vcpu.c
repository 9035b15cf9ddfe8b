// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPU lifecycle, the vCPU file descriptor (ioctl, mmap of kvm_run) and the
 * request/kick machinery that makes a running vCPU leave guest mode.
 */
#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#include "kvm_core.h"
#include "trace_core.h"

/*
 * Remember which thread runs this vCPU, for okvm_vcpu_on_spin().  It
 * changes rarely (QEMU runs a vCPU from one thread); the old pid is put
 * once no spinner can still be looking at it.  vcpu->mutex held.
 */
static void okvm_vcpu_set_pid(struct okvm_vcpu *vcpu)
{
	struct pid *old = rcu_dereference_protected(vcpu->pid,
					lockdep_is_held(&vcpu->mutex));

	if (old == task_pid(current))
		return;
	rcu_assign_pointer(vcpu->pid, get_task_pid(current, PIDTYPE_PID));
	if (old) {
		synchronize_rcu();
		put_pid(old);
	}
}

static long okvm_vcpu_ioctl(struct file *filp, unsigned int ioctl,
			    unsigned long arg)
{
	struct okvm_vcpu *vcpu = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	switch (ioctl) {
	case KVM_RUN:
		if (arg) {
			r = -EINVAL;
			break;
		}
		okvm_vcpu_set_pid(vcpu);
		r = okvm_arch_vcpu_run(vcpu);
		trace_kvm_userspace_exit(vcpu->run->exit_reason, r);
		break;
	case KVM_GET_STATS_FD:
		r = okvm_get_stats_fd(vcpu->vm, vcpu);
		break;
	default:
		r = okvm_arch_vcpu_ioctl(vcpu, ioctl, argp);
		break;
	}
	mutex_unlock(&vcpu->mutex);
	return r;
}

/*
 * Page 0 of the mapping is kvm_run, page KVM_COALESCED_MMIO_PAGE_OFFSET
 * (where the UAPI has one) the VM's coalesced MMIO ring; the arch serves
 * the others it has (okvm_arch_vcpu_page()).
 */
static vm_fault_t okvm_vcpu_fault(struct vm_fault *vmf)
{
	struct okvm_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff == 0)
		page = virt_to_page(vcpu->run);
#ifdef KVM_COALESCED_MMIO_PAGE_OFFSET
	else if (vmf->pgoff == KVM_COALESCED_MMIO_PAGE_OFFSET)
		page = okvm_coalesced_page(vcpu->vm);
#endif
	else
		page = okvm_arch_vcpu_page(vcpu, vmf->pgoff);
	if (!page)
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct okvm_vcpu_vm_ops = {
	.fault = okvm_vcpu_fault,
};

static int okvm_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &okvm_vcpu_vm_ops;
	return 0;
}

static int okvm_vcpu_release(struct inode *inode, struct file *filp)
{
	struct okvm_vcpu *vcpu = filp->private_data;

	okvm_vm_put(vcpu->vm);
	return 0;
}

struct file_operations okvm_vcpu_fops = {
	.release = okvm_vcpu_release,
	.unlocked_ioctl = okvm_vcpu_ioctl,
	.compat_ioctl = okvm_vcpu_ioctl,
	.mmap = okvm_vcpu_mmap,
	.llseek = noop_llseek,
};

static struct okvm_vcpu *okvm_alloc_vcpu(struct okvm_vm *vm, int id)
{
	struct okvm_vcpu *vcpu;
	struct page *run;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return NULL;
	run = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!run) {
		kfree(vcpu);
		return NULL;
	}
	vcpu->run = page_address(run);
	vcpu->vm = vm;
	vcpu->vcpu_id = id;
	vcpu->cpu = -1;
	mutex_init(&vcpu->mutex);
	init_waitqueue_head(&vcpu->wq);
	return vcpu;
}

static void okvm_free_vcpu(struct okvm_vcpu *vcpu)
{
	put_pid(rcu_dereference_protected(vcpu->pid, true));
	free_page((unsigned long)vcpu->run);
	kfree(vcpu);
}

/* Called only from VM destruction: vCPUs live as long as their VM. */
void okvm_vcpu_destroy(struct okvm_vcpu *vcpu)
{
	okvm_arch_vcpu_free(vcpu);
	okvm_free_vcpu(vcpu);
}

static bool okvm_vcpu_id_taken(struct okvm_vm *vm, int id)
{
	struct okvm_vcpu *vcpu;
	unsigned long i;

	lockdep_assert_held(&vm->lock);
	xa_for_each(&vm->vcpus, i, vcpu)
		if (vcpu->vcpu_id == id)
			return true;
	return false;
}

/* Publish a fully built vCPU and give userspace its fd.  vm->lock held. */
static int okvm_publish_vcpu(struct okvm_vm *vm, struct okvm_vcpu *vcpu)
{
	char name[24];
	int r, fd;

	lockdep_assert_held(&vm->lock);
	if (okvm_vcpu_id_taken(vm, vcpu->vcpu_id))
		return -EEXIST;
	vcpu->vcpu_idx = atomic_read(&vm->online_vcpus);
	r = xa_insert(&vm->vcpus, vcpu->vcpu_idx, vcpu, GFP_KERNEL_ACCOUNT);
	if (r)
		return r;
	refcount_inc(&vm->refs);
	snprintf(name, sizeof(name), "kvm-vcpu:%d", vcpu->vcpu_id);
	fd = anon_inode_getfd(name, &okvm_vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		xa_erase(&vm->vcpus, vcpu->vcpu_idx);
		refcount_dec(&vm->refs);	/* the VM fd still holds one */
		return fd;
	}
	smp_wmb();	/* the vCPU is complete before it is counted */
	atomic_inc(&vm->online_vcpus);
	okvm_debugfs_vcpu_add(vcpu);
	return fd;
}

/*
 * Room for one more vCPU with this id, within the VM's limits and the
 * arch's (okvm_arch_vcpu_precreate()): count it.  0 or -EINVAL.
 */
static int okvm_count_vcpu(struct okvm_vm *vm, unsigned long id)
{
	int r = -EINVAL;

	if (id >= OKVM_MAX_VCPU_IDS)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (vm->created_vcpus < OKVM_MAX_VCPUS)
		r = okvm_arch_vcpu_precreate(vm, id);
	if (!r)
		vm->created_vcpus++;
	mutex_unlock(&vm->lock);
	return r;
}

/* KVM_CREATE_VCPU */
__cold int okvm_create_vcpu(struct okvm_vm *vm, unsigned long id)
{
	struct okvm_vcpu *vcpu;
	int r;

	r = okvm_count_vcpu(vm, id);
	if (r)
		return r;
	r = -ENOMEM;
	vcpu = okvm_alloc_vcpu(vm, id);
	if (!vcpu)
		goto undo_count;
	r = okvm_arch_vcpu_create(vcpu);
	if (r)
		goto free_vcpu;

	mutex_lock(&vm->lock);
	r = okvm_publish_vcpu(vm, vcpu);
	mutex_unlock(&vm->lock);
	if (r >= 0)
		return r;
	okvm_arch_vcpu_free(vcpu);
free_vcpu:
	okvm_free_vcpu(vcpu);
undo_count:
	mutex_lock(&vm->lock);
	vm->created_vcpus--;
	mutex_unlock(&vm->lock);
	return r;
}

void okvm_make_request(struct okvm_vcpu *vcpu, int req)
{
	set_bit(req, &vcpu->requests);
}
EXPORT_SYMBOL_GPL(okvm_make_request);

static void okvm_ipi_noop(void *unused)
{
}

/*
 * Make a vCPU notice its requests or new events, from any context (IRQs
 * off and hard-IRQ context included): wake it if it sleeps in
 * okvm_vcpu_block(), and force it out of guest mode (okvm_arch_kick_cpu())
 * if it may be running the guest on another CPU.  The caller made its
 * change visible before calling (the barrier below orders it against the
 * read of vcpu->mode, paired with the entry path's smp_store_mb()).
 */
void okvm_kick_vcpu(struct okvm_vcpu *vcpu)
{
	int cpu, me;

	smp_mb();
	if (wq_has_sleeper(&vcpu->wq))
		wake_up_interruptible(&vcpu->wq);
	me = get_cpu();
	cpu = READ_ONCE(vcpu->cpu);
	if (cpu >= 0 && cpu != me && cpu_online(cpu) &&
	    READ_ONCE(vcpu->mode) == OKVM_IN_GUEST)
		okvm_arch_kick_cpu(vcpu, cpu);
	put_cpu();
}
EXPORT_SYMBOL_GPL(okvm_kick_vcpu);

/*
 * Sleep until the vCPU has something to do (okvm_arch_vcpu_should_wake())
 * or a signal is pending; true if it slept.  vcpu->mutex held; may sleep.
 * A waker changes the state first, then calls okvm_kick_vcpu():
 * prepare_to_wait() orders our check after our queueing, so no wake-up
 * is lost.  Halts poll first (halt.c).
 */
bool okvm_vcpu_sleep(struct okvm_vcpu *vcpu)
{
	DEFINE_WAIT(wait);
	bool slept = false;

	might_sleep();
	WRITE_ONCE(vcpu->stat[OKVM_STAT_BLOCKING], 1);
	for (;;) {
		prepare_to_wait(&vcpu->wq, &wait, TASK_INTERRUPTIBLE);
		if (okvm_arch_vcpu_should_wake(vcpu) || signal_pending(current))
			break;
		schedule();
		slept = true;
	}
	finish_wait(&vcpu->wq, &wait);
	WRITE_ONCE(vcpu->stat[OKVM_STAT_BLOCKING], 0);
	if (slept)
		okvm_vcpu_stat_inc(vcpu, OKVM_STAT_HALT_WAKEUP);
	return slept;
}

/*
 * The guest spins (a pause loop): most likely on a lock, or for an answer,
 * from a vCPU whose thread the host preempted.  Give our time slice to
 * the thread of another vCPU that is neither in guest mode nor asleep in
 * okvm_vcpu_block(), so that it can finish what we wait for.  On a host
 * with fewer CPUs than vCPUs this is what lets the guest progress at all.
 * True if we yielded to one.
 */
bool okvm_vcpu_on_spin(struct okvm_vcpu *me)
{
	struct task_struct *task;
	struct okvm_vcpu *vcpu;
	unsigned long i;
	int r;

	okvm_for_each_vcpu(i, vcpu, me->vm) {
		if (vcpu == me || READ_ONCE(vcpu->mode) == OKVM_IN_GUEST ||
		    wq_has_sleeper(&vcpu->wq))
			continue;
		rcu_read_lock();
		task = get_pid_task(rcu_dereference(vcpu->pid), PIDTYPE_PID);
		rcu_read_unlock();
		if (!task)
			continue;
		r = task == current ? 0 : yield_to(task, true);
		put_task_struct(task);
		if (r)
			return r > 0;	/* yielded, or nobody else can run */
	}
	return false;
}

/*
 * Every vCPU flushes its guest TLB before it next enters, and none is still
 * in guest mode on stale translations when this returns: a vCPU that was in
 * guest mode took our IPI, which it can only do after leaving it.
 */
void okvm_flush_remote_tlbs(struct okvm_vm *vm)
{
	struct okvm_vcpu *vcpu;
	cpumask_var_t mask;
	unsigned long i;
	bool have_mask;
	int cpu;

	okvm_stat_add(&vm->stat[OKVM_VM_STAT_REMOTE_TLB_FLUSH_REQUESTS], 1);
	have_mask = zalloc_cpumask_var(&mask, GFP_ATOMIC);
	okvm_for_each_vcpu(i, vcpu, vm)
		set_bit(OKVM_REQ_TLB_FLUSH, &vcpu->requests);
	smp_mb__after_atomic();
	preempt_disable();
	okvm_for_each_vcpu(i, vcpu, vm) {
		cpu = READ_ONCE(vcpu->cpu);
		if (cpu < 0 || READ_ONCE(vcpu->mode) != OKVM_IN_GUEST)
			continue;
		if (have_mask)
			cpumask_set_cpu(cpu, mask);
	}
	if (have_mask)
		cpumask_clear_cpu(smp_processor_id(), mask);
	/* remote_tlb_flush counts the flushes that needed an IPI. */
	if (!have_mask || !cpumask_empty(mask))
		okvm_stat_add(&vm->stat[OKVM_VM_STAT_REMOTE_TLB_FLUSH], 1);
	if (have_mask)
		smp_call_function_many(mask, okvm_ipi_noop, NULL, true);
	else
		smp_call_function(okvm_ipi_noop, NULL, true);
	preempt_enable();
	if (have_mask)
		free_cpumask_var(mask);
}
