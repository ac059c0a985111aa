//! Plans in context: the documents a plan cites, resolved to imported plans,
//! and the imported plans that cite it.
//!
//! A plan's preamble cites what it carries out (`meta.basis`, see the record
//! contract). [`Resolver`] finds the imported plan a citation names, the
//! same way for every [`PlanStore`]:
//!
//! * numbers are compared by [`number_key`] (case-insensitive, `Đ` = `D`,
//!   spaces removed);
//! * one imported plan with the number: that plan (unless both the cited
//!   date and the cited issuer contradict it);
//! * several (every district has a `15/KH-UBND`): those of the cited date,
//!   then those whose issuer agrees with the cited one ([`issuer_matches`]);
//!   exactly one left resolves, more are [`Status::Ambiguous`];
//! * a citation without number (a draft's blank `số   /KH-UBND`) resolves to
//!   the one imported plan without number of the same kind, issuer and year
//!   whose title holds the words the citation names it by.
//!
//! "What implements X" is every imported plan whose basis resolves to X;
//! [`links`] follows both directions, level by level, up to a depth, never
//! visiting a plan twice.

use crate::backend::PlanStore;
use crate::error::Result;
use crate::store::PlanSummary;
use kehoach_plan::{Reference, Relation};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The key numbers are matched by: folded (lower case, no diacritics, `đ` →
/// `d`), white space removed, then upper case.
///
/// ```
/// use kehoach_index::links::number_key;
/// assert_eq!(number_key("15/KH- UBND"), "15/KH-UBND");
/// assert_eq!(number_key("45/2020/nđ-cp"), number_key("45/2020/ND-CP"));
/// ```
pub fn number_key(number: &str) -> String {
    kehoach_text::fold(number)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

/// The key of a number that names a document, `None` for a blank one (no
/// digit before the first `/`, as in a draft's `   /KH-UBND`).
pub fn number_key_of(number: Option<&str>) -> Option<String> {
    let key = number_key(number?);
    let head = key.split('/').next().unwrap_or("");
    head.chars().any(|c| c.is_ascii_digit()).then_some(key)
}

/// Leading capacities an issuer may be cited with (`Chủ tịch UBND huyện …`),
/// folded; dropped before comparing.
const CAPACITIES: &[&str] = &[
    "pho chu tich",
    "chu tich",
    "thuong truc",
    "pho giam doc",
    "giam doc",
    "pho truong ban",
    "truong ban",
    "bi thu",
];

/// Long names shortened as plans print them in their headers.
const SHORT_NAMES: &[(&str, &str)] = &[
    ("uy ban nhan dan", "ubnd"),
    ("hoi dong nhan dan", "hdnd"),
    ("to chuc chinh tri xa hoi", "tcctxh"),
];

/// The folded words of an issuer, long body names shortened (`Ủy ban nhân
/// dân` → `ubnd`) and a leading capacity (`Chủ tịch`) dropped.
pub fn issuer_words(issuer: &str) -> Vec<String> {
    let folded = kehoach_text::fold(issuer);
    let mut text: String = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    for (long, short) in SHORT_NAMES {
        text = text.replace(long, short);
    }
    for cap in CAPACITIES {
        if let Some(rest) = text.strip_prefix(cap) {
            if rest.starts_with(' ') {
                text = rest.trim_start().to_string();
                break;
            }
        }
    }
    text.split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn contains_run(hay: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Whether a cited issuer and a plan's issuer name the same body: the words
/// of one ([`issuer_words`]) occur together in the other.
///
/// ```
/// use kehoach_index::links::issuer_matches;
/// assert!(issuer_matches("Chủ tịch UBND huyện Yên Hòa", "UBND huyện Yên Hòa"));
/// assert!(issuer_matches("Ủy ban nhân dân tỉnh", "UBND tỉnh Thanh Lâm"));
/// assert!(!issuer_matches("UBND huyện Yên Hòa", "UBND huyện Phú Bình"));
/// ```
pub fn issuer_matches(cited: &str, plan: &str) -> bool {
    let (a, b) = (issuer_words(cited), issuer_words(plan));
    contains_run(&a, &b) || contains_run(&b, &a)
}

/// How a citation stands to the imported plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// One imported plan is the cited document.
    Resolved,
    /// Several imported plans could be it; none is chosen.
    Ambiguous,
    /// No imported plan is it.
    NotImported,
}

impl Status {
    /// The name used in output (`resolved`, `ambiguous`, `not_imported`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Resolved => "resolved",
            Status::Ambiguous => "ambiguous",
            Status::NotImported => "not_imported",
        }
    }
}

/// An imported plan as links show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkedPlan {
    /// The plan id.
    pub id: String,
    /// The imported file.
    pub file_path: String,
    /// `meta.doc_type` (`KH`, `BC`).
    pub doc_type: Option<String>,
    /// `meta.number`.
    pub number: Option<String>,
    /// `meta.date`.
    pub date: Option<String>,
    /// `meta.issuer`.
    pub issuer: Option<String>,
    /// `meta.year`.
    pub year: Option<i32>,
    /// `meta.title`.
    pub title: Option<String>,
}

