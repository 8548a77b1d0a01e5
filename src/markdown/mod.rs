//! Stage 3, markdown: every version's body to HTML, in two passes.
//!
//! Pass one ([`render`]) runs pulldown-cmark on each body in parallel, gives headings unique ids,
//! builds the table of contents, highlights code and leaves a placeholder where an internal link
//! (`@/meetings/2016-reykjavik#agenda`) stands. Pass two ([`resolve_links`]) fills the
//! placeholders once every page's heading ids are known: the link goes to the reader's language
//! version where it exists, otherwise to the original with an `hreflang` attribute, and a link
//! to a missing document or anchor is an error at the link's line.
//!
//! A build runs pass one as a scan ([`Output::Scan`]: ids, contents and links, no HTML) and
//! renders each text when its page is made (`templates::bodies`), so the site's HTML is never
//! held whole; `serve` keeps pass one's HTML.

pub mod highlight;
pub mod nesting;
pub mod toc;
pub mod typography;

use std::collections::{BTreeSet, HashSet};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::diagnostics::{Diagnostic, LineIndex};
use crate::index::Site;
use crate::load::Version;
pub use toc::TocEntry;

/// Marks a link placeholder in pass-one HTML. [`render`] turns NUL in the text into U+FFFD
/// first (as CommonMark asks; pulldown-cmark does not do it everywhere), so this character
/// can only come from us.
const PLACEHOLDER: char = '\0';

/// A link written as a content path, waiting for pass two.
#[derive(Debug, Clone, PartialEq)]
pub struct InternalLink {
    /// Content path of the target (`meetings/2016-reykjavik`, `meetings`, `""` for home).
    pub target: String,
    /// A language named in the link (`@/news/launch.fr.md`): that version and no other.
    pub lang: Option<String>,
    pub anchor: Option<String>,
    pub title: String,
    /// Position in the file.
    pub line: usize,
    pub column: usize,
}

/// Pass-one output for one version.
#[derive(Debug, Clone, Default)]
pub struct RenderedBody {
    /// HTML with `\0<n>\0` where internal link `n`'s attributes go.
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub ids: HashSet<String>,
    pub links: Vec<InternalLink>,
    /// `#anchor` links to the same page: (anchor, line, column).
    pub local_anchors: Vec<(String, usize, usize)>,
    /// Where the text first nests deeper than [`nesting::MARKDOWN_LIMIT`] (line, column); the
    /// HTML is then empty, and the build reports an error.
    pub too_deep: Option<(usize, usize)>,
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_TASKLISTS
}

/// Escapes text for HTML element content.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    crate::scan::escape_into(
        text,
        &[(b'&', "&amp;"), (b'<', "&lt;"), (b'>', "&gt;")],
        &mut out,
    );
    out
}

/// Escapes text for a double-quoted attribute value.
pub fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    crate::scan::escape_into(
        text,
        &[
            (b'&', "&amp;"),
            (b'<', "&lt;"),
            (b'>', "&gt;"),
            (b'"', "&quot;"),
        ],
        &mut out,
    );
    out
}

/// What pass one needs to know about the site.
pub struct RenderContext<'a> {
    /// Non-Markdown files under content/, for relative links to bundle assets.
    pub assets: &'a BTreeSet<&'a str>,
    /// Base URL path (`/interculturalcities` or `""`).
    pub base_path: &'a str,
}

/// What pass one makes besides what the links and the table of contents need.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Output {
    /// The HTML too.
    Html,
    /// No HTML: ids, table of contents, links and anchors only, for a build that renders each
    /// text again when its page is made (see `templates::Bodies`). Code is not highlighted,
    /// which is most of the cost.
    Scan,
}

/// Pass one for one version, with its HTML.
pub fn render(version: &Version, ctx: &RenderContext) -> RenderedBody {
    render_text(version, &version.body, ctx, Output::Html)
}

