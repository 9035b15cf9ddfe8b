// SPDX-License-Identifier: GPL-2.0
/*
 * irqfd_resample: KVM_IRQFD with KVM_IRQFD_FLAG_RESAMPLE on the full
 * in-kernel irqchip (KVM_CREATE_IRQCHIP).
 *
 * The guest programs IOAPIC pin 18 level-triggered at vector 0x71, pin 19
 * edge-triggered at 0x72 (both to APIC 0) and the master PIC at vector
 * 0x30 with IRQ 5 level-triggered (ELCR) and the only one unmasked, LINT0
 * as ExtINT.  Each handler reports "taken" (before its EOI), EOIs (LAPIC
 * or PIC), reports "EOI done", sets IF and reports "woke" before it
 * returns to the guest's hlt loop, so a second delivery after the EOI
 * would show up as the handler's first report instead of "woke".
 *
 *   caps      KVM_CAP_IRQFD_RESAMPLE is 1 on /dev/kvm and on the VM fd
 *   errors    resample without an in-kernel irqchip and with a split
 *             irqchip (a plain irqfd works there): EINVAL; resamplefd -1:
 *             EBADF, not an eventfd: EINVAL; fd -1: EBADF; an eventfd
 *             already assigned (same or another GSI): EBUSY; a failed
 *             assignment leaves nothing behind (the GSI takes a resample
 *             irqfd afterwards); DEASSIGN|RESAMPLE deassigns (0)
 *   level     pin 18: writing the irqfd asserts the line, the guest takes
 *             0x71; until its EOI the IOAPIC's IRR bit and the pin's
 *             remote IRR stay set and the resamplefd is empty; the EOI
 *             signals the resamplefd (count 1) and lowers the line (IRR
 *             and remote IRR clear), no second interrupt; a second write
 *             delivers again, the same way; deassigning the irqfd while
 *             the interrupt is in service lowers the line at once, the
 *             EOI then signals nothing, and later writes stay in the
 *             eventfd
 *   edge      pin 19 (edge): once delivered, KVM_GET_IRQCHIP shows no
 *             IRR bit for it (upstream hides delivered edges), but the
 *             line stays high until the EOI: KVM_IRQ_LINE_STATUS raising
 *             and lowering another source reports 0 (coalesced) both
 *             times, and IRR then shows the line high; the EOI signals
 *             the resamplefd and lowers the line (IRR clear), so the
 *             next write is a new edge and delivers again
 *   pic       PIC IRQ 5 (level, GSI 5, IOAPIC pin 5 masked): the guest
 *             takes 0x35; the PIC's IRR and ISR bits stay set until its
 *             EOI to the PIC, which signals the resamplefd and clears
 *             both; no second interrupt; a second write delivers again
 *   shared    two resample irqfds on GSI 18: an EOI after a write to
 *             either signals both resamplefds; after one is deassigned
 *             only the other's resamplefd is signalled
 *   teardown  an assigned resample irqfd whose eventfd is closed goes
 *             away, a new one on that GSI works; the VM is closed with
 *             resample irqfds assigned on three GSIs and one line
 *             asserted and in service (the bench checks dmesg)
 */
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "x86.h"

#define PIN_LEVEL	18
#define PIN_EDGE	19
#define PIC_IRQ		5
#define RTE_REMOTE_IRR	(1u << 14)

/* Handler reports: S_xxx when taken, S_xxx + 1 after its EOI. */
#define S_LEVEL		0x10
#define S_EDGE		0x20
#define S_PIC		0x30
#define S_WOKE		2

GUEST_CODE(guest_main, 64,
	G_APIC_ON
	"\tmovl $0x700, 0x350(%rdi)\n"			/* LINT0 ExtINT */
	"\tmov $" STR(IOAPIC_GPA) ", %esi\n"
	"\tmovl $0x34, (%rsi)\n\tmovl $0x8071, 0x10(%rsi)\n"	/* pin 18 */
	"\tmovl $0x35, (%rsi)\n\tmovl $0, 0x10(%rsi)\n"
	"\tmovl $0x36, (%rsi)\n\tmovl $0x72, 0x10(%rsi)\n"	/* pin 19 */
	"\tmovl $0x37, (%rsi)\n\tmovl $0, 0x10(%rsi)\n"
	/* Master PIC: vector base 0x30, only IRQ 5, level (ELCR). */
	"\tmov $0x11, %al\n\tout %al, $0x20\n"
	"\tmov $0x30, %al\n\tout %al, $0x21\n"
	"\tmov $0x04, %al\n\tout %al, $0x21\n"
	"\tmov $0x01, %al\n\tout %al, $0x21\n"
	"\tmov $0xdf, %al\n\tout %al, $0x21\n"
	"\tmov $0x4d0, %dx\n\tmov $0x20, %al\n\tout %al, %dx\n"
	G_SYNC(1)
	"\tsti\n"
	"1:\thlt\n\tjmp 1b\n");

