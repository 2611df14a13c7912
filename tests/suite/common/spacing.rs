//! Politeness as the server sees it. The crawler spaces request *starts*;
//! what reaches the server also carries the jitter of a loaded machine (a
//! new connection, a busy core): a request that arrives late makes the gap
//! before it longer and the gap after it shorter by the same amount. So a
//! short gap is accepted only when it and the gap before it together still
//! span two delays (less half a delay of jitter): exactly what lateness can
//! produce, and nothing a second request sent early could. The mean gap must
//! be the delay, less what a late first arrival takes off the span. Without politeness the gaps are about 1 ms.

use std::time::Duration;

/// `Err` names the first gap that politeness cannot explain.
pub fn check_gaps(gaps: &[Duration], delay: Duration, tolerance: Duration) -> Result<(), String> {
    for (i, gap) in gaps.iter().enumerate() {
        let late_before = i > 0 && gaps[i - 1] + *gap >= delay * 2 - delay / 2;
        if *gap < delay / 2 && !late_before {
            return Err(format!(
                "gap {i}: requests only {gap:?} apart (gap before: {:?}), delay is {delay:?}",
                i.checked_sub(1).map(|p| gaps[p])
            ));
        }
    }
    if !gaps.is_empty() {
        // the span from the first arrival to the last is the number of
        // gaps times the delay, less what the first request was late by:
        // at most half a delay, as for one gap above (over few gaps that
        // lateness moves the mean, over many it does not)
        let n = gaps.len() as u32;
        let mean = gaps.iter().sum::<Duration>() / n;
        if mean + tolerance + delay / (2 * n) < delay {
            return Err(format!("mean gap {mean:?}, delay is {delay:?}"));
        }
    }
    Ok(())
}
