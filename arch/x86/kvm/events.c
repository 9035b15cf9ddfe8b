// SPDX-License-Identifier: GPL-2.0-only
/*
 * Events: exceptions, NMIs and external interrupts, from the in-kernel
 * irqchip (lapic_host.c) or from userspace (KVM_INTERRUPT, KVM_NMI); the
 * interrupt window; KVM_GET/SET_VCPU_EVENTS, KVM_GET/SET_DEBUGREGS and
 * KVM_SET_SIGNAL_MASK.
 *
 * Each kind of event has its slot in vcpu->arch (exception, nmi_*,
 * interrupt, irq).  One event is delivered per entry, in this order: an
 * exception (injected before pending), an NMI being delivered, an interrupt
 * being delivered, a new NMI when NMIs are not blocked, a new interrupt when
 * the guest is interruptible.  An event the exit cut off goes back to its
 * slot as "injected" and is delivered again, so an interrupt whose ISR bit
 * the LAPIC already set is never lost.  An interrupt that only waits for
 * the guest to set IF may instead be left to the CPU (a virtual
 * interrupt, SVM's V_IRQ): no window exit, and the LAPIC moves it from
 * IRR to ISR at the next exit if the guest took it.
 */
#include <linux/kvm.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "kvm_core.h"
#include "vendor.h"
#include "emulate.h"
#include "irqchip.h"
#include "mmu/walk.h"
#include "run_hooks.h"
#include "trace_x86.h"

/* The guest would take an external interrupt now. */
bool okvm_interrupt_allowed(struct okvm_vcpu *vcpu)
{
	return okvm_vendor->interrupt_allowed(vcpu);
}

/*
 * KVM_INTERRUPT has room for an interrupt, and the CPU would take it: no
 * LAPIC in the kernel, or one whose LINT0 takes ExtINT.
 */
static bool okvm_accepts_user_irq(struct okvm_vcpu *vcpu)
{
	if (!vcpu->arch.lapic)
		return !vcpu->arch.irq.pending;
	return vcpu->arch.pending_extint < 0 &&
	       okvm_lapic_accepts_extint(vcpu);
}

/*
 * What kvm_run->ready_for_interrupt_injection reports without the in-kernel
 * PIC: an interrupt from KVM_INTERRUPT would be delivered at once, with no
 * event half-delivered or exception pending in the way.
 */
bool okvm_ready_for_interrupt(struct okvm_vcpu *vcpu)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;

	return okvm_interrupt_allowed(vcpu) && okvm_accepts_user_irq(vcpu) &&
	       !a->interrupt.injected && !a->nmi_injected &&
	       !a->exception.pending && !a->exception.injected;
}

/* --- Exceptions ------------------------------------------------------ */

static bool okvm_contributory(u8 vector)
{
	return vector == X86_TRAP_DE || (vector >= X86_TRAP_TS &&
					 vector <= X86_TRAP_GP);
}

/*
 * Raise an exception at the current instruction.  A fault while another
 * exception is in delivery becomes #DF by the SDM's table; a fault while
 * #DF is in delivery shuts the vCPU down.
 */
void okvm_queue_exception(struct okvm_vcpu *vcpu, u8 vector, bool has_error,
			  u32 error)
{
	struct okvm_exception *ex = &vcpu->arch.exception;
	u8 prev = ex->vector;

	/* Real mode pushes no error code. */
	if (!(okvm_vendor->get_cr(vcpu, 0) & X86_CR0_PE))
		has_error = false;
	if (ex->pending || ex->injected) {
		if (prev == X86_TRAP_DF) {
			okvm_make_request(vcpu, OKVM_REQ_TRIPLE_FAULT);
			return;
		}
		if ((okvm_contributory(prev) && okvm_contributory(vector)) ||
		    (prev == X86_TRAP_PF && (vector == X86_TRAP_PF ||
					     okvm_contributory(vector)))) {
			vector = X86_TRAP_DF;
			has_error = true;
			error = 0;
		}
	}
	*ex = (struct okvm_exception){ .pending = true, .vector = vector,
				       .has_error = has_error, .error = error };
}

/* --- Choosing the event of the next entry ---------------------------- */

static void okvm_set_event(struct okvm_vcpu *vcpu, u8 type, u8 vector,
			   bool has_error, u32 error)
{
	vcpu->arch.event = (struct okvm_event){ .pending = true, .type = type,
		.vector = vector, .has_error = has_error, .error = error };
	vcpu->arch.injecting = type + 1;
	if (type == OKVM_EVENT_INTR)
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_IRQ_INJECTIONS);
	else if (type == OKVM_EVENT_NMI)
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_NMI_INJECTIONS);
}

