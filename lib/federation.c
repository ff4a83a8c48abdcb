#include "federation.h"

#include <errno.h>
#include <pthread.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "corpus.h"
#include "io.h"
#include "json.h"
#include "schema.h"
#include "shard_read.h"
#include "status.h"
#include "store.h"
#include "timeutil.h"

#define FED_VERSION 1
/* Defaults: how long a shard may take to answer a call, and to connect. */
#define TIMEOUT_MS 30000
#define CONNECT_TIMEOUT_MS 5000

/* ---- locations ---- */

void qr_fed_shard_clear(qr_fed_shard *s)
{
	if (!s)
		return;
	qr_fed_shard_disconnect(s);
	free(s->location);
	free(s->host);
	free(s->path);
	free(s->corpus_id);
	qr_shard_rule_clear(&s->rule);
	memset(s, 0, sizeof(*s));
}

int qr_location_parse(const char *loc, qr_fed_shard *s, qr_buf *err)
{
	memset(s, 0, sizeof(*s));
	s->slot = -1;
	if (strncmp(loc, "tcp://", 6) == 0) {
		const char *hp = loc + 6, *colon = strrchr(hp, ':');
		char *end = NULL;
		unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
		size_t hlen = colon ? (size_t)(colon - hp) : 0;
		if (hlen && hp[0] == '[' && hp[hlen - 1] == ']')
			hp++, hlen -= 2;
		if (!colon || !hlen || !end || *end || end == colon + 1 || port < 1 || port > 65535 ||
		    memchr(hp, '/', hlen)) {
			qr_buf_setf(err, "'%s' is not a location: tcp://HOST:PORT", loc);
			return QR_USAGE;
		}
		s->kind = QR_LOC_TCP;
		s->host = qr_strndup(hp, hlen);
		s->port = (unsigned)port;
		s->location = qr_strdup(loc);
		return 0;
	}
	if (strncmp(loc, "ssh://", 6) == 0) {
		const char *hp = loc + 6, *slash = strchr(hp, '/');
		if (!slash || slash == hp || !slash[1] || strchr(loc, ' ')) {
			qr_buf_setf(err, "'%s' is not a location: ssh://[USER@]HOST/PATH (no spaces)", loc);
			return QR_USAGE;
		}
		s->kind = QR_LOC_SSH;
		s->host = qr_strndup(hp, (size_t)(slash - hp));
		/* ssh://host/data/c is /data/c; ssh://host/~/c is ~/c. */
		s->path = qr_strdup(strncmp(slash, "/~/", 3) == 0 ? slash + 3 : slash);
		s->location = qr_strdup(loc);
		return 0;
	}
	if (strstr(loc, "://")) {
		qr_buf_setf(err, "'%s' is not a location: a path, tcp://HOST:PORT or ssh://[USER@]HOST/PATH", loc);
		return QR_USAGE;
	}
	char real[PATH_MAX];
	if (!realpath(loc, real)) {
		qr_buf_setf(err, "cannot find the shard '%s': %s", loc, strerror(errno));
		return QR_USAGE;
	}
	s->kind = QR_LOC_PATH;
	s->path = qr_strdup(real);
	s->location = qr_strdup(real);
	return 0;
}

void qr_fed_shard_name(const qr_federation *f, const qr_fed_shard *s, qr_buf *out)
{
	qr_buf_addf(out, "shard %zu (%s)", (size_t)(s - f->v) + 1, s->location);
}

/* ---- the manifest ---- */

static cJSON *read_json(const char *dir, qr_buf *err)
{
	qr_buf path = QR_BUF_INIT, data = QR_BUF_INIT;
	qr_buf_setf(&path, "%s/quire.json", dir);
	cJSON *m = NULL;
	int st = qr_io_read_file(path.buf, 1 << 20, &data, err);
	if (st == QR_NOT_FOUND)
		qr_buf_setf(err, "'%s' is not a quire corpus (no quire.json)", dir);
	else if (!st && !(m = qr_json_parse(data.buf, data.len, err)))
		qr_buf_addf(err, " ('%s')", path.buf);
	qr_buf_release(&path);
	qr_buf_release(&data);
	return m;
}

