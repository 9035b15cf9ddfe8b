/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * okvm generic core: VMs, vCPUs, memslots and the MMU-notifier glue.
 *
 * Locking (see Documentation/locking.md):
 *   vm->lock         mutex, serialises vCPU creation.
 *   vm->slots_lock   mutex, serialises memslot updates.
 *   vm->srcu         SRCU, protects readers of the memslot xarrays and slots.
 *   vm->mmu_lock     spinlock, protects the second-level page tables and the
 *                    notifier sequence/count.  Taken inside slots_lock and
 *                    inside an SRCU read section, never the other way round.
 *   vcpu->mutex      serialises ioctls on one vCPU.
 */
#ifndef OKVM_KVM_CORE_H
#define OKVM_KVM_CORE_H

#include <linux/kvm.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>
#include <linux/xarray.h>
#include <linux/mmu_notifier.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/wait.h>

/*
 * The architecture's part (arch/$(SRCARCH)/kvm/kvm_arch.h, found through
 * the include path Kbuild sets per architecture): struct okvm_vm_arch,
 * struct okvm_vcpu_arch, OKVM_ARCH_MEM_FLAGS (memslot flags beyond dirty
 * logging that the arch's fault path honours) and OKVM_VCPU_MMAP_PAGES
 * (the size of the vCPU mapping, KVM_GET_VCPU_MMAP_SIZE, in pages), and
 * okvm_arch_kick_cpu(vcpu, cpu), inline: make @cpu, which may be running
 * @vcpu's guest, leave guest mode; any context, @cpu not the caller's.
 */
struct okvm_vm;
struct okvm_vcpu;

#include "kvm_arch.h"

#define OKVM_API_VERSION	12
#define OKVM_MAX_VCPUS		1024
#define OKVM_MAX_VCPU_IDS	4096
#define OKVM_SOFT_MAX_VCPUS	16
#define OKVM_USER_MEM_SLOTS	32764

/* Bits in vcpu->requests: work to do before the next guest entry. */
enum okvm_request {
	OKVM_REQ_TLB_FLUSH,	/* flush this vCPU's guest TLB */
	OKVM_REQ_CLOCK_UPDATE,	/* rewrite the guest's pvclock */
	OKVM_REQ_EVENT,		/* an interrupt source changed: re-choose */
	OKVM_REQ_TRIPLE_FAULT,	/* shut the vCPU down */
	OKVM_REQ_EOI_EXIT,	/* tell userspace's interrupt controller an EOI */
};

/* vcpu->mode, read by kickers to decide whether an IPI is needed. */
enum okvm_vcpu_mode {
	OKVM_OUTSIDE_GUEST,
	OKVM_IN_GUEST,
};

struct okvm_memslot {
	u64 base_gfn;
	u64 npages;
	u64 userspace_addr;
	u32 flags;
	u16 id;
	bool retired;			/* unpublished: not to be cached */
	unsigned long *dirty_bitmap;	/* with KVM_MEM_LOG_DIRTY_PAGES */
};

static inline u64 okvm_slot_end_gfn(const struct okvm_memslot *s)
{
	return s->base_gfn + s->npages;
}

static inline unsigned long okvm_slot_hva(const struct okvm_memslot *s, u64 gfn)
{
	return s->userspace_addr + ((gfn - s->base_gfn) << PAGE_SHIFT);
}

/*
 * Coalesced MMIO/PIO: the ring, and the zones, each an I/O bus device;
 * where the UAPI gives the ring a page of the vCPU mapping (x86; not s390).
 */
struct okvm_coalesced {
	spinlock_t lock;		/* producing into ring */
	struct kvm_coalesced_mmio_ring *ring;	/* one page, mmapped */
	struct list_head zones;		/* okvm_coalesced_zone, slots_lock */
};

/* In-kernel I/O buses (iobus.c). */
enum okvm_bus {
	OKVM_MMIO_BUS,
	OKVM_PIO_BUS,
	OKVM_VIRTIO_CCW_BUS,		/* ioeventfds only; no arch kicks it yet */
	OKVM_NR_BUSES,
};
#define OKVM_IO_BUS_MAX_DEVS	1000	/* as upstream: -ENOSPC past it */

