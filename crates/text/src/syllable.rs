//! Whether a token is a well-formed Vietnamese syllable.
//!
//! A syllable is checked against Vietnamese orthography: an initial consonant
//! (or none), a rhyme made of an optional medial (`o`/`u`), a vowel nucleus and
//! an optional final, one tone mark at most, placed on the vowel that carries
//! it, and the spelling rules that tie these together (`k`/`gh`/`ngh` only
//! before `i e ê y`, `c`/`g`/`ng` never there, `qu` for `c` + medial, `iê`
//! written `yê` without an initial, stop finals only with sắc or nặng, …).

use unicode_normalization::UnicodeNormalization;

/// The six Vietnamese tones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tone {
    /// Thanh ngang: no mark (`a`).
    #[default]
    Level,
    /// Thanh huyền: grave accent (`à`).
    Grave,
    /// Thanh sắc: acute accent (`á`).
    Acute,
    /// Thanh hỏi: hook above (`ả`).
    Hook,
    /// Thanh ngã: tilde (`ã`).
    Tilde,
    /// Thanh nặng: dot below (`ạ`).
    Dot,
}

const MARKED: [Tone; 5] = [Tone::Grave, Tone::Acute, Tone::Hook, Tone::Tilde, Tone::Dot];

/// Lower-case vowels with their five toned forms, in [`MARKED`] order.
const VOWELS: [(char, [char; 5]); 12] = [
    ('a', ['à', 'á', 'ả', 'ã', 'ạ']),
    ('ă', ['ằ', 'ắ', 'ẳ', 'ẵ', 'ặ']),
    ('â', ['ầ', 'ấ', 'ẩ', 'ẫ', 'ậ']),
    ('e', ['è', 'é', 'ẻ', 'ẽ', 'ẹ']),
    ('ê', ['ề', 'ế', 'ể', 'ễ', 'ệ']),
    ('i', ['ì', 'í', 'ỉ', 'ĩ', 'ị']),
    ('o', ['ò', 'ó', 'ỏ', 'õ', 'ọ']),
    ('ô', ['ồ', 'ố', 'ổ', 'ỗ', 'ộ']),
    ('ơ', ['ờ', 'ớ', 'ở', 'ỡ', 'ợ']),
    ('u', ['ù', 'ú', 'ủ', 'ũ', 'ụ']),
    ('ư', ['ừ', 'ứ', 'ử', 'ữ', 'ự']),
    ('y', ['ỳ', 'ý', 'ỷ', 'ỹ', 'ỵ']),
];

/// Splits a lower-case Vietnamese letter into its toneless letter (keeping
/// `ă â ê ô ơ ư`) and its tone. Other characters come back unchanged with
/// [`Tone::Level`].
///
/// ```
/// use kehoach_text::syllable::{split_tone, Tone};
/// assert_eq!(split_tone('ệ'), ('ê', Tone::Dot));
/// assert_eq!(split_tone('đ'), ('đ', Tone::Level));
/// ```
pub fn split_tone(c: char) -> (char, Tone) {
    if c.is_ascii() {
        return (c, Tone::Level);
    }
    for (base, forms) in VOWELS.iter() {
        if let Some(i) = forms.iter().position(|&f| f == c) {
            return (*base, MARKED[i]);
        }
    }
    (c, Tone::Level)
}

/// The lower-case letter `base` (a toneless vowel) carrying `tone`; `base`
/// itself when it is not a vowel or the tone is [`Tone::Level`].
///
/// ```
/// use kehoach_text::syllable::{with_tone, Tone};
/// assert_eq!(with_tone('ơ', Tone::Hook), 'ở');
/// ```
pub fn with_tone(base: char, tone: Tone) -> char {
    let Some(i) = MARKED.iter().position(|&t| t == tone) else {
        return base;
    };
    VOWELS
        .iter()
        .find(|(b, _)| *b == base)
        .map_or(base, |(_, forms)| forms[i])
}

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'a' | 'ă' | 'â' | 'e' | 'ê' | 'i' | 'o' | 'ô' | 'ơ' | 'u' | 'ư' | 'y'
    )
}

fn has_hat(c: char) -> bool {
    matches!(c, 'ă' | 'â' | 'ê' | 'ô' | 'ơ' | 'ư')
}

