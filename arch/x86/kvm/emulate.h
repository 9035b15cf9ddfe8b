/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86 instruction decoder/emulator for the instructions a guest uses to
 * touch MMIO: MOV, MOVZX/MOVSX/MOVSXD, the ALU group, TEST, NOT/NEG,
 * INC/DEC, XCHG, BT/BTS/BTR/BTC and the string instructions.
 * Freestanding: it is also built in userspace by tools/testing/emulator.
 * See Documentation/emulator.md for the contract.
 */
#ifndef OKVM_X86_EMULATE_H
#define OKVM_X86_EMULATE_H

#include "freestanding.h"
#include "mmu/walk.h"		/* struct x86_fault */

enum x86_emu_mode {
	X86_EMU_REAL,
	X86_EMU_VM86,
	X86_EMU_PROT16,
	X86_EMU_PROT32,
	X86_EMU_PROT64,
};

enum x86_emu_rc {
	X86_EMU_OK = 0,
	X86_EMU_FAULT,
	X86_EMU_IO_NEEDED,
	X86_EMU_UNHANDLED,
};

enum x86_emu_seg {
	X86_SEG_ES,
	X86_SEG_CS,
	X86_SEG_SS,
	X86_SEG_DS,
	X86_SEG_FS,
	X86_SEG_GS,
	X86_SEG_NR,
};

/* Exception vectors the emulator itself raises in emu->fault. */
#define X86_EMU_VEC_UD		6
#define X86_EMU_VEC_SS		12
#define X86_EMU_VEC_GP		13

#define X86_EMU_MAX_INSN_LEN	15
/* Upper bound on emu->rep_batch, to bound the time spent in one call. */
#define X86_EMU_REP_BATCH_MAX	1024

struct x86_emu;

struct x86_emu_ops {
	/*
	 * Read @len (1..16) bytes of guest LINEAR memory at @la (segment base
	 * already added); @fetch is true for instruction bytes.  Returns
	 * X86_EMU_OK; X86_EMU_FAULT after filling emu->fault; or
	 * X86_EMU_IO_NEEDED when the bytes live in MMIO and userspace must be
	 * asked first (the caller exits, then re-runs the whole instruction
	 * later, when this same read returns OK).
	 */
	int (*read)(struct x86_emu *emu, u64 la, void *buf, unsigned int len,
		    bool fetch);
	/*
	 * Write @len bytes at linear @la.  X86_EMU_OK (MMIO writes are
	 * recorded by the caller and complete later) or X86_EMU_FAULT.
	 */
	int (*write)(struct x86_emu *emu, u64 la, const void *buf,
		     unsigned int len);
};

/* Private: one decoded operand. */
struct x86_emu_operand {
	u8 type;		/* OPND_* in emulate.c */
	u8 size;		/* bytes */
	u8 reg;			/* GPR number (REG) */
	u64 val;		/* immediate (IMM) */
};

/* Private: the decoded instruction. */
struct x86_emu_insn {
	u8 bytes[X86_EMU_MAX_INSN_LEN + 1];
	u8 nfetched;		/* bytes[] valid so far */
	u8 len;			/* bytes consumed so far / final length */
	u8 opsize;		/* 2, 4 or 8 (before byte-operand forms) */
	u8 adsize;		/* 2, 4 or 8 */
	u8 rex;
	u8 rep;			/* 0, 0xf2 or 0xf3 */
	bool lock;
	bool opsize_prefix;
	bool adsize_prefix;
	u8 seg;			/* segment of the memory operand */
	u8 seg_override;	/* X86_SEG_NR when none */
	u8 map;			/* 0: one-byte opcodes, 1: 0F xx */
	u8 opcode;
	u8 modrm;
	u8 reg;			/* ModRM.reg | REX.R */
	u8 kind;		/* what to execute: OPK_* in emulate.c */
	u8 sub;			/* ALU/group operation */
	u16 flags;		/* decode flags of the opcode */
	bool has_mem;		/* ModRM memory form or moffs */
	bool rip_rel;
	u64 ea;			/* effective address (offset in segment) */
	u64 la;			/* linear address of the memory operand */
	struct x86_emu_operand dst, src;
};

/* Private: the architectural registers an instruction may change. */
struct x86_emu_state {
	u64 gpr[16];
	u64 rip, rflags;
};

struct x86_emu {
	const struct x86_emu_ops *ops;
	void *priv;			/* caller's */
	enum x86_emu_mode mode;
	u64 gpr[16];			/* RAX..R15 in hardware order */
	u64 rip, rflags;
	/* Ignored for ES/CS/SS/DS in 64-bit mode (treated as 0). */
	u64 seg_base[X86_SEG_NR];
	u8 cpl;
	/* Filled on X86_EMU_FAULT (#GP(0), #UD, #PF from ops, ...). */
	struct x86_fault fault;