impl LinkedPlan {
    /// The linked view of an imported plan.
    pub fn of(p: &PlanSummary) -> LinkedPlan {
        let m = &p.head.meta;
        LinkedPlan {
            id: p.id.clone(),
            file_path: p.file_path.clone(),
            doc_type: m.doc_type.clone(),
            number: m.number.clone(),
            date: m.date.clone(),
            issuer: m.issuer.clone(),
            year: m.year,
            title: m.title.clone(),
        }
    }

    /// Whether the plan is a report (`doc_type` `BC`).
    pub fn is_report(&self) -> bool {
        self.doc_type.as_deref() == Some("BC")
    }

    /// `15/KH-UBND (2024-01-19) UBND huyện Yên Hòa`: what to call the plan.
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        parts.push(
            self.number
                .clone()
                .unwrap_or_else(|| "(no number)".to_string()),
        );
        if let Some(d) = &self.date {
            parts.push(format!("({d})"));
        }
        if let Some(i) = &self.issuer {
            parts.push(i.clone());
        }
        parts.join(" ")
    }
}

/// A citation of the plan (or of a plan it cites), resolved or not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CitedLink {
    /// 1 for the plan's own citations, 2 for those of the plans it cites, …
    pub level: u32,
    /// The id of the citing plan.
    pub from: String,
    /// The citation as extracted.
    pub reference: Reference,
    /// Whether it names an imported plan.
    pub status: Status,
    /// The imported plan it names, when resolved.
    pub plan: Option<LinkedPlan>,
    /// How many imported plans could be it (when ambiguous).
    pub candidates: usize,
}

/// An imported plan citing the plan (or a plan citing it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CitingLink {
    /// 1 for plans citing the plan itself, 2 for plans citing those, …
    pub level: u32,
    /// The id of the plan cited.
    pub to: String,
    /// The citing plan.
    pub plan: LinkedPlan,
    /// The citation in the citing plan's basis.
    pub reference: Reference,
}

/// A plan in context: what it cites and what cites it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Links {
    /// The plan.
    pub plan: LinkedPlan,
    /// The levels followed in each direction.
    pub depth: u32,
    /// The plan's basis, each citation resolved or not, then (level 2 and
    /// deeper) the basis of the plans resolved, depth first in document order.
    pub implements: Vec<CitedLink>,
    /// Imported plans (not reports) whose basis resolves to the plan, then
    /// those citing them, depth first, ordered by file path on each level.
    pub implemented_by: Vec<CitingLink>,
    /// Imported reports (`doc_type` `BC`) whose basis resolves to the plan or
    /// to one of the plans implementing it.
    pub reports: Vec<CitingLink>,
}

/// What a citation resolves to.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// Resolved, ambiguous or not imported.
    pub status: Status,
    /// The plan, when resolved.
    pub plan: Option<PlanSummary>,
    /// The plans it could be (when ambiguous).
    pub candidates: usize,
}

