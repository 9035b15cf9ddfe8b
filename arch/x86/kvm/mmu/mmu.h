/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The MMU interface.  Two implementations sit behind it: mmu/tdp.c (NPT or
 * EPT: one second-level table per VM) and, later, mmu/shadow.c.  mmu.c holds
 * what both share: turning a guest frame into a host page through the
 * memslot and the MMU-notifier retry protocol.
 */
#ifndef OKVM_MMU_H
#define OKVM_MMU_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/xarray.h>

struct okvm_vm;
struct okvm_vcpu;

/* #PF-style error code bits of a second-level fault. */
#define OKVM_PF_PRESENT	BIT_ULL(0)
#define OKVM_PF_WRITE	BIT_ULL(1)
#define OKVM_PF_USER	BIT_ULL(2)
#define OKVM_PF_RSVD	BIT_ULL(3)
#define OKVM_PF_FETCH	BIT_ULL(4)
/* Nested faults: at the final translation, not in the guest's walk. */
#define OKVM_PF_FINAL	BIT_ULL(32)

/* Entry format of a second-level table (NPT uses x86 PTEs, EPT its own). */
struct okvm_pte_fmt {
	u64 (*leaf)(u64 hpa, bool writable);	/* maps a 4K page */
	u64 (*table)(u64 hpa);			/* points to a table */
	u64 present;				/* any of these: present */
	u64 writable;				/* leaf write permission */
	u64 huge;				/* a level-2 leaf: 2 MiB */
	u64 exec;				/* a leaf's execute permission */
	u64 nx;					/* a leaf's no-execute bit */
};

struct okvm_tdp {
	u64 *root;
	u64 root_pa;
	int levels;			/* 4 or 5 */
	const struct okvm_pte_fmt *fmt;
	struct list_head pages;		/* table pages in the tree */
	struct list_head nx_splits;	/* NX split tables, oldest first */
	struct list_head free;		/* detached, for reuse */
	unsigned long nr_pages;		/* on pages and nx_splits */
	unsigned long detached;		/* tables taken out of the tree */
	u64 *stat;			/* the VM's x86 counters */
};

/* One TDP mapping to make (okvm_tdp_map()). */
struct okvm_tdp_req {
	u64 gfn;
	u64 hpa;			/* the host page at gfn */
	bool writable;
	bool huge;			/* host and memslot allow 2 MiB */
	bool nx;			/* NX huge pages apply to the VM */
	bool fetch;			/* an instruction fetch faulted */
	bool flush;			/* out: this vCPU must flush */
	bool flush_all;			/* out: every vCPU must flush */
};

/* The result of resolving a guest frame. */
struct okvm_pfn {
	struct page *page;
	bool writable;
};

/* Shadow roots kept across CR3 loads (shadow_roots.c). */
#define OKVM_SH_SLOTS		8	/* guest CR3s remembered per vCPU */
#define OKVM_SH_SLOT_ROOTS	8	/* top-level entries kept per CR3 */

/* Top-level entries set aside when the guest left one CR3. */
struct okvm_shadow_slot {
	u64 cr3;			/* the guest's PML4 address */
	unsigned long used;		/* okvm_shadow.clock when set aside */
	unsigned int n;			/* entries kept; 0: the slot is free */
	u16 idx[OKVM_SH_SLOT_ROOTS];	/* their index in the root */
	u64 spte[OKVM_SH_SLOT_ROOTS];	/* the shadow entry */
	u64 gpte[OKVM_SH_SLOT_ROOTS];	/* the guest entry it was made from */
};

/* One vCPU's shadow table (shadow.c). */
struct okvm_shadow {
	u64 *root;
	u64 root_pa;
	int levels;			/* 3: PAE, 4: long mode */
	struct list_head pages;		/* tables below the root or in slots */
	unsigned int nr_pages;		/* on 'pages' */
	unsigned int nr_huge;		/* live 2 MiB leaves, slots' too */
	u64 cr3;			/* the guest PML4 the root is for */
	unsigned long clock;		/* CR3 loads that set entries aside */
	/* Root entries that may hold leaves a CR3 load drops (not global). */
	DECLARE_BITMAP(nonglobal, 512);
	struct okvm_shadow_slot slots[OKVM_SH_SLOTS];
};

/* A guest region split by NX huge pages under shadow paging (shadow_nx.c). */
struct okvm_shadow_split {
	struct list_head link;		/* on the VM's list, oldest first */
	u64 region;			/* gfn / 512 */
};

/* Shadow paging's reverse map, gfn -> shadow entries (rmap.c). */
struct okvm_rmap {
	struct xarray xa;		/* gfn -> 4 KiB entries */
	struct xarray xa_huge;		/* gfn / 512 -> 2 MiB entries */
	unsigned long descs;		/* descriptors allocated */
	bool lost;			/* a record could not be kept */
};

struct okvm_memslot;

/* What one attempt at mapping a guest frame came to (mmu.c). */
enum okvm_fault_step { OKVM_FAULT_MAPPED, OKVM_FAULT_RETRY, OKVM_FAULT_MMIO };

/* A guest frame being mapped, with the host page found for it. */
struct okvm_fault {
	u64 gfn;
	bool write;
	struct okvm_pfn pfn;
	const struct okvm_memslot *slot;
};

/* Install the translation; mmu_lock held, may not sleep; 0 or -errno. */
typedef int (*okvm_install_fn)(struct okvm_vcpu *vcpu,
			       const struct okvm_fault *f, void *arg);

