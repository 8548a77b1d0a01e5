//! Publication metadata: what makes a report citable and findable. For each document version,
//! Highwire `citation_*` tags (read by Google Scholar and reference managers), schema.org
//! JSON-LD (a Report, an Article for news, an Event with place and dates for meetings), Open
//! Graph tags per language, and the "cite this" formats, BibTeX and RIS, written as files
//! beside the page (`cite.bib`, `cite.ris`).
//!
//! Everything is derived from the front matter and the site settings: nothing is invented.
//! The publisher is the UI string `publisher` of the version's language when the site defines
//! it (the ICC site: "Conseil de l'Europe", "Council of Europe"…), else the site's title.

use serde::Serialize;
use serde_json::{json, Value};

use crate::i18n::I18n;
use crate::index::Site;
use crate::load::Date;

/// What kind of publication a document is, from its top-level section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A meeting report: a Report about an Event.
    Meeting,
    /// News: an Article.
    News,
    /// Policy briefs, publications and everything else: a Report.
    Report,
}

impl Kind {
    fn of(content_path: &str) -> Kind {
        match content_path.split('/').next().unwrap_or_default() {
            "meetings" | "events" => Kind::Meeting,
            "news" => Kind::News,
            _ => Kind::Report,
        }
    }
}

/// The bibliographic facts of one version.
#[derive(Debug, Clone)]
pub struct Citation {
    pub kind: Kind,
    pub title: String,
    pub summary: Option<String>,
    pub publisher: String,
    pub site_name: String,
    pub date: Option<Date>,
    pub end_date: Option<Date>,
    pub place: Option<String>,
    pub lang: String,
    /// OG locale (`fr_FR`).
    pub og_locale: String,
    /// Absolute URL of the page.
    pub url: String,
    /// Absolute URLs of the PDF attachments.
    pub pdf_urls: Vec<String>,
    /// A BibTeX key: stable, ASCII (`icc-meetings-2016-reykjavik-fr`).
    pub key: String,
    /// Absolute URL of the original when this is a translation.
    pub original_url: Option<String>,
    /// Absolute URLs of the other versions, with their OG locales.
    pub other_versions: Vec<(String, String)>,
    pub keywords: Vec<String>,
}

/// The metadata handed to templates as `page.citation`.
#[derive(Debug, Clone, Serialize)]
pub struct CitationCtx {
    /// `<meta name content>` pairs: `citation_*`.
    pub meta: Vec<Meta>,
    /// `<meta property content>` pairs: Open Graph.
    pub open_graph: Vec<Meta>,
    /// The JSON-LD, safe inside `<script type="application/ld+json">`.
    pub json_ld: String,
    /// A plain reference for people to copy.
    pub text: String,
    pub bibtex: String,
    pub ris: String,
    pub bibtex_url: String,
    pub ris_url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub name: String,
    pub content: String,
}

fn meta(name: &str, content: impl Into<String>) -> Meta {
    Meta {
        name: name.to_string(),
        content: content.into(),
    }
}

/// The Open Graph locale of a language (`fr` → `fr_FR`): the locale's region when it has one.
fn og_locale(lang: &str, locale: &str) -> String {
    if let Some((language, region)) = locale.split_once('-') {
        if region.len() == 2 {
            return format!("{language}_{}", region.to_ascii_uppercase());
        }
    }
    let region = match lang {
        "fr" => "FR",
        "en" => "GB",
        "es" => "ES",
        "it" => "IT",
        "pl" => "PL",
        "uk" => "UA",
        "ja" => "JP",
        "ar" => "AR",
        "de" => "DE",
        "pt" => "PT",
        _ => return lang.to_string(),
    };
    format!("{lang}_{region}")
}

