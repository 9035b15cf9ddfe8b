// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel side of the in-kernel LAPIC: one per vCPU when the VM has an
 * in-kernel irqchip.  The register logic is dev/lapic.c; here are its lock,
 * its host timer (an hrtimer in hard-IRQ mode), the xAPIC MMIO page and the
 * x2APIC MSRs, message delivery between LAPICs, INIT/SIPI and the MP state,
 * and KVM_GET/SET_LAPIC.
 */
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "irqchip.h"
#include "vendor.h"
#include "run_hooks.h"
#include "trace_x86.h"

/* Upstream's floor for a periodic LAPIC timer. */
#define OKVM_LAPIC_MIN_PERIOD_NS	200000ULL

static struct okvm_lapic *to_okvm_lapic(struct x86_lapic *l)
{
	return container_of(l, struct okvm_lapic, dev);
}

/* --- The device's callbacks: record, act later ---------------------- */

static u64 okvm_lapic_now(struct x86_lapic *l)
{
	return ktime_get_ns();
}

static u64 okvm_lapic_guest_tsc(struct x86_lapic *l)
{
	return rdtsc() + to_okvm_lapic(l)->vcpu->arch.tsc_offset;
}

static void okvm_lapic_timer_arm(struct x86_lapic *l, u64 expire_ns)
{
	struct okvm_lapic *apic = to_okvm_lapic(l);

	if (apic->in_callback) {
		apic->rearm = true;
		apic->rearm_ns = expire_ns;
		return;
	}
	hrtimer_start(&apic->timer, ns_to_ktime(expire_ns),
		      HRTIMER_MODE_ABS_HARD);
}

/* Never waits for a running callback: it takes our lock, and checks. */
static void okvm_lapic_timer_cancel(struct x86_lapic *l)
{
	struct okvm_lapic *apic = to_okvm_lapic(l);

	if (apic->in_callback)
		apic->rearm = false;
	else
		hrtimer_try_to_cancel(&apic->timer);
}

static void okvm_lapic_send_ipi(struct x86_lapic *l,
				const struct x86_apic_msg *m)
{
	struct okvm_lapic *apic = to_okvm_lapic(l);

	/* kvm_apic_ipi takes the ICR's low word: rebuild it from @m. */
	trace_kvm_apic_ipi(m->vector | m->delivery_mode << 8 |
			   m->dest_logical << 11 | m->assert << 14 |
			   m->level_trig << 15 | m->shorthand << 18, m->dest);
	apic->ipi = *m;
	apic->ipi_queued = true;
}

/* Does the IOAPIC (or, split, the VMM) hear of the EOI of @vector? */
static bool okvm_lapic_eoi_heard(struct x86_lapic *l, u8 vector, bool level)
{
	struct okvm_vm *vm = to_okvm_lapic(l)->vcpu->vm;

	if (okvm_irqchip_split(vm))
		return okvm_split_eoi_wanted(vm, l, vector);
	return okvm_ioapic_wants_eoi(vm, vector, level);
}

static void okvm_lapic_eoi(struct x86_lapic *l, u8 vector, bool level)
{
	struct okvm_lapic *apic = to_okvm_lapic(l);

	if (!okvm_lapic_eoi_heard(l, vector, level))
		return;
	if (okvm_irqchip_split(apic->vcpu->vm)) {
		apic->user_eoi = vector;
	} else {
		apic->eoi_vector = vector;
		apic->eoi_level = level;
	}
}

static const struct x86_lapic_ops okvm_lapic_ops = {
	.now_ns = okvm_lapic_now,
	.guest_tsc = okvm_lapic_guest_tsc,
	.timer_arm = okvm_lapic_timer_arm,
	.timer_cancel = okvm_lapic_timer_cancel,
	.send_ipi = okvm_lapic_send_ipi,
	.eoi = okvm_lapic_eoi,
};

static unsigned long okvm_lapic_lock(struct okvm_lapic *apic)
	__acquires(&apic->lock)
{
	unsigned long flags;

	spin_lock_irqsave(&apic->lock, flags);
	return flags;
}

