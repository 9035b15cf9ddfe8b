// SPDX-License-Identifier: GPL-2.0-only
/*
 * Table-driven emulator tests.  Each case gives the mode, the code bytes,
 * the registers and memory to start from and the expected outcome: return
 * code, registers/RIP/RFLAGS, every MMIO access in order, RAM contents, and
 * the fault.  The runner also checks, after every call that did not return
 * X86_EMU_OK, that nothing was committed: registers, RIP, RFLAGS, RAM and
 * the MMIO write log are exactly as before the call.
 */
#include <stdlib.h>
#include "harness.h"

#define R_RIP		16
#define R_RFLAGS	17

#define RAX 0
#define RCX 1
#define RDX 2
#define RBX 3
#define RSP 4
#define RBP 5
#define RSI 6
#define RDI 7
#define R8  8
#define R9  9
#define R12 12
#define R13 13
#define R15 15

/* Registers not set by a case start with this pattern. */
#define DEF(r)		(0xfeedface00000000ull + (u64)(r) * 0x01010101ull)

/* Register @r with the bits in @m replaced by @v. */
#define KEEP(r, m, v)	((DEF(r) & ~(u64)(m)) | (v))

#define H		MMIO_HIGH
#define L		MMIO_LOW
#define DATA		0x2000ull

struct rv {
	bool used;
	u8 reg;
	u64 val;
};

struct memv {
	bool used;
	u64 addr;
	u8 len;
	const char *bytes;
};

struct mmiov {
	bool used;
	bool write;
	u64 gpa;
	u8 len;
	u64 data;
};

struct alu_check {
	bool used;
	enum nat_op op;
	u8 size;
	u64 a, b;
};

struct emu_case {
	const char *name;
	enum x86_emu_mode mode;
	const char *code;
	u8 code_len;
	u8 cpl;
	u64 seg[X86_SEG_NR];
	struct rv set[8];
	struct memv mem[4];
	void (*setup)(struct env *e);
	u32 rep_batch;
	u8 steps;
	bool defer_io;
	bool la57;
	unsigned int fail_write_nr;
	/* Expected outcome. */
	int rc;
	struct rv want[8];
	struct mmiov mmio[6];
	struct memv want_mem[3];
	struct x86_fault fault;
	struct alu_check alu;		/* arithmetic flags vs native */
	bool rep_cut;			/* emu.rep_cut after the last step */
};

#define CODE(s)		.code = (s), .code_len = sizeof(s) - 1
#define R(r, v)		{ true, (r), (v) }
#define M(a, s)		{ true, (a), sizeof(s) - 1, (s) }
#define MW(a, l, d)	{ true, true, (a), (l), (d) }
#define MR(a, l, d)	{ true, false, (a), (l), (d) }
#define ALU(o, s, x, y)	{ true, (o), (s), (x), (y) }
#define GP0		{ X86_EMU_VEC_GP, true, 0, 0 }
#define SS0		{ X86_EMU_VEC_SS, true, 0, 0 }
#define UD		{ X86_EMU_VEC_UD, false, 0, 0 }
#define PF(ec, a)	{ 14, true, (ec), (a) }
#define FAULT		.rc = X86_EMU_FAULT
#define UNH		.rc = X86_EMU_UNHANDLED
#define P64		.mode = X86_EMU_PROT64
#define P32		.mode = X86_EMU_PROT32
#define P16		.mode = X86_EMU_PROT16
#define RM		.mode = X86_EMU_REAL
#define V86		.mode = X86_EMU_VM86

#define PATTERN8	"\x01\x02\x03\x04\x05\x06\x07\x08"

/* ---- page-table setups ------------------------------------------------ */

#define PG_RO		0x400000ull	/* la -> 0x3000, read-only */
#define PG_SUP		0x401000ull	/* la -> 0x4000, supervisor */
#define PG_NONE		0x402000ull	/* not present */
#define PG_CODE2	0x500000ull	/* la -> 0x5000; next page absent */
#define PG_SPLIT	0x600000ull	/* la -> 0x6000, la+4K -> 0x8000 */
#define PG_MMIO		0x700000ull	/* la -> MMIO_HIGH */
#define PG_HIGH		0x100001000ull	/* la -> CODE_ADDR */

static void setup_pg4(struct env *e)
{
	u64 root = pt_alloc(e), a;

	for (a = 0; a < 0x40000; a += 4096)
		pt_map(e, PT_L4, root, a, a, 1, PTE_ALL, PTE_ALL);
	pt_map(e, PT_L4, root, H, H, 1, PTE_ALL, PTE_ALL);
	pt_map(e, PT_L4, root, PG_RO, 0x3000, 1, PTE_P | PTE_U, PTE_ALL);
	pt_map(e, PT_L4, root, PG_SUP, 0x4000, 1, PTE_P | PTE_W, PTE_ALL);
	pt_map(e, PT_L4, root, PG_CODE2, 0x5000, 1, PTE_ALL, PTE_ALL);
	pt_map(e, PT_L4, root, PG_SPLIT, 0x6000, 1, PTE_ALL, PTE_ALL);
	pt_map(e, PT_L4, root, PG_SPLIT + 4096, 0x8000, 1, PTE_ALL, PTE_ALL);
	pt_map(e, PT_L4, root, PG_MMIO, H, 1, PTE_ALL, PTE_ALL);
	pt_map(e, PT_L4, root, PG_HIGH, CODE_ADDR, 1, PTE_ALL, PTE_ALL);
	env_set_paging(e, PT_L4, root);
}

static void setup_pg4_user(struct env *e)
{
	setup_pg4(e);
	e->emu.cpl = 3;
}

static void setup_pg4_smap(struct env *e)
{
	setup_pg4(e);
	e->wregs.cr4 |= CR4_SMAP;
}

/* Code in the last bytes of PG_CODE2 (gpa 0x5ffe). */
static void setup_code_at_page_end(struct env *e)
{
	setup_pg4(e);
	env_poke(e, 0x5ffe, "\x89\x07", 2);
	e->emu.rip = PG_CODE2 + 0xffe;
}

static void setup_code_crossing_absent(struct env *e)
{
	setup_pg4(e);
	env_poke(e, 0x5ffc, "\xc7\x07\x78\x56", 4);
	e->emu.rip = PG_CODE2 + 0xffc;
}

static void setup_code_split(struct env *e)
{
	setup_pg4(e);
	env_poke(e, 0x6ffe, "\xc7\x07", 2);
	env_poke(e, 0x8000, "\x78\x56\x34\x12", 4);
	e->emu.rip = PG_SPLIT + 0xffe;
}

static void setup_code_high(struct env *e)
{
	setup_pg4(e);
	e->emu.rip = PG_HIGH;
}

static void setup_fetch_absent(struct env *e)
{
	setup_pg4(e);
	e->emu.rip = PG_NONE;
}

static void setup_32bit_paging(struct env *e)
{
	u64 root = pt_alloc(e), a;

	for (a = 0; a < 0x40000; a += 4096)
		pt_map(e, PT_32, root, a, a, 1, PTE_ALL, PTE_ALL);
	pt_map(e, PT_32, root, 0x80000000ull, H, 2, PTE_ALL, PTE_ALL);
	env_set_paging(e, PT_32, root);
}

static void setup_pae_paging(struct env *e)
{
	u64 root = pt_alloc(e), a;

	for (a = 0; a < 0x40000; a += 4096)
		pt_map(e, PT_PAE, root, a, a, 1, PTE_ALL, PTE_ALL);
	pt_map(e, PT_PAE, root, 0xc0000000ull, H, 2, PTE_ALL, PTE_ALL);
	env_set_paging(e, PT_PAE, root);
}

static void setup_pae_nx_code(struct env *e)
{
	u64 root = pt_alloc(e);

	pt_map(e, PT_PAE, root, CODE_ADDR, CODE_ADDR, 1, PTE_ALL | PTE_NX,
	       PTE_ALL);
	env_set_paging(e, PT_PAE, root);
}

/* A 57-bit linear address (not 48-bit canonical) mapped onto MMIO. */
#define LA57_MMIO	0x00ff800000000020ull

static void setup_la57_paging(struct env *e)
{
	u64 root = pt_alloc(e), a;

	for (a = 0; a < 0x40000; a += 4096)
		pt_map(e, PT_L5, root, a, a, 1, PTE_ALL, PTE_ALL);
	pt_map(e, PT_L5, root, LA57_MMIO & ~0xfffull, H, 1, PTE_ALL, PTE_ALL);
	env_set_paging(e, PT_L5, root);
}

/* ---- the cases ----------------------------------------------------------- */

