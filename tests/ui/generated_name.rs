mod support;
use async_with::async_with;
use support::Door;

async fn run() {
    async_with!(Door => door {
        let _ = __async_with_guard;
        println!("{door}");
    });
}

fn main() {}
