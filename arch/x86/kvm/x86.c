// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86 common code: the vCPU run loop, the x86 ioctls of VM and vCPU fds,
 * the capability list and the one place where exits become KVM_EXIT_*.
 */
#include <linux/compat.h>
#include <linux/context_tracking.h>
#include <linux/vtime.h>
#include <linux/gfp.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/pkru.h>
#include <asm/tsc.h>

#include "kvm_core.h"
#include "vendor.h"
#include "irqchip.h"
#include "run_hooks.h"
#include "trace_x86.h"
#include "trace_core.h"

/* The kernel's XCR0, the same on every CPU; 0 without XSAVE. */
static u64 okvm_host_xcr0;

/*
 * kvm.ko load: facts about the host that do not change.  /dev/kvm comes
 * when a vendor module registers (vendor.c).
 */
__cold int okvm_arch_init(void)
{
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		okvm_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	okvm_nx_init();
	return 0;
}

/* --- VM ----------------------------------------------------------------- */

__cold int okvm_arch_vm_init(struct okvm_vm *vm)
{
	int r;

	okvm_kvmclock_vm_init(vm);
	vm->arch.platform_info_readable = true;
	r = okvm_mmu_vm_init(vm, okvm_vendor->tdp_fmt, okvm_vendor->tdp_levels);
	if (r)
		return r;
	r = okvm_vendor->vm_init(vm);
	if (r)
		okvm_mmu_vm_destroy(vm);
	return r;
}

/* The NX recovery work flushes vCPUs' TLBs: it stops before they go. */
__cold void okvm_arch_vm_pre_destroy(struct okvm_vm *vm)
{
	okvm_nx_vm_destroy(vm);
}

__cold void okvm_arch_vm_destroy(struct okvm_vm *vm)
{
	okvm_pit_destroy(vm);
	okvm_irqchip_destroy(vm);
	okvm_vendor->vm_destroy(vm);
	okvm_mmu_vm_destroy(vm);
	okvm_msr_filter_destroy(vm);
}

__cold long okvm_arch_check_extension(struct okvm_vm *vm, long cap)
{
	switch (cap) {
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_MP_STATE:
	case KVM_CAP_USER_NMI:
	case KVM_CAP_VCPU_EVENTS:
	case KVM_CAP_DEBUGREGS:
	case KVM_CAP_ENABLE_CAP:
	case KVM_CAP_VM_DISABLE_NX_HUGE_PAGES:
	case KVM_CAP_IRQCHIP:
	case KVM_CAP_HLT:
	case KVM_CAP_IRQ_INJECT_STATUS:
	case KVM_CAP_SET_BOOT_CPU_ID:
	case KVM_CAP_TSC_DEADLINE_TIMER:
	case KVM_CAP_SIGNAL_MSI:
	case KVM_CAP_PIT:
	case KVM_CAP_PIT2:
	case KVM_CAP_PIT_STATE2:
	case KVM_CAP_REINJECT_CONTROL:
	case KVM_CAP_INTERNAL_ERROR_DATA:	/* internal.ndata is filled */
	case KVM_CAP_SET_GUEST_DEBUG:		/* the flags below */
	case KVM_CAP_X86_ROBUST_SINGLESTEP:	/* retired insns step too */
	case KVM_CAP_IRQFD_RESAMPLE:
	case KVM_CAP_SPLIT_IRQCHIP:
	case KVM_CAP_VCPU_ATTRIBUTES:		/* vcpu_attr.c */
	case KVM_CAP_MMU_SHADOW_CACHE_CONTROL:	/* mmu/pages.c */
	case KVM_CAP_MSR_PLATFORM_INFO:
	case KVM_CAP_GET_MSR_FEATURES:
	case KVM_CAP_ENFORCE_PV_FEATURE_CPUID:	/* pv_cpuid.c */
	case KVM_CAP_X86_USER_SPACE_MSR:	/* msr_filter.c */
	case KVM_CAP_X86_MSR_FILTER:
		return 1;
	case KVM_CAP_SYNC_REGS:
		return KVM_SYNC_X86_VALID_FIELDS;
	case KVM_CAP_SET_GUEST_DEBUG2:
		return okvm_guest_debug_flags();
	case KVM_CAP_X2APIC_API:
		return KVM_X2APIC_API_USE_32BIT_IDS |
		       KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK;
	case KVM_CAP_IRQ_ROUTING:
		return OKVM_MAX_IRQ_ROUTES;
	case KVM_CAP_MCE:
		return OKVM_MAX_MCE_BANKS;
	case KVM_CAP_GET_TSC_KHZ:
		return 1;
	case KVM_CAP_ADJUST_CLOCK:
		return KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME |
		       KVM_CLOCK_HOST_TSC;
	case KVM_CAP_XSAVE:
	case KVM_CAP_XCRS:
		return boot_cpu_has(X86_FEATURE_XSAVE);
	case KVM_CAP_DISABLE_QUIRKS2:
		return okvm_quirks_supported();
	default:
		return 0;
	}
}

