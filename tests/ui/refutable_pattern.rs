mod support;
use async_with::{async_with, AsyncContextManager, Outcome};

struct Maybe;

impl AsyncContextManager for Maybe {
    type Target<'a> = Option<u32>;
    type Error = std::convert::Infallible;
    async fn enter(&mut self) -> Result<Option<u32>, Self::Error> {
        Ok(None)
    }
    async fn exit(&mut self, _: Outcome<'_>) -> Result<(), Self::Error> {
        Ok(())
    }
    fn cancel(&mut self) {}
}

async fn run() {
    async_with!(Maybe => Some(x) {
        println!("{x}");
    });
}

fn main() {}
