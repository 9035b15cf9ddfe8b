// SPDX-License-Identifier: GPL-2.0-only
/*
 * Local APIC model: xAPIC MMIO page, x2APIC MSRs, interrupt acceptance and
 * priority, IPIs, the APIC timer (one-shot, periodic, TSC-deadline).
 *
 * Everything the guest can write is masked before use, so any value in any
 * register (also one loaded by KVM_SET_LAPIC) is harmless: vectors index
 * 256-bit arrays, divisors come from a 3-bit field, periods are never 0.
 *
 * Freestanding: includes only ../freestanding.h (via lapic.h).
 */
#include "lapic.h"

#define VEC_REGS_STRIDE	0x10
#define ICR_BUSY	0x00001000u	/* delivery status: always idle here */
/* ICR bits an x2APIC write must leave clear (the others are kept). */
#define ICR_X2APIC_RSVD	0xfff32000u
#define ICR_XAPIC_DEST	0xff000000u
#define DFR_RO_ONES	0x0fffffffu
#define SVR_MASK	0x000003ffu	/* vector, enable, focus check */
#define SVR_NO_EOI_BCAST	(1u << 12)	/* with directed_eoi */
#define VERSION_DIRECTED_EOI	(1u << 24)
#define TDCR_MASK	0x0000000bu
#define LVT_DM_SHIFT	8
#define LVT_MODE_SHIFT	17
#define LVT_MODE_MASK	(3u << LVT_MODE_SHIFT)
#define LVT_RO_BITS	((1u << 12) | (1u << 14))	/* status, remote IRR */
#define U64_MAX_NS	0xffffffffffffffffull

/* ---- register page access ---- */

static u32 reg_get(const struct x86_lapic *l, u32 off)
{
	u32 v;

	off &= LAPIC_REGS_SIZE - VEC_REGS_STRIDE;
	memcpy(&v, l->regs + off, sizeof(v));
	return v;
}

static void reg_set(struct x86_lapic *l, u32 off, u32 v)
{
	off &= LAPIC_REGS_SIZE - VEC_REGS_STRIDE;
	memcpy(l->regs + off, &v, sizeof(v));
}

/* The version register: directed EOI only when the host asks for it. */
static u32 version_val(const struct x86_lapic *l)
{
	return LAPIC_VERSION_VAL | (l->directed_eoi ? VERSION_DIRECTED_EOI : 0);
}

static u32 svr_mask(const struct x86_lapic *l)
{
	return SVR_MASK | (l->directed_eoi ? SVR_NO_EOI_BCAST : 0);
}

__cold void x86_lapic_set_directed_eoi(struct x86_lapic *l, bool on)
{
	l->directed_eoi = on;
	reg_set(l, LAPIC_VERSION, version_val(l));
	reg_set(l, LAPIC_SVR, reg_get(l, LAPIC_SVR) & svr_mask(l));
}

static u32 vec_reg(u32 base, u8 vec)
{
	return base + (u32)(vec >> 5) * VEC_REGS_STRIDE;
}

static bool vec_test(const struct x86_lapic *l, u32 base, u8 vec)
{
	return reg_get(l, vec_reg(base, vec)) & (1u << (vec & 31));
}

static void vec_set(struct x86_lapic *l, u32 base, u8 vec)
{
	u32 r = vec_reg(base, vec);

	reg_set(l, r, reg_get(l, r) | (1u << (vec & 31)));
}

static void vec_clear(struct x86_lapic *l, u32 base, u8 vec)
{
	u32 r = vec_reg(base, vec);

	reg_set(l, r, reg_get(l, r) & ~(1u << (vec & 31)));
}

/* ---- ops wrappers (ops or any member may be absent) ---- */

static u64 now_ns(struct x86_lapic *l)
{
	return l->ops && l->ops->now_ns ? l->ops->now_ns(l) : 0;
}

static void host_timer_arm(struct x86_lapic *l, u64 expire)
{
	l->timer_armed = true;
	l->timer_expire_ns = expire;
	if (l->ops && l->ops->timer_arm)
		l->ops->timer_arm(l, expire);
}

static void host_timer_cancel(struct x86_lapic *l)
{
	if (l->timer_armed && l->ops && l->ops->timer_cancel)
		l->ops->timer_cancel(l);
	l->timer_armed = false;
}

static void send_msg(struct x86_lapic *l, const struct x86_apic_msg *m)
{
	if (l->ops && l->ops->send_ipi)
		l->ops->send_ipi(l, m);
}

/* ---- state predicates ---- */

