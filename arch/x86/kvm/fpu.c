// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest FPU state through the kernel's guest-fpstate API: KVM_GET/SET_FPU,
 * KVM_GET/SET_XSAVE and KVM_GET/SET_XCRS.  The state lives in the vCPU's
 * struct fpu_guest; it is in the registers only inside KVM_RUN, so these
 * ioctls always see it in memory.
 */
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>

#include "kvm_core.h"

/* Offsets in the legacy (FXSAVE) part of an XSAVE image. */
#define FX_FCW		0
#define FX_FSW		2
#define FX_FTW		4
#define FX_FOP		6
#define FX_FIP		8
#define FX_FDP		16
#define FX_MXCSR	24
#define FX_ST		32
#define FX_XMM		160
#define XSAVE_HDR_BV	512	/* XSTATE_BV in the XSAVE header */

static struct kvm_xsave *okvm_get_xsave_image(struct okvm_vcpu *vcpu)
{
	struct kvm_xsave *x = kzalloc(sizeof(*x), GFP_KERNEL_ACCOUNT);

	if (x)
		fpu_copy_guest_fpstate_to_uabi(&vcpu->arch.guest_fpu, x->region,
					       sizeof(x->region),
					       okvm_supported_xcr0(),
					       vcpu->arch.pkru);
	return x;
}

static int okvm_put_xsave_image(struct okvm_vcpu *vcpu,
				const struct kvm_xsave *x)
{
	return fpu_copy_uabi_to_guest_fpstate(&vcpu->arch.guest_fpu, x->region,
					      okvm_supported_xcr0(),
					      &vcpu->arch.pkru);
}

/* KVM_GET_XSAVE */
long okvm_ioctl_get_xsave(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_xsave *x = okvm_get_xsave_image(vcpu);
	long r;

	if (!x)
		return -ENOMEM;
	r = copy_to_user(argp, x, sizeof(*x)) ? -EFAULT : 0;
	kfree(x);
	return r;
}

/* KVM_SET_XSAVE */
long okvm_ioctl_set_xsave(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_xsave *x = memdup_user(argp, sizeof(*x));
	long r;

	if (IS_ERR(x))
		return PTR_ERR(x);
	r = okvm_put_xsave_image(vcpu, x);
	kfree(x);
	return r;
}

/* KVM_GET_FPU: the x87/SSE view of the same state. */
__cold long okvm_ioctl_get_fpu(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_xsave *x = okvm_get_xsave_image(vcpu);
	struct kvm_fpu f;
	u8 *fx;

	if (!x)
		return -ENOMEM;
	fx = (u8 *)x->region;
	memset(&f, 0, sizeof(f));
	memcpy(&f.fcw, fx + FX_FCW, 2);
	memcpy(&f.fsw, fx + FX_FSW, 2);
	f.ftwx = fx[FX_FTW];
	memcpy(&f.last_opcode, fx + FX_FOP, 2);
	memcpy(&f.last_ip, fx + FX_FIP, 8);
	memcpy(&f.last_dp, fx + FX_FDP, 8);
	memcpy(&f.mxcsr, fx + FX_MXCSR, 4);
	memcpy(f.fpr, fx + FX_ST, sizeof(f.fpr));
	memcpy(f.xmm, fx + FX_XMM, sizeof(f.xmm));
	kfree(x);
	return copy_to_user(argp, &f, sizeof(f)) ? -EFAULT : 0;
}

/* KVM_SET_FPU */
__cold long okvm_ioctl_set_fpu(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_xsave *x;
	struct kvm_fpu f;
	u8 *fx;
	long r;

	if (copy_from_user(&f, argp, sizeof(f)))
		return -EFAULT;
	x = okvm_get_xsave_image(vcpu);
	if (!x)
		return -ENOMEM;
	fx = (u8 *)x->region;
	memcpy(fx + FX_FCW, &f.fcw, 2);
	memcpy(fx + FX_FSW, &f.fsw, 2);
	fx[FX_FTW] = f.ftwx;
	memcpy(fx + FX_FOP, &f.last_opcode, 2);
	memcpy(fx + FX_FIP, &f.last_ip, 8);
	memcpy(fx + FX_FDP, &f.last_dp, 8);
	memcpy(fx + FX_MXCSR, &f.mxcsr, 4);
	memcpy(fx + FX_ST, f.fpr, sizeof(f.fpr));
	memcpy(fx + FX_XMM, f.xmm, sizeof(f.xmm));
	/* The legacy area counts only with its XSTATE_BV bits set. */
	*(u64 *)(fx + XSAVE_HDR_BV) |= XFEATURE_MASK_FP | XFEATURE_MASK_SSE;
	r = okvm_put_xsave_image(vcpu, x);
	kfree(x);
	return r;
}

/* KVM_GET_XCRS */
long okvm_ioctl_get_xcrs(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_xcrs x;

	memset(&x, 0, sizeof(x));
	x.nr_xcrs = 1;
	x.xcrs[0].xcr = XCR_XFEATURE_ENABLED_MASK;
	x.xcrs[0].value = vcpu->arch.xcr0;
	return copy_to_user(argp, &x, sizeof(x)) ? -EFAULT : 0;
}

/* KVM_SET_XCRS: XCR0 only, with the rules of XSETBV. */
long okvm_ioctl_set_xcrs(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_xcrs x;
	u32 i;

	if (copy_from_user(&x, argp, sizeof(x)))
		return -EFAULT;
	if (x.flags || x.nr_xcrs > KVM_MAX_XCRS)
		return -EINVAL;
	for (i = 0; i < x.nr_xcrs; i++) {
		u64 v = x.xcrs[i].value;

		if (x.xcrs[i].xcr != XCR_XFEATURE_ENABLED_MASK)
			return -EINVAL;
		if (!okvm_xcr0_valid(v))
			return -EINVAL;
		vcpu->arch.xcr0 = v;
	}
	return 0;
}
