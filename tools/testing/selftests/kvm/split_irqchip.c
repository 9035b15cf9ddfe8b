// SPDX-License-Identifier: GPL-2.0
/*
 * split_irqchip: KVM_CAP_SPLIT_IRQCHIP, LAPICs in the kernel, PIC and
 * IOAPIC in userspace.  args[0] is the number of GSIs that belong to the
 * userspace IOAPIC: their level-triggered MSI routes make the guest's EOI
 * exit with KVM_EXIT_IOAPIC_EOI.
 *
 *   caps        KVM_CHECK_EXTENSION(KVM_CAP_SPLIT_IRQCHIP) is 1 on
 *               /dev/kvm and on the VM fd
 *   enable      KVM_ENABLE_CAP: args[0] 4097 (> KVM_MAX_IRQ_ROUTES) and
 *               flags != 0: EINVAL; 4096 works; after KVM_CREATE_IRQCHIP,
 *               after a vCPU exists and a second time: EEXIST;
 *               KVM_CREATE_IRQCHIP afterwards: EEXIST; KVM_GET_IRQCHIP and
 *               KVM_SET_IRQCHIP: ENXIO; KVM_SET_GSI_ROUTING with an
 *               IRQCHIP entry (IOAPIC or PIC): EINVAL, with MSI entries: 0
 *   lapic       a vCPU has an in-kernel LAPIC: KVM_GET_LAPIC gives its ID
 *               and version 0x14, LVT0 0x700 (ExtINT, unmasked) on the BSP
 *               after reset (KVM_X86_QUIRK_LINT0_REENABLED) and 0x10000
 *               (masked) on an AP; the version register's bit 24 (EOI
 *               broadcast suppression) is set with a split irqchip when
 *               the guest CPUID has x2APIC, clear without x2APIC and clear
 *               with the full in-kernel irqchip
 *   signal_msi  KVM_SIGNAL_MSI (vector 0x75, APIC 0) returns 1 and the
 *               halted guest takes it
 *   irqfd_msi   an irqfd on GSI 40 routed to an MSI (vector 0x84) injects
 *               when written, the count is consumed
 *   extint      KVM_INTERRUPT queues an ExtINT vector: a second one before
 *               delivery is EEXIST, irq 256 EINVAL; with LINT0 masked (by
 *               the guest) it is not delivered to a guest with IF = 1;
 *               once the VMM makes LINT0 ExtINT (KVM_SET_LAPIC) the guest
 *               takes it, and KVM_INTERRUPT works again
 *   irq_window  request_interrupt_window: no KVM_EXIT_IRQ_WINDOW_OPEN and
 *               ready_for_interrupt_injection 0 while LINT0 is masked,
 *               even with IF = 1; with LINT0 ExtINT and IF = 0 still
 *               nothing; after sti KVM_EXIT_IRQ_WINDOW_OPEN with if_flag
 *               and ready_for_interrupt_injection 1; the vector injected
 *               then (KVM_INTERRUPT) is taken
 *   ioapic_eoi  args[0] = 24, MSI routes GSI 5 (level, vector 0x61),
 *               GSI 6 (edge, 0x62), GSI 30 (level, 0x63), all to APIC 0:
 *               each vector sent with KVM_SIGNAL_MSI reaches the guest
 *               (TMR bit set for the level ones); the guest's EOI of 0x61
 *               exits with KVM_EXIT_IOAPIC_EOI, eoi.vector 0x61, and the
 *               guest goes on; the EOIs of 0x62 (edge) and of 0x63 (GSI
 *               >= args[0]) do not exit
 */
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "x86.h"

#define APIC_LVR	0x30
#define APIC_ISR	0x100
#define APIC_TMR	0x180
#define APIC_LVT0	0x350
#define LVR_EOI_SUPPRESS (1u << 24)
#define CPUID1_X2APIC	(1u << 21)

/* virt/kvm: the size of a GSI routing table (not in the uapi headers). */
#define KVM_MAX_IRQ_ROUTES 4096

