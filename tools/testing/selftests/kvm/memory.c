// SPDX-License-Identifier: GPL-2.0
/*
 * memory: guest memory follows the memslot's userspace mapping.
 *
 * The guest reads the first qword of every page of a 64 MiB slot (sum
 * reported to the host) and writes the complement into the second qword.
 * Between rounds the host changes what backs the slot: new contents in
 * place, munmap + mmap(MAP_FIXED) of fresh anonymous memory, MADV_DONTNEED
 * (all or half), a shared memfd, and a hole punched into that memfd.  The
 * guest must always see the current contents, i.e. KVM dropped its stale
 * translations when the host mapping changed (MMU notifiers).  Guest
 * accesses that the host mapping does not allow (unmapped, or a write to a
 * read-only mapping) make KVM_RUN fail with EFAULT; the guest retries the
 * access once the host has fixed the mapping.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"

#define SLOT		1
#define SLOT_GPA	0x40000000UL
#define SLOT_SIZE	(64UL << 20)
#define NPAGES		(SLOT_SIZE / PAGE_SIZE)
#define HOLE_PAGES	16

/*
 * %rdi = first page, %rsi = number of pages.
 * Round: SYNC(1) with %rcx = sum of qword 0 of every page, then
 * qword 1 = ~qword 0 on every page, SYNC(2), repeat.
 */
GUEST_CODE(g_touch, 64,
	"1:\txor %r8, %r8\n"
	"\tmov %rdi, %r9\n"
	"\tmov %rsi, %r10\n"
	"2:\tadd (%r9), %r8\n"
	"\tadd $4096, %r9\n"
	"\tdec %r10\n"
	"\tjnz 2b\n"
	"\tmov %r8, %rcx\n"
	G_SYNC(1)
	"\tmov %rdi, %r9\n"
	"\tmov %rsi, %r10\n"
	"3:\tmov (%r9), %rax\n"
	"\tnot %rax\n"
	"\tmov %rax, 8(%r9)\n"
	"\tadd $4096, %r9\n"
	"\tdec %r10\n"
	"\tjnz 3b\n"
	G_SYNC(2)
	"\tjmp 1b\n");

static uint64_t *mem;	/* host view of the slot, fixed address */

static uint64_t pattern(uint64_t page, uint64_t round)
{
	return (page + 1) * 0x9e3779b97f4a7c15ULL ^ (round << 56) ^ round;
}

static uint64_t *page_q(uint64_t *base, uint64_t page)
{
	return base + page * (PAGE_SIZE / 8);
}

static void fill(uint64_t *base, uint64_t round)
{
	uint64_t i;

	for (i = 0; i < NPAGES; i++) {
		page_q(base, i)[0] = pattern(i, round);
		page_q(base, i)[1] = 0;
	}
}

/* Expected qword 0 of a page: pattern, or 0 where it was discarded. */
static uint64_t expect_q0(uint64_t page, uint64_t round, uint64_t zero_from)
{
	return page >= zero_from ? 0 : pattern(page, round);
}

/* Run to SYNC(1) and compare the guest's sum with the host's. */
static void check_sum(struct kvm_vcpu *vcpu, uint64_t round,
		      uint64_t zero_from, const char *what)
{
	uint64_t sum = 0, i;
	struct ucall uc;

	for (i = 0; i < NPAGES; i++)
		sum += expect_q0(i, round, zero_from);
	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT(uc.cmd == UCALL_SYNC && uc.arg0 == 1, "%s: ucall", what);
	TEST_ASSERT(uc.arg1 == sum,
		    "%s: guest saw sum 0x%llx, host memory sums to 0x%llx "
		    "(stale guest mapping?)", what,
		    (unsigned long long)uc.arg1, (unsigned long long)sum);
}

/* After SYNC(2): every page must carry the guest's write. */
static void check_writes(uint64_t *view, uint64_t round, uint64_t zero_from,
			 const char *what)
{
	uint64_t i, bad = 0, first_bad = 0;

	for (i = 0; i < NPAGES; i++) {
		if (page_q(view, i)[1] != ~expect_q0(i, round, zero_from)) {
			if (!bad++)
				first_bad = i;
		}
	}
	TEST_ASSERT(!bad, "%s: %llu pages without the guest's write, first %llu",
		    what, (unsigned long long)bad,
		    (unsigned long long)first_bad);
}

/*
 * One guest round; "view" is where the host reads the result (the slot
 * mapping itself or a second mapping of the same file).
 */
static void guest_round(struct kvm_vcpu *vcpu, uint64_t *view, uint64_t round,
			uint64_t zero_from, const char *what)
{
	double t = test_now();

	check_sum(vcpu, round, zero_from, what);
	vcpu_expect_sync(vcpu, 2);
	check_writes(view, round, zero_from, what);
	test_note("%s: %lu pages in %.1fs", what, NPAGES, test_now() - t);
}

