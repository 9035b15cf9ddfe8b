// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvm-intel.ko: Intel VMX.  Detection, the controls we run with (computed
 * from the capability MSRs), per-CPU VMXON, VPIDs, vCPU control structures
 * and the ops table handed to kvm.ko.
 *
 * Without unrestricted guest (module parameter unrestricted_guest=0, or a
 * CPU without it, or ept=0, which it needs) real mode is not supported:
 * entering a vCPU whose CR0.PE is clear (or, with EPT, whose CR0.PG is
 * clear) exits with KVM_EXIT_INTERNAL_ERROR instead of entering.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>

#include "vmx.h"
#include "vendor.h"

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("okvm: Intel VMX back end");

static bool ept = true;
module_param(ept, bool, 0444);
MODULE_PARM_DESC(ept, "use extended page tables (EPT); 0 selects shadow paging");

static bool vpid = true;
module_param(vpid, bool, 0444);
MODULE_PARM_DESC(vpid, "tag guest TLB entries with VPIDs");

static bool unrestricted_guest = true;
module_param(unrestricted_guest, bool, 0444);
MODULE_PARM_DESC(unrestricted_guest,
		 "run real mode and unpaged guests natively (needs EPT)");

/*
 * Pause-loop exiting: a guest that spins on PAUSE (a lock, a wait for
 * another vCPU) exits after ple_window cycles of PAUSEs no more than
 * ple_gap cycles apart, so the host can run someone else, the vCPU the
 * spinner waits for among them.
 */
static unsigned int ple_gap = 128;
module_param(ple_gap, uint, 0444);
MODULE_PARM_DESC(ple_gap, "pause-loop exiting: max cycles between PAUSEs of one loop (0: off)");

static unsigned int ple_window = 4096;
module_param(ple_window, uint, 0444);
MODULE_PARM_DESC(ple_window, "pause-loop exiting: cycles a loop may spin before it exits");

struct vmx_caps vmx_caps;
DEFINE_PER_CPU(struct vmx_cpu, vmx_cpus);

void vmx_insn_failed(const char *insn, u64 arg)
{
	pr_warn_ratelimited("kvm_intel: %s %#llx failed\n", insn, arg);
}

/* --- Hardware --------------------------------------------------------- */

static __always_inline int vmx_vmxon(u64 pa)
{
	asm goto("vmxon %[pa]\n\t"
		 "jbe %l[fail]"
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

#ifndef OKVM_HAVE_X86_VIRT_REF	/* since 7.x the kernel does this */
/* Firmware may leave IA32_FEATURE_CONTROL unlocked: enable and lock it. */
static int vmx_feature_control(void)
{
	u64 fc;

	rdmsrl(MSR_IA32_FEAT_CTL, fc);
	if (!(fc & FEAT_CTL_LOCKED)) {
		fc |= FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX;
		wrmsrl(MSR_IA32_FEAT_CTL, fc);
	}
	return fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX ? 0 : -EOPNOTSUPP;
}
#endif

/* Drop every guest translation a previous VMX user may have left. */
static void vmx_flush_all(void)
{
	u64 cap = vmx_caps.ept_vpid;

	if ((cap & VMX_EPT_INVEPT_BIT) && (cap & VMX_EPT_EXTENT_GLOBAL_BIT))
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	if ((cap & ((u64)VMX_VPID_INVVPID_BIT << 32)) &&
	    (cap & ((u64)VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT << 32)))
		vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
}

/*
 * VMXON on this CPU.  Since 7.x the kernel owns VMX operation (its own
 * VMXON region and CR4.VMXE) and counts its users (compat/compat.h);
 * before, we enter it ourselves unless another hypervisor already did.
 */
static int vmx_vmxon_cpu(struct vmx_cpu *vc)
{
#ifdef OKVM_HAVE_X86_VIRT_REF
	return x86_virt_get_ref(X86_FEATURE_VMX);
#else
	int r;

	r = vmx_feature_control();
	if (r)
		return r;
	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;	/* another hypervisor owns this CPU */
	*(u32 *)page_address(vc->vmxon) = vmx_caps.revision;
	cr4_set_bits(X86_CR4_VMXE);
	if (vmx_vmxon(page_to_phys(vc->vmxon))) {
		cr4_clear_bits(X86_CR4_VMXE);
		return -EIO;
	}
	return 0;
#endif
}

static void vmx_vmxoff_cpu(void)
{
#ifdef OKVM_HAVE_X86_VIRT_REF
	x86_virt_put_ref(X86_FEATURE_VMX);
#else
	asm volatile("vmxoff" ::: "cc", "memory");
	cr4_clear_bits(X86_CR4_VMXE);
#endif
}

static int vmx_hardware_enable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);
	int r;

	r = vmx_vmxon_cpu(vc);
	if (r)
		return r;
	vmx_flush_all();
	rdmsrl(MSR_STAR, vc->star);
	rdmsrl(MSR_LSTAR, vc->lstar);
	rdmsrl(MSR_CSTAR, vc->cstar);
	rdmsrl(MSR_SYSCALL_MASK, vc->sfmask);
	if (vmx_caps.rdtscp)
		rdmsrl(MSR_TSC_AUX, vc->tsc_aux);
	vc->enabled = true;
	return 0;
}