/* The x86 ioctls of /dev/kvm. */
__cold long okvm_arch_dev_ioctl(unsigned int ioctl, void __user *argp)
{
	switch (ioctl) {
	case KVM_GET_SUPPORTED_CPUID:
		return okvm_dev_get_supported_cpuid(argp);
	case KVM_GET_MSR_INDEX_LIST:
		return okvm_dev_get_msr_index_list(argp);
	case KVM_GET_MSR_FEATURE_INDEX_LIST:
		return okvm_dev_get_msr_feature_list(argp);
	case KVM_GET_MSRS:
		return okvm_dev_get_msrs(argp);
	case KVM_X86_GET_MCE_CAP_SUPPORTED:
		return okvm_dev_get_mce_cap(argp);
	default:
		return -EINVAL;
	}
}

/* KVM_SET_TSS_ADDR: only recorded; SVM runs real mode natively. */
static __cold long okvm_vm_set_tss_addr(struct okvm_vm *vm, unsigned long addr)
{
	if (addr > (unsigned int)(-3 * PAGE_SIZE))
		return -EINVAL;
	vm->arch.tss_addr = addr;
	return 0;
}

static __cold long okvm_vm_set_identity_map_addr(struct okvm_vm *vm,
					  void __user *argp)
{
	u64 addr;

	if (copy_from_user(&addr, argp, sizeof(addr)))
		return -EFAULT;
	mutex_lock(&vm->lock);
	if (vm->created_vcpus) {
		mutex_unlock(&vm->lock);
		return -EINVAL;
	}
	vm->arch.identity_map_addr = addr;
	mutex_unlock(&vm->lock);
	return 0;
}

/*
 * KVM_ENABLE_CAP(KVM_CAP_MAX_VCPU_ID): lower the limit on vCPU ids.  Only
 * once, before the first KVM_CREATE_VCPU fixes the default; afterwards
 * only the limit in force is accepted (again).
 */
__cold long okvm_vm_enable_max_vcpu_id(struct okvm_vm *vm, u64 max)
{
	long r = -EINVAL;

	if (max > OKVM_MAX_VCPU_IDS)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (!vm->arch.max_vcpu_ids || vm->arch.max_vcpu_ids == max) {
		vm->arch.max_vcpu_ids = max;
		r = 0;
	}
	mutex_unlock(&vm->lock);
	return r;
}

__cold long okvm_arch_vm_ioctl(struct okvm_vm *vm, unsigned int ioctl,
			       void __user *argp)
{
	switch (ioctl) {
	case KVM_SET_TSS_ADDR:
		return okvm_vm_set_tss_addr(vm, (unsigned long)argp);
	case KVM_SET_IDENTITY_MAP_ADDR:
		return okvm_vm_set_identity_map_addr(vm, argp);
	case KVM_GET_CLOCK:
		return okvm_vm_get_clock(vm, argp);
	case KVM_SET_CLOCK:
		return okvm_vm_set_clock(vm, argp);
	case KVM_CREATE_IRQCHIP:
		return okvm_vm_create_irqchip(vm);
	case KVM_IRQ_LINE:
		return okvm_vm_irq_line(vm, argp, false);
	case KVM_IRQ_LINE_STATUS:
		return okvm_vm_irq_line(vm, argp, true);
	case KVM_GET_IRQCHIP:
		return okvm_vm_get_irqchip(vm, argp);
	case KVM_SET_IRQCHIP:
		return okvm_vm_set_irqchip(vm, argp);
	case KVM_SET_BOOT_CPU_ID:
		return okvm_vm_set_boot_cpu_id(vm, (unsigned long)argp);
	case KVM_SET_GSI_ROUTING:
		return okvm_vm_set_gsi_routing(vm, argp);
	case KVM_SIGNAL_MSI:
		return okvm_vm_signal_msi(vm, argp);
	case KVM_CREATE_PIT:
		return okvm_vm_create_pit(vm, argp, false);
	case KVM_CREATE_PIT2:
		return okvm_vm_create_pit(vm, argp, true);
	case KVM_GET_PIT:
		return okvm_vm_get_pit(vm, argp, false);
	case KVM_SET_PIT:
		return okvm_vm_set_pit(vm, argp, false);
	case KVM_GET_PIT2:
		return okvm_vm_get_pit(vm, argp, true);
	case KVM_SET_PIT2:
		return okvm_vm_set_pit(vm, argp, true);
	case KVM_REINJECT_CONTROL:
		return okvm_vm_reinject_control(vm, argp);
	case KVM_SET_NR_MMU_PAGES:
		return okvm_vm_set_nr_mmu_pages(vm, (unsigned long)argp);
	case KVM_GET_NR_MMU_PAGES:
		return okvm_vm_get_nr_mmu_pages(vm);
	case KVM_X86_SET_MSR_FILTER:
		return okvm_vm_set_msr_filter(vm, argp);
	case OKVM_X86_SET_MSR_FILTER_COMPAT:
		if (!in_compat_syscall())
			return -ENOTTY;
		return okvm_vm_set_msr_filter_compat(vm, argp);
	default:
		return -ENOTTY;
	}
}

