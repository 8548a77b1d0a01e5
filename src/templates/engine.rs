//! The Tera 2 engine: the built-in theme, the site's theme over it, and intercite's functions.
//!
//! The built-in templates are compiled into the binary, so a site without a theme still builds;
//! a theme overrides them file by file, by name. Tera 2 functions take named arguments only,
//! hence `t(key="documents", count=3)`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use tera::{ArgFromValue, ErrorKind, Kwargs, State, Tera, Value};
use walkdir::WalkDir;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::i18n::{I18n, StringError};
use crate::load::Date;
use crate::templates::graph;
use crate::templates::partials::{self, PartialCache};

const BUILT_IN: &[(&str, &str)] = &[
    ("base.html", include_str!("builtin/base.html")),
    ("page.html", include_str!("builtin/page.html")),
    ("section.html", include_str!("builtin/section.html")),
    ("index.html", include_str!("builtin/index.html")),
    ("list_items.html", include_str!("builtin/list_items.html")),
    ("taxonomy.html", include_str!("builtin/taxonomy.html")),
    ("term.html", include_str!("builtin/term.html")),
    (
        "not_available.html",
        include_str!("builtin/not_available.html"),
    ),
    ("404.html", include_str!("builtin/404.html")),
    ("root.html", include_str!("builtin/root.html")),
    ("alias.html", include_str!("builtin/alias.html")),
    ("status.html", include_str!("builtin/status.html")),
];

/// Where each template came from, to point errors at the right file.
#[derive(Debug, Clone, Default)]
pub struct TemplateFiles {
    files: BTreeMap<String, PathBuf>,
}

impl TemplateFiles {
    pub fn file_of(&self, name: &str) -> PathBuf {
        self.files
            .get(name)
            .cloned()
            .unwrap_or_else(|| PathBuf::from(format!("(built-in theme)/{name}")))
    }
}

/// Content path → language → site URL, for the `url(path="@/…")` function.
pub type UrlTable = BTreeMap<String, BTreeMap<String, String>>;

/// The loaded templates with intercite's functions registered.
pub struct Engine {
    /// Shared with `include_cached`, which renders partials with it (see [`partials`]).
    pub tera: Arc<Tera>,
    /// The partials `include_cached` rendered in the current build.
    pub partials: Arc<PartialCache>,
    pub files: TemplateFiles,
    /// Template name → source, to explain runtime errors (see [`graph::component_loop`]).
    pub sources: BTreeMap<String, String>,
}

/// Reads the theme's templates (if any) over the built-in ones and registers functions.
pub fn load(
    config: &Config,
    i18n: Arc<I18n>,
    urls: Arc<UrlTable>,
    problems: &mut Diagnostics,
) -> Option<Engine> {
    let mut sources: BTreeMap<String, String> = BUILT_IN
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    let mut files = TemplateFiles::default();
    if let Some(theme) = &config.theme {
        let dir = config.root.join("themes").join(theme).join("templates");
        for entry in WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(&dir).unwrap_or(entry.path());
            let name = rel.to_string_lossy().replace('\\', "/");
            let display = entry
                .path()
                .strip_prefix(&config.root)
                .unwrap_or(entry.path())
                .to_path_buf();
            match fs::read(entry.path()).map(String::from_utf8) {
                Ok(Ok(text)) => {
                    sources.insert(name.clone(), text);
                    files.files.insert(name, display);
                }
                _ => problems.push(
                    Diagnostic::error("cannot read this template as UTF-8 text")
                        .in_file(display)
                        .hint("save the template as UTF-8"),
                ),
            }
        }
    }
    // Syntax errors, one template at a time, so every broken template is reported.
    let mut syntax_ok = true;
    for (name, source) in &sources {
        let mut single = Tera::new();
        if let Err(e) = single.add_raw_template(name, source) {
            if matches!(e.kind(), ErrorKind::SyntaxError(_)) {
                problems.push(template_diagnostic(&e, &files, name));
                syntax_ok = false;
            }
        }
    }
    if !syntax_ok {
        return None;
    }
    // Missing templates, loops and over-long chains, before Tera follows them recursively.
    let graph_problems = graph::check(&sources, &files);
    if !graph_problems.is_empty() {
        problems.extend(graph_problems);
        return None;
    }
    let mut tera = Tera::new();
    tera.set_escape_fn(super::escape::escape_html);
    register_functions(&mut tera, config, i18n, urls);
    let partial_cache = Arc::new(PartialCache::default());
    let finished: Arc<OnceLock<Weak<Tera>>> = Arc::new(OnceLock::new());
    partials::register(&mut tera, Arc::clone(&partial_cache), Arc::clone(&finished));
    if let Err(e) = tera.add_raw_templates(sources.iter()) {
        match e.kind() {
            ErrorKind::Msg(text) if text.contains(" --> ") => {
                problems.extend(reports_in_message(text, &files));
            }
            _ => problems.push(template_diagnostic(&e, &files, "base.html")),
        }
        return None;
    }
    let tera = Arc::new(tera);
    let _ = finished.set(Arc::downgrade(&tera));
    Some(Engine {
        tera,
        partials: partial_cache,
        files,
        sources,
    })
}

