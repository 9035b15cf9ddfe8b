// SPDX-License-Identifier: GPL-2.0-only
/*
 * Port I/O and MMIO exits to userspace, and their completion on the next
 * KVM_RUN.  As with KVM, RIP stays on a port I/O instruction until the
 * exit is completed, a completed MMIO write has already retired its
 * instruction, and an MMIO read re-runs the instruction with the data.
 */
#include <linux/kvm.h>
#include <linux/highmem.h>
#include <asm/processor-flags.h>

#include "kvm_core.h"
#include "vendor.h"
#include "emulate.h"
#include "mmu/walk.h"
#include "run_hooks.h"
#include "trace_x86.h"

static void *okvm_pio_data(struct okvm_vcpu *vcpu)
{
	return page_address(vcpu->arch.pio_page);
}

static u64 okvm_addr_mask(u8 addr_size)
{
	return addr_size == 8 ? ~0ULL : (1ULL << (addr_size * 8)) - 1;
}

/* Write a register the way an address-size-wide update does. */
static void okvm_write_sized(u64 *reg, u64 val, u8 size)
{
	if (size == 8)
		*reg = val;
	else if (size == 4)
		*reg = (u32)val;
	else
		*reg = (*reg & ~0xffffULL) | (val & 0xffff);
}

/* IN's result: EAX zero-extends into RAX, AL and AX merge. */
static void okvm_pio_set_rax(struct okvm_vcpu *vcpu, u32 val)
{
	u64 *rax = &vcpu->arch.regs[OKVM_RAX];

	if (vcpu->arch.pio.size == 4)
		*rax = val;
	else if (vcpu->arch.pio.size == 2)
		*rax = (*rax & ~0xffffULL) | (val & 0xffff);
	else
		*rax = (*rax & ~0xffULL) | (val & 0xff);
}

/* Linear address of element 0 and the block the transfer covers. */
static u64 okvm_pio_string_la(struct okvm_vcpu *vcpu, u64 *block)
{
	struct okvm_pio *pio = &vcpu->arch.pio;
	int seg = pio->in ? OKVM_SEG_ES : pio->seg;
	u64 off = vcpu->arch.regs[pio->in ? OKVM_RDI : OKVM_RSI];
	u64 la = off & okvm_addr_mask(pio->addr_size);

	if (okvm_cpu_mode(vcpu) != X86_EMU_PROT64 || seg >= OKVM_SEG_FS)
		la += okvm_seg_base(vcpu, seg);
	if (okvm_cpu_mode(vcpu) != X86_EMU_PROT64)
		la = (u32)la;
	*block = la;
	if (vcpu->arch.rflags & X86_EFLAGS_DF)
		*block = la - (u64)(pio->count - 1) * pio->size;
	return la;
}

/* Elements of this exit: bounded by RCX, the data page, one guest page. */
static u32 okvm_pio_string_count(struct okvm_vcpu *vcpu, u64 la)
{
	struct okvm_pio *pio = &vcpu->arch.pio;
	u64 count = 1, room;

	if (pio->rep)
		count = vcpu->arch.regs[OKVM_RCX] &
			okvm_addr_mask(pio->addr_size);
	count = min_t(u64, count, PAGE_SIZE / pio->size);
	if (vcpu->arch.rflags & X86_EFLAGS_DF)
		room = offset_in_page(la) / pio->size + 1;
	else
		room = (PAGE_SIZE - offset_in_page(la)) / pio->size;
	return max_t(u64, 1, min(count, room));
}

/* Reverse element order in place (DF=1 walks memory downwards). */
static __cold void okvm_pio_reverse(void *data, u32 count, u8 size)
{
	u8 tmp[4], *a = data, *b = a + (count - 1) * size;

	for (; a < b; a += size, b -= size) {
		memcpy(tmp, a, size);
		memcpy(a, b, size);
		memcpy(b, tmp, size);
	}
}

/* Copy a string I/O block between guest memory and the data page. */
static __cold int okvm_pio_string_copy(struct okvm_vcpu *vcpu, bool to_guest)
{
	struct okvm_pio *pio = &vcpu->arch.pio;
	bool down = vcpu->arch.rflags & X86_EFLAGS_DF;
	void *data = okvm_pio_data(vcpu);
	struct x86_fault fault;
	u64 block;
	int r;

	okvm_pio_string_la(vcpu, &block);
	if (to_guest && down)
		okvm_pio_reverse(data, pio->count, pio->size);
	r = okvm_access_linear(vcpu, block, data, pio->count * pio->size,
			       to_guest ? X86_WALK_WRITE : 0, &fault);
	if (!to_guest && !r && down)
		okvm_pio_reverse(data, pio->count, pio->size);
	if (r == X86_WALK_FAULT) {
		okvm_inject_fault(vcpu, &fault);
		return 1;
	}
	if (r)
		return okvm_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
					   1, block, 0);
	return 2;	/* copied */
}

