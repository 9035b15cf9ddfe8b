// SPDX-License-Identifier: GPL-2.0-only
/*
 * GSI routing for the in-kernel irqchip: KVM_SET_GSI_ROUTING, the default
 * table KVM_CREATE_IRQCHIP installs (GSI 0-15 to the PIC pin and the IOAPIC
 * pin of that number, 16-23 to the IOAPIC), and what a GSI's level does:
 * drive irqchip pins, or send an MSI.  KVM_SIGNAL_MSI sends one directly.
 *
 * The table is immutable once published: readers (any context, the PIT's
 * timer included) use RCU; writers replace it under vm->lock.
 */
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "irqchip.h"
#include "trace_core.h"

struct okvm_irq_routes {
	struct rcu_head rcu;
	u32 nr;
	struct okvm_irq_route e[];
};

#define OKVM_PIC_PINS		16
#define OKVM_DEFAULT_GSIS	24

/* --- MSIs ------------------------------------------------------------ */

/*
 * The message an MSI write (address 0xfeeXXXXX, data) puts on the APIC
 * bus.  With KVM_X2APIC_API_USE_32BIT_IDS, address_hi bits 31:8 carry the
 * upper bits of a 32-bit destination.  Address bits 11:4 are not decoded:
 * an extended destination ID there is the VMM's to translate.
 */
static void okvm_msi_to_msg(struct okvm_vm *vm, u32 lo, u32 hi, u32 data,
			    struct x86_apic_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->dest = (lo >> 12) & 0xff;
	if (READ_ONCE(vm->arch.x2apic_32bit_ids))
		m->dest |= hi & 0xffffff00;
	m->x2apic_format = m->dest > 0xff;
	okvm_apic_msg_bcast_quirk(vm, m);
	m->dest_logical = lo & BIT(2);
	m->vector = data & 0xff;
	m->delivery_mode = (data >> 8) & 7;
	m->level_trig = data & BIT(15);
	m->assert = true;
	m->shorthand = X86_SH_NONE;
}

/*
 * With 32-bit IDs only bits 31:8 of address_hi mean something; an MSI
 * that sets any of bits 7:0 is refused, as a route and when sent.
 */
static bool okvm_msi_hi_invalid(struct okvm_vm *vm, u32 hi)
{
	return READ_ONCE(vm->arch.x2apic_32bit_ids) && (hi & 0xff);
}

/* LAPICs that took it, or -EINVAL for an address refused above. */
static int okvm_send_msi(struct okvm_vm *vm, u32 lo, u32 hi, u32 data)
{
	struct x86_apic_msg m;

	if (okvm_msi_hi_invalid(vm, hi))
		return -EINVAL;
	okvm_msi_to_msg(vm, lo, hi, data, &m);
	return okvm_apic_deliver(vm, NULL, &m);
}

/* KVM_SIGNAL_MSI: how many LAPICs took it. */
long okvm_vm_signal_msi(struct okvm_vm *vm, void __user *argp)
{
	struct kvm_msi msi;

	if (copy_from_user(&msi, argp, sizeof(msi)))
		return -EFAULT;
	/* A device ID is allowed, and means nothing on x86. */
	if (!okvm_irqchip_in_kernel(vm) || (msi.flags & ~KVM_MSI_VALID_DEVID))
		return -EINVAL;
	return okvm_send_msi(vm, msi.address_lo, msi.address_hi, msi.data);
}

/*
 * Split irqchip: does an EOI of @vector by LAPIC @l concern userspace's
 * IOAPIC?  It does when one of its pins (a GSI below nr_ioapic_pins) routes
 * to a level-triggered MSI of that vector that names @l.  @l's lock held.
 */
bool okvm_split_eoi_wanted(struct okvm_vm *vm, struct x86_lapic *l,
			   u8 vector)
{
	struct okvm_irqchip *chip = vm->arch.irqchip;
	struct okvm_irq_routes *t;
	struct okvm_irq_route *e;
	struct x86_apic_msg m;
	bool want = false;
	u32 i;

	rcu_read_lock();
	t = rcu_dereference(chip->routes);
	for (i = 0; t && i < t->nr && !want; i++) {
		e = &t->e[i];
		if (e->type != KVM_IRQ_ROUTING_MSI ||
		    e->gsi >= chip->nr_ioapic_pins)
			continue;
		okvm_msi_to_msg(vm, e->msi.lo, e->msi.hi, e->msi.data, &m);
		want = m.level_trig && m.vector == vector &&
		       x86_lapic_match_dest(l, &m, NULL);
	}
	rcu_read_unlock();
	return want;
}

/* --- Setting a GSI ----------------------------------------------------- */

