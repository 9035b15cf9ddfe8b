// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest linear memory as the emulator and string port I/O see it: linear
 * address -> guest page-table walk (mmu/walk.c) -> memslot -> user memory,
 * and MMIO where no memslot is.  Also the glue that loads the emulator
 * from the vCPU state and stores its result back.
 */
#include <linux/kvm.h>
#include <linux/mm.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "kvm_core.h"
#include "vendor.h"
#include "irqchip.h"
#include "emulate.h"
#include "mmu/walk.h"
#include "trace_core.h"

/* The walker's view: a vCPU's guest memory, maybe through a cache. */
struct okvm_walk_ctx {
	struct okvm_vcpu *vcpu;
	struct okvm_walk_cache *cache;
};

static int okvm_walk_cache_find(const struct okvm_walk_cache *c, u64 gpa)
{
	unsigned int i;

	for (i = 0; c && i < c->n; i++)
		if (c->gpa[i] == gpa)
			return i;
	return -1;
}

/* The value a walk through c read (or set) at gpa; false if none. */
bool okvm_walk_cache_get(const struct okvm_walk_cache *c, u64 gpa, u64 *val)
{
	int i = okvm_walk_cache_find(c, gpa);

	if (i >= 0)
		*val = c->val[i];
	return i >= 0;
}

/* Entries are 8 bytes, or 4 with 32-bit paging: a cached one, either. */
static int okvm_walk_read(void *priv, u64 gpa, u64 *val, unsigned int size)
{
	struct okvm_walk_ctx *ctx = priv;
	struct okvm_walk_cache *c = ctx->cache;
	int i = okvm_walk_cache_find(c, gpa);

	*val = 0;
	if (i >= 0) {
		*val = size == 8 ? c->val[i] : (u32)c->val[i];
		return 0;
	}
	if (okvm_read_guest(ctx->vcpu->vm, gpa, val, size))
		return -EFAULT;
	if (c && c->n < OKVM_WALK_CACHE) {
		c->gpa[c->n] = gpa;
		c->val[c->n++] = *val;
	}
	return 0;
}

static int okvm_walk_cmpxchg(void *priv, u64 gpa, u64 old, u64 new,
			     unsigned int size)
{
	struct okvm_walk_ctx *ctx = priv;
	int i = okvm_walk_cache_find(ctx->cache, gpa);
	int r = okvm_cmpxchg_guest64(ctx->vcpu->vm, gpa, old, new, size);

	/* Done: remember the new value.  Raced: read it again. */
	if (i >= 0 && r == 0)
		ctx->cache->val[i] = new;
	else if (i >= 0)
		ctx->cache->gpa[i] = ~0ULL;
	return r;
}

static const struct x86_walk_ops okvm_walk_ops = {
	.read_phys = okvm_walk_read,
	.cmpxchg_phys = okvm_walk_cmpxchg,
};

/* The walker without A/D updates, to probe permissions. */
static const struct x86_walk_ops okvm_probe_ops = {
	.read_phys = okvm_walk_read,
};

/*
 * Walk the guest's page tables for la with exactly 'access' (the caller
 * decides user/supervisor); set_ad=false leaves accessed/dirty bits alone.
 * 0 with *gpa, X86_WALK_FAULT with *fault, or -errno.
 */
int okvm_walk(struct okvm_vcpu *vcpu, u64 la, unsigned int access,
	      bool set_ad, u64 *gpa, struct x86_fault *fault)
{
	unsigned int shift;
	u64 leaf;

	return okvm_walk_leaf(vcpu, NULL, la, access, set_ad, gpa, &leaf,
			      &shift, fault);
}

