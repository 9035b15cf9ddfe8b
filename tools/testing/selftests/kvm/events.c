// SPDX-License-Identifier: GPL-2.0
/*
 * events: getting interrupts, NMIs and exceptions into a 64-bit guest
 * without an in-kernel irqchip, and the vCPU state ioctls around them.
 *
 *   interrupt    guest does sti; hlt: KVM_EXIT_HLT, KVM_INTERRUPT(0x40) and
 *                the guest's handler for 0x40 runs; irq >= 256: EINVAL
 *   irq_window   request_interrupt_window while the guest has IF = 0 gives
 *                nothing until the guest's sti, then KVM_EXIT_IRQ_WINDOW_OPEN
 *                with if_flag/ready_for_interrupt_injection set
 *   nmi          KVM_NMI runs the guest's vector 2 handler
 *   vcpu_events  KVM_GET/SET_VCPU_EVENTS round trip and NMI masking; an
 *                injected #UD reaches the guest's handler; unknown flags,
 *                exception 2 and vectors > 31: EINVAL
 *   mp_state     RUNNABLE; only RUNNABLE can be set (no in-kernel LAPIC)
 *   debugregs    KVM_GET/SET_DEBUGREGS round trip; flags, DR6/DR7 upper
 *                halves: EINVAL
 *   signal_mask  KVM_SET_SIGNAL_MASK: a signal blocked in the thread but
 *                not in the vCPU mask interrupts KVM_RUN (EINTR,
 *                KVM_EXIT_INTR) and stays pending afterwards; NULL removes
 *                the mask; a wrong length is EINVAL
 */
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "x86.h"

static struct kvm_vm *vm;

/* A fresh vCPU per subtest (ids are never reused, closed fds or not). */
static struct kvm_vcpu *new_vcpu(uint64_t entry)
{
	static uint32_t next_id;

	return vcpu_add_long(vm, next_id++, entry);
}

GUEST_CODE(guest_hlt, 64,
	"\tsti\n"
	"1:\thlt\n"
	G_LABEL(guest_hlt_after)
	"\tjmp 1b\n");
extern const uint8_t guest_hlt_after[];

static void test_interrupt(void)
{
	uint64_t gpa = LOAD_GUEST(vm, guest_hlt);
	struct kvm_vcpu *vcpu = new_vcpu(gpa);
	struct kvm_interrupt irq = { .irq = 0x40 };
	struct ucall uc;

	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_HLT);
	TEST_ASSERT_EQ(vcpu->run->if_flag, 1);
	TEST_ASSERT_EQ(vcpu->run->ready_for_interrupt_injection, 1);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_INTERRUPT, &irq));
	vcpu_expect_vector(vcpu, 0x40, &uc);
	TEST_ASSERT_EQ(uc.line, gpa + BLOB_OFFSET(guest_hlt, guest_hlt_after));

	irq.irq = 256;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_INTERRUPT, &irq), EINVAL);
	irq.irq = ~0U;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_INTERRUPT, &irq), EINVAL);
	vcpu_free(vcpu);
}

GUEST_CODE(guest_window, 64,
	"\tcli\n"
	G_SYNC(1)
	G_SYNC(2)
	"\tsti\n"
	G_LABEL(guest_window_loop)
	"1:\tpause\n\tjmp 1b\n");
extern const uint8_t guest_window_loop[];

static void test_irq_window(void)
{
	uint64_t gpa = LOAD_GUEST(vm, guest_window);
	struct kvm_vcpu *vcpu = new_vcpu(gpa);
	struct kvm_interrupt irq = { .irq = 0x41 };
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;
	struct ucall uc;

	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(run->if_flag, 0);
	TEST_ASSERT_EQ(run->ready_for_interrupt_injection, 0);
	run->request_interrupt_window = 1;
	/* IF = 0: no window yet, the guest reaches its next ucall. */
	vcpu_expect_sync(vcpu, 2);
	TEST_ASSERT_EQ(run->if_flag, 0);
	TEST_ASSERT_EQ(run->ready_for_interrupt_injection, 0);

	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_IRQ_WINDOW_OPEN);
	TEST_ASSERT_EQ(run->if_flag, 1);
	TEST_ASSERT_EQ(run->ready_for_interrupt_injection, 1);
	vcpu_get_regs(vcpu, &regs);
	TEST_ASSERT(regs.rflags & 0x200, "rflags 0x%llx", regs.rflags);
	TEST_ASSERT(regs.rip >= gpa + BLOB_OFFSET(guest_window,
						  guest_window_loop) &&
		    regs.rip < gpa + BLOB_OFFSET(guest_window,
						 guest_window_loop) + 4,
		    "rip 0x%llx", regs.rip);

	run->request_interrupt_window = 0;
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_INTERRUPT, &irq));
	vcpu_expect_vector(vcpu, 0x41, &uc);
	vcpu_free(vcpu);
}

