/*
 * bench/gen: a deterministic corpus of synthetic posts for the benchmark.
 *
 *   gen -n N [-s SEED] [--days D] -o tweets.jsonl [-t fields.tsv]
 *       [-r reddit.ndjson.zst] [-f facts.sh]
 *
 * Twitter API v1.1 tweets as the streaming API delivered them, one per
 * line: full user objects, entities, extended_tweet for long texts, media
 * (photos, videos and GIFs with their variants), retweets and quotes that
 * embed the whole original, replies.  Words follow a Zipf law over a mixed
 * vocabulary (real English words first, made-up ones in the tail), hashtags
 * a heavier tail, about a tenth of the posts are Korean, and times spread
 * over days with a daily rhythm and bursts.  The same seed gives the same
 * bytes.
 *
 * Alongside: fields.tsv holds what quire indexes of each post (the text as
 * quire normalizes it, hashtags, author, media...), so the reference
 * indexers can be timed without parsing JSON; reddit.ndjson.zst holds the
 * same posts as Reddit dump lines, compressed with `zstd --long=31` like the
 * real dumps; facts.sh names a few values the benchmark queries use.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "json.h"
#include "timeutil.h"

/* ---- random numbers: xoshiro256** seeded through splitmix64 ---- */

typedef struct rng {
	uint64_t s[4];
} rng;

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next64(rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

static double unif(rng *r) { return (double)(next64(r) >> 11) * 0x1.0p-53; }
static uint32_t below(rng *r, uint32_t n) { return (uint32_t)(unif(r) * n); }
static bool chance(rng *r, double p) { return unif(r) < p; }

/* ---- Zipf sampling over ranks 0..n-1 by a cumulative table ---- */

typedef struct zipf {
	double *cdf;
	uint32_t n;
} zipf;

static void zipf_init(zipf *z, uint32_t n, double s)
{
	z->n = n;
	z->cdf = qr_malloc(n * sizeof(double));
	double sum = 0;
	for (uint32_t i = 0; i < n; i++)
		z->cdf[i] = (sum += 1.0 / pow(i + 1.0, s));
	for (uint32_t i = 0; i < n; i++)
		z->cdf[i] /= sum;
}

static uint32_t zipf_draw(const zipf *z, rng *r)
{
	double u = unif(r);
	uint32_t lo = 0, hi = z->n - 1;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (z->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- vocabularies ---- */

/* The most frequent words; the benchmark's query words are among them. */
static const char *const english[] = {
	"the", "to", "and", "a", "of", "is", "in", "for", "this", "you", "that", "it", "on", "we", "are", "with",
	"not", "be", "all", "they", "have", "police", "people", "black", "what", "just", "lives", "matter", "so",
	"do", "my", "your", "at", "from", "but", "if", "no", "our", "was", "now", "will", "can", "about", "out",
	"protest", "protests", "protesters", "video", "videos", "today", "need", "know", "like", "one", "why",
	"please", "stop", "right", "justice", "george", "floyd", "city", "officers", "officer", "streets",
	"tonight", "watch", "time", "more", "when", "how", "who", "get", "going", "being", "still", "here",
	"there", "them", "their", "us", "me", "he", "she", "his", "her", "him", "were", "been", "has", "had",
	"app", "fans", "fancam", "fancams", "flood", "hashtag", "tag", "using", "use", "spread", "share",
	"report", "reports", "reporting", "news", "live", "breaking", "march", "marching", "peaceful",
	"curfew", "arrested", "arrests", "tear", "gas", "rubber", "bullets", "crowd", "downtown", "bridge",
	"national", "guard", "mayor", "governor", "president", "statement", "support", "solidarity", "donate",
	"fund", "bail", "petition", "sign", "call", "vote", "change", "history", "racism", "racist", "equality",
	"silence", "voices", "community", "communities", "together", "love", "hate", "fear", "safe", "stay",
	"everyone", "family", "friends", "world", "country", "america", "minneapolis", "dallas", "york",
	"chicago", "atlanta", "seattle", "portland", "louisville", "washington", "square", "park", "street",
	"night", "morning", "day", "week", "hours", "minutes", "ago", "first", "last", "never", "again",
	"always", "every", "some", "many", "much", "any", "other", "new", "old", "good", "bad", "big", "small",
	"real", "true", "fake", "false", "thread", "read", "look", "see", "saw", "seen", "heard", "said",
	"says", "tell", "told", "ask", "asked", "think", "thought", "feel", "felt", "make", "made", "take",
	"took", "give", "gave", "come", "came", "go", "went", "keep", "kept", "let", "put", "say", "try",
	"trying", "help", "helped", "send", "sent", "post", "posted", "posting", "retweet", "follow", "block",
	"account", "accounts", "twitter", "kpop", "army", "stan", "stans", "bts", "music", "song", "album",
	"concert", "dance", "photo", "photos", "picture", "camera", "footage", "clip", "clips", "filming",
	"recorded", "evidence", "witness", "witnesses", "lawyer", "court", "charges", "charged", "murder",
	"killed", "death", "died", "life", "body", "knee", "neck", "breathe", "cannot", "cant", "dont", "wont",
	"im", "its", "thats", "theyre", "youre", "amazing", "beautiful", "powerful", "important", "urgent",
	"sad", "angry", "tired", "proud", "grateful", "thank", "thanks", "sorry", "yes", "okay", "wow",
};

/* Syllables for made-up words: consonant onsets and vowel nuclei. */
static const char *const onsets[] = { "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s",
				      "t", "v", "w", "z", "br", "ch", "cl", "dr", "fl", "gr", "pl", "pr", "sh",
				      "sl", "st", "th", "tr", "qu" };
static const char *const nuclei[] = { "a", "e", "i", "o", "u", "ai", "ea", "ee", "io", "ou", "oo", "ay" };
static const char *const codas[] = { "", "", "", "n", "r", "s", "t", "l", "m", "ng", "ck", "st", "rd", "nt" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

typedef struct vocab {
	char **w;
	uint32_t n;
	zipf z;
} vocab;

static void made_up_word(rng *r, qr_buf *out, int syllables)
{
	qr_buf_reset(out);
	for (int i = 0; i < syllables; i++) {
		qr_buf_adds(out, onsets[below(r, NELEM(onsets))]);
		qr_buf_adds(out, nuclei[below(r, NELEM(nuclei))]);
	}
	qr_buf_adds(out, codas[below(r, NELEM(codas))]);
}

/* A Hangul syllable block: one of the 11,172 from U+AC00, weighted toward
 * the common ones by drawing from the first initials and medials. */
static void add_hangul(rng *r, qr_buf *out)
{
	uint32_t initial = below(r, 19), medial = below(r, 21), final = chance(r, 0.45) ? 1 + below(r, 27) : 0;
	uint32_t cp = 0xAC00 + (initial * 21 + medial) * 28 + final;
	char u[3] = { (char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)), (char)(0x80 | (cp & 0x3F)) };
	qr_buf_add(out, u, 3);
}

static void vocab_english(vocab *v, rng *r, uint32_t n)
{
	qr_buf w = QR_BUF_INIT;
	v->n = n;
	v->w = qr_malloc(n * sizeof(char *));
	uint32_t i = 0;
	for (; i < NELEM(english) && i < n; i++)
		v->w[i] = qr_strdup(english[i]);
	for (; i < n; i++) {
		made_up_word(r, &w, 1 + (int)below(r, 3));
		v->w[i] = qr_strdup(w.buf);
	}
	qr_buf_release(&w);
	zipf_init(&v->z, n, 1.05);
}

static void vocab_korean(vocab *v, rng *r, uint32_t n)
{
	qr_buf w = QR_BUF_INIT;
	v->n = n;
	v->w = qr_malloc(n * sizeof(char *));
	for (uint32_t i = 0; i < n; i++) {
		qr_buf_reset(&w);
		int len = 1 + (int)below(r, 4);
		for (int k = 0; k < len; k++)
			add_hangul(r, &w);
		v->w[i] = qr_strdup(w.buf);
	}
	qr_buf_release(&w);
	zipf_init(&v->z, n, 1.0);
}

/* Hashtags: the June 2020 ones first, then made-up ones in a long tail. */
static const char *const top_tags[] = {
	"BlackLivesMatter", "WhiteLivesMatter", "BlackoutTuesday", "GeorgeFloyd", "JusticeForGeorgeFloyd",
	"BlueLivesMatter", "AllLivesMatter", "WhiteOutWednesday", "ExposeAntifa", "iWatchDallas",
	"MatchAMillion", "BTS", "fancam", "Minneapolis", "DefundThePolice", "ICantBreathe", "Protests2020",
	"BlackOutTuesday", "blacklivesmatter", "BLM",
};

typedef struct tagset {
	char **t;
	uint32_t n;
	zipf z;
} tagset;

static void tags_init(tagset *ts, rng *r, const vocab *en, const vocab *ko, uint32_t n)
{
	qr_buf w = QR_BUF_INIT;
	ts->n = n;
	ts->t = qr_malloc(n * sizeof(char *));
	uint32_t i = 0;
	for (; i < NELEM(top_tags); i++)
		ts->t[i] = qr_strdup(top_tags[i]);
	for (; i < n; i++) {
		qr_buf_reset(&w);
		if (chance(r, 0.08)) {
			qr_buf_adds(&w, ko->w[below(r, 200)]);
			qr_buf_adds(&w, ko->w[below(r, ko->n)]);
		} else {
			int parts = 1 + (int)below(r, 3);
			for (int k = 0; k < parts; k++) {
				const char *p = en->w[NELEM(english) + below(r, en->n - (uint32_t)NELEM(english))];
				size_t at = w.len;
				qr_buf_adds(&w, p);
				if (chance(r, 0.7))
					w.buf[at] = (char)(w.buf[at] - 'a' + 'A');
			}
			if (chance(r, 0.15))
				qr_buf_addf(&w, "%u", 2000 + below(r, 25));
		}
		ts->t[i] = qr_strdup(w.buf);
	}
	qr_buf_release(&w);
	zipf_init(&ts->z, n, 1.2);
}

/* ---- users ---- */

typedef struct user {
	uint64_t id;
	char *screen_name;
	char *name;
	char *location;
	char *description;
	char *url;         /* expanded homepage, or NULL */
	int64_t created;
	int64_t followers, friends, listed, favourites, statuses;
	bool verified, korean;
	uint32_t colour;
	uint32_t image;
} user;

static const char *const places[] = { "Minneapolis, MN", "Dallas, TX", "New York, NY", "Seoul, Korea",
				      "Los Angeles, CA", "London", "Atlanta, GA", "", "", "earth", "she/her",
				      "Chicago", "Busan", "Toronto, Ontario", "Paris, France", "he/him" };

static void text_words(rng *r, const vocab *v, qr_buf *out, int n)
{
	for (int i = 0; i < n; i++) {
		if (out->len)
			qr_buf_addch(out, ' ');
		qr_buf_adds(out, v->w[zipf_draw(&v->z, r)]);
	}
}

static void users_init(user *u, uint32_t n, uint64_t seed, const vocab *en, const vocab *ko)
{
	qr_buf w = QR_BUF_INIT;
	rng r;
	rng_seed(&r, seed ^ 0x5553455253ULL);
	for (uint32_t i = 0; i < n; i++) {
		user *x = &u[i];
		x->id = 10000000ULL + next64(&r) % 1200000000000000000ULL;
		x->korean = chance(&r, 0.11);
		made_up_word(&r, &w, 1 + (int)below(&r, 2));
		qr_buf_addf(&w, "%s%u", chance(&r, 0.5) ? "_" : "", i);
		x->screen_name = qr_strdup(w.buf);
		qr_buf_reset(&w);
		if (x->korean) {
			text_words(&r, ko, &w, 1 + (int)below(&r, 2));
		} else {
			made_up_word(&r, &w, 2);
			w.buf[0] = (char)(w.buf[0] - 'a' + 'A');
			qr_buf_addch(&w, ' ');
			size_t at = w.len;
			qr_buf_adds(&w, en->w[NELEM(english) + below(&r, 2000)]);
			w.buf[at] = (char)(w.buf[at] - 'a' + 'A');
		}
		if (chance(&r, 0.2))
			qr_buf_adds(&w, " \xF0\x9F\x92\x9C");
		x->name = qr_strdup(w.buf);
		x->location = qr_strdup(places[below(&r, NELEM(places))]);
		qr_buf_reset(&w);
		text_words(&r, x->korean ? ko : en, &w, 4 + (int)below(&r, 18));
		x->description = qr_strdup(w.buf);
		x->url = NULL;
		if (chance(&r, 0.35)) {
			qr_buf_setf(&w, "https://%s.example.org/%s", en->w[NELEM(english) + below(&r, 500)], x->screen_name);
			x->url = qr_strdup(w.buf);
		}
		x->created = 1230768000 + (int64_t)below(&r, 360000000);
		double fame = pow(unif(&r) + 1e-9, -1.3);
		x->followers = (int64_t)(20 * fame);
		x->friends = 50 + below(&r, 3000);
		x->listed = x->followers / 60;
		x->favourites = below(&r, 90000);
		x->statuses = 100 + below(&r, 150000);
		x->verified = x->followers > 200000 && chance(&r, 0.5);
		x->colour = below(&r, 0xFFFFFF);
		x->image = below(&r, 1u << 30);
	}
	qr_buf_release(&w);
}

static void twitter_time(int64_t t, char *out, size_t n)
{
	static const char *const wd[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	qr_civil c;
	qr_time_to_civil(t, &c);
	snprintf(out, n, "%s %s %02d %02d:%02d:%02d +0000 %04d", wd[((t / 86400) % 7 + 7) % 7], mon[c.month - 1], c.day,
		 c.hour, c.minute, c.second, c.year);
}

static void short_code(rng *r, char *out, int n)
{
	static const char an[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	for (int i = 0; i < n; i++)
		out[i] = an[below(r, 62)];
	out[n] = 0;
}

static void hexcolour(char *out, uint32_t c) { snprintf(out, 8, "%06X", c & 0xFFFFFF); }

/* A user object as v1.1 delivers it; counts move with time. */
static void write_user(qr_jw *w, const user *u, int64_t now)
{
	char id[24], when[40], col[8], buf[160];
	double days = (double)(now - 1590364800) / 86400.0;
	snprintf(id, sizeof(id), "%llu", (unsigned long long)u->id);
	twitter_time(u->created, when, sizeof(when));
	qr_jw_begin_object(w);
	qr_jw_key(w, "id");
	qr_jw_int(w, (int64_t)u->id);
	qr_jw_kstr(w, "id_str", id);
	qr_jw_kstr(w, "name", u->name);
	qr_jw_kstr(w, "screen_name", u->screen_name);
	qr_jw_kstr(w, "location", u->location);
	qr_jw_key(w, "url");
	if (u->url)
		qr_jw_string(w, "https://t.co/x0Yz1AbC2d");
	else
		qr_jw_null(w);
	qr_jw_kstr(w, "description", u->description);
	qr_jw_key(w, "translator_type");
	qr_jw_string(w, "none");
	qr_jw_key(w, "protected");
	qr_jw_bool(w, false);
	qr_jw_key(w, "verified");
	qr_jw_bool(w, u->verified);
	qr_jw_kint(w, "followers_count", u->followers + (int64_t)(days * (double)u->followers * 0.01));
	qr_jw_kint(w, "friends_count", u->friends + (int64_t)days);
	qr_jw_kint(w, "listed_count", u->listed);
	qr_jw_kint(w, "favourites_count", u->favourites + (int64_t)(days * 40));
	qr_jw_kint(w, "statuses_count", u->statuses + (int64_t)(days * 25));
	qr_jw_kstr(w, "created_at", when);
	qr_jw_key(w, "utc_offset");
	qr_jw_null(w);
	qr_jw_key(w, "time_zone");
	qr_jw_null(w);
	qr_jw_key(w, "geo_enabled");
	qr_jw_bool(w, (u->image & 1) != 0);
	qr_jw_key(w, "lang");
	qr_jw_null(w);
	qr_jw_key(w, "contributors_enabled");
	qr_jw_bool(w, false);
	qr_jw_key(w, "is_translator");
	qr_jw_bool(w, false);
	hexcolour(col, u->colour);
	qr_jw_kstr(w, "profile_background_color", col);
	qr_jw_kstr(w, "profile_background_image_url", "http://abs.twimg.com/images/themes/theme1/bg.png");
	qr_jw_kstr(w, "profile_background_image_url_https", "https://abs.twimg.com/images/themes/theme1/bg.png");
	qr_jw_key(w, "profile_background_tile");
	qr_jw_bool(w, false);
	hexcolour(col, u->colour >> 3);
	qr_jw_kstr(w, "profile_link_color", col);
	qr_jw_kstr(w, "profile_sidebar_border_color", "C0DEED");
	qr_jw_kstr(w, "profile_sidebar_fill_color", "DDEEF6");
	qr_jw_kstr(w, "profile_text_color", "333333");
	qr_jw_key(w, "profile_use_background_image");
	qr_jw_bool(w, true);
	snprintf(buf, sizeof(buf), "http://pbs.twimg.com/profile_images/%u/%08x_normal.jpg", u->image, u->colour);
	qr_jw_kstr(w, "profile_image_url", buf);
	snprintf(buf, sizeof(buf), "https://pbs.twimg.com/profile_images/%u/%08x_normal.jpg", u->image, u->colour);
	qr_jw_kstr(w, "profile_image_url_https", buf);
	snprintf(buf, sizeof(buf), "https://pbs.twimg.com/profile_banners/%s/%u", id, 1500000000 + u->image % 90000000);
	qr_jw_kstr(w, "profile_banner_url", buf);
	qr_jw_key(w, "default_profile");
	qr_jw_bool(w, (u->colour & 7) == 0);
	qr_jw_key(w, "default_profile_image");
	qr_jw_bool(w, false);
	qr_jw_key(w, "following");
	qr_jw_null(w);
	qr_jw_key(w, "follow_request_sent");
	qr_jw_null(w);
	qr_jw_key(w, "notifications");
	qr_jw_null(w);
	qr_jw_end_object(w);
}

/* ---- a post under construction ---- */

enum kind { K_ORIGINAL, K_RETWEET, K_REPLY, K_QUOTE };
static const char *const kind_names[] = { "original", "repost", "reply", "quote" };

typedef struct media {
	char type[16];       /* photo, video, animated_gif */
	uint64_t id;
	char tco[32];        /* the t.co link in the text */
	char still[160];
	char best[200];      /* best mp4, for video and gif */
	char *variants;      /* raw JSON of video_info, NULL for photos */
	char *alt;
	int w, h;
} media;

/* What an original leaves behind so retweets and quotes can embed it. */
typedef struct original {
	uint64_t id;
	uint32_t user;
	bool korean;
	char *head;          /* the object's JSON from "{" up to the counts */
	char *tail;          /* from "entities" to the closing "}" */
	char *plain;         /* text as quire indexes it */
	char *hashtags, *mentions, *urls, *mtypes, *murls, *mkeys, *alts;
	char *json_text;     /* text as in the JSON (t.co links, escapes) */
	int64_t retweets;
} original;

typedef struct gen {
	rng r;
	vocab en, ko;
	tagset tags;
	user *users;
	uint32_t nusers;
	zipf activity;
	original *ring;      /* recent originals */
	uint32_t ring_n, ring_at, ring_cap;
	uint32_t *viral;     /* ring slots of the popular originals */
	uint32_t nviral;
	zipf viral_z;
	/* scratch */
	qr_buf text, plain, json, tmp, tsv, reddit;
	qr_buf ents_h, ents_m, ents_u;       /* entity arrays being built (raw JSON members) */
	qr_buf f_tags, f_ments, f_urls, f_mtypes, f_murls, f_mkeys, f_alts;
	int cp;              /* code points in text so far */
	uint64_t counts[4], media_n[3], korean_n, bytes;
} gen;

static int utf8_cps(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void list_add(qr_buf *list, const char *s)
{
	if (list->len)
		qr_buf_addch(list, ' ');
	qr_buf_adds(list, s);
}

/* Append to both the JSON text (escaped as Twitter does) and the plain text
 * quire will index. */
static void say(gen *g, const char *json_form, const char *plain_form)
{
	qr_buf_adds(&g->text, json_form);
	qr_buf_adds(&g->plain, plain_form);
	g->cp += utf8_cps(json_form);
}

static void entity_indices(qr_buf *b, int from, int to) { qr_buf_addf(b, "\"indices\":[%d,%d]", from, to); }

static void add_hashtag(gen *g, const char *tag)
{
	int from = g->cp;
	say(g, "#", "#");
	say(g, tag, tag);
	if (g->ents_h.len)
		qr_buf_addch(&g->ents_h, ',');
	qr_buf_adds(&g->ents_h, "{\"text\":");
	qr_json_quote(&g->ents_h, tag, strlen(tag));
	qr_buf_addch(&g->ents_h, ',');
	entity_indices(&g->ents_h, from, g->cp);
	qr_buf_addch(&g->ents_h, '}');
	/* quire keeps the first spelling of a tag that repeats in any case */
	qr_buf key = QR_BUF_INIT;
	qr_buf_addf(&key, " %s ", tag);
	qr_buf hay = QR_BUF_INIT;
	qr_buf_addf(&hay, " %s ", g->f_tags.buf);
	if (!strcasestr(hay.buf, key.buf))
		list_add(&g->f_tags, tag);
	qr_buf_release(&key);
	qr_buf_release(&hay);
}

static void add_mention(gen *g, const user *u)
{
	int from = g->cp;
	char id[24];
	snprintf(id, sizeof(id), "%llu", (unsigned long long)u->id);
	say(g, "@", "@");
	say(g, u->screen_name, u->screen_name);
	if (g->ents_m.len)
		qr_buf_addch(&g->ents_m, ',');
	qr_buf_adds(&g->ents_m, "{\"screen_name\":");
	qr_json_quote(&g->ents_m, u->screen_name, strlen(u->screen_name));
	qr_buf_adds(&g->ents_m, ",\"name\":");
	qr_json_quote(&g->ents_m, u->name, strlen(u->name));
	qr_buf_addf(&g->ents_m, ",\"id\":%s,\"id_str\":\"%s\",", id, id);
	entity_indices(&g->ents_m, from, g->cp);
	qr_buf_addch(&g->ents_m, '}');
	qr_buf hay = QR_BUF_INIT, key = QR_BUF_INIT;
	qr_buf_addf(&hay, " %s ", g->f_ments.buf);
	qr_buf_addf(&key, " %s ", u->screen_name);
	if (!strcasestr(hay.buf, key.buf))
		list_add(&g->f_ments, u->screen_name);
	qr_buf_release(&hay);
	qr_buf_release(&key);
}

static const char *const sites[] = { "www.nytimes.com", "www.washingtonpost.com", "www.startribune.com",
				     "www.dallasnews.com", "www.cnn.com", "apnews.com", "www.reuters.com",
				     "www.instagram.com", "www.youtube.com", "youtu.be", "www.gofundme.com",
				     "blacklivesmatter.com", "www.change.org", "www.koreaherald.com", "medium.com",
				     "news.example.net" };

static void add_link(gen *g, const char *expanded)
{
	char code[16], tco[40], disp[64];
	short_code(&g->r, code, 10);
	snprintf(tco, sizeof(tco), "https://t.co/%s", code);
	const char *d = strstr(expanded, "://");
	snprintf(disp, sizeof(disp), "%.24s%s", d ? d + 3 : expanded, strlen(d ? d + 3 : expanded) > 24 ? "\xE2\x80\xA6" : "");
	int from = g->cp;
	say(g, tco, expanded);
	if (g->ents_u.len)
		qr_buf_addch(&g->ents_u, ',');
	qr_buf_addf(&g->ents_u, "{\"url\":\"%s\",\"expanded_url\":", tco);
	qr_json_quote(&g->ents_u, expanded, strlen(expanded));
	qr_buf_adds(&g->ents_u, ",\"display_url\":");
	qr_json_quote(&g->ents_u, disp, strlen(disp));
	qr_buf_addch(&g->ents_u, ',');
	entity_indices(&g->ents_u, from, g->cp);
	qr_buf_addch(&g->ents_u, '}');
	list_add(&g->f_urls, expanded);
}

static const char *const phrases[] = { "black lives matter", "i cant breathe", "stay safe out there",
				       "police brutality", "no justice no peace", "say his name",
				       "please share this video" };

/* Words until the text reaches about `target` code points. */
static void add_words(gen *g, bool korean, int target)
{
	const vocab *v = korean ? &g->ko : &g->en;
	while (g->cp < target) {
		if (g->cp)
			say(g, " ", " ");
		if (!korean && chance(&g->r, 0.02)) {
			const char *p = phrases[below(&g->r, NELEM(phrases))];
			say(g, p, p);
		} else if (chance(&g->r, 0.004)) {
			say(g, "&amp;", "&");
		} else if (korean && chance(&g->r, 0.08)) {
			const char *w = g->en.w[zipf_draw(&g->en.z, &g->r)];
			say(g, w, w);
		} else {
			const char *w = v->w[zipf_draw(&v->z, &g->r)];
			say(g, w, w);
		}
	}
}

static void make_media(gen *g, media *m, int kind, uint64_t post_id, bool korean)
{
	static const char *const types[] = { "photo", "video", "animated_gif" };
	char code[16];
	qr_buf b = QR_BUF_INIT;
	memset(m, 0, sizeof(*m));
	snprintf(m->type, sizeof(m->type), "%s", types[kind]);
	m->id = post_id - 1 - below(&g->r, 1000);
	short_code(&g->r, code, 15);
	if (kind == 0) {
		snprintf(m->still, sizeof(m->still), "https://pbs.twimg.com/media/%s.jpg", code);
		m->w = 1200;
		m->h = 675 + (int)below(&g->r, 900);
		if (chance(&g->r, 0.3)) {
			text_words(&g->r, korean ? &g->ko : &g->en, &b, 5 + (int)below(&g->r, 20));
			m->alt = qr_strdup(b.buf);
		}
	} else {
		const char *kindpath = kind == 1 ? "ext_tw_video" : "tweet_video";
		snprintf(m->still, sizeof(m->still), "https://pbs.twimg.com/%s_thumb/%llu/pu/img/%s.jpg", kindpath,
			 (unsigned long long)m->id, code);
		m->w = kind == 1 ? 720 : 480;
		m->h = kind == 1 ? 1280 : 270;
		qr_buf_reset(&b);
		if (kind == 1) {
			static const int rates[] = { 632000, 2176000, 950000 };
			static const char *const sizes[] = { "320x568", "720x1280", "480x852" };
			qr_buf_addf(&b, "{\"aspect_ratio\":[9,16],\"duration_millis\":%u,\"variants\":[", 3000 + below(&g->r, 140000));
			qr_buf_addf(&b, "{\"content_type\":\"application/x-mpegURL\",\"url\":\"https://video.twimg.com/ext_tw_video/%llu/pu/pl/%s.m3u8?tag=10\"}",
				    (unsigned long long)m->id, code);
			for (int i = 0; i < 3; i++) {
				char vcode[20];
				short_code(&g->r, vcode, 16);
				qr_buf_addf(&b, ",{\"bitrate\":%d,\"content_type\":\"video/mp4\",\"url\":\"https://video.twimg.com/ext_tw_video/%llu/pu/vid/%s/%s.mp4?tag=10\"}",
					    rates[i], (unsigned long long)m->id, sizes[i], vcode);
				if (rates[i] == 2176000)
					snprintf(m->best, sizeof(m->best), "https://video.twimg.com/ext_tw_video/%llu/pu/vid/%s/%s.mp4?tag=10",
						 (unsigned long long)m->id, sizes[i], vcode);
			}
			qr_buf_adds(&b, "]}");
		} else {
			snprintf(m->best, sizeof(m->best), "https://video.twimg.com/tweet_video/%s.mp4", code);
			qr_buf_addf(&b, "{\"aspect_ratio\":[16,9],\"variants\":[{\"bitrate\":0,\"content_type\":\"video/mp4\",\"url\":\"%s\"}]}", m->best);
		}
		m->variants = qr_strdup(b.buf);
	}
	qr_buf_release(&b);
}

static void write_media_json(qr_buf *out, const media *m, int n, uint64_t post_id, const char *handle)
{
	for (int i = 0; i < n; i++) {
		const media *x = &m[i];
		if (i)
			qr_buf_addch(out, ',');
		qr_buf_addf(out, "{\"id\":%llu,\"id_str\":\"%llu\",\"indices\":[%d,%d],\"media_url\":\"http%s\",\"media_url_https\":\"%s\","
			    "\"url\":\"%s\",\"display_url\":\"pic.twitter.com/%s\",\"expanded_url\":\"https://twitter.com/%s/status/%llu/%s/1\","
			    "\"type\":\"%s\",\"sizes\":{\"thumb\":{\"w\":150,\"h\":150,\"resize\":\"crop\"},\"medium\":{\"w\":%d,\"h\":%d,\"resize\":\"fit\"},"
			    "\"small\":{\"w\":%d,\"h\":%d,\"resize\":\"fit\"},\"large\":{\"w\":%d,\"h\":%d,\"resize\":\"fit\"}}",
			    (unsigned long long)x->id, (unsigned long long)x->id, 100, 123, x->still + 5, x->still, x->tco,
			    x->tco + 13, handle, (unsigned long long)post_id, strcmp(x->type, "photo") == 0 ? "photo" : "video",
			    x->type, x->w, x->h, x->w * 2 / 3, x->h * 2 / 3, x->w, x->h);
		if (x->variants)
			qr_buf_addf(out, ",\"video_info\":%s", x->variants);
		if (x->alt) {
			qr_buf_adds(out, ",\"ext_alt_text\":");
			qr_json_quote(out, x->alt, strlen(x->alt));
		}
		qr_buf_addch(out, '}');
	}
}

static void reset_post(gen *g)
{
	qr_buf *bs[] = { &g->text, &g->plain, &g->ents_h, &g->ents_m, &g->ents_u, &g->f_tags, &g->f_ments,
			 &g->f_urls, &g->f_mtypes, &g->f_murls, &g->f_mkeys, &g->f_alts };
	for (size_t i = 0; i < NELEM(bs); i++)
		qr_buf_reset(bs[i]);
	g->cp = 0;
}

static void tsv_field(qr_buf *out, const char *s, bool last)
{
	for (; *s; s++) {
		if (*s == '\t')
			qr_buf_adds(out, "\\t");
		else if (*s == '\n')
			qr_buf_adds(out, "\\n");
		else if (*s == '\\')
			qr_buf_adds(out, "\\\\");
		else
			qr_buf_addch(out, *s);
	}
	qr_buf_addch(out, last ? '\n' : '\t');
}

/* ---- the fields file: one line per post ----
 * id  created  handle  author_id  lang  kind  hashtags  mentions  urls
 * media_types  media_urls  media_keys  collapse  sha256  offset  length
 * text  alt_texts(\x1f between)
 */
static void write_tsv(gen *g, uint64_t id, int64_t t, const user *u, const char *lang, int kind,
		      const char *collapse, const uint8_t *sha, uint64_t offset, size_t len, const original *src)
{
	char num[32], hex[QR_SHA256_HEX];
	qr_buf *o = &g->tsv;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)id);
	tsv_field(o, num, false);
	snprintf(num, sizeof(num), "%lld", (long long)t);
	tsv_field(o, num, false);
	tsv_field(o, u->screen_name, false);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)u->id);
	tsv_field(o, num, false);
	tsv_field(o, lang, false);
	tsv_field(o, kind_names[kind], false);
	tsv_field(o, g->f_tags.buf, false);
	tsv_field(o, g->f_ments.buf, false);
	tsv_field(o, g->f_urls.buf, false);
	tsv_field(o, src ? src->mtypes : g->f_mtypes.buf, false);
	tsv_field(o, src ? src->murls : g->f_murls.buf, false);
	tsv_field(o, src ? src->mkeys : g->f_mkeys.buf, false);
	tsv_field(o, collapse, false);
	qr_hex(sha, QR_SHA256_LEN, hex);
	tsv_field(o, hex, false);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)offset);
	tsv_field(o, num, false);
	snprintf(num, sizeof(num), "%zu", len);
	tsv_field(o, num, false);
	tsv_field(o, g->plain.buf, false);
	tsv_field(o, src ? src->alts : g->f_alts.buf, true);
}

