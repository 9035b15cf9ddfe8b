// SPDX-License-Identifier: GPL-2.0-only
/*
 * Architectural register state: reset values, KVM_GET/SET_REGS and
 * KVM_GET/SET_SREGS, and the CPU mode the emulator needs.
 */
#include <linux/kvm.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/apicdef.h>

#include "kvm_core.h"
#include "vendor.h"
#include "emulate.h"
#include "irqchip.h"

/* No event in any slot (events.c). */
static void okvm_reset_events(struct okvm_vcpu *vcpu)
{
	struct okvm_vcpu_arch *arch = &vcpu->arch;

	memset(&arch->event, 0, sizeof(arch->event));
	memset(&arch->exception, 0, sizeof(arch->exception));
	memset(&arch->interrupt, 0, sizeof(arch->interrupt));
	memset(&arch->irq, 0, sizeof(arch->irq));
	arch->injecting = 0;
	arch->nmi_injected = false;
	arch->nmi_pending = 0;
	arch->nmi_masked = false;
	atomic_set(&arch->nmi_queued, 0);
}

/* What power-on and INIT both set: RIP 0xfff0, CS base 0xffff0000... */
static void okvm_vcpu_common_reset(struct okvm_vcpu *vcpu, bool init)
{
	struct okvm_vcpu_arch *arch = &vcpu->arch;

	memset(arch->regs, 0, sizeof(arch->regs));
	arch->regs[OKVM_RDX] = 0x600;	/* family 6 until CPUID is set */
	arch->rip = 0xfff0;
	arch->rflags = X86_EFLAGS_FIXED;
	memset(arch->debug_regs, 0, sizeof(arch->debug_regs));
	okvm_reset_events(vcpu);
	okvm_steal_time_reset(vcpu);
	okvm_pv_eoi_reset(vcpu);
	arch->completion = OKVM_COMPLETE_NONE;
	arch->mmio.hint = false;
	okvm_vendor->vcpu_reset(vcpu, init);
	okvm_mmu_reset_context(vcpu);
}

/* Power-on state. */
void okvm_vcpu_reset_state(struct okvm_vcpu *vcpu)
{
	struct okvm_vcpu_arch *arch = &vcpu->arch;

	arch->xcr0 = XFEATURE_MASK_FP;
	arch->apic_base = OKVM_APIC_BASE_INIT | MSR_IA32_APICBASE_ENABLE;
	if (vcpu->vcpu_id == 0)
		arch->apic_base |= MSR_IA32_APICBASE_BSP;
	arch->mp_state = KVM_MP_STATE_RUNNABLE;
	okvm_mce_reset(vcpu);
	okvm_vcpu_common_reset(vcpu, false);
}

/*
 * INIT (from the in-kernel LAPIC): registers as at power-on, but MSRs,
 * XCR0 and the x87/SSE state stay; the LAPIC keeps its base and ID.
 */
void okvm_vcpu_init_state(struct okvm_vcpu *vcpu)
{
	okvm_vcpu_common_reset(vcpu, true);
	okvm_lapic_init_reset(vcpu);
}

void okvm_get_regs(struct okvm_vcpu *vcpu, struct kvm_regs *r)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;

	*r = (struct kvm_regs){
		.rax = a->regs[OKVM_RAX], .rbx = a->regs[OKVM_RBX],
		.rcx = a->regs[OKVM_RCX], .rdx = a->regs[OKVM_RDX],
		.rsi = a->regs[OKVM_RSI], .rdi = a->regs[OKVM_RDI],
		.rsp = a->regs[OKVM_RSP], .rbp = a->regs[OKVM_RBP],
		.r8 = a->regs[OKVM_R8], .r9 = a->regs[OKVM_R9],
		.r10 = a->regs[OKVM_R10], .r11 = a->regs[OKVM_R11],
		.r12 = a->regs[OKVM_R12], .r13 = a->regs[OKVM_R13],
		.r14 = a->regs[OKVM_R14], .r15 = a->regs[OKVM_R15],
		.rip = a->rip, .rflags = a->rflags,
	};
}

