//! Streaming packer: equal to the batch run for every online strategy,
//! bounded open bins, window mode, errors.

use proptest::prelude::*;
use seqpack_core::algorithms::online::{OnlinePacker, OnlineRule};
use seqpack_core::rows::{StreamBins, StreamPacker};
use seqpack_core::{pack, Control, ErrorKind, Request, Strategy};

const ONLINE: [&str; 5] = ["nf", "ff", "bf", "wf", "hk"];

fn request(strategy: &str, capacity: u32, k: Option<u32>) -> Request {
    let mut b = Request::builder(strategy.parse().unwrap()).capacity(capacity);
    if let Some(k) = k {
        b = b.k(k);
    }
    b.build().unwrap()
}

/// Emitted bins, sorted by bin number, as item lists; also checks that
/// numbers are distinct and every item appears once.
fn by_number(out: &StreamBins, n: usize) -> Vec<Vec<u32>> {
    let mut bins: Vec<(u64, Vec<u32>)> = (0..out.len())
        .map(|i| (out.bins[i], out.bin(i).iter().map(|&x| x as u32).collect()))
        .collect();
    bins.sort();
    assert!(
        bins.windows(2).all(|w| w[0].0 < w[1].0),
        "bin numbers repeat"
    );
    let mut seen = vec![false; n];
    for (_, b) in &bins {
        for &i in b {
            assert!(
                !std::mem::replace(&mut seen[i as usize], true),
                "item {i} twice"
            );
        }
    }
    assert!(seen.iter().all(|&s| s), "an item is missing");
    bins.into_iter().map(|(_, b)| b).collect()
}

fn stream_all(
    req: &Request,
    window: Option<usize>,
    max_open: Option<usize>,
    lengths: &[u32],
) -> (StreamBins, usize) {
    let mut sp = StreamPacker::new(req, window, max_open).unwrap();
    let mut out = StreamBins::new();
    let mut max_pending = 0;
    for &l in lengths {
        sp.push(l, &mut out).unwrap();
        max_pending = max_pending.max(sp.pending());
    }
    sp.flush(&mut out).unwrap();
    assert_eq!(sp.pending(), 0);
    (out, max_pending)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn stream_equals_batch_for_every_online_strategy(
        lengths in prop::collection::vec(1u32..=100, 0..400),
        cap in 100u32..140,
        k in 2u32..12,
    ) {
        for s in ONLINE {
            let req = request(s, cap, (s == "hk").then_some(k));
            let batch: Vec<Vec<u32>> = pack(&lengths, &req, &Control::none()).unwrap().packing.bins().map(|b| b.to_vec()).collect();
            let (out, _) = stream_all(&req, None, None, &lengths);
            prop_assert_eq!(&by_number(&out, lengths.len()), &batch, "{}", s);
            if s == "nf" {
                // Next-Fit closes bins in opening order: emitted order is bin order.
                prop_assert!(out.bins.iter().enumerate().all(|(i, &b)| b == i as u64));
            }
        }
    }

    #[test]
    fn max_open_bounds_open_bins_and_max_open_one_is_next_fit(
        lengths in prop::collection::vec(1u32..=60, 0..400),
        max_open in 1usize..6,
    ) {
        let cap = 100;
        let nf: Vec<Vec<u32>> = pack(&lengths, &request("nf", cap, None), &Control::none()).unwrap().packing.bins().map(|b| b.to_vec()).collect();
        for s in ["ff", "bf", "wf"] {
            let req = request(s, cap, None);
            let (out, max_pending) = stream_all(&req, None, Some(max_open), &lengths);
            prop_assert!(max_pending <= max_open);
            let bins = by_number(&out, lengths.len());
            for b in &bins {
                prop_assert!(b.iter().map(|&i| lengths[i as usize]).sum::<u32>() <= cap);
            }
            if max_open == 1 {
                prop_assert_eq!(&bins, &nf, "{} with max_open 1", s);
            }
        }
    }

    #[test]
    fn window_mode_packs_each_window_with_the_offline_strategy(
        lengths in prop::collection::vec(1u32..=50, 0..300),
        window in 1usize..80,
    ) {
        for s in ["obfd", "ffd", "nf"] {
            let req = request(s, 50, None);
            let (out, max_pending) = stream_all(&req, Some(window), None, &lengths);
            prop_assert!(max_pending < window);
            let mut want = Vec::new();
            for (w, chunk) in lengths.chunks(window).enumerate() {
                for b in pack(chunk, &req, &Control::none()).unwrap().packing.bins() {
                    want.push(b.iter().map(|&i| (w * window) as u32 + i).collect::<Vec<_>>());
                }
            }
            // Windows emit their bins in bin order.
            let got: Vec<Vec<u32>> = (0..out.len()).map(|i| out.bin(i).iter().map(|&x| x as u32).collect()).collect();
            prop_assert_eq!(got, want);
            prop_assert!(out.bins.iter().enumerate().all(|(i, &b)| b == i as u64));
        }
    }
}

