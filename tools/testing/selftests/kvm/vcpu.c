// SPDX-License-Identifier: GPL-2.0
/*
 * vcpu: KVM_CREATE_VCPU limits, the kvm_run mapping, the architectural
 * reset state reported by KVM_GET_REGS/KVM_GET_SREGS, register round trips
 * and KVM_SET_SREGS validation; KVM_ENABLE_CAP(KVM_CAP_MAX_VCPU_ID).
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_util.h"

static long max_vcpus, max_vcpu_id;

static void test_create_ids(void)
{
	struct kvm_vm *vm = vm_create_bare();
	int fds[4], i, j;

	for (i = 0; i < 4; i++) {
		fds[i] = TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_VCPU, i));
		for (j = 0; j < i; j++)
			TEST_ASSERT(fds[i] != fds[j], "fd reuse");
		TEST_ASSERT(fcntl(fds[i], F_GETFD) & FD_CLOEXEC,
			    "vCPU fd without O_CLOEXEC");
	}
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_CREATE_VCPU, 0), EEXIST);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_CREATE_VCPU, 3), EEXIST);
	/* A vCPU survives closing its fd: the id stays taken. */
	close(fds[1]);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_CREATE_VCPU, 1), EEXIST);

	/* ids are limited by MAX_VCPU_ID, not by MAX_VCPUS. */
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_CREATE_VCPU, max_vcpu_id), EINVAL);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_CREATE_VCPU, 0x7fffffff), EINVAL);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_CREATE_VCPU, -1), EINVAL);
	i = TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_VCPU, max_vcpu_id - 1));
	close(i);
	for (i = 0; i < 4; i++)
		if (i != 1)
			close(fds[i]);
	vm_destroy(vm);
}

static int enable_max_vcpu_id(struct kvm_vm *vm, uint64_t max, uint32_t flags)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_MAX_VCPU_ID, .flags = flags, .args = { max },
	};

	return ioctl(vm->fd, KVM_ENABLE_CAP, &cap);
}

/*
 * KVM_ENABLE_CAP(KVM_CAP_MAX_VCPU_ID) lowers the id limit once, before the
 * first KVM_CREATE_VCPU fixes it; then only the limit in force is taken.
 */
static void test_max_vcpu_id_cap(void)
{
	struct kvm_vm *vm = vm_create_bare();
	int fd;

	TEST_ASSERT_ERRNO(enable_max_vcpu_id(vm, max_vcpu_id + 1, 0), EINVAL);
	TEST_ASSERT_ERRNO(enable_max_vcpu_id(vm, 2, 1), EINVAL);
	TEST_ASSERT_OK(enable_max_vcpu_id(vm, 2, 0));
	TEST_ASSERT_OK(enable_max_vcpu_id(vm, 2, 0));
	TEST_ASSERT_ERRNO(enable_max_vcpu_id(vm, 3, 0), EINVAL);
	TEST_ASSERT_ERRNO(enable_max_vcpu_id(vm, 1, 0), EINVAL);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_CREATE_VCPU, 2), EINVAL);
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_CREATE_VCPU, max_vcpu_id - 1),
			  EINVAL);
	fd = TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_VCPU, 1));
	close(fd);
	fd = TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_VCPU, 0));
	close(fd);
	TEST_ASSERT_OK(enable_max_vcpu_id(vm, 2, 0));
	/* The capability still reads the global limit. */
	TEST_ASSERT_EQ(kvm_check_cap(vm->fd, KVM_CAP_MAX_VCPU_ID), max_vcpu_id);
	vm_destroy(vm);

	/* A vCPU made first fixes the default limit. */
	vm = vm_create_bare();
	fd = TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_VCPU, 0));
	close(fd);
	TEST_ASSERT_ERRNO(enable_max_vcpu_id(vm, 2, 0), EINVAL);
	TEST_ASSERT_OK(enable_max_vcpu_id(vm, max_vcpu_id, 0));
	fd = TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_VCPU, max_vcpu_id - 1));
	close(fd);
	vm_destroy(vm);
}