fn is_consonant(c: char) -> bool {
    matches!(
        c,
        'b' | 'c'
            | 'd'
            | 'đ'
            | 'g'
            | 'h'
            | 'k'
            | 'l'
            | 'm'
            | 'n'
            | 'p'
            | 'q'
            | 'r'
            | 's'
            | 't'
            | 'v'
            | 'x'
    )
}

/// Rhymes without a medial. Those starting with `iê` need an initial, those
/// starting with `yê` must not have one.
const PLAIN_RHYMES: &[&str] = &[
    "a", "ac", "ach", "ai", "am", "an", "ang", "anh", "ao", "ap", "at", "au", "ay", "ăc", "ăm",
    "ăn", "ăng", "ăp", "ăt", "âc", "âm", "ân", "âng", "âp", "ât", "âu", "ây", "e", "ec", "em",
    "en", "eng", "eo", "ep", "et", "ê", "êch", "êm", "ên", "ênh", "êp", "êt", "êu", "i", "ich",
    "im", "in", "inh", "ip", "it", "iu", "ia", "iêc", "iêm", "iên", "iêng", "iêp", "iêt", "iêu",
    "y", "yêm", "yên", "yêng", "yêt", "yêu", "o", "oc", "oi", "om", "on", "ong", "op", "ot",
    "oong", "ooc", "ô", "ôc", "ôi", "ôm", "ôn", "ông", "ôp", "ôt", "ơ", "ơi", "ơm", "ơn", "ơp",
    "ơt", "u", "uc", "ui", "um", "un", "ung", "up", "ut", "ua", "uôc", "uôi", "uôm", "uôn", "uông",
    "uôt", "ư", "ưc", "ưi", "ưng", "ưt", "ưu", "ưa", "ươc", "ươi", "ươm", "ươn", "ương", "ươp",
    "ươt", "ươu",
];

fn is_plain_rhyme(r: &str) -> bool {
    PLAIN_RHYMES.contains(&r)
}

/// Rhymes with a medial, as written after any initial but `qu`: the medial is
/// `o` before `a ă e` and `u` before `â ê y ơ`.
const MEDIAL_RHYMES: &[&str] = &[
    "oa", "oac", "oach", "oai", "oam", "oan", "oang", "oanh", "oao", "oap", "oat", "oay", "oăc",
    "oăm", "oăn", "oăng", "oăt", "oe", "oen", "oeo", "oet", "uân", "uâng", "uât", "uây", "uê",
    "uêch", "uên", "uênh", "uy", "uych", "uynh", "uyt", "uyu", "uya", "uyên", "uyêt", "uơ",
];

fn is_medial_rhyme(r: &str) -> bool {
    MEDIAL_RHYMES.contains(&r)
}

/// Rhymes after `qu` (whose `u` is the medial). `qui`, `quít` are accepted
/// spelling variants of `quy`, `quýt`.
const QU_RHYMES: &[&str] = &[
    "a", "ac", "ach", "ai", "am", "an", "ang", "anh", "ao", "ap", "at", "ay", "ăc", "ăm", "ăn",
    "ăng", "ăp", "ăt", "ân", "âng", "ât", "ây", "e", "en", "eo", "et", "ê", "êch", "ên", "ênh",
    "êt", "y", "ych", "ynh", "yt", "yu", "ya", "yên", "yêt", "ơ", "i", "it", "ôc",
];

fn is_qu_rhyme(r: &str) -> bool {
    QU_RHYMES.contains(&r)
}

/// Initials, longest first so that the first match is the right one (`gi`
/// is handled apart: its `i` may double as the vowel).
const INITIALS: &[&str] = &[
    "ngh", "ng", "nh", "ch", "gh", "kh", "ph", "th", "tr", "qu", "b", "c", "d", "đ", "g", "h", "k",
    "l", "m", "n", "p", "r", "s", "t", "v", "x",
];

/// The most letters a syllable has (`nghiêng`).
const MAX_LEN: usize = 7;
/// Longest token worth looking at: seven letters, decomposed (a base letter
/// and two combining marks each).
const MAX_TOKEN_BYTES: usize = MAX_LEN * 8;

