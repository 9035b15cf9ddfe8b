// SPDX-License-Identifier: GPL-2.0
/*
 * api: system ioctls on /dev/kvm and capability reporting.
 *
 * Covers KVM_GET_API_VERSION, KVM_CHECK_EXTENSION on /dev/kvm and on a VM
 * fd, KVM_CREATE_VM with valid and invalid machine types,
 * KVM_GET_VCPU_MMAP_SIZE and the errno of unknown ioctls on each kind of
 * file descriptor.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"

/* Not defined by any KVM version; used as "unknown" numbers. */
#define BOGUS_CAP		0x7ffff
#define BOGUS_IOCTL		_IO(KVMIO, 0xdf)

static void test_api_version(int kvm)
{
	TEST_ASSERT_EQ(ioctl(kvm, KVM_GET_API_VERSION, 0), KVM_API_VERSION);
	TEST_ASSERT_EQ(KVM_API_VERSION, 12);
	/* The argument must be zero. */
	TEST_ASSERT_ERRNO(ioctl(kvm, KVM_GET_API_VERSION, 1), EINVAL);
}

struct caps {
	long nr_vcpus, max_vcpus, max_vcpu_id, nr_memslots;
};

static void read_caps(int fd, struct caps *c)
{
	TEST_ASSERT_EQ(kvm_check_cap(fd, KVM_CAP_USER_MEMORY), 1);
	c->nr_vcpus = kvm_check_cap(fd, KVM_CAP_NR_VCPUS);
	c->max_vcpus = kvm_check_cap(fd, KVM_CAP_MAX_VCPUS);
	c->max_vcpu_id = kvm_check_cap(fd, KVM_CAP_MAX_VCPU_ID);
	c->nr_memslots = kvm_check_cap(fd, KVM_CAP_NR_MEMSLOTS);
	TEST_ASSERT(c->nr_vcpus > 0, "NR_VCPUS %ld", c->nr_vcpus);
	TEST_ASSERT(c->max_vcpus > 0, "MAX_VCPUS %ld", c->max_vcpus);
	TEST_ASSERT(c->nr_vcpus <= c->max_vcpus, "NR_VCPUS %ld > MAX_VCPUS %ld",
		    c->nr_vcpus, c->max_vcpus);
	TEST_ASSERT(c->max_vcpu_id >= c->max_vcpus,
		    "MAX_VCPU_ID %ld < MAX_VCPUS %ld",
		    c->max_vcpu_id, c->max_vcpus);
	TEST_ASSERT(c->nr_memslots > 0, "NR_MEMSLOTS %ld", c->nr_memslots);
	/* Unknown capabilities read as "not supported", not as errors. */
	TEST_ASSERT_EQ(kvm_check_cap(fd, BOGUS_CAP), 0);
	TEST_ASSERT_EQ(kvm_check_cap(fd, -1), 0);
	/* Capabilities the rest of this suite relies on. */
	TEST_ASSERT_EQ(kvm_check_cap(fd, KVM_CAP_IMMEDIATE_EXIT), 1);
	TEST_ASSERT_EQ(kvm_check_cap(fd, KVM_CAP_CHECK_EXTENSION_VM), 1);
}

static void test_extensions(int kvm)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	struct caps sys;

	read_caps(kvm, &sys);
	/* x86 recommends one vCPU per online host CPU. */
	TEST_ASSERT_EQ(sys.nr_vcpus,
		       online < sys.max_vcpus ? online : sys.max_vcpus);
	test_note("NR_VCPUS %ld MAX_VCPUS %ld MAX_VCPU_ID %ld NR_MEMSLOTS %ld",
		  sys.nr_vcpus, sys.max_vcpus, sys.max_vcpu_id,
		  sys.nr_memslots);
	test_note("READONLY_MEM %ld SYNC_MMU %ld",
		  kvm_check_cap(kvm, KVM_CAP_READONLY_MEM),
		  kvm_check_cap(kvm, KVM_CAP_SYNC_MMU));
}

/* A VM fd answers the same as /dev/kvm. */
static void test_extensions_vm(int kvm)
{
	struct caps sys, vm;
	int vmfd;

	read_caps(kvm, &sys);
	vmfd = TEST_ASSERT_OK(ioctl(kvm, KVM_CREATE_VM, 0));
	read_caps(vmfd, &vm);
	TEST_ASSERT_EQ(vm.nr_vcpus, sys.nr_vcpus);
	TEST_ASSERT_EQ(vm.max_vcpus, sys.max_vcpus);
	TEST_ASSERT_EQ(vm.max_vcpu_id, sys.max_vcpu_id);
	TEST_ASSERT_EQ(vm.nr_memslots, sys.nr_memslots);
	TEST_ASSERT_EQ(kvm_check_cap(vmfd, KVM_CAP_READONLY_MEM),
		       kvm_check_cap(kvm, KVM_CAP_READONLY_MEM));
	close(vmfd);
}

