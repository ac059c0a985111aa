//! How Word structures come out in the document model.

mod common;

use common::{docx, docx_with, p, tc};
use kehoach_doc::{Block, Document, Table};
use kehoach_read_docx::read;

fn tables(doc: &Document) -> Vec<&Table> {
    doc.blocks()
        .filter_map(|b| {
            if let Block::Table(t) = b {
                Some(t)
            } else {
                None
            }
        })
        .collect()
}

fn paragraphs(doc: &Document) -> Vec<String> {
    doc.blocks()
        .filter_map(|b| {
            if let Block::Paragraph(p) = b {
                Some(p.text.clone())
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn spans_merges_breaks_hyperlinks_and_revisions() {
    let body = format!(
        "{}<w:tbl><w:tblPr/><w:tblGrid/>\
         <w:tr>{}{}{}</w:tr>\
         <w:tr>{}{}</w:tr>\
         <w:tr>{}{}{}</w:tr>\
         <w:tr>{}{}{}</w:tr></w:tbl>",
        p("KẾ HOẠCH"),
        tc("", &p("TT")),
        tc("", &p("Nội dung")),
        tc("", &p("Chủ trì")),
        tc("", &p("I")),
        tc("<w:gridSpan w:val=\"2\"/>", &p("Mục")),
        tc("", &p("1")),
        tc("", "<w:p><w:hyperlink><w:r><w:t>Việc</w:t></w:r></w:hyperlink><w:ins><w:r><w:t xml:space=\"preserve\"> một</w:t></w:r></w:ins><w:del><w:r><w:delText>bỏ</w:delText></w:r></w:del><w:r><w:br/><w:t>dòng hai</w:t></w:r></w:p>"),
        tc("<w:vMerge w:val=\"restart\"/>", &p("Phòng A")),
        tc("", &p("2")),
        tc("", &p("Việc hai")),
        tc("<w:vMerge/>", "<w:p/>"),
    );
    let doc = read(&docx(&body, None)).expect("reads");
    assert_eq!(paragraphs(&doc), vec!["KẾ HOẠCH"]);
    let t = tables(&doc);
    assert_eq!(t.len(), 1);
    let grid: Vec<Vec<&str>> = t[0].rows.iter().map(|r| r.grid()).collect();
    assert_eq!(grid[1], vec!["I", "Mục", ""]);
    assert_eq!(grid[2], vec!["1", "Việc một\ndòng hai", "Phòng A"]);
    assert_eq!(grid[3], vec!["2", "Việc hai", "Phòng A"]);
}

#[test]
fn nested_and_frame_tables() {
    // A one-column frame around a real table is unwrapped.
    let inner = format!(
        "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl>",
        tc("", &p("TT")),
        tc("", &p("Nội dung")),
        tc("", &p("1")),
        tc("", &p("Việc"))
    );
    let body = format!(
        "<w:tbl><w:tr>{}</w:tr></w:tbl>",
        tc("", &format!("{}{inner}", p("Tiêu đề")))
    );
    let doc = read(&docx(&body, None)).expect("reads");
    assert_eq!(paragraphs(&doc), vec!["Tiêu đề"]);
    assert_eq!(tables(&doc)[0].rows[1].grid(), vec!["1", "Việc"]);
    // A table nested in a cell of a wider table becomes lines of that cell.
    let body = format!(
        "<w:tbl><w:tr>{}{}</w:tr></w:tbl>",
        tc("", &p("a")),
        tc("", &inner)
    );
    let doc = read(&docx(&body, None)).expect("reads");
    assert_eq!(
        tables(&doc)[0].rows[0].grid(),
        vec!["a", "TT Nội dung\n1 Việc"]
    );
}

#[test]
fn content_controls_fields_and_hidden_text() {
    let body = "<w:sdt><w:sdtContent><w:p><w:r><w:t>Số: 12/KH-UBND</w:t></w:r></w:p></w:sdtContent></w:sdt>\
                <w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:t>Trang</w:t></w:r>\
                <w:r><w:rPr><w:vanish/></w:rPr><w:t>ẩn</w:t></w:r><w:r><w:tab/><w:t>Hà Nội</w:t></w:r></w:p>";
    let doc = read(&docx(body, None)).expect("reads");
    assert_eq!(paragraphs(&doc), vec!["Số: 12/KH-UBND", "Trang\tHà Nội"]);
}

#[test]
fn bold_from_runs_and_styles_and_page_breaks() {
    let styles = r#"<w:style w:type="paragraph" w:styleId="Title"><w:rPr><w:b/></w:rPr></w:style>"#;
    let body =
        "<w:p><w:pPr><w:pStyle w:val=\"Title\"/></w:pPr><w:r><w:t>KẾ HOẠCH</w:t></w:r></w:p>\
                <w:p><w:r><w:rPr><w:b/></w:rPr><w:t>a</w:t></w:r><w:r><w:t>b</w:t></w:r></w:p>\
                <w:p><w:r><w:br w:type=\"page\"/><w:t>sau</w:t></w:r></w:p>";
    let doc = read(&docx(body, Some(styles))).expect("reads");
    let bold: Vec<bool> = doc
        .blocks()
        .map(|b| matches!(b, Block::Paragraph(p) if p.bold))
        .collect();
    assert_eq!(bold, vec![true, false, false]);
    assert_eq!(doc.pages.len(), 2);
    assert_eq!(doc.pages[1].number, Some(2));
}

#[test]
fn legacy_fonts_from_runs_and_styles() {
    let styles = r#"<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=".VnTime" w:hAnsi=".VnTime"/></w:rPr></w:rPrDefault></w:docDefaults>
        <w:style w:type="character" w:styleId="Caps"><w:rPr><w:rFonts w:ascii=".VnTimeH" w:hAnsi=".VnTimeH"/></w:rPr></w:style>"#;
    // TCVN3 by the default font; capitals by the …H character style; ư stored as a soft hyphen.
    let body = "<w:p><w:r><w:t>KÕ ho¹ch th</w:t></w:r><w:r><w:softHyphen/></w:r><w:r><w:t>¬ng</w:t></w:r></w:p>\
                <w:p><w:r><w:rPr><w:rStyle w:val=\"Caps\"/></w:rPr><w:t>kÕ ho¹ch</w:t></w:r></w:p>\
                <w:p><w:r><w:rPr><w:rFonts w:ascii=\"VNI-Times\" w:hAnsi=\"VNI-Times\"/></w:rPr><w:t>Keá hoa</w:t></w:r><w:r><w:rPr><w:rFonts w:ascii=\"VNI-Times\" w:hAnsi=\"VNI-Times\"/></w:rPr><w:t>ïch</w:t></w:r></w:p>\
                <w:p><w:r><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\"/></w:rPr><w:t>Kế hoạch</w:t></w:r></w:p>";
    let doc = read(&docx(body, Some(styles))).expect("reads");
    assert_eq!(
        paragraphs(&doc),
        vec!["Kế hoạch thương", "KẾ HOẠCH", "Kế hoạch", "Kế hoạch"]
    );
    assert!(doc.warnings.iter().any(|w| w.code == "legacy_encoding"));
}

#[test]
fn legacy_text_without_font_names_is_detected() {
    let body = p("KÕ ho¹ch thùc hiÖn kiÓm so¸t thñ tôc hµnh chÝnh n¨m 2024");
    let doc = read(&docx(&body, None)).expect("reads");
    assert_eq!(
        paragraphs(&doc),
        vec!["Kế hoạch thực hiện kiểm soát thủ tục hành chính năm 2024"]
    );
    assert!(doc.warnings.iter().any(|w| w.code == "legacy_encoding"));
    // Unicode text is left alone and raises no warning.
    let doc = read(&docx(&p("Kế hoạch thực hiện"), None)).expect("reads");
    assert!(doc.warnings.is_empty());
}

#[test]
fn text_boxes_are_read_once() {
    let body = "<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><w:txbxContent><w:p><w:r><w:t>CỘNG HÒA</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>\
                <mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>CỘNG HÒA</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>Thân</w:t></w:r></w:p>";
    let doc = read(&docx(body, None)).expect("reads");
    assert_eq!(paragraphs(&doc), vec!["CỘNG HÒA", "Thân"]);
}

/// A paragraph in list `num` at level `ilvl`.
fn np(num: u32, ilvl: u32, text: &str) -> String {
    format!(
        "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"{ilvl}\"/><w:numId w:val=\"{num}\"/></w:numPr></w:pPr>{}</w:p>",
        if text.is_empty() {
            String::new()
        } else {
            format!("<w:r><w:t>{text}</w:t></w:r>")
        }
    )
}

#[test]
fn list_numbers_word_prints() {
    let numbering = r#"
      <w:abstractNum w:abstractNumId="0">
        <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
        <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/></w:lvl>
        <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%3"/></w:lvl>
        <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="-"/></w:lvl>
      </w:abstractNum>
      <w:abstractNum w:abstractNumId="1">
        <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
      </w:abstractNum>
      <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
      <w:num w:numId="2"><w:abstractNumId w:val="0"/></w:num>
      <w:num w:numId="3"><w:abstractNumId w:val="0"/>
        <w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
      <w:num w:numId="4"><w:abstractNumId w:val="1"/></w:num>"#;
    let styles = r#"<w:style w:type="paragraph" w:styleId="Muc"><w:pPr><w:numPr><w:numId w:val="4"/></w:numPr></w:pPr></w:style>"#;
    // A task table whose TT cells are empty list paragraphs.
    let row = |num: u32, ilvl: u32, task: &str| {
        format!(
            "<w:tr>{}{}</w:tr>",
            tc("", &np(num, ilvl, "")),
            tc("", &p(task))
        )
    };
    // A cell covered by a vertical merge prints no number and takes the
    // merged cell's.
    let merged = format!(
        "<w:tr>{}{}</w:tr><w:tr>{}{}</w:tr>",
        tc("<w:vMerge w:val=\"restart\"/>", &np(2, 0, "")),
        tc("", &p("Việc năm")),
        tc("<w:vMerge/>", &np(2, 0, "")),
        tc("", &p("Việc năm, phần hai")),
    );
    let body = format!(
        "{}{}<w:tbl><w:tr>{}{}</w:tr>{}{}{}{}{}{}{}{}{}</w:tbl>{}{}{}{}",
        np(4, 0, "MỤC ĐÍCH"),
        "<w:p><w:pPr><w:pStyle w:val=\"Muc\"/></w:pPr><w:r><w:t>NHIỆM VỤ</w:t></w:r></w:p>",
        tc("", &p("TT")),
        tc("", &p("Nhiệm vụ")),
        row(1, 0, "Việc một"),
        row(1, 0, "Việc hai"),
        row(1, 1, "Việc con"),
        row(1, 2, "Mức ba"),
        row(1, 0, "Việc ba"),
        row(1, 1, "Việc con mới"),
        // Another instance of the same list continues it.
        row(2, 0, "Việc bốn"),
        merged,
        // An instance with a start override restarts.
        row(3, 0, "Lại một"),
        np(3, 0, "Lại hai"),
        np(1, 3, "Gạch đầu dòng"),
        "<w:p><w:pPr><w:pStyle w:val=\"Muc\"/><w:numPr><w:numId w:val=\"0\"/></w:numPr></w:pPr><w:r><w:t>Không số</w:t></w:r></w:p>",
        np(9, 0, "Danh sách không có"),
    );
    let doc = read(&docx_with(&body, Some(styles), Some(numbering))).expect("reads");
    let t = tables(&doc);
    assert_eq!(t.len(), 1);
    let numbers: Vec<&str> = t[0].rows.iter().map(|r| r.cells[0].text.as_str()).collect();
    assert_eq!(
        numbers,
        vec!["TT", "1.", "2.", "a)", "2.1", "3.", "a)", "4.", "5.", "5.", "1."]
    );
    assert_eq!(
        paragraphs(&doc),
        vec![
            "I. MỤC ĐÍCH",
            "II. NHIỆM VỤ",
            "2. Lại hai",
            "Gạch đầu dòng",
            "Không số",
            "Danh sách không có"
        ]
    );
}

#[test]
fn vertical_merge_repeats_number_and_task_into_every_row() {
    // Two physical rows share STT and task (merged down), each with its own
    // product and lead.
    let body = format!(
        "<w:tbl><w:tr>{}{}{}{}</w:tr><w:tr>{}{}{}{}</w:tr><w:tr>{}{}{}{}</w:tr><w:tr>{}{}{}</w:tr></w:tbl>",
        tc("", &p("STT")),
        tc("", &p("Nhiệm vụ")),
        tc("", &p("Sản phẩm")),
        tc("", &p("Chủ trì")),
        tc("<w:vMerge w:val=\"restart\"/>", &p("2")),
        tc("<w:vMerge w:val=\"restart\"/>", &p("Tham mưu kế hoạch")),
        tc("", &p("Kế hoạch kiểm tra")),
        tc("", &p("Sở Nội vụ")),
        tc("<w:vMerge/>", "<w:p/>"),
        tc("<w:vMerge/>", "<w:p/>"),
        tc("", &p("Kế hoạch tự kiểm tra")),
        tc("", &p("Các cơ quan")),
        tc("", &p("3")),
        tc("", &p("Việc khác")),
        tc("<w:gridSpan w:val=\"2\"/>", &p("Theo phân công")),
    );
    let doc = read(&docx(&body, None)).expect("reads");
    let t = tables(&doc);
    let grid: Vec<Vec<&str>> = t[0].rows.iter().map(|r| r.grid()).collect();
    assert_eq!(
        grid[1],
        vec!["2", "Tham mưu kế hoạch", "Kế hoạch kiểm tra", "Sở Nội vụ"]
    );
    assert_eq!(
        grid[2],
        vec![
            "2",
            "Tham mưu kế hoạch",
            "Kế hoạch tự kiểm tra",
            "Các cơ quan"
        ]
    );
    assert_eq!(t[0].rows[3].cells[2].colspan, 2);
    assert_eq!(grid[3], vec!["3", "Việc khác", "Theo phân công", ""]);
}
