// `return` inside a macro nested in another macro's tokens (a macro with
// expression arguments, one with `select!`-style arms, an `async_with!`
// block whose `return` is replayed there): found through the nesting and
// reported at the `return`, naming the macro written in the body.
use async_with::{async_with, nullcontext};

macro_rules! passthrough {
    ($e:expr) => {
        $e
    };
}

macro_rules! first {
    ($($pat:pat = $e:expr => $arm:expr),* $(,)?) => {
        match () { $(_ => { let $pat = $e; $arm })* }
    };
}

async fn in_a_macro(n: u32) -> u32 {
    async_with!(nullcontext(()) { passthrough!(passthrough!(return n)) })
}

async fn in_arms(n: u32) -> u32 {
    async_with!(nullcontext(()) { passthrough!(first! { v = n => return v }) })
}

async fn in_a_nested_block(n: u32) -> u32 {
    async_with!(nullcontext(()) {
        passthrough!(async_with!(nullcontext(()) { if n > 1 { return n; } 0 }))
    })
}

fn main() {
    let _ = (in_a_macro, in_arms, in_a_nested_block);
}
