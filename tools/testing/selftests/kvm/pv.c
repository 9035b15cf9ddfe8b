// SPDX-License-Identifier: GPL-2.0
/*
 * pv: KVM paravirtual features other than kvmclock (see clock.c).
 *
 *   steal_time  KVM_GET_SUPPORTED_CPUID advertises KVM_FEATURE_STEAL_TIME;
 *               MSR_KVM_STEAL_TIME with reserved bits (1-5) is refused to
 *               the VMM and raises #GP(0) in the guest; a guest that
 *               enables it at a 64-byte aligned GPA reads the value back,
 *               and each KVM_RUN leaves an even, larger version; time the
 *               vCPU thread spent waiting for its CPU (run_delay of
 *               /proc/thread-self/schedstat), made by a spinning thread
 *               on the same CPU, shows up in 'steal', which never exceeds
 *               the thread's total run_delay
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>

#include "x86.h"

#define MSR_KVM_STEAL_TIME	0x4b564d03
#define KVM_FEATURE_STEAL_TIME	5
#define ST_GPA			(SCRATCH_GPA + 0x3000)
#define ST_RESERVED		0x3eULL
#define NSEC			1000000000LL
#define STEAL_NS		(50 * 1000 * 1000LL)

struct steal_time {
	uint64_t steal;
	uint32_t version, flags;
	uint8_t preempted, u8_pad[3];
	uint32_t pad[11];
};

GUEST_CODE(guest_st, 64,
	"\tmov $" STR(MSR_KVM_STEAL_TIME) ", %ecx\n"
	"\tmov $" STR(ST_GPA) " + 1, %eax\n\txor %edx, %edx\n\twrmsr\n"
	"\trdmsr\n\tmov %rax, %r12\n"
	"1:\n"
	G_SYNC(1)
	"\tjmp 1b\n");

GUEST_CODE(guest_st_gp, 64,
	"\tmov $" STR(MSR_KVM_STEAL_TIME) ", %ecx\n"
	"\tmov $" STR(ST_GPA) " + 3, %eax\n\txor %edx, %edx\n"
	G_LABEL(st_gp_insn)
	"\twrmsr\n"
	G_DONE);
extern const uint8_t st_gp_insn[];

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

/* The calling thread's time waiting on a run queue, in ns. */
static int64_t run_delay(void)
{
	long long run, wait;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	TEST_ASSERT(f, "no /proc/thread-self/schedstat");
	TEST_ASSERT(fscanf(f, "%lld %lld", &run, &wait) == 2,
		    "bad /proc/thread-self/schedstat");
	fclose(f);
	return wait;
}

static void *spin(void *arg)
{
	int64_t end = now_ns() + STEAL_NS;

	(void)arg;
	while (now_ns() < end)
		;
	return NULL;
}

/* Make this thread wait >= STEAL_NS for its CPU; returns the wait. */
static int64_t steal_from_self(void)
{
	int64_t before = run_delay();
	pthread_attr_t attr;
	pthread_t t;
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	sched_getaffinity(0, sizeof(cpus), &cpus);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	TEST_ASSERT(!pthread_create(&t, &attr, spin, NULL), "pthread_create");
	do
		sched_yield();
	while (run_delay() - before < STEAL_NS);
	pthread_join(t, NULL);
	pthread_attr_destroy(&attr);
	return run_delay() - before;
}

static void check_cpuid_and_host_msr(struct kvm_vcpu *vcpu)
{
	struct kvm_cpuid2 *c = kvm_get_supported_cpuid(vcpu->vm->kvm_fd);
	struct kvm_cpuid_entry2 *e = cpuid_find(c, KVM_CPUID_FEATURES, 0);

	TEST_ASSERT(e && (e->eax & (1U << KVM_FEATURE_STEAL_TIME)),
		    "KVM_FEATURE_STEAL_TIME not in KVM_GET_SUPPORTED_CPUID");
	free(c);
	TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, MSR_KVM_STEAL_TIME,
					ST_GPA | ST_RESERVED | 1), 0);
	TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, MSR_KVM_STEAL_TIME, ST_GPA), 1);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_KVM_STEAL_TIME), ST_GPA);
}

static void test_steal_time(void)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	volatile struct steal_time *st = gpa2hva(vm, ST_GPA);
	uint32_t version;
	uint64_t steal;
	int64_t stolen;
	struct ucall uc;
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	TEST_ASSERT_OK(sched_setaffinity(0, sizeof(cpus), &cpus));
	vcpu_set_supported_cpuid(vcpu);
	check_cpuid_and_host_msr(vcpu);
	memset((void *)st, 0xff, sizeof(*st));	/* junk, odd version */

	vcpu_setup_long(vcpu, LOAD_GUEST(vm, guest_st));
	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT(uc.cmd == UCALL_SYNC, "ucall %llu",
		    (unsigned long long)uc.cmd);
	TEST_ASSERT_EQ(uc.regs.r12, ST_GPA | 1);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_KVM_STEAL_TIME), ST_GPA | 1);
	/* Only the fields KVM writes are compared. */
	memset((void *)st, 0, sizeof(*st));
	vcpu_expect_sync(vcpu, 1);
	version = st->version;
	steal = st->steal;
	TEST_ASSERT(version && !(version & 1), "version %u", version);
	TEST_ASSERT_EQ(st->preempted, 0);
	TEST_ASSERT((int64_t)steal <= run_delay(),
		    "steal %llu > run_delay %lld", (unsigned long long)steal,
		    (long long)run_delay());

	stolen = steal_from_self();
	vcpu_expect_sync(vcpu, 1);
	test_note("version %u -> %u, steal +%llu ns, run_delay +%lld ns",
		  version, st->version,
		  (unsigned long long)(st->steal - steal), (long long)stolen);
	TEST_ASSERT(st->version > version && !(st->version & 1),
		    "version %u after %u", st->version, version);
	TEST_ASSERT((int64_t)(st->steal - steal) >= stolen,
		    "steal grew by %llu, the thread waited %lld ns",
		    (unsigned long long)(st->steal - steal), (long long)stolen);
	vcpu_free(vcpu);

	/* The guest's write with reserved bits: #GP(0), MSR unchanged. */
	vcpu = vcpu_add(vm, 1);
	vcpu_set_supported_cpuid(vcpu);
	vm_setup_idt(vm);
	{
		uint64_t gpa = LOAD_GUEST(vm, guest_st_gp);

		vcpu_setup_long(vcpu, gpa);
		vcpu_use_idt(vcpu);
		vcpu_expect_vector(vcpu, 13, &uc);
		TEST_ASSERT_EQ(uc.arg1, 0);
		TEST_ASSERT_EQ(uc.line, gpa + (st_gp_insn - guest_st_gp_start));
	}
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_KVM_STEAL_TIME), 0);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

int main(void)
{
	test_init("pv");
	RUN_SUBTEST("steal_time", test_steal_time());
	test_done();
}
