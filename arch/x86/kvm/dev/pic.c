// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 8259A pair of the PC: register logic only (see pic.h).
 *
 * Model choices, where the datasheet leaves room:
 *  - ICW1's LTIM bit is ignored: as on the PIIX, the ELCR alone selects
 *    edge or level per input.  ADI and ICW4's uPM/BUF/M-S bits are ignored
 *    (x86 mode); ICW3 is accepted and ignored, the wiring is fixed.
 *  - The master's IR2 follows the slave's INT output as a level input,
 *    whatever the ELCR says: an edge latch there could drop a second slave
 *    request that arrives while the first is being acknowledged.
 *  - An edge input's IRR bit stays latched when the line falls again
 *    before the INTA; only the acknowledge (or ICW1) clears it.
 *  - A poll read acknowledges like an INTA cycle (automatic EOI included)
 *    on the chip that was read; a master poll that finds IR2 returns 0x82
 *    and leaves the slave to its own poll.
 */
#include "pic.h"

#define PIC_NO_IRQ	8	/* "priority" of an empty register */
#define PIC_CASCADE	2	/* the master's input wired to the slave */

#define ICW1_IC4	0x01
#define ICW1_SNGL	0x02
#define ICW1_SELECT	0x10
#define OCW3_SELECT	0x08
#define OCW3_RIS	0x01
#define OCW3_RR		0x02
#define OCW3_POLL	0x04
#define OCW3_SMM	0x20
#define OCW3_ESMM	0x40
#define ICW4_AEOI	0x02
#define ICW4_SFNM	0x10

#define INIT_STEP_MASK	0x03
#define INIT_SINGLE	0x04
#define INIT_ICW2	1
#define INIT_ICW3	2
#define INIT_ICW4	3

/* Priority (0 = highest, PIC_NO_IRQ = none) of the best bit of @mask. */
static int pic_best_prio(const struct x86_pic_chip *c, u8 mask)
{
	int prio;

	for (prio = 0; prio < 8; prio++) {
		if (mask & (1u << ((prio + c->priority_add) & 7)))
			return prio;
	}
	return PIC_NO_IRQ;
}

static int pic_prio_to_irq(const struct x86_pic_chip *c, int prio)
{
	return (prio + c->priority_add) & 7;
}

/*
 * The IR level (0-7) this chip would present on INT now, or -1: the best
 * unmasked request must beat every in-service level that still blocks.
 * In special mask mode a masked in-service level blocks nothing; in special
 * fully nested mode the master's in-service IR2 does not block the slave.
 */
static int pic_get_irq(const struct x86_pic_chip *c, bool master)
{
	u8 busy = c->isr;
	int prio;

	prio = pic_best_prio(c, c->irr & ~c->imr);
	if (prio == PIC_NO_IRQ)
		return -1;
	if (c->special_mask)
		busy &= ~c->imr;
	if (master && c->special_fully_nested_mode)
		busy &= ~(1u << PIC_CASCADE);
	if (prio < pic_best_prio(c, busy))
		return pic_prio_to_irq(c, prio);
	return -1;
}

/* Recompute the cascade input, the lines[] mirror and the INT output. */
static void pic_update(struct x86_pic *p)
{
	struct x86_pic_chip *m = &p->chip[0];
	u8 bit = 1u << PIC_CASCADE;

	if (pic_get_irq(&p->chip[1], false) >= 0) {
		m->irr |= bit;
		m->last_irr |= bit;
	} else {
		m->irr &= ~bit;
		m->last_irr &= ~bit;
	}
	p->lines[0] = m->last_irr;
	p->lines[1] = p->chip[1].last_irr;
	p->output = pic_get_irq(m, true) >= 0;
}

/* Tell the kernel side which services ended: @ended is a mask of IRs. */
static void pic_notify(struct x86_pic *p, int idx, u8 ended)
{
	int i;

	if (!ended || !p->ops || !p->ops->irq_acked)
		return;
	for (i = 0; i < 8; i++) {
		if (ended & (1u << i))
			p->ops->irq_acked(p, idx * 8 + i);
	}
}

/*
 * Acknowledge IR @irq of chip @c (INTA or poll).  Returns the IR mask
 * whose service already ended (automatic EOI), else 0.
 */
static u8 pic_ack(struct x86_pic_chip *c, int irq)
{
	u8 bit = 1u << irq;

	if (!(c->elcr & bit))
		c->irr &= ~bit;
	if (!c->auto_eoi) {
		c->isr |= bit;
		return 0;
	}
	if (c->rotate_on_auto_eoi)
		c->priority_add = (irq + 1) & 7;
	return bit;
}

