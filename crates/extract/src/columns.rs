//! Recognising the appendix header row and mapping columns by their words.

use kehoach_text::fold;

/// What a table column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Col {
    /// `TT`, `STT`.
    Number,
    /// `Nội dung (công việc)`, `Nhiệm vụ (cụ thể)`.
    Content,
    /// `… chủ trì`, `Cơ quan (đơn vị) thực hiện`.
    Lead,
    /// `… phối hợp`.
    Support,
    /// `Thời gian (hoàn thành|thực hiện)`, `Thời hạn`.
    Deadline,
    /// `(Dự kiến) sản phẩm`, `Kết quả (công việc)`.
    Product,
    /// A column the contract does not name (kept under `extra`).
    Other,
}

/// Classifies one header cell. Matching is done on folded text, so it works
/// without diacritics (`NOI DUNG`) and tolerates OCR slips in one letter.
pub fn classify(header: &str) -> Option<Col> {
    let f = fold(header);
    let words: Vec<&str> = f
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return None;
    }
    let joined = words.join(" ");
    if matches!(
        joined.as_str(),
        "tt" | "stt" | "so tt" | "so thu tu" | "thu tu" | "no" | "so" | "muc" | "t t"
    ) {
        return Some(Col::Number);
    }
    // The kind whose keyword comes first wins: "Kết quả thực hiện" is a
    // product, "Cơ quan chủ trì thực hiện" a lead, "Thời gian thực hiện" a deadline.
    let mut best: Option<(usize, usize, Col)> = None;
    for (rank, (phrase, col)) in KEYWORDS.iter().enumerate() {
        if let Some(at) = phrase_position(&words, phrase) {
            if best.is_none_or(|(b_at, b_rank, _)| (at, rank) < (b_at, b_rank)) {
                best = Some((at, rank, *col));
            }
        }
    }
    if let Some((_, _, col)) = best {
        return Some(col);
    }
    if joined == "co quan" || joined == "don vi" {
        return Some(Col::Lead);
    }
    None
}

/// Header keywords (folded) and the column kind each names, most specific first.
const KEYWORDS: &[(&[&str], Col)] = &[
    (&["thoi", "gian"], Col::Deadline),
    (&["thoi", "han"], Col::Deadline),
    (&["tien", "do"], Col::Deadline),
    (&["han", "hoan", "thanh"], Col::Deadline),
    (&["moc", "thoi", "gian"], Col::Deadline),
    (&["thoi", "diem"], Col::Deadline),
    (&["phoi", "hop"], Col::Support),
    (&["chu", "tri"], Col::Lead),
    (&["thuc", "hien"], Col::Lead),
    (&["trach", "nhiem"], Col::Lead),
    (&["phu", "trach"], Col::Lead),
    (&["dau", "moi"], Col::Lead),
    (&["giao", "cho"], Col::Lead),
    (&["san", "pham"], Col::Product),
    (&["ket", "qua"], Col::Product),
    (&["dau", "ra"], Col::Product),
    (&["noi", "dung"], Col::Content),
    (&["nhiem", "vu"], Col::Content),
    (&["cong", "viec"], Col::Content),
    (&["hoat", "dong"], Col::Content),
    (&["giai", "phap"], Col::Content),
    (&["de", "an"], Col::Content),
    (&["chi", "tieu"], Col::Content),
    (&["muc", "tieu"], Col::Content),
    (&["ghi", "chu"], Col::Other),
    (&["kinh", "phi"], Col::Other),
    (&["nguon", "von"], Col::Other),
    (&["dia", "ban"], Col::Other),
    (&["lanh", "dao"], Col::Other),
];

/// The word index where `phrase` occurs in `words`, allowing one wrong letter
/// per word of four letters or more (OCR: `phoi hqp`).
fn phrase_position(words: &[&str], phrase: &[&str]) -> Option<usize> {
    if phrase.is_empty() || phrase.len() > words.len() {
        return None;
    }
    words
        .windows(phrase.len())
        .position(|win| win.iter().zip(phrase).all(|(a, b)| a == b || near(a, b)))
}

/// Same length and at most one differing letter, for words of three letters or more.
fn near(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.len() >= 3
        && a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count() <= 1
}

