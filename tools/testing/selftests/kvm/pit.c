// SPDX-License-Identifier: GPL-2.0
/*
 * pit: the in-kernel 8254 (KVM_CREATE_PIT2) on top of the in-kernel irqchip.
 *
 *   caps          KVM_CAP_PIT, PIT2, PIT_STATE2, REINJECT_CONTROL
 *   create        ENXIO for the state ioctls without a PIT; EEXIST twice
 *                 (PIT2 and the legacy KVM_CREATE_PIT); as upstream 6.1,
 *                 no irqchip needed and unknown flags ignored; reset gates
 *   state         KVM_SET/GET_PIT2 and KVM_SET/GET_PIT round trips with
 *                 the flags; garbage state is accepted and harmless
 *   fast          channel 0 programmed to the fastest period (count 1),
 *                 then the VM is closed with the timer running; also
 *                 with no irqchip at all
 *   pic_ticks     the guest programs the PIC (vector 0x30, IRQ0 only),
 *                 LINT0 ExtINT and channel 0 at ~10 ms, counts 10 ticks
 *                 with an EOI to the PIC each; no faster than real time
 *   ioapic_ticks  the same through IOAPIC pin 0 (default routing of GSI
 *                 0), PIC masked, EOI to the LAPIC
 *   no_reinject   pic_ticks with KVM_REINJECT_CONTROL off
 *   catchup       ticks missed while IF=0 come one per EOI, faster than
 *                 the period (a channel-2 stopwatch tells); catchup_off:
 *                 without reinjection they are lost (IRQ0 edges coalesce)
 *   ioapic_catchup  catchup through IOAPIC pin 0 with EOIs to the LAPIC:
 *                 the LAPIC EOI of the pin's (edge) vector acknowledges
 *                 the tick, so missed ones are reinjected there too
 *   speaker       KVM_PIT_SPEAKER_DUMMY: port 0x61 in the kernel; channel
 *                 2 one-shot gated by bit 0, polled until bit 5 (OUT2)
 *                 rises; KVM_CREATE_PIT implies the flag; without it
 *                 port 0x61 exits to userspace
 *   reinject      KVM_REINJECT_CONTROL: 0 with a PIT, ENXIO without
 */
#include <sys/ioctl.h>
#include <unistd.h>

#include "x86.h"

#define PIT_10MS	11932		/* 1193182 Hz / 100 */
#define PIT_30MS	35795
#define PIT_54MS	64431		/* near the 16-bit counter's limit */

static struct kvm_vm *pit_vm(uint32_t flags)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_pit_config cfg = { .flags = flags };

	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_PIT2, &cfg));
	vm_setup_idt(vm);
	return vm;
}

static void test_caps(void)
{
	int kvm = kvm_open();

	TEST_ASSERT_EQ(kvm_check_cap(kvm, KVM_CAP_PIT), 1);
	TEST_ASSERT_EQ(kvm_check_cap(kvm, KVM_CAP_PIT2), 1);
	TEST_ASSERT_EQ(kvm_check_cap(kvm, KVM_CAP_PIT_STATE2), 1);
	TEST_ASSERT_EQ(kvm_check_cap(kvm, KVM_CAP_REINJECT_CONTROL), 1);
	close(kvm);
}

static void test_create(void)
{
	struct kvm_reinject_control rc = { .pit_reinject = 1 };
	struct kvm_pit_config cfg = { .flags = 0 };
	struct kvm_vm *vm = vm_create();
	struct kvm_pit_state2 s2;
	struct kvm_pit_state s;

	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_GET_PIT2, &s2), ENXIO);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_SET_PIT2, &s2), ENXIO);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_GET_PIT, &s), ENXIO);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_SET_PIT, &s), ENXIO);
	/* Upstream 6.1 needs no irqchip, before or after. */
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_PIT2, &cfg));
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_CREATE_PIT2, &cfg), EEXIST);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_CREATE_PIT, 0), EEXIST);
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_GET_PIT2, &s2));
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_REINJECT_CONTROL, &rc));
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_GET_PIT2, &s2));
	vm_destroy(vm);

	/* The legacy ioctl. */
	vm = vm_create();
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_PIT, 0));
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_CREATE_PIT2, &cfg), EEXIST);
	vm_destroy(vm);

	/* Unknown flags and the pad are ignored, as upstream. */
	vm = vm_create();
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	cfg.flags = 0xfffffffe;
	memset(cfg.pad, 0xff, sizeof(cfg.pad));
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_PIT2, &cfg));
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_GET_PIT2, &s2));
	TEST_ASSERT_EQ(s2.channels[0].gate, 1);
	TEST_ASSERT_EQ(s2.channels[1].gate, 1);
	TEST_ASSERT_EQ(s2.channels[2].gate, 0);
	TEST_ASSERT_EQ(s2.flags, 0);
	vm_destroy(vm);
}