/// A parsed syllable, positions counted in characters.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parsed {
    /// The syllable's characters as given (case kept).
    pub chars: [char; MAX_LEN],
    /// How many of `chars` are used.
    pub len: usize,
    /// Tone of the syllable.
    pub tone: Tone,
    /// Index of the toned letter, if any.
    pub tone_pos: Option<usize>,
    /// For open `oa`/`oe`/`uy` rhymes (not after `qu`): index of the medial
    /// `o`/`u`; the nucleus follows it.
    pub open_pair: Option<usize>,
}

/// Parses one token (any case; NFC, or NFD which is composed first).
pub(crate) fn parse(token: &str) -> Option<Parsed> {
    if token.is_empty() || token.len() > MAX_TOKEN_BYTES {
        return None;
    }
    if token
        .chars()
        .any(|c| ('\u{0300}'..='\u{036F}').contains(&c))
    {
        let composed: String = token.nfc().collect();
        if composed
            .chars()
            .any(|c| ('\u{0300}'..='\u{036F}').contains(&c))
        {
            return None;
        }
        return parse_nfc(&composed);
    }
    parse_nfc(token)
}

fn parse_nfc(token: &str) -> Option<Parsed> {
    let mut chars = ['\0'; MAX_LEN];
    let mut bases = ['\0'; MAX_LEN];
    let mut len = 0;
    let mut tone = Tone::Level;
    let mut tone_pos = None;
    for c in token.chars() {
        if len == MAX_LEN {
            return None;
        }
        let mut lower = c.to_lowercase();
        let l = match (lower.next(), lower.next()) {
            (Some(l), None) => l,
            _ => return None,
        };
        let (b, t) = split_tone(l);
        if !(is_vowel(b) || is_consonant(b)) {
            return None;
        }
        if t != Tone::Level {
            if tone_pos.is_some() {
                return None;
            }
            tone = t;
            tone_pos = Some(len);
        }
        chars[len] = c;
        bases[len] = b;
        len += 1;
    }
    let bases = &bases[..len];
    let mut buf = [0u8; 4 * MAX_LEN];
    let word = encode(bases, &mut buf)?;

    let initial = INITIALS
        .iter()
        .copied()
        .find(|i| word.starts_with(i))
        .unwrap_or("");
    // `gi` + rhyme, or `g` + a rhyme starting with `i` (`gì`, `gìn`, `giếng`)
    // when the letters after `gi` are no rhyme by themselves.
    let (initial, rest) = if initial == "g" && word.starts_with("gi") {
        let after = &word[2..];
        if !after.is_empty() && !after.starts_with(['i', 'y']) && is_plain_or_medial(after) {
            ("gi", after)
        } else {
            ("g", &word[1..])
        }
    } else {
        (initial, &word[initial.len()..])
    };
    if initial == "q" || rest.is_empty() {
        return None;
    }
    let first = rest.chars().next()?;
    let front = matches!(first, 'i' | 'e' | 'ê' | 'y');
    let ok = match initial {
        "qu" => is_qu_rhyme(rest),
        "k" => front && is_plain_or_medial(rest),
        "gh" | "ngh" => front && first != 'y' && is_plain_or_medial(rest),
        "c" => !front && is_plain_rhyme(rest),
        "g" | "ng" => (!front || initial == "g" && first == 'i') && is_plain_or_medial(rest),
        _ => is_plain_or_medial(rest),
    };
    if !ok {
        return None;
    }
    if initial.is_empty() && rest.starts_with("iê")
        || !initial.is_empty() && initial != "qu" && rest.starts_with("yê")
    {
        return None;
    }
    // Stop finals take only sắc or nặng.
    if rest.ends_with(['c', 'p', 't', 'h'])
        && !rest.ends_with("nh")
        && !matches!(tone, Tone::Acute | Tone::Dot)
    {
        return None;
    }
    let initial_chars = initial.chars().count();
    let (main, alt) = tone_slots(rest, initial == "qu");
    if let Some(p) = tone_pos {
        let rel = p.checked_sub(initial_chars)?;
        if rel != main && Some(rel) != alt {
            return None;
        }
    }
    let open_pair = alt.map(|_| initial_chars);
    Some(Parsed {
        chars,
        len,
        tone,
        tone_pos,
        open_pair,
    })
}

fn is_plain_or_medial(r: &str) -> bool {
    is_plain_rhyme(r) || is_medial_rhyme(r)
}

