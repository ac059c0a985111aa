//! A small element tree of an XML part, built with `quick-xml`.
//!
//! WordprocessingML elements (transitional or strict namespace) are named by
//! their local name (`p`, `tbl`, …), markup-compatibility elements `mc:…`,
//! everything else `x:…`. Only the text of text-bearing elements is kept.

use crate::ReadError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use quick_xml::XmlVersion;

const W_MAIN: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_STRICT: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
const MC: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

/// One element.
#[derive(Debug, Default)]
pub(crate) struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    /// Text content, for `t`, `delText` and `instrText` elements.
    pub text: String,
}

impl Node {
    /// The value of the attribute with this local name.
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == local)
            .map(|(_, v)| v.as_str())
    }

    /// The first child with this name.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// `w:val` of the named child.
    pub fn child_val(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(|c| c.attr("val"))
    }
}

/// Whether an on/off property element (`<w:b/>`, `<w:b w:val="0"/>`) is on.
pub(crate) fn on_off(n: &Node) -> bool {
    !matches!(n.attr("val"), Some("0" | "false" | "off" | "none"))
}

fn element_name(ns: &ResolveResult, e: &BytesStart) -> String {
    let local = e.local_name().as_ref().to_string();
    match ns {
        ResolveResult::Bound(n) if n.as_ref() == W_MAIN || n.as_ref() == W_STRICT => local,
        ResolveResult::Bound(n) if n.as_ref() == MC => format!("mc:{local}"),
        _ => format!("x:{local}"),
    }
}

/// WordprocessingML elements the reader looks at. Other `w:` elements
/// (formatting, borders, section properties, deleted text, …) are skipped
/// with their content; elements of other namespaces (drawings) are descended
/// into, as they can hold text boxes.
fn wanted(name: &str) -> bool {
    matches!(
        name,
        "document"
            | "body"
            | "p"
            | "pPr"
            | "pStyle"
            | "pageBreakBefore"
            | "r"
            | "rPr"
            | "rStyle"
            | "b"
            | "vanish"
            | "rFonts"
            | "t"
            | "tab"
            | "ptab"
            | "br"
            | "cr"
            | "noBreakHyphen"
            | "softHyphen"
            | "drawing"
            | "pict"
            | "object"
            | "txbxContent"
            | "hyperlink"
            | "ins"
            | "moveTo"
            | "smartTag"
            | "customXml"
            | "fldSimple"
            | "bdo"
            | "dir"
            | "sdt"
            | "sdtContent"
            | "tbl"
            | "tr"
            | "trPr"
            | "gridBefore"
            | "tc"
            | "tcPr"
            | "gridSpan"
            | "vMerge"
            | "styles"
            | "docDefaults"
            | "rPrDefault"
            | "style"
            | "basedOn"
            | "numPr"
            | "ilvl"
            | "numId"
            | "numbering"
            | "abstractNum"
            | "num"
            | "abstractNumId"
            | "lvl"
            | "start"
            | "numFmt"
            | "lvlText"
            | "lvlOverride"
            | "startOverride"
    ) || name.starts_with("mc:")
        || name.starts_with("x:")
}

fn keeps_text(name: &str) -> bool {
    matches!(name, "t" | "delText" | "instrText")
}

/// Parses `text` into a tree, refusing more than `max_depth` nested elements
/// or `max_nodes` elements in all.
pub(crate) fn parse(
    part: &str,
    text: &str,
    max_depth: usize,
    max_nodes: usize,
) -> Result<Node, ReadError> {
    let bad = |e: String| ReadError::BadPart(part.to_string(), e);
    let mut reader = NsReader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Node> = vec![Node {
        name: "#root".into(),
        ..Node::default()
    }];
    let mut nodes = 0usize;
    loop {
        let pos = reader.buffer_position();
        let (ns, ev) = reader
            .read_resolved_event()
            .map_err(|e| bad(format!("after byte {pos}: {e}")))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                nodes += 1;
                if nodes > max_nodes {
                    return Err(ReadError::TooLarge(format!(
                        "{part} has more than {max_nodes} elements"
                    )));
                }
                let name = element_name(&ns, e);
                if !wanted(&name) {
                    if matches!(ev, Event::Start(_)) {
                        let end = e.to_end().into_owned();
                        reader
                            .read_to_end(end.name())
                            .map_err(|e| bad(format!("after byte {pos}: {e}")))?;
                    }
                    continue;
                }
                let foreign = name.starts_with("x:");
                let mut node = Node {
                    name,
                    ..Node::default()
                };
                for a in e
                    .attributes()
                    .with_checks(false)
                    .flatten()
                    .filter(|_| !foreign)
                {
                    let key = a.key.local_name().as_ref().to_string();
                    let value = a
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map(|v| v.into_owned())
                        .unwrap_or_default();
                    node.attrs.push((key, value));
                }
                if matches!(ev, Event::Start(_)) {
                    if stack.len() > max_depth {
                        return Err(ReadError::TooDeep(format!(
                            "{part} nests elements more than {max_depth} deep"
                        )));
                    }
                    stack.push(node);
                } else if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                }
            }
            Event::End(_) => {
                if stack.len() <= 1 {
                    return Err(bad("unbalanced end tag".into()));
                }
                if let Some(node) = stack.pop() {
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(node);
                    }
                }
            }
            Event::Text(ref t) => {
                if let Some(cur) = stack.last_mut().filter(|n| keeps_text(&n.name)) {
                    cur.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(ref t) => {
                if let Some(cur) = stack.last_mut().filter(|n| keeps_text(&n.name)) {
                    cur.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(ref r) => {
                if let Some(cur) = stack.last_mut().filter(|n| keeps_text(&n.name)) {
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        Ok(None) => match r.as_ref() {
                            "amp" => Some('&'),
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "quot" => Some('"'),
                            "apos" => Some('\''),
                            other => return Err(bad(format!("unknown entity &{other};"))),
                        },
                        Err(e) => return Err(bad(e.to_string())),
                    };
                    cur.text.extend(c);
                }
            }
            Event::DocType(_) => return Err(ReadError::Dtd(part.to_string())),
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err(bad("the XML ends inside an element".into()));
    }
    Ok(stack.pop().unwrap_or_default())
}
