// SPDX-License-Identifier: GPL-2.0
/*
 * stats: KVM_GET_STATS_FD (KVM_CAP_BINARY_STATS_FD) on a VM and a vCPU.
 *
 *   layout    the header's name size is 48, the id follows the header and
 *             the descriptors the id, the data follows the descriptors;
 *             the id is "kvm-PID" for the VM and "kvm-PID/vcpu-ID" for a
 *             vCPU; each descriptor has a known type, unit and base, a
 *             size of at least 1, an offset inside the data, a NUL in its
 *             name, no bucket size unless a linear histogram, a unique
 *             name; read() from 0 walks the file, pread() of the data
 *             block equals pread() of each counter; the names KVM has
 *             (remote_tlb_flush, halt_wakeup, exits, io_exits, ...) exist
 *   order     the descriptors KVM 6.1 has come in 6.1's order (x86:
 *             the VM's list is 6.1's whole; the vCPU's has at least the
 *             generic ones and the counters okvm added, none missing);
 *             the halt histograms are logarithmic, in seconds (base 10,
 *             exponent -9), 32 buckets, no bucket size
 *   counters  a guest that does 3 OUTs to port 0x80 and reports DONE
 *             (one more OUT) raises io_exits by exactly 4 and exits by at
 *             least 4; mmio_exits and signal_exits stay the same
 *   fds       the stats fd is read-only (write: EBADF), keeps working after
 *             the VM and vCPU fds are closed, and closing it frees it
 *   debugfs   (skipped without /sys/kernel/debug/kvm) the VM's directory
 *             "PID-VMFD" has io_exits, exits, remote_tlb_flush and a
 *             "vcpuID" directory whose pid file is 0, then the runner's
 *             tid; after 3 OUTs + DONE the VM's io_exits is 4 and the
 *             top-level one at least 4; instant counters (blocking) are
 *             read-only; writing 1 is EINVAL, writing 0 clears; a file
 *             open across the VM's destruction still reads, and closing
 *             it removes the directory; okvm's vcpuID/entry_floor
 *             (if there) refuses 0, more than 1000000, and a vCPU not
 *             stopped at port I/O (EINVAL), runs 100 entries at an OUT
 *             exit and reads back a non-zero time, the guest unharmed
 *   halt_cap  KVM_CAP_HALT_POLL is reported by /dev/kvm and the VM;
 *             flags or a maximum over UINT_MAX are EINVAL, UINT_MAX and
 *             0 are accepted
 *   halt_poll a guest halts 300 times, each woken by a 300 us one-shot
 *             LAPIC timer, with the VM's maximum at 5 ms: the window
 *             starts at 0 and too short (failed polls), grows, and
 *             halt_successful_poll rises past 100; the two poll
 *             histograms add up to the successful and failed polls;
 *             with the maximum set to 0 the next 100 halts poll not
 *             once (halt_attempted_poll stays)
 *   halt_off  a VM whose maximum is 0 from the start: 100 halts, no
 *             poll attempted
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdbool.h>

#include "binstats.h"
#include "x86.h"

static void check_desc(struct stats *s, unsigned int i, size_t *data_size)
{
	struct kvm_stats_desc *d = desc_at(s, i);
	uint32_t type = d->flags & KVM_STATS_TYPE_MASK;
	unsigned int j;

	TEST_ASSERT(strnlen(d->name, NAME_SIZE) < NAME_SIZE && d->name[0],
		    "descriptor %u: bad name", i);
	TEST_ASSERT(type <= KVM_STATS_TYPE_MAX, "%s: type %u", d->name, type);
	TEST_ASSERT((d->flags & KVM_STATS_UNIT_MASK) <= KVM_STATS_UNIT_MAX,
		    "%s: unit", d->name);
	TEST_ASSERT((d->flags & KVM_STATS_BASE_MASK) <= KVM_STATS_BASE_MAX,
		    "%s: base", d->name);
	TEST_ASSERT(d->size >= 1, "%s: size 0", d->name);
	TEST_ASSERT(type == KVM_STATS_TYPE_LINEAR_HIST || !d->bucket_size,
		    "%s: bucket size %u", d->name, d->bucket_size);
	for (j = 0; j < i; j++)
		TEST_ASSERT(strcmp(desc_at(s, j)->name, d->name),
			    "%s twice", d->name);
	if (d->offset + d->size * 8 > *data_size)
		*data_size = d->offset + d->size * 8;
}

/* Every descriptor, the data block against counter reads, read(). */
static void check_file(struct stats *s, const char *const *names)
{
	size_t data_size = 0, i;
	uint64_t *data;
	char buf[64];

	for (i = 0; i < s->h.num_desc; i++)
		check_desc(s, i, &data_size);
	for (i = 0; names[i]; i++)
		TEST_ASSERT(stat_index(s, names[i]) >= 0, "no %s", names[i]);
	data = calloc(1, data_size);
	TEST_ASSERT(data, "calloc");
	TEST_ASSERT_EQ(pread(s->fd, data, data_size, s->h.data_offset),
		       (ssize_t)data_size);
	TEST_ASSERT_EQ(pread(s->fd, buf, sizeof(buf),
			     s->h.data_offset + data_size), 0);
	free(data);
	TEST_ASSERT_EQ(lseek(s->fd, 0, SEEK_SET), 0);
	TEST_ASSERT_EQ(read(s->fd, buf, sizeof(s->h)), (ssize_t)sizeof(s->h));
	TEST_ASSERT_EQ(memcmp(buf, &s->h, sizeof(s->h)), 0);
	TEST_ASSERT_EQ(read(s->fd, buf, NAME_SIZE), NAME_SIZE);
	TEST_ASSERT_EQ(strcmp(buf, s->id), 0);
	TEST_ASSERT_ERRNO(write(s->fd, buf, 1), EBADF);
}

