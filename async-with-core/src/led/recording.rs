//! [`RecordingPin`]: an `OutputPin` test double that remembers every write.

use core::convert::Infallible;
use core::fmt;
use core::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard};
use std::vec::Vec;

use embedded_hal::digital::{ErrorKind, ErrorType, OutputPin};

/// An embedded-hal output pin that records its level and every write, with
/// clones sharing one state, so a test can hand one clone to a
/// [`Spotlight`](crate::Spotlight) and watch through another.
///
/// `RecordingPin` (that is, `RecordingPin<Infallible>`) cannot fail, so a
/// spotlight over it needs no `?` mark in `async_with!`.
/// [`RecordingPin::fallible`] makes a `RecordingPin<InjectedFault>` whose
/// writes can be made to fail.
///
/// # Example
///
/// ```
/// use embedded_hal::digital::OutputPin;
/// use async_with_core::led::RecordingPin;
///
/// let pin = RecordingPin::new();
/// let mut handle = pin.clone();
/// handle.set_high().unwrap();
/// handle.set_low().unwrap();
/// assert!(pin.is_low());
/// assert_eq!(pin.history(), [true, false]);
/// ```
pub struct RecordingPin<E = Infallible> {
    state: Arc<Mutex<State>>,
    error: PhantomData<fn() -> E>,
}

#[derive(Debug, Default)]
struct State {
    high: bool,
    history: Vec<bool>,
    /// Writes that still succeed before the injected failures start.
    fail_after: Option<usize>,
}

/// The error a [`RecordingPin::fallible`] pin fails with once told to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InjectedFault {
    /// The level the failed write tried to set (`true` = high).
    pub level: bool,
}

impl fmt::Display for InjectedFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = if self.level { "high" } else { "low" };
        write!(
            f,
            "injected fault: the recording pin refused to go {level} (a test asked it to fail)"
        )
    }
}

impl std::error::Error for InjectedFault {}

impl embedded_hal::digital::Error for InjectedFault {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Other
    }
}

impl RecordingPin<Infallible> {
    /// A new pin, low, with an empty history, that never fails.
    pub fn new() -> Self {
        RecordingPin {
            state: Arc::default(),
            error: PhantomData,
        }
    }
}

impl Default for RecordingPin<Infallible> {
    fn default() -> Self {
        Self::new()
    }
}

impl RecordingPin<InjectedFault> {
    /// A new pin, low, whose writes fail once [`fail_after`](Self::fail_after)
    /// says so.
    ///
    /// ```
    /// use embedded_hal::digital::OutputPin;
    /// use async_with_core::led::RecordingPin;
    ///
    /// let mut pin = RecordingPin::fallible();
    /// pin.fail_after(1);
    /// pin.set_high().unwrap();
    /// assert!(pin.set_low().is_err());
    /// assert!(pin.is_high());
    /// ```
    pub fn fallible() -> Self {
        RecordingPin {
            state: Arc::default(),
            error: PhantomData,
        }
    }

    /// Lets `writes` more writes succeed, then fails every later one
    /// (`0`: the next write fails). Failed writes change nothing and are not
    /// in the history.
    pub fn fail_after(&self, writes: usize) {
        self.lock().fail_after = Some(writes);
    }

    /// Stops injecting failures.
    pub fn heal(&self) {
        self.lock().fail_after = None;
    }
}

impl<E> RecordingPin<E> {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock must not hide the state.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether the pin is high (the LED is on).
    pub fn is_high(&self) -> bool {
        self.lock().high
    }

    /// Whether the pin is low (the LED is off).
    pub fn is_low(&self) -> bool {
        !self.is_high()
    }

    /// Every successful write in order: `true` for high, `false` for low.
    pub fn history(&self) -> Vec<bool> {
        self.lock().history.clone()
    }

    fn write(&self, high: bool) -> Result<(), InjectedFault> {
        let mut state = self.lock();
        match &mut state.fail_after {
            Some(0) => return Err(InjectedFault { level: high }),
            Some(left) => *left -= 1,
            None => {}
        }
        state.high = high;
        state.history.push(high);
        Ok(())
    }
}

impl<E> Clone for RecordingPin<E> {
    fn clone(&self) -> Self {
        RecordingPin {
            state: Arc::clone(&self.state),
            error: PhantomData,
        }
    }
}

impl<E> fmt::Debug for RecordingPin<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("RecordingPin")
            .field("high", &state.high)
            .field("history", &state.history)
            .finish()
    }
}

impl ErrorType for RecordingPin<Infallible> {
    type Error = Infallible;
}

impl OutputPin for RecordingPin<Infallible> {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.write(false)
            .map_err(|_| unreachable!("an infallible pin has no fault plan"))
    }

    fn set_high(&mut self) -> Result<(), Infallible> {
        self.write(true)
            .map_err(|_| unreachable!("an infallible pin has no fault plan"))
    }
}

impl ErrorType for RecordingPin<InjectedFault> {
    type Error = InjectedFault;
}

impl OutputPin for RecordingPin<InjectedFault> {
    fn set_low(&mut self) -> Result<(), InjectedFault> {
        self.write(false)
    }

    fn set_high(&mut self) -> Result<(), InjectedFault> {
        self.write(true)
    }
}
