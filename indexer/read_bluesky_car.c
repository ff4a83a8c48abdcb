/*
 * Bluesky repo exports (com.atproto.sync.getRepo, the app's "export my
 * data"): a CAR v1 file.  A CAR is a varint-framed header (DAG-CBOR
 * {"roots": [CID], "version": 1}) and then sections, each a varint length,
 * a binary CID and the block it names.  The root is the repo's signed
 * commit {did, version, data, rev, prev, sig}; "data" is the root of a
 * Merkle search tree (MST) whose nodes {"l": CID, "e": [{"p", "k", "v",
 * "t"}]} map keys "<collection>/<rkey>" to the CIDs of the record blocks.
 * Keys are prefix-compressed: an entry's key is the first p bytes of the
 * entry before it in the node, then k.  Blocks come in any order (a PDS
 * sends them sorted by CID), so a record's key is known only once the
 * tree has arrived.
 *
 * So the CAR is streamed block by block, never held whole: each block is
 * checked against its CID (sha256), tree nodes (small) are kept, records of
 * posts and reposts are held, other records (likes, follows, blocks,
 * lists, unknown collections) go on at once and are counted as records
 * without posts.  At the end of the file the tree is walked from the
 * commit (each node once: a loop or a shared subtree is reported, never
 * followed twice), and the posts are sent in key order.
 *
 * The stored record is the DAG-CBOR block exactly as it came, so the
 * sha256 of `quire show --raw` is the digest its CID names.  What a block
 * cannot say about itself (the account's DID, its key in the tree, the
 * display name from the profile record) travels in context records
 * (format.h), one before every QR_CAR_CHUNK posts:
 *
 *   {"context": "bluesky-car", "version": 1, "did", "rev", "commit": CID,
 *    "name": display name, "keys": {"<record CID>": "<collection>/<rkey>"}}
 *
 * and normalize finds a block's key by the CID of its bytes.  Repos of
 * format v2 (2023) are read alike; their posts may carry "entities"
 * instead of facets.  CAR v2 files (a v1 inside an index) are not read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_reader.h"
#include "bluesky.h"
#include "cid.h"
#include "dagcbor.h"
#include "format.h"
#include "hash.h"
#include "reader_util.h"
#include "status.h"
#include "text.h"

#define NAME "bluesky-car"
/* Posts after one context record. */
#define QR_CAR_CHUNK 1000
/* Deepest tree walked (a repo of millions of records is about 12 deep). */
#define MAX_TREE_DEPTH 128
/* Longest key of the tree read. */
#define MAX_KEY 1024
/* Largest header. */
#define MAX_HEADER 65536

/* ---- a map from a sha256 digest to a number ---- */

typedef struct digest_map {
	struct slot {
		uint8_t digest[QR_SHA256_LEN];
		size_t value;       /* SIZE_MAX: empty */
	} *v;
	size_t cap, n;
} digest_map;

static size_t slot_of(const digest_map *m, const uint8_t *digest)
{
	size_t h;
	memcpy(&h, digest, sizeof(h));
	for (h &= m->cap - 1;; h = (h + 1) & (m->cap - 1))
		if (m->v[h].value == SIZE_MAX || memcmp(m->v[h].digest, digest, QR_SHA256_LEN) == 0)
			return h;
}

static void map_put(digest_map *m, const uint8_t *digest, size_t value);

static void map_grow(digest_map *m)
{
	digest_map bigger = { NULL, m->cap ? 2 * m->cap : 64, 0 };
	bigger.v = qr_malloc(bigger.cap * sizeof(*bigger.v));
	for (size_t i = 0; i < bigger.cap; i++)
		bigger.v[i].value = SIZE_MAX;
	for (size_t i = 0; i < m->cap; i++)
		if (m->v[i].value != SIZE_MAX)
			map_put(&bigger, m->v[i].digest, m->v[i].value);
	free(m->v);
	*m = bigger;
}

/* Put (or replace) a value. */
static void map_put(digest_map *m, const uint8_t *digest, size_t value)
{
	if (2 * (m->n + 1) > m->cap)
		map_grow(m);
	size_t s = slot_of(m, digest);
	if (m->v[s].value == SIZE_MAX)
		m->n++;
	memcpy(m->v[s].digest, digest, QR_SHA256_LEN);
	m->v[s].value = value;
}

static size_t map_get(const digest_map *m, const uint8_t *digest)
{
	return m->cap ? m->v[slot_of(m, digest)].value : SIZE_MAX;
}

