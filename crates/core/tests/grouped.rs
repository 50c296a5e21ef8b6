//! Grouped and heterogeneous strategies: exact agreement with quadratic
//! reference implementations written from the definitions, golden cases,
//! structural properties, OGBFDP versus OGBFD, and group balance metrics.

mod common;

use common::{bins_of, decreasing, Lcg};
use proptest::prelude::*;
use seqpack_core::{pack, Control, ErrorKind, Outcome, Request, RequestBuilder, Strategy};

fn ogbfd_req(strategy: &str, capacity: u32, group_size: u32, threads: Option<usize>) -> Request {
    let b = Request::builder(strategy.parse().unwrap())
        .capacity(capacity)
        .group_size(group_size);
    match threads {
        Some(t) => b.threads(t),
        None => b,
    }
    .build()
    .unwrap()
}

fn with_weights(b: RequestBuilder, weights: Option<Vec<f64>>) -> RequestBuilder {
    match weights {
        Some(w) => b.weights(w),
        None => b,
    }
}

fn hetero_req(capacities: &[u32], weights: Option<Vec<f64>>) -> Request {
    let b = Request::builder(Strategy::Ohgbfd).capacities(capacities.to_vec());
    with_weights(b, weights).build().unwrap()
}

fn layouts_req(layouts: &[Vec<u32>], weights: Option<Vec<f64>>) -> Request {
    let b = Request::builder(Strategy::Oshgbfd).layouts(layouts.to_vec());
    with_weights(b, weights).build().unwrap()
}

fn run(lengths: &[u32], req: &Request) -> Outcome {
    let o = pack(lengths, req, &Control::none()).unwrap();
    o.packing.verify(lengths, req.capacity()).unwrap();
    o
}

fn groups_of(o: &Outcome) -> Vec<u32> {
    o.packing
        .group_offsets
        .clone()
        .expect("grouped strategies report groups")
}

/// OGBFD from its definition, by linear scans: the group with the smallest
/// largest-remaining >= len (ties: the group whose largest remaining reached
/// that value last), in it the bin with the most room (ties: lowest number).
fn reference_ogbfd(lengths: &[u32], capacity: u32, g: usize) -> Vec<Vec<u32>> {
    let mut bins: Vec<Vec<u32>> = Vec::new();
    let mut rem: Vec<u32> = Vec::new();
    let mut stamp: Vec<usize> = Vec::new(); // per group: when its max remaining last changed
    let mut key: Vec<u32> = Vec::new();
    for (t, i) in decreasing(lengths).into_iter().enumerate() {
        let len = lengths[i as usize];
        let chosen = (0..key.len())
            .filter(|&k| key[k] >= len)
            .min_by_key(|&k| (key[k], std::cmp::Reverse(stamp[k])));
        let grp = chosen.unwrap_or_else(|| {
            bins.extend((0..g).map(|_| Vec::new()));
            rem.resize(rem.len() + g, capacity);
            key.push(capacity);
            stamp.push(0);
            key.len() - 1
        });
        let range = grp * g..(grp + 1) * g;
        let b = range
            .clone()
            .max_by_key(|&b| (rem[b], std::cmp::Reverse(b)))
            .unwrap();
        bins[b].push(i);
        rem[b] -= len;
        key[grp] = range.map(|b| rem[b]).max().unwrap();
        stamp[grp] = t;
    }
    bins
}

