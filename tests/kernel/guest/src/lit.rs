//! One Spotlight block, as a user writes it, over any LED backend.

use async_with::led::LedError;
use async_with::{Spotlight, async_with};
use embedded_hal::digital::OutputPin;

/// Lights `led` for one `async_with!` block and returns what `observe` read
/// inside the body, while the light was on. The spotlight (and so the LED
/// backend) is dropped when the block ends.
pub(crate) async fn lit<L, T>(led: L, observe: impl FnOnce() -> T) -> Result<T, LedError>
where
    L: OutputPin<Error = LedError>,
{
    Ok(async_with!(Spotlight::new(led)? => _spot { observe() }))
}

/// Like [`lit`], but over a spotlight the caller keeps, so what exit left
/// behind can be read before the backend is closed.
pub(crate) async fn lit_borrowed<L, T>(
    spot: &mut Spotlight<L>,
    observe: impl FnOnce() -> T,
) -> Result<T, LedError>
where
    L: OutputPin<Error = LedError>,
{
    Ok(async_with!(spot? => _spot { observe() }))
}
