// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the 8259A pair model (arch/x86/kvm/dev/pic.c).
 */
#include "check.h"
#include "pic.h"

#define MBASE	0x20
#define SBASE	0x28

/* Records the irq_acked() calls, reached through p->opaque. */
struct acks {
	int n;
	int irq[64];
};

static void rec_acked(struct x86_pic *p, int irq)
{
	struct acks *a = p->opaque;

	if (a->n < 64)
		a->irq[a->n] = irq;
	a->n++;
}

static const struct x86_pic_ops rec_ops = { .irq_acked = rec_acked };

/* Reset, then the PC-style init of both chips with ICW4 = @icw4. */
static void setup(struct x86_pic *p, struct acks *a, u8 icw4)
{
	memset(p, 0, sizeof(*p));
	memset(a, 0, sizeof(*a));
	p->ops = &rec_ops;
	p->opaque = a;
	x86_pic_reset(p);
	x86_pic_write(p, 0x20, 0x11);
	x86_pic_write(p, 0x21, MBASE);
	x86_pic_write(p, 0x21, 0x04);
	x86_pic_write(p, 0x21, icw4);
	x86_pic_write(p, 0xa0, 0x11);
	x86_pic_write(p, 0xa1, SBASE);
	x86_pic_write(p, 0xa1, 0x02);
	x86_pic_write(p, 0xa1, icw4);
}

static void test_reset(void)
{
	struct x86_pic p;

	memset(&p, 0x5a, sizeof(p));
	p.ops = NULL;
	x86_pic_reset(&p);
	CHECK_EQ(p.chip[0].elcr_mask, 0xf8, "master elcr_mask");
	CHECK_EQ(p.chip[1].elcr_mask, 0xde, "slave elcr_mask");
	CHECK_EQ(p.chip[0].elcr | p.chip[1].elcr, 0, "elcr");
	CHECK_EQ(p.chip[0].isr | p.chip[0].irr | p.chip[1].irr, 0, "regs");
	CHECK(!x86_pic_output(&p), "output after reset");
	CHECK(p.opaque == (void *)0x5a5a5a5a5a5a5a5aull, "opaque kept");
	CHECK_EQ(x86_pic_intack(&p), 7, "spurious with base 0");
}

