/*
 * What the Twitter readers share (twitter-v1, twitter-v2, gnip-activity,
 * twitter-archive): ids, permalinks, the v1.1 entity and media shapes that
 * Gnip Activity Streams and the archive's tweet.js reuse, link expansion,
 * video renditions, and the matching rules that Gnip and the filtered
 * stream attach to a tweet.
 */
#ifndef QR_TWITTER_COMMON_H
#define QR_TWITTER_COMMON_H

#include <stdbool.h>

#include "buf.h"
#include "json.h"
#include "post.h"

/* A tweet or user id: 1 to 20 ASCII digits. */
bool qr_twitter_valid_id(const char *s);
/* The id of a v1.1 tweet or user: id_str, else id (a number or a string),
 * into out; false when neither is a valid id. */
bool qr_twitter_get_id(const cJSON *o, qr_buf *out);

/* The author's id, handle and name (each may be NULL), and the permalink
 * of the post (its native_id set): https://twitter.com/<handle>/status/<id>,
 * or the i/web form when the handle is not known. */
void qr_twitter_set_author(qr_post *p, const char *author_id, const char *handle, const char *name);
/* "twitter:<id>" into *field. */
void qr_twitter_set_ref(char **field, const char *id);

/* Replace every occurrence of `from` in buf with `to`. */
void qr_twitter_replace_all(qr_buf *buf, const char *from, const char *to);
/* Drop trailing blanks and newlines. */
void qr_twitter_trim_end(qr_buf *text);

/* v1.1-shaped entities: hashtags[].text and user_mentions[].screen_name
 * (qr_twitter_add_v1_tags), and urls[].expanded_url. */
void qr_twitter_add_v1_entities(qr_post *p, const cJSON *ents);
void qr_twitter_add_v1_tags(qr_post *p, const cJSON *ents);
/* t.co links replaced by their expanded_url; media links removed. */
void qr_twitter_expand_v1_links(qr_buf *text, const cJSON *ents, const cJSON *media);
/* The links of the media objects removed from text (the media are listed
 * on the post), then trailing blanks. */
void qr_twitter_drop_media_links(qr_buf *text, const cJSON *media);

/* Video renditions ({url, content_type, <rate_key>}) as variants of md; the
 * MP4 of the highest bit rate becomes its URL and MIME type.  False when
 * there is no MP4. */
bool qr_twitter_add_variants(qr_media *md, const cJSON *variants, const char *rate_key);
/* One v1.1-shaped media object (type, id_str, ext_alt_text,
 * media_url_https, video_info) added to p; NULL, and nothing added, when it
 * has no type.  With still_variant, a video's still image is listed among
 * its variants too. */
qr_media *qr_twitter_add_v1_medium(qr_post *p, const cJSON *m, bool still_variant);
/* Every object of a v1.1 media list, still images among the variants. */
void qr_twitter_add_v1_media(qr_post *p, const cJSON *list);

/* The rules a collection matched (Gnip "matching_rules", the v2 filtered
 * stream's "matching_rules"): their tags, else values, else ids, into
 * source.provenance "matching_rules", separated by "; ".  Nothing is
 * recorded when no rule carries any of them. */
void qr_twitter_matching_rules(qr_post *p, const cJSON *rules);

#endif
