#!/bin/sh
# A deterministic generator of Twitter API v1.1 posts (JSON lines) with
# known hashtags, media, kinds, languages, times, authors, mentions and
# phrases, for tests that compare quire's counts with counts computed from
# this output by another tool (jq).  Every account is fictional.
#
#   sh tests/gen_posts.sh [N] [SEED] > posts.jsonl
#
# The posts fall between 2020-06-01T00:00Z and 2020-06-05T00:00Z, except
# none between 2020-06-02T10:00Z and 12:00Z (a gap: empty buckets).  The
# first posts sit on purpose on event-window edges and carry phrases that
# must and must not match (see tests/fixtures/events/).
N=${1:-1000}
SEED=${2:-42}
exec awk -v n="$N" -v seed="$SEED" '
# Park-Miller: every product stays below 2^53, so any awk computes it exactly.
function rnd(m) { state = (state * 16807) % 2147483647; return state % m }

function civil(t,    days, secs, z, era, doe, yoe, y, doy, mp, d, m) {
	days = int(t / 86400); secs = t - days * 86400
	z = days + 719468; era = int(z / 146097); doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9; if (m <= 2) y++
	return sprintf("%s %s %02d %02d:%02d:%02d +0000 %d", WD[days % 7], MON[m], d,
		int(secs / 3600), int(secs / 60) % 60, secs % 60, y)
}

function hashtags_json(list,    k, out, parts, np) {
	np = split(list, parts, " "); out = ""
	for (k = 1; k <= np; k++) if (parts[k] != "") out = out (out == "" ? "" : ",") "{\"text\":\"" parts[k] "\",\"indices\":[0,1]}"
	return out
}

function media_json(kind, i,    id) {
	id = sprintf("37%017d", i)
	if (kind == "photo")
		return "{\"id_str\":\"" id "\",\"type\":\"photo\",\"media_url_https\":\"https://pbs.twimg.com/media/gen" i ".jpg\"}"
	return "{\"id_str\":\"" id "\",\"type\":\"" kind "\",\"media_url_https\":\"https://pbs.twimg.com/thumb/gen" i ".jpg\",\"video_info\":{\"variants\":[{\"content_type\":\"video/mp4\",\"bitrate\":832000,\"url\":\"https://video.twimg.com/gen" i ".mp4\"}]}}"
}

function post(i, t, user, text, tags, mention, media, reply, lang,    m, ht, ents, ext) {
	ht = hashtags_json(tags)
	m = mention == "" ? "" : "{\"screen_name\":\"" mention "\",\"indices\":[0,1]}"
	ents = "\"entities\":{\"hashtags\":[" ht "],\"user_mentions\":[" m "],\"urls\":[]}"
	ext = ""
	if (media == "photo2")
		ext = ",\"extended_entities\":{\"media\":[" media_json("photo", i) "," media_json("photo", i + 500000) "]}"
	else if (media != "none")
		ext = ",\"extended_entities\":{\"media\":[" media_json(media, i) "]}"
	printf "{\"created_at\":\"%s\",\"id_str\":\"12670000%011d\",\"full_text\":\"%s\",", civil(t), i, text
	printf "\"in_reply_to_status_id_str\":%s,", reply ? "\"1266000000000000001\"" : "null"
	printf "\"user\":{\"id_str\":\"%d\",\"screen_name\":\"%s\",\"name\":\"%s\"},", 5000 + UID[user], user, user
	printf "%s%s,\"lang\":\"%s\",\"retweet_count\":%d,\"favorite_count\":%d}\n", ents, ext, lang, rnd(50), rnd(500)
}

BEGIN {
	state = seed % 2147483646 + 1
	split("Thu Fri Sat Sun Mon Tue Wed", WD0, " "); for (k = 1; k <= 7; k++) WD[k - 1] = WD0[k]
	split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", MON, " ")
	nu = 0
	for (k = 0; k < 30; k++) { u = sprintf("gen_user_%02d", k); USERS[nu++] = u; UID[u] = k }
	USERS[nu++] = "Dallas_PD_Test"; UID["Dallas_PD_Test"] = 99
	# hashtags in several capitalisations; the Korean one has no case
	nt = split("WhiteLivesMatter whitelivesmatter WHITELIVESMATTER BlackLivesMatter blacklivesmatter BLM iWatchDallas BlueLivesMatter fancam 블랙라이브스매터", TAGS, " ")
	np = split("the app is down|iWatch Dallas app is down|the iwatch  dallas app again|iWatchDallas lol|fancams everywhere|we love this fancam|the iWatch Dallasite club|my_iwatch dallas|IWATCH DALLAS!|nothing to see", PHR, "|")
	split("none none none photo photo video video animated_gif photo2 none", MEDIA, " ")
	split("en en en en ko und", LANG, " ")
	base = 1590969600     # 2020-06-01T00:00:00Z
	gap0 = 1591092000; gap1 = 1591099200   # 2020-06-02T10:00Z .. 12:00Z

	# Edge posts for tests/fixtures/events (windows in UTC and in Chicago).
	post(0, 1591056000, "gen_user_00", "iWatch Dallas at the very start", "", "", "none", 0, "en")   # 06-02T00:00:00Z
	post(1, 1591055999, "gen_user_01", "iWatch Dallas one second early", "", "", "none", 0, "en")    # 06-01T23:59:59Z
	post(2, 1591142399, "gen_user_02", "iWatch Dallas in the last second", "", "", "none", 0, "en")  # 06-02T23:59:59Z
	post(3, 1591142400, "gen_user_03", "iWatch Dallas one second late", "", "", "none", 0, "en")     # 06-03T00:00:00Z
	post(4, 1591160400, "gen_user_04", "late in Chicago, iWatch Dallas", "", "", "none", 0, "en")  # 06-03T05:00Z = 00:00 CDT
	post(5, 1591160399, "gen_user_05", "still 2 June in Chicago: iwatch\\n  Dallas", "", "", "none", 0, "en")
	post(6, 1591100000, "gen_user_06", "by the police account", "", "", "none", 0, "en")
	post(7, 1591100100, "Dallas_PD_Test", "a post by the account itself", "", "", "none", 0, "en")
	post(8, 1591100200, "gen_user_07", "@dallas_pd_test hello", "", "dallas_pd_test", "none", 0, "en")
	post(9, 1591100300, "gen_user_08", "tagged #IWATCHDALLAS", "IWATCHDALLAS", "", "none", 0, "en")

	for (i = 10; i < n; i++) {
		t = base + rnd(4 * 86400)
		if (t >= gap0 && t < gap1) t += 7200
		user = USERS[rnd(nu)]
		text = PHR[rnd(np) + 1]
		k = rnd(4); tags = ""
		for (j = 0; j < k; j++) { tg = TAGS[rnd(nt) + 1]; tags = tags " " tg; text = text " #" tg }
		mention = rnd(5) == 0 ? USERS[rnd(nu)] : ""
		if (mention != "") text = "@" mention " " text
		post(i, t, user, text, tags, mention, MEDIA[rnd(10) + 1], rnd(10) == 0, LANG[rnd(6) + 1])
	}
}'
