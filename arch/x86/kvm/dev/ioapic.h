/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The register model of an 82093AA-style I/O APIC, version 0x11, 24 pins:
 * IOREGSEL/IOWIN MMIO, the redirection table, edge and level (remote IRR)
 * delivery as x86_apic_msg messages.
 *
 * Freestanding: no locking, no allocation.  The caller serialises every
 * call on one struct x86_ioapic.  Built in the kernel and in userspace
 * (tools/testing/irqchip).
 *
 * Polarity (bit 13) is stored and read back but otherwise ignored, as
 * upstream KVM does: the level passed to x86_ioapic_set_irq() is the
 * logical "asserted" state of the pin, whatever the wire polarity.
 */
#ifndef OKVM_DEV_IOAPIC_H
#define OKVM_DEV_IOAPIC_H

#include "../freestanding.h"
#include "apic_msg.h"

#define X86_IOAPIC_PINS		24
#define X86_IOAPIC_BASE		0xfec00000ull
#define X86_IOAPIC_VERSION	0x11

/* MMIO offsets from base_address. */
#define X86_IOAPIC_IOREGSEL	0x00
#define X86_IOAPIC_IOWIN	0x10

/* Indirect registers (IOREGSEL values). */
#define X86_IOAPIC_REG_ID	0x00
#define X86_IOAPIC_REG_VER	0x01
#define X86_IOAPIC_REG_ARB	0x02
#define X86_IOAPIC_REG_REDIR	0x10	/* + 2n low half, + 2n + 1 high */

/* Redirection entry bits. */
#define X86_IOAPIC_VECTOR	0xffull
#define X86_IOAPIC_DM_SHIFT	8		/* delivery mode, 3 bits */
#define X86_IOAPIC_DEST_LOGICAL	(1ull << 11)
#define X86_IOAPIC_DELIV_STATUS	(1ull << 12)	/* read-only */
#define X86_IOAPIC_POLARITY_LOW	(1ull << 13)
#define X86_IOAPIC_REMOTE_IRR	(1ull << 14)	/* read-only */
#define X86_IOAPIC_LEVEL	(1ull << 15)
#define X86_IOAPIC_MASKED	(1ull << 16)
#define X86_IOAPIC_DEST_SHIFT	56

struct x86_ioapic;

struct x86_ioapic_ops {
	/*
	 * Send @m to the LAPICs.  Returns how many accepted it (0 = none).
	 * Must not call x86_ioapic_eoi() on the same IOAPIC synchronously.
	 */
	int (*deliver)(struct x86_ioapic *io, const struct x86_apic_msg *m);
	/*
	 * Optional.  An EOI of pin @pin's vector reached the IOAPIC, with the
	 * pin's trigger mode; @src is x86_ioapic_eoi()'s.  Called before a
	 * level pin's remote IRR is cleared and its still-asserted line
	 * re-sent.  It may set @pin's line with x86_ioapic_set_irq() (the pin
	 * is still in service there: remote IRR set, or an edge already
	 * high, so nothing is sent), nothing else of this IOAPIC.
	 */
	void (*pin_eoi)(struct x86_ioapic *io, int pin, const void *src);
};

/*
 * The first five fields are those of struct kvm_ioapic_state:
 * base_address	guest-physical MMIO base (the model never uses it; the
 *		kernel side decodes the address and passes offsets)
 * ioregsel	IOREGSEL (bits 7:0 select the register; guest writes keep
 *		only those)
 * id		the 4-bit IOAPIC ID (register 0 bits 27:24)
 * irr		bit n = pin n's input is asserted now (the line level;
 *		both edge and level pins)
 * redir	the redirection table
 * lines	mirror of irr, kept equal by the model
 * irr_delivered  edge pins whose message went out since their last rising
 *		edge (or another source's assertion): KVM reports them without
 *		their irr bit, see x86_ioapic_visible_irr()
 */
struct x86_ioapic {
	u64 base_address;
	u32 ioregsel;
	u32 id;
	u32 irr;
	u64 redir[X86_IOAPIC_PINS];
	u32 lines;
	u32 irr_delivered;
	const struct x86_ioapic_ops *ops;
	void *opaque;		/* the kernel side's, untouched by the model */
};

/* The IRR that KVM_GET_IRQCHIP shows: delivered edges are hidden. */
static inline u32 x86_ioapic_visible_irr(const struct x86_ioapic *io)
{
	return io->irr & ~io->irr_delivered;
}

/* Power-on state (keeps ops and opaque): every entry masked, rest 0. */
void x86_ioapic_reset(struct x86_ioapic *io);

/*
 * Drive pin (0-23) to level (non-zero = asserted).  Edge pin: a rising
 * edge delivers once.  Level pin: while asserted, delivers if remote IRR
 * is clear and sets remote IRR when some LAPIC accepted.  For an
 * assertion returns 1 = delivered and accepted, 0 = coalesced (no rising
 * edge, or no LAPIC accepted), -1 = masked or, for a level pin, remote IRR
 * still set, as upstream KVM reports it (a masked edge is lost, a masked
 * level is kept as the line state).  A de-assertion
 * returns 1; a pin out of range returns -1 and changes nothing.
 */
int x86_ioapic_set_irq(struct x86_ioapic *io, int pin, int level);

/*
 * A LAPIC EOI of @vector was broadcast, for a level-triggered interrupt
 * (@level: the LAPIC's TMR bit) or an edge one; @src (the LAPIC, opaque)
 * goes to pin_eoi.  Only pins with that vector and that trigger mode hear
 * it: a level pin with remote IRR set gets it cleared and, still asserted
 * and unmasked, is delivered again (at most once per pin per call).
 */
void x86_ioapic_eoi(struct x86_ioapic *io, u8 vector, bool level,
		    const void *src);

/*
 * Guest MMIO read at @offset from the base, @len bytes.  Registers are
 * 32 bits at 0x00 (IOREGSEL) and 0x10 (IOWIN); a read of 1 or 2 bytes
 * gets the addressed bytes of its register, 8 bytes get the register
 * zero-extended, anything else (offset or size) reads 0.
 */
u32 x86_ioapic_mmio_read(struct x86_ioapic *io, u32 offset, u32 len);

/*
 * Guest MMIO write of the low @len bytes (1, 2, 4 or 8; zero-extended to
 * 32 bits) of @val at @offset 0x00 or 0x10 exactly.  Anything else is
 * ignored.  Unmasking (or otherwise rewriting) an entry of an asserted
 * level pin with remote IRR clear delivers it.
 */
void x86_ioapic_mmio_write(struct x86_ioapic *io, u32 offset, u32 val,
			   u32 len);

/*
 * Fill @m from redirection entry @pin (0-23): vector, delivery mode,
 * logical/physical, 8-bit destination, level trigger, assert, no
 * shorthand.  Returns 0, or -1 (and leaves @m alone) for a bad pin.
 */
int x86_ioapic_build_msg(const struct x86_ioapic *io, int pin,
			 struct x86_apic_msg *m);

/*
 * After KVM_SET_IRQCHIP: clears the delivery-status bits and irr bits
 * above pin 23, sets lines from irr.  Delivers nothing.
 */
void x86_ioapic_state_loaded(struct x86_ioapic *io);

#endif /* OKVM_DEV_IOAPIC_H */
