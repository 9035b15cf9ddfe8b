// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid: KVM_GET_SUPPORTED_CPUID, KVM_SET_CPUID2/KVM_GET_CPUID2 and what a
 * guest executing CPUID sees.
 *
 *   supported   E2BIG for a too small array (nent 0 included), success with
 *               256 entries; vendor of leaf 0 equals the host's, the KVM
 *               signature leaf 0x40000000 and KVM_FEATURE_CLOCKSOURCE2 and
 *               NOP_IO_DELAY in 0x40000001
 *   set_get     KVM_SET_CPUID2 then KVM_GET_CPUID2 gives the table back,
 *               E2BIG for a small GET array and for a SET of > 256 entries
 *   guest       the guest's CPUID returns the table set by the host, leaf 1
 *               OSXSAVE follows the guest's CR4.OSXSAVE, a leaf missing in
 *               the table reads as zeros
 *   after_run   after KVM_RUN, setting a different table fails with EINVAL
 *               while setting the current one again succeeds
 */
#include <sys/ioctl.h>

#include "x86.h"

#define BRAND_A	0x6d766b6f	/* "okvm" */
#define BRAND_B	0x6c65732d	/* "-sel" */
#define BRAND_C	0x73657466	/* "ftes" */
#define BRAND_D	0x00000074	/* "t" */

static int kvm_fd;

static void test_supported(void)
{
	struct kvm_cpuid2 *c = cpuid_alloc(0);
	struct kvm_cpuid_entry2 *e;
	uint32_t host[4], n;

	TEST_ASSERT_ERRNO(ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c), E2BIG);
	c->nent = 1;
	TEST_ASSERT_ERRNO(ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c), E2BIG);
	c->nent = MAX_CPUID_ENTRIES;
	TEST_ASSERT_OK(ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c));
	n = c->nent;
	TEST_ASSERT(n > 4 && n <= MAX_CPUID_ENTRIES, "nent %u", n);
	test_note("%u supported CPUID entries", n);

	/* One entry fewer than needed is still too small. */
	c->nent = n - 1;
	TEST_ASSERT_ERRNO(ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c), E2BIG);
	c->nent = MAX_CPUID_ENTRIES;
	TEST_ASSERT_OK(ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c));
	TEST_ASSERT_EQ(c->nent, n);

	e = cpuid_find(c, 0, 0);
	TEST_ASSERT(e, "no leaf 0");
	host_cpuid(0, 0, host);
	TEST_ASSERT_EQ(e->ebx, host[1]);
	TEST_ASSERT_EQ(e->ecx, host[2]);
	TEST_ASSERT_EQ(e->edx, host[3]);
	TEST_ASSERT(e->eax >= 1, "max basic leaf %u", e->eax);

	/*
	 * Leaf 1 ECX bit 31 (hypervisor) is not asserted: upstream leaves it
	 * clear in KVM_GET_SUPPORTED_CPUID (the VMM sets it).
	 */
	e = cpuid_find(c, 1, 0);
	TEST_ASSERT(e, "no leaf 1");

	e = cpuid_find(c, KVM_CPUID_SIGNATURE, 0);
	TEST_ASSERT(e, "no leaf 0x40000000");
	TEST_ASSERT_EQ(e->ebx, 0x4b4d564b);	/* "KVMK" */
	TEST_ASSERT_EQ(e->ecx, 0x564b4d56);	/* "VMKV" */
	TEST_ASSERT_EQ(e->edx, 0x0000004d);	/* "M\0\0\0" */
	TEST_ASSERT(e->eax >= KVM_CPUID_FEATURES, "eax 0x%x", e->eax);

	e = cpuid_find(c, KVM_CPUID_FEATURES, 0);
	TEST_ASSERT(e, "no leaf 0x40000001");
	TEST_ASSERT(e->eax & (1U << KVM_FEATURE_CLOCKSOURCE2),
		    "KVM features 0x%x without CLOCKSOURCE2", e->eax);
	TEST_ASSERT(e->eax & (1U << KVM_FEATURE_NOP_IO_DELAY),
		    "KVM features 0x%x without NOP_IO_DELAY", e->eax);

	TEST_ASSERT_EQ(kvm_check_cap(kvm_fd, KVM_CAP_EXT_CPUID), 1);
	free(c);
}

/* The table the tests below set: the supported one with a brand string. */
static struct kvm_cpuid2 *test_table(void)
{
	struct kvm_cpuid2 *c = kvm_get_supported_cpuid(kvm_fd);
	struct kvm_cpuid_entry2 *e = cpuid_find(c, 0x80000002, 0);

