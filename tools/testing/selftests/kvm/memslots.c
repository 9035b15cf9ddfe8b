// SPDX-License-Identifier: GPL-2.0
/*
 * memslots: KVM_SET_USER_MEMORY_REGION semantics.
 *
 * Parameter validation (alignment, flags, slot ids, overlap, changing an
 * existing slot), create/move/delete as seen by a running guest, filling
 * every slot id, and read-only slots turning guest writes into MMIO exits.
 *
 *   nr_mmu_pages  KVM_CAP_MMU_SHADOW_CACHE_CONTROL is 1; KVM_GET_NR_MMU_PAGES
 *                 is 0 before any memslot, then one per 50 slot pages (at
 *                 least 64) as slots are created and deleted;
 *                 KVM_SET_NR_MMU_PAGES below 64 is EINVAL, else GET returns
 *                 the value set, which later slots no longer change; a
 *                 guest still runs with the minimum
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"

#define TEST_GPA	0x40000000UL	/* 1 GiB, identity mapped */
#define TEST_SIZE	0x10000UL
#define MOVED_GPA	0x50000000UL
#define RO_GPA		0x60000000UL
#define TEST_SLOT	10

/* Slots created by test_many_slots() unless KVM_TEST_ALL_MEMSLOTS=1. */
#define MAX_SLOTS_TESTED	4096

static long nr_memslots;

/*
 * Sum the 16 qwords at the GPA in %rdi into %rbx, report SYNC(1) with the
 * sum in %rcx... then store ~sum at offset 0x80 and report SYNC(2).
 * Entered with %rdi = GPA to use.
 */
GUEST_CODE(g_sum, 64,
	"\txor %rbx, %rbx\n"
	"\tmov %rdi, %r8\n"
	"\tmov $16, %r9d\n"
	"1:\tadd (%r8), %rbx\n"
	"\tadd $8, %r8\n"
	"\tdec %r9d\n"
	"\tjnz 1b\n"
	"\tmov %rbx, %rcx\n"
	"\tmov %rbx, %r10\n"
	"\tmov $1, %ebx\n"
	G_UCALL(UCALL_SYNC)
	"\tnot %r10\n"
	"\tmov %r10, 0x80(%rdi)\n"
	G_SYNC(2)
	G_DONE);

/* Read the qword at %rdi (SYNC 1, value in %rcx), then write %rsi there. */
GUEST_CODE(g_rw, 64,
	"\tmov (%rdi), %rcx\n"
	"\tmov $1, %ebx\n"
	G_UCALL(UCALL_SYNC)
	"\tmov %rsi, (%rdi)\n"
	G_SYNC(2)
	"\tmov (%rdi), %rcx\n"
	"\tmov $3, %ebx\n"
	G_UCALL(UCALL_SYNC)
	G_DONE);

static uint64_t g_sum_gpa, g_rw_gpa;

static void enter(struct kvm_vcpu *vcpu, uint64_t entry, uint64_t rdi,
		  uint64_t rsi)
{
	struct kvm_regs regs;

	vcpu_setup_long(vcpu, entry);
	vcpu_get_regs(vcpu, &regs);
	regs.rdi = rdi;
	regs.rsi = rsi;
	vcpu_set_regs(vcpu, &regs);
}

