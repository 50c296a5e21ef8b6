"""The Python peers, each as: prepare (untimed: convert the lengths to the
library's natural input type), fresh (untimed: per-call arguments, e.g. a copy
for a library that mutates its input), call (THE timed region: one library
call, output in its native form) and bins (untimed: count the bins)."""
from importlib import metadata

import numpy as np


class Contender:
    def __init__(self, package, prepare, call, bins, fresh=None):
        self.package = package
        self.prepare = prepare
        self.call = call
        self.bins = bins
        self.fresh = fresh or (lambda args: args)


def version(name):
    return metadata.version(CONTENDERS[name].package)


def seqpacker(strategy):
    import seqpacker as sp

    # Packer.pack_flat on a NumPy int64 array: seqpacker's fastest documented path.
    return Contender(
        "seqpacker",
        lambda raw, cap: (sp.Packer(cap, strategy=strategy), raw.astype(np.int64)),
        lambda packer, arr: packer.pack_flat(arr),
        # (items_flat, split points): bins = split points + 1 for a non-empty input
        lambda r: len(r[1]) + 1 if len(r[0]) else 0,
    )


def lightbinpack(fn_name):
    import lightbinpack as lbp

    fn = getattr(lbp, fn_name)
    # LightBinPack's binding takes a std::vector<int>: a Python list (what its
    # own examples pass) converts faster than a NumPy array, so it gets a list.
    return Contender(
        "lightbinpack",
        lambda raw, cap: (raw.tolist(), cap),
        lambda lst, cap: fn(lst, cap),
        lambda r: len(r),
    )


def lightbinpack_grouped(fn_name):
    import lightbinpack as lbp

    fn = getattr(lbp, fn_name)
    # Device capacities for a case of capacity C, as bench/peers.mjs
    # (GROUPED_OPTIONS) gives them to seqpack.
    def layouts(cap):
        first = [2 * cap, cap, cap, cap // 2]
        return first if fn_name == "ohgbfd" else [first, [cap] * 4]

    # ohgbfd returns groups of bins; oshgbfd (layout number, groups of bins).
    def bins(r):
        return sum(len(g) for g in r) if fn_name == "ohgbfd" else sum(len(g[1]) for g in r)

    return Contender(
        "lightbinpack",
        lambda raw, cap: (raw.tolist(), layouts(cap)),
        lambda lst, lay: fn(lst, lay),
        bins,
    )


def binpacking_volume():
    import binpacking

    return Contender(
        "binpacking",
        lambda raw, cap: (raw.tolist(), cap),
        lambda lst, cap: binpacking.to_constant_volume(lst, cap),
        lambda r: len(r),
        fresh=lambda args: (list(args[0]), args[1]),
    )


def prtpy_ffd():
    import prtpy

    return Contender(
        "prtpy",
        lambda raw, cap: (raw.tolist(), cap),
        lambda lst, cap: prtpy.pack(algorithm=prtpy.packing.first_fit_decreasing, binsize=cap, items=lst),
        lambda r: len(r),
        fresh=lambda args: (list(args[0]), args[1]),
    )


# Same-named strategies each peer ships (grouped ones take other arguments).
SEQPACKER_STRATEGIES = ["nf", "ff", "bf", "wf", "hk", "ffd", "bfd", "ffs", "mffd", "obfd", "obfdp"]
LIGHTBINPACK_STRATEGIES = ["nf", "ffd", "bfd", "obfd", "obfdp"]
LIGHTBINPACK_GROUPED = ["ohgbfd", "oshgbfd"]


class _Lazy(dict):
    """Imports a library only when its contender is asked for."""

    FACTORIES = {
        **{f"seqpacker-{s}": (lambda s=s: seqpacker(s)) for s in SEQPACKER_STRATEGIES},
        **{f"lightbinpack-{s}": (lambda s=s: lightbinpack(s)) for s in LIGHTBINPACK_STRATEGIES},
        **{f"lightbinpack-{s}": (lambda s=s: lightbinpack_grouped(s)) for s in LIGHTBINPACK_GROUPED},
        "binpacking-ffd": binpacking_volume,
        "prtpy-ffd": prtpy_ffd,
    }

    def __missing__(self, key):
        if key not in self.FACTORIES:
            raise KeyError(f"unknown contender {key}; known: {', '.join(self.FACTORIES)}")
        self[key] = self.FACTORIES[key]()
        return self[key]


CONTENDERS = _Lazy()
