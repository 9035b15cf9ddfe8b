// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMCB: its reset state, intercepts, and the accessors kvm.ko uses for
 * the guest state it holds (segments, control registers, EFER, DR6/DR7 and
 * the MSRs VMLOAD/VMSAVE switch).
 */
#include <linux/kvm.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "svm.h"

static const u32 svm_intercepted_insns[] = {
	INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI,
	INTERCEPT_RDPMC, INTERCEPT_CPUID, INTERCEPT_INVD, INTERCEPT_HLT,
	INTERCEPT_INVLPGA, INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT,
	INTERCEPT_FERR_FREEZE, INTERCEPT_SHUTDOWN,
	INTERCEPT_VMRUN, INTERCEPT_VMMCALL, INTERCEPT_VMLOAD, INTERCEPT_VMSAVE,
	INTERCEPT_STGI, INTERCEPT_CLGI, INTERCEPT_SKINIT,
	INTERCEPT_MONITOR, INTERCEPT_MWAIT, INTERCEPT_XSETBV, INTERCEPT_RDPRU,
};

#define SVM_DR_INTERCEPTS	0x00ff00ffu	/* DR0-7 reads and writes */

static const u32 svm_shadow_cr_intercepts[] = {
	INTERCEPT_CR0_READ, INTERCEPT_CR3_READ, INTERCEPT_CR4_READ,
	INTERCEPT_CR0_WRITE, INTERCEPT_CR3_WRITE, INTERCEPT_CR4_WRITE,
};

static void svm_init_controls(struct okvm_vcpu *vcpu, struct vmcb *vmcb)
{
	struct vmcb_control_area *c = &vmcb->control;
	int i;

	for (i = 0; i < ARRAY_SIZE(svm_intercepted_insns); i++)
		svm_set_intercept(vmcb, svm_intercepted_insns[i]);
	svm_set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_MC);
	/* For KVM_X86_QUIRK_FIX_HYPERCALL_INSN: VMCALL raises #UD here. */
	svm_set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_UD);
	if (!vcpu->arch.debug_live)
		c->intercepts[INTERCEPT_DR] = SVM_DR_INTERCEPTS;
	c->iopm_base_pa = svm_iopm_pa;
	c->msrpm_base_pa = svm_msrpm_pa;
	c->int_ctl = V_INTR_MASKING_MASK;
	if (svm_npt) {
		OKVM_VMCB_NP_CTL(c) = SVM_VMCB_NP_ENABLE;
		return;
	}
	/* Shadow paging: the MMU must see paging changes and misses. */
	for (i = 0; i < ARRAY_SIZE(svm_shadow_cr_intercepts); i++)
		svm_set_intercept(vmcb, svm_shadow_cr_intercepts[i]);
	svm_set_intercept(vmcb, INTERCEPT_INVLPG);
	svm_set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_PF);
}

static void svm_init_seg(struct vmcb_seg *seg, u16 sel, u16 attrib,
			 u32 limit, u64 base)
{
	seg->selector = sel;
	seg->attrib = attrib;
	seg->limit = limit;
	seg->base = base;
}

