/* SPDX-License-Identifier: GPL-2.0 */
/*
 * okvm selftests: a small library to drive /dev/kvm.
 *
 * Guest physical memory layout of a VM made by vm_create() (slot 0 covers
 * LOW_MEM_SIZE bytes from GPA 0; everything else is free for tests):
 *
 *   0x01000  PML4, 0x2000 PDPT, 0x3000-0x6fff four PDs: identity map of
 *            the low 4 GiB with 2 MiB pages
 *   0x07000  GDT, 0x7800 64-bit TSS
 *   0x08000  real-mode stack (SS:SP = 0:0x9000)
 *   0x09000  DATA_GPA: scratch data, reachable from real mode with DS = 0
 *   0x10000  CODE_GPA: guest code (real mode runs it with CS = 0x1000)
 *   0x20000  SCRATCH_GPA .. 0x7f000, 64-bit stack grows down from 0x80000
 *
 * No memslot covers REAL_MMIO_GPA (0xa0000) or LONG_MMIO_GPA (3 GiB), so
 * guest accesses there become KVM_EXIT_MMIO.
 */
#ifndef OKVM_KVM_UTIL_H
#define OKVM_KVM_UTIL_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

#include "test_util.h"
#include "guest.h"

#define PAGE_SIZE		4096UL

/* No suffixes: these are also pasted into guest assembler text. */
#define LOW_MEM_SIZE		0x80000
#define PML4_GPA		0x1000
#define PDPT_GPA		0x2000
#define PD_GPA			0x3000
#define GDT_GPA			0x7000
#define TSS_GPA			0x7800
#define REAL_STACK_TOP		0x9000
#define DATA_GPA		0x9000
#define DATA_SIZE		0x7000
#define CODE_GPA		0x10000
#define CODE_SIZE		0x10000
#define SCRATCH_GPA		0x20000
#define LONG_STACK_TOP		0x80000
#define REAL_MMIO_GPA		0xa0000
#define LONG_MMIO_GPA		0xc0000000

#define REAL_CODE_SEG		(CODE_GPA >> 4)

#define GDT_CODE64_SEL		0x08
#define GDT_DATA_SEL		0x10
#define GDT_TSS_SEL		0x18

#define MAX_TRACKED_SLOTS	64

struct memslot {
	uint32_t slot;
	uint32_t flags;
	uint64_t gpa;
	uint64_t size;
	void *hva;
};

struct kvm_vm {
	int kvm_fd;
	int fd;
	long run_size;
	uint64_t code_next;		/* bump allocator in the code area */
	int nr_slots;
	struct memslot slots[MAX_TRACKED_SLOTS];
};

struct kvm_vcpu {
	struct kvm_vm *vm;
	int fd;
	uint32_t id;
	struct kvm_run *run;
	bool ran;		/* KVM_RUN was called at least once */
};

struct ucall {
	uint64_t cmd;
	uint64_t arg0;		/* rbx */
	uint64_t arg1;		/* rcx */
	uint64_t line;		/* rsi */
	struct kvm_regs regs;
};

/* /dev/kvm */
int kvm_open(void);
long kvm_check_cap(int fd, long cap);
long kvm_vcpu_mmap_size(int kvm_fd);
void *alloc_mem(size_t size);

/* VMs and memory */
struct kvm_vm *vm_create_bare(void);
struct kvm_vm *vm_create(void);
void vm_destroy(struct kvm_vm *vm);
int vm_enable_cap(struct kvm_vm *vm, uint32_t cap, uint64_t arg0);
int vm_set_region(struct kvm_vm *vm, uint32_t slot, uint32_t flags,
		  uint64_t gpa, uint64_t size, void *hva);
void *vm_add_mem(struct kvm_vm *vm, uint32_t slot, uint64_t gpa,
		 uint64_t size, uint32_t flags);
void vm_track_slot(struct kvm_vm *vm, uint32_t slot, uint32_t flags,
		   uint64_t gpa, uint64_t size, void *hva);
void vm_untrack_slot(struct kvm_vm *vm, uint32_t slot);
void *gpa2hva(struct kvm_vm *vm, uint64_t gpa);
uint64_t vm_load_code(struct kvm_vm *vm, const void *start, const void *end);
/* KVM_SET_GSI_ROUTING with these @nr entries; the ioctl's return value. */
int vm_set_gsi_routes(struct kvm_vm *vm,
		      const struct kvm_irq_routing_entry *e, uint32_t nr);

/* Eventfds (non-blocking ones): add 1; take the count, 0 when empty. */
void efd_signal(int efd);
uint64_t efd_take(int efd);

/* vCPUs */
struct kvm_vcpu *vcpu_add(struct kvm_vm *vm, uint32_t id);
void vcpu_free(struct kvm_vcpu *vcpu);
void vcpu_get_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs);
void vcpu_set_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs);
void vcpu_get_sregs(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs);
void vcpu_set_sregs(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs);
void vcpu_setup_real(struct kvm_vcpu *vcpu, uint64_t entry_gpa);
void vcpu_setup_long(struct kvm_vcpu *vcpu, uint64_t entry_gpa);
void long_mode_sregs(struct kvm_sregs *sregs);
void vcpu_set_rip(struct kvm_vcpu *vcpu, uint64_t rip);
int vcpu_run_raw(struct kvm_vcpu *vcpu);
void vcpu_complete_exit(struct kvm_vcpu *vcpu);
void vcpu_run(struct kvm_vcpu *vcpu);
const char *exit_reason_str(uint32_t reason);
void __vcpu_assert_exit(const char *file, int line, struct kvm_vcpu *vcpu,
			uint32_t reason);
#define vcpu_assert_exit(vcpu, reason) \
	__vcpu_assert_exit(__FILE__, __LINE__, vcpu, reason)
void __vcpu_expect_outs(const char *file, int line, struct kvm_vcpu *vcpu,
			uint16_t port, unsigned int n);
/* Run @n times; each must be a KVM_EXIT_IO at @port. */
#define vcpu_expect_outs(vcpu, port, n) \
	__vcpu_expect_outs(__FILE__, __LINE__, vcpu, port, n)

/* ucalls (guest -> host requests over port UCALL_PORT) */
bool vcpu_get_ucall(struct kvm_vcpu *vcpu, struct ucall *uc);
void __ucall_check(const char *file, int line, struct ucall *uc);
#define ucall_check(uc) __ucall_check(__FILE__, __LINE__, uc)
uint64_t __vcpu_ucall(const char *file, int line, struct kvm_vcpu *vcpu,
		      struct ucall *uc);
#define vcpu_ucall(vcpu, uc) __vcpu_ucall(__FILE__, __LINE__, vcpu, uc)
void __vcpu_expect(const char *file, int line, struct kvm_vcpu *vcpu,
		   uint64_t cmd, uint64_t arg0);
/* Run until the next ucall; it must be SYNC(stage) or DONE. */
#define vcpu_expect_sync(vcpu, stage) \
	__vcpu_expect(__FILE__, __LINE__, vcpu, UCALL_SYNC, stage)
#define vcpu_expect_done(vcpu) \
	__vcpu_expect(__FILE__, __LINE__, vcpu, UCALL_DONE, 0)

#endif
