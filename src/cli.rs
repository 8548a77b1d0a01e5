//! Command-line arguments. `--help` is the first documentation most editors read, so every
//! option says what it is for.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
    Check(SiteArgs),
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
}
