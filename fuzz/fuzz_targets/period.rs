//! `Period::from_str` on arbitrary text: never panics, and whatever it accepts it writes back
//! exactly as given (the format is strict) with valid quarter dates.
#![no_main]

use anju::domain::{Lang, Period, format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match text.parse::<Period>() {
        Ok(period) => {
            assert_eq!(period.to_string(), text);
            assert!((1..=4).contains(&period.quarter()));
            assert!(period.first_day() <= period.last_day());
            assert_eq!(Period::containing(period.last_day()), Ok(period));
            let _ = (
                format::period(period, Lang::Zh),
                format::period(period, Lang::En),
                period.next(),
                period.previous_in_year(),
            );
        }
        Err(error) => {
            assert!(!error.to_string().is_empty());
        }
    }
});
