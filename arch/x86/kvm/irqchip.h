/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The in-kernel interrupt controllers as the rest of x86 sees them: the
 * per-vCPU LAPIC (lapic_host.c), the VM's PIC pair and IOAPIC (irqchip.c)
 * and the PIT (pit_host.c).  The register logic of each device is the
 * freestanding model in dev/; these files add the locks, host timers,
 * ioctls and the wiring between devices.
 *
 * Locks (Documentation/locking.md): irqchip->lock (PIC, IOAPIC, line
 * levels) is taken before any lapic->lock, never after; both are spinlocks
 * taken with IRQs saved, because host timer callbacks (hard IRQ) take them.
 * A LAPIC's outgoing IPIs and level EOIs are delivered after its lock is
 * dropped.  pit->lock is a leaf as well: the PIT raises IRQ0 after dropping
 * it, and the PIC's acknowledgement of IRQ0 (under irqchip->lock) touches
 * only the PIT's atomics.
 */
#ifndef OKVM_IRQCHIP_H
#define OKVM_IRQCHIP_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>

#include "kvm_core.h"
#include "dev/apic_msg.h"
#include "dev/lapic.h"
#include "dev/pic.h"
#include "dev/ioapic.h"
#include "dev/pit.h"

struct okvm_lapic {
	spinlock_t lock;		/* dev and the deferred work below */
	struct x86_lapic dev;
	struct okvm_vcpu *vcpu;
	struct hrtimer timer;
	bool in_callback;		/* the timer callback runs dev code */
	bool rearm;			/* ...and the device re-armed it */
	u64 rearm_ns;
	/* Recorded by the device under the lock, done after it: */
	struct x86_apic_msg ipi;
	bool ipi_queued;
	int eoi_vector;			/* EOI for the IOAPIC, or -1 */
	bool eoi_level;			/* ...of a level-triggered vector */
	int user_eoi;			/* split: EOI for userspace, or -1 */
	u64 vapic_addr;			/* KVM_SET_VAPIC_ADDR, 0: none */
};

/* Interrupt sources whose levels are ORed on each pin. */
enum okvm_irq_source {
	OKVM_IRQ_SRC_USER,		/* KVM_IRQ_LINE */
	OKVM_IRQ_SRC_PIT,
	OKVM_IRQ_SRC_RESAMPLE,		/* resample irqfds (level) */
	OKVM_IRQ_NR_SOURCES,
};

/* One GSI route (irq_routing.c): an irqchip pin or an MSI. */
struct okvm_irq_route {
	u32 gsi;
	u32 type;			/* KVM_IRQ_ROUTING_* */
	union {
		struct {
			u32 irqchip;	/* KVM_IRQCHIP_* */
			u32 pin;
		} chip;
		struct {
			u32 lo, hi, data;
		} msi;
	};
};

struct okvm_irq_routes;

/*
 * The VM's interrupt controllers.  With KVM_CAP_SPLIT_IRQCHIP (@split) only
 * the LAPICs are in the kernel: the PIC and IOAPIC here stay in their reset
 * state, off the buses, and the routes are MSIs only; the GSIs below
 * @nr_ioapic_pins are the userspace IOAPIC's pins, whose level-triggered
 * EOIs exit to userspace (KVM_EXIT_IOAPIC_EOI).
 */
struct okvm_irqchip {
	spinlock_t lock;		/* pic, ioapic, the levels */
	struct okvm_vm *vm;
	bool split;			/* immutable once published */
	u32 nr_ioapic_pins;		/* split: KVM_ENABLE_CAP's args[0] */
	struct x86_pic pic;
	struct x86_ioapic ioapic;
	u32 pic_levels[16];		/* bit per okvm_irq_source */
	u32 ioapic_levels[X86_IOAPIC_PINS];
	struct okvm_irq_routes __rcu *routes;	/* vm->lock, RCU readers */
	/*
	 * The IOAPIC vector whose LAPIC EOI acknowledges the PIT's last tick
	 * (an edge pin has no remote IRR to say so), or -1.  Written under
	 * lock, read locklessly by the LAPIC's EOI.
	 */
	int pit_ack_vector;
	/* Pins whose resample irqfds get signalled at okvm_irqchip_unlock(). */
	u64 acked_pins;
	struct okvm_io_dev pic_master, pic_slave, elcr, ioapic_mmio;
};

