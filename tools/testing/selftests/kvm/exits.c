// SPDX-License-Identifier: GPL-2.0
/*
 * exits: the KVM_RUN exit reasons userspace has to handle, each driven by
 * guest code in real mode and in 64-bit mode.
 *
 *   KVM_EXIT_IO          IN/OUT of 1/2/4 bytes, INS/OUTS with and without REP
 *   KVM_EXIT_MMIO        loads/stores of 1/2/4/8 bytes, movzx/movsx, RMW
 *   KVM_EXIT_HLT         RIP points after the hlt, also for a hlt in the
 *                        last byte of memory (nothing mapped after it)
 *   KVM_EXIT_SHUTDOWN    triple fault (int3 with an empty IDT)
 *   KVM_EXIT_FAIL_ENTRY  long mode with CS.L = CS.D = 1
 *   KVM_EXIT_INTR        KVM_RUN fails with EINTR when a signal arrives
 *   immediate_exit       KVM_RUN fails with EINTR without entering the guest,
 *                        but still completes a pending IN
 */
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/time.h>

#include "kvm_util.h"
#include "x86.h"

#define PIO_PORT8	0x42
#define PIO_PORT	0x1234
#define STR_PORT	0x2345
#define IMM_PORT	0x44
#define SRC_GPA		DATA_GPA
#define DST_GPA		(DATA_GPA + 0x2000)

enum { REAL, LONG };
static const char *const mode_name[] = { "real mode", "64-bit" };

/* Subtest names: <what>_real and <what>_64. */
static char name_buf[64];
#define NAME(what)							\
	(snprintf(name_buf, sizeof(name_buf), "%s_%s", what,		\
		  mode == REAL ? "real" : "64"), name_buf)

/* ------------------------------------------------------------ port I/O */

#define PIO_BODY(extra)							\
	"\tmov $0xa5, %al\n\tout %al, $" STR(PIO_PORT8) "\n"		\
	"\tmov $" STR(PIO_PORT) ", %dx\n"				\
	"\tmov $0xbeef, %ax\n\tout %ax, %dx\n"				\
	"\tmov $0xdeadbeef, %eax\n\tout %eax, %dx\n"			\
	"\tmov $0x12345600, %eax\n\tin $" STR(PIO_PORT8) ", %al\n"	\
	G32_ASSERT_EQ("%eax", 0x1234565a)				\
	"\tmov $0x87650000, %eax\n\tin %dx, %ax\n"			\
	G32_ASSERT_EQ("%eax", 0x87651357)				\
	"\tin %dx, %eax\n"						\
	G32_ASSERT_EQ("%eax", 0x89abcdef)				\
	"\tmov $0xffff, %dx\n\tmov $0x66, %al\n\tout %al, %dx\n"	\
	extra								\
	G_DONE

GUEST_CODE(rm_pio, 16, PIO_BODY(""));
/* In 64-bit mode a 32-bit IN zero-extends, a 16-bit one merges. */
GUEST_CODE(lm_pio, 64, PIO_BODY(
	"\tmov $" STR(PIO_PORT) ", %dx\n"
	"\tmov $-1, %rax\n\tin %dx, %eax\n"
	G64_ASSERT_EQ("%rax", 0x2468ace0)
	"\tmov $-1, %rax\n\tin %dx, %ax\n"
	G64_ASSERT_EQ("%rax", 0xffffffffffff1357)));

struct pio_exp {
	uint8_t dir, size;
	uint16_t port;
	uint32_t val;
};

static const struct pio_exp pio_common[] = {
	{ KVM_EXIT_IO_OUT, 1, PIO_PORT8, 0xa5 },
	{ KVM_EXIT_IO_OUT, 2, PIO_PORT, 0xbeef },
	{ KVM_EXIT_IO_OUT, 4, PIO_PORT, 0xdeadbeef },
	{ KVM_EXIT_IO_IN, 1, PIO_PORT8, 0x5a },
	{ KVM_EXIT_IO_IN, 2, PIO_PORT, 0x1357 },
	{ KVM_EXIT_IO_IN, 4, PIO_PORT, 0x89abcdef },
	{ KVM_EXIT_IO_OUT, 1, 0xffff, 0x66 },
};