/* --- vCPU lifecycle --------------------------------------------------- */

/* The first attempt to create a vCPU fixes the id limit (0: not set). */
__cold int okvm_arch_vcpu_precreate(struct okvm_vm *vm, unsigned long id)
{
	lockdep_assert_held(&vm->lock);
	if (!vm->arch.max_vcpu_ids)
		vm->arch.max_vcpu_ids = OKVM_MAX_VCPU_IDS;
	return id < vm->arch.max_vcpu_ids ? 0 : -EINVAL;
}

__cold int okvm_arch_vcpu_create(struct okvm_vcpu *vcpu)
{
	int r;

	vcpu->arch.pio_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vcpu->arch.pio_page)
		return -ENOMEM;
	r = -ENOMEM;
	if (!fpu_alloc_guest_fpstate(&vcpu->arch.guest_fpu))
		goto free_pio;
	r = okvm_vendor->vcpu_create(vcpu);
	if (r)
		goto free_fpu;
	r = okvm_mmu_vcpu_init(vcpu);
	if (r)
		goto free_vendor;
	vcpu->arch.tsc_offset = vcpu->vm->arch.tsc_offset;
	vcpu->arch.entry_cpu = -1;
	okvm_platform_msrs_init(vcpu);
	okvm_vcpu_reset_state(vcpu);
	if (okvm_irqchip_in_kernel(vcpu->vm)) {
		r = okvm_lapic_create(vcpu);
		if (r)
			goto free_mmu;
	}
	return 0;

free_mmu:
	okvm_mmu_vcpu_destroy(vcpu);
free_vendor:
	okvm_vendor->vcpu_free(vcpu);
free_fpu:
	fpu_free_guest_fpstate(&vcpu->arch.guest_fpu);
free_pio:
	__free_page(vcpu->arch.pio_page);
	return r;
}

__cold void okvm_arch_vcpu_free(struct okvm_vcpu *vcpu)
{
	int i;

	okvm_lapic_free(vcpu);
	okvm_mmu_vcpu_destroy(vcpu);
	okvm_vendor->vcpu_free(vcpu);
	fpu_free_guest_fpstate(&vcpu->arch.guest_fpu);
	for (i = 0; i < ARRAY_SIZE(vcpu->arch.mmu_cache); i++)
		if (vcpu->arch.mmu_cache[i])
			__free_page(vcpu->arch.mmu_cache[i]);
	kfree(vcpu->arch.cpuid);
	__free_page(vcpu->arch.pio_page);
}

/* The vCPU mapping's port I/O data page (KVM_PIO_PAGE_OFFSET). */
__cold struct page *okvm_arch_vcpu_page(struct okvm_vcpu *vcpu, unsigned long pgoff)
{
	return pgoff == KVM_PIO_PAGE_OFFSET ? vcpu->arch.pio_page : NULL;
}

/*
 * KVM_ENABLE_CAP on a vCPU fd: of x86 KVM's (mostly Hyper-V) capabilities
 * there okvm offers KVM_CAP_ENFORCE_PV_FEATURE_CPUID.
 */
static __cold long okvm_ioctl_vcpu_enable_cap(struct okvm_vcpu *vcpu,
				       void __user *argp)
{
	struct kvm_enable_cap cap;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	if (cap.flags)
		return -EINVAL;
	switch (cap.cap) {
	case KVM_CAP_ENFORCE_PV_FEATURE_CPUID:
		return okvm_pv_cpuid_enforce(vcpu, cap.args[0]);
	default:
		return -EINVAL;
	}
}

