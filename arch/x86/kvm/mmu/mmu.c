// SPDX-License-Identifier: GPL-2.0-only
/*
 * What every MMU flavour shares: resolving a guest frame to a host page
 * through its memslot, the MMU-notifier retry protocol, and dispatch of a
 * second-level fault either to the page tables or to MMIO emulation.
 */
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/sched.h>
#include <asm/pgtable_types.h>

#include "kvm_core.h"
#include "mmu.h"
#include "vendor.h"
#include "trace_x86.h"

static u64 npt_leaf(u64 hpa, bool writable)
{
	u64 pte = hpa | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED |
		  _PAGE_DIRTY;

	return writable ? pte | _PAGE_RW : pte;
}

static u64 npt_table(u64 hpa)
{
	return hpa | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
}

/* AMD nested page tables use the ordinary x86-64 entry format. */
const struct okvm_pte_fmt okvm_npt_fmt = {
	.leaf = npt_leaf,
	.table = npt_table,
	.present = _PAGE_PRESENT,
	.writable = _PAGE_RW,
	.huge = _PAGE_PSE,
	.exec = 0,
	.nx = _PAGE_NX,
};
EXPORT_SYMBOL_GPL(okvm_npt_fmt);

/* fmt == NULL: no TDP, every vCPU gets a shadow table instead. */
__cold int okvm_mmu_vm_init(struct okvm_vm *vm, const struct okvm_pte_fmt *fmt,
		     int levels)
{
	int r = 0;

	okvm_rmap_init(&vm->arch.rmap);
	okvm_shadow_nx_init(vm);
	if (fmt)
		r = okvm_tdp_init(&vm->arch.tdp, fmt, levels,
				  &vm->stat[OKVM_VM_NR_GENERIC_STATS]);
	if (!r)
		okvm_nx_vm_init(vm);
	return r;
}

bool okvm_mmu_is_tdp(struct okvm_vm *vm)
{
	return vm->arch.tdp.root;
}

__cold int okvm_mmu_vcpu_init(struct okvm_vcpu *vcpu)
{
	int r = 0;

	if (!okvm_mmu_is_tdp(vcpu->vm))
		r = okvm_shadow_vcpu_init(vcpu);
	if (!r)
		okvm_vendor->set_mmu_root(vcpu, okvm_mmu_root_pa(vcpu));
	return r;
}

__cold void okvm_mmu_vcpu_destroy(struct okvm_vcpu *vcpu)
{
	okvm_shadow_vcpu_destroy(vcpu);
}

/* The guest's paging mode or CR3 changed. */
void okvm_mmu_reset_context(struct okvm_vcpu *vcpu)
{
	if (!okvm_mmu_is_tdp(vcpu->vm))
		okvm_shadow_reset(vcpu);
}

void okvm_mmu_new_cr3(struct okvm_vcpu *vcpu)
{
	if (!okvm_mmu_is_tdp(vcpu->vm))
		okvm_shadow_new_cr3(vcpu);
}

int okvm_mmu_guest_page_fault(struct okvm_vcpu *vcpu, u64 la, u64 error)
{
	trace_kvm_page_fault(vcpu->vcpu_id, vcpu->arch.rip, la, error);
	return okvm_shadow_page_fault(vcpu, la, error);
}

void okvm_mmu_invlpg(struct okvm_vcpu *vcpu, u64 la)
{
	if (!okvm_mmu_is_tdp(vcpu->vm))
		okvm_shadow_invlpg(vcpu, la);
}

__cold void okvm_mmu_vm_destroy(struct okvm_vm *vm)
{
	okvm_nx_vm_destroy(vm);
	okvm_shadow_nx_destroy(vm);
	okvm_rmap_destroy(vm);
	okvm_tdp_destroy(&vm->arch.tdp);
}

u64 okvm_mmu_root_pa(struct okvm_vcpu *vcpu)
{
	if (okvm_mmu_is_tdp(vcpu->vm))
		return vcpu->vm->arch.tdp.root_pa;
	return vcpu->arch.shadow.root_pa;
}
EXPORT_SYMBOL_GPL(okvm_mmu_root_pa);

/* Unmap [start, end); true if the caller must flush TLBs.  mmu_lock held. */
bool okvm_mmu_unmap_gfn_range(struct okvm_vm *vm, u64 start, u64 end)
{
	lockdep_assert_held(&vm->mmu_lock);
	if (!okvm_mmu_is_tdp(vm))
		return okvm_shadow_zap_range(vm, start, end);
	return okvm_tdp_zap_range(&vm->arch.tdp, start, end);
}

/* Unmap [start, end) and make every vCPU forget it.  mmu_lock held. */
void okvm_mmu_zap_gfn_range(struct okvm_vm *vm, u64 start, u64 end)
{
	if (okvm_mmu_unmap_gfn_range(vm, start, end))
		okvm_flush_remote_tlbs(vm);
}

int okvm_mmu_topup(struct okvm_vcpu *vcpu, int n)
{
	struct page **cache = vcpu->arch.mmu_cache;
	int i;

	for (i = 0; i < n; i++) {
		if (cache[i])
			continue;
		cache[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!cache[i])
			return -ENOMEM;
	}
	return 0;
}

/*
 * Find the host page behind gfn.  A read fault maps the page writable only
 * if that needs no copy-on-write break (keeping KSM-merged and zero pages
 * shared); otherwise it maps it read-only and a later write faults again.
 */
int okvm_resolve_pfn(const struct okvm_memslot *slot, u64 gfn, bool write,
		     struct okvm_pfn *pfn)
{
	unsigned long hva = okvm_slot_hva(slot, gfn);
	bool can_write = !(slot->flags & KVM_MEM_READONLY);

