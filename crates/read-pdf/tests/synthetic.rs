//! Generated PDFs for what the fixtures do not show: borders drawn as thin
//! filled rectangles (as Word exports them), merged cells, running headers and
//! page numbers, a row broken across a page break, a rotated coordinate system.

use kehoach_doc::{Block, Document as Doc, Table};
use lopdf::{dictionary, Document, Object, Stream};

fn make_pdf(pages: &[String]) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let f1 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Times-Roman", "Encoding" => "WinAnsiEncoding",
    });
    let f2 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Times-Bold", "Encoding" => "WinAnsiEncoding",
    });
    let resources =
        doc.add_object(dictionary! { "Font" => dictionary! { "F1" => f1, "F2" => f2 } });
    let mut kids: Vec<Object> = Vec::new();
    for content in pages {
        let c = doc.add_object(Stream::new(dictionary! {}, content.clone().into_bytes()));
        let p =
            doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => c });
        kids.push(p.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut buf = Vec::new();
    doc.save_to(&mut buf).expect("saves");
    buf
}

fn text(x: f32, y: f32, size: f32, s: &str) -> String {
    format!("BT /F1 {size} Tf {x} {y} Td ({s}) Tj ET\n")
}

/// Borders as 0.5 pt filled rectangles. `rows` are (top, bottom) in PDF
/// space; `cols` the x of each vertical rule; `skip` a (row, rule) pair to leave out.
fn grid(rows: &[(f32, f32)], cols: &[f32], skip: Option<(usize, usize)>) -> String {
    let mut s = String::from("0 0 0 rg\n");
    let (x0, x1) = (cols[0], cols[cols.len() - 1]);
    for (i, &(top, bottom)) in rows.iter().enumerate() {
        if i == 0 {
            s.push_str(&format!("{x0} {top} {} 0.5 re f\n", x1 - x0));
        }
        s.push_str(&format!("{x0} {bottom} {} 0.5 re f\n", x1 - x0));
        for (j, &x) in cols.iter().enumerate() {
            if skip == Some((i, j)) {
                continue;
            }
            s.push_str(&format!("{x} {bottom} 0.5 {} re f\n", top - bottom));
        }
    }
    s
}

const COLS: [f32; 5] = [60.0, 100.0, 330.0, 450.0, 552.0];

fn header_row(top: f32) -> String {
    let y = top - 14.0;
    text(66.0, y, 10.0, "TT")
        + &text(106.0, y, 10.0, "Noi dung cong viec")
        + &text(336.0, y, 10.0, "Don vi chu tri")
        + &text(456.0, y, 10.0, "Thoi gian hoan thanh")
}

fn furniture(page: usize) -> String {
    text(200.0, 770.0, 9.0, "KE HOACH SO 12/KH-UBND - BAN DU THAO")
        + &text(300.0, 30.0, 9.0, &page.to_string())
}