/// The column layout of an appendix table.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMap {
    /// One entry per grid column.
    pub cols: Vec<Option<Col>>,
    /// The header text of each grid column (for `extra`).
    pub headers: Vec<String>,
    /// Folded header texts, to recognise repeats of the header.
    pub signature: Vec<String>,
    /// Folded texts of sub-header rows (a second header row), which repeat too.
    pub sub_signatures: Vec<Vec<String>>,
    /// The kind each header cell names on its own (for repeats in other words).
    pub signature_kinds: Vec<Option<Col>>,
    /// A year printed in the deadline column's header (`Thời gian (Năm
    /// 2026)`): the missing year of that column's cells.
    pub deadline_year: Option<i32>,
}

impl ColumnMap {
    /// The grid column holding `col`, if any.
    pub fn index_of(&self, col: Col) -> Option<usize> {
        self.cols.iter().position(|c| *c == Some(col))
    }

    /// Number of grid columns.
    pub fn width(&self) -> usize {
        self.cols.len()
    }

    /// Whether a row repeats this header (page-break repeats, possibly shortened).
    pub fn is_repeat(&self, cells: &[&str]) -> bool {
        // Cheap rejection of data rows first: the number cell holds a number, not "TT".
        if self.sub_signatures.is_empty() {
            if let Some(i) = self.index_of(Col::Number) {
                let cell = cells.get(i).map_or("", |c| c.trim());
                let sig_blank = self.signature.get(i).is_none_or(|s| s.is_empty());
                if !sig_blank && (cell.is_empty() || cell.starts_with(|c: char| c.is_ascii_digit()))
                {
                    return false;
                }
            }
        }
        if !is_header_like(cells) {
            return false;
        }
        let folded: Vec<String> = cells.iter().map(|c| norm_header(c)).collect();
        let nonempty = folded.iter().filter(|c| !c.is_empty()).count();
        if nonempty >= 1
            && self.sub_signatures.iter().any(|sub| {
                folded
                    .iter()
                    .enumerate()
                    .all(|(i, c)| c.is_empty() || sub.get(i) == Some(c))
            })
        {
            return true;
        }
        if nonempty < 2 {
            return false;
        }
        // Where the header has a number column ("TT"), a repeat has it too: a
        // continuation row has an empty number cell.
        if let Some(i) = self.index_of(Col::Number) {
            let sig = self.signature.get(i).map_or("", String::as_str);
            let cell = folded.get(i).map_or("", String::as_str);
            if !sig.is_empty() && cell != sig && classify(cell) != Some(Col::Number) {
                return false;
            }
        }
        let same = folded
            .iter()
            .zip(&self.signature)
            .enumerate()
            .filter(|(i, (a, b))| {
                !a.is_empty()
                    && (a == b || {
                        let k = classify(a);
                        k.is_some() && k == self.signature_kinds.get(*i).copied().flatten()
                    })
            })
            .count();
        same * 3 >= nonempty * 2 && same >= 2
    }
}

