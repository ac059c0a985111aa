//! Byte-level fast paths for text that is already (almost) normal, the
//! common case: the readers have removed the markup and most values are
//! single-spaced, NFC, Vietnamese text.

use crate::tone::{canon_word, word_char_at};
use crate::ToneStyle;

/// Length of the char starting at byte `i` of `b` (a char boundary) when it is
/// one that never changes under NFC and never composes with what precedes it:
/// ASCII, U+0080–U+02FF, U+1EA0–U+1EF9 or U+2002–U+206F. `0` for any other.
#[inline]
pub(crate) fn nfc_fast_len(b: &[u8], i: usize) -> usize {
    let Some(&c) = b.get(i) else { return 0 };
    if c < 0x80 {
        return 1;
    }
    // Lead bytes C2…CB: U+0080–U+02FF (80…C1 never start a char).
    if c < 0xCC {
        return 2;
    }
    if let (0xE1 | 0xE2, Some(&b1), Some(&b2)) = (c, b.get(i + 1), b.get(i + 2)) {
        let fast = if c == 0xE1 {
            // U+1EA0–U+1EF9: E1 BA A0 … E1 BB B9.
            (b1 == 0xBA && b2 >= 0xA0) || (b1 == 0xBB && b2 <= 0xB9)
        } else {
            // U+2002–U+206F: E2 80 82 … E2 81 AF.
            (b1 == 0x80 && b2 >= 0x82) || (b1 == 0x81 && b2 <= 0xAF)
        };
        if fast {
            return 3;
        }
    }
    0
}

/// Chunk length of the scans below.
const CHUNK: usize = 64;

/// The first `k < count` for which `f` holds for the bytes `w[k..k + 5]`;
/// `w` holds at least `count + 4` bytes. Branch-free over the chunk, so that
/// the compiler turns it into vector code.
#[inline(always)]
fn first_hit(w: &[u8], count: usize, f: &impl Fn(u8, u8, u8, u8, u8) -> bool) -> Option<usize> {
    let mut flags = [0u8; CHUNK + 8];
    let count = count.min(CHUNK + 4);
    let (Some(x0), Some(x1), Some(x2), Some(x3), Some(x4)) = (
        w.get(..count),
        w.get(1..count + 1),
        w.get(2..count + 2),
        w.get(3..count + 3),
        w.get(4..count + 4),
    ) else {
        return None;
    };
    for (k, flag) in flags.iter_mut().take(count).enumerate() {
        *flag = u8::from(f(x0[k], x1[k], x2[k], x3[k], x4[k]));
    }
    // Eight flags at a time: the first set byte of the first non-zero word.
    for (j, word) in flags.chunks_exact(8).enumerate() {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let x = u64::from_le_bytes(bytes);
        if x != 0 {
            let k = j * 8 + (x.trailing_zeros() / 8) as usize;
            return (k < count).then_some(k);
        }
    }
    None
}

/// The first position `i >= from` of `b` where `f` holds for the bytes
/// `b[i..i + 5]` (bytes past the end read as 0, for which `f` must be
/// false). `f` must be branch-free: it is evaluated for a chunk at a time.
#[inline(always)]
fn find5(b: &[u8], from: usize, f: impl Fn(u8, u8, u8, u8, u8) -> bool) -> Option<usize> {
    let n = b.len();
    let mut start = from;
    while start + CHUNK + 4 <= n {
        if let Some(k) = first_hit(b.get(start..).unwrap_or_default(), CHUNK, &f) {
            return Some(start + k);
        }
        start += CHUNK;
    }
    // The rest (fewer than CHUNK + 4 bytes), padded with zeros.
    let tail = b.get(start..).unwrap_or_default();
    let mut buf = [0u8; CHUNK + 8];
    let len = tail.len().min(CHUNK + 4);
    buf[..len].copy_from_slice(&tail[..len]);
    first_hit(&buf, len, &f).map(|k| start + k)
}