#define S_TAKEN		0x10
#define S_WOKE		2

static int enable_split(struct kvm_vm *vm, uint64_t pins, uint32_t flags)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_SPLIT_IRQCHIP,
				      .flags = flags, .args = { pins } };

	return ioctl(vm->fd, KVM_ENABLE_CAP, &cap);
}

static struct kvm_vm *split_vm(uint64_t pins)
{
	struct kvm_vm *vm = vm_create();

	TEST_ASSERT_OK(enable_split(vm, pins, 0));
	vm_setup_idt(vm);
	return vm;
}

static struct kvm_irq_routing_entry msi_route(uint32_t gsi, uint32_t data)
{
	return (struct kvm_irq_routing_entry){ .gsi = gsi,
		.type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = APIC_GPA, .data = data } };
}

static uint32_t apic_reg(struct kvm_lapic_state *s, int off)
{
	uint32_t v;

	memcpy(&v, &s->regs[off], 4);
	return v;
}

static void get_lapic(struct kvm_vcpu *vcpu, struct kvm_lapic_state *s)
{
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_LAPIC, s));
}

static bool apic_vec_bit(struct kvm_lapic_state *s, int base, int vec)
{
	return apic_reg(s, base + 0x10 * (vec / 32)) & (1u << (vec % 32));
}

static void test_caps(void)
{
	struct kvm_vm *vm = vm_create();

	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd, KVM_CAP_SPLIT_IRQCHIP), 1);
	TEST_ASSERT_EQ(kvm_check_cap(vm->fd, KVM_CAP_SPLIT_IRQCHIP), 1);
	vm_destroy(vm);
}

static void test_enable(void)
{
	struct kvm_irq_routing_entry e[2] = {
		msi_route(5, 0x61), msi_route(40, 0x8062),
	};
	struct kvm_irq_routing_entry chip = { .gsi = 3,
		.type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { KVM_IRQCHIP_IOAPIC, 3 } };
	struct kvm_irqchip ic = { .chip_id = KVM_IRQCHIP_IOAPIC };
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	vm = vm_create();
	TEST_ASSERT_ERRNO(enable_split(vm, KVM_MAX_IRQ_ROUTES + 1, 0), EINVAL);
	TEST_ASSERT_ERRNO(enable_split(vm, 24, 1), EINVAL);
	TEST_ASSERT_OK(enable_split(vm, KVM_MAX_IRQ_ROUTES, 0));
	TEST_ASSERT_ERRNO(enable_split(vm, 24, 0), EEXIST);
	vm_destroy(vm);

	vm = vm_create();
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	TEST_ASSERT_ERRNO(enable_split(vm, 24, 0), EEXIST);
	vm_destroy(vm);

	vm = vm_create();
	vcpu = vcpu_add(vm, 0);
	TEST_ASSERT_ERRNO(enable_split(vm, 24, 0), EEXIST);
	vcpu_free(vcpu);
	vm_destroy(vm);

	vm = vm_create();
	TEST_ASSERT_OK(enable_split(vm, 24, 0));
	TEST_ASSERT_ERRNO(enable_split(vm, 24, 0), EEXIST);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0), EEXIST);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_GET_IRQCHIP, &ic), ENXIO);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_SET_IRQCHIP, &ic), ENXIO);
	ic.chip_id = KVM_IRQCHIP_PIC_MASTER;
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_GET_IRQCHIP, &ic), ENXIO);
	TEST_ASSERT_ERRNO(vm_set_gsi_routes(vm, &chip, 1), EINVAL);
	chip.u.irqchip.irqchip = KVM_IRQCHIP_PIC_MASTER;
	TEST_ASSERT_ERRNO(vm_set_gsi_routes(vm, &chip, 1), EINVAL);
	TEST_ASSERT_OK(vm_set_gsi_routes(vm, e, 2));
	vm_destroy(vm);
}