/// `n` lengths picked from `table` by a seeded 64-bit LCG (its high bits:
/// the low ones of a power-of-two LCG have short periods).
fn draws(seed: u64, n: usize, table: &[u32]) -> Vec<u32> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            table[(x >> 59) as usize % table.len()]
        })
        .collect()
}

#[test]
fn memory_is_bounded_by_open_bins_over_a_long_stream() {
    // A million items whose lengths divide the capacity: nf, ff, bf and hk
    // keep a handful of bins open. Worst fit spreads items over the emptiest
    // bins, so without `max_open` its open bins grow with the stream (that is
    // what the bound is for).
    let lengths = draws(7, 1_000_000, &[1, 2, 4, 8, 16]);
    for (s, max_open) in [
        ("nf", None),
        ("ff", None),
        ("bf", None),
        ("hk", None),
        ("wf", Some(16)),
        ("wf", None),
    ] {
        let req = request(s, 64, None);
        let mut sp = StreamPacker::new(&req, None, max_open).unwrap();
        let mut out = StreamBins::new();
        let mut max_pending = 0;
        let mut emitted = 0usize;
        for &l in &lengths {
            sp.push(l, &mut out).unwrap();
            max_pending = max_pending.max(sp.pending());
            emitted += out.items.len();
            out.clear();
        }
        sp.flush(&mut out).unwrap();
        emitted += out.items.len();
        assert_eq!(emitted, lengths.len(), "{s}");
        if (s, max_open) == ("wf", None) {
            assert!(max_pending > 1000, "wf unbounded: {max_pending}");
        } else {
            assert!(max_pending <= 16, "{s}: {max_pending} bins open at once");
        }
    }
}

#[test]
fn errors_name_the_push_index_and_leave_the_packer_usable() {
    let mut sp = StreamPacker::new(&request("nf", 10, None), None, None).unwrap();
    let mut out = StreamBins::new();
    sp.push_all(&[3, 4], &mut out).unwrap();
    let e = sp.push(11, &mut out).unwrap_err();
    assert_eq!(
        (e.kind, e.index),
        (ErrorKind::LengthExceedsCapacity, Some(2))
    );
    let e = sp.push(0, &mut out).unwrap_err();
    assert_eq!((e.kind, e.index), (ErrorKind::InvalidLength, Some(2)));
    sp.push(5, &mut out).unwrap(); // item 2: 3 + 4 + 5 > 10, so bin 0 closes
    assert_eq!(
        (out.bins.clone(), out.bin(0).to_vec()),
        (vec![0], vec![0, 1])
    );
    sp.flush(&mut out).unwrap();
    assert_eq!(out.bin(1), [2]);

    let offline = StreamPacker::new(&request("obfd", 10, None), None, None);
    assert_eq!(offline.err().unwrap().kind, ErrorKind::InvalidOption);
    for bad in [
        StreamPacker::new(&request("nf", 10, None), None, Some(2)),
        StreamPacker::new(&request("ff", 10, None), None, Some(0)),
        StreamPacker::new(&request("obfd", 10, None), Some(0), None),
    ] {
        assert_eq!(bad.err().unwrap().kind, ErrorKind::InvalidOption);
    }
}

#[test]
fn online_packer_reports_each_bin_closed_exactly_once() {
    struct Log(Vec<u64>);
    impl seqpack_core::algorithms::online::CloseSink for Log {
        fn closed(&mut self, _slot: u32, bin: u64) {
            self.0.push(bin);
        }
    }
    let lengths: Vec<u32> = (0..5000u32).map(|i| 1 + (i * 37 + i / 7) % 90).collect();
    for s in [
        Strategy::Nf,
        Strategy::Ff,
        Strategy::Bf,
        Strategy::Wf,
        Strategy::Hk,
    ] {
        let mut p = OnlinePacker::new(s, 100, 10, None).unwrap();
        let mut log = Log(Vec::new());
        let mut open = std::collections::HashSet::new();
        for &l in &lengths {
            let before = log.0.len();
            let placed = p.push(l, &mut log);
            for b in &log.0[before..] {
                assert!(open.remove(b), "{s:?}: bin {b} closed while not open");
            }
            open.insert(placed.bin);
            if placed.closes {
                log.0.push(placed.bin);
                open.remove(&placed.bin);
            }
            assert_eq!(open.len(), p.open_bins(), "{s:?}");
        }
        p.finish(&mut log);
        let mut all = log.0.clone();
        all.sort();
        assert_eq!(all, (0..p.num_bins()).collect::<Vec<_>>(), "{s:?}");
    }
}

