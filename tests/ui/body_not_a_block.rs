mod support;
use async_with::async_with;
use support::Door;

async fn run() {
    async_with!(Door => door, println!("{door}"));
}

fn main() {}