static const struct pio_exp pio_long[] = {
	{ KVM_EXIT_IO_IN, 4, PIO_PORT, 0x2468ace0 },
	{ KVM_EXIT_IO_IN, 2, PIO_PORT, 0x1357 },
};

static void *io_data(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	TEST_ASSERT(run->io.data_offset >= sizeof(*run) &&
		    run->io.data_offset + run->io.size * run->io.count <=
		    (uint64_t)vcpu->vm->run_size,
		    "io.data_offset 0x%llx size %u count %u",
		    run->io.data_offset, run->io.size, run->io.count);
	return (char *)run + run->io.data_offset;
}

static void expect_pio(struct kvm_vcpu *vcpu, const struct pio_exp *e)
{
	struct kvm_run *run = vcpu->run;
	uint32_t v = 0;

	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_IO);
	TEST_ASSERT_EQ(run->io.direction, e->dir);
	TEST_ASSERT_EQ(run->io.size, e->size);
	TEST_ASSERT_EQ(run->io.port, e->port);
	TEST_ASSERT_EQ(run->io.count, 1);
	if (e->dir == KVM_EXIT_IO_OUT) {
		memcpy(&v, io_data(vcpu), e->size);
		TEST_ASSERT_EQ(v, e->val);
	} else {
		memcpy(io_data(vcpu), &e->val, e->size);
	}
}

static void test_pio(struct kvm_vcpu *vcpu, int mode)
{
	unsigned int i;

	if (mode == REAL)
		vcpu_setup_real(vcpu, LOAD_GUEST(vcpu->vm, rm_pio));
	else
		vcpu_setup_long(vcpu, LOAD_GUEST(vcpu->vm, lm_pio));
	for (i = 0; i < ARRAY_SIZE(pio_common); i++)
		expect_pio(vcpu, &pio_common[i]);
	for (i = 0; mode == LONG && i < ARRAY_SIZE(pio_long); i++)
		expect_pio(vcpu, &pio_long[i]);
	vcpu_expect_done(vcpu);
}

/* ------------------------------------------------------- string port I/O */

/*
 * One string instruction; afterwards %ecx must be 0 (copied to %ebp, the
 * assertion needs %ecx) and the index register must have moved to "end".
 */
#define STR_OP(insn, cnt, sreg, addr, end, stage)			\
	"\tmov $" STR(STR_PORT) ", %dx\n"				\
	"\tmov $" STR(addr) ", " sreg "\n"				\
	"\tmov $" STR(cnt) ", %ecx\n"					\
	"\t" insn "\n"							\
	"\tmov %ecx, %ebp\n"						\
	G32_ASSERT_EQ("%ebp", 0)					\
	G32_ASSERT_EQ(sreg, end)					\
	G_SYNC(stage)

#define STRING_BODY							\
	"\tcld\n"							\
	STR_OP("rep outsb", 300, "%esi", SRC_GPA, SRC_GPA + 300, 1)	\
	STR_OP("rep outsw", 100, "%esi", SRC_GPA + 0x400,		\
	       SRC_GPA + 0x400 + 200, 2)				\
	STR_OP("rep outsl", 64, "%esi", SRC_GPA + 0x800,		\
	       SRC_GPA + 0x800 + 256, 3)				\
	STR_OP("rep insb", 300, "%edi", DST_GPA, DST_GPA + 300, 4)	\
	STR_OP("rep insw", 100, "%edi", DST_GPA + 0x400,		\
	       DST_GPA + 0x400 + 200, 5)				\
	STR_OP("rep insl", 64, "%edi", DST_GPA + 0x800,		\
	       DST_GPA + 0x800 + 256, 6)				\
	STR_OP("outsb", 0, "%esi", SRC_GPA + 0xc00, SRC_GPA + 0xc01, 7)	\
	STR_OP("insw", 0, "%edi", DST_GPA + 0xc00, DST_GPA + 0xc02, 8)	\
	STR_OP("rep outsb", 0, "%esi", SRC_GPA, SRC_GPA, 9)		\
	G_DONE