static char *dup_buf(const qr_buf *b) { return qr_strndup(b->buf, b->len); }

static void original_free(original *o)
{
	char **s[] = { &o->head, &o->tail, &o->plain, &o->hashtags, &o->mentions, &o->urls, &o->mtypes,
		       &o->murls, &o->mkeys, &o->alts, &o->json_text };
	for (size_t i = 0; i < NELEM(s); i++) {
		free(*s[i]);
		*s[i] = NULL;
	}
}

/* Strip what quire strips: the text ends without spaces or newlines. */
static void rstrip(qr_buf *b)
{
	while (b->len && (b->buf[b->len - 1] == ' ' || b->buf[b->len - 1] == '\n'))
		qr_buf_setlen(b, b->len - 1);
}

/* Truncate a JSON-form text at about n code points, on a character edge. */
static void cut_cps(const char *s, int n, qr_buf *out)
{
	qr_buf_reset(out);
	int cp = 0;
	const char *p = s;
	for (; *p; p++) {
		if (((unsigned char)*p & 0xC0) != 0x80) {
			if (cp == n)
				break;
			cp++;
		}
	}
	qr_buf_add(out, s, (size_t)(p - s));
}

static const char *const clients[] = {
	"<a href=\"http://twitter.com/download/iphone\" rel=\"nofollow\">Twitter for iPhone</a>",
	"<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
	"<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
	"<a href=\"https://about.twitter.com/products/tweetdeck\" rel=\"nofollow\">TweetDeck</a>",
};