static const struct emu_case cases[] = {
	/* ---- MOV, 64-bit ---- */
	{ "mov [rdi],eax", P64, CODE("\x89\x07"),
	  .set = { R(RAX, 0x11223344), R(RDI, H) },
	  .mmio = { MW(H, 4, 0x11223344) } },
	{ "mov rax,[rdi]", P64, CODE("\x48\x8b\x07"), .set = { R(RDI, H) },
	  .mem = { M(H, PATTERN8) }, .want = { R(RAX, 0x0807060504030201) },
	  .mmio = { MR(H, 8, 0x0807060504030201) } },
	{ "mov eax,[rdi] zero-extends", P64, CODE("\x8b\x07"),
	  .set = { R(RDI, H) }, .mem = { M(H, PATTERN8) },
	  .want = { R(RAX, 0x04030201) }, .mmio = { MR(H, 4, 0x04030201) } },
	{ "mov ax,[rdi] keeps bits 63:16", P64, CODE("\x66\x8b\x07"),
	  .set = { R(RDI, H) }, .mem = { M(H, PATTERN8) },
	  .want = { R(RAX, KEEP(RAX, 0xffffull, 0x0201)) },
	  .mmio = { MR(H, 2, 0x0201) } },
	{ "mov al,[rdi]", P64, CODE("\x8a\x07"), .set = { R(RDI, H) },
	  .mem = { M(H, PATTERN8) },
	  .want = { R(RAX, KEEP(RAX, 0xffull, 0x01)) },
	  .mmio = { MR(H, 1, 1) } },
	{ "mov ah,[rdi] (no REX)", P64, CODE("\x8a\x27"), .set = { R(RDI, H) },
	  .mem = { M(H, PATTERN8) },
	  .want = { R(RAX, KEEP(RAX, 0xff00ull, 0x0100)) },
	  .mmio = { MR(H, 1, 1) } },
	{ "mov spl,[rdi] (REX)", P64, CODE("\x40\x8a\x27"),
	  .set = { R(RDI, H) }, .mem = { M(H, PATTERN8) },
	  .want = { R(RSP, KEEP(RSP, 0xffull, 0x01)) },
	  .mmio = { MR(H, 1, 1) } },
	{ "mov r9b,[rdi]", P64, CODE("\x44\x8a\x0f"), .set = { R(RDI, H) },
	  .mem = { M(H, PATTERN8) },
	  .want = { R(R9, KEEP(R9, 0xffull, 0x01)) },
	  .mmio = { MR(H, 1, 1) } },
	{ "mov [r8],r15", P64, CODE("\x4d\x89\x38"),
	  .set = { R(R8, H + 8), R(R15, 0x1122334455667788) },
	  .mmio = { MW(H + 8, 8, 0x1122334455667788) } },
	{ "mov [rdi],bh", P64, CODE("\x88\x3f"),
	  .set = { R(RDI, H), R(RBX, 0xabcd) }, .mmio = { MW(H, 1, 0xab) } },
	{ "mov [rdi],dil (REX)", P64, CODE("\x40\x88\x3f"),
	  .set = { R(RDI, H + 0x10) }, .mmio = { MW(H + 0x10, 1, 0x10) } },
	{ "mov byte [rdi],imm8", P64, CODE("\xc6\x07\x5a"),
	  .set = { R(RDI, H) }, .mmio = { MW(H, 1, 0x5a) } },
	{ "mov word [rdi],imm16", P64, CODE("\x66\xc7\x07\x34\x12"),
	  .set = { R(RDI, H) }, .mmio = { MW(H, 2, 0x1234) } },
	{ "mov dword [rdi],imm32", P64, CODE("\xc7\x07\x78\x56\x34\x12"),
	  .set = { R(RDI, H) }, .mmio = { MW(H, 4, 0x12345678) } },
	{ "mov qword [rdi],simm32", P64, CODE("\x48\xc7\x07\xfe\xff\xff\xff"),
	  .set = { R(RDI, H) }, .mmio = { MW(H, 8, 0xfffffffffffffffe) } },
	{ "mov qword [rdi+8],imm32", P64,
	  CODE("\x48\xc7\x47\x08\x01\x00\x00\x80"), .set = { R(RDI, H) },
	  .mmio = { MW(H + 8, 8, 0xffffffff80000001) } },
	{ "mov reg,reg (register-only form)", P64, CODE("\x48\x89\xd8"),
	  .set = { R(RBX, 0x123456789) }, .want = { R(RAX, 0x123456789) } },

	/* ---- addressing, 64-bit ---- */
	{ "rip-relative read", P64, CODE("\x8b\x05\x00\x01\x00\x00"),
	  .mem = { M(0x1106, "\xef\xbe\xad\xde") },
	  .want = { R(RAX, 0xdeadbeef) } },
	{ "rip-relative counts the immediate", P64,
	  CODE("\xc7\x05\xf6\x0f\x00\x00\x2a\x00\x00\x00"),
	  .want_mem = { M(DATA, "\x2a\x00\x00\x00") } },
	{ "rip-relative with 67: eip-relative", P64,
	  CODE("\x67\x8b\x05\xf9\x0f\x00\x00"), .setup = setup_code_high,
	  .mem = { M(DATA, "\x44\x33\x22\x11") },
	  .want = { R(RAX, 0x11223344), R(R_RIP, PG_HIGH + 7) } },
	{ "rip-relative above 4G without 67", P64,
	  CODE("\x8b\x05\xfa\x0f\x00\x00"), .setup = setup_code_high,
	  FAULT, .fault = PF(0, PG_HIGH + 0x1000) },
	{ "sib base+index*4+disp8", P64, CODE("\x89\x54\x88\x10"),
	  .set = { R(RAX, H), R(RCX, 3), R(RDX, 0xcafebabe) },
	  .mmio = { MW(H + 0x1c, 4, 0xcafebabe) } },
	{ "sib [rsp]", P64, CODE("\x8b\x04\x24"), .set = { R(RSP, H) },
	  .mem = { M(H, PATTERN8) }, .want = { R(RAX, 0x04030201) },
	  .mmio = { MR(H, 4, 0x04030201) } },
	{ "sib no base: disp32 is sign-extended", P64,
	  CODE("\x8b\x04\x25\x00\x00\x00\xd0"),
	  .want = { R(RAX, 0xffffffff) },
	  .mmio = { MR(0xffffffffd0000000ull, 4, 0xffffffff) } },
	{ "sib no base: disp32", P64, CODE("\x8b\x04\x25\x00\x20\x00\x00"),
	  .mem = { M(DATA, "\x11\x22\x33\x44") },
	  .want = { R(RAX, 0x44332211) } },
	{ "sib REX.X index r12", P64, CODE("\x42\x8b\x04\xa0"),
	  .set = { R(RAX, H), R(R12, 2) }, .mem = { M(H + 8, "\x99") },
	  .want = { R(RAX, 0x99) }, .mmio = { MR(H + 8, 4, 0x99) } },
	{ "sib index 100b means none", P64, CODE("\x8b\x04\x60"),
	  .set = { R(RAX, H) }, .want = { R(RAX, 0) },
	  .mmio = { MR(H, 4, 0) } },
	{ "r13 base needs disp8", P64, CODE("\x41\x8b\x45\x00"),
	  .set = { R(R13, H) }, .want = { R(RAX, 0) },
	  .mmio = { MR(H, 4, 0) } },
	{ "sib base 101b mod 0 with REX.B: no base", P64,
	  CODE("\x41\x8b\x04\x25\x00\x20\x00\x00"),
	  .mem = { M(DATA, "\x11\x22\x33\x44") },
	  .want = { R(RAX, 0x44332211) } },
	{ "67: 32-bit address wraps", P64, CODE("\x67\x8b\x07"),
	  .set = { R(RDI, 0xffffffff00002000) },
	  .mem = { M(DATA, "\x11\x22\x33\x44") },
	  .want = { R(RAX, 0x44332211) } },
	{ "67: sum wraps at 4G", P64, CODE("\x67\x8b\x47\x10"),
	  .set = { R(RDI, 0xfffffff8) }, .mem = { M(8, "\x5a") },
	  .want = { R(RAX, 0x5a) } },
	{ "fs override", P64, CODE("\x64\x8b\x07"), .seg = { [X86_SEG_FS] = H },
	  .set = { R(RDI, 0x10) }, .want = { R(RAX, 0) },
	  .mmio = { MR(H + 0x10, 4, 0) } },
	{ "gs override store", P64, CODE("\x65\x48\x89\x07"),
	  .seg = { [X86_SEG_GS] = H - 0x1000 }, .set = { R(RDI, 0x1000) },
	  .mmio = { MW(H, 8, DEF(RAX)) } },
	{ "cs/ds bases ignored in 64-bit", P64, CODE("\x2e\x8b\x07"),
	  .seg = { [X86_SEG_CS] = 0x10000, [X86_SEG_DS] = 0x5000 },
	  .set = { R(RDI, H) }, .want = { R(RAX, 0) },
	  .mmio = { MR(H, 4, 0) } },
	{ "REX before a legacy prefix is ignored", P64, CODE("\x48\x66\x8b\x07"),
	  .set = { R(RDI, H) }, .mem = { M(H, PATTERN8) },
	  .want = { R(RAX, KEEP(RAX, 0xffffull, 0x0201)) },
	  .mmio = { MR(H, 2, 0x0201) } },
	{ "last REX wins", P64, CODE("\x41\x48\x8b\x07"),
	  .set = { R(RDI, H) }, .mem = { M(H, PATTERN8) },
	  .want = { R(RAX, 0x0807060504030201) },
	  .mmio = { MR(H, 8, 0x0807060504030201) } },
	{ "REX.W overrides 66", P64, CODE("\x66\x48\x8b\x07"),
	  .set = { R(RDI, H) }, .mem = { M(H, PATTERN8) },
	  .want = { R(RAX, 0x0807060504030201) },
	  .mmio = { MR(H, 8, 0x0807060504030201) } },

	/* ---- ALU ---- */
	{ "add [rdi],eax", P64, CODE("\x01\x07"),
	  .set = { R(RAX, 1), R(RDI, H) }, .mem = { M(H, "\xff\xff\xff\x7f") },
	  .mmio = { MR(H, 4, 0x7fffffff), MW(H, 4, 0x80000000) },
	  .alu = ALU(N_ADD, 4, 0x7fffffff, 1) },
	{ "add eax,[rdi]", P64, CODE("\x03\x07"),
	  .set = { R(RAX, 0xffffffff00000001), R(RDI, H) },
	  .mem = { M(H, "\xff\xff\xff\xff") }, .want = { R(RAX, 0) },
	  .mmio = { MR(H, 4, 0xffffffff) },
	  .alu = ALU(N_ADD, 4, 1, 0xffffffff) },
	{ "or byte [rdi],0x80", P64, CODE("\x80\x0f\x80"),
	  .set = { R(RDI, H) }, .mem = { M(H, "\x01") },
	  .mmio = { MR(H, 1, 1), MW(H, 1, 0x81) },
	  .alu = ALU(N_OR, 1, 1, 0x80) },
	{ "adc qword [rdi],-1 with CF", P64, CODE("\x48\x83\x17\xff"),
	  .set = { R(RDI, H), R(R_RFLAGS, 0x3) }, .mem = { M(H, "\x05") },
	  .mmio = { MR(H, 8, 5), MW(H, 8, 5) },
	  .alu = ALU(N_ADC, 8, 5, ~0ull) },
	{ "sbb word [rdi],1 with CF", P64, CODE("\x66\x83\x1f\x01"),
	  .set = { R(RDI, H), R(R_RFLAGS, 0x3) }, .mem = { M(H, "\x01\x00") },
	  .mmio = { MR(H, 2, 1), MW(H, 2, 0xffff) },
	  .alu = ALU(N_SBB, 2, 1, 1) },
	{ "and [rdi],imm32", P64, CODE("\x81\x27\xf0\xf0\xf0\xf0"),
	  .set = { R(RDI, H) }, .mem = { M(H, "\xff\x0f\xff\x0f") },
	  .mmio = { MR(H, 4, 0x0fff0fff), MW(H, 4, 0x00f000f0) },
	  .alu = ALU(N_AND, 4, 0x0fff0fff, 0xf0f0f0f0) },
	{ "sub [rdi],rcx", P64, CODE("\x48\x29\x0f"),
	  .set = { R(RDI, H), R(RCX, 2) }, .mem = { M(H, "\x01") },
	  .mmio = { MR(H, 8, 1), MW(H, 8, ~0ull) },
	  .alu = ALU(N_SUB, 8, 1, 2) },
	{ "xor [rdi],bl", P64, CODE("\x30\x1f"),
	  .set = { R(RDI, H), R(RBX, 0xff) }, .mem = { M(H, "\x0f") },
	  .mmio = { MR(H, 1, 0x0f), MW(H, 1, 0xf0) },
	  .alu = ALU(N_XOR, 1, 0x0f, 0xff) },
	{ "cmp [rdi],eax does not write", P64, CODE("\x39\x07"),
	  .set = { R(RDI, H), R(RAX, 5) }, .mem = { M(H, "\x03") },
	  .mmio = { MR(H, 4, 3) }, .alu = ALU(N_CMP, 4, 3, 5) },
	{ "cmp byte [rdi],imm8", P64, CODE("\x80\x3f\x10"),
	  .set = { R(RDI, H) }, .mem = { M(H, "\x10") },
	  .mmio = { MR(H, 1, 0x10) }, .alu = ALU(N_CMP, 1, 0x10, 0x10) },
	{ "add word [rdi],imm16", P64, CODE("\x66\x81\x07\x34\x12"),
	  .set = { R(RDI, H) }, .mem = { M(H, "\xff\xff") },
	  .mmio = { MR(H, 2, 0xffff), MW(H, 2, 0x1233) },
	  .alu = ALU(N_ADD, 2, 0xffff, 0x1234) },
	{ "add qword [rdi],simm32", P64, CODE("\x48\x81\x07\x00\x00\x00\x80"),
	  .set = { R(RDI, H) }, .mem = { M(H, PATTERN8) },
	  .mmio = { MR(H, 8, 0x0807060504030201),
		    MW(H, 8, 0x0807060484030201) },
	  .alu = ALU(N_ADD, 8, 0x0807060504030201, 0xffffffff80000000) },
	{ "82 is 80 outside 64-bit", P32, CODE("\x82\x07\x01"),
	  .set = { R(RDI, H) }, .mem = { M(H, "\x7f") },
	  .mmio = { MR(H, 1, 0x7f), MW(H, 1, 0x80) },
	  .alu = ALU(N_ADD, 1, 0x7f, 1) },
	{ "add eax,imm32", P64, CODE("\x05\x01\x00\x00\x00"),
	  .set = { R(RAX, 0xffffffffffffffff) }, .want = { R(RAX, 0) },
	  .alu = ALU(N_ADD, 4, 0xffffffff, 1) },
	{ "cmp al,imm8", P64, CODE("\x3c\x41"), .set = { R(RAX, 0x40) },
	  .alu = ALU(N_CMP, 1, 0x40, 0x41) },
	{ "sub rax,simm32", P64, CODE("\x48\x2d\xff\xff\xff\xff"),
	  .set = { R(RAX, 5) }, .want = { R(RAX, 6) },
	  .alu = ALU(N_SUB, 8, 5, ~0ull) },
	{ "adc r/m,reg register form", P64, CODE("\x11\xd8"),
	  .set = { R(RAX, 0xfffffffe), R(RBX, 1), R(R_RFLAGS, 0x3) },
	  .want = { R(RAX, 0) }, .alu = ALU(N_ADC, 4, 0xfffffffe, 1) },
	{ "test [rdi],eax", P64, CODE("\x85\x07"),
	  .set = { R(RDI, H), R(RAX, 0x80000000) },
	  .mem = { M(H, "\x00\x00\x00\x80") },
	  .mmio = { MR(H, 4, 0x80000000) },
	  .alu = ALU(N_TEST, 4, 0x80000000, 0x80000000) },
	{ "test byte [rdi],imm8", P64, CODE("\xf6\x07\x01"),
	  .set = { R(RDI, H) }, .mem = { M(H, "\x02") },
	  .mmio = { MR(H, 1, 2) }, .alu = ALU(N_TEST, 1, 2, 1) },
	{ "test qword [rdi],simm32", P64,
	  CODE("\x48\xf7\x07\x00\x00\x00\x80"), .set = { R(RDI, H) },
	  .mem = { M(H, "\x00\x00\x00\x00\x00\x00\x00\x80") },
	  .mmio = { MR(H, 8, 0x8000000000000000) },
	  .alu = ALU(N_TEST, 8, 0x8000000000000000, 0xffffffff80000000) },
	{ "test eax,imm32", P64, CODE("\xa9\xff\x00\x00\x00"),
	  .set = { R(RAX, 0x100) }, .alu = ALU(N_TEST, 4, 0x100, 0xff) },
	{ "not dword [rdi]", P64, CODE("\xf7\x17"), .set = { R(RDI, H) },
	  .mem = { M(H, "\xff\x00\xff\x00") },
	  .mmio = { MR(H, 4, 0x00ff00ff), MW(H, 4, 0xff00ff00) } },
	{ "neg byte [rdi]", P64, CODE("\xf6\x1f"), .set = { R(RDI, H) },
	  .mem = { M(H, "\x80") }, .mmio = { MR(H, 1, 0x80), MW(H, 1, 0x80) },
	  .alu = ALU(N_NEG, 1, 0x80, 0) },
	{ "neg zero clears CF", P64, CODE("\xf7\x1f"),
	  .set = { R(RDI, H), R(R_RFLAGS, 0x3) },
	  .mmio = { MR(H, 4, 0), MW(H, 4, 0) }, .alu = ALU(N_NEG, 4, 0, 0) },
	{ "inc qword [rdi] keeps CF", P64, CODE("\x48\xff\x07"),
	  .set = { R(RDI, H), R(R_RFLAGS, 0x3) },
	  .mem = { M(H, "\xff\xff\xff\xff\xff\xff\xff\x7f") },
	  .mmio = { MR(H, 8, 0x7fffffffffffffff),
		    MW(H, 8, 0x8000000000000000) },
	  .alu = ALU(N_INC, 8, 0x7fffffffffffffff, 0) },
	{ "dec word [rdi]", P64, CODE("\x66\xff\x0f"), .set = { R(RDI, H) },
	  .mmio = { MR(H, 2, 0), MW(H, 2, 0xffff) },
	  .alu = ALU(N_DEC, 2, 0, 0) },
	{ "dec byte register form", P64, CODE("\xfe\xcc"),
	  .set = { R(RAX, 0x0100) }, .want = { R(RAX, 0x0000) },
	  .alu = ALU(N_DEC, 1, 1, 0) },

	/* ---- XCHG ---- */
	{ "xchg [rdi],eax", P64, CODE("\x87\x07"),
	  .set = { R(RDI, H), R(RAX, 0xffffffff11111111) },
	  .mem = { M(H, "\x78\x56\x34\x12") }, .want = { R(RAX, 0x12345678) },
	  .mmio = { MR(H, 4, 0x12345678), MW(H, 4, 0x11111111) } },
	{ "lock xchg [rdi],cl", P64, CODE("\xf0\x86\x0f"),
	  .set = { R(RDI, H), R(RCX, 0x77) }, .mem = { M(H, "\x66") },
	  .want = { R(RCX, 0x66) },
	  .mmio = { MR(H, 1, 0x66), MW(H, 1, 0x77) } },
	{ "xchg register form", P64, CODE("\x48\x87\xd8"),
	  .set = { R(RAX, 1), R(RBX, 2) }, .want = { R(RAX, 2), R(RBX, 1) } },

	/* ---- LOCK ---- */
	{ "lock add [rdi],eax", P64, CODE("\xf0\x01\x07"),
	  .set = { R(RDI, H), R(RAX, 1) },
	  .mmio = { MR(H, 4, 0), MW(H, 4, 1) }, .alu = ALU(N_ADD, 4, 0, 1) },
	{ "lock mov is #UD", P64, CODE("\xf0\x89\x07"), .set = { R(RDI, H) },
	  FAULT, .fault = UD },
	{ "lock with register destination is #UD", P64, CODE("\xf0\x03\x07"),
	  .set = { R(RDI, H) }, FAULT, .fault = UD },
	{ "lock cmp is #UD", P64, CODE("\xf0\x39\x07"), .set = { R(RDI, H) },
	  FAULT, .fault = UD },
	{ "lock add reg,reg is #UD", P64, CODE("\xf0\x01\xc0"), FAULT,
	  .fault = UD },
	{ "lock test is #UD", P64, CODE("\xf0\xf6\x07\x01"),
	  .set = { R(RDI, H) }, FAULT, .fault = UD },
	{ "lock bt is #UD", P64, CODE("\xf0\x0f\xa3\x07"),
	  .set = { R(RDI, H) }, FAULT, .fault = UD },
	{ "lock neg [rdi]", P64, CODE("\xf0\xf6\x1f"), .set = { R(RDI, H) },
	  .mem = { M(H, "\x01") }, .mmio = { MR(H, 1, 1), MW(H, 1, 0xff) },
	  .alu = ALU(N_NEG, 1, 1, 0) },

	/* ---- MOVZX / MOVSX / MOVSXD ---- */
	{ "movzx eax,byte [rdi]", P64, CODE("\x0f\xb6\x07"),
	  .set = { R(RDI, H) }, .mem = { M(H, "\x80") },
	  .want = { R(RAX, 0x80) }, .mmio = { MR(H, 1, 0x80) } },
	{ "movzx ax,byte [rdi]", P64, CODE("\x66\x0f\xb6\x07"),
	  .set = { R(RDI, H) }, .mem = { M(H, "\x80") },
	  .want = { R(RAX, KEEP(RAX, 0xffffull, 0x80)) },
	  .mmio = { MR(H, 1, 0x80) } },
	{ "movsx eax,byte [rdi]", P64, CODE("\x0f\xbe\x07"),
	  .set = { R(RDI, H) }, .mem = { M(H, "\x80") },
	  .want = { R(RAX, 0xffffff80) }, .mmio = { MR(H, 1, 0x80) } },
	{ "movsx rax,word [rdi]", P64, CODE("\x48\x0f\xbf\x07"),
	  .set = { R(RDI, H) }, .mem = { M(H, "\x00\x80") },
	  .want = { R(RAX, 0xffffffffffff8000) },
	  .mmio = { MR(H, 2, 0x8000) } },
	{ "movzx r8d,word [rdi]", P64, CODE("\x44\x0f\xb7\x07"),
	  .set = { R(RDI, H) }, .mem = { M(H, "\x00\x80") },
	  .want = { R(R8, 0x8000) }, .mmio = { MR(H, 2, 0x8000) } },
	{ "movsxd rax,dword [rdi]", P64, CODE("\x48\x63\x07"),
	  .set = { R(RDI, H) }, .mem = { M(H, "\x00\x00\x00\x80") },
	  .want = { R(RAX, 0xffffffff80000000) },
	  .mmio = { MR(H, 4, 0x80000000) } },
	{ "movsxd eax,dword [rdi] (no REX.W)", P64, CODE("\x63\x07"),
	  .set = { R(RDI, H) }, .mem = { M(H, "\x00\x00\x00\x80") },
	  .want = { R(RAX, 0x80000000) }, .mmio = { MR(H, 4, 0x80000000) } },
	{ "movzx ecx,ah", P64, CODE("\x0f\xb6\xcc"), .set = { R(RAX, 0x1234) },
	  .want = { R(RCX, 0x12) } },
	{ "movsx r12w,spl", P64, CODE("\x66\x44\x0f\xbe\xe4"),
	  .set = { R(RSP, 0x80) },
	  .want = { R(R12, KEEP(R12, 0xffffull, 0xff80)) } },

	/* ---- BT family ---- */
	{ "bt [rdi],eax: offset 35 reads the next dword", P64,
	  CODE("\x0f\xa3\x07"), .set = { R(RDI, H), R(RAX, 35) },
	  .mem = { M(H + 4, "\x08") }, .want = { R(R_RFLAGS, 0x3) },
	  .mmio = { MR(H + 4, 4, 8) } },
	{ "bt [rdi],eax: offset -1 reads the dword below", P64,
	  CODE("\x0f\xa3\x07"), .set = { R(RDI, H + 8), R(RAX, 0xffffffff) },
	  .mem = { M(H + 4, "\x00\x00\x00\x80") },
	  .want = { R(R_RFLAGS, 0x3) }, .mmio = { MR(H + 4, 4, 0x80000000) } },
	{ "bts [rdi],rax: offset 69", P64, CODE("\x48\x0f\xab\x07"),
	  .set = { R(RDI, H), R(RAX, 69) }, .mem = { M(H + 8, "\x01") },
	  .want = { R(R_RFLAGS, 0x2) },
	  .mmio = { MR(H + 8, 8, 1), MW(H + 8, 8, 0x21) } },
	{ "btr word [rdi],ax: offset -17", P64, CODE("\x66\x0f\xb3\x07"),
	  .set = { R(RDI, DATA + 0x10), R(RAX, 0xffef) },
	  .mem = { M(DATA + 0xc, "\xff\xff") }, .want = { R(R_RFLAGS, 0x3) },
	  .want_mem = { M(DATA + 0xc, "\xff\x7f") } },
	{ "btc [rdi],imm8 is modulo 32", P64, CODE("\x0f\xba\x3f\x21"),
	  .set = { R(RDI, H) }, .mem = { M(H, "\x02") },
	  .want = { R(R_RFLAGS, 0x3) },
	  .mmio = { MR(H, 4, 2), MW(H, 4, 0) } },
	{ "bts [rdi],imm8 64-bit", P64, CODE("\x48\x0f\xba\x2f\x3f"),
	  .set = { R(RDI, H) }, .want = { R(R_RFLAGS, 0x2) },
	  .mmio = { MR(H, 8, 0), MW(H, 8, 0x8000000000000000) } },
	{ "bt ebx,eax register form is modulo", P64, CODE("\x0f\xa3\xc3"),
	  .set = { R(RAX, 33), R(RBX, 2) }, .want = { R(R_RFLAGS, 0x3) } },
	{ "bt keeps other flags", P64, CODE("\x0f\xa3\xc3"),
	  .set = { R(RAX, 0), R(RBX, 0), R(R_RFLAGS, 0x8c5) },
	  .want = { R(R_RFLAGS, 0x8c4) } },
	{ "lock bts [rdi],eax", P64, CODE("\xf0\x0f\xab\x07"),
	  .set = { R(RDI, H), R(RAX, 0) }, .want = { R(R_RFLAGS, 0x2) },
	  .mmio = { MR(H, 4, 0), MW(H, 4, 1) } },

	/* ---- moffs ---- */
	{ "mov eax,[moffs64]", P64,
	  CODE("\xa1\x00\x00\x00\xd0\x00\x00\x00\x00"),
	  .mem = { M(H, PATTERN8) }, .want = { R(RAX, 0x04030201) },
	  .mmio = { MR(H, 4, 0x04030201) } },
	{ "mov [moffs64],rax", P64,
	  CODE("\x48\xa3\x08\x00\x00\xd0\x00\x00\x00\x00"),
	  .mmio = { MW(H + 8, 8, DEF(RAX)) } },
	{ "mov al,[moffs64]", P64,
	  CODE("\xa0\x01\x00\x00\xd0\x00\x00\x00\x00"),
	  .mem = { M(H, PATTERN8) },
	  .want = { R(RAX, KEEP(RAX, 0xffull, 2)) },
	  .mmio = { MR(H + 1, 1, 2) } },
	{ "67 mov eax,[moffs32]", P64, CODE("\x67\xa1\x00\x00\x00\xd0"),
	  .want = { R(RAX, 0) }, .mmio = { MR(H, 4, 0) } },
	{ "fs: mov [moffs64],al", P64,
	  CODE("\x64\xa2\x20\x00\x00\x00\x00\x00\x00\x00"),
	  .seg = { [X86_SEG_FS] = H }, .mmio = { MW(H + 0x20, 1, 0x00) } },

	/* ---- string instructions ---- */
	{ "stosb", P64, CODE("\xaa"), .set = { R(RDI, H), R(RAX, 0x42) },
	  .want = { R(RDI, H + 1) }, .mmio = { MW(H, 1, 0x42) } },
	{ "stosd with DF=1", P64, CODE("\xab"),
	  .set = { R(RDI, H), R(RAX, 0x42), R(R_RFLAGS, 0x402) },
	  .want = { R(RDI, H - 4) }, .mmio = { MW(H, 4, 0x42) } },
	{ "rep stosq in RAM, one call", P64, CODE("\xf3\x48\xab"),
	  .rep_batch = 16, .set = { R(RDI, DATA), R(RCX, 3), R(RAX, 0x0101) },
	  .want = { R(RDI, DATA + 24), R(RCX, 0) },
	  .want_mem = { M(DATA, "\x01\x01\0\0\0\0\0\0\x01\x01\0\0\0\0\0\0"),
			M(DATA + 16, "\x01\x01\0\0\0\0\0\0\0") } },
	{ "rep stosb: batch is capped", P64, CODE("\xf3\xaa"),
	  .rep_batch = 0xffffffff,
	  .set = { R(RDI, DATA), R(RCX, X86_EMU_REP_BATCH_MAX + 5) },
	  .want = { R(RDI, DATA + X86_EMU_REP_BATCH_MAX), R(RCX, 5),
		    R(R_RIP, CODE_ADDR) } },
	{ "rep stosb: batch of 2 leaves RIP", P64, CODE("\xf3\xaa"),
	  .rep_batch = 2, .set = { R(RDI, DATA), R(RCX, 3), R(RAX, 0x77) },
	  .want = { R(RDI, DATA + 2), R(RCX, 1), R(R_RIP, CODE_ADDR) },
	  .want_mem = { M(DATA, "\x77\x77\x00") } },
	{ "rep stosb: one iteration by default", P64, CODE("\xf3\xaa"),
	  .set = { R(RDI, DATA), R(RCX, 3), R(RAX, 0x77) },
	  .want = { R(RDI, DATA + 1), R(RCX, 2), R(R_RIP, CODE_ADDR) },
	  .want_mem = { M(DATA, "\x77\x00") } },
	{ "rep stosd: MMIO ends the batch", P64, CODE("\xf3\xab"),
	  .rep_batch = 16, .set = { R(RDI, H), R(RCX, 3), R(RAX, 9) },
	  .want = { R(RDI, H + 4), R(RCX, 2), R(R_RIP, CODE_ADDR) },
	  .mmio = { MW(H, 4, 9) } },
	{ "rep movsb RAM->MMIO, 3 calls", P64, CODE("\xf3\xa4"),
	  .rep_batch = 16, .steps = 3,
	  .set = { R(RSI, DATA), R(RDI, H), R(RCX, 3) },
	  .mem = { M(DATA, "abc") },
	  .want = { R(RSI, DATA + 3), R(RDI, H + 3), R(RCX, 0) },
	  .mmio = { MW(H, 1, 'a'), MW(H + 1, 1, 'b'), MW(H + 2, 1, 'c') } },
	{ "movsw MMIO->RAM with DF=1", P64, CODE("\x66\xa5"),
	  .set = { R(RSI, H + 2), R(RDI, DATA), R(R_RFLAGS, 0x402) },
	  .mem = { M(H, PATTERN8) },
	  .want = { R(RSI, H), R(RDI, DATA - 2) },
	  .mmio = { MR(H + 2, 2, 0x0403) },
	  .want_mem = { M(DATA, "\x03\x04") } },
	{ "lodsd zero-extends", P64, CODE("\xad"), .set = { R(RSI, H) },
	  .mem = { M(H, PATTERN8) },
	  .want = { R(RAX, 0x04030201), R(RSI, H + 4) },
	  .mmio = { MR(H, 4, 0x04030201) } },
	{ "lodsb keeps bits 63:8", P64, CODE("\xac"), .set = { R(RSI, H) },
	  .mem = { M(H, PATTERN8) },
	  .want = { R(RAX, KEEP(RAX, 0xffull, 1)), R(RSI, H + 1) },
	  .mmio = { MR(H, 1, 1) } },
	{ "repe cmpsb stops at mismatch", P64, CODE("\xf3\xa6"),
	  .rep_batch = 16,
	  .set = { R(RSI, DATA), R(RDI, DATA + 0x100), R(RCX, 10) },
	  .mem = { M(DATA, "abcx"), M(DATA + 0x100, "abcd") },
	  .want = { R(RSI, DATA + 4), R(RDI, DATA + 0x104), R(RCX, 6) },
	  .alu = ALU(N_CMP, 1, 'x', 'd') },
	{ "repne scasb finds the byte", P64, CODE("\xf2\xae"),
	  .rep_batch = 16,
	  .set = { R(RDI, DATA), R(RCX, 10), R(RAX, 'd') },
	  .mem = { M(DATA, "abcd") },
	  .want = { R(RDI, DATA + 4), R(RCX, 6) },
	  .alu = ALU(N_CMP, 1, 'd', 'd') },
	{ "repe cmpsb exhausts the count", P64, CODE("\xf3\xa6"),
	  .rep_batch = 16,
	  .set = { R(RSI, DATA), R(RDI, DATA + 0x100), R(RCX, 3) },
	  .mem = { M(DATA, "abc"), M(DATA + 0x100, "abc") },
	  .want = { R(RSI, DATA + 3), R(RDI, DATA + 0x103), R(RCX, 0) },
	  .alu = ALU(N_CMP, 1, 'c', 'c') },
	{ "rep with count 0 does nothing", P64, CODE("\xf3\xa4"),
	  .set = { R(RSI, H), R(RDI, H), R(RCX, 0) } },
	{ "67 rep stosb: ECX/EDI, zero-extended", P64, CODE("\x67\xf3\xaa"),
	  .set = { R(RDI, 0xffffffff00002000), R(RCX, 0xffffffff00000001),
		   R(RAX, 0x33) },
	  .want = { R(RDI, DATA + 1), R(RCX, 0) },
	  .want_mem = { M(DATA, "\x33") } },
	{ "cmpsd with fs: source", P64, CODE("\x64\xa7"),
	  .seg = { [X86_SEG_FS] = H }, .set = { R(RSI, 0), R(RDI, DATA) },
	  .mem = { M(DATA, "\x01\x00\x00\x00") },
	  .want = { R(RSI, 4), R(RDI, DATA + 4) }, .mmio = { MR(H, 4, 0) },
	  .alu = ALU(N_CMP, 4, 0, 1) },
	{ "scasw with DF=1", P64, CODE("\x66\xaf"),
	  .set = { R(RDI, DATA), R(RAX, 0x1234), R(R_RFLAGS, 0x402) },
	  .mem = { M(DATA, "\x34\x12") }, .want = { R(RDI, DATA - 2) },
	  .alu = ALU(N_CMP, 2, 0x1234, 0x1234) },
	{ "movsb MMIO->MMIO with deferred read", P64, CODE("\xa4"),
	  .defer_io = true, .set = { R(RSI, H), R(RDI, H + 0x100) },
	  .mem = { M(H, "\x5a") },
	  .want = { R(RSI, H + 1), R(RDI, H + 0x101) },
	  .mmio = { MR(H, 1, 0x5a), MW(H + 0x100, 1, 0x5a) } },
	{ "cmpsb with two deferred reads", P64, CODE("\xa6"),
	  .defer_io = true, .set = { R(RSI, H), R(RDI, H + 0x10) },
	  .mem = { M(H, "\x05"), M(H + 0x10, "\x07") },
	  .want = { R(RSI, H + 1), R(RDI, H + 0x11) },
	  .mmio = { MR(H, 1, 5), MR(H + 0x10, 1, 7) },
	  .alu = ALU(N_CMP, 1, 5, 7) },
	{ "rep stosb: fault in 2nd iteration keeps the 1st", P64,
	  CODE("\xf3\xaa"), .rep_batch = 16, .fail_write_nr = 2,
	  .set = { R(RDI, DATA), R(RCX, 5), R(RAX, 0x11) },
	  .want = { R(RDI, DATA + 1), R(RCX, 4), R(R_RIP, CODE_ADDR) },
	  .want_mem = { M(DATA, "\x11\x00") }, .rep_cut = true },
	{ "stosb: fault commits nothing", P64, CODE("\xaa"),
	  .fail_write_nr = 1, .set = { R(RDI, DATA) }, FAULT,
	  .fault = PF(3, DATA) },
	{ "rep movsb: deferred read in 2nd iteration keeps the 1st", P64,
	  CODE("\xf3\xa4"), .rep_batch = 16, .defer_io = true,
	  .set = { R(RSI, L - 1), R(RDI, DATA), R(RCX, 4) },
	  .want = { R(RSI, L), R(RDI, DATA + 1), R(RCX, 3),
		    R(R_RIP, CODE_ADDR) }, .rep_cut = true },

	/* ---- RFLAGS.RF, more prefixes and sizes ---- */
	{ "completion clears RF", P64, CODE("\x89\x07"),
	  .set = { R(RDI, H), R(R_RFLAGS, 0x10002) },
	  .want = { R(R_RFLAGS, 0x2) }, .mmio = { MW(H, 4, 0) } },
	{ "rep in progress keeps RF", P64, CODE("\xf3\xaa"),
	  .set = { R(RDI, DATA), R(RCX, 2), R(R_RFLAGS, 0x10002) },
	  .want = { R(RDI, DATA + 1), R(RCX, 1), R(R_RIP, CODE_ADDR) } },
	{ "real: rep count is CX only", RM, CODE("\xf3\xaa"),
	  .set = { R(RCX, 0x10000), R(RDI, 0) }, .seg = { [X86_SEG_ES] = L } },
	{ "lock xchg reg,reg is #UD", P64, CODE("\xf0\x87\xd8"), FAULT,
	  .fault = UD },
	{ "real: 66 mov dword [bx],imm32", RM,
	  CODE("\x66\xc7\x07\x78\x56\x34\x12"),
	  .seg = { [X86_SEG_DS] = L }, .set = { R(RBX, 8) },
	  .mmio = { MW(L + 8, 4, 0x12345678) } },
	{ "32: 66 mov word [edi],imm16", P32, CODE("\x66\xc7\x07\x34\x12"),
	  .set = { R(RDI, H) }, .mmio = { MW(H, 2, 0x1234) } },
	{ "f3 on a non-string instruction is ignored", P64,
	  CODE("\xf3\x89\x07"), .set = { R(RDI, H), R(RAX, 5) },
	  .mmio = { MW(H, 4, 5) } },
	{ "PAE paging: 2M page onto MMIO", P32, CODE("\x8b\x07"),
	  .setup = setup_pae_paging, .set = { R(RDI, 0xc0000010) },
	  .want = { R(RAX, KEEP(RAX, 0xffffffffull, 0)) },
	  .mmio = { MR(H + 0x10, 4, 0) } },
	{ "PAE paging: NX data page is readable, fetch is not", P32,
	  CODE("\x90"), .setup = setup_pae_nx_code, FAULT,
	  .fault = PF(0x11, CODE_ADDR) },
	{ "5-level paging: high linear address", P64, CODE("\x89\x07"),
	  .setup = setup_la57_paging, .set = { R(RDI, LA57_MMIO) },
	  .mmio = { MW(H + 0x20, 4, DEF(RAX) & 0xffffffff) } },
	{ "5-level: 48-bit non-canonical is fine", P64, CODE("\x8b\x07"),
	  .setup = setup_la57_paging, .set = { R(RDI, LA57_MMIO) },
	  .want = { R(RAX, 0) }, .mmio = { MR(H + 0x20, 4, 0) } },

	/* ---- not emulated ---- */
	{ "nop", P64, CODE("\x90"), UNH },
	{ "hlt", P64, CODE("\xf4"), UNH },
	{ "ud2", P64, CODE("\x0f\x0b"), UNH },
	{ "mov ds,ax", P64, CODE("\x8e\xd8"), UNH },
	{ "mov [rdi],ds", P64, CODE("\x8c\x1f"), UNH },
	{ "mul dword [rdi]", P64, CODE("\xf7\x27"), UNH },
	{ "call [rdi]", P64, CODE("\xff\x17"), UNH },
	{ "push [rdi]", P64, CODE("\xff\x37"), UNH },
	{ "mov cr0,rax (decode only)", P64, CODE("\x0f\x22\xc0"), UNH },
	{ "c6 /1", P64, CODE("\xc6\x0f\x00"), UNH },
	{ "f6 /1", P64, CODE("\xf6\x0f\x00"), UNH },
	{ "fe /2", P64, CODE("\xfe\x17"), UNH },
	{ "0f ba /0", P64, CODE("\x0f\xba\x07\x00"), UNH },
	{ "82 in 64-bit", P64, CODE("\x82\x07\x01"), UNH },
	{ "63 (arpl) outside 64-bit", P32, CODE("\x63\x07"), UNH },
	{ "40 (inc eax) outside 64-bit", P32, CODE("\x40"), UNH },
	{ "vex prefix", P64, CODE("\xc5\xf8\x77"), UNH },
	{ "bad mode value", .mode = (enum x86_emu_mode)7, CODE("\x89\x07"),
	  UNH },

	/* ---- instruction length ---- */
	{ "15 bytes is fine", P64,
	  CODE("\x3e\x3e\x3e\x3e\x3e\xc7\x80\x10\x00\x00\x00\x78\x56\x34\x12"),
	  .set = { R(RAX, H) }, .mmio = { MW(H + 0x10, 4, 0x12345678) } },
	{ "16 bytes is #GP(0)", P64,
	  CODE("\x3e\x3e\x3e\x3e\x3e\x3e\xc7\x80\x10\x00\x00\x00\x78\x56\x34\x12"),
	  .set = { R(RAX, H) }, FAULT, .fault = GP0 },
	{ "15 prefixes is #GP(0)", P64,
	  CODE("\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x89\x07"),
	  .set = { R(RDI, H) }, FAULT, .fault = GP0 },
	{ "16 bytes in real mode", RM,
	  CODE("\x26\x26\x26\x26\x26\x26\x26\x26\x26\x26\x66\xc7\x06\x00\x00\x01\x02\x03\x04"),
	  FAULT, .fault = GP0 },

	/* ---- canonical checks ---- */
	{ "non-canonical is #GP(0)", P64, CODE("\x8b\x07"),
	  .set = { R(RDI, 0x0000800000000000) }, FAULT, .fault = GP0 },
	{ "non-canonical via rsp is #SS(0)", P64, CODE("\x8b\x04\x24"),
	  .set = { R(RSP, 0x8000000000000000) }, FAULT, .fault = SS0 },
	{ "access crossing the canonical end", P64, CODE("\x8b\x07"),
	  .set = { R(RDI, 0x00007ffffffffffe) }, FAULT, .fault = GP0 },
	{ "la57 widens the canonical range", P64, CODE("\x8b\x07"),
	  .la57 = true, .set = { R(RDI, 0x0000800000000000) },
	  .want = { R(RAX, 0xffffffff) },
	  .mmio = { MR(0x0000800000000000, 4, 0xffffffff) } },

	/* ---- page faults from the walker ---- */
	{ "#PF: not present read", P64, CODE("\x8b\x04\x25\x00\x20\x40\x00"),
	  .setup = setup_pg4, FAULT, .fault = PF(0, PG_NONE) },
	{ "#PF: write to read-only, WP=1", P64, CODE("\x89\x07"),
	  .setup = setup_pg4, .set = { R(RDI, PG_RO + 8) }, FAULT,
	  .fault = PF(3, PG_RO + 8) },
	{ "#PF: user read of supervisor page", P64, CODE("\x8b\x07"),
	  .setup = setup_pg4_user, .set = { R(RDI, PG_SUP) }, FAULT,
	  .fault = PF(5, PG_SUP) },
	{ "#PF: RMW write faults after the read", P64, CODE("\x01\x07"),
	  .setup = setup_pg4_user, .set = { R(RDI, PG_RO), R(RAX, 1) },
	  FAULT, .fault = PF(7, PG_RO) },
	{ "#PF: xchg write fault keeps the register", P64, CODE("\x87\x07"),
	  .setup = setup_pg4_user, .set = { R(RDI, PG_RO) }, FAULT,
	  .fault = PF(7, PG_RO) },
	{ "#PF: fetch from absent page", P64, CODE("\x90"),
	  .setup = setup_fetch_absent, FAULT, .fault = PF(0x10, PG_NONE) },
	{ "fetch stops at the page end", P64, CODE(""),
	  .setup = setup_code_at_page_end, .set = { R(RDI, H) },
	  .want = { R(R_RIP, PG_CODE2 + 0x1000) },
	  .mmio = { MW(H, 4, DEF(RAX) & 0xffffffff) } },
	{ "#PF: instruction crossing into an absent page", P64, CODE(""),
	  .setup = setup_code_crossing_absent, .set = { R(RDI, H) }, FAULT,
	  .fault = PF(0x10, PG_CODE2 + 0x1000) },
	{ "instruction crossing two mapped pages", P64, CODE(""),
	  .setup = setup_code_split, .set = { R(RDI, H) },
	  .want = { R(R_RIP, PG_SPLIT + 0x1004) },
	  .mmio = { MW(H, 4, 0x12345678) } },
	{ "MMIO through paging", P64, CODE("\x89\x47\x10"),
	  .setup = setup_pg4, .set = { R(RDI, PG_MMIO), R(RAX, 7) },
	  .mmio = { MW(H + 0x10, 4, 7) } },
	{ "SMAP: supervisor read of user page", P64, CODE("\x8b\x07"),
	  .setup = setup_pg4_smap, .set = { R(RDI, DATA) }, FAULT,
	  .fault = PF(1, DATA) },
	{ "SMAP: AC=1 allows it", P64, CODE("\x8b\x07"),
	  .setup = setup_pg4_smap,
	  .set = { R(RDI, DATA), R(R_RFLAGS, 0x2 | RFL_AC) },
	  .want = { R(RAX, 0) } },
	{ "32-bit paging, 4M page onto MMIO", P32, CODE("\x89\x07"),
	  .setup = setup_32bit_paging,
	  .set = { R(RDI, 0x80000040), R(RAX, 0x99) },
	  .mmio = { MW(H + 0x40, 4, 0x99) } },

	/* ---- 32-bit protected mode ---- */
	{ "32: mov [ebx+esi*2+8],cx", P32, CODE("\x66\x89\x4c\x73\x08"),
	  .set = { R(RBX, H), R(RSI, 4), R(RCX, 0x1234) },
	  .mmio = { MW(H + 0x10, 2, 0x1234) } },
	{ "32: ds base is added", P32, CODE("\x8b\x07"),
	  .seg = { [X86_SEG_DS] = 0x1000 }, .set = { R(RDI, 0x1000) },
	  .mem = { M(DATA, "\x11\x22\x33\x44") },
	  .want = { R(RAX, KEEP(RAX, 0xffffffffull, 0x44332211)) } },
	{ "32: linear address wraps at 4G", P32, CODE("\x8b\x07"),
	  .seg = { [X86_SEG_DS] = 0xfffff000 }, .set = { R(RDI, 0x3000) },
	  .mem = { M(DATA, "\x11\x22\x33\x44") },
	  .want = { R(RAX, KEEP(RAX, 0xffffffffull, 0x44332211)) } },
	{ "32: effective address wraps at 4G", P32, CODE("\x8b\x47\x10"),
	  .seg = { [X86_SEG_DS] = DATA }, .set = { R(RDI, 0xfffffff8) },
	  .mem = { M(DATA + 8, "\x11") },
	  .want = { R(RAX, KEEP(RAX, 0xffffffffull, 0x11)) } },
	{ "32: ebp base defaults to ss", P32, CODE("\x8b\x45\x04"),
	  .seg = { [X86_SEG_SS] = DATA }, .set = { R(RBP, 0x10) },
	  .mem = { M(DATA + 0x14, "\x77") },
	  .want = { R(RAX, KEEP(RAX, 0xffffffffull, 0x77)) } },
	{ "32: esp base defaults to ss", P32, CODE("\x8b\x04\x24"),
	  .seg = { [X86_SEG_SS] = DATA }, .set = { R(RSP, 0) },
	  .mem = { M(DATA, "\x78") },
	  .want = { R(RAX, KEEP(RAX, 0xffffffffull, 0x78)) } },
	{ "32: es override", P32, CODE("\x26\x8b\x07"),
	  .seg = { [X86_SEG_ES] = DATA }, .set = { R(RDI, 4) },
	  .mem = { M(DATA + 4, "\x79") },
	  .want = { R(RAX, KEEP(RAX, 0xffffffffull, 0x79)) } },
	{ "32: ss override on ebx", P32, CODE("\x36\x89\x03"),
	  .seg = { [X86_SEG_SS] = H }, .set = { R(RBX, 4), R(RAX, 1) },
	  .mmio = { MW(H + 4, 4, 1) } },
	{ "32: disp32 is absolute, not rip-relative", P32,
	  CODE("\x8b\x05\x00\x00\x00\xd0"), .mem = { M(H, "\x01") },
	  .want = { R(RAX, KEEP(RAX, 0xffffffffull, 1)) },
	  .mmio = { MR(H, 4, 1) } },
	{ "32: 67 selects 16-bit addressing", P32, CODE("\x67\x8b\x07"),
	  .set = { R(RBX, 0x12340000 | DATA) }, .mem = { M(DATA, "\x7a") },
	  .want = { R(RAX, KEEP(RAX, 0xffffffffull, 0x7a)) } },
	{ "32: mov eax,[moffs32]", P32, CODE("\xa1\x00\x00\x00\xd0"),
	  .want = { R(RAX, DEF(RAX) & ~0xffffffffull) },
	  .mmio = { MR(H, 4, 0) } },
	{ "32: rep movsd, ecx", P32, CODE("\xf3\xa5"), .rep_batch = 8,
	  .set = { R(RSI, DATA), R(RDI, DATA + 0x100),
		   R(RCX, 0xabcd000000000002) },
	  .mem = { M(DATA, "\x01\x02\x03\x04\x05\x06\x07\x08") },
	  .want = { R(RSI, DATA + 8), R(RDI, DATA + 0x108),
		    R(RCX, 0xabcd000000000000) },
	  .want_mem = { M(DATA + 0x100, PATTERN8) } },
	{ "32: eip wraps at 4G", P32, CODE("\x89\x07"),
	  .set = { R(R_RIP, 0xfffffffe), R(RDI, H) },
	  .seg = { [X86_SEG_CS] = CODE_ADDR + 2 },
	  .want = { R(R_RIP, 0) }, .mmio = { MW(H, 4, 0) } },

	/* ---- 16-bit ---- */
	{ "real: mov [bx+si+4],ax", RM, CODE("\x89\x40\x04"),
	  .seg = { [X86_SEG_DS] = L }, .set = { R(RBX, 0x10), R(RSI, 0x20),
						 R(RAX, 0xbeef) },
	  .mmio = { MW(L + 0x34, 2, 0xbeef) } },
	{ "real: [bp+di] defaults to ss", RM, CODE("\x8b\x03"),
	  .seg = { [X86_SEG_SS] = L, [X86_SEG_DS] = 0x10000 },
	  .set = { R(RBP, 0x100), R(RDI, 0x2) }, .mem = { M(L + 0x102, "\x34\x12") },
	  .want = { R(RAX, KEEP(RAX, 0xffffull, 0x1234)) },
	  .mmio = { MR(L + 0x102, 2, 0x1234) } },
	{ "real: [bp-2] defaults to ss", RM, CODE("\x8b\x46\xfe"),
	  .seg = { [X86_SEG_SS] = L }, .set = { R(RBP, 0x102) },
	  .mem = { M(L + 0x100, "\x34\x12") },
	  .want = { R(RAX, KEEP(RAX, 0xffffull, 0x1234)) },
	  .mmio = { MR(L + 0x100, 2, 0x1234) } },
	{ "real: [disp16]", RM, CODE("\x8b\x06\x34\x12"),
	  .seg = { [X86_SEG_DS] = L, [X86_SEG_SS] = 0x10000 },
	  .want = { R(RAX, DEF(RAX) & ~0xffffull) },
	  .mmio = { MR(L + 0x1234, 2, 0) } },
	{ "real: [bx+si] wraps at 64K", RM, CODE("\x8b\x00"),
	  .seg = { [X86_SEG_DS] = L }, .set = { R(RBX, 0xffff), R(RSI, 2) },
	  .want = { R(RAX, DEF(RAX) & ~0xffffull) },
	  .mmio = { MR(L + 1, 2, 0) } },
	{ "real: [bx+disp16] wraps at 64K", RM, CODE("\x88\x87\x00\xff"),
	  .seg = { [X86_SEG_DS] = L }, .set = { R(RBX, 0x0110) },
	  .mmio = { MW(L + 0x10, 1, 0) } },
	{ "real: es override", RM, CODE("\x26\x89\x07"),
	  .seg = { [X86_SEG_ES] = L }, .set = { R(RBX, 6), R(RAX, 0x55aa) },
	  .mmio = { MW(L + 6, 2, 0x55aa) } },
	{ "real: 66 gives a 32-bit operand", RM, CODE("\x66\x8b\x07"),
	  .seg = { [X86_SEG_DS] = L }, .set = { R(RBX, 0) },
	  .mem = { M(L, PATTERN8) },
	  .want = { R(RAX, KEEP(RAX, 0xffffffffull, 0x04030201)) },
	  .mmio = { MR(L, 4, 0x04030201) } },
	{ "real: 67 gives 32-bit addressing", RM, CODE("\x67\x8b\x04\x8b"),
	  .seg = { [X86_SEG_DS] = L }, .set = { R(RBX, 0x10000), R(RCX, 1) },
	  .want = { R(RAX, DEF(RAX) & ~0xffffull) },
	  .mmio = { MR(L + 0x10004, 2, 0) } },
	{ "real: stosb with di wrapping", RM, CODE("\xaa"),
	  .seg = { [X86_SEG_ES] = L }, .set = { R(RDI, 0x5555ffff), R(RAX, 1) },
	  .want = { R(RDI, 0x55550000) }, .mmio = { MW(L + 0xffff, 1, 1) } },
	{ "real: rep movsw with cx", RM, CODE("\xf3\xa5"), .rep_batch = 4,
	  .seg = { [X86_SEG_DS] = 0, [X86_SEG_ES] = 0 },
	  .set = { R(RSI, DATA), R(RDI, DATA + 0x10), R(RCX, 0xabcd0002) },
	  .mem = { M(DATA, "\x01\x02\x03\x04") },
	  .want = { R(RSI, DATA + 4), R(RDI, DATA + 0x14),
		    R(RCX, 0xabcd0000) },
	  .want_mem = { M(DATA + 0x10, "\x01\x02\x03\x04") } },
	{ "real: movzx ax,byte [bx]", RM, CODE("\x0f\xb6\x07"),
	  .seg = { [X86_SEG_DS] = L }, .set = { R(RBX, 0) },
	  .mem = { M(L, "\xf0") },
	  .want = { R(RAX, KEEP(RAX, 0xffffull, 0xf0)) },
	  .mmio = { MR(L, 1, 0xf0) } },
	{ "real: ip wraps at 64K", RM, CODE("\x89\x07"),
	  .set = { R(R_RIP, 0xfffe), R(RBX, 0) },
	  .seg = { [X86_SEG_CS] = CODE_ADDR - 0xfffe,
		   [X86_SEG_DS] = L },
	  .want = { R(R_RIP, 0) }, .mmio = { MW(L, 2, DEF(RAX) & 0xffff) } },
	{ "vm86: mov [bx],al", V86, CODE("\x88\x07"), .cpl = 3,
	  .seg = { [X86_SEG_DS] = L }, .set = { R(RBX, 0x20), R(RAX, 0x61) },
	  .mmio = { MW(L + 0x20, 1, 0x61) } },
	{ "prot16: add [bx],ax", P16, CODE("\x01\x07"),
	  .seg = { [X86_SEG_DS] = L }, .set = { R(RBX, 0), R(RAX, 0x8000) },
	  .mem = { M(L, "\x00\x80") },
	  .mmio = { MR(L, 2, 0x8000), MW(L, 2, 0) },
	  .alu = ALU(N_ADD, 2, 0x8000, 0x8000) },
	{ "prot16: 66 67 forms", P16, CODE("\x66\x67\x89\x04\x24"),
	  .seg = { [X86_SEG_SS] = L }, .set = { R(RSP, 0x30), R(RAX, 0xdeadbeef) },
	  .mmio = { MW(L + 0x30, 4, 0xdeadbeef) } },
};