/* KVM_IRQ_LINE_STATUS: -1 if nothing took it, else the sum. */
static int okvm_irq_status(int acc, int r)
{
	if (r < 0)
		return acc;
	return r + (acc < 0 ? 0 : acc);
}

/*
 * Set @src's level on @gsi along every route of the current table;
 * irqchip->lock held (an MSI then takes LAPIC locks, which nest inside).
 * The KVM_IRQ_LINE_STATUS value: 1 delivered, 0 coalesced, -1 masked or
 * no route; *st gets the PIC's and the IOAPIC's own statuses.
 */
int okvm_irqchip_route_locked(struct okvm_irqchip *chip,
			      enum okvm_irq_source src, u32 gsi, int level,
			      struct okvm_route_status *st)
{
	struct okvm_irq_routes *t;
	struct okvm_irq_route *e;
	int ret = -1, r, i;

	st->pic = -1;
	st->ioapic = -1;
	rcu_read_lock();
	t = rcu_dereference(chip->routes);
	for (i = 0; t && i < t->nr; i++) {
		e = &t->e[i];
		if (e->gsi != gsi)
			continue;
		if (e->type == KVM_IRQ_ROUTING_MSI) {
			r = level ? okvm_send_msi(chip->vm, e->msi.lo,
						  e->msi.hi, e->msi.data) : -1;
		} else {
			r = okvm_irqchip_set_pin_locked(chip, e->chip.irqchip,
							e->chip.pin, src,
							level);
			if (e->chip.irqchip != KVM_IRQCHIP_IOAPIC) {
				st->pic = r;
			} else {
				st->ioapic = r;
				st->ioapic_pin = e->chip.pin;
			}
		}
		ret = okvm_irq_status(ret, r);
	}
	rcu_read_unlock();
	return ret;
}

/* okvm_irqchip_route_locked() from any context, no irqchip lock held. */
int okvm_irqchip_set_line(struct okvm_vm *vm, enum okvm_irq_source src,
			  u32 gsi, int level)
{
	struct okvm_irqchip *chip = smp_load_acquire(&vm->arch.irqchip);
	struct okvm_route_status st;
	unsigned long flags;
	int ret;
	bool out;

	if (!chip)
		return -1;
	trace_kvm_set_irq(gsi, level, src);
	spin_lock_irqsave(&chip->lock, flags);
	ret = okvm_irqchip_route_locked(chip, src, gsi, level, &st);
	out = x86_pic_output(&chip->pic);
	spin_unlock_irqrestore(&chip->lock, flags);
	if (out)
		okvm_irqchip_kick_extint(vm);
	return ret;
}

/*
 * The irqchip ended the service of (@irqchip, @pin): the GSIs routed to it
 * that have resample irqfds get their level lowered, and the pin is marked
 * for okvm_irqchip_unlock() to signal their resamplefds.  irqchip->lock
 * held (the IOAPIC's EOI or the PIC's, before a still-asserted line is
 * sent again).
 */
/* An irqchip pin as one bit: IOAPIC pins 0-23, PIC IRQs 0-15 at 32-47. */
static u64 okvm_pin_bit(u32 irqchip, u32 pin)
{
	if (irqchip == KVM_IRQCHIP_IOAPIC)
		return BIT_ULL(pin);
	return BIT_ULL(32 + pin + (irqchip == KVM_IRQCHIP_PIC_SLAVE ? 8 : 0));
}

void okvm_irqchip_pin_acked_locked(struct okvm_irqchip *chip, u32 irqchip,
				   u32 pin)
{
	struct okvm_route_status st;
	struct okvm_irq_routes *t;
	struct okvm_irq_route *e;
	u32 i;

	lockdep_assert_held(&chip->lock);
	if (!okvm_irqfd_has_resamplers(chip->vm))
		return;
	rcu_read_lock();
	t = rcu_dereference(chip->routes);
	for (i = 0; t && i < t->nr; i++) {
		e = &t->e[i];
		if (e->type != KVM_IRQ_ROUTING_IRQCHIP ||
		    e->chip.irqchip != irqchip || e->chip.pin != pin ||
		    !okvm_irqfd_resampled(chip->vm, e->gsi))
			continue;
		okvm_irqchip_route_locked(chip, OKVM_IRQ_SRC_RESAMPLE, e->gsi,
					  0, &st);
		chip->acked_pins |= okvm_pin_bit(irqchip, pin);
	}
	rcu_read_unlock();
}

/*
 * After okvm_irqchip_pin_acked_locked(), with irqchip->lock dropped:
 * signal the resamplefds of the GSIs routed to these pins (okvm_pin_bit()).
 */
