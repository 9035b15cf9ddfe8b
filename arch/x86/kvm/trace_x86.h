/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86 events of the "kvm" trace system.  Event, field names and types
 * are the ones perf kvm stat, kvm_stat and trace-cmd read (see
 * Documentation/tracing.md); the bodies are okvm's.  trace.c instantiates
 * them (CREATE_TRACE_POINTS); all are fired from kvm.ko, so nothing here is
 * exported to the vendor modules.  Needs x86.h (struct okvm_exit).
 */
#if !defined(OKVM_TRACE_X86_H) || defined(TRACE_HEADER_MULTI_READ)
#define OKVM_TRACE_X86_H

#include <linux/tracepoint.h>
#include <asm/svm.h>
#include <asm/vmx.h>

#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvm

TRACE_EVENT(kvm_entry,
	TP_PROTO(unsigned int vcpu_id, unsigned long rip),
	TP_ARGS(vcpu_id, rip),

	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(unsigned long, rip)
		__field(bool, immediate_exit)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->rip = rip;
		__entry->immediate_exit = false;
	),

	TP_printk("vcpu %u, rip 0x%lx", __entry->vcpu_id, __entry->rip)
);

/* @x: struct okvm_exit of the exit; @rip: the guest's RIP after it. */
TRACE_EVENT(kvm_exit,
	TP_PROTO(unsigned int vcpu_id, unsigned long rip,
		 const struct okvm_exit *x, u32 isa),
	TP_ARGS(vcpu_id, rip, x, isa),

	TP_STRUCT__entry(
		__field(unsigned int, exit_reason)
		__field(unsigned long, guest_rip)
		__field(u32, isa)
		__field(u64, info1)
		__field(u64, info2)
		__field(u32, intr_info)
		__field(u32, error_code)
		__field(unsigned int, vcpu_id)
	),

	TP_fast_assign(
		__entry->exit_reason = x->hw_reason;
		__entry->guest_rip = rip;
		__entry->isa = isa;
		__entry->info1 = x->trace.info1;
		__entry->info2 = x->trace.info2;
		__entry->intr_info = x->trace.intr_info;
		__entry->error_code = x->trace.error_code;
		__entry->vcpu_id = vcpu_id;
	),

	TP_printk("vcpu %u reason %s rip 0x%lx info1 0x%016llx info2 0x%016llx intr_info 0x%08x error_code 0x%08x",
		  __entry->vcpu_id,
		  __entry->isa == OKVM_ISA_VMX ?
		  __print_symbolic(__entry->exit_reason & 0xffff,
				   VMX_EXIT_REASONS) :
		  __print_symbolic(__entry->exit_reason, SVM_EXIT_REASONS),
		  __entry->guest_rip, __entry->info1, __entry->info2,
		  __entry->intr_info, __entry->error_code)
);

/* rw: 0 in, 1 out; val: the first element's value. */
TRACE_EVENT(kvm_pio,
	TP_PROTO(unsigned int rw, unsigned int port, unsigned int size,
		 unsigned int count, unsigned int val),
	TP_ARGS(rw, port, size, count, val),

	TP_STRUCT__entry(
		__field(unsigned int, rw)
		__field(unsigned int, port)
		__field(unsigned int, size)
		__field(unsigned int, count)
		__field(unsigned int, val)
	),

	TP_fast_assign(
		__entry->rw = rw;
		__entry->port = port;
		__entry->size = size;
		__entry->count = count;
		__entry->val = val;
	),

	TP_printk("pio_%s at 0x%x size %u count %u val 0x%x",
		  __entry->rw ? "write" : "read", __entry->port,
		  __entry->size, __entry->count, __entry->val)
);

TRACE_EVENT(kvm_cpuid,
	TP_PROTO(unsigned int function, unsigned int index, unsigned long rax,
		 unsigned long rbx, unsigned long rcx, unsigned long rdx),
	TP_ARGS(function, index, rax, rbx, rcx, rdx),

	TP_STRUCT__entry(
		__field(unsigned int, function)
		__field(unsigned int, index)
		__field(unsigned long, rax)
		__field(unsigned long, rbx)
		__field(unsigned long, rcx)
		__field(unsigned long, rdx)
	),

	TP_fast_assign(
		__entry->function = function;
		__entry->index = index;
		__entry->rax = rax;
		__entry->rbx = rbx;
		__entry->rcx = rcx;
		__entry->rdx = rdx;
	),

	TP_printk("func %x idx %x rax %lx rbx %lx rcx %lx rdx %lx",
		  __entry->function, __entry->index, __entry->rax,
		  __entry->rbx, __entry->rcx, __entry->rdx)
);

