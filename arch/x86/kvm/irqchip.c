// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM's in-kernel PIC pair and IOAPIC: KVM_CREATE_IRQCHIP, KVM_IRQ_LINE
 * and KVM_IRQ_LINE_STATUS (through the GSI routes of irq_routing.c), KVM_GET/
 * SET_IRQCHIP, their ports and MMIO window on the in-kernel buses,
 * KVM_SET_BOOT_CPU_ID and the VM's KVM_ENABLE_CAP.  The register logic is
 * dev/pic.c and dev/ioapic.c.
 */
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "irqchip.h"

#define OKVM_IOAPIC_MMIO_LEN	0x100

/* --- Wiring ------------------------------------------------------------ */

/* IOAPIC -> LAPICs; irqchip->lock held. */
static int okvm_ioapic_deliver(struct x86_ioapic *io,
			       const struct x86_apic_msg *m)
{
	struct okvm_irqchip *chip = container_of(io, struct okvm_irqchip,
						 ioapic);
	struct x86_apic_msg msg = *m;

	okvm_apic_msg_bcast_quirk(chip->vm, &msg);
	return okvm_apic_deliver(chip->vm, NULL, &msg);
}

/*
 * An EOI of @pin's vector from LAPIC @src; irqchip->lock held.  An edge
 * EOI concerns the pin only when the pin sends to that LAPIC: the vector
 * may be another device's there.
 */
static void okvm_ioapic_pin_eoi(struct x86_ioapic *io, int pin,
				const void *src)
{
	struct okvm_irqchip *chip = container_of(io, struct okvm_irqchip,
						 ioapic);
	struct x86_apic_msg m;

	if (!okvm_irqfd_has_resamplers(chip->vm))
		return;
	if (src && !(io->redir[pin] & X86_IOAPIC_LEVEL)) {
		x86_ioapic_build_msg(io, pin, &m);
		if (!okvm_lapic_named((struct okvm_lapic *)src, &m))
			return;
	}
	okvm_irqchip_pin_acked_locked(chip, KVM_IRQCHIP_IOAPIC, pin);
}

static const struct x86_ioapic_ops okvm_ioapic_ops = {
	.deliver = okvm_ioapic_deliver,
	.pin_eoi = okvm_ioapic_pin_eoi,
};

/*
 * Does a LAPIC's EOI of @vector concern the IOAPIC?  Level vectors always
 * (remote IRR); an edge one when it acknowledges the PIT's tick, or while
 * resample irqfds wait for EOIs.  Any context, no lock held.
 */
bool okvm_ioapic_wants_eoi(struct okvm_vm *vm, u8 vector, bool level)
{
	struct okvm_irqchip *chip = smp_load_acquire(&vm->arch.irqchip);

	return chip && (level || READ_ONCE(chip->pit_ack_vector) == vector ||
			okvm_irqfd_has_resamplers(vm));
}

/* The guest acknowledged the PIT's last tick; irqchip->lock held. */
static void okvm_irqchip_pit_acked(struct okvm_irqchip *chip)
{
	struct okvm_pit *pit = smp_load_acquire(&chip->vm->arch.pit);

	if (pit)
		okvm_pit_irq_acked(pit, chip);
}

/*
 * Drop irqchip->lock, then signal the resample irqfds of the pins whose
 * service ended under it (their levels are already lowered).
 */
void okvm_irqchip_unlock(struct okvm_irqchip *chip, unsigned long flags)
	__releases(&chip->lock)
{
	u64 pins = chip->acked_pins;

	chip->acked_pins = 0;
	spin_unlock_irqrestore(&chip->lock, flags);
	if (pins)
		okvm_irqchip_notify_acked(chip, pins);
}

/*
 * LAPIC @src retired @vector (its TMR bit: @level), see
 * okvm_ioapic_wants_eoi(); no lapic->lock held.
 */
void okvm_ioapic_eoi(struct okvm_vm *vm, u8 vector, bool level,
		     struct okvm_lapic *src)
{
	struct okvm_irqchip *chip = vm->arch.irqchip;
	unsigned long flags;

	if (!chip)
		return;
	spin_lock_irqsave(&chip->lock, flags);
	x86_ioapic_eoi(&chip->ioapic, vector, level, src);
	if (chip->pit_ack_vector == vector) {
		WRITE_ONCE(chip->pit_ack_vector, -1);
		okvm_irqchip_pit_acked(chip);
	}
	okvm_irqchip_unlock(chip, flags);
}

