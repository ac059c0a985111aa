//! Request parameters: parsing and bounds.

use kehoach_index::SearchRequest;
use serde::Deserialize;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Longest filter value (issuer, lead unit, place, …) accepted, in characters.
pub const MAX_FILTER_CHARS: usize = 200;
/// Most hits one request returns.
pub const MAX_LIMIT: usize = 100;
/// Most hits one request may skip (deep paging costs as much as the hits skipped).
pub const MAX_OFFSET: usize = 10_000;
/// Most matching tasks a target timeline reads; more must be narrowed first.
pub const MAX_TARGET_TASKS: u64 = 50_000;

/// Hits per page of the search page.
pub const PAGE_SIZE: usize = 20;

/// A request the server refuses, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRequest(pub String);

/// The search parameters of `/` and `/api/search` (the CLI's flags, plus `place` and `page`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchParams {
    /// The query.
    pub q: Option<String>,
    /// `2024` or `2020..2025`.
    pub year: Option<String>,
    /// Issuer words or code.
    pub issuer: Option<String>,
    /// Lead unit words.
    pub lead: Option<String>,
    /// A place (exact facet value).
    pub place: Option<String>,
    /// Deadline kind.
    pub kind: Option<String>,
    /// Deadline on or before (YYYY-MM-DD).
    #[serde(alias = "due-before")]
    pub due_before: Option<String>,
    /// Hits to return.
    pub limit: Option<String>,
    /// Hits to skip.
    pub offset: Option<String>,
    /// 1-based page (pages only).
    pub page: Option<String>,
    /// Whether to count facets (API only; pages always do).
    pub facets: Option<String>,
    /// Whether to count every match (`1`); by default the count is exact up
    /// to [`kehoach_index::TOTAL_CAP`], then a lower bound.
    pub exact_total: Option<String>,
}

/// The filter names of [`SearchParams`], in URL order.
pub const FILTERS: &[&str] = &["year", "issuer", "place", "lead", "kind", "due_before"];

impl SearchParams {
    /// The query, trimmed ("" when absent).
    pub fn query(&self) -> &str {
        self.q.as_deref().map_or("", str::trim)
    }

    /// The value of filter `name`, when set and not blank.
    pub fn filter(&self, name: &str) -> Option<&str> {
        let v = match name {
            "year" => &self.year,
            "issuer" => &self.issuer,
            "place" => &self.place,
            "lead" => &self.lead,
            "kind" => &self.kind,
            "due_before" => &self.due_before,
            _ => &None,
        };
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    /// The active filters as (name, value) pairs, in [`FILTERS`] order.
    pub fn active_filters(&self) -> Vec<(&'static str, &str)> {
        FILTERS
            .iter()
            .filter_map(|name| self.filter(name).map(|v| (*name, v)))
            .collect()
    }

    /// The 1-based page (pages), at least 1.
    pub fn page(&self) -> Result<usize, BadRequest> {
        match self
            .page
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(1),
            Some(s) => s
                .parse::<usize>()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(|| BadRequest(format!("page {s:?} is not a page number"))),
        }
    }

    /// The library request: bounds checked, filters parsed.
    ///
    /// `default_limit` applies when `limit` is absent; `paged` reads `page`
    /// (pages) instead of `offset` (API).
    pub fn request(
        &self,
        default_limit: usize,
        paged: bool,
        facets: bool,
        snippet_chars: usize,
    ) -> Result<SearchRequest, BadRequest> {
        let query = self.query();
        check_len("q", query, MAX_QUERY_CHARS)?;
        for name in FILTERS {
            if let Some(v) = self.filter(name) {
                check_len(name, v, MAX_FILTER_CHARS)?;
            }
        }
        let limit = match number(self.limit.as_deref(), "limit")? {
            None => default_limit,
            Some(0) => return Err(BadRequest("limit must be at least 1".into())),
            Some(n) if n > MAX_LIMIT => {
                return Err(BadRequest(format!("limit must be at most {MAX_LIMIT}")))
            }
            Some(n) => n,
        };
        let offset = if paged {
            (self.page()? - 1).saturating_mul(limit)
        } else {
            number(self.offset.as_deref(), "offset")?.unwrap_or(0)
        };
        if offset > MAX_OFFSET {
            return Err(BadRequest(format!(
                "results past the first {MAX_OFFSET} are not served; narrow the search"
            )));
        }
        let years = self.filter("year").map(parse_years).transpose()?;
        Ok(SearchRequest {
            query: query.to_string(),
            years,
            issuer: self.filter("issuer").map(str::to_string),
            lead: self.filter("lead").map(str::to_string),
            due_before: self.filter("due_before").map(str::to_string),
            kind: self.filter("kind").map(str::to_string),
            place: self.filter("place").map(str::to_string),
            limit,
            offset,
            facets,
            snippet_chars,
        })
    }

    /// Whether `exact_total` asks for a full count (`1`, `true`, `yes`, or present and empty).
    pub fn wants_exact_total(&self) -> bool {
        self.exact_total
            .as_deref()
            .is_some_and(|v| matches!(v.trim(), "" | "1" | "true" | "yes" | "on"))
    }

    /// Whether `facets` asks for facet counts (`1`, `true`, `yes`, or present and empty).
    pub fn wants_facets(&self) -> bool {
        self.facets
            .as_deref()
            .is_some_and(|v| matches!(v.trim(), "" | "1" | "true" | "yes" | "on"))
    }
}

/// Refuses `value` when longer than `max` characters.
pub fn check_len(name: &str, value: &str, max: usize) -> Result<(), BadRequest> {
    if value.chars().count() > max {
        Err(BadRequest(format!(
            "{name} is longer than {max} characters"
        )))
    } else {
        Ok(())
    }
}