GUEST_CODE(rm_string, 16, STRING_BODY);
GUEST_CODE(lm_string, 64, STRING_BODY);

struct str_exp {
	uint8_t dir, size;
	uint16_t count;
	uint32_t gpa;
};

static const struct str_exp str_ops[] = {
	{ KVM_EXIT_IO_OUT, 1, 300, SRC_GPA },
	{ KVM_EXIT_IO_OUT, 2, 100, SRC_GPA + 0x400 },
	{ KVM_EXIT_IO_OUT, 4, 64, SRC_GPA + 0x800 },
	{ KVM_EXIT_IO_IN, 1, 300, DST_GPA },
	{ KVM_EXIT_IO_IN, 2, 100, DST_GPA + 0x400 },
	{ KVM_EXIT_IO_IN, 4, 64, DST_GPA + 0x800 },
	{ KVM_EXIT_IO_OUT, 1, 1, SRC_GPA + 0xc00 },
	{ KVM_EXIT_IO_IN, 2, 1, DST_GPA + 0xc00 },
	{ KVM_EXIT_IO_OUT, 1, 0, SRC_GPA },
};

static uint8_t pattern_byte(unsigned int i, unsigned int salt)
{
	return (uint8_t)(i * 7 + salt * 31 + (i >> 8));
}

/* Feed/collect one string operation, however KVM splits it into exits. */
static void expect_string(struct kvm_vcpu *vcpu, const struct str_exp *e,
			  unsigned int stage)
{
	struct kvm_run *run = vcpu->run;
	unsigned int total = e->size * e->count, done = 0, exits = 0, i, n;
	uint8_t *mem = gpa2hva(vcpu->vm, e->gpa);
	uint8_t want[1024], got[1024];
	struct ucall uc;

	for (i = 0; i < total; i++)
		want[i] = pattern_byte(i, stage);
	if (e->dir == KVM_EXIT_IO_OUT)
		memcpy(mem, want, total);
	else
		memset(mem, 0xcc, total + 16);

	for (;;) {
		vcpu_run(vcpu);
		if (vcpu_get_ucall(vcpu, &uc))
			break;
		vcpu_assert_exit(vcpu, KVM_EXIT_IO);
		TEST_ASSERT_EQ(run->io.port, STR_PORT);
		TEST_ASSERT_EQ(run->io.direction, e->dir);
		TEST_ASSERT_EQ(run->io.size, e->size);
		n = run->io.count * run->io.size;
		TEST_ASSERT(n > 0 && done + n <= total,
			    "stage %u: count %u after %u of %u bytes", stage,
			    run->io.count, done, total);
		if (e->dir == KVM_EXIT_IO_OUT)
			memcpy(got + done, io_data(vcpu), n);
		else
			memcpy(io_data(vcpu), want + done, n);
		done += n;
		exits++;
	}
	ucall_check(&uc);
	TEST_ASSERT(uc.cmd == UCALL_SYNC && uc.arg0 == stage,
		    "stage %u: ucall %llu(%llu), guest line %llu", stage,
		    (unsigned long long)uc.cmd, (unsigned long long)uc.arg0,
		    (unsigned long long)uc.line);
	TEST_ASSERT(done == total, "stage %u: %u of %u bytes", stage, done,
		    total);
	if (e->dir == KVM_EXIT_IO_OUT) {
		TEST_ASSERT(!memcmp(got, want, total), "stage %u: data", stage);
	} else {
		TEST_ASSERT(!memcmp(mem, want, total), "stage %u: memory",
			    stage);
		TEST_ASSERT_EQ(mem[total], 0xcc);
	}
	if (total > 8)
		test_note("stage %u: %u bytes in %u exit(s)", stage, total,
			  exits);
}

static void test_string_io(struct kvm_vcpu *vcpu, int mode)
{
	unsigned int i;

	if (mode == REAL)
		vcpu_setup_real(vcpu, LOAD_GUEST(vcpu->vm, rm_string));
	else
		vcpu_setup_long(vcpu, LOAD_GUEST(vcpu->vm, lm_string));
	for (i = 0; i < ARRAY_SIZE(str_ops); i++)
		expect_string(vcpu, &str_ops[i], i + 1);
	vcpu_expect_done(vcpu);
}

