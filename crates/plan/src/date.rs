//! Calendar helpers: ISO dates, month ends, quarter ends, day differences.

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month 1..=12.
    pub month: u32,
    /// Day 1..=31.
    pub day: u32,
}

impl Date {
    /// A date if it exists in the calendar (and the year is plausible for a plan).
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1900..=2200).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// The last day of a month.
    pub fn month_end(year: i32, month: u32) -> Option<Date> {
        if !(1..=12).contains(&month) {
            return None;
        }
        Date::new(year, month, days_in_month(year, month))
    }

    /// The last day of quarter `q` (1..=4).
    pub fn quarter_end(year: i32, q: u32) -> Option<Date> {
        if !(1..=4).contains(&q) {
            return None;
        }
        Date::month_end(year, q * 3)
    }

    /// `YYYY-MM-DD`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let mut it = s.splitn(3, '-');
        let y = it.next()?.parse().ok()?;
        let m = it.next()?.parse().ok()?;
        let d = it.next()?.parse().ok()?;
        Date::new(y, m, d)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

/// Whether `year` is a leap year.
pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in a month (0 for an invalid month).
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days from `a` to `b` for two ISO dates (`b - a`).
pub fn days_between(a: &str, b: &str) -> Option<i64> {
    Some(Date::parse_iso(b)?.days_since_epoch() - Date::parse_iso(a)?.days_since_epoch())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_and_quarter_ends() {
        assert_eq!(
            Date::month_end(2024, 2).map(|d| d.iso()),
            Some("2024-02-29".into())
        );
        assert_eq!(
            Date::quarter_end(2020, 2).map(|d| d.iso()),
            Some("2020-06-30".into())
        );
        assert_eq!(Date::new(2023, 2, 29), None);
    }

    #[test]
    fn day_differences() {
        assert_eq!(days_between("2020-06-30", "2021-06-30"), Some(365));
        assert_eq!(Date::new(1970, 1, 1).map(|d| d.days_since_epoch()), Some(0));
    }
}
