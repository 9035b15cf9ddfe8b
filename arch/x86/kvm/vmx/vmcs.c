// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMCS: the EPT entry format, the control fields, the guest state and
 * the accessors kvm.ko uses for it (segments, control registers, EFER,
 * DR6/DR7 and the MSRs VMX does not switch by itself).
 *
 * The accessors work on the software copy in struct vmx_vcpu (see vmx.h);
 * vmx_write_guest_state() and vmx_read_guest_state() move it to and from
 * the VMCS around each entry, inside vmx_run().
 */
#include <linux/kvm.h>
#include <linux/io.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <asm/trapnr.h>

#include "vmx.h"

/* --- EPT entries -------------------------------------------------------- */

#define VMX_EPT_WB	(VMX_EPTP_MT_WB << VMX_EPT_MT_EPTE_SHIFT)

/* Guest RAM is ordinary host memory: write-back, whatever the guest's PAT. */
static u64 vmx_ept_leaf(u64 hpa, bool writable)
{
	u64 pte = hpa | VMX_EPT_READABLE_MASK | VMX_EPT_EXECUTABLE_MASK |
		  VMX_EPT_WB | VMX_EPT_IPAT_BIT;

	return writable ? pte | VMX_EPT_WRITABLE_MASK : pte;
}

static u64 vmx_ept_table(u64 hpa)
{
	return hpa | VMX_EPT_RWX_MASK;
}

/* EPT entries: R/W/X permission bits, no U/S; present = any of RWX. */
const struct okvm_pte_fmt vmx_ept_fmt = {
	.leaf = vmx_ept_leaf,
	.table = vmx_ept_table,
	.present = VMX_EPT_RWX_MASK,
	.writable = VMX_EPT_WRITABLE_MASK,
	.huge = 0,	/* 4 KiB leaves only (2 MiB EPT pages: not yet) */
	.exec = VMX_EPT_EXECUTABLE_MASK,
	.nx = 0,
};

/* --- Control registers as the hardware runs them ------------------------ */

/*
 * CR0 bits the guest changes without an exit; every other bit is ours:
 * reads return the read shadow (the guest's value) and writes that change
 * it exit to cr.c.  Without EPT the shadow MMU must also see CR0.WP.
 */
static u64 vmx_cr0_mask(void)
{
	u64 guest = X86_CR0_TS | X86_CR0_MP | X86_CR0_EM | X86_CR0_AM;

	if (vmx_caps.ept)
		guest |= X86_CR0_WP;
	return ~guest;
}

/* CR4 is ours entirely: the guest sees its value, never CR4.VMXE. */
#define VMX_CR4_MASK	(~0ULL)

static u64 vmx_hw_cr0(struct okvm_vcpu *vcpu)
{
	u64 fixed0 = vmx_caps.cr0_fixed0, hw = to_vmx(vcpu)->cr0;

	if (vmx_caps.ug)
		fixed0 &= ~(X86_CR0_PE | X86_CR0_PG);
	/*
	 * Without EPT always paged, through the shadow, whose read-only
	 * entries must stop the guest's kernel too (see svm_shadow_set_cr()).
	 */
	if (!vmx_caps.ept)
		hw |= X86_CR0_PG | X86_CR0_WP;
	return (hw | fixed0) & vmx_caps.cr0_fixed1;
}

