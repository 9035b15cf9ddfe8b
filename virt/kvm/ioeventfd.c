// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_IOEVENTFD: a guest write to a port or an MMIO address signals an
 * eventfd instead of exiting to userspace (a virtqueue kick reaches vhost
 * or the VMM's I/O thread without a trip through KVM_RUN).  Each ioeventfd
 * is a device on the PIO, MMIO or virtio-ccw bus (iobus.c); it takes a
 * write whose address and length match (length 0: any write at the
 * address) and, with KVM_IOEVENTFD_FLAG_DATAMATCH, whose value matches.
 * The list of ioeventfds is under vm->slots_lock, like the buses.
 */
#include <linux/eventfd.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kvm_core.h"

/* Every flag the UAPI numbers; "fast MMIO" (bit 4) is accepted and unused. */
#define OKVM_IOEVENTFD_FLAGS	((1u << kvm_ioeventfd_flag_nr_max) - 1)

struct okvm_ioeventfd {
	struct okvm_io_dev dev;		/* dev.addr/len as registered */
	struct list_head link;		/* in vm->ioeventfds */
	struct eventfd_ctx *ctx;
	u64 datamatch;
	enum okvm_bus bus;
	bool wildcard;			/* no DATAMATCH: any value */
};

static struct okvm_ioeventfd *to_ioeventfd(struct okvm_io_dev *dev)
{
	return container_of(dev, struct okvm_ioeventfd, dev);
}

/* The value of a guest write of @len (1, 2, 4, 8) bytes. */
static u64 okvm_ioeventfd_value(const void *val, u32 len)
{
	u8 b;
	u16 w;
	u32 d;
	u64 q;

	switch (len) {
	case 1:
		memcpy(&b, val, 1);
		return b;
	case 2:
		memcpy(&w, val, 2);
		return w;
	case 4:
		memcpy(&d, val, 4);
		return d;
	default:
		memcpy(&q, val, 8);
		return q;
	}
}

static bool okvm_ioeventfd_matches(const struct okvm_ioeventfd *p, u64 addr,
				   u32 len, const void *val)
{
	if (addr != p->dev.addr)
		return false;
	if (!p->dev.len)
		return true;
	if (len != p->dev.len)
		return false;
	return p->wildcard || okvm_ioeventfd_value(val, len) == p->datamatch;
}

/* vCPU context, under vm->srcu: signal, or -EOPNOTSUPP to go on. */
static int okvm_ioeventfd_write(struct okvm_io_dev *dev,
				struct okvm_vcpu *vcpu, u64 addr, u32 len,
				const void *val)
{
	struct okvm_ioeventfd *p = to_ioeventfd(dev);

	if (!okvm_ioeventfd_matches(p, addr, len, val))
		return -EOPNOTSUPP;
	okvm_eventfd_signal(p->ctx);
	return 0;
}

/* Reads of an ioeventfd's address go on to the VMM. */
static const struct okvm_io_dev_ops okvm_ioeventfd_ops = {
	.write = okvm_ioeventfd_write,
};

static enum okvm_bus okvm_ioeventfd_bus(u32 flags)
{
	if (flags & KVM_IOEVENTFD_FLAG_PIO)
		return OKVM_PIO_BUS;
	if (flags & KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY)
		return OKVM_VIRTIO_CCW_BUS;
	return OKVM_MMIO_BUS;
}

/*
 * Would @a and @b both claim some write?  The same bus and address, and
 * either one has no length, or the same length and values that overlap.
 */
static bool okvm_ioeventfd_collide(const struct okvm_ioeventfd *a,
				   const struct okvm_ioeventfd *b)
{
	if (a->bus != b->bus || a->dev.addr != b->dev.addr)
		return false;
	if (!a->dev.len || !b->dev.len)
		return true;
	return a->dev.len == b->dev.len &&
	       (a->wildcard || b->wildcard || a->datamatch == b->datamatch);
}

__cold static void okvm_ioeventfd_free(struct okvm_ioeventfd *p)
{
	eventfd_ctx_put(p->ctx);
	kfree(p);
}

/* EBADF/EINVAL for a bad fd, EEXIST on a collision, ENOSPC, ENOMEM. */
static int okvm_ioeventfd_assign(struct okvm_vm *vm,
				 const struct kvm_ioeventfd *args)
{
	struct okvm_ioeventfd *p, *q;
	struct eventfd_ctx *ctx;
	int r;

	ctx = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p) {
		eventfd_ctx_put(ctx);
		return -ENOMEM;
	}
	p->ctx = ctx;
	p->dev.addr = args->addr;
	p->dev.len = args->len;
	p->dev.ops = &okvm_ioeventfd_ops;
	p->dev.uncounted = true;
	p->bus = okvm_ioeventfd_bus(args->flags);
	p->wildcard = !(args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH);
	p->datamatch = p->wildcard ? 0 : args->datamatch;

	mutex_lock(&vm->slots_lock);
	r = -EEXIST;
	list_for_each_entry(q, &vm->ioeventfds, link)
		if (okvm_ioeventfd_collide(p, q))
			goto fail;
	r = okvm_io_bus_register(vm, p->bus, &p->dev);
	if (r)
		goto fail;
	list_add_tail(&p->link, &vm->ioeventfds);
	mutex_unlock(&vm->slots_lock);
	return 0;
fail:
	mutex_unlock(&vm->slots_lock);
	okvm_ioeventfd_free(p);
	return r;
}

