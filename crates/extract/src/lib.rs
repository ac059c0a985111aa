//! From the document model to plan records.

use kehoach_doc::Document;
use kehoach_plan::{Plan, Source};

/// Extracts a plan from a document. `source` is copied into the plan.
pub fn extract(doc: &Document, source: Source) -> Plan {
    let _ = doc;
    Plan { schema: kehoach_plan::SCHEMA.into(), source, meta: Default::default(), tasks: vec![], warnings: vec![] }
}