/* The control state a walk of the vCPU's current tables needs. */
static void okvm_walk_regs(struct okvm_vcpu *vcpu, struct x86_walk_regs *r)
{
	const struct okvm_x86_ops *ops = okvm_vendor;

	r->cr0 = ops->get_cr(vcpu, 0);
	r->cr3 = ops->get_cr(vcpu, 3);
	r->cr4 = ops->get_cr(vcpu, 4);
	r->efer = ops->get_efer(vcpu);
	r->maxphyaddr = boot_cpu_data.x86_phys_bits;
	r->rflags_ac = !!(vcpu->arch.rflags & X86_EFLAGS_AC);
}

/*
 * okvm_walk(), also giving the guest's leaf entry and the size of its page
 * (x86_walk_page()), reading through @cache if not NULL (which must start
 * zeroed and only serve walks of one guest state).
 */
int okvm_walk_leaf(struct okvm_vcpu *vcpu, struct okvm_walk_cache *cache,
		   u64 la, unsigned int access, bool set_ad, u64 *gpa,
		   u64 *leaf, unsigned int *page_shift,
		   struct x86_fault *fault)
{
	struct okvm_walk_ctx ctx = { .vcpu = vcpu, .cache = cache };
	struct x86_walk_regs regs, *r = cache ? &cache->regs : &regs;

	/* A cache's registers are read at its first walk (maxphyaddr 0). */
	if (!cache || !r->maxphyaddr)
		okvm_walk_regs(vcpu, r);
	return x86_walk_page(set_ad ? &okvm_walk_ops : &okvm_probe_ops, &ctx,
			     r, la, access, gpa, leaf, page_shift, fault);
}

/*
 * Copy between buf and guest linear memory, translated with @regs (and
 * the X86_WALK_USER in @access the caller set from the CPL).  0 done;
 * X86_WALK_FAULT with *fault filled (a #PF to inject); -ENOENT when a page
 * is not RAM (the caller may treat it as MMIO: *gpa_out tells where);
 * -EFAULT otherwise.
 */
static int okvm_access_page(struct okvm_vcpu *vcpu,
			    const struct x86_walk_regs *regs, u64 la,
			    void *buf, unsigned int n, unsigned int access,
			    struct x86_fault *fault, u64 *gpa_out)
{
	struct okvm_walk_ctx ctx = { .vcpu = vcpu };
	u64 gpa;
	int r;

	r = x86_walk(&okvm_walk_ops, &ctx, regs, la, access, &gpa, fault);
	if (r)
		return r > 0 ? X86_WALK_FAULT : -EFAULT;
	*gpa_out = gpa;
	if (access & X86_WALK_WRITE)
		return okvm_write_guest(vcpu->vm, gpa, buf, n);
	return okvm_read_guest(vcpu->vm, gpa, buf, n);
}

int okvm_access_linear(struct okvm_vcpu *vcpu, u64 la, void *buf,
		       unsigned int len, unsigned int access,
		       struct x86_fault *fault)
{
	struct x86_walk_regs regs;

