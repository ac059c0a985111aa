//! The plan record contract, `kehoach/plan@1`.
//!
//! [`Plan`] is what `kehoach extract --json` prints, what the index stores
//! and what `diff` compares. Field names and meanings follow
//! `PLAN_JSON.md`; see the crate README for the mapping. The modules
//! [`due`], [`target`], [`units`] and [`date`] turn cell text into the
//! structured fields of a [`Task`].

pub mod agreement;
pub mod date;
pub mod due;
pub mod refs;
pub mod target;
pub mod units;

pub use refs::{Achieved, Planned, Reference, Relation, ResultRecord};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The schema tag every plan carries.
pub const SCHEMA: &str = "kehoach/plan@1";

/// One extracted plan document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Where the plan came from.
    pub source: Source,
    /// Header metadata.
    pub meta: Meta,
    /// One record per logical appendix row, in document order.
    pub tasks: Vec<Task>,
    /// Problems found while extracting.
    pub warnings: Vec<Warning>,
}

/// The input file of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// The path as given on the command line (or the archive entry name).
    pub path: String,
    /// Lower-case hex SHA-256 of the input bytes.
    pub sha256: String,
    /// Which reader produced the text.
    pub format: Format,
    /// Physical pages where the format has them.
    pub pages: Option<u32>,
}

/// The input format, as the contract names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Text, markdown or HTML export.
    Text,
    /// Word document.
    Docx,
    /// PDF with a text layer.
    Pdf,
    /// Text recognised from images.
    Ocr,
}

impl Format {
    /// The contract name (`text`, `docx`, `pdf`, `ocr`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Docx => "docx",
            Format::Pdf => "pdf",
            Format::Ocr => "ocr",
        }
    }
}

/// Plan header metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Meta {
    /// The document kind: `KH` (plan), `QĐ` (decision), `NQ`, `CTr`, `BC`,
    /// `TB`, `CT`, `ĐA`; from the number (`2597/QĐ-TTg` → `QĐ`), else the title word.
    #[serde(default)]
    pub doc_type: Option<String>,
    /// `"37/KH-UBND"`; the appendix caption's number when the header leaves it blank.
    pub number: Option<String>,
    /// The part after `KH-` in the number (`UBND`, `SYT`).
    pub issuer_code: Option<String>,
    /// The issuing body (`UBND xã An Dương`, `Sở Y tế`).
    pub issuer: Option<String>,
    /// The place before `, ngày` in the date line.
    pub place: Option<String>,
    /// ISO date of issue; `None` when the day or month is blank.
    pub date: Option<String>,
    /// The date line as printed.
    pub date_raw: Option<String>,
    /// The year the plan covers.
    pub year: Option<i32>,
    /// The plan's title (the line after `KẾ HOẠCH`).
    pub title: Option<String>,
    /// Who signed it.
    pub signer: Option<Signer>,
    /// The documents the preamble says the plan implements or is based on,
    /// in order (`Căn cứ …`, `Thực hiện …`, up to the first heading).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub basis: Vec<Reference>,
    /// A report's figures against its plan: one record per row of a table
    /// with planned and achieved columns (such rows are not tasks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<ResultRecord>,
}

/// The signer of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Signer {
    /// Person's name.
    pub name: Option<String>,
    /// Position (`CHỦ TỊCH`, `PHÓ GIÁM ĐỐC`).
    pub position: Option<String>,
}