/* Power-on and INIT state (they differ only outside the VMCB). */
__cold void svm_vcpu_reset(struct okvm_vcpu *vcpu, bool init)
{
	struct vmcb *vmcb = to_vmcb(vcpu);
	struct vmcb_save_area *s = &vmcb->save;

	memset(vmcb, 0, PAGE_SIZE);
	to_svm(vcpu)->asid_generation = 0;
	svm_init_controls(vcpu, vmcb);

	svm_init_seg(&s->cs, 0xf000, 0x9b, 0xffff, 0xffff0000);
	svm_init_seg(&s->ds, 0, 0x93, 0xffff, 0);
	svm_init_seg(&s->es, 0, 0x93, 0xffff, 0);
	svm_init_seg(&s->ss, 0, 0x93, 0xffff, 0);
	svm_init_seg(&s->fs, 0, 0x93, 0xffff, 0);
	svm_init_seg(&s->gs, 0, 0x93, 0xffff, 0);
	svm_init_seg(&s->ldtr, 0, 0x82, 0xffff, 0);
	svm_init_seg(&s->tr, 0, 0x8b, 0xffff, 0);
	svm_init_seg(&s->gdtr, 0, 0, 0xffff, 0);
	svm_init_seg(&s->idtr, 0, 0, 0xffff, 0);
	svm_set_cr(vcpu, 0, X86_CR0_NW | X86_CR0_CD | X86_CR0_ET);
	svm_set_cr(vcpu, 3, 0);
	svm_set_cr(vcpu, 4, 0);
	svm_set_efer(vcpu, 0);
	s->dr6 = OKVM_DR6_INIT;
	s->dr7 = OKVM_DR7_INIT;
	s->g_pat = OKVM_PAT_INIT;
	svm_set_mmu_root(vcpu, okvm_mmu_root_pa(vcpu));
}

static struct vmcb_seg *svm_seg(struct vmcb *vmcb, int seg)
{
	struct vmcb_save_area *s = &vmcb->save;

	switch (seg) {
	case OKVM_SEG_ES: return &s->es;
	case OKVM_SEG_CS: return &s->cs;
	case OKVM_SEG_SS: return &s->ss;
	case OKVM_SEG_DS: return &s->ds;
	case OKVM_SEG_FS: return &s->fs;
	case OKVM_SEG_GS: return &s->gs;
	case OKVM_SEG_TR: return &s->tr;
	default: return &s->ldtr;
	}
}

void svm_get_segment(struct okvm_vcpu *vcpu, struct kvm_segment *var, int seg)
{
	struct vmcb_seg *s = svm_seg(to_vmcb(vcpu), seg);
	u16 a = s->attrib;

	memset(var, 0, sizeof(*var));
	var->base = s->base;
	var->limit = s->limit;
	var->selector = s->selector;
	var->type = a & SVM_SELECTOR_TYPE_MASK;
	var->s = !!(a & SVM_SELECTOR_S_MASK);
	var->dpl = (a & SVM_SELECTOR_DPL_MASK) >> SVM_SELECTOR_DPL_SHIFT;
	var->present = !!(a & SVM_SELECTOR_P_MASK);
	var->avl = !!(a & SVM_SELECTOR_AVL_MASK);
	var->l = !!(a & SVM_SELECTOR_L_MASK);
	var->db = !!(a & SVM_SELECTOR_DB_MASK);
	var->g = !!(a & SVM_SELECTOR_G_MASK);
	var->unusable = !var->present;
}

void svm_set_segment(struct okvm_vcpu *vcpu, const struct kvm_segment *var,
		     int seg)
{
	struct vmcb *vmcb = to_vmcb(vcpu);
	struct vmcb_seg *s = svm_seg(vmcb, seg);
	u16 a = 0;

	s->base = var->base;
	s->limit = var->limit;
	s->selector = var->selector;
	if (!var->unusable) {
		a = (var->type & SVM_SELECTOR_TYPE_MASK) |
		    (var->s & 1) << SVM_SELECTOR_S_SHIFT |
		    (var->dpl & 3) << SVM_SELECTOR_DPL_SHIFT |
		    (var->present & 1) << SVM_SELECTOR_P_SHIFT |
		    (var->avl & 1) << SVM_SELECTOR_AVL_SHIFT |
		    (var->l & 1) << SVM_SELECTOR_L_SHIFT |
		    (var->db & 1) << SVM_SELECTOR_DB_SHIFT |
		    (var->g & 1) << SVM_SELECTOR_G_SHIFT;
	}
	s->attrib = a;
	/* The CPL is SS.DPL (the VMCB keeps it apart). */
	if (seg == OKVM_SEG_SS)
		vmcb->save.cpl = var->dpl & 3;
}

