use async_with::async_with;

struct Lamp;

async fn run() {
    async_with!(Lamp => lamp {
        let _ = lamp;
    });
}

fn main() {}
