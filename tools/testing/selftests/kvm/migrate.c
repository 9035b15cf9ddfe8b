// SPDX-License-Identifier: GPL-2.0
/*
 * migrate: vCPU threads moved between host CPUs and preempted while the
 * guest runs.
 *
 * The guest loops: compute 1 + 2 + ... + N in registers and compare it
 * with the host-supplied answer, increment a counter in memory and report
 * (iteration, memory counter) through a ucall.  The host checks both
 * against its own count, so lost or corrupted register/memory state shows
 * up immediately.
 *
 * bounce:  one vCPU thread changes its own CPU affinity before every
 *          KVM_RUN, while a second thread keeps re-pinning it at random
 *          moments (migrations while in guest mode).
 * preempt: three vCPU threads (two in one VM, one in another) all pinned
 *          to one CPU, so they preempt each other in guest mode.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_util.h"

#define BOUNCE_SECS	4.0
#define PREEMPT_SECS	4.0
#define MIN_ITERS	100

/* %rdi = counter GPA, %rsi = N, %r14 = N * (N + 1) / 2 */
GUEST_CODE(g_loop, 64,
	"\txor %r12, %r12\n"
	"1:\tinc %r12\n"
	"\txor %rax, %rax\n"
	"\tmov %rsi, %rcx\n"
	"2:\tadd %rcx, %rax\n"
	"\tdec %rcx\n"
	"\tjnz 2b\n"
	"\tcmp %r14, %rax\n"
	"\tjne 3f\n"
	"\tincq (%rdi)\n"
	"\tmov %r12, %rbx\n"
	"\tmov (%rdi), %rcx\n"
	G_UCALL(UCALL_SYNC)
	"\tjmp 1b\n"
	"3:\tmov %rax, %rbx\n"
	"\tmov %r14, %rcx\n"
	"\tmov $" STR(__LINE__) ", %esi\n"
	G_UCALL(UCALL_FAIL));

struct worker {
	struct kvm_vcpu *vcpu;
	pthread_t thread;
	pid_t tid;
	int pin_cpu;		/* -1: bounce over all CPUs */
	double secs;
	uint64_t iters;
	uint64_t cpu_changes;
	volatile int stop;
};

static int nr_cpus;
static int cpus[64];

static void setup_vcpu(struct kvm_vcpu *vcpu, uint64_t code, uint64_t n)
{
	struct kvm_regs regs;

	vcpu_setup_long(vcpu, code);
	vcpu_get_regs(vcpu, &regs);
	regs.rdi = DATA_GPA + 8 * vcpu->id;
	regs.rsi = n;
	regs.r14 = n * (n + 1) / 2;
	vcpu_set_regs(vcpu, &regs);
	*(uint64_t *)gpa2hva(vcpu->vm, regs.rdi) = 0;
}

static void *vcpu_thread(void *arg)
{
	struct worker *w = arg;
	volatile uint64_t *counter;
	int last_cpu = -1, cpu;
	double end;
	struct ucall uc;

	w->tid = syscall(SYS_gettid);
	counter = gpa2hva(w->vcpu->vm, DATA_GPA + 8 * w->vcpu->id);
	if (w->pin_cpu >= 0)
		TEST_ASSERT_OK(pin_to_cpu(0, w->pin_cpu));
	end = test_now() + w->secs;
	while (!w->stop && (test_now() < end || w->iters < MIN_ITERS)) {
		if (w->pin_cpu < 0)
			TEST_ASSERT_OK(pin_to_cpu(0, cpus[w->iters % nr_cpus]));
		vcpu_ucall(w->vcpu, &uc);
		w->iters++;
		TEST_ASSERT(uc.cmd == UCALL_SYNC && uc.arg0 == w->iters &&
			    uc.arg1 == w->iters && *counter == w->iters,
			    "vCPU %u: iteration %llu: guest says %llu, guest counter %llu, memory %llu",
			    w->vcpu->id, (unsigned long long)w->iters,
			    (unsigned long long)uc.arg0,
			    (unsigned long long)uc.arg1,
			    (unsigned long long)*counter);
		cpu = sched_getcpu();
		if (last_cpu >= 0 && cpu != last_cpu)
			w->cpu_changes++;
		last_cpu = cpu;
	}
	return NULL;
}