impl Resolution {
    fn none() -> Resolution {
        Resolution {
            status: Status::NotImported,
            plan: None,
            candidates: 0,
        }
    }
}

/// Resolves citations against a store, remembering the look-ups it made.
pub struct Resolver<'a> {
    store: &'a dyn PlanStore,
    by_number: HashMap<String, Vec<PlanSummary>>,
    blank: Option<Vec<PlanSummary>>,
}

impl std::fmt::Debug for Resolver<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver").finish_non_exhaustive()
    }
}

/// The year a citation names: its date's, else a year printed in its text.
fn cited_year(r: &Reference) -> Option<i32> {
    if let Some(y) = r.date.as_deref().and_then(|d| d.get(..4)?.parse().ok()) {
        return Some(y);
    }
    r.text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .filter_map(|w| w.parse::<i32>().ok())
        .find(|y| (1945..=2100).contains(y))
}

fn plan_year(p: &PlanSummary) -> Option<i32> {
    let m = &p.head.meta;
    m.year
        .or_else(|| m.date.as_deref().and_then(|d| d.get(..4)?.parse().ok()))
}

/// The folded words a numberless citation names its document by: between
/// the kind word and `ngày`/`của`, without the kind word itself (`số` is
/// kept: a blank number leaves it alone, and `chuyển đổi số` needs it).
fn name_words(r: &Reference) -> Vec<String> {
    let folded = kehoach_text::fold(&r.text);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let stop = words
        .iter()
        .position(|w| matches!(*w, "ngay" | "cua"))
        .unwrap_or(words.len());
    // The kind word is one or two words (`Kế hoạch`, `Quyết định`).
    let skip = match words.first() {
        Some(&"luat") => 1,
        _ => 2,
    };
    words[skip.min(stop)..stop]
        .iter()
        .filter(|w| w.len() > 1 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(|w| (*w).to_string())
        .collect()
}

impl<'a> Resolver<'a> {
    /// A resolver reading `store`.
    pub fn new(store: &'a dyn PlanStore) -> Resolver<'a> {
        Resolver {
            store,
            by_number: HashMap::new(),
            blank: None,
        }
    }

    fn numbered(&mut self, key: &str) -> Result<&[PlanSummary]> {
        if !self.by_number.contains_key(key) {
            let found = self.store.plans_numbered(key)?;
            self.by_number.insert(key.to_string(), found);
        }
        Ok(self.by_number.get(key).map_or(&[], Vec::as_slice))
    }

    fn blank(&mut self) -> Result<&[PlanSummary]> {
        if self.blank.is_none() {
            let all = self.store.plans()?;
            self.blank = Some(
                all.into_iter()
                    .filter(|p| number_key_of(p.head.meta.number.as_deref()).is_none())
                    .collect(),
            );
        }
        Ok(self.blank.as_deref().unwrap_or(&[]))
    }

    /// Resolves `r`, cited by the plan `citing` (never resolved to itself).
    pub fn resolve(&mut self, r: &Reference, citing: &str) -> Result<Resolution> {
        match number_key_of(r.number.as_deref()) {
            Some(key) => {
                let found: Vec<PlanSummary> = self
                    .numbered(&key)?
                    .iter()
                    .filter(|p| p.id != citing)
                    .cloned()
                    .collect();
                Ok(narrow(r, found))
            }
            None => self.resolve_blank(r, citing),
        }
    }

    fn resolve_blank(&mut self, r: &Reference, citing: &str) -> Result<Resolution> {
        let (Some(issuer), Some(year)) = (r.issuer.as_deref(), cited_year(r)) else {
            return Ok(Resolution::none());
        };
        let words = name_words(r);
        let found: Vec<PlanSummary> = self
            .blank()?
            .iter()
            .filter(|p| p.id != citing)
            .filter(|p| match (&r.doc_type, &p.head.meta.doc_type) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            })
            .filter(|p| plan_year(p) == Some(year))
            .filter(|p| {
                p.head
                    .meta
                    .issuer
                    .as_deref()
                    .is_some_and(|i| issuer_matches(issuer, i))
            })
            .filter(|p| {
                if words.is_empty() {
                    return true;
                }
                let title = kehoach_text::fold(p.head.meta.title.as_deref().unwrap_or(""));
                let title: HashSet<&str> = title
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                let have = words.iter().filter(|w| title.contains(w.as_str())).count();
                have * 10 >= words.len() * 7
            })
            .cloned()
            .collect();
        Ok(decide(found))
    }
}

fn decide(mut found: Vec<PlanSummary>) -> Resolution {
    match found.len() {
        0 => Resolution::none(),
        1 => Resolution {
            status: Status::Resolved,
            plan: found.pop(),
            candidates: 1,
        },
        n => Resolution {
            status: Status::Ambiguous,
            plan: None,
            candidates: n,
        },
    }
}

/// Narrows the plans sharing a cited number: by date, then by issuer (a
/// step that would leave none is skipped).
fn narrow(r: &Reference, found: Vec<PlanSummary>) -> Resolution {
    let date_ok = |p: &PlanSummary| r.date.is_some() && p.head.meta.date == r.date;
    let issuer_ok = |p: &PlanSummary| match (&r.issuer, &p.head.meta.issuer) {
        (Some(a), Some(b)) => issuer_matches(a, b),
        _ => false,
    };
    if found.len() == 1 {
        let p = &found[0];
        let date_contradicts = r.date.is_some() && p.head.meta.date.is_some() && !date_ok(p);
        let issuer_contradicts =
            r.issuer.is_some() && p.head.meta.issuer.is_some() && !issuer_ok(p);
        if date_contradicts && issuer_contradicts {
            return Resolution::none();
        }
        return decide(found);
    }
    let mut set = found;
    for test in [&date_ok as &dyn Fn(&PlanSummary) -> bool, &issuer_ok] {
        if set.len() < 2 {
            break;
        }
        let kept: Vec<PlanSummary> = set.iter().filter(|p| test(p)).cloned().collect();
        if !kept.is_empty() {
            set = kept;
        }
    }
    decide(set)
}

/// The imported plans whose basis resolves to `target`, with the citation,
/// ordered by file path.
pub fn citing(
    resolver: &mut Resolver<'_>,
    target: &PlanSummary,
) -> Result<Vec<(PlanSummary, Reference)>> {
    let key = number_key_of(target.head.meta.number.as_deref());
    let candidates = match &key {
        Some(k) => resolver.store.plans_citing(k)?,
        None => resolver
            .store
            .plans()?
            .into_iter()
            .filter(|p| {
                p.head
                    .meta
                    .basis
                    .iter()
                    .any(|r| number_key_of(r.number.as_deref()).is_none())
            })
            .collect(),
    };
    let mut out = Vec::new();
    for p in candidates {
        if p.id == target.id {
            continue;
        }
        for r in &p.head.meta.basis {
            if number_key_of(r.number.as_deref()) != key {
                continue;
            }
            let res = resolver.resolve(r, &p.id)?;
            if res.plan.as_ref().is_some_and(|q| q.id == target.id) {
                out.push((p.clone(), r.clone()));
                break;
            }
        }
    }
    out.sort_by(|a, b| a.0.file_path.cmp(&b.0.file_path).then(a.0.id.cmp(&b.0.id)));
    Ok(out)
}

/// The plan `id` in context, `depth` levels each way (at least 1). `None`
/// when no such plan is imported.
pub fn links(store: &dyn PlanStore, id: &str, depth: u32) -> Result<Option<Links>> {
    let Some(root) = store.summary(id)? else {
        return Ok(None);
    };
    let depth = depth.max(1);
    let mut resolver = Resolver::new(store);

    let mut implements = Vec::new();
    let mut seen: HashSet<String> = HashSet::from([root.id.clone()]);
    up(&mut resolver, &root, 1, depth, &mut seen, &mut implements)?;

    let mut implemented_by = Vec::new();
    let mut reports = Vec::new();
    let mut seen: HashSet<String> = HashSet::from([root.id.clone()]);
    down(
        &mut resolver,
        &root,
        1,
        depth,
        &mut seen,
        &mut implemented_by,
        &mut reports,
    )?;
    Ok(Some(Links {
        plan: LinkedPlan::of(&root),
        depth,
        implements,
        implemented_by,
        reports,
    }))
}

fn up(
    resolver: &mut Resolver<'_>,
    plan: &PlanSummary,
    level: u32,
    depth: u32,
    seen: &mut HashSet<String>,
    out: &mut Vec<CitedLink>,
) -> Result<()> {
    for r in &plan.head.meta.basis {
        let res = resolver.resolve(r, &plan.id)?;
        out.push(CitedLink {
            level,
            from: plan.id.clone(),
            reference: r.clone(),
            status: res.status,
            plan: res.plan.as_ref().map(LinkedPlan::of),
            candidates: res.candidates,
        });
        if let Some(p) = res.plan {
            if level < depth && seen.insert(p.id.clone()) {
                up(resolver, &p, level + 1, depth, seen, out)?;
            }
        }
    }
    Ok(())
}

fn down(
    resolver: &mut Resolver<'_>,
    plan: &PlanSummary,
    level: u32,
    depth: u32,
    seen: &mut HashSet<String>,
    out: &mut Vec<CitingLink>,
    reports: &mut Vec<CitingLink>,
) -> Result<()> {
    for (p, reference) in citing(resolver, plan)? {
        if !seen.insert(p.id.clone()) {
            continue;
        }
        let link = CitingLink {
            level,
            to: plan.id.clone(),
            plan: LinkedPlan::of(&p),
            reference,
        };
        if link.plan.is_report() {
            reports.push(link);
            continue;
        }
        out.push(link);
        if level < depth {
            down(resolver, &p, level + 1, depth, seen, out, reports)?;
        }
    }
    Ok(())
}

/// Whether a basis citation is one the plan carries out (`implements`) —
/// the relation followed by target cascades.
pub fn is_implementation(r: &Reference) -> bool {
    r.relation != Some(Relation::BasedOn)
}

/// The numbers of `refs` as [`number_key`]s, each once, in order (blank
/// numbers left out).
pub fn cited_keys<'a>(refs: impl IntoIterator<Item = &'a Reference>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in refs {
        if let Some(k) = number_key_of(r.number.as_deref()) {
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    out
}

/// The plans of `plans` whose number has the key `key`.
pub fn scan_numbered(plans: Vec<PlanSummary>, key: &str) -> Vec<PlanSummary> {
    plans
        .into_iter()
        .filter(|p| number_key_of(p.head.meta.number.as_deref()).as_deref() == Some(key))
        .collect()
}

/// The plans of `plans` whose basis cites a number with the key `key`.
pub fn scan_citing(plans: Vec<PlanSummary>, key: &str) -> Vec<PlanSummary> {
    plans
        .into_iter()
        .filter(|p| cited_keys(&p.head.meta.basis).iter().any(|k| k == key))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_case_d_and_spaces() {
        assert_eq!(number_key("15/kh- ubnd"), "15/KH-UBND");
        assert_eq!(number_key("61/2018/NĐ-CP"), "61/2018/ND-CP");
        assert_eq!(number_key_of(Some("  /KH-UBND")), None);
        assert_eq!(number_key_of(Some("…/KH-UBND")), None);
        assert_eq!(number_key_of(None), None);
        assert_eq!(
            number_key_of(Some("140-KH/HU")).as_deref(),
            Some("140-KH/HU")
        );
    }

    #[test]
    fn issuers_compare_without_capacity_and_long_names() {
        assert_eq!(
            issuer_words("Chủ tịch Ủy ban nhân dân huyện Yên Hòa"),
            ["ubnd", "huyen", "yen", "hoa"]
        );
        assert!(issuer_matches(
            "Ủy ban nhân dân tỉnh Thanh Lâm",
            "UBND tỉnh Thanh Lâm"
        ));
        assert!(issuer_matches("UBND huyện", "UBND huyện Yên Hòa"));
        assert!(!issuer_matches("UBND huyện Yên Hòa", "UBND huyện Phú Bình"));
        assert!(!issuer_matches("", "UBND huyện Phú Bình"));
        // A capacity alone is not dropped into nothing.
        assert_eq!(issuer_words("Chủ tịch"), ["chu", "tich"]);
    }

    #[test]
    fn name_words_and_years_of_numberless_citations() {
        let r = Reference {
            doc_type: Some("KH".into()),
            issuer: Some("UBND huyện Yên Hòa".into()),
            text: "Kế hoạch chuyển đổi số năm 2024 của UBND huyện Yên Hòa".into(),
            ..Reference::default()
        };
        assert_eq!(name_words(&r), ["chuyen", "doi", "so", "nam"]);
        assert_eq!(cited_year(&r), Some(2024));
    }

    fn plan(
        number: Option<&str>,
        date: &str,
        issuer: &str,
        title: &str,
        basis: Vec<Reference>,
    ) -> kehoach_plan::Plan {
        let mut p = kehoach_plan::Plan {
            schema: kehoach_plan::SCHEMA.to_string(),
            source: kehoach_plan::Source {
                path: title.into(),
                sha256: String::new(),
                format: kehoach_plan::Format::Text,
                pages: None,
            },
            meta: kehoach_plan::Meta::default(),
            tasks: Vec::new(),
            warnings: Vec::new(),
        };
        p.meta.doc_type = Some("KH".into());
        p.meta.number = number.map(str::to_string);
        p.meta.date = Some(date.into());
        p.meta.year = date.get(..4).and_then(|y| y.parse().ok());
        p.meta.issuer = Some(issuer.into());
        p.meta.title = Some(title.into());
        p.meta.basis = basis;
        p
    }

    fn cite(number: Option<&str>, date: Option<&str>, issuer: &str, text: &str) -> Reference {
        Reference {
            relation: Some(Relation::Implements),
            doc_type: Some("KH".into()),
            number: number.map(str::to_string),
            date: date.map(str::to_string),
            issuer: Some(issuer.into()),
            text: text.into(),
        }
    }

    #[test]
    fn repeated_numbers_resolve_by_date_then_issuer() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open_or_create(dir.path()).unwrap();
        let mut w = store.writer(crate::WriterOptions::default()).unwrap();
        let sha = |n: u8| format!("{n:02x}").repeat(32);
        let yen = plan(
            Some("15/KH-UBND"),
            "2024-01-19",
            "UBND huyện Yên Hòa",
            "KSTTHC huyện",
            vec![],
        );
        let phu = plan(
            Some("15/KH-UBND"),
            "2024-01-19",
            "UBND huyện Phú Bình",
            "KSTTHC huyện",
            vec![],
        );
        let old = plan(
            Some("15/KH-UBND"),
            "2023-01-10",
            "UBND huyện Yên Hòa",
            "KSTTHC huyện",
            vec![],
        );
        let draft = plan(
            None,
            "2024-03-01",
            "UBND huyện Yên Hòa",
            "Chuyển đổi số năm 2024",
            vec![],
        );
        let commune = plan(
            Some("08/KH-UBND"),
            "2024-01-24",
            "UBND xã Tân Lập",
            "KSTTHC xã",
            vec![
                cite(
                    Some("15/KH- ubnd"),
                    Some("2024-01-19"),
                    "Chủ tịch UBND huyện Yên Hòa",
                    "Kế hoạch số 15/KH-UBND",
                ),
                cite(
                    None,
                    None,
                    "UBND huyện Yên Hòa",
                    "Kế hoạch chuyển đổi số năm 2024 của UBND huyện Yên Hòa",
                ),
                cite(
                    Some("15/KH-UBND"),
                    None,
                    "UBND huyện",
                    "Kế hoạch số 15/KH-UBND của UBND huyện",
                ),
                cite(
                    Some("99/KH-UBND"),
                    None,
                    "UBND tỉnh",
                    "Kế hoạch số 99/KH-UBND",
                ),
            ],
        );
        let ids: Vec<String> = [&yen, &phu, &old, &draft, &commune]
            .iter()
            .enumerate()
            .map(|(i, p)| {
                w.add_plan(&format!("p{i}.txt"), &sha(i as u8 + 1), p)
                    .unwrap()
            })
            .collect();
        w.finish().unwrap();
        store.reload().unwrap();

        let mut r = Resolver::new(&store);
        let c = &commune.meta.basis;
        let got = r.resolve(&c[0], &ids[4]).unwrap();
        assert_eq!(got.status, Status::Resolved);
        assert_eq!(got.plan.unwrap().id, ids[0]);
        let got = r.resolve(&c[1], &ids[4]).unwrap();
        assert_eq!(got.plan.map(|p| p.id), Some(ids[3].clone()));
        let got = r.resolve(&c[2], &ids[4]).unwrap();
        assert_eq!((got.status, got.candidates), (Status::Ambiguous, 3));
        assert_eq!(
            r.resolve(&c[3], &ids[4]).unwrap().status,
            Status::NotImported
        );

        let l = links(&store, &ids[0], 3).unwrap().unwrap();
        assert!(l.implements.is_empty());
        let by: Vec<&str> = l
            .implemented_by
            .iter()
            .map(|x| x.plan.id.as_str())
            .collect();
        assert_eq!(by, [ids[4].as_str()]);
        let l = links(&store, &ids[1], 3).unwrap().unwrap();
        assert!(l.implemented_by.is_empty());
        let l = links(&store, &ids[3], 3).unwrap().unwrap();
        assert_eq!(l.implemented_by.len(), 1);
        let l = links(&store, &ids[4], 3).unwrap().unwrap();
        let st: Vec<Status> = l.implements.iter().map(|x| x.status).collect();
        assert_eq!(
            st,
            [
                Status::Resolved,
                Status::Resolved,
                Status::Ambiguous,
                Status::NotImported
            ]
        );
        // The same answers through the scanning defaults of the interface.
        assert_eq!(
            scan_numbered(store.plans().unwrap(), "15/KH-UBND").len(),
            store.plans_numbered("15/KH-UBND").unwrap().len()
        );
        assert_eq!(
            scan_citing(store.plans().unwrap(), "15/KH-UBND"),
            store.plans_citing("15/KH-UBND").unwrap()
        );
    }

    #[test]
    fn indexes_made_before_links_open_and_scan() {
        let dir = tempfile::tempdir().unwrap();
        let idir = dir.path().join("index");
        std::fs::create_dir_all(&idir).unwrap();
        tantivy::Index::create_in_dir(&idir, crate::schema::build_with(false).0).unwrap();
        std::fs::write(dir.path().join("FORMAT"), "kehoach-index 1\n").unwrap();
        let store = crate::Store::open(dir.path()).unwrap();
        let mut w = store.writer(crate::WriterOptions::default()).unwrap();
        let p = plan(
            Some("08/KH-UBND"),
            "2024-01-24",
            "UBND xã Tân Lập",
            "KSTTHC xã",
            vec![cite(
                Some("15/KH-UBND"),
                None,
                "UBND huyện",
                "Kế hoạch số 15/KH-UBND",
            )],
        );
        w.add_plan("p.txt", &"ab".repeat(32), &p).unwrap();
        w.finish().unwrap();
        store.reload().unwrap();
        assert_eq!(store.plans_citing("15/KH-UBND").unwrap().len(), 1);
        assert_eq!(store.plans_numbered("08/KH-UBND").unwrap().len(), 1);
        let r = store.search(&crate::SearchRequest {
            query: "cites:15/KH-UBND".into(),
            ..Default::default()
        });
        assert!(matches!(r, Err(crate::Error::InvalidQuery(_))));
    }
}
