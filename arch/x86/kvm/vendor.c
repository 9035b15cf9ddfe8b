// SPDX-License-Identifier: GPL-2.0-only
/*
 * The x86 vendor registration: kvm-amd.ko (SVM) or kvm-intel.ko (VMX)
 * hands kvm.ko its ops table, one vendor at a time.  The ops become
 * okvm_vendor, which the x86 code calls into, and the vendor becomes the
 * back end of the generic core (virt/kvm/main.c), which enables the
 * extension on every CPU through the vendor's hooks and creates /dev/kvm.
 */
#include <linux/module.h>
#include <linux/mutex.h>

#include "kvm_core.h"
#include "vendor.h"

/* Set before /dev/kvm exists, cleared after it is gone: every VM sees it. */
const struct okvm_x86_ops *okvm_vendor;
EXPORT_SYMBOL_GPL(okvm_vendor);

static DEFINE_MUTEX(okvm_vendor_lock);	/* okvm_vendor, okvm_x86_backend */
static struct okvm_backend okvm_x86_backend;

/**
 * okvm_x86_register - a vendor module offers its ops
 * @ops: the vendor's ops table, static for the module's lifetime
 * @owner: the vendor module, pinned by every file we hand out
 *
 * Process context, may sleep.  0, -EEXIST while another vendor is
 * registered, or the error of okvm_register_backend().
 */
int okvm_x86_register(const struct okvm_x86_ops *ops, struct module *owner)
{
	int r;

	mutex_lock(&okvm_vendor_lock);
	r = -EEXIST;
	if (okvm_vendor)
		goto out;
	okvm_x86_backend = (struct okvm_backend) {
		.name = ops->name,
		.owner = owner,
		.hardware_enable = ops->hardware_enable,
		.hardware_disable = ops->hardware_disable,
	};
	okvm_vendor = ops;
	r = okvm_register_backend(&okvm_x86_backend);
	if (r)
		okvm_vendor = NULL;
out:
	mutex_unlock(&okvm_vendor_lock);
	return r;
}
EXPORT_SYMBOL_GPL(okvm_x86_register);

/**
 * okvm_x86_unregister - undo okvm_x86_register
 * @ops: the table passed to okvm_x86_register()
 *
 * Called from the vendor's module exit, which the module refcount only lets
 * happen when no file of ours is open.
 */
void okvm_x86_unregister(const struct okvm_x86_ops *ops)
{
	mutex_lock(&okvm_vendor_lock);
	if (okvm_vendor == ops) {
		okvm_unregister_backend(&okvm_x86_backend);
		okvm_vendor = NULL;
	}
	mutex_unlock(&okvm_vendor_lock);
}
EXPORT_SYMBOL_GPL(okvm_x86_unregister);
