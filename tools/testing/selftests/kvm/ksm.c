// SPDX-License-Identifier: GPL-2.0
/*
 * ksm: guest memory stays intact while the host rearranges the pages
 * behind it, with a vCPU running.
 *
 * The guest checks, round after round, four qwords of every page of a
 * 16 MiB slot and reports a mismatch at once.  Page i belongs to group
 * m = (i & 7) + 1 and holds, everywhere but qwords 1 and 2, GEN * m; qword 1
 * holds W * m (written by the guest when the host asks for it) and qword 2
 * H * m (written by the host).  GEN, W and H come from a control block in
 * slot 0, so the pages of one group are identical and KSM can merge the
 * whole slot into eight pages.  Between rounds the host:
 *
 *   ksm_merge      forces KSM on (sysfs), until pages_sharing > 0, while
 *                  the guest keeps reading;
 *   ksm_guest_cow  lets the guest write merged pages (copy-on-write breaks
 *                  in the fault path), checks the writes from the host;
 *   ksm_host_cow   writes merged pages from the host: the guest must see it;
 *   ksm_race       lets KSM merge again and again while the guest rewrites
 *                  the pages every second or so;
 *   dontneed       MADV_DONTNEED of the whole slot: the guest reads zeros,
 *                  then what the host writes into the fresh pages;
 *   remap_slot     deletes the memslot, replaces its memory by a fresh
 *                  mapping elsewhere and creates the memslot again;
 *   migrate        MADV_SOFT_OFFLINE moves pages to new frames (checked in
 *                  /proc/self/pagemap), then memory compaction;
 *   thp            a THP-backed slot is split (mprotect of one 4 KiB page)
 *                  and collapsed again (MADV_COLLAPSE);
 *   swap           MADV_PAGEOUT swaps the slot out (reclaim, as memory
 *                  pressure does): with swap on, most pages must leave
 *                  (pagemap's swapped bit), so no hypervisor reference
 *                  pins them; the guest reads them back, writes them, and
 *                  they go out and come back once more.  Without swap it
 *                  is skipped with a note.
 *
 * KSM's sysfs settings are restored at exit.  Without /sys/kernel/mm/ksm
 * the KSM subtests are skipped; the others still run.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"

#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE	101
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif

#define SLOT		1
#define SLOT_GPA	0x40000000UL
#define SLOT_SIZE	(16UL << 20)
#define NPAGES		(SLOT_SIZE / PAGE_SIZE)
#define HUGE_SIZE	(2UL << 20)

/* Control block in slot 0 (DATA_GPA), read by the guest every round. */
#define CTL_GEN		0	/* qwords 0, 3..511 hold GEN * m */
#define CTL_W		8	/* qword 1 holds W * m */
#define CTL_WRITE	16	/* non-zero: the guest writes qword 1 first */
#define CTL_H		24	/* qword 2 holds H * m */

/*
 * One round: optionally write W * m into qword 1 of every page, then
 * check qwords 0, 1, 2 and 511 of every page, then SYNC(1).  On a
 * mismatch: FAIL with %rbx = page, %rcx = value read, %rdi = qword index,
 * %r8 = expected value.  %r13 = slot base, %r14 = pages.
 */
