// SPDX-License-Identifier: GPL-2.0
/*
 * sync_regs: KVM_CAP_SYNC_REGS, the registers, special registers and vCPU
 * events in kvm_run->s.regs.
 *
 *   cap                 KVM_CHECK_EXTENSION answers REGS|SREGS|EVENTS
 *   bad_masks           an unknown bit in kvm_valid_regs or kvm_dirty_regs
 *                       fails KVM_RUN with EINVAL, loads nothing, and the
 *                       known sets in kvm_valid_regs are still stored
 *   store               at an exit each set in kvm_valid_regs equals what
 *                       KVM_GET_REGS/SREGS/VCPU_EVENTS say (but padding
 *                       and the interrupt bitmap); with
 *                       kvm_valid_regs 0 s.regs is left alone
 *   load                a set in kvm_dirty_regs reaches the guest, its bit
 *                       is cleared; without the bit s.regs is ignored
 *   immediate_exit      with immediate_exit the dirty sets are loaded and
 *                       the valid ones stored although KVM_RUN is EINTR
 *   bad_sets            special registers or events that KVM_SET_SREGS /
 *                       KVM_SET_VCPU_EVENTS refuse fail KVM_RUN with EINVAL;
 *                       the sets before them are loaded and their bits
 *                       cleared, the refused one is not loaded
 *   moved_rip           a RIP loaded from s.regs after an IN exit drops
 *                       that IN (no RAX, no RIP advance); left alone, the
 *                       IN completes
 */
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_util.h"
#include "x86.h"

#define SYNC_PORT	0x1000
#define ALL_SETS	(KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | \
			 KVM_SYNC_X86_EVENTS)
#define BAD_SET		0x80000000ULL
#define EFER_LMA_BIT	(1ULL << 10)

/* Each exit is an IN at the same RIP; RBX counts the completed ones. */
GUEST_CODE(sync_loop, 64,
	"\tmov $" STR(SYNC_PORT) ", %dx\n"
	G_LABEL(sync_in)
	"1:\tin %dx, %al\n"
	"\tadd $1, %rbx\n"
	"\tjmp 1b\n");
extern const uint8_t sync_in[];

static struct kvm_vcpu *sync_vcpu(struct kvm_vm **vm)
{
	struct kvm_vcpu *vcpu;

	*vm = vm_create();
	vcpu = vcpu_add(*vm, 0);
	vcpu_setup_long(vcpu, LOAD_GUEST(*vm, sync_loop));
	return vcpu;
}

/* KVM_RUN that must stop at the guest's IN. */
static void run_to_in(struct kvm_vcpu *vcpu)
{
	TEST_ASSERT_OK(vcpu_run_raw(vcpu));
	vcpu_assert_exit(vcpu, KVM_EXIT_IO);
	TEST_ASSERT_EQ(vcpu->run->io.port, SYNC_PORT);
}

static void get_events(struct kvm_vcpu *vcpu, struct kvm_vcpu_events *e)
{
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, e));
}

/*
 * What upstream's store leaves as it was in kvm_run (KVM_GET_SREGS zeroes
 * it): the padding of the segments and tables, and the interrupt bitmap,
 * into which it only sets the bit of an injected interrupt.
 */
static void sregs_clear_padding(struct kvm_sregs *s)
{
	struct kvm_segment *seg[] = { &s->cs, &s->ds, &s->es, &s->fs,
				      &s->gs, &s->ss, &s->tr, &s->ldt };
	unsigned int i;

	for (i = 0; i < 8; i++)
		seg[i]->padding = 0;
	memset(s->gdt.padding, 0, sizeof(s->gdt.padding));
	memset(s->idt.padding, 0, sizeof(s->idt.padding));
	memset(s->interrupt_bitmap, 0, sizeof(s->interrupt_bitmap));
}

