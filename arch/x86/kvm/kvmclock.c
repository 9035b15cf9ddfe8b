// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest time: the TSC offset, kvmclock (the paravirtual clock, MSRs
 * MSR_KVM_SYSTEM_TIME{,_NEW} and MSR_KVM_WALL_CLOCK{,_NEW}) and
 * KVM_GET/SET_CLOCK.
 *
 * Each VM keeps one "master clock": a (host TSC, host boot-time ns) pair
 * sampled together.  kvmclock is the linear function of the TSC through that
 * point with the host's TSC frequency, plus the VM's offset, so every vCPU
 * computes the same time from its guest TSC wherever it runs, and the
 * pvclock structure stays valid across host CPUs when the host TSC is
 * stable (it is rewritten anyway when a vCPU moves).
 */
#include <linux/kvm.h>
#include <linux/math64.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include <asm/pvclock-abi.h>
#include <asm/tsc.h>
#include <uapi/asm/kvm_para.h>

#include "kvm_core.h"
#include "vendor.h"
#include "run_hooks.h"

#define OKVM_CLOCK_FLAGS (KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | \
			  KVM_CLOCK_HOST_TSC)

/*
 * Does the host keep time with the TSC?  Its clocksource's counter, read in
 * a snapshot, then lies between two TSC reads around it; the other x86
 * clocksources count something else (HPET and ACPI PM ticks, kvm-clock's
 * nanoseconds).  A host on the TSC clocksource vouches for TSCs that agree
 * across its CPUs and keep one rate, even without CONSTANT_TSC (tsc=reliable
 * on CPUs that do not say so, as the bench's nested machine): KVM's test
 * for its master clock, too.  6.1 has no clocksource ID in the snapshot.
 * The TSC clocksource reads with a fence, so it comes after the first
 * read; the second one is fenced to come after it.
 */
static bool okvm_host_clock_is_tsc(void)
{
	struct system_time_snapshot snap;
	u64 before, after;

	before = rdtsc();
	ktime_get_snapshot(&snap);
	after = rdtsc_ordered();
	return snap.cycles >= before && snap.cycles <= after;
}

/*
 * May the guest take kvmclock for stable (PVCLOCK_TSC_STABLE_BIT: one
 * clock for all vCPUs, no need to keep the highest value read)?  While
 * the host TSC is trusted (constant rate, or the host's own clock, as
 * found when the VM was made) and not marked unstable since.
 */
static bool okvm_tsc_stable(struct okvm_vm *vm)
{
	return vm->arch.tsc_trusted && !check_tsc_unstable();
}

/* ns = ((ticks << shift) * mul) >> 32, for the host TSC frequency. */
static void okvm_tsc_scale(u32 *mul, s8 *shift)
{
	u64 hz = (u64)tsc_khz * 1000;
	s8 s = 0;

	while (hz > 2 * NSEC_PER_SEC) {
		hz >>= 1;
		s--;
	}
	while (hz <= NSEC_PER_SEC) {
		hz <<= 1;
		s++;
	}
	*mul = div64_u64((u64)NSEC_PER_SEC << 32, hz);
	*shift = s;
}

static u64 okvm_scale_delta(u64 delta, u32 mul, s8 shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return mul_u64_u32_shr(delta, mul, 32);
}

/* kvmclock at host TSC value 'tsc'. */
static u64 okvm_kvmclock_at(struct okvm_vm *vm, u64 tsc)
{
	struct okvm_vm_arch *a = &vm->arch;

	return a->master_ns + a->kvmclock_offset +
	       okvm_scale_delta(tsc - a->master_tsc, a->tsc_mul, a->tsc_shift);
}

void okvm_kvmclock_vm_init(struct okvm_vm *vm)
{
	struct okvm_vm_arch *a = &vm->arch;
	unsigned long flags;

	spin_lock_init(&a->tsc_lock);
	okvm_tsc_scale(&a->tsc_mul, &a->tsc_shift);
	local_irq_save(flags);
	a->master_tsc = rdtsc();
	a->master_ns = ktime_get_boottime_ns();
	local_irq_restore(flags);
	a->tsc_trusted = boot_cpu_has(X86_FEATURE_CONSTANT_TSC) ||
			 okvm_host_clock_is_tsc();
	a->kvmclock_offset = -a->master_ns;	/* kvmclock starts at 0 */
	a->tsc_offset = -a->master_tsc;		/* so does the guest TSC */
}