	/* A logging slot maps a page writable only on a (logged) write. */
	if (slot->dirty_bitmap && !write)
		can_write = false;

	if (can_write && get_user_page_fast_only(hva, FOLL_WRITE, &pfn->page)) {
		pfn->writable = true;
		return 0;
	}
	if (get_user_pages_unlocked(hva, 1, &pfn->page,
				    write ? FOLL_WRITE : 0) != 1)
		return -EFAULT;
	pfn->writable = write;
	return 0;
}


/* One attempt at mapping f->gfn; vm->srcu held. */
static int okvm_try_map(struct okvm_vcpu *vcpu, struct okvm_fault *f,
			okvm_install_fn install, void *arg)
{
	struct okvm_vm *vm = vcpu->vm;
	struct okvm_memslot *slot;
	unsigned long seq;
	int r;

	seq = READ_ONCE(vm->mmu_seq);
	smp_rmb();
	slot = okvm_gfn_to_slot(vm, f->gfn);
	if (!slot)
		return READ_ONCE(vm->slots_updating) ? OKVM_FAULT_RETRY :
						       OKVM_FAULT_MMIO;
	if (f->write && (slot->flags & KVM_MEM_READONLY))
		return OKVM_FAULT_MMIO;
	r = okvm_resolve_pfn(slot, f->gfn, f->write, &f->pfn);
	if (r)
		return r;
	f->slot = slot;

	spin_lock(&vm->mmu_lock);
	if (vm->mmu_invalidating || vm->mmu_seq != seq) {
		spin_unlock(&vm->mmu_lock);
		put_page(f->pfn.page);
		return OKVM_FAULT_RETRY;
	}
	r = install(vcpu, f, arg);
	if (!r && f->pfn.writable)
		okvm_mark_page_dirty(slot, f->gfn);
	spin_unlock(&vm->mmu_lock);
	if (f->pfn.writable)
		set_page_dirty_lock(f->pfn.page);
	put_page(f->pfn.page);
	return r ? r : OKVM_FAULT_MAPPED;
}

/*
 * Map guest frame gfn for a fault: look up its host page through the
 * memslot, then call install() under mmu_lock unless an invalidation
 * raced with the lookup (then start over).  Returns OKVM_FAULT_MAPPED,
 * OKVM_FAULT_MMIO (no memslot, or a write to a read-only one) or -errno.
 */
int okvm_mmu_map_gfn(struct okvm_vcpu *vcpu, u64 gfn, bool write,
		     okvm_install_fn install, void *arg)
{
	struct okvm_fault f = { .gfn = gfn, .write = write };
	struct okvm_vm *vm = vcpu->vm;
	int r, idx;

	idx = srcu_read_lock(&vm->srcu);
	while ((r = okvm_try_map(vcpu, &f, install, arg)) == OKVM_FAULT_RETRY) {
		srcu_read_unlock(&vm->srcu, idx);
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
		idx = srcu_read_lock(&vm->srcu);
	}
	srcu_read_unlock(&vm->srcu, idx);
	if (r == OKVM_FAULT_MAPPED)
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_PF_FIXED);
	else if (r == OKVM_FAULT_MMIO)
		okvm_arch_stat_inc(vcpu, OKVM_X86_STAT_PF_EMULATE);
	return r;
}

/* What the TDP fault handler tells its install callback, and learns. */
struct okvm_tdp_fault {
	bool fetch;
	bool flush;
};

/* TDP: a 4 KiB or 2 MiB translation in the VM's table. */
static int okvm_tdp_install(struct okvm_vcpu *vcpu, const struct okvm_fault *f,
			    void *arg)
{
	struct okvm_vm *vm = vcpu->vm;
	struct okvm_tdp_fault *tf = arg;
	struct okvm_tdp_req req = {
		.gfn = f->gfn,
		.hpa = page_to_phys(f->pfn.page),
		.writable = f->pfn.writable,
		.nx = okvm_nx_huge_pages_apply(vm),
		.fetch = tf->fetch,
	};
	int r;

	req.huge = vm->arch.tdp.fmt->huge && okvm_host_maps_huge(vm, f);
	r = okvm_tdp_map(&vm->arch.tdp, &req, vcpu->arch.mmu_cache);
	if (req.flush_all)
		okvm_flush_remote_tlbs(vm);
	tf->flush |= req.flush;
	return r;
}

/*
 * A second-level fault at gpa.  Returns 1 to re-enter the guest, 0 after
 * setting up an exit to userspace (MMIO), or -errno for KVM_RUN.
 */
int okvm_mmu_page_fault(struct okvm_vcpu *vcpu, u64 gpa, u64 error)
{
	struct okvm_tdp_fault tf = { .fetch = error & OKVM_PF_FETCH };
	int r;

	trace_kvm_page_fault(vcpu->vcpu_id, vcpu->arch.rip, gpa, error);
	r = okvm_mmu_topup(vcpu, vcpu->vm->arch.tdp.levels - 1);
	if (r)
		return r;
	r = okvm_mmu_map_gfn(vcpu, gpa >> PAGE_SHIFT, error & OKVM_PF_WRITE,
			     okvm_tdp_install, &tf);
	if (r == OKVM_FAULT_MMIO) {
		/* A data access: its operand needs no guest walk. */
		vcpu->arch.mmio.hint = (error & OKVM_PF_FINAL) &&
				       !(error & OKVM_PF_FETCH);
		vcpu->arch.mmio.hint_gpa = gpa;
		return okvm_emulate_mmio(vcpu);
	}
	if (r == -ERANGE)
		return okvm_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
					   1, gpa, 0);
	if (r < 0)
		return r;
	if (tf.flush)
		okvm_make_request(vcpu, OKVM_REQ_TLB_FLUSH);
	return 1;
}
