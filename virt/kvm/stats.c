// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_GET_STATS_FD: a read-only file per VM or vCPU laid out as the UAPI's
 * struct kvm_stats_header says: the header, the id string ("kvm-PID" or
 * "kvm-PID/vcpu-ID", name_size bytes), the descriptors (a struct
 * kvm_stats_desc followed by a name_size-byte name each), then the data:
 * vm->stat or vcpu->stat as they are, each descriptor's 'size' u64s at
 * its 'offset' (a counter one, a histogram OKVM_STAT_HIST_BUCKETS).  Header, id and descriptors
 * never change and are built when the file is opened; the data is read
 * from the live counters, a racy snapshot as KVM gives.  The file holds a
 * VM reference, which keeps the VM's vCPUs, and so the counters, alive.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kvm_core.h"

/* The length of an id or a name, NUL included: KVM's value. */
#define OKVM_STATS_NAME_SIZE	48

/* KVM's generic VM statistics, in KVM's descriptor order. */
static const struct okvm_stat_desc okvm_vm_generic_descs[] = {
	OKVM_STAT_DESC(OKVM_VM_STAT_REMOTE_TLB_FLUSH, "remote_tlb_flush",
		       OKVM_STAT_COUNT, 0),
	OKVM_STAT_DESC(OKVM_VM_STAT_REMOTE_TLB_FLUSH_REQUESTS,
		       "remote_tlb_flush_requests", OKVM_STAT_COUNT, 0),
};
static_assert(ARRAY_SIZE(okvm_vm_generic_descs) == OKVM_VM_NR_GENERIC_DESCS);

#define OKVM_HALT_HIST(_slot, _name)					\
	{ .name = (_name), .flags = OKVM_STAT_LOG_HIST_NS, .exponent = -9, \
	  .slot = (_slot), .size = OKVM_STAT_HIST_BUCKETS }

/* KVM's generic vCPU statistics, in KVM's descriptor order. */
static const struct okvm_stat_desc okvm_vcpu_generic_descs[] = {
	OKVM_STAT_DESC(OKVM_STAT_HALT_SUCCESSFUL_POLL, "halt_successful_poll",
		       OKVM_STAT_COUNT, 0),
	OKVM_STAT_DESC(OKVM_STAT_HALT_ATTEMPTED_POLL, "halt_attempted_poll",
		       OKVM_STAT_COUNT, 0),
	OKVM_STAT_DESC(OKVM_STAT_HALT_POLL_INVALID, "halt_poll_invalid",
		       OKVM_STAT_COUNT, 0),
	OKVM_STAT_DESC(OKVM_STAT_HALT_WAKEUP, "halt_wakeup",
		       OKVM_STAT_COUNT, 0),
	OKVM_STAT_DESC(OKVM_STAT_HALT_POLL_SUCCESS_NS, "halt_poll_success_ns",
		       OKVM_STAT_COUNT_NS, -9),
	OKVM_STAT_DESC(OKVM_STAT_HALT_POLL_FAIL_NS, "halt_poll_fail_ns",
		       OKVM_STAT_COUNT_NS, -9),
	OKVM_STAT_DESC(OKVM_STAT_HALT_WAIT_NS, "halt_wait_ns",
		       OKVM_STAT_COUNT_NS, -9),
	OKVM_HALT_HIST(OKVM_STAT_HALT_POLL_SUCCESS_HIST,
		       "halt_poll_success_hist"),
	OKVM_HALT_HIST(OKVM_STAT_HALT_POLL_FAIL_HIST, "halt_poll_fail_hist"),
	OKVM_HALT_HIST(OKVM_STAT_HALT_WAIT_HIST, "halt_wait_hist"),
	OKVM_STAT_DESC(OKVM_STAT_BLOCKING, "blocking", OKVM_STAT_NOW_BOOL, 0),
};
static_assert(ARRAY_SIZE(okvm_vcpu_generic_descs) ==
	      OKVM_VCPU_NR_GENERIC_DESCS);

/*
 * A descriptor: the fixed fields, then the name.  Not sizeof(): newer
 * kernels give the struct's name a fixed size when __KERNEL__ is defined.
 */
#define OKVM_DESC_SIZE	(offsetof(struct kvm_stats_desc, name) + \
			 OKVM_STATS_NAME_SIZE)

struct okvm_stats_file {
	struct okvm_vm *vm;		/* a reference */
	const u64 *data;		/* vm->stat or vcpu->stat */
	size_t nr;			/* u64 slots */
	size_t head_size;		/* header + id + descriptors */
	char head[];
};

static ssize_t okvm_stats_read(struct file *filp, char __user *buf,
			       size_t len, loff_t *ppos)
{
	struct okvm_stats_file *sf = filp->private_data;
	size_t total = sf->head_size + sf->nr * sizeof(u64), done = 0, n;
	loff_t pos = *ppos;
	const void *src;
	u64 v;

	while (done < len && pos >= 0 && pos < total) {
		if (pos < sf->head_size) {
			src = sf->head + pos;
			n = min(len - done, sf->head_size - (size_t)pos);
		} else {
			size_t off = pos - sf->head_size;

			v = READ_ONCE(sf->data[off / sizeof(u64)]);
			src = (const char *)&v + off % sizeof(u64);
			n = min(len - done, sizeof(u64) - off % sizeof(u64));
		}
		if (copy_to_user(buf + done, src, n))
			return done ? done : -EFAULT;
		done += n;
		pos += n;
	}
	*ppos = pos;
	return done;
}

