// SPDX-License-Identifier: GPL-2.0
/*
 * fpu: x87/SSE state through KVM_GET/SET_FPU, KVM_GET/SET_XSAVE and
 * KVM_GET/SET_XCRS, and what the guest sees of it.
 *
 *   fpu_roundtrip    KVM_SET_FPU then KVM_GET_FPU: FCW, XMM registers (MXCSR
 *                    is not checked: upstream's KVM_SET_FPU ignores it and
 *                    KVM_GET_FPU reports 0)
 *   xsave_roundtrip  KVM_SET_XSAVE (MXCSR, XMM2) then KVM_GET_XSAVE and
 *                    KVM_GET_FPU agree;
 *                    reserved MXCSR bits, unknown XSTATE_BV bits and a
 *                    non-zero XCOMP_BV: EINVAL
 *   guest            the guest reads XMM0 and FCW (KVM_SET_FPU after the
 *                    KVM_SET_XSAVE), XMM2 and MXCSR (KVM_SET_XSAVE) set by
 *                    the host, the host sees
 *                    XMM1, FCW and (KVM_GET_XSAVE) MXCSR the guest loaded
 *   xcrs             XCR0 is 1 after reset, x87|SSE(|AVX) is accepted, XCR0
 *                    without x87, AVX without SSE, unknown flags and too many
 *                    XCRs: EINVAL; the guest's XGETBV sees the host's XCR0
 *   xsetbv_gp        guest XSETBV without x87 raises #GP(0)
 */
#include <sys/ioctl.h>

#include "x86.h"

#define XMM0_LO		0x1122334455667788
#define XMM0_HI		0x99aabbccddeeff00
#define XMM2_LO		0x0f1e2d3c4b5a6978
#define XMM2_HI		0x8796a5b4c3d2e1f0
#define XMM1_LO		0x0123456789abcdef
#define XMM1_HI		0xfedcba9876543210
#define HOST_MXCSR	0x7f80		/* all masked, round toward zero */
#define HOST_FCW	0x027f		/* 53-bit precision */
#define GUEST_MXCSR	0x9f80		/* flush to zero */
#define GUEST_FCW	0x037a

#define XSAVE_MXCSR	24
#define XSAVE_XMM(n)	(160 + 16 * (n))
#define XSAVE_BV	512
#define XSAVE_COMP_BV	520

static bool have_xsave;
/* KVM offers XSAVE (CPUID.1:ECX[26]), i.e. the host kernel uses it. */
static bool host_xsave;
static uint64_t xcr0_supported;

static void set_xmm(uint8_t *p, uint64_t lo, uint64_t hi)
{
	memcpy(p, &lo, 8);
	memcpy(p + 8, &hi, 8);
}

static void check_xmm(const uint8_t *p, uint64_t lo, uint64_t hi)
{
	uint64_t l, h;

	memcpy(&l, p, 8);
	memcpy(&h, p + 8, 8);
	TEST_ASSERT_EQ(l, lo);
	TEST_ASSERT_EQ(h, hi);
}

static void test_fpu_roundtrip(struct kvm_vcpu *vcpu)
{
	struct kvm_fpu fpu, got;

	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_FPU, &fpu));
	/*
	 * FCW reads as its reset value; MXCSR is not checked: upstream
	 * reports 0 here before anything set it, not 0x1f80.
	 */
	TEST_ASSERT_EQ(fpu.fcw, 0x37f);
	fpu.fcw = HOST_FCW;
	set_xmm(fpu.xmm[0], XMM0_LO, XMM0_HI);
	set_xmm(fpu.xmm[15], ~XMM0_LO, ~XMM0_HI);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_FPU, &fpu));
	memset(&got, 0, sizeof(got));
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_FPU, &got));
	TEST_ASSERT_EQ(got.fcw, HOST_FCW);
	check_xmm(got.xmm[0], XMM0_LO, XMM0_HI);
	check_xmm(got.xmm[15], ~XMM0_LO, ~XMM0_HI);
}

