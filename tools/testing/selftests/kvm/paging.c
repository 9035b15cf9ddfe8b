// SPDX-License-Identifier: GPL-2.0
/*
 * paging: guests that manage their own page tables, for the MMU (with NPT
 * and with shadow paging, kvm_amd.npt=0) to follow.
 *
 *   long_mode   a 64-bit guest switches CR3 to its own 4-KiB tables, reads
 *               a page through them, remaps it by rewriting the PTE (INVLPG)
 *               and sees the other page, writes through the new mapping,
 *               remaps back with a CR3 reload instead of INVLPG, toggles
 *               CR4.PGE/OSFXSR and CR0.WP and reads them back, writes a
 *               read-only page with CR0.WP clear, returns to the first CR3
 *   page_fault  a read of a non-present page and a write to a read-only
 *               page (CR0.WP set) reach the guest's #PF handler with CR2 and
 *               error codes 0 and 3 (P|W)
 *   prot32      32-bit protected mode without paging: memory, CR0/CR4 read
 *               back; then the guest turns on 2-level 32-bit paging (a 4-MiB
 *               page for itself, a 4-KiB page table for a test page) and
 *               remaps a page with INVLPG
 *   cr3_switch  a 64-bit guest switches between two address spaces, B and
 *               C, and changes the tables of the one it is not in: a leaf
 *               (frame; A and D cleared), a PDE, a PDPTE and a PML4E.  Each
 *               change is in force when it switches back, with no INVLPG
 *               (a CR3 load flushes), so are the A and D bits the walk
 *               sets again, and so is a page the host replaced while the
 *               guest was in the other space (MADV_DONTNEED): shadow
 *               paging must not put back what it kept of an address space
 *               unchecked
 *   cr3_sweep   with CR4.PGE on and everything global but the test pages,
 *               a CR3 load still drops every entry that is not global: one
 *               the MMU filled ahead of use (VA_B, next to VA_TEST), and
 *               one it kept of an address space across a switch to another
 *               and put back (B2, then C, then B2 again); each time the
 *               guest changes the leaf with no INVLPG and loads a CR3 that
 *               shares the changed table (B2 or B), and must see the change
 *   wp_off_zero_page
 *               with CR0.WP clear the guest reads a page of fresh anonymous
 *               memory (the host maps its shared zero page there) and then
 *               writes it: the write must land in a page of its own, and
 *               the host's zero page, which every process reads as zeros,
 *               must stay zero (a shadow entry the host made read-only
 *               stops the guest's kernel whatever its CR0.WP)
 */
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "x86.h"

/* The guest's own tables (in slot 0, below the 64-bit stack). */
#define PML4_B		0x30000
#define PDPT_B		0x31000
#define PD_B		0x32000
#define PT_LOW		0x33000		/* identity map of 0..2 MiB */
#define PT_TEST		0x34000		/* VA 2 MiB.. */
#define PD32		0x35000
#define PT32		0x36000		/* VA 4 MiB.. (32-bit paging) */
#define PAGE_A		0x40000
#define PAGE_B		0x41000
#define PAGE_RO		0x42000
#define PAGE_D		0x43000
/* cr3_switch: address space C and the tables it moves entries to. */
#define PML4_C		0x37000
#define PDPT_C		0x38000
#define PD_C		0x39000
#define PT_C		0x3a000		/* VA 2 MiB.. in C */
#define PT_X		0x3b000		/* [0]: PAGE_D */
#define PD_X		0x3c000		/* [1]: PT_Y */
#define PT_Y		0x3d000		/* [0]: PAGE_A */
#define PDPT_X		0x3e000		/* [0]: PD_C */
#define PML4_B2		0x3f000		/* cr3_sweep: B's entries again */

#define VA_TEST		0x200000	/* PT_TEST[0]: A or B */
#define VA_NP		0x201000	/* PT_TEST[1]: not present */
#define VA_RO		0x202000	/* PT_TEST[2]: PAGE_RO, read-only */
#define VA_B		0x203000	/* PT_TEST[3]: B */
#define VA32_TEST	0x400000	/* PT32[0]: A or B */
#define ZERO_GPA	0x1000000	/* slot 1: fresh anonymous memory */
#define ZERO_MARK	0x5eed