static u64 vmx_hw_cr4(struct okvm_vcpu *vcpu)
{
	u64 hw = to_vmx(vcpu)->cr4;

	if (!vmx_caps.ept)
		hw |= X86_CR4_PAE;	/* the shadow is PAE or 4-level */
	return (hw | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1;
}

/* Without EPT, EFER.LME follows the guest's EFER.LMA (as with SVM). */
static u64 vmx_hw_efer(struct okvm_vcpu *vcpu)
{
	u64 efer = to_vmx(vcpu)->efer;

	if (vmx_caps.ept)
		return efer;
	efer &= ~(EFER_LME | EFER_LMA);
	if (to_vmx(vcpu)->efer & EFER_LMA)
		efer |= EFER_LME | EFER_LMA;
	return efer;
}

/* Legacy PAE paging: the CPU takes the PDPTEs from the VMCS (with EPT). */
bool vmx_pae_paging(struct okvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	return (vmx->cr0 & X86_CR0_PG) && (vmx->cr4 & X86_CR4_PAE) &&
	       !(vmx->efer & EFER_LMA);
}

/*
 * With EPT, MOV to CR0/CR3/CR4 entering legacy PAE paging loads the PDPTEs
 * from guest memory; we do it when kvm.ko changes those registers.  This
 * reads guest memory (and may fault pages in): the callers of set_cr and
 * set_efer are all in process context.
 */
static void vmx_refresh_pdptrs(struct okvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (!vmx_caps.ept || !vmx_pae_paging(vcpu))
		return;
	if (okvm_read_guest(vcpu->vm, vmx->cr3 & GENMASK_ULL(31, 5),
			    vmx->pdptr, sizeof(vmx->pdptr)))
		memset(vmx->pdptr, 0, sizeof(vmx->pdptr));
}

/* --- The VMCS fields ---------------------------------------------------- */

/* VMCS order of the segment fields: ES CS SS DS FS GS LDTR TR. */
static const u8 vmx_seg_slot[8] = {
	[OKVM_SEG_ES] = 0, [OKVM_SEG_CS] = 1, [OKVM_SEG_SS] = 2,
	[OKVM_SEG_DS] = 3, [OKVM_SEG_FS] = 4, [OKVM_SEG_GS] = 5,
	[OKVM_SEG_LDTR] = 6, [OKVM_SEG_TR] = 7,
};

#define VMX_SEG_FIELD(first, seg)	((first) + 2 * vmx_seg_slot[seg])

/* Control fields that never change for a vCPU; VMCS current. */
void vmx_write_controls(struct okvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_caps.pin);
	if (vmx_caps.cpu & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
		vmcs_write(SECONDARY_VM_EXEC_CONTROL, vmx_caps.cpu2);
	vmcs_write(VM_EXIT_CONTROLS, vmx_caps.exit);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VIRTUAL_APIC_PAGE_ADDR, __pa(vmx->vapic));
	vmcs_write(TPR_THRESHOLD, 0);
	if (vmx->vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	if (vmx_caps.tsc_scaling)
		vmcs_write(TSC_MULTIPLIER, VMX_TSC_RATIO_ONE);
	if (vmx_caps.ple_gap) {
		vmcs_write(PLE_GAP, vmx_caps.ple_gap);
		vmcs_write(PLE_WINDOW, vmx_caps.ple_window);
	}
	vmcs_write(CR0_GUEST_HOST_MASK, vmx_cr0_mask());
	vmcs_write(CR4_GUEST_HOST_MASK, VMX_CR4_MASK);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
}

static void vmx_write_segments(struct vmx_vcpu *vmx)
{
	int i;

	for (i = 0; i < 8; i++) {
		const struct vmx_seg *s = &vmx->seg[i];

		vmcs_write(VMX_SEG_FIELD(GUEST_ES_SELECTOR, i), s->sel);
		vmcs_write(VMX_SEG_FIELD(GUEST_ES_BASE, i), s->base);
		vmcs_write(VMX_SEG_FIELD(GUEST_ES_LIMIT, i), s->limit);
		vmcs_write(VMX_SEG_FIELD(GUEST_ES_AR_BYTES, i), s->ar);
	}
	vmcs_write(GUEST_GDTR_BASE, vmx->gdtr.base);
	vmcs_write(GUEST_GDTR_LIMIT, vmx->gdtr.limit);
	vmcs_write(GUEST_IDTR_BASE, vmx->idtr.base);
	vmcs_write(GUEST_IDTR_LIMIT, vmx->idtr.limit);
}

static void vmx_write_pdptrs(struct vmx_vcpu *vmx)
{
	vmcs_write(GUEST_PDPTR0, vmx->pdptr[0]);
	vmcs_write(GUEST_PDPTR1, vmx->pdptr[1]);
	vmcs_write(GUEST_PDPTR2, vmx->pdptr[2]);
	vmcs_write(GUEST_PDPTR3, vmx->pdptr[3]);
}

/* Everything kvm.ko may have changed since the last exit; VMCS current. */
void vmx_write_guest_state(struct okvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_write_segments(vmx);
	vmcs_write(GUEST_CR0, vmx_hw_cr0(vcpu));
	vmcs_write(CR0_READ_SHADOW, vmx->cr0);
	vmcs_write(GUEST_CR4, vmx_hw_cr4(vcpu));
	vmcs_write(CR4_READ_SHADOW, vmx->cr4);
	if (vmx_caps.ept) {
		vmcs_write(GUEST_CR3, vmx->cr3);
		vmcs_write(EPT_POINTER, vmx->mmu_root | VMX_EPTP_MT_WB |
					VMX_EPTP_PWL_4);
		if (vmx_pae_paging(vcpu))
			vmx_write_pdptrs(vmx);
	} else {
		vmcs_write(GUEST_CR3, vmx->mmu_root);
	}
	vmcs_write(GUEST_DR7, vmx->dr7);
	vmcs_write(GUEST_IA32_EFER, vmx_hw_efer(vcpu));
	vmcs_write(GUEST_IA32_PAT, vmx->pat);
	vmcs_write(GUEST_SYSENTER_CS, vmx->sysenter_cs);
	vmcs_write(GUEST_SYSENTER_ESP, vmx->sysenter_esp);
	vmcs_write(GUEST_SYSENTER_EIP, vmx->sysenter_eip);
	vmx->dirty = false;
}

static void vmx_read_segments(struct vmx_vcpu *vmx)
{
	int i;

	for (i = 0; i < 8; i++) {
		struct vmx_seg *s = &vmx->seg[i];

		s->sel = vmcs_read(VMX_SEG_FIELD(GUEST_ES_SELECTOR, i));
		s->base = vmcs_read(VMX_SEG_FIELD(GUEST_ES_BASE, i));
		s->limit = vmcs_read(VMX_SEG_FIELD(GUEST_ES_LIMIT, i));
		s->ar = vmcs_read(VMX_SEG_FIELD(GUEST_ES_AR_BYTES, i));
	}
	vmx->gdtr.base = vmcs_read(GUEST_GDTR_BASE);
	vmx->gdtr.limit = vmcs_read(GUEST_GDTR_LIMIT);
	vmx->idtr.base = vmcs_read(GUEST_IDTR_BASE);
	vmx->idtr.limit = vmcs_read(GUEST_IDTR_LIMIT);
}

/*
 * What the guest can change without an exit.  (EFER, PAT and SYSENTER_*
 * change only through WRMSR, which always exits; CR4 is fully masked.)
 */
void vmx_read_guest_state(struct okvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 mask = vmx_cr0_mask();

	vcpu->arch.rip = vmcs_read(GUEST_RIP);
	vcpu->arch.regs[OKVM_RSP] = vmcs_read(GUEST_RSP);
	vcpu->arch.rflags = vmcs_read(GUEST_RFLAGS);
	vmx_read_segments(vmx);
	vmx->cr0 = (vmx->cr0 & mask) | (vmcs_read(GUEST_CR0) & ~mask);
	if (vmx_caps.ept)
		vmx->cr3 = vmcs_read(GUEST_CR3);
	vmx->dr7 = vmcs_read(GUEST_DR7);
	vmx->intr_state = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
	if (vmx_caps.ept && vmx_pae_paging(vcpu)) {
		vmx->pdptr[0] = vmcs_read(GUEST_PDPTR0);
		vmx->pdptr[1] = vmcs_read(GUEST_PDPTR1);
		vmx->pdptr[2] = vmcs_read(GUEST_PDPTR2);
		vmx->pdptr[3] = vmcs_read(GUEST_PDPTR3);
	}
}

/* --- Reset ---------------------------------------------------------------- */

static void vmx_init_seg(struct vmx_seg *s, u16 sel, u32 ar, u64 base)
{
	s->sel = sel;
	s->ar = ar;
	s->limit = 0xffff;
	s->base = base;
}

/* Power-on and INIT state (they differ only outside the VMCS). */
void vmx_vcpu_reset(struct okvm_vcpu *vcpu, bool init)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int i;

	vmx->fresh = true;
	vmx->dirty = true;
	vmx->cpu_ctl = vmx_caps.cpu;
	if (vcpu->arch.debug_live)
		vmx->cpu_ctl &= ~CPU_BASED_MOV_DR_EXITING;
	vmx->entry_ctl = vmx_caps.entry;
	vmx->exceptions = BIT(X86_TRAP_MC);
	if (!vmx_caps.ept)
		vmx->exceptions |= BIT(X86_TRAP_PF);
	for (i = 0; i < 8; i++)
		vmx_init_seg(&vmx->seg[i], 0, 0x93, 0);
	vmx_init_seg(&vmx->seg[OKVM_SEG_CS], 0xf000, 0x9b, 0xffff0000);
	vmx_init_seg(&vmx->seg[OKVM_SEG_LDTR], 0, 0x82, 0);
	vmx_init_seg(&vmx->seg[OKVM_SEG_TR], 0, 0x8b, 0);
	vmx_init_seg(&vmx->gdtr, 0, 0, 0);
	vmx_init_seg(&vmx->idtr, 0, 0, 0);
	vmx->cr0 = X86_CR0_NW | X86_CR0_CD | X86_CR0_ET;
	vmx->cr2 = vmx->cr3 = vmx->cr4 = vmx->efer = 0;
	vmx->dr6 = OKVM_DR6_INIT;
	vmx->dr7 = OKVM_DR7_INIT;
	vmx->pat = OKVM_PAT_INIT;
	vmx->sysenter_cs = vmx->sysenter_esp = vmx->sysenter_eip = 0;
	vmx->star = vmx->lstar = vmx->cstar = vmx->sfmask = 0;
	vmx->kernel_gs_base = 0;
	vmx->intr_state = 0;
	memset(vmx->pdptr, 0, sizeof(vmx->pdptr));
	vmx_set_tpr(vcpu, 0);
	vmx_set_mmu_root(vcpu, okvm_mmu_root_pa(vcpu));
}

