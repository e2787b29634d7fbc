#!/usr/bin/env python3
"""Write the seed inputs of every fuzz target to tests/fuzz/corpus/<target>/.

Run from the repository root: python3 tests/fuzz/seeds.py. Standard library
only, deterministic. Binary seeds come from fixtures/ (cut to MAX_SEED
bytes: the fuzzer runs with -max_len 4096, 8192 for inspect); the text
seeds (pushes, replies, number lists, templates, tables) are
written here. The committed corpora are these seeds plus what the fuzzer
found, minimised with `cargo fuzz cmin`.
"""
import glob
import hashlib
import os

MAX_SEED = 4096
ROOT = "tests/fuzz/corpus"


def put(target, data, limit=MAX_SEED):
    if isinstance(data, str):
        data = data.encode("utf-8")
    data = data[:limit]
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def files(*patterns):
    out = []
    for p in patterns:
        out += sorted(glob.glob(p))
    return [f for f in out if os.path.isfile(f)]


def read(path):
    with open(path, "rb") as f:
        return f.read()


# The WAV walker: every WAV, odd WAV and hostile file.
for f in files("fixtures/wav/*.wav", "fixtures/odd-wav/*.wav", "fixtures/hostile/*"):
    if not f.endswith(".py"):
        put("inspect", read(f), 8192)

# The VOX analysis: real VOX, not-ADPCM files named .vox, empty.
for f in files("fixtures/vox/*.vox", "fixtures/vox-rate/all-8000Hz/*.vox",
               "fixtures/check/*.vox", "fixtures/hostile/vox-empty.vox"):
    put("vox", read(f))

# The sniffer: the first bytes of every input kind there is.
for f in files("fixtures/wav/*", "fixtures/hostile/*", "fixtures/convert/*",
               "fixtures/amr/*.amr", "fixtures/amr/*.3gp", "fixtures/opus/*.opus",
               "fixtures/opus/*.webm", "fixtures/gsm/*", "fixtures/g722/*",
               "fixtures/telephony/*", "fixtures/check/*.mp3"):
    if not f.endswith((".py", ".sh", ".c", ".md")):
        put("sniff", read(f), 1024)

# Pushes: a query, NUL, a body.
PUSHES = [
    "\0args=E725%2C13800138000%2C0%3BE725%2C13900139000%2C-1010%3B",
    "args=K9,13700137000,0;\0",
    "\0K1,13800138000,0;K2,13900139000,1;",
    "\0args=E1,138;",
    "userMoblie=159****3423&content=%E6%B5%8B%E8%AF%95&cpMoblie=1069***1234\0",
    "\0userMoblie=13800138000&content=1&cpMoblie=10690001",
    "userMoblie=1&content=a+b%20c\0cpMoblie=2",
    "?args=%FF%FE,1,2;\0",
    "\0 ; ;K, 1 ,+3 ;",
    "\0args=a,b,99999999999999999999",
]
for p in PUSHES:
    put("push", p)

# Provider replies: the recorded ones and the documented variants.
for f in files("fixtures/provider/*"):
    put("reply", read(f))
REPLIES = [
    '{"smsid":"X"}', '{"code":0,"smsid":12345}', '{"code":"–1"}', '\ufeff{"code":"-1000"}',
    "12345", "-3", '"42"', "\u20131", "+7", "", "<html>CpPassword=Pw7#secret&x</html>",
    "error: Pw7#secret", "[1,2]", '{"code":null}', '{"code":1.5}',
    '{"code":"99999999999999999999"}', "\r\n\r\n", "MARKER\r\n\r\n",
]
for r in REPLIES:
    put("reply", r)

# Number lists (@file).
NUMBERS = [
    "13800138000\n13900139000\n",
    "# list\n+8613800138000\r\n138 0013 8000\n8613800138000\n\n",
    "138-0013-8000\n12345\n",
    "\ufeff13800138000\n",
    "１３８００１３８０００\n",
    "13800138000\n" * 5,
]
for n in NUMBERS:
    put("numbers", n)

# TTS templates.
TEMPLATES = [
    "${name}，您好，您的快递已到，请及时取件。",
    "尊敬的${name}，您好。",
    "您的验证码是{1}，{{code}}分钟内有效。",
    "#name#您好，#code#",
    "123456",
    "{ ${ }} {{}} ${} {a b} #",
    "Hello ${name}, press 1.\u0007",
    "",
    "【语音通知】APPID|模板ID|参数",
]
for t in TEMPLATES:
    put("template", t)

# Tables of texts: the fixture, and the encodings editors write.
for f in files("fixtures/filing/*.csv", "fixtures/filing/prompts/*.txt",
               "fixtures/check/prompts/*.txt"):
    put("table", read(f))
CSV = "name,text\r\nhello.wav,\"你好，欢迎致电。\"\r\n合计,3\r\n,empty\r\nbye\tsee you\r\n"
put("table", CSV)
put("table", b"\xef\xbb\xbf" + CSV.encode("utf-8"))
put("table", b"\xff\xfe" + CSV.encode("utf-16-le"))
put("table", b"\xfe\xff" + CSV.encode("utf-16-be"))
put("table", CSV.encode("gb18030"))
put("table", 'a,"unterminated\n"b",c\n')
put("table", b"\xff\xfe\x00\xd8")
