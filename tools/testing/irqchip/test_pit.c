// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the 8254 PIT model (arch/x86/kvm/dev/pit.c) against a fake
 * clock that the tests advance by hand and a recorder of channel 0 timer
 * requests.
 */
#include "check.h"
#include "pit.h"

#define HZ	1193182ull
#define T0	5000000000ull	/* fake boot time: 5 s */

struct tenv {
	struct x86_pit p;
	u64 now;
	unsigned int arms, cancels;
	u64 first, period;
	bool armed;
	unsigned int bad_arms;	/* period 0 for a periodic mode, or past */
};

static u64 t_now(struct x86_pit *p)
{
	return ((struct tenv *)p->opaque)->now;
}

static void t_arm(struct x86_pit *p, u64 first_ns, u64 period_ns)
{
	struct tenv *e = p->opaque;
	u8 m = p->ch[0].mode & 7;

	if (m > 5)
		m -= 4;
	e->arms++;
	e->first = first_ns;
	e->period = period_ns;
	e->armed = true;
	if (first_ns <= e->now || (!period_ns && (m == 2 || m == 3)) ||
	    (period_ns && period_ns < 838))
		e->bad_arms++;
}

static void t_cancel(struct x86_pit *p)
{
	struct tenv *e = p->opaque;

	e->cancels++;
	e->armed = false;
}

static const struct x86_pit_ops t_ops = {
	.now_ns = t_now,
	.ch0_arm = t_arm,
	.ch0_cancel = t_cancel,
};

static void setup(struct tenv *e)
{
	memset(e, 0, sizeof(*e));
	e->p.ops = &t_ops;
	e->p.opaque = e;
	e->now = T0;
	x86_pit_reset(&e->p);
}

/* First ns at which k input clocks have elapsed. */
static u64 tk(u64 k)
{
	return (k * 1000000000ull + HZ - 1) / HZ;
}

/* Move the clock to k clocks after the load of channel ch. */
static void at(struct tenv *e, unsigned int ch, u64 k)
{
	e->now = (u64)e->p.ch[ch].count_load_time + tk(k);
}

/* Control word with rw_mode 3, then the count LSB and MSB. */
static void prog(struct tenv *e, unsigned int ch, u8 mode, u16 count,
		 bool bcd)
{
	x86_pit_write(&e->p, 0x43, (u8)(ch << 6 | 0x30 | mode << 1 | bcd));
	x86_pit_write(&e->p, (u16)(0x40 + ch), (u8)count);
	x86_pit_write(&e->p, (u16)(0x40 + ch), (u8)(count >> 8));
}

static u16 rd16(struct tenv *e, unsigned int ch)
{
	u16 lo = x86_pit_read(&e->p, (u16)(0x40 + ch));

	return (u16)(lo | x86_pit_read(&e->p, (u16)(0x40 + ch)) << 8);
}

static bool out(struct tenv *e, unsigned int ch)
{
	return x86_pit_channel_output(&e->p, ch, e->now);
}

static u16 cnt(struct tenv *e, unsigned int ch)
{
	return x86_pit_channel_count(&e->p, ch, e->now);
}

static void test_reset(void)
{
	struct tenv e;

	setup(&e);
	CHECK_EQ(e.arms, 0, "reset arms nothing");
	CHECK_EQ(e.cancels, 1, "reset cancels channel 0");
	CHECK_EQ(e.p.ch[0].gate, 1, "gate 0");
	CHECK_EQ(e.p.ch[1].gate, 1, "gate 1");
	CHECK_EQ(e.p.ch[2].gate, 0, "gate 2");
	CHECK_EQ(e.p.ch[0].rw_mode, 3, "rw_mode");
	CHECK_EQ(e.p.ch[0].count, 0x10000, "count");
	CHECK_EQ(x86_pit_read(&e.p, 0x61) & 0x23, 0, "port 61 gate/spk/out");
	CHECK_EQ(x86_pit_read(&e.p, 0x43), 0xff, "control port reads ff");
	CHECK_EQ(x86_pit_read(&e.p, 0x44), 0xff, "port 44 reads ff");
	CHECK(!x86_pit_ch0_periodic(&e.p), "not periodic after reset");
	CHECK_EQ(x86_pit_channel_count(&e.p, 3, e.now), 0, "no channel 3");
	CHECK(!x86_pit_channel_output(&e.p, 7, e.now), "no channel 7");
	x86_pit_write(&e.p, 0x60, 0x01);
	x86_pit_write(&e.p, 0x44, 0x7a);
	CHECK_EQ(e.p.ch[2].gate, 0, "other ports ignored");
	CHECK_EQ(e.p.ch[1].mode, 0, "port 44 is no control port");
	e.now += 1000000000;
	CHECK(!out(&e, 0), "mode 0 OUT stays low with no count");
	CHECK_EQ(e.arms, 0, "still nothing armed");
}