/* Write a vCPU's pvclock structure, with the odd/even version protocol. */
static int okvm_write_pvclock(struct okvm_vcpu *vcpu)
{
	struct okvm_vm_arch *a = &vcpu->vm->arch;
	struct pvclock_vcpu_time_info pv = { 0 };
	u64 gpa = vcpu->arch.kvmclock_msr & ~1ULL;
	u32 version;

	pv.tsc_timestamp = a->master_tsc + vcpu->arch.tsc_offset;
	pv.system_time = a->master_ns + a->kvmclock_offset;
	pv.tsc_to_system_mul = a->tsc_mul;
	pv.tsc_shift = a->tsc_shift;
	if (okvm_tsc_stable(vcpu->vm))
		pv.flags = PVCLOCK_TSC_STABLE_BIT;
	if (okvm_read_guest(vcpu->vm, gpa, &version, sizeof(version)))
		return -EFAULT;
	version = (version + 1) | 1;
	pv.version = version + 1;
	if (okvm_write_guest(vcpu->vm, gpa, &version, sizeof(version)))
		return -EFAULT;
	smp_wmb();
	if (okvm_write_guest(vcpu->vm, gpa + 4, (u8 *)&pv + 4, sizeof(pv) - 4))
		return -EFAULT;
	smp_wmb();
	return okvm_write_guest(vcpu->vm, gpa, &pv.version, 4) ? -EFAULT : 0;
}

/* Before entry, in process context: the request to refresh was taken. */
void __okvm_kvmclock_update(struct okvm_vcpu *vcpu)
{
	if (vcpu->arch.kvmclock_msr & 1)
		okvm_write_pvclock(vcpu);	/* a bad GPA is the guest's loss */
}

/* The wall-clock time at which kvmclock read 0. */
static int okvm_write_wall_clock(struct okvm_vcpu *vcpu, u64 gpa)
{
	struct pvclock_wall_clock wc = { 0 };
	u64 real = ktime_get_real_ns();
	u64 boot = real - okvm_kvmclock_at(vcpu->vm, rdtsc());
	u32 rem;

	wc.sec = div_u64_rem(boot, NSEC_PER_SEC, &rem);
	wc.nsec = rem;
	wc.version = 2;
	return okvm_write_guest(vcpu->vm, gpa, &wc, sizeof(wc)) ? 1 : 0;
}

/* The kvmclock MSRs; 0 handled, 1 not ours (or refused). */
int okvm_kvmclock_set_msr(struct okvm_vcpu *vcpu, u32 index, u64 data)
{
	switch (index) {
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_SYSTEM_TIME_NEW:
		vcpu->arch.kvmclock_msr = data;
		okvm_make_request(vcpu, OKVM_REQ_CLOCK_UPDATE);
		return 0;
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_WALL_CLOCK_NEW:
		vcpu->arch.wall_clock_msr = data;
		return data ? okvm_write_wall_clock(vcpu, data) : 0;
	default:
		return 1;
	}
}

int okvm_kvmclock_get_msr(struct okvm_vcpu *vcpu, u32 index, u64 *data)
{
	switch (index) {
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_SYSTEM_TIME_NEW:
		*data = vcpu->arch.kvmclock_msr;
		return 0;
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_WALL_CLOCK_NEW:
		*data = vcpu->arch.wall_clock_msr;
		return 0;
	default:
		return 1;
	}
}

/*
 * A write to the TSC.  The VMM writing 0 is a vCPU being reset (QEMU does
 * it at start-up and on INIT): it joins the TSC the other vCPUs run on.
 * Writes of one value by the VMM within a second of each other share one
 * offset too, so the vCPUs' TSCs stay in step.
 */
