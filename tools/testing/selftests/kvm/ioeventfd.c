// SPDX-License-Identifier: GPL-2.0
/*
 * ioeventfd: KVM_IOEVENTFD on the MMIO and PIO buses, driven by 64-bit
 * guest code.
 *
 *   caps      KVM_CAP_IOEVENTFD, _NO_LENGTH and _ANY_LENGTH are 1
 *   errors    EINVAL for unknown flags (bit 5 up), a length other than 0/1/2/4/8, a
 *             range that wraps, and DATAMATCH with length 0; EBADF for a
 *             closed fd, EINVAL for an fd that is no eventfd; EEXIST for a
 *             second ioeventfd on the same address and length (wildcard
 *             against anything, or the same value), and for any other at
 *             an address that has a length-0 one; different values or
 *             lengths at one address coexist; ENOENT to deassign what
 *             was never assigned or with another value or fd
 *   signal    a 4-byte MMIO write to a wildcard ioeventfd, a 2-byte one
 *             whose value matches, 1/2/4/8-byte writes to a length-0
 *             one and an OUT to a port ioeventfd each add 1 to the
 *             eventfd's counter without an exit; a value that does not
 *             match, and a write of another length, exit as usual
 *   deassign  once deassigned, the same writes exit to userspace
 *   (both VMs are closed with ioeventfds still assigned, the first after
 *   its eventfds were closed)
 */
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_util.h"

#define WILD		LONG_MMIO_GPA		/* 4 bytes, any value */
#define MATCH		(LONG_MMIO_GPA + 0x10)	/* 2 bytes, value 5 */
#define NOLEN		(LONG_MMIO_GPA + 0x20)	/* length 0 */
#define PORT		0x510			/* 1 byte, any value */

GUEST_CODE(lm_ioev, 64,
	"\tmov $" STR(LONG_MMIO_GPA) ", %edi\n"
	/* stage 1: every write below signals */
	"\tmovl $0x1234, (%rdi)\n"
	"\tmovw $5, 0x10(%rdi)\n"
	"\tmovb $1, 0x20(%rdi)\n"
	"\tmovw $2, 0x20(%rdi)\n"
	"\tmovl $3, 0x20(%rdi)\n"
	"\tmovq $4, 0x20(%rdi)\n"
	"\tmov $0x77, %al\n"
	"\tmov $" STR(PORT) ", %dx\n"
	"\tout %al, %dx\n"
	G_SYNC(1)
	/* stage 2: no match, these exit */
	"\tmovw $6, 0x10(%rdi)\n"
	"\tmovl $5, 0x10(%rdi)\n"
	G_SYNC(2)
	/* stage 3: after deassigning */
	"\tmovl $0x1234, (%rdi)\n"
	"\tmov $0x77, %al\n"
	"\tmov $" STR(PORT) ", %dx\n"
	"\tout %al, %dx\n"
	G_DONE);

static int ioev(struct kvm_vm *vm, uint64_t addr, uint32_t len, int fd,
		uint32_t flags, uint64_t datamatch)
{
	struct kvm_ioeventfd a = { .addr = addr, .len = len, .fd = fd,
				   .flags = flags, .datamatch = datamatch };

	return ioctl(vm->fd, KVM_IOEVENTFD, &a);
}

static void expect_err(int r, int err, const char *what)
{
	TEST_ASSERT(r == -1 && errno == err, "%s: %d errno %d, want %d", what,
		    r, errno, err);
}

static uint64_t count(int efd)
{
	uint64_t n = 0;

	if (read(efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

static void test_caps(struct kvm_vm *vm)
{
	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd, KVM_CAP_IOEVENTFD), 1);
	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd, KVM_CAP_IOEVENTFD_NO_LENGTH),
		       1);
	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd,
				     KVM_CAP_IOEVENTFD_ANY_LENGTH), 1);
}