bool qr_federation_is(const char *dir)
{
	qr_buf err = QR_BUF_INIT;
	cJSON *m = read_json(dir, &err);
	const char *format = m ? qr_json_str(m, "format") : NULL;
	bool is = format && strcmp(format, QR_FEDERATION_FORMAT) == 0;
	cJSON_Delete(m);
	qr_buf_release(&err);
	return is;
}

qr_federation *qr_federation_new(const char *dir)
{
	qr_federation *f = qr_calloc(1, sizeof(*f));
	f->dir = qr_strdup(dir);
	f->timeout_ms = TIMEOUT_MS;
	f->connect_timeout_ms = CONNECT_TIMEOUT_MS;
	qr_buf_init(&f->err);
	return f;
}

void qr_federation_free(qr_federation *f)
{
	if (!f)
		return;
	xc_db_destroy(f->db);
	for (size_t i = 0; i < f->n; i++)
		qr_fed_shard_clear(&f->v[i]);
	free(f->v);
	free(f->up);
	free(f->dir);
	free(f->id);
	free(f->created);
	qr_buf_release(&f->err);
	free(f);
}

/* Seconds from the environment (tests, one-off runs) over the manifest's. */
static unsigned env_ms(const char *name, unsigned dflt)
{
	const char *v = getenv(name);
	char *end = NULL;
	double s = v && *v ? strtod(v, &end) : -1;
	return end && !*end && s > 0 && s < 86400 ? (unsigned)(s * 1000) : dflt;
}

int qr_federation_read(const char *dir, qr_federation **out, qr_buf *err)
{
	*out = NULL;
	cJSON *m = read_json(dir, err);
	if (!m)
		return QR_USAGE;
	qr_federation *f = qr_federation_new(dir);
	int st = 0;
	int64_t n;
	const char *format = qr_json_str(m, "format"), *id = qr_json_str(m, "id");
	const cJSON *shards = qr_json_get(m, "shards");
	if (!format || strcmp(format, QR_FEDERATION_FORMAT) != 0 || !id || !cJSON_IsArray(shards)) {
		qr_buf_setf(err, "'%s/quire.json' is not a federation's manifest", dir);
		st = QR_DAMAGED;
		goto out;
	}
	if (qr_json_int(m, "version", &n) && n > FED_VERSION) {
		qr_buf_setf(err, "'%s' is federation format %lld, newer than this quire (%d)", dir, (long long)n,
			    FED_VERSION);
		st = QR_USAGE;
		goto out;
	}
	f->id = qr_strdup(id);
	f->created = qr_strdup(qr_json_str(m, "created") ? qr_json_str(m, "created") : "");
	if (qr_json_int(m, "settings.timeout", &n) && n > 0 && n < 86400)
		f->timeout_ms = (unsigned)n * 1000;
	if (qr_json_int(m, "settings.connect_timeout", &n) && n > 0 && n < 86400)
		f->connect_timeout_ms = (unsigned)n * 1000;
	f->timeout_ms = env_ms("QUIRE_SHARD_TIMEOUT", f->timeout_ms);
	f->connect_timeout_ms = env_ms("QUIRE_SHARD_CONNECT_TIMEOUT", f->connect_timeout_ms);
	const cJSON *e;
	cJSON_ArrayForEach(e, shards) {
		const char *loc = qr_json_str(e, "location"), *cid = qr_json_str(e, "corpus_id");
		const char *rule = qr_json_str(e, "rule"), *place = qr_json_str(e, "place");
		qr_fed_shard s;
		if (!loc || !cid || !rule) {
			qr_buf_setf(err, "'%s/quire.json': a shard without a location, corpus id or rule", dir);
			st = QR_DAMAGED;
			goto out;
		}
		/* A path is kept absolute: no realpath (it may be gone now). */
		if (loc[0] == '/') {
			memset(&s, 0, sizeof(s));
			s.slot = -1;
			s.kind = QR_LOC_PATH;
			s.path = qr_strdup(loc);
			s.location = qr_strdup(loc);
		} else if ((st = qr_location_parse(loc, &s, err))) {
			qr_buf_addf(err, " ('%s/quire.json')", dir);
			st = QR_DAMAGED;
			goto out;
		}
		s.corpus_id = qr_strdup(cid);
		if (strcmp(rule, "none") != 0 && (st = qr_shard_rule_parse(rule, place, &s.rule, err))) {
			qr_fed_shard_clear(&s);
			st = QR_DAMAGED;
			goto out;
		}
		f->v = qr_grow_array(f->v, sizeof(*f->v), f->n + 1, &f->alloc);
		f->v[f->n++] = s;
	}
out:
	cJSON_Delete(m);
	if (st)
		qr_federation_free(f);
	else
		*out = f;
	return st;
}

