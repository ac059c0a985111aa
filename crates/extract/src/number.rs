//! The number cell: `II`, `2`, `2.1`, `II.1`, `a)`, and number+text cells.

/// A parsed row number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Num {
    /// A Roman numeral section (`II`), optionally with sub-parts (`II.1` → parts `[1]`).
    Roman(String, Vec<u32>),
    /// Dotted Arabic numbering (`2.1` → `[2, 1]`).
    Arabic(Vec<u32>),
    /// A single upper-case letter used as a top-level heading (`A`, `B`).
    UpperLetter(char),
    /// A lower-case letter item (`a`, `đ`).
    Letter(char),
}

impl Num {
    /// The hierarchy level implied by the number alone (`None` for letters,
    /// whose level depends on what precedes them).
    pub fn level(&self) -> Option<u32> {
        match self {
            Num::Roman(_, parts) => Some(parts.len() as u32),
            Num::Arabic(parts) => Some(parts.len() as u32),
            Num::UpperLetter(_) => Some(0),
            Num::Letter(_) => None,
        }
    }

    /// The last numeric component, for gap checks.
    pub fn last(&self) -> Option<u32> {
        match self {
            Num::Roman(r, parts) => parts.last().copied().or_else(|| roman_value(r)),
            Num::Arabic(parts) => parts.last().copied(),
            Num::UpperLetter(c) | Num::Letter(c) => letter_index(*c),
        }
    }
}

fn letter_index(c: char) -> Option<u32> {
    const ORDER: &str = "abcdđefghiklmnopqrstuvxy";
    let lower = c.to_lowercase().next()?;
    ORDER.chars().position(|x| x == lower).map(|p| p as u32 + 1)
}

/// The value of a Roman numeral (I..=XXXIX, with L and C allowed), or `None`.
pub fn roman_value(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 8 {
        return None;
    }
    let val = |c: char| match c {
        'I' => Some(1),
        'V' => Some(5),
        'X' => Some(10),
        'L' => Some(50),
        'C' => Some(100),
        _ => None,
    };
    let mut total = 0i64;
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let v: i64 = val(c)?;
        match chars.get(i + 1).and_then(|&n| val(n)) {
            Some(next) if next > v => total -= v,
            _ => total += v,
        }
    }
    let total = u32::try_from(total).ok()?;
    // Reject non-canonical spellings (IIII, VV, IC…) by re-encoding.
    (to_roman(total).as_deref() == Some(s)).then_some(total)
}

fn to_roman(mut n: u32) -> Option<String> {
    if n == 0 || n > 399 {
        return None;
    }
    const TABLE: [(u32, &str); 9] = [
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    Some(out)
}

/// Cleans a number cell as printed: trims, removes trailing `.`/`)` and
/// surrounding parentheses. `"5.1."` → `"5.1"`, `"a)"` → `"a"`.
pub fn clean_number(s: &str) -> String {
    let t = s.trim().trim_end_matches(['.', ')', ':']).trim();
    let t = t.strip_prefix('(').unwrap_or(t).trim();
    t.to_string()
}

/// Parses a cleaned number token.
pub fn parse_num(token: &str) -> Option<Num> {
    if token.is_empty() || token.len() > 24 {
        return None;
    }
    let mut parts = token.split('.');
    let first = parts.next()?;
    let rest: Vec<&str> = parts.collect();
    let rest_nums: Option<Vec<u32>> = rest.iter().map(|p| p.parse::<u32>().ok()).collect();
    let rest_nums = rest_nums?;
    if first.bytes().all(|b| b.is_ascii_digit()) && first.len() <= 3 {
        let mut v = vec![first.parse().ok()?];
        v.extend(rest_nums);
        return Some(Num::Arabic(v));
    }
    if roman_value(first).is_some() {
        return Some(Num::Roman(first.to_string(), rest_nums));
    }
    if rest.is_empty() {
        let mut chars = first.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            if c.is_lowercase() && letter_index(c).is_some() {
                return Some(Num::Letter(c));
            }
            if c.is_uppercase() && c.is_ascii_alphabetic() {
                return Some(Num::UpperLetter(c));
            }
        }
    }
    None
}

/// Splits a cell that holds a number followed by text (`IV Tham gia…`,
/// `I. Cải cách thể chế`, `2.1. Rà soát`) into the number and the text.
pub fn split_number_text(cell: &str) -> Option<(String, String)> {
    let cell = cell.trim();
    let end = cell.find(|c: char| c.is_whitespace())?;
    let head = &cell[..end];
    let text = cell[end..].trim();
    let first = text.chars().next()?;
    if !(first.is_alphabetic() || first == '(' || first == '"' || first == '“') {
        return None;
    }
    let token = clean_number(head);
    // A bare letter followed by text is an ordinary word ("A Lưới"), unless marked "a)" / "a.".
    let marked = head.ends_with('.') || head.ends_with(')');
    match parse_num(&token)? {
        Num::Letter(_) | Num::UpperLetter(_) if !marked => None,
        _ => Some((token, text.to_string())),
    }
}

/// Whether the text is a bullet mark rather than a number (`-`, `+`, `•`, `*`).
pub fn is_bullet(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && t.chars()
            .all(|c| matches!(c, '-' | '+' | '•' | '*' | '–' | '·' | '○' | '▪'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_num("II"), Some(Num::Roman("II".into(), vec![])));
        assert_eq!(parse_num("2.1"), Some(Num::Arabic(vec![2, 1])));
        assert_eq!(parse_num("II.3"), Some(Num::Roman("II".into(), vec![3])));
        assert_eq!(parse_num("a"), Some(Num::Letter('a')));
        assert_eq!(parse_num("IIII"), None);
        assert_eq!(parse_num("IV"), Some(Num::Roman("IV".into(), vec![])));
        assert_eq!(roman_value("XIX"), Some(19));
        assert_eq!(roman_value("IX"), Some(9));
        assert_eq!(parse_num("Nội"), None);
        assert_eq!(parse_num("2024"), None);
        assert_eq!(clean_number(" 5.1. "), "5.1");
        assert_eq!(clean_number("a)"), "a");
    }

    #[test]
    fn number_text_split() {
        assert_eq!(
            split_number_text("IV Tham gia ý kiến"),
            Some(("IV".into(), "Tham gia ý kiến".into()))
        );
        assert_eq!(
            split_number_text("I. Cải cách thể chế"),
            Some(("I".into(), "Cải cách thể chế".into()))
        );
        assert_eq!(
            split_number_text("2.1. Rà soát"),
            Some(("2.1".into(), "Rà soát".into()))
        );
        assert_eq!(split_number_text("100% hồ sơ"), None);
        assert_eq!(split_number_text("A Lưới"), None);
        assert_eq!(
            split_number_text("a) Rà soát"),
            Some(("a".into(), "Rà soát".into()))
        );
    }
}
