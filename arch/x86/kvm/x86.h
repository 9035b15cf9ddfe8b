/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86 per-VM and per-vCPU state shared by the core and the vendor modules.
 */
#ifndef OKVM_X86_H
#define OKVM_X86_H

#include <linux/types.h>
#include <linux/signal.h>
#include <linux/atomic.h>
#include <linux/workqueue.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include "mmu/mmu.h"
#include "mmu/walk.h"

struct okvm_vm;
struct okvm_vcpu;
struct okvm_lapic;
struct okvm_irqchip;
struct okvm_pit;

/* Architectural power-on values. */
#define OKVM_DR6_INIT		0xffff0ff0ULL
#define OKVM_DR7_INIT		0x00000400ULL
#define OKVM_PAT_INIT		0x0007040600070406ULL
#define OKVM_APIC_BASE_INIT	0xfee00000ULL

#define OKVM_MAX_IRQ_ROUTES	4096	/* KVM_SET_GSI_ROUTING entries */

/* Vendor-neutral exit codes reported by the vendor's decode_exit hook. */
enum okvm_exit_code {
	OKVM_X_NONE,		/* handled inside the vendor; re-enter */
	OKVM_X_EXTINT,		/* host interrupt/NMI/SMI; re-enter */
	OKVM_X_IO,		/* port I/O instruction */
	OKVM_X_NPF,		/* second-level page fault */
	OKVM_X_HLT,
	OKVM_X_CPUID,
	OKVM_X_RDMSR,
	OKVM_X_WRMSR,
	OKVM_X_XSETBV,
	OKVM_X_SHUTDOWN,	/* triple fault; vendor state is undefined */
	OKVM_X_ENTRY_FAILED,	/* hardware refused the guest state */
	OKVM_X_UD,		/* inject #UD (virtualisation instructions) */
	OKVM_X_GP,		/* inject #GP(0) */
	OKVM_X_NOP,		/* skip the instruction (INVD, ...) */
	OKVM_X_MONITOR_MWAIT,	/* a NOP or #UD (quirks.c) */
	OKVM_X_HYPERCALL,	/* the vendor's hypercall instruction */
	OKVM_X_UD_FAULT,	/* #UD raised in the guest (hypercall.c) */
	OKVM_X_PAUSE,		/* a pause loop: skip it, let another vCPU run */
	OKVM_X_DR_ACCESS,	/* first guest debug-register access */
	OKVM_X_IRQ_WINDOW,	/* the guest can take an interrupt now */
	OKVM_X_IRET,		/* IRET while NMIs were blocked */
	OKVM_X_CR_ACCESS,	/* MOV to/from CR0/3/4, CLTS (shadow paging) */
	OKVM_X_INVLPG,		/* INVLPG (shadow paging) */
	OKVM_X_GUEST_PF,	/* #PF in the guest (shadow paging) */
	OKVM_X_DB,		/* #DB, intercepted while single-stepping */
	OKVM_X_STATE_LOST,	/* the CPU saved the host's state as the guest's */
	OKVM_X_UNKNOWN,		/* anything else: internal error */
};

/* The instruction set of hw_reason, numbered as kvm_exit's isa upstream. */
#define OKVM_ISA_VMX	1
#define OKVM_ISA_SVM	2

struct okvm_exit {
	enum okvm_exit_code code;
	u64 hw_reason;			/* raw vendor code, for reports */
	u64 next_rip;			/* 0 when the hardware did not say */
	bool no_exit;			/* the guest never ran: no kvm_exit */
	bool shadow;			/* exited in an STI/MOV SS shadow */
	struct {			/* raw vendor details, for kvm_exit */
		u64 info1, info2;
		u32 intr_info, error_code;
	} trace;
	union {
		struct {
			u16 port;
			u8 size;	/* 1, 2, 4 */
			u8 seg;		/* enum x86_emu_seg, for OUTS */
			u8 addr_size;	/* 2, 4, 8 */
			bool in, string, rep;
		} io;
		struct {
			u64 gpa;
			u64 error;	/* #PF-style error code */
		} npf;
		struct {
			u64 la;		/* CR2 of the fault */
			u64 error;
		} pf;
		struct {
			u64 dr6;	/* as the #DB left it */
		} db;
	};
};