/* Everything of a status object before its counts: "{...,"is_quote_status":x" */
static void status_head(gen *g, qr_buf *out, uint64_t id, int64_t t, const user *u, const char *text,
			bool truncated, const char *reply_to, const user *reply_user, const char *quoted_id)
{
	char when[40], num[24];
	qr_jw w;
	qr_buf_reset(out);
	qr_jw_init(&w, out, false);
	twitter_time(t, when, sizeof(when));
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "created_at", when);
	qr_jw_key(&w, "id");
	qr_jw_int(&w, (int64_t)id);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)id);
	qr_jw_kstr(&w, "id_str", num);
	qr_jw_key(&w, "text");
	qr_jw_raw(&w, text, strlen(text));
	qr_jw_kstr(&w, "source", clients[u->image % NELEM(clients)]);
	qr_jw_key(&w, "truncated");
	qr_jw_bool(&w, truncated);
	const char *rkeys[] = { "in_reply_to_status_id", "in_reply_to_status_id_str", "in_reply_to_user_id",
				"in_reply_to_user_id_str", "in_reply_to_screen_name" };
	for (int i = 0; i < 5; i++) {
		qr_jw_key(&w, rkeys[i]);
		if (!reply_to) {
			qr_jw_null(&w);
			continue;
		}
		snprintf(num, sizeof(num), "%llu", (unsigned long long)reply_user->id);
		switch (i) {
		case 0: qr_jw_raw(&w, reply_to, strlen(reply_to)); break;
		case 1: qr_jw_string(&w, reply_to); break;
		case 2: qr_jw_raw(&w, num, strlen(num)); break;
		case 3: qr_jw_string(&w, num); break;
		default: qr_jw_string(&w, reply_user->screen_name);
		}
	}
	qr_jw_key(&w, "user");
	write_user(&w, u, t);
	qr_jw_key(&w, "geo");
	qr_jw_null(&w);
	qr_jw_key(&w, "coordinates");
	qr_jw_null(&w);
	qr_jw_key(&w, "place");
	if (chance(&g->r, 0.04) && *u->location) {
		qr_jw_begin_object(&w);
		qr_jw_kstr(&w, "id", "01fbe706f872cb32");
		qr_jw_kstr(&w, "url", "https://api.twitter.com/1.1/geo/id/01fbe706f872cb32.json");
		qr_jw_kstr(&w, "place_type", "city");
		qr_jw_kstr(&w, "name", u->location);
		qr_jw_kstr(&w, "full_name", u->location);
		qr_jw_kstr(&w, "country_code", u->korean ? "KR" : "US");
		qr_jw_kstr(&w, "country", u->korean ? "Republic of Korea" : "United States");
		qr_jw_end_object(&w);
	} else {
		qr_jw_null(&w);
	}
	qr_jw_key(&w, "contributors");
	qr_jw_null(&w);
	if (quoted_id) {
		qr_jw_key(&w, "quoted_status_id");
		qr_jw_raw(&w, quoted_id, strlen(quoted_id));
		qr_jw_kstr(&w, "quoted_status_id_str", quoted_id);
	}
	qr_jw_key(&w, "is_quote_status");
	qr_jw_bool(&w, quoted_id != NULL);
	/* the object stays open: counts and the tail follow */
}

