// SPDX-License-Identifier: GPL-2.0-only
/*
 * okvm_pin: a test-only module for the nested bench machine, never part
 * of okvm.  While it is loaded it holds one reference on the scheduler's
 * preempt-notifier static key.  Upstream kvm takes and drops a reference
 * of its own whenever its VM count moves between 0 and 1; with this one
 * held, those only move a count and never re-patch the key's jump labels,
 * which can livelock L1 under TCG (finish_task_switch spinning).  The
 * bench loads it once, before it starts alternating the hypervisors.
 */
#include <linux/module.h>
#include <linux/preempt.h>

static int __init okvm_pin_init(void)
{
	preempt_notifier_inc();
	return 0;
}

static void __exit okvm_pin_exit(void)
{
	preempt_notifier_dec();
}

module_init(okvm_pin_init);
module_exit(okvm_pin_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bench only: pin the preempt-notifier static key on");