/// OHGBFD/OSHGBFD from the definition, by linear scans over every bin.
fn reference_hetero(
    lengths: &[u32],
    layouts: &[Vec<u32>],
    weights: Option<&[f64]>,
) -> (Vec<Vec<u32>>, Vec<u32>, Vec<u32>) {
    let (mut bins, mut caps, mut rem, mut w, mut groups) = (
        Vec::<Vec<u32>>::new(),
        Vec::new(),
        Vec::new(),
        Vec::<f64>::new(),
        vec![0u32],
    );
    for i in decreasing(lengths) {
        let len = lengths[i as usize];
        let pick = |rem: &Vec<u32>, w: &Vec<f64>, caps: &Vec<u32>| {
            let mut best: Option<usize> = None;
            for b in 0..rem.len() {
                if rem[b] < len {
                    continue;
                }
                let r = w[b] / caps[b] as f64;
                best = match best {
                    Some(x) => {
                        let rx = w[x] / caps[x] as f64;
                        if r < rx || (r == rx && rem[b] > rem[x]) {
                            Some(b)
                        } else {
                            Some(x)
                        }
                    }
                    None => Some(b),
                };
            }
            best
        };
        let b = match pick(&rem, &w, &caps) {
            Some(b) => b,
            None => {
                let layout = layouts
                    .iter()
                    .find(|l| l.iter().any(|&c| c >= len))
                    .unwrap();
                for &c in layout {
                    bins.push(Vec::new());
                    caps.push(c);
                    rem.push(c);
                    w.push(0.0);
                }
                groups.push(caps.len() as u32);
                pick(&rem, &w, &caps).unwrap()
            }
        };
        bins[b].push(i);
        rem[b] -= len;
        w[b] += weights.map_or((len as f64).powi(2), |ws| ws[i as usize]);
    }
    (bins, caps, groups)
}

#[test]
fn ogbfd_golden() {
    // Decreasing: 6, 5, 4, 3 fill group 0 (6 and 5 to the two empty bins, then
    // 4 to the roomier bin holding 5, 3 to the bin holding 6); 2 no longer fits
    // (both bins have 1 left) and opens group 1, whose second bin stays empty.
    let lengths = [6, 5, 4, 3, 2];
    let o = run(&lengths, &ogbfd_req("ogbfd", 10, 2, None));
    assert_eq!(bins_of(&o), vec![vec![0, 3], vec![1, 2], vec![4], vec![]]);
    assert_eq!(groups_of(&o), vec![0, 2, 4]);
    let gb = o.metrics.groups.clone().unwrap();
    assert_eq!(gb.num_groups, 2);
    // Group 0: loads 9 and 9, attention 45 and 41; group 1: 2 and 0, 4 and 0.
    assert_eq!((gb.token_spread_max, gb.token_spread_mean), (2, 1.0));
    assert_eq!(
        (gb.attention_spread_max, gb.attention_spread_mean),
        (4, 4.0)
    );
}

#[test]
fn ogbfd_group_size_one_is_bfd() {
    // With one bin per group, OGBFD is best-fit decreasing.
    let lengths = Lcg(7).lengths(500, 1, 300);
    let o = run(&lengths, &ogbfd_req("ogbfd", 512, 1, None));
    let bfd = common::reference_any_fit(&lengths, &decreasing(&lengths), 512, common::Fit::Best);
    assert_eq!(bins_of(&o), bfd);
}

#[test]
fn ohgbfd_golden() {
    // 6 -> the empty bin with more room (cap 10); 5 -> the empty cap-6 bin
    // (ratio 0 beats 36/10); 4 -> cap-10 bin (the only one with room);
    // 3 fits nowhere: a new group, its bigger bin.
    let lengths = [6, 5, 4, 3];
    let o = run(&lengths, &hetero_req(&[10, 6], None));
    assert_eq!(bins_of(&o), vec![vec![0, 2], vec![1], vec![3], vec![]]);
    assert_eq!(
        o.packing.bin_capacities.as_deref(),
        Some(&[10, 6, 10, 6][..])
    );
    assert_eq!(groups_of(&o), vec![0, 2, 4]);
    assert_eq!(o.metrics.total_capacity, 32);
}