GUEST_CODE(g_check, 64,
	"1:\tmov $" STR(DATA_GPA) ", %r8\n"
	"\tmov " STR(CTL_GEN) "(%r8), %r9\n"
	"\tmov " STR(CTL_W) "(%r8), %r10\n"
	"\tmov " STR(CTL_WRITE) "(%r8), %r11\n"
	"\tmov " STR(CTL_H) "(%r8), %r12\n"
	"\ttest %r11, %r11\n"
	"\tjz 3f\n"
	"\txor %r15, %r15\n"
	"\tmov %r13, %rbp\n"
	"2:\tmov %r15, %rax\n"
	"\tand $7, %rax\n"
	"\tinc %rax\n"
	"\timul %r10, %rax\n"
	"\tmov %rax, 8(%rbp)\n"
	"\tadd $4096, %rbp\n"
	"\tinc %r15\n"
	"\tcmp %r14, %r15\n"
	"\tjb 2b\n"
	"3:\txor %r15, %r15\n"
	"\tmov %r13, %rbp\n"
	"4:\tmov %r15, %rdx\n"
	"\tand $7, %rdx\n"
	"\tinc %rdx\n"
	"\tmov %r9, %rax\n"
	"\timul %rdx, %rax\n"
	"\tmov $0, %edi\n"
	"\tmov (%rbp), %rcx\n"
	"\tcmp %rax, %rcx\n"
	"\tjne 9f\n"
	"\tmov $511, %edi\n"
	"\tmov 4088(%rbp), %rcx\n"
	"\tcmp %rax, %rcx\n"
	"\tjne 9f\n"
	"\tmov %r10, %rax\n"
	"\timul %rdx, %rax\n"
	"\tmov $1, %edi\n"
	"\tmov 8(%rbp), %rcx\n"
	"\tcmp %rax, %rcx\n"
	"\tjne 9f\n"
	"\tmov %r12, %rax\n"
	"\timul %rdx, %rax\n"
	"\tmov $2, %edi\n"
	"\tmov 16(%rbp), %rcx\n"
	"\tcmp %rax, %rcx\n"
	"\tjne 9f\n"
	"\tadd $4096, %rbp\n"
	"\tinc %r15\n"
	"\tcmp %r14, %r15\n"
	"\tjb 4b\n"
	G_SYNC(1)
	"\tjmp 1b\n"
	"9:\tmov %rax, %r8\n"
	"\tmov %r15, %rbx\n"
	"\txor %esi, %esi\n"
	G_UCALL(UCALL_FAIL)
	"8:\thlt\n"
	"\tjmp 8b\n");

struct ctl {
	uint64_t gen, w, write, h;
};

static struct kvm_vm *vm;
static struct kvm_vcpu *vcpu;
static volatile struct ctl *ctl;
static uint8_t *mem;		/* host view of the slot */
static uint8_t *mem_area;	/* the mapping mem lies in */
static size_t mem_area_size;
static unsigned long rounds;

static uint64_t *qw(uint64_t page)
{
	return (uint64_t *)(mem + page * PAGE_SIZE);
}

static uint64_t group(uint64_t page)
{
	return (page & 7) + 1;
}

/* Fill the slot from the host as the guest expects it now. */
static void fill(void)
{
	uint64_t i, k;

	for (i = 0; i < NPAGES; i++) {
		uint64_t *q = qw(i), m = group(i);

		for (k = 0; k < PAGE_SIZE / 8; k++)
			q[k] = ctl->gen * m;
		q[1] = ctl->w * m;
		q[2] = ctl->h * m;
	}
}

/* One guest round; a guest-side mismatch fails the test with details. */
static void round_(const char *what)
{
	struct ucall uc;
	int r;

	r = vcpu_run_raw(vcpu);
	TEST_ASSERT(!r, "%s: KVM_RUN returned %d", what, r);
	TEST_ASSERT(vcpu_get_ucall(vcpu, &uc), "%s: exit %s instead of a ucall",
		    what, exit_reason_str(vcpu->run->exit_reason));
	if (uc.cmd == UCALL_FAIL)
		test_fail(__FILE__, __LINE__, 0,
			  "%s: guest read 0x%llx in qword %llu of page %llu, expected 0x%llx (round %lu)",
			  what, (unsigned long long)uc.regs.rcx,
			  (unsigned long long)uc.regs.rdi,
			  (unsigned long long)uc.regs.rbx,
			  (unsigned long long)uc.regs.r8, rounds);
	TEST_ASSERT(uc.cmd == UCALL_SYNC && uc.arg0 == 1, "%s: ucall %llu(%llu)",
		    what, (unsigned long long)uc.cmd,
		    (unsigned long long)uc.arg0);
	rounds++;
}

