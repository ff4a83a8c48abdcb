# Untrusted text on the way out: control characters, ANSI escapes (CSI,
# OSC), bidi overrides, C1 controls and carriage returns from posts, file
# names and corpus paths never reach a terminal raw (messages, the text
# printer, show, check); JSON output is valid and carries them escaped.
. tests/cli/lib.sh

command -v python3 >/dev/null 2>&1 || { skip "untrusted text" "python3 is not installed"; exit 0; }

# Counts raw control bytes, C1 controls and bidi controls in a file
# (newlines and tabs allowed; with ALLOW_STYLE, quire's own colour codes).
cat >"$T/raw.py" <<'EOF'
import os, re, sys
data = open(sys.argv[1], 'rb').read()
if os.environ.get('ALLOW_STYLE'):
    data = re.sub(rb'\x1b\[(?:1|2|36|33|1;4|0)m', b'', data)
bad = re.findall(rb'[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c', data)
print(len(bad))
EOF
raw() { python3 "$T/raw.py" "$1"; }
clean() { # desc file
	cnt=$(raw "$2")
	if [ "$cnt" -eq 0 ]; then ok "$1"; else not_ok "$1 ($cnt raw control sequences)" "$(od -c "$2" | head -8)"; fi
}

EVIL='\u001b[31mRED\u001b[0m \u001b]0;pwned\u0007 \r\u202eevil\u202c \u009b31m \u007f \u2066iso\u2069'
# A corpus path and an input name with an escape sequence, a carriage
# return and a bidi override in them.
C="$T/corpus$(printf '\033[2J\r\342\200\256')dir"
IN="$T/in$(printf '\033]0;title\007\r')put.jsonl"
printf '{"created_at":"Wed Jun 03 14:05:11 +0000 2020","id_str":"1268170000000000077","text":"%s #tag","user":{"id_str":"1","screen_name":"ev\\u001b[1mil","name":"%s"},"lang":"e\\u001bn","place":{"full_name":"%s"},"entities":{"hashtags":[{"text":"ta\\u001b[5mg"}],"urls":[{"url":"https://t.co/x","expanded_url":"https://example.org/\\u001b[31m"}],"media":[{"type":"photo","ext_alt_text":"%s"}]}}\n' \
	"$EVIL" "$EVIL" "$EVIL" "$EVIL" >"$IN"
# A rejected record, so that the message names the file.
printf '{"id_str":"1268170000000000078","text":"\\u001b[31m"}\n' >>"$IN"
# A record whose bytes hold a raw ESC and a raw bidi override (cJSON takes
# them inside strings): for show --raw on a terminal.
printf '{"created_at":"Wed Jun 03 14:05:11 +0000 2020","id_str":"1268170000000000079","text":"raw \033[31m esc \342\200\256 bidi","user":{"id_str":"1","screen_name":"a"}}\n' >>"$IN"

"$QUIRE" ingest -c "$C" "$IN" >"$T/out" 2>"$T/err"
clean "ingest messages escape the corpus path and the input name" "$T/err"
grep -q 'in\\e\]0;title\\x07\\rput.jsonl' "$T/err" && ok "the input name is shown escaped" ||
	not_ok "the input name is shown escaped" "$(cat "$T/err")"

"$QUIRE" search -c "$C" --color never -n 5 tag >"$T/text" 2>&1
grep -q 'RED' "$T/text" && clean "the text printer escapes the post (no colour)" "$T/text" ||
	not_ok "the text printer shows the post" "$(cat "$T/text")"
"$QUIRE" search -c "$C" --color always -n 5 tag >"$T/color" 2>&1
ALLOW_STYLE=1 clean "the text printer escapes the post (colour: only its own codes)" "$T/color"
"$QUIRE" search -c "$C" --explain -n 5 'tag' >/dev/null 2>"$T/explain"
clean "--explain escapes" "$T/explain"

for f in json jsonl; do
	"$QUIRE" search -c "$C" -f $f -n 5 tag >"$T/$f" 2>&1
	clean "search -f $f carries no raw control characters" "$T/$f"
	if command -v jq >/dev/null 2>&1; then
		jq -e . "$T/$f" >/dev/null 2>&1 && ok "search -f $f is valid JSON" || not_ok "search -f $f is valid JSON" "$(head -c 600 "$T/$f")"
	fi
done
python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["results"][0]["post"]; sys.exit(0 if "\x1b]0;pwned\x07" in p["text"] and "\u202e" in p["text"] else 1)' "$T/json" &&
	ok "the JSON keeps the characters (escaped, not lost)" || not_ok "the JSON keeps the characters"

"$QUIRE" show -c "$C" 1268170000000000077 >"$T/show" 2>&1
clean "show escapes" "$T/show"
"$QUIRE" show -c "$C" --verify 1268170000000000077 >"$T/verify" 2>&1
clean "show --verify escapes" "$T/verify"
# --raw: the exact bytes into a pipe...
"$QUIRE" show -c "$C" --raw 1268170000000000077 >"$T/rawout" 2>&1
head -n 1 "$IN" | cmp -s - "$T/rawout" && ok "show --raw gives the exact bytes to a pipe" || not_ok "show --raw gives the exact bytes to a pipe"
# ...and escaped on a terminal.
if command -v script >/dev/null 2>&1; then
	script -qec "\"$QUIRE\" show -c \"$C\" --raw 1268170000000000079" /dev/null >"$T/tty" 2>&1
	tr -d '\r' <"$T/tty" >"$T/tty2"
	grep -q 'raw \\e\[31m esc' "$T/tty2" && clean "show --raw on a terminal escapes" "$T/tty2" ||
		not_ok "show --raw on a terminal escapes" "$(od -c "$T/tty2" | head)"
else
	skip "show --raw on a terminal escapes" "no script(1)"
fi

# quire check names damage with the corpus path: escaped.
printf 'X' | dd of="$C/store/000001.zst" bs=1 seek=20 conv=notrunc status=none
"$QUIRE" check -c "$C" >"$T/check" 2>&1
grep -q 'damage:' "$T/check" && clean "check escapes" "$T/check" || not_ok "check reports the damage" "$(cat "$T/check")"
"$QUIRE" "$(printf 'no\033[2Jcommand')" >"$T/nocmd" 2>&1
clean "an unknown command is shown escaped" "$T/nocmd"