#[test]
fn ohgbfd_weights_change_the_choice() {
    // Default weights: 4 -> the roomier cap-8 bin (ratio 16/8 = 2), then 3 ->
    // the cap-3 bin (ratio 0). With weight 0 on item 0 the cap-8 bin keeps ratio 0
    // and has more room, so 3 joins it.
    let lengths = [4, 3];
    assert_eq!(
        bins_of(&run(&lengths, &hetero_req(&[8, 3], None))),
        vec![vec![0], vec![1]]
    );
    assert_eq!(
        bins_of(&run(&lengths, &hetero_req(&[8, 3], Some(vec![0.0, 1.0])))),
        vec![vec![0, 1], vec![]]
    );
}

#[test]
fn oshgbfd_golden() {
    // 8 fits only layout [8]; then 3 opens a [4, 4] group; the other 3 takes its
    // empty bin; 2 fits nowhere (rooms 0, 1, 1) and opens another [4, 4].
    let lengths = [8, 3, 3, 2];
    let o = run(&lengths, &layouts_req(&[vec![4, 4], vec![8]], None));
    assert_eq!(
        bins_of(&o),
        vec![vec![0], vec![1], vec![2], vec![3], vec![]]
    );
    assert_eq!(
        o.packing.bin_capacities.as_deref(),
        Some(&[8, 4, 4, 4, 4][..])
    );
    assert_eq!(groups_of(&o), vec![0, 1, 3, 5]);
}

#[test]
fn empty_input_has_zero_groups() {
    let o = run(&[], &ogbfd_req("ogbfd", 10, 4, None));
    assert_eq!(groups_of(&o), vec![0]);
    assert_eq!(o.metrics.groups.unwrap().num_groups, 0);
}

#[test]
fn weights_are_checked_against_lengths() {
    let req = hetero_req(&[10], Some(vec![1.0]));
    let e = pack(&[1, 2], &req, &Control::none()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidOption);
    assert!(e.message().contains("weights"), "{}", e.message());
}

#[test]
fn option_errors() {
    let bad = |b: RequestBuilder| b.build().unwrap_err();
    let ogbfd = || Request::builder(Strategy::Ogbfd).capacity(10);
    assert_eq!(bad(ogbfd()).kind, ErrorKind::InvalidOption);
    assert_eq!(bad(ogbfd().group_size(0)).kind, ErrorKind::InvalidOption);
    let e = bad(Request::builder(Strategy::Ohgbfd).capacities(vec![8, 0]));
    assert_eq!((e.kind, e.index), (ErrorKind::InvalidOption, Some(1)));
    let e = bad(Request::builder(Strategy::Oshgbfd).layouts(vec![vec![8], vec![4, 0]]));
    assert_eq!((e.kind, e.index), (ErrorKind::InvalidOption, Some(1)));
    assert!(e.message().contains("layouts[1][1]"), "{}", e.message());
    assert_eq!(
        bad(Request::builder(Strategy::Oshgbfd).layouts(vec![])).kind,
        ErrorKind::InvalidOption
    );
    let e = bad(Request::builder(Strategy::Ohgbfd)
        .capacities(vec![8])
        .weights(vec![1.0, -1.0]));
    assert_eq!((e.kind, e.index), (ErrorKind::InvalidOption, Some(1)));
    // A capacity that disagrees with the devices.
    let e = bad(Request::builder(Strategy::Ohgbfd)
        .capacities(vec![8, 4])
        .capacity(4));
    assert_eq!(e.kind, ErrorKind::InvalidCapacity);
    // Options of other strategies are refused.
    assert_eq!(
        bad(ogbfd().group_size(2).k(3)).kind,
        ErrorKind::InvalidOption
    );
}

