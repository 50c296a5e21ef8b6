"""The Python baseline of the pipeline benchmark: Hugging Face datasets + TRL.

Reads a JSONL of {"input_ids": [...]}, packs with TRL's pack_dataset
(strategy "bfd_split": over-long documents are split into chunks) and writes
Parquet, timing each step and the whole. Prints one JSON line.
"""
import json
import sys
import time


def main():
    src, dst, capacity = sys.argv[1], sys.argv[2], int(sys.argv[3])
    t0 = time.perf_counter()
    from datasets import Dataset
    from trl import pack_dataset
    t_import = time.perf_counter()
    ds = Dataset.from_json(src, keep_in_memory=True)
    t_read = time.perf_counter()
    packed = pack_dataset(ds, capacity, strategy="bfd_split")
    t_pack = time.perf_counter()
    packed.to_parquet(dst)
    t_write = time.perf_counter()
    print(json.dumps({
        "rows": len(packed),
        "import_s": t_import - t0,
        "read_s": t_read - t_import,
        "pack_s": t_pack - t_read,
        "write_s": t_write - t_pack,
        "total_s": t_write - t_import,
    }))


if __name__ == "__main__":
    main()