static void test_lapic(void)
{
	struct kvm_vm *vm = split_vm(24);
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0), *ap;
	struct kvm_cpuid2 *c = kvm_get_supported_cpuid(vm->kvm_fd);
	struct kvm_lapic_state s;

	TEST_ASSERT(cpuid_find(c, 1, 0)->ecx & CPUID1_X2APIC,
		    "KVM_GET_SUPPORTED_CPUID without x2APIC");
	get_lapic(vcpu, &s);
	TEST_ASSERT_EQ(apic_reg(&s, 0x20), 0);			/* ID */
	TEST_ASSERT_EQ(apic_reg(&s, APIC_LVR) & 0xff, 0x14);
	/* KVM_X86_QUIRK_LINT0_REENABLED: the BSP's LINT0 is ExtINT. */
	TEST_ASSERT_EQ(apic_reg(&s, APIC_LVT0), 0x700);
	ap = vcpu_add(vm, 1);
	get_lapic(ap, &s);
	TEST_ASSERT_EQ(apic_reg(&s, 0x20), 1u << 24);
	TEST_ASSERT_EQ(apic_reg(&s, APIC_LVT0), 0x10000);
	vcpu_free(ap);
	vcpu_set_cpuid(vcpu, c);
	get_lapic(vcpu, &s);
	TEST_ASSERT_EQ(apic_reg(&s, APIC_LVR) & LVR_EOI_SUPPRESS,
		       LVR_EOI_SUPPRESS);
	vcpu_free(vcpu);
	vm_destroy(vm);

	/* Split, but no x2APIC in the guest's CPUID. */
	vm = split_vm(24);
	vcpu = vcpu_add(vm, 0);
	cpuid_find(c, 1, 0)->ecx &= ~CPUID1_X2APIC;
	vcpu_set_cpuid(vcpu, c);
	get_lapic(vcpu, &s);
	TEST_ASSERT_EQ(apic_reg(&s, APIC_LVR) & 0xff, 0x14);
	TEST_ASSERT_EQ(apic_reg(&s, APIC_LVR) & LVR_EOI_SUPPRESS, 0);
	vcpu_free(vcpu);
	vm_destroy(vm);

	/* The full irqchip (in-kernel IOAPIC) never offers it. */
	vm = vm_create();
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	vcpu = vcpu_add(vm, 0);
	cpuid_find(c, 1, 0)->ecx |= CPUID1_X2APIC;
	vcpu_set_cpuid(vcpu, c);
	get_lapic(vcpu, &s);
	TEST_ASSERT_EQ(apic_reg(&s, APIC_LVR) & 0xff, 0x14);
	TEST_ASSERT_EQ(apic_reg(&s, APIC_LVR) & LVR_EOI_SUPPRESS, 0);
	vcpu_free(vcpu);
	vm_destroy(vm);
	free(c);
}

/* APIC on, sti; hlt with no IOAPIC accesses (it lives in userspace). */
GUEST_CODE(guest_wait, 64,
	G_APIC_ON
	G_SYNC(1)
	"\tsti\n"
	"1:\thlt\n\tjmp 1b\n");

static void test_signal_msi(void)
{
	struct kvm_vm *vm = split_vm(24);
	struct kvm_vcpu *vcpu = vcpu_add_long(vm, 0, LOAD_GUEST(vm, guest_wait));
	struct kvm_msi msi = { .address_lo = APIC_GPA, .data = 0x75 };
	struct ucall uc;

	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_SIGNAL_MSI, &msi), 1);
	vcpu_expect_vector(vcpu, 0x75, &uc);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void test_irqfd_msi(void)
{
	struct kvm_vm *vm = split_vm(24);
	struct kvm_vcpu *vcpu = vcpu_add_long(vm, 0, LOAD_GUEST(vm, guest_wait));
	struct kvm_irq_routing_entry e = msi_route(40, 0x84);
	struct kvm_irqfd a = { .gsi = 40 };
	uint64_t one = 1, n = 0;
	struct ucall uc;

	a.fd = TEST_ASSERT_OK(eventfd(0, EFD_NONBLOCK));
	TEST_ASSERT_OK(vm_set_gsi_routes(vm, &e, 1));
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_IRQFD, &a));
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT(write(a.fd, &one, sizeof(one)) == sizeof(one), "write");
	TEST_ASSERT(read(a.fd, &n, sizeof(n)) < 0 && errno == EAGAIN,
		    "count %llu left in the irqfd", (unsigned long long)n);
	vcpu_expect_vector(vcpu, 0x84, &uc);
	a.flags = KVM_IRQFD_FLAG_DEASSIGN;
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_IRQFD, &a));
	close(a.fd);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

