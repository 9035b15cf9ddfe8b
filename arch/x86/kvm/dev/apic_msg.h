/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An interrupt message on the (virtual) APIC bus, the one currency between
 * the freestanding device models in this directory: the IOAPIC sends one
 * per delivered pin, a LAPIC one per ICR write, an MSI is one.  The kernel
 * side (irqchip.c, lapic_host.c) routes them to the LAPICs they name.
 *
 * Freestanding: built in the kernel and in userspace (tools/testing/irqchip).
 */
#ifndef OKVM_DEV_APIC_MSG_H
#define OKVM_DEV_APIC_MSG_H

#include "../freestanding.h"

/* Delivery modes, as encoded in ICR, LVTs, redirection entries and MSIs. */
enum x86_apic_dm {
	X86_DM_FIXED	= 0,
	X86_DM_LOWEST	= 1,
	X86_DM_SMI	= 2,
	X86_DM_NMI	= 4,
	X86_DM_INIT	= 5,
	X86_DM_SIPI	= 6,
	X86_DM_EXTINT	= 7,
};

/* ICR destination shorthands. */
enum x86_apic_shorthand {
	X86_SH_NONE	= 0,
	X86_SH_SELF	= 1,
	X86_SH_ALL	= 2,	/* all including self */
	X86_SH_OTHERS	= 3,	/* all excluding self */
};

struct x86_apic_msg {
	u32 dest;		/* destination: 8 bits (xAPIC) or 32 (x2APIC) */
	u8 vector;
	u8 delivery_mode;	/* enum x86_apic_dm */
	u8 shorthand;		/* enum x86_apic_shorthand */
	bool dest_logical;	/* destination mode: logical */
	bool level_trig;	/* trigger mode: level */
	bool assert;		/* level: assert (INIT de-assert is a no-op) */
	bool x2apic_format;	/* dest is a 32-bit x2APIC destination */
};

/* The broadcast destination in each format. */
#define X86_APIC_BCAST_XAPIC	0xffu
#define X86_APIC_BCAST_X2APIC	0xffffffffu

#endif /* OKVM_DEV_APIC_MSG_H */
