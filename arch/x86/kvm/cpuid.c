// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUID: what the host CPU and okvm can give a guest
 * (KVM_GET_SUPPORTED_CPUID), the per-vCPU table (KVM_SET_CPUID2,
 * KVM_GET_CPUID2, KVM_SET_CPUID), the CPUID exit, and XSETBV.
 *
 * The supported table starts from the host's leaves and keeps only the
 * feature bits okvm virtualises; bits that depend on guest state (OSXSAVE,
 * OSPKE, the XSAVE area size) are filled in when the guest executes CPUID.
 */
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/processor.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <uapi/asm/kvm_para.h>
#include <asm/trapnr.h>

#include "kvm_core.h"
#include "vendor.h"
#include "irqchip.h"
#include "trace_x86.h"

#define OKVM_MAX_CPUID_ENTRIES	256

/* Feature bits passed through when the host has them, per register. */
#define B(n)	(1u << (n))
static const u32 okvm_1_ecx = B(0) | B(1) | B(9) | B(12) | B(13) | B(19) |
	B(20) | B(22) | B(23) | B(25) | B(26) | B(28) | B(29) | B(30);
static const u32 okvm_1_edx = B(0) | B(1) | B(2) | B(3) | B(4) | B(5) |
	B(6) | B(7) | B(8) | B(9) | B(11) | B(12) | B(13) | B(14) | B(15) |
	B(16) | B(17) | B(19) | B(23) | B(24) | B(25) | B(26);
static const u32 okvm_7_ebx = B(0) | B(3) | B(5) | B(7) | B(8) | B(9) |
	B(18) | B(19) | B(20) | B(23) | B(24) | B(29);
static const u32 okvm_7_ecx = B(2) | B(5) | B(8) | B(9) | B(10) | B(22);
static const u32 okvm_7_edx = B(4);
static const u32 okvm_81_ecx = B(0) | B(5) | B(6) | B(7) | B(8) | B(11) |
	B(16) | B(21);
static const u32 okvm_81_edx = B(11) | B(20) | B(22) | B(25) | B(26) |
	B(27) | B(29);
#undef B

/*
 * Paravirtual features (CPUID 0x40000001 EAX) okvm implements.  NOP_IO_DELAY
 * only tells the guest that port 0x80 delays after legacy I/O are useless
 * here (each would be an exit to the VMM); there is nothing to implement.
 */
static u32 okvm_pv_features(void)
{
	return okvm_kvmclock_pv_features() | okvm_steal_time_pv_features() |
	       BIT(KVM_FEATURE_NOP_IO_DELAY) | BIT(KVM_FEATURE_PV_EOI);
}

struct okvm_cpuid_list {
	struct kvm_cpuid_entry2 *e;
	int n, max;
};

u64 okvm_supported_xcr0(void)
{
	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return 0;
	return xgetbv(XCR_XFEATURE_ENABLED_MASK) & XFEATURE_MASK_USER_SUPPORTED &
	       ~XFEATURE_MASK_USER_DYNAMIC;
}

static struct kvm_cpuid_entry2 *okvm_cpuid_add(struct okvm_cpuid_list *l,
					       u32 fn, u32 idx, bool indexed)
{
	struct kvm_cpuid_entry2 *e;

	if (l->n >= l->max)
		return NULL;
	e = &l->e[l->n++];
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	if (indexed)
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	cpuid_count(fn, idx, &e->eax, &e->ebx, &e->ecx, &e->edx);
	return e;
}

static int okvm_cpuid_leaf7(struct okvm_cpuid_list *l)
{
	struct kvm_cpuid_entry2 *e = okvm_cpuid_add(l, 7, 0, true);

	if (!e)
		return -E2BIG;
	e->eax = 0;		/* no further subleaves */
	e->ebx &= okvm_7_ebx;
	e->ebx |= BIT(X86_FEATURE_TSC_ADJUST & 31);	/* emulated (msr.c) */
	e->ecx &= okvm_7_ecx;
	e->edx &= okvm_7_edx;
	return 0;
}

