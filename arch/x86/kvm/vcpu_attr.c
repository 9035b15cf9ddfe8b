// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device attributes of a vCPU: KVM_HAS/GET/SET_DEVICE_ATTR on its fd
 * (KVM_CAP_VCPU_ATTRIBUTES).  One group exists, KVM_VCPU_TSC_CTRL, with one
 * attribute, KVM_VCPU_TSC_OFFSET: the u64 added to the host's TSC to give
 * the guest's, so that a VMM can carry it across a migration exactly.
 * vcpu->mutex held (the vCPU ioctl path).
 */
#include <linux/kvm.h>
#include <linux/uaccess.h>
#include "kvm_core.h"

static long okvm_tsc_ctrl_attr(struct okvm_vcpu *vcpu, unsigned int ioctl,
			       const struct kvm_device_attr *attr)
{
	u64 __user *uaddr = u64_to_user_ptr(attr->addr);
	u64 offset;

	if (attr->attr != KVM_VCPU_TSC_OFFSET)
		return -ENXIO;
	switch (ioctl) {
	case KVM_HAS_DEVICE_ATTR:
		return 0;
	case KVM_GET_DEVICE_ATTR:
		return put_user(vcpu->arch.tsc_offset, uaddr) ? -EFAULT : 0;
	default:
		if (get_user(offset, uaddr))
			return -EFAULT;
		okvm_set_tsc_offset(vcpu, offset);
		return 0;
	}
}

/* KVM_HAS_DEVICE_ATTR, KVM_GET_DEVICE_ATTR and KVM_SET_DEVICE_ATTR */
long okvm_ioctl_vcpu_attr(struct okvm_vcpu *vcpu, unsigned int ioctl,
			  void __user *argp)
{
	struct kvm_device_attr attr;

	if (copy_from_user(&attr, argp, sizeof(attr)))
		return -EFAULT;
	switch (attr.group) {
	case KVM_VCPU_TSC_CTRL:
		return okvm_tsc_ctrl_attr(vcpu, ioctl, &attr);
	default:
		return -ENXIO;
	}
}
