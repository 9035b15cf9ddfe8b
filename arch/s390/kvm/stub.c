// SPDX-License-Identifier: GPL-2.0-only
/*
 * The s390 arch hooks of virt/kvm/kvm_core.h, for a back end that does not
 * exist yet: this file lets the generic core compile and link for s390x,
 * and runs no guest.
 *
 * kvm.ko refuses to load (-ENODEV, what the in-tree KVM answers on an s390
 * machine without SIE), so no /dev/kvm appears and the module name "kvm"
 * stays free for the kernel's own.  Nothing below okvm_arch_init() can
 * then be reached; each hook still answers what KVM answers where the
 * arch offers nothing: no capability beyond the generic ones, no VM type
 * (KVM_CREATE_VM: -EINVAL), no in-kernel irqchip for an irqfd (KVM_IRQFD:
 * -EINVAL), unknown ioctls -EINVAL on /dev/kvm and -ENOTTY on VM and vCPU
 * fds.  The hooks that need a VM or an irqfd to exist warn.
 */
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/printk.h>

#include "kvm_core.h"

int okvm_arch_init(void)
{
	pr_info("okvm: no s390 back end yet, kvm.ko does not load\n");
	return -ENODEV;
}

long okvm_arch_dev_ioctl(unsigned int ioctl, void __user *argp)
{
	return -EINVAL;
}

long okvm_arch_check_extension(struct okvm_vm *vm, long cap)
{
	return 0;
}

int okvm_arch_vm_init(struct okvm_vm *vm)
{
	return -EINVAL;
}

void okvm_arch_vm_pre_destroy(struct okvm_vm *vm)
{
}

void okvm_arch_vm_destroy(struct okvm_vm *vm)
{
}

long okvm_arch_vm_ioctl(struct okvm_vm *vm, unsigned int ioctl,
			void __user *argp)
{
	return -ENOTTY;
}

long okvm_arch_vm_enable_cap(struct okvm_vm *vm,
			     const struct kvm_enable_cap *cap)
{
	return -EINVAL;
}

int okvm_arch_vcpu_precreate(struct okvm_vm *vm, unsigned long id)
{
	WARN_ON_ONCE(1);	/* okvm_arch_vm_init() let no VM exist */
	return -EINVAL;
}

int okvm_arch_vcpu_create(struct okvm_vcpu *vcpu)
{
	WARN_ON_ONCE(1);	/* okvm_arch_vm_init() let no VM exist */
	return -EINVAL;
}

void okvm_arch_vcpu_free(struct okvm_vcpu *vcpu)
{
}

void okvm_arch_vcpu_debugfs(struct okvm_vcpu *vcpu, struct dentry *dir)
{
}

int okvm_arch_vcpu_run(struct okvm_vcpu *vcpu)
{
	WARN_ON_ONCE(1);
	return -EINVAL;
}

long okvm_arch_vcpu_ioctl(struct okvm_vcpu *vcpu, unsigned int ioctl,
			  void __user *argp)
{
	return -ENOTTY;
}

struct page *okvm_arch_vcpu_page(struct okvm_vcpu *vcpu, unsigned long pgoff)
{
	return NULL;
}

bool okvm_arch_vcpu_should_wake(struct okvm_vcpu *vcpu)
{
	return false;
}

/* No in-kernel interrupt controller: KVM_IRQFD answers -EINVAL. */
bool okvm_arch_irqfd_allowed(struct okvm_vm *vm, bool resample)
{
	return false;
}

void okvm_arch_irqfd_inject(struct okvm_vm *vm, u32 gsi, bool level)
{
	WARN_ON_ONCE(1);	/* no irqfd is ever assigned */
}

void okvm_arch_irqfd_lower(struct okvm_vm *vm, u32 gsi)
{
	WARN_ON_ONCE(1);
}

bool okvm_mmu_unmap_gfn_range(struct okvm_vm *vm, u64 start, u64 end)
{
	return false;
}

void okvm_mmu_zap_gfn_range(struct okvm_vm *vm, u64 start, u64 end)
{
}

const struct okvm_stat_desc okvm_arch_vm_stat_descs[] = {};
const struct okvm_stat_desc okvm_arch_vcpu_stat_descs[] = {};