struct okvm_io_dev;
struct okvm_io_dev_ops {
	/* The vCPU's access, vcpu->mutex held, under vm->srcu; may not
	 * sleep.  0 when handled.  NULL: the device never takes that kind
	 * of access (it goes on to the next device, or to userspace). */
	int (*read)(struct okvm_io_dev *dev, struct okvm_vcpu *vcpu, u64 addr,
		    u32 len, void *val);
	int (*write)(struct okvm_io_dev *dev, struct okvm_vcpu *vcpu, u64 addr,
		     u32 len, const void *val);
};

struct okvm_io_dev {
	u64 addr;
	u32 len;			/* 0: writes at exactly addr */
	const struct okvm_io_dev_ops *ops;
	bool uncounted;			/* an ioeventfd: not in the bus limit */
};

struct okvm_io_bus;

/*
 * Statistics (stats.c, KVM_GET_STATS_FD): u64 slots, the generic ones
 * first, then the arch's (OKVM_ARCH_NR_*_STATS, described by
 * okvm_arch_*_stat_descs[]).  A counter is one slot, a histogram
 * OKVM_STAT_HIST_BUCKETS consecutive ones.  A vCPU's are written by its
 * thread (under vcpu->mutex), a VM's by whoever does what they count;
 * readers take a racy snapshot.
 */
enum okvm_vm_stat {
	OKVM_VM_STAT_REMOTE_TLB_FLUSH,
	OKVM_VM_STAT_REMOTE_TLB_FLUSH_REQUESTS,
	OKVM_VM_NR_GENERIC_STATS
};

/* Buckets of a logarithmic histogram: bucket i counts fls64(v) == i. */
#define OKVM_STAT_HIST_BUCKETS	32

enum okvm_vcpu_stat {
	OKVM_STAT_HALT_SUCCESSFUL_POLL,
	OKVM_STAT_HALT_ATTEMPTED_POLL,
	OKVM_STAT_HALT_POLL_INVALID,
	OKVM_STAT_HALT_WAKEUP,
	OKVM_STAT_HALT_POLL_SUCCESS_NS,
	OKVM_STAT_HALT_POLL_FAIL_NS,
	OKVM_STAT_HALT_WAIT_NS,
	OKVM_STAT_HALT_POLL_SUCCESS_HIST,
	OKVM_STAT_HALT_POLL_FAIL_HIST = OKVM_STAT_HALT_POLL_SUCCESS_HIST +
					OKVM_STAT_HIST_BUCKETS,
	OKVM_STAT_HALT_WAIT_HIST = OKVM_STAT_HALT_POLL_FAIL_HIST +
				   OKVM_STAT_HIST_BUCKETS,
	OKVM_STAT_BLOCKING = OKVM_STAT_HALT_WAIT_HIST + OKVM_STAT_HIST_BUCKETS,
	OKVM_VCPU_NR_GENERIC_STATS
};

/* Descriptors: the generic ones (stats.c), then one per arch slot. */
#define OKVM_VM_NR_GENERIC_DESCS	2
#define OKVM_VCPU_NR_GENERIC_DESCS	11
#define OKVM_VM_NR_DESCS	(OKVM_VM_NR_GENERIC_DESCS + OKVM_ARCH_NR_VM_STATS)
#define OKVM_VCPU_NR_DESCS	(OKVM_VCPU_NR_GENERIC_DESCS + \
				 OKVM_ARCH_NR_VCPU_STATS)

#define OKVM_VM_NR_STATS	(OKVM_VM_NR_GENERIC_STATS + OKVM_ARCH_NR_VM_STATS)
#define OKVM_VCPU_NR_STATS	(OKVM_VCPU_NR_GENERIC_STATS + \
				 OKVM_ARCH_NR_VCPU_STATS)

struct okvm_stat_desc {
	const char *name;
	u32 flags;		/* KVM_STATS_TYPE_*, _UNIT_* and _BASE_* */
	s16 exponent;
	u16 slot;		/* first u64, counted from its part's start */
	u16 size;		/* u64s: 1, or a histogram's buckets */
};

/* A one-slot counter at @slot of its part (generic or arch). */
#define OKVM_STAT_DESC(_slot, _name, _flags, _exp)			\
	{ .name = (_name), .flags = (_flags), .exponent = (_exp),	\
	  .slot = (_slot), .size = 1 }