/*
 * No VMCS is ever active outside vmx_run() (which VMCLEARs it before
 * returning, with preemption still off), so there is nothing to VMCLEAR.
 */
static void vmx_hardware_disable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);

	if (!vc->enabled)
		return;
	vmx_vmxoff_cpu();
	vc->enabled = false;
}

/* --- VM --------------------------------------------------------------- */

static int vmx_vm_init(struct okvm_vm *vm)
{
	return 0;
}

static void vmx_vm_destroy(struct okvm_vm *vm)
{
}

/* --- vCPU lifecycle --------------------------------------------------- */

static DEFINE_SPINLOCK(vmx_vpid_lock);
static DECLARE_BITMAP(vmx_vpid_used, VMX_NR_VPIDS);

/* A free VPID into *out (0 when VPIDs are off); -ENOSPC if none is left. */
static int vmx_alloc_vpid(u16 *out)
{
	unsigned long id;

	*out = 0;
	if (!vmx_caps.vpid)
		return 0;
	spin_lock(&vmx_vpid_lock);
	id = find_next_zero_bit(vmx_vpid_used, VMX_NR_VPIDS, 1);
	if (id < VMX_NR_VPIDS)
		__set_bit(id, vmx_vpid_used);
	spin_unlock(&vmx_vpid_lock);
	if (id >= VMX_NR_VPIDS)
		return -ENOSPC;
	*out = id;
	return 0;
}

static void vmx_free_vpid(u16 id)
{
	if (!id)
		return;
	spin_lock(&vmx_vpid_lock);
	__clear_bit(id, vmx_vpid_used);
	spin_unlock(&vmx_vpid_lock);
}

static void vmx_free_pages(struct vmx_vcpu *vmx)
{
	if (vmx->vmcs)
		free_page((unsigned long)vmx->vmcs);
	if (vmx->vapic)
		free_page((unsigned long)vmx->vapic);
}

static int vmx_vcpu_create(struct okvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx;
	int r = -ENOMEM;

	vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	if (!vmx)
		return -ENOMEM;
	vmx->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vmx->vapic = (u8 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmx->vmcs || !vmx->vapic)
		goto fail;
	r = vmx_alloc_vpid(&vmx->vpid);
	if (r)
		goto fail;
	*(u32 *)vmx->vmcs = vmx_caps.revision;
	vmx->vmcs_pa = __pa(vmx->vmcs);
	vmx->host_cpu = -1;
	vmx->fresh = true;
	vcpu->arch.vendor = vmx;
	return 0;

fail:
	vmx_free_pages(vmx);
	kfree(vmx);
	return r;
}

static void vmx_vcpu_free(struct okvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_free_vpid(vmx->vpid);
	vmx_free_pages(vmx);
	kfree(vmx);
	vcpu->arch.vendor = NULL;
}

