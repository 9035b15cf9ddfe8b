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
#include "vendor.h"
#include "mmu.h"
#include "walk.h"
#include "run_hooks.h"

unsigned int okvm_mmu_audit_ms;	/* read by the gate in run_hooks.h */
module_param_named(mmu_audit_ms, okvm_mmu_audit_ms, uint, 0644);
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

/* Check every leaf of @vcpu's VM now.  May sleep. */
static void okvm_audit_vm(struct okvm_vcpu *vcpu, struct okvm_audit *a)
{
	int idx = srcu_read_lock(&vcpu->vm->srcu);

	a->vm = vcpu->vm;
	okvm_tdp_for_each_leaf(&vcpu->vm->arch.tdp, audit_leaf, a);
	srcu_read_unlock(&vcpu->vm->srcu, idx);
}

/* Before an entry with the audit on, vm->srcu not held, may sleep. */
void __okvm_mmu_audit(struct okvm_vcpu *vcpu)
{
	struct okvm_audit a = {};
	unsigned int ms = READ_ONCE(okvm_mmu_audit_ms);

	if (!ms || !okvm_mmu_is_tdp(vcpu->vm) ||
	    time_before(jiffies, vcpu->arch.audit_next))
		return;
	vcpu->arch.audit_next = jiffies + msecs_to_jiffies(ms);
	okvm_audit_vm(vcpu, &a);
	WARN_ONCE(a.bad, "okvm: %lu of %lu TDP leaves disagree with the host\n",
		  a.bad, a.checked);
}

/*
 * A triple fault that nothing okvm or the guest holds explains: the
 * guest's own tables map RIP for a fetch, the IDT's gate for #DF (present)
 * and the TSS, and every TDP leaf maps what the host maps.  A CPU that
 * shut down there had nothing to fault on; the bench's emulated CPU does
 * that (Documentation/mmu.md), and its tests match the line.  Only under
 * a hypervisor (a real CPU's VMCB/VMCS after a shutdown is undefined), in
 * protected mode, on TDP; vcpu->mutex held, may sleep.  The audit reads
 * every leaf, and a guest may triple-fault in a loop: once per vCPU in 12 s.
 */
__cold void okvm_mmu_explain_shutdown(struct okvm_vcpu *vcpu)
{
	const struct okvm_x86_ops *ops = okvm_vendor;
	unsigned int user = ops->get_cpl(vcpu) == 3 ? X86_WALK_USER : 0;
	unsigned int gsz = ops->get_efer(vcpu) & EFER_LMA ? 16 : 8;
	struct okvm_audit a = {};
	struct kvm_segment tr;
	struct kvm_dtable idt;
	struct x86_fault f;
	u64 gpa, gate;

	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR) ||
	    !okvm_mmu_is_tdp(vcpu->vm) || !(ops->get_cr(vcpu, 0) & X86_CR0_PE))
		return;
	ops->get_dtable(vcpu, &idt, true);
	ops->get_segment(vcpu, &tr, OKVM_SEG_TR);
	if (idt.limit < 9 * gsz - 1 ||
	    okvm_walk(vcpu, okvm_linear_rip(vcpu), X86_WALK_FETCH | user, false,
		      &gpa, &f) ||
	    okvm_walk(vcpu, idt.base + 8 * gsz, 0, false, &gpa, &f) ||
	    okvm_read_guest(vcpu->vm, gpa, &gate, sizeof(gate)) ||
	    !(gate & BIT_ULL(47)) ||
	    okvm_walk(vcpu, tr.base, 0, false, &gpa, &f) ||
	    time_before(jiffies, vcpu->arch.audit_next))
		return;
	vcpu->arch.audit_next = jiffies + 12 * HZ;
	okvm_audit_vm(vcpu, &a);
	if (!a.bad)
		pr_info("okvm: pid %d vCPU %d: the CPU faulted on nothing (RIP, #DF gate, TSS mapped; %lu TDP leaves match)\n",
			task_tgid_nr(current), vcpu->vcpu_id, a.checked);
}