#define MARK_A		0xa1a2a3a4a5a6a7a8
#define MARK_B		0xb1b2b3b4b5b6b7b8
#define MARK_RO		0xc1c2c3c4c5c6c7c8
#define MARK_D		0xd1d2d3d4d5d6d7d8
#define MARK_NEW	0xe1e2e3e4e5e6e7e8

#define PTE_P		0x1
#define PTE_W		0x2
#define PTE_A		0x20
#define PTE_D		0x40
#define PTE_PS		0x80
#define PTE_G		0x100

#define GDT_CODE32_SEL	0x28

static struct kvm_vm *vm;

static uint64_t *pt(uint64_t gpa)
{
	return gpa2hva(vm, gpa);
}

static void build_tables(void)
{
	uint32_t *pd32 = gpa2hva(vm, PD32), *pt32 = gpa2hva(vm, PT32);
	int i;

	memset(pt(PML4_B), 0, 0x7000);
	pt(PML4_B)[0] = PDPT_B | PTE_P | PTE_W;
	pt(PDPT_B)[0] = PD_B | PTE_P | PTE_W;
	pt(PD_B)[0] = PT_LOW | PTE_P | PTE_W;
	pt(PD_B)[1] = PT_TEST | PTE_P | PTE_W;
	for (i = 0; i < 512; i++)
		pt(PT_LOW)[i] = (i * PAGE_SIZE) | PTE_P | PTE_W;
	pt(PT_TEST)[0] = PAGE_A | PTE_P | PTE_W;
	pt(PT_TEST)[1] = 0;
	pt(PT_TEST)[2] = PAGE_RO | PTE_P;
	pt(PT_TEST)[3] = PAGE_B | PTE_P | PTE_W;

	/* 32-bit: 4-MiB identity page at 0, PT32 for 4 MiB.. */
	pd32[0] = 0 | PTE_P | PTE_W | PTE_PS;
	pd32[1] = PT32 | PTE_P | PTE_W;
	pt32[0] = PAGE_A | PTE_P | PTE_W;

	pt(PAGE_A)[0] = MARK_A;
	pt(PAGE_B)[0] = MARK_B;
	pt(PAGE_RO)[0] = MARK_RO;
	pt(PAGE_A)[1] = pt(PAGE_B)[1] = pt(PAGE_RO)[1] = 0;
}

#define G_LOAD_EQ(addr, val)						\
	"\tmov " STR(addr) ", %rdi\n"					\
	G64_ASSERT_EQ("%rdi", val)

GUEST_CODE(guest_long, 64,
	"\tmov $" STR(PML4_B) ", %eax\n\tmov %rax, %cr3\n"
	"\tmov %cr3, %rdi\n"
	G64_ASSERT_EQ("%rdi", PML4_B)
	G_LOAD_EQ(VA_TEST, MARK_A)
	G_LOAD_EQ(VA_B, MARK_B)
	G_LOAD_EQ(VA_RO, MARK_RO)
	/* Remap VA_TEST to PAGE_B. */
	"\tmovq $" STR(PAGE_B | PTE_P | PTE_W) ", " STR(PT_TEST) "\n"
	"\tinvlpg " STR(VA_TEST) "\n"
	G_LOAD_EQ(VA_TEST, MARK_B)
	"\tmovq $0x5a5a, " STR(VA_TEST + 8) "\n"
	G_LOAD_EQ(VA_B + 8, 0x5a5a)
	/* Back to PAGE_A, flushed by reloading CR3. */
	"\tmovq $" STR(PAGE_A | PTE_P | PTE_W) ", " STR(PT_TEST) "\n"
	"\tmov %cr3, %rax\n\tmov %rax, %cr3\n"
	G_LOAD_EQ(VA_TEST, MARK_A)
	G_LOAD_EQ(VA_TEST + 8, 0)
	G_SYNC(1)
	/* CR4: PAE -> PAE|PGE|OSFXSR. */
	"\tmov %cr4, %rax\n\tor $0x280, %rax\n\tmov %rax, %cr4\n"
	"\tmov %cr4, %rdi\n"
	G64_ASSERT_EQ("%rdi", 0x2a0)
	/* CR0.WP off: a supervisor write to a read-only page works. */
	"\tmov %cr0, %rax\n\tbtr $16, %rax\n\tmov %rax, %cr0\n"
	"\tmov %cr0, %rdi\n"
	G64_ASSERT_EQ("%rdi", 0x80040033)
	"\tmovq $0x77, " STR(VA_RO + 8) "\n"
	"\tmov %cr0, %rax\n\tbts $16, %rax\n\tmov %rax, %cr0\n"
	"\tmov %cr0, %rdi\n"
	G64_ASSERT_EQ("%rdi", 0x80050033)
	/* CR4.PGE off again (flushes global entries). */
	"\tmov %cr4, %rax\n\tbtr $7, %rax\n\tmov %rax, %cr4\n"
	"\tmov %cr4, %rdi\n"
	G64_ASSERT_EQ("%rdi", 0x220)
	/* The first tables again: VA_TEST is the 2-MiB identity page. */
	"\tmov $" STR(PML4_GPA) ", %eax\n\tmov %rax, %cr3\n"
	"\tmov %cr3, %rdi\n"
	G64_ASSERT_EQ("%rdi", PML4_GPA)
	G_LOAD_EQ(PAGE_B, MARK_B)
	G_SYNC(2)
	G_DONE);

