// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM lifecycle and the VM file descriptor's ioctls.
 */
#include <linux/module.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>

#include "kvm_core.h"

static long okvm_vm_ioctl_set_memory_region(struct okvm_vm *vm,
					    void __user *argp)
{
	struct kvm_userspace_memory_region mem;

	if (copy_from_user(&mem, argp, sizeof(mem)))
		return -EFAULT;
	return okvm_set_memory_region(vm, &mem);
}

static long okvm_vm_ioctl_get_dirty_log(struct okvm_vm *vm, void __user *argp)
{
	struct kvm_dirty_log log;

	if (copy_from_user(&log, argp, sizeof(log)))
		return -EFAULT;
	return okvm_get_dirty_log(vm, &log);
}

/*
 * KVM_ENABLE_CAP: the core's capabilities here, the arch's in
 * okvm_arch_vm_enable_cap().  Unknown flags are EINVAL for all of them.
 */
static long okvm_vm_ioctl_enable_cap(struct okvm_vm *vm, void __user *argp)
{
	struct kvm_enable_cap cap;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	if (cap.flags)
		return -EINVAL;
	if (cap.cap == KVM_CAP_HALT_POLL)
		return okvm_vm_enable_halt_poll(vm, cap.args[0]);
	return okvm_arch_vm_enable_cap(vm, &cap);
}

static long okvm_vm_ioctl(struct file *filp, unsigned int ioctl,
			  unsigned long arg)
{
	struct okvm_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case KVM_CREATE_VCPU:
		return okvm_create_vcpu(vm, arg);
	case KVM_SET_USER_MEMORY_REGION:
		return okvm_vm_ioctl_set_memory_region(vm, argp);
	case KVM_CHECK_EXTENSION:
		return okvm_check_extension(vm, arg);
	case KVM_GET_DIRTY_LOG:
		return okvm_vm_ioctl_get_dirty_log(vm, argp);
#ifdef KVM_COALESCED_MMIO_PAGE_OFFSET
	case KVM_REGISTER_COALESCED_MMIO:
		return okvm_vm_ioctl_register_coalesced(vm, argp);
	case KVM_UNREGISTER_COALESCED_MMIO:
		return okvm_vm_ioctl_unregister_coalesced(vm, argp);
#endif
	case KVM_IOEVENTFD:
		return okvm_vm_ioctl_ioeventfd(vm, argp);
	case KVM_IRQFD:
		return okvm_vm_ioctl_irqfd(vm, argp);
	case KVM_GET_STATS_FD:
		return okvm_get_stats_fd(vm, NULL);
	case KVM_ENABLE_CAP:
		return okvm_vm_ioctl_enable_cap(vm, argp);
	default:
		return okvm_arch_vm_ioctl(vm, ioctl, argp);
	}
}

static void okvm_destroy_vm(struct okvm_vm *vm)
{
	struct okvm_vcpu *vcpu;
	unsigned long i;

	okvm_debugfs_vm_remove(vm);
	okvm_arch_vm_pre_destroy(vm);
	okvm_irqfd_release_all(vm);
	okvm_mmu_notifier_unregister(vm);
	xa_for_each(&vm->vcpus, i, vcpu)
		okvm_vcpu_destroy(vcpu);
	xa_destroy(&vm->vcpus);
	okvm_arch_vm_destroy(vm);
	okvm_ioeventfd_release_all(vm);
	okvm_io_bus_destroy(vm);
	okvm_coalesced_destroy(vm);
	okvm_free_memslots(vm);
	cleanup_srcu_struct(&vm->srcu);
	mmdrop(vm->mm);
	kfree(vm);
}

/* Drop one reference; the last one (VM fd or a vCPU fd) frees the VM. */
void okvm_vm_put(struct okvm_vm *vm)
{
	if (refcount_dec_and_test(&vm->refs))
		okvm_destroy_vm(vm);
}

static int okvm_vm_release(struct inode *inode, struct file *filp)
{
	okvm_vm_put(filp->private_data);
	return 0;
}

struct file_operations okvm_vm_fops = {
	.release = okvm_vm_release,
	.unlocked_ioctl = okvm_vm_ioctl,
	.compat_ioctl = okvm_vm_ioctl,
	.llseek = noop_llseek,
};

