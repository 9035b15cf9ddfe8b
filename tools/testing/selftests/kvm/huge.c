// SPDX-License-Identifier: GPL-2.0
/*
 * huge: 2 MiB second-level mappings and KVM_CAP_VM_DISABLE_NX_HUGE_PAGES.
 *
 *   names     the VM's stats file has pages_4k, pages_2m, pages_1g and
 *             nx_lpage_splits
 *   hugetlb   a guest read (through the guest's 2 MiB page) from a slot
 *             backed by a 2 MiB hugetlbfs page raises pages_2m by one,
 *             with TDP and with shadow paging; a read from a slot of 4 KiB
 *             pages (MADV_NOHUGEPAGE) leaves pages_2m alone (and raises
 *             pages_4k with TDP: shadow paging counts no 4 KiB leaves);
 *             deleting the slots brings pages_2m back to 0
 *   nx_cap    KVM_CHECK_EXTENSION gives 1; KVM_ENABLE_CAP with a nonzero
 *             argument is EINVAL, with 0 it succeeds before any vCPU and is
 *             EINVAL after one; without CAP_SYS_BOOT (dropped in a child
 *             process) it is EPERM
 *
 * hugetlb needs a free 2 MiB huge page: it raises nr_hugepages by one for
 * its run (root), restores it, and is skipped if none can be had.
 */
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "x86.h"

#define HUGE_SIZE	0x200000UL
#define HUGE_GPA	0x40000000	/* in the guest's 2 MiB identity map */
#define SMALL_GPA	0x40400000
#define NR_HUGE_PATH	"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"