__cold long okvm_arch_vcpu_ioctl(struct okvm_vcpu *vcpu,
				 unsigned int ioctl, void __user *argp)
{
	switch (ioctl) {
	case KVM_GET_REGS:
		return okvm_ioctl_get_regs(vcpu, argp);
	case KVM_SET_REGS:
		return okvm_ioctl_set_regs(vcpu, argp);
	case KVM_GET_SREGS:
		return okvm_ioctl_get_sregs(vcpu, argp);
	case KVM_SET_SREGS:
		return okvm_ioctl_set_sregs(vcpu, argp);
	case KVM_SET_CPUID:
		return okvm_ioctl_set_cpuid(vcpu, argp);
	case KVM_SET_CPUID2:
		return okvm_ioctl_set_cpuid2(vcpu, argp);
	case KVM_GET_CPUID2:
		return okvm_ioctl_get_cpuid2(vcpu, argp);
	case KVM_GET_MSRS:
		return okvm_ioctl_get_msrs(vcpu, argp);
	case KVM_SET_MSRS:
		return okvm_ioctl_set_msrs(vcpu, argp);
	case KVM_INTERRUPT:
		return okvm_ioctl_interrupt(vcpu, argp);
	case KVM_NMI:
		return okvm_ioctl_nmi(vcpu);
	case KVM_GET_VCPU_EVENTS:
		return okvm_ioctl_get_vcpu_events(vcpu, argp);
	case KVM_SET_VCPU_EVENTS:
		return okvm_ioctl_set_vcpu_events(vcpu, argp);
	case KVM_SET_GUEST_DEBUG:
		return okvm_vcpu_set_guest_debug(vcpu, argp);
	case KVM_GET_MP_STATE:
		return okvm_ioctl_get_mp_state(vcpu, argp);
	case KVM_SET_MP_STATE:
		return okvm_ioctl_set_mp_state(vcpu, argp);
	case KVM_GET_DEBUGREGS:
		return okvm_ioctl_get_debugregs(vcpu, argp);
	case KVM_SET_DEBUGREGS:
		return okvm_ioctl_set_debugregs(vcpu, argp);
	case KVM_SET_SIGNAL_MASK:
		return okvm_ioctl_set_signal_mask(vcpu, argp);
	case KVM_X86_SETUP_MCE:
		return okvm_ioctl_setup_mce(vcpu, argp);
	case KVM_GET_TSC_KHZ:
		return tsc_khz;
	case KVM_GET_FPU:
		return okvm_ioctl_get_fpu(vcpu, argp);
	case KVM_SET_FPU:
		return okvm_ioctl_set_fpu(vcpu, argp);
	case KVM_GET_XSAVE:
		return okvm_ioctl_get_xsave(vcpu, argp);
	case KVM_SET_XSAVE:
		return okvm_ioctl_set_xsave(vcpu, argp);
	case KVM_GET_XCRS:
		return okvm_ioctl_get_xcrs(vcpu, argp);
	case KVM_SET_XCRS:
		return okvm_ioctl_set_xcrs(vcpu, argp);
	case KVM_GET_LAPIC:
		return okvm_ioctl_get_lapic(vcpu, argp);
	case KVM_SET_LAPIC:
		return okvm_ioctl_set_lapic(vcpu, argp);
	case KVM_SET_VAPIC_ADDR:
		return okvm_ioctl_set_vapic_addr(vcpu, argp);
	case KVM_ENABLE_CAP:
		return okvm_ioctl_vcpu_enable_cap(vcpu, argp);
	case KVM_HAS_DEVICE_ATTR:
	case KVM_GET_DEVICE_ATTR:
	case KVM_SET_DEVICE_ATTR:
		return okvm_ioctl_vcpu_attr(vcpu, ioctl, argp);
	default:
		return -EINVAL;
	}
}

/* --- Exits to userspace ------------------------------------------------ */

static void okvm_fill_io_exit(struct okvm_vcpu *vcpu, struct kvm_run *run)
{
	struct okvm_pio *pio = &vcpu->arch.pio;

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = pio->in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = pio->size;
	run->io.port = pio->port;
	run->io.count = pio->count;
	run->io.data_offset = PAGE_SIZE;
}

static void okvm_fill_msr_exit(struct okvm_vcpu *vcpu, struct kvm_run *run,
			       bool write)
{
	struct okvm_msr_exit *m = &vcpu->arch.msr_exit;

	run->exit_reason = write ? KVM_EXIT_X86_WRMSR : KVM_EXIT_X86_RDMSR;
	run->msr.error = 0;
	memset(run->msr.pad, 0, sizeof(run->msr.pad));
	run->msr.reason = m->reason;
	run->msr.index = m->index;
	run->msr.data = m->data;
}

static void okvm_fill_mmio_exit(struct okvm_vcpu *vcpu, struct kvm_run *run)
{
	struct okvm_mmio *mmio = &vcpu->arch.mmio;

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = mmio->gpa;
	run->mmio.len = mmio->len;
	run->mmio.is_write = mmio->is_write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (mmio->is_write)
		memcpy(run->mmio.data, mmio->data, mmio->len);
}

