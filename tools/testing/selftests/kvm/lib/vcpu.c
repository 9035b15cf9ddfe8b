// SPDX-License-Identifier: GPL-2.0
/*
 * okvm selftests: vCPU creation, register setup, running and ucalls.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"

struct kvm_vcpu *vcpu_add(struct kvm_vm *vm, uint32_t id)
{
	struct kvm_vcpu *vcpu = calloc(1, sizeof(*vcpu));

	TEST_ASSERT(vcpu, "calloc");
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_VCPU, id));
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	TEST_ASSERT(vcpu->run != MAP_FAILED, "mmap kvm_run of vCPU %u", id);
	return vcpu;
}

void vcpu_free(struct kvm_vcpu *vcpu)
{
	munmap(vcpu->run, vcpu->vm->run_size);
	close(vcpu->fd);
	free(vcpu);
}

void vcpu_get_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs)
{
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_REGS, regs));
}

void vcpu_set_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs)
{
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_REGS, regs));
}

void vcpu_get_sregs(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_SREGS, sregs));
}

void vcpu_set_sregs(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_SREGS, sregs));
}

static void set_seg(struct kvm_segment *s, uint16_t sel, uint64_t base,
		    uint32_t limit, uint8_t type, uint8_t is_code_data)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = base;
	s->limit = limit;
	s->type = type;
	s->present = 1;
	s->s = is_code_data;
}

/* Flat 64-bit protected mode with the identity map of vm_create(). */
void long_mode_sregs(struct kvm_sregs *sr)
{
	set_seg(&sr->cs, GDT_CODE64_SEL, 0, 0xffffffff, 0xb, 1);
	sr->cs.l = 1;
	sr->cs.g = 1;
	set_seg(&sr->ds, GDT_DATA_SEL, 0, 0xffffffff, 0x3, 1);
	sr->ds.db = 1;
	sr->ds.g = 1;
	sr->es = sr->fs = sr->gs = sr->ss = sr->ds;
	set_seg(&sr->tr, GDT_TSS_SEL, TSS_GPA, 0x67, 0xb, 0);
	set_seg(&sr->ldt, 0, 0, 0xffff, 0x2, 0);
	sr->ldt.present = 0;
	sr->ldt.unusable = 1;
	sr->gdt.base = GDT_GPA;
	sr->gdt.limit = 0x27;
	/* No IDT: any guest exception escalates to a triple fault. */
	sr->idt.base = 0;
	sr->idt.limit = 0;
	sr->cr0 = 0x80050033;	/* PG WP NE ET MP PE */
	sr->cr2 = 0;
	sr->cr3 = PML4_GPA;
	sr->cr4 = 0x20;		/* PAE */
	sr->efer = 0x500;	/* LMA LME */
}

static void set_entry(struct kvm_vcpu *vcpu, uint64_t rip, uint64_t rsp)
{
	struct kvm_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rsp = rsp;
	regs.rflags = 0x2;
	vcpu_set_regs(vcpu, &regs);
}

void vcpu_setup_long(struct kvm_vcpu *vcpu, uint64_t entry_gpa)
{
	struct kvm_sregs sr;

	vcpu_complete_exit(vcpu);
	vcpu_get_sregs(vcpu, &sr);
	long_mode_sregs(&sr);
	vcpu_set_sregs(vcpu, &sr);
	set_entry(vcpu, entry_gpa, LONG_STACK_TOP);
}

/* Real mode, CS = REAL_CODE_SEG, other segments 0, stack below DATA_GPA. */
void vcpu_setup_real(struct kvm_vcpu *vcpu, uint64_t entry_gpa)
{
	struct kvm_sregs sr;

	TEST_ASSERT(entry_gpa >= CODE_GPA && entry_gpa < CODE_GPA + CODE_SIZE,
		    "real-mode entry 0x%lx outside the code segment",
		    (unsigned long)entry_gpa);
	vcpu_complete_exit(vcpu);
	vcpu_get_sregs(vcpu, &sr);
	set_seg(&sr.cs, REAL_CODE_SEG, CODE_GPA, 0xffff, 0xb, 1);
	set_seg(&sr.ds, 0, 0, 0xffff, 0x3, 1);
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	set_seg(&sr.tr, 0, 0, 0xffff, 0xb, 0);
	set_seg(&sr.ldt, 0, 0, 0xffff, 0x2, 0);
	sr.gdt.base = GDT_GPA;
	sr.gdt.limit = 0x27;
	sr.idt.base = 0;
	sr.idt.limit = 0;
	sr.cr0 = 0x60000010;
	sr.cr2 = 0;
	sr.cr3 = 0;
	sr.cr4 = 0;
	sr.efer = 0;
	vcpu_set_sregs(vcpu, &sr);
	set_entry(vcpu, entry_gpa - CODE_GPA, REAL_STACK_TOP);
}

void vcpu_set_rip(struct kvm_vcpu *vcpu, uint64_t rip)
{
	struct kvm_regs regs;

	vcpu_get_regs(vcpu, &regs);
	regs.rip = rip;
	vcpu_set_regs(vcpu, &regs);
}

int vcpu_run_raw(struct kvm_vcpu *vcpu)
{
	vcpu->ran = true;
	return ioctl(vcpu->fd, KVM_RUN, 0);
}

/*
 * Let KVM finish the instruction behind the last exit (e.g. an MMIO read
 * waiting for its data) without entering the guest, so that the vCPU can
 * be pointed somewhere else.  KVM_RUN with immediate_exit does exactly
 * that and returns EINTR.
 */