/* The bit of @pin in a level array, per source. */
static bool okvm_pin_level(u32 *levels, enum okvm_irq_source src, int level)
{
	if (level)
		*levels |= BIT(src);
	else
		*levels &= ~BIT(src);
	return *levels != 0;
}

/*
 * Set @src's level on one irqchip pin (the sources' levels are ORed);
 * irqchip->lock held.  The KVM_IRQ_LINE_STATUS value: 1 delivered, 0
 * coalesced, -1 masked.
 */
int okvm_irqchip_set_pin_locked(struct okvm_irqchip *chip, u32 irqchip,
				u32 pin, enum okvm_irq_source src, int level)
{
	int line;

	lockdep_assert_held(&chip->lock);
	if (irqchip == KVM_IRQCHIP_IOAPIC) {
		line = okvm_pin_level(&chip->ioapic_levels[pin], src, level);
		return x86_ioapic_set_irq(&chip->ioapic, pin, line);
	}
	pin += irqchip == KVM_IRQCHIP_PIC_SLAVE ? 8 : 0;
	line = okvm_pin_level(&chip->pic_levels[pin], src, level);
	return x86_pic_set_irq(&chip->pic, pin, line);
}

/* Whether some vCPU takes the PIC's output (LINT0 ExtINT, or no APIC). */
static bool okvm_irqchip_extint_wired(struct okvm_vm *vm)
{
	struct okvm_vcpu *vcpu;
	unsigned long i;

	okvm_for_each_vcpu(i, vcpu, vm) {
		if (vcpu->arch.lapic && okvm_lapic_accepts_extint(vcpu))
			return true;
	}
	return false;
}

/*
 * An edge from @src on @gsi: raise, then lower, along its routes.
 * irqchip->lock held; wakes a vCPU for the PIC's output itself (that takes
 * no lock).  Returns whether an acknowledgement will come: >= 0 when the
 * PIC requested it (1) or had it pending already (0), or, for the PIT,
 * when the IOAPIC sent it to a LAPIC, whose EOI of the pin's vector then
 * acknowledges it (pit_ack_vector); -1 when no acknowledgement is to be
 * expected (no route, masked, no vCPU takes ExtINT, no LAPIC took it).
 */
int okvm_irqchip_pulse_locked(struct okvm_irqchip *chip,
			      enum okvm_irq_source src, u32 gsi)
{
	struct okvm_route_status st, unused;
	int pic, vector;

	okvm_irqchip_route_locked(chip, src, gsi, 1, &st);
	okvm_irqchip_route_locked(chip, src, gsi, 0, &unused);
	if (x86_pic_output(&chip->pic))
		okvm_irqchip_kick_extint(chip->vm);
	pic = st.pic;
	if (pic >= 0 && !okvm_irqchip_extint_wired(chip->vm))
		pic = -1;
	if (src != OKVM_IRQ_SRC_PIT)
		return pic;
	if (st.ioapic != 1) {
		WRITE_ONCE(chip->pit_ack_vector, -1);
		return pic;
	}
	vector = chip->ioapic.redir[st.ioapic_pin] & X86_IOAPIC_VECTOR;
	WRITE_ONCE(chip->pit_ack_vector, vector);
	return 1;
}

/* okvm_irqchip_pulse_locked() taking irqchip->lock; -1 without a chip. */
int okvm_irqchip_pulse(struct okvm_vm *vm, enum okvm_irq_source src, u32 gsi)
{
	/* The PIT may exist before KVM_CREATE_IRQCHIP publishes the chip. */
	struct okvm_irqchip *chip = smp_load_acquire(&vm->arch.irqchip);
	unsigned long flags;
	int r;

	if (!chip)
		return -1;
	spin_lock_irqsave(&chip->lock, flags);
	r = okvm_irqchip_pulse_locked(chip, src, gsi);
	spin_unlock_irqrestore(&chip->lock, flags);
	return r;
}

/*
 * The PIC ended the service of @irq (EOI, AEOI or ICW1); irqchip->lock
 * held.  IRQ0 is the PIT's acknowledgement for tick reinjection.
 */
static void okvm_pic_irq_acked(struct x86_pic *p, int irq)
{
	struct okvm_irqchip *chip = container_of(p, struct okvm_irqchip, pic);

	if (irq == 0)
		okvm_irqchip_pit_acked(chip);
	okvm_irqchip_pin_acked_locked(chip, irq < 8 ? KVM_IRQCHIP_PIC_MASTER :
				      KVM_IRQCHIP_PIC_SLAVE, irq & 7);
}

