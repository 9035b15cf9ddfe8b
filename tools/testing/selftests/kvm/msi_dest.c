// SPDX-License-Identifier: GPL-2.0
/*
 * msi_dest: MSIs reach the vCPU(s) their destination names, and no other.
 *
 * Every VM has the in-kernel irqchip and four vCPUs in 64-bit mode, each on
 * its own stack.  A vCPU enables its LAPIC, reports its APIC ID, then loops
 * "sti; nop; nop; cli; sync": the handler of vector 0x60 counts into the
 * vCPU's own qword at DATA_GPA + 8 * index and EOIs.  After each MSI the
 * host runs every vCPU through its window until the expected number of
 * interrupts has arrived (an irqfd may inject from a workqueue), then once
 * more, and compares the per-vCPU counts.  Each MSI goes out once with
 * KVM_SIGNAL_MSI (whose return value is the number of LAPICs that took it)
 * and, where marked, once through an irqfd on its own MSI route.
 *
 *   xapic     vCPU ids 0-3, xAPIC IDs 0-3, flat logical LDR 1 << index:
 *             physical to each ID, to the unused ID 7 (nobody, 0), to
 *             0xff (all, 4); logical to single bits, to 0x5 (2 vCPUs), to
 *             0xf (all); lowest priority to logical 0x6 (exactly one of
 *             the two); without KVM_CAP_X2APIC_API address_hi is ignored
 *             (0xffffffff and 0x1 there change nothing, also in a route)
 *   x2apic    KVM_ENABLE_CAP(KVM_CAP_X2APIC_API, USE_32BIT_IDS |
 *             DISABLE_BROADCAST_QUIRK) before the vCPUs; vCPU ids 0, 1,
 *             256 and 300 switch to x2APIC mode (MSR 0x1b bits 10 and 11)
 *             and read their x2APIC IDs (MSR 0x802) == vCPU id; the MSI
 *             destination is address_hi[31:8] << 8 | address_lo[19:12]:
 *             physical to each ID (256 is not 0, 300 is not 0x2c), to
 *             0x1012c (nobody), to 0xffffffff (all); with the quirk
 *             disabled 0xff is nobody; logical (cluster << 16 | bit) to
 *             0x3 (ids 0 and 1), 0x100001 (256), 0x121000 (300); the
 *             extended destination ID bits (address_lo 11:5) are not
 *             decoded by KVM: 1 there with destination 0 is still vCPU 0
 *   errors    with 32-bit IDs, an MSI with address_hi[7:0] != 0 is EINVAL
 *             for KVM_SIGNAL_MSI (nothing delivered) and for a
 *             KVM_SET_GSI_ROUTING MSI entry (the whole table refused, the
 *             old routes stay in use); address_hi[31:8] alone is fine
 *   late_api  the xapic VM enables USE_32BIT_IDS while running, with an
 *             MSI route whose address_hi is 0x1 set before: that route
 *             now delivers nothing (KVM_IRQ_LINE_STATUS -1, its irqfd
 *             neither), a route with address_hi 0 still does (status 1);
 *             KVM_SIGNAL_MSI with address_hi 0x1 is EINVAL from now on,
 *             also after a second KVM_ENABLE_CAP with args[0] = 0 (the
 *             flags cannot be cleared)
 *
 * KVM_GET_SUPPORTED_CPUID does not offer KVM_FEATURE_MSI_EXT_DEST_ID
 * (leaf 0x40000001 EAX bit 15): a VMM that gives it to its guests
 * translates extended destination IDs into address_hi itself.
 */
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "x86.h"

#define NR_VCPUS		4
#define VEC			0x60
#define COUNT_GPA		DATA_GPA
#define STACK_SIZE		0x1000
#define FIRST_GSI		40
#define LATE_GSI		60
#define KVM_FEATURE_MSI_EXT_DEST_ID 15