/* The exits to userspace the statistics count by kind. */
static void okvm_count_user_exit(struct okvm_vcpu *vcpu,
				 enum okvm_user_exit why)
{
	switch (why) {
	case OKVM_USER_MMIO:
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_MMIO_EXITS);
		break;
	case OKVM_USER_INTR:
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_SIGNAL_EXITS);
		break;
	case OKVM_USER_IRQ_WINDOW:
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_REQUEST_IRQ_EXITS);
		break;
	default:
		break;
	}
}

/*
 * The single place where an exit becomes a KVM_EXIT_* for userspace.
 * Returns 0 (the caller's "exit to userspace").
 */
int okvm_exit_to_user(struct okvm_vcpu *vcpu, enum okvm_user_exit why)
{
	struct kvm_run *run = vcpu->run;
	int i;

	okvm_count_user_exit(vcpu, why);
	switch (why) {
	case OKVM_USER_IO:
		okvm_fill_io_exit(vcpu, run);
		break;
	case OKVM_USER_MMIO:
		okvm_fill_mmio_exit(vcpu, run);
		break;
	case OKVM_USER_HLT:
		run->exit_reason = KVM_EXIT_HLT;
		break;
	case OKVM_USER_RDMSR:
	case OKVM_USER_WRMSR:
		okvm_fill_msr_exit(vcpu, run, why == OKVM_USER_WRMSR);
		break;
	case OKVM_USER_SHUTDOWN:
		run->exit_reason = KVM_EXIT_SHUTDOWN;
		break;
	case OKVM_USER_FAIL_ENTRY:
		run->exit_reason = KVM_EXIT_FAIL_ENTRY;
		run->fail_entry.hardware_entry_failure_reason =
			vcpu->arch.exit.hw_reason;
		run->fail_entry.cpu = vcpu->cpu;
		break;
	case OKVM_USER_INTR:
		run->exit_reason = KVM_EXIT_INTR;
		break;
	case OKVM_USER_IRQ_WINDOW:
		run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
		break;
	case OKVM_USER_IOAPIC_EOI:
		run->exit_reason = KVM_EXIT_IOAPIC_EOI;
		run->eoi.vector = vcpu->arch.pending_eoi;
		break;
	case OKVM_USER_DEBUG:
		run->exit_reason = KVM_EXIT_DEBUG;
		run->debug.arch = vcpu->arch.debug_exit;
		break;
	case OKVM_USER_INTERNAL_ERROR:
		run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
		run->internal.suberror = vcpu->arch.internal_suberror;
		run->internal.ndata = vcpu->arch.internal_ndata;
		for (i = 0; i < vcpu->arch.internal_ndata; i++)
			run->internal.data[i] = vcpu->arch.internal_data[i];
		break;
	}
	return 0;
}

int okvm_internal_error(struct okvm_vcpu *vcpu, u32 suberror, u32 ndata,
			u64 d0, u64 d1)
{
	vcpu->arch.internal_suberror = suberror;
	vcpu->arch.internal_ndata = min_t(u32, ndata, 2);
	vcpu->arch.internal_data[0] = d0;
	vcpu->arch.internal_data[1] = d1;
	return okvm_exit_to_user(vcpu, OKVM_USER_INTERNAL_ERROR);
}

/* --- The run loop ------------------------------------------------------ */

static __always_inline void okvm_guest_timing_enter(void)
{
	vtime_account_guest_enter();
	context_tracking_guest_enter();
}

static __always_inline void okvm_guest_timing_exit(void)
{
	context_tracking_guest_exit();
	vtime_account_guest_exit();
}

/* XCR0 and PKRU are the guest's only while it runs. */
static bool okvm_load_guest_xstate(struct okvm_vcpu *vcpu)
{
	bool osxsave = okvm_host_xcr0 &&
		       (okvm_vendor->get_cr(vcpu, 4) & X86_CR4_OSXSAVE);

	if (osxsave && vcpu->arch.xcr0 != okvm_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->arch.xcr0);
	if (cpu_feature_enabled(X86_FEATURE_OSPKE) &&
	    vcpu->arch.pkru != vcpu->arch.host_pkru)
		write_pkru(vcpu->arch.pkru);
	return osxsave;
}

/*
 * Back to the host's XCR0 and PKRU.  XCR0 is read back rather than trusted:
 * an XSETBV that the CPU failed to intercept (QEMU's emulated SVM does not)
 * must not leave the host with the guest's value.
 */
