// SPDX-License-Identifier: GPL-2.0
/*
 * irqchip: the in-kernel interrupt controllers (KVM_CREATE_IRQCHIP).
 *
 *   create        capabilities; ENXIO without an irqchip; EEXIST twice;
 *                 EINVAL once a vCPU exists; KVM_INTERRUPT is ENXIO
 *   chip_state    KVM_GET/SET_IRQCHIP round trips for both PICs and the
 *                 IOAPIC; a bad chip id is EINVAL
 *   lapic_state   KVM_GET/SET_LAPIC: reset values, a round trip
 *   mp_state      BSP runnable, APs uninitialized; bad states EINVAL
 *   timer_oneshot the guest arms a one-shot LAPIC timer and halts in the
 *                 kernel; its vector arrives no earlier than programmed
 *   timer_periodic a periodic timer ticks 10 times, EOI each time
 *   tsc_deadline  a TSC-deadline timer fires
 *   ioapic_edge   KVM_IRQ_LINE_STATUS through an IOAPIC pin the guest
 *                 programmed: delivered (1), masked (-1)
 *   ioapic_level  a level pin: remote IRR refuses (-1) until the
 *                 guest's EOI, which redelivers while the line is high
 *   pic           the guest programs the PIC and LINT0 as ExtINT;
 *                 KVM_IRQ_LINE reaches it with the PIC's vector
 *   gsi_routing   KVM_SET_GSI_ROUTING: bad pins, types, flags and a
 *                 duplicate (GSI, chip) are EINVAL; a table replaces the
 *                 default routes; an irqchip route and an MSI route deliver
 *   signal_msi    KVM_SIGNAL_MSI reaches the LAPIC it names; unknown flags
 *                 or no irqchip: EINVAL
 *   ipi           a fixed IPI from vCPU 0 wakes vCPU 1 halted in the kernel
 *   init_sipi     vCPU 0 sends INIT and SIPI to an uninitialized vCPU 1,
 *                 which starts in real mode at the SIPI vector
 *   pv_eoi        KVM_FEATURE_PV_EOI is offered; a bad MSR value is
 *                 refused; a guest with PV EOI on takes 8 lone self-IPIs,
 *                 clearing bit 0 of its word instead of writing EOI when
 *                 it finds it set: it does at least once (the host may
 *                 clear the bit at any exit, KVM does; KVM with AVIC or
 *                 APICv never sets it), and each vector
 *                 leaves ISR; with a second vector waiting in IRR the bit
 *                 is clear (that EOI must exit to deliver it); the VMM
 *                 saving and writing back the MSR in a handler, before
 *                 the guest looks at the word, leaves no vector in ISR
 *   if_clear      an MSI sent while the guest runs with IF clear waits
 *                 for its STI, then its handler finds it in ISR; one sent
 *                 with IF clear waits while the guest raises its TPR
 *                 above it, after STI too, and comes when the TPR drops;
 *                 the same with CR8 raised before the MSI
 *   if_clear_again the handler of an MSI that waited for STI spins
 *                 (no exit) while the VMM sends the same vector again:
 *                 it comes once more after the EOI, not lost (needs the
 *                 host to run the VMM's thread beside the spinning vCPU)
 *   hostile       a guest writes garbage to every LAPIC register and the
 *                 IOAPIC 4000 times and leaves a periodic timer at count
 *                 1 armed; the VMM loads a garbage LAPIC page; the VM is
 *                 destroyed with the timer armed (the bench checks dmesg)
 */
#include <pthread.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "x86.h"

#define MSR_TSC_DEADLINE 0x6e0

static struct kvm_vm *irq_vm(void)
{
	struct kvm_vm *vm = vm_create();

	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	vm_setup_idt(vm);
	return vm;
}

static struct kvm_vcpu *long_vcpu(struct kvm_vm *vm, uint32_t id,
				  uint64_t entry)
{
	struct kvm_vcpu *vcpu = vcpu_add_long(vm, id, entry);
	struct kvm_mp_state mp = { KVM_MP_STATE_RUNNABLE };

	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp));
	return vcpu;
}

static void test_create(void)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_irq_level line = { .irq = 4, .level = 1 };
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };
	struct kvm_interrupt irq = { .irq = 0x30 };
	struct kvm_vcpu *vcpu;

	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd, KVM_CAP_IRQCHIP), 1);
	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd, KVM_CAP_HLT), 1);
	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd, KVM_CAP_IRQ_INJECT_STATUS), 1);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_IRQ_LINE, &line), ENXIO);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_GET_IRQCHIP, &chip), ENXIO);
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0), EEXIST);
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_IRQ_LINE, &line));
	vcpu = vcpu_add(vm, 0);
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_INTERRUPT, &irq), ENXIO);
	vcpu_free(vcpu);
	vm_destroy(vm);

	vm = vm_create();
	vcpu = vcpu_add(vm, 0);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0), EINVAL);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void test_chip_state(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_irqchip in, out;
	int id, i;

	for (id = KVM_IRQCHIP_PIC_MASTER; id <= KVM_IRQCHIP_PIC_SLAVE; id++) {
		memset(&in, 0, sizeof(in));
		in.chip_id = id;
		in.chip.pic.imr = 0x5a;
		in.chip.pic.irq_base = 0x28 + 8 * id;
		in.chip.pic.elcr = 0x08 << id;
		in.chip.pic.elcr_mask = id ? 0xde : 0xf8;
		in.chip.pic.priority_add = 3;
		in.chip.pic.auto_eoi = 1;
		TEST_ASSERT_OK(ioctl(vm->fd, KVM_SET_IRQCHIP, &in));
		memset(&out, 0xcc, sizeof(out));
		out.chip_id = id;
		TEST_ASSERT_OK(ioctl(vm->fd, KVM_GET_IRQCHIP, &out));
		TEST_ASSERT(!memcmp(&in.chip.pic, &out.chip.pic,
				    sizeof(in.chip.pic)), "PIC %d state", id);
	}
	memset(&in, 0, sizeof(in));
	in.chip_id = KVM_IRQCHIP_IOAPIC;
	in.chip.ioapic.base_address = IOAPIC_GPA;
	in.chip.ioapic.id = 3;
	for (i = 0; i < KVM_IOAPIC_NUM_PINS; i++)
		in.chip.ioapic.redirtbl[i].bits = 0x10000 | (0x40 + i) |
						  ((uint64_t)i << 56);
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_SET_IRQCHIP, &in));
	memset(&out, 0, sizeof(out));
	out.chip_id = KVM_IRQCHIP_IOAPIC;
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_GET_IRQCHIP, &out));
	TEST_ASSERT_EQ(out.chip.ioapic.id, 3);
	TEST_ASSERT_EQ(out.chip.ioapic.base_address, IOAPIC_GPA);
	for (i = 0; i < KVM_IOAPIC_NUM_PINS; i++)
		TEST_ASSERT_EQ(out.chip.ioapic.redirtbl[i].bits,
			       in.chip.ioapic.redirtbl[i].bits);
	out.chip_id = 3;
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_GET_IRQCHIP, &out), EINVAL);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_SET_IRQCHIP, &out), EINVAL);
	vm_destroy(vm);
}