/* The ioeventfd registered with exactly these arguments, or ENOENT. */
static int okvm_ioeventfd_deassign(struct okvm_vm *vm,
				   const struct kvm_ioeventfd *args)
{
	bool wildcard = !(args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH);
	enum okvm_bus bus = okvm_ioeventfd_bus(args->flags);
	struct okvm_ioeventfd *p;
	struct eventfd_ctx *ctx;
	int r = -ENOENT;

	ctx = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	mutex_lock(&vm->slots_lock);
	list_for_each_entry(p, &vm->ioeventfds, link) {
		if (p->bus != bus || p->ctx != ctx ||
		    p->dev.addr != args->addr || p->dev.len != args->len ||
		    p->wildcard != wildcard ||
		    (!wildcard && p->datamatch != args->datamatch))
			continue;
		okvm_io_bus_unregister(vm, bus, &p->dev);
		list_del(&p->link);
		okvm_ioeventfd_free(p);
		r = 0;
		break;
	}
	mutex_unlock(&vm->slots_lock);
	eventfd_ctx_put(ctx);
	return r;
}

/* KVM_IOEVENTFD: EFAULT, EINVAL (flags, length, overflow, no-length
 * datamatch), then the errors of assign or deassign. */
__cold long okvm_vm_ioctl_ioeventfd(struct okvm_vm *vm, void __user *argp)
{
	struct kvm_ioeventfd args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~OKVM_IOEVENTFD_FLAGS)
		return -EINVAL;
	if (args.len != 0 && args.len != 1 && args.len != 2 &&
	    args.len != 4 && args.len != 8)
		return -EINVAL;
	if (args.addr + args.len < args.addr)
		return -EINVAL;
	if (!args.len && (args.flags & KVM_IOEVENTFD_FLAG_DATAMATCH))
		return -EINVAL;
	if (args.flags & KVM_IOEVENTFD_FLAG_DEASSIGN)
		return okvm_ioeventfd_deassign(vm, &args);
	return okvm_ioeventfd_assign(vm, &args);
}

/* VM teardown: no bus reader is left; the buses themselves go later. */
void okvm_ioeventfd_release_all(struct okvm_vm *vm)
{
	struct okvm_ioeventfd *p, *tmp;

	list_for_each_entry_safe(p, tmp, &vm->ioeventfds, link)
		okvm_ioeventfd_free(p);
	INIT_LIST_HEAD(&vm->ioeventfds);
}