/* The flags the counters use: a count, nanoseconds (exponent -9), a flag. */
#define OKVM_STAT_COUNT		(KVM_STATS_TYPE_CUMULATIVE | \
				 KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10)
#define OKVM_STAT_COUNT_NS	(KVM_STATS_TYPE_CUMULATIVE | \
				 KVM_STATS_UNIT_SECONDS | KVM_STATS_BASE_POW10)
#define OKVM_STAT_NOW_BOOL	(KVM_STATS_TYPE_INSTANT | \
				 KVM_STATS_UNIT_BOOLEAN | KVM_STATS_BASE_POW10)
#define OKVM_STAT_NOW		(KVM_STATS_TYPE_INSTANT | \
				 KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10)
#define OKVM_STAT_PEAK		(KVM_STATS_TYPE_PEAK | \
				 KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10)
#define OKVM_STAT_LOG_HIST_NS	(KVM_STATS_TYPE_LOG_HIST | \
				 KVM_STATS_UNIT_SECONDS | KVM_STATS_BASE_POW10)
extern const struct okvm_stat_desc okvm_arch_vm_stat_descs[];
extern const struct okvm_stat_desc okvm_arch_vcpu_stat_descs[];

static inline void okvm_stat_add(u64 *stat, u64 n)
{
	WRITE_ONCE(*stat, READ_ONCE(*stat) + n);
}

/* A peak value: raise *stat to @v if it is lower. */
static inline void okvm_stat_peak(u64 *stat, u64 v)
{
	if (v > READ_ONCE(*stat))
		WRITE_ONCE(*stat, v);
}

/* Count @v in the logarithmic histogram at @hist (bucket fls64(v)). */
static inline void okvm_stat_log_hist(u64 *hist, u64 v)
{
	okvm_stat_add(&hist[min(fls64(v), OKVM_STAT_HIST_BUCKETS - 1)], 1);
}

#define okvm_vcpu_stat_inc(vcpu, idx)	okvm_stat_add(&(vcpu)->stat[idx], 1)
/* An arch's own counter, @idx counted from 0. */
#define okvm_arch_stat_inc(vcpu, idx) \
	okvm_vcpu_stat_inc(vcpu, OKVM_VCPU_NR_GENERIC_STATS + (idx))

/* Memslots okvm_gfn_to_slot() remembers per VM (memslot.c). */
#define OKVM_SLOT_CACHE	4

struct okvm_vm {
	refcount_t refs;		/* VM fd + one per vCPU */
	struct mm_struct *mm;		/* owner's mm, mmgrab()ed */
	struct mutex lock;		/* vCPU creation */

	struct mutex slots_lock;	/* memslot updates */
	struct srcu_struct srcu;	/* memslot readers */
	struct xarray slots_by_id;	/* id -> slot, under slots_lock */
	struct xarray slots_by_end;	/* last gfn -> slot, SRCU readers */
	/* lookup cache (memslot.c), SRCU; entry id % OKVM_SLOT_CACHE */
	struct okvm_memslot *slot_cache[OKVM_SLOT_CACHE];
	unsigned long slots_updating;	/* non-zero during a delete/move */
	u64 slot_pages;			/* in all slots, under slots_lock */
	bool slot_created;		/* ever; under slots_lock */

	spinlock_t mmu_lock;
	unsigned long mmu_seq;		/* bumped at invalidate end */
	long mmu_invalidating;		/* invalidations in progress */
	struct mmu_notifier mn;