/* The guest's writes (qword 1) as the host sees them. */
static void check_guest_writes(const char *what)
{
	uint64_t i, bad = 0, first = 0;

	for (i = 0; i < NPAGES; i++) {
		if (qw(i)[1] != ctl->w * group(i) && !bad++)
			first = i;
	}
	TEST_ASSERT(!bad, "%s: %llu pages miss the guest's write, first %llu",
		    what, (unsigned long long)bad, (unsigned long long)first);
}

/* A guest round that writes W * m (qword 1), checked from the host. */
static void guest_write_round(uint64_t w, const char *what)
{
	ctl->w = w;
	ctl->write = 1;
	round_(what);
	ctl->write = 0;
	check_guest_writes(what);
}

/* The host writes H * m (qword 2) into every page. */
static void host_write(uint64_t h)
{
	uint64_t i;

	ctl->h = h;
	for (i = 0; i < NPAGES; i++)
		qw(i)[2] = h * group(i);
}

/* --- KSM control through sysfs --- */

#define KSM_DIR "/sys/kernel/mm/ksm/"

static const char *const ksm_knobs[] = {
	"run", "pages_to_scan", "sleep_millisecs",
};
static long ksm_saved[ARRAY_SIZE(ksm_knobs)];
static bool ksm_touched;

static long sysfs_read(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 0);
}

static int sysfs_write(const char *path, long val)
{
	char buf[32];
	int fd, n, r;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld", val);
	r = write(fd, buf, n) == n ? 0 : -1;
	close(fd);
	return r;
}

static long ksm_stat(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), KSM_DIR "%s", name);
	return sysfs_read(path);
}

static void ksm_set(const char *name, long val)
{
	char path[128];

	snprintf(path, sizeof(path), KSM_DIR "%s", name);
	TEST_ASSERT(!sysfs_write(path, val), "write %ld to %s", val, path);
}

static void ksm_restore(void)
{
	unsigned int i;

	if (!ksm_touched)
		return;
	ksm_touched = false;
	/* Unmerge what we left behind, then put the old settings back. */
	ksm_set("run", 2);
	for (i = 0; i < ARRAY_SIZE(ksm_knobs); i++)
		ksm_set(ksm_knobs[i], ksm_saved[i]);
}