long okvm_ioctl_get_regs(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_regs r;

	okvm_get_regs(vcpu, &r);
	return copy_to_user(argp, &r, sizeof(r)) ? -EFAULT : 0;
}

void okvm_set_regs(struct okvm_vcpu *vcpu, const struct kvm_regs *r)
{
	struct okvm_vcpu_arch *a = &vcpu->arch;

	a->regs[OKVM_RAX] = r->rax;
	a->regs[OKVM_RBX] = r->rbx;
	a->regs[OKVM_RCX] = r->rcx;
	a->regs[OKVM_RDX] = r->rdx;
	a->regs[OKVM_RSI] = r->rsi;
	a->regs[OKVM_RDI] = r->rdi;
	a->regs[OKVM_RSP] = r->rsp;
	a->regs[OKVM_RBP] = r->rbp;
	a->regs[OKVM_R8] = r->r8;
	a->regs[OKVM_R9] = r->r9;
	a->regs[OKVM_R10] = r->r10;
	a->regs[OKVM_R11] = r->r11;
	a->regs[OKVM_R12] = r->r12;
	a->regs[OKVM_R13] = r->r13;
	a->regs[OKVM_R14] = r->r14;
	a->regs[OKVM_R15] = r->r15;
	a->rip = r->rip;
	a->rflags = r->rflags | X86_EFLAGS_FIXED;
	/* A new RIP invalidates an exception raised at the old one. */
	a->exception.pending = false;
}

long okvm_ioctl_set_regs(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_regs r;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	okvm_set_regs(vcpu, &r);
	return 0;
}

static const int okvm_sregs_segs[] = {
	OKVM_SEG_CS, OKVM_SEG_DS, OKVM_SEG_ES, OKVM_SEG_FS, OKVM_SEG_GS,
	OKVM_SEG_SS, OKVM_SEG_TR, OKVM_SEG_LDTR,
};

static struct kvm_segment *okvm_sregs_seg(struct kvm_sregs *s, int i)
{
	struct kvm_segment *order[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt,
	};

	return order[i];
}

void okvm_get_sregs(struct okvm_vcpu *vcpu, struct kvm_sregs *s)
{
	const struct okvm_x86_ops *ops = okvm_vendor;
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < ARRAY_SIZE(okvm_sregs_segs); i++)
		ops->get_segment(vcpu, okvm_sregs_seg(s, i), okvm_sregs_segs[i]);
	ops->get_dtable(vcpu, &s->gdt, false);
	ops->get_dtable(vcpu, &s->idt, true);
	s->cr0 = ops->get_cr(vcpu, 0);
	s->cr2 = ops->get_cr(vcpu, 2);
	s->cr3 = ops->get_cr(vcpu, 3);
	s->cr4 = ops->get_cr(vcpu, 4);
	s->cr8 = ops->get_tpr(vcpu);
	s->efer = ops->get_efer(vcpu);
	s->apic_base = vcpu->arch.apic_base;
	if (vcpu->arch.interrupt.injected)
		__set_bit(vcpu->arch.interrupt.vector,
			  (unsigned long *)s->interrupt_bitmap);
	else if (vcpu->arch.irq.pending)
		__set_bit(vcpu->arch.irq.vector,
			  (unsigned long *)s->interrupt_bitmap);
}

long okvm_ioctl_get_sregs(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_sregs s;

	okvm_get_sregs(vcpu, &s);
	return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
}

/* CR4 bits the host CPU can run a guest with. */
u64 okvm_cr4_supported(void)
{
	u64 ok = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
		 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE |
		 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;

	if (boot_cpu_has(X86_FEATURE_XSAVE))
		ok |= X86_CR4_OSXSAVE;
	if (boot_cpu_has(X86_FEATURE_FSGSBASE))
		ok |= X86_CR4_FSGSBASE;
	if (boot_cpu_has(X86_FEATURE_PCID))
		ok |= X86_CR4_PCIDE;
	if (boot_cpu_has(X86_FEATURE_SMEP))
		ok |= X86_CR4_SMEP;
	if (boot_cpu_has(X86_FEATURE_SMAP))
		ok |= X86_CR4_SMAP;
	if (boot_cpu_has(X86_FEATURE_PKU))
		ok |= X86_CR4_PKE;
	if (boot_cpu_has(X86_FEATURE_UMIP))
		ok |= X86_CR4_UMIP;
	if (boot_cpu_has(X86_FEATURE_LA57))
		ok |= X86_CR4_LA57;
	return ok;
}