/* Drop the lock, then send what the device recorded under it. */
static void okvm_lapic_unlock(struct okvm_lapic *apic, unsigned long flags)
	__releases(&apic->lock)
{
	struct x86_apic_msg ipi = apic->ipi;
	bool send = apic->ipi_queued;
	int eoi = apic->eoi_vector, user_eoi = apic->user_eoi;
	bool eoi_level = apic->eoi_level;

	apic->ipi_queued = false;
	apic->eoi_vector = -1;
	apic->user_eoi = -1;
	spin_unlock_irqrestore(&apic->lock, flags);
	if (send)
		okvm_apic_deliver(apic->vcpu->vm, apic, &ipi);
	if (eoi >= 0)
		okvm_ioapic_eoi(apic->vcpu->vm, eoi, eoi_level, apic);
	/* Only the vCPU's own EOI write records one: its thread runs here. */
	if (user_eoi >= 0) {
		apic->vcpu->arch.pending_eoi = user_eoi;
		okvm_make_request(apic->vcpu, OKVM_REQ_EOI_EXIT);
	}
}

/* --- Timer ------------------------------------------------------------ */

/*
 * The host timer fired.  The vCPU may have re-armed it meanwhile (then
 * the device's expiry is in the future and nothing happens here); a
 * re-arm by the device itself (periodic mode) restarts it with
 * hrtimer_start(), which is safe whether or not it is queued again.
 */
static enum hrtimer_restart okvm_lapic_timer_fn(struct hrtimer *t)
{
	struct okvm_lapic *apic = container_of(t, struct okvm_lapic, timer);
	unsigned long flags = okvm_lapic_lock(apic);

	apic->in_callback = true;
	apic->rearm = false;
	if (apic->dev.timer_armed &&
	    ktime_get_ns() >= apic->dev.timer_expire_ns)
		x86_lapic_timer_expired(&apic->dev);
	apic->in_callback = false;
	if (apic->rearm)
		hrtimer_start(t, ns_to_ktime(apic->rearm_ns),
			      HRTIMER_MODE_ABS_HARD);
	okvm_lapic_unlock(apic, flags);
	okvm_make_request(apic->vcpu, OKVM_REQ_EVENT);
	okvm_kick_vcpu(apic->vcpu);
	return HRTIMER_NORESTART;
}

/*
 * A timer due within lapic_timer_early_ns when its vCPU is about to enter
 * is expired at that entry, after a spin to its deadline, so the guest
 * never sees it early.  The host timer's interrupt would come once the
 * guest runs and cost an exit of its own; short one-shot timers (the
 * guest's next tick, a TSC deadline a few microseconds out) are the
 * common case.  0 expires only timers already due; the spin is at most
 * OKVM_TIMER_EARLY_MAX_NS whatever the parameter says.  A TSC deadline
 * must also have passed on the guest's TSC (its conversion to host ns is
 * rounded), else the host timer delivers it.
 */
#define OKVM_TIMER_EARLY_MAX_NS	20000u
static unsigned int lapic_timer_early_ns = 2000;
module_param(lapic_timer_early_ns, uint, 0644);
MODULE_PARM_DESC(lapic_timer_early_ns,
		 "ns before its deadline a LAPIC timer is expired at entry (max 20000)");

/* Before an entry, in the vCPU's thread (IRQs on, may spin briefly). */
void __okvm_lapic_timer_due(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	unsigned long flags;
	u64 due, now, dl;

	due = READ_ONCE(apic->dev.timer_expire_ns);
	now = ktime_get_ns();
	if (due > now && due - now > min(READ_ONCE(lapic_timer_early_ns),
					 OKVM_TIMER_EARLY_MAX_NS))
		return;
	while (now < due) {
		cpu_relax();
		now = ktime_get_ns();
	}
	flags = okvm_lapic_lock(apic);
	/* The host timer may have fired, or the guest re-armed it, since. */
	dl = x86_lapic_get_tsc_deadline(&apic->dev);
	if (apic->dev.timer_armed && now >= apic->dev.timer_expire_ns &&
	    (!dl || okvm_lapic_guest_tsc(&apic->dev) >= dl)) {
		x86_lapic_timer_expired(&apic->dev);
		/* Never waits: a running callback finds nothing to do. */
		if (!apic->dev.timer_armed)
			hrtimer_try_to_cancel(&apic->timer);
		okvm_make_request(vcpu, OKVM_REQ_EVENT);
	}
	okvm_lapic_unlock(apic, flags);
}

/* --- Lifecycle --------------------------------------------------------- */

__cold bool okvm_vcpu_is_bsp(struct okvm_vcpu *vcpu)
{
	return vcpu->vcpu_id == READ_ONCE(vcpu->vm->arch.boot_cpu_id);
}

