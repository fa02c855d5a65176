//! Value types shared across the service, each parsed once at the edge ("parse, don't
//! validate"): a handler turns raw input into these, and the services never see raw strings.

pub mod dbs_certificate;
pub mod email;
pub mod money;
pub mod phone;
pub mod postcode;
pub mod time;

pub use dbs_certificate::DbsCertificateNumber;
pub use email::Email;
pub use money::Pence;
pub use phone::Phone;
pub use postcode::Postcode;

/// Deserialises a string, number or boolean as its text, so one input type serves both HTML
/// forms (all strings) and JSON clients (numbers and booleans); parsing happens afterwards.
pub fn lenient_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    use serde::Deserialize;
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        other => other.to_string(),
    })
}

/// `text` with its first letter in capitals: "a coordinator" → "A coordinator".
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A checkbox or flag sent as text: yes, true, on or 1 (any case).
pub fn yes(raw: &str) -> bool {
    matches!(raw.trim().to_ascii_lowercase().as_str(), "yes" | "true" | "on" | "1")
}
