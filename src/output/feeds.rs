//! Atom feeds (one per language), `sitemap.xml` with hreflang alternates, and `robots.txt`.
//! Written by hand rather than by templates: their formats are fixed and must stay valid.

use crate::index::Site;
use crate::load::{Date, VersionKind};
use crate::templates::Bodies;

/// How many entries a feed holds, newest first.
const FEED_ENTRIES: usize = 50;

/// `text` with XML's five special characters written as entities.
///
/// The bytes to replace are looked for sixteen at a time and the runs between them copied
/// whole: the feeds carry their entries' whole HTML.
fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let entities = [
        (b'&', "&amp;"),
        (b'<', "&lt;"),
        (b'>', "&gt;"),
        (b'"', "&quot;"),
        (b'\'', "&apos;"),
    ];
    crate::scan::escape_into(text, &entities, &mut out);
    out
}

fn rfc3339(date: Option<Date>) -> String {
    date.map_or_else(
        || "1970-01-01T00:00:00Z".to_string(),
        |d| format!("{}T00:00:00Z", d.iso()),
    )
}

/// The Atom feed of one language: its versions, newest first. `bodies` are final HTML bodies.
pub fn atom(site: &Site, lang: &str, bodies: &Bodies) -> String {
    let mut entries: Vec<usize> = site
        .versions
        .iter()
        .enumerate()
        .filter(|(i, v)| {
            v.kind == VersionKind::Page && v.lang == lang && site.version_documents[*i].is_some()
        })
        .map(|(i, _)| i)
        .collect();
    // Newest first; the title and then the file (unique) break ties, so the order is total.
    let newest_first = |&a: &usize, &b: &usize| {
        let (va, vb) = (&site.versions[a], &site.versions[b]);
        vb.front
            .date
            .cmp(&va.front.date)
            .then_with(|| va.front.title.cmp(&vb.front.title))
            .then_with(|| va.file.cmp(&vb.file))
    };
    // Only the newest entries are sorted: sorting the whole language took most of the 9 ms a
    // page-level rebuild spent on each feed at 10,000 documents.
    if entries.len() > FEED_ENTRIES {
        entries.select_nth_unstable_by(FEED_ENTRIES, newest_first);
        entries.truncate(FEED_ENTRIES);
    }
    entries.sort_by(newest_first);
    let updated = entries.first().map(|&v| {
        site.versions[v]
            .front
            .updated
            .or(site.versions[v].front.date)
    });
    let feed_url = site.permalink(&format!("/{lang}/atom.xml"));
    let home = site.permalink(&format!("/{lang}/"));
    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n"
    ));
    xml.push_str(&format!(
        "<title>{}</title>\n",
        escape_xml(site.config.title(lang))
    ));
    xml.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape_xml(&feed_url)
    ));
    xml.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape_xml(&home)
    ));
    xml.push_str(&format!("<id>{}</id>\n", escape_xml(&feed_url)));
    xml.push_str(&format!(
        "<updated>{}</updated>\n",
        rfc3339(updated.flatten())
    ));
    for v in entries {
        let version = &site.versions[v];
        let url = site.permalink(&site.version_urls[v]);
        xml.push_str("<entry>\n");
        xml.push_str(&format!(
            "<title>{}</title>\n",
            escape_xml(&version.front.title)
        ));
        xml.push_str(&format!(
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape_xml(&url)
        ));
        xml.push_str(&format!("<id>{}</id>\n", escape_xml(&url)));
        xml.push_str(&format!(
            "<updated>{}</updated>\n",
            rfc3339(version.front.updated.or(version.front.date))
        ));
        xml.push_str(&format!(
            "<author><name>{}</name></author>\n",
            escape_xml(site.config.title(lang))
        ));
        if let Some(summary) = &version.front.summary {
            xml.push_str(&format!("<summary>{}</summary>\n", escape_xml(summary)));
        }
        xml.push_str(&format!(
            "<content type=\"html\">{}</content>\n",
            escape_xml(&bodies.text(v))
        ));
        xml.push_str("</entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

/// `sitemap.xml`: every indexable page with its hreflang alternates. "Not available" pages,
/// aliases and 404 are not in it.
pub fn sitemap(site: &Site) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    // Pieces pushed rather than `format!`ted: the sitemap is written after the pages, on one
    // thread, with an entry per page and an alternate per version.
    let mut add = |url: &str, alternates: &[(String, String)], lastmod: Option<Date>| {
        xml.push_str("<url><loc>");
        xml.push_str(&escape_xml(&site.permalink(url)));
        xml.push_str("</loc>");
        if let Some(date) = lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(&date.iso());
            xml.push_str("</lastmod>");
        }
        for (hreflang, href) in alternates {
            xml.push_str("<xhtml:link rel=\"alternate\" hreflang=\"");
            xml.push_str(hreflang);
            xml.push_str("\" href=\"");
            xml.push_str(&escape_xml(&site.permalink(href)));
            xml.push_str("\"/>");
        }
        xml.push_str("</url>\n");
    };
    let home = |l: &str| format!("/{l}/");
    add(
        "/",
        &site.every_language_alternates(home, Some("/".into())),
        None,
    );
    for (doc, document) in site.documents.iter().enumerate() {
        let alternates = site.document_alternates(doc);
        for language in &site.config.languages {
            if let Some(&v) = document.versions.get(&language.code) {
                let front = &site.versions[v].front;
                add(
                    &site.version_urls[v],
                    &alternates,
                    front.updated.or(front.date),
                );
            }
        }
    }
    for section in 0..site.sections.len() {
        let url_for = |l: &str| site.section_url(section, l);
        let alternates =
            site.every_language_alternates(url_for, (section == 0).then(|| "/".to_string()));
        for language in &site.config.languages {
            add(&url_for(&language.code), &alternates, None);
        }
    }
    for taxonomy in &site.taxonomies {
        let url_for = |l: &str| site.taxonomy_url(&taxonomy.name, l);
        let alternates = site.every_language_alternates(url_for, None);
        for language in &site.config.languages {
            add(&url_for(&language.code), &alternates, None);
        }
        for term in taxonomy.terms.keys() {
            let url_for = |l: &str| site.term_url(&taxonomy.name, term, l);
            let alternates = site.every_language_alternates(url_for, None);
            for language in &site.config.languages {
                add(&url_for(&language.code), &alternates, None);
            }
        }
    }
    xml.push_str("</urlset>\n");
    xml
}

pub fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
        site.config.base_url
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_replaces_the_five_special_characters_anywhere() {
        // The scanning is `scan::escape_into`'s, tested there on random texts: this checks the
        // table.
        assert_eq!(escape_xml("L’été « ici »"), "L’été « ici »");
        assert_eq!(
            escape_xml("<a href=\"x?a=1&b='2'\">"),
            "&lt;a href=&quot;x?a=1&amp;b=&apos;2&apos;&quot;&gt;"
        );
    }
}
