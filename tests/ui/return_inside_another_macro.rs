// `return` inside the tokens of a macro other than the standard formatting
// and assertion macros: those tokens are opaque to `async_with!`, so the
// `return` would leave the body's `async` block. The error is at the
// `return`, and says to compute the value first and return in the body.
use async_with::{async_with, nullcontext};

macro_rules! passthrough {
    ($e:expr) => {
        $e
    };
}

async fn run() -> u32 {
    async_with!(nullcontext(()) { passthrough!(return 5) });
    0
}

fn main() {
    let _ = run;
}