static void test_init_sequence(void)
{
	struct x86_pic p;
	struct acks a;
	struct x86_pic_chip *m = &p.chip[0];

	setup(&p, &a, 0x01);
	CHECK_EQ(m->irq_base, MBASE, "master base");
	CHECK_EQ(p.chip[1].irq_base, SBASE, "slave base");
	CHECK_EQ(m->init_state, 0, "init done");
	CHECK_EQ(m->init4, 1, "init4");
	CHECK_EQ(m->auto_eoi, 0, "no aeoi");

	/* ICW1 resets IMR, ISR, priority, SMM, status read to IRR. */
	x86_pic_write(&p, 0x21, 0xff);
	x86_pic_write(&p, 0x20, 0x0b);	/* read ISR */
	x86_pic_write(&p, 0x20, 0x68);	/* SMM on */
	x86_pic_write(&p, 0x20, 0xc3);	/* priority_add 4 */
	m->isr = 0x10;
	x86_pic_write(&p, 0x20, 0x11);
	CHECK_EQ(m->init_state, 1, "ICW2 next");
	CHECK_EQ(m->imr, 0, "imr cleared");
	CHECK_EQ(m->isr, 0, "isr cleared");
	CHECK_EQ(m->priority_add, 0, "IR7 lowest");
	CHECK_EQ(m->special_mask, 0, "smm off");
	CHECK_EQ(m->read_reg_select, 0, "IRR read");
	CHECK_EQ(a.n, 1, "ICW1 ended a service");
	CHECK_EQ(a.irq[0], 4, "ended irq 4");
	x86_pic_write(&p, 0x21, 0x0f);	/* low bits dropped */
	CHECK_EQ(m->irq_base, 0x08, "ICW2 base");
	CHECK_EQ(m->init_state, 2, "ICW3 next");
	x86_pic_write(&p, 0x21, 0x04);
	CHECK_EQ(m->init_state, 3, "ICW4 next");
	x86_pic_write(&p, 0x21, 0x13);	/* uPM, AEOI, SFNM */
	CHECK_EQ(m->init_state, 0, "done");
	CHECK_EQ(m->auto_eoi, 1, "aeoi");
	CHECK_EQ(m->special_fully_nested_mode, 1, "sfnm");
	CHECK_EQ(m->imr, 0, "imr untouched by ICWs");
	x86_pic_write(&p, 0x21, 0x5a);
	CHECK_EQ(m->imr, 0x5a, "OCW1");
	CHECK_EQ(x86_pic_read(&p, 0x21), 0x5a, "imr read");

	/* Single mode without ICW4: ICW2 only, then OCW1. */
	x86_pic_write(&p, 0x20, 0x12);
	CHECK_EQ(m->auto_eoi, 0, "ICW4 functions zeroed");
	CHECK_EQ(m->init4, 0, "no init4");
	x86_pic_write(&p, 0x21, 0x40);
	CHECK_EQ(m->init_state, 0, "single, no ICW4: done");
	x86_pic_write(&p, 0x21, 0x33);
	CHECK_EQ(m->imr, 0x33, "OCW1 after single init");
	CHECK_EQ(m->irq_base, 0x40, "base");

	/* ICW1 resets the edge detector: a line held high requests again. */
	x86_pic_write(&p, 0x21, 0x00);
	x86_pic_set_irq(&p, 6, 1);
	x86_pic_intack(&p);
	CHECK_EQ(x86_pic_set_irq(&p, 6, 1), 0, "no edge");
	x86_pic_write(&p, 0x20, 0x10);
	x86_pic_write(&p, 0x21, 0x40);
	x86_pic_write(&p, 0x21, 0x04);
	CHECK_EQ(x86_pic_set_irq(&p, 6, 1), 1, "edge after ICW1");

	/* Single mode with ICW4: no ICW3. */
	x86_pic_write(&p, 0x20, 0x13);
	x86_pic_write(&p, 0x21, 0x50);
	CHECK_EQ(m->init_state, 3, "single: ICW4 next");
	x86_pic_write(&p, 0x21, 0x03);
	CHECK_EQ(m->auto_eoi, 1, "ICW4 taken");
	CHECK_EQ(m->imr, 0, "not taken as OCW1");
}

static void test_edge(void)
{
	struct x86_pic p;
	struct acks a;

	setup(&p, &a, 0x01);
	CHECK_EQ(x86_pic_set_irq(&p, 1, 1), 1, "rising edge");
	CHECK(x86_pic_output(&p), "INT raised");
	CHECK_EQ(x86_pic_set_irq(&p, 1, 1), 0, "still pending");
	CHECK_EQ(x86_pic_intack(&p), MBASE + 1, "vector");
	CHECK_EQ(p.chip[0].isr, 0x02, "in service");
	CHECK_EQ(p.chip[0].irr & 0x02, 0, "edge irr cleared");
	CHECK(!x86_pic_output(&p), "INT low");
	CHECK_EQ(x86_pic_set_irq(&p, 1, 1), 0, "no edge, no request");
	CHECK_EQ(p.chip[0].irr & 0x02, 0, "no re-latch");
	x86_pic_write(&p, 0x20, 0x20);
	CHECK(!x86_pic_output(&p), "nothing after EOI");
	CHECK_EQ(a.n, 1, "one ack");
	CHECK_EQ(a.irq[0], 1, "irq 1 acked");
	CHECK_EQ(x86_pic_set_irq(&p, 1, 0), 1, "falling");
	CHECK_EQ(x86_pic_set_irq(&p, 1, 1), 1, "new edge");
	CHECK(x86_pic_output(&p), "INT again");
	/* An edge request survives the line falling before INTA. */
	CHECK_EQ(x86_pic_set_irq(&p, 1, 0), 1, "falling");
	CHECK_EQ(x86_pic_intack(&p), MBASE + 1, "latched request");

	CHECK_EQ(x86_pic_set_irq(&p, 16, 1), -1, "irq 16");
	CHECK_EQ(x86_pic_set_irq(&p, -1, 1), -1, "irq -1");
	CHECK_EQ(x86_pic_set_irq(&p, 2, 1), 0, "cascade input");
	CHECK_EQ(p.chip[0].irr & 0x04, 0, "irq 2 not latched");
}

