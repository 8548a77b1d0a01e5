//! Slugs, URL segments and output paths: the one place that decides what a safe path is.
//!
//! Slugs keep Unicode letters (a Japanese title stays readable in its URL). Every segment that
//! reaches the output folder passes [`check_segment`], so `..`, absolute paths and characters
//! that are illegal in file names on any common system never get there.

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Turns a title or file name into a URL slug: lowercase, Unicode letters and digits kept,
/// everything else collapsed into single hyphens.
pub fn slugify(text: &str) -> String {
    // Text already in NFC is left as it is: ASCII, and nearly every heading in any language
    // (this runs for every heading, and composing through `nfc()` cost ten times the rest).
    let slug = match is_nfc(text) {
        true => slug_of(text.chars(), text.len()),
        false => slug_of(text.nfc(), text.len()),
    };
    // Lowercasing can reorder or split combining marks (`Ȱ̱`), so normalise once more: two
    // spellings of one title must give one URL.
    if is_nfc(&slug) {
        slug
    } else {
        slug.nfc().collect()
    }
}

/// Whether `text` is certainly in NFC already, by the standard's quick check (a "maybe" counts
/// as no, and the text is composed).
fn is_nfc(text: &str) -> bool {
    text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes
}

/// Letters, digits and combining marks lowercased, each run of anything else made one hyphen
/// between them.
fn slug_of(characters: impl Iterator<Item = char>, capacity: usize) -> String {
    let mut slug = String::with_capacity(capacity);
    let mut pending_hyphen = false;
    for c in characters {
        if c.is_alphanumeric() || is_combining_mark(c) {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.extend(c.to_lowercase());
        } else {
            pending_hyphen = true;
        }
    }
    slug
}

/// Marks that belong to the letter before them (Devanagari vowel signs, Arabic harakat…).
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0610..=0x061A | 0x064B..=0x065F | 0x0900..=0x097F | 0x3099..=0x309A)
        && !c.is_whitespace()
}

/// Why a path segment was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentError {
    Empty,
    DotSegment,
    Separator,
    IllegalCharacter(char),
    TooLong,
}

impl std::fmt::Display for SegmentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SegmentError::Empty => write!(f, "it is empty"),
            SegmentError::DotSegment => write!(f, "`.` and `..` would leave the folder"),
            SegmentError::Separator => write!(f, "it contains a path separator (`/` or `\\`)"),
            SegmentError::IllegalCharacter(c) => {
                write!(f, "it contains {c:?}, which is not allowed in file names")
            }
            SegmentError::TooLong => write!(f, "it is longer than 200 bytes"),
        }
    }
}

/// Checks that `segment` can be one folder or file name in the output.
pub fn check_segment(segment: &str) -> Result<(), SegmentError> {
    if segment.is_empty() {
        return Err(SegmentError::Empty);
    }
    if segment == "." || segment == ".." {
        return Err(SegmentError::DotSegment);
    }
    if segment.len() > 200 {
        return Err(SegmentError::TooLong);
    }
    for c in segment.chars() {
        match c {
            '/' | '\\' => return Err(SegmentError::Separator),
            '<' | '>' | ':' | '"' | '|' | '?' | '*' | '#' | '%' => {
                return Err(SegmentError::IllegalCharacter(c))
            }
            c if c.is_control() => return Err(SegmentError::IllegalCharacter(c)),
            _ => {}
        }
    }
    Ok(())
}

/// Checks a root-relative URL path such as an alias (`/old/reports/reykjavik/`); returns its
/// segments.
pub fn check_url_path(path: &str) -> Result<Vec<&str>, String> {
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(
            "it must start with a single `/` (a path on this site, e.g. `/old/page/`)".into(),
        );
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        return Err("it is the site root".into());
    }
    for segment in &segments {
        check_segment(segment).map_err(|e| format!("segment `{segment}`: {e}"))?;
    }
    Ok(segments)
}

/// The key under which two output paths collide: case-folded and Unicode-normalised, because
/// macOS and Windows file systems treat `Été`/`été` and NFC/NFD forms as the same file.
pub fn collision_key(path: &str) -> String {
    // An ASCII path is its own NFC form: most paths, and this runs for every output file.
    if path.is_ascii() {
        return path.to_ascii_lowercase();
    }
    // NFC again after lowercasing, which can leave a string that is not NFC.
    path.nfc()
        .collect::<String>()
        .to_lowercase()
        .nfc()
        .collect()
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Percent-encodes a URL path (keeps `/` and unreserved characters; Unicode is encoded as UTF-8).
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    encode_path_into(path, &mut out);
    out
}