/*
 * The in-kernel 8254 (pit_host.c).  lock protects dev and the host timer's
 * schedule (armed, next_ns, period_ns); the reinjection counters are
 * atomics because the PIC's IRQ0 acknowledgement runs under irqchip->lock.
 */
struct okvm_pit {
	spinlock_t lock;
	struct x86_pit dev;
	struct okvm_vm *vm;
	struct hrtimer timer;		/* channel 0, CLOCK_MONOTONIC, hard */
	bool armed;			/* the model wants IRQ0 at next_ns */
	u64 next_ns;
	u64 period_ns;			/* 0: one-shot; else >= the floor */
	atomic_t reinject;		/* KVM_REINJECT_CONTROL, default 1 */
	atomic_t pending;		/* ticks not yet acknowledged */
	atomic_t irq_ack;		/* 1: no tick in flight */
	u32 config_flags;		/* kvm_pit_config.flags */
	struct okvm_io_dev ports, speaker;
};

/* LAPICs in the kernel (KVM_CREATE_IRQCHIP or the split irqchip). */
static inline bool okvm_irqchip_in_kernel(struct okvm_vm *vm)
{
	return smp_load_acquire(&vm->arch.irqchip) != NULL;
}

/*
 * An IOAPIC or MSI message to destination 0xff is a broadcast to x2APIC-mode
 * LAPICs too, unless userspace turned that off with
 * KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK: then the byte is an x2APIC
 * destination like any other (ID 0xff, or logical cluster 0 CPUs 0-7);
 * xAPIC-mode LAPICs still see a broadcast.
 */
static inline void okvm_apic_msg_bcast_quirk(struct okvm_vm *vm,
					     struct x86_apic_msg *m)
{
	if (READ_ONCE(vm->arch.x2apic_bcast_quirk_off))
		m->x2apic_format = true;
}

/* The PIC and IOAPIC in the kernel too (KVM_CREATE_IRQCHIP). */
static inline bool okvm_pic_in_kernel(struct okvm_vm *vm)
{
	struct okvm_irqchip *chip = smp_load_acquire(&vm->arch.irqchip);

	return chip && !chip->split;
}

static inline bool okvm_irqchip_split(struct okvm_vm *vm)
{
	struct okvm_irqchip *chip = smp_load_acquire(&vm->arch.irqchip);

	return chip && chip->split;
}

/* lapic_host.c: vcpu->mutex held unless said otherwise. */
int okvm_lapic_create(struct okvm_vcpu *vcpu);
void okvm_lapic_free(struct okvm_vcpu *vcpu);
bool okvm_irqchip_quiet(struct okvm_vcpu *vcpu);
bool okvm_irqchip_has_interrupt(struct okvm_vcpu *vcpu);
int okvm_irqchip_ack_interrupt(struct okvm_vcpu *vcpu);
int okvm_lapic_virq_vector(struct okvm_vcpu *vcpu);
void okvm_lapic_lend(struct okvm_vcpu *vcpu, u8 vector);
int okvm_lapic_lend_end(struct okvm_vcpu *vcpu, bool taken);
int okvm_lapic_blocked_priority(struct okvm_vcpu *vcpu);
u8 okvm_lapic_sipi_vector(struct okvm_vcpu *vcpu);
void okvm_lapic_set_sipi_vector(struct okvm_vcpu *vcpu, u8 vector);
void okvm_lapic_init_reset(struct okvm_vcpu *vcpu);
void okvm_lapic_tpr_to_vendor(struct okvm_vcpu *vcpu);
void okvm_lapic_tpr_from_vendor(struct okvm_vcpu *vcpu);
void okvm_lapic_write_cr8(struct okvm_vcpu *vcpu, u8 cr8);
bool okvm_lapic_mmio(struct okvm_vcpu *vcpu, u64 gpa, void *buf, u32 len,
		     bool write);
int okvm_lapic_get_msr(struct okvm_vcpu *vcpu, u32 index, u64 *data);
int okvm_lapic_set_msr(struct okvm_vcpu *vcpu, u32 index, u64 data,
		       bool host);
/* Any context; irqchip->lock may be held.  LAPICs that took it. */
int okvm_apic_deliver(struct okvm_vm *vm, struct okvm_lapic *src,
		      const struct x86_apic_msg *m);
