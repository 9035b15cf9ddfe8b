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
 *   enforce     KVM_CAP_ENFORCE_PV_FEATURE_CPUID is 1, vCPU KVM_ENABLE_CAP
 *               with flags: EINVAL; enabled with the KVM features leaf
 *               0x40000001 cleared, RDMSR and WRMSR of the kvmclock MSRs
 *               (old and new), MSR_KVM_STEAL_TIME and MSR_KVM_PV_EOI_EN
 *               raise #GP(0), the
 *               VMM's KVM_SET_MSRS/KVM_GET_MSRS of them fail too, and
 *               KVM_HC_KICK_CPU, KVM_HC_SEND_IPI and KVM_HC_SCHED_YIELD
 *               return -KVM_ENOSYS while KVM_HC_VAPIC_POLL_IRQ returns 0;
 *               with CLOCKSOURCE2 and PV_SCHED_YIELD in the leaf, the new
 *               kvmclock MSR and SCHED_YIELD work, the old MSR and
 *               KICK_CPU do not; enforcement off again, everything works
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
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

#define MSR_KVM_WALL_CLOCK	0x11
#define MSR_KVM_SYSTEM_TIME	0x12
#define KVM_FEATURE_CLOCKSOURCE2_BIT	3
#define KVM_FEATURE_PV_SCHED_YIELD	13
#define KVM_CAP_ENFORCE_PV_CPUID	190
#define HC_VAPIC_POLL_IRQ	1
#define HC_KICK_CPU		5
#define HC_SEND_IPI		10
#define HC_SCHED_YIELD		11
#define KVM_ENOSYS		1000

GUEST_CODE(g_pv_rdmsr, 64,
	G_LABEL(g_pv_rdmsr_insn)
	"\trdmsr\n"
	G_DONE);
GUEST_CODE(g_pv_wrmsr, 64,
	"\txor %eax, %eax\n\txor %edx, %edx\n"
	G_LABEL(g_pv_wrmsr_insn)
	"\twrmsr\n"
	G_DONE);
/* The native hypercall instruction is copied over the 0xcc bytes. */
GUEST_CODE(g_pv_hc, 64,
	"\txor %ebx, %ebx\n\txor %ecx, %ecx\n\txor %edx, %edx\n"
	"\txor %esi, %esi\n"
	G_LABEL(g_pv_hc_insn)
	"\t.byte 0xcc, 0xcc, 0xcc\n"
	"\tmov %rax, %r12\n"
	G_SYNC(1)
	G_DONE);
extern const uint8_t g_pv_rdmsr_insn[], g_pv_wrmsr_insn[], g_pv_hc_insn[];

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

	TEST_ASSERT_OK(pin_to_cpu(0, 0));
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


/* Start the vCPU at @gpa with RAX and RCX as given. */
static void setup_at(struct kvm_vcpu *vcpu, uint64_t gpa, uint64_t rax,
		     uint64_t rcx)
{
	struct kvm_regs regs;

	vcpu_setup_long(vcpu, gpa);
	vcpu_use_idt(vcpu);
	vcpu_get_regs(vcpu, &regs);
	regs.rax = rax;
	regs.rcx = rcx;
	vcpu_set_regs(vcpu, &regs);
}

/* RDMSR or WRMSR of @msr by the guest: #GP(0) at it, or completes. */
static void guest_msr(struct kvm_vcpu *vcpu, uint32_t msr, bool write,
		      bool gp)
{
	uint64_t gpa = write ? LOAD_GUEST(vcpu->vm, g_pv_wrmsr) :
			       LOAD_GUEST(vcpu->vm, g_pv_rdmsr);
	uint64_t off = write ? BLOB_OFFSET(g_pv_wrmsr, g_pv_wrmsr_insn) :
			       BLOB_OFFSET(g_pv_rdmsr, g_pv_rdmsr_insn);
	struct ucall uc;

	setup_at(vcpu, gpa, 0, msr);
	if (!gp) {
		vcpu_expect_done(vcpu);
		return;
	}
	vcpu_expect_vector(vcpu, 13, &uc);
	TEST_ASSERT_EQ(uc.arg1, 0);
	TEST_ASSERT_EQ(uc.line, gpa + off);
}

static uint64_t guest_hypercall(struct kvm_vcpu *vcpu, uint64_t nr)
{
	static const uint8_t vmcall[3] = { 0x0f, 0x01, 0xc1 };
	static const uint8_t vmmcall[3] = { 0x0f, 0x01, 0xd9 };
	uint64_t gpa = LOAD_GUEST(vcpu->vm, g_pv_hc);
	uint8_t *insn = (uint8_t *)gpa2hva(vcpu->vm, gpa) +
			BLOB_OFFSET(g_pv_hc, g_pv_hc_insn);
	struct ucall uc;

	memcpy(insn, host_is_intel() ? vmcall : vmmcall, 3);
	setup_at(vcpu, gpa, nr, 0);
	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT(uc.cmd == UCALL_SYNC, "hypercall %llu: ucall %llu",
		    (unsigned long long)nr, (unsigned long long)uc.cmd);
	return uc.regs.r12;
}

