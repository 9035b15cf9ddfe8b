// SPDX-License-Identifier: GPL-2.0-only
/*
 * The iTLB-multihit mitigation, "NX huge pages" (Documentation/mmu.md):
 * while on, 2 MiB leaves (TDP or shadow) are not executable; an instruction
 * fetch from one maps 4 KiB there instead (an NX split, counted in
 * nx_lpage_splits; shadow paging's are kept by shadow_nx.c),
 * and each VM's recovery work zaps 1/ratio of its splits every period so
 * that the regions may become 2 MiB again.
 *
 * kvm.ko parameters, with KVM's names, defaults and semantics:
 *   nx_huge_pages                     off/force/auto/never or a bool; reads Y/N
 *                                     ("never" once set so, with no VM alive)
 *   nx_huge_pages_recovery_ratio      60 (0: no recovery)
 *   nx_huge_pages_recovery_period_ms  0: one hour / ratio
 *
 * Every VM is on nx_vms (under nx_vms_lock) from creation to destruction,
 * so that a change of nx_huge_pages zaps every MMU table and a change of
 * the recovery parameters restarts the work.  The work item is cancelled
 * (and cannot be queued again) before the VM's tables are freed.
 */
#include <linux/cpu.h>
#include <linux/capability.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <asm/cpufeature.h>

#include "kvm_core.h"
#include "mmu.h"

static int nx_huge_pages = -1;		/* -1: "auto", not resolved yet */
static bool nx_never;			/* "never": no way back */
#ifdef CONFIG_PREEMPT_RT
static uint nx_huge_pages_recovery_ratio;
#else
static uint nx_huge_pages_recovery_ratio = 60;
#endif
static uint nx_huge_pages_recovery_period_ms;

static LIST_HEAD(nx_vms);
static DEFINE_MUTEX(nx_vms_lock);

/* Zapped per round before mmu_lock may be dropped. */
#define NX_RECOVER_BATCH	64

static bool nx_auto(void)
{
	return boot_cpu_has_bug(X86_BUG_ITLB_MULTIHIT) &&
	       !cpu_mitigations_off();
}

/* Whether 2 MiB leaves of @vm are made non-executable now. */
bool okvm_nx_huge_pages_apply(struct okvm_vm *vm)
{
	return READ_ONCE(nx_huge_pages) > 0 && !vm->arch.nx_huge_pages_off;
}

/* The recovery period in ms, or 0 if recovery is off. */
static unsigned int nx_recovery_period(void)
{
	unsigned int ratio = READ_ONCE(nx_huge_pages_recovery_ratio);
	unsigned int period = READ_ONCE(nx_huge_pages_recovery_period_ms);

	if (READ_ONCE(nx_huge_pages) <= 0 || !ratio)
		return 0;
	return period ? period : 3600 * 1000 / min(ratio, 3600u);
}

/* Zap ceil(splits / ratio) of the VM's NX splits, oldest first. */
static void nx_recover(struct okvm_vm *vm)
{
	unsigned int ratio = READ_ONCE(nx_huge_pages_recovery_ratio);
	u64 *splits = &vm->stat[OKVM_VM_NR_GENERIC_STATS +
				OKVM_X86_VM_STAT_NX_LPAGE_SPLITS];
	unsigned long left, n;

	spin_lock(&vm->mmu_lock);
	left = READ_ONCE(*splits);
	left = ratio ? DIV_ROUND_UP(left, ratio) : 0;
	while (left) {
		n = min_t(unsigned long, left, NX_RECOVER_BATCH);
		if (okvm_mmu_is_tdp(vm))
			n = okvm_tdp_recover_nx(&vm->arch.tdp, n);
		else
			n = okvm_shadow_recover_nx(vm, n);
		if (!n)
			break;
		okvm_flush_remote_tlbs(vm);
		left -= n;
		cond_resched_lock(&vm->mmu_lock);
	}
	spin_unlock(&vm->mmu_lock);
}

static void nx_recovery_work(struct work_struct *work)
{
	struct okvm_vm *vm = container_of(to_delayed_work(work), struct okvm_vm,
					  arch.nx_recovery);
	unsigned int period = nx_recovery_period();

	if (!period)
		return;		/* a parameter change starts it again */
	nx_recover(vm);
	queue_delayed_work(system_long_wq, &vm->arch.nx_recovery,
			   msecs_to_jiffies(period));
}

/* (Re)start the VM's recovery one period from now; nx_vms_lock held. */
static void nx_restart(struct okvm_vm *vm)
{
	unsigned int period = nx_recovery_period();

	if (period)
		mod_delayed_work(system_long_wq, &vm->arch.nx_recovery,
				 msecs_to_jiffies(period));
}

void okvm_nx_vm_init(struct okvm_vm *vm)
{
	INIT_DELAYED_WORK(&vm->arch.nx_recovery, nx_recovery_work);
	mutex_lock(&nx_vms_lock);
	list_add(&vm->arch.nx_link, &nx_vms);
	nx_restart(vm);
	mutex_unlock(&nx_vms_lock);
}

/*
 * Before the VM's vCPUs and tables go: no recovery runs or is queued after
 * this.  Called again by okvm_mmu_vm_destroy(); the second call is a no-op.
 */
