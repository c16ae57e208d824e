mod support;
use async_with::async_with;
use support::Door;

async fn run() -> Result<(), String> {
    async_with!(Door => door {
        let half = (door / 2)?;
        println!("{half}");
    });
    Ok(())
}

fn main() {}