static int host_get_msr_raw(struct kvm_vcpu *vcpu, uint32_t index)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = index };

	return ioctl(vcpu->fd, KVM_GET_MSRS, &m);
}

static int enable_enforce(struct kvm_vcpu *vcpu, uint32_t flags, uint64_t on)
{
	struct kvm_enable_cap c = {
		.cap = KVM_CAP_ENFORCE_PV_CPUID, .flags = flags,
		.args[0] = on,
	};

	return ioctl(vcpu->fd, KVM_ENABLE_CAP, &c);
}

/* A vCPU whose KVM features leaf EAX is @features, enforcement on. */
static struct kvm_vcpu *pv_vcpu(struct kvm_vm *vm, uint32_t id,
				uint32_t features)
{
	struct kvm_cpuid2 *c = kvm_get_supported_cpuid(vm->kvm_fd);
	struct kvm_cpuid_entry2 *e = cpuid_find(c, KVM_CPUID_FEATURES, 0);
	struct kvm_vcpu *vcpu = vcpu_add(vm, id);

	TEST_ASSERT(e, "no KVM features leaf");
	e->eax = features;
	e->ebx = e->ecx = e->edx = 0;
	vcpu_set_cpuid(vcpu, c);
	free(c);
	TEST_ASSERT_ERRNO(enable_enforce(vcpu, 1, 1), EINVAL);
	TEST_ASSERT_OK(enable_enforce(vcpu, 0, 1));
	return vcpu;
}

static const uint32_t pv_msrs[] = {
	MSR_KVM_SYSTEM_TIME, MSR_KVM_WALL_CLOCK, MSR_KVM_SYSTEM_TIME_NEW,
	MSR_KVM_WALL_CLOCK_NEW, MSR_KVM_STEAL_TIME, MSR_KVM_PV_EOI_EN,
};

static void test_enforce(void)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu;
	unsigned int i;

	TEST_ASSERT_EQ(kvm_check_cap(vm->fd, KVM_CAP_ENFORCE_PV_CPUID), 1);
	vm_setup_idt(vm);
	vcpu = pv_vcpu(vm, 0, 0);
	for (i = 0; i < sizeof(pv_msrs) / sizeof(pv_msrs[0]); i++) {
		TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, pv_msrs[i], 0), 0);
		TEST_ASSERT_EQ(host_get_msr_raw(vcpu, pv_msrs[i]), 0);
		guest_msr(vcpu, pv_msrs[i], false, true);
		guest_msr(vcpu, pv_msrs[i], true, true);
	}
	TEST_ASSERT_EQ(guest_hypercall(vcpu, HC_KICK_CPU), -KVM_ENOSYS);
	TEST_ASSERT_EQ(guest_hypercall(vcpu, HC_SEND_IPI), -KVM_ENOSYS);
	TEST_ASSERT_EQ(guest_hypercall(vcpu, HC_SCHED_YIELD), -KVM_ENOSYS);
	TEST_ASSERT_EQ(guest_hypercall(vcpu, HC_VAPIC_POLL_IRQ), 0);

	/* Enforcement off: the kvmclock MSR and SCHED_YIELD are back. */
	TEST_ASSERT_OK(enable_enforce(vcpu, 0, 0));
	TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, MSR_KVM_SYSTEM_TIME_NEW, 0), 1);
	guest_msr(vcpu, MSR_KVM_SYSTEM_TIME_NEW, true, false);
	TEST_ASSERT_EQ(guest_hypercall(vcpu, HC_SCHED_YIELD), 0);
	vcpu_free(vcpu);

	vcpu = pv_vcpu(vm, 1, (1U << KVM_FEATURE_CLOCKSOURCE2_BIT) |
			      (1U << KVM_FEATURE_PV_SCHED_YIELD));
	TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, MSR_KVM_SYSTEM_TIME_NEW, 0), 1);
	TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, MSR_KVM_SYSTEM_TIME, 0), 0);
	guest_msr(vcpu, MSR_KVM_SYSTEM_TIME_NEW, true, false);
	guest_msr(vcpu, MSR_KVM_WALL_CLOCK_NEW, false, false);
	guest_msr(vcpu, MSR_KVM_SYSTEM_TIME, true, true);
	guest_msr(vcpu, MSR_KVM_STEAL_TIME, false, true);
	TEST_ASSERT_EQ(guest_hypercall(vcpu, HC_SCHED_YIELD), 0);
	TEST_ASSERT_EQ(guest_hypercall(vcpu, HC_KICK_CPU), -KVM_ENOSYS);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

int main(void)
{
	test_init("pv");
	RUN_SUBTEST("steal_time", test_steal_time());
	RUN_SUBTEST("enforce", test_enforce());
	test_done();
}
