/*
 * JSON lines (or a JSON array of objects) through the mapping given with
 * --mapping (indexer/mapping.h).  It bids only when that mapping reads
 * JSON and its required keys show in the input's first bytes: the user
 * asked for it, so it outbids the built-in readers.
 *
 * The record is the JSON object exactly as in the file; reading it again
 * from the store needs the same mapping (its name and sha256 are in each
 * post's provenance).
 */
#include <string.h>

#include "format.h"
#include "json.h"
#include "mapping.h"
#include "reader_util.h"
#include "status.h"

static int bid(const char *head, size_t n, const char *member)
{
	(void)member;
	char c = qr_head_first(head, n);
	if (c != '{' && c != '[')
		return 0;
	return qr_mapping_json_head(head, n) ? 97 : 0;
}

static int normalize(const char *data, size_t len, qr_posts *out, qr_buf *why)
{
	cJSON *o = qr_parse_object(data, len, why);
	if (!o)
		return QR_BAD_INPUT;
	int st = QR_BAD_INPUT;
	const qr_mapping *m;
	if (!qr_mapping_user() || strcmp(qr_mapping_input(qr_mapping_user()), "jsonl") != 0) {
		qr_buf_setf(why, "JSON lines read through a mapping need it: give it with --mapping");
	} else if (!(m = qr_mapping_for_json(o))) {
		qr_buf_setf(why, "record lacks a path the mapping '%s' requires", qr_mapping_name(qr_mapping_user()));
	} else {
		st = qr_mapping_apply_json(m, o, out, why);
	}
	cJSON_Delete(o);
	return st;
}

const qr_format qr_format_jsonl = {
	.name = "jsonl",
	.description = "JSON lines through the mapping given with --mapping (schemas/mapping.schema.json)",
	.bid = bid,
	.next = NULL,
	.normalize = normalize,
};