impl Citation {
    /// The citation of version `v` (a document version, not a section).
    pub fn of_version(site: &Site, i18n: &I18n, v: usize) -> Citation {
        let version = &site.versions[v];
        let lang = version.lang.clone();
        let locale = i18n.locale(&lang).to_string();
        let doc = site.version_documents[v].unwrap_or_default();
        let document = &site.documents[doc];
        let publisher = i18n
            .translate(&lang, "publisher", None, &[])
            .unwrap_or_else(|_| site.config.title(&lang).to_string());
        let pdf_urls = version
            .front
            .attachments
            .iter()
            .filter(|a| a.file().to_ascii_lowercase().ends_with(".pdf"))
            .map(|a| {
                let path = if version.folder.is_empty() {
                    a.file().to_string()
                } else {
                    format!("{}/{}", version.folder, a.file())
                };
                site.permalink(&format!("/{path}"))
            })
            .collect();
        let original = document.versions[&document.original];
        let key_base: String = version
            .content_path
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let other_versions = site
            .config
            .languages
            .iter()
            .filter(|l| l.code != lang)
            .filter_map(|l| {
                document.versions.get(&l.code).map(|&o| {
                    (
                        site.permalink(&site.version_urls[o]),
                        og_locale(&l.code, &l.locale),
                    )
                })
            })
            .collect();
        let keywords = version
            .front
            .taxonomies
            .iter()
            .flat_map(|(taxonomy, terms)| {
                let lang = &lang;
                terms.iter().map(move |t| site.term_name(taxonomy, t, lang))
            })
            .collect();
        Citation {
            kind: Kind::of(&version.content_path),
            title: version.front.title.clone(),
            summary: version.front.summary.clone(),
            publisher,
            site_name: site.config.title(&version.lang).to_string(),
            date: version.front.date,
            end_date: version.front.end_date,
            place: version.front.place.clone(),
            og_locale: og_locale(&version.lang, &locale),
            lang: version.lang.clone(),
            url: site.permalink(&site.version_urls[v]),
            pdf_urls,
            key: format!("icc-{}-{}", key_base.trim_matches('-'), version.lang),
            original_url: (original != v).then(|| site.permalink(&site.version_urls[original])),
            other_versions,
            keywords,
        }
    }

    /// Highwire Press tags.
    pub fn highwire(&self) -> Vec<Meta> {
        let mut tags = vec![
            meta("citation_title", &self.title),
            meta("citation_author", &self.publisher),
        ];
        if let Some(date) = self.date {
            tags.push(meta(
                "citation_publication_date",
                format!("{:04}/{:02}/{:02}", date.year, date.month, date.day),
            ));
        }
        tags.push(meta("citation_language", &self.lang));
        tags.push(meta("citation_publisher", &self.publisher));
        if self.kind != Kind::News {
            tags.push(meta(
                "citation_technical_report_institution",
                &self.publisher,
            ));
        }
        if self.kind == Kind::Meeting {
            tags.push(meta("citation_conference_title", &self.title));
        }
        tags.push(meta("citation_abstract_html_url", &self.url));
        for pdf in &self.pdf_urls {
            tags.push(meta("citation_pdf_url", pdf));
        }
        if !self.keywords.is_empty() {
            tags.push(meta("citation_keywords", self.keywords.join("; ")));
        }
        tags
    }

    /// Open Graph tags (`og:locale:alternate` for every other version).
    pub fn open_graph(&self) -> Vec<Meta> {
        let mut tags = vec![
            meta("og:type", "article"),
            meta("og:title", &self.title),
            meta("og:url", &self.url),
            meta("og:site_name", &self.site_name),
            meta("og:locale", &self.og_locale),
        ];
        for (_, locale) in &self.other_versions {
            tags.push(meta("og:locale:alternate", locale));
        }
        if let Some(summary) = &self.summary {
            tags.push(meta("og:description", summary));
        }
        if let Some(date) = self.date {
            tags.push(meta("article:published_time", date.iso()));
        }
        tags
    }

