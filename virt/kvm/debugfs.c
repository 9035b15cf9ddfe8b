// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/kvm, laid out as KVM's for kvm_stat and friends:
 *
 *   kvm/<stat>                  the counter summed over every VM (a vCPU
 *                               counter over every vCPU of every VM)
 *   kvm/<pid>-<fd>/<stat>       the same for one VM
 *   kvm/<pid>-<fd>/vcpuN/pid    the thread that last ran vCPU id N
 *   kvm/<pid>-<fd>/vcpuN/...    whatever the arch adds per vCPU
 *
 * The file names and their order come from the KVM_GET_STATS_FD
 * descriptors (okvm_stat_desc_at()), so the two views never disagree.
 * A file prints its value as "%llu\n"; writing 0 to a cumulative one
 * clears it (everywhere it sums), instant values are read-only.  As in
 * KVM, a histogram's file is its first bucket (values 0: fls64() == 0).
 *
 * Lifetime: a per-VM or per-vCPU file takes a VM reference when it is
 * opened (refused once the VM is on its way out) and drops it when
 * closed; the VM's destruction removes its directory first, which waits
 * for opens in progress.  The top-level files walk okvm_vm_list under
 * okvm_vm_list_lock; a VM leaves the list before anything of it is freed.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "kvm_core.h"

static struct dentry *okvm_debugfs_dir;
static LIST_HEAD(okvm_vm_list);
static DEFINE_MUTEX(okvm_vm_list_lock);	/* the list, and dir creation */

/* The i_private of a per-VM counter file. */
struct okvm_debugfs_stat {
	struct okvm_vm *vm;
	u16 index;			/* slot in vm->stat or vcpu->stat */
	bool vcpu;
};

/* A top-level file's key, in its i_private: slot, and a vCPU bit. */
#define OKVM_DEBUGFS_VCPU	0x10000UL

static umode_t okvm_debugfs_mode(const struct okvm_stat_desc *d)
{
	return (d->flags & KVM_STATS_TYPE_MASK) == KVM_STATS_TYPE_INSTANT ?
	       0444 : 0644;
}

static u64 okvm_debugfs_vm_get(struct okvm_vm *vm, bool vcpu_stat,
			       size_t index)
{
	struct okvm_vcpu *vcpu;
	unsigned long i;
	u64 sum = 0;

	if (!vcpu_stat)
		return READ_ONCE(vm->stat[index]);
	okvm_for_each_vcpu(i, vcpu, vm)
		sum += READ_ONCE(vcpu->stat[index]);
	return sum;
}

static void okvm_debugfs_vm_clear(struct okvm_vm *vm, bool vcpu_stat,
				  size_t index)
{
	struct okvm_vcpu *vcpu;
	unsigned long i;

	if (!vcpu_stat) {
		WRITE_ONCE(vm->stat[index], 0);
		return;
	}
	okvm_for_each_vcpu(i, vcpu, vm)
		WRITE_ONCE(vcpu->stat[index], 0);
}

/* Top-level files: over every VM. */
static int okvm_debugfs_all_get(void *key, u64 *val)
{
	unsigned long k = (unsigned long)key;
	struct okvm_vm *vm;

	*val = 0;
	mutex_lock(&okvm_vm_list_lock);
	list_for_each_entry(vm, &okvm_vm_list, vm_node)
		*val += okvm_debugfs_vm_get(vm, k & OKVM_DEBUGFS_VCPU,
					    k & 0xffff);
	mutex_unlock(&okvm_vm_list_lock);
	return 0;
}

static int okvm_debugfs_all_clear(void *key, u64 val)
{
	unsigned long k = (unsigned long)key;
	struct okvm_vm *vm;

	if (val)
		return -EINVAL;
	mutex_lock(&okvm_vm_list_lock);
	list_for_each_entry(vm, &okvm_vm_list, vm_node)
		okvm_debugfs_vm_clear(vm, k & OKVM_DEBUGFS_VCPU, k & 0xffff);
	mutex_unlock(&okvm_vm_list_lock);
	return 0;
}