/* Address space C and the spare tables of cr3_switch. */
static void build_tables_c(void)
{
	memset(pt(PML4_C), 0, 0x8000);
	pt(PML4_C)[0] = PDPT_C | PTE_P | PTE_W;
	pt(PDPT_C)[0] = PD_C | PTE_P | PTE_W;
	pt(PD_C)[0] = pt(PD_X)[0] = PT_LOW | PTE_P | PTE_W;
	pt(PD_C)[1] = PT_C | PTE_P | PTE_W;
	pt(PT_C)[0] = PAGE_B | PTE_P | PTE_W;
	pt(PT_X)[0] = PAGE_D | PTE_P | PTE_W;
	pt(PD_X)[1] = PT_Y | PTE_P | PTE_W;
	pt(PT_Y)[0] = PAGE_A | PTE_P | PTE_W;
	pt(PDPT_X)[0] = PD_C | PTE_P | PTE_W;
	pt(PAGE_D)[0] = MARK_D;
}

#define G_CR3(pml4)							\
	"\tmov $" STR(pml4) ", %eax\n\tmov %rax, %cr3\n"
#define G_SET_PTE(gpa, val)						\
	"\tmovq $" STR(val) ", " STR(gpa) "\n"

GUEST_CODE(guest_cr3, 64,
	G_CR3(PML4_B)
	G_LOAD_EQ(VA_TEST, MARK_A)
	"\tmovq $0x1111, " STR(VA_B + 16) "\n"
	G_CR3(PML4_C)
	G_LOAD_EQ(VA_TEST, MARK_B)
	G_SYNC(1)
	/* B's leaf of VA_B loses A and D; the host replaced PAGE_A. */
	"\tandq $~(" STR(PTE_A | PTE_D) "), " STR(PT_TEST + 24) "\n"
	G_CR3(PML4_B)
	G_LOAD_EQ(VA_TEST, MARK_NEW)
	G_LOAD_EQ(VA_B + 16, 0x1111)
	G_LOAD_EQ(PT_TEST + 24, PAGE_B | PTE_P | PTE_W | PTE_A)
	"\tmovq $0x2222, " STR(VA_B + 16) "\n"
	G_LOAD_EQ(PT_TEST + 24, PAGE_B | PTE_P | PTE_W | PTE_A | PTE_D)
	/* C's leaf of VA_TEST: PAGE_RO. */
	G_SET_PTE(PT_C, PAGE_RO | PTE_P)
	G_CR3(PML4_C)
	G_LOAD_EQ(VA_TEST, MARK_RO)
	/* B's PDE of VA_TEST: PT_X (PAGE_D). */
	G_SET_PTE(PD_B + 8, PT_X | PTE_P | PTE_W)
	G_CR3(PML4_B)
	G_LOAD_EQ(VA_TEST, MARK_D)
	/* C's PDPTE: PD_X (PT_Y: PAGE_A). */
	G_SET_PTE(PDPT_C, PD_X | PTE_P | PTE_W)
	G_CR3(PML4_C)
	G_LOAD_EQ(VA_TEST, MARK_NEW)
	/* B's PML4E: PDPT_X (PD_C, PT_C: PAGE_RO). */
	G_SET_PTE(PML4_B, PDPT_X | PTE_P | PTE_W)
	G_CR3(PML4_B)
	G_LOAD_EQ(VA_TEST, MARK_RO)
	G_SYNC(2)
	G_DONE);

