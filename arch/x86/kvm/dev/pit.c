// SPDX-License-Identifier: GPL-2.0-only
/*
 * 8254 PIT register model (see pit.h).
 *
 * A channel that counts (phase X86_PIT_RUN) has no per-tick state: its
 * count and OUT level are functions of the reload value N and of the input
 * clocks elapsed since count_load_time.  The count is loaded on the clock
 * of the write (t = 0 reads N) and, per mode, with t elapsed clocks:
 *
 *   mode 0, 1	count (N - t) wrapping through 0; OUT low until t >= N
 *   mode 2	count N - (t mod N); OUT low while that count is 1
 *   mode 3	count steps by 2; OUT high for ceil(N/2) clocks, low for
 *		floor(N/2) (odd N: N, N-1, N-3 .. 2 high; N, N-3 .. 2 low)
 *   mode 4, 5	count (N - t) wrapping; OUT low only on the clock t == N
 *
 * BCD channels count modulo 10000 instead of 65536.  Gate handling is
 * kept in the private phase[]/held_ns[] arrays.  In mode 0 the first byte
 * of a two-byte count stops the counter (OUT low) until the second.
 */
#include "pit.h"

#define PIT_NS_PER_SEC		1000000000ull
#define PIT_REFRESH_NS		15085ull	/* port 0x61 bit 4 toggle */
#define PIT_MAX_COUNT		0x10000u

#define P61_GATE2		0x01
#define P61_SPEAKER		0x02
#define P61_STORED		0x0e
#define P61_REFRESH		0x10
#define P61_OUT2		0x20

/* Input clocks in ns, without overflowing for any ns. */
static u64 pit_ns_to_ticks(u64 ns)
{
	return ns / PIT_NS_PER_SEC * X86_PIT_HZ +
	       ns % PIT_NS_PER_SEC * X86_PIT_HZ / PIT_NS_PER_SEC;
}

/* The first ns at which pit_ns_to_ticks() reaches ticks (rounded up). */
static u64 pit_ticks_to_ns(u64 ticks)
{
	return ticks / X86_PIT_HZ * PIT_NS_PER_SEC +
	       (ticks % X86_PIT_HZ * PIT_NS_PER_SEC + X86_PIT_HZ - 1) /
	       X86_PIT_HZ;
}

static u64 pit_now(struct x86_pit *p)
{
	return p->ops->now_ns(p);
}

/* Mode 0..5 from any stored value: modulo 8, 6 and 7 alias 2 and 3. */
static u8 pit_mode(const struct x86_pit_channel *c)
{
	u8 m = c->mode & 7;

	return m > 5 ? m - 4 : m;
}

static u32 pit_modulus(const struct x86_pit_channel *c)
{
	return c->bcd ? 10000 : PIT_MAX_COUNT;
}

/* Four BCD digits; a nibble above 9 keeps its value as a digit. */
static u32 pit_bcd_decode(u16 raw)
{
	u32 r = raw;

	return (r >> 12) * 1000 + ((r >> 8) & 0xf) * 100 +
	       ((r >> 4) & 0xf) * 10 + (r & 0xf);
}

static u16 pit_bcd_encode(u32 v)
{
	v %= 10000;
	return (u16)((v / 1000) << 12 | (v / 100 % 10) << 8 |
		     (v / 10 % 10) << 4 | v % 10);
}

/* The reload value N: 1..0x10000 (binary) or 1..16665 (BCD). */
static u32 pit_reload(const struct x86_pit_channel *c)
{
	u32 raw = c->count >= PIT_MAX_COUNT ? 0 : c->count;
	u32 n = c->bcd ? pit_bcd_decode((u16)raw) : raw;

	if (n)
		return n;
	return c->bcd ? 10000 : PIT_MAX_COUNT;
}

/* ns elapsed in the counting of channel i (frozen while held). */
static u64 pit_elapsed_ns(struct x86_pit *p, unsigned int i, u64 now)
{
	u64 d;

	switch (p->phase[i]) {
	case X86_PIT_RUN:
		d = now - (u64)p->ch[i].count_load_time;
		return (s64)d < 0 ? 0 : d;
	case X86_PIT_HELD:
		return p->held_ns[i];
	default:
		return 0;
	}
}

/* Count of a mode 3 channel t clocks after the load. */
static u32 pit_square_count(u32 n, u64 t)
{
	u32 pos = (u32)(t % n);
	u32 high = (n + 1) / 2;

	if (!(n & 1))
		return n - 2 * (pos % high);
	if (pos < high)
		return pos ? n + 1 - 2 * pos : n;
	pos -= high;
	return pos ? n - 1 - 2 * pos : n;
}

