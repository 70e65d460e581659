//! `parse_value` on arbitrary text: never panics; blank is "not reported"; every figure it
//! accepts is in range and reads back the same from its plain and grouped forms.
#![no_main]

use anju::domain::validation::{MAX_VALUE, parse_value};
use libfuzzer_sys::fuzz_target;

/// 1234567 → "1,234,567", as a spreadsheet pastes it.
fn grouped(value: i64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match parse_value(text) {
        Ok(None) => assert!(text.trim().is_empty(), "{text:?} read as blank"),
        Ok(Some(value)) => {
            assert!((0..=MAX_VALUE).contains(&value), "{text:?} → {value}");
            assert_eq!(parse_value(&value.to_string()), Ok(Some(value)));
            assert_eq!(parse_value(&grouped(value)), Ok(Some(value)));
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
});