static void counts_json(qr_buf *out, int64_t quotes, int64_t replies, int64_t rts, int64_t likes)
{
	qr_buf_addf(out, ",\"quote_count\":%lld,\"reply_count\":%lld,\"retweet_count\":%lld,\"favorite_count\":%lld",
		    (long long)quotes, (long long)replies, (long long)rts, (long long)likes);
}

static void entities_json(qr_buf *out, const char *h, const char *u, const char *m, const char *mlist)
{
	qr_buf_addf(out, "{\"hashtags\":[%s],\"urls\":[%s],\"user_mentions\":[%s],\"symbols\":[]", h, u, m);
	if (mlist && *mlist)
		qr_buf_addf(out, ",\"media\":[%s]", mlist);
	qr_buf_addch(out, '}');
}

/* One post: its JSON line, its TSV line and its Reddit line. */
static void make_post(gen *g, uint64_t seq, int64_t t, int kind, qr_buf *line, uint64_t offset)
{
	uint32_t ui = zipf_draw(&g->activity, &g->r);
	const user *u = &g->users[ui];
	bool korean = u->korean ? chance(&g->r, 0.9) : chance(&g->r, 0.002);
	uint64_t id = ((uint64_t)(t * 1000 + below(&g->r, 1000) - 1288834974657LL) << 22) | (seq & 0x3FFFFF);
	char idstr[24], collapse[40];
	const original *src = NULL;
	const char *lang = korean ? "ko" : "en";
	media med[4];
	int nmed = 0;
	qr_buf *tail = &g->tmp;
	uint8_t sha[QR_SHA256_LEN];

	snprintf(idstr, sizeof(idstr), "%llu", (unsigned long long)id);
	snprintf(collapse, sizeof(collapse), "twitter:%s", idstr);
	reset_post(g);
	if (kind != K_ORIGINAL && g->ring_n == 0)
		kind = K_ORIGINAL;
	if (kind != K_ORIGINAL) {
		uint32_t slot = chance(&g->r, 0.7) && g->nviral ? g->viral[zipf_draw(&g->viral_z, &g->r) % g->nviral]
							       : below(&g->r, g->ring_n);
		src = &g->ring[slot];
	}
	g->counts[kind]++;
	qr_buf_reset(line);

	if (kind == K_RETWEET) {
		const user *ou = &g->users[src->user];
		korean = src->korean;
		lang = korean ? "ko" : "en";
		/* RT @handle: + the original, cut at 140 code points */
		qr_buf full = QR_BUF_INIT, cut = QR_BUF_INIT;
		qr_buf_addf(&full, "RT @%s: %s", ou->screen_name, src->json_text);
		int n = utf8_cps(full.buf);
		cut_cps(full.buf, 140, &cut);
		if (n > 140)
			qr_buf_adds(&cut, "\xE2\x80\xA6");
		qr_buf_reset(&g->text);
		qr_json_quote(&g->text, cut.buf, cut.len);
		qr_buf_setf(&g->plain, "RT @%s: %s", ou->screen_name, src->plain);
		qr_buf_release(&full);
		qr_buf_release(&cut);
		/* the retweet's own entities: the retweeted account, then the
		 * original's */
		qr_buf_setf(&g->f_ments, "%s", ou->screen_name);
		if (*src->mentions) {
			qr_buf hay = QR_BUF_INIT;
			const char *p = src->mentions;
			while (*p) {
				size_t k = strcspn(p, " ");
				qr_buf_setf(&hay, "%.*s", (int)k, p);
				if (strcasecmp(hay.buf, ou->screen_name) != 0)
					list_add(&g->f_ments, hay.buf);
				p += k + (p[k] == ' ');
			}
			qr_buf_release(&hay);
		}
		qr_buf_adds(&g->f_tags, src->hashtags);
		qr_buf_adds(&g->f_urls, src->urls);
		status_head(g, &g->json, id, t, u, g->text.buf, false, NULL, NULL, NULL);
		qr_buf_adds(line, g->json.buf);
		counts_json(line, 0, 0, 0, 0);
		qr_buf_adds(line, ",\"retweeted_status\":");
		qr_buf_adds(line, src->head);
		g->ring[src - g->ring].retweets += 1 + below(&g->r, 3);
		counts_json(line, src->retweets / 20, src->retweets / 9, src->retweets, src->retweets * 3 + 1);
		qr_buf_adds(line, src->tail);
		qr_buf_addf(line, ",\"entities\":{\"hashtags\":[],\"urls\":[],\"user_mentions\":[{\"screen_name\":\"%s\",\"name\":",
			    ou->screen_name);
		qr_json_quote(line, ou->name, strlen(ou->name));
		qr_buf_addf(line, ",\"id\":%llu,\"id_str\":\"%llu\",\"indices\":[3,%d]}],\"symbols\":[]}",
			    (unsigned long long)ou->id, (unsigned long long)ou->id, 4 + (int)strlen(ou->screen_name));
		qr_buf_addf(line, ",\"favorited\":false,\"retweeted\":false,\"filter_level\":\"low\",\"lang\":\"%s\",\"timestamp_ms\":\"%lld\"}",
			    lang, (long long)t * 1000);
		snprintf(collapse, sizeof(collapse), "twitter:%llu", (unsigned long long)src->id);
	} else {
		const user *ru = NULL;
		char reply_id[24];
		if (kind == K_REPLY) {
			ru = &g->users[src->user];
			snprintf(reply_id, sizeof(reply_id), "%llu", (unsigned long long)src->id);
			add_mention(g, ru);
			say(g, " ", " ");
			if (chance(&g->r, 0.2)) {
				add_mention(g, &g->users[zipf_draw(&g->activity, &g->r)]);
				say(g, " ", " ");
			}
		}
		int body = chance(&g->r, 0.35) ? 30 + (int)below(&g->r, 70) : 80 + (int)below(&g->r, 150);
		add_words(g, korean, g->cp + body);
		if (chance(&g->r, 0.12)) {
			say(g, " ", " ");
			add_mention(g, &g->users[zipf_draw(&g->activity, &g->r)]);
			add_words(g, korean, g->cp + 20);
		}
		int ntags = chance(&g->r, 0.45) ? 0 : 1 + (int)below(&g->r, chance(&g->r, 0.2) ? 6 : 3);
		for (int i = 0; i < ntags; i++) {
			say(g, " ", " ");
			add_hashtag(g, g->tags.t[zipf_draw(&g->tags.z, &g->r)]);
		}
		if (chance(&g->r, 0.15)) {
			char url[200];
			snprintf(url, sizeof(url), "https://%s/%s/%s-%u", sites[below(&g->r, NELEM(sites))],
				 g->en.w[zipf_draw(&g->en.z, &g->r) % 300], g->en.w[below(&g->r, g->en.n)],
				 below(&g->r, 100000));
			say(g, " ", " ");
			add_link(g, url);
		}
		const user *qu = NULL;
		char quoted_id[24];
		if (kind == K_QUOTE) {
			char url[200];
			qu = &g->users[src->user];
			snprintf(quoted_id, sizeof(quoted_id), "%llu", (unsigned long long)src->id);
			snprintf(url, sizeof(url), "https://twitter.com/%s/status/%s", qu->screen_name, quoted_id);
			say(g, " ", " ");
			add_link(g, url);
		}
		if (kind == K_ORIGINAL && chance(&g->r, 0.28)) {
			double x = unif(&g->r);
			int mk = x < 0.7 ? 0 : x < 0.9 ? 1 : 2;
			nmed = mk == 0 ? 1 + (int)below(&g->r, chance(&g->r, 0.3) ? 4 : 1) : 1;
			char code[16], tco[32];
			short_code(&g->r, code, 10);
			snprintf(tco, sizeof(tco), "https://t.co/%s", code);
			for (int i = 0; i < nmed; i++) {
				make_media(g, &med[i], mk, id, korean);
				snprintf(med[i].tco, sizeof(med[i].tco), "%s", tco);
				list_add(&g->f_mtypes, mk == 2 ? "gif" : med[i].type);
				list_add(&g->f_murls, mk == 0 ? med[i].still : med[i].best);
				char key[24];
				snprintf(key, sizeof(key), "%llu", (unsigned long long)med[i].id);
				list_add(&g->f_mkeys, key);
				if (med[i].alt) {
					if (g->f_alts.len)
						qr_buf_addch(&g->f_alts, '\x1f');
					qr_buf_adds(&g->f_alts, med[i].alt);
				}
			}
			g->media_n[mk]++;
			say(g, " ", "");
			say(g, tco, "");
		}
		rstrip(&g->plain);

		/* text / extended_tweet as the streaming API has them */
		qr_buf mediaj = QR_BUF_INIT, ents = QR_BUF_INIT, jt = QR_BUF_INIT;
		write_media_json(&mediaj, med, nmed, id, u->screen_name);
		bool ext = g->cp > 140;
		if (ext) {
			qr_buf cut = QR_BUF_INIT, self = QR_BUF_INIT;
			cut_cps(g->text.buf, 113, &cut);
			qr_buf_addf(&cut, "\xE2\x80\xA6 https://t.co/%.10s", idstr + 3);
			qr_json_quote(&jt, cut.buf, cut.len);
			qr_buf_addf(&self, "{\"url\":\"https://t.co/%.10s\",\"expanded_url\":\"https://twitter.com/i/web/status/%s\","
				    "\"display_url\":\"twitter.com/i/web/status/1\xE2\x80\xA6\",\"indices\":[117,140]}", idstr + 3, idstr);
			entities_json(&ents, "", self.buf, "", NULL);
			qr_buf_release(&cut);
			qr_buf_release(&self);
		} else {
			qr_json_quote(&jt, g->text.buf, g->text.len);
			entities_json(&ents, g->ents_h.buf, g->ents_u.buf, g->ents_m.buf, mediaj.buf);
		}
		status_head(g, &g->json, id, t, u, jt.buf, ext, kind == K_REPLY ? reply_id : NULL, ru,
			    kind == K_QUOTE ? quoted_id : NULL);
		/* the tail: everything from the entities on */
		qr_buf_reset(tail);
		if (kind == K_QUOTE) {
			qr_buf_adds(tail, ",\"quoted_status\":");
			qr_buf_adds(tail, src->head);
			counts_json(tail, src->retweets / 20, src->retweets / 9, src->retweets, src->retweets * 3 + 1);
			qr_buf_adds(tail, src->tail);
			qr_buf_addf(tail, ",\"quoted_status_permalink\":{\"url\":\"https://t.co/%.10s\",\"expanded\":\"https://twitter.com/%s/status/%s\",\"display\":\"twitter.com/%s/status/\xE2\x80\xA6\"}",
				    quoted_id + 2, qu->screen_name, quoted_id, qu->screen_name);
		}
		if (ext) {
			qr_buf_adds(tail, ",\"extended_tweet\":{\"full_text\":");
			qr_json_quote(tail, g->text.buf, g->text.len);
			qr_buf_addf(tail, ",\"display_text_range\":[%d,%d],\"entities\":", 0, g->cp);
			entities_json(tail, g->ents_h.buf, g->ents_u.buf, g->ents_m.buf, mediaj.buf);
			if (nmed) {
				qr_buf_adds(tail, ",\"extended_entities\":{\"media\":[");
				qr_buf_adds(tail, mediaj.buf);
				qr_buf_adds(tail, "]}");
			}
			qr_buf_addch(tail, '}');
		}
		qr_buf_adds(tail, ",\"entities\":");
		qr_buf_adds(tail, ents.buf);
		if (nmed && !ext) {
			qr_buf_adds(tail, ",\"extended_entities\":{\"media\":[");
			qr_buf_adds(tail, mediaj.buf);
			qr_buf_adds(tail, "]}");
		}
		qr_buf_addf(tail, ",\"favorited\":false,\"retweeted\":false%s,\"filter_level\":\"low\",\"lang\":\"%s\",\"timestamp_ms\":\"%lld\"}",
			    nmed ? ",\"possibly_sensitive\":false" : "", lang, (long long)t * 1000);
		qr_buf_adds(line, g->json.buf);
		int64_t rts = kind == K_ORIGINAL ? 0 : below(&g->r, 5);
		counts_json(line, 0, 0, rts, rts * 3);
		qr_buf_adds(line, tail->buf);

		if (kind == K_ORIGINAL) {
			/* keep it for retweets, quotes and replies to come */
			uint32_t slot;
			if (g->ring_n < g->ring_cap) {
				slot = g->ring_n++;
			} else {
				slot = g->ring_at;
				g->ring_at = (g->ring_at + 1) % g->ring_cap;
				original_free(&g->ring[slot]);
			}
			original *o = &g->ring[slot];
			o->id = id;
			o->user = ui;
			o->korean = korean;
			o->head = dup_buf(&g->json);
			o->tail = qr_strdup(tail->buf);
			o->plain = dup_buf(&g->plain);
			qr_buf_reset(&jt);
			/* the JSON-form text without the media link, for RT texts */
			qr_buf_adds(&jt, g->text.buf);
			o->json_text = dup_buf(&jt);
			o->hashtags = dup_buf(&g->f_tags);
			o->mentions = dup_buf(&g->f_ments);
			o->urls = dup_buf(&g->f_urls);
			o->mtypes = dup_buf(&g->f_mtypes);
			o->murls = dup_buf(&g->f_murls);
			o->mkeys = dup_buf(&g->f_mkeys);
			o->alts = dup_buf(&g->f_alts);
			o->retweets = 0;
			/* popular originals come from popular accounts */
			if (g->nviral < 512 || chance(&g->r, u->followers > 5000 ? 0.3 : 0.02)) {
				if (g->nviral < 512)
					g->viral[g->nviral++] = slot;
				else
					g->viral[below(&g->r, g->nviral)] = slot;
			}
		}
		qr_buf_release(&mediaj);
		qr_buf_release(&ents);
		qr_buf_release(&jt);
		for (int i = 0; i < nmed; i++) {
			free(med[i].variants);
			free(med[i].alt);
		}
	}
	if (korean)
		g->korean_n++;
	qr_sha256(line->buf, line->len, sha);
	write_tsv(g, id, t, u, lang, kind, collapse, sha, offset, line->len, kind == K_RETWEET ? src : NULL);

	/* the same post as a Reddit dump line */
	qr_jw w;
	char base36[16];
	uint64_t x = id;
	int k = 15;
	base36[k] = 0;
	do {
		base36[--k] = "0123456789abcdefghijklmnopqrstuvwxyz"[x % 36];
		x /= 36;
	} while (x && k);
	const char *sub = korean ? "kpop" : g->f_tags.len ? "news" : "politics";
	qr_buf_reset(&g->reddit);
	qr_jw_init(&w, &g->reddit, false);
	qr_jw_begin_object(&w);
	qr_jw_kstr(&w, "author", u->screen_name);
	qr_buf_setf(&g->tmp, "t2_%llx", (unsigned long long)(u->id & 0xFFFFFFFFFFULL));
	qr_jw_kstr(&w, "author_fullname", g->tmp.buf);
	qr_jw_key(&w, "author_flair_text");
	qr_jw_null(&w);
	qr_jw_kint(&w, "created_utc", t);
	qr_jw_kstr(&w, "id", base36 + k);
	qr_jw_kstr(&w, "subreddit", sub);
	qr_jw_kstr(&w, "subreddit_id", korean ? "t5_2qh4j" : "t5_2cneq");
	qr_jw_kint(&w, "score", (int64_t)below(&g->r, 500));
	qr_jw_kint(&w, "gilded", 0);
	qr_jw_key(&w, "stickied");
	qr_jw_bool(&w, false);
	if (kind == K_ORIGINAL) {
		cut_cps(g->plain.buf, 80, &g->tmp);
		qr_jw_kstr(&w, "title", g->tmp.buf);
		qr_jw_kstr(&w, "selftext", g->plain.buf);
		qr_jw_kint(&w, "num_comments", (int64_t)below(&g->r, 200));
		qr_buf_setf(&g->tmp, "/r/%s/comments/%s/", sub, base36 + k);
		qr_jw_kstr(&w, "permalink", g->tmp.buf);
		qr_jw_key(&w, "is_self");
		qr_jw_bool(&w, nmed == 0);
		qr_jw_kstr(&w, "url", nmed ? (strcmp(med[0].type, "photo") == 0 ? med[0].still : med[0].best) : g->tmp.buf);
		qr_jw_key(&w, "over_18");
		qr_jw_bool(&w, false);
	} else {
		char parent[24];
		snprintf(parent, sizeof(parent), "t3_%llx", (unsigned long long)(src ? src->id : id - 1));
		qr_jw_kstr(&w, "body", g->plain.buf);
		qr_jw_kstr(&w, "link_id", parent);
		qr_jw_kstr(&w, "parent_id", parent);
		qr_buf_setf(&g->tmp, "/r/%s/comments/%s/_/%s/", sub, parent + 3, base36 + k);
		qr_jw_kstr(&w, "permalink", g->tmp.buf);
		qr_jw_kint(&w, "controversiality", 0);
	}
	qr_jw_end_object(&w);
	qr_buf_addch(&g->reddit, '\n');
}