static void map_release(digest_map *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* ---- one CAR being read ---- */

struct car {
	qr_archive *a;
	const char *member;
	qr_stream *s;
	uint64_t offset;            /* bytes of the CAR read so far */
	qr_cid root;
	bool have_root;
	qr_buf section;
	qr_buf nodes;               /* tree nodes' blocks, one after another */
	digest_map node_at;         /* digest -> offset in nodes (length first) */
	struct commit {
		uint8_t digest[QR_SHA256_LEN];
		char *did, *rev, *data;
	} *commits;
	size_t ncommits, acommits;
	qr_held posts;
	digest_map post_at;         /* digest -> index in posts */
	char *name;                 /* display name from the profile record */
	bool over_buffer;
	uint64_t bad_blocks;
};

/* The held bytes (posts and nodes) pass the archive buffer. */
static bool over_buffer(struct car *c, size_t more)
{
	if (c->posts.bytes.len + c->nodes.len + more <= c->a->max_buffer)
		return false;
	if (!c->over_buffer)
		qr_archive_note(c->a, QR_WARN, c->member,
				"the repo's posts and tree pass %llu bytes (limit max_archive_buffer): the posts "
				"after that are rejected",
				(unsigned long long)c->a->max_buffer);
	c->over_buffer = true;
	return true;
}

static bool read_exact(struct car *c, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = qr_stream_read(c->s, (char *)buf + got, n - got);
		if (k <= 0)
			return false;
		got += (size_t)k;
	}
	c->offset += n;
	return true;
}

/* A section's length: QR_OK, QR_END (the file ends cleanly) or QR_IO. */
static int read_varint(struct car *c, uint64_t *v, qr_buf *why)
{
	uint8_t b[10];
	size_t n = 0;
	for (;;) {
		ssize_t k = qr_stream_read(c->s, b + n, 1);
		if (k < 0) {
			qr_buf_setf(why, "%s", c->s->err.buf);
			return QR_IO;
		}
		if (k == 0) {
			if (!n)
				return QR_END;
			qr_buf_setf(why, "the file ends inside a section's length at byte %llu",
				    (unsigned long long)c->offset);
			return QR_IO;
		}
		n++;
		if (!(b[n - 1] & 0x80))
			break;
		if (n == 9) {
			qr_buf_setf(why, "a section's length is longer than 9 bytes at byte %llu",
				    (unsigned long long)c->offset);
			return QR_IO;
		}
	}
	if (!qr_varint_read(b, n, v)) {
		qr_buf_setf(why, "a section's length is not a minimal varint at byte %llu", (unsigned long long)c->offset);
		return QR_IO;
	}
	c->offset += n;
	return QR_OK;
}

/* Skip n bytes of a section too long to keep; false when the file ends
 * first. */
static bool skip(struct car *c, uint64_t n)
{
	char buf[65536];
	while (n) {
		size_t k = n < sizeof(buf) ? (size_t)n : sizeof(buf);
		if (!read_exact(c, buf, k))
			return false;
		n -= k;
	}
	return true;
}

static bool read_header(struct car *c)
{
	qr_buf why = QR_BUF_INIT;
	uint64_t len;
	cJSON *h = NULL;
	bool ok = false;
	int st = read_varint(c, &len, &why);
	if (st != QR_OK) {
		qr_archive_note(c->a, QR_FAILED, c->member, "not a CAR file: %s",
				st == QR_END ? "it is empty" : why.buf);
		goto out;
	}
	if (len == 0 || len > MAX_HEADER) {
		qr_archive_note(c->a, QR_FAILED, c->member, "not a CAR file: a header of %llu bytes",
				(unsigned long long)len);
		goto out;
	}
	qr_buf_reset(&c->section);
	qr_buf_grow(&c->section, (size_t)len);
	if (!read_exact(c, c->section.buf, (size_t)len)) {
		qr_archive_note(c->a, QR_FAILED, c->member, "the file ends inside the CAR header (%llu bytes)",
				(unsigned long long)len);
		goto out;
	}
	if (qr_dagcbor_to_json((const uint8_t *)c->section.buf, (size_t)len, &h, &why)) {
		qr_archive_note(c->a, QR_FAILED, c->member, "the CAR header is not DAG-CBOR: %s", why.buf);
		goto out;
	}
	int64_t version = 0;
	qr_json_int(h, "version", &version);
	if (version != 1) {
		qr_archive_note(c->a, QR_FAILED, c->member, "CAR version %lld is not read (only version 1)",
				(long long)version);
		goto out;
	}
	const char *root = qr_json_str(h, "roots.0.$link");
	const cJSON *roots = qr_json_get(h, "roots");
	if (cJSON_IsArray(roots) && cJSON_IsObject(roots->child))
		root = qr_json_str(roots->child, "$link");
	c->have_root = root && qr_cid_parse(root, &c->root);
	if (!c->have_root)
		qr_archive_note(c->a, QR_WARN, c->member, "the CAR header names no root: no commit to read keys from");
	ok = true;
out:
	cJSON_Delete(h);
	qr_buf_release(&why);
	return ok;
}