static void test_rw_modes(void)
{
	struct tenv e;

	setup(&e);
	/* rw 1: LSB only */
	x86_pit_write(&e.p, 0x43, 0x54);		/* ch1 lsb mode 2 */
	x86_pit_write(&e.p, 0x41, 0x34);
	CHECK_EQ(e.p.ch[1].count, 0x34, "lsb-only write");
	CHECK_EQ(x86_pit_read(&e.p, 0x41), 0x34, "lsb-only read");
	CHECK_EQ(x86_pit_read(&e.p, 0x41), 0x34, "lsb-only read again");
	at(&e, 1, 4);
	CHECK_EQ(x86_pit_read(&e.p, 0x41), 0x30, "lsb-only after 4 clocks");
	/* rw 2: MSB only */
	x86_pit_write(&e.p, 0x43, 0x64);
	x86_pit_write(&e.p, 0x41, 0x12);
	CHECK_EQ(e.p.ch[1].count, 0x1200, "msb-only write");
	CHECK_EQ(x86_pit_read(&e.p, 0x41), 0x12, "msb-only read");
	at(&e, 1, 1);
	CHECK_EQ(x86_pit_read(&e.p, 0x41), 0x11, "msb-only after 1 clock");
	/* rw 3: LSB then MSB */
	x86_pit_write(&e.p, 0x43, 0x74);
	x86_pit_write(&e.p, 0x41, 0x34);
	CHECK_EQ(e.p.ch[1].write_state, X86_PIT_RW_WORD1, "half written");
	CHECK_EQ(e.p.ch[1].count, 0x1200, "count waits for MSB");
	x86_pit_write(&e.p, 0x41, 0x12);
	CHECK_EQ(e.p.ch[1].count, 0x1234, "word write");
	CHECK_EQ(e.p.ch[1].write_state, X86_PIT_RW_WORD0, "word write done");
	CHECK_EQ(x86_pit_read(&e.p, 0x41), 0x34, "word read lsb");
	CHECK_EQ(x86_pit_read(&e.p, 0x41), 0x12, "word read msb");
	at(&e, 1, 0x35);
	CHECK_EQ(rd16(&e, 1), 0x11ff, "word read after 0x35 clocks");
	/* a count of 0 in lsb-only mode means 0x10000 */
	x86_pit_write(&e.p, 0x43, 0x50);
	x86_pit_write(&e.p, 0x41, 0);
	CHECK_EQ(e.p.ch[1].count, 0x10000, "zero count is 0x10000");
	at(&e, 1, 1);
	CHECK_EQ(rd16(&e, 1), 0xffff, "0x10000 - 1");
}

static void test_latch(void)
{
	struct tenv e;

	setup(&e);
	prog(&e, 1, 2, 1000, false);
	at(&e, 1, 100);
	x86_pit_write(&e.p, 0x43, 0x40);		/* latch ch1 */
	at(&e, 1, 200);
	x86_pit_write(&e.p, 0x43, 0x40);		/* ignored: latched */
	CHECK_EQ(rd16(&e, 1), 900, "latched count");
	CHECK_EQ(e.p.ch[1].count_latched, 0, "latch released");
	CHECK_EQ(rd16(&e, 1), 800, "live count after latch read");
	/* a latch between the two bytes of a live read */
	at(&e, 1, 300);
	CHECK_EQ(x86_pit_read(&e.p, 0x41), 700 & 0xff, "live lsb");
	x86_pit_write(&e.p, 0x43, 0x40);
	at(&e, 1, 301);
	CHECK_EQ(rd16(&e, 1), 700, "latched word");
	CHECK_EQ(x86_pit_read(&e.p, 0x41), 699 >> 8, "live msb resumes");
	/* latch in lsb-only mode: one byte releases it */
	x86_pit_write(&e.p, 0x43, 0x54);
	x86_pit_write(&e.p, 0x41, 200);
	at(&e, 1, 10);
	x86_pit_write(&e.p, 0x43, 0x40);
	at(&e, 1, 20);
	CHECK_EQ(x86_pit_read(&e.p, 0x41), 190, "latched lsb");
	CHECK_EQ(x86_pit_read(&e.p, 0x41), 180, "live lsb");
	/* a new control word drops a pending latch */
	x86_pit_write(&e.p, 0x43, 0x40);
	x86_pit_write(&e.p, 0x43, 0x74);
	CHECK_EQ(e.p.ch[1].count_latched, 0, "control word drops latch");
}