/* KVM 6.1's descriptors (include/linux/kvm_host.h, arch/x86/kvm/x86.c). */
static const char *const vm_order_61[] = {
	"remote_tlb_flush", "remote_tlb_flush_requests", "mmu_shadow_zapped",
	"mmu_pte_write", "mmu_pde_zapped", "mmu_flooded", "mmu_recycled",
	"mmu_cache_miss", "mmu_unsync", "pages_4k", "pages_2m", "pages_1g",
	"nx_lpage_splits", "max_mmu_rmap_size",
	"max_mmu_page_hash_collisions", NULL
};
static const char *const vcpu_order_61[] = {
	"halt_successful_poll", "halt_attempted_poll", "halt_poll_invalid",
	"halt_wakeup", "halt_poll_success_ns", "halt_poll_fail_ns",
	"halt_wait_ns", "halt_poll_success_hist", "halt_poll_fail_hist",
	"halt_wait_hist", "blocking",
	"pf_taken", "pf_fixed", "pf_emulate", "pf_spurious", "pf_fast",
	"pf_mmio_spte_created", "pf_guest", "tlb_flush", "invlpg", "exits",
	"io_exits", "mmio_exits", "signal_exits", "irq_window_exits",
	"nmi_window_exits", "l1d_flush", "halt_exits", "request_irq_exits",
	"irq_exits", "host_state_reload", "fpu_reload", "insn_emulation",
	"insn_emulation_fail", "hypercalls", "irq_injections",
	"nmi_injections", "req_event", "nested_run",
	"directed_yield_attempted", "directed_yield_successful",
	"preemption_reported", "preemption_other", "guest_mode",
	"notify_window_exits", NULL
};
/* 6.1's that okvm has no event for and leaves out. */
static const char *const vcpu_optional_61[] = {
	"pf_spurious", "pf_fast", "pf_mmio_spte_created", "l1d_flush",
	"req_event", "nested_run", NULL
};