static void keep_commit(struct car *c, const uint8_t *digest, const cJSON *v)
{
	c->commits = qr_grow_array(c->commits, sizeof(*c->commits), c->ncommits + 1, &c->acommits);
	struct commit *k = &c->commits[c->ncommits++];
	memcpy(k->digest, digest, QR_SHA256_LEN);
	k->did = qr_strdup(qr_json_str(v, "did"));
	const char *rev = qr_json_str(v, "rev");
	k->rev = rev ? qr_strdup(rev) : NULL;
	k->data = qr_strdup(qr_json_str(v, "data.$link"));
}

/* One block, its CID checked: a tree node, a commit, or a record. */
static int take_block(struct car *c, const qr_cid *cid, const char *data, size_t len, uint64_t at)
{
	qr_buf why = QR_BUF_INIT;
	cJSON *v = NULL;
	int rc = 0;
	if (cid->codec != QR_CID_DAG_CBOR)
		goto out;   /* a blob's bytes: nothing to read */
	if (qr_dagcbor_to_json((const uint8_t *)data, len, &v, &why)) {
		c->bad_blocks++;
		c->a->sink->reject(c->a, c->member, 0, at, why.buf);
		goto out;
	}
	const char *type = qr_json_str(v, "$type");
	qr_frame f = { data, len, 0, at };
	if (type) {
		if (strcmp(type, "app.bsky.actor.profile") == 0) {
			const char *name = qr_json_str(v, "displayName");
			if (name && *name && !c->name)
				c->name = qr_strdup(name);
		}
		if (!qr_bsky_makes_post(type)) {
			/* Counted as a record without a post, not kept. */
			rc = c->a->sink->record(c->a, c->member, &f);
		} else if (!over_buffer(c, len) && map_get(&c->post_at, cid->digest) == SIZE_MAX) {
			map_put(&c->post_at, cid->digest, c->posts.n);
			qr_held_add(&c->posts, c->member, &f);
		} else if (c->over_buffer) {
			c->a->sink->reject(c->a, c->member, 0, at, "the repo's posts pass max_archive_buffer");
		}
	} else if (cJSON_IsArray(qr_json_get(v, "e")) && qr_json_get(v, "l")) {
		if (!over_buffer(c, len) && map_get(&c->node_at, cid->digest) == SIZE_MAX) {
			map_put(&c->node_at, cid->digest, c->nodes.len);
			uint64_t n = len;
			qr_buf_add(&c->nodes, &n, sizeof(n));
			qr_buf_add(&c->nodes, data, len);
		}
	} else if (qr_json_str(v, "did") && qr_json_str(v, "data.$link") && qr_json_get(v, "version")) {
		keep_commit(c, cid->digest, v);
	}
out:
	cJSON_Delete(v);
	qr_buf_release(&why);
	return rc;
}