/// A char starting with `c, d, e` that is outside the fast NFC ranges of
/// [`nfc_fast_len`] (for lead bytes; continuation bytes never match).
#[inline(always)]
fn slow_nfc_lead(c: u8, d: u8, e: u8) -> bool {
    let viet = (c == 0xE1) & (((d == 0xBA) & (e >= 0xA0)) | ((d == 0xBB) & (e <= 0xB9)));
    let punct = (c == 0xE2) & (((d == 0x80) & (e >= 0x82)) | ((d == 0x81) & (e <= 0xAF)));
    (c >= 0xCC) & !(viet | punct)
}

/// Calls `$impl($args)` compiled for AVX2 when the CPU has it, else as built
/// for the baseline. The scans here are vectorised by the compiler; vectors
/// twice as wide halve their work.
macro_rules! with_avx2 {
    ($avx2:ident, $impl:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty) => {{
        #[cfg(target_arch = "x86_64")]
        {
            #[target_feature(enable = "avx2")]
            fn $avx2($($arg: $ty),*) -> $ret {
                $impl($($arg),*)
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2 (checked just above), the
                // only requirement of calling a function built for it.
                return unsafe { $avx2($($arg),*) };
            }
        }
        $impl($($arg),*)
    }};
}

/// Whether every char of `b` is in the fast NFC ranges of [`nfc_fast_len`].
pub(crate) fn all_nfc_fast(b: &[u8]) -> bool {
    with_avx2!(all_nfc_fast_avx2, all_nfc_fast_impl(b: &[u8]) -> bool)
}

#[inline(always)]
fn all_nfc_fast_impl(b: &[u8]) -> bool {
    find5(b, 0, |c, d, e, _, _| slow_nfc_lead(c, d, e)).is_none()
}

/// The first byte at or after `from` that may start markup: `<*_&\#`, and
/// the lead bytes of the superscript digits (`¹²³` are `C2 B9`, `C2 B2`,
/// `C2 B3`; `⁰`…`⁹` are `E2 81 B0`…`E2 81 B9`).
pub(crate) fn find_markup_byte(b: &[u8], from: usize) -> Option<usize> {
    let rest = b.get(from..).unwrap_or_default();
    if rest.len() < CHUNK {
        // Short text (most cells): a plain loop beats setting up the chunks.
        return rest
            .iter()
            .position(|&c| MARKUP_BYTE[c as usize])
            .map(|k| from + k);
    }
    with_avx2!(find_markup_byte_avx2, find_markup_byte_impl(b: &[u8], from: usize) -> Option<usize>)
}

/// The bytes [`find_markup_byte`] looks for, as a table.
const MARKUP_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let bytes = b"<*_&\\#\xC2\xE2";
    let mut k = 0;
    while k < bytes.len() {
        t[bytes[k] as usize] = true;
        k += 1;
    }
    t
};

#[inline(always)]
fn find_markup_byte_impl(b: &[u8], from: usize) -> Option<usize> {
    find5(b, from, |c, _, _, _, _| {
        (c == b'<')
            | (c == b'*')
            | (c == b'_')
            | (c == b'&')
            | (c == b'\\')
            | (c == b'#')
            | (c == 0xC2)
            | (c == 0xE2)
    })
}

/// What [`plain_check`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plain {
    /// Markup, odd white space, look-alike letters or characters outside the
    /// fast NFC ranges: the full normalisation has to run.
    No,
    /// Normal as it is.
    Normal,
    /// Normal but for tone placement, which moves a tone mark.
    CheckTones,
}