static bool in_list(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

/*
 * The file's descriptors that 6.1 has come in @order's order, and every
 * name of @order is there but those in @optional.
 */
static void check_order(struct stats *s, const char *const *order,
			const char *const *optional)
{
	unsigned int i, next = 0, found = 0;
	const char *name;

	for (i = 0; i < s->h.num_desc; i++) {
		name = desc_at(s, i)->name;
		if (!in_list(order, name))
			continue;
		for (; order[next] && strcmp(order[next], name); next++)
			TEST_ASSERT(in_list(optional, order[next]),
				    "%s missing or out of order (before %s)",
				    order[next], name);
		TEST_ASSERT(order[next], "%s out of order", name);
		next++;
		found++;
	}
	for (; order[next]; next++)
		TEST_ASSERT(in_list(optional, order[next]),
			    "%s missing at the end", order[next]);
	test_note("%u of 6.1's %u descriptors, in its order", found,
		  (unsigned int)s->h.num_desc);
}

/* halt_*_hist: KVM's logarithmic histograms of nanoseconds. */
static void check_hist(struct stats *s, const char *name)
{
	int i = stat_index(s, name);
	struct kvm_stats_desc *d;

	TEST_ASSERT(i >= 0, "no %s", name);
	d = desc_at(s, i);
	TEST_ASSERT_EQ(d->flags, KVM_STATS_TYPE_LOG_HIST |
				 KVM_STATS_UNIT_SECONDS | KVM_STATS_BASE_POW10);
	TEST_ASSERT_EQ(d->exponent, -9);
	TEST_ASSERT_EQ(d->size, 32);
	TEST_ASSERT_EQ(d->bucket_size, 0);
}

static void test_order(void)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	struct stats s;

	stats_open(&s, ioctl(vm->fd, KVM_GET_STATS_FD, 0));
	check_order(&s, vm_order_61, NULL);
	TEST_ASSERT_EQ(desc_at(&s, stat_index(&s, "max_mmu_rmap_size"))->flags,
		       KVM_STATS_TYPE_PEAK);
	stats_close(&s);
	stats_open(&s, ioctl(vcpu->fd, KVM_GET_STATS_FD, 0));
	check_order(&s, vcpu_order_61, vcpu_optional_61);
	check_hist(&s, "halt_poll_success_hist");
	check_hist(&s, "halt_poll_fail_hist");
	check_hist(&s, "halt_wait_hist");
	TEST_ASSERT_EQ(desc_at(&s, stat_index(&s, "guest_mode"))->flags,
		       KVM_STATS_TYPE_INSTANT | KVM_STATS_UNIT_BOOLEAN);
	TEST_ASSERT_EQ(stat_read(&s, "guest_mode"), 0);
	stats_close(&s);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static const char *const vm_names[] = {
	"remote_tlb_flush", "remote_tlb_flush_requests", NULL
};
static const char *const vcpu_names[] = {
	"halt_successful_poll", "halt_attempted_poll", "halt_wakeup",
	"halt_poll_success_ns", "halt_poll_fail_ns", "halt_wait_ns",
	"blocking", "exits", "io_exits", "mmio_exits", "signal_exits",
	"halt_exits", "irq_exits", "irq_window_exits", "request_irq_exits",
	"hypercalls", "irq_injections", "nmi_injections", "tlb_flush", NULL
};

static void test_layout(void)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 3);
	struct stats s;
	char want[NAME_SIZE];

	TEST_ASSERT(kvm_check_cap(vm->fd, KVM_CAP_BINARY_STATS_FD) > 0,
		    "no KVM_CAP_BINARY_STATS_FD");
	stats_open(&s, ioctl(vm->fd, KVM_GET_STATS_FD, 0));
	snprintf(want, sizeof(want), "kvm-%d", getpid());
	TEST_ASSERT(!strcmp(s.id, want), "VM id '%s'", s.id);
	check_file(&s, vm_names);
	stats_close(&s);

	stats_open(&s, ioctl(vcpu->fd, KVM_GET_STATS_FD, 0));
	snprintf(want, sizeof(want), "kvm-%d/vcpu-3", getpid());
	TEST_ASSERT(!strcmp(s.id, want), "vCPU id '%s'", s.id);
	check_file(&s, vcpu_names);
	stats_close(&s);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

GUEST_CODE(guest_outs, 64,
	"\tmov $0x80, %dx\n"
	"\tout %al, %dx\n\tout %al, %dx\n\tout %al, %dx\n"
	G_DONE);

