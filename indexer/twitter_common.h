/*
 * Helpers shared by the Twitter readers that are not v1.1's own: the
 * entity and media shapes that Gnip Activity Streams reuse from v1.1
 * (twitter_entities, twitter_extended_entities), link expansion, and the
 * matching rules that Gnip and the filtered stream attach to a tweet.
 */
#ifndef QR_TWITTER_COMMON_H
#define QR_TWITTER_COMMON_H

#include <stdbool.h>

#include "buf.h"
#include "json.h"
#include "post.h"

/* A tweet or user id: 1 to 20 ASCII digits. */
bool qr_twitter_valid_id(const char *s);

/* Replace every occurrence of `from` in buf with `to`. */
void qr_twitter_replace_all(qr_buf *buf, const char *from, const char *to);
/* Drop trailing blanks and newlines. */
void qr_twitter_trim_end(qr_buf *text);

/* v1.1-shaped entities: hashtags[].text, user_mentions[].screen_name,
 * urls[].expanded_url. */
void qr_twitter_add_v1_entities(qr_post *p, const cJSON *ents);
/* t.co links replaced by their expanded_url; media links removed (the
 * media are listed on the post). */
void qr_twitter_expand_v1_links(qr_buf *text, const cJSON *ents, const cJSON *media);
/* v1.1-shaped media objects (type, media_url_https, video_info). */
void qr_twitter_add_v1_media(qr_post *p, const cJSON *list);

/* The rules a collection matched (Gnip "matching_rules", the v2 filtered
 * stream's "matching_rules"): their tags, else values, else ids, into
 * source.provenance "matching_rules", separated by "; ".  Nothing is
 * recorded when no rule carries any of them. */
void qr_twitter_matching_rules(qr_post *p, const cJSON *rules);

/* "twitter:<id>" into *field. */
void qr_twitter_set_ref(char **field, const char *id);

#endif