/*
 * After its EOI a handler opens a window with IF = 1 and then reports
 * S_WOKE: an interrupt still (or again) pending would be taken in that
 * window and report its handler's stage instead.
 */
#define G_AFTER_EOI(stage)						\
	G_SYNC(stage + 1)						\
	"\tsti\n\tnop\n\tnop\n\tnop\n"					\
	G_SYNC(S_WOKE)							\
	"\tcli\n"							\
	"\tiretq\n"

#define G_LAPIC_HANDLER(stage)						\
	G_SYNC(stage)							\
	"\tmovl $0, 0xb0(%rdi)\n"					\
	G_AFTER_EOI(stage)

GUEST_CODE(guest_h_level, 64, G_LAPIC_HANDLER(S_LEVEL));
GUEST_CODE(guest_h_edge, 64, G_LAPIC_HANDLER(S_EDGE));
GUEST_CODE(guest_h_pic, 64,
	G_SYNC(S_PIC)
	"\tmov $0x20, %al\n\tout %al, $0x20\n"		/* non-specific EOI */
	G_AFTER_EOI(S_PIC));

struct ctx {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
};

static int irqfd(struct kvm_vm *vm, int fd, uint32_t gsi, uint32_t flags,
		 int rfd)
{
	struct kvm_irqfd a = { .fd = fd, .gsi = gsi, .flags = flags,
			       .resamplefd = rfd };

	return ioctl(vm->fd, KVM_IRQFD, &a);
}

static int resample(struct kvm_vm *vm, int fd, uint32_t gsi, int rfd)
{
	return irqfd(vm, fd, gsi, KVM_IRQFD_FLAG_RESAMPLE, rfd);
}

static int deassign(struct kvm_vm *vm, int fd, uint32_t gsi)
{
	return irqfd(vm, fd, gsi, KVM_IRQFD_FLAG_DEASSIGN, 0);
}

static int new_efd(void)
{
	return TEST_ASSERT_OK(eventfd(0, EFD_NONBLOCK));
}

static void get_chip(struct kvm_vm *vm, uint32_t id, struct kvm_irqchip *c)
{
	memset(c, 0, sizeof(*c));
	c->chip_id = id;
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_GET_IRQCHIP, c));
}

/* Is the IOAPIC input of "pin" high (IRR)? */
static bool ioapic_line(struct kvm_vm *vm, int pin)
{
	struct kvm_irqchip c;

	get_chip(vm, KVM_IRQCHIP_IOAPIC, &c);
	return c.chip.ioapic.irr & (1u << pin);
}

static bool ioapic_remote_irr(struct kvm_vm *vm, int pin)
{
	struct kvm_irqchip c;

	get_chip(vm, KVM_IRQCHIP_IOAPIC, &c);
	return c.chip.ioapic.redirtbl[pin].bits & RTE_REMOTE_IRR;
}

static int irq_line_status(struct kvm_vm *vm, uint32_t irq, uint32_t level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	TEST_ASSERT_OK(ioctl(vm->fd, KVM_IRQ_LINE_STATUS, &l));
	return l.status;
}

static void setup(struct ctx *c)
{
	c->vm = vm_create();
	TEST_ASSERT_OK(ioctl(c->vm->fd, KVM_CREATE_IRQCHIP, 0));
	vm_setup_idt(c->vm);
	vm_set_idt_gate(c->vm, 0x71, LOAD_GUEST(c->vm, guest_h_level));
	vm_set_idt_gate(c->vm, 0x72, LOAD_GUEST(c->vm, guest_h_edge));
	vm_set_idt_gate(c->vm, 0x35, LOAD_GUEST(c->vm, guest_h_pic));
	c->vcpu = vcpu_add(c->vm, 0);
	vcpu_set_supported_cpuid(c->vcpu);
	vcpu_setup_long(c->vcpu, LOAD_GUEST(c->vm, guest_main));
	vcpu_use_idt(c->vcpu);
	vcpu_expect_sync(c->vcpu, 1);
}

