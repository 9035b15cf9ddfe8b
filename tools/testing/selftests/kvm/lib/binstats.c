// SPDX-License-Identifier: GPL-2.0
/*
 * Readers of a KVM_GET_STATS_FD file (the binary statistics), checking
 * its layout as they open it.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binstats.h"

struct kvm_stats_desc *desc_at(struct stats *s, unsigned int i)
{
	return (struct kvm_stats_desc *)(s->desc + i * s->dsize);
}

void stats_open(struct stats *s, int fd)
{
	s->fd = fd;
	TEST_ASSERT(s->fd >= 0, "KVM_GET_STATS_FD failed");
	TEST_ASSERT_EQ(pread(s->fd, &s->h, sizeof(s->h), 0),
		       (ssize_t)sizeof(s->h));
	TEST_ASSERT_EQ(s->h.name_size, NAME_SIZE);
	TEST_ASSERT_EQ(s->h.id_offset, sizeof(s->h));
	TEST_ASSERT_EQ(s->h.desc_offset, s->h.id_offset + NAME_SIZE);
	s->dsize = sizeof(struct kvm_stats_desc) + NAME_SIZE;
	TEST_ASSERT_EQ(s->h.data_offset,
		       s->h.desc_offset + s->h.num_desc * s->dsize);
	TEST_ASSERT_EQ(pread(s->fd, s->id, NAME_SIZE, s->h.id_offset),
		       NAME_SIZE);
	s->desc = calloc(s->h.num_desc, s->dsize);
	TEST_ASSERT(s->desc, "calloc");
	TEST_ASSERT_EQ(pread(s->fd, s->desc, s->h.num_desc * s->dsize,
			     s->h.desc_offset),
		       (ssize_t)(s->h.num_desc * s->dsize));
}

void stats_close(struct stats *s)
{
	free(s->desc);
	TEST_ASSERT_OK(close(s->fd));
	TEST_ASSERT(fcntl(s->fd, F_GETFD) == -1, "stats fd still open");
}

/* The index of the counter called @name, or -1. */
int stat_index(struct stats *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->h.num_desc; i++)
		if (!strcmp(desc_at(s, i)->name, name))
			return i;
	return -1;
}

uint64_t stat_read(struct stats *s, const char *name)
{
	int i = stat_index(s, name);
	uint64_t v;

	TEST_ASSERT(i >= 0, "no counter %s", name);
	TEST_ASSERT_EQ(pread(s->fd, &v, sizeof(v),
			     s->h.data_offset + desc_at(s, i)->offset),
		       (ssize_t)sizeof(v));
	return v;
}