static void test_invalid(struct kvm_vm *vm, uint64_t *mem)
{
	char *m = (char *)mem;
	int s = TEST_SLOT;

	/* Misaligned address, size or host address. */
	TEST_ASSERT_ERRNO(vm_set_region(vm, s, 0, TEST_GPA + 0x800, TEST_SIZE,
					m), EINVAL);
	TEST_ASSERT_ERRNO(vm_set_region(vm, s, 0, TEST_GPA, TEST_SIZE - 1, m),
			  EINVAL);
	TEST_ASSERT_ERRNO(vm_set_region(vm, s, 0, TEST_GPA, TEST_SIZE + 0x10,
					m), EINVAL);
	TEST_ASSERT_ERRNO(vm_set_region(vm, s, 0, TEST_GPA, TEST_SIZE, m + 8),
			  EINVAL);
	/* Unknown flag bits. */
	TEST_ASSERT_ERRNO(vm_set_region(vm, s, 1u << 7, TEST_GPA, TEST_SIZE, m),
			  EINVAL);
	TEST_ASSERT_ERRNO(vm_set_region(vm, s, 1u << 31, TEST_GPA, TEST_SIZE,
					m), EINVAL);
	/* Slot ids: the user range ends at NR_MEMSLOTS; bits 16+ select the
	 * address space, and x86 has at most two. */
	TEST_ASSERT_ERRNO(vm_set_region(vm, nr_memslots, 0, TEST_GPA, TEST_SIZE,
					m), EINVAL);
	TEST_ASSERT_ERRNO(vm_set_region(vm, 0xffff, 0, TEST_GPA, TEST_SIZE, m),
			  EINVAL);
	TEST_ASSERT_ERRNO(vm_set_region(vm, 2u << 16, 0, TEST_GPA, TEST_SIZE,
					m), EINVAL);
	/* A host range that is not user memory, or wraps the GPA space. */
	TEST_ASSERT_ERRNO(vm_set_region(vm, s, 0, TEST_GPA, TEST_SIZE,
					(void *)0xffff888000000000UL), EINVAL);
	TEST_ASSERT_ERRNO(vm_set_region(vm, s, 0, -PAGE_SIZE, 2 * PAGE_SIZE,
					m), EINVAL);
	/* Deleting a slot that does not exist. */
	TEST_ASSERT_ERRNO(vm_set_region(vm, s, 0, TEST_GPA, 0, m), EINVAL);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, (void *)8),
			  EFAULT);
}

static void test_create_modify(struct kvm_vm *vm, uint64_t *mem)
{
	uint64_t *other = alloc_mem(TEST_SIZE);
	char *m = (char *)mem;
	int s = TEST_SLOT;

	TEST_ASSERT_OK(vm_set_region(vm, s, 0, TEST_GPA, TEST_SIZE, m));
	/* Setting the same thing again is a no-op. */
	TEST_ASSERT_OK(vm_set_region(vm, s, 0, TEST_GPA, TEST_SIZE, m));
	/* Size and host address of an existing slot cannot change. */
	TEST_ASSERT_ERRNO(vm_set_region(vm, s, 0, TEST_GPA, 2 * TEST_SIZE, m),
			  EINVAL);
	TEST_ASSERT_ERRNO(vm_set_region(vm, s, 0, TEST_GPA, TEST_SIZE / 2, m),
			  EINVAL);
	TEST_ASSERT_ERRNO(vm_set_region(vm, s, 0, TEST_GPA, TEST_SIZE,
					(char *)other), EINVAL);
	if (kvm_check_cap(vm->fd, KVM_CAP_READONLY_MEM))
		TEST_ASSERT_ERRNO(vm_set_region(vm, s, KVM_MEM_READONLY,
						TEST_GPA, TEST_SIZE, m),
				  EINVAL);
	/* Dirty logging can be toggled on an existing slot. */
	TEST_ASSERT_OK(vm_set_region(vm, s, KVM_MEM_LOG_DIRTY_PAGES, TEST_GPA,
				     TEST_SIZE, m));
	TEST_ASSERT_OK(vm_set_region(vm, s, 0, TEST_GPA, TEST_SIZE, m));

	/* Overlaps with this slot or with slot 0, from any side. */
	TEST_ASSERT_ERRNO(vm_set_region(vm, s + 1, 0, TEST_GPA, TEST_SIZE,
					(char *)other), EEXIST);
	TEST_ASSERT_ERRNO(vm_set_region(vm, s + 1, 0, TEST_GPA - PAGE_SIZE,
					2 * PAGE_SIZE, (char *)other), EEXIST);
	TEST_ASSERT_ERRNO(vm_set_region(vm, s + 1, 0,
					TEST_GPA + TEST_SIZE - PAGE_SIZE,
					TEST_SIZE, (char *)other), EEXIST);
	TEST_ASSERT_ERRNO(vm_set_region(vm, s + 1, 0, TEST_GPA - PAGE_SIZE,
					TEST_SIZE + 2 * PAGE_SIZE,
					(char *)other), EEXIST);
	TEST_ASSERT_ERRNO(vm_set_region(vm, s + 1, 0, TEST_GPA + PAGE_SIZE,
					PAGE_SIZE, (char *)other), EEXIST);
	TEST_ASSERT_ERRNO(vm_set_region(vm, s + 1, 0, LOW_MEM_SIZE - PAGE_SIZE,
					TEST_SIZE, (char *)other), EEXIST);
	/* Moving onto another slot overlaps too. */
	TEST_ASSERT_ERRNO(vm_set_region(vm, s, 0, 0, TEST_SIZE, m), EEXIST);
	/* Adjacent on both sides is fine. */
	TEST_ASSERT_OK(vm_set_region(vm, s + 1, 0, TEST_GPA + TEST_SIZE,
				     TEST_SIZE, (char *)other));
	TEST_ASSERT_OK(vm_set_region(vm, s + 1, 0, 0, 0, NULL));
	TEST_ASSERT_OK(vm_set_region(vm, s + 1, 0, TEST_GPA - TEST_SIZE,
				     TEST_SIZE, (char *)other));
	TEST_ASSERT_OK(vm_set_region(vm, s + 1, 0, 0, 0, NULL));
	/* Two slots may map the same host memory. */
	TEST_ASSERT_OK(vm_set_region(vm, s + 1, 0, MOVED_GPA + TEST_SIZE,
				     TEST_SIZE, m));
	TEST_ASSERT_OK(vm_set_region(vm, s + 1, 0, 0, 0, NULL));
	/* Deleting twice fails. */
	TEST_ASSERT_ERRNO(vm_set_region(vm, s + 1, 0, 0, 0, NULL), EINVAL);
	TEST_ASSERT_OK(vm_set_region(vm, s, 0, TEST_GPA, 0, NULL));
	munmap(other, TEST_SIZE);
}

