// A macro that returns without a `return` in its tokens (anyhow's `bail!`
// and `ensure!`): `async_with!` cannot see it at all, and the `return`
// leaves only the `async` block the body runs in. rustc's error names the
// expansion's flow enum and points at the macro ("return type inferred to
// be ... here"); the way around is `return Err(..)` in the body itself
// (documented under "Limitations" in `async_with!`'s docs).
use async_with::{async_with, nullcontext};

macro_rules! bail {
    ($e:expr) => {
        return Err($e)
    };
}

async fn run(n: u32) -> Result<u32, u32> {
    async_with!(nullcontext(()) {
        if n > 1 {
            bail!(n);
        }
        Ok(n)
    })
}

fn main() {
    let _ = run;
}