bool x86_lapic_hw_enabled(const struct x86_lapic *l)
{
	return l->apic_base & LAPIC_BASE_EN;
}

bool x86_lapic_sw_enabled(const struct x86_lapic *l)
{
	return x86_lapic_hw_enabled(l) &&
	       (reg_get(l, LAPIC_SVR) & LAPIC_SVR_ENABLE);
}

bool x86_lapic_x2apic_mode(const struct x86_lapic *l)
{
	u64 both = LAPIC_BASE_EN | LAPIC_BASE_EXTD;

	return (l->apic_base & both) == both;
}

static u32 timer_mode(const struct x86_lapic *l)
{
	return (reg_get(l, LAPIC_LVT_TIMER) & LVT_MODE_MASK) >> LVT_MODE_SHIFT;
}

static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1u << (id & 15));
}

/* TDCR bits 0,1,3 -> 2,4,8,16,32,64,128,1. */
static u32 tdcr_divisor(u32 tdcr)
{
	u32 v = (tdcr & 3) | ((tdcr >> 1) & 4);

	return 1u << ((v + 1) & 7);
}

/* ---- priority ---- */

static u8 compute_ppr(const struct x86_lapic *l)
{
	u32 tpr = reg_get(l, LAPIC_TPR) & 0xff;
	int isr = x86_lapic_highest(l, LAPIC_ISR);
	u32 isrv = isr < 0 ? 0 : (u32)isr;

	if ((tpr >> 4) >= (isrv >> 4))
		return (u8)tpr;
	return (u8)(isrv & 0xf0);
}

static void update_ppr(struct x86_lapic *l)
{
	reg_set(l, LAPIC_PPR, compute_ppr(l));
}

void x86_lapic_set_tpr(struct x86_lapic *l, u8 tpr)
{
	reg_set(l, LAPIC_TPR, tpr);
	update_ppr(l);
}

u8 x86_lapic_get_tpr(const struct x86_lapic *l)
{
	return (u8)reg_get(l, LAPIC_TPR);
}

u8 x86_lapic_get_ppr(const struct x86_lapic *l)
{
	return compute_ppr(l);
}

int x86_lapic_pending_vector(const struct x86_lapic *l)
{
	int irr;

	if (!x86_lapic_sw_enabled(l))
		return -1;
	irr = x86_lapic_highest(l, LAPIC_IRR);
	if (irr < 0 || (u32)(irr >> 4) <= (u32)(compute_ppr(l) >> 4))
		return -1;
	return irr;
}

void x86_lapic_ack(struct x86_lapic *l, u8 vector)
{
	if (!vec_test(l, LAPIC_IRR, vector))
		return;
	vec_clear(l, LAPIC_IRR, vector);
	vec_set(l, LAPIC_ISR, vector);
	update_ppr(l);
}

void x86_lapic_eoi(struct x86_lapic *l)
{
	int v = x86_lapic_highest(l, LAPIC_ISR);

	if (v < 0)
		return;
	vec_clear(l, LAPIC_ISR, (u8)v);
	update_ppr(l);
	if (l->ops && l->ops->eoi)
		l->ops->eoi(l, (u8)v, vec_test(l, LAPIC_TMR, (u8)v));
}

/* ---- errors and local interrupts ---- */

/*
 * Set a fixed vector in IRR (no checks); returns true if already set.  A
 * lent vector's second coming is new: the first may be in the guest.
 */
static bool set_irr(struct x86_lapic *l, u8 vec, bool level)
{
	bool was = vec_test(l, LAPIC_IRR, vec);

	if (was && l->lent && vec == l->lent_vector) {
		l->lent_again = true;
		l->lent_again_level = level;
		return false;
	}

	vec_set(l, LAPIC_IRR, vec);
	if (level)
		vec_set(l, LAPIC_TMR, vec);
	else
		vec_clear(l, LAPIC_TMR, vec);
	return was;
}

void x86_lapic_lend(struct x86_lapic *l, u8 vector)
{
	l->lent = true;
	l->lent_vector = vector;
	l->lent_again = false;
}

/*
 * Taken: IRR -> ISR, then the one kept aside goes into IRR.  Not taken,
 * the two merge, the later one's trigger mode in TMR, as without lending.
 * Returns the vector if taken, else -1.
 */
int x86_lapic_lend_end(struct x86_lapic *l, bool taken)
{
	if (!l->lent)
		return -1;
	l->lent = false;
	if (taken)
		x86_lapic_ack(l, l->lent_vector);
	if (l->lent_again)
		set_irr(l, l->lent_vector, l->lent_again_level);
	return taken ? l->lent_vector : -1;
}