static struct okvm_x86_ops vmx_ops = {
	.name = "kvm_intel",
	.trace_isa = OKVM_ISA_VMX,
	.hardware_enable = vmx_hardware_enable,
	.hardware_disable = vmx_hardware_disable,
	.vm_init = vmx_vm_init,
	.vm_destroy = vmx_vm_destroy,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_free = vmx_vcpu_free,
	.vcpu_reset = vmx_vcpu_reset,
	.get_segment = vmx_get_segment,
	.set_segment = vmx_set_segment,
	.get_dtable = vmx_get_dtable,
	.set_dtable = vmx_set_dtable,
	.get_cr = vmx_get_cr,
	.set_cr = vmx_set_cr,
	.get_efer = vmx_get_efer,
	.set_efer = vmx_set_efer,
	.get_dr = vmx_get_dr,
	.set_dr = vmx_set_dr,
	.get_cpl = vmx_get_cpl,
	.get_msr = vmx_get_msr,
	.set_msr = vmx_set_msr,
	.get_msr_feature = vmx_get_msr_feature,
	.open_debug_regs = vmx_open_debug_regs,
	.get_tpr = vmx_get_tpr,
	.set_tpr = vmx_set_tpr,
	.get_interrupt_shadow = vmx_get_interrupt_shadow,
	.set_interrupt_shadow = vmx_set_interrupt_shadow,
	.set_irq_window = vmx_set_irq_window,
	.set_nmi_mask = vmx_set_nmi_mask,
	.interrupt_allowed = vmx_interrupt_allowed,
	.nmi_allowed = vmx_nmi_allowed,
	.set_db_intercept = vmx_set_db_intercept,
	.update_cr8_intercept = vmx_update_cr8_intercept,
	.run = vmx_run,
	.decode_exit = vmx_decode_exit,
	.exit_repeats = vmx_exit_repeats,
	.set_mmu_root = vmx_set_mmu_root,
	.tdp_levels = 4,
};

/* --- Capabilities ------------------------------------------------------ */

/*
 * A control word from its capability MSR: the low half has the bits that
 * must be 1, the high half those that may be 1.  'need' must be possible,
 * 'want' is taken where possible.  *may1 gets the allowed-1 bits.
 */
static int vmx_adjust(u32 msr, u32 need, u32 want, u32 *ctl, u32 *may1)
{
	u64 v;

	rdmsrl(msr, v);
	if (need & ~(u32)(v >> 32))
		return -EOPNOTSUPP;
	*ctl = (need | (want & (u32)(v >> 32))) | (u32)v;
	if (may1)
		*may1 = v >> 32;
	return 0;
}

static u32 vmx_must1(u32 msr)
{
	u64 v;

	rdmsrl(msr, v);
	return v;
}

#define VMX_NEED_CPU	(CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING | \
			 CPU_BASED_MWAIT_EXITING | CPU_BASED_MONITOR_EXITING | \
			 CPU_BASED_RDPMC_EXITING | CPU_BASED_MOV_DR_EXITING | \
			 CPU_BASED_USE_TSC_OFFSETTING | CPU_BASED_TPR_SHADOW)
#define VMX_SHADOW_CPU	(CPU_BASED_CR3_LOAD_EXITING | \
			 CPU_BASED_CR3_STORE_EXITING | CPU_BASED_INVLPG_EXITING)
#define VMX_TOGGLED_CPU	(CPU_BASED_INTR_WINDOW_EXITING | \
			 CPU_BASED_NMI_WINDOW_EXITING)
#define VMX_NEED_PIN	(PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING | \
			 PIN_BASED_VIRTUAL_NMIS)
#define VMX_NEED_EXIT	(VM_EXIT_HOST_ADDR_SPACE_SIZE | \
			 VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER | \
			 VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT | \
			 VM_EXIT_SAVE_DEBUG_CONTROLS)
#define VMX_NEED_ENTRY	(VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT | \
			 VM_ENTRY_LOAD_DEBUG_CONTROLS)

static bool vmx_ept_usable(u64 cap)
{
	return (cap & VMX_EPT_PAGE_WALK_4_BIT) && (cap & VMX_EPTP_WB_BIT) &&
	       (cap & VMX_EPT_INVEPT_BIT) &&
	       (cap & (VMX_EPT_EXTENT_CONTEXT_BIT | VMX_EPT_EXTENT_GLOBAL_BIT));
}

static bool vmx_vpid_usable(u64 cap)
{
	u32 v = cap >> 32;

	return (v & VMX_VPID_INVVPID_BIT) &&
	       (v & (VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT |
		     VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT));
}

/*
 * Secondary controls: EPT, VPID, unrestricted guest, RDTSCP, TSC scaling,
 * pause-loop exiting.
 */
