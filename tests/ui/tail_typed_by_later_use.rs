// The body's value gets its type only from code after the block: the
// expansion must classify it (is it an `Err`?) before that code is seen.
use async_with::{async_with, nullcontext};

fn zero<T: Default>() -> T {
    T::default()
}

fn takes(n: u32) -> u32 {
    n
}

async fn run() -> u32 {
    let n = async_with!(nullcontext(()) { zero() });
    takes(n)
}

fn main() {
    let _ = run;
}