/* pages.c: KVM_SET_NR_MMU_PAGES / KVM_GET_NR_MMU_PAGES */
long okvm_vm_set_nr_mmu_pages(struct okvm_vm *vm, unsigned long nr);
long okvm_vm_get_nr_mmu_pages(struct okvm_vm *vm);
unsigned long okvm_shadow_max_pages(struct okvm_vm *vm, unsigned long dflt);

/* mmu.c: the interface both MMUs sit behind */
int okvm_mmu_vcpu_init(struct okvm_vcpu *vcpu);
void okvm_mmu_vcpu_destroy(struct okvm_vcpu *vcpu);
void okvm_mmu_reset_context(struct okvm_vcpu *vcpu);
void okvm_mmu_new_cr3(struct okvm_vcpu *vcpu);
int okvm_mmu_guest_page_fault(struct okvm_vcpu *vcpu, u64 la, u64 error);
void okvm_mmu_invlpg(struct okvm_vcpu *vcpu, u64 la);
bool okvm_mmu_is_tdp(struct okvm_vm *vm);
int okvm_mmu_topup(struct okvm_vcpu *vcpu, int n);
int okvm_resolve_pfn(const struct okvm_memslot *slot, u64 gfn, bool write,
		     struct okvm_pfn *pfn);
int okvm_mmu_map_gfn(struct okvm_vcpu *vcpu, u64 gfn, bool write,
		     okvm_install_fn install, void *arg);
int okvm_mmu_vm_init(struct okvm_vm *vm, const struct okvm_pte_fmt *fmt,
		     int levels);
void okvm_mmu_vm_destroy(struct okvm_vm *vm);
int okvm_mmu_page_fault(struct okvm_vcpu *vcpu, u64 gpa, u64 error);
/* okvm_mmu_unmap_gfn_range(), okvm_mmu_zap_gfn_range(): kvm_core.h */
u64 okvm_mmu_root_pa(struct okvm_vcpu *vcpu);
extern const struct okvm_pte_fmt okvm_npt_fmt;

/* shadow.c */
int okvm_shadow_vcpu_init(struct okvm_vcpu *vcpu);
void okvm_shadow_vcpu_destroy(struct okvm_vcpu *vcpu);
void okvm_shadow_reset(struct okvm_vcpu *vcpu);
void okvm_shadow_new_cr3(struct okvm_vcpu *vcpu);
void okvm_shadow_zap_all(struct okvm_vm *vm);
void okvm_shadow_invlpg(struct okvm_vcpu *vcpu, u64 la);
bool okvm_shadow_drop_la(struct okvm_vcpu *vcpu, u64 la);
bool okvm_shadow_zap_range(struct okvm_vm *vm, u64 start, u64 end);
int okvm_shadow_page_fault(struct okvm_vcpu *vcpu, u64 la, u64 error);

/* shadow_nx.c: mmu_lock held (but init and destroy) */
void okvm_shadow_stat_add(struct okvm_vm *vm, int idx, long n);
void okvm_shadow_nx_init(struct okvm_vm *vm);
void okvm_shadow_nx_destroy(struct okvm_vm *vm);
bool okvm_shadow_is_split(struct okvm_vm *vm, u64 gfn);
void okvm_shadow_mark_split(struct okvm_vm *vm, u64 gfn);
void okvm_shadow_forget_splits(struct okvm_vm *vm);
unsigned long okvm_shadow_recover_nx(struct okvm_vm *vm, unsigned long n);

/* rmap.c: called with vm->mmu_lock held (but init and destroy) */
void okvm_rmap_init(struct okvm_rmap *rm);
void okvm_rmap_destroy(struct okvm_vm *vm);
void okvm_rmap_add(struct okvm_vcpu *vcpu, u64 gfn, u64 la);
void okvm_rmap_add_huge(struct okvm_vcpu *vcpu, u64 gfn, u64 la);
bool okvm_rmap_zap_range(struct okvm_vm *vm, u64 start, u64 end);
void okvm_rmap_reset(struct okvm_vm *vm);
bool okvm_rmap_lost(struct okvm_vm *vm);

/* tdp.c: called with vm->mmu_lock held */
int okvm_tdp_init(struct okvm_tdp *tdp, const struct okvm_pte_fmt *fmt,
		  int levels, u64 *stat);
void okvm_tdp_destroy(struct okvm_tdp *tdp);
int okvm_tdp_map(struct okvm_tdp *tdp, struct okvm_tdp_req *req,
		 struct page **spare);
bool okvm_tdp_zap_range(struct okvm_tdp *tdp, u64 start_gfn, u64 end_gfn);
unsigned long okvm_tdp_recover_nx(struct okvm_tdp *tdp, unsigned long n);

/* huge.c: mmu_lock held, after the MMU-notifier sequence check */
bool okvm_host_maps_huge(struct okvm_vm *vm, const struct okvm_fault *f);
typedef void (*okvm_tdp_leaf_fn)(void *arg, u64 gfn, u64 *leaf);
void okvm_tdp_for_each_leaf(struct okvm_tdp *tdp, okvm_tdp_leaf_fn fn,
			    void *arg);

/* nx.c: NX huge pages */
void okvm_nx_init(void);
void okvm_nx_vm_init(struct okvm_vm *vm);
void okvm_nx_vm_destroy(struct okvm_vm *vm);
bool okvm_nx_huge_pages_apply(struct okvm_vm *vm);
long okvm_vm_disable_nx_huge_pages(struct okvm_vm *vm, u64 arg);

/* audit.c */
void okvm_mmu_explain_shutdown(struct okvm_vcpu *vcpu);

#endif /* OKVM_MMU_H */