static void make_id(char *out)
{
	uint8_t b[16];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		for (int i = 0; i < 16; i++)
			b[i] = (uint8_t)(rand() ^ (int)time(NULL) ^ getpid());
	b[6] = (uint8_t)((b[6] & 0x0F) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3F) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* The stub: one line per shard, in the federation's order. */
static void stub_text(qr_federation *f, qr_buf *out)
{
	const char *ssh = getenv("QUIRE_SSH");
	qr_buf_adds(out, "# quire federation: its shards as one Xapian database (xapian-delve index)\n");
	for (size_t i = 0; i < f->n; i++) {
		qr_fed_shard *s = &f->v[i];
		if (s->kind == QR_LOC_PATH)
			qr_buf_addf(out, "auto %s/index\n", s->path);
		else if (s->kind == QR_LOC_TCP)
			qr_buf_addf(out, "remote %s:%u\n", s->host, s->xapian_port ? s->xapian_port : s->port + 1);
		else
			qr_buf_addf(out, "remote :%s %s xapian-progsrv %s/index\n", ssh && *ssh ? ssh : "ssh", s->host,
				    s->path);
	}
}

int qr_federation_write(qr_federation *f, qr_buf *err)
{
	qr_buf json = QR_BUF_INIT, path = QR_BUF_INIT, stub = QR_BUF_INIT;
	qr_jw w;
	char when[32];
	if (!f->id) {
		char id[37];
		make_id(id);
		f->id = qr_strdup(id);
		qr_time_format_iso((int64_t)time(NULL), when);
		free(f->created);
		f->created = qr_strdup(when);
	}
	qr_jw_init(&w, &json, true);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "format", QR_FEDERATION_FORMAT);
	qr_jw_kint(&w, "version", FED_VERSION);
	qr_jw_kstr(&w, "id", f->id);
	qr_jw_kstr(&w, "created", f->created);
	qr_jw_key(&w, "settings");
	qr_jw_begin_object(&w);
	qr_jw_kint(&w, "timeout", f->timeout_ms / 1000);
	qr_jw_kint(&w, "connect_timeout", f->connect_timeout_ms / 1000);
	qr_jw_end_object(&w);
	qr_jw_key(&w, "shards");
	qr_jw_begin_array(&w);
	for (size_t i = 0; i < f->n; i++) {
		qr_fed_shard *s = &f->v[i];
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "location", s->location);
		qr_jw_kstr(&w, "corpus_id", s->corpus_id);
		qr_jw_kstr(&w, "rule", qr_shard_kind_name(s->rule.kind));
		qr_jw_kstr(&w, "place", s->rule.place);
		qr_jw_end_object(&w);
	}
	qr_jw_end_array(&w);
	qr_jw_end_object(&w);
	qr_buf_addch(&json, '\n');
	int st = qr_io_mkdir(f->dir, err);
	qr_buf_setf(&path, "%s/index", f->dir);
	stub_text(f, &stub);
	if (!st)
		st = qr_io_write_file_atomic(path.buf, stub.buf, stub.len, err);
	qr_buf_setf(&path, "%s/quire.json", f->dir);
	if (!st)
		st = qr_io_write_file_atomic(path.buf, json.buf, json.len, err);
	qr_buf_release(&json);
	qr_buf_release(&path);
	qr_buf_release(&stub);
	return st;
}

/* ---- connecting ---- */

void qr_fed_shard_disconnect(qr_fed_shard *s)
{
	xc_db_destroy(s->db);
	s->db = NULL;
	qr_corpus_close(s->local);
	s->local = NULL;
	qr_shardnet_close(s->net);
	s->net = NULL;
	free(s->why);
	s->why = NULL;
	free(s->info);
	s->info = NULL;
	s->up = false;
	s->slot = -1;
}