static uint32_t apic_reg(struct kvm_lapic_state *s, int off)
{
	uint32_t v;

	memcpy(&v, &s->regs[off], 4);
	return v;
}

static void test_lapic_state(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 5);
	struct kvm_lapic_state s, t;
	uint32_t tpr = 0x70;

	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_LAPIC, &s));
	TEST_ASSERT_EQ(apic_reg(&s, 0x20), 5u << 24);		/* ID */
	TEST_ASSERT_EQ(apic_reg(&s, 0x30) & 0xff, 0x14);	/* version */
	TEST_ASSERT_EQ(apic_reg(&s, 0xf0), 0xff);		/* SVR */
	TEST_ASSERT_EQ(apic_reg(&s, 0x320) & 0x10000, 0x10000);	/* masked */
	memcpy(&s.regs[0x80], &tpr, 4);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_LAPIC, &s));
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_LAPIC, &t));
	TEST_ASSERT_EQ(apic_reg(&t, 0x80), 0x70);
	TEST_ASSERT_EQ(apic_reg(&t, 0xa0), 0x70);		/* PPR */
	vcpu_free(vcpu);
	vm_destroy(vm);

	vm = vm_create();
	vcpu = vcpu_add(vm, 0);
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_GET_LAPIC, &s), EINVAL);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void test_mp_state(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_vcpu *bsp = vcpu_add(vm, 0), *ap = vcpu_add(vm, 1);
	struct kvm_mp_state mp;

	TEST_ASSERT_OK(ioctl(bsp->fd, KVM_GET_MP_STATE, &mp));
	TEST_ASSERT_EQ(mp.mp_state, KVM_MP_STATE_RUNNABLE);
	TEST_ASSERT_OK(ioctl(ap->fd, KVM_GET_MP_STATE, &mp));
	TEST_ASSERT_EQ(mp.mp_state, KVM_MP_STATE_UNINITIALIZED);
	mp.mp_state = KVM_MP_STATE_HALTED;
	TEST_ASSERT_OK(ioctl(ap->fd, KVM_SET_MP_STATE, &mp));
	TEST_ASSERT_OK(ioctl(ap->fd, KVM_GET_MP_STATE, &mp));
	TEST_ASSERT_EQ(mp.mp_state, KVM_MP_STATE_HALTED);
	mp.mp_state = KVM_MP_STATE_SIPI_RECEIVED;
	TEST_ASSERT_OK(ioctl(ap->fd, KVM_SET_MP_STATE, &mp));
	mp.mp_state = 1000;
	TEST_ASSERT_ERRNO(ioctl(ap->fd, KVM_SET_MP_STATE, &mp), EINVAL);
	vcpu_free(bsp);
	vcpu_free(ap);
	vm_destroy(vm);
}

GUEST_CODE(guest_oneshot, 64,
	G_APIC_ON
	"\tmovl $0xb, 0x3e0(%rdi)\n"		/* divide by 1 */
	"\tmovl $0x50, 0x320(%rdi)\n"		/* one-shot, vector 0x50 */
	"\tmovl $20000000, 0x380(%rdi)\n"	/* 20 ms */
	"\tmov 0x390(%rdi), %ebx\n"		/* TMCCT: counting down */
	G_SYNC(1)
	"\tsti\n"
	"1:\thlt\n\tjmp 1b\n");