/*
 * The vector the guest's next EOI retires, when that EOI is all there is
 * to do (no other vector waits in IRR for it to deliver), or -1.  A lent
 * vector counts as in service, since the CPU may have delivered it: only
 * with ISR empty, or the next EOI might retire that one before the lent
 * vector is taken, and without a second arrival kept aside.
 */
int x86_lapic_next_eoi_alone(const struct x86_lapic *l)
{
	int isr = x86_lapic_highest(l, LAPIC_ISR);
	u32 w, i;

	if (!l->lent)
		return x86_lapic_highest(l, LAPIC_IRR) < 0 ? isr : -1;
	if (isr >= 0 || l->lent_again)
		return -1;
	for (i = 0; i < 8; i++) {
		w = reg_get(l, LAPIC_IRR + 16 * i);
		if (i == l->lent_vector / 32u)
			w &= ~(1u << (l->lent_vector % 32u));
		if (w)
			return -1;
	}
	return l->lent_vector;
}

/* Record an error; raise the LVT error interrupt if it is usable. */
static void apic_error(struct x86_lapic *l, u32 bits)
{
	u32 lvt = reg_get(l, LAPIC_LVT_ERR);
	u8 vec = (u8)lvt;

	l->esr_pending |= bits;
	if (!(lvt & LAPIC_LVT_MASKED) && x86_lapic_sw_enabled(l) && vec >= 16)
		set_irr(l, vec, false);
}

/* Deliver a local (LVT-sourced) fixed edge interrupt. */
static void local_fixed(struct x86_lapic *l, u8 vec)
{
	if (!x86_lapic_sw_enabled(l))
		return;
	if (vec < 16) {
		apic_error(l, LAPIC_ESR_RECV_ILLEGAL);
		return;
	}
	set_irr(l, vec, false);
}

bool x86_lapic_accepts_extint(const struct x86_lapic *l)
{
	u32 lvt = reg_get(l, LAPIC_LVT_LINT0);

	if (!x86_lapic_hw_enabled(l))
		return true;
	return !(lvt & LAPIC_LVT_MASKED) &&
	       ((lvt >> LVT_DM_SHIFT) & 7) == X86_DM_EXTINT;
}

static void record_nmi(struct x86_lapic *l)
{
	if (l->nmi_pending < 0xffff)
		l->nmi_pending++;
}

int x86_lapic_lint_nmi(struct x86_lapic *l, int lint)
{
	u32 lvt;

	if (lint != 0 && lint != 1)
		return 0;
	if (!x86_lapic_hw_enabled(l)) {
		if (lint != 1)
			return 0;
		record_nmi(l);
		return 1;
	}
	lvt = reg_get(l, lint ? LAPIC_LVT_LINT1 : LAPIC_LVT_LINT0);
	if ((lvt & LAPIC_LVT_MASKED) ||
	    ((lvt >> LVT_DM_SHIFT) & 7) != X86_DM_NMI)
		return 0;
	record_nmi(l);
	return 1;
}

bool x86_lapic_take_nmi(struct x86_lapic *l)
{
	if (!l->nmi_pending)
		return false;
	l->nmi_pending--;
	return true;
}

bool x86_lapic_take_init(struct x86_lapic *l)
{
	if (!l->init_pending)
		return false;
	l->init_pending = false;
	l->wait_sipi = true;
	return true;
}

int x86_lapic_take_sipi(struct x86_lapic *l)
{
	if (!l->sipi_pending)
		return -1;
	l->sipi_pending = false;
	l->wait_sipi = false;
	return l->sipi_vector;
}

/* ---- message acceptance and matching ---- */

static int accept_fixed(struct x86_lapic *l, const struct x86_apic_msg *m)
{
	if (!x86_lapic_sw_enabled(l))
		return X86_LAPIC_DROPPED;
	if (m->vector < 16) {
		apic_error(l, LAPIC_ESR_RECV_ILLEGAL);
		return X86_LAPIC_DROPPED;
	}
	if (set_irr(l, m->vector, m->level_trig))
		return X86_LAPIC_COALESCED;
	return X86_LAPIC_ACCEPTED;
}