/* KVM_CREATE_VCPU in a VM with an in-kernel irqchip. */
__cold int okvm_lapic_create(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic;

	apic = kzalloc(sizeof(*apic), GFP_KERNEL_ACCOUNT);
	if (!apic)
		return -ENOMEM;
	spin_lock_init(&apic->lock);
	apic->vcpu = vcpu;
	apic->eoi_vector = -1;
	apic->user_eoi = -1;
	hrtimer_setup(&apic->timer, okvm_lapic_timer_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_ABS_HARD);
	apic->dev.vcpu_id = vcpu->vcpu_id;
	apic->dev.bsp = okvm_vcpu_is_bsp(vcpu);
	apic->dev.tsc_khz = tsc_khz;
	apic->dev.min_period_ns = OKVM_LAPIC_MIN_PERIOD_NS;
	apic->dev.ops = &okvm_lapic_ops;
	apic->dev.opaque = apic;
	x86_lapic_reset(&apic->dev, false);
	vcpu->arch.apic_base = apic->dev.apic_base;
	if (!apic->dev.bsp) {
		apic->dev.wait_sipi = true;
		vcpu->arch.mp_state = KVM_MP_STATE_UNINITIALIZED;
	}
	vcpu->arch.lapic = apic;
	vcpu->arch.pending_extint = -1;
	okvm_lapic_update_version(vcpu);
	return 0;
}

/*
 * EOI-broadcast suppression is offered, as KVM does, when the guest has
 * x2APIC and the IOAPIC is userspace's.  At creation and KVM_SET_CPUID2.
 */
__cold void okvm_lapic_update_version(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	unsigned long flags;
	bool on;

	if (!apic)
		return;
	on = okvm_irqchip_split(vcpu->vm) && okvm_guest_has_x2apic(vcpu);
	flags = okvm_lapic_lock(apic);
	x86_lapic_set_directed_eoi(&apic->dev, on);
	okvm_lapic_unlock(apic, flags);
}

__cold void okvm_lapic_free(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;

	if (!apic)
		return;
	hrtimer_cancel(&apic->timer);
	kfree(apic);
	vcpu->arch.lapic = NULL;
}

/* --- Delivery ---------------------------------------------------------- */

static int okvm_lapic_take(struct okvm_lapic *apic,
			   const struct x86_apic_msg *m)
{
	struct okvm_vcpu *vcpu = apic->vcpu;
	int r;

	r = x86_lapic_accept(&apic->dev, m);
	while (x86_lapic_take_nmi(&apic->dev))
		atomic_inc(&vcpu->arch.nmi_queued);
	return r;
}

static void okvm_lapic_notify(struct okvm_lapic *apic)
{
	okvm_make_request(apic->vcpu, OKVM_REQ_EVENT);
	okvm_kick_vcpu(apic->vcpu);
}

/* Lowest priority: the matching LAPIC with the lowest PPR takes it. */
static int okvm_deliver_lowest(struct okvm_vm *vm, struct okvm_lapic *src,
			       const struct x86_apic_msg *m)
{
	struct okvm_lapic *best = NULL, *apic;
	struct okvm_vcpu *vcpu;
	unsigned long i, flags;
	int best_ppr = 256, ppr, r;

	okvm_for_each_vcpu(i, vcpu, vm) {
		apic = vcpu->arch.lapic;
		if (!apic)
			continue;
		spin_lock_irqsave(&apic->lock, flags);
		ppr = -1;
		if (x86_lapic_match_dest(&apic->dev, m, src ? &src->dev : NULL))
			ppr = x86_lapic_get_ppr(&apic->dev);
		spin_unlock_irqrestore(&apic->lock, flags);
		if (ppr >= 0 && ppr < best_ppr) {
			best = apic;
			best_ppr = ppr;
		}
	}
	if (!best)
		return 0;
	spin_lock_irqsave(&best->lock, flags);
	r = okvm_lapic_take(best, m);
	spin_unlock_irqrestore(&best->lock, flags);
	if (r != X86_LAPIC_DROPPED)
		okvm_lapic_notify(best);
	return r != X86_LAPIC_DROPPED;
}

/*
 * Send @m to every LAPIC it names; @src is the sender for shorthands (NULL
 * for the IOAPIC and MSIs).  Any context, no lapic->lock held.
 */
