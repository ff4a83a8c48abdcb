/*
 * Shards: a corpus split over several machines.  A rule sends every post,
 * with all its versions, to exactly one shard: by a hash of the post's id
 * (shard K of N), or by the month of its time (UTC).  Each shard is a
 * complete corpus whose quire.json records its rule and its place; it
 * keeps its own posts and counts the others as "elsewhere".  How a shard
 * is found by the hash is written down in docs/SCALE.md, so that anyone can
 * tell where a post went without quire.
 */
#ifndef QR_SHARD_H
#define QR_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "post.h"

enum qr_shard_kind {
	QR_SHARD_NONE = 0,     /* a whole corpus */
	QR_SHARD_HASH,         /* shard k of n by the post id's sha256 */
	QR_SHARD_MONTH         /* the posts of some months (UTC) */
};

typedef struct qr_month_range {
	int32_t lo, hi;        /* months (year * 12 + month - 1), inclusive */
} qr_month_range;

typedef struct qr_shard_rule {
	int kind;
	uint32_t k, n;         /* hash: 1 <= k <= n */
	qr_month_range *ranges; /* month: sorted, not overlapping */
	size_t nranges;
	bool undated;          /* month: the posts without a time too */
	char *place;           /* the place, written the canonical way */
} qr_shard_rule;

/* The names of the rules, for --shard-by and quire.json: "hash", "month". */
const char *qr_shard_kind_name(int kind);

/*
 * Read a rule: by "hash" (place "K/N", 1 <= K <= N <= 4096) or "month"
 * (place: months "2020-06", ranges "2020-01..2020-06", open ranges
 * "..2019-12" and "2021-01..", and "undated" for posts without a time,
 * separated by commas).  QR_USAGE with the reason in err.  The rule's
 * place is rewritten the canonical way (ranges sorted and merged).
 */
int qr_shard_rule_parse(const char *by, const char *place, qr_shard_rule *r, qr_buf *err);
void qr_shard_rule_clear(qr_shard_rule *r);
/* Deep copy. */
void qr_shard_rule_copy(qr_shard_rule *dst, const qr_shard_rule *src);

/* Does the post belong to this shard?  (Always, for QR_SHARD_NONE.) */
bool qr_shard_keeps(const qr_shard_rule *r, const char *post_id, int64_t created);
/* The shard (1..n) a post id hashes to. */
uint32_t qr_shard_of(const char *post_id, uint32_t n);

bool qr_shard_rule_equal(const qr_shard_rule *a, const qr_shard_rule *b);
/* Can a post belong to both?  (Rules of two kinds never go together.) */
bool qr_shard_rules_overlap(const qr_shard_rule *a, const qr_shard_rule *b);

#endif