static void okvm_load_host_xstate(struct okvm_vcpu *vcpu, bool osxsave)
{
	u64 xcr0;

	if (cpu_feature_enabled(X86_FEATURE_OSPKE)) {
		vcpu->arch.pkru = read_pkru();
		if (vcpu->arch.pkru != vcpu->arch.host_pkru)
			write_pkru(vcpu->arch.host_pkru);
	}
	if (!osxsave)
		return;
	xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	if (xcr0 != okvm_host_xcr0) {
		vcpu->arch.xcr0 = xcr0;
		xsetbv(XCR_XFEATURE_ENABLED_MASK, okvm_host_xcr0);
	}
}

/* Switch to the guest and back once; IRQs off around the world switch. */
static void okvm_world_switch(struct okvm_vcpu *vcpu, bool flush, bool moved)
{
	bool osxsave;

	okvm_guest_timing_enter();
	osxsave = okvm_load_guest_xstate(vcpu);
	vcpu->arch.entry_cpu = smp_processor_id();
	okvm_vendor->run(vcpu, flush, moved);
	okvm_load_host_xstate(vcpu, osxsave);
	WRITE_ONCE(vcpu->mode, OKVM_OUTSIDE_GUEST);
	okvm_guest_timing_exit();
}

/* Work asked of this vCPU before it enters: 1 go on, 0 exit to user. */
static int okvm_process_requests(struct okvm_vcpu *vcpu)
{
	if (okvm_check_request(vcpu, OKVM_REQ_TRIPLE_FAULT)) {
		okvm_report_shutdown(vcpu, "fault in #DF delivery");
		okvm_vcpu_reset_state(vcpu);
		return okvm_exit_to_user(vcpu, OKVM_USER_SHUTDOWN);
	}
	if (okvm_check_request(vcpu, OKVM_REQ_EOI_EXIT))
		return okvm_exit_to_user(vcpu, OKVM_USER_IOAPIC_EOI);
	okvm_check_request(vcpu, OKVM_REQ_EVENT);	/* re-chosen below */
	return 1;
}

/*
 * Requests that must be seen before entering: all but the TLB flush, which
 * the entry itself performs.
 */
static bool okvm_entry_blocked(struct okvm_vcpu *vcpu)
{
	return need_resched() || signal_pending(current) ||
	       (READ_ONCE(vcpu->requests) & ~BIT(OKVM_REQ_TLB_FLUSH));
}

/*
 * With IRQs and preemption off, just before a world switch: the vCPU runs
 * on this CPU (a move asks for a clock update) and is in guest mode from
 * here on.  True if it moved.
 */
static bool okvm_claim_cpu(struct okvm_vcpu *vcpu)
{
	int cpu = smp_processor_id();

	if (vcpu->cpu != cpu)
		okvm_make_request(vcpu, OKVM_REQ_CLOCK_UPDATE);
	WRITE_ONCE(vcpu->cpu, cpu);
	smp_wmb();
	/* Kickers set a request, then read mode: see locking.md. */
	smp_store_mb(vcpu->mode, OKVM_IN_GUEST);
	/*
	 * Not vcpu->cpu: the clock update just asked for calls the first
	 * entry on a new CPU off, and the next one must still see the move.
	 */
	return vcpu->arch.entry_cpu != cpu;
}

/* 1: go on, 0: exit to userspace, <0: error for KVM_RUN. */
static int okvm_enter_guest(struct okvm_vcpu *vcpu)
{
	bool flush, moved;
	int r;

	okvm_preempt_account(vcpu);
	vcpu->arch.at_boundary = false;
	okvm_lapic_timer_due(vcpu);
	r = okvm_process_requests(vcpu);
	if (r <= 0)
		return r;
	r = okvm_debug_entry(vcpu);
	if (r <= 0)
		return r;
	okvm_mmu_audit(vcpu);
	okvm_kvmclock_update(vcpu);
	okvm_steal_time_update(vcpu);
	okvm_lapic_sync_to_vapic(vcpu);
	okvm_lapic_tpr_to_vendor(vcpu);
	okvm_inject_events(vcpu);
	okvm_pv_eoi_offer(vcpu);
	preempt_disable();
	local_irq_disable();
	moved = okvm_claim_cpu(vcpu);
	if (okvm_entry_blocked(vcpu)) {
		WRITE_ONCE(vcpu->mode, OKVM_OUTSIDE_GUEST);
		okvm_cancel_injection(vcpu);
		local_irq_enable();
		preempt_enable();
		return 1;
	}
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	flush = okvm_check_request(vcpu, OKVM_REQ_TLB_FLUSH);
	if (flush)
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_TLB_FLUSH);
	WARN_ON_ONCE(!irqs_disabled());
	trace_kvm_entry(vcpu->vcpu_id, vcpu->arch.rip);
	okvm_world_switch(vcpu, flush, moved);
	local_irq_enable();
	preempt_enable();

	/* The vendor's run() gave the host its own state back. */
	okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_HOST_STATE_RELOAD);
	okvm_vendor->decode_exit(vcpu, &vcpu->arch.exit);
	vcpu->arch.at_boundary = vcpu->arch.exit.code == OKVM_X_EXTINT;
	/* The last exit in a shadow, while RIP stays there (events.c). */
	if (unlikely(vcpu->arch.exit.shadow)) {
		vcpu->arch.shadow_seen = true;
		vcpu->arch.shadow_rip = vcpu->arch.rip;
	} else if (vcpu->arch.rip != vcpu->arch.shadow_rip) {
		vcpu->arch.shadow_seen = false;
	}
	if (!vcpu->arch.exit.no_exit)
		trace_kvm_exit(vcpu->vcpu_id, vcpu->arch.rip, &vcpu->arch.exit,
			       okvm_vendor->trace_isa);
	/* Not entered: the next entry flushes as a moved one would. */
	if (unlikely(vcpu->arch.exit.no_exit ||
		     vcpu->arch.exit.code == OKVM_X_ENTRY_FAILED))
		vcpu->arch.entry_cpu = -1;
	okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_EXITS);
	okvm_debug_exit(vcpu);
	okvm_complete_injection(vcpu);
	okvm_lapic_tpr_from_vendor(vcpu);
	okvm_lapic_sync_from_vapic(vcpu);
	okvm_pv_eoi_check(vcpu);
	return okvm_handle_exit(vcpu, &vcpu->arch.exit);
}

