// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the I/O APIC model (arch/x86/kvm/dev/ioapic.c).
 */
#include "check.h"
#include "ioapic.h"

/* A fake APIC bus, reached through io->opaque. */
struct bus {
	int accept;		/* what deliver() returns */
	int n;			/* messages sent */
	struct x86_apic_msg last;
};

static int fake_deliver(struct x86_ioapic *io, const struct x86_apic_msg *m)
{
	struct bus *b = io->opaque;

	b->n++;
	b->last = *m;
	return b->accept;
}

static const struct x86_ioapic_ops fake_ops = { .deliver = fake_deliver };

static void setup(struct x86_ioapic *io, struct bus *b)
{
	memset(io, 0, sizeof(*io));
	memset(b, 0, sizeof(*b));
	b->accept = 1;
	io->ops = &fake_ops;
	io->opaque = b;
	x86_ioapic_reset(io);
}

static void wr(struct x86_ioapic *io, u32 reg, u32 val)
{
	x86_ioapic_mmio_write(io, X86_IOAPIC_IOREGSEL, reg, 4);
	x86_ioapic_mmio_write(io, X86_IOAPIC_IOWIN, val, 4);
}

static u32 rd(struct x86_ioapic *io, u32 reg)
{
	x86_ioapic_mmio_write(io, X86_IOAPIC_IOREGSEL, reg, 4);
	return x86_ioapic_mmio_read(io, X86_IOAPIC_IOWIN, 4);
}

/* Program entry @pin, high half first as OSes do. */
static void set_entry(struct x86_ioapic *io, int pin, u64 e)
{
	wr(io, 0x11 + 2 * pin, (u32)(e >> 32));
	wr(io, 0x10 + 2 * pin, (u32)e);
}

static u64 get_entry(struct x86_ioapic *io, int pin)
{
	return ((u64)rd(io, 0x11 + 2 * pin) << 32) | rd(io, 0x10 + 2 * pin);
}

#define LEVEL	X86_IOAPIC_LEVEL
#define MASKED	X86_IOAPIC_MASKED
#define RIRR	X86_IOAPIC_REMOTE_IRR
#define DEST(d)	((u64)(d) << 56)

static void test_reset_regs(void)
{
	struct x86_ioapic io;
	struct bus b;
	int pin, bad = 0;

	setup(&io, &b);
	CHECK_EQ(io.base_address, 0xfec00000ull, "base");
	CHECK_EQ(rd(&io, 1), 0x00170011, "version");
	CHECK_EQ(rd(&io, 0), 0, "id");
	for (pin = 0; pin < X86_IOAPIC_PINS; pin++) {
		if (get_entry(&io, pin) != MASKED)
			bad++;
	}
	CHECK_EQ(bad, 0, "all entries masked");
	x86_ioapic_mmio_write(&io, 0, 0x23, 4);
	CHECK_EQ(x86_ioapic_mmio_read(&io, 0, 4), 0x23, "ioregsel");
	x86_ioapic_mmio_write(&io, 0, 0x1ff, 4);
	CHECK_EQ(x86_ioapic_mmio_read(&io, 0, 4), 0xff, "ioregsel 8 bits");

	wr(&io, 0, 0xff000000);
	CHECK_EQ(io.id, 0xf, "id 4 bits");
	CHECK_EQ(rd(&io, 0), 0x0f000000, "id read");
	CHECK_EQ(rd(&io, 2), 0x0f000000, "arbitration = id");
	wr(&io, 1, 0);
	wr(&io, 2, 0);
	CHECK_EQ(rd(&io, 1), 0x00170011, "version read-only");
	CHECK_EQ(rd(&io, 2), 0x0f000000, "arbitration read-only");
	x86_ioapic_reset(&io);
	CHECK(io.opaque == &b && io.ops == &fake_ops, "reset keeps ops");
	CHECK_EQ(io.id, 0, "reset id");

	set_entry(&io, 23, DEST(0xa5) | MASKED | LEVEL | 0x0fe);
	CHECK_EQ(rd(&io, 0x3e), 0x180fe, "entry 23 low");
	CHECK_EQ(rd(&io, 0x3f), 0xa5000000, "entry 23 high");
	CHECK_EQ(io.redir[23], DEST(0xa5) | MASKED | LEVEL | 0xfe, "stored");
}