/*
 * The address size and segment of INS/OUTS, from the decoder: the exit
 * information is not trusted for them (QEMU's emulated SVM, for one, leaves
 * the address-size bits clear).  0, 1 when fetching the instruction faulted
 * into the guest, -EINVAL when RIP is not at an INS/OUTS.
 */
static __cold int okvm_pio_string_decode(struct okvm_vcpu *vcpu)
{
	struct okvm_pio *pio = &vcpu->arch.pio;
	struct x86_emu_info info;
	struct x86_emu emu;

	if (okvm_decode_at_rip(vcpu, &emu, &info))
		return 1;
	if (info.kind != X86_EMU_INFO_PIO)
		return -EINVAL;
	pio->addr_size = info.adsize;
	pio->seg = info.mem_seg;
	if (!pio->next_rip)
		pio->next_rip = vcpu->arch.rip + info.len;
	return 0;
}

static __cold int okvm_start_string_pio(struct okvm_vcpu *vcpu)
{
	struct okvm_pio *pio = &vcpu->arch.pio;
	u64 block, la;
	int r;

	r = okvm_pio_string_decode(vcpu);
	if (r > 0)
		return 1;
	if (r)
		return okvm_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
					   1, vcpu->arch.rip, 0);

	if (pio->rep && !(vcpu->arch.regs[OKVM_RCX] &
			  okvm_addr_mask(pio->addr_size)))
		return okvm_skip_instruction(vcpu, pio->next_rip);
	pio->count = 1;
	la = okvm_pio_string_la(vcpu, &block);
	pio->count = okvm_pio_string_count(vcpu, la);
	if (!pio->in) {
		r = okvm_pio_string_copy(vcpu, false);
		if (r != 2)
			return r;
	}
	vcpu->arch.completion = OKVM_COMPLETE_PIO;
	return okvm_exit_to_user(vcpu, OKVM_USER_IO);
}

/* A port an in-kernel device answers: done without an exit. */
static bool okvm_pio_in_kernel(struct okvm_vcpu *vcpu)
{
	struct okvm_pio *pio = &vcpu->arch.pio;
	u32 val = vcpu->arch.regs[OKVM_RAX];

	if (okvm_io_bus_access(vcpu, OKVM_PIO_BUS, pio->port, pio->size, &val,
			       !pio->in))
		return false;
	if (pio->in)
		okvm_pio_set_rax(vcpu, val);
	okvm_retire_insn(vcpu, pio->next_rip);
	return true;
}


/* kvm_pio for the port I/O instruction just intercepted. */
static void okvm_trace_pio(struct okvm_vcpu *vcpu)
{
	const struct okvm_pio *pio = &vcpu->arch.pio;
	u64 *regs = vcpu->arch.regs;
	u32 count = 1, val = 0;

	if (!trace_kvm_pio_enabled())
		return;
	if (pio->string && pio->rep)
		count = regs[OKVM_RCX] & okvm_addr_mask(pio->addr_size);
	if (!pio->in && !pio->string)
		val = regs[OKVM_RAX] & (BIT_ULL(pio->size * 8) - 1);
	trace_kvm_pio(!pio->in, pio->port, pio->size, count, val);
}

int okvm_emulate_pio(struct okvm_vcpu *vcpu, const struct okvm_exit *exit)
{
	struct okvm_pio *pio = &vcpu->arch.pio;

	pio->port = exit->io.port;
	pio->size = exit->io.size;
	pio->in = exit->io.in;
	pio->string = exit->io.string;
	pio->rep = exit->io.rep;
	pio->seg = exit->io.seg;
	pio->addr_size = exit->io.addr_size;
	pio->next_rip = exit->next_rip;
	okvm_trace_pio(vcpu);
	if (pio->string)
		return okvm_start_string_pio(vcpu);
	pio->count = 1;
	/* In-kernel devices and coalesced zones: no exit. */
	if (pio->next_rip && okvm_pio_in_kernel(vcpu))
		return 1;
	if (!pio->in)
		memcpy(okvm_pio_data(vcpu), &vcpu->arch.regs[OKVM_RAX],
		       pio->size);
	pio->linear_rip = okvm_linear_rip(vcpu);
	vcpu->arch.completion = OKVM_COMPLETE_PIO;
	return okvm_exit_to_user(vcpu, OKVM_USER_IO);
}

