// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM's paravirtual hypercalls (VMMCALL on AMD, VMCALL on Intel): RAX
 * holds the number, the result comes back in RAX (the KVM_E* codes of
 * <linux/kvm_para.h>, negated).  okvm answers KVM_HC_VAPIC_POLL_IRQ and
 * KVM_HC_SCHED_YIELD; every other number is -KVM_ENOSYS, and any call
 * from CPL > 0 is -KVM_EPERM, as in KVM.  With KVM_CAP_ENFORCE_PV_FEATURE_CPUID
 * a call whose feature the guest's CPUID lacks is -KVM_ENOSYS (pv_cpuid.c).
 *
 * A guest migrated from the other vendor may still use that vendor's
 * instruction, which raises #UD.  The vendor module intercepts #UD, and
 * with KVM_X86_QUIRK_FIX_HYPERCALL_INSN on (the default) the three
 * bytes are rewritten in guest memory and run again; with the quirk off,
 * and for every other #UD, the guest gets its #UD.
 */
#include <linux/kvm.h>
#include <uapi/linux/kvm_para.h>
#include <asm/trapnr.h>

#include "kvm_core.h"
#include "vendor.h"
#include "emulate.h"

#define OKVM_HYPERCALL_LEN	3

int okvm_emulate_hypercall(struct okvm_vcpu *vcpu, u64 next_rip)
{
	u64 *regs = vcpu->arch.regs;
	bool wide = okvm_cpu_mode(vcpu) == X86_EMU_PROT64;
	u64 nr = wide ? regs[OKVM_RAX] : (u32)regs[OKVM_RAX];
	long ret;

	if (okvm_vendor->get_cpl(vcpu) != 0) {
		ret = -KVM_EPERM;
	} else if (!okvm_pv_hypercall_allowed(vcpu, nr)) {
		ret = -KVM_ENOSYS;
	} else {
		switch (nr) {
		case KVM_HC_VAPIC_POLL_IRQ:
			ret = 0;
			break;
		case KVM_HC_SCHED_YIELD:
			/* RBX names the vCPU to yield to; any one will do. */
			okvm_arch_stat_inc(vcpu,
					   OKVM_X86_STAT_DIRECTED_YIELD_ATTEMPTED);
			if (okvm_vcpu_on_spin(vcpu))
				okvm_arch_stat_inc(vcpu,
					OKVM_X86_STAT_DIRECTED_YIELD_SUCCESSFUL);
			ret = 0;
			break;
		default:
			ret = -KVM_ENOSYS;
		}
	}
	regs[OKVM_RAX] = wide ? (u64)ret : (u32)ret;
	return okvm_skip_instruction(vcpu, next_rip);
}

static bool okvm_is_hypercall_insn(const u8 *b)
{
	return b[0] == 0x0f && b[1] == 0x01 && (b[2] == 0xc1 || b[2] == 0xd9);
}

/*
 * An intercepted #UD.  The instruction bytes are read (and written) where
 * the CPU fetches them, with the guest's privilege; if they cannot be
 * read, or they are not a hypercall, the #UD goes to the guest unchanged;
 * a page fault on the write (e.g. write-protected text) goes to the guest
 * instead of it.
 */
int okvm_handle_ud(struct okvm_vcpu *vcpu)
{
	const u8 *native = okvm_vendor->hypercall_insn;
	unsigned int user = okvm_vendor->get_cpl(vcpu) == 3 ? X86_WALK_USER : 0;
	u64 la = okvm_linear_rip(vcpu);
	u8 insn[OKVM_HYPERCALL_LEN];
	struct x86_fault fault;
	int r;

	if (!native ||
	    !okvm_has_quirk(vcpu->vm, KVM_X86_QUIRK_FIX_HYPERCALL_INSN) ||
	    okvm_access_linear(vcpu, la, insn, sizeof(insn),
			       X86_WALK_FETCH | user, &fault) ||
	    !okvm_is_hypercall_insn(insn) ||
	    !memcmp(insn, native, sizeof(insn)))
		goto ud;
	memcpy(insn, native, sizeof(insn));
	r = okvm_access_linear(vcpu, la, insn, sizeof(insn),
			       X86_WALK_WRITE | user, &fault);
	if (r == X86_WALK_FAULT) {
		okvm_inject_fault(vcpu, &fault);
		return 1;
	}
	if (r)
		goto ud;
	return 1;	/* the guest runs the instruction again */
ud:
	okvm_queue_exception(vcpu, X86_TRAP_UD, false, 0);
	return 1;
}