/* Userspace-visible exits; okvm_exit_to_user() maps them to KVM_EXIT_*. */
enum okvm_user_exit {
	OKVM_USER_IO,
	OKVM_USER_MMIO,
	OKVM_USER_HLT,
	OKVM_USER_SHUTDOWN,
	OKVM_USER_FAIL_ENTRY,
	OKVM_USER_INTR,
	OKVM_USER_INTERNAL_ERROR,
	OKVM_USER_IRQ_WINDOW,
	OKVM_USER_DEBUG,
	OKVM_USER_IOAPIC_EOI,
	OKVM_USER_RDMSR,	/* KVM_EXIT_X86_RDMSR (msr_filter.c) */
	OKVM_USER_WRMSR,	/* KVM_EXIT_X86_WRMSR */
};

/* What to finish on the next KVM_RUN after a userspace exit. */
enum okvm_completion {
	OKVM_COMPLETE_NONE,
	OKVM_COMPLETE_PIO,
	OKVM_COMPLETE_MMIO_READ,
	OKVM_COMPLETE_RDMSR,	/* RDMSR/WRMSR answered by userspace */
	OKVM_COMPLETE_WRMSR,
};

/* An RDMSR/WRMSR handed to userspace (msr_filter.c). */
struct okvm_msr_exit {
	u32 index;
	u32 reason;		/* KVM_MSR_EXIT_REASON_* */
	u64 data;		/* WRMSR: the value written */
	u64 next_rip;		/* of the exit; 0: decode at completion */
};

/*
 * Why okvm_get_msr()/okvm_set_msr() refused an access: 1 is a #GP
 * condition of an MSR okvm knows (a bad value, a feature the guest lacks).
 */
#define OKVM_MSR_UNKNOWN	2	/* no such MSR in okvm */
#define OKVM_MSR_FILTERED	3	/* denied by KVM_X86_SET_MSR_FILTER */

struct okvm_pio {
	u16 port;
	u8 size;
	bool in, string, rep;
	u8 seg;
	u8 addr_size;
	u32 count;
	u64 next_rip;
	u64 linear_rip;		/* CS base + RIP at the exit (not string) */
};

#define OKVM_MMIO_READS	4

/* A read userspace answered (KVM_EXIT_MMIO, then KVM_RUN with the data). */
struct okvm_mmio_read {
	u64 gpa;
	u32 len;
	u8 data[8];
};

struct okvm_mmio {
	u64 gpa;		/* the access of the exit to userspace */
	u32 len;
	bool is_write;
	bool write_pending;	/* the current instruction wrote MMIO */
	/* Emulating for a nested page fault on MMIO at hint_gpa (its data). */
	bool hint;
	u64 hint_gpa;
	u8 data[8];		/* a write's data */
	/*
	 * The reads userspace answered for the instruction being emulated,
	 * in the order it made them (CMPS reads two operands, a read that
	 * crosses a page two pieces): each pass of the instruction gets
	 * them back from the first (next_read) and exits for the one after.
	 */
	u8 nr_reads;
	u8 next_read;
	struct okvm_mmio_read reads[OKVM_MMIO_READS];
	struct x86_walk_regs regs;	/* the emulated instruction's walks */
};

struct okvm_event {
	bool pending;
	u8 vector;
	u8 type;		/* OKVM_EVENT_* */
	bool has_error;
	u32 error;
};

/* An exception raised (pending) or cut off in delivery (injected). */
struct okvm_exception {
	bool pending;
	bool injected;
	u8 vector;
	bool has_error;
	u32 error;
};

enum okvm_event_type {
	OKVM_EVENT_EXCEPTION,
	OKVM_EVENT_INTR,
	OKVM_EVENT_NMI,
};