/*
 * The entry floor (floor.c): one more world switch without injecting
 * anything or handling the exit; the caller has the guest's FPU state
 * loaded.  1 entered; 0 need_resched; -EINTR a signal; -EAGAIN a request
 * that needs the real run loop (a moved vCPU's clock update waits for it).
 */
int okvm_floor_switch(struct okvm_vcpu *vcpu)
{
	unsigned long others = ~(BIT(OKVM_REQ_TLB_FLUSH) |
				 BIT(OKVM_REQ_CLOCK_UPDATE));
	bool flush, moved;
	int r = 1;

	preempt_disable();
	local_irq_disable();
	moved = okvm_claim_cpu(vcpu);
	if (need_resched())
		r = 0;
	else if (signal_pending(current))
		r = -EINTR;
	else if (READ_ONCE(vcpu->requests) & others)
		r = -EAGAIN;
	if (r <= 0) {
		WRITE_ONCE(vcpu->mode, OKVM_OUTSIDE_GUEST);
	} else {
		if (test_thread_flag(TIF_NEED_FPU_LOAD))
			switch_fpu_return();
		flush = okvm_check_request(vcpu, OKVM_REQ_TLB_FLUSH);
		okvm_world_switch(vcpu, flush, moved);
	}
	local_irq_enable();
	preempt_enable();
	return r;
}

/* What wakes a vCPU that is not runnable (okvm_vcpu_block()). */
bool okvm_arch_vcpu_should_wake(struct okvm_vcpu *vcpu)
{
	if (vcpu->arch.mp_state == KVM_MP_STATE_HALTED)
		return okvm_vcpu_has_events(vcpu);
	return okvm_lapic_has_init_sipi(vcpu);
}

/*
 * A halted vCPU, or an AP waiting for SIPI, sleeps until an event makes
 * it runnable.  1: go on, -EINTR: a signal (the vCPU stays halted).
 */
static int okvm_vcpu_wait(struct okvm_vcpu *vcpu)
{
	okvm_vcpu_block(vcpu, vcpu->arch.mp_state == KVM_MP_STATE_HALTED);
	okvm_lapic_accept_events(vcpu);
	if (vcpu->arch.mp_state == KVM_MP_STATE_HALTED &&
	    okvm_vcpu_has_events(vcpu))
		vcpu->arch.mp_state = KVM_MP_STATE_RUNNABLE;
	if (vcpu->arch.mp_state != KVM_MP_STATE_RUNNABLE &&
	    signal_pending(current)) {
		okvm_exit_to_user(vcpu, OKVM_USER_INTR);
		return -EINTR;
	}
	return 1;
}

/*
 * Between two entries: give the CPU up if the scheduler asks.  The test
 * is the task's flag, the one okvm_entry_blocked() refuses entry on, and
 * the answer schedule(): cond_resched() looks at the flag folded into the
 * preempt count, which another CPU's request sets only once its
 * reschedule IPI arrives here; if that IPI were late, entry would be
 * refused again and again without the CPU ever being given up.  Without
 * preemptible RCU, cond_resched() also reports a quiescent state RCU may
 * be waiting for, and runs at every exit.
 */
