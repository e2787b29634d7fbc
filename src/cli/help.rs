//! The EXAMPLES and ENVIRONMENT sections at the end of each subcommand's
//! `--help` (and of its man page), beside the exit status where a command
//! has its own.

/// The environment section of the commands that talk to the provider.
macro_rules! credentials {
    () => {
        "ENVIRONMENT:
  QXT_CP_NAME      the provider account (CpName); required
  QXT_CP_PASSWORD  its password (CpPassword); required, printed as *** everywhere
  QXT_BASE_URL     the provider's base URL (as --base-url)"
    };
}

pub const CHECK: &str = "\
EXAMPLES:
  voxprep check prompts/                       # a folder, recursively
  voxprep check welcome.wav code.vox --strict  # files; exit 1 on warnings too
  voxprep check prompts/ --format json > report.json
  voxprep check prompts/ --loudness            # also each prompt's loudness and the spread
  voxprep check prompts/ --format html -o report.html  # a page for people, with waveforms
  voxprep check old/ --vox-rate 6000           # VOX recorded at 6 kHz

Exit status: 0 when no file fails (warnings allowed), 1 when a file fails (or warns, \
with --strict), 2 on a usage error or when no file could be read at all.";

pub const COST: &str = "\
EXAMPLES:
  voxprep cost prompts/ --price-fen 12 --recipients 5000 --plays 2
  voxprep cost welcome.mp3 --price-fen 12      # priced at the length its conversion will have
  voxprep cost prompts/ --price-fen 12 --format json
  voxprep cost prompts/ --template @templates.txt --param-max 张三丰 --price-fen 10 --recipients 5000
  voxprep cost --template '${name}，您好，您的快递已到。' --param-max 张三丰 --price-fen 10

Each call is billed per started 12 seconds. A file in another format (MP3, FLAC, Opus, GSM...) \
costs what its conversion will: its length is read as `voxprep convert` reads it. The last line \
says what trimming the silence would save. A TTS template (--template TEXT or @FILE, as \
`voxprep template check` reads them) is priced by its estimated duration, marked ~. Exit status: 0 when every file and template conforms, 1 when a \
file fails the check or a template breaks a rule (its cost is still shown when its duration is known), 2 on a usage error, when \
no file could be read at all, or when a figure is too large to count (more than 2^64-1 units, \
calls or fen).";

pub const TEMPLATE_CHECK: &str = "\
EXAMPLES:
  voxprep template check '${name}，您好，您的快递已到，请及时取件。' --param-max 张三丰
  voxprep template check @templates.txt --param-max 张三丰 --format json
  voxprep template check '您的账单已出，请按1号键查询' --form keypress
  voxprep template check 042817 --form code     # a verification code: 4 to 6 digits
  voxprep template check @templates.txt --tts-rate 4 --format csv

A template may hold one variable, written ${name}, {name}, {1} or {{name}} (#name# with \
--hash-variables), at the very start or the very end of the text. @FILE reads a UTF-8 file, \
one template per non-empty line (a byte-order mark is ignored); a text starting with @ is \
always a file. The duration is an estimate: syllables at --tts-rate (default 4.5 a second) \
plus pauses at punctuation, with the variable read as --param-max; each call is billed per \
started 12 seconds, at least one unit. Exit status: 0 when no template fails (warnings \
allowed), 1 when one breaks a rule, 2 on a usage error or a file that cannot be read.";

pub const CONVERT: &str = "\
EXAMPLES:
  voxprep convert prompt.mp3 -o prompt.wav          # 8000 Hz WAV
  voxprep convert prompt.m4a -o prompt.vox          # Dialogic VOX
  voxprep convert studio/ -o ready/ --to vox        # a folder tree, on all cores
  voxprep convert prompts/ -o ready/ --loudness -18 # every prompt at -18 LUFS
  voxprep convert hello.gsm -o hello.wav            # Asterisk GSM, G.722, .ulaw, .sln16...
  voxprep convert old.vox -o old.wav --vox-rate 6000
  voxprep convert a.wav -o b.wav --normalize=-3     # a level goes after `=`
  voxprep convert studio/ -o ready/ --skip-existing # resume: keep outputs that pass check

A folder, or several inputs, go into a folder: -o an existing one or a path ending in /. \
Exit status, the same for one file and a folder: 0 when every file is converted or skipped, \
1 when a file fails, 2 on a usage error (bad flags, an output that exists or that two inputs \
share, ...), found before any work: nothing is converted.";

