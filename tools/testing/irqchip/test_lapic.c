// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the local APIC model (arch/x86/kvm/dev/lapic.c), driven
 * through a fake host: a clock and a guest TSC the tests set, and records
 * of timer arms/cancels, sent IPIs and level EOIs.
 */
#include "check.h"
#include "lapic.h"

#define MAX_REC 64

struct fake {
	u64 now;
	u64 tsc;
	unsigned int arms, cancels;
	u64 last_arm;
	unsigned int nipi;
	struct x86_apic_msg ipi[MAX_REC];
	unsigned int neoi;
	unsigned int nedge_eoi;
	u8 eoi[MAX_REC];
};

static struct fake *F(struct x86_lapic *l)
{
	return l->opaque;
}

static u64 f_now(struct x86_lapic *l)
{
	return F(l)->now;
}

static u64 f_tsc(struct x86_lapic *l)
{
	return F(l)->tsc;
}

static void f_arm(struct x86_lapic *l, u64 t)
{
	F(l)->arms++;
	F(l)->last_arm = t;
}

static void f_cancel(struct x86_lapic *l)
{
	F(l)->cancels++;
}

static void f_ipi(struct x86_lapic *l, const struct x86_apic_msg *m)
{
	struct fake *f = F(l);

	if (f->nipi < MAX_REC)
		f->ipi[f->nipi] = *m;
	f->nipi++;
}

/* Records level EOIs (what the IOAPIC needs) and counts edge ones. */
static void f_eoi(struct x86_lapic *l, u8 v, bool level)
{
	struct fake *f = F(l);

	if (!level) {
		f->nedge_eoi++;
		return;
	}
	if (f->neoi < MAX_REC)
		f->eoi[f->neoi] = v;
	f->neoi++;
}

static const struct x86_lapic_ops fops = {
	.now_ns = f_now,
	.guest_tsc = f_tsc,
	.timer_arm = f_arm,
	.timer_cancel = f_cancel,
	.send_ipi = f_ipi,
	.eoi = f_eoi,
};

/* A power-on LAPIC with the given ID; the fake clock starts at 1 s. */
static void mk(struct x86_lapic *l, struct fake *f, u32 id)
{
	memset(l, 0, sizeof(*l));
	memset(f, 0, sizeof(*f));
	f->now = 1000000000ull;
	l->vcpu_id = id;
	l->bsp = id == 0;
	l->tsc_khz = 1000000;
	l->min_period_ns = 200000;
	l->ops = &fops;
	l->opaque = f;
	x86_lapic_reset(l, false);
}

static void wr(struct x86_lapic *l, u32 off, u32 v)
{
	x86_lapic_mmio_write(l, off, &v, 4);
}

static u32 rd(struct x86_lapic *l, u32 off)
{
	u32 v = 0xdeadbeef;

	x86_lapic_mmio_read(l, off, &v, 4);
	return v;
}

static u32 raw(const struct x86_lapic *l, u32 off)
{
	u32 v;

	memcpy(&v, l->regs + off, 4);
	return v;
}

/* An x2APIC register through its MSR; ~0 if the read faults. */
static u64 rd_msr(struct x86_lapic *l, u32 msr)
{
	u64 v;

	return x86_lapic_msr_read(l, msr, &v) ? ~0ull : v;
}

/* Software-enable with spurious vector 0xff. */
static void enable(struct x86_lapic *l)
{
	wr(l, LAPIC_SVR, 0x1ff);
}

static void to_x2apic(struct x86_lapic *l)
{
	x86_lapic_set_base(l, LAPIC_BASE_DEFAULT | LAPIC_BASE_EN |
			   LAPIC_BASE_EXTD, false);
}

static struct x86_apic_msg fixed(u8 vec, bool level)
{
	struct x86_apic_msg m;

	memset(&m, 0, sizeof(m));
	m.vector = vec;
	m.delivery_mode = X86_DM_FIXED;
	m.level_trig = level;
	m.assert = true;
	return m;
}

static int accept_vec(struct x86_lapic *l, u8 vec, bool level)
{
	struct x86_apic_msg m = fixed(vec, level);

	return x86_lapic_accept(l, &m);
}

static bool irr(const struct x86_lapic *l, u8 v)
{
	return raw(l, LAPIC_IRR + (v >> 5) * 0x10) & (1u << (v & 31));
}

static bool isr(const struct x86_lapic *l, u8 v)
{
	return raw(l, LAPIC_ISR + (v >> 5) * 0x10) & (1u << (v & 31));
}

static bool tmr(const struct x86_lapic *l, u8 v)
{
	return raw(l, LAPIC_TMR + (v >> 5) * 0x10) & (1u << (v & 31));
}

/* 1 if no bit is set in IRR and ISR. */
static int vec_none(const struct x86_lapic *l)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		if (raw(l, LAPIC_IRR + i * 0x10) || raw(l, LAPIC_ISR + i * 0x10))
			return 0;
	return 1;
}

static void test_reset(void)
{
	struct x86_lapic l;
	struct fake f;
	unsigned int off;

	mk(&l, &f, 0);
	CHECK_EQ(l.apic_base, 0xfee00900ull, "BSP apic_base");
	CHECK_EQ(rd(&l, LAPIC_ID), 0, "ID 0");
	CHECK_EQ(rd(&l, LAPIC_VERSION), 0x00050014, "version");
	CHECK_EQ(rd(&l, LAPIC_SVR), 0xff, "SVR");
	CHECK_EQ(rd(&l, LAPIC_DFR), 0xffffffff, "DFR");
	CHECK_EQ(rd(&l, LAPIC_LDR), 0, "LDR");
	CHECK_EQ(rd(&l, LAPIC_TPR), 0, "TPR");
	for (off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERR; off += 0x10)
		CHECK_EQ(rd(&l, off), off == LAPIC_LVT_LINT0 ? 0x700 : 0x10000,
			 "LVT masked, the BSP's LINT0 ExtINT");
	CHECK_EQ(raw(&l, LAPIC_VERSION), 0x00050014, "version in page");
	CHECK(x86_lapic_hw_enabled(&l), "hw enabled");
	CHECK(!x86_lapic_sw_enabled(&l), "sw disabled");
	CHECK(!x86_lapic_x2apic_mode(&l), "xAPIC");

	mk(&l, &f, 5);
	CHECK_EQ(l.apic_base, 0xfee00800ull, "AP apic_base");
	CHECK_EQ(rd(&l, LAPIC_ID), 5u << 24, "ID 5");
	CHECK_EQ(rd(&l, LAPIC_LVT_LINT0), 0x10000, "an AP's LINT0 masked");

	/* INIT: keeps base and ID, clears the rest, stops the timer. */
	enable(&l);
	l.apic_base |= 0x1000;	/* a relocated base survives INIT */
	wr(&l, LAPIC_TPR, 0x40);
	wr(&l, LAPIC_LDR, 0x03000000);
	wr(&l, LAPIC_ICR_HI, 0x07000000);
	accept_vec(&l, 0x80, true);
	wr(&l, LAPIC_LVT_TIMER, 0x30);
	wr(&l, LAPIC_TMICT, 1000);
	CHECK_EQ(f.arms, 1, "timer armed");
	x86_lapic_reset(&l, true);
	CHECK_EQ(f.cancels, 1, "INIT cancels timer");
	CHECK_EQ(l.apic_base, 0xfee01800ull, "INIT keeps base");
	CHECK_EQ(rd(&l, LAPIC_ID), 5u << 24, "INIT keeps ID");
	CHECK_EQ(rd(&l, LAPIC_TPR), 0, "INIT TPR");
	CHECK_EQ(rd(&l, LAPIC_LDR), 0, "INIT LDR");
	CHECK_EQ(rd(&l, LAPIC_ICR_HI), 0, "INIT ICR");
	CHECK_EQ(rd(&l, LAPIC_SVR), 0xff, "INIT SVR");
	CHECK_EQ(rd(&l, LAPIC_LVT_TIMER), 0x10000, "INIT LVT");
	CHECK_EQ(rd(&l, LAPIC_TMICT), 0, "INIT TMICT");
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 0, "INIT TMCCT");
	CHECK(!irr(&l, 0x80) && !tmr(&l, 0x80), "INIT clears IRR/TMR");

	/* INIT in x2APIC mode keeps x2APIC and its IDs. */
	mk(&l, &f, 0x23);
	to_x2apic(&l);
	x86_lapic_reset(&l, true);
	CHECK(x86_lapic_x2apic_mode(&l), "INIT keeps x2APIC");
	CHECK_EQ(raw(&l, LAPIC_LDR), 0x20008, "INIT x2APIC LDR");
}