#define MSI_ADDR(d)		(APIC_GPA | ((uint32_t)(d) & 0xff) << 12)
#define MSI_LOGICAL		(1u << 2)
#define LOGICAL(d)		(MSI_ADDR(d) | MSI_LOGICAL)
#define DM_LOWEST		(1u << 8)

/* %r14 = the LDR to use; report the xAPIC ID; then the window loop. */
GUEST_CODE(guest_xapic, 64,
	G_APIC_ON
	"\tmovl $0xffffffff, 0xe0(%rdi)\n"	/* DFR: flat model */
	"\tmov %r14d, 0xd0(%rdi)\n"		/* LDR */
	"\tmov 0x20(%rdi), %ebx\n"
	"\tshr $24, %ebx\n"
	G_UCALL(UCALL_SYNC)
	"1:\tsti\n\tnop\n\tnop\n\tcli\n"
	G_SYNC(1)
	"\tjmp 1b\n");

/* %r15 = this vCPU's counter; %rdi = the xAPIC page. */
GUEST_CODE(guest_xapic_handler, 64,
	"\tlock incq (%r15)\n"
	"\tmovl $0, 0xb0(%rdi)\n"
	"\tiretq\n");

GUEST_CODE(guest_x2apic, 64,
	"\tmov $0x1b, %ecx\n\trdmsr\n"
	"\tor $0xc00, %eax\n\twrmsr\n"		/* EN | EXTD */
	"\tmov $0x80f, %ecx\n\tmov $0x1ff, %eax\n\txor %edx, %edx\n\twrmsr\n"
	"\tmov $0x808, %ecx\n\txor %eax, %eax\n\twrmsr\n"
	"\tmov $0x802, %ecx\n\trdmsr\n"
	"\tmov %eax, %ebx\n"
	G_UCALL(UCALL_SYNC)
	"1:\tsti\n\tnop\n\tnop\n\tcli\n"
	G_SYNC(1)
	"\tjmp 1b\n");

GUEST_CODE(guest_x2apic_handler, 64,
	"\tlock incq (%r15)\n"
	"\tpush %rax\n\tpush %rcx\n\tpush %rdx\n"
	"\tmov $0x80b, %ecx\n\txor %eax, %eax\n\txor %edx, %edx\n\twrmsr\n"
	"\tpop %rdx\n\tpop %rcx\n\tpop %rax\n"
	"\tiretq\n");

struct msi_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu[NR_VCPUS];
	uint64_t *count;		/* the guest's counters */
	uint64_t seen[NR_VCPUS];	/* counts already accounted for */
	int efd[16];
	int nr_efd;
};

struct msi_case {
	const char *name;
	uint32_t lo, hi, data;
	uint32_t hit;		/* bit i: vCPU index i takes it */
	bool one_of;		/* lowest priority: one vCPU of "hit" */
	bool irqfd;		/* also through an irqfd */
};

static void enable_x2apic_api(struct kvm_vm *vm, uint64_t flags)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_X2APIC_API,
				      .args = { flags } };

	TEST_ASSERT_OK(ioctl(vm->fd, KVM_ENABLE_CAP, &cap));
}

static void add_vcpus(struct msi_vm *t, const uint32_t *ids, bool x2)
{
	uint64_t entry = x2 ? LOAD_GUEST(t->vm, guest_x2apic) :
			      LOAD_GUEST(t->vm, guest_xapic);
	struct kvm_mp_state mp = { KVM_MP_STATE_RUNNABLE };
	struct kvm_regs regs;
	struct ucall uc;
	int i;

	for (i = 0; i < NR_VCPUS; i++) {
		t->vcpu[i] = vcpu_add_long(t->vm, ids[i], entry);
		TEST_ASSERT_OK(ioctl(t->vcpu[i]->fd, KVM_SET_MP_STATE, &mp));
		vcpu_get_regs(t->vcpu[i], &regs);
		regs.rsp = LONG_STACK_TOP - i * STACK_SIZE;
		regs.r15 = COUNT_GPA + 8 * i;
		regs.r14 = 1u << (24 + i);
		vcpu_set_regs(t->vcpu[i], &regs);
	}
	for (i = 0; i < NR_VCPUS; i++) {
		vcpu_ucall(t->vcpu[i], &uc);
		TEST_ASSERT_EQ(uc.cmd, UCALL_SYNC);
		TEST_ASSERT_EQ(uc.arg0, ids[i]);
	}
}