/* ---- runner ------------------------------------------------------------ */

/* RAM below the page tables (the walker may set A/D bits in those). */
static u8 ram_snapshot[PT_POOL];
static u64 start_rip;		/* RIP after the case's setup */

static u64 initial_reg(const struct emu_case *c, unsigned int r)
{
	unsigned int i;

	for (i = 0; i < 8 && c->set[i].used; i++)
		if (c->set[i].reg == r)
			return c->set[i].val;
	if (r == R_RIP)
		return CODE_ADDR;
	if (r == R_RFLAGS)
		return 0x2;
	return DEF(r);
}

static bool wanted_reg(const struct emu_case *c, unsigned int r, u64 *v)
{
	unsigned int i;

	for (i = 0; i < 8 && c->want[i].used; i++) {
		if (c->want[i].reg == r) {
			*v = c->want[i].val;
			return true;
		}
	}
	return false;
}

static void apply_case(struct env *e, const struct emu_case *c)
{
	struct x86_emu *emu = &e->emu;
	unsigned int i;

	env_reset(e, true);
	emu->mode = c->mode;
	emu->cpl = c->cpl;
	emu->la57 = c->la57;
	emu->rep_batch = c->rep_batch;
	memcpy(emu->seg_base, c->seg, sizeof(c->seg));
	for (i = 0; i < 16; i++)
		emu->gpr[i] = initial_reg(c, i);
	emu->rip = initial_reg(c, R_RIP);
	emu->rflags = initial_reg(c, R_RFLAGS);
	env_poke(e, CODE_ADDR, c->code, c->code_len);
	for (i = 0; i < 4 && c->mem[i].used; i++)
		env_poke(e, c->mem[i].addr, c->mem[i].bytes, c->mem[i].len);
	e->defer_io = c->defer_io;
	e->fail_write_nr = c->fail_write_nr;
	if (c->setup)
		c->setup(e);
	start_rip = emu->rip;
}