/* Fill a VM with MAX_VCPUS vCPUs (fds closed as we go), then one more. */
static void test_max_vcpus(void)
{
	struct kvm_vm *vm = vm_create_bare();
	long i, n = max_vcpus;
	double t = test_now();

	TEST_ASSERT(n <= 4096, "MAX_VCPUS %ld is implausibly large", n);
	for (i = 0; i < n; i++) {
		/* Use ids spread over the id space when it allows. */
		long id = (max_vcpu_id >= 2 * n) ? 2 * i + 1 : i;
		int fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);

		TEST_ASSERT(fd >= 0, "vCPU %ld of %ld (id %ld)", i, n, id);
		close(fd);
	}
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_CREATE_VCPU, 0), EINVAL);
	test_note("%ld vCPUs created in %.1fs", n, test_now() - t);
	vm_destroy(vm);
}

static void test_run_mmap(void)
{
	struct kvm_vm *vm = vm_create_bare();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run2;

	/* A second mapping shows the same page. */
	run2 = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    vcpu->fd, 0);
	TEST_ASSERT(run2 != MAP_FAILED, "second mmap of kvm_run");
	vcpu->run->immediate_exit = 1;
	TEST_ASSERT_EQ(run2->immediate_exit, 1);
	vcpu->run->immediate_exit = 0;
	TEST_ASSERT_EQ(run2->immediate_exit, 0);
	munmap(run2, vm->run_size);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void check_seg(const char *name, struct kvm_segment *s, uint16_t sel,
		      uint64_t base, uint32_t limit, uint8_t type)
{
	test_note("reset %s: sel 0x%x base 0x%llx limit 0x%x type %u p %u s %u dpl %u db %u l %u g %u",
		  name, s->selector, s->base, s->limit, s->type, s->present,
		  s->s, s->dpl, s->db, s->l, s->g);
	TEST_ASSERT_EQ(s->selector, sel);
	TEST_ASSERT_EQ(s->base, base);
	TEST_ASSERT_EQ(s->limit, limit);
	/*
	 * Vendors differ in the "accessed" bit (bit 0) of code/data types
	 * and in the TSS flavour (busy 16-bit 3 or busy 32-bit 0xb).
	 */
	if (!strcmp(name, "tr"))
		TEST_ASSERT(s->type == 0x3 || s->type == 0xb, "tr type %u",
			    s->type);
	else
		TEST_ASSERT_EQ(s->type & ~1, type & ~1);
	TEST_ASSERT_EQ(s->present, 1);
	TEST_ASSERT_EQ(s->dpl, 0);
	TEST_ASSERT_EQ(s->l, 0);
}