static void msi_vm_create(struct msi_vm *t, const uint32_t *ids, bool x2)
{
	uint64_t handler;

	memset(t, 0, sizeof(*t));
	t->vm = vm_create();
	TEST_ASSERT_OK(ioctl(t->vm->fd, KVM_CREATE_IRQCHIP, 0));
	if (x2)
		enable_x2apic_api(t->vm, KVM_X2APIC_API_USE_32BIT_IDS |
				  KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK);
	vm_setup_idt(t->vm);
	handler = x2 ? LOAD_GUEST(t->vm, guest_x2apic_handler) :
		       LOAD_GUEST(t->vm, guest_xapic_handler);
	vm_set_idt_gate(t->vm, VEC, handler);
	t->count = gpa2hva(t->vm, COUNT_GPA);
	add_vcpus(t, ids, x2);
}

static void msi_vm_destroy(struct msi_vm *t)
{
	int i;

	for (i = 0; i < NR_VCPUS; i++)
		vcpu_free(t->vcpu[i]);
	vm_destroy(t->vm);
	for (i = 0; i < t->nr_efd; i++)
		close(t->efd[i]);
}

/*
 * Let every vCPU open its interrupt window until @total interrupts more
 * than last time have arrived (or 5 s passed), then once more so that
 * strays show; @got receives each vCPU's new interrupts.
 */
static void settle(struct msi_vm *t, uint64_t total, uint64_t *got)
{
	double t0 = test_now();
	uint64_t sum;
	int i;

	do {
		sum = 0;
		for (i = 0; i < NR_VCPUS; i++) {
			vcpu_expect_sync(t->vcpu[i], 1);
			sum += t->count[i] - t->seen[i];
		}
	} while (sum < total && test_now() - t0 < 5);
	for (i = 0; i < NR_VCPUS; i++) {
		vcpu_expect_sync(t->vcpu[i], 1);
		got[i] = t->count[i] - t->seen[i];
		t->seen[i] = t->count[i];
	}
}

static uint32_t case_total(const struct msi_case *c)
{
	return c->one_of ? 1 : __builtin_popcount(c->hit);
}

static void check_counts(struct msi_vm *t, const struct msi_case *c,
			 const char *how)
{
	uint64_t got[NR_VCPUS], sum = 0;
	int i;

	settle(t, case_total(c), got);
	for (i = 0; i < NR_VCPUS; i++) {
		sum += got[i];
		if (c->one_of)
			TEST_ASSERT(got[i] <= ((c->hit >> i) & 1),
				    "%s (%s): vCPU %u took %llu", c->name, how,
				    t->vcpu[i]->id, (unsigned long long)got[i]);
		else
			TEST_ASSERT(got[i] == ((c->hit >> i) & 1),
				    "%s (%s): vCPU %u took %llu", c->name, how,
				    t->vcpu[i]->id, (unsigned long long)got[i]);
	}
	TEST_ASSERT(sum == case_total(c), "%s (%s): %llu interrupts", c->name,
		    how, (unsigned long long)sum);
}

static int signal_msi(struct msi_vm *t, uint32_t lo, uint32_t hi,
		      uint32_t data)
{
	struct kvm_msi msi = { .address_lo = lo, .address_hi = hi,
			       .data = data };

	return ioctl(t->vm->fd, KVM_SIGNAL_MSI, &msi);
}

static struct kvm_irq_routing_entry msi_route(uint32_t gsi, uint32_t lo,
					      uint32_t hi, uint32_t data)
{
	return (struct kvm_irq_routing_entry){ .gsi = gsi,
		.type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = lo, .address_hi = hi, .data = data } };
}

