//! Folding for search: diacritics removed, `đ`→`d`, lower case.

/// Folds one character: Vietnamese letters lose their diacritics, `đ/Đ` become
/// `d`, and the result is lower case. Typographic dashes, quotes and spaces
/// become their ASCII forms; combining marks and invisible characters become
/// `'\0'` (dropped by [`fold`]). Other characters are lower-cased only.
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    fold_char_fast(c)
}

/// [`fold_char`] worked out (the table of [`fold_char_fast`] is made with it).
fn fold_char_slow(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    match c {
        'à' | 'á' | 'ả' | 'ã' | 'ạ' | 'ă' | 'ằ' | 'ắ' | 'ẳ' | 'ẵ' | 'ặ' | 'â' | 'ầ' | 'ấ' | 'ẩ'
        | 'ẫ' | 'ậ' | 'À' | 'Á' | 'Ả' | 'Ã' | 'Ạ' | 'Ă' | 'Ằ' | 'Ắ' | 'Ẳ' | 'Ẵ' | 'Ặ' | 'Â'
        | 'Ầ' | 'Ấ' | 'Ẩ' | 'Ẫ' | 'Ậ' | 'ä' | 'Ä' | 'å' | 'Å' => 'a',
        'è' | 'é' | 'ẻ' | 'ẽ' | 'ẹ' | 'ê' | 'ề' | 'ế' | 'ể' | 'ễ' | 'ệ' | 'È' | 'É' | 'Ẻ' | 'Ẽ'
        | 'Ẹ' | 'Ê' | 'Ề' | 'Ế' | 'Ể' | 'Ễ' | 'Ệ' | 'ë' | 'Ë' => 'e',
        'ì' | 'í' | 'ỉ' | 'ĩ' | 'ị' | 'Ì' | 'Í' | 'Ỉ' | 'Ĩ' | 'Ị' | 'ï' | 'Ï' | 'î' | 'Î' => {
            'i'
        }
        'ò' | 'ó' | 'ỏ' | 'õ' | 'ọ' | 'ô' | 'ồ' | 'ố' | 'ổ' | 'ỗ' | 'ộ' | 'ơ' | 'ờ' | 'ớ' | 'ở'
        | 'ỡ' | 'ợ' | 'Ò' | 'Ó' | 'Ỏ' | 'Õ' | 'Ọ' | 'Ô' | 'Ồ' | 'Ố' | 'Ổ' | 'Ỗ' | 'Ộ' | 'Ơ'
        | 'Ờ' | 'Ớ' | 'Ở' | 'Ỡ' | 'Ợ' | 'ö' | 'Ö' => 'o',
        'ù' | 'ú' | 'ủ' | 'ũ' | 'ụ' | 'ư' | 'ừ' | 'ứ' | 'ử' | 'ữ' | 'ự' | 'Ù' | 'Ú' | 'Ủ' | 'Ũ'
        | 'Ụ' | 'Ư' | 'Ừ' | 'Ứ' | 'Ử' | 'Ữ' | 'Ự' | 'ü' | 'Ü' | 'û' | 'Û' => 'u',
        'ỳ' | 'ý' | 'ỷ' | 'ỹ' | 'ỵ' | 'Ỳ' | 'Ý' | 'Ỷ' | 'Ỹ' | 'Ỵ' => 'y',
        'đ' | 'Đ' | 'ð' | 'Ð' => 'd',
        'ç' | 'Ç' => 'c',
        'ñ' | 'Ñ' => 'n',
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => '-',
        '‘' | '’' | '‚' | '′' => '\'',
        '“' | '”' | '„' | '″' | '«' | '»' => '"',
        '…' => '.',
        // Combining marks (NFD input) vanish.
        '\u{0300}'..='\u{036F}' => '\0',
        c if crate::is_space(c) => ' ',
        c if crate::is_invisible(c) => '\0',
        other => {
            let mut lower = other.to_lowercase();
            match (lower.next(), lower.next()) {
                // A lower case that folds further (U+212B ANGSTROM SIGN → å → a).
                (Some(l), None) if l != other => fold_char_slow(l),
                (Some(l), None) => l,
                _ => other,
            }
        }
    }
}

/// The Latin letters below U+0250 and the toned Vietnamese vowels
/// (U+1EA0–U+1EF9), folded once: the characters Vietnamese text is made of.
struct FoldTable {
    latin: Vec<char>,
    viet: Vec<char>,
}

static FOLD_TABLE: std::sync::LazyLock<FoldTable> = std::sync::LazyLock::new(|| FoldTable {
    latin: (0u32..0x250)
        .map(|u| char::from_u32(u).map_or('\0', fold_char_slow))
        .collect(),
    viet: (0x1EA0u32..=0x1EF9)
        .map(|u| char::from_u32(u).map_or('\0', fold_char_slow))
        .collect(),
});

/// [`fold_char`] through [`FOLD_TABLE`] for the usual characters.
#[inline]
fn fold_char_fast(c: char) -> char {
    let u = c as u32;
    let table = &*FOLD_TABLE;
    let hit = if u < 0x250 {
        table.latin.get(u as usize)
    } else if (0x1EA0..=0x1EF9).contains(&u) {
        table.viet.get((u - 0x1EA0) as usize)
    } else {
        None
    };
    hit.copied().unwrap_or_else(|| fold_char_slow(c))
}