static void test_read_back(void)
{
	struct tenv e;
	u8 st;

	setup(&e);
	x86_pit_write(&e.p, 0x43, 0xb6);		/* ch2 word mode 3 */
	x86_pit_write(&e.p, 0x43, 0xe8);		/* status of ch2 */
	st = x86_pit_read(&e.p, 0x42);
	CHECK_EQ(st, 0xf6, "status: out high, null count, word, mode 3");
	x86_pit_write(&e.p, 0x42, 100);
	x86_pit_write(&e.p, 0x42, 0);
	x86_pit_write(&e.p, 0x61, 1);		/* gate 2 up */
	prog(&e, 0, 0, 1000, false);
	at(&e, 0, 10);
	x86_pit_write(&e.p, 0x43, 0xc3);	/* count+status of ch0 */
	at(&e, 0, 500);
	CHECK_EQ(x86_pit_read(&e.p, 0x40), 0x30, "ch0 status: low, mode 0");
	CHECK_EQ(rd16(&e, 0), 990, "ch0 count after status");
	CHECK_EQ(rd16(&e, 0), 500, "ch0 live");
	/* count only for ch0 and ch2, status only for ch1 */
	at(&e, 0, 600);
	x86_pit_write(&e.p, 0x43, 0xda);	/* ch0+ch2 count, no status */
	x86_pit_write(&e.p, 0x43, 0xe4);	/* ch1 status, no count */
	CHECK_EQ(e.p.ch[0].status_latched, 0, "ch0 status not latched");
	CHECK_EQ(e.p.ch[0].count_latched, 3, "ch0 count latched");
	CHECK_EQ(e.p.ch[2].count_latched, 3, "ch2 count latched");
	CHECK_EQ(e.p.ch[1].count_latched, 0, "ch1 count not latched");
	CHECK_EQ(e.p.ch[1].status_latched, 1, "ch1 status latched");
	at(&e, 0, 700);
	CHECK_EQ(rd16(&e, 0), 400, "ch0 read-back count");
	/* mode 0 in BCD, lsb-only on ch1: status bits */
	x86_pit_write(&e.p, 0x43, 0x51);
	x86_pit_write(&e.p, 0x43, 0xe4);
	CHECK_EQ(x86_pit_read(&e.p, 0x41), 0x51, "ch1 status: lsb bcd null");
	x86_pit_write(&e.p, 0x41, 0x99);
	x86_pit_write(&e.p, 0x43, 0xe4);
	CHECK_EQ(x86_pit_read(&e.p, 0x41), 0x11, "ch1 status: loaded");
}

static void test_bcd(void)
{
	struct tenv e;

	setup(&e);
	prog(&e, 1, 0, 0x1000, true);
	CHECK_EQ(cnt(&e, 1), 0x1000, "bcd t=0");
	at(&e, 1, 1);
	CHECK_EQ(cnt(&e, 1), 0x0999, "bcd t=1");
	at(&e, 1, 1000);
	CHECK_EQ(cnt(&e, 1), 0, "bcd t=1000");
	CHECK(out(&e, 1), "bcd terminal count");
	at(&e, 1, 1001);
	CHECK_EQ(cnt(&e, 1), 0x9999, "bcd wraps to 9999");
	prog(&e, 1, 0, 0, true);
	at(&e, 1, 1);
	CHECK_EQ(cnt(&e, 1), 0x9999, "bcd 0 means 10000");
	at(&e, 1, 9999);
	CHECK(!out(&e, 1), "bcd 10000 not yet");
	at(&e, 1, 10000);
	CHECK(out(&e, 1), "bcd 10000 reached");
	prog(&e, 1, 2, 0x0010, true);
	at(&e, 1, 9);
	CHECK_EQ(cnt(&e, 1), 0x01, "bcd mode 2 count 1");
	CHECK(!out(&e, 1), "bcd mode 2 pulse");
	at(&e, 1, 10);
	CHECK_EQ(cnt(&e, 1), 0x10, "bcd mode 2 reload");
	/* invalid digits: 0x00af counts from 115 */
	prog(&e, 1, 0, 0x00af, true);
	CHECK_EQ(cnt(&e, 1), 0x0115, "bcd invalid digits");
	at(&e, 1, 5);
	CHECK_EQ(rd16(&e, 1), 0x0110, "bcd invalid digits t=5");
	prog(&e, 0, 0, 0xffff, true);		/* 16665 */
	CHECK_EQ(e.first, e.now + tk(16665), "bcd ffff one-shot");
	at(&e, 0, 16666);
	CHECK_EQ(cnt(&e, 0), 0x9999, "bcd ffff wraps");
}

