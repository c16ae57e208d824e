// A hand-written manager without `impl_send_manager!` given to the exit
// stack: the error names the line to add.
use async_with::{AsyncContextManager, ExitStack, Outcome};
use std::convert::Infallible;

struct Door;

impl AsyncContextManager for Door {
    type Target<'a> = ();
    type Error = Infallible;
    async fn enter(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
    async fn exit(&mut self, _: Outcome<'_>) -> Result<(), Infallible> {
        Ok(())
    }
    fn cancel(&mut self) {}
}

async fn open(stack: &mut ExitStack) {
    stack.enter(Door).await.unwrap();
}

fn main() {
    let _ = open;
}
