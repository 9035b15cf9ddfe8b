// SPDX-License-Identifier: GPL-2.0
/*
 * spin: vCPUs that wait for each other while their threads share one host
 * CPU (both pinned to the CPU the test starts on).  A guest that spins
 * with interrupts off does not exit by itself; the host has to take the
 * CPU back (its timer interrupt, or pause-loop exiting where the host's
 * interrupt does not reach it, as under Bochs) and give it to the vCPU
 * the spinner waits for.
 *
 *   pause_wait    vCPU 0 spins on PAUSE, IF = 0, until vCPU 1, whose
 *                 thread starts 20 ms later, writes a flag
 *   lock_handoff  both vCPUs take a test-and-set lock 20000 times each
 *                 (IF = 0, PAUSE while it is held) and count under it: a
 *                 holder preempted inside keeps the other spinning until
 *                 the host runs the holder again; no count may be lost
 */
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "kvm_util.h"

#define FLAG_GPA	DATA_GPA
#define LOCK_GPA	DATA_GPA
#define COUNT_GPA	(DATA_GPA + 8)
#define ROUNDS		20000
#define FLAG_VALUE	0x5a5a

GUEST_CODE(g_wait_flag, 64,
	"\tcli\n"
	"1:\tpause\n"
	"\tcmpl $" STR(FLAG_VALUE) ", " STR(FLAG_GPA) "\n"
	"\tjne 1b\n"
	G_DONE);

GUEST_CODE(g_set_flag, 64,
	"\tmovl $" STR(FLAG_VALUE) ", " STR(FLAG_GPA) "\n"
	G_DONE);

/* Take the lock, count, hold it ~100 loops, drop it; ROUNDS times. */
GUEST_CODE(g_lock_loop, 64,
	"\tcli\n"
	"\tmov $" STR(ROUNDS) ", %r8d\n"
	"1:\tmov $1, %eax\n"
	"\txchg %eax, " STR(LOCK_GPA) "\n"
	"\ttest %eax, %eax\n"
	"\tjz 3f\n"
	"2:\tpause\n"
	"\tcmpl $0, " STR(LOCK_GPA) "\n"
	"\tjne 2b\n"
	"\tjmp 1b\n"
	"3:\tincq " STR(COUNT_GPA) "\n"
	"\tmov $100, %ecx\n"
	"4:\tdec %ecx\n"
	"\tjnz 4b\n"
	"\tmovl $0, " STR(LOCK_GPA) "\n"
	"\tdec %r8d\n"
	"\tjnz 1b\n"
	G_DONE);

struct runner {
	struct kvm_vcpu *vcpu;
	useconds_t delay;
	int ret;
	bool ucall;
	struct ucall uc;
};

/* Run a vCPU on its own thread until its first exit; checked by join(). */
static void *run_vcpu(void *arg)
{
	struct runner *r = arg;

	if (r->delay)
		usleep(r->delay);
	r->ret = vcpu_run_raw(r->vcpu);
	r->ucall = !r->ret && vcpu_get_ucall(r->vcpu, &r->uc);
	return NULL;
}

static void join(pthread_t t, struct runner *r)
{
	pthread_join(t, NULL);
	TEST_ASSERT_OK(r->ret);
	TEST_ASSERT(r->ucall, "vCPU %u: no ucall", r->vcpu->id);
	TEST_ASSERT_EQ(r->uc.cmd, UCALL_DONE);
}

/* This thread and the ones it creates from now on: the current CPU. */
static void pin_here(void)
{
	int cpu = sched_getcpu();

	TEST_ASSERT(cpu >= 0, "sched_getcpu");
	TEST_ASSERT_OK(pin_to_cpu(0, cpu));
}

static struct kvm_vcpu *spin_vcpu(struct kvm_vm *vm, uint32_t id,
				  uint64_t entry)
{
	struct kvm_vcpu *vcpu = vcpu_add(vm, id);

	vcpu_setup_long(vcpu, entry);
	return vcpu;
}

static void test_pause_wait(void)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *waiter = spin_vcpu(vm, 0, LOAD_GUEST(vm, g_wait_flag));
	struct runner setter = {
		.vcpu = spin_vcpu(vm, 1, LOAD_GUEST(vm, g_set_flag)),
		.delay = 20000,
	};
	pthread_t t;

	*(uint32_t *)gpa2hva(vm, FLAG_GPA) = 0;
	TEST_ASSERT(!pthread_create(&t, NULL, run_vcpu, &setter), "thread");
	vcpu_expect_done(waiter);
	join(t, &setter);
	TEST_ASSERT_EQ(*(uint32_t *)gpa2hva(vm, FLAG_GPA), FLAG_VALUE);
	vcpu_free(waiter);
	vcpu_free(setter.vcpu);
	vm_destroy(vm);
}

static void test_lock_handoff(void)
{
	struct kvm_vm *vm = vm_create();
	uint64_t entry = LOAD_GUEST(vm, g_lock_loop);
	struct runner other = { .vcpu = spin_vcpu(vm, 1, entry) };
	struct kvm_vcpu *vcpu = spin_vcpu(vm, 0, entry);
	pthread_t t;

	*(uint64_t *)gpa2hva(vm, LOCK_GPA) = 0;
	*(uint64_t *)gpa2hva(vm, COUNT_GPA) = 0;
	TEST_ASSERT(!pthread_create(&t, NULL, run_vcpu, &other), "thread");
	vcpu_expect_done(vcpu);
	join(t, &other);
	TEST_ASSERT_EQ(*(uint64_t *)gpa2hva(vm, COUNT_GPA), 2 * ROUNDS);
	TEST_ASSERT_EQ(*(uint32_t *)gpa2hva(vm, LOCK_GPA), 0);
	vcpu_free(vcpu);
	vcpu_free(other.vcpu);
	vm_destroy(vm);
}

int main(void)
{
	test_init("spin");
	pin_here();
	RUN_SUBTEST("pause_wait", test_pause_wait());
	RUN_SUBTEST("lock_handoff", test_lock_handoff());
	test_done();
}
