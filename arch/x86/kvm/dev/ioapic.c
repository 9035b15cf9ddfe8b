// SPDX-License-Identifier: GPL-2.0-only
/*
 * The I/O APIC: register logic only (see ioapic.h).
 *
 * Model choices:
 *  - Delivery is synchronous, so delivery status (bit 12) always reads 0.
 *  - Remote IRR is set only when some LAPIC accepted the level message:
 *    a message nobody takes would otherwise never see its EOI and block
 *    the pin for good.  The next assertion or entry write retries.
 *  - An entry switched to edge trigger loses its remote IRR (it has no
 *    meaning there); an EOI still clears a stale one (restored state).
 *  - A masked edge is discarded, as on the 82093AA; a masked level pin
 *    only records its line, and is delivered once unmasked if still high.
 */
#include "ioapic.h"

#define IOAPIC_RO_BITS	(X86_IOAPIC_DELIV_STATUS | X86_IOAPIC_REMOTE_IRR)
#define IOAPIC_VER_REG	(X86_IOAPIC_VERSION | \
			 ((X86_IOAPIC_PINS - 1) << 16))

static bool pin_valid(int pin)
{
	return pin >= 0 && pin < X86_IOAPIC_PINS;
}

int x86_ioapic_build_msg(const struct x86_ioapic *io, int pin,
			 struct x86_apic_msg *m)
{
	u64 e;

	if (!pin_valid(pin))
		return -1;
	e = io->redir[pin];
	memset(m, 0, sizeof(*m));
	m->dest = (u32)(e >> X86_IOAPIC_DEST_SHIFT);
	m->vector = (u8)(e & X86_IOAPIC_VECTOR);
	m->delivery_mode = (u8)((e >> X86_IOAPIC_DM_SHIFT) & 7);
	m->shorthand = X86_SH_NONE;
	m->dest_logical = !!(e & X86_IOAPIC_DEST_LOGICAL);
	m->level_trig = !!(e & X86_IOAPIC_LEVEL);
	m->assert = true;
	m->x2apic_format = false;
	return 0;
}

/*
 * Send pin @pin's message if its entry allows it now.  Returns 1 sent
 * and accepted, 0 not accepted or held by remote IRR, -1 masked.
 */
static int ioapic_service(struct x86_ioapic *io, int pin)
{
	struct x86_apic_msg m;
	u64 e = io->redir[pin];
	bool level = e & X86_IOAPIC_LEVEL;
	int n = 0;

	if (e & X86_IOAPIC_MASKED)
		return -1;
	/* Still in service: as upstream KVM reports it, not "coalesced". */
	if (level && (e & X86_IOAPIC_REMOTE_IRR))
		return -1;
	x86_ioapic_build_msg(io, pin, &m);
	if (!level)
		io->irr_delivered |= 1u << pin;
	if (io->ops && io->ops->deliver)
		n = io->ops->deliver(io, &m);
	if (n <= 0)
		return 0;
	if (level)
		io->redir[pin] |= X86_IOAPIC_REMOTE_IRR;
	return 1;
}

int x86_ioapic_set_irq(struct x86_ioapic *io, int pin, int level)
{
	u32 bit;
	bool was;
	u64 e;

	if (!pin_valid(pin))
		return -1;
	bit = 1u << pin;
	was = io->irr & bit;
	if (!level) {
		io->irr &= ~bit;
		io->lines = io->irr;
		return 1;
	}
	io->irr |= bit;
	io->lines = io->irr;
	io->irr_delivered &= ~bit;
	e = io->redir[pin];
	if (e & X86_IOAPIC_MASKED)
		return -1;
	if (!(e & X86_IOAPIC_LEVEL) && was)
		return 0;	/* edge pin: no rising edge */
	return ioapic_service(io, pin);
}

void x86_ioapic_eoi(struct x86_ioapic *io, u8 vector, bool level,
		    const void *src)
{
	u64 e;
	int pin;

	for (pin = 0; pin < X86_IOAPIC_PINS; pin++) {
		e = io->redir[pin];
		if ((e & X86_IOAPIC_VECTOR) != vector ||
		    !(e & X86_IOAPIC_LEVEL) != !level)
			continue;
		if (io->ops && io->ops->pin_eoi)
			io->ops->pin_eoi(io, pin, src);
		if (!(e & X86_IOAPIC_REMOTE_IRR))
			continue;
		io->redir[pin] = e & ~X86_IOAPIC_REMOTE_IRR;
		if (io->irr & (1u << pin))
			ioapic_service(io, pin);
	}
}

