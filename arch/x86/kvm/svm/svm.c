// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvm-amd.ko: AMD SVM.  Detection, per-CPU enabling, the shared I/O and MSR
 * permission maps, vCPU control blocks and the ops table handed to kvm.ko.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "svm.h"
#include "vendor.h"

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("okvm: AMD SVM back end");

static bool npt = true;
module_param(npt, bool, 0444);
MODULE_PARM_DESC(npt, "use nested paging (NPT); 0 selects shadow paging");

u32 svm_max_asid;
bool svm_has_tsc_aux;
bool svm_has_flush_by_asid;
bool svm_npt;
u64 svm_iopm_pa, svm_msrpm_pa;
static struct page *svm_iopm, *svm_msrpm;

#define SVM_IOPM_ORDER	2	/* 12 KiB used */
#define SVM_MSRPM_ORDER	1	/* 8 KiB */

DEFINE_PER_CPU(struct svm_cpu, svm_cpus);

/* --- Hardware --------------------------------------------------------- */

/*
 * Set EFER.SVME on this CPU.  Since 7.x the kernel owns that bit and
 * counts its users (compat/compat.h); before, we set it ourselves unless
 * another hypervisor already did.
 */
static int svm_enable_svme(void)
{
#ifdef OKVM_HAVE_X86_VIRT_REF
	return x86_virt_get_ref(X86_FEATURE_SVM);
#else
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return -EBUSY;	/* another hypervisor owns this CPU */
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	return 0;
#endif
}

static void svm_disable_svme(void)
{
#ifdef OKVM_HAVE_X86_VIRT_REF
	x86_virt_put_ref(X86_FEATURE_SVM);
#else
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
#endif
}

static int svm_hardware_enable(void)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpus);
	u64 vm_cr;
	int r;

	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & SVM_VM_CR_SVMDIS)
		return -EOPNOTSUPP;
	r = svm_enable_svme();
	if (r)
		return r;
	if (svm_has_tsc_aux)
		rdmsrl(MSR_TSC_AUX, sd->host_tsc_aux);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sd->hsave));
	/* Forget every ASID handed out before: the first one flushes all. */
	sd->asid_generation++;
	sd->next_asid = svm_max_asid + 1;
	sd->enabled = true;
	return 0;
}

static void svm_hardware_disable(void)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpus);

	if (!sd->enabled)
		return;
	wrmsrl(MSR_VM_HSAVE_PA, 0);
	svm_disable_svme();
	sd->enabled = false;
}

/* --- VM --------------------------------------------------------------- */

static int svm_vm_init(struct okvm_vm *vm)
{
	return 0;
}

static void svm_vm_destroy(struct okvm_vm *vm)
{
}

/* --- vCPU lifecycle --------------------------------------------------- */

static int svm_vcpu_create(struct okvm_vcpu *vcpu)
{
	struct svm_vcpu *svm;
	struct page *page;

	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	vcpu->arch.vendor = svm;
	return 0;
}

static void svm_vcpu_free(struct okvm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	free_page((unsigned long)svm->vmcb);
	kfree(svm);
	vcpu->arch.vendor = NULL;
}

static const u8 svm_vmmcall[3] = { 0x0f, 0x01, 0xd9 };

static struct okvm_x86_ops svm_ops = {
	.name = "kvm_amd",
	.trace_isa = OKVM_ISA_SVM,
	.hardware_enable = svm_hardware_enable,
	.hardware_disable = svm_hardware_disable,
	.vm_init = svm_vm_init,
	.vm_destroy = svm_vm_destroy,
	.vcpu_create = svm_vcpu_create,
	.vcpu_free = svm_vcpu_free,
	.vcpu_reset = svm_vcpu_reset,
	.get_segment = svm_get_segment,
	.set_segment = svm_set_segment,
	.get_dtable = svm_get_dtable,
	.set_dtable = svm_set_dtable,
	.get_cr = svm_get_cr,
	.set_cr = svm_set_cr,
	.get_efer = svm_get_efer,
	.set_efer = svm_set_efer,
	.get_dr = svm_get_dr,
	.set_dr = svm_set_dr,
	.get_cpl = svm_get_cpl,
	.get_msr = svm_get_msr,
	.set_msr = svm_set_msr,
	.get_msr_feature = svm_get_msr_feature,
	.open_debug_regs = svm_open_debug_regs,
	.get_tpr = svm_get_tpr,
	.set_tpr = svm_set_tpr,
	.get_interrupt_shadow = svm_get_interrupt_shadow,
	.set_interrupt_shadow = svm_set_interrupt_shadow,
	.set_irq_window = svm_set_irq_window,
	.set_virq = svm_set_virq,
	.virq_taken = svm_virq_taken,
	.set_nmi_mask = svm_set_nmi_mask,
	.interrupt_allowed = svm_interrupt_allowed,
	.nmi_allowed = svm_nmi_allowed,
	.set_db_intercept = svm_set_db_intercept,
	.update_cr8_intercept = svm_update_cr8_intercept,
	.run = svm_run,
	.decode_exit = svm_decode_exit,
	.exit_repeats = svm_exit_repeats,
	.set_mmu_root = svm_set_mmu_root,
	.tdp_levels = 4,
	.hypercall_insn = svm_vmmcall,
};

