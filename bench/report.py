#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise bench/run.sh's JSON lines: median, min and max per figure.

report.py --markdown RESULTS.jsonl...   the Markdown tables on stdout
report.py --json RESULTS.jsonl...       the summary as JSON on stdout
report.py --check RESULTS.jsonl...      one line "bench: N figures, N
                                        missing, ..."; exit 1 if a planned
                                        figure is missing or none was planned

Several files (e.g. a run and a separate scale run) are summarised as one.
A figure is planned by the run's "plan" line; it is missing when no
repetition of it produced a value (a throughput or packet rate of 0 counts
as no value).
"""
import json
import statistics
import sys

CFG_NAMES = {
    "vf": "(a) bare VF", "netvsc": "(b) netvsc + VF", "bond": "(c) bond a-b",
    "team": "(d) team a-b", "synth": "(e) netvsc synthetic",
    "bond100": "bond a-b miimon 100", "bond10": "bond a-b miimon 10",
    "netvscpci": "netvsc + PCI VF (e1000e)",
    "netvschold0": "(b) netvsc + VF, carrier-hold 0",
}
DP_CFGS = ["vf", "netvsc", "bond", "team", "synth"]
FO_CFGS = ["netvsc", "netvschold0", "netvscpci", "bond100", "bond10", "team"]
EVENTS = ["none", "remove", "linkdown", "linkflap", "readd"]
EV_NAMES = {"none": "none (control)", "remove": "VF removed",
            "linkdown": "VF link lost", "linkflap": "VF link lost 1 s",
            "readd": "VF re-added"}
POSITIVE = ("tput1", "tput4", "pps")


def load(paths):
    recs = []
    for path in paths:
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


def key_of(r):
    if r.get("kind") == "failover":
        return "failover/%s/%s" % (r.get("cfg"), r.get("event"))
    return "%s/%s" % (r.get("kind"), r.get("cfg"))


def has_value(r):
    if r.get("kind") == "failover":
        return r.get("lost") is not None and r.get("max_gap_ms") is not None
    v = r.get("value")
    if v is None:
        return False
    return v > 0 if r.get("kind") in POSITIVE else True


def summarise(recs):
    out = {"datapath": {}, "failover": {}, "join_ms": {}, "join_event_ms": {},
           "join_klog_ms": {},
           "scale": {}, "skipped": [], "errors": [], "meta": [], "host": [],
           "diag": {}}
    groups = {}
    by_rep = {}
    expected = []
    present = set()
    for r in recs:
        k = r.get("kind")
        if k == "skip":
            out["skipped"].append(r)
        elif k == "error":
            out["errors"].append(r)
        elif k == "plan":
            expected += [e for e in r.get("expect", []) if e not in expected]
        elif k in ("meta", "host"):
            out[k].append({x: y for x, y in r.items() if x != "kind"})
        elif k == "diag":
            out["diag"][r.get("cfg")] = {x: y for x, y in r.items() if x not in ("kind", "cfg")}
        elif k == "failover":
            for m in ("lost", "max_gap_ms"):
                groups.setdefault(("failover", r["cfg"], r["event"], m), []).append(r.get(m))
        else:
            groups.setdefault((k, r.get("cfg")), []).append(r.get("value"))
            if r.get("value") is not None:
                by_rep.setdefault((k, r.get("cfg")), {})[r.get("rep")] = r["value"]
        if k not in ("skip", "error", "plan", "meta", "host", "diag") and has_value(r):
            present.add(key_of(r))
    for key, vals in groups.items():
        s = stats(vals)
        if s is None:
            continue
        if key[0] == "failover":
            out["failover"].setdefault(key[1], {}).setdefault(key[2], {})[key[3]] = s
        elif key[0] in ("tput1", "tput4", "pps", "cpu_ns_per_pkt"):
            out["datapath"].setdefault(key[1], {})[key[0]] = s
        elif key[0] in ("join_ms", "join_event_ms", "join_klog_ms"):
            out[key[0]][key[1]] = s
        else:
            out["scale"].setdefault(key[0], {})[key[1]] = s
    base = out["datapath"].get("vf", {})
    for cfg, d in out["datapath"].items():
        for m in ("tput1", "tput4", "pps", "cpu_ns_per_pkt"):
            if m in d and m in base and base[m]["median"]:
                d[m]["ratio"] = d[m]["median"] / base[m]["median"]
            # paired: the ratio within each repetition, then the median
            mine, ref = by_rep.get((m, cfg), {}), by_rep.get((m, "vf"), {})
            pr = [mine[i] / ref[i] for i in mine if i in ref and ref[i]]
            if m in d and pr:
                d[m]["rep_ratio"] = statistics.median(pr)
    missing = [e for e in expected if e not in present]
    out["figures"] = {"expected": len(expected),
                      "present": len(expected) - len(missing),
                      "missing": missing}
    return out


def fmt(s, scale=1.0, prec=1):
    if not s:
        return "-"
    if s["n"] == 1:
        return "%.*f" % (prec, s["median"] / scale)
    return "%.*f (%.*f..%.*f)" % (prec, s["median"] / scale, prec,
                                 s["min"] / scale, prec, s["max"] / scale)


def ratio(s):
    if not s or "ratio" not in s:
        return "-"
    if s["n"] > 1 and "rep_ratio" in s:
        return "%.2f (%.2f)" % (s["ratio"], s["rep_ratio"])
    return "%.2f" % s["ratio"]


def run_line(out):
    lines = []
    for m in out["meta"]:
        parts = ["%s repetitions" % m.get("reps")]
        if "datapath" in m.get("parts", ""):
            parts.append("iperf3 %s s, UDP flood %s s" % (m.get("tput_s"), m.get("pps_s")))
        if "failover" in m.get("parts", ""):
            parts.append("failover stream %s s at %s pps" % (m.get("fo_s"), m.get("fo_rate")))
        if m.get("qdisc", "default") != "default":
            parts.append("netvsc's qdisc %s" % m["qdisc"])
        if m.get("sim"):
            parts.append("simulated host's defaults %s" % m["sim"])
        if "scale" in m.get("parts", ""):
            parts.append("scale %s devices, event batches of %s" % (m.get("scale_n"), m.get("ev_pairs")))
        lines.append("Run: %s%s; parts: %s; %s CPUs, kernel %s." % (
            "QUICK, " if m.get("quick") else "", ", ".join(parts),
            m.get("parts"), m.get("cpus"), m.get("kernel")))
    for h in out["host"]:
        lines.append("Host: %s CPUs; load average %s at the start, %s at the end; "
                     "%s other QEMU processes at the start; wall time %s s." % (
                         h.get("nproc"), h.get("load_start"), h.get("load_end"),
                         h.get("other_qemu"), h.get("wall_s")))
    return lines


def markdown(out):
    lines = run_line(out)
    if out["datapath"]:
        lines += ["", "### Datapath (guest -> host netns), median (min..max)", "",
                  "Ratio: of the medians against (a) (in brackets: the median of "
                  "the ratios within each repetition).", "",
                  "| config | TCP 1 stream Mbit/s | ratio | TCP 4 streams Mbit/s | ratio "
                  "| UDP 64 B kpps | ratio | CPU us/pkt | ratio |",
                  "|---|---|---|---|---|---|---|---|---|"]
    for cfg in DP_CFGS:
        d = out["datapath"].get(cfg)
        if not d:
            continue
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            CFG_NAMES[cfg], fmt(d.get("tput1"), 1e6), ratio(d.get("tput1")),
            fmt(d.get("tput4"), 1e6), ratio(d.get("tput4")),
            fmt(d.get("pps"), 1e3, 2), ratio(d.get("pps")),
            fmt(d.get("cpu_ns_per_pkt"), 1e3, 1), ratio(d.get("cpu_ns_per_pkt"))))
    if out["diag"]:
        lines += ["", "Devices (qdisc, offloads): " + "; ".join(
            "%s: %s" % (CFG_NAMES.get(cfg, cfg), ", ".join("%s %s" % (d, v) for d, v in devs.items()))
            for cfg, devs in out["diag"].items()) + "."]
    if out["failover"]:
        lines += ["", "### Failover: UDP stream, event in the middle; "
                  "lost packets / longest gap ms, median (min..max)", "",
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
    heads = {"join_ms": "VF registered -> data path VF",
             "join_event_ms": "VF registered -> join event",
             "join_klog_ms": "kernel log: VF moved in -> data path VF"}
    jk = [k for k in heads if out[k]]
    if jk:
        lines += ["", "### Join latency, ms, median (min..max)", "",
                  "| vf_join_delay_ms | " + " | ".join(heads[k] for k in jk) + " |",
                  "|---" * (len(jk) + 1) + "|"]
        for k in sorted(set().union(*(out[j] for j in jk))):
            lines.append("| %s | %s |" % (k.split("=", 1)[1], " | ".join(
                fmt(out[j].get(k), 1, 1) for j in jk)))
    sc = out["scale"]
    if sc:
        lines += ["", "### Scale", "", "| figure | value |", "|---|---|"]
        for cfg, s in sorted(sc.get("scale_pair_s", {}).items()):
            lines.append("| create and pair %s devices, s | %s |" % (cfg.split("=")[1], fmt(s, 1, 2)))
        for cfg, s in sorted(sc.get("scale_slab_kb_per_dev", {}).items()):
            lines.append("| slab per paired device (%s), kB | %s |" % (cfg, fmt(s, 1, 1)))
        for cfg, s in sorted(sc.get("event_us", {}).items(),
                             key=lambda x: int(x[0].split("=")[1])):
            lines.append("| one unrelated netdev event (dummy add+del), %s paired, us | %s |"
                         % (cfg.split("=")[1], fmt(s, 1, 0)))
    for s in out["skipped"]:
        lines.append("\nSkipped %s: %s" % (s.get("cfg"), s.get("reason")))
    for e in out["errors"]:
        lines.append("\nError: %s" % e.get("what", json.dumps(e)))
    f = out["figures"]
    if f["missing"]:
        lines.append("\nMissing figures: %s" % ", ".join(f["missing"]))
    return "\n".join(lines)


def check_line(out):
    f = out["figures"]
    return "bench: %d figures, %d missing, %d skipped, %d errors" % (
        f["present"], len(f["missing"]), len(out["skipped"]), len(out["errors"]))


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("--markdown", "--json", "--check"):
        print(__doc__, file=sys.stderr)
        return 2
    out = summarise(load(sys.argv[2:]))
    if sys.argv[1] == "--json":
        print(json.dumps(out, indent=1, sort_keys=True))
    elif sys.argv[1] == "--markdown":
        print(markdown(out))
    else:
        print(check_line(out))
        if out["figures"]["missing"] or not out["figures"]["expected"]:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