/* The sections, to the end of the file: QR_OK, or the sink's error. */
static int read_sections(struct car *c)
{
	qr_buf why = QR_BUF_INIT;
	int rc = 0;
	uint8_t sha[QR_SHA256_LEN];
	for (;;) {
		uint64_t at = c->offset, len;
		qr_buf_reset(&why);
		int st = read_varint(c, &len, &why);
		if (st == QR_END)
			break;
		if (st != QR_OK) {
			qr_archive_note(c->a, QR_FAILED, c->member, "cannot read further: %s", why.buf);
			break;
		}
		if (len > c->a->max_record) {
			qr_buf_setf(&why, "a section of %llu bytes (more than max_record, %zu)", (unsigned long long)len,
				    c->a->max_record);
			c->a->sink->reject(c->a, c->member, 0, at, why.buf);
			if (!skip(c, len)) {
				qr_archive_note(c->a, QR_FAILED, c->member,
						"the file ends inside the section of %llu bytes that starts at byte %llu",
						(unsigned long long)len, (unsigned long long)at);
				break;
			}
			continue;
		}
		qr_buf_reset(&c->section);
		qr_buf_grow(&c->section, (size_t)len + 1);
		if (!read_exact(c, c->section.buf, (size_t)len)) {
			qr_archive_note(c->a, QR_FAILED, c->member,
					"the file ends inside the block of %llu bytes that starts at byte %llu (truncated)",
					(unsigned long long)len, (unsigned long long)at);
			break;
		}
		qr_cid cid;
		size_t k = qr_cid_read((const uint8_t *)c->section.buf, (size_t)len, &cid, &why);
		if (!k) {
			c->bad_blocks++;
			c->a->sink->reject(c->a, c->member, 0, at, why.buf);
			continue;
		}
		const char *data = c->section.buf + k;
		size_t n = (size_t)len - k;
		qr_sha256(data, n, sha);
		qr_buf_reset(&why);
		if (!qr_cid_matches(&cid, sha, &why)) {
			c->bad_blocks++;
			qr_buf ctext = QR_BUF_INIT;
			qr_cid_format(&cid, &ctext);
			qr_buf_addf(&why, " (block %s)", ctext.buf);
			c->a->sink->reject(c->a, c->member, 0, at, why.buf);
			qr_buf_release(&ctext);
			continue;
		}
		if ((rc = take_block(c, &cid, data, n, at)))
			break;
	}
	qr_buf_release(&why);
	return rc;
}

/* ---- walking the tree ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* {"$bytes": base64} into out. */
static bool bytes_of(const cJSON *v, qr_buf *out)
{
	const char *s = qr_json_str(v, "$bytes");
	uint32_t acc = 0;
	int bits = 0;
	if (!s)
		return false;
	qr_buf_reset(out);
	for (; *s && *s != '='; s++) {
		const char *at = strchr(b64, *s);
		if (!at)
			return false;
		acc = acc << 6 | (uint32_t)(at - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			qr_buf_addch(out, (int)(acc >> bits & 0xff));
		}
	}
	return true;
}

static bool link_digest(const cJSON *v, uint8_t *digest)
{
	qr_cid cid;
	if (!qr_cid_parse(qr_json_str(v, "$link"), &cid) || cid.hash != QR_MH_SHA256 ||
	    cid.digest_len != QR_SHA256_LEN)
		return false;
	memcpy(digest, cid.digest, QR_SHA256_LEN);
	return true;
}

struct walk {
	struct car *c;
	digest_map seen;
	/* (key, record) pairs in key order */
	qr_strv keys;
	size_t *post;               /* index in posts for each key */
	size_t npost, apost;
	uint64_t missing_nodes, missing_records, loops, bad_nodes;
	int depth_hit;
};

/* A node still to open. */
struct step {
	uint8_t digest[QR_SHA256_LEN];
	int depth;
};

static void found(struct walk *w, const char *key, const uint8_t *value)
{
	size_t i = map_get(&w->c->post_at, value);
	const char *slash = strchr(key, '/');
	if (!slash)
		return;
	if (i == SIZE_MAX) {
		/* Records of posts the file lacks (a partial export). */
		char *collection = qr_strndup(key, (size_t)(slash - key));
		if (qr_bsky_makes_post(collection))
			w->missing_records++;
		free(collection);
		return;
	}
	qr_strv_push(&w->keys, key);
	w->post = qr_grow_array(w->post, sizeof(*w->post), w->npost + 1, &w->apost);
	w->post[w->npost++] = i;
}

/* One node: its entries' keys found, its subtrees (left, and right of
 * each entry) pushed to be opened.  The keys are sorted afterwards, so the
 * order of the walk does not matter. */
