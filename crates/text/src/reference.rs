//! Straightforward char-by-char versions of the normalisation steps. They
//! define the expected behaviour: the tests check that the optimised versions
//! in the other modules give exactly the same results.

use std::borrow::Cow;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::fold::fold_char;
use crate::markup::{
    after_unit, is_footnote_mark, is_super_digit, parse_entity_body, parse_tag, Tag,
};
use crate::{fix_lookalikes, is_invisible, is_space, Options, ToneStyle};

/// Unicode NFC, checking with the library's quick check.
pub fn nfc(s: &str) -> Cow<'_, str> {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => Cow::Borrowed(s),
        _ => {
            let n: String = s.nfc().collect();
            if n == s {
                Cow::Borrowed(s)
            } else {
                Cow::Owned(n)
            }
        }
    }
}

/// White space collapsed and trimmed, char by char.
pub fn collapse_ws_cow(s: &str) -> Cow<'_, str> {
    if is_collapsed(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut pending = false;
    for c in s.chars() {
        if is_space(c) {
            pending = !out.is_empty();
        } else if is_invisible(c) {
            continue;
        } else {
            if pending {
                out.push(' ');
                pending = false;
            }
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `s` is already collapsed and trimmed.
pub fn is_collapsed(s: &str) -> bool {
    let mut prev_space = true;
    for c in s.chars() {
        if c == ' ' {
            if prev_space {
                return false;
            }
            prev_space = true;
        } else if is_space(c) || is_invisible(c) {
            return false;
        } else {
            prev_space = false;
        }
    }
    !prev_space || s.is_empty()
}

/// Normalisation by repeated full passes.
pub fn normalize_with(s: &str, opts: &Options) -> String {
    let mut cur = pass(s, opts).into_owned();
    for _ in 0..s.len() {
        if matches!(strip_markup_cow(&cur), Cow::Borrowed(_)) {
            break;
        }
        let next = pass(&cur, opts).into_owned();
        if next == cur {
            break;
        }
        cur = next;
    }
    cur
}

fn pass<'a>(s: &'a str, opts: &Options) -> Cow<'a, str> {
    let s = strip_markup_cow(s);
    let s = chain(s, fix_lookalikes);
    let s = chain(s, collapse_ws_cow);
    let s = chain(s, nfc);
    chain(s, |t| canon_tones_cow(t, opts.tone_style))
}

fn chain<'a>(s: Cow<'a, str>, f: impl for<'b> Fn(&'b str) -> Cow<'b, str>) -> Cow<'a, str> {
    match s {
        Cow::Borrowed(b) => f(b),
        Cow::Owned(o) => {
            let changed = match f(&o) {
                Cow::Owned(n) => Some(n),
                Cow::Borrowed(_) => None,
            };
            Cow::Owned(changed.unwrap_or(o))
        }
    }
}

/// Folding char by char.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let f = fold_char(c);
        if f != '\0' {
            out.push(f);
        }
    }
    out
}

/// Whether `s` holds a character that may start markup.
pub fn may_hold_markup(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| match c {
        b'<' | b'*' | b'_' | b'&' | b'\\' | b'#' => true,
        0xC2 => matches!(b.get(i + 1), Some(0xB2 | 0xB3 | 0xB9)),
        0xE2 => b.get(i + 1) == Some(&0x81) && matches!(b.get(i + 2), Some(0xB0..=0xB9)),
        _ => false,
    })
}