static void test_bad_regs(void)
{
	struct x86_ioapic io, ref;
	struct bus b;
	u32 reg;
	int bad = 0;

	setup(&io, &b);
	for (reg = 3; reg < 0x10; reg++)
		bad += rd(&io, reg) != 0;
	for (reg = 0x40; reg < 0x100; reg++)
		bad += rd(&io, reg) != 0;
	CHECK_EQ(bad, 0, "unknown registers read 0");
	ref = io;
	for (reg = 3; reg < 0x10; reg++)
		wr(&io, reg, 0xffffffff);
	for (reg = 0x40; reg < 0x100; reg++)
		wr(&io, reg, 0);
	io.ioregsel = ref.ioregsel;
	CHECK(!memcmp(&io, &ref, sizeof(io)), "unknown registers ignored");
	/* A garbage ioregsel from a restore stays in bounds. */
	io.ioregsel = 0xffffff3f;
	CHECK_EQ(x86_ioapic_mmio_read(&io, 0x10, 4), 0x0, "0x3f high");
	io.ioregsel = 0xffffffff;
	x86_ioapic_mmio_write(&io, 0x10, 0x12345678, 4);
	CHECK(!memcmp(io.redir, ref.redir, sizeof(io.redir)), "0xff write");
}

static void test_mmio_sizes(void)
{
	struct x86_ioapic io;
	struct bus b;

	setup(&io, &b);
	io.redir[0] = 0xab012345;
	x86_ioapic_mmio_write(&io, 0x00, 0x10, 1);
	CHECK_EQ(io.ioregsel, 0x10, "byte write of IOREGSEL");
	CHECK_EQ(x86_ioapic_mmio_read(&io, 0x10, 1), 0x45, "byte 0");
	CHECK_EQ(x86_ioapic_mmio_read(&io, 0x11, 1), 0x23, "byte 1");
	CHECK_EQ(x86_ioapic_mmio_read(&io, 0x12, 2), 0xab01, "word 1");
	CHECK_EQ(x86_ioapic_mmio_read(&io, 0x13, 2), 0, "straddling word");
	CHECK_EQ(x86_ioapic_mmio_read(&io, 0x10, 3), 0, "3 bytes");
	CHECK_EQ(x86_ioapic_mmio_read(&io, 0x12, 4), 0, "unaligned dword");
	CHECK_EQ(x86_ioapic_mmio_read(&io, 0x10, 8), 0xab012345, "qword");
	CHECK_EQ(x86_ioapic_mmio_read(&io, 0x20, 4), 0, "offset 0x20");
	CHECK_EQ(x86_ioapic_mmio_read(&io, 0x40, 4), 0, "no EOI reg");
	x86_ioapic_mmio_write(&io, 0x10, 0xfffe0077, 2);
	CHECK_EQ(io.redir[0], 0x0077, "word write zero-extends");
	x86_ioapic_mmio_write(&io, 0x10, 0x12345, 3);
	x86_ioapic_mmio_write(&io, 0x11, 0x12345, 1);
	x86_ioapic_mmio_write(&io, 0x40, 0x12345, 4);
	CHECK_EQ(io.redir[0], 0x0077, "bad writes ignored");
	CHECK_EQ(io.ioregsel, 0x10, "ioregsel kept");
	x86_ioapic_mmio_write(&io, 0x00, 0x11, 8);
	CHECK_EQ(io.ioregsel, 0x11, "qword write");
}

