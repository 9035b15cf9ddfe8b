// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel I/O buses: guest MMIO and port I/O that an in-kernel device
 * (PIC, IOAPIC, PIT, coalesced MMIO...) answers without an exit to
 * userspace.  A bus is an immutable sorted array of devices, replaced as a
 * whole under vm->slots_lock and read under vm->srcu.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>

#include "kvm_core.h"

struct okvm_io_bus {
	int ndevs;
	struct okvm_io_dev *devs[];
};

static struct okvm_io_bus *okvm_bus(struct okvm_vm *vm, enum okvm_bus idx)
{
	return srcu_dereference_check(vm->buses[idx], &vm->srcu,
				      lockdep_is_held(&vm->slots_lock));
}

/* A device of length 0 is offered every access at its address. */
static bool okvm_dev_covers(const struct okvm_io_dev *d, u64 addr, u32 len)
{
	if (!d->len)
		return addr == d->addr;
	return addr >= d->addr && len <= d->len && addr - d->addr <= d->len - len;
}

/*
 * An access by @vcpu (vcpu->mutex held; may not sleep).  Devices may
 * overlap (a coalesced zone over another device, as upstream allows): each
 * device covering [addr, addr+len) is offered the access in registration
 * order until one takes it.  0 when an in-kernel device handled it (a read
 * filled @val), -EOPNOTSUPP when none did: the access goes to userspace.
 */
int okvm_io_bus_access(struct okvm_vcpu *vcpu, enum okvm_bus idx, u64 addr,
		       u32 len, void *val, bool write)
{
	struct okvm_vm *vm = vcpu->vm;
	struct okvm_io_bus *bus;
	struct okvm_io_dev *dev;
	int srcu, i, r = -EOPNOTSUPP;

	srcu = srcu_read_lock(&vm->srcu);
	bus = okvm_bus(vm, idx);
	for (i = 0; r && bus && i < bus->ndevs; i++) {
		dev = READ_ONCE(bus->devs[i]);
		if (!okvm_dev_covers(dev, addr, len))
			continue;
		if (write && dev->ops->write)
			r = dev->ops->write(dev, vcpu, addr, len, val);
		else if (!write && dev->ops->read)
			r = dev->ops->read(dev, vcpu, addr, len, val);
	}
	srcu_read_unlock(&vm->srcu, srcu);
	return r;
}

/* Publish @new in place of the old bus and free the old one. */
static void okvm_bus_replace(struct okvm_vm *vm, enum okvm_bus idx,
			     struct okvm_io_bus *new)
{
	struct okvm_io_bus *old = okvm_bus(vm, idx);

	rcu_assign_pointer(vm->buses[idx], new);
	synchronize_srcu_expedited(&vm->srcu);
	kvfree(old);
}

/*
 * What a removed device leaves behind when no smaller array could be
 * allocated: it takes nothing, counts for nothing, and the next
 * replacement of the array drops it.
 */
static const struct okvm_io_dev_ops okvm_dead_ops = {};

static struct okvm_io_dev okvm_dead_dev = {
	.addr = ~0ULL,
	.uncounted = true,
	.ops = &okvm_dead_ops,
};

/*
 * A copy of @old without @gone and without dead slots, with room for one
 * more device when @extra; NULL when out of memory.
 */
static struct okvm_io_bus *okvm_bus_copy(struct okvm_io_bus *old,
					 struct okvm_io_dev *gone, bool extra)
{
	int n = old ? old->ndevs : 0, i, j = 0;
	struct okvm_io_bus *new;

	new = kvmalloc(struct_size(new, devs, n + extra), GFP_KERNEL_ACCOUNT);
	if (!new)
		return NULL;
	for (i = 0; i < n; i++)
		if (old->devs[i] != gone && old->devs[i] != &okvm_dead_dev)
			new->devs[j++] = old->devs[i];
	new->ndevs = j;
	return new;
}

/*
 * Add a device; vm->slots_lock held, may sleep.  -ENOSPC when the bus
 * holds OKVM_IO_BUS_MAX_DEVS devices besides its ioeventfds (as upstream,
 * which bounds ioeventfds only by memory), -ENOMEM.
 */
__cold int okvm_io_bus_register(struct okvm_vm *vm, enum okvm_bus idx,
			 struct okvm_io_dev *dev)
{
	struct okvm_io_bus *old = okvm_bus(vm, idx), *new;
	int counted = 0, i;

	lockdep_assert_held(&vm->slots_lock);
	for (i = 0; old && i < old->ndevs; i++)
		counted += !old->devs[i]->uncounted;
	if (!dev->uncounted && counted >= OKVM_IO_BUS_MAX_DEVS)
		return -ENOSPC;
	new = okvm_bus_copy(old, NULL, true);
	if (!new)
		return -ENOMEM;
	new->devs[new->ndevs++] = dev;
	okvm_bus_replace(vm, idx, new);
	return 0;
}

/*
 * Remove a device; vm->slots_lock held, may sleep.  No reader sees it
 * when this returns.  Never fails: without memory for a smaller array the
 * device's slot is taken over by okvm_dead_dev in place (a reader sees
 * one pointer or the other, both valid until the grace period ends).
 */
__cold void okvm_io_bus_unregister(struct okvm_vm *vm, enum okvm_bus idx,
			    struct okvm_io_dev *dev)
{
	struct okvm_io_bus *old = okvm_bus(vm, idx), *new;
	int i;

	lockdep_assert_held(&vm->slots_lock);
	if (!old)
		return;
	new = okvm_bus_copy(old, dev, false);
	if (new) {
		okvm_bus_replace(vm, idx, new);
		return;
	}
	for (i = 0; i < old->ndevs; i++)
		if (old->devs[i] == dev)
			WRITE_ONCE(old->devs[i], &okvm_dead_dev);
	synchronize_srcu_expedited(&vm->srcu);
}

/* VM teardown: no reader is left. */
__cold void okvm_io_bus_destroy(struct okvm_vm *vm)
{
	int i;

	for (i = 0; i < OKVM_NR_BUSES; i++)
		kvfree(rcu_dereference_protected(vm->buses[i], 1));
}