static void test_mmio(void)
{
	struct x86_lapic l;
	struct fake f;
	u8 b[8];
	u64 q;
	u32 v;

	mk(&l, &f, 0x12);
	memset(b, 0xaa, sizeof(b));
	x86_lapic_mmio_read(&l, LAPIC_ID + 3, b, 1);
	CHECK_EQ(b[0], 0x12, "byte read of ID[31:24]");
	x86_lapic_mmio_read(&l, LAPIC_VERSION + 2, b, 2);
	CHECK_EQ(b[0] | b[1] << 8, 0x0005, "word read of VERSION[31:16]");
	q = ~0ull;
	x86_lapic_mmio_read(&l, LAPIC_VERSION, &q, 8);
	CHECK_EQ(q, 0x00050014, "8-byte read: register then zeros");
	memset(b, 0xaa, sizeof(b));
	x86_lapic_mmio_read(&l, LAPIC_VERSION, b, 3);
	CHECK(b[0] == 0 && b[1] == 0 && b[2] == 0, "len 3 reads zeros");
	CHECK_EQ(rd(&l, 0x800), 0, "beyond 0x400 reads 0");
	CHECK_EQ(rd(&l, 0xffc), 0, "end of page reads 0");
	CHECK_EQ(rd(&l, 0xfffffff0u), 0, "huge offset reads 0");
	l.regs[0x40] = 0x77;
	CHECK_EQ(rd(&l, 0x40), 0, "reserved offset reads 0");
	l.regs[LAPIC_EOI] = 0x77;
	CHECK_EQ(rd(&l, LAPIC_EOI), 0, "EOI reads 0");

	/* Only aligned 4-byte writes count. */
	v = 0x00000040;
	x86_lapic_mmio_write(&l, LAPIC_TPR, &v, 2);
	CHECK_EQ(rd(&l, LAPIC_TPR), 0, "2-byte write ignored");
	x86_lapic_mmio_write(&l, LAPIC_TPR + 4, &v, 4);
	CHECK_EQ(rd(&l, LAPIC_TPR), 0, "misaligned write ignored");
	q = 0x40;
	x86_lapic_mmio_write(&l, LAPIC_TPR, &q, 8);
	CHECK_EQ(rd(&l, LAPIC_TPR), 0, "8-byte write ignored");
	wr(&l, LAPIC_TPR, 0xffffff40);
	CHECK_EQ(rd(&l, LAPIC_TPR), 0x40, "TPR keeps 8 bits");
	wr(&l, LAPIC_VERSION, 0);
	CHECK_EQ(rd(&l, LAPIC_VERSION), 0x00050014, "VERSION read-only");
	wr(&l, LAPIC_PPR, 0xf0);
	CHECK_EQ(rd(&l, LAPIC_PPR), 0x40, "PPR read-only");
	wr(&l, LAPIC_DFR, 0x0);
	CHECK_EQ(rd(&l, LAPIC_DFR), 0x0fffffff, "DFR low bits read 1");
	wr(&l, LAPIC_LDR, 0xffffffff);
	CHECK_EQ(rd(&l, LAPIC_LDR), 0xff000000, "LDR [31:24]");
	wr(&l, LAPIC_ID, 0x34ffffff);
	CHECK_EQ(rd(&l, LAPIC_ID), 0x34000000, "xAPIC ID writable");
	wr(&l, LAPIC_LVT_CMCI, 0x20);
	CHECK_EQ(rd(&l, LAPIC_LVT_CMCI), 0, "no CMCI LVT");

}

static void test_mmio_off(void)
{
	struct x86_lapic l;
	struct fake f;

	mk(&l, &f, 0x12);
	x86_lapic_set_tpr(&l, 0x40);
	/* x2APIC: MMIO off. */
	to_x2apic(&l);
	CHECK_EQ(rd(&l, LAPIC_VERSION), 0, "x2APIC: MMIO reads 0");
	wr(&l, LAPIC_TPR, 0x80);
	CHECK_EQ(x86_lapic_get_tpr(&l), 0x40, "x2APIC: MMIO write ignored");

	/* Hardware-disabled: MMIO off. */
	mk(&l, &f, 1);
	x86_lapic_set_base(&l, LAPIC_BASE_DEFAULT, false);
	CHECK_EQ(rd(&l, LAPIC_VERSION), 0, "hw-disabled: reads 0");
	wr(&l, LAPIC_TPR, 0x80);
	CHECK_EQ(x86_lapic_get_tpr(&l), 0, "hw-disabled: write ignored");
}

static void test_msr(void)
{
	static const u32 ro[] = { 0x802, 0x803, 0x80a, 0x80d, 0x810, 0x817,
				  0x818, 0x820, 0x827, 0x839 };
	static const u32 gp_read[] = { 0x80b, 0x83f, 0x80e, 0x809, 0x80c,
				       0x82f, 0x831, 0x801, 0x83a };
	struct x86_lapic l;
	struct fake f;
	unsigned int i;
	u64 v;

	mk(&l, &f, 0x123);
	CHECK_EQ(x86_lapic_msr_read(&l, 0x803, &v), 1, "#GP in xAPIC mode");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x808, 0), 1, "#GP write xAPIC");
	to_x2apic(&l);
	CHECK(x86_lapic_x2apic_mode(&l), "x2APIC on");
	CHECK_EQ(x86_lapic_msr_read(&l, 0x802, &v), 0, "ID read");
	CHECK_EQ(v, 0x123, "x2APIC ID = vcpu_id");
	CHECK_EQ(x86_lapic_msr_read(&l, 0x80d, &v), 0, "LDR read");
	CHECK_EQ(v, (0x12u << 16) | (1u << 3), "derived LDR");
	CHECK_EQ(x86_lapic_msr_read(&l, 0x803, &v), 0, "version read");
	CHECK_EQ(v, 0x00050014, "version");
	for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		CHECK_EQ(x86_lapic_msr_write(&l, ro[i], 0), 1, "RO write #GP");
	for (i = 0; i < sizeof(gp_read) / sizeof(gp_read[0]); i++)
		CHECK_EQ(x86_lapic_msr_read(&l, gp_read[i], &v), 1,
			 "read #GP");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x80e, 0xffffffff), 1, "no DFR");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x80b, 1), 1, "EOI nonzero #GP");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x80b, 0), 0, "EOI 0 ok");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x808, 0x100), 1, "TPR rsvd #GP");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x808, 1ull << 32), 1, "hi #GP");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x808, 0x50), 0, "TPR ok");
	CHECK_EQ(x86_lapic_get_tpr(&l), 0x50, "TPR via MSR");
	/* As KVM: an SVR bit it does not offer is dropped, no #GP. */
	CHECK_EQ(x86_lapic_msr_write(&l, 0x80f, 0x11ff), 0, "SVR bit 12 no #GP");
	CHECK_EQ(rd_msr(&l, 0x80f), 0x1ff, "SVR bit 12 dropped");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x80f, 0x1ff), 0, "SVR ok");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x828, 1), 1, "ESR nonzero #GP");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x83e, 0x4), 1, "TDCR bit 2 #GP");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x83e, 0xb), 0, "TDCR ok");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x832, 0x60000), 1, "timer mode 3");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x832, 0x80000), 1, "timer rsvd");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x837, 0x400), 1, "LVT err DM #GP");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x835, 0x1a7ff), 0, "LINT0 all ok");
	CHECK_EQ(x86_lapic_msr_read(&l, 0x835, &v), 0, "LINT0 read");
	CHECK_EQ(v, 0x1a7ff, "LINT0 value");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x82f, 0), 1, "no CMCI");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x83f, 0x100), 1, "SELF_IPI rsvd");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x7ff, 0), 1, "below range");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x900, 0), 1, "above range");
	CHECK_EQ(x86_lapic_msr_read(&l, 0x8ff, &v), 1, "0x8ff #GP");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x830, 0x2000), 1, "ICR bit 13");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x830, 0x100000), 1, "ICR bit 20");
	/* The busy bit is taken (as upstream KVM) and reads back clear. */
	CHECK_EQ(x86_lapic_msr_write(&l, 0x830, 0x10ff), 0, "ICR bit 12");
	CHECK_EQ(x86_lapic_msr_read(&l, 0x830, &v), 0, "ICR read busy");
	CHECK_EQ(v, 0xff, "ICR busy clear");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x830, 0x0000000500004031ull), 0,
		 "ICR write");
	CHECK_EQ(x86_lapic_msr_read(&l, 0x830, &v), 0, "ICR read");
	CHECK_EQ(v, 0x0000000500004031ull, "ICR 64-bit");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x838, 0x12345), 0, "TMICT");
	CHECK_EQ(x86_lapic_msr_read(&l, 0x838, &v), 0, "TMICT read");
	CHECK_EQ(v, 0x12345, "TMICT value");
	CHECK_EQ(x86_lapic_msr_read(&l, 0x839, &v), 0, "TMCCT read");
	CHECK_EQ(v, 0x12345, "TMCCT at start");
}

