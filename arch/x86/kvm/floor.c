// SPDX-License-Identifier: GPL-2.0-only
/*
 * The world-switch floor: the cost of one guest entry and exit with
 * nothing handled in between, measured inside the module.  Written to a
 * vCPU's debugfs file (kvm/<pid>-<fd>/vcpuN/entry_floor, arch debugfs.c):
 * the vCPU must be stopped in userspace at a port I/O exit (KVM_RUN
 * returned KVM_EXIT_IO).  Its OUT/IN has not retired yet, so entering
 * the guest again without handling the exit repeats the same intercept:
 * the loop re-enters N times and keeps the time per entry, which the
 * file then reads back.  The pending I/O completes at the next KVM_RUN
 * as if nothing happened.
 *
 * Safety: N is bounded, vcpu->mutex is held (taken killably), nothing is
 * injected (a pending event refuses the floor), every entry goes through
 * the same checks as KVM_RUN's (need_resched, signals, requests), and the
 * loop stops at the first exit that is not the same intercept or a host
 * interrupt.  An exit left unhandled that way only concerns the guest.
 */
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <asm/fpu/api.h>
#include <asm/pkru.h>

#include "kvm_core.h"
#include "vendor.h"

/* What the floor may do to a vCPU: stopped at a port I/O exit. */
static bool okvm_floor_allowed(struct okvm_vcpu *vcpu)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;

	return a->has_run && !a->state_lost && !a->event.pending &&
	       a->mp_state == KVM_MP_STATE_RUNNABLE &&
	       a->completion == OKVM_COMPLETE_PIO && a->exit.code == OKVM_X_IO;
}

/* The loop, guest FPU loaded: entries that repeated the exit, or -errno. */
static long okvm_floor_loop(struct okvm_vcpu *vcpu, u32 n)
{
	u64 hw = vcpu->arch.exit.hw_reason;
	long done = 0, entries = 0;
	int r;

	while (done < n) {
		/* Host interrupts do not count; they cannot stretch it far. */
		if (++entries > 2L * n + 1000)
			return -EAGAIN;
		r = okvm_floor_switch(vcpu);
		if (r == 0) {
			cond_resched();
			continue;
		}
		if (r < 0)
			return r;
		r = okvm_vendor->exit_repeats(vcpu, hw);
		if (r < 0) {
			/* Something else: leave it as a real exit would. */
			okvm_vendor->decode_exit(vcpu, &vcpu->arch.exit);
			if (vcpu->arch.exit.code == OKVM_X_STATE_LOST)
				vcpu->arch.state_lost = true;
			return -EAGAIN;
		}
		done += r;
	}
	return done;
}

/*
 * Run the floor with @n entries (1..OKVM_FLOOR_MAX); vcpu->arch.floor_ps
 * gets picoseconds per entry.  0 or -errno: -EINVAL (bad @n, or not
 * stopped at port I/O), -EINTR (a signal, or the mutex wait killed),
 * -EAGAIN (a request or another exit cut it short).
 */
int okvm_floor_run(struct okvm_vcpu *vcpu, u32 n)
{
	long done;
	u64 t;

	if (!n || n > OKVM_FLOOR_MAX)
		return -EINVAL;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	done = -EINVAL;
	if (!okvm_floor_allowed(vcpu))
		goto out;
	if (cpu_feature_enabled(X86_FEATURE_OSPKE))
		vcpu->arch.host_pkru = read_pkru();
	fpu_swap_kvm_fpstate(&vcpu->arch.guest_fpu, true);
	t = ktime_get_ns();
	done = okvm_floor_loop(vcpu, n);
	t = ktime_get_ns() - t;
	fpu_swap_kvm_fpstate(&vcpu->arch.guest_fpu, false);
	if (done > 0)
		vcpu->arch.floor_ps = div64_u64(t * 1000, done);
out:
	mutex_unlock(&vcpu->mutex);
	return done < 0 ? done : 0;
}
