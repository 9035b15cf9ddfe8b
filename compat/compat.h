/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * okvm compat layer: every difference between the kernels okvm builds
 * against (Debian 6.1, 6.12, 7.x) lives here, nowhere else.
 *
 * Kernel APIs are told apart by what the headers declare, not by version
 * number: distribution kernels backport API changes.  The OKVM_HAVE_*
 * macros come from compat/probe.sh (run by Kbuild on the target's headers);
 * UAPI differences are detected with the preprocessor where possible.
 * Force-included into every file of ours (Kbuild: -include).
 */
#ifndef OKVM_COMPAT_H
#define OKVM_COMPAT_H

#include <linux/syscore_ops.h>
#include <asm/msr.h>
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

#endif /* OKVM_COMPAT_H */