/* --- Segments ------------------------------------------------------------ */

void vmx_get_segment(struct okvm_vcpu *vcpu, struct kvm_segment *var, int seg)
{
	const struct vmx_seg *s = &to_vmx(vcpu)->seg[seg];
	u32 ar = s->ar;

	memset(var, 0, sizeof(*var));
	var->base = s->base;
	var->limit = s->limit;
	var->selector = s->sel;
	var->type = ar & VMX_AR_TYPE_MASK;
	var->s = !!(ar & VMX_AR_S_MASK);
	var->dpl = VMX_AR_DPL(ar);
	var->avl = !!(ar & BIT(12));
	var->l = !!(ar & VMX_AR_L_MASK);
	var->db = !!(ar & VMX_AR_DB_MASK);
	var->g = !!(ar & VMX_AR_G_MASK);
	var->unusable = !!(ar & VMX_AR_UNUSABLE_MASK);
	var->present = (ar & VMX_AR_P_MASK) && !var->unusable;
}

/*
 * Access rights in VMCS form.  A loaded code/data segment always has its
 * accessed bit set and a loaded TSS is busy: the CPU did that when the
 * guest loaded it, and VM entry insists on it.
 */
static u32 vmx_seg_ar(const struct kvm_segment *var, int seg)
{
	u32 ar = (var->type & VMX_AR_TYPE_MASK) |
		 (var->s & 1) << 4 | (var->dpl & 3) << VMX_AR_DPL_SHIFT |
		 (var->present & 1) << 7 | (var->avl & 1) << 12 |
		 (var->l & 1) << 13 | (var->db & 1) << 14 | (var->g & 1) << 15;

	if (var->unusable || !var->present)
		return ar | VMX_AR_UNUSABLE_MASK;
	if (var->s)
		ar |= VMX_AR_TYPE_ACCESSES_MASK;
	else if (seg == OKVM_SEG_TR)
		ar |= 2;	/* busy */
	return ar;
}

