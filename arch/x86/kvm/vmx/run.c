// SPDX-License-Identifier: GPL-2.0-only
/*
 * One guest entry: loading the VMCS, host state, event injection, TLB
 * tags, the MSRs and registers VMX does not switch, VMLAUNCH itself, and
 * what has to be put back after the exit.  Runs with IRQs and preemption
 * disabled.
 *
 * The VMCS is VMPTRLDed at the start and VMCLEARed at the end of every
 * run (see vmx.h), so a vCPU may run on another CPU next time without an
 * IPI: the price is a VMCLEAR, a VMPTRLD and a VMLAUNCH per entry.
 *
 * Host interrupts: "external-interrupt exiting" without "acknowledge
 * interrupt on exit", so an interrupt that arrives while the guest runs
 * stays pending in the local APIC and is taken when kvm.ko enables IRQs
 * again.  An NMI exit leaves NMIs blocked; we run the host's NMI handler
 * with INT 2, whose IRET unblocks them.  A machine check goes to the
 * host's #MC handler with INT 18, as kvm-amd does.
 */
#include <linux/percpu.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>

#include "vmx.h"

/* Host state a VM exit does not restore, saved around the entry. */
struct vmx_host_save {
	struct desc_ptr gdt, idt;
	u64 fs_base, kernel_gs_base;
	unsigned long debugctl;
	u16 ds, es, fs, gs, ldt;
};

/* --- Host state in the VMCS ------------------------------------------ */

/* The base of the TSS that TR selects, from its GDT descriptor. */
static u64 vmx_tss_base(const struct desc_ptr *gdt, u16 tr)
{
	const u8 *d = (const u8 *)gdt->address + (tr & ~7);

	return d[2] | d[3] << 8 | d[4] << 16 | (u64)d[7] << 24 |
	       (u64)*(const u32 *)(d + 8) << 32;
}

/* Host fields that are the same on every CPU. */
static void vmx_write_host_constants(void)
{
	vmcs_write(HOST_RIP, (unsigned long)__vmx_vmexit);
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_IA32_EFER, vmx_caps.host_efer);
	vmcs_write(HOST_IA32_PAT, vmx_caps.host_pat);
}

/* Host fields of this CPU: descriptor tables, TSS, per-CPU GS base. */
static void vmx_write_host_cpu(void)
{
	struct desc_ptr gdt, idt;
	u64 val;
	u16 tr;

	native_store_gdt(&gdt);
	store_idt(&idt);
	asm volatile("str %0" : "=rm" (tr));
	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_GDTR_BASE, gdt.address);
	vmcs_write(HOST_IDTR_BASE, idt.address);
	vmcs_write(HOST_TR_SELECTOR, tr);
	vmcs_write(HOST_TR_BASE, vmx_tss_base(&gdt, tr));
	rdmsrl(MSR_GS_BASE, val);
	vmcs_write(HOST_GS_BASE, val);
	rdmsrl(MSR_IA32_SYSENTER_CS, val);
	vmcs_write(HOST_IA32_SYSENTER_CS, val);
	rdmsrl(MSR_IA32_SYSENTER_ESP, val);
	vmcs_write(HOST_IA32_SYSENTER_ESP, val);
	rdmsrl(MSR_IA32_SYSENTER_EIP, val);
	vmcs_write(HOST_IA32_SYSENTER_EIP, val);
}

/* CR3 and CR4 change with the task and with the kernel's CR4 shadow. */
static void vmx_write_host_cr(struct vmx_vcpu *vmx)
{
	u64 cr3 = __read_cr3(), cr4 = cr4_read_shadow();

	if (cr3 != vmx->host_cr3) {
		vmcs_write(HOST_CR3, cr3);
		vmx->host_cr3 = cr3;
	}
	if (cr4 != vmx->host_cr4) {
		vmcs_write(HOST_CR4, cr4);
		vmx->host_cr4 = cr4;
	}
}

/* --- Guest entry state -------------------------------------------------- */

