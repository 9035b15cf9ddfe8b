// SPDX-License-Identifier: GPL-2.0-only
/*
 * One guest entry: ASID assignment, event injection, debug registers and
 * the VMRUN itself.  Runs with IRQs and preemption disabled.
 */
#include <linux/percpu.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include <asm/svm.h>
#include <asm/trapnr.h>

#include "svm.h"

static inline void svm_clgi(void)
{
	asm volatile("clgi" ::: "memory");
}

static inline void svm_stgi(void)
{
	asm volatile("stgi" ::: "memory");
}

static void svm_new_asid(struct svm_vcpu *svm, struct svm_cpu *sd)
{
	struct vmcb_control_area *c = &svm->vmcb->control;

	if (sd->next_asid > svm_max_asid) {
		sd->asid_generation++;
		sd->next_asid = 1;
		c->tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	}
	svm->asid = sd->next_asid++;
	svm->asid_generation = sd->asid_generation;
	c->asid = svm->asid;
}

/*
 * A vCPU keeps its ASID while it stays on one CPU and that CPU has not
 * recycled its ASIDs.  A flush request uses FLUSH_ASID where the CPU has it,
 * otherwise a fresh ASID (whose TLB entries are known to be gone).
 */
static void svm_assign_asid(struct svm_vcpu *svm, bool flush, bool moved)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpus);

	if (moved || svm->asid_generation != sd->asid_generation)
		svm_new_asid(svm, sd);
	else if (flush && svm_has_flush_by_asid)
		svm->vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ASID;
	else if (flush)
		svm_new_asid(svm, sd);
}

static void svm_inject_event(struct okvm_vcpu *vcpu, struct vmcb *vmcb)
{
	struct okvm_event *ev = &vcpu->arch.event;
	u32 type;

	if (!ev->pending)
		return;
	switch (ev->type) {
	case OKVM_EVENT_NMI:
		type = SVM_EVTINJ_TYPE_NMI;
		break;
	case OKVM_EVENT_INTR:
		type = SVM_EVTINJ_TYPE_INTR;
		break;
	default:
		type = SVM_EVTINJ_TYPE_EXEPT;
		break;
	}
	vmcb->control.event_inj = ev->vector | type | SVM_EVTINJ_VALID |
				  (ev->has_error ? SVM_EVTINJ_VALID_ERR : 0);
	vmcb->control.event_inj_err = ev->error;
	ev->pending = false;
}

/* Take the guest's DR0-3 back and give the host its breakpoints again. */
static void svm_restore_host_debug(struct okvm_vcpu *vcpu, struct vmcb *vmcb)
{
	if (vcpu->arch.debug_live)
		okvm_save_guest_dr0_3(vcpu->arch.debug_regs);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	else if (vmcb->save.dr7 & 0xff)
		set_debugreg(OKVM_DR7_INIT, 7);
}

/*
 * A #VMEXIT stores the guest's state in the VMCB.  Finding the host's own
 * there (RIP just past our VMRUN with our CR3) means the CPU saved the
 * wrong context, as QEMU's emulated SVM sometimes does under load (see
 * Documentation/mmu.md): the guest's state is gone and the guest must not
 * run on from the host's.
 */
static bool svm_check_saved_state(struct vmcb *vmcb)
{
	struct vmcb_save_area *s = &vmcb->save;

	if (s->rip != (unsigned long)__svm_vmrun_return ||
	    (s->cr3 & PAGE_MASK) != (__read_cr3() & PAGE_MASK))
		return false;
	/*
	 * Nothing of the host's (these registers, and what the VMSAVE after
	 * the exit stored: segment bases, TR, the syscall MSRs) may reach
	 * userspace; the vCPU never enters again (KVM_RUN fails with EIO).
	 */
	memset(s, 0, sizeof(*s));
	return true;
}

/* What the exit that lost the guest's state looked like (Documentation/mmu.md). */
static __cold void svm_report_lost_state(struct okvm_vcpu *vcpu, bool moved)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;

	pr_err_ratelimited("okvm: vCPU %d lost state: cpu %d%s asid %u entry event %#x exit %#llx info1 %#llx info2 %#llx int_info %#x int_state %#x\n",
			   vcpu->vcpu_id, smp_processor_id(),
			   moved ? " (moved)" : "", svm->asid,
			   svm->entry_event, (u64)c->exit_code, c->exit_info_1,
			   c->exit_info_2, c->exit_int_info, c->int_state);
}

void svm_run(struct okvm_vcpu *vcpu, bool flush_tlb, bool moved)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	struct okvm_vcpu_arch *arch = &vcpu->arch;
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpus);
	bool tsc_aux = svm_has_tsc_aux &&
		       arch->msrs.tsc_aux != sd->host_tsc_aux;

	vmcb->save.rax = arch->regs[OKVM_RAX];
	vmcb->save.rsp = arch->regs[OKVM_RSP];
	vmcb->save.rip = arch->rip;
	vmcb->save.rflags = arch->rflags;
	vmcb->control.tsc_offset = arch->tsc_offset;
	vmcb->control.clean = 0;
	svm_assign_asid(svm, flush_tlb, moved);
	svm_inject_event(vcpu, vmcb);
	svm->entry_event = vmcb->control.event_inj;
	if (arch->debug_live)
		okvm_load_guest_dr0_3(vcpu->arch.debug_regs);
	/* RDTSCP/RDPID read TSC_AUX, which VMRUN does not switch. */
	if (tsc_aux)
		wrmsrl(MSR_TSC_AUX, arch->msrs.tsc_aux);

	svm_clgi();
	__svm_vcpu_run(svm->vmcb_pa, arch->regs, sd->host_vmsave_pa);
	svm_restore_host_debug(vcpu, vmcb);
	if (tsc_aux)
		wrmsrl(MSR_TSC_AUX, sd->host_tsc_aux);
	svm_stgi();

	svm->state_lost = svm_check_saved_state(vmcb);
	if (svm->state_lost) {	/* the GPRs the host had then, too */
		memset(arch->regs, 0, sizeof(arch->regs));
		svm_report_lost_state(vcpu, moved);
	}
	/* A machine check in the guest belongs to the host's handler. */
	if (vmcb->control.exit_code == SVM_EXIT_EXCP_BASE + X86_TRAP_MC)
		asm volatile("int $0x12");

	arch->regs[OKVM_RAX] = vmcb->save.rax;
	arch->regs[OKVM_RSP] = vmcb->save.rsp;
	arch->rip = vmcb->save.rip;
	arch->rflags = vmcb->save.rflags;
	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	vmcb->control.event_inj = 0;
}
