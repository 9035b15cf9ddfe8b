// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86 instruction decoder/emulator (see emulate.h and
 * Documentation/emulator.md).
 *
 * x86_emu_step() works in three phases:
 *  1. decode: fetch the bytes (only as far as needed, never across a page
 *     boundary unless the instruction does), parse prefixes, opcode, ModRM,
 *     SIB, displacement and immediate, and compute the effective address;
 *  2. execute on a private copy of the registers (emu->next): every memory
 *     read first, then at most one memory write;
 *  3. commit the copy to gpr/rip/rflags, only when everything succeeded.
 */
#include "emulate.h"

/* RFLAGS bits. */
#define RFL_CF		(1ull << 0)
#define RFL_PF		(1ull << 2)
#define RFL_AF		(1ull << 4)
#define RFL_ZF		(1ull << 6)
#define RFL_SF		(1ull << 7)
#define RFL_DF		(1ull << 10)
#define RFL_OF		(1ull << 11)
#define RFL_RF		(1ull << 16)
#define RFL_ARITH	(RFL_CF | RFL_PF | RFL_AF | RFL_ZF | RFL_SF | RFL_OF)

#define GPR_RAX		0
#define GPR_RCX		1
#define GPR_RSP		4
#define GPR_RBP		5
#define GPR_RSI		6
#define GPR_RDI		7

#define REX_B		0x1
#define REX_X		0x2
#define REX_R		0x4
#define REX_W		0x8

/* What to execute (insn.kind). */
enum {
	OPK_NONE,
	OPK_ALU,		/* sub: ALU_* */
	OPK_TEST,
	OPK_MOV,
	OPK_MOVZX,
	OPK_MOVSX,	/* also MOVSXD */
	OPK_XCHG,
	OPK_NOT,
	OPK_NEG,
	OPK_INC,
	OPK_DEC,
	OPK_BT,		/* sub: BT_* */
	OPK_STR,		/* sub: STR_* */
	OPK_CTL,		/* MOV CR/DR: decode only */
	OPK_SYS,		/* sub: SYS_*; decode only */
	/* Groups, resolved from ModRM.reg into one of the above. */
	OPK_GRP1,		/* 80-83 */
	OPK_GRP3,		/* F6/F7 */
	OPK_GRP45,	/* FE/FF */
	OPK_GRP11,	/* C6/C7 */
	OPK_GRP8,		/* 0F BA */
	OPK_GRP7,		/* 0F 01 */
};

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };
enum { BT_BT, BT_BTS, BT_BTR, BT_BTC };
enum { STR_MOVS, STR_CMPS, STR_STOS, STR_LODS, STR_SCAS };
enum { CTL_CR, CTL_DR };
/*
 * SYS_BARE: the operand-less instructions a hypervisor intercepts and
 * skips (HLT, CPUID, RDMSR, WRMSR, INVD, XSETBV, MONITOR, MWAIT,
 * VMCALL, VMMCALL);
 * SYS_PIO: INS/OUTS.
 */
enum { SYS_INVLPG, SYS_CLTS, SYS_BARE, SYS_PIO };

/* Operand types (struct x86_emu_operand.type). */
enum { OPND_NONE, OPND_REG, OPND_MEM, OPND_IMM };

/* Decode flags (insn.flags). */
#define OPF_MODRM	0x0001	/* has a ModRM byte */
#define OPF_BYTE	0x0002	/* 8-bit operands */
#define OPF_IMM		0x0004	/* immediate of operand size (imm32 for 64) */
#define OPF_IMM8	0x0008	/* imm8 sign-extended to operand size */
#define OPF_IMM8U	0x0010	/* imm8 zero-extended (bit offset) */
#define OPF_LOCK	0x0020	/* LOCK allowed (memory destination only) */
#define OPF_NO64	0x0040	/* invalid in 64-bit mode */
#define OPF_ONLY64	0x0080	/* only in 64-bit mode */
#define OPF_SRC8	0x0100	/* MOVZX/MOVSX source size */
#define OPF_SRC16	0x0200
#define OPF_SRC32	0x0400
#define OPF_LAYOUT_SHIFT 12	/* bits 15:12: operand layout */
#define OPF_LAYOUT_MASK	(0xfu << OPF_LAYOUT_SHIFT)

/* Operand layouts: where dst and src come from. */
enum {
	LAY_NONE,
	LAY_EG,		/* dst = ModRM r/m, src = ModRM reg */
	LAY_GE,		/* dst = ModRM reg, src = ModRM r/m */
	LAY_AI,		/* dst = accumulator, src = immediate */
	LAY_EI,		/* dst = ModRM r/m, src = immediate */
	LAY_E,		/* dst = ModRM r/m only */
	LAY_MOFFS_LD,	/* dst = accumulator, src = [moffs] */
	LAY_MOFFS_ST,	/* dst = [moffs], src = accumulator */
	LAY_STR,	/* string instruction: rSI/rDI */
	LAY_CTL,	/* MOV CR/DR */
};

#define LAY(l)		((l) << OPF_LAYOUT_SHIFT)

/* Shorthands for the opcode tables. */
#define T_EG		(OPF_MODRM | LAY(LAY_EG))
#define T_GE		(OPF_MODRM | LAY(LAY_GE))
#define T_EI		(OPF_MODRM | LAY(LAY_EI))
#define T_AI		LAY(LAY_AI)
#define T_STR		LAY(LAY_STR)
#define T_CTL		(OPF_MODRM | LAY(LAY_CTL))
#define T_B		OPF_BYTE
#define T_LOCK		OPF_LOCK

struct opdesc {
	u8 kind;
	u8 sub;
	u16 flags;
};

#define OPD(k, s, f)	{ .kind = (k), .sub = (s), .flags = (f) }

/* The six forms of an ALU operation: r/m,r r/m,r r,r/m r,r/m acc,imm. */
#define ALU_ROW(op)							\
	[(op) * 8 + 0] = OPD(OPK_ALU, op, T_EG | T_B | T_LOCK),		\
	[(op) * 8 + 1] = OPD(OPK_ALU, op, T_EG | T_LOCK),		\
	[(op) * 8 + 2] = OPD(OPK_ALU, op, T_GE | T_B),			\
	[(op) * 8 + 3] = OPD(OPK_ALU, op, T_GE),			\
	[(op) * 8 + 4] = OPD(OPK_ALU, op, T_AI | T_B | OPF_IMM),	\
	[(op) * 8 + 5] = OPD(OPK_ALU, op, T_AI | OPF_IMM)