static void test_level(void)
{
	struct x86_pic p;
	struct acks a;

	setup(&p, &a, 0x01);
	x86_pic_write(&p, 0x4d0, 0x08);
	CHECK_EQ(x86_pic_set_irq(&p, 3, 1), 1, "level assert");
	CHECK_EQ(x86_pic_set_irq(&p, 3, 1), 0, "level coalesced");
	CHECK_EQ(x86_pic_intack(&p), MBASE + 3, "vector");
	CHECK_EQ(p.chip[0].irr & 0x08, 0x08, "level irr stays");
	CHECK(!x86_pic_output(&p), "blocked by its ISR");
	x86_pic_write(&p, 0x20, 0x20);
	CHECK(x86_pic_output(&p), "re-requests after EOI");
	CHECK_EQ(x86_pic_set_irq(&p, 3, 0), 1, "deassert");
	CHECK_EQ(p.chip[0].irr & 0x08, 0, "irr follows line");
	CHECK(!x86_pic_output(&p), "INT low");
	CHECK_EQ(x86_pic_intack(&p), MBASE + 7, "spurious");
	CHECK_EQ(p.chip[0].isr, 0, "spurious sets no ISR");

	/* Switching to level makes IRR follow the current line. */
	x86_pic_write(&p, 0x4d0, 0x00);
	x86_pic_set_irq(&p, 5, 1);
	x86_pic_set_irq(&p, 5, 0);
	CHECK_EQ(p.chip[0].irr & 0x20, 0x20, "edge latched");
	x86_pic_write(&p, 0x4d0, 0x20);
	CHECK_EQ(p.chip[0].irr & 0x20, 0, "level: line is low");
	/* Slave level input through the cascade. */
	x86_pic_write(&p, 0x4d1, 0x08);
	CHECK_EQ(x86_pic_set_irq(&p, 11, 1), 1, "slave level");
	CHECK_EQ(x86_pic_intack(&p), SBASE + 3, "vector 11");
	x86_pic_write(&p, 0xa0, 0x20);
	x86_pic_write(&p, 0x20, 0x20);
	CHECK(x86_pic_output(&p), "still asserted");
	x86_pic_set_irq(&p, 11, 0);
	CHECK(!x86_pic_output(&p), "dropped");
}

static void test_mask(void)
{
	struct x86_pic p;
	struct acks a;

	setup(&p, &a, 0x01);
	x86_pic_write(&p, 0x21, 0x02);
	CHECK_EQ(x86_pic_set_irq(&p, 1, 1), -1, "masked");
	CHECK(!x86_pic_output(&p), "masked: no INT");
	CHECK_EQ(p.chip[0].irr, 0x02, "irr still latched");
	x86_pic_write(&p, 0x21, 0x00);
	CHECK(x86_pic_output(&p), "unmasked");
	CHECK_EQ(x86_pic_intack(&p), MBASE + 1, "delivered late");
	/* Masking the cascade masks the slave. */
	x86_pic_write(&p, 0x21, 0x04);
	CHECK_EQ(x86_pic_set_irq(&p, 12, 1), 1, "slave not masked");
	CHECK(!x86_pic_output(&p), "IR2 masked");
	x86_pic_write(&p, 0xa1, 0x10);
	CHECK_EQ(x86_pic_set_irq(&p, 12, 0), 1, "deassert");
	CHECK_EQ(x86_pic_set_irq(&p, 12, 1), -1, "slave masked");
}

