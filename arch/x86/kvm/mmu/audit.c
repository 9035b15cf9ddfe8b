// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMU audit, a debugging aid off by default (kvm.mmu_audit_ms=N): at most
 * every N ms a vCPU about to enter checks every present leaf of its VM's
 * TDP table against the host: the leaf must map the page the host maps at
 * the frame's user address, and may be writable only where the host's
 * mapping is.  A leaf that fails while no invalidation ran since it was
 * read is one the MMU notifier should have dropped: the guest could reach
 * a page the host has given to someone else.  It is reported with a WARN.
 * A 2 MiB leaf is checked at the first frame of its region.
 */
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/jiffies.h>
#include <linux/io.h>

#include "kvm_core.h"
#include "mmu.h"

static unsigned int mmu_audit_ms;
module_param(mmu_audit_ms, uint, 0644);
MODULE_PARM_DESC(mmu_audit_ms, "Check TDP leaves against the host every N ms (0: never)");

#define AUDIT_ADDR_MASK	0x000ffffffffff000ULL

struct okvm_audit {
	struct okvm_vm *vm;
	unsigned long seen, checked, bad;
};

/* The host page at the frame's address, without sleeping; NULL if none. */
static struct page *audit_host_page(struct okvm_vm *vm, u64 gfn,
				    unsigned int flags)
{
	struct okvm_memslot *slot = okvm_gfn_to_slot(vm, gfn);
	struct page *page;

	if (!slot)
		return NULL;
	if (!get_user_page_fast_only(okvm_slot_hva(slot, gfn), flags, &page))
		return NULL;
	return page;
}

/*
 * How the leaf disagrees with the host, or NULL.  A page the lockless
 * lookup cannot take (not present, special, being split) proves nothing.
 */
static const char *audit_compare(struct okvm_vm *vm, u64 gfn, u64 pte,
				 bool write, u64 *host_pa)
{
	struct page *page = audit_host_page(vm, gfn, 0);
	const char *bad = NULL;

	if (!page)
		return NULL;
	*host_pa = page_to_phys(page);
	put_page(page);
	if (*host_pa != (pte & AUDIT_ADDR_MASK))
		return "another page";
	if (write) {
		int tries;

		/* A host PTE being updated (A/D bits) fails a lookup briefly. */
		for (tries = 0; tries < 3; tries++) {
			page = audit_host_page(vm, gfn, FOLL_WRITE);
			if (page)
				break;
			cpu_relax();
		}
		if (!page)
			bad = "writable over a read-only host mapping";
		else
			put_page(page);
	}
	return bad;
}

static void audit_leaf(void *arg, u64 gfn, u64 *leaf)
{
	struct okvm_audit *a = arg;
	struct okvm_vm *vm = a->vm;
	const struct okvm_pte_fmt *fmt = vm->arch.tdp.fmt;
	unsigned long seq, detached;
	const char *bad;
	u64 pte, host_pa = 0;

	if (!(++a->seen % 512))
		cond_resched();
	seq = READ_ONCE(vm->mmu_seq);
	detached = READ_ONCE(vm->arch.tdp.detached);
	smp_rmb();
	if (READ_ONCE(vm->mmu_invalidating))
		return;
	pte = READ_ONCE(*leaf);
	if (!(pte & fmt->present))
		return;
	bad = audit_compare(vm, gfn, pte, pte & fmt->writable, &host_pa);
	smp_rmb();
	if (READ_ONCE(vm->mmu_invalidating) || READ_ONCE(vm->mmu_seq) != seq ||
	    READ_ONCE(vm->arch.tdp.detached) != detached ||
	    READ_ONCE(*leaf) != pte)
		return;
	a->checked++;
	if (!bad)
		return;
	a->bad++;
	pr_err_ratelimited("okvm: audit: gfn %llx leaf %llx host page %llx: %s\n",
			   gfn, pte, host_pa, bad);
}

/* Before an entry, vm->srcu not held, may sleep. */
void okvm_mmu_audit(struct okvm_vcpu *vcpu)
{
	struct okvm_vm *vm = vcpu->vm;
	struct okvm_audit a = { .vm = vm };
	unsigned int ms = READ_ONCE(mmu_audit_ms);
	int idx;

	if (!ms || !okvm_mmu_is_tdp(vm) ||
	    time_before(jiffies, vcpu->arch.audit_next))
		return;
	vcpu->arch.audit_next = jiffies + msecs_to_jiffies(ms);
	idx = srcu_read_lock(&vm->srcu);
	okvm_tdp_for_each_leaf(&vm->arch.tdp, audit_leaf, &a);
	srcu_read_unlock(&vm->srcu, idx);
	WARN_ONCE(a.bad, "okvm: %lu of %lu TDP leaves disagree with the host\n",
		  a.bad, a.checked);
}
