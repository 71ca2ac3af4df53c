#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise bench/run.sh's JSON lines: median, min and max per figure.

report.py --markdown RESULTS.jsonl   the Markdown tables on stdout
report.py --json RESULTS.jsonl       the summary as JSON on stdout
"""
import json
import statistics
import sys

CFG_NAMES = {
    "vf": "(a) bare VF", "netvsc": "(b) netvsc + VF", "bond": "(c) bond a-b",
    "team": "(d) team a-b", "synth": "(e) netvsc synthetic",
    "bond100": "bond a-b miimon 100", "bond10": "bond a-b miimon 10",
}
DP_CFGS = ["vf", "netvsc", "bond", "team", "synth"]
FO_CFGS = ["netvsc", "bond100", "bond10", "team"]
EVENTS = ["none", "remove", "linkdown", "readd"]
EV_NAMES = {"none": "none (control)", "remove": "VF removed",
            "linkdown": "VF link lost", "readd": "VF re-added"}


def load(path):
    recs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                recs.append(json.loads(line))
            except ValueError:
                pass
    return recs


def stats(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals),
            "max": max(vals), "n": len(vals)}


def summarise(recs):
    out = {"datapath": {}, "failover": {}, "join_ms": {}, "scale": {},
           "skipped": [], "errors": []}
    groups = {}
    for r in recs:
        k = r.get("kind")
        if k == "skip":
            out["skipped"].append(r)
        elif k == "error":
            out["errors"].append(r)
        elif k == "failover":
            for m in ("lost", "max_gap_ms"):
                groups.setdefault(("failover", r["cfg"], r["event"], m), []).append(r[m])
        else:
            groups.setdefault((k, r.get("cfg")), []).append(r.get("value"))
    for key, vals in groups.items():
        s = stats(vals)
        if s is None:
            continue
        if key[0] == "failover":
            out["failover"].setdefault(key[1], {}).setdefault(key[2], {})[key[3]] = s
        elif key[0] in ("tput1", "tput4", "pps", "cpu_ns_per_pkt"):
            out["datapath"].setdefault(key[1], {})[key[0]] = s
        elif key[0] == "join_ms":
            out["join_ms"][key[1]] = s
        else:
            out["scale"].setdefault(key[0], {})[key[1]] = s
    base = out["datapath"].get("vf", {})
    for cfg, d in out["datapath"].items():
        for m in ("tput1", "tput4", "pps"):
            if m in d and m in base and base[m]["median"]:
                d[m]["ratio"] = d[m]["median"] / base[m]["median"]
    return out


def fmt(s, scale=1.0, prec=1):
    if not s:
        return "-"
    return "%.*f (%.*f-%.*f)" % (prec, s["median"] / scale, prec,
                                 s["min"] / scale, prec, s["max"] / scale)


def ratio(s):
    return "%.2f" % s["ratio"] if s and "ratio" in s else "-"


def markdown(out):
    lines = []
    if out["datapath"]:
        lines += ["### Datapath (guest -> host netns), median (min-max)", "",
             "| config | TCP 1 stream Mbit/s | ratio | TCP 4 streams Mbit/s | ratio "
             "| UDP 64 B kpps | ratio | CPU ns/pkt |",
             "|---|---|---|---|---|---|---|---|"]
    for cfg in DP_CFGS:
        d = out["datapath"].get(cfg)
        if not d:
            continue
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            CFG_NAMES[cfg], fmt(d.get("tput1"), 1e6), ratio(d.get("tput1")),
            fmt(d.get("tput4"), 1e6), ratio(d.get("tput4")),
            fmt(d.get("pps"), 1e3, 2), ratio(d.get("pps")),
            fmt(d.get("cpu_ns_per_pkt"), 1, 0)))
    if out["failover"]:
        lines += ["" if lines else "", "### Failover: 2000 pps UDP stream, event in the middle; "
                  "lost packets / longest gap ms, median (min-max)", "",
                  "| config | " + " | ".join(EV_NAMES[e] for e in EVENTS) + " |",
                  "|---" * (len(EVENTS) + 1) + "|"]
        for cfg in FO_CFGS:
            f = out["failover"].get(cfg)
            if not f:
                continue
            cells = []
            for e in EVENTS:
                x = f.get(e)
                cells.append("%s / %s" % (fmt(x.get("lost"), 1, 0), fmt(x.get("max_gap_ms"), 1, 1))
                             if x else "-")
            lines.append("| %s | %s |" % (CFG_NAMES[cfg], " | ".join(cells)))
    if out["join_ms"]:
        lines += ["", "### Join latency (vfctl monitor: join event -> switch to VF), ms", "",
                  "| vf_join_delay_ms | median (min-max) |", "|---|---|"]
        for k, s in sorted(out["join_ms"].items()):
            lines.append("| %s | %s |" % (k.split("=", 1)[1], fmt(s, 1, 1)))
    if out["scale"]:
        lines += ["", "### Scale", "", "| figure | value |", "|---|---|"]
        for k, d in sorted(out["scale"].items()):
            for cfg, s in sorted(d.items(), key=lambda x: int(x[0].split("=")[1])):
                lines.append("| %s %s | %.1f |" % (k, cfg, s["median"]))
    for s in out["skipped"]:
        lines.append("\nSkipped %s: %s" % (s.get("cfg"), s.get("reason")))
    for e in out["errors"]:
        lines.append("\nError: %s" % json.dumps(e))
    return "\n".join(lines)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("--markdown", "--json"):
        print(__doc__, file=sys.stderr)
        return 2
    out = summarise(load(sys.argv[2]))
    if sys.argv[1] == "--json":
        print(json.dumps(out, indent=1, sort_keys=True))
    else:
        print(markdown(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