fn encode<'a>(chars: &[char], buf: &'a mut [u8; 4 * MAX_LEN]) -> Option<&'a str> {
    let mut n = 0;
    for &c in chars {
        let l = c.len_utf8();
        c.encode_utf8(buf.get_mut(n..n + l)?);
        n += l;
    }
    std::str::from_utf8(buf.get(..n)?).ok()
}

/// Where the tone mark goes in a rhyme: the main slot, and for open
/// `oa`/`oe`/`uy` the other accepted slot (`hòa`/`hoà`).
fn tone_slots(rhyme: &str, after_qu: bool) -> (usize, Option<usize>) {
    let n = rhyme.chars().take_while(|&c| is_vowel(c)).count();
    let closed = rhyme.chars().count() > n;
    if n <= 1 {
        return (0, None);
    }
    let hat = rhyme
        .chars()
        .take(n)
        .enumerate()
        .filter(|&(_, c)| has_hat(c))
        .last();
    if let Some((p, _)) = hat {
        return (p, None);
    }
    if closed {
        return (n - 1, None);
    }
    if n == 2 {
        if !after_qu && matches!(rhyme, "oa" | "oe" | "uy") {
            return (0, Some(1));
        }
        return (0, None);
    }
    (1, None)
}

/// Checks that `token` (one word, any case, NFC or NFD) is a well-formed
/// Vietnamese syllable: a known initial, a rhyme allowed after it, at most one
/// tone mark on the vowel that carries it (both `hòa` and `hoà` accepted), and
/// no tone other than sắc or nặng on a stop final (`c ch p t`).
///
/// ```
/// use kehoach_text::is_valid_syllable;
/// assert!(is_valid_syllable("nghiêng"));
/// assert!(is_valid_syllable("Được"));
/// assert!(is_valid_syllable("QUYẾT"));
/// assert!(!is_valid_syllable("KÕ"));
/// assert!(!is_valid_syllable("xyz"));
/// assert!(!is_valid_syllable("hoàc"));
/// ```
pub fn is_valid_syllable(token: &str) -> bool {
    parse(token).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_words_are_valid() {
        for w in "thực hiện kiểm soát thủ tục hành chính một cửa liên thông năm nghiêng quyết khuya giữa gì người được hoá hóa thuỷ khuỷu \
                  quốc quý quỳnh qui gìn giếng giết kỹ ký kia kênh ghi nghị nghề gương gỡ yêu yên uy ủy uỷ oai ngoài khoẻ khỏe xoong boong buýt \
                  huỳnh thuở quơ khuây tuần xuân luật thuế huệ hoặc hoạch ngoặc khuyết uyên ưu ước ươm ốc ổn ở y ý ỉa xã đ"
            .split(' ')
            .filter(|w| *w != "đ")
        {
            assert!(is_valid_syllable(w), "{w}");
        }
    }

    #[test]
    fn garbage_is_invalid() {
        for w in [
            "KÕ",
            "ho¹ch",
            "xyz",
            "TTHC",
            "hóà",
            "abcdefgh",
            "kinh\u{0301}",
            "ka",
            "ghu",
            "ce",
            "ngi",
            "gía",
            "qúy",
            "tòan",
            "hoàc",
            "mat",
            "ac",
            "iêu",
            "tyên",
            "q",
            "coa",
            "ă",
            "â",
            "gh",
            "Ph¸t",
            "triÓn",
            "h\u{00f0}",
            "zalo",
            "wifi",
            "ñ",
        ] {
            assert!(!is_valid_syllable(w), "{w}");
        }
    }

    #[test]
    fn nfd_and_case() {
        assert!(is_valid_syllable("Hoa\u{0306}\u{0323}c"));
        assert!(!is_valid_syllable("Ho\u{0323}a\u{0306}c"));
        assert!(is_valid_syllable("NGƯỜI"));
        assert!(is_valid_syllable("ĐƯỢC"));
        assert!(is_valid_syllable("Hòa"));
    }

    #[test]
    fn tone_round_trip() {
        for (base, forms) in VOWELS {
            for (i, f) in forms.iter().enumerate() {
                assert_eq!(split_tone(*f), (base, MARKED[i]));
                assert_eq!(with_tone(base, MARKED[i]), *f);
            }
        }
    }
}