static int okvm_cpuid_leaf_d(struct okvm_cpuid_list *l)
{
	u64 xcr0 = okvm_supported_xcr0();
	struct kvm_cpuid_entry2 *e;
	int i;

	e = okvm_cpuid_add(l, 0xd, 0, true);
	if (!e)
		return -E2BIG;
	e->eax = (u32)xcr0;
	e->edx = xcr0 >> 32;
	e = okvm_cpuid_add(l, 0xd, 1, true);
	if (!e)
		return -E2BIG;
	e->eax &= 0x7;		/* XSAVEOPT, XSAVEC, XGETBV1; no XSAVES */
	e->ebx = e->ecx = e->edx = 0;
	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		e = okvm_cpuid_add(l, 0xd, i, true);
		if (!e)
			return -E2BIG;
		e->ecx &= 0x2;	/* keep "aligned"; nothing is supervisor */
		e->edx = 0;
	}
	return 0;
}

/* The paravirtual leaves: signature and the PV features implemented. */
static int okvm_cpuid_pv(struct okvm_cpuid_list *l)
{
	struct kvm_cpuid_entry2 *e;

	if (l->n + 2 > l->max)
		return -E2BIG;
	e = &l->e[l->n++];
	memset(e, 0, sizeof(*e));
	e->function = KVM_CPUID_SIGNATURE;
	e->eax = KVM_CPUID_FEATURES;
	memcpy(&e->ebx, "KVMK", 4);
	memcpy(&e->ecx, "VMKV", 4);
	memcpy(&e->edx, "M\0\0\0", 4);
	e = &l->e[l->n++];
	memset(e, 0, sizeof(*e));
	e->function = KVM_CPUID_FEATURES;
	e->eax = okvm_pv_features();
	return 0;
}

static int okvm_cpuid_basic(struct okvm_cpuid_list *l)
{
	struct kvm_cpuid_entry2 *e;
	u32 max, fn;
	int r;

	e = okvm_cpuid_add(l, 0, 0, false);
	if (!e)
		return -E2BIG;
	max = min_t(u32, e->eax, 0xd);
	e->eax = max;
	for (fn = 1; fn <= max; fn++) {
		if (fn == 7) {
			r = okvm_cpuid_leaf7(l);
		} else if (fn == 0xd) {
			r = okvm_cpuid_leaf_d(l);
		} else if (fn == 1) {
			e = okvm_cpuid_add(l, 1, 0, false);
			r = e ? 0 : -E2BIG;
			if (e) {
				/* Not what the kernel turned off (e.g. XSAVE
				 * on a CPU whose XSAVE it found broken). */
				e->ecx &= okvm_1_ecx &	/* the VMM sets bit 31 */
					  boot_cpu_data.x86_capability[CPUID_1_ECX];
				e->edx &= okvm_1_edx &
					  boot_cpu_data.x86_capability[CPUID_1_EDX];
				e->ebx &= 0x0000ffff;	/* no APIC id/count */
				/* The in-kernel LAPIC does x2APIC on any
				 * CPU (TSC-deadline is KVM_CAP_TSC_DEADLINE_
				 * TIMER's, as with KVM). */
				e->ecx |= BIT(21);
			}
		} else if (fn == 5 || fn == 9 || fn == 0xa || fn == 0xc) {
			/* MONITOR, DCA, PMU: none of them virtualised. */
			e = okvm_cpuid_add(l, fn, 0, false);
			r = e ? 0 : -E2BIG;
			if (e)
				e->eax = e->ebx = e->ecx = e->edx = 0;
		} else if (fn == 6) {
			e = okvm_cpuid_add(l, fn, 0, false);
			r = e ? 0 : -E2BIG;
			if (e) {
				e->eax &= BIT(2);	/* ARAT only */
				e->ebx = e->ecx = e->edx = 0;
			}
		} else {
			/* Cache and topology leaves: contents as is. */
			r = okvm_cpuid_add(l, fn, 0, fn == 4 || fn == 0xb) ?
			    0 : -E2BIG;
		}
		if (r)
			return r;
	}
	return 0;
}

