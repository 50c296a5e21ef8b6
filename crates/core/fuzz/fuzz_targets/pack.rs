#![no_main]
//! Every strategy, random options, all invariants (see tests/support/case.rs).

#[path = "../../tests/support/case.rs"]
mod case;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    case::run_case(data);
});