int x86_lapic_accept(struct x86_lapic *l, const struct x86_apic_msg *m)
{
	if (!x86_lapic_hw_enabled(l))
		return X86_LAPIC_DROPPED;
	switch (m->delivery_mode) {
	case X86_DM_FIXED:
	case X86_DM_LOWEST:
		return accept_fixed(l, m);
	case X86_DM_NMI:
		record_nmi(l);
		return X86_LAPIC_ACCEPTED;
	case X86_DM_INIT:
		if (m->level_trig && !m->assert)
			return X86_LAPIC_DROPPED;
		l->init_pending = true;
		l->sipi_pending = false;
		return X86_LAPIC_ACCEPTED;
	case X86_DM_SIPI:
		if (!l->init_pending && !l->wait_sipi)
			return X86_LAPIC_DROPPED;
		l->sipi_pending = true;
		l->sipi_vector = m->vector;
		return X86_LAPIC_ACCEPTED;
	default:	/* SMI unsupported, ExtINT is the kernel side's */
		return X86_LAPIC_DROPPED;
	}
}

static bool match_x2apic(const struct x86_lapic *t,
			 const struct x86_apic_msg *m)
{
	u32 id = reg_get(t, LAPIC_ID);
	u32 ldr = reg_get(t, LAPIC_LDR);
	u32 d = m->dest;

	if (m->x2apic_format ? d == X86_APIC_BCAST_X2APIC :
			       (d & 0xff) == X86_APIC_BCAST_XAPIC)
		return true;
	if (!m->x2apic_format)
		d &= 0xff;
	if (!m->dest_logical)
		return d == id;
	return (d >> 16) == (ldr >> 16) && (d & ldr & 0xffff);
}

static bool match_xapic(const struct x86_lapic *t,
			const struct x86_apic_msg *m)
{
	u32 id = reg_get(t, LAPIC_ID) >> 24;
	u32 ldr = reg_get(t, LAPIC_LDR) >> 24;
	u32 model = reg_get(t, LAPIC_DFR) >> 28;
	u32 d = m->dest;

	if (m->x2apic_format) {
		if (d == X86_APIC_BCAST_X2APIC)
			return true;
		if (d > 0xff)
			return false;
	}
	d &= 0xff;
	if (d == X86_APIC_BCAST_XAPIC)
		return true;
	if (!m->dest_logical)
		return d == id;
	if (model == 0xf)
		return (d & ldr) != 0;
	if (model == 0x0)	/* cluster 0xf: every cluster */
		return ((d >> 4) == 0xf || (d >> 4) == (ldr >> 4)) &&
		       (d & ldr & 0xf);
	return false;
}

bool x86_lapic_match_dest(const struct x86_lapic *target,
			  const struct x86_apic_msg *m,
			  const struct x86_lapic *src)
{
	if (!x86_lapic_hw_enabled(target))
		return false;
	switch (m->shorthand) {
	case X86_SH_SELF:
		return target == src;
	case X86_SH_ALL:
		return true;
	case X86_SH_OTHERS:
		return target != src;
	default:
		break;
	}
	if (x86_lapic_x2apic_mode(target))
		return match_x2apic(target, m);
	return match_xapic(target, m);
}

/* ---- timer ---- */

static u64 sat_add(u64 a, u64 b)
{
	return a + b < a ? U64_MAX_NS : a + b;
}

/*
 * Count a period of count ticks of which cur are left (cur >= count: a full
 * period).  count == 0 or cur == 0 leaves the timer stopped.
 */
static void timer_start(struct x86_lapic *l, u32 count, u32 cur)
{
	u64 period, rem, now;

	host_timer_cancel(l);
	l->timer_period_ns = 0;
	if (!count || !cur)
		return;
	l->timer_div = tdcr_divisor(reg_get(l, LAPIC_TDCR));
	period = (u64)count * l->timer_div;
	if (timer_mode(l) == LAPIC_TIMER_PERIODIC && period < l->min_period_ns)
		period = l->min_period_ns;
	rem = cur >= count ? period : (u64)cur * l->timer_div;
	now = now_ns(l);
	l->timer_period_ns = period;
	l->timer_start_ns = now - (period - rem);
	host_timer_arm(l, sat_add(now, rem));
}

static void timer_stop(struct x86_lapic *l)
{
	host_timer_cancel(l);
	l->timer_period_ns = 0;
}

u32 x86_lapic_get_tmcct(struct x86_lapic *l)
{
	u32 tmict = reg_get(l, LAPIC_TMICT);
	u64 period = l->timer_period_ns, div = l->timer_div;
	u64 el, rem, cnt;

	if (!l->timer_armed || !period || !div ||
	    timer_mode(l) == LAPIC_TIMER_DEADLINE)
		return 0;
	el = now_ns(l) - l->timer_start_ns;
	if (timer_mode(l) == LAPIC_TIMER_PERIODIC) {
		rem = period - el % period;
	} else {
		if (el >= period)
			return 0;
		rem = period - el;
	}
	cnt = rem / div + (rem % div != 0);
	return cnt > tmict ? tmict : (u32)cnt;
}

