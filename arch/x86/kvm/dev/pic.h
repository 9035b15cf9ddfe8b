/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The register model of the PC's pair of 8259A programmable interrupt
 * controllers: master at ports 0x20/0x21, slave at 0xa0/0xa1 cascaded on
 * the master's IR2, plus the PIIX edge/level control registers (ELCR) at
 * 0x4d0/0x4d1.
 *
 * Freestanding: no locking, no timers, no allocation.  The caller serialises
 * every call on one struct x86_pic.  Built in the kernel and in userspace
 * (tools/testing/irqchip).
 */
#ifndef OKVM_DEV_PIC_H
#define OKVM_DEV_PIC_H

#include "../freestanding.h"

/*
 * One 8259A.  Same fields, same meaning as struct kvm_pic_state in
 * <asm/kvm.h>, so KVM_GET/SET_IRQCHIP copy them one to one:
 *
 * last_irr	level of each input line as last reported (bit set = high);
 *		the edge detector of edge-triggered inputs
 * irr		interrupt request register (latched requests)
 * imr		interrupt mask register (OCW1)
 * isr		in-service register
 * priority_add	the IR level that currently has the highest priority; the
 *		lowest one is (priority_add - 1) & 7.  Only bits 2:0 count.
 * irq_base	ICW2: vector of IR0 (vector = irq_base + IR)
 * read_reg_select  OCW3 RIS: non-zero = reads of the command port give ISR
 * poll		a poll command (OCW3 P) is armed for the next read
 * special_mask	special mask mode (OCW3 SMM)
 * init_state	ICW sequence position, bits 1:0: 0 = initialised (data port
 *		writes are OCW1), 1 = ICW2 next, 2 = ICW3 next, 3 = ICW4 next;
 *		bit 2: ICW1 asked for single mode (no ICW3)
 * auto_eoi	ICW4 AEOI
 * rotate_on_auto_eoi  OCW2 "rotate in automatic EOI mode" is set
 * special_fully_nested_mode  ICW4 SFNM
 * init4	ICW1 IC4: an ICW4 follows
 * elcr		PIIX ELCR: bit set = level-triggered input
 * elcr_mask	the writable ELCR bits
 */
struct x86_pic_chip {
	u8 last_irr;
	u8 irr;
	u8 imr;
	u8 isr;
	u8 priority_add;
	u8 irq_base;
	u8 read_reg_select;
	u8 poll;
	u8 special_mask;
	u8 init_state;
	u8 auto_eoi;
	u8 rotate_on_auto_eoi;
	u8 special_fully_nested_mode;
	u8 init4;
	u8 elcr;
	u8 elcr_mask;
};

struct x86_pic;

struct x86_pic_ops {
	/*
	 * Optional (may be NULL).  The service of ISA irq 0-15 ended: an EOI
	 * (or an ICW1) cleared its ISR bit, or it was acknowledged in
	 * automatic-EOI mode.  Called after the model's state is consistent
	 * again, so it may call back into x86_pic_set_irq().  The master's
	 * IR2 (the cascade) is reported as irq 2 like any other input.
	 */
	void (*irq_acked)(struct x86_pic *p, int irq);
};

struct x86_pic {
	struct x86_pic_chip chip[2];	/* 0 master, 1 slave */
	u8 lines[2];		/* mirror of chip[i].last_irr (input levels) */
	bool output;		/* the master's INT line */
	const struct x86_pic_ops *ops;
	void *opaque;		/* the kernel side's, untouched by the model */
};

#define X86_PIC_MASTER_CMD	0x20
#define X86_PIC_MASTER_DATA	0x21
#define X86_PIC_SLAVE_CMD	0xa0
#define X86_PIC_SLAVE_DATA	0xa1
#define X86_PIC_ELCR_MASTER	0x4d0
#define X86_PIC_ELCR_SLAVE	0x4d1

/* Power-on state; keeps ops and opaque.  ELCR 0, IRQ 0/1/2/8/13 edge only. */
void x86_pic_reset(struct x86_pic *p);

/*
 * Drive ISA input irq (0-15) to level (non-zero = high).  Edge inputs latch
 * IRR on a rising edge only; level inputs (ELCR) follow the line.  IRQ 2 is
 * the cascade, driven internally: ignored, returns 0.  Returns, for an
 * assertion, 1 = newly requested and not masked, 0 = coalesced (already
 * pending, or no rising edge), -1 = masked (IMR); a de-assertion returns 1;
 * an irq out of range returns -1 and changes nothing.
 */
int x86_pic_set_irq(struct x86_pic *p, int irq, int level);

/* Whether the master's INT output to the CPU is raised. */
bool x86_pic_output(const struct x86_pic *p);

/*
 * The CPU's INTA cycle: returns the vector (0-255) of the highest-priority
 * request, through the slave if it is the master's IR2; moves it from IRR
 * to ISR (not in automatic-EOI mode).  With nothing deliverable any more
 * returns the spurious vector IR7 of the chip concerned.
 */
int x86_pic_intack(struct x86_pic *p);

/* Guest port read: 0x20/0x21/0xa0/0xa1/0x4d0/0x4d1, anything else 0xff. */
u8 x86_pic_read(struct x86_pic *p, u16 port);

/* Guest port write: as x86_pic_read; any other port is ignored. */
void x86_pic_write(struct x86_pic *p, u16 port, u8 val);

/*
 * After KVM_SET_IRQCHIP copied chip[] in: recompute the master's IR2 request
 * from the slave, lines[] and output.  Any field values are safe.
 */
void x86_pic_state_loaded(struct x86_pic *p);

#endif /* OKVM_DEV_PIC_H */