/* write: 0 RDMSR, 1 WRMSR; exception: the access raised #GP. */
TRACE_EVENT(kvm_msr,
	TP_PROTO(unsigned int write, u32 ecx, u64 data, bool exception),
	TP_ARGS(write, ecx, data, exception),

	TP_STRUCT__entry(
		__field(unsigned int, write)
		__field(u32, ecx)
		__field(u64, data)
		__field(u8, exception)
	),

	TP_fast_assign(
		__entry->write = write;
		__entry->ecx = ecx;
		__entry->data = data;
		__entry->exception = exception;
	),

	TP_printk("msr_%s %x = 0x%llx%s", __entry->write ? "write" : "read",
		  __entry->ecx, __entry->data,
		  __entry->exception ? " (#GP)" : "")
);

TRACE_EVENT(kvm_inj_virq,
	TP_PROTO(unsigned int vector, bool soft, bool reinjected),
	TP_ARGS(vector, soft, reinjected),

	TP_STRUCT__entry(
		__field(unsigned int, vector)
		__field(bool, soft)
		__field(bool, reinjected)
	),

	TP_fast_assign(
		__entry->vector = vector;
		__entry->soft = soft;
		__entry->reinjected = reinjected;
	),

	TP_printk("%s 0x%x%s", __entry->soft ? "Soft/INTn" : "IRQ",
		  __entry->vector,
		  __entry->reinjected ? " [reinjected]" : "")
);

TRACE_EVENT(kvm_inj_exception,
	TP_PROTO(unsigned int exception, bool has_error, u32 error_code,
		 bool reinjected),
	TP_ARGS(exception, has_error, error_code, reinjected),

	TP_STRUCT__entry(
		__field(u8, exception)
		__field(u8, has_error)
		__field(u32, error_code)
		__field(bool, reinjected)
	),

	TP_fast_assign(
		__entry->exception = exception;
		__entry->has_error = has_error;
		__entry->error_code = error_code;
		__entry->reinjected = reinjected;
	),

	TP_printk("vector %u%s 0x%x%s", __entry->exception,
		  __entry->has_error ? " error" : "", __entry->error_code,
		  __entry->reinjected ? " [reinjected]" : "")
);

/* fault_address: the GPA (TDP) or the guest linear address (shadow). */
TRACE_EVENT(kvm_page_fault,
	TP_PROTO(unsigned int vcpu_id, unsigned long rip, u64 fault_address,
		 u64 error_code),
	TP_ARGS(vcpu_id, rip, fault_address, error_code),

	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(unsigned long, guest_rip)
		__field(u64, fault_address)
		__field(u64, error_code)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->guest_rip = rip;
		__entry->fault_address = fault_address;
		__entry->error_code = error_code;
	),

	TP_printk("vcpu %u rip 0x%lx address 0x%016llx error_code 0x%llx",
		  __entry->vcpu_id, __entry->guest_rip,
		  __entry->fault_address, __entry->error_code)
);

/* rw: 0 read, 1 write; reg: the register's offset in the APIC page. */
TRACE_EVENT(kvm_apic,
	TP_PROTO(unsigned int rw, unsigned int reg, u64 val),
	TP_ARGS(rw, reg, val),

	TP_STRUCT__entry(
		__field(unsigned int, rw)
		__field(unsigned int, reg)
		__field(u64, val)
	),

	TP_fast_assign(
		__entry->rw = rw;
		__entry->reg = reg;
		__entry->val = val;
	),

	TP_printk("apic_%s 0x%x = 0x%llx", __entry->rw ? "write" : "read",
		  __entry->reg, __entry->val)
);

TRACE_EVENT(kvm_apic_ipi,
	TP_PROTO(u32 icr_low, u32 dest_id),
	TP_ARGS(icr_low, dest_id),

	TP_STRUCT__entry(
		__field(u32, icr_low)
		__field(u32, dest_id)
	),

	TP_fast_assign(
		__entry->icr_low = icr_low;
		__entry->dest_id = dest_id;
	),

	TP_printk("dst %x vec %u icr_low 0x%x", __entry->dest_id,
		  __entry->icr_low & 0xff, __entry->icr_low)
);

#endif /* OKVM_TRACE_X86_H */

/* Out of tree: found through the -I of this directory (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace_x86
#include <trace/define_trace.h>
