mod support;
use async_with::async_with;
use support::Door;

async fn run() {
    'outer: for _ in 0..3 {
        async_with!(Door => door {
            if door > 3 {
                continue 'outr;
            }
        });
    }
}

fn main() {}