static void test_mode0_mode4(void)
{
	struct tenv e;

	setup(&e);
	prog(&e, 1, 0, 100, false);
	CHECK(!out(&e, 1), "m0 t=0 low");
	CHECK_EQ(cnt(&e, 1), 100, "m0 t=0");
	at(&e, 1, 99);
	CHECK(!out(&e, 1), "m0 t=99 low");
	CHECK_EQ(cnt(&e, 1), 1, "m0 t=99");
	at(&e, 1, 100);
	CHECK(out(&e, 1), "m0 t=100 high");
	CHECK_EQ(cnt(&e, 1), 0, "m0 t=100");
	at(&e, 1, 101);
	CHECK(out(&e, 1), "m0 stays high");
	CHECK_EQ(cnt(&e, 1), 0xffff, "m0 wraps");
	at(&e, 1, 100 + 65536 * 3);
	CHECK(out(&e, 1), "m0 high for good");

	prog(&e, 1, 4, 10, false);
	CHECK(out(&e, 1), "m4 t=0 high");
	at(&e, 1, 9);
	CHECK(out(&e, 1), "m4 t=9 high");
	at(&e, 1, 10);
	CHECK(!out(&e, 1), "m4 strobe");
	CHECK_EQ(cnt(&e, 1), 0, "m4 t=10");
	at(&e, 1, 11);
	CHECK(out(&e, 1), "m4 t=11 high");
	CHECK_EQ(cnt(&e, 1), 0xffff, "m4 wraps");
	/* mode 0: the LSB of a new word count stops it, OUT low */
	prog(&e, 1, 0, 10, false);
	at(&e, 1, 50);
	CHECK(out(&e, 1), "m0 expired");
	x86_pit_write(&e.p, 0x41, 20);
	CHECK(!out(&e, 1), "m0 first byte: OUT low");
	e.now += tk(100);
	CHECK(!out(&e, 1), "m0 first byte: stopped");
	x86_pit_write(&e.p, 0x41, 0);
	at(&e, 1, 19);
	CHECK_EQ(cnt(&e, 1), 1, "m0 second byte: counts from 20");
	CHECK(!out(&e, 1), "m0 second byte: low");
	at(&e, 1, 20);
	CHECK(out(&e, 1), "m0 second byte: terminal count");
	/* a control word sets OUT per mode before any count */
	x86_pit_write(&e.p, 0x43, 0x70);
	CHECK(!out(&e, 1), "m0 control word: low");
	x86_pit_write(&e.p, 0x43, 0x78);
	CHECK(out(&e, 1), "m4 control word: high");
}

static void test_mode2(void)
{
	static const u16 want[] = { 5, 4, 3, 2, 1, 5, 4 };
	struct tenv e;
	unsigned int t;

	setup(&e);
	prog(&e, 1, 2, 5, false);
	for (t = 0; t < 7; t++) {
		at(&e, 1, t);
		CHECK_EQ(cnt(&e, 1), want[t], "m2 count");
		CHECK(out(&e, 1) == (t % 5 != 4), "m2 out at t=%u", t);
	}
	prog(&e, 1, 6, 5, false);			/* 6 aliases 2 */
	CHECK_EQ(e.p.ch[1].mode, 2, "mode 6 stored as 2");
	at(&e, 1, 9);
	CHECK(!out(&e, 1), "m6 behaves as m2");
	prog(&e, 1, 2, 1, false);
	at(&e, 1, 3);
	CHECK(out(&e, 1), "m2 count 1: high");
	CHECK_EQ(cnt(&e, 1), 1, "m2 count 1 reads 1");
}

static void check_square(struct tenv *e, u16 n, const u16 *want)
{
	unsigned int t;

	prog(e, 1, 3, n, false);
	for (t = 0; t <= n; t++) {
		at(e, 1, t);
		CHECK(cnt(e, 1) == want[t], "m3 N=%u t=%u: %u, want %u",
		      n, t, cnt(e, 1), want[t]);
		CHECK(out(e, 1) == (t % n < (n + 1u) / 2),
		      "m3 N=%u out at t=%u", n, t);
	}
}

