// SPDX-License-Identifier: GPL-2.0-only
/*
 * Halt polling: a halted vCPU spins for a while before it sleeps, since a
 * wake-up that comes soon is much cheaper to catch spinning than with a
 * schedule() each way.  How long is per vCPU (vcpu->halt_poll_ns) and
 * adapts, with KVM's rules and module parameters:
 *
 *   - it never exceeds the VM's maximum: the halt_poll_ns parameter, or
 *     what KVM_ENABLE_CAP(KVM_CAP_HALT_POLL) set for this VM;
 *   - after a halt (poll and sleep together) no longer than the window,
 *     it stays;
 *   - after a halt longer than the maximum, it shrinks (divided by
 *     halt_poll_ns_shrink, to 0 when that is 0 or the result falls below
 *     halt_poll_ns_grow_start);
 *   - after a halt longer than the window but shorter than the maximum,
 *     it grows (times halt_poll_ns_grow, at least
 *     halt_poll_ns_grow_start); the maximum clips it at the next halt;
 *   - with a maximum of 0 it is 0 and nothing polls.
 *
 * Every grow and shrink fires kvm_halt_poll_ns.  Everything here runs in
 * the vCPU's thread under vcpu->mutex; the module parameters and the
 * VM's maximum are read once each with READ_ONCE().
 */
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/uaccess.h>

#include "kvm_core.h"
#include "trace_core.h"

/* The default maximum, and the growth rules (KVM's names and defaults). */
static unsigned int halt_poll_ns = 200000;
module_param(halt_poll_ns, uint, 0644);
MODULE_PARM_DESC(halt_poll_ns, "max ns a halted vCPU polls before sleeping");

static unsigned int halt_poll_ns_grow = 2;
module_param(halt_poll_ns_grow, uint, 0644);
MODULE_PARM_DESC(halt_poll_ns_grow, "factor a vCPU's poll window grows by");

static unsigned int halt_poll_ns_grow_start = 10000;
module_param(halt_poll_ns_grow_start, uint, 0644);
MODULE_PARM_DESC(halt_poll_ns_grow_start, "ns a poll window grows from");

static unsigned int halt_poll_ns_shrink;
module_param(halt_poll_ns_shrink, uint, 0644);
MODULE_PARM_DESC(halt_poll_ns_shrink,
		 "divisor a poll window shrinks by (0: to 0)");

/* The VM's maximum window: its KVM_CAP_HALT_POLL, else the parameter. */
static unsigned int okvm_halt_poll_max(struct okvm_vm *vm)
{
	if (READ_ONCE(vm->halt_poll_override)) {
		smp_rmb();	/* pairs with okvm_vm_enable_halt_poll() */
		return READ_ONCE(vm->max_halt_poll_ns);
	}
	return READ_ONCE(halt_poll_ns);
}

static void okvm_halt_poll_grow(struct okvm_vcpu *vcpu)
{
	unsigned int old = vcpu->halt_poll_ns, val = old;
	unsigned int grow = READ_ONCE(halt_poll_ns_grow);
	unsigned int start = READ_ONCE(halt_poll_ns_grow_start);

	if (grow) {
		val = max(old * grow, start);
		vcpu->halt_poll_ns = val;
	}
	trace_kvm_halt_poll_ns(true, vcpu->vcpu_id, val, old);
}

static void okvm_halt_poll_shrink(struct okvm_vcpu *vcpu)
{
	unsigned int old = vcpu->halt_poll_ns, val;
	unsigned int shrink = READ_ONCE(halt_poll_ns_shrink);

	val = shrink ? old / shrink : 0;
	if (val < READ_ONCE(halt_poll_ns_grow_start))
		val = 0;
	vcpu->halt_poll_ns = val;
	trace_kvm_halt_poll_ns(false, vcpu->vcpu_id, val, old);
}

/* After a halt of @halt_ns: the window for the next one. */
static void okvm_halt_poll_adapt(struct okvm_vcpu *vcpu, u64 halt_ns)
{
	unsigned int max = okvm_halt_poll_max(vcpu->vm);
	unsigned int cur = vcpu->halt_poll_ns;

	if (!max)
		vcpu->halt_poll_ns = 0;
	else if (halt_ns <= cur)
		return;
	else if (cur && halt_ns > max)
		okvm_halt_poll_shrink(vcpu);
	else if (cur < max && halt_ns < max)
		okvm_halt_poll_grow(vcpu);
}

