// An error type that borrows (a lifetime parameter) and implements
// `Error`: the expansion hands `exit` the error itself, which needs
// `'static`, and cannot tell a borrowing error type from an owned one.
use async_with::{async_with, nullcontext};

#[derive(Debug)]
struct ParseError<'a>(&'a str);

impl std::fmt::Display for ParseError<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot parse {}", self.0)
    }
}

impl std::error::Error for ParseError<'_> {}

fn parse(input: &str) -> Result<u8, ParseError<'_>> {
    input.parse().map_err(|_| ParseError(input))
}

async fn run(input: &str) -> Result<u8, ParseError<'_>> {
    async_with!(nullcontext(()) {
        let n = parse(input)?;
        Ok(n)
    })
}

fn main() {
    let _ = run;
}
