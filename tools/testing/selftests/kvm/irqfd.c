// SPDX-License-Identifier: GPL-2.0
/*
 * irqfd: KVM_IRQFD with the in-kernel irqchip.
 *
 *   caps      KVM_CAP_IRQFD is 1
 *   errors    EINVAL for unknown flags and without an in-kernel irqchip;
 *             EBADF for a closed fd, EINVAL for an fd that is no eventfd;
 *             EBUSY for an eventfd that already has an irqfd (even on
 *             another GSI); deassigning what was never assigned is 0, a
 *             closed fd EBADF
 *   inject    a guest halted with IOAPIC pin 17 at vector 0x73 takes it
 *             when the VMM writes the irqfd of GSI 17 (the count is
 *             consumed at once); an irqfd on a GSI routed to an MSI
 *             (vector 0x84), signalled before it was assigned, injects
 *             when assigned and leaves that count in the eventfd
 *   deassign  after KVM_IRQFD_FLAG_DEASSIGN a write stays in the eventfd
 *   hangup    an eventfd closed while assigned: its irqfd goes away, the
 *             eventfd number can get an irqfd again; the VM is closed
 *             with an irqfd still assigned
 */
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "x86.h"

GUEST_CODE(guest_wait17, 64, G_WAIT_PIN17);

static int irqfd(struct kvm_vm *vm, int fd, uint32_t gsi, uint32_t flags)
{
	struct kvm_irqfd a = { .fd = fd, .gsi = gsi, .flags = flags };

	return ioctl(vm->fd, KVM_IRQFD, &a);
}

static struct kvm_vm *irq_vm(void)
{
	struct kvm_vm *vm = vm_create();

	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	vm_setup_idt(vm);
	return vm;
}

static void test_errors(void)
{
	struct kvm_vm *vm = vm_create();
	int e1 = eventfd(0, EFD_NONBLOCK), e2 = eventfd(0, EFD_NONBLOCK);

	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd, KVM_CAP_IRQFD), 1);
	TEST_ASSERT_ERRNO(irqfd(vm, e1, 5, 0), EINVAL);		/* no irqchip */
	vm_destroy(vm);
	vm = irq_vm();
	TEST_ASSERT_ERRNO(irqfd(vm, e1, 5, 1u << 2), EINVAL);
	TEST_ASSERT_ERRNO(irqfd(vm, -1, 5, 0), EBADF);
	TEST_ASSERT_ERRNO(irqfd(vm, vm->fd, 5, 0), EINVAL);
	TEST_ASSERT_OK(irqfd(vm, e1, 5, 0));
	TEST_ASSERT_ERRNO(irqfd(vm, e1, 5, 0), EBUSY);
	TEST_ASSERT_ERRNO(irqfd(vm, e1, 6, 0), EBUSY);
	TEST_ASSERT_OK(irqfd(vm, e2, 6, 0));
	TEST_ASSERT_OK(irqfd(vm, e2, 7, KVM_IRQFD_FLAG_DEASSIGN));
	TEST_ASSERT_ERRNO(irqfd(vm, -1, 7, KVM_IRQFD_FLAG_DEASSIGN), EBADF);
	TEST_ASSERT_OK(irqfd(vm, e1, 5, KVM_IRQFD_FLAG_DEASSIGN));
	TEST_ASSERT_OK(irqfd(vm, e1, 6, 0));
	vm_destroy(vm);
	close(e1);
	close(e2);
}

static void resume_hlt_loop(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	struct kvm_regs regs;

	vcpu_get_regs(vcpu, &regs);
	regs.rip = uc->line;
	regs.rflags |= 0x200;
	vcpu_set_regs(vcpu, &regs);
}

static void test_inject(struct kvm_vm *vm, struct kvm_vcpu *vcpu, int *efd)
{
	struct kvm_irq_routing *r;
	struct ucall uc;

	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_OK(irqfd(vm, efd[0], 17, 0));
	efd_signal(efd[0]);
	TEST_ASSERT_EQ(efd_take(efd[0]), 0);
	vcpu_expect_vector(vcpu, 0x73, &uc);
	resume_hlt_loop(vcpu, &uc);

	/* GSI 17 keeps its IOAPIC route; GSI 40 becomes an MSI, 0x84. */
	r = calloc(1, sizeof(*r) + 2 * sizeof(r->entries[0]));
	TEST_ASSERT(r, "calloc");
	r->nr = 2;
	r->entries[0] = (struct kvm_irq_routing_entry){ .gsi = 17,
		.type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { KVM_IRQCHIP_IOAPIC, 17 } };
	r->entries[1] = (struct kvm_irq_routing_entry){ .gsi = 40,
		.type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = 0xfee00000, .data = 0x84 } };
	TEST_ASSERT_OK(ioctl(vm->fd, KVM_SET_GSI_ROUTING, r));
	free(r);
	efd_signal(efd[1]);
	TEST_ASSERT_OK(irqfd(vm, efd[1], 40, 0));
	vcpu_expect_vector(vcpu, 0x84, &uc);
	/* As upstream: the injection at assignment leaves the count. */
	TEST_ASSERT_EQ(efd_take(efd[1]), 1);
}

static void test_deassign(struct kvm_vm *vm, int *efd)
{
	TEST_ASSERT_OK(irqfd(vm, efd[0], 17, KVM_IRQFD_FLAG_DEASSIGN));
	efd_signal(efd[0]);
	TEST_ASSERT_EQ(efd_take(efd[0]), 1);
}

static void test_hangup(struct kvm_vm *vm)
{
	int e = eventfd(0, EFD_NONBLOCK), again;

	TEST_ASSERT_OK(irqfd(vm, e, 9, 0));
	close(e);
	again = eventfd(0, EFD_NONBLOCK);
	TEST_ASSERT_OK(irqfd(vm, again, 9, 0));
	efd_signal(again);
	TEST_ASSERT_EQ(efd_take(again), 0);
	close(again);
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int efd[2];

	test_init("irqfd");
	vm = vm_create();
	if (!kvm_check_cap(vm->kvm_fd, KVM_CAP_IRQFD))
		test_skip("no KVM_CAP_IRQFD");
	vm_destroy(vm);
	RUN_SUBTEST("errors", test_errors());
	efd[0] = eventfd(0, EFD_NONBLOCK);
	efd[1] = eventfd(0, EFD_NONBLOCK);
	vm = irq_vm();
	vcpu = vcpu_add_long(vm, 0, LOAD_GUEST(vm, guest_wait17));
	RUN_SUBTEST("inject", test_inject(vm, vcpu, efd));
	RUN_SUBTEST("deassign", test_deassign(vm, efd));
	RUN_SUBTEST("hangup", test_hangup(vm));
	vcpu_free(vcpu);
	vm_destroy(vm);
	close(efd[0]);
	close(efd[1]);
	test_done();
}