/*
 * Spin until the vCPU has something to do, a signal is pending, the
 * window @stop passes, or the CPU is wanted by another task.  True if
 * woken; *@end: the last time the spin looked at the clock.
 */
static bool okvm_halt_spin(struct okvm_vcpu *vcpu, ktime_t stop,
			   ktime_t *end)
{
	ktime_t now;

	do {
		if (okvm_arch_vcpu_should_wake(vcpu) || signal_pending(current))
			return true;
		cpu_relax();
		now = ktime_get();
		*end = now;
	} while (single_task_running() && !need_resched() &&
		 ktime_before(now, stop));
	return false;
}

static void okvm_halt_poll_stats(struct okvm_vcpu *vcpu, u64 ns, bool ok)
{
	okvm_vcpu_stat_inc(vcpu, OKVM_STAT_HALT_ATTEMPTED_POLL);
	if (ok) {
		okvm_vcpu_stat_inc(vcpu, OKVM_STAT_HALT_SUCCESSFUL_POLL);
		okvm_stat_add(&vcpu->stat[OKVM_STAT_HALT_POLL_SUCCESS_NS], ns);
		okvm_stat_log_hist(&vcpu->stat[OKVM_STAT_HALT_POLL_SUCCESS_HIST],
				   ns);
	} else {
		okvm_stat_add(&vcpu->stat[OKVM_STAT_HALT_POLL_FAIL_NS], ns);
		okvm_stat_log_hist(&vcpu->stat[OKVM_STAT_HALT_POLL_FAIL_HIST],
				   ns);
	}
}

/*
 * The guest halted: poll for the vCPU's window, then sleep until it has
 * something to do or a signal is pending.  A poll succeeded if the vCPU
 * never slept, even when the event came just after the spin.  The
 * halt_* statistics count each step; halt_ns (kvm_vcpu_wakeup) is the
 * whole halt, poll included.
 */
static void okvm_vcpu_halt(struct okvm_vcpu *vcpu)
{
	unsigned int max = okvm_halt_poll_max(vcpu->vm);
	ktime_t start, poll_end, now;
	bool poll, slept = false;
	u64 wait_ns;

	if (vcpu->halt_poll_ns > max)
		vcpu->halt_poll_ns = max;
	poll = vcpu->halt_poll_ns;
	start = now = poll_end = ktime_get();
	if (poll && okvm_halt_spin(vcpu, ktime_add_ns(start,
						      vcpu->halt_poll_ns),
				   &poll_end)) {
		now = poll_end;
		goto out;
	}
	slept = okvm_vcpu_sleep(vcpu);
	now = ktime_get();
	if (slept) {
		wait_ns = ktime_to_ns(ktime_sub(now, poll_end));
		okvm_stat_add(&vcpu->stat[OKVM_STAT_HALT_WAIT_NS], wait_ns);
		okvm_stat_log_hist(&vcpu->stat[OKVM_STAT_HALT_WAIT_HIST],
				   wait_ns);
	}
out:
	if (poll)
		okvm_halt_poll_stats(vcpu,
				     ktime_to_ns(ktime_sub(poll_end, start)),
				     !slept);
	okvm_halt_poll_adapt(vcpu, ktime_to_ns(ktime_sub(now, start)));
	trace_kvm_vcpu_wakeup(ktime_to_ns(ktime_sub(now, start)), slept,
			      true);
}

/*
 * Wait until the vCPU has something to do (okvm_arch_vcpu_should_wake())
 * or a signal is pending.  vcpu->mutex held; may sleep.  @halt: the guest
 * halted (poll first, count in the halt_* statistics), rather than an AP
 * waiting for its SIPI.
 */
void okvm_vcpu_block(struct okvm_vcpu *vcpu, bool halt)
{
	if (halt)
		okvm_vcpu_halt(vcpu);
	else
		okvm_vcpu_sleep(vcpu);
}

/*
 * KVM_ENABLE_CAP(KVM_CAP_HALT_POLL): @max_ns is the VM's maximum window
 * from now on, whatever the module parameter says.  Any value that fits
 * in 32 bits; 0 turns polling off.  Lock-free: the maximum is published
 * before the flag that makes readers use it.
 */
int okvm_vm_enable_halt_poll(struct okvm_vm *vm, u64 max_ns)
{
	if (max_ns > UINT_MAX)
		return -EINVAL;
	WRITE_ONCE(vm->max_halt_poll_ns, max_ns);
	smp_wmb();
	WRITE_ONCE(vm->halt_poll_override, true);
	return 0;
}