/* Counter value (before BCD encoding) t clocks after the load. */
static u32 pit_count_at(const struct x86_pit_channel *c, u64 t)
{
	u32 n = pit_reload(c);
	u32 m = pit_modulus(c);

	switch (pit_mode(c)) {
	case 2:
		return n - (u32)(t % n);
	case 3:
		return pit_square_count(n, t);
	default:
		return (n + m - (u32)(t % m)) % m;
	}
}

/* OUT level t clocks after the load of a counting channel. */
static bool pit_out_at(const struct x86_pit_channel *c, u64 t)
{
	u32 n = pit_reload(c);

	switch (pit_mode(c)) {
	case 0:
	case 1:
		return t >= n;
	case 2:
		return n < 2 || t % n != n - 1;
	case 3:
		return t % n < (n + 1) / 2;
	default:
		return t != n;
	}
}

static bool pit_out(struct x86_pit *p, unsigned int i, u64 now)
{
	const struct x86_pit_channel *c = &p->ch[i];
	u8 mode = pit_mode(c);

	switch (p->phase[i]) {
	case X86_PIT_IDLE:
		return mode != 0;
	case X86_PIT_WAIT:
		return true;
	case X86_PIT_HELD:
		if (mode == 2 || mode == 3)
			return true;
		break;
	default:
		break;
	}
	return pit_out_at(c, pit_ns_to_ticks(pit_elapsed_ns(p, i, now)));
}

static u16 pit_count(struct x86_pit *p, unsigned int i, u64 now)
{
	const struct x86_pit_channel *c = &p->ch[i];
	u64 t = pit_ns_to_ticks(pit_elapsed_ns(p, i, now));
	u32 v = pit_count_at(c, t) % pit_modulus(c);

	return c->bcd ? pit_bcd_encode(v) : (u16)v;
}

/* Program or cancel the host timer from the state of channel 0. */
static void pit_ch0_update(struct x86_pit *p, u64 now)
{
	const struct x86_pit_channel *c = &p->ch[0];
	u64 el, base, t, k;
	u32 n;

	if ((p->flags & X86_PIT_FLAG_HPET_LEGACY) ||
	    p->phase[0] != X86_PIT_RUN) {
		p->ops->ch0_cancel(p);
		return;
	}
	n = pit_reload(c);
	el = pit_elapsed_ns(p, 0, now);
	base = now - el;
	t = pit_ns_to_ticks(el);
	switch (pit_mode(c)) {
	case 2:
	case 3:
		/* IRQ0 on each rising edge of OUT: t = k * N */
		k = t / n + 1;
		p->ops->ch0_arm(p, base + pit_ticks_to_ns(k * n),
				(u64)n * PIT_NS_PER_SEC / X86_PIT_HZ);
		return;
	default:
		/* one edge at the terminal count, unless already past */
		if (t >= n)
			p->ops->ch0_cancel(p);
		else
			p->ops->ch0_arm(p, base + pit_ticks_to_ns(n), 0);
		return;
	}
}

void x86_pit_reset(struct x86_pit *p)
{
	u64 now = pit_now(p);
	unsigned int i;

	memset(p->ch, 0, sizeof(p->ch));
	p->flags = 0;
	p->port61 = 0;
	for (i = 0; i < 3; i++) {
		struct x86_pit_channel *c = &p->ch[i];

		c->count = PIT_MAX_COUNT;
		c->rw_mode = X86_PIT_RW_WORD0;
		c->read_state = X86_PIT_RW_WORD0;
		c->write_state = X86_PIT_RW_WORD0;
		c->gate = i < 2;
		c->count_load_time = (s64)now;
		p->phase[i] = X86_PIT_IDLE;
		p->null_count[i] = 1;
		p->held_ns[i] = 0;
	}
	p->ops->ch0_cancel(p);
}

static void pit_latch_count(struct x86_pit *p, unsigned int i, u64 now)
{
	struct x86_pit_channel *c = &p->ch[i];

	if (c->count_latched)
		return;
	c->latched_count = pit_count(p, i, now);
	c->count_latched = c->rw_mode >= 1 && c->rw_mode <= 3 ?
			   c->rw_mode : X86_PIT_RW_WORD0;
}

static void pit_latch_status(struct x86_pit *p, unsigned int i, u64 now)
{
	struct x86_pit_channel *c = &p->ch[i];

	if (c->status_latched)
		return;
	c->status = (u8)(pit_out(p, i, now) << 7 | p->null_count[i] << 6 |
			 (c->rw_mode & 3) << 4 | pit_mode(c) << 1 |
			 (c->bcd & 1));
	c->status_latched = 1;
}

/* Read-back command: bits 3:1 select channels, 5 (count) 4 (status) = 0. */
static void pit_read_back(struct x86_pit *p, u8 val, u64 now)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		if (!(val & (2 << i)))
			continue;
		if (!(val & 0x20))
			pit_latch_count(p, i, now);
		if (!(val & 0x10))
			pit_latch_status(p, i, now);
	}
}