static int shard_fail(qr_fed_shard *s, int st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int shard_fail(qr_fed_shard *s, int st, const char *fmt, ...)
{
	qr_buf b = QR_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	qr_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(s->why);
	s->why = qr_buf_detach(&b, NULL);
	return st;
}

/* What a local shard would answer to /info. */
static void local_info(qr_corpus *c, qr_buf *out)
{
	qr_jw w;
	uint32_t docs = 0;
	const qr_shard_rule *r = qr_corpus_shard(c);
	xc_db_doccount(qr_corpus_db(c), &docs);
	qr_jw_init(&w, out, false);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "format", "quire-shard");
	qr_jw_kstr(&w, "corpus_id", qr_corpus_id(c));
	qr_jw_kint(&w, "index_version", QR_INDEX_VERSION);
	qr_jw_kstr(&w, "rule", qr_shard_kind_name(r->kind));
	qr_jw_kstr(&w, "place", r->place);
	qr_jw_kint(&w, "documents", docs);
	qr_jw_end_object(&w);
}

static char **ssh_argv(const qr_fed_shard *s)
{
	const char *ssh = getenv("QUIRE_SSH"), *quire = getenv("QUIRE_REMOTE_QUIRE");
	char **argv = qr_calloc(8, sizeof(*argv));
	argv[0] = (char *)(ssh && *ssh ? ssh : "ssh");
	argv[1] = s->host;
	argv[2] = (char *)(quire && *quire ? quire : "quire");
	argv[3] = (char *)"serve-shard";
	argv[4] = (char *)"--stdio";
	argv[5] = (char *)"--corpus";
	argv[6] = s->path;
	return argv;
}

/* Ask a remote shard's endpoint what it is. */
static int remote_info(qr_federation *f, qr_fed_shard *s, qr_buf *info)
{
	qr_buf err = QR_BUF_INIT;
	int status = 0;
	int st = qr_shardnet_request(s->net, "GET", "/info", NULL, 0, &status, info, &err);
	if (st)
		st = shard_fail(s, QR_DAMAGED, "%s", err.buf);
	else if (status == 401 || status == 403)
		st = shard_fail(s, QR_DAMAGED, "refused: it wants a token (set QUIRE_SHARD_TOKEN)");
	else if (status != 200)
		st = shard_fail(s, QR_DAMAGED, "answered %d: %.*s", status, (int)(info->len > 200 ? 200 : info->len),
				info->buf);
	(void)f;
	qr_buf_release(&err);
	return st;
}