static void test_priority_eoi(void)
{
	struct x86_pic p;
	struct acks a;

	setup(&p, &a, 0x01);
	x86_pic_set_irq(&p, 3, 1);
	x86_pic_set_irq(&p, 1, 1);
	CHECK_EQ(x86_pic_intack(&p), MBASE + 1, "1 beats 3");
	CHECK(!x86_pic_output(&p), "3 below in-service 1");
	x86_pic_set_irq(&p, 0, 1);
	CHECK(x86_pic_output(&p), "0 nests over 1");
	CHECK_EQ(x86_pic_intack(&p), MBASE + 0, "vector 0");
	CHECK_EQ(p.chip[0].isr, 0x03, "two in service");
	x86_pic_write(&p, 0x20, 0x20);
	CHECK_EQ(p.chip[0].isr, 0x02, "EOI ended the highest");
	CHECK(!x86_pic_output(&p), "1 still blocks 3");
	/* Specific EOI of a level not in service changes nothing. */
	x86_pic_write(&p, 0x20, 0x65);
	CHECK_EQ(p.chip[0].isr, 0x02, "specific EOI 5");
	x86_pic_write(&p, 0x20, 0x61);
	CHECK_EQ(p.chip[0].isr, 0, "specific EOI 1");
	CHECK_EQ(a.n, 2, "two acks");
	CHECK_EQ(a.irq[0], 0, "first 0");
	CHECK_EQ(a.irq[1], 1, "then 1");
	CHECK(x86_pic_output(&p), "3 now");
	CHECK_EQ(x86_pic_intack(&p), MBASE + 3, "vector 3");
	x86_pic_write(&p, 0x20, 0x20);
	x86_pic_write(&p, 0x20, 0x20);
	CHECK_EQ(a.n, 3, "EOI with nothing in service: no ack");
	x86_pic_write(&p, 0x20, 0x40);	/* OCW2 no-op */
	CHECK_EQ(p.chip[0].priority_add, 0, "no-op");
}

static void test_rotation(void)
{
	struct x86_pic p;
	struct acks a;
	struct x86_pic_chip *m = &p.chip[0];

	setup(&p, &a, 0x01);
	x86_pic_set_irq(&p, 1, 1);
	x86_pic_intack(&p);
	x86_pic_write(&p, 0x20, 0xa0);	/* rotate on non-specific EOI */
	CHECK_EQ(m->priority_add, 2, "1 is now lowest");
	CHECK_EQ(m->isr, 0, "and ended");
	x86_pic_set_irq(&p, 1, 0);
	x86_pic_set_irq(&p, 1, 1);
	x86_pic_set_irq(&p, 4, 1);
	CHECK_EQ(x86_pic_intack(&p), MBASE + 4, "4 beats 1 now");
	x86_pic_write(&p, 0x20, 0x20);
	CHECK_EQ(x86_pic_intack(&p), MBASE + 1, "then 1");
	x86_pic_write(&p, 0x20, 0x20);

	x86_pic_write(&p, 0x20, 0xc4);	/* set priority: 4 lowest */
	CHECK_EQ(m->priority_add, 5, "set priority");
	x86_pic_set_irq(&p, 4, 0);
	x86_pic_set_irq(&p, 4, 1);
	x86_pic_set_irq(&p, 6, 1);
	x86_pic_set_irq(&p, 3, 1);
	CHECK_EQ(x86_pic_intack(&p), MBASE + 6, "6 highest");
	CHECK(!x86_pic_output(&p), "3 and 4 below 6");
	x86_pic_write(&p, 0x20, 0xe6);	/* rotate on specific EOI 6 */
	CHECK_EQ(m->priority_add, 7, "6 lowest");
	CHECK_EQ(m->isr, 0, "6 ended");
	CHECK_EQ(x86_pic_intack(&p), MBASE + 3, "3 before 4");
	/* Rotation with garbage priority_add stays in range. */
	m->priority_add = 0xfd;
	x86_pic_write(&p, 0x20, 0x20);
	CHECK_EQ(x86_pic_intack(&p), MBASE + 4, "base 5 of 0xfd");
}

static void test_aeoi(void)
{
	struct x86_pic p;
	struct acks a;
	struct x86_pic_chip *m = &p.chip[0];

	setup(&p, &a, 0x03);
	x86_pic_set_irq(&p, 0, 1);
	CHECK_EQ(x86_pic_intack(&p), MBASE, "vector 0");
	CHECK_EQ(m->isr, 0, "AEOI: no ISR");
	CHECK_EQ(a.n, 1, "acked at INTA");
	CHECK_EQ(a.irq[0], 0, "irq 0");
	CHECK_EQ(m->priority_add, 0, "no rotation");
	x86_pic_write(&p, 0x20, 0x80);	/* rotate in AEOI on */
	CHECK_EQ(m->rotate_on_auto_eoi, 1, "rotate set");
	x86_pic_set_irq(&p, 5, 1);
	CHECK_EQ(x86_pic_intack(&p), MBASE + 5, "vector 5");
	CHECK_EQ(m->priority_add, 6, "rotated: 5 lowest");
	x86_pic_write(&p, 0x20, 0x00);
	CHECK_EQ(m->rotate_on_auto_eoi, 0, "rotate cleared");
	/* Slave in AEOI: ack reported as irq 8-15. */
	x86_pic_set_irq(&p, 14, 1);
	CHECK_EQ(x86_pic_intack(&p), SBASE + 6, "vector 14");
	CHECK_EQ(a.n, 4, "both chips acked");
	CHECK_EQ(a.irq[2], 2, "cascade");
	CHECK_EQ(a.irq[3], 14, "irq 14");
}