static void on_signal(int sig)
{
	ksm_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* false when the kernel has no KSM or we may not drive it */
static bool ksm_start(void)
{
	unsigned int i;

	if (access(KSM_DIR "run", W_OK))
		return false;
	for (i = 0; i < ARRAY_SIZE(ksm_knobs); i++) {
		ksm_saved[i] = ksm_stat(ksm_knobs[i]);
		if (ksm_saved[i] < 0)
			return false;
	}
	ksm_touched = true;
	atexit(ksm_restore);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	ksm_set("pages_to_scan", 5000);
	ksm_set("sleep_millisecs", 10);
	ksm_set("run", 1);
	return true;
}

/*
 * Guest rounds until KSM, after two more full scans (its counters lag
 * behind copy-on-write breaks), shares at least 'want' pages, or until
 * 'secs' pass; returns the largest pages_sharing seen after those scans.
 */
static long rounds_until_shared(long want, double secs, const char *what)
{
	long scans = ksm_stat("full_scans") + 2, sharing, best = 0;
	double end = test_now() + secs;

	do {
		round_(what);
		if (ksm_stat("full_scans") < scans)
			continue;
		sharing = ksm_stat("pages_sharing");
		if (sharing > best)
			best = sharing;
	} while (best < want && test_now() < end);
	return best;
}

static void test_ksm_merge(void)
{
	long best;

	TEST_ASSERT_OK(madvise(mem, SLOT_SIZE, MADV_MERGEABLE));
	best = rounds_until_shared(NPAGES / 2, 120, "merging");
	test_note("pages_sharing %ld after %lu rounds", best, rounds);
	TEST_ASSERT(best > 0, "KSM merged nothing in 120 s");
}

static void test_ksm_guest_cow(void)
{
	long best;
	int i;

	for (i = 1; i <= 2; i++) {
		best = rounds_until_shared(NPAGES / 2, 60, "re-merging");
		test_note("cycle %d: pages_sharing %ld before the guest writes",
			  i, best);
		TEST_ASSERT(best > 0, "nothing merged before the guest's writes");
		guest_write_round(0x1000 + i, "guest writes merged pages");
		round_("after the guest's writes");
	}
}

static void test_ksm_host_cow(void)
{
	long best;
	int i;

	for (i = 1; i <= 2; i++) {
		best = rounds_until_shared(NPAGES / 2, 60, "re-merging");
		test_note("cycle %d: pages_sharing %ld before the host writes",
			  i, best);
		TEST_ASSERT(best > 0, "nothing merged before the host's writes");
		host_write(0x2000 + i);
		round_("host wrote merged pages");
		round_("host wrote merged pages, again");
	}
}

static void test_ksm_race(void)
{
	double end = test_now() + 12, next_write = 0;
	unsigned long writes = 0, start = rounds;
	long best = 0, sharing;
	uint64_t w = 0x3000;

	while (test_now() < end) {
		if (test_now() >= next_write) {
			/* Alternately the guest and the host break merges. */
			if (writes++ & 1)
				host_write(++w);
			else
				guest_write_round(++w,
						  "guest writes while KSM merges");
			next_write = test_now() + 1.0;
		}
		round_("guest reads while KSM merges");
		sharing = ksm_stat("pages_sharing");
		if (sharing > best)
			best = sharing;
	}
	test_note("%lu rounds, %lu write cycles, pages_sharing up to %ld",
		  rounds - start, writes, best);
	TEST_ASSERT(best > 0, "KSM never merged during the race");
}

static void stop_ksm_merging(void)
{
	if (!ksm_touched)
		return;
	TEST_ASSERT_OK(madvise(mem, SLOT_SIZE, MADV_UNMERGEABLE));
	ksm_restore();
}

/* --- other MMU-notifier users --- */

static void test_dontneed(void)
{
	TEST_ASSERT_OK(madvise(mem, SLOT_SIZE, MADV_DONTNEED));
	ctl->gen = 0;
	ctl->w = 0;
	ctl->h = 0;
	round_("after MADV_DONTNEED (zeros)");
	ctl->gen = 0x51;
	fill();
	round_("refilled after MADV_DONTNEED");
	guest_write_round(0x52, "guest writes after MADV_DONTNEED");
	TEST_ASSERT_OK(madvise(mem + SLOT_SIZE / 2, SLOT_SIZE / 2,
			       MADV_DONTNEED));
	fill();
	round_("upper half discarded and refilled");
}

/* A fresh mapping, 2 MiB aligned, with room to spare. */
static void map_slot_memory(bool huge)
{
	uintptr_t p;

	mem_area_size = SLOT_SIZE + HUGE_SIZE;
	mem_area = mmap(NULL, mem_area_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(mem_area != MAP_FAILED, "mmap slot memory");
	p = ((uintptr_t)mem_area + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
	mem = (uint8_t *)p;
	TEST_ASSERT_OK(madvise(mem, SLOT_SIZE,
			       huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE));
}

static void replace_slot(bool huge)
{
	TEST_ASSERT_OK(vm_set_region(vm, SLOT, 0, SLOT_GPA, 0, NULL));
	TEST_ASSERT_OK(munmap(mem_area, mem_area_size));
	map_slot_memory(huge);
	fill();
	TEST_ASSERT_OK(vm_set_region(vm, SLOT, 0, SLOT_GPA, SLOT_SIZE, mem));
}

static void test_remap_slot(void)
{
	ctl->gen = 0x61;
	ctl->w = 0x62;
	ctl->h = 0x63;
	replace_slot(false);
	round_("fresh memory behind the re-created slot");
	guest_write_round(0x64, "guest writes the fresh memory");
}

static uint64_t pfn_of(void *p)
{
	uint64_t e = 0;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY);
	TEST_ASSERT(fd >= 0, "open pagemap");
	TEST_ASSERT(pread(fd, &e, 8, (uintptr_t)p / PAGE_SIZE * 8) == 8,
		    "read pagemap");
	close(fd);
	return (e >> 63) ? e & ((1ULL << 55) - 1) : 0;
}

static long vmstat(const char *name)
{
	char line[128];
	size_t n = strlen(name);
	long v = -1;
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, n) && line[n] == ' ') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static void test_migrate(void)
{
	uint64_t before[16], after, i;
	unsigned int moved = 0;
	long migrated;

	ctl->gen = 0x71;
	fill();
	round_("before migration");
	for (i = 0; i < 16; i++)
		before[i] = pfn_of(qw(i * 97));
	if (!before[0]) {
		test_note("no PFNs in /proc/self/pagemap: soft offline skipped");
	} else {
		for (i = 0; i < 16; i++) {
			if (madvise(qw(i * 97), PAGE_SIZE, MADV_SOFT_OFFLINE)) {
				test_note("MADV_SOFT_OFFLINE: %s; skipped",
					  strerror(errno));
				break;
			}
			after = pfn_of(qw(i * 97));
			moved += after && after != before[i];
		}
		test_note("soft offline moved %u of 16 pages", moved);
		if (i == 16)
			TEST_ASSERT(moved == 16, "pages did not move");
	}
	round_("after soft offline");
	guest_write_round(0x72, "guest writes after soft offline");

	migrated = vmstat("pgmigrate_success");
	if (sysfs_write("/proc/sys/vm/compact_memory", 1))
		test_note("compact_memory: %s", strerror(errno));
	test_note("compaction migrated %ld pages system-wide",
		  vmstat("pgmigrate_success") - migrated);
	round_("after compaction");
	guest_write_round(0x73, "guest writes after compaction");
}

/* Pages of the slot that /proc/self/pagemap reports swapped out. */
static uint64_t swapped_out(void)
{
	uint64_t e, i, n = 0;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY);
	TEST_ASSERT(fd >= 0, "open pagemap");
	for (i = 0; i < NPAGES; i++) {
		TEST_ASSERT(pread(fd, &e, 8, (uintptr_t)qw(i) / PAGE_SIZE * 8) ==
			    8, "read pagemap");
		n += (e >> 62) & 1;
	}
	close(fd);
	return n;
}

