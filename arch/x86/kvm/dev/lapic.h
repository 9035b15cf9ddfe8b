/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Local APIC model (xAPIC and x2APIC), freestanding: the register logic
 * only.  The kernel side (lapic_host.c) owns the lock, the host timer, the
 * MSR/MMIO plumbing and the routing of x86_apic_msg between LAPICs; it calls
 * everything here with this LAPIC's lock held.  Callbacks in ops must only
 * record what they are told.
 *
 * Setup: zero the struct (kzalloc), fill vcpu_id, bsp, tsc_khz,
 * min_period_ns, ops and opaque, then call x86_lapic_reset(l, false).
 *
 * Built in the kernel and in userspace (tools/testing/irqchip).
 */
#ifndef OKVM_DEV_LAPIC_H
#define OKVM_DEV_LAPIC_H

#include "../freestanding.h"
#include "apic_msg.h"

/* Register offsets in the xAPIC page (x2APIC MSR = 0x800 + (off >> 4)). */
#define LAPIC_ID	0x020
#define LAPIC_VERSION	0x030
#define LAPIC_TPR	0x080
#define LAPIC_APR	0x090
#define LAPIC_PPR	0x0a0
#define LAPIC_EOI	0x0b0
#define LAPIC_RRD	0x0c0
#define LAPIC_LDR	0x0d0
#define LAPIC_DFR	0x0e0
#define LAPIC_SVR	0x0f0
#define LAPIC_ISR	0x100
#define LAPIC_TMR	0x180
#define LAPIC_IRR	0x200
#define LAPIC_ESR	0x280
#define LAPIC_LVT_CMCI	0x2f0
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_LVT_THERM	0x330
#define LAPIC_LVT_PERF	0x340
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_LVT_LINT1	0x360
#define LAPIC_LVT_ERR	0x370
#define LAPIC_TMICT	0x380
#define LAPIC_TMCCT	0x390
#define LAPIC_TDCR	0x3e0
#define LAPIC_SELF_IPI	0x3f0
#define LAPIC_REGS_SIZE	0x400

#define X2APIC_MSR_BASE	0x800u
#define X2APIC_MSR_LAST	0x8ffu

/* IA32_APIC_BASE bits. */
#define LAPIC_BASE_BSP	(1ull << 8)
#define LAPIC_BASE_EXTD	(1ull << 10)
#define LAPIC_BASE_EN	(1ull << 11)
#define LAPIC_BASE_DEFAULT 0xfee00000ull

/* Register bits. */
#define LAPIC_VERSION_VAL	0x00050014u	/* version 0x14, max LVT 5 */
#define LAPIC_SVR_ENABLE	(1u << 8)
#define LAPIC_LVT_MASKED	(1u << 16)
#define LAPIC_TIMER_ONESHOT	0u
#define LAPIC_TIMER_PERIODIC	1u
#define LAPIC_TIMER_DEADLINE	2u
#define LAPIC_ESR_SEND_ILLEGAL	(1u << 5)
#define LAPIC_ESR_RECV_ILLEGAL	(1u << 6)

/* Return values of x86_lapic_accept(). */
#define X86_LAPIC_DROPPED	0	/* not taken (disabled, illegal...) */
#define X86_LAPIC_ACCEPTED	1	/* taken; IRR bit newly set / recorded */
#define X86_LAPIC_COALESCED	2	/* taken, but the IRR bit was set already */

struct x86_lapic;

struct x86_lapic_ops {
	/* Monotonic host time in ns. */
	u64 (*now_ns)(struct x86_lapic *l);
	/* Current guest TSC (TSC-deadline mode). */
	u64 (*guest_tsc)(struct x86_lapic *l);
	/* (Re)arm the one host timer at absolute now_ns time; replaces any. */
	void (*timer_arm)(struct x86_lapic *l, u64 expire_ns);
	/* Cancel the host timer. */
	void (*timer_cancel)(struct x86_lapic *l);
	/* An ICR / SELF_IPI write: deliver m later, outside the lock. */
	void (*send_ipi)(struct x86_lapic *l, const struct x86_apic_msg *m);
	/* An EOI retired @vector (@level: its TMR bit was set); the host
	 * decides whether the IOAPIC hears of it, later. */
	void (*eoi)(struct x86_lapic *l, u8 vector, bool level);
};