static void test_errors(void)
{
	struct kvm_vm *vm = vm_create();
	int e1 = eventfd(0, EFD_NONBLOCK), e2 = eventfd(0, EFD_NONBLOCK);
	uint64_t a = 0x100000;
	uint32_t dm = KVM_IOEVENTFD_FLAG_DATAMATCH;

	/* Bit 4 (fast MMIO) is valid and means nothing here. */
	expect_err(ioev(vm, a, 4, e1, 1u << 5, 0), EINVAL, "flag bit 5");
	expect_err(ioev(vm, a, 3, e1, 0, 0), EINVAL, "length 3");
	expect_err(ioev(vm, a, 16, e1, 0, 0), EINVAL, "length 16");
	expect_err(ioev(vm, ~0ULL - 2, 8, e1, 0, 0), EINVAL, "wraps");
	expect_err(ioev(vm, a, 0, e1, dm, 1), EINVAL, "length 0 datamatch");
	expect_err(ioev(vm, a, 4, -1, 0, 0), EBADF, "fd -1");
	expect_err(ioev(vm, a, 4, vm->fd, 0, 0), EINVAL, "not an eventfd");

	TEST_ASSERT_OK(ioev(vm, a, 4, e1, dm, 1));
	TEST_ASSERT_OK(ioev(vm, a, 4, e2, dm, 2));
	TEST_ASSERT_OK(ioev(vm, a, 2, e1, 0, 0));
	expect_err(ioev(vm, a, 4, e2, dm, 1), EEXIST, "same value");
	expect_err(ioev(vm, a, 4, e2, 0, 0), EEXIST, "wildcard over values");
	expect_err(ioev(vm, a, 0, e2, 0, 0), EEXIST, "length 0 over others");
	TEST_ASSERT_OK(ioev(vm, a, 4, e1, KVM_IOEVENTFD_FLAG_PIO, 0));
	TEST_ASSERT_OK(ioev(vm, a + 8, 0, e1, 0, 0));
	expect_err(ioev(vm, a + 8, 4, e2, dm, 9), EEXIST, "under length 0");

	expect_err(ioev(vm, a + 64, 4, e1, KVM_IOEVENTFD_FLAG_DEASSIGN, 0),
		   ENOENT, "deassign unknown");
	expect_err(ioev(vm, a, 4, e1, dm | KVM_IOEVENTFD_FLAG_DEASSIGN, 3),
		   ENOENT, "deassign other value");
	expect_err(ioev(vm, a, 4, e2, dm | KVM_IOEVENTFD_FLAG_DEASSIGN, 1),
		   ENOENT, "deassign other fd");
	expect_err(ioev(vm, a, 4, -1, KVM_IOEVENTFD_FLAG_DEASSIGN, 0), EBADF,
		   "deassign fd -1");
	TEST_ASSERT_OK(ioev(vm, a, 4, e1, dm | KVM_IOEVENTFD_FLAG_DEASSIGN,
			    1));
	TEST_ASSERT_OK(ioev(vm, a, 4, e2, dm, 1));
	close(e1);
	close(e2);
	vm_destroy(vm);
}

static void expect_mmio_write(struct kvm_vcpu *vcpu, uint64_t addr,
			      uint32_t len, uint64_t val)
{
	struct kvm_run *run = vcpu->run;
	uint64_t got = 0;

	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_MMIO);
	memcpy(&got, run->mmio.data, len);
	TEST_ASSERT(run->mmio.phys_addr == addr && run->mmio.is_write &&
		    run->mmio.len == len && got == val,
		    "mmio addr 0x%llx write %u len %u data 0x%llx",
		    (unsigned long long)run->mmio.phys_addr,
		    run->mmio.is_write, run->mmio.len,
		    (unsigned long long)got);
}

static void test_signal(struct kvm_vcpu *vcpu, int *efd)
{
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(count(efd[0]), 1);
	TEST_ASSERT_EQ(count(efd[1]), 1);
	TEST_ASSERT_EQ(count(efd[2]), 4);
	TEST_ASSERT_EQ(count(efd[3]), 1);
	expect_mmio_write(vcpu, MATCH, 2, 6);
	expect_mmio_write(vcpu, MATCH, 4, 5);
	vcpu_expect_sync(vcpu, 2);
	TEST_ASSERT_EQ(count(efd[1]), 0);
}

static void test_deassign(struct kvm_vm *vm, struct kvm_vcpu *vcpu,
			  int *efd)
{
	struct kvm_run *run = vcpu->run;

	TEST_ASSERT_OK(ioev(vm, WILD, 4, efd[0], KVM_IOEVENTFD_FLAG_DEASSIGN,
			    0));
	TEST_ASSERT_OK(ioev(vm, PORT, 1, efd[3], KVM_IOEVENTFD_FLAG_PIO |
			    KVM_IOEVENTFD_FLAG_DEASSIGN, 0));
	expect_mmio_write(vcpu, WILD, 4, 0x1234);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_IO);
	TEST_ASSERT(run->io.port == PORT && run->io.direction == KVM_EXIT_IO_OUT
		    && run->io.size == 1, "io port 0x%x dir %u size %u",
		    run->io.port, run->io.direction, run->io.size);
	vcpu_expect_done(vcpu);
	TEST_ASSERT_EQ(count(efd[0]), 0);
	TEST_ASSERT_EQ(count(efd[3]), 0);
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int efd[4], i;

	test_init("ioeventfd");
	vm = vm_create();
	if (!kvm_check_cap(vm->kvm_fd, KVM_CAP_IOEVENTFD))
		test_skip("no KVM_CAP_IOEVENTFD");
	for (i = 0; i < 4; i++)
		efd[i] = eventfd(0, EFD_NONBLOCK);
	vcpu = vcpu_add(vm, 0);
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, lm_ioev));
	RUN_SUBTEST("caps", test_caps(vm));
	RUN_SUBTEST("errors", test_errors());
	TEST_ASSERT_OK(ioev(vm, WILD, 4, efd[0], 0, 0));
	TEST_ASSERT_OK(ioev(vm, MATCH, 2, efd[1],
			    KVM_IOEVENTFD_FLAG_DATAMATCH, 5));
	TEST_ASSERT_OK(ioev(vm, NOLEN, 0, efd[2], 0, 0));
	TEST_ASSERT_OK(ioev(vm, PORT, 1, efd[3], KVM_IOEVENTFD_FLAG_PIO, 0));
	RUN_SUBTEST("signal", test_signal(vcpu, efd));
	RUN_SUBTEST("deassign", test_deassign(vm, vcpu, efd));
	vcpu_free(vcpu);
	vm_destroy(vm);
	for (i = 0; i < 4; i++)
		close(efd[i]);
	test_done();
}