/// [`encode_path`], appended to `out`: the runs of bytes kept as they are copied whole, the
/// others pushed digit by digit (`format!` for each byte of a Japanese or Arabic path was most
/// of the time taken to write the site's links).
pub fn encode_path_into(path: &str, out: &mut String) {
    let bytes = path.as_bytes();
    let mut copied = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        if matches!(byte, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/')
        {
            continue;
        }
        // A byte encoded is never followed by a kept one inside a character (those are all
        // ASCII), so a run `copied..at` of kept bytes starts and ends between characters.
        if copied < at {
            out.push_str(&path[copied..at]);
        }
        out.push('%');
        out.push(char::from(HEX_UPPER[usize::from(byte >> 4)]));
        out.push(char::from(HEX_UPPER[usize::from(byte & 0xF)]));
        copied = at + 1;
    }
    // The rest, if any, is ASCII kept as it is; a multi-byte character was encoded byte by byte.
    if copied < bytes.len() {
        out.push_str(&path[copied..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_percent_encoded_byte_by_byte() {
        assert_eq!(
            encode_path("/ja/出版物/a b/"),
            "/ja/%E5%87%BA%E7%89%88%E7%89%A9/a%20b/"
        );
        assert_eq!(
            encode_path("/fr/réunions/~x_y.z-1/"),
            "/fr/r%C3%A9unions/~x_y.z-1/"
        );
        for byte in 0..=255u8 {
            let expected = match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                    char::from(byte).to_string()
                }
                _ => format!("%{byte:02X}"),
            };
            let text = String::from_utf8_lossy(&[byte]).into_owned();
            if text.len() == 1 {
                assert_eq!(encode_path(&text), expected);
            }
        }
    }

    #[test]
    fn random_paths_are_encoded_byte_by_byte_after_what_is_there() {
        let pieces = [
            "a", "Z9", "/", " ", "é", "出版", "%", "~._-", "😀", "?#", "ü/x",
        ];
        let mut random = crate::test_random::Xorshift(0x9a7e_5eed);
        for _ in 0..2000 {
            let path = random.text(&pieces, 12);
            let expected: String = path
                .bytes()
                .map(|byte| match byte {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                        char::from(byte).to_string()
                    }
                    _ => format!("%{byte:02X}"),
                })
                .collect();
            assert_eq!(encode_path(&path), expected, "{path:?}");
            let mut appended = String::from("https://example.org");
            encode_path_into(&path, &mut appended);
            assert_eq!(appended, format!("https://example.org{expected}"));
        }
    }

    #[test]
    fn slugs_keep_unicode_letters() {
        assert_eq!(slugify("Réunion annuelle 2016"), "réunion-annuelle-2016");
        assert_eq!(
            slugify("インターカルチュラル・シティ"),
            "インターカルチュラル-シティ"
        );
        assert_eq!(slugify("  --Hello,   World!-- "), "hello-world");
        assert_eq!(slugify("2016-reykjavik"), "2016-reykjavik");
    }

    #[test]
    fn slugs_are_nfc() {
        assert_eq!(slugify("e\u{301}te\u{301}"), "été");
    }

    #[test]
    fn the_nfc_shortcut_gives_what_composing_always_gives() {
        // The slug as it was made before the quick check: composed before and after.
        let composed_always = |text: &str| -> String {
            let slug = slug_of(text.nfc(), text.len());
            slug.nfc().collect()
        };
        for text in [
            "Réunion annuelle",
            "Re\u{301}union annuelle",
            "\u{230}\u{331} Ȱ̱ ǰ Ǳ",
            "ΆΈΉ ᾼ ﬁ Straße İstanbul",
            "ﾃﾞｼﾞﾀﾙ が か\u{3099}",
            "Ангел ї й и\u{306}",
            "ٱلْعَرَبِيَّة",
            "한국어 조선말",
            "\u{1100}\u{1161} a\u{308}\u{301}",
        ] {
            assert_eq!(slugify(text), composed_always(text), "{text:?}");
        }
    }

    #[test]
    fn refuses_dangerous_segments() {
        assert_eq!(check_segment(".."), Err(SegmentError::DotSegment));
        assert_eq!(check_segment("a/b"), Err(SegmentError::Separator));
        assert_eq!(check_segment(""), Err(SegmentError::Empty));
        assert!(check_segment("été-2016").is_ok());
        assert!(check_url_path("/a/../b/").is_err());
        assert!(check_url_path("//evil.example/").is_err());
        assert_eq!(check_url_path("/old/page/").unwrap(), vec!["old", "page"]);
    }

    #[test]
    fn collisions_ignore_case_and_normalisation() {
        assert_eq!(
            collision_key("/fr/Été/"),
            collision_key("/fr/e\u{301}te\u{301}/")
        );
        assert_eq!(collision_key("/FR/Cities/A-b/"), "/fr/cities/a-b/");
        assert_eq!(collision_key("/FR/É/"), collision_key("/fr/é/"));
    }

    #[test]
    fn encodes_unicode_paths() {
        assert_eq!(encode_path("/ja/会議/"), "/ja/%E4%BC%9A%E8%AD%B0/");
    }
}