static void test_reset_state(void)
{
	struct kvm_vm *vm = vm_create_bare();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_sregs sr;
	struct kvm_regs r;

	vcpu_get_regs(vcpu, &r);
	TEST_ASSERT_EQ(r.rip, 0xfff0);
	TEST_ASSERT_EQ(r.rflags, 0x2);
	TEST_ASSERT_EQ(r.rax | r.rbx | r.rcx | r.rsi | r.rdi | r.rsp | r.rbp, 0);
	TEST_ASSERT_EQ(r.r8 | r.r9 | r.r10 | r.r11 | r.r12 | r.r13 | r.r14 |
		       r.r15, 0);
	/* RDX holds the CPUID(1).EAX signature; 0x600 without KVM_SET_CPUID2. */
	TEST_ASSERT_EQ(r.rdx, 0x600);

	vcpu_get_sregs(vcpu, &sr);
	check_seg("cs", &sr.cs, 0xf000, 0xffff0000, 0xffff, 0xb);
	check_seg("ds", &sr.ds, 0, 0, 0xffff, 0x3);
	check_seg("es", &sr.es, 0, 0, 0xffff, 0x3);
	check_seg("fs", &sr.fs, 0, 0, 0xffff, 0x3);
	check_seg("gs", &sr.gs, 0, 0, 0xffff, 0x3);
	check_seg("ss", &sr.ss, 0, 0, 0xffff, 0x3);
	check_seg("tr", &sr.tr, 0, 0, 0xffff, 0xb);
	check_seg("ldt", &sr.ldt, 0, 0, 0xffff, 0x2);
	TEST_ASSERT_EQ(sr.cr0, 0x60000010);
	TEST_ASSERT_EQ(sr.cr2, 0);
	TEST_ASSERT_EQ(sr.cr3, 0);
	TEST_ASSERT_EQ(sr.cr4, 0);
	TEST_ASSERT_EQ(sr.cr8, 0);
	TEST_ASSERT_EQ(sr.efer, 0);
	TEST_ASSERT_EQ(sr.gdt.base, 0);
	TEST_ASSERT_EQ(sr.gdt.limit, 0xffff);
	TEST_ASSERT_EQ(sr.idt.base, 0);
	TEST_ASSERT_EQ(sr.idt.limit, 0xffff);
	/* Default xAPIC base, enabled, BSP flag on vCPU 0. */
	TEST_ASSERT_EQ(sr.apic_base, 0xfee00900);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void test_regs_roundtrip(void)
{
	struct kvm_vm *vm = vm_create_bare();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_regs in, out;
	uint64_t *p = (uint64_t *)&in;
	unsigned int i;

	for (i = 0; i < sizeof(in) / 8; i++)
		p[i] = 0x0101010101010101ULL * (i + 1) + 0x1000 * i;
	in.rflags = 0x2c7;	/* CF PF ZF SF IF + the fixed bit 1 */
	vcpu_set_regs(vcpu, &in);
	memset(&out, 0xaa, sizeof(out));
	vcpu_get_regs(vcpu, &out);
	for (i = 0; i < sizeof(in) / 8; i++)
		TEST_ASSERT(((uint64_t *)&out)[i] == p[i],
			    "kvm_regs word %u: 0x%llx != 0x%llx", i,
			    (unsigned long long)((uint64_t *)&out)[i],
			    (unsigned long long)p[i]);

	/* Bad user pointers fault. */
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_GET_REGS, (void *)8), EFAULT);
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_REGS, (void *)8), EFAULT);
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_GET_SREGS, (void *)8), EFAULT);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void cmp_seg(const char *n, struct kvm_segment *a, struct kvm_segment *b)
{
	TEST_ASSERT(a->base == b->base && a->limit == b->limit &&
		    a->selector == b->selector && a->type == b->type &&
		    a->present == b->present && a->dpl == b->dpl &&
		    a->db == b->db && a->s == b->s && a->l == b->l &&
		    a->g == b->g,
		    "%s: set sel 0x%x base 0x%llx limit 0x%x type %u p%u dpl%u db%u s%u l%u g%u, got sel 0x%x base 0x%llx limit 0x%x type %u p%u dpl%u db%u s%u l%u g%u",
		    n, a->selector, a->base, a->limit, a->type, a->present,
		    a->dpl, a->db, a->s, a->l, a->g, b->selector, b->base,
		    b->limit, b->type, b->present, b->dpl, b->db, b->s, b->l,
		    b->g);
}

static void test_sregs_roundtrip(void)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_sregs in, out;

	vcpu_get_sregs(vcpu, &in);
	long_mode_sregs(&in);
	in.fs.base = 0x12345678000ULL;
	in.gs.base = 0xffff888000001000ULL;
	in.cr2 = 0xdeadb000;
	in.idt.base = 0x8000;
	in.idt.limit = 0xfff;
	vcpu_set_sregs(vcpu, &in);
	vcpu_get_sregs(vcpu, &out);
	cmp_seg("cs", &in.cs, &out.cs);
	cmp_seg("ds", &in.ds, &out.ds);
	cmp_seg("es", &in.es, &out.es);
	cmp_seg("fs", &in.fs, &out.fs);
	cmp_seg("gs", &in.gs, &out.gs);
	cmp_seg("ss", &in.ss, &out.ss);
	cmp_seg("tr", &in.tr, &out.tr);
	TEST_ASSERT_EQ(out.gdt.base, in.gdt.base);
	TEST_ASSERT_EQ(out.gdt.limit, in.gdt.limit);
	TEST_ASSERT_EQ(out.idt.base, in.idt.base);
	TEST_ASSERT_EQ(out.idt.limit, in.idt.limit);
	TEST_ASSERT_EQ(out.cr0, in.cr0);
	TEST_ASSERT_EQ(out.cr2, in.cr2);
	TEST_ASSERT_EQ(out.cr3, in.cr3);
	TEST_ASSERT_EQ(out.cr4, in.cr4);
	TEST_ASSERT_EQ(out.efer, in.efer);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

