//! The rendered Markdown of every version, as the pages and feeds read it.
//!
//! A build does not hold the site's text in memory. Pass one only scans each version
//! (`markdown::Output::Scan`: ids, table of contents, links) and lets its Markdown go; when a
//! page shows a text, [`Sources`] reads the file again and renders it, and the HTML leaves
//! memory with the page. Held whole, the HTML was most of the live heap (at 10,000 documents,
//! 600 MiB live after pass one with it, 140 MiB without), and freed page by page it left holes
//! in the allocator's pages that the pages stage could not fill. Rendering twice costs little
//! beside that: the scan skips highlighting and writing HTML, and the file is in the page cache.
//! `serve` keeps every text ([`Bodies::Kept`]), to render pages again after an edit.

use std::collections::BTreeSet;
use std::hash::BuildHasher;
use std::sync::Mutex;

use crate::diagnostics::Diagnostic;
use crate::index::Site;
use crate::markdown::{self, Output, RenderContext, RenderedBody};

/// Where the pages get the versions' texts (HTML with links resolved), indexed like
/// `Site::versions`.
pub enum Bodies<'a> {
    /// Held by the caller (`serve`).
    Kept(&'a [String]),
    /// Rendered from the files again, each time a page shows one.
    FromSources(Sources<'a>),
}

impl Bodies<'_> {
    /// Version `v`'s text. A file that cannot be read again, or that changed since it was
    /// loaded, gives an empty text and a problem for [`Bodies::problems`].
    pub fn text(&self, v: usize) -> String {
        match self {
            Bodies::Kept(texts) => texts.get(v).cloned().unwrap_or_default(),
            Bodies::FromSources(sources) => sources.text(v),
        }
    }

    /// The files that could not be rendered again, each reported once.
    pub fn problems(&self) -> Vec<Diagnostic> {
        match self {
            Bodies::Kept(_) => Vec::new(),
            Bodies::FromSources(sources) => sources
                .problems
                .lock()
                .map(|mut p| std::mem::take(&mut *p))
                .unwrap_or_default(),
        }
    }
}

/// The versions' Markdown files, with what pass one learnt from them.
pub struct Sources<'a> {
    site: &'a Site,
    rendered: &'a [RenderedBody],
    /// What each version's Markdown was when it was scanned: see [`fingerprint`].
    fingerprints: Vec<u64>,
    /// Files under content/ that are not Markdown, for links to a bundle's files.
    assets: BTreeSet<&'a str>,
    problems: Mutex<Vec<Diagnostic>>,
}

/// What a version's Markdown was when scanned (its text and the line it starts on), to tell a
/// file saved again while the site was being built. Every text is hashed twice per build (when
/// scanned and when shown), so with foldhash, several times faster than the standard library's
/// SipHash on long input; no one chooses these texts to make them collide.
pub fn fingerprint(body: &str, body_line: usize) -> u64 {
    foldhash::quality::FixedState::with_seed(0x00b0_d1e5).hash_one((body, body_line))
}

impl<'a> Sources<'a> {
    /// `rendered` are pass one's results and `fingerprints` the [`fingerprint`] of each version's
    /// Markdown as scanned.
    pub fn new(site: &'a Site, rendered: &'a [RenderedBody], fingerprints: Vec<u64>) -> Self {
        Sources {
            site,
            rendered,
            fingerprints,
            assets: site.assets.iter().map(String::as_str).collect(),
            problems: Mutex::new(Vec::new()),
        }
    }

    fn text(&self, v: usize) -> String {
        super::metrics::time_markdown(|| self.read_and_render(v))
    }

    fn read_and_render(&self, v: usize) -> String {
        let site = self.site;
        let Some(version) = site.versions.get(v) else {
            return String::new();
        };
        let (body, body_line) = match crate::load::read_body(&site.config.root, version) {
            Ok(read) => read,
            Err(d) => return self.fail(d),
        };
        if self.fingerprints.get(v) != Some(&fingerprint(&body, body_line)) {
            return self.fail(
                Diagnostic::error("the file changed while the site was being built")
                    .in_file(&version.file)
                    .hint("build again once the file is saved"),
            );
        }
        let ctx = RenderContext {
            assets: &self.assets,
            base_path: site.config.base_path(),
        };
        let mut fresh = markdown::render_text(version, &body, &ctx, Output::Html);
        drop(body);
        let html = std::mem::take(&mut fresh.html);
        // Pass one's results (each version's ids) resolve the links; the problems they raise
        // were reported by pass one already.
        let (html, _) = markdown::resolve_links(site, v, html, &fresh, self.rendered);
        html
    }

