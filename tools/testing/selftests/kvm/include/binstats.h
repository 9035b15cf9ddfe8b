/* SPDX-License-Identifier: GPL-2.0 */
/* The binary statistics of a VM or vCPU (KVM_GET_STATS_FD), lib/binstats.c. */
#ifndef SELFTEST_BINSTATS_H
#define SELFTEST_BINSTATS_H

#include "kvm_util.h"

/* The name size of upstream's header, for ids and descriptors. */
#define NAME_SIZE	48

struct stats {
	int fd;
	struct kvm_stats_header h;
	char id[NAME_SIZE];
	char *desc;		/* num_desc descriptors of dsize bytes */
	size_t dsize;
};

struct kvm_stats_desc *desc_at(struct stats *s, unsigned int i);
/* Opens @fd (asserting it is one) and checks the header's layout. */
void stats_open(struct stats *s, int fd);
void stats_close(struct stats *s);
/* The index of the counter called @name, or -1. */
int stat_index(struct stats *s, const char *name);
/* The first u64 of counter @name; asserts that it exists. */
uint64_t stat_read(struct stats *s, const char *name);

#endif