static void test_guest_access(struct kvm_vcpu *vcpu, uint64_t *mem,
			      uint64_t gpa, const char *what)
{
	uint64_t sum = 0;
	struct ucall uc;
	int i;

	for (i = 0; i < 16; i++) {
		mem[i] = (0x1111ULL << i) ^ (uint64_t)gpa ^ (uintptr_t)what;
		sum += mem[i];
	}
	enter(vcpu, g_sum_gpa, gpa, 0);
	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT_EQ(uc.cmd, UCALL_SYNC);
	TEST_ASSERT_EQ(uc.arg0, 1);
	TEST_ASSERT(uc.arg1 == sum, "%s: guest sum 0x%llx, host 0x%llx", what,
		    (unsigned long long)uc.arg1, (unsigned long long)sum);
	vcpu_expect_sync(vcpu, 2);
	TEST_ASSERT_EQ(mem[0x80 / 8], ~sum);
}

static void test_move_delete(struct kvm_vm *vm, struct kvm_vcpu *vcpu,
			     uint64_t *mem)
{
	int s = TEST_SLOT;
	struct ucall uc;

	TEST_ASSERT_OK(vm_set_region(vm, s, 0, TEST_GPA, TEST_SIZE, mem));
	test_guest_access(vcpu, mem, TEST_GPA, "created slot");

	/* Move: same host memory, new GPA.  The data follows. */
	TEST_ASSERT_OK(vm_set_region(vm, s, 0, MOVED_GPA, TEST_SIZE, mem));
	mem[0x100 / 8] = 0xfeedface12345678ULL;
	enter(vcpu, g_rw_gpa, MOVED_GPA + 0x100, 0x0badcafe0badcafeULL);
	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT_EQ(uc.arg0, 1);
	TEST_ASSERT_EQ(uc.arg1, 0xfeedface12345678ULL);
	vcpu_expect_sync(vcpu, 2);
	TEST_ASSERT_EQ(mem[0x100 / 8], 0x0badcafe0badcafeULL);
	test_guest_access(vcpu, mem, MOVED_GPA, "moved slot");

	/* The old location has no memory any more: MMIO exit. */
	enter(vcpu, g_rw_gpa, TEST_GPA + 0x100, 0);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_MMIO);
	TEST_ASSERT_EQ(vcpu->run->mmio.phys_addr, TEST_GPA + 0x100);
	TEST_ASSERT_EQ(vcpu->run->mmio.is_write, 0);
	TEST_ASSERT_EQ(vcpu->run->mmio.len, 8);

	/* Delete: the new location goes away as well. */
	TEST_ASSERT_OK(vm_set_region(vm, s, 0, MOVED_GPA, 0, mem));
	enter(vcpu, g_rw_gpa, MOVED_GPA + 0x100, 0);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_MMIO);
	TEST_ASSERT_EQ(vcpu->run->mmio.phys_addr, MOVED_GPA + 0x100);

	/* Re-create with different backing; the guest sees the new data. */
	TEST_ASSERT_OK(vm_set_region(vm, s, 0, TEST_GPA, TEST_SIZE,
				     (char *)mem + TEST_SIZE));
	test_guest_access(vcpu, mem + TEST_SIZE / 8, TEST_GPA,
			  "re-created slot");
	TEST_ASSERT_OK(vm_set_region(vm, s, 0, TEST_GPA, 0, NULL));
}