#[test]
fn ogbfdp_is_ogbfd_with_one_thread_and_close_with_more() {
    let lengths = Lcg(42).lengths(200_000, 16, 2048);
    let base = run(&lengths, &ogbfd_req("ogbfd", 4096, 8, None));
    let one = run(&lengths, &ogbfd_req("ogbfdp", 4096, 8, Some(1)));
    assert_eq!(one.packing, base.packing);
    for t in [2, 3, 4] {
        let par = run(&lengths, &ogbfd_req("ogbfdp", 4096, 8, Some(t)));
        let (gb, gp) = (
            base.metrics.groups.clone().unwrap().num_groups,
            par.metrics.groups.clone().unwrap().num_groups,
        );
        assert!(
            gp as f64 <= gb as f64 * 1.01,
            "{t} threads: {gp} groups vs {gb}"
        );
        // Deterministic: independent of scheduling.
        assert_eq!(
            run(&lengths, &ogbfd_req("ogbfdp", 4096, 8, Some(t))).packing,
            par.packing
        );
    }
    // Adaptive default (4 workers at this size).
    run(&lengths, &ogbfd_req("ogbfdp", 4096, 8, None));
}

#[test]
fn ogbfdp_more_threads_than_items() {
    let lengths = [5, 4, 3];
    let o = run(&lengths, &ogbfd_req("ogbfdp", 10, 2, Some(8)));
    assert_eq!(groups_of(&o).len() - 1, o.packing.num_bins() / 2);
}

/// Group structure for OGBFD: exactly G bins per group, only the last group may
/// have empty bins.
fn assert_uniform_groups(o: &Outcome, g: u32, last_only: bool) {
    let offs = groups_of(o);
    assert!(offs.windows(2).all(|w| w[1] - w[0] == g), "{offs:?}");
    assert_eq!(*offs.last().unwrap() as usize, o.packing.num_bins());
    if last_only {
        let first_empty = (0..o.packing.num_bins()).find(|&b| o.packing.bin(b).is_empty());
        if let Some(b) = first_empty {
            assert_eq!(
                b as u32 / g,
                offs.len() as u32 - 2,
                "empty bin outside the last group"
            );
        }
    }
}

