// SPDX-License-Identifier: GPL-2.0
/*
 * coalesced: coalesced MMIO and port I/O (KVM_CAP_COALESCED_MMIO/PIO,
 * KVM_REGISTER/UNREGISTER_COALESCED_MMIO), driven by 64-bit guest code.
 *
 *   caps        the MMIO capability is the ring's page offset in the vCPU
 *               mapping (2), the PIO one 1; the mapping covers the ring
 *   errors      a zone with pio > 1 is EINVAL, for both ioctls
 *   queued      writes of 1/2/4/8 bytes into an MMIO zone and an OUT to a
 *               port in a PIO zone do not exit; they are in the ring, in
 *               order, with address, length, data and the pio flag
 *   not_queued  a write outside the zones and a read inside one exit as
 *               KVM_EXIT_MMIO
 *   ring_full   KVM_COALESCED_MMIO_MAX writes: when the ring is full a
 *               write exits as KVM_EXIT_MMIO (how many entries make it
 *               full is not asserted: upstream's free-space arithmetic
 *               wraps and calls it full at 85 when first is 0, okvm at
 *               169); after the VMM drained it, writes are queued again;
 *               every write is seen once, in order
 *   rep_string  REP STOSL of 36 dwords, the first 32 into a second
 *               zone: the first exit is KVM_EXIT_MMIO for the 33rd, with
 *               the 32 queued in order, and fewer than 16 guest exits
 *               ("exits") before it (the kernel runs on through the
 *               iterations in-kernel devices take); the other 3 exit one
 *               by one, then the guest goes on
 *   unregister  once the zone is gone its writes exit again
 *   bus_full    each zone is a device on the VM's MMIO bus: 1000 of them
 *               fit (upstream's bus size), the next is ENOSPC, and one
 *               unregistered makes room again; VM teardown frees them all
 */
#include <sys/ioctl.h>

#include "binstats.h"
#include "kvm_util.h"

#define ZONE		LONG_MMIO_GPA
#define PORT		0x70
/* KVM_COALESCED_MMIO_MAX as a literal, for the guest's assembler. */
#define NR_FILL		170
/* The REP STOSL zone: REP_N dwords at ZONE + REP_OFF. */
#define REP_OFF		0x100
#define REP_N		32
#define REP_PAST	4
_Static_assert(NR_FILL == KVM_COALESCED_MMIO_MAX, "ring size");

GUEST_CODE(lm_coal, 64,
	"\tmov $" STR(ZONE) ", %edi\n"
	/* stage 1: queued */
	"\tmovb $0x11, (%rdi)\n"
	"\tmovw $0x2233, 8(%rdi)\n"
	"\tmovl $0x44556677, 16(%rdi)\n"
	"\tmovabs $0x8899aabbccddeeff, %rax\n"
	"\tmov %rax, 24(%rdi)\n"
	"\tmov $0x5a, %al\n"
	"\tout %al, $" STR(PORT) "\n"
	G_SYNC(1)
	/* stage 2: not queued */
	"\tmovl $0x12345678, 0x40(%rdi)\n"
	"\tmov 4(%rdi), %eax\n"
	G_SYNC(2)
	/* stage 3: NR_FILL writes of their own index */
	"\txor %r8d, %r8d\n"
	"1:\tmovl %r8d, (%rdi)\n"
	"\tinc %r8d\n"
	"\tcmp $" STR(NR_FILL) ", %r8d\n"
	"\tjne 1b\n"
	G_SYNC(3)
	/* stage 4: REP STOSL over the second zone and REP_PAST dwords on */
	"\tmov %rdi, %r9\n"
	"\tadd $" STR(REP_OFF) ", %rdi\n"
	"\tmov $" STR(REP_N + REP_PAST) ", %ecx\n"
	"\tmov $0xa5a5a5a5, %eax\n"
	"\tcld\n"
	"\trep stosl\n"
	"\tmov %r9, %rdi\n"
	G_SYNC(4)
	/* stage 5: after unregistering */
	"\tmovl $0xabcdef01, (%rdi)\n"
	G_DONE);

static struct kvm_coalesced_mmio_ring *ring_of(struct kvm_vcpu *vcpu)
{
	return (void *)((char *)vcpu->run +
			KVM_COALESCED_MMIO_PAGE_OFFSET * PAGE_SIZE);
}

static int zone_ioctl(struct kvm_vm *vm, unsigned long op, uint64_t addr,
		      uint32_t size, uint32_t pio)
{
	struct kvm_coalesced_mmio_zone z = { .addr = addr, .size = size,
					     .pio = pio };

	return ioctl(vm->fd, op, &z);
}

static unsigned int ring_count(struct kvm_coalesced_mmio_ring *r)
{
	return (r->last + KVM_COALESCED_MMIO_MAX - r->first) %
	       KVM_COALESCED_MMIO_MAX;
}