int x86_pic_set_irq(struct x86_pic *p, int irq, int level)
{
	struct x86_pic_chip *c;
	bool rising, lvl;
	u8 bit;
	int ret = 1;

	if (irq < 0 || irq > 15)
		return -1;
	if (irq == PIC_CASCADE)
		return 0;
	c = &p->chip[irq >> 3];
	bit = 1u << (irq & 7);
	lvl = c->elcr & bit;
	if (level) {
		rising = !(c->last_irr & bit);
		if (c->imr & bit)
			ret = -1;
		else if ((c->irr & bit) || (!lvl && !rising))
			ret = 0;
		c->last_irr |= bit;
		if (lvl || rising)
			c->irr |= bit;
	} else {
		c->last_irr &= ~bit;
		if (lvl)
			c->irr &= ~bit;
	}
	pic_update(p);
	return ret;
}

bool x86_pic_output(const struct x86_pic *p)
{
	return p->output;
}

int x86_pic_intack(struct x86_pic *p)
{
	struct x86_pic_chip *m = &p->chip[0], *s = &p->chip[1];
	u8 ended_m, ended_s = 0;
	int irq, irq2, vec;

	irq = pic_get_irq(m, true);
	if (irq < 0) {
		/* The request went away before the INTA: spurious IR7. */
		return (u8)(m->irq_base + 7);
	}
	ended_m = pic_ack(m, irq);
	if (irq == PIC_CASCADE) {
		irq2 = pic_get_irq(s, false);
		if (irq2 >= 0) {
			ended_s = pic_ack(s, irq2);
			vec = s->irq_base + irq2;
		} else {
			vec = s->irq_base + 7;
		}
	} else {
		vec = m->irq_base + irq;
	}
	pic_update(p);
	pic_notify(p, 0, ended_m);
	pic_notify(p, 1, ended_s);
	return (u8)vec;
}

/* A poll read of chip @idx: 0x80 | IR, acknowledged; 0 if none. */
static u8 pic_poll_read(struct x86_pic *p, int idx)
{
	struct x86_pic_chip *c = &p->chip[idx];
	int irq = pic_get_irq(c, idx == 0);
	u8 ended;

	c->poll = 0;
	if (irq < 0)
		return 0;
	ended = pic_ack(c, irq);
	pic_update(p);
	pic_notify(p, idx, ended);
	return 0x80 | irq;
}

u8 x86_pic_read(struct x86_pic *p, u16 port)
{
	struct x86_pic_chip *c;
	int idx;

	switch (port) {
	case X86_PIC_MASTER_CMD:
	case X86_PIC_MASTER_DATA:
	case X86_PIC_SLAVE_CMD:
	case X86_PIC_SLAVE_DATA:
		break;
	case X86_PIC_ELCR_MASTER:
	case X86_PIC_ELCR_SLAVE:
		return p->chip[port & 1].elcr;
	default:
		return 0xff;
	}
	idx = port == X86_PIC_SLAVE_CMD || port == X86_PIC_SLAVE_DATA;
	c = &p->chip[idx];
	/* The datasheet: the next RD after a poll command, whatever A0. */
	if (c->poll)
		return pic_poll_read(p, idx);
	if (port & 1)
		return c->imr;
	return c->read_reg_select ? c->isr : c->irr;
}

/*
 * ICW1.  The datasheet: IMR cleared, IR7 lowest priority, special mask
 * mode off, status read set to IRR, edge sense reset (an edge input must
 * go low then high again to request), ICW4 functions zero unless IC4.
 * Our choices beyond it: ISR and the latched edge requests are cleared
 * too (a fresh start; stale requests would come with the old vector base),
 * as are poll and rotate-in-AEOI.  Level inputs keep following their line.
 * Returns the ISR bits cleared.
 */
static u8 pic_icw1(struct x86_pic_chip *c, u8 val)
{
	u8 ended = c->isr;

	c->imr = 0;
	c->isr = 0;
	c->irr &= c->elcr;
	c->last_irr &= c->elcr;
	c->priority_add = 0;
	c->read_reg_select = 0;
	c->special_mask = 0;
	c->poll = 0;
	c->auto_eoi = 0;
	c->rotate_on_auto_eoi = 0;
	c->special_fully_nested_mode = 0;
	c->init4 = val & ICW1_IC4;
	c->init_state = INIT_ICW2 | ((val & ICW1_SNGL) ? INIT_SINGLE : 0);
	return ended;
}