static void test_timer_oneshot(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_vcpu *vcpu = long_vcpu(vm, 0, LOAD_GUEST(vm, guest_oneshot));
	struct ucall uc;
	double t0;

	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT_EQ(uc.cmd, UCALL_SYNC);
	TEST_ASSERT(uc.arg0 > 0 && uc.arg0 <= 20000000, "TMCCT %llu",
		    (unsigned long long)uc.arg0);
	t0 = test_now();
	vcpu_expect_vector(vcpu, 0x50, &uc);
	/* Armed before t0: allow for the time the ucall took. */
	TEST_ASSERT(test_now() - t0 > 0.010, "fired after %.4f s",
		    test_now() - t0);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

/* The tick handler: count in DATA_GPA, EOI, return. */
GUEST_CODE(guest_tick, 64,
	"\tincq " STR(DATA_GPA) "\n"
	"\tmovl $0, 0xb0(%rdi)\n"
	"\tiretq\n");

GUEST_CODE(guest_periodic, 64,
	G_APIC_ON
	"\tmovq $0, " STR(DATA_GPA) "\n"
	"\tmovl $0xb, 0x3e0(%rdi)\n"
	"\tmovl $0x20051, 0x320(%rdi)\n"	/* periodic, vector 0x51 */
	"\tmovl $2000000, 0x380(%rdi)\n"	/* 2 ms */
	"\tsti\n"
	"1:\thlt\n"
	"\tcmpq $10, " STR(DATA_GPA) "\n"
	"\tjb 1b\n"
	"\tcli\n"
	"\tmovl $0x10000, 0x320(%rdi)\n"	/* mask it again */
	G_DONE);

static void test_timer_periodic(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_vcpu *vcpu = long_vcpu(vm, 0,
					  LOAD_GUEST(vm, guest_periodic));
	double t0 = test_now();

	vm_set_idt_gate(vm, 0x51, LOAD_GUEST(vm, guest_tick));
	vcpu_expect_done(vcpu);
	TEST_ASSERT(test_now() - t0 > 0.015, "10 ticks in %.4f s",
		    test_now() - t0);
	TEST_ASSERT(*(uint64_t *)gpa2hva(vm, DATA_GPA) >= 10, "ticks");
	vcpu_free(vcpu);
	vm_destroy(vm);
}

GUEST_CODE(guest_deadline, 64,
	G_APIC_ON
	"\tmovl $0x40052, 0x320(%rdi)\n"	/* TSC deadline, vector 0x52 */
	"\trdtsc\n"
	"\tshl $32, %rdx\n"
	"\tor %rdx, %rax\n"
	"\tadd $10000000, %rax\n"
	"\tmov %rax, %rdx\n"
	"\tshr $32, %rdx\n"
	"\tmov $" STR(MSR_TSC_DEADLINE) ", %ecx\n"
	"\twrmsr\n"
	"\tsti\n"
	"1:\thlt\n\tjmp 1b\n");

static void test_tsc_deadline(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_vcpu *vcpu = long_vcpu(vm, 0,
					  LOAD_GUEST(vm, guest_deadline));
	struct kvm_cpuid2 *c = kvm_get_supported_cpuid(vm->kvm_fd);
	struct ucall uc;

	/* As a VMM does: the CPUID bit comes from the capability. */
	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd, KVM_CAP_TSC_DEADLINE_TIMER),
		       1);
	cpuid_find(c, 1, 0)->ecx |= 1u << 24;
	vcpu_set_cpuid(vcpu, c);
	free(c);

	vcpu_expect_vector(vcpu, 0x52, &uc);
	TEST_ASSERT_EQ(vcpu_get_msr(vcpu, MSR_TSC_DEADLINE), 0);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

/*
 * IOAPIC pins 17 (edge), 18 (level) and 19 (masked), physical destination
 * 0: GSIs above 15 reach the IOAPIC only, not the PIC.
 */
GUEST_CODE(guest_ioapic, 64,
	G_APIC_ON
	"\tmov $" STR(IOAPIC_GPA) ", %esi\n"
	"\tmovl $0x32, (%rsi)\n\tmovl $0x70, 0x10(%rsi)\n"	/* pin 17 */
	"\tmovl $0x33, (%rsi)\n\tmovl $0, 0x10(%rsi)\n"
	"\tmovl $0x34, (%rsi)\n\tmovl $0x8071, 0x10(%rsi)\n"	/* pin 18 */
	"\tmovl $0x35, (%rsi)\n\tmovl $0, 0x10(%rsi)\n"
	"\tmovl $0x36, (%rsi)\n\tmovl $0x10072, 0x10(%rsi)\n"	/* pin 19 */
	"\tmovq $0, " STR(DATA_GPA) "\n"
	G_SYNC(1)
	"\tsti\n"
	"1:\thlt\n"
	"\tcmpq $2, " STR(DATA_GPA) "\n"
	"\tjb 1b\n"
	"\tcli\n"
	G_SYNC(2)
	"\tsti\n"
	"2:\thlt\n\tjmp 2b\n");

static int irq_line_status(struct kvm_vm *vm, uint32_t irq, uint32_t level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	TEST_ASSERT_OK(ioctl(vm->fd, KVM_IRQ_LINE_STATUS, &l));
	return l.status;
}