static void test_cascade(void)
{
	struct x86_pic p;
	struct acks a;

	setup(&p, &a, 0x01);
	CHECK_EQ(x86_pic_set_irq(&p, 9, 1), 1, "slave request");
	CHECK(x86_pic_output(&p), "through master");
	CHECK_EQ(p.chip[0].irr & 0x04, 0x04, "IR2 requests");
	x86_pic_set_irq(&p, 10, 1);
	CHECK_EQ(x86_pic_intack(&p), SBASE + 1, "vector of irq 9");
	CHECK_EQ(p.chip[0].isr, 0x04, "master IR2 in service");
	CHECK_EQ(p.chip[1].isr, 0x02, "slave IR1 in service");
	CHECK(!x86_pic_output(&p), "10 waits");
	x86_pic_write(&p, 0xa0, 0x20);
	CHECK(!x86_pic_output(&p), "master IR2 still in service");
	x86_pic_write(&p, 0x20, 0x20);
	CHECK(x86_pic_output(&p), "10 now");
	CHECK_EQ(a.n, 2, "two acks");
	CHECK_EQ(a.irq[0], 9, "slave irq numbered 9");
	CHECK_EQ(a.irq[1], 2, "master cascade");
	CHECK_EQ(x86_pic_intack(&p), SBASE + 2, "vector of irq 10");
	/* A master input below IR2 waits, one above nests. */
	x86_pic_set_irq(&p, 5, 1);
	CHECK(!x86_pic_output(&p), "5 below IR2");
	x86_pic_set_irq(&p, 1, 1);
	CHECK_EQ(x86_pic_intack(&p), MBASE + 1, "1 nests");
	/* The request vanished between INT and INTA: slave spurious. */
	x86_pic_write(&p, 0x20, 0x20);
	x86_pic_write(&p, 0x20, 0x20);
	x86_pic_write(&p, 0xa0, 0x20);
	CHECK_EQ(x86_pic_intack(&p), MBASE + 5, "5 at last");
	x86_pic_write(&p, 0x20, 0x20);
	p.chip[0].irr |= 0x04;
	CHECK_EQ(x86_pic_intack(&p), SBASE + 7, "slave spurious");
	CHECK_EQ(p.chip[1].isr, 0, "slave ISR untouched");
}

static void test_sfnm(void)
{
	struct x86_pic p;
	struct acks a;

	setup(&p, &a, 0x01);
	x86_pic_set_irq(&p, 12, 1);
	CHECK_EQ(x86_pic_intack(&p), SBASE + 4, "irq 12");
	x86_pic_set_irq(&p, 8, 1);
	CHECK(!x86_pic_output(&p), "fully nested: IR2 blocks");
	setup(&p, &a, 0x11);
	x86_pic_set_irq(&p, 12, 1);
	CHECK_EQ(x86_pic_intack(&p), SBASE + 4, "irq 12");
	x86_pic_set_irq(&p, 13, 1);
	CHECK(!x86_pic_output(&p), "SFNM: lower slave irq waits");
	x86_pic_set_irq(&p, 8, 1);
	CHECK(x86_pic_output(&p), "SFNM: higher slave irq nests");
	CHECK_EQ(x86_pic_intack(&p), SBASE + 0, "irq 8");
	CHECK_EQ(p.chip[1].isr, 0x11, "both in service on the slave");
}

