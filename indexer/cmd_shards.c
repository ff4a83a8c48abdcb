/* quire shards: a federation of shards (lib/federation.h): add, remove,
 * list, merge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "corpus.h"
#include "federation.h"
#include "json.h"
#include "merge.h"
#include "schema.h"
#include "status.h"
#include "text.h"
#include "timeutil.h"

static const qr_option options[] = {
	{ "corpus", 'c', "DIR", "the federation (default: $QUIRE_CORPUS, else ./quire-corpus); add creates it" },
	{ "format", 'f', "NAME", "list: text (default) or json" },
	{ "out", 'o', "DIR", "merge: the new corpus (must not exist)" },
	{ "timeout", 0, "SECONDS", "add: how long a shard may take to answer a call (default 30)" },
	{ "connect-timeout", 0, "SECONDS", "add: how long a shard may take to connect (default 5)" },
	{ NULL, 0, NULL, NULL },
};

static const qr_command_help help = {
	"shards",
	"[OPTIONS] [list] | add LOCATION... | remove LOCATION|N... | merge --out DIR",
	"A federation: shards of one corpus, on this machine and others, searched as one.",
	"A shard is a complete corpus made by 'quire ingest --shard K/N' (or --shard-by\n"
	"month); a federation is a corpus directory whose quire.json lists its shards.\n"
	"Every command that reads a corpus (search, count, facets, timeline, cite, show,\n"
	"media, stats) and tag and events apply take --corpus FEDERATION and answer as\n"
	"one corpus built from the same inputs would: Xapian opens the shards as one\n"
	"database and combines their statistics.\n\n"
	"Locations:\n"
	"  PATH                    a shard on this machine\n"
	"  tcp://HOST:PORT         a shard served by 'quire serve-shard --listen HOST:PORT'\n"
	"                          (Xapian's remote protocol has no authentication: only on\n"
	"                          a network you trust)\n"
	"  ssh://[USER@]HOST/PATH  a shard on another machine, reached through ssh (no open\n"
	"                          port): xapian-progsrv and 'quire serve-shard --stdio' run\n"
	"                          there; ssh://HOST/~/PATH is relative to the home directory\n\n"
	"  list           each shard: location, rule and place, posts, time span, size, status\n"
	"  add LOC...     check each shard (reachable, a corpus of this index version, a rule\n"
	"                 that does not overlap the others') and list it; creates the federation\n"
	"  remove LOC|N   take a shard off the list (by location or number; its corpus stays)\n"
	"  merge --out D  one ordinary corpus of all the shards (see docs/SCALE.md)\n\n"
	"A shard that does not answer within the timeout, or is not the corpus listed, stops\n"
	"every command with its name (exit 3); --allow-partial answers from the others.\n"
	"QUIRE_SHARD_TIMEOUT and QUIRE_SHARD_CONNECT_TIMEOUT (seconds) override the timeouts;\n"
	"QUIRE_SHARD_TOKEN is sent to serve-shard endpoints that want a token.\n\n"
	"Exit status: 0 ok, 2 usage, 3 a shard is unreachable or not what was listed.",
	"  quire shards add -c all2020 /data/shard1 tcp://10.0.0.2:8750 ssh://me@host3/data/shard3\n"
	"  quire shards -c all2020\n"
	"  quire count -c all2020 '#WhiteLivesMatter'\n"
	"  quire shards remove -c all2020 3\n"
	"  quire shards merge -c all2020 --out all2020-one",
	options,
};

struct opts {
	const char *corpus, *format, *out;
	unsigned long long timeout, connect_timeout;
};

static int on_option(void *ctx, const char *name, const char *arg)
{
	struct opts *o = ctx;
	if (strcmp(name, "corpus") == 0)
		o->corpus = arg;
	else if (strcmp(name, "format") == 0)
		o->format = arg;
	else if (strcmp(name, "out") == 0)
		o->out = arg;
	else if (strcmp(name, "timeout") == 0)
		return qr_cli_uint("shards", name, arg, 86400, &o->timeout) ? 0 : QR_EXIT_USAGE;
	else if (strcmp(name, "connect-timeout") == 0)
		return qr_cli_uint("shards", name, arg, 86400, &o->connect_timeout) ? 0 : QR_EXIT_USAGE;
	return 0;
}

/* Read the federation; with create, a new one where there is nothing. */
static int load(const char *dir, bool create, qr_federation **f)
{
	qr_buf err = QR_BUF_INIT, path = QR_BUF_INIT;
	struct stat sb;
	int st = 0;
	qr_buf_setf(&path, "%s/quire.json", dir);
	if (create && stat(path.buf, &sb) < 0) {
		*f = qr_federation_new(dir);
	} else if ((st = qr_federation_read(dir, f, &err))) {
		if (st == QR_DAMAGED && !qr_federation_is(dir))
			qr_error("'%s' is a corpus, not a federation: give a new directory to 'quire shards add'", dir);
		else
			qr_error("%s", err.buf);
		st = st == QR_USAGE ? QR_EXIT_USAGE : QR_EXIT_DAMAGED;
	}
	qr_buf_release(&err);
	qr_buf_release(&path);
	return st;
}