#define SOAK_PAGES	64

static void test_cr3_switch(struct kvm_vcpu *vcpu)
{
	volatile uint64_t *soak = alloc_mem(SOAK_PAGES * PAGE_SIZE);
	int i;

	build_tables();
	build_tables_c();
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, guest_cr3));
	vcpu_use_idt(vcpu);
	vcpu_expect_sync(vcpu, 1);
	/*
	 * The host frees PAGE_A's page; fresh pages of ours, touched first,
	 * take it (or its neighbours) from the allocator, so that PAGE_A's
	 * new page is another one.
	 */
	TEST_ASSERT_OK(madvise(pt(PAGE_A), PAGE_SIZE, MADV_DONTNEED));
	for (i = 0; i < SOAK_PAGES; i++)
		soak[i * PAGE_SIZE / 8] = 0xbad;
	TEST_ASSERT_EQ(pt(PAGE_A)[0], 0);
	pt(PAGE_A)[0] = MARK_NEW;
	vcpu_expect_sync(vcpu, 2);
	TEST_ASSERT_EQ(pt(PAGE_B)[2], 0x2222);
	vcpu_expect_done(vcpu);
	munmap((void *)soak, SOAK_PAGES * PAGE_SIZE);
}

GUEST_CODE(guest_sweep, 64,
	"\tmov %cr4, %rax\n\tor $0x80, %rax\n\tmov %rax, %cr4\n"
	G_CR3(PML4_B)
	/* A global fill; VA_B, not global, is filled with it. */
	G_LOAD_EQ(VA_TEST, MARK_A)
	G_SET_PTE(PT_TEST + 24, PAGE_A | PTE_P | PTE_W | PTE_A)
	G_CR3(PML4_B2)
	G_LOAD_EQ(VA_B, MARK_A)
	G_CR3(PML4_C)
	G_LOAD_EQ(VA_TEST, MARK_B)
	G_CR3(PML4_B2)
	G_LOAD_EQ(VA_B, MARK_A)
	G_SET_PTE(PT_TEST + 24, PAGE_B | PTE_P | PTE_W | PTE_A)
	G_CR3(PML4_B)
	G_LOAD_EQ(VA_B, MARK_B)
	G_DONE);

/*
 * In a VM of its own: KVM's shadow MMU keeps shadow pages of the guest
 * tables the earlier subtests used, and does not see this process
 * rewrite them (build_tables()); only guest writes are tracked.
 */
static void test_cr3_sweep(void)
{
	struct kvm_vm *shared = vm;
	struct kvm_vcpu *vcpu;
	int i;

	vm = vm_create();
	vm_setup_idt(vm);
	vcpu = vcpu_add(vm, 0);
	vcpu_set_supported_cpuid(vcpu);
	build_tables();
	build_tables_c();
	for (i = 0; i < 512; i++)
		pt(PT_LOW)[i] |= PTE_G;
	pt(PT_TEST)[0] |= PTE_G;
	pt(PT_TEST)[3] |= PTE_A;
	/* With A already set, the walks leave B and B2 the same entry. */
	pt(PML4_B)[0] |= PTE_A;
	memcpy(pt(PML4_B2), pt(PML4_B), PAGE_SIZE);
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, guest_sweep));
	vcpu_use_idt(vcpu);
	vcpu_expect_done(vcpu);
	vcpu_free(vcpu);
	vm_destroy(vm);
	vm = shared;
}

static void setup_guest_tables(struct kvm_vcpu *vcpu, uint64_t entry)
{
	struct kvm_sregs sr;

	vcpu_setup_long(vcpu, entry);
	vcpu_use_idt(vcpu);
	vcpu_get_sregs(vcpu, &sr);
	sr.cr3 = PML4_B;
	vcpu_set_sregs(vcpu, &sr);
}