/* Something already owed to the guest: 1 if it was put in the slot. */
static bool okvm_inject_owed(struct okvm_vcpu *vcpu)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;

	if (a->exception.pending || a->exception.injected) {
		trace_kvm_inj_exception(a->exception.vector,
					a->exception.has_error,
					a->exception.error,
					a->exception.injected);
		okvm_set_event(vcpu, OKVM_EVENT_EXCEPTION, a->exception.vector,
			       a->exception.has_error, a->exception.error);
		return true;
	}
	if (a->nmi_injected) {
		okvm_set_event(vcpu, OKVM_EVENT_NMI, 2, false, 0);
		return true;
	}
	if (a->interrupt.injected) {
		trace_kvm_inj_virq(a->interrupt.vector, false, true);
		okvm_set_event(vcpu, OKVM_EVENT_INTR, a->interrupt.vector,
			       false, 0);
		return true;
	}
	return false;
}

/* NMIs sent by other CPUs join the pending ones (a CPU latches two). */
static void okvm_collect_nmis(struct okvm_vcpu *vcpu)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;
	unsigned int n = atomic_xchg(&a->nmi_queued, 0);

	a->nmi_pending = min_t(unsigned int, a->nmi_pending + n,
			       a->nmi_masked || a->nmi_injected ? 1 : 2);
}

static bool okvm_inject_nmi(struct okvm_vcpu *vcpu)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;

	if (!a->nmi_pending || !okvm_vendor->nmi_allowed(vcpu))
		return false;
	a->nmi_pending--;
	a->nmi_injected = true;
	a->nmi_masked = true;
	okvm_vendor->set_nmi_mask(vcpu, true);
	okvm_set_event(vcpu, OKVM_EVENT_NMI, 2, false, 0);
	return true;
}

/*
 * QEMU's emulated SVM drops the STI/MOV SS shadow on VMRUN: the entry
 * after an exit in a shadow runs without it, so a window opens at once,
 * before the instruction in the shadow, and the next exit there (the
 * window's, or a host interrupt's) reports the shadow clear.  Delivered
 * there, an interrupt would return to a HLT in the shadow (`sti; hlt`)
 * and halt the guest until the next one.  A CPU runs that HLT first and
 * this interrupt wakes it; so an interrupt about to be delivered at the
 * RIP of the last exit in a shadow (x86.c notes it) retires a HLT found
 * there first, an early wake-up at worst.  A CPU that keeps the shadow
 * never gets here: the interrupt waits until the instruction has run.
 */
static void okvm_retire_shadowed_hlt(struct okvm_vcpu *vcpu)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;
	struct x86_fault fault;
	u64 next = a->rip + 1;
	u8 op;

	if (!a->shadow_seen || a->rip != a->shadow_rip)
		return;
	a->shadow_seen = false;
	/* A trap or single-step owed after the HLT, or a HLT that faults. */
	if ((a->rflags & X86_EFLAGS_TF) ||
	    (a->guest_debug & KVM_GUESTDBG_SINGLESTEP) ||
	    okvm_vendor->get_cpl(vcpu) ||
	    okvm_access_linear(vcpu, okvm_linear_rip(vcpu), &op, 1,
			       X86_WALK_FETCH, &fault) || op != 0xf4)
		return;
	okvm_retire_insn(vcpu, okvm_cpu_mode(vcpu) == X86_EMU_PROT64 ?
			 next : (u32)next);
}

/* A new external interrupt, from the irqchip or from KVM_INTERRUPT. */
static bool okvm_inject_irq(struct okvm_vcpu *vcpu, bool *want_window)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;
	int vector;

	if (okvm_irqchip_in_kernel(vcpu->vm)) {
		if (okvm_irqchip_quiet(vcpu))
			return false;
		/* The CPU would take one: ack it at once (-1: none waits). */
		if (!okvm_interrupt_allowed(vcpu)) {
			*want_window = okvm_irqchip_has_interrupt(vcpu);
			return false;
		}
		vector = okvm_irqchip_ack_interrupt(vcpu);
		if (vector < 0)
			return false;
		okvm_retire_shadowed_hlt(vcpu);
		a->interrupt.injected = true;
		a->interrupt.vector = vector;
	} else {
		if (!a->irq.pending || !okvm_interrupt_allowed(vcpu))
			return false;
		a->irq.pending = false;
		a->interrupt.injected = true;
		a->interrupt.vector = a->irq.vector;
	}
	trace_kvm_inj_virq(a->interrupt.vector, false, false);
	okvm_set_event(vcpu, OKVM_EVENT_INTR, a->interrupt.vector, false, 0);
	return true;
}

