// SPDX-License-Identifier: GPL-2.0
/*
 * clock: the VM's kvmclock, from the host (KVM_GET/SET_CLOCK) and from a
 * 64-bit guest (MSR_KVM_SYSTEM_TIME_NEW, MSR_KVM_WALL_CLOCK_NEW).
 *
 *   get_clock   KVM_CAP_ADJUST_CLOCK is non-zero, KVM_GET_CLOCK advances
 *               with time (and its realtime matches CLOCK_REALTIME when
 *               KVM_CLOCK_REALTIME is reported)
 *   set_clock   after KVM_SET_CLOCK(v) the clock reads >= v and close to it;
 *               unknown flags: EINVAL
 *   pvclock     the guest enables kvmclock: the pvclock_vcpu_time_info has
 *               an even version and a non-zero multiplier, the time the
 *               guest computes from it with RDTSC is close to KVM_GET_CLOCK;
 *               when the host keeps time with the TSC (its clocksource is
 *               "tsc"), the guest's flags have PVCLOCK_TSC_STABLE_BIT and
 *               KVM_GET_CLOCK, with the vCPU created, KVM_CLOCK_TSC_STABLE
 *   wall_clock  the pvclock_wall_clock is CLOCK_REALTIME minus kvmclock
 *   tsc_offset  the vCPU attribute KVM_VCPU_TSC_CTRL/KVM_VCPU_TSC_OFFSET
 *               (KVM_CAP_VCPU_ATTRIBUTES): HAS is 0, SET then GET gives
 *               the value back, and the guest's RDTSC lies between the
 *               host's rdtsc plus the offset before and after the run,
 *               for 0 and +/-180e9; unknown group or attribute: ENXIO;
 *               a NULL address: EFAULT
 */
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "x86.h"

#define NSEC		1000000000LL
#define SET_VALUE	(1000 * NSEC)
#define PVTI_GPA	(SCRATCH_GPA + 0x1000)
#define WALL_GPA	(SCRATCH_GPA + 0x2000)

struct pvti {
	uint32_t version, pad0;
	uint64_t tsc_timestamp, system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags, pad[2];
} __attribute__((packed));

struct pv_wall_clock {
	uint32_t version, sec, nsec;
} __attribute__((packed));

static struct kvm_vm *vm;

#define PVCLOCK_STABLE	0x01	/* PVCLOCK_TSC_STABLE_BIT */

/* The host's clocksource is the TSC. */
static bool host_clock_is_tsc(void)
{
	char name[32] = "";
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/"
			"current_clocksource", "r");

	if (!f)
		return false;
	if (!fgets(name, sizeof(name), f))
		name[0] = 0;
	fclose(f);
	return !strcmp(name, "tsc\n");
}

static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

static uint64_t get_clock(struct kvm_clock_data *d)
{
	memset(d, 0, sizeof(*d));
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_GET_CLOCK, d));
	return d->clock;
}

static void test_get_clock(void)
{
	struct kvm_clock_data d;
	uint64_t c1, c2;
	int64_t rt;

	TEST_ASSERT(kvm_check_cap(vm->fd, KVM_CAP_ADJUST_CLOCK) != 0,
		    "KVM_CAP_ADJUST_CLOCK is 0");
	c1 = get_clock(&d);
	usleep(50 * 1000);
	c2 = get_clock(&d);
	rt = realtime_ns();
	TEST_ASSERT(c2 > c1 && c2 - c1 >= 40 * 1000 * 1000 &&
		    c2 - c1 < 10 * NSEC,
		    "kvmclock 0x%llx, 50 ms later 0x%llx",
		    (unsigned long long)c1, (unsigned long long)c2);
	test_note("KVM_GET_CLOCK flags 0x%x", d.flags);
	if (d.flags & KVM_CLOCK_REALTIME)
		TEST_ASSERT(llabs(rt - (int64_t)d.realtime) < 2 * NSEC,
			    "realtime %lld vs CLOCK_REALTIME %lld",
			    (long long)d.realtime, (long long)rt);
}

static void test_set_clock(void)
{
	struct kvm_clock_data d;
	uint64_t c;

	memset(&d, 0, sizeof(d));
	d.clock = SET_VALUE;
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_SET_CLOCK, &d));
	c = get_clock(&d);
	TEST_ASSERT(c >= SET_VALUE && c - SET_VALUE < 2 * NSEC,
		    "set 0x%llx, got 0x%llx", (unsigned long long)SET_VALUE,
		    (unsigned long long)c);

	memset(&d, 0, sizeof(d));
	d.clock = 5 * SET_VALUE;
	d.flags = 1U << 4;
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_SET_CLOCK, &d), EINVAL);
	d.flags = 1U << 31;
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_SET_CLOCK, &d), EINVAL);
	c = get_clock(&d);
	TEST_ASSERT(c >= SET_VALUE && c - SET_VALUE < 4 * NSEC,
		    "refused KVM_SET_CLOCK changed the clock to 0x%llx",
		    (unsigned long long)c);
}