static void open_node(struct walk *w, struct step **stack, size_t *n, size_t *alloc, const struct step *s)
{
	struct car *c = w->c;
	size_t at = map_get(&c->node_at, s->digest);
	if (at == SIZE_MAX) {
		w->missing_nodes++;
		return;
	}
	if (map_get(&w->seen, s->digest) != SIZE_MAX) {
		w->loops++;
		return;
	}
	map_put(&w->seen, s->digest, 1);
	if (s->depth >= MAX_TREE_DEPTH) {
		w->depth_hit++;
		return;
	}
	uint64_t len;
	memcpy(&len, c->nodes.buf + at, sizeof(len));
	cJSON *node = NULL;
	qr_buf why = QR_BUF_INIT, k = QR_BUF_INIT, key = QR_BUF_INIT;
	if (qr_dagcbor_to_json((const uint8_t *)c->nodes.buf + at + sizeof(len), (size_t)len, &node, &why)) {
		w->bad_nodes++;
		goto out;
	}
	const cJSON *entries = qr_json_get(node, "e"), *e;
	size_t count = (size_t)cJSON_GetArraySize(entries), base = *n;
	*stack = qr_grow_array(*stack, sizeof(**stack), *n + 2 * count + 1, alloc);
	struct step *out = *stack + base;
	size_t m = 0;
	uint8_t d[QR_SHA256_LEN];
	if (cJSON_IsObject(qr_json_get(node, "l")) && link_digest(qr_json_get(node, "l"), d)) {
		out[m] = (struct step){ { 0 }, s->depth + 1 };
		memcpy(out[m++].digest, d, QR_SHA256_LEN);
	}
	cJSON_ArrayForEach(e, entries)
	{
		int64_t p = -1;
		if (!qr_json_int(e, "p", &p) || p < 0 || (uint64_t)p > key.len || !bytes_of(qr_json_get(e, "k"), &k) ||
		    (size_t)p + k.len > MAX_KEY || !link_digest(qr_json_get(e, "v"), d)) {
			w->bad_nodes++;
			break;
		}
		qr_buf_setlen(&key, (size_t)p);
		qr_buf_add(&key, k.buf, k.len);
		found(w, key.buf, d);
		const cJSON *t = qr_json_get(e, "t");
		if (cJSON_IsObject(t) && link_digest(t, d)) {
			out[m] = (struct step){ { 0 }, s->depth + 1 };
			memcpy(out[m++].digest, d, QR_SHA256_LEN);
		}
	}
	*n = base + m;
out:
	cJSON_Delete(node);
	qr_buf_release(&why);
	qr_buf_release(&k);
	qr_buf_release(&key);
}

/* qsort by key: the walk finds keys node by node; the tree's own order is
 * the order of the keys. */
static const qr_strv *sort_keys;
static int cmp_key(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	return strcmp(sort_keys->v[a], sort_keys->v[b]);
}

static void walk_tree(struct walk *w, const uint8_t *root)
{
	struct step *stack = NULL;
	size_t n = 0, alloc = 0;
	stack = qr_grow_array(stack, sizeof(*stack), 1, &alloc);
	stack[n++] = (struct step){ { 0 }, 0 };
	memcpy(stack[0].digest, root, QR_SHA256_LEN);
	while (n) {
		struct step s = stack[--n];
		open_node(w, &stack, &n, &alloc, &s);
	}
	free(stack);
}

/* ---- sending the posts ---- */

static void context(struct car *c, const struct commit *k, const char *commit_cid, const struct walk *w,
		    const size_t *order, size_t from, size_t to, qr_buf *out)
{
	qr_jw j;
	qr_buf cid = QR_BUF_INIT;
	qr_jw_init(&j, out, false);
	qr_jw_begin_object(&j);
	qr_jw_kstr(&j, "context", NAME);
	qr_jw_kint(&j, "version", 1);
	qr_jw_kstr(&j, "did", k->did);
	qr_jw_kstr(&j, "rev", k->rev);
	qr_jw_kstr(&j, "commit", commit_cid);
	qr_jw_kstr(&j, "name", c->name);
	qr_jw_key(&j, "keys");
	qr_jw_begin_object(&j);
	for (size_t i = from; i < to; i++) {
		qr_frame f;
		const char *mem;
		uint8_t sha[QR_SHA256_LEN];
		qr_cid ci;
		qr_held_get(&c->posts, w->post[order[i]], &f, &mem);
		qr_sha256(f.data, f.len, sha);
		qr_cid_of_sha256(sha, QR_CID_DAG_CBOR, &ci);
		qr_buf_reset(&cid);
		qr_cid_format(&ci, &cid);
		qr_jw_kstr(&j, cid.buf, w->keys.v[order[i]]);
	}
	qr_jw_end_object(&j);
	qr_jw_end_object(&j);
	qr_buf_release(&cid);
}