void vmx_set_segment(struct okvm_vcpu *vcpu, const struct kvm_segment *var,
		     int seg)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_seg *s = &vmx->seg[seg];

	s->base = var->base;
	s->limit = var->limit;
	s->sel = var->selector;
	s->ar = vmx_seg_ar(var, seg);
	vmx->dirty = true;
}

void vmx_get_dtable(struct okvm_vcpu *vcpu, struct kvm_dtable *dt, bool idt)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	const struct vmx_seg *t = idt ? &vmx->idtr : &vmx->gdtr;

	dt->base = t->base;
	dt->limit = t->limit;
}

void vmx_set_dtable(struct okvm_vcpu *vcpu, const struct kvm_dtable *dt,
		    bool idt)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_seg *t = idt ? &vmx->idtr : &vmx->gdtr;

	t->base = dt->base;
	t->limit = dt->limit;
	vmx->dirty = true;
}

/* --- Control registers, EFER, debug registers ------------------------- */

u64 vmx_get_cr(struct okvm_vcpu *vcpu, int cr)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	switch (cr) {
	case 0: return vmx->cr0;
	case 2: return vmx->cr2;
	case 3: return vmx->cr3;
	case 4: return vmx->cr4;
	default: return 0;
	}
}

void vmx_set_cr(struct okvm_vcpu *vcpu, int cr, u64 val)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	switch (cr) {
	case 0: vmx->cr0 = val; break;
	case 2: vmx->cr2 = val; return;	/* not in the VMCS */
	case 3: vmx->cr3 = val; break;
	case 4: vmx->cr4 = val; break;
	default: return;
	}
	vmx->dirty = true;
	vmx_refresh_pdptrs(vcpu);
}