/// Whether the char starting with bytes `c, d, e` keeps [`plain_check`] from
/// accepting the text: markup (`<*_&\#`), white space other than a single
/// space (checked with the next byte `d`), superscript digits, look-alike
/// `Đ` letters, and anything outside the fast NFC ranges, including the
/// spaces and invisible characters of U+2000–U+206F (only U+2010–U+2027,
/// U+2030–U+205E are kept).
#[inline(always)]
fn not_plain(c: u8, d: u8, e: u8) -> bool {
    let markup = (c == b'<') | (c == b'*') | (c == b'_') | (c == b'&') | (c == b'\\') | (c == b'#');
    let space = (c.wrapping_sub(b'\t') < 5) | ((c == b' ') & (d == b' '));
    let viet = (c == 0xE1) & (((d == 0xBA) & (e >= 0xA0)) | ((d == 0xBB) & (e <= 0xB9)));
    let punct = (c == 0xE2)
        & (((d == 0x80) & ((e.wrapping_sub(0x90) < 0x18) | (e >= 0xB0)))
            | ((d == 0x81) & (e <= 0x9E)));
    let high = (c >= 0xCC) & !(viet | punct);
    let c2 = (c == 0xC2)
        & ((d == 0x85) | (d == 0xA0) | (d == 0xAD) | (d == 0xB2) | (d == 0xB3) | (d == 0xB9));
    let eth = ((c == 0xC3) & ((d == 0x90) | (d == 0xB0)))
        | ((c == 0xC6) & (d == 0x89))
        | ((c == 0xC9) & (d == 0x96));
    markup | space | high | c2 | eth
}

/// Whether `c` is an ASCII letter.
#[inline(always)]
fn letter(c: u8) -> bool {
    (c | 0x20).wrapping_sub(b'a') < 26
}

/// Where a word may end in an `oa`/`oe`/`uy` pair with a tone mark, the only
/// words tone placement may change (`c…g` are the bytes from there on): an
/// ASCII `o`/`u` before a char with lead byte C3, C5 or E1 (where the toned
/// vowels are) that no ASCII letter follows; or a toned `o` (`ò ó õ ỏ ọ`) or
/// `u` (`ù ú ũ ủ ụ`), either case, before `a`/`e` (after `o`) or `y` (after
/// `u`) that no ASCII letter follows, or before any non-ASCII char.
#[inline(always)]
fn may_end_pair(c: u8, d: u8, e: u8, f: u8, g: u8) -> bool {
    let l = c | 0x20;
    let ascii_ou = (l == b'o') | (l == b'u');
    let p1 = ascii_ou & ((((d == 0xC3) | (d == 0xC5)) & !letter(f)) | ((d == 0xE1) & !letter(g)));
    // Two-byte toned o/u: Ò Ó Õ ò ó õ, Ù Ú ù ú (C3 …), Ũ ũ (C5 A8/A9).
    let dl = d | 0x20;
    let o2 = (c == 0xC3) & ((dl == 0xB2) | (dl == 0xB3) | (dl == 0xB5));
    let u2 =
        ((c == 0xC3) & ((dl == 0xB9) | (dl == 0xBA))) | ((c == 0xC5) & ((d == 0xA8) | (d == 0xA9)));
    // Three-byte toned o/u: Ọ ọ Ỏ ỏ (E1 BB 8C…8F), Ụ ụ Ủ ủ (E1 BB A4…A7).
    let o3 = (c == 0xE1) & (d == 0xBB) & ((e & 0xFC) == 0x8C);
    let u3 = (c == 0xE1) & (d == 0xBB) & ((e & 0xFC) == 0xA4);
    let el = e | 0x20;
    let fl = f | 0x20;
    let after2_o = (((el == b'a') | (el == b'e')) & !letter(f)) | (e >= 0x80);
    let after2_u = ((el == b'y') & !letter(f)) | (e >= 0x80);
    let after3_o = (((fl == b'a') | (fl == b'e')) & !letter(g)) | (f >= 0x80);
    let after3_u = ((fl == b'y') & !letter(g)) | (f >= 0x80);
    p1 | (o2 & after2_o) | (u2 & after2_u) | (o3 & after3_o) | (u3 & after3_u)
}