static void test_create_vm(int kvm)
{
	int a, b;

	a = TEST_ASSERT_OK(ioctl(kvm, KVM_CREATE_VM, 0));
	b = TEST_ASSERT_OK(ioctl(kvm, KVM_CREATE_VM, 0));
	TEST_ASSERT(a != b, "two VMs share fd %d", a);
	/* The VM fd is close-on-exec. */
	TEST_ASSERT(fcntl(a, F_GETFD) & FD_CLOEXEC, "VM fd without O_CLOEXEC");
	close(a);
	close(b);

	/* x86 knows only machine type 0. */
	TEST_ASSERT_ERRNO(ioctl(kvm, KVM_CREATE_VM, 1), EINVAL);
	TEST_ASSERT_ERRNO(ioctl(kvm, KVM_CREATE_VM, 0x1234), EINVAL);
	TEST_ASSERT_ERRNO(ioctl(kvm, KVM_CREATE_VM, ~0UL), EINVAL);
}

/* A VM keeps working after the /dev/kvm fd that created it is closed. */
static void test_vm_outlives_dev_fd(void)
{
	int kvm2 = kvm_open();
	int vm = TEST_ASSERT_OK(ioctl(kvm2, KVM_CREATE_VM, 0));
	int vcpu;

	close(kvm2);
	vcpu = TEST_ASSERT_OK(ioctl(vm, KVM_CREATE_VCPU, 0));
	TEST_ASSERT_EQ(kvm_check_cap(vm, KVM_CAP_USER_MEMORY), 1);
	close(vcpu);
	close(vm);
}

static void test_mmap_size(int kvm)
{
	long sz;

	sz = kvm_vcpu_mmap_size(kvm);
	test_note("KVM_GET_VCPU_MMAP_SIZE = %ld", sz);
	TEST_ASSERT(sz >= (long)PAGE_SIZE, "mmap size %ld", sz);
	TEST_ASSERT(sz % PAGE_SIZE == 0, "mmap size %ld not page aligned", sz);
	TEST_ASSERT(sz >= (long)sizeof(struct kvm_run), "mmap size %ld", sz);
	TEST_ASSERT_ERRNO(ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 1), EINVAL);
}

static void test_unknown_ioctls(int kvm)
{
	int vm, vcpu;

	TEST_ASSERT_ERRNO(ioctl(kvm, BOGUS_IOCTL, 0), EINVAL);
	/* VM and vCPU ioctls are unknown to /dev/kvm. */
	TEST_ASSERT_ERRNO(ioctl(kvm, KVM_CREATE_VCPU, 0), EINVAL);
	TEST_ASSERT_ERRNO(ioctl(kvm, KVM_RUN, 0), EINVAL);

	vm = TEST_ASSERT_OK(ioctl(kvm, KVM_CREATE_VM, 0));
	TEST_ASSERT_ERRNO(ioctl(vm, BOGUS_IOCTL, 0), ENOTTY);
	TEST_ASSERT_ERRNO(ioctl(vm, KVM_GET_API_VERSION, 0), ENOTTY);
	TEST_ASSERT_ERRNO(ioctl(vm, KVM_CREATE_VM, 0), ENOTTY);

	vcpu = TEST_ASSERT_OK(ioctl(vm, KVM_CREATE_VCPU, 0));
	TEST_ASSERT_ERRNO(ioctl(vcpu, BOGUS_IOCTL, 0), EINVAL);
	TEST_ASSERT_ERRNO(ioctl(vcpu, KVM_CREATE_VCPU, 1), EINVAL);
	/* A VM fd cannot be mapped. */
	TEST_ASSERT(mmap(NULL, PAGE_SIZE, PROT_READ, MAP_SHARED, vm, 0) ==
		    MAP_FAILED && errno == ENODEV, "mmap of a VM fd");
	close(vcpu);
	close(vm);
}

int main(void)
{
	int kvm;

	test_init("api");
	kvm = kvm_open();
	RUN_SUBTEST("api_version", test_api_version(kvm));
	RUN_SUBTEST("check_extension", test_extensions(kvm));
	RUN_SUBTEST("check_extension_vm", test_extensions_vm(kvm));
	RUN_SUBTEST("create_vm", test_create_vm(kvm));
	RUN_SUBTEST("vm_outlives_dev_fd", test_vm_outlives_dev_fd());
	RUN_SUBTEST("vcpu_mmap_size", test_mmap_size(kvm));
	RUN_SUBTEST("unknown_ioctls", test_unknown_ioctls(kvm));
	close(kvm);
	test_done();
}