void okvm_irqchip_kick_extint(struct okvm_vm *vm);
long okvm_ioctl_get_lapic(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_set_lapic(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_get_mp_state(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_set_mp_state(struct okvm_vcpu *vcpu, void __user *argp);
bool okvm_vcpu_is_bsp(struct okvm_vcpu *vcpu);
long okvm_ioctl_set_vapic_addr(struct okvm_vcpu *vcpu, void __user *argp);
bool okvm_lapic_accepts_extint(struct okvm_vcpu *vcpu);
bool okvm_lapic_named(struct okvm_lapic *apic, const struct x86_apic_msg *m);
void okvm_lapic_update_version(struct okvm_vcpu *vcpu);
/* PV EOI (pv_eoi.c); the vCPU's thread, lapic->lock not held. */
bool okvm_lapic_eoi_is_silent(struct okvm_vcpu *vcpu);
void okvm_lapic_guest_eoi(struct okvm_vcpu *vcpu);

/* irqchip.c */
bool okvm_ioapic_wants_eoi(struct okvm_vm *vm, u8 vector, bool level);
void okvm_ioapic_eoi(struct okvm_vm *vm, u8 vector, bool level,
		     struct okvm_lapic *src);
void okvm_irqchip_unlock(struct okvm_irqchip *chip, unsigned long flags)
	__releases(&chip->lock);
int okvm_irqchip_set_pin_locked(struct okvm_irqchip *chip, u32 irqchip,
				u32 pin, enum okvm_irq_source src, int level);
int okvm_irqchip_pulse_locked(struct okvm_irqchip *chip,
			      enum okvm_irq_source src, u32 gsi);
int okvm_irqchip_pulse(struct okvm_vm *vm, enum okvm_irq_source src, u32 gsi);

/* irq_routing.c */
int okvm_irqchip_set_line(struct okvm_vm *vm, enum okvm_irq_source src,
			  u32 gsi, int level);
/* What each kind of route did with a level (KVM_IRQ_LINE_STATUS values). */
struct okvm_route_status {
	int pic;			/* -1 without a PIC route */
	int ioapic;			/* -1 without an IOAPIC route */
	u32 ioapic_pin;			/* the IOAPIC route's pin */
};
int okvm_irqchip_route_locked(struct okvm_irqchip *chip,
			      enum okvm_irq_source src, u32 gsi, int level,
			      struct okvm_route_status *st);
void okvm_irqchip_pin_acked_locked(struct okvm_irqchip *chip, u32 irqchip,
				   u32 pin);
void okvm_irqchip_notify_acked(struct okvm_irqchip *chip, u64 pins);
int okvm_irq_routes_default(struct okvm_irqchip *chip);
void okvm_irq_routes_free(struct okvm_irqchip *chip);
long okvm_vm_set_gsi_routing(struct okvm_vm *vm, void __user *argp);
long okvm_vm_signal_msi(struct okvm_vm *vm, void __user *argp);
long okvm_vm_create_irqchip(struct okvm_vm *vm);
long okvm_vm_irq_line(struct okvm_vm *vm, void __user *argp, bool status);
long okvm_vm_get_irqchip(struct okvm_vm *vm, void __user *argp);
long okvm_vm_set_irqchip(struct okvm_vm *vm, void __user *argp);
long okvm_vm_set_boot_cpu_id(struct okvm_vm *vm, unsigned long id);
bool okvm_split_eoi_wanted(struct okvm_vm *vm, struct x86_lapic *l,
			   u8 vector);
void okvm_irqchip_destroy(struct okvm_vm *vm);

/* pit_host.c */
long okvm_vm_create_pit(struct okvm_vm *vm, void __user *argp, bool v2);
long okvm_vm_get_pit(struct okvm_vm *vm, void __user *argp, bool v2);
long okvm_vm_set_pit(struct okvm_vm *vm, void __user *argp, bool v2);
long okvm_vm_reinject_control(struct okvm_vm *vm, void __user *argp);
/* irqchip->lock held: the PIC ended the service of IRQ0. */
void okvm_pit_irq_acked(struct okvm_pit *pit, struct okvm_irqchip *chip);
void okvm_pit_destroy(struct okvm_vm *vm);

#endif /* OKVM_IRQCHIP_H */