/// One logical row of the appendix table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Task {
    /// 1-based order within the appendix.
    pub seq: u32,
    /// The number cell as printed, trimmed, trailing `.` removed.
    pub number: Option<String>,
    /// The Roman-numeral section the row belongs to.
    pub section: Option<String>,
    /// 0 for a section row, 1 for `2`, 2 for `2.1`, …
    pub level: u32,
    /// `seq` of the nearest enclosing row.
    pub parent: Option<u32>,
    /// The task text.
    pub content: Option<String>,
    /// The lead (chủ trì / thực hiện) column.
    pub lead: Option<String>,
    /// The coordinating (phối hợp) column.
    pub support: Option<String>,
    /// The deadline column as printed.
    pub deadline: Option<String>,
    /// The expected product / result column.
    pub product: Option<String>,
    /// `lead` split on `;`.
    pub lead_units: Vec<String>,
    /// `support` split on `;`.
    pub support_units: Vec<String>,
    /// The parsed deadline.
    pub due: Option<Due>,
    /// Numeric goals found in content and product.
    pub targets: Vec<Target>,
    /// Columns the contract does not name, by their header text.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "extra_without_nulls"
    )]
    pub extra: BTreeMap<String, String>,
    /// The caption of the row's table as printed (`"Phụ lục I"`), or `None`
    /// for a table in the body of the document.
    #[serde(default)]
    pub appendix: Option<String>,
    /// Where the row starts.
    pub source: TaskSource,
    /// Mean recognition confidence of the row's cells (OCR only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// Documents the task's text cites (no `relation`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<Reference>,
}

/// Reads `extra`, dropping columns whose value is `null` (empty cells).
fn extra_without_nulls<'de, D>(de: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw: Option<BTreeMap<String, Option<String>>> = Option::deserialize(de)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect())
}

impl Task {
    /// Whether the record is a heading: no lead, support, deadline or product.
    pub fn is_heading(&self) -> bool {
        self.lead.is_none()
            && self.support.is_none()
            && self.deadline.is_none()
            && self.product.is_none()
    }
}

/// Where a task row starts in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TaskSource {
    /// Physical page, where the format has pages.
    pub page: Option<u32>,
    /// Line, for text formats.
    pub line: Option<u32>,
}

/// A parsed deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Due {
    /// What kind of deadline the text states.
    pub kind: DueKind,
    /// The last day the text allows (ISO), if it names one.
    pub by: Option<String>,
    /// For `months`: each month's last day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates: Option<Vec<String>>,
    /// For `periodic`: how often.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<Every>,
}

/// Deadline kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DueKind {
    /// `Trước ngày 25/01/2024`.
    Date,
    /// `Tháng 7/2024`.
    Month,
    /// `Tháng 3, 6, 9, 12/2024`.
    Months,
    /// `Quý II/2020`.
    Quarter,
    /// `Năm 2025`.
    Year,
    /// `Thường xuyên`.
    Continuous,
    /// `Hàng tháng`.
    Periodic,
    /// `Khi có phát sinh`, `Theo kế hoạch riêng`, …
    Conditional,
}

impl DueKind {
    /// The contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            DueKind::Date => "date",
            DueKind::Month => "month",
            DueKind::Months => "months",
            DueKind::Quarter => "quarter",
            DueKind::Year => "year",
            DueKind::Continuous => "continuous",
            DueKind::Periodic => "periodic",
            DueKind::Conditional => "conditional",
        }
    }
}

/// How often a periodic deadline recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Every {
    /// Monthly.
    Month,
    /// Quarterly.
    Quarter,
    /// Half-yearly.
    #[serde(rename = "half_year")]
    HalfYear,
    /// Yearly.
    Year,
    /// Weekly.
    Week,
}

/// A numeric goal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The phrase the number measures, without comparator words.
    pub metric: String,
    /// The comparator.
    pub op: Op,
    /// The number (`99,5%` → 99.5).
    pub value: f64,
    /// The unit (`%`).
    pub unit: String,
    /// The text the target was read from (`đạt tối thiểu 90%`).
    pub text: String,
}

/// Target comparators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Op {
    /// `trên N%`.
    #[serde(rename = ">")]
    Gt,
    /// `tối thiểu`, `ít nhất`, `từ N% trở lên`, `không dưới`, `đạt N%`.
    #[serde(rename = ">=")]
    Ge,
    /// `100%`, `đạt 100%`.
    #[serde(rename = "=")]
    Eq,
    /// `dưới`.
    #[serde(rename = "<")]
    Lt,
    /// `tối đa`, `không quá`.
    #[serde(rename = "<=")]
    Le,
}