int qr_fed_shard_connect(qr_federation *f, qr_fed_shard *s, bool recorded)
{
	qr_buf info = QR_BUF_INIT, err = QR_BUF_INIT;
	char *msg = NULL;
	cJSON *j = NULL;
	int st = 0;
	qr_fed_shard_disconnect(s);
	unsigned timeout = f->timeout_ms, ctimeout = f->connect_timeout_ms;
	if (s->kind == QR_LOC_PATH) {
		if (qr_federation_is(s->path)) {
			st = shard_fail(s, QR_USAGE, "is a federation itself: list its shards instead");
			goto out;
		}
		if ((st = qr_corpus_open(s->path, QR_OPEN_READ, &s->local, &err))) {
			st = shard_fail(s, st == QR_USAGE ? QR_USAGE : QR_DAMAGED, "%s", err.buf);
			goto out;
		}
		local_info(s->local, &info);
	} else {
		if (s->kind == QR_LOC_TCP) {
			const char *token = getenv("QUIRE_SHARD_TOKEN");
			s->net = qr_shardnet_tcp(s->host, s->port, token && *token ? token : NULL,
						 ctimeout < timeout ? ctimeout : timeout);
		} else {
			char **argv = ssh_argv(s);
			s->net = qr_shardnet_prog(argv, timeout);
			free(argv);
		}
		if ((st = remote_info(f, s, &info)))
			goto out;
	}
	qr_buf why = QR_BUF_INIT;
	j = qr_json_parse(info.buf, info.len, &why);
	qr_buf_release(&why);
	int64_t version = 0, xport = 0;
	const char *format = j ? qr_json_str(j, "format") : NULL, *id = j ? qr_json_str(j, "corpus_id") : NULL;
	const char *rule = j ? qr_json_str(j, "rule") : NULL, *place = j ? qr_json_str(j, "place") : NULL;
	if (!format || strcmp(format, "quire-shard") != 0 || !id || !rule || !qr_json_int(j, "index_version", &version)) {
		st = shard_fail(s, QR_DAMAGED, "does not answer as a quire shard");
		goto out;
	}
	if (version != QR_INDEX_VERSION) {
		st = shard_fail(s, QR_DAMAGED, "has index version %lld; this quire reads version %d", (long long)version,
				QR_INDEX_VERSION);
		goto out;
	}
	qr_shard_rule rr = { 0 };
	if (strcmp(rule, "none") != 0 && qr_shard_rule_parse(rule, place, &rr, &err)) {
		st = shard_fail(s, QR_DAMAGED, "answers with a rule this quire does not read: %s", err.buf);
		goto out;
	}
	if (recorded && strcmp(id, s->corpus_id) != 0) {
		st = shard_fail(s, QR_DAMAGED, "is corpus %s, not the corpus %s the federation lists", id, s->corpus_id);
		qr_shard_rule_clear(&rr);
		goto out;
	}
	if (recorded && !qr_shard_rule_equal(&rr, &s->rule)) {
		st = shard_fail(s, QR_DAMAGED, "is now shard %s by %s, not %s by %s", rr.place ? rr.place : "-",
				qr_shard_kind_name(rr.kind), s->rule.place ? s->rule.place : "-",
				qr_shard_kind_name(s->rule.kind));
		qr_shard_rule_clear(&rr);
		goto out;
	}
	if (!recorded) {
		free(s->corpus_id);
		s->corpus_id = qr_strdup(id);
		qr_shard_rule_clear(&s->rule);
		s->rule = rr;
	} else {
		qr_shard_rule_clear(&rr);
	}
	xc_status x = XC_OK;
	if (s->kind == QR_LOC_PATH) {
		s->db = NULL;
	} else if (s->kind == QR_LOC_TCP) {
		if (!qr_json_int(j, "xapian_port", &xport) || xport < 1 || xport > 65535) {
			st = shard_fail(s, QR_DAMAGED, "names no port for its index");
			goto out;
		}
		s->xapian_port = (unsigned)xport;
		x = xc_db_open_remote_tcp(s->host, s->xapian_port, timeout, ctimeout, &s->db, &msg);
	} else {
		const char *ssh = getenv("QUIRE_SSH");
		qr_buf args = QR_BUF_INIT;
		qr_buf_addf(&args, "%s xapian-progsrv --timeout %u %s/index", s->host, timeout, s->path);
		x = xc_db_open_remote_prog(ssh && *ssh ? ssh : "ssh", args.buf, timeout, &s->db, &msg);
		qr_buf_release(&args);
	}
	if (x != XC_OK) {
		st = shard_fail(s, QR_DAMAGED, "its index cannot be opened: %s", msg ? msg : xc_status_string(x));
		goto out;
	}
	if (s->db) {
		/* The index answering must be this shard's: a port of another. */
		char *v = NULL;
		x = xc_db_get_metadata(s->db, "quire.corpus.id", &v, NULL);
		if (x == XC_OK && strcmp(v, id) != 0)
			st = shard_fail(s, QR_DAMAGED, "serves the index of corpus %s as its own (%s)", v, id);
		else if (x != XC_OK && x != XC_NOT_FOUND)
			st = shard_fail(s, QR_DAMAGED, "its index does not answer: %s", xc_db_error(s->db));
		free(v);
		if (st)
			goto out;
	}
	s->info = qr_buf_detach(&info, NULL);
	s->up = true;
out:
	cJSON_Delete(j);
	free(msg);
	qr_buf_release(&info);
	qr_buf_release(&err);
	if (st) {
		char *kept = s->why;
		s->why = NULL;
		qr_fed_shard_disconnect(s);
		s->why = kept;
	}
	return st;
}

