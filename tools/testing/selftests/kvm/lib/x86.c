// SPDX-License-Identifier: GPL-2.0
/*
 * okvm selftests: CPUID, MSR and guest IDT helpers (see include/x86.h).
 */
#include <cpuid.h>
#include <sys/ioctl.h>

#include "x86.h"

struct kvm_cpuid2 *cpuid_alloc(uint32_t nent)
{
	struct kvm_cpuid2 *c;

	c = calloc(1, sizeof(*c) +
		   MAX_CPUID_ENTRIES * sizeof(struct kvm_cpuid_entry2));
	TEST_ASSERT(c, "calloc");
	c->nent = nent;
	return c;
}

struct kvm_cpuid2 *kvm_get_supported_cpuid(int kvm_fd)
{
	struct kvm_cpuid2 *c = cpuid_alloc(MAX_CPUID_ENTRIES);

	TEST_ASSERT_OK(ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c));
	return c;
}

struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t function,
				    uint32_t index)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == function &&
		    (e->index == index ||
		     !(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX)))
			return e;
	}
	return NULL;
}

void vcpu_set_cpuid(struct kvm_vcpu *vcpu, struct kvm_cpuid2 *c)
{
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, c));
}

void vcpu_set_supported_cpuid(struct kvm_vcpu *vcpu)
{
	struct kvm_cpuid2 *c = kvm_get_supported_cpuid(vcpu->vm->kvm_fd);

	vcpu_set_cpuid(vcpu, c);
	free(c);
}

void host_cpuid(uint32_t function, uint32_t index, uint32_t r[4])
{
	__cpuid_count(function, index, r[0], r[1], r[2], r[3]);
}

bool host_is_intel(void)
{
	uint32_t r[4];

	host_cpuid(0, 0, r);
	/* "GenuineIntel" in EBX, EDX, ECX */
	return r[1] == 0x756e6547 && r[3] == 0x49656e69 && r[2] == 0x6c65746e;
}

struct kvm_msrs *msrs_alloc(uint32_t nmsrs)
{
	struct kvm_msrs *m;

	m = calloc(1, sizeof(*m) + nmsrs * sizeof(struct kvm_msr_entry));
	TEST_ASSERT(m, "calloc");
	m->nmsrs = nmsrs;
	return m;
}

/* Returns what KVM_SET_MSRS returns: the number of MSRs written (0 or 1). */
int vcpu_set_msr_raw(struct kvm_vcpu *vcpu, uint32_t index, uint64_t value)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = index, .e.data = value };

	return ioctl(vcpu->fd, KVM_SET_MSRS, &m);
}

void vcpu_set_msr(struct kvm_vcpu *vcpu, uint32_t index, uint64_t value)
{
	int r = vcpu_set_msr_raw(vcpu, index, value);

	TEST_ASSERT(r == 1, "KVM_SET_MSRS(0x%x, 0x%llx) returned %d", index,
		    (unsigned long long)value, r);
}

uint64_t vcpu_get_msr(struct kvm_vcpu *vcpu, uint32_t index)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = index };
	int r = ioctl(vcpu->fd, KVM_GET_MSRS, &m);

	TEST_ASSERT(r == 1, "KVM_GET_MSRS(0x%x) returned %d", index, r);
	return m.e.data;
}

/*
 * 256 stubs of 16 bytes each; vector V's stub is at offset 16 * V.  The
 * vectors without a CPU-pushed error code push a 0 so that the common
 * part always finds vector, error code and RIP on the stack.
 */
