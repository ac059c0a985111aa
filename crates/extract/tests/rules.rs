//! One fixture per extraction rule that the seed plans do not cover
//! (fixtures/plans): HTML tables with spans, NFD text, other column orders
//! and header words, three-level numbering, letter items, two-row headers,
//! rows split by page breaks, repeated numbers, a plan without an appendix;
//! decisions issuing a plan, letter parts, agency-grouped tables, tables that
//! are not task tables.

use kehoach_plan::{DueKind, Format, Op, Plan, Source, WarningCode};
use std::path::Path;

fn extract(name: &str) -> Plan {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/plans")
        .join(name);
    let bytes = std::fs::read(&path).expect("fixture readable");
    let doc = kehoach_read_text::read(&bytes).expect("fixture is text");
    kehoach_extract::extract(
        &doc,
        Source {
            path: name.into(),
            sha256: String::new(),
            format: Format::Text,
            pages: None,
        },
    )
}

fn row<'a>(plan: &'a Plan, number: &str) -> &'a kehoach_plan::Task {
    plan.tasks
        .iter()
        .find(|t| t.number.as_deref() == Some(number))
        .unwrap_or_else(|| panic!("row {number}"))
}

#[test]
fn html_table_with_spans_and_deep_numbering() {
    let p = extract("html_table.txt");
    assert_eq!(p.meta.number.as_deref(), Some("128/KH-STP"));
    assert_eq!(p.meta.issuer.as_deref(), Some("Sở Tư pháp"));
    assert_eq!(p.meta.date.as_deref(), Some("2022-02-09"));
    assert_eq!(
        p.meta.signer.as_ref().and_then(|s| s.name.as_deref()),
        Some("Lê Thị Minh Hạnh")
    );
    assert_eq!(p.tasks.len(), 11);
    // Section rows spanning all columns.
    assert_eq!(p.tasks[0].number.as_deref(), Some("I"));
    assert_eq!(p.tasks[0].content.as_deref(), Some("CẢI CÁCH THỂ CHẾ"));
    // A unit cell merged down two rows is repeated in both.
    assert_eq!(
        p.tasks[2].lead.as_deref(),
        Some("Phòng Xây dựng và kiểm tra văn bản")
    );
    assert_eq!(p.tasks[2].support.as_deref(), Some("Văn phòng Sở"));
    assert_eq!(
        p.tasks[2].extra.get("Ghi chú").map(String::as_str),
        Some("Định kỳ")
    );
    // Column order: deadline before units.
    assert_eq!(
        row(&p, "1.1.1").deadline.as_deref(),
        Some("Trong tháng 3/2022")
    );
    assert_eq!(row(&p, "1.1.1").level, 3);
    assert_eq!(row(&p, "1.1.1").parent, Some(row(&p, "1.1").seq));
    assert_eq!(row(&p, "1.1").parent, Some(p.tasks[4].seq));
    // Letter items sit under the preceding numbered row.
    assert_eq!(row(&p, "a").parent, Some(row(&p, "1.1.2").seq));
    // A repeated header row inside the table; the next row continues "b".
    assert!(row(&p, "b")
        .content
        .as_deref()
        .is_some_and(|c| c.ends_with("giải quyết TTHC của tỉnh")));
    let t = &row(&p, "1.1.2").targets;
    assert_eq!(
        t.iter().map(|g| (g.op, g.value)).collect::<Vec<_>>(),
        vec![(Op::Ge, 98.0), (Op::Le, 2.0)]
    );
    assert_eq!(p.tasks[10].section.as_deref(), Some("II"));
    assert_eq!(
        p.tasks[10].due.as_ref().map(|d| d.kind),
        Some(DueKind::Month)
    );
}

#[test]
fn nfd_input_gives_the_same_records() {
    let a = extract("html_table.txt");
    let b = extract("html_table_nfd.txt");
    assert_eq!(
        serde_json::to_value(&a.tasks).ok(),
        serde_json::to_value(&b.tasks).ok()
    );
    assert_eq!(a.meta, b.meta);
}

#[test]
fn two_row_header_and_number_column_elsewhere() {
    let p = extract("two_row_header.txt");
    assert_eq!(p.tasks.len(), 2);
    let t = &p.tasks[1];
    assert_eq!(t.number.as_deref(), Some("2"));
    assert_eq!(t.lead.as_deref(), Some("Phòng Nội vụ"));
    assert_eq!(
        t.support_units,
        vec!["Phòng Giáo dục và Đào tạo", "Huyện đoàn"]
    );
    assert_eq!(
        t.due.as_ref().and_then(|d| d.by.as_deref()),
        Some("2021-06-30")
    );
    assert_eq!(p.meta.issuer.as_deref(), Some("Phòng Nội vụ"));
    assert_eq!(
        p.meta.signer.as_ref().and_then(|s| s.position.as_deref()),
        Some("TRƯỞNG PHÒNG")
    );
}