void svm_get_dtable(struct okvm_vcpu *vcpu, struct kvm_dtable *dt, bool idt)
{
	struct vmcb_save_area *s = &to_vmcb(vcpu)->save;
	struct vmcb_seg *t = idt ? &s->idtr : &s->gdtr;

	dt->base = t->base;
	dt->limit = t->limit;
}

void svm_set_dtable(struct okvm_vcpu *vcpu, const struct kvm_dtable *dt,
		    bool idt)
{
	struct vmcb_save_area *s = &to_vmcb(vcpu)->save;
	struct vmcb_seg *t = idt ? &s->idtr : &s->gdtr;

	t->base = dt->base;
	t->limit = dt->limit;
}

u64 svm_get_cr(struct okvm_vcpu *vcpu, int cr)
{
	struct vmcb_save_area *s = &to_vmcb(vcpu)->save;
	struct svm_vcpu *svm = to_svm(vcpu);

	if (!svm_npt && cr != 2)
		return cr == 0 ? svm->cr0 : cr == 3 ? svm->cr3 : svm->cr4;
	switch (cr) {
	case 0: return s->cr0;
	case 2: return s->cr2;
	case 3: return s->cr3;
	case 4: return s->cr4;
	default: return 0;
	}
}

/*
 * Without NPT the hardware always pages, through the shadow table: PAE
 * format outside long mode (paging off and real mode included), so CR0.PG
 * and CR4.PAE are forced on and EFER.LME follows the guest's EFER.LMA.
 * CR0.WP is forced on too: a read-only shadow entry (a KSM-shared or zero
 * page, a ROM, a page under dirty logging) must stop the guest's kernel as
 * well; its own CR0.WP=0 is honoured by the shadow MMU's walk instead.
 */
static void svm_shadow_set_cr(struct okvm_vcpu *vcpu, int cr, u64 val)
{
	struct vmcb_save_area *s = &to_vmcb(vcpu)->save;
	struct svm_vcpu *svm = to_svm(vcpu);

	switch (cr) {
	case 0:
		svm->cr0 = val;
		s->cr0 = val | X86_CR0_PG | X86_CR0_WP;
		break;
	case 2:
		s->cr2 = val;
		break;
	case 3:
		svm->cr3 = val;
		break;
	case 4:
		svm->cr4 = val;
		s->cr4 = val | X86_CR4_PAE;
		break;
	}
}

void svm_set_cr(struct okvm_vcpu *vcpu, int cr, u64 val)
{
	struct vmcb_save_area *s = &to_vmcb(vcpu)->save;

	if (!svm_npt) {
		svm_shadow_set_cr(vcpu, cr, val);
		return;
	}
	switch (cr) {
	case 0: s->cr0 = val; break;
	case 2: s->cr2 = val; break;
	case 3: s->cr3 = val; break;
	case 4: s->cr4 = val; break;
	}
}

/* The guest never sees EFER.SVME, but VMRUN demands it. */
u64 svm_get_efer(struct okvm_vcpu *vcpu)
{
	if (!svm_npt)
		return to_svm(vcpu)->efer;
	return to_vmcb(vcpu)->save.efer & ~EFER_SVME;
}

void svm_set_efer(struct okvm_vcpu *vcpu, u64 efer)
{
	u64 hw = efer;

	if (!svm_npt) {
		to_svm(vcpu)->efer = efer;
		hw &= ~(EFER_LME | EFER_LMA);
		if (efer & EFER_LMA)
			hw |= EFER_LME | EFER_LMA;
	}
	to_vmcb(vcpu)->save.efer = hw | EFER_SVME;
}

u64 svm_get_dr(struct okvm_vcpu *vcpu, int dr)
{
	struct vmcb_save_area *s = &to_vmcb(vcpu)->save;

	return dr == 6 ? s->dr6 : s->dr7;
}

void svm_set_dr(struct okvm_vcpu *vcpu, int dr, u64 val)
{
	struct vmcb_save_area *s = &to_vmcb(vcpu)->save;

	if (dr == 6)
		s->dr6 = val;
	else
		s->dr7 = val;
}