static void test_xsave_roundtrip(struct kvm_vcpu *vcpu)
{
	struct kvm_xsave xs, got, bad;
	uint8_t *r = (uint8_t *)xs.region, *g = (uint8_t *)got.region;
	uint64_t bv;
	uint32_t mxcsr;
	struct kvm_fpu fpu;

	if (!have_xsave) {
		test_note("no KVM_CAP_XSAVE");
		return;
	}
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_XSAVE, &xs));
	/*
	 * Not checked: that XMM0 from KVM_SET_FPU shows up here.  Upstream's
	 * KVM_SET_FPU writes the legacy area without setting XSTATE_BV, so a
	 * fresh vCPU still reports (and would load) the init state.
	 */
	mxcsr = HOST_MXCSR;
	memcpy(r + XSAVE_MXCSR, &mxcsr, 4);
	set_xmm(r + XSAVE_XMM(2), XMM2_LO, XMM2_HI);
	memcpy(&bv, r + XSAVE_BV, 8);
	bv |= 3;
	memcpy(r + XSAVE_BV, &bv, 8);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_XSAVE, &xs));
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_XSAVE, &got));
	TEST_ASSERT(!memcmp(r, g, 2), "FCW");
	TEST_ASSERT(!memcmp(r + XSAVE_MXCSR, g + XSAVE_MXCSR, 4), "MXCSR");
	TEST_ASSERT(!memcmp(r + XSAVE_XMM(0), g + XSAVE_XMM(0), 16 * 16),
		    "XMM registers differ after KVM_SET_XSAVE");
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_FPU, &fpu));
	check_xmm(fpu.xmm[2], XMM2_LO, XMM2_HI);

	/* Invalid images are refused. */
	bad = xs;
	mxcsr = 0xffff1f80;
	memcpy((uint8_t *)bad.region + XSAVE_MXCSR, &mxcsr, 4);
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_XSAVE, &bad), EINVAL);
	/*
	 * The XSAVE header is checked only when the host kernel uses XSAVE;
	 * without it (e.g. under Bochs, whose XSAVE sizes make Linux turn
	 * XSAVE off) upstream keeps the legacy area and ignores the header.
	 */
	if (host_xsave) {
		bad = xs;
		bv |= 1ULL << 62;
		memcpy((uint8_t *)bad.region + XSAVE_BV, &bv, 8);
		TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_XSAVE, &bad), EINVAL);
		bad = xs;
		bv = 1ULL << 63 | 3;
		memcpy((uint8_t *)bad.region + XSAVE_COMP_BV, &bv, 8);
		TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_XSAVE, &bad), EINVAL);
	} else {
		test_note("no XSAVE in the host: XSAVE header checks not run");
	}
	/* Nothing of it stuck. */
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_XSAVE, &got));
	memcpy(&mxcsr, g + XSAVE_MXCSR, 4);
	TEST_ASSERT_EQ(mxcsr, HOST_MXCSR);
	memcpy(&bv, g + XSAVE_COMP_BV, 8);
	TEST_ASSERT_EQ(bv, 0);
	check_xmm(g + XSAVE_XMM(2), XMM2_LO, XMM2_HI);
}

GUEST_CODE(guest_fpu, 64,
	/* XMM0 from KVM_SET_FPU, XMM2 from KVM_SET_XSAVE (if any). */
	"\tmovdqu %xmm0, " STR(DATA_GPA) "\n"
	"\tmovdqu %xmm2, " STR(DATA_GPA + 0x10) "\n"
	"\tmovq %xmm0, %rdi\n"
	G64_ASSERT_EQ("%rdi", XMM0_LO)
	"\tstmxcsr " STR(DATA_GPA + 0x20) "\n"
	"\tfnstcw " STR(DATA_GPA + 0x24) "\n"
	/* XMM1 = XMM1_HI:XMM1_LO, new MXCSR and FCW. */
	"\tmovabs $" STR(XMM1_LO) ", %rax\n\tmovq %rax, %xmm1\n"
	"\tmovabs $" STR(XMM1_HI) ", %rax\n\tmovq %rax, %xmm3\n"
	"\tpunpcklqdq %xmm3, %xmm1\n"
	"\tmovl $" STR(GUEST_MXCSR) ", " STR(DATA_GPA + 0x30) "\n"
	"\tldmxcsr " STR(DATA_GPA + 0x30) "\n"
	"\tmovw $" STR(GUEST_FCW) ", " STR(DATA_GPA + 0x34) "\n"
	"\tfldcw " STR(DATA_GPA + 0x34) "\n"
	G_SYNC(1)
	G_DONE);