    /// schema.org JSON-LD.
    pub fn json_ld(&self) -> Value {
        let publisher = json!({ "@type": "Organization", "name": self.publisher });
        let mut work = json!({
            "@type": if self.kind == Kind::News { "Article" } else { "Report" },
            "@id": format!("{}#work", self.url),
            "name": self.title,
            "headline": self.title,
            "inLanguage": self.lang,
            "url": self.url,
            "publisher": publisher,
            "author": publisher,
        });
        if let Some(date) = self.date {
            work["datePublished"] = json!(date.iso());
        }
        if let Some(summary) = &self.summary {
            work["description"] = json!(summary);
        }
        if !self.keywords.is_empty() {
            work["keywords"] = json!(self.keywords.join(", "));
        }
        if let Some(original) = &self.original_url {
            work["translationOfWork"] = json!({ "@id": format!("{original}#work") });
        } else if !self.other_versions.is_empty() {
            work["workTranslation"] = json!(self
                .other_versions
                .iter()
                .map(|(url, _)| json!({ "@id": format!("{url}#work") }))
                .collect::<Vec<_>>());
        }
        if !self.pdf_urls.is_empty() {
            work["encoding"] = json!(self
                .pdf_urls
                .iter()
                .map(|pdf| json!({ "@type": "MediaObject", "contentUrl": pdf, "encodingFormat": "application/pdf" }))
                .collect::<Vec<_>>());
        }
        if self.kind != Kind::Meeting {
            let mut single = work;
            single["@context"] = json!("https://schema.org");
            return single;
        }
        let mut event = json!({
            "@type": "Event",
            "@id": format!("{}#event", self.url),
            "name": self.title,
            "inLanguage": self.lang,
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "eventStatus": "https://schema.org/EventScheduled",
            "organizer": publisher,
            "url": self.url,
        });
        if let Some(date) = self.date {
            event["startDate"] = json!(date.iso());
            event["endDate"] = json!(self.end_date.unwrap_or(date).iso());
        }
        if let Some(place) = &self.place {
            event["location"] = json!({ "@type": "Place", "name": place, "address": place });
        }
        work["about"] = json!({ "@id": format!("{}#event", self.url) });
        json!({ "@context": "https://schema.org", "@graph": [work, event] })
    }

    /// A reference for people: "Publisher (2016). Title. Place, 15–16 September 2016. URL".
    pub fn text(&self, long_date: Option<&str>) -> String {
        let mut text = self.publisher.clone();
        if let Some(date) = self.date {
            text.push_str(&format!(" ({})", date.year));
        }
        text.push_str(&format!(". {}.", self.title.trim_end_matches('.')));
        match (&self.place, long_date) {
            (Some(place), Some(date)) => text.push_str(&format!(" {place}, {date}.")),
            (Some(place), None) => text.push_str(&format!(" {place}.")),
            (None, Some(date)) => text.push_str(&format!(" {date}.")),
            (None, None) => {}
        }
        text.push(' ');
        text.push_str(&self.url);
        text
    }

    /// BibTeX (biblatex-friendly UTF-8).
    pub fn bibtex(&self) -> String {
        let entry = match self.kind {
            Kind::News => "online",
            _ => "techreport",
        };
        let mut fields = vec![
            ("title", format!("{{{}}}", bibtex_escape(&self.title))),
            (
                "author",
                format!("{{{{{}}}}}", bibtex_escape(&self.publisher)),
            ),
        ];
        if self.kind != Kind::News {
            fields.push((
                "institution",
                format!("{{{}}}", bibtex_escape(&self.publisher)),
            ));
        }
        if let Some(date) = self.date {
            fields.push(("year", format!("{{{}}}", date.year)));
            fields.push(("date", format!("{{{}}}", date.iso())));
        }
        if let Some(place) = &self.place {
            fields.push(("address", format!("{{{}}}", bibtex_escape(place))));
        }
        fields.push(("language", format!("{{{}}}", self.lang)));
        fields.push(("url", format!("{{{}}}", self.url)));
        let mut out = format!("@{entry}{{{},\n", self.key);
        for (name, value) in fields {
            out.push_str(&format!("  {name:<11} = {value},\n"));
        }
        out.push_str("}\n");
        out
    }

    /// RIS (lines end with CRLF, as the format wants).
    pub fn ris(&self) -> String {
        let mut lines = vec![
            (
                "TY",
                match self.kind {
                    Kind::News => "NEWS".to_string(),
                    _ => "RPRT".to_string(),
                },
            ),
            ("TI", self.title.clone()),
            ("AU", format!("{},", self.publisher)),
            ("PB", self.publisher.clone()),
        ];
        if let Some(date) = self.date {
            lines.push(("PY", date.year.to_string()));
            lines.push((
                "DA",
                format!("{:04}/{:02}/{:02}/", date.year, date.month, date.day),
            ));
        }
        if let Some(place) = &self.place {
            lines.push(("CY", place.clone()));
        }
        if let Some(summary) = &self.summary {
            lines.push(("AB", summary.clone()));
        }
        for keyword in &self.keywords {
            lines.push(("KW", keyword.clone()));
        }
        lines.push(("LA", self.lang.clone()));
        lines.push(("UR", self.url.clone()));
        for pdf in &self.pdf_urls {
            lines.push(("L1", pdf.clone()));
        }
        lines.push(("ER", String::new()));
        lines
            .into_iter()
            .map(|(tag, value)| format!("{tag}  - {}\r\n", value.replace(['\r', '\n'], " ")))
            .collect()
    }
}