/* Exceptions that push an error code in protected mode. */
#define VMX_ERROR_CODE_VECTORS	(BIT(X86_TRAP_DF) | BIT(X86_TRAP_TS) | \
				 BIT(X86_TRAP_NP) | BIT(X86_TRAP_SS) | \
				 BIT(X86_TRAP_GP) | BIT(X86_TRAP_PF) | \
				 BIT(X86_TRAP_AC) | BIT(21))

/*
 * The event of this entry.  VM entry is strict where SVM is not: the
 * error-code bit must match the vector and CR0.PE, and an injected NMI or
 * interrupt must not be blocked by a MOV SS/STI shadow or (NMI) by NMI
 * blocking; the injection ends those shadows anyway.
 */
static void vmx_inject_event(struct okvm_vcpu *vcpu, struct vmx_vcpu *vmx)
{
	struct okvm_event *ev = &vcpu->arch.event;
	u32 info = 0;

	if (ev->pending) {
		info = ev->vector | INTR_INFO_VALID_MASK;
		switch (ev->type) {
		case OKVM_EVENT_NMI:
			info |= INTR_TYPE_NMI_INTR;
			vmx->intr_state &= ~(GUEST_INTR_STATE_NMI |
					     GUEST_INTR_STATE_MOV_SS);
			break;
		case OKVM_EVENT_INTR:
			info |= INTR_TYPE_EXT_INTR;
			vmx->intr_state &= ~(GUEST_INTR_STATE_STI |
					     GUEST_INTR_STATE_MOV_SS);
			break;
		default:
			info |= INTR_TYPE_HARD_EXCEPTION;
			if ((vmx->cr0 & X86_CR0_PE) && ev->vector < 32 &&
			    (VMX_ERROR_CODE_VECTORS & BIT(ev->vector))) {
				info |= INTR_INFO_DELIVER_CODE_MASK;
				vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE,
					   ev->error);
			}
			break;
		}
		ev->pending = false;
	}
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
}

/* An STI shadow needs RFLAGS.IF, and STI and MOV SS never stack. */
static u32 vmx_entry_intr_state(struct okvm_vcpu *vcpu, struct vmx_vcpu *vmx)
{
	u32 s = vmx->intr_state;

	if (!(vcpu->arch.rflags & X86_EFLAGS_IF) ||
	    (s & GUEST_INTR_STATE_MOV_SS))
		s &= ~GUEST_INTR_STATE_STI;
	return s;
}

/* Everything the VMCS needs before this entry; VMCS current. */
static void vmx_prepare_entry(struct okvm_vcpu *vcpu, int cpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (vmx->fresh) {
		vmx_write_controls(vcpu);
		vmx_write_host_constants();
		vmx->host_cpu = -1;
		vmx->host_cr3 = vmx->host_cr4 = 0;
		vmx->dirty = true;
		vmx->fresh = false;
	}
	if (vmx->host_cpu != cpu) {
		vmx_write_host_cpu();
		vmx->host_cpu = cpu;
	}
	vmx_write_host_cr(vmx);
	if (vmx->dirty)
		vmx_write_guest_state(vcpu);
	vmcs_write(GUEST_RIP, vcpu->arch.rip);
	vmcs_write(GUEST_RSP, vcpu->arch.regs[OKVM_RSP]);
	vmcs_write(GUEST_RFLAGS, vcpu->arch.rflags);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx->cpu_ctl);
	vmcs_write(EXCEPTION_BITMAP, vmx->exceptions);
	vmcs_write(TPR_THRESHOLD, vmx->tpr_threshold);
	vmcs_write(VM_ENTRY_CONTROLS, vmx->entry_ctl);
	vmcs_write(TSC_OFFSET, vcpu->arch.tsc_offset);
	vmx_inject_event(vcpu, vmx);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, vmx_entry_intr_state(vcpu, vmx));
}

/*
 * Guest translations tagged with this vCPU's EPTP and VPID may be stale on
 * this CPU when it asks for a flush or arrives from another CPU.
 */