int okvm_apic_deliver(struct okvm_vm *vm, struct okvm_lapic *src,
		      const struct x86_apic_msg *m)
{
	struct okvm_lapic *apic;
	struct okvm_vcpu *vcpu;
	unsigned long i, flags;
	int n = 0, r;

	if (m->delivery_mode == X86_DM_LOWEST && m->shorthand == X86_SH_NONE)
		return okvm_deliver_lowest(vm, src, m);
	okvm_for_each_vcpu(i, vcpu, vm) {
		apic = vcpu->arch.lapic;
		if (!apic)
			continue;
		spin_lock_irqsave(&apic->lock, flags);
		r = X86_LAPIC_DROPPED;
		if (x86_lapic_match_dest(&apic->dev, m, src ? &src->dev : NULL))
			r = okvm_lapic_take(apic, m);
		spin_unlock_irqrestore(&apic->lock, flags);
		if (r == X86_LAPIC_DROPPED)
			continue;
		n++;
		okvm_lapic_notify(apic);
	}
	return n;
}

/* The PIC's output rose: wake the vCPUs whose LINT0 takes ExtINT. */
void okvm_irqchip_kick_extint(struct okvm_vm *vm)
{
	struct okvm_vcpu *vcpu;
	unsigned long i;

	smp_mb();	/* the raised output before LVT0: okvm_extint_waiting() */
	okvm_for_each_vcpu(i, vcpu, vm) {
		if (vcpu->arch.lapic && okvm_lapic_accepts_extint(vcpu)) {
			okvm_make_request(vcpu, OKVM_REQ_EVENT);
			okvm_kick_vcpu(vcpu);
		}
	}
}

/* --- Interrupt acceptance on the vCPU thread ----------------------------- */

/*
 * Does message @m name @apic (no shorthand)?  irqchip->lock may be held,
 * not this LAPIC's lock.
 */
bool okvm_lapic_named(struct okvm_lapic *apic, const struct x86_apic_msg *m)
{
	unsigned long flags;
	bool r;

	spin_lock_irqsave(&apic->lock, flags);
	r = x86_lapic_match_dest(&apic->dev, m, NULL);
	spin_unlock_irqrestore(&apic->lock, flags);
	return r;
}

/* LINT0 takes ExtINT (or the LAPIC is hardware-disabled). */
bool okvm_lapic_accepts_extint(struct okvm_vcpu *vcpu)
{
	return x86_lapic_accepts_extint(&vcpu->arch.lapic->dev);
}

/*
 * An ExtINT waits: the PIC's output is up, or (split) KVM_INTERRUPT's.
 * The caller found that the LAPIC takes ExtINT; the barrier orders that
 * (this thread may just have written LVT0) before the read of the output,
 * against okvm_irqchip_kick_extint()'s raise-then-read-LVT0: one of the
 * two sees the other's store.
 */
static bool okvm_extint_waiting(struct okvm_vcpu *vcpu)
{
	struct okvm_irqchip *chip = vcpu->vm->arch.irqchip;

	if (chip->split)
		return vcpu->arch.pending_extint >= 0;
	smp_mb();
	return READ_ONCE(chip->pic.output);
}

/* This LAPIC takes ExtINT and one waits; unlocked, as below. */
static bool okvm_extint_pending(struct okvm_vcpu *vcpu)
{
	return okvm_lapic_accepts_extint(vcpu) && okvm_extint_waiting(vcpu);
}

/*
 * Nothing in IRR and no ExtINT waiting that the LAPIC would take: what
 * most exits find, answered without the locks.  IRR and the PIC's output
 * are read unlocked: whoever sets a bit in IRR (okvm_apic_deliver(), the
 * timer callback) or raises the output (okvm_irqchip_kick_extint()'s
 * callers) then makes OKVM_REQ_EVENT and kicks, so what this read misses
 * stops the entry (okvm_entry_blocked()) and the next pass sees it.
 */
bool okvm_irqchip_quiet(struct okvm_vcpu *vcpu)
{
	return x86_lapic_highest(&vcpu->arch.lapic->dev, LAPIC_IRR) < 0 &&
	       !okvm_extint_pending(vcpu);
}

/*
 * Take the ExtINT if one waits: a PIC INTA under irqchip->lock, or (split)
 * KVM_INTERRUPT's vector.  True with *@vector set.
 */
static bool okvm_extint_ack(struct okvm_vcpu *vcpu, int *vector)
{
	struct okvm_irqchip *chip = vcpu->vm->arch.irqchip;
	unsigned long flags;
	bool out;

	if (!okvm_extint_pending(vcpu))
		return false;
	if (chip->split) {
		*vector = vcpu->arch.pending_extint;
		vcpu->arch.pending_extint = -1;
		return true;
	}
	spin_lock_irqsave(&chip->lock, flags);
	out = x86_pic_output(&chip->pic);
	if (out)
		*vector = x86_pic_intack(&chip->pic);
	okvm_irqchip_unlock(chip, flags);
	return out;
}