fn bibtex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '{' | '}' | '%' | '&' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '\\' => out.push_str("\\textbackslash{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            c => out.push(c),
        }
    }
    out
}

/// JSON for a `<script>` element: no `</` can close it early.
pub fn script_safe_json(value: &Value) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace("</", "<\\/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting() -> Citation {
        Citation {
            kind: Kind::Meeting,
            title: "Réunion annuelle 100% {ICC}".into(),
            summary: Some("La réunion.".into()),
            publisher: "Conseil de l'Europe".into(),
            site_name: "Cités interculturelles".into(),
            date: Some(Date {
                year: 2016,
                month: 9,
                day: 15,
            }),
            end_date: Some(Date {
                year: 2016,
                month: 9,
                day: 16,
            }),
            place: Some("Reykjavik, Islande".into()),
            lang: "fr".into(),
            og_locale: "fr_FR".into(),
            url: "https://example.org/fr/reunions/2016-reykjavik/".into(),
            pdf_urls: vec!["https://example.org/meetings/2016-reykjavik/rapport.pdf".into()],
            key: "icc-meetings-2016-reykjavik-fr".into(),
            original_url: None,
            other_versions: vec![(
                "https://example.org/en/meetings/2016-reykjavik/".into(),
                "en_GB".into(),
            )],
            keywords: vec!["Reykjavik".into()],
        }
    }

    #[test]
    fn highwire_tags() {
        let tags = meeting().highwire();
        let get = |name: &str| {
            tags.iter()
                .find(|m| m.name == name)
                .map(|m| m.content.clone())
        };
        assert_eq!(
            get("citation_publication_date").as_deref(),
            Some("2016/09/15")
        );
        assert_eq!(
            get("citation_pdf_url").as_deref(),
            Some("https://example.org/meetings/2016-reykjavik/rapport.pdf")
        );
        assert_eq!(get("citation_language").as_deref(), Some("fr"));
    }

    #[test]
    fn meetings_are_a_report_about_an_event() {
        let ld = meeting().json_ld();
        assert_eq!(ld["@graph"][0]["@type"], "Report");
        assert_eq!(ld["@graph"][1]["@type"], "Event");
        assert_eq!(ld["@graph"][1]["startDate"], "2016-09-15");
        assert_eq!(ld["@graph"][1]["endDate"], "2016-09-16");
        assert_eq!(ld["@graph"][1]["location"]["name"], "Reykjavik, Islande");
        assert_eq!(
            ld["@graph"][0]["workTranslation"][0]["@id"],
            "https://example.org/en/meetings/2016-reykjavik/#work"
        );
    }

    #[test]
    fn bibtex_and_ris() {
        let c = meeting();
        assert_eq!(
            c.bibtex(),
            "@techreport{icc-meetings-2016-reykjavik-fr,\n  title       = {Réunion annuelle 100\\% \\{ICC\\}},\n  author      = {{Conseil de l'Europe}},\n  institution = {Conseil de l'Europe},\n  year        = {2016},\n  date        = {2016-09-15},\n  address     = {Reykjavik, Islande},\n  language    = {fr},\n  url         = {https://example.org/fr/reunions/2016-reykjavik/},\n}\n"
        );
        let ris = c.ris();
        assert!(ris.starts_with("TY  - RPRT\r\nTI  - Réunion annuelle 100% {ICC}\r\n"));
        assert!(ris.contains("DA  - 2016/09/15/\r\n"));
        assert!(ris.ends_with("ER  - \r\n"));
        assert_eq!(c.text(Some("15 septembre 2016")), "Conseil de l'Europe (2016). Réunion annuelle 100% {ICC}. Reykjavik, Islande, 15 septembre 2016. https://example.org/fr/reunions/2016-reykjavik/");
    }

    #[test]
    fn locales() {
        assert_eq!(og_locale("fr", "fr"), "fr_FR");
        assert_eq!(og_locale("en", "en-GB"), "en_GB");
        assert_eq!(og_locale("xx", "xx"), "xx");
    }
}
