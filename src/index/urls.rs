//! Permalinks: where each version, section and term lives, for every language.
//!
//! URLs are symmetric: `/<lang>/<section>/<slug>/` for every language, the default included.
//! A URL here is a site path starting and ending with `/`, without the base URL's path.

use crate::paths::{check_segment, slugify};

/// `/fr/meetings/` for `lang` = fr and segments [meetings].
pub fn join(lang: &str, segments: &[String]) -> String {
    let length = segments.iter().map(|s| s.len() + 1).sum::<usize>() + lang.len() + 2;
    let mut url = String::with_capacity(length);
    url.push('/');
    url.push_str(lang);
    url.push('/');
    for segment in segments {
        url.push_str(segment);
        url.push('/');
    }
    url
}

/// The URL segments of a content folder path (`meetings/2016` → [meetings, 2016]), slugified.
pub fn folder_segments(folder: &str) -> Vec<String> {
    folder
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let slug = slugify(s);
            if slug.is_empty() {
                s.to_string()
            } else {
                slug
            }
        })
        .collect()
}

/// The slug of a version: its `slug:` (checked) or its file or folder name, slugified.
pub fn version_slug(explicit: Option<&str>, content_path: &str) -> Result<String, String> {
    if let Some(slug) = explicit {
        check_segment(slug).map_err(|e| format!("slug `{slug}` cannot be used: {e}"))?;
        return Ok(slug.to_string());
    }
    let name = content_path.rsplit('/').next().unwrap_or(content_path);
    let slug = slugify(name);
    if slug.is_empty() {
        return Err(format!("the name `{name}` gives an empty slug"));
    }
    Ok(slug)
}

/// The page URL for page `n` (1-based) of a list at `base`: page 1 is the list itself.
pub fn paginated(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

/// The output file for a site path: `/fr/a/` → `fr/a/index.html`; `/404.html` → `404.html`.
pub fn output_file(url: &str) -> String {
    let trimmed = url.trim_start_matches('/');
    if trimmed.is_empty() {
        "index.html".to_string()
    } else if url.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_symmetric_urls() {
        assert_eq!(join("fr", &folder_segments("meetings")), "/fr/meetings/");
        assert_eq!(join("en", &[]), "/en/");
        assert_eq!(paginated("/fr/meetings/", 2), "/fr/meetings/page/2/");
        assert_eq!(paginated("/fr/meetings/", 1), "/fr/meetings/");
        assert_eq!(output_file("/fr/meetings/"), "fr/meetings/index.html");
        assert_eq!(output_file("/"), "index.html");
        assert_eq!(output_file("/sitemap.xml"), "sitemap.xml");
    }

    #[test]
    fn slugs() {
        assert_eq!(
            version_slug(None, "meetings/2016-Reykjavik").unwrap(),
            "2016-reykjavik"
        );
        assert_eq!(version_slug(Some("会議"), "x").unwrap(), "会議");
        assert!(version_slug(Some(".."), "x").is_err());
        assert!(version_slug(Some("a/b"), "x").is_err());
        assert!(version_slug(None, "news/!!!").is_err());
    }
}
