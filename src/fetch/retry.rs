//! When to try again: exponential backoff with full jitter, and `Retry-After`.
//!
//! Legacy servers fail in bursts (a busy PHP pool, a rate limiter); hammering
//! them again at once makes it worse. Delays double from `backoff_base`, are
//! capped at `backoff_max`, and are drawn uniformly from zero to that bound
//! ("full jitter") so that parallel retries spread out. A server's own
//! `Retry-After` wins over the computed delay, within the same cap.

use std::time::Duration;

use rand::Rng;

/// The delay before attempt `next_attempt` (2 for the first retry).
pub fn backoff(base: Duration, max: Duration, next_attempt: u32) -> Duration {
    let exponent = next_attempt.saturating_sub(2).min(30);
    let bound = base.saturating_mul(1u32 << exponent).min(max);
    let nanos = u64::try_from(bound.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return Duration::ZERO;
    }
    Duration::from_nanos(rand::rng().random_range(0..=nanos))
}

/// Parses a `Retry-After` value: delta seconds or an HTTP date. A date in
/// the past means "now". Unparsable values give `None`.
pub fn parse_retry_after(value: &[u8], now: jiff::Timestamp) -> Option<Duration> {
    let text = std::str::from_utf8(value).ok()?.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(text)
        .ok()?;
    let span = at.duration_since(now);
    Some(Duration::try_from(span).unwrap_or(Duration::ZERO))
}

/// The delay before the next attempt: `Retry-After` when given (capped at
/// `max`), otherwise jittered exponential backoff.
pub fn next_delay(
    base: Duration,
    max: Duration,
    next_attempt: u32,
    retry_after: Option<Duration>,
) -> Duration {
    match retry_after {
        Some(wait) => wait.min(max),
        None => backoff(base, max, next_attempt),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_within_bounds() {
        let base = Duration::from_millis(100);
        let max = Duration::from_millis(350);
        for _ in 0..50 {
            assert!(backoff(base, max, 2) <= base);
            assert!(backoff(base, max, 3) <= base * 2);
            assert!(backoff(base, max, 10) <= max);
        }
        assert_eq!(backoff(Duration::ZERO, max, 5), Duration::ZERO);
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now: jiff::Timestamp = "2015-10-21T07:27:00Z".parse().expect("ts");
        assert_eq!(
            parse_retry_after(b"120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after(b"Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after(b"Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after(b"soon", now), None);
        let capped = next_delay(
            Duration::from_millis(1),
            Duration::from_secs(2),
            2,
            Some(Duration::from_secs(60)),
        );
        assert_eq!(capped, Duration::from_secs(2));
    }
}
