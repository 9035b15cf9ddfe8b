// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel side of the in-kernel 8254 PIT: KVM_CREATE_PIT(2), its ports
 * on the in-kernel PIO bus (0x40-0x43, and 0x61 with KVM_PIT_SPEAKER_DUMMY),
 * the host timer behind channel 0 and IRQ0, tick reinjection
 * (KVM_REINJECT_CONTROL) and KVM_GET/SET_PIT(2).  The register logic is
 * dev/pit.c.
 *
 * Channel 0: the model asks for IRQ0 at an absolute time, then every
 * period (ch0_arm).  We keep that schedule under pit->lock and run it on
 * an hrtimer in hard-IRQ mode.  The callback never calls into the model,
 * so arming and cancelling (always under pit->lock) may use hrtimer_start()
 * and hrtimer_try_to_cancel() directly: a callback that then gets the lock
 * finds the timer queued again or the schedule disarmed, and backs off.
 * Only teardown waits for a callback (hrtimer_cancel, no lock held).
 *
 * Reinjection (on by default, as upstream): every expiry adds to
 * "pending" the periods that elapsed; one IRQ0 edge is in flight at a
 * time and the PIC's end of service of IRQ0 (EOI, AEOI) releases the
 * next one.  When the PIC will not service the edge (IRQ0 masked in its
 * IMR, or no vCPU takes ExtINT: the guest uses the IOAPIC) there is no
 * acknowledgement to wait for: each expiry sends one edge and missed
 * periods are dropped.  Without reinjection, each expiry sends one edge.
 */
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "irqchip.h"

/*
 * Floor of a periodic channel 0: upstream's default min_timer_period_us
 * (200 us, shared with the LAPIC timer), so that a guest cannot make the
 * host take an interrupt every 838 ns.
 */
#define OKVM_PIT_MIN_PERIOD_NS	200000ULL
/* The model never arms more than one 65536-clock period (55 ms) ahead. */
#define OKVM_PIT_MAX_AHEAD_NS	NSEC_PER_SEC
/* Unacknowledged ticks kept for reinjection (100 s of a 1 kHz tick). */
#define OKVM_PIT_MAX_PENDING	100000
#define OKVM_PIT_PORTS		4	/* 0x40-0x43 */

static_assert(sizeof(struct x86_pit_channel) ==
	      sizeof(struct kvm_pit_channel_state));
static_assert(offsetof(struct x86_pit_channel, count_load_time) ==
	      offsetof(struct kvm_pit_channel_state, count_load_time));
static_assert(sizeof(struct kvm_pit_state) ==
	      sizeof(((struct kvm_pit_state2 *)0)->channels));

static struct okvm_pit *to_okvm_pit(struct x86_pit *p)
{
	return container_of(p, struct okvm_pit, dev);
}

/* --- The model's callbacks (pit->lock held) ---------------------------- */

static u64 okvm_pit_now(struct x86_pit *p)
{
	return ktime_get_ns();
}

static void okvm_pit_arm(struct x86_pit *p, u64 first_ns, u64 period_ns)
{
	struct okvm_pit *pit = to_okvm_pit(p);
	u64 now = ktime_get_ns();
	s64 ahead = (s64)(first_ns - now);

	if (ahead < 0)
		first_ns = now;
	else if (ahead > OKVM_PIT_MAX_AHEAD_NS)
		first_ns = now + OKVM_PIT_MAX_AHEAD_NS;
	if (period_ns && period_ns < OKVM_PIT_MIN_PERIOD_NS)
		period_ns = OKVM_PIT_MIN_PERIOD_NS;
	pit->armed = true;
	pit->next_ns = first_ns;
	pit->period_ns = period_ns;
	/* A new count starts a new series of ticks, as upstream. */
	atomic_set(&pit->pending, 0);
	atomic_set(&pit->irq_ack, 1);
	hrtimer_start(&pit->timer, ns_to_ktime(first_ns),
		      HRTIMER_MODE_ABS_HARD);
}

static void okvm_pit_cancel(struct x86_pit *p)
{
	struct okvm_pit *pit = to_okvm_pit(p);

	pit->armed = false;
	hrtimer_try_to_cancel(&pit->timer);
}

static const struct x86_pit_ops okvm_pit_ops = {
	.now_ns = okvm_pit_now,
	.ch0_arm = okvm_pit_arm,
	.ch0_cancel = okvm_pit_cancel,
};

/* --- IRQ0 ------------------------------------------------------------- */

/* After an edge: @pic is okvm_irqchip_pulse()'s verdict. */
static void okvm_pit_sent(struct okvm_pit *pit, int pic)
{
	if (pic >= 0)
		return;
	/* No acknowledgement will come: nothing is in flight. */
	atomic_set(&pit->pending, 0);
	atomic_set(&pit->irq_ack, 1);
}

