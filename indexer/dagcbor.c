#include "dagcbor.h"

#include <cbor.h>
#include <stdbool.h>
#include <string.h>

#include "cid.h"
#include "status.h"
#include "text.h"

struct frame {
	cJSON *node;
	uint64_t left;          /* items still to come (a map counts keys and values) */
	bool map;
	char *key;              /* a map's key waiting for its value */
};

struct dec {
	const uint8_t *base;
	size_t len, at;         /* the item being decoded starts at base + at */
	struct frame stack[QR_DAGCBOR_MAX_DEPTH];
	int depth;
	cJSON *root;
	bool tag42;
	bool failed;
	qr_buf *why;
};

static void fail(struct dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct dec *d, const char *fmt, ...)
{
	if (d->failed)
		return;
	d->failed = true;
	va_list ap;
	va_start(ap, fmt);
	qr_buf_reset(d->why);
	qr_buf_vaddf(d->why, fmt, ap);
	va_end(ap);
	qr_buf_addf(d->why, " (byte %zu of the block)", d->at);
}

/* Close the containers that are complete. */
static void pop_done(struct dec *d)
{
	while (d->depth && d->stack[d->depth - 1].left == 0) {
		free(d->stack[d->depth - 1].key);
		d->depth--;
	}
}

/* A decoded value goes into its container (or becomes the root). */
static bool attach(struct dec *d, cJSON *v)
{
	if (d->failed) {
		cJSON_Delete(v);
		return false;
	}
	if (d->tag42 && !(cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "$link"))) {
		cJSON_Delete(v);
		fail(d, "tag 42 (a CID link) on something other than a byte string");
		return false;
	}
	d->tag42 = false;
	if (!d->depth) {
		if (d->root) {
			cJSON_Delete(v);
			fail(d, "a second value after the first");
			return false;
		}
		d->root = v;
		return true;
	}
	struct frame *f = &d->stack[d->depth - 1];
	f->left--;
	if (f->map && !f->key) {
		if (!cJSON_IsString(v)) {
			cJSON_Delete(v);
			fail(d, "a map key that is not a text string");
			return false;
		}
		f->key = qr_strdup(v->valuestring);
		cJSON_Delete(v);
		return true;
	}
	if (f->map) {
		cJSON_AddItemToObject(f->node, f->key, v);
		free(f->key);
		f->key = NULL;
	} else {
		cJSON_AddItemToArray(f->node, v);
	}
	return true;
}

static void value(struct dec *d, cJSON *v)
{
	if (!v) {
		fail(d, "out of memory");
		return;
	}
	if (attach(d, v))
		pop_done(d);
}

static void number(struct dec *d, double x)
{
	value(d, cJSON_CreateNumber(x));
}

static void on_u8(void *c, uint8_t v) { number(c, v); }
static void on_u16(void *c, uint16_t v) { number(c, v); }
static void on_u32(void *c, uint32_t v) { number(c, v); }
static void on_u64(void *c, uint64_t v) { number(c, (double)v); }
static void on_n8(void *c, uint8_t v) { number(c, -1.0 - v); }
static void on_n16(void *c, uint16_t v) { number(c, -1.0 - v); }
static void on_n32(void *c, uint32_t v) { number(c, -1.0 - v); }
static void on_n64(void *c, uint64_t v) { number(c, -1.0 - (double)v); }

static void on_string(void *c, cbor_data s, size_t n)
{
	struct dec *d = c;
	size_t bad;
	if (!qr_utf8_valid((const char *)s, n, &bad)) {
		fail(d, s[bad] ? "invalid UTF-8 in a text string" : "a NUL byte in a text string");
		return;
	}
	char *copy = qr_strndup((const char *)s, n);
	value(d, cJSON_CreateString(copy));
	free(copy);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void on_bytes(void *c, cbor_data s, size_t n)
{
	struct dec *d = c;
	qr_buf text = QR_BUF_INIT;
	cJSON *o = cJSON_CreateObject();
	if (d->tag42) {
		qr_cid cid;
		qr_buf why = QR_BUF_INIT;
		if (n < 2 || s[0] != 0 || qr_cid_read(s + 1, n - 1, &cid, &why) != n - 1) {
			fail(d, "a CID link that is not a CID: %s", why.len ? why.buf : "no leading zero byte");
			qr_buf_release(&why);
			cJSON_Delete(o);
			return;
		}
		qr_buf_release(&why);
		qr_cid_format(&cid, &text);
		cJSON_AddStringToObject(o, "$link", text.buf);
	} else {
		/* RFC 4648 base64 without padding, as the protocol writes it. */
		for (size_t i = 0; i < n; i += 3) {
			uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) |
				     (i + 2 < n ? s[i + 2] : 0);
			qr_buf_addch(&text, b64[v >> 18 & 63]);
			qr_buf_addch(&text, b64[v >> 12 & 63]);
			if (i + 1 < n)
				qr_buf_addch(&text, b64[v >> 6 & 63]);
			if (i + 2 < n)
				qr_buf_addch(&text, b64[v & 63]);
		}
		cJSON_AddStringToObject(o, "$bytes", text.buf);
	}
	qr_buf_release(&text);
	value(d, o);
}