static void set_channel(struct kvm_pit_channel_state *c, uint32_t count,
			uint8_t mode, uint8_t gate)
{
	memset(c, 0, sizeof(*c));
	c->count = count;
	c->mode = mode;
	c->gate = gate;
	c->rw_mode = 3;
	c->read_state = 3;
	c->write_state = 3;
}

static void check_channels(const struct kvm_pit_channel_state *a,
			   const struct kvm_pit_channel_state *b)
{
	int i;

	for (i = 0; i < 3; i++) {
		TEST_ASSERT_EQ(a[i].count, b[i].count);
		TEST_ASSERT_EQ(a[i].mode, b[i].mode);
		TEST_ASSERT_EQ(a[i].gate, b[i].gate);
		TEST_ASSERT_EQ(a[i].rw_mode, b[i].rw_mode);
		TEST_ASSERT_EQ(a[i].bcd, b[i].bcd);
	}
}

static void test_state(void)
{
	struct kvm_vm *vm = pit_vm(0);
	struct kvm_pit_state2 in, out;
	struct kvm_pit_state s;

	memset(&in, 0, sizeof(in));
	set_channel(&in.channels[0], 0x8000, 2, 1);
	set_channel(&in.channels[1], 100, 3, 1);
	set_channel(&in.channels[2], 0x1234, 0, 1);
	in.flags = KVM_PIT_FLAGS_HPET_LEGACY | KVM_PIT_FLAGS_SPEAKER_DATA_ON;
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_SET_PIT2, &in));
	memset(&out, 0xcc, sizeof(out));
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_GET_PIT2, &out));
	check_channels(in.channels, out.channels);
	TEST_ASSERT_EQ(out.flags, in.flags);

	/* The old pair: channels only, the flags stay. */
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_GET_PIT, &s));
	check_channels(in.channels, s.channels);
	s.channels[1].count = 200;
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_SET_PIT, &s));
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_GET_PIT2, &out));
	TEST_ASSERT_EQ(out.channels[1].count, 200);
	TEST_ASSERT_EQ(out.flags, in.flags);

	/* Garbage: accepted, and the VM lives on (timer possibly armed). */
	memset(&in, 0xff, sizeof(in));
	in.flags = 0;
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_SET_PIT2, &in));
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_GET_PIT2, &out));
	memset(&in, 0x5a, sizeof(in));
	in.flags = 0;
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_SET_PIT2, &in));
	usleep(20000);
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_GET_PIT2, &out));
	vm_destroy(vm);
}

/* Periodic channel 0 at the fastest rate; close the VM while it runs. */
static void test_fast(void)
{
	struct kvm_pit_config cfg = { .flags = 0 };
	struct kvm_vm *vm = pit_vm(0);
	struct kvm_pit_state2 in;
	int i;

	memset(&in, 0, sizeof(in));
	for (i = 0; i < 3; i++)
		set_channel(&in.channels[i], 1, 2, 1);
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_SET_PIT2, &in));
	usleep(50000);
	set_channel(&in.channels[0], 2, 3, 1);
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_SET_PIT2, &in));
	usleep(50000);
	vm_destroy(vm);

	/* No irqchip: the ticks go nowhere. */
	vm = vm_create();
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_PIT2, &cfg));
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_SET_PIT2, &in));
	usleep(20000);
	vm_destroy(vm);
}

/* Channel 0: mode 2, LSB then MSB, ~10 ms. */
#define G_PIT_CH0_10MS							\
	"\tmov $0x34, %al\n\tout %al, $0x43\n"				\
	"\tmov $" STR(PIT_10MS) ", %eax\n"				\
	"\tout %al, $0x40\n"						\
	"\tmov %ah, %al\n\tout %al, $0x40\n"