struct arch_snap {
	u64 gpr[16], rip, rflags;
	unsigned int nwrites, ram_writes;
};

static unsigned int count_writes(const struct env *e)
{
	unsigned int i, n = 0;

	for (i = 0; i < e->nlog; i++)
		n += e->log[i].write;
	return n;
}

static void snap(struct env *e, struct arch_snap *s)
{
	memcpy(s->gpr, e->emu.gpr, sizeof(s->gpr));
	s->rip = e->emu.rip;
	s->rflags = e->emu.rflags;
	s->nwrites = count_writes(e);
	s->ram_writes = e->ram_writes;
	memcpy(ram_snapshot, e->ram, PT_POOL);
}

/* The no-partial-commit rule, after a call that did not return OK. */
static bool check_unchanged(struct env *e, const struct arch_snap *s, int rc)
{
	if (memcmp(s->gpr, e->emu.gpr, sizeof(s->gpr)) || s->rip != e->emu.rip ||
	    s->rflags != e->emu.rflags) {
		fail_msg("rc %d but registers changed", rc);
		return false;
	}
	if (s->nwrites != count_writes(e) || s->ram_writes != e->ram_writes ||
	    memcmp(ram_snapshot, e->ram, PT_POOL)) {
		fail_msg("rc %d but memory was written", rc);
		return false;
	}
	return true;
}