static int vmx_setup_secondary(struct vmx_caps *c)
{
	u32 want = 0, may1;
	int r;

	r = vmx_adjust(MSR_IA32_VMX_PROCBASED_CTLS2, 0, 0, &c->cpu2, &may1);
	if (r)
		return r;
	if (may1 & (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID))
		rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, c->ept_vpid);
	if (ept && (may1 & SECONDARY_EXEC_ENABLE_EPT) &&
	    vmx_ept_usable(c->ept_vpid))
		want |= SECONDARY_EXEC_ENABLE_EPT;
	if (vpid && (may1 & SECONDARY_EXEC_ENABLE_VPID) &&
	    vmx_vpid_usable(c->ept_vpid))
		want |= SECONDARY_EXEC_ENABLE_VPID;
	if (unrestricted_guest && (want & SECONDARY_EXEC_ENABLE_EPT))
		want |= SECONDARY_EXEC_UNRESTRICTED_GUEST;
	if (boot_cpu_has(X86_FEATURE_RDTSCP))
		want |= SECONDARY_EXEC_ENABLE_RDTSCP;
	/*
	 * TSC scaling at a ratio of 1.0 changes nothing for the guest.  But
	 * under Bochs 2.7, TSC offsetting without it all but stops the
	 * host's clock while the guest runs (measured, Documentation/bochs.md);
	 * with it, as upstream KVM runs, the clock is right.
	 */
	want |= SECONDARY_EXEC_TSC_SCALING;
	if (ple_gap && ple_window)
		want |= SECONDARY_EXEC_PAUSE_LOOP_EXITING;
	c->cpu2 |= want & may1;
	c->ept = c->cpu2 & SECONDARY_EXEC_ENABLE_EPT;
	c->vpid = c->cpu2 & SECONDARY_EXEC_ENABLE_VPID;
	c->ug = c->cpu2 & SECONDARY_EXEC_UNRESTRICTED_GUEST;
	c->rdtscp = c->cpu2 & SECONDARY_EXEC_ENABLE_RDTSCP;
	c->tsc_scaling = c->cpu2 & SECONDARY_EXEC_TSC_SCALING;
	if (c->cpu2 & SECONDARY_EXEC_PAUSE_LOOP_EXITING) {
		c->ple_gap = ple_gap;
		c->ple_window = ple_window;
	}
	return 0;
}

/* Pin-based, processor-based, exit and entry controls. */
static int vmx_setup_controls(struct vmx_caps *c, bool true_msrs)
{
	u32 msr_pin = true_msrs ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				  MSR_IA32_VMX_PINBASED_CTLS;
	u32 msr_cpu = true_msrs ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				  MSR_IA32_VMX_PROCBASED_CTLS;
	u32 msr_exit = true_msrs ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
				   MSR_IA32_VMX_EXIT_CTLS;
	u32 msr_entry = true_msrs ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				    MSR_IA32_VMX_ENTRY_CTLS;

	if (vmx_adjust(msr_pin, VMX_NEED_PIN, 0, &c->pin, NULL) ||
	    vmx_adjust(msr_cpu, VMX_NEED_CPU | VMX_TOGGLED_CPU,
		       CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, &c->cpu,
		       &c->cpu_may1) ||
	    vmx_adjust(msr_exit, VMX_NEED_EXIT, 0, &c->exit, NULL) ||
	    vmx_adjust(msr_entry, VMX_NEED_ENTRY | VM_ENTRY_IA32E_MODE, 0,
		       &c->entry, &c->entry_may1))
		return -EOPNOTSUPP;
	/* Switched on and off as the guest runs: must be clearable. */
	if (vmx_must1(msr_cpu) & (VMX_TOGGLED_CPU | CPU_BASED_MOV_DR_EXITING |
				  CPU_BASED_CR8_LOAD_EXITING |
				  CPU_BASED_CR8_STORE_EXITING) ||
	    vmx_must1(msr_entry) & VM_ENTRY_IA32E_MODE)
		return -EOPNOTSUPP;
	c->cpu &= ~VMX_TOGGLED_CPU;
	c->entry &= ~VM_ENTRY_IA32E_MODE;
	if (c->cpu & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) {
		if (vmx_setup_secondary(c))
			return -EOPNOTSUPP;
	}
	if (!c->ept) {
		c->cpu |= VMX_SHADOW_CPU;
		if (!(c->cpu_may1 & CPU_BASED_INVLPG_EXITING))
			return -EOPNOTSUPP;
	}
	return 0;
}