impl Op {
    /// The contract symbol.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "=",
            Op::Lt => "<",
            Op::Le => "<=",
        }
    }
}

/// A problem found while extracting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// Contract warning code.
    pub code: WarningCode,
    /// What happened, for people.
    pub message: String,
    /// The task it concerns, if any.
    pub seq: Option<u32>,
}

/// The warning codes of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// A deadline or caption year disagrees with `meta.year`.
    YearMismatch,
    /// The appendix caption's number/date differs from the plan's.
    CaptionMismatch,
    /// A missing or repeated number in a sequence.
    NumberGap,
    /// A row with an empty number cell kept as its own record.
    UnnumberedRow,
    /// No appendix table was found.
    NoAppendix,
    /// A fused cell was split.
    FusedCell,
    /// OCR confidence is low.
    OcrLowConfidence,
    /// Text was converted from a legacy 8-bit encoding.
    LegacyEncoding,
    /// Reader warning (added in this version, not in the original list):
    /// invalid UTF-8 bytes were replaced.
    InvalidUtf8,
    /// Reader warning: PDF pages without a text layer (scanned pages).
    NoTextLayer,
    /// Reader warning: a PDF content stream could not be read completely.
    PdfContent,
    /// Reader warning: a scanned page was rotated or upside down and was turned.
    OcrPageRotated,
    /// Reader note: a scanned page is blank (or only shows through from the
    /// back) and was skipped.
    BlankPage,
    /// Reader warning: a PDF text layer does not decode to Vietnamese text
    /// (fonts mapped to the wrong characters); its pages were read by OCR.
    PdfTextGarbled,
    /// A result's printed assessment (`Đạt`, `Chưa đạt`) disagrees with its
    /// planned and achieved figures.
    AssessmentMismatch,
}

impl WarningCode {
    /// Parses a contract code (`"year_mismatch"`).
    pub fn parse(code: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(code.to_string())).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gold_files_round_trip() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/gold");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).expect("fixtures/gold exists") {
            let path = entry.expect("dir entry").path();
            let text = std::fs::read_to_string(&path).expect("readable");
            let plan: Plan = serde_json::from_str(&text).expect("gold parses as Plan");
            assert_eq!(plan.schema, SCHEMA);
            let back: serde_json::Value = serde_json::to_value(&plan).expect("serialises");
            let orig: serde_json::Value = serde_json::from_str(&text).expect("json");
            assert_eq!(
                back["tasks"].as_array().map(Vec::len),
                orig["tasks"].as_array().map(Vec::len)
            );
            assert_eq!(back["meta"], orig["meta"]);
            n += 1;
        }
        assert_eq!(n, 5);
        let real = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/real/gold");
        let mut m = 0;
        for entry in std::fs::read_dir(real).expect("fixtures/real exists") {
            let path = entry.expect("dir entry").path();
            if !path.to_string_lossy().ends_with(".json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable");
            let plan: Plan = serde_json::from_str(&text).expect("real gold parses as Plan");
            let orig: serde_json::Value = serde_json::from_str(&text).expect("json");
            let back: serde_json::Value = serde_json::to_value(&plan).expect("serialises");
            assert_eq!(back["meta"]["doc_type"], orig["meta"]["doc_type"]);
            m += 1;
        }
        assert_eq!(m, 13);
    }

    #[test]
    fn warning_codes_parse() {
        assert_eq!(
            WarningCode::parse("no_appendix"),
            Some(WarningCode::NoAppendix)
        );
        assert_eq!(WarningCode::parse("nope"), None);
        assert_eq!(
            WarningCode::parse("no_text_layer"),
            Some(WarningCode::NoTextLayer)
        );
        assert_eq!(
            WarningCode::parse("ocr_page_rotated"),
            Some(WarningCode::OcrPageRotated)
        );
    }
}