	struct xarray vcpus;		/* index -> vcpu, index < online */
	atomic_t online_vcpus;
	int created_vcpus;		/* under lock */

#ifdef KVM_COALESCED_MMIO_PAGE_OFFSET
	struct okvm_coalesced coalesced;
#endif
	struct list_head ioeventfds;	/* okvm_ioeventfd, slots_lock */
	spinlock_t irqfd_lock;		/* irqfds (irqfd.c) */
	struct list_head irqfds;
	struct workqueue_struct *irqfd_wq;	/* made under lock */
	struct mutex irqfd_ioctl_lock;	/* KVM_IRQFD, one at a time */
	struct mutex resampler_lock;	/* resamplers and their irqfds */
	struct list_head resamplers;	/* RCU readers (irqfd.c) */
	struct okvm_io_bus __rcu *buses[OKVM_NR_BUSES];	/* slots_lock, srcu */
	unsigned int max_halt_poll_ns;	/* KVM_CAP_HALT_POLL (halt.c) */
	bool halt_poll_override;	/* ... was enabled: use it */
	u64 stat[OKVM_VM_NR_STATS];
	struct list_head vm_node;	/* okvm_vm_list (debugfs.c) */
	struct dentry *debugfs;		/* "<pid>-<fd>", or NULL */
	struct okvm_debugfs_stat *debugfs_stats;	/* its files' data */

	struct okvm_vm_arch arch;
};

struct okvm_vcpu {
	struct okvm_vm *vm;
	int vcpu_id;
	int vcpu_idx;
	struct mutex mutex;		/* one ioctl at a time */
	struct kvm_run *run;		/* page 0 of the vCPU mapping */

	wait_queue_head_t wq;		/* a halted vCPU sleeps here */
	int cpu;			/* host CPU it last entered on */
	int mode;			/* enum okvm_vcpu_mode */
	unsigned long requests;
	struct pid __rcu *pid;		/* the thread of the last KVM_RUN */
	unsigned int halt_poll_ns;	/* its poll window (halt.c) */
	u64 stat[OKVM_VCPU_NR_STATS];

	struct okvm_vcpu_arch arch;
};

/*
 * Take request @req if it is set (the vCPU's thread).  Most checks find
 * nothing: a plain read first spares them the locked operation, and the
 * check is inline because every entry makes several.
 */
static inline bool okvm_check_request(struct okvm_vcpu *vcpu, int req)
{
	return test_bit(req, &vcpu->requests) &&
	       test_and_clear_bit(req, &vcpu->requests);
}

/*
 * main.c: the back end that runs guests, and /dev/kvm, which exists only
 * while one is registered.  Process context, may sleep.  The hooks run on
 * each CPU, preemption off, and may not sleep: hardware_enable when the
 * back end registers, when a CPU comes online and at resume (0 or
 * -errno, e.g. -EBUSY: someone else owns the CPU); hardware_disable at
 * unregistration, when a CPU goes offline, at reboot and suspend.  Either
 * may be NULL where the hardware needs nothing per CPU.
 */
struct okvm_backend {
	const char *name;
	struct module *owner;		/* pinned by every file we hand out */
	int (*hardware_enable)(void);
	void (*hardware_disable)(void);
};
int okvm_register_backend(const struct okvm_backend *be);
void okvm_unregister_backend(const struct okvm_backend *be);
void okvm_set_fops_owner(struct module *owner);
extern struct file_operations okvm_vm_fops;
extern struct file_operations okvm_vcpu_fops;
extern struct file_operations okvm_stats_fops;
extern struct file_operations okvm_debugfs_vm_fops;
extern struct file_operations okvm_debugfs_pid_fops;

/* vm.c */
int okvm_create_vm(unsigned long type);
void okvm_vm_put(struct okvm_vm *vm);
long okvm_check_extension(struct okvm_vm *vm, long cap);

/* vcpu.c */
int okvm_create_vcpu(struct okvm_vm *vm, unsigned long id);
void okvm_vcpu_destroy(struct okvm_vcpu *vcpu);
void okvm_make_request(struct okvm_vcpu *vcpu, int req);
void okvm_kick_vcpu(struct okvm_vcpu *vcpu);
bool okvm_vcpu_sleep(struct okvm_vcpu *vcpu);
bool okvm_vcpu_on_spin(struct okvm_vcpu *me);
void okvm_flush_remote_tlbs(struct okvm_vm *vm);

#define okvm_for_each_vcpu(idx, vcpu, vm) \
	xa_for_each_range(&(vm)->vcpus, idx, vcpu, 0, \
			  atomic_read(&(vm)->online_vcpus) - 1)

/* halt.c */
void okvm_vcpu_block(struct okvm_vcpu *vcpu, bool halt);
int okvm_vm_enable_halt_poll(struct okvm_vm *vm, u64 max_ns);