/* An eventfd as irqfd of @gsi; its index in t->efd. */
static int add_irqfd(struct msi_vm *t, uint32_t gsi)
{
	struct kvm_irqfd a = { .gsi = gsi };

	TEST_ASSERT(t->nr_efd < (int)ARRAY_SIZE(t->efd), "too many irqfds");
	a.fd = TEST_ASSERT_OK(eventfd(0, EFD_NONBLOCK));
	TEST_ASSERT_OK(ioctl(t->vm->fd, KVM_IRQFD, &a));
	t->efd[t->nr_efd] = a.fd;
	return t->nr_efd++;
}

/* Routes GSI FIRST_GSI + n for the cases with an irqfd, irqfds on them. */
static void route_cases(struct msi_vm *t, const struct msi_case *c, int nr)
{
	struct kvm_irq_routing_entry e[16];
	int i, n = 0;

	for (i = 0; i < nr; i++) {
		if (!c[i].irqfd)
			continue;
		TEST_ASSERT(n < (int)ARRAY_SIZE(e), "too many routes");
		e[n] = msi_route(FIRST_GSI + n, c[i].lo, c[i].hi, c[i].data);
		n++;
	}
	TEST_ASSERT_OK(vm_set_gsi_routes(t->vm, e, n));
	for (i = 0; i < n; i++)
		add_irqfd(t, FIRST_GSI + i);
}

static void run_cases(struct msi_vm *t, const struct msi_case *c, int nr)
{
	int i, n = 0;

	route_cases(t, c, nr);
	for (i = 0; i < nr; i++) {
		TEST_ASSERT_EQ(signal_msi(t, c[i].lo, c[i].hi, c[i].data),
			       case_total(&c[i]));
		check_counts(t, &c[i], "KVM_SIGNAL_MSI");
		if (!c[i].irqfd)
			continue;
		efd_signal(t->efd[n++]);
		check_counts(t, &c[i], "irqfd");
	}
}

static const struct msi_case xapic_cases[] = {
	{ "phys 0", MSI_ADDR(0), 0, VEC, 0x1, false, true },
	{ "phys 1", MSI_ADDR(1), 0, VEC, 0x2, false, true },
	{ "phys 2", MSI_ADDR(2), 0, VEC, 0x4, false, true },
	{ "phys 3", MSI_ADDR(3), 0, VEC, 0x8, false, true },
	{ "phys 7", MSI_ADDR(7), 0, VEC, 0, false, false },
	{ "phys 0xff", MSI_ADDR(0xff), 0, VEC, 0xf, false, true },
	{ "logical 0x1", LOGICAL(0x1), 0, VEC, 0x1, false, true },
	{ "logical 0x8", LOGICAL(0x8), 0, VEC, 0x8, false, true },
	{ "logical 0x5", LOGICAL(0x5), 0, VEC, 0x5, false, true },
	{ "logical 0xf", LOGICAL(0xf), 0, VEC, 0xf, false, true },
	{ "lowest 0x6", LOGICAL(0x6), 0, VEC | DM_LOWEST, 0x6,
	  true, true },
	/* address_hi means nothing without the x2APIC API. */
	{ "phys 1, hi ~0", MSI_ADDR(1), 0xffffffff, VEC, 0x2, false, false },
	{ "phys 2, hi 1", MSI_ADDR(2), 0x1, VEC, 0x4, false, true },
};

static void test_xapic(struct msi_vm *t)
{
	static const uint32_t ids[NR_VCPUS] = { 0, 1, 2, 3 };

	msi_vm_create(t, ids, false);
	run_cases(t, xapic_cases, ARRAY_SIZE(xapic_cases));
}

static const uint32_t x2_ids[NR_VCPUS] = { 0, 1, 256, 300 };

/* address_lo, address_hi of a physical / logical 32-bit destination. */
#define X2(d)		MSI_ADDR(d), (d) & 0xffffff00u
#define X2_LOGICAL(d)	LOGICAL(d), (d) & 0xffffff00u

