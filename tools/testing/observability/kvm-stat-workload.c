// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-stat-workload: a guest for tools/testing/observability/kvm-stat-check.
 * Its vCPU loops over CPUID (handled in the kernel) and OUT to port 0x80
 * (an exit to us, KVM_EXIT_IO).
 *
 *   kvm-stat-workload N        run N OUTs (and as many CPUIDs), print
 *                              "ready", then keep the VM alive until stdin
 *                              reaches EOF, and run one more OUT: the vCPU
 *                              waits at a port I/O exit meanwhile, as the
 *                              entry floor (entry-floor) wants it
 *   kvm-stat-workload -t SECS  run OUTs for SECS seconds, then exit
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "x86.h"

GUEST_CODE(guest_loop, 64,
	"1:\txor %eax, %eax\n"
	"\tcpuid\n"
	"\tmov $0x80, %dx\n"
	"\tout %al, %dx\n"
	"\tjmp 1b\n");

static void one_out(struct kvm_vcpu *vcpu)
{
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_IO);
	TEST_ASSERT_EQ(vcpu->run->io.port, 0x80);
}

int main(int argc, char **argv)
{
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	char c;

	if (argc < 2)
		test_skip("usage: kvm-stat-workload N | -t SECONDS");
	vm = vm_create();
	vcpu = vcpu_add(vm, 0);
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, guest_loop));
	if (!strcmp(argv[1], "-t") && argc > 2) {
		time_t end = time(NULL) + atoi(argv[2]);

		while (time(NULL) < end)
			one_out(vcpu);
	} else {
		long i, n = atol(argv[1]);

		for (i = 0; i < n; i++)
			one_out(vcpu);
		printf("ready\n");
		fflush(stdout);
		while (read(0, &c, 1) > 0)
			;
		/* The vCPU still works (the entry floor may have run). */
		one_out(vcpu);
	}
	vcpu_free(vcpu);
	vm_destroy(vm);
	return 0;
}