struct x86_lapic {
	u8 regs[LAPIC_REGS_SIZE];	/* == struct kvm_lapic_state.regs */
	u64 apic_base;			/* IA32_APIC_BASE */
	u32 vcpu_id;			/* x2APIC ID / initial APIC ID */
	u32 tsc_khz;			/* guest TSC rate; 0 is taken as 1 GHz */
	u64 min_period_ns;		/* periodic timer clamp */
	bool bsp;			/* resets set the BSP bit, LINT0 ExtINT */
	/*
	 * The version register offers EOI-broadcast suppression (bit 24) and
	 * SVR bit 12 is writable; set with x86_lapic_set_directed_eoi().
	 * The model only stores the SVR bit.
	 */
	bool directed_eoi;

	/* Timer (one-shot/periodic): count started at timer_start_ns. */
	bool timer_armed;		/* host timer armed by us */
	u32 timer_div;			/* divisor latched when counting began */
	u64 timer_start_ns;		/* start of the current period */
	u64 timer_period_ns;		/* length of a (clamped) period */
	u64 timer_expire_ns;		/* absolute time the host timer is set */
	u64 tsc_deadline;		/* IA32_TSC_DEADLINE, 0 = disarmed */

	u32 esr_pending;		/* errors not yet latched into ESR */
	u32 nmi_pending;		/* NMIs accepted, not yet taken */
	bool init_pending;		/* INIT accepted, not yet taken */
	bool wait_sipi;			/* INIT taken: a SIPI may come */
	bool sipi_pending;		/* SIPI accepted, not yet taken */
	u8 sipi_vector;

	/* x86_lapic_lend(): the CPU may have taken @lent_vector already. */
	bool lent;
	u8 lent_vector;
	bool lent_again;		/* ...and it came again meanwhile */
	bool lent_again_level;

	const struct x86_lapic_ops *ops;
	void *opaque;
};

/*
 * The highest vector set in the 256-bit register at @base (IRR, ISR, TMR),
 * or -1.  Inline: the host reads IRR with it at every entry.
 */
static inline int x86_lapic_highest(const struct x86_lapic *l, u32 base)
{
	int i;
	u32 v;

	for (i = 7; i >= 0; i--) {
		memcpy(&v, &l->regs[base + 16 * i], sizeof(v));
		if (v)
			return 32 * i + 31 - __builtin_clz(v);
	}
	return -1;
}

/* Power-on (init=false) or INIT (init=true: keeps apic_base, ID, INIT/SIPI
 * bookkeeping) reset; stops and cancels the timer. */
void x86_lapic_reset(struct x86_lapic *l, bool init);

/* Offer EOI-broadcast suppression or not (the host does with no in-kernel
 * IOAPIC, as KVM); turning it off clears SVR bit 12. */
void x86_lapic_set_directed_eoi(struct x86_lapic *l, bool on);

/* IA32_APIC_BASE.EN set. */
bool x86_lapic_hw_enabled(const struct x86_lapic *l);
/* EN set and SVR bit 8 set. */
bool x86_lapic_sw_enabled(const struct x86_lapic *l);
/* EN and EXTD both set. */
bool x86_lapic_x2apic_mode(const struct x86_lapic *l);

/* EN set, EXTD clear: the registers answer at the MMIO page. */
static inline bool x86_lapic_xapic_mmio_on(const struct x86_lapic *l)
{
	return (l->apic_base & (LAPIC_BASE_EN | LAPIC_BASE_EXTD)) ==
	       LAPIC_BASE_EN;
}

/* xAPIC MMIO at offset in the 4 KiB page; len 1/2/4/8.  Always returns 0;
 * reads outside registers, in x2APIC mode or hw-disabled yield zeros. */
int x86_lapic_mmio_read(struct x86_lapic *l, u32 offset, void *data, u32 len);
/* Only aligned 4-byte writes take effect; always returns 0. */
int x86_lapic_mmio_write(struct x86_lapic *l, u32 offset, const void *data,
			 u32 len);