/* Call x86_emu_step(), completing deferred MMIO reads like the kernel. */
static int step(struct env *e, const struct emu_case *c, bool *ok)
{
	struct arch_snap s;
	unsigned int tries, nlog;
	int rc;

	for (tries = 0;; tries++) {
		snap(e, &s);
		nlog = e->nlog;
		rc = x86_emu_step(&e->emu);
		if (rc != X86_EMU_OK)
			*ok &= check_unchanged(e, &s, rc);
		if (rc != X86_EMU_IO_NEEDED || !c->defer_io || tries > 4)
			return rc;
		/* Exit to "userspace", then re-run the whole instruction. */
		e->nlog = nlog;
		if (!env_complete_io(e))
			return rc;
	}
}

static bool check_regs(struct env *e, const struct emu_case *c, int rc)
{
	u64 want, got, rip0 = start_rip;
	bool ok = true;
	unsigned int r;

	for (r = 0; r < 18; r++) {
		if (!wanted_reg(c, r, &want)) {
			want = r == R_RIP ? rip0 : initial_reg(c, r);
			if (r == R_RIP && rc == X86_EMU_OK)
				want = c->mode == X86_EMU_PROT64 ?
				       rip0 + c->code_len :
				       (rip0 + c->code_len) & 0xffffffff;
		}
		got = r < 16 ? e->emu.gpr[r] : (r == R_RIP ? e->emu.rip :
						  e->emu.rflags);
		if (r == R_RFLAGS && c->alu.used)
			got &= ~RFL_ARITH, want &= ~RFL_ARITH;
		if (got != want) {
			fail_msg("reg %u = %#llx, want %#llx", r,
				 (unsigned long long)got,
				 (unsigned long long)want);
			ok = false;
		}
	}
	return ok;
}

