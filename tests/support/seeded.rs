//! Reproducible randomness and knobs for the load and property tests.

/// splitmix64: a reproducible stream of draws from a seed, without a
/// dependency.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The environment variable `name` parsed as a `T`, or `default` when it
/// is unset or does not parse.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Keeps planned panics (thousands of them, their message starting with
/// `prefix`) off stderr; any other panic still reports through the hook
/// that was installed before. The first call's prefix holds for the whole
/// test binary.
pub fn silence_planned_panics(prefix: &'static str) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str));
            if !message.is_some_and(|message| message.starts_with(prefix)) {
                UNPLANNED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                default(info);
            }
        }));
    });
}

static UNPLANNED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many panics did not start with the planned prefix since
/// [`silence_planned_panics`] was called: a panic from the library itself,
/// also one in a spawned task that nothing awaits.
pub fn unplanned_panics() -> usize {
    UNPLANNED.load(std::sync::atomic::Ordering::SeqCst)
}