/*
 * On the vCPU's thread (vcpu->mutex held), without the LAPIC's lock: of
 * what x86_lapic_pending_vector() reads, only IRR changes elsewhere, and
 * a bit set there after this read comes with OKVM_REQ_EVENT and a kick,
 * as for okvm_irqchip_quiet().  ISR, TPR and SVR change on this thread.
 */
bool okvm_irqchip_has_interrupt(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;

	lockdep_assert_held(&vcpu->mutex);
	if (!apic || okvm_irqchip_quiet(vcpu))
		return false;
	return x86_lapic_pending_vector(&apic->dev) >= 0 ||
	       okvm_extint_pending(vcpu);
}

/*
 * The vector the guest takes now, or -1: the ExtINT first (a PIC INTA, or
 * KVM_INTERRUPT's with the split irqchip), as KVM, then IRR -> ISR.
 */
int okvm_irqchip_ack_interrupt(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	unsigned long flags;
	int v;

	if (okvm_extint_ack(vcpu, &v))
		return v;
	flags = okvm_lapic_lock(apic);
	v = x86_lapic_pending_vector(&apic->dev);
	if (v >= 0)
		x86_lapic_ack(&apic->dev, v);
	okvm_lapic_unlock(apic, flags);
	return v;
}

/*
 * The vector the CPU may deliver by itself once the guest sets IF
 * (events.c, okvm_arm_virq()), or -1.  Not while an ExtINT waits: the
 * PIC is acked when the guest takes its vector, which a virtual interrupt
 * would only tell after the fact.  Not with a VAPIC page either: the
 * guest changes its TPR there without an exit.  Unlocked, as above.
 */
int okvm_lapic_virq_vector(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;

	lockdep_assert_held(&vcpu->mutex);
	if (!apic || apic->vapic_addr || okvm_extint_pending(vcpu))
		return -1;
	return x86_lapic_pending_vector(&apic->dev);
}

/*
 * The CPU holds @vector for the guest until the next exit, which tells
 * whether it was taken (x86_lapic_lend()): under the lock, so that a
 * sender on another CPU finds the vector lent.
 */
void okvm_lapic_lend(struct okvm_vcpu *vcpu, u8 vector)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	unsigned long flags;

	flags = okvm_lapic_lock(apic);
	x86_lapic_lend(&apic->dev, vector);
	okvm_lapic_unlock(apic, flags);
}

/* The exit told: the vector if the guest took it, else -1. */
int okvm_lapic_lend_end(struct okvm_vcpu *vcpu, bool taken)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	unsigned long flags;
	int v;

	flags = okvm_lapic_lock(apic);
	v = x86_lapic_lend_end(&apic->dev, taken);
	okvm_lapic_unlock(apic, flags);
	return v;
}

/*
 * PV EOI (pv_eoi.c): would the guest's next EOI do nothing but retire the
 * vector in service?  Yes when one is in service (or lent to the CPU,
 * which may deliver it without an exit), nothing else waits in IRR (an
 * EOI would have to deliver it) and no one hears of its EOI.
 */
bool okvm_lapic_eoi_is_silent(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	unsigned long flags;
	bool silent = false;
	int v;
	u32 tmr;

	/* Only this vCPU's thread changes ISR and lends: look unlocked. */
	if (x86_lapic_highest(&apic->dev, LAPIC_ISR) < 0 && !apic->dev.lent)
		return false;
	flags = okvm_lapic_lock(apic);
	v = x86_lapic_next_eoi_alone(&apic->dev);
	if (v >= 0) {
		memcpy(&tmr, &apic->dev.regs[LAPIC_TMR + 16 * (v / 32)],
		       sizeof(tmr));
		silent = !okvm_lapic_eoi_heard(&apic->dev, v,
					       tmr & BIT(v % 32));
	}
	okvm_lapic_unlock(apic, flags);
	return silent;
}

/* The guest's EOI, given another way than through the register. */
void okvm_lapic_guest_eoi(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	unsigned long flags;

	flags = okvm_lapic_lock(apic);
	x86_lapic_eoi(&apic->dev);
	okvm_lapic_unlock(apic, flags);
}

/*
 * The priority class (1-15) of the best IRR vector that only the TPR holds
 * back, or 0: the guest lowering CR8 below it must cause an exit.  (One
 * held back by an interrupt in service waits for the EOI, which exits.)
 */