static const struct msi_case x2apic_cases[] = {
	{ "phys 0", X2(0), VEC, 0x1, false, true },
	{ "phys 1", X2(1), VEC, 0x2, false, true },
	{ "phys 256", X2(256), VEC, 0x4, false, true },
	{ "phys 300", X2(300), VEC, 0x8, false, true },
	{ "phys 0x2c", X2(0x2c), VEC, 0, false, false },
	{ "phys 0x1012c", X2(0x1012c), VEC, 0, false, false },
	{ "phys 0xffffffff", X2(0xffffffff), VEC, 0xf, false, true },
	{ "phys 0xff, no quirk", X2(0xff), VEC, 0, false, false },
	{ "logical 0x3", X2_LOGICAL(0x3), VEC, 0x3, false, true },
	{ "logical 0x100001", X2_LOGICAL(0x100001), VEC, 0x4, false, true },
	{ "logical 0x121000", X2_LOGICAL(0x121000), VEC, 0x8, false, true },
	/* Bits 11:5 (an extended destination ID of 1) are not decoded. */
	{ "ext dest 1", MSI_ADDR(0) | 1u << 5, 0, VEC, 0x1, false, true },
};

static void test_x2apic(struct msi_vm *t)
{
	struct kvm_cpuid2 *c;

	msi_vm_create(t, x2_ids, true);
	run_cases(t, x2apic_cases, ARRAY_SIZE(x2apic_cases));
	c = kvm_get_supported_cpuid(t->vm->kvm_fd);
	TEST_ASSERT(cpuid_find(c, KVM_CPUID_FEATURES, 0), "no 0x40000001");
	TEST_ASSERT_EQ(cpuid_find(c, KVM_CPUID_FEATURES, 0)->eax &
		       (1u << KVM_FEATURE_MSI_EXT_DEST_ID), 0);
	free(c);
}

static void expect_nothing(struct msi_vm *t)
{
	static const struct msi_case none = { .name = "nothing" };

	check_counts(t, &none, "refused");
}

/* On the x2apic VM: its irqfds still use the routes run_cases() set. */
static void test_errors(struct msi_vm *t)
{
	struct kvm_irq_routing_entry e[2] = {
		msi_route(FIRST_GSI, X2(1), VEC),
		msi_route(FIRST_GSI + 1, MSI_ADDR(0), 0x1, VEC),
	};
	static const struct msi_case phys0 = { "phys 0 (old route)",
		X2(0), VEC, 0x1, false, true };
	static const struct msi_case phys256 = { "phys 256", X2(256),
		VEC, 0x4, false, true };
	static const struct msi_case phys1 = { "phys 1", X2(1), VEC,
		0x2, false, true };

	TEST_ASSERT_ERRNO(signal_msi(t, MSI_ADDR(0), 0x1, VEC), EINVAL);
	TEST_ASSERT_ERRNO(signal_msi(t, MSI_ADDR(0), 0x180, VEC), EINVAL);
	TEST_ASSERT_ERRNO(signal_msi(t, MSI_ADDR(0), 0x1ff, VEC), EINVAL);
	expect_nothing(t);
	TEST_ASSERT_ERRNO(vm_set_gsi_routes(t->vm, &e[1], 1), EINVAL);
	TEST_ASSERT_ERRNO(vm_set_gsi_routes(t->vm, e, 2), EINVAL);
	/* The refused tables left GSI FIRST_GSI at "phys 0". */
	efd_signal(t->efd[0]);
	check_counts(t, &phys0, "irqfd");
	e[1].u.msi.address_hi = 0x100;
	TEST_ASSERT_OK(vm_set_gsi_routes(t->vm, e, 2));
	TEST_ASSERT_EQ(signal_msi(t, phys256.lo, phys256.hi, VEC), 1);
	check_counts(t, &phys256, "KVM_SIGNAL_MSI");
	efd_signal(t->efd[1]);
	check_counts(t, &phys256, "irqfd, hi 0x100");
	efd_signal(t->efd[0]);
	check_counts(t, &phys1, "irqfd, new table");
}