static void test_ro_bits(void)
{
	struct x86_ioapic io;
	struct bus b;

	setup(&io, &b);
	set_entry(&io, 3, LEVEL | RIRR | X86_IOAPIC_DELIV_STATUS | 0x50);
	CHECK_EQ(io.redir[3], LEVEL | 0x50, "RO bits not written");
	CHECK_EQ(x86_ioapic_set_irq(&io, 3, 1), 1, "delivered");
	CHECK_EQ(io.redir[3] & RIRR, RIRR, "remote IRR set");
	wr(&io, 0x16, (u32)(LEVEL | 0x50 | MASKED));
	CHECK_EQ(io.redir[3] & RIRR, RIRR, "remote IRR kept on write");
	CHECK_EQ(rd(&io, 0x16) & (1u << 14), 1u << 14, "remote IRR read");
	/* Switching to edge drops remote IRR. */
	wr(&io, 0x16, 0x50 | (u32)MASKED);
	CHECK_EQ(io.redir[3] & RIRR, 0, "edge: no remote IRR");
}

static void test_edge(void)
{
	struct x86_ioapic io;
	struct bus b;

	setup(&io, &b);
	set_entry(&io, 1, DEST(2) | 0x31);
	CHECK_EQ(x86_ioapic_set_irq(&io, 1, 1), 1, "rising edge");
	CHECK_EQ(b.n, 1, "one message");
	CHECK_EQ(b.last.vector, 0x31, "vector");
	CHECK_EQ(b.last.level_trig, 0, "edge");
	CHECK_EQ(io.irr & 2, 2, "line high");
	CHECK_EQ(x86_ioapic_visible_irr(&io) & 2, 0, "delivered: hidden");
	CHECK_EQ(x86_ioapic_set_irq(&io, 1, 1), 0, "no edge");
	CHECK_EQ(x86_ioapic_visible_irr(&io) & 2, 2, "asserted again: shown");
	CHECK_EQ(b.n, 1, "still one");
	CHECK_EQ(io.redir[1] & RIRR, 0, "edge: no remote IRR");
	CHECK_EQ(x86_ioapic_set_irq(&io, 1, 0), 1, "falling");
	CHECK_EQ(io.irr & 2, 0, "irr follows the line");
	CHECK_EQ(b.n, 1, "falling sends nothing");
	b.accept = 0;
	CHECK_EQ(x86_ioapic_set_irq(&io, 1, 1), 0, "nobody accepted");
	CHECK_EQ(b.n, 2, "but sent");
	x86_ioapic_eoi(&io, 0x31, false, NULL);
	CHECK_EQ(b.n, 2, "EOI: nothing for edge pins");

	/* A masked edge is lost, also when unmasked later. */
	b.accept = 1;
	set_entry(&io, 4, MASKED | 0x34);
	CHECK_EQ(x86_ioapic_set_irq(&io, 4, 1), -1, "masked");
	set_entry(&io, 4, 0x34);
	CHECK_EQ(b.n, 2, "edge not replayed on unmask");
	x86_ioapic_set_irq(&io, 4, 0);
	CHECK_EQ(x86_ioapic_set_irq(&io, 4, 1), 1, "next edge goes");

	CHECK_EQ(x86_ioapic_set_irq(&io, 24, 1), -1, "pin 24");
	CHECK_EQ(x86_ioapic_set_irq(&io, -1, 1), -1, "pin -1");
	CHECK_EQ(x86_ioapic_set_irq(&io, 1000, 0), -1, "pin 1000");
	CHECK_EQ(io.irr, 0x12, "only pins 1 and 4 asserted");
	CHECK_EQ(io.lines, io.irr, "lines mirror");
	x86_ioapic_state_loaded(&io);
	CHECK_EQ(x86_ioapic_visible_irr(&io), 0x12, "loaded state: all shown");
}

