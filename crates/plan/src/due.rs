//! Deadline parsing: the deadline column's text → [`Due`].

use crate::Due;

/// Parses a deadline cell. `plan_year` supplies a missing year.
pub fn parse_due(text: &str, plan_year: Option<i32>) -> Option<Due> {
    let _ = (text, plan_year);
    None
}
