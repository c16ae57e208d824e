use async_with::{async_with, nullcontext};
use std::error::Error;

#[derive(Debug)]
struct Refused;
impl std::fmt::Display for Refused { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("refused") } }
impl Error for Refused {}

struct User { name: String }
impl User {
    async fn display_name(&self) -> &str {
        async_with!(nullcontext(()) {
            if !self.name.is_empty() { return &self.name; }
            "anonymous"
        })
    }
}
async fn boxed(fail: bool) -> Result<u8, Box<dyn Error>> {
    async_with!(nullcontext(()) {
        if fail { return Err(Box::new(Refused)); }
        Err(Box::new(Refused))
    })
}
fn zero<T: Default>() -> T { T::default() }
async fn ctx() -> u32 {
    let n: u32 = async_with!(nullcontext(()) { zero() });
    n
}
fn never() -> ! { panic!("never") }
async fn div() -> u32 {
    async_with!(nullcontext(()) { never() })
}
async fn div2() {
    async_with!(nullcontext(()) { std::process::exit(0) });
}
async fn brk() -> u32 {
    let x: Result<u8, Box<dyn Error>> = loop {
        async_with!(nullcontext(()) { break Err(Box::new(Refused)); });
    };
    x.map(u32::from).unwrap_or(3)
}
async fn closure_fn() -> fn(u8) -> u8 {
    async_with!(nullcontext(()) { if true { return |x| x + 1; } |x| x + 2 })
}

#[test]
fn scratch() {
    futures::executor::block_on(async {
        let u = User { name: "a".into() };
        assert_eq!(u.display_name().await, "a");
        assert!(boxed(true).await.is_err());
        assert_eq!(ctx().await, 0);
        assert_eq!(brk().await, 3);
        assert_eq!(closure_fn().await(1), 2);
        let _ = div;
        let _ = div2;
    });
}