u64 vmx_get_efer(struct okvm_vcpu *vcpu)
{
	return to_vmx(vcpu)->efer;
}

void vmx_set_efer(struct okvm_vcpu *vcpu, u64 efer)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->efer = efer;
	if (efer & EFER_LMA)
		vmx->entry_ctl |= VM_ENTRY_IA32E_MODE;
	else
		vmx->entry_ctl &= ~VM_ENTRY_IA32E_MODE;
	vmx->dirty = true;
	vmx_refresh_pdptrs(vcpu);
}

u64 vmx_get_dr(struct okvm_vcpu *vcpu, int dr)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	return dr == 6 ? vmx->dr6 : vmx->dr7;
}

void vmx_set_dr(struct okvm_vcpu *vcpu, int dr, u64 val)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (dr == 6) {
		vmx->dr6 = val;
	} else {
		vmx->dr7 = val;
		vmx->dirty = true;
	}
}

/* CPL: 0 in real mode, 3 in virtual-8086 mode, else SS.DPL. */
int vmx_get_cpl(struct okvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (!(vmx->cr0 & X86_CR0_PE))
		return 0;
	if (vcpu->arch.rflags & X86_EFLAGS_VM)
		return 3;
	return VMX_AR_DPL(vmx->seg[OKVM_SEG_SS].ar);
}

/* --- MSRs ------------------------------------------------------------------ */

/* MSRs whose guest value lives in the VMCS or is switched by vmx_run(). */
static u64 *vmx_msr_slot(struct vmx_vcpu *vmx, u32 index)
{
	switch (index) {
	case MSR_STAR: return &vmx->star;
	case MSR_LSTAR: return &vmx->lstar;
	case MSR_CSTAR: return &vmx->cstar;
	case MSR_SYSCALL_MASK: return &vmx->sfmask;
	case MSR_KERNEL_GS_BASE: return &vmx->kernel_gs_base;
	case MSR_FS_BASE: return &vmx->seg[OKVM_SEG_FS].base;
	case MSR_GS_BASE: return &vmx->seg[OKVM_SEG_GS].base;
	case MSR_IA32_SYSENTER_CS: return &vmx->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP: return &vmx->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP: return &vmx->sysenter_eip;
	case MSR_IA32_CR_PAT: return &vmx->pat;
	default: return NULL;
	}
}

int vmx_get_msr(struct okvm_vcpu *vcpu, u32 index, u64 *data)
{
	u64 *slot = vmx_msr_slot(to_vmx(vcpu), index);

	if (!slot)
		return 1;
	*data = *slot;
	return 0;
}