static void test_mode3(void)
{
	static const u16 w6[] = { 6, 4, 2, 6, 4, 2, 6 };
	static const u16 w5[] = { 5, 4, 2, 5, 2, 5 };
	static const u16 w7[] = { 7, 6, 4, 2, 7, 4, 2, 7 };
	struct tenv e;
	unsigned int t, high = 0;

	setup(&e);
	check_square(&e, 6, w6);
	check_square(&e, 5, w5);
	check_square(&e, 7, w7);
	/* 0x10000: 32768 clocks each half */
	prog(&e, 1, 7, 0, false);			/* 7 aliases 3 */
	at(&e, 1, 32767);
	CHECK(out(&e, 1), "m3 65536 high half");
	CHECK_EQ(cnt(&e, 1), 2, "m3 65536 end of high half");
	at(&e, 1, 32768);
	CHECK(!out(&e, 1), "m3 65536 low half");
	CHECK_EQ(cnt(&e, 1), 0, "m3 65536 reloads (reads 0)");
	/* count 1: OUT never drops */
	prog(&e, 1, 3, 1, false);
	for (t = 0; t < 5; t++) {
		at(&e, 1, t);
		high += out(&e, 1);
	}
	CHECK_EQ(high, 5, "m3 count 1 stays high");
}

static void set_gate2(struct tenv *e, bool on)
{
	x86_pit_write(&e->p, 0x61, on);
}

static void test_modes_1_5(void)
{
	struct tenv e;
	u64 trig;

	setup(&e);
	set_gate2(&e, true);
	prog(&e, 2, 1, 50, false);
	e.now += tk(500);
	CHECK(out(&e, 2), "m1 untriggered: high");
	CHECK_EQ(cnt(&e, 2), 50, "m1 untriggered: count");
	set_gate2(&e, false);
	set_gate2(&e, true);			/* trigger */
	trig = e.now;
	CHECK(!out(&e, 2), "m1 triggered: low");
	e.now = trig + tk(20);
	CHECK_EQ(cnt(&e, 2), 30, "m1 counting");
	set_gate2(&e, false);
	e.now = trig + tk(25);
	CHECK_EQ(cnt(&e, 2), 25, "m1 ignores gate low");
	set_gate2(&e, true);			/* retrigger */
	trig = e.now;
	e.now = trig + tk(49);
	CHECK(!out(&e, 2), "m1 retriggered: still low");
	CHECK_EQ(x86_pit_read(&e.p, 0x61) & 0x20, 0, "port 61 bit 5 low");
	e.now = trig + tk(50);
	CHECK(out(&e, 2), "m1 terminal count: high");
	CHECK_EQ(x86_pit_read(&e.p, 0x61) & 0x20, 0x20, "port 61 bit 5 high");

	prog(&e, 2, 5, 10, false);
	e.now += tk(100);
	CHECK(out(&e, 2), "m5 untriggered: high");
	set_gate2(&e, false);
	set_gate2(&e, true);
	trig = e.now;
	e.now = trig + tk(9);
	CHECK(out(&e, 2), "m5 t=9 high");
	e.now = trig + tk(10);
	CHECK(!out(&e, 2), "m5 strobe");
	e.now = trig + tk(11);
	CHECK(out(&e, 2), "m5 t=11 high");
}

static void test_gate_low(void)
{
	struct tenv e;
	u64 rise;

	setup(&e);
	/* mode 0: gate low holds the count */
	set_gate2(&e, true);
	prog(&e, 2, 0, 1000, false);
	at(&e, 2, 100);
	set_gate2(&e, false);
	e.now += tk(500);
	CHECK_EQ(cnt(&e, 2), 900, "m0 gate low holds");
	set_gate2(&e, true);
	e.now += tk(100);
	CHECK_EQ(cnt(&e, 2), 800, "m0 resumes");
	/* mode 0 programmed with gate low starts on the rising edge */
	set_gate2(&e, false);
	prog(&e, 2, 0, 1000, false);
	e.now += tk(5000);
	CHECK(!out(&e, 2), "m0 not counting with gate low");
	CHECK_EQ(cnt(&e, 2), 1000, "m0 count held at N");
	set_gate2(&e, true);
	rise = e.now;
	e.now = rise + tk(999);
	CHECK(!out(&e, 2), "m0 999 clocks after gate");
	e.now = rise + tk(1000);
	CHECK(out(&e, 2), "m0 1000 clocks after gate");
	/* mode 3: gate low forces OUT high, rising edge restarts */
	prog(&e, 2, 3, 100, false);
	at(&e, 2, 60);
	CHECK(!out(&e, 2), "m3 low half");
	set_gate2(&e, false);
	CHECK(out(&e, 2), "m3 gate low forces high");
	e.now += tk(1000);
	set_gate2(&e, true);
	rise = e.now;
	CHECK_EQ(cnt(&e, 2), 100, "m3 restarted");
	e.now = rise + tk(50);
	CHECK(!out(&e, 2), "m3 restarted low half");
	/* mode 2 restart */
	prog(&e, 2, 2, 100, false);
	at(&e, 2, 30);
	set_gate2(&e, false);
	set_gate2(&e, true);
	rise = e.now;
	e.now = rise + tk(99);
	CHECK(!out(&e, 2), "m2 pulse 99 clocks after restart");
}