static void test_poll(void)
{
	struct x86_pic p;
	struct acks a;

	setup(&p, &a, 0x01);
	x86_pic_write(&p, 0x20, 0x0c);
	CHECK_EQ(x86_pic_read(&p, 0x20), 0, "poll: nothing");
	CHECK_EQ(p.chip[0].poll, 0, "poll consumed");
	x86_pic_set_irq(&p, 6, 1);
	x86_pic_write(&p, 0x20, 0x0c);
	CHECK_EQ(x86_pic_read(&p, 0x21), 0x86, "poll via data port");
	CHECK_EQ(p.chip[0].isr, 0x40, "poll acknowledged");
	CHECK(!x86_pic_output(&p), "nothing left");
	CHECK_EQ(x86_pic_read(&p, 0x21), 0, "imr read again");
	/* Slave poll. */
	x86_pic_set_irq(&p, 15, 1);
	x86_pic_write(&p, 0xa0, 0x0c);
	CHECK_EQ(x86_pic_read(&p, 0xa0), 0x87, "slave poll");
	CHECK_EQ(p.chip[1].isr, 0x80, "slave ISR");
	CHECK_EQ(p.chip[0].isr & 0x04, 0, "master not touched");
	x86_pic_write(&p, 0x20, 0x20);
	/* Master poll finding the cascade. */
	x86_pic_write(&p, 0xa0, 0x20);
	x86_pic_set_irq(&p, 15, 0);
	x86_pic_set_irq(&p, 15, 1);
	x86_pic_write(&p, 0x20, 0x0c);
	CHECK_EQ(x86_pic_read(&p, 0x20), 0x82, "master poll: IR2");
}

static void test_special_mask(void)
{
	struct x86_pic p;
	struct acks a;

	setup(&p, &a, 0x01);
	x86_pic_set_irq(&p, 1, 1);
	CHECK_EQ(x86_pic_intack(&p), MBASE + 1, "1 in service");
	x86_pic_write(&p, 0x21, 0x02);
	x86_pic_set_irq(&p, 3, 1);
	CHECK(!x86_pic_output(&p), "normal mode: 1 blocks 3");
	x86_pic_write(&p, 0x20, 0x68);
	CHECK_EQ(p.chip[0].special_mask, 1, "SMM on");
	CHECK(x86_pic_output(&p), "SMM: lower level enabled");
	CHECK_EQ(x86_pic_intack(&p), MBASE + 3, "vector 3");
	CHECK_EQ(p.chip[0].isr, 0x0a, "1 and 3");
	/* Non-specific EOI skips the masked in-service 1. */
	x86_pic_write(&p, 0x20, 0x20);
	CHECK_EQ(p.chip[0].isr, 0x02, "3 ended, 1 kept");
	x86_pic_write(&p, 0x20, 0x28);	/* ESMM clear: no change */
	CHECK_EQ(p.chip[0].special_mask, 1, "no ESMM, no change");
	x86_pic_write(&p, 0x20, 0x48);
	CHECK_EQ(p.chip[0].special_mask, 0, "SMM off");
	x86_pic_write(&p, 0x20, 0x20);
	CHECK_EQ(p.chip[0].isr, 0, "1 ended");
}

static void test_ocw3_reads(void)
{
	struct x86_pic p;
	struct acks a;

	setup(&p, &a, 0x01);
	x86_pic_set_irq(&p, 4, 1);
	x86_pic_set_irq(&p, 7, 1);
	CHECK_EQ(x86_pic_read(&p, 0x20), 0x90, "IRR by default");
	x86_pic_intack(&p);
	x86_pic_write(&p, 0x20, 0x0b);
	CHECK_EQ(x86_pic_read(&p, 0x20), 0x10, "ISR");
	x86_pic_write(&p, 0x20, 0x08);
	CHECK_EQ(x86_pic_read(&p, 0x20), 0x10, "RR=0 keeps ISR");
	x86_pic_write(&p, 0x20, 0x0a);
	CHECK_EQ(x86_pic_read(&p, 0x20), 0x80, "IRR");
	CHECK_EQ(x86_pic_read(&p, 0xa0), 0, "slave IRR");
}