static bool check_alu(struct env *e, const struct emu_case *c)
{
	u64 fl_in = initial_reg(c, R_RFLAGS), fl;

	native_alu(c->alu.op, c->alu.size, c->alu.a, c->alu.b, fl_in, &fl);
	if ((fl ^ e->emu.rflags) & native_defined_flags(c->alu.op)) {
		fail_msg("rflags %#llx, native %#llx",
			 (unsigned long long)e->emu.rflags,
			 (unsigned long long)fl);
		return false;
	}
	return true;
}

static bool check_mmio(struct env *e, const struct emu_case *c)
{
	unsigned int i, n = 0;
	bool ok = true;
	u64 data;

	while (n < 6 && c->mmio[n].used)
		n++;
	if (e->nlog != n) {
		fail_msg("%u MMIO accesses, want %u", e->nlog, n);
		ok = false;
	}
	for (i = 0; i < n && i < e->nlog; i++) {
		const struct mmio_rec *g = &e->log[i];
		const struct mmiov *w = &c->mmio[i];

		data = 0;
		memcpy(&data, g->data, g->len > 8 ? 8 : g->len);
		if (g->write != w->write || g->gpa != w->gpa ||
		    g->len != w->len || data != w->data) {
			fail_msg("MMIO %u: %s %#llx len %u data %#llx; want %s "
				 "%#llx len %u data %#llx", i,
				 g->write ? "W" : "R", (unsigned long long)g->gpa,
				 g->len, (unsigned long long)data,
				 w->write ? "W" : "R", (unsigned long long)w->gpa,
				 w->len, (unsigned long long)w->data);
			ok = false;
		}
	}
	return ok;
}

