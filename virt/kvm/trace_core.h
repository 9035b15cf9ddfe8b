/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The architecture-neutral events of the "kvm" trace system, with the
 * event and field names tools read (Documentation/tracing.md).  trace.c
 * instantiates them.
 */
#if !defined(OKVM_TRACE_CORE_H) || defined(TRACE_HEADER_MULTI_READ)
#define OKVM_TRACE_CORE_H

#include <linux/tracepoint.h>

#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvm

/* kvm_mmio's type, as perf kvm stat tells reads from writes. */
#define OKVM_TRACE_MMIO_READ_UNSATISFIED	0
#define OKVM_TRACE_MMIO_READ			1
#define OKVM_TRACE_MMIO_WRITE			2

/* KVM_RUN returns: the kvm_run exit reason and the ioctl's result. */
TRACE_EVENT(kvm_userspace_exit,
	TP_PROTO(u32 reason, int errno),
	TP_ARGS(reason, errno),

	TP_STRUCT__entry(
		__field(u32, reason)
		__field(int, errno)
	),

	TP_fast_assign(
		__entry->reason = reason;
		__entry->errno = errno;
	),

	TP_printk("reason %u (%d)", __entry->reason,
		  __entry->errno < 0 ? __entry->errno : 0)
);

/* A blocked vCPU resumes: ns blocked, slept (waited), woken (valid). */
TRACE_EVENT(kvm_vcpu_wakeup,
	TP_PROTO(u64 ns, bool waited, bool valid),
	TP_ARGS(ns, waited, valid),

	TP_STRUCT__entry(
		__field(u64, ns)
		__field(bool, waited)
		__field(bool, valid)
	),

	TP_fast_assign(
		__entry->ns = ns;
		__entry->waited = waited;
		__entry->valid = valid;
	),

	TP_printk("%s time %llu ns, polling %s",
		  __entry->waited ? "wait" : "poll", __entry->ns,
		  __entry->valid ? "valid" : "invalid")
);

TRACE_EVENT(kvm_halt_poll_ns,
	TP_PROTO(bool grow, unsigned int vcpu_id, unsigned int new,
		 unsigned int old),
	TP_ARGS(grow, vcpu_id, new, old),

	TP_STRUCT__entry(
		__field(bool, grow)
		__field(unsigned int, vcpu_id)
		__field(unsigned int, new)
		__field(unsigned int, old)
	),

	TP_fast_assign(
		__entry->grow = grow;
		__entry->vcpu_id = vcpu_id;
		__entry->new = new;
		__entry->old = old;
	),

	TP_printk("vcpu %u: halt_poll_ns %u (%s %u)", __entry->vcpu_id,
		  __entry->new, __entry->grow ? "grow" : "shrink",
		  __entry->old)
);

TRACE_EVENT(kvm_set_irq,
	TP_PROTO(unsigned int gsi, int level, int irq_source_id),
	TP_ARGS(gsi, level, irq_source_id),

	TP_STRUCT__entry(
		__field(unsigned int, gsi)
		__field(int, level)
		__field(int, irq_source_id)
	),

	TP_fast_assign(
		__entry->gsi = gsi;
		__entry->level = level;
		__entry->irq_source_id = irq_source_id;
	),

	TP_printk("gsi %u level %d source %d", __entry->gsi, __entry->level,
		  __entry->irq_source_id)
);

/* val: up to 8 bytes of the data (the first @len, little-endian). */
TRACE_EVENT(kvm_mmio,
	TP_PROTO(int type, int len, u64 gpa, const void *val),
	TP_ARGS(type, len, gpa, val),

	TP_STRUCT__entry(
		__field(u32, type)
		__field(u32, len)
		__field(u64, gpa)
		__field(u64, val)
	),

	TP_fast_assign(
		__entry->type = type;
		__entry->len = len;
		__entry->gpa = gpa;
		__entry->val = 0;
		if (val)
			memcpy(&__entry->val, val, min_t(u32, len, 8));
	),

	TP_printk("mmio %s len %u gpa 0x%llx val 0x%llx",
		  __print_symbolic(__entry->type,
			{ OKVM_TRACE_MMIO_READ_UNSATISFIED, "unsatisfied-read" },
			{ OKVM_TRACE_MMIO_READ, "read" },
			{ OKVM_TRACE_MMIO_WRITE, "write" }),
		  __entry->len, __entry->gpa, __entry->val)
);

#endif /* OKVM_TRACE_CORE_H */

/* Out of tree: found through the -I of this directory (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace_core
#include <trace/define_trace.h>