GUEST_CODE(guest_spin, 64,
	G_SYNC(1)
	G_LABEL(guest_spin_loop)
	"1:\tpause\n\tjmp 1b\n");
extern const uint8_t guest_spin_loop[];

static void test_nmi(void)
{
	uint64_t gpa = LOAD_GUEST(vm, guest_spin);
	struct kvm_vcpu *vcpu = new_vcpu(gpa);
	struct ucall uc;

	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_NMI));
	vcpu_expect_vector(vcpu, 2, &uc);
	TEST_ASSERT(uc.line >= gpa + BLOB_OFFSET(guest_spin, guest_spin_loop) &&
		    uc.line < gpa + BLOB_OFFSET(guest_spin, guest_spin_loop) + 4,
		    "NMI at rip 0x%llx", (unsigned long long)uc.line);
	vcpu_free(vcpu);
}

static void test_vcpu_events(void)
{
	uint64_t gpa = LOAD_GUEST(vm, guest_spin);
	struct kvm_vcpu *vcpu = new_vcpu(gpa);
	struct kvm_vcpu_events ev, got, bad;
	struct ucall uc;

	vcpu_expect_sync(vcpu, 1);
	memset(&ev, 0, sizeof(ev));
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev));
	TEST_ASSERT_EQ(ev.exception.injected, 0);
	TEST_ASSERT_EQ(ev.interrupt.injected, 0);
	TEST_ASSERT_EQ(ev.nmi.injected, 0);
	TEST_ASSERT_EQ(ev.nmi.pending, 0);
	TEST_ASSERT_EQ(ev.nmi.masked, 0);
	TEST_ASSERT_EQ(ev.flags & (KVM_VCPUEVENT_VALID_NMI_PENDING |
				   KVM_VCPUEVENT_VALID_SHADOW),
		       KVM_VCPUEVENT_VALID_NMI_PENDING |
		       KVM_VCPUEVENT_VALID_SHADOW);

	/* Round trip. */
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev));
	memset(&got, 0, sizeof(got));
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &got));
	TEST_ASSERT(!memcmp(&ev, &got, sizeof(ev)), "events changed");

	/* NMI masking is state that sticks. */
	got.nmi.masked = 1;
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &got));
	memset(&got, 0, sizeof(got));
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &got));
	TEST_ASSERT_EQ(got.nmi.masked, 1);
	got.nmi.masked = 0;
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &got));
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &got));
	TEST_ASSERT_EQ(got.nmi.masked, 0);

	/* Invalid requests. */
	bad = ev;
	bad.flags = 1U << 30;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &bad), EINVAL);
	bad = ev;
	bad.exception.injected = 1;
	bad.exception.nr = 2;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &bad), EINVAL);
	bad.exception.nr = 32;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &bad), EINVAL);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &got));
	TEST_ASSERT_EQ(got.exception.injected, 0);

	/* An injected #UD is delivered through the guest's IDT. */
	ev.exception.injected = 1;
	ev.exception.nr = 6;
	ev.exception.has_error_code = 0;
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev));
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &got));
	TEST_ASSERT_EQ(got.exception.injected, 1);
	TEST_ASSERT_EQ(got.exception.nr, 6);
	vcpu_expect_vector(vcpu, 6, &uc);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &got));
	TEST_ASSERT_EQ(got.exception.injected, 0);

	/* And an NMI made pending through SET_VCPU_EVENTS, too. */
	vcpu_setup_long(vcpu, gpa);
	vcpu_use_idt(vcpu);
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev));
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	ev.nmi.pending = 1;
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev));
	vcpu_expect_vector(vcpu, 2, &uc);
	vcpu_free(vcpu);
}