/* @ticks periods ended; no lock held. */
static void okvm_pit_tick(struct okvm_pit *pit, u64 ticks)
{
	if (!atomic_read(&pit->reinject)) {
		okvm_irqchip_pulse(pit->vm, OKVM_IRQ_SRC_PIT, 0);
		return;
	}
	if (atomic_read(&pit->pending) < OKVM_PIT_MAX_PENDING)
		atomic_add((int)min_t(u64, ticks, OKVM_PIT_MAX_PENDING),
			   &pit->pending);
	if (atomic_xchg(&pit->irq_ack, 0))
		okvm_pit_sent(pit, okvm_irqchip_pulse(pit->vm,
						      OKVM_IRQ_SRC_PIT, 0));
}

/* irqchip->lock held: never takes pit->lock, only the atomics. */
void okvm_pit_irq_acked(struct okvm_pit *pit, struct okvm_irqchip *chip)
{
	atomic_set(&pit->irq_ack, 1);
	if (!atomic_read(&pit->reinject))
		return;
	if (atomic_dec_if_positive(&pit->pending) > 0 &&
	    atomic_xchg(&pit->irq_ack, 0))
		okvm_pit_sent(pit, okvm_irqchip_pulse_locked(chip,
						OKVM_IRQ_SRC_PIT, 0));
}

static enum hrtimer_restart okvm_pit_timer_fn(struct hrtimer *t)
{
	struct okvm_pit *pit = container_of(t, struct okvm_pit, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	u64 now, ticks = 0;

	spin_lock_irqsave(&pit->lock, flags);
	now = ktime_get_ns();
	/* Re-armed while we waited for the lock, or disarmed. */
	if (hrtimer_is_queued(t) || !pit->armed)
		goto out;
	if ((s64)(now - pit->next_ns) < 0) {
		ret = HRTIMER_RESTART;
	} else if (!pit->period_ns) {
		pit->armed = false;
		ticks = 1;
	} else {
		/* Every period that ended; the next expiry is in the future. */
		ticks = (now - pit->next_ns) / pit->period_ns + 1;
		pit->next_ns += ticks * pit->period_ns;
		ret = HRTIMER_RESTART;
	}
	if (ret == HRTIMER_RESTART)
		hrtimer_set_expires(t, ns_to_ktime(pit->next_ns));
out:
	spin_unlock_irqrestore(&pit->lock, flags);
	if (ticks)
		okvm_pit_tick(pit, ticks);
	return ret;
}

/* --- Ports ------------------------------------------------------------ */

static struct okvm_pit *okvm_pit_of_dev(struct okvm_io_dev *dev)
{
	if (dev->addr == X86_PIT_PORT_61)
		return container_of(dev, struct okvm_pit, speaker);
	return container_of(dev, struct okvm_pit, ports);
}

/* One byte per port, like consecutive byte accesses. */
static int okvm_pit_read(struct okvm_io_dev *dev, struct okvm_vcpu *vcpu,
			 u64 addr, u32 len, void *val)
{
	struct okvm_pit *pit = okvm_pit_of_dev(dev);
	unsigned long flags;
	u8 *b = val;
	u32 i;

	spin_lock_irqsave(&pit->lock, flags);
	for (i = 0; i < len; i++)
		b[i] = x86_pit_read(&pit->dev, (u16)(addr + i));
	spin_unlock_irqrestore(&pit->lock, flags);
	return 0;
}

static int okvm_pit_write(struct okvm_io_dev *dev, struct okvm_vcpu *vcpu,
			  u64 addr, u32 len, const void *val)
{
	struct okvm_pit *pit = okvm_pit_of_dev(dev);
	const u8 *b = val;
	unsigned long flags;
	u32 i;

	spin_lock_irqsave(&pit->lock, flags);
	for (i = 0; i < len; i++)
		x86_pit_write(&pit->dev, (u16)(addr + i), b[i]);
	spin_unlock_irqrestore(&pit->lock, flags);
	return 0;
}

static const struct okvm_io_dev_ops okvm_pit_dev_ops = {
	.read = okvm_pit_read,
	.write = okvm_pit_write,
};

static int okvm_pit_register(struct okvm_vm *vm, struct okvm_pit *pit)
{
	int r;

	pit->ports = (struct okvm_io_dev){ X86_PIT_PORT_CH0, OKVM_PIT_PORTS,
					   &okvm_pit_dev_ops };
	pit->speaker = (struct okvm_io_dev){ X86_PIT_PORT_61, 1,
					     &okvm_pit_dev_ops };
	mutex_lock(&vm->slots_lock);
	r = okvm_io_bus_register(vm, OKVM_PIO_BUS, &pit->ports);
	if (!r && (pit->config_flags & KVM_PIT_SPEAKER_DUMMY)) {
		r = okvm_io_bus_register(vm, OKVM_PIO_BUS, &pit->speaker);
		if (r)
			okvm_io_bus_unregister(vm, OKVM_PIO_BUS, &pit->ports);
	}
	mutex_unlock(&vm->slots_lock);
	return r;
}

/* --- Lifecycle ---------------------------------------------------------- */

static struct okvm_pit *okvm_pit_alloc(struct okvm_vm *vm, u32 flags)
{
	struct okvm_pit *pit;