static void test_readonly(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	uint64_t *ro = alloc_mem(TEST_SIZE);
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	if (!kvm_check_cap(vm->fd, KVM_CAP_READONLY_MEM)) {
		test_note("KVM_CAP_READONLY_MEM not reported, not tested");
		munmap(ro, TEST_SIZE);
		return;
	}
	TEST_ASSERT_OK(vm_set_region(vm, TEST_SLOT + 2, KVM_MEM_READONLY,
				     RO_GPA, TEST_SIZE, ro));
	ro[0x200 / 8] = 0x5555aaaa5555aaaaULL;
	enter(vcpu, g_rw_gpa, RO_GPA + 0x200, 0x1234567890abcdefULL);
	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT_EQ(uc.arg0, 1);
	TEST_ASSERT_EQ(uc.arg1, 0x5555aaaa5555aaaaULL);
	/* The write becomes an MMIO exit carrying the data. */
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_MMIO);
	TEST_ASSERT_EQ(run->mmio.phys_addr, RO_GPA + 0x200);
	TEST_ASSERT_EQ(run->mmio.is_write, 1);
	TEST_ASSERT_EQ(run->mmio.len, 8);
	TEST_ASSERT_EQ(*(uint64_t *)run->mmio.data, 0x1234567890abcdefULL);
	/* Memory is unchanged and the guest carries on after the store. */
	TEST_ASSERT_EQ(ro[0x200 / 8], 0x5555aaaa5555aaaaULL);
	vcpu_expect_sync(vcpu, 2);
	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT_EQ(uc.arg0, 3);
	TEST_ASSERT_EQ(uc.arg1, 0x5555aaaa5555aaaaULL);
	TEST_ASSERT_OK(vm_set_region(vm, TEST_SLOT + 2, 0, RO_GPA, 0, NULL));
	munmap(ro, TEST_SIZE);
}

static uint64_t slot_gpa(long id)
{
	return TEST_GPA + 2 * id * PAGE_SIZE;
}

/*
 * Fill a fresh VM with single-page slots: slot 0 is vm_create()'s low
 * memory, then ids 1..n-2 and the last id NR_MEMSLOTS-1, where n is
 * NR_MEMSLOTS, or MAX_SLOTS_TESTED unless KVM_TEST_ALL_MEMSLOTS=1 (creating
 * 32764 slots takes about a minute under TCG).  The guest then reads and
 * writes the pages of the highest slots.
 */
static void test_many_slots(void)
{
	const char *all = getenv("KVM_TEST_ALL_MEMSLOTS");
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	long i, id, n = nr_memslots, last = nr_memslots - 1;
	uint64_t code = LOAD_GUEST(vm, g_rw);
	struct ucall uc;
	uint64_t *page;
	char *mem;
	double t;

	if (n > MAX_SLOTS_TESTED && !(all && *all == '1'))
		n = MAX_SLOTS_TESTED;
	mem = alloc_mem(n * PAGE_SIZE);
	t = test_now();
	for (i = 1; i < n; i++) {
		id = i == n - 1 ? last : i;
		TEST_ASSERT(vm_set_region(vm, id, 0, slot_gpa(id), PAGE_SIZE,
					  mem + i * PAGE_SIZE) == 0,
			    "slot id %ld (%ld of %ld)", id, i + 1, n);
	}
	test_note("%ld slots (of %ld) in %.1fs", n, nr_memslots,
		  test_now() - t);
	TEST_ASSERT_ERRNO(vm_set_region(vm, nr_memslots, 0, 0x100000,
					PAGE_SIZE, mem), EINVAL);

	/* The guest reaches memory in the last slot and the one before. */
	for (i = n - 2; i < n; i++) {
		id = i == n - 1 ? last : i;
		page = (uint64_t *)(mem + i * PAGE_SIZE);
		page[5] = 0xabcd000000000000ULL | id;
		enter(vcpu, code, slot_gpa(id) + 40, ~page[5]);
		vcpu_ucall(vcpu, &uc);
		TEST_ASSERT(uc.arg0 == 1 && uc.arg1 == page[5],
			    "slot %ld: guest read 0x%llx", id,
			    (unsigned long long)uc.arg1);
		vcpu_expect_sync(vcpu, 2);
		TEST_ASSERT_EQ(page[5], ~(0xabcd000000000000ULL | id));
	}

	/* The last id can be deleted and re-created. */
	TEST_ASSERT_OK(vm_set_region(vm, last, 0, 0, 0, NULL));
	TEST_ASSERT_OK(vm_set_region(vm, last, 0, slot_gpa(last), PAGE_SIZE,
				     mem));
	vcpu_free(vcpu);
	vm_destroy(vm);
	munmap(mem, n * PAGE_SIZE);
}

