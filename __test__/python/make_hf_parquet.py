#!/usr/bin/env python3
"""Writes a tokenised input dataset the way Hugging Face users have them:
`datasets.Dataset.from_dict({"input_ids": ...}).to_parquet(path)`.

Documents are deterministic: lengths resampled (seeded) from the bundled
real document lengths in data/docs.u32, token ids uniform in 0..50256.
With --jsonl, the same documents are also written as JSONL, so a test can
feed either file to seqpack and compare with one source of truth.

usage: make_hf_parquet.py OUT.parquet [--docs 1000] [--seed 1] [--dtype int32|int64] [--jsonl OUT.jsonl]
"""
import argparse
import json
import os
import random
import sys

import datasets
import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--docs", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dtype", choices=["int32", "int64"], default="int64",
                   help="token dtype of the list column (datasets infers int64 from Python ints)")
    p.add_argument("--lengths", default=os.path.join(os.path.dirname(__file__), "..", "..", "data", "docs.u32"))
    p.add_argument("--jsonl")
    o = p.parse_args()
    lens = np.fromfile(o.lengths, dtype="<u4")
    rng = random.Random(o.seed)
    docs = [[rng.randrange(50257) for _ in range(int(lens[rng.randrange(len(lens))]))] for _ in range(o.docs)]
    features = datasets.Features({"input_ids": datasets.Sequence(datasets.Value(o.dtype))})
    ds = datasets.Dataset.from_dict({"input_ids": docs}, features=features)
    ds.to_parquet(o.out)
    if o.jsonl:
        with open(o.jsonl, "w") as f:
            for d in docs:
                f.write(json.dumps({"input_ids": d}) + "\n")
    print(f"make_hf_parquet: {len(docs)} docs, {sum(map(len, docs))} tokens, input_ids: list<{o.dtype}> -> {o.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
