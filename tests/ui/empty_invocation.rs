use async_with::async_with;

async fn run() {
    async_with!();
}

fn main() {}