int okvm_lapic_blocked_priority(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	int irr;

	/* Unlocked, as okvm_irqchip_has_interrupt(). */
	lockdep_assert_held(&vcpu->mutex);
	if (!apic || !x86_lapic_sw_enabled(&apic->dev))
		return 0;
	irr = x86_lapic_highest(&apic->dev, LAPIC_IRR);
	if (irr < 16 || x86_lapic_pending_vector(&apic->dev) >= 0 ||
	    (irr >> 4) > (x86_lapic_get_tpr(&apic->dev) >> 4))
		return 0;
	return irr >> 4;
}

/* CR8 and the LAPIC's TPR are one register: the vendor keeps a copy. */
void okvm_lapic_tpr_to_vendor(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;

	if (apic)
		okvm_vendor->set_tpr(vcpu, x86_lapic_get_tpr(&apic->dev) >> 4);
}

/* TPR = CR8 << 4, its low bits cleared. */
static void okvm_lapic_set_cr8(struct okvm_lapic *apic, u8 cr8)
{
	unsigned long flags;

	flags = okvm_lapic_lock(apic);
	x86_lapic_set_tpr(&apic->dev, cr8 << 4);
	okvm_lapic_unlock(apic, flags);
}

/* MOV to CR8 (cr.c): the vendor's copy and the LAPIC's TPR. */
void okvm_lapic_write_cr8(struct okvm_vcpu *vcpu, u8 cr8)
{
	okvm_vendor->set_tpr(vcpu, cr8);
	if (vcpu->arch.lapic)
		okvm_lapic_set_cr8(vcpu->arch.lapic, cr8);
}

void okvm_lapic_tpr_from_vendor(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	u8 cr8;

	if (!apic)
		return;
	cr8 = okvm_vendor->get_tpr(vcpu);
	if (cr8 != x86_lapic_get_tpr(&apic->dev) >> 4)
		okvm_lapic_set_cr8(apic, cr8);
}

/* --- INIT and SIPI ---------------------------------------------------- */

u8 okvm_lapic_sipi_vector(struct okvm_vcpu *vcpu)
{
	return vcpu->arch.lapic ? vcpu->arch.lapic->dev.sipi_vector : 0;
}

__cold void okvm_lapic_set_sipi_vector(struct okvm_vcpu *vcpu, u8 vector)
{
	if (vcpu->arch.lapic)
		vcpu->arch.lapic->dev.sipi_vector = vector;
}

/* Start at vector:0000 in real mode, as a SIPI does. */
static __cold void okvm_vcpu_sipi(struct okvm_vcpu *vcpu, u8 vector)
{
	struct kvm_segment cs;

	okvm_vendor->get_segment(vcpu, &cs, OKVM_SEG_CS);
	cs.selector = vector << 8;
	cs.base = (u64)vector << 12;
	okvm_vendor->set_segment(vcpu, &cs, OKVM_SEG_CS);
	vcpu->arch.rip = 0;
	vcpu->arch.mp_state = KVM_MP_STATE_RUNNABLE;
}

/* INIT and SIPI the LAPIC accepted take effect on the vCPU's thread. */
void __okvm_lapic_accept_events(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	unsigned long flags;
	bool init;
	int sipi;

	flags = okvm_lapic_lock(apic);
	init = x86_lapic_take_init(&apic->dev);
	sipi = init ? -1 : x86_lapic_take_sipi(&apic->dev);
	okvm_lapic_unlock(apic, flags);
	if (init) {
		okvm_vcpu_init_state(vcpu);
		if (okvm_vcpu_is_bsp(vcpu)) {
			vcpu->arch.mp_state = KVM_MP_STATE_RUNNABLE;
			apic->dev.wait_sipi = false;
		} else {
			vcpu->arch.mp_state = KVM_MP_STATE_INIT_RECEIVED;
		}
	} else if (sipi >= 0 &&
		   vcpu->arch.mp_state == KVM_MP_STATE_INIT_RECEIVED) {
		okvm_vcpu_sipi(vcpu, sipi);
	} else if (sipi >= 0 &&
		   vcpu->arch.mp_state == KVM_MP_STATE_UNINITIALIZED) {
		okvm_vcpu_sipi(vcpu, sipi);
	}
}

/* INIT resets the LAPIC too, keeping its base and ID. */
__cold void okvm_lapic_init_reset(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	unsigned long flags;

	if (!apic)
		return;
	flags = okvm_lapic_lock(apic);
	x86_lapic_reset(&apic->dev, true);
	okvm_lapic_unlock(apic, flags);
}

/* --- The xAPIC page and the x2APIC MSRs ---------------------------------- */