fn assert_layout_groups(o: &Outcome, layouts: &[Vec<u32>]) {
    let offs = groups_of(o);
    let caps = o.packing.bin_capacities.as_ref().unwrap();
    for w in offs.windows(2) {
        let group = &caps[w[0] as usize..w[1] as usize];
        assert!(
            layouts.iter().any(|l| l.as_slice() == group),
            "group {group:?} is no layout"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn ogbfd_matches_reference(lengths in prop::collection::vec(1u32..=100, 0..200), cap in 100u32..300, g in 1u32..6) {
        let o = run(&lengths, &ogbfd_req("ogbfd", cap, g, None));
        assert_uniform_groups(&o, g, true);
        prop_assert_eq!(bins_of(&o), reference_ogbfd(&lengths, cap, g as usize));
    }

    #[test]
    fn ogbfdp_valid(lengths in prop::collection::vec(1u32..=100, 1..300), cap in 100u32..300, g in 1u32..6, t in 1usize..6) {
        let o = run(&lengths, &ogbfd_req("ogbfdp", cap, g, Some(t)));
        assert_uniform_groups(&o, g, false);
    }

    #[test]
    fn ohgbfd_matches_reference(
        lengths in prop::collection::vec(1u32..=60, 0..150),
        caps in prop::collection::vec(1u32..=100, 1..5),
        weighted in any::<bool>(),
    ) {
        let maxc = *caps.iter().max().unwrap();
        let lengths: Vec<u32> = lengths.into_iter().map(|l| l.min(maxc)).collect();
        let weights = weighted.then(|| lengths.iter().map(|&l| (l % 7) as f64 * 1.5).collect::<Vec<f64>>());
        let o = run(&lengths, &hetero_req(&caps, weights.clone()));
        assert_layout_groups(&o, std::slice::from_ref(&caps));
        let (bins, bcaps, groups) = reference_hetero(&lengths, std::slice::from_ref(&caps), weights.as_deref());
        prop_assert_eq!(bins_of(&o), bins);
        prop_assert_eq!(o.packing.bin_capacities.clone().unwrap(), bcaps);
        prop_assert_eq!(groups_of(&o), groups);
    }

    #[test]
    fn oshgbfd_matches_reference(
        lengths in prop::collection::vec(1u32..=80, 0..150),
        layouts in prop::collection::vec(prop::collection::vec(1u32..=100, 1..4), 1..4),
    ) {
        let maxc = layouts.iter().flatten().copied().max().unwrap();
        let lengths: Vec<u32> = lengths.into_iter().map(|l| l.min(maxc)).collect();
        let o = run(&lengths, &layouts_req(&layouts, None));
        assert_layout_groups(&o, &layouts);
        let (bins, bcaps, groups) = reference_hetero(&lengths, &layouts, None);
        prop_assert_eq!(bins_of(&o), bins);
        prop_assert_eq!(o.packing.bin_capacities.clone().unwrap(), bcaps);
        prop_assert_eq!(groups_of(&o), groups);
    }
}

#[test]
fn group_balance_metrics_match_direct_computation() {
    let lengths = Lcg(3).lengths(5000, 1, 1000);
    let o = run(&lengths, &ogbfd_req("ogbfd", 2048, 4, None));
    let offs = groups_of(&o);
    let (mut tmax, mut tsum, mut amax, mut asum) = (0u64, 0u64, 0u64, 0u64);
    for w in offs.windows(2) {
        let tok: Vec<u64> = (w[0]..w[1])
            .map(|b| {
                o.packing
                    .bin(b as usize)
                    .iter()
                    .map(|&i| lengths[i as usize] as u64)
                    .sum()
            })
            .collect();
        let att: Vec<u64> = (w[0]..w[1])
            .map(|b| {
                o.packing
                    .bin(b as usize)
                    .iter()
                    .map(|&i| (lengths[i as usize] as u64).pow(2))
                    .sum()
            })
            .collect();
        let ts = tok.iter().max().unwrap() - tok.iter().min().unwrap();
        let at = att.iter().max().unwrap() - att.iter().min().unwrap();
        (tmax, tsum, amax, asum) = (tmax.max(ts), tsum + ts, amax.max(at), asum + at);
    }
    let gb = o.metrics.groups.clone().unwrap();
    let ng = offs.len() - 1;
    assert_eq!(gb.num_groups, ng);
    assert_eq!((gb.token_spread_max, gb.attention_spread_max), (tmax, amax));
    assert!((gb.token_spread_mean - tsum as f64 / ng as f64).abs() < 1e-9);
    assert!(
        (gb.attention_spread_mean - asum as f64 / ng as f64).abs()
            < 1e-6 * gb.attention_spread_mean.max(1.0)
    );
    // LPT inside groups keeps token totals of a step close: well under one capacity.
    assert!(
        gb.token_spread_mean < 2048.0 / 2.0,
        "{}",
        gb.token_spread_mean
    );
}

#[test]
fn huge_capacity_uses_sparse_index() {
    let lengths = Lcg(9).lengths(2000, 1_000_000, 30_000_000);
    let o = run(&lengths, &ogbfd_req("ogbfd", 100_000_000, 3, None));
    assert_uniform_groups(&o, 3, true);
    assert_eq!(bins_of(&o), reference_ogbfd(&lengths, 100_000_000, 3));
    let o = run(&lengths, &hetero_req(&[100_000_000, 50_000_000], None));
    assert_layout_groups(&o, &[vec![100_000_000, 50_000_000]]);
}

#[test]
fn heterogeneous_scales() {
    // Exercises tree growth and the search on a realistic size; checked, not timed.
    let lengths = Lcg(11).lengths(100_000, 16, 4096);
    let o = run(&lengths, &hetero_req(&[8192, 8192, 4096, 4096], None));
    assert_layout_groups(&o, &[vec![8192, 8192, 4096, 4096]]);
    assert!(o.metrics.efficiency > 0.9, "{}", o.metrics.efficiency);
}
