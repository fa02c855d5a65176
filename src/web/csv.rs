//! Spreadsheet exports: every domain's CSV goes through `cell`.

/// A cell a spreadsheet will show as text, never run as a formula.
pub fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}