static void test_mp_state(void)
{
	struct kvm_vcpu *vcpu = new_vcpu(LOAD_GUEST(vm, guest_spin));
	struct kvm_mp_state mp = { .mp_state = 0x1234 };
	uint32_t s;

	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp));
	TEST_ASSERT_EQ(mp.mp_state, KVM_MP_STATE_RUNNABLE);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp));
	/* Without an in-kernel LAPIC nothing but RUNNABLE is accepted. */
	for (s = KVM_MP_STATE_UNINITIALIZED; s <= KVM_MP_STATE_SIPI_RECEIVED;
	     s++) {
		mp.mp_state = s;
		if (s != KVM_MP_STATE_RUNNABLE)
			TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_MP_STATE,
						&mp), EINVAL);
	}
	mp.mp_state = 1000;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp), EINVAL);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp));
	TEST_ASSERT_EQ(mp.mp_state, KVM_MP_STATE_RUNNABLE);
	/* Also after running, and the vCPU still runs. */
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp));
	TEST_ASSERT_EQ(mp.mp_state, KVM_MP_STATE_RUNNABLE);
	vcpu_free(vcpu);
}

static void test_debugregs(void)
{
	struct kvm_vcpu *vcpu = new_vcpu(LOAD_GUEST(vm, guest_spin));
	struct kvm_debugregs d, got, bad;
	int i;

	memset(&d, 0, sizeof(d));
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &d));
	TEST_ASSERT_EQ(d.flags, 0);
	TEST_ASSERT_EQ(d.dr6, 0xffff0ff0);
	TEST_ASSERT_EQ(d.dr7, 0x400);
	for (i = 0; i < 4; i++) {
		TEST_ASSERT_EQ(d.db[i], 0);
		d.db[i] = 0x1000 * (i + 1) + 0xffffffff80000000ULL;
	}
	d.dr6 = 0xffff0ff1;
	d.dr7 = 0x401;
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &d));
	memset(&got, 0, sizeof(got));
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &got));
	for (i = 0; i < 4; i++)
		TEST_ASSERT_EQ(got.db[i], d.db[i]);
	TEST_ASSERT_EQ(got.dr6, d.dr6);
	TEST_ASSERT_EQ(got.dr7, d.dr7);
	TEST_ASSERT_EQ(got.flags, 0);

	bad = d;
	bad.flags = 1;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &bad), EINVAL);
	bad = d;
	bad.dr6 |= 1ULL << 32;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &bad), EINVAL);
	bad = d;
	bad.dr7 |= 1ULL << 40;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &bad), EINVAL);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &got));
	TEST_ASSERT_EQ(got.dr7, d.dr7);
	TEST_ASSERT_EQ(got.dr6, d.dr6);
	vcpu_free(vcpu);
}

/* ------------------------------------------------------------ signals */

static volatile int nr_usr1;
static pthread_t main_thread;

static void usr1_handler(int sig)
{
	(void)sig;
	nr_usr1++;
}

static void *kick_thread(void *arg)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	(void)arg;
	nanosleep(&ts, NULL);
	pthread_kill(main_thread, SIGUSR1);
	return NULL;
}

/* Consume a pending SIGUSR1; true if there was one. */
static bool take_usr1(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	return sigtimedwait(&set, NULL, &zero) == SIGUSR1;
}

static bool usr1_pending(void)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, SIGUSR1);
}

GUEST_CODE(guest_sig, 64,
	G_SYNC(1)
	G_SYNC(2)
	"1:\tpause\n\tcmpb $0, " STR(DATA_GPA) "\n\tje 1b\n"
	G_SYNC(3)
	G_DONE);