int svm_get_cpl(struct okvm_vcpu *vcpu)
{
	return to_vmcb(vcpu)->save.cpl;
}

/* MSRs whose guest value lives in the VMCB. */
static u64 *svm_msr_slot(struct vmcb_save_area *s, u32 index)
{
	switch (index) {
	case MSR_STAR: return &s->star;
	case MSR_LSTAR: return &s->lstar;
	case MSR_CSTAR: return &s->cstar;
	case MSR_SYSCALL_MASK: return &s->sfmask;
	case MSR_KERNEL_GS_BASE: return &s->kernel_gs_base;
	case MSR_FS_BASE: return &s->fs.base;
	case MSR_GS_BASE: return &s->gs.base;
	case MSR_IA32_SYSENTER_CS: return &s->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP: return &s->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP: return &s->sysenter_eip;
	case MSR_IA32_CR_PAT: return &s->g_pat;
	default: return NULL;
	}
}

int svm_get_msr(struct okvm_vcpu *vcpu, u32 index, u64 *data)
{
	u64 *slot = svm_msr_slot(&to_vmcb(vcpu)->save, index);

	if (!slot)
		return 1;
	*data = *slot;
	return 0;
}

int svm_set_msr(struct okvm_vcpu *vcpu, u32 index, u64 data)
{
	u64 *slot = svm_msr_slot(&to_vmcb(vcpu)->save, index);

	if (!slot)
		return 1;
	*slot = data;
	return 0;
}

/* DE_CFG as a feature MSR: LFENCE dispatch-serialising if the host has it. */
int svm_get_msr_feature(u32 index, u64 *data)
{
	if (index != MSR_AMD64_DE_CFG)
		return 1;
	*data = 0;
	if (boot_cpu_has(X86_FEATURE_LFENCE_RDTSC))
		*data = MSR_AMD64_DE_CFG_LFENCE_SERIALIZE;
	return 0;
}

/* The guest touched a debug register: let it own DR0-7 from now on. */
void svm_open_debug_regs(struct okvm_vcpu *vcpu)
{
	to_vmcb(vcpu)->control.intercepts[INTERCEPT_DR] = 0;
}

void svm_set_db_intercept(struct okvm_vcpu *vcpu, bool on)
{
	struct vmcb *vmcb = to_vmcb(vcpu);

	if (on)
		svm_set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_DB);
	else
		svm_clr_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_DB);
}

void svm_set_mmu_root(struct okvm_vcpu *vcpu, u64 root_pa)
{
	if (svm_npt)
		to_vmcb(vcpu)->control.nested_cr3 = root_pa;
	else
		to_vmcb(vcpu)->save.cr3 = root_pa;
}

u8 svm_get_tpr(struct okvm_vcpu *vcpu)
{
	return to_vmcb(vcpu)->control.int_ctl & V_TPR_MASK;
}

void svm_set_tpr(struct okvm_vcpu *vcpu, u8 tpr)
{
	struct vmcb_control_area *c = &to_vmcb(vcpu)->control;

	c->int_ctl = (c->int_ctl & ~V_TPR_MASK) | (tpr & V_TPR_MASK);
}

bool svm_get_interrupt_shadow(struct okvm_vcpu *vcpu)
{
	return to_vmcb(vcpu)->control.int_state & SVM_INTERRUPT_SHADOW_MASK;
}