/* Inconsistent long-mode state is refused and changes nothing. */
static void test_sregs_invalid(void)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_sregs in, out;

	vcpu_get_sregs(vcpu, &in);
	long_mode_sregs(&in);
	vcpu_set_sregs(vcpu, &in);

	out = in;
	out.efer = 0x400;		/* LMA without LME/PG */
	out.cr0 &= ~0x80000000ULL;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_SREGS, &out), EINVAL);
	out = in;
	out.cr4 &= ~0x20ULL;		/* long mode without PAE */
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_SREGS, &out), EINVAL);
	out = in;
	out.efer = 0;			/* CS.L outside long mode */
	out.cr0 = 0x11;
	out.cr4 = 0;
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_SREGS, &out), EINVAL);
	out = in;
	out.cr4 |= 1ULL << 40;		/* reserved CR4 bit */
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_SREGS, &out), EINVAL);
	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_SET_SREGS, (void *)8), EFAULT);
	vcpu_get_sregs(vcpu, &out);
	TEST_ASSERT_EQ(out.efer, in.efer);
	TEST_ASSERT_EQ(out.cr4, in.cr4);
	TEST_ASSERT_EQ(out.cr0, in.cr0);
	TEST_ASSERT_EQ(out.cs.l, 1);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

/* vCPU and VM ioctls from a process that does not own the VM fail. */
static void test_foreign_mm(void)
{
	struct kvm_vm *vm = vm_create_bare();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	int status;
	pid_t pid;

	TEST_ASSERT_ERRNO(ioctl(vcpu->fd, KVM_RUN, 1), EINVAL);
	fflush(stdout);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		struct kvm_regs regs;

		if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) != -1 || errno != EIO)
			_exit(10);
		if (ioctl(vcpu->fd, KVM_RUN, 0) != -1 || errno != EIO)
			_exit(11);
		if (ioctl(vm->fd, KVM_CREATE_VCPU, 1) != -1 || errno != EIO)
			_exit(12);
		_exit(0);
	}
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "child saw wrong result, status 0x%x (10: GET_REGS, 11: RUN, 12: CREATE_VCPU)",
		    status);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

int main(void)
{
	int kvm;

	test_init("vcpu");
	kvm = kvm_open();
	max_vcpus = kvm_check_cap(kvm, KVM_CAP_MAX_VCPUS);
	max_vcpu_id = kvm_check_cap(kvm, KVM_CAP_MAX_VCPU_ID);
	close(kvm);
	test_note("MAX_VCPUS %ld MAX_VCPU_ID %ld", max_vcpus, max_vcpu_id);

	RUN_SUBTEST("create_vcpu_ids", test_create_ids());
	RUN_SUBTEST("kvm_run_mmap", test_run_mmap());
	RUN_SUBTEST("reset_state", test_reset_state());
	RUN_SUBTEST("regs_roundtrip", test_regs_roundtrip());
	RUN_SUBTEST("sregs_roundtrip", test_sregs_roundtrip());
	RUN_SUBTEST("sregs_invalid", test_sregs_invalid());
	RUN_SUBTEST("other_process_eio", test_foreign_mm());
	RUN_SUBTEST("max_vcpus", test_max_vcpus());
	RUN_SUBTEST("max_vcpu_id_cap", test_max_vcpu_id_cap());
	test_done();
}