static void test_elcr(void)
{
	struct x86_pic p;
	struct acks a;

	setup(&p, &a, 0x01);
	x86_pic_write(&p, 0x4d0, 0xff);
	x86_pic_write(&p, 0x4d1, 0xff);
	CHECK_EQ(x86_pic_read(&p, 0x4d0), 0xf8, "master elcr");
	CHECK_EQ(x86_pic_read(&p, 0x4d1), 0xde, "slave elcr");
	/* IRQ 0 stays edge: no re-request without a new edge. */
	x86_pic_set_irq(&p, 0, 1);
	x86_pic_intack(&p);
	x86_pic_write(&p, 0x20, 0x20);
	CHECK(!x86_pic_output(&p), "irq 0 edge");
	/* IRQ 13 edge, IRQ 9 level. */
	x86_pic_set_irq(&p, 13, 1);
	CHECK_EQ(x86_pic_intack(&p), SBASE + 5, "13");
	x86_pic_write(&p, 0xa0, 0x20);
	x86_pic_write(&p, 0x20, 0x20);
	CHECK(!x86_pic_output(&p), "irq 13 edge");
	x86_pic_set_irq(&p, 9, 1);
	CHECK_EQ(x86_pic_intack(&p), SBASE + 1, "9");
	x86_pic_write(&p, 0xa0, 0x20);
	x86_pic_write(&p, 0x20, 0x20);
	CHECK(x86_pic_output(&p), "irq 9 level");
}

static void test_garbage_ports(void)
{
	struct x86_pic p, ref;
	struct acks a;
	unsigned int port;
	int bad_read = 0, changed = 0;

	setup(&p, &a, 0x01);
	x86_pic_set_irq(&p, 3, 1);
	ref = p;
	for (port = 0; port < 0x10000; port++) {
		if (port == 0x20 || port == 0x21 || port == 0xa0 ||
		    port == 0xa1 || port == 0x4d0 || port == 0x4d1)
			continue;
		x86_pic_write(&p, port, 0xff);
		x86_pic_write(&p, port, 0x11);
		if (x86_pic_read(&p, port) != 0xff)
			bad_read++;
	}
	changed = memcmp(&p, &ref, sizeof(p)) != 0;
	CHECK_EQ(bad_read, 0, "other ports read 0xff");
	CHECK_EQ(changed, 0, "other ports ignored");
}

static u32 rng_state;

static u32 rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* Random registers and operations: no crash, invariants hold. */
static void test_fuzz(void)
{
	static const u16 ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 };
	struct x86_pic p;
	struct acks a;
	int i, bad = 0, vec;
	bool was;
	u8 r;

	rng_state = 1;
	setup(&p, &a, 0x01);
	for (i = 0; i < 200000; i++) {
		r = rng();
		if (i % 5000 == 0) {
			u8 *raw = (u8 *)p.chip;
			unsigned int j;

			for (j = 0; j < sizeof(p.chip); j++)
				raw[j] = rng();
			x86_pic_state_loaded(&p);
		}
		switch (rng() % 4) {
		case 0:
			x86_pic_write(&p, ports[r % 6], rng());
			break;
		case 1:
			x86_pic_read(&p, ports[r % 6]);
			break;
		case 2:
			x86_pic_set_irq(&p, (int)(rng() % 20) - 2, r & 1);
			break;
		default:
			was = x86_pic_output(&p);
			vec = x86_pic_intack(&p);
			/* Nothing raised: the master's spurious IR7. */
			if (!was && vec != (u8)(p.chip[0].irq_base + 7))
				bad++;
			break;
		}
		/* INT needs an unmasked request on the master. */
		if (x86_pic_output(&p) && !(p.chip[0].irr & ~p.chip[0].imr))
			bad++;
	}
	CHECK_EQ(bad, 0, "fuzz");
}

static void test_state_roundtrip(void)
{
	struct x86_pic p, q;
	struct acks a;

	setup(&p, &a, 0x01);
	x86_pic_set_irq(&p, 9, 1);
	x86_pic_set_irq(&p, 4, 1);
	memset(&q, 0, sizeof(q));
	memcpy(q.chip, p.chip, sizeof(q.chip));
	x86_pic_state_loaded(&q);
	CHECK(x86_pic_output(&q), "output recomputed");
	CHECK_EQ(x86_pic_intack(&q), SBASE + 1, "same next vector");
	CHECK_EQ(x86_pic_intack(&p), SBASE + 1, "as the original");
	CHECK_EQ(q.lines[1], 0x02, "lines mirror");
}

void run_pic_tests(void)
{
	test_reset();
	test_init_sequence();
	test_edge();
	test_level();
	test_mask();
	test_priority_eoi();
	test_rotation();
	test_aeoi();
	test_cascade();
	test_sfnm();
	test_poll();
	test_special_mask();
	test_ocw3_reads();
	test_elcr();
	test_garbage_ports();
	test_fuzz();
	test_state_roundtrip();
}
