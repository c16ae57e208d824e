mod support;
use async_with::{async_with, AsyncContextManager, Outcome};

struct Parsed;

impl AsyncContextManager for Parsed {
    type Target<'a> = Result<u32, String>;
    type Error = std::convert::Infallible;
    async fn enter(&mut self) -> Result<Result<u32, String>, Self::Error> {
        Ok(Ok(7))
    }
    async fn exit(&mut self, _: Outcome<'_>) -> Result<(), Self::Error> {
        Ok(())
    }
    fn cancel(&mut self) {}
}

async fn run() {
    async_with!(Parsed => Ok(n) {
        println!("{n}");
    });
}

fn main() {}