/* An IA32_APIC_BASE value: no reserved bit, x2APIC only when enabled. */
bool okvm_apic_base_valid(u64 val)
{
	u64 reserved = ~(GENMASK_ULL(boot_cpu_data.x86_phys_bits - 1, 12) |
			 MSR_IA32_APICBASE_BSP | X2APIC_ENABLE |
			 MSR_IA32_APICBASE_ENABLE);

	if (val & reserved)
		return false;
	return !((val & X2APIC_ENABLE) && !(val & MSR_IA32_APICBASE_ENABLE));
}

static bool okvm_sregs_valid(const struct kvm_sregs *s)
{
	if (!okvm_apic_base_valid(s->apic_base))
		return false;
	if ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG)) {
		if (!(s->cr4 & X86_CR4_PAE) || !(s->efer & EFER_LMA))
			return false;
	} else if ((s->efer & EFER_LMA) || s->cs.l) {
		return false;
	}
	return !(s->cr4 & ~okvm_cr4_supported());
}

/* A pending interrupt travels in the bitmap (at most one bit set). */
static void okvm_sregs_pending_irq(struct okvm_vcpu *vcpu,
				   const struct kvm_sregs *s)
{
	unsigned long bit;

	bit = find_first_bit((const unsigned long *)s->interrupt_bitmap, 256);
	vcpu->arch.irq.pending = false;
	vcpu->arch.interrupt.injected = bit < 256;
	vcpu->arch.interrupt.vector = bit < 256 ? bit : 0;
}

/* KVM_SET_SREGS's checks and effect on a kernel copy: 0 or -EINVAL. */
int okvm_set_sregs(struct okvm_vcpu *vcpu, struct kvm_sregs *s)
{
	const struct okvm_x86_ops *ops = okvm_vendor;
	int i;

	if (!okvm_sregs_valid(s))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(okvm_sregs_segs); i++)
		ops->set_segment(vcpu, okvm_sregs_seg(s, i), okvm_sregs_segs[i]);
	ops->set_dtable(vcpu, &s->gdt, false);
	ops->set_dtable(vcpu, &s->idt, true);
	ops->set_cr(vcpu, 0, s->cr0);
	ops->set_cr(vcpu, 2, s->cr2);
	ops->set_cr(vcpu, 3, s->cr3);
	ops->set_cr(vcpu, 4, s->cr4);
	ops->set_efer(vcpu, s->efer);
	okvm_mmu_reset_context(vcpu);
	ops->set_tpr(vcpu, s->cr8 & 0xf);
	if (vcpu->arch.lapic)
		okvm_lapic_set_msr(vcpu, MSR_IA32_APICBASE, s->apic_base, true);
	else
		vcpu->arch.apic_base = s->apic_base;
	okvm_sregs_pending_irq(vcpu, s);
	return 0;
}

long okvm_ioctl_set_sregs(struct okvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_sregs s;

	if (copy_from_user(&s, argp, sizeof(s)))
		return -EFAULT;
	return okvm_set_sregs(vcpu, &s);
}

bool okvm_is_long_mode(struct okvm_vcpu *vcpu)
{
	return okvm_vendor->get_efer(vcpu) & EFER_LMA;
}

/* The execution mode, in the emulator's terms. */
int okvm_cpu_mode(struct okvm_vcpu *vcpu)
{
	struct kvm_segment cs;

	if (!(okvm_vendor->get_cr(vcpu, 0) & X86_CR0_PE))
		return X86_EMU_REAL;
	if (vcpu->arch.rflags & X86_EFLAGS_VM)
		return X86_EMU_VM86;
	okvm_vendor->get_segment(vcpu, &cs, OKVM_SEG_CS);
	if (okvm_is_long_mode(vcpu) && cs.l)
		return X86_EMU_PROT64;
	return cs.db ? X86_EMU_PROT32 : X86_EMU_PROT16;
}