static void remap_anon(void)
{
	void *p;

	TEST_ASSERT_OK(munmap(mem, SLOT_SIZE));
	p = mmap(mem, SLOT_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	TEST_ASSERT(p == mem, "mmap MAP_FIXED anonymous");
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_regs regs;
	struct kvm_vm *vm;
	uint64_t *alias, *hole, i;
	void *p;
	int fd;

	test_init("memory");
	vm = vm_create();
	vcpu = vcpu_add(vm, 0);
	mem = alloc_mem(SLOT_SIZE);
	TEST_ASSERT_OK(vm_set_region(vm, SLOT, 0, SLOT_GPA, SLOT_SIZE, mem));
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, g_touch));
	vcpu_get_regs(vcpu, &regs);
	regs.rdi = SLOT_GPA;
	regs.rsi = NPAGES;
	vcpu_set_regs(vcpu, &regs);

	test_begin("host_data_visible");
	fill(mem, 1);
	guest_round(vcpu, mem, 1, NPAGES, "initial contents");
	fill(mem, 2);
	guest_round(vcpu, mem, 2, NPAGES, "rewritten in place");
	test_end();

	test_begin("munmap_mmap_fixed");
	remap_anon();
	fill(mem, 3);
	guest_round(vcpu, mem, 3, NPAGES, "fresh anonymous mapping");
	test_end();

	test_begin("madvise_dontneed");
	fill(mem, 4);
	guest_round(vcpu, mem, 4, NPAGES, "before MADV_DONTNEED");
	TEST_ASSERT_OK(madvise(mem, SLOT_SIZE, MADV_DONTNEED));
	guest_round(vcpu, mem, 0, 0, "after MADV_DONTNEED");
	fill(mem, 5);
	TEST_ASSERT_OK(madvise(page_q(mem, NPAGES / 2), SLOT_SIZE / 2,
			       MADV_DONTNEED));
	guest_round(vcpu, mem, 5, NPAGES / 2, "upper half discarded");
	test_end();

	/* Without a host mapping behind the slot, KVM_RUN fails (EFAULT). */
	test_begin("unmapped_backing_efault");
	fill(mem, 8);
	hole = page_q(mem, NPAGES / 4);
	TEST_ASSERT_OK(munmap(hole, HOLE_PAGES * PAGE_SIZE));
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EFAULT);
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EFAULT);
	p = mmap(hole, HOLE_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	TEST_ASSERT(p == hole, "mmap MAP_FIXED into the hole");
	for (i = 0; i < HOLE_PAGES; i++)
		page_q(hole, i)[0] = pattern(NPAGES / 4 + i, 8);
	/* The guest retries the access and finishes its round. */
	guest_round(vcpu, mem, 8, NPAGES, "hole refilled after EFAULT");
	test_end();

	/* Guest writes to memory the host mapped read-only fail (EFAULT). */
	test_begin("readonly_backing_efault");
	fill(mem, 9);
	TEST_ASSERT_OK(mprotect(mem, SLOT_SIZE, PROT_READ));
	check_sum(vcpu, 9, NPAGES, "host mapping read-only");
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EFAULT);
	TEST_ASSERT_EQ(page_q(mem, 0)[1], 0);
	TEST_ASSERT_OK(mprotect(mem, SLOT_SIZE, PROT_READ | PROT_WRITE));
	vcpu_expect_sync(vcpu, 2);
	check_writes(mem, 9, NPAGES, "writable again");
	test_end();

	test_begin("memfd_shared");
	fd = TEST_ASSERT_OK(memfd_create("okvm-memory", 0));
	TEST_ASSERT_OK(ftruncate(fd, SLOT_SIZE));
	alias = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	TEST_ASSERT(alias != MAP_FAILED, "mmap memfd");
	fill(alias, 6);
	p = mmap(mem, SLOT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, 0);
	TEST_ASSERT(p == mem, "mmap memfd MAP_FIXED over the slot");
	guest_round(vcpu, alias, 6, NPAGES, "memfd mapped over the slot");
	fill(alias, 7);
	guest_round(vcpu, alias, 7, NPAGES, "memfd rewritten via an alias");
	TEST_ASSERT_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				 0, SLOT_SIZE));
	guest_round(vcpu, alias, 0, 0, "hole punched into the memfd");
	test_end();

	TEST_ASSERT_OK(vm_set_region(vm, SLOT, 0, SLOT_GPA, 0, NULL));
	munmap(alias, SLOT_SIZE);
	munmap(mem, SLOT_SIZE);
	close(fd);
	vcpu_free(vcpu);
	vm_destroy(vm);
	test_done();
}
