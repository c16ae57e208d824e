mod support;
use async_with::async_with;
use support::Door;

async fn run() {
    async_with!(Door => door door {
        let opened: u32 = door + 1;
        println!("{opened}");
    });
}

fn main() {}