static const struct x86_pic_ops okvm_pic_ops = {
	.irq_acked = okvm_pic_irq_acked,
};

/* --- Ports and MMIO ------------------------------------------------------ */

static int okvm_pic_read(struct okvm_io_dev *dev, struct okvm_vcpu *vcpu,
			 u64 addr, u32 len, void *val)
{
	struct okvm_irqchip *chip = vcpu->vm->arch.irqchip;
	unsigned long flags;
	u8 *b = val;
	u32 i;

	spin_lock_irqsave(&chip->lock, flags);
	for (i = 0; i < len; i++)
		b[i] = x86_pic_read(&chip->pic, addr + i);
	okvm_irqchip_unlock(chip, flags);
	return 0;
}

static int okvm_pic_write(struct okvm_io_dev *dev, struct okvm_vcpu *vcpu,
			  u64 addr, u32 len, const void *val)
{
	struct okvm_irqchip *chip = vcpu->vm->arch.irqchip;
	const u8 *b = val;
	unsigned long flags;
	bool out;
	u32 i;

	spin_lock_irqsave(&chip->lock, flags);
	for (i = 0; i < len; i++)
		x86_pic_write(&chip->pic, addr + i, b[i]);
	out = x86_pic_output(&chip->pic);
	okvm_irqchip_unlock(chip, flags);
	if (out)
		okvm_irqchip_kick_extint(vcpu->vm);
	return 0;
}

static const struct okvm_io_dev_ops okvm_pic_dev_ops = {
	.read = okvm_pic_read,
	.write = okvm_pic_write,
};

static int okvm_ioapic_read(struct okvm_io_dev *dev, struct okvm_vcpu *vcpu,
			    u64 addr, u32 len, void *val)
{
	struct okvm_irqchip *chip = vcpu->vm->arch.irqchip;
	unsigned long flags;
	u32 v;

	spin_lock_irqsave(&chip->lock, flags);
	v = x86_ioapic_mmio_read(&chip->ioapic, addr - dev->addr, len);
	spin_unlock_irqrestore(&chip->lock, flags);
	memcpy(val, &v, min_t(u32, len, sizeof(v)));
	if (len > sizeof(v))
		memset(val + sizeof(v), 0, len - sizeof(v));
	return 0;
}

static int okvm_ioapic_write(struct okvm_io_dev *dev, struct okvm_vcpu *vcpu,
			     u64 addr, u32 len, const void *val)
{
	struct okvm_irqchip *chip = vcpu->vm->arch.irqchip;
	unsigned long flags;
	u32 v = 0;

	memcpy(&v, val, min_t(u32, len, sizeof(v)));
	spin_lock_irqsave(&chip->lock, flags);
	x86_ioapic_mmio_write(&chip->ioapic, addr - dev->addr, v, len);
	spin_unlock_irqrestore(&chip->lock, flags);
	return 0;
}

static const struct okvm_io_dev_ops okvm_ioapic_dev_ops = {
	.read = okvm_ioapic_read,
	.write = okvm_ioapic_write,
};

static int okvm_irqchip_register(struct okvm_vm *vm, struct okvm_irqchip *c)
{
	struct { struct okvm_io_dev *dev; enum okvm_bus bus; } devs[] = {
		{ &c->pic_master, OKVM_PIO_BUS }, { &c->pic_slave, OKVM_PIO_BUS },
		{ &c->elcr, OKVM_PIO_BUS }, { &c->ioapic_mmio, OKVM_MMIO_BUS },
	};
	int i, r = 0;

	c->pic_master = (struct okvm_io_dev){ X86_PIC_MASTER_CMD, 2,
					      &okvm_pic_dev_ops };
	c->pic_slave = (struct okvm_io_dev){ X86_PIC_SLAVE_CMD, 2,
					     &okvm_pic_dev_ops };
	c->elcr = (struct okvm_io_dev){ X86_PIC_ELCR_MASTER, 2,
					&okvm_pic_dev_ops };
	c->ioapic_mmio = (struct okvm_io_dev){ X86_IOAPIC_BASE,
			OKVM_IOAPIC_MMIO_LEN, &okvm_ioapic_dev_ops };
	mutex_lock(&vm->slots_lock);
	for (i = 0; i < ARRAY_SIZE(devs) && !r; i++)
		r = okvm_io_bus_register(vm, devs[i].bus, devs[i].dev);
	while (r && --i > 0)
		okvm_io_bus_unregister(vm, devs[i - 1].bus, devs[i - 1].dev);
	mutex_unlock(&vm->slots_lock);
	return r;
}

