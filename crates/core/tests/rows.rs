//! Packed training rows: every convention checked against a reference
//! materialisation written here, slot by slot, without the module's code.

mod common;

use common::flat;
use proptest::prelude::*;
use seqpack_core::rows::{pack_rows, Docs, Labels, Overflow, PackedRows, RowsOptions};
use seqpack_core::{pack, Control, ErrorKind, Request, STRATEGIES};

const IGNORE: i32 = -7; // not the default, so the option is exercised
const PAD: i32 = 999_999;

/// A request for any strategy, with the options it requires.
fn request(strategy: &str, capacity: u32) -> Request {
    let half = (capacity / 2).max(1);
    let b = Request::builder(strategy.parse().unwrap()).capacity(capacity);
    match strategy {
        "ogbfd" | "ogbfdp" => b.group_size(2),
        "ohgbfd" => Request::builder(strategy.parse().unwrap()).capacities(vec![capacity, half]),
        "oshgbfd" => Request::builder(strategy.parse().unwrap())
            .layouts(vec![vec![capacity], vec![half, half]]),
        _ => b,
    }
    .build()
    .unwrap()
}

/// The segments the overflow policy must produce, per document, in document
/// order: `(doc, start, len)`.
fn reference_pieces(docs: &[Vec<i32>], cap: u32, overflow: Overflow) -> Vec<(u32, u32, u32)> {
    let mut out = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let len = doc.len() as u32;
        let d = d as u32;
        match overflow {
            _ if len == 0 => {} // dropped (other policies error; checked elsewhere)
            Overflow::Error => out.push((d, 0, len)),
            Overflow::Truncate => out.push((d, 0, len.min(cap))),
            Overflow::Drop => {
                if len <= cap {
                    out.push((d, 0, len))
                }
            }
            Overflow::Split => {
                let mut s = 0;
                while s < len {
                    out.push((d, s, cap.min(len - s)));
                    s += cap;
                }
            }
        }
    }
    out
}

/// Slot-by-slot reference of the four arrays from a row layout given as
/// lists of `(doc, start, len)`.
fn reference_rows(
    docs: &[Vec<i32>],
    rows: &[Vec<(u32, u32, u32)>],
    cap: usize,
    labels: Labels,
) -> (Vec<i32>, Vec<i32>, Vec<i32>, Vec<u8>) {
    let (mut ids, mut lab, mut pos, mut mask) = (vec![], vec![], vec![], vec![]);
    for row in rows {
        let mut used = 0;
        for &(d, s, l) in row {
            let toks = &docs[d as usize][s as usize..(s + l) as usize];
            for j in 0..toks.len() {
                ids.push(toks[j]);
                pos.push(j as i32);
                mask.push(1u8);
                lab.push(match labels {
                    Labels::Unshifted if j == 0 => IGNORE,
                    Labels::Unshifted => toks[j],
                    Labels::Shifted if j + 1 == toks.len() => IGNORE,
                    Labels::Shifted => toks[j + 1],
                });
            }
            used += toks.len();
        }
        for _ in used..cap {
            ids.push(PAD);
            lab.push(IGNORE);
            pos.push(0);
            mask.push(0);
        }
    }
    (ids, lab, pos, mask)
}

fn options(strategy: &str, cap: u32, overflow: Overflow, labels: Labels) -> RowsOptions {
    let mut o = RowsOptions::new(request(strategy, cap));
    o.overflow = overflow;
    o.labels = labels;
    o.pad_id = PAD;
    o.ignore_index = IGNORE;
    o
}

fn rows_of(p: &PackedRows) -> Vec<Vec<(u32, u32, u32)>> {
    (0..p.num_rows)
        .map(|r| {
            p.segments_of(r)
                .map(|s| (p.segment_doc[s], p.segment_start[s], p.segment_length[s]))
                .collect()
        })
        .collect()
}