/* ----------------------------------------------------------------- MMIO */

GUEST_CODE(rm_mmio, 16,
	"\tmov $" STR(REAL_MMIO_GPA >> 4) ", %ax\n\tmov %ax, %es\n"
	"\tmovb $0x12, %es:0\n"
	"\tmovw $0x3456, %es:2\n"
	"\tmovl $0x789abcde, %es:4\n"
	"\tmov $0xffffffff, %eax\n\tmovb %es:0x10, %al\n"
	G32_ASSERT_EQ("%eax", 0xffffff5a)
	"\tmovw %es:0x12, %ax\n"
	G32_ASSERT_EQ("%eax", 0xffff1357)
	"\tmovl %es:0x14, %eax\n"
	G32_ASSERT_EQ("%eax", 0x89abcdef)
	"\tmovzbl %es:0x20, %eax\n"
	G32_ASSERT_EQ("%eax", 0xf0)
	"\tmovzwl %es:0x22, %eax\n"
	G32_ASSERT_EQ("%eax", 0x8001)
	"\tmovsbl %es:0x24, %eax\n"
	G32_ASSERT_EQ("%eax", 0xffffff80)
	"\tmovswl %es:0x26, %eax\n"
	G32_ASSERT_EQ("%eax", 0xffff8000)
	"\torb $0x80, %es:0x2c\n"
	G_DONE);

GUEST_CODE(lm_mmio, 64,
	"\tmov $" STR(LONG_MMIO_GPA) ", %r12d\n"
	"\tmovb $0x12, (%r12)\n"
	"\tmovw $0x3456, 2(%r12)\n"
	"\tmovl $0x789abcde, 4(%r12)\n"
	"\tmovabs $0x0123456789abcdef, %rax\n\tmov %rax, 8(%r12)\n"
	"\tmov $-1, %rax\n\tmovb 0x10(%r12), %al\n"
	G64_ASSERT_EQ("%rax", 0xffffffffffffff5a)
	"\tmov $-1, %rax\n\tmovw 0x12(%r12), %ax\n"
	G64_ASSERT_EQ("%rax", 0xffffffffffff1357)
	"\tmov $-1, %rax\n\tmovl 0x14(%r12), %eax\n"
	G64_ASSERT_EQ("%rax", 0x89abcdef)
	"\tmovq 0x18(%r12), %rax\n"
	G64_ASSERT_EQ("%rax", 0xfedcba9876543210)
	"\tmov $-1, %rax\n\tmovzbl 0x20(%r12), %eax\n"
	G64_ASSERT_EQ("%rax", 0xf0)
	"\tmovzwl 0x22(%r12), %eax\n"
	G64_ASSERT_EQ("%rax", 0x8001)
	"\tmovsbq 0x24(%r12), %rax\n"
	G64_ASSERT_EQ("%rax", 0xffffffffffffff80)
	"\tmov $-1, %rax\n\tmovswl 0x26(%r12), %eax\n"
	G64_ASSERT_EQ("%rax", 0xffff8000)
	"\torb $0x80, 0x2c(%r12)\n"
	G_DONE);

struct mmio_exp {
	uint32_t off;
	uint8_t len, write;
	uint64_t val;
};

static const struct mmio_exp mmio_ops[] = {
	{ 0x00, 1, 1, 0x12 },
	{ 0x02, 2, 1, 0x3456 },
	{ 0x04, 4, 1, 0x789abcde },
	{ 0x08, 8, 1, 0x0123456789abcdefULL },	/* 64-bit only */
	{ 0x10, 1, 0, 0x5a },
	{ 0x12, 2, 0, 0x1357 },
	{ 0x14, 4, 0, 0x89abcdef },
	{ 0x18, 8, 0, 0xfedcba9876543210ULL },	/* 64-bit only */
	{ 0x20, 1, 0, 0xf0 },
	{ 0x22, 2, 0, 0x8001 },
	{ 0x24, 1, 0, 0x80 },
	{ 0x26, 2, 0, 0x8000 },
	{ 0x2c, 1, 0, 0x01 },
	{ 0x2c, 1, 1, 0x81 },
};