/* A federation by hash must have every place of 1..N once. */
static bool coverage(qr_federation *f, qr_buf *err)
{
	uint32_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].rule.kind == QR_SHARD_HASH)
			n = f->v[i].rule.n;
	if (!n)
		return true;
	bool *seen = qr_calloc(n + 1, sizeof(*seen));
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].rule.kind == QR_SHARD_HASH && f->v[i].rule.n == n)
			seen[f->v[i].rule.k] = true;
	bool ok = true;
	for (uint32_t k = 1; k <= n && ok; k++)
		if (!seen[k]) {
			qr_buf_setf(err, "the federation has no shard %u/%u: its counts would be short (quire shards add "
					 "it, or --allow-partial)",
				    k, n);
			ok = false;
		}
	free(seen);
	return ok;
}

/* Connecting to a shard, in a thread of its own. */
struct opener {
	qr_federation *f;
	qr_fed_shard *s;
	int st;
	bool threaded;
	pthread_t thread;
};

static void *connect_one(void *arg)
{
	struct opener *o = arg;
	o->st = qr_fed_shard_connect(o->f, o->s, true);
	return NULL;
}

/*
 * Every shard connected, the tcp:// ones at once: each costs round trips
 * (its /info, Xapian's handshake) that would otherwise add up, shard after
 * shard, to most of a short query's time.  A shard on this machine opens
 * a corpus and an ssh:// one starts a process: those go one after another
 * in this thread (a child forked while another thread makes its pipes
 * could hold them open).  The results, in the shards' order.
 */
static struct opener *connect_all(qr_federation *f)
{
	struct opener *op = qr_calloc(f->n, sizeof(*op));
	for (size_t i = 0; i < f->n; i++) {
		op[i].f = f;
		op[i].s = &f->v[i];
		if (f->n > 1 && f->v[i].kind == QR_LOC_TCP)
			op[i].threaded = pthread_create(&op[i].thread, NULL, connect_one, &op[i]) == 0;
	}
	for (size_t i = 0; i < f->n; i++)
		if (!op[i].threaded)
			connect_one(&op[i]);
	for (size_t i = 0; i < f->n; i++)
		if (op[i].threaded)
			pthread_join(op[i].thread, NULL);
	return op;
}

int qr_federation_open(qr_federation *f, bool partial, qr_buf *err)
{
	int st = 0;
	qr_buf name = QR_BUF_INIT;
	if (!f->n) {
		qr_buf_setf(err, "the federation '%s' has no shards yet (quire shards add)", f->dir);
		return QR_USAGE;
	}
	if (!partial && !coverage(f, err))
		return QR_DAMAGED;
	if (xc_db_create_empty(&f->db) != XC_OK) {
		qr_buf_setf(err, "out of memory");
		return QR_NOMEM;
	}
	free(f->up);
	f->up = qr_calloc(f->n, sizeof(*f->up));
	f->nup = 0;
	struct opener *op = connect_all(f);
	for (size_t i = 0; i < f->n; i++) {
		qr_fed_shard *s = &f->v[i];
		int cst = op[i].st;
		qr_buf_reset(&name);
		qr_fed_shard_name(f, s, &name);
		if (cst) {
			if (!partial) {
				qr_buf_setf(err, "%s: %s", name.buf, s->why);
				st = QR_DAMAGED;
				break;
			}
			qr_warning("%s is left out: %s", name.buf, s->why);
			continue;
		}
		xc_db *db = s->local ? qr_corpus_db(s->local) : s->db;
		if (xc_db_add_shard(f->db, db) != XC_OK) {
			qr_buf_setf(err, "%s: %s", name.buf, xc_db_error(f->db));
			st = QR_INTERNAL;
			break;
		}
		s->slot = (int)f->nup;
		f->up[f->nup++] = i;
	}
	if (!st && !f->nup) {
		qr_buf_setf(err, "no shard of the federation '%s' answers", f->dir);
		st = QR_DAMAGED;
	}
	if (!st && partial && f->nup < f->n)
		qr_warning("the answers are partial: %zu of %zu shards answered", f->nup, f->n);
	free(op);
	qr_buf_release(&name);
	return st;
}