/// Checks `p` against everything the reference says.
fn check(
    docs: &[Vec<i32>],
    p: &PackedRows,
    strategy: &str,
    cap: u32,
    overflow: Overflow,
    labels: Labels,
) -> Result<(), TestCaseError> {
    let c = cap as usize;
    prop_assert_eq!(p.capacity, cap);
    prop_assert_eq!(p.input_ids.len(), p.num_rows * c);
    prop_assert_eq!(p.row_segments.len(), p.num_rows + 1);
    let rows = rows_of(p);

    // Each reference piece exactly once.
    let pieces = reference_pieces(docs, cap, overflow);
    let mut got: Vec<_> = rows.iter().flatten().copied().collect();
    got.sort();
    let mut want = pieces.clone();
    want.sort();
    prop_assert_eq!(&got, &want);

    // Rows are the bins of `pack` on the piece lengths, in bin order.
    let lengths: Vec<u32> = pieces.iter().map(|p| p.2).collect();
    let o = pack(&lengths, &request(strategy, cap), &Control::none()).unwrap();
    let bins: Vec<Vec<(u32, u32, u32)>> = o
        .packing
        .bins()
        .map(|b| b.iter().map(|&i| pieces[i as usize]).collect())
        .collect();
    let in_order: Vec<_> = p
        .row_bin
        .iter()
        .map(|&b| bins[b as usize].clone())
        .collect();
    prop_assert_eq!(&rows, &in_order);
    prop_assert_eq!(p.metrics.num_bins, o.metrics.num_bins);
    prop_assert_eq!(p.metrics.total_tokens, o.metrics.total_tokens);

    // The arrays, slot by slot.
    let (ids, lab, pos, mask) = reference_rows(docs, &rows, c, labels);
    prop_assert_eq!(&p.input_ids, &ids);
    prop_assert_eq!(&p.labels, &lab);
    prop_assert_eq!(&p.position_ids, &pos);
    prop_assert_eq!(&p.attention_mask, &mask);

    // cu_seqlens for every row range boundary pair of a few ranges.
    let n = p.num_rows;
    for (a, b) in [(0, n), (0, n / 2), (n / 3, n), (n / 2, n / 2)] {
        let mut want = vec![0i32];
        for row in &rows[a..b] {
            for seg in row {
                let last = *want.last().unwrap();
                want.push(last + seg.2 as i32);
            }
        }
        prop_assert_eq!(p.cu_seqlens(a, b).unwrap(), want);
    }
    prop_assert!(p.cu_seqlens(0, n + 1).is_err());
    prop_assert_eq!(p.max_seqlen, pieces.iter().map(|x| x.2).max().unwrap_or(0));

    // Overflow counts.
    let over = |d: &Vec<i32>| d.len() > c;
    let lost: u64 = match overflow {
        Overflow::Truncate => docs
            .iter()
            .filter(|d| over(d))
            .map(|d| (d.len() - c) as u64)
            .sum(),
        Overflow::Drop => docs
            .iter()
            .filter(|d| over(d))
            .map(|d| d.len() as u64)
            .sum(),
        _ => 0,
    };
    prop_assert_eq!(p.overflow.tokens_lost, lost);
    let n_over = docs.iter().filter(|d| over(d)).count();
    let n_empty = docs.iter().filter(|d| d.is_empty()).count();
    prop_assert_eq!(
        p.overflow.split,
        if overflow == Overflow::Split {
            n_over
        } else {
            0
        }
    );
    prop_assert_eq!(
        p.overflow.truncated,
        if overflow == Overflow::Truncate {
            n_over
        } else {
            0
        }
    );
    prop_assert_eq!(
        p.overflow.dropped,
        if overflow == Overflow::Drop {
            n_over + n_empty
        } else {
            0
        }
    );
    Ok(())
}

fn docs_strategy(max_len: usize) -> impl Strategy<Value = Vec<Vec<i32>>> {
    prop::collection::vec(prop::collection::vec(-50i32..50_000, 0..=max_len), 0..40)
}

