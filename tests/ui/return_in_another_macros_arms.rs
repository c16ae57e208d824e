// `return` in a macro whose tokens are not expressions (arms, as in
// `tokio::select!`): found by its keyword, reported at it.
use async_with::{async_with, nullcontext};

macro_rules! first {
    ($($pat:pat = $e:expr => $arm:expr),* $(,)?) => {
        match () { $(_ => { let $pat = $e; $arm })* }
    };
}

async fn run() -> u32 {
    async_with!(nullcontext(()) {
        first! { n = 4 => return n }
    });
    0
}

fn main() {
    let _ = run;
}
