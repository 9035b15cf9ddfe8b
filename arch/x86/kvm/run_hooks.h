/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hooks the run loop (x86.c) calls at every entry and exit, as inline
 * gates: each tests, in the vCPU's own state, whether its feature has
 * anything to do, and calls the file that owns the feature only then.
 * Most exits need none of them, and the calls are not free: in the nested
 * bench machine, gating them took 1.6 us off an ioeventfd round trip of
 * 20.8 (Documentation/bench.md, "The exit path's calls").  The functions
 * behind the gates (__okvm_*) keep their contracts: the vCPU's thread,
 * vcpu->mutex held, may sleep unless said otherwise.
 */
#ifndef OKVM_X86_RUN_HOOKS_H
#define OKVM_X86_RUN_HOOKS_H

#include <linux/sched.h>
#include <asm/kvm_para.h>

#include "irqchip.h"

/* debug.c */
static inline bool okvm_single_stepping(struct okvm_vcpu *vcpu)
{
	return vcpu->arch.guest_debug & KVM_GUESTDBG_SINGLESTEP;
}

/* Interrupts and NMIs wait while the VMM steps with BLOCKIRQ. */
static inline bool okvm_debug_blocks_irqs(struct okvm_vcpu *vcpu)
{
	return vcpu->arch.guest_debug & KVM_GUESTDBG_BLOCKIRQ;
}

int __okvm_debug_entry(struct okvm_vcpu *vcpu);

/* Before an entry: 1 go on, 0 the last step exits to the VMM first. */
static inline int okvm_debug_entry(struct okvm_vcpu *vcpu)
{
	if (likely(!vcpu->arch.debug_step_done && !okvm_single_stepping(vcpu)))
		return 1;
	return __okvm_debug_entry(vcpu);
}

/* After the exit: take our TF back off. */
static inline void okvm_debug_exit(struct okvm_vcpu *vcpu)
{
	if (unlikely(vcpu->arch.debug_tf)) {
		vcpu->arch.rflags &= ~X86_EFLAGS_TF;
		vcpu->arch.debug_tf = false;
	}
}

void __okvm_debug_retired(struct okvm_vcpu *vcpu);

/* okvm retired an instruction itself: a step, or the guest's TF, traps. */
static inline void okvm_debug_retired(struct okvm_vcpu *vcpu)
{
	if (unlikely(okvm_single_stepping(vcpu) ||
		     (vcpu->arch.rflags & X86_EFLAGS_TF)))
		__okvm_debug_retired(vcpu);
}

/* kvmclock.c: refresh the pvclock when OKVM_REQ_CLOCK_UPDATE is set. */
void __okvm_kvmclock_update(struct okvm_vcpu *vcpu);

static inline void okvm_kvmclock_update(struct okvm_vcpu *vcpu)
{
	if (okvm_check_request(vcpu, OKVM_REQ_CLOCK_UPDATE))
		__okvm_kvmclock_update(vcpu);
}

/* steal_time.c.  The vCPU task's total wait on run queues, in ns. */
static inline u64 okvm_run_delay(void)
{
#ifdef CONFIG_SCHED_INFO
	return current->sched_info.run_delay;
#else
	return 0;
#endif
}

void __okvm_steal_time_update(struct okvm_vcpu *vcpu, u64 delay);

/* Before each entry: the guest's record, when the run delay grew. */
static inline void okvm_steal_time_update(struct okvm_vcpu *vcpu)
{
	struct okvm_steal_time *st = &vcpu->arch.st;
	u64 delay;

	if (!(st->msr & KVM_MSR_ENABLED))
		return;
	delay = okvm_run_delay();
	if (st->pending || delay != st->last_run_delay)
		__okvm_steal_time_update(vcpu, delay);
}

void __okvm_preempt_account(struct okvm_vcpu *vcpu, unsigned long nivcsw);