static void test_guest(struct kvm_vcpu *vcpu)
{
	uint8_t *data = gpa2hva(vcpu->vm, DATA_GPA);
	struct kvm_sregs sr;
	struct kvm_fpu fpu;
	struct kvm_xsave xs;
	uint32_t mxcsr;
	uint16_t fcw;

	/*
	 * XMM0 and FCW through KVM_SET_FPU now that XSTATE_BV covers x87 and
	 * SSE (see above).  MXCSR is passed as set by KVM_SET_XSAVE, for
	 * kernels where KVM_SET_FPU does not ignore it.
	 */
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_FPU, &fpu));
	fpu.fcw = HOST_FCW;
	fpu.mxcsr = have_xsave ? HOST_MXCSR : 0x1f80;
	set_xmm(fpu.xmm[0], XMM0_LO, XMM0_HI);
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_FPU, &fpu));

	vcpu_setup_long(vcpu, LOAD_GUEST(vcpu->vm, guest_fpu));
	vcpu_get_sregs(vcpu, &sr);
	sr.cr4 |= X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	vcpu_set_sregs(vcpu, &sr);
	memset(data, 0, 0x40);
	vcpu_expect_sync(vcpu, 1);

	check_xmm(data, XMM0_LO, XMM0_HI);
	memcpy(&mxcsr, data + 0x20, 4);
	memcpy(&fcw, data + 0x24, 2);
	if (have_xsave) {
		check_xmm(data + 0x10, XMM2_LO, XMM2_HI);
		TEST_ASSERT_EQ(mxcsr, HOST_MXCSR);
	}
	TEST_ASSERT_EQ(fcw, HOST_FCW);

	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_FPU, &fpu));
	check_xmm(fpu.xmm[1], XMM1_LO, XMM1_HI);
	check_xmm(fpu.xmm[0], XMM0_LO, XMM0_HI);
	TEST_ASSERT_EQ(fpu.fcw, GUEST_FCW);
	if (have_xsave) {
		TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_XSAVE, &xs));
		check_xmm((uint8_t *)xs.region + XSAVE_XMM(1), XMM1_LO,
			  XMM1_HI);
		memcpy(&mxcsr, (uint8_t *)xs.region + XSAVE_MXCSR, 4);
		TEST_ASSERT_EQ(mxcsr, GUEST_MXCSR);
	}
	vcpu_expect_done(vcpu);
}

static void set_xcr0(struct kvm_vcpu *vcpu, uint64_t v, int expect_errno)
{
	struct kvm_xcrs x;

	memset(&x, 0, sizeof(x));
	x.nr_xcrs = 1;
	x.xcrs[0].xcr = 0;
	x.xcrs[0].value = v;
	if (expect_errno)
		TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_XCRS, &x),
				  expect_errno);
	else
		TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_XCRS, &x));
}

static uint64_t get_xcr0(struct kvm_vcpu *vcpu)
{
	struct kvm_xcrs x;

	memset(&x, 0xff, sizeof(x));
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_GET_XCRS, &x));
	TEST_ASSERT_EQ(x.nr_xcrs, 1);
	TEST_ASSERT_EQ(x.flags, 0);
	TEST_ASSERT_EQ(x.xcrs[0].xcr, 0);
	return x.xcrs[0].value;
}

GUEST_CODE(guest_xcr, 64,
	"\txor %ecx, %ecx\n\txgetbv\n\tmov %eax, %edi\n"
	G32_ASSERT_EQ("%edi", 3)
	G_SYNC(1)
	G_DONE);

GUEST_CODE(guest_xsetbv_gp, 64,
	"\txor %ecx, %ecx\n\tmov $2, %eax\n\txor %edx, %edx\n"
	G_LABEL(xsetbv_gp_insn)
	"\txsetbv\n"
	G_DONE);
extern const uint8_t xsetbv_gp_insn[];

static void setup_osxsave(struct kvm_vcpu *vcpu, uint64_t gpa)
{
	struct kvm_sregs sr;

	vcpu_setup_long(vcpu, gpa);
	vcpu_get_sregs(vcpu, &sr);
	sr.cr4 |= X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | X86_CR4_OSXSAVE;
	vcpu_set_sregs(vcpu, &sr);
}