static void test_counters(void)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t io, exits, mmio, sig;
	struct stats s;

	stats_open(&s, ioctl(vcpu->fd, KVM_GET_STATS_FD, 0));
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, guest_outs));
	io = stat_read(&s, "io_exits");
	exits = stat_read(&s, "exits");
	mmio = stat_read(&s, "mmio_exits");
	sig = stat_read(&s, "signal_exits");
	vcpu_expect_outs(vcpu, 0x80, 3);
	vcpu_expect_done(vcpu);
	/* The VM and vCPU fds closed, the stats fd still reads. */
	vcpu_free(vcpu);
	vm_destroy(vm);
	test_note("io_exits +%llu, exits +%llu",
		  (unsigned long long)(stat_read(&s, "io_exits") - io),
		  (unsigned long long)(stat_read(&s, "exits") - exits));
	TEST_ASSERT_EQ(stat_read(&s, "io_exits") - io, 4);
	TEST_ASSERT(stat_read(&s, "exits") - exits >= 4, "exits");
	TEST_ASSERT_EQ(stat_read(&s, "mmio_exits"), mmio);
	TEST_ASSERT_EQ(stat_read(&s, "signal_exits"), sig);
	stats_close(&s);
}

#define DBG_ROOT	"/sys/kernel/debug/kvm"

/* The first read() of a fresh file: they are not seekable. */
static uint64_t dbg_read_fd(int fd)
{
	char buf[32] = "";

	TEST_ASSERT(read(fd, buf, sizeof(buf) - 1) > 0, "debugfs read");
	return strtoull(buf, NULL, 10);
}

static uint64_t dbg_read(const char *dir, const char *name)
{
	char path[256];
	uint64_t v;
	int fd;

	snprintf(path, sizeof(path), DBG_ROOT "/%s%s%s", dir, *dir ? "/" : "",
		 name);
	fd = open(path, O_RDONLY);
	TEST_ASSERT(fd >= 0, "open %s", path);
	v = dbg_read_fd(fd);
	close(fd);
	return v;
}

static void dbg_write(const char *dir, const char *name, const char *val,
		      int err)
{
	char path[256];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), DBG_ROOT "/%s/%s", dir, name);
	fd = open(path, O_WRONLY);
	TEST_ASSERT(fd >= 0, "open %s for writing", path);
	r = write(fd, val, strlen(val));
	if (err)
		TEST_ASSERT(r < 0 && errno == err, "write %s to %s", val, path);
	else
		TEST_ASSERT_EQ(r, strlen(val));
	close(fd);
}

static bool dbg_mode_ro(const char *rel)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), DBG_ROOT "/%s", rel);
	TEST_ASSERT_OK(stat(path, &st));
	return !(st.st_mode & 0222);
}

/*
 * okvm's entry floor (vcpuN/entry_floor, absent in KVM): refused unless
 * the vCPU is stopped at port I/O (@at_io), bounded, and when it runs
 * it reports a time per entry and leaves the guest as it was.
 */
static void check_floor(const char *vcpu_dir, bool at_io)
{
	char path[256];

	snprintf(path, sizeof(path), DBG_ROOT "/%s/entry_floor", vcpu_dir);
	if (access(path, F_OK))
		return;
	dbg_write(vcpu_dir, "entry_floor", "0", EINVAL);
	dbg_write(vcpu_dir, "entry_floor", "1000001", EINVAL);
	if (!at_io) {
		dbg_write(vcpu_dir, "entry_floor", "10", EINVAL);
		TEST_ASSERT_EQ(dbg_read(vcpu_dir, "entry_floor"), 0);
		return;
	}
	dbg_write(vcpu_dir, "entry_floor", "100", 0);
	test_note("entry floor: %llu ps/entry",
		  (unsigned long long)dbg_read(vcpu_dir, "entry_floor"));
	TEST_ASSERT(dbg_read(vcpu_dir, "entry_floor") > 0, "no floor");
}