static int add(struct opts *o, char **locs, int n)
{
	qr_federation *f = NULL;
	qr_buf err = QR_BUF_INIT, name = QR_BUF_INIT;
	int st = load(qr_cli_corpus(o->corpus), true, &f);
	if (st)
		return st;
	if (o->timeout)
		f->timeout_ms = (unsigned)o->timeout * 1000;
	if (o->connect_timeout)
		f->connect_timeout_ms = (unsigned)o->connect_timeout * 1000;
	for (int i = 0; i < n && !st; i++) {
		qr_fed_shard s;
		if (qr_location_parse(locs[i], &s, &err)) {
			st = qr_usage_error("shards", "%s", err.buf);
			break;
		}
		for (size_t k = 0; k < f->n && !st; k++)
			if (strcmp(f->v[k].location, s.location) == 0)
				st = qr_usage_error("shards", "%s is listed already (shard %zu)", s.location, k + 1);
		if (!st && qr_fed_shard_connect(f, &s, false)) {
			qr_error("cannot add %s: %s", s.location, s.why);
			st = QR_EXIT_DAMAGED;
		}
		for (size_t k = 0; k < f->n && !st; k++) {
			qr_fed_shard *t = &f->v[k];
			if (strcmp(t->corpus_id, s.corpus_id) == 0)
				st = qr_usage_error("shards", "%s is corpus %s, listed already as shard %zu (%s)", s.location,
						    s.corpus_id, k + 1, t->location);
			else if (s.rule.kind == QR_SHARD_NONE || t->rule.kind == QR_SHARD_NONE)
				st = qr_usage_error("shards", "%s is not a shard (quire ingest --shard): a federation's "
							      "shards never hold the same post",
						    s.rule.kind == QR_SHARD_NONE ? s.location : t->location);
			else if (qr_shard_rules_overlap(&s.rule, &t->rule))
				st = qr_usage_error("shards", "%s (%s by %s) overlaps shard %zu (%s by %s)", s.location,
						    s.rule.place, qr_shard_kind_name(s.rule.kind), k + 1, t->rule.place,
						    qr_shard_kind_name(t->rule.kind));
		}
		if (st) {
			qr_fed_shard_clear(&s);
			break;
		}
		if (s.kind == QR_LOC_TCP && s.xapian_port) {
			/* Kept for the stub file. */
		}
		qr_fed_shard_disconnect(&s);
		f->v = qr_grow_array(f->v, sizeof(*f->v), f->n + 1, &f->alloc);
		f->v[f->n++] = s;
		printf("shard %zu: %s (%s by %s, corpus %s)\n", f->n, s.location, s.rule.place,
		       qr_shard_kind_name(s.rule.kind), s.corpus_id);
	}
	if (!st && qr_federation_write(f, &err)) {
		qr_error("cannot write the federation: %s", err.buf);
		st = QR_EXIT_INTERNAL;
	}
	qr_federation_free(f);
	qr_buf_release(&err);
	qr_buf_release(&name);
	return st;
}

