// SPDX-License-Identifier: GPL-2.0
/*
 * unload: the vendor module cannot be removed while KVM is in use.
 *
 * While /dev/kvm, a VM and a vCPU are open, delete_module() of the vendor
 * module (kvm_amd or kvm_intel, whichever is loaded) and of kvm must fail
 * with EWOULDBLOCK (EAGAIN) and the module reference count must be raised;
 * after everything is closed the count must return to its old value.
 * Nothing is actually unloaded here (the bench does that at the end).
 * Needs root; skipped without a vendor module loaded as a module.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_util.h"

static char vendor_dir[64];
static const char *vendor;

/* The vendor module that is loaded: kvm_amd or kvm_intel. */
static const char *find_vendor(void)
{
	static const char *const names[] = { "kvm_amd", "kvm_intel" };
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(vendor_dir, sizeof(vendor_dir), "/sys/module/%s",
			 names[i]);
		if (!access(vendor_dir, F_OK))
			return names[i];
	}
	return NULL;
}

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
	vendor = find_vendor();
	if (!vendor)
		test_skip("neither kvm_amd nor kvm_intel is loaded");
	base_vendor = refcnt(vendor);
	base_kvm = refcnt("kvm");
	if (base_vendor < 0)
		test_skip("%s is built in (no refcnt)", vendor);
	test_note("idle refcnt: %s %ld, kvm %ld", vendor, base_vendor,
		  base_kvm);

	test_begin("busy_with_dev_kvm_open");
	kvm = kvm_open();
	errno = 0;
	if (try_unload(vendor) == -1 && errno == EPERM)
		test_skip("delete_module needs CAP_SYS_MODULE");
	TEST_ASSERT_ERRNO(try_unload(vendor), EWOULDBLOCK);
	TEST_ASSERT(refcnt(vendor) > base_vendor, "refcnt %ld", refcnt(vendor));
	test_end();

	test_begin("busy_with_vm_open");
	vm = TEST_ASSERT_OK(ioctl(kvm, KVM_CREATE_VM, 0));
	vcpu = TEST_ASSERT_OK(ioctl(vm, KVM_CREATE_VCPU, 0));
	close(kvm);
	/* Only the VM (and its vCPU) hold the module now. */
	TEST_ASSERT_ERRNO(try_unload(vendor), EWOULDBLOCK);
	TEST_ASSERT(refcnt(vendor) > base_vendor, "refcnt %ld", refcnt(vendor));
	/* kvm itself is in use by the vendor module. */
	TEST_ASSERT_ERRNO(try_unload("kvm"), EWOULDBLOCK);
	close(vm);
	TEST_ASSERT_ERRNO(try_unload(vendor), EWOULDBLOCK);
	close(vcpu);
	test_end();

	test_begin("references_dropped");
	TEST_ASSERT_EQ(wait_refcnt(vendor, base_vendor), base_vendor);
	if (base_kvm >= 0)
		TEST_ASSERT_EQ(wait_refcnt("kvm", base_kvm), base_kvm);
	/* Still loaded: this test never unloads. */
	TEST_ASSERT(!access(vendor_dir, F_OK), "%s gone", vendor);
	test_end();
	test_done();
}