/* MSRs that are only stored (msr.c). */
#define OKVM_NR_VAR_MTRR	8
struct okvm_msr_store {
	u64 misc_enable;
	u64 tsc_aux;
	u64 mtrr_def_type;
	u64 mtrr_fixed[11];
	u64 mtrr_var[2 * OKVM_NR_VAR_MTRR];
	u64 hwcr;
	u64 de_cfg;
	u64 platform_info;	/* MSR_PLATFORM_INFO (msr_platform.c) */
	u64 misc_features;	/* MSR_MISC_FEATURES_ENABLES */
	u64 tsc_adjust;		/* MSR_IA32_TSC_ADJUST (kvmclock.c) */
	u64 power_ctl;		/* MSR_IA32_POWER_CTL */
};

/* MSR_KVM_STEAL_TIME (steal_time.c) */
struct okvm_steal_time {
	u64 msr;
	u64 last_run_delay;	/* run_delay already added to 'steal' */
	bool pending;		/* update at the next entry */
};

/* MSR_KVM_PV_EOI_EN (pv_eoi.c); the vCPU's thread only. */
struct okvm_pv_eoi {
	u64 msr;
	bool pending;		/* bit 0 set by us, not yet cleared */
};

#define OKVM_MAX_MCE_BANKS	32
struct okvm_mce {
	u64 mcg_cap, mcg_status, mcg_ctl;
	u64 banks[OKVM_MAX_MCE_BANKS][4];	/* CTL, STATUS, ADDR, MISC */
};

/* Segment registers; the first six in hardware (and emulator) order. */
enum okvm_seg {
	OKVM_SEG_ES, OKVM_SEG_CS, OKVM_SEG_SS, OKVM_SEG_DS,
	OKVM_SEG_FS, OKVM_SEG_GS, OKVM_SEG_TR, OKVM_SEG_LDTR,
};

/* GPR indices, hardware order. */
enum okvm_reg {
	OKVM_RAX, OKVM_RCX, OKVM_RDX, OKVM_RBX,
	OKVM_RSP, OKVM_RBP, OKVM_RSI, OKVM_RDI,
	OKVM_R8, OKVM_R9, OKVM_R10, OKVM_R11,
	OKVM_R12, OKVM_R13, OKVM_R14, OKVM_R15,
	OKVM_NR_GPRS,
};

struct okvm_vcpu_arch {
	u64 regs[OKVM_NR_GPRS];
	u64 rip;
	u64 rflags;

	struct fpu_guest guest_fpu;
	u64 xcr0;
	u64 apic_base;
	u64 tsc_offset;
	u64 debug_regs[4];	/* guest DR0-3 */
	u64 kvmclock_msr;	/* MSR_KVM_SYSTEM_TIME(_NEW) */
	u64 wall_clock_msr;
	struct okvm_steal_time st;
	struct okvm_pv_eoi pv_eoi;
	struct {
		bool enforce;	/* KVM_CAP_ENFORCE_PV_FEATURE_CPUID */
		u32 features;	/* KVM features leaf EAX (pv_cpuid.c) */
	} pv_cpuid;
	struct okvm_msr_store msrs;
	struct okvm_mce mce;
	bool debug_live;	/* guest DRs loaded around each entry */
	u32 guest_debug;	/* KVM_SET_GUEST_DEBUG control (debug.c) */
	bool debug_tf;		/* RFLAGS.TF is ours for this entry */
	bool debug_step_done;	/* okvm retired an instruction: report */
	struct kvm_debug_exit_arch debug_exit;