static bool check_mem(struct env *e, const struct emu_case *c)
{
	u8 buf[64];
	unsigned int i;
	bool ok = true;

	for (i = 0; i < 3 && c->want_mem[i].used; i++) {
		env_peek(e, c->want_mem[i].addr, buf, c->want_mem[i].len);
		if (memcmp(buf, c->want_mem[i].bytes, c->want_mem[i].len)) {
			fail_msg("memory at %#llx differs",
				 (unsigned long long)c->want_mem[i].addr);
			ok = false;
		}
	}
	return ok;
}

static bool check_fault(struct env *e, const struct emu_case *c)
{
	const struct x86_fault *g = &e->emu.fault, *w = &c->fault;

	if (g->vector != w->vector || g->has_error_code != w->has_error_code ||
	    g->error_code != w->error_code ||
	    (w->vector == 14 && g->address != w->address)) {
		fail_msg("fault %u/%d/%#x/%#llx, want %u/%d/%#x/%#llx",
			 g->vector, g->has_error_code, g->error_code,
			 (unsigned long long)g->address, w->vector,
			 w->has_error_code, w->error_code,
			 (unsigned long long)w->address);
		return false;
	}
	return true;
}

static bool run_case(struct env *e, const struct emu_case *c)
{
	unsigned int steps = c->steps ? c->steps : 1, i;
	bool ok = true;
	int rc = X86_EMU_OK;

	apply_case(e, c);
	for (i = 0; i < steps && rc == X86_EMU_OK; i++)
		rc = step(e, c, &ok);
	if (rc != c->rc) {
		fail_msg("rc %d, want %d", rc, c->rc);
		return false;
	}
	ok &= check_regs(e, c, rc);
	ok &= check_mmio(e, c);
	ok &= check_mem(e, c);
	if (rc == X86_EMU_FAULT)
		ok &= check_fault(e, c);
	if (rc == X86_EMU_OK && c->alu.used)
		ok &= check_alu(e, c);
	if (rc == X86_EMU_OK && e->emu.rep_cut != c->rep_cut) {
		fail_msg("rep_cut %d, want %d", e->emu.rep_cut, c->rep_cut);
		ok = false;
	}
	return ok;
}

/* ---- decode-only helper -------------------------------------------- */

static int decode_bytes(struct env *e, enum x86_emu_mode mode, const char *code,
			unsigned int len, struct x86_emu_info *info)
{
	env_reset(e, true);
	e->emu.mode = mode;
	e->emu.rip = CODE_ADDR;
	e->emu.gpr[RDI] = H;
	e->emu.gpr[RSI] = DATA;
	env_poke(e, CODE_ADDR, code, len);
	return x86_emu_decode(&e->emu, info);
}

static bool t_decode_mov_store(struct env *e)
{
	struct x86_emu_info i;

	return decode_bytes(e, X86_EMU_PROT64, "\x89\x47\x10", 3, &i) == 0 &&
	       i.len == 3 && i.kind == X86_EMU_INFO_OTHER && i.has_mem &&
	       !i.mem_read && i.mem_write && i.mem_size == 4 &&
	       i.mem_la == H + 0x10 && i.mem_seg == X86_SEG_DS &&
	       i.opcode == 0x89 && i.map == 0;
}

static bool t_decode_rmw(struct env *e)
{
	struct x86_emu_info i;

	return decode_bytes(e, X86_EMU_PROT64, "\xf0\x48\x83\x07\x01", 5,
			    &i) == 0 && i.len == 5 && i.lock && i.mem_read &&
	       i.mem_write && i.mem_size == 8 && i.opsize == 8;
}