/*
 * An interrupt from the LAPIC waits while the guest has IF clear: rather
 * than exit at the window to inject it, let the CPU deliver it when the
 * guest sets IF (the vendor's set_virq), lent by the LAPIC until the
 * exit tells whether the guest took it (okvm_settle_virq()).  Only with
 * IF clear: with IF set the guest is in a shadow, which QEMU drops on
 * VMRUN (above).  Not while the VMM single-steps: each step keeps its
 * exit.  True if armed.
 */
static bool okvm_arm_virq(struct okvm_vcpu *vcpu)
{
	int vector;

	if (!okvm_vendor->set_virq || (vcpu->arch.rflags & X86_EFLAGS_IF) ||
	    okvm_single_stepping(vcpu))
		return false;
	vector = okvm_lapic_virq_vector(vcpu);
	if (vector < 0 || !okvm_vendor->set_virq(vcpu, vector))
		return false;
	okvm_lapic_lend(vcpu, vector);
	vcpu->arch.virq_armed = true;
	return true;
}

/*
 * After the exit, or an entry called off (@entered false, so not taken,
 * whatever the control block still holds): disarm, and the guest took
 * the lent vector or it still waits in IRR.
 */
static void okvm_settle_virq(struct okvm_vcpu *vcpu, bool entered)
{
	bool taken = okvm_vendor->virq_taken(vcpu) && entered;
	int vector;

	vcpu->arch.virq_armed = false;
	vector = okvm_lapic_lend_end(vcpu, taken);
	if (vector < 0)
		return;
	okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_IRQ_INJECTIONS);
	trace_kvm_inj_virq(vector, false, false);
}

/*
 * Choose the event of the next entry and ask for the windows still needed.
 * vcpu->mutex held, preemption on.
 */
void okvm_inject_events(struct okvm_vcpu *vcpu)
{
	bool window = false, irq_window = false, injected;

	okvm_collect_nmis(vcpu);
	vcpu->arch.event.pending = false;
	vcpu->arch.injecting = 0;
	/* KVM_GUESTDBG_BLOCKIRQ: owed events only, nothing new, no window. */
	if (okvm_debug_blocks_irqs(vcpu)) {
		okvm_inject_owed(vcpu);
		okvm_vendor->set_irq_window(vcpu, false);
		return;
	}
	injected = okvm_inject_owed(vcpu) || okvm_inject_nmi(vcpu);
	if (!injected)
		injected = okvm_inject_irq(vcpu, &irq_window);
	else if (okvm_irqchip_in_kernel(vcpu->vm) &&
		 okvm_irqchip_has_interrupt(vcpu))
		window = true;	/* the next one follows as soon as it can */
	/* An NMI held back by an interrupt shadow (a blocked one waits for
	 * the IRET exit instead). */
	if (vcpu->arch.nmi_pending && !vcpu->arch.nmi_masked)
		window = true;
	if (okvm_user_wants_window(vcpu) && okvm_accepts_user_irq(vcpu))
		window = true;
	if (window || !irq_window || !okvm_arm_virq(vcpu))
		okvm_vendor->set_irq_window(vcpu, window || irq_window);
	if (okvm_irqchip_in_kernel(vcpu->vm))
		okvm_vendor->update_cr8_intercept(vcpu,
					okvm_lapic_blocked_priority(vcpu));
}

/* The entry was abandoned before the vendor took the event. */
void okvm_cancel_injection(struct okvm_vcpu *vcpu)
{
	vcpu->arch.event.pending = false;
	vcpu->arch.injecting = 0;
	if (vcpu->arch.virq_armed)
		okvm_settle_virq(vcpu, false);
}

/*
 * After an exit: what was injected got delivered, unless the exit cut it
 * off, in which case (and for an event the guest itself was delivering)
 * it returns to its slot as injected.
 */
void __okvm_complete_injection(struct okvm_vcpu *vcpu)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;
	struct okvm_event *ev = &a->event;

	/* First: an interrupt the exit cut off may be the one it took. */
	if (a->virq_armed)
		okvm_settle_virq(vcpu, true);
	switch (a->injecting) {
	case OKVM_EVENT_EXCEPTION + 1:
		a->exception.pending = false;
		a->exception.injected = false;
		break;
	case OKVM_EVENT_NMI + 1:
		a->nmi_injected = false;
		break;
	case OKVM_EVENT_INTR + 1:
		a->interrupt.injected = false;
		break;
	}
	a->injecting = 0;
	if (!ev->pending)
		return;
	ev->pending = false;
	switch (ev->type) {
	case OKVM_EVENT_EXCEPTION:
		a->exception = (struct okvm_exception){ .injected = true,
			.vector = ev->vector, .has_error = ev->has_error,
			.error = ev->error };
		break;
	case OKVM_EVENT_NMI:
		a->nmi_injected = true;
		break;
	default:
		a->interrupt.injected = true;
		a->interrupt.vector = ev->vector;
		break;
	}
}