fn tables(doc: &Doc) -> Vec<&Table> {
    doc.blocks()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn appendix() -> Vec<u8> {
    // Page 1: header, a section row spanning all columns (no inner rules), rows 1 and 2;
    // row 2's content breaks over the page end.
    let mut p1 = furniture(1) + &text(60.0, 720.0, 13.0, "PHU LUC");
    let rows1 = [
        (700.0, 680.0),
        (680.0, 660.0),
        (660.0, 620.0),
        (620.0, 580.0),
    ];
    p1 += &grid(&rows1, &COLS, None);
    // Section row: no vertical rules inside it.
    p1 = p1
        .replace(&format!("{} 660 0.5 20 re f\n", COLS[2]), "")
        .replace(&format!("{} 660 0.5 20 re f\n", COLS[3]), "");
    p1 += &header_row(700.0);
    p1 += &(text(66.0, 666.0, 10.0, "I")
        + &text(
            106.0,
            666.0,
            10.0,
            "XAY DUNG VAN BAN CHI DAO DIEU HANH CUA UY BAN NHAN DAN",
        ));
    p1 += &(text(66.0, 646.0, 10.0, "1")
        + &text(106.0, 646.0, 10.0, "Xay dung ke hoach")
        + &text(106.0, 634.0, 10.0, "kiem soat TTHC")
        + &text(336.0, 646.0, 10.0, "Van phong")
        + &text(456.0, 646.0, 10.0, "Thang 1/2024"));
    p1 += &(text(66.0, 606.0, 10.0, "2")
        + &text(106.0, 606.0, 10.0, "Ra soat quy dinh, thu tuc")
        + &text(106.0, 594.0, 10.0, "hanh chinh tren dia ban")
        + &text(336.0, 606.0, 10.0, "Tu phap"));
    // Page 2: repeated header, the tail of row 2, row 3.
    let mut p2 = furniture(2);
    let rows2 = [(740.0, 720.0), (720.0, 700.0), (700.0, 680.0)];
    p2 += &grid(&rows2, &COLS, None);
    p2 += &header_row(740.0);
    p2 += &(text(106.0, 706.0, 10.0, "xa nam 2024") + &text(456.0, 706.0, 10.0, "Quy II/2024"));
    p2 += &(text(66.0, 686.0, 10.0, "3")
        + &text(106.0, 686.0, 10.0, "Cong khai thu tuc")
        + &text(336.0, 686.0, 10.0, "Mot cua")
        + &text(456.0, 686.0, 10.0, "Thuong xuyen"));
    let p3 = furniture(3) + &text(60.0, 700.0, 11.0, "Noi nhan:");
    make_pdf(&[p1, p2, p3])
}

#[test]
fn filled_rectangle_borders_make_cells_with_spans() {
    let doc = kehoach_read_pdf::read(&appendix()).expect("reads");
    let t = tables(&doc);
    assert_eq!(t.len(), 2, "one table part per page");
    let p1 = t[0];
    assert_eq!(p1.rows.len(), 4);
    assert_eq!(
        p1.rows[0].grid(),
        vec![
            "TT",
            "Noi dung cong viec",
            "Don vi chu tri",
            "Thoi gian hoan thanh"
        ]
    );
    // The section row: the number cell, then the content cell spanning the other three columns.
    let section = &p1.rows[1];
    assert_eq!(section.cells.len(), 2, "{:?}", section.grid());
    assert_eq!(section.cells[1].colspan, 3);
    assert_eq!(
        section.grid(),
        vec![
            "I",
            "XAY DUNG VAN BAN CHI DAO DIEU HANH CUA UY BAN NHAN DAN",
            "",
            ""
        ]
    );
    assert_eq!(
        p1.rows[2].cells[1].text,
        "Xay dung ke hoach\nkiem soat TTHC"
    );
    assert_eq!(p1.rows[2].pos.page, Some(1));
}

#[test]
fn a_broken_row_continues_under_the_repeated_header() {
    let doc = kehoach_read_pdf::read(&appendix()).expect("reads");
    let t = tables(&doc);
    let p2 = t[1];
    assert_eq!(p2.rows[0].grid()[0], "TT", "the header repeats");
    assert_eq!(
        p2.rows[1].grid(),
        vec!["", "xa nam 2024", "", "Quy II/2024"]
    );
    assert_eq!(p2.rows[1].pos.page, Some(2));
    // The extractor merges the tail into row 2.
    let src = kehoach_plan::Source {
        path: "synthetic.pdf".into(),
        sha256: String::new(),
        format: kehoach_plan::Format::Pdf,
        pages: doc.page_count,
    };
    let plan = kehoach_extract::extract(&doc, src);
    let two = plan
        .tasks
        .iter()
        .find(|t| t.number.as_deref() == Some("2"))
        .expect("row 2");
    assert_eq!(
        two.content.as_deref(),
        Some("Ra soat quy dinh, thu tuc hanh chinh tren dia ban xa nam 2024")
    );
    assert_eq!(two.deadline.as_deref(), Some("Quy II/2024"));
    assert_eq!(two.source.page, Some(1));
    let three = plan
        .tasks
        .iter()
        .find(|t| t.number.as_deref() == Some("3"))
        .expect("row 3");
    assert_eq!(three.source.page, Some(2));
}

#[test]
fn running_headers_and_page_numbers_are_dropped() {
    let doc = kehoach_read_pdf::read(&appendix()).expect("reads");
    for b in doc.blocks() {
        if let Block::Paragraph(p) = b {
            assert!(
                !p.text.contains("BAN DU THAO"),
                "running header kept: {}",
                p.text
            );
            assert!(
                p.text.trim().parse::<u32>().is_err(),
                "page number kept: {}",
                p.text
            );
        }
    }
    assert!(doc
        .blocks()
        .any(|b| matches!(b, Block::Paragraph(p) if p.text == "Noi nhan:")));
}

#[test]
fn flipped_coordinates_and_tj_spacing() {
    // cairo style: a flipped CTM with a mirrored text matrix, words placed by TJ offsets.
    let content =
        "1 0 0 -1 0 792 cm\nBT 12 0 0 -12 72 100 Tm /F1 1 Tf [(Th)10(uc)-250(hien)] TJ ET\n\
                   BT 12 0 0 -12 72 116 Tm /F1 1 Tf (dong hai) Tj ET\n"
            .to_string();
    let doc = kehoach_read_pdf::read(&make_pdf(&[content])).expect("reads");
    let Some(Block::Paragraph(p)) = doc.blocks().next() else {
        panic!("a paragraph")
    };
    assert_eq!(p.text, "Thuc hien\ndong hai");
    let bbox = p.pos.bbox.expect("bbox");
    assert!(
        (bbox.x0 - 72.0).abs() < 1.0 && bbox.y0 > 80.0 && bbox.y0 < 100.0,
        "{bbox:?}"
    );
}

#[test]
fn rows_with_their_own_column_rules_start_a_new_table() {
    // Two tables that touch: the second one's columns are not the first one's.
    let mut page = grid(&[(700.0, 680.0), (680.0, 660.0)], &COLS, None);
    page += &grid(&[(660.0, 640.0)], &[60.0, 90.0, 300.0, 420.0, 552.0], None);
    page += &header_row(700.0);
    page += &(text(66.0, 666.0, 10.0, "1")
        + &text(106.0, 666.0, 10.0, "Viec mot")
        + &text(336.0, 666.0, 10.0, "Phong A"));
    page += &(text(64.0, 646.0, 10.0, "2")
        + &text(94.0, 646.0, 10.0, "Viec hai")
        + &text(304.0, 646.0, 10.0, "Phong B"));
    let doc = kehoach_read_pdf::read(&make_pdf(&[page])).expect("reads");
    let t = tables(&doc);
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].rows.len(), 2);
    assert_eq!(t[1].rows[0].grid(), vec!["2", "Viec hai", "Phong B", ""]);
}

