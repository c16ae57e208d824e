mod support;
use async_with::async_with;
use support::Flaky;

async fn run() {
    async_with!(Flaky? => flaky {
        println!("{flaky}");
    });
}

fn main() {}