/* IF = 1 and LINT0 masked: ucalls in a loop. */
GUEST_CODE(guest_spin_sync, 64,
	G_APIC_ON
	"\tmovl $0x10700, 0x350(%rdi)\n"
	"\tsti\n"
	"1:\n"
	G_SYNC(1)
	"\tjmp 1b\n");

static void test_extint(void)
{
	struct kvm_vm *vm = split_vm(24);
	struct kvm_vcpu *vcpu = vcpu_add_long(vm, 0, LOAD_GUEST(vm, guest_spin_sync));
	struct kvm_interrupt irq = { .irq = 0x40 };
	struct kvm_lapic_state s;
	uint32_t lvt0 = 0x700;
	struct ucall uc;

	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(vcpu->run->if_flag, 1);
	TEST_ASSERT_EQ(vcpu->run->ready_for_interrupt_injection, 0);
	irq.irq = 256;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_INTERRUPT, &irq), EINVAL);
	irq.irq = 0x40;
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_INTERRUPT, &irq));
	irq.irq = 0x41;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_INTERRUPT, &irq), EEXIST);
	/* LINT0 masked: the ExtINT waits. */
	vcpu_expect_sync(vcpu, 1);
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(vcpu->run->ready_for_interrupt_injection, 0);

	get_lapic(vcpu, &s);
	TEST_ASSERT_EQ(apic_reg(&s, APIC_LVT0) & 0x10000, 0x10000);
	memcpy(&s.regs[APIC_LVT0], &lvt0, 4);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_LAPIC, &s));
	vcpu_expect_vector(vcpu, 0x40, &uc);
	/* Delivered: the slot is free again (the stub parks with IF = 0). */
	irq.irq = 0x42;
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_INTERRUPT, &irq));
	vcpu_free(vcpu);
	vm_destroy(vm);
}

GUEST_CODE(guest_window, 64,
	G_APIC_ON
	"\tmovl $0x10700, 0x350(%rdi)\n"
	G_SYNC(1)				/* IF = 0, LINT0 masked */
	"\tsti\n"
	G_SYNC(2)				/* IF = 1, LINT0 masked */
	G_SYNC(3)
	"\tcli\n"
	"\tmovl $0x700, 0x350(%rdi)\n"
	G_SYNC(4)				/* IF = 0, LINT0 ExtINT */
	"\tsti\n"
	"1:\tpause\n\tjmp 1b\n");

static void test_irq_window(void)
{
	struct kvm_vm *vm = split_vm(24);
	struct kvm_vcpu *vcpu = vcpu_add_long(vm, 0, LOAD_GUEST(vm, guest_window));
	struct kvm_interrupt irq = { .irq = 0x41 };
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	run->request_interrupt_window = 1;
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(run->if_flag, 0);
	TEST_ASSERT_EQ(run->ready_for_interrupt_injection, 0);
	vcpu_expect_sync(vcpu, 2);
	TEST_ASSERT_EQ(run->if_flag, 1);
	TEST_ASSERT_EQ(run->ready_for_interrupt_injection, 0);
	vcpu_expect_sync(vcpu, 3);
	TEST_ASSERT_EQ(run->ready_for_interrupt_injection, 0);
	vcpu_expect_sync(vcpu, 4);
	TEST_ASSERT_EQ(run->if_flag, 0);
	TEST_ASSERT_EQ(run->ready_for_interrupt_injection, 0);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_IRQ_WINDOW_OPEN);
	TEST_ASSERT_EQ(run->if_flag, 1);
	TEST_ASSERT_EQ(run->ready_for_interrupt_injection, 1);
	run->request_interrupt_window = 0;
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_INTERRUPT, &irq));
	vcpu_expect_vector(vcpu, 0x41, &uc);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