static void open_container(struct dec *d, size_t n, bool map)
{
	/* Every item takes a byte at least: a count the block cannot hold
	 * is refused before anything is built for it. */
	uint64_t items = map ? (uint64_t)n * 2 : n;
	size_t rest = d->len - d->at;
	if ((map && n > SIZE_MAX / 2) || items > rest) {
		fail(d, "%s of %zu %s in %zu bytes", map ? "a map" : "an array", n, map ? "entries" : "items", rest);
		return;
	}
	if (d->depth == QR_DAGCBOR_MAX_DEPTH) {
		fail(d, "nested deeper than %d", QR_DAGCBOR_MAX_DEPTH);
		return;
	}
	cJSON *node = map ? cJSON_CreateObject() : cJSON_CreateArray();
	if (!node || !attach(d, node)) {
		if (!node)
			fail(d, "out of memory");
		return;
	}
	d->stack[d->depth++] = (struct frame){ node, items, map, NULL };
	pop_done(d);
}

static void on_array(void *c, size_t n) { open_container(c, n, false); }
static void on_map(void *c, size_t n) { open_container(c, n, true); }

static void on_tag(void *c, uint64_t tag)
{
	struct dec *d = c;
	if (tag != 42 || d->tag42)
		fail(d, "tag %llu (DAG-CBOR has only tag 42, CID links)", (unsigned long long)tag);
	else
		d->tag42 = true;
}

static void on_indefinite(void *c)
{
	fail(c, "an item of indefinite length (DAG-CBOR has none)");
}

static void on_undefined(void *c)
{
	fail(c, "an undefined value (DAG-CBOR has none)");
}

static void on_half(void *c, float v)
{
	(void)v;
	fail(c, "a half or single precision float (DAG-CBOR has 64-bit floats only)");
}

static void on_double(void *c, double v)
{
	number(c, v);
}

static void on_null(void *c)
{
	value(c, cJSON_CreateNull());
}

static void on_bool(void *c, bool v)
{
	value(c, cJSON_CreateBool(v));
}

static const struct cbor_callbacks callbacks = {
	.uint8 = on_u8, .uint16 = on_u16, .uint32 = on_u32, .uint64 = on_u64,
	.negint8 = on_n8, .negint16 = on_n16, .negint32 = on_n32, .negint64 = on_n64,
	.byte_string_start = on_indefinite, .byte_string = on_bytes,
	.string = on_string, .string_start = on_indefinite,
	.indef_array_start = on_indefinite, .array_start = on_array,
	.indef_map_start = on_indefinite, .map_start = on_map,
	.tag = on_tag,
	.float2 = on_half, .float4 = on_half, .float8 = on_double,
	.undefined = on_undefined, .null = on_null, .boolean = on_bool,
	.indef_break = on_indefinite,
};

int qr_dagcbor_to_json(const uint8_t *data, size_t len, cJSON **out, qr_buf *why)
{
	struct dec d = { data, len, 0, { { 0 } }, 0, NULL, false, false, why };
	*out = NULL;
	while (!d.failed && d.at < len && (!d.root || d.depth)) {
		struct cbor_decoder_result r = cbor_stream_decode(data + d.at, len - d.at, &callbacks, &d);
		if (r.status == CBOR_DECODER_NEDATA) {
			fail(&d, "the block ends inside an item");
			break;
		}
		if (r.status != CBOR_DECODER_FINISHED || r.read == 0) {
			fail(&d, "not CBOR");
			break;
		}
		d.at += r.read;
	}
	if (!d.failed && (!d.root || d.depth || d.tag42))
		fail(&d, len ? "the block ends inside an item" : "an empty block");
	if (!d.failed && d.at < len)
		fail(&d, "%zu bytes after the value", len - d.at);
	for (int i = 0; i < d.depth; i++)
		free(d.stack[i].key);
	if (d.failed) {
		cJSON_Delete(d.root);
		return QR_BAD_INPUT;
	}
	*out = d.root;
	return QR_OK;
}