void vcpu_complete_exit(struct kvm_vcpu *vcpu)
{
	int r;

	if (!vcpu->ran)
		return;
	vcpu->run->immediate_exit = 1;
	r = ioctl(vcpu->fd, KVM_RUN, 0);
	vcpu->run->immediate_exit = 0;
	TEST_ASSERT(r == -1 && errno == EINTR,
		    "KVM_RUN with immediate_exit returned %d", r);
}

void vcpu_run(struct kvm_vcpu *vcpu)
{
	int r = vcpu_run_raw(vcpu);

	TEST_ASSERT(r == 0, "KVM_RUN on vCPU %u returned %d", vcpu->id, r);
}

const char *exit_reason_str(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG",
		[KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_SET_TPR] = "SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
		[KVM_EXIT_NMI] = "NMI",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
		[KVM_EXIT_X86_RDMSR] = "X86_RDMSR",
		[KVM_EXIT_X86_WRMSR] = "X86_WRMSR",
	};

	if (reason < ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "?";
}

/* One line describing the current exit, for failure messages. */
static const char *describe_exit(struct kvm_vcpu *vcpu, char *buf, size_t n)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;
	int len;

	len = snprintf(buf, n, "exit %u (%s)", run->exit_reason,
		       exit_reason_str(run->exit_reason));
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		len += snprintf(buf + len, n - len,
				" port 0x%x size %u %s count %u",
				run->io.port, run->io.size,
				run->io.direction ? "out" : "in",
				run->io.count);
		break;
	case KVM_EXIT_MMIO:
		len += snprintf(buf + len, n - len, " gpa 0x%llx len %u %s",
				run->mmio.phys_addr, run->mmio.len,
				run->mmio.is_write ? "write" : "read");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		len += snprintf(buf + len, n - len, " hw reason 0x%llx",
				run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		len += snprintf(buf + len, n - len, " suberror %u",
				run->internal.suberror);
		break;
	}
	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) == 0)
		snprintf(buf + len, n - len, ", rip 0x%llx", regs.rip);
	return buf;
}

void __vcpu_assert_exit(const char *file, int line, struct kvm_vcpu *vcpu,
			uint32_t reason)
{
	char buf[256];

	test_nr_checks++;
	if (vcpu->run->exit_reason != reason)
		test_fail(file, line, 0, "expected exit %u (%s), got %s",
			  reason, exit_reason_str(reason),
			  describe_exit(vcpu, buf, sizeof(buf)));
}

void __vcpu_expect_outs(const char *file, int line, struct kvm_vcpu *vcpu,
			uint16_t port, unsigned int n)
{
	char buf[256];

	while (n--) {
		vcpu_run(vcpu);
		test_nr_checks++;
		if (vcpu->run->exit_reason != KVM_EXIT_IO ||
		    vcpu->run->io.port != port)
			test_fail(file, line, 0, "expected port I/O at %#x, got %s",
				  port, describe_exit(vcpu, buf, sizeof(buf)));
	}
}

bool vcpu_get_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	struct kvm_run *run = vcpu->run;

	memset(uc, 0, sizeof(*uc));
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != UCALL_PORT ||
	    run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 ||
	    run->io.count != 1)
		return false;
	uc->cmd = *(uint32_t *)((char *)run + run->io.data_offset);
	vcpu_get_regs(vcpu, &uc->regs);
	uc->arg0 = uc->regs.rbx;
	uc->arg1 = uc->regs.rcx;
	uc->line = uc->regs.rsi;
	return true;
}

/* Fail the test if the guest reported a failed guest assertion. */
void __ucall_check(const char *file, int line, struct ucall *uc)
{
	test_nr_checks++;
	if (uc->cmd == UCALL_FAIL)
		test_fail(file, line, 0,
			  "guest assertion failed (guest code at %s:%llu, rip 0x%llx): got 0x%llx, expected 0x%llx",
			  file, (unsigned long long)uc->line,
			  (unsigned long long)uc->regs.rip,
			  (unsigned long long)uc->arg0,
			  (unsigned long long)uc->arg1);
}

uint64_t __vcpu_ucall(const char *file, int line, struct kvm_vcpu *vcpu,
		      struct ucall *uc)
{
	char buf[256];
	int r;

	r = vcpu_run_raw(vcpu);
	test_nr_checks++;
	if (r)
		test_fail(file, line, errno, "KVM_RUN returned %d", r);
	if (!vcpu_get_ucall(vcpu, uc))
		test_fail(file, line, 0, "expected a ucall, got %s",
			  describe_exit(vcpu, buf, sizeof(buf)));
	__ucall_check(file, line, uc);
	return uc->cmd;
}

void __vcpu_expect(const char *file, int line, struct kvm_vcpu *vcpu,
		   uint64_t cmd, uint64_t arg0)
{
	struct ucall uc;

	__vcpu_ucall(file, line, vcpu, &uc);
	test_nr_checks++;
	if (uc.cmd != cmd || (cmd == UCALL_SYNC && uc.arg0 != arg0))
		test_fail(file, line, 0,
			  "expected ucall %llu(%llu), got %llu(%llu)",
			  (unsigned long long)cmd, (unsigned long long)arg0,
			  (unsigned long long)uc.cmd,
			  (unsigned long long)uc.arg0);
}