#[test]
fn rows_split_by_page_breaks() {
    let p = extract("page_split.txt");
    // Row 1 continues after the repeated header: its text and its units' tails join it.
    let r1 = row(&p, "1");
    assert!(r1
        .content
        .as_deref()
        .is_some_and(|c| c.ends_with("đơn giản hóa trình Chủ tịch UBND huyện phê duyệt")));
    assert_eq!(r1.support.as_deref(), Some("Các phòng, ban chuyên môn"));
    // A full row with an empty number cell is a new, unnumbered record.
    let un = &p.tasks[2];
    assert_eq!(un.number, None);
    assert_eq!(un.parent, r1.parent);
    assert_eq!(un.level, 1);
    assert!(p
        .warnings
        .iter()
        .any(|w| w.code == WarningCode::UnnumberedRow && w.seq == Some(un.seq)));
    // A repeated number is reported.
    assert!(p.warnings.iter().any(|w| w.code == WarningCode::NumberGap));
    // A deadline without a year takes the plan's.
    assert_eq!(
        row(&p, "2").due.as_ref().and_then(|d| d.by.as_deref()),
        Some("2023-09-30")
    );
}

#[test]
fn plan_without_appendix() {
    let p = extract("no_appendix.txt");
    assert!(p.tasks.is_empty());
    assert!(p.warnings.iter().any(|w| w.code == WarningCode::NoAppendix));
    assert_eq!(p.meta.title.as_deref(), Some("Tổ chức hội nghị tổng kết"));
}

#[test]
fn bad_input_is_an_error_or_a_warning_never_a_panic() {
    use kehoach_read_text::{read, ReadError};
    assert_eq!(read(b""), Err(ReadError::Empty));
    assert!(matches!(
        read(&[0u8, 159, 146, 150, 0, 1, 2]),
        Err(ReadError::Binary(_))
    ));
    // Bytes in no known encoding: a clear error.
    assert!(matches!(
        read(b"\x8f\x9d\x81 \xfe\x90\x8d \x9e\x8f\x81\x9d \xff\x8d\x90"),
        Err(ReadError::Encoding(_))
    ));
    // TCVN3 bytes ("Kế hoạch") are converted, with a legacy_encoding warning.
    let doc = read(b"K\xd5 ho\xb9ch").expect("TCVN3 text is read");
    assert!(doc.warnings.iter().any(|w| w.code == "legacy_encoding"));
    // Random-ish bytes that happen to be text still give a plan (with no_appendix).
    let doc = read("|||\n|-|\n<table><tr><td colspan=0>\n\t\t\t".as_bytes()).expect("text");
    let plan = kehoach_extract::extract(
        &doc,
        Source {
            path: "x".into(),
            sha256: String::new(),
            format: Format::Text,
            pages: None,
        },
    );
    assert!(plan
        .warnings
        .iter()
        .any(|w| w.code == WarningCode::NoAppendix));
}

#[test]
fn numbering_typed_into_the_content_column() {
    let p = extract("no_number_column.txt");
    let nums: Vec<_> = p.tasks.iter().map(|t| t.number.as_deref()).collect();
    assert_eq!(nums, vec![Some("I"), Some("1"), Some("2")]);
    assert_eq!(p.tasks[1].content.as_deref(), Some("Công bố danh mục TTHC"));
    assert_eq!(p.tasks[2].parent, Some(1));
    // Header laid out on one line with the date; signer behind "KT.".
    assert_eq!(p.meta.place.as_deref(), Some("Quảng Nam"));
    assert_eq!(p.meta.issuer.as_deref(), Some("Sở Y tế"));
    assert_eq!(
        p.meta.signer.as_ref().and_then(|s| s.position.as_deref()),
        Some("PHÓ GIÁM ĐỐC")
    );
}