	if (!e) {
		TEST_ASSERT(c->nent < MAX_CPUID_ENTRIES, "table full");
		e = &c->entries[c->nent++];
		memset(e, 0, sizeof(*e));
		e->function = 0x80000002;
	}
	e->eax = BRAND_A;
	e->ebx = BRAND_B;
	e->ecx = BRAND_C;
	e->edx = BRAND_D;
	/* Leaf 3 is the "unset leaf" of the guest test. */
	while ((e = cpuid_find(c, 3, 0)))
		*e = c->entries[--c->nent];
	return c;
}

/*
 * KVM_GET_CPUID2 into a buffer of 256 entries.  Upstream (6.1) does not
 * write nent back on success, so accept nent unchanged as well as the real
 * count; the entries after the "n" expected ones must stay untouched.
 */
static struct kvm_cpuid2 *get_cpuid(struct kvm_vcpu *vcpu, uint32_t n)
{
	struct kvm_cpuid2 *got = cpuid_alloc(MAX_CPUID_ENTRIES);
	uint8_t *tail;
	uint32_t i;

	memset(got->entries, 0xa5,
	       MAX_CPUID_ENTRIES * sizeof(struct kvm_cpuid_entry2));
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_CPUID2, got));
	TEST_ASSERT(got->nent == n || got->nent == MAX_CPUID_ENTRIES,
		    "KVM_GET_CPUID2 nent %u, %u entries set", got->nent, n);
	tail = (uint8_t *)&got->entries[n];
	for (i = 0; i < (MAX_CPUID_ENTRIES - n) * sizeof(got->entries[0]);
	     i++)
		if (tail[i] != 0xa5)
			break;
	TEST_ASSERT(i == (MAX_CPUID_ENTRIES - n) * sizeof(got->entries[0]),
		    "KVM_GET_CPUID2 wrote past its %u entries (byte %u)", n, i);
	got->nent = n;
	return got;
}

static bool entry_same(const struct kvm_cpuid_entry2 *a,
		       const struct kvm_cpuid_entry2 *b)
{
	/* KVM keeps 0xd.EBX (XSAVE area size for XCR0) up to date itself. */
	bool xsave_size = a->function == 0xd && a->index <= 1;

	return a->function == b->function && a->index == b->index &&
	       a->flags == b->flags && a->eax == b->eax &&
	       (xsave_size || a->ebx == b->ebx) && a->ecx == b->ecx &&
	       a->edx == b->edx;
}

static void test_set_get(void)
{
	struct kvm_vm *vm = vm_create_bare();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_cpuid2 *c = test_table(), *got;
	struct kvm_cpuid2 *big;
	uint32_t i;

	/* A new vCPU has no CPUID table. */
	got = get_cpuid(vcpu, 0);
	free(got);

	vcpu_set_cpuid(vcpu, c);
	got = cpuid_alloc(c->nent - 1);
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_GET_CPUID2, got), E2BIG);
	got->nent = 0;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_GET_CPUID2, got), E2BIG);
	free(got);
	got = get_cpuid(vcpu, c->nent);
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *a = &c->entries[i];
		struct kvm_cpuid_entry2 *b = cpuid_find(got, a->function,
							a->index);

		TEST_ASSERT(b, "leaf 0x%x.%u missing", a->function, a->index);
		TEST_ASSERT(entry_same(a, b),
			    "leaf 0x%x.%u: set %08x %08x %08x %08x flags %x, got %08x %08x %08x %08x flags %x",
			    a->function, a->index, a->eax, a->ebx, a->ecx,
			    a->edx, a->flags, b->eax, b->ebx, b->ecx, b->edx,
			    b->flags);
	}

	/* More than KVM_MAX_CPUID_ENTRIES (256) entries: E2BIG. */
	big = calloc(1, sizeof(*big) + 300 * sizeof(big->entries[0]));
	TEST_ASSERT(big, "calloc");
	big->nent = MAX_CPUID_ENTRIES + 1;
	for (i = 0; i < big->nent; i++)
		big->entries[i].function = 0x80000000 + i;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_CPUID2, big), E2BIG);

	/* An empty table is accepted before the first KVM_RUN. */
	got->nent = 0;
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, got));
	free(got);
	got = get_cpuid(vcpu, 0);

	free(big);
	free(got);
	free(c);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

/*
 * CPUID with %eax/%ecx = leaf/subleaf; results land in r8..r11 for the
 * host (the ucall needs rbx/rcx), one SYNC per query.
 */
#define G_CPUID(leaf, stage)						\
	"\tmov $" STR(leaf) ", %eax\n\txor %ecx, %ecx\n\tcpuid\n"	\
	"\tmov %eax, %r8d\n\tmov %ebx, %r9d\n"				\
	"\tmov %ecx, %r10d\n\tmov %edx, %r11d\n"			\
	G_SYNC(stage)