/* stats.c */
int okvm_get_stats_fd(struct okvm_vm *vm, struct okvm_vcpu *vcpu);
const struct okvm_stat_desc *okvm_stat_desc_at(bool vcpu, size_t index,
					       size_t *slot);

/*
 * debugfs.c: /sys/kernel/debug/kvm.  okvm_debugfs_open/_release are for
 * files under a VM's directory (an arch's per-vCPU files too): a simple
 * attribute ("%llu\n") holding a VM reference while open; @set is used
 * only when the file's mode lets it be written.  The arch hook adds its
 * files to a new vCPU's directory @dir (vm->lock held, may sleep).
 */
struct dentry;
struct okvm_debugfs_stat;
void okvm_debugfs_init(void);
void okvm_debugfs_exit(void);
void okvm_debugfs_vm_add(struct okvm_vm *vm, int fd);
void okvm_debugfs_vm_remove(struct okvm_vm *vm);
void okvm_debugfs_vcpu_add(struct okvm_vcpu *vcpu);
int okvm_debugfs_open(struct okvm_vm *vm, struct inode *inode,
		      struct file *file, int (*get)(void *, u64 *),
		      int (*set)(void *, u64));
int okvm_debugfs_release(struct okvm_vm *vm, struct inode *inode,
			 struct file *file);
void okvm_arch_vcpu_debugfs(struct okvm_vcpu *vcpu, struct dentry *dir);

/* memslot.c */
int okvm_set_memory_region(struct okvm_vm *vm,
			   const struct kvm_userspace_memory_region *mem);
struct okvm_memslot *okvm_gfn_to_slot(struct okvm_vm *vm, u64 gfn);
void okvm_free_memslots(struct okvm_vm *vm);
int okvm_read_guest(struct okvm_vm *vm, u64 gpa, void *buf, unsigned long len);
int okvm_write_guest(struct okvm_vm *vm, u64 gpa, const void *buf,
		     unsigned long len);
int okvm_cmpxchg_guest64(struct okvm_vm *vm, u64 gpa, u64 old, u64 new,
			 unsigned int size);

/* iobus.c */
int okvm_io_bus_access(struct okvm_vcpu *vcpu, enum okvm_bus idx, u64 addr,
		       u32 len, void *val, bool write);
int okvm_io_bus_register(struct okvm_vm *vm, enum okvm_bus idx,
			 struct okvm_io_dev *dev);
void okvm_io_bus_unregister(struct okvm_vm *vm, enum okvm_bus idx,
			    struct okvm_io_dev *dev);
void okvm_io_bus_destroy(struct okvm_vm *vm);

/* dirty_log.c */
int okvm_alloc_dirty_bitmap(struct okvm_memslot *slot);
void okvm_free_slot(struct okvm_memslot *slot);
void okvm_mark_page_dirty(struct okvm_memslot *slot, u64 gfn);
long okvm_get_dirty_log(struct okvm_vm *vm, struct kvm_dirty_log *log);

/* coalesced_mmio.c */
#ifdef KVM_COALESCED_MMIO_PAGE_OFFSET
int okvm_coalesced_init(struct okvm_vm *vm);
void okvm_coalesced_destroy(struct okvm_vm *vm);
struct page *okvm_coalesced_page(struct okvm_vm *vm);
long okvm_vm_ioctl_register_coalesced(struct okvm_vm *vm, void __user *argp);
long okvm_vm_ioctl_unregister_coalesced(struct okvm_vm *vm,
					void __user *argp);
#else
static inline int okvm_coalesced_init(struct okvm_vm *vm)
{
	return 0;
}

static inline void okvm_coalesced_destroy(struct okvm_vm *vm)
{
}
#endif

/* irqfd.c, and its arch hooks: may an irqfd (a resample one) be assigned
 * (process context, may sleep); raise an edge on @gsi (any context, an
 * eventfd's queue lock held, must not sleep), or with @level the resample
 * irqfds' level (process context); lower that level (process context). */
