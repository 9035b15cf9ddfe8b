// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86's files in a vCPU's debugfs directory (virt/kvm/debugfs.c makes
 * kvm/<pid>-<fd>/vcpuN and calls okvm_arch_vcpu_debugfs()).
 */
#include <linux/debugfs.h>

#include "kvm_core.h"

void okvm_arch_vcpu_debugfs(struct okvm_vcpu *vcpu, struct dentry *dir)
{
}