/// A decision issuing a plan: the decision's header is the meta, the plan's
/// table gives the tasks (in the body, so `appendix` is null).
#[test]
fn decision_issuing_a_plan() {
    let p = extract("decision_issuing_plan.txt");
    let m = &p.meta;
    assert_eq!(m.doc_type.as_deref(), Some("QĐ"));
    assert_eq!(m.number.as_deref(), Some("1532/QĐ-UBND"));
    assert_eq!(m.issuer_code.as_deref(), Some("UBND"));
    assert_eq!(m.issuer.as_deref(), Some("UBND tỉnh Hà Giang"));
    assert_eq!(m.date.as_deref(), Some("2023-09-08"));
    assert_eq!(m.year, Some(2023));
    assert_eq!(
        m.title.as_deref(),
        Some("Về việc ban hành Kế hoạch chuyển đổi số tỉnh Hà Giang năm 2023")
    );
    let s = m.signer.as_ref().expect("signer");
    assert_eq!(s.name.as_deref(), Some("Hoàng Gia Long"));
    assert_eq!(s.position.as_deref(), Some("PHÓ CHỦ TỊCH"));
    assert_eq!(p.tasks.len(), 3);
    assert!(p.tasks.iter().all(|t| t.appendix.is_none()));
    assert_eq!(p.tasks[0].targets.len(), 1);
    assert_eq!(
        p.tasks[2].due.as_ref().map(|d| d.kind),
        Some(DueKind::Periodic)
    );
}

/// Letter parts above Roman sections, a header repeated inside the table,
/// a second appendix grouped by agency with the lead column first, and
/// appendices that are not task tables (results against plan, an
/// inspection schedule).
#[test]
fn parts_agencies_and_tables_that_are_not_tasks() {
    let p = extract("parts_and_agencies.txt");
    type Shape<'a> = (Option<&'a str>, Option<&'a str>, u32, Option<u32>);
    let summary: Vec<Shape<'_>> = p
        .tasks
        .iter()
        .map(|t| (t.number.as_deref(), t.section.as_deref(), t.level, t.parent))
        .collect();
    assert_eq!(
        summary[..7],
        [
            (Some("A"), None, 0, None),
            (Some("I"), Some("I"), 0, None),
            (Some("1"), Some("I"), 1, Some(2)),
            (Some("2"), Some("I"), 1, Some(2)),
            (Some("B"), None, 0, None),
            (Some("I"), Some("I"), 0, None),
            (Some("1"), Some("I"), 1, Some(6)),
        ]
    );
    assert!(p.tasks[..7]
        .iter()
        .all(|t| t.appendix.as_deref() == Some("Phụ lục I")));
    // Sections restart under each part: no gap reported for the second "I".
    assert!(!p.warnings.iter().any(|w| w.code == WarningCode::NumberGap));
    // Phụ lục II: agency rows are headings; the rows under them take their lead.
    let agencies: Vec<&kehoach_plan::Task> = p.tasks[7..].iter().collect();
    assert_eq!(agencies.len(), 5, "{agencies:#?}");
    assert_eq!(agencies[0].content.as_deref(), Some("Thanh tra Sở"));
    assert!(agencies[0].is_heading());
    assert_eq!(agencies[0].level, 0);
    assert_eq!(agencies[1].lead.as_deref(), Some("Thanh tra Sở"));
    assert_eq!(agencies[1].parent, Some(agencies[0].seq));
    assert_eq!(agencies[2].lead.as_deref(), Some("Thanh tra Sở"));
    assert_eq!(agencies[4].lead.as_deref(), Some("Văn phòng Sở"));
    assert_eq!(agencies[4].parent, Some(agencies[3].seq));
    assert!(agencies
        .iter()
        .all(|t| t.appendix.as_deref() == Some("Phụ lục II")));
    // seq runs on across tables.
    let seqs: Vec<u32> = p.tasks.iter().map(|t| t.seq).collect();
    assert_eq!(seqs, (1..=12).collect::<Vec<u32>>());
}