long okvm_vm_ioctl_irqfd(struct okvm_vm *vm, void __user *argp);
void okvm_irqfd_release_all(struct okvm_vm *vm);
bool okvm_irqfd_has_resamplers(struct okvm_vm *vm);
bool okvm_irqfd_resampled(struct okvm_vm *vm, u32 gsi);
void okvm_irqfd_resample_notify(struct okvm_vm *vm, u32 gsi);
bool okvm_arch_irqfd_allowed(struct okvm_vm *vm, bool resample);
void okvm_arch_irqfd_inject(struct okvm_vm *vm, u32 gsi, bool level);
void okvm_arch_irqfd_lower(struct okvm_vm *vm, u32 gsi);

/* ioeventfd.c */
long okvm_vm_ioctl_ioeventfd(struct okvm_vm *vm, void __user *argp);
void okvm_ioeventfd_release_all(struct okvm_vm *vm);

/* mmu_notifier.c */
int okvm_mmu_notifier_register(struct okvm_vm *vm);
void okvm_mmu_notifier_unregister(struct okvm_vm *vm);

/*
 * The hooks every architecture implements (arch/$(SRCARCH)/kvm/), besides
 * the irqfd ones above.  The ioctl hooks get what the generic code does
 * not handle, with the locks that code holds: vcpu->mutex for the vCPU
 * ones.
 */
/* kvm.ko load, before anything else; -errno refuses the load. */
int okvm_arch_init(void);
/* /dev/kvm ioctls; -EINVAL for an unknown one (as KVM). */
long okvm_arch_dev_ioctl(unsigned int ioctl, void __user *argp);
/* Capabilities beyond the generic ones (vm is NULL on /dev/kvm): 0 when
 * absent. */
long okvm_arch_check_extension(struct okvm_vm *vm, long cap);
/* KVM_CREATE_VM, no locks, may sleep; undone by okvm_arch_vm_destroy(). */
int okvm_arch_vm_init(struct okvm_vm *vm);
/*
 * Last reference gone, before the vCPUs are freed: stop the arch's
 * background work on the VM; may sleep.
 */
void okvm_arch_vm_pre_destroy(struct okvm_vm *vm);
/* Last reference gone, every vCPU freed; may sleep. */
void okvm_arch_vm_destroy(struct okvm_vm *vm);
/* VM ioctls; -ENOTTY for an unknown one. */
long okvm_arch_vm_ioctl(struct okvm_vm *vm, unsigned int ioctl,
			void __user *argp);
/* KVM_ENABLE_CAP on the VM for a capability the core does not handle. */
long okvm_arch_vm_enable_cap(struct okvm_vm *vm,
			     const struct kvm_enable_cap *cap);
/* KVM_CREATE_VCPU, vm->lock held, before anything is allocated: may a
 * vCPU with this id (< OKVM_MAX_VCPU_IDS) be made?  0 or -errno. */
int okvm_arch_vcpu_precreate(struct okvm_vm *vm, unsigned long id);
/* KVM_CREATE_VCPU, before the vCPU is visible; may sleep. */
int okvm_arch_vcpu_create(struct okvm_vcpu *vcpu);
/* Undo okvm_arch_vcpu_create(); may sleep. */
void okvm_arch_vcpu_free(struct okvm_vcpu *vcpu);
/* KVM_RUN, vcpu->mutex held. */
int okvm_arch_vcpu_run(struct okvm_vcpu *vcpu);
/* Other vCPU ioctls, vcpu->mutex held. */
long okvm_arch_vcpu_ioctl(struct okvm_vcpu *vcpu, unsigned int ioctl,
			  void __user *argp);
/* A page of the vCPU mapping that the generic code does not serve
 * (kvm_run is page 0, the coalesced ring its UAPI offset), or NULL. */
struct page *okvm_arch_vcpu_page(struct okvm_vcpu *vcpu, unsigned long pgoff);
/* A halted vCPU has something to do (okvm_vcpu_block()); any context. */
bool okvm_arch_vcpu_should_wake(struct okvm_vcpu *vcpu);
/*
 * The arch's second-level MMU, vm->mmu_lock held: unmap the gfns
 * [start, end), true if the caller must then flush the guests' TLBs
 * (okvm_flush_remote_tlbs()); zap does the same and has them flushed.
 */
bool okvm_mmu_unmap_gfn_range(struct okvm_vm *vm, u64 start, u64 end);
void okvm_mmu_zap_gfn_range(struct okvm_vm *vm, u64 start, u64 end);

#endif /* OKVM_KVM_CORE_H */
