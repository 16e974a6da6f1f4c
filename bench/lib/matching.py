#!/usr/bin/python3
"""The matching benchmark's client (bench/matching runs it; standard library only).

quality SET.json: loads a labelled set through the public API (enterprises, experts and
academicians, demands with their industry; archived experts archived, consent as given),
asks GET /api/v1/demands/{id}/matches?limit=10 for every demand and prints
    demands N missing M excluded_offered K
    nDCG@10 x recall@10 x P@5 x MRR x
with the definitions of the set's score.py. The run is written to RUN.json for checking.

latency: GET /api/v1/demands/{id}/matches for the database's demands with 1 and 16
concurrent clients; prints p50/p95/p99 and throughput.
"""
import argparse
import http.client
import json
import math
import random
import sys
import threading
import time

TITLES = {
    "研究员": "senior", "教授": "senior", "正高级工程师": "senior", "院士": "senior",
    "副研究员": "associate_senior", "副教授": "associate_senior", "高级工程师": "associate_senior",
    "工程师": "intermediate", "讲师": "intermediate", "助理研究员": "intermediate",
}
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


class Api:
    def __init__(self, port, token):
        self.port, self.token = port, token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method, path, body=None):
        headers = {"Authorization": "Bearer " + self.token}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                self.conn.request(method, path, data, headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                return resp.status, (json.loads(raw) if raw else None)
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        raise RuntimeError("unreachable")

    def must(self, method, path, body=None, ok=(200, 201)):
        status, doc = self.call(method, path, body)
        if status not in ok:
            sys.exit(f"{method} {path} answered {status}: {json.dumps(doc, ensure_ascii=False)}")
        return doc


def credit_code(n):
    """A valid unified social credit code (GB 32100) of Yangzhou whose serial is n."""
    body = "91321000MA" + f"{n:07d}"
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS))
    return body + CREDIT_CHARS[(31 - total % 31) % 31]


def code_of(labelled):
    """'460 机械工程' -> '460'."""
    return labelled.split()[0] if labelled else None


def load(api, data):
    enterprises, experts, demands = {}, {}, {}
    for d in data["demands"]:
        name = d["enterprise"]
        if name not in enterprises:
            doc = api.must("POST", "/api/v1/enterprises", {
                "name": name, "credit_code": credit_code(len(enterprises) + 1),
                "region_code": "321000"})
            enterprises[name] = doc["id"]
    for e in data["experts"]:
        academician = e.get("kind") == "academician"
        body = {
            "name": e["name"], "title": TITLES.get(e.get("title"), "other"),
            "affiliation": e.get("affiliation") or None,
            "discipline_codes": [c for c in [code_of(e.get("discipline"))] if c],
            "industry_codes": [code_of(i) for i in e.get("industries", [])],
            "research_fields": e.get("research_fields") or None,
            "keywords": e.get("keywords", []), "consent": bool(e.get("consent")),
        }
        if academician:
            body["academy"] = e.get("academy", "CAE")
        doc = api.must("POST", "/api/v1/academicians" if academician else "/api/v1/experts", body)
        experts[e["key"]] = doc["id"]
        if e.get("status") == "archived":
            api.must("POST", f"/api/v1/experts/{doc['id']}/archive")
    for d in data["demands"]:
        doc = api.must("POST", "/api/v1/demands", {
            "enterprise_id": enterprises[d["enterprise"]], "title": d["title"],
            "description": d.get("description", ""), "kind": "technical_problem",
            "industry_code": code_of(d.get("industry")), "keywords": d.get("keywords", []),
            "region_code": "321000"})
        demands[d["key"]] = doc["id"]
    return experts, demands


def ndcg(ranked, rel, k=10):
    dcg = sum((2 ** rel.get(e, 0) - 1) / math.log2(i + 2) for i, e in enumerate(ranked[:k]))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def score(data, run):
    excluded = set(data["excluded"])
    n = len(data["demands"])
    s_ndcg = s_recall = s_p5 = s_mrr = 0.0
    bad = missing = 0
    for d in data["demands"]:
        rel = data["qrels"].get(d["key"], {})
        ranked = run.get(d["key"])
        if ranked is None:
            missing += 1
            continue
        bad += sum(1 for e in ranked if e in excluded)
        s_ndcg += ndcg(ranked, rel)
        strong = {e for e, g in rel.items() if g >= 2}
        s_recall += len(strong & set(ranked[:10])) / min(10, len(strong)) if strong else 0.0
        s_p5 += sum(1 for e in ranked[:5] if rel.get(e, 0) >= 1) / 5
        s_mrr += next((1 / (i + 1) for i, e in enumerate(ranked) if rel.get(e, 0) >= 1), 0.0)
    print(f"demands {n} missing {missing} excluded_offered {bad}")
    print(f"nDCG@10 {s_ndcg / n:.4f} recall@10 {s_recall / n:.4f} "
          f"P@5 {s_p5 / n:.4f} MRR {s_mrr / n:.4f}")
    return 1 if bad or missing else 0


def quality(args):
    data = json.load(open(args.set, encoding="utf-8"))
    api = Api(args.port, args.token)
    t0 = time.time()
    experts, demands = load(api, data)
    print(f"loaded {len(experts)} experts, {len(demands)} demands through the API in "
          f"{time.time() - t0:.1f} s", file=sys.stderr)
    if args.after_load:
        import subprocess
        subprocess.run(args.after_load, shell=True, check=True)
    key_of = {v: k for k, v in experts.items()}
    run = {}
    for key, did in demands.items():
        doc = api.must("GET", f"/api/v1/demands/{did}/matches?limit=10", ok=(200,))
        run[key] = [key_of.get(h["expert_id"], str(h["expert_id"])) for h in doc["items"]]
    if args.run:
        json.dump(run, open(args.run, "w"), ensure_ascii=False)
    return score(data, run)


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def latency(args):
    ids = [int(x) for x in open(args.ids).read().split()]
    for clients in (1, 16):
        per = max(args.requests // clients, 1)
        times, lock = [], threading.Lock()

        def worker(seed):
            api = Api(args.port, args.token)
            rnd = random.Random(seed)
            mine = []
            for _ in range(per):
                did = rnd.choice(ids)
                t = time.perf_counter()
                api.must("GET", f"/api/v1/demands/{did}/matches?limit=10", ok=(200,))
                mine.append((time.perf_counter() - t) * 1000)
            with lock:
                times.extend(mine)

        start = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        print(f"api   clients {clients:2d}  requests {len(times):5d}  "
              f"p50 {percentile(times, 50):7.1f} ms  p95 {percentile(times, 95):7.1f} ms  "
              f"p99 {percentile(times, 99):7.1f} ms  {len(times) / wall:7.1f} req/s")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["quality", "latency"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--set")
    ap.add_argument("--run")
    ap.add_argument("--after-load")
    ap.add_argument("--ids")
    ap.add_argument("--requests", type=int, default=320)
    args = ap.parse_args()
    return quality(args) if args.mode == "quality" else latency(args)


if __name__ == "__main__":
    sys.exit(main())
