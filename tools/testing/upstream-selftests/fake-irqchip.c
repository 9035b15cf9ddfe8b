// SPDX-License-Identifier: GPL-2.0-only
/*
 * okvm-fake-irqchip.so: an LD_PRELOAD shim for `run --fake-irqchip`, a
 * diagnostic mode.  It makes KVM_CREATE_IRQCHIP succeed without calling
 * the kernel; every other ioctl goes to libc's ioctl().
 *
 * The 6.1 selftest library creates an in-kernel irqchip in every VM, and
 * okvm has none yet, so almost every test stops there.  With this shim the
 * tests that do not actually use the in-kernel PIC/IOAPIC/LAPIC run on, and
 * show what okvm lacks (or gets wrong) behind the irqchip.  Results of this
 * mode never count as passes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/kvm.h>
#include <stdarg.h>

int ioctl(int fd, unsigned long request, ...)
{
	static int (*real_ioctl)(int, unsigned long, ...);
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (request == KVM_CREATE_IRQCHIP)
		return 0;
	if (!real_ioctl)
		real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	return real_ioctl(fd, request, arg);
}
