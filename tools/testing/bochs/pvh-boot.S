/* SPDX-License-Identifier: GPL-2.0 */
/*
 * okvm Bochs bench: a 512-byte boot sector that starts an uncompressed
 * Linux vmlinux through its PVH entry point (the 32-bit entry that QEMU's
 * -kernel uses for ELF kernels).  Booting the bzImage instead makes the
 * emulated CPU inflate ~40 MB of xz, which costs Bochs over a minute.
 *
 * Disk layout, written by tools/testing/bochs/run:
 *   LBA 0      this sector
 *   LBA 1-8    the parameter block, loaded at PARAM (4 KiB):
 *     +0x000   struct hvm_start_info (version 1), module list and command
 *              line pointers already filled in
 *     +0x040   its one hvm_modlist_entry: the initramfs
 *     +0x080   u32 PVH entry point (physical)
 *     +0x084   u32 number of load ranges
 *     +0x090   load ranges: {u32 first LBA, u32 sectors, u32 destination}
 *     +0x100   the kernel command line
 *   then the ranges: the kernel's PT_LOAD segments as one flat image at
 *   their physical address, the initramfs.
 * This sector reads every range through a 64 KiB bounce buffer (BIOS EDD
 * read, then the BIOS extended-memory move), adds the E820 memory map that
 * only the BIOS knows, then enters 32-bit protected mode, flat, paging
 * off, and jumps to the entry with %ebx pointing at the start info, as
 * the PVH boot ABI wants.
 *
 * Plain GNU as input (no preprocessor directives); named .S only because
 * kbuild's "make clean" deletes *.s files:
 *   as --32 -o x.o pvh-boot.S
 *   ld -m elf_i386 -Ttext=0x7c00 --oformat=binary -o pvh-boot.bin x.o
 */

	.set	PARAM, 0x1000		/* must match run */
	.set	ENTRY, PARAM + 0x80
	.set	NR_RANGES, PARAM + 0x84
	.set	RANGES, PARAM + 0x90
	.set	SI_MEMMAP, 40		/* hvm_start_info.memmap_paddr */
	.set	SI_MEMMAP_NR, 48	/* hvm_start_info.memmap_entries */
	.set	MAP, 0x2000		/* E820 table, 24-byte entries */
	.set	MAP_MAX, 128
	.set	BOUNCE_SEG, 0x1000	/* bounce buffer at 0x10000 */
	.set	CHUNK, 127		/* sectors per EDD read */
	.set	SMAP, 0x534d4150

	.code16
	.text
	.globl	_start
_start:
	cli
	cld
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$0x7c00, %sp
	sti
	movb	%dl, drive

	/* The parameter block: 8 sectors from LBA 1 to PARAM. */
	movl	$1, lba
	movw	$8, dap_count
	movw	$PARAM, dap_off
	movw	$0, dap_seg
	call	read
	movw	$0, dap_off
	movw	$BOUNCE_SEG, dap_seg

	movw	$RANGES, %si
	movw	NR_RANGES, %cx
next_range:
	jcxz	ranges_done
	pushw	%cx
	movl	(%si), %eax
	movl	%eax, lba
	movl	4(%si), %eax
	movl	%eax, left
	movl	8(%si), %eax
	movl	%eax, dest
	pushw	%si
next_chunk:
	movl	left, %eax
	testl	%eax, %eax
	jz	range_done
	cmpl	$CHUNK, %eax
	jbe	1f
	movl	$CHUNK, %eax
1:	movw	%ax, dap_count
	call	read
	/* BIOS move: 256 words per sector, from the bounce buffer. */
	movl	dest, %eax
	movw	%ax, dst_desc + 2
	shrl	$16, %eax
	movb	%al, dst_desc + 4
	movb	%ah, dst_desc + 7
	movw	dap_count, %cx
	shlw	$8, %cx
	movw	$gdt_move, %si
	movb	$0x87, %ah
	int	$0x15
	jc	halt
	movzwl	dap_count, %eax
	addl	%eax, lba
	subl	%eax, left
	shll	$9, %eax
	addl	%eax, dest
	jmp	next_chunk
range_done:
	popw	%si
	popw	%cx
	addw	$12, %si
	decw	%cx
	jmp	next_range
ranges_done:

	/* The E820 map, straight into hvm_memmap_table_entry records:
	 * {u64 addr, u64 size, u32 type, u32 reserved}. */
	xorl	%ebx, %ebx
	movw	$MAP, %di
	xorw	%bp, %bp
next_e820:
	movl	$0, 20(%di)
	movl	$0xe820, %eax
	movl	$24, %ecx
	movl	$SMAP, %edx
	int	$0x15
	jc	e820_done
	cmpl	$SMAP, %eax
	jne	e820_done
	movl	$0, 20(%di)		/* ACPI 3 attributes: reserved in PVH */
	addw	$24, %di
	incw	%bp
	testl	%ebx, %ebx
	jz	e820_done
	cmpw	$MAP_MAX, %bp
	jb	next_e820
e820_done:
	testw	%bp, %bp
	jz	halt

	/* Fast A20 gate, then flat protected mode. */
	cli
	inb	$0x92, %al
	orb	$2, %al
	andb	$0xfe, %al
	outb	%al, $0x92

	lgdtl	gdt_desc
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $pm32

/* Read dap_count sectors at lba through EDD; stops on error. */
read:
	movl	lba, %eax
	movl	%eax, dap_lba
	movw	$dap, %si
	movb	drive, %dl
	movb	$0x42, %ah
	int	$0x13
	jc	halt
	ret

halt:
	cli
	hlt
	jmp	halt

	.code32
pm32:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	$0x7c00, %esp

	movl	$PARAM, %ebx
	movl	$MAP, SI_MEMMAP(%ebx)
	movl	$0, SI_MEMMAP+4(%ebx)
	movzwl	%bp, %eax
	movl	%eax, SI_MEMMAP_NR(%ebx)
	jmp	*ENTRY

	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: code, base 0, 4 GiB, 32-bit */
	.quad	0x00cf92000000ffff	/* 0x10: data, base 0, 4 GiB */
gdt_desc:
	.word	gdt_desc - gdt - 1
	.long	gdt

/* Descriptor table for INT 15h AH=87h: the BIOS fills entries 1, 4, 5. */
gdt_move:
	.quad	0, 0
	.word	0xffff, 0x0000		/* source: the bounce buffer */
	.byte	0x01, 0x93, 0x00, 0x00
dst_desc:
	.word	0xffff, 0x0000		/* destination: patched per chunk */
	.byte	0x00, 0x93, 0x00, 0x00
	.quad	0, 0

dap:
	.byte	16, 0
dap_count:
	.word	0
dap_off:
	.word	0
dap_seg:
	.word	0
dap_lba:
	.long	0, 0

drive:	.byte	0
	.balign	4
lba:	.long	0
left:	.long	0
dest:	.long	0

	.org	510
	.byte	0x55, 0xaa