static void test_ch0_periodic(void)
{
	static const u16 counts[] = { 0, 1, 2, 11932, 65535 };
	static const u64 periods[] = { 54925401, 838, 1676, 10000150,
				       54924563 };
	struct tenv e;
	unsigned int i;
	u64 load;

	setup(&e);
	for (i = 0; i < 5; i++) {
		u32 n = counts[i] ? counts[i] : 0x10000;

		prog(&e, 0, 2, counts[i], false);
		CHECK(e.armed, "m2 armed for count %u", counts[i]);
		CHECK_EQ(e.period, periods[i], "m2 period");
		CHECK_EQ(e.first, e.now + tk(n), "m2 first expiry");
		CHECK(x86_pit_ch0_periodic(&e.p), "periodic");
		e.now += 12345;
	}
	prog(&e, 0, 3, 1, false);
	CHECK_EQ(e.period, 838, "m3 count 1 period");
	prog(&e, 0, 3, 1000, false);
	CHECK_EQ(e.period, 838095, "m3 count 1000 period");
	/* a mid-period re-arm keeps the phase */
	load = (u64)e.p.ch[0].count_load_time;
	at(&e, 0, 2500);
	x86_pit_state_loaded(&e.p);
	CHECK_EQ(e.first, load + tk(3000), "re-arm keeps phase");
	CHECK_EQ(e.period, 838095, "re-arm period");
	/* a control word cancels */
	x86_pit_write(&e.p, 0x43, 0x34);
	CHECK(!e.armed, "control word cancels");
	CHECK(!x86_pit_ch0_periodic(&e.p), "not periodic while idle");
	x86_pit_write(&e.p, 0x40, 0x9c);
	CHECK(!e.armed, "half a count does not arm");
	x86_pit_write(&e.p, 0x40, 0x2e);
	CHECK(e.armed, "full count arms");
	CHECK_EQ(e.period, 11932ull * 1000000000 / HZ, "period 11932");
	CHECK_EQ(e.bad_arms, 0, "no bad arms");
}

static void test_ch0_oneshot(void)
{
	struct tenv e;
	unsigned int m;

	setup(&e);
	for (m = 0; m < 6; m += 4) {
		prog(&e, 0, (u8)m, 1000, false);
		CHECK(e.armed, "m%u armed", m);
		CHECK_EQ(e.period, 0, "one-shot");
		CHECK_EQ(e.first, e.now + tk(1000), "terminal count");
		CHECK(!x86_pit_ch0_periodic(&e.p), "not periodic");
	}
	/* mode 0 rewrite: the first byte cancels, the second re-arms */
	prog(&e, 0, 0, 1000, false);
	x86_pit_write(&e.p, 0x40, 0x20);
	CHECK(!e.armed, "m0 first byte cancels");
	e.now += 777;
	x86_pit_write(&e.p, 0x40, 0x00);
	CHECK(e.armed, "m0 second byte arms");
	CHECK_EQ(e.first, e.now + tk(0x20), "m0 rewritten one-shot");
	/* past the terminal count, a re-arm does not fire again */
	prog(&e, 0, 4, 1000, false);
	at(&e, 0, 1000);
	x86_pit_state_loaded(&e.p);
	CHECK(!e.armed, "expired one-shot not re-armed");
	/* modes 1 and 5 wait for a gate edge, which ch0 never gets */
	prog(&e, 0, 1, 1000, false);
	CHECK(!e.armed, "m1 untriggered: no arm");
	x86_pit_set_gate(&e.p, 0, false);
	x86_pit_set_gate(&e.p, 0, true);
	CHECK(e.armed, "m1 triggered: armed");
	CHECK_EQ(e.first, e.now + tk(1000), "m1 terminal count");
	x86_pit_write(&e.p, 0x43, 0x30);
	x86_pit_set_gate(&e.p, 0, false);
	x86_pit_write(&e.p, 0x40, 0x10);
	x86_pit_write(&e.p, 0x40, 0x00);
	CHECK(!e.armed, "m0 with gate low: no arm");
	x86_pit_set_gate(&e.p, 0, true);
	CHECK(e.armed, "m0 gate up: armed");
	CHECK_EQ(e.bad_arms, 0, "no bad arms");
}

