//! CLDR data (ICU4X compiled data): plural categories and long dates per language, loaded once.
//!
//! All formatters are built in [`Cldr::new`] for the languages of the site and stored in an
//! immutable table, so lookups are lock-free and [`Cldr`] is `Send + Sync` (it can be shared by
//! reference between rayon threads). This relies on the `sync` feature of `icu_provider`: without
//! it, ICU4X data payloads use `Rc` internally and the formatters are neither `Send` nor `Sync`.
//!
//! Outputs are exactly what CLDR gives for the tag as written, e.g. for 2023-11-14:
//!
//! | tag  | `long_date`           | `short_date`   |
//! |------|-----------------------|----------------|
//! | `fr` | `14 novembre 2023`    | `14/11/2023`   |
//! | `en` | `November 14, 2023`   | `11/14/2023`   |
//! | `ja` | `2023年11月14日`       | `2023/11/14`   |
//!
//! Plain `en` is US English in CLDR (month-day-year); pass `en-GB` to get `14 November 2023`.
//! Formatted output may contain non-ASCII spaces (e.g. U+202F in French number grouping) and, for
//! right-to-left languages such as Arabic, bidi control marks (U+200F) around numeric fields.
//!
//! A language that was not passed to [`Cldr::new`] is not built on demand: plural lookups fall
//! back to `"other"`, dates to ISO 8601 (`2023-11-14`) and numbers to plain digits.

use std::collections::HashMap;
use std::fmt::Write as _;

use icu_calendar::{Date, Gregorian};
use icu_datetime::fieldsets::YMD;
use icu_datetime::options::YearStyle;
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_decimal::input::Decimal;
use icu_decimal::DecimalFormatter;
use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRules};

/// Gregorian year-month-day formatter.
type DateFormatter = FixedCalendarDateTimeFormatter<Gregorian, YMD>;

/// Everything built for one language.
struct Lang {
    plurals: PluralRules,
    long: DateFormatter,
    short: DateFormatter,
    numbers: DecimalFormatter,
}

impl Lang {
    fn build(locale: &Locale) -> Result<Lang, String> {
        let fail = |what: &str, err: &dyn std::fmt::Display| {
            format!("cannot load CLDR {what} data for language '{locale}': {err}")
        };
        let plurals =
            PluralRules::try_new_cardinal(locale.into()).map_err(|e| fail("plural", &e))?;
        let long = DateFormatter::try_new(locale.into(), YMD::long())
            .map_err(|e| fail("long date", &e))?;
        // Short dates always show the full year ("11/14/2023", not CLDR's default "11/14/23").
        let short =
            DateFormatter::try_new(locale.into(), YMD::short().with_year_style(YearStyle::Full))
                .map_err(|e| fail("short date", &e))?;
        let numbers = DecimalFormatter::try_new(locale.into(), Default::default())
            .map_err(|e| fail("number", &e))?;
        Ok(Lang {
            plurals,
            long,
            short,
            numbers,
        })
    }
}

/// CLDR plural rules, date and number formatters for a fixed set of languages.
pub struct Cldr {
    langs: Vec<Lang>,
    /// Language tag (as given to `new`, and in canonical form) -> index into `langs`.
    index: HashMap<String, usize>,
}

// Compile-time check: `Cldr` is shared between rayon threads. This fails to build if the
// `sync` feature of `icu_provider` is missing.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Cldr>();
};

impl std::fmt::Debug for Cldr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut tags: Vec<&str> = self.index.keys().map(String::as_str).collect();
        tags.sort_unstable();
        f.debug_struct("Cldr").field("languages", &tags).finish()
    }
}