static u32 ioapic_read_indirect(const struct x86_ioapic *io)
{
	u32 reg = io->ioregsel & 0xff;
	u32 n;

	switch (reg) {
	case X86_IOAPIC_REG_ID:
	case X86_IOAPIC_REG_ARB:
		return (io->id & 0xf) << 24;
	case X86_IOAPIC_REG_VER:
		return IOAPIC_VER_REG;
	}
	if (reg < X86_IOAPIC_REG_REDIR)
		return 0;
	n = (reg - X86_IOAPIC_REG_REDIR) >> 1;
	if (n >= X86_IOAPIC_PINS)
		return 0;
	if (reg & 1)
		return (u32)(io->redir[n] >> 32);
	return (u32)io->redir[n];
}

/* A write to redirection register @reg (0x10-0x3f). */
static void ioapic_write_redir(struct x86_ioapic *io, u32 reg, u32 val)
{
	u32 n = (reg - X86_IOAPIC_REG_REDIR) >> 1;
	u64 old, e;

	if (n >= X86_IOAPIC_PINS)
		return;
	old = io->redir[n];
	if (reg & 1)
		e = (old & 0xffffffffull) | ((u64)val << 32);
	else
		e = (old & ~0xffffffffull) | val;
	e = (e & ~IOAPIC_RO_BITS) | (old & IOAPIC_RO_BITS);
	if (!(e & X86_IOAPIC_LEVEL))
		e &= ~X86_IOAPIC_REMOTE_IRR;
	io->redir[n] = e;
	/* An asserted level pin that may send now does so. */
	if ((e & X86_IOAPIC_LEVEL) && (io->irr & (1u << n)))
		ioapic_service(io, (int)n);
}

static void ioapic_write_indirect(struct x86_ioapic *io, u32 val)
{
	u32 reg = io->ioregsel & 0xff;

	if (reg == X86_IOAPIC_REG_ID)
		io->id = (val >> 24) & 0xf;
	else if (reg >= X86_IOAPIC_REG_REDIR)
		ioapic_write_redir(io, reg, val);
	/* Version and arbitration ID are read-only. */
}

/* The 32-bit register at aligned @reg_off, or false if none. */
static bool ioapic_reg_value(struct x86_ioapic *io, u32 reg_off, u32 *v)
{
	if (reg_off == X86_IOAPIC_IOREGSEL)
		*v = io->ioregsel;
	else if (reg_off == X86_IOAPIC_IOWIN)
		*v = ioapic_read_indirect(io);
	else
		return false;
	return true;
}

u32 x86_ioapic_mmio_read(struct x86_ioapic *io, u32 offset, u32 len)
{
	u32 sub = offset & 3;
	u32 v;

	switch (len) {
	case 1:
	case 2:
		if (sub + len > 4)
			return 0;
		break;
	case 4:
	case 8:
		if (sub)
			return 0;
		break;
	default:
		return 0;
	}
	if (!ioapic_reg_value(io, offset - sub, &v))
		return 0;
	v >>= sub * 8;
	if (len < 4)
		v &= (1u << (len * 8)) - 1;
	return v;
}

void x86_ioapic_mmio_write(struct x86_ioapic *io, u32 offset, u32 val,
			   u32 len)
{
	switch (len) {
	case 1:
		val &= 0xff;
		break;
	case 2:
		val &= 0xffff;
		break;
	case 4:
	case 8:
		break;
	default:
		return;
	}
	if (offset == X86_IOAPIC_IOREGSEL)
		io->ioregsel = val & 0xff;
	else if (offset == X86_IOAPIC_IOWIN)
		ioapic_write_indirect(io, val);
}

void x86_ioapic_reset(struct x86_ioapic *io)
{
	int pin;

	io->base_address = X86_IOAPIC_BASE;
	io->ioregsel = 0;
	io->id = 0;
	io->irr = 0;
	io->lines = 0;
	io->irr_delivered = 0;
	for (pin = 0; pin < X86_IOAPIC_PINS; pin++)
		io->redir[pin] = X86_IOAPIC_MASKED;
}

void x86_ioapic_state_loaded(struct x86_ioapic *io)
{
	int pin;

	for (pin = 0; pin < X86_IOAPIC_PINS; pin++)
		io->redir[pin] &= ~X86_IOAPIC_DELIV_STATUS;
	io->irr &= (1u << X86_IOAPIC_PINS) - 1;
	io->lines = io->irr;
	io->irr_delivered = 0;
}