/// A Tera error as a diagnostic at the template's file, line and column.
pub fn template_diagnostic(
    error: &tera::Error,
    files: &TemplateFiles,
    fallback_name: &str,
) -> Diagnostic {
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    let with_causes = |message: String| {
        if causes.is_empty() {
            message
        } else {
            format!("{message}: {}", causes.join(": "))
        }
    };
    match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let name = if report.filename().is_empty() {
                fallback_name
            } else {
                report.filename()
            };
            let span = report.span();
            let kind = if matches!(error.kind(), ErrorKind::SyntaxError(_)) {
                "template syntax error"
            } else {
                "template error"
            };
            Diagnostic::error(with_causes(format!("{kind}: {}", report.message())))
                .in_file(files.file_of(name))
                .at(span.start_line.max(1), span.start_col + 1)
                .hint(template_hint(report.message()))
        }
        ErrorKind::CircularExtend {
            tpl,
            inheritance_chain,
        } => Diagnostic::error(format!(
            "templates extend each other in a loop: {} → {tpl}",
            inheritance_chain.join(" → ")
        ))
        .in_file(files.file_of(tpl))
        .hint("one template in the chain must stop extending the others"),
        ErrorKind::CircularInclude { tpl, include_chain } => Diagnostic::error(format!(
            "templates include each other in a loop: {}",
            include_chain.join(" → ")
        ))
        .in_file(files.file_of(tpl))
        .hint("remove one `{% include %}` of the chain"),
        ErrorKind::MissingParent { current, parent } => Diagnostic::error(format!(
            "template `{current}` extends `{parent}`, which does not exist"
        ))
        .in_file(files.file_of(current))
        .hint(format!(
            "create {parent} in the theme's templates folder or fix the name in `{{% extends %}}`"
        )),
        ErrorKind::TemplateNotFound(name) => {
            Diagnostic::error(format!("template `{name}` not found"))
                .in_file(files.file_of(fallback_name))
                .hint(format!(
                    "create templates/{name} in the theme, or fix the template's name"
                ))
        }
        _ => Diagnostic::error(with_causes(format!("template error: {error}")))
            .in_file(files.file_of(fallback_name)),
    }
}

/// Tera reports unknown filters, functions and components of all templates as one message of
/// rustc-style reports (`error: Unknown filter `x`` then ` --> page.html:1:17`); this turns each
/// report into a diagnostic at the theme file.
fn reports_in_message(text: &str, files: &TemplateFiles) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut message: Option<&str> = None;
    for line in text.lines() {
        if let Some(m) = line.strip_prefix("error: ") {
            message = Some(m);
        } else if let (Some(m), Some(place)) = (message, line.trim_start().strip_prefix("--> ")) {
            let mut parts = place.rsplitn(3, ':');
            let column = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
            let line_number = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
            let name = parts.next().unwrap_or(place);
            let hint = if m.starts_with("Unknown filter") || m.starts_with("Unknown function") {
                "check the spelling; intercite adds the functions t, url and plurals and the filters date, number, filesize and json to Tera's own".to_string()
            } else {
                template_hint(m)
            };
            found.push(
                Diagnostic::error(format!("template error: {m}"))
                    .in_file(files.file_of(name))
                    .at(line_number, column)
                    .hint(hint),
            );
            message = None;
        }
    }
    if found.is_empty() {
        found.push(Diagnostic::error(format!("template error: {text}")));
    }
    found
}

fn template_hint(message: &str) -> String {
    if message.contains("not defined") || message.contains("not found in context") {
        "the variable does not exist on this page; use `{% if x is defined %}` or `x | default(value=…)`".to_string()
    } else if message.contains("UI string") {
        "add the string under `strings:` in i18n/<lang>.yaml".to_string()
    } else {
        "see the Tera 2 documentation for the syntax; intercite's functions are t(key=…), url(path=…) and the date filter".to_string()
    }
}

