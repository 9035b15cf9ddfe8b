// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug: host CPU offline/online while a VM exists.
 *
 * With a VM alive (so virtualization is enabled on all CPUs), CPU 1 goes
 * offline, the vCPU runs on CPU 0, CPU 1 comes back and the vCPU runs
 * pinned to it: KVM must have re-enabled virtualization on the returning
 * CPU.  A VM created after the cycle must work on CPU 1 as well.  Needs
 * root and a hot-pluggable CPU 1; skipped otherwise.  CPU 1 is put back
 * online on every exit path.
 */
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "kvm_util.h"

#define CPU1_ONLINE	"/sys/devices/system/cpu/cpu1/online"
#define CYCLES		3

/* Count in %r12 and report it, forever. */
GUEST_CODE(g_count, 64,
	"\txor %r12, %r12\n"
	"1:\tinc %r12\n"
	"\tmov %r12, %rbx\n"
	G_UCALL(UCALL_SYNC)
	"\tjmp 1b\n");

static bool cpu1_was_offlined;

static int write_online(int val)
{
	char c = '0' + val;
	int fd, r, err;

	fd = open(CPU1_ONLINE, O_WRONLY);
	if (fd < 0)
		return -1;
	r = write(fd, &c, 1);
	err = errno;
	close(fd);
	errno = err;
	return r == 1 ? 0 : -1;
}

static int read_online(void)
{
	char c = 0;
	int fd = open(CPU1_ONLINE, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == '1' ? 1 : c == '0' ? 0 : -1;
}

static void restore_cpu1(void)
{
	if (cpu1_was_offlined && read_online() == 0)
		write_online(1);
}

static void pin(int cpu)
{
	TEST_ASSERT_OK(pin_to_cpu(0, cpu));
	TEST_ASSERT_EQ(sched_getcpu(), cpu);
}

/* Run a few rounds of the counting guest on the current CPU. */
static void run_rounds(struct kvm_vcpu *vcpu, uint64_t *count)
{
	struct ucall uc;
	int i;

	for (i = 0; i < 20; i++) {
		vcpu_ucall(vcpu, &uc);
		++*count;
		TEST_ASSERT(uc.cmd == UCALL_SYNC && uc.arg0 == *count,
			    "guest count %llu, expected %llu",
			    (unsigned long long)uc.arg0,
			    (unsigned long long)*count);
	}
}

static struct kvm_vcpu *new_counting_vcpu(struct kvm_vm **vmp)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);

	vcpu_setup_long(vcpu, LOAD_GUEST(vm, g_count));
	*vmp = vm;
	return vcpu;
}

int main(void)
{
	uint64_t count = 0, count2;
	struct kvm_vcpu *vcpu, *vcpu2;
	struct kvm_vm *vm, *vm2;
	int i;

	test_init("hotplug");
	if (access(CPU1_ONLINE, F_OK))
		test_skip("%s does not exist", CPU1_ONLINE);
	if (geteuid() != 0)
		test_skip("needs root to offline CPU 1");
	if (read_online() != 1)
		test_skip("CPU 1 is not online");
	atexit(restore_cpu1);

	vcpu = new_counting_vcpu(&vm);
	test_begin("run_on_cpu1_before");
	pin(1);
	run_rounds(vcpu, &count);
	pin(0);
	run_rounds(vcpu, &count);
	test_end();

	for (i = 0; i < CYCLES; i++) {
		test_begin("offline_cpu1_run_on_cpu0");
		pin(0);
		if (write_online(0)) {
			if (i == 0 && (errno == EPERM || errno == EACCES ||
				       errno == EBUSY || errno == EROFS))
				test_skip("cannot offline CPU 1: %s",
					  strerror(errno));
			TEST_ASSERT(0, "offlining CPU 1");
		}
		cpu1_was_offlined = true;
		TEST_ASSERT_EQ(read_online(), 0);
		run_rounds(vcpu, &count);
		test_end();

		test_begin("online_cpu1_run_on_cpu1");
		TEST_ASSERT_OK(write_online(1));
		TEST_ASSERT_EQ(read_online(), 1);
		pin(1);
		run_rounds(vcpu, &count);
		pin(0);
		run_rounds(vcpu, &count);
		test_end();
	}

	test_begin("new_vm_on_cpu1_after_cycles");
	count2 = 0;
	vcpu2 = new_counting_vcpu(&vm2);
	pin(1);
	run_rounds(vcpu2, &count2);
	run_rounds(vcpu, &count);
	vcpu_free(vcpu2);
	vm_destroy(vm2);
	test_end();

	/* All VMs gone: offline/online must still work, then a fresh VM. */
	test_begin("cycle_without_vms");
	vcpu_free(vcpu);
	vm_destroy(vm);
	pin(0);
	TEST_ASSERT_OK(write_online(0));
	TEST_ASSERT_OK(write_online(1));
	count = 0;
	vcpu = new_counting_vcpu(&vm);
	pin(1);
	run_rounds(vcpu, &count);
	vcpu_free(vcpu);
	vm_destroy(vm);
	test_end();
	test_done();
}