static int remove_shards(struct opts *o, char **locs, int n)
{
	qr_federation *f = NULL;
	qr_buf err = QR_BUF_INIT;
	int st = load(qr_cli_corpus(o->corpus), false, &f);
	if (st)
		return st;
	bool *gone = qr_calloc(f->n + 1, sizeof(*gone));
	for (int i = 0; i < n && !st; i++) {
		char *end = NULL;
		unsigned long k = strtoul(locs[i], &end, 10);
		size_t found = f->n;
		if (end && !*end && k >= 1 && k <= f->n)
			found = k - 1;
		for (size_t j = 0; j < f->n && found == f->n; j++)
			if (strcmp(f->v[j].location, locs[i]) == 0)
				found = j;
		if (found == f->n)
			st = qr_usage_error("shards", "the federation lists no shard '%s' ('quire shards' lists them)", locs[i]);
		else
			gone[found] = true;
	}
	if (!st) {
		size_t m = 0;
		for (size_t j = 0; j < f->n; j++) {
			if (gone[j]) {
				printf("removed %s\n", f->v[j].location);
				qr_fed_shard_clear(&f->v[j]);
			} else {
				f->v[m++] = f->v[j];
			}
		}
		f->n = m;
		if (qr_federation_write(f, &err)) {
			qr_error("cannot write the federation: %s", err.buf);
			st = QR_EXIT_INTERNAL;
		}
	}
	free(gone);
	qr_federation_free(f);
	qr_buf_release(&err);
	return st;
}

/* What list shows of a shard that answers. */
struct shard_facts {
	uint32_t docs;
	int64_t first, last;
	int64_t bytes;           /* store and index, -1 when not known */
};

static void facts_of(qr_fed_shard *s, xc_db *db, struct shard_facts *out)
{
	char *lo = NULL, *hi = NULL;
	size_t ll, hl;
	cJSON *j = NULL;
	qr_buf why = QR_BUF_INIT;
	int64_t v;
	out->docs = 0;
	out->first = out->last = QR_TIME_UNKNOWN;
	out->bytes = -1;
	xc_db_doccount(db, &out->docs);
	if (xc_db_value_bounds(db, QR_SLOT_TIME, &lo, &ll, &hi, &hl) == XC_OK) {
		out->first = (int64_t)xc_sortable_unserialise(lo, ll);
		out->last = (int64_t)xc_sortable_unserialise(hi, hl);
	}
	free(lo);
	free(hi);
	if (s->info && (j = qr_json_parse(s->info, strlen(s->info), &why)) && qr_json_int(j, "bytes", &v))
		out->bytes = v;
	cJSON_Delete(j);
	qr_buf_release(&why);
}

static void time_or_dash(qr_buf *out, int64_t t)
{
	char iso[32];
	if (t == QR_TIME_UNKNOWN) {
		qr_buf_adds(out, "-");
		return;
	}
	qr_time_format_iso(t, iso);
	qr_buf_adds(out, iso);
}