static void teardown(struct ctx *c)
{
	vcpu_free(c->vcpu);
	vm_destroy(c->vm);
}

static void test_caps(void)
{
	struct kvm_vm *vm = vm_create();

	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd, KVM_CAP_IRQFD_RESAMPLE), 1);
	TEST_ASSERT_EQ(kvm_check_cap(vm->fd, KVM_CAP_IRQFD_RESAMPLE), 1);
	vm_destroy(vm);
}

static void test_errors(void)
{
	struct kvm_enable_cap split = { .cap = KVM_CAP_SPLIT_IRQCHIP,
					.args = { 24 } };
	int e = new_efd(), r = new_efd(), e2 = new_efd();
	struct kvm_vm *vm = vm_create();

	TEST_ASSERT_ERRNO(resample(vm, e, 18, r), EINVAL);	/* no irqchip */
	vm_destroy(vm);

	vm = vm_create();
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_ENABLE_CAP, &split));
	TEST_ASSERT_ERRNO(resample(vm, e, 18, r), EINVAL);
	TEST_ASSERT_OK(irqfd(vm, e, 18, 0, 0));
	TEST_ASSERT_OK(deassign(vm, e, 18));
	vm_destroy(vm);

	vm = vm_create();
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	TEST_ASSERT_ERRNO(resample(vm, e, 18, -1), EBADF);
	TEST_ASSERT_ERRNO(resample(vm, e, 18, vm->fd), EINVAL);
	TEST_ASSERT_ERRNO(resample(vm, -1, 18, r), EBADF);
	TEST_ASSERT_OK(resample(vm, e, 18, r));
	TEST_ASSERT_ERRNO(resample(vm, e, 18, r), EBUSY);
	TEST_ASSERT_ERRNO(resample(vm, e, 19, r), EBUSY);
	TEST_ASSERT_ERRNO(irqfd(vm, e, 19, 0, 0), EBUSY);
	/* The failed ones left no resampler on GSI 19 behind. */
	TEST_ASSERT_OK(resample(vm, e2, 19, r));
	TEST_ASSERT_OK(irqfd(vm, e, 18,
			     KVM_IRQFD_FLAG_DEASSIGN | KVM_IRQFD_FLAG_RESAMPLE,
			     r));
	TEST_ASSERT_OK(deassign(vm, e2, 19));
	TEST_ASSERT_OK(resample(vm, e, 18, r));
	vm_destroy(vm);
	close(e);
	close(e2);
	close(r);
}

/* Run through the handler for "stage": taken, EOI, back in the loop. */
static void expect_taken(struct ctx *c, uint32_t stage)
{
	vcpu_expect_sync(c->vcpu, stage);
}

static void expect_eoi(struct ctx *c, uint32_t stage)
{
	vcpu_expect_sync(c->vcpu, stage + 1);
}