/* Arm the host timer for l->tsc_deadline (non-zero). */
static void arm_deadline(struct x86_lapic *l)
{
	u64 khz = l->tsc_khz ? l->tsc_khz : 1000000;
	u64 g = l->ops && l->ops->guest_tsc ? l->ops->guest_tsc(l) : 0;
	u64 now = now_ns(l), delta, q, ns = 0;

	if (l->tsc_deadline > g) {
		delta = l->tsc_deadline - g;
		q = delta / khz;
		if (q > U64_MAX_NS / 1000000)
			ns = U64_MAX_NS;
		else
			ns = sat_add(q * 1000000, (delta % khz) * 1000000 / khz);
	}
	host_timer_arm(l, sat_add(now, ns));
}

void x86_lapic_set_tsc_deadline(struct x86_lapic *l, u64 tsc)
{
	if (timer_mode(l) != LAPIC_TIMER_DEADLINE)
		return;
	timer_stop(l);
	l->tsc_deadline = tsc;
	if (tsc)
		arm_deadline(l);
}

u64 x86_lapic_get_tsc_deadline(const struct x86_lapic *l)
{
	if (timer_mode(l) != LAPIC_TIMER_DEADLINE)
		return 0;
	return l->tsc_deadline;
}

void x86_lapic_timer_expired(struct x86_lapic *l)
{
	u32 lvt = reg_get(l, LAPIC_LVT_TIMER);
	u64 period = l->timer_period_ns, el, k;

	if (!l->timer_armed)
		return;
	l->timer_armed = false;
	if (!(lvt & LAPIC_LVT_MASKED))
		local_fixed(l, (u8)lvt);
	if (timer_mode(l) == LAPIC_TIMER_DEADLINE) {
		l->tsc_deadline = 0;
		return;
	}
	if (timer_mode(l) != LAPIC_TIMER_PERIODIC || !period)
		return;
	/* Next boundary after now, counted from the period grid: no drift. */
	el = now_ns(l) - l->timer_start_ns;
	k = el / period;
	if (!k)
		k = 1;
	l->timer_start_ns += k * period;
	host_timer_arm(l, sat_add(l->timer_start_ns, period));
}

/* ---- register writes ---- */

static u32 lvt_mask(u32 off)
{
	switch (off) {
	case LAPIC_LVT_TIMER:
		return 0x000700ffu;	/* vector, mask, mode */
	case LAPIC_LVT_THERM:
	case LAPIC_LVT_PERF:
		return 0x000107ffu;	/* vector, delivery mode, mask */
	case LAPIC_LVT_LINT0:
	case LAPIC_LVT_LINT1:
		return 0x0001a7ffu;	/* + polarity, trigger */
	default:
		return 0x000100ffu;	/* error: vector, mask */
	}
}

static void write_lvt(struct x86_lapic *l, u32 off, u32 val)
{
	u32 v = val & lvt_mask(off);
	u32 old_mode = timer_mode(l);

	if (!x86_lapic_sw_enabled(l))
		v |= LAPIC_LVT_MASKED;
	if (off != LAPIC_LVT_TIMER) {
		reg_set(l, off, v);
		return;
	}
	if ((v & LVT_MODE_MASK) == LVT_MODE_MASK)	/* reserved mode */
		v &= ~LVT_MODE_MASK;
	reg_set(l, off, v);
	if (timer_mode(l) != old_mode) {
		timer_stop(l);
		reg_set(l, LAPIC_TMICT, 0);
		l->tsc_deadline = 0;
	}
}

static void write_svr(struct x86_lapic *l, u32 val)
{
	u32 off;

	reg_set(l, LAPIC_SVR, val & svr_mask(l));
	if (val & LAPIC_SVR_ENABLE)
		return;
	for (off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERR; off += 0x10)
		reg_set(l, off, reg_get(l, off) | LAPIC_LVT_MASKED);
}

static void write_tdcr(struct x86_lapic *l, u32 val)
{
	u32 cur = 0;

	if (l->timer_armed && timer_mode(l) != LAPIC_TIMER_DEADLINE)
		cur = x86_lapic_get_tmcct(l);
	reg_set(l, LAPIC_TDCR, val & TDCR_MASK);
	/* Keep the count where it is and go on at the new rate. */
	if (cur)
		timer_start(l, reg_get(l, LAPIC_TMICT), cur);
}