/* Is some swap area on, with room for the slot? */
static bool swap_on(void)
{
	char line[256];
	long size, used;
	bool room = false;
	FILE *f = fopen("/proc/swaps", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %ld %ld", &size, &used) == 2 &&
		    (size - used) * 1024 > (long)SLOT_SIZE)
			room = true;
	fclose(f);
	return room;
}

/*
 * Swap the slot out; with swap on, most of it must go.  Reclaim keeps a
 * page whose accessed bit is set, the second-level one too (upstream
 * reports the guest's accesses through the notifier's young hooks), and
 * clears the bits as it looks: the guest is stopped, so a few passes do.
 */
static void page_out(const char *what)
{
	uint64_t n = 0;
	int pass;

	for (pass = 1; pass <= 3 && n <= NPAGES / 2; pass++) {
		TEST_ASSERT_OK(madvise(mem, SLOT_SIZE, MADV_PAGEOUT));
		n = swapped_out();
		test_note("%s, pass %d: %llu of %lu pages swapped out", what,
			  pass, (unsigned long long)n, NPAGES);
	}
	TEST_ASSERT(n > NPAGES / 2, "%s: only %llu pages left memory", what,
		    (unsigned long long)n);
}

static void test_swap(void)
{
	if (!swap_on()) {
		test_note("no swap with room for the slot: swap skipped");
		return;
	}
	ctl->gen = 0x81;
	ctl->w = 0x82;
	ctl->h = 0x83;
	fill();
	round_("before swap-out");
	page_out("first swap-out");
	round_("swapped back in by the guest");
	guest_write_round(0x84, "guest writes after swap-in");
	page_out("second swap-out");
	host_write(0x85);
	round_("host wrote swapped pages, guest reads");
}