static void test_mmio(struct kvm_vcpu *vcpu, int mode)
{
	uint64_t base = mode == REAL ? REAL_MMIO_GPA : LONG_MMIO_GPA;
	struct kvm_run *run = vcpu->run;
	unsigned int i;
	uint64_t v;

	if (mode == REAL)
		vcpu_setup_real(vcpu, LOAD_GUEST(vcpu->vm, rm_mmio));
	else
		vcpu_setup_long(vcpu, LOAD_GUEST(vcpu->vm, lm_mmio));
	for (i = 0; i < ARRAY_SIZE(mmio_ops); i++) {
		const struct mmio_exp *e = &mmio_ops[i];

		if (mode == REAL && e->len == 8)
			continue;
		vcpu_run(vcpu);
		vcpu_assert_exit(vcpu, KVM_EXIT_MMIO);
		TEST_ASSERT(run->mmio.phys_addr == base + e->off &&
			    run->mmio.len == e->len &&
			    run->mmio.is_write == e->write,
			    "op %u: gpa 0x%llx len %u write %u, expected gpa 0x%llx len %u write %u",
			    i, run->mmio.phys_addr, run->mmio.len,
			    run->mmio.is_write,
			    (unsigned long long)(base + e->off), e->len,
			    e->write);
		if (e->write) {
			v = 0;
			memcpy(&v, run->mmio.data, e->len);
			TEST_ASSERT_EQ(v, e->val);
		} else {
			memset(run->mmio.data, 0xee, sizeof(run->mmio.data));
			memcpy(run->mmio.data, &e->val, e->len);
		}
	}
	vcpu_expect_done(vcpu);
}

/*
 * Instructions that read MMIO twice: CMPS reads both of its operands, and
 * a read that crosses a page is two reads.  Each read is a KVM_EXIT_MMIO
 * of its own, and the instruction completes with all the data.
 */
GUEST_CODE(lm_mmio2, 64,
	"\tmov $" STR(LONG_MMIO_GPA) ", %r12d\n"
	"\tlea 0x30(%r12), %rsi\n\tlea 0x31(%r12), %rdi\n"
	"\tcld\n\tcmpsb\n\tsete %al\n\tmovzbl %al, %eax\n"
	G64_ASSERT_EQ("%rax", 1)
	"\tlea -0x31(%rsi), %rax\n"
	G64_ASSERT_EQ("%rax", LONG_MMIO_GPA)
	"\tlea -0x32(%rdi), %rax\n"
	G64_ASSERT_EQ("%rax", LONG_MMIO_GPA)
	"\tlea 0x40(%r12), %rsi\n\tlea 0x50(%r12), %rdi\n"
	"\tcmpsw\n\tsetb %al\n\tsetne %ah\n\tmovzwl %ax, %eax\n"
	G64_ASSERT_EQ("%rax", 0x101)
	"\tmov $-1, %rax\n\tmovq 0xffc(%r12), %rax\n"
	G64_ASSERT_EQ("%rax", 0x1122334455667788)
	G_DONE);

static const struct mmio_exp mmio2_reads[] = {
	{ 0x30, 1, 0, 0x42 },
	{ 0x31, 1, 0, 0x42 },
	{ 0x40, 2, 0, 0x0001 },
	{ 0x50, 2, 0, 0x0002 },
	{ 0xffc, 4, 0, 0x55667788 },
	{ 0x1000, 4, 0, 0x11223344 },
};

/*
 * Each read answered by its address; CMPS's two may come in either order
 * (the ABI does not say), but each exactly once.
 */