void qr_federation_missing(const qr_federation *f, qr_buf *out)
{
	for (size_t i = 0; i < f->n; i++)
		if (!f->v[i].up)
			qr_buf_addf(out, "%s%s", out->len ? "," : "", f->v[i].location);
}

qr_fed_shard *qr_federation_shard_of(qr_federation *f, xc_docid docid)
{
	if (!docid || !f->nup)
		return NULL;
	/* Xapian interleaves the documents of its databases: document d of
	 * database i (from 0) of n is (d - 1) * n + i + 1. */
	return &f->v[f->up[(docid - 1) % f->nup]];
}

int qr_fed_shard_fetch(qr_federation *f, qr_fed_shard *s, const char *what, const char *arg, qr_buf *data,
		       qr_buf *err)
{
	qr_buf name = QR_BUF_INIT;
	int st = 0;
	qr_fed_shard_name(f, s, &name);
	if (s->local) {
		qr_buf why = QR_BUF_INIT;
		if ((st = qr_shard_read(s->local, what, arg, data, &why)))
			qr_buf_setf(err, "%s: %s", name.buf, why.buf);
		qr_buf_release(&why);
	} else if (s->net) {
		qr_buf path = QR_BUF_INIT, why = QR_BUF_INIT;
		int status = 0;
		qr_buf_addf(&path, "/%s?at=", what);
		qr_shardnet_escape(&path, arg ? arg : "");
		st = qr_shardnet_request(s->net, "GET", path.buf, NULL, 0, &status, data, &why);
		if (st) {
			qr_buf_setf(err, "%s: %s", name.buf, why.buf);
			st = QR_DAMAGED;
		} else if (status == 404) {
			qr_buf_setf(err, "%s: no such %s (%.100s)", name.buf, what, arg ? arg : "");
			st = QR_NOT_FOUND;
		} else if (status != 200) {
			qr_buf_setf(err, "%s: %.*s", name.buf, (int)(data->len > 300 ? 300 : data->len), data->buf);
			qr_buf_reset(data);
			st = QR_DAMAGED;
		}
		qr_buf_release(&path);
		qr_buf_release(&why);
	} else {
		qr_buf_setf(err, "%s is not open", name.buf);
		st = QR_INTERNAL;
	}
	qr_buf_release(&name);
	return st;
}

void qr_fed_docs_init(qr_fed_docs *d)
{
	memset(d, 0, sizeof(*d));
	qr_buf_init(&d->buf);
}

void qr_fed_docs_release(qr_fed_docs *d)
{
	qr_buf_release(&d->buf);
	free(d->off);
	free(d->len);
	memset(d, 0, sizeof(*d));
}

/* A shard's answer to "documents" for the ids at want[0..n): each one's
 * data into d, in the order asked. */
static int take_documents(qr_fed_docs *d, const char *b, size_t blen, const size_t *want, const xc_docid *local,
			  size_t n)
{
	const char *p = b, *end = b + blen;
	for (size_t k = 0; k < n; k++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char head[48], *e;
		if (!nl || (size_t)(nl - p) >= sizeof(head))
			return QR_DAMAGED;
		memcpy(head, p, (size_t)(nl - p));
		head[nl - p] = '\0';
		unsigned long id = strtoul(head, &e, 10);
		if (e == head || *e != ' ' || id != local[k])
			return QR_DAMAGED;
		p = nl + 1;
		if (strcmp(e + 1, "-") == 0)
			continue;
		char *e2;
		unsigned long long len = strtoull(e + 1, &e2, 10);
		if (e2 == e + 1 || *e2 || len > (unsigned long long)(end - p) || (size_t)(end - p) - len < 1 || p[len] != '\n')
			return QR_DAMAGED;
		d->off[want[k]] = d->buf.len;
		d->len[want[k]] = (size_t)len;
		qr_buf_add(&d->buf, p, (size_t)len);
		p += len + 1;
	}
	return p == end ? 0 : QR_DAMAGED;
}