/// Markup removal char by char.
pub fn strip_markup_cow(s: &str) -> Cow<'_, str> {
    if !may_hold_markup(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut i = 0;
    let mut line_start = true;
    while let Some(c) = s.get(i..).and_then(|r| r.chars().next()) {
        let rest = &s[i..];
        if line_start && c == '#' {
            let hashes = rest.bytes().take_while(|&b| b == b'#').count();
            if hashes <= 6 && rest.as_bytes().get(hashes) == Some(&b' ') {
                i += hashes + 1;
                changed = true;
                continue;
            }
        }
        match c {
            '<' => match parse_tag(rest) {
                Some((len, kind)) => {
                    changed = true;
                    i += len;
                    match kind {
                        Tag::Inline => {}
                        Tag::Break => {
                            out.push('\n');
                            line_start = true;
                        }
                        Tag::Sup { content, close } => {
                            let inner = &rest[len..len + content];
                            if is_footnote_mark(inner) {
                                let t = inner.trim();
                                if (t == "2" || t == "3") && after_unit(&out) {
                                    out.push(if t == "2" { '²' } else { '³' });
                                    line_start = false;
                                }
                                i += content + close;
                            }
                        }
                    }
                }
                None => push(&mut out, c, &mut line_start, &mut i),
            },
            '*' => {
                i += rest.bytes().take_while(|&b| b == b'*').count();
                changed = true;
            }
            '_' if rest.starts_with("__") => {
                i += 2;
                changed = true;
            }
            '&' => {
                let mut pos = i + 1;
                let mut decoded = None;
                while let Some((len, ch)) = s.get(pos..).and_then(parse_entity_body) {
                    pos += len;
                    decoded = Some(ch);
                    if ch != '&' {
                        break;
                    }
                }
                match decoded {
                    Some(ch) => {
                        emit(&mut out, ch, &mut line_start);
                        i = pos;
                        changed = true;
                    }
                    None => push(&mut out, c, &mut line_start, &mut i),
                }
            }
            '\\' => match rest[1..].chars().next() {
                Some(n) if n.is_ascii_punctuation() => {
                    emit(&mut out, n, &mut line_start);
                    i += 2;
                    changed = true;
                }
                _ => push(&mut out, c, &mut line_start, &mut i),
            },
            c if is_super_digit(c) => {
                if matches!(c, '²' | '³') && after_unit(&out) {
                    push(&mut out, c, &mut line_start, &mut i);
                } else {
                    i += c.len_utf8();
                    changed = true;
                }
            }
            _ => push(&mut out, c, &mut line_start, &mut i),
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(s)
    }
}

fn push(out: &mut String, c: char, line_start: &mut bool, i: &mut usize) {
    emit(out, c, line_start);
    *i += c.len_utf8();
}

fn emit(out: &mut String, c: char, line_start: &mut bool) {
    out.push(c);
    *line_start = matches!(c, '\n' | '\r') || *line_start && (is_space(c) || is_invisible(c));
}

/// Tone placement, char by char.
pub fn canon_tones_cow(s: &str, style: ToneStyle) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut start: Option<usize> = None;
    let mut has_mark = false;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        let kind = if i < s.len() { word_char(c) } else { None };
        match (kind, start) {
            (Some(mark), None) => {
                start = Some(i);
                has_mark = mark;
            }
            (Some(mark), Some(_)) => has_mark |= mark,
            (None, Some(st)) => {
                start = None;
                let word = &s[st..i];
                if let Some(new) = crate::tone::canon_word(word, has_mark, style) {
                    let buf = out.get_or_insert_with(|| String::with_capacity(s.len()));
                    buf.push_str(&s[copied..st]);
                    buf.push_str(&new);
                    copied = i;
                }
            }
            (None, None) => {}
        }
    }
    match out {
        None => Cow::Borrowed(s),
        Some(mut buf) => {
            buf.push_str(&s[copied..]);
            Cow::Owned(buf)
        }
    }
}

/// Word characters as the tone step sees them, via the general Unicode tables.
pub fn word_char(c: char) -> Option<bool> {
    if c.is_ascii() {
        return c.is_ascii_alphabetic().then_some(false);
    }
    if ('\u{1E00}'..='\u{1EFF}').contains(&c) {
        return Some(false);
    }
    if c >= '\u{0300}' && is_combining_mark(c) {
        Some(true)
    } else {
        c.is_alphabetic().then_some(false)
    }
}