static void test_level(void)
{
	struct x86_ioapic io;
	struct bus b;

	setup(&io, &b);
	set_entry(&io, 9, DEST(1) | LEVEL | 0x41);
	CHECK_EQ(x86_ioapic_set_irq(&io, 9, 1), 1, "level delivered");
	CHECK_EQ(b.last.level_trig, 1, "level message");
	CHECK(b.last.assert, "assert");
	CHECK_EQ(io.redir[9] & RIRR, RIRR, "remote IRR");
	CHECK_EQ(x86_ioapic_set_irq(&io, 9, 1), -1, "remote IRR set");
	CHECK_EQ(b.n, 1, "one message");
	x86_ioapic_eoi(&io, 0x42, true, NULL);
	CHECK_EQ(io.redir[9] & RIRR, RIRR, "other vector: kept");
	x86_ioapic_eoi(&io, 0x41, true, NULL);
	CHECK_EQ(b.n, 2, "still asserted: sent again");
	CHECK_EQ(io.redir[9] & RIRR, RIRR, "remote IRR again");
	x86_ioapic_set_irq(&io, 9, 0);
	x86_ioapic_eoi(&io, 0x41, true, NULL);
	CHECK_EQ(b.n, 2, "deasserted: nothing");
	CHECK_EQ(io.redir[9] & RIRR, 0, "remote IRR cleared");

	/* Not accepted: no remote IRR, the next assertion retries. */
	b.accept = 0;
	CHECK_EQ(x86_ioapic_set_irq(&io, 9, 1), 0, "nobody");
	CHECK_EQ(io.redir[9] & RIRR, 0, "no remote IRR");
	b.accept = 2;
	CHECK_EQ(x86_ioapic_set_irq(&io, 9, 1), 1, "retried");
	CHECK_EQ(b.n, 4, "two sends");

	/* Masked while asserted: delivered on unmask. */
	x86_ioapic_set_irq(&io, 9, 0);
	x86_ioapic_eoi(&io, 0x41, true, NULL);
	set_entry(&io, 10, MASKED | LEVEL | 0x51);
	CHECK_EQ(x86_ioapic_set_irq(&io, 10, 1), -1, "masked");
	CHECK_EQ(b.n, 4, "nothing sent");
	set_entry(&io, 10, LEVEL | 0x51);
	CHECK_EQ(b.n, 5, "sent on unmask");
	CHECK_EQ(b.last.vector, 0x51, "its vector");
	CHECK_EQ(io.redir[10] & RIRR, RIRR, "remote IRR");
	/* Masked during service: EOI clears, no send until unmask. */
	wr(&io, 0x24, (u32)(MASKED | LEVEL | 0x51));
	x86_ioapic_eoi(&io, 0x51, true, NULL);
	CHECK_EQ(b.n, 5, "masked: no resend");
	CHECK_EQ(io.redir[10] & RIRR, 0, "but remote IRR cleared");
	x86_ioapic_set_irq(&io, 10, 0);
	wr(&io, 0x24, (u32)(LEVEL | 0x51));
	CHECK_EQ(b.n, 5, "line low: nothing on unmask");
}

/* pin_eoi: which pins heard the EOI, and whether to lower them there. */
struct eoi_bus {
	struct bus b;
	u32 heard;
	const void *src;	/* what the last call was given */
	u64 rirr_seen;		/* the pin's remote IRR when told */
	int lower;		/* lower the pin from the callback */
};

static int eoi_deliver(struct x86_ioapic *io, const struct x86_apic_msg *m)
{
	struct eoi_bus *e = io->opaque;

	e->b.n++;
	e->b.last = *m;
	return 1;
}

static void eoi_pin(struct x86_ioapic *io, int pin, const void *src)
{
	struct eoi_bus *e = io->opaque;

	e->heard |= 1u << pin;
	e->src = src;
	e->rirr_seen = io->redir[pin] & RIRR;
	if (e->lower)
		x86_ioapic_set_irq(io, pin, 0);
}

static const struct x86_ioapic_ops eoi_ops = {
	.deliver = eoi_deliver, .pin_eoi = eoi_pin,
};

