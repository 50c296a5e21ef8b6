//! Packing with the typed Rust API: `cargo run -p seqpack-core --example pack_lengths`.
use seqpack_core::{pack, Control, Request, Strategy};

fn main() -> Result<(), seqpack_core::PackError> {
    let lengths = [900, 700, 620, 500, 410, 300, 200, 120];
    // OBFD into rows of 1024 tokens.
    let out = pack(
        &lengths,
        &Request::new(Strategy::Obfd, 1024)?,
        &Control::none(),
    )?;
    for (b, bin) in out.packing.bins().enumerate() {
        let tokens: u32 = bin.iter().map(|&i| lengths[i as usize]).sum();
        println!("row {b}: items {bin:?}, {tokens} tokens");
    }
    println!("efficiency {:.3}", out.metrics.efficiency);
    // Groups of 2 rows (two data-parallel ranks per step).
    let req = Request::builder(Strategy::Ogbfd)
        .capacity(1024)
        .group_size(2)
        .build()?;
    let grouped = pack(&lengths, &req, &Control::none())?;
    println!(
        "{} groups",
        grouped.metrics.groups.map_or(0, |g| g.num_groups)
    );
    Ok(())
}