static void test_mmio_two_reads(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	bool done[ARRAY_SIZE(mmio2_reads)] = { false };
	unsigned int i, n;

	vcpu_setup_long(vcpu, LOAD_GUEST(vcpu->vm, lm_mmio2));
	for (n = 0; n < ARRAY_SIZE(mmio2_reads); n++) {
		vcpu_run(vcpu);
		vcpu_assert_exit(vcpu, KVM_EXIT_MMIO);
		for (i = 0; i < ARRAY_SIZE(mmio2_reads); i++)
			if (!done[i] && run->mmio.phys_addr ==
			    LONG_MMIO_GPA + mmio2_reads[i].off)
				break;
		TEST_ASSERT(i < ARRAY_SIZE(mmio2_reads) && !run->mmio.is_write &&
			    run->mmio.len == mmio2_reads[i].len,
			    "exit %u: gpa 0x%llx len %u write %u: not a read the guest still owes",
			    n, run->mmio.phys_addr, run->mmio.len,
			    run->mmio.is_write);
		done[i] = true;
		memset(run->mmio.data, 0xee, sizeof(run->mmio.data));
		memcpy(run->mmio.data, &mmio2_reads[i].val, run->mmio.len);
	}
	vcpu_expect_done(vcpu);
}

/* ------------------------------------------------------ HLT and SHUTDOWN */

#define HLT_BODY(label) "\tnop\n\thlt\n" G_LABEL(label) G_SYNC(1) G_DONE
GUEST_CODE(rm_hlt, 16, HLT_BODY(rm_hlt_after));
GUEST_CODE(lm_hlt, 64, HLT_BODY(lm_hlt_after));
extern const uint8_t rm_hlt_after[], lm_hlt_after[];

/* A memslot of one page with no memory after it, a hlt in its last byte. */
#define EDGE_SLOT	7
#define EDGE_GPA	0x100000

static void test_hlt_page_end(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	uint8_t *page = vm_add_mem(vm, EDGE_SLOT, EDGE_GPA, PAGE_SIZE, 0);
	struct kvm_regs regs;

	memset(page, 0x90, PAGE_SIZE);
	page[PAGE_SIZE - 1] = 0xf4;
	vcpu_setup_long(vcpu, EDGE_GPA + PAGE_SIZE - 1);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_HLT);
	vcpu_get_regs(vcpu, &regs);
	TEST_ASSERT_EQ(regs.rip, EDGE_GPA + PAGE_SIZE);
	TEST_ASSERT_OK(vm_set_region(vm, EDGE_SLOT, 0, EDGE_GPA, 0, NULL));
	vm_untrack_slot(vm, EDGE_SLOT);
}

#define INT3_BODY "\tint3\n" G_DONE
GUEST_CODE(rm_int3, 16, INT3_BODY);
GUEST_CODE(lm_int3, 64, INT3_BODY);

static void test_hlt(struct kvm_vcpu *vcpu, int mode)
{
	struct kvm_regs regs;
	uint64_t gpa, rip;

	if (mode == REAL) {
		gpa = LOAD_GUEST(vcpu->vm, rm_hlt);
		vcpu_setup_real(vcpu, gpa);
		rip = gpa - CODE_GPA + BLOB_OFFSET(rm_hlt, rm_hlt_after);
	} else {
		gpa = LOAD_GUEST(vcpu->vm, lm_hlt);
		vcpu_setup_long(vcpu, gpa);
		rip = gpa + BLOB_OFFSET(lm_hlt, lm_hlt_after);
	}
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_HLT);
	vcpu_get_regs(vcpu, &regs);
	TEST_ASSERT_EQ(regs.rip, rip);
	/* Running again continues after the hlt. */
	vcpu_expect_sync(vcpu, 1);
	vcpu_expect_done(vcpu);
}

static void test_shutdown(struct kvm_vm *vm, int mode)
{
	struct kvm_vcpu *vcpu = vcpu_add(vm, 1 + mode);

	/* The library's setups leave the IDT limit at 0. */
	if (mode == REAL)
		vcpu_setup_real(vcpu, LOAD_GUEST(vm, rm_int3));
	else
		vcpu_setup_long(vcpu, LOAD_GUEST(vm, lm_int3));
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_SHUTDOWN);
	vcpu_free(vcpu);
}

GUEST_CODE(lm_done, 64, G_DONE);