/* PPR from (TPR, highest ISR vector). */
static void test_ppr(void)
{
	static const struct { u8 tpr, isr, ppr; } t[] = {
		{ 0x00, 0x00, 0x00 }, { 0x45, 0x00, 0x45 },
		{ 0x00, 0x31, 0x30 }, { 0x35, 0x31, 0x35 },
		{ 0x30, 0x4f, 0x40 }, { 0x5a, 0x4f, 0x5a },
		{ 0x4f, 0x41, 0x4f }, { 0x20, 0xff, 0xf0 },
	};
	struct x86_lapic l;
	struct fake f;
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		mk(&l, &f, 0);
		enable(&l);
		if (t[i].isr) {
			accept_vec(&l, t[i].isr, false);
			x86_lapic_ack(&l, t[i].isr);
		}
		x86_lapic_set_tpr(&l, t[i].tpr);
		CHECK_EQ(rd(&l, LAPIC_PPR), t[i].ppr, "PPR");
		CHECK_EQ(x86_lapic_get_ppr(&l), t[i].ppr, "get_ppr");
		CHECK_EQ(raw(&l, LAPIC_PPR), t[i].ppr, "PPR in page");
	}

	/* TPR blocks classes <= its own. */
	mk(&l, &f, 0);
	enable(&l);
	x86_lapic_set_tpr(&l, 0x50);
	accept_vec(&l, 0x5f, false);
	CHECK_EQ(x86_lapic_pending_vector(&l), -1, "0x5f blocked by 0x50");
	accept_vec(&l, 0x60, false);
	CHECK_EQ(x86_lapic_pending_vector(&l), 0x60, "0x60 above 0x50");
	x86_lapic_set_tpr(&l, 0xff);
	CHECK_EQ(x86_lapic_pending_vector(&l), -1, "TPR 0xff blocks all");
	x86_lapic_set_tpr(&l, 0);
	CHECK_EQ(x86_lapic_pending_vector(&l), 0x60, "TPR 0");
	wr(&l, LAPIC_SVR, 0xff);
	CHECK_EQ(x86_lapic_pending_vector(&l), -1, "sw-disabled: none");
}

static void test_nesting(void)
{
	struct x86_lapic l;
	struct fake f;

	mk(&l, &f, 0);
	enable(&l);
	CHECK_EQ(x86_lapic_pending_vector(&l), -1, "nothing pending");
	CHECK_EQ(accept_vec(&l, 0x31, false), X86_LAPIC_ACCEPTED, "0x31");
	CHECK_EQ(accept_vec(&l, 0x52, false), X86_LAPIC_ACCEPTED, "0x52");
	CHECK_EQ(accept_vec(&l, 0x45, true), X86_LAPIC_ACCEPTED, "0x45");
	CHECK_EQ(accept_vec(&l, 0x52, false), X86_LAPIC_COALESCED, "again");
	CHECK_EQ(x86_lapic_pending_vector(&l), 0x52, "highest first");
	x86_lapic_ack(&l, 0x52);
	CHECK(isr(&l, 0x52) && !irr(&l, 0x52), "0x52 in service");
	CHECK_EQ(rd(&l, LAPIC_PPR), 0x50, "PPR 0x50");
	CHECK_EQ(x86_lapic_pending_vector(&l), -1, "0x45 below 0x50");
	CHECK_EQ(accept_vec(&l, 0x61, false), X86_LAPIC_ACCEPTED, "0x61");
	CHECK_EQ(x86_lapic_pending_vector(&l), 0x61, "0x61 nests");
	x86_lapic_ack(&l, 0x61);
	CHECK_EQ(rd(&l, LAPIC_PPR), 0x60, "PPR 0x60");
	wr(&l, LAPIC_EOI, 0);
	CHECK(!isr(&l, 0x61) && isr(&l, 0x52), "EOI retires highest");
	CHECK_EQ(rd(&l, LAPIC_PPR), 0x50, "PPR back to 0x50");
	wr(&l, LAPIC_EOI, 0);
	CHECK_EQ(rd(&l, LAPIC_PPR), 0, "PPR 0");
	CHECK_EQ(x86_lapic_pending_vector(&l), 0x45, "0x45 now");
	x86_lapic_ack(&l, 0x45);
	CHECK_EQ(x86_lapic_pending_vector(&l), -1, "0x31 below 0x40");
	CHECK_EQ(f.neoi, 0, "no level EOI yet");
	x86_lapic_eoi(&l);
	CHECK_EQ(f.neoi, 1, "level EOI forwarded");
	CHECK_EQ(f.eoi[0], 0x45, "level EOI vector");
	CHECK_EQ(x86_lapic_pending_vector(&l), 0x31, "0x31 last");
	x86_lapic_ack(&l, 0x31);
	unsigned int edges = f.nedge_eoi;
	x86_lapic_eoi(&l);
	CHECK_EQ(f.neoi, 1, "edge EOI not reported as level");
	CHECK_EQ(f.nedge_eoi, edges + 1, "edge EOI reported as edge");
	x86_lapic_eoi(&l);
	CHECK_EQ(f.neoi, 1, "EOI with nothing in service");
	CHECK_EQ(f.nedge_eoi, edges + 1, "nothing in service: no report");
	CHECK_EQ(vec_none(&l), 1, "IRR and ISR empty");

	/* ack of a vector not in IRR does nothing. */
	x86_lapic_ack(&l, 0x90);
	CHECK(!isr(&l, 0x90), "bogus ack");

	/* Level then edge on the same vector: TMR follows the last one. */
	accept_vec(&l, 0x70, true);
	CHECK(tmr(&l, 0x70), "TMR set by level");
	accept_vec(&l, 0x70, false);
	CHECK(!tmr(&l, 0x70), "TMR cleared by edge");
}

/* A lent vector: the guest may hold it already, so it may come again. */
static void test_lend(void)
{
	struct x86_lapic l;
	struct fake f;

	mk(&l, &f, 0);
	enable(&l);
	accept_vec(&l, 0x50, false);
	x86_lapic_lend(&l, 0x50);
	CHECK_EQ(accept_vec(&l, 0x50, false), X86_LAPIC_ACCEPTED,
		 "again while lent: a new one");
	CHECK_EQ(accept_vec(&l, 0x51, false), X86_LAPIC_ACCEPTED, "0x51");
	CHECK_EQ(accept_vec(&l, 0x51, false), X86_LAPIC_COALESCED,
		 "another vector merges as ever");
	CHECK(irr(&l, 0x50) && !isr(&l, 0x50), "still in IRR while lent");
	CHECK_EQ(x86_lapic_lend_end(&l, true), 0x50, "taken: its vector");
	CHECK(isr(&l, 0x50), "taken: in service");
	CHECK(irr(&l, 0x50), "taken: the second waits in IRR");
	CHECK_EQ(accept_vec(&l, 0x50, false), X86_LAPIC_COALESCED,
		 "no longer lent: merges");
	CHECK_EQ(x86_lapic_lend_end(&l, true), -1, "ended twice: no vector");
	CHECK(irr(&l, 0x50) && isr(&l, 0x50), "ended twice: nothing more");
	wr(&l, LAPIC_EOI, 0);
	CHECK(irr(&l, 0x50) && !isr(&l, 0x50), "EOI: the second waits");

	/* Not taken: both are one interrupt, as without lending. */
	mk(&l, &f, 0);
	enable(&l);
	accept_vec(&l, 0x60, false);
	x86_lapic_lend(&l, 0x60);
	accept_vec(&l, 0x60, false);
	accept_vec(&l, 0x60, true);
	CHECK_EQ(x86_lapic_lend_end(&l, false), -1, "not taken: no vector");
	CHECK(irr(&l, 0x60) && !isr(&l, 0x60), "not taken: one in IRR");
	CHECK(tmr(&l, 0x60), "merged: the later one's trigger mode");

	/* Taken alone: IRR -> ISR; the second's trigger mode is kept. */
	accept_vec(&l, 0x70, false);
	x86_lapic_lend(&l, 0x70);
	x86_lapic_lend_end(&l, true);
	CHECK(isr(&l, 0x70) && !irr(&l, 0x70), "taken alone");
	accept_vec(&l, 0x72, false);
	x86_lapic_lend(&l, 0x72);
	accept_vec(&l, 0x72, true);
	x86_lapic_lend_end(&l, true);
	CHECK(irr(&l, 0x72) && tmr(&l, 0x72), "second is level");
}

/* The vector whose EOI PV EOI may let the guest skip (lent or in service). */
static void test_next_eoi_alone(void)
{
	struct x86_lapic l;
	struct fake f;

	mk(&l, &f, 0);
	enable(&l);
	CHECK_EQ(x86_lapic_next_eoi_alone(&l), -1, "nothing in service");
	accept_vec(&l, 0x50, false);
	CHECK_EQ(x86_lapic_next_eoi_alone(&l), -1, "only waiting in IRR");
	x86_lapic_lend(&l, 0x50);
	CHECK_EQ(x86_lapic_next_eoi_alone(&l), 0x50, "lent, ISR empty");
	accept_vec(&l, 0x50, false);
	CHECK_EQ(x86_lapic_next_eoi_alone(&l), -1, "a second arrival aside");
	x86_lapic_lend_end(&l, true);
	CHECK_EQ(x86_lapic_next_eoi_alone(&l), -1, "taken, the second waits");
	wr(&l, LAPIC_EOI, 0);
	x86_lapic_ack(&l, 0x50);
	CHECK_EQ(x86_lapic_next_eoi_alone(&l), 0x50, "in service alone");
	accept_vec(&l, 0x30, false);
	CHECK_EQ(x86_lapic_next_eoi_alone(&l), -1, "a lower one waits");
	wr(&l, LAPIC_EOI, 0);
	CHECK(!isr(&l, 0x50) && irr(&l, 0x30), "EOI: 0x30 waits");
	x86_lapic_lend(&l, 0x30);
	CHECK_EQ(x86_lapic_next_eoi_alone(&l), 0x30, "0x30 lent");
	accept_vec(&l, 0x20, false);
	CHECK_EQ(x86_lapic_next_eoi_alone(&l), -1, "lent, another below");
	x86_lapic_lend_end(&l, false);
	CHECK_EQ(x86_lapic_next_eoi_alone(&l), -1, "not taken: both wait");

	/* In service and lent: the next EOI might be either one's. */
	mk(&l, &f, 0);
	enable(&l);
	accept_vec(&l, 0x40, false);
	x86_lapic_ack(&l, 0x40);
	accept_vec(&l, 0x80, false);
	x86_lapic_lend(&l, 0x80);
	CHECK_EQ(x86_lapic_next_eoi_alone(&l), -1, "in service and lent");
	x86_lapic_lend_end(&l, true);
	CHECK_EQ(x86_lapic_next_eoi_alone(&l), 0x80, "two in service");
}