static int okvm_debugfs_all_open(struct inode *inode, struct file *file)
{
	return simple_attr_open(inode, file, okvm_debugfs_all_get,
				(inode->i_mode & 0222) ?
				okvm_debugfs_all_clear : NULL, "%llu\n");
}

static const struct file_operations okvm_debugfs_all_fops = {
	.owner = THIS_MODULE,
	.open = okvm_debugfs_all_open,
	.release = simple_attr_release,
	.read = simple_attr_read,
	.write = simple_attr_write,
};

/* Per-VM files. */
static int okvm_debugfs_stat_get(void *data, u64 *val)
{
	struct okvm_debugfs_stat *s = data;

	*val = okvm_debugfs_vm_get(s->vm, s->vcpu, s->index);
	return 0;
}

static int okvm_debugfs_stat_clear(void *data, u64 val)
{
	struct okvm_debugfs_stat *s = data;

	if (val)
		return -EINVAL;
	okvm_debugfs_vm_clear(s->vm, s->vcpu, s->index);
	return 0;
}

/*
 * Open a per-VM or per-vCPU file of @vm: a VM reference for as long as
 * it is open, none if the VM is already being destroyed.
 */
int okvm_debugfs_open(struct okvm_vm *vm, struct inode *inode,
		      struct file *file, int (*get)(void *, u64 *),
		      int (*set)(void *, u64))
{
	int r;

	if (!refcount_inc_not_zero(&vm->refs))
		return -ENOENT;
	r = simple_attr_open(inode, file, get,
			     (inode->i_mode & 0222) ? set : NULL, "%llu\n");
	if (r)
		okvm_vm_put(vm);
	return r;
}

/* The release of a file opened with okvm_debugfs_open(). */
int okvm_debugfs_release(struct okvm_vm *vm, struct inode *inode,
			 struct file *file)
{
	simple_attr_release(inode, file);
	okvm_vm_put(vm);
	return 0;
}

static int okvm_debugfs_stat_open(struct inode *inode, struct file *file)
{
	struct okvm_debugfs_stat *s = inode->i_private;

	return okvm_debugfs_open(s->vm, inode, file, okvm_debugfs_stat_get,
				 okvm_debugfs_stat_clear);
}

static int okvm_debugfs_stat_release(struct inode *inode, struct file *file)
{
	struct okvm_debugfs_stat *s = inode->i_private;

	return okvm_debugfs_release(s->vm, inode, file);
}

/* Not const: the owner is the back end (okvm_set_fops_owner()). */
struct file_operations okvm_debugfs_vm_fops = {
	.open = okvm_debugfs_stat_open,
	.release = okvm_debugfs_stat_release,
	.read = simple_attr_read,
	.write = simple_attr_write,
};

static int okvm_debugfs_vcpu_pid(void *data, u64 *val)
{
	struct okvm_vcpu *vcpu = data;

	rcu_read_lock();
	*val = pid_nr(rcu_dereference(vcpu->pid));
	rcu_read_unlock();
	return 0;
}

static int okvm_debugfs_pid_open(struct inode *inode, struct file *file)
{
	struct okvm_vcpu *vcpu = inode->i_private;

	return okvm_debugfs_open(vcpu->vm, inode, file, okvm_debugfs_vcpu_pid,
				 NULL);
}

static int okvm_debugfs_pid_release(struct inode *inode, struct file *file)
{
	struct okvm_vcpu *vcpu = inode->i_private;

	return okvm_debugfs_release(vcpu->vm, inode, file);
}

struct file_operations okvm_debugfs_pid_fops = {
	.open = okvm_debugfs_pid_open,
	.release = okvm_debugfs_pid_release,
	.read = simple_attr_read,
};