/* --- Module ------------------------------------------------------------ */

static void svm_free_cpu_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpus, cpu);

		if (sd->hsave)
			__free_page(sd->hsave);
		if (sd->host_vmsave)
			__free_page(sd->host_vmsave);
		sd->hsave = NULL;
		sd->host_vmsave = NULL;
	}
}

static int svm_alloc_cpu_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpus, cpu);
		int node = cpu_to_node(cpu);

		sd->hsave = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
		sd->host_vmsave = alloc_pages_node(node,
						   GFP_KERNEL | __GFP_ZERO, 0);
		if (!sd->hsave || !sd->host_vmsave) {
			svm_free_cpu_pages();
			return -ENOMEM;
		}
		sd->host_vmsave_pa = page_to_phys(sd->host_vmsave);
	}
	return 0;
}

/* Every port and every MSR access exits: the permission maps are all ones. */
static int svm_alloc_permission_maps(void)
{
	svm_iopm = alloc_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	svm_msrpm = alloc_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm) {
		if (svm_iopm)
			__free_pages(svm_iopm, SVM_IOPM_ORDER);
		if (svm_msrpm)
			__free_pages(svm_msrpm, SVM_MSRPM_ORDER);
		return -ENOMEM;
	}
	memset(page_address(svm_iopm), 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(page_address(svm_msrpm), 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);
	svm_iopm_pa = page_to_phys(svm_iopm);
	svm_msrpm_pa = page_to_phys(svm_msrpm);
	return 0;
}

static void svm_free_permission_maps(void)
{
	__free_pages(svm_iopm, SVM_IOPM_ORDER);
	__free_pages(svm_msrpm, SVM_MSRPM_ORDER);
}

static int svm_check_cpu(void)
{
	u32 eax, ebx, ecx, edx;
	u64 vm_cr;

	if (!boot_cpu_has(X86_FEATURE_SVM)) {
		pr_err("kvm_amd: this CPU has no AMD SVM\n");
		return -EOPNOTSUPP;
	}
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & SVM_VM_CR_SVMDIS) {
		pr_err("kvm_amd: SVM is disabled by the firmware (VM_CR.SVMDIS)\n");
		return -EOPNOTSUPP;
	}
	cpuid(SVM_CPUID_FUNC, &eax, &ebx, &ecx, &edx);
	if (ebx < 2) {
		pr_err("kvm_amd: the CPU reports no usable ASIDs\n");
		return -EOPNOTSUPP;
	}
	svm_max_asid = ebx - 1;
	svm_has_flush_by_asid = boot_cpu_has(X86_FEATURE_FLUSHBYASID);
	svm_has_tsc_aux = boot_cpu_has(X86_FEATURE_RDTSCP) ||
			  boot_cpu_has(X86_FEATURE_RDPID);
	svm_npt = npt && boot_cpu_has(X86_FEATURE_NPT);
	npt = svm_npt;	/* the parameter shows what is in use */
	svm_ops.tdp_fmt = svm_npt ? &okvm_npt_fmt : NULL;
	return 0;
}

static int __init svm_init(void)
{
	int r;

	r = svm_check_cpu();
	if (r)
		return r;
	r = svm_alloc_permission_maps();
	if (r)
		return r;
	r = svm_alloc_cpu_pages();
	if (r)
		goto free_maps;
	r = okvm_x86_register(&svm_ops, THIS_MODULE);
	if (r)
		goto free_cpus;
	pr_info("kvm_amd: Nested Paging %s, %u ASIDs\n",
		svm_npt ? "enabled" : "disabled", svm_max_asid);
	return 0;

free_cpus:
	svm_free_cpu_pages();
free_maps:
	svm_free_permission_maps();
	return r;
}

static void __exit svm_exit(void)
{
	okvm_x86_unregister(&svm_ops);
	svm_free_cpu_pages();
	svm_free_permission_maps();
}

module_init(svm_init);
module_exit(svm_exit);
