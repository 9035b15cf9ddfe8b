// SPDX-License-Identifier: GPL-2.0
/*
 * trace: the kvm trace events as tools read them through tracefs, on
 * either vendor (skipped when tracefs has no kvm system).  The events are
 * switched on before the VM exists and off after it is gone, for this
 * process only (set_event_pid), and tracing is left off and empty.
 *
 *   format  kvm_exit has the fields perf kvm stat reads (exit_reason,
 *           isa, vcpu_id, guest_rip, info1, info2), kvm_entry a vcpu_id
 *   exits   a guest does 40 CPUIDs of leaf 0 and 3 OUTs to port 0x80,
 *           then DONE: the trace holds exactly 40 kvm_exit lines whose
 *           reason is CPUID (SVM's name "cpuid", VMX's "CPUID"), 40
 *           kvm_cpuid lines of leaf 0 and 3 kvm_pio writes to 0x80
 *   isa     the same guest with kvm_exit filtered on isa: the loaded
 *           vendor's value (VMX 1, SVM 2, as perf kvm stat decodes them)
 *           keeps the 40 CPUID exits, the other vendor's leaves none
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "kvm_util.h"
#include "x86.h"

#define TRACEFS		"/sys/kernel/tracing"
#define CPUIDS		40
#define TRACE_MAX	(1 << 20)

GUEST_CODE(g_cpuids, 64,
	"\tmov $" STR(CPUIDS) ", %r8d\n"
	"1:\txor %eax, %eax\n\txor %ecx, %ecx\n\tcpuid\n"
	"\tdec %r8d\n\tjnz 1b\n"
	"\tmov $0x80, %dx\n"
	"\tout %al, %dx\n\tout %al, %dx\n\tout %al, %dx\n"
	G_DONE);

/* Write @val to tracefs file @rel (O_TRUNC); the write's result. */
static ssize_t trace_put(const char *rel, const char *val)
{
	char path[128];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), TRACEFS "/%s", rel);
	fd = open(path, O_WRONLY | O_TRUNC);
	TEST_ASSERT(fd >= 0, "open %s", path);
	r = *val ? write(fd, val, strlen(val)) : 0;
	close(fd);
	return r;
}

static void trace_set(const char *rel, const char *val)
{
	TEST_ASSERT_EQ(trace_put(rel, val), (ssize_t)strlen(val));
}

/* The whole of tracefs file @rel, NUL-terminated; free() it. */
static char *trace_read(const char *rel)
{
	char path[128], *buf = malloc(TRACE_MAX);
	size_t len = 0;
	ssize_t r;
	int fd;

	TEST_ASSERT(buf, "malloc");
	snprintf(path, sizeof(path), TRACEFS "/%s", rel);
	fd = open(path, O_RDONLY);
	TEST_ASSERT(fd >= 0, "open %s", path);
	while ((r = read(fd, buf + len, TRACE_MAX - 1 - len)) > 0)
		len += r;
	TEST_ASSERT(r == 0, "read %s", path);
	close(fd);
	buf[len] = 0;
	return buf;
}

/* Lines of @text that hold every one of @a and @b (@b may be NULL). */
static unsigned int count_lines(const char *text, const char *a,
				const char *b)
{
	unsigned int n = 0;
	const char *line = text, *end;
	char tmp[512];

	for (; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		snprintf(tmp, sizeof(tmp), "%.*s", (int)(end - line), line);
		if (strstr(tmp, a) && (!b || strcasestr(tmp, b)))
			n++;
	}
	return n;
}

static const char *const kvm_events[] = { "kvm_exit", "kvm_cpuid",
					  "kvm_pio" };

static void events_enable(const char *on)
{
	char rel[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kvm_events); i++) {
		snprintf(rel, sizeof(rel), "events/kvm/%s/enable",
			 kvm_events[i]);
		trace_set(rel, on);
	}
}

/*
 * Run the CPUID guest with the events on, kvm_exit filtered by @filter
 * ("" for none); returns the trace, which the caller frees.
 */
static char *trace_guest(const char *filter)
{
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	char pid[16];
	char *text;

	trace_set("tracing_on", "0");
	trace_set("trace", "");
	snprintf(pid, sizeof(pid), "%d", getpid());
	trace_set("set_event_pid", pid);
	/* "0" clears a filter. */
	trace_set("events/kvm/kvm_exit/filter", *filter ? filter : "0");
	events_enable("1");
	trace_set("tracing_on", "1");

	vm = vm_create();
	vcpu = vcpu_add_long(vm, 0, LOAD_GUEST(vm, g_cpuids));
	vcpu_expect_outs(vcpu, 0x80, 3);
	vcpu_expect_done(vcpu);
	vcpu_free(vcpu);
	vm_destroy(vm);

	trace_set("tracing_on", "0");
	events_enable("0");
	trace_set("events/kvm/kvm_exit/filter", "0");
	trace_set("set_event_pid", "");
	text = trace_read("trace");
	trace_set("trace", "");
	return text;
}

static void test_format(void)
{
	static const char *const exit_fields[] = { "exit_reason;", "isa;",
		"vcpu_id;", "guest_rip;", "info1;", "info2;" };
	char *f = trace_read("events/kvm/kvm_exit/format");
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(exit_fields); i++)
		TEST_ASSERT(strstr(f, exit_fields[i]),
			    "kvm_exit has no field %s", exit_fields[i]);
	free(f);
	f = trace_read("events/kvm/kvm_entry/format");
	TEST_ASSERT(strstr(f, "vcpu_id;"), "kvm_entry has no vcpu_id");
	free(f);
}

static void test_exits(void)
{
	char *t = trace_guest("");
	unsigned int exits = count_lines(t, "kvm_exit: ", " reason cpuid ");
	unsigned int leaf0 = count_lines(t, "kvm_cpuid: func 0 ", NULL);
	unsigned int pio = count_lines(t, "kvm_pio: pio_write at 0x80 ", NULL);

	test_note("CPUID exits %u, kvm_cpuid leaf 0 %u, pio 0x80 %u",
		  exits, leaf0, pio);
	TEST_ASSERT_EQ(exits, CPUIDS);
	TEST_ASSERT_EQ(leaf0, CPUIDS);
	TEST_ASSERT_EQ(pio, 3);
	free(t);
}

static void test_isa(void)
{
	bool vmx = !access("/sys/module/kvm_intel", F_OK);
	char *mine, *other;

	if (!vmx && access("/sys/module/kvm_amd", F_OK))
		test_skip("neither kvm_intel nor kvm_amd is loaded");
	mine = trace_guest(vmx ? "isa == 1" : "isa == 2");
	other = trace_guest(vmx ? "isa == 2" : "isa == 1");
	TEST_ASSERT_EQ(count_lines(mine, "kvm_exit: ", " reason cpuid "),
		       CPUIDS);
	TEST_ASSERT_EQ(count_lines(other, "kvm_exit: ", NULL), 0);
	/* The filter is kvm_exit's alone. */
	TEST_ASSERT_EQ(count_lines(other, "kvm_cpuid: func 0 ", NULL), CPUIDS);
	free(mine);
	free(other);
}

int main(void)
{
	test_init("trace");
	if (access(TRACEFS "/events/kvm", F_OK))
		mount("nodev", TRACEFS, "tracefs", 0, NULL);
	if (access(TRACEFS "/events/kvm/kvm_exit", F_OK))
		test_skip("no kvm events in " TRACEFS);
	RUN_SUBTEST("format", test_format());
	RUN_SUBTEST("exits", test_exits());
	RUN_SUBTEST("isa", test_isa());
	test_done();
}
