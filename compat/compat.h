/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * okvm compat layer: the differences between the kernels okvm builds
 * against (Debian 6.1, 6.12, 7.x).  Every OKVM_HAVE_* flag is defined by
 * compat/probe.sh and explained here; the few #ifdefs on them outside this
 * file (hardware enable in svm.c and vmx.c) are listed in
 * Documentation/kernels.md.
 *
 * Kernel APIs are told apart by what the headers declare, not by version
 * number: distribution kernels backport API changes.  The OKVM_HAVE_*
 * macros come from compat/probe.sh (run by Kbuild on the target's headers);
 * UAPI differences are detected with the preprocessor where possible.
 * Force-included into every C file of ours (Kbuild: -include).
 */
#ifndef OKVM_COMPAT_H
#define OKVM_COMPAT_H

#include <linux/syscore_ops.h>
#include <uapi/linux/kvm.h>

/*
 * struct syscore_ops: since 6.18 (and in Debian's 6.12.115) the callbacks
 * take a data pointer and are registered through a struct syscore.
 * OKVM_DEFINE_SYSCORE(name, ops) defines a handle "name" for
 * okvm_register_syscore()/okvm_unregister_syscore().
 */
#ifdef OKVM_HAVE_SYSCORE_DATA
#define OKVM_SYSCORE_ARG		void *data
#define OKVM_DEFINE_SYSCORE(name, o)				\
	static struct syscore name##_syscore = { .ops = &(o) };	\
	static struct syscore *const name = &name##_syscore
#define okvm_register_syscore(h)	register_syscore(h)
#define okvm_unregister_syscore(h)	unregister_syscore(h)
#else
#define OKVM_SYSCORE_ARG		void
#define OKVM_DEFINE_SYSCORE(name, o)				\
	static struct syscore_ops *const name = &(o)
#define okvm_register_syscore(h)	register_syscore_ops(h)
#define okvm_unregister_syscore(h)	unregister_syscore_ops(h)
#endif

/*
 * struct kvm_run::immediate_exit is named immediate_exit__unsafe when the
 * UAPI header is compiled into a kernel that has HINT_UNSAFE_IN_KVM (6.12
 * and later); same offset, same meaning.
 */
#ifdef HINT_UNSAFE_IN_KVM
#define OKVM_RUN_IMMEDIATE_EXIT(run)	((run)->immediate_exit__unsafe)
#else
#define OKVM_RUN_IMMEDIATE_EXIT(run)	((run)->immediate_exit)
#endif

/*
 * x86 only, down to the #endif: the probe reads the x86 headers, which
 * Debian's headers carry for every architecture, so its flags alone do
 * not say that the target is x86.
 */
#ifdef CONFIG_X86
#include <asm/msr.h>

/* cpuid(), cpuid_count(), cpuid_ecx(), ... moved out of asm/processor.h. */
#ifdef OKVM_HAVE_ASM_CPUID_API
#include <asm/cpuid/api.h>
#endif

/* The VMCB control field at 0x90 (bit 0: nested paging) was renamed. */
#ifdef OKVM_HAVE_VMCB_MISC_CTL
#define OKVM_VMCB_NP_CTL(c)		((c)->misc_ctl)
#else
#define OKVM_VMCB_NP_CTL(c)		((c)->nested_ctl)
#endif

/*
 * Since 7.x the kernel enables VMX or SVM on a CPU itself (VMXON with its
 * own region, EFER.SVME) and counts the users: x86_virt_get_ref() and
 * x86_virt_put_ref(), exported to modules named kvm, kvm-amd and
 * kvm-intel only.  The vendors' hardware_enable/disable use them when
 * OKVM_HAVE_X86_VIRT_REF is set instead of doing it themselves.
 */
#ifdef OKVM_HAVE_X86_VIRT_REF
#include <asm/virt.h>
#endif

/* rdmsrl()/wrmsrl() became rdmsrq()/wrmsrq(). */
#ifdef OKVM_HAVE_RDMSRQ
#define rdmsrl(msr, val)		rdmsrq(msr, val)
#define wrmsrl(msr, val)		wrmsrq(msr, val)
#define rdmsrl_safe(msr, p)		rdmsrq_safe(msr, p)
#endif
#endif /* CONFIG_X86 */

/* smp_send_reschedule() traces the IPI (6.6 on): declare the tracepoint. */
#ifdef OKVM_HAVE_TRACE_IPI_SEND
#include <trace/events/ipi.h>
#endif

/* hrtimer_init() became hrtimer_setup(), which also sets the function. */
#ifndef OKVM_HAVE_HRTIMER_SETUP
#define hrtimer_setup(timer, fn, clock, mode)				\
	do {								\
		hrtimer_init(timer, clock, mode);			\
		(timer)->function = (fn);				\
	} while (0)
#endif

/* eventfd_signal() lost its count argument (6.8): always add 1. */
#ifdef OKVM_HAVE_EVENTFD_SIGNAL_NO_COUNT
#define okvm_eventfd_signal(ctx)	eventfd_signal(ctx)
#else
#define okvm_eventfd_signal(ctx)	eventfd_signal((ctx), 1)
#endif

/* ktime_get_snapshot() became ktime_get_snapshot_id(clock, ...) (7.x). */
#ifdef OKVM_HAVE_KTIME_GET_SNAPSHOT_ID
#define ktime_get_snapshot(snap)	ktime_get_snapshot_id(CLOCK_MONOTONIC, snap)
#endif

#endif /* OKVM_COMPAT_H */
