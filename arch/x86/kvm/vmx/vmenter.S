/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The world switch: enter the guest with VMLAUNCH and come back.
 *
 * Called by vmx_run() with IRQs off and the vCPU's VMCS current, its guest
 * state and host state written.  The VMCS holds the guest's RSP, RIP and
 * RFLAGS; the other GPRs are ours to swap, through the regs[] array of
 * struct okvm_vcpu_arch (hardware order).
 *
 * HOST_RIP is __vmx_vmexit, the instruction right after VMLAUNCH, and
 * HOST_RSP is the stack pointer at VMLAUNCH: a VM exit and a failed
 * VMLAUNCH both continue there, and tell themselves apart by the flags
 * (a VM exit clears RFLAGS; VMfailInvalid sets CF, VMfailValid ZF).
 *
 * vmx_run() always VMCLEARs the VMCS after the exit, so the next entry
 * is a VMLAUNCH again; VMRESUME is never used.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#define REG(n)	((n) * 8)
#define R_RAX	REG(0)
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

#define VMCS_HOST_RSP	0x00006c14

	.section .text, "ax"

/*
 * int __vmx_vcpu_run(u64 *regs): 0 after a VM exit, 1 if VMLAUNCH failed.
 */
SYM_FUNC_START(__vmx_vcpu_run)
	push	%rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx

	/* 0(%rsp) is the regs pointer while the guest runs. */
	push	%rdi

	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jbe	.Lfailed

	/* Guest GPRs; RDI last since it points at them. */
	mov	R_RAX(%rdi), %rax
	mov	R_RCX(%rdi), %rcx
	mov	R_RDX(%rdi), %rdx
	mov	R_RBX(%rdi), %rbx
	mov	R_RBP(%rdi), %rbp
	mov	R_RSI(%rdi), %rsi
	mov	R_R8(%rdi), %r8
	mov	R_R9(%rdi), %r9
	mov	R_R10(%rdi), %r10
	mov	R_R11(%rdi), %r11
	mov	R_R12(%rdi), %r12
	mov	R_R13(%rdi), %r13
	mov	R_R14(%rdi), %r14
	mov	R_R15(%rdi), %r15
	mov	R_RDI(%rdi), %rdi

	vmlaunch

SYM_INNER_LABEL(__vmx_vmexit, SYM_L_GLOBAL)
	/* Address-taken (HOST_RIP) but reached by a VM exit, never a branch. */
	ANNOTATE_NOENDBR
	/* No instruction below may change the flags until setbe. */
	push	%rax
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
	pop	R_RAX(%rax)

	setbe	%bl
	movzbl	%bl, %ebx

	/* The guest may have trained the return predictor: refill it. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE

	mov	%ebx, %eax
	jmp	.Lout

.Lfailed:
	mov	$1, %eax

.Lout:
	/* Leave no guest value in a register. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$8, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(__vmx_vcpu_run)