static void *bouncer_thread(void *arg)
{
	struct worker *w = arg;
	unsigned int seed = 1;

	while (!w->tid)
		sched_yield();
	while (!w->stop) {
		/* The vCPU thread may be gone already; ignore errors. */
		pin_to_cpu(w->tid, cpus[rand_r(&seed) % nr_cpus]);
		usleep(200 + rand_r(&seed) % 800);
	}
	return NULL;
}

static void test_bounce(void)
{
	struct worker w = { .pin_cpu = -1, .secs = BOUNCE_SECS };
	pthread_t bouncer;
	struct kvm_vm *vm;

	if (nr_cpus < 2) {
		test_note("SKIP: needs at least 2 usable CPUs, have %d",
			  nr_cpus);
		return;
	}
	vm = vm_create();
	w.vcpu = vcpu_add(vm, 0);
	setup_vcpu(w.vcpu, LOAD_GUEST(vm, g_loop), 2000);
	TEST_ASSERT(!pthread_create(&w.thread, NULL, vcpu_thread, &w), "thread");
	TEST_ASSERT(!pthread_create(&bouncer, NULL, bouncer_thread, &w),
		    "thread");
	pthread_join(w.thread, NULL);
	w.stop = 1;
	pthread_join(bouncer, NULL);
	test_note("%llu iterations, %llu CPU changes seen between exits",
		  (unsigned long long)w.iters,
		  (unsigned long long)w.cpu_changes);
	TEST_ASSERT(w.cpu_changes >= MIN_ITERS / 4,
		    "only %llu CPU changes", (unsigned long long)w.cpu_changes);
	vcpu_free(w.vcpu);
	vm_destroy(vm);
}

static void test_preempt(void)
{
	struct kvm_vm *vm1 = vm_create(), *vm2 = vm_create();
	struct worker w[3];
	int i;

	memset(w, 0, sizeof(w));
	w[0].vcpu = vcpu_add(vm1, 0);
	w[1].vcpu = vcpu_add(vm1, 1);
	w[2].vcpu = vcpu_add(vm2, 0);
	for (i = 0; i < 3; i++) {
		/* Long guest stretches so that preemption hits guest mode. */
		setup_vcpu(w[i].vcpu, LOAD_GUEST(w[i].vcpu->vm, g_loop),
			   200000 + 1000 * i);
		w[i].pin_cpu = cpus[0];
		w[i].secs = PREEMPT_SECS;
	}
	for (i = 0; i < 3; i++)
		TEST_ASSERT(!pthread_create(&w[i].thread, NULL, vcpu_thread,
					    &w[i]), "thread");
	for (i = 0; i < 3; i++)
		pthread_join(w[i].thread, NULL);
	for (i = 0; i < 3; i++) {
		test_note("vCPU thread %d: %llu iterations", i,
			  (unsigned long long)w[i].iters);
		TEST_ASSERT(w[i].iters >= MIN_ITERS, "thread %d", i);
	}
	for (i = 0; i < 3; i++)
		vcpu_free(w[i].vcpu);
	vm_destroy(vm1);
	vm_destroy(vm2);
}

int main(void)
{
	cpu_set_t set;
	int i;

	test_init("migrate");
	TEST_ASSERT_OK(sched_getaffinity(0, sizeof(set), &set));
	for (i = 0; i < CPU_SETSIZE && nr_cpus < (int)ARRAY_SIZE(cpus); i++)
		if (CPU_ISSET(i, &set))
			cpus[nr_cpus++] = i;
	test_note("%d usable CPUs", nr_cpus);
	RUN_SUBTEST("preempt_on_one_cpu", test_preempt());
	RUN_SUBTEST("bounce_between_cpus", test_bounce());
	test_done();
}
