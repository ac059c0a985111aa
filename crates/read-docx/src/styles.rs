//! `word/styles.xml`: the bold and font each style gives its text.

use crate::xml::{on_off, Node};
use std::collections::HashMap;

/// Run formatting that styles can set.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RunProps {
    pub bold: Option<bool>,
    pub font: Option<String>,
    pub hidden: Option<bool>,
}

impl RunProps {
    /// Reads `w:rPr`.
    pub fn from_rpr(rpr: &Node) -> RunProps {
        let mut p = RunProps::default();
        for c in &rpr.children {
            match c.name.as_str() {
                "b" => p.bold = Some(on_off(c)),
                "vanish" => p.hidden = Some(on_off(c)),
                "rFonts" => p.font = font_of(c),
                _ => {}
            }
        }
        p
    }

    /// `self` where set, else `base`.
    pub fn over(&self, base: &RunProps) -> RunProps {
        RunProps {
            bold: self.bold.or(base.bold),
            font: self.font.clone().or_else(|| base.font.clone()),
            hidden: self.hidden.or(base.hidden),
        }
    }
}

/// The font that draws non-ASCII Latin text: `w:hAnsi`, else `w:ascii`.
fn font_of(rfonts: &Node) -> Option<String> {
    rfonts
        .attr("hAnsi")
        .or_else(|| rfonts.attr("ascii"))
        .map(str::to_string)
}

struct Style {
    based_on: Option<String>,
    props: RunProps,
    /// The list the style numbers its paragraphs in: `(numId, ilvl)`.
    num: Option<(String, Option<String>)>,
}

/// `(numId, ilvl)` of a `w:numPr`.
pub(crate) fn num_of(num_pr: &Node) -> Option<(String, Option<String>)> {
    let id = num_pr.child_val("numId")?;
    Some((id.to_string(), num_pr.child_val("ilvl").map(str::to_string)))
}

/// The styles of a document, resolved through `w:basedOn`.
#[derive(Default)]
pub(crate) struct Styles {
    styles: HashMap<String, Style>,
    defaults: RunProps,
    default_para: Option<String>,
}

impl Styles {
    /// Reads the tree of `styles.xml`.
    pub fn from_tree(root: &Node) -> Styles {
        let mut out = Styles::default();
        let Some(styles) = root.child("styles") else {
            return out;
        };
        for n in &styles.children {
            match n.name.as_str() {
                "docDefaults" => {
                    if let Some(rpr) = n.child("rPrDefault").and_then(|d| d.child("rPr")) {
                        out.defaults = RunProps::from_rpr(rpr);
                    }
                }
                "style" => {
                    let Some(id) = n.attr("styleId") else {
                        continue;
                    };
                    let props = n.child("rPr").map(RunProps::from_rpr).unwrap_or_default();
                    let based_on = n.child_val("basedOn").map(str::to_string);
                    if n.attr("type") == Some("paragraph")
                        && n.attr("default").is_some_and(|d| d == "1" || d == "true")
                    {
                        out.default_para = Some(id.to_string());
                    }
                    let num = n
                        .child("pPr")
                        .and_then(|p| p.child("numPr"))
                        .and_then(num_of);
                    out.styles.insert(
                        id.to_string(),
                        Style {
                            based_on,
                            props,
                            num,
                        },
                    );
                }
                _ => {}
            }
        }
        out
    }

    /// The properties a style gives, following `basedOn` (cycles and long chains cut).
    fn style(&self, id: &str) -> RunProps {
        let mut out = RunProps::default();
        let mut cur = Some(id);
        for _ in 0..32 {
            let Some(s) = cur.and_then(|c| self.styles.get(c)) else {
                break;
            };
            out = out.over(&s.props);
            // `over` keeps what is set: earlier (more specific) values win.
            cur = s.based_on.as_deref();
        }
        out
    }

    /// The list numbering a paragraph of style `pstyle` gets from its style
    /// (following `basedOn`): `(numId, ilvl)`.
    pub fn paragraph_num(&self, pstyle: Option<&str>) -> Option<(String, Option<String>)> {
        let mut cur = pstyle.or(self.default_para.as_deref());
        for _ in 0..32 {
            let s = cur.and_then(|c| self.styles.get(c))?;
            if let Some(n) = &s.num {
                return Some(n.clone());
            }
            cur = s.based_on.as_deref();
        }
        None
    }

    /// The base properties of runs in a paragraph of style `pstyle`.
    pub fn paragraph_base(&self, pstyle: Option<&str>) -> RunProps {
        let p = pstyle
            .or(self.default_para.as_deref())
            .map(|s| self.style(s))
            .unwrap_or_default();
        p.over(&self.defaults)
    }

    /// The properties of a run: its own, its character style's, the paragraph's.
    pub fn run(&self, own: &RunProps, rstyle: Option<&str>, para: &RunProps) -> RunProps {
        let r = rstyle.map(|s| self.style(s)).unwrap_or_default();
        own.over(&r.over(para))
    }
}