	okvm_walk_regs(vcpu, &regs);
	if (okvm_vendor->get_cpl(vcpu) == 3)
		access |= X86_WALK_USER;
	while (len) {
		unsigned int n = min_t(u64, len, PAGE_SIZE - offset_in_page(la));
		u64 gpa;
		int r;

		r = okvm_access_page(vcpu, &regs, la, buf, n, access, fault,
				     &gpa);
		if (r)
			return r;
		la += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * In-kernel devices first: the vCPU's own LAPIC, then the bus; true if
 * one took the access.  A LAPIC access ends a REP batch: the EOI it may
 * leave for the VMM (split irqchip) has one slot.
 */
static bool okvm_emu_mmio_kernel(struct okvm_vcpu *vcpu, struct x86_emu *emu,
				 u64 gpa, void *buf, unsigned int n,
				 bool write)
{
	if (okvm_lapic_mmio(vcpu, gpa, buf, n, write)) {
		emu->rep_stop = true;
		return true;
	}
	return !okvm_io_bus_access(vcpu, OKVM_MMIO_BUS, gpa, n, buf, write);
}

/* An emulated access that reached MMIO: hand it to userspace. */
static int okvm_emu_mmio(struct okvm_vcpu *vcpu, struct x86_emu *emu,
			 u64 gpa, void *buf, unsigned int n, bool write)
{
	struct okvm_mmio *m = &vcpu->arch.mmio;

	/*
	 * One write per instruction waits for userspace; a second one, even
	 * to an in-kernel device or a coalesced zone, would overtake it.
	 */
	if (write && m->write_pending)
		return X86_EMU_UNHANDLED;
	if (n <= sizeof(m->data) &&
	    okvm_emu_mmio_kernel(vcpu, emu, gpa, buf, n, write)) {
		trace_kvm_mmio(write ? OKVM_TRACE_MMIO_WRITE :
			       OKVM_TRACE_MMIO_READ, n, gpa, buf);
		return X86_EMU_OK;
	}
	emu->rep_stop = true;
	if (n > sizeof(m->data))
		return X86_EMU_UNHANDLED;
	if (write) {
		trace_kvm_mmio(OKVM_TRACE_MMIO_WRITE, n, gpa, buf);
		m->gpa = gpa;
		m->len = n;
		m->is_write = true;
		m->write_pending = true;
		memcpy(m->data, buf, n);
		return X86_EMU_OK;
	}
	if (m->next_read < m->nr_reads) {
		struct okvm_mmio_read *r = &m->reads[m->next_read];

		if (r->gpa == gpa && r->len == n) {
			memcpy(buf, r->data, n);
			m->next_read++;
			trace_kvm_mmio(OKVM_TRACE_MMIO_READ, n, gpa, buf);
			return X86_EMU_OK;
		}
		/* This pass went elsewhere (guest memory changed): drop the rest. */
		m->nr_reads = m->next_read;
	}
	if (m->nr_reads == OKVM_MMIO_READS)
		return X86_EMU_UNHANDLED;
	trace_kvm_mmio(OKVM_TRACE_MMIO_READ_UNSATISFIED, n, gpa, NULL);
	m->gpa = gpa;
	m->len = n;
	m->is_write = false;
	return X86_EMU_IO_NEEDED;
}

/*
 * The explicit memory operand of an instruction emulated for a nested
 * page fault on MMIO (okvm_mmu_page_fault()): the exit gave its
 * guest-physical address, and the CPU had checked the guest's translation
 * and permissions before it faulted, so no walk is needed.  Only the bytes
 * at the same page offset are that address (the operand may cross a page).
 */
static bool okvm_mmio_hint(struct okvm_vcpu *vcpu, const struct x86_emu *emu,
			   u64 la, unsigned int access, u64 *gpa)
{
	const struct okvm_mmio *m = &vcpu->arch.mmio;

	if (!m->hint || !emu->operand_access || (access & X86_WALK_FETCH) ||
	    offset_in_page(la) != offset_in_page(m->hint_gpa))
		return false;
	*gpa = m->hint_gpa;
	return true;
}

static int okvm_emu_access(struct x86_emu *emu, u64 la, void *buf,
			   unsigned int len, unsigned int access)
{
	struct okvm_vcpu *vcpu = emu->priv;

	if (emu->cpl == 3)
		access |= X86_WALK_USER;
	while (len) {
		unsigned int n = min_t(u64, len, PAGE_SIZE - offset_in_page(la));
		u64 gpa = 0;
		int r = -ENOENT;

		if (!okvm_mmio_hint(vcpu, emu, la, access, &gpa))
			r = okvm_access_page(vcpu, &vcpu->arch.mmio.regs, la,
					     buf, n, access, &emu->fault,
					     &gpa);
		if (r == X86_WALK_FAULT)
			return X86_EMU_FAULT;
		if (r == -ENOENT && !(access & X86_WALK_FETCH))
			r = okvm_emu_mmio(vcpu, emu, gpa, buf, n,
					  access & X86_WALK_WRITE);
		else if (r)
			return X86_EMU_UNHANDLED;
		if (r)
			return r;
		la += n;
		buf += n;
		len -= n;
	}
	return X86_EMU_OK;
}

static int okvm_emu_read(struct x86_emu *emu, u64 la, void *buf,
			 unsigned int len, bool fetch)
{
	return okvm_emu_access(emu, la, buf, len, fetch ? X86_WALK_FETCH : 0);
}

static int okvm_emu_write(struct x86_emu *emu, u64 la, const void *buf,
			  unsigned int len)
{
	return okvm_emu_access(emu, la, (void *)buf, len, X86_WALK_WRITE);
}

static const struct x86_emu_ops okvm_emu_ops = {
	.read = okvm_emu_read,
	.write = okvm_emu_write,
};

u64 okvm_seg_base(struct okvm_vcpu *vcpu, int seg)
{
	struct kvm_segment s;

	okvm_vendor->get_segment(vcpu, &s, seg);
	return s.base;
}

/* Where the CPU fetches: CS base + RIP, truncated outside 64-bit mode. */
u64 okvm_linear_rip(struct okvm_vcpu *vcpu)
{
	if (okvm_cpu_mode(vcpu) == X86_EMU_PROT64)
		return vcpu->arch.rip;
	return (u32)(okvm_seg_base(vcpu, OKVM_SEG_CS) + vcpu->arch.rip);
}

void okvm_emu_init(struct okvm_vcpu *vcpu, struct x86_emu *emu)
{
	int seg;

	memset(emu, 0, sizeof(*emu));
	emu->ops = &okvm_emu_ops;
	emu->priv = vcpu;
	emu->mode = okvm_cpu_mode(vcpu);
	memcpy(emu->gpr, vcpu->arch.regs, sizeof(emu->gpr));
	emu->rip = vcpu->arch.rip;
	emu->rflags = vcpu->arch.rflags;
	/* 64-bit mode uses the FS and GS bases only (emu->seg_base). */
	for (seg = 0; seg < X86_SEG_NR; seg++)
		if (emu->mode != X86_EMU_PROT64 || seg == X86_SEG_FS ||
		    seg == X86_SEG_GS)
			emu->seg_base[seg] = okvm_seg_base(vcpu, seg);
	emu->cpl = okvm_vendor->get_cpl(vcpu);
	/* The instruction's walks, fetch and data, with these. */
	okvm_walk_regs(vcpu, &vcpu->arch.mmio.regs);
	emu->la57 = !!(vcpu->arch.mmio.regs.cr4 & X86_CR4_LA57);
	vcpu->arch.mmio.write_pending = false;
}

/*
 * Decode, without running it, the instruction at RIP.  0 with *info filled
 * (kind OTHER and len 0 when the decoder does not know it); 1 when fetching
 * it faulted and the fault was injected instead.
 */
int okvm_decode_at_rip(struct okvm_vcpu *vcpu, struct x86_emu *emu,
		       struct x86_emu_info *info)
{
	int r;

	okvm_emu_init(vcpu, emu);
	r = x86_emu_decode(emu, info);
	if (r == X86_EMU_FAULT) {
		okvm_inject_fault(vcpu, &emu->fault);
		return 1;
	}
	if (r != X86_EMU_OK)
		memset(info, 0, sizeof(*info));
	return 0;
}

void okvm_emu_commit(struct okvm_vcpu *vcpu, const struct x86_emu *emu)
{
	memcpy(vcpu->arch.regs, emu->gpr, sizeof(vcpu->arch.regs));
	vcpu->arch.rflags = emu->rflags;
	if (emu->rip != vcpu->arch.rip)
		okvm_retire_insn(vcpu, emu->rip);
}

void okvm_inject_fault(struct okvm_vcpu *vcpu, const struct x86_fault *f)
{
	if (f->vector == X86_WALK_PF_VECTOR) {
		okvm_vendor->set_cr(vcpu, 2, f->address);
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_PF_GUEST);
	}
	okvm_queue_exception(vcpu, f->vector, f->has_error_code,
			     f->error_code);
}