static void test_hpet_legacy(void)
{
	struct tenv e;

	setup(&e);
	prog(&e, 0, 2, 1000, false);
	CHECK(e.armed, "armed");
	e.p.flags |= X86_PIT_FLAG_HPET_LEGACY;
	x86_pit_state_loaded(&e.p);
	CHECK(!e.armed, "hpet legacy cancels");
	CHECK(!x86_pit_ch0_periodic(&e.p), "hpet: not periodic");
	prog(&e, 0, 2, 500, false);
	CHECK(!e.armed, "hpet: programming does not arm");
	CHECK_EQ(rd16(&e, 0), 500, "hpet: channel still readable");
	e.p.flags = 0;
	x86_pit_state_loaded(&e.p);
	CHECK(e.armed, "hpet off: armed again");
	CHECK_EQ(e.period, 500ull * 1000000000 / HZ, "hpet off: period");
}

/* What firmware and Linux calibration do: ch2 mode 0, poll port 0x61. */
static void test_speaker_loop(void)
{
	struct tenv e;
	unsigned int polls;
	u64 start;

	setup(&e);
	x86_pit_write(&e.p, 0x61, (x86_pit_read(&e.p, 0x61) & ~2) | 1);
	x86_pit_write(&e.p, 0x43, 0xb0);
	x86_pit_write(&e.p, 0x42, 11932 & 0xff);
	x86_pit_write(&e.p, 0x42, 11932 >> 8);
	start = e.now;
	for (polls = 0; polls < 100000; polls++) {
		if (x86_pit_read(&e.p, 0x61) & 0x20)
			break;
		e.now += 1000;
	}
	CHECK(polls < 100000, "bit 5 never set");
	CHECK(e.now >= start + tk(11932) && e.now < start + tk(11932) + 1000,
	      "10 ms: took %llu ns", (unsigned long long)(e.now - start));
	CHECK_EQ(x86_pit_read(&e.p, 0x61) & 0x03, 0x01, "gate on, spk off");
	CHECK_EQ(e.arms, 0, "channel 2 does not arm the host timer");
	/* speaker data bit and stored bits */
	x86_pit_write(&e.p, 0x61, 0xff);
	CHECK_EQ(x86_pit_read(&e.p, 0x61) & 0xcf, 0x0f, "bits 0-3 back");
	CHECK(e.p.flags & X86_PIT_FLAG_SPEAKER_DATA_ON, "speaker flag");
	x86_pit_write(&e.p, 0x61, 0x01);
	CHECK(!(e.p.flags & X86_PIT_FLAG_SPEAKER_DATA_ON), "speaker off");
}

static void test_refresh(void)
{
	struct tenv e;
	unsigned int i, changes = 0;
	u8 prev, v;

	setup(&e);
	prev = x86_pit_read(&e.p, 0x61) & 0x10;
	for (i = 0; i < 10; i++) {
		e.now += 15085;
		v = x86_pit_read(&e.p, 0x61) & 0x10;
		changes += v != prev;
		prev = v;
	}
	CHECK_EQ(changes, 10, "refresh toggles every 15085 ns");
	e.now += 1;
	CHECK_EQ(x86_pit_read(&e.p, 0x61) & 0x10, prev, "not faster");
}

static void test_save_restore(void)
{
	struct tenv a, b;
	u64 load, k;

	setup(&a);
	setup(&b);
	prog(&a, 0, 2, 1000, false);
	set_gate2(&a, true);
	prog(&a, 2, 0, 5000, false);
	at(&a, 2, 100);
	set_gate2(&a, false);			/* held at 4900 */
	a.now += tk(1777);
	x86_pit_state_save(&a.p);
	b.now = a.now;
	memcpy(b.p.ch, a.p.ch, sizeof(a.p.ch));
	b.p.flags = a.p.flags;
	x86_pit_state_loaded(&b.p);
	CHECK_EQ(cnt(&b, 2), 4900, "held count survives restore");
	CHECK(b.armed, "ch0 re-armed");
	CHECK_EQ(b.period, a.period, "same period");
	load = (u64)a.p.ch[0].count_load_time;
	k = (b.now - load) * HZ / 1000000000 / 1000 + 1;
	CHECK_EQ(b.first, load + tk(1000 * k), "first expiry on the grid");
	CHECK(k == 2, "restored in the second period (k=%llu)",
	      (unsigned long long)k);
	set_gate2(&b, true);
	b.now += tk(900);
	CHECK_EQ(cnt(&b, 2), 4000, "held count resumes after restore");
	/* a future count_load_time becomes now */
	b.p.ch[1].count_load_time = (s64)(b.now + 1000000000);
	b.p.ch[1].mode = 0;
	b.p.ch[1].count = 10;
	x86_pit_state_loaded(&b.p);
	CHECK_EQ((u64)b.p.ch[1].count_load_time, b.now, "future load time");
}

