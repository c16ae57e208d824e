mod support;
use async_with::async_with;
use support::Door;

async fn run() {
    async_with!(Door => front Door => back {
        println!("{front} {back}");
    });
}

fn main() {}
