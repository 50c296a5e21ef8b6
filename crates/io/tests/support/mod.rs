//! Test and example helpers: deterministic documents and an independent,
//! deliberately simple reference materialisation of packed rows (next-fit
//! with over-long documents split into capacity-sized pieces), so the writers
//! can be tested before seqpack-core's `packRows` is wired in.
#![allow(dead_code)]

use seqpack_io::PackedRowsView;
use std::io::Write;
use std::path::Path;

/// SplitMix64: deterministic on every platform.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Labels {
    Unshifted,
    Shifted,
}

/// Owned packed rows in the `packRows` layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    pub capacity: u32,
    pub num_rows: usize,
    pub input_ids: Vec<i32>,
    pub labels: Vec<i32>,
    pub position_ids: Vec<i32>,
    pub attention_mask: Vec<u8>,
    pub row_segments: Vec<u32>,
    pub segment_doc: Vec<u32>,
    pub segment_start: Vec<u32>,
    pub segment_length: Vec<u32>,
}

impl Rows {
    pub fn view(&self) -> PackedRowsView<'_> {
        PackedRowsView {
            capacity: self.capacity,
            num_rows: self.num_rows,
            input_ids: &self.input_ids,
            labels: &self.labels,
            position_ids: &self.position_ids,
            attention_mask: &self.attention_mask,
            row_segments: &self.row_segments,
            segment_doc: &self.segment_doc,
            segment_start: &self.segment_start,
            segment_length: &self.segment_length,
        }
    }
}

/// Next-fit over pieces of at most `capacity` tokens, then materialised
/// token by token in the most direct way.
pub fn reference_rows(docs: &Docs, capacity: u32, labels: Labels, pad_id: i32, ignore: i32) -> Rows {
    let cap = capacity as usize;
    // Segments per row: (doc, start, len).
    let mut rows: Vec<Vec<(u32, u32, u32)>> = vec![];
    let mut fill = cap; // forces a new row first
    for d in 0..docs.num_docs() {
        let len = docs.doc(d).len();
        let mut start = 0;
        while start < len {
            let piece = (len - start).min(cap);
            if fill + piece > cap {
                rows.push(vec![]);
                fill = 0;
            }
            rows.last_mut().unwrap().push((d as u32, start as u32, piece as u32));
            fill += piece;
            start += piece;
        }
    }
    let n = rows.len();
    let mut r = Rows {
        capacity,
        num_rows: n,
        input_ids: vec![pad_id; n * cap],
        labels: vec![ignore; n * cap],
        position_ids: vec![0; n * cap],
        attention_mask: vec![0; n * cap],
        row_segments: vec![0],
        segment_doc: vec![],
        segment_start: vec![],
        segment_length: vec![],
    };
    for (ri, segs) in rows.iter().enumerate() {
        let mut at = ri * cap;
        for &(d, s, l) in segs {
            let toks = &docs.doc(d as usize)[s as usize..(s + l) as usize];
            for (p, &t) in toks.iter().enumerate() {
                r.input_ids[at + p] = t;
                r.position_ids[at + p] = p as i32;
                r.attention_mask[at + p] = 1;
                r.labels[at + p] = match labels {
                    Labels::Unshifted => if p == 0 { ignore } else { t },
                    Labels::Shifted => if p + 1 < toks.len() { toks[p + 1] } else { ignore },
                };
            }
            at += l as usize;
            r.segment_doc.push(d);
            r.segment_start.push(s);
            r.segment_length.push(l);
        }
        r.row_segments.push(r.segment_doc.len() as u32);
    }
    r
}