GUEST_CODE(guest_cpuid, 64,
	G_CPUID(0, 1)
	G_CPUID(0x80000002, 2)
	G_CPUID(3, 3)
	G_CPUID(1, 4)
	/* Clear CR4.OSXSAVE and look again. */
	"\tmov %cr4, %rax\n\tbtr $18, %rax\n\tmov %rax, %cr4\n"
	G_CPUID(1, 5)
	G_CPUID(KVM_CPUID_SIGNATURE, 6)
	G_DONE);

static void expect_leaf(struct kvm_vcpu *vcpu, int stage,
			const struct kvm_cpuid_entry2 *e, uint32_t ecx_mask)
{
	struct ucall uc;

	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT(uc.cmd == UCALL_SYNC && uc.arg0 == (uint64_t)stage,
		    "ucall %llu(%llu), expected SYNC(%d)",
		    (unsigned long long)uc.cmd, (unsigned long long)uc.arg0,
		    stage);
	TEST_ASSERT_EQ(uc.regs.r8, e ? e->eax : 0);
	TEST_ASSERT_EQ(uc.regs.r10 & ecx_mask, e ? e->ecx & ecx_mask : 0);
	TEST_ASSERT_EQ(uc.regs.r11, e ? e->edx : 0);
	/* Leaf 1 EBX carries the APIC ID and CLFLUSH size: compare those. */
	if (e && e->function == 1)
		TEST_ASSERT_EQ(uc.regs.r9 & 0xff00ff00, e->ebx & 0xff00ff00);
	else
		TEST_ASSERT_EQ(uc.regs.r9, e ? e->ebx : 0);
}

static void test_guest(void)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_cpuid2 *c = test_table(), *got;
	struct kvm_cpuid_entry2 *leaf1 = cpuid_find(c, 1, 0), l1;
	bool xsave = leaf1->ecx & (1U << 26);
	struct kvm_sregs sr;
	struct ucall uc;

	vcpu_set_cpuid(vcpu, c);
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, guest_cpuid));
	if (xsave) {
		vcpu_get_sregs(vcpu, &sr);
		sr.cr4 |= X86_CR4_OSXSAVE;
		vcpu_set_sregs(vcpu, &sr);
	} else {
		test_note("no XSAVE: OSXSAVE not checked");
	}
	expect_leaf(vcpu, 1, cpuid_find(c, 0, 0), ~0U);
	expect_leaf(vcpu, 2, cpuid_find(c, 0x80000002, 0), ~0U);
	expect_leaf(vcpu, 3, NULL, ~0U);
	/* Leaf 1: everything but OSXSAVE as set, OSXSAVE == CR4.OSXSAVE. */
	expect_leaf(vcpu, 4, leaf1, ~(1U << 27));
	l1 = *leaf1;
	vcpu_get_regs(vcpu, &uc.regs);
	TEST_ASSERT_EQ((uc.regs.r10 >> 27) & 1, xsave);
	expect_leaf(vcpu, 5, &l1, ~(1U << 27));
	vcpu_get_regs(vcpu, &uc.regs);
	TEST_ASSERT_EQ((uc.regs.r10 >> 27) & 1, 0);
	expect_leaf(vcpu, 6, cpuid_find(c, KVM_CPUID_SIGNATURE, 0), ~0U);
	vcpu_expect_done(vcpu);

	/* KVM_GET_CPUID2 reports OSXSAVE as the guest's CR4 has it: 0. */
	got = get_cpuid(vcpu, c->nent);
	TEST_ASSERT_EQ(cpuid_find(got, 1, 0)->ecx & (1U << 27), 0);

	free(got);
	free(c);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

GUEST_CODE(guest_sync, 64, G_SYNC(1) G_DONE);

static void test_after_run(void)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_cpuid2 *c = test_table(), *cur;
	struct kvm_cpuid_entry2 *e;

	vcpu_set_cpuid(vcpu, c);
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, guest_sync));
	vcpu_expect_sync(vcpu, 1);

	/* The current table, as KVM reports it, can be set again. */
	cur = get_cpuid(vcpu, c->nent);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, cur));

	/* A different one cannot. */
	e = cpuid_find(cur, 0x80000002, 0);
	e->eax ^= 0x01010101;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_CPUID2, cur), EINVAL);
	e->eax ^= 0x01010101;
	cur->nent--;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_CPUID2, cur), EINVAL);

	/* And the guest still sees the old table. */
	free(cur);
	cur = get_cpuid(vcpu, c->nent);
	e = cpuid_find(cur, 0x80000002, 0);
	TEST_ASSERT(e, "brand leaf gone");
	TEST_ASSERT_EQ(e->eax, BRAND_A);
	vcpu_expect_done(vcpu);

	free(cur);
	free(c);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

int main(void)
{
	test_init("cpuid");
	kvm_fd = kvm_open();
	RUN_SUBTEST("supported", test_supported());
	RUN_SUBTEST("set_get", test_set_get());
	RUN_SUBTEST("guest", test_guest());
	RUN_SUBTEST("after_run", test_after_run());
	test_done();
}