static int set_sigmask(struct kvm_vcpu *vcpu, uint32_t len,
		       const sigset_t *set)
{
	struct {
		struct kvm_signal_mask hdr;
		uint8_t bits[128];
	} m;

	memset(&m, 0, sizeof(m));
	m.hdr.len = len;
	memcpy(m.bits, set, len < sizeof(m.bits) ? len : sizeof(m.bits));
	return ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, &m);
}

static void test_signal_mask(void)
{
	struct kvm_vcpu *vcpu = new_vcpu(LOAD_GUEST(vm, guest_sig));
	struct sigaction sa = { .sa_handler = usr1_handler };
	volatile uint8_t *flag = gpa2hva(vm, DATA_GPA);
	sigset_t usr1, old, empty;
	pthread_t t;

	*flag = 0;
	sigemptyset(&empty);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	TEST_ASSERT_OK(sigaction(SIGUSR1, &sa, NULL));
	TEST_ASSERT_OK(pthread_sigmask(SIG_BLOCK, &usr1, &old));
	main_thread = pthread_self();
	nr_usr1 = 0;

	/* Wrong sizes of the kernel sigset (8 bytes on x86-64). */
	TEST_ASSERT_ERRNO(set_sigmask(vcpu, 4, &empty), EINVAL);
	TEST_ASSERT_ERRNO(set_sigmask(vcpu, 16, &empty), EINVAL);
	TEST_ASSERT_ERRNO(set_sigmask(vcpu, 128, &empty), EINVAL);

	/* No vCPU mask: a pending, blocked SIGUSR1 does not stop KVM_RUN. */
	TEST_ASSERT_OK(raise(SIGUSR1));
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT(usr1_pending(), "SIGUSR1 vanished");

	/* A vCPU mask that does not block it: EINTR before guest entry. */
	TEST_ASSERT_OK(set_sigmask(vcpu, 8, &empty));
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EINTR);
	TEST_ASSERT_EQ(vcpu->run->exit_reason, KVM_EXIT_INTR);
	/* KVM_RUN restored the thread's mask: still pending, not handled. */
	TEST_ASSERT_EQ(nr_usr1, 0);
	TEST_ASSERT(take_usr1(), "SIGUSR1 not pending after EINTR");
	vcpu_expect_sync(vcpu, 2);

	/* Sent from another thread while the guest spins. */
	TEST_ASSERT_EQ(pthread_create(&t, NULL, kick_thread, NULL), 0);
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EINTR);
	TEST_ASSERT_EQ(vcpu->run->exit_reason, KVM_EXIT_INTR);
	pthread_join(t, NULL);
	TEST_ASSERT_EQ(nr_usr1, 0);
	TEST_ASSERT(take_usr1(), "SIGUSR1 not pending after EINTR");

	/* NULL removes the vCPU mask: blocked again while in KVM_RUN. */
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, NULL));
	TEST_ASSERT_OK(raise(SIGUSR1));
	*flag = 1;
	vcpu_expect_sync(vcpu, 3);
	TEST_ASSERT(take_usr1(), "SIGUSR1 vanished");

	/* A mask that blocks SIGUSR1 behaves the same. */
	TEST_ASSERT_OK(set_sigmask(vcpu, 8, &usr1));
	TEST_ASSERT_OK(raise(SIGUSR1));
	vcpu_expect_done(vcpu);
	TEST_ASSERT(take_usr1(), "SIGUSR1 vanished");

	TEST_ASSERT_EQ(nr_usr1, 0);
	TEST_ASSERT_OK(pthread_sigmask(SIG_SETMASK, &old, NULL));
	signal(SIGUSR1, SIG_DFL);
	vcpu_free(vcpu);
}

int main(void)
{
	test_init("events");
	vm = vm_create();
	vm_setup_idt(vm);
	RUN_SUBTEST("interrupt", test_interrupt());
	RUN_SUBTEST("irq_window", test_irq_window());
	RUN_SUBTEST("nmi", test_nmi());
	RUN_SUBTEST("vcpu_events", test_vcpu_events());
	RUN_SUBTEST("mp_state", test_mp_state());
	RUN_SUBTEST("debugregs", test_debugregs());
	RUN_SUBTEST("signal_mask", test_signal_mask());
	vm_destroy(vm);
	test_done();
}