/* The fields of kvm_vcpu_events that okvm and KVM 6.1 both fill. */
static void assert_events_eq(const struct kvm_vcpu_events *a,
			     const struct kvm_vcpu_events *b)
{
	TEST_ASSERT_EQ(a->exception.injected, b->exception.injected);
	TEST_ASSERT_EQ(a->exception.nr, b->exception.nr);
	TEST_ASSERT_EQ(a->exception.has_error_code,
		       b->exception.has_error_code);
	TEST_ASSERT_EQ(a->exception.error_code, b->exception.error_code);
	TEST_ASSERT_EQ(a->interrupt.injected, b->interrupt.injected);
	TEST_ASSERT_EQ(a->interrupt.nr, b->interrupt.nr);
	TEST_ASSERT_EQ(a->interrupt.shadow, b->interrupt.shadow);
	TEST_ASSERT_EQ(a->nmi.injected, b->nmi.injected);
	TEST_ASSERT_EQ(a->nmi.pending, b->nmi.pending);
	TEST_ASSERT_EQ(a->nmi.masked, b->nmi.masked);
	TEST_ASSERT_EQ(a->sipi_vector, b->sipi_vector);
	TEST_ASSERT_EQ(a->flags, b->flags);
}

/* s.regs holds what the GET ioctls report. */
static void assert_synced(struct kvm_vcpu *vcpu, uint64_t sets)
{
	struct kvm_sync_regs *s = &vcpu->run->s.regs;
	struct kvm_sregs sregs, stored;
	struct kvm_vcpu_events e;
	struct kvm_regs regs;

	if (sets & KVM_SYNC_X86_REGS) {
		vcpu_get_regs(vcpu, &regs);
		TEST_ASSERT(!memcmp(&regs, &s->regs, sizeof(regs)),
			    "s.regs.regs differs from KVM_GET_REGS");
	}
	if (sets & KVM_SYNC_X86_SREGS) {
		vcpu_get_sregs(vcpu, &sregs);
		stored = s->sregs;
		sregs_clear_padding(&sregs);
		sregs_clear_padding(&stored);
		TEST_ASSERT(!memcmp(&sregs, &stored, sizeof(sregs)),
			    "s.regs.sregs differs from KVM_GET_SREGS");
	}
	if (sets & KVM_SYNC_X86_EVENTS) {
		get_events(vcpu, &e);
		assert_events_eq(&e, &s->events);
	}
}

static void test_cap(void)
{
	int kvm = kvm_open();
	struct kvm_vm *vm = vm_create_bare();

	TEST_ASSERT_EQ(kvm_check_cap(kvm, KVM_CAP_SYNC_REGS), ALL_SETS);
	TEST_ASSERT_EQ(kvm_check_cap(vm->fd, KVM_CAP_SYNC_REGS), ALL_SETS);
	vm_destroy(vm);
	close(kvm);
}