static __cold int okvm_complete_string_pio(struct okvm_vcpu *vcpu)
{
	struct okvm_pio *pio = &vcpu->arch.pio;
	struct okvm_vcpu_arch *a = &vcpu->arch;
	int idx = pio->in ? OKVM_RDI : OKVM_RSI;
	u64 left = 0;
	s64 step;
	int r;

	/* Userspace may have lowered RCX meanwhile: only that many. */
	if (pio->rep) {
		left = a->regs[OKVM_RCX] & okvm_addr_mask(pio->addr_size);
		pio->count = min_t(u64, pio->count, left);
	}
	if (pio->in && pio->count) {
		r = okvm_pio_string_copy(vcpu, true);
		if (r != 2)
			return r;
	}
	step = (s64)pio->count * pio->size;
	if (a->rflags & X86_EFLAGS_DF)
		step = -step;
	okvm_write_sized(&a->regs[idx], a->regs[idx] + step, pio->addr_size);
	if (pio->rep) {
		okvm_write_sized(&a->regs[OKVM_RCX], left - pio->count,
				 pio->addr_size);
		if (a->regs[OKVM_RCX] & okvm_addr_mask(pio->addr_size))
			return 1;	/* the instruction runs again */
	}
	okvm_retire_insn(vcpu, pio->next_rip);
	return 1;
}

/* KVM_RUN after a KVM_EXIT_IO. */
int okvm_complete_pio(struct okvm_vcpu *vcpu)
{
	struct okvm_pio *pio = &vcpu->arch.pio;
	u32 val = 0;

	if (pio->string)
		return okvm_complete_string_pio(vcpu);
	/* Userspace moved the vCPU elsewhere: the IN or OUT is dropped. */
	if (okvm_linear_rip(vcpu) != pio->linear_rip)
		return 1;
	if (pio->in) {
		memcpy(&val, okvm_pio_data(vcpu), pio->size);
		okvm_pio_set_rax(vcpu, val);
	}
	okvm_retire_insn(vcpu, pio->next_rip);
	return 1;
}

/* One pass of the instruction at RIP; userspace answered m->nr_reads reads. */
static int okvm_emulate_mmio_pass(struct okvm_vcpu *vcpu)
{
	struct okvm_mmio *m = &vcpu->arch.mmio;
	struct x86_emu emu;
	int rc;

	okvm_emu_init(vcpu, &emu);
	m->next_read = 0;
	/*
	 * REP string instructions run up to 1024 iterations per exit while
	 * in-kernel devices (coalesced zones: VGA memory) take them; one
	 * for userspace or the LAPIC ends the batch (okvm_emu_mmio() sets
	 * rep_stop), and a write for userspace from an iteration that then
	 * failed is dropped (rep_cut).  Not when each iteration must trap
	 * for single-stepping.
	 */
	if (!(vcpu->arch.rflags & X86_EFLAGS_TF) && !okvm_single_stepping(vcpu))
		emu.rep_batch = X86_EMU_REP_BATCH_MAX;
	okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_INSN_EMULATION);
	rc = x86_emu_step(&emu);
	/* Userspace's read data completes this same instruction. */
	if (rc != X86_EMU_IO_NEEDED) {
		m->nr_reads = 0;
		m->hint = false;
	}
	switch (rc) {
	case X86_EMU_OK:
		okvm_emu_commit(vcpu, &emu);
		if (!m->write_pending || emu.rep_cut)
			return 1;
		m->write_pending = false;
		return okvm_exit_to_user(vcpu, OKVM_USER_MMIO);
	case X86_EMU_IO_NEEDED:
		vcpu->arch.completion = OKVM_COMPLETE_MMIO_READ;
		return okvm_exit_to_user(vcpu, OKVM_USER_MMIO);
	case X86_EMU_FAULT:
		okvm_inject_fault(vcpu, &emu.fault);
		return 1;
	default:
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_INSN_EMULATION_FAIL);
		return okvm_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
					   2, vcpu->arch.rip, m->gpa);
	}
}

/* A guest access to guest-physical memory with no memslot behind it. */
int okvm_emulate_mmio(struct okvm_vcpu *vcpu)
{
	vcpu->arch.mmio.nr_reads = 0;
	return okvm_emulate_mmio_pass(vcpu);
}

/* KVM_RUN after a KVM_EXIT_MMIO read: run the instruction with the data. */
int okvm_complete_mmio(struct okvm_vcpu *vcpu)
{
	struct okvm_mmio *m = &vcpu->arch.mmio;
	struct okvm_mmio_read *r;

	/* okvm_emu_mmio() asks for a read only while one is free. */
	if (WARN_ON_ONCE(m->nr_reads >= OKVM_MMIO_READS))
		return okvm_emulate_mmio(vcpu);
	r = &m->reads[m->nr_reads++];
	r->gpa = m->gpa;
	r->len = m->len;
	memcpy(r->data, vcpu->run->mmio.data, sizeof(r->data));
	return okvm_emulate_mmio_pass(vcpu);
}