static void expect_entry(struct kvm_coalesced_mmio_ring *r, unsigned int i,
			 uint64_t addr, uint32_t len, uint64_t data,
			 uint32_t pio)
{
	struct kvm_coalesced_mmio *e =
		&r->coalesced_mmio[(r->first + i) % KVM_COALESCED_MMIO_MAX];
	uint64_t got = 0;

	memcpy(&got, e->data, len);
	TEST_ASSERT(e->phys_addr == addr && e->len == len && got == data &&
		    e->pio == pio,
		    "entry %u: addr 0x%llx len %u data 0x%llx pio %u", i,
		    (unsigned long long)e->phys_addr, e->len,
		    (unsigned long long)got, e->pio);
}

static void drain(struct kvm_coalesced_mmio_ring *r)
{
	r->first = r->last;
}

static void expect_mmio(struct kvm_vcpu *vcpu, uint64_t addr, bool write,
			uint32_t data)
{
	struct kvm_run *run = vcpu->run;
	uint32_t got = 0;

	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_MMIO);
	TEST_ASSERT(run->mmio.phys_addr == addr && run->mmio.is_write == write &&
		    run->mmio.len == 4,
		    "mmio addr 0x%llx write %u len %u",
		    (unsigned long long)run->mmio.phys_addr, run->mmio.is_write,
		    run->mmio.len);
	memcpy(&got, run->mmio.data, 4);
	if (write)
		TEST_ASSERT_EQ(got, data);
	else
		memcpy(run->mmio.data, &data, 4);
}

static void test_caps(struct kvm_vm *vm)
{
	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd, KVM_CAP_COALESCED_MMIO),
		       KVM_COALESCED_MMIO_PAGE_OFFSET);
	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd, KVM_CAP_COALESCED_PIO), 1);
	TEST_ASSERT(vm->run_size >=
		    (KVM_COALESCED_MMIO_PAGE_OFFSET + 1) * (long)PAGE_SIZE,
		    "vCPU mmap size %ld", vm->run_size);
}

static void test_errors(struct kvm_vm *vm)
{
	TEST_ASSERT(zone_ioctl(vm, KVM_REGISTER_COALESCED_MMIO, ZONE, 8, 2) ==
		    -1 && errno == EINVAL, "register pio=2");
	TEST_ASSERT(zone_ioctl(vm, KVM_UNREGISTER_COALESCED_MMIO, ZONE, 8, 2) ==
		    -1 && errno == EINVAL, "unregister pio=2");
}

static void test_queued(struct kvm_vcpu *vcpu)
{
	struct kvm_coalesced_mmio_ring *r = ring_of(vcpu);

	drain(r);
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(ring_count(r), 5);
	expect_entry(r, 0, ZONE, 1, 0x11, 0);
	expect_entry(r, 1, ZONE + 8, 2, 0x2233, 0);
	expect_entry(r, 2, ZONE + 16, 4, 0x44556677, 0);
	expect_entry(r, 3, ZONE + 24, 8, 0x8899aabbccddeeffULL, 0);
	expect_entry(r, 4, PORT, 1, 0x5a, 1);
	drain(r);
}

static void test_not_queued(struct kvm_vcpu *vcpu)
{
	expect_mmio(vcpu, ZONE + 0x40, true, 0x12345678);
	expect_mmio(vcpu, ZONE + 4, false, 0xcafe);
	vcpu_expect_sync(vcpu, 2);
	TEST_ASSERT_EQ(ring_count(ring_of(vcpu)), 0);
}

/* The queued writes must be next, next + 1, ...; returns the new next. */
static unsigned int take_entries(struct kvm_coalesced_mmio_ring *r,
				 unsigned int next)
{
	unsigned int i, n = ring_count(r);

	for (i = 0; i < n; i++)
		expect_entry(r, i, ZONE, 4, next + i, 0);
	drain(r);
	return next + n;
}

static void test_ring_full(struct kvm_vcpu *vcpu)
{
	struct kvm_coalesced_mmio_ring *r = ring_of(vcpu);
	unsigned int next = 0, exits = 0;
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		if (vcpu->run->exit_reason != KVM_EXIT_MMIO)
			break;
		TEST_ASSERT(ring_count(r) > 0, "exit with an empty ring");
		next = take_entries(r, next);
		TEST_ASSERT(vcpu->run->mmio.is_write &&
			    vcpu->run->mmio.phys_addr == ZONE &&
			    !memcmp(vcpu->run->mmio.data, &next, 4),
			    "exit for write %u", next);
		next++;
		exits++;
	}
	TEST_ASSERT(vcpu_get_ucall(vcpu, &uc) && uc.cmd == UCALL_SYNC &&
		    uc.arg0 == 3, "expected SYNC(3)");
	next = take_entries(r, next);
	TEST_ASSERT_EQ(next, NR_FILL);
	TEST_ASSERT(exits > 0, "the ring never filled");
}

