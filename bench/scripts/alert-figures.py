#!/usr/bin/env python3
"""Bogus vs real on the alerts the running stack embedded, read back through the model server's HTTP API against the
truth the demo's alert feed appends to DATA/alerts-ztf/truth.csv (the packets cannot carry it: docs/ALERTS.md).

Usage (with `bin/astropt demo` running, or its server): python3 bench/scripts/alert-figures.py
    [http://127.0.0.1:8080] [data/alerts-ztf/truth.csv] [astropt-ztf]

For every alert of truth.csv, GET /objects/{candid} (source_id); of those the alert model (third argument) embedded:
  - ROC AUC of scores.artefact (the version's any-bogus head) for bogus against real, beside two baselines: the
    raw surprise score and the packet's own |S/N| (psf_flux / psf_flux_err, what the survey's pipeline measured);
  - precision and recall of the ARTEFACT flags the pipeline raised for bogus alerts;
  - per kind: how many, and the share flagged ARTEFACT (for real kinds, the false-flag rate);
and how many alerts the server did not hold (not embedded yet, dead-lettered, or evicted) or held under another model.
Prints one JSON object. Standard library only.
"""
import collections
import csv
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ranking import auc, precision_recall  # noqa: E402

base_url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
truth_file = sys.argv[2] if len(sys.argv) > 2 else "data/alerts-ztf/truth.csv"
model = sys.argv[3] if len(sys.argv) > 3 else "astropt-ztf"


def get(path):
    try:
        with urllib.request.urlopen(base_url + path) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise


with open(truth_file, newline="") as f:
    truth = list(csv.DictReader(f))

rows, missing, other_model, versions = [], 0, collections.Counter(), collections.Counter()
for t in truth:
    o = get("/objects/" + urllib.parse.quote(t["source_id"]))
    if o is None or o.get("modelName") is None:
        missing += 1
        continue
    if o["modelName"] != model:
        other_model[o["modelName"]] += 1
        continue
    versions[f'{o["modelName"]}:{o["modelVersion"]}'] += 1
    rows.append((t, o))

bogus = [t["label"] == "bogus" for t, _ in rows]
scores = [(o.get("scores") or {}) for _, o in rows]
flagged = ["ARTEFACT" in set(o.get("flags") or []) for _, o in rows]


def snr(t):
    try:
        return abs(float(t["psf_flux"]) / float(t["psf_flux_err"]))
    except (ValueError, ZeroDivisionError):
        return None


out = {"server": base_url, "truth": truth_file, "model": model, "alerts_in_truth": len(truth),
       "embedded_by_model": len(rows), "not_held": missing, "held_under_other_model": dict(other_model),
       "versions": dict(versions), "bogus": sum(bogus), "real": len(rows) - sum(bogus),
       "auc.bogus.artefact": auc([s.get("artefact") for s in scores], bogus),
       "auc.bogus.surprise": auc([s.get("surprise") for s in scores], bogus),
       "auc.bogus.abs_snr_of_packet": auc([snr(t) for t, _ in rows], bogus)}
pr = precision_recall(flagged, bogus)
out["flags.artefact.precision"], out["flags.artefact.recall"], out["flags.artefact.count"] = pr
by_kind = collections.defaultdict(lambda: [0, 0])
for (t, _), f in zip(rows, flagged):
    by_kind[t["kind"]][0] += 1
    by_kind[t["kind"]][1] += f
out["flagged_share_by_kind"] = {k: {"alerts": n, "flagged": round(fl / n, 3)} for k, (n, fl) in sorted(by_kind.items())}
print(json.dumps(out, indent=1))