static long anon_huge_kb(void)
{
	char line[128];
	long v = -1;
	FILE *f;

	f = fopen("/proc/self/smaps_rollup", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "AnonHugePages:", 14))
			v = strtol(line + 14, NULL, 10);
	fclose(f);
	return v;
}

static void test_thp(void)
{
	long kb;
	int r;

	ctl->gen = 0x81;
	ctl->w = 0x82;
	ctl->h = 0x83;
	replace_slot(true);
	kb = anon_huge_kb();
	test_note("AnonHugePages %ld kB after filling", kb);
	round_("THP-backed slot");
	guest_write_round(0x84, "guest writes THP-backed slot");

	/* Split every huge page: one 4 KiB page of each changes protection. */
	for (size_t off = 0; off < SLOT_SIZE; off += HUGE_SIZE)
		TEST_ASSERT_OK(mprotect(mem + off + 5 * PAGE_SIZE, PAGE_SIZE,
					PROT_READ));
	for (size_t off = 0; off < SLOT_SIZE; off += HUGE_SIZE)
		TEST_ASSERT_OK(mprotect(mem + off + 5 * PAGE_SIZE, PAGE_SIZE,
					PROT_READ | PROT_WRITE));
	test_note("AnonHugePages %ld kB after the split", anon_huge_kb());
	round_("after splitting");
	host_write(0x85);
	round_("host wrote after splitting");

	r = madvise(mem, SLOT_SIZE, MADV_COLLAPSE);
	if (r)
		test_note("MADV_COLLAPSE: %s", strerror(errno));
	test_note("AnonHugePages %ld kB after MADV_COLLAPSE", anon_huge_kb());
	round_("after collapsing");
	guest_write_round(0x86, "guest writes after collapsing");
	host_write(0x87);
	round_("host wrote after collapsing");

	TEST_ASSERT_OK(madvise(mem, SLOT_SIZE, MADV_NOHUGEPAGE));
	TEST_ASSERT_OK(madvise(mem, HUGE_SIZE, MADV_DONTNEED));
	fill();
	round_("after MADV_NOHUGEPAGE and discarding 2 MiB");
}

int main(void)
{
	struct kvm_regs regs;
	bool have_ksm;

	test_init("ksm");
	vm = vm_create();
	vcpu = vcpu_add(vm, 0);
	ctl = gpa2hva(vm, DATA_GPA);
	ctl->gen = 0x0123456789abcdefULL;
	ctl->w = 0x11;
	ctl->h = 0x22;
	map_slot_memory(false);
	fill();
	TEST_ASSERT_OK(vm_set_region(vm, SLOT, 0, SLOT_GPA, SLOT_SIZE, mem));
	vcpu_setup_long(vcpu, LOAD_GUEST(vm, g_check));
	vcpu_get_regs(vcpu, &regs);
	regs.r13 = SLOT_GPA;
	regs.r14 = NPAGES;
	vcpu_set_regs(vcpu, &regs);
	round_("initial contents");

	have_ksm = test_wanted("ksm_merge") && ksm_start();
	if (have_ksm) {
		RUN_SUBTEST("ksm_merge", test_ksm_merge());
		RUN_SUBTEST("ksm_guest_cow", test_ksm_guest_cow());
		RUN_SUBTEST("ksm_host_cow", test_ksm_host_cow());
		RUN_SUBTEST("ksm_race", test_ksm_race());
		stop_ksm_merging();
	} else {
		test_note("KSM not available (no writable " KSM_DIR
			  "run): KSM subtests skipped");
	}
	RUN_SUBTEST("dontneed", test_dontneed());
	RUN_SUBTEST("remap_slot", test_remap_slot());
	RUN_SUBTEST("migrate", test_migrate());
	RUN_SUBTEST("thp", test_thp());
	RUN_SUBTEST("swap", test_swap());

	TEST_ASSERT_OK(vm_set_region(vm, SLOT, 0, SLOT_GPA, 0, NULL));
	munmap(mem_area, mem_area_size);
	vcpu_free(vcpu);
	vm_destroy(vm);
	if (!have_ksm)
		test_skip("KSM not available; the other subtests passed");
	test_done();
}