fn number(v: Option<&str>, name: &str) -> Result<Option<usize>, BadRequest> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<usize>()
            .map(Some)
            .map_err(|_| BadRequest(format!("{name} {s:?} is not a whole number"))),
    }
}

/// Parses `2024` or `2020..2025` (also `2020-2025`), as `kehoach search --year` does.
pub fn parse_years(s: &str) -> Result<(i32, i32), BadRequest> {
    let s = s.trim();
    let (a, b) = match s.split_once("..").or_else(|| s.split_once('-')) {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (s, s),
    };
    let bad = || BadRequest(format!("year {s:?}: expected YEAR or YEAR..YEAR"));
    let a: i32 = a.parse().map_err(|_| bad())?;
    let b: i32 = b.parse().map_err(|_| bad())?;
    if a > b {
        return Err(BadRequest(format!("year {s:?}: the range is empty")));
    }
    Ok((a, b))
}

/// The parameters of `/compare` and `/api/diff`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DiffParams {
    /// The old plan's id (or a unique prefix of it).
    pub a: Option<String>,
    /// The new plan's id (or a unique prefix of it).
    pub b: Option<String>,
    /// Also list unchanged aligned tasks.
    pub all: Option<String>,
}

impl DiffParams {
    /// Whether `all` is set.
    pub fn all(&self) -> bool {
        self.all
            .as_deref()
            .is_some_and(|v| matches!(v.trim(), "" | "1" | "true" | "yes" | "on"))
    }
}

/// The parameters of `/targets`, `/chart.svg` and `/api/targets`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TargetParams {
    /// Words the metric must contain.
    pub q: Option<String>,
    /// `2024` or `2020..2025`.
    pub year: Option<String>,
    /// Issuer words or code.
    pub issuer: Option<String>,
    /// Lead unit words.
    pub lead: Option<String>,
    /// Deadline kind.
    pub kind: Option<String>,
    /// Deadline on or before.
    #[serde(alias = "due-before")]
    pub due_before: Option<String>,
    /// `1`: follow each target down the plans implementing its plan.
    pub cascade: Option<String>,
    /// With `cascade`: levels followed down (1 to 10, 3 by default).
    pub depth: Option<u32>,
}

impl TargetParams {
    /// Whether the cascade was asked for (`cascade=1`, `on`, `true`).
    pub fn cascade(&self) -> bool {
        matches!(
            self.cascade.as_deref().map(str::trim),
            Some("1" | "on" | "true" | "yes")
        )
    }

    /// The cascade depth, bounded.
    pub fn depth(&self) -> u32 {
        self.depth.unwrap_or(3).clamp(1, 10)
    }

    /// The query, trimmed.
    pub fn query(&self) -> &str {
        self.q.as_deref().map_or("", str::trim)
    }

    /// The same filters as search parameters (for the library request).
    pub fn as_search(&self) -> SearchParams {
        SearchParams {
            q: Some(self.query().replace('"', " ")),
            year: self.year.clone(),
            issuer: self.issuer.clone(),
            lead: self.lead.clone(),
            kind: self.kind.clone(),
            due_before: self.due_before.clone(),
            ..Default::default()
        }
    }
}

/// Whether `key` can be a plan id or id prefix: 4 to 16 hex digits.
pub fn is_plan_key(key: &str) -> bool {
    (4..=16).contains(&key.len()) && key.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> SearchParams {
        let mut p = SearchParams::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "q" => p.q = v,
                "year" => p.year = v,
                "limit" => p.limit = v,
                "offset" => p.offset = v,
                "page" => p.page = v,
                "place" => p.place = v,
                _ => {}
            }
        }
        p
    }

    #[test]
    fn bounds_are_enforced() {
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        assert!(params(&[("q", &long)])
            .request(10, false, false, 200)
            .is_err());
        assert!(params(&[("limit", "101")])
            .request(10, false, false, 200)
            .is_err());
        assert!(params(&[("limit", "0")])
            .request(10, false, false, 200)
            .is_err());
        assert!(params(&[("limit", "-1")])
            .request(10, false, false, 200)
            .is_err());
        assert!(params(&[("offset", "10001")])
            .request(10, false, false, 200)
            .is_err());
        assert!(params(&[("page", "0")])
            .request(10, true, false, 200)
            .is_err());
        assert!(params(&[("page", "99999999999999999999")])
            .request(10, true, false, 200)
            .is_err());
        assert!(params(&[("page", "600")])
            .request(20, true, false, 200)
            .is_err());
        let ok = params(&[("q", " hồ sơ "), ("page", "3"), ("year", "2020..2024")])
            .request(20, true, true, 200)
            .unwrap_or_default();
        assert_eq!(ok.query, "hồ sơ");
        assert_eq!(ok.offset, 40);
        assert_eq!(ok.years, Some((2020, 2024)));
    }

    #[test]
    fn years_and_keys() {
        assert_eq!(parse_years("2024"), Ok((2024, 2024)));
        assert_eq!(parse_years("2020-2025"), Ok((2020, 2025)));
        assert!(parse_years("2025..2020").is_err());
        assert!(is_plan_key("39456b49d95a0e63"));
        assert!(is_plan_key("3945"));
        assert!(!is_plan_key("../etc/passwd"));
        assert!(!is_plan_key("394"));
    }

    #[test]
    fn blank_filters_are_absent() {
        let p = params(&[("place", "  ")]);
        assert!(p.active_filters().is_empty());
    }
}
