#!/usr/bin/env python3
"""Independent checker for seqpack's packed-row files.

Written against the documented conventions only (no seqpack code): given a
packed output (Parquet, or Arrow IPC file/stream) and the source JSONL of
token lists, verify

* columns and dtypes: input_ids/labels/position_ids as (fixed_size_)list<int32>,
  attention_mask as (fixed_size_)list<int8>, seq_lens/doc_ids/doc_starts as
  list<int32> (doc_ids/doc_starts may also be uint32/int64);
* shapes: every per-token list holds exactly `capacity` values; the segments
  of a row fit in it; every segment is non-empty;
* contents: each document's tokens come back exactly once and in order from
  doc_ids/doc_starts/seq_lens (the segments of a document tile it from 0 to its
  length; with --allow-partial, as for truncate/drop, they tile a prefix and
  documents may be absent); tokens sit at the segment's cells, left-aligned in
  the row in segment order; positions restart at 0 per segment; padding has
  pad_id, label ignore_index, mask 0, position 0;
* labels: unshifted (labels[t] = input_ids[t], ignore_index at each segment's
  first token) or shifted (labels[t] = input_ids[t+1] inside the segment,
  ignore_index at each segment's last token);
* when `datasets` is importable, that `datasets.Dataset.from_parquet` (Parquet)
  loads the file with the same rows and row 0 equal to pyarrow's view.

--self-test additionally corrupts the loaded data in several ways and checks
that each corruption is detected (so the checker itself can fail).

Uses pyarrow and numpy (a pyarrow/datasets dependency); `datasets` optional.
Exit 0 when the file is valid, 1 when not, 2 on usage errors.
"""
import argparse
import json
import sys

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

TOKEN_COLS = ("input_ids", "labels", "position_ids", "attention_mask")
SEG_COLS = ("seq_lens", "doc_ids", "doc_starts")


class Invalid(Exception):
    pass