int qr_federation_documents(qr_federation *f, const xc_docid *ids, size_t n, qr_fed_docs *d, qr_buf *err)
{
	size_t alloc = d->alloc;
	d->off = qr_grow_array(d->off, sizeof(*d->off), n ? n : 1, &alloc);
	d->len = qr_grow_array(d->len, sizeof(*d->len), n ? n : 1, &d->alloc);
	d->n = n;
	qr_buf_reset(&d->buf);
	for (size_t i = 0; i < n; i++)
		d->len[i] = SIZE_MAX;
	size_t *want = qr_calloc(QR_SHARD_MAX_DOCUMENTS, sizeof(*want));
	xc_docid *local = qr_calloc(QR_SHARD_MAX_DOCUMENTS, sizeof(*local));
	qr_buf arg = QR_BUF_INIT, resp = QR_BUF_INIT, name = QR_BUF_INIT;
	int st = 0;
	for (size_t u = 0; u < f->nup && !st; u++) {
		qr_fed_shard *s = &f->v[f->up[u]];
		if (!s->net)
			continue;
		/* document d of database u of nup is (d - 1) * nup + u + 1 */
		for (size_t from = 0; from < n && !st;) {
			size_t k = 0;
			qr_buf_reset(&arg);
			for (; from < n && k < QR_SHARD_MAX_DOCUMENTS; from++) {
				if (!ids[from] || (ids[from] - 1) % f->nup != u)
					continue;
				want[k] = from;
				local[k] = (ids[from] - 1) / (xc_docid)f->nup + 1;
				qr_buf_addf(&arg, "%s%u", k ? "," : "", local[k]);
				k++;
			}
			if (!k)
				break;
			if ((st = qr_fed_shard_fetch(f, s, "documents", arg.buf, &resp, err)))
				break;
			if ((st = take_documents(d, resp.buf, resp.len, want, local, k))) {
				qr_buf_reset(&name);
				qr_fed_shard_name(f, s, &name);
				qr_buf_setf(err, "%s sent documents that are not the ones asked for", name.buf);
			}
		}
	}
	free(want);
	free(local);
	qr_buf_release(&arg);
	qr_buf_release(&resp);
	qr_buf_release(&name);
	return st;
}

bool qr_federation_diagnose(qr_federation *f, qr_buf *err)
{
	qr_buf name = QR_BUF_INIT, info = QR_BUF_INIT;
	bool found = false;
	for (size_t i = 0; i < f->nup && !found; i++) {
		qr_fed_shard *s = &f->v[f->up[i]];
		uint32_t docs;
		qr_buf_reset(&name);
		qr_fed_shard_name(f, s, &name);
		if (s->net && remote_info(f, s, &info)) {
			qr_buf_setf(err, "%s no longer answers: %s", name.buf, s->why);
			found = true;
		} else if (s->db && xc_db_reopen(s->db, NULL) != XC_OK) {
			qr_buf_setf(err, "%s no longer answers: %s", name.buf, xc_db_error(s->db));
			found = true;
		} else if (s->db && xc_db_doccount(s->db, &docs) != XC_OK) {
			qr_buf_setf(err, "%s no longer answers: %s", name.buf, xc_db_error(s->db));
			found = true;
		}
	}
	qr_buf_release(&name);
	qr_buf_release(&info);
	return found;
}

int qr_fed_shard_post(qr_federation *f, qr_fed_shard *s, const char *path, const char *body, size_t len, qr_buf *resp,
		      qr_buf *err)
{
	qr_buf name = QR_BUF_INIT, why = QR_BUF_INIT;
	int status = 0, st = 0;
	qr_fed_shard_name(f, s, &name);
	if (!s->net) {
		qr_buf_setf(err, "%s is not reached through an endpoint", name.buf);
		st = QR_INTERNAL;
	} else if (qr_shardnet_request(s->net, "POST", path, body, len, &status, resp, &why)) {
		qr_buf_setf(err, "%s: %s", name.buf, why.buf);
		st = QR_DAMAGED;
	} else if (status != 200) {
		while (resp->len && resp->buf[resp->len - 1] == '\n')
			qr_buf_setlen(resp, resp->len - 1);
		qr_buf_setf(err, "%s: %.*s", name.buf, (int)(resp->len > 300 ? 300 : resp->len), resp->buf);
		st = status == 423 ? QR_LOCKED : QR_DAMAGED;
	}
	qr_buf_release(&name);
	qr_buf_release(&why);
	return st;
}