static int send_posts(struct car *c)
{
	const struct commit *k = NULL;
	for (size_t i = 0; c->have_root && i < c->ncommits; i++)
		if (memcmp(c->commits[i].digest, c->root.digest, QR_SHA256_LEN) == 0)
			k = &c->commits[i];
	if (!k && c->ncommits == 1 && !c->have_root)
		k = &c->commits[0];
	if (!k) {
		if (c->posts.n)
			qr_archive_note(c->a, QR_FAILED, c->member,
					"the repo's commit (the CAR's root) is not in the file: the keys of its %zu "
					"posts are unknown",
					c->posts.n);
		for (size_t i = 0; i < c->posts.n; i++)
			c->a->sink->reject(c->a, c->member, 0, c->posts.v[i].byte, "no commit to find the post's key");
		return 0;
	}
	struct walk w = { c, { 0 }, { 0 }, NULL, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t root[QR_SHA256_LEN];
	cJSON *data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "$link", k->data);
	bool ok = link_digest(data, root);
	cJSON_Delete(data);
	if (ok)
		walk_tree(&w, root);
	if (w.missing_nodes)
		qr_archive_note(c->a, QR_WARN, c->member, "%llu nodes of the repo's tree are not in the file",
				(unsigned long long)w.missing_nodes);
	if (w.loops)
		qr_archive_note(c->a, QR_WARN, c->member,
				"the repo's tree reaches nodes it has already walked (%llu times: a loop or a shared "
				"subtree): each is walked once",
				(unsigned long long)w.loops);
	if (w.bad_nodes)
		qr_archive_note(c->a, QR_WARN, c->member, "%llu nodes of the repo's tree are malformed",
				(unsigned long long)w.bad_nodes);
	if (w.depth_hit)
		qr_archive_note(c->a, QR_WARN, c->member, "the repo's tree is deeper than %d: not walked below",
				MAX_TREE_DEPTH);
	if (w.missing_records)
		qr_archive_note(c->a, QR_WARN, c->member, "%llu posts of the repo's tree are not in the file",
				(unsigned long long)w.missing_records);

	/* A record reached twice (two keys for one block) is sent once. */
	size_t *order = qr_calloc(w.npost ? w.npost : 1, sizeof(*order));
	bool *sent = qr_calloc(c->posts.n ? c->posts.n : 1, sizeof(*sent));
	size_t n = 0;
	for (size_t i = 0; i < w.npost; i++)
		order[n++] = i;
	sort_keys = &w.keys;
	qsort(order, n, sizeof(*order), cmp_key);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!sent[w.post[order[i]]]) {
			sent[w.post[order[i]]] = true;
			order[m++] = order[i];
		}
	qr_buf ctx = QR_BUF_INIT, commit = QR_BUF_INIT;
	qr_cid kc;
	qr_cid_of_sha256(k->digest, QR_CID_DAG_CBOR, &kc);
	qr_cid_format(&kc, &commit);
	int rc = 0;
	for (size_t from = 0; !rc && from < m; from += QR_CAR_CHUNK) {
		size_t to = from + QR_CAR_CHUNK < m ? from + QR_CAR_CHUNK : m;
		qr_buf_reset(&ctx);
		context(c, k, commit.buf, &w, order, from, to, &ctx);
		rc = c->a->sink->begin(c->a, ctx.buf, ctx.len);
		for (size_t i = from; !rc && i < to; i++) {
			qr_frame f;
			const char *mem;
			qr_held_get(&c->posts, w.post[order[i]], &f, &mem);
			rc = c->a->sink->record(c->a, mem && *mem ? mem : NULL, &f);
		}
		c->a->sink->end(c->a);
	}
	for (size_t i = 0; !rc && i < c->posts.n; i++)
		if (!sent[i])
			c->a->sink->reject(c->a, c->member, 0, c->posts.v[i].byte,
					   "a post that is not in the repo's tree (no key for it)");
	qr_buf_release(&ctx);
	qr_buf_release(&commit);
	free(order);
	free(sent);
	qr_strv_clear(&w.keys);
	free(w.post);
	map_release(&w.seen);
	return rc;
}

static void car_release(struct car *c)
{
	qr_buf_release(&c->section);
	qr_buf_release(&c->nodes);
	map_release(&c->node_at);
	map_release(&c->post_at);
	for (size_t i = 0; i < c->ncommits; i++) {
		free(c->commits[i].did);
		free(c->commits[i].rev);
		free(c->commits[i].data);
	}
	free(c->commits);
	qr_held_release(&c->posts);
	free(c->name);
}