/// One scan deciding whether [`crate::normalize`] leaves `s` as it is: no
/// markup bytes, no superscript digits, no look-alike `Đ`, single ASCII
/// spaces only and not at either end, no invisible characters, only
/// characters of the fast NFC ranges; and no word whose tone mark `style`
/// moves.
///
/// With AVX2, 32 bytes at a time look for the first byte where
/// [`not_plain`] or [`may_end_pair`] holds ([`avx2::first_not_plain`]): most
/// texts have none and are settled by it; from that byte on (and on CPUs
/// without AVX2, from the start) [`plain_scan`] decides.
pub(crate) fn plain_check(s: &str, style: ToneStyle) -> Plain {
    let b = s.as_bytes();
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return Plain::No;
    }
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above), the only
            // requirement of the function.
            return match unsafe { avx2::first_not_plain(b) } {
                None => Plain::Normal,
                // Before `k` the text is plain and holds no pair: the scan
                // from `k` decides as a scan from the start would.
                Some(k) => plain_scan(s, k, style),
            };
        }
    }
    plain_scan(s, 0, style)
}

/// [`plain_check`] as a scalar scan from byte `from`, a char boundary before
/// which the text is plain and holds no pair (the text neither starts nor
/// ends with a space): most bytes (ASCII letters, digits, UTF-8 continuation
/// bytes) are settled by one table lookup; only the few byte kinds that can
/// matter are looked at closely.
pub(crate) fn plain_scan(s: &str, from: usize, style: ToneStyle) -> Plain {
    let b = s.as_bytes();
    // Bytes past the end read as 0, for which neither predicate holds.
    let at = |k: usize| b.get(k).copied().unwrap_or(0);
    let mut tones = false;
    let n = b.len();
    let mut i = from;
    loop {
        // Runs of plain bytes: one table lookup each.
        while i < n && BYTE_KIND[b[i] as usize] == K_PLAIN {
            i += 1;
        }
        if i >= n {
            break;
        }
        let c = b[i];
        match BYTE_KIND[c as usize] {
            K_BAD => return Plain::No,
            K_SPACE => {
                if at(i + 1) == b' ' {
                    return Plain::No;
                }
            }
            _ => {
                let (d, e) = (at(i + 1), at(i + 2));
                // Cheap tests on the next bytes first: whether the char can
                // be anything but plain, and whether it can start the end of
                // an `oa`/`oe`/`uy` pair ([`may_end_pair`] decides).
                let pair = match c {
                    b'o' | b'O' | b'u' | b'U' => matches!(d, 0xC3 | 0xC5 | 0xE1),
                    0xC3 => {
                        if d == 0x90 || d == 0xB0 {
                            return Plain::No;
                        }
                        matches!(d | 0x20, 0xB2 | 0xB3 | 0xB5 | 0xB9 | 0xBA)
                    }
                    0xC5 => d == 0xA8 || d == 0xA9,
                    0xE1 => {
                        if !((d == 0xBA && e >= 0xA0) || (d == 0xBB && e <= 0xB9)) {
                            return Plain::No;
                        }
                        // The two bytes after the lead are settled here.
                        let pair = d == 0xBB && matches!(e & 0xFC, 0x8C | 0xA4);
                        if !pair {
                            i += 3;
                            continue;
                        }
                        pair
                    }
                    _ => {
                        if not_plain(c, d, e) {
                            return Plain::No;
                        }
                        false
                    }
                };
                if pair
                    && !tones
                    && may_end_pair(c, d, e, at(i + 3), at(i + 4))
                    && tone_moves_at(s, i, style)
                {
                    // Keep scanning: anything else that is not plain wins.
                    tones = true;
                }
            }
        }
        i += 1;
    }
    if tones {
        Plain::CheckTones
    } else {
        Plain::Normal
    }
}