	enum okvm_completion completion;
	struct okvm_pio pio;
	struct page *pio_page;		/* KVM_PIO_PAGE_OFFSET of the mmap */
	struct okvm_mmio mmio;
	struct okvm_msr_exit msr_exit;
	/*
	 * Events (events.c).  The slots below are the truth; at each entry
	 * okvm_inject_events() copies the one to deliver into @event, which
	 * the vendor's run() consumes, and after the exit the vendor puts an
	 * event the exit cut off back into @event, which
	 * okvm_complete_injection() returns to its slot as injected.
	 */
	struct okvm_event event;	/* vendor: the event of this entry */
	u8 injecting;			/* OKVM_EVENT_* + 1 put in @event */
	struct okvm_exception exception;
	struct {
		bool injected;		/* acknowledged, being delivered */
		u8 vector;
	} interrupt;
	bool virq_armed;		/* the vendor delivers a lent vector */
	struct {
		bool pending;
		u8 vector;
	} irq;				/* from KVM_INTERRUPT */
	int pending_extint;		/* split: KVM_INTERRUPT's ExtINT, or -1 */
	u8 pending_eoi;			/* split: KVM_EXIT_IOAPIC_EOI's vector */
	bool nmi_injected;
	u8 nmi_pending;			/* at most 2 latched, as a CPU */
	atomic_t nmi_queued;		/* NMIs sent by other CPUs, not seen */
	bool nmi_masked;
	u32 mp_state;			/* KVM_MP_STATE_* */
	struct okvm_lapic *lapic;	/* in-kernel LAPIC, or NULL */
	bool sigset_active;
	sigset_t sigset;
	struct okvm_exit exit;		/* last exit */
	u32 internal_suberror;
	u64 internal_data[2];
	u32 internal_ndata;

	struct page *mmu_cache[6];	/* table pages for the next fault */
	unsigned long audit_next;	/* jiffies of the next mmu/audit.c run */
	bool state_lost;		/* OKVM_X_STATE_LOST: KVM_RUN says EIO */
	struct okvm_shadow shadow;	/* without TDP */
	u32 pkru;			/* guest PKRU while outside */
	u32 host_pkru;

	struct kvm_cpuid_entry2 *cpuid;
	int ncpuid;
	bool has_run;			/* KVM_RUN was called once */
	int entry_cpu;			/* CPU of the last world switch, or -1 */
	unsigned long nivcsw;		/* thread's count, last looked at */
	bool at_boundary;		/* last exit: a host interrupt */
	bool shadow_seen;		/* an exit was in a shadow */
	u64 shadow_rip;			/* ... at this RIP (events.c) */
	u64 floor_ps;			/* last entry floor, ps/entry (floor.c) */

	void *vendor;			/* struct svm_vcpu / vmx_vcpu */
};

struct okvm_vm_arch {
	struct okvm_tdp tdp;
	struct okvm_rmap rmap;		/* shadow paging only */
	/* mmu/shadow_nx.c: NX splits under shadow paging, by region */
	struct xarray sh_splits;
	struct list_head sh_split_list;	/* oldest first */
	/* mmu/nx.c: NX huge pages */
	bool nx_huge_pages_off;		/* KVM_CAP_VM_DISABLE_NX_HUGE_PAGES */
	struct delayed_work nx_recovery;
	struct list_head nx_link;	/* on nx_vms */
	/* kvmclock.c: the master clock and TSC bookkeeping */
	u64 master_tsc;
	u64 master_ns;
	u64 kvmclock_offset;
	u32 tsc_mul;
	s8 tsc_shift;
	bool tsc_trusted;		/* constant rate, or the host's clock */
	u64 tsc_offset;			/* of new vCPUs */
	spinlock_t tsc_lock;		/* the three last_tsc_* below */
	u64 last_tsc_value, last_tsc_offset, last_tsc_write_ns;
	u64 tss_addr;
	u64 identity_map_addr;
	/* In-kernel interrupt controllers (irqchip.c, pit_host.c). */
	struct okvm_irqchip *irqchip;	/* set once, before any vCPU */
	struct okvm_pit *pit;
	u32 boot_cpu_id;
	bool x2apic_32bit_ids;		/* KVM_X2APIC_API_USE_32BIT_IDS */
	bool x2apic_bcast_quirk_off;	/* ..._DISABLE_BROADCAST_QUIRK */
	u32 max_vcpu_ids;		/* KVM_CAP_MAX_VCPU_ID; vm->lock */
	u64 disabled_quirks;		/* KVM_CAP_DISABLE_QUIRKS2 (quirks.c) */
	unsigned long mmu_pages_requested;	/* KVM_SET_NR_MMU_PAGES */
	bool platform_info_readable;	/* KVM_CAP_MSR_PLATFORM_INFO */
	u32 user_space_msr_mask;	/* KVM_CAP_X86_USER_SPACE_MSR */
	struct okvm_msr_filter __rcu *msr_filter;	/* msr_filter.c */
	void *vendor;
};

