// SPDX-License-Identifier: GPL-2.0-only
/*
 * ALU results and flags checked against this x86-64 host: every operation
 * is run natively with inline assembly (flags loaded with POPF, read back
 * with PUSHF) and through the emulator, for every operand size and for
 * every encoding form (r/m,r  r,r/m  reg,reg  r/m,imm  acc,imm  unary).
 */
#include "harness.h"

#if !defined(__x86_64__)
#error "the flag tests compare against the native x86-64 ALU"
#endif

/* Step around the red zone: the asm pushes onto the stack. */
#define ASM_BIN(mn, sfx, m)						\
	asm volatile("lea -128(%%rsp), %%rsp\n\t"			\
		     "push %[fl]\n\t"					\
		     "popfq\n\t"					\
		     mn sfx " %" m "[b], %" m "[a]\n\t"			\
		     "pushfq\n\t"					\
		     "pop %[fl]\n\t"					\
		     "lea 128(%%rsp), %%rsp"				\
		     : [a] "+r"(a), [fl] "+r"(fl) : [b] "r"(b) : "cc", "memory")

#define ASM_UN(mn, sfx, m)						\
	asm volatile("lea -128(%%rsp), %%rsp\n\t"			\
		     "push %[fl]\n\t"					\
		     "popfq\n\t"					\
		     mn sfx " %" m "[a]\n\t"				\
		     "pushfq\n\t"					\
		     "pop %[fl]\n\t"					\
		     "lea 128(%%rsp), %%rsp"				\
		     : [a] "+r"(a), [fl] "+r"(fl) : : "cc", "memory")

#define BY_SIZE(X, mn)							\
	do {								\
		switch (size) {						\
		case 1: X(mn, "b", "b"); break;				\
		case 2: X(mn, "w", "w"); break;				\
		case 4: X(mn, "l", "k"); break;				\
		default: X(mn, "q", "q"); break;			\
		}							\
	} while (0)

