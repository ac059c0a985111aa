//! Text layers that lie: fonts whose character maps give the wrong letters.
//!
//! Some PDFs (re-encoded by Ghostscript, or made with fonts whose
//! `ToUnicode` map is wrong) have a text layer that does not say what the
//! page shows: "Độc lập" comes out as "ĈӝF OұS". Such a page reads as
//! nonsense words, or as U+FFFD where a glyph maps to no character at all. A
//! page is *garbled* when it has enough words and under 80 % of them are
//! well-formed Vietnamese syllables: real Vietnamese text keeps nearly all
//! of them well-formed (the rest are abbreviations and foreign words; pages
//! of real plans and reports score 0.95 or more), a mis-mapped layer far
//! fewer (about 0.4).

use kehoach_doc::{Block, Document, Page, ReaderWarning};

/// Fewer words than this on a page: not enough to judge.
const MIN_WORDS: usize = 20;

/// Below this share of well-formed syllables among the words, a page is
/// garbled. Pages of real text score 0.95 and more; a Ghostscript-re-encoded
/// layer scored 0.38–0.52.
const MIN_VALID_SHARE: f32 = 0.8;

/// Words of the page's text: runs of letters (with their marks) and of
/// U+FFFD, the character a glyph without a character map gets.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphabetic() || c == '\u{FFFD}'))
        .filter(|w| !w.is_empty())
}

/// `(well-formed syllables, words)` counted over a page: words of two or more
/// letters, excluding all-ASCII upper-case words (abbreviations such as
/// `UBND`, `KH`), which say nothing either way.
pub(crate) fn page_counts(page: &Page) -> (usize, usize) {
    let mut valid = 0;
    let mut total = 0;
    let mut count = |text: &str| {
        for w in words(text) {
            let unmapped = w.contains('\u{FFFD}');
            if !unmapped
                && (w.chars().count() < 2
                    || (w.is_ascii() && w.chars().all(|c| c.is_ascii_uppercase())))
            {
                continue;
            }
            total += 1;
            if !unmapped && kehoach_text::is_valid_syllable(w) {
                valid += 1;
            }
        }
    };
    for b in &page.blocks {
        match b {
            Block::Paragraph(p) => count(&p.text),
            Block::Table(t) => {
                for c in t.rows.iter().flat_map(|r| &r.cells) {
                    count(&c.text);
                }
            }
        }
    }
    (valid, total)
}

/// The reader warning naming the garbled pages, if any.
pub(crate) fn warning(doc: &Document) -> Option<ReaderWarning> {
    let pages = garbled_pages(doc);
    if pages.is_empty() {
        return None;
    }
    let list: Vec<String> = pages.iter().map(u32::to_string).collect();
    Some(ReaderWarning {
        code: CODE.into(),
        message: format!(
            "the text layer of page{} {} does not read as Vietnamese (its fonts map glyphs to \
             the wrong characters); the page image should be read instead",
            if pages.len() > 1 { "s" } else { "" },
            list.join(", ")
        ),
    })
}

/// The warning code of a garbled text layer.
pub const CODE: &str = "pdf_text_garbled";

/// Whether a page's text layer is garbled (see the module doc).
pub(crate) fn is_garbled(page: &Page) -> bool {
    let (valid, total) = page_counts(page);
    total >= MIN_WORDS && (valid as f32) < MIN_VALID_SHARE * total as f32
}

/// The pages (numbers) of `doc` whose text layer does not read as
/// Vietnamese: a font maps its glyphs to the wrong characters. Their text
/// is better read from the page image (OCR).
pub fn garbled_pages(doc: &Document) -> Vec<u32> {
    doc.pages
        .iter()
        .filter(|p| is_garbled(p))
        .filter_map(|p| p.number)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kehoach_doc::{Cell, Paragraph, Pos, Row, SourceFormat, Table};

    fn page(n: u32, text: &str) -> Page {
        Page {
            number: Some(n),
            blocks: vec![
                Block::Paragraph(Paragraph {
                    text: text.to_string(),
                    bold: false,
                    pos: Pos::on_page(n, None),
                }),
                Block::Table(Table {
                    rows: vec![Row {
                        cells: vec![Cell::new(text, Pos::on_page(n, None))],
                        pos: Pos::on_page(n, None),
                    }],
                    pos: Pos::on_page(n, None),
                }),
            ],
        }
    }

    const REAL: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc. \
        Kế hoạch kiểm tra việc chấp hành quy định pháp luật trong sử dụng và bảo quản \
        vật liệu nổ công nghiệp trên địa bàn tỉnh Lào Cai, Quyết định số 1050/QĐ-SCT \
        của UBND tỉnh; VLNCN, PCCN.";
    /// The same text through fonts that map glyphs to the wrong characters.
    const MISMAPPED: &str = "CӜNG HÒA XÃ HӜI CHӪ NGHƬA VIӊT NAM ĈӝF OұS - 7ӵ GR - +ҥQK SK~F. \
        .Ӄ KRҥFK NLӇP WUD YLӋF FKҩS KjQK TX\\ ÿӏQK SKiS OXұW WURQJ Vӱ GөQJ Yj EҧR TXҧQ \
        YұW OLӋX Qә F{QJ QJKLӋS WUrQ ÿӏD EjQ WӍQK /jR &DL";
    /// Glyphs that map to no character at all.
    const UNMAPPED: &str = "�� CÔNG ������ ���� HÒA XÃ ��� ��� ����� ���� NAM ���� ���� TRA \
        ��� ��� - �� do - ���� Phúc ���� tra ���� ���� hành Quy ���� pháp ���� trong s� d�ng \
        và b�o qu�n v�t li�u n� công nghi�p trên ��a bàn t�nh Lào Cai";

    #[test]
    fn real_text_is_not_garbled() {
        let (valid, total) = page_counts(&page(1, REAL));
        assert!(total >= MIN_WORDS);
        assert!(valid as f32 >= 0.95 * total as f32, "{valid}/{total}");
        assert!(!is_garbled(&page(1, REAL)));
    }

    #[test]
    fn mismapped_and_unmapped_text_is_garbled() {
        assert!(is_garbled(&page(1, MISMAPPED)));
        assert!(is_garbled(&page(1, UNMAPPED)));
    }

    #[test]
    fn short_pages_are_not_judged() {
        assert!(!is_garbled(&page(1, "ĈӝF OұS 7ӵ GR")));
        assert!(!is_garbled(&page(1, "")));
    }

    #[test]
    fn pages_and_warning() {
        let mut doc = Document::new(SourceFormat::Pdf);
        doc.pages = vec![page(1, MISMAPPED), page(2, REAL), page(3, UNMAPPED)];
        assert_eq!(garbled_pages(&doc), vec![1, 3]);
        let w = warning(&doc).expect("a warning");
        assert_eq!(w.code, "pdf_text_garbled");
        assert!(w.message.contains("pages 1, 3"), "{}", w.message);
        doc.pages.retain(|p| p.number == Some(2));
        assert!(warning(&doc).is_none());
    }
}
