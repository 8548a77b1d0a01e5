//! `include_cached(name="…", …)`: a template rendered once per build for each set of
//! arguments, like Hugo's `partialCached`.
//!
//! A list page shows twenty documents' cards, and each card runs the theme's loops over the
//! site's languages: on the 2,000-document benchmark corpus the 104,000 cards of the 5,200 list
//! and term pages were most of Tera's time, though only 16,000 of them differ (a document's card
//! in a language is the same on its section's pages and on each of its terms' pages). The
//! theme puts a card in its own template and calls `include_cached`; the card is rendered the
//! first time its arguments are met and copied after.
//!
//! What the partial sees: its arguments, and the calling page's `lang`, `dir` and `site` (so
//! that `t()` and `site.languages` work in it); its context holds nothing else. `site` and
//! `dir` are the same for every page of a language within a build, and the cache is emptied
//! when a build starts ([`PartialCache::clear`]).
//!
//! The output is kept by a 128-bit hash of the partial's name, the page's language and the
//! arguments: text and numbers by their value, maps and arrays by the address of their storage.
//! Tera's maps and arrays are shared, never changed in place, and each entry holds its
//! arguments, so no other value can take that address while the entry can be found. Hashing a
//! card's whole map instead took a third of the time the cache saved. Two equal maps at
//! different addresses are rendered twice: the same output, once more.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use tera::{Context, Kwargs, State, Tera, Value};

/// The function's name in templates.
pub const FUNCTION: &str = "include_cached";

/// How many partials may be inside one another, to stop a partial that includes itself through
/// a name the template checker could not read (a variable) before it overflows the stack.
const MAX_NESTING: u32 = 16;

/// Past this many bytes of kept output, the older generation is dropped (outputs used since
/// are carried into the newer one), so a large site's cards do not all stay in memory. At
/// 2,000 documents the cards take about 20 MiB.
const GENERATION_BYTES: usize = 32 << 20;

thread_local! {
    /// Partials being rendered on this thread, one inside the other.
    static NESTING: Cell<u32> = const { Cell::new(0) };
}

/// The partials rendered during this build, by [`key`].
#[derive(Default)]
pub struct PartialCache {
    generations: Mutex<Generations>,
}

struct Generations {
    current: HashMap<u128, Kept, foldhash::fast::FixedState>,
    previous: HashMap<u128, Kept, foldhash::fast::FixedState>,
    current_bytes: usize,
    /// [`GENERATION_BYTES`], smaller in tests.
    limit: usize,
}

impl Default for Generations {
    fn default() -> Self {
        Generations {
            current: HashMap::default(),
            previous: HashMap::default(),
            current_bytes: 0,
            limit: GENERATION_BYTES,
        }
    }
}

/// A partial's output, with the arguments whose addresses are part of its key.
struct Kept {
    output: Value,
    /// Held so that their storage, whose address the key names, is not freed and reused by
    /// another value while this entry can be found.
    _arguments: Vec<Value>,
}