static void test_long_mode(struct kvm_vcpu *vcpu)
{
	struct kvm_sregs sr;

	build_tables();
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, guest_long));
	vcpu_use_idt(vcpu);
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(pt(PAGE_B)[1], 0x5a5a);
	TEST_ASSERT_EQ(pt(PAGE_A)[1], 0);
	vcpu_get_sregs(vcpu, &sr);
	TEST_ASSERT_EQ(sr.cr3, PML4_B);
	vcpu_expect_sync(vcpu, 2);
	TEST_ASSERT_EQ(pt(PAGE_RO)[1], 0x77);
	vcpu_get_sregs(vcpu, &sr);
	TEST_ASSERT_EQ(sr.cr3, PML4_GPA);
	TEST_ASSERT_EQ(sr.cr0, 0x80050033);
	TEST_ASSERT_EQ(sr.cr4, 0x220);
	vcpu_expect_done(vcpu);
}

GUEST_CODE(guest_pf_np, 64,
	G_LABEL(pf_np_insn)
	"\tmov " STR(VA_NP) ", %rax\n"
	G_DONE);
GUEST_CODE(guest_pf_wp, 64,
	G_LOAD_EQ(VA_RO, MARK_RO)
	G_LABEL(pf_wp_insn)
	"\tmovq $1, " STR(VA_RO) "\n"
	G_DONE);
extern const uint8_t pf_np_insn[], pf_wp_insn[];

static void test_page_fault(struct kvm_vcpu *vcpu)
{
	uint64_t gpa;
	struct kvm_sregs sr;
	struct ucall uc;

	build_tables();
	gpa = LOAD_GUEST(vm, guest_pf_np);
	setup_guest_tables(vcpu, gpa);
	vcpu_expect_vector(vcpu, 14, &uc);
	TEST_ASSERT_EQ(uc.arg1, 0);			/* read, not present */
	TEST_ASSERT_EQ(uc.regs.rdi, VA_NP);		/* CR2 */
	TEST_ASSERT_EQ(uc.line, gpa + BLOB_OFFSET(guest_pf_np, pf_np_insn));
	vcpu_get_sregs(vcpu, &sr);
	TEST_ASSERT_EQ(sr.cr2, VA_NP);

	gpa = LOAD_GUEST(vm, guest_pf_wp);
	setup_guest_tables(vcpu, gpa);
	vcpu_expect_vector(vcpu, 14, &uc);
	TEST_ASSERT_EQ(uc.arg1, PTE_P | PTE_W);	/* write, protection */
	TEST_ASSERT_EQ(uc.regs.rdi, VA_RO);
	TEST_ASSERT_EQ(uc.line, gpa + BLOB_OFFSET(guest_pf_wp, pf_wp_insn));
	TEST_ASSERT_EQ(pt(PAGE_RO)[0], MARK_RO);
}

GUEST_CODE(guest_prot32, 32,
	"\tmov " STR(DATA_GPA) ", %edi\n"
	G32_ASSERT_EQ("%edi", 0xcafe)
	"\tmovl $0x12345678, " STR(DATA_GPA + 4) "\n"
	"\tmov %cr0, %edi\n"
	G32_ASSERT_EQ("%edi", 0x31)
	"\tmov %cr0, %eax\n\tor $2, %eax\n\tmov %eax, %cr0\n"
	"\tmov %cr0, %edi\n"
	G32_ASSERT_EQ("%edi", 0x33)
	"\tmov %cr4, %edi\n"
	G32_ASSERT_EQ("%edi", 0)
	G_SYNC(1)
	/* 2-level paging with PSE. */
	"\tmov $" STR(PD32) ", %eax\n\tmov %eax, %cr3\n"
	"\tmov %cr4, %eax\n\tor $0x10, %eax\n\tmov %eax, %cr4\n"
	"\tmov %cr0, %eax\n\tor $0x80000000, %eax\n\tmov %eax, %cr0\n"
	"\tmov %cr0, %edi\n"
	G32_ASSERT_EQ("%edi", 0x80000033)
	"\tmov " STR(VA32_TEST) ", %edi\n"
	G32_ASSERT_EQ("%edi", MARK_A & 0xffffffff)
	"\tmovl $" STR(PAGE_B | PTE_P | PTE_W) ", " STR(PT32) "\n"
	"\tinvlpg " STR(VA32_TEST) "\n"
	"\tmov " STR(VA32_TEST) ", %edi\n"
	G32_ASSERT_EQ("%edi", MARK_B & 0xffffffff)
	"\tmovl $0x4321, " STR(VA32_TEST + 12) "\n"
	G_SYNC(2)
	G_DONE);