	/*
	 * Optional inputs (zero is always a safe value).
	 *
	 * la57: CR4.LA57 is set; 64-bit mode memory operands are checked
	 * for 57-bit instead of 48-bit canonical form.
	 *
	 * rep_batch: how many iterations of a REP string instruction one
	 * x86_emu_step() may perform; 0 or 1 means exactly one, values above
	 * X86_EMU_REP_BATCH_MAX count as X86_EMU_REP_BATCH_MAX.  Only raise it
	 * if the read/write callbacks set rep_stop whenever an access needs
	 * someone outside the call (a VMM's MMIO): an iteration that sets
	 * rep_stop always ends the batch, so no call ever makes more than one
	 * such access per operand.
	 */
	bool la57;
	u32 rep_batch;
	bool rep_stop;			/* set by ops->read/write, see above */
	/*
	 * Output, for ops->read/write: true while they serve the
	 * instruction's explicit memory operand (ModRM or moffs), false for
	 * the fetch, the stack, string operands and everything else.  A
	 * caller that knows the guest-physical address of that operand (a
	 * nested page fault on it) may use it instead of walking.
	 */
	bool operand_access;
	/*
	 * Output of x86_emu_step(): a REP batch ended X86_EMU_OK because an
	 * iteration after the first could not complete.  Whatever that
	 * iteration's accesses set up for someone outside the call (a write
	 * for the VMM) must be dropped: the guest runs it again.
	 */
	bool rep_cut;

	/* Private state below; valid only during and right after a call. */
	struct x86_emu_insn insn;
	struct x86_emu_state next;
};

/*
 * Decode and execute the one instruction at seg_base[CS] + rip.  On
 * X86_EMU_OK gpr/rip/rflags are updated (for a REP string instruction one
 * call may perform some iterations: RIP advances only when the count is
 * exhausted).  On any other return nothing in the architectural state
 * (gpr, rip, rflags) was changed and no memory was written.
 */
int x86_emu_step(struct x86_emu *emu);

/* What x86_emu_decode() found out about an instruction. */
enum x86_emu_info_kind {
	X86_EMU_INFO_OTHER,	/* an instruction x86_emu_step() executes */
	X86_EMU_INFO_MOV_CR,	/* 0F 20 / 0F 22 */
	X86_EMU_INFO_MOV_DR,	/* 0F 21 / 0F 23 */
	X86_EMU_INFO_INVLPG,	/* 0F 01 /7, memory operand in mem_la */
	X86_EMU_INFO_CLTS,	/* 0F 06 */
	/* HLT, CPUID, RDMSR, WRMSR, INVD, XSETBV, MONITOR, MWAIT, VM(M)CALL */
	X86_EMU_INFO_BARE,
	X86_EMU_INFO_PIO,	/* INS/OUTS: adsize, rep, mem_seg */
};

struct x86_emu_info {
	enum x86_emu_info_kind kind;
	u8 len;			/* instruction length in bytes */
	u8 map;			/* 0: one-byte opcode, 1: 0F-prefixed */
	u8 opcode;		/* the (last) opcode byte */
	u8 opsize;		/* operand size in bytes (1, 2, 4, 8) */
	u8 adsize;		/* address size in bytes (2, 4, 8) */
	u8 rep;			/* 0, 0xf2 or 0xf3 */
	bool lock;
	/*
	 * The memory operand (ModRM or moffs form).  For a string
	 * instruction: its first access (rSI for MOVS/CMPS/LODS, ES:rDI for
	 * STOS/SCAS) of one element.
	 */
	bool has_mem;
	bool mem_read;		/* the instruction reads it */
	bool mem_write;		/* the instruction writes it */
	u8 mem_size;		/* bytes accessed */
	u8 mem_seg;		/* enum x86_emu_seg */
	u64 mem_ea;		/* offset within the segment */
	u64 mem_la;		/* linear address */
	bool string;		/* MOVS/CMPS/STOS/LODS/SCAS */
	/* MOV to/from CR or DR. */
	bool ctl_write;		/* true: MOV CRn/DRn, reg */
	u8 ctl_reg;		/* CR/DR number, REX.R and LOCK (CR8) applied */
	u8 ctl_gpr;		/* general-purpose register number */
};

/*
 * Decode, without executing, the instruction at seg_base[CS] + rip:
 * fetches its bytes through ops->read and fills *info.  Returns
 * X86_EMU_OK, X86_EMU_FAULT (fetch fault, #GP for length > 15, #UD for a
 * misplaced LOCK) or X86_EMU_UNHANDLED (opcode not known to the emulator;
 * MOV CR/DR is known to the decoder even though x86_emu_step() does not
 * execute it).  Never changes the architectural state.
 */
int x86_emu_decode(struct x86_emu *emu, struct x86_emu_info *info);

#endif /* OKVM_X86_EMULATE_H */