/* The handler for every vector: report, EOI, report, IF = 1, report. */
GUEST_CODE(guest_eoi_handler, 64,
	G_SYNC(S_TAKEN)
	"\tmovl $0, 0xb0(%rdi)\n"
	G_SYNC(S_TAKEN + 1)
	"\tsti\n\tnop\n\tnop\n\tnop\n"
	G_SYNC(S_WOKE)
	"\tcli\n"
	"\tiretq\n");

GUEST_CODE(guest_eoi_main, 64,
	G_APIC_ON
	G_SYNC(1)
	"\tsti\n"
	"1:\thlt\n\tjmp 1b\n");

static void eoi_round(struct kvm_vm *vm, struct kvm_vcpu *vcpu,
		      uint32_t data, bool level, bool eoi_exit)
{
	struct kvm_msi msi = { .address_lo = APIC_GPA, .data = data };
	uint8_t vec = data & 0xff;
	struct kvm_lapic_state s;

	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_SIGNAL_MSI, &msi), 1);
	vcpu_expect_sync(vcpu, S_TAKEN);
	get_lapic(vcpu, &s);
	TEST_ASSERT_EQ(apic_vec_bit(&s, APIC_ISR, vec), 1);
	TEST_ASSERT_EQ(apic_vec_bit(&s, APIC_TMR, vec), level);
	if (eoi_exit) {
		vcpu_run(vcpu);
		vcpu_assert_exit(vcpu, KVM_EXIT_IOAPIC_EOI);
		TEST_ASSERT_EQ(vcpu->run->eoi.vector, vec);
	}
	vcpu_expect_sync(vcpu, S_TAKEN + 1);
	get_lapic(vcpu, &s);
	TEST_ASSERT_EQ(apic_vec_bit(&s, APIC_ISR, vec), 0);
	vcpu_expect_sync(vcpu, S_WOKE);
}

static void test_ioapic_eoi(void)
{
	struct kvm_vm *vm = split_vm(24);
	struct kvm_vcpu *vcpu = vcpu_add_long(vm, 0, LOAD_GUEST(vm, guest_eoi_main));
	struct kvm_irq_routing_entry e[3] = {
		msi_route(5, 0xc061), msi_route(6, 0x62),
		msi_route(30, 0xc063),
	};
	uint64_t h = LOAD_GUEST(vm, guest_eoi_handler);

	vm_set_idt_gate(vm, 0x61, h);
	vm_set_idt_gate(vm, 0x62, h);
	vm_set_idt_gate(vm, 0x63, h);
	TEST_ASSERT_OK(vm_set_gsi_routes(vm, e, 3));
	vcpu_expect_sync(vcpu, 1);
	eoi_round(vm, vcpu, 0xc061, true, true);
	eoi_round(vm, vcpu, 0x62, false, false);
	eoi_round(vm, vcpu, 0xc063, true, false);
	/* Once more: the level route on GSI 5 still exits. */
	eoi_round(vm, vcpu, 0xc061, true, true);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

int main(void)
{
	struct kvm_vm *vm;

	test_init("split_irqchip");
	vm = vm_create();
	if (!kvm_check_cap(vm->kvm_fd, KVM_CAP_SPLIT_IRQCHIP))
		test_skip("no KVM_CAP_SPLIT_IRQCHIP");
	vm_destroy(vm);
	RUN_SUBTEST("caps", test_caps());
	RUN_SUBTEST("enable", test_enable());
	RUN_SUBTEST("lapic", test_lapic());
	RUN_SUBTEST("signal_msi", test_signal_msi());
	RUN_SUBTEST("irqfd_msi", test_irqfd_msi());
	RUN_SUBTEST("extint", test_extint());
	RUN_SUBTEST("irq_window", test_irq_window());
	RUN_SUBTEST("ioapic_eoi", test_ioapic_eoi());
	test_done();
}