static void test_prot32(struct kvm_vcpu *vcpu)
{
	uint64_t *gdt = gpa2hva(vm, GDT_GPA);
	uint32_t *data = gpa2hva(vm, DATA_GPA);
	uint64_t entry = LOAD_GUEST(vm, guest_prot32);
	struct kvm_sregs sr;
	struct kvm_regs regs;

	build_tables();
	gdt[GDT_CODE32_SEL / 8] = 0x00cf9b000000ffffULL;
	data[0] = 0xcafe;
	data[1] = 0;

	vcpu_setup_long(vcpu, entry);	/* completes the last exit */
	vcpu_get_sregs(vcpu, &sr);
	sr.cs.selector = GDT_CODE32_SEL;
	sr.cs.l = 0;
	sr.cs.db = 1;
	sr.gdt.limit = GDT_CODE32_SEL + 7;
	sr.tr.type = 0xb;
	sr.cr0 = 0x31;			/* PE ET NE */
	sr.cr3 = 0;
	sr.cr4 = 0;
	sr.efer = 0;
	sr.idt.base = 0;
	sr.idt.limit = 0;
	vcpu_set_sregs(vcpu, &sr);
	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rsp = LONG_STACK_TOP;
	regs.rflags = 2;
	vcpu_set_regs(vcpu, &regs);

	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(data[1], 0x12345678);
	vcpu_get_sregs(vcpu, &sr);
	TEST_ASSERT_EQ(sr.cr0, 0x33);
	TEST_ASSERT_EQ(sr.efer & 0x400, 0);
	vcpu_expect_sync(vcpu, 2);
	vcpu_get_sregs(vcpu, &sr);
	TEST_ASSERT_EQ(sr.cr0, 0x80000033);
	TEST_ASSERT_EQ(sr.cr3, PD32);
	TEST_ASSERT_EQ(sr.cr4, 0x10);
	TEST_ASSERT_EQ(((uint32_t *)gpa2hva(vm, PAGE_B))[3], 0x4321);
	TEST_ASSERT_EQ(((uint32_t *)gpa2hva(vm, PAGE_A))[3], 0);
	vcpu_expect_done(vcpu);
}

GUEST_CODE(guest_wp_off_zero, 64,
	"\tmov %cr0, %rax\n\tbtr $16, %rax\n\tmov %rax, %cr0\n"
	G_LOAD_EQ(ZERO_GPA, 0)
	"\tmovq $" STR(ZERO_MARK) ", " STR(ZERO_GPA) "\n"
	G_LOAD_EQ(ZERO_GPA, ZERO_MARK)
	G_SYNC(1)
	/* Undo it, in case it went where it must not. */
	"\tmovq $0, " STR(ZERO_GPA) "\n"
	"\tmov %cr0, %rax\n\tbts $16, %rax\n\tmov %rax, %cr0\n"
	G_DONE);

static void test_wp_off_zero_page(struct kvm_vcpu *vcpu)
{
	uint64_t *mem = vm_add_mem(vm, 1, ZERO_GPA, 2 * PAGE_SIZE, 0);
	volatile uint64_t *fresh = alloc_mem(PAGE_SIZE);

	vcpu_setup_long(vcpu, LOAD_GUEST(vm, guest_wp_off_zero));
	vcpu_use_idt(vcpu);
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(fresh[0], 0);
	TEST_ASSERT_EQ(mem[0], ZERO_MARK);
	vcpu_expect_done(vcpu);
	munmap((void *)fresh, PAGE_SIZE);
}

int main(void)
{
	struct kvm_vcpu *vcpu;

	test_init("paging");
	vm = vm_create();
	vm_setup_idt(vm);
	vcpu = vcpu_add(vm, 0);
	vcpu_set_supported_cpuid(vcpu);
	RUN_SUBTEST("long_mode", test_long_mode(vcpu));
	RUN_SUBTEST("page_fault", test_page_fault(vcpu));
	RUN_SUBTEST("prot32", test_prot32(vcpu));
	RUN_SUBTEST("cr3_switch", test_cr3_switch(vcpu));
	RUN_SUBTEST("cr3_sweep", test_cr3_sweep());
	RUN_SUBTEST("wp_off_zero_page", test_wp_off_zero_page(vcpu));
	vcpu_free(vcpu);
	vm_destroy(vm);
	test_done();
}