/* VM entry refuses long mode with a code segment that has both L and D set. */
static void test_fail_entry(struct kvm_vm *vm)
{
	struct kvm_vcpu *vcpu = vcpu_add(vm, 3);
	struct kvm_run *run = vcpu->run;
	struct kvm_sregs sr;
	struct ucall uc;
	int r;

	vcpu_setup_long(vcpu, LOAD_GUEST(vm, lm_done));
	vcpu_get_sregs(vcpu, &sr);
	sr.cs.db = 1;
	r = ioctl(vcpu->fd, KVM_SET_SREGS, &sr);
	if (r) {
		test_note("SKIP: KVM_SET_SREGS refuses CS.L=CS.D=1 (%s)",
			  strerrorname(errno));
		goto out;
	}
	r = vcpu_run_raw(vcpu);
	if (r == 0 && vcpu_get_ucall(vcpu, &uc) && uc.cmd == UCALL_DONE) {
		test_note("SKIP: this CPU enters a guest with CS.L=CS.D=1");
		goto out;
	}
	TEST_ASSERT(r == 0, "KVM_RUN returned %d", r);
	vcpu_assert_exit(vcpu, KVM_EXIT_FAIL_ENTRY);
	test_note("hardware_entry_failure_reason 0x%llx cpu %u",
		  run->fail_entry.hardware_entry_failure_reason,
		  run->fail_entry.cpu);
	/*
	 * kvm-amd reports the VMEXIT code, SVM_EXIT_ERR (-1), as 32 bits;
	 * kvm-intel the VMX exit reason: "VM-entry failure" (bit 31) with
	 * basic reason 33, invalid guest state.
	 */
	TEST_ASSERT_EQ(run->fail_entry.hardware_entry_failure_reason,
		       host_is_intel() ? 0x80000021 : 0xffffffff);
out:
	vcpu_free(vcpu);
}

/* ------------------------------------------------ signals, immediate_exit */

#define SPIN_BODY(label)						\
	G_LABEL(label)							\
	"\tcmpb $0, " STR(DATA_GPA) "\n"				\
	"\tje " #label "\n"						\
	G_SYNC(1)							\
	G_DONE
GUEST_CODE(rm_spin, 16, SPIN_BODY(rm_spin_loop));
GUEST_CODE(lm_spin, 64, SPIN_BODY(lm_spin_loop));

static volatile sig_atomic_t nr_alarms;

static void on_alarm(int sig)
{
	(void)sig;
	nr_alarms++;
}

static void test_eintr(struct kvm_vcpu *vcpu, int mode)
{
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	struct sigaction sa = { .sa_handler = on_alarm };
	volatile uint8_t *flag = gpa2hva(vcpu->vm, DATA_GPA);
	uint64_t gpa, lo, base = mode == REAL ? CODE_GPA : 0;
	struct kvm_regs regs;
	sigset_t set;

	gpa = mode == REAL ? LOAD_GUEST(vcpu->vm, rm_spin) :
			     LOAD_GUEST(vcpu->vm, lm_spin);
	lo = gpa - base;
	TEST_ASSERT_OK(sigaction(SIGALRM, &sa, NULL));

	/* A pending but blocked signal does not interrupt KVM_RUN. */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	TEST_ASSERT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
	nr_alarms = 0;
	TEST_ASSERT_OK(raise(SIGALRM));
	*flag = 1;
	mode == REAL ? vcpu_setup_real(vcpu, gpa) : vcpu_setup_long(vcpu, gpa);
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(nr_alarms, 0);
	TEST_ASSERT_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
	TEST_ASSERT_EQ(nr_alarms, 1);

	/* A signal arriving while the guest spins: EINTR, KVM_EXIT_INTR. */
	*flag = 0;
	mode == REAL ? vcpu_setup_real(vcpu, gpa) : vcpu_setup_long(vcpu, gpa);
	nr_alarms = 0;
	TEST_ASSERT_OK(setitimer(ITIMER_REAL, &it, NULL));
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EINTR);
	memset(&it, 0, sizeof(it));
	TEST_ASSERT_OK(setitimer(ITIMER_REAL, &it, NULL));
	TEST_ASSERT(nr_alarms > 0, "KVM_RUN returned EINTR without a signal");
	TEST_ASSERT_EQ(vcpu->run->exit_reason, KVM_EXIT_INTR);
	/* The guest was interrupted inside its loop (cmpb + je). */
	vcpu_get_regs(vcpu, &regs);
	TEST_ASSERT(regs.rip >= lo && regs.rip < lo + 16,
		    "rip 0x%llx outside the spin loop at 0x%llx", regs.rip,
		    (unsigned long long)lo);
	/* It resumes where it was and sees the flag. */
	*flag = 1;
	vcpu_expect_sync(vcpu, 1);
	vcpu_expect_done(vcpu);
	signal(SIGALRM, SIG_DFL);
}

