// SPDX-License-Identifier: GPL-2.0-only
/*
 * The x86 tracepoints of the "kvm" system, instantiated once for kvm.ko
 * (the events are in trace_x86.h).
 */
#include "kvm_core.h"
#include "x86.h"

#define CREATE_TRACE_POINTS
#include "trace_x86.h"
