// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel I/O buses: guest MMIO and port I/O that an in-kernel device
 * (PIC, IOAPIC, PIT, coalesced MMIO...) answers without an exit to
 * userspace.  A bus is an immutable sorted array of devices, replaced as a
 * whole under vm->slots_lock and read under vm->srcu.
 */
#include <linux/slab.h>
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

static bool okvm_dev_covers(const struct okvm_io_dev *d, u64 addr, u32 len)
{
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
		dev = bus->devs[i];
		if (!okvm_dev_covers(dev, addr, len))
			continue;
		if (write)
			r = dev->ops->write(dev, vcpu, addr, len, val);
		else
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
	kfree(old);
}

/* Add a device; vm->slots_lock held, may sleep.  -ENOSPC when full. */
int okvm_io_bus_register(struct okvm_vm *vm, enum okvm_bus idx,
			 struct okvm_io_dev *dev)
{
	struct okvm_io_bus *old = okvm_bus(vm, idx), *new;
	int n = old ? old->ndevs : 0, i;

	lockdep_assert_held(&vm->slots_lock);
	if (n >= OKVM_IO_BUS_MAX_DEVS)
		return -ENOSPC;
	new = kmalloc(struct_size(new, devs, n + 1), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;
	new->ndevs = n + 1;
	for (i = 0; i < n; i++)
		new->devs[i] = old->devs[i];
	new->devs[n] = dev;
	okvm_bus_replace(vm, idx, new);
	return 0;
}

/* Remove a device; vm->slots_lock held, may sleep.  No reader sees it
 * when this returns. */
void okvm_io_bus_unregister(struct okvm_vm *vm, enum okvm_bus idx,
			    struct okvm_io_dev *dev)
{
	struct okvm_io_bus *old = okvm_bus(vm, idx), *new;
	int i, j = 0;

	lockdep_assert_held(&vm->slots_lock);
	if (!old)
		return;
	new = kmalloc(struct_size(new, devs, old->ndevs), GFP_KERNEL_ACCOUNT |
		      __GFP_NOFAIL);
	for (i = 0; i < old->ndevs; i++)
		if (old->devs[i] != dev)
			new->devs[j++] = old->devs[i];
	new->ndevs = j;
	okvm_bus_replace(vm, idx, new);
}

/* VM teardown: no reader is left. */
void okvm_io_bus_destroy(struct okvm_vm *vm)
{
	int i;

	for (i = 0; i < OKVM_NR_BUSES; i++)
		kfree(rcu_dereference_protected(vm->buses[i], 1));
}
