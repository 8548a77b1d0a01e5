//! The editors' translation status page, `/_status/`: the translation matrix as a table with
//! a link to every existing version. It is rendered only in builds with drafts (`--drafts`,
//! the editors' preview), in the default language, `noindex`, without hreflang alternates,
//! and never in the sitemap, so a production build never publishes it.

use super::fingerprint::{Mode, PageContext};

use super::context::{LanguageCtx, StatusCell, StatusCtx, StatusDocument, StatusTotals};
use super::Renderer;
use crate::index::urls;
use crate::translation::{self, TranslationState};

/// The page's address (no language prefix: it is about every language).
pub const URL: &str = "/_status/";

impl Renderer<'_> {
    pub(super) fn status_context(&self, mode: Mode) -> PageContext {
        let site = self.site;
        let lang = site.config.default_language.clone();
        let home = |l: &str| urls::join(l, &[]);
        let mut context = self.base(
            &lang,
            Vec::new(),
            self.switcher(&lang, |l| (home(l), true)),
            None,
            mode,
        );
        let label = |state: TranslationState| {
            let key = format!("status_{}", state.as_str());
            self.i18n
                .translate(&lang, &key, None, &[])
                .unwrap_or_else(|_| state.as_str().to_string())
        };
        let language_ctx = |code: &str| {
            let language = site
                .config
                .language(code)
                .unwrap_or_else(|| site.config.default_lang());
            LanguageCtx {
                code: language.code.clone(),
                name: language.name.clone(),
                dir: language.dir.as_str(),
                url: site.href(&home(&language.code)),
            }
        };
        let matrix = translation::matrix(site);
        let documents = matrix
            .rows
            .iter()
            .map(|row| StatusDocument {
                key: row.key.clone(),
                title: site.original_version(row.doc).front.title.clone(),
                lang: row.original.clone(),
                dir: language_ctx(&row.original).dir,
                cells: row
                    .cells
                    .iter()
                    .map(|cell| StatusCell {
                        lang: cell.lang.clone(),
                        state: cell.state.as_str(),
                        label: label(cell.state),
                        url: cell.version.map(|v| site.href(&site.version_urls[v])),
                    })
                    .collect(),
            })
            .collect();
        let totals = matrix
            .languages
            .iter()
            .map(|code| {
                let t = matrix.totals_of(code);
                StatusTotals {
                    language: language_ctx(code),
                    original: t.original,
                    current: t.current,
                    outdated: t.outdated,
                    missing: t.missing,
                }
            })
            .collect();
        context.insert(
            "status",
            &StatusCtx {
                languages: matrix.languages.iter().map(|l| language_ctx(l)).collect(),
                documents,
                totals,
            },
        );
        context
    }
}