static void test_ioapic_edge(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_vcpu *vcpu = long_vcpu(vm, 0, LOAD_GUEST(vm, guest_ioapic));
	struct ucall uc;

	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(irq_line_status(vm, 19, 1), -1);	/* masked */
	TEST_ASSERT_EQ(irq_line_status(vm, 19, 0), 1);	/* lowering: 1 */
	TEST_ASSERT_EQ(irq_line_status(vm, 17, 1), 1);
	TEST_ASSERT_EQ(irq_line_status(vm, 17, 0), 1);
	vcpu_expect_vector(vcpu, 0x70, &uc);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

/*
 * Level handler: count; EOI only the first time, so that the line, still
 * high, delivers exactly once more and then stays in service (an EOI each
 * time would be an interrupt storm that starves the guest's main loop).
 */
GUEST_CODE(guest_level_handler, 64,
	"\tincq " STR(DATA_GPA) "\n"
	"\tcmpq $2, " STR(DATA_GPA) "\n"
	"\tjae 1f\n"
	"\tmovl $0, 0xb0(%rdi)\n"
	"1:\tiretq\n");

static void test_ioapic_level(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_vcpu *vcpu = long_vcpu(vm, 0, LOAD_GUEST(vm, guest_ioapic));
	uint64_t *count = gpa2hva(vm, DATA_GPA);

	vm_set_idt_gate(vm, 0x71, LOAD_GUEST(vm, guest_level_handler));
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(irq_line_status(vm, 18, 1), 1);
	/* Remote IRR is set until the guest's EOI: -1, as with KVM. */
	TEST_ASSERT_EQ(irq_line_status(vm, 18, 1), -1);
	/* The EOI with the line still high delivers it again. */
	vcpu_expect_sync(vcpu, 2);
	TEST_ASSERT_EQ(*count, 2);
	irq_line_status(vm, 18, 0);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

/* Master PIC at vector 0x30, only IRQ 3 unmasked; LINT0 = ExtINT. */
GUEST_CODE(guest_pic, 64,
	G_APIC_ON
	"\tmovl $0x700, 0x350(%rdi)\n"
	"\tmov $0x11, %al\n\tout %al, $0x20\n"
	"\tmov $0x30, %al\n\tout %al, $0x21\n"
	"\tmov $0x04, %al\n\tout %al, $0x21\n"
	"\tmov $0x01, %al\n\tout %al, $0x21\n"
	"\tmov $0xf7, %al\n\tout %al, $0x21\n"
	"\tin $0x21, %al\n"
	"\tmovzbl %al, %ebx\n"
	G_UCALL(UCALL_SYNC)
	"\tsti\n"
	"1:\thlt\n\tjmp 1b\n");

static void test_pic(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_vcpu *vcpu = long_vcpu(vm, 0, LOAD_GUEST(vm, guest_pic));
	struct ucall uc;

	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT_EQ(uc.cmd, UCALL_SYNC);
	TEST_ASSERT_EQ(uc.arg0, 0xf7);		/* IMR read back */
	TEST_ASSERT_EQ(irq_line_status(vm, 4, 1), -1);
	TEST_ASSERT_EQ(irq_line_status(vm, 3, 1), 1);
	irq_line_status(vm, 3, 0);
	vcpu_expect_vector(vcpu, 0x33, &uc);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

GUEST_CODE(guest_wait_irq, 64, G_WAIT_PIN17);

static void test_gsi_routing(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_vcpu *vcpu = long_vcpu(vm, 0,
					  LOAD_GUEST(vm, guest_wait_irq));
	struct kvm_irq_routing_entry e[2] = {
		{ .gsi = 30, .type = KVM_IRQ_ROUTING_IRQCHIP,
		  .u.irqchip = { KVM_IRQCHIP_IOAPIC, 17 } },
		{ .gsi = 40, .type = KVM_IRQ_ROUTING_MSI,
		  .u.msi = { .address_lo = 0xfee00000, .data = 0x84 } },
	};
	struct kvm_irq_routing_entry bad = e[0];
	struct kvm_regs regs;
	struct ucall uc;

	bad.u.irqchip.pin = 24;
	TEST_ASSERT_ERRNO(vm_set_gsi_routes(vm, &bad, 1), EINVAL);
	bad = e[0];
	bad.u.irqchip = (typeof(bad.u.irqchip)){ KVM_IRQCHIP_PIC_MASTER, 8 };
	TEST_ASSERT_ERRNO(vm_set_gsi_routes(vm, &bad, 1), EINVAL);
	bad = e[0];
	bad.type = 99;
	TEST_ASSERT_ERRNO(vm_set_gsi_routes(vm, &bad, 1), EINVAL);
	bad = e[0];
	bad.flags = 1;
	TEST_ASSERT_ERRNO(vm_set_gsi_routes(vm, &bad, 1), EINVAL);
	TEST_ASSERT_ERRNO(vm_set_gsi_routes(vm, (struct kvm_irq_routing_entry[])
				     { e[0], e[0] }, 2), EINVAL);
	TEST_ASSERT_OK(vm_set_gsi_routes(vm, e, 2));
	vcpu_expect_sync(vcpu, 1);
	/* The default routes are gone: GSI 17 has none now. */
	TEST_ASSERT_EQ(irq_line_status(vm, 17, 1), -1);
	irq_line_status(vm, 17, 0);
	TEST_ASSERT_EQ(irq_line_status(vm, 30, 1), 1);
	irq_line_status(vm, 30, 0);
	vcpu_expect_vector(vcpu, 0x73, &uc);
	/* Back to the hlt loop with IF = 1; 0x73 stays in service, so the
	 * MSI uses a higher priority class. */
	vcpu_get_regs(vcpu, &regs);
	regs.rip = uc.line;
	regs.rflags |= 0x200;
	vcpu_set_regs(vcpu, &regs);
	TEST_ASSERT_EQ(irq_line_status(vm, 40, 1), 1);
	irq_line_status(vm, 40, 0);
	vcpu_expect_vector(vcpu, 0x84, &uc);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void test_signal_msi(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_vcpu *vcpu = long_vcpu(vm, 0,
					  LOAD_GUEST(vm, guest_wait_irq));
	struct kvm_msi msi = { .address_lo = 0xfee00000, .data = 0x75 };
	struct ucall uc;

	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd, KVM_CAP_SIGNAL_MSI), 1);
	vcpu_expect_sync(vcpu, 1);
	msi.flags = 2;
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_SIGNAL_MSI, &msi), EINVAL);
	msi.flags = 0;
	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_SIGNAL_MSI, &msi), 1);
	vcpu_expect_vector(vcpu, 0x75, &uc);
	vcpu_free(vcpu);
	vm_destroy(vm);

	vm = vm_create();
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_SIGNAL_MSI, &msi), EINVAL);
	vm_destroy(vm);
}

/*
 * Garbage in every LAPIC register and through the IOAPIC window, IF = 0
 * all along; ICR writes are forced to fixed delivery (an INIT or NMI to
 * itself would end the loop).  It ends with a periodic timer at the
 * smallest count, still armed when the VM is destroyed.
 */
