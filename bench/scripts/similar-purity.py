#!/usr/bin/env python3
"""Neighbour morphology purity@k read back through a running model server's HTTP API.

Usage (with `bin/astropt demo` running): python3 bench/scripts/similar-purity.py [http://127.0.0.1:8080] [queries] [k]

Takes the objects of GET /api/map that carry the synthetic truth's morphology, asks GET /similar/{id}?k=K
for a seeded random sample of them, and prints the share of neighbours with the query's morphology beside
the base rate (what random neighbours would give: the sum of squared class shares), and the spread of the
neighbours' similarities. Standard library only.
"""
import collections
import json
import random
import sys
import urllib.request

base_url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
queries = int(sys.argv[2]) if len(sys.argv) > 2 else 200
k = int(sys.argv[3]) if len(sys.argv) > 3 else 10


def get(path):
    with urllib.request.urlopen(base_url + path) as r:
        return json.load(r)


answer = get("/api/map")
morphology = {p["id"]: p["morphology"] for p in answer["points"] if p.get("morphology")}
ids = sorted(morphology)
random.Random(1).shuffle(ids)
counts = collections.Counter(morphology.values())
n = sum(counts.values())
base_rate = sum((c / n) ** 2 for c in counts.values())
same = total = 0
similarities = []
standardised = set()
for i in ids[:queries]:
    r = get(f"/similar/{i}?k={k}")
    standardised.add(r.get("standardisedWith"))
    for nb in r["neighbours"]:
        similarities.append(nb["similarity"])
        if nb.get("morphology"):
            total += 1
            same += nb["morphology"] == morphology[i]
similarities.sort()
q = lambda f: similarities[int(f * (len(similarities) - 1))]
print(f"model {answer['model']}, standardised with {sorted(map(str, standardised))}: {n} objects with truth on the map, "
      f"{min(queries, len(ids))} queries, purity@{k} {same / total:.3f} (base rate {base_rate:.3f}); "
      f"neighbour similarity median {q(0.5):.3f}, 5% {q(0.05):.3f}, 95% {q(0.95):.3f}")