/* A guest MMIO access: true when it hit this vCPU's xAPIC page. */
bool okvm_lapic_mmio(struct okvm_vcpu *vcpu, u64 gpa, void *buf, u32 len,
		     bool write)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	unsigned long flags;
	u64 base;

	if (!apic || !x86_lapic_xapic_mmio_on(&apic->dev))
		return false;
	base = apic->dev.apic_base & PAGE_MASK & ((1ULL << 52) - 1);
	if (gpa < base || gpa + len > base + PAGE_SIZE)
		return false;
	flags = okvm_lapic_lock(apic);
	if (write)
		x86_lapic_mmio_write(&apic->dev, gpa - base, buf, len);
	else
		x86_lapic_mmio_read(&apic->dev, gpa - base, buf, len);
	okvm_lapic_unlock(apic, flags);
	if (trace_kvm_apic_enabled()) {
		u32 val = 0;

		memcpy(&val, buf, min_t(u32, len, sizeof(val)));
		trace_kvm_apic(write, gpa - base, val);
	}
	return true;
}

/* kvm_apic for an x2APIC MSR: reg is its xAPIC offset, as upstream. */
static void okvm_trace_x2apic(u32 index, bool write, u64 val)
{
	if (index >= X2APIC_MSR_BASE && index <= X2APIC_MSR_LAST)
		trace_kvm_apic(write, (index - X2APIC_MSR_BASE) << 4, val);
}

/* x2APIC MSRs, IA32_TSC_DEADLINE: 0, 1 for #GP, -1 not the LAPIC's. */
int okvm_lapic_get_msr(struct okvm_vcpu *vcpu, u32 index, u64 *data)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	unsigned long flags;
	int r = 0;

	if (!apic)
		return -1;
	if (index != MSR_IA32_TSC_DEADLINE &&
	    (index < X2APIC_MSR_BASE || index > X2APIC_MSR_LAST))
		return -1;
	flags = okvm_lapic_lock(apic);
	if (index == MSR_IA32_TSC_DEADLINE)
		*data = x86_lapic_get_tsc_deadline(&apic->dev);
	else
		r = x86_lapic_msr_read(&apic->dev, index, data);
	okvm_lapic_unlock(apic, flags);
	if (!r)
		okvm_trace_x2apic(index, false, *data);
	return r;
}

int okvm_lapic_set_msr(struct okvm_vcpu *vcpu, u32 index, u64 data,
		       bool host)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	unsigned long flags;
	int r = 0;

	if (!apic)
		return -1;
	if (index != MSR_IA32_TSC_DEADLINE && index != MSR_IA32_APICBASE &&
	    (index < X2APIC_MSR_BASE || index > X2APIC_MSR_LAST))
		return -1;
	flags = okvm_lapic_lock(apic);
	if (index == MSR_IA32_TSC_DEADLINE) {
		x86_lapic_set_tsc_deadline(&apic->dev, data);
	} else if (index == MSR_IA32_APICBASE) {
		r = x86_lapic_set_base(&apic->dev, data, host);
		vcpu->arch.apic_base = apic->dev.apic_base;
	} else {
		r = x86_lapic_msr_write(&apic->dev, index, data);
	}
	okvm_lapic_unlock(apic, flags);
	if (!r)
		okvm_trace_x2apic(index, true, data);
	return r;
}

/* --- KVM_GET/SET_LAPIC ---------------------------------------------------- */

#define OKVM_APIC_ID(regs)	(*(u32 *)&(regs)[LAPIC_ID])

/*
 * In x2APIC mode the ID register holds the 32-bit x2APIC ID; userspace
 * sees it in the xAPIC place (bits 31:24) unless it enabled
 * KVM_X2APIC_API_USE_32BIT_IDS.
 */
static __cold int okvm_lapic_id_fixup(struct okvm_vcpu *vcpu,
			       struct kvm_lapic_state *s, bool set)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	u32 *id = (u32 *)&s->regs[LAPIC_ID];

	if (!x86_lapic_x2apic_mode(&apic->dev))
		return 0;
	if (vcpu->vm->arch.x2apic_32bit_ids)
		return set && *id != vcpu->vcpu_id ? -EINVAL : 0;
	if (set)
		*id >>= 24;
	else
		*id <<= 24;
	return 0;
}

__cold long okvm_ioctl_get_lapic(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	struct kvm_lapic_state *s;
	unsigned long flags;
	long r;

	if (!apic)
		return -EINVAL;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	flags = okvm_lapic_lock(apic);
	x86_lapic_state_save(&apic->dev);
	memcpy(s->regs, apic->dev.regs, sizeof(s->regs));
	okvm_lapic_unlock(apic, flags);
	okvm_lapic_id_fixup(vcpu, s, false);
	r = copy_to_user(argp, s, sizeof(*s)) ? -EFAULT : 0;
	kfree(s);
	return r;
}

