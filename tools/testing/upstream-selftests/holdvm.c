// SPDX-License-Identifier: GPL-2.0-only
/*
 * okvm-holdvm: open /dev/kvm, create one VM (no vCPU, no memory) and keep
 * it open until killed.
 *
 * Bench workaround for the upstream run only.  Upstream kvm toggles the
 * preempt-notifier static key whenever the number of VMs goes from 0 to 1
 * or back, and each toggle re-patches jump-label sites in the L1 kernel.
 * Under QEMU/TCG, re-patching a 2-byte site that straddles a page boundary
 * can livelock the whole L1 guest at random.  With one VM held open for
 * the whole run the count never drops to 0, so the key is switched on once
 * and stays on.  okvm never touches that key and does not need this.
 *
 * Prints "okvm-holdvm: holding VM fd N" once the VM exists, so that the
 * caller can wait for it before starting the tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm, vm;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "okvm-holdvm: /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		fprintf(stderr, "okvm-holdvm: KVM_CREATE_VM: %s\n", strerror(errno));
		return 1;
	}
	printf("okvm-holdvm: holding VM fd %d\n", vm);
	fflush(stdout);
	for (;;)
		pause();
}