void okvm_irqchip_notify_acked(struct okvm_irqchip *chip, u64 pins)
{
	struct okvm_irq_routes *t;
	struct okvm_irq_route *e;
	u32 i;

	rcu_read_lock();
	t = rcu_dereference(chip->routes);
	for (i = 0; t && i < t->nr; i++) {
		e = &t->e[i];
		if (e->type == KVM_IRQ_ROUTING_IRQCHIP &&
		    (pins & okvm_pin_bit(e->chip.irqchip, e->chip.pin)))
			okvm_irqfd_resample_notify(chip->vm, e->gsi);
	}
	rcu_read_unlock();
}

/* An irqfd needs the in-kernel irqchip, a resample one its IOAPIC/PIC. */
bool okvm_arch_irqfd_allowed(struct okvm_vm *vm, bool resample)
{
	struct okvm_irqchip *chip = smp_load_acquire(&vm->arch.irqchip);

	return chip && !(resample && chip->split);
}

/* Whether @gsi has routes in @t and all of them are MSIs. */
static bool okvm_gsi_msi_only(const struct okvm_irq_routes *t, u32 gsi)
{
	bool any = false;
	u32 i;

	for (i = 0; t && i < t->nr; i++) {
		if (t->e[i].gsi != gsi)
			continue;
		if (t->e[i].type != KVM_IRQ_ROUTING_MSI)
			return false;
		any = true;
	}
	return any;
}

/*
 * An edge on @gsi whose routes are all MSIs: sent as KVM_SIGNAL_MSI sends
 * one, under RCU alone (no irqchip->lock, which only pins need) and with
 * no lowering after it (an MSI has no level).  False, having sent
 * nothing, for a GSI with a pin among its routes, or none.
 */
static bool okvm_irqfd_send_msis(struct okvm_vm *vm, u32 gsi)
{
	struct okvm_irqchip *chip = smp_load_acquire(&vm->arch.irqchip);
	const struct okvm_irq_routes *t;
	const struct okvm_irq_route *e;
	bool msi_only;
	u32 i;

	if (!chip)
		return false;
	rcu_read_lock();
	t = rcu_dereference(chip->routes);
	msi_only = okvm_gsi_msi_only(t, gsi);
	if (msi_only) {
		trace_kvm_set_irq(gsi, 1, OKVM_IRQ_SRC_USER);
		for (i = 0; i < t->nr; i++) {
			e = &t->e[i];
			if (e->gsi == gsi)
				okvm_send_msi(vm, e->msi.lo, e->msi.hi,
					      e->msi.data);
		}
	}
	rcu_read_unlock();
	return msi_only;
}

/*
 * An irqfd was signalled: an edge on @gsi, as KVM_IRQ_LINE 1 then 0; with
 * @level, the resample irqfds' level goes up until the EOI.
 */
void okvm_arch_irqfd_inject(struct okvm_vm *vm, u32 gsi, bool level)
{
	if (level) {
		okvm_irqchip_set_line(vm, OKVM_IRQ_SRC_RESAMPLE, gsi, 1);
		return;
	}
	if (okvm_irqfd_send_msis(vm, gsi))
		return;
	okvm_irqchip_set_line(vm, OKVM_IRQ_SRC_USER, gsi, 1);
	okvm_irqchip_set_line(vm, OKVM_IRQ_SRC_USER, gsi, 0);
}

/* The last resample irqfd of @gsi went away. */
void okvm_arch_irqfd_lower(struct okvm_vm *vm, u32 gsi)
{
	okvm_irqchip_set_line(vm, OKVM_IRQ_SRC_RESAMPLE, gsi, 0);
}

/* --- The table ---------------------------------------------------------- */

