mod support;
use async_with::async_with;
use support::{Flaky, FlakyError};

async fn run() -> Result<(), FlakyError> {
    async_with!(Flaky => flaky? {
        println!("{flaky}");
    });
    Ok(())
}

fn main() {}
