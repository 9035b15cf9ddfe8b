// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86's files in a vCPU's debugfs directory (virt/kvm/debugfs.c makes
 * kvm/<pid>-<fd>/vcpuN and calls okvm_arch_vcpu_debugfs()):
 *
 *   entry_floor   (0600) writing N runs the world-switch floor with N
 *                 entries (floor.c); reading gives the last result in
 *                 picoseconds per entry, 0 before the first
 */
#include <linux/debugfs.h>
#include <linux/fs.h>

#include "kvm_core.h"

static int okvm_floor_get(void *data, u64 *val)
{
	struct okvm_vcpu *vcpu = data;

	*val = READ_ONCE(vcpu->arch.floor_ps);
	return 0;
}

static int okvm_floor_set(void *data, u64 val)
{
	if (val > OKVM_FLOOR_MAX)
		return -EINVAL;
	return okvm_floor_run(data, val);
}

static int okvm_floor_open(struct inode *inode, struct file *file)
{
	struct okvm_vcpu *vcpu = inode->i_private;

	return okvm_debugfs_open(vcpu->vm, inode, file, okvm_floor_get,
				 okvm_floor_set);
}

static int okvm_floor_release(struct inode *inode, struct file *file)
{
	struct okvm_vcpu *vcpu = inode->i_private;

	return okvm_debugfs_release(vcpu->vm, inode, file);
}

/* Not const: owned by the back end, as the VM files (okvm_set_fops_owner()). */
static struct file_operations okvm_floor_fops = {
	.open = okvm_floor_open,
	.release = okvm_floor_release,
	.read = simple_attr_read,
	.write = simple_attr_write,
};

void okvm_arch_vcpu_debugfs(struct okvm_vcpu *vcpu, struct dentry *dir)
{
	okvm_floor_fops.owner = okvm_debugfs_vm_fops.owner;
	debugfs_create_file("entry_floor", 0600, dir, vcpu,
			    (const struct file_operations *)&okvm_floor_fops);
}