/* One entry of KVM_SET_GSI_ROUTING; no irqchip pins with the split one. */
static int okvm_route_from_user(struct okvm_irqchip *chip,
				struct okvm_irq_route *e,
				const struct kvm_irq_routing_entry *u)
{
	if (u->gsi >= OKVM_MAX_IRQ_ROUTES || u->flags)
		return -EINVAL;
	e->gsi = u->gsi;
	e->type = u->type;
	switch (u->type) {
	case KVM_IRQ_ROUTING_IRQCHIP:
		if (chip->split)
			return -EINVAL;
		e->chip.irqchip = u->u.irqchip.irqchip;
		e->chip.pin = u->u.irqchip.pin;
		if (e->chip.irqchip == KVM_IRQCHIP_IOAPIC)
			return e->chip.pin < X86_IOAPIC_PINS ? 0 : -EINVAL;
		if (e->chip.irqchip > KVM_IRQCHIP_PIC_SLAVE ||
		    e->chip.pin >= OKVM_PIC_PINS / 2)
			return -EINVAL;
		return 0;
	case KVM_IRQ_ROUTING_MSI:
		e->msi.lo = u->u.msi.address_lo;
		e->msi.hi = u->u.msi.address_hi;
		e->msi.data = u->u.msi.data;
		return okvm_msi_hi_invalid(chip->vm, e->msi.hi) ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

/* One route per (GSI, irqchip), as KVM requires. */
static bool okvm_route_dup(const struct okvm_irq_routes *t, u32 n)
{
	const struct okvm_irq_route *e = &t->e[n];
	u32 i;

	if (e->type != KVM_IRQ_ROUTING_IRQCHIP)
		return false;
	for (i = 0; i < n; i++)
		if (t->e[i].gsi == e->gsi &&
		    t->e[i].type == KVM_IRQ_ROUTING_IRQCHIP &&
		    t->e[i].chip.irqchip == e->chip.irqchip)
			return true;
	return false;
}

static void okvm_routes_free(struct rcu_head *rcu)
{
	kvfree(container_of(rcu, struct okvm_irq_routes, rcu));
}

/* Publish @t (vm->lock held) and free the old table after readers. */
static void okvm_routes_publish(struct okvm_irqchip *chip,
				struct okvm_irq_routes *t)
{
	struct okvm_irq_routes *old;

	old = rcu_replace_pointer(chip->routes, t, true);
	if (old)
		call_rcu(&old->rcu, okvm_routes_free);
}

static struct okvm_irq_routes *okvm_routes_alloc(u32 nr)
{
	struct okvm_irq_routes *t;

	t = kvzalloc(struct_size(t, e, nr), GFP_KERNEL_ACCOUNT);
	if (t)
		t->nr = nr;
	return t;
}

/*
 * KVM_CREATE_IRQCHIP: GSI 0-15 to PIC and IOAPIC, 16-23 to the IOAPIC.
 * The split irqchip starts with an empty table.
 */
int okvm_irq_routes_default(struct okvm_irqchip *chip)
{
	struct okvm_irq_routes *t;
	u32 gsi, n = 0;

	t = okvm_routes_alloc(chip->split ? 0 : OKVM_PIC_PINS +
			      OKVM_DEFAULT_GSIS);
	if (!t)
		return -ENOMEM;
	for (gsi = 0; gsi < OKVM_DEFAULT_GSIS && !chip->split; gsi++) {
		if (gsi < OKVM_PIC_PINS)
			t->e[n++] = (struct okvm_irq_route){ .gsi = gsi,
				.type = KVM_IRQ_ROUTING_IRQCHIP,
				.chip = { gsi < 8 ? KVM_IRQCHIP_PIC_MASTER :
					  KVM_IRQCHIP_PIC_SLAVE, gsi & 7 } };
		t->e[n++] = (struct okvm_irq_route){ .gsi = gsi,
			.type = KVM_IRQ_ROUTING_IRQCHIP,
			.chip = { KVM_IRQCHIP_IOAPIC, gsi } };
	}
	rcu_assign_pointer(chip->routes, t);
	return 0;
}

/* VM teardown: no reader is left. */
void okvm_irq_routes_free(struct okvm_irqchip *chip)
{
	kvfree(rcu_dereference_protected(chip->routes, 1));
}

static struct okvm_irq_routes *okvm_routes_copy_in(struct okvm_irqchip *chip,
						   void __user *argp, u32 nr)
{
	struct kvm_irq_routing __user *ur = argp;
	struct kvm_irq_routing_entry *ue;
	struct okvm_irq_routes *t;
	int r = 0;
	u32 i;

	ue = vmemdup_user(ur->entries, array_size(nr, sizeof(*ue)));
	if (IS_ERR(ue))
		return ERR_CAST(ue);
	t = okvm_routes_alloc(nr);
	if (!t)
		r = -ENOMEM;
	for (i = 0; t && i < nr && !r; i++) {
		r = okvm_route_from_user(chip, &t->e[i], &ue[i]);
		if (!r && okvm_route_dup(t, i))
			r = -EINVAL;
	}
	kvfree(ue);
	if (r) {
		kvfree(t);
		return ERR_PTR(r);
	}
	return t;
}

/* KVM_SET_GSI_ROUTING */
long okvm_vm_set_gsi_routing(struct okvm_vm *vm, void __user *argp)
{
	struct okvm_irqchip *chip;
	struct okvm_irq_routes *t;
	struct kvm_irq_routing hdr;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nr > OKVM_MAX_IRQ_ROUTES || hdr.flags)
		return -EINVAL;
	if (!okvm_irqchip_in_kernel(vm))
		return -EINVAL;
	chip = vm->arch.irqchip;
	t = okvm_routes_copy_in(chip, argp, hdr.nr);
	if (IS_ERR(t))
		return PTR_ERR(t);
	mutex_lock(&vm->lock);
	okvm_routes_publish(chip, t);
	mutex_unlock(&vm->lock);
	return 0;
}