static const struct opdesc onebyte_table[256] = {
	ALU_ROW(ALU_ADD), ALU_ROW(ALU_OR), ALU_ROW(ALU_ADC), ALU_ROW(ALU_SBB),
	ALU_ROW(ALU_AND), ALU_ROW(ALU_SUB), ALU_ROW(ALU_XOR), ALU_ROW(ALU_CMP),
	[0x63] = OPD(OPK_MOVSX, 0, T_GE | OPF_SRC32 | OPF_ONLY64),
	[0x80] = OPD(OPK_GRP1, 0, T_EI | T_B | OPF_IMM | T_LOCK),
	[0x81] = OPD(OPK_GRP1, 0, T_EI | OPF_IMM | T_LOCK),
	[0x82] = OPD(OPK_GRP1, 0, T_EI | T_B | OPF_IMM | T_LOCK | OPF_NO64),
	[0x83] = OPD(OPK_GRP1, 0, T_EI | OPF_IMM8 | T_LOCK),
	[0x84] = OPD(OPK_TEST, 0, T_EG | T_B),
	[0x85] = OPD(OPK_TEST, 0, T_EG),
	[0x86] = OPD(OPK_XCHG, 0, T_EG | T_B | T_LOCK),
	[0x87] = OPD(OPK_XCHG, 0, T_EG | T_LOCK),
	[0x88] = OPD(OPK_MOV, 0, T_EG | T_B),
	[0x89] = OPD(OPK_MOV, 0, T_EG),
	[0x8a] = OPD(OPK_MOV, 0, T_GE | T_B),
	[0x8b] = OPD(OPK_MOV, 0, T_GE),
	[0x6c] = OPD(OPK_SYS, SYS_PIO, T_B),
	[0x6d] = OPD(OPK_SYS, SYS_PIO, 0),
	[0x6e] = OPD(OPK_SYS, SYS_PIO, T_B),
	[0x6f] = OPD(OPK_SYS, SYS_PIO, 0),
	[0xa0] = OPD(OPK_MOV, 0, LAY(LAY_MOFFS_LD) | T_B),
	[0xa1] = OPD(OPK_MOV, 0, LAY(LAY_MOFFS_LD)),
	[0xa2] = OPD(OPK_MOV, 0, LAY(LAY_MOFFS_ST) | T_B),
	[0xa3] = OPD(OPK_MOV, 0, LAY(LAY_MOFFS_ST)),
	[0xa4] = OPD(OPK_STR, STR_MOVS, T_STR | T_B),
	[0xa5] = OPD(OPK_STR, STR_MOVS, T_STR),
	[0xa6] = OPD(OPK_STR, STR_CMPS, T_STR | T_B),
	[0xa7] = OPD(OPK_STR, STR_CMPS, T_STR),
	[0xa8] = OPD(OPK_TEST, 0, T_AI | T_B | OPF_IMM),
	[0xa9] = OPD(OPK_TEST, 0, T_AI | OPF_IMM),
	[0xaa] = OPD(OPK_STR, STR_STOS, T_STR | T_B),
	[0xab] = OPD(OPK_STR, STR_STOS, T_STR),
	[0xac] = OPD(OPK_STR, STR_LODS, T_STR | T_B),
	[0xad] = OPD(OPK_STR, STR_LODS, T_STR),
	[0xae] = OPD(OPK_STR, STR_SCAS, T_STR | T_B),
	[0xaf] = OPD(OPK_STR, STR_SCAS, T_STR),
	[0xc6] = OPD(OPK_GRP11, 0, OPF_MODRM | T_B),
	[0xc7] = OPD(OPK_GRP11, 0, OPF_MODRM),
	[0xf4] = OPD(OPK_SYS, SYS_BARE, 0),
	[0xf6] = OPD(OPK_GRP3, 0, OPF_MODRM | T_B | T_LOCK),
	[0xf7] = OPD(OPK_GRP3, 0, OPF_MODRM | T_LOCK),
	[0xfe] = OPD(OPK_GRP45, 0, OPF_MODRM | T_B | T_LOCK),
	[0xff] = OPD(OPK_GRP45, 0, OPF_MODRM | T_LOCK),
};

static const struct opdesc twobyte_table[256] = {
	[0x01] = OPD(OPK_GRP7, 0, OPF_MODRM | T_B),
	[0x06] = OPD(OPK_SYS, SYS_CLTS, 0),
	[0x08] = OPD(OPK_SYS, SYS_BARE, 0),
	[0x30] = OPD(OPK_SYS, SYS_BARE, 0),
	[0x32] = OPD(OPK_SYS, SYS_BARE, 0),
	[0xa2] = OPD(OPK_SYS, SYS_BARE, 0),
	[0x20] = OPD(OPK_CTL, CTL_CR, T_CTL),
	[0x21] = OPD(OPK_CTL, CTL_DR, T_CTL),
	[0x22] = OPD(OPK_CTL, CTL_CR, T_CTL),
	[0x23] = OPD(OPK_CTL, CTL_DR, T_CTL),
	[0xa3] = OPD(OPK_BT, BT_BT, T_EG),
	[0xab] = OPD(OPK_BT, BT_BTS, T_EG | T_LOCK),
	[0xb3] = OPD(OPK_BT, BT_BTR, T_EG | T_LOCK),
	[0xbb] = OPD(OPK_BT, BT_BTC, T_EG | T_LOCK),
	[0xba] = OPD(OPK_GRP8, 0, OPF_MODRM | OPF_IMM8U | T_LOCK),
	[0xb6] = OPD(OPK_MOVZX, 0, T_GE | OPF_SRC8),
	[0xb7] = OPD(OPK_MOVZX, 0, T_GE | OPF_SRC16),
	[0xbe] = OPD(OPK_MOVSX, 0, T_GE | OPF_SRC8),
	[0xbf] = OPD(OPK_MOVSX, 0, T_GE | OPF_SRC16),
};

