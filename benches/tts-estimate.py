#!/usr/bin/env python3
"""Compare voxprep's spoken-duration estimate of TTS templates with what
espeak-ng's Mandarin voice (cmn) takes to read them.

    cargo build && python3 benches/tts-estimate.py [path/to/voxprep]

espeak-ng is not the provider's TTS: its rate is its own. So the script
reports two errors: against our default rate (4.5 syllables/s: how far
espeak's voice is from it), and at the rate that fits espeak best (found
by a search over --tts-rate), which leaves the *shape* error: how well the
reading model (digits, letters, pauses) follows a real voice. Durations
are measured between the first and last sample above -40 dBFS (espeak's
own leading and trailing silence left out). Prints a Markdown table.
"""

import array
import json
import math
import os
import subprocess
import sys
import tempfile
import wave

PARAM = "张三丰"
TEMPLATES = [
    # delivery
    "${name}，您好，您的快递已到达小区驿站，请凭取件码及时领取。",
    "您好，您的包裹已由顺丰速运派送，快递员将在今天下午送达，请保持电话畅通。${name}",
    "您的外卖订单已送达，请到前台领取，祝您用餐愉快。",
    # bills
    "${name}，您本月的话费账单为128元，请于本月25日前缴清，以免影响正常使用。",
    "尊敬的客户，您的信用卡本期应还金额为3560.50元，最后还款日为每月18日。",
    "您好，您家的水费已欠费两个月，共计245元，请尽快缴纳。",
    # appointments
    "${name}，您预约的门诊时间为明天上午9:30，请携带身份证和医保卡提前到达。",
    "您好，您预约的车辆年检时间为2025年3月15日，地点为城东检测站。",
    "温馨提示，您明天下午两点有一个面试，请准时参加。",
    # codes and numbers, digit by digit
    "您的验证码是472913，五分钟内有效，请勿告诉他人。",
    "您尾号0571的银行卡于今天消费1200元，如非本人操作请致电95588。",
    "您的快递单号为SF1234567890123，请注意查收。",
    "请拨打客服电话4008123123咨询，服务时间为每天8:00至22:00。",
    # Latin letters
    "您的APP账户已开通VIP会员，有效期一年。",
    "请登录官网下载最新版本的iPhone客户端。",
    "您的WIFI套餐已生效，月流量为100GB。",
    # key presses
    "您好，这里是物业服务中心，确认请按1，取消请按2，重听请按#号键。",
    "本次通话将被录音，满意请按1，不满意请按2。",
    # long notices
    "尊敬的业主，您好！小区将于本周六上午八点至下午六点停水检修，请提前做好储水准备。给您带来的不便，敬请谅解！",
    "${name}，您好，您申请的贷款已审批通过，金额为50000元，将在三个工作日内发放到您尾号8866的账户，请注意查收。",
]


def espeak_seconds(text, path):
    subprocess.run(["espeak-ng", "-v", "cmn", "-w", path, text], check=True)
    with wave.open(path) as w:
        rate = w.getframerate()
        samples = array.array("h", w.readframes(w.getnframes()))
    limit = 32768 * 10 ** (-40 / 20)
    loud = [i for i, s in enumerate(samples) if abs(s) > limit]
    return (loud[-1] - loud[0] + 1) / rate if loud else 0.0


def estimates(voxprep, rate):
    out = subprocess.run(
        [voxprep, "template", "check", "--format", "json", "--param-max", PARAM,
         "--tts-rate", str(rate), *TEMPLATES],
        capture_output=True, text=True)
    return [t["estimate"] for t in json.loads(out.stdout)["templates"]]


def errors(est, spoken):
    errs = [(e["seconds"] - s) / s for e, s in zip(est, spoken)]
    return errs, sum(abs(e) for e in errs) / len(errs), max(errs, key=abs)


def main():
    voxprep = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "debug", "voxprep")
    with tempfile.TemporaryDirectory() as tmp:
        spoken = [espeak_seconds(t.replace("${name}", PARAM), os.path.join(tmp, "t.wav"))
                  for t in TEMPLATES]
    default = estimates(voxprep, 4.5)
    # The rate that fits espeak best (mean absolute error), 0.05 steps.
    best = min((r / 20 for r in range(30, 201)),
               key=lambda r: errors(estimates(voxprep, r), spoken)[1])
    fitted = estimates(voxprep, best)
    _, mean_d, worst_d = errors(default, spoken)
    errs, mean_f, worst_f = errors(fitted, spoken)
    print(f"espeak-ng {subprocess.run(['espeak-ng', '--version'], capture_output=True, text=True).stdout.split()[3]}"
          f", voice cmn, default speed; ${{name}} read as {PARAM}\n")
    print(f"| # | template | syllables | pauses (short/long) | espeak-ng s | estimate s at 4.5/s | estimate s at {best}/s | error at {best}/s |")
    print("|---|---|---|---|---|---|---|---|")
    for i, (t, s, d, f, e) in enumerate(zip(TEMPLATES, spoken, default, fitted, errs), 1):
        short = t if len(t) <= 24 else t[:23] + "…"
        print(f"| {i} | {short} | {f['syllables']} | {f['short_pauses']}/{f['long_pauses']} "
              f"| {s:.2f} | {d['seconds']:.2f} | {f['seconds']:.2f} | {e * 100:+.1f} % |")
    units = sum(math.ceil(s / 12) == f["billing_units"] for s, f in zip(spoken, fitted))
    print(f"\nat 4.5/s: mean absolute error {mean_d * 100:.1f} %, worst {worst_d * 100:+.1f} %")
    print(f"at {best}/s (fitted to espeak): mean absolute error {mean_f * 100:.1f} %, "
          f"worst {worst_f * 100:+.1f} %; billing units equal to espeak's in {units} of {len(TEMPLATES)}")


if __name__ == "__main__":
    main()