/// Independent any-fit over the open bins only (full bins leave the list):
/// first fit = earliest opened; best/worst fit = least/most remaining, ties
/// to the bin whose remaining changed last. `O(n * open)`.
fn reference_open_list(lengths: &[u32], cap: u32, rule: &str) -> Vec<Vec<u32>> {
    let mut bins: Vec<Vec<u32>> = Vec::new();
    // (bin, remaining, stamp) in opening order.
    let mut open: Vec<(usize, u32, usize)> = Vec::new();
    for (t, &len) in lengths.iter().enumerate() {
        let fits = open.iter().enumerate().filter(|(_, o)| o.1 >= len);
        let chosen = match rule {
            "ff" => fits.map(|(i, _)| i).next(),
            "bf" => fits
                .min_by_key(|(_, o)| (o.1, std::cmp::Reverse(o.2)))
                .map(|(i, _)| i),
            _ => fits.max_by_key(|(_, o)| (o.1, o.2)).map(|(i, _)| i),
        };
        let i = chosen.unwrap_or_else(|| {
            bins.push(Vec::new());
            open.push((bins.len() - 1, cap, t));
            open.len() - 1
        });
        bins[open[i].0].push(t as u32);
        open[i].1 -= len;
        open[i].2 = t;
        if open[i].1 == 0 {
            open.remove(i);
        }
    }
    bins
}

/// Equality with a short message (the first differing bin), not a dump.
fn same_bins(got: &[Vec<u32>], want: &[Vec<u32>], what: &str) {
    if let Some(b) = (0..got.len().min(want.len())).find(|&b| got[b] != want[b]) {
        panic!("{what}: bin {b} is {:?}, want {:?}", got[b], want[b]);
    }
    assert_eq!(got.len(), want.len(), "{what}: bin count");
}

#[test]
fn long_streams_with_many_closed_bins_match_an_independent_reference() {
    // Many bins fill exactly (powers of two) while odd lengths leave others
    // open: first fit compacts its slot array many times on the way.
    let lengths = draws(11, 20_000, &[1, 2, 4, 8, 16, 32, 3, 5, 7, 60, 61]);
    for s in ["ff", "bf", "wf"] {
        let want = reference_open_list(&lengths, 64, s);
        let req = request(s, 64, None);
        let batch: Vec<Vec<u32>> = pack(&lengths, &req, &Control::none())
            .unwrap()
            .packing
            .bins()
            .map(|b| b.to_vec())
            .collect();
        same_bins(&batch, &want, &format!("{s} batch"));
        let (out, _) = stream_all(&req, None, None, &lengths);
        same_bins(
            &by_number(&out, lengths.len()),
            &want,
            &format!("{s} stream"),
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Streaming documents into rows: the bins a Next-Fit stream closes,
    /// materialised, are exactly the rows of `pack_rows` with `nf`.
    #[test]
    fn streamed_bins_materialise_to_the_batch_rows(
        docs in prop::collection::vec(prop::collection::vec(any::<i32>(), 1..=16), 0..120),
        shifted in any::<bool>(),
    ) {
        use seqpack_core::rows::{pack_rows, rows_from_packing, Docs, Labels, RowsOptions};
        use seqpack_core::Packing;
        let mut tokens = Vec::new();
        let mut offsets = vec![0u32];
        for d in &docs {
            tokens.extend_from_slice(d);
            offsets.push(tokens.len() as u32);
        }
        let d = Docs::new(&tokens, &offsets).unwrap();
        let lengths: Vec<u32> = docs.iter().map(|x| x.len() as u32).collect();
        let req = request("nf", 16, None);
        let (out, _) = stream_all(&req, None, None, &lengths);
        let bins: Vec<Vec<u32>> = (0..out.len()).map(|i| out.bin(i).iter().map(|&x| x as u32).collect()).collect();
        let packing = Packing::from_bins(&bins, &lengths);
        let mut opts = RowsOptions::new(req);
        if shifted {
            opts.labels = Labels::Shifted;
        }
        let streamed = rows_from_packing(&d, &packing, &opts, &Control::none()).unwrap();
        let batch = pack_rows(&d, &opts, &Control::none()).unwrap();
        prop_assert_eq!(streamed, batch);
    }
}

#[test]
fn rows_from_a_packing_that_misses_a_document_is_an_error() {
    use seqpack_core::rows::{rows_from_packing, Docs, RowsOptions};
    use seqpack_core::Packing;
    let tokens = [1, 2, 3, 4];
    let offsets = [0u32, 2, 4];
    let d = Docs::new(&tokens, &offsets).unwrap();
    let opts = RowsOptions::new(request("nf", 4, None));
    let missing = Packing::from_bins(&[vec![0u32]], &[2, 2]);
    let e = rows_from_packing(&d, &missing, &opts, &Control::none()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let over = Packing::from_bins(&[vec![0u32, 1]], &[2, 2]);
    let opts3 = RowsOptions::new(request("nf", 3, None));
    assert_eq!(
        rows_from_packing(&d, &over, &opts3, &Control::none())
            .unwrap_err()
            .kind,
        ErrorKind::InvalidInput
    );
    assert_eq!(
        rows_from_packing(&d, &over, &opts, &Control::none())
            .unwrap()
            .input_ids,
        [1, 2, 3, 4]
    );
}
