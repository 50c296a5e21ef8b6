//! Resource limits and cancellation: options beyond the documented limits are
//! refused with `InvalidOption` naming the option, value and index; a
//! heterogeneous packing that would explode into empty bins is refused; an
//! abort is honoured by work done, not by items placed.

use seqpack_core::limits::{bin_budget, MAX_GROUP_BINS, MAX_LAYOUTS, MAX_LAYOUT_ENTRIES};
use seqpack_core::{pack, Control, ErrorKind};
use seqpack_core::{Request, RequestBuilder, Strategy};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn req(
    strategy: &str,
    f: impl FnOnce(RequestBuilder) -> RequestBuilder,
) -> Result<Request, seqpack_core::PackError> {
    f(Request::builder(strategy.parse::<Strategy>().unwrap())).build()
}

#[test]
fn capacities_beyond_the_limit_are_refused() {
    let raw = |r: RequestBuilder| r.capacities(vec![4096; MAX_GROUP_BINS + 1]);
    let e = req("ohgbfd", raw).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidOption);
    assert_eq!(e.index, Some(MAX_GROUP_BINS));
    assert_eq!(
        e.value.as_deref(),
        Some(&*format!("an array of {}", MAX_GROUP_BINS + 1))
    );
    assert!(e.message().contains("capacities"), "{}", e.message());
    // At the limit it is accepted.
    let raw = |r: RequestBuilder| r.capacities(vec![4096; MAX_GROUP_BINS]);
    assert!(req("ohgbfd", raw).is_ok());
}

#[test]
fn layouts_beyond_the_limits_are_refused() {
    let raw = |r: RequestBuilder| r.layouts(vec![vec![8]; MAX_LAYOUTS + 1]);
    let e = req("oshgbfd", raw).unwrap_err();
    assert_eq!(
        (e.kind, e.index),
        (ErrorKind::InvalidOption, Some(MAX_LAYOUTS))
    );

    let mut layouts = vec![vec![8]; 3];
    layouts.push(vec![8; MAX_GROUP_BINS + 1]);
    let e = req("oshgbfd", |r: RequestBuilder| r.layouts(layouts)).unwrap_err();
    assert_eq!((e.kind, e.index), (ErrorKind::InvalidOption, Some(3)));
    assert!(e.message().contains("layouts[3]"), "{}", e.message());

    let per = MAX_GROUP_BINS;
    let count = MAX_LAYOUT_ENTRIES / per + 1;
    let e = req("oshgbfd", |r: RequestBuilder| {
        r.layouts(vec![vec![8; per]; count])
    })
    .unwrap_err();
    assert_eq!(
        (e.kind, e.index),
        (ErrorKind::InvalidOption, Some(count - 1))
    );
}

#[test]
fn heterogeneous_output_is_capped() {
    // One big device and 65,535 tiny ones: every item of the big length opens
    // a group of 65,536 bins. 100 items would need 6.5M bins, over the budget.
    let mut caps = vec![1; MAX_GROUP_BINS - 1];
    caps.insert(0, 4096);
    let r = req("ohgbfd", |r: RequestBuilder| r.capacities(caps)).unwrap();
    let lengths = vec![4096u32; 100];
    assert!(100 * MAX_GROUP_BINS > bin_budget(100));
    let e = pack(&lengths, &r, &Control::none()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidOption);
    assert!(e.message().contains("capacities"), "{}", e.message());
    // Within the budget the same layout packs.
    let lengths = vec![4096u32; 50];
    let o = pack(&lengths, &r, &Control::none()).unwrap();
    assert_eq!(o.packing.num_bins(), 50 * MAX_GROUP_BINS);
}

#[test]
fn abort_is_polled_by_work_not_items() {
    // 60 items, each opening a group of 60,000 devices: 3.6M bins of work
    // but far fewer items than one polling stride. The abort must still stop it.
    let mut caps = vec![1; 59_999];
    caps.insert(0, 4096);
    let r = req("ohgbfd", |r: RequestBuilder| r.capacities(caps)).unwrap();
    let lengths = vec![4096u32; 60];
    let flag = AtomicBool::new(false);
    let (res, after_abort) = std::thread::scope(|s| {
        let h = s.spawn(|| pack(&lengths, &r, &Control::with_flag(&flag)));
        std::thread::sleep(Duration::from_millis(5));
        flag.store(true, Ordering::Relaxed);
        let t = Instant::now();
        let res = h.join().unwrap();
        (res, t.elapsed())
    });
    assert_eq!(
        res.unwrap_err().kind,
        ErrorKind::Aborted,
        "finished {after_abort:?} after the abort"
    );
}

#[test]
fn heterogeneous_follows_its_rule_under_adversarial_weights() {
    // Alternating weights 0 and 1e6 (which made the old search visit every
    // bin per item; the work bound itself is tested on RatioIndex): the
    // packing must be valid and identical to a brute-force reference.
    let n = 3000u32;
    let lengths: Vec<u32> = (0..n)
        .map(|i| 16 + (i.wrapping_mul(2654435761u32) >> 20) % 4000)
        .collect();
    let weights: Vec<f64> = (0..n).map(|i| if i % 2 == 0 { 0.0 } else { 1e6 }).collect();
    let caps = vec![8192u32, 4096, 4096, 2048];
    let r = req("ohgbfd", |r: RequestBuilder| {
        r.capacities(caps.clone()).weights(weights.clone())
    })
    .unwrap();
    let o = pack(&lengths, &r, &Control::none()).unwrap();
    o.packing.verify(&lengths, 8192).unwrap();
    // Reference: the documented rule by linear scan over all bins.
    let mut order: Vec<u32> = (0..n).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(lengths[i as usize]), i));
    let (mut room, mut wsum, mut cap): (Vec<u32>, Vec<f64>, Vec<u32>) = (vec![], vec![], vec![]);
    let mut bins: Vec<Vec<u32>> = vec![];
    for &i in &order {
        let len = lengths[i as usize];
        let pick = |room: &Vec<u32>, wsum: &Vec<f64>, cap: &Vec<u32>| {
            (0..room.len())
                .filter(|&b| room[b] >= len)
                .min_by(|&a, &b| {
                    (wsum[a] / cap[a] as f64)
                        .partial_cmp(&(wsum[b] / cap[b] as f64))
                        .unwrap()
                        .then(room[b].cmp(&room[a]))
                        .then(a.cmp(&b))
                })
        };
        let b = match pick(&room, &wsum, &cap) {
            Some(b) => b,
            None => {
                for &c in &caps {
                    room.push(c);
                    wsum.push(0.0);
                    cap.push(c);
                    bins.push(vec![]);
                }
                pick(&room, &wsum, &cap).unwrap()
            }
        };
        room[b] -= len;
        wsum[b] += weights[i as usize];
        bins[b].push(i);
    }
    let got: Vec<Vec<u32>> = o.packing.bins().map(|b| b.to_vec()).collect();
    assert_eq!(got, bins);
}
