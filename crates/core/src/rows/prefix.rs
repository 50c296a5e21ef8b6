//! Shared-prefix merging: documents that start with the same tokens (many
//! completions of one prompt, in RL or multi-sample fine-tuning) become one
//! *merged sequence* that stores the shared prefix once, laid out as a
//! depth-first flattening of the trie of its members.
//!
//! # Construction
//! Documents are sorted lexicographically by tokens (ties by index). In that
//! order a document's longest common prefix (LCP) with *any* earlier document
//! is its LCP with its predecessor, and sorted order is a depth-first order of
//! the trie. So each document adds exactly one new span to its sequence (its
//! tokens after that LCP; empty for a duplicate), and its path is the
//! predecessor's path cut to the LCP plus that span: every trie node is
//! stored once. Consecutive documents whose LCP is at least `min_prefix`
//! stay in one group (all members of a group then share the first
//! `min_prefix` tokens); a group whose flattened length would pass
//! `max_length` is cut before the document that would overflow it.
//! `O(T log n)` token comparisons for the sort (`T` tokens), then `O(T)`.
//!
//! # What a trainer gets
//! For each merged sequence: its tokens; per token the index of its parent
//! (previous token on its path, -1 at a root) and its position (depth - 1),
//! which define the tree attention mask (a token attends to itself and its
//! ancestors) and position ids; and per member document the spans of the
//! sequence whose concatenation is exactly that document, to rebuild its
//! loss (each document's spans end with its own tokens; its next-token
//! targets follow its path).
//!
//! # Attention cost and grouped balancing
//! Under the tree mask a token costs its depth (query-key pairs with its
//! ancestors and itself), so a sequence costs
//! [`PrefixMerge::attention_pairs`] `= sum of depths`, less than the
//! `sum L(L+1)/2` of its members packed apart, because shared tokens are
//! counted once. The grouped strategies weigh a plain document of `L` tokens
//! as `L^2` (about twice its `L(L+1)/2` pairs); to balance merged sequences
//! on the same scale pass `weights[i] = 2 * attention_pairs(i)` (and `L^2`
//! for unmerged documents) with the flattened length as the item length.
//! Weighing a merged sequence by its flattened length squared would
//! overstate its cost.

use super::Docs;
use crate::error::{ErrorKind, PackError, Result};
use crate::strategy::OptionName;

/// Merged sequences in flat form.
///
/// - sequence `s`: tokens `tokens[seq_offsets[s]..seq_offsets[s + 1]]`, with
///   `parent` and `position` aligned to `tokens` (parents are indices
///   relative to the sequence start);
/// - its member documents: `member_doc[member_offsets[s]..member_offsets[s + 1]]`;
/// - member `m`'s spans: `span_start/span_len[span_offsets[m]..span_offsets[m + 1]]`,
///   starts relative to the sequence start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrefixMerge {
    pub tokens: Vec<i32>,
    pub parent: Vec<i32>,
    pub position: Vec<i32>,
    pub seq_offsets: Vec<u32>,
    pub member_offsets: Vec<u32>,
    pub member_doc: Vec<u32>,
    pub span_offsets: Vec<u32>,
    pub span_start: Vec<u32>,
    pub span_len: Vec<u32>,
    /// `sum of depths` per sequence (see the module docs).
    pub attention_pairs: Vec<u64>,
    /// Tokens in the input documents.
    pub tokens_in: u64,
}

/// A view of one merged sequence.
#[derive(Clone, Copy, Debug)]
pub struct MergedSequence<'a> {
    merge: &'a PrefixMerge,
    s: usize,
}

impl<'a> MergedSequence<'a> {
    pub fn tokens(&self) -> &'a [i32] {
        let m = self.merge;
        &m.tokens[m.seq_offsets[self.s] as usize..m.seq_offsets[self.s + 1] as usize]
    }
    pub fn members(&self) -> std::ops::Range<usize> {
        self.merge.member_offsets[self.s] as usize..self.merge.member_offsets[self.s + 1] as usize
    }
    /// Spans `(start, len)` of member `m` (a global member index from [`Self::members`]).
    pub fn spans(&self, m: usize) -> impl Iterator<Item = (u32, u32)> + 'a {
        let r = self.merge.span_offsets[m] as usize..self.merge.span_offsets[m + 1] as usize;
        self.merge.span_start[r.clone()]
            .iter()
            .copied()
            .zip(self.merge.span_len[r].iter().copied())
    }
}

impl PrefixMerge {
    pub fn num_sequences(&self) -> usize {
        self.seq_offsets.len() - 1
    }
    pub fn sequence(&self, s: usize) -> MergedSequence<'_> {
        MergedSequence { merge: self, s }
    }
    /// Flattened length of each sequence (the token budget it needs when packed).
    pub fn lengths(&self) -> Vec<u32> {
        self.seq_offsets.windows(2).map(|w| w[1] - w[0]).collect()
    }
}