static void pit_control(struct x86_pit *p, u8 val)
{
	unsigned int i = val >> 6;
	u8 rw = (val >> 4) & 3;
	u64 now = pit_now(p);
	struct x86_pit_channel *c;
	u8 mode;

	if (i == 3) {
		pit_read_back(p, val, now);
		return;
	}
	if (!rw) {
		pit_latch_count(p, i, now);
		return;
	}
	c = &p->ch[i];
	mode = (val >> 1) & 7;
	c->mode = mode > 5 ? mode - 4 : mode;
	c->bcd = val & 1;
	c->rw_mode = rw;
	c->read_state = rw;
	c->write_state = rw;
	c->count_latched = 0;
	c->status_latched = 0;
	p->phase[i] = X86_PIT_IDLE;
	p->null_count[i] = 1;
	if (i == 0)
		pit_ch0_update(p, now);
}

/* A complete count was written to channel i. */
static void pit_load(struct x86_pit *p, unsigned int i, u16 v)
{
	struct x86_pit_channel *c = &p->ch[i];
	u64 now = pit_now(p);
	u8 mode = pit_mode(c);

	c->count = v ? v : PIT_MAX_COUNT;
	c->count_load_time = (s64)now;
	p->held_ns[i] = 0;
	if (mode == 1 || mode == 5) {
		/* loaded into the counter by the next gate trigger */
		p->phase[i] = X86_PIT_WAIT;
		p->null_count[i] = 1;
	} else {
		p->phase[i] = c->gate ? X86_PIT_RUN : X86_PIT_HELD;
		p->null_count[i] = 0;
	}
	if (i == 0)
		pit_ch0_update(p, now);
}

static void pit_write_counter(struct x86_pit *p, unsigned int i, u8 val)
{
	struct x86_pit_channel *c = &p->ch[i];

	switch (c->write_state) {
	case X86_PIT_RW_LSB:
		pit_load(p, i, val);
		break;
	case X86_PIT_RW_MSB:
		pit_load(p, i, (u16)(val << 8));
		break;
	case X86_PIT_RW_WORD1:
		c->write_state = X86_PIT_RW_WORD0;
		pit_load(p, i, (u16)(c->write_latch | val << 8));
		break;
	default:	/* WORD0, or garbage from a restore */
		c->write_latch = val;
		c->write_state = X86_PIT_RW_WORD1;
		/* mode 0: the first byte stops counting, OUT goes low */
		if (pit_mode(c) == 0 && p->phase[i] != X86_PIT_IDLE) {
			p->phase[i] = X86_PIT_IDLE;
			if (i == 0)
				pit_ch0_update(p, pit_now(p));
		}
		break;
	}
}

/* One byte of a latched count; clears the latch once fully read. */
static u8 pit_read_latched(struct x86_pit_channel *c)
{
	u16 v = c->latched_count;

	switch (c->count_latched) {
	case X86_PIT_RW_WORD0:
		c->count_latched = X86_PIT_RW_MSB;
		return (u8)v;
	case X86_PIT_RW_MSB:
	case X86_PIT_RW_WORD1:
		c->count_latched = 0;
		return (u8)(v >> 8);
	default:	/* LSB, or garbage from a restore */
		c->count_latched = 0;
		return (u8)v;
	}
}

static u8 pit_read_counter(struct x86_pit *p, unsigned int i)
{
	struct x86_pit_channel *c = &p->ch[i];
	u16 v;

	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	if (c->count_latched)
		return pit_read_latched(c);
	v = pit_count(p, i, pit_now(p));
	switch (c->read_state) {
	case X86_PIT_RW_LSB:
		return (u8)v;
	case X86_PIT_RW_MSB:
		return (u8)(v >> 8);
	case X86_PIT_RW_WORD1:
		c->read_state = X86_PIT_RW_WORD0;
		return (u8)(v >> 8);
	default:	/* WORD0, or garbage from a restore */
		c->read_state = X86_PIT_RW_WORD1;
		return (u8)v;
	}
}

static u8 pit_read_port61(struct x86_pit *p)
{
	u64 now = pit_now(p);
	u8 v = p->port61 & P61_STORED;

	if (p->ch[2].gate)
		v |= P61_GATE2;
	if ((now / PIT_REFRESH_NS) & 1)
		v |= P61_REFRESH;
	if (pit_out(p, 2, now))
		v |= P61_OUT2;
	return v;
}

u8 x86_pit_read(struct x86_pit *p, u16 port)
{
	if (port >= X86_PIT_PORT_CH0 && port < X86_PIT_PORT_CTRL)
		return pit_read_counter(p, port - X86_PIT_PORT_CH0);
	if (port == X86_PIT_PORT_61)
		return pit_read_port61(p);
	return 0xff;
}