impl PartialCache {
    /// Forgets every output: called when a build starts, since the pages' values (`site`, the
    /// UI strings behind `t()`) may have changed since the last one.
    pub fn clear(&self) {
        let mut generations = self.lock();
        let limit = generations.limit;
        *generations = Generations {
            limit,
            ..Generations::default()
        };
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        self.generations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn get(&self, key: u128) -> Option<Value> {
        let mut generations = self.lock();
        if let Some(kept) = generations.current.get(&key) {
            return Some(kept.output.clone());
        }
        let kept = generations.previous.remove(&key)?;
        let output = kept.output.clone();
        generations.keep(key, kept);
        Some(output)
    }

    fn keep(&self, key: u128, kept: Kept) {
        self.lock().keep(key, kept);
    }
}

impl Generations {
    fn keep(&mut self, key: u128, kept: Kept) {
        let bytes = kept.output.as_str().map_or(0, str::len);
        if self.current_bytes + bytes > self.limit {
            self.previous = std::mem::take(&mut self.current);
            self.current_bytes = 0;
        }
        self.current_bytes += bytes;
        self.current.insert(key, kept);
    }
}

/// Registers `include_cached` on `tera`. The function renders with the finished engine, which
/// does not exist yet: `engine` is filled in once the templates are added (a weak reference,
/// as the engine owns the function).
pub fn register(tera: &mut Tera, cache: Arc<PartialCache>, engine: Arc<OnceLock<Weak<Tera>>>) {
    tera.register_function(
        FUNCTION,
        move |kwargs: Kwargs, state: &State| -> tera::TeraResult<Value> {
            let name = kwargs.must_get::<Cow<str>>("name")?;
            let lang = state.get::<Value>("lang")?.unwrap_or_else(Value::none);
            let key = key(&name, &lang, &kwargs);
            if let Some(output) = cache.get(key) {
                return Ok(output);
            }
            let Some(tera) = engine.get().and_then(Weak::upgrade) else {
                return Err(tera::Error::message(format!(
                    "`{FUNCTION}` was called before the templates were loaded"
                )));
            };
            let mut context = Context::new();
            for shared in ["lang", "dir", "site"] {
                if let Some(value) = state.get::<Value>(shared)? {
                    context.insert_value(shared, value);
                }
            }
            for (argument, value) in kwargs.iter() {
                match argument.as_str() {
                    Some("name") | None => {}
                    Some(argument) => context.insert_value(argument.to_string(), value.clone()),
                }
            }
            let output = render_nested(&tera, &name, &context)?;
            let output = Value::safe_string(&output);
            let arguments = kwargs.iter().map(|(_, value)| value.clone()).collect();
            cache.keep(
                key,
                Kept {
                    output: output.clone(),
                    _arguments: arguments,
                },
            );
            Ok(output)
        },
    );
}

/// Renders the partial, counting how deep partials are inside one another on this thread.
fn render_nested(tera: &Tera, name: &str, context: &Context) -> tera::TeraResult<String> {
    let depth = NESTING.with(Cell::get);
    if depth >= MAX_NESTING {
        return Err(tera::Error::message(format!(
            "`{FUNCTION}(name=\"{name}\")` is more than {MAX_NESTING} partials deep: a partial includes itself without end"
        )));
    }
    NESTING.with(|n| n.set(depth + 1));
    let rendered = tera.render(name, context);
    NESTING.with(|n| n.set(depth));
    rendered.map_err(|error| tera::Error::message(describe(name, &error)))
}

/// The partial's own error with its place, since the caller's error points at the call.
fn describe(name: &str, error: &tera::Error) -> String {
    let mut text = match error.kind() {
        tera::ErrorKind::RenderingError(report) | tera::ErrorKind::SyntaxError(report) => {
            let span = report.span();
            format!(
                "in `{name}`, line {}, column {}: {}",
                span.start_line.max(1),
                span.start_col + 1,
                report.message()
            )
        }
        tera::ErrorKind::TemplateNotFound(missing) => {
            format!("there is no template `{missing}`")
        }
        _ => format!("in `{name}`: {error}"),
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// What names a partial's output: its name, the page's language and its arguments (maps and
/// arrays by address, see the module's comment).
fn key(name: &str, lang: &Value, kwargs: &Kwargs) -> u128 {
    let mut hasher = ValueHasher::new();
    hasher.write(name.as_bytes());
    hasher.write_u8(0xff);
    hasher.scalar(lang);
    // Named arguments in any order: each hashed alone and the hashes summed.
    let mut arguments: u128 = 0;
    for (argument, value) in kwargs.iter() {
        let mut one = ValueHasher::new();
        one.write(argument.as_str().unwrap_or_default().as_bytes());
        one.write_u8(0xff);
        one.argument(value);
        arguments = arguments.wrapping_add(one.finish128());
    }
    hasher.write_u128(arguments);
    hasher.finish128()
}

/// Two fixed-seed foldhash hashers fed the same bytes: 128 bits, so that two different
/// arguments never share an output in practice.
struct ValueHasher {
    first: foldhash::quality::FoldHasher<'static>,
    second: foldhash::quality::FoldHasher<'static>,
}

static FIRST_SEED: foldhash::quality::FixedState =
    foldhash::quality::FixedState::with_seed(0x5eed_ca11_ed00_0001);
static SECOND_SEED: foldhash::quality::FixedState =
    foldhash::quality::FixedState::with_seed(0x9e37_79b9_7f4a_7c15);

impl ValueHasher {
    fn new() -> Self {
        ValueHasher {
            first: FIRST_SEED.build_hasher(),
            second: SECOND_SEED.build_hasher(),
        }
    }

    fn finish128(&self) -> u128 {
        (u128::from(self.first.finish()) << 64) | u128::from(self.second.finish())
    }

    /// An argument: a map or an array by the address of its storage, anything else by value.
    fn argument(&mut self, value: &Value) {
        if let Some(map) = value.as_map() {
            self.write_u8(9);
            self.write_usize(std::ptr::from_ref(map) as usize);
        } else if let Some(items) = value.as_array() {
            self.write_u8(10);
            self.write_usize(items.as_ptr() as usize);
            self.write_usize(items.len());
        } else {
            self.scalar(value);
        }
    }

    /// A value that is neither a map nor an array, by its kind and contents.
    fn scalar(&mut self, value: &Value) {
        if let Some(text) = value.as_str() {
            self.write_u8(1);
            self.write_usize(text.len());
            self.write(text.as_bytes());
        } else if let Some(flag) = value.as_bool() {
            self.write_u8(4);
            self.write_u8(u8::from(flag));
        } else if let Some(bytes) = value.as_bytes() {
            self.write_u8(5);
            self.write_usize(bytes.len());
            self.write(bytes);
        } else if value.is_none() {
            self.write_u8(6);
        } else if value.is_undefined() {
            self.write_u8(7);
        } else {
            // Numbers, by their exact kind and digits.
            self.write_u8(8);
            self.write(value.name().as_bytes());
            self.write(value.to_string().as_bytes());
        }
    }
}

impl Hasher for ValueHasher {
    fn finish(&self) -> u64 {
        self.first.finish()
    }

    fn write(&mut self, bytes: &[u8]) {
        self.first.write(bytes);
        self.second.write(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Tera with `include_cached` and the given templates, and the function's cache.
    fn engine(templates: &[(&str, &str)]) -> (Arc<Tera>, Arc<PartialCache>) {
        let mut tera = Tera::new();
        let cache = Arc::new(PartialCache::default());
        let slot = Arc::new(OnceLock::new());
        register(&mut tera, Arc::clone(&cache), Arc::clone(&slot));
        tera.add_raw_templates(templates.iter().copied())
            .expect("templates");
        let tera = Arc::new(tera);
        slot.set(Arc::downgrade(&tera)).expect("set once");
        (tera, cache)
    }

    fn kept(cache: &PartialCache) -> usize {
        let generations = cache.lock();
        generations.current.len() + generations.previous.len()
    }

    const CARD: &str = "{%- set mine = item.lang == lang %}\n<li class=\"{{ heading }}\">{{ item.title }}{% if not mine %} ({{ item.lang }}){% endif %} [{{ site.name }}, {{ dir }}]</li>\n";

    fn page_context(lang: &str, items: &Value) -> Context {
        let mut context = Context::new();
        context.insert("lang", lang);
        context.insert("dir", if lang == "ar" { "rtl" } else { "ltr" });
        context.insert("site", &BTreeMapish::site());
        context.insert_value("items", items.clone());
        context.insert("secret", "page only");
        context
    }

    struct BTreeMapish;
    impl BTreeMapish {
        fn site() -> std::collections::BTreeMap<&'static str, &'static str> {
            [("name", "ICC")].into_iter().collect()
        }
    }

    fn items() -> Value {
        let item = |title: &str, lang: &str| {
            Value::from_serializable(
                &[("title", title), ("lang", lang)]
                    .into_iter()
                    .collect::<std::collections::BTreeMap<_, _>>(),
            )
        };
        let reused = item("Réunion <annuelle>", "fr");
        Value::from(vec![
            reused.clone(),
            item("Annual meeting", "en"),
            reused,
            item("Réunion <annuelle>", "fr"),
        ])
    }

    #[test]
    fn a_cached_partial_writes_what_the_inline_loop_writes() {
        let (tera, cache) = engine(&[
            ("card.html", CARD),
            (
                "inline.html",
                &format!("<ul>{{% for item in items %}}{{% set heading = \"h2\" %}}{}{{% endfor %}}</ul>", CARD),
            ),
            (
                "cached.html",
                "<ul>{% for item in items %}{{ include_cached(name=\"card.html\", item=item, heading=\"h2\") }}{% endfor %}</ul>",
            ),
        ]);
        let items = items();
        for lang in ["fr", "ar"] {
            let context = page_context(lang, &items);
            let inline = tera.render("inline.html", &context).expect("inline");
            let cached = tera.render("cached.html", &context).expect("cached");
            assert_eq!(cached, inline);
            assert!(cached.contains("Réunion &lt;annuelle&gt;"), "{cached}");
            // Rendered again from the cache: the same text.
            assert_eq!(tera.render("cached.html", &context).expect("again"), inline);
        }
        // Per language: the shared item once, the English item once, and the equal French item
        // at another address once more.
        assert_eq!(kept(&cache), 6);
        cache.clear();
        assert_eq!(kept(&cache), 0);
    }

    #[test]
    fn a_partial_sees_its_arguments_and_the_page_language_only() {
        let (tera, _) = engine(&[
            (
                "probe.html",
                "{{ secret | default(value=\"unseen\") }} {{ lang }} {{ extra }}",
            ),
            (
                "page.html",
                "{{ include_cached(name=\"probe.html\", extra=1) }}|{{ include_cached(name=\"probe.html\", extra=2) }}",
            ),
        ]);
        let out = tera
            .render(
                "page.html",
                &page_context("fr", &Value::from(Vec::<Value>::new())),
            )
            .expect("page");
        assert_eq!(out, "unseen fr 1|unseen fr 2");
    }

    #[test]
    fn a_partial_that_includes_itself_through_a_variable_is_stopped() {
        let (tera, _) = engine(&[(
            "self.html",
            "x{{ include_cached(name=which, which=which) }}",
        )]);
        let mut context = Context::new();
        context.insert("lang", "fr");
        context.insert("which", "self.html");
        let error = tera.render("self.html", &context).expect_err("no end");
        let text = format!("{error:?}");
        assert!(text.contains("more than 16 partials deep"), "{text}");
    }

    #[test]
    fn a_partial_s_error_names_the_partial_and_its_line() {
        let (tera, _) = engine(&[
            ("broken.html", "ok\n{{ nothing.here }}"),
            ("page.html", "{{ include_cached(name=\"broken.html\") }}"),
        ]);
        let mut context = Context::new();
        context.insert("lang", "fr");
        let error = tera.render("page.html", &context).expect_err("broken");
        let text = format!("{error:?}");
        assert!(
            text.contains("in `broken.html`, line 2, column 4"),
            "{text}"
        );
        let (tera, _) = engine(&[("page.html", "{{ include_cached(name=\"gone.html\") }}")]);
        let error = tera.render("page.html", &context).expect_err("missing");
        assert!(
            format!("{error:?}").contains("there is no template `gone.html`"),
            "{error:?}"
        );
    }

    #[test]
    fn outputs_used_since_the_last_generation_are_carried_over() {
        let cache = PartialCache::default();
        cache.lock().limit = 10;
        let kept = |text: &str| Kept {
            output: Value::safe_string(text),
            _arguments: Vec::new(),
        };
        cache.keep(1, kept("aaaa"));
        cache.keep(2, kept("bbbb"));
        // Over the limit: 1 and 2 become the older generation.
        cache.keep(3, kept("cccc"));
        assert_eq!(
            cache.get(1).and_then(|v| v.as_str().map(String::from)),
            Some("aaaa".into())
        );
        cache.keep(4, kept("dddd"));
        // Another turn: 2, never asked for since, is gone; 1 was carried into the newer one.
        cache.keep(5, kept("eeee"));
        assert!(cache.get(2).is_none());
        assert!(cache.get(1).is_some() && cache.get(5).is_some());
    }

    #[test]
    fn keys_tell_arguments_and_languages_apart() {
        let kwargs = |pairs: Vec<(&str, Value)>| {
            let map: tera::Map = pairs
                .into_iter()
                .map(|(k, v)| (tera::value::Key::from(k.to_string()), v))
                .collect();
            Kwargs::new(Arc::new(map))
        };
        let item = Value::from(vec![Value::from("a")]);
        // The key of `name` on a page in `lang`, with `item` and one more argument.
        let key_of = |name: &str, lang: &str, item: &Value, (arg, n): (&str, i64)| {
            key(
                name,
                &Value::from(lang),
                &kwargs(vec![("item", item.clone()), (arg, Value::from(n))]),
            )
        };
        let same = key_of("card.html", "fr", &item, ("n", 1));
        let reordered = key(
            "card.html",
            &Value::from("fr"),
            &kwargs(vec![("n", Value::from(1)), ("item", item.clone())]),
        );
        assert_eq!(same, reordered);
        let equal_elsewhere = Value::from(vec![Value::from("a")]);
        for other in [
            key_of("card.html", "en", &item, ("n", 1)),
            key_of("row.html", "fr", &item, ("n", 1)),
            key_of("card.html", "fr", &item, ("n", 2)),
            key_of("card.html", "fr", &item, ("m", 1)),
            key_of("card.html", "fr", &equal_elsewhere, ("n", 1)),
        ] {
            assert_ne!(same, other);
        }
    }
}