/// Merges documents sharing at least `min_prefix` leading tokens into
/// trie-flattened sequences of at most `max_length` tokens (see the module
/// docs). Every document is a member of exactly one sequence; a document
/// sharing no prefix is a sequence by itself.
///
/// Errors: `min_prefix` or `max_length` of 0 ([`ErrorKind::InvalidOption`]);
/// an empty document ([`ErrorKind::InvalidLength`]) or one longer than
/// `max_length` ([`ErrorKind::LengthExceedsCapacity`]), naming its index.
pub fn merge_prefixes(docs: &Docs, min_prefix: u32, max_length: u32) -> Result<PrefixMerge> {
    if min_prefix == 0 {
        return Err(PackError::zero_option(OptionName::MinPrefix));
    }
    if max_length == 0 {
        return Err(PackError::zero_option(OptionName::MaxLength));
    }
    let n = docs.num_docs();
    for d in 0..n {
        let l = docs.len_of(d);
        if l == 0 {
            return Err(PackError::at(
                ErrorKind::InvalidLength,
                d,
                0,
                format!("document {d} has no tokens"),
            ));
        }
        if l > max_length {
            return Err(PackError::at(
                ErrorKind::LengthExceedsCapacity,
                d,
                l,
                format!("document {d} has {l} tokens, more than maxLength {max_length}"),
            ));
        }
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by(|&a, &b| {
        docs.doc(a as usize)
            .cmp(docs.doc(b as usize))
            .then(a.cmp(&b))
    });

    let mut out = PrefixMerge {
        seq_offsets: vec![0],
        member_offsets: vec![0],
        span_offsets: vec![0],
        tokens_in: docs.tokens().len() as u64,
        ..Default::default()
    };
    // The current sequence starts at `seq_start`; `prev` is the previous
    // member's span range in the span arrays (its path).
    let mut seq_start = 0usize;
    let mut prev: Option<(usize, std::ops::Range<usize>)> = None; // (doc, span range)
    let mut pairs = 0u64;
    for &d in &order {
        let d = d as usize;
        let doc = docs.doc(d);
        let len = doc.len();
        let lcp = match &prev {
            Some((p, _)) => common_prefix(docs.doc(*p), doc),
            None => 0,
        };
        let seq_len = out.tokens.len() - seq_start;
        let join = prev.is_some()
            && lcp >= min_prefix as usize
            && seq_len + (len - lcp) <= max_length as usize;
        if !join {
            if prev.is_some() {
                close_sequence(&mut out, &mut pairs);
            }
            seq_start = out.tokens.len();
        }
        let shared = if join { lcp } else { 0 };
        // The path: the predecessor's spans cut to `shared` tokens, then the new span.
        let first_span = out.span_start.len();
        let mut parent = -1i32;
        if shared > 0 {
            let (_, range) = prev.as_ref().expect("joined a predecessor");
            let mut need = shared;
            for k in range.clone() {
                if need == 0 {
                    break;
                }
                let (s, l) = (out.span_start[k], out.span_len[k] as usize);
                let take = l.min(need);
                out.span_start.push(s);
                out.span_len.push(take as u32);
                parent = (s as usize + take - 1) as i32;
                need -= take;
            }
        }
        let new_start = out.tokens.len() - seq_start;
        let new_len = len - shared;
        if new_len > 0 {
            out.span_start.push(new_start as u32);
            out.span_len.push(new_len as u32);
            for (j, &t) in doc[shared..].iter().enumerate() {
                out.tokens.push(t);
                out.parent.push(if j == 0 {
                    parent
                } else {
                    (new_start + j - 1) as i32
                });
                out.position.push((shared + j) as i32);
            }
        }
        // Depths shared+1..=len are new nodes.
        let (a, b) = (shared as u64, len as u64);
        pairs += b * (b + 1) / 2 - a * (a + 1) / 2;
        out.member_doc.push(d as u32);
        out.span_offsets.push(out.span_start.len() as u32);
        prev = Some((d, first_span..out.span_start.len()));
    }
    if prev.is_some() {
        close_sequence(&mut out, &mut pairs);
    }
    Ok(out)
}

fn close_sequence(out: &mut PrefixMerge, pairs: &mut u64) {
    out.seq_offsets.push(out.tokens.len() as u32);
    out.member_offsets.push(out.member_doc.len() as u32);
    out.attention_pairs.push(std::mem::take(pairs));
}

fn common_prefix(a: &[i32], b: &[i32]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}
