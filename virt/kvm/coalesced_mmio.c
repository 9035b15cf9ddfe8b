// SPDX-License-Identifier: GPL-2.0-only
/*
 * Coalesced MMIO and port I/O (KVM_CAP_COALESCED_MMIO/PIO): guest writes
 * into zones the VMM registered do not exit; they are queued in a ring, one
 * page per VM that every vCPU maps at KVM_COALESCED_MMIO_PAGE_OFFSET, and
 * the VMM replays them at its next exit.  Only writes of up to 8 bytes are
 * queued; a full ring, a read, or anything outside the zones exits as
 * usual.  The kernel produces (ring->last), the VMM consumes (ring->first).
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "kvm_core.h"

int okvm_coalesced_init(struct okvm_vm *vm)
{
	struct okvm_coalesced *c = &vm->coalesced;

	spin_lock_init(&c->lock);
	c->ring = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	return c->ring ? 0 : -ENOMEM;
}

void okvm_coalesced_destroy(struct okvm_vm *vm)
{
	free_page((unsigned long)vm->coalesced.ring);
	vm->coalesced.ring = NULL;
}

struct page *okvm_coalesced_page(struct okvm_vm *vm)
{
	return virt_to_page(vm->coalesced.ring);
}

/* Does zone z cover [addr, addr + len) in the same address space? */
static bool okvm_zone_covers(const struct kvm_coalesced_mmio_zone *z,
			     u64 addr, u64 len, bool pio)
{
	return !!z->pio == pio && addr >= z->addr &&
	       addr + len <= z->addr + z->size && addr + len >= addr;
}

static int okvm_zone_from_user(struct kvm_coalesced_mmio_zone *z,
			       void __user *argp)
{
	if (copy_from_user(z, argp, sizeof(*z)))
		return -EFAULT;
	return z->pio > 1 ? -EINVAL : 0;
}

/* KVM_REGISTER_COALESCED_MMIO */
long okvm_vm_ioctl_register_coalesced(struct okvm_vm *vm, void __user *argp)
{
	struct okvm_coalesced *c = &vm->coalesced;
	struct kvm_coalesced_mmio_zone z;
	int r;

	r = okvm_zone_from_user(&z, argp);
	if (r)
		return r;
	spin_lock(&c->lock);
	if (c->nr_zones < OKVM_COALESCED_ZONES)
		c->zones[c->nr_zones++] = z;
	else
		r = -ENOSPC;
	spin_unlock(&c->lock);
	return r;
}

/* KVM_UNREGISTER_COALESCED_MMIO: drop every zone that covers the range. */
long okvm_vm_ioctl_unregister_coalesced(struct okvm_vm *vm,
					void __user *argp)
{
	struct okvm_coalesced *c = &vm->coalesced;
	struct kvm_coalesced_mmio_zone z;
	unsigned int i;
	int r;

	r = okvm_zone_from_user(&z, argp);
	if (r)
		return r;
	spin_lock(&c->lock);
	for (i = 0; i < c->nr_zones;) {
		if (okvm_zone_covers(&c->zones[i], z.addr, z.size, z.pio))
			c->zones[i] = c->zones[--c->nr_zones];
		else
			i++;
	}
	spin_unlock(&c->lock);
	return 0;
}

static bool okvm_in_zones(struct okvm_coalesced *c, u64 addr, u32 len,
			  bool pio)
{
	unsigned int i;

	lockdep_assert_held(&c->lock);
	for (i = 0; i < c->nr_zones; i++)
		if (okvm_zone_covers(&c->zones[i], addr, len, pio))
			return true;
	return false;
}

/*
 * Queue a guest write of len (1..8) bytes at addr (a GPA, or a port when
 * pio).  True when queued: the write is done as far as the guest is
 * concerned.  False: not in a zone, or the ring is full; exit as usual.
 * Any context that may take a spinlock.
 */
bool okvm_coalesced_write(struct okvm_vm *vm, u64 addr, const void *data,
			  u32 len, bool pio)
{
	struct okvm_coalesced *c = &vm->coalesced;
	struct kvm_coalesced_mmio_ring *ring = c->ring;
	struct kvm_coalesced_mmio *e;
	bool queued = false;
	u32 last;

	if (!len || len > sizeof(e->data) || !READ_ONCE(c->nr_zones))
		return false;
	spin_lock(&c->lock);
	last = READ_ONCE(ring->last);
	if (!okvm_in_zones(c, addr, len, pio) ||
	    last >= KVM_COALESCED_MMIO_MAX ||
	    (last + 1) % KVM_COALESCED_MMIO_MAX == READ_ONCE(ring->first))
		goto out;
	e = &ring->coalesced_mmio[last];
	e->phys_addr = addr;
	e->len = len;
	e->pio = pio;
	memcpy(e->data, data, len);
	smp_wmb();	/* the entry before the index that publishes it */
	WRITE_ONCE(ring->last, (last + 1) % KVM_COALESCED_MMIO_MAX);
	queued = true;
out:
	spin_unlock(&c->lock);
	return queued;
}