/// A page whose number is stamped by a signing system as an annotation: the
/// annotation's appearance stream is read like page content, at the
/// annotation's rectangle; a hidden annotation is not.
#[test]
fn annotation_appearances_are_read_where_they_are_placed() {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let f1 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Times-Roman", "Encoding" => "WinAnsiEncoding",
    });
    let resources = dictionary! { "Font" => dictionary! { "F1" => f1 } };
    let content = doc.add_object(Stream::new(
        dictionary! {},
        text(72.0, 700.0, 12.0, "So:        /KH-UBND").into_bytes(),
    ));
    let stamp = |doc: &mut Document, s: &str, flags: i64, x: f32| {
        // The appearance draws at (2, 2) of a 60 x 20 box, placed at x..x+60, 698..718.
        let ap = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), 60.into(), 20.into()],
                "Resources" => resources.clone(),
            },
            format!("BT /F1 12 Tf 2 2 Td ({s}) Tj ET").into_bytes(),
        ));
        doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "F" => flags,
            "Rect" => vec![x.into(), 698.into(), (x + 60.0).into(), 718.into()],
            "AP" => dictionary! { "N" => ap },
        })
    };
    let shown = stamp(&mut doc, "329", 4, 95.0);
    let hidden = stamp(&mut doc, "777", 2, 300.0);
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "Resources" => resources.clone(),
        "Annots" => vec![shown.into(), hidden.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut buf = Vec::new();
    doc.save_to(&mut buf).expect("saves");
    let read = kehoach_read_pdf::read(&buf).expect("reads");
    let all: String = read
        .blocks()
        .filter_map(|b| match b {
            Block::Paragraph(p) => Some(p.text.clone()),
            Block::Table(_) => None,
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all.contains("329"), "{all}");
    assert!(!all.contains("777"), "{all}");
    let line = all.lines().find(|l| l.contains("329")).unwrap_or_default();
    assert!(
        line.contains("So:"),
        "the stamp sits on the number line: {all}"
    );
}

/// A task whose number and content cells are merged down two rows that
/// differ in their lead and deadline (Word draws the rule between the two
/// rows under the lead and deadline columns only).
fn merged_down() -> Vec<u8> {
    let mut p = furniture(1) + &text(60.0, 720.0, 13.0, "PHU LUC");
    let rows = [
        (700.0, 680.0),
        (680.0, 650.0),
        (650.0, 620.0),
        (620.0, 600.0),
    ];
    p += &grid(&rows, &COLS, None);
    // No rule under the first sub-row in the number and content columns.
    p = p.replace(
        &format!("{} 650 {} 0.5 re f\n", COLS[0], COLS[4] - COLS[0]),
        &format!("{} 650 {} 0.5 re f\n", COLS[2], COLS[4] - COLS[2]),
    );
    p += &header_row(700.0);
    // The merged cells' text sits across both sub-rows.
    p += &(text(66.0, 660.0, 10.0, "1")
        + &text(106.0, 666.0, 10.0, "Xay dung ke hoach")
        + &text(106.0, 640.0, 10.0, "kiem soat TTHC")
        + &text(336.0, 666.0, 10.0, "Van phong")
        + &text(456.0, 666.0, 10.0, "Thang 1/2024")
        + &text(336.0, 636.0, 10.0, "Cac xa")
        + &text(456.0, 636.0, 10.0, "Thang 3/2024"));
    p += &(text(66.0, 606.0, 10.0, "2")
        + &text(106.0, 606.0, 10.0, "Cong khai thu tuc")
        + &text(336.0, 606.0, 10.0, "Mot cua")
        + &text(456.0, 606.0, 10.0, "Thuong xuyen"));
    make_pdf(&[p])
}

#[test]
fn a_cell_merged_down_gives_its_text_to_each_row() {
    let bytes = merged_down();
    let doc = kehoach_read_pdf::read(&bytes).expect("reads");
    let t = tables(&doc);
    assert_eq!(t.len(), 1);
    let grids: Vec<Vec<&str>> = t[0].rows.iter().map(|r| r.grid()).collect();
    assert_eq!(grids.len(), 4, "{grids:?}");
    // As a merged Word cell: the number and content in both rows.
    let merged = ["1", "Xay dung ke hoach\nkiem soat TTHC"];
    assert_eq!(
        grids[1],
        [merged[0], merged[1], "Van phong", "Thang 1/2024"]
    );
    assert_eq!(grids[2], [merged[0], merged[1], "Cac xa", "Thang 3/2024"]);
    // Cells with a rule under them are not merged.
    assert_eq!(
        grids[3],
        ["2", "Cong khai thu tuc", "Mot cua", "Thuong xuyen"]
    );
    // Two records for the one task, each with its own lead and deadline.
    let src = kehoach_plan::Source {
        path: "merged.pdf".into(),
        sha256: String::new(),
        format: kehoach_plan::Format::Pdf,
        pages: doc.page_count,
    };
    let plan = kehoach_extract::extract(&doc, src);
    let ones: Vec<_> = plan
        .tasks
        .iter()
        .filter(|t| t.number.as_deref() == Some("1"))
        .map(|t| (t.lead.as_deref(), t.deadline.as_deref()))
        .collect();
    assert_eq!(
        ones,
        [
            (Some("Van phong"), Some("Thang 1/2024")),
            (Some("Cac xa"), Some("Thang 3/2024"))
        ]
    );
}