static bool t_decode_mov_cr(struct env *e)
{
	struct x86_emu_info i;
	bool ok;

	/* mov cr3,rax */
	ok = decode_bytes(e, X86_EMU_PROT64, "\x0f\x22\xd8", 3, &i) == 0 &&
	     i.kind == X86_EMU_INFO_MOV_CR && i.ctl_write && i.ctl_reg == 3 &&
	     i.ctl_gpr == 0 && i.len == 3 && i.opsize == 8 && !i.has_mem;
	/* mov r9,cr8 */
	ok &= decode_bytes(e, X86_EMU_PROT64, "\x45\x0f\x20\xc1", 4, &i) == 0 &&
	      i.kind == X86_EMU_INFO_MOV_CR && !i.ctl_write &&
	      i.ctl_reg == 8 && i.ctl_gpr == 9;
	/* lock mov eax,cr0 = mov eax,cr8 on AMD; mod bits are ignored */
	ok &= decode_bytes(e, X86_EMU_PROT32, "\xf0\x0f\x20\x00", 4, &i) == 0 &&
	      i.ctl_reg == 8 && i.ctl_gpr == 0 && i.opsize == 4;
	/* mov dr7,rcx */
	ok &= decode_bytes(e, X86_EMU_PROT64, "\x0f\x23\xf9", 3, &i) == 0 &&
	      i.kind == X86_EMU_INFO_MOV_DR && i.ctl_write && i.ctl_reg == 7 &&
	      i.ctl_gpr == 1;
	return ok;
}

static bool t_decode_string(struct env *e)
{
	struct x86_emu_info i;
	bool ok;

	ok = decode_bytes(e, X86_EMU_PROT64, "\xf3\x48\xab", 3, &i) == 0 &&
	     i.string && i.rep == 0xf3 && i.mem_write && !i.mem_read &&
	     i.mem_size == 8 && i.mem_la == H && i.mem_seg == X86_SEG_ES;
	ok &= decode_bytes(e, X86_EMU_PROT64, "\x65\xac", 2, &i) == 0 &&
	      i.string && i.mem_read && !i.mem_write && i.mem_size == 1 &&
	      i.mem_seg == X86_SEG_GS && i.mem_ea == DATA;
	return ok;
}

/* The operand-less instructions a hypervisor skips, with their lengths. */
static bool t_decode_bare(struct env *e)
{
	static const struct { enum x86_emu_mode mode; const char *code;
			      unsigned int len; } ok_cases[] = {
		{ X86_EMU_PROT64, "\xf4", 1 },			/* hlt */
		{ X86_EMU_REAL, "\x66\x2e\xf4", 3 },		/* prefixed */
		{ X86_EMU_PROT64, "\x0f\xa2", 2 },		/* cpuid */
		{ X86_EMU_PROT64, "\x48\x0f\x30", 3 },		/* rex.w wrmsr */
		{ X86_EMU_PROT32, "\x0f\x32", 2 },		/* rdmsr */
		{ X86_EMU_PROT32, "\x0f\x08", 2 },		/* invd */
		{ X86_EMU_PROT64, "\x0f\x01\xd1", 3 },		/* xsetbv */
		{ X86_EMU_PROT64, "\x0f\x01\xc8", 3 },		/* monitor */
		{ X86_EMU_PROT64, "\x67\x0f\x01\xc9", 4 },	/* mwait */
	};
	struct x86_emu_info i;
	unsigned int k;
	bool ok = true;

	for (k = 0; k < sizeof(ok_cases) / sizeof(ok_cases[0]); k++)
		ok &= decode_bytes(e, ok_cases[k].mode, ok_cases[k].code,
				   ok_cases[k].len, &i) == 0 &&
		      i.kind == X86_EMU_INFO_BARE &&
		      i.len == ok_cases[k].len && !i.has_mem;
	/* 0F 01 D0 (xgetbv) and 0F 01 D8 (vmrun) are not among them. */
	ok &= decode_bytes(e, X86_EMU_PROT64, "\x0f\x01\xd0", 3, &i) ==
	      X86_EMU_UNHANDLED;
	ok &= decode_bytes(e, X86_EMU_PROT64, "\x0f\x01\xd8", 3, &i) ==
	      X86_EMU_UNHANDLED;
	/* Decode only: the emulator does not run them. */
	ok &= decode_bytes(e, X86_EMU_PROT64, "\xf4", 1, &i) == 0 &&
	      x86_emu_step(&e->emu) == X86_EMU_UNHANDLED;
	return ok;
}

/* INS/OUTS: address size and the segment of the memory side. */
static bool t_decode_pio(struct env *e)
{
	struct x86_emu_info i;
	bool ok;

	/* rep insb in 64-bit mode: ES, 8-byte addresses */
	ok = decode_bytes(e, X86_EMU_PROT64, "\xf3\x6c", 2, &i) == 0 &&
	     i.kind == X86_EMU_INFO_PIO && i.len == 2 && i.rep == 0xf3 &&
	     i.adsize == 8 && i.mem_seg == X86_SEG_ES && i.opcode == 0x6c;
	/* addr32 fs outsw (66 for the word): FS, 4-byte addresses */
	ok &= decode_bytes(e, X86_EMU_PROT64, "\x67\x64\x66\x6f", 4,
			   &i) == 0 && i.kind == X86_EMU_INFO_PIO &&
	      i.len == 4 && i.adsize == 4 && i.mem_seg == X86_SEG_FS &&
	      i.opsize == 2;
	/* outsd in real mode with addr32: DS, 4-byte addresses */
	ok &= decode_bytes(e, X86_EMU_REAL, "\x67\x66\x6f", 3, &i) == 0 &&
	      i.adsize == 4 && i.mem_seg == X86_SEG_DS && i.opsize == 4;
	/* an ES override on INS changes nothing */
	ok &= decode_bytes(e, X86_EMU_PROT32, "\x2e\x6d", 2, &i) == 0 &&
	      i.adsize == 4 && i.mem_seg == X86_SEG_ES;
	return ok;
}

static bool t_decode_errors(struct env *e)
{
	struct x86_emu_info i;

	return decode_bytes(e, X86_EMU_PROT64, "\x90", 1, &i) ==
	       X86_EMU_UNHANDLED &&
	       decode_bytes(e, X86_EMU_PROT64, "\xf0\x89\x07", 3, &i) ==
	       X86_EMU_FAULT && e->emu.fault.vector == X86_EMU_VEC_UD;
}

/* Decode leaves the architectural state alone. */
static bool t_decode_no_state_change(struct env *e)
{
	struct x86_emu_info i;
	u64 gpr[16], rip, fl;

	decode_bytes(e, X86_EMU_PROT64, "\x87\x07", 2, &i);
	memcpy(gpr, e->emu.gpr, sizeof(gpr));
	rip = e->emu.rip;
	fl = e->emu.rflags;
	x86_emu_decode(&e->emu, &i);
	return !memcmp(gpr, e->emu.gpr, sizeof(gpr)) && rip == e->emu.rip &&
	       fl == e->emu.rflags && e->nlog == 0 && e->ram_writes == 0;
}

/* A read returning garbage (not an x86_emu_rc) is UNHANDLED. */
static int bad_read(struct x86_emu *emu, u64 la, void *buf, unsigned int len,
		    bool fetch)
{
	(void)emu, (void)la, (void)buf, (void)len, (void)fetch;
	return -14;
}

static bool t_bad_callback_rc(struct env *e)
{
	static const struct x86_emu_ops ops = { .read = bad_read };

	env_reset(e, true);
	e->emu.ops = &ops;
	return x86_emu_step(&e->emu) == X86_EMU_UNHANDLED;
}

/* ops->read/write that note whether the emulator said "operand". */
static unsigned int opnd_seen, other_seen;

static void note_operand(const struct x86_emu *emu, bool fetch)
{
	if (emu->operand_access && !fetch)
		opnd_seen++;
	else
		other_seen++;
}

static int noting_read(struct x86_emu *emu, u64 la, void *buf,
		       unsigned int len, bool fetch)
{
	note_operand(emu, fetch);
	return env_emu_ops.read(emu, la, buf, len, fetch);
}

static int noting_write(struct x86_emu *emu, u64 la, const void *buf,
			unsigned int len)
{
	note_operand(emu, false);
	return env_emu_ops.write(emu, la, buf, len);
}

static bool operand_run(struct env *e, const char *code, unsigned int len,
			unsigned int want_opnd, unsigned int want_other)
{
	static const struct x86_emu_ops ops = {
		.read = noting_read, .write = noting_write,
	};

	env_reset(e, true);
	e->emu.ops = &ops;
	e->emu.rip = CODE_ADDR;
	e->emu.gpr[RDI] = H;
	e->emu.gpr[RSI] = DATA;
	env_poke(e, CODE_ADDR, code, len);
	opnd_seen = other_seen = 0;
	return x86_emu_step(&e->emu) == X86_EMU_OK && !e->emu.operand_access &&
	       opnd_seen == want_opnd && other_seen == want_other;
}

/*
 * operand_access: set for the ModRM operand (a store, a read-modify-write,
 * BTS with a register offset), never for the fetch or a string operand.
 */
static bool t_operand_access(struct env *e)
{
	return operand_run(e, "\x89\x1f", 2, 1, 1) &&		/* mov [rdi],ebx */
	       operand_run(e, "\x83\x07\x01", 3, 2, 1) &&	/* add dword [rdi],1 */
	       operand_run(e, "\x0f\xab\x07", 3, 2, 1) &&	/* bts [rdi],eax */
	       operand_run(e, "\xa4", 1, 0, 3);		/* movsb */
}

struct special {
	const char *name;
	bool (*fn)(struct env *e);
};

static const struct special specials[] = {
	{ "decode: mov store info", t_decode_mov_store },
	{ "decode: locked RMW info", t_decode_rmw },
	{ "decode: MOV CR/DR", t_decode_mov_cr },
	{ "decode: string info", t_decode_string },
	{ "decode: operand-less intercepted instructions", t_decode_bare },
	{ "decode: INS/OUTS", t_decode_pio },
	{ "decode: unhandled and #UD", t_decode_errors },
	{ "decode: no state change", t_decode_no_state_change },
	{ "emu: callback returning a bad code", t_bad_callback_rc },
	{ "emu: operand_access marks the explicit memory operand", t_operand_access },
};

void run_emulator_tests(struct env *e)
{
	char name[160];
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "emu: %s", cases[i].name);
		test_begin(name);
		if (getenv("EMUTEST_VERBOSE"))
			fprintf(stderr, "%s\n", name);
		test_result(name, run_case(e, &cases[i]));
	}
	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
		test_begin(specials[i].name);
		test_result(specials[i].name, specials[i].fn(e));
	}
}