__cold long okvm_ioctl_set_lapic(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	struct kvm_lapic_state *s;
	unsigned long flags;
	long r;

	if (!apic)
		return -EINVAL;
	s = memdup_user(argp, sizeof(*s));
	if (IS_ERR(s))
		return PTR_ERR(s);
	r = okvm_lapic_id_fixup(vcpu, s, true);
	if (!r) {
		flags = okvm_lapic_lock(apic);
		memcpy(apic->dev.regs, s->regs, sizeof(s->regs));
		x86_lapic_state_loaded(&apic->dev);
		okvm_lapic_unlock(apic, flags);
		okvm_make_request(vcpu, OKVM_REQ_EVENT);
	}
	kfree(s);
	return r;
}

/* --- KVM_GET/SET_MP_STATE ------------------------------------------------- */

__cold long okvm_ioctl_get_mp_state(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_mp_state mp;

	okvm_lapic_accept_events(vcpu);
	mp.mp_state = vcpu->arch.mp_state;
	return copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
}

/*
 * Without an in-kernel LAPIC only RUNNABLE exists.  SIPI_RECEIVED is kept
 * as INIT_RECEIVED with the SIPI pending (its vector from
 * KVM_SET_VCPU_EVENTS), as KVM does.
 */
__cold long okvm_ioctl_set_mp_state(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	struct kvm_mp_state mp;
	unsigned long flags;

	if (copy_from_user(&mp, argp, sizeof(mp)))
		return -EFAULT;
	if (!apic)
		return mp.mp_state == KVM_MP_STATE_RUNNABLE ? 0 : -EINVAL;
	if (mp.mp_state > KVM_MP_STATE_SIPI_RECEIVED)
		return -EINVAL;
	flags = okvm_lapic_lock(apic);
	apic->dev.wait_sipi = mp.mp_state == KVM_MP_STATE_UNINITIALIZED ||
			      mp.mp_state == KVM_MP_STATE_INIT_RECEIVED ||
			      mp.mp_state == KVM_MP_STATE_SIPI_RECEIVED;
	apic->dev.sipi_pending = mp.mp_state == KVM_MP_STATE_SIPI_RECEIVED;
	okvm_lapic_unlock(apic, flags);
	if (mp.mp_state == KVM_MP_STATE_SIPI_RECEIVED)
		mp.mp_state = KVM_MP_STATE_INIT_RECEIVED;
	vcpu->arch.mp_state = mp.mp_state;
	okvm_make_request(vcpu, OKVM_REQ_EVENT);
	return 0;
}

/* --- KVM_SET_VAPIC_ADDR ------------------------------------------------ */

/*
 * The VMM's TPR-patching helper (QEMU's kvmvapic) reads the guest's TPR,
 * the highest in-service and the highest requested vector from a u32 in
 * guest memory, and writes the TPR there: kept up to date around each
 * entry while an address is set.
 */
__cold long okvm_ioctl_set_vapic_addr(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_vapic_addr va;

	if (copy_from_user(&va, argp, sizeof(va)))
		return -EFAULT;
	if (!vcpu->arch.lapic)
		return -EINVAL;
	vcpu->arch.lapic->vapic_addr = va.vapic_addr;
	return 0;
}

/* Before an entry; may sleep (guest memory). */
void __okvm_lapic_sync_to_vapic(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	unsigned long flags;
	u32 data;

	flags = okvm_lapic_lock(apic);
	data = x86_lapic_get_tpr(&apic->dev) |
	       (max(x86_lapic_highest(&apic->dev, LAPIC_ISR), 0) & 0xf0) << 8 |
	       max(x86_lapic_highest(&apic->dev, LAPIC_IRR), 0) << 24;
	okvm_lapic_unlock(apic, flags);
	okvm_write_guest(vcpu->vm, apic->vapic_addr, &data, sizeof(data));
}

/* After an exit: the TPR the guest may have written there. */
void __okvm_lapic_sync_from_vapic(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;
	unsigned long flags;
	u32 data;

	if (okvm_read_guest(vcpu->vm, apic->vapic_addr, &data, sizeof(data)))
		return;
	flags = okvm_lapic_lock(apic);
	x86_lapic_set_tpr(&apic->dev, data & 0xff);
	okvm_lapic_unlock(apic, flags);
}