/// Folds a string for search and matching: `"Hồ sơ ĐIỆN TỬ"` → `"ho so dien tu"`.
///
/// Works on NFC and NFD input alike (combining marks are dropped).
///
/// ```
/// assert_eq!(kehoach_text::fold("Hồ sơ ĐIỆN TỬ"), "ho so dien tu");
/// ```
pub fn fold(s: &str) -> String {
    // Byte by byte: ASCII (the most common case) is lower-cased as it is
    // copied; the two- and three-byte chars of Vietnamese text are decoded
    // in place and folded through the table; other chars the slow way.
    let b = s.as_bytes();
    let table = &*FOLD_TABLE;
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            // NUL is dropped, as fold_char makes it.
            if c != 0 {
                out.push(c.to_ascii_lowercase());
            }
            i += 1;
            continue;
        }
        let d = b.get(i + 1).copied().unwrap_or(0);
        // `s` is UTF-8: a lead byte C2…C8 starts a char below U+0250 (two
        // bytes), E1 BA A0…E1 BB B9 is U+1EA0…U+1EF9 (three bytes).
        let hit = if (0xC2..=0xC8).contains(&c) {
            let u = (usize::from(c & 0x1F) << 6) | usize::from(d & 0x3F);
            table.latin.get(u).map(|&f| (f, 2))
        } else if c == 0xE1 && (d == 0xBA || d == 0xBB) {
            let e = b.get(i + 2).copied().unwrap_or(0);
            let u = 0x1000 | (usize::from(d & 0x3F) << 6) | usize::from(e & 0x3F);
            u.checked_sub(0x1EA0)
                .and_then(|k| table.viet.get(k))
                .map(|&f| (f, 3))
        } else {
            None
        };
        let (f, len) = match hit {
            Some(h) => h,
            None => {
                let Some(ch) = s.get(i..).and_then(|r| r.chars().next()) else {
                    break;
                };
                (fold_char_fast(ch), ch.len_utf8())
            }
        };
        if f.is_ascii() {
            if f != '\0' {
                out.push(f as u8);
            }
        } else {
            let mut buf = [0u8; 4];
            out.extend_from_slice(f.encode_utf8(&mut buf).as_bytes());
        }
        i += len;
    }
    // Whole chars were copied or encoded: the bytes are UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {

    #[test]
    fn folded_map_agrees_with_fold_and_cuts_the_original() {
        for s in [
            "Hồ Sơ\u{200B} điện tử",
            "a\0b",
            "Ho\u{0300}a\u{0301}",
            "Å ngström",
            "–“x”…",
        ] {
            let f = Folded::new(s);
            assert_eq!(f.text, fold(s), "{s:?}");
            // The whole folded range covers the original up to its last kept character.
            let whole = f.original(s, 0..f.text.len());
            assert!(
                s.starts_with(whole) && !whole.is_empty(),
                "{s:?} -> {whole:?}"
            );
        }
        let s = "Sở Y\u{200B} tế";
        let f = Folded::new(s);
        let at = f.text.find("y te").unwrap_or(0);
        assert_eq!(f.original(s, at..at + 4), "Y\u{200B} tế");
    }
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Thủ tục hành chính"), "thu tuc hanh chinh");
        assert_eq!(fold("ĐỒNG NAI"), "dong nai");
        assert_eq!(fold("Quý II/2020"), "quy ii/2020");
        assert_eq!(
            fold("“Số hoá” – 2021\u{00A0}2025"),
            "\"so hoa\" - 2021 2025"
        );
    }

    #[test]
    fn folds_nfd() {
        assert_eq!(fold("ho\u{0302}\u{0300} so\u{031B}"), "ho so");
    }
}

/// Folded text that remembers where each folded byte came from, so a match
/// found on the folded text can be cut out of the original.
///
/// ```
/// let f = kehoach_text::Folded::new("Sở Y tế");
/// let at = f.text.find("y te").unwrap();
/// assert_eq!(f.original("Sở Y tế", at..at + 4), "Y tế");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded {
    /// The folded text (as [`fold`] gives it).
    pub text: String,
    /// `starts[i]`: the original byte offset of the character that produced folded byte `i`.
    starts: Vec<usize>,
    /// `ends[i]`: the original byte offset just after that character (so a
    /// range ends before characters that fold to nothing).
    ends: Vec<usize>,
}

impl Folded {
    /// Folds `s`, keeping the offset map.
    pub fn new(s: &str) -> Folded {
        let mut text = String::with_capacity(s.len());
        let mut starts = Vec::with_capacity(s.len());
        let mut ends = Vec::with_capacity(s.len());
        for (i, c) in s.char_indices() {
            let f = fold_char_fast(c);
            if f == '\0' {
                continue;
            }
            text.push(f);
            for _ in 0..f.len_utf8() {
                starts.push(i);
                ends.push(i + c.len_utf8());
            }
        }
        Folded { text, starts, ends }
    }

    /// The part of `orig` (the string given to [`Folded::new`]) that folded
    /// byte range `r` came from; empty for an empty or invalid range.
    pub fn original<'a>(&self, orig: &'a str, r: std::ops::Range<usize>) -> &'a str {
        if r.start >= r.end {
            return "";
        }
        match (self.starts.get(r.start), self.ends.get(r.end - 1)) {
            (Some(&a), Some(&b)) if a <= b => orig.get(a..b).unwrap_or(""),
            _ => "",
        }
    }
}
