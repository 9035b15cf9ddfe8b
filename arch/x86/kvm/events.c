// SPDX-License-Identifier: GPL-2.0-only
/*
 * Event injection with the userspace irqchip: KVM_INTERRUPT, KVM_NMI, the
 * interrupt window, KVM_GET/SET_VCPU_EVENTS, KVM_GET/SET_MP_STATE,
 * KVM_GET/SET_DEBUGREGS and KVM_SET_SIGNAL_MASK.
 *
 * One event is delivered per entry, in this order: an event the last exit
 * cut off (or an exception we raised), an NMI when NMIs are not blocked, an
 * external interrupt queued by KVM_INTERRUPT (userspace already checked that
 * the guest can take it, as with KVM).
 */
#include <linux/kvm.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>

#include "kvm_core.h"
#include "vendor.h"

/* The guest would take an external interrupt now. */
bool okvm_interrupt_allowed(struct okvm_vcpu *vcpu)
{
	return (vcpu->arch.rflags & X86_EFLAGS_IF) &&
	       !okvm_vendor->get_interrupt_shadow(vcpu);
}

/* What kvm_run->ready_for_interrupt_injection reports. */
bool okvm_ready_for_interrupt(struct okvm_vcpu *vcpu)
{
	return okvm_interrupt_allowed(vcpu) && !vcpu->arch.irq.pending &&
	       !vcpu->arch.event.pending;
}

/* Choose the event of the next entry; ask for the windows we need. */
void okvm_inject_events(struct okvm_vcpu *vcpu)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;
	bool window;

	if (!a->event.pending && a->nmi_pending && !a->nmi_masked &&
	    !okvm_vendor->get_interrupt_shadow(vcpu)) {
		a->nmi_pending = false;
		a->event = (struct okvm_event){ .pending = true,
						.type = OKVM_EVENT_NMI,
						.vector = 2 };
		a->nmi_masked = true;
		okvm_vendor->set_nmi_mask(vcpu, true);
	}
	if (!a->event.pending && a->irq.pending) {
		a->irq.pending = false;
		a->event = (struct okvm_event){ .pending = true,
						.type = OKVM_EVENT_INTR,
						.vector = a->irq.vector };
	}
	window = vcpu->run->request_interrupt_window &&
		 !okvm_ready_for_interrupt(vcpu);
	okvm_vendor->set_irq_window(vcpu, window);
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

/* KVM_INTERRUPT */
long okvm_ioctl_interrupt(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (irq.irq >= 256)
		return -EINVAL;
	if (vcpu->arch.irq.pending)
		return -EEXIST;
	vcpu->arch.irq.pending = true;
	vcpu->arch.irq.vector = irq.irq;
	return 0;
}

/* KVM_NMI */
long okvm_ioctl_nmi(struct okvm_vcpu *vcpu)
{
	vcpu->arch.nmi_pending = true;
	return 0;
}

/* KVM_GET_VCPU_EVENTS */
long okvm_ioctl_get_vcpu_events(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;
	const struct okvm_event *ev = &a->event;
	struct kvm_vcpu_events e;

	memset(&e, 0, sizeof(e));
	if (ev->pending && ev->type == OKVM_EVENT_EXCEPTION) {
		e.exception.injected = 1;
		e.exception.nr = ev->vector;
		e.exception.has_error_code = ev->has_error;
		e.exception.error_code = ev->error;
	}
	if (a->irq.pending || (ev->pending && ev->type == OKVM_EVENT_INTR)) {
		e.interrupt.injected = 1;
		e.interrupt.nr = a->irq.pending ? a->irq.vector : ev->vector;
	}
	if (okvm_vendor->get_interrupt_shadow(vcpu))
		e.interrupt.shadow = KVM_X86_SHADOW_INT_STI;
	e.nmi.injected = ev->pending && ev->type == OKVM_EVENT_NMI;
	e.nmi.pending = a->nmi_pending;
	e.nmi.masked = a->nmi_masked;
	e.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW |
		  KVM_VCPUEVENT_VALID_SMM;	/* never in SMM, nothing latched */
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

/* KVM_SET_VCPU_EVENTS */
long okvm_ioctl_set_vcpu_events(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;
	struct kvm_vcpu_events e;
	int r;

	if (copy_from_user(&e, argp, sizeof(e)))
		return -EFAULT;
	r = okvm_check_vcpu_events(&e);
	if (r)
		return r;
	memset(&a->event, 0, sizeof(a->event));
	a->irq.pending = false;
	if (e.exception.injected || e.exception.pending)
		a->event = (struct okvm_event){ .pending = true,
			.type = OKVM_EVENT_EXCEPTION, .vector = e.exception.nr,
			.has_error = e.exception.has_error_code,
			.error = e.exception.error_code };
	else if (e.nmi.injected)
		a->event = (struct okvm_event){ .pending = true,
			.type = OKVM_EVENT_NMI, .vector = 2 };
	if (e.interrupt.injected) {
		a->irq.pending = true;
		a->irq.vector = e.interrupt.nr;
	}
	if (e.flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		a->nmi_pending = e.nmi.pending;
	a->nmi_masked = e.nmi.masked;
	okvm_vendor->set_nmi_mask(vcpu, a->nmi_masked);
	if (e.flags & KVM_VCPUEVENT_VALID_SHADOW)
		okvm_vendor->set_interrupt_shadow(vcpu, e.interrupt.shadow);
	return 0;
}

/*
 * KVM_GET/SET_MP_STATE.  Without an in-kernel LAPIC the vCPU is always
 * runnable: HLT exits to userspace, and INIT/SIPI are the VMM's to emulate.
 */
long okvm_ioctl_get_mp_state(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	return copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
}

long okvm_ioctl_set_mp_state(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_mp_state mp;

	if (copy_from_user(&mp, argp, sizeof(mp)))
		return -EFAULT;
	return mp.mp_state == KVM_MP_STATE_RUNNABLE ? 0 : -EINVAL;
}

/* KVM_GET_DEBUGREGS */
long okvm_ioctl_get_debugregs(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_debugregs d;

	memset(&d, 0, sizeof(d));
	memcpy(d.db, vcpu->arch.debug_regs, sizeof(d.db));
	d.dr6 = okvm_vendor->get_dr(vcpu, 6);
	d.dr7 = okvm_vendor->get_dr(vcpu, 7);
	return copy_to_user(argp, &d, sizeof(d)) ? -EFAULT : 0;
}

/* KVM_SET_DEBUGREGS: breakpoints armed by the VMM must be live. */
long okvm_ioctl_set_debugregs(struct okvm_vcpu *vcpu, void __user *argp)
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
long okvm_ioctl_set_signal_mask(struct okvm_vcpu *vcpu, void __user *argp)
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