impl Cldr {
    /// Builds formatters for each language tag ("fr", "en", "es", "it", "pl", "uk", "ja", "ar",
    /// or any BCP-47 tag). Err(String) with a readable message for an invalid tag.
    ///
    /// A well-formed tag that CLDR has no specific data for (e.g. "tlh") is accepted and uses
    /// ICU4X locale fallback, ultimately the root locale.
    pub fn new(languages: &[&str]) -> Result<Cldr, String> {
        let mut cldr = Cldr {
            langs: Vec::with_capacity(languages.len()),
            index: HashMap::new(),
        };
        for &tag in languages {
            if cldr.index.contains_key(tag) {
                continue;
            }
            let locale = parse(tag)?;
            let canonical = locale.to_string();
            let i = match cldr.index.get(&canonical) {
                Some(&i) => i,
                None => {
                    cldr.langs.push(Lang::build(&locale)?);
                    cldr.langs.len() - 1
                }
            };
            cldr.index.insert(canonical, i);
            cldr.index.insert(tag.to_owned(), i);
        }
        Ok(cldr)
    }

    /// Whether formatters were built for `lang` (given to [`Cldr::new`]; lookups also match the
    /// canonical form of the tag, e.g. "FR" finds "fr", "pt-br" finds "pt-BR").
    pub fn has_language(&self, lang: &str) -> bool {
        self.lang(lang).is_some()
    }

    /// CLDR cardinal plural category name for the integer n:
    /// "zero"|"one"|"two"|"few"|"many"|"other". Negative numbers use their absolute value.
    /// Unknown language: "other".
    pub fn plural_category(&self, lang: &str, n: i64) -> &'static str {
        let Some(l) = self.lang(lang) else {
            return "other";
        };
        match l.plurals.category_for(n) {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
    }

    /// Long date (Gregorian, month name spelled out), e.g. fr "14 novembre 2023",
    /// en "November 14, 2023" (CLDR `en` is US English; use "en-GB" for "14 November 2023"),
    /// ja "2023年11月14日", ar in Arabic. Unknown language: ISO "2023-11-14".
    /// Returns Err for an impossible date (2023-02-30).
    pub fn long_date(&self, lang: &str, year: i32, month: u8, day: u8) -> Result<String, String> {
        self.format_date(lang, year, month, day, |l| &l.long)
    }

    /// Short numeric date for lists, with a 4-digit year, e.g. fr "14/11/2023",
    /// en "11/14/2023", ja "2023/11/14". Unknown language: ISO "2023-11-14".
    /// Returns Err for an impossible date.
    pub fn short_date(&self, lang: &str, year: i32, month: u8, day: u8) -> Result<String, String> {
        self.format_date(lang, year, month, day, |l| &l.short)
    }

    /// An integer formatted for the locale (digits and grouping), e.g. fr 12345 -> "12 345"
    /// (with U+202F NARROW NO-BREAK SPACE), en "12,345". Some locales (es, it, pl) do not group
    /// 4-digit numbers. Unknown language: plain digits.
    pub fn format_number(&self, lang: &str, n: i64) -> String {
        match self.lang(lang) {
            Some(l) => l.numbers.format(&Decimal::from(n)).to_string(),
            None => n.to_string(),
        }
    }

    /// `units × 10^-fraction_digits` formatted for the locale with exactly that many fraction
    /// digits, e.g. fr (16, 1) -> "1,6", en "1.6", ar "1.6". Unknown language: a dot.
    pub fn format_decimal(&self, lang: &str, units: i64, fraction_digits: i16) -> String {
        let mut value = Decimal::from(units);
        value.absolute.multiply_pow10(-fraction_digits);
        match self.lang(lang) {
            Some(l) => l.numbers.format(&value).to_string(),
            None => value.to_string(),
        }
    }

    fn lang(&self, lang: &str) -> Option<&Lang> {
        let i = match self.index.get(lang) {
            Some(&i) => i,
            None => *self.index.get(&parse(lang).ok()?.to_string())?,
        };
        self.langs.get(i)
    }

    fn format_date(
        &self,
        lang: &str,
        year: i32,
        month: u8,
        day: u8,
        which: impl FnOnce(&Lang) -> &DateFormatter,
    ) -> Result<String, String> {
        let date = Date::try_new_gregorian(year, month, day)
            .map_err(|e| format!("invalid date {}: {e}", iso_date(year, month, day)))?;
        Ok(match self.lang(lang) {
            Some(l) => which(l).format(&date).to_string(),
            None => iso_date(year, month, day),
        })
    }
}

fn parse(tag: &str) -> Result<Locale, String> {
    Locale::try_from_str(tag).map_err(|e| format!("invalid language tag '{tag}': {e}"))
}

