/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few types and helpers that the instruction emulator and the guest
 * page-table walker need, so that the same sources build inside the kernel
 * module and in userspace (unit tests, fuzzer).  Nothing beyond fixed-width
 * integers, bool, memcpy/memset and errno values may be used by those files.
 */
#ifndef OKVM_FREESTANDING_H
#define OKVM_FREESTANDING_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>

#else /* !__KERNEL__ */

#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <stddef.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/* Set-up code the compiler may build for size, as in the kernel. */
#ifndef __cold
#define __cold __attribute__((__cold__))
#endif

/* The errno values the freestanding code returns (same numbers as Linux). */
#ifndef EAGAIN
#define EAGAIN 11
#endif
#ifndef EFAULT
#define EFAULT 14
#endif

#endif /* __KERNEL__ */

#endif /* OKVM_FREESTANDING_H */