void okvm_nx_vm_destroy(struct okvm_vm *vm)
{
	mutex_lock(&nx_vms_lock);
	list_del_init(&vm->arch.nx_link);
	mutex_unlock(&nx_vms_lock);
	cancel_delayed_work_sync(&vm->arch.nx_recovery);
}

/* nx_huge_pages changed: every TDP and shadow table starts afresh. */
static void nx_changed(void)
{
	struct okvm_vm *vm;

	mutex_lock(&nx_vms_lock);
	list_for_each_entry(vm, &nx_vms, arch.nx_link) {
		spin_lock(&vm->mmu_lock);
		okvm_mmu_zap_gfn_range(vm, 0, U64_MAX);
		spin_unlock(&vm->mmu_lock);
		nx_restart(vm);
	}
	mutex_unlock(&nx_vms_lock);
}

/* "never": only while no VM exists. */
static int nx_set_never(void)
{
	int r = 0;

	mutex_lock(&nx_vms_lock);
	if (list_empty(&nx_vms))
		nx_never = true;
	else
		r = -EBUSY;
	mutex_unlock(&nx_vms_lock);
	return r;
}

static int nx_param_set(const char *val, const struct kernel_param *kp)
{
	int old = READ_ONCE(nx_huge_pages);
	bool on;
	int r;

	if (nx_never)
		return -EPERM;
	if (sysfs_streq(val, "off")) {
		on = false;
	} else if (sysfs_streq(val, "force")) {
		on = true;
	} else if (sysfs_streq(val, "auto")) {
		on = nx_auto();
	} else if (sysfs_streq(val, "never")) {
		r = nx_set_never();
		if (r)
			return r;
		on = false;
	} else if (kstrtobool(val, &on) < 0) {
		return -EINVAL;
	}
	WRITE_ONCE(nx_huge_pages, on);
	if (on != (old > 0))
		nx_changed();
	return 0;
}

static int nx_param_get(char *buffer, const struct kernel_param *kp)
{
	if (nx_never)
		return sprintf(buffer, "never\n");
	return sprintf(buffer, "%c\n", READ_ONCE(nx_huge_pages) > 0 ? 'Y' : 'N');
}

static const struct kernel_param_ops nx_param_ops = {
	.set = nx_param_set,
	.get = nx_param_get,
};
module_param_cb(nx_huge_pages, &nx_param_ops, &nx_huge_pages, 0644);
__MODULE_PARM_TYPE(nx_huge_pages, "bool");
MODULE_PARM_DESC(nx_huge_pages, "Non-executable 2 MiB guest mappings (iTLB multihit): off/force/auto/never or a bool");

/* ratio or period changed: a VM whose recovery got sooner starts anew. */
static int nx_recovery_param_set(const char *val,
				 const struct kernel_param *kp)
{
	unsigned int old = nx_recovery_period(), now;
	struct okvm_vm *vm;
	int r;

	if (nx_never)
		return -EPERM;
	r = param_set_uint(val, kp);
	if (r)
		return r;
	now = nx_recovery_period();
	if (!now || (old && old <= now))
		return 0;
	mutex_lock(&nx_vms_lock);
	list_for_each_entry(vm, &nx_vms, arch.nx_link)
		nx_restart(vm);
	mutex_unlock(&nx_vms_lock);
	return 0;
}

static const struct kernel_param_ops nx_recovery_param_ops = {
	.set = nx_recovery_param_set,
	.get = param_get_uint,
};
module_param_cb(nx_huge_pages_recovery_ratio, &nx_recovery_param_ops,
		&nx_huge_pages_recovery_ratio, 0644);
__MODULE_PARM_TYPE(nx_huge_pages_recovery_ratio, "uint");
MODULE_PARM_DESC(nx_huge_pages_recovery_ratio, "NX recovery: zap 1/ratio of the splits each period (0: never)");
module_param_cb(nx_huge_pages_recovery_period_ms, &nx_recovery_param_ops,
		&nx_huge_pages_recovery_period_ms, 0644);
__MODULE_PARM_TYPE(nx_huge_pages_recovery_period_ms, "uint");
MODULE_PARM_DESC(nx_huge_pages_recovery_period_ms, "NX recovery period in ms (0: one hour / ratio)");

/* kvm.ko load: "auto" (the default) becomes on or off. */
void okvm_nx_init(void)
{
	if (nx_huge_pages < 0)
		nx_huge_pages = nx_auto();
}

/*
 * KVM_ENABLE_CAP(KVM_CAP_VM_DISABLE_NX_HUGE_PAGES): this VM's 2 MiB leaves
 * stay executable.  A guest could then crash the host on affected CPUs,
 * so the caller needs CAP_SYS_BOOT in the initial namespace.  Errnos as
 * KVM's: EPERM without it, EINVAL for a nonzero argument or once a vCPU
 * exists.
 */
long okvm_vm_disable_nx_huge_pages(struct okvm_vm *vm, u64 arg)
{
	long r = -EINVAL;

	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	if (arg)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (!vm->created_vcpus) {
		vm->arch.nx_huge_pages_off = true;
		r = 0;
	}
	mutex_unlock(&vm->lock);
	return r;
}
