//! Test and example helpers: deterministic documents, and packed rows from
//! seqpack-core's own materialisation (next-fit with over-long documents
//! split into capacity-sized pieces), the rows the writers are given in use.
#![allow(dead_code)]

use seqpack_core::rows::{self, Overflow, PackedRows, RowsOptions};
use seqpack_core::{Control, Request, Strategy};
use std::io::Write;
use std::path::Path;

/// SplitMix64 (deterministic on every platform), the core tests' generator.
#[path = "../../../core/tests/common/mod.rs"]
mod common;
pub use common::Lcg as Rng;

/// Flat documents: doc i is tokens[offsets[i]..offsets[i+1]].
#[derive(Debug, Clone, PartialEq)]
pub struct Docs {
    pub tokens: Vec<i32>,
    pub offsets: Vec<u32>,
}

impl Docs {
    pub fn num_docs(&self) -> usize {
        self.offsets.len() - 1
    }
    pub fn doc(&self, i: usize) -> &[i32] {
        &self.tokens[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
    pub fn from_vecs(v: &[Vec<i32>]) -> Docs {
        let mut d = Docs { tokens: vec![], offsets: vec![0] };
        for x in v {
            d.tokens.extend_from_slice(x);
            d.offsets.push(d.tokens.len() as u32);
        }
        d
    }
}

/// Real document lengths bundled with the repository (GPT-2 token counts).
pub fn real_lengths() -> Vec<u32> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/docs.u32");
    let b = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    b.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

/// About `target_tokens` tokens in documents whose lengths are resampled
/// from the bundled real lengths; token ids uniform in 0..50257 (GPT-2 vocab).
pub fn gen_docs(target_tokens: usize, seed: u64) -> Docs {
    let lens = real_lengths();
    let mut rng = Rng(seed);
    let mut d = Docs { tokens: Vec::with_capacity(target_tokens + 8192), offsets: vec![0] };
    while d.tokens.len() < target_tokens {
        let l = lens[rng.below(lens.len() as u64) as usize];
        for _ in 0..l {
            d.tokens.push(rng.below(50257) as i32);
        }
        d.offsets.push(d.tokens.len() as u32);
    }
    d
}

/// Writes `{"input_ids": [...]}` lines (the shape TRL/HF users produce).
pub fn write_jsonl(path: &Path, docs: &Docs, field: &str) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..docs.num_docs() {
        write!(w, "{{\"{field}\": [").unwrap();
        for (k, t) in docs.doc(i).iter().enumerate() {
            if k > 0 {
                w.write_all(b", ").unwrap();
            }
            write!(w, "{t}").unwrap();
        }
        w.write_all(b"]}\n").unwrap();
    }
}

pub use seqpack_core::rows::Labels;

/// Next-fit over pieces of at most `capacity` tokens (no shuffle), as
/// seqpack-core's `pack_rows` materialises them.
pub fn reference_rows(docs: &Docs, capacity: u32, labels: Labels, pad_id: i32, ignore: i32) -> PackedRows {
    let request = Request::builder(Strategy::Nf).capacity(capacity).build().unwrap();
    let opts = RowsOptions {
        overflow: Overflow::Split,
        pad_id,
        ignore_index: ignore,
        labels,
        ..RowsOptions::new(request)
    };
    let docs = rows::Docs::new(&docs.tokens, &docs.offsets).unwrap();
    rows::pack_rows(&docs, &opts, &Control::none()).unwrap()
}