void svm_set_interrupt_shadow(struct okvm_vcpu *vcpu, bool shadow)
{
	struct vmcb_control_area *c = &to_vmcb(vcpu)->control;

	if (shadow)
		c->int_state |= SVM_INTERRUPT_SHADOW_MASK;
	else
		c->int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

/*
 * A virtual interrupt (V_IRQ) of top priority, ignoring the TPR, is taken
 * by the guest as soon as it is interruptible; intercepting VINTR turns
 * that moment into an exit without anything being delivered.
 *
 * While V_IRQ is set, CR8 writes exit: QEMU's SVM (the bench's CPU)
 * re-evaluates V_IRQ inside a guest's CR8 write without its global lock
 * and aborts, killing the machine.
 */
void svm_set_irq_window(struct okvm_vcpu *vcpu, bool on)
{
	struct vmcb *vmcb = to_vmcb(vcpu);
	struct vmcb_control_area *c = &vmcb->control;

	c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
	if (on) {
		c->int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK |
			      (0xf << V_INTR_PRIO_SHIFT);
		c->int_vector = 0;
		svm_set_intercept(vmcb, INTERCEPT_VINTR);
		svm_set_intercept(vmcb, INTERCEPT_CR8_WRITE);
	} else {
		svm_clr_intercept(vmcb, INTERCEPT_VINTR);
		svm_clr_intercept(vmcb, INTERCEPT_CR8_WRITE);
	}
}

/*
 * The same virtual interrupt without the VINTR intercept, carrying
 * @vector: the guest takes it through its IDT as soon as it sets IF,
 * with no exit.  CR8 writes exit while it waits (as above), so the TPR
 * it was chosen under holds, and it may ignore V_TPR: a CPU comparing
 * them would drop V_IRQ at a CR8 write raising V_TPR (QEMU's does),
 * and an interrupt still waiting would look taken.  Not below vector 32:
 * cut off, QEMU reports its delivery as an exception (svm_cut_event_type()).
 */
bool svm_set_virq(struct okvm_vcpu *vcpu, u8 vector)
{
	struct vmcb *vmcb = to_vmcb(vcpu);
	struct vmcb_control_area *c = &vmcb->control;

	if (vector < 32)
		return false;
	c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
	c->int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK |
		      ((vector >> 4) << V_INTR_PRIO_SHIFT);
	c->int_vector = vector;
	svm_clr_intercept(vmcb, INTERCEPT_VINTR);
	svm_set_intercept(vmcb, INTERCEPT_CR8_WRITE);
	return true;
}

/*
 * The CPU clears V_IRQ when the guest takes the virtual interrupt; an
 * exit that cut its delivery off may leave V_IRQ set (QEMU's does) but
 * reports it in EXITINTINFO, where only it can be: nothing else was
 * injected with it.
 */
bool svm_virq_taken(struct okvm_vcpu *vcpu)
{
	struct vmcb *vmcb = to_vmcb(vcpu);
	struct vmcb_control_area *c = &vmcb->control;
	u32 cut = c->exit_int_info;
	bool taken = !(c->int_ctl & V_IRQ_MASK) ||
		     ((cut & SVM_EXITINTINFO_VALID) &&
		      svm_cut_event_type(cut) == SVM_EXITINTINFO_TYPE_INTR &&
		      (cut & SVM_EXITINTINFO_VEC_MASK) == c->int_vector);

	c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
	svm_clr_intercept(vmcb, INTERCEPT_CR8_WRITE);
	return taken;
}

void svm_set_nmi_mask(struct okvm_vcpu *vcpu, bool masked)
{
	if (masked)
		svm_set_intercept(to_vmcb(vcpu), INTERCEPT_IRET);
	else
		svm_clr_intercept(to_vmcb(vcpu), INTERCEPT_IRET);
}

/* GIF is always set for our guests: okvm runs no nested SVM. */
bool svm_interrupt_allowed(struct okvm_vcpu *vcpu)
{
	return (vcpu->arch.rflags & X86_EFLAGS_IF) &&
	       !svm_get_interrupt_shadow(vcpu);
}

bool svm_nmi_allowed(struct okvm_vcpu *vcpu)
{
	return !svm_get_interrupt_shadow(vcpu);
}

/*
 * SVM has no TPR threshold: every CR8 write exits while an interrupt of
 * class @prio waits for the TPR to drop (set_irq_window() or set_virq(),
 * called first each entry, cleared the intercept or need it themselves).
 */
void svm_update_cr8_intercept(struct okvm_vcpu *vcpu, int prio)
{
	if (prio)
		svm_set_intercept(to_vmcb(vcpu), INTERCEPT_CR8_WRITE);
}