static void vmx_flush_guest_tlb(struct vmx_vcpu *vmx)
{
	u64 cap = vmx_caps.ept_vpid;

	if (vmx_caps.ept) {
		u64 eptp = vmx->mmu_root | VMX_EPTP_MT_WB | VMX_EPTP_PWL_4;

		if (cap & VMX_EPT_EXTENT_CONTEXT_BIT)
			vmx_invept(VMX_EPT_EXTENT_CONTEXT, eptp);
		else
			vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	}
	if (vmx->vpid) {
		if (cap & ((u64)VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT << 32))
			vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, vmx->vpid);
		else
			vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
	}
}

/* --- Around VMLAUNCH ----------------------------------------------------- */

static void vmx_save_host(struct vmx_host_save *h)
{
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	asm volatile("sldt %0" : "=rm" (h->ldt));
	native_store_gdt(&h->gdt);
	store_idt(&h->idt);
	rdmsrl(MSR_FS_BASE, h->fs_base);
	vmcs_write(HOST_FS_BASE, h->fs_base);
	rdmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	h->debugctl = vmx_caps.debugctl ? get_debugctlmsr() : 0;
}

/*
 * A VM exit leaves DS/ES/FS/GS null, the GDT and IDT limits at 0xffff,
 * no LDT, the TSS limit at 0x67 and DEBUGCTL clear.
 */
static void vmx_restore_host(const struct vmx_host_save *h)
{
	native_load_gdt(&h->gdt);
	native_load_idt(&h->idt);
	if (h->ldt)
		asm volatile("lldt %0" : : "rm" (h->ldt));
	invalidate_tss_limit();
	if (h->ds)
		loadsegment(ds, h->ds);
	if (h->es)
		loadsegment(es, h->es);
	if (h->fs) {
		loadsegment(fs, h->fs);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
	if (h->gs)
		load_gs_index(h->gs);
	if (h->debugctl)
		update_debugctlmsr(h->debugctl);
}

/* The syscall MSRs and TSC_AUX are the guest's while it runs. */
static void vmx_load_guest_msrs(struct okvm_vcpu *vcpu, struct vmx_cpu *vc)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	wrmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	if (vmx->star != vc->star)
		wrmsrl(MSR_STAR, vmx->star);
	if (vmx->lstar != vc->lstar)
		wrmsrl(MSR_LSTAR, vmx->lstar);
	if (vmx->cstar != vc->cstar)
		wrmsrl(MSR_CSTAR, vmx->cstar);
	if (vmx->sfmask != vc->sfmask)
		wrmsrl(MSR_SYSCALL_MASK, vmx->sfmask);
	if (vmx_caps.rdtscp && vcpu->arch.msrs.tsc_aux != vc->tsc_aux)
		wrmsrl(MSR_TSC_AUX, vcpu->arch.msrs.tsc_aux);
}

static void vmx_load_host_msrs(struct okvm_vcpu *vcpu, struct vmx_cpu *vc,
			       const struct vmx_host_save *h)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	if (vmx->star != vc->star)
		wrmsrl(MSR_STAR, vc->star);
	if (vmx->lstar != vc->lstar)
		wrmsrl(MSR_LSTAR, vc->lstar);
	if (vmx->cstar != vc->cstar)
		wrmsrl(MSR_CSTAR, vc->cstar);
	if (vmx->sfmask != vc->sfmask)
		wrmsrl(MSR_SYSCALL_MASK, vc->sfmask);
	if (vmx_caps.rdtscp && vcpu->arch.msrs.tsc_aux != vc->tsc_aux)
		wrmsrl(MSR_TSC_AUX, vc->tsc_aux);
}

static void vmx_load_guest_debug(struct okvm_vcpu *vcpu)
{
	okvm_load_guest_dr0_3(vcpu->arch.debug_regs);
	set_debugreg(to_vmx(vcpu)->dr6, 6);
}

/* Take the guest's DR0-3/DR6 back; the exit left DR7 at 0x400. */
static void vmx_restore_host_debug(struct okvm_vcpu *vcpu)
{
	if (vcpu->arch.debug_live) {
		okvm_save_guest_dr0_3(vcpu->arch.debug_regs);
		get_debugreg(to_vmx(vcpu)->dr6, 6);
		set_debugreg(DR6_RESERVED, 6);
	}
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
}