static struct okvm_vm *okvm_alloc_vm(void)
{
	struct okvm_vm *vm;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return NULL;
	refcount_set(&vm->refs, 1);
	mutex_init(&vm->lock);
	mutex_init(&vm->slots_lock);
	xa_init(&vm->slots_by_id);
	xa_init(&vm->slots_by_end);
	spin_lock_init(&vm->mmu_lock);
	xa_init(&vm->vcpus);
	INIT_LIST_HEAD(&vm->vm_node);
	if (init_srcu_struct(&vm->srcu)) {
		kfree(vm);
		return NULL;
	}
	vm->mm = current->mm;
	mmgrab(vm->mm);
	return vm;
}

/* Every file we create pins the vendor module, like /dev/kvm itself. */
void okvm_set_fops_owner(struct module *owner)
{
	okvm_vm_fops.owner = owner;
	okvm_vcpu_fops.owner = owner;
	okvm_stats_fops.owner = owner;
	okvm_debugfs_vm_fops.owner = owner;
	okvm_debugfs_pid_fops.owner = owner;
}

/* KVM_CREATE_VM: only the default VM type (0); no arch of ours has more. */
int okvm_create_vm(unsigned long type)
{
	struct okvm_vm *vm;
	struct file *file;
	int r, fd;

	if (type)
		return -EINVAL;
	vm = okvm_alloc_vm();
	if (!vm)
		return -ENOMEM;
	INIT_LIST_HEAD(&vm->ioeventfds);
	INIT_LIST_HEAD(&vm->irqfds);
	INIT_LIST_HEAD(&vm->resamplers);
	mutex_init(&vm->resampler_lock);
	mutex_init(&vm->irqfd_ioctl_lock);
	spin_lock_init(&vm->irqfd_lock);
	r = okvm_coalesced_init(vm);
	if (r)
		goto fail_free;
	r = okvm_arch_vm_init(vm);
	if (r)
		goto fail_free;
	r = okvm_mmu_notifier_register(vm);
	if (r)
		goto fail_arch;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		okvm_vm_put(vm);
		return fd;
	}
	file = anon_inode_getfile("kvm-vm", &okvm_vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		okvm_vm_put(vm);
		return PTR_ERR(file);
	}
	okvm_debugfs_vm_add(vm, fd);	/* its directory is named after fd */
	fd_install(fd, file);
	return fd;

fail_arch:
	okvm_arch_vm_destroy(vm);
fail_free:
	okvm_coalesced_destroy(vm);
	cleanup_srcu_struct(&vm->srcu);
	mmdrop(vm->mm);
	kfree(vm);
	return r;
}

/* KVM_CHECK_EXTENSION on /dev/kvm (vm == NULL) or on a VM fd. */
long okvm_check_extension(struct okvm_vm *vm, long cap)
{
	switch (cap) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
	case KVM_CAP_SYNC_MMU:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_CHECK_EXTENSION_VM:
	case KVM_CAP_IOEVENTFD:
	case KVM_CAP_IOEVENTFD_NO_LENGTH:
	case KVM_CAP_IOEVENTFD_ANY_LENGTH:
	case KVM_CAP_IRQFD:
	case KVM_CAP_BINARY_STATS_FD:
	case KVM_CAP_HALT_POLL:
		return 1;
	case KVM_CAP_READONLY_MEM:
		return !!(OKVM_ARCH_MEM_FLAGS & KVM_MEM_READONLY);
	case KVM_CAP_NR_VCPUS:
		return min_t(long, num_online_cpus(), OKVM_MAX_VCPUS);
	case KVM_CAP_MAX_VCPUS:
		return OKVM_MAX_VCPUS;
	case KVM_CAP_MAX_VCPU_ID:
		return OKVM_MAX_VCPU_IDS;
	case KVM_CAP_NR_MEMSLOTS:
		return OKVM_USER_MEM_SLOTS;
#ifdef KVM_COALESCED_MMIO_PAGE_OFFSET
	case KVM_CAP_COALESCED_MMIO:
		return KVM_COALESCED_MMIO_PAGE_OFFSET;
	case KVM_CAP_COALESCED_PIO:
		return 1;
#endif
	default:
		return okvm_arch_check_extension(vm, cap);
	}
}