/// The texts of `t(key=…, count=n)`: language → key → count → text.
type CountedTexts =
    foldhash::HashMap<String, foldhash::HashMap<String, foldhash::HashMap<i64, Value>>>;

fn register_functions(tera: &mut Tera, config: &Config, i18n: Arc<I18n>, urls: Arc<UrlTable>) {
    let strings = Arc::clone(&i18n);
    // `t(key=…)` without a count or arguments, as Tera values: returned as they are (a clone
    // shares a long string), with no lookup through the fallbacks and no copy.
    // Hashed with foldhash rather than SipHash: two lookups for each of those thirty calls.
    let plain: foldhash::HashMap<String, foldhash::HashMap<String, Value>> = i18n
        .plain_strings()
        .into_iter()
        .map(|(lang, texts)| {
            let values = texts
                .into_iter()
                .map(|(key, text)| (key, Value::from(text)))
                .collect();
            (lang, values)
        })
        .collect();
    // `t(key=…, count=n)` as written before, by language, key and count: a list's pagination
    // asks for "page n" for every page of the list on every one of its pages, and each text
    // costs a CLDR number and a plural rule.
    let counted: Mutex<CountedTexts> = Mutex::new(CountedTexts::default());
    tera.register_function(
        "t",
        move |kwargs: Kwargs, state: &State| -> tera::TeraResult<Value> {
            // One walk over the arguments rather than a hashed lookup per name, and the strings
            // borrowed: `t` runs some thirty times on every page.
            let (mut key, mut lang, mut count) = (None, None, None);
            let mut others = Vec::new();
            for (name, value) in kwargs.iter() {
                match name.as_str() {
                    Some("key") => key = Some(Cow::from_value(value)?),
                    Some("lang") => lang = Some(Cow::from_value(value)?),
                    Some("count") => count = Some(i64::from_value(value)?),
                    _ => others.push((name, value)),
                }
            }
            let Some(key) = key else {
                // Tera's own error for a missing argument.
                return kwargs.must_get::<String>("key").map(Value::from);
            };
            // The page's language borrowed from Tera's value rather than copied: `t` runs
            // some thirty times on every page.
            let page_lang;
            let lang: &str = match &lang {
                Some(lang) => lang,
                None => {
                    page_lang = current_lang_value(state)?;
                    page_lang.as_str().unwrap_or_default()
                }
            };
            if count.is_none() && others.is_empty() {
                if let Some(text) = plain.get(lang).and_then(|texts| texts.get(key.as_ref())) {
                    return Ok(text.clone());
                }
            }
            let counted_only = count.filter(|_| others.is_empty());
            if let Some(count) = counted_only {
                let counted = counted
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                if let Some(text) = counted
                    .get(lang)
                    .and_then(|by_key| by_key.get(key.as_ref()))
                    .and_then(|by_count| by_count.get(&count))
                {
                    return Ok(text.clone());
                }
            }
            let args: Vec<(String, String)> = others
                .into_iter()
                .map(|(k, v)| {
                    (
                        k.as_str().unwrap_or_default().to_string(),
                        // Numbers are written the language's way (CLDR), like `{count}`.
                        match (v.as_str(), v.as_i64()) {
                            (Some(text), _) => text.to_string(),
                            (None, Some(n)) => strings.cldr.format_number(strings.locale(lang), n),
                            (None, None) => v.to_string(),
                        },
                    )
                })
                .collect();
            let text = strings
                .translate(lang, &key, count, &args)
                .map(Value::from)
                .map_err(|StringError::Unknown(key)| {
                    tera::Error::message(format!(
                        "unknown UI string `{key}`: no language defines it"
                    ))
                })?;
            if let Some(count) = counted_only {
                let mut counted = counted
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                counted
                    .entry(lang.to_string())
                    .or_default()
                    .entry(key.into_owned())
                    .or_default()
                    .insert(count, text.clone());
            }
            Ok(text)
        },
    );

    let forms = Arc::clone(&i18n);
    // Each language's forms made into a Tera value once and shared by every page: the same
    // value each time also lets the `json` filter reuse its text (see `shared_json`).
    let made: Mutex<HashMap<String, HashMap<String, Value>>> = Mutex::new(HashMap::new());
    tera.register_function(
        "plurals",
        move |kwargs: Kwargs, state: &State| -> tera::TeraResult<Value> {
            let key = kwargs.must_get::<Cow<str>>("key")?;
            let lang = match kwargs.get::<String>("lang")? {
                Some(lang) => lang,
                None => current_lang(state)?,
            };
            let mut made = made.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(value) = made.get(&lang).and_then(|by_key| by_key.get(key.as_ref())) {
                return Ok(value.clone());
            }
            let value = forms
                .plural_forms(&lang, &key)
                .map(|forms| Value::from_serializable(&forms))
                .map_err(|StringError::Unknown(key)| {
                    tera::Error::message(format!(
                        "unknown UI string `{key}`: no language defines it"
                    ))
                })?;
            made.entry(lang)
                .or_default()
                .insert(key.into_owned(), value.clone());
            Ok(value)
        },
    );

    let base_path = config.base_path().to_string();
    tera.register_function(
        "url",
        move |kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
            // Borrowed: `url` runs several times on every page.
            let path = kwargs.must_get::<Cow<str>>("path")?;
            if let Some(content_path) = path.strip_prefix("@/") {
                let lang = match kwargs.get::<String>("lang")? {
                    Some(lang) => lang,
                    None => current_lang(state)?,
                };
                let (content_path, anchor) = content_path
                    .split_once('#')
                    .map_or((content_path, ""), |(p, a)| (p, a));
                let content_path = content_path.trim_end_matches('/');
                let url = urls
                    .get(content_path)
                    .and_then(|by_lang| by_lang.get(&lang).or_else(|| by_lang.values().next()))
                    .ok_or_else(|| {
                        tera::Error::message(format!(
                            "url(path=\"{path}\"): no document or section `{content_path}`"
                        ))
                    })?;
                let anchor = if anchor.is_empty() {
                    String::new()
                } else {
                    format!("#{anchor}")
                };
                return Ok(format!("{base_path}{url}{anchor}"));
            }
            if path.contains("://") || path.starts_with("//") {
                return Ok(path.into_owned());
            }
            // Pushed rather than `format!`ed: the formatting machinery cost more than the
            // rest of the call, which runs about eight times on every page.
            let path = path.trim_start_matches('/');
            let mut url = String::with_capacity(base_path.len() + 1 + path.len());
            url.push_str(&base_path);
            url.push('/');
            url.push_str(path);
            Ok(url)
        },
    );

    let dates = Arc::clone(&i18n);
    tera.register_filter(
        "date",
        move |value: String, kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
            let style = kwargs
                .get::<String>("style")?
                .unwrap_or_else(|| "long".to_string());
            let lang = match kwargs.get::<String>("lang")? {
                Some(lang) => lang,
                None => current_lang(state)?,
            };
            let date = Date::parse(&value).map_err(tera::Error::message)?;
            let locale = dates.locale(&lang);
            let formatted = match style.as_str() {
                "short" => dates
                    .cldr
                    .short_date(locale, date.year, date.month, date.day),
                "iso" => Ok(date.iso()),
                _ => dates
                    .cldr
                    .long_date(locale, date.year, date.month, date.day),
            };
            formatted.map_err(tera::Error::message)
        },
    );

    let numbers = Arc::clone(&i18n);
    tera.register_filter(
        "number",
        move |value: Value, kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
            let decimals = kwargs.get::<i64>("decimals")?.unwrap_or(0).clamp(0, 6) as i16;
            let lang = match kwargs.get::<String>("lang")? {
                Some(lang) => lang,
                None => current_lang(state)?,
            };
            let number = value
                .as_f64()
                .or_else(|| value.as_i64().map(|i| i as f64))
                .ok_or_else(|| {
                    tera::Error::message(format!("`number` needs a number, not {}", value.name()))
                })?;
            let units = (number * 10f64.powi(i32::from(decimals))).round() as i64;
            Ok(numbers
                .cldr
                .format_decimal(numbers.locale(&lang), units, decimals))
        },
    );

    let sizes = Arc::clone(&i18n);
    tera.register_filter(
        "filesize",
        move |bytes: i64, _: Kwargs, state: &State| -> tera::TeraResult<String> {
            let lang = current_lang(state)?;
            let locale = sizes.locale(&lang);
            let (key, size) = if bytes >= 1_048_576 {
                let tenths = (bytes * 10 + 524_288) / 1_048_576;
                ("size_mb", sizes.cldr.format_decimal(locale, tenths, 1))
            } else {
                (
                    "size_kb",
                    sizes.cldr.format_number(locale, (bytes + 1023) / 1024),
                )
            };
            sizes
                .translate(&lang, key, None, &[("size".to_string(), size)])
                .map_err(|StringError::Unknown(key)| {
                    tera::Error::message(format!("unknown UI string `{key}`"))
                })
        },
    );

    tera.register_filter(
        "json",
        |value: Value, _: Kwargs, _: &State| -> tera::TeraResult<Value> {
            if let Some(text) = shared_json::get(&value) {
                return Ok(text);
            }
            // Through serde_json's own value, whose maps are sorted: Tera's maps are hash maps,
            // and their order would change the page from one build to the next.
            let sorted = serde_json::to_value(&value).map_err(tera::Error::message)?;
            let text = serde_json::to_string(&sorted).map_err(tera::Error::message)?;
            // Safe for a <script> element: no "</" sequence can close it.
            let text = Value::safe_string(&text.replace("</", "<\\/"));
            shared_json::keep(value, &text);
            Ok(text)
        },
    );
}