const OVERFLOWS: [Overflow; 4] = [
    Overflow::Error,
    Overflow::Truncate,
    Overflow::Split,
    Overflow::Drop,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_strategy_and_overflow_matches_the_reference(
        docs in docs_strategy(40),
        cap in 1u32..=24,
        s in 0usize..64,
        o in 0usize..4,
        shifted in any::<bool>(),
    ) {
        let strategy = STRATEGIES[s % STRATEGIES.len()].name;
        let overflow = OVERFLOWS[o];
        let labels = if shifted { Labels::Shifted } else { Labels::Unshifted };
        let (tokens, offsets) = flat(&docs);
        let d = Docs::new(&tokens, &offsets).unwrap();
        let res = pack_rows(&d, &options(strategy, cap, overflow, labels), &Control::none());
        let first_bad = docs.iter().position(|x| x.is_empty() || (overflow == Overflow::Error && x.len() > cap as usize));
        match (overflow, first_bad) {
            (Overflow::Drop, _) | (_, None) => check(&docs, &res.unwrap(), strategy, cap, overflow, labels)?,
            (_, Some(i)) => {
                let e = res.unwrap_err();
                prop_assert_eq!(e.index, Some(i));
                let kind = if docs[i].is_empty() { ErrorKind::InvalidLength } else { ErrorKind::LengthExceedsCapacity };
                prop_assert_eq!(e.kind, kind);
                let needle = format!("document {}", i);
                prop_assert!(e.message().contains(&needle));
            }
        }
    }

    #[test]
    fn every_strategy_with_all_valid_documents(
        docs in prop::collection::vec(prop::collection::vec(any::<i32>(), 1..=30), 0..60),
        extra in 0u32..8,
        shifted in any::<bool>(),
    ) {
        let cap = 30 + extra;
        let labels = if shifted { Labels::Shifted } else { Labels::Unshifted };
        let (tokens, offsets) = flat(&docs);
        let d = Docs::new(&tokens, &offsets).unwrap();
        for info in STRATEGIES.iter() {
            for overflow in OVERFLOWS {
                let p = pack_rows(&d, &options(info.name, cap, overflow, labels), &Control::none()).unwrap();
                check(&docs, &p, info.name, cap, overflow, labels)?;
            }
        }
    }

    #[test]
    fn shuffle_permutes_whole_rows_deterministically(
        docs in prop::collection::vec(prop::collection::vec(0i32..1000, 1..=16), 1..80),
        seed in any::<u64>(),
        s in 0usize..64,
    ) {
        let strategy = STRATEGIES[s % STRATEGIES.len()].name;
        let cap = 16;
        let (tokens, offsets) = flat(&docs);
        let d = Docs::new(&tokens, &offsets).unwrap();
        let plain = pack_rows(&d, &options(strategy, cap, Overflow::Error, Labels::Unshifted), &Control::none()).unwrap();
        let mut opts = options(strategy, cap, Overflow::Error, Labels::Unshifted);
        opts.shuffle = true;
        opts.seed = seed;
        let a = pack_rows(&d, &opts, &Control::none()).unwrap();
        let b = pack_rows(&d, &opts, &Control::none()).unwrap();
        prop_assert_eq!(&a, &b);
        // A permutation of bins, and row r of `a` is row `row_bin[r]` of `plain`.
        let mut perm = a.row_bin.clone();
        perm.sort();
        prop_assert_eq!(&perm, &(0..plain.num_rows as u32).collect::<Vec<_>>());
        let c = cap as usize;
        for r in 0..a.num_rows {
            let src = a.row_bin[r] as usize;
            prop_assert_eq!(&a.input_ids[r * c..(r + 1) * c], &plain.input_ids[src * c..(src + 1) * c]);
            prop_assert_eq!(&a.labels[r * c..(r + 1) * c], &plain.labels[src * c..(src + 1) * c]);
            let segs_a: Vec<_> = a.segments_of(r).map(|s| (a.segment_doc[s], a.segment_length[s])).collect();
            let segs_p: Vec<_> = plain.segments_of(src).map(|s| (plain.segment_doc[s], plain.segment_length[s])).collect();
            prop_assert_eq!(segs_a, segs_p);
        }
        // Grouped: each group's rows stay together and in order.
        if let (Some(ga), Some(gp)) = (&a.group_offsets, &plain.group_offsets) {
            prop_assert_eq!(ga.len(), gp.len());
            for g in ga.windows(2) {
                let rows = &a.row_bin[g[0] as usize..g[1] as usize];
                prop_assert!(rows.windows(2).all(|w| w[1] == w[0] + 1));
                if let Some(&first) = rows.first() {
                    prop_assert!(gp.contains(&first));
                }
            }
        }
        check(&docs, &a, strategy, cap, Overflow::Error, Labels::Unshifted)?;
    }
}

#[test]
fn golden_small_example() {
    // C = 6, nf: [1 2 3] [4 5] | [6 7 8 9] (4 does not fit the 1 slot left).
    let docs = vec![vec![1, 2, 3], vec![4, 5], vec![6, 7, 8, 9]];
    let (tokens, offsets) = flat(&docs);
    let d = Docs::new(&tokens, &offsets).unwrap();
    let mut o = RowsOptions::new(request("nf", 6));
    let p = pack_rows(&d, &o, &Control::none()).unwrap();
    assert_eq!(p.num_rows, 2);
    assert_eq!(p.input_ids, [1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 0, 0]);
    assert_eq!(
        p.labels,
        [-100, 2, 3, -100, 5, -100, -100, 7, 8, 9, -100, -100]
    );
    assert_eq!(p.position_ids, [0, 1, 2, 0, 1, 0, 0, 1, 2, 3, 0, 0]);
    assert_eq!(p.attention_mask, [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0]);
    assert_eq!(p.row_segments, [0, 2, 3]);
    assert_eq!(p.segment_doc, [0, 1, 2]);
    assert_eq!(p.cu_seqlens(0, 2).unwrap(), [0, 3, 5, 9]);
    assert_eq!(p.cu_seqlens(1, 2).unwrap(), [0, 4]);
    assert_eq!(p.max_seqlen, 4);
    o.labels = Labels::Shifted;
    let p = pack_rows(&d, &o, &Control::none()).unwrap();
    assert_eq!(
        p.labels,
        [2, 3, -100, 5, -100, -100, 7, 8, 9, -100, -100, -100]
    );
}