    fn fail(&self, problem: Diagnostic) -> String {
        if let Ok(mut problems) = self.problems.lock() {
            if !problems.iter().any(|p| p.file == problem.file) {
                problems.push(problem);
            }
        }
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A French report with a code block that links to its English version's heading, and
    /// that version.
    fn site() -> (tempfile::TempDir, Site) {
        crate::test_site::site(
            &["fr", "en"],
            &[
                (
                    "content/reports/lisbon.fr.md",
                    "---\ntitle: Lisbonne\n---\n# Ordre du jour\r\n\r\nVoir [la version anglaise](@/reports/lisbon.en.md#agenda).\n\n```rust\nfn main() {}\n```\n",
                ),
                (
                    "content/reports/lisbon.en.md",
                    "---\ntitle: Lisbon\n---\n# Agenda {#agenda}\n\nText.\n",
                ),
            ],
        )
    }

    /// Pass one with HTML and links resolved, as `serve` keeps the texts.
    fn kept_texts(site: &Site) -> Vec<String> {
        let assets = BTreeSet::new();
        let ctx = RenderContext {
            assets: &assets,
            base_path: site.config.base_path(),
        };
        let rendered: Vec<RenderedBody> = site
            .versions
            .iter()
            .map(|v| markdown::render(v, &ctx))
            .collect();
        (0..rendered.len())
            .map(|v| {
                markdown::resolve_links(site, v, rendered[v].html.clone(), &rendered[v], &rendered)
                    .0
            })
            .collect()
    }

    /// Pass one as a build makes it: scanned, the Markdown let go.
    fn scanned(site: &mut Site) -> (Vec<RenderedBody>, Vec<u64>) {
        let assets = BTreeSet::new();
        let base_path = site.config.base_path().to_string();
        let ctx = RenderContext {
            assets: &assets,
            base_path: &base_path,
        };
        site.versions
            .iter_mut()
            .map(|v| {
                let scan = markdown::render_text(v, &v.body, &ctx, Output::Scan);
                let print = fingerprint(&v.body, v.body_line);
                v.body = String::new();
                (scan, print)
            })
            .unzip()
    }

    #[test]
    fn texts_rendered_again_from_the_files_are_the_ones_kept_in_memory() {
        let (_dir, mut site) = site();
        let kept = kept_texts(&site);
        assert!(
            kept.iter()
                .any(|t| t.contains("/en/reports/lisbon/#agenda")),
            "{kept:?}"
        );
        assert!(
            kept.iter().any(|t| t.contains("<span")),
            "the code is highlighted: {kept:?}"
        );
        let (rendered, fingerprints) = scanned(&mut site);
        assert!(
            rendered.iter().all(|r| r.html.is_empty()),
            "a scan makes no HTML"
        );
        let sources = Bodies::FromSources(Sources::new(&site, &rendered, fingerprints));
        for (v, text) in kept.iter().enumerate() {
            assert_eq!(&sources.text(v), text);
        }
        assert!(sources.problems().is_empty());
    }

    #[test]
    fn a_file_saved_or_removed_during_the_build_is_an_error_not_a_stale_page() {
        let (dir, mut site) = site();
        let (rendered, fingerprints) = scanned(&mut site);
        let sources = Bodies::FromSources(Sources::new(&site, &rendered, fingerprints));
        let fr = site.versions.iter().position(|v| v.lang == "fr").unwrap();
        let en = 1 - fr;
        let fr_file = dir.path().join(&site.versions[fr].file);
        let text = std::fs::read_to_string(&fr_file).unwrap();
        std::fs::write(&fr_file, text.replace("Ordre", "Programme")).unwrap();
        std::fs::remove_file(dir.path().join(&site.versions[en].file)).unwrap();
        assert_eq!(sources.text(fr), "");
        assert_eq!(sources.text(fr), "");
        assert_eq!(sources.text(en), "");
        let problems = sources.problems();
        assert_eq!(problems.len(), 2, "each file once: {problems:?}");
        let changed = problems
            .iter()
            .find(|p| p.file.as_ref() == Some(&site.versions[fr].file))
            .unwrap();
        assert!(changed.is_error());
        assert_eq!(
            changed.message,
            "the file changed while the site was being built"
        );
        assert_eq!(
            changed.hint.as_deref(),
            Some("build again once the file is saved")
        );
        let removed = problems
            .iter()
            .find(|p| p.file.as_ref() == Some(&site.versions[en].file))
            .unwrap();
        assert!(
            removed.message.starts_with("cannot read the file"),
            "{removed:?}"
        );
    }
}