static void test_bad_masks(void)
{
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu = sync_vcpu(&vm);
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	run_to_in(vcpu);
	vcpu_get_regs(vcpu, &regs);
	run->kvm_valid_regs = BAD_SET;
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EINVAL);
	run->kvm_valid_regs = 0;
	run->kvm_dirty_regs = BAD_SET;
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EINVAL);

	/* Nothing dirty is loaded when a mask is bad. */
	memset(&run->s.regs, 0x5a, sizeof(run->s.regs));
	run->s.regs.regs.rbx = 0x1111;
	run->kvm_dirty_regs = KVM_SYNC_X86_REGS | BAD_SET;
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EINVAL);
	TEST_ASSERT_EQ(run->kvm_dirty_regs, KVM_SYNC_X86_REGS | BAD_SET);
	TEST_ASSERT_EQ(run->s.regs.regs.rbx, 0x1111);
	vcpu_get_regs(vcpu, &regs);
	TEST_ASSERT_EQ(regs.rbx, 0);

	/* ...but the known sets asked for are stored. */
	run->kvm_dirty_regs = 0;
	run->kvm_valid_regs = ALL_SETS | BAD_SET;
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EINVAL);
	assert_synced(vcpu, ALL_SETS);

	/* Valid masks again: the guest runs on, no IN was lost. */
	run->kvm_valid_regs = KVM_SYNC_X86_REGS;
	run_to_in(vcpu);
	TEST_ASSERT_EQ(run->s.regs.regs.rbx, 1);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void test_store(void)
{
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu = sync_vcpu(&vm);
	struct kvm_run *run = vcpu->run;
	uint64_t sets[] = { KVM_SYNC_X86_REGS, KVM_SYNC_X86_SREGS,
			    KVM_SYNC_X86_EVENTS, ALL_SETS };
	unsigned int i;

	for (i = 0; i < 4; i++) {
		memset(&run->s.regs, 0x5a, sizeof(run->s.regs));
		run->kvm_valid_regs = sets[i];
		run_to_in(vcpu);
		assert_synced(vcpu, sets[i]);
		if (!(sets[i] & KVM_SYNC_X86_SREGS))
			TEST_ASSERT_EQ(run->s.regs.sregs.cr0,
				       0x5a5a5a5a5a5a5a5aULL);
	}
	TEST_ASSERT_EQ(run->s.regs.regs.rbx, 3);
	TEST_ASSERT(run->s.regs.sregs.efer & EFER_LMA_BIT, "EFER.LMA not stored");

	/* kvm_valid_regs 0: s.regs stays as userspace left it. */
	run->kvm_valid_regs = 0;
	run->s.regs.regs.rbx = 0xaaaa;
	run_to_in(vcpu);
	TEST_ASSERT_EQ(run->s.regs.regs.rbx, 0xaaaa);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void test_load(void)
{
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu = sync_vcpu(&vm);
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	run->kvm_valid_regs = ALL_SETS;
	run_to_in(vcpu);
	run->s.regs.regs.rbx = 0xbad1dea;
	run->s.regs.regs.r15 = 0x1234;
	run->s.regs.sregs.apic_base = 1 << 11;
	run->kvm_dirty_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	run_to_in(vcpu);
	TEST_ASSERT_EQ(run->kvm_dirty_regs, 0);
	TEST_ASSERT_EQ(run->s.regs.regs.rbx, 0xbad1dea + 1);
	TEST_ASSERT_EQ(run->s.regs.regs.r15, 0x1234);
	TEST_ASSERT_EQ(run->s.regs.sregs.apic_base, 1 << 11);
	assert_synced(vcpu, ALL_SETS);

	/* Not dirty: s.regs is overwritten with the guest's values. */
	run->s.regs.regs.rbx = 0xdeadbeef;
	run_to_in(vcpu);
	TEST_ASSERT_EQ(run->s.regs.regs.rbx, 0xbad1dea + 2);

	/* Dirty but not valid: loaded, and s.regs left alone. */
	run->kvm_valid_regs = 0;
	run->kvm_dirty_regs = ALL_SETS;
	run->s.regs.regs.rbx = 0xbbbb;
	run_to_in(vcpu);
	TEST_ASSERT_EQ(run->kvm_dirty_regs, 0);
	TEST_ASSERT_EQ(run->s.regs.regs.rbx, 0xbbbb);
	vcpu_get_regs(vcpu, &regs);
	TEST_ASSERT_EQ(regs.rbx, 0xbbbb + 1);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void test_immediate_exit(void)
{
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu = sync_vcpu(&vm);
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	run->kvm_valid_regs = KVM_SYNC_X86_REGS;
	run_to_in(vcpu);
	run->s.regs.regs.rbx = 0x4242;
	run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
	run->immediate_exit = 1;
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EINTR);
	run->immediate_exit = 0;
	TEST_ASSERT_EQ(run->kvm_dirty_regs, 0);
	vcpu_get_regs(vcpu, &regs);
	TEST_ASSERT_EQ(regs.rbx, 0x4242);
	/* The IN completed: RIP moved past it, and that is what's stored. */
	TEST_ASSERT_EQ(run->s.regs.regs.rip, regs.rip);
	assert_synced(vcpu, KVM_SYNC_X86_REGS);
	run_to_in(vcpu);
	TEST_ASSERT_EQ(run->s.regs.regs.rbx, 0x4243);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void test_bad_sets(void)
{
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu = sync_vcpu(&vm);
	struct kvm_run *run = vcpu->run;
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	run->kvm_valid_regs = ALL_SETS;
	run_to_in(vcpu);
	run->kvm_valid_regs = 0;

	/* Long mode active without paging: KVM_SET_SREGS says EINVAL. */
	run->s.regs.regs.rbx = 0x7777;
	run->s.regs.sregs.cr0 &= ~X86_CR0_PG;
	run->kvm_dirty_regs = ALL_SETS;
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EINVAL);
	TEST_ASSERT_EQ(run->kvm_dirty_regs,
		       KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS);
	vcpu_get_regs(vcpu, &regs);
	TEST_ASSERT_EQ(regs.rbx, 0x7777);
	vcpu_get_sregs(vcpu, &sregs);
	TEST_ASSERT(sregs.cr0 & X86_CR0_PG, "refused CR0 was loaded");

	/* An exception vector above 31: KVM_SET_VCPU_EVENTS says EINVAL. */
	run->s.regs.sregs = sregs;
	run->s.regs.events.exception.injected = 1;
	run->s.regs.events.exception.nr = 32;
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EINVAL);
	TEST_ASSERT_EQ(run->kvm_dirty_regs, KVM_SYNC_X86_EVENTS);

	/* Valid events: the guest goes on where it was. */
	run->s.regs.events.exception.injected = 0;
	run->s.regs.events.exception.nr = 0;
	run->kvm_valid_regs = KVM_SYNC_X86_REGS;
	run_to_in(vcpu);
	TEST_ASSERT_EQ(run->kvm_dirty_regs, 0);
	TEST_ASSERT_EQ(run->s.regs.regs.rbx, 0x7778);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

/*
 * A RIP moved by userspace after the exit (here through s.regs) drops the
 * IN: no register written, no RIP advanced, as KVM's fast PIO completion.
 */
static void test_moved_rip(void)
{
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu = sync_vcpu(&vm);
	struct kvm_run *run = vcpu->run;
	uint64_t in_rip;

	run->kvm_valid_regs = KVM_SYNC_X86_REGS;
	run_to_in(vcpu);
	in_rip = run->s.regs.regs.rip;
	*((uint8_t *)run + run->io.data_offset) = 0x77;
	run->s.regs.regs.rip = in_rip - BLOB_OFFSET(sync_loop, sync_in);
	run->s.regs.regs.rax = 0;
	run->s.regs.regs.rbx = 5;
	run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
	run_to_in(vcpu);
	TEST_ASSERT_EQ(run->s.regs.regs.rip, in_rip);
	TEST_ASSERT_EQ(run->s.regs.regs.rbx, 5);
	TEST_ASSERT_EQ(run->s.regs.regs.rax, 0);

	/* Left where it stopped, the IN completes. */
	*((uint8_t *)run + run->io.data_offset) = 0x77;
	run_to_in(vcpu);
	TEST_ASSERT_EQ(run->s.regs.regs.rbx, 6);
	TEST_ASSERT_EQ(run->s.regs.regs.rax & 0xff, 0x77);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

int main(void)
{
	int kvm;

	test_init("sync_regs");
	kvm = kvm_open();
	if (!kvm_check_cap(kvm, KVM_CAP_SYNC_REGS))
		test_skip("no KVM_CAP_SYNC_REGS");
	close(kvm);

	RUN_SUBTEST("cap", test_cap());
	RUN_SUBTEST("bad_masks", test_bad_masks());
	RUN_SUBTEST("store", test_store());
	RUN_SUBTEST("load", test_load());
	RUN_SUBTEST("immediate_exit", test_immediate_exit());
	RUN_SUBTEST("bad_sets", test_bad_sets());
	RUN_SUBTEST("moved_rip", test_moved_rip());
	test_done();
}