/// A table continued on the next page without its header, with a footnote
/// at the foot of the first page: one table (numbering and parents go on);
/// a new appendix caption before the second part makes it a table of its own.
#[test]
fn tables_across_pages_with_footnotes() {
    let text = "KẾ HOẠCH\nKiểm tra năm 2024\n\nPhụ lục I\n\n\
| TT | Nội dung | Đơn vị chủ trì | Thời gian |\n|---|---|---|---|\n\
| I | Tuyên truyền | | |\n| 1 | Biên soạn tài liệu | Phòng A | Quý I/2024 |\n\n\
1 Tài liệu theo mẫu của Bộ Tư pháp ban hành năm 2023.\n\n---\n\n\
| 2 | Cập nhật Cổng thông tin | Văn phòng | Thường xuyên |\n| 3 | Tập huấn | Phòng B | Tháng 6/2024 |\n";
    let doc = kehoach_read_text::read_str(text);
    let p = kehoach_extract::extract(
        &doc,
        Source {
            path: "x".into(),
            sha256: String::new(),
            format: Format::Text,
            pages: None,
        },
    );
    let nums: Vec<Option<&str>> = p.tasks.iter().map(|t| t.number.as_deref()).collect();
    assert_eq!(nums, vec![Some("I"), Some("1"), Some("2"), Some("3")]);
    assert!(p.tasks[1..].iter().all(|t| t.parent == Some(1)));
    assert!(p
        .tasks
        .iter()
        .all(|t| t.appendix.as_deref() == Some("Phụ lục I")));
    // With a new caption on the second page, its header-less rows are no
    // continuation of the first table.
    let text2 = text.replace("---\n\n", "---\n\nPhụ lục II\n\nDanh sách đơn vị\n\n");
    let doc = kehoach_read_text::read_str(&text2);
    let p = kehoach_extract::extract(
        &doc,
        Source {
            path: "x".into(),
            sha256: String::new(),
            format: Format::Text,
            pages: None,
        },
    );
    assert_eq!(p.tasks.len(), 2, "{:?}", p.tasks);
}

#[test]
fn a_number_and_content_merged_over_a_page_break() {
    let p = extract("merged_over_page.txt");
    type Row<'a> = (
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
    );
    let got: Vec<Row> = p
        .tasks
        .iter()
        .map(|t| {
            (
                t.number.as_deref(),
                t.lead.as_deref(),
                t.deadline.as_deref(),
                t.product.as_deref(),
            )
        })
        .collect();
    assert_eq!(got.len(), 4, "{got:?}");
    // Under the repeated header, a row with no number and no content whose
    // other cells start values of their own: the merged task's next row.
    assert_eq!(
        got[..2],
        [
            (
                Some("1"),
                Some("Phòng Nội vụ"),
                Some("Tháng 01/2024"),
                Some("Kế hoạch kiểm tra của huyện")
            ),
            (
                Some("1"),
                Some("Các cơ quan, đơn vị"),
                Some("Tháng 02/2024"),
                Some("Kế hoạch tự kiểm tra của cơ quan, đơn vị")
            ),
        ]
    );
    assert_eq!(p.tasks[0].content, p.tasks[1].content);
    // A row broken over the page (its support ended on a comma) keeps its
    // tails: no new task.
    let two = row(&p, "2");
    assert_eq!(
        two.support.as_deref(),
        Some("Phòng Tư pháp, Văn phòng HĐND và UBND huyện")
    );
    assert_eq!(row(&p, "3").lead.as_deref(), Some("Bộ phận Một cửa"));
}

#[test]
fn a_whole_html_document() {
    // As a word processor saves a page: source lines broken anywhere, the
    // header's lines drawn as images inside words, paragraphs in cells.
    let p = extract("html_document.html");
    let m = &p.meta;
    assert_eq!(m.number.as_deref(), Some("15/KH-UBND"));
    assert_eq!(m.issuer.as_deref(), Some("UBND huyện Tân Phú"));
    assert_eq!(m.place.as_deref(), Some("Tân Phú"));
    assert_eq!(m.date.as_deref(), Some("2024-02-12"));
    assert_eq!(
        m.title.as_deref(),
        Some("Kiểm soát thủ tục hành chính năm 2024")
    );
    assert_eq!(
        m.signer.as_ref().and_then(|s| s.name.as_deref()),
        Some("Nguyễn Văn An")
    );
    assert_eq!(p.tasks.len(), 3);
    assert_eq!(
        p.tasks[0].content.as_deref(),
        Some("Rà soát, đánh giá thủ tục hành chính thuộc thẩm quyền của UBND huyện")
    );
    assert_eq!(
        p.tasks[0].lead.as_deref(),
        Some("Văn phòng HĐND và UBND huyện")
    );
    // The number and content span two rows: a record for each.
    assert_eq!(p.tasks[1].number.as_deref(), Some("1"));
    assert_eq!(p.tasks[1].lead.as_deref(), Some("Phòng Tư pháp"));
    assert_eq!(p.tasks[1].deadline.as_deref(), Some("Quý IV/2024"));
    assert_eq!(p.tasks[2].targets.len(), 1);
    assert_eq!(p.tasks[2].targets[0].value, 95.0);
}