static void write_tmict(struct x86_lapic *l, u32 val)
{
	if (timer_mode(l) == LAPIC_TIMER_DEADLINE)
		return;
	reg_set(l, LAPIC_TMICT, val);
	timer_start(l, val, val);
}

static void send_icr(struct x86_lapic *l, u32 lo, u32 dest, bool x2)
{
	struct x86_apic_msg m;

	memset(&m, 0, sizeof(m));
	m.vector = (u8)lo;
	m.delivery_mode = (lo >> 8) & 7;
	m.dest_logical = lo & (1u << 11);
	m.assert = lo & (1u << 14);
	m.level_trig = lo & (1u << 15);
	m.shorthand = (lo >> 18) & 3;
	m.dest = dest;
	m.x2apic_format = x2;
	if (m.delivery_mode == 3)	/* reserved */
		return;
	if ((m.delivery_mode == X86_DM_FIXED ||
	     m.delivery_mode == X86_DM_LOWEST) && m.vector < 16) {
		apic_error(l, LAPIC_ESR_SEND_ILLEGAL);
		return;
	}
	send_msg(l, &m);
}

static void self_ipi(struct x86_lapic *l, u8 vec)
{
	struct x86_apic_msg m;

	if (vec < 16) {
		apic_error(l, LAPIC_ESR_SEND_ILLEGAL);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.vector = vec;
	m.delivery_mode = X86_DM_FIXED;
	m.shorthand = X86_SH_SELF;
	m.x2apic_format = true;
	send_msg(l, &m);
}

/* A write with xAPIC masking; x2APIC callers have validated val. */
static void write_reg(struct x86_lapic *l, u32 off, u32 val)
{
	switch (off) {
	case LAPIC_ID:
	case LAPIC_LDR:
	case LAPIC_ICR_HI:
		reg_set(l, off, val & ICR_XAPIC_DEST);
		break;
	case LAPIC_TPR:
		x86_lapic_set_tpr(l, (u8)val);
		break;
	case LAPIC_EOI:
		x86_lapic_eoi(l);
		break;
	case LAPIC_DFR:
		reg_set(l, off, val | DFR_RO_ONES);
		break;
	case LAPIC_SVR:
		write_svr(l, val);
		break;
	case LAPIC_ESR:
		reg_set(l, off, l->esr_pending);
		l->esr_pending = 0;
		break;
	case LAPIC_ICR_LO:
		/* The register keeps what was written, but for the busy bit
		 * (as upstream KVM does); the IPI uses the defined fields. */
		reg_set(l, off, val & ~ICR_BUSY);
		send_icr(l, val, reg_get(l, LAPIC_ICR_HI) >> 24, false);
		break;
	case LAPIC_LVT_TIMER:
	case LAPIC_LVT_THERM:
	case LAPIC_LVT_PERF:
	case LAPIC_LVT_LINT0:
	case LAPIC_LVT_LINT1:
	case LAPIC_LVT_ERR:
		write_lvt(l, off, val);
		break;
	case LAPIC_TMICT:
		write_tmict(l, val);
		break;
	case LAPIC_TDCR:
		write_tdcr(l, val);
		break;
	default:	/* read-only, reserved, absent */
		break;
	}
}

/* ---- register reads ---- */

static bool in_vec_arrays(u32 off)
{
	return off >= LAPIC_ISR && off <= LAPIC_IRR + 0x70;
}

static bool is_lvt(u32 off)
{
	return off >= LAPIC_LVT_TIMER && off <= LAPIC_LVT_ERR;
}

static bool xapic_readable(u32 off)
{
	switch (off) {
	case LAPIC_ID: case LAPIC_VERSION: case LAPIC_TPR: case LAPIC_PPR:
	case LAPIC_LDR: case LAPIC_DFR: case LAPIC_SVR: case LAPIC_ESR:
	case LAPIC_ICR_LO: case LAPIC_ICR_HI: case LAPIC_TMICT:
	case LAPIC_TMCCT: case LAPIC_TDCR:
		return true;
	}
	return in_vec_arrays(off) || is_lvt(off);
}

static bool x2apic_readable(u32 off)
{
	switch (off) {
	case LAPIC_ID: case LAPIC_VERSION: case LAPIC_TPR: case LAPIC_PPR:
	case LAPIC_LDR: case LAPIC_SVR: case LAPIC_ESR: case LAPIC_ICR_LO:
	case LAPIC_TMICT: case LAPIC_TMCCT: case LAPIC_TDCR:
		return true;
	}
	return in_vec_arrays(off) || is_lvt(off);
}

/* Value of a readable register (off 16-byte aligned, < 0x400). */
static u32 read_reg(struct x86_lapic *l, u32 off)
{
	switch (off) {
	case LAPIC_VERSION:
		return version_val(l);
	case LAPIC_PPR:
		return compute_ppr(l);
	case LAPIC_TMCCT:
		return x86_lapic_get_tmcct(l);
	default:
		return reg_get(l, off);
	}
}

int x86_lapic_mmio_read(struct x86_lapic *l, u32 offset, void *data, u32 len)
{
	u8 *out = data;
	u32 i, slot = ~0u, val = 0;

	memset(data, 0, len);
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return 0;
	if (offset >= 0x1000 || !x86_lapic_xapic_mmio_on(l))
		return 0;
	for (i = 0; i < len; i++) {
		u32 off = offset + i;

		if (off >= LAPIC_REGS_SIZE || (off & 0xf) >= 4)
			continue;
		if ((off & ~0xfu) != slot) {
			slot = off & ~0xfu;
			val = xapic_readable(slot) ? read_reg(l, slot) : 0;
		}
		out[i] = (u8)(val >> (8 * (off & 3)));
	}
	return 0;
}

int x86_lapic_mmio_write(struct x86_lapic *l, u32 offset, const void *data,
			 u32 len)
{
	u32 val;

	if (len != 4 || (offset & 0xf) || offset >= LAPIC_REGS_SIZE)
		return 0;
	if (!x86_lapic_xapic_mmio_on(l))
		return 0;
	memcpy(&val, data, sizeof(val));
	write_reg(l, offset, val);
	return 0;
}

/* ---- x2APIC MSRs ---- */

int x86_lapic_msr_read(struct x86_lapic *l, u32 msr, u64 *val)
{
	u32 off;

	*val = 0;
	if (!x86_lapic_x2apic_mode(l) || msr < X2APIC_MSR_BASE ||
	    msr > X2APIC_MSR_LAST)
		return 1;
	off = (msr - X2APIC_MSR_BASE) << 4;
	if (off >= LAPIC_REGS_SIZE || !x2apic_readable(off))
		return 1;
	if (off == LAPIC_ICR_LO)
		*val = (u64)reg_get(l, LAPIC_ICR_HI) << 32;
	*val |= read_reg(l, off);
	return 0;
}

/* Would val be a #GP for the x2APIC register at off? */
static bool x2apic_write_bad(u32 off, u32 val)
{
	switch (off) {
	case LAPIC_TPR:
	case LAPIC_SELF_IPI:
		return val & ~0xffu;
	case LAPIC_EOI:
	case LAPIC_ESR:
		return val != 0;
	case LAPIC_SVR:
		return false;	/* as KVM: the bits it lacks are dropped */
	case LAPIC_TDCR:
		return val & ~TDCR_MASK;
	case LAPIC_TMICT:
		return false;
	case LAPIC_LVT_TIMER:
		if ((val & LVT_MODE_MASK) == LVT_MODE_MASK)
			return true;
		return val & ~lvt_mask(off);
	default:
		if (is_lvt(off))
			return val & ~lvt_mask(off);
		return true;	/* read-only, reserved, absent */
	}
}

int x86_lapic_msr_write(struct x86_lapic *l, u32 msr, u64 val)
{
	u32 off, lo = (u32)val;

	if (!x86_lapic_x2apic_mode(l) || msr < X2APIC_MSR_BASE ||
	    msr > X2APIC_MSR_LAST)
		return 1;
	off = (msr - X2APIC_MSR_BASE) << 4;
	if (off == LAPIC_ICR_LO) {
		if (lo & ICR_X2APIC_RSVD)
			return 1;
		reg_set(l, LAPIC_ICR_LO, lo & ~ICR_BUSY);
		reg_set(l, LAPIC_ICR_HI, (u32)(val >> 32));
		send_icr(l, lo, (u32)(val >> 32), true);
		return 0;
	}
	if (off >= LAPIC_REGS_SIZE || (val >> 32) || x2apic_write_bad(off, lo))
		return 1;
	if (off == LAPIC_SELF_IPI)
		self_ipi(l, (u8)lo);
	else
		write_reg(l, off, lo);
	return 0;
}

/* ---- reset, APIC base, save/restore ---- */

/* Everything but the ID register back to its reset value. */
__cold static void reset_regs(struct x86_lapic *l)
{
	u32 id = reg_get(l, LAPIC_ID);
	u32 off;

	timer_stop(l);
	l->tsc_deadline = 0;
	l->esr_pending = 0;
	memset(l->regs, 0, sizeof(l->regs));
	reg_set(l, LAPIC_ID, id);
	reg_set(l, LAPIC_VERSION, version_val(l));
	reg_set(l, LAPIC_DFR, 0xffffffffu);
	reg_set(l, LAPIC_SVR, 0xff);
	for (off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERR; off += 0x10)
		reg_set(l, off, LAPIC_LVT_MASKED);
	/* As KVM (its LINT0_REENABLED quirk): the BSP's LINT0 takes ExtINT. */
	if (l->bsp)
		reg_set(l, LAPIC_LVT_LINT0, X86_DM_EXTINT << LVT_DM_SHIFT);
}

__cold static void set_x2apic_ids(struct x86_lapic *l)
{
	reg_set(l, LAPIC_ID, l->vcpu_id);
	reg_set(l, LAPIC_LDR, x2apic_ldr(l->vcpu_id));
}

__cold void x86_lapic_reset(struct x86_lapic *l, bool init)
{
	if (!init) {
		l->apic_base = LAPIC_BASE_DEFAULT | LAPIC_BASE_EN |
			       (l->bsp ? LAPIC_BASE_BSP : 0);
		reg_set(l, LAPIC_ID, l->vcpu_id << 24);
		l->init_pending = false;
		l->wait_sipi = false;
		l->sipi_pending = false;
		l->sipi_vector = 0;
	}
	reset_regs(l);
	l->nmi_pending = 0;
	if (x86_lapic_x2apic_mode(l))
		set_x2apic_ids(l);
}

#define APIC_BASE_RSVD	(0xfff0000000000000ull | 0x2ffull)

__cold int x86_lapic_set_base(struct x86_lapic *l, u64 val, bool host)
{
	bool old_en = x86_lapic_hw_enabled(l);
	bool old_x2 = x86_lapic_x2apic_mode(l);
	bool en = val & LAPIC_BASE_EN, ext = val & LAPIC_BASE_EXTD;

	if (val & APIC_BASE_RSVD)
		return 1;
	if (!host) {
		if (ext && !en)			/* invalid state */
			return 1;
		if (old_x2 && !ext && en)	/* x2APIC -> xAPIC */
			return 1;
		if (!old_en && ext && en)	/* disabled -> x2APIC */
			return 1;
	}
	l->apic_base = val;
	if (old_en && !en)
		reset_regs(l);
	if (!old_x2 && x86_lapic_x2apic_mode(l)) {
		set_x2apic_ids(l);
	} else if (old_x2 && !x86_lapic_x2apic_mode(l)) {
		reg_set(l, LAPIC_ID, (reg_get(l, LAPIC_ID) & 0xff) << 24);
		reg_set(l, LAPIC_LDR, 0);
		reg_set(l, LAPIC_DFR, 0xffffffffu);
		reg_set(l, LAPIC_ICR_HI, 0);
	}
	return 0;
}

__cold void x86_lapic_state_save(struct x86_lapic *l)
{
	reg_set(l, LAPIC_TMCCT, x86_lapic_get_tmcct(l));
	update_ppr(l);
}

/* The count to resume from after a restore: TMCCT, a full period if a
 * periodic count reads 0, 0 (stopped) for an expired one-shot. */
__cold static u32 restore_count(const struct x86_lapic *l)
{
	u32 cur = reg_get(l, LAPIC_TMCCT);

	if (!cur && timer_mode(l) == LAPIC_TIMER_PERIODIC)
		return reg_get(l, LAPIC_TMICT);
	return cur;
}

__cold void x86_lapic_state_loaded(struct x86_lapic *l)
{
	u32 lvt = reg_get(l, LAPIC_LVT_TIMER);

	if ((lvt & LVT_MODE_MASK) == LVT_MODE_MASK)
		reg_set(l, LAPIC_LVT_TIMER, lvt & ~LVT_MODE_MASK);
	reg_set(l, LAPIC_VERSION, version_val(l));
	reg_set(l, LAPIC_DFR, reg_get(l, LAPIC_DFR) | DFR_RO_ONES);
	if (x86_lapic_x2apic_mode(l))
		set_x2apic_ids(l);
	update_ppr(l);
	l->esr_pending = 0;
	timer_stop(l);
	if (timer_mode(l) == LAPIC_TIMER_DEADLINE) {
		reg_set(l, LAPIC_TMICT, 0);
		if (l->tsc_deadline)
			arm_deadline(l);
		return;
	}
	l->tsc_deadline = 0;
	timer_start(l, reg_get(l, LAPIC_TMICT), restore_count(l));
}