static void test_pin_eoi(void)
{
	struct x86_ioapic io;
	struct eoi_bus e;

	memset(&io, 0, sizeof(io));
	memset(&e, 0, sizeof(e));
	io.ops = &eoi_ops;
	io.opaque = &e;
	x86_ioapic_reset(&io);
	set_entry(&io, 3, 0x33);			/* edge */
	set_entry(&io, 4, MASKED | 0x33);		/* edge, masked */
	set_entry(&io, 9, LEVEL | 0x41);
	set_entry(&io, 5, LEVEL | 0x33);		/* level, same vector */
	x86_ioapic_eoi(&io, 0x33, false, &e);
	CHECK_EQ(e.heard, (1u << 3) | (1u << 4), "edge EOI: edge pins");
	CHECK(e.src == &e, "the EOI's source passed on");
	e.heard = 0;
	x86_ioapic_set_irq(&io, 5, 1);
	x86_ioapic_eoi(&io, 0x33, false, NULL);
	CHECK_EQ(io.redir[5] & RIRR, RIRR, "edge EOI: level pin kept");
	x86_ioapic_eoi(&io, 0x33, true, NULL);
	CHECK_EQ(e.heard & (1u << 5), 1u << 5, "level EOI: level pin");
	CHECK_EQ(io.redir[5] & RIRR, RIRR, "still asserted: in service again");
	e.heard = 0;
	x86_ioapic_set_irq(&io, 9, 1);
	CHECK_EQ(e.b.n, 3, "level sent");
	x86_ioapic_eoi(&io, 0x41, true, NULL);
	CHECK_EQ(e.heard, 1u << 9, "level pin told");
	CHECK_EQ(e.rirr_seen, RIRR, "told before remote IRR is cleared");
	CHECK_EQ(e.b.n, 4, "still asserted: sent again");
	/* Lowered by the callback: no second message (resampling). */
	e.lower = 1;
	x86_ioapic_eoi(&io, 0x41, true, NULL);
	CHECK_EQ(e.b.n, 4, "lowered in pin_eoi: not sent again");
	CHECK_EQ(io.redir[9] & RIRR, 0, "remote IRR cleared");
	CHECK_EQ(io.irr & (1u << 9), 0, "line low");
}

/* Counts sends per pin through a vector-to-pin map. */
struct storm {
	struct bus b;
	int per_vec[256];
};

static int storm_deliver(struct x86_ioapic *io, const struct x86_apic_msg *m)
{
	struct storm *s = io->opaque;

	s->b.n++;
	s->per_vec[m->vector]++;
	return 1;
}

static const struct x86_ioapic_ops storm_ops = { .deliver = storm_deliver };

static void test_eoi_storm(void)
{
	struct x86_ioapic io;
	struct storm s;
	int pin;

	memset(&io, 0, sizeof(io));
	memset(&s, 0, sizeof(s));
	io.ops = &storm_ops;
	io.opaque = &s;
	x86_ioapic_reset(&io);
	for (pin = 0; pin < X86_IOAPIC_PINS; pin++) {
		set_entry(&io, pin, LEVEL | 0x60);
		x86_ioapic_set_irq(&io, pin, 1);
	}
	CHECK_EQ(s.b.n, 24, "all pins once");
	x86_ioapic_eoi(&io, 0x60, true, NULL);
	CHECK_EQ(s.b.n, 48, "one EOI: each pin once more");
	x86_ioapic_eoi(&io, 0x61, true, NULL);
	CHECK_EQ(s.b.n, 48, "wrong vector");
	CHECK_EQ(s.per_vec[0x60], 48, "vector 0x60");
}

static void test_msg(void)
{
	struct x86_ioapic io;
	struct bus b;
	struct x86_apic_msg m;

	setup(&io, &b);
	set_entry(&io, 5, DEST(0xab) | X86_IOAPIC_DEST_LOGICAL | LEVEL |
		  X86_IOAPIC_POLARITY_LOW | (1ull << 8) | 0x77);
	CHECK_EQ(x86_ioapic_build_msg(&io, 5, &m), 0, "built");
	CHECK_EQ(m.dest, 0xab, "logical dest");
	CHECK_EQ(m.vector, 0x77, "vector");
	CHECK_EQ(m.delivery_mode, X86_DM_LOWEST, "lowest priority");
	CHECK_EQ(m.dest_logical, 1, "logical");
	CHECK_EQ(m.level_trig, 1, "level");
	CHECK_EQ(m.assert, 1, "assert");
	CHECK_EQ(m.shorthand, X86_SH_NONE, "no shorthand");
	CHECK_EQ(m.x2apic_format, 0, "xAPIC format");

	set_entry(&io, 6, DEST(0x03) | (7ull << 8) | 0x00);
	x86_ioapic_set_irq(&io, 6, 1);
	CHECK_EQ(b.last.dest, 3, "physical dest");
	CHECK_EQ(b.last.dest_logical, 0, "physical");
	CHECK_EQ(b.last.delivery_mode, X86_DM_EXTINT, "ExtINT");
	CHECK_EQ(b.last.level_trig, 0, "edge");

	/* Polarity is ignored: active-low entries use logical levels. */
	set_entry(&io, 7, X86_IOAPIC_POLARITY_LOW | 0x37);
	CHECK_EQ(x86_ioapic_set_irq(&io, 7, 0), 1, "deassert");
	CHECK_EQ(b.n, 1, "no send on low");
	CHECK_EQ(x86_ioapic_set_irq(&io, 7, 1), 1, "assert sends");

	memset(&m, 0x11, sizeof(m));
	CHECK_EQ(x86_ioapic_build_msg(&io, 24, &m), -1, "pin 24");
	CHECK_EQ(x86_ioapic_build_msg(&io, -5, &m), -1, "pin -5");
	CHECK_EQ(m.vector, 0x11, "message untouched");
}

