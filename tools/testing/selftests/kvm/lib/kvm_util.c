// SPDX-License-Identifier: GPL-2.0
/*
 * okvm selftests: VM, memslot and vCPU helpers around the KVM ioctls.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"

int kvm_open(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0 && (errno == ENOENT || errno == ENXIO || errno == ENODEV))
		test_skip("/dev/kvm not available: %s", strerror(errno));
	TEST_ASSERT(fd >= 0, "open /dev/kvm");
	return fd;
}

long kvm_check_cap(int fd, long cap)
{
	long r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	TEST_ASSERT(r >= 0, "KVM_CHECK_EXTENSION(%ld)", cap);
	return r;
}

/* KVM_ENABLE_CAP on the VM fd with args[0] = arg0: the ioctl's result. */
int vm_enable_cap(struct kvm_vm *vm, uint32_t cap, uint64_t arg0)
{
	struct kvm_enable_cap c = { .cap = cap, .args = { arg0 } };

	return ioctl(vm->fd, KVM_ENABLE_CAP, &c);
}

long kvm_vcpu_mmap_size(int kvm_fd)
{
	return TEST_ASSERT_OK(ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0));
}

void *alloc_mem(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap %zu bytes", size);
	return p;
}

struct kvm_vm *vm_create_bare(void)
{
	struct kvm_vm *vm = calloc(1, sizeof(*vm));

	TEST_ASSERT(vm, "calloc");
	vm->kvm_fd = kvm_open();
	vm->fd = TEST_ASSERT_OK(ioctl(vm->kvm_fd, KVM_CREATE_VM, 0));
	vm->run_size = kvm_vcpu_mmap_size(vm->kvm_fd);
	vm->code_next = CODE_GPA;
	return vm;
}

static void write_page_tables(struct kvm_vm *vm)
{
	uint64_t *pml4 = gpa2hva(vm, PML4_GPA);
	uint64_t *pdpt = gpa2hva(vm, PDPT_GPA);
	uint64_t *pd = gpa2hva(vm, PD_GPA);
	int i;

	/* present | writable; 2 MiB pages additionally get PS. */
	pml4[0] = PDPT_GPA | 0x3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_GPA + i * PAGE_SIZE) | 0x3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;
}

static void write_gdt(struct kvm_vm *vm)
{
	uint64_t *gdt = gpa2hva(vm, GDT_GPA);

	gdt[0] = 0;
	gdt[GDT_CODE64_SEL / 8] = 0x00af9b000000ffffULL;
	gdt[GDT_DATA_SEL / 8] = 0x00cf93000000ffffULL;
	/* 64-bit TSS, busy, limit 0x67; the high half of the base is 0. */
	gdt[GDT_TSS_SEL / 8] = 0x67 | (((uint64_t)TSS_GPA & 0xffffff) << 16) |
			       (0x8bULL << 40);
	gdt[GDT_TSS_SEL / 8 + 1] = 0;
}

struct kvm_vm *vm_create(void)
{
	struct kvm_vm *vm = vm_create_bare();

	vm_add_mem(vm, 0, 0, LOW_MEM_SIZE, 0);
	write_page_tables(vm);
	write_gdt(vm);
	return vm;
}

void vm_destroy(struct kvm_vm *vm)
{
	int i;

	close(vm->fd);
	close(vm->kvm_fd);
	for (i = 0; i < vm->nr_slots; i++)
		munmap(vm->slots[i].hva, vm->slots[i].size);
	free(vm);
}

int vm_set_region(struct kvm_vm *vm, uint32_t slot, uint32_t flags,
		  uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
}

/* Remember a slot so that gpa2hva() can translate into it. */
void vm_track_slot(struct kvm_vm *vm, uint32_t slot, uint32_t flags,
		   uint64_t gpa, uint64_t size, void *hva)
{
	struct memslot *s;

	vm_untrack_slot(vm, slot);
	TEST_ASSERT(vm->nr_slots < MAX_TRACKED_SLOTS, "too many slots");
	s = &vm->slots[vm->nr_slots++];
	s->slot = slot;
	s->flags = flags;
	s->gpa = gpa;
	s->size = size;
	s->hva = hva;
}

/* Forget a slot; the caller owns its memory from now on. */
void vm_untrack_slot(struct kvm_vm *vm, uint32_t slot)
{
	int i;

	for (i = 0; i < vm->nr_slots; i++) {
		if (vm->slots[i].slot == slot) {
			vm->slots[i] = vm->slots[--vm->nr_slots];
			return;
		}
	}
}

void *vm_add_mem(struct kvm_vm *vm, uint32_t slot, uint64_t gpa,
		 uint64_t size, uint32_t flags)
{
	void *hva = alloc_mem(size);

	TEST_ASSERT_OK(vm_set_region(vm, slot, flags, gpa, size, hva));
	vm_track_slot(vm, slot, flags, gpa, size, hva);
	return hva;
}

void *gpa2hva(struct kvm_vm *vm, uint64_t gpa)
{
	int i;

	for (i = 0; i < vm->nr_slots; i++) {
		struct memslot *s = &vm->slots[i];

		if (gpa >= s->gpa && gpa - s->gpa < s->size)
			return (char *)s->hva + (gpa - s->gpa);
	}
	TEST_ASSERT(0, "no memslot for GPA 0x%llx", (unsigned long long)gpa);
	return NULL;
}

uint64_t vm_load_code(struct kvm_vm *vm, const void *start, const void *end)
{
	size_t len = (const char *)end - (const char *)start;
	uint64_t gpa = (vm->code_next + 15) & ~15UL;

	TEST_ASSERT(gpa + len <= CODE_GPA + CODE_SIZE,
		    "guest code area full (%zu bytes)", len);
	memcpy(gpa2hva(vm, gpa), start, len);
	vm->code_next = gpa + len;
	return gpa;
}

int vm_set_gsi_routes(struct kvm_vm *vm,
		      const struct kvm_irq_routing_entry *e, uint32_t nr)
{
	struct kvm_irq_routing *r = calloc(1, sizeof(*r) + nr * sizeof(*e));
	int ret;

	TEST_ASSERT(r, "calloc");
	r->nr = nr;
	memcpy(r->entries, e, nr * sizeof(*e));
	ret = ioctl(vm->fd, KVM_SET_GSI_ROUTING, r);
	free(r);
	return ret;
}

void efd_signal(int efd)
{
	uint64_t one = 1;

	TEST_ASSERT(write(efd, &one, sizeof(one)) == sizeof(one), "write");
}

uint64_t efd_take(int efd)
{
	uint64_t n = 0;

	if (read(efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}