/* The per-VM counter files, one okvm_debugfs_stat each. */
static void okvm_debugfs_vm_files(struct okvm_vm *vm)
{
	const struct okvm_stat_desc *d;
	struct okvm_debugfs_stat *s;
	size_t i, slot;

	s = kcalloc(OKVM_VM_NR_DESCS + OKVM_VCPU_NR_DESCS, sizeof(*s),
		    GFP_KERNEL_ACCOUNT);
	if (!s)
		return;
	vm->debugfs_stats = s;
	for (i = 0; i < OKVM_VM_NR_DESCS + OKVM_VCPU_NR_DESCS; i++, s++) {
		s->vm = vm;
		s->vcpu = i >= OKVM_VM_NR_DESCS;
		d = okvm_stat_desc_at(s->vcpu, s->vcpu ? i - OKVM_VM_NR_DESCS :
					       i, &slot);
		s->index = slot;
		debugfs_create_file(d->name, okvm_debugfs_mode(d), vm->debugfs,
				    s, (const struct file_operations *)
				    &okvm_debugfs_vm_fops);
	}
}

/*
 * A new VM whose fd will be @fd: on the list, and its directory.  No
 * directory (a debugfs failure, or the name of a VM whose fd was closed
 * while its vCPUs keep it alive) is not an error, as in KVM.
 */
void okvm_debugfs_vm_add(struct okvm_vm *vm, int fd)
{
	struct dentry *old;
	char name[32];

	snprintf(name, sizeof(name), "%d-%d", task_pid_nr(current), fd);
	mutex_lock(&okvm_vm_list_lock);
	list_add_tail(&vm->vm_node, &okvm_vm_list);
	old = IS_ERR_OR_NULL(okvm_debugfs_dir) ? NULL :
	      debugfs_lookup(name, okvm_debugfs_dir);
	if (!old && !IS_ERR_OR_NULL(okvm_debugfs_dir))
		vm->debugfs = debugfs_create_dir(name, okvm_debugfs_dir);
	mutex_unlock(&okvm_vm_list_lock);
	dput(old);
	if (IS_ERR(vm->debugfs))
		vm->debugfs = NULL;
	if (vm->debugfs)
		okvm_debugfs_vm_files(vm);
}

/* Destruction: off the list, the directory gone (waits for its users). */
void okvm_debugfs_vm_remove(struct okvm_vm *vm)
{
	mutex_lock(&okvm_vm_list_lock);
	list_del_init(&vm->vm_node);
	mutex_unlock(&okvm_vm_list_lock);
	debugfs_remove_recursive(vm->debugfs);
	vm->debugfs = NULL;
	kfree(vm->debugfs_stats);
	vm->debugfs_stats = NULL;
}

/* A published vCPU's directory, vcpuN (N its id); vm->lock held. */
void okvm_debugfs_vcpu_add(struct okvm_vcpu *vcpu)
{
	struct dentry *dir;
	char name[24];

	if (!vcpu->vm->debugfs)
		return;
	snprintf(name, sizeof(name), "vcpu%d", vcpu->vcpu_id);
	dir = debugfs_create_dir(name, vcpu->vm->debugfs);
	if (IS_ERR(dir))
		return;
	debugfs_create_file("pid", 0444, dir, vcpu,
			    (const struct file_operations *)
			    &okvm_debugfs_pid_fops);
	okvm_arch_vcpu_debugfs(vcpu, dir);
}

/* Module init: the top directory and its files over all VMs. */
void okvm_debugfs_init(void)
{
	const struct okvm_stat_desc *d;
	size_t i, slot;

	okvm_debugfs_dir = debugfs_create_dir("kvm", NULL);
	if (IS_ERR(okvm_debugfs_dir))
		return;
	for (i = 0; i < OKVM_VM_NR_DESCS; i++) {
		d = okvm_stat_desc_at(false, i, &slot);
		debugfs_create_file(d->name, okvm_debugfs_mode(d),
				    okvm_debugfs_dir, (void *)slot,
				    &okvm_debugfs_all_fops);
	}
	for (i = 0; i < OKVM_VCPU_NR_DESCS; i++) {
		d = okvm_stat_desc_at(true, i, &slot);
		debugfs_create_file(d->name, okvm_debugfs_mode(d),
				    okvm_debugfs_dir,
				    (void *)(slot | OKVM_DEBUGFS_VCPU),
				    &okvm_debugfs_all_fops);
	}
}

/* Module exit: no VM is left (each pins the back end, which pins us). */
void okvm_debugfs_exit(void)
{
	debugfs_remove_recursive(okvm_debugfs_dir);
	okvm_debugfs_dir = NULL;
}