static void test_level(void)
{
	int e = new_efd(), r = new_efd();
	struct ctx c;
	int round;

	setup(&c);
	TEST_ASSERT_OK(resample(c.vm, e, PIN_LEVEL, r));
	TEST_ASSERT_EQ(ioapic_line(c.vm, PIN_LEVEL), 0);
	for (round = 0; round < 2; round++) {
		efd_signal(e);
		TEST_ASSERT_EQ(efd_take(e), 0);
		expect_taken(&c, S_LEVEL);
		/* In service: the line stays high, nothing resampled. */
		TEST_ASSERT_EQ(ioapic_line(c.vm, PIN_LEVEL), 1);
		TEST_ASSERT_EQ(ioapic_remote_irr(c.vm, PIN_LEVEL), 1);
		TEST_ASSERT_EQ(efd_take(r), 0);
		expect_eoi(&c, S_LEVEL);
		TEST_ASSERT_EQ(efd_take(r), 1);
		TEST_ASSERT_EQ(ioapic_line(c.vm, PIN_LEVEL), 0);
		TEST_ASSERT_EQ(ioapic_remote_irr(c.vm, PIN_LEVEL), 0);
		/* The line is low: no second interrupt after the EOI. */
		vcpu_expect_sync(c.vcpu, S_WOKE);
		TEST_ASSERT_EQ(efd_take(r), 0);
	}

	/* Deassigned while in service: the line drops at once. */
	efd_signal(e);
	expect_taken(&c, S_LEVEL);
	TEST_ASSERT_EQ(ioapic_line(c.vm, PIN_LEVEL), 1);
	TEST_ASSERT_OK(deassign(c.vm, e, PIN_LEVEL));
	TEST_ASSERT_EQ(ioapic_line(c.vm, PIN_LEVEL), 0);
	TEST_ASSERT_EQ(ioapic_remote_irr(c.vm, PIN_LEVEL), 1);
	expect_eoi(&c, S_LEVEL);
	TEST_ASSERT_EQ(efd_take(r), 0);
	TEST_ASSERT_EQ(ioapic_remote_irr(c.vm, PIN_LEVEL), 0);
	vcpu_expect_sync(c.vcpu, S_WOKE);
	efd_signal(e);
	TEST_ASSERT_EQ(efd_take(e), 1);
	TEST_ASSERT_EQ(ioapic_line(c.vm, PIN_LEVEL), 0);
	teardown(&c);
	close(e);
	close(r);
}

static void test_edge(void)
{
	int e = new_efd(), r = new_efd();
	struct ctx c;
	int round;

	setup(&c);
	TEST_ASSERT_OK(resample(c.vm, e, PIN_EDGE, r));
	for (round = 0; round < 2; round++) {
		efd_signal(e);
		expect_taken(&c, S_EDGE);
		/* KVM_GET_IRQCHIP hides the IRR bit of a delivered edge. */
		TEST_ASSERT_EQ(ioapic_line(c.vm, PIN_EDGE), 0);
		/*
		 * The irqfd holds the line high: raising and lowering
		 * another source (KVM_IRQ_LINE_STATUS) is no edge and
		 * reports 0 (coalesced) both times.
		 */
		TEST_ASSERT_EQ(irq_line_status(c.vm, PIN_EDGE, 1), 0);
		TEST_ASSERT_EQ(irq_line_status(c.vm, PIN_EDGE, 0), 0);
		TEST_ASSERT_EQ(ioapic_line(c.vm, PIN_EDGE), 1);
		TEST_ASSERT_EQ(efd_take(r), 0);
		expect_eoi(&c, S_EDGE);
		TEST_ASSERT_EQ(efd_take(r), 1);
		TEST_ASSERT_EQ(ioapic_line(c.vm, PIN_EDGE), 0);
		vcpu_expect_sync(c.vcpu, S_WOKE);
	}
	TEST_ASSERT_OK(deassign(c.vm, e, PIN_EDGE));
	teardown(&c);
	close(e);
	close(r);
}

static void pic_bits(struct kvm_vm *vm, uint8_t *irr, uint8_t *isr)
{
	struct kvm_irqchip c;

	get_chip(vm, KVM_IRQCHIP_PIC_MASTER, &c);
	*irr = c.chip.pic.irr;
	*isr = c.chip.pic.isr;
}

static void test_pic(void)
{
	int e = new_efd(), r = new_efd();
	uint8_t irr, isr;
	struct kvm_irqchip chip;
	struct ctx c;
	int round;

	setup(&c);
	get_chip(c.vm, KVM_IRQCHIP_PIC_MASTER, &chip);
	TEST_ASSERT_EQ(chip.chip.pic.elcr, 1u << PIC_IRQ);
	TEST_ASSERT_EQ(chip.chip.pic.imr, 0xdf);
	TEST_ASSERT_OK(resample(c.vm, e, PIC_IRQ, r));
	for (round = 0; round < 2; round++) {
		efd_signal(e);
		expect_taken(&c, S_PIC);
		pic_bits(c.vm, &irr, &isr);
		TEST_ASSERT_EQ(irr, 1u << PIC_IRQ);
		TEST_ASSERT_EQ(isr, 1u << PIC_IRQ);
		TEST_ASSERT_EQ(efd_take(r), 0);
		expect_eoi(&c, S_PIC);
		TEST_ASSERT_EQ(efd_take(r), 1);
		pic_bits(c.vm, &irr, &isr);
		TEST_ASSERT_EQ(irr, 0);
		TEST_ASSERT_EQ(isr, 0);
		vcpu_expect_sync(c.vcpu, S_WOKE);
	}
	TEST_ASSERT_OK(deassign(c.vm, e, PIC_IRQ));
	teardown(&c);
	close(e);
	close(r);
}