/// Pass one for one version whose Markdown is `body` (the version's own text, which a build no
/// longer holds in `version.body` once scanned).
pub fn render_text(
    version: &Version,
    body: &str,
    ctx: &RenderContext,
    output: Output,
) -> RenderedBody {
    let html_too = output == Output::Html;
    let body: std::borrow::Cow<str> = if body.contains(PLACEHOLDER) {
        body.replace(PLACEHOLDER, "\u{fffd}").into()
    } else {
        body.into()
    };
    let body = body.as_ref();
    let mut out: Vec<Event> = Vec::new();
    let mut ids = toc::IdAllocator::default();
    let mut flat_toc = Vec::new();
    let mut links = Vec::new();
    let mut local_anchors = Vec::new();
    let mut heading_start: Option<(
        usize,
        pulldown_cmark::HeadingLevel,
        Option<String>,
        Vec<String>,
    )> = None;
    let mut code: Option<(String, String)> = None;
    let mut footnotes: Vec<String> = Vec::new();
    let lines = LineIndex::new(body);
    let position = |offset: usize| {
        let (line, column) = lines.line_col(offset);
        (line + version.body_line - 1, column)
    };

    let mut depth: isize = 0;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let (change, peak) = match &event {
            Event::Start(_) => (1, 1),
            Event::End(_) => (-1, 0),
            Event::Html(html) | Event::InlineHtml(html) => nesting::depth_change(html),
            _ => (0, 0),
        };
        let deepest = depth + peak;
        depth = (depth + change).max(0);
        if deepest.unsigned_abs() > nesting::MARKDOWN_LIMIT {
            return RenderedBody {
                too_deep: Some(position(range.start)),
                ..RenderedBody::default()
            };
        }
        match event {
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                heading_start = Some((
                    out.len(),
                    level,
                    id.map(|i| i.to_string()),
                    classes.iter().map(|c| c.to_string()).collect(),
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((start, level, explicit_id, classes)) = heading_start.take() else {
                    continue;
                };
                let inner: Vec<Event> = out.drain(start..).collect();
                let text = plain_text(&inner);
                let id = match explicit_id {
                    Some(id) if ids.reserve(&id) => id,
                    _ => ids.allocate(&text),
                };
                let n = level as u8;
                if html_too {
                    // `<hN id="…" class="…">…</hN>`, pushed piece by piece.
                    let digit = char::from(b'0' + n);
                    let mut heading = String::from("<h");
                    heading.push(digit);
                    heading.push_str(" id=\"");
                    heading.push_str(&escape_attr(&id));
                    heading.push('"');
                    if !classes.is_empty() {
                        heading.push_str(" class=\"");
                        heading.push_str(&escape_attr(&classes.join(" ")));
                        heading.push('"');
                    }
                    heading.push('>');
                    pulldown_cmark::html::push_html(&mut heading, inner.into_iter());
                    heading.push_str("</h");
                    heading.push(digit);
                    heading.push_str(">\n");
                    out.push(Event::Html(heading.into()));
                }
                flat_toc.push(TocEntry {
                    level: n,
                    id,
                    title: text,
                    children: Vec::new(),
                });
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(lang) => lang.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Text(text) if code.is_some() => {
                if let Some((_, buffer)) = code.as_mut() {
                    buffer.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, buffer)) = code.take() {
                    if html_too {
                        out.push(Event::Html(highlight::code_block(&lang, &buffer).into()));
                    }
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if let Some(target) = dest_url.strip_prefix("@/") {
                    let (line, column) = position(range.start);
                    let (path, anchor) = match target.split_once('#') {
                        Some((path, anchor)) => (path, Some(anchor.to_string())),
                        None => (target, None),
                    };
                    let (target, lang) = split_link_path(path);
                    let n = links.len();
                    links.push(InternalLink {
                        target,
                        lang,
                        anchor,
                        title: title.to_string(),
                        line,
                        column,
                    });
                    out.push(Event::InlineHtml(
                        format!("<a {PLACEHOLDER}{n}{PLACEHOLDER}>").into(),
                    ));
                } else {
                    if let Some(anchor) = dest_url.strip_prefix('#') {
                        let (line, column) = position(range.start);
                        local_anchors.push((anchor.to_string(), line, column));
                    }
                    let dest_url = rewrite_asset_url(dest_url, &version.folder, ctx);
                    out.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = rewrite_asset_url(dest_url, &version.folder, ctx);
                out.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::FootnoteReference(label) => {
                let (number, first) = footnote_number(&mut footnotes, &label);
                let slug = footnote_slug(&label);
                let id = if first {
                    format!(" id=\"fnref-{slug}\"")
                } else {
                    String::new()
                };
                out.push(Event::InlineHtml(
                    format!("<sup class=\"footnote-reference\"{id}><a href=\"#fn-{slug}\">{number}</a></sup>").into(),
                ));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let (number, _) = footnote_number(&mut footnotes, &label);
                let slug = footnote_slug(&label);
                ids.reserve(&format!("fn-{slug}"));
                out.push(Event::Html(
                    format!("<div class=\"footnote-definition\" id=\"fn-{slug}\"><span class=\"footnote-definition-label\">{number}</span>").into(),
                ));
            }
            Event::End(TagEnd::FootnoteDefinition) => out.push(Event::Html("</div>\n".into())),
            // A scan keeps only what a heading's text is made of: nothing writes the rest.
            other if html_too || heading_start.is_some() => out.push(other),
            _ => {}
        }
    }
    let mut html = String::new();
    if html_too {
        html.reserve(body.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, out.into_iter());
    }
    RenderedBody {
        html,
        toc: toc::nest(flat_toc),
        ids: ids.into_ids(),
        links,
        local_anchors,
        too_deep: None,
    }
}

fn plain_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_string()
}

fn footnote_number(footnotes: &mut Vec<String>, label: &str) -> (usize, bool) {
    match footnotes.iter().position(|l| l == label) {
        Some(i) => (i + 1, false),
        None => {
            footnotes.push(label.to_string());
            (footnotes.len(), true)
        }
    }
}

fn footnote_slug(label: &str) -> String {
    let slug = crate::paths::slugify(label);
    if slug.is_empty() {
        "note".to_string()
    } else {
        slug
    }
}

/// `meetings/2016-reykjavik/index.fr.md` → (`meetings/2016-reykjavik`, Some(fr)-if-a-language).
fn split_link_path(path: &str) -> (String, Option<String>) {
    let path = path.trim_end_matches('/');
    let Some(without_ext) = path.strip_suffix(".md") else {
        return (path.to_string(), None);
    };
    let (stem_path, lang) = match without_ext.rsplit_once('.') {
        Some((stem, lang)) if crate::config::is_language_tag(lang) && !lang.contains('/') => {
            (stem, Some(lang.to_string()))
        }
        _ => (without_ext, None),
    };
    let content_path = stem_path
        .strip_suffix("/_index")
        .or_else(|| stem_path.strip_suffix("/index"))
        .unwrap_or(if stem_path == "_index" { "" } else { stem_path });
    (content_path.to_string(), lang)
}

/// A relative link to a file of the bundle (`agenda.pdf`) becomes the file's site URL, because
/// the page itself lives at a different path (`/fr/meetings/…/`) than its files.
fn rewrite_asset_url<'a>(dest: CowStr<'a>, folder: &str, ctx: &RenderContext) -> CowStr<'a> {
    if dest.is_empty() || dest.contains(':') || dest.starts_with(['/', '#', '?']) {
        return dest;
    }
    let (path, suffix) = match dest.find(['#', '?']) {
        Some(i) => (&dest[..i], &dest[i..]),
        None => (&dest[..], ""),
    };
    let mut segments: Vec<&str> = folder.split('/').filter(|s| !s.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if segments.pop().is_none() {
                    return dest;
                }
            }
            part => segments.push(part),
        }
    }
    let joined = segments.join("/");
    if ctx.assets.contains(joined.as_str()) {
        format!("{}/{joined}{suffix}", ctx.base_path).into()
    } else {
        dest
    }
}

