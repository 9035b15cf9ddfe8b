// SPDX-License-Identifier: GPL-2.0-only
/*
 * Coalesced MMIO and port I/O (KVM_CAP_COALESCED_MMIO/PIO): guest writes
 * into zones the VMM registered do not exit; they are queued in a ring, one
 * page per VM that every vCPU maps at KVM_COALESCED_MMIO_PAGE_OFFSET, and
 * the VMM replays them at its next exit.  Each zone is a device on the MMIO
 * or PIO bus (iobus.c), so the vCPU's access path has one dispatch for
 * every in-kernel device.  Only writes of up to 8 bytes are queued; a full
 * ring, a read, or anything outside the zones falls through to userspace.
 * The kernel produces (ring->last), the VMM consumes (ring->first).
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "kvm_core.h"

/* Where the UAPI has no ring page (e.g. s390), none of this exists. */
#ifdef KVM_COALESCED_MMIO_PAGE_OFFSET

struct okvm_coalesced_zone {
	struct okvm_io_dev dev;		/* dev.addr/len: the zone */
	struct list_head link;		/* in vm->coalesced.zones */
	bool pio;
};

int okvm_coalesced_init(struct okvm_vm *vm)
{
	struct okvm_coalesced *c = &vm->coalesced;

	spin_lock_init(&c->lock);
	INIT_LIST_HEAD(&c->zones);
	c->ring = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	return c->ring ? 0 : -ENOMEM;
}

/* VM teardown, after the last vCPU: no bus reader is left. */
void okvm_coalesced_destroy(struct okvm_vm *vm)
{
	struct okvm_coalesced_zone *z, *tmp;

	list_for_each_entry_safe(z, tmp, &vm->coalesced.zones, link)
		kfree(z);
	INIT_LIST_HEAD(&vm->coalesced.zones);
	free_page((unsigned long)vm->coalesced.ring);
	vm->coalesced.ring = NULL;
}

struct page *okvm_coalesced_page(struct okvm_vm *vm)
{
	return virt_to_page(vm->coalesced.ring);
}

/* The vCPU's write into zone @dev: queue it, or -EOPNOTSUPP to exit. */
static int okvm_coalesced_dev_write(struct okvm_io_dev *dev,
				    struct okvm_vcpu *vcpu, u64 addr, u32 len,
				    const void *val)
{
	struct okvm_coalesced_zone *z = container_of(dev, typeof(*z), dev);
	struct okvm_coalesced *c = &vcpu->vm->coalesced;
	struct kvm_coalesced_mmio_ring *ring = c->ring;
	struct kvm_coalesced_mmio *e;
	int r = -EOPNOTSUPP;
	u32 last;

	if (!len || len > sizeof(e->data))
		return r;
	spin_lock(&c->lock);
	last = READ_ONCE(ring->last);
	if (last >= KVM_COALESCED_MMIO_MAX ||
	    (last + 1) % KVM_COALESCED_MMIO_MAX == READ_ONCE(ring->first))
		goto out;
	e = &ring->coalesced_mmio[last];
	e->phys_addr = addr;
	e->len = len;
	e->pio = z->pio;
	memcpy(e->data, val, len);
	smp_wmb();	/* the entry before the index that publishes it */
	WRITE_ONCE(ring->last, (last + 1) % KVM_COALESCED_MMIO_MAX);
	r = 0;
out:
	spin_unlock(&c->lock);
	return r;
}

/* Reads are never coalesced: they go to the VMM. */
static const struct okvm_io_dev_ops okvm_coalesced_ops = {
	.write = okvm_coalesced_dev_write,
};

static int okvm_zone_from_user(struct kvm_coalesced_mmio_zone *z,
			       void __user *argp)
{
	if (copy_from_user(z, argp, sizeof(*z)))
		return -EFAULT;
	return z->pio > 1 ? -EINVAL : 0;
}

static enum okvm_bus okvm_zone_bus(bool pio)
{
	return pio ? OKVM_PIO_BUS : OKVM_MMIO_BUS;
}

/* KVM_REGISTER_COALESCED_MMIO: -ENOSPC when the bus is full. */
long okvm_vm_ioctl_register_coalesced(struct okvm_vm *vm, void __user *argp)
{
	struct kvm_coalesced_mmio_zone uz;
	struct okvm_coalesced_zone *z;
	int r;

	r = okvm_zone_from_user(&uz, argp);
	if (r)
		return r;
	z = kzalloc(sizeof(*z), GFP_KERNEL_ACCOUNT);
	if (!z)
		return -ENOMEM;
	z->dev.addr = uz.addr;
	z->dev.len = uz.size;
	z->dev.ops = &okvm_coalesced_ops;
	z->pio = uz.pio;
	mutex_lock(&vm->slots_lock);
	r = okvm_io_bus_register(vm, okvm_zone_bus(z->pio), &z->dev);
	if (!r)
		list_add_tail(&z->link, &vm->coalesced.zones);
	mutex_unlock(&vm->slots_lock);
	if (r)
		kfree(z);
	return r;
}

/* Does zone @z hold all of [addr, addr + len) in the same space? */
static bool okvm_zone_holds(const struct okvm_coalesced_zone *z, u64 addr,
			    u64 len, bool pio)
{
	return z->pio == pio && addr >= z->dev.addr && addr + len >= addr &&
	       addr + len <= z->dev.addr + z->dev.len;
}

/* KVM_UNREGISTER_COALESCED_MMIO: drop every zone that holds the range. */
long okvm_vm_ioctl_unregister_coalesced(struct okvm_vm *vm,
					void __user *argp)
{
	struct kvm_coalesced_mmio_zone uz;
	struct okvm_coalesced_zone *z, *tmp;
	int r;

	r = okvm_zone_from_user(&uz, argp);
	if (r)
		return r;
	mutex_lock(&vm->slots_lock);
	list_for_each_entry_safe(z, tmp, &vm->coalesced.zones, link) {
		if (!okvm_zone_holds(z, uz.addr, uz.size, uz.pio))
			continue;
		okvm_io_bus_unregister(vm, okvm_zone_bus(z->pio), &z->dev);
		list_del(&z->link);
		kfree(z);
	}
	mutex_unlock(&vm->slots_lock);
	return 0;
}

#endif /* KVM_COALESCED_MMIO_PAGE_OFFSET */