	pit = kzalloc(sizeof(*pit), GFP_KERNEL_ACCOUNT);
	if (!pit)
		return NULL;
	spin_lock_init(&pit->lock);
	pit->vm = vm;
	pit->config_flags = flags;
	atomic_set(&pit->reinject, 1);
	atomic_set(&pit->irq_ack, 1);
	hrtimer_setup(&pit->timer, okvm_pit_timer_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_ABS_HARD);
	pit->dev.ops = &okvm_pit_ops;
	pit->dev.opaque = pit;
	x86_pit_reset(&pit->dev);
	return pit;
}

/*
 * KVM_CREATE_PIT2 (v2) and the legacy KVM_CREATE_PIT, which upstream
 * treats as PIT2 with KVM_PIT_SPEAKER_DUMMY.  EEXIST if there is one.  As
 * upstream 6.1 (tested): flags other than KVM_PIT_SPEAKER_DUMMY and the pad
 * are ignored, and no irqchip is needed, neither before nor after; until
 * there is one, IRQ0 goes nowhere.
 */
long okvm_vm_create_pit(struct okvm_vm *vm, void __user *argp, bool v2)
{
	struct kvm_pit_config cfg = { .flags = KVM_PIT_SPEAKER_DUMMY };
	struct okvm_pit *pit = NULL;
	long r;

	if (v2 && copy_from_user(&cfg, argp, sizeof(cfg)))
		return -EFAULT;
	mutex_lock(&vm->lock);
	r = -EEXIST;
	if (vm->arch.pit)
		goto out;
	r = -ENOMEM;
	pit = okvm_pit_alloc(vm, cfg.flags);
	if (!pit)
		goto out;
	r = okvm_pit_register(vm, pit);
	if (r) {
		/* A vCPU may have armed it through the ports meanwhile. */
		hrtimer_cancel(&pit->timer);
		goto out;
	}
	smp_store_release(&vm->arch.pit, pit);
	pit = NULL;
out:
	mutex_unlock(&vm->lock);
	kfree(pit);
	return r;
}

/* VM teardown, before the irqchip goes: no vCPU, no ioctl is left. */
void okvm_pit_destroy(struct okvm_vm *vm)
{
	struct okvm_pit *pit = vm->arch.pit;

	if (!pit)
		return;
	hrtimer_cancel(&pit->timer);
	vm->arch.pit = NULL;
	kfree(pit);
}

/* --- State ioctls --------------------------------------------------------- */

static struct okvm_pit *okvm_vm_pit(struct okvm_vm *vm)
{
	return smp_load_acquire(&vm->arch.pit);
}

/* KVM_GET_PIT2 (v2) and KVM_GET_PIT (channels only). */
long okvm_vm_get_pit(struct okvm_vm *vm, void __user *argp, bool v2)
{
	size_t size = v2 ? sizeof(struct kvm_pit_state2) :
			   sizeof(struct kvm_pit_state);
	struct okvm_pit *pit = okvm_vm_pit(vm);
	struct kvm_pit_state2 s = {};
	unsigned long flags;

	/* Upstream reads KVM_GET_PIT's argument first (EFAULT first). */
	if (!v2 && copy_from_user(&s, argp, size))
		return -EFAULT;
	if (!pit)
		return -ENXIO;
	spin_lock_irqsave(&pit->lock, flags);
	x86_pit_state_save(&pit->dev);
	memcpy(s.channels, pit->dev.ch, sizeof(s.channels));
	s.flags = pit->dev.flags;
	spin_unlock_irqrestore(&pit->lock, flags);
	memset(s.reserved, 0, sizeof(s.reserved));
	if (copy_to_user(argp, &s, size))
		return -EFAULT;
	return 0;
}

/* KVM_SET_PIT2 (v2) and KVM_SET_PIT (channels only, flags kept). */
long okvm_vm_set_pit(struct okvm_vm *vm, void __user *argp, bool v2)
{
	size_t size = v2 ? sizeof(struct kvm_pit_state2) :
			   sizeof(struct kvm_pit_state);
	struct okvm_pit *pit = okvm_vm_pit(vm);
	struct kvm_pit_state2 s;
	unsigned long flags;

	if (copy_from_user(&s, argp, size))
		return -EFAULT;
	if (!pit)
		return -ENXIO;
	spin_lock_irqsave(&pit->lock, flags);
	memcpy(pit->dev.ch, s.channels, sizeof(s.channels));
	if (v2)
		pit->dev.flags = s.flags;
	/* Sanitises any garbage and re-arms or cancels channel 0. */
	x86_pit_state_loaded(&pit->dev);
	spin_unlock_irqrestore(&pit->lock, flags);
	return 0;
}

/* KVM_REINJECT_CONTROL: ENXIO without a PIT; reserved bytes ignored. */
long okvm_vm_reinject_control(struct okvm_vm *vm, void __user *argp)
{
	struct kvm_reinject_control c;
	struct okvm_pit *pit;
	int on;

	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	pit = okvm_vm_pit(vm);
	if (!pit)
		return -ENXIO;
	on = !!c.pit_reinject;
	if (atomic_xchg(&pit->reinject, on) != on) {
		atomic_set(&pit->pending, 0);
		atomic_set(&pit->irq_ack, 1);
	}
	return 0;
}