static void test_nr_mmu_pages(void)
{
	struct kvm_vm *vm = vm_create_bare();
	struct kvm_vcpu *vcpu;
	void *small = alloc_mem(256 * PAGE_SIZE);
	void *big = alloc_mem(4096 * PAGE_SIZE);

	TEST_ASSERT_EQ(kvm_check_cap(vm->fd, KVM_CAP_MMU_SHADOW_CACHE_CONTROL),
		       1);
	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_GET_NR_MMU_PAGES, 0), 0);
	TEST_ASSERT_OK(vm_set_region(vm, 1, 0, TEST_GPA, 256 * PAGE_SIZE,
				     small));
	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_GET_NR_MMU_PAGES, 0), 64);
	TEST_ASSERT_OK(vm_set_region(vm, 2, 0, MOVED_GPA, 4096 * PAGE_SIZE,
				     big));
	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_GET_NR_MMU_PAGES, 0), 4352 / 50);
	TEST_ASSERT_OK(vm_set_region(vm, 1, 0, TEST_GPA, 0, small));
	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_GET_NR_MMU_PAGES, 0), 4096 / 50);
	TEST_ASSERT_OK(vm_set_region(vm, 2, 0, MOVED_GPA, 0, big));
	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_GET_NR_MMU_PAGES, 0), 64);

	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_SET_NR_MMU_PAGES, 0UL), EINVAL);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_SET_NR_MMU_PAGES, 63UL), EINVAL);
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_SET_NR_MMU_PAGES, 1000UL));
	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_GET_NR_MMU_PAGES, 0), 1000);
	TEST_ASSERT_OK(vm_set_region(vm, 2, 0, MOVED_GPA, 4096 * PAGE_SIZE,
				     big));
	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_GET_NR_MMU_PAGES, 0), 1000);
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_SET_NR_MMU_PAGES, 64UL));
	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_GET_NR_MMU_PAGES, 0), 64);
	vm_destroy(vm);
	munmap(small, 256 * PAGE_SIZE);
	munmap(big, 4096 * PAGE_SIZE);

	/* The guest of guest_access_move_delete, with the smallest cache. */
	vm = vm_create();
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_SET_NR_MMU_PAGES, 64UL));
	vcpu = vcpu_add(vm, 0);
	g_sum_gpa = LOAD_GUEST(vm, g_sum);
	g_rw_gpa = LOAD_GUEST(vm, g_rw);
	big = alloc_mem(2 * TEST_SIZE);
	test_move_delete(vm, vcpu, big);
	vcpu_free(vcpu);
	vm_destroy(vm);
	munmap(big, 2 * TEST_SIZE);
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint64_t *mem;

	test_init("memslots");
	vm = vm_create();
	nr_memslots = kvm_check_cap(vm->fd, KVM_CAP_NR_MEMSLOTS);
	TEST_ASSERT(nr_memslots > TEST_SLOT + 2, "NR_MEMSLOTS %ld", nr_memslots);
	vcpu = vcpu_add(vm, 0);
	g_sum_gpa = LOAD_GUEST(vm, g_sum);
	g_rw_gpa = LOAD_GUEST(vm, g_rw);
	mem = alloc_mem(2 * TEST_SIZE);

	RUN_SUBTEST("invalid_parameters", test_invalid(vm, mem));
	RUN_SUBTEST("create_and_modify", test_create_modify(vm, mem));
	RUN_SUBTEST("guest_access_move_delete",
		    test_move_delete(vm, vcpu, mem));
	RUN_SUBTEST("readonly_slot", test_readonly(vm, vcpu));
	vcpu_free(vcpu);
	vm_destroy(vm);
	RUN_SUBTEST("many_slots", test_many_slots());
	RUN_SUBTEST("nr_mmu_pages", test_nr_mmu_pages());
	test_done();
}
