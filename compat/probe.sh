#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Print the -D flags of compat/compat.h for the kernel headers in $1 (the
# kernel source tree Kbuild calls srctree).  An API is detected by what
# its header declares, since distributions backport API changes.
src=$1

# has FILE REGEX MACRO: -DMACRO if FILE (under $src) matches REGEX.
has() {
	grep -qE "$2" "$src/$1" 2>/dev/null && printf ' -D%s' "$3"
}

has include/linux/syscore_ops.h 'void register_syscore\(struct syscore \*' \
	OKVM_HAVE_SYSCORE_DATA
echo