/// ISO 8601 calendar date; years outside 0..=9999 get an explicit sign.
fn iso_date(year: i32, month: u8, day: u8) -> String {
    let mut s = String::with_capacity(10);
    if (0..=9999).contains(&year) {
        let _ = write!(s, "{year:04}");
    } else {
        let _ = write!(s, "{year:+05}");
    }
    let _ = write!(s, "-{month:02}-{day:02}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals() {
        let cldr = Cldr::new(&["fr", "en"]).unwrap();
        assert_eq!(cldr.format_decimal("fr", 16, 1), "1,6");
        assert_eq!(cldr.format_decimal("en", 16, 1), "1.6");
        assert_eq!(cldr.format_decimal("en", 20, 1), "2.0");
        assert_eq!(cldr.format_decimal("fr", 123456, 1), "12\u{202f}345,6");
    }

    const ALL: &[&str] = &["fr", "en", "es", "it", "pl", "uk", "ja", "ar"];

    fn cldr() -> Cldr {
        Cldr::new(ALL).expect("all site languages load")
    }

    #[test]
    fn cldr_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Cldr>();
    }

    #[test]
    fn plural_categories() {
        let c = cldr();
        let cases: &[(&str, i64, &str)] = &[
            ("en", 1, "one"),
            ("en", 2, "other"),
            ("en", 0, "other"),
            ("fr", 0, "one"),
            ("fr", 1, "one"),
            ("fr", 2, "other"),
            ("es", 1, "one"),
            ("es", 1_000_000, "many"),
            ("it", 1, "one"),
            ("it", 2, "other"),
            ("pl", 1, "one"),
            ("pl", 2, "few"),
            ("pl", 5, "many"),
            ("pl", 12, "many"),
            ("pl", 22, "few"),
            ("uk", 1, "one"),
            ("uk", 3, "few"),
            ("uk", 11, "many"),
            ("uk", 21, "one"),
            ("ar", 0, "zero"),
            ("ar", 1, "one"),
            ("ar", 2, "two"),
            ("ar", 3, "few"),
            ("ar", 11, "many"),
            ("ar", 100, "other"),
            ("ja", 1, "other"),
            ("ja", 2, "other"),
        ];
        for &(lang, n, want) in cases {
            assert_eq!(c.plural_category(lang, n), want, "{lang} {n}");
        }
        // Negative numbers use the absolute value.
        assert_eq!(c.plural_category("en", -1), "one");
        assert_eq!(c.plural_category("pl", -22), "few");
    }

    #[test]
    fn long_dates() {
        let c = cldr();
        assert_eq!(c.long_date("fr", 2023, 11, 14).unwrap(), "14 novembre 2023");
        assert_eq!(c.long_date("ja", 2023, 11, 14).unwrap(), "2023年11月14日");
        let en = c.long_date("en", 2023, 11, 14).unwrap();
        assert!(en.contains("November") && en.contains("2023"), "{en}");
        assert_eq!(en, "November 14, 2023");
        assert_eq!(
            c.long_date("es", 2023, 11, 14).unwrap(),
            "14 de noviembre de 2023"
        );
        assert_eq!(c.long_date("it", 2023, 11, 14).unwrap(), "14 novembre 2023");
        assert_eq!(
            c.long_date("pl", 2023, 11, 14).unwrap(),
            "14 listopada 2023"
        );
        let uk = c.long_date("uk", 2023, 11, 14).unwrap();
        assert!(uk.starts_with("14 листопада 2023"), "{uk}");
        let ar = c.long_date("ar", 2023, 11, 14).unwrap();
        assert!(ar.contains("نوفمبر"), "{ar}");
        // Single-digit day, leap day.
        assert_eq!(c.long_date("fr", 2024, 2, 29).unwrap(), "29 février 2024");
        assert_eq!(c.long_date("fr", 2024, 3, 1).unwrap(), "1 mars 2024");
    }

    #[test]
    fn en_gb_is_day_month() {
        let c = Cldr::new(&["en-GB"]).unwrap();
        assert_eq!(
            c.long_date("en-GB", 2023, 11, 14).unwrap(),
            "14 November 2023"
        );
        assert_eq!(c.short_date("en-GB", 2023, 11, 14).unwrap(), "14/11/2023");
    }

    #[test]
    fn short_dates() {
        let c = cldr();
        assert_eq!(c.short_date("fr", 2023, 11, 14).unwrap(), "14/11/2023");
        assert_eq!(c.short_date("fr", 2023, 1, 5).unwrap(), "05/01/2023");
        assert_eq!(c.short_date("en", 2023, 11, 14).unwrap(), "11/14/2023");
        assert_eq!(c.short_date("pl", 2023, 11, 14).unwrap(), "14.11.2023");
        assert_eq!(c.short_date("ja", 2023, 11, 14).unwrap(), "2023/11/14");
    }

    #[test]
    fn invalid_dates_error() {
        let c = cldr();
        for lang in ["fr", "en", "ja", "xx-unknown"] {
            assert!(c.long_date(lang, 2023, 2, 30).is_err(), "{lang}");
            assert!(c.short_date(lang, 2023, 2, 30).is_err(), "{lang}");
        }
        assert!(c.long_date("fr", 2023, 2, 29).is_err());
        assert!(c.long_date("fr", 2023, 13, 1).is_err());
        assert!(c.long_date("fr", 2023, 0, 1).is_err());
        assert!(c.long_date("fr", 2023, 4, 0).is_err());
        let msg = c.long_date("fr", 2023, 2, 30).unwrap_err();
        assert!(msg.contains("2023-02-30"), "{msg}");
    }

    #[test]
    fn numbers() {
        let c = cldr();
        assert_eq!(c.format_number("fr", 12345), "12\u{202f}345");
        assert_eq!(c.format_number("en", 12345), "12,345");
        assert_eq!(c.format_number("en", -1234567), "-1,234,567");
        assert_eq!(c.format_number("es", 1234), "1234");
        assert_eq!(c.format_number("es", 12345), "12.345");
        assert_eq!(c.format_number("de-unknown-to-new", 12345), "12345");
    }

    #[test]
    fn unknown_language_falls_back() {
        let c = Cldr::new(&["fr"]).unwrap();
        assert!(!c.has_language("de"));
        assert_eq!(c.plural_category("de", 1), "other");
        assert_eq!(c.long_date("de", 2023, 11, 14).unwrap(), "2023-11-14");
        assert_eq!(
            c.short_date("not a tag!", 2023, 11, 14).unwrap(),
            "2023-11-14"
        );
        assert_eq!(c.long_date("de", 33, 1, 2).unwrap(), "0033-01-02");
        assert_eq!(c.plural_category("", 1), "other");
    }

    #[test]
    fn tag_lookup_is_canonicalised() {
        let c = Cldr::new(&["fr", "pt-BR"]).unwrap();
        assert!(c.has_language("FR"));
        assert!(c.has_language("pt-BR"));
        assert!(!c.has_language("pt"));
        // POSIX-style underscores are not BCP-47.
        assert!(!c.has_language("pt_BR"));
        assert!(Cldr::new(&["pt_BR"]).is_err());
        assert_eq!(c.plural_category("FR", 0), "one");
        assert_eq!(
            c.long_date("pt-br", 2023, 11, 14).unwrap(),
            "14 de novembro de 2023"
        );
    }

    #[test]
    fn invalid_tag_is_readable_error() {
        let err = Cldr::new(&["fr", "not a tag!"]).unwrap_err();
        assert!(err.contains("not a tag!"), "{err}");
        assert!(Cldr::new(&[""]).is_err());
        // Well-formed but without specific CLDR data: accepted, root-locale fallback.
        let c = Cldr::new(&["tlh"]).unwrap();
        assert_eq!(c.plural_category("tlh", 1), "other");
        assert!(c.long_date("tlh", 2023, 11, 14).unwrap().contains("2023"));
    }

    #[test]
    fn shared_across_threads() {
        let c = cldr();
        std::thread::scope(|s| {
            for lang in ALL {
                let c = &c;
                s.spawn(move || {
                    assert!(c.long_date(lang, 2023, 11, 14).unwrap().contains("2023"));
                });
            }
        });
    }
}
