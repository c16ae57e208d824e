mod support;
use async_with::async_with;
use support::Flaky;

/// The application's error: it has no `From<FlakyError>`.
#[derive(Debug)]
struct AppError;

async fn run() -> Result<(), AppError> {
    async_with!(Flaky? => flaky {
        println!("{flaky}");
    });
    Ok(())
}

fn main() {}