/* Something would wake a halted vCPU (HLT with the in-kernel irqchip). */
bool okvm_vcpu_has_events(struct okvm_vcpu *vcpu)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;

	if (a->nmi_pending || atomic_read(&a->nmi_queued) || a->nmi_injected ||
	    a->exception.pending || a->exception.injected ||
	    a->interrupt.injected)
		return true;
	if (okvm_irqchip_in_kernel(vcpu->vm) &&
	    (a->rflags & X86_EFLAGS_IF) && okvm_irqchip_has_interrupt(vcpu))
		return true;
	return okvm_lapic_has_init_sipi(vcpu);
}

/* The interrupt window opened: the run loop decides what to do with it. */
int okvm_handle_irq_window(struct okvm_vcpu *vcpu)
{
	okvm_vendor->set_irq_window(vcpu, false);
	return 1;
}

/* IRET executed: the NMI handler is done, NMIs are unblocked. */
int okvm_handle_iret(struct okvm_vcpu *vcpu)
{
	vcpu->arch.nmi_masked = false;
	okvm_vendor->set_nmi_mask(vcpu, false);
	return 1;
}

/*
 * KVM_INTERRUPT.  With the userspace irqchip it (re)places the interrupt
 * to deliver, as KVM does; with the split irqchip it is the ExtINT of
 * userspace's PIC, taken when LINT0 allows (EEXIST while one waits); with
 * the in-kernel PIC, interrupts come from it and the ioctl fails (ENXIO).
 */
__cold long okvm_ioctl_interrupt(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (irq.irq >= 256)
		return -EINVAL;
	if (okvm_pic_in_kernel(vcpu->vm))
		return -ENXIO;
	if (okvm_irqchip_split(vcpu->vm)) {
		if (vcpu->arch.pending_extint >= 0)
			return -EEXIST;
		vcpu->arch.pending_extint = irq.irq;
	} else {
		vcpu->arch.irq.pending = true;
		vcpu->arch.irq.vector = irq.irq;
	}
	okvm_make_request(vcpu, OKVM_REQ_EVENT);
	return 0;
}

/* KVM_NMI */
__cold long okvm_ioctl_nmi(struct okvm_vcpu *vcpu)
{
	atomic_inc(&vcpu->arch.nmi_queued);
	return 0;
}

/* KVM_GET_VCPU_EVENTS's answer, into a kernel copy. */
__cold void okvm_get_vcpu_events(struct okvm_vcpu *vcpu, struct kvm_vcpu_events *e)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;
	const struct okvm_exception *ex = &a->exception;

	okvm_collect_nmis(vcpu);
	memset(e, 0, sizeof(*e));
	if (ex->pending || ex->injected) {
		e->exception.injected = 1;
		e->exception.nr = ex->vector;
		e->exception.has_error_code = ex->has_error;
		e->exception.error_code = ex->error;
	}
	if (a->irq.pending || a->interrupt.injected) {
		e->interrupt.injected = 1;
		e->interrupt.nr = a->interrupt.injected ? a->interrupt.vector :
							  a->irq.vector;
	}
	if (okvm_vendor->get_interrupt_shadow(vcpu))
		e->interrupt.shadow = KVM_X86_SHADOW_INT_STI;
	e->nmi.injected = a->nmi_injected;
	e->nmi.pending = a->nmi_pending != 0;
	e->nmi.masked = a->nmi_masked;
	e->sipi_vector = okvm_lapic_sipi_vector(vcpu);
	e->flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW |
		   KVM_VCPUEVENT_VALID_SMM;	/* never in SMM, nothing latched */
}

/* KVM_GET_VCPU_EVENTS */
__cold long okvm_ioctl_get_vcpu_events(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_vcpu_events e;

	okvm_get_vcpu_events(vcpu, &e);
	return copy_to_user(argp, &e, sizeof(e)) ? -EFAULT : 0;
}

static int okvm_check_vcpu_events(const struct kvm_vcpu_events *e)
{
	if (e->flags & ~(KVM_VCPUEVENT_VALID_NMI_PENDING |
			 KVM_VCPUEVENT_VALID_SIPI_VECTOR |
			 KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM))
		return -EINVAL;
	if ((e->exception.injected || e->exception.pending) &&
	    (e->exception.nr > 31 || e->exception.nr == 2))
		return -EINVAL;
	if ((e->flags & KVM_VCPUEVENT_VALID_SMM) && e->smi.smm)
		return -EINVAL;		/* no SMM */
	return 0;
}