int vmx_set_msr(struct okvm_vcpu *vcpu, u32 index, u64 data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 *slot = vmx_msr_slot(vmx, index);

	if (!slot)
		return 1;
	*slot = data;
	vmx->dirty = true;
	return 0;
}

/* No feature MSR of VMX's own: the VMX capability MSRs need nested VMX. */
int vmx_get_msr_feature(u32 index, u64 *data)
{
	return 1;
}

/* The guest touched a debug register: let it own DR0-7 from now on. */
void vmx_open_debug_regs(struct okvm_vcpu *vcpu)
{
	to_vmx(vcpu)->cpu_ctl &= ~CPU_BASED_MOV_DR_EXITING;
}

/* Written to the VMCS at the next entry (vmx_prepare_entry()). */
void vmx_set_db_intercept(struct okvm_vcpu *vcpu, bool on)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (on)
		vmx->exceptions |= BIT(X86_TRAP_DB);
	else
		vmx->exceptions &= ~BIT(X86_TRAP_DB);
}

/* The EPT root, or without EPT the shadow table the hardware CR3 holds. */
void vmx_set_mmu_root(struct okvm_vcpu *vcpu, u64 root_pa)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->mmu_root = root_pa;
	vmx->dirty = true;
}

/* --- TPR and events ------------------------------------------------------ */

/* CR8 is the TPR shadow: bits 7:4 of the virtual-APIC page's VTPR. */
#define VMX_VTPR	0x80

u8 vmx_get_tpr(struct okvm_vcpu *vcpu)
{
	return READ_ONCE(to_vmx(vcpu)->vapic[VMX_VTPR]) >> 4;
}

void vmx_set_tpr(struct okvm_vcpu *vcpu, u8 tpr)
{
	WRITE_ONCE(to_vmx(vcpu)->vapic[VMX_VTPR], (tpr & 0xf) << 4);
}

bool vmx_get_interrupt_shadow(struct okvm_vcpu *vcpu)
{
	return to_vmx(vcpu)->intr_state &
	       (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
}

void vmx_set_interrupt_shadow(struct okvm_vcpu *vcpu, bool shadow)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->intr_state &= ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
	if (shadow)
		vmx->intr_state |= GUEST_INTR_STATE_STI;
}

void vmx_set_irq_window(struct okvm_vcpu *vcpu, bool on)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (on)
		vmx->cpu_ctl |= CPU_BASED_INTR_WINDOW_EXITING;
	else
		vmx->cpu_ctl &= ~CPU_BASED_INTR_WINDOW_EXITING;
}

/*
 * Virtual NMIs: the CPU keeps "blocking by NMI" from an injected NMI until
 * the guest's IRET.  While kvm.ko considers NMIs masked we keep the bit
 * set and ask for an NMI-window exit, which comes right after that IRET
 * and is reported as OKVM_X_IRET.
 */
void vmx_set_nmi_mask(struct okvm_vcpu *vcpu, bool masked)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (masked) {
		vmx->intr_state |= GUEST_INTR_STATE_NMI;
		vmx->cpu_ctl |= CPU_BASED_NMI_WINDOW_EXITING;
	} else {
		vmx->intr_state &= ~GUEST_INTR_STATE_NMI;
		vmx->cpu_ctl &= ~CPU_BASED_NMI_WINDOW_EXITING;
	}
}

bool vmx_interrupt_allowed(struct okvm_vcpu *vcpu)
{
	return (vcpu->arch.rflags & X86_EFLAGS_IF) &&
	       !vmx_get_interrupt_shadow(vcpu);
}

/* VM entry refuses an NMI under a MOV SS shadow (and STI on some CPUs). */
bool vmx_nmi_allowed(struct okvm_vcpu *vcpu)
{
	return !vmx_get_interrupt_shadow(vcpu);
}

/* The TPR-below-threshold exit: VTPR[7:4] dropping under @prio. */
void vmx_update_cr8_intercept(struct okvm_vcpu *vcpu, int prio)
{
	to_vmx(vcpu)->tpr_threshold = prio & 0xf;
}