/// What the `json` filter wrote for the arrays and maps that every page shares
/// (`site.languages`, a language's plural forms), kept per rendering thread: the base template
/// writes them into each page's search settings, and serialising them again was most of the
/// filter's time.
///
/// Tera's arrays and maps are reference-counted, and such a value reaches the filter as a
/// clone of the one the site's context holds, so its address tells it apart. Each entry keeps
/// its value alive, so no other array or map can take that address while the entry lasts; and
/// a value shared this way is never changed in place (a change would copy it).
mod shared_json {
    use std::cell::RefCell;
    use tera::Value;

    /// Enough for the shared values of a page; a page's own arrays pass through and are soon
    /// pushed out.
    const ENTRIES: usize = 16;

    thread_local! {
        /// (value, its text), the oldest first.
        static KEPT: RefCell<Vec<(Value, Value)>> = const { RefCell::new(Vec::new()) };
    }

    /// The address that identifies an array or a map; none for other values, cheap to write
    /// again.
    fn address(value: &Value) -> Option<*const ()> {
        if let Some(items) = value.as_array() {
            // Every empty array has the same dangling address, and the same text.
            return Some(items.as_ptr().cast());
        }
        value.as_map().map(|map| std::ptr::from_ref(map).cast())
    }

    /// The text written before for this very array or map.
    pub fn get(value: &Value) -> Option<Value> {
        let wanted = address(value)?;
        KEPT.with_borrow(|kept| {
            kept.iter()
                .find(|(shared, _)| address(shared) == Some(wanted))
                .map(|(_, text)| text.clone())
        })
    }