/* KVM_SET_VCPU_EVENTS's checks and effect on a kernel copy. */
__cold int okvm_set_vcpu_events(struct okvm_vcpu *vcpu,
			 const struct kvm_vcpu_events *e)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;
	int r;

	r = okvm_check_vcpu_events(e);
	if (r)
		return r;
	memset(&a->exception, 0, sizeof(a->exception));
	if (e->exception.injected || e->exception.pending)
		a->exception = (struct okvm_exception){ .injected = true,
			.vector = e->exception.nr,
			.has_error = e->exception.has_error_code,
			.error = e->exception.error_code };
	a->irq.pending = false;
	a->interrupt.injected = e->interrupt.injected;
	a->interrupt.vector = e->interrupt.nr;
	a->nmi_injected = e->nmi.injected;
	if (e->flags & KVM_VCPUEVENT_VALID_NMI_PENDING) {
		atomic_set(&a->nmi_queued, 0);
		a->nmi_pending = e->nmi.pending;
	}
	a->nmi_masked = e->nmi.masked;
	okvm_vendor->set_nmi_mask(vcpu, a->nmi_masked || a->nmi_injected);
	if (e->flags & KVM_VCPUEVENT_VALID_SHADOW)
		okvm_vendor->set_interrupt_shadow(vcpu, e->interrupt.shadow);
	if (e->flags & KVM_VCPUEVENT_VALID_SIPI_VECTOR)
		okvm_lapic_set_sipi_vector(vcpu, e->sipi_vector);
	okvm_make_request(vcpu, OKVM_REQ_EVENT);
	return 0;
}

/* KVM_SET_VCPU_EVENTS */
__cold long okvm_ioctl_set_vcpu_events(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_vcpu_events e;

	if (copy_from_user(&e, argp, sizeof(e)))
		return -EFAULT;
	return okvm_set_vcpu_events(vcpu, &e);
}

/* KVM_GET_DEBUGREGS */
__cold long okvm_ioctl_get_debugregs(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_debugregs d;

	memset(&d, 0, sizeof(d));
	memcpy(d.db, vcpu->arch.debug_regs, sizeof(d.db));
	d.dr6 = okvm_vendor->get_dr(vcpu, 6);
	d.dr7 = okvm_vendor->get_dr(vcpu, 7);
	return copy_to_user(argp, &d, sizeof(d)) ? -EFAULT : 0;
}

/* KVM_SET_DEBUGREGS: breakpoints armed by the VMM must be live. */
__cold long okvm_ioctl_set_debugregs(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_debugregs d;

	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	if (d.flags || (d.dr6 >> 32) || (d.dr7 >> 32))
		return -EINVAL;
	memcpy(vcpu->arch.debug_regs, d.db, sizeof(d.db));
	okvm_vendor->set_dr(vcpu, 6, d.dr6);
	okvm_vendor->set_dr(vcpu, 7, d.dr7);
	if (!vcpu->arch.debug_live && (d.dr7 & 0xff)) {
		vcpu->arch.debug_live = true;
		okvm_vendor->open_debug_regs(vcpu);
	}
	return 0;
}

/* KVM_SET_SIGNAL_MASK: the signals blocked while the guest runs. */
__cold long okvm_ioctl_set_signal_mask(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_signal_mask __user *um = argp;
	struct kvm_signal_mask hdr;
	sigset_t set;

	if (!argp) {
		vcpu->arch.sigset_active = false;
		return 0;
	}
	if (copy_from_user(&hdr, um, sizeof(hdr)))
		return -EFAULT;
	if (hdr.len != sizeof(set))
		return -EINVAL;
	if (copy_from_user(&set, um->sigset, sizeof(set)))
		return -EFAULT;
	sigdelsetmask(&set, sigmask(SIGKILL) | sigmask(SIGSTOP));
	vcpu->arch.sigset = set;
	vcpu->arch.sigset_active = true;
	return 0;
}

void okvm_sigset_activate(struct okvm_vcpu *vcpu)
{
	if (vcpu->arch.sigset_active)
		sigprocmask(SIG_SETMASK, &vcpu->arch.sigset,
			    &current->real_blocked);
}

void okvm_sigset_deactivate(struct okvm_vcpu *vcpu)
{
	if (!vcpu->arch.sigset_active)
		return;
	sigprocmask(SIG_SETMASK, &current->real_blocked, NULL);
	sigemptyset(&current->real_blocked);
}