static int irq_line_status(struct msi_vm *t, uint32_t gsi, int level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };

	TEST_ASSERT_OK(ioctl(t->vm->fd, KVM_IRQ_LINE_STATUS, &l));
	return l.status;
}

/* On the xapic VM: the x2APIC API switched on with routes in place. */
static void test_late_api(struct msi_vm *t)
{
	struct kvm_irq_routing_entry e[2] = {
		msi_route(LATE_GSI, MSI_ADDR(1), 0x1, VEC),
		msi_route(LATE_GSI + 1, MSI_ADDR(1), 0, VEC),
	};
	static const struct msi_case phys1 = { "phys 1", MSI_ADDR(1), 0,
		VEC, 0x2, false, true };
	int stale, fresh;

	TEST_ASSERT_OK(vm_set_gsi_routes(t->vm, e, 2));
	stale = add_irqfd(t, LATE_GSI);
	fresh = add_irqfd(t, LATE_GSI + 1);
	/* Before: address_hi is ignored, the route works. */
	TEST_ASSERT_EQ(irq_line_status(t, LATE_GSI, 1), 1);
	check_counts(t, &phys1, "KVM_IRQ_LINE_STATUS, hi 1");

	enable_x2apic_api(t->vm, KVM_X2APIC_API_USE_32BIT_IDS);
	TEST_ASSERT_EQ(irq_line_status(t, LATE_GSI, 1), -1);
	expect_nothing(t);
	efd_signal(t->efd[stale]);
	expect_nothing(t);
	TEST_ASSERT_EQ(irq_line_status(t, LATE_GSI + 1, 1), 1);
	check_counts(t, &phys1, "KVM_IRQ_LINE_STATUS");
	efd_signal(t->efd[fresh]);
	check_counts(t, &phys1, "irqfd");
	TEST_ASSERT_ERRNO(signal_msi(t, MSI_ADDR(1), 0x1, VEC), EINVAL);
	TEST_ASSERT_ERRNO(vm_set_gsi_routes(t->vm, e, 2), EINVAL);
	/* Enabling again without the flag does not turn it off. */
	enable_x2apic_api(t->vm, 0);
	TEST_ASSERT_ERRNO(signal_msi(t, MSI_ADDR(1), 0x1, VEC), EINVAL);
	TEST_ASSERT_EQ(signal_msi(t, MSI_ADDR(1), 0, VEC), 1);
	check_counts(t, &phys1, "KVM_SIGNAL_MSI");
}

int main(void)
{
	struct msi_vm xa, x2;
	int kvm_fd;

	test_init("msi_dest");
	kvm_fd = kvm_open();
	if (!kvm_check_cap(kvm_fd, KVM_CAP_IRQ_ROUTING) ||
	    !kvm_check_cap(kvm_fd, KVM_CAP_SIGNAL_MSI) ||
	    !kvm_check_cap(kvm_fd, KVM_CAP_IRQFD))
		test_skip("no IRQ routing, KVM_SIGNAL_MSI or irqfd");
	RUN_SUBTEST("xapic", test_xapic(&xa));
	if (kvm_check_cap(kvm_fd, KVM_CAP_MAX_VCPU_ID) <= 300 ||
	    !(kvm_check_cap(kvm_fd, KVM_CAP_X2APIC_API) &
	      KVM_X2APIC_API_USE_32BIT_IDS)) {
		test_note("x2apic, errors skipped: no x2APIC API/id 300");
	} else {
		RUN_SUBTEST("x2apic", test_x2apic(&x2));
		RUN_SUBTEST("errors", test_errors(&x2));
		msi_vm_destroy(&x2);
	}
	RUN_SUBTEST("late_api", test_late_api(&xa));
	msi_vm_destroy(&xa);
	close(kvm_fd);
	test_done();
}