GUEST_CODE(idt_stubs, 64,
	".set okvm_idt_vec, 0\n"
	".rept 256\n"
	"\t.balign 16, 0xcc\n"
	"\t.if (okvm_idt_vec == 8) || ((okvm_idt_vec >= 10) && (okvm_idt_vec <= 14)) || (okvm_idt_vec == 17) || (okvm_idt_vec == 21) || (okvm_idt_vec == 29) || (okvm_idt_vec == 30)\n"
	"\t.else\n"
	"\tpushq $0\n"
	"\t.endif\n"
	"\tpushq $okvm_idt_vec\n"
	"\tjmp okvm_idt_common\n"
	"\t.set okvm_idt_vec, okvm_idt_vec + 1\n"
	".endr\n"
	"okvm_idt_common:\n"
	"\tpop %rbx\n"
	"\tpop %rcx\n"
	"\tmov (%rsp), %rsi\n"
	"\tmov %cr2, %rdi\n"
	G_UCALL(UCALL_VECTOR)
	"1:\thlt\n\tjmp 1b\n");

void vm_set_idt_gate(struct kvm_vm *vm, uint32_t vector, uint64_t handler)
{
	uint64_t *gate = (uint64_t *)gpa2hva(vm, IDT_GPA) + 2 * vector;

	/* 64-bit interrupt gate, present, DPL 0, IST 0. */
	gate[0] = (handler & 0xffff) | ((uint64_t)GDT_CODE64_SEL << 16) |
		  (0x8eULL << 40) | (((handler >> 16) & 0xffff) << 48);
	gate[1] = handler >> 32;
}

void vm_setup_idt(struct kvm_vm *vm)
{
	uint64_t stubs = LOAD_GUEST(vm, idt_stubs);
	uint32_t v;

	TEST_ASSERT((size_t)(idt_stubs_end - idt_stubs_start) >= 256 * 16,
		    "IDT stubs too short");
	for (v = 0; v < 256; v++)
		vm_set_idt_gate(vm, v, stubs + 16 * v);
}

void vcpu_use_idt(struct kvm_vcpu *vcpu)
{
	struct kvm_sregs sr;

	vcpu_get_sregs(vcpu, &sr);
	sr.idt.base = IDT_GPA;
	sr.idt.limit = 256 * 16 - 1;
	vcpu_set_sregs(vcpu, &sr);
}

struct kvm_vcpu *vcpu_add_long(struct kvm_vm *vm, uint32_t id, uint64_t entry)
{
	struct kvm_vcpu *vcpu = vcpu_add(vm, id);

	vcpu_set_supported_cpuid(vcpu);
	vcpu_setup_long(vcpu, entry);
	vcpu_use_idt(vcpu);
	return vcpu;
}

void __vcpu_expect_vector(const char *file, int line, struct kvm_vcpu *vcpu,
			  uint32_t vector, struct ucall *uc)
{
	__vcpu_ucall(file, line, vcpu, uc);
	test_nr_checks++;
	if (uc->cmd != UCALL_VECTOR || uc->arg0 != vector)
		test_fail(file, line, 0,
			  "expected guest exception/interrupt vector %u, got ucall %llu(0x%llx) rip 0x%llx",
			  vector, (unsigned long long)uc->cmd,
			  (unsigned long long)uc->arg0,
			  (unsigned long long)uc->regs.rip);
}

int vm_set_msr_filter(struct kvm_vm *vm, const struct kvm_msr_filter *f)
{
	return ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, f);
}

void __vcpu_expect_msr_exit(const char *file, int line,
			    struct kvm_vcpu *vcpu, bool write, uint32_t index,
			    uint32_t reason)
{
	uint32_t want = write ? KVM_EXIT_X86_WRMSR : KVM_EXIT_X86_RDMSR;
	struct kvm_run *run = vcpu->run;

	vcpu_run(vcpu);
	test_nr_checks++;
	if (run->exit_reason != want)
		test_fail(file, line, 0, "expected exit %u (%s), got %u (%s)",
			  want, exit_reason_str(want), run->exit_reason,
			  exit_reason_str(run->exit_reason));
	if (run->msr.index != index || run->msr.reason != reason ||
	    run->msr.error)
		test_fail(file, line, 0,
			  "MSR exit: index 0x%x reason %u error %u, expected 0x%x reason %u error 0",
			  run->msr.index, run->msr.reason, run->msr.error,
			  index, reason);
}