fn norm_header(s: &str) -> String {
    fold(s).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A header cell is short, mostly words; a row is header-like when its cells are.
fn is_header_like(cells: &[&str]) -> bool {
    cells.iter().all(|c| {
        // A cell of at most 80 bytes has at most 80 chars: only longer
        // ones are counted.
        c.len() <= 240
            && (c.len() <= 80 || c.chars().count() <= 80)
            && memchr::memchr(b'%', c.as_bytes()).is_none()
    })
}

/// Tries to read `cells` as the appendix header row.
pub fn header_map(cells: &[&str]) -> Option<ColumnMap> {
    if !is_header_like(cells) {
        return None;
    }
    let cols: Vec<Option<Col>> = cells.iter().map(|c| classify(c)).collect();
    let known = cols
        .iter()
        .filter(|c| matches!(c, Some(k) if *k != Col::Other))
        .count();
    let has_content = cols.contains(&Some(Col::Content));
    // A task table assigns work: a lead (or support) unit or a deadline. A
    // table of content and results only (statistics, results against plan)
    // is not one.
    let has_unit_or_time = cols
        .iter()
        .any(|c| matches!(c, Some(Col::Lead | Col::Support | Col::Deadline)));
    if !(has_content && has_unit_or_time && known >= 3) || is_schedule_or_statistics(cells) {
        return None;
    }
    // The kinds as classified, before repeated columns are told apart.
    let signature_kinds = cols.clone();
    let mut cols = cols;
    dedupe(&mut cols);
    // A blank first header over numbers is the number column.
    if cols.first() == Some(&None) && cells.first().is_some_and(|c| c.trim().is_empty()) {
        cols[0] = Some(Col::Number);
    }
    let deadline_year = cols
        .iter()
        .position(|c| *c == Some(Col::Deadline))
        .and_then(|i| cells.get(i))
        .and_then(|h| year_in_header(h));
    Some(ColumnMap {
        cols,
        headers: cells.iter().map(|c| kehoach_text::normalize(c)).collect(),
        signature: cells.iter().map(|c| norm_header(c)).collect(),
        sub_signatures: Vec::new(),
        signature_kinds,
        deadline_year,
    })
}

/// `Thời gian (Năm 2026)` → 2026.
fn year_in_header(h: &str) -> Option<i32> {
    let f = fold(h);
    f.split(|c: char| !c.is_ascii_digit())
        .filter(|t| t.len() == 4)
        .filter_map(|t| t.parse::<i32>().ok())
        .find(|y| (1990..=2100).contains(y))
}

/// Headers of tables that are not task tables although they name a content
/// and a time column: inspection schedules (`Đơn vị được kiểm tra`),
/// statistics (`Chỉ tiêu thống kê`, `Số liệu`).
fn is_schedule_or_statistics(cells: &[&str]) -> bool {
    cells.iter().any(|c| {
        let f = norm_header(c);
        f.contains("duoc kiem tra") || f.contains("thong ke") || f == "so lieu"
    }) || crate::results::is_results_header(cells)
}

/// Merges a second header row (sub-headers under a spanning header, e.g.
/// `Đơn vị thực hiện` over `Chủ trì | Phối hợp`) into `map`.
pub fn merge_subheader(map: &mut ColumnMap, cells: &[&str]) -> bool {
    if !is_header_like(cells) || cells.iter().all(|c| c.trim().is_empty()) {
        return false;
    }
    let sub: Vec<Option<Col>> = cells.iter().map(|c| classify(c)).collect();
    // Every non-empty cell must be a header word, and at least one must be new.
    let ok = cells
        .iter()
        .zip(&sub)
        .all(|(c, k)| c.trim().is_empty() || k.is_some());
    if !ok
        || !sub
            .iter()
            .any(|k| matches!(k, Some(Col::Lead | Col::Support)))
    {
        return false;
    }
    if map.cols.len() < sub.len() {
        map.cols.resize(sub.len(), None);
        map.headers.resize(sub.len(), String::new());
        map.signature.resize(sub.len(), String::new());
        map.signature_kinds.resize(sub.len(), None);
    }
    for (i, k) in sub.iter().enumerate() {
        if let Some(k) = k {
            map.cols[i] = Some(*k);
            map.headers[i] = kehoach_text::normalize(cells[i]);
        }
    }
    dedupe(&mut map.cols);
    map.sub_signatures
        .push(cells.iter().map(|c| norm_header(c)).collect());
    true
}

/// Keeps the first column of each contract kind; later duplicates become `Other`.
fn dedupe(cols: &mut [Option<Col>]) {
    let mut seen = Vec::new();
    for c in cols.iter_mut() {
        if let Some(k) = *c {
            if k != Col::Other {
                if seen.contains(&k) {
                    *c = Some(Col::Other);
                } else {
                    seen.push(k);
                }
            }
        }
    }
}

/// A row of column numbers under the header (`1 | 2 | 3 …`, `(1) | (2) …`,
/// possibly with the number column left blank: ` | (1) | (2) …`). Markers
/// garbled by OCR (`Œ)` for `(1)`, `@)` for `(3)`) may stand between two or
/// more that count on in their places.
pub fn is_column_numbering(cells: &[&str]) -> bool {
    let filled: Vec<&str> = cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    if filled.len() < 3 || filled.len() + 1 < cells.len() {
        return false;
    }
    let nums: Vec<Option<u32>> = filled
        .iter()
        .map(|c| c.trim_matches(['(', ')']).parse::<u32>().ok())
        .collect();
    let garbled: Vec<&str> = filled
        .iter()
        .zip(&nums)
        .filter(|(_, n)| n.is_none())
        .map(|(c, _)| *c)
        .collect();
    // Markers garbled by OCR: each short and bracketed, and two numbers
    // read where they belong.
    if !garbled.is_empty()
        && (nums.len() - garbled.len() < 2 || !garbled.iter().all(|c| is_garbled_marker(c)))
    {
        return false;
    }
    // The numbers count on from 0 or 1, each at its place in the row.
    let counts_from = |start: u32| {
        nums.iter()
            .enumerate()
            .all(|(i, n)| n.is_none_or(|n| Some(n) == u32::try_from(i).ok().map(|i| start + i)))
    };
    counts_from(0) || counts_from(1)
}

/// A short marker in brackets that OCR did not read as a number (`Œ)`,
/// `(I)`): no word in it.
fn is_garbled_marker(cell: &str) -> bool {
    cell.chars().count() <= 4
        && cell.contains(['(', ')'])
        && cell.chars().filter(|c| c.is_alphabetic()).count() <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_header_words() {
        assert_eq!(classify("TT"), Some(Col::Number));
        assert_eq!(classify("STT"), Some(Col::Number));
        assert_eq!(classify("NỘI DUNG CÔNG VIỆC"), Some(Col::Content));
        assert_eq!(classify("Nhiệm vụ cụ thể"), Some(Col::Content));
        assert_eq!(classify("BỘ PHẬN CHỦ TRÌ"), Some(Col::Lead));
        assert_eq!(classify("Cơ quan thực hiện"), Some(Col::Lead));
        assert_eq!(classify("ĐƠN VỊ PHỐI HỢP"), Some(Col::Support));
        assert_eq!(classify("Thời gian thực hiện"), Some(Col::Deadline));
        assert_eq!(classify("THỜI GIAN HOÀN THÀNH"), Some(Col::Deadline));
        assert_eq!(classify("Kết quả công việc"), Some(Col::Product));
        assert_eq!(classify("DỰ KIẾN SẢN PHẨM"), Some(Col::Product));
        assert_eq!(classify("Ghi chú"), Some(Col::Other));
        assert_eq!(classify("NOI DUNG CONG VIEC"), Some(Col::Content));
        assert_eq!(classify("Co quan phoi hqp"), Some(Col::Support));
        assert_eq!(classify("Nội dung thực hiện"), Some(Col::Content));
        assert_eq!(classify("Kết quả thực hiện"), Some(Col::Product));
        assert_eq!(classify("Cơ quan chủ trì thực hiện"), Some(Col::Lead));
    }

    #[test]
    fn header_rows() {
        let h = [
            "STT",
            "Nhiệm vụ cụ thể",
            "Sản phẩm",
            "Cơ quan chủ trì",
            "Cơ quan phối hợp",
            "Thời gian hoàn thành",
        ];
        let map = header_map(&h).expect("header");
        assert_eq!(map.index_of(Col::Product), Some(2));
        assert_eq!(map.index_of(Col::Deadline), Some(5));
        assert!(map.is_repeat(&h));
        assert!(header_map(&["1", "Xây dựng kế hoạch", "Phòng A", "Quý I"]).is_none());
    }

    #[test]
    fn column_numbering_rows() {
        assert!(is_column_numbering(&["1", "2", "3", "4"]));
        assert!(is_column_numbering(&["(1)", "(2)", "(3)", "(4)"]));
        assert!(is_column_numbering(&[
            "", "(1)", "(2)", "(3)", "(4)", "(5)"
        ]));
        assert!(!is_column_numbering(&[
            "1",
            "Xây dựng kế hoạch",
            "Phòng A",
            "2024"
        ]));
        assert!(!is_column_numbering(&["", "", "(1)", "(2)", "(3)"]));
        assert!(!is_column_numbering(&["3", "4", "5"]));
        // One marker garbled by OCR, the others counting on around it.
        assert!(is_column_numbering(&["", "Œ)", "(2)", "(3)", "(4)", "(5)"]));
        assert!(is_column_numbering(&["(1)", "(2)", "(I)", "(4)"]));
        assert!(is_column_numbering(&["", "Œ)", "(2)", "@)", "4)", "(@)"]));
        // Not with one number read, a word, too few cells, or numbers out of place.
        assert!(!is_column_numbering(&["Œ)", "(2)", "(I)", "@)"]));
        assert!(!is_column_numbering(&["(1)", "(2)", "(ab)", "(4)"]));
        assert!(!is_column_numbering(&["Œ)", "(2)"]));
        assert!(!is_column_numbering(&["(1)", "Œ)", "(2)", "(3)"]));
        assert!(!is_column_numbering(&["1", "a)", "2", "3"]));
    }

    #[test]
    fn two_row_headers() {
        let mut map =
            header_map(&["TT", "Nội dung", "Đơn vị thực hiện", "", "Thời gian"]).expect("header");
        assert!(merge_subheader(
            &mut map,
            &["", "", "Chủ trì", "Phối hợp", ""]
        ));
        assert_eq!(map.index_of(Col::Lead), Some(2));
        assert_eq!(map.index_of(Col::Support), Some(3));
    }
}
