//! Shared-prefix merge against a brute-force reference: documents rebuilt
//! exactly, every trie node stored once, lengths bounded, grouping by prefix.

mod common;

use common::flat;
use proptest::prelude::*;
use seqpack_core::rows::{merge_prefixes, Docs, PrefixMerge};
use seqpack_core::ErrorKind;
use std::collections::BTreeSet;

fn lcp(a: &[i32], b: &[i32]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Checks `m` for `docs` by brute force; returns the sequence of each document.
fn check(
    docs: &[Vec<i32>],
    m: &PrefixMerge,
    min_prefix: u32,
    max_length: u32,
) -> Result<Vec<usize>, TestCaseError> {
    let mut seq_of = vec![usize::MAX; docs.len()];
    let mut total_pairs = 0u64;
    for s in 0..m.num_sequences() {
        let seq = m.sequence(s);
        let toks = seq.tokens();
        let base = m.seq_offsets[s] as usize;
        prop_assert!(!toks.is_empty());
        prop_assert!(toks.len() <= max_length as usize);
        let parent = &m.parent[base..base + toks.len()];
        let position = &m.position[base..base + toks.len()];
        let mut prefixes: BTreeSet<Vec<i32>> = BTreeSet::new();
        let mut pairs = 0u64;
        for mi in seq.members() {
            let d = m.member_doc[mi] as usize;
            prop_assert_eq!(seq_of[d], usize::MAX, "document {} in two sequences", d);
            seq_of[d] = s;
            // Rebuild the document from its spans; follow parents along the path.
            let mut rebuilt = Vec::new();
            let mut path = Vec::new();
            for (start, len) in seq.spans(mi) {
                for t in start..start + len {
                    rebuilt.push(toks[t as usize]);
                    path.push(t as usize);
                }
            }
            prop_assert_eq!(&rebuilt, &docs[d]);
            for (depth, &t) in path.iter().enumerate() {
                prop_assert_eq!(position[t], depth as i32);
                let want_parent = if depth == 0 {
                    -1
                } else {
                    path[depth - 1] as i32
                };
                prop_assert_eq!(parent[t], want_parent);
            }
            for l in 1..=docs[d].len() {
                prefixes.insert(docs[d][..l].to_vec());
            }
        }
        // One token per distinct non-empty prefix of the members: each trie
        // node stored once, nothing else stored.
        prop_assert_eq!(prefixes.len(), toks.len());
        for p in &prefixes {
            pairs += p.len() as u64;
        }
        prop_assert_eq!(m.attention_pairs[s], pairs);
        total_pairs += pairs;
        // Members of a multi-document sequence share min_prefix tokens.
        let members: Vec<usize> = seq.members().map(|mi| m.member_doc[mi] as usize).collect();
        for &a in &members {
            for &b in &members {
                prop_assert!(a == b || lcp(&docs[a], &docs[b]) >= min_prefix as usize);
            }
        }
    }
    prop_assert!(
        seq_of.iter().all(|&s| s != usize::MAX),
        "a document is missing"
    );
    let apart: u64 = docs
        .iter()
        .map(|d| (d.len() * (d.len() + 1) / 2) as u64)
        .sum();
    prop_assert!(total_pairs <= apart);
    prop_assert_eq!(
        m.tokens_in,
        docs.iter().map(|d| d.len() as u64).sum::<u64>()
    );
    Ok(seq_of)
}

/// Documents as a few prompts with several completions each, over a small
/// alphabet so accidental shared prefixes happen too.
fn docs_strategy() -> impl Strategy<Value = Vec<Vec<i32>>> {
    prop::collection::vec(
        (
            prop::collection::vec(0i32..3, 0..8),
            prop::collection::vec(prop::collection::vec(0i32..3, 0..6), 1..5),
        ),
        0..8,
    )
    .prop_map(|groups| {
        let mut docs = Vec::new();
        for (prompt, completions) in groups {
            for c in completions {
                let mut d = prompt.clone();
                d.extend(c);
                if d.is_empty() {
                    d.push(7);
                }
                docs.push(d);
            }
        }
        docs
    })
    .prop_shuffle()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn merge_matches_the_brute_force_reference(docs in docs_strategy(), min_prefix in 1u32..5, slack in 0u32..30) {
        let longest = docs.iter().map(|d| d.len() as u32).max().unwrap_or(1);
        let max_length = longest + slack;
        let (tokens, offsets) = flat(&docs);
        let d = Docs::new(&tokens, &offsets).unwrap();
        let m = merge_prefixes(&d, min_prefix, max_length).unwrap();
        check(&docs, &m, min_prefix, max_length)?;
    }

    #[test]
    fn without_a_length_limit_groups_are_exactly_the_prefix_classes(docs in docs_strategy(), min_prefix in 1u32..5) {
        let (tokens, offsets) = flat(&docs);
        let d = Docs::new(&tokens, &offsets).unwrap();
        let m = merge_prefixes(&d, min_prefix, u32::MAX).unwrap();
        let seq_of = check(&docs, &m, min_prefix, u32::MAX)?;
        // Sharing min_prefix tokens is an equivalence on documents of at
        // least min_prefix tokens; each class is one sequence.
        for a in 0..docs.len() {
            for b in 0..docs.len() {
                let share = lcp(&docs[a], &docs[b]) >= min_prefix as usize;
                prop_assert_eq!(seq_of[a] == seq_of[b], a == b || share, "docs {} {}", a, b);
            }
        }
    }
}

#[test]
fn golden_prompt_with_three_completions() {
    let docs = vec![
        vec![1, 2, 3, 9],
        vec![1, 2, 3, 4, 5],
        vec![8],
        vec![1, 2, 3, 4, 6],
    ];
    let (tokens, offsets) = flat(&docs);
    let d = Docs::new(&tokens, &offsets).unwrap();
    let m = merge_prefixes(&d, 3, 100).unwrap();
    // Sorted: [1,2,3,4,5] [1,2,3,4,6] [1,2,3,9] | [8]
    assert_eq!(m.num_sequences(), 2);
    assert_eq!(m.sequence(0).tokens(), [1, 2, 3, 4, 5, 6, 9]);
    assert_eq!(m.parent[..7], [-1, 0, 1, 2, 3, 3, 2]);
    assert_eq!(m.position[..7], [0, 1, 2, 3, 4, 4, 3]);
    assert_eq!(m.member_doc, [1, 3, 0, 2]);
    let spans: Vec<Vec<(u32, u32)>> = m
        .sequence(0)
        .members()
        .map(|mi| m.sequence(0).spans(mi).collect())
        .collect();
    assert_eq!(
        spans,
        vec![vec![(0, 5)], vec![(0, 4), (5, 1)], vec![(0, 3), (6, 1)]]
    );
    assert_eq!(m.sequence(1).tokens(), [8]);
    // Depths 1..5, 5, 4: 1+2+3+4+5+5+4 = 24, against 15 + 15 + 10 apart.
    assert_eq!(m.attention_pairs, [24, 1]);
    assert_eq!(m.lengths(), [7, 1]);

    // A length limit cuts the group before the document that would overflow it.
    let m = merge_prefixes(&d, 3, 6).unwrap();
    assert_eq!(m.lengths(), [6, 4, 1]);
}

#[test]
fn errors_name_the_document() {
    let docs = vec![vec![1, 2], vec![], vec![3]];
    let (tokens, offsets) = flat(&docs);
    let d = Docs::new(&tokens, &offsets).unwrap();
    let e = merge_prefixes(&d, 1, 10).unwrap_err();
    assert_eq!((e.kind, e.index), (ErrorKind::InvalidLength, Some(1)));
    let docs = vec![vec![1, 2], vec![1, 2, 3, 4]];
    let (tokens, offsets) = flat(&docs);
    let d = Docs::new(&tokens, &offsets).unwrap();
    let e = merge_prefixes(&d, 1, 3).unwrap_err();
    assert_eq!(
        (e.kind, e.index),
        (ErrorKind::LengthExceedsCapacity, Some(1))
    );
    assert_eq!(
        merge_prefixes(&d, 0, 3).unwrap_err().kind,
        ErrorKind::InvalidOption
    );
    assert_eq!(
        merge_prefixes(&d, 1, 0).unwrap_err().kind,
        ErrorKind::InvalidOption
    );
}