/* x2APIC MSR 0x800-0x8ff; returns 0, or 1 for #GP (*val is then 0). */
int x86_lapic_msr_read(struct x86_lapic *l, u32 msr, u64 *val);
/* x2APIC MSR write; returns 0, or 1 for #GP (nothing changed). */
int x86_lapic_msr_write(struct x86_lapic *l, u32 msr, u64 val);

/* IA32_APIC_BASE write; returns 0, or 1 for #GP (host relaxes the mode
 * transition checks but not the reserved bits). */
int x86_lapic_set_base(struct x86_lapic *l, u64 val, bool host);

/* Does m (sent by src, may be NULL for IOAPIC/MSI) address target? */
bool x86_lapic_match_dest(const struct x86_lapic *target,
			  const struct x86_apic_msg *m,
			  const struct x86_lapic *src);
/* Take a matched message: X86_LAPIC_DROPPED/ACCEPTED/COALESCED. */
int x86_lapic_accept(struct x86_lapic *l, const struct x86_apic_msg *m);

/* Highest IRR vector deliverable now (above PPR), or -1. */
int x86_lapic_pending_vector(const struct x86_lapic *l);
/* The CPU took vector: IRR -> ISR (no-op if its IRR bit is clear). */
void x86_lapic_ack(struct x86_lapic *l, u8 vector);
/*
 * The host lets the CPU deliver @vector (in IRR) by itself and learns
 * later whether it did: until x86_lapic_lend_end(@taken), the vector
 * stays in IRR and an interrupt arriving at it again is kept aside (it
 * must not merge with one the guest may be running already).
 */
void x86_lapic_lend(struct x86_lapic *l, u8 vector);
/* Returns the vector if @taken, else -1. */
int x86_lapic_lend_end(struct x86_lapic *l, bool taken);
/*
 * The vector the guest's next EOI retires when nothing else waits for that
 * EOI (a lent vector counts as in service, with ISR empty), or -1.
 */
int x86_lapic_next_eoi_alone(const struct x86_lapic *l);
/* An EOI: retire the highest ISR vector and report it through eoi(). */
void x86_lapic_eoi(struct x86_lapic *l);

/* Full 8-bit TPR (CR8 = TPR >> 4); setting it recomputes PPR. */
void x86_lapic_set_tpr(struct x86_lapic *l, u8 tpr);
u8 x86_lapic_get_tpr(const struct x86_lapic *l);
/* Current processor priority (PPR). */
u8 x86_lapic_get_ppr(const struct x86_lapic *l);

/* IA32_TSC_DEADLINE write: ignored unless in TSC-deadline mode; 0 disarms. */
void x86_lapic_set_tsc_deadline(struct x86_lapic *l, u64 tsc);
/* IA32_TSC_DEADLINE read: 0 unless armed in TSC-deadline mode. */
u64 x86_lapic_get_tsc_deadline(const struct x86_lapic *l);
/* The host timer fired: inject the LVT timer vector, re-arm if periodic. */
void x86_lapic_timer_expired(struct x86_lapic *l);
/* Current count (TMCCT) now. */
u32 x86_lapic_get_tmcct(struct x86_lapic *l);

/* True if PIC interrupts reach the CPU: hw-disabled or LINT0 ExtINT. */
bool x86_lapic_accepts_extint(const struct x86_lapic *l);
/* LINT0/1 edge: if that LVT (or LINT1 when hw-disabled) is an unmasked NMI,
 * record an NMI and return 1; else 0. */
int x86_lapic_lint_nmi(struct x86_lapic *l, int lint);

/* Take one pending NMI: true if there was one. */
bool x86_lapic_take_nmi(struct x86_lapic *l);
/* Take a pending INIT: true if there was one (then a SIPI is awaited). */
bool x86_lapic_take_init(struct x86_lapic *l);
/* Take a pending SIPI: its vector, or -1; ends the wait for SIPI. */
int x86_lapic_take_sipi(struct x86_lapic *l);

/* Before KVM_GET_LAPIC copies regs out: store the current TMCCT. */
void x86_lapic_state_save(struct x86_lapic *l);
/* After KVM_SET_LAPIC copied regs in: recompute derived state and resume
 * the timer from TMCCT.  Call x86_lapic_set_tsc_deadline() after it. */
void x86_lapic_state_loaded(struct x86_lapic *l);

#endif /* OKVM_DEV_LAPIC_H */
