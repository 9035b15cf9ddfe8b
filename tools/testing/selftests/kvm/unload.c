// SPDX-License-Identifier: GPL-2.0
/*
 * unload: the vendor module cannot be removed while KVM is in use.
 *
 * While /dev/kvm, a VM and a vCPU are open, delete_module("kvm_amd") and
 * delete_module("kvm") must fail with EWOULDBLOCK (EAGAIN) and the module
 * reference count must be raised; after everything is closed the count
 * must return to its old value.  Nothing is actually unloaded here (the
 * bench does that at the end).  Needs root; skipped without kvm_amd as a
 * module.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_util.h"

#define VENDOR	"kvm_amd"

static long refcnt(const char *mod)
{
	char path[128], buf[32] = "";
	int fd;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", mod);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) <= 0)
		buf[0] = 0;
	close(fd);
	return buf[0] ? strtol(buf, NULL, 10) : -1;
}

static long try_unload(const char *mod)
{
	return syscall(SYS_delete_module, mod, O_NONBLOCK);
}

/* Closing is synchronous, but allow a moment for deferred teardown. */
static long wait_refcnt(const char *mod, long want)
{
	long r = refcnt(mod);
	int i;

	for (i = 0; i < 100 && r != want; i++) {
		usleep(10000);
		r = refcnt(mod);
	}
	return r;
}

int main(void)
{
	long base_vendor, base_kvm;
	int kvm, vm, vcpu;

	test_init("unload");
	if (access("/sys/module/" VENDOR, F_OK))
		test_skip("%s is not loaded", VENDOR);
	base_vendor = refcnt(VENDOR);
	base_kvm = refcnt("kvm");
	if (base_vendor < 0)
		test_skip("%s is built in (no refcnt)", VENDOR);
	test_note("idle refcnt: %s %ld, kvm %ld", VENDOR, base_vendor,
		  base_kvm);

	test_begin("busy_with_dev_kvm_open");
	kvm = kvm_open();
	errno = 0;
	if (try_unload(VENDOR) == -1 && errno == EPERM)
		test_skip("delete_module needs CAP_SYS_MODULE");
	TEST_ASSERT_ERRNO(try_unload(VENDOR), EWOULDBLOCK);
	TEST_ASSERT(refcnt(VENDOR) > base_vendor, "refcnt %ld", refcnt(VENDOR));
	test_end();

	test_begin("busy_with_vm_open");
	vm = TEST_ASSERT_OK(ioctl(kvm, KVM_CREATE_VM, 0));
	vcpu = TEST_ASSERT_OK(ioctl(vm, KVM_CREATE_VCPU, 0));
	close(kvm);
	/* Only the VM (and its vCPU) hold the module now. */
	TEST_ASSERT_ERRNO(try_unload(VENDOR), EWOULDBLOCK);
	TEST_ASSERT(refcnt(VENDOR) > base_vendor, "refcnt %ld", refcnt(VENDOR));
	/* kvm itself is in use by the vendor module. */
	TEST_ASSERT_ERRNO(try_unload("kvm"), EWOULDBLOCK);
	close(vm);
	TEST_ASSERT_ERRNO(try_unload(VENDOR), EWOULDBLOCK);
	close(vcpu);
	test_end();

	test_begin("references_dropped");
	TEST_ASSERT_EQ(wait_refcnt(VENDOR, base_vendor), base_vendor);
	if (base_kvm >= 0)
		TEST_ASSERT_EQ(wait_refcnt("kvm", base_kvm), base_kvm);
	/* Still loaded: this test never unloads. */
	TEST_ASSERT(!access("/sys/module/" VENDOR, F_OK), "%s gone", VENDOR);
	test_end();
	test_done();
}