static void okvm_resched(void)
{
	if (need_resched())
		schedule();
	else if (!IS_ENABLED(CONFIG_PREEMPT_RCU))
		cond_resched();
}

static int okvm_run_loop(struct okvm_vcpu *vcpu)
{
	int r;

	for (;;) {
		okvm_lapic_accept_events(vcpu);
		if (vcpu->arch.mp_state != KVM_MP_STATE_RUNNABLE) {
			r = okvm_vcpu_wait(vcpu);
			if (r <= 0)
				return r;
			continue;
		}
		if (signal_pending(current)) {
			okvm_exit_to_user(vcpu, OKVM_USER_INTR);
			return -EINTR;
		}
		r = okvm_enter_guest(vcpu);
		if (r <= 0)
			return r;
		if (okvm_user_wants_window(vcpu) &&
		    okvm_ready_for_interrupt(vcpu))
			return okvm_exit_to_user(vcpu, OKVM_USER_IRQ_WINDOW);
		okvm_resched();
	}
}

/* Finish what the last exit to userspace left open. */
static int okvm_complete_userspace(struct okvm_vcpu *vcpu)
{
	enum okvm_completion what = vcpu->arch.completion;

	vcpu->arch.completion = OKVM_COMPLETE_NONE;
	switch (what) {
	case OKVM_COMPLETE_PIO:
		return okvm_complete_pio(vcpu);
	case OKVM_COMPLETE_MMIO_READ:
		return okvm_complete_mmio(vcpu);
	case OKVM_COMPLETE_RDMSR:
	case OKVM_COMPLETE_WRMSR:
		return okvm_complete_msr(vcpu, what == OKVM_COMPLETE_WRMSR);
	default:
		return 1;
	}
}

static void okvm_post_run(struct okvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->if_flag = !!(vcpu->arch.rflags & X86_EFLAGS_IF);
	run->cr8 = okvm_vendor->get_tpr(vcpu);
	run->apic_base = vcpu->arch.apic_base;
	run->ready_for_interrupt_injection = okvm_pic_in_kernel(vcpu->vm) ||
					     okvm_ready_for_interrupt(vcpu);
}

/*
 * KVM_RUN on an AP that never got its SIPI: wait for it, then let
 * userspace call again (-EAGAIN), as KVM does.
 */
static int okvm_run_uninitialized(struct okvm_vcpu *vcpu)
{
	if (READ_ONCE(OKVM_RUN_IMMEDIATE_EXIT(vcpu->run)))
		return -EINTR;
	okvm_vcpu_block(vcpu, false);
	okvm_lapic_accept_events(vcpu);
	if (signal_pending(current)) {
		okvm_exit_to_user(vcpu, OKVM_USER_INTR);
		return -EINTR;
	}
	return -EAGAIN;
}

/* KVM_RUN past the checks: the guest's FPU state is loaded around it. */
static int okvm_run_runnable(struct okvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	int r;

	if (!vcpu->arch.lapic) {
		if (run->cr8 > 15)
			return -EINVAL;
		okvm_vendor->set_tpr(vcpu, run->cr8);
	}
	if (cpu_feature_enabled(X86_FEATURE_OSPKE))
		vcpu->arch.host_pkru = read_pkru();
	fpu_swap_kvm_fpstate(&vcpu->arch.guest_fpu, true);
	r = okvm_complete_userspace(vcpu);
	if (r <= 0)
		goto out;
	if (READ_ONCE(OKVM_RUN_IMMEDIATE_EXIT(run))) {
		r = -EINTR;
		goto out;
	}
	r = okvm_run_loop(vcpu);
out:
	okvm_pv_eoi_leave(vcpu);
	fpu_swap_kvm_fpstate(&vcpu->arch.guest_fpu, false);
	okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_FPU_RELOAD);
	okvm_post_run(vcpu);
	return r;
}

/* KVM_RUN */
int okvm_arch_vcpu_run(struct okvm_vcpu *vcpu)
{
	int r;

	/* Its state was lost (OKVM_X_STATE_LOST): it never runs again. */
	if (vcpu->arch.state_lost)
		return -EIO;
	vcpu->run->flags = 0;
	vcpu->arch.has_run = true;
	okvm_steal_time_run(vcpu);
	okvm_sigset_activate(vcpu);
	if (vcpu->arch.mp_state == KVM_MP_STATE_UNINITIALIZED)
		r = okvm_run_uninitialized(vcpu);
	else
		r = okvm_sync_regs_load(vcpu) ?: okvm_run_runnable(vcpu);
	okvm_sync_regs_store(vcpu);
	okvm_sigset_deactivate(vcpu);
	okvm_preempt_account(vcpu);
	return r;
}
