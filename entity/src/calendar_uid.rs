//! Calendar UIDs: random, stored with the event, and revealing nothing about it.

/// 128 random bits as hex, `@convene`: stable once stored, never built from emails or ids.
pub fn new() -> String {
    let mut bytes = [0u8; 16];
    // The OS random source failing is unrecoverable for a service that issues secrets.
    if let Err(error) = getrandom::fill(&mut bytes) {
        panic!("operating system random source failed: {error}");
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}@convene")
}