/// Pass two for one version: fills the link placeholders of `html`, pass one's HTML of `body`
/// (taken by value, so that a build holds the site's text once: a page without links is
/// returned as it is); returns the HTML and any problems.
pub fn resolve_links(
    site: &Site,
    version_index: usize,
    html: String,
    body: &RenderedBody,
    bodies: &[RenderedBody],
) -> (String, Vec<Diagnostic>) {
    let version = &site.versions[version_index];
    let mut problems = Vec::new();
    for (anchor, line, column) in &body.local_anchors {
        if !anchor.is_empty() && !body.ids.contains(anchor.as_str()) {
            problems.push(
                Diagnostic::error(format!(
                    "link to `#{anchor}`, but this page has no such heading"
                ))
                .in_file(&version.file)
                .at(*line, *column)
                .hint(suggest_anchor(anchor, &body.ids)),
            );
        }
    }
    if body.links.is_empty() {
        return (html, problems);
    }
    let attributes: Vec<String> = body
        .links
        .iter()
        .map(|link| match resolve_one(site, version, link, bodies) {
            Ok(attrs) => attrs,
            Err(d) => {
                problems.push(d.in_file(&version.file).at(link.line, link.column));
                "href=\"#\"".to_string()
            }
        })
        .collect();
    let mut resolved = String::with_capacity(html.len() + 64 * attributes.len());
    let mut parts = html.split(PLACEHOLDER);
    resolved.push_str(parts.next().unwrap_or_default());
    while let Some(number) = parts.next() {
        let attrs = number.parse::<usize>().ok().and_then(|n| attributes.get(n));
        resolved.push_str(attrs.map_or("", String::as_str));
        resolved.push_str(parts.next().unwrap_or_default());
    }
    (resolved, problems)
}