GUEST_CODE(guest_clock, 64,
	"\tmov $" STR(MSR_KVM_SYSTEM_TIME_NEW) ", %ecx\n"
	"\tmov $" STR(PVTI_GPA) " + 1, %eax\n\txor %edx, %edx\n\twrmsr\n"
	G_SYNC(1)
	/* time = system_time + ((tsc - tsc_timestamp) <<> shift) * mul >> 32 */
	"\tmov $" STR(PVTI_GPA) ", %rdi\n"
	"2:\tmov (%rdi), %r8d\n\ttest $1, %r8d\n\tjnz 2b\n"
	"\tlfence\n\trdtsc\n\tshl $32, %rdx\n\tor %rdx, %rax\n"
	"\tsub 8(%rdi), %rax\n"
	"\tmovsbl 28(%rdi), %ecx\n\ttest %ecx, %ecx\n\tjs 3f\n"
	"\tshl %cl, %rax\n\tjmp 4f\n"
	"3:\tneg %ecx\n\tshr %cl, %rax\n"
	"4:\tmov 24(%rdi), %r9d\n\tmul %r9\n\tshrd $32, %rdx, %rax\n"
	"\tadd 16(%rdi), %rax\n"
	"\tlfence\n\tcmp (%rdi), %r8d\n\tjne 2b\n"
	"\tmov %rax, %r12\n"
	G_SYNC(2)
	"\tmov $" STR(MSR_KVM_WALL_CLOCK_NEW) ", %ecx\n"
	"\tmov $" STR(WALL_GPA) ", %eax\n\txor %edx, %edx\n\twrmsr\n"
	G_SYNC(3)
	/* kvmclock off again */
	"\tmov $" STR(MSR_KVM_SYSTEM_TIME_NEW) ", %ecx\n"
	"\txor %eax, %eax\n\txor %edx, %edx\n\twrmsr\n"
	G_DONE);

static void test_guest(void)
{
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	volatile struct pvti *pvti = gpa2hva(vm, PVTI_GPA);
	volatile struct pv_wall_clock *wc = gpa2hva(vm, WALL_GPA);
	struct kvm_clock_data d;
	int64_t host, guest, boot, wall;
	struct ucall uc;

	memset((void *)pvti, 0, sizeof(*pvti));
	memset((void *)wc, 0, sizeof(*wc));
	vcpu_set_supported_cpuid(vcpu);
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, guest_clock));

	/* pvclock */
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_KVM_SYSTEM_TIME_NEW),
		       PVTI_GPA | 1);
	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT(uc.cmd == UCALL_SYNC && uc.arg0 == 2, "ucall %llu(%llu)",
		    (unsigned long long)uc.cmd, (unsigned long long)uc.arg0);
	host = get_clock(&d);
	guest = uc.regs.r12;
	test_note("pvclock version %u mul 0x%x shift %d flags 0x%x",
		  pvti->version, pvti->tsc_to_system_mul, pvti->tsc_shift,
		  pvti->flags);
	TEST_ASSERT(pvti->version && !(pvti->version & 1), "version %u",
		    pvti->version);
	TEST_ASSERT(pvti->tsc_to_system_mul, "tsc_to_system_mul is 0");
	TEST_ASSERT(guest >= SET_VALUE,
		    "guest time %lld before the KVM_SET_CLOCK value",
		    (long long)guest);
	TEST_ASSERT(host - guest > -NSEC / 10 && host - guest < 10 * NSEC,
		    "guest kvmclock %lld, host KVM_GET_CLOCK after it %lld",
		    (long long)guest, (long long)host);
	if (host_clock_is_tsc()) {
		TEST_ASSERT(pvti->flags & PVCLOCK_STABLE,
			    "host clocksource tsc, pvclock flags 0x%x",
			    pvti->flags);
		TEST_ASSERT(d.flags & KVM_CLOCK_TSC_STABLE,
			    "host clocksource tsc, KVM_GET_CLOCK flags 0x%x",
			    d.flags);
	} else {
		test_note("host clocksource not tsc: stable bits not checked");
	}

	/* wall clock */
	vcpu_expect_sync(vcpu, 3);
	host = get_clock(&d);
	boot = realtime_ns() - host;
	wall = wc->sec * NSEC + wc->nsec;
	TEST_ASSERT(!(wc->version & 1), "wall clock version %u", wc->version);
	TEST_ASSERT(wc->nsec < NSEC, "nsec %u", wc->nsec);
	TEST_ASSERT(llabs(wall - boot) < 2 * NSEC,
		    "wall clock %u.%09u, realtime - kvmclock %lld.%09lld",
		    wc->sec, wc->nsec, (long long)(boot / NSEC),
		    (long long)(boot % NSEC));
	vcpu_expect_done(vcpu);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_KVM_SYSTEM_TIME_NEW), 0);
	vcpu_free(vcpu);
}