/* --- ioctls --------------------------------------------------------------- */

/*
 * Publish the VM's irqchip: once, before any vCPU exists (EEXIST, or
 * @busy_err when vCPUs exist).  The split one registers no devices.
 */
static long okvm_irqchip_install(struct okvm_vm *vm, bool split, u32 pins,
				 long busy_err)
{
	struct okvm_irqchip *chip;
	long r;

	chip = kzalloc(sizeof(*chip), GFP_KERNEL_ACCOUNT);
	if (!chip)
		return -ENOMEM;
	spin_lock_init(&chip->lock);
	chip->vm = vm;
	chip->split = split;
	chip->nr_ioapic_pins = pins;
	chip->pit_ack_vector = -1;
	chip->pic.ops = &okvm_pic_ops;
	x86_pic_reset(&chip->pic);
	chip->ioapic.ops = &okvm_ioapic_ops;
	x86_ioapic_reset(&chip->ioapic);
	if (okvm_irq_routes_default(chip)) {
		kfree(chip);
		return -ENOMEM;
	}
	mutex_lock(&vm->lock);
	r = -EEXIST;
	if (vm->arch.irqchip)
		goto out;
	r = busy_err;
	if (vm->created_vcpus)
		goto out;
	r = split ? 0 : okvm_irqchip_register(vm, chip);
	if (r)
		goto out;
	smp_store_release(&vm->arch.irqchip, chip);
	chip = NULL;
out:
	mutex_unlock(&vm->lock);
	if (chip)
		okvm_irq_routes_free(chip);
	kfree(chip);
	return r;
}

/* KVM_CREATE_IRQCHIP */
long okvm_vm_create_irqchip(struct okvm_vm *vm)
{
	return okvm_irqchip_install(vm, false, 0, -EINVAL);
}

/* KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP): args[0] IOAPIC pins (GSIs). */
static long okvm_vm_enable_split_irqchip(struct okvm_vm *vm, u64 pins)
{
	if (pins > OKVM_MAX_IRQ_ROUTES)
		return -EINVAL;
	return okvm_irqchip_install(vm, true, pins, -EEXIST);
}

void okvm_irqchip_destroy(struct okvm_vm *vm)
{
	if (!vm->arch.irqchip)
		return;
	okvm_irq_routes_free(vm->arch.irqchip);
	kfree(vm->arch.irqchip);
	vm->arch.irqchip = NULL;
}

/* KVM_IRQ_LINE, KVM_IRQ_LINE_STATUS */
long okvm_vm_irq_line(struct okvm_vm *vm, void __user *argp, bool status)
{
	struct kvm_irq_level ev;

	if (copy_from_user(&ev, argp, sizeof(ev)))
		return -EFAULT;
	if (!okvm_irqchip_in_kernel(vm))
		return -ENXIO;
	ev.status = okvm_irqchip_set_line(vm, OKVM_IRQ_SRC_USER, ev.irq,
					  ev.level);
	if (status && copy_to_user(argp, &ev, sizeof(ev)))
		return -EFAULT;
	return 0;
}

static_assert(sizeof(struct x86_pic_chip) == sizeof(struct kvm_pic_state));

static void okvm_ioapic_save(const struct x86_ioapic *io,
			     struct kvm_ioapic_state *s)
{
	int i;

	s->base_address = io->base_address;
	s->ioregsel = io->ioregsel;
	s->id = io->id;
	s->irr = x86_ioapic_visible_irr(io);
	for (i = 0; i < X86_IOAPIC_PINS; i++)
		s->redirtbl[i].bits = io->redir[i];
}

static void okvm_ioapic_load(struct x86_ioapic *io,
			     const struct kvm_ioapic_state *s)
{
	int i;

	io->base_address = s->base_address;
	io->ioregsel = s->ioregsel;
	io->id = s->id;
	io->irr = s->irr;
	for (i = 0; i < X86_IOAPIC_PINS; i++)
		io->redir[i] = s->redirtbl[i].bits;
	x86_ioapic_state_loaded(io);
}