static void test_garbage_state(void)
{
	struct tenv e;

	setup(&e);
	e.p.ch[0].mode = 7;
	e.p.ch[0].count = 0x12345;
	e.p.ch[0].gate = 9;
	e.p.ch[0].rw_mode = 0;
	e.p.ch[0].read_state = 200;
	e.p.ch[0].write_state = 0;
	e.p.ch[0].count_latched = 77;
	e.p.ch[0].bcd = 0xfe;
	e.p.ch[0].count_load_time = (s64)e.now;
	/* reads and writes before any sanitising must be safe */
	(void)x86_pit_read(&e.p, 0x40);
	(void)x86_pit_read(&e.p, 0x40);
	e.p.ch[0].read_state = 200;
	x86_pit_state_loaded(&e.p);
	CHECK_EQ(e.p.ch[0].mode, 3, "mode 7 -> 3");
	CHECK_EQ(e.p.ch[0].count, 0x10000, "count clamped");
	CHECK_EQ(e.p.ch[0].gate, 1, "gate 0/1");
	CHECK_EQ(e.p.ch[0].rw_mode, 3, "rw_mode fixed");
	CHECK_EQ(e.p.ch[0].read_state, 3, "read_state fixed");
	CHECK_EQ(e.p.ch[0].count_latched, 0, "count_latched fixed");
	CHECK_EQ(e.p.ch[0].bcd, 0, "bcd 0/1");
	CHECK(e.armed, "mode 3 armed");
	CHECK_EQ(e.period, 54925401, "clamped count period");
	e.p.ch[0].count = 1;
	x86_pit_state_loaded(&e.p);
	CHECK_EQ(e.period, 838, "count 1 mode 3: nonzero period");
	e.p.ch[0].mode = 200;			/* 200 & 7 = 0 */
	e.p.ch[0].count = 0;
	x86_pit_state_loaded(&e.p);
	CHECK_EQ(e.p.ch[0].mode, 0, "mode 200 -> 0");
	CHECK_EQ(e.p.ch[0].count, 0, "count 0 kept (= 0x10000)");
	CHECK_EQ(e.first, e.now + tk(0x10000), "count 0 one-shot");
	e.p.ch[0].count_load_time = INT64_MIN;
	e.p.ch[0].mode = 2;
	x86_pit_state_loaded(&e.p);
	CHECK_EQ(e.bad_arms, 0, "no bad arms");
}

static u64 lcg(u64 *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* Random state and port traffic: sanitizers watch, no zero periods. */
static void test_fuzz(void)
{
	static const u16 ports[] = { 0x40, 0x41, 0x42, 0x43, 0x61, 0x60 };
	struct tenv e;
	u64 s = 42;
	unsigned int i, j;

	setup(&e);
	for (i = 0; i < 300; i++) {
		u8 *raw = (u8 *)e.p.ch;

		if (i % 3 == 0) {
			for (j = 0; j < sizeof(e.p.ch); j++)
				raw[j] = (u8)lcg(&s);
			e.p.flags = (u32)lcg(&s);
			if (i % 2)
				x86_pit_state_loaded(&e.p);
		}
		for (j = 0; j < 200; j++) {
			u16 port = ports[lcg(&s) % 6];

			e.now += lcg(&s) % 100000;
			if (lcg(&s) & 1)
				x86_pit_write(&e.p, port, (u8)lcg(&s));
			else
				(void)x86_pit_read(&e.p, port);
		}
		(void)x86_pit_channel_count(&e.p, (unsigned int)i % 5, e.now);
		(void)x86_pit_channel_output(&e.p, (unsigned int)i % 5, e.now);
		x86_pit_set_gate(&e.p, (unsigned int)i % 4, lcg(&s) & 1);
		x86_pit_state_save(&e.p);
	}
	CHECK(e.arms > 100, "fuzz armed the timer (%u)", e.arms);
	CHECK_EQ(e.bad_arms, 0, "fuzz: no bad arms");
}

void run_pit_tests(void)
{
	test_reset();
	test_rw_modes();
	test_latch();
	test_read_back();
	test_bcd();
	test_mode0_mode4();
	test_mode2();
	test_mode3();
	test_modes_1_5();
	test_gate_low();
	test_ch0_periodic();
	test_ch0_oneshot();
	test_hpet_legacy();
	test_speaker_loop();
	test_refresh();
	test_save_restore();
	test_garbage_state();
	test_fuzz();
}