/* Wait for 10 ticks counted in DATA_GPA by the handler, then done. */
#define G_WAIT_10_TICKS							\
	"\tsti\n"							\
	"1:\thlt\n"							\
	"\tcmpq $10, " STR(DATA_GPA) "\n"				\
	"\tjb 1b\n"							\
	"\tcli\n"							\
	G_DONE

GUEST_CODE(guest_pic_tick, 64,
	"\tpush %rax\n"
	"\tincq " STR(DATA_GPA) "\n"
	"\tmov $0x20, %al\n\tout %al, $0x20\n"	/* non-specific EOI */
	"\tpop %rax\n"
	"\tiretq\n");

/* Master PIC at 0x30, only IRQ 0 unmasked; LINT0 = ExtINT. */
GUEST_CODE(guest_pic_ticks, 64,
	G_APIC_ON
	"\tmovl $0x700, 0x350(%rdi)\n"
	"\tmov $0x11, %al\n\tout %al, $0x20\n"
	"\tmov $0x30, %al\n\tout %al, $0x21\n"
	"\tmov $0x04, %al\n\tout %al, $0x21\n"
	"\tmov $0x01, %al\n\tout %al, $0x21\n"
	"\tmov $0xfe, %al\n\tout %al, $0x21\n"
	"\tmovq $0, " STR(DATA_GPA) "\n"
	G_PIT_CH0_10MS
	G_WAIT_10_TICKS);

static void run_ticks(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	double t0 = test_now(), dt;

	vcpu_expect_done(vcpu);
	dt = test_now() - t0;
	TEST_ASSERT(dt > 0.080, "10 ticks in %.4f s", dt);
	TEST_ASSERT(dt < 30, "10 ticks in %.4f s", dt);
	TEST_ASSERT_EQ(*(uint64_t *)gpa2hva(vm, DATA_GPA), 10);
	test_note("10 ticks in %.3f s", dt);
}