/* The highest-priority ISR bit a non-specific EOI ends, or -1. */
static int pic_eoi_target(const struct x86_pic_chip *c)
{
	u8 cand = c->isr;
	int prio;

	/* Special mask mode: a masked in-service level is not ended. */
	if (c->special_mask)
		cand &= ~c->imr;
	prio = pic_best_prio(c, cand);
	return prio == PIC_NO_IRQ ? -1 : pic_prio_to_irq(c, prio);
}

/* OCW2 (R, SL, EOI in bits 7:5, level in 2:0).  Returns ISR bits ended. */
static u8 pic_ocw2(struct x86_pic_chip *c, u8 val)
{
	int irq = val & 7;
	u8 ended = 0;

	switch (val >> 5) {
	case 0:			/* clear rotate in automatic EOI mode */
	case 4:			/* set rotate in automatic EOI mode */
		c->rotate_on_auto_eoi = val >> 7;
		break;
	case 1:			/* non-specific EOI */
	case 5:			/* rotate on non-specific EOI */
		irq = pic_eoi_target(c);
		if (irq < 0)
			break;
		ended = c->isr & (1u << irq);
		c->isr &= ~ended;
		if (val & 0x80)
			c->priority_add = (irq + 1) & 7;
		break;
	case 3:			/* specific EOI */
	case 7:			/* rotate on specific EOI */
		ended = c->isr & (1u << irq);
		c->isr &= ~ended;
		if (val & 0x80)
			c->priority_add = (irq + 1) & 7;
		break;
	case 6:			/* set priority: IR irq becomes lowest */
		c->priority_add = (irq + 1) & 7;
		break;
	default:		/* 2: no operation */
		break;
	}
	return ended;
}

/* OCW3: register select, poll command, special mask mode. */
static void pic_ocw3(struct x86_pic_chip *c, u8 val)
{
	if (val & OCW3_POLL)
		c->poll = 1;
	if (val & OCW3_RR)
		c->read_reg_select = val & OCW3_RIS;
	if (val & OCW3_ESMM)
		c->special_mask = !!(val & OCW3_SMM);
}

static u8 pic_write_cmd(struct x86_pic_chip *c, u8 val)
{
	if (val & ICW1_SELECT)
		return pic_icw1(c, val);
	if (val & OCW3_SELECT) {
		pic_ocw3(c, val);
		return 0;
	}
	return pic_ocw2(c, val);
}

/* ICW2-4 during initialisation, OCW1 (IMR) afterwards. */
static void pic_write_data(struct x86_pic_chip *c, u8 val)
{
	bool single = c->init_state & INIT_SINGLE;

	switch (c->init_state & INIT_STEP_MASK) {
	case INIT_ICW2:
		/* x86 mode: bits 2:0 of the vector are the IR level. */
		c->irq_base = val & 0xf8;
		if (!single)
			c->init_state = INIT_ICW3;
		else
			c->init_state = c->init4 ? INIT_ICW4 : 0;
		break;
	case INIT_ICW3:
		c->init_state = c->init4 ? INIT_ICW4 : 0;
		break;
	case INIT_ICW4:
		c->auto_eoi = !!(val & ICW4_AEOI);
		c->special_fully_nested_mode = !!(val & ICW4_SFNM);
		c->init_state = 0;
		break;
	default:
		c->imr = val;
		break;
	}
}

/* ELCR write: level inputs' IRR follows their line from now on. */
static void pic_write_elcr(struct x86_pic_chip *c, u8 val)
{
	c->elcr = val & c->elcr_mask;
	c->irr = (c->irr & ~c->elcr) | (c->last_irr & c->elcr);
}

void x86_pic_write(struct x86_pic *p, u16 port, u8 val)
{
	u8 ended = 0;
	int idx;

	switch (port) {
	case X86_PIC_MASTER_CMD:
	case X86_PIC_SLAVE_CMD:
		idx = port == X86_PIC_SLAVE_CMD;
		ended = pic_write_cmd(&p->chip[idx], val);
		break;
	case X86_PIC_MASTER_DATA:
	case X86_PIC_SLAVE_DATA:
		idx = port == X86_PIC_SLAVE_DATA;
		pic_write_data(&p->chip[idx], val);
		break;
	case X86_PIC_ELCR_MASTER:
	case X86_PIC_ELCR_SLAVE:
		idx = port & 1;
		pic_write_elcr(&p->chip[idx], val);
		break;
	default:
		return;
	}
	pic_update(p);
	pic_notify(p, idx, ended);
}

void x86_pic_reset(struct x86_pic *p)
{
	memset(p->chip, 0, sizeof(p->chip));
	p->chip[0].elcr_mask = 0xf8;
	p->chip[1].elcr_mask = 0xde;
	pic_update(p);
}

void x86_pic_state_loaded(struct x86_pic *p)
{
	pic_update(p);
}