static u64 mask_of(unsigned int size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

u64 native_alu(enum nat_op op, unsigned int size, u64 a, u64 b, u64 fl_in,
	       u64 *fl_out)
{
	/*
	 * Only the arithmetic flags are loaded: TF/AC would trap and DF=1
	 * would break the C library (DF must be clear at calls).
	 */
	u64 fl = (fl_in & RFL_ARITH) | 0x2;

	switch (op) {
	case N_ADD: BY_SIZE(ASM_BIN, "add"); break;
	case N_OR:  BY_SIZE(ASM_BIN, "or"); break;
	case N_ADC: BY_SIZE(ASM_BIN, "adc"); break;
	case N_SBB: BY_SIZE(ASM_BIN, "sbb"); break;
	case N_AND: BY_SIZE(ASM_BIN, "and"); break;
	case N_SUB: BY_SIZE(ASM_BIN, "sub"); break;
	case N_XOR: BY_SIZE(ASM_BIN, "xor"); break;
	case N_CMP: BY_SIZE(ASM_BIN, "cmp"); break;
	case N_TEST: BY_SIZE(ASM_BIN, "test"); break;
	case N_INC: BY_SIZE(ASM_UN, "inc"); break;
	case N_DEC: BY_SIZE(ASM_UN, "dec"); break;
	case N_NEG: BY_SIZE(ASM_UN, "neg"); break;
	case N_NOT: BY_SIZE(ASM_UN, "not"); break;
	default: break;
	}
	*fl_out = fl;
	return a & mask_of(size);
}

u64 native_defined_flags(enum nat_op op)
{
	switch (op) {
	case N_AND:
	case N_OR:
	case N_XOR:
	case N_TEST:
		return RFL_ARITH & ~RFL_AF;	/* AF is undefined */
	default:
		return RFL_ARITH;
	}
}

static bool writes_result(enum nat_op op)
{
	return op != N_CMP && op != N_TEST;
}

/* Encoding forms. */
enum form { FM_MEM_REG, FM_REG_MEM, FM_REG_REG, FM_MEM_IMM, FM_ACC_IMM, FM_NR };


struct enc {
	u8 bytes[16];
	unsigned int len;
	enum form form;		/* the form actually encoded */
	bool unary;
	u64 b;			/* immediate after sign extension */
};

static void put(struct enc *x, u8 b)
{
	x->bytes[x->len++] = b;
}

/* Immediate of @n bytes chosen from @r, sign-extended to the op size. */
static void put_imm(struct enc *x, u64 r, unsigned int n, unsigned int size)
{
	u64 v = r & mask_of(n), sign = 1ull << (8 * n - 1);
	unsigned int i;

	for (i = 0; i < n; i++)
		put(x, (u8)(v >> (8 * i)));
	if (n < size)
		v = (v ^ sign) - sign;
	x->b = v & mask_of(size);
}

static void enc_binary(struct enc *x, enum nat_op op, unsigned int size,
		       enum form f, u64 r)
{
	unsigned int w = size != 1, isz = size > 4 ? 4 : size;
	u8 base = op == N_TEST ? 0x84 : (u8)(op * 8);

	if (op == N_TEST && (f == FM_REG_MEM || f == FM_REG_REG))
		f = FM_MEM_REG;	/* TEST r,r/m does not exist */
	x->form = f;
	switch (f) {
	case FM_MEM_REG:	/* op [rdi], dl/dx/edx/rdx */
		put(x, base + w);
		put(x, 0x17);
		break;
	case FM_REG_MEM:	/* op dl/dx/edx/rdx, [rdi] */
		put(x, base + 2 + w);
		put(x, 0x17);
		break;
	case FM_REG_REG:	/* op cl/cx/ecx/rcx, dl/dx/edx/rdx */
		put(x, base + w);
		put(x, 0xd1);
		break;
	case FM_MEM_IMM:
		if (op == N_TEST) {
			put(x, 0xf6 + w);
			put(x, 0x07);
			put_imm(x, r, isz, size);
		} else if (size > 1 && (r & 1)) {
			put(x, 0x83);
			put(x, (u8)(op << 3) | 7);
			put_imm(x, r >> 1, 1, size);
		} else {
			put(x, 0x80 + w);
			put(x, (u8)(op << 3) | 7);
			put_imm(x, r >> 1, isz, size);
		}
		break;
	default:		/* op al/ax/eax/rax, imm */
		put(x, op == N_TEST ? 0xa8 + w : base + 4 + w);
		put_imm(x, r, isz, size);
		break;
	}
}

static void enc_unary(struct enc *x, enum nat_op op, unsigned int size)
{
	static const u8 modrm[] = { [N_INC] = 0x07, [N_DEC] = 0x0f,
				    [N_NOT] = 0x17, [N_NEG] = 0x1f };
	unsigned int w = size != 1;

	x->unary = true;
	x->form = FM_MEM_IMM;	/* destination [rdi], no source */
	put(x, (op == N_INC || op == N_DEC ? 0xfe : 0xf6) + w);
	put(x, modrm[op]);
}

static struct enc encode(enum nat_op op, unsigned int size, enum form f,
			 u64 r)
{
	struct enc x;

	memset(&x, 0, sizeof(x));
	if (size == 2)
		put(&x, 0x66);
	else if (size == 8)
		put(&x, 0x48);
	if (op >= N_INC)
		enc_unary(&x, op, size);
	else
		enc_binary(&x, op, size, f, r);
	return x;
}

/* Interesting operand values, mixed with random ones. */
static u64 pick_value(u64 *seed, unsigned int size)
{
	static const u64 edge[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000,
				    0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
				    0x7fffffffffffffffull, 0x8000000000000000ull,
				    ~0ull, 0xf, 0x10 };
	u64 r = rnd_next(seed);

	if ((r & 3) == 0)
		return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))] &
		       mask_of(size);
	return rnd_next(seed) & mask_of(size);
}

/* Replace the low @size bytes of @old (initial register values). */
static u64 set_low(u64 old, u64 v, unsigned int size)
{
	return (old & ~mask_of(size)) | (v & mask_of(size));
}

/* A register write of @size as the CPU does it in 64-bit mode. */
static u64 reg_result(u64 old, u64 v, unsigned int size)
{
	return size == 4 ? (v & 0xffffffffull) : set_low(old, v, size);
}