/* At each entry: count the thread's new involuntary switches. */
static inline void okvm_preempt_account(struct okvm_vcpu *vcpu)
{
	unsigned long n = current->nivcsw;

	if (n != vcpu->arch.nivcsw)
		__okvm_preempt_account(vcpu, n);
}

/* pv_eoi.c: offer before an entry, check after an exit. */
void __okvm_pv_eoi_offer(struct okvm_vcpu *vcpu);
void __okvm_pv_eoi_check(struct okvm_vcpu *vcpu);

static inline void okvm_pv_eoi_offer(struct okvm_vcpu *vcpu)
{
	if ((vcpu->arch.pv_eoi.msr & KVM_MSR_ENABLED) && vcpu->arch.lapic)
		__okvm_pv_eoi_offer(vcpu);
}

static inline void okvm_pv_eoi_check(struct okvm_vcpu *vcpu)
{
	if (vcpu->arch.pv_eoi.pending)
		__okvm_pv_eoi_check(vcpu);
}

/* mmu/audit.c: the kvm.mmu_audit_ms parameter, 0 when off. */
extern unsigned int okvm_mmu_audit_ms;
void __okvm_mmu_audit(struct okvm_vcpu *vcpu);

static inline void okvm_mmu_audit(struct okvm_vcpu *vcpu)
{
	if (unlikely(READ_ONCE(okvm_mmu_audit_ms)))
		__okvm_mmu_audit(vcpu);
}

/*
 * events.c.  Userspace's interrupt controller asked for an interrupt
 * window: with the PIC in the kernel it has none to ask for.
 */
static inline bool okvm_user_wants_window(struct okvm_vcpu *vcpu)
{
	return !okvm_pic_in_kernel(vcpu->vm) &&
	       vcpu->run->request_interrupt_window;
}

void __okvm_complete_injection(struct okvm_vcpu *vcpu);

/* After an exit: settle the event the entry injected, if any. */
static inline void okvm_complete_injection(struct okvm_vcpu *vcpu)
{
	if (vcpu->arch.injecting || vcpu->arch.event.pending ||
	    vcpu->arch.virq_armed)
		__okvm_complete_injection(vcpu);
}

/*
 * lapic_host.c.  An INIT or SIPI the LAPIC accepted and the vCPU has not
 * taken; any context (a sender sets it under lapic->lock, then kicks).
 */
static inline bool okvm_lapic_has_init_sipi(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;

	return apic && (READ_ONCE(apic->dev.init_pending) ||
			READ_ONCE(apic->dev.sipi_pending));
}

void __okvm_lapic_accept_events(struct okvm_vcpu *vcpu);

static inline void okvm_lapic_accept_events(struct okvm_vcpu *vcpu)
{
	if (okvm_lapic_has_init_sipi(vcpu))
		__okvm_lapic_accept_events(vcpu);
}

void __okvm_lapic_timer_due(struct okvm_vcpu *vcpu);

/* Before an entry: a LAPIC timer about to expire expires now. */
static inline void okvm_lapic_timer_due(struct okvm_vcpu *vcpu)
{
	struct okvm_lapic *apic = vcpu->arch.lapic;

	if (apic && READ_ONCE(apic->dev.timer_armed))
		__okvm_lapic_timer_due(vcpu);
}

/* KVM_SET_VAPIC_ADDR's page: written before an entry, read after. */
void __okvm_lapic_sync_to_vapic(struct okvm_vcpu *vcpu);
void __okvm_lapic_sync_from_vapic(struct okvm_vcpu *vcpu);

static inline void okvm_lapic_sync_to_vapic(struct okvm_vcpu *vcpu)
{
	if (vcpu->arch.lapic && vcpu->arch.lapic->vapic_addr)
		__okvm_lapic_sync_to_vapic(vcpu);
}

static inline void okvm_lapic_sync_from_vapic(struct okvm_vcpu *vcpu)
{
	if (vcpu->arch.lapic && vcpu->arch.lapic->vapic_addr)
		__okvm_lapic_sync_from_vapic(vcpu);
}

#endif /* OKVM_X86_RUN_HOOKS_H */