static void test_state_loaded(void)
{
	struct x86_ioapic io;
	struct bus b;
	int pin, bad = 0;

	setup(&io, &b);
	memset(io.redir, 0xff, sizeof(io.redir));
	io.irr = 0xffffffff;
	io.ioregsel = 0xdeadbeef;
	x86_ioapic_state_loaded(&io);
	CHECK_EQ(b.n, 0, "nothing delivered");
	CHECK_EQ(io.irr, 0xffffff, "irr 24 pins");
	CHECK_EQ(io.lines, 0xffffff, "lines");
	for (pin = 0; pin < X86_IOAPIC_PINS; pin++)
		bad += !!(io.redir[pin] & X86_IOAPIC_DELIV_STATUS);
	CHECK_EQ(bad, 0, "delivery status cleared");
	CHECK_EQ(x86_ioapic_mmio_read(&io, 0x10, 4), 0, "reg 0xef reads 0");
	/* Masked garbage: an EOI clears remote IRR, still masked: no send. */
	x86_ioapic_eoi(&io, 0xff, true, NULL);
	CHECK_EQ(b.n, 0, "masked pins stay silent");
	CHECK_EQ(io.redir[0] & RIRR, 0, "remote IRR cleared");
}

static u32 rng_state;

static u32 rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* Random guest and device activity: no UB, invariants hold. */
static void test_fuzz(void)
{
	struct x86_ioapic io;
	struct bus b;
	int i, pin, bad = 0, before;

	rng_state = 7;
	setup(&io, &b);
	for (i = 0; i < 200000; i++) {
		b.accept = rng() % 3;
		switch (rng() % 5) {
		case 0:
			x86_ioapic_mmio_write(&io, rng() % 0x48, rng(),
					      rng() % 10);
			break;
		case 1:
			x86_ioapic_mmio_read(&io, rng() % 0x48, rng() % 10);
			break;
		case 2:
			x86_ioapic_set_irq(&io, (int)(rng() % 30) - 3,
					   rng() & 1);
			break;
		case 3:
			before = b.n;
			x86_ioapic_eoi(&io, (u8)io.redir[rng() % 24], rng() & 1, NULL);
			bad += b.n - before > X86_IOAPIC_PINS;
			break;
		default:
			io.ioregsel = 0x10 + rng() % 0x30;
			break;
		}
		for (pin = 0; pin < X86_IOAPIC_PINS; pin++) {
			u64 e = io.redir[pin];

			bad += !!(e & X86_IOAPIC_DELIV_STATUS);
			bad += (e & RIRR) && !(e & LEVEL);
		}
		bad += io.lines != io.irr;
	}
	CHECK_EQ(bad, 0, "fuzz invariants");
	CHECK(b.n > 0, "fuzz delivered something");
}

void run_ioapic_tests(void)
{
	test_reset_regs();
	test_bad_regs();
	test_mmio_sizes();
	test_ro_bits();
	test_edge();
	test_level();
	test_eoi_storm();
	test_pin_eoi();
	test_msg();
	test_state_loaded();
	test_fuzz();
}