#define IMM_BODY(label)							\
	G_SYNC(1)							\
	"\tmov $0x11223300, %eax\n"					\
	"\tin $" STR(IMM_PORT) ", %al\n"				\
	G_LABEL(label)							\
	G32_ASSERT_EQ("%eax", 0x11223377)				\
	G_SYNC(2)							\
	G_DONE
GUEST_CODE(rm_imm, 16, IMM_BODY(rm_imm_after_in));
GUEST_CODE(lm_imm, 64, IMM_BODY(lm_imm_after_in));
extern const uint8_t rm_imm_after_in[], lm_imm_after_in[];

static void test_immediate_exit(struct kvm_vcpu *vcpu, int mode)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;
	uint64_t entry, after;

	if (mode == REAL) {
		entry = LOAD_GUEST(vcpu->vm, rm_imm);
		vcpu_setup_real(vcpu, entry);
		after = entry + BLOB_OFFSET(rm_imm, rm_imm_after_in) - CODE_GPA;
		entry -= CODE_GPA;
	} else {
		entry = LOAD_GUEST(vcpu->vm, lm_imm);
		vcpu_setup_long(vcpu, entry);
		after = entry + BLOB_OFFSET(lm_imm, lm_imm_after_in);
	}
	/* Nothing runs: RIP stays at the entry point. */
	run->immediate_exit = 1;
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EINTR);
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EINTR);
	vcpu_get_regs(vcpu, &regs);
	TEST_ASSERT_EQ(regs.rip, entry);
	run->immediate_exit = 0;
	vcpu_expect_sync(vcpu, 1);

	/* A pending IN is completed before the immediate exit. */
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_IO);
	TEST_ASSERT_EQ(run->io.port, IMM_PORT);
	TEST_ASSERT_EQ(run->io.direction, KVM_EXIT_IO_IN);
	*(uint8_t *)io_data(vcpu) = 0x77;
	run->immediate_exit = 1;
	TEST_ASSERT_ERRNO(vcpu_run_raw(vcpu), EINTR);
	run->immediate_exit = 0;
	vcpu_get_regs(vcpu, &regs);
	TEST_ASSERT_EQ(regs.rax & 0xffffffff, 0x11223377);
	TEST_ASSERT_EQ(regs.rip, after);
	vcpu_expect_sync(vcpu, 2);
	vcpu_expect_done(vcpu);
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int mode;

	test_init("exits");
	vm = vm_create();
	vcpu = vcpu_add(vm, 0);
	for (mode = REAL; mode <= LONG; mode++) {
		test_note("--- %s ---", mode_name[mode]);
		RUN_SUBTEST(NAME("pio"), test_pio(vcpu, mode));
		RUN_SUBTEST(NAME("string_io"), test_string_io(vcpu, mode));
		RUN_SUBTEST(NAME("mmio"), test_mmio(vcpu, mode));
		RUN_SUBTEST(NAME("hlt"), test_hlt(vcpu, mode));
		RUN_SUBTEST(NAME("signal_eintr"), test_eintr(vcpu, mode));
		RUN_SUBTEST(NAME("immediate_exit"),
			    test_immediate_exit(vcpu, mode));
		RUN_SUBTEST(NAME("shutdown"), test_shutdown(vm, mode));
	}
	RUN_SUBTEST("mmio_two_reads_64", test_mmio_two_reads(vcpu));
	RUN_SUBTEST("hlt_page_end_64", test_hlt_page_end(vm, vcpu));
	RUN_SUBTEST("fail_entry_64", test_fail_entry(vm));
	vcpu_free(vcpu);
	vm_destroy(vm);
	test_done();
}
