//! Receipt files: what a receipt may be (recognised by its content, never by its name),
//! how big, and the display name kept for it. Pure: no I/O.

/// The largest receipt accepted: 5 MB.
pub const MAX_RECEIPT_BYTES: usize = 5 * 1024 * 1024;
/// Room for the multipart framing and the other fields around the file.
pub const UPLOAD_BODY_LIMIT: usize = MAX_RECEIPT_BYTES + 64 * 1024;
pub const MAX_RECEIPTS_PER_CLAIM: u64 = 20;

/// A kind of file accepted as a receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileType {
    pub content_type: &'static str,
    pub extension: &'static str,
}

const TYPES: [(&[u8], FileType); 3] = [
    (b"%PDF-", FileType { content_type: "application/pdf", extension: "pdf" }),
    (&[0xFF, 0xD8, 0xFF], FileType { content_type: "image/jpeg", extension: "jpg" }),
    (&[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], FileType { content_type: "image/png", extension: "png" }),
];

/// The file's type from its first bytes (its magic number); `None` for anything else.
pub fn detect(bytes: &[u8]) -> Option<FileType> {
    TYPES.iter().find(|(magic, _)| bytes.starts_with(magic)).map(|(_, kind)| *kind)
}

/// The uploader's file name made safe to show and to put in a `Content-Disposition`:
/// the last path component only, printable ASCII letters, digits and `._- ` only, at most
/// 100 characters. It is never used as a path.
pub fn display_name(raw: &str, kind: FileType) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String =
        last.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ' ')).take(100).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() { format!("receipt.{}", kind.extension) } else { cleaned }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_by_content_only() {
        assert_eq!(detect(b"%PDF-1.7 ...").map(|t| t.content_type), Some("application/pdf"));
        assert_eq!(detect(&[0xFF, 0xD8, 0xFF, 0xE0]).map(|t| t.content_type), Some("image/jpeg"));
        assert_eq!(detect(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]).map(|t| t.extension), Some("png"));
        assert_eq!(detect(b"<html><script>alert(1)</script>"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn display_names_are_not_paths() {
        let pdf = detect(b"%PDF-").unwrap();
        assert_eq!(display_name("../../etc/passwd", pdf), "passwd");
        assert_eq!(display_name("C:\\Users\\me\\taxi receipt.pdf", pdf), "taxi receipt.pdf");
        assert_eq!(display_name("..", pdf), "receipt.pdf");
        assert_eq!(display_name("\"; evil=\r\n.pdf", pdf), "evil.pdf");
    }
}