GUEST_CODE(guest_hostile, 64,
	"\tcli\n"
	G_APIC_ON
	"\tmov $" STR(IOAPIC_GPA) ", %esi\n"
	"\tmov $0x2545f491, %eax\n"
	"\tmov $4000, %r8d\n"
	"1:\tmov %eax, %edx\n\tshl $13, %edx\n\txor %edx, %eax\n"
	"\tmov %eax, %edx\n\tshr $17, %edx\n\txor %edx, %eax\n"
	"\tmov %eax, %edx\n\tshl $5, %edx\n\txor %edx, %eax\n"
	"\tmov %eax, %ecx\n\tand $0x3f0, %ecx\n"
	"\tmov %eax, %edx\n"
	"\tcmp $0x300, %ecx\n\tjne 2f\n"
	"\tand $0xfffff8ff, %edx\n"
	"2:\tmov %edx, (%rdi,%rcx)\n"
	"\tmov %eax, %ecx\n\tand $0x10, %ecx\n"
	"\tmov %eax, (%rsi,%rcx)\n"
	"\tdec %r8d\n\tjnz 1b\n"
	G_APIC_ON
	"\tmovl $0xb, 0x3e0(%rdi)\n"
	"\tmovl $0x20055, 0x320(%rdi)\n"
	"\tmovl $1, 0x380(%rdi)\n"
	G_DONE);

static void test_hostile(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_vcpu *vcpu = long_vcpu(vm, 0, LOAD_GUEST(vm, guest_hostile));
	struct kvm_lapic_state s;
	int i;

	vcpu_expect_done(vcpu);
	/* Garbage from the VMM too: the state ioctls take anything. */
	for (i = 0; i < (int)sizeof(s.regs); i++)
		s.regs[i] = (char)(i * 37 + 11);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_LAPIC, &s));
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_LAPIC, &s));
	vcpu_free(vcpu);
	vm_destroy(vm);
}

struct runner {
	struct kvm_vcpu *vcpu;
	struct ucall uc;
	int eagain;
};

/*
 * Run an AP until its first ucall, retrying KVM_RUN's EAGAIN.  An exit
 * that running again cannot get past (an internal error, e.g. real mode
 * where kvm-intel runs none without unrestricted guest) fails the test
 * instead of looping until the runner's timeout.
 */
static void *run_ap(void *arg)
{
	struct runner *r = arg;
	uint32_t reason;
	int ret;

	for (;;) {
		ret = ioctl(r->vcpu->fd, KVM_RUN, 0);
		if (ret < 0 && errno == EAGAIN) {
			r->eagain++;
			continue;
		}
		TEST_ASSERT_OK(ret);
		if (vcpu_get_ucall(r->vcpu, &r->uc))
			return NULL;
		reason = r->vcpu->run->exit_reason;
		TEST_ASSERT(reason != KVM_EXIT_INTERNAL_ERROR &&
			    reason != KVM_EXIT_FAIL_ENTRY &&
			    reason != KVM_EXIT_SHUTDOWN,
			    "AP %u: exit %s", r->vcpu->id,
			    exit_reason_str(reason));
		vcpu_complete_exit(r->vcpu);
	}
}

GUEST_CODE(guest_ipi_target, 64,
	G_APIC_ON
	G_SYNC(1)
	"\tsti\n"
	"1:\thlt\n\tjmp 1b\n");

GUEST_CODE(guest_ipi_sender, 64,
	G_APIC_ON
	"\tmovl $0x01000000, 0x310(%rdi)\n"	/* to APIC ID 1 */
	"\tmovl $0x4061, 0x300(%rdi)\n"		/* fixed, vector 0x61 */
	G_DONE);

static void test_ipi(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_vcpu *bsp = long_vcpu(vm, 0,
					 LOAD_GUEST(vm, guest_ipi_sender));
	struct runner ap = { .vcpu = long_vcpu(vm, 1,
					LOAD_GUEST(vm, guest_ipi_target)) };
	pthread_t t;

	vcpu_expect_sync(ap.vcpu, 1);
	TEST_ASSERT(!pthread_create(&t, NULL, run_ap, &ap), "thread");
	usleep(20000);		/* let the AP halt in the kernel */
	vcpu_expect_done(bsp);
	pthread_join(t, NULL);
	TEST_ASSERT_EQ(ap.uc.cmd, UCALL_VECTOR);
	TEST_ASSERT_EQ(ap.uc.arg0, 0x61);
	vcpu_free(bsp);
	vcpu_free(ap.vcpu);
	vm_destroy(vm);
}

/* The AP's real-mode start: CS = SIPI vector << 8, IP = 0. */
GUEST_CODE(guest_sipi_start, 16,
	"\tmov %cs, %bx\n"
	G_UCALL(UCALL_SYNC)
	"1:\thlt\n\tjmp 1b\n");

GUEST_CODE(guest_init_sipi, 64,
	G_APIC_ON
	"\tmovl $0x01000000, 0x310(%rdi)\n"
	"\tmovl $0x4500, 0x300(%rdi)\n"		/* INIT, level assert */
	"\tmovl $0x01000000, 0x310(%rdi)\n"
	"\tmovl $0x4600 + 0x40, 0x300(%rdi)\n"	/* SIPI, vector 0x40 */
	G_DONE);

