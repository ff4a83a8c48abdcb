#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Generate the quire demo corpus: synthetic Twitter API v1.1 records telling
the June 2020 story (George Floyd protests, iWatch Dallas, #BlackoutTuesday,
K-pop fans flooding #WhiteLivesMatter and friends with fancams, a fictional
band's #BlackLivesMatter statement).

Every account and every post is fictional.  Standard library only, fully
deterministic: a fixed seed, gzip with mtime 0, zip with a fixed date, so every
run writes byte-identical files.

    python3 corpus/demo/generate.py

Writes corpus/demo/data/... and corpus/demo/TRUTH.json.  TRUTH.json is computed
by reading back the files just written, not from the generator's own model.
"""

import collections
import datetime as dt
import gzip
import hashlib
import io
import json
import math
import os
import random
import re
import string
import zipfile

SEED = 20200603
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
TWEPOCH = 1288834974657          # Twitter snowflake epoch (ms)
UTC = dt.timezone.utc

R = random.Random(SEED)
ALNUM = string.ascii_letters + string.digits


def T(s):
    return dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


WDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]


def created_at(t):
    return "%s %s %02d %02d:%02d:%02d +0000 %d" % (
        WDAYS[t.weekday()], MONTHS[t.month - 1], t.day, t.hour, t.minute,
        t.second, t.year)


def rstr(n, alpha=ALNUM):
    return "".join(R.choice(alpha) for _ in range(n))


USED_IDS = set()


def snowflake(t):
    """A 64-bit id whose timestamp bits match t (t has whole seconds)."""
    base = int(t.timestamp()) * 1000
    while True:
        ms = base + R.randrange(1000)
        sid = ((ms - TWEPOCH) << 22) | (R.randrange(1024) << 12) | R.randrange(8)
        if sid not in USED_IDS:
            USED_IDS.add(sid)
            return sid


def tco():
    return "https://t.co/" + rstr(10)


def tw_weight(s):
    """Twitter's weighted length (twitter-text v3, approximately)."""
    n = 0
    for ch in s:
        o = ord(ch)
        if o <= 4351 or 8192 <= o <= 8205 or 8208 <= o <= 8223 or 8242 <= o <= 8247:
            n += 1
        elif o == 0xFE0F or o == 0x200D or 0x1F3FB <= o <= 0x1F3FF:
            n += 0
        else:
            n += 2
    return n


def esc(s):
    """HTML-escape the way Twitter did in tweet text: only & < >."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def display_url(u):
    d = re.sub(r"^https?://(www\.)?", "", u)
    return d if len(d) <= 26 else d[:25] + "\u2026"


# ---------------------------------------------------------------------------
# Accounts (all fictional)
# ---------------------------------------------------------------------------

ACCTS = {}          # lower screen_name -> account dict
ROLES = collections.defaultdict(list)

SOURCES = [
    ('<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>', 46),
    ('<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>', 30),
    ('<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>', 16),
    ('<a href="http://twitter.com/#!/download/ipad" rel="nofollow">Twitter for iPad</a>', 4),
    ('<a href="https://about.twitter.com/products/tweetdeck" rel="nofollow">TweetDeck</a>', 4),
]
SRC_MEDIA_STUDIO = '<a href="https://studio.twitter.com" rel="nofollow">Twitter Media Studio</a>'
SRC_WEB = SOURCES[2][0]
SRC_DECK = SOURCES[4][0]


def user_id_for(created):
    if created < T("2013-01-01 00:00:00"):
        days = (created - T("2008-01-01 00:00:00")).days
        return 14000000 + days * 560000 + R.randrange(400000)
    return snowflake(created)


def add_acct(handle, name, role, followers, friends, verified=False,
             location="", description="", created=None, weight=1.0,
             lang="en", source=None):
    assert re.fullmatch(r"\w{1,15}", handle), handle
    key = handle.lower()
    assert key not in ACCTS, handle
    if created is None:
        y = R.choice([2010, 2012, 2014, 2015, 2016, 2017, 2018, 2018, 2019, 2019, 2019, 2020])
        created = T("%d-01-01 00:00:00" % y) + dt.timedelta(
            seconds=R.randrange(300 * 86400 if y == 2020 else 360 * 86400))
        if created > T("2020-05-20 00:00:00"):
            created = T("2020-05-20 00:00:00") - dt.timedelta(seconds=R.randrange(90 * 86400))
    uid = user_id_for(created)
    img = "https://pbs.twimg.com/profile_images/%d/%s_normal.jpg" % (
        snowflake(created + dt.timedelta(days=R.randrange(1, 30))), rstr(8))
    a = {
        "id": uid, "screen_name": handle, "name": name, "role": role,
        "location": location, "description": description,
        "followers": followers, "friends": friends, "verified": verified,
        "created": created, "img": img, "weight": weight, "lang": lang,
        "statuses": R.randrange(200, 90000),
        "source": source,
    }
    ACCTS[key] = a
    ROLES[role].append(a)
    return a


def user_obj(a):
    return {
        "id": a["id"], "id_str": str(a["id"]), "name": a["name"],
        "screen_name": a["screen_name"], "location": a["location"],
        "description": a["description"], "protected": False,
        "followers_count": a["followers"], "friends_count": a["friends"],
        "created_at": created_at(a["created"]), "verified": a["verified"],
        "statuses_count": a["statuses"],
        "profile_image_url_https": a["img"],
    }


FICT = "Fictional account in the quire demo corpus."
BAND = add_acct("septet_official", "SEPTET \uc149\ud15f", "band", 25837411, 12, True,
                "Seoul", "SEPTET official. " + FICT,
                created=T("2012-07-02 08:11:40"), source=SRC_WEB)
TRANS = add_acct("sptt_trans_demo", "SEPTET translations \U0001F310", "fanhub", 611024, 18,
                 False, "", "English translations of SEPTET posts. Fan account. " + FICT,
                 created=T("2015-03-14 11:02:09"))
HUB = add_acct("sptt_hub_demo", "SEPTET HUB \U0001F49C", "fanhub", 1288530, 91, False,
               "she/her | OT7", "updates & fancams. fan account. " + FICT,
               created=T("2016-09-30 17:45:21"))
DPD = add_acct("dallas_pd_demo", "Dallas Police Dept (demo)", "police", 241502, 1104, True,
               "Dallas, TX", "Demo stand-in for a city police department. " + FICT,
               created=T("2009-04-21 15:32:07"), source=SRC_WEB)
NEWS = [
    add_acct("metro_wire_demo", "Metro Wire", "news", 3120455, 811, True, "New York, NY",
             "Breaking news, around the clock. " + FICT, created=T("2009-02-11 20:01:55"),
             source=SRC_DECK),
    add_acct("daily_ledger_dm", "The Daily Ledger", "news", 1840210, 1402, True, "Washington, DC",
             "National news and analysis. " + FICT, created=T("2010-05-06 13:20:31"),
             source=SRC_DECK),
    add_acct("dfw_now_demo", "DFW Now", "news", 402117, 2211, True, "Dallas-Fort Worth",
             "North Texas news. " + FICT, created=T("2011-08-19 09:44:02"), source=SRC_DECK),
    add_acct("mpls_desk_demo", "Minneapolis Live Desk", "news", 288930, 930, True,
             "Minneapolis, MN", "Live local coverage. " + FICT,
             created=T("2012-01-23 16:03:11"), source=SRC_DECK),
    add_acct("kpop_wire_demo", "K-Pop Wire", "news", 955320, 302, True, "Seoul / LA",
             "K-pop news in English. " + FICT, created=T("2014-10-02 02:12:44"),
             source=SRC_WEB),
]
NEWS_KO = add_acct("seoul_desk_demo", "\uc11c\uc6b8\ub370\uc2a4\ud06c Seoul Desk", "news_ko",
                   720441, 188, True, "\ub300\ud55c\ubbfc\uad6d \uc11c\uc6b8",
                   "\uad6d\uc81c \ub274\uc2a4 \ub370\uc2a4\ud06c. " + FICT,
                   created=T("2011-11-11 01:30:00"), lang="ko", source=SRC_WEB)

# fictional groups and members (stage names are ordinary English words)
GROUPS = {
    "SEPTET": [("DAWN", "\ub358"), ("ECHO", "\uc5d0\ucf54"), ("JADE", "\uc81c\uc774\ub4dc"),
               ("ORBIT", "\uc624\ube57"), ("RIVER", "\ub9ac\ubc84"), ("SAGE", "\uc138\uc774\uc9c0"),
               ("TEMPO", "\ud15c\ud3ec")],
    "PRISM8": [("BLOOM", "\ube14\ub8f8"), ("CORAL", "\ucf54\ub784"), ("IVY", "\uc544\uc774\ube44"),
               ("LUNE", "\ub8ec"), ("MINT", "\ubbfc\ud2b8"), ("PIXIE", "\ud53d\uc2dc"),
               ("SKY", "\uc2a4\uce74\uc774"), ("VIVI", "\ube44\ube44")],
}
GROUP_KO = {"SEPTET": "\uc149\ud15f", "PRISM8": "\ud504\ub9ac\uc998\uc5d0\uc787"}
MEMBERS = [(g, en, ko) for g in sorted(GROUPS) for (en, ko) in GROUPS[g]]

STAN_WORDS = ["moon", "soft", "daily", "archive", "lover", "cams", "star", "angel", "world",
              "fairy", "mood", "diary", "heart", "light", "pics", "vault", "galaxy", "hours",
              "era", "smile", "bunny", "petal", "cloud", "honey"]
STAN_LOC = ["", "", "she/her \U0001F319", "Texas, USA", "Manila", "S\u00e3o Paulo", "Jakarta",
            "London", "Los Angeles, CA", "mexico", "Dallas, TX", "ot7 land", "Paris",
            "Toronto", "Kuala Lumpur", "Lagos", "Chicago", "he/him", "they/them"]
STAN_NAME_FMT = [
    "{m} \u2661", "{w} | {g} era", "\uA731\u1D1B\u1D00\u0280 {m}", "{m}'s {w} \U0001F49C",
    "{w} \u2727 blm", "{m} lover \U0001F90D", "\u2606 {m} archive \u2606", "{w}{n} \u270A\U0001F3FF",
    "{m} \U0001F319", "{g} stan \u2728",
]
STAN_DESC = [
    "{g} ot{k} | {m} biased \U0001F49C | blm \u270A\U0001F3FF",
    "fan account, not affiliated. #BlackLivesMatter",
    "multifandom \U0001F319 {g} & more",
    "{m} made me soft | she/her",
    "i post {m} fancams and nothing else",
    "{g} \U0001F49C black lives matter \u270A\U0001F3FE",
    "",
]


def make_stans():
    used = set()
    n = 0
    while n < 230:
        g, m, mk = R.choice(MEMBERS)
        w = R.choice(STAN_WORDS)
        pat = R.randrange(5)
        if pat == 0:
            h = "%s_%s" % (m.lower(), w)
        elif pat == 1:
            h = "%s%s%d" % (w, m.lower(), R.randrange(1, 99))
        elif pat == 2:
            h = "%ss_%s" % (m.lower(), w)
        elif pat == 3:
            h = "%s_%s%d" % (g.lower(), w, R.randrange(1, 999))
        else:
            h = "%s%s_%d" % (m.lower(), w, R.randrange(10, 99))
        if len(h) > 15 or h.lower() in used or h.lower() in ACCTS:
            continue
        used.add(h.lower())
        name = R.choice(STAN_NAME_FMT).format(m=m.lower(), w=w, g=g, n=R.randrange(1, 99))
        desc = R.choice(STAN_DESC).format(m=m.lower(), g=g, k=len(GROUPS[g]))
        followers = int(R.lognormvariate(6.8, 1.3))
        wt = min(R.lognormvariate(0, 0.8), 4.0)
        if n < 5:
            wt = 4.0 + n      # a few prolific accounts
        add_acct(h, name, "stan", followers, int(followers * R.uniform(0.3, 1.4)) + 20, False,
                 R.choice(STAN_LOC), desc, weight=wt)
        n += 1


KO_WORDS = [("haneulbit", "\ud558\ub298\ube5b"), ("dalbit", "\ub2ec\ube5b"),
            ("byeolbit", "\ubcc4\ube5b"), ("borami", "\ubcf4\ub77c\ubbf8"),
            ("nabi", "\ub098\ube44"), ("gureum", "\uad6c\ub984"), ("haru", "\ud558\ub8e8"),
            ("sarang", "\uc0ac\ub791"), ("baram", "\ubc14\ub78c"), ("bomnal", "\ubd04\ub0a0"),
            ("dasom", "\ub2e4\uc19c"), ("yeoreum", "\uc5ec\ub984")]
KO_LOC = ["", "\uc11c\uc6b8", "\ubd80\uc0b0", "\ub300\ud55c\ubbfc\uad6d", "\uc778\ucc9c",
          "\ub300\uad6c", "\uc6b0\ub9ac\uc9d1"]
KO_DESC = ["{gk} \ud32c\uacc4\uc815 \U0001F49C", "{mk} \uc0ac\ub791\ud574 \U0001F49C | \ud32c\uacc4\uc815",
           "\uc9c1\ucea0 \uc800\uc7a5\uc18c", "\uc778\uc885\ucc28\ubcc4\uc5d0 \ubc18\ub300\ud569\ub2c8\ub2e4 #BlackLivesMatter", ""]


def make_ko():
    used = set()
    n = 0
    while n < 45:
        w, wk = R.choice(KO_WORDS)
        g, m, mk = R.choice(MEMBERS)
        pat = R.randrange(3)
        if pat == 0:
            h = "%s_%d" % (w, R.randrange(10, 9999))
        elif pat == 1:
            h = "%s_%s" % (m.lower(), w)
        else:
            h = "%s%s" % (w, m.lower())
        if len(h) > 15 or h.lower() in used or h.lower() in ACCTS:
            continue
        used.add(h.lower())
        name = R.choice(["%s \U0001F49C", "%s", "%s\U0001F319", "\u2661 %s"]) % (
            R.choice([wk, mk + " " + wk, wk + "\uc774"]))
        followers = int(R.lognormvariate(6.3, 1.2))
        add_acct(h, name, "stan_ko", followers, int(followers * R.uniform(0.5, 1.5)) + 30, False,
                 R.choice(KO_LOC), R.choice(KO_DESC).format(gk=GROUP_KO[g], mk=mk),
                 weight=min(R.lognormvariate(0, 0.7), 3.0), lang="ko")
        n += 1


PUB_ADJ = ["quiet", "northside", "civic", "urban", "daily", "river", "prairie", "lakeside",
           "midtown", "open", "eastside", "southside", "harbor", "plain", "corner"]
PUB_NOUN = ["notes", "lens", "voice", "walker", "observer", "medic", "teacher", "nurse",
            "neighbor", "reader", "cyclist", "baker", "coach", "student", "organizer"]
PUB_DESC = ["Photographer. {c}.", "Teacher, runner, neighbor. {c}", "Street medic. Views mine.",
            "Organizing for a better {c}. #BlackLivesMatter", "Nurse. Mom. Tired.",
            "Community journalist in {c}.", "Grad student. Opinions my own.", ""]
STATES = {"Minneapolis": "MN", "New York": "NY", "Atlanta": "GA", "Los Angeles": "CA",
          "Louisville": "KY", "Dallas": "TX", "Houston": "TX", "Chicago": "IL", "Denver": "CO",
          "Seattle": "WA", "Washington": "DC", "Philadelphia": "PA", "Oakland": "CA",
          "Portland": "OR", "St. Paul": "MN"}
CITIES = [("Minneapolis", "\ubbf8\ub2c8\uc560\ud3f4\ub9ac\uc2a4"), ("New York", "\ub274\uc695"),
          ("Atlanta", "\uc560\ud2c0\ub79c\ud0c0"), ("Los Angeles", "\ub85c\uc2a4\uc564\uc824\ub808\uc2a4"),
          ("Louisville", "\ub8e8\uc774\ube4c"), ("Dallas", "\ub308\ub7ec\uc2a4"),
          ("Houston", "\ud734\uc2a4\ud134"), ("Chicago", "\uc2dc\uce74\uace0"),
          ("Denver", "\ub374\ubc84"), ("Seattle", "\uc2dc\uc560\ud2c0"),
          ("Washington", "\uc6cc\uc2f1\ud134"), ("Philadelphia", "\ud544\ub77c\ub378\ud53c\uc544"),
          ("Oakland", "\uc624\ud074\ub79c\ub4dc"), ("Portland", "\ud3ec\ud2c0\ub79c\ub4dc"),
          ("St. Paul", "\uc138\uc778\ud2b8\ud3f4")]


def make_public():
    used = set()
    n = 0
    while n < 110:
        h = "%s_%s%s" % (R.choice(PUB_ADJ), R.choice(PUB_NOUN),
                         R.choice(["", "", str(R.randrange(2, 99))]))
        if len(h) > 15 or h.lower() in used or h.lower() in ACCTS:
            continue
        used.add(h.lower())
        c = R.choice(CITIES)[0]
        name = h.split("_")[0].title() + " " + re.sub(r"\d+", "", h.split("_")[1]).title()
        if R.random() < 0.3:
            name += R.choice([" \u270A\U0001F3FE", " \U0001F33B", " \U0001F4F7", " (they/them)"])
        followers = int(R.lognormvariate(6.0, 1.4))
        add_acct(h, name, "public", followers, int(followers * R.uniform(0.4, 2.0)) + 40, False,
                 c + R.choice([", " + STATES[c], ""]) if R.random() < 0.8 else "",
                 R.choice(PUB_DESC).format(c=c), weight=R.lognormvariate(0, 0.7))
        n += 1


GEN_W1 = ["heritage", "freedom", "liberty", "country", "hometown", "plainspoken", "backroad",
          "ironside"]
GEN_W2 = ["voice", "first", "truth", "pride", "talk", "view"]


def make_genuine():
    used = set()
    n = 0
    while n < 14:
        h = "%s_%s%d" % (R.choice(GEN_W1), R.choice(GEN_W2), R.randrange(10, 99))
        if len(h) > 15 or h.lower() in used:
            continue
        used.add(h.lower())
        name = " ".join(x.title() for x in re.sub(r"\d+", "", h).split("_"))
        if R.random() < 0.5:
            name += " \U0001F1FA\U0001F1F8"
        followers = int(R.lognormvariate(5.5, 1.0))
        add_acct(h, name, "genuine", followers, followers + R.randrange(50, 900), False,
                 R.choice(["USA", "Texas", "Ohio", "", "Florida"]),
                 R.choice(["God, family, country.", "Say what you mean.", "Proud American.", ""]),
                 weight=R.lognormvariate(0, 0.5))
        n += 1


make_stans()
make_ko()
make_public()
make_genuine()


def pick_acct(roles):
    """roles: list of (role, weight)."""
    role = R.choices([r for r, _ in roles], weights=[w for _, w in roles])[0]
    cands = ROLES[role]
    return R.choices(cands, weights=[a["weight"] for a in cands])[0]


def source_for(a):
    if a["source"]:
        return a["source"]
    if "src_pick" not in a:
        a["src_pick"] = R.choices([s for s, _ in SOURCES], weights=[w for _, w in SOURCES])[0]
    return a["src_pick"]


# ---------------------------------------------------------------------------
# Media
# ---------------------------------------------------------------------------

def media_photo(t, alt=None, key=None):
    mid = snowflake(t - dt.timedelta(seconds=R.randrange(5, 120)))
    key = key or rstr(15, string.ascii_letters + string.digits + "_-")
    m = {"id": mid, "type": "photo",
         "media_url_https": "https://pbs.twimg.com/media/%s.jpg" % key}
    if alt is not None:
        m["ext_alt_text"] = alt
    return m


def media_video(t, dur=None, aspect=(9, 16)):
    mid = snowflake(t - dt.timedelta(seconds=R.randrange(20, 600)))
    k = rstr(16, string.ascii_letters + string.digits + "_-")
    w, h = (720, 1280) if aspect == (9, 16) else (1280, 720)
    base = "https://video.twimg.com/ext_tw_video/%d/pu" % mid
    return {"id": mid, "type": "video",
            "media_url_https": "https://pbs.twimg.com/ext_tw_video_thumb/%d/pu/img/%s.jpg" % (mid, k),
            "video_info": {
                "aspect_ratio": list(aspect),
                "duration_millis": dur or R.randrange(9000, 140000),
                "variants": [
                    {"bitrate": 2176000, "content_type": "video/mp4",
                     "url": "%s/vid/%dx%d/%s.mp4?tag=10" % (base, w, h, rstr(16))},
                    {"content_type": "application/x-mpegURL",
                     "url": "%s/pl/%s.m3u8?tag=10" % (base, rstr(16))},
                    {"bitrate": 632000, "content_type": "video/mp4",
                     "url": "%s/vid/%dx%d/%s.mp4?tag=10" % (base, w // 2, h // 2, rstr(16))},
                    {"bitrate": 256000, "content_type": "video/mp4",
                     "url": "%s/vid/%dx%d/%s.mp4?tag=10" % (base, w * 3 // 8, h * 3 // 8, rstr(16))},
                ]},
            "additional_media_info": {"monetizable": False}}


def media_gif(t):
    mid = snowflake(t - dt.timedelta(seconds=R.randrange(5, 120)))
    k = rstr(15, string.ascii_letters + string.digits + "_-")
    return {"id": mid, "type": "animated_gif",
            "media_url_https": "https://pbs.twimg.com/tweet_video_thumb/%s.jpg" % k,
            "video_info": {"aspect_ratio": R.choice([[1, 1], [4, 3], [16, 9], [3, 4]]),
                           "variants": [{"bitrate": 0, "content_type": "video/mp4",
                                         "url": "https://video.twimg.com/tweet_video/%s.mp4" % k}]}}


PHOTO_ALTS = [
    "Protesters holding signs that read Black Lives Matter on a city street.",
    "A crowd kneeling in front of a government building at dusk.",
    "Hand-painted sign: \"I can't breathe\".",
    "Street medics handing out water bottles.",
    "Marchers crossing a bridge, fists raised.",
    "A mural with flowers laid in front of it.",
]
BLACK_ALT = "A plain black square."
WHITE_ALTS = ["A singer in an all-white outfit on stage.", "Concert photo, member dressed in white.",
              "Group photo, all members in white suits."]


# viral media, reused by many posts (filled when their first post is made)
VIRAL = {}


# ---------------------------------------------------------------------------
# URLs (expanded targets; all paths are synthetic)
# ---------------------------------------------------------------------------

URLS = {
    "news_protest": [
        "https://apnews.com/article/minneapolis-protests-police-custody-death-3b1f0c2a",
        "https://www.nytimes.com/2020/05/28/us/minneapolis-protests-live-updates.html",
        "https://www.theguardian.com/us-news/2020/may/29/protests-spread-across-us-cities",
        "https://www.npr.org/2020/05/30/865413079/protests-continue-nationwide",
        "https://www.bbc.com/news/world-us-canada-52861726",
        "https://www.washingtonpost.com/nation/2020/05/27/minneapolis-protest-demo/",
        "https://www.startribune.com/protesters-gather-for-another-night/570880111/",
        "https://www.youtube.com/watch?v=Qd8cN2pT0kE",
    ],
    "fund": [
        "https://www.gofundme.com/f/community-bail-fund-demo",
        "https://secure.actblue.com/donate/bail-funds-demo?refcode=twitter&amount=10",
        "https://blacklivesmatter.com/resources/",
        "https://linktr.ee/blmresources_demo",
    ],
    "petition": [
        "https://www.change.org/p/justice-for-george-floyd",
        "https://www.change.org/p/city-council-demo-police-accountability",
    ],
    "resources": [
        "https://docs.google.com/document/d/1d3m0Ant1rac1stRes0urces/edit?usp=sharing",
        "https://carrd.co/blm-demo-resources",
    ],
    "dpd": [
        "https://www.dallaspolice.net/iwatchdallas",
        "https://apps.apple.com/us/app/iwatch-dallas/id1176640451",
    ],
    "news_iwatch": [
        "https://www.dallasnews.com/news/2020/06/01/dallas-police-app-goes-offline-after-k-pop-fans-flood-it/",
        "https://www.theverge.com/2020/6/1/21276972/k-pop-fans-dallas-police-app-fancams",
        "https://www.nbcdfw.com/news/local/iwatch-dallas-app-down/2380031/",
    ],
    "news_wlm": [
        "https://www.nytimes.com/2020/06/03/arts/music/k-pop-fans-whitelivesmatter.html",
        "https://www.theguardian.com/music/2020/jun/03/k-pop-fans-drown-out-hashtag",
        "https://www.bbc.com/news/technology-52910118",
        "https://www.washingtonpost.com/technology/2020/06/03/kpop-fans-hashtags/",
    ],
    "news_ko": [
        "https://en.yna.co.kr/view/AEN20200603001200315",
        "https://www.koreaherald.com/view.php?ud=20200604000741&kr=1",
        "https://n.news.naver.com/article/001/0011656999?sid=104",
    ],
    "news_stmt": [
        "https://www.billboard.com/articles/news/demo-septet-black-lives-matter-statement",
        "https://www.koreaherald.com/view.php?ud=20200605000512",
        "https://variety.com/2020/music/news/septet-black-lives-matter-demo-1234624321/",
    ],
    "yt": [
        "https://www.youtube.com/watch?v=V7n2JtQfX0s",
        "https://youtu.be/Xk29fLq8TnE",
        "https://www.youtube.com/watch?v=pQ3rT0w8mZc&t=42s",
    ],
    "blackout": [
        "https://www.theshowmustbepaused.com/",
        "https://www.rollingstone.com/music/music-news/blackout-tuesday-music-industry-demo-1008281/",
    ],
}


# ---------------------------------------------------------------------------
# Text templates.  Placeholders: $M member, $MK member (Korean), $G group,
# $GK group (Korean), $CITY, $CITYK, $PLACE, $N number, $NTH ordinal day of
# protest, $E emoji, hashtag variants $WLM $BLM $ALM $BLUE $EXPOSE $WOW $BT,
# $U_<key> a t.co link to a URL from URLS[key].  Text is written unescaped
# ('&', '<', '>'); it is HTML-escaped when rendered, as Twitter did.
# ---------------------------------------------------------------------------

HASHVARIANTS = {
    "WLM": [("WhiteLivesMatter", 60), ("whitelivesmatter", 25), ("WHITELIVESMATTER", 10),
            ("Whitelivesmatter", 5)],
    "BLM": [("BlackLivesMatter", 80), ("blacklivesmatter", 12), ("BLM", 6),
            ("BLACKLIVESMATTER", 2)],
    "ALM": [("AllLivesMatter", 70), ("alllivesmatter", 20), ("ALLLIVESMATTER", 10)],
    "BLUE": [("BlueLivesMatter", 70), ("bluelivesmatter", 20), ("BLUELIVESMATTER", 10)],
    "EXPOSE": [("ExposeAntifa", 70), ("exposeantifa", 20), ("EXPOSEANTIFA", 10)],
    "WOW": [("WhiteOutWednesday", 65), ("whiteoutwednesday", 25), ("WhiteoutWednesday", 10)],
    "BT": [("BlackoutTuesday", 80), ("blackouttuesday", 15), ("BLACKOUTTUESDAY", 5)],
}
EMOJI = ["\U0001F49C", "\U0001F49C\U0001F49C\U0001F49C", "\u2728", "\U0001F90D", "\U0001F60C",
         "\U0001F525\U0001F525", "\U0001F440", "\U0001F485", "\u270A\U0001F3FF\U0001F49C",
         "\U0001F5A4", "\U0001F642", "\U0001F62D\U0001F49C", "\U0001F319", "\U0001F4AB",
         "\u2764\ufe0f", "\U0001F338"]
PLACES = ["Lake Street", "the Third Precinct", "City Hall", "the state Capitol", "Main Street",
          "the courthouse", "the downtown plaza", "the park by the library", "the bridge",
          "the police headquarters"]


def ordinal(n):
    return "%d%s" % (n, "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th"))


def fill(tpl, ctx):
    """Return (body, urls) with placeholders replaced; urls as (start, end, tco, expanded)."""
    out = []
    n = 0
    urls = []
    for tok in re.split(r"(\$[A-Za-z][A-Za-z0-9_]*)", tpl):
        if not tok.startswith("$"):
            out.append(tok)
            n += len(tok)
            continue
        k = tok[1:]
        if k.startswith("U_"):
            u = tco()
            urls.append((n, n + len(u), u, R.choice(URLS[k[2:]])))
            v = u
        elif k in HASHVARIANTS:
            v = "#" + R.choices([h for h, _ in HASHVARIANTS[k]],
                                weights=[w for _, w in HASHVARIANTS[k]])[0]
        elif k == "M":
            v = ctx["member"][1]
        elif k == "MK":
            v = ctx["member"][2]
        elif k == "G":
            v = ctx["member"][0]
        elif k == "GK":
            v = GROUP_KO[ctx["member"][0]]
        elif k == "CITY":
            v = ctx["city"][0]
        elif k == "CITYK":
            v = ctx["city"][1]
        elif k == "PLACE":
            v = ctx["place"]
        elif k == "N":
            v = str(R.randrange(3, 40))
        elif k == "NTH":
            v = ordinal(ctx["nth"])
        elif k == "ND":
            v = str(ctx["nth"])
        elif k == "E":
            v = R.choice(EMOJI)
        else:
            raise KeyError(tpl + ": " + tok)
        out.append(v)
        n += len(v)
    return "".join(out), urls


# Each template: (weight, lang, text, media).  media: None, "photos" (1-4),
# "photo", "video", "gif", "fancam" (video or gif, viral reuse possible),
# "black" (black square photo), "white" (photo(s) of a singer in white).
TPL = {}

TPL["protest"] = [
    (5, "en", "Protesters marched in $CITY for a $NTH day after the death of George Floyd in Minneapolis police custody. $U_news_protest", "photo"),
    (4, "en", "LIVE: Demonstrations over the killing of George Floyd spread to $CITY tonight. Follow our live coverage -> $U_news_protest", None),
    (6, "en", "Thousands marching near $PLACE right now. Chanting his name. #JusticeForGeorgeFloyd $BLM", "photos"),
    (4, "en", "Police just fired tear gas near $PLACE. Please stay safe & look out for each other \U0001F637 #GeorgeFloyd", "photos"),
    (3, "en", "Street medics set up at $PLACE: water, saline & eye wash. DM if you need supplies. $BLM", "photo"),
    (3, "en", "Kneeling with hundreds of neighbors in $CITY tonight \u270A\U0001F3FF #ICantBreathe #JusticeForGeorgeFloyd", "photos"),
    (4, "en", "Can't make it to a protest? Donate to bail funds & mutual aid -> $U_fund $BLM", None),
    (3, "en", "Sign the petition. It takes 30 seconds. $U_petition #JusticeForGeorgeFloyd", None),
    (3, "en", "Protest safety: bring water, wear a mask, write an emergency number on your arm, turn off Face ID. Thread \u2B07\uFE0F #GeorgeFloyd", None),
    (3, "en", "Black lives matter. Say it with your whole chest. $BLM", None),
    (2, "en", "I'm so tired of hashtags for people who should still be alive. #JusticeForGeorgeFloyd", None),
    (2, "en", "Resources to educate yourself on racism in America (books, films, orgs): $U_resources $BLM", None),
    (2, "en", "stan twitter, pause the fan wars & sign these petitions today \U0001F49C $U_petition #JusticeForGeorgeFloyd", None),
    (2, "en", "Footage from $CITY tonight. Watch the whole thing. $U_yt #GeorgeFloyd", None),
    (2, "en", "Day $N of asking people to look at what is happening in $CITY. $BLM #ICantBreathe", "video"),
    (1, "en", "Curfew announced in $CITY starting 8pm. Organizers say the march will end before then. $U_news_protest", None),
    (3, "ko", "\ubbf8\ub2c8\uc560\ud3f4\ub9ac\uc2a4\uc5d0\uc11c \uc2dc\uc791\ub41c \uc2dc\uc704\uac00 $CITYK\uae4c\uc9c0 \ubc88\uc84c\uc2b5\ub2c8\ub2e4. \uc815\uc758\ub97c \uc694\uad6c\ud569\ub2c8\ub2e4. $BLM #\ube14\ub799\ub77c\uc774\ube0c\uc2a4\ub9e4\ud130", None),
    (3, "ko", "\ud751\uc778\uc758 \uc0dd\uba85\ub3c4 \uc18c\uc911\ud569\ub2c8\ub2e4. \uc778\uc885\ucc28\ubcc4\uc5d0 \ubc18\ub300\ud569\ub2c8\ub2e4. #\ube14\ub799\ub77c\uc774\ube0c\uc2a4\ub9e4\ud130 $BLM", None),
    (2, "ko", "\ubbf8\uad6d \uc2dc\uc704 \uad00\ub828 \uae30\ubd80\ucc98 \uc815\ub9ac\ud588\uc2b5\ub2c8\ub2e4. \uc791\uc740 \uae08\uc561\uc774\ub77c\ub3c4 \ub3c4\uc6c0\uc774 \ub429\ub2c8\ub2e4 $U_fund $BLM", None),
    (2, "ko", "\ud574\uc678 \ud32c\ubd84\ub4e4 \ubaa8\ub450 \uc548\uc804\ud558\uc2dc\uae38 \ubc14\ub78d\ub2c8\ub2e4. \uc2dc\uc704 \ud604\uc7a5 \uc601\uc0c1 \ubcf4\ub2c8\uae4c \ub9c8\uc74c\uc774 \ub108\ubb34 \uc544\ud504\ub124\uc694 \U0001F622", None),
]
TPL["protest_news"] = [
    (3, "en", "Protests over the death of George Floyd continue for a $NTH day in $CITY. $U_news_protest", "photo"),
    (2, "en", "National Guard activated as demonstrations continue in Minneapolis & St. Paul. $U_news_protest", "photo"),
    (2, "en", "Protesters gathered near $PLACE in $CITY on the $NTH day of demonstrations. Photos: $U_news_protest", "photos"),
]
TPL["protest_news_ko"] = [
    (1, "ko", "\ubbf8\uad6d $CITYK\uc5d0\uc11c $ND\uc77c\uc9f8 \uc2dc\uc704\u2026\uacbd\ucc30 \uad6c\uae08 \uc911 \uc228\uc9c4 \ud751\uc778 \ub0a8\uc131 \uc0ac\uac74\uc5d0 \ubd84\ub178 \ud655\uc0b0 $U_news_ko", "photo"),
]

TPL["iwatch"] = [
    (5, "en", "everyone download the iWatch Dallas app and send them fancams. protect protesters \U0001F49C @dallas_pd_demo", None),
    (4, "en", "dallas police want videos? give them fancams \U0001F60C iWatch Dallas app, you know what to do #iWatchDallas", None),
    (4, "en", "just sent $N $M fancams to the iWatch Dallas app. they asked for videos & i delivered", "fancam"),
    (4, "en", "PSA: do NOT send real protest footage to @dallas_pd_demo. they will use it to identify protesters. send fancams instead \U0001F642 #iWatchDallas", None),
    (3, "en", "reminder that iWatch Dallas lets you submit anonymously so flood it with $G fancams $E", None),
    (3, "en", "the iWatch Dallas app is lagging so bad lmao keep going stans", None),
    (3, "en", "if you're uploading to iWatch Dallas, use fancams, memes, anything. just not faces of protesters. $BLM", None),
    (2, "en", "my $M fancam is now evidence in Dallas \U0001F62D #iWatchDallas", "fancam"),
    (2, "en", "Dallas police asking the internet for protest videos in 2020 was a choice. iWatch Dallas is getting nothing but fancams now", None),
    (3, "ko", "\ub308\ub7ec\uc2a4 \uacbd\ucc30\uc774 \uc2dc\uc704 \uc601\uc0c1\uc744 \uc571\uc73c\ub85c \uc81c\ubcf4\ud574 \ub2ec\ub77c\uace0 \ud588\ub300\uc694. \uadf8 \uc571\uc5d0 \uc9c0\uae08 \ucf00\uc774\ud31d \ud32c\ub4e4\uc774 \uc9c1\ucea0\uc744 \ubcf4\ub0b4\uace0 \uc788\uc5b4\uc694 \u314b\u314b\u314b", None),
    (2, "ko", "iWatch Dallas \uc571\uc5d0 $MK \uc9c1\ucea0 \ubcf4\ub0b4\ub294 \uc911\uc785\ub2c8\ub2e4. \uc2dc\uc704 \ucc38\uac00\uc790\ub4e4\uc744 \ubcf4\ud638\ud569\uc2dc\ub2e4 \U0001F49C #iWatchDallas", "fancam"),
    (2, "ko", "\uc2dc\uc704 \ucc38\uac00\uc790 \uc5bc\uad74\uc774 \ub098\uc628 \uc601\uc0c1\uc740 \uc808\ub300 \uc62c\ub9ac\uc9c0 \ub9c8\uc138\uc694. \ub300\uc2e0 \ud32c\ucea0\uc744 \ubcf4\ub0b4 \uc8fc\uc138\uc694 \U0001F64F", None),
]
TPL["outage"] = [
    (5, "en", "the iWatch Dallas app is DOWN \U0001F62D\U0001F49C we did that", None),
    (4, "en", "imagine asking for protest videos and getting $N thousand fancams instead #iWatchDallas", "fancam"),
    (3, "en", "iWatch Dallas went offline because of fancams. 2020 is something else", None),
    (3, "en", "kpop stans took down a police app with $M fancams & i will never stop thinking about it", "fancam"),
    (2, "en", "app's down. good. now donate: $U_fund $BLM", None),
    (2, "en", "RIP iWatch Dallas (May 31 - June 1), killed by $G fancams \U0001F56F\uFE0F", "gif"),
    (3, "ko", "iWatch Dallas \uc571\uc774 \uacb0\uad6d \ub2e4\uc6b4\ub410\ub300\uc694 \u314b\u314b\u314b \ud32c\ucea0\uc758 \ud798 \U0001F49C", None),
    (1, "ko", "\ub308\ub7ec\uc2a4 \uacbd\ucc30 \uc571\uc774 \uc9c1\ucea0 \ud3ed\ud0c4 \ub9de\uace0 \uba48\ucdc4\ub2e4\uace0 \ud569\ub2c8\ub2e4 \u314b\u314b $U_news_ko", None),
]
TPL["outage_news"] = [
    (3, "en", "Dallas police app goes offline after K-pop fans flood it with fancams $U_news_iwatch", None),
    (2, "en", "K-pop fans say they flooded a police app with videos of their favorite stars after officers asked for protest footage. $U_news_iwatch", "photo"),
]

TPL["blackout"] = [
    (8, "und", "$BT", "black"),
    (5, "und", "$BT #TheShowMustBePaused \U0001F5A4", "black"),
    (4, "en", "Muting myself today to listen & learn. $BT", "black"),
    (4, "en", "PLEASE stop tagging your black squares with #BlackLivesMatter. People use that tag for info & resources and now it's just black squares. Use $BT only.", None),
    (3, "en", "if you post a black square, also donate/sign/call. a square alone does nothing -> $U_fund $BT", None),
    (2, "en", "The music industry is pausing today. $BT #TheShowMustBePaused $U_blackout", None),
    (2, "en", "black square posted. now go read this: $U_resources $BT $BLM", "black"),
    (3, "ko", "$BT \uc624\ub298\uc740 \uc870\uc6a9\ud788 \uc5f0\ub300\ud569\ub2c8\ub2e4 \U0001F5A4 \ube14\ub799\ub77c\uc774\ube0c\uc2a4\ub9e4\ud130 \ud0dc\uadf8\uc5d0\ub294 \uac80\uc740 \uc0ac\uc9c4\uc744 \uc62c\ub9ac\uc9c0 \ub9d0\uc544 \uc8fc\uc138\uc694.", "black"),
    (2, "ko", "\uc74c\uc545 \uc5c5\uacc4\uac00 \uc624\ub298 \ud558\ub8e8 \ud65c\ub3d9\uc744 \uba48\ucd98\ub2e4\uace0 \ud569\ub2c8\ub2e4. #TheShowMustBePaused $BT", None),
    (2, "ko", "\uac80\uc740 \uc0ac\uc9c4\ub9cc \uc62c\ub9ac\uc9c0 \ub9d0\uace0 \uae30\ubd80\ub098 \uccad\uc6d0\ub3c4 \ud568\uaed8 \ud574 \uc8fc\uc138\uc694 \U0001F64F $U_fund #\ube14\ub799\ub77c\uc774\ube0c\uc2a4\ub9e4\ud130", None),
]
TPL["wlm_early"] = [
    (4, "en", "$WLM is trending. stans, you know what to do \U0001F440 fancams only", None),
    (4, "en", "flooding $WLM with $M fancams tonight, join me \U0001F49C $BLM", "fancam"),
    (3, "en", "$E $WLM $ALM", "fancam"),
    (2, "ko", "$WLM \ud0dc\uadf8\uac00 \ud2b8\ub80c\ub4dc\uc5d0 \uc62c\ub790\uc5b4\uc694. \uc9c1\ucea0\uc73c\ub85c \ub36e\uc5b4 \uc8fc\uc138\uc694 \U0001F49C", "fancam"),
]

TPL["wlm"] = [
    (9, "und", "$WLM", "fancam"),
    (8, "und", "$E $WLM", "fancam"),
    (8, "en", "here's a $M fancam for the $WLM tag \U0001F49C $BLM", "fancam"),
    (5, "en", "$M fancam to cleanse the $WLM tag \u2728", "fancam"),
    (5, "en", "sorry racists, this tag belongs to $G now $WLM", "fancam"),
    (4, "en", "$WLM $M fancam \U0001F525 $BLM", "fancam"),
    (4, "en", "no racism on my timeline, only $M $WLM $E", "fancam"),
    (3, "en", "drop your best fancams in $WLM \U0001F447 i'll start", "fancam"),
    (3, "en", "i <3 $M & black lives matter. $WLM $BLM", "fancam"),
    (3, "en", "$WLM was started to drown out Black voices. Don't let it. Black lives matter. $BLM", None),
    (3, "en", "If you're searching $WLM looking for hate, you're getting $M instead. $BLM \u270A\U0001F3FF", "fancam"),
    (3, "en", "Black lives matter today, tomorrow, always. $WLM $BLM", None),
    (2, "en", "reminder: when you flood $WLM, don't tag #BlackLivesMatter on the fancams, keep that tag for resources -> $U_fund", None),
    (3, "en", "every single post in $WLM right now is a fancam and i'm in tears \U0001F62D", None),
    (2, "en", "kpop stans really took over $WLM overnight. proud of y'all $E", None),
    (2, "en", "tried to look at $WLM and it's just $M doing a body roll for 45 seconds. perfect.", None),
    (3, "ko", "$WLM \ud0dc\uadf8\uc5d0 \uc9c1\ucea0 \uc62c\ub824\uc11c \ud610\uc624 \uac8c\uc2dc\ubb3c\uc744 \ub36e\uc5b4 \uc8fc\uc138\uc694 \U0001F49C #\ube14\ub799\ub77c\uc774\ube0c\uc2a4\ub9e4\ud130", "fancam"),
    (3, "ko", "\ud574\uc678 \ud32c\ub4e4\uc774 $WLM \ud574\uc2dc\ud0dc\uadf8\ub97c \ud32c\ucea0\uc73c\ub85c \ub3c4\ubc30\ud558\uace0 \uc788\ub300\uc694. \uc778\uc885\ucc28\ubcc4 \uac8c\uc2dc\ubb3c\uc774 \ud558\ub098\ub3c4 \uc548 \ubcf4\uc5ec\uc694 \u314b\u314b $BLM", None),
    (3, "ko", "$MK \uc9c1\ucea0\uc73c\ub85c $WLM \ud0dc\uadf8 \uc815\ud654 \uc911\uc785\ub2c8\ub2e4 \u2728 #\ube14\ub799\ub77c\uc774\ube0c\uc2a4\ub9e4\ud130", "fancam"),
    (2, "ko", "\uc778\uc885\ucc28\ubcc4 \ud574\uc2dc\ud0dc\uadf8\uc5d0\ub294 $MK \uc9c1\ucea0\uc774 \ub2f5\uc774\ub2e4 \U0001F49C $WLM", "fancam"),
    (2, "ko", "\ud32c\ucea0 \ud558\ub098\uc529\ub9cc \uc62c\ub824 \uc8fc\uc138\uc694. \uc791\uc740 \ud589\ub3d9\ub3c4 \ud798\uc774 \ub429\ub2c8\ub2e4. $WLM #\ube14\ub799\ub77c\uc774\ube0c\uc2a4\ub9e4\ud130", None),
]
TPL["wlm_genuine"] = [
    (3, "en", "Proud of who I am and where I come from. $WLM", None),
    (3, "en", "All lives matter, period. $WLM $ALM", None),
    (2, "en", "Can't even post in $WLM without getting K-pop videos thrown at me.", None),
    (2, "en", "Why is $WLM full of dancing videos?? Who are these people", None),
    (1, "en", "Tried to make a point in $WLM and got 40 replies of some boy band. Unreal.", "photo"),
]
TPL["wlm_news"] = [
    (3, "en", "K-pop fans drowned out the $WLM hashtag with fancams and anti-racist messages $U_news_wlm", "photo"),
    (2, "en", "How K-pop stans took over $WLM, $BLUE and #ExposeAntifa: $U_news_wlm", None),
    (1, "ko", "\ucf00\uc774\ud31d \ud32c\ub4e4, $WLM \ud574\uc2dc\ud0dc\uadf8 '\uc9c1\ucea0'\uc73c\ub85c \ub4a4\ub36e\uc5b4 $U_news_ko", "photo"),
]

TPL["wow"] = [
    (6, "en", "it's $WOW so here's $M in all white \U0001F90D", "white"),
    (5, "en", "$WOW $M fancam \U0001F90D\u2728", "fancam"),
    (4, "und", "$WOW \U0001F90D", "white"),
    (3, "en", "$WOW was made to mock #BlackoutTuesday. Flood it. $BLM", "fancam"),
    (3, "en", "$WOW and $WLM are ours now \U0001F60C", "fancam"),
    (2, "en", "$M in white is the only $WOW content allowed here", "white"),
    (2, "en", "y'all i searched $WOW and it's 100% $G. love this app", None),
    (3, "ko", "$WOW \ud0dc\uadf8\ub3c4 $MK \uc0ac\uc9c4\uc73c\ub85c \ub36e\uc5b4 \uc8fc\uc138\uc694 \U0001F90D", "white"),
    (2, "ko", "\ube14\ub799\uc544\uc6c3 \ud29c\uc988\ub370\uc774\ub97c \uc870\ub871\ud558\ub294 $WOW \ud0dc\uadf8\uac00 \uc0dd\uacbc\ub300\uc694. \ud32c\ucea0\uc73c\ub85c \ub36e\uc74d\uc2dc\ub2e4", "fancam"),
]
TPL["wow_genuine"] = [
    (2, "und", "$WOW \U0001F90D", "photo"),
    (1, "en", "Wearing white today. $WOW", "photo"),
]
TPL["other"] = [
    (6, "und", "$BLUE", "fancam"),
    (4, "en", "$BLUE $M fancam \U0001F499", "fancam"),
    (5, "und", "$E $ALM", "fancam"),
    (4, "en", "all lives can't matter until Black lives matter. here's $M. $ALM $BLM", "fancam"),
    (6, "en", "antifa exposed: $M fancam \U0001F633 $EXPOSE", "fancam"),
    (4, "en", "They told us to $EXPOSE so here's $M doing a backflip", "fancam"),
    (3, "en", "$EXPOSE \u2B07\uFE0F (it's $M, it's always $M)", "fancam"),
    (3, "en", "Black lives matter. Donate if you can, sign if you can't: $U_fund $BLM", None),
    (2, "en", "$BLM resources in one place: bail funds, petitions, reading lists -> $U_resources", None),
    (2, "en", "protesting again today in $CITY. bring water & stay with your group. $BLM", "photos"),
    (3, "ko", "$EXPOSE \ud0dc\uadf8\uc5d0 $MK \uc9c1\ucea0 \uc62c\ub838\uc5b4\uc694 \u314b\u314b\u314b \uc548\ud2f0\ud30c\ub97c \ud3ed\ub85c\ud558\ub77c\uae38\ub798 \U0001F60E", "fancam"),
    (2, "ko", "$ALM \ud0dc\uadf8\ub3c4 \uc9c1\ucea0\uc73c\ub85c \ucc44\uc6cc \uc8fc\uc138\uc694. \uc9c0\uae08 \uc704\ud611\ubc1b\ub294 \uac74 \ud751\uc778\uc758 \uc0dd\uba85\uc785\ub2c8\ub2e4. $BLM", "fancam"),
]
TPL["other_news"] = [
    (2, "en", "After $WLM, K-pop fans turned to $EXPOSE and $BLUE. $U_news_wlm", None),
]

STATEMENT_TEXT = ("\uc6b0\ub9ac\ub294 \ubaa8\ub4e0 \ud615\ud0dc\uc758 \uc778\uc885\ucc28\ubcc4\uacfc \ud3ed\ub825\uc5d0 "
                  "\ubc18\ub300\ud569\ub2c8\ub2e4. \ub204\uad6c\ub3c4 \ud53c\ubd80\uc0c9 \ub54c\ubb38\uc5d0 "
                  "\ucc28\ubcc4\ubc1b\uc544\uc11c\ub294 \uc548 \ub429\ub2c8\ub2e4. \uc6b0\ub9ac\ub294 \ud568\uaed8 "
                  "\uc11c \uc788\uaca0\uc2b5\ub2c8\ub2e4. \U0001F5A4 #BlackLivesMatter")
TRANS_TEXT = ("[TRANS] \"We stand against all forms of racism and violence. No one should be "
              "treated differently because of the color of their skin. We will stand together. "
              "\U0001F5A4 #BlackLivesMatter\" #SEPTET")

TPL["stmt_misc"] = [
    (3, "en", "SEPTET just posted a #BlackLivesMatter statement & i'm crying at work \U0001F62D", None),
    (2, "en", "your faves could learn something from $G today. $BLM", None),
    (3, "en", "they used their platform. that's it, that's the tweet $BLM", None),
    (2, "ko", "\uc6b0\ub9ac \uc149\ud15f\uc774 \ubaa9\uc18c\ub9ac\ub97c \ub0b4 \uc918\uc11c \ub108\ubb34 \uc790\ub791\uc2a4\ub7ec\uc6cc\uc694 \U0001F49C $BLM", None),
    (2, "ko", "\uba64\ubc84\ub4e4 \uc9c4\uc2ec\uc774 \ub290\uaef4\uc838\uc11c \ub208\ubb3c \ub098\uc694 \U0001F62D #\ube14\ub799\ub77c\uc774\ube0c\uc2a4\ub9e4\ud130", None),
]
TPL["stmt_news"] = [
    (3, "en", "K-pop band SEPTET speaks out: \"We stand against all forms of racism and violence\" $U_news_stmt", "photo"),
    (2, "en", "SEPTET and its label donated 1 million dollars to Black Lives Matter causes, the band's agency confirmed. $U_news_stmt", None),
]
TPL["stmt_news_ko"] = [
    (2, "ko", "\uc149\ud15f, \uc778\uc885\ucc28\ubcc4 \ubc18\ub300 \uba54\uc2dc\uc9c0\u2026\"\uc6b0\ub9ac\ub294 \ud568\uaed8 \uc11c \uc788\uaca0\ub2e4\" $U_news_ko", "photo"),
]
TPL["match"] = [
    (5, "en", "we matched it!! donate to Black-led orgs here -> $U_fund #MatchAMillion $E", None),
    (3, "en", "just donated 20 dollars. every bit counts. #MatchAMillion $BLM", "photo"),
    (2, "en", "fandoms can move mountains when they want to. #MatchAMillion", None),
    (3, "ko", "#MatchAMillion \uae30\ubd80 \uc644\ub8cc\ud588\uc5b4\uc694! \uc801\uc740 \uae08\uc561\uc774\uc9c0\ub9cc \ubcf4\ud0ec\uc774 \ub418\uae38 \U0001F49C", "photo"),
    (2, "ko", "\uc149\ud15f\uc774 \uae30\ubd80\uae4c\uc9c0 \ud588\ub300\uc694. \uc6b0\ub9ac\ub3c4 \ub3d9\ucc38\ud569\uc2dc\ub2e4 #MatchAMillion $U_fund", None),
]

# quotes: keyed by the target's group
QUOTE_TPL = {
    "stmt": [
        (5, "en", "so proud of them \U0001F62D\U0001F49C $BLM", None),
        (4, "en", "they used their platform. your fave could never $E", None),
        (3, "en", "this is why i stan \U0001F5A4 $BLM", None),
        (3, "en", "thank you @septet_official $BLM", None),
        (2, "en", "translation for anyone who needs it: they stand against racism & violence, and they stand with us. $BLM", None),
        (1, "ko", "\uc790\ub791\uc2a4\ub7fd\ub2e4 \U0001F49C $BLM", None),
        (1, "ko", "\uc774\uac8c \uc149\ud15f\uc774\uc9c0. \ud568\uaed8\ud569\ub2c8\ub2e4. #\ube14\ub799\ub77c\uc774\ube0c\uc2a4\ub9e4\ud130", None),
        (1, "ko", "\uc774 \ubc1c\uc5b8 \ud558\ub098\ub85c \ub9ce\uc740 \uc0ac\ub78c\ub4e4\uc774 \uad00\uc2ec\uc744 \uac00\uc9c0\uac8c \ub420 \uac70\uc608\uc694. \uace0\ub9c8\uc6cc\uc694 \U0001F49C", None),
    ],
    "dpd": [
        (4, "en", "they really asked stan twitter for videos \U0001F480", None),
        (3, "en", "oh they're about to get SO many fancams", "fancam"),
        (2, "en", "submitted. you're welcome @dallas_pd_demo", "fancam"),
        (1, "ko", "\ub308\ub7ec\uc2a4 \uacbd\ucc30 \ud070\uc77c\ub0ac\ub2e4 \u314b\u314b\u314b", None),
    ],
    "outage": [
        (3, "en", "technical difficulties \U0001F60C", "fancam"),
        (2, "en", "mission accomplished $E", None),
        (1, "ko", "\u314b\u314b\u314b\u314b \uc774\uac8c \ub418\ub124", None),
    ],
    "news": [
        (4, "en", "Everyone needs to read this.", None),
        (3, "en", "This is what happens when people are ignored for decades.", None),
        (2, "en", "stan twitter did that \U0001F49C", None),
        (1, "ko", "\ub300\ub2e8\ud558\ub2e4 \uc815\ub9d0", None),
    ],
    "wlm_genuine": [
        (4, "en", "$M says black lives matter \U0001F49C $WLM", "fancam"),
        (3, "en", "anyway here's $M $WLM", "fancam"),
    ],
    "generic": [
        (4, "en", "this!!! $E", None),
        (3, "en", "say it louder for the people in the back", None),
        (2, "en", "adding $M to the pile $WLM", "fancam"),
        (1, "ko", "\uc774\uac70 \uc9c4\uc9dc \uc911\uc694\ud574\uc694", None),
    ],
}
REPLY_TPL = {
    "stmt": [
        (6, "und", "\U0001F49C\U0001F49C\U0001F49C", None),
        (4, "en", "thank you for using your voice \U0001F5A4", None),
        (3, "en", "we stand with you too $BLM", None),
        (2, "ko", "\uace0\ub9c8\uc6cc\uc694 \U0001F49C", None),
        (1, "ko", "\ud568\uaed8\ud560\uac8c\uc694 \U0001F5A4", None),
    ],
    "dpd": [
        (6, "en", "here's a video of illegal activity: $M being this talented \U0001F624", "fancam"),
        (5, "en", "i found some footage for you \U0001F49C", "fancam"),
        (3, "und", "$E", "fancam"),
        (2, "en", "submitted this to iWatch Dallas too, hope it helps", "fancam"),
        (2, "en", "maybe stop surveilling protesters", None),
        (1, "ko", "\uc81c\ubcf4\ud569\ub2c8\ub2e4 \U0001F49C", "fancam"),
    ],
    "outage": [
        (4, "en", "lmaooo", None),
        (3, "en", "technical difficulties? or $N thousand fancams?", "fancam"),
        (2, "und", "\U0001F60C\U0001F60C", "gif"),
    ],
    "wlm_genuine": [
        (6, "en", "$M fancam for you \U0001F49C", "fancam"),
        (4, "und", "$E", "fancam"),
        (3, "en", "black lives matter. also here's $M", "fancam"),
        (1, "ko", "$MK \uc9c1\ucea0 \ub4dc\ub9bd\ub2c8\ub2e4 \U0001F49C", "fancam"),
    ],
    "fancam": [
        (5, "en", "who is this?? \U0001F633", None),
        (4, "en", "omg $M \U0001F62D", None),
        (3, "en", "thank you for your service \U0001F49C", None),
        (1, "ko", "$MK \ub108\ubb34 \uc88b\ub2e4 \u3160\u3160", None),
        (2, "en", "this fancam has been living in my head all day", None),
    ],
    "news": [
        (3, "en", "good.", None),
        (2, "en", "stan twitter did that", None),
        (1, "ko", "\ub300\ub2e8\ud558\ub2e4", None),
    ],
    "protest": [
        (4, "en", "stay safe out there \U0001F64F", None),
        (3, "en", "thank you for documenting this", None),
        (2, "en", "where exactly is this? want to bring water", None),
        (1, "ko", "\uc548\uc804\ud558\uc138\uc694 \U0001F64F", None),
    ],
    "thread": [
        (4, "en", "right?? \U0001F62D", None),
        (3, "en", "exactly this", None),
        (3, "en", "it's $M from $G!! stan $G \U0001F49C", None),
        (1, "ko", "\u314b\u314b\u314b\u314b \ub9de\uc544\uc694", None),
    ],
    "generic": [
        (4, "en", "this \U0001F446", None),
        (3, "en", "black lives matter \u270A\U0001F3FF", None),
        (1, "ko", "\ub9de\uc544\uc694 \uc815\ub9d0", None),
    ],
}

# which REPLY_TPL / QUOTE_TPL key a target group maps to
GROUP_REPLYKEY = {
    "stmt": "stmt", "dpd": "dpd", "outage_dpd": "outage", "wlm_genuine": "wlm_genuine",
    "news": "news", "protest": "protest", "fancam": "fancam",
}


# ---------------------------------------------------------------------------
# Posts
# ---------------------------------------------------------------------------

class Post:
    def __init__(self, t, user, kind, lang, group):
        self.t = t
        self.id = snowflake(t)
        self.user = user
        self.kind = kind            # original | reply | quote | retweet
        self.lang = lang
        self.group = group
        self.body = ""
        self.urls = []             # (s, e, tco, expanded) relative to body
        self.media = []            # base media dicts
        self.media_src = None      # (post) when media is reused from another post
        self.media_tco = None
        self.media_disp = None
        self.prefix = []           # reply prefix accounts
        self.reply_to = None
        self.quote_of = None
        self.rt_of = None
        self.source = source_for(user)
        self.pop = ((user["followers"] + 50) ** 0.55) * R.lognormvariate(0, 0.9) / 30.0
        self.self_tco = tco()
        self.quote_tco = None
        self.ratios = (3.1 * R.uniform(0.6, 1.4), 9.4 * R.uniform(0.6, 1.4),
                       0.37 * R.uniform(0.5, 1.5), 0.21 * R.uniform(0.5, 1.5))


ALL_POSTS = []


def choose_tpl(lst):
    return R.choices(lst, weights=[x[0] for x in lst])[0]


def make_ctx(t):
    return {"member": R.choice(MEMBERS), "city": R.choice(CITIES), "place": R.choice(PLACES),
            "nth": max(1, (t.date() - dt.date(2020, 5, 26)).days + 1)}


def attach_media(p, spec, ctx):
    t = p.t
    if spec is None:
        return
    if spec == "photo":
        p.media = [media_photo(t, R.choice(PHOTO_ALTS) if R.random() < 0.3 else None)]
    elif spec == "photos":
        k = R.choices([1, 2, 3, 4], weights=[4, 3, 2, 2])[0]
        p.media = [media_photo(t, R.choice(PHOTO_ALTS) if R.random() < 0.3 else None) for _ in range(k)]
    elif spec == "white":
        k = R.choices([1, 2, 3, 4], weights=[5, 2, 1, 2])[0]
        p.media = [media_photo(t, R.choice(WHITE_ALTS) if R.random() < 0.25 else None) for _ in range(k)]
    elif spec == "black":
        v = VIRAL.get("black")
        if v and R.random() < 0.35:
            p.media = [v[1]]
            p.media_src = v[0]
        else:
            p.media = [media_photo(t, BLACK_ALT if R.random() < 0.35 else None)]
    elif spec == "video":
        p.media = [media_video(t, aspect=(16, 9))]
    elif spec == "gif":
        v = VIRAL.get("gif")
        if v and R.random() < 0.3:
            p.media = [v[1]]
            p.media_src = v[0]
        else:
            p.media = [media_gif(t)]
    elif spec == "fancam":
        viral = [k for k in ("fancam1", "fancam2", "gif") if k in VIRAL and VIRAL[k][0].t < t]
        if viral and R.random() < 0.22:
            k = R.choice(viral)
            p.media = [VIRAL[k][1]]
            p.media_src = VIRAL[k][0]
        elif R.random() < 0.75:
            p.media = [media_video(t)]
        else:
            p.media = [media_gif(t)]
    else:
        raise ValueError(spec)
    if p.media:
        p.media_tco = tco()
        p.media_disp = "pic.twitter.com/" + rstr(10)


def set_text(p, tpl_entry, ctx, prefix_weight=0):
    _, lang, text, media = tpl_entry
    for _ in range(20):
        body, urls = fill(text, ctx)
        extra = 24 if media else 0
        if tw_weight(body) + extra <= 280:
            break
    else:
        raise ValueError("template too long: " + text)
    p.body, p.urls, p.lang = body, urls, lang
    attach_media(p, media, ctx)
    return p


def new_original(t, user, tpl_entry, group, ctx=None):
    p = Post(t, user, "original", tpl_entry[1], group)
    set_text(p, tpl_entry, ctx or make_ctx(t))
    ALL_POSTS.append(p)
    return p


# ---------------------------------------------------------------------------
# Entities and rendering
# ---------------------------------------------------------------------------

HASHTAG_RE = re.compile(r"(?<![\w#&/])#(\w*[^\W\d]\w*)")
MENTION_RE = re.compile(r"(?<![\w@])@(\w{1,15})")


def full_parts(p):
    """(prefix_text, body, entities list with absolute positions, media_span)"""
    prefix = "".join("@%s " % a["screen_name"] for a in p.prefix)
    ents = []
    pos = 0
    for a in p.prefix:
        ents.append(("mention", pos, pos + 1 + len(a["screen_name"]), a))
        pos += len(a["screen_name"]) + 2
    off = len(prefix)
    for m in HASHTAG_RE.finditer(p.body):
        ents.append(("hashtag", off + m.start(), off + m.end(), m.group(1)))
    for m in MENTION_RE.finditer(p.body):
        a = ACCTS[m.group(1).lower()]
        ents.append(("mention", off + m.start(), off + m.end(), a))
    for s, e, u, x in p.urls:
        ents.append(("url", off + s, off + e, (u, x)))
    ents.sort(key=lambda x: x[1])
    full = prefix + p.body
    mspan = None
    if p.media:
        mspan = (len(full) + 1, len(full) + 1 + len(p.media_tco))
    return prefix, p.body, ents, mspan


def media_objs(p, span, mode):
    out = []
    src = p.media_src
    for m in p.media:
        kind = "photo" if m["type"] == "photo" else "video"
        if src is not None:
            exp = "https://twitter.com/%s/status/%d/%s/1" % (src.user["screen_name"], src.id, kind)
        else:
            exp = "https://twitter.com/%s/status/%d/%s/1" % (p.user["screen_name"], p.id, kind)
        o = {"id": m["id"], "id_str": str(m["id"]), "indices": list(span),
             "media_url": m["media_url_https"].replace("https://", "http://", 1),
             "media_url_https": m["media_url_https"], "url": p.media_tco,
             "display_url": p.media_disp, "expanded_url": exp, "type": m["type"]}
        if mode == "extended":
            o["media_key"] = {"photo": "3_", "video": "7_", "animated_gif": "16_"}[m["type"]] + str(m["id"])
        if "ext_alt_text" in m:
            o["ext_alt_text"] = m["ext_alt_text"]
        if src is not None:
            o["source_status_id"] = src.id
            o["source_status_id_str"] = str(src.id)
            o["source_user_id"] = src.user["id"]
            o["source_user_id_str"] = str(src.user["id"])
        if "video_info" in m:
            o["video_info"] = json.loads(json.dumps(m["video_info"]))
        if "additional_media_info" in m:
            o["additional_media_info"] = dict(m["additional_media_info"])
        out.append(o)
    return out


def ent_dict(ents, media=None, shift=0, limit=None):
    d = {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []}
    for kind, s, e, v in ents:
        s2, e2 = s + shift, e + shift
        if limit is not None and e2 > limit:
            continue
        if kind == "hashtag":
            d["hashtags"].append({"text": v, "indices": [s2, e2]})
        elif kind == "mention":
            d["user_mentions"].append({"screen_name": v["screen_name"], "name": v["name"],
                                       "id": v["id"], "id_str": str(v["id"]),
                                       "indices": [s2, e2]})
        elif kind == "url":
            d["urls"].append({"url": v[0], "expanded_url": v[1], "display_url": display_url(v[1]),
                              "indices": [s2, e2]})
        elif kind == "selfurl":
            d["urls"].append({"url": v[0], "expanded_url": v[1], "display_url": v[2],
                              "indices": [s2, e2]})
    if media:
        first = dict(media[0])
        if limit is None or first["indices"][1] <= limit:
            d["media"] = [first]
    return d


def shift_media(media, shift):
    out = []
    for m in media:
        m2 = dict(m)
        m2["indices"] = [m["indices"][0] + shift, m["indices"][1] + shift]
        out.append(m2)
    return out


def counts_at(p, C):
    """Engagement counts of p as seen at time C."""
    age_h = max(0.0, (C - p.t).total_seconds() / 3600.0)
    f = 1.0 - math.exp(-age_h / 7.0)
    pop = p.pop * f
    a, b, c, d = p.ratios
    return {"retweet_count": int(pop * a), "favorite_count": int(pop * b),
            "reply_count": int(pop * c), "quote_count": int(pop * d)}


def truncate_compat(full_disp, ents, budget):
    """Cut full_disp so that its weight <= budget, at a space, not inside an entity."""
    k = 0
    w = 0
    for i, ch in enumerate(full_disp):
        w2 = w + tw_weight(ch)
        if w2 > budget:
            break
        w = w2
        k = i + 1
    cut = full_disp.rfind(" ", 0, k + 1)
    if cut <= 0:
        cut = k
    for _, s, e, _ in ents:
        if s < cut < e:
            cut = s
    return full_disp[:cut].rstrip()


def base_fields(p, C, mode, top):
    """Render a non-retweet post: returns dict of text fields, entities, etc."""
    prefix, body, ents, mspan = full_parts(p)
    disp = prefix + body
    full = disp + (" " + p.media_tco if p.media else "")
    media = media_objs(p, mspan, mode) if p.media else []
    dtr = [len(prefix), len(disp)]
    full_ents = ent_dict(ents, media)
    res = {"dtr": dtr, "full": full, "full_ents": full_ents, "media": media}
    if tw_weight(full) <= 140:
        res.update(text=full, truncated=False, ents=full_ents, ext_media=media)
    else:
        kept = truncate_compat(disp, ents, 140 - tw_weight("\u2026 ") - 23)
        text = kept + "\u2026 " + p.self_tco
        selfent = ("selfurl", len(kept) + 2, len(kept) + 2 + len(p.self_tco),
                   (p.self_tco, "https://twitter.com/i/web/status/%d" % p.id,
                    "twitter.com/i/web/status/1\u2026"))
        tents = ent_dict([x for x in ents if x[2] <= len(kept)] + [selfent])
        res.update(text=text, truncated=True, ents=tents, ext_media=[])
    return res


def render(p, mode, C, top=True):
    """Render post p as a v1.1 tweet object in mode extended|compat|streaming,
    with engagement counts as of C (streaming top level: zero)."""
    if p.kind == "retweet":
        return render_rt(p, mode, C, top)
    b = base_fields(p, C, mode, top)
    cnt = counts_at(p, C) if not (mode == "streaming" and top) else {
        "retweet_count": 0, "favorite_count": 0, "reply_count": 0, "quote_count": 0}
    o = {"created_at": created_at(p.t), "id": p.id, "id_str": str(p.id)}
    if mode == "extended":
        o["full_text"] = esc(b["full"])
        o["truncated"] = False
        o["display_text_range"] = b["dtr"]
        o["entities"] = b["full_ents"]
        if b["media"]:
            o["extended_entities"] = {"media": b["media"]}
    elif mode == "compat":
        o["text"] = esc(b["text"])
        o["truncated"] = b["truncated"]
        o["entities"] = b["ents"]
        if b["ext_media"]:
            o["extended_entities"] = {"media": b["ext_media"]}
    else:
        o["text"] = esc(b["text"])
        if not b["truncated"] and p.prefix:
            o["display_text_range"] = b["dtr"]
    o["source"] = p.source
    if mode == "streaming":
        o["truncated"] = b["truncated"]
    rt = p.reply_to
    o["in_reply_to_status_id"] = rt.id if rt else None
    o["in_reply_to_status_id_str"] = str(rt.id) if rt else None
    o["in_reply_to_user_id"] = rt.user["id"] if rt else None
    o["in_reply_to_user_id_str"] = str(rt.user["id"]) if rt else None
    o["in_reply_to_screen_name"] = rt.user["screen_name"] if rt else None
    o["user"] = user_obj(p.user)
    o["geo"] = None
    o["coordinates"] = None
    o["place"] = None
    o["contributors"] = None
    q = p.quote_of
    if mode == "streaming":
        if q:
            o["quoted_status_id"] = q.id
            o["quoted_status_id_str"] = str(q.id)
            if top:
                o["quoted_status"] = render(q, mode, p.t, top=False)
            o["quoted_status_permalink"] = quote_permalink(p)
        o["is_quote_status"] = bool(q)
        if b["truncated"]:
            et = {"full_text": esc(b["full"]), "display_text_range": b["dtr"],
                  "entities": b["full_ents"]}
            if b["media"]:
                et["extended_entities"] = {"media": b["media"]}
            o["extended_tweet"] = et
        o.update(cnt)
        o["entities"] = b["ents"]
        if b["ext_media"]:
            o["extended_entities"] = {"media": b["ext_media"]}
    else:
        o["is_quote_status"] = bool(q)
        if q:
            o["quoted_status_id"] = q.id
            o["quoted_status_id_str"] = str(q.id)
            o["quoted_status_permalink"] = quote_permalink(p)
            if top:
                o["quoted_status"] = render(q, mode, C, top=False)
        o.update(cnt)
    o["favorited"] = False
    o["retweeted"] = False
    if p.urls or p.media:
        o["possibly_sensitive"] = False
    if mode == "streaming":
        o["filter_level"] = "low"
    o["lang"] = p.lang
    if mode == "streaming" and top:
        o["timestamp_ms"] = str((p.id >> 22) + TWEPOCH)
    return o


def quote_permalink(p):
    q = p.quote_of
    if p.quote_tco is None:
        p.quote_tco = tco()
    exp = "https://twitter.com/%s/status/%d" % (q.user["screen_name"], q.id)
    return {"url": p.quote_tco, "expanded": exp, "display": display_url(exp)}


def render_rt(p, mode, C, top):
    orig = p.rt_of
    C_embed = p.t if mode == "streaming" else C
    emb = render(orig, mode, C_embed, top=False)
    if orig.quote_of is not None:
        # a retweet of a quote embeds the quoted post in the original too
        qemb = render(orig.quote_of, mode, C_embed, top=False)
        # put quoted_status where Twitter put it
        emb2 = {}
        for k, v in emb.items():
            emb2[k] = v
            if (mode != "streaming" and k == "quoted_status_permalink") or \
               (mode == "streaming" and k == "quoted_status_id_str"):
                emb2["quoted_status"] = qemb
        emb = emb2
    prefix, body, ents, mspan = full_parts(orig)
    ofull = prefix + body + (" " + orig.media_tco if orig.media else "")
    head = "RT @%s: " % orig.user["screen_name"]
    rt = head + ofull
    shift = len(head)
    oents = list(ents)
    media = media_objs(orig, mspan, mode) if orig.media else []
    if tw_weight(rt) <= 140:
        text = rt
        limit = len(rt)
    else:
        k = 0
        w = 0
        for i, ch in enumerate(rt):
            w2 = w + tw_weight(ch)
            if w2 > 140 - tw_weight("\u2026"):
                break
            w = w2
            k = i + 1
        text = rt[:k] + "\u2026"
        limit = k
    d = ent_dict(oents, shift_media(media, shift) if media else None, shift=shift, limit=limit)
    d["user_mentions"].insert(0, {"screen_name": orig.user["screen_name"],
                                  "name": orig.user["name"], "id": orig.user["id"],
                                  "id_str": str(orig.user["id"]), "indices": [3, 4 + len(orig.user["screen_name"])]})
    ext_media = shift_media(media, shift) if (media and "media" in d) else []
    ocnt = counts_at(orig, C_embed)
    cnt = {"retweet_count": ocnt["retweet_count"], "favorite_count": 0,
           "reply_count": 0, "quote_count": 0}
    if mode == "streaming" and top:
        cnt = {"retweet_count": 0, "favorite_count": 0, "reply_count": 0, "quote_count": 0}
    o = {"created_at": created_at(p.t), "id": p.id, "id_str": str(p.id)}
    if mode == "extended":
        o["full_text"] = esc(text)
        o["truncated"] = False
        o["display_text_range"] = [0, len(text)]
        o["entities"] = d
        if ext_media:
            o["extended_entities"] = {"media": ext_media}
    elif mode == "compat":
        o["text"] = esc(text)
        o["truncated"] = False
        o["entities"] = d
        if ext_media:
            o["extended_entities"] = {"media": ext_media}
    else:
        o["text"] = esc(text)
    o["source"] = p.source
    if mode == "streaming":
        o["truncated"] = False
    o["in_reply_to_status_id"] = None
    o["in_reply_to_status_id_str"] = None
    o["in_reply_to_user_id"] = None
    o["in_reply_to_user_id_str"] = None
    o["in_reply_to_screen_name"] = None
    o["user"] = user_obj(p.user)
    o["geo"] = None
    o["coordinates"] = None
    o["place"] = None
    o["contributors"] = None
    o["retweeted_status"] = emb
    q = orig.quote_of
    if mode == "streaming":
        if q:
            o["quoted_status_id"] = q.id
            o["quoted_status_id_str"] = str(q.id)
            o["quoted_status"] = emb["quoted_status"]
            o["quoted_status_permalink"] = emb["quoted_status_permalink"]
        o["is_quote_status"] = bool(q)
        o.update(cnt)
        o["entities"] = d
        if ext_media:
            o["extended_entities"] = {"media": ext_media}
    else:
        o["is_quote_status"] = bool(q)
        if q:
            o["quoted_status_id"] = q.id
            o["quoted_status_id_str"] = str(q.id)
            o["quoted_status_permalink"] = emb["quoted_status_permalink"]
            o["quoted_status"] = emb["quoted_status"]
        o.update(cnt)
    o["favorited"] = False
    o["retweeted"] = False
    if orig.urls or orig.media:
        o["possibly_sensitive"] = False
    if mode == "streaming":
        o["filter_level"] = "low"
    o["lang"] = orig.lang
    if mode == "streaming" and top:
        o["timestamp_ms"] = str((p.id >> 22) + TWEPOCH)
    return o


# ---------------------------------------------------------------------------
# Timeline generation
# ---------------------------------------------------------------------------

DIURNAL = [1.3, 1.4, 1.4, 1.3, 1.1, 0.9, 0.7, 0.5, 0.4, 0.35, 0.35, 0.4, 0.5, 0.6, 0.75,
           0.85, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3]
WLM_HOURLY = [40, 55, 75, 95, 112, 122, 104, 84, 60, 45, 35, 30, 30, 34, 40, 46, 50, 48, 42,
              36, 30, 24, 20, 16]


def sample_times(start, end, n, wfun):
    mins = int((end - start).total_seconds() // 60)
    grid = [start + dt.timedelta(minutes=i) for i in range(mins)]
    weights = [wfun(g) for g in grid]
    picks = R.choices(range(mins), weights=weights, k=n)
    return sorted(grid[i] + dt.timedelta(seconds=R.randrange(60)) for i in picks)


def is_fancam_post(p):
    return any(m["type"] in ("video", "animated_gif") for m in p.media) and p.user["role"] in ("stan", "stan_ko", "fanhub")


def reply_key(target):
    if target.kind == "reply" and R.random() < 0.6:
        return "thread"
    if target.group in GROUP_REPLYKEY:
        return GROUP_REPLYKEY[target.group]
    if target.user["role"] in ("news", "news_ko"):
        return "news"
    if is_fancam_post(target):
        return "fancam"
    if target.group == "protest":
        return "protest"
    return "generic"


def quote_key(target):
    if target.group in ("stmt", "dpd", "wlm_genuine"):
        return target.group
    if target.group == "outage_dpd":
        return "outage"
    if target.user["role"] in ("news", "news_ko"):
        return "news"
    return "generic"


class Segment:
    def __init__(self, name, start, end, n, wfun, topics, roles, kinds=(0.30, 0.08, 0.12),
                 affinity=None, window_h=36):
        self.name = name
        self.start, self.end, self.n = start, end, n
        self.wfun = wfun
        self.topics = topics          # function t -> list of (weight, topic)
        self.roles = roles            # function topic -> role list
        self.kinds = kinds
        self.affinity = affinity or (lambda tgt, kind: 1.0)
        self.window_h = window_h
        self.posts = []


TOPIC_ROLES = {
    "protest": [("public", 6), ("stan", 2), ("stan_ko", 1)],
    "protest_ko": [("stan_ko", 1)],
    "protest_news": [("news", 1)],
    "protest_news_ko": [("news_ko", 1)],
    "iwatch": [("stan", 8), ("public", 1)],
    "iwatch_ko": [("stan_ko", 1)],
    "outage": [("stan", 6), ("public", 2)],
    "outage_ko": [("stan_ko", 1)],
    "outage_news": [("news", 1)],
    "blackout": [("public", 4), ("stan", 5)],
    "blackout_ko": [("stan_ko", 1)],
    "wlm_early": [("stan", 1)],
    "wlm_early_ko": [("stan_ko", 1)],
    "wlm": [("stan", 1)],
    "wlm_ko": [("stan_ko", 1)],
    "wlm_genuine": [("genuine", 1)],
    "wlm_news": [("news", 1)],
    "wlm_news_ko": [("news_ko", 1)],
    "wow": [("stan", 1)],
    "wow_ko": [("stan_ko", 1)],
    "wow_genuine": [("genuine", 1)],
    "other": [("stan", 8), ("public", 2)],
    "other_ko": [("stan_ko", 1)],
    "other_news": [("news", 1)],
    "stmt_misc": [("stan", 5), ("fanhub", 1)],
    "stmt_misc_ko": [("stan_ko", 1)],
    "stmt_news": [("news", 1)],
    "stmt_news_ko": [("news_ko", 1)],
    "match": [("stan", 6), ("public", 1)],
    "match_ko": [("stan_ko", 1)],
}


def split_lang(name):
    """TPL[name] split into (non-ko, ko) template lists."""
    lst = TPL[name]
    return [x for x in lst if x[1] != "ko"], [x for x in lst if x[1] == "ko"]


def gen_original(seg, t, topic):
    base = topic
    ko = False
    if topic.endswith("_ko") and topic not in TPL:
        base = topic[:-3]
        ko = True
    lst = TPL[base]
    nonko, kos = [x for x in lst if x[1] != "ko"], [x for x in lst if x[1] == "ko"]
    cand = kos if ko else nonko
    if not cand:
        cand = lst
    entry = choose_tpl(cand)
    user = pick_acct(TOPIC_ROLES[topic])
    group = base.replace("_ko", "")
    if base in ("protest_news", "protest_news_ko"):
        group = "protest"
    if base in ("wlm_news", "wlm_early"):
        group = "wlm"
    if base in ("outage_news",):
        group = "outage"
    if base in ("stmt_news", "stmt_news_ko", "stmt_misc"):
        group = "stmt_talk"
    if base in ("other_news",):
        group = "other"
    return new_original(t, user, entry, group)


def eligible(seg, t, kind):
    lo = t - dt.timedelta(hours=seg.window_h)
    hi = t - dt.timedelta(seconds=20)
    out = []
    for q in ALL_POSTS:
        if q.kind == "retweet" or not (lo <= q.t <= hi or (q.group == "stmt" and q.t <= hi)):
            continue
        if kind == "quote" and q.kind == "reply":
            continue
        out.append(q)
    return out


def pick_target(seg, t, kind):
    cands = eligible(seg, t, kind)
    if not cands:
        return None
    ws = []
    for q in cands:
        w = (q.pop + 0.5) ** (0.75 if kind == "retweet" else 0.5) * seg.affinity(q, kind)
        if kind == "reply" and q.kind == "reply":
            w *= 1.5
        ws.append(w)
    if sum(ws) <= 0:
        return None
    return R.choices(cands, weights=ws)[0]


def role_for_interaction(seg, t):
    tw = seg.topics(t)
    topic = R.choices([x[1] for x in tw], weights=[x[0] for x in tw])[0]
    roles = TOPIC_ROLES[topic]
    if topic.endswith("_news") or topic.endswith("_news_ko") or topic in ("wlm_genuine", "wow_genuine"):
        roles = [("stan", 5), ("public", 2), ("stan_ko", 1)]
    return pick_acct(roles), topic


def gen_segment(seg):
    times = sample_times(seg.start, seg.end, seg.n, seg.wfun)
    p_rt, p_q, p_r = seg.kinds
    for t in times:
        x = R.random()
        kind = "original"
        if x < p_rt:
            kind = "retweet"
        elif x < p_rt + p_q:
            kind = "quote"
        elif x < p_rt + p_q + p_r:
            kind = "reply"
        target = pick_target(seg, t, kind) if kind != "original" else None
        if kind != "original" and target is None:
            kind = "original"
        if kind == "original":
            tw = seg.topics(t)
            topic = R.choices([x[1] for x in tw], weights=[x[0] for x in tw])[0]
            seg.posts.append(gen_original(seg, t, topic))
            continue
        user, topic = role_for_interaction(seg, t)
        if user is target.user and kind == "retweet":
            user, topic = role_for_interaction(seg, t)
        if kind == "retweet":
            p = Post(t, user, "retweet", target.lang, target.group)
            p.rt_of = target
            p.pop = 0
        elif kind == "quote":
            lst = QUOTE_TPL[quote_key(target)]
            entry = choose_tpl(lst)
            p = Post(t, user, "quote", entry[1], "quote_" + target.group)
            set_text(p, entry, make_ctx(t))
            p.quote_of = target
        else:
            lst = REPLY_TPL[reply_key(target)]
            entry = choose_tpl(lst)
            p = Post(t, user, "reply", entry[1], "reply_" + target.group)
            set_text(p, entry, make_ctx(t))
            p.reply_to = target
            pre = []
            if target.user is not user:
                pre.append(target.user)
            for a in target.prefix:
                if a is not user and a not in pre and len(pre) < 2:
                    pre.append(a)
            p.prefix = pre
            if is_fancam_post(p) and not p.group.startswith("reply_fancam"):
                pass
        if p.kind != "retweet" and is_fancam_post(p) and p.group == "reply_dpd":
            p.group = "fancam"
        ALL_POSTS.append(p)
        seg.posts.append(p)
    seg.posts.sort(key=lambda q: q.id)


# --- fixed posts of the story ---------------------------------------------

def fixed(t, user, text, lang, group, media=None, pop=None, ctx=None):
    p = Post(T(t), user, "original", lang, group)
    set_text(p, (1, lang, text, media), ctx or make_ctx(T(t)))
    if pop is not None:
        p.pop = pop
    ALL_POSTS.append(p)
    return p


def viral_fancam(key, t, user, text, lang, kind="video", pop=800.0, member=None, reply_to=None):
    ctx = make_ctx(T(t))
    if member:
        ctx["member"] = member
    p = Post(T(t), user, "reply" if reply_to else "original", lang,
             "wlm" if T(t) >= T("2020-06-02 12:00:00") else "fancam")
    set_text(p, (1, lang, text, None), ctx)
    if reply_to:
        p.reply_to = reply_to
        p.prefix = [reply_to.user]
    m = media_video(p.t, dur=R.randrange(30000, 60000)) if kind == "video" else media_gif(p.t)
    p.media = [m]
    p.media_tco = tco()
    p.media_disp = "pic.twitter.com/" + rstr(10)
    p.pop = pop
    VIRAL[key] = (p, m)
    ALL_POSTS.append(p)
    return p


def main_generate():
    segs = []

    # ---- 26-30 May: protests -------------------------------------------------
    p_news1 = fixed("2020-05-26 17:04:12", NEWS[3],
                    "Crowds are gathering at the intersection where George Floyd was arrested. Demonstrators are calling for the officers involved to be charged. $U_news_protest",
                    "en", "protest", "photos", pop=420)
    fixed("2020-05-27 02:31:50", NEWS[0],
          "BREAKING: Protesters and police clash in Minneapolis for a second night after the death of George Floyd in police custody. $U_news_protest",
          "en", "protest", "photo", pop=900)
    fixed("2020-05-29 05:12:33", NEWS[3],
          "A police precinct building is on fire in Minneapolis. Our team is on the scene. $U_news_protest",
          "en", "protest", "video", pop=1300)
    seg = Segment(
        "protests", T("2020-05-26 00:00:00"), T("2020-05-31 00:00:00"), 280,
        lambda g: DIURNAL[g.hour] * [0.35, 0.6, 1.0, 1.4, 1.8][(g.date() - dt.date(2020, 5, 26)).days],
        lambda t: [(76, "protest"), (6, "protest_ko"), (10, "protest_news"), (1, "protest_news_ko")],
        None,
        affinity=lambda q, k: 1.0)
    segs.append(seg)
    gen_segment(seg)

    # ---- 31 May - 1 June: iWatch Dallas --------------------------------------
    DPD_T = T("2020-05-31 14:20:07")
    OUT_T = T("2020-06-01 05:41:13")
    dpd_post = fixed("2020-05-31 14:20:07", DPD,
                     "Have video of illegal activity during the protests? Send it to us through the iWatch Dallas app. You can submit anonymously. $U_dpd",
                     "en", "dpd", None, pop=2600)
    viral_fancam("fancam1", "2020-05-31 16:02:41", ROLES["stan"][0],
                 "here's my submission for iWatch Dallas: $M fancam, illegal amounts of talent \U0001F49C",
                 "en", "video", pop=1900, member=("SEPTET", "JADE", "\uc81c\uc774\ub4dc"),
                 reply_to=dpd_post)
    fixed("2020-05-31 18:40:02", NEWS[2],
          "Dallas police ask the public to submit protest videos through the iWatch Dallas app. $U_dpd",
          "en", "news", None, pop=300)
    outage = fixed("2020-06-01 05:41:13", DPD,
                   "Due to technical difficulties the iWatch Dallas app is temporarily unavailable. We are working to restore it.",
                   "en", "outage_dpd", None, pop=2100)
    fixed("2020-06-01 07:15:55", NEWS[2],
          "The iWatch Dallas app is offline after K-pop fans flooded it with fancams in response to a police request for protest videos. $U_news_iwatch",
          "en", "outage", "photo", pop=1100)
    fixed("2020-06-01 09:02:10", NEWS_KO,
          "\ub308\ub7ec\uc2a4 \uacbd\ucc30 \uc81c\ubcf4 \uc571, \ucf00\uc774\ud31d \ud32c\ub4e4\uc758 '\uc9c1\ucea0' \uc138\ub840\uc5d0 \uba3c\ud1b5 $U_news_ko",
          "ko", "outage", "photo", pop=200)

    def iw_topics(t):
        if t < DPD_T:
            return [(75, "protest"), (5, "protest_ko"), (8, "protest_news")]
        if t < OUT_T:
            return [(55, "iwatch"), (6, "iwatch_ko"), (25, "protest"), (4, "protest_news")]
        return [(40, "outage"), (4, "outage_ko"), (6, "outage_news"), (12, "iwatch"), (30, "protest")]

    def iw_aff(q, k):
        if q.group in ("dpd", "outage_dpd"):
            return 6.0 if k != "retweet" else 2.0
        return 1.0

    seg = Segment(
        "iwatch", T("2020-05-31 00:00:00"), T("2020-06-02 00:00:00"), 300,
        lambda g: DIURNAL[g.hour] * (3.2 if DPD_T <= g < OUT_T + dt.timedelta(hours=12) else 1.0),
        iw_topics, None, affinity=iw_aff)
    segs.append(seg)
    gen_segment(seg)

    # ---- 2 June: Blackout Tuesday --------------------------------------------
    black = fixed("2020-06-02 04:12:09", pick_acct([("public", 1)]), "$BT", "und", "blackout", None, pop=650)
    bm = media_photo(black.t, BLACK_ALT)
    black.media = [bm]
    black.media_tco = tco()
    black.media_disp = "pic.twitter.com/" + rstr(10)
    VIRAL["black"] = (black, bm)
    viral_fancam("fancam2", "2020-06-02 21:48:30", HUB,
                 "$WLM is trending so here's $M's legendary stage fancam. flood it \U0001F49C $BLM",
                 "en", "video", pop=2400, member=("SEPTET", "ECHO", "\uc5d0\ucf54"))

    def bo_topics(t):
        if t.hour >= 20:
            return [(45, "blackout"), (4, "blackout_ko"), (35, "wlm_early"), (3, "wlm_early_ko"), (6, "protest")]
        return [(70, "blackout"), (6, "blackout_ko"), (14, "protest")]

    seg = Segment("blackout", T("2020-06-02 00:00:00"), T("2020-06-03 00:00:00"), 195,
                  lambda g: DIURNAL[g.hour] * (1.6 if g.hour >= 12 else 1.0),
                  bo_topics, None)
    segs.append(seg)
    gen_segment(seg)

    # ---- 3 June: the flood ---------------------------------------------------
    viral_fancam("gif", "2020-06-03 00:37:12", pick_acct([("stan", 1)]),
                 "$E $WLM", "und", "gif", pop=1500)
    genuine_seed = []
    for tt in ["2020-06-03 01:12:40", "2020-06-03 03:55:02", "2020-06-03 06:20:18",
               "2020-06-03 15:41:09"]:
        entry = choose_tpl(TPL["wlm_genuine"])
        g = new_original(T(tt), pick_acct([("genuine", 1)]), entry, "wlm_genuine")
        g.pop = R.uniform(8, 30)
        genuine_seed.append(g)
    fixed("2020-06-03 14:02:11", NEWS[1],
          "K-pop fans have flooded the $WLM hashtag with fancams and messages of support for Black Lives Matter, drowning out racist posts. $U_news_wlm",
          "en", "news", "photo", pop=1600)
    fixed("2020-06-03 08:30:00", NEWS_KO,
          "\ucf00\uc774\ud31d \ud32c\ub4e4, \uc778\uc885\ucc28\ubcc4 \ud574\uc2dc\ud0dc\uadf8\ub97c \uc9c1\ucea0\uc73c\ub85c \ub36e\ub2e4\u2026 $WLM \ud0dc\uadf8 \uc7a5\uc545 $U_news_ko",
          "ko", "news", "photo", pop=250)

    def wlm_topics(t):
        return [(60, "wlm"), (6, "wlm_ko"), (5, "wlm_genuine"), (2, "wlm_news"), (1, "wlm_news_ko")]

    def wlm_aff(q, k):
        if q.group == "wlm_genuine":
            return 25.0 if k in ("reply", "quote") else 0.3
        if q.group in ("wlm", "fancam") or q.group.startswith(("reply_wlm", "quote_wlm")):
            return 4.0
        if q.group == "news":
            return 2.0
        return 0.3

    seg = Segment("wlm", T("2020-06-03 00:00:00"), T("2020-06-04 00:00:00"), 680,
                  lambda g: WLM_HOURLY[g.hour], wlm_topics, None, affinity=wlm_aff, window_h=30)
    segs.append(seg)
    gen_segment(seg)

    def wow_topics(t):
        return [(70, "wow"), (6, "wow_ko"), (5, "wow_genuine")]

    def wow_aff(q, k):
        return 4.0 if q.group in ("wow", "wow_genuine") else 0.5

    seg = Segment("wow", T("2020-06-03 00:00:00"), T("2020-06-04 00:00:00"), 215,
                  lambda g: DIURNAL[(g.hour + 2) % 24] + 0.3, wow_topics, None, affinity=wow_aff,
                  window_h=24)
    segs.append(seg)
    gen_segment(seg)

    def oth_topics(t):
        return [(70, "other"), (6, "other_ko"), (4, "other_news")]

    def oth_aff(q, k):
        return 4.0 if q.group in ("other",) else 0.6

    seg = Segment("other", T("2020-06-03 00:00:00"), T("2020-06-04 00:00:00"), 250,
                  lambda g: DIURNAL[g.hour] + 0.2, oth_topics, None, affinity=oth_aff, window_h=24)
    segs.append(seg)
    gen_segment(seg)

    # ---- 4-7 June: the statement ---------------------------------------------
    ST = T("2020-06-04 03:16:44")
    stmt = fixed("2020-06-04 03:16:44", BAND, STATEMENT_TEXT, "ko", "stmt", None, pop=120000)
    stmt.source = SRC_WEB
    trans = Post(T("2020-06-04 03:29:31"), TRANS, "quote", "en", "stmt")
    set_text(trans, (1, "en", TRANS_TEXT, None), make_ctx(trans.t))
    trans.quote_of = stmt
    trans.pop = 9000
    ALL_POSTS.append(trans)
    fixed("2020-06-04 05:48:20", NEWS[4],
          "SEPTET posted a statement in support of Black Lives Matter: \"We stand against all forms of racism and violence.\" $U_news_stmt",
          "en", "news", "photo", pop=2200)
    fixed("2020-06-06 02:10:09", NEWS[4],
          "Fans of SEPTET say they matched the band's 1 million dollar donation to Black Lives Matter causes in about a day. #MatchAMillion $U_news_stmt",
          "en", "news", "photo", pop=1800)

    def st_topics(t):
        base = [(10, "protest"), (4, "other"), (3, "wlm")]
        if t >= ST:
            h = (t - ST).total_seconds() / 3600.0
            f = math.exp(-h / 20.0)
            base += [(int(60 * f) + 8, "stmt_misc"), (int(6 * f) + 2, "stmt_misc_ko"),
                     (4, "stmt_news"), (2, "stmt_news_ko")]
        if t >= T("2020-06-05 20:00:00"):
            base += [(30, "match"), (4, "match_ko")]
        return base

    def st_aff(q, k):
        if q.group == "stmt":
            return 1.0
        if q.group.startswith("stmt") or q.group in ("match", "news"):
            return 2.0
        return 0.6

    seg = Segment("statement", T("2020-06-04 00:00:00"), T("2020-06-08 00:00:00"), 600,
                  lambda g: DIURNAL[g.hour] * ((1.0 + 7.0 * math.exp(-(g - ST).total_seconds() / 36000.0)) if g >= ST else 0.9)
                  * (1.5 if T("2020-06-05 20:00:00") <= g < T("2020-06-07 06:00:00") else 1.0),
                  st_topics, None, kinds=(0.36, 0.09, 0.12), affinity=st_aff, window_h=40)
    segs.append(seg)
    gen_segment(seg)
    return {s.name: s for s in segs}, stmt


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

def dumps_line(o, style):
    if style == "raw":          # as Twitter's stream sent it: compact, ASCII, escaped slashes
        return json.dumps(o, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")
    return json.dumps(o, ensure_ascii=False)


def jsonl(records, style="py"):
    return "".join(dumps_line(o, style) + "\n" for o in records).encode("utf-8")


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(data)
    return buf.getvalue()


def write(path, data):
    full = os.path.join(DATA, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    tmp = full + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, full)


def by_time(posts):
    return sorted(posts, key=lambda q: q.id)


def build_files():
    segs, stmt = main_generate()

    def in_window(a, b, name):
        return [p for p in ALL_POSTS if T(a) <= p.t < T(b) and p in SEGSET[name]]

    SEGSET = {k: set(v.posts) for k, v in segs.items()}
    # the fixed posts belong to the file of their time window
    fixed_posts = [p for p in ALL_POSTS if not any(p in s for s in SEGSET.values())]
    for p in fixed_posts:
        if p.t < T("2020-05-31 00:00:00"):
            SEGSET["protests"].add(p)
        elif p.t < T("2020-06-02 00:00:00"):
            SEGSET["iwatch"].add(p)
        elif p.t < T("2020-06-03 00:00:00"):
            SEGSET["blackout"].add(p)
        elif p.t < T("2020-06-04 00:00:00"):
            SEGSET["wlm"].add(p)
        else:
            SEGSET["statement"].add(p)

    # a hashtag search only returns posts carrying the tag (in the post or in the
    # retweeted original): the rest of the day goes to the "other" member
    def carries(p, tag):
        q = p.rt_of or p
        return tag in q.body.lower()
    for seg, tag in (("wlm", "#whitelivesmatter"), ("wow", "#whiteoutwednesday")):
        for p in sorted(SEGSET[seg], key=lambda q: q.id):
            if not carries(p, tag):
                SEGSET[seg].discard(p)
                SEGSET["other"].add(p)

    C = {
        "protests": T("2020-05-31 02:00:00"),
        "blackout": T("2020-06-03 01:00:00"),
        "wlm": T("2020-06-04 00:30:00"),
        "other": T("2020-06-04 00:40:00"),
        "statement": T("2020-06-08 00:10:00"),
    }
    MODE = {"protests": "extended", "iwatch": "streaming", "blackout": "compat",
            "wlm": "extended", "wow": "streaming", "other": "compat", "statement": "extended"}

    # --- the duplicate and the changed records -------------------------------
    wlm_posts = by_time(SEGSET["wlm"])
    late_wlm = [p for p in wlm_posts if p.t >= T("2020-06-03 22:00:00") and p.kind in ("original", "reply")]
    dup_wlm = [late_wlm[1], late_wlm[-2]]
    chg_wlm = [p for p in wlm_posts if p.kind == "original" and p.group == "wlm" and
               any(m["type"] == "video" for m in p.media) and
               T("2020-06-03 10:00:00") <= p.t < T("2020-06-03 20:00:00")][3]
    bo_posts = by_time(SEGSET["blackout"])
    late_bo = [p for p in bo_posts if p.t >= T("2020-06-02 22:00:00") and p.kind in ("original", "quote")]
    dup_bo = [late_bo[0], late_bo[-1]]
    chg_bo = [p for p in bo_posts if p.kind == "original" and p.group == "blackout" and
              p.t < T("2020-06-02 18:00:00") and p.media][5]
    for p in (chg_wlm, chg_bo):
        p.pop = max(p.pop, 40.0)

    rendered = {}

    def rec(p, seg, C_):
        key = (p.id, seg)
        if key not in rendered:
            rendered[key] = render(p, MODE[seg], C_)
        return rendered[key]

    def recs(seg, C_, extra=()):
        ps = by_time(SEGSET[seg])
        out = [rec(p, seg, C_) for p in ps]
        return out

    files = []          # (path, member or None, list of records, serialisation)
    protests = recs("protests", C["protests"])
    iwatch = recs("iwatch", None)
    # streaming: C is ignored at the top level; embedded counts use the post time
    iwatch = [render(p, "streaming", p.t) for p in by_time(SEGSET["iwatch"])]
    blackout = recs("blackout", C["blackout"])
    wlm = recs("wlm", C["wlm"])
    wow = [render(p, "streaming", p.t) for p in by_time(SEGSET["wow"])]
    other = recs("other", C["other"])
    statement = recs("statement", C["statement"])

    # dups: same object written twice
    d_wlm = [rendered[(p.id, "wlm")] for p in dup_wlm]
    d_bo = [rendered[(p.id, "blackout")] for p in dup_bo]
    c_wlm2 = render(chg_wlm, "extended", C["statement"])
    c_bo2 = render(chg_bo, "compat", C["other"])
    assert c_wlm2 != rendered[(chg_wlm.id, "wlm")] and c_bo2 != rendered[(chg_bo.id, "blackout")]
    other = sorted(other + d_bo + [c_bo2], key=lambda o: o["id"])
    statement = sorted(statement + d_wlm + [c_wlm2], key=lambda o: o["id"])
    stmt_obj = rendered[(stmt.id, "statement")]

    out = [
        ("2020-05-26_2020-05-30_protests.jsonl", None, protests, "py"),
        ("2020-05-31_2020-06-01_iwatchdallas.jsonl.gz", None, iwatch, "raw"),
        ("2020-06-02_blackouttuesday.json", None, blackout, "array"),
        ("2020-06-03_collection.zip", "whitelivesmatter/2020-06-03.jsonl", wlm, "py"),
        ("2020-06-03_collection.zip", "whiteoutwednesday/2020-06-03.jsonl", wow, "raw"),
        ("2020-06-03_collection.zip", "other/2020-06-03_other.jsonl.gz", other, "py"),
        ("2020-06-04_2020-06-07_statement.jsonl.gz", None, statement, "py"),
        ("single/statement_original.json", None, [stmt_obj], "single"),
    ]

    # write
    os.makedirs(DATA, exist_ok=True)
    write(out[0][0], jsonl(protests, "py"))
    write(out[1][0], gz(jsonl(iwatch, "raw")))
    write(out[2][0], (json.dumps(blackout, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        for name, data in [("whitelivesmatter/2020-06-03.jsonl", jsonl(wlm, "py")),
                           ("whiteoutwednesday/2020-06-03.jsonl", jsonl(wow, "raw")),
                           ("other/2020-06-03_other.jsonl.gz", gz(jsonl(other, "py")))]:
            zi = zipfile.ZipInfo(name, date_time=(2020, 6, 10, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 3
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    write(out[3][0], zbuf.getvalue())
    write(out[6][0], gz(jsonl(statement, "py")))
    write(out[7][0], (json.dumps(stmt_obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return out


# ---------------------------------------------------------------------------
# Ground truth, computed by reading back what was written
# ---------------------------------------------------------------------------

COUNTER_TAGS = ["blacklivesmatter", "blm", "\ube14\ub799\ub77c\uc774\ube0c\uc2a4\ub9e4\ud130",
                "justiceforgeorgefloyd", "blacklivesmatters"]
FILE_ORDER = [
    ("2020-05-26_2020-05-30_protests.jsonl", None),
    ("2020-05-31_2020-06-01_iwatchdallas.jsonl.gz", None),
    ("2020-06-02_blackouttuesday.json", None),
    ("2020-06-03_collection.zip", "whitelivesmatter/2020-06-03.jsonl"),
    ("2020-06-03_collection.zip", "whiteoutwednesday/2020-06-03.jsonl"),
    ("2020-06-03_collection.zip", "other/2020-06-03_other.jsonl.gz"),
    ("2020-06-04_2020-06-07_statement.jsonl.gz", None),
    ("single/statement_original.json", None),
]


FILE_INFO = {
    "2020-05-26_2020-05-30_protests.jsonl":
        ("extended", "JSON lines, UTF-8, Python json.dumps separators"),
    "2020-05-31_2020-06-01_iwatchdallas.jsonl.gz":
        ("streaming", "gzip of JSON lines as the stream sent them: compact, \\uXXXX escapes (surrogate pairs), escaped slashes \\/"),
    "2020-06-02_blackouttuesday.json":
        ("compat", "one pretty-printed JSON array (indent 2), UTF-8"),
    "whitelivesmatter/2020-06-03.jsonl":
        ("extended", "zip member, JSON lines, UTF-8"),
    "whiteoutwednesday/2020-06-03.jsonl":
        ("streaming", "zip member, JSON lines, compact, \\uXXXX escapes, escaped slashes"),
    "other/2020-06-03_other.jsonl.gz":
        ("compat", "zip member that is itself gzip of JSON lines, UTF-8"),
    "2020-06-04_2020-06-07_statement.jsonl.gz":
        ("extended", "gzip of JSON lines, UTF-8"),
    "single/statement_original.json":
        ("extended", "one pretty-printed JSON object (indent 2), UTF-8"),
}


def read_back():
    """Yield (path, member, position, record_bytes, obj) in FILE_ORDER."""
    out = []
    zcache = {}
    for path, member in FILE_ORDER:
        with open(os.path.join(DATA, path), "rb") as f:
            raw = f.read()
        if member:
            if path not in zcache:
                zcache[path] = zipfile.ZipFile(io.BytesIO(raw))
            raw = zcache[path].read(member)
            name = member
        else:
            name = path
        if name.endswith(".gz"):
            raw = gzip.decompress(raw)
        if name.endswith(".jsonl") or name.endswith(".jsonl.gz"):
            for i, line in enumerate(raw.split(b"\n")):
                if line:
                    out.append((path, member, i + 1, line, json.loads(line)))
        else:
            o = json.loads(raw)
            if isinstance(o, list):
                for i, x in enumerate(o):
                    out.append((path, member, i + 1, None, x))
            else:
                out.append((path, member, 1, None, o))
    return out


def decode_text(s):
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def own_text(o):
    if "extended_tweet" in o:
        return o["extended_tweet"]["full_text"]
    return o.get("full_text", o.get("text"))


def own_entities(o):
    if "extended_tweet" in o:
        return o["extended_tweet"]["entities"]
    return o["entities"]


def own_media(o):
    if "extended_tweet" in o:
        return o["extended_tweet"].get("extended_entities", {}).get("media", [])
    if "extended_entities" in o:
        return o["extended_entities"]["media"]
    return o["entities"].get("media", [])


def post_media(o):
    if "retweeted_status" in o:
        return own_media(o["retweeted_status"])
    return own_media(o)


def kind_of(o):
    if "retweeted_status" in o:
        return "repost"
    if "quoted_status" in o or o.get("quoted_status_id_str"):
        return "quote"
    if o.get("in_reply_to_status_id_str"):
        return "reply"
    return "original"


def parse_time(s):
    return dt.datetime.strptime(s, "%a %b %d %H:%M:%S +0000 %Y").replace(tzinfo=UTC)


def mtypes(media):
    m = {"photo": "photo", "video": "video", "animated_gif": "gif"}
    return sorted({m[x["type"]] for x in media})


def truth(outfiles):
    items = read_back()
    per_file = collections.OrderedDict()
    occ = collections.OrderedDict()
    last = {}
    first_canon = {}
    variants = collections.defaultdict(list)
    for path, member, pos, line, o in items:
        key = path + ("!" + member if member else "")
        per_file[key] = per_file.get(key, 0) + 1
        canon = json.dumps(o, sort_keys=True, ensure_ascii=False)
        occ.setdefault(o["id_str"], []).append(
            {"file": path, "member": member, "position": pos,
             "sha256_canonical": hashlib.sha256(canon.encode("utf-8")).hexdigest(),
             "sha256_bytes": hashlib.sha256(line).hexdigest() if line is not None else None})
        variants[o["id_str"]].append(canon)
        last[o["id_str"]] = o
    dup_ids, chg_ids = [], []
    details = {}
    for i, lst in occ.items():
        if len(lst) < 2:
            continue
        if len(set(variants[i])) == 1:
            dup_ids.append(i)
        else:
            chg_ids.append(i)
        details[i] = lst
    changed_fields = {}
    for i in chg_ids:
        a, b = [json.loads(v) for v in variants[i][:2]]
        changed_fields[i] = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))

    uniq = list(last.values())
    uniq.sort(key=lambda o: int(o["id_str"]))
    tags = collections.Counter()
    tags_rt_orig = collections.Counter()
    langs = collections.Counter()
    kinds = collections.Counter()
    media = collections.Counter()
    authors = collections.Counter()
    days = collections.Counter()
    wlm_hours = [{"hour": h, "posts": 0, "with_video_or_gif": 0, "with_counter_hashtag": 0,
                  "with_video_or_gif_or_counter_hashtag": 0} for h in range(24)]
    fancam_posts = 0
    fancam_posts_rt_orig = 0
    wlm_fancam = []
    wlm_fancam_all = 0
    for o in uniq:
        t = parse_time(o["created_at"])
        ht = sorted({h["text"].lower() for h in own_entities(o)["hashtags"]})
        for h in ht:
            tags[h] += 1
        if "retweeted_status" in o:
            ht2 = sorted({h["text"].lower() for h in own_entities(o["retweeted_status"])["hashtags"]})
        else:
            ht2 = ht
        for h in ht2:
            tags_rt_orig[h] += 1
        langs[o["lang"]] += 1
        k = kind_of(o)
        kinds[k] += 1
        mt = mtypes(post_media(o))
        for m in mt or ["none"]:
            media[m] += 1
        authors[o["user"]["screen_name"].lower()] += 1
        days[t.strftime("%Y-%m-%d")] += 1
        text = decode_text(own_text(o))
        has_fancam = "fancam" in text.lower()
        if has_fancam:
            fancam_posts += 1
        text2 = decode_text(own_text(o["retweeted_status"])) if "retweeted_status" in o else text
        if "fancam" in text2.lower():
            fancam_posts_rt_orig += 1
        if "whitelivesmatter" in ht:
            if has_fancam:
                wlm_fancam_all += 1
                if k == "original" and "video" in mt and len(wlm_fancam) < 5:
                    wlm_fancam.append(o["id_str"])
            if t.strftime("%Y-%m-%d") == "2020-06-03":
                row = wlm_hours[t.hour]
                row["posts"] += 1
                vg = ("video" in mt or "gif" in mt)
                ct = any(h in COUNTER_TAGS for h in ht)
                row["with_video_or_gif"] += vg
                row["with_counter_hashtag"] += ct
                row["with_video_or_gif_or_counter_hashtag"] += (vg or ct)

    top_auth = sorted(authors.items(), key=lambda kv: (-kv[1], kv[0]))
    media_urls = collections.Counter()
    for o in uniq:
        for m in own_media(o):
            if "retweeted_status" not in o:
                media_urls[m["media_url_https"]] += 1
    reused = [{"media_url_https": u, "posts": n} for u, n in
              sorted(media_urls.items(), key=lambda kv: (-kv[1], kv[0])) if n > 1]

    files_out = []
    for (path, member) in FILE_ORDER:
        key = path + ("!" + member if member else "")
        mode, ser = FILE_INFO[member or path]
        full = os.path.join(DATA, path)
        with open(full, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        files_out.append({"file": "data/" + path, "member": member, "records": per_file[key],
                          "text_mode": mode, "serialisation": ser,
                          "file_bytes": os.path.getsize(full), "file_sha256": digest})

    tr = collections.OrderedDict()
    tr["about"] = ("Ground truth for the synthetic quire demo corpus, computed by generate.py "
                   "from the files it wrote (read back and parsed). All accounts and posts are fictional.")
    tr["seed"] = SEED
    tr["rules"] = collections.OrderedDict([
        ("file_order", "Files are read in the order of 'files' below (zip members in the order listed). "
                       "'Last version' of a post = its last occurrence in that order."),
        ("record_identity", "A record is identified by id_str. duplicate_ids: ids occurring more than once with "
                            "identical parsed JSON content. changed_ids: ids occurring more than once with different "
                            "content (re-collected later; only engagement counts differ). Byte-identical copies exist "
                            "only between two JSON-lines files; the pretty-printed .json files serialise the same object "
                            "differently."),
        ("positions", "repeated_records[].position is the 1-based line number in a JSON-lines file or member, "
                      "the 1-based element number in the JSON array file, 1 for the single-object file. "
                      "sha256_bytes is the SHA-256 of the line without its newline (null for pretty-printed files); "
                      "sha256_canonical is the SHA-256 of json.dumps(obj, sort_keys=True, ensure_ascii=False)."),
        ("text_modes", "extended: full_text + display_text_range, truncated false. compat: text only, cut to 140 "
                       "weighted characters with '\u2026 https://t.co/...' (truncated true, no media entities) when longer. "
                       "streaming: text as in compat plus extended_tweet {full_text, display_text_range, entities, "
                       "extended_entities} when truncated; top-level counts are 0 (collected live) and timestamp_ms is set. "
                       "Reposts: text is 'RT @handle: ' + original text, cut to 140 with '\u2026' (mid-word) in every mode, "
                       "truncated false; retweet_count is the original's, favorite_count 0."),
        ("ids", "id, in_reply_to_status_id, quoted_status_id, user.id and media ids are JSON numbers, most above 2^53: "
                "parsers that use doubles (jq 1.6 too) corrupt them; use the *_str twins. Tweet ids are snowflakes "
                "whose timestamp ((id >> 22) + 1288834974657 ms) falls in the created_at second."),
        ("unique_posts", "All counts below are over unique posts (last version), top-level records only; "
                         "objects embedded as retweeted_status / quoted_status are not posts of their own."),
        ("kind", "repost if 'retweeted_status' present; else quote if 'quoted_status' (or quoted_status_id_str) present; "
                 "else reply if in_reply_to_status_id_str is non-null; else original."),
        ("hashtags", "Lower-cased 'text' of the post's own hashtag entities, counted once per post: "
                     "extended_tweet.entities when the record has extended_tweet (streaming mode), else entities. "
                     "For reposts this is the repost object's own entities (which carry the original's hashtags "
                     "only as far as the truncated 'RT @x: ...' text reaches). "
                     "'hashtags_reposts_use_original' uses, for reposts only, the retweeted_status's own entities by the same rule."),
        ("media", "Types of the post's media, counted once per type present (photo, video, gif = animated_gif, "
                  "none when no media): extended_tweet.extended_entities.media, else extended_entities.media, else "
                  "entities.media. For reposts the media of retweeted_status (same rule), because a repost carries "
                  "the original's media. Compat-mode records cut with '\u2026 https://t.co/...' carry no media at all."),
        ("text", "The post's own text: extended_tweet.full_text, else full_text, else text; then decode exactly "
                 "three HTML entities: &lt; &gt; &amp; (in that order). For reposts this is the 'RT @x: ...' text."),
        ("fancam_posts", "Posts whose text (rule above) contains the substring 'fancam', case-insensitive "
                         "(so 'fancams' and '#fancam' count; Korean '\uc9c1\ucea0' does not). "
                         "'fancam_posts_reposts_use_original' uses for reposts the retweeted_status's text."),
        ("day_hour", "created_at of the top-level record (for a repost, the time of the repost), UTC."),
        ("whitelivesmatter_by_hour", "Posts of 2020-06-03 UTC whose hashtags (rule above) include "
                                     "'whitelivesmatter', by hour; with_video_or_gif by the media rule; "
                                     "with_counter_hashtag if a hashtag is in counter_hashtags."),
        ("example_whitelivesmatter_fancam", "The 5 lowest ids among originals with hashtag whitelivesmatter, text "
                                            "containing 'fancam' and a video. whitelivesmatter_fancam_posts counts "
                                            "all posts (any kind) with that hashtag and that text, media not required."),
        ("entity_indices", "Entity indices and display_text_range count Unicode code points of the text "
                           "AFTER decoding &amp; &lt; &gt;, as Twitter's did (so on the raw escaped text "
                           "they are off after an '&amp;')."),
        ("authors_top20", "Sorted by count descending, then screen_name ascending."),
    ])
    tr["counter_hashtags"] = COUNTER_TAGS
    tr["files"] = files_out
    tr["total_records"] = len(items)
    tr["unique_posts"] = len(uniq)
    tr["duplicate_ids"] = dup_ids
    tr["changed_ids"] = chg_ids
    tr["changed_fields"] = changed_fields
    tr["repeated_records"] = details
    tr["kinds"] = dict(sorted(kinds.items()))
    tr["langs"] = dict(sorted(langs.items()))
    tr["media"] = dict(sorted(media.items()))
    tr["hashtags"] = dict(sorted(tags.items(), key=lambda kv: (-kv[1], kv[0])))
    tr["hashtags_reposts_use_original"] = dict(sorted(tags_rt_orig.items(), key=lambda kv: (-kv[1], kv[0])))
    tr["days"] = dict(sorted(days.items()))
    tr["authors_top20"] = [{"screen_name": a, "posts": n} for a, n in top_auth[:20]]
    tr["authors_distinct"] = len(authors)
    tr["whitelivesmatter_2020_06_03_by_hour"] = wlm_hours
    tr["whitelivesmatter_2020_06_03_total"] = sum(r["posts"] for r in wlm_hours)
    tr["fancam_posts"] = fancam_posts
    tr["fancam_posts_reposts_use_original"] = fancam_posts_rt_orig
    tr["whitelivesmatter_fancam_posts"] = wlm_fancam_all
    tr["example_whitelivesmatter_fancam"] = wlm_fancam
    tr["reused_media"] = reused[:10]
    tr["statement_id"] = json.loads(open(os.path.join(DATA, "single/statement_original.json"), encoding="utf-8").read())["id_str"]
    return tr


def main():
    out = build_files()
    tr = truth(out)
    with open(os.path.join(HERE, "TRUTH.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(tr, ensure_ascii=False, indent=2) + "\n")
    print("wrote %d records (%d unique posts) to %s" % (tr["total_records"], tr["unique_posts"], DATA))


if __name__ == "__main__":
    main()