GUEST_CODE(guest_rdtsc, 64,
	"1:\tlfence\n\trdtsc\n\tshl $32, %rdx\n\tor %rdx, %rax\n"
	"\tmov %rax, %r12\n"
	G_SYNC(1)
	"\tjmp 1b\n");

static uint64_t host_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static int tsc_attr(struct kvm_vcpu *vcpu, unsigned long op, uint32_t group,
		    uint64_t attr, uint64_t *val)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (uintptr_t)val,
	};

	return ioctl(vcpu->fd, op, &a);
}

static void test_tsc_offset(void)
{
	static const uint64_t offsets[] = { 0, 180 * NSEC, -180 * NSEC };
	struct kvm_vcpu *vcpu = vcpu_add(vm, 1);	/* 0 ran pvclock */
	uint64_t v = 0, before, after;
	struct ucall uc;
	unsigned int i;

	TEST_ASSERT(kvm_check_cap(vm->fd, KVM_CAP_VCPU_ATTRIBUTES) > 0,
		    "no KVM_CAP_VCPU_ATTRIBUTES");
	TEST_ASSERT_OK(tsc_attr(vcpu, KVM_HAS_DEVICE_ATTR, KVM_VCPU_TSC_CTRL,
				KVM_VCPU_TSC_OFFSET, NULL));
	TEST_ASSERT_ERRNO(tsc_attr(vcpu, KVM_HAS_DEVICE_ATTR,
				   KVM_VCPU_TSC_CTRL, 1, NULL), ENXIO);
	TEST_ASSERT_ERRNO(tsc_attr(vcpu, KVM_HAS_DEVICE_ATTR, 1,
				   KVM_VCPU_TSC_OFFSET, NULL), ENXIO);
	TEST_ASSERT_ERRNO(tsc_attr(vcpu, KVM_GET_DEVICE_ATTR,
				   KVM_VCPU_TSC_CTRL, 1, &v), ENXIO);
	TEST_ASSERT_ERRNO(tsc_attr(vcpu, KVM_GET_DEVICE_ATTR, KVM_VCPU_TSC_CTRL,
				   KVM_VCPU_TSC_OFFSET, NULL), EFAULT);
	TEST_ASSERT_ERRNO(tsc_attr(vcpu, KVM_SET_DEVICE_ATTR, KVM_VCPU_TSC_CTRL,
				   KVM_VCPU_TSC_OFFSET, NULL), EFAULT);
	vcpu_set_supported_cpuid(vcpu);
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, guest_rdtsc));
	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		v = offsets[i];
		TEST_ASSERT_OK(tsc_attr(vcpu, KVM_SET_DEVICE_ATTR,
					KVM_VCPU_TSC_CTRL, KVM_VCPU_TSC_OFFSET,
					&v));
		v = ~offsets[i];
		TEST_ASSERT_OK(tsc_attr(vcpu, KVM_GET_DEVICE_ATTR,
					KVM_VCPU_TSC_CTRL, KVM_VCPU_TSC_OFFSET,
					&v));
		TEST_ASSERT_EQ(v, offsets[i]);
		before = host_rdtsc() + offsets[i];
		vcpu_ucall(vcpu, &uc);
		after = host_rdtsc() + offsets[i];
		TEST_ASSERT(uc.cmd == UCALL_SYNC && uc.arg0 == 1,
			    "ucall %llu(%llu)", (unsigned long long)uc.cmd,
			    (unsigned long long)uc.arg0);
		TEST_ASSERT(before <= uc.regs.r12 && uc.regs.r12 <= after,
			    "offset %lld: guest TSC 0x%llx not in [0x%llx, 0x%llx]",
			    (long long)offsets[i],
			    (unsigned long long)uc.regs.r12,
			    (unsigned long long)before,
			    (unsigned long long)after);
	}
	vcpu_free(vcpu);
}

int main(void)
{
	test_init("clock");
	vm = vm_create();
	RUN_SUBTEST("get_clock", test_get_clock());
	RUN_SUBTEST("set_clock", test_set_clock());
	RUN_SUBTEST("pvclock_wall_clock", test_guest());
	RUN_SUBTEST("tsc_offset", test_tsc_offset());
	vm_destroy(vm);
	test_done();
}