#[test]
fn split_and_truncate_golden() {
    let docs = vec![(1..=10).collect::<Vec<i32>>(), vec![42]];
    let (tokens, offsets) = flat(&docs);
    let d = Docs::new(&tokens, &offsets).unwrap();
    let mut o = RowsOptions::new(request("nf", 4));
    o.overflow = Overflow::Split;
    let p = pack_rows(&d, &o, &Control::none()).unwrap();
    // pieces 1-4 | 5-8 | 9 10 42
    assert_eq!(p.input_ids, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 42, 0]);
    assert_eq!(p.segment_start, [0, 4, 8, 0]);
    assert_eq!(p.position_ids, [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 0, 0]);
    assert_eq!(p.overflow.split, 1);
    o.overflow = Overflow::Truncate;
    let p = pack_rows(&d, &o, &Control::none()).unwrap();
    assert_eq!(p.input_ids, [1, 2, 3, 4, 42, 0, 0, 0]);
    assert_eq!((p.overflow.truncated, p.overflow.tokens_lost), (1, 6));
    o.overflow = Overflow::Error;
    let e = pack_rows(&d, &o, &Control::none()).unwrap_err();
    common::assert_error(&e, ErrorKind::LengthExceedsCapacity, Some(0), Some("10"));
}

#[test]
fn offsets_are_validated_with_the_bad_index() {
    let t = [1, 2, 3];
    for (offs, idx) in [
        (&[][..], None),
        (&[1, 3][..], Some(0)),
        (&[0, 2, 1, 3][..], Some(2)),
        (&[0, 2][..], Some(1)),
        (&[0, 4][..], Some(1)),
    ] {
        let e = Docs::new(&t, offs).unwrap_err();
        assert_eq!(
            (e.kind, e.index),
            (ErrorKind::InvalidInput, idx),
            "{offs:?}"
        );
    }
    assert_eq!(Docs::new(&t, &[0, 0, 3, 3]).unwrap().num_docs(), 3);
    let d = Docs::new(&[], &[0]).unwrap();
    let p = pack_rows(&d, &RowsOptions::new(request("obfd", 8)), &Control::none()).unwrap();
    assert_eq!(
        (p.num_rows, p.input_ids.len(), p.cu_seqlens(0, 0).unwrap()),
        (0, 0, vec![0])
    );
}

#[test]
fn shuffle_seeds_differ_and_default_is_bin_order() {
    let docs: Vec<Vec<i32>> = (0..500)
        .map(|i| vec![i; 1 + (i as usize * 7919) % 60])
        .collect();
    let (tokens, offsets) = flat(&docs);
    let d = Docs::new(&tokens, &offsets).unwrap();
    let mut o = RowsOptions::new(request("obfd", 64));
    let plain = pack_rows(&d, &o, &Control::none()).unwrap();
    assert!(plain
        .row_bin
        .iter()
        .enumerate()
        .all(|(r, &b)| r as u32 == b));
    o.shuffle = true;
    o.seed = 1;
    let e1 = pack_rows(&d, &o, &Control::none()).unwrap();
    o.seed = 2;
    let e2 = pack_rows(&d, &o, &Control::none()).unwrap();
    assert_ne!(e1.row_bin, e2.row_bin);
    assert_ne!(e1.row_bin, plain.row_bin);
    // The permutation is the documented one: Pcg32 Fisher-Yates of 0..rows.
    assert_eq!(
        e1.row_bin,
        seqpack_core::algorithms::offline::shuffled(plain.num_rows, 1)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn every_thread_count_writes_the_same_rows(
        docs in prop::collection::vec(prop::collection::vec(any::<i32>(), 1..=20), 0..200),
        threads in 2usize..5,
        shifted in any::<bool>(),
    ) {
        let (tokens, offsets) = flat(&docs);
        let d = Docs::new(&tokens, &offsets).unwrap();
        let labels = if shifted { Labels::Shifted } else { Labels::Unshifted };
        let mut o = options("ffd", 20, Overflow::Error, labels);
        o.threads = Some(1);
        let one = pack_rows(&d, &o, &Control::none()).unwrap();
        o.threads = Some(threads);
        let many = pack_rows(&d, &o, &Control::none()).unwrap();
        prop_assert_eq!(&one, &many);
        check(&docs, &many, "ffd", 20, Overflow::Error, labels)?;
    }
}
