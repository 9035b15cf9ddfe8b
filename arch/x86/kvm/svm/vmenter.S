/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The world switch: enter the guest with VMRUN and come back.
 *
 * Called by svm_run() with IRQs off and GIF clear.  VMRUN itself swaps
 * RAX/RSP/RIP/RFLAGS, the control registers, EFER and ES/CS/SS/DS/GDTR/IDTR
 * through the host save area; VMSAVE/VMLOAD swap FS, GS, TR, LDTR with their
 * hidden state, KERNEL_GS_BASE, STAR/LSTAR/CSTAR/SFMASK and SYSENTER_*.  The
 * other GPRs are ours to swap, through the regs[] array of struct
 * okvm_vcpu_arch (hardware order; RAX and RSP live in the VMCB).
 *
 * STI before VMRUN makes the saved host RFLAGS.IF set, so that physical
 * interrupts arriving while the guest runs cause a #VMEXIT (with
 * V_INTR_MASKING); GIF=0 keeps them pending on the host side until
 * svm_run() executes STGI with IRQs disabled again.  The STI comes a few
 * instructions before VMRUN, never right before it: VMRUN in an STI
 * shadow can carry the shadow into the guest's interrupt state when an
 * event delivered at entry exits at once (AMD CPUs and QEMU's TCG both).
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#define REG(n)	((n) * 8)
#define R_RCX	REG(1)
#define R_RDX	REG(2)
#define R_RBX	REG(3)
#define R_RBP	REG(5)
#define R_RSI	REG(6)
#define R_RDI	REG(7)
#define R_R8	REG(8)
#define R_R9	REG(9)
#define R_R10	REG(10)
#define R_R11	REG(11)
#define R_R12	REG(12)
#define R_R13	REG(13)
#define R_R14	REG(14)
#define R_R15	REG(15)

	.section .text, "ax"

/*
 * void __svm_vcpu_run(u64 vmcb_pa, u64 *regs, u64 host_vmsave_pa)
 */
SYM_FUNC_START(__svm_vcpu_run)
	push	%rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx

	/* Keep the arguments: 16(%rsp) host area, 8(%rsp) regs, 0(%rsp) vmcb. */
	push	%rdx
	push	%rsi
	push	%rdi

	/* Host segment/syscall state out, the guest's in. */
	mov	%rdx, %rax
	vmsave	%rax
	mov	%rdi, %rax
	vmload	%rax
	sti

	/* Guest GPRs; RSI last since it points at them. */
	mov	R_RCX(%rsi), %rcx
	mov	R_RDX(%rsi), %rdx
	mov	R_RBX(%rsi), %rbx
	mov	R_RBP(%rsi), %rbp
	mov	R_RDI(%rsi), %rdi
	mov	R_R8(%rsi), %r8
	mov	R_R9(%rsi), %r9
	mov	R_R10(%rsi), %r10
	mov	R_R11(%rsi), %r11
	mov	R_R12(%rsi), %r12
	mov	R_R13(%rsi), %r13
	mov	R_R14(%rsi), %r14
	mov	R_R15(%rsi), %r15
	mov	R_RSI(%rsi), %rsi

	mov	(%rsp), %rax
	vmrun	%rax
SYM_INNER_LABEL(__svm_vmrun_return, SYM_L_GLOBAL)
	/* Address-taken (svm_check_saved_state()), never a branch target. */
	ANNOTATE_NOENDBR
	cli

	/* Back from the guest: RAX/RSP are the host's again. */
	mov	8(%rsp), %rax
	mov	%rcx, R_RCX(%rax)
	mov	%rdx, R_RDX(%rax)
	mov	%rbx, R_RBX(%rax)
	mov	%rbp, R_RBP(%rax)
	mov	%rsi, R_RSI(%rax)
	mov	%rdi, R_RDI(%rax)
	mov	%r8, R_R8(%rax)
	mov	%r9, R_R9(%rax)
	mov	%r10, R_R10(%rax)
	mov	%r11, R_R11(%rax)
	mov	%r12, R_R12(%rax)
	mov	%r13, R_R13(%rax)
	mov	%r14, R_R14(%rax)
	mov	%r15, R_R15(%rax)

	/* Guest segment/syscall state back into the VMCB, the host's in. */
	mov	(%rsp), %rax
	vmsave	%rax
	mov	16(%rsp), %rax
	vmload	%rax

	/* The guest may have trained the return predictor: refill it. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE

	/* Leave no guest value in a register. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(__svm_vcpu_run)