fn suggest_anchor(anchor: &str, ids: &HashSet<String>) -> String {
    let mut sorted: Vec<&str> = ids.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    match crate::diagnostics::did_you_mean(anchor, sorted.iter().copied()) {
        Some(close) => format!("did you mean `#{close}`?"),
        None if sorted.is_empty() => "the target has no headings".to_string(),
        None => format!("the headings' ids are: {}", sorted.join(", ")),
    }
}

fn resolve_one(
    site: &Site,
    from: &Version,
    link: &InternalLink,
    bodies: &[RenderedBody],
) -> Result<String, Diagnostic> {
    let base = site.config.base_path();
    let title = if link.title.is_empty() {
        String::new()
    } else {
        format!(" title=\"{}\"", escape_attr(&link.title))
    };
    let anchor_suffix = link
        .anchor
        .as_ref()
        .map_or(String::new(), |a| format!("#{a}"));
    if let Some(&doc) = site.by_content_path.get(&link.target) {
        let document = &site.documents[doc];
        let target_index = match &link.lang {
            Some(lang) => *document.versions.get(lang).ok_or_else(|| {
                Diagnostic::error(format!(
                    "link to `@/{}` in `{lang}`, which does not exist",
                    link.target
                ))
                .hint(format!(
                    "the document exists in: {}",
                    document
                        .versions
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?,
            None => site.version_for(doc, &from.lang),
        };
        let target = &site.versions[target_index];
        if let Some(anchor) = &link.anchor {
            if !bodies[target_index].ids.contains(anchor.as_str()) {
                return Err(Diagnostic::error(format!(
                    "link to `@/{}#{anchor}`, but {} has no such heading",
                    link.target,
                    target.file.display()
                ))
                .hint(suggest_anchor(anchor, &bodies[target_index].ids)));
            }
        }
        let url = &site.version_urls[target_index];
        let hreflang = if target.lang != from.lang {
            format!(" hreflang=\"{}\"", target.lang)
        } else {
            String::new()
        };
        return Ok(format!(
            "href=\"{base}{}{anchor_suffix}\"{hreflang}{title}",
            escape_attr(url)
        ));
    }
    if let Some(section) = site.section_by_path(&link.target) {
        if link.anchor.is_some() {
            let lang_version = site.sections[section].versions.get(&from.lang).copied();
            if let (Some(v), Some(anchor)) = (lang_version, &link.anchor) {
                if !bodies[v].ids.contains(anchor.as_str()) {
                    return Err(Diagnostic::error(format!(
                        "link to `@/{}#{anchor}`, but that section has no such heading",
                        link.target
                    ))
                    .hint(suggest_anchor(anchor, &bodies[v].ids)));
                }
            }
        }
        let url = site.section_url(section, &from.lang);
        return Ok(format!(
            "href=\"{base}{}{anchor_suffix}\"{title}",
            escape_attr(&url)
        ));
    }
    if site.broken.contains(&link.target) {
        // The target failed to load and was reported already.
        return Ok("href=\"#\"".to_string());
    }
    let known: Vec<&str> = site.by_content_path.keys().map(String::as_str).collect();
    let hint = match crate::diagnostics::did_you_mean(&link.target, known.iter().copied()) {
        Some(close) => format!("did you mean `@/{close}`?"),
        None => "internal links name a content path without language: `@/meetings/2016-reykjavik` for content/meetings/2016-reykjavik/index.fr.md".to_string(),
    };
    Err(Diagnostic::error(format!(
        "broken internal link `@/{}`: no such document or section",
        link.target
    ))
    .hint(hint))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_replaces_exactly_the_named_bytes() {
        // One entity per character, character by character: what the one-pass escape must
        // write.
        let by_char = |text: &str, quotes: bool| -> String {
            text.chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' if quotes => "&quot;".to_string(),
                    c => c.to_string(),
                })
                .collect()
        };
        for text in [
            "",
            "plain",
            "&",
            "a<b>c&d\"e'f",
            "«\u{a0}Cités » & <villes> \"ici\"",
            "インターカルチュラル&シティ<",
            "ends with \"",
            "&&<<>>\"\"",
        ] {
            assert_eq!(escape_text(text), by_char(text, false), "{text:?}");
            assert_eq!(escape_attr(text), by_char(text, true), "{text:?}");
        }
    }

    #[test]
    fn link_paths() {
        assert_eq!(split_link_path("meetings/x"), ("meetings/x".into(), None));
        assert_eq!(
            split_link_path("meetings/x/index.fr.md"),
            ("meetings/x".into(), Some("fr".into()))
        );
        assert_eq!(
            split_link_path("news/launch.en.md"),
            ("news/launch".into(), Some("en".into()))
        );
        assert_eq!(
            split_link_path("meetings/_index.md"),
            ("meetings".into(), None)
        );
        assert_eq!(split_link_path("_index.md"), ("".into(), None));
        assert_eq!(split_link_path("meetings/"), ("meetings".into(), None));
    }

    fn version(body: &str) -> Version {
        Version {
            file: "content/a/index.fr.md".into(),
            lang: "fr".into(),
            kind: crate::load::VersionKind::Page,
            content_path: "a".into(),
            folder: "a".into(),
            is_bundle: true,
            front: Default::default(),
            body: body.into(),
            body_line: 4,
        }
    }

    fn render_str(body: &str) -> RenderedBody {
        let assets: BTreeSet<&str> = ["a/agenda.pdf"].into_iter().collect();
        render(
            &version(body),
            &RenderContext {
                assets: &assets,
                base_path: "/base",
            },
        )
    }

    #[test]
    fn a_scan_finds_what_the_html_pass_finds_without_making_html() {
        let text = "# Ordre du jour\n\n## Ordre du jour {#mine .x}\n\nVoir [l'annexe](@/b.en.md#annex \"Annexe\"), [ici](#mine) et [^1].\n\n```rust\nfn main() {}\n```\n\n[^1]: Note.\n";
        let assets: BTreeSet<&str> = BTreeSet::new();
        let ctx = RenderContext {
            assets: &assets,
            base_path: "",
        };
        let v = version(text);
        let html = render_text(&v, text, &ctx, Output::Html);
        let scan = render_text(&v, text, &ctx, Output::Scan);
        assert!(
            html.html.contains("<h2 id=\"mine\" class=\"x\">"),
            "{}",
            html.html
        );
        assert_eq!(scan.html, "");
        assert_eq!(scan.toc, html.toc);
        assert_eq!(scan.ids, html.ids);
        assert_eq!(scan.links, html.links);
        assert_eq!(scan.local_anchors, html.local_anchors);
        assert_eq!(scan.links.len(), 1);
        assert!(scan.ids.contains("fn-1"));
    }

    #[test]
    fn headings_get_unique_ids_and_toc() {
        let r = render_str("# Ordre du jour\n\n## Ordre du jour\n\n## Custom {#mine}\n");
        assert!(
            r.html
                .contains("<h1 id=\"ordre-du-jour\">Ordre du jour</h1>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<h2 id=\"ordre-du-jour-1\">"));
        assert!(r.html.contains("<h2 id=\"mine\">Custom</h2>"));
        assert_eq!(r.toc.len(), 1);
        assert_eq!(r.toc[0].children.len(), 2);
    }

    #[test]
    fn internal_links_become_placeholders_with_positions() {
        let r = render_str("Text\n\nSee [the report](@/meetings/x#agenda).\n");
        assert_eq!(r.links.len(), 1);
        assert_eq!(r.links[0].target, "meetings/x");
        assert_eq!(r.links[0].anchor.as_deref(), Some("agenda"));
        assert_eq!((r.links[0].line, r.links[0].column), (6, 5));
        assert!(r.html.contains("<a \u{0}0\u{0}>the report</a>"));
    }

    #[test]
    fn bundle_assets_get_site_urls() {
        let r = render_str("[Agenda](agenda.pdf) [other](other.pdf) [ext](https://x.org/a.pdf)");
        assert!(r.html.contains("href=\"/base/a/agenda.pdf\""), "{}", r.html);
        assert!(r.html.contains("href=\"other.pdf\""));
        assert!(r.html.contains("href=\"https://x.org/a.pdf\""));
    }

    #[test]
    fn footnotes_tables_strikethrough() {
        let r = render_str(
            "A note[^1].\n\n[^1]: The note.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n",
        );
        assert!(
            r.html.contains(
                "<sup class=\"footnote-reference\" id=\"fnref-1\"><a href=\"#fn-1\">1</a></sup>"
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains("id=\"fn-1\""));
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>old</del>"));
    }

    #[test]
    fn local_anchors_are_recorded() {
        let r = render_str("## Intro\n\n[up](#intro) [bad](#nope)\n");
        assert_eq!(r.local_anchors.len(), 2);
        assert!(r.ids.contains("intro"));
    }
}
