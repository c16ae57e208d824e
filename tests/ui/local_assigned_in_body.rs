// A local declared before the block and first assigned inside it: the body
// is an `async` block, which captures the local before it is initialised.
use async_with::{async_with, nullcontext};

async fn run() -> u32 {
    let x;
    async_with!(nullcontext(()) { x = 5; });
    x
}

fn main() {
    let _ = run;
}
