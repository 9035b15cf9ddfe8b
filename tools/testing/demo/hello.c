// SPDX-License-Identifier: GPL-2.0-only
/*
 * The smallest useful okvm client: a real-mode guest that writes a message
 * to port 0xe9 with REP OUTSB, reads a word back from an MMIO address with
 * no memory behind it, and halts.  Prints what the guest said, the exits it
 * took and how long it ran.  Used by tools/testing/main-job.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define GUEST_MEM	0x10000
#define CODE_GPA	0x1000
#define MMIO_GPA	0xd0000
#define DEBUG_PORT	0xe9

extern const uint8_t guest_start[], guest_end[];

asm(".pushsection .rodata\n"
    ".code16\n"
    "guest_start:\n"
    "	mov $(msg - guest_start + 0x1000), %si\n"
    "	mov $(msg_end - msg), %cx\n"
    "	mov $0xe9, %dx\n"
    "	cld\n"
    "	rep outsb\n"
    "	mov $0xd000, %ax\n"
    "	mov %ax, %ds\n"
    "	mov (0), %ax\n"		/* MMIO read at 0xd0000 */
    "	out %ax, %dx\n"
    "	hlt\n"
    "msg: .ascii \"Hello from a guest running on okvm\\n\"\n"
    "msg_end:\n"
    "guest_end:\n"
    ".code64\n"
    ".popsection\n");

static void die(const char *what)
{
	fprintf(stderr, "hello: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int setup_vcpu(int kvm, int vm, uint8_t *mem, struct kvm_run **run)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = GUEST_MEM,
		.userspace_addr = (uintptr_t)mem,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int vcpu, size;

	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	*run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (*run == MAP_FAILED)
		die("mmap kvm_run");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rflags = 2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS");
	return vcpu;
}

int main(void)
{
	unsigned int io_exits = 0, mmio_exits = 0;
	struct timespec t0, t1;
	struct kvm_run *run;
	int kvm, vm, vcpu;
	uint8_t *mem;

	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		die("open /dev/kvm");
	printf("KVM API version %d\n", ioctl(kvm, KVM_GET_API_VERSION, 0));
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap guest memory");
	memcpy(mem + CODE_GPA, guest_start, guest_end - guest_start);
	vcpu = setup_vcpu(kvm, vm, mem, &run);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	printf("guest says: ");
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0))
			die("KVM_RUN");
		if (run->exit_reason == KVM_EXIT_IO && run->io.size == 1) {
			fwrite((char *)run + run->io.data_offset, 1,
			       run->io.count, stdout);
			io_exits++;
		} else if (run->exit_reason == KVM_EXIT_MMIO) {
			memcpy(run->mmio.data, "ok", 2);
			mmio_exits++;
		} else if (run->exit_reason == KVM_EXIT_IO) {
			printf("guest read back \"%.2s\" from MMIO\n",
			       (char *)run + run->io.data_offset);
			io_exits++;
		} else if (run->exit_reason == KVM_EXIT_HLT) {
			break;
		} else {
			fprintf(stderr, "hello: unexpected exit %u\n",
				run->exit_reason);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("guest halted after %u I/O and %u MMIO exits in %.1f ms\n",
	       io_exits, mmio_exits,
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	return mmio_exits == 1 ? 0 : 1;
}