static int list(struct opts *o)
{
	qr_federation *f = NULL;
	int st = load(qr_cli_corpus(o->corpus), false, &f);
	if (st)
		return st;
	bool json = o->format && strcmp(o->format, "json") == 0;
	qr_buf out = QR_BUF_INIT, t = QR_BUF_INIT;
	qr_jw w;
	int down = 0;
	if (json) {
		qr_jw_init(&w, &out, true);
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "federation", f->id);
		qr_jw_key(&w, "shards");
		qr_jw_begin_array(&w);
	} else {
		qr_buf_addf(&out, "federation %s: %zu shard%s\n", f->id, f->n, f->n == 1 ? "" : "s");
	}
	for (size_t i = 0; i < f->n; i++) {
		qr_fed_shard *s = &f->v[i];
		struct shard_facts facts = { 0, QR_TIME_UNKNOWN, QR_TIME_UNKNOWN, -1 };
		bool up = qr_fed_shard_connect(f, s, true) == 0;
		if (up)
			facts_of(s, s->local ? qr_corpus_db(s->local) : s->db, &facts);
		else
			down++;
		if (json) {
			qr_jw_begin_object(&w);
			qr_jw_kint(&w, "number", (int64_t)i + 1);
			qr_jw_kstr(&w, "location", s->location);
			qr_jw_kstr(&w, "rule", qr_shard_kind_name(s->rule.kind));
			qr_jw_kstr(&w, "place", s->rule.place);
			qr_jw_kstr(&w, "corpus_id", s->corpus_id);
			qr_jw_kstr(&w, "status", up ? "reachable" : "unreachable");
			if (up) {
				qr_jw_kint(&w, "index_version", QR_INDEX_VERSION);
				qr_jw_kint(&w, "posts", facts.docs);
				if (facts.first != QR_TIME_UNKNOWN) {
					qr_buf_reset(&t);
					time_or_dash(&t, facts.first);
					qr_jw_kstr(&w, "first", t.buf);
					qr_buf_reset(&t);
					time_or_dash(&t, facts.last);
					qr_jw_kstr(&w, "last", t.buf);
				}
				if (facts.bytes >= 0)
					qr_jw_kint(&w, "bytes", facts.bytes);
			} else {
				qr_jw_kstr(&w, "error", s->why);
			}
			qr_jw_end_object(&w);
		} else {
			qr_buf_addf(&out, "%3zu  %s\n     %s by %s, corpus %s\n", i + 1, s->location, s->rule.place,
				    qr_shard_kind_name(s->rule.kind), s->corpus_id);
			if (up) {
				qr_buf_adds(&out, "     reachable, index version ");
				qr_buf_addf(&out, "%d, ", QR_INDEX_VERSION);
				qr_add_grouped(&out, facts.docs);
				qr_buf_adds(&out, " posts, ");
				time_or_dash(&out, facts.first);
				qr_buf_adds(&out, " .. ");
				time_or_dash(&out, facts.last);
				if (facts.bytes >= 0)
					qr_buf_addf(&out, ", %.1f MB", (double)facts.bytes / 1e6);
				qr_buf_addch(&out, '\n');
			} else {
				qr_buf_adds(&out, "     UNREACHABLE: ");
				qr_escape_terminal(&out, s->why, strlen(s->why), 0);
				qr_buf_addch(&out, '\n');
			}
		}
		qr_fed_shard_disconnect(s);
	}
	if (json) {
		qr_jw_end_array(&w);
		qr_jw_end_object(&w);
		qr_buf_addch(&out, '\n');
	}
	fputs(out.buf, stdout);
	qr_buf_release(&out);
	qr_buf_release(&t);
	qr_federation_free(f);
	return down ? QR_EXIT_DAMAGED : 0;
}

int cmd_shards(int argc, char **argv)
{
	struct opts o = { NULL, "text", NULL, 0, 0 };
	int first;
	int st = qr_cli_parse(&help, argc, argv, on_option, &o, &first);
	if (st)
		return st < 0 ? 0 : st;
	const char *verb = first < argc ? argv[first] : "list";
	char **rest = argv + first + (first < argc);
	int nrest = argc - first - (first < argc);
	if (strcmp(o.format, "text") && strcmp(o.format, "json"))
		return qr_usage_error("shards", "--format takes text or json, not '%s'", o.format);
	if (strcmp(verb, "list") == 0)
		return nrest ? qr_usage_error("shards", "list takes no arguments") : list(&o);
	if (strcmp(verb, "add") == 0)
		return nrest ? add(&o, rest, nrest) : qr_usage_error("shards", "add: which shards? (a path, tcp://HOST:PORT, ssh://HOST/PATH)");
	if (strcmp(verb, "remove") == 0)
		return nrest ? remove_shards(&o, rest, nrest) : qr_usage_error("shards", "remove: which shards?");
	if (strcmp(verb, "merge") == 0) {
		if (nrest || !o.out)
			return qr_usage_error("shards", "merge takes --out DIR and no arguments");
		return qr_merge_command(qr_cli_corpus(o.corpus), o.out);
	}
	return qr_usage_error("shards", "no such action '%s': list, add, remove or merge", verb);
}