/* The world switch proper; 0 after a VM exit, 1 if VMLAUNCH failed. */
static int vmx_enter(struct okvm_vcpu *vcpu)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_host_save h;
	int failed;

	vmx_save_host(&h);
	vmx_load_guest_msrs(vcpu, vc);
	if (vcpu->arch.debug_live)
		vmx_load_guest_debug(vcpu);
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);

	failed = __vmx_vcpu_run(vcpu->arch.regs);

	vmx->cr2 = native_read_cr2();
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	vmx_restore_host(&h);
	vmx_load_host_msrs(vcpu, vc, &h);
	vmx_restore_host_debug(vcpu);
	return failed;
}

/* --- After the exit --------------------------------------------------- */

static void vmx_read_exit_info(struct vmx_exit_info *e)
{
	e->result = VMX_ENTERED;
	e->reason = vmcs_read(VM_EXIT_REASON);
	e->qual = vmcs_read(EXIT_QUALIFICATION);
	e->intr_info = vmcs_read(VM_EXIT_INTR_INFO);
	e->intr_error = vmcs_read(VM_EXIT_INTR_ERROR_CODE);
	e->idt_info = vmcs_read(IDT_VECTORING_INFO_FIELD);
	e->idt_error = vmcs_read(IDT_VECTORING_ERROR_CODE);
	e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	e->insn_info = vmcs_read(VMX_INSTRUCTION_INFO);
	e->gpa = vmx_caps.ept ? vmcs_read(GUEST_PHYSICAL_ADDRESS) : 0;
}

/* Host NMIs and machine checks that arrived as exits. */
static void vmx_host_events(const struct vmx_exit_info *e)
{
	u32 type = e->intr_info & INTR_INFO_INTR_TYPE_MASK;
	u8 vector = e->intr_info & INTR_INFO_VECTOR_MASK;

	if (e->result != VMX_ENTERED)
		return;
	if ((u16)e->reason == EXIT_REASON_MCE_DURING_VMENTRY) {
		asm volatile("int $0x12");
		return;
	}
	if ((u16)e->reason != EXIT_REASON_EXCEPTION_NMI ||
	    !(e->intr_info & INTR_INFO_VALID_MASK))
		return;
	if (type == INTR_TYPE_NMI_INTR)
		asm volatile("int $0x02");
	else if (type == INTR_TYPE_HARD_EXCEPTION && vector == X86_TRAP_MC)
		asm volatile("int $0x12");
}

/* Without unrestricted guest, VMX cannot run real mode (or, with EPT,
 * unpaged protected mode). */
static bool vmx_must_refuse(struct vmx_vcpu *vmx)
{
	if (vmx_caps.ug)
		return false;
	return !(vmx->cr0 & X86_CR0_PE) ||
	       (vmx_caps.ept && !(vmx->cr0 & X86_CR0_PG));
}

void vmx_run(struct okvm_vcpu *vcpu, bool flush_tlb, bool moved)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_exit_info *e = &vmx->exit;

	memset(e, 0, sizeof(*e));
	e->result = VMX_REFUSED;
	if (vmx_must_refuse(vmx))
		return;
	/* A VMCS region is VMCLEARed once before its first VMPTRLD. */
	if (vmx->fresh)
		vmx_vmclear(vmx->vmcs_pa);
	e->result = VMX_VMFAIL;
	if (vmx_vmptrld(vmx->vmcs_pa))
		return;
	vmx_prepare_entry(vcpu, smp_processor_id());
	if (flush_tlb || moved)
		vmx_flush_guest_tlb(vmx);

	if (vmx_enter(vcpu)) {
		e->vm_insn_error = vmcs_read(VM_INSTRUCTION_ERROR);
	} else {
		vmx_read_exit_info(e);
		vmx_read_guest_state(vcpu);
	}
	vmx_vmclear(vmx->vmcs_pa);
	vmx_host_events(e);
}
