// SPDX-License-Identifier: GPL-2.0-only
/*
 * Steal time (MSR_KVM_STEAL_TIME, KVM_FEATURE_STEAL_TIME): the guest gives a
 * 64-byte aligned struct kvm_steal_time, and before entering it okvm adds to
 * its 'steal' field the time the vCPU task spent runnable but waiting for a
 * host CPU (the scheduler's run_delay) since the last update.
 *
 * The update runs before an entry whenever run_delay moved (the task waited
 * on a run queue, i.e. it was scheduled back in), and once after each KVM_RUN
 * starts or the MSR is written, with the odd/even 'version' protocol of
 * pvclock around the write.  okvm does not mark vCPUs preempted (no preempt
 * notifier, no KVM_FEATURE_PV_TLB_FLUSH): 'preempted' is only cleared.
 */
#include <linux/kvm.h>
#include <linux/sched.h>
#include <linux/sched/stat.h>
#include <asm/msr-index.h>
#include <uapi/asm/kvm_para.h>

#include "kvm_core.h"
#include "run_hooks.h"

/* The host keeps run_delay (CONFIG_SCHED_INFO, on in Debian's kernels). */
bool okvm_steal_time_supported(void)
{
	return sched_info_on();
}

/* MSR_KVM_STEAL_TIME writes, guest or VMM: 0 taken, 1 refused (#GP). */
int okvm_steal_time_set_msr(struct okvm_vcpu *vcpu, u64 data)
{
	if (!okvm_steal_time_supported() || (data & KVM_STEAL_RESERVED_MASK))
		return 1;
	vcpu->arch.st.msr = data;
	vcpu->arch.st.pending = !!(data & KVM_MSR_ENABLED);
	return 0;
}

u64 okvm_steal_time_get_msr(struct okvm_vcpu *vcpu)
{
	return vcpu->arch.st.msr;
}

/* Power-on and INIT turn steal time off, as in KVM. */
void okvm_steal_time_reset(struct okvm_vcpu *vcpu)
{
	vcpu->arch.st.msr = 0;
	vcpu->arch.st.pending = false;
}

/* KVM_RUN starts: refresh the structure at the first entry. */
void okvm_steal_time_run(struct okvm_vcpu *vcpu)
{
	if (vcpu->arch.st.msr & KVM_MSR_ENABLED)
		vcpu->arch.st.pending = true;
	vcpu->arch.nivcsw = current->nivcsw;
	vcpu->arch.at_boundary = false;
}

/*
 * preemption_reported and preemption_other: the times the vCPU's thread
 * was switched out while still runnable (preempted, cond_resched(),
 * yield_to()) inside KVM_RUN, which is what KVM counts at vcpu_put.  KVM
 * has a preempt notifier; okvm reads the thread's involuntary switch
 * count instead, at each entry and when KVM_RUN returns.  "Reported" if
 * the last exit was for a host interrupt (the guest stopped on an
 * instruction boundary: KVM would mark it preempted in the steal-time
 * structure), "other" otherwise (after any other exit, or on the way in).
 */
void __okvm_preempt_account(struct okvm_vcpu *vcpu, unsigned long n)
{
	unsigned long d = n - vcpu->arch.nivcsw;

	vcpu->arch.nivcsw = n;
	okvm_stat_add(&vcpu->stat[OKVM_VCPU_NR_GENERIC_STATS +
				  (vcpu->arch.at_boundary ?
				   OKVM_X86_STAT_PREEMPTION_REPORTED :
				   OKVM_X86_STAT_PREEMPTION_OTHER)], d);
}

/*
 * Add the new run delay to the guest's structure.  A bad GPA (no slot,
 * read-only slot, unmapped user memory) only loses the update, as in KVM.
 */
static void okvm_write_steal_time(struct okvm_vcpu *vcpu, u64 delay)
{
	struct okvm_vm *vm = vcpu->vm;
	u64 gpa = vcpu->arch.st.msr & KVM_STEAL_VALID_BITS;
	struct kvm_steal_time st;
	u8 preempted = 0;

	if (okvm_read_guest(vm, gpa, &st, offsetof(struct kvm_steal_time, flags)))
		return;
	/* An odd version is what the guest left there: start from even. */
	st.version = (st.version + 1) | 1;
	if (okvm_write_guest(vm, gpa + offsetof(struct kvm_steal_time, version),
			     &st.version, sizeof(st.version)))
		return;
	smp_wmb();
	st.steal += delay - vcpu->arch.st.last_run_delay;
	vcpu->arch.st.last_run_delay = delay;
	okvm_write_guest(vm, gpa + offsetof(struct kvm_steal_time, preempted),
			 &preempted, sizeof(preempted));
	okvm_write_guest(vm, gpa, &st.steal, sizeof(st.steal));
	smp_wmb();
	st.version++;
	okvm_write_guest(vm, gpa + offsetof(struct kvm_steal_time, version),
			 &st.version, sizeof(st.version));
}

/*
 * Before an entry, in process context with the vCPU's mm: steal time is
 * on and the run delay is now @delay, grown or owed since the last write.
 */
void __okvm_steal_time_update(struct okvm_vcpu *vcpu, u64 delay)
{
	vcpu->arch.st.pending = false;
	okvm_write_steal_time(vcpu, delay);
}

/* The PV feature bit of CPUID 0x40000001 this file implements. */
u32 okvm_steal_time_pv_features(void)
{
	return okvm_steal_time_supported() ? BIT(KVM_FEATURE_STEAL_TIME) : 0;
}