/* A VM counter by name, through a fresh stats fd. */
static uint64_t vm_stat(struct kvm_vm *vm, const char *name)
{
	int fd = TEST_ASSERT_OK(ioctl(vm->fd, KVM_GET_STATS_FD, 0));
	struct kvm_stats_header h;
	size_t dsize;
	uint64_t v = 0;
	char *desc;
	uint32_t i;
	bool found = false;

	TEST_ASSERT_EQ(pread(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	dsize = sizeof(struct kvm_stats_desc) + h.name_size;
	desc = calloc(h.num_desc, dsize);
	TEST_ASSERT(desc, "calloc");
	TEST_ASSERT_EQ(pread(fd, desc, h.num_desc * dsize, h.desc_offset),
		       (ssize_t)(h.num_desc * dsize));
	for (i = 0; i < h.num_desc && !found; i++) {
		struct kvm_stats_desc *d = (void *)(desc + i * dsize);

		if (strcmp(d->name, name))
			continue;
		TEST_ASSERT_EQ(pread(fd, &v, sizeof(v),
				     h.data_offset + d->offset),
			       (ssize_t)sizeof(v));
		found = true;
	}
	free(desc);
	close(fd);
	TEST_ASSERT(found, "no VM counter %s", name);
	return v;
}

static void test_names(void)
{
	struct kvm_vm *vm = vm_create();

	TEST_ASSERT_EQ(vm_stat(vm, "pages_4k"), 0);
	TEST_ASSERT_EQ(vm_stat(vm, "pages_2m"), 0);
	TEST_ASSERT_EQ(vm_stat(vm, "pages_1g"), 0);
	TEST_ASSERT_EQ(vm_stat(vm, "nx_lpage_splits"), 0);
	vm_destroy(vm);
}

/* Whether the vendor module uses two-dimensional paging. */
static bool tdp_enabled(void)
{
	static const char *const paths[] = {
		"/sys/module/kvm_amd/parameters/npt",
		"/sys/module/kvm_intel/parameters/ept",
	};
	unsigned int i;
	char c = 'N';

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		int fd = open(paths[i], O_RDONLY);

		if (fd < 0)
			continue;
		if (read(fd, &c, 1) != 1)
			c = 'N';
		close(fd);
		break;
	}
	return c == 'Y' || c == '1';
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static bool write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", v) > 0;
	return !fclose(f) && ok;
}

GUEST_CODE(guest_touch, 64,
	"\tmov $" STR(HUGE_GPA) ", %rax\n"
	"\tmov (%rax), %rax\n"
	G_SYNC(1)
	"\tmov $" STR(SMALL_GPA) ", %rax\n"
	"\tmov (%rax), %rax\n"
	G_DONE);

static void run_touch(void *huge, bool tdp)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t before_2m, before_4k, d2m;
	void *small;

	TEST_ASSERT_OK(vm_set_region(vm, 1, 0, HUGE_GPA, HUGE_SIZE, huge));
	vm_track_slot(vm, 1, 0, HUGE_GPA, HUGE_SIZE, huge);
	small = alloc_mem(HUGE_SIZE);
	TEST_ASSERT_OK(madvise(small, HUGE_SIZE, MADV_NOHUGEPAGE));
	TEST_ASSERT_OK(vm_set_region(vm, 2, 0, SMALL_GPA, HUGE_SIZE, small));
	vm_track_slot(vm, 2, 0, SMALL_GPA, HUGE_SIZE, small);
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, guest_touch));

	vcpu_expect_sync(vcpu, 1);	/* code and tables: 4 KiB slot 0 */
	before_2m = vm_stat(vm, "pages_2m");
	before_4k = vm_stat(vm, "pages_4k");
	test_note("tdp %d: pages_2m %llu pages_4k %llu after the huge read",
		  tdp, (unsigned long long)before_2m,
		  (unsigned long long)before_4k);
	TEST_ASSERT_EQ(before_2m, 1);
	vcpu_expect_done(vcpu);
	d2m = vm_stat(vm, "pages_2m") - before_2m;
	TEST_ASSERT_EQ(d2m, 0);
	if (tdp)
		TEST_ASSERT(vm_stat(vm, "pages_4k") > before_4k, "pages_4k");
	TEST_ASSERT_OK(vm_set_region(vm, 1, 0, HUGE_GPA, 0, huge));
	TEST_ASSERT_OK(vm_set_region(vm, 2, 0, SMALL_GPA, 0, small));
	TEST_ASSERT_EQ(vm_stat(vm, "pages_2m"), 0);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void test_hugetlb(void)
{
	long nr = read_long(NR_HUGE_PATH);
	bool raised = false;
	void *huge;

	huge = mmap(NULL, HUGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (huge == MAP_FAILED && nr >= 0 && write_long(NR_HUGE_PATH, nr + 1)) {
		raised = true;
		huge = mmap(NULL, HUGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	}
	if (huge == MAP_FAILED) {
		if (raised)
			write_long(NR_HUGE_PATH, nr);
		test_note("no 2 MiB huge page to be had: skipped");
		return;
	}
	memset(huge, 0x5a, HUGE_SIZE);
	run_touch(huge, tdp_enabled());	/* unmaps huge */
	if (raised)
		TEST_ASSERT(write_long(NR_HUGE_PATH, nr), "restore nr_hugepages");
}

static int cap_disable_nx(struct kvm_vm *vm, uint64_t arg)
{
	return vm_enable_cap(vm, KVM_CAP_VM_DISABLE_NX_HUGE_PAGES, arg);
}

/* In a child without CAP_SYS_BOOT: the cap is EPERM.  Exit status 0: ok. */
static void child_without_sys_boot(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	struct kvm_vm *vm;

	if (syscall(SYS_capget, &hdr, data))
		_exit(2);
	data[CAP_SYS_BOOT / 32].effective &= ~(1u << (CAP_SYS_BOOT % 32));
	data[CAP_SYS_BOOT / 32].permitted &= ~(1u << (CAP_SYS_BOOT % 32));
	if (syscall(SYS_capset, &hdr, data))
		_exit(3);
	vm = vm_create();
	if (cap_disable_nx(vm, 0) != -1 || errno != EPERM)
		_exit(4);
	if (cap_disable_nx(vm, 1) != -1 || errno != EPERM)
		_exit(5);
	_exit(0);
}

static void test_nx_cap(void)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu;
	int status;
	pid_t pid;

	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd,
				     KVM_CAP_VM_DISABLE_NX_HUGE_PAGES), 1);
	if (geteuid() == 0) {
		TEST_ASSERT_ERRNO(cap_disable_nx(vm, 1), EINVAL);
		TEST_ASSERT_OK(cap_disable_nx(vm, 0));
		TEST_ASSERT_OK(cap_disable_nx(vm, 0));
		vcpu = vcpu_add(vm, 0);
		TEST_ASSERT_ERRNO(cap_disable_nx(vm, 0), EINVAL);
		vcpu_free(vcpu);
	}
	vm_destroy(vm);

	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid)
		child_without_sys_boot();
	TEST_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	TEST_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status),
		    "child: status 0x%x", status);
}

int main(void)
{
	test_init("huge");
	RUN_SUBTEST("names", test_names());
	RUN_SUBTEST("hugetlb", test_hugetlb());
	RUN_SUBTEST("nx_cap", test_nx_cap());
	test_done();
}