static void test_accept(void)
{
	struct x86_lapic l;
	struct fake f;
	struct x86_apic_msg m;

	mk(&l, &f, 0);
	CHECK_EQ(accept_vec(&l, 0x40, false), X86_LAPIC_DROPPED,
		 "sw-disabled drops fixed");
	CHECK(!irr(&l, 0x40), "no IRR");
	memset(&m, 0, sizeof(m));
	m.delivery_mode = X86_DM_NMI;
	CHECK_EQ(x86_lapic_accept(&l, &m), X86_LAPIC_ACCEPTED,
		 "NMI while sw-disabled");
	CHECK(x86_lapic_take_nmi(&l), "NMI pending");
	CHECK(!x86_lapic_take_nmi(&l), "only one");

	enable(&l);
	CHECK_EQ(accept_vec(&l, 0x0f, false), X86_LAPIC_DROPPED, "vector 15");
	CHECK(!irr(&l, 0x0f), "illegal vector not in IRR");
	CHECK_EQ(rd(&l, LAPIC_ESR), 0, "ESR before latch");
	wr(&l, LAPIC_ESR, 0);
	CHECK_EQ(rd(&l, LAPIC_ESR), LAPIC_ESR_RECV_ILLEGAL, "ESR latched");
	wr(&l, LAPIC_ESR, 0);
	CHECK_EQ(rd(&l, LAPIC_ESR), 0, "ESR cleared by next write");

	/* The error LVT raises its vector. */
	wr(&l, LAPIC_LVT_ERR, 0xe3);
	accept_vec(&l, 0x02, false);
	CHECK(irr(&l, 0xe3), "error interrupt");

	m = fixed(0x66, false);
	m.delivery_mode = X86_DM_LOWEST;
	CHECK_EQ(x86_lapic_accept(&l, &m), X86_LAPIC_ACCEPTED, "lowest");
	CHECK(irr(&l, 0x66), "lowest sets IRR");
	m.delivery_mode = X86_DM_EXTINT;
	m.vector = 0x67;
	CHECK_EQ(x86_lapic_accept(&l, &m), X86_LAPIC_DROPPED, "ExtINT");
	CHECK(!irr(&l, 0x67), "ExtINT not in IRR");
	m.delivery_mode = X86_DM_SMI;
	CHECK_EQ(x86_lapic_accept(&l, &m), X86_LAPIC_DROPPED, "SMI");
	m.delivery_mode = 3;
	CHECK_EQ(x86_lapic_accept(&l, &m), X86_LAPIC_DROPPED, "DM 3");

}

static void test_init_sipi(void)
{
	struct x86_lapic l;
	struct fake f;
	struct x86_apic_msg m;

	mk(&l, &f, 0);
	enable(&l);
	/* INIT / SIPI. */
	memset(&m, 0, sizeof(m));
	m.delivery_mode = X86_DM_SIPI;
	m.vector = 0x9a;
	CHECK_EQ(x86_lapic_accept(&l, &m), X86_LAPIC_DROPPED, "SIPI no INIT");
	CHECK_EQ(x86_lapic_take_sipi(&l), -1, "no SIPI");
	m.delivery_mode = X86_DM_INIT;
	m.level_trig = true;
	m.assert = false;
	CHECK_EQ(x86_lapic_accept(&l, &m), X86_LAPIC_DROPPED, "INIT deassert");
	CHECK(!l.init_pending, "deassert ignored");
	m.assert = true;
	CHECK_EQ(x86_lapic_accept(&l, &m), X86_LAPIC_ACCEPTED, "INIT");
	CHECK(x86_lapic_take_init(&l), "INIT taken");
	CHECK(!x86_lapic_take_init(&l), "once");
	x86_lapic_reset(&l, true);
	m.delivery_mode = X86_DM_SIPI;
	m.level_trig = false;
	CHECK_EQ(x86_lapic_accept(&l, &m), X86_LAPIC_ACCEPTED, "SIPI");
	CHECK_EQ(x86_lapic_take_sipi(&l), 0x9a, "SIPI vector");
	CHECK_EQ(x86_lapic_take_sipi(&l), -1, "SIPI once");
	CHECK_EQ(x86_lapic_accept(&l, &m), X86_LAPIC_DROPPED, "2nd SIPI");

	/* Hardware-disabled takes nothing. */
	x86_lapic_set_base(&l, LAPIC_BASE_DEFAULT, false);
	m.delivery_mode = X86_DM_NMI;
	CHECK_EQ(x86_lapic_accept(&l, &m), X86_LAPIC_DROPPED, "hw-off NMI");
}

static const struct x86_apic_msg *last_ipi(const struct fake *f)
{
	return &f->ipi[(f->nipi ? f->nipi : 1) - 1];
}

static void test_icr(void)
{
	static const struct {
		u32 lo;
		u8 vec, dm, sh;
		bool logical, assert, level;
	} t[] = {
		{ 0x000000ef, 0xef, X86_DM_FIXED, X86_SH_NONE, 0, 0, 0 },
		{ 0x00000931, 0x31, X86_DM_LOWEST, X86_SH_NONE, 1, 0, 0 },
		{ 0x00000400, 0x00, X86_DM_NMI, X86_SH_NONE, 0, 0, 0 },
		{ 0x0000c500, 0x00, X86_DM_INIT, X86_SH_NONE, 0, 1, 1 },
		{ 0x00008500, 0x00, X86_DM_INIT, X86_SH_NONE, 0, 0, 1 },
		{ 0x000c4500, 0x00, X86_DM_INIT, X86_SH_OTHERS, 0, 1, 0 },
		{ 0x000c4698, 0x98, X86_DM_SIPI, X86_SH_OTHERS, 0, 1, 0 },
		{ 0x00040050, 0x50, X86_DM_FIXED, X86_SH_SELF, 0, 0, 0 },
		{ 0x00088051, 0x51, X86_DM_FIXED, X86_SH_ALL, 0, 0, 1 },
		{ 0x00000200, 0x00, X86_DM_SMI, X86_SH_NONE, 0, 0, 0 },
		{ 0x00000700, 0x00, X86_DM_EXTINT, X86_SH_NONE, 0, 0, 0 },
	};
	struct x86_lapic l;
	struct fake f;
	const struct x86_apic_msg *m;
	unsigned int i;

	mk(&l, &f, 0);
	enable(&l);
	wr(&l, LAPIC_ICR_HI, 0x0300ffff);
	CHECK_EQ(rd(&l, LAPIC_ICR_HI), 0x03000000, "ICR high [31:24]");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		f.nipi = 0;
		wr(&l, LAPIC_ICR_LO, t[i].lo | 0x1000);
		CHECK_EQ(f.nipi, 1, "one IPI");
		m = last_ipi(&f);
		CHECK_EQ(m->vector, t[i].vec, "vector");
		CHECK_EQ(m->delivery_mode, t[i].dm, "delivery mode");
		CHECK_EQ(m->shorthand, t[i].sh, "shorthand");
		CHECK_EQ(m->dest_logical, t[i].logical, "dest mode");
		CHECK_EQ(m->assert, t[i].assert, "level");
		CHECK_EQ(m->level_trig, t[i].level, "trigger");
		CHECK_EQ(m->dest, 3, "dest from ICR high");
		CHECK(!m->x2apic_format, "xAPIC format");
		CHECK_EQ(rd(&l, LAPIC_ICR_LO), t[i].lo, "ICR low, status 0");
	}
	f.nipi = 0;
	wr(&l, LAPIC_ICR_LO, 0x0000000f);
	CHECK_EQ(f.nipi, 0, "fixed vector 15 not sent");
	wr(&l, LAPIC_ICR_LO, 0x00000300);
	CHECK_EQ(f.nipi, 0, "reserved DM not sent");
	wr(&l, LAPIC_ICR_HI, 0);	/* ICR high alone sends nothing */
	CHECK_EQ(f.nipi, 0, "ICR high write does not send");
	wr(&l, LAPIC_ESR, 0);
	CHECK_EQ(rd(&l, LAPIC_ESR), LAPIC_ESR_SEND_ILLEGAL, "send illegal");

}

