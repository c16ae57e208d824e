// `return` in a `tokio::select!` handler, with an `async` block and a
// closure elsewhere in the arms (which have their own `return`), and more
// statements after the macro: reported at the `return`, and only there.
use async_with::{async_with, nullcontext};

async fn run(n: u32) -> u32 {
    async_with!(nullcontext(()) {
        tokio::select! {
            biased;
            v = async { n }, if (|| n > 0)() => { if v > 9 { return v; } }
            else => {}
        }
        let doubled = n * 2;
        doubled
    })
}

fn main() {
    let _ = run;
}
