//! Prints the size of the future of a function using 1, 3 and 8 managers
//! through `async_with!`, next to the hand-written correct sequence and the
//! raw sequence with no guarantee.
//!
//! `cargo run --release --example future_size`

#[path = "../benches/common/mod.rs"]
mod common;
#[path = "../benches/common/sizes.rs"]
mod sizes;

fn main() {
    println!("managers  async_with!  hand_correct  raw_floor  macro/hand  macro/raw");
    for (managers, with, hand, raw) in sizes::sizes() {
        println!(
            "{managers:>8}  {with:>9} B  {hand:>10} B  {raw:>7} B  {:>10.3}  {:>9.3}",
            with as f64 / hand as f64,
            with as f64 / raw as f64,
        );
    }
    // The futures really run: the sizes are of code that works.
    assert_eq!(common::block_on(sizes::macro_8()), 1);
    assert_eq!(common::block_on(sizes::hand_8()), 1);
}
