mod support;
use support::Door;

async fn run() {
    async_with::__private::async_with_inner!(Door => door {
        println!("{door}");
    });
}

fn main() {}