static void test_init_sipi(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_vcpu *bsp = long_vcpu(vm, 0,
					 LOAD_GUEST(vm, guest_init_sipi));
	struct runner ap = { .vcpu = vcpu_add(vm, 1) };
	struct kvm_mp_state mp;
	pthread_t t;

	memcpy(gpa2hva(vm, 0x40000), guest_sipi_start_start,
	       guest_sipi_start_end - guest_sipi_start_start);
	TEST_ASSERT_OK(ioctl(ap.vcpu->fd, KVM_GET_MP_STATE, &mp));
	TEST_ASSERT_EQ(mp.mp_state, KVM_MP_STATE_UNINITIALIZED);
	TEST_ASSERT(!pthread_create(&t, NULL, run_ap, &ap), "thread");
	usleep(20000);
	vcpu_expect_done(bsp);
	pthread_join(t, NULL);
	TEST_ASSERT_EQ(ap.uc.cmd, UCALL_SYNC);
	TEST_ASSERT_EQ(ap.uc.arg0, 0x4000);	/* CS */
	TEST_ASSERT_EQ(ap.uc.regs.rip & 0xffff, ap.uc.regs.rip);
	TEST_ASSERT(ap.eagain >= 1, "KVM_RUN returned EAGAIN %d times",
		    ap.eagain);
	TEST_ASSERT_OK(ioctl(ap.vcpu->fd, KVM_GET_MP_STATE, &mp));
	TEST_ASSERT_EQ(mp.mp_state, KVM_MP_STATE_RUNNABLE);
	vcpu_free(bsp);
	vcpu_free(ap.vcpu);
	vm_destroy(vm);
}

/* In the data page: count, bits seen by each handler, ISR words, the word. */
#define PVE_COUNT	DATA_GPA
#define PVE_SEEN	(DATA_GPA + 0x8)
#define PVE_ISR		(DATA_GPA + 0x80)
#define PVE_WORD	(DATA_GPA + 0x100)

/* Record bit 0 of the word; clear it, or write EOI if it was clear. */
#define PVE_HANDLER_BODY						\
	"\tmov " STR(PVE_COUNT) ", %rax\n"				\
	"\tmovl " STR(PVE_WORD) ", %ebx\n"				\
	"\tmov %rbx, " STR(PVE_SEEN) "(,%rax,8)\n"			\
	"\tincq " STR(PVE_COUNT) "\n"					\
	"\tbtrl $0, " STR(PVE_WORD) "\n"				\
	"\tjc 1f\n"							\
	"\tmovl $0, 0xb0(%rdi)\n"					\
	"1:\tpop %rdx\n\tpop %rbx\n\tpop %rax\n\tiretq\n"

GUEST_CODE(guest_pve_handler, 64,
	"\tpush %rax\n\tpush %rbx\n\tpush %rdx\n"
	PVE_HANDLER_BODY);

/* The same, with a stop for the VMM before the word is touched. */
GUEST_CODE(guest_pve_handler_sync, 64,
	"\tpush %rax\n\tpush %rbx\n\tpush %rdx\n"
	G_SYNC(3)
	PVE_HANDLER_BODY);

/* Self-IPIs (ICR shorthand "self", fixed); ISR word 3 after each round. */
GUEST_CODE(guest_pv_eoi, 64,
	G_APIC_ON
	"\tmov $" STR(MSR_KVM_PV_EOI_EN) ", %ecx\n"
	"\tmov $" STR(PVE_WORD) " + 1, %eax\n"
	"\txor %edx, %edx\n\twrmsr\n"
	"\tsti\n"
	"\txor %r9d, %r9d\n"
	"\tmov $8, %r8d\n"
	"2:\tmovl $0x40060, 0x300(%rdi)\n\tnop\n"
	"\tor 0x130(%rdi), %r9d\n"
	"\tdec %r8d\n\tjnz 2b\n"
	"\tmov %r9d, " STR(PVE_ISR) "\n"
	G_SYNC(1)
	"\tcli\n"
	"\tmovl $0x40061, 0x300(%rdi)\n"
	"\tmovl $0x40062, 0x300(%rdi)\n"
	"\tsti\n\tnop\n\tnop\n"
	"\tmov 0x130(%rdi), %eax\n\tmov %eax, " STR(PVE_ISR) " + 4\n"
	G_SYNC(2)
	"\tmovl $0x40063, 0x300(%rdi)\n\tnop\n"
	"\tmov 0x130(%rdi), %eax\n\tmov %eax, " STR(PVE_ISR) " + 8\n"
	G_DONE);

/* Does the loaded KVM use AVIC or APICv?  KVM offers no PV EOI then. */
static bool host_apicv(void)
{
	static const char *const params[] = {
		"/sys/module/kvm_amd/parameters/avic",
		"/sys/module/kvm_intel/parameters/enable_apicv",
	};
	char c = 0;
	unsigned int i;
	FILE *f;

	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		f = fopen(params[i], "r");
		if (!f)
			continue;
		if (fread(&c, 1, 1, f) != 1)
			c = 0;
		fclose(f);
		if (c == 'Y' || c == '1')
			return true;
	}
	return false;
}