    /// Keeps the text written for `value` if it is an array or a map.
    pub fn keep(value: Value, text: &Value) {
        if address(&value).is_none() {
            return;
        }
        KEPT.with_borrow_mut(|kept| {
            if kept.len() == ENTRIES {
                kept.remove(0);
            }
            kept.push((value, text.clone()));
        });
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn one_array_is_found_by_its_address_and_an_equal_copy_is_not() {
            let languages = Value::from(vec![Value::from("fr"), Value::from("en")]);
            let text = Value::safe_string("[\"fr\",\"en\"]");
            keep(languages.clone(), &text);
            assert_eq!(get(&languages.clone()).as_ref(), Some(&text));
            // An equal array made apart is another value: it is written out again.
            let equal = Value::from(vec![Value::from("fr"), Value::from("en")]);
            assert!(get(&equal).is_none());
            // Strings are not kept.
            keep(Value::from("fr"), &text);
            assert!(get(&Value::from("fr")).is_none());
        }

        #[test]
        fn the_oldest_entry_makes_room() {
            let first = Value::from(vec![Value::from(0)]);
            keep(first.clone(), &Value::from("first"));
            for n in 1..=ENTRIES {
                keep(Value::from(vec![Value::from(n)]), &Value::from("other"));
            }
            assert!(get(&first).is_none());
        }
    }
}

/// The page's `lang`, as the string value Tera holds.
fn current_lang_value(state: &State) -> tera::TeraResult<Value> {
    match state.get::<Value>("lang")? {
        Some(lang) if lang.as_str().is_some() => Ok(lang),
        _ => Err(tera::Error::message(
            "no `lang` on this page: pass lang=\"fr\"",
        )),
    }
}

fn current_lang(state: &State) -> tera::TeraResult<String> {
    state
        .get::<String>("lang")?
        .ok_or_else(|| tera::Error::message("no `lang` on this page: pass lang=\"fr\""))
}

/// The site-relative file name of a template inside a theme, for messages.
pub fn theme_template_path(root: &Path, theme: &str, name: &str) -> PathBuf {
    root.join("themes").join(theme).join("templates").join(name)
}