static void test_icr_x2apic(void)
{
	struct x86_lapic l;
	struct fake f;
	const struct x86_apic_msg *m;
	u64 v;

	mk(&l, &f, 0);
	enable(&l);
	/* x2APIC: one 64-bit write, 32-bit destination. */
	to_x2apic(&l);
	f.nipi = 0;
	x86_lapic_msr_write(&l, 0x830, 0x12345678000008f1ull);
	m = last_ipi(&f);
	CHECK_EQ(f.nipi, 1, "x2APIC IPI");
	CHECK_EQ(m->dest, 0x12345678, "x2APIC dest");
	CHECK(m->x2apic_format && m->dest_logical, "x2APIC logical");
	CHECK_EQ(m->vector, 0xf1, "x2APIC vector");
	x86_lapic_msr_write(&l, 0x83f, 0x77);
	m = last_ipi(&f);
	CHECK_EQ(f.nipi, 2, "SELF_IPI");
	CHECK(m->vector == 0x77 && m->shorthand == X86_SH_SELF &&
	      m->delivery_mode == X86_DM_FIXED && !m->level_trig,
	      "SELF_IPI message");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x83f, 0x05), 0, "SELF_IPI 5");
	CHECK_EQ(f.nipi, 2, "SELF_IPI 5 not sent");
	x86_lapic_msr_write(&l, 0x828, 0);
	x86_lapic_msr_read(&l, 0x828, &v);
	CHECK_EQ(v, LAPIC_ESR_SEND_ILLEGAL, "SELF_IPI illegal ESR");
}

static struct x86_apic_msg dmsg(u32 dest, bool logical, bool x2, u8 sh)
{
	struct x86_apic_msg m = fixed(0x40, false);

	m.dest = dest;
	m.dest_logical = logical;
	m.x2apic_format = x2;
	m.shorthand = sh;
	return m;
}

static bool match(const struct x86_lapic *t, u32 dest, bool logical,
		  bool x2, u8 sh, const struct x86_lapic *src)
{
	struct x86_apic_msg m = dmsg(dest, logical, x2, sh);

	return x86_lapic_match_dest(t, &m, src);
}

static void test_match_xapic(void)
{
	struct x86_lapic a, b;
	struct fake fa, fb;

	mk(&a, &fa, 3);
	mk(&b, &fb, 4);
	/* Physical. */
	CHECK(match(&a, 3, 0, 0, 0, NULL), "phys 3");
	CHECK(!match(&a, 4, 0, 0, 0, NULL), "phys 4 not 3");
	CHECK(match(&a, 0xff, 0, 0, 0, NULL), "phys broadcast");
	CHECK(!match(&a, 0x103, 0, 1, 0, NULL), "x2 dest > 0xff");
	CHECK(match(&a, 0xffffffff, 0, 1, 0, NULL), "x2 broadcast");
	/* Flat logical. */
	wr(&a, LAPIC_LDR, 0x24000000);
	CHECK(match(&a, 0x04, 1, 0, 0, NULL), "flat bit 2");
	CHECK(match(&a, 0x21, 1, 0, 0, NULL), "flat bit 5");
	CHECK(!match(&a, 0x41, 1, 0, 0, NULL), "flat no overlap");
	CHECK(match(&a, 0xff, 1, 0, 0, NULL), "flat broadcast");
	CHECK(!match(&a, 0x00, 1, 0, 0, NULL), "flat 0");
	/* Cluster logical. */
	wr(&a, LAPIC_DFR, 0x0fffffff);
	wr(&a, LAPIC_LDR, 0x52000000);
	CHECK(match(&a, 0x52, 1, 0, 0, NULL), "cluster 5 bit 1");
	CHECK(match(&a, 0x5f, 1, 0, 0, NULL), "cluster 5 all");
	CHECK(!match(&a, 0x4f, 1, 0, 0, NULL), "cluster 4");
	CHECK(!match(&a, 0x5d, 1, 0, 0, NULL), "cluster 5 other bits");
	CHECK(match(&a, 0xff, 1, 0, 0, NULL), "cluster broadcast");
	CHECK(match(&a, 0xf2, 1, 0, 0, NULL), "cluster 0xf: all clusters");
	CHECK(!match(&a, 0xf1, 1, 0, 0, NULL), "cluster 0xf, other bit");
	/* Bogus DFR model. */
	memcpy(a.regs + LAPIC_DFR, "\xff\xff\xff\x5f", 4);
	CHECK(!match(&a, 0x52, 1, 0, 0, NULL), "DFR model 5 matches none");
	/* Shorthands. */
	CHECK(match(&a, 0, 0, 0, X86_SH_SELF, &a), "self");
	CHECK(!match(&b, 0, 0, 0, X86_SH_SELF, &a), "self not other");
	CHECK(match(&a, 0, 0, 0, X86_SH_ALL, &a), "all incl self");
	CHECK(match(&b, 0, 0, 0, X86_SH_ALL, &a), "all");
	CHECK(!match(&a, 0, 0, 0, X86_SH_OTHERS, &a), "others excl self");
	CHECK(match(&b, 0, 0, 0, X86_SH_OTHERS, &a), "others");
	CHECK(match(&b, 0, 0, 0, X86_SH_OTHERS, NULL), "others, no src");
	/* A hardware-disabled target matches nothing. */
	x86_lapic_set_base(&b, LAPIC_BASE_DEFAULT, false);
	CHECK(!match(&b, 4, 0, 0, 0, NULL), "disabled phys");
	CHECK(!match(&b, 0xff, 0, 0, 0, NULL), "disabled bcast");
	CHECK(!match(&b, 0, 0, 0, X86_SH_ALL, &a), "disabled all");
}

static void test_match_x2apic(void)
{
	struct x86_lapic a;
	struct fake fa;

	mk(&a, &fa, 0x123);	/* cluster 0x12, bit 3 */
	to_x2apic(&a);
	CHECK(match(&a, 0x123, 0, 1, 0, NULL), "x2 phys");
	CHECK(!match(&a, 0x23, 0, 1, 0, NULL), "x2 phys 32-bit compare");
	CHECK(!match(&a, 0x1000123, 0, 1, 0, NULL), "x2 phys high bits");
	CHECK(match(&a, 0xffffffff, 0, 1, 0, NULL), "x2 phys bcast");
	CHECK(match(&a, 0x120008, 1, 1, 0, NULL), "x2 cluster");
	CHECK(match(&a, 0x12ffff, 1, 1, 0, NULL), "x2 cluster all");
	CHECK(!match(&a, 0x120004, 1, 1, 0, NULL), "x2 cluster bit");
	CHECK(!match(&a, 0x130008, 1, 1, 0, NULL), "x2 other cluster");
	CHECK(match(&a, 0xffffffff, 1, 1, 0, NULL), "x2 logical bcast");
	CHECK(match(&a, 0xff, 0, 0, 0, NULL), "xAPIC-format bcast to x2");
	CHECK(match(&a, 0xff, 1, 0, 0, NULL), "xAPIC logical bcast to x2");
	CHECK(!match(&a, 0x23, 0, 0, 0, NULL), "xAPIC phys 0x23 no");

	mk(&a, &fa, 0x5);
	to_x2apic(&a);
	CHECK(match(&a, 0x5, 0, 0, 0, NULL), "xAPIC-format phys to x2");
}

/* Start a timer: LVT value, TDCR, TMICT. */
static void timer(struct x86_lapic *l, u32 lvt, u32 tdcr, u32 tmict)
{
	wr(l, LAPIC_LVT_TIMER, lvt);
	wr(l, LAPIC_TDCR, tdcr);
	wr(l, LAPIC_TMICT, tmict);
}

static void test_oneshot(void)
{
	static const struct { u32 tdcr, div; } dv[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
		{ 0xfffffff4, 2 },	/* bit 2 and high bits ignored */
	};
	struct x86_lapic l;
	struct fake f;
	unsigned int i;

	for (i = 0; i < sizeof(dv) / sizeof(dv[0]); i++) {
		mk(&l, &f, 0);
		enable(&l);
		timer(&l, 0x40, dv[i].tdcr, 10);
		CHECK_EQ(f.last_arm, f.now + 10ull * dv[i].div, "divide");
	}

}

static void test_oneshot_count(void)
{
	struct x86_lapic l;
	struct fake f;
	u64 t0;

	mk(&l, &f, 0);
	enable(&l);
	t0 = f.now;
	timer(&l, 0x41, 0x3, 1000);	/* divide by 16 */
	CHECK_EQ(f.arms, 1, "armed once");
	CHECK_EQ(f.last_arm, t0 + 16000, "expiry");
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 1000, "TMCCT at start");
	f.now = t0 + 15;
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 1000, "TMCCT before 1st tick");
	f.now = t0 + 16;
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 999, "TMCCT after 1 tick");
	f.now = t0 + 8000;
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 500, "TMCCT halfway");
	f.now = t0 + 15999;
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 1, "TMCCT last tick");
	f.now = t0 + 16000;
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 0, "TMCCT at expiry");
	CHECK(!irr(&l, 0x41), "not yet injected");
	x86_lapic_timer_expired(&l);
	CHECK(irr(&l, 0x41), "injected");
	CHECK(!tmr(&l, 0x41), "edge");
	CHECK_EQ(f.arms, 1, "one-shot not re-armed");
	f.now += 100000;
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 0, "TMCCT stays 0");
	CHECK_EQ(rd(&l, LAPIC_TMICT), 1000, "TMICT kept");
	x86_lapic_timer_expired(&l);
	CHECK_EQ(f.arms, 1, "spurious expiry ignored");

}

