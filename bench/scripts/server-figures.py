#!/usr/bin/env python3
"""Issue 13's figures read back through a running model server's HTTP API, against the synthetic truth the
demo feed puts on every record.

Usage (with `bin/astropt demo` running): python3 bench/scripts/server-figures.py [http://127.0.0.1:8080] [queries] [k]

From GET /api/map (the newest objects of the version it answers from, each with its scores, its flag kinds and
the truth: morphology, artefacts, novel):
  - ROC AUC of scores.artefact against "any artefact" and of scores.artefact_<kind> against each kind, beside raw
    surprise; precision and recall of the ARTEFACT flags;
  - ROC AUC of scores.novelty for novel objects (mergers, rings, lensed arcs) against ordinary galaxies without
    artefacts, beside surprise; precision and recall of the ANOMALY flags for them;
and, from GET /similar/{id}?k=K for a seeded sample of the map's objects, morphology purity@k beside the base rate,
with the version and coverage /similar reports. Prints one JSON object. Standard library only.
"""
import collections
import json
import os
import random
import re
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ranking import auc, precision_recall  # noqa: E402

base_url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
queries = int(sys.argv[2]) if len(sys.argv) > 2 else 200
k = int(sys.argv[3]) if len(sys.argv) > 3 else 10


def get(path):
    with urllib.request.urlopen(base_url + path) as r:
        return json.load(r)


answer = get("/api/map")
points = [p for p in answer["points"] if p.get("morphology") or p.get("artefacts") is not None]
out = {"server": base_url, "map_model": answer.get("model"), "map_version": answer.get("version"),
       "map_coverage": answer.get("coverage"), "objects_with_truth": len(points)}


def kinds(p):
    return {a.strip().lower() for a in re.split(r"[;,]", p.get("artefacts") or "") if a.strip()}


def score(p, name):
    return (p.get("scores") or {}).get(name)


any_artefact = [bool(kinds(p)) for p in points]
flags = [set(p.get("flags") or []) for p in points]
out["artefact_positives"] = sum(any_artefact)
out["auc.any.artefact"] = auc([score(p, "artefact") for p in points], any_artefact)
out["auc.any.surprise"] = auc([score(p, "surprise") for p in points], any_artefact)
pr = precision_recall(["ARTEFACT" in f for f in flags], any_artefact)
out["flags.artefact.precision"], out["flags.artefact.recall"], out["flags.artefact.count"] = pr
for kind in sorted({kk for p in points for kk in kinds(p)}):
    positive = [kind in kinds(p) for p in points]
    if sum(positive) >= 5:
        out[f"auc.{kind}.artefact_{kind}"] = auc([score(p, "artefact_" + kind) for p in points], positive)

ordinary_or_novel = [p for p in points if p.get("novel") or not kinds(p)]
novel = [bool(p.get("novel")) for p in ordinary_or_novel]
out["novel_positives"] = sum(novel)
out["auc.novel.novelty"] = auc([score(p, "novelty") for p in ordinary_or_novel], novel)
out["auc.novel.surprise"] = auc([score(p, "surprise") for p in ordinary_or_novel], novel)
pr = precision_recall(["ANOMALY" in set(p.get("flags") or []) for p in ordinary_or_novel], novel)
out["flags.anomaly.precision"], out["flags.anomaly.recall"], out["flags.anomaly.count"] = pr

morphology = {p["id"]: p["morphology"] for p in points if p.get("morphology")}
ids = sorted(morphology)
random.Random(1).shuffle(ids)
counts = collections.Counter(morphology.values())
n = sum(counts.values())
same = total = 0
similarities = []
versions = collections.Counter()
coverage = []
for i in ids[:queries]:
    r = get(f"/similar/{i}?k={k}")
    versions[str(r.get("version"))] += 1
    if r.get("coverage") is not None:
        coverage.append(r["coverage"])
    for nb in r["neighbours"]:
        similarities.append(nb["similarity"])
        if nb.get("morphology"):
            total += 1
            same += nb["morphology"] == morphology[i]
similarities.sort()
if total:
    out[f"purity@{k}"] = round(same / total, 4)
    out["purity_base_rate"] = round(sum((c / n) ** 2 for c in counts.values()), 4)
    out["similarity_median"] = round(similarities[len(similarities) // 2], 4)
out["similar_versions"] = dict(versions)
out["similar_coverage_min"] = min(coverage) if coverage else None
print(json.dumps(out, indent=1))
