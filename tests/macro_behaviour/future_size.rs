//! The future of a function using `async_with!` is no larger than the one a
//! careful engineer writes by hand for the same guarantee (give or take a
//! word or two of layout), and stays small as managers nest.
//!
//! Upper bounds only: exact sizes move with the compiler's layout choices.
//! `cargo run --release --example future_size` prints the figures.

use crate::{common, sizes};

/// Layout slack allowed over the hand-written future: two words.
const SLACK: usize = 16;

#[test]
fn async_with_future_is_at_most_the_hand_written_one_plus_two_words() {
    for (managers, with, hand, _) in sizes::sizes() {
        assert!(
            with <= hand + SLACK,
            "{managers} managers: async_with! future is {with} B, hand-written {hand} B"
        );
    }
}

#[test]
fn async_with_future_grows_by_at_most_a_guard_and_an_exit_per_manager() {
    // Generous: the body alone is ~40 B, each level today adds ~50 B.
    for (managers, with, _, _) in sizes::sizes() {
        let bound = 128 + 128 * managers;
        assert!(
            with <= bound,
            "{managers} managers: async_with! future is {with} B, over {bound} B"
        );
    }
}

#[test]
fn measured_futures_run_to_the_same_value() {
    // Sizes of code that does not work would prove nothing.
    assert_eq!(common::block_on(sizes::macro_8()), 1);
    assert_eq!(common::block_on(sizes::hand_8()), 1);
    assert_eq!(common::block_on(sizes::raw_8()), 1);
}