def load_table(path):
    if path.endswith(".parquet") or path.endswith(".pq"):
        return pq.read_table(path), "parquet"
    if path.endswith(".jsonl") or path.endswith(".ndjson"):
        # One object per row; the dtypes are the documented ones, so read with
        # them (a value that does not fit fails the read).
        import pyarrow.json as pj
        schema = pa.schema([(c, pa.list_(pa.int8() if c == "attention_mask" else pa.int32())) for c in TOKEN_COLS + SEG_COLS])
        return pj.read_json(path, parse_options=pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")), "jsonl"
    with pa.memory_map(path) as src:
        try:
            return ipc.open_file(src).read_all(), "arrow-file"
        except pa.ArrowInvalid:
            pass
    with pa.memory_map(path) as src:
        return ipc.open_stream(src).read_all(), "arrow-stream"


def load_jsonl(path, field):
    offsets = [0]
    toks = []
    with open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            v = json.loads(line)
            doc = v if isinstance(v, list) else v[field]
            for t in doc:
                if not isinstance(t, int) or isinstance(t, bool):
                    raise Invalid(f"source document {len(offsets) - 1}: non-integer token {t!r}")
            toks.extend(doc)
            offsets.append(len(toks))
    return np.asarray(toks, dtype=np.int64), np.asarray(offsets, dtype=np.int64)


def list_parts(col, name):
    """(values ndarray, offsets ndarray, fixed size or None) of a list column."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    t = col.type
    if col.null_count:
        raise Invalid(f"{name}: {col.null_count} null rows")
    if pa.types.is_fixed_size_list(t):
        size = t.list_size
        vals = col.flatten()
        offs = np.arange(len(col) + 1, dtype=np.int64) * size
        return vals, offs, size
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        offs = np.asarray(col.offsets, dtype=np.int64)
        vals = col.values.slice(offs[0], offs[-1] - offs[0])
        return vals, offs - offs[0], None
    raise Invalid(f"{name}: type {t} is not a list")


def extract(table, capacity=None):
    """Column arrays as numpy, with dtype and shape checks."""
    missing = [c for c in TOKEN_COLS + SEG_COLS if c not in table.column_names]
    if missing:
        raise Invalid(f"missing columns {missing} (have {table.column_names})")
    n = table.num_rows
    if n == 0:
        raise Invalid("no rows")
    out = {"num_rows": n}
    for c in TOKEN_COLS:
        vals, offs, size = list_parts(table.column(c), c)
        want = pa.int8() if c == "attention_mask" else pa.int32()
        if vals.type != want:
            raise Invalid(f"{c}: values are {vals.type}, expected {want}")
        if vals.null_count:
            raise Invalid(f"{c}: null values")
        lens = np.diff(offs)
        cap = size if size is not None else int(lens[0])
        if capacity is None:
            capacity = cap
        if cap != capacity or not np.all(lens == capacity):
            bad = int(np.nonzero(lens != capacity)[0][0]) if not np.all(lens == capacity) else 0
            raise Invalid(f"{c}: row {bad} has {int(lens[bad])} values, expected capacity {capacity}")
        out[c] = vals.to_numpy(zero_copy_only=False).astype(np.int64).reshape(n, capacity)
    out["capacity"] = capacity
    seg_offsets = None
    for c in SEG_COLS:
        vals, offs, _ = list_parts(table.column(c), c)
        allowed = (pa.int32(),) if c == "seq_lens" else (pa.int32(), pa.uint32(), pa.int64())
        if vals.type not in allowed:
            raise Invalid(f"{c}: values are {vals.type}, expected one of {[str(a) for a in allowed]}")
        if seg_offsets is None:
            seg_offsets = offs
        elif not np.array_equal(seg_offsets, offs):
            raise Invalid(f"{c}: per-row segment counts differ from seq_lens")
        out[c] = vals.to_numpy(zero_copy_only=False).astype(np.int64)
    out["seg_offsets"] = seg_offsets
    return out


def verify(a, src_tokens, src_offsets, labels="unshifted", pad_id=0, ignore_index=-100, allow_partial=False):
    n, cap = a["num_rows"], a["capacity"]
    seg_off = a["seg_offsets"]
    lens, docs, starts = a["seq_lens"], a["doc_ids"], a["doc_starts"]
    ids, lab, pos, mask = a["input_ids"], a["labels"], a["position_ids"], a["attention_mask"]
    n_docs = len(src_offsets) - 1
    S = len(lens)
    if S == 0:
        raise Invalid("no segments")
    if np.any(lens <= 0):
        raise Invalid(f"segment {int(np.nonzero(lens <= 0)[0][0])} has length <= 0")
    if np.any(docs < 0) or np.any(docs >= n_docs):
        raise Invalid(f"doc_ids outside 0..{n_docs - 1}")
    doc_len = np.diff(src_offsets)
    if np.any(starts < 0) or np.any(starts + lens > doc_len[docs]):
        s = int(np.nonzero((starts < 0) | (starts + lens > doc_len[docs]))[0][0])
        raise Invalid(f"segment {s} (doc {int(docs[s])}, start {int(starts[s])}, len {int(lens[s])}) runs past its document (len {int(doc_len[docs[s]])})")
    counts = np.diff(seg_off)
    seg_row = np.repeat(np.arange(n), counts)
    cum = np.cumsum(lens)
    seg_begin = cum - lens  # global start if all segments were laid end to end
    row_first = seg_off[:-1]
    row_base = np.concatenate([[0], cum])[row_first]
    in_row = seg_begin - row_base[seg_row]
    used = np.zeros(n, dtype=np.int64)
    np.add.at(used, seg_row, lens)
    if np.any(used > cap):
        r = int(np.nonzero(used > cap)[0][0])
        raise Invalid(f"row {r}: segments total {int(used[r])} tokens, over capacity {cap}")
    # Per token of every segment: its cell, offset in segment, source index.
    T = int(cum[-1])
    tok_seg = np.repeat(np.arange(S), lens)
    off = np.arange(T) - seg_begin[tok_seg]
    cell = seg_row[tok_seg] * cap + in_row[tok_seg] + off
    src_idx = src_offsets[docs[tok_seg]] + starts[tok_seg] + off
    flat = lambda x: x.reshape(-1)
    if not np.array_equal(flat(ids)[cell], src_tokens[src_idx]):
        k = int(np.nonzero(flat(ids)[cell] != src_tokens[src_idx])[0][0])
        raise Invalid(f"row {int(cell[k] // cap)} position {int(cell[k] % cap)}: input_ids {int(flat(ids)[cell[k]])}, source doc {int(docs[tok_seg[k]])} token {int(starts[tok_seg[k]] + off[k])} is {int(src_tokens[src_idx[k]])}")
    exp_pos = np.zeros(n * cap, dtype=np.int64)
    exp_pos[cell] = off
    exp_mask = np.zeros(n * cap, dtype=np.int64)
    exp_mask[cell] = 1
    exp_ids = np.full(n * cap, pad_id, dtype=np.int64)
    exp_ids[cell] = src_tokens[src_idx]
    exp_lab = np.full(n * cap, ignore_index, dtype=np.int64)
    if labels == "unshifted":
        keep = off > 0
        exp_lab[cell[keep]] = src_tokens[src_idx[keep]]
    else:
        keep = off < lens[tok_seg] - 1
        exp_lab[cell[keep]] = src_tokens[src_idx[keep] + 1]
    for name, got, want in (("input_ids", ids, exp_ids), ("position_ids", pos, exp_pos), ("attention_mask", mask, exp_mask), ("labels", lab, exp_lab)):
        g = flat(got)
        if not np.array_equal(g, want):
            k = int(np.nonzero(g != want)[0][0])
            raise Invalid(f"{name}: row {k // cap} position {k % cap} is {int(g[k])}, expected {int(want[k])} ({'padding' if exp_mask[k] == 0 else 'token'}, labels={labels})")
    # Every document back exactly once, in order: its segments tile [0, len).
    order = np.lexsort((starts, docs))
    d, s, l = docs[order], starts[order], lens[order]
    first = np.ones(S, dtype=bool)
    first[1:] = d[1:] != d[:-1]
    if np.any(s[first] != 0):
        k = int(np.nonzero(first & (s != 0))[0][0])
        raise Invalid(f"document {int(d[k])}: first segment starts at {int(s[k])}, not 0")
    cont = ~first
    prev_end = np.concatenate([[0], s[:-1] + l[:-1]])
    if np.any(s[cont] != prev_end[cont]):
        k = int(np.nonzero(cont & (s != prev_end))[0][0])
        raise Invalid(f"document {int(d[k])}: segment at {int(s[k])} does not follow the previous one ending at {int(prev_end[k])} (gap or overlap)")
    last = np.ones(S, dtype=bool)
    last[:-1] = d[1:] != d[:-1]
    present = np.zeros(n_docs, dtype=bool)
    present[d] = True
    nonempty = doc_len > 0
    if not allow_partial:
        if np.any(s[last] + l[last] != doc_len[d[last]]):
            k = int(np.nonzero(last & (s + l != doc_len[d]))[0][0])
            raise Invalid(f"document {int(d[k])}: segments cover {int(s[k] + l[k])} of its {int(doc_len[d[k]])} tokens")
        if np.any(nonempty & ~present):
            raise Invalid(f"document {int(np.nonzero(nonempty & ~present)[0][0])} is missing from the output")
    return {"rows": n, "segments": S, "docs": int(present.sum()), "tokens": T, "capacity": cap}


def check_datasets(path, kind, a):
    try:
        import datasets  # noqa: F401
    except ImportError:
        return "datasets not installed: skipped"
    import datasets
    datasets.disable_progress_bars()
    if kind == "parquet":
        ds = datasets.Dataset.from_parquet(path)
    elif kind == "arrow-stream":
        ds = datasets.Dataset.from_file(path)
    else:
        # Dataset.from_file reads the IPC stream layout (its cache format);
        # an IPC *file* is loaded through pyarrow into a Dataset instead.
        with pa.memory_map(path) as src:
            ds = datasets.Dataset(ipc.open_file(src).read_all())
    if len(ds) != a["num_rows"]:
        raise Invalid(f"datasets sees {len(ds)} rows, pyarrow {a['num_rows']}")
    ds = ds.with_format("numpy")
    row = ds[0]
    for c in TOKEN_COLS:
        v = np.asarray(row[c])
        if v.shape != (a["capacity"],) or not np.array_equal(v.astype(np.int64), a[c][0]):
            raise Invalid(f"datasets row 0 {c} differs from pyarrow's (shape {v.shape})")
    k0, k1 = a["seg_offsets"][0], a["seg_offsets"][1]
    if not np.array_equal(np.asarray(row["seq_lens"]).astype(np.int64), a["seq_lens"][k0:k1]):
        raise Invalid("datasets row 0 seq_lens differs")
    return f"datasets {datasets.__version__} loads it: {len(ds)} rows, features {dict((k, str(v)) for k, v in ds.features.items())}"


def self_test(a, src_tokens, src_offsets, kw):
    """Each corruption must be rejected; returns the number detected."""
    import copy
    cap = a["capacity"]
    seg0 = int(a["seq_lens"][0])

    def m_swap(b):
        r = b["input_ids"][0]
        r[0], r[1] = r[1], r[0] + (1 if r[0] == r[1] else 0)

    def m_label_first(b):
        b["labels"][0][0] = b["input_ids"][0][0] if kw["labels"] == "unshifted" else kw["ignore_index"] + 1

    def m_label_last(b):
        b["labels"][0][seg0 - 1] = 12345

    def m_pos(b):
        b["position_ids"][0][seg0 - 1] += 1

    def m_mask(b):
        b["attention_mask"][0][0] = 0

    def m_pad(b):
        # A row with padding gets a non-pad id in it, or mask 1 on padding.
        used = np.zeros(b["num_rows"], dtype=np.int64)
        np.add.at(used, np.repeat(np.arange(b["num_rows"]), np.diff(b["seg_offsets"])), b["seq_lens"])
        r = int(np.argmin(used))
        if used[r] == cap:
            b["seq_lens"][0] -= 1  # no padding anywhere: shorten instead
        else:
            b["attention_mask"][r][cap - 1] = 1

    def m_doc(b):
        b["doc_ids"][0] = (b["doc_ids"][0] + 1) % (len(src_offsets) - 1)

    def m_start(b):
        b["doc_starts"][0] += 1

    def m_len(b):
        b["seq_lens"][-1] -= 1 if b["seq_lens"][-1] > 1 else -1

    def m_drop_row(b):
        for c in TOKEN_COLS:
            b[c] = b[c][1:]
        k = b["seg_offsets"][1]
        for c in SEG_COLS:
            b[c] = b[c][k:]
        b["seg_offsets"] = b["seg_offsets"][1:] - k
        b["num_rows"] -= 1

    def m_source(b):
        pass  # the source changes instead, below

    muts = [m_swap, m_label_first, m_label_last, m_pos, m_mask, m_pad, m_doc, m_start, m_len, m_drop_row, m_source]
    detected = 0
    for m in muts:
        b = copy.deepcopy(a)
        st = src_tokens
        m(b)
        if m is m_source:
            st = src_tokens.copy()
            st[len(st) // 2] += 1
        if m is m_drop_row and b["num_rows"] == 0:
            detected += 1
            continue
        try:
            verify(b, st, src_offsets, **kw)
            print(f"self-test: corruption {m.__name__} NOT detected", file=sys.stderr)
        except Invalid as e:
            detected += 1
            print(f"self-test: {m.__name__} detected: {e}")
    return detected, len(muts)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("packed", help="packed rows: .parquet, .arrow (IPC file or stream) or .arrows")
    p.add_argument("source", help="the source JSONL of token lists")
    p.add_argument("--field", default="input_ids")
    p.add_argument("--capacity", type=int)
    p.add_argument("--labels", choices=["unshifted", "shifted"], default="unshifted")
    p.add_argument("--pad-id", type=int, default=0)
    p.add_argument("--ignore-index", type=int, default=-100)
    p.add_argument("--allow-partial", action="store_true", help="documents may be truncated or dropped (overflow truncate/drop)")
    p.add_argument("--no-datasets", action="store_true")
    p.add_argument("--self-test", action="store_true", help="also check that corruptions of this file are detected")
    o = p.parse_args()
    kw = dict(labels=o.labels, pad_id=o.pad_id, ignore_index=o.ignore_index, allow_partial=o.allow_partial)
    try:
        table, kind = load_table(o.packed)
        a = extract(table, o.capacity)
        src_tokens, src_offsets = load_jsonl(o.source, o.field)
        summary = verify(a, src_tokens, src_offsets, **kw)
        ds = "datasets: skipped" if o.no_datasets else check_datasets(o.packed, kind, a)
    except Invalid as e:
        print(f"check_rows: INVALID {o.packed}: {e}", file=sys.stderr)
        return 1
    print(f"check_rows: OK {o.packed} ({kind}): {summary}, labels={o.labels}")
    print(f"check_rows: schema {table.schema.to_string(show_schema_metadata=False)}".replace("\n", "; "))
    print(f"check_rows: {ds}")
    if o.self_test:
        det, total = self_test(a, src_tokens, src_offsets, kw)
        print(f"self-test: {det} of {total} corruptions detected")
        if det != total:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
