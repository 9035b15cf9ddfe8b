// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvm.ko entry points: the back end's registration, per-CPU enabling of
 * the virtualisation extensions (CPU hotplug, reboot, suspend) and
 * /dev/kvm.
 *
 * /dev/kvm exists only while a back end is registered (on x86 a vendor
 * module, through arch/x86/kvm/vendor.c), as with the in-tree KVM, and
 * every file we hand out pins the back end's module, so it cannot be
 * unloaded while any VM (or /dev/kvm fd) is alive.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/cpuhotplug.h>
#include <linux/reboot.h>
#include <linux/syscore_ops.h>
#include <linux/mutex.h>

#include "kvm_core.h"

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("okvm: a KVM-ABI hypervisor core");

static DEFINE_MUTEX(okvm_register_lock);
static const struct okvm_backend *okvm_backend;	/* okvm_register_lock */
static enum cpuhp_state okvm_cpuhp_state;

static long okvm_dev_get_api_version(unsigned long arg)
{
	if (arg)
		return -EINVAL;
	return OKVM_API_VERSION;
}

static long okvm_dev_vcpu_mmap_size(unsigned long arg)
{
	if (arg)
		return -EINVAL;
	return OKVM_VCPU_MMAP_PAGES * PAGE_SIZE;
}

static long okvm_dev_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_API_VERSION:
		return okvm_dev_get_api_version(arg);
	case KVM_CREATE_VM:
		return okvm_create_vm(arg);
	case KVM_CHECK_EXTENSION:
		return okvm_check_extension(NULL, arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return okvm_dev_vcpu_mmap_size(arg);
#ifdef KVM_TRACE_ENABLE	/* gone from the UAPI (and from KVM) in 6.x */
	case KVM_TRACE_ENABLE:
	case KVM_TRACE_PAUSE:
	case KVM_TRACE_DISABLE:
		return -EOPNOTSUPP;
#endif
	default:
		return okvm_arch_dev_ioctl(ioctl, (void __user *)arg);
	}
}

static struct file_operations okvm_dev_fops = {
	.unlocked_ioctl = okvm_dev_ioctl,
	.compat_ioctl = okvm_dev_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice okvm_dev = {
	.minor = KVM_MINOR,
	.name = "kvm",
	.fops = &okvm_dev_fops,
};

/* The back end's per-CPU hooks; preemption off, may not sleep. */
static int okvm_hardware_enable(void)
{
	if (!okvm_backend->hardware_enable)
		return 0;
	return okvm_backend->hardware_enable();
}

static void okvm_hardware_disable(void)
{
	if (okvm_backend->hardware_disable)
		okvm_backend->hardware_disable();
}

static int okvm_cpu_online(unsigned int cpu)
{
	int r;

	preempt_disable();
	r = okvm_hardware_enable();
	preempt_enable();
	if (r)
		pr_err("okvm: cannot enable %s on CPU %u (%d)\n",
		       okvm_backend->name, cpu, r);
	return r;
}

static int okvm_cpu_offline(unsigned int cpu)
{
	preempt_disable();
	okvm_hardware_disable();
	preempt_enable();
	return 0;
}

static void okvm_disable_this_cpu(void *unused)
{
	okvm_hardware_disable();
}

static int okvm_reboot(struct notifier_block *nb, unsigned long code,
		       void *unused)
{
	on_each_cpu(okvm_disable_this_cpu, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block okvm_reboot_nb = {
	.notifier_call = okvm_reboot,
	.priority = 0,
};

/* Suspend runs on the last online CPU with interrupts off. */
static int okvm_suspend(OKVM_SYSCORE_ARG)
{
	okvm_hardware_disable();
	return 0;
}

static void okvm_resume(OKVM_SYSCORE_ARG)
{
	if (okvm_hardware_enable())
		pr_err("okvm: cannot re-enable %s after resume\n",
		       okvm_backend->name);
}

static struct syscore_ops okvm_syscore_ops = {
	.suspend = okvm_suspend,
	.resume = okvm_resume,
};
OKVM_DEFINE_SYSCORE(okvm_syscore, okvm_syscore_ops);

static int okvm_enable_all_cpus(void)
{
	int r;

	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "okvm:online",
			      okvm_cpu_online, okvm_cpu_offline);
	if (r < 0)
		return r;
	okvm_cpuhp_state = r;
	return 0;
}

/**
 * okvm_register_backend - a back end offers to run guests
 * @be: its name, module and per-CPU hooks, static while registered
 *
 * Process context, may sleep.  Enables the extension on every online CPU
 * (and on CPUs that come online later), then creates /dev/kvm.  -EEXIST
 * while another back end is registered.
 */
int okvm_register_backend(const struct okvm_backend *be)
{
	int r;

	mutex_lock(&okvm_register_lock);
	r = -EEXIST;
	if (okvm_backend)
		goto out;
	okvm_backend = be;
	r = okvm_enable_all_cpus();
	if (r)
		goto fail;
	okvm_dev_fops.owner = be->owner;
	okvm_set_fops_owner(be->owner);
	r = misc_register(&okvm_dev);
	if (r) {
		pr_err("okvm: /dev/kvm (10:%d) is taken: %d\n", KVM_MINOR, r);
		goto fail_cpuhp;
	}
	register_reboot_notifier(&okvm_reboot_nb);
	okvm_register_syscore(okvm_syscore);
	pr_info("okvm: %s registered\n", be->name);
	goto out;

fail_cpuhp:
	cpuhp_remove_state(okvm_cpuhp_state);
fail:
	okvm_backend = NULL;
out:
	mutex_unlock(&okvm_register_lock);
	return r;
}
EXPORT_SYMBOL_GPL(okvm_register_backend);

/**
 * okvm_unregister_backend - undo okvm_register_backend
 * @be: what was passed to okvm_register_backend()
 *
 * Called from the back end's module exit, which the module refcount only
 * lets happen when no file of ours is open.
 */
void okvm_unregister_backend(const struct okvm_backend *be)
{
	mutex_lock(&okvm_register_lock);
	if (okvm_backend == be) {
		okvm_unregister_syscore(okvm_syscore);
		unregister_reboot_notifier(&okvm_reboot_nb);
		misc_deregister(&okvm_dev);
		cpuhp_remove_state(okvm_cpuhp_state);
		okvm_backend = NULL;
	}
	mutex_unlock(&okvm_register_lock);
}
EXPORT_SYMBOL_GPL(okvm_unregister_backend);

static int __init okvm_init(void)
{
	int r = okvm_arch_init();

	if (!r)
		okvm_debugfs_init();
	return r;
}

/* RCU callbacks of ours (e.g. old GSI routing tables) may still be queued. */
static void __exit okvm_exit(void)
{
	okvm_debugfs_exit();
	rcu_barrier();
}

module_init(okvm_init);
module_exit(okvm_exit);
