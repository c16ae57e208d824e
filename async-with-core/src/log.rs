//! Where the library reports what it cannot return: a failed LED write in a
//! cancellation hook or a `Drop`. `tracing` with `std`, `defmt` with the
//! `defmt` feature (on a microcontroller), nowhere otherwise.

// Input:  warn_unreturned!(error, "message")
// Output: tracing::warn!(?error, "message") and/or
//         defmt::warn!("message: {}", defmt::Debug2Format(&error))
macro_rules! warn_unreturned {
    ($error:ident, $message:literal) => {{
        #[cfg(feature = "tracing")]
        tracing::warn!(error = ?$error, $message);
        #[cfg(feature = "defmt")]
        defmt::warn!(
            "{=str}: {:?}",
            $message,
            defmt::Debug2Format(&$error)
        );
        let _ = &$error;
    }};
}

pub(crate) use warn_unreturned;