static void pic_ticks(bool reinject)
{
	struct kvm_vm *vm = pit_vm(0);
	struct kvm_vcpu *vcpu = vcpu_add_long(vm, 0, LOAD_GUEST(vm, guest_pic_ticks));
	struct kvm_reinject_control rc = { .pit_reinject = reinject };

	TEST_ASSERT_OK(ioctl(vm->fd, KVM_REINJECT_CONTROL, &rc));
	vm_set_idt_gate(vm, 0x30, LOAD_GUEST(vm, guest_pic_tick));
	run_ticks(vm, vcpu);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

/*
 * The rest of a catch-up guest: channel 0 at ~10 ms, sync 1 (the host
 * then sleeps several periods), a channel-2 stopwatch of @count, sti,
 * wait for @ticks ticks and report port 0x61.
 */
#define G_CATCHUP_TAIL(count, ticks)					\
	G_PIT_CH0_10MS							\
	G_SYNC(1)							\
	"\tin $0x61, %al\n"						\
	"\tand $0xfc, %al\n\tout %al, $0x61\n"				\
	"\tmov $0xb0, %al\n\tout %al, $0x43\n"				\
	"\tmov $" STR(count) ", %eax\n"					\
	"\tout %al, $0x42\n"						\
	"\tmov %ah, %al\n\tout %al, $0x42\n"				\
	"\tin $0x61, %al\n\tor $0x01, %al\n\tout %al, $0x61\n"		\
	"\tsti\n"							\
	"1:\thlt\n"							\
	"\tcmpq $" STR(ticks) ", " STR(DATA_GPA) "\n"			\
	"\tjb 1b\n"							\
	"\tcli\n"							\
	"\tin $0x61, %al\n"						\
	"\tmovzbl %al, %ebx\n"						\
	G_UCALL(UCALL_SYNC)						\
	G_DONE

/*
 * Missed ticks: IRQ0 blocked (IF=0) while the host sleeps ~8 periods,
 * then a 30 ms channel-2 stopwatch (mode 0, gate on) and sti; report
 * port 0x61 once 6 ticks were handled: OUT2 (bit 5) still low means they
 * came faster than the 10 ms period, i.e. reinjected.
 */
GUEST_CODE(guest_catchup, 64,
	"\tcli\n"
	G_APIC_ON
	"\tmovl $0x700, 0x350(%rdi)\n"
	"\tmov $0x11, %al\n\tout %al, $0x20\n"
	"\tmov $0x30, %al\n\tout %al, $0x21\n"
	"\tmov $0x04, %al\n\tout %al, $0x21\n"
	"\tmov $0x01, %al\n\tout %al, $0x21\n"
	"\tmov $0xfe, %al\n\tout %al, $0x21\n"
	"\tmovq $0, " STR(DATA_GPA) "\n"
	G_CATCHUP_TAIL(PIT_30MS, 6));

/*
 * Run a catch-up guest: @missed_us of periods missed at sync 1; with
 * reinjection the ticks come before the stopwatch ends (OUT2 low),
 * without it not.
 */
static void run_catchup(struct kvm_vm *vm, struct kvm_vcpu *vcpu,
			bool reinject, unsigned int missed_us)
{
	struct ucall uc;

	vcpu_expect_sync(vcpu, 1);
	usleep(missed_us);
	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT_EQ(uc.cmd, UCALL_SYNC);
	test_note("reinject %d: OUT2 at the last tick: %d", reinject,
		  !!(uc.arg0 & 0x20));
	TEST_ASSERT_EQ(uc.arg0 & 0x20, reinject ? 0 : 0x20);
	vcpu_expect_done(vcpu);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void catchup(bool reinject)
{
	struct kvm_vm *vm = pit_vm(KVM_PIT_SPEAKER_DUMMY);
	struct kvm_vcpu *vcpu = vcpu_add_long(vm, 0, LOAD_GUEST(vm, guest_catchup));
	struct kvm_reinject_control rc = { .pit_reinject = reinject };

	TEST_ASSERT_OK(ioctl(vm->fd, KVM_REINJECT_CONTROL, &rc));
	vm_set_idt_gate(vm, 0x30, LOAD_GUEST(vm, guest_pic_tick));
	run_catchup(vm, vcpu, reinject, 80000);
}

GUEST_CODE(guest_apic_tick, 64,
	"\tincq " STR(DATA_GPA) "\n"
	"\tmovl $0, 0xb0(%rdi)\n"
	"\tiretq\n");

/* PIC fully masked; IOAPIC pin 0: vector 0x31, edge, fixed, APIC 0. */
#define G_IOAPIC_PIN0							\
	G_APIC_ON							\
	"\tmov $0xff, %al\n\tout %al, $0x21\n\tout %al, $0xa1\n"		\
	"\tmov $" STR(IOAPIC_GPA) ", %esi\n"				\
	"\tmovl $0x10, (%rsi)\n\tmovl $0x31, 0x10(%rsi)\n"		\
	"\tmovl $0x11, (%rsi)\n\tmovl $0, 0x10(%rsi)\n"		\
	"\tmovq $0, " STR(DATA_GPA) "\n"

GUEST_CODE(guest_ioapic_ticks, 64,
	G_IOAPIC_PIN0
	G_PIT_CH0_10MS
	G_WAIT_10_TICKS);

static void test_ioapic_ticks(void)
{
	struct kvm_vm *vm = pit_vm(0);
	struct kvm_vcpu *vcpu = vcpu_add_long(vm, 0,
					      LOAD_GUEST(vm, guest_ioapic_ticks));

	vm_set_idt_gate(vm, 0x31, LOAD_GUEST(vm, guest_apic_tick));
	run_ticks(vm, vcpu);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

/*
 * guest_catchup with the ticks through IOAPIC pin 0 (PIC masked): each
 * reinjected tick costs more exits there (the EOI to the LAPIC), so 7
 * ticks get 54 ms, where 7 ticks 10 ms apart need 60.
 */
GUEST_CODE(guest_ioapic_catchup, 64,
	"\tcli\n"
	G_IOAPIC_PIN0
	G_CATCHUP_TAIL(PIT_54MS, 7));

static void test_ioapic_catchup(void)
{
	struct kvm_vm *vm = pit_vm(KVM_PIT_SPEAKER_DUMMY);
	struct kvm_vcpu *vcpu = vcpu_add_long(vm, 0,
					      LOAD_GUEST(vm, guest_ioapic_catchup));

	vm_set_idt_gate(vm, 0x31, LOAD_GUEST(vm, guest_apic_tick));
	run_catchup(vm, vcpu, true, 120000);
}

/*
 * Channel 2, mode 0 (OUT2 rises at terminal count), ~10 ms, gated on
 * through port 0x61 bit 0; report port 0x61 at once, then poll bit 5.
 */
GUEST_CODE(guest_speaker, 64,
	"\tin $0x61, %al\n"
	"\tand $0xfc, %al\n\tout %al, $0x61\n"
	"\tmov $0xb0, %al\n\tout %al, $0x43\n"
	"\tmov $" STR(PIT_10MS) ", %eax\n"
	"\tout %al, $0x42\n"
	"\tmov %ah, %al\n\tout %al, $0x42\n"
	"\tin $0x61, %al\n\tor $0x01, %al\n\tout %al, $0x61\n"
	"\tin $0x61, %al\n"
	"\tmovzbl %al, %ebx\n"
	G_UCALL(UCALL_SYNC)
	"1:\tin $0x61, %al\n"
	"\ttest $0x20, %al\n"
	"\tjz 1b\n"
	"\tmovzbl %al, %ebx\n"
	G_UCALL(UCALL_SYNC)
	G_DONE);

static void test_speaker(void)
{
	struct kvm_vm *vm = pit_vm(KVM_PIT_SPEAKER_DUMMY);
	struct kvm_vcpu *vcpu = vcpu_add_long(vm, 0, LOAD_GUEST(vm, guest_speaker));
	double t0 = test_now();
	struct ucall uc;

	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT_EQ(uc.cmd, UCALL_SYNC);
	TEST_ASSERT_EQ(uc.arg0 & 0x21, 0x01);	/* gate on, OUT2 low */
	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT_EQ(uc.cmd, UCALL_SYNC);
	TEST_ASSERT_EQ(uc.arg0 & 0x21, 0x21);
	TEST_ASSERT(test_now() - t0 > 0.008, "OUT2 after %.4f s",
		    test_now() - t0);
	vcpu_expect_done(vcpu);
	vcpu_free(vcpu);
	vm_destroy(vm);

	/* The legacy KVM_CREATE_PIT implies KVM_PIT_SPEAKER_DUMMY. */
	vm = vm_create();
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_PIT, 0));
	vm_setup_idt(vm);
	vcpu = vcpu_add_long(vm, 0, LOAD_GUEST(vm, guest_speaker));
	vcpu_ucall(vcpu, &uc);
	TEST_ASSERT_EQ(uc.cmd, UCALL_SYNC);
	TEST_ASSERT_EQ(uc.arg0 & 0x21, 0x01);
	vcpu_free(vcpu);
	vm_destroy(vm);

	/* Without KVM_PIT_SPEAKER_DUMMY, port 0x61 is the VMM's. */
	vm = pit_vm(0);
	vcpu = vcpu_add_long(vm, 0, LOAD_GUEST(vm, guest_speaker));
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_IO);
	TEST_ASSERT_EQ(vcpu->run->io.port, 0x61);
	TEST_ASSERT_EQ(vcpu->run->io.direction, KVM_EXIT_IO_IN);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void test_reinject(void)
{
	struct kvm_reinject_control rc = { .pit_reinject = 0 };
	struct kvm_vm *vm = vm_create();

	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_REINJECT_CONTROL, &rc), ENXIO);
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_REINJECT_CONTROL, &rc), ENXIO);
	vm_destroy(vm);

	vm = pit_vm(0);
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_REINJECT_CONTROL, &rc));
	rc.pit_reinject = 1;
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_REINJECT_CONTROL, &rc));
	rc.pit_reinject = 0xff;
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_REINJECT_CONTROL, &rc));
	vm_destroy(vm);
}

int main(void)
{
	test_init("pit");
	RUN_SUBTEST("caps", test_caps());
	RUN_SUBTEST("create", test_create());
	RUN_SUBTEST("state", test_state());
	RUN_SUBTEST("fast", test_fast());
	RUN_SUBTEST("pic_ticks", pic_ticks(true));
	RUN_SUBTEST("ioapic_ticks", test_ioapic_ticks());
	RUN_SUBTEST("no_reinject", pic_ticks(false));
	RUN_SUBTEST("catchup", catchup(true));
	RUN_SUBTEST("catchup_off", catchup(false));
	RUN_SUBTEST("ioapic_catchup", test_ioapic_catchup());
	RUN_SUBTEST("speaker", test_speaker());
	RUN_SUBTEST("reinject", test_reinject());
	test_done();
}
