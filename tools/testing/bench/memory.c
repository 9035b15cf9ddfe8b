// SPDX-License-Identifier: GPL-2.0
/*
 * okvm-bench row 2: memory.
 *
 *   fault_in     the guest writes one byte to each 4 KiB page of a fresh
 *                1 GiB slot (anonymous 4 KiB host pages): ms for the GiB
 *   slot_churn   KVM_SET_USER_MEMORY_REGION create + delete of a 2 MiB
 *                slot while a vCPU exists: us per pair
 *   dirty_log    1 GiB slot with KVM_MEM_LOG_DIRTY_PAGES, fully faulted in,
 *                the guest dirties every tenth page, then one
 *                KVM_GET_DIRTY_LOG: ms per harvest (median of 5)
 */
#include <stdlib.h>
#include <sys/ioctl.h>

#include "bench.h"

#define CHURN_SLOT	2
#define CHURN_GPA	0x80000000UL
#define CHURN_SIZE	0x200000UL
#define DIRTY_STRIDE	10
#define DIRTY_PAGES	((BIG_PAGES + DIRTY_STRIDE - 1) / DIRTY_STRIDE)
#define HARVESTS	5

/* Touch every page of the big slot, SYNC 1; then forever: dirty every
 * tenth page, SYNC 2. */
GUEST_CODE(g_touch, 64,
	"\tmov $" STR(BIG_GPA) ", %rsi\n"
	"\tmov $" STR(BIG_PAGES) ", %r9\n"
	"1:\tmovb $1, (%rsi)\n"
	"\tadd $4096, %rsi\n"
	"\tdec %r9\n\tjnz 1b\n"
	G_SYNC(1)
	"2:\tmov $" STR(BIG_GPA) ", %rsi\n"
	"\tmov $" STR(DIRTY_PAGES) ", %r9\n"
	"3:\tincb (%rsi)\n"
	"\tadd $(4096 * " STR(DIRTY_STRIDE) "), %rsi\n"
	"\tdec %r9\n\tjnz 3b\n"
	G_SYNC(2)
	"\tjmp 2b\n");

static struct kvm_vcpu *big_vm(uint32_t flags)
{
	struct kvm_vm *vm = vm_create();

	vm_add_mem(vm, BIG_SLOT, BIG_GPA, BIG_SIZE, flags);
	return vcpu_add_long(vm, 0, LOAD_GUEST(vm, g_touch));
}

static void big_vm_free(struct kvm_vcpu *vcpu)
{
	struct kvm_vm *vm = vcpu->vm;

	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void bench_fault_in(unsigned long scale)
{
	struct kvm_vcpu *vcpu = big_vm(0);
	double t = test_now();

	(void)scale;
	vcpu_expect_sync(vcpu, 1);
	bench_report("fault_in", (test_now() - t) * 1e3);
	big_vm_free(vcpu);
}

static void bench_slot_churn(unsigned long scale)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu = vcpu_add_long(vm, 0, LOAD_GUEST(vm, g_touch));
	void *hva = alloc_mem(CHURN_SIZE);
	unsigned long i, n = 500 * scale;
	double t;

	t = test_now();
	for (i = 0; i < n; i++) {
		TEST_ASSERT_OK(vm_set_region(vm, CHURN_SLOT, 0, CHURN_GPA,
					     CHURN_SIZE, hva));
		TEST_ASSERT_OK(vm_set_region(vm, CHURN_SLOT, 0, CHURN_GPA,
					     0, hva));
	}
	bench_report("slot_churn", (test_now() - t) * 1e6 / n);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static uint64_t harvest(struct kvm_vm *vm, uint64_t *bitmap)
{
	struct kvm_dirty_log log = { .slot = BIG_SLOT, .dirty_bitmap = bitmap };
	uint64_t i, n = 0;

	TEST_ASSERT_OK(ioctl(vm->fd, KVM_GET_DIRTY_LOG, &log));
	for (i = 0; i < BIG_PAGES / 64; i++)
		n += __builtin_popcountll(bitmap[i]);
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void bench_dirty_log(unsigned long scale)
{
	struct kvm_vcpu *vcpu = big_vm(KVM_MEM_LOG_DIRTY_PAGES);
	uint64_t *bitmap = calloc(BIG_PAGES / 64, sizeof(uint64_t));
	double t[HARVESTS];
	int i;

	(void)scale;
	TEST_ASSERT(bitmap, "calloc");
	vcpu_expect_sync(vcpu, 1);
	harvest(vcpu->vm, bitmap);
	for (i = 0; i < HARVESTS; i++) {
		vcpu_expect_sync(vcpu, 2);
		t[i] = test_now();
		TEST_ASSERT_EQ(harvest(vcpu->vm, bitmap), DIRTY_PAGES);
		t[i] = (test_now() - t[i]) * 1e3;
	}
	qsort(t, HARVESTS, sizeof(t[0]), cmp_double);
	bench_report("dirty_log", t[HARVESTS / 2]);
	free(bitmap);
	big_vm_free(vcpu);
}

const struct bench mem_benches[] = {
	{ "fault_in", "ms", bench_fault_in, 1 },
	{ "slot_churn", "us", bench_slot_churn, 1 },
	{ "dirty_log", "ms", bench_dirty_log, 1 },
	{ NULL, NULL, NULL, 0 }
};