static void test_debugfs(void)
{
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	char dir[64], path[128];
	int fd, i;

	if (access(DBG_ROOT, F_OK)) {
		test_note("no " DBG_ROOT ", skipped");
		return;
	}
	vm = vm_create();
	vcpu = vcpu_add(vm, 2);
	snprintf(dir, sizeof(dir), "%d-%d", getpid(), vm->fd);
	TEST_ASSERT_EQ(dbg_read(dir, "io_exits"), 0);
	TEST_ASSERT_EQ(dbg_read(dir, "remote_tlb_flush"), 0);
	snprintf(path, sizeof(path), "%s/vcpu2", dir);
	TEST_ASSERT_EQ(dbg_read(path, "pid"), 0);
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, guest_outs));
	check_floor(path, false);
	for (i = 0; i < 3; i++) {
		vcpu_run(vcpu);
		vcpu_assert_exit(vcpu, KVM_EXIT_IO);
		if (!i)
			check_floor(path, true);
	}
	vcpu_expect_done(vcpu);
	TEST_ASSERT_EQ(dbg_read(dir, "io_exits"), 4);
	TEST_ASSERT(dbg_read(dir, "exits") >= 4, "exits");
	TEST_ASSERT(dbg_read("", "io_exits") >= 4, "top-level io_exits");
	TEST_ASSERT_EQ(dbg_read(path, "pid"), getpid());
	TEST_ASSERT(dbg_mode_ro("blocking"), "blocking is writable");
	TEST_ASSERT(!dbg_mode_ro("io_exits"), "io_exits is read-only");
	dbg_write(dir, "io_exits", "1", EINVAL);
	dbg_write(dir, "io_exits", "0", 0);
	TEST_ASSERT_EQ(dbg_read(dir, "io_exits"), 0);

	snprintf(path, sizeof(path), DBG_ROOT "/%s/exits", dir);
	fd = open(path, O_RDONLY);
	TEST_ASSERT(fd >= 0, "open %s", path);
	vcpu_free(vcpu);
	vm_destroy(vm);
	TEST_ASSERT(dbg_read_fd(fd) >= 4, "exits after the VM's fds closed");
	TEST_ASSERT_OK(close(fd));
	snprintf(path, sizeof(path), DBG_ROOT "/%s", dir);
	TEST_ASSERT(access(path, F_OK) && errno == ENOENT, "%s remains", path);
}

static void test_halt_cap(void)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_enable_cap cap = { .cap = KVM_CAP_HALT_POLL };

	TEST_ASSERT_EQ(kvm_check_cap(vm->kvm_fd, KVM_CAP_HALT_POLL), 1);
	TEST_ASSERT_EQ(kvm_check_cap(vm->fd, KVM_CAP_HALT_POLL), 1);
	cap.flags = 1;
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_ENABLE_CAP, &cap), EINVAL);
	cap.flags = 0;
	cap.args[0] = 1ULL << 32;
	TEST_ASSERT_ERRNO(ioctl(vm->fd, KVM_ENABLE_CAP, &cap), EINVAL);
	TEST_ASSERT_OK(vm_enable_cap(vm, KVM_CAP_HALT_POLL, 0xffffffffULL));
	TEST_ASSERT_OK(vm_enable_cap(vm, KVM_CAP_HALT_POLL, 0));
	vm_destroy(vm);
}

/* The timer's handler: EOI and return (RDI holds the APIC's address). */
GUEST_CODE(guest_halt_tick, 64,
	"\tmovl $0, 0xb0(%rdi)\n"
	"\tiretq\n");

/* 300 us one-shot timer, then HLT: ECX times. */
#define G_HALT_LOOP(n)							\
	"\tmov $" STR(n) ", %ecx\n"					\
	"1:\tmovl $300000, 0x380(%rdi)\n"				\
	"\tsti\n\thlt\n\tcli\n"					\
	"\tdec %ecx\n\tjnz 1b\n"

GUEST_CODE(guest_halts, 64,
	G_APIC_ON
	"\tmovl $0xb, 0x3e0(%rdi)\n"		/* divide by 1 */
	"\tmovl $0x53, 0x320(%rdi)\n"		/* one-shot, vector 0x53 */
	G_HALT_LOOP(300)
	G_SYNC(1)
	G_HALT_LOOP(100)
	G_DONE);

static struct kvm_vcpu *halt_vcpu(struct kvm_vm *vm)
{
	struct kvm_mp_state mp = { KVM_MP_STATE_RUNNABLE };
	struct kvm_vcpu *vcpu;

	TEST_ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	vm_setup_idt(vm);
	vcpu = vcpu_add_long(vm, 0, LOAD_GUEST(vm, guest_halts));
	TEST_ASSERT_OK(ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp));
	vm_set_idt_gate(vm, 0x53, LOAD_GUEST(vm, guest_halt_tick));
	return vcpu;
}

