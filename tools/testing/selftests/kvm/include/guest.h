/* SPDX-License-Identifier: GPL-2.0 */
/*
 * okvm selftests: guest code blobs and the guest side of ucalls.
 *
 * Guest code is assembler text placed between two symbols in the host
 * binary; the host copies the bytes into guest memory (vm_load_code()).
 * Blobs must be position independent: relative jumps and calls only,
 * RIP-relative data in 64-bit code, absolute addresses only for fixed guest
 * physical addresses such as DATA_GPA.
 *
 * A ucall is "out %eax, %dx" with %dx = UCALL_PORT and %eax = command;
 * arguments travel in %rbx (arg0), %rcx (arg1) and %rsi (source line of a
 * failed guest assertion).  A ucall clobbers %eax and %edx.
 */
#ifndef OKVM_GUEST_H
#define OKVM_GUEST_H

#include <stdint.h>

#include "test_util.h"

#define UCALL_PORT	0x5c5
#define UCALL_NONE	0
#define UCALL_SYNC	1
#define UCALL_DONE	2
#define UCALL_FAIL	3

#define GUEST_CODE(name, bits, body)					\
	extern const uint8_t name##_start[], name##_end[];		\
	asm(".pushsection .text.okvm_guest, \"ax\"\n"			\
	    "\t.balign 16\n"						\
	    "\t.globl " #name "_start\n"				\
	    "\t.hidden " #name "_start\n"				\
	    #name "_start:\n"						\
	    "\t.code" #bits "\n"					\
	    body							\
	    "\n\t.code64\n"						\
	    "\t.globl " #name "_end\n"					\
	    "\t.hidden " #name "_end\n"					\
	    #name "_end:\n"						\
	    "\t.popsection\n")

/* Load a blob defined with GUEST_CODE(); returns its guest physical address. */
#define LOAD_GUEST(vm, name) vm_load_code(vm, name##_start, name##_end)

/* A global label inside a blob, e.g. to compute the expected RIP. */
#define G_LABEL(name)							\
	"\t.globl " #name "\n\t.hidden " #name "\n" #name ":\n"
#define BLOB_OFFSET(blob, label) ((uint64_t)((label) - blob##_start))

#define G_UCALL(cmd)							\
	"\tmov $" STR(cmd) ", %eax\n"					\
	"\tmov $" STR(UCALL_PORT) ", %dx\n"				\
	"\tout %eax, %dx\n"

#define G_SYNC(stage)							\
	"\tmov $" STR(stage) ", %ebx\n"					\
	G_UCALL(UCALL_SYNC)

/* Report DONE and park; the host never resumes after DONE. */
#define G_DONE								\
	G_UCALL(UCALL_DONE)						\
	"76:\thlt\n\tjmp 76b\n"

/*
 * Guest assertions; a failure sends UCALL_FAIL with the value in %rbx, the
 * expected value in %rcx and the source line in %esi.  They clobber %rcx
 * (so "reg" must not be %rcx/%ecx) and, on failure only, %eax/%edx.
 * G32_ASSERT_EQ works in 16-, 32- and 64-bit code.
 */
#define G32_ASSERT_EQ(reg, val)						\
	"\tmov $" STR(val) ", %ecx\n"					\
	"\tcmp %ecx, " reg "\n"						\
	"\tje 77f\n"							\
	"\tmov " reg ", %ebx\n"						\
	"\tmov $" STR(__LINE__) ", %esi\n"				\
	G_UCALL(UCALL_FAIL)						\
	"77:\n"

#define G64_ASSERT_EQ(reg, val)						\
	"\tmovabs $" STR(val) ", %rcx\n"				\
	"\tcmp %rcx, " reg "\n"						\
	"\tje 77f\n"							\
	"\tmov " reg ", %rbx\n"						\
	"\tmov $" STR(__LINE__) ", %esi\n"				\
	G_UCALL(UCALL_FAIL)						\
	"77:\n"

#endif
