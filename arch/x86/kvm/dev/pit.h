/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The 8254 programmable interval timer (ports 0x40-0x43) and the bits of
 * the AT system control port B (0x61) that it drives: channel 2 gate,
 * speaker data enable, refresh toggle and channel 2 output.
 *
 * Register logic only: no locks, no host timers.  Time comes from
 * ops->now_ns(); channel 0 (IRQ0) is turned into host-timer requests
 * through ops->ch0_arm()/ch0_cancel(); the caller raises IRQ0 on every
 * expiry and serialises all calls on one struct x86_pit.
 *
 * Freestanding: built in the kernel and in userspace (tools/testing/irqchip).
 *
 * Choices where the datasheet leaves room (see pit.c for the details):
 *  - power-on state (x86_pit_reset): every channel mode 0, binary, rw_mode
 *    3 (LSB then MSB), count 0x10000, no count loaded yet (so nothing
 *    counts, OUT low, channel 0 not armed); gates 1, 1, 0 (channel 2 gate
 *    is port 0x61 bit 0, which resets to 0).
 *  - mode values 6 and 7 are stored as 2 and 3; a restored mode is taken
 *    modulo 8 with the same aliasing.
 *  - count 1 in mode 2 or 3 (illegal per datasheet): OUT stays high, the
 *    count reads 1, channel 0 arms a period of one input clock (838 ns;
 *    the caller clamps).
 *  - BCD digits above 9 keep their nibble value as a digit (0x00af counts
 *    down from 115); a BCD count of 0 means 10000.
 *  - a count written while counting takes effect at once in every mode
 *    (datasheet: modes 2/3 at the end of the period); in mode 0 the
 *    first byte of a two-byte count stops the counter, OUT low.
 *  - port 0x61 bit 4 toggles every 15085 ns of now_ns() (the DRAM refresh
 *    period), bits 2-3 read back as written, bits 6-7 read 0.
 */
#ifndef OKVM_DEV_PIT_H
#define OKVM_DEV_PIT_H

#include "../freestanding.h"

#define X86_PIT_HZ		1193182ull	/* input clock, all channels */
#define X86_PIT_PORT_CH0	0x40
#define X86_PIT_PORT_CTRL	0x43
#define X86_PIT_PORT_61		0x61

/* flags: the values of kvm_pit_state2.flags. */
#define X86_PIT_FLAG_HPET_LEGACY	0x1u	/* channel 0 off (HPET IRQ0) */
#define X86_PIT_FLAG_SPEAKER_DATA_ON	0x2u	/* mirrors port 0x61 bit 1 */

/* Read/write states (read_state, write_state, count_latched, rw_mode). */
#define X86_PIT_RW_LSB		1	/* one byte: bits 7:0 */
#define X86_PIT_RW_MSB		2	/* one byte: bits 15:8 */
#define X86_PIT_RW_WORD0	3	/* LSB of a two-byte access next */
#define X86_PIT_RW_WORD1	4	/* MSB of a two-byte access next */

/* Exactly the fields of struct kvm_pit_channel_state, in that order. */
struct x86_pit_channel {
	u32 count;		/* reload value; 0, >= 0x10000: 0x10000 */
	u16 latched_count;	/* count latched by a latch/read-back command */
	u8 count_latched;	/* 0, or the X86_PIT_RW_* state of its read */
	u8 status_latched;	/* status byte latched, read before the count */
	u8 status;		/* the latched status byte */
	u8 read_state;		/* X86_PIT_RW_*: next unlatched read */
	u8 write_state;		/* X86_PIT_RW_*: next count write */
	u8 write_latch;		/* LSB written, waiting for its MSB */
	u8 rw_mode;		/* control word bits 5:4 (1, 2 or 3) */
	u8 mode;		/* 0..5 */
	u8 bcd;			/* counts in BCD */
	u8 gate;		/* gate input level */
	s64 count_load_time;	/* now_ns() when counting started */
};

/* Where a channel is; not part of the UAPI state (see state_loaded). */
enum x86_pit_phase {
	X86_PIT_RUN = 0,	/* counting from count_load_time */
	X86_PIT_IDLE,		/* control word written, no count yet */
	X86_PIT_WAIT,		/* mode 1/5 count written, no trigger yet */
	X86_PIT_HELD,		/* mode 0/2/3/4 with gate low: count frozen */
};

struct x86_pit;

struct x86_pit_ops {
	/* Monotonic time in ns; count_load_time is in this time base. */
	u64 (*now_ns)(struct x86_pit *p);
	/*
	 * (Re)program the host timer that raises IRQ0: first expiry at
	 * absolute first_ns, then every period_ns (0 = one-shot); replaces
	 * any earlier arming.  period_ns is never below 838.
	 */
	void (*ch0_arm)(struct x86_pit *p, u64 first_ns, u64 period_ns);
	/* Stop the host timer of channel 0 (harmless if not armed). */
	void (*ch0_cancel)(struct x86_pit *p);
};

struct x86_pit {
	struct x86_pit_channel ch[3];
	u32 flags;		/* kvm_pit_state2.flags: X86_PIT_FLAG_* */
	u8 port61;		/* port 0x61 bits 1-3 as last written */
	/* Model-private, rebuilt by x86_pit_state_loaded(): */
	u8 phase[3];		/* enum x86_pit_phase */
	u8 null_count[3];	/* status bit 6: count written, not loaded */
	u64 held_ns[3];		/* X86_PIT_HELD: elapsed ns when frozen */
	const struct x86_pit_ops *ops;	/* all three callbacks required */
	void *opaque;		/* the caller's, untouched by the model */
};

/* Power-on state (see above); cancels channel 0.  ops must be set. */
void x86_pit_reset(struct x86_pit *p);

/* Guest IN from port 0x40-0x43 or 0x61; any other port reads 0xff. */
u8 x86_pit_read(struct x86_pit *p, u16 port);

/* Guest OUT to port 0x40-0x43 or 0x61; other ports are ignored. */
void x86_pit_write(struct x86_pit *p, u16 port, u8 val);

/*
 * Drive the gate input of channel ch (0..2) to level: a rising edge
 * triggers modes 1 and 5 and restarts 2 and 3, low freezes 0, 2, 3 and 4.
 * Port 0x61 bit 0 uses it for channel 2.  ch out of range is ignored.
 */
void x86_pit_set_gate(struct x86_pit *p, unsigned int ch, bool level);

/* The 16-bit value an unlatched read of ch would give at now (BCD if so). */
u16 x86_pit_channel_count(struct x86_pit *p, unsigned int ch, u64 now);

/* The OUT level of ch (0..2) at now; false for ch out of range. */
bool x86_pit_channel_output(struct x86_pit *p, unsigned int ch, u64 now);

/* Channel 0 is programmed to interrupt periodically (mode 2/3, running). */
bool x86_pit_ch0_periodic(struct x86_pit *p);

/*
 * Before KVM_GET_PIT2 copies ch[] and flags out: rewrite count_load_time of
 * frozen channels so that it gives their current count from now on.
 */
void x86_pit_state_save(struct x86_pit *p);

/*
 * After KVM_SET_PIT2 copied ch[] and flags in: sanitise every field (any
 * garbage is accepted), rebuild the private state (modes 1/5 count as
 * triggered at count_load_time, gate low freezes 0/2/3/4, a future
 * count_load_time becomes now) and re-arm or cancel channel 0.
 */
void x86_pit_state_loaded(struct x86_pit *p);

#endif /* OKVM_DEV_PIT_H */
