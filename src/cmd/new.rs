//! `intercite new`: create a new document version, or a translation of a document's original.

use crate::cli::NewArgs;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::scaffold::{self, NewFile};
use crate::{index, load};

#[allow(clippy::print_stderr)]
pub fn run(args: &NewArgs) -> i32 {
    let config = match Config::load(&args.root, None) {
        Ok(config) => config,
        Err(problems) => {
            super::print_diagnostics(&problems.into_sorted());
            return 1;
        }
    };
    let result = match (&args.translate, &args.path) {
        (Some(path), _) => {
            let Some(lang) = &args.lang else {
                eprintln!(
                    "error: --translate needs --lang, the language to translate into\n  = help: e.g. intercite new --translate {path} --lang en"
                );
                return 2;
            };
            translate(config, path, lang)
        }
        (None, Some(path)) => new_document(&config, path, args),
        // clap requires one of the two; say so anyway rather than panic.
        (None, None) => Err(vec![Diagnostic::error(
            "give the new document's path, or --translate <section>/<slug>",
        )]),
    };
    match result {
        Ok(message) => {
            eprintln!("{message}");
            0
        }
        Err(problems) => {
            super::print_diagnostics(&problems);
            1
        }
    }
}

fn new_document(config: &Config, path: &str, args: &NewArgs) -> Result<String, Vec<Diagnostic>> {
    let lang = args.lang.as_deref().unwrap_or(&config.default_language);
    let new = scaffold::new_document(
        config,
        path,
        lang,
        args.title.as_deref(),
        scaffold::today_utc(),
    )
    .map_err(|d| vec![d])?;
    let others = scaffold::document_path(path, config)
        .map(|normal| scaffold::existing_versions(config, &normal))
        .unwrap_or_default();
    create(config, &new)?;
    let mut message = format!("Created {}", display(&new.file));
    // Probably meant as a translation: say how to get one that status can track.
    if !others.is_empty() {
        let langs: Vec<&str> = others.iter().map(|(l, _)| l.as_str()).collect();
        message.push_str(&format!(
            "\nnote: this document also exists in {}; `intercite new --translate {path} --lang {lang}` would have copied its original and recorded which revision it translates",
            langs.join(", ")
        ));
    }
    Ok(message)
}

fn translate(config: Config, path: &str, lang: &str) -> Result<String, Vec<Diagnostic>> {
    config.require_language(lang).map_err(|d| vec![d])?;
    let mut problems = Diagnostics::new();
    // Drafts too: a draft can be translated before it is published.
    let loaded = load::load(&config, true, &mut problems);
    let site = index::index(config, loaded, &mut problems);
    // A site with errors may have lost the original (a file that failed to load) and would
    // pick another version as the one to translate from: refuse instead.
    if problems.has_errors() {
        let mut all: Vec<Diagnostic> = problems
            .into_sorted()
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect();
        all.push(
            Diagnostic::error("the content has errors: no translation was created").hint(
                "fix the errors above (`intercite check` lists them all), then run this again",
            ),
        );
        return Err(all);
    }
    let planned = scaffold::new_translation(&site, path, lang).map_err(|d| vec![d])?;
    create(&site.config, &planned.new)?;
    Ok(format!(
        "Created {} (translation of {} in {}; replace the text with its translation)",
        display(&planned.new.file),
        display(&planned.original_file),
        planned.original_lang
    ))
}

fn create(config: &Config, new: &NewFile) -> Result<(), Vec<Diagnostic>> {
    scaffold::create(&config.root, new).map_err(|d| vec![d])
}

/// A path under the site root, with `/` on every system.
fn display(file: &std::path::Path) -> String {
    file.display().to_string().replace('\\', "/")
}