/*
 * The zone's REP_N iterations are queued without a userspace exit, and
 * without one guest exit each: the kernel runs a REP string instruction
 * on while in-kernel devices take its writes (KVM does up to 1024).  The
 * first write past the zone exits with the ring holding exactly the
 * zone's writes; each later one exits on its own.
 */
static void test_rep_string(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kvm_coalesced_mmio_ring *r = ring_of(vcpu);
	uint64_t zone = ZONE + REP_OFF, exits;
	struct stats s;
	unsigned int i;

	TEST_ASSERT_OK(zone_ioctl(vm, KVM_REGISTER_COALESCED_MMIO, zone,
				  REP_N * 4, 0));
	stats_open(&s, ioctl(vcpu->fd, KVM_GET_STATS_FD, 0));
	exits = stat_read(&s, "exits");
	expect_mmio(vcpu, zone + REP_N * 4, true, 0xa5a5a5a5);
	exits = stat_read(&s, "exits") - exits;
	TEST_ASSERT(exits < REP_N / 2, "%llu exits for %u iterations",
		    (unsigned long long)exits, REP_N);
	TEST_ASSERT_EQ(ring_count(r), REP_N);
	for (i = 0; i < REP_N; i++)
		expect_entry(r, i, zone + i * 4, 4, 0xa5a5a5a5, 0);
	drain(r);
	for (i = 1; i < REP_PAST; i++)
		expect_mmio(vcpu, zone + (REP_N + i) * 4, true, 0xa5a5a5a5);
	vcpu_expect_sync(vcpu, 4);
	TEST_ASSERT_EQ(ring_count(r), 0);
	stats_close(&s);
	TEST_ASSERT_OK(zone_ioctl(vm, KVM_UNREGISTER_COALESCED_MMIO, zone,
				  REP_N * 4, 0));
}

static void test_unregister(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	/* A range inside the zone removes the zone that covers it. */
	TEST_ASSERT_OK(zone_ioctl(vm, KVM_UNREGISTER_COALESCED_MMIO, ZONE, 4,
				  0));
	expect_mmio(vcpu, ZONE, true, 0xabcdef01);
	vcpu_expect_done(vcpu);
	TEST_ASSERT_EQ(ring_count(ring_of(vcpu)), 0);
}

#define BUS_DEVS	1000

static void test_bus_full(void)
{
	struct kvm_vm *vm = vm_create();
	uint64_t base = 0x10000000;
	int i;

	for (i = 0; i < BUS_DEVS; i++)
		TEST_ASSERT(!zone_ioctl(vm, KVM_REGISTER_COALESCED_MMIO,
					base + i * 8, 8, 0),
			    "zone %d: errno %d", i, errno);
	TEST_ASSERT(zone_ioctl(vm, KVM_REGISTER_COALESCED_MMIO,
			       base + BUS_DEVS * 8, 8, 0) == -1 &&
		    errno == ENOSPC, "zone %d past the bus size", BUS_DEVS);
	TEST_ASSERT_OK(zone_ioctl(vm, KVM_UNREGISTER_COALESCED_MMIO, base + 8,
				  8, 0));
	TEST_ASSERT_OK(zone_ioctl(vm, KVM_REGISTER_COALESCED_MMIO,
				  base + BUS_DEVS * 8, 8, 0));
	vm_destroy(vm);
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	test_init("coalesced");
	vm = vm_create();
	if (!kvm_check_cap(vm->kvm_fd, KVM_CAP_COALESCED_MMIO))
		test_skip("no KVM_CAP_COALESCED_MMIO");
	vcpu = vcpu_add(vm, 0);
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, lm_coal));
	RUN_SUBTEST("caps", test_caps(vm));
	RUN_SUBTEST("errors", test_errors(vm));
	TEST_ASSERT_OK(zone_ioctl(vm, KVM_REGISTER_COALESCED_MMIO, ZONE, 0x20,
				  0));
	TEST_ASSERT_OK(zone_ioctl(vm, KVM_REGISTER_COALESCED_MMIO, PORT, 1,
				  1));
	RUN_SUBTEST("queued", test_queued(vcpu));
	RUN_SUBTEST("not_queued", test_not_queued(vcpu));
	RUN_SUBTEST("ring_full", test_ring_full(vcpu));
	RUN_SUBTEST("rep_string", test_rep_string(vm, vcpu));
	RUN_SUBTEST("unregister", test_unregister(vm, vcpu));
	RUN_SUBTEST("bus_full", test_bus_full());
	vcpu_free(vcpu);
	vm_destroy(vm);
	test_done();
}
