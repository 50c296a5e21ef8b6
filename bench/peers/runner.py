"""Times one Python peer for bench/peers.mjs.

Usage: runner.py <contender>   (names in contenders.py)

Protocol: one JSON object per line on stdin, one JSON reply per line on stdout.
  {"op": "load", "id": K, "file": PATH, "capacity": C}  -> {"ok": true}
      reads little-endian u32 lengths and converts them to the contender's
      natural input type (NumPy int64 array or list), OUTSIDE the timed region
  {"op": "run", "id": K}  -> {"ns": T, "bins": B}
      T = nanoseconds of exactly one library call (perf_counter_ns around it);
      B = number of bins, counted after the clock stopped; the result is then
      freed, also outside the clock
  {"op": "drop", "id": K} -> {"ok": true}
The orchestrator interleaves "run" requests across contenders round by round,
so every contender sees the same machine state; it does the warm-up and the
medians itself.
"""
import gc
import json
import sys
import time

import numpy as np

import contenders


def main():
    name = sys.argv[1]
    c = contenders.CONTENDERS[name]
    cases = {}
    out = sys.stdout
    out.write(json.dumps({"ready": True, "version": contenders.version(name)}) + "\n")
    out.flush()
    for line in sys.stdin:
        msg = json.loads(line)
        try:
            if msg["op"] == "load":
                raw = np.fromfile(msg["file"], dtype="<u4")
                cases[msg["id"]] = c.prepare(raw, int(msg["capacity"]))
                reply = {"ok": True}
            elif msg["op"] == "run":
                args = c.fresh(cases[msg["id"]])
                gc.collect()
                gc.disable()
                t0 = time.perf_counter_ns()
                result = c.call(*args)
                t1 = time.perf_counter_ns()
                gc.enable()
                reply = {"ns": t1 - t0, "bins": c.bins(result)}
                # Free this result here, outside the clock: otherwise the next
                # call's assignment would free it inside the timed region.
                del result, args
            elif msg["op"] == "drop":
                cases.pop(msg["id"], None)
                reply = {"ok": True}
            else:
                reply = {"error": "unknown op " + str(msg["op"])}
        except Exception as e:  # reported to the orchestrator, never swallowed
            gc.enable()
            reply = {"error": type(e).__name__ + ": " + str(e)}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