static void test_oneshot_restart(void)
{
	struct x86_lapic l;
	struct fake f;

	/* Masked: counts, no interrupt.  TMICT 0 stops. */
	mk(&l, &f, 0);
	enable(&l);
	timer(&l, 0x10042, 0xb, 50);
	CHECK_EQ(f.last_arm, f.now + 50, "masked timer counts");
	f.now += 50;
	x86_lapic_timer_expired(&l);
	CHECK(!irr(&l, 0x42), "masked: no IRR");
	wr(&l, LAPIC_TMICT, 500);
	wr(&l, LAPIC_TMICT, 0);
	CHECK_EQ(f.cancels, 1, "TMICT 0 cancels");
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 0, "stopped");
	/* One-shot is not clamped by min_period_ns. */
	wr(&l, LAPIC_TMICT, 1);
	CHECK_EQ(f.last_arm, f.now + 1, "one-shot 1 ns");

	/* Re-writing TMICT restarts the count. */
	wr(&l, LAPIC_TMICT, 1000);
	f.now += 400;
	wr(&l, LAPIC_TMICT, 1000);
	CHECK_EQ(f.last_arm, f.now + 1000, "restart");
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 1000, "restart count");

	/* Changing TDCR mid-count keeps the count, new rate. */
	f.now += 200;
	wr(&l, LAPIC_TDCR, 0x0);	/* now divide by 2 */
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 800, "count kept across TDCR");
	CHECK_EQ(f.last_arm, f.now + 1600, "remaining at new rate");
}

static void test_periodic(void)
{
	struct x86_lapic l;
	struct fake f;
	u64 t0;

	mk(&l, &f, 0);
	enable(&l);
	t0 = f.now;
	timer(&l, 0x20050, 0xb, 1000000);	/* periodic, divide by 1 */
	CHECK_EQ(f.last_arm, t0 + 1000000, "first period");
	f.now = t0 + 250000;
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 750000, "TMCCT periodic");
	f.now = t0 + 1000050;	/* fired a little late */
	x86_lapic_timer_expired(&l);
	CHECK(irr(&l, 0x50), "periodic injects");
	CHECK_EQ(f.last_arm, t0 + 2000000, "re-armed on the grid");
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 999950, "TMCCT after wrap");
	f.now = t0 + 5500000;	/* fell far behind */
	x86_lapic_timer_expired(&l);
	CHECK_EQ(f.last_arm, t0 + 6000000, "skipped to next future");
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 500000, "TMCCT on the grid");
	f.now = t0 + 6000000;
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 1000000, "TMCCT reload");

	/* Clamp to min_period_ns. */
	mk(&l, &f, 0);
	enable(&l);
	t0 = f.now;
	timer(&l, 0x20050, 0xb, 100);
	CHECK_EQ(f.last_arm, t0 + 200000, "clamped period");
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 100, "TMCCT <= TMICT");
	f.now = t0 + 200000;
	x86_lapic_timer_expired(&l);
	CHECK_EQ(f.last_arm, t0 + 400000, "clamped re-arm");
	f.now = t0 + 399999;	/* host timer a little early */
	x86_lapic_timer_expired(&l);
	CHECK_EQ(f.last_arm, t0 + 600000, "early expiry consumes a period");

	/* A zero min_period_ns still never gives a 0 period. */
	mk(&l, &f, 0);
	l.min_period_ns = 0;
	enable(&l);
	t0 = f.now;
	timer(&l, 0x20050, 0xb, 1);
	CHECK_EQ(f.last_arm, t0 + 1, "1 ns period");
	f.now = t0 + 1000000000ull;
	x86_lapic_timer_expired(&l);
	CHECK_EQ(f.last_arm, t0 + 1000000001ull, "O(1) catch-up");

	/* Mode change stops the timer and clears TMICT. */
	mk(&l, &f, 0);
	enable(&l);
	timer(&l, 0x20050, 0xb, 1000000);
	wr(&l, LAPIC_LVT_TIMER, 0x50);
	CHECK_EQ(f.cancels, 1, "mode change cancels");
	CHECK_EQ(rd(&l, LAPIC_TMICT), 0, "mode change clears TMICT");
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 0, "mode change stops count");
	wr(&l, LAPIC_TMICT, 1000);
	wr(&l, LAPIC_LVT_TIMER, 0x10050);	/* same mode, masked */
	CHECK_EQ(f.cancels, 1, "mask only: keeps counting");
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 1000, "count kept");
	wr(&l, LAPIC_LVT_TIMER, 0x60050);	/* reserved mode 3 */
	CHECK_EQ(rd(&l, LAPIC_LVT_TIMER) & 0x60000, 0, "mode 3 -> one-shot");
}

static void test_deadline(void)
{
	struct x86_lapic l;
	struct fake f;
	u64 t0;

	mk(&l, &f, 0);
	enable(&l);
	t0 = f.now;
	f.tsc = 1000;
	x86_lapic_set_tsc_deadline(&l, 5000);
	CHECK_EQ(f.arms, 0, "ignored in one-shot mode");
	CHECK_EQ(x86_lapic_get_tsc_deadline(&l), 0, "reads 0 in one-shot");
	timer(&l, 0x40060, 0xb, 0);
	wr(&l, LAPIC_TMICT, 1234);
	CHECK_EQ(rd(&l, LAPIC_TMICT), 0, "TMICT ignored in deadline mode");
	CHECK_EQ(f.arms, 0, "TMICT does not arm");
	x86_lapic_set_tsc_deadline(&l, 5000);
	CHECK_EQ(f.last_arm, t0 + 4000, "1 GHz: 4000 ns");
	CHECK_EQ(x86_lapic_get_tsc_deadline(&l), 5000, "reads back");
	CHECK_EQ(rd(&l, LAPIC_TMCCT), 0, "TMCCT 0 in deadline mode");
	f.now = t0 + 4000;
	x86_lapic_timer_expired(&l);
	CHECK(irr(&l, 0x60), "deadline injects");
	CHECK_EQ(x86_lapic_get_tsc_deadline(&l), 0, "0 after firing");
	CHECK_EQ(f.arms, 1, "not re-armed");
	x86_lapic_ack(&l, 0x60);
	CHECK(!irr(&l, 0x60), "acked");

	l.tsc_khz = 2500000;	/* 2.5 GHz */
	x86_lapic_set_tsc_deadline(&l, 1000 + 2500);
	CHECK_EQ(f.last_arm, f.now + 1000, "2.5 GHz conversion");
	x86_lapic_set_tsc_deadline(&l, 999);
	CHECK_EQ(f.last_arm, f.now, "past deadline: now");
	x86_lapic_set_tsc_deadline(&l, ~0ull);
	CHECK(f.last_arm > f.now, "huge deadline: far future");
	l.tsc_khz = 1;
	x86_lapic_set_tsc_deadline(&l, ~0ull);
	CHECK_EQ(f.last_arm, ~0ull, "saturates");
	l.tsc_khz = 0;
	x86_lapic_set_tsc_deadline(&l, 3000);
	CHECK_EQ(f.last_arm, f.now + 2000, "tsc_khz 0 taken as 1 GHz");
	f.cancels = 0;
	x86_lapic_set_tsc_deadline(&l, 0);
	CHECK_EQ(f.cancels, 1, "0 disarms");
	CHECK_EQ(x86_lapic_get_tsc_deadline(&l), 0, "disarmed");
	x86_lapic_timer_expired(&l);
	CHECK(!irr(&l, 0x60), "nothing after disarm");

	/* Leaving deadline mode clears the deadline. */
	x86_lapic_set_tsc_deadline(&l, 9000);
	f.cancels = 0;
	wr(&l, LAPIC_LVT_TIMER, 0x60);
	CHECK_EQ(f.cancels, 1, "mode switch cancels deadline");
	wr(&l, LAPIC_LVT_TIMER, 0x40060);
	CHECK_EQ(x86_lapic_get_tsc_deadline(&l), 0, "deadline cleared");
}