static void level_round(struct ctx *c, int e)
{
	efd_signal(e);
	expect_taken(c, S_LEVEL);
	expect_eoi(c, S_LEVEL);
}

static void test_shared(void)
{
	int e1 = new_efd(), r1 = new_efd(), e2 = new_efd(), r2 = new_efd();
	struct ctx c;

	setup(&c);
	TEST_ASSERT_OK(resample(c.vm, e1, PIN_LEVEL, r1));
	TEST_ASSERT_OK(resample(c.vm, e2, PIN_LEVEL, r2));
	level_round(&c, e1);
	TEST_ASSERT_EQ(efd_take(r1), 1);
	TEST_ASSERT_EQ(efd_take(r2), 1);
	TEST_ASSERT_EQ(ioapic_line(c.vm, PIN_LEVEL), 0);
	vcpu_expect_sync(c.vcpu, S_WOKE);
	level_round(&c, e2);
	TEST_ASSERT_EQ(efd_take(r1), 1);
	TEST_ASSERT_EQ(efd_take(r2), 1);
	vcpu_expect_sync(c.vcpu, S_WOKE);

	TEST_ASSERT_OK(deassign(c.vm, e1, PIN_LEVEL));
	level_round(&c, e2);
	TEST_ASSERT_EQ(efd_take(r1), 0);
	TEST_ASSERT_EQ(efd_take(r2), 1);
	TEST_ASSERT_EQ(ioapic_line(c.vm, PIN_LEVEL), 0);
	vcpu_expect_sync(c.vcpu, S_WOKE);
	efd_signal(e1);
	TEST_ASSERT_EQ(efd_take(e1), 1);
	teardown(&c);
	close(e1);
	close(r1);
	close(e2);
	close(r2);
}

static void test_teardown(void)
{
	int e1 = new_efd(), e2 = new_efd(), e3 = new_efd(), e4 = new_efd();
	int r1 = new_efd(), r2 = new_efd(), r3 = new_efd();
	struct ctx c;

	setup(&c);
	/* Closing an assigned eventfd frees its irqfd. */
	TEST_ASSERT_OK(resample(c.vm, e1, PIN_EDGE, r1));
	close(e1);
	TEST_ASSERT_OK(resample(c.vm, e2, PIN_EDGE, r2));
	efd_signal(e2);
	expect_taken(&c, S_EDGE);
	expect_eoi(&c, S_EDGE);
	TEST_ASSERT_EQ(efd_take(r2), 1);
	vcpu_expect_sync(c.vcpu, S_WOKE);

	/* Close the VM with irqfds assigned and GSI 18 in service. */
	TEST_ASSERT_OK(resample(c.vm, e3, PIN_LEVEL, r3));
	TEST_ASSERT_OK(resample(c.vm, e4, PIC_IRQ, r3));
	efd_signal(e3);
	expect_taken(&c, S_LEVEL);
	teardown(&c);
	close(e2);
	close(e3);
	close(e4);
	close(r1);
	close(r2);
	close(r3);
}

int main(void)
{
	struct kvm_vm *vm;

	test_init("irqfd_resample");
	vm = vm_create();
	if (!kvm_check_cap(vm->kvm_fd, KVM_CAP_IRQFD) ||
	    !kvm_check_cap(vm->kvm_fd, KVM_CAP_IRQFD_RESAMPLE))
		test_skip("no KVM_CAP_IRQFD_RESAMPLE");
	vm_destroy(vm);
	RUN_SUBTEST("caps", test_caps());
	RUN_SUBTEST("errors", test_errors());
	RUN_SUBTEST("level", test_level());
	RUN_SUBTEST("edge", test_edge());
	RUN_SUBTEST("pic", test_pic());
	RUN_SUBTEST("shared", test_shared());
	RUN_SUBTEST("teardown", test_teardown());
	test_done();
}
