//! PDF renderings of the seed plans (fixtures/pdf/, made by scripts/render_pdf.py)
//! against the gold records: LibreOffice PDFs with ruled tables, the same
//! re-exported by cairo (Identity-H CID fonts), and PDFs without table rules.

use kehoach_plan::{Format, Plan, Source};
use serde_json::Value;
use std::path::{Path, PathBuf};

const MIN_ROW_F1: f64 = 0.98;
const MIN_FIELD: f64 = 0.96;
const FIELDS: [&str; 9] = [
    "number", "section", "level", "parent", "content", "lead", "support", "deadline", "product",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pdfs(family: &str) -> Vec<PathBuf> {
    let dir = root().join("fixtures/pdf").join(family);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    v.sort();
    v
}

fn extract(path: &Path) -> Plan {
    let bytes = std::fs::read(path).expect("fixture readable");
    let doc = kehoach_read_pdf::read(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(doc.format, kehoach_doc::SourceFormat::Pdf);
    assert_eq!(doc.page_count, Some(doc.pages.len() as u32));
    let source = Source {
        path: path.display().to_string(),
        sha256: String::new(),
        format: Format::Pdf,
        pages: doc.page_count,
    };
    kehoach_extract::extract(&doc, source)
}

/// White space collapsed, tone marks of open syllables moved as the scorer does (roughly: NFC + fold of `oà`/`óa`).
fn norm(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => kehoach_text::fold(&s.split_whitespace().collect::<Vec<_>>().join(" ")),
        other => other.to_string(),
    }
}

/// Row F1 and mean field agreement of one plan against its gold record, rows
/// aligned in order by content.
fn agreement(gold: &Value, pred: &Value) -> (f64, f64) {
    let g = gold["tasks"].as_array().cloned().unwrap_or_default();
    let p = pred["tasks"].as_array().cloned().unwrap_or_default();
    let mut j = 0;
    let mut found = 0usize;
    let mut right = 0usize;
    for gt in &g {
        let key = norm(&gt["content"]);
        if let Some(k) = (j..p.len()).find(|&k| norm(&p[k]["content"]) == key) {
            found += 1;
            right += FIELDS
                .iter()
                .filter(|f| norm(&gt[**f]) == norm(&p[k][**f]))
                .count();
            j = k + 1;
        }
    }
    let precision = if p.is_empty() {
        0.0
    } else {
        found as f64 / p.len() as f64
    };
    let recall = if g.is_empty() {
        1.0
    } else {
        found as f64 / g.len() as f64
    };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    let field = right as f64 / (g.len().max(1) * FIELDS.len()) as f64;
    (f1, field)
}

fn check_family(family: &str) {
    let files = pdfs(family);
    assert_eq!(
        files.len(),
        5,
        "five seed renderings in fixtures/pdf/{family}"
    );
    let out =
        std::env::temp_dir().join(format!("kehoach-read-pdf-{family}-{}", std::process::id()));
    std::fs::create_dir_all(&out).expect("temp dir");
    let (mut f1_sum, mut field_sum) = (0.0, 0.0);
    for path in &files {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("stem")
            .to_string();
        let plan = extract(path);
        assert!(!plan.tasks.is_empty(), "{family}/{stem}: no tasks");
        for t in &plan.tasks {
            assert!(
                t.source.page.is_some(),
                "{family}/{stem}: task {} has no source.page",
                t.seq
            );
        }
        let pred = serde_json::to_value(&plan).expect("serialises");
        let gold_text =
            std::fs::read_to_string(root().join("fixtures/gold").join(format!("{stem}.json")))
                .expect("gold");
        let gold: Value = serde_json::from_str(&gold_text).expect("gold json");
        let (f1, field) = agreement(&gold, &pred);
        assert_eq!(
            pred["meta"]["title"], gold["meta"]["title"],
            "{family}/{stem}: title"
        );
        assert_eq!(
            pred["meta"]["date"], gold["meta"]["date"],
            "{family}/{stem}: date"
        );
        f1_sum += f1;
        field_sum += field;
        std::fs::write(
            out.join(format!("{stem}.json")),
            serde_json::to_string(&pred).expect("json"),
        )
        .expect("write");
    }
    let n = files.len() as f64;
    let (f1, field) = (f1_sum / n, field_sum / n);
    assert!(f1 >= MIN_ROW_F1, "{family}: row F1 {f1:.3} < {MIN_ROW_F1}");
    assert!(
        field >= MIN_FIELD,
        "{family}: field agreement {field:.3} < {MIN_FIELD}"
    );

    // The project's scorer, when Python is there.
    let script = root().join("scripts/score.py");
    let status = std::process::Command::new("python3")
        .arg(&script)
        .arg(root().join("fixtures/gold"))
        .arg(&out)
        .args(["--min-row-f1", "0.98", "--min-field-acc", "0.96"])
        .stdout(std::process::Stdio::null())
        .status();
    if let Ok(status) = status {
        assert!(
            status.success(),
            "{family}: scripts/score.py thresholds not met"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn libreoffice_pdfs_meet_thresholds() {
    check_family("lo");
}

#[test]
fn cairo_pdfs_meet_thresholds() {
    check_family("cairo");
}

#[test]
fn unruled_pdfs_meet_thresholds() {
    check_family("unruled");
}

#[test]
fn split_row_continues_at_the_top_of_the_next_page() {
    // 000: row 4.1's content ends on page 8, its tail starts page 9 under the repeated header.
    let bytes =
        std::fs::read(root().join("fixtures/pdf/lo/000_9b75833fe1e96175.pdf")).expect("fixture");
    let doc = kehoach_read_pdf::read(&bytes).expect("reads");
    let mut continuation = 0;
    for page in doc.pages.iter().skip(1) {
        let Some(kehoach_doc::Block::Table(t)) = page
            .blocks
            .iter()
            .find(|b| matches!(b, kehoach_doc::Block::Table(_)))
        else {
            continue;
        };
        let header = t.rows[0].grid();
        assert_eq!(
            header.first().copied(),
            Some("TT"),
            "page {:?} starts with the repeated header",
            page.number
        );
        if t.rows.get(1).is_some_and(|r| r.grid()[0].is_empty()) {
            continuation += 1;
        }
        for r in &t.rows {
            assert_eq!(r.pos.page, page.number);
            assert!(r.pos.bbox.is_some());
            assert!(r.cells.iter().all(|c| c.pos.bbox.is_some()));
        }
    }
    assert!(
        continuation >= 2,
        "rows broken across pages leave a row with an empty number cell"
    );
}

#[test]
fn cid_fonts_decode_vietnamese() {
    let bytes =
        std::fs::read(root().join("fixtures/pdf/cairo/000_9b75833fe1e96175.pdf")).expect("fixture");
    let doc = kehoach_read_pdf::read(&bytes).expect("reads");
    let text: String = doc
        .blocks()
        .filter_map(|b| match b {
            kehoach_doc::Block::Paragraph(p) => Some(p.text.clone()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.contains("Thực hiện kiểm soát thủ tục hành chính"),
        "{}",
        &text[..text.len().min(400)]
    );
    assert!(!text.contains('\u{FFFD}'));
}