/// [`not_plain`] and [`may_end_pair`] for 32 positions at a time.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    /// The first position of `b` where [`super::not_plain`] or
    /// [`super::may_end_pair`] holds (bytes past the end read as 0).
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn first_not_plain(b: &[u8]) -> Option<usize> {
        let n = b.len();
        let mut start = 0;
        // Whole blocks: positions `start..start + 32` read bytes up to `start + 36`.
        while start + 36 <= n {
            // SAFETY: the five loads read `b[start..start + 36]`, in bounds.
            let m = unsafe { block(b.as_ptr().add(start)) };
            if m != 0 {
                return Some(start + m.trailing_zeros() as usize);
            }
            start += 32;
        }
        // The rest (fewer than 36 bytes), padded with zeros.
        let mut buf = [0u8; 72];
        let tail = b.get(start..).unwrap_or_default();
        buf[..tail.len()].copy_from_slice(tail);
        let mut k = 0;
        while k < tail.len() {
            // SAFETY: the loads read `buf[k..k + 36]`, in bounds (k < 36).
            let m = unsafe { block(buf.as_ptr().add(k)) };
            if m != 0 {
                let at = k + m.trailing_zeros() as usize;
                return (at < tail.len()).then_some(start + at);
            }
            k += 32;
        }
        None
    }

    /// The hits of positions `p[0..32]` as bits (reads `p[0..36]`).
    #[target_feature(enable = "avx2")]
    unsafe fn block(p: *const u8) -> u32 {
        // SAFETY: the caller makes `p[0..36]` readable.
        let (c, d, e, f, g) = unsafe {
            (
                _mm256_loadu_si256(p.cast()),
                _mm256_loadu_si256(p.add(1).cast()),
                _mm256_loadu_si256(p.add(2).cast()),
                _mm256_loadu_si256(p.add(3).cast()),
                _mm256_loadu_si256(p.add(4).cast()),
            )
        };
        let k = |v: u8| _mm256_set1_epi8(v as i8);
        let eq = |x: __m256i, v: u8| _mm256_cmpeq_epi8(x, k(v));
        let ge = |x: __m256i, v: u8| _mm256_cmpeq_epi8(_mm256_max_epu8(x, k(v)), x);
        let le = |x: __m256i, v: u8| _mm256_cmpeq_epi8(_mm256_min_epu8(x, k(v)), x);
        let or = |x: __m256i, y: __m256i| _mm256_or_si256(x, y);
        let and = |x: __m256i, y: __m256i| _mm256_and_si256(x, y);
        // `!x & y`.
        let andnot = |x: __m256i, y: __m256i| _mm256_andnot_si256(x, y);
        let low = |x: __m256i| _mm256_or_si256(x, k(0x20));
        let letter = |x: __m256i| le(_mm256_sub_epi8(low(x), k(b'a')), 25);

        // not_plain(c, d, e)
        let markup = or(
            or(or(eq(c, b'<'), eq(c, b'*')), or(eq(c, b'_'), eq(c, b'&'))),
            or(eq(c, b'\\'), eq(c, b'#')),
        );
        let space = or(
            le(_mm256_sub_epi8(c, k(b'\t')), 4),
            and(eq(c, b' '), eq(d, b' ')),
        );
        let viet = and(
            eq(c, 0xE1),
            or(and(eq(d, 0xBA), ge(e, 0xA0)), and(eq(d, 0xBB), le(e, 0xB9))),
        );
        let punct = and(
            eq(c, 0xE2),
            or(
                and(
                    eq(d, 0x80),
                    or(le(_mm256_sub_epi8(e, k(0x90)), 0x17), ge(e, 0xB0)),
                ),
                and(eq(d, 0x81), le(e, 0x9E)),
            ),
        );
        let high = andnot(or(viet, punct), ge(c, 0xCC));
        let c2 = and(
            eq(c, 0xC2),
            or(
                or(or(eq(d, 0x85), eq(d, 0xA0)), or(eq(d, 0xAD), eq(d, 0xB2))),
                or(eq(d, 0xB3), eq(d, 0xB9)),
            ),
        );
        let eth = or(
            and(eq(c, 0xC3), or(eq(d, 0x90), eq(d, 0xB0))),
            or(and(eq(c, 0xC6), eq(d, 0x89)), and(eq(c, 0xC9), eq(d, 0x96))),
        );
        let not_plain = or(or(markup, space), or(high, or(c2, eth)));

        // may_end_pair(c, d, e, f, g)
        let lc = low(c);
        let ascii_ou = or(eq(lc, b'o'), eq(lc, b'u'));
        let (lf, lg) = (letter(f), letter(g));
        let p1 = and(
            ascii_ou,
            or(
                andnot(lf, or(eq(d, 0xC3), eq(d, 0xC5))),
                andnot(lg, eq(d, 0xE1)),
            ),
        );
        let dl = low(d);
        let c3 = eq(c, 0xC3);
        let o2 = and(c3, or(or(eq(dl, 0xB2), eq(dl, 0xB3)), eq(dl, 0xB5)));
        let u2 = or(
            and(c3, or(eq(dl, 0xB9), eq(dl, 0xBA))),
            and(eq(c, 0xC5), or(eq(d, 0xA8), eq(d, 0xA9))),
        );
        let e1bb = and(eq(c, 0xE1), eq(d, 0xBB));
        let efc = and(e, k(0xFC));
        let o3 = and(e1bb, eq(efc, 0x8C));
        let u3 = and(e1bb, eq(efc, 0xA4));
        let (le_, lf_) = (low(e), low(f));
        let (e_hi, f_hi) = (ge(e, 0x80), ge(f, 0x80));
        let after2_o = or(andnot(lf, or(eq(le_, b'a'), eq(le_, b'e'))), e_hi);
        let after2_u = or(andnot(lf, eq(le_, b'y')), e_hi);
        let after3_o = or(andnot(lg, or(eq(lf_, b'a'), eq(lf_, b'e'))), f_hi);
        let after3_u = or(andnot(lg, eq(lf_, b'y')), f_hi);
        let pair = or(
            or(p1, and(o2, after2_o)),
            or(and(u2, after2_u), or(and(o3, after3_o), and(u3, after3_u))),
        );
        _mm256_movemask_epi8(or(not_plain, pair)) as u32
    }
}

