use async_with::async_with;
use tokio::sync::Semaphore;

async fn run(slots: Semaphore) -> Result<(), tokio::sync::AcquireError> {
    async_with!(&slots? => _permit {});
    Ok(())
}

fn main() {}
