//! Command-line arguments. `--help` is the first documentation most editors read, so every
//! option says what it is for.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "intercite",
    version,
    about = "Build the multilingual Intercultural Cities publications site from Markdown.",
    long_about = "intercite turns a folder of Markdown documents (content/), their translations, a theme \
(themes/<name>/) and one file per language (i18n/<lang>.yaml) into a static website in which every \
document is linked to its other language versions.\n\n\
Typical use, from the site's folder:\n  intercite check          # report every problem, write nothing\n  \
intercite build          # write the site into public/\n  \
intercite build -u https://example.org/icc   # for deployment under that address",
    after_help = "Exit codes: 0 success, 1 the build or check found errors, 2 wrong command-line usage.\n\
Set NO_COLOR=1 to turn colours off."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (public/ by default).
    ///
    /// The site is rendered into a fresh folder and replaces the previous output only when the
    /// whole build succeeded. intercite only replaces a folder it created itself.
    Build(BuildArgs),
    /// Do everything `build` does, write nothing, and report every problem found.
    ///
    /// Use it in CI before building, or while editing: it lists all errors (file:line:col, what
    /// is wrong, how to fix it) and warnings such as missing translations of UI strings.
    Check(CheckArgs),
    /// Preview the site while editing: build it in memory, serve it, rebuild on every change.
    ///
    /// Open tabs reload by themselves; the page being edited reloads in place. When a change
    /// breaks the build, the last good site stays up with the error shown over it.
    /// Nothing is written to disk (public/ is never touched).
    Serve(ServeArgs),
    /// Create a new document, or a translation of an existing one.
    ///
    ///   intercite new meetings/2024-strasbourg --lang fr --title "Réunion annuelle 2024"
    ///   intercite new --translate meetings/2024-strasbourg --lang en
    ///
    /// A translation starts as a copy of the original (front matter and text, for the
    /// translator to replace) and records which revision of the original it translates, so
    /// `intercite status` can tell when the original changed since.
    New(NewArgs),
    /// Show which documents exist in which languages, and which translations are outdated.
    Status(StatusArgs),
}

/// How `check` and `status` print their results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For programs.
    Json,
    /// GitHub Actions annotations (`::error file=…,line=…::…`), so a pull request shows each
    /// problem on its line.
    Github,
}

#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site's folder: the one holding site.yaml, content/, i18n/ and themes/.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// The address the site is published at, replacing `base_url` from site.yaml.
    #[arg(short = 'u', long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Include documents marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to write the site; relative paths start at the site's folder.
    #[arg(short = 'o', long, value_name = "DIR", default_value = "public")]
    pub output_dir: PathBuf,
    /// After the summary, print the time each stage took (config, load, index, i18n,
    /// markdown, templates, pages — rendered, minified, written and indexed for search as they
    /// come —, search, feeds, write), then the CPU time the pages of each template took:
    /// making their values, rendering Markdown, Tera, typography, minifying.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// How to print the problems: text, json, or github (Actions annotations).
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site's folder: the one holding site.yaml, content/, i18n/ and themes/.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// The address to listen on. The default only accepts connections from this machine.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub interface: String,
    /// The port; without it, 1111, or a free port when 1111 is busy.
    #[arg(short, long)]
    pub port: Option<u16>,
    /// Open the site in the default web browser.
    #[arg(long)]
    pub open: bool,
    /// Poll the files for changes instead of relying on file system events (network drives,
    /// some containers).
    #[arg(long)]
    pub poll: bool,
    /// Include documents marked `draft: true` (and the translation status page).
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["path", "translate"]))]
pub struct NewArgs {
    /// The new document: `<section>/<slug>` (creates content/<section>/<slug>/index.<lang>.md).
    pub path: Option<String>,
    /// Translate the existing document `<section>/<slug>` into `--lang`.
    #[arg(long, value_name = "SECTION/SLUG")]
    pub translate: Option<String>,
    /// The language of the new version (default: the site's default language; required with
    /// --translate).
    #[arg(long)]
    pub lang: Option<String>,
    /// The title (default: made from the slug).
    #[arg(long)]
    pub title: Option<String>,
    /// The site's folder.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The site's folder.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// text (a table per document) or json.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Only this language's column and totals.
    #[arg(long)]
    pub lang: Option<String>,
    /// Include documents marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}