/* Times: days weighted with bursts (1-4 June 2020), hours with a daily
 * rhythm; drawn independently and sorted by the caller. */
static void draw_time(rng *r, int64_t start, int days, int64_t *out)
{
	static const double hour_w[24] = { 5, 4, 3, 2, 1.5, 1.5, 2, 3, 4, 5, 6, 6, 7, 7, 7, 8, 8, 9, 10, 10, 9, 8, 7, 6 };
	double total = 0;
	for (int h = 0; h < 24; h++)
		total += hour_w[h];
	int day;
	for (;;) {
		day = (int)below(r, (uint32_t)days);
		double w = (day >= 7 && day <= 10) ? 1.0 : 0.45;
		if (unif(r) < w)
			break;
	}
	double u = unif(r) * total, acc = 0;
	int hour = 0;
	for (; hour < 23; hour++)
		if ((acc += hour_w[hour]) > u)
			break;
	*out = start + (int64_t)day * 86400 + hour * 3600 + below(r, 3600);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void usage(void)
{
	fprintf(stderr, "usage: gen -n N [-s SEED] [--days D] -o tweets.jsonl [-t fields.tsv] [-r reddit.ndjson.zst] [-f facts.sh]\n");
	exit(2);
}

static void write_all(FILE *f, const void *p, size_t n, const char *what)
{
	if (n && fwrite(p, 1, n, f) != n) {
		fprintf(stderr, "gen: cannot write %s: %s\n", what, strerror(errno));
		exit(3);
	}
}

int main(int argc, char **argv)
{
	uint64_t n = 0, seed = 20200603;
	int days = 14;
	const char *out = NULL, *tsv = NULL, *reddit = NULL, *facts = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (i + 1 >= argc)
			usage();
		if (strcmp(a, "-n") == 0)
			n = strtoull(argv[++i], NULL, 10);
		else if (strcmp(a, "-s") == 0)
			seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(a, "--days") == 0)
			days = atoi(argv[++i]);
		else if (strcmp(a, "-o") == 0)
			out = argv[++i];
		else if (strcmp(a, "-t") == 0)
			tsv = argv[++i];
		else if (strcmp(a, "-r") == 0)
			reddit = argv[++i];
		else if (strcmp(a, "-f") == 0)
			facts = argv[++i];
		else
			usage();
	}
	if (!n || !out || days < 1)
		usage();

	gen *g = qr_calloc(1, sizeof(*g));
	rng_seed(&g->r, seed);
	vocab_english(&g->en, &g->r, 40000);
	vocab_korean(&g->ko, &g->r, 8000);
	tags_init(&g->tags, &g->r, &g->en, &g->ko, 20000);
	g->nusers = (uint32_t)(n / 6 > 1000 ? n / 6 : 1000);
	g->users = qr_calloc(g->nusers, sizeof(user));
	users_init(g->users, g->nusers, seed, &g->en, &g->ko);
	zipf_init(&g->activity, g->nusers, 0.9);
	g->ring_cap = 20000;
	g->ring = qr_calloc(g->ring_cap, sizeof(original));
	g->viral = qr_calloc(512, sizeof(uint32_t));
	zipf_init(&g->viral_z, 512, 1.1);
	qr_buf *bs[] = { &g->text, &g->plain, &g->json, &g->tmp, &g->tsv, &g->reddit, &g->ents_h, &g->ents_m,
			 &g->ents_u, &g->f_tags, &g->f_ments, &g->f_urls, &g->f_mtypes, &g->f_murls, &g->f_mkeys,
			 &g->f_alts };
	for (size_t i = 0; i < NELEM(bs); i++)
		qr_buf_init(bs[i]);

	int64_t *times = qr_malloc(n * sizeof(int64_t));
	int64_t start = 1590364800; /* 2020-05-25T00:00:00Z */
	for (uint64_t i = 0; i < n; i++)
		draw_time(&g->r, start, days, &times[i]);
	qsort(times, n, sizeof(int64_t), cmp_i64);

	FILE *fo = fopen(out, "wb");
	FILE *ft = tsv ? fopen(tsv, "wb") : NULL;
	FILE *fr = NULL;
	if (reddit) {
		qr_buf cmd = QR_BUF_INIT;
		qr_buf_setf(&cmd, "zstd -q -f -3 --long=31 -o '%s'", reddit);
		fr = popen(cmd.buf, "w");
		qr_buf_release(&cmd);
	}
	if (!fo || (tsv && !ft) || (reddit && !fr)) {
		fprintf(stderr, "gen: cannot open the outputs: %s\n", strerror(errno));
		return 3;
	}
	qr_buf line = QR_BUF_INIT;
	uint64_t offset = 0;
	for (uint64_t i = 0; i < n; i++) {
		double x = unif(&g->r);
		int kind = x < 0.36 ? K_ORIGINAL : x < 0.80 ? K_RETWEET : x < 0.92 ? K_REPLY : K_QUOTE;
		make_post(g, i, times[i], kind, &line, offset);
		qr_buf_addch(&line, '\n');
		write_all(fo, line.buf, line.len, out);
		offset += line.len;
		if (ft) {
			write_all(ft, g->tsv.buf, g->tsv.len, tsv);
			qr_buf_reset(&g->tsv);
		}
		if (fr)
			write_all(fr, g->reddit.buf, g->reddit.len, reddit);
	}
	if (fclose(fo) != 0 || (ft && fclose(ft) != 0) || (fr && pclose(fr) != 0)) {
		fprintf(stderr, "gen: cannot finish the outputs\n");
		return 3;
	}
	if (facts) {
		FILE *ff = fopen(facts, "w");
		if (!ff)
			return 3;
		fprintf(ff, "# written by bench/gen -n %llu -s %llu\n", (unsigned long long)n, (unsigned long long)seed);
		fprintf(ff, "N=%llu\nBYTES=%llu\nTOP_AUTHOR=%s\nTOP_HASHTAG=%s\nORIGINALS=%llu\nRETWEETS=%llu\n"
			    "REPLIES=%llu\nQUOTES=%llu\nPHOTO_POSTS=%llu\nVIDEO_POSTS=%llu\nGIF_POSTS=%llu\nKOREAN=%llu\n",
			(unsigned long long)n, (unsigned long long)offset, g->users[0].screen_name, g->tags.t[0],
			(unsigned long long)g->counts[0], (unsigned long long)g->counts[1],
			(unsigned long long)g->counts[2], (unsigned long long)g->counts[3],
			(unsigned long long)g->media_n[0], (unsigned long long)g->media_n[1],
			(unsigned long long)g->media_n[2], (unsigned long long)g->korean_n);
		fclose(ff);
	}
	fprintf(stderr, "gen: %llu posts, %.1f MB, %.0f bytes a post\n", (unsigned long long)n, offset / 1e6,
		(double)offset / (double)n);
	return 0;
}
