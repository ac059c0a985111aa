//! Splitting the lead/support columns into units.

/// Splits a unit cell on `;` (never on `,`, which separates parts of one
/// unit's name as often as it separates units). Empty parts are dropped.
///
/// ```
/// use kehoach_plan::units::split_units;
/// assert_eq!(split_units("Phòng Tư pháp; UBND cấp xã"), vec!["Phòng Tư pháp", "UBND cấp xã"]);
/// assert_eq!(split_units("Các phòng, đơn vị;"), vec!["Các phòng, đơn vị"]);
/// ```
pub fn split_units(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}
