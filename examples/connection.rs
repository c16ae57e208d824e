//! A teaching example: a manager around a (pretend) network connection,
//! showing what `exit` is told on each way out of the block, and what
//! cancellation does.
//!
//! Run it with `cargo run --example connection`.

use std::convert::Infallible;
use std::time::Duration;

use async_with::{AsyncContextManager, Outcome, async_with};

/// A connection that must be closed politely, or at least marked broken.
struct Connection {
    peer: &'static str,
    sent: Vec<String>,
}

impl Connection {
    fn to(peer: &'static str) -> Self {
        Connection {
            peer,
            sent: Vec::new(),
        }
    }

    async fn send(&mut self, message: &str) {
        tokio::time::sleep(Duration::from_millis(5)).await;
        self.sent.push(message.to_owned());
    }
}

impl AsyncContextManager for Connection {
    type Target<'a> = &'a mut Connection;
    type Error = Infallible;

    async fn enter(&mut self) -> Result<&mut Connection, Infallible> {
        println!("  open {}", self.peer);
        Ok(self)
    }

    async fn exit(&mut self, outcome: Outcome<'_>) -> Result<(), Infallible> {
        // Async cleanup: a polite goodbye that has to be awaited.
        tokio::time::sleep(Duration::from_millis(5)).await;
        println!(
            "  close {} after {} message(s): {outcome}",
            self.peer,
            self.sent.len()
        );
        Ok(())
    }

    fn cancel(&mut self) {
        // Dropped mid-block: nothing can be awaited here any more.
        println!(
            "  cancel {}: marked broken after {} message(s)",
            self.peer,
            self.sent.len()
        );
    }
}

async fn send_all(messages: &[&str]) -> Result<usize, String> {
    let mut connection = Connection::to("camera-01");
    let sent = async_with!(&mut connection => conn {
        for message in messages {
            if message.is_empty() {
                Err("an empty message".to_owned())?;
            }
            conn.send(message).await;
        }
        conn.sent.len()
    });
    Ok(sent)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!("completed:");
    println!("  -> {:?}", send_all(&["hello", "world"]).await);

    println!("failed by `?`:");
    println!("  -> {:?}", send_all(&["hello", ""]).await);

    println!("cancelled by a timeout:");
    let slow = tokio::time::timeout(Duration::from_millis(7), send_all(&["a", "b", "c"])).await;
    println!("  -> {slow:?}");
}