/* x86.c (and the okvm_arch_* hooks of virt/kvm/kvm_core.h) */
void okvm_queue_exception(struct okvm_vcpu *vcpu, u8 vector, bool has_error,
			  u32 error);
int okvm_exit_to_user(struct okvm_vcpu *vcpu, enum okvm_user_exit why);
int okvm_floor_switch(struct okvm_vcpu *vcpu);
#define OKVM_FLOOR_MAX	1000000	/* entries per entry-floor run */
int okvm_floor_run(struct okvm_vcpu *vcpu, u32 n);
int okvm_internal_error(struct okvm_vcpu *vcpu, u32 suberror, u32 ndata,
			u64 d0, u64 d1);
long okvm_vm_enable_max_vcpu_id(struct okvm_vm *vm, u64 max);

/* events.c */
bool okvm_interrupt_allowed(struct okvm_vcpu *vcpu);
bool okvm_ready_for_interrupt(struct okvm_vcpu *vcpu);
void okvm_inject_events(struct okvm_vcpu *vcpu);
void okvm_cancel_injection(struct okvm_vcpu *vcpu);
bool okvm_vcpu_has_events(struct okvm_vcpu *vcpu);
int okvm_handle_irq_window(struct okvm_vcpu *vcpu);
int okvm_handle_iret(struct okvm_vcpu *vcpu);
long okvm_ioctl_interrupt(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_nmi(struct okvm_vcpu *vcpu);
long okvm_ioctl_get_vcpu_events(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_set_vcpu_events(struct okvm_vcpu *vcpu, void __user *argp);
void okvm_get_vcpu_events(struct okvm_vcpu *vcpu, struct kvm_vcpu_events *e);
int okvm_set_vcpu_events(struct okvm_vcpu *vcpu,
			 const struct kvm_vcpu_events *e);
long okvm_ioctl_get_debugregs(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_set_debugregs(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_set_signal_mask(struct okvm_vcpu *vcpu, void __user *argp);
void okvm_sigset_activate(struct okvm_vcpu *vcpu);
void okvm_sigset_deactivate(struct okvm_vcpu *vcpu);

/* regs.c */
void okvm_vcpu_reset_state(struct okvm_vcpu *vcpu);
void okvm_vcpu_init_state(struct okvm_vcpu *vcpu);
long okvm_ioctl_get_regs(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_set_regs(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_get_sregs(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_set_sregs(struct okvm_vcpu *vcpu, void __user *argp);
void okvm_get_regs(struct okvm_vcpu *vcpu, struct kvm_regs *r);
void okvm_set_regs(struct okvm_vcpu *vcpu, const struct kvm_regs *r);
void okvm_get_sregs(struct okvm_vcpu *vcpu, struct kvm_sregs *s);
int okvm_set_sregs(struct okvm_vcpu *vcpu, struct kvm_sregs *s);
bool okvm_is_long_mode(struct okvm_vcpu *vcpu);
bool okvm_apic_base_valid(u64 val);
int okvm_cpu_mode(struct okvm_vcpu *vcpu);

/* sync_regs.c: KVM_CAP_SYNC_REGS, state in kvm_run->s.regs */
int okvm_sync_regs_load(struct okvm_vcpu *vcpu);
void okvm_sync_regs_store(struct okvm_vcpu *vcpu);

/* debug.c: KVM_SET_GUEST_DEBUG and single-stepping */
u32 okvm_guest_debug_flags(void);
long okvm_vcpu_set_guest_debug(struct okvm_vcpu *vcpu, void __user *argp);
int okvm_handle_db(struct okvm_vcpu *vcpu, const struct okvm_exit *exit);

/* exits.c */
void okvm_report_shutdown(struct okvm_vcpu *vcpu, const char *why);
int okvm_handle_exit(struct okvm_vcpu *vcpu, struct okvm_exit *exit);
int okvm_skip_instruction(struct okvm_vcpu *vcpu, u64 next_rip);
void okvm_retire_insn(struct okvm_vcpu *vcpu, u64 rip);

/* io.c: port I/O and MMIO emulation */
int okvm_emulate_pio(struct okvm_vcpu *vcpu, const struct okvm_exit *exit);
int okvm_complete_pio(struct okvm_vcpu *vcpu);
int okvm_emulate_mmio(struct okvm_vcpu *vcpu);
int okvm_complete_mmio(struct okvm_vcpu *vcpu);

/* guest_mem.c: guest linear memory and the emulator's view of the vCPU */
struct x86_emu;
struct x86_fault;
int okvm_walk(struct okvm_vcpu *vcpu, u64 la, unsigned int access,
	      bool set_ad, u64 *gpa, struct x86_fault *fault);
/*
 * The guest page-table entries one shadow fault has read (and updated),
 * so that its later walks of the same path read no guest memory again,
 * and the control registers they walk with, read once.
 */
#define OKVM_WALK_CACHE	16
struct okvm_walk_cache {
	unsigned int n;
	struct x86_walk_regs regs;	/* valid once a walk used the cache */
	u64 gpa[OKVM_WALK_CACHE];
	u64 val[OKVM_WALK_CACHE];
};
bool okvm_walk_cache_get(const struct okvm_walk_cache *c, u64 gpa, u64 *val);
int okvm_walk_leaf(struct okvm_vcpu *vcpu, struct okvm_walk_cache *cache,
		   u64 la, unsigned int access, bool set_ad, u64 *gpa,
		   u64 *leaf, unsigned int *page_shift,
		   struct x86_fault *fault);
int okvm_access_linear(struct okvm_vcpu *vcpu, u64 la, void *buf,
		       unsigned int len, unsigned int access,
		       struct x86_fault *fault);
void okvm_emu_init(struct okvm_vcpu *vcpu, struct x86_emu *emu);
struct x86_emu_info;
int okvm_decode_at_rip(struct okvm_vcpu *vcpu, struct x86_emu *emu,
		       struct x86_emu_info *info);
void okvm_emu_commit(struct okvm_vcpu *vcpu, const struct x86_emu *emu);
void okvm_inject_fault(struct okvm_vcpu *vcpu, const struct x86_fault *f);
u64 okvm_seg_base(struct okvm_vcpu *vcpu, int seg);
u64 okvm_linear_rip(struct okvm_vcpu *vcpu);

/* msr.c */
#define OKVM_MAX_IO_MSRS	1000	/* entries of one KVM_GET/SET_MSRS */
long okvm_dev_get_msr_index_list(void __user *argp);
long okvm_put_msr_list(void __user *argp, const u32 *list, u32 count);
long okvm_msr_entries(void __user *argp, void *ctx, bool read,
		      int (*do_msr)(void *ctx, struct kvm_msr_entry *e));
long okvm_ioctl_get_msrs(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_set_msrs(struct okvm_vcpu *vcpu, void __user *argp);
int okvm_emulate_rdmsr(struct okvm_vcpu *vcpu);
int okvm_emulate_wrmsr(struct okvm_vcpu *vcpu);
int okvm_get_msr(struct okvm_vcpu *vcpu, u32 index, u64 *data, bool host);
int okvm_set_msr(struct okvm_vcpu *vcpu, u32 index, u64 data, bool host);

/* The x2APIC's MSRs, 0x800-0x8ff (never filtered by the VMM). */
static inline bool okvm_is_x2apic_msr(u32 index)
{
	return index >= 0x800 && index <= 0x8ff;
}

/* msr_filter.c: KVM_X86_SET_MSR_FILTER and KVM_CAP_X86_USER_SPACE_MSR */
struct okvm_msr_filter;
/* struct kvm_msr_filter as a 32-bit VMM lays it out: 4-byte pointers. */
struct okvm_msr_filter_range32 {
	u32 flags;
	u32 nmsrs;
	u32 base;
	u32 bitmap;
};

struct okvm_msr_filter32 {
	u32 flags;
	struct okvm_msr_filter_range32 ranges[KVM_MSR_FILTER_MAX_RANGES];
};

#define OKVM_X86_SET_MSR_FILTER_COMPAT \
	_IOW(KVMIO, 0xc6, struct okvm_msr_filter32)
long okvm_vm_enable_user_space_msr(struct okvm_vm *vm, u64 mask);
long okvm_vm_set_msr_filter(struct okvm_vm *vm, void __user *argp);
long okvm_vm_set_msr_filter_compat(struct okvm_vm *vm, void __user *argp);
void okvm_msr_filter_destroy(struct okvm_vm *vm);
bool okvm_msr_allowed(struct okvm_vcpu *vcpu, u32 index, bool write);
int okvm_msr_to_user(struct okvm_vcpu *vcpu, u32 index, bool write,
		     u64 data, int r);
int okvm_complete_msr(struct okvm_vcpu *vcpu, bool write);

/* kvmclock.c */
void okvm_kvmclock_vm_init(struct okvm_vm *vm);
int okvm_kvmclock_set_msr(struct okvm_vcpu *vcpu, u32 index, u64 data);
int okvm_kvmclock_get_msr(struct okvm_vcpu *vcpu, u32 index, u64 *data);
void okvm_write_tsc(struct okvm_vcpu *vcpu, u64 data, bool host);
void okvm_write_tsc_adjust(struct okvm_vcpu *vcpu, u64 data, bool host);
void okvm_set_tsc_offset(struct okvm_vcpu *vcpu, u64 offset);
long okvm_vm_get_clock(struct okvm_vm *vm, void __user *argp);
long okvm_vm_set_clock(struct okvm_vm *vm, void __user *argp);
u32 okvm_kvmclock_pv_features(void);

/* steal_time.c: MSR_KVM_STEAL_TIME */
bool okvm_steal_time_supported(void);
int okvm_steal_time_set_msr(struct okvm_vcpu *vcpu, u64 data);
u64 okvm_steal_time_get_msr(struct okvm_vcpu *vcpu);
void okvm_steal_time_reset(struct okvm_vcpu *vcpu);
void okvm_steal_time_run(struct okvm_vcpu *vcpu);
u32 okvm_steal_time_pv_features(void);

/* pv_eoi.c: MSR_KVM_PV_EOI_EN */
int okvm_pv_eoi_set_msr(struct okvm_vcpu *vcpu, u64 data);
void okvm_pv_eoi_reset(struct okvm_vcpu *vcpu);
void okvm_pv_eoi_leave(struct okvm_vcpu *vcpu);

/* pv_cpuid.c: KVM_CAP_ENFORCE_PV_FEATURE_CPUID */
void okvm_pv_cpuid_update(struct okvm_vcpu *vcpu);
long okvm_pv_cpuid_enforce(struct okvm_vcpu *vcpu, u64 on);
bool okvm_guest_pv_has(struct okvm_vcpu *vcpu, unsigned int feature);
bool okvm_pv_msr_allowed(struct okvm_vcpu *vcpu, u32 index);
bool okvm_pv_hypercall_allowed(struct okvm_vcpu *vcpu, u64 nr);

/* msr_feature.c */
long okvm_dev_get_msr_feature_list(void __user *argp);
long okvm_dev_get_msrs(void __user *argp);

/* msr_platform.c */
void okvm_platform_msrs_init(struct okvm_vcpu *vcpu);
long okvm_vm_enable_platform_info(struct okvm_vm *vm, u64 arg);
bool okvm_cpuid_faults(struct okvm_vcpu *vcpu);
int okvm_platform_get_msr(struct okvm_vcpu *vcpu, u32 index, u64 *data,
			  bool host);
int okvm_platform_set_msr(struct okvm_vcpu *vcpu, u32 index, u64 data,
			  bool host);

/* quirks.c: the KVM_X86_QUIRK_* okvm honours, and the code they steer */
bool okvm_has_quirk(struct okvm_vm *vm, u64 quirk);
u64 okvm_quirks_supported(void);
long okvm_vm_disable_quirks(struct okvm_vm *vm, u64 mask);
int okvm_emulate_monitor_mwait(struct okvm_vcpu *vcpu, u64 next_rip);
int okvm_set_misc_enable(struct okvm_vcpu *vcpu, u64 data);
void okvm_cpuid_mwait(struct okvm_vcpu *vcpu, u32 *ecx);

/* hypercall.c */
int okvm_emulate_hypercall(struct okvm_vcpu *vcpu, u64 next_rip);
int okvm_handle_ud(struct okvm_vcpu *vcpu);

/* mce.c */
void okvm_mce_reset(struct okvm_vcpu *vcpu);
long okvm_dev_get_mce_cap(void __user *argp);
long okvm_ioctl_setup_mce(struct okvm_vcpu *vcpu, void __user *argp);

/* vcpu_attr.c */
long okvm_ioctl_vcpu_attr(struct okvm_vcpu *vcpu, unsigned int ioctl,
			  void __user *argp);
int okvm_mce_get_msr(struct okvm_vcpu *vcpu, u32 index, u64 *data, bool host);
int okvm_mce_set_msr(struct okvm_vcpu *vcpu, u32 index, u64 data, bool host);

/* cr.c: guest control registers when the MMU needs to see them */
int okvm_handle_cr_access(struct okvm_vcpu *vcpu);
int okvm_handle_invlpg(struct okvm_vcpu *vcpu);
int okvm_set_cr0(struct okvm_vcpu *vcpu, u64 val);
int okvm_set_cr3(struct okvm_vcpu *vcpu, u64 val);
int okvm_set_cr4(struct okvm_vcpu *vcpu, u64 val);
u64 okvm_cr4_supported(void);

/* cpuid.c */
long okvm_dev_get_supported_cpuid(void __user *argp);
long okvm_ioctl_set_cpuid2(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_set_cpuid(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_get_cpuid2(struct okvm_vcpu *vcpu, void __user *argp);
int okvm_emulate_cpuid(struct okvm_vcpu *vcpu);
const struct kvm_cpuid_entry2 *okvm_find_cpuid(struct okvm_vcpu *vcpu,
					       u32 fn, u32 idx);
bool okvm_guest_has_x2apic(struct okvm_vcpu *vcpu);
bool okvm_guest_has_tsc_adjust(struct okvm_vcpu *vcpu);
int okvm_emulate_xsetbv(struct okvm_vcpu *vcpu);
u32 okvm_xsave_size(u64 xcr0);
u64 okvm_supported_xcr0(void);
bool okvm_xcr0_valid(u64 val);

/* fpu.c */
long okvm_ioctl_get_fpu(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_set_fpu(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_get_xsave(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_set_xsave(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_get_xcrs(struct okvm_vcpu *vcpu, void __user *argp);
long okvm_ioctl_set_xcrs(struct okvm_vcpu *vcpu, void __user *argp);

/*
 * The guest's DR0-3 (vcpu->arch.debug_regs) into the hardware before an
 * entry, and back out after the exit (the vendor run hooks, while the guest
 * owns the debug registers; preemption off).
 */
static inline void okvm_load_guest_dr0_3(const u64 *db)
{
	set_debugreg(db[0], 0);
	set_debugreg(db[1], 1);
	set_debugreg(db[2], 2);
	set_debugreg(db[3], 3);
}

static inline void okvm_save_guest_dr0_3(u64 *db)
{
	get_debugreg(db[0], 0);
	get_debugreg(db[1], 1);
	get_debugreg(db[2], 2);
	get_debugreg(db[3], 3);
}

#endif /* OKVM_X86_H */