static uint64_t hist_sum(struct stats *s, const char *name)
{
	struct kvm_stats_desc *d = desc_at(s, stat_index(s, name));
	uint64_t b[32], sum = 0;
	unsigned int i;

	TEST_ASSERT_EQ(pread(s->fd, b, sizeof(b), s->h.data_offset + d->offset),
		       (ssize_t)sizeof(b));
	for (i = 0; i < 32; i++)
		sum += b[i];
	return sum;
}

static void test_halt_poll(void)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu = halt_vcpu(vm);
	uint64_t ok, tried, halts;
	struct stats s;

	TEST_ASSERT_OK(vm_enable_cap(vm, KVM_CAP_HALT_POLL, 5000000));
	stats_open(&s, ioctl(vcpu->fd, KVM_GET_STATS_FD, 0));
	vcpu_expect_sync(vcpu, 1);
	ok = stat_read(&s, "halt_successful_poll");
	tried = stat_read(&s, "halt_attempted_poll");
	halts = stat_read(&s, "halt_exits");
	test_note("300 halts: %llu HLT exits, %llu polls, %llu successful",
		  (unsigned long long)halts, (unsigned long long)tried,
		  (unsigned long long)ok);
	/* A timer that fires before its HLT traps leaves one out. */
	TEST_ASSERT(halts >= 250, "halt_exits %llu", (unsigned long long)halts);
	TEST_ASSERT(ok >= 100, "halt polling did not grow: %llu of %llu",
		    (unsigned long long)ok, (unsigned long long)tried);
	TEST_ASSERT(tried > ok && tried < halts, "attempted %llu",
		    (unsigned long long)tried);
	TEST_ASSERT_EQ(hist_sum(&s, "halt_poll_success_hist"), ok);
	TEST_ASSERT_EQ(hist_sum(&s, "halt_poll_fail_hist"), tried - ok);
	TEST_ASSERT(stat_read(&s, "halt_poll_success_ns") > 0, "success ns");

	TEST_ASSERT_OK(vm_enable_cap(vm, KVM_CAP_HALT_POLL, 0));
	vcpu_expect_done(vcpu);
	TEST_ASSERT(stat_read(&s, "halt_exits") >= halts + 80, "halt_exits");
	TEST_ASSERT_EQ(stat_read(&s, "halt_attempted_poll"), tried);
	TEST_ASSERT_EQ(stat_read(&s, "halt_successful_poll"), ok);
	stats_close(&s);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

static void test_halt_off(void)
{
	struct kvm_vm *vm = vm_create();
	struct kvm_vcpu *vcpu;
	struct stats s;

	TEST_ASSERT_OK(vm_enable_cap(vm, KVM_CAP_HALT_POLL, 0));
	vcpu = halt_vcpu(vm);
	stats_open(&s, ioctl(vcpu->fd, KVM_GET_STATS_FD, 0));
	vcpu_expect_sync(vcpu, 1);
	vcpu_expect_done(vcpu);
	TEST_ASSERT(stat_read(&s, "halt_exits") >= 330, "halt_exits");
	TEST_ASSERT(stat_read(&s, "halt_wakeup") > 0, "never slept");
	TEST_ASSERT_EQ(stat_read(&s, "halt_attempted_poll"), 0);
	TEST_ASSERT_EQ(stat_read(&s, "halt_successful_poll"), 0);
	TEST_ASSERT_EQ(hist_sum(&s, "halt_poll_fail_hist"), 0);
	TEST_ASSERT(hist_sum(&s, "halt_wait_hist") > 0, "halt_wait_hist");
	stats_close(&s);
	vcpu_free(vcpu);
	vm_destroy(vm);
}

int main(void)
{
	test_init("stats");
	RUN_SUBTEST("layout", test_layout());
	RUN_SUBTEST("order", test_order());
	RUN_SUBTEST("counters", test_counters());
	RUN_SUBTEST("debugfs", test_debugfs());
	RUN_SUBTEST("halt_cap", test_halt_cap());
	RUN_SUBTEST("halt_poll", test_halt_poll());
	RUN_SUBTEST("halt_off", test_halt_off());
	test_done();
}