static int okvm_cpuid_extended(struct okvm_cpuid_list *l)
{
	struct kvm_cpuid_entry2 *e;
	u32 max, fn;

	e = okvm_cpuid_add(l, 0x80000000, 0, false);
	if (!e)
		return -E2BIG;
	max = min_t(u32, e->eax, 0x80000008);
	e->eax = max;
	for (fn = 0x80000001; fn <= max; fn++) {
		e = okvm_cpuid_add(l, fn, 0, false);
		if (!e)
			return -E2BIG;
		if (fn == 0x80000001) {
			e->ecx &= okvm_81_ecx;
			e->edx &= okvm_81_edx | (okvm_1_edx & 0x0183f3ff);
		} else if (fn == 0x80000007) {
			e->eax = e->ebx = e->ecx = 0;
			e->edx &= BIT(8);	/* invariant TSC */
		} else if (fn == 0x80000008) {
			e->eax &= 0xffff;	/* address sizes */
			e->ebx = e->ecx = e->edx = 0;
		}
	}
	return 0;
}

static int okvm_build_supported_cpuid(struct okvm_cpuid_list *l)
{
	int r;

	r = okvm_cpuid_basic(l);
	if (!r)
		r = okvm_cpuid_pv(l);
	if (!r)
		r = okvm_cpuid_extended(l);
	return r;
}

/* KVM_GET_SUPPORTED_CPUID on /dev/kvm. */
long okvm_dev_get_supported_cpuid(void __user *argp)
{
	struct kvm_cpuid2 __user *uc = argp;
	struct okvm_cpuid_list l = { 0 };
	struct kvm_cpuid2 hdr;
	long r;

	if (copy_from_user(&hdr, uc, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent < 1)
		return -E2BIG;
	l.max = min_t(u32, hdr.nent, OKVM_MAX_CPUID_ENTRIES);
	l.e = kvcalloc(l.max, sizeof(*l.e), GFP_KERNEL_ACCOUNT);
	if (!l.e)
		return -ENOMEM;
	r = okvm_build_supported_cpuid(&l);
	if (!r) {
		hdr.nent = l.n;
		if (copy_to_user(uc->entries, l.e, l.n * sizeof(*l.e)) ||
		    copy_to_user(uc, &hdr, sizeof(hdr)))
			r = -EFAULT;
	}
	kvfree(l.e);
	return r;
}

/* The vCPU's table entry for leaf @fn, subleaf @idx where it matters. */
const struct kvm_cpuid_entry2 *okvm_find_cpuid(struct okvm_vcpu *vcpu,
					       u32 fn, u32 idx)
{
	int i;

	for (i = 0; i < vcpu->arch.ncpuid; i++) {
		const struct kvm_cpuid_entry2 *e = &vcpu->arch.cpuid[i];

		if (e->function != fn)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) &&
		    e->index != idx)
			continue;
		return e;
	}
	return NULL;
}

static void okvm_cpuid_dynamic(struct okvm_vcpu *vcpu, u32 fn, u32 idx,
			       u32 *ebx, u32 *ecx);

/* The guest's CPUID.1:ECX has x2APIC. */
bool okvm_guest_has_x2apic(struct okvm_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e = okvm_find_cpuid(vcpu, 1, 0);

	return e && (e->ecx & BIT(X86_FEATURE_X2APIC & 31));
}

/* The guest's CPUID.7.0:EBX has IA32_TSC_ADJUST. */
bool okvm_guest_has_tsc_adjust(struct okvm_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e = okvm_find_cpuid(vcpu, 7, 0);

	return e && (e->ebx & BIT(X86_FEATURE_TSC_ADJUST & 31));
}