static void test_svr(void)
{
	struct x86_lapic l;
	struct fake f;
	unsigned int off;

	mk(&l, &f, 0);
	wr(&l, LAPIC_LVT_LINT0, 0x700);
	CHECK_EQ(rd(&l, LAPIC_LVT_LINT0), 0x10700, "mask sticks while off");
	enable(&l);
	CHECK(x86_lapic_sw_enabled(&l), "sw enabled");
	CHECK_EQ(rd(&l, LAPIC_SVR), 0x1ff, "SVR");
	wr(&l, LAPIC_SVR, 0xfffff3ff);
	CHECK_EQ(rd(&l, LAPIC_SVR), 0x3ff, "SVR bits 9:0 only");
	wr(&l, LAPIC_LVT_TIMER, 0xffffffff);
	CHECK_EQ(rd(&l, LAPIC_LVT_TIMER), 0x100ff, "timer LVT bits");
	wr(&l, LAPIC_LVT_TIMER, 0x00040031);
	wr(&l, LAPIC_LVT_THERM, 0xffffffff);
	CHECK_EQ(rd(&l, LAPIC_LVT_THERM), 0x107ff, "thermal LVT bits");
	wr(&l, LAPIC_LVT_PERF, 0x400);
	CHECK_EQ(rd(&l, LAPIC_LVT_PERF), 0x400, "perf unmasked");
	wr(&l, LAPIC_LVT_LINT0, 0xffffffff);
	CHECK_EQ(rd(&l, LAPIC_LVT_LINT0), 0x1a7ff, "LINT0 bits");
	wr(&l, LAPIC_LVT_LINT1, 0x400);
	wr(&l, LAPIC_LVT_ERR, 0xffffffff);
	CHECK_EQ(rd(&l, LAPIC_LVT_ERR), 0x100ff, "error LVT bits");
	wr(&l, LAPIC_LVT_ERR, 0xfe);
	wr(&l, LAPIC_SVR, 0xff);
	CHECK(!x86_lapic_sw_enabled(&l), "sw disabled");
	for (off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERR; off += 0x10)
		CHECK(rd(&l, off) & LAPIC_LVT_MASKED, "SVR off masks LVTs");
	CHECK_EQ(rd(&l, LAPIC_LVT_TIMER), 0x50031, "rest of LVT kept");
	wr(&l, LAPIC_LVT_PERF, 0x400);
	CHECK_EQ(rd(&l, LAPIC_LVT_PERF), 0x10400, "cannot unmask");
	enable(&l);
	CHECK_EQ(rd(&l, LAPIC_LVT_PERF), 0x10400, "enable leaves masked");
}

/* EOI-broadcast suppression: offered only when the host turns it on. */
static void test_directed_eoi(void)
{
	struct x86_lapic l;
	struct fake f;
	u64 v;

	mk(&l, &f, 0);
	enable(&l);
	CHECK_EQ(rd(&l, LAPIC_VERSION), 0x00050014, "version, no bit 24");
	wr(&l, LAPIC_SVR, 0x11ff);
	CHECK_EQ(rd(&l, LAPIC_SVR), 0x1ff, "bit 12 not writable");
	x86_lapic_set_directed_eoi(&l, true);
	CHECK_EQ(rd(&l, LAPIC_VERSION), 0x01050014, "version bit 24");
	wr(&l, LAPIC_SVR, 0x11ff);
	CHECK_EQ(rd(&l, LAPIC_SVR), 0x11ff, "bit 12 writable");
	to_x2apic(&l);
	CHECK_EQ(x86_lapic_msr_write(&l, 0x80f, 0x11ff), 0, "x2APIC: no #GP");
	CHECK_EQ(x86_lapic_msr_read(&l, 0x803, &v), 0, "x2APIC version");
	CHECK_EQ(v, 0x01050014, "x2APIC version bit 24");
	x86_lapic_reset(&l, true);
	CHECK_EQ(rd(&l, LAPIC_VERSION) & (1u << 24), 0, "MMIO reads 0 in x2APIC mode");
	CHECK_EQ(raw(&l, LAPIC_VERSION), 0x01050014, "INIT keeps bit 24");
	x86_lapic_set_directed_eoi(&l, false);
	CHECK_EQ(raw(&l, LAPIC_VERSION), 0x00050014, "off again");
	CHECK_EQ(x86_lapic_msr_write(&l, 0x80f, 0x11ff), 0, "no #GP when off");
	CHECK_EQ(rd_msr(&l, 0x80f), 0x1ff, "but bit 12 dropped when off");
}

static void test_extint(void)
{
	struct x86_lapic l;
	struct fake f;

	mk(&l, &f, 0);
	CHECK(x86_lapic_accepts_extint(&l), "the BSP's LINT0 ExtINT at reset");
	mk(&l, &f, 1);
	CHECK(!x86_lapic_accepts_extint(&l), "an AP's LINT0 masked at reset");
	enable(&l);
	wr(&l, LAPIC_LVT_LINT0, 0x700);
	CHECK(x86_lapic_accepts_extint(&l), "LINT0 ExtINT");
	wr(&l, LAPIC_LVT_LINT0, 0x10700);
	CHECK(!x86_lapic_accepts_extint(&l), "LINT0 ExtINT masked");
	wr(&l, LAPIC_LVT_LINT0, 0x400);
	CHECK(!x86_lapic_accepts_extint(&l), "LINT0 NMI");
	CHECK_EQ(x86_lapic_lint_nmi(&l, 0), 1, "LINT0 NMI edge");
	CHECK_EQ(x86_lapic_lint_nmi(&l, 1), 0, "LINT1 masked");
	wr(&l, LAPIC_LVT_LINT1, 0x400);
	CHECK_EQ(x86_lapic_lint_nmi(&l, 1), 1, "LINT1 NMI edge");
	CHECK_EQ(x86_lapic_lint_nmi(&l, 2), 0, "no LINT2");
	CHECK_EQ(x86_lapic_lint_nmi(&l, -1), 0, "no LINT-1");
	CHECK(x86_lapic_take_nmi(&l) && x86_lapic_take_nmi(&l), "two NMIs");
	CHECK(!x86_lapic_take_nmi(&l), "no third");
	x86_lapic_set_base(&l, LAPIC_BASE_DEFAULT, false);
	CHECK(x86_lapic_accepts_extint(&l), "hw-disabled: ExtINT");
	CHECK_EQ(x86_lapic_lint_nmi(&l, 1), 1, "hw-disabled: LINT1 NMI");
	CHECK_EQ(x86_lapic_lint_nmi(&l, 0), 0, "hw-disabled: LINT0 no NMI");
}

static void test_base(void)
{
	const u64 B = LAPIC_BASE_DEFAULT, EN = LAPIC_BASE_EN;
	const u64 X = LAPIC_BASE_EXTD;
	struct x86_lapic l;
	struct fake f;
	u64 v;

	mk(&l, &f, 0x17);
	CHECK_EQ(x86_lapic_set_base(&l, B | EN | 1, false), 1, "bit 0 rsvd");
	CHECK_EQ(x86_lapic_set_base(&l, B | EN | 0x200, false), 1, "bit 9");
	CHECK_EQ(x86_lapic_set_base(&l, B | EN | (1ull << 60), true), 1,
		 "bit 60 even for host");
	CHECK_EQ(x86_lapic_set_base(&l, B | X, false), 1, "EXTD without EN");
	CHECK_EQ(l.apic_base, B | EN, "unchanged after #GP");
	CHECK_EQ(x86_lapic_set_base(&l, 0xfec00000ull | EN | LAPIC_BASE_BSP,
				    false), 0, "relocate, BSP");
	CHECK_EQ(l.apic_base, 0xfec00900ull, "relocated");

	/* xAPIC -> x2APIC. */
	enable(&l);
	wr(&l, LAPIC_TPR, 0x30);
	CHECK_EQ(x86_lapic_set_base(&l, B | EN | X, false), 0, "to x2APIC");
	CHECK_EQ(raw(&l, LAPIC_ID), 0x17, "x2APIC ID");
	CHECK_EQ(raw(&l, LAPIC_LDR), 0x10080, "x2APIC LDR");
	CHECK_EQ(x86_lapic_get_tpr(&l), 0x30, "state kept into x2APIC");
	CHECK(x86_lapic_sw_enabled(&l), "still sw enabled");
	CHECK_EQ(x86_lapic_set_base(&l, B | EN, false), 1, "x2APIC->xAPIC");
	CHECK(x86_lapic_x2apic_mode(&l), "still x2APIC");

	/* x2APIC -> disabled -> xAPIC -> x2APIC. */
	x86_lapic_msr_write(&l, 0x832, 0x30);
	x86_lapic_msr_write(&l, 0x838, 100000);
	CHECK_EQ(x86_lapic_set_base(&l, B, false), 0, "x2APIC->disabled");
	CHECK_EQ(f.cancels, 1, "disable stops the timer");
	CHECK(!x86_lapic_hw_enabled(&l), "hw disabled");
	CHECK_EQ(x86_lapic_msr_read(&l, 0x808, &v), 1, "no MSRs");
	CHECK_EQ(x86_lapic_set_base(&l, B | EN | X, false), 1,
		 "disabled->x2APIC");
	CHECK_EQ(x86_lapic_set_base(&l, B | EN, false), 0, "->xAPIC");
	CHECK_EQ(rd(&l, LAPIC_ID), 0x17000000, "xAPIC ID again");
	CHECK_EQ(rd(&l, LAPIC_LDR), 0, "LDR reset");
	CHECK_EQ(rd(&l, LAPIC_DFR), 0xffffffff, "DFR reset");
	CHECK_EQ(rd(&l, LAPIC_TPR), 0, "TPR reset");
	CHECK_EQ(rd(&l, LAPIC_SVR), 0xff, "SVR reset");
	CHECK_EQ(rd(&l, LAPIC_LVT_TIMER), 0x10000, "LVT masked");
	CHECK_EQ(rd(&l, LAPIC_TMICT), 0, "TMICT reset");

	/* xAPIC -> disabled keeps a written ID. */
	wr(&l, LAPIC_ID, 0x42000000);
	x86_lapic_set_base(&l, B, false);
	x86_lapic_set_base(&l, B | EN, false);
	CHECK_EQ(rd(&l, LAPIC_ID), 0x42000000, "ID kept over disable");

	/* The host may do what the guest may not. */
	x86_lapic_set_base(&l, B | EN | X, false);
	x86_lapic_msr_write(&l, 0x830, 0x1234567800000400ull);
	CHECK_EQ(x86_lapic_set_base(&l, B | EN, true), 0, "host x2->xAPIC");
	CHECK_EQ(rd(&l, LAPIC_ID), 0x17000000, "ID back to xAPIC form");
	CHECK_EQ(rd(&l, LAPIC_ICR_HI), 0, "no 32-bit dest left in ICR");
	x86_lapic_set_base(&l, B, true);
	CHECK_EQ(x86_lapic_set_base(&l, B | EN | X, true), 0, "host ->x2");
	CHECK_EQ(raw(&l, LAPIC_ID), 0x17, "host x2APIC ID");
}

