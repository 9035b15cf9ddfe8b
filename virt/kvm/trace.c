// SPDX-License-Identifier: GPL-2.0-only
/*
 * The architecture-neutral tracepoints of the "kvm" system, instantiated
 * once for kvm.ko (the events are in trace_core.h).
 */
#include <linux/string.h>

#define CREATE_TRACE_POINTS
#include "trace_core.h"