static int okvm_stats_release(struct inode *inode, struct file *filp)
{
	struct okvm_stats_file *sf = filp->private_data;

	okvm_vm_put(sf->vm);
	kvfree(sf);
	return 0;
}

struct file_operations okvm_stats_fops = {
	.read = okvm_stats_read,
	.llseek = generic_file_llseek,
	.release = okvm_stats_release,
};

static void okvm_stats_put_desc(char *p, const struct okvm_stat_desc *d,
				size_t slot)
{
	struct kvm_stats_desc *k = (struct kvm_stats_desc *)p;

	k->flags = d->flags;
	k->exponent = d->exponent;
	k->size = d->size;
	k->offset = slot * sizeof(u64);
	strscpy(k->name, d->name, OKVM_STATS_NAME_SIZE);
}

/*
 * Descriptor @index of a vCPU's (@vcpu) or a VM's statistics, and in
 * *@slot where its data starts in vcpu->stat or vm->stat: the one table
 * both this file and debugfs.c name their counters from.
 */
const struct okvm_stat_desc *okvm_stat_desc_at(bool vcpu, size_t index,
					       size_t *slot)
{
	size_t generic = vcpu ? OKVM_VCPU_NR_GENERIC_DESCS :
				OKVM_VM_NR_GENERIC_DESCS;
	const struct okvm_stat_desc *d;

	if (index < generic) {
		d = vcpu ? &okvm_vcpu_generic_descs[index] :
			   &okvm_vm_generic_descs[index];
		*slot = d->slot;
		return d;
	}
	d = vcpu ? &okvm_arch_vcpu_stat_descs[index - generic] :
		   &okvm_arch_vm_stat_descs[index - generic];
	*slot = d->slot + (vcpu ? OKVM_VCPU_NR_GENERIC_STATS :
				  OKVM_VM_NR_GENERIC_STATS);
	return d;
}

/* Header, id and descriptors of a VM's (@vcpu NULL) or a vCPU's file. */
static struct okvm_stats_file *okvm_stats_build(struct okvm_vm *vm,
						struct okvm_vcpu *vcpu)
{
	size_t nr = vcpu ? OKVM_VCPU_NR_DESCS : OKVM_VM_NR_DESCS, i, head;
	const struct okvm_stat_desc *d;
	size_t slot;
	struct okvm_stats_file *sf;
	struct kvm_stats_header *h;

	head = sizeof(*h) + OKVM_STATS_NAME_SIZE + nr * OKVM_DESC_SIZE;

	sf = kvzalloc(sizeof(*sf) + head, GFP_KERNEL_ACCOUNT);
	if (!sf)
		return NULL;
	h = (struct kvm_stats_header *)sf->head;
	h->name_size = OKVM_STATS_NAME_SIZE;
	h->num_desc = nr;
	h->id_offset = sizeof(*h);
	h->desc_offset = h->id_offset + OKVM_STATS_NAME_SIZE;
	h->data_offset = head;
	if (vcpu)
		snprintf(sf->head + h->id_offset, OKVM_STATS_NAME_SIZE,
			 "kvm-%d/vcpu-%d", task_tgid_nr(current), vcpu->vcpu_id);
	else
		snprintf(sf->head + h->id_offset, OKVM_STATS_NAME_SIZE,
			 "kvm-%d", task_tgid_nr(current));
	for (i = 0; i < nr; i++) {
		d = okvm_stat_desc_at(vcpu, i, &slot);
		okvm_stats_put_desc(sf->head + h->desc_offset +
				    i * OKVM_DESC_SIZE, d, slot);
	}
	sf->data = vcpu ? vcpu->stat : vm->stat;
	sf->nr = vcpu ? OKVM_VCPU_NR_STATS : OKVM_VM_NR_STATS;
	sf->head_size = head;
	sf->vm = vm;
	return sf;
}

/* KVM_GET_STATS_FD on a VM (@vcpu NULL) or a vCPU: the new fd. */
int okvm_get_stats_fd(struct okvm_vm *vm, struct okvm_vcpu *vcpu)
{
	struct okvm_stats_file *sf = okvm_stats_build(vm, vcpu);
	struct file *file;
	int fd;

	if (!sf)
		return -ENOMEM;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		kvfree(sf);
		return fd;
	}
	refcount_inc(&vm->refs);
	file = anon_inode_getfile(vcpu ? "kvm-vcpu-stats" : "kvm-vm-stats",
				  &okvm_stats_fops, sf, O_RDONLY);
	if (IS_ERR(file)) {
		refcount_dec(&vm->refs);	/* the caller's fd holds one */
		put_unused_fd(fd);
		kvfree(sf);
		return PTR_ERR(file);
	}
	file->f_mode |= FMODE_PREAD;
	fd_install(fd, file);
	return fd;
}