/* ---- the archive format ---- */

static bool car_head(const char *head, size_t n)
{
	uint64_t len;
	size_t k = qr_varint_read((const uint8_t *)head, n, &len);
	/* The header is a map of two: "roots" and "version". */
	return k && len > 8 && len <= MAX_HEADER && n > k + 7 && (uint8_t)head[k] == 0xa2 &&
	       qr_head_has(head + k, n - k < 16 ? n - k : 16, "roots");
}

static int bid(const char *name, const char *head, size_t n)
{
	if (car_head(head, n))
		return 100;
	if (name && qr_ends_with(name, ".car") && n && (uint8_t)head[0] < 0x80)
		return QR_BID_CLAIM;
	return 0;
}

static int open_archive(qr_archive *a)
{
	a->state = NULL;
	return 0;
}

/* Each CAR (a lone file, or each one in an archive) is a repo of its own. */
static int member(qr_archive *a, const char *name, const char *mem, qr_stream *s)
{
	const char *head;
	ssize_t n = qr_stream_peek(s, 64, &head);
	if (n <= 0 || !car_head(head, (size_t)n)) {
		if (n > 0 && bid(name, head, (size_t)n))
			qr_archive_note(a, QR_FAILED, mem, "not a CAR file: no CAR header");
		return 0;
	}
	struct car c = { 0 };
	c.a = a;
	c.member = mem;
	c.s = s;
	qr_held_init(&c.posts);
	int rc = 0;
	if (read_header(&c) && !(rc = read_sections(&c)))
		rc = send_posts(&c);
	car_release(&c);
	return rc;
}

static int finish(qr_archive *a)
{
	(void)a;
	return 0;
}

static void close_archive(qr_archive *a)
{
	(void)a;
}

/* ---- normalizing a block ---- */

/* The context record: the maps of its "keys". */
static const char *const context_keys[] = { "keys", NULL };
enum { MAP_KEYS };

static int load_context(const char *data, size_t len, void **out, qr_buf *why)
{
	return qr_context_load(data, len, NAME, context_keys, out, why);
}

static int normalize(const void *context, const char *data, size_t len, qr_posts *out, qr_buf *why)
{
	const qr_context *ctx = context;
	cJSON *record = NULL;
	if (qr_dagcbor_to_json((const uint8_t *)data, len, &record, why))
		return QR_BAD_INPUT;
	const char *type = qr_json_str(record, "$type");
	int st;
	if (!type || !qr_bsky_makes_post(type)) {
		/* A like, a follow...: QR_SKIP, with what it was. */
		qr_bsky_where none = { NULL, type, NULL, NULL, NULL, NULL };
		st = qr_bsky_record(record, &none, out, why);
		cJSON_Delete(record);
		return st;
	}
	uint8_t sha[QR_SHA256_LEN];
	qr_cid cid;
	qr_buf text = QR_BUF_INIT, key = QR_BUF_INIT;
	qr_sha256(data, len, sha);
	qr_cid_of_sha256(sha, QR_CID_DAG_CBOR, &cid);
	qr_cid_format(&cid, &text);
	const cJSON *k = ctx ? qr_json_map_get(&ctx->map[MAP_KEYS], text.buf) : NULL;
	const char *slash = cJSON_IsString(k) ? strchr(k->valuestring, '/') : NULL;
	if (!slash) {
		qr_buf_setf(why, "no key for record %s in the repo's context", text.buf);
		st = QR_BAD_INPUT;
	} else {
		qr_buf_add(&key, k->valuestring, (size_t)(slash - k->valuestring));
		qr_bsky_where w = { qr_json_str(ctx->root, "did"), key.buf, slash + 1, text.buf, NULL,
				    qr_json_str(ctx->root, "name") };
		st = qr_bsky_record(record, &w, out, why);
	}
	cJSON_Delete(record);
	qr_buf_release(&text);
	qr_buf_release(&key);
	return st;
}

static const qr_archive_ops ops = {
	.bid = bid,
	.open = open_archive,
	.member = member,
	.finish = finish,
	.close = close_archive,
	.load_context = load_context,
	.free_context = qr_context_free,
	.normalize = normalize,
	.bulk = true,
};

const qr_format qr_format_bluesky_car = {
	.name = NAME,
	.description = "Bluesky repo export (CAR v1 from getRepo or the app's export): posts and reposts, each "
		       "block checked against its CID",
	.archive = &ops,
};