pub const PACKAGE: &str = "\
EXAMPLES:
  voxprep package prompts/ -o filing/                   # texts in prompts/*.txt beside each
  voxprep package prompts/ -o filing/ --texts texts.xlsx
  voxprep package studio/ -o filing/ --to vox --loudness -18
  voxprep package prompts/ -o filing/ --names any       # allow names such as 欢迎.wav
  voxprep package prompts/ -o filing/ --texts filing/manifest.csv --force  # texts edited in the manifest

The package folder gets every recording (conforming ones copied byte for byte, the others \
converted), manifest.csv (UTF-8 with a byte-order mark, for Excel) and manifest.xlsx: file name, \
text, duration, billing units per call, format, size, SHA-256. Exit status: 0 when every \
recording is in with its text (warnings allowed), 1 when something is missing or wrong (a \
recording without a text, a text without a recording, a name the notice cannot carry, a \
recording that cannot be made conforming), 2 on a usage error (bad flags, files that exist in the \
package folder, an unreadable table), found before anything is written.";

pub const SEND: &str = concat!(
    "\
EXAMPLES:
  voxprep send file --app APP1 --template T7 --recording welcome.wav --to 13800138000
  voxprep send code 042817 --to @numbers.txt
  voxprep send code 042817 --to @numbers.txt --unsent left.txt   # then --to @left.txt
  voxprep send tts --app APP1 --template T100 --param 张三 --to 13800138000 --dry-run

",
    credentials!()
);

pub const SEND_FILE: &str = concat!("\
EXAMPLES:
  voxprep send file --app APP1 --template T7 --recording prompts/welcome.wav --to 13800138000,13900139000
  voxprep send file --app APP1 --template T7 --recording welcome.wav --to @numbers.txt
  voxprep send file --app APP1 --template T7 --recording odd.wav --no-check --to 13800138000

", credentials!());

pub const SEND_CODE: &str = concat!(
    "\
EXAMPLES:
  voxprep send code 042817 --to 13800138000
  voxprep send code 1234 --to @numbers.txt --dry-run

",
    credentials!()
);

pub const SEND_TTS: &str = concat!(
    "\
EXAMPLES:
  voxprep send tts --app APP1 --template T100 --param 张三 --to 13800138000
  voxprep send tts --app APP1 --template T101 --keypress --to 13800138000 --ext-code 10690001

",
    credentials!()
);

pub const BALANCE: &str = concat!(
    "\
EXAMPLES:
  voxprep balance
  voxprep balance --sub-account --format json

",
    credentials!()
);

pub const RECEIVE: &str = "\
EXAMPLES:
  voxprep receive --format json --out pushes.jsonl      # behind a reverse proxy
  voxprep receive --listen 0.0.0.0:8080 --allow 203.0.113.10,203.0.113.11 --format json";

pub const STATUS: &str = "\
EXAMPLES:
  voxprep status                                   # every send in the default ledger
  voxprep status --since 24h --price-fen 12        # the last day, with its cost
  voxprep status --smsid E7254F86ED07C231CDC7657D0F9BC420 --format json
  voxprep status --pending-older-than 2h --format csv > stuck.csv
  voxprep status --since 2026-12-01 --resendable again.txt   # then send ... --to @again.txt

ENVIRONMENT:
  VOXPREP_LEDGER   the ledger file (as --ledger); default $XDG_DATA_HOME/voxprep/ledger.sqlite,
                   or ~/.local/share/voxprep/ledger.sqlite

A number is delivered on a status report 0 (for a call: answered), failed on another final \
report, pending while accepted without one (9995 is not final), unknown when its request's \
outcome is (it may have been called). Only delivered calls are billed: the figure is an upper \
bound, a whole recording per answered call. Exit status: 0 when the ledger was read, 2 on a \
usage error or a ledger that cannot be read (missing, not a ledger, written by a newer voxprep).";

pub const COMPLETIONS: &str = "EXAMPLES:
  voxprep completions bash > ~/.local/share/bash-completion/completions/voxprep
  voxprep completions zsh > ~/.zfunc/_voxprep
  voxprep completions fish > ~/.config/fish/completions/voxprep.fish
  source <(voxprep completions bash)    # this shell only";

pub const MAN: &str = "EXAMPLES:
  voxprep man > voxprep.1 && man -l voxprep.1
  voxprep man --dir /usr/local/share/man/man1    # voxprep.1 and a page per subcommand";
