//! Converts a JSONL of token lists into packed rows and reports read and
//! write throughput.
//!
//! ```text
//! cargo run --release -p seqpack-io --example jsonl_to_parquet -- \
//!     [--tokens 20000000] [--capacity 4096] [--dir /tmp/seqpack-io] \
//!     [--labels unshifted|shifted] [--compression zstd|snappy|none] [--reps 3] [--sync] [--row-group 1024] [--input FILE]
//! ```
//!
//! Without `--input` it first generates `<dir>/input.jsonl` deterministically
//! (lengths resampled from the bundled real lengths in data/docs.u32, token
//! ids uniform in the GPT-2 vocabulary). Packing is seqpack-core's next-fit
//! with splitting (the tests' helper), timed apart and not what is being
//! measured here. Writes `<dir>/out.parquet` (and `out-dict.parquet`, token
//! ids dictionary-encoded), `<dir>/out.arrow` and `<dir>/out.jsonl`, the
//! inputs of `__test__/python/check_rows.py`. Times are medians over `--reps`.

#[path = "../tests/support/mod.rs"]
mod support;

use seqpack_io::*;
use std::path::PathBuf;
use std::time::Instant;
use support::*;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).map(|i| args.get(i + 1).cloned().unwrap_or_else(|| panic!("{name} needs a value")))
}

/// CPU seconds (user + system, all threads) of this process so far, from
/// /proc (0 elsewhere): with wall time, shows whether a write waited on the
/// disk or on other processes rather than computing.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(") ").next().unwrap_or("").split(' ').collect();
    let tick = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let tokens: usize = arg(&args, "--tokens").map(|s| s.parse().unwrap()).unwrap_or(20_000_000);
    let capacity: u32 = arg(&args, "--capacity").map(|s| s.parse().unwrap()).unwrap_or(4096);
    let dir = PathBuf::from(arg(&args, "--dir").unwrap_or_else(|| "/tmp/seqpack-io".into()));
    let reps: usize = arg(&args, "--reps").map(|s| s.parse().unwrap()).unwrap_or(3);
    let labels = match arg(&args, "--labels").as_deref() {
        None | Some("unshifted") => Labels::Unshifted,
        Some("shifted") => Labels::Shifted,
        Some(o) => panic!("--labels {o}?"),
    };
    let compression = match arg(&args, "--compression").as_deref() {
        None | Some("zstd") => Compression::Zstd(1),
        Some("snappy") => Compression::Snappy,
        Some("none") => Compression::None,
        Some(o) => panic!("--compression {o}?"),
    };
    std::fs::create_dir_all(&dir).unwrap();
    let input = match arg(&args, "--input") {
        Some(p) => PathBuf::from(p),
        None => {
            let p = dir.join("input.jsonl");
            let t = Instant::now();
            let docs = gen_docs(tokens, 0x5EED);
            write_jsonl(&p, &docs, "input_ids");
            eprintln!("generated {} docs, {} tokens in {:.2}s -> {}", docs.num_docs(), docs.tokens.len(), t.elapsed().as_secs_f64(), p.display());
            p
        }
    };
    let in_bytes = std::fs::metadata(&input).map_err(|e| Error::Io { file: input.display().to_string(), source: e })?.len() as f64;

    // Read: JSONL -> flat tokens + offsets.
    let mut times = vec![];
    let mut docs = None;
    for _ in 0..reps {
        let t = Instant::now();
        let d = read_tokens(&input, &ReadOptions::default())?;
        times.push(t.elapsed().as_secs_f64());
        docs = Some(d);
    }
    let d = docs.unwrap();
    let rt = median(times);
    let in_fmt = Format::from_path(&input)?.name();
    println!(
        "read  {in_fmt:<7} {:>8.1} MB in {:.3}s = {:>7.1} MB/s, {:>6.1} M tokens/s ({} docs, {} tokens)",
        in_bytes / 1e6,
        rt,
        in_bytes / 1e6 / rt,
        d.tokens.len() as f64 / 1e6 / rt,
        d.num_docs(),
        d.tokens.len()
    );
    // Streaming read with default chunks, for comparison.
    let t = Instant::now();
    let mut r = TokenReader::open(&input, &ReadOptions::default())?;
    let mut c = TokenChunk::default();
    let mut n = 0usize;
    while r.next_into(&mut c)? {
        n += c.tokens.len();
    }
    let st = t.elapsed().as_secs_f64();
    assert_eq!(n, d.tokens.len());
    println!("read  {in_fmt} streamed (chunks of {DEFAULT_CHUNK_DOCS} docs) {:.3}s = {:.1} MB/s", st, in_bytes / 1e6 / st);

    let docs = Docs { tokens: d.tokens, offsets: d.offsets };
    let t = Instant::now();
    let rows = reference_rows(&docs, capacity, labels, 0, -100);
    eprintln!("next-fit materialisation: {} rows in {:.2}s (not measured as seqpack)", rows.num_rows, t.elapsed().as_secs_f64());
    let view = PackedRowsView::from(&rows);
    let cell_bytes = (rows.num_rows * capacity as usize * 13) as f64; // 3 x int32 + int8 per cell

    let sync = args.iter().any(|a| a == "--sync");
    let row_group_rows: usize = arg(&args, "--row-group").map(|s| s.parse().unwrap()).unwrap_or(WriteOptions::default().row_group_rows);
    // `--only parquet` (or arrow, jsonl) times just that format.
    let only = arg(&args, "--only");
    let variants = [
        ("out.parquet", Format::Parquet, false),
        ("out-dict.parquet", Format::Parquet, true),
        ("out.arrow", Format::Arrow, false),
        ("out.jsonl", Format::Jsonl, false),
    ];
    for (name, format, dictionary) in variants {
        if only.as_deref().is_some_and(|o| o != format.name()) {
            continue;
        }
        let path = dir.join(name);
        let opts = WriteOptions { format: Some(format), compression, sync, dictionary, row_group_rows, ..Default::default() };
        let mut times = vec![];
        let mut cpu = vec![];
        let mut size = 0;
        for _ in 0..reps {
            let (t, c) = (Instant::now(), cpu_seconds());
            let s = write_rows(&path, &view, &opts)?;
            times.push(t.elapsed().as_secs_f64());
            cpu.push(cpu_seconds() - c);
            size = s.bytes;
        }
        let wt = median(times);
        println!(
            "write {:<16} {:>8.1} MB of rows in {:.3}s ({:.2}s CPU) = {:>7.1} MB/s ({:.1} M tokens/s), file {:.1} MB",
            name,
            cell_bytes / 1e6,
            wt,
            median(cpu),
            cell_bytes / 1e6 / wt,
            docs.tokens.len() as f64 / 1e6 / wt,
            size as f64 / 1e6
        );
        // Read back the packed file (Parquet/Arrow): the input_ids column.
        if format != Format::Jsonl {
            let t = Instant::now();
            let back = read_tokens(&path, &ReadOptions::default())?;
            let bt = t.elapsed().as_secs_f64();
            assert_eq!(back.tokens, rows.input_ids);
            println!("read  {:<7} input_ids column back in {:.3}s ({:.1} M cells/s)", format.name(), bt, back.tokens.len() as f64 / 1e6 / bt);
        }
    }
    println!("labels={labels:?} capacity={capacity} pad_id=0 ignore_index=-100 dir={}", dir.display());
    Ok(())
}