static void test_xcrs(struct kvm_vcpu *vcpu)
{
	uint64_t full = (xcr0_supported & 7) == 7 ? 7 : 3;
	struct kvm_xcrs x;

	TEST_ASSERT_EQ(get_xcr0(vcpu), 1);
	set_xcr0(vcpu, 3, 0);
	TEST_ASSERT_EQ(get_xcr0(vcpu), 3);
	if (full == 7) {
		set_xcr0(vcpu, 7, 0);
		TEST_ASSERT_EQ(get_xcr0(vcpu), 7);
		set_xcr0(vcpu, 1 | 4, EINVAL);
	} else {
		test_note("no AVX in XCR0 0x%llx",
			  (unsigned long long)xcr0_supported);
	}
	set_xcr0(vcpu, 2, EINVAL);
	set_xcr0(vcpu, 0, EINVAL);
	set_xcr0(vcpu, 1ULL << 62 | 3, EINVAL);
	TEST_ASSERT_EQ(get_xcr0(vcpu), full);

	memset(&x, 0, sizeof(x));
	x.nr_xcrs = 1;
	x.xcrs[0].value = 1;
	x.flags = 1;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_XCRS, &x), EINVAL);
	x.flags = 0;
	x.nr_xcrs = KVM_MAX_XCRS + 1;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_XCRS, &x), EINVAL);
	TEST_ASSERT_EQ(get_xcr0(vcpu), full);

	/*
	 * The guest sees XCR0.  A valid guest XSETBV is not checked: the
	 * bench's QEMU/TCG SVM does not intercept XSETBV, so KVM never sees
	 * it there.
	 */
	set_xcr0(vcpu, 3, 0);
	setup_osxsave(vcpu, LOAD_GUEST(vcpu->vm, guest_xcr));
	vcpu_expect_sync(vcpu, 1);
	TEST_ASSERT_EQ(get_xcr0(vcpu), 3);
	vcpu_expect_done(vcpu);
}

static void test_xsetbv_gp(struct kvm_vcpu *vcpu)
{
	uint64_t gpa = LOAD_GUEST(vcpu->vm, guest_xsetbv_gp);
	struct ucall uc;

	vm_setup_idt(vcpu->vm);
	setup_osxsave(vcpu, gpa);
	vcpu_use_idt(vcpu);
	vcpu_expect_vector(vcpu, 13, &uc);
	TEST_ASSERT_EQ(uc.arg1, 0);
	TEST_ASSERT_EQ(uc.line,
		       gpa + BLOB_OFFSET(guest_xsetbv_gp, xsetbv_gp_insn));
	TEST_ASSERT_EQ(get_xcr0(vcpu), 3);
}

int main(void)
{
	struct kvm_cpuid2 *c;
	struct kvm_cpuid_entry2 *e;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	test_init("fpu");
	vm = vm_create();
	vcpu = vcpu_add(vm, 0);
	c = kvm_get_supported_cpuid(vm->kvm_fd);
	vcpu_set_cpuid(vcpu, c);
	have_xsave = kvm_check_cap(vm->kvm_fd, KVM_CAP_XSAVE) > 0;
	e = cpuid_find(c, 0xd, 0);
	if (e)
		xcr0_supported = e->eax | (uint64_t)e->edx << 32;
	e = cpuid_find(c, 1, 0);
	host_xsave = e && (e->ecx & (1u << 26));
	free(c);

	RUN_SUBTEST("fpu_roundtrip", test_fpu_roundtrip(vcpu));
	RUN_SUBTEST("xsave_roundtrip", test_xsave_roundtrip(vcpu));
	RUN_SUBTEST("guest", test_guest(vcpu));
	if (have_xsave && (xcr0_supported & 3) == 3 &&
	    kvm_check_cap(vm->kvm_fd, KVM_CAP_XCRS) > 0) {
		RUN_SUBTEST("xcrs", test_xcrs(vcpu));
		RUN_SUBTEST("xsetbv_gp", test_xsetbv_gp(vcpu));
	} else {
		test_note("no XSAVE/XCRS: xcrs and xsetbv_gp not run");
	}
	vcpu_free(vcpu);
	vm_destroy(vm);
	test_done();
}