static int vmx_read_caps(void)
{
	struct vmx_caps *c = &vmx_caps;
	u64 basic;

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	c->revision = vmx_basic_vmcs_revision_id(basic);
	if (vmx_basic_vmcs_size(basic) > PAGE_SIZE ||
	    (basic & BIT_ULL(48)) ||
	    VMX_BASIC_VMCS_MEMTYPE(basic) != VMX_MEMTYPE_WB) {
		pr_err("kvm_intel: unsupported VMCS layout (IA32_VMX_BASIC %#llx)\n",
		       basic);
		return -EOPNOTSUPP;
	}
	c->inout = basic & VMX_BASIC_INOUT;
	if (vmx_setup_controls(c, basic & VMX_BASIC_TRUE_CTLS)) {
		pr_err("kvm_intel: the CPU lacks VMX controls okvm needs (virtual NMIs, TPR shadow, EFER/PAT switching)\n");
		return -EOPNOTSUPP;
	}
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, c->cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, c->cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, c->cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, c->cr4_fixed1);
	/* VM exits clear DEBUGCTL; some emulated CPUs have none. */
	c->debugctl = !rdmsrl_safe(MSR_IA32_DEBUGCTLMSR, &basic);
	rdmsrl(MSR_EFER, c->host_efer);
	rdmsrl(MSR_IA32_CR_PAT, c->host_pat);
	return 0;
}

static int vmx_check_cpu(void)
{
	u64 fc;

	if (!(cpuid_ecx(1) & BIT(X86_FEATURE_VMX & 31))) {
		pr_err("kvm_intel: this CPU has no Intel VMX\n");
		return -EOPNOTSUPP;
	}
	rdmsrl(MSR_IA32_FEAT_CTL, fc);
	if ((fc & FEAT_CTL_LOCKED) &&
	    !(fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("kvm_intel: VMX is disabled by the firmware (IA32_FEATURE_CONTROL)\n");
		return -EOPNOTSUPP;
	}
	return vmx_read_caps();
}

/* --- Module ------------------------------------------------------------ */

static void vmx_free_cpu_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpus, cpu);

		if (vc->vmxon)
			__free_page(vc->vmxon);
		vc->vmxon = NULL;
	}
}

static int vmx_alloc_cpu_pages(void)
{
	int cpu;

	if (IS_ENABLED(OKVM_HAVE_X86_VIRT_REF))
		return 0;	/* the kernel's VMXON regions are used */
	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpus, cpu);

		vc->vmxon = alloc_pages_node(cpu_to_node(cpu),
					     GFP_KERNEL | __GFP_ZERO, 0);
		if (!vc->vmxon) {
			vmx_free_cpu_pages();
			return -ENOMEM;
		}
	}
	return 0;
}

static int __init vmx_init(void)
{
	int r;

	r = vmx_check_cpu();
	if (r)
		return r;
	/* The parameters now tell what is in use, as sysfs shows them. */
	ept = vmx_caps.ept;
	vpid = vmx_caps.vpid;
	unrestricted_guest = vmx_caps.ug;
	ple_gap = vmx_caps.ple_gap;
	vmx_ops.tdp_fmt = vmx_caps.ept ? &vmx_ept_fmt : NULL;
	r = vmx_alloc_cpu_pages();
	if (r)
		return r;
	r = okvm_x86_register(&vmx_ops, THIS_MODULE);
	if (r) {
		vmx_free_cpu_pages();
		return r;
	}
	pr_info("kvm_intel: EPT %s, VPID %s, unrestricted guest %s%s\n",
		vmx_caps.ept ? "enabled" : "disabled",
		vmx_caps.vpid ? "enabled" : "disabled",
		vmx_caps.ug ? "enabled" : "disabled",
		vmx_caps.ug ? "" : " (real mode is not supported)");
	return 0;
}

static void __exit vmx_exit(void)
{
	okvm_x86_unregister(&vmx_ops);
	vmx_free_cpu_pages();
}

module_init(vmx_init);
module_exit(vmx_exit);
