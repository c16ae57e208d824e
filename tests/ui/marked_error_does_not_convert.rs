mod support;
use async_with::async_with;
use support::Flaky;

async fn run() -> Result<(), std::io::Error> {
    async_with!(Flaky? => flaky {
        println!("{flaky}");
    });
    Ok(())
}

fn main() {}