/// Bytes [`plain_check`] passes over.
const K_PLAIN: u8 = 0;
/// Markup (`<*_&\#`) and white space other than the space (`\t`…`\r`).
const K_BAD: u8 = 1;
/// The space: not plain when another follows.
const K_SPACE: u8 = 2;
/// Lead bytes [`not_plain`] decides on (`C2`, `C3`, `C5`, `C6`, `C9`, `CC`…`FF`).
const K_LEAD: u8 = 3;
/// `o`, `u` (either case): may end an `oa`/`oe`/`uy` pair ([`may_end_pair`]).
const K_TONE: u8 = 4;

/// The kind of every byte value for [`plain_check`].
const BYTE_KIND: [u8; 256] = {
    let mut t = [K_PLAIN; 256];
    let bad = b"<*_&\\#\t\n\x0b\x0c\r";
    let mut k = 0;
    while k < bad.len() {
        t[bad[k] as usize] = K_BAD;
        k += 1;
    }
    t[b' ' as usize] = K_SPACE;
    t[b'o' as usize] = K_TONE;
    t[b'O' as usize] = K_TONE;
    t[b'u' as usize] = K_TONE;
    t[b'U' as usize] = K_TONE;
    t[0xC2] = K_LEAD;
    t[0xC3] = K_LEAD;
    t[0xC5] = K_LEAD;
    t[0xC6] = K_LEAD;
    t[0xC9] = K_LEAD;
    let mut c = 0xCC;
    while c <= 0xFF {
        t[c] = K_LEAD;
        c += 1;
    }
    t
};

/// Whether the two chars starting at byte `i` of `s` end a word whose tone
/// mark `style` moves. `s` has no combining marks.
fn tone_moves_at(s: &str, i: usize, style: ToneStyle) -> bool {
    let Some(rest) = s.get(i..) else { return false };
    let mut chars = rest.chars();
    let (Some(prev), Some(last)) = (chars.next(), chars.next()) else {
        return false;
    };
    let end = i + prev.len_utf8() + last.len_utf8();
    if end < s.len() && word_char_at(s, end).0.is_some() {
        return false;
    }
    let head = s.get(..i).unwrap_or_default();
    let start = head
        .char_indices()
        .rev()
        .take_while(|&(k, _)| word_char_at(s, k).0.is_some())
        .last()
        .map_or(i, |(k, _)| k);
    let word = s.get(start..end).unwrap_or_default();
    canon_word(word, false, style).is_some()
}