void x86_pit_write(struct x86_pit *p, u16 port, u8 val)
{
	if (port >= X86_PIT_PORT_CH0 && port < X86_PIT_PORT_CTRL) {
		pit_write_counter(p, port - X86_PIT_PORT_CH0, val);
	} else if (port == X86_PIT_PORT_CTRL) {
		pit_control(p, val);
	} else if (port == X86_PIT_PORT_61) {
		p->port61 = val & P61_STORED;
		if (val & P61_SPEAKER)
			p->flags |= X86_PIT_FLAG_SPEAKER_DATA_ON;
		else
			p->flags &= ~X86_PIT_FLAG_SPEAKER_DATA_ON;
		x86_pit_set_gate(p, 2, val & P61_GATE2);
	}
}

static void pit_gate_rise(struct x86_pit *p, unsigned int i, u64 now)
{
	struct x86_pit_channel *c = &p->ch[i];

	switch (pit_mode(c)) {
	case 1:
	case 5:
	case 2:
	case 3:
		/* (re)trigger: reload and count from this clock */
		if (p->phase[i] == X86_PIT_IDLE)
			return;
		c->count_load_time = (s64)now;
		p->null_count[i] = 0;
		break;
	default:
		/* modes 0 and 4 resume where they stopped */
		if (p->phase[i] != X86_PIT_HELD)
			return;
		c->count_load_time = (s64)(now - p->held_ns[i]);
		break;
	}
	p->phase[i] = X86_PIT_RUN;
}

void x86_pit_set_gate(struct x86_pit *p, unsigned int ch, bool level)
{
	u64 now;
	bool old;
	u8 mode;

	if (ch > 2)
		return;
	now = pit_now(p);
	old = p->ch[ch].gate;
	p->ch[ch].gate = level;
	mode = pit_mode(&p->ch[ch]);
	if (level && !old) {
		pit_gate_rise(p, ch, now);
	} else if (!level && old && mode != 1 && mode != 5 &&
		   p->phase[ch] == X86_PIT_RUN) {
		p->held_ns[ch] = pit_elapsed_ns(p, ch, now);
		p->phase[ch] = X86_PIT_HELD;
	}
	if (ch == 0)
		pit_ch0_update(p, now);
}

u16 x86_pit_channel_count(struct x86_pit *p, unsigned int ch, u64 now)
{
	return ch > 2 ? 0 : pit_count(p, ch, now);
}

bool x86_pit_channel_output(struct x86_pit *p, unsigned int ch, u64 now)
{
	return ch > 2 ? false : pit_out(p, ch, now);
}

bool x86_pit_ch0_periodic(struct x86_pit *p)
{
	u8 mode = pit_mode(&p->ch[0]);

	return !(p->flags & X86_PIT_FLAG_HPET_LEGACY) &&
	       p->phase[0] == X86_PIT_RUN && (mode == 2 || mode == 3);
}

void x86_pit_state_save(struct x86_pit *p)
{
	u64 now = pit_now(p);
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (p->phase[i] == X86_PIT_HELD)
			p->ch[i].count_load_time = (s64)(now - p->held_ns[i]);
}

static void pit_sanitise(struct x86_pit_channel *c, u64 now)
{
	if (c->count > PIT_MAX_COUNT)
		c->count = PIT_MAX_COUNT;
	if (c->rw_mode < 1 || c->rw_mode > 3)
		c->rw_mode = X86_PIT_RW_WORD0;
	if (c->read_state < 1 || c->read_state > 4)
		c->read_state = c->rw_mode;
	if (c->write_state < 1 || c->write_state > 4)
		c->write_state = c->rw_mode;
	if (c->count_latched > 4)
		c->count_latched = 0;
	c->status_latched = !!c->status_latched;
	c->mode = pit_mode(c);
	c->bcd &= 1;
	c->gate = !!c->gate;
	if ((s64)(now - (u64)c->count_load_time) < 0)
		c->count_load_time = (s64)now;
}

void x86_pit_state_loaded(struct x86_pit *p)
{
	u64 now = pit_now(p);
	unsigned int i;

	for (i = 0; i < 3; i++) {
		struct x86_pit_channel *c = &p->ch[i];
		u8 mode;

		pit_sanitise(c, now);
		mode = c->mode;
		p->null_count[i] = 0;
		p->held_ns[i] = 0;
		p->phase[i] = X86_PIT_RUN;
		if (!c->gate && mode != 1 && mode != 5) {
			p->held_ns[i] = now - (u64)c->count_load_time;
			p->phase[i] = X86_PIT_HELD;
		}
	}
	p->port61 &= P61_STORED & ~P61_SPEAKER;
	if (p->flags & X86_PIT_FLAG_SPEAKER_DATA_ON)
		p->port61 |= P61_SPEAKER;
	pit_ch0_update(p, now);
}
