mod support;
use async_with::async_with;
use support::Door;

async fn knock() {}

async fn run() {
    async_with!(Door => door {
        let later = || {
            knock().await;
        };
        later();
        println!("{door}");
    });
}

fn main() {}