static void test_pv_eoi(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_cpuid2 *c = kvm_get_supported_cpuid(vm->kvm_fd);
	struct kvm_cpuid_entry2 *e = cpuid_find(c, KVM_CPUID_FEATURES, 0);
	struct kvm_vcpu *vcpu;
	uint64_t *count = gpa2hva(vm, PVE_COUNT), *seen = gpa2hva(vm, PVE_SEEN);
	uint32_t *isr = gpa2hva(vm, PVE_ISR);
	uint64_t msr;
	int i, offered;

	TEST_ASSERT(e && (e->eax & (1u << KVM_FEATURE_PV_EOI)),
		    "KVM_FEATURE_PV_EOI not offered");
	free(c);
	vcpu = long_vcpu(vm, 0, LOAD_GUEST(vm, guest_pv_eoi));
	for (i = 0x60; i <= 0x62; i++)
		vm_set_idt_gate(vm, i, LOAD_GUEST(vm, guest_pve_handler));
	vm_set_idt_gate(vm, 0x63, LOAD_GUEST(vm, guest_pve_handler_sync));
	/* The word must be 4-byte aligned: bit 1 is reserved. */
	TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, MSR_KVM_PV_EOI_EN,
					PVE_WORD | 3), 0);

	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(*count, 8);
	for (i = 0, offered = 0; i < 8; i++)
		offered += seen[i];
	TEST_ASSERT(offered >= 1 || host_apicv(),
		    "PV EOI never offered in 8 interrupts");
	TEST_ASSERT_EQ(isr[0], 0);	/* 0x60 left ISR each time */

	vcpu_expect_sync(vcpu, 2);
	TEST_ASSERT_EQ(*count, 10);
	TEST_ASSERT_EQ(seen[8], 0);	/* 0x62, with 0x61 in IRR */
	TEST_ASSERT_EQ(isr[1], 0);

	/* In 0x63's handler, before it reads the word: save and restore. */
	vcpu_expect_sync(vcpu, 3);
	msr = vcpu_get_msr(vcpu, MSR_KVM_PV_EOI_EN);
	TEST_ASSERT_EQ(msr, PVE_WORD | 1);
	TEST_ASSERT_EQ(vcpu_set_msr_raw(vcpu, MSR_KVM_PV_EOI_EN, msr), 1);
	vcpu_expect_done(vcpu);
	TEST_ASSERT_EQ(*count, 11);
	TEST_ASSERT_EQ(isr[2], 0);	/* whoever owed the EOI did it */
	vcpu_free(vcpu);
	vm_destroy(vm);
}

/* In the data page: the count, what each STI had seen, ISR per handler. */
#define IFC_COUNT	(DATA_GPA + 0x200)
#define IFC_SEEN	(DATA_GPA + 0x208)
#define IFC_ISR		(DATA_GPA + 0x240)

/* Record ISR 0x40-0x5f, count, EOI. */
GUEST_CODE(guest_ifc_handler, 64,
	"\tpush %rax\n\tpush %rbx\n"
	"\tmov " STR(IFC_COUNT) ", %rbx\n"
	"\tmov 0x120(%rdi), %eax\n"
	"\tmov %eax, " STR(IFC_ISR) "(,%rbx,4)\n"
	"\tincq " STR(IFC_COUNT) "\n"
	"\tmovl $0, 0xb0(%rdi)\n"
	"\tpop %rbx\n\tpop %rax\n\tiretq\n");

#define IFC_SPIN(n)							\
	"\tmov $2000, %ecx\n"						\
	#n ":\tdec %ecx\n\tjnz " #n "b\n"

#define IFC_NOTE(slot)							\
	"\tmov " STR(IFC_COUNT) ", %rax\n"				\
	"\tmov %rax, " STR(IFC_SEEN) " + 8 * " #slot "\n"

/*
 * Sync 1 with IF clear (the VMM sends 0x51), spin, note, STI, note.
 * Sync 2 with IF clear (0x52), TPR = 0x60, STI, spin, note, TPR = 0, note.
 * CR8 = 6, sync 3 with IF clear (0x53), STI, spin, note, CR8 = 0, note.
 * (A CR8 write while the window's V_IRQ is set aborts QEMU's SVM: the
 * guest writes CR8 only when no interrupt waits, or when one waits for
 * the TPR, whose CR8 writes KVM intercepts.)
 */
GUEST_CODE(guest_if_clear, 64,
	G_APIC_ON
	"\tcli\n"
	G_SYNC(1)
	IFC_SPIN(1)
	IFC_NOTE(0)
	"\tsti\n\tnop\n\tnop\n"
	IFC_NOTE(1)
	"\tcli\n"
	G_SYNC(2)
	"\tmovl $0x60, 0x80(%rdi)\n"
	"\tsti\n"
	IFC_SPIN(2)
	IFC_NOTE(2)
	"\tmovl $0, 0x80(%rdi)\n"
	"\tnop\n\tnop\n"
	IFC_NOTE(3)
	"\tcli\n"
	"\tmov $6, %eax\n\tmov %rax, %cr8\n"
	G_SYNC(3)
	"\tsti\n"
	IFC_SPIN(3)
	IFC_NOTE(4)
	"\txor %eax, %eax\n\tmov %rax, %cr8\n"
	"\tnop\n\tnop\n"
	IFC_NOTE(5)
	G_DONE);

static void test_if_clear(void)
{
	struct kvm_vm *vm = irq_vm();
	struct kvm_vcpu *vcpu = long_vcpu(vm, 0, LOAD_GUEST(vm, guest_if_clear));
	struct kvm_msi msi = { .address_lo = APIC_GPA, .data = 0x51 };
	uint64_t *seen = gpa2hva(vm, IFC_SEEN);
	uint32_t *isr = gpa2hva(vm, IFC_ISR);
	struct kvm_lapic_state s;

	vm_set_idt_gate(vm, 0x51, LOAD_GUEST(vm, guest_ifc_handler));
	vm_set_idt_gate(vm, 0x52, LOAD_GUEST(vm, guest_ifc_handler));
	vm_set_idt_gate(vm, 0x53, LOAD_GUEST(vm, guest_ifc_handler));
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_SIGNAL_MSI, &msi), 1);
	vcpu_expect_sync(vcpu, 2);
	TEST_ASSERT_EQ(seen[0], 0);	/* not with IF clear */
	TEST_ASSERT_EQ(seen[1], 1);	/* right after STI */
	TEST_ASSERT_EQ(isr[0], 1u << (0x51 - 0x40));
	msi.data = 0x52;
	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_SIGNAL_MSI, &msi), 1);
	vcpu_expect_sync(vcpu, 3);
	TEST_ASSERT_EQ(seen[2], 1);	/* TPR 0x60 held 0x52 back */
	TEST_ASSERT_EQ(seen[3], 2);	/* TPR 0 let it in */
	TEST_ASSERT_EQ(isr[1], 1u << (0x52 - 0x40));
	msi.data = 0x53;
	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_SIGNAL_MSI, &msi), 1);
	vcpu_expect_done(vcpu);
	TEST_ASSERT_EQ(seen[4], 2);	/* CR8 6 held 0x53 back */
	TEST_ASSERT_EQ(seen[5], 3);	/* CR8 0 let it in */
	TEST_ASSERT_EQ(isr[2], 1u << (0x53 - 0x40));
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_LAPIC, &s));
	TEST_ASSERT_EQ(apic_reg(&s, 0x120), 0);		/* ISR */
	TEST_ASSERT_EQ(apic_reg(&s, 0x220), 0);		/* IRR */
	TEST_ASSERT_EQ(apic_reg(&s, 0x80), 0);		/* TPR */
	vcpu_free(vcpu);
	vm_destroy(vm);
}

