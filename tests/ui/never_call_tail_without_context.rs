// A tail of type `!` that the macro cannot see diverging (a call to a
// `-> !` function of the user's), where nothing gives the block a type.
use async_with::{async_with, nullcontext};

fn fail() -> ! {
    panic!("failed")
}

async fn run() {
    async_with!(nullcontext(()) { fail() });
}

fn main() {
    let _ = run;
}
