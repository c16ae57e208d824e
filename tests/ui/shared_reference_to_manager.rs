mod support;
use async_with::async_with;
use support::Door;

async fn run() {
    let door = Door;
    async_with!(&door => number {
        println!("{number}");
    });
}

fn main() {}