/* 16-bit addressing: base and index register of each ModRM.rm value. */
#define EA16_NONE	0xff
/* rm: 0 BX+SI, 1 BX+DI, 2 BP+SI, 3 BP+DI, 4 SI, 5 DI, 6 BP, 7 BX */
static const u8 ea16_base[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
static const u8 ea16_index[8] = {
	6, 7, 6, 7, EA16_NONE, EA16_NONE, EA16_NONE, EA16_NONE
};

/* ---- small helpers ---------------------------------------------------- */

static u64 size_mask(unsigned int size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static u64 sign_extend(u64 v, unsigned int size)
{
	u64 sign;

	if (size >= 8)
		return v;
	sign = 1ull << (size * 8 - 1);
	return ((v & size_mask(size)) ^ sign) - sign;
}

static u64 le_load(const u8 *p, unsigned int size)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		v |= (u64)p[i] << (i * 8);
	return v;
}

static void le_store(u8 *p, u64 v, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		p[i] = (u8)(v >> (i * 8));
}

static bool mode64(const struct x86_emu *emu)
{
	return emu->mode == X86_EMU_PROT64;
}

static unsigned int layout(const struct x86_emu_insn *in)
{
	return (in->flags & OPF_LAYOUT_MASK) >> OPF_LAYOUT_SHIFT;
}

static void set_layout(struct x86_emu_insn *in, unsigned int l)
{
	in->flags = (in->flags & ~OPF_LAYOUT_MASK) | LAY(l);
}

/* Operand size of the instruction: 1 for byte forms. */
static unsigned int op_size(const struct x86_emu_insn *in)
{
	return (in->flags & OPF_BYTE) ? 1 : in->opsize;
}

static int emu_fault(struct x86_emu *emu, u8 vector, bool has_error_code)
{
	emu->fault.vector = vector;
	emu->fault.has_error_code = has_error_code;
	emu->fault.error_code = 0;
	emu->fault.address = 0;
	return X86_EMU_FAULT;
}

/* Callbacks may only return these; anything else is treated as UNHANDLED. */
static int cb_rc(int rc)
{
	if (rc == X86_EMU_OK || rc == X86_EMU_FAULT || rc == X86_EMU_IO_NEEDED)
		return rc;
	return X86_EMU_UNHANDLED;
}

static u64 seg_base(const struct x86_emu *emu, unsigned int seg)
{
	if (mode64(emu) && seg != X86_SEG_FS && seg != X86_SEG_GS)
		return 0;
	return emu->seg_base[seg];
}

static bool canonical(const struct x86_emu *emu, u64 la)
{
	unsigned int bits = emu->la57 ? 57 : 48;
	u64 top = la >> (bits - 1);

	return top == 0 || top == (~0ull >> (bits - 1));
}

/* ---- instruction fetch ------------------------------------------------ */

/* Fetch more bytes, up to the 15-byte limit but not past the page end. */
static int fetch_more(struct x86_emu *emu)
{
	struct x86_emu_insn *in = &emu->insn;
	unsigned int n = X86_EMU_MAX_INSN_LEN - in->nfetched;
	unsigned int page_left;
	u64 la;
	int rc;

	la = seg_base(emu, X86_SEG_CS) + emu->rip + in->nfetched;
	if (!mode64(emu))
		la &= 0xffffffffull;
	else if (!canonical(emu, la))
		return emu_fault(emu, X86_EMU_VEC_GP, true);
	page_left = 4096 - (unsigned int)(la & 4095);
	if (n > page_left)
		n = page_left;
	rc = cb_rc(emu->ops->read(emu, la, in->bytes + in->nfetched, n, true));
	if (rc)
		return rc;
	in->nfetched += n;
	return X86_EMU_OK;
}

static int fetch_byte(struct x86_emu *emu, u8 *b)
{
	struct x86_emu_insn *in = &emu->insn;
	int rc;

	if (in->len >= X86_EMU_MAX_INSN_LEN)
		return emu_fault(emu, X86_EMU_VEC_GP, true);
	if (in->len >= in->nfetched) {
		rc = fetch_more(emu);
		if (rc)
			return rc;
	}
	*b = in->bytes[in->len++];
	return X86_EMU_OK;
}

/*
 * Fetch a little-endian immediate/displacement of @size bytes; the bytes
 * the first fetch brought in are taken without a call each.
 */
static int fetch_imm(struct x86_emu *emu, unsigned int size, u64 *val)
{
	struct x86_emu_insn *in = &emu->insn;
	unsigned int i;
	u8 b;
	int rc;

	*val = 0;
	for (i = 0; i < size; i++) {
		if (in->len < in->nfetched) {
			b = in->bytes[in->len++];
		} else {
			rc = fetch_byte(emu, &b);
			if (rc)
				return rc;
		}
		*val |= (u64)b << (i * 8);
	}
	return X86_EMU_OK;
}

/* ---- decode ----------------------------------------------------------- */

/*
 * 0F 01: INVLPG m (/7 with a memory operand), and the register forms
 * VMCALL (C1), MONITOR (C8), MWAIT (C9), XSETBV (D1) and VMMCALL (D9).
 */
static int resolve_grp7(struct x86_emu_insn *in, unsigned int r)
{
	if ((in->modrm >> 6) == 3) {
		if (in->modrm != 0xc1 && in->modrm != 0xc8 &&
		    in->modrm != 0xc9 && in->modrm != 0xd1 &&
		    in->modrm != 0xd9)
			return X86_EMU_UNHANDLED;
		in->kind = OPK_SYS;
		in->sub = SYS_BARE;
		return X86_EMU_OK;
	}
	if (r != 7)
		return X86_EMU_UNHANDLED;
	in->kind = OPK_SYS;
	in->sub = SYS_INVLPG;
	set_layout(in, LAY_E);
	return X86_EMU_OK;
}

/* Parse legacy and REX prefixes; *op receives the first opcode byte. */
static int decode_prefixes(struct x86_emu *emu, u8 *op)
{
	struct x86_emu_insn *in = &emu->insn;
	u8 b;
	int rc;

	for (;;) {
		rc = fetch_byte(emu, &b);
		if (rc)
			return rc;
		switch (b) {
		case 0x66:
			in->opsize_prefix = true;
			break;
		case 0x67:
			in->adsize_prefix = true;
			break;
		case 0xf0:
			in->lock = true;
			break;
		case 0xf2:
		case 0xf3:
			in->rep = b;
			break;
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
			/* ES/CS/SS/DS overrides are ignored in 64-bit mode. */
			if (!mode64(emu))
				in->seg_override = (b >> 3) & 3;
			break;
		case 0x64:
		case 0x65:
			in->seg_override = X86_SEG_FS + (b - 0x64);
			break;
		default:
			if (mode64(emu) && (b & 0xf0) == 0x40) {
				in->rex = b;
				continue;
			}
			*op = b;
			return X86_EMU_OK;
		}
		/* A REX prefix only counts right before the opcode. */
		in->rex = 0;
	}
}

static void decode_sizes(struct x86_emu *emu)
{
	struct x86_emu_insn *in = &emu->insn;

	switch (emu->mode) {
	case X86_EMU_PROT64:
		in->adsize = in->adsize_prefix ? 4 : 8;
		if (in->rex & REX_W)
			in->opsize = 8;
		else
			in->opsize = in->opsize_prefix ? 2 : 4;
		break;
	case X86_EMU_PROT32:
		in->adsize = in->adsize_prefix ? 2 : 4;
		in->opsize = in->opsize_prefix ? 2 : 4;
		break;
	default:
		in->adsize = in->adsize_prefix ? 4 : 2;
		in->opsize = in->opsize_prefix ? 4 : 2;
		break;
	}
}

/* 16-bit addressing forms: [BX+SI], [BP+DI], [disp16], ... */
static int decode_ea16(struct x86_emu *emu, unsigned int mod, unsigned int rm)
{
	struct x86_emu_insn *in = &emu->insn;
	u64 ea = 0, disp = 0;
	int rc = X86_EMU_OK;

	in->seg = X86_SEG_DS;
	if (mod == 0 && rm == 6) {
		rc = fetch_imm(emu, 2, &disp);
	} else {
		ea = emu->gpr[ea16_base[rm]];
		if (ea16_index[rm] != EA16_NONE)
			ea += emu->gpr[ea16_index[rm]];
		if (ea16_base[rm] == GPR_RBP)
			in->seg = X86_SEG_SS;
		if (mod == 1) {
			rc = fetch_imm(emu, 1, &disp);
			disp = sign_extend(disp, 1);
		} else if (mod == 2) {
			rc = fetch_imm(emu, 2, &disp);
		}
	}
	in->ea = ea + disp;
	return rc;
}

/* Base register contribution of a 32/64-bit form; SS for rSP/rBP. */
static u64 ea_base(struct x86_emu *emu, unsigned int base)
{
	if (base == GPR_RSP || base == GPR_RBP)
		emu->insn.seg = X86_SEG_SS;
	return emu->gpr[base];
}

/* 32/64-bit addressing forms, with SIB and RIP-relative. */
static int decode_ea32(struct x86_emu *emu, unsigned int mod, unsigned int rm)
{
	struct x86_emu_insn *in = &emu->insn;
	unsigned int index, base;
	bool disp32 = mod == 2;
	u64 ea = 0, disp = 0;
	u8 sib;
	int rc;

	in->seg = X86_SEG_DS;
	if (rm == 4) {
		rc = fetch_byte(emu, &sib);
		if (rc)
			return rc;
		index = ((sib >> 3) & 7) | ((in->rex & REX_X) << 2);
		base = (sib & 7) | ((in->rex & REX_B) << 3);
		if (index != GPR_RSP)
			ea = emu->gpr[index] << (sib >> 6);
		if ((sib & 7) == 5 && mod == 0)
			disp32 = true;
		else
			ea += ea_base(emu, base);
	} else if (rm == 5 && mod == 0) {
		in->rip_rel = mode64(emu);
		disp32 = true;
	} else {
		ea = ea_base(emu, rm | ((in->rex & REX_B) << 3));
	}
	if (mod == 1) {
		rc = fetch_imm(emu, 1, &disp);
		disp = sign_extend(disp, 1);
	} else if (disp32) {
		rc = fetch_imm(emu, 4, &disp);
		disp = sign_extend(disp, 4);
	} else {
		rc = X86_EMU_OK;
	}
	in->ea = ea + disp;
	return rc;
}

static int decode_modrm(struct x86_emu *emu)
{
	struct x86_emu_insn *in = &emu->insn;
	unsigned int mod, rm;
	int rc;

	rc = fetch_byte(emu, &in->modrm);
	if (rc)
		return rc;
	mod = in->modrm >> 6;
	rm = in->modrm & 7;
	in->reg = ((in->modrm >> 3) & 7) | ((in->rex & REX_R) << 1);
	/* MOV CR/DR always use the register form, whatever mod says. */
	if (mod == 3 || layout(in) == LAY_CTL)
		return X86_EMU_OK;
	in->has_mem = true;
	if (in->adsize == 2)
		return decode_ea16(emu, mod, rm);
	return decode_ea32(emu, mod, rm);
}

/* Turn a group opcode into the operation selected by ModRM.reg. */
static int resolve_group(struct x86_emu_insn *in)
{
	unsigned int r = (in->modrm >> 3) & 7;

	switch (in->kind) {
	case OPK_GRP1:
		in->kind = OPK_ALU;
		in->sub = r;
		return X86_EMU_OK;
	case OPK_GRP3:
		if (r == 0) {
			in->kind = OPK_TEST;
			in->flags |= OPF_IMM;
			set_layout(in, LAY_EI);
			return X86_EMU_OK;
		}
		if (r != 2 && r != 3)
			return X86_EMU_UNHANDLED;
		in->kind = r == 2 ? OPK_NOT : OPK_NEG;
		set_layout(in, LAY_E);
		return X86_EMU_OK;
	case OPK_GRP45:
		if (r > 1)
			return X86_EMU_UNHANDLED;
		in->kind = r == 0 ? OPK_INC : OPK_DEC;
		set_layout(in, LAY_E);
		return X86_EMU_OK;
	case OPK_GRP11:
		if (r != 0)
			return X86_EMU_UNHANDLED;
		in->kind = OPK_MOV;
		in->flags |= OPF_IMM;
		set_layout(in, LAY_EI);
		return X86_EMU_OK;
	case OPK_GRP7:
		return resolve_grp7(in, r);
	case OPK_GRP8:
		if (r < 4)
			return X86_EMU_UNHANDLED;
		in->kind = OPK_BT;
		in->sub = r - 4;
		set_layout(in, LAY_EI);
		return X86_EMU_OK;
	default:
		return X86_EMU_OK;
	}
}

/* Immediate operand and moffs. */
static int decode_imm(struct x86_emu *emu)
{
	struct x86_emu_insn *in = &emu->insn;
	unsigned int size = op_size(in);
	u64 v;
	int rc = X86_EMU_OK;

	if (in->flags & OPF_IMM) {
		rc = fetch_imm(emu, size > 4 ? 4 : size, &v);
		in->src.val = sign_extend(v, size > 4 ? 4 : size) &
			      size_mask(size);
	} else if (in->flags & (OPF_IMM8 | OPF_IMM8U)) {
		rc = fetch_imm(emu, 1, &v);
		if (in->flags & OPF_IMM8)
			v = sign_extend(v, 1) & size_mask(size);
		in->src.val = v;
	} else if (layout(in) == LAY_MOFFS_LD || layout(in) == LAY_MOFFS_ST) {
		rc = fetch_imm(emu, in->adsize, &in->ea);
		in->has_mem = true;
		in->seg = X86_SEG_DS;
	}
	return rc;
}

static void set_opnd(struct x86_emu_operand *op, const struct x86_emu_insn *in,
		     u8 type, u8 reg)
{
	op->type = type;
	op->reg = reg;
	op->size = op_size(in);
}

/* ModRM r/m operand: a register or the memory operand. */
static void set_rm_opnd(struct x86_emu_operand *op,
			const struct x86_emu_insn *in)
{
	if (in->has_mem)
		set_opnd(op, in, OPND_MEM, 0);
	else
		set_opnd(op, in, OPND_REG,
			 (in->modrm & 7) | ((in->rex & REX_B) << 3));
}

static void decode_operands(struct x86_emu_insn *in)
{
	switch (layout(in)) {
	case LAY_EG:
		set_rm_opnd(&in->dst, in);
		set_opnd(&in->src, in, OPND_REG, in->reg);
		break;
	case LAY_GE:
		set_opnd(&in->dst, in, OPND_REG, in->reg);
		set_rm_opnd(&in->src, in);
		break;
	case LAY_AI:
		set_opnd(&in->dst, in, OPND_REG, GPR_RAX);
		set_opnd(&in->src, in, OPND_IMM, 0);
		break;
	case LAY_EI:
		set_rm_opnd(&in->dst, in);
		set_opnd(&in->src, in, OPND_IMM, 0);
		break;
	case LAY_E:
		set_rm_opnd(&in->dst, in);
		break;
	case LAY_MOFFS_LD:
		set_opnd(&in->dst, in, OPND_REG, GPR_RAX);
		set_opnd(&in->src, in, OPND_MEM, 0);
		break;
	case LAY_MOFFS_ST:
		set_opnd(&in->dst, in, OPND_MEM, 0);
		set_opnd(&in->src, in, OPND_REG, GPR_RAX);
		break;
	default:
		break;
	}
	/* MOVZX/MOVSX/MOVSXD: the source is narrower than the destination. */
	if (in->flags & OPF_SRC8)
		in->src.size = 1;
	else if (in->flags & OPF_SRC16)
		in->src.size = 2;
	else if ((in->flags & OPF_SRC32) && in->opsize > 4)
		in->src.size = 4;
}

/* Effective and linear address of the memory operand. */
static void decode_finish_ea(struct x86_emu *emu)
{
	struct x86_emu_insn *in = &emu->insn;

	if (in->rip_rel)
		in->ea += emu->rip + in->len;
	in->ea &= size_mask(in->adsize);
	if (in->seg_override != X86_SEG_NR)
		in->seg = in->seg_override;
	in->la = seg_base(emu, in->seg) + in->ea;
	if (!mode64(emu))
		in->la &= 0xffffffffull;
}

/* LOCK is only valid on read-modify-write instructions to memory. */
static bool lock_ok(const struct x86_emu_insn *in)
{
	if (in->kind == OPK_CTL)	/* AMD: LOCK MOV CR0 is MOV CR8 */
		return in->sub == CTL_CR;
	if (!(in->flags & OPF_LOCK) || !in->has_mem)
		return false;
	switch (in->kind) {
	case OPK_ALU:
		return in->sub != ALU_CMP;
	case OPK_BT:
		return in->sub != BT_BT;
	case OPK_NOT:
	case OPK_NEG:
	case OPK_INC:
	case OPK_DEC:
	case OPK_XCHG:
		return true;
	default:
		return false;
	}
}

static int decode_opcode(struct x86_emu *emu, const struct opdesc **d)
{
	struct x86_emu_insn *in = &emu->insn;
	u8 b;
	int rc;

	rc = decode_prefixes(emu, &b);
	if (rc)
		return rc;
	if (b == 0x0f) {
		in->map = 1;
		rc = fetch_byte(emu, &b);
		if (rc)
			return rc;
		*d = &twobyte_table[b];
	} else {
		*d = &onebyte_table[b];
	}
	in->opcode = b;
	return X86_EMU_OK;
}

/* Decode the instruction at CS:RIP into emu->insn. */
static int decode(struct x86_emu *emu)
{
	struct x86_emu_insn *in = &emu->insn;
	const struct opdesc *d;
	int rc;

	if ((unsigned int)emu->mode > X86_EMU_PROT64 || !emu->ops)
		return X86_EMU_UNHANDLED;
	memset(in, 0, sizeof(*in));
	in->seg_override = X86_SEG_NR;
	rc = decode_opcode(emu, &d);
	if (rc)
		return rc;
	if (d->kind == OPK_NONE ||
	    ((d->flags & OPF_NO64) && mode64(emu)) ||
	    ((d->flags & OPF_ONLY64) && !mode64(emu)))
		return X86_EMU_UNHANDLED;
	in->kind = d->kind;
	in->sub = d->sub;
	in->flags = d->flags;
	decode_sizes(emu);
	if (in->flags & OPF_MODRM) {
		rc = decode_modrm(emu);
		if (rc)
			return rc;
		rc = resolve_group(in);
		if (rc)
			return rc;
	}
	rc = decode_imm(emu);
	if (rc)
		return rc;
	decode_operands(in);
	if (in->has_mem)
		decode_finish_ea(emu);
	if (in->lock && !lock_ok(in))
		return emu_fault(emu, X86_EMU_VEC_UD, false);
	return X86_EMU_OK;
}

/* ---- registers and memory (on the private copy) ---------------------- */

/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
static bool is_high8(const struct x86_emu *emu, unsigned int reg,
		     unsigned int size)
{
	return size == 1 && !emu->insn.rex && reg >= 4 && reg < 8;
}

static u64 reg_read(const struct x86_emu *emu, unsigned int reg,
		    unsigned int size)
{
	if (is_high8(emu, reg, size))
		return (emu->next.gpr[reg - 4] >> 8) & 0xff;
	return emu->next.gpr[reg] & size_mask(size);
}

/*
 * 8- and 16-bit writes keep the other bits; 32-bit writes zero-extend in
 * 64-bit mode (the upper half is left alone in the other modes).
 */
static void reg_write(struct x86_emu *emu, unsigned int reg,
		      unsigned int size, u64 val)
{
	u64 *r, m = size_mask(size);

	if (is_high8(emu, reg, size)) {
		r = &emu->next.gpr[reg - 4];
		*r = (*r & ~0xff00ull) | ((val & 0xff) << 8);
		return;
	}
	r = &emu->next.gpr[reg];
	if (size == 8 || (size == 4 && mode64(emu)))
		*r = val & m;
	else
		*r = (*r & ~m) | (val & m);
}

/* Linear address of @size bytes at @seg:@ea; #GP/#SS if not canonical. */
static int mem_linear(struct x86_emu *emu, unsigned int seg, u64 ea,
		      unsigned int size, u64 *la)
{
	*la = seg_base(emu, seg) + ea;
	if (!mode64(emu)) {
		*la &= 0xffffffffull;
		return X86_EMU_OK;
	}
	if (!canonical(emu, *la) || !canonical(emu, *la + size - 1))
		return emu_fault(emu, seg == X86_SEG_SS ? X86_EMU_VEC_SS :
				 X86_EMU_VEC_GP, true);
	return X86_EMU_OK;
}

static int mem_read(struct x86_emu *emu, unsigned int seg, u64 ea,
		    unsigned int size, u64 *val)
{
	u8 buf[8];
	u64 la;
	int rc;

	rc = mem_linear(emu, seg, ea, size, &la);
	if (rc)
		return rc;
	rc = cb_rc(emu->ops->read(emu, la, buf, size, false));
	if (rc)
		return rc;
	*val = le_load(buf, size);
	return X86_EMU_OK;
}

static int mem_write(struct x86_emu *emu, unsigned int seg, u64 ea,
		     unsigned int size, u64 val)
{
	u8 buf[8];
	u64 la;
	int rc;

	rc = mem_linear(emu, seg, ea, size, &la);
	if (rc)
		return rc;
	le_store(buf, val, size);
	return cb_rc(emu->ops->write(emu, la, buf, size));
}

static int opnd_load(struct x86_emu *emu, const struct x86_emu_operand *op,
		     u64 *val)
{
	const struct x86_emu_insn *in = &emu->insn;
	int rc;

	switch (op->type) {
	case OPND_REG:
		*val = reg_read(emu, op->reg, op->size);
		return X86_EMU_OK;
	case OPND_MEM:
		emu->operand_access = true;
		rc = mem_read(emu, in->seg, in->ea, op->size, val);
		emu->operand_access = false;
		return rc;
	default:
		*val = op->val;
		return X86_EMU_OK;
	}
}

static int opnd_store(struct x86_emu *emu, const struct x86_emu_operand *op,
		      u64 val)
{
	const struct x86_emu_insn *in = &emu->insn;
	int rc;

	if (op->type == OPND_MEM) {
		emu->operand_access = true;
		rc = mem_write(emu, in->seg, in->ea, op->size, val);
		emu->operand_access = false;
		return rc;
	}
	reg_write(emu, op->reg, op->size, val);
	return X86_EMU_OK;
}

/* ---- flags ------------------------------------------------------------ */

static u64 flags_szp(u64 r, unsigned int size)
{
	unsigned int p = (unsigned int)(r & 0xff);
	u64 f = 0;

	p ^= p >> 4;
	p ^= p >> 2;
	p ^= p >> 1;
	if (!(p & 1))
		f |= RFL_PF;
	if (!(r & size_mask(size)))
		f |= RFL_ZF;
	if ((r >> (size * 8 - 1)) & 1)
		f |= RFL_SF;
	return f;
}

/* Flags of r = a + b (+ carry), all three already truncated to @size. */
static u64 flags_add(u64 a, u64 b, u64 r, unsigned int size)
{
	unsigned int top = size * 8 - 1;
	u64 carries = (a & b) | ((a | b) & ~r);
	u64 f = flags_szp(r, size);

	if ((carries >> top) & 1)
		f |= RFL_CF;
	if ((((a ^ r) & (b ^ r)) >> top) & 1)
		f |= RFL_OF;
	if ((a ^ b ^ r) & 0x10)
		f |= RFL_AF;
	return f;
}

/* Flags of r = a - b (- borrow), all three already truncated to @size. */
static u64 flags_sub(u64 a, u64 b, u64 r, unsigned int size)
{
	unsigned int top = size * 8 - 1;
	u64 borrows = (~a & b) | ((~a | b) & r);
	u64 f = flags_szp(r, size);

	if ((borrows >> top) & 1)
		f |= RFL_CF;
	if ((((a ^ b) & (a ^ r)) >> top) & 1)
		f |= RFL_OF;
	if ((a ^ b ^ r) & 0x10)
		f |= RFL_AF;
	return f;
}

/* Update the flags in @mask of emu->next.rflags from @f. */
static void set_flags(struct x86_emu *emu, u64 mask, u64 f)
{
	emu->next.rflags = (emu->next.rflags & ~mask) | (f & mask);
}

/* One of the eight ALU operations; sets the arithmetic flags. */
static u64 alu(struct x86_emu *emu, unsigned int op, u64 a, u64 b,
	       unsigned int size)
{
	u64 m = size_mask(size), cin = emu->next.rflags & RFL_CF, r, f;

	a &= m;
	b &= m;
	switch (op) {
	case ALU_ADD:
	case ALU_ADC:
		r = (a + b + (op == ALU_ADC ? cin : 0)) & m;
		f = flags_add(a, b, r, size);
		break;
	case ALU_SUB:
	case ALU_SBB:
	case ALU_CMP:
		r = (a - b - (op == ALU_SBB ? cin : 0)) & m;
		f = flags_sub(a, b, r, size);
		break;
	case ALU_AND:
		r = a & b;
		f = flags_szp(r, size);
		break;
	case ALU_OR:
		r = a | b;
		f = flags_szp(r, size);
		break;
	default:
		r = a ^ b;
		f = flags_szp(r, size);
		break;
	}
	set_flags(emu, RFL_ARITH, f);
	return r;
}

/* ---- execution -------------------------------------------------------- */

static int exec_mov(struct x86_emu *emu)
{
	struct x86_emu_insn *in = &emu->insn;
	u64 v;
	int rc;

	rc = opnd_load(emu, &in->src, &v);
	if (rc)
		return rc;
	if (in->kind == OPK_MOVSX)
		v = sign_extend(v, in->src.size);
	return opnd_store(emu, &in->dst, v);
}

static int exec_alu(struct x86_emu *emu)
{
	struct x86_emu_insn *in = &emu->insn;
	u64 d, s, r;
	int rc;

	rc = opnd_load(emu, &in->src, &s);
	if (rc)
		return rc;
	rc = opnd_load(emu, &in->dst, &d);
	if (rc)
		return rc;
	if (in->kind == OPK_TEST) {
		alu(emu, ALU_AND, d, s, in->dst.size);
		return X86_EMU_OK;
	}
	r = alu(emu, in->sub, d, s, in->dst.size);
	if (in->sub == ALU_CMP)
		return X86_EMU_OK;
	return opnd_store(emu, &in->dst, r);
}

static int exec_xchg(struct x86_emu *emu)
{
	struct x86_emu_insn *in = &emu->insn;
	u64 d, s;
	int rc;

	rc = opnd_load(emu, &in->src, &s);
	if (rc)
		return rc;
	rc = opnd_load(emu, &in->dst, &d);
	if (rc)
		return rc;
	/* The destination may be memory: write it first. */
	rc = opnd_store(emu, &in->dst, s);
	if (rc)
		return rc;
	return opnd_store(emu, &in->src, d);
}

/* NOT, NEG, INC, DEC. */
static int exec_unary(struct x86_emu *emu)
{
	struct x86_emu_insn *in = &emu->insn;
	unsigned int size = in->dst.size;
	u64 m = size_mask(size), d, r;
	int rc;

	rc = opnd_load(emu, &in->dst, &d);
	if (rc)
		return rc;
	switch (in->kind) {
	case OPK_NOT:
		r = ~d & m;
		break;
	case OPK_NEG:
		r = (0 - d) & m;
		set_flags(emu, RFL_ARITH, flags_sub(0, d, r, size));
		break;
	case OPK_INC:
		r = (d + 1) & m;
		set_flags(emu, RFL_ARITH & ~RFL_CF, flags_add(d, 1, r, size));
		break;
	default:
		r = (d - 1) & m;
		set_flags(emu, RFL_ARITH & ~RFL_CF, flags_sub(d, 1, r, size));
		break;
	}
	return opnd_store(emu, &in->dst, r);
}

/*
 * BT/BTS/BTR/BTC.  With a register bit offset and a memory operand the
 * offset is signed and may address any operand-sized word around the
 * effective address; otherwise it is taken modulo the operand width.
 */
static int exec_bt(struct x86_emu *emu)
{
	struct x86_emu_insn *in = &emu->insn;
	unsigned int size = in->dst.size, shift, bit;
	u64 off, d, q;
	int rc;

	rc = opnd_load(emu, &in->src, &off);
	if (rc)
		return rc;
	shift = size == 2 ? 4 : (size == 4 ? 5 : 6);
	if (in->dst.type == OPND_MEM && in->src.type == OPND_REG) {
		off = sign_extend(off, size);
		q = off >> shift;
		if (off >> 63)
			q |= ~(~0ull >> shift);
		in->ea = (in->ea + q * size) & size_mask(in->adsize);
	}
	bit = (unsigned int)(off & ((1u << shift) - 1));
	rc = opnd_load(emu, &in->dst, &d);
	if (rc)
		return rc;
	set_flags(emu, RFL_CF, (d >> bit) & 1);
	switch (in->sub) {
	case BT_BTS:
		d |= 1ull << bit;
		break;
	case BT_BTR:
		d &= ~(1ull << bit);
		break;
	case BT_BTC:
		d ^= 1ull << bit;
		break;
	default:
		return X86_EMU_OK;
	}
	return opnd_store(emu, &in->dst, d);
}

static int exec_insn(struct x86_emu *emu)
{
	switch (emu->insn.kind) {
	case OPK_MOV:
	case OPK_MOVZX:
	case OPK_MOVSX:
		return exec_mov(emu);
	case OPK_ALU:
	case OPK_TEST:
		return exec_alu(emu);
	case OPK_XCHG:
		return exec_xchg(emu);
	case OPK_NOT:
	case OPK_NEG:
	case OPK_INC:
	case OPK_DEC:
		return exec_unary(emu);
	case OPK_BT:
		return exec_bt(emu);
	default:
		return X86_EMU_UNHANDLED;
	}
}

/* ---- string instructions ---------------------------------------------- */

/* Step rSI or rDI by one element, within the address size. */
static void str_advance(struct x86_emu *emu, unsigned int reg,
			unsigned int size)
{
	const struct x86_emu_insn *in = &emu->insn;
	u64 v = emu->next.gpr[reg];

	if (emu->next.rflags & RFL_DF)
		v -= size;
	else
		v += size;
	reg_write(emu, reg, in->adsize, v);
}

/* One iteration of a string instruction on emu->next. */
static int str_once(struct x86_emu *emu)
{
	const struct x86_emu_insn *in = &emu->insn;
	unsigned int size = op_size(in);
	u64 am = size_mask(in->adsize), a = 0, b = 0;
	u64 si = emu->next.gpr[GPR_RSI] & am, di = emu->next.gpr[GPR_RDI] & am;
	unsigned int sseg = in->seg_override != X86_SEG_NR ?
			    in->seg_override : X86_SEG_DS;
	bool uses_si = in->sub == STR_MOVS || in->sub == STR_CMPS ||
		       in->sub == STR_LODS;
	bool uses_di = in->sub != STR_LODS;
	int rc = X86_EMU_OK;

	if (uses_si)
		rc = mem_read(emu, sseg, si, size, &a);
	else
		a = reg_read(emu, GPR_RAX, size);
	if (!rc && (in->sub == STR_CMPS || in->sub == STR_SCAS))
		rc = mem_read(emu, X86_SEG_ES, di, size, &b);
	if (!rc && (in->sub == STR_MOVS || in->sub == STR_STOS))
		rc = mem_write(emu, X86_SEG_ES, di, size, a);
	if (rc)
		return rc;
	if (in->sub == STR_LODS)
		reg_write(emu, GPR_RAX, size, a);
	if (in->sub == STR_CMPS || in->sub == STR_SCAS)
		alu(emu, ALU_CMP, a, b, size);
	if (uses_si)
		str_advance(emu, GPR_RSI, size);
	if (uses_di)
		str_advance(emu, GPR_RDI, size);
	return X86_EMU_OK;
}

static void begin(struct x86_emu *emu)
{
	memcpy(emu->next.gpr, emu->gpr, sizeof(emu->gpr));
	emu->next.rip = emu->rip;
	emu->next.rflags = emu->rflags;
}

/* The instruction completed: step RIP over it; RF is cleared as by the CPU. */
static void advance_rip(struct x86_emu *emu)
{
	u64 rip = emu->rip + emu->insn.len;

	if (emu->mode == X86_EMU_PROT32)
		rip &= 0xffffffffull;
	else if (!mode64(emu))
		rip &= 0xffff;
	emu->next.rip = rip;
	emu->next.rflags &= ~RFL_RF;
}

static void commit(struct x86_emu *emu)
{
	memcpy(emu->gpr, emu->next.gpr, sizeof(emu->gpr));
	emu->rip = emu->next.rip;
	emu->rflags = emu->next.rflags;
}

/* True when a REP-prefixed string instruction stops after this iteration. */
static bool rep_done(const struct x86_emu *emu, u64 count)
{
	const struct x86_emu_insn *in = &emu->insn;
	bool zf = emu->next.rflags & RFL_ZF;

	if (!count)
		return true;
	if (in->sub != STR_CMPS && in->sub != STR_SCAS)
		return false;
	return in->rep == 0xf3 ? !zf : zf;
}

/*
 * REP: each iteration is committed on its own, so when iteration k > 0
 * cannot complete (fault, MMIO read needing userspace) the k finished ones
 * stay done, X86_EMU_OK is returned and RIP still points at the instruction.
 */
static int exec_string(struct x86_emu *emu)
{
	const struct x86_emu_insn *in = &emu->insn;
	u32 limit = emu->rep_batch ? emu->rep_batch : 1, done = 0;
	u64 am = size_mask(in->adsize), count;
	bool last;
	int rc;

	if (limit > X86_EMU_REP_BATCH_MAX)
		limit = X86_EMU_REP_BATCH_MAX;
	emu->rep_cut = false;
	for (;;) {
		begin(emu);
		count = emu->next.gpr[GPR_RCX] & am;
		if (in->rep && !count) {
			advance_rip(emu);
			commit(emu);
			return X86_EMU_OK;
		}
		emu->rep_stop = false;
		rc = str_once(emu);
		if (rc) {
			emu->rep_cut = done;
			return done ? X86_EMU_OK : rc;
		}
		last = true;
		if (in->rep) {
			reg_write(emu, GPR_RCX, in->adsize, --count);
			last = rep_done(emu, count);
		}
		if (last)
			advance_rip(emu);
		commit(emu);
		done++;
		if (last || emu->rep_stop || done >= limit)
			return X86_EMU_OK;
	}
}

int x86_emu_step(struct x86_emu *emu)
{
	int rc;

	rc = decode(emu);
	if (rc)
		return rc;
	if (emu->insn.kind == OPK_STR)
		return exec_string(emu);
	begin(emu);
	rc = exec_insn(emu);
	if (rc)
		return rc;
	advance_rip(emu);
	commit(emu);
	return X86_EMU_OK;
}

/* ---- decode-only interface -------------------------------------------- */

static void info_mem_rw(const struct x86_emu_insn *in,
			struct x86_emu_info *info)
{
	bool dst_mem = in->dst.type == OPND_MEM;

	info->mem_size = dst_mem ? in->dst.size : in->src.size;
	switch (in->kind) {
	case OPK_MOV:
		info->mem_read = !dst_mem;
		info->mem_write = dst_mem;
		break;
	case OPK_ALU:
		info->mem_read = true;
		info->mem_write = dst_mem && in->sub != ALU_CMP;
		break;
	case OPK_BT:
		info->mem_read = true;
		info->mem_write = in->sub != BT_BT;
		break;
	case OPK_XCHG:
	case OPK_NOT:
	case OPK_NEG:
	case OPK_INC:
	case OPK_DEC:
		info->mem_read = true;
		info->mem_write = true;
		break;
	default:	/* TEST, MOVZX, MOVSX */
		info->mem_read = true;
		break;
	}
}

/* String instructions: describe the first memory access. */
static void info_string(const struct x86_emu *emu, struct x86_emu_info *info)
{
	const struct x86_emu_insn *in = &emu->insn;
	bool di_first = in->sub == STR_STOS || in->sub == STR_SCAS;
	u64 am = size_mask(in->adsize);

	info->string = true;
	info->has_mem = true;
	info->mem_size = op_size(in);
	info->mem_read = in->sub != STR_STOS;
	info->mem_write = in->sub == STR_MOVS || in->sub == STR_STOS;
	if (di_first) {
		info->mem_seg = X86_SEG_ES;
		info->mem_ea = emu->gpr[GPR_RDI] & am;
	} else {
		info->mem_seg = in->seg_override != X86_SEG_NR ?
				in->seg_override : X86_SEG_DS;
		info->mem_ea = emu->gpr[GPR_RSI] & am;
	}
	info->mem_la = seg_base(emu, info->mem_seg) + info->mem_ea;
	if (!mode64(emu))
		info->mem_la &= 0xffffffffull;
}

/* INS reads ES:rDI, OUTS reads [seg]:rSI: the segment of its memory. */
static void info_pio(const struct x86_emu_insn *in, struct x86_emu_info *info)
{
	info->kind = X86_EMU_INFO_PIO;
	info->string = true;
	if (in->opcode < 0x6e)
		info->mem_seg = X86_SEG_ES;
	else
		info->mem_seg = in->seg_override != X86_SEG_NR ?
				in->seg_override : X86_SEG_DS;
}

int x86_emu_decode(struct x86_emu *emu, struct x86_emu_info *info)
{
	const struct x86_emu_insn *in = &emu->insn;
	int rc;

	memset(info, 0, sizeof(*info));
	rc = decode(emu);
	if (rc)
		return rc;
	info->len = in->len;
	info->map = in->map;
	info->opcode = in->opcode;
	info->opsize = (u8)op_size(in);
	info->adsize = in->adsize;
	info->rep = in->rep;
	info->lock = in->lock;
	if (in->kind == OPK_CTL) {
		info->kind = in->sub == CTL_CR ? X86_EMU_INFO_MOV_CR :
			     X86_EMU_INFO_MOV_DR;
		info->opsize = mode64(emu) ? 8 : 4;
		info->ctl_write = in->opcode & 2;
		info->ctl_reg = in->reg | (in->lock ? 8 : 0);
		info->ctl_gpr = (in->modrm & 7) | ((in->rex & REX_B) << 3);
	} else if (in->kind == OPK_STR) {
		info_string(emu, info);
	} else if (in->kind == OPK_SYS && in->sub == SYS_CLTS) {
		info->kind = X86_EMU_INFO_CLTS;
	} else if (in->kind == OPK_SYS && in->sub == SYS_BARE) {
		info->kind = X86_EMU_INFO_BARE;
	} else if (in->kind == OPK_SYS && in->sub == SYS_PIO) {
		info_pio(in, info);
	} else if (in->kind == OPK_SYS) {
		info->kind = X86_EMU_INFO_INVLPG;
		info->has_mem = true;
		info->mem_size = 1;
		info->mem_seg = in->seg;
		info->mem_ea = in->ea;
		info->mem_la = in->la;
	} else if (in->has_mem) {
		info->has_mem = true;
		info->mem_seg = in->seg;
		info->mem_ea = in->ea;
		info->mem_la = in->la;
		info_mem_rw(in, info);
	}
	return X86_EMU_OK;
}