#define IFA_IN		(DATA_GPA + 0x280)
#define IFA_GO		(DATA_GPA + 0x288)

/*
 * Count, say so, wait for the VMM's go, EOI.  The wait is bounded: on a
 * host that cannot run the VMM's thread meanwhile, the second MSI comes
 * after the EOI and the test passes without testing anything.
 */
GUEST_CODE(guest_ifa_handler, 64,
	"\tpush %rcx\n"
	"\tincq " STR(IFC_COUNT) "\n"
	"\tmovq $1, " STR(IFA_IN) "\n"
	"\tmov $100000000, %ecx\n"
	"1:\tcmpq $0, " STR(IFA_GO) "\n\tjne 2f\n"
	"\tdec %ecx\n\tjnz 1b\n"
	"2:\tmovl $0, 0xb0(%rdi)\n"
	"\tpop %rcx\n"
	"\tiretq\n");

/*
 * INT 0x51 first, so that the IDT, the handler and the stack are mapped
 * and taking the MSI later needs no exit.  Sync 1 with IF clear (the VMM
 * sends 0x51 and clears go), STI, wait for go (the VMM sent 0x51 again),
 * then for the third count, sync 2.
 */
GUEST_CODE(guest_if_clear_again, 64,
	G_APIC_ON
	"\tint $0x51\n"
	"\tcli\n"
	G_SYNC(1)
	"\tsti\n"
	"3:\tcmpq $0, " STR(IFA_GO) "\n\tje 3b\n"
	"\tmov $2000000, %ecx\n"
	"1:\tcmpq $3, " STR(IFC_COUNT) "\n\tje 2f\n"
	"\tdec %ecx\n\tjnz 1b\n"
	"2:\tcli\n"
	G_SYNC(2)
	G_DONE);

static void test_if_clear_again(void)
{
	struct kvm_vm *vm = irq_vm();
	struct runner r = { .vcpu = long_vcpu(vm, 0,
				LOAD_GUEST(vm, guest_if_clear_again)) };
	struct kvm_msi msi = { .address_lo = APIC_GPA, .data = 0x51 };
	volatile uint64_t *in = gpa2hva(vm, IFA_IN);
	uint64_t *count = gpa2hva(vm, IFC_COUNT), *go = gpa2hva(vm, IFA_GO);
	double t0;
	pthread_t t;

	vm_set_idt_gate(vm, 0x51, LOAD_GUEST(vm, guest_ifa_handler));
	*go = 1;
	vcpu_expect_sync(r.vcpu, 1);
	TEST_ASSERT_EQ(*count, 1);
	*in = 0;
	*go = 0;
	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_SIGNAL_MSI, &msi), 1);
	TEST_ASSERT(!pthread_create(&t, NULL, run_ap, &r), "thread");
	t0 = test_now();
	while (!*in && test_now() - t0 < 10)
		;
	TEST_ASSERT(*in, "the handler never ran");
	TEST_ASSERT_EQ(ioctl(vm->fd, KVM_SIGNAL_MSI, &msi), 1);
	__atomic_store_n(go, 1, __ATOMIC_SEQ_CST);
	pthread_join(t, NULL);
	TEST_ASSERT_EQ(r.uc.cmd, UCALL_SYNC);
	TEST_ASSERT_EQ(r.uc.arg0, 2);
	TEST_ASSERT_EQ(*count, 3);	/* the second MSI was not lost */
	vcpu_free(r.vcpu);
	vm_destroy(vm);
}

int main(void)
{
	test_init("irqchip");
	RUN_SUBTEST("create", test_create());
	RUN_SUBTEST("chip_state", test_chip_state());
	RUN_SUBTEST("lapic_state", test_lapic_state());
	RUN_SUBTEST("mp_state", test_mp_state());
	RUN_SUBTEST("timer_oneshot", test_timer_oneshot());
	RUN_SUBTEST("timer_periodic", test_timer_periodic());
	RUN_SUBTEST("tsc_deadline", test_tsc_deadline());
	RUN_SUBTEST("ioapic_edge", test_ioapic_edge());
	RUN_SUBTEST("ioapic_level", test_ioapic_level());
	RUN_SUBTEST("pic", test_pic());
	RUN_SUBTEST("gsi_routing", test_gsi_routing());
	RUN_SUBTEST("signal_msi", test_signal_msi());
	RUN_SUBTEST("ipi", test_ipi());
	RUN_SUBTEST("init_sipi", test_init_sipi());
	RUN_SUBTEST("pv_eoi", test_pv_eoi());
	RUN_SUBTEST("if_clear", test_if_clear());
	RUN_SUBTEST("if_clear_again", test_if_clear_again());
	RUN_SUBTEST("hostile", test_hostile());
	test_done();
}