static struct kvm_cpuid_entry2 *okvm_cpuid_dup(const struct kvm_cpuid_entry2 *e,
					       int n)
{
	struct kvm_cpuid_entry2 *copy;

	copy = kvmalloc_array(n, sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (copy)
		memcpy(copy, e, n * sizeof(*e));
	return copy;
}

/* The table as the guest sees it now (OSXSAVE, OSPKE, XSAVE size). */
static void okvm_cpuid_runtime(struct okvm_vcpu *vcpu,
			       struct kvm_cpuid_entry2 *e, int n)
{
	int i;

	for (i = 0; i < n; i++)
		okvm_cpuid_dynamic(vcpu, e[i].function, e[i].index, &e[i].ebx,
				   &e[i].ecx);
}

/* Is e (n entries) the vCPU's table, as the guest sees both? */
static bool okvm_cpuid_same(struct okvm_vcpu *vcpu,
			    struct kvm_cpuid_entry2 *e, int n)
{
	struct kvm_cpuid_entry2 *cur;
	bool same;

	if (n != vcpu->arch.ncpuid)
		return false;
	if (!n)
		return true;
	cur = okvm_cpuid_dup(vcpu->arch.cpuid, n);
	if (!cur)
		return false;
	okvm_cpuid_runtime(vcpu, cur, n);
	okvm_cpuid_runtime(vcpu, e, n);
	same = !memcmp(e, cur, n * sizeof(*e));
	kvfree(cur);
	return same;
}

/* Install a new table; after the first KVM_RUN only an identical one. */
static long okvm_set_cpuid_entries(struct okvm_vcpu *vcpu,
				   struct kvm_cpuid_entry2 *e, int n)
{
	if (vcpu->arch.has_run) {
		bool same = okvm_cpuid_same(vcpu, e, n);

		kvfree(e);
		return same ? 0 : -EINVAL;
	}
	kvfree(vcpu->arch.cpuid);
	vcpu->arch.cpuid = e;
	vcpu->arch.ncpuid = n;
	okvm_lapic_update_version(vcpu);
	okvm_pv_cpuid_update(vcpu);
	return 0;
}

/* KVM_SET_CPUID2 */
long okvm_ioctl_set_cpuid2(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_cpuid2 __user *uc = argp;
	struct kvm_cpuid_entry2 *e = NULL;
	struct kvm_cpuid2 hdr;

	if (copy_from_user(&hdr, uc, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent > OKVM_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (hdr.nent) {
		e = vmemdup_user(uc->entries, hdr.nent * sizeof(*e));
		if (IS_ERR(e))
			return PTR_ERR(e);
	}
	return okvm_set_cpuid_entries(vcpu, e, hdr.nent);
}

/* KVM_SET_CPUID: the original format, without indexes. */
long okvm_ioctl_set_cpuid(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_cpuid __user *uc = argp;
	struct kvm_cpuid_entry2 *e = NULL;
	struct kvm_cpuid_entry old;
	struct kvm_cpuid hdr;
	u32 i;

	if (copy_from_user(&hdr, uc, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent > OKVM_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (hdr.nent) {
		e = kvcalloc(hdr.nent, sizeof(*e), GFP_KERNEL_ACCOUNT);
		if (!e)
			return -ENOMEM;
	}
	for (i = 0; i < hdr.nent; i++) {
		if (copy_from_user(&old, &uc->entries[i], sizeof(old))) {
			kvfree(e);
			return -EFAULT;
		}
		e[i].function = old.function;
		e[i].eax = old.eax;
		e[i].ebx = old.ebx;
		e[i].ecx = old.ecx;
		e[i].edx = old.edx;
	}
	return okvm_set_cpuid_entries(vcpu, e, hdr.nent);
}

/* KVM_GET_CPUID2: the table with the bits that follow guest state. */
long okvm_ioctl_get_cpuid2(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_cpuid2 __user *uc = argp;
	size_t size = vcpu->arch.ncpuid * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid_entry2 *e = NULL;
	struct kvm_cpuid2 hdr;
	long r = 0;

	if (copy_from_user(&hdr, uc, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent < vcpu->arch.ncpuid)
		return -E2BIG;
	hdr.nent = vcpu->arch.ncpuid;
	if (size) {
		e = okvm_cpuid_dup(vcpu->arch.cpuid, hdr.nent);
		if (!e)
			return -ENOMEM;
		okvm_cpuid_runtime(vcpu, e, hdr.nent);
	}
	if ((size && copy_to_user(uc->entries, e, size)) ||
	    copy_to_user(uc, &hdr, sizeof(hdr)))
		r = -EFAULT;
	kvfree(e);
	return r;
}

/* Bits that follow guest state rather than the table. */
static void okvm_cpuid_dynamic(struct okvm_vcpu *vcpu, u32 fn, u32 idx,
			       u32 *ebx, u32 *ecx)
{
	u64 cr4 = okvm_vendor->get_cr(vcpu, 4);

	if (fn == 1) {
		*ecx &= ~BIT(27);
		if (cr4 & X86_CR4_OSXSAVE)
			*ecx |= BIT(27);
		okvm_cpuid_mwait(vcpu, ecx);
	} else if (fn == 7 && idx == 0) {
		*ecx &= ~BIT(4);
		if (cr4 & X86_CR4_PKE)
			*ecx |= BIT(4);
	} else if (fn == 0xd && idx == 0) {
		*ebx = okvm_xsave_size(vcpu->arch.xcr0);
	}
}

int okvm_emulate_cpuid(struct okvm_vcpu *vcpu)
{
	u64 *regs = vcpu->arch.regs;
	u32 fn = regs[OKVM_RAX], idx = regs[OKVM_RCX];
	const struct kvm_cpuid_entry2 *e = okvm_find_cpuid(vcpu, fn, idx);
	u32 a = 0, b = 0, c = 0, d = 0;

	if (okvm_cpuid_faults(vcpu)) {
		okvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	}
	if (e) {
		a = e->eax;
		b = e->ebx;
		c = e->ecx;
		d = e->edx;
		okvm_cpuid_dynamic(vcpu, fn, idx, &b, &c);
	}
	regs[OKVM_RAX] = a;
	regs[OKVM_RBX] = b;
	regs[OKVM_RCX] = c;
	regs[OKVM_RDX] = d;
	trace_kvm_cpuid(fn, idx, a, b, c, d);
	return okvm_skip_instruction(vcpu, vcpu->arch.exit.next_rip);
}

/* Size of the standard-format XSAVE area for the features in xcr0. */
u32 okvm_xsave_size(u64 xcr0)
{
	u32 size = 576, a, b, c, d;
	int i;

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &a, &b, &c, &d);
		size = max(size, a + b);
	}
	return size;
}

/* An XCR0 value the guest may have: x87 on, AVX only with SSE. */
bool okvm_xcr0_valid(u64 val)
{
	return (val & XFEATURE_MASK_FP) && !(val & ~okvm_supported_xcr0()) &&
	       !((val & XFEATURE_MASK_YMM) && !(val & XFEATURE_MASK_SSE));
}

/* XSETBV: only XCR0, only at CPL 0, only features the host enabled. */
int okvm_emulate_xsetbv(struct okvm_vcpu *vcpu)
{
	u64 *regs = vcpu->arch.regs;
	u64 val = (u32)regs[OKVM_RAX] | (regs[OKVM_RDX] << 32);

	if ((u32)regs[OKVM_RCX] != 0 || okvm_vendor->get_cpl(vcpu) ||
	    !okvm_xcr0_valid(val)) {
		okvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	}
	vcpu->arch.xcr0 = val;
	return okvm_skip_instruction(vcpu, vcpu->arch.exit.next_rip);
}