/* KVM_GET_IRQCHIP */
long okvm_vm_get_irqchip(struct okvm_vm *vm, void __user *argp)
{
	struct okvm_irqchip *chip = vm->arch.irqchip;
	struct kvm_irqchip *s;
	unsigned long flags;
	long r = 0;

	if (!okvm_pic_in_kernel(vm))
		return -ENXIO;
	s = memdup_user(argp, sizeof(*s));
	if (IS_ERR(s))
		return PTR_ERR(s);
	spin_lock_irqsave(&chip->lock, flags);
	switch (s->chip_id) {
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		memcpy(&s->chip.pic, &chip->pic.chip[s->chip_id],
		       sizeof(s->chip.pic));
		break;
	case KVM_IRQCHIP_IOAPIC:
		okvm_ioapic_save(&chip->ioapic, &s->chip.ioapic);
		break;
	default:
		r = -EINVAL;
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	if (!r && copy_to_user(argp, s, sizeof(*s)))
		r = -EFAULT;
	kfree(s);
	return r;
}

/* KVM_SET_IRQCHIP */
long okvm_vm_set_irqchip(struct okvm_vm *vm, void __user *argp)
{
	struct okvm_irqchip *chip = vm->arch.irqchip;
	struct kvm_irqchip *s;
	unsigned long flags;
	bool out = false;
	long r = 0;

	if (!okvm_pic_in_kernel(vm))
		return -ENXIO;
	s = memdup_user(argp, sizeof(*s));
	if (IS_ERR(s))
		return PTR_ERR(s);
	spin_lock_irqsave(&chip->lock, flags);
	switch (s->chip_id) {
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		memcpy(&chip->pic.chip[s->chip_id], &s->chip.pic,
		       sizeof(s->chip.pic));
		x86_pic_state_loaded(&chip->pic);
		out = x86_pic_output(&chip->pic);
		break;
	case KVM_IRQCHIP_IOAPIC:
		okvm_ioapic_load(&chip->ioapic, &s->chip.ioapic);
		break;
	default:
		r = -EINVAL;
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	if (out)
		okvm_irqchip_kick_extint(vm);
	kfree(s);
	return r;
}

/* KVM_SET_BOOT_CPU_ID: before any vCPU exists. */
long okvm_vm_set_boot_cpu_id(struct okvm_vm *vm, unsigned long id)
{
	long r = 0;

	if (id >= OKVM_MAX_VCPU_IDS)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (vm->created_vcpus)
		r = -EBUSY;
	else
		WRITE_ONCE(vm->arch.boot_cpu_id, id);
	mutex_unlock(&vm->lock);
	return r;
}

/* KVM_ENABLE_CAP on the VM fd: x86's capabilities (flags checked). */
long okvm_arch_vm_enable_cap(struct okvm_vm *vm,
			     const struct kvm_enable_cap *c)
{
	u64 x2apic_ok = KVM_X2APIC_API_USE_32BIT_IDS |
			KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK;
	struct kvm_enable_cap cap = *c;

	switch (cap.cap) {
	case KVM_CAP_SPLIT_IRQCHIP:
		return okvm_vm_enable_split_irqchip(vm, cap.args[0]);
	case KVM_CAP_MAX_VCPU_ID:
		return okvm_vm_enable_max_vcpu_id(vm, cap.args[0]);
	case KVM_CAP_MSR_PLATFORM_INFO:
		return okvm_vm_enable_platform_info(vm, cap.args[0]);
	case KVM_CAP_DISABLE_QUIRKS2:
		return okvm_vm_disable_quirks(vm, cap.args[0]);
	case KVM_CAP_X86_USER_SPACE_MSR:
		return okvm_vm_enable_user_space_msr(vm, cap.args[0]);
	case KVM_CAP_VM_DISABLE_NX_HUGE_PAGES:
		return okvm_vm_disable_nx_huge_pages(vm, cap.args[0]);
	case KVM_CAP_X2APIC_API:
		if (cap.args[0] & ~x2apic_ok)
			return -EINVAL;
		/* Like upstream: a flag once set stays set. */
		if (cap.args[0] & KVM_X2APIC_API_USE_32BIT_IDS)
			WRITE_ONCE(vm->arch.x2apic_32bit_ids, true);
		if (cap.args[0] & KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK)
			WRITE_ONCE(vm->arch.x2apic_bcast_quirk_off, true);
		return 0;
	default:
		return -EINVAL;
	}
}