void okvm_write_tsc(struct okvm_vcpu *vcpu, u64 data, bool host)
{
	struct okvm_vm_arch *a = &vcpu->vm->arch;
	u64 now_ns = ktime_get_boottime_ns();
	u64 old_offset = vcpu->arch.tsc_offset;
	u64 tsc = rdtsc();

	spin_lock(&a->tsc_lock);
	if (host && a->last_tsc_write_ns &&
	    (data == 0 || (data == a->last_tsc_value &&
			   now_ns - a->last_tsc_write_ns < NSEC_PER_SEC))) {
		vcpu->arch.tsc_offset = a->last_tsc_offset;
	} else {
		vcpu->arch.tsc_offset = data - tsc;
		a->last_tsc_value = data;
		a->last_tsc_offset = vcpu->arch.tsc_offset;
		a->last_tsc_write_ns = now_ns;
	}
	spin_unlock(&a->tsc_lock);
	/* The guest's own writes show in TSC_ADJUST; the VMM's do not. */
	if (!host)
		vcpu->arch.msrs.tsc_adjust += vcpu->arch.tsc_offset - old_offset;
	okvm_make_request(vcpu, OKVM_REQ_CLOCK_UPDATE);
}

/*
 * KVM_VCPU_TSC_OFFSET: the VMM sets the offset itself.  Like a write of
 * the TSC by the VMM, it becomes the offset that vCPUs reset later join.
 */
void okvm_set_tsc_offset(struct okvm_vcpu *vcpu, u64 offset)
{
	struct okvm_vm_arch *a = &vcpu->vm->arch;

	vcpu->arch.tsc_offset = offset;
	spin_lock(&a->tsc_lock);
	a->last_tsc_value = rdtsc() + offset;
	a->last_tsc_offset = offset;
	a->last_tsc_write_ns = ktime_get_boottime_ns();
	spin_unlock(&a->tsc_lock);
	okvm_make_request(vcpu, OKVM_REQ_CLOCK_UPDATE);
}

/*
 * IA32_TSC_ADJUST, when the guest's CPUID has it (else writes are dropped,
 * as KVM does).  A guest write moves its TSC by the change; the VMM only
 * restores the value.
 */
void okvm_write_tsc_adjust(struct okvm_vcpu *vcpu, u64 data, bool host)
{
	if (!okvm_guest_has_tsc_adjust(vcpu))
		return;
	if (!host) {
		vcpu->arch.tsc_offset += data - vcpu->arch.msrs.tsc_adjust;
		okvm_make_request(vcpu, OKVM_REQ_CLOCK_UPDATE);
	}
	vcpu->arch.msrs.tsc_adjust = data;
}

/* KVM_GET_CLOCK */
long okvm_vm_get_clock(struct okvm_vm *vm, void __user *argp)
{
	struct kvm_clock_data d;
	unsigned long flags;
	u64 tsc;

	memset(&d, 0, sizeof(d));
	local_irq_save(flags);
	tsc = rdtsc();
	d.realtime = ktime_get_real_ns();
	local_irq_restore(flags);
	d.host_tsc = tsc;
	d.clock = okvm_kvmclock_at(vm, tsc);
	d.flags = KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC;
	if (okvm_tsc_stable(vm))
		d.flags |= KVM_CLOCK_TSC_STABLE;
	return copy_to_user(argp, &d, sizeof(d)) ? -EFAULT : 0;
}

/* KVM_SET_CLOCK: kvmclock reads d.clock now (at d.realtime, if given). */
long okvm_vm_set_clock(struct okvm_vm *vm, void __user *argp)
{
	struct okvm_vcpu *vcpu;
	struct kvm_clock_data d;
	unsigned long i;
	u64 now, target;

	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	if (d.flags & ~OKVM_CLOCK_FLAGS)
		return -EINVAL;
	target = d.clock;
	if (d.flags & KVM_CLOCK_REALTIME) {
		u64 real = ktime_get_real_ns();

		if (real > d.realtime)
			target += real - d.realtime;
	}
	mutex_lock(&vm->lock);
	now = okvm_kvmclock_at(vm, rdtsc());
	vm->arch.kvmclock_offset += target - now;
	okvm_for_each_vcpu(i, vcpu, vm) {
		okvm_make_request(vcpu, OKVM_REQ_CLOCK_UPDATE);
		okvm_kick_vcpu(vcpu);
	}
	mutex_unlock(&vm->lock);
	return 0;
}

/* PV features for CPUID 0x40000001 that this file implements. */
u32 okvm_kvmclock_pv_features(void)
{
	return BIT(KVM_FEATURE_CLOCKSOURCE) | BIT(KVM_FEATURE_CLOCKSOURCE2) |
	       BIT(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT);
}