#define DATA 0x2000ull

/* Where the destination lives: -1 for [rdi], else a GPR number. */
static int dst_reg(const struct enc *x)
{
	switch (x->form) {
	case FM_REG_MEM:
		return 2;
	case FM_REG_REG:
		return 1;
	case FM_ACC_IMM:
		return 0;
	default:
		return -1;
	}
}

static void place_operands(struct env *e, const struct enc *x, u64 a, u64 b,
			   unsigned int size)
{
	u64 *g = e->emu.gpr;
	int d = dst_reg(x);

	g[0] = 0x1111111111111111ull;
	g[1] = 0x3333333333333333ull;
	g[2] = 0x5555555555555555ull;
	g[7] = DATA;
	env_poke64(e, DATA, 0xa5a5a5a5a5a5a5a5ull);
	if (d < 0) {
		env_poke(e, DATA, &a, size);
	} else {
		g[d] = set_low(g[d], a, size);
	}
	if (x->form == FM_REG_MEM)
		env_poke(e, DATA, &b, size);
	else if (x->form == FM_MEM_REG || x->form == FM_REG_REG)
		g[2] = set_low(g[2], b, size);
}

/* Run one sample through the emulator; false on mismatch. */
static bool one_sample(struct env *e, enum nat_op op, unsigned int size,
		       enum form f, u64 *seed)
{
	struct enc x = encode(op, size, f, rnd_next(seed));
	u64 a = pick_value(seed, size), b = pick_value(seed, size);
	u64 fl = 0x2 | (rnd_next(seed) & RFL_ARITH), want_fl, want, got, init;
	int d = dst_reg(&x), rc;

	if (!x.unary && (x.form == FM_MEM_IMM || x.form == FM_ACC_IMM))
		b = x.b;
	want = native_alu(op, size, a, b, fl, &want_fl);
	if (!writes_result(op))
		want = a;

	env_reset(e, false);
	env_poke(e, CODE_ADDR, x.bytes, x.len);
	e->emu.rip = CODE_ADDR;
	e->emu.rflags = fl;
	place_operands(e, &x, a, b, size);
	init = d < 0 ? 0 : e->emu.gpr[d];
	rc = x86_emu_step(&e->emu);
	if (rc != X86_EMU_OK) {
		fail_msg("rc %d for op %d size %u form %d", rc, op, size, x.form);
		return false;
	}
	if (d < 0) {
		got = env_peek64(e, DATA);
		want = set_low(0xa5a5a5a5a5a5a5a5ull, want, size);
	} else {
		got = e->emu.gpr[d];
		want = writes_result(op) ? reg_result(init, want, size) : init;
	}
	if (got != want || ((e->emu.rflags ^ want_fl) & native_defined_flags(op)) ||
	    e->emu.rip != CODE_ADDR + x.len) {
		fail_msg("op %d size %u form %d a=%#llx b=%#llx fl=%#llx: "
			 "got %#llx fl %#llx, want %#llx fl %#llx", op, size,
			 x.form, (unsigned long long)a, (unsigned long long)b,
			 (unsigned long long)fl, (unsigned long long)got,
			 (unsigned long long)e->emu.rflags,
			 (unsigned long long)want, (unsigned long long)want_fl);
		return false;
	}
	return true;
}

#define SAMPLES 600

void run_flags_tests(struct env *e)
{
	static const char *const names[N_NR] = {
		"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp",
		"test", "inc", "dec", "neg", "not"
	};
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	char name[64];
	u64 seed = 0x9e3779b97f4a7c15ull;
	unsigned int op, si, i;
	bool ok;

	for (op = 0; op < N_NR; op++) {
		for (si = 0; si < 4; si++) {
			snprintf(name, sizeof(name), "flags: %s/%u vs native",
				 names[op], sizes[si] * 8);
			test_begin(name);
			ok = true;
			for (i = 0; i < SAMPLES && ok; i++)
				ok = one_sample(e, op, sizes[si], i % FM_NR,
						&seed);
			test_result(name, ok);
		}
	}
}