/* Any armed host timer must lie in the future: no 0-period loop. */
static void check_timer_sane(struct x86_lapic *l, struct fake *f,
			     const char *what)
{
	unsigned int i, arms = f->arms;

	for (i = 0; i < 4; i++) {
		x86_lapic_timer_expired(l);
		if (f->arms != arms)
			CHECK(f->last_arm > f->now, "%s: re-arm in future",
			      what);
		arms = f->arms;
	}
	x86_lapic_get_tmcct(l);
	x86_lapic_pending_vector(l);
}

static void test_garbage(void)
{
	struct x86_lapic l;
	struct fake f;
	u32 off, msr;
	u64 q;

	mk(&l, &f, 0);
	enable(&l);
	for (off = 0; off < 0x1000; off += 4)
		wr(&l, off, 0xffffffff);
	CHECK(f.nipi <= 1, "at most the ICR write sends");
	CHECK_EQ(rd(&l, LAPIC_TDCR), 0xb, "TDCR garbage -> divide by 1");
	check_timer_sane(&l, &f, "xAPIC garbage");
	for (off = 0; off < 0x1000; off++) {
		q = 0;
		x86_lapic_mmio_read(&l, off, &q, 8);
		x86_lapic_mmio_write(&l, off, &q, 1);
		x86_lapic_mmio_write(&l, off, &q, 8);
	}
	/* A big TMICT with the largest divisor: no overflow. */
	wr(&l, LAPIC_LVT_TIMER, 0x20040);
	wr(&l, LAPIC_TDCR, 0xa);
	wr(&l, LAPIC_TMICT, 0xffffffff);
	CHECK_EQ(f.last_arm, f.now + 0xffffffffull * 128, "max period");
	f.now += 0xffffffffull * 128 * 3 + 5;
	check_timer_sane(&l, &f, "max period");

	mk(&l, &f, 0);
	to_x2apic(&l);
	x86_lapic_msr_write(&l, 0x80f, 0x1ff);
	for (msr = 0x7f0; msr < 0x910; msr++) {
		x86_lapic_msr_write(&l, msr, ~0ull);
		x86_lapic_msr_write(&l, msr, 0xffffffff);
		x86_lapic_msr_read(&l, msr, &q);
	}
	check_timer_sane(&l, &f, "x2APIC garbage");

}

static void test_garbage_loaded(void)
{
	struct x86_lapic l, m;
	struct fake f, fm;
	struct x86_apic_msg msg;
	u32 v;

	/* A page of 0xff loaded by the host. */
	mk(&l, &f, 0);
	memset(l.regs, 0xff, sizeof(l.regs));
	x86_lapic_state_loaded(&l);
	check_timer_sane(&l, &f, "loaded 0xff");
	CHECK_EQ(rd(&l, LAPIC_VERSION), 0x00050014, "version forced");
	msg = fixed(0x80, false);
	msg.dest = 0x12;
	msg.dest_logical = true;
	x86_lapic_match_dest(&l, &msg, NULL);
	x86_lapic_accept(&l, &msg);
	x86_lapic_eoi(&l);
	x86_lapic_ack(&l, 0xff);
	v = 0;
	x86_lapic_mmio_read(&l, LAPIC_TMCCT, &v, 4);
	CHECK(v <= 0xffffffff, "no crash reading TMCCT");

	/* The same with a garbage mode and min_period of 0. */
	mk(&m, &fm, 1);
	m.min_period_ns = 0;
	memset(m.regs, 0xff, sizeof(m.regs));
	memcpy(m.regs + LAPIC_LVT_TIMER, "\x00\x00\x02\x00", 4);
	memcpy(m.regs + LAPIC_TDCR, "\x0b\x00\x00\x00", 4);
	memcpy(m.regs + LAPIC_TMICT, "\x01\x00\x00\x00", 4);
	x86_lapic_state_loaded(&m);
	CHECK_EQ(fm.last_arm, fm.now + 1, "1-tick periodic restored");
	fm.now += 12345;
	check_timer_sane(&m, &fm, "1 ns periodic");
}

static void test_save_restore(void)
{
	struct x86_lapic a, b;
	struct fake fa, fb;
	u64 t0;

	mk(&a, &fa, 2);
	enable(&a);
	x86_lapic_set_tpr(&a, 0x20);
	accept_vec(&a, 0x91, true);
	x86_lapic_ack(&a, 0x91);
	accept_vec(&a, 0x35, false);
	t0 = fa.now;
	timer(&a, 0x20044, 0x3, 100000);	/* periodic, /16: 1.6 ms */
	fa.now = t0 + 1600;
	x86_lapic_state_save(&a);
	CHECK_EQ(raw(&a, LAPIC_TMCCT), 99900, "TMCCT saved");

	mk(&b, &fb, 2);
	fb.now = 5000000000ull;
	memcpy(b.regs, a.regs, sizeof(b.regs));
	memset(b.regs + LAPIC_PPR, 0, 4);
	x86_lapic_state_loaded(&b);
	CHECK_EQ(raw(&b, LAPIC_PPR), 0x90, "PPR recomputed");
	CHECK_EQ(fb.arms, 1, "timer resumed");
	CHECK_EQ(fb.last_arm, fb.now + 99900 * 16, "remaining count");
	CHECK_EQ(rd(&b, LAPIC_TMCCT), 99900, "TMCCT continues");
	fb.now += 99900 * 16;
	x86_lapic_timer_expired(&b);
	CHECK(irr(&b, 0x44), "restored timer fires");
	CHECK_EQ(fb.last_arm, fb.now + 1600000, "then full periods");
	CHECK(isr(&b, 0x91) && irr(&b, 0x35), "IRR/ISR restored");
	x86_lapic_eoi(&b);
	CHECK_EQ(fb.neoi, 1, "restored TMR: level EOI");

}

static void test_restore_modes(void)
{
	struct x86_lapic a, b;
	struct fake fa, fb;

	mk(&a, &fa, 2);
	enable(&a);
	timer(&a, 0x20044, 0x3, 100000);
	/* An expired one-shot (TMCCT 0) stays stopped. */
	mk(&b, &fb, 2);
	memcpy(b.regs, a.regs, sizeof(b.regs));
	memcpy(b.regs + LAPIC_LVT_TIMER, "\x44\x00\x00\x00", 4);
	memset(b.regs + LAPIC_TMCCT, 0, 4);
	x86_lapic_state_loaded(&b);
	CHECK_EQ(fb.arms, 0, "expired one-shot not armed");
	/* A periodic count of 0 resumes with a full period. */
	memcpy(b.regs + LAPIC_LVT_TIMER, "\x44\x00\x02\x00", 4);
	x86_lapic_state_loaded(&b);
	CHECK_EQ(fb.last_arm, fb.now + 1600000, "periodic TMCCT 0: full");

	/* TSC-deadline mode: re-armed from the deadline set separately. */
	mk(&b, &fb, 2);
	enable(&b);
	wr(&b, LAPIC_LVT_TIMER, 0x40044);
	x86_lapic_state_loaded(&b);
	CHECK_EQ(fb.arms, 0, "no deadline, no arm");
	fb.tsc = 100;
	x86_lapic_set_tsc_deadline(&b, 600);
	x86_lapic_state_loaded(&b);
	CHECK_EQ(fb.arms, 2, "deadline re-armed");
	CHECK_EQ(fb.last_arm, fb.now + 500, "deadline time");

	/* x2APIC: ID and LDR forced from vcpu_id. */
	mk(&b, &fb, 0x31);
	to_x2apic(&b);
	memset(b.regs + LAPIC_ID, 0x77, 4);
	memset(b.regs + LAPIC_LDR, 0x77, 4);
	x86_lapic_state_loaded(&b);
	CHECK_EQ(raw(&b, LAPIC_ID), 0x31, "x2APIC ID restored");
	CHECK_EQ(raw(&b, LAPIC_LDR), 0x30002, "x2APIC LDR restored");
}

void run_lapic_tests(void)
{
	test_reset();
	test_mmio();
	test_mmio_off();
	test_msr();
	test_ppr();
	test_nesting();
	test_lend();
	test_next_eoi_alone();
	test_accept();
	test_init_sipi();
	test_icr();
	test_icr_x2apic();
	test_match_xapic();
	test_match_x2apic();
	test_oneshot();
	test_oneshot_count();
	test_oneshot_restart();
	test_periodic();
	test_deadline();
	test_svr();
	test_directed_eoi();
	test_extint();
	test_base();
	test_garbage();
	test_garbage_loaded();
	test_save_restore();
	test_restore_modes();
}
